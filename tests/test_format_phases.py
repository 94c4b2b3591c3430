"""Phases of the talks (issue 15, capability 4): shuttle diplomacy becoming a conference with
daily sessions, on a date or once a ceasefire has held."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ripeness

from .formats import A, problems, scenario, two_place

#: Shuttle diplomacy: the envoy sees the parties once a week and never suspends.
SHUTTLE = {"session_every_days": 7, "suspend_after": 1e6, "hearings": 0}


def _sessions(raw: dict[str, Any], days: int = 20, runs: int = 1) -> Any:
    s = ripeness.simulate(scenario(raw), runs=runs, days=days).sessions
    return s[s["held"]]


def test_shuttle_diplomacy_becomes_a_conference_with_daily_sessions_on_a_date() -> None:
    """Weekly sessions (days 0, 7) until the conference opens on day 10 (2016-02-11) and
    meets every day."""
    shuttle = _sessions(two_place(**SHUTTLE))
    assert shuttle["day"].tolist() == [0, 7, 14]
    raw = two_place(**SHUTTLE, phases=[{"id": "conference", "starts": "2016-02-11",
                                        "session_every_days": 1, "estimate_noise": 0, **A}])
    held = _sessions(raw)
    assert held["day"].tolist() == [0, 7, *range(10, 20)]
    assert held["talks_stage"].tolist() == ["", ""] + ["conference"] * 10


def _frozen(**talks: Any) -> dict[str, Any]:
    """Neither party optimistic (reservations = shares, so both accept a ceasefire), but each
    holds an issue indivisible that the other refuses: no deal, a ceasefire from the first
    session; it never breaks down."""
    raw = two_place(**talks)
    for a in raw["actors"][:2]:
        a["params"]["optimism"] = 0.0
    raw["parameters"]["ceasefire_breakdown"] = 0.0
    raw["issues"] = [{"id": "x", "title": "x", "demanded_by": "b", "value": {"a": 0.1, "b": 0.1},
                      "indivisible": ["a", "b"], **A}]
    return raw


def test_a_conference_opens_once_a_ceasefire_has_held() -> None:
    """Sessions every 5 days; the ceasefire agreed at the first session (day 0) has held 3
    days at the end of day 2, so the conference convenes on day 3 and meets daily."""
    base = _sessions(_frozen(session_every_days=5, suspend_after=1e6, hearings=0), days=12)
    assert base["day"].tolist() == [0, 5, 10]
    assert base["ceasefire"].all()
    raw = _frozen(session_every_days=5, suspend_after=1e6, hearings=0,
                  phases=[{"id": "conference", "after_ceasefire_days": 3,
                           "session_every_days": 1, **A}])
    held = _sessions(raw, days=12)
    assert held["day"].tolist() == [0, *range(3, 12)]


def test_a_conference_ends_a_suspension() -> None:
    """The envoy suspends for 30 days after two failures (days 0, 1); a conference on day 6
    convenes at once instead of waiting for day 31."""
    talks = {"suspend_after": 2, "pause_days": 30, "hearings": 0}
    plain = _sessions(two_place(**talks), days=12)
    assert plain["day"].tolist() == [0, 1]
    raw = two_place(**talks, phases=[{"id": "conference", "starts": "2016-02-07", **A}])
    held = _sessions(raw, days=12)
    assert held["day"].tolist() == [0, 1, 6, 7]  # suspended again after two more failures
    s = ripeness.simulate(scenario(raw), runs=1, days=12).sessions.set_index("day")
    assert s.loc[1, "resume_day"] == 31 and s.loc[7, "resume_day"] == 37


def test_phases_keep_runs_independent_of_their_batch() -> None:
    raw = two_place(**SHUTTLE, estimate_noise=0.05,
                    phases=[{"id": "conference", "starts": "2016-02-11",
                             "session_every_days": 1, "estimate_noise": 0.01, **A}])
    sc = scenario(raw)
    batch = ripeness.simulate(sc, runs=5, seed=3, days=16)
    alone = ripeness.simulate(sc, runs=1, seed=3, days=16, first_run=2)
    for name in batch.daily.data_vars:
        x, y = batch.daily[name].sel(run=[2]).values, alone.daily[name].values
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    cols = [c for c in batch.sessions.columns if c != "date"]
    a = batch.sessions[batch.sessions["run"] == 2][cols].reset_index(drop=True)
    assert a.equals(alone.sessions[cols].reset_index(drop=True))


def test_the_alternating_protocol_follows_the_phase_too() -> None:
    raw = two_place(**SHUTTLE, protocol="alternating",
                    phases=[{"id": "conference", "starts": "2016-02-11",
                             "session_every_days": 1, **A}])
    assert _sessions(raw)["day"].tolist() == [0, 7, *range(10, 20)]


@pytest.mark.parametrize("phase, needle", [
    ({"id": "c"}, "talks.phases[0](c): phase 'c' has no beginning | give it `starts`"),
    ({"id": "c", "starts": "2016-02-01"}, "phase 'c' starts on 2016-02-01, not after the talks "
     "open (2016-02-01)"),
    ({"id": "c", "starts": "2017-01-01"}, "outside the scenario's horizon"),
    ({"id": "c", "starts": "2016-02-05", "session_every_days": 0},
     "talks.phases[0](c).session_every_days: must be >= 1"),
    ({"id": "c", "starts": "2016-02-05", "session_every_day": 1},
     "did you mean 'session_every_days'?"),
])
def test_misused_phases_are_named_with_their_fix(phase: dict, needle: str) -> None:
    got = problems(two_place(phases=[{**phase, **A}]))
    assert any(needle in g for g in got), got


def test_phases_out_of_order_or_twice_are_refused() -> None:
    got = problems(two_place(phases=[{"id": "a", "starts": "2016-02-08", **A},
                                     {"id": "b", "starts": "2016-02-05", **A},
                                     {"id": "a", "after_ceasefire_days": 3, **A}]))
    assert any("phase 'b' starts on 2016-02-05, not after the phase before it" in g
               for g in got), got
    assert any("talks.phases[2](a): duplicate phase 'a'" in g for g in got), got
