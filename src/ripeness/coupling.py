"""The war and the talks, coupled both ways, one day at a time.

The battlefield moves what each party will accept (shares, deaths, backers' aims met), and
the talks change the battlefield (a ceasefire stops fighting between the parties, a
settlement ends the run, a backer pressing its client cuts its aid). The war engine
(:mod:`ripeness.engine`) and the talks (:mod:`ripeness.talks`) know nothing of each other;
this module is the only place where they meet.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

from . import rng
from .engine import State, init, step
from .scenario.schema import Scenario
from .settlement import Terms, compile_terms, redraw
from .talks import TalksNoise, TalksObs, TalksSpec, TalksState, talks_init, talks_step
from .talks.backers import ceasefire_pairs
from .talks.state import CAUSES, NOT_OPEN, OPEN, SUSPENDED, SessionRecord
from .world.compile import Params, World
from .world.shares import shares

__all__ = ["OUTCOMES", "Batch", "Link", "Tally", "advance", "compile_link", "start"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

#: Outcome codes of a run at its horizon (MODEL.md §4).
OUTCOMES = ("ongoing", "settlement", "military victory", "frozen partition")
ONGOING, SETTLEMENT, VICTORY, PARTITION = 0, 1, 2, 3


@dataclass(frozen=True)
class Link:
    """What the coupling needs beyond the world and the talks spec (compiled once).

    spec: the talks (None: a scenario without talks). lookahead: days the engine is played
    forward for a model-consistent forecast (0: parties extrapolate trends). hold:
    bool[backer, place], places of each backer's limited objective (the talks' backer
    order); limited: bool[backer];
    client: bool[backer, actor], the belligerents each backer supports. quiet_days: days
    without a capture between the parties that make a ceasefire a frozen partition. basis:
    the stake's weighting ("value" or "population"); party: bool[actor], at the table.
    """

    spec: TalksSpec | None
    basis: str
    party: B
    lookahead: int
    hold: B
    limited: B
    client: B
    quiet_days: int
    terms: Terms | None = None  # a settlement redraws the map (talks.terms = "map")


def compile_link(scenario: Scenario, world: World, spec: TalksSpec | None) -> Link:
    """Backers' limited aims as arrays over the world's places and actors."""
    places, actors = list(world.place_ids), list(world.actor_ids)
    ids = spec.backer_ids if spec is not None else ()
    hold = np.zeros((len(ids), len(places)), dtype=bool)
    limited = np.zeros(len(ids), dtype=bool)
    client = np.zeros((len(ids), len(actors)), dtype=bool)
    for i, b in enumerate(ids):
        obj = scenario.actor(b).objective
        if obj is not None and obj.kind == "limited" and obj.hold:
            limited[i] = True
            hold[i, [places.index(p) for p in obj.hold]] = True
        for sp in scenario.support:
            if sp.backer == b:
                client[i, actors.index(sp.client)] = True
    p = world.params_on(0)
    model = scenario.talks is not None and scenario.talks.forecast == "model"
    look = int(p.num("forecast_lookahead_days")) if model else 0
    party = np.zeros(len(actors), dtype=bool)
    if spec is not None:
        party[spec.party] = True
    return Link(spec=spec, basis=scenario.stake.basis, party=party, lookahead=look, hold=hold,
                limited=limited, client=client, quiet_days=int(p.num("partition_quiet_days")),
                terms=compile_terms(scenario))


@dataclass(frozen=True)
class Tally:
    """Per-run summary kept while the batch runs, so that ensembles need no daily arrays.

    settled_day, first_suspension_day: int64[run] (-1: never); last_capture_day: int64[run],
    last day one talks party took a place from another (-1: never).
    sessions, suspensions, ceasefire_days: int64[run]. causes: int64[run, cause], failed
    sessions by dominant cause (CAUSES). peak_besieged: float64[run], persons.
    besieged_person_days: float64[run]. strikes: float64[run, support, actor], sorties each
    support entry flew on places held by each actor (whom a backer's air campaign hit).
    ceded: bool[run, place], the place changed hands by a settlement's terms
    (:mod:`ripeness.settlement`).
    """

    settled_day: I64
    first_suspension_day: I64
    last_capture_day: I64
    sessions: I64
    suspensions: I64
    ceasefire_days: I64
    causes: I64
    peak_besieged: F64
    besieged_person_days: F64
    strikes: F64
    ceded: B


@dataclass(frozen=True)
class Batch:
    """The war and the talks of a batch of runs, and the running tally."""

    war: State
    talks: TalksState | None
    tally: Tally


def _party_shares(war: State, world: World, spec: TalksSpec, basis: str = "value") -> F64:
    """float[run, K]: each party's share of what the parties hold (value-, population- or
    area-weighted, as the scenario's stake says)."""
    s = shares(war, world, basis="area" if basis == "area" else (
        "population" if basis == "population" else "value"))
    s = s[:, spec.party]
    total = s.sum(axis=1, keepdims=True)
    return np.asarray(np.where(total > 0, s / np.where(total > 0, total, 1.0), 1.0 / spec.k))


def front_and_sieges(war: State, world: World, spec: TalksSpec) -> tuple[F64, F64]:
    """float[run, K] each: the fraction of each party's fighters on its places next to a
    place another party holds (the front it holds), and the fraction of the civilians in its
    places cut off from supply (its people besieged)."""
    ctrl = war.control  # [run, place]
    own = ctrl[:, None, :] == spec.party[None, :, None]  # [run, K, place]
    other = np.isin(ctrl, spec.party)[:, None, :] & ~own
    facing = (other.astype(np.int32) @ world.adj.astype(np.int32).T) > 0  # [run, K, place]
    force = np.take_along_axis(war.force, ctrl[:, :, None], axis=2)[:, None, :, 0]
    mine = own * force  # the holder's garrison at its own places
    total = mine.sum(axis=2)
    at_front = (mine * facing).sum(axis=2)
    people = own * war.civilians[:, None, :]
    cut = (people * ~war.fed[:, None, :]).sum(axis=2)
    pop = people.sum(axis=2)
    front = np.where(total > 0, at_front / np.where(total > 0, total, 1.0), 0.0)
    sieges = np.where(pop > 0, cut / np.where(pop > 0, pop, 1.0), 0.0)
    return np.asarray(front), np.asarray(sieges)


def backer_satisfied(war: State, link: Link) -> B:
    """bool[run, backer]: a limited aim is met when its clients hold every place of it and
    hold it supplied (a besieged town is not secured)."""
    held = link.client[:, war.control]  # [backer, run, place]
    ok = held & war.supplied[None]
    met = (ok | ~link.hold[:, None, :]).all(axis=2)
    return np.asarray((met & link.limited[:, None]).T)


def start(world: World, link: Link, runs: int, seed: int, first_run: int = 0) -> Batch:
    """A batch at the start date: the war's initial state, talks not yet open."""
    war = init(world, runs, seed, first_run)
    talks = None
    if link.spec is not None:
        strength = np.broadcast_to(world.force0.sum(axis=0)[link.spec.party],
                                   (runs, link.spec.k))
        talks = talks_init(link.spec, runs, strength=strength)
    zeros_i = np.zeros(runs, dtype=np.int64)
    tally = Tally(settled_day=zeros_i - 1, first_suspension_day=zeros_i - 1,
                  last_capture_day=zeros_i - 1, sessions=zeros_i, suspensions=zeros_i,
                  ceasefire_days=zeros_i, causes=np.zeros((runs, len(CAUSES)), dtype=np.int64),
                  peak_besieged=np.zeros(runs), besieged_person_days=np.zeros(runs),
                  strikes=np.zeros((runs, war.flown.shape[1], len(world.actor_ids))),
                  ceded=np.zeros(war.control.shape, dtype=bool))
    return Batch(war, talks, tally)


def _noise(war: State, spec: TalksSpec, day: int) -> TalksNoise:
    k = np.arange(spec.k)[None, :]
    return TalksNoise(
        estimate=rng.normal(war.seed, war.run[:, None], day, rng.TALKS, k),
        ceasefire=rng.uniform(war.seed, war.run, day, rng.TALKS_CEASEFIRE, 0),
    )


def _take(war: State, idx: I64) -> State:
    """The runs ``idx`` of a batch (every array with a run axis)."""
    out = {f.name: getattr(war, f.name)[idx] for f in fields(State)
           if isinstance(getattr(war, f.name), np.ndarray)}
    return replace(war, **out)


def _session_due(talks: TalksState, spec: TalksSpec, day: int) -> B:
    """bool[run]: talks may meet today (open and due, opening, or resuming)."""
    ph = talks.phase
    return np.asarray(((ph == OPEN) & (day >= talks.next_session))
                      | ((ph == NOT_OPEN) & (day >= spec.opens) & (day < spec.closes))
                      | ((ph == SUSPENDED) & (day >= talks.resume_day)))


def model_forecast(war: State, talks: TalksState, world: World, link: Link, day: int) -> F64:
    """float[run, K]: each party's share after ``link.lookahead`` days of war played out by the
    engine from today, without talks or ceasefires, on random draws of its own (a root seed
    derived from the run's seed and the day, so no party foresees the real draws).
    Runs with no session due keep today's shares (nothing to forecast for)."""
    spec = link.spec
    assert spec is not None
    now = _party_shares(war, world, spec, link.basis)
    idx = np.flatnonzero(_session_due(talks, spec, day) & war.active)
    if idx.size == 0:
        return now
    seed = int(rng.bits(war.seed, 0, day, rng.FORECAST, 0)) % 2**63
    sim = replace(_take(war, idx), seed=seed,
                  ceasefire=np.zeros_like(war.ceasefire[idx]))
    for k in range(link.lookahead):
        sim = step(sim, world, world.params_on(day + 1 + k), day + 1 + k)
    out = now.copy()
    out[idx] = _party_shares(sim, world, spec, link.basis)
    return out


def _talk(before: State, war: State, talks: TalksState, world: World, link: Link,
          day: int) -> tuple[State, TalksState, SessionRecord]:
    """The day's talks, then their effect on the war (ceasefire, settlement, aid)."""
    spec = link.spec
    assert spec is not None
    forecast = (model_forecast(war, talks, world, link, day) if link.lookahead > 0 else None)
    front, sieges = front_and_sieges(war, world, spec)
    obs = TalksObs(shares=_party_shares(war, world, spec, link.basis),
                   # the engine counts fighters out of action; the talks price the dead
                   deaths=(war.mil_dead - before.mil_dead)[:, spec.party]
                   / spec.out_of_action_per_death,
                   backer_satisfied=backer_satisfied(war, link), forecast=forecast,
                   front=front, besieged=sieges, fought=_parties_fought(war, spec))
    new, rec = talks_step(talks, spec, obs, day, _noise(war, spec, day))
    new = _freeze(talks, new, before.active)
    war = replace(war, ceasefire=ceasefire_pairs(spec, new.ceasefire, len(world.actor_ids),
                                                 new.covered),
                  active=war.active & ~new.settled, aid_factor=new.aid_factor)
    return war, new, rec


def _parties_fought(war: State, spec: TalksSpec) -> B:
    """bool[run]: one of the talks' parties assaulted a place another party holds today."""
    att, ctl = war.attacker, war.control
    party = np.asarray(spec.party)
    return np.asarray((np.isin(att, party) & np.isin(ctl, party) & (att != ctl)).any(axis=1))


def _freeze(old: TalksState, new: TalksState, active: B) -> TalksState:
    """Runs that had already ended keep their talks state."""
    if active.all():
        return new
    out = {}
    for name, a in vars(old).items():
        keep = active.reshape((-1,) + (1,) * (np.ndim(a) - 1))
        out[name] = np.where(keep, getattr(new, name), a)
    return TalksState(**out)


def _count(t: Tally, before: State, war: State, talks: TalksState | None,
           rec: SessionRecord | None, link: Link, day: int) -> Tally:
    live = before.active
    besieged = np.where(war.fed, 0.0, war.civilians).sum(axis=1)
    moved = war.control != before.control
    between = link.party[war.control] & link.party[before.control]
    captured = live & (moved & between).any(axis=1)
    strikes = t.strikes.copy()
    for a in range(strikes.shape[2]):  # the few actors; the holder when the strikes flew
        strikes[:, :, a] += (war.flown * (before.control == a)[:, None, :]).sum(axis=2)
    out = replace(
        t, strikes=np.where(live[:, None, None], strikes, t.strikes),
        last_capture_day=np.where(captured, day, t.last_capture_day),
        peak_besieged=np.maximum(t.peak_besieged, np.where(live, besieged, 0.0)),
        besieged_person_days=t.besieged_person_days + np.where(live, besieged, 0.0))
    if talks is None or rec is None:
        return out
    failed = live & rec.held & ~rec.hearing & ~rec.settled
    causes = t.causes.copy()
    causes[np.flatnonzero(failed), rec.cause[failed]] += 1
    return replace(
        out, settled_day=np.where(rec.settled & live, day, t.settled_day),
        first_suspension_day=np.where(rec.suspended & live & (t.first_suspension_day < 0),
                                      day, t.first_suspension_day),
        sessions=t.sessions + (rec.held & live), suspensions=t.suspensions
        + (rec.suspended & live), ceasefire_days=t.ceasefire_days + (talks.ceasefire & live),
        causes=causes)


def advance(b: Batch, world: World, link: Link, p: Params,
            day: int) -> tuple[Batch, SessionRecord | None]:
    """One day: the war engine's step, then the talks, then their effect on the war."""
    war = step(b.war, world, p, day)
    talks, rec = b.talks, None
    ceded = None
    if talks is not None:
        war, talks, rec = _talk(b.war, war, talks, world, link, day)
        if link.terms is not None and b.talks is not None and link.spec is not None:
            war, ceded = redraw(war, b.talks, talks, link.spec, link.terms, world, p)
    tally = _count(b.tally, b.war, war, talks, rec, link, day)
    if ceded is not None:
        tally = replace(tally, ceded=tally.ceded | ceded)
    return Batch(war, talks, tally), rec


def outcome(b: Batch, link: Link, world: World, day: int) -> tuple[I64, I64]:
    """Outcome code (OUTCOMES) and its day (-1: ongoing) of every run after ``day`` days.

    Settlement: the talks settled. Military victory: one party holds all that the parties
    hold. Frozen partition: a ceasefire in force and no capture for ``quiet_days``.
    """
    t = b.tally
    n = b.war.runs
    code = np.full(n, ONGOING, dtype=np.int64)
    when = np.full(n, -1, dtype=np.int64)
    if link.spec is not None and b.talks is not None:
        sh = _party_shares(b.war, world, link.spec, link.basis)
        won = (sh >= 1.0 - 1e-9).any(axis=1)
        quiet = day - np.maximum(t.last_capture_day, 0) >= link.quiet_days
        frozen = b.talks.ceasefire & quiet
        code = np.where(frozen, PARTITION, np.where(won, VICTORY, code))
        when = np.where(frozen | won, np.maximum(t.last_capture_day, 0), when)
        settled = t.settled_day >= 0
        code = np.where(settled, SETTLEMENT, code)
        when = np.where(settled, t.settled_day, when)
    return code, when
