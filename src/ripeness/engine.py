"""The day loop over state arrays: ``init`` makes a batch, ``step`` advances it one day.

Every array of :class:`State` has a leading run axis; ``step`` is pure and uses array
operations only (loops run over the handful of actors or support entries, never over runs or
places). A run that has ended (``active`` False) is masked: its state no longer changes. The
order of a day: supply and sieges, reinforcement, operations, air, combat and the breakpoints,
withdrawal, redeployment, people.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import rng
from .world import air, changes, combat, movement, operations, people, strikes, supply
from .world.compile import Params, World

__all__ = ["State", "districts_of", "init", "step"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class State:
    """The batch after ``day`` days (R runs, P places, A actors, S support entries).

    run: int64[run], run indices (what the random draws depend on). control: int64[run, place],
    actor index. force: float64[run, place, actor], fighters. civilians, killed, displaced:
    float64[run, place], persons (residents; cumulative killed and fled, by place of origin).
    hosted: float64[run, place], displaced persons arrived at refuges. displaced_out:
    float64[run], persons who left the map. mil_dead: float64[run, actor], cumulative fighters
    put out of action. besieged_days: int64[run, place], days in a row unsupplied.
    engaged_start: float64[run, place], the defender's strength when the current assault on
    the place began (0: not under attack); att_lost, def_lost: float[run, place], each
    side's losses in the assault so far; def_break, att_break:
    float[run, place], the assault's breakpoints (loss fractions, drawn when it began).
    districts: int64[run, place], the districts the holder still holds (7.6).
    ceasefire: bool[run, actor, actor], pairs that do
    not fight. active: bool[run], False once a run has ended. aid_factor: float64[run, support],
    multiplies delivered fighters and sorties. supplied: bool[run, place], the holder reaches
    a source. lost: float32[run, place, place], see :class:`~ripeness.world.supply.Structure`.
    corridor: bool[run, corridor], open. pull: float64[run, actor, place], what draws each actor's
    offensives (:class:`~ripeness.world.supply.Structure`). struct_control:
    int64[run, place], the map the last four were computed for; struct_phase: the parameter
    phase. attacker: int64[run, place], today's attacker (-1: none; tomorrow's plan reads it for
    defence first, 7.3); repulsed: bool[run, place], today's attacker broke off its assault
    there. sorties: float64[run, place], sorties flown on the place today; flown:
    float64[run, support, place], the same by support entry (which backer's aircraft hit
    whom). effort: int64[run, actor], each
    actor's main effort, a place index (P: none); effort_age: int64[run, actor], the days
    it has been kept. evacuated: float64[run, place], fighters that left the place today under
    a negotiated departure (it fell cut off); refuge: int64[run, place], where they went (-1:
    none; :func:`.world.movement.evacuate`). fed: bool[run, place], food reaches the place's
    civilians (``supplied`` unless a source carries only arms or only food, 7.1). arms:
    float64[run, actor, system], the share left of each actor's heavy weapons, command and air
    defences (1: intact, 7.4).
    """

    day: int
    seed: int
    run: I64
    control: I64
    force: F64
    civilians: F64
    killed: F64
    displaced: F64
    hosted: F64
    displaced_out: F64
    mil_dead: F64
    besieged_days: I64
    engaged_start: F64
    att_lost: F64
    def_lost: F64
    def_break: F64
    att_break: F64
    districts: I64
    ceasefire: B
    active: B
    aid_factor: F64
    supplied: B
    lost: NDArray[np.float32]
    corridor: B
    pull: F64
    struct_control: I64
    struct_phase: int
    attacker: I64
    repulsed: B
    sorties: F64
    flown: F64
    effort: I64
    effort_age: I64
    evacuated: F64
    refuge: I64
    # The scenario format's capabilities for other wars (issue 15); each inert unless used.
    fed: B
    arms: F64

    @property
    def runs(self) -> int:
        return int(self.run.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the state's arrays (all runs): what a day step reads and writes."""
        return sum(int(x.nbytes) for f in fields(self)
                   if isinstance(x := getattr(self, f.name), np.ndarray))


