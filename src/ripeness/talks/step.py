"""The talks' day: ``talks_init`` and ``talks_step``, pure and vectorised over runs.

Runs in different phases advance together: every quantity is computed for all runs and
masks (``np.where``) decide what changes. A day: update beliefs from the observed shares
and deaths; open, resume or close the talks; suspend on a sharp escalation; hold a session
where one is due (estimate, offer, accept or refuse, find the cause); settle; suspend after
``suspend_after`` sessions in a row with no range, and appeal to the backers; ceasefires
break down or are agreed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import backers as bk
from . import phases
from .bargaining import TIE, is_ripe
from .beliefs import (
    battle_belief,
    csf_ratio,
    learned_drift,
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
    deal_reservation,
    holds_issues,
    make_offer,
    package_required,
    revealed_floor,
    verdicts,
)
from .state import (
    CAUSES,
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
    power): its chance of winning a battle judged from the forces is then the ratio contest
    success function of its strength against the others' (``csf_decisiveness``); otherwise
    1/2. Each party's prior adds its ``battle_optimism`` to it.
    """
    k, s = spec.k, len(spec.sup_entry)
    prior = np.full((runs, k), 0.5)
    if strength is not None:
        m = np.asarray(strength, dtype=float)
        prior = csf_ratio(m, m.sum(axis=-1, keepdims=True) - m, spec.csf_decisiveness)[0]
    zeros_i = np.zeros(runs, dtype=np.int64)
    zeros = np.zeros((runs, k))
    return TalksState(
        phase=np.full(runs, NOT_OPEN, dtype=np.int8),
        next_session=np.full(runs, spec.opens, dtype=np.int64),
        resume_day=zeros_i, failures=zeros_i, sessions=zeros_i,
        prev_shares=np.full((runs, k), np.nan), pace=np.full((runs, k), spec.pace_prior),
        won=zeros, lost=zeros, prior_win=np.asarray(prior, dtype=float), dead_rate=zeros,
        front_rate=zeros, siege_rate=zeros, floor=np.full((runs, k), -np.inf),
        ceasefire=np.zeros(runs, dtype=bool),
        covered=np.zeros((runs, len(spec.np_client)), dtype=bool),
        terms=np.full((runs, k), np.nan),
        granted=np.zeros((runs, len(spec.issue_ids)), dtype=bool),
        pressed=np.zeros((runs, s), dtype=bool), cost_mult=np.ones((runs, k)),
        aid_factor=np.ones((runs, spec.n_support)), truce_broken=np.zeros(runs, dtype=bool),
        stage=zeros_i.copy(), calm=zeros_i.copy(), convened=np.zeros(runs, dtype=bool),
    )


class _Beliefs(NamedTuple):
    """Today's learnt beliefs, float64[run, K]: the day's change of share, the pace, battles
    won and lost, the felt rates of dead, front and siege."""

    change: Floats
    pace: Floats
    won: Floats
    lost: Floats
    dead_rate: Floats
    front_rate: Floats
    siege_rate: Floats


def _zeros_if_none(a: Floats | None, like: Floats) -> Floats:
    return np.zeros_like(like) if a is None else np.asarray(a, dtype=float)


def _beliefs(spec: TalksSpec, st: TalksState, obs: TalksObs) -> _Beliefs:
    """Update what each party has learnt from today's battlefield (over weeks: λ).

    A day under a ceasefire is no battle, nor is a day on which no party assaulted another's
    place (``obs.fought``; its forces were busy elsewhere): the pace and the record of
    battles won and lost stand where the fighting left them (a party learns from battles,
    Slantchev 2003; a pause says nothing of who would win). Nor does a quiet line hurt as a
    fought one does: the felt cost of holding the front fades while the guns are silent
    (Zartman 2000: a soft, stable stalemate is no hurting one). Sieges go on hurting."""
    first = np.isnan(st.prev_shares)
    calm = st.ceasefire[:, None]
    quiet = calm if obs.fought is None else calm | ~obs.fought[:, None]
    change = np.where(first, 0.0, obs.shares - st.prev_shares)
    lam = spec.belief_learning
    pace = np.where(first | quiet, st.pace, update_trend(st.pace, np.abs(change), lam))
    won = st.won + (~quiet & (change > spec.battle_threshold))
    lost = st.lost + (~quiet & (change < -spec.battle_threshold))
    front = np.where(calm, 0.0, _zeros_if_none(obs.front, obs.shares))
    siege = _zeros_if_none(obs.besieged, obs.shares)
    return _Beliefs(change, pace, won, lost, update_trend(st.dead_rate, obs.deaths, lam),
                    update_trend(st.front_rate, front, lam),
                    update_trend(st.siege_rate, siege, lam))


