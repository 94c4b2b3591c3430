"""Dated changes of forces: fighters that arrive, leave or change sides on a given day.

Compiled once from the scenario's ``[[events.forces]]`` (:func:`compile_changes`) and applied
by the engine at the start of their day (:func:`apply`), to every run still going, before the
day's supply and fighting. Like the dated changes of parameters they are exogenous: a
mobilisation, a contingent withdrawn, a foreign force arriving, a unit going over to the other
side. The loops run over the day's changes (a handful), never over runs or places.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from ..engine import State
    from ..scenario.schema import Scenario
    from .compile import World

__all__ = ["ARRIVE", "DEFECT", "LEAVE", "Change", "apply", "compile_changes"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

ARRIVE, LEAVE, DEFECT = 0, 1, 2
_KINDS = {"arrive": ARRIVE, "leave": LEAVE, "defect": DEFECT}


@dataclass(frozen=True)
class Change:
    """One change of forces. day: days from the start; kind: ARRIVE, LEAVE or DEFECT; actor,
    to: actor indices (to: -1 unless DEFECT); places: bool[place], where (all True: every
    place); fighters: how many (nan: a share); share: the share that goes (nan: a number)."""

    day: int
    kind: int
    actor: int
    to: int
    places: B
    fighters: float
    share: float


def compile_changes(s: Scenario) -> tuple[Change, ...]:
    """The changes of forces of the enabled events, in date order (then file order)."""
    actors, places = s.ids(), [p.id for p in s.places]
    out = []
    for ev in sorted((e for e in s.events if e.enabled), key=lambda e: e.date):
        day = max(0, (ev.date - s.meta.start).days)
        for f in ev.forces:
            where = np.ones(len(places), dtype=bool)
            if f.place is not None:
                where = np.arange(len(places)) == places.index(f.place)
            out.append(Change(
                day=day, kind=_KINDS[f.kind], actor=actors.index(f.actor),
                to=actors.index(f.to) if f.to is not None else -1, places=where,
                fighters=f.fighters.value if f.fighters is not None else np.nan,
                share=f.share.value if f.share is not None else np.nan))
    return tuple(out)


def _landing(control: I64, a: int, place: int, world: World) -> I64:
    """int[run]: where fighters for actor a arrive: ``place`` if a holds it, else a's own place
    nearest by links (ties by index), -1 where a holds nothing."""
    d = np.where(control == a, world.hops[place][None, :], np.inf)
    best = np.argmin(d, axis=1)
    ok = np.isfinite(d[np.arange(len(best)), best])
    return np.asarray(np.where(ok, best, -1), dtype=np.int64)


def _going(force: F64, c: Change, live: B) -> F64:
    """float[run, place]: actor c.actor's fighters that leave or defect today."""
    here = force[:, :, c.actor] * c.places[None, :]
    moved = here * c.share if np.isnan(c.fighters) else np.minimum(here, c.fighters)
    return np.asarray(np.where(live[:, None], moved, 0.0))


def apply(s: State, world: World, day: int) -> State:
    """The state with the changes of forces of ``day`` made, in the runs still going."""
    todays = [c for c in world.changes if c.day == day]
    if not todays:
        return s
    force, control = s.force.copy(), s.control.copy()
    rows = np.arange(control.shape[0])
    for c in todays:
        if c.kind == ARRIVE:
            at = _landing(control, c.actor, int(np.flatnonzero(c.places)[0]), world)
            ok = (at >= 0) & s.active
            force[rows[ok], at[ok], c.actor] += c.fighters
            continue
        moved = _going(force, c, s.active)
        force[:, :, c.actor] -= moved
        if c.kind == DEFECT:
            force[:, :, c.to] += moved
            # a garrison that goes over in the majority takes its place with it
            turned = (control == c.actor) & (moved > force[:, :, c.actor]) & (moved > 0)
            control = np.where(turned, c.to, control)
    return _settle(s, force, control, world)


def _settle(s: State, force: F64, control: I64, world: World) -> State:
    """Fighters left on ground their side no longer holds go home (or surrender); a place
    that changed hands starts afresh (all its districts, no assault going on)."""
    from ..engine import districts_of  # here: the engine and movement import compile,
    from .movement import rehome  # which imports this module

    force, surrendered = rehome(force, control, world)
    new = control != s.control
    full = districts_of(world, world.params_on(s.day))[None, :]
    return replace(s, force=force, control=control, mil_dead=s.mil_dead + surrendered,
                   districts=np.where(new, full, s.districts),
                   engaged_start=np.where(new, 0.0, s.engaged_start),
                   att_lost=np.where(new, 0.0, s.att_lost), def_lost=np.where(new, 0.0, s.def_lost),
                   def_break=np.where(new, 0.0, s.def_break),
                   att_break=np.where(new, 0.0, s.att_break))
