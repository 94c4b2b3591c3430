"""Backers who act on their aims at the table (issue 14): they veto a ceasefire and withhold
their guarantee from a settlement while a limited aim is unmet, press for a deal once it is
met (restraining a client that is still winning), press a losing client when their aim is
open, and bind a client that is not at the table to the ceasefires they agree (Walter 2002).

The toy of ``test_talks_step``: Russia flies sorties for gov, its limited aim is to hold the
enclave; observations are fed by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ripeness.talks import CAUSES, TalksNoise, ceasefire_pairs, explain, sessions_frame

from .test_talks_step import issue_raw, obs, run_days, toy_raw, toy_spec


def rising(satisfied: bool, step: float = 0.01, days: int = 4) -> list[Any]:
    return [obs([0.5 + step * d, 0.5 - step * d], [10, 10], satisfied=satisfied)
            for d in range(days)]


@pytest.mark.parametrize(("step", "aid"), [(0.01, 0.8), (-0.01, 1.0)])
def test_a_met_aim_presses_and_restrains_only_a_winning_client(step: float, aid: float) -> None:
    """Russia's aim is met: at the day-2 and day-3 sessions it presses gov (felt cost times
    backer_pressure).
    While gov gains ground Russia no longer needs, it also cuts its aid to aid_cut (0.8); a
    losing gov keeps it all (the aim still needs it)."""
    spec = toy_spec(optimism=np.zeros(2), suspend_after=10)
    assert spec.aid_cut == 0.8
    state, recs = run_days(spec, rising(True, step))
    assert recs[3].pressed[0, 0]
    assert state.cost_mult[0] == pytest.approx([spec.backer_pressure, 1.0])
    assert state.aid_factor[0] == pytest.approx([aid])
    assert recs[3].restrained[0, 0] == (aid < 1)
    line = explain(sessions_frame(recs, spec), 0)[-1]
    assert "Backers: rus presses gov toward a deal (its limited aim is met; gov's drift" in line
    assert ("and restrains gov, still gaining ground, by cutting its aid" in line) == (aid < 1)


def test_a_met_aim_follows_a_rising_client_in_refusing_a_ceasefire() -> None:
    """Russia's aim is met, so it refuses a ceasefire only because its client does: gov,
    rising, expects more from fighting on than it holds (0.617 > 0.520 on day 2). The
    explanation says so, rather than that Russia refuses a ceasefire with its own client."""
    spec = toy_spec(optimism=np.zeros(2), suspend_after=10)
    _, recs = run_days(spec, rising(True))
    r = recs[2]
    assert r.ceasefire_refused[0].tolist() == [True, False] and r.backer_refused[0, 0]
    line = explain(sessions_frame(recs, spec), 0)[1]
    assert ("rus presses gov toward a deal (its limited aim is met; gov's drift" in line
            and "refuses a ceasefire as gov does (it expects more from fighting on than it "
            "holds)" in line)
    assert "refuses a ceasefire with gov" not in line


def test_an_unmet_aim_neither_presses_nor_guarantees_a_deal() -> None:
    """A range both parties accept (shares 0.6 / 0.4, heavy costs), but Russia's aim is
    unmet: it withholds its guarantee, so there is no settlement; the cause is the backer's
    veto. A blocked deal counts as a failure: after two in a row (suspend_after = 2) the
    mediator suspends the talks. With the aim met the same session settles."""
    spec = toy_spec(optimism=np.zeros(2), estimate_noise=0.0)
    days = [obs([0.6, 0.4], [400, 400], satisfied=False) for _ in range(4)]
    _, recs = run_days(spec, days)
    assert recs[3].backer_veto[0, 0] and recs[3].suspended[0] and not recs[2].suspended[0]
    r = recs[2]
    assert r.range_exists[0] and r.accepted[0].all() and r.backer_veto[0, 0]
    assert not r.settled[0] and CAUSES[r.cause[0]] == "backer's veto"
    assert not r.pressed[0].any()
    line = explain(sessions_frame(recs, spec), 0)[2]
    assert "rus withholds its guarantee from the deal (its limited aim is unmet)" in line
    assert "every party accepted, but a backer withheld its guarantee" in line
    days = [obs([0.6, 0.4], [400, 400], satisfied=True) for _ in range(3)]
    _, recs = run_days(spec, days)
    assert recs[2].settled[0] and not recs[2].backer_veto[0].any()


def open_raw() -> dict[str, Any]:
    """Russia's aim made open (no places to hold)."""
    raw = toy_raw()
    raw["actors"][-1]["objective"] = {"kind": "open", "assumption": "toy"}
    return raw


@pytest.mark.parametrize(("step", "pressed"), [(-0.01, True), (0.01, False)])
def test_an_open_aim_presses_a_losing_client(step: float, pressed: bool) -> None:
    spec = toy_spec(open_raw(), optimism=np.zeros(2), suspend_after=10)
    state, recs = run_days(spec, rising(False, step))
    assert bool(recs[3].pressed[0, 0]) == pressed
    assert state.aid_factor[0] == pytest.approx([1.0])  # an open aim keeps its aid


def absent_raw(limited: bool) -> dict[str, Any]:
    """A third belligerent, the SDF, fights reb but is not at the table; the US backs it
    (an open aim, or a limited one on the enclave) and so speaks for it."""
    raw = issue_raw()
    raw["actors"].insert(2, {"id": "sdf", "name": "SDF", "kind": "belligerent",
                             "enemies": {"reb": 1.0}, "assumption": "toy"})
    aim = ({"kind": "limited", "hold": ["enclave"], "assumption": "toy"} if limited
           else {"kind": "open", "assumption": "toy"})
    raw["actors"].append({"id": "us", "name": "US", "kind": "backer", "assumption": "toy",
                          "objective": aim})
    raw["support"].append({"backer": "us", "client": "sdf", "sorties_per_day": 3,
                           "assumption": "toy"})
    return raw


@pytest.mark.parametrize("limited", [False, True])
def test_a_client_not_at_the_table_is_bound_by_its_backer(limited: bool) -> None:
    """The parties agree a ceasefire on day 2 (the indivisible issue blocks a settlement;
    neither expects to gain by fighting; Russia's aim is met). The US speaks for the SDF: with
    an open aim it binds the SDF, which stops fighting the parties; with a limited aim unmet
    (the enclave's holder is gov, not its client) it does not."""
    spec = toy_spec(absent_raw(limited), optimism=np.zeros(2), suspend_after=1)
    assert list(spec.np_client) == [2] and spec.np_speaks.tolist() == [[False, True]]
    sat = [obs([0.6, 0.4], [10, 10], satisfied=True) for _ in range(3)]
    sat = [o.__class__(o.shares, o.deaths, np.array([[True, False]])) for o in sat]
    state, recs = run_days(spec, sat, [TalksNoise.quiet(1, 2)] * 3)
    assert recs[2].ceasefire_agreed[0]
    assert bool(state.covered[0, 0]) == (not limited)
    pairs = ceasefire_pairs(spec, state.ceasefire, 6, state.covered)  # gov reb sdf un rus us
    assert pairs[0, 0, 1] and pairs[0, 1, 0]
    assert bool(pairs[0, 2, 1]) == (not limited) and bool(pairs[0, 1, 2]) == (not limited)
    assert not pairs[0, 2, 2] and not pairs[0, 3, 4]
