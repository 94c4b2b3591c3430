"""Ripeness from the battlefield at the level of the talks (issue 14), with hand-computed
values: the value of fighting on, beliefs learnt from battles over weeks, the costs a
stalemate makes felt, and the session where a range opens and why.

Observations are fed by hand (``test_talks_step``'s toy without its backer: gov and reb, a
mediator, talks from day 2 unless a test opens them earlier).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ripeness.talks import CAUSES, TalksNoise, TalksObs, TalksSpec, explain, sessions_frame
from ripeness.talks.beliefs import battle_belief, learned_drift, path_value
from ripeness.talks.session import Inputs, assess

from .test_talks_step import issue_raw, obs, run_days, toy_raw, toy_spec


def test_path_value_closed_form() -> None:
    """An unclipped linear path s(t) = x + t·d: (1 − δ) Σ δ^(t−1) s(t) + δ^H s(H) equals the
    geometric sums' closed form; δ = 1 gives the forecast itself."""
    x, d, h, delta = 0.4, 0.002, 90, 0.99
    geo = (1 - delta**h) / (1 - delta)
    ari = (1 - (h + 1) * delta**h + h * delta ** (h + 1)) / (1 - delta) ** 2
    want = (1 - delta) * (x * geo + d * ari) + delta**h * (x + h * d)
    end, value = path_value(np.array([x]), np.array([d]), h, np.array([delta]))
    assert end[0] == pytest.approx(x + h * d) and value[0] == pytest.approx(want, rel=1e-12)
    end1, value1 = path_value(np.array([x]), np.array([d]), h, np.array([1.0]))
    assert value1[0] == pytest.approx(end1[0])


@pytest.mark.parametrize("drift", [0.0, 0.004, 0.03])
def test_common_beliefs_waste_only_the_costs(drift: float) -> None:
    """With common beliefs (opposite drifts) the two values of fighting on sum to the stake
    on every path, clipped or not, so the range is exactly as wide as the costs (Fearon's
    [p − c_A, p + c_B]): discounting creates no range of its own."""
    spec = toy_spec(toy_raw(False), discount=np.full(2, 0.995), horizon=90, optimism=np.zeros(2))
    x = Inputs(np.array([[0.55, 0.45]]), np.array([[drift, -drift]]),
               np.array([[300.0, 500.0]]), np.ones((1, 2)))
    now = assess(spec, x)
    assert now.value.sum() == pytest.approx(1.0, abs=1e-12)
    assert 1.0 - now.reservation.sum() == pytest.approx(now.cost.sum())
    assert now.cost[0] == pytest.approx([0.01 * 0.3 * 90, 0.01 * 0.5 * 90])


def test_battle_belief_is_the_beta_posterior() -> None:
    """A prior of 0.6 worth 10 battles, then 7 won of 10: (6 + 7) / 20."""
    assert battle_belief(0.6, 10, 7, 3) == pytest.approx(13 / 20)
    assert learned_drift(0.01, 13 / 20) == pytest.approx(0.01 * 0.3)


def test_costs_a_stalemate_makes_felt() -> None:
    """Holding the front and a siege cost a share a day in proportion to the fraction of the
    party's fighters at the front and of its people besieged; the backers' pressure
    multiplies them; the parties feel them over weeks (smoothed from 0 at the rate λ)."""
    spec = toy_spec(toy_raw(False), horizon=30, belief_learning=np.full(2, 0.1))
    days = [dataclasses.replace(obs([0.6, 0.4], [0, 0]), front=np.array([[1.0, 0.5]]),
                                besieged=np.array([[0.0, 0.4]])) for _ in range(5)]
    _, recs = run_days(spec, days)
    felt = 1 - 0.9**5  # five daily updates from 0
    parts = recs[4].cost_parts[0]
    assert parts[:, 0] == pytest.approx([0.0, 0.0])  # no dead
    assert parts[:, 1] == pytest.approx([30 * 0.001 * felt, 30 * 0.001 * 0.5 * felt])
    assert parts[:, 2] == pytest.approx([0.0, 30 * 0.002 * 0.4 * felt])
    assert recs[4].cost[0] == pytest.approx(parts.sum(axis=-1))


def issue_spec(deaths_reb: float) -> tuple[list[TalksObs], TalksSpec]:
    return ([obs([0.6, 0.4], [10, deaths_reb]) for _ in range(3)],
            toy_spec(issue_raw(False), optimism=np.zeros(2)))