class _View(NamedTuple):
    """Each party's belief of winning a battle (with and without its optimism) and its
    drift, float64[run, K]."""

    p_battle: Floats
    drift: Floats
    drift0: Floats


def _view(spec: TalksSpec, st: TalksState, b: _Beliefs) -> _View:
    prior = np.clip(st.prior_win + spec.battle_optimism, 0.01, 0.99)
    p = battle_belief(prior, spec.prior_battles, b.won, b.lost)
    p0 = battle_belief(st.prior_win, spec.prior_battles, b.won, b.lost)
    return _View(p, learned_drift(b.pace, p), learned_drift(b.pace, p0))


class _Ripe(NamedTuple):
    p_win: Floats
    battles: Floats
    ripe: Bools
    margin: Floats


def _ripeness(spec: TalksSpec, share: Floats, p_battle: Floats, now: Assessment,
              width: Floats) -> _Ripe:
    """Zartman's test on each party's own beliefs (Zartman 2000: a mutually hurting
    stalemate and a perceived way out). The stalemate hurts when a split exists that every
    party prefers to fighting on, Σ max(V, 0) ≤ 1, with V the party's value of fighting on
    over the horizon less its felt cost (``is_ripe`` with the war's outcome at the horizon:
    δ = h = 1); its margin, 1 − Σ max(V, 0), is the pain Σ cost less the parties' joint
    optimism Σ value − 1 when every V is positive. The way out is a deal on the table the
    parties could all accept with the issues as they hold them (``width`` ≥ 0, the range of
    the best package): a side that still insists on an indivisible demand sees none, so
    the conflict is not ripe however much it hurts.

    Also each party's view of the war as a random walk of battles (N steps of the stake, won
    with its learnt chance): its chance of winning the whole stake, plus its fixed bias, and
    the expected battles to the end (recorded for the explanation)."""
    n = spec.walk_steps
    pos = np.clip(share, 0.0, 1.0) * n
    p_win = np.clip(walk_win_probability(p_battle, pos, n) + spec.optimism, 0.0, 1.0)
    battles = walk_expected_battles(p_battle, pos, n)
    # a party whose fighting on is worth less than nothing accepts any share but cannot pay
    # the others: the positive parts must fit in the stake (the same for two parties)
    rip = is_ripe(1.0, 1.0, np.maximum(now.value - now.cost, 0.0), 0.0)
    way_out = width >= -TIE
    return _Ripe(p_win, battles, rip.ripe & way_out, rip.margin)


class _Needs(NamedTuple):
    """What a settlement must give each party today, float64[run, K] (``deal``), and its
    least share under each package, float64[run, P, K] (``required``), the issues as held."""

    deal: Floats
    required: Floats


def _needs(spec: TalksSpec, now: Assessment, holds: Bools) -> _Needs:
    r_deal = deal_reservation(spec, now.reservation)
    return _Needs(r_deal, package_required(spec, r_deal, holds=holds))


def _prospect(spec: TalksSpec, needs: _Needs, holds: Bools, z: Floats) -> Bools:
    """bool[run]: does the mediator, sounding the parties (its estimate of their reservations
    today, with the issues as they hold them), see a bargaining range? The same estimate
    it would make at the table, with no refusal yet revealed."""
    sessions = np.zeros(len(needs.deal), dtype=np.int64)
    return make_offer(spec, needs.deal, needs.required, z, sessions, holds).found


