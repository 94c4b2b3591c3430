"""The talks' day: ``talks_init`` and ``talks_step``, pure and vectorised over runs.

Runs in different phases advance together: every quantity is computed for all runs and
masks (``np.where``) decide what changes. A day: update beliefs from the observed shares
and deaths; open, resume or close the talks; suspend on a sharp escalation; hold a session
where one is due (estimate, offer, accept or refuse, find the cause); settle; suspend after
``suspend_after`` sessions in a row with no range, and appeal to the backers; ceasefires
break down or are agreed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import backers as bk
from .bargaining import TIE, is_ripe
from .beliefs import (
    bayes_step,
    csf_ratio,
    predictive_win,
    update_trend,
    walk_expected_battles,
    walk_win_probability,
)
from .compile import TalksSpec
from .session import (
    Assessment,
    Inputs,
    Offer,
    assess,
    best_package,
    cause_of,
    counterfactual_widths,
    make_offer,
    package_required,
    verdicts,
)
from .state import (
    CLOSED,
    NOT_OPEN,
    OPEN,
    SETTLED,
    SUSPENDED,
    SessionRecord,
    TalksNoise,
    TalksObs,
    TalksState,
)

__all__ = ["talks_init", "talks_step"]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


def talks_init(spec: TalksSpec, runs: int, strength: Floats | None = None) -> TalksState:
    """Talks not yet open in ``runs`` runs.

    strength: optional float64[run, K], each party's initial force (fighters or combat
    power): its prior belief of being the strong side is then the ratio contest success
    function of its strength against the others' (``csf_decisiveness``); otherwise
    ``prior_strong``.
    """
    k, s = spec.k, len(spec.sup_entry)
    prior = np.broadcast_to(spec.prior_strong, (runs, k)).copy()
    if strength is not None:
        m = np.asarray(strength, dtype=float)
        prior = csf_ratio(m, m.sum(axis=-1, keepdims=True) - m, spec.csf_decisiveness)[0]
    zeros_i = np.zeros(runs, dtype=np.int64)
    return TalksState(
        phase=np.full(runs, NOT_OPEN, dtype=np.int8),
        next_session=np.full(runs, spec.opens, dtype=np.int64),
        resume_day=zeros_i, failures=zeros_i, sessions=zeros_i,
        prev_shares=np.full((runs, k), np.nan), trend=np.zeros((runs, k)),
        death_rate=np.zeros((runs, k)), strong=prior,
        ceasefire=np.zeros(runs, dtype=bool), terms=np.full((runs, k), np.nan),
        granted=np.zeros((runs, len(spec.issue_ids)), dtype=bool),
        pressed=np.zeros((runs, s), dtype=bool), cost_mult=np.ones((runs, k)),
        aid_factor=np.ones((runs, spec.n_support)),
    )


def _beliefs(spec: TalksSpec, st: TalksState, obs: TalksObs) -> tuple[Floats, ...]:
    """Today's share change, trend, death rate and strength belief, float64[run, K]."""
    change = np.where(np.isnan(st.prev_shares), 0.0, obs.shares - st.prev_shares)
    lam = spec.belief_learning
    first = np.isnan(st.prev_shares)
    trend = update_trend(st.trend, change, lam)
    rate = np.where(first, obs.deaths, update_trend(st.death_rate, obs.deaths, lam))
    won, lost = change > spec.battle_threshold, change < -spec.battle_threshold
    strong = bayes_step(st.strong, spec.pi_strong, spec.pi_weak, won, lost)
    return change, trend, rate, strong


class _Ripe(NamedTuple):
    p_win: Floats
    battles: Floats
    ripe: Bools
    margin: Floats


def _ripeness(spec: TalksSpec, share: Floats, strong: Floats, rate: Floats,
              cost_mult: Floats) -> _Ripe:
    """Each party's random-walk view of the war (plus its optimism) and the ripeness test."""
    pi = predictive_win(strong, spec.pi_strong, spec.pi_weak)
    pos = np.clip(share, 0.0, 1.0) * spec.walk_steps
    p_win = np.clip(walk_win_probability(pi, pos, spec.walk_steps) + spec.optimism, 0.0, 1.0)
    battles = walk_expected_battles(pi, pos, spec.walk_steps)
    daily = cost_mult * spec.cost_per_thousand_dead * rate / 1000.0
    rip = is_ripe(spec.discount, 1.0 / np.maximum(battles, 1.0), p_win, daily)
    return _Ripe(p_win, battles, rip.ripe, rip.margin)


