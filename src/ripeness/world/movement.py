"""Movement of forces: redeployment toward pressure, withdrawal, and no orphans.

Each day a share ``move_rate`` of an actor's fighters at a place it holds (beyond the reserve
``hold_ratio`` keeps against hostile fighters next to it, no fewer than on day 0 while the
place still faces an enemy: :func:`front_floor`; and beyond its local defence, ``local_share``
of its day-0 garrison while its day-0 holder holds it: :func:`local_floor`) moves one link,
through its own ground, to the neighbouring own place under the most pressure when that exceeds
the pressure where they stand. Pressure at own place u for actor a is

    log((hostile fighters next to u + 1) / (a's fighters at u + 1))
    + move_value_weight * best (value + pull of pockets and objectives) of an enemy place
      next to u

so forces drain from quiet rear areas to threatened fronts and toward valued targets (Assad's
forces turn to the next front once one is safe). With ``move_reach`` k > 1 a place looks
further than its neighbours: each own neighbour is rated by the best pressure within k - 1
more links of own ground, less ``move_link_cost`` per link, so a force on a front that has
gone quiet heads for a distant one, one link a day. An actor with a main effort
(``focus_reach`` k > 0, see :mod:`.operations`) moves instead, from every own place within k
links (over own ground) of its places on or next to the main axis, the same share of the
spare fighters one link along the shortest way toward it: an offensive is fed from the rear
and the quiet fronts, each keeping its reserve. Fighters left on ground their actor no longer
holds (a lost place) go to the own neighbour with most own fighters, or surrender; those of
a place that fell cut off from supply may instead leave under a negotiated departure for their
side's nearest supplied ground (:func:`evacuate`, ``evacuation``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .compile import Params, World

__all__ = ["day0_threat", "evacuate", "front_floor", "local_floor", "move", "reach", "rear_floor",
           "rehome"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _pad(x: NDArray[np.generic], fill: float) -> NDArray[np.generic]:
    return np.concatenate([x, np.full((x.shape[0], 1), fill, dtype=x.dtype)], axis=1)


def _send(amount: F64, dest: I64, world: World) -> F64:
    """float[run, place]: what arrives at each place when place p sends amount[p] to dest[p]."""
    n_p = amount.shape[1]
    nb = world.nbr  # [P, D]; the receivers gather from their own neighbours (no scatter)
    amt = _pad(amount, 0.0)[:, nb]
    to = _pad(dest, -1)[:, nb]
    return np.asarray((amt * (to == np.arange(n_p)[None, :, None])).sum(axis=2))


def _best_neighbour(key: F64, allowed: NDArray[np.bool_], world: World) -> tuple[I64, F64]:
    """Per place: the allowed neighbour with the largest key (ties by place index)."""
    k = np.where(_pad(allowed, False)[:, world.nbr], _pad(key, -np.inf)[:, world.nbr], -np.inf)
    d = np.argmax(k, axis=2)
    best = np.take_along_axis(k, d[:, :, None], axis=2)[:, :, 0]
    return world.nbr[np.arange(key.shape[1])[None, :], d], best


def rehome(force: F64, control: I64, world: World) -> tuple[F64, F64]:
    """Fighters on ground their actor does not hold move to the own neighbour with most own
    fighters, or surrender. Returns (force, surrendered float[run, actor])."""
    out = force.copy()
    lost = np.zeros((force.shape[0], force.shape[2]))
    for a in range(force.shape[2]):
        own = control == a
        orphan = np.where(own, 0.0, force[:, :, a])
        if not orphan.any():
            continue
        dest, best = _best_neighbour(force[:, :, a], own, world)
        can = np.isfinite(best)
        arrive = _send(np.where(can, orphan, 0.0), dest, world)
        lost[:, a] = np.where(can, 0.0, orphan).sum(axis=1)
        out[:, :, a] = np.where(own, force[:, :, a] + arrive, 0.0)
    return out, lost


def evacuate(force: F64, control: I64, cut: I64, base: I64, world: World,
             share: float) -> tuple[F64, F64, I64]:
    """A negotiated departure: fighters left on a place their actor held cut off from supply
    (``cut``: int[run, place], the actor that held it this morning cut off, -1: none) and no
    longer holds, with no own neighbour to fall back on, leave for the actor's nearest place
    (in links, over any ground) of its supplied ground this morning that it still holds
    (``base``: int[run, place], the actor each place was supplied ground of, -1: none);
    ``share`` of them go, the rest stay for :func:`rehome` (surrender). Ties go to the lower
    place index.
    Returns (force, evacuated float[run, place]: the fighters that left each place, refuge
    int[run, place]: where they went, -1 where none did)."""
    out = force.copy()
    n_r, n_p = control.shape
    evacuated = np.zeros((n_r, n_p))
    refuge = np.full((n_r, n_p), -1, dtype=np.int64)
    if share <= 0.0:
        return out, evacuated, refuge
    for a in range(force.shape[2]):  # over actors; the runs and places are arrays
        own = control == a
        alone = ~_pad(own, False)[:, world.nbr].any(axis=2)
        rr, vv = np.nonzero(~own & alone & (cut == a) & (force[:, :, a] > 0))
        if not len(rr):
            continue
        dist = np.where((base[rr] == a) & own[rr], world.hops[vv], np.inf)  # [N, P], N small
        to = np.argmin(dist, axis=1)
        ok = np.isfinite(dist[np.arange(len(rr)), to])
        rr, vv, to = rr[ok], vv[ok], to[ok]
        going = share * out[rr, vv, a]
        out[rr, vv, a] -= going
        np.add.at(out, (rr, to, np.full(len(rr), a)), going)
        evacuated[rr, vv] += going
        refuge[rr, vv] = to
    return out, evacuated, refuge


def reach(pressure: F64, own: NDArray[np.bool_], world: World, steps: int,
          cost: float) -> F64:
    """float[run, place]: the best pressure within ``steps`` links of own ground, less
    ``cost`` per link (-inf off own ground)."""
    field = np.where(own, pressure, -np.inf)
    for _ in range(steps):  # over link distance, not over places or runs
        nb = _pad(field, -np.inf)[:, world.nbr].max(axis=2)
        new = np.where(own, np.maximum(field, nb - cost), -np.inf)
        if np.array_equal(new, field):
            break
        field = new
    return field


def _day0_garrison(world: World) -> F64:
    """float[place]: the day-0 holder's fighters at each place, as the scenario deployed them."""
    c0 = world.control0
    return np.asarray(world.force0[np.arange(len(c0)), c0])