def _schedule(spec: TalksSpec, st: TalksState, day: int, esc: Bools,
              prospect: Bools) -> dict[str, NDArray[Any]]:
    """Open, resume, close, suspend on escalation; which runs hold a session today.

    When a pause ends the mediator resumes only if it sees a range (``prospect``); if not it
    puts the talks off for another pause: a mediator does not convene for the sake of
    talking (Kleiboer 1996; Zartman 2000, the mediator's reading of ripeness). A phase that
    convenes the talks (``st.convened``) ends a suspension whatever the reading."""
    phase, nxt = st.phase.copy(), st.next_session.copy()
    opening = (phase == NOT_OPEN) & (day >= spec.opens)
    due = (phase == SUSPENDED) & (day >= st.resume_day)
    convened = np.zeros_like(due) if st.convened is None else st.convened
    resumed = due & (prospect | convened)
    deferred = due & ~resumed
    resume_day = np.where(deferred, day + spec.pause_days, st.resume_day)
    phase = np.where(opening | resumed, OPEN, phase).astype(np.int8)
    nxt = np.where(opening | resumed, day, nxt)
    live = (phase == NOT_OPEN) | (phase == OPEN) | (phase == SUSPENDED)
    phase = np.where(live & (day >= spec.closes), CLOSED, phase).astype(np.int8)
    escalated = (phase == OPEN) & esc
    phase = np.where(escalated, SUSPENDED, phase).astype(np.int8)
    held = (phase == OPEN) & (day >= nxt)
    return {"phase": phase, "next": nxt, "resumed": resumed, "deferred": deferred,
            "resume_day": resume_day, "escalated": escalated, "held": held}


class _Session(NamedTuple):
    """A session's result for every run (masked by ``held``)."""

    offer: Offer
    required: Floats
    ok: Bools
    margin: Floats
    deal: Bools
    veto: Bools
    width: Floats
    counterfactual: Floats
    war: Floats
    cause: NDArray[np.int8]
    hearing: Bools
    floor: Floats


def _hold(spec: TalksSpec, st: TalksState, x: Inputs, now: Assessment, needs: _Needs,
          holds: Bools, withheld: Bools, z: Floats, held: Bools) -> _Session:
    """Estimate, offer, accept or refuse, and find the dominant cause of a failure. A deal
    every party accepts still needs the guarantee of the backers that fly for them
    (``withheld`` bool[run, S])."""
    r_deal, true_req = needs
    best_pkg, need = best_package(true_req)
    fresh = st.phase != OPEN  # opening or resuming: the mediator starts over
    floor = np.where(fresh[:, None], -np.inf, st.floor)
    offer = make_offer(spec, r_deal, true_req, z, st.sessions, holds, floor)
    hearing = held & (st.sessions < spec.hearings)  # no proposal yet: the mediator listens
    offer = offer._replace(found=offer.found & ~hearing,
                           shares=np.where(hearing[:, None], np.nan, offer.shares))
    req, ok, margin = verdicts(offer, true_req)
    refused = (held & offer.found)[:, None] & ~ok
    floor = np.where(held[:, None], np.maximum(floor, revealed_floor(spec, offer, refused)),
                     st.floor)
    accepted = held & ok.all(axis=-1)
    veto = accepted[:, None] & withheld
    deal = accepted & ~veto.any(axis=-1)
    width = 1.0 - need
    cf, war = counterfactual_widths(spec, x, now.reservation)
    best_req = np.take_along_axis(true_req, best_pkg[:, None, None], axis=1)[:, 0, :]
    req = np.where(offer.found[:, None], req, best_req)
    cause = cause_of(held & ~deal & ~hearing, width, cf, war)
    cause = np.where(accepted & ~deal, CAUSES.index("backer's veto"), cause).astype(np.int8)
    return _Session(offer, req, ok, margin, deal, veto, width, cf, war, cause, hearing, floor)