def init(world: World, runs: int, seed: int, first_run: int = 0) -> State:
    """A batch of ``runs`` runs (indices first_run ...) at the start date."""
    n_p, n_a = world.shape
    p = world.params_on(0)
    control = np.tile(world.control0, (runs, 1))
    force, _ = movement.rehome(np.tile(world.force0, (runs, 1, 1)), control, world)
    st = supply.structure(control, p, world)
    zeros = np.zeros((runs, n_p))
    return State(
        day=0, seed=seed, run=np.arange(first_run, first_run + runs, dtype=np.int64),
        control=control, force=force, civilians=np.tile(world.pop0, (runs, 1)),
        killed=zeros, displaced=zeros, hosted=zeros, displaced_out=np.zeros(runs),
        mil_dead=np.zeros((runs, n_a)), besieged_days=np.zeros((runs, n_p), dtype=np.int64),
        engaged_start=zeros, att_lost=zeros, def_lost=zeros, def_break=zeros,
        att_break=zeros, districts=np.tile(districts_of(world, p), (runs, 1)),
        ceasefire=np.zeros((runs, n_a, n_a), dtype=bool),
        active=np.ones(runs, dtype=bool),
        aid_factor=np.ones((runs, len(world.support_ids))),
        supplied=st.supplied, lost=st.lost, corridor=st.corridor, pull=st.pull,
        struct_control=control, struct_phase=p.phase,
        attacker=np.full((runs, n_p), -1, dtype=np.int64),
        repulsed=np.zeros((runs, n_p), dtype=bool), sorties=zeros,
        flown=np.zeros((runs, len(world.support_ids), n_p)),
        effort=np.full((runs, n_a), n_p, dtype=np.int64),
        effort_age=np.zeros((runs, n_a), dtype=np.int64),
        evacuated=zeros, refuge=np.full((runs, n_p), -1, dtype=np.int64),
        fed=st.fed, arms=np.ones((runs, n_a, 3)),
    )


def _refresh(s: State, world: World, p: Params) -> State:
    """Recompute supply, cut sets, corridors and the pull for runs whose map changed."""
    stale = (s.control != s.struct_control).any(axis=1) | (p.phase != s.struct_phase)
    if not stale.any():
        return s
    idx = np.flatnonzero(stale)
    new = supply.structure(s.control[idx], p, world)
    out = {}
    for name in ("supplied", "lost", "corridor", "pull", "fed"):
        arr = getattr(s, name).copy()
        arr[idx] = getattr(new, name)
        out[name] = arr
    return replace(s, **out, struct_control=s.control, struct_phase=p.phase)


def _holder_force(force: F64, control: I64) -> F64:
    """float[run, place]: the holder's fighters at each place."""
    n_r, n_p = control.shape
    return force[np.arange(n_r)[:, None], np.arange(n_p)[None, :], control]


def _set_holder(force: F64, control: I64, value: F64) -> F64:
    out = force.copy()
    n_r, n_p = control.shape
    out[np.arange(n_r)[:, None], np.arange(n_p)[None, :], control] = value
    return out


def _siege_and_reinforce(s: State, world: World, p: Params) -> tuple[F64, F64]:
    """Besieged holders decay; supplied ones recruit; aid lands at the client's own sources.
    Returns (force, deaths float[run, actor])."""
    held = _holder_force(s.force, s.control)
    # A garrison decays once its stocks run short (7.2).
    spent = 1.0 - supply.stocks(s.supplied, s.besieged_days, p)
    spent = spent / max(1.0 - p.num("unsupplied_fire"), 1e-9)
    decay = p.num("siege_force_decay") * spent * held
    # Only belligerents recruit: a backer holding a border town (Turkey's Kilis), or whose own
    # troops hold ground (a belligerent by role only), raises no army from its people.
    recruits = np.where(s.supplied & world.recruits[s.control],
                        p.by_actor("recruit_rate")[s.control] * s.civilians, 0.0)
    force = _set_holder(s.force, s.control, held - decay + recruits)
    for i, client in enumerate(world.support_client):
        at = (s.control == client) & p.source[None, :, client] & s.supplied
        n = at.sum(axis=1, keepdims=True)
        per = p.fighters[i] * s.aid_factor[:, i, None] / np.maximum(n, 1)
        force[:, :, client] += np.where(at, per, 0.0)
    deaths = _by_actor(decay, s.control, len(world.actor_ids))
    return force, deaths