def day0_threat(world: World) -> F64:
    """float[place]: the hostile fighters next to each place on day 0 (hostile to its day-0
    holder), as the scenario deployed them."""
    c0 = world.control0
    f0 = _day0_garrison(world)
    hostile = world.hostile[c0[:, None], _pad(c0[None, :], 0)[0][world.nbr]]
    return np.asarray((_pad(f0[None, :], 0.0)[0][world.nbr] * hostile).sum(axis=1))


def front_floor(threat: F64, control: I64, world: World) -> F64:
    """float[run, place]: the threat a front keeps its reserve against (force to space): the
    hostile fighters next to it now, but no fewer than on day 0 while it still faces an enemy
    and has its day-0 holder. A front's garrison is set by the ground it holds: it does not
    thin because the enemy opposite has thinned, since that enemy can come back faster than
    the garrison could (7.3)."""
    keep = (control == world.control0[None, :]) & (threat > 0)
    return np.asarray(np.where(keep, np.maximum(threat, day0_threat(world)[None, :]), threat))


def rear_floor(control: I64, world: World) -> F64:
    """float[run, place]: the garrison a quiet place keeps when it sends its fighters to a
    distant main effort: its day-0 garrison if it held no front on day 0 (a rear garrison
    the scenario put there) and still has its day-0 holder; 0 for a front gone quiet."""
    floor = np.where(day0_threat(world) > 0, 0.0, _day0_garrison(world))
    return np.asarray(np.where(control == world.control0[None, :], floor[None, :], 0.0))


def local_floor(control: I64, world: World, p: Params) -> F64:
    """float[run, place]: the local defence a place keeps whatever the fronts ask:
    ``local_share`` of its holder times its day-0 garrison, while its day-0 holder holds it;
    0 on ground that changed hands. Village and neighbourhood militias fight where they live,
    and in the place's assaults on its neighbours, but are not sent to other fronts (7.7)."""
    share = p.by_actor("local_share")[control]
    return np.asarray(np.where(control == world.control0[None, :],
                               share * _day0_garrison(world)[None, :], 0.0))


def move(force: F64, control: I64, pull: F64, world: World, p: Params,
         axis: NDArray[np.bool_] | None = None) -> F64:
    """One day of redeployment along own ground toward higher pressure, or toward the main
    effort's axis (``axis``: bool[run, actor, place], :attr:`.operations.Plan.axis`)."""
    out = force.copy()
    n_r, n_p = control.shape
    defender = force[np.arange(n_r)[:, None], np.arange(n_p)[None, :], control]
    rate = p.num("move_rate")
    reach_f = p.by_actor("focus_reach")
    local = local_floor(control, world, p)
    # A quiet place beyond the feed's reach keeps its rear garrison or its local defence.
    rear = np.maximum(rear_floor(control, world), local)
    for a in np.flatnonzero(world.belligerent):
        own = control == a
        hostile = world.hostile[a][control]
        hf = np.where(hostile, defender, 0.0)
        threat = _pad(hf, 0.0)[:, world.nbr].sum(axis=2)
        target = np.where(hostile, world.obj_norm[a][None, :] + pull[:, a, :], 0.0)
        prize = _pad(target, 0.0)[:, world.nbr].max(axis=2)
        pressure = (np.log((threat + 1.0) / (force[:, :, a] + 1.0))
                    + p.num("move_value_weight") * prize)
        far = reach(pressure, own, world, int(p.num("move_reach")) - 1, p.num("move_link_cost"))
        dest, best = _best_neighbour(far, own, world)
        go = own & (best > pressure)
        kept = np.maximum(p.by_actor("hold_ratio")[a] * front_floor(threat, control, world),
                          local)
        spare = np.maximum(force[:, :, a] - kept, 0.0)
        if axis is not None and reach_f[a] > 0:
            on = axis[:, a, :]
            # The base is the start line: own places on the axis or next to the enemy ground
            # on it, not every own place next to own axis ground, which would keep the
            # pressure rule and pass the feed to another front one link short of the axis.
            ahead = on & ~own
            base = own & (on | _pad(ahead, False)[:, world.nbr].any(axis=2))
            near = reach(np.where(base, 0.0, -np.inf), own, world, n_p, 1.0)
            f_dest, f_best = _best_neighbour(near, own, world)
            toward = own & np.isfinite(near) & ~base & (f_best > near)
            feed = toward & (near >= -reach_f[a])
            # A quiet place beyond the feed's reach releases what it holds beyond its floor
            # to the main effort, however far: a front that has gone quiet sends its troops
            # to the next (7.7).
            free = toward & ~feed & (threat == 0)
            spare = np.where(free, np.maximum(force[:, :, a] - rear, 0.0), spare)
            dest = np.where(feed | free, f_dest, dest)
            go = go | feed | free
        leaving = np.where(go, rate * spare, 0.0)
        out[:, :, a] = force[:, :, a] - leaving + _send(leaving, dest, world)
    return out
