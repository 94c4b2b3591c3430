"""Operations: where each belligerent attacks today, by a transparent score.

For actor a, a candidate target is a place held by an enemy (not under ceasefire with a, nor
covered by a local truce between them, :mod:`.truces`) next to a place where a holds ground
and has fighters (not under such a truce). Its score is

    ratio_weight * log(expected local force ratio)
    + value_weight * (value of the place to a, normalised + the pull on it: relief_weight x
                      the relief of a's pockets + objective_pull x a's objectives beyond
                      its front, :class:`.supply.Structure`)
    + cut_weight * (enemy force its capture would cut off from supply / enemy's total force)

The expected ratio is a's committed force x fire x expected air factor over the defender's force
x fire x terrain and fortification factors (x what is left of its stocks when the defender is
cut off, :func:`.supply.stocks`).
Each place of a picks one axis, its best-scoring neighbouring target, or a's main effort if
it lies next to the place and is a valid target from there (unity of effort); a target's
committed force is what the places that picked it send: ``commit_fraction`` of their
fighters beyond a reserve (``hold_ratio`` x the hostile fighters next to them, no fewer than
on day 0 while the place still faces an enemy: the front's floor,
:func:`.movement.front_floor`). A place cut off from supply sends fighters only toward the
relief: against a target a link nearer a's supplied ground than itself (:func:`toward`).
Each actor attacks its best ``attacks_per_day`` targets whose ratio exceeds its
``attack_threshold`` and whose score is positive; a place is attacked by one actor a day
(the best score, ties by actor index).

Main effort (an actor with ``focus_threshold`` > 1 or ``focus_reach`` > 0): each day the actor
names one enemy place on its front as its main effort: the most valuable (its value to the
actor, plus its weight in the actor's objective normalised by the largest, plus the pull
of its pockets and of its objectives beyond the front) among those it could take with the
free fighters that reach it within ``focus_mass_reach`` links, all but the last over its own
ground (the roads movement uses), massed there (a place next to the target keeps no reserve
against the garrison it would attack, as on the day of the assault), weighed by what the
place will take: its prize times P / (P + days), P = ``focus_patience`` and days the time
the massed force would need by the fitted combat law (:mod:`.campaign`), so a city or a fresh
siege waits while quicker prizes are to be had. The ratio term of that score is capped at
``focus_threshold`` x the attack threshold, so that among targets it can win by that margin
value decides. A target whose massed ratio does not pass the attack threshold cannot be the
main effort; with none, the actor names no main effort and stands on the defensive (no axis,
no feed from the rear).
Defence first: nor can a target whose prize is below ``focus_guard`` x the value of the most
valued place of the actor's that an enemy assaulted yesterday (:func:`stakes`).
Yesterday's choice gets ``focus_persist`` added, or taken away once it has been kept
``focus_patience`` days: an axis that has not fallen by then gives way to the next best.
Exploitation: when the actor has taken yesterday's main effort and it was one position (a
village, not a town fought for district by district), its neighbours get ``focus_persist``
as yesterday's choice would and are on today's axis (:func:`opened_by`).
The *axis* is that place, its neighbours, the road to it and the ground a breakthrough
opened. Off the axis an attack needs ``focus_threshold`` x the attack threshold; on it the
actor expects its backers' whole air effort (not shared over ``attacks_per_day`` targets).
Movement brings fighters toward the axis (:mod:`.movement`). A belligerent with a limited
aim names its main effort among the places of its aim while one is within reach, and attacks
only those places and the road to its main effort: its aim bounds its operations, and once
it is met it attacks no more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import supply
from .campaign import days_to_take
from .compile import Params, World
from .movement import front_floor

__all__ = ["Plan", "aim_met", "air_expected", "axes_of", "axis_of", "beyond_reserve",
           "defence_factor", "focused", "free_force", "links_to", "opened_by", "plan",
           "route_of", "sent_split", "stakes", "threat", "toward"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class Plan:
    """The day's attacks. attacker: int[run, place], -1 where none. score: float[run, place].
    per_target: float[run, place], fighters each origin place sends to each of its targets.
    targets_of: bool[run, place, degree], origin u attacks its neighbour ``world.nbr[u, d]``.
    target: int[run, place], the place origin u attacks (-1: none); at most one.
    effort: int[run, actor], each actor's main effort (P: none); axis: bool[run, actor,
    place], the main effort and its neighbours (all False for an actor without one)."""

    attacker: I64
    score: F64
    per_target: F64
    targets_of: B
    target: I64
    effort: I64
    axis: B


def defence_factor(world: World, p: Params) -> F64:
    """float[place]: divisor of attacker fire (terrain x fortification)."""
    return p.terrain_defence * (1.0 + p.num("fortification_effect") * world.fortification)


def air_expected(aid: F64, world: World, p: Params, shared: bool = True) -> F64:
    """float[run, actor]: the sorties an attacker expects on one of its targets (its
    backers' sorties shared over ``attacks_per_day`` targets, or all on one if not shared)."""
    n_a = len(world.actor_ids)
    s = np.zeros((aid.shape[0], n_a))
    for i, client in enumerate(world.support_client):
        s[:, client] += p.sorties[i] * aid[:, i]
    if shared:
        s = s / np.maximum(p.by_actor("attacks_per_day"), 1.0)[None, :]
    return s


def air_factor(sorties: F64, garrison: F64, p: Params) -> F64:
    """The attacker's effectiveness multiplier from ``sorties`` of close air support on a
    place held by ``garrison`` fighters (arrays broadcast): 1 + q / ``air_sortie_scale``,
    q the sorties per 1,000 defenders, as fitted to CDB90 (7.5)."""
    q = 1000.0 * sorties / np.maximum(garrison, 1.0)
    return np.asarray(1.0 + q / p.num("air_sortie_scale"), dtype=np.float64)


def focused(p: Params) -> B:
    """bool[actor]: actors that name a main effort."""
    return np.asarray((p.by_actor("focus_threshold") > 1.0) | (p.by_actor("focus_reach") > 0))


def axes_of(effort: I64, world: World) -> B:
    """bool[run, actor, place]: each actor's main effort (int[run, actor], P: none) and its
    neighbours."""
    n_p = world.nbr.shape[0]
    at = effort[:, :, None] == np.arange(n_p)
    padded = np.concatenate([at, np.zeros((*at.shape[:2], 1), dtype=bool)], axis=2)
    return np.asarray(at | padded[:, :, world.nbr].any(axis=3))


def axis_of(effort: I64, world: World) -> B:
    """bool[run, place]: the main effort (int[run], P: none) and its neighbours."""
    return axes_of(effort[:, None], world)[:, 0]


def links_to(base: B, world: World) -> F64:
    """float[run, place]: links (over any ground) from each place to the nearest of the
    ``base`` places (bool[run, place]: an actor's supplied ground); inf where there is none."""
    return supply.hops_from(supply.pack(base), world)


def route_of(effort: I64, base: B, world: World, dist: F64 | None = None) -> B:
    """bool[run, place]: the places on a shortest way (in links, over any ground) from the
    ``base`` places (bool[run, place]: the actor's supplied ground) to its main effort
    (int[run], P: none), the effort included: the road an offensive fights along when its
    target does not lie next to its supplied ground. ``dist``: :func:`links_to` of ``base``,
    if the caller has it."""
    n_r, n_p = base.shape
    dist = links_to(base, world) if dist is None else dist
    has = effort < n_p
    e = np.where(has, effort, 0)
    to_e = world.hops[e]  # [R, P]: links from each place to the effort
    d_e = dist[np.arange(n_r), e][:, None]
    with np.errstate(invalid="ignore"):  # inf - inf where nothing connects
        on = np.isfinite(d_e) & (np.abs(to_e + dist - d_e) < 0.5)
    return np.asarray(on & has[:, None])


def toward(base: B, world: World, dist: F64 | None = None) -> B:
    """bool[run, place, degree]: place v lies a link nearer the ``base`` places (bool[run,
    place]: an actor's supplied ground) than its neighbour ``world.nbr[v, d]``, in links over
    any ground: the way out of a pocket, where its garrison may sortie toward the relief.
    ``dist``: :func:`links_to` of ``base``, if the caller has it."""
    dist = links_to(base, world) if dist is None else dist
    return np.asarray(dist[:, :, None] < _gather(dist, world, fill=np.inf))


def opened_by(a: int, prev: I64, control: I64, depth: F64, world: World) -> B:
    """bool[run, place]: the neighbours of actor a's main effort of yesterday (``prev``,
    int[run], P: none) where a has taken it and it was one position (``depth``, the
    districts its holder holds, 1: a village, not a town fought for district by district):
    the ground its breakthrough opened, to be exploited today."""
    n_r, n_p = control.shape
    rows = np.arange(n_r)
    e = np.minimum(prev, n_p - 1)
    took = (prev < n_p) & (control[rows, e] == a) & (depth[rows, e] <= 1)
    return np.asarray(world.adj[e] & took[:, None])


def _gather(x: F64, world: World, fill: float = 0.0) -> F64:
    """x[run, place] -> [run, place, degree] at each place's neighbours (pads -> fill)."""
    padded = np.concatenate([x, np.full((x.shape[0], 1), fill, dtype=x.dtype)], axis=1)
    return padded[:, world.nbr]


def threat(control: I64, defender: F64, world: World) -> F64:
    """float[run, place]: the hostile fighters next to each place (hostile to its holder)."""
    n_r = control.shape[0]
    ctrl_nb = np.concatenate([control, np.zeros((n_r, 1), dtype=np.int64)], axis=1)[:, world.nbr]
    hostile = world.hostile[control[:, :, None], ctrl_nb]
    return np.asarray((_gather(defender, world) * hostile).sum(axis=2))


def beyond_reserve(held: F64, threat_: F64, hold: F64, spared: F64 | float = 0.0) -> F64:
    """Fighters beyond the reserve of ``hold`` per hostile fighter next to them, not counting
    ``spared``: the fighters of the neighbour being attacked (engaged, not a threat)."""
    return np.asarray(np.maximum(held - hold * np.maximum(threat_ - spared, 0.0), 0.0))


def free_force(control: I64, defender: F64, world: World, p: Params,
               spared: F64 | float = 0.0) -> F64:
    """float[run, place]: the holder's fighters beyond its reserve (:func:`beyond_reserve`,
    hold_ratio x the hostile fighters next to it, no fewer than on day 0 while it faces an
    enemy (:func:`.movement.front_floor`), less ``spared``)."""
    return beyond_reserve(defender, front_floor(threat(control, defender, world), control, world),
                          p.by_actor("hold_ratio")[control], spared)


def _score(att: F64, a: int, ctx: dict[str, F64], world: World,
           p: Params) -> tuple[F64, F64]:
    """(score, expected ratio) float[run, place] of actor a for attacking fire power ``att``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf: clipped below
        ratio = np.where(ctx["defence"] > 0, att / ctx["defence"], np.inf)
        log_ratio = np.log(np.clip(ratio, 1e-9, 1e3))
    value = world.obj_norm[a][None, :] + ctx["pull"][:, a, :]
    # One day's assault can win one district: the prize (value, pull, the cut that comes
    # with the place) is shared over the districts the holder still holds.
    score = (p.num("ratio_weight") * log_ratio
             + (p.num("value_weight") * value + p.num("cut_weight") * ctx["cut"])
             / ctx["depth"])
    return score, ratio


def _own_reach(own: B, targets: I64, world: World, k: int) -> B:
    """bool[run, target, place] for the given target places: True where the place is own
    ground from which fighters reach the target within k links, the first k - 1 of them over
    own ground, as movement goes (7.7): the fighters a main effort there could mass. Grown
    from the target's side on place bitsets (:mod:`.supply`)."""
    n_p = own.shape[1]
    mine = supply.pack(own)[:, None, :]  # [R, 1, W]
    seen = supply.pack(world.adj[targets])[None] & mine  # [R, T, W]: own places next to it
    for _ in range(k - 1):  # over link distance, not over places or runs
        seen = (seen | supply.expand(seen, world.table, n_p)) & mine
    return supply.unpack(seen, n_p)


def stakes(control: I64, assailed: I64 | None, world: World) -> F64:
    """float[run, actor]: what each actor stands to lose: the highest value to it (its
    objective and its aim, normalised) of a place it holds that an enemy of it assaulted
    yesterday (``assailed``: yesterday's attacker, int[run, place], -1: none); 0 where none
    was (and everywhere if ``assailed`` is None)."""
    n_a = len(world.actor_ids)
    if assailed is None:
        return np.zeros((control.shape[0], n_a))
    hit = (assailed >= 0) & world.hostile[control, np.maximum(assailed, 0)]  # [R, P]
    own = control[:, None, :] == np.arange(n_a)[None, :, None]  # [R, A, P]
    worth = (world.obj_norm + world.aim_norm)[None, :, :]
    return np.asarray(np.where(own & hit[:, None, :], worth, 0.0).max(axis=2))


def _main_effort(a: int, control: I64, ctx: dict[str, F64], world: World, p: Params,
                 hostile: B, own_nb: B, prev: I64, age: I64, opened: B) -> I64:
    """int[run]: actor a's main effort, P where it has no front or no target it could win
    (see the module doc). ``opened``: bool[run, place], the ground its last success opened
    (:func:`opened_by`), which counts as yesterday's choice."""
    n_p = control.shape[1]
    free = np.where(control == a, ctx["free"] * ctx["supply"], 0.0)
    front = hostile & own_nb.any(axis=2)
    cand = np.flatnonzero(front.any(axis=0))  # targets on a front of a in some run
    near = _own_reach(control == a, cand, world, int(p.num("focus_mass_reach")))
    # A place next to the target keeps no reserve against the garrison it attacks (as on the
    # day of the assault, ``free_nb``): the target's fighters are engaged, not a threat.
    spared = np.where(own_nb, ctx["free_nb"] * _gather(ctx["supply"], world), 0.0)
    extra = (spared - _gather(free, world)).sum(axis=2)
    massed = np.zeros_like(free)
    massed[:, cand] = np.where(near, free[:, None, :], 0.0).sum(axis=2)
    engaged = (massed + extra) * p.by_actor("commit_fraction")[a]
    air = air_factor(ctx["air_all"][:, a, None], ctx["front"], p)
    _, ratio = _score(engaged * p.by_actor("fire_rate")[a] * air, a, ctx, world, p)
    cap = p.by_actor("attack_threshold")[a] * max(float(p.by_actor("focus_threshold")[a]), 1.0)
    prize = (world.obj_norm[a] + world.aim_norm[a])[None, :] + ctx["pull"][:, a, :]
    # What the place will take: a campaign as long as the actor's patience is worth half.
    patience = p.num("focus_patience")
    days = days_to_take(a, engaged, air, control, ctx, p, defence_factor(world, p))
    kept = np.where(age < patience, 1.0, -1.0)[:, None] * (np.arange(n_p) == prev[:, None])
    score = (p.num("ratio_weight") * np.log(np.clip(ratio, 1e-9, cap))
             + p.num("value_weight") * prize * patience / (patience + days)
             + p.num("focus_persist") * (kept + opened))
    # A limited aim: the main effort is a place of it while one is within reach.
    aim = world.aim_hold[a][None, :] & front
    front &= ~aim.any(axis=1, keepdims=True) | aim
    # No main effort where the force it could mass would not pass its attack threshold: an
    # actor without the superiority to attack anywhere stands on the defensive.
    # Defence first: no main effort worth less than the place an enemy is assaulting.
    worth = prize >= p.num("focus_guard") * ctx["stake"][:, a, None]
    score = np.where(front & worth & (ratio > p.by_actor("attack_threshold")[a]), score,
                     -np.inf)
    best = np.argmax(score, axis=1)
    return np.asarray(np.where(np.isfinite(score[np.arange(len(best)), best]), best, n_p),
                      dtype=np.int64)


def _actor_choice(a: int, control: I64, ctx: dict[str, F64], world: World,
                  p: Params, ceasefire: B, prev: I64, age: I64, truce: B | None = None
                  ) -> tuple[F64, I64, I64, B]:
    """Actor a's targets: (score float[run, place], -inf where it does not attack; the target
    each of its places attacks, int[run, place], P for none). Every place first picks its
    best neighbouring target by the score it would have with all of a's fighters around it;
    a target is then kept if the fighters of the places that picked it pass the threshold.
    An origin's fighters free to attack target v are its garrison beyond the reserve kept
    against its hostile neighbours other than v (``ctx['free_nb']``); a place cut off from
    supply sends fighters only against a target next to a's supplied ground (a link-up with
    the relief). An actor with a main effort (returned, int[run], P: none, with its axis,
    bool[run, place]) needs focus_threshold x its threshold off the axis and expects all its
    backers' air on it. A local truce (``truce``, :mod:`.truces`) takes its places out of the
    fight between its parties: not a target, nor an origin against the other party."""
    n_r, n_p = control.shape
    own_nb = _gather((control == a).astype(np.float64), world) > 0
    # A cut-off place attacks only toward the relief: a target a link nearer a's supplied
    # ground than itself (7.3).
    base = (control == a) & ctx["supplied"]
    dist = links_to(base, world)  # for the sorties and the main effort's road
    fed = _gather(ctx["supplied"].astype(np.float64), world) > 0
    may = own_nb & (fed | toward(base, world, dist))
    hostile = world.hostile[a][control] & ~ceasefire[:, a, :][np.arange(n_r)[:, None], control]
    open_nb = own_nb  # own neighbours that may attack the place (not under a truce with it)
    if truce is not None:
        held = truce[:, a, :]  # [place, holder]: under a truce between a and the holder
        hostile &= ~held[np.arange(n_p)[None, :], control]
        pad = np.concatenate([held, np.zeros((1, held.shape[1]), dtype=bool)])
        open_nb = own_nb & ~pad[world.nbr[None, :, :], control[:, :, None]]
        may &= open_nb  # no sortie out of a place under a truce with the target's holder
    own_f = np.where(may, ctx["free_nb"] * _gather(ctx["supply"], world), 0.0)  # [R, P, D]
    thr: F64 | float = p.by_actor("attack_threshold")[a]
    air = air_factor(ctx["air"][:, a, None], ctx["front"], p)
    effort = np.full(n_r, n_p)
    on = np.zeros((n_r, n_p), dtype=bool)
    if ctx["focused"][a]:
        opened = opened_by(a, prev, control, ctx["depth"], world)
        effort = _main_effort(a, control, ctx, world, p, hostile, open_nb, prev, age, opened)
        road = route_of(effort, base, world, dist)
        on = axis_of(effort, world) | road | opened
        thr = np.where(on, thr, thr * p.by_actor("focus_threshold")[a])
        if world.aim_hold[a].any():  # a limited aim: its places and the road to them only
            thr = np.where(road | world.aim_hold[a][None, :], thr, np.inf)
        # Its backers' close support goes to the axis only (:mod:`.air`): none expected off it.
        air = np.where(on, air_factor(ctx["air_all"][:, a, None], ctx["front"], p), 1.0)
    power = p.by_actor("commit_fraction")[a] * p.by_actor("fire_rate")[a] * air
    pot = own_f.sum(axis=2) * power
    s0, r0 = _score(pot, a, ctx, world, p)
    s0 = np.where(hostile & (pot > 0) & (r0 > thr) & (s0 > 0), s0, -np.inf)
    nb = _gather(s0, world, fill=-np.inf)
    if truce is not None:  # a place under a truce does not pick a target of its partner
        ctrl_nb = np.concatenate([control, np.zeros((n_r, 1), dtype=np.int64)], axis=1)
        nb = np.where(truce[:, a, :][np.arange(n_p)[None, :, None], ctrl_nb[:, world.nbr]],
                      -np.inf, nb)
    # Unity of effort: a place next to the main effort attacks it whenever it may, before
    # any easier neighbour.
    first = (world.nbr[None, :, :] == effort[:, None, None]) & np.isfinite(nb)
    d = np.argmax(np.where(first, np.inf, nb), axis=2)
    tgt = world.nbr[np.arange(n_p)[None, :], d]
    free_u = beyond_reserve(ctx["defender"], ctx["threat"], p.by_actor("hold_ratio")[a],
                            _pad_take(ctx["defender"], tgt))
    ok = (np.isfinite(np.take_along_axis(nb, d[:, :, None], axis=2)[:, :, 0]) & (control == a)
          & (free_u > 0))
    choice = np.where(ok, tgt, n_p)
    picked = _gather(choice.astype(np.float64), world, fill=-1.0) == np.arange(n_p)[None, :, None]
    committed = (own_f * picked).sum(axis=2) * power
    s1, r1 = _score(committed, a, ctx, world, p)
    return (np.where(hostile & (committed > 0) & (r1 > thr) & (s1 > 0), s1, -np.inf), choice,
            effort, on)


def aim_met(control: I64, a: int, world: World) -> B:
    """bool[run]: actor a's limited objective is met (it holds every place of it); False for
    an actor without one."""
    hold = world.aim_hold[a]
    if not hold.any():
        return np.zeros(control.shape[0], dtype=bool)
    return np.asarray((control[:, hold] == a).all(axis=1))


def _top(score: F64, k: int) -> B:
    """bool[run, place]: the k best finite scores per run (ties by place index)."""
    chosen = np.zeros(score.shape, dtype=bool)
    s = score.copy()
    rows = np.arange(s.shape[0])
    for _ in range(k):
        best = np.argmax(s, axis=1)
        hit = np.isfinite(s[rows, best])
        chosen[rows[hit], best[hit]] = True
        s[rows, best] = -np.inf
    return chosen


def plan(control: I64, force: F64, supplied: B, lost: NDArray[np.float32], pull: F64,
         aid: F64, ceasefire: B, world: World, p: Params, effort: I64 | None = None,
         effort_age: I64 | None = None, districts: I64 | None = None,
         besieged_days: I64 | None = None, truce: B | None = None,
         assailed: I64 | None = None) -> Plan:
    """Choose the day's attacks for every run and actor (``effort``: yesterday's main
    efforts, int[run, actor], P: none; ``effort_age``: the days each has been kept;
    ``districts``: int[run, place], the districts each holder still holds, 1 if None;
    ``besieged_days``: int[run, place], for the stocks of cut-off places, long besieged
    if None; ``truce``: bool[place, actor, actor], the local truces in force, none if
    None; ``assailed``: int[run, place], yesterday's attacker of each place, -1 where none,
    for defence first (:func:`stakes`), no assault if None)."""
    n_r, n_p = control.shape
    rows = np.arange(n_r)[:, None]
    defender = force[rows, np.arange(n_p)[None, :], control]  # [R, P]
    stock = supply.stocks(supplied, besieged_days, p)
    fire_d = p.by_actor("fire_rate")[control] * stock
    total = force.sum(axis=1)[rows, control]  # the defender's total force
    cut = np.matmul(lost, defender.astype(np.float32)[:, :, None])[:, :, 0]
    ctx = {
        "defence": defender * fire_d * defence_factor(world, p)[None, :],
        "cut": np.where(total > 0, cut / np.maximum(total, 1e-9), 0.0),
        "pull": pull,
        "air": air_expected(aid, world, p),
        "air_all": air_expected(aid, world, p, shared=False),
        "focused": focused(p),
        "depth": np.ones(control.shape) if districts is None else districts.astype(np.float64),
    }
    ctx["supply"] = stock
    ctx["supplied"] = supplied
    # free_nb[r, v, d]: what origin u = nbr[v, d] may send against v (no reserve against v).
    ctx["defender"] = defender
    ctx["threat"] = front_floor(threat(control, defender, world), control, world)
    ctx["front"] = defender / ctx["depth"]  # the defenders an assault meets (7.5, 7.6)
    hold = p.by_actor("hold_ratio")[control]
    ctx["free_nb"] = beyond_reserve(_gather(defender, world), _gather(ctx["threat"], world),
                                    _gather(hold, world), defender[:, :, None])
    ctx["free"] = beyond_reserve(defender, ctx["threat"], hold)
    n_a = len(world.actor_ids)
    prev = np.full((n_r, n_a), n_p) if effort is None else effort
    ctx["stake"] = stakes(control, assailed, world)
    age = np.zeros((n_r, n_a), dtype=np.int64) if effort_age is None else effort_age
    efforts = np.full((n_r, n_a), n_p)
    axes = np.zeros((n_r, n_a, n_p), dtype=bool)
    scores = np.full((n_r, n_a, n_p), -np.inf)
    choice = np.full((n_r, n_p), n_p)
    for a in np.flatnonzero(world.belligerent):
        s, c, efforts[:, a], axes[:, a, :] = _actor_choice(int(a), control, ctx, world, p,
                                                           ceasefire, prev[:, a], age[:, a],
                                                           truce)
        # A limited aim met (all its places held) ends the actor's offensives.
        done = aim_met(control, int(a), world)
        s = np.where(done[:, None], -np.inf, s)
        efforts[:, a] = np.where(done, n_p, efforts[:, a])
        axes[:, a, :] &= ~done[:, None]
        k = int(p.by_actor("attacks_per_day")[a])
        scores[:, a, :] = np.where(_top(s, k), s, -np.inf)
        choice = np.where(control == a, np.where(done[:, None], n_p, c), choice)
    best = np.argmax(scores, axis=1)
    top = np.take_along_axis(scores, best[:, None, :], axis=1)[:, 0, :]
    attacker = np.where(np.isfinite(top), best, -1)
    free = beyond_reserve(defender, ctx["threat"], hold, _pad_take(defender, choice))
    per_target, targets_of = sent_split(attacker, choice, control, free, world, p)
    target = np.where(targets_of.any(axis=2), choice, -1)
    return Plan(attacker=attacker, score=np.where(attacker >= 0, top, 0.0),
                per_target=per_target, targets_of=targets_of, target=target, effort=efforts,
                axis=axes)


def _pad_take(x: F64, idx: I64) -> F64:
    """x[run, idx[run, place]], 0 where idx is the pad value (P)."""
    padded = np.concatenate([x, np.zeros((x.shape[0], 1))], axis=1)
    return np.take_along_axis(padded, idx, axis=1)


def sent_split(attacker: I64, choice: I64, control: I64, free: F64, world: World,
               p: Params) -> tuple[F64, B]:
    """Fighters each place sends, and which neighbour it attacks (its chosen target, if that
    target is attacked today by the place's holder)."""
    att_nb = _gather(attacker.astype(np.float64), world, fill=-1.0)  # [R, P, D]
    targets_of = (att_nb == control[:, :, None]) & (world.nbr[None, :, :] == choice[:, :, None])
    n = targets_of.sum(axis=2)
    return p.by_actor("commit_fraction")[control] * free * (n > 0), targets_of