def _by_actor(x: F64, who: I64, n_a: int) -> F64:
    """float[run, actor]: x[run, place] summed by the actor index who[run, place]."""
    n_r = x.shape[0]
    flat = (np.arange(n_r)[:, None] * n_a + np.where(who >= 0, who, 0)).ravel()
    w = np.where(who >= 0, x, 0.0).ravel()
    out = np.bincount(flat, weights=w, minlength=n_r * n_a)
    return np.asarray(out, dtype=np.float64).reshape(n_r, n_a)


def _pad(x: NDArray[np.generic], fill: float) -> NDArray[np.generic]:
    return np.concatenate([x, np.full((x.shape[0], 1), fill, dtype=x.dtype)], axis=1)


def _engagements(s: State, force: F64, plan: operations.Plan, sorties: F64,
                 world: World, p: Params, day: int) -> tuple[combat.Engagements, F64]:
    """Committed attackers, garrisons, powers and breakpoints at every attacked place; and
    the defenders' breakpoints as drawn (before the cornered rule), which the state keeps."""
    att = plan.attacker
    from_nb = _pad(plan.per_target, 0.0)[:, world.nbr]
    # Only the neighbours that chose this very place join its assault (each origin sends its
    # fighters to one target; counting every neighbour would conjure fighters).
    aims = _pad(plan.target, -1)[:, world.nbr]
    mine = aims == np.arange(s.control.shape[1])[None, :, None]
    committed = np.where(att >= 0, (from_nb * mine).sum(axis=2), 0.0)
    garrison = _holder_force(force, s.control) - plan.per_target * plan.targets_of.sum(axis=2)
    # Defence in depth: only the front district's share of the garrison fights today; the
    # rest hold the districts behind it (7.6).
    garrison = np.maximum(garrison, 0.0) / s.districts
    boost = air.boost(sorties, att, garrison, world, p)
    # Frontage: only so many attackers per defender can be brought to bear in a day; the
    # rest stand by (unharmed) and follow up if the place falls.
    att0 = np.minimum(committed, p.num("frontage") * np.maximum(garrison, 1.0))
    stock = supply.stocks(s.supplied, s.besieged_days, p)
    stock_nb = _pad(stock, 0.0)[:, world.nbr]
    sup_share = (from_nb * mine * stock_nb).sum(axis=2) / np.maximum(committed, 1e-12)
    fire = p.by_actor("fire_rate") / combat.FIRE_REFERENCE
    att_fire = (fire[np.maximum(att, 0)] * boost
                * np.minimum(sup_share, 1.0) / operations.defence_factor(world, p)[None, :])
    def_fire = fire[s.control] * stock
    if world.campaign:  # heavy weapons and command lost to the air campaign
        f = strikes.fire_factor(s.arms, world)
        rows = np.arange(att.shape[0])[:, None]
        att_fire, def_fire = att_fire * f[rows, np.maximum(att, 0)], def_fire * f[rows, s.control]
    # An assault goes on while the same actor attacks on consecutive days without a break.
    going = (s.engaged_start > 0) & (s.attacker == att) & (att >= 0)
    d_brk, a_brk = _breakpoints(s, att, p, day)
    d_brk = np.where(going, s.def_break, d_brk)
    e = combat.Engagements(
        attacker=att, att0=att0, def0=np.maximum(garrison, 0.0), att_fire=att_fire,
        def_fire=def_fire, start=np.where(going, s.engaged_start, np.maximum(garrison, 0.0)),
        committed=committed, att_lost=np.where(going, s.att_lost, 0.0),
        def_lost=np.where(going, s.def_lost, 0.0),
        def_break=_cornered(d_brk, s, stock, p),
        att_break=np.where(going, s.att_break, a_brk))
    return e, d_brk


def _cornered(brk: F64, s: State, stock: F64, p: Params) -> F64:
    """Breakpoints of besieged garrisons (cut off from supply: no way out): they harden
    while the stocks last and fall below a supplied garrison's as they run out
    (``supply.siege_break``, 7.5)."""
    cornered = ~(s.supplied | s.fed)  # a humanitarian road out is a way out
    return np.asarray(np.where(cornered, supply.siege_break(brk, stock, p), brk),
                      dtype=np.float64)


