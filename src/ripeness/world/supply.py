"""Supply: which places connect, through an actor's own ground (and its allies', see
:mod:`.coalitions`), to one of its open sources.

Place sets are bitsets (uint64 words, bit p = place p) so that thousands of runs, and for the
cut analysis every place of every run, are searched at once. One breadth-first step expands a
set by per-byte look-up tables: ``table[word, byte, value]`` is the neighbour set of the places
whose bits are set in that byte. The search stops when no instance changes (at most P steps).

What depends only on who controls what (supply, the places a loss would strand, corridors,
the pull of besieged places and of objectives beyond the front) is recomputed only for runs
whose map changed that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from . import coalitions

if TYPE_CHECKING:
    from .compile import Params, World

__all__ = [
    "Structure",
    "bitset_table",
    "expand",
    "hops_from",
    "pack",
    "reach",
    "siege_break",
    "stocks",
    "structure",
    "unpack",
]

U64 = NDArray[np.uint64]
B = NDArray[np.bool_]


def pack(mask: B) -> U64:
    """bool[..., P] -> uint64[..., W], bit p of the set = mask[..., p]."""
    n = mask.shape[-1]
    w = (n + 63) // 64
    byts = np.packbits(mask, axis=-1, bitorder="little")
    pad = np.zeros((*mask.shape[:-1], w * 8), dtype=np.uint8)
    pad[..., : byts.shape[-1]] = byts
    return pad.view("<u8").astype(np.uint64, copy=False)


def unpack(bits: U64, n: int) -> B:
    """uint64[..., W] -> bool[..., P] (P = n)."""
    byts = np.ascontiguousarray(bits).astype("<u8", copy=False).view(np.uint8)
    return np.unpackbits(byts, axis=-1, count=n, bitorder="little").view(np.bool_)


def bitset_table(adj: B) -> U64:
    """uint64[word, byte, 256, word]: the neighbour set of each byte's set of places."""
    n = adj.shape[0]
    w = (n + 63) // 64
    nb = pack(adj)  # [P, W]: neighbour set of each place
    table = np.zeros((w, 8, 256, w), dtype=np.uint64)
    values = np.arange(256)
    for word in range(w):
        for byte in range(8):
            for bit in range(8):
                p = word * 64 + byte * 8 + bit
                if p < n:
                    on = (values >> bit) & 1 == 1
                    table[word, byte, on] |= nb[p]
    return table