def _outcome(spec: TalksSpec, st: TalksState, sch: dict[str, NDArray[Any]], ses: _Session,
             day: int) -> dict[str, NDArray[Any]]:
    """Settle, count sessions with no range found (or a deal a backer blocked), suspend and
    appeal to the backers."""
    held = sch["held"]
    counted = held & ~ses.hearing
    blocked = ~ses.offer.found | ses.veto.any(axis=-1)
    failures = np.where(counted, np.where(blocked, st.failures + 1, 0), st.failures)
    give_up = held & ~ses.deal & (failures >= spec.suspend_after)
    suspended = sch["escalated"] | give_up
    phase = np.where(ses.deal, SETTLED, np.where(give_up, SUSPENDED, sch["phase"]))
    return {
        "phase": phase.astype(np.int8),
        "resume_day": np.where(suspended, day + spec.pause_days, sch["resume_day"]),
        "failures": np.where(suspended, 0, failures),
        "suspended": suspended,
        "appealed": suspended & spec.appeal_to_backers,
    }


def _ceasefire(spec: TalksSpec, st: TalksState, obs: TalksObs, now: Assessment,
               esc: Bools, noise: TalksNoise, talks: Bools,
               held: Bools) -> dict[str, NDArray[Any]]:
    """Break a ceasefire (hazard, escalation, or a party that now expects more from
    fighting on than it holds: a side that is winning has no reason to keep the line);
    agree one where ``talks`` failed to settle and everyone consents; clients not at the
    table are bound as their backers agree. After a ceasefire breaks, only a session
    (``held``), not the backers' daily channel, can agree the next one: a broken truce is
    renegotiated at the table, so the fighting it lets loose runs until then."""
    cease = bk.seek_ceasefire(spec, now.reservation, obs.shares, obs.backer_satisfied)
    defect = cease.party_refused.any(axis=-1)
    broke = st.ceasefire & ((noise.ceasefire < spec.ceasefire_breakdown) | esc | defect)
    holding = st.ceasefire & ~broke
    agreed = talks & ~holding & cease.agree & (held | ~st.truce_broken)
    covered = np.where(agreed[:, None], cease.covered, st.covered & holding[:, None])
    return {"ceasefire": holding | agreed, "agreed": agreed, "broke": broke,
            "truce_broken": (st.truce_broken | broke) & ~held & ~agreed,
            "covered": covered, "party_refused": talks[:, None] & cease.party_refused,
            "backer_refused": talks[:, None] & cease.backer_refused}


def talks_step(state: TalksState, spec: TalksSpec, obs: TalksObs, day: int,
               noise: TalksNoise) -> tuple[TalksState, SessionRecord]:
    """Advance the talks of every run by one day (``day``: days since the scenario start)."""
    st = state
    base, spec = spec, phases.in_force(spec, st.stage)  # each run's phase of the talks
    b = _beliefs(spec, st, obs)
    view = _view(spec, st, b)
    esc = np.asarray((-b.change > spec.escalation).any(axis=-1))
    x = Inputs(obs.shares, view.drift, b.dead_rate, st.cost_mult, obs.forecast,
               b.front_rate, b.siege_rate, view.drift0)
    now = assess(spec, x)
    holds = holds_issues(spec, obs.shares, now.reservation)
    needs = _needs(spec, now, holds)
    due = (st.phase == SUSPENDED) & (day >= st.resume_day)  # a pause ends: sound the parties
    prospect = (_prospect(spec, needs, holds, noise.estimate) if due.any()
                else np.zeros(len(due), dtype=bool))
    sch = _schedule(spec, st, day, esc, prospect)
    held = sch["held"]
    withheld = bk.guarantee_withheld(spec, obs.backer_satisfied)
    ses = _hold(spec, st, x, now, needs, holds, withheld, noise.estimate, held)
    out = _outcome(spec, st, sch, ses, day)
    alive = (sch["phase"] == OPEN) | (sch["phase"] == SUSPENDED)
    channel = spec.backer_channel & alive & ~held  # the backers' own channel, between sessions
    at_table = held | out["appealed"] | channel  # backers re-decide on their aims
    # backers judge their clients' momentum by the evidence, not by their clients' hopes
    pressed = np.where(at_table[:, None],
                       bk.served(spec, obs.backer_satisfied, view.drift0), st.pressed)
    restrain = bk.restrained(spec, pressed, obs.backer_satisfied, view.drift0)
    cf = _ceasefire(spec, st, obs, now, esc, noise, (held & ~ses.deal) | channel, held)
    new = TalksState(
        phase=out["phase"], next_session=np.where(held, day + spec.every, sch["next"]),
        resume_day=out["resume_day"], failures=out["failures"], sessions=st.sessions + held,
        prev_shares=obs.shares.copy(), pace=b.pace, won=b.won, lost=b.lost,
        prior_win=st.prior_win, dead_rate=b.dead_rate, front_rate=b.front_rate,
        siege_rate=b.siege_rate, floor=ses.floor, ceasefire=cf["ceasefire"] & ~ses.deal,
        covered=cf["covered"] & ~ses.deal[:, None],
        terms=np.where(ses.deal[:, None], ses.offer.shares, st.terms),
        granted=np.where(ses.deal[:, None], spec.packages[ses.offer.package], st.granted),
        pressed=pressed, cost_mult=bk.cost_multiplier(spec, pressed),
        aid_factor=bk.aid_factor(spec, restrain), truce_broken=cf["truce_broken"],
    )
    new = phases.advance(base, st, new, day)
    rip = _ripeness(spec, obs.shares, view.p_battle, now, ses.width)
    day_view = _DayView(b, view, holds, rip, esc, restrain)
    rec = _record(spec, day, obs, now, sch, ses, out, cf, day_view, new)
    return new, rec if base.stages is None else replace(rec, stage=st.stage)