def _breakpoints(s: State, att: I64, p: Params, day: int) -> tuple[F64, F64]:
    """float[run, place] (defender, attacker): breakpoints for assaults beginning today, loss
    fractions log-normal about each side's median (``break_loss``, ``attack_break_loss``,
    times ``combat_intensity``) with log-sd ``break_spread``, drawn by (run, day, place); at
    most 1 (a side that never breaks fights to the last)."""
    rr, vv = np.nonzero(att >= 0)
    out_d, out_a = np.ones(att.shape), np.ones(att.shape)
    sd = p.num("break_spread")
    zd = rng.normal(s.seed, s.run[rr], day, rng.BREAK_DEFENDER, vv) if sd > 0 else 0.0
    za = rng.normal(s.seed, s.run[rr], day, rng.BREAK_ATTACKER, vv) if sd > 0 else 0.0
    k = p.num("combat_intensity")
    out_d[rr, vv] = np.minimum(k * p.by_actor("break_loss")[s.control[rr, vv]]
                               * np.exp(sd * zd), 1.0)
    out_a[rr, vv] = np.minimum(k * p.by_actor("attack_break_loss")[att[rr, vv]]
                               * np.exp(sd * za), 1.0)
    return out_d, out_a


def _noise(s: State, e: combat.Engagements, p: Params, day: int) -> tuple[F64, F64]:
    """Log-normal fire shocks (mean 1) for the engaged places, drawn by (run, day, place)."""
    rr, vv = np.nonzero(e.attacker >= 0)
    sd = p.num("combat_noise")
    if sd == 0:
        return np.ones(len(rr)), np.ones(len(rr))
    za = rng.normal(s.seed, s.run[rr], day, rng.COMBAT_ATTACKER, vv)
    zd = rng.normal(s.seed, s.run[rr], day, rng.COMBAT_DEFENDER, vv)
    return np.exp(sd * za - sd * sd / 2), np.exp(sd * zd - sd * sd / 2)


def districts_of(world: World, p: Params) -> I64:
    """int[place]: the districts a place is fought for, one per position an assault has to
    take: ceil(sqrt(population / ``district_population``)), at least 1. A built-up area's
    extent grows as the square root of its people, and an attacker crosses it one position
    after another (docs/model.md 7.6)."""
    d = np.ceil(np.sqrt(world.pop0 / p.num("district_population")))
    return np.asarray(np.maximum(d, 1.0), dtype=np.int64)


def _apply_battle(s: State, force: F64, plan: operations.Plan, bt: combat.Battle,
                  committed: F64, p: Params, world: World) -> tuple[F64, I64, F64, I64]:
    """Losses to attackers (back at their origins) and defenders; districts, captures and
    occupation. ``committed``: every fighter sent at each place; only bt.att0 of them fought
    (frontage). A defender that breaks gives up one district; the place changes hands with
    its last. Returns (force, control, deaths float[run, actor], districts left)."""
    engaged = bt.attacker >= 0
    taken = bt.broken & (s.districts <= 1)
    fallen = bt.att0 - bt.att1
    surv = np.where(engaged, 1.0 - fallen / np.maximum(committed, 1e-12), 1.0)
    back = _pad(np.where(taken, 0.0, surv), 0.0)[:, world.nbr]
    returned = plan.per_target * (plan.targets_of * back).sum(axis=2)
    sent = plan.per_target * plan.targets_of.sum(axis=2)
    held = _holder_force(force, s.control)
    ws = p.num("withdraw_survival")
    def_left = np.where(bt.broken, ws * bt.def1, bt.def1)
    held = np.where(engaged, held - bt.def0 + def_left, held) - sent + returned
    force = _set_holder(force, s.control, np.maximum(held, 0.0))
    control = np.where(taken, bt.attacker, s.control)
    n_r, n_p = control.shape
    occupy = np.where(taken, committed - fallen, 0.0)
    force[np.arange(n_r)[:, None], np.arange(n_p)[None, :], control] += occupy
    n_a = len(world.actor_ids)
    dead = (_by_actor(bt.att0 - bt.att1, bt.attacker, n_a)
            + _by_actor(bt.def0 - def_left, np.where(engaged, s.control, -1), n_a))
    left = np.where(taken, districts_of(world, p)[None, :],
                    np.where(bt.broken, s.districts - 1, s.districts))
    return force, control, dead, left


#: What happened today (not state carried over): an ended run has no attacks and no sorties.
_TODAY = {"attacker": -1, "repulsed": False, "sorties": 0.0, "flown": 0.0, "evacuated": 0.0,
          "refuge": -1}


