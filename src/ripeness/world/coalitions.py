"""Coalitions: allies whose supply passes through each other's ground.

Without coalitions an actor's supply reaches a place only through its own ground (7.1). In a
coalition each member's supply also passes through its partners' ground, from its own open
sources, or from any member's with ``shared_sources``: two allied armies relieve each other's
pockets, while each keeps its own forces, seat at the table and aims. Bitsets as in
:mod:`.supply`; the loops run over the few pairs of allies, never over runs or places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from ..scenario.schema import Scenario
    from .compile import World

__all__ = ["allies", "ground", "sources"]

U64 = NDArray[np.uint64]
B = NDArray[np.bool_]


def allies(s: Scenario) -> tuple[B, B]:
    """(ally, pool), bool[actor, actor] each, the diagonal set: ally[a, b], a's supply passes
    through b's ground; pool[a, b], a draws on b's open sources."""
    ids = s.ids()
    ally = np.eye(len(ids), dtype=bool)
    pool = ally.copy()
    for c in s.coalitions:
        idx = [ids.index(m) for m in c.members]
        ally[np.ix_(idx, idx)] = True
        if c.shared_sources:
            pool[np.ix_(idx, idx)] = True
    return ally, pool


def _widen(bits: U64, rel: B, axis: int) -> U64:
    """bits with, for each actor a, the sets of the actors b with rel[a, b] or-ed in (along
    the actor ``axis``)."""
    out = bits.copy()
    for a, b in zip(*np.nonzero(rel & ~np.eye(len(rel), dtype=bool)), strict=True):
        take = np.take(bits, [b], axis=axis)
        sl = [slice(None)] * bits.ndim
        sl[axis] = slice(int(a), int(a) + 1)
        out[tuple(sl)] |= take
    return out


def ground(own: U64, world: World) -> U64:
    """uint64[run, actor, W]: the ground an actor's supply passes through: its own and its
    allies' (``own`` itself without coalitions)."""
    return own if world.ally.sum() == len(world.ally) else _widen(own, world.ally, 1)


def sources(src: U64, world: World) -> U64:
    """uint64[actor, W]: the open sources each actor draws on: its own and, with shared
    sources, its partners' (``src`` itself otherwise)."""
    return src if world.pool.sum() == len(world.pool) else _widen(src, world.pool, 0)