class _DayView(NamedTuple):
    """What the record keeps of the day's beliefs and diagnostic."""

    beliefs: _Beliefs
    view: _View
    holds: Bools
    rip: _Ripe
    esc: Bools
    restrained: Bools


def _record(spec: TalksSpec, day: int, obs: TalksObs, now: Assessment, sch: dict[str, NDArray[Any]],
            ses: _Session, out: dict[str, NDArray[Any]], cf: dict[str, NDArray[Any]],
            dv: _DayView, new: TalksState) -> SessionRecord:
    """The day's record (per-party session fields are NaN / False where no session)."""
    held, o, rip = sch["held"], ses.offer, dv.rip
    pkg = np.where(held & o.found, o.package, -1)
    adj = np.where((pkg >= 0)[:, None], spec.package_adjust[o.package], 0.0)
    return SessionRecord(
        day=day, phase=new.phase, share=obs.shares, forecast=now.forecast, value=now.value,
        cost=now.cost, cost_parts=now.parts, reservation=now.reservation,
        drift=dv.view.drift, pace=dv.beliefs.pace, p_battle=dv.view.p_battle,
        holds=dv.holds, escalation=dv.esc, suspended=out["suspended"],
        resumed=sch["resumed"], deferred=sch["deferred"], appealed=out["appealed"],
        ceasefire=new.ceasefire,
        ceasefire_agreed=cf["agreed"], ceasefire_broke=cf["broke"], settled=ses.deal,
        p_win=rip.p_win, expected_battles=rip.battles, ripe=rip.ripe,
        ripeness_margin=rip.margin, pressed=new.pressed, restrained=dv.restrained,
        aim_met=obs.backer_satisfied,
        held=held, hearing=ses.hearing, package=pkg, required=ses.required, issue_adj=adj,
        estimate=o.estimate, estimated_range=held & o.found,
        range_exists=ses.width >= -TIE, width=ses.width,
        offer=np.where(held[:, None], o.shares, np.nan), accepted=held[:, None] & ses.ok,
        margin=np.where(held[:, None], ses.margin, np.nan),
        proposer=np.where(held, o.proposer, -1), backer_veto=ses.veto,
        cause=ses.cause, counterfactual=ses.counterfactual, counterfactual_war=ses.war,
        ceasefire_refused=cf["party_refused"], backer_refused=cf["backer_refused"],
    )
