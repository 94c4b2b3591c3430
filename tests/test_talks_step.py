"""The talks' day on a two-party toy fed with fake observations: compile, step, explain."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ripeness.talks as talks
from ripeness.errors import ScenarioError
from ripeness.scenario import from_raw
from ripeness.talks import (
    CAUSES,
    PHASES,
    SessionRecord,
    TalksNoise,
    TalksObs,
    TalksSpec,
    TalksState,
    ceasefire_pairs,
    compile_talks,
    explain,
    sessions_frame,
    talks_init,
    talks_step,
)

TOY = Path(__file__).parent / "data" / "toy.toml"


def toy_raw(backer: bool = True, **talks_kw: Any) -> dict[str, Any]:
    """The toy (gov vs reb) with a backer (Russia, limited aim: hold the enclave) flying
    sorties for gov (unless ``backer`` is False), and talks from day 2 (2016-02-03)."""
    raw = tomllib.loads(TOY.read_text())
    if backer:
        raw["actors"].append({"id": "rus", "name": "Russia", "kind": "backer",
                              "assumption": "toy", "objective": {
                                  "kind": "limited", "hold": ["enclave"], "assumption": "toy"}})
        raw["support"] = [{"backer": "rus", "client": "gov", "sorties_per_day": 20,
                           "assumption": "toy"}]
    raw["talks"] = {"mediator": "un", "parties": ["gov", "reb"], "opens": dt.date(2016, 2, 3),
                    "pause_days": 5, "suspend_after": 2, "escalation": 0.2,
                    "estimate_noise": 0.05, "forecast_horizon_days": 30, "assumption": "toy",
                    **talks_kw}
    raw["parameters"] = {"discount": 1.0, "belief_learning": 1.0, "assumption": "toy"}
    for actor in raw["actors"][:2]:
        actor["params"] = {"optimism": 0.1}
    return raw


def toy_spec(raw: dict[str, Any] | None = None, **changes: Any) -> TalksSpec:
    spec = compile_talks(from_raw(raw or toy_raw()).scenario)
    assert spec is not None
    return dataclasses.replace(spec, **changes)


def obs(shares: Any, deaths: Any, runs: int = 1, satisfied: bool = True) -> TalksObs:
    """A day's observation; ``satisfied``: Russia's limited aim is met (it then guarantees a
    deal; unmet, it withholds its guarantee and vetoes ceasefires)."""
    return TalksObs(np.tile(np.asarray(shares, dtype=float), (runs, 1)),
                    np.tile(np.asarray(deaths, dtype=float), (runs, 1)),
                    np.full((runs, 1), satisfied))


def run_days(spec: TalksSpec, days: list[TalksObs], noise: list[TalksNoise] | None = None,
             state: TalksState | None = None) -> tuple[TalksState, list[SessionRecord]]:
    runs = days[0].shares.shape[0]
    st_ = talks_init(spec, runs) if state is None else state
    recs = []
    for day, o in enumerate(days):
        nz = noise[day] if noise else TalksNoise.quiet(runs, spec.k)
        st_, rec = talks_step(st_, spec, o, day, nz)
        recs.append(rec)
    return st_, recs


def test_compile_reads_talks_and_resolves_parameters() -> None:
    raw = toy_raw()
    raw["actors"][1]["params"] = {"optimism": 0.2, "risk_exponent": 0.5}
    spec = toy_spec(raw)
    assert spec.party_ids == ("gov", "reb") and list(spec.party) == [0, 1]
    assert spec.opens == 2 and spec.horizon == 30 and spec.pause_days == 5
    assert list(spec.optimism) == [0.1, 0.2]  # actor params beat everything
    assert list(spec.discount) == [1.0, 1.0]  # [parameters] beats the registry
    assert list(spec.risk_exponent) == [1.0, 0.5]
    assert spec.backer_ids == ("rus",) and list(spec.sup_fights) == [True]
    raw.pop("talks")
    assert compile_talks(from_raw(raw).scenario) is None


def test_alternating_needs_two_parties() -> None:
    raw = toy_raw(protocol="alternating")
    raw["actors"].insert(2, {"id": "isis", "name": "ISIS", "kind": "belligerent",
                             "assumption": "toy"})
    raw["talks"]["parties"] = ["gov", "reb", "isis"]
    with pytest.raises(ScenarioError, match="exactly two parties"):
        from_raw(raw)  # rejected when the scenario is validated, before any run


def test_event_trace() -> None:
    """Sessions, refusals, a suspension, the resumption and a settlement, day by day.

    Both parties are optimistic by 0.1 and fighting is light (10 dead a day each), so each
    needs its share plus 0.1 minus tiny costs (0.003 over 30 days): gov 0.697, reb 0.497;
    together 1.194 > 1, no range. Day 0-1: talks not open. Day 2: first session, no range,
    no offer. Day 3: second session in a row without a range -> suspended for 5 days (to day
    8), appeal to the backers (Russia's limited aim is unmet: it does not press). Days 4-7:
    suspended; from day 6 the battlefield turns bloody (400 dead a day each), so costs over
    30 days rise to 0.12: gov needs 0.58, reb 0.38, a range of width 0.04 opens. Day 8: the
    talks resume and a session is held, but the mediator underestimates gov's reservation by
    one sd (0.05): it offers gov 0.575 and reb 0.425; gov refuses, short by 0.005 (cause:
    private information). Day 9: an exact estimate: gov 0.6, reb 0.4, both accept, and
    Russia, whose aim is met that day, guarantees the deal -> settled. Day 10: settled, no
    more sessions.
    """
    spec = toy_spec()
    days = [obs([0.6, 0.4], [10, 10] if d < 6 else [400, 400], satisfied=d >= 9)
            for d in range(11)]
    noise = [TalksNoise.quiet(1, 2) for _ in days]
    noise[8] = TalksNoise(np.array([[-1.0, 0.0]]), np.ones(1))
    state, recs = run_days(spec, days, noise)

    held = [d for d, r in enumerate(recs) if r.held[0]]
    assert held == [2, 3, 8, 9]
    assert [PHASES[r.phase[0]] for r in recs] == (
        ["not open"] * 2 + ["open"] + ["suspended"] * 5 + ["open"] + ["settled"] * 2)
    assert recs[2].required[0] == pytest.approx([0.697, 0.497])
    for d in (2, 3):
        assert not recs[d].range_exists[0] and not recs[d].estimated_range[0]
        assert np.isnan(recs[d].offer[0]).all()
        assert CAUSES[recs[d].cause[0]] == "optimism"
        assert recs[d].width[0] == pytest.approx(-0.194)
    assert recs[3].suspended[0] and recs[3].appealed[0] and not recs[3].pressed[0].any()
    assert recs[8].resumed[0] and recs[8].range_exists[0]
    assert recs[8].width[0] == pytest.approx(0.04)
    assert recs[8].offer[0] == pytest.approx([0.575, 0.425])
    assert list(recs[8].accepted[0]) == [False, True]
    assert recs[8].margin[0, 0] == pytest.approx(-0.005)
    assert CAUSES[recs[8].cause[0]] == "private information"
    assert recs[9].settled[0] and recs[9].offer[0] == pytest.approx([0.6, 0.4])
    assert state.terms[0] == pytest.approx([0.6, 0.4]) and state.settled[0]
    assert sum(r.settled[0] for r in recs) == 1


def test_story_and_frame_tell_the_trace(tmp_path: Path) -> None:
    """The session table round-trips through Parquet and the story is told from it."""
    spec = toy_spec()
    days = [obs([0.6, 0.4], [10, 10] if d < 6 else [400, 400], satisfied=d >= 8)
            for d in range(11)]
    _, recs = run_days(spec, days)
    frame = sessions_frame(recs, spec)
    frame.to_parquet(tmp_path / "sessions.parquet")
    story = explain(pd.read_parquet(tmp_path / "sessions.parquet"), 0)
    assert story == explain(frame, 0)
    assert story[0].startswith("Talks between gov, reb under the mediator protocol")
    assert any("suspended the talks until day 8" in s for s in story)
    assert any("optimism" in s and "0.194" in s for s in story)
    assert story[-1].startswith("Day 8 (2016-02-09): The talks resumed.")
    assert ("gov holds 0.600 and expects 0.700 in 30 days (drift +0.0000/day" in story[-1]
            and "so fighting on is worth 0.700 to it, less felt costs 0.120 (dead 0.120, "
            "front 0.000, siege 0.000): it needs 0.580" in story[-1])
    assert "Settlement: gov 0.600, reb 0.400" in story[-1]
    assert list(frame["day"]) == [2, 3, 8]
    assert list(frame["cause"]) == ["optimism", "optimism", "none"]
    assert frame["offer[gov]"].iloc[-1] == pytest.approx(0.6)
    assert explain(frame, 5) == ["No session of talks between gov, reb was held in run 5."]


def test_escalation_suspends_and_breaks_ceasefire() -> None:
    """A party losing more than ``escalation`` of the stake in a day halts the talks."""
    spec = toy_spec()
    days = [obs([0.6, 0.4], [10, 10]) for _ in range(3)] + [obs([0.85, 0.15], [10, 10])]
    _, recs = run_days(spec, days)
    assert recs[3].escalation[0] and recs[3].suspended[0] and not recs[3].held[0]
    assert PHASES[recs[3].phase[0]] == "suspended"


def test_rising_side_demands_more_shifting_power() -> None:
    """gov wins a battle (0.01 of the stake) every day. By day 3 it has won 3 of 3: with a
    prior of 0.6 worth 10 battles its chance is (6 + 3) / 13, reb's 6 / 13; the pace, learnt
    at 0.05 a day from the prior 0.005, is 0.005·0.95³ + 0.01·(1 − 0.95³). gov expects to
    gain pace·(2·9/13 − 1) a day, reb to lose pace·(1 − 2·6/13): their forecasts over 30 days
    overlap by more than the light costs, so no range; without the rising side's gains the
    range would open widest: the cause is shifting power, and gov refuses a ceasefire."""
    spec = toy_spec(optimism=np.zeros(2), belief_learning=np.full(2, 0.05))
    days = [obs([0.5 + 0.01 * d, 0.5 - 0.01 * d], [10, 10]) for d in range(4)]
    _, recs = run_days(spec, days)
    r = recs[3]
    pace = 0.005 * 0.95**3 + 0.01 * (1 - 0.95**3)
    assert r.pace[0] == pytest.approx([pace, pace])
    assert r.p_battle[0] == pytest.approx([9 / 13, 6 / 13])
    assert r.drift[0] == pytest.approx([pace * (18 / 13 - 1), pace * (12 / 13 - 1)])
    assert r.forecast[0, 0] == pytest.approx(0.53 + 30 * pace * 5 / 13)
    assert not r.range_exists[0] and CAUSES[r.cause[0]] == "shifting power"
    assert r.ceasefire_refused[0, 0] and not r.ceasefire_refused[0, 1]


def issue_raw(backer: bool = True) -> dict[str, Any]:
    """The toy with reb holding 'Assad goes' indivisible; granting it costs gov 0.3."""
    raw = toy_raw(backer)
    raw["issues"] = [{"id": "assad-goes", "title": "Assad goes", "demanded_by": "reb",
                      "value": {"gov": 0.3, "reb": 0.1}, "indivisible": ["reb"],
                      "assumption": "toy"}]
    return raw


def test_indivisible_issue_empties_the_range() -> None:
    """Without the issue reb refuses; with it gov needs 0.3 more: no deal either way."""
    spec = toy_spec(issue_raw(), optimism=np.zeros(2))
    _, recs = run_days(spec, [obs([0.6, 0.4], [10, 10]) for _ in range(3)])
    r = recs[2]
    assert not r.range_exists[0] and CAUSES[r.cause[0]] == "indivisible issue"
    assert r.counterfactual[0, 2] == pytest.approx(0.006)


def test_backers_veto_then_press_and_allow_a_ceasefire() -> None:
    """No deal (the indivisible issue), yet neither party expects to gain by fighting, so
    both would freeze the lines. Russia flies sorties for gov: while its limited aim is
    unmet it vetoes the ceasefire; once met, it consents (a de facto partition) and presses
    gov at the table (cost times backer_pressure); gov is not gaining ground, so Russia keeps
    its aid."""
    spec = toy_spec(issue_raw(), optimism=np.zeros(2), suspend_after=1)
    _, recs = run_days(spec, [obs([0.6, 0.4], [10, 10], satisfied=False) for _ in range(3)])
    assert not recs[2].ceasefire_refused[0].any()
    assert recs[2].backer_refused[0, 0] and not recs[2].ceasefire[0]
    sat = [obs([0.6, 0.4], [10, 10], satisfied=True) for _ in range(3)]
    state, recs = run_days(spec, sat)
    assert recs[2].ceasefire_agreed[0] and state.ceasefire[0]
    assert recs[2].appealed[0] and state.pressed[0, 0]
    assert state.cost_mult[0] == pytest.approx([spec.backer_pressure, 1.0])
    assert state.aid_factor[0] == pytest.approx([1.0])
    pairs = ceasefire_pairs(spec, state.ceasefire, 4)
    assert pairs[0, 0, 1] and pairs[0, 1, 0] and not pairs[0, 0, 0] and not pairs[0, 2, 3]


def test_ceasefire_breaks_down_on_a_low_draw() -> None:
    spec = toy_spec(issue_raw(), optimism=np.zeros(2), suspend_after=3)
    sat = [obs([0.6, 0.4], [10, 10], satisfied=True) for _ in range(4)]
    noise = [TalksNoise.quiet(1, 2) for _ in sat]
    noise[3] = TalksNoise(np.zeros((1, 2)), np.zeros(1))
    _, recs = run_days(spec, sat, noise)
    assert recs[2].ceasefire[0] and recs[3].ceasefire_broke[0]
    assert recs[3].ceasefire_agreed[0]  # day 3's session agrees a new one at once


@pytest.mark.parametrize("protocol", ["mediator", "alternating", "nash"])
def test_protocols_settle_inside_the_range(protocol: str) -> None:
    spec = toy_spec(toy_raw(protocol=protocol), optimism=np.zeros(2), estimate_noise=0.0)
    _, recs = run_days(spec, [obs([0.6, 0.4], [100, 100]) for _ in range(3)])
    r = recs[2]
    assert r.settled[0] and (r.offer[0] >= r.required[0] - 1e-12).all()
    assert r.offer[0].sum() == pytest.approx(1.0)
    if protocol == "alternating":
        # patient parties, gov's war option (0.57) binds: it gets just that (outside-option
        # principle), not a share of the surplus
        assert r.proposer[0] == 0 and r.offer[0, 0] == pytest.approx(0.57)


@settings(max_examples=40, deadline=None)
@given(share=st.floats(0.05, 0.95), opt=st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)),
       dead=st.floats(0, 2000), z=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
       protocol=st.sampled_from(["mediator", "alternating", "nash"]))
def test_a_settlement_lies_inside_every_signatorys_range(
        share: float, opt: tuple[float, float], dead: float, z: tuple[float, float],
        protocol: str) -> None:
    spec = toy_spec(toy_raw(protocol=protocol), optimism=np.array(opt))
    noise = [TalksNoise(np.array([z]), np.ones(1)) for _ in range(3)]
    _, recs = run_days(spec, [obs([share, 1 - share], [dead, dead]) for _ in range(3)],
                           noise)
    for r in recs:
        if r.settled[0]:
            assert (r.offer[0] >= r.required[0] - 1e-12).all()
            assert r.offer[0].sum() <= 1.0 + 1e-9
            assert r.range_exists[0]
        if r.held[0] and not r.settled[0]:
            assert r.cause[0] > 0


def test_runs_are_batch_invariant() -> None:
    """Run k gives the same record alone or inside a batch (noise drawn per run)."""
    spec = toy_spec()
    rng = np.random.default_rng(7)
    z = rng.standard_normal((12, 3, 2))
    shares = rng.uniform(0.3, 0.7, (12, 3))
    days = [TalksObs(np.stack([shares[d], 1 - shares[d]], -1), np.full((3, 2), 300.0),
                     np.zeros((3, 1), bool)) for d in range(12)]
    noise = [TalksNoise(z[d], np.ones(3)) for d in range(12)]
    _, batch = run_days(spec, days, noise)
    for k in range(3):
        one = [TalksObs(o.shares[k:k + 1], o.deaths[k:k + 1], o.backer_satisfied[k:k + 1])
               for o in days]
        _, alone = run_days(spec, one, [TalksNoise(n.estimate[k:k + 1], n.ceasefire[k:k + 1])
                                        for n in noise])
        for rb, ra in zip(batch, alone, strict=True):
            np.testing.assert_array_equal(rb.offer[k], ra.offer[0])
            assert rb.phase[k] == ra.phase[0] and rb.cause[k] == ra.cause[0]


def test_public_api_is_listed() -> None:
    assert sorted(talks.__all__) == talks.__all__
    for name in talks.__all__:
        assert hasattr(talks, name)


def test_model_forecast_hook_replaces_the_trend() -> None:
    """An engine-made forecast (the war run forward) stands in for the extrapolated trend;
    the party's optimism is still added."""
    spec = toy_spec()
    o = obs([0.6, 0.4], [10, 10])
    o = dataclasses.replace(o, forecast=np.array([[0.9, 0.1]]))
    _, recs = run_days(spec, [o] * 3)
    assert recs[2].forecast[0] == pytest.approx([1.0, 0.2])


def test_backers_channel_agrees_a_ceasefire_between_sessions() -> None:
    """The day-2 session fails (indivisible issue) and the talks are suspended for 5 days;
    Russia vetoes a ceasefire that day (aim unmet) and its aim is met from day 3. Without the
    backers' channel nothing happens until the talks resume; with it, the ceasefire is agreed
    on day 3, a day without a session."""
    base = toy_spec(issue_raw(), optimism=np.zeros(2), suspend_after=1)
    days = [obs([0.6, 0.4], [10, 10], satisfied=d >= 3) for d in range(7)]
    for channel, expected in ((False, []), (True, [3])):
        _, recs = run_days(dataclasses.replace(base, backer_channel=channel), days)
        assert recs[2].held[0] and recs[2].suspended[0] and recs[2].backer_refused[0, 0]
        assert not any(r.held[0] for r in recs[3:])
        assert [d for d, r in enumerate(recs) if r.ceasefire_agreed[0]] == expected


def test_a_deal_not_guaranteed_needs_more_and_is_named_as_the_cause() -> None:
    """Walter 1997: reb fears an even chance that a settlement is not honoured once it has
    laid down its arms, so it needs r / (1 − 0.5) from a deal. With gov needing 0.51 and reb
    0.31 (their shares less the same felt costs) the range, 1 − 0.51 − 0.31 = 0.18 wide
    without the fear, becomes 1 − 0.51 − 0.62 = −0.13: no deal. Doubling the costs (each
    needs 0.09 less, reb's half of that doubled by the fear) would open 0.14; a guarantee
    opens the whole 0.18, the widest, so the cause is the missing guarantee. A ceasefire
    disarms no one: it is still agreed."""
    settled = {}
    for risk in (0.0, 0.5):
        spec = toy_spec(optimism=np.zeros(2), settlement_risk=np.array([0.0, risk]),
                        estimate_noise=0.0)
        _, recs = run_days(spec, [obs([0.6, 0.4], [300, 300]) for _ in range(3)])
        r = recs[2]
        assert r.reservation[0] == pytest.approx([0.51, 0.31])
        assert r.width[0] == pytest.approx(1 - 0.51 - 0.31 / (1 - risk))
        settled[risk] = bool(r.settled[0])
    assert settled == {0.0: True, 0.5: False}
    assert CAUSES[r.cause[0]] == "no guarantee"
    assert r.counterfactual[0] == pytest.approx([-0.13, -0.13, -0.13, 0.14, 0.18])
    assert r.ceasefire[0]
    story = talks.explain(talks.sessions_frame(recs, spec), 0)
    assert any("reb holds 0.400" in s and "it needs 0.310, and 0.620 from a settlement, "
               "which it fears (50%) would not be honoured" in s
               and "the dominant cause was no guarantee: with an outside guarantee of the "
                   "deal the range would have been 0.180 wide" in s for s in story)


def test_a_day_the_parties_do_not_fight_each_other_teaches_nothing() -> None:
    """The toy of the shifting-power test: gov wins a battle (0.01 of the stake) on days 1-3.
    Reported as fought, day 3's pace is learnt at 0.05 a day from the prior 0.005 and the
    record is 3 won of 3 (the test above); reported as days on which no party assaulted
    another's place (``fought`` False on days 2 and 3: the shares moved for another reason),
    only day 1 counts: the pace is 0.005·0.95 + 0.01·0.05 and the record 1 of 1, as under a
    ceasefire (Slantchev 2003: a party learns from battles)."""
    spec = toy_spec(optimism=np.zeros(2), belief_learning=np.full(2, 0.05))
    days = [obs([0.5 + 0.01 * d, 0.5 - 0.01 * d], [10, 10]) for d in range(4)]
    quiet = [dataclasses.replace(o, fought=np.array([d < 2])) for d, o in enumerate(days)]
    _, recs = run_days(spec, quiet)
    r = recs[3]
    pace = 0.005 * 0.95 + 0.01 * 0.05
    assert r.pace[0] == pytest.approx([pace, pace])
    assert r.p_battle[0] == pytest.approx([7 / 11, 6 / 11])
    fought = [dataclasses.replace(o, fought=np.array([True])) for o in days]
    _, recs = run_days(spec, fought)
    assert recs[3].p_battle[0] == pytest.approx([9 / 13, 6 / 13])