def test_a_losing_side_drops_its_indivisible_demand() -> None:
    """reb holds 'Assad goes' (worth 0.1 to it) indivisible. Shares 0.6 / 0.4, no drift,
    costs 0.01 per 1,000 dead over 30 days. Losing 400 a day, reb expects to lose 0.12 by
    fighting on, more than the demand is worth: it drops it, and the deal without it has a
    range 1 − 0.597 − 0.28 = 0.123 wide. Losing 200 a day (0.06 < 0.1) it holds the demand,
    which costs gov 0.3 if granted: no range either way (Powell 2006: indivisibility as a
    price, not a fact)."""
    days, spec = issue_spec(400)
    _, recs = run_days(spec, days)
    r = recs[2]
    assert not r.holds[0, 0, 1] and r.range_exists[0]
    assert r.width[0] == pytest.approx(1 - (0.6 - 0.003) - (0.4 - 0.12))
    assert r.settled[0] and r.package[0] == 0  # the demand was dropped, not granted
    days, spec = issue_spec(200)
    _, recs = run_days(spec, days)
    r = recs[2]
    assert r.holds[0, 0, 1] and not r.range_exists[0]
    assert r.counterfactual[0, 2] > 0  # divisible, it would have opened
    # the stalemate hurts (a split both prefer to fighting exists, margin > 0) but reb,
    # holding the demand, sees no way out: not ripe by Zartman's two conditions
    assert not r.ripe[0] and r.ripeness_margin[0] == pytest.approx(1 - 0.597 - 0.34)
    assert recs[2].ripeness_margin[0] > 0
    story = explain(sessions_frame(recs, spec), 0)
    assert any("By Zartman's test the conflict was not ripe" in line and "(no way out)" in line
               for line in story)


def stall_days() -> list[TalksObs]:
    """gov gains 0.02 of the stake a day on days 1-9 (from 0.40 to 0.58), then the front
    stops; both hold their whole force at the front from day 0; nobody dies."""
    out = []
    for d in range(40):
        share = 0.4 + 0.02 * min(d, 9)
        out.append(dataclasses.replace(obs([share, 1 - share], [0, 0]),
                                       front=np.ones((1, 2))))
    return out


def test_the_session_where_the_range_opens_and_why() -> None:
    """The trace of a stalled offensive, with a hand-derived opening day.

    Defaults: battle optimism 0.1 on a prior of 1/2 (0.6, worth 10 battles), pace prior
    0.005, λ = 0.05; here δ = 1 (value = forecast), H = 30, a session every day from day 0.
    After the offensive gov has won 9 battles: 15/19 against reb's 6/19, so the parties'
    forecasts overlap by H·pace·2·(21/19 − 1). The pace, 0.005·0.95⁹ + 0.02·(1 − 0.95⁹) on
    day 9, then decays by 0.95 a day; each party's felt front cost over H is
    H·0.001·(1 − 0.95^(t+1)). The range opens on the first day the costs exceed the overlap:
    the closed form below (day 20), and not before.
    """
    spec = toy_spec(toy_raw(False), optimism=np.zeros(2), belief_learning=np.full(2, 0.05),
                    estimate_noise=0.0, opens=0, horizon=30, suspend_after=10**6)
    _, recs = run_days(spec, stall_days())
    pace9 = 0.005 * 0.95**9 + 0.02 * (1 - 0.95**9)
    day = next(9 + s for s in range(1, 40)
               if 2 * pace9 * 0.95**s / 19 <= 0.001 * (1 - 0.95 ** (10 + s)))
    assert day == 20
    opened = [d for d, r in enumerate(recs) if r.range_exists[0]]
    assert opened[0] == day
    r = recs[day]
    assert r.p_battle[0] == pytest.approx([15 / 19, 6 / 19])
    assert r.pace[0] == pytest.approx([pace9 * 0.95**11] * 2)
    assert r.cost[0] == pytest.approx([30 * 0.001 * (1 - 0.95**21)] * 2)
    assert r.settled[0]  # an exact mediator proposes inside it at once
    before = recs[day - 1]
    assert before.cause[0] > 0 and before.width[0] < 0
    # Zartman's test on the parties' own beliefs turns ripe the same day: the pain (their
    # felt costs) overtakes their joint optimism (what they expect from fighting on beyond
    # the stake)
    assert next(d for d, rec in enumerate(recs) if rec.ripe[0]) == day
    for rec in (before, r):
        pain, optimism = rec.cost[0].sum(), rec.value[0].sum() - 1
        assert rec.ripeness_margin[0] == pytest.approx(pain - optimism)


