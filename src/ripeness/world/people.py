"""Civilians: killed by strikes, fighting and siege; fleeing toward refuges; besieged.

Deaths scale with density, pop / (pop + civ_half): a strike on a crowded town kills more.
People flee in proportion to the day's violence where they live, ``flee_per_loss`` persons per
fighter put out of action or sortie flown there (half that for violence next door), and at
most a share ``flee_rate`` of the residents a day: a skirmish on the edge of a city of a million
displaces thousands, not a tenth of the city. Besieged people cannot leave. They go to the
nearest refuge by road (``World.refuge_of``) and are counted there as ``hosted``; from a refuge
itself, or where no refuge is reachable, they leave the map (``displaced_out``). For every
place, residents + killed + displaced equals the population at the start; hosted plus
displaced_out equals all displaced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .compile import Params, World

__all__ = ["People", "people_day"]

F64 = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class People:
    """float[run, place] unless said: residents, killed and displaced (cumulative, by place of
    origin), hosted (arrivals at refuges), out: float[run] (left the map)."""

    civilians: F64
    killed: F64
    displaced: F64
    hosted: F64
    out: F64


def _deaths(civ: F64, sorties: F64, losses: F64, besieged: B, p: Params) -> F64:
    density = civ / (civ + p.num("civ_half"))
    k = (p.num("sortie_civilian_kill") * sorties + p.num("combat_civilian_kill") * losses) * density
    k = k + p.num("siege_civilian_mortality") * civ * besieged
    return np.minimum(k, civ)


def _fleeing(civ: F64, sorties: F64, losses: F64, besieged: B, world: World,
             p: Params) -> F64:
    """float[run, place]: people who flee today, driven by the violence at and next to them."""
    violence = losses + sorties
    padded = np.concatenate([violence, np.zeros((violence.shape[0], 1))], axis=1)
    near = padded[:, world.nbr].max(axis=2)
    want = p.num("flee_per_loss") * (violence + 0.5 * near)
    return np.where(besieged, 0.0, np.minimum(want, p.num("flee_rate") * civ))


def people_day(now: People, sorties: F64, losses: F64, besieged: B,
               world: World, p: Params) -> People:
    """One day: deaths first, then flight from the survivors."""
    k = _deaths(now.civilians, sorties, losses, besieged, p)
    civ = now.civilians - k
    fled = _fleeing(civ, sorties, losses, besieged, world, p)
    dest = world.refuge_of
    refuges = np.flatnonzero(world.refuge)
    elsewhere = dest != np.arange(len(dest))  # from a refuge itself, people leave the map
    to_refuge = (dest[:, None] == refuges[None, :]) & elsewhere[:, None]
    arrive = fled @ to_refuge.astype(np.float64)  # [R, refuges]
    hosted = now.hosted.copy()
    hosted[:, refuges] += arrive
    return People(
        civilians=civ - fled, killed=now.killed + k, displaced=now.displaced + fled,
        hosted=hosted, out=now.out + fled.sum(axis=1) - arrive.sum(axis=1),
    )
