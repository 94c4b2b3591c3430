"""The war and the talks, coupled both ways, one day at a time.

The battlefield moves what each party will accept (shares, deaths, backers' aims met), and
the talks change the battlefield (a ceasefire stops fighting between the parties, a
settlement ends the run, a backer pressing its client cuts its aid). The war engine
(:mod:`ripeness.engine`) and the talks (:mod:`ripeness.talks`) know nothing of each other;
this module is the only place where they meet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from . import rng
from .engine import State, init, step
from .scenario.schema import Scenario
from .talks import TalksNoise, TalksObs, TalksSpec, TalksState, talks_init, talks_step
from .talks.backers import ceasefire_pairs
from .talks.state import CAUSES, SessionRecord
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

    spec: the talks (None: a scenario without talks). hold: bool[backer, place], places of
    each backer's limited objective (the talks' backer order); limited: bool[backer];
    client: bool[backer, actor], the belligerents each backer supports. quiet_days: days
    without a capture between the parties that make a ceasefire a frozen partition.
    """

    spec: TalksSpec | None
    hold: B
    limited: B
    client: B
    quiet_days: int


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
    quiet = int(world.params_on(0).num("partition_quiet_days"))
    return Link(spec=spec, hold=hold, limited=limited, client=client, quiet_days=quiet)


@dataclass(frozen=True)
class Tally:
    """Per-run summary kept while the batch runs, so that ensembles need no daily arrays.

    settled_day, first_suspension_day, last_capture_day: int64[run] (-1: never).
    sessions, suspensions, ceasefire_days: int64[run]. causes: int64[run, cause], failed
    sessions by dominant cause (CAUSES). peak_besieged: float64[run], persons.
    besieged_person_days: float64[run].
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


@dataclass(frozen=True)
class Batch:
    """The war and the talks of a batch of runs, and the running tally."""

    war: State
    talks: TalksState | None
    tally: Tally


def _party_shares(war: State, world: World, spec: TalksSpec) -> F64:
    """float[run, K]: each party's share of what the parties hold (value-weighted)."""
    s = shares(war, world)[:, spec.party]
    total = s.sum(axis=1, keepdims=True)
    return np.asarray(np.where(total > 0, s / np.where(total > 0, total, 1.0), 1.0 / spec.k))


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
                  peak_besieged=np.zeros(runs), besieged_person_days=np.zeros(runs))
    return Batch(war, talks, tally)


def _noise(war: State, spec: TalksSpec, day: int) -> TalksNoise:
    k = np.arange(spec.k)[None, :]
    return TalksNoise(
        estimate=rng.normal(war.seed, war.run[:, None], day, rng.TALKS, k),
        ceasefire=rng.uniform(war.seed, war.run, day, rng.TALKS_CEASEFIRE, 0),
    )


def _talk(before: State, war: State, talks: TalksState, world: World, link: Link,
          day: int) -> tuple[State, TalksState, SessionRecord]:
    """The day's talks, then their effect on the war (ceasefire, settlement, aid)."""
    spec = link.spec
    assert spec is not None
    obs = TalksObs(shares=_party_shares(war, world, spec),
                   deaths=(war.mil_dead - before.mil_dead)[:, spec.party],
                   backer_satisfied=backer_satisfied(war, link))
    new, rec = talks_step(talks, spec, obs, day, _noise(war, spec, day))
    new = _freeze(talks, new, before.active)
    war = replace(war, ceasefire=ceasefire_pairs(spec, new.ceasefire, len(world.actor_ids)),
                  active=war.active & ~new.settled, aid_factor=new.aid_factor)
    return war, new, rec


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
           rec: SessionRecord | None, world: World, day: int) -> Tally:
    live = before.active
    besieged = np.where(war.supplied, 0.0, war.civilians).sum(axis=1)
    captured = live & (war.control != before.control).any(axis=1)
    out = replace(
        t, last_capture_day=np.where(captured, day, t.last_capture_day),
        peak_besieged=np.maximum(t.peak_besieged, np.where(live, besieged, 0.0)),
        besieged_person_days=t.besieged_person_days + np.where(live, besieged, 0.0))
    if talks is None or rec is None:
        return out
    failed = live & rec.held & ~rec.settled
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
    if talks is not None:
        war, talks, rec = _talk(b.war, war, talks, world, link, day)
    return Batch(war, talks, _count(b.tally, b.war, war, talks, rec, world, day)), rec


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
        sh = _party_shares(b.war, world, link.spec)
        won = (sh >= 1.0 - 1e-9).any(axis=1)
        quiet = day - np.maximum(t.last_capture_day, 0) >= link.quiet_days
        frozen = b.talks.ceasefire & quiet
        code = np.where(frozen, PARTITION, np.where(won, VICTORY, code))
        when = np.where(frozen | won, np.maximum(t.last_capture_day, 0), when)
        settled = t.settled_day >= 0
        code = np.where(settled, SETTLEMENT, code)
        when = np.where(settled, t.settled_day, when)
    return code, when