def _schedule(spec: TalksSpec, st: TalksState, day: int, esc: Bools) -> dict[str, NDArray[Any]]:
    """Open, resume, close, suspend on escalation; which runs hold a session today."""
    phase, nxt = st.phase.copy(), st.next_session.copy()
    opening = (phase == NOT_OPEN) & (day >= spec.opens)
    resumed = (phase == SUSPENDED) & (day >= st.resume_day)
    phase = np.where(opening | resumed, OPEN, phase).astype(np.int8)
    nxt = np.where(opening | resumed, day, nxt)
    live = (phase == NOT_OPEN) | (phase == OPEN) | (phase == SUSPENDED)
    phase = np.where(live & (day >= spec.closes), CLOSED, phase).astype(np.int8)
    escalated = (phase == OPEN) & esc
    phase = np.where(escalated, SUSPENDED, phase).astype(np.int8)
    held = (phase == OPEN) & (day >= nxt)
    return {"phase": phase, "next": nxt, "resumed": resumed, "escalated": escalated,
            "held": held}


class _Session(NamedTuple):
    """A session's result for every run (masked by ``held``)."""

    offer: Offer
    required: Floats
    ok: Bools
    margin: Floats
    deal: Bools
    width: Floats
    counterfactual: Floats
    cause: NDArray[np.int8]
    hearing: Bools


def _hold(spec: TalksSpec, st: TalksState, x: Inputs, now: Assessment, z: Floats,
          held: Bools) -> _Session:
    """Estimate, offer, accept or refuse, and find the dominant cause of a failure."""
    true_req = package_required(spec, now.reservation)
    best_pkg, need = best_package(true_req)
    offer = make_offer(spec, now.reservation, true_req, z, st.sessions)
    hearing = held & (st.sessions < spec.hearings)  # no proposal yet: the mediator listens
    offer = offer._replace(found=offer.found & ~hearing,
                           shares=np.where(hearing[:, None], np.nan, offer.shares))
    req, ok, margin = verdicts(offer, true_req)
    deal = held & ok.all(axis=-1)
    width = 1.0 - need
    cf = counterfactual_widths(spec, x, now.reservation)
    best_req = np.take_along_axis(true_req, best_pkg[:, None, None], axis=1)[:, 0, :]
    req = np.where(offer.found[:, None], req, best_req)
    return _Session(offer, req, ok, margin, deal, width, cf,
                    cause_of(held & ~deal & ~hearing, width, cf), hearing)


def _outcome(spec: TalksSpec, st: TalksState, sch: dict[str, NDArray[Any]], ses: _Session,
             day: int) -> dict[str, NDArray[Any]]:
    """Settle, count sessions with no range found, suspend and appeal to the backers."""
    held = sch["held"]
    counted = held & ~ses.hearing
    failures = np.where(counted, np.where(ses.offer.found, 0, st.failures + 1), st.failures)
    give_up = held & ~ses.deal & (failures >= spec.suspend_after)
    suspended = sch["escalated"] | give_up
    phase = np.where(ses.deal, SETTLED, np.where(give_up, SUSPENDED, sch["phase"]))
    return {
        "phase": phase.astype(np.int8),
        "resume_day": np.where(suspended, day + spec.pause_days, st.resume_day),
        "failures": np.where(suspended, 0, failures),
        "suspended": suspended,
        "appealed": suspended & spec.appeal_to_backers,
    }