def expand(bits: U64, table: U64, n: int) -> U64:
    """uint64[..., W]: the neighbours of each set (bytes beyond place n - 1 are skipped)."""
    byts = np.ascontiguousarray(bits).view(np.uint8)
    out = np.zeros_like(bits)
    for j in range((n + 7) // 8):
        out |= table[j // 8, j % 8][byts[..., j]]
    return out


def reach(own: U64, seeds: U64, table: U64, n: int) -> U64:
    """uint64[..., W]: places of ``own`` connected through ``own`` to ``seeds & own``."""
    r = seeds & own
    for _ in range(n):
        nxt = (r | expand(r, table, n)) & own
        if np.array_equal(nxt, r):
            break
        r = nxt
    return r


@dataclass(frozen=True)
class Structure:
    """What follows from control alone, for a batch of runs.

    supplied: bool[run, place], the controller of the place reaches one of its open sources
    through its own ground. lost: float32[run, place v, place p], 1 where losing v would cut
    p off from its controller's supply (p supplied now, stranded without v). corridor: bool[run,
    corridor], the corridor's actor holds a path from its start to its end. pull:
    float64[run, actor, place], what draws the actor's offensives along the roads: the pull of
    its own besieged places (``relief_weight`` times :func:`_relief`, strongest on the
    shortest ways out of the pockets) and of its objectives beyond its front
    (``objective_pull`` times :func:`_aims`, strongest on the shortest ways to them), in the
    units of a place's normalised value (docs/model.md 7.1). fed: bool[run, place], the same
    search as ``supplied`` from the sources that carry food (``supplied`` itself when every
    source carries all): its civilians are not besieged.
    """

    supplied: B
    lost: NDArray[np.float32]
    corridor: B
    pull: NDArray[np.float64]
    fed: B


def _own_bits(control: NDArray[np.int64], n_actors: int) -> U64:
    """uint64[run, actor, W]: each actor's territory."""
    return pack(control[:, None, :] == np.arange(n_actors)[None, :, None])


def _supplied(own: U64, src: U64, control: NDArray[np.int64], world: World) -> tuple[U64, B]:
    n = len(world.place_ids)
    sup = reach(own, src[None], world.table, n)  # [R, A, W]
    per_actor = unpack(sup, n)  # [R, A, P]
    r = np.arange(control.shape[0])[:, None]
    held = per_actor[r, control, np.arange(n)[None, :]]
    # Ground held by an actor that does not fight (a neighbour state, a backer) is never
    # besieged: nobody cuts it off.
    return sup, held | ~world.belligerent[control]


def _lost(own: U64, src: U64, sup: U64, control: NDArray[np.int64],
          world: World, held: U64 | None = None) -> NDArray[np.float32]:
    """float32[run, v, p]: p loses supply if its controller loses v (all v at once)."""
    n, rr = len(world.place_ids), np.arange(control.shape[0])[:, None]
    single = pack(np.eye(n, dtype=bool))  # [P, W]
    terr = own[rr, control] & ~single[None]  # [R, P(v), W]: controller's ground minus v
    after = reach(terr, src[control], world.table, n)
    stranded = sup[rr, control] & ~after & ~single[None]
    if held is not None:  # with allies: only the controller's own places count as cut off
        stranded &= held[rr, control]
    return unpack(stranded, n).astype(np.float32)


def _corridors(own: U64, world: World) -> B:
    n, c = len(world.place_ids), len(world.corridor_ids)
    if c == 0:
        return np.zeros((own.shape[0], 0), dtype=bool)
    single = pack(np.eye(n, dtype=bool))
    terr = own[:, world.corridor_actor]  # [R, C, W]
    got = unpack(reach(terr, single[world.corridor_from][None], world.table, n), n)
    return got[:, np.arange(c), world.corridor_to]


def hops_from(seeds: U64, world: World) -> NDArray[np.float64]:
    """float[run, place]: links from each place to the nearest place of ``seeds`` (any
    ground; inf when none), by breadth-first layers on the bitsets."""
    n = len(world.place_ids)
    dist = np.where(unpack(seeds, n), 0.0, np.inf)
    reached = seeds
    for i in range(1, n + 1):
        nxt = reached | expand(reached, world.table, n)
        new = unpack(nxt & ~reached, n)
        if not new.any():
            break
        dist[new] = i
        reached = nxt
    return dist


def _along_roads(dist: NDArray[np.float64], cols: NDArray[np.intp], per: NDArray[np.float64],
                 decay: float, world: World) -> NDArray[np.float64]:
    """float[run, place]: the sum over the places b = ``cols`` of per[:, b] x
    decay^(detour(v, b)). ``dist``: float[run, place], the
    links from the actor's supplied ground; the detour hops(v, b) + dist(v) - dist(b) is 0 on a
    shortest way between that ground and b and grows by whole links off it (no way at all:
    nothing)."""
    n_p = dist.shape[1]
    powers = decay ** np.arange(2 * n_p + 2, dtype=np.float64)  # detours are whole links
    with np.errstate(invalid="ignore"):  # inf - inf: no way at all
        detour = world.hops[None, :, cols] + dist[:, :, None] - dist[:, None, cols]
    ok = np.isfinite(detour)
    k = np.where(ok, powers[np.clip(np.where(ok, detour, 0), 0, 2 * n_p + 1).astype(int)], 0.0)
    return np.asarray((k * per[:, None, :]).sum(2))


def _relief(control: NDArray[np.int64], supplied: B, world: World,
            decay: float) -> NDArray[np.float64]:
    """float[run, actor, place]: the pull of each actor's own besieged places on each place.

    For pocket b and place v: obj_norm[b] / steps(b) x decay^(detour), where detour = hops(v,
    b) + hops(v, the actor's supplied ground) - hops(b, the actor's supplied ground) is 0 on a
    shortest way out of the pocket and grows off it, and steps(b) = hops(b, the actor's
    supplied ground) - 1 (at least 1) the places a relief column has to take on the way: each
    capture on the road earns its share of the relief, as each district of a town earns its
    share of the town; summed over the actor's pockets.
    """
    n_r, n_p = control.shape
    out = np.zeros((n_r, len(world.actor_ids), n_p))
    for a in np.flatnonzero(world.belligerent):
        pocket = (control == a) & ~supplied
        rows = np.flatnonzero(pocket.any(axis=1))  # only runs where a has a pocket
        if len(rows) == 0:
            continue
        pocket = pocket[rows]
        dist = hops_from(pack((control[rows] == a) & supplied[rows]), world)  # [r, P]
        cols = np.flatnonzero(pocket.any(axis=0))  # only places that are a pocket somewhere
        steps = np.maximum(dist[:, cols] - 1.0, 1.0)  # inf where no way out: no pull
        per = np.where(pocket[:, cols], world.obj_norm[a][cols] / steps, 0.0)
        out[rows, a, :] = _along_roads(dist, cols, per, decay, world)
    return out


def _aims(control: NDArray[np.int64], supplied: B, world: World,
          decay: float) -> NDArray[np.float64]:
    """float[run, actor, place]: the pull of each belligerent's objectives beyond its front on
    each place.

    For a place b of the actor's objective (its own weight, aim_norm[b] > 0) held by an enemy
    and at least 2 links from the actor's supplied ground, and place v: aim_norm[b] / dist(b) x
    decay^(detour), the detour as in :func:`_relief`, dist(b) the captures on the way there, b
    included: an offensive toward an objective it cannot yet reach earns each capture on the
    road its share, as a relief does. An objective next to the actor's supplied ground is a
    target itself (its own weight is in the target score) and pulls nothing here.
    """
    n_r, n_p = control.shape
    out = np.zeros((n_r, len(world.actor_ids), n_p))
    for a in np.flatnonzero(world.belligerent):
        cols = np.flatnonzero(world.aim_norm[a] > 0)
        if len(cols) == 0:
            continue
        dist = hops_from(pack((control == a) & supplied), world)  # [R, P]
        far = (world.hostile[a][control[:, cols]] & (dist[:, cols] >= 2)
               & np.isfinite(dist[:, cols]))
        per = np.where(far, world.aim_norm[a][cols] / np.where(far, dist[:, cols], 1.0), 0.0)
        out[:, a, :] = _along_roads(dist, cols, per, decay, world)
    return out


def _pull(control: NDArray[np.int64], supplied: B, world: World,
          params: Params) -> NDArray[np.float64]:
    """float[run, actor, place]: ``relief_weight`` x :func:`_relief` + ``objective_pull`` x
    :func:`_aims` (the latter not computed at 0, the registry's default)."""
    decay = params.num("relief_decay")
    pull = params.num("relief_weight") * _relief(control, supplied, world, decay)
    w_o = params.num("objective_pull")
    return pull + w_o * _aims(control, supplied, world, decay) if w_o else pull


def structure(control: NDArray[np.int64], params: Params, world: World) -> Structure:
    """Supply, cut sets, corridors and the pull of pockets and objectives for the runs in
    ``control`` [run, place]."""
    n_a = len(world.actor_ids)
    held = _own_bits(control, n_a)
    own = coalitions.ground(held, world)  # with allies, their ground carries supply too
    src = coalitions.sources(pack(params.source.T), world)  # [A, W]
    sup, supplied = _supplied(own, src, control, world)
    return Structure(
        supplied=supplied,
        lost=_lost(own, src, sup, control, world, None if own is held else held),
        corridor=_corridors(own, world),
        pull=_pull(control, supplied, world, params),
        fed=_supplied(own, coalitions.sources(pack(params.food.T), world), control,
                      world)[1] if world.split_supply else supplied,
    )


def stocks(supplied: B, besieged_days: NDArray[np.int64] | None, params: Params
           ) -> NDArray[np.float64]:
    """float[run, place]: what is left of a garrison's stocks, 1 when supplied. Cut off for
    t days, U + (1 - U) exp(-t / T) with U = ``unsupplied_fire`` (what a pocket fights with
    on local production and smuggling alone) and T = ``siege_stock_days``: a siege starves
    slowly. ``besieged_days`` None counts every cut-off place as long besieged (U)."""
    u = params.num("unsupplied_fire")
    if besieged_days is None:
        return np.where(supplied, 1.0, u)
    left = np.exp(-besieged_days / params.num("siege_stock_days"))
    return np.asarray(np.where(supplied, 1.0, u + (1.0 - u) * left), dtype=np.float64)


def siege_break(brk: NDArray[np.float64], stock: NDArray[np.float64], params: Params
                ) -> NDArray[np.float64]:
    """The breakpoint of a besieged garrison (no way out): ``brk`` times its stocks (what it
    fights with, :func:`stocks`) over the share of them spent, at most 1. With its stocks
    whole it fights to the last; as they run out its will goes with them, and starved (its
    stocks at U) it breaks at U times a supplied garrison's loss: a siege first hardens a
    garrison, then breaks it (docs/model.md 7.5)."""
    u = params.num("unsupplied_fire")
    spent = (1.0 - stock) / max(1.0 - u, 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.minimum(brk * stock / np.maximum(spent, 1e-12), 1.0)
    return np.asarray(out, dtype=np.float64)
