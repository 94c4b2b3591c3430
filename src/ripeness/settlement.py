"""A settlement as a line on the map: the terms of a deal redraw who holds what.

With ``talks.terms = "map"`` a deal does not only fix shares: on the day it is struck, the
places of the territorial issues it grants go to their demanders, then places change hands
across the line of contact until each party holds, of the rest of the stake, its settled
share as nearly as whole places allow. Each step moves one place, in every run at once, from
the party holding most beyond its share to the party furthest short of it: the place whose
weight brings the two closest to their terms (their summed distance from them), on the line
of contact (next to the gainer's
ground) if one there will do, elsewhere otherwise (none if no place would bring them closer).
The places given up are left by their garrisons: they withdraw to their side's ground next
to them, or, with none, leave the map under the agreement. With ``terms = "shares"`` (the
default) nothing here runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .world import supply
from .world.movement import rehome

if TYPE_CHECKING:
    from .engine import State
    from .scenario.schema import Scenario
    from .talks import TalksSpec, TalksState
    from .world.compile import Params, World

__all__ = ["Terms", "compile_terms", "redraw"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Terms:
    """How settlements redraw the map. basis: the stake's weights ("value", "population",
    "area"); issue_places: bool[issue, place], each issue's territorial target."""

    basis: str
    issue_places: B


def compile_terms(s: Scenario) -> Terms | None:
    """None unless the talks' terms are a map."""
    if s.talks is None or s.talks.terms != "map":
        return None
    places = [p.id for p in s.places]
    at = np.zeros((len(s.issues), len(places)), dtype=bool)
    for i, iss in enumerate(s.issues):
        at[i, [places.index(p) for p in iss.places]] = True
    return Terms(basis=s.stake.basis, issue_places=at)


def _weights(war: State, world: World, basis: str) -> F64:
    w = {"value": world.value, "area": world.area}.get(basis)
    return np.broadcast_to(war.civilians if w is None else w, war.control.shape).astype(float)


def _granted(control: I64, spec: TalksSpec, terms: Terms, granted: B, now: B) -> tuple[I64, B]:
    """The places of the granted territorial issues go to their demanders (those held by a
    party); returns (control, locked bool[run, place]: no longer in play)."""
    out, locked = control.copy(), np.zeros(control.shape, dtype=bool)
    held = np.isin(control, spec.party)
    for i in np.flatnonzero(terms.issue_places.any(axis=1) & (spec.issue_demander >= 0)):
        give = (granted[:, i] & now)[:, None] & terms.issue_places[i][None, :] & held
        out = np.where(give, spec.party[spec.issue_demander[i]], out)
        locked |= give
    return out, locked


def _step(control: I64, w: F64, target: F64, free: B, spec: TalksSpec, world: World) -> I64:
    """One place moves, in each run where one brings its two parties closer to their terms."""
    n_r = control.shape[0]
    rows = np.arange(n_r)
    own = control[:, None, :] == spec.party[None, :, None]  # [run, K, place]
    held = (own & free[:, None, :]) @ w[:, :, None]  # [run, K, 1]: weight in play held
    gap = target - held[:, :, 0]  # > 0: short of its terms
    g, lose = np.argmax(gap, axis=1), np.argmin(gap, axis=1)
    near = (own[rows, g].astype(np.int32) @ world.adj.astype(np.int32)) > 0  # next to g
    cand = own[rows, lose] & free
    short, over = gap[rows, g][:, None], -gap[rows, lose][:, None]
    # how far the two would be from their terms after the move (now: short + over)
    miss = np.where(cand, np.abs(short - w) + np.abs(over - w), np.inf)
    now = (short + over)[:, 0]
    # a place on the line of contact if one will do; elsewhere (an exclave) if none will
    closer = np.where(near, miss, np.inf)
    use_near = (closer.min(axis=1) < now)[:, None]
    best = np.argmin(np.where(use_near, closer, miss), axis=1)
    ok = (miss[rows, best] < now - 1e-12) & (g != lose)  # strictly closer
    out = control.copy()
    out[rows[ok], best[ok]] = spec.party[g[ok]]
    return out


def redraw(war: State, before: TalksState, after: TalksState, spec: TalksSpec,
           terms: Terms | None, world: World, p: Params) -> tuple[State, B]:
    """The war with the map of today's new settlements drawn by their terms, and bool[run,
    place]: the places that changed hands by them."""
    now = after.settled & ~before.settled  # runs that had ended keep their talks state
    nothing = np.zeros(war.control.shape, dtype=bool)
    if terms is None or not now.any():
        return war, nothing
    control, locked = _granted(war.control, spec, terms, after.granted, now)
    w = _weights(war, world, terms.basis)
    free = np.isin(control, spec.party) & ~locked & now[:, None]
    total = (free * w).sum(axis=1, keepdims=True)
    target = np.nan_to_num(after.terms) * total  # [run, K]
    for _ in range(control.shape[1]):  # each step moves at most one place per run
        nxt = _step(control, w, target, free, spec, world)
        if np.array_equal(nxt, control):
            break
        control = nxt
    force, _ = rehome(war.force, control, world)  # with no ground of theirs next to them,
    ceded = control != war.control  # they leave under the agreement: not dead
    war = replace(war, control=control, force=force)
    idx = np.flatnonzero(ceded.any(axis=1))
    st = supply.structure(control[idx], p, world)
    fields = {k: getattr(war, k).copy() for k in ("supplied", "lost", "corridor", "pull",
                                                  "fed")}
    for k, arr in fields.items():
        arr[idx] = getattr(st, k)
    return replace(war, **fields, struct_control=control), ceded