def _ceasefire(spec: TalksSpec, st: TalksState, obs: TalksObs, now: Assessment,
               esc: Bools, noise: TalksNoise, talks: Bools) -> dict[str, NDArray[Any]]:
    """Break a ceasefire (hazard or escalation); agree one where ``talks`` failed to settle
    and everyone consents."""
    cease = bk.seek_ceasefire(spec, now.reservation, obs.shares, obs.backer_satisfied)
    broke = st.ceasefire & ((noise.ceasefire < spec.ceasefire_breakdown) | esc)
    holding = st.ceasefire & ~broke
    agreed = talks & ~holding & cease.agree
    return {"ceasefire": holding | agreed, "agreed": agreed, "broke": broke,
            "party_refused": talks[:, None] & cease.party_refused,
            "backer_refused": talks[:, None] & cease.backer_refused}


def talks_step(state: TalksState, spec: TalksSpec, obs: TalksObs, day: int,
               noise: TalksNoise) -> tuple[TalksState, SessionRecord]:
    """Advance the talks of every run by one day (``day``: days since the scenario start)."""
    st = state
    change, trend, rate, strong = _beliefs(spec, st, obs)
    esc = np.asarray((-change > spec.escalation).any(axis=-1))
    sch = _schedule(spec, st, day, esc)
    held = sch["held"]
    x = Inputs(obs.shares, trend, rate, st.cost_mult, obs.forecast)
    now = assess(spec, x)
    ses = _hold(spec, st, x, now, noise.estimate, held)
    out = _outcome(spec, st, sch, ses, day)
    pressed = np.where(out["appealed"][:, None],
                       bk.served(spec, obs.backer_satisfied, trend), st.pressed)
    alive = (sch["phase"] == OPEN) | (sch["phase"] == SUSPENDED)
    channel = spec.backer_channel & alive & ~held  # the backers' own channel, between sessions
    cf = _ceasefire(spec, st, obs, now, esc, noise, (held & ~ses.deal) | channel)
    new = TalksState(
        phase=out["phase"], next_session=np.where(held, day + spec.every, sch["next"]),
        resume_day=out["resume_day"], failures=out["failures"], sessions=st.sessions + held,
        prev_shares=obs.shares.copy(), trend=trend, death_rate=rate, strong=strong,
        ceasefire=cf["ceasefire"] & ~ses.deal,
        terms=np.where(ses.deal[:, None], ses.offer.shares, st.terms),
        granted=np.where(ses.deal[:, None], spec.packages[ses.offer.package], st.granted),
        pressed=pressed, cost_mult=bk.cost_multiplier(spec, pressed),
        aid_factor=bk.aid_factor(spec, pressed),
    )
    rip = _ripeness(spec, obs.shares, strong, rate, st.cost_mult)
    return new, _record(day, obs, now, sch, ses, out, cf, esc, rip, new)


def _record(day: int, obs: TalksObs, now: Assessment, sch: dict[str, NDArray[Any]], ses: _Session,
            out: dict[str, NDArray[Any]], cf: dict[str, NDArray[Any]], esc: Bools,
            rip: _Ripe, new: TalksState) -> SessionRecord:
    """The day's record (per-party session fields are NaN / False where no session)."""
    held, o = sch["held"], ses.offer
    return SessionRecord(
        day=day, phase=new.phase, share=obs.shares, forecast=now.forecast, cost=now.cost,
        reservation=now.reservation, escalation=esc, suspended=out["suspended"],
        resumed=sch["resumed"], appealed=out["appealed"], ceasefire=new.ceasefire,
        ceasefire_agreed=cf["agreed"], ceasefire_broke=cf["broke"], settled=ses.deal,
        p_win=rip.p_win, expected_battles=rip.battles, ripe=rip.ripe,
        ripeness_margin=rip.margin,
        held=held, hearing=ses.hearing,
        package=np.where(held & o.found, o.package, -1), required=ses.required,
        estimate=o.estimate, estimated_range=held & o.found,
        range_exists=ses.width >= -TIE, width=ses.width,
        offer=np.where(held[:, None], o.shares, np.nan), accepted=held[:, None] & ses.ok,
        margin=np.where(held[:, None], ses.margin, np.nan),
        proposer=np.where(held, o.proposer, -1), cause=ses.cause,
        counterfactual=ses.counterfactual, ceasefire_refused=cf["party_refused"],
        backer_refused=cf["backer_refused"],
    )