def test_an_issue_is_the_cause_only_when_dropping_it_would_open_the_range() -> None:
    """reb holds 'Assad goes' while gov wins a battle a day (the shifting-power case of
    test_talks_step): dropping the issue alone would not open the range (the war's own gap
    remains), so the cause is the rising side's gains, the issue secondary. With the front
    frozen and reb losing 100 a day (0.03 over 30 days; doubled, still less than the issue
    is worth to it) only dropping the issue would open the range: the cause is the issue."""
    spec = toy_spec(issue_raw(False), optimism=np.zeros(2), belief_learning=np.full(2, 0.05))
    days = [obs([0.5 + 0.01 * d, 0.5 - 0.01 * d], [10, 10]) for d in range(4)]
    _, recs = run_days(spec, days)
    r = recs[3]
    assert r.holds[0, 0, 1] and r.counterfactual[0, 2] < 0
    assert CAUSES[r.cause[0]] == "shifting power"
    line = explain(sessions_frame(recs, spec), 0)[-1]
    assert ("Why: the dominant cause was shifting power: the issues set aside, the demands "
            f"still exceeded the stake by {-r.counterfactual[0, 2]:.3f}") in line
    assert "reb insists on 'assad-goes'" in line
    days, spec = issue_spec(100)
    _, recs = run_days(spec, days)
    assert recs[2].counterfactual[0, 2] == pytest.approx(1 - 0.597 - 0.37)
    assert CAUSES[recs[2].cause[0]] == "indivisible issue"


def test_the_explanation_names_the_session_where_the_range_opens_and_why() -> None:
    """The stalled offensive's story: on day 20 the range opened because the parties' joint
    optimism, H·pace·4/19 with δ = 1, fell below their felt costs, 2·H·0.001·(1 − 0.95^(t+1));
    the numbers of days 19 and 20 come from the closed forms of the trace above."""
    spec = toy_spec(toy_raw(False), optimism=np.zeros(2), belief_learning=np.full(2, 0.05),
                    estimate_noise=0.0, opens=0, horizon=30, suspend_after=10**6)
    _, recs = run_days(spec, stall_days())
    story = explain(sessions_frame(recs, spec), 0)
    pace9 = 0.005 * 0.95**9 + 0.02 * (1 - 0.95**9)
    opt = [30 * pace9 * 0.95**s * 4 / 19 for s in (10, 11)]
    pain = [2 * 30 * 0.001 * (1 - 0.95**t) for t in (20, 21)]
    line = next(s for s in story if s.startswith("Day 20 "))
    assert (f"The range opened (none at the previous session, day 19): the parties' joint "
            f"optimism fell from {opt[0]:+.3f} to {opt[1]:+.3f}") in line
    assert f"while their felt costs went from {pain[0]:.3f} to {pain[1]:.3f}" in line
    assert "All accepted." in line and "Settlement:" in line
    assert not any("The range opened" in s for s in story if not s.startswith("Day 20 "))


def test_ripeness_with_three_parties_needs_the_positive_parts_to_fit() -> None:
    """gov and reb, optimistic by 0.1, need 0.6 and 0.5; a third party losing 20,000 a day
    (costs 6 over 30 days) would accept any share but cannot pay them: no split fits, so the
    conflict is not ripe although the three continuation values sum to less than 1."""
    raw = toy_raw(False)
    raw["actors"].insert(2, {"id": "isis", "name": "ISIS", "kind": "belligerent",
                             "assumption": "toy"})
    raw["talks"]["parties"] = ["gov", "reb", "isis"]
    spec = toy_spec(raw, optimism=np.array([0.1, 0.1, 0.0]))
    days = [obs([0.5, 0.4, 0.1], [0, 0, 20000]) for _ in range(3)]
    _, recs = run_days(spec, days)
    r = recs[2]
    assert r.reservation[0] == pytest.approx([0.6, 0.5, 0.1 - 6.0])
    assert r.reservation[0].sum() < 1 and not r.ripe[0] and not r.range_exists[0]
    assert r.ripeness_margin[0] == pytest.approx(1 - 0.6 - 0.5)


def test_the_mediator_learns_from_a_refusal() -> None:
    """A range 0.04 wide (gov needs 0.58, reb 0.38, as in test_talks_step's trace). On days 2
    and 3 the mediator underestimates gov by one sd (0.05). Day 2: it offers gov
    0.53 + (1 − 0.53 − 0.38)/2 = 0.575, which gov refuses: it needs more than 0.575. Day 3:
    the same error, but its estimate of gov is now at least 0.575, so it offers gov
    0.575 + (1 − 0.575 − 0.38)/2 = 0.5975 and reb 0.4025: both accept. Without what the
    refusal revealed it would have repeated the day-2 offer."""
    spec = toy_spec(toy_raw(False), optimism=np.full(2, 0.1), suspend_after=10)
    days = [obs([0.6, 0.4], [400, 400]) for _ in range(4)]
    noise = [TalksNoise(np.array([[-1.0, 0.0]]), np.ones(1)) for _ in days]
    _, recs = run_days(spec, days, noise)
    assert recs[2].offer[0] == pytest.approx([0.575, 0.425])
    assert list(recs[2].accepted[0]) == [False, True]
    assert recs[3].offer[0] == pytest.approx([0.5975, 0.4025]) and recs[3].settled[0]
