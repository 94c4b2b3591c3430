"""The war and the talks together: batch invariance, masking, ceasefires, and a trace."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import ripeness
from ripeness.coupling import OUTCOMES
from ripeness.scenario import read, variant
from ripeness.talks.state import SUSPENDED, TalksState
from ripeness.talks.step import _schedule, talks_init

TWO = Path(__file__).parent / "data" / "two_place_talks.toml"
TOY_WAR = Path(__file__).parent / "data" / "toy_war.toml"


def _same(a: ripeness.Result, b: ripeness.Result) -> None:
    for name in a.daily.data_vars:
        x, y = a.daily[name].values, b.daily[name].values
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    cols = [c for c in a.sessions.columns if c != "date"]
    assert a.sessions[cols].reset_index(drop=True).equals(b.sessions[cols].reset_index(drop=True))


@pytest.mark.parametrize("forecast", ["trend", "model"])
def test_run_k_is_the_same_alone_and_in_a_batch(forecast: str) -> None:
    loaded = variant(read("aleppo-2016"), sets={"talks.forecast": forecast})
    days = 6 if forecast == "trend" else 4
    batch = ripeness.simulate(loaded, runs=6, seed=11, days=days)
    alone = ripeness.simulate(loaded, runs=1, seed=11, days=days, first_run=3)
    _same(batch.daily.sel(run=[3]).pipe(lambda d: ripeness.Result(
        d, batch.events, batch.manifest,
        batch.sessions[batch.sessions["run"] == 3])), alone)


def test_trace_of_sessions_suspension_and_the_pause_put_off() -> None:
    """Two parties that cannot fight; shares stay 0.75 / 0.25; both optimistic by 0.1.

    Reservations are therefore 0.85 and 0.35 every day (no discounting, no deaths): their sum
    exceeds the stake by 0.2, so no bargaining range ever exists, and removing optimism alone
    would open one (width 0), so optimism is the cause. Day 0: a hearing (hearings = 1), no
    proposal and no failure. Days 1 and 2: no range, failures 1 and 2; with suspend_after = 2
    the mediator suspends on day 2 for pause_days = 3. Days 3-4: no talks. Day 5: the pause
    ends, but the mediator's estimate (noise 0) sees no range: the talks are put off to day 8,
    then 11, then 14; no session is held again.
    """
    res = ripeness.simulate(TWO, runs=1, days=12)
    s = res.sessions.set_index("day")
    assert list(s.index) == [0, 1, 2, 5, 8, 11]
    assert list(s.index[s["held"]]) == [0, 1, 2]
    assert s["hearing"].tolist() == [True] + [False] * 5
    held = s[s["held"]]
    np.testing.assert_allclose(held["reservation[a]"], 0.85)
    np.testing.assert_allclose(held["reservation[b]"], 0.35)
    np.testing.assert_allclose(held["width"], -0.2)
    assert not held["range_exists"].any()
    assert held["offer[a]"].isna().all()  # no range found: no offer
    assert list(s.index[s["suspended"]]) == [2]
    assert not s["resumed"].any()
    assert list(s.index[s["deferred"]]) == [5, 8, 11]
    assert s.loc[[5, 8, 11], "resume_day"].tolist() == [8, 11, 14]
    assert (s.loc[[1, 2], "cause"] == "optimism").all()
    assert s.loc[0, "cause"] == "none"
    assert res.events.empty  # nothing moved on the map
    assert OUTCOMES[int(res.daily["outcome"].values[0])] == "ongoing"


def test_the_mediator_resumes_when_it_sees_a_range() -> None:
    """Three runs of suspended talks whose pause ends on day 5: the first, where the mediator
    sees a range, resumes and holds a session; the second, where it sees none, is put off for
    another pause; the third, which a phase convenes, resumes whatever it sees. On day 4,
    before the pause is over, nothing changes."""
    spec = ripeness.talks.compile_talks(read(TWO).scenario, ["a", "b"])
    assert spec is not None
    st0 = talks_init(spec, 3)
    st: TalksState = replace(st0, phase=np.full(3, SUSPENDED, dtype=np.int8),
                             resume_day=np.array([5, 5, 5]),
                             convened=np.array([False, False, True]))
    sch = _schedule(spec, st, 5, np.zeros(3, bool), np.array([True, False, False]))
    assert sch["resumed"].tolist() == [True, False, True]
    assert sch["deferred"].tolist() == [False, True, False]
    assert sch["held"].tolist() == [True, False, True]
    assert sch["resume_day"].tolist() == [5, 5 + spec.pause_days, 5]
    early = _schedule(spec, st, 4, np.zeros(3, bool), np.array([True, True, True]))
    assert not early["resumed"].any() and not early["deferred"].any()


def test_without_optimism_they_settle_on_the_first_proposal() -> None:
    """Reservations 0.75 and 0.25 fill the stake exactly: the range is the single point
    (0.75, 0.25). The mediator hears the parties on day 0 and proposes it on day 1; both
    accept (margins 0), the run is settled on day 1 and masked afterwards."""
    res = ripeness.simulate(variant(read(TWO), "no-optimism"), runs=1, days=12)
    s = res.sessions.set_index("day")
    assert list(s.index) == [0, 1]
    assert s.loc[1, "offer[a]"] == pytest.approx(0.75)
    assert s.loc[1, "offer[b]"] == pytest.approx(0.25)
    assert bool(s.loc[1, "accepted[a]"]) and bool(s.loc[1, "accepted[b]"])
    d = res.daily
    assert OUTCOMES[int(d["outcome"].values[0])] == "settlement"
    assert int(d["settled_day"].values[0]) == 1
    np.testing.assert_allclose(d["terms"].values[0], [0.75, 0.25])


def test_a_settled_run_is_frozen() -> None:
    res = ripeness.simulate(TOY_WAR, runs=8, seed=2, days=60)
    d = res.daily
    settled = np.flatnonzero(d["settled_day"].values >= 0)
    assert settled.size > 0
    for k in settled:
        day = int(d["settled_day"].values[k])
        ctrl = d["control"].values[k, day:]
        force = d["force"].values[k, day:]
        assert (ctrl == ctrl[0]).all() and np.array_equal(force, np.broadcast_to(
            force[0], force.shape))
        assert not res.events[(res.events["run"] == d["run"].values[k])
                              & (res.events["day"] > day)].shape[0]


def test_no_attack_between_parties_under_a_ceasefire() -> None:
    # Without Russian air the lines stall and ceasefires are common enough to test.
    res = ripeness.simulate(variant(read("aleppo-2016"), "no-russian-air"), runs=60, seed=0,
                            days=60)
    d = res.daily
    cf = d["ceasefire"].values  # [run, day]
    assert cf.any(), "expected some ceasefires in 60 runs x 60 days"
    actors = list(d["actor"].values)
    gov, opp = actors.index("government"), actors.index("opposition")
    att, ctl = d["attacker"].values, d["control"].values
    prev = np.concatenate([d["control_start"].values[:, None], ctl[:, :-1]], axis=1)
    # On a day that starts under a ceasefire, neither party attacks a place the other holds.
    under = np.concatenate([np.zeros((cf.shape[0], 1), bool), cf[:, :-1]], axis=1)
    pair = ((att == gov) & (prev == opp)) | ((att == opp) & (prev == gov))
    assert not (pair & under[:, :, None]).any()


def test_sorties_by_target_actor_add_up_and_follow_strike_weights() -> None:
    """Every sortie flown is booked against the actor holding its target; Russia's weights
    (opposition 1, ISIS low, in aleppo-2016) send nearly all of its sorties at the rebels."""
    res = ripeness.simulate("aleppo-2016", runs=6, seed=1, days=15)
    d = res.daily
    booked = d["sorties_on"].values.sum(axis=(1, 2))
    flown = d["sorties"].values.sum(axis=(1, 2))
    np.testing.assert_allclose(booked, flown, rtol=1e-5)  # daily sorties are kept as float32
    ru = d["sorties_on"].sel(support="russia-government").sum("run")
    assert float(ru.sel(actor="opposition")) > 0.9 * float(ru.sum())
    assert float(ru.sel(actor="government")) == 0.0  # never its own client


def test_parties_fought_only_when_one_assaults_anothers_place() -> None:
    """Actors 0 and 1 are the talks' parties, 2 is outside the talks (ISIS). Run 0: 0
    assaults a place of 1 (fought); run 1: 0 assaults a place of 2 and 2 one of 1 (not
    fought); run 2: no assault; run 3: 1 assaults a place of 0 at the second place."""
    from types import SimpleNamespace

    from ripeness.coupling import _parties_fought

    control = np.array([[1, 0], [2, 1], [0, 1], [1, 0]])
    attacker = np.array([[0, -1], [0, 2], [-1, -1], [-1, 1]])
    war = SimpleNamespace(attacker=attacker, control=control)
    spec = SimpleNamespace(party=np.array([0, 1]))
    assert _parties_fought(war, spec).tolist() == [True, False, False, True]  # type: ignore[arg-type]