def _mask(old: State, new: State) -> State:
    """Inactive runs keep their old state (arrays with a run axis only) and do nothing today."""
    if old.active.all():
        return new
    out: dict[str, Any] = {}
    for f in fields(State):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if isinstance(a, np.ndarray) and f.name != "run":
            keep = old.active.reshape((-1,) + (1,) * (a.ndim - 1))
            out[f.name] = np.where(keep, b, _TODAY.get(f.name, a))
    return replace(new, **out)


def step(state: State, world: World, p: Params, day: int) -> State:
    """Advance every run of the batch by one day (``day``: 0 = the start date)."""
    s = _refresh(changes.apply(state, world, day), world, p)  # the day's changes of forces
    force, dead = _siege_and_reinforce(s, world, p)
    truce = world.truce_on(day)  # local truces (None: none today)
    plan = operations.plan(s.control, force, s.supplied, s.lost, s.pull, s.aid_factor,
                           s.ceasefire, world, p, s.effort, s.effort_age, s.districts,
                           s.besieged_days, truce, s.attacker)
    held = _holder_force(force, s.control)
    flown = air.allocate(plan.attacker, s.control, held, s.aid_factor, s.ceasefire, world, p,
                         plan.axis, truce)
    if world.campaign:  # strikes on heavy weapons, command, air defences; their screen
        flown, arms = strikes.campaign(flown, s.control, s.arms, s.aid_factor, s.ceasefire,
                                       world, p)
        s = replace(s, arms=arms)
    struck = air.strike_losses(flown, held, plan.attacker, world, p)
    force = _set_holder(force, s.control, held - struck)
    dead += _by_actor(struck, s.control, len(world.actor_ids))
    e, drawn = _engagements(s, force, plan, flown, world, p, day)
    k = p.num("combat_intensity")
    bt = combat.fight(e, _noise(s, e, p, day), k * p.num("attacker_loss_rate"),
                      k * p.num("defender_loss_rate"), p.num("helmbold_exponent"))
    force, control, lost, left = _apply_battle(s, force, plan, bt, e.committed, p, world)
    # A garrison that fell cut off leaves under a deal for its side's lines, or surrenders.
    cut, base = np.where(s.supplied, -1, s.control), np.where(s.supplied, s.control, -1)
    force, evacuated, refuge = movement.evacuate(force, control, cut, base, world,
                                                 p.num("evacuation"))
    force, surrendered = movement.rehome(force, control, world)
    force = movement.move(force, control, s.pull, world, p, plan.axis)
    done = _finish(s, replace(e, def_break=drawn), force, control, dead + lost + surrendered,
                   bt, flown, world, p, day)
    done = replace(done, districts=left, effort=plan.effort, evacuated=evacuated, refuge=refuge,
                   effort_age=np.where(plan.effort == s.effort, s.effort_age + 1, 0))
    done = _refresh(done, world, p)
    days = np.where(done.supplied, 0, done.besieged_days + 1)
    return _mask(state, replace(done, besieged_days=days))


def _finish(s: State, e: combat.Engagements, force: F64, control: I64, dead: F64,
            bt: combat.Battle, flown: F64, world: World, p: Params, day: int) -> State:
    """People, the state of continuing assaults and the bookkeeping of the day."""
    engaged = bt.attacker >= 0
    sorties = flown.sum(axis=1)
    besieged = ~s.fed  # people besieged: no food reaches them (7.8)
    now = people.People(s.civilians, s.killed, s.displaced, s.hosted, s.displaced_out)
    losses = (bt.att0 - bt.att1) + (bt.def0 - bt.def1)
    ppl = people.people_day(now, sorties, losses, besieged, world, p)
    going = engaged & ~bt.broken & ~bt.repulsed  # the assault goes on tomorrow if renewed
    return replace(
        s, day=day + 1, control=control, force=force, civilians=ppl.civilians,
        killed=ppl.killed, displaced=ppl.displaced, hosted=ppl.hosted, displaced_out=ppl.out,
        mil_dead=s.mil_dead + dead, engaged_start=np.where(going, e.start, 0.0),
        att_lost=np.where(going, bt.att_lost, 0.0), def_lost=np.where(going, bt.def_lost, 0.0),
        def_break=np.where(going, e.def_break, 0.0), att_break=np.where(going, e.att_break, 0.0),
        attacker=bt.attacker, repulsed=bt.repulsed, sorties=sorties, flown=flown,
    )
