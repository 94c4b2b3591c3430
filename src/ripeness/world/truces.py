"""Local truces: named places that two belligerents agree not to fight over (docs/model.md
7.3), apart from the talks' ceasefire, which binds whole parties.

While a truce holds, neither party assaults or strikes the other's places among those it
covers, and neither attacks out of its own there. Supply is untouched: a besieged town under
a truce stays besieged (the Four Towns of 2015-2017 starved under theirs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..scenario.schema import Scenario

__all__ = ["Truce", "compile_truces", "in_force"]

B = NDArray[np.bool_]


@dataclass(frozen=True)
class Truce:
    """One local truce as arrays: the places it covers, its two parties, its days."""

    places: B  # bool[place]
    parties: tuple[int, int]  # actor indices
    first: int  # first day in force (0: from the start)
    last: int | None  # last day in force; None: to the end


def compile_truces(s: Scenario) -> tuple[Truce, ...]:
    """The scenario's [[truces]] as :class:`Truce` entries."""
    places, actors = [p.id for p in s.places], s.ids()
    out = []
    for tr in s.truces:
        mask = np.zeros(len(places), dtype=bool)
        mask[[places.index(p) for p in tr.places]] = True
        first = 0 if tr.starts is None else max(0, (tr.starts - s.meta.start).days)
        last = None if tr.ends is None else (tr.ends - s.meta.start).days - 1
        a, b = (actors.index(x) for x in tr.parties)
        out.append(Truce(places=mask, parties=(a, b), first=first, last=last))
    return tuple(out)


def in_force(truces: tuple[Truce, ...], n_places: int, n_actors: int, day: int) -> B | None:
    """bool[place, actor, actor]: place v is under a truce between x and y on ``day``
    (symmetric in x and y); None when no truce holds that day."""
    live = [t for t in truces if t.first <= day and (t.last is None or day <= t.last)]
    if not live:
        return None
    out = np.zeros((n_places, n_actors, n_actors), dtype=bool)
    for t in live:  # over the scenario's truces, a handful
        a, b = t.parties
        out[t.places, a, b] = out[t.places, b, a] = True
    return out
