"""Ripeness from the battlefield, on a toy war written for the purpose (issue 14).

``tests/data/toy_war.toml``: the government advances through six weakly held villages, then
stalls against the rebels' fortified city; talks run from day 0 every three days with the
registry's default talks parameters. The theory (Zartman's mutually hurting stalemate, in the
bargaining terms of REFERENCE.md section 7) says: while one side advances there is no
bargaining range; once its offensive stalls against a front that costs both sides, a deal
comes within weeks; the same stall with the stalemate's costs removed never ripens.

Each run's phases are read from its own battlefield: the offensive is the days up to its last
capture before a quiet spell of ``QUIET`` days; the stall begins the next day.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ripeness
from ripeness.scenario import read, variant

TOY_WAR = Path(__file__).parent / "data" / "toy_war.toml"
RUNS, DAYS, SEED = 40, 120, 3
#: Days without a capture that end an offensive.
QUIET = 14
#: Weeks after the stall within which a deal must come.
WEEKS = 8


def _stall_day(gov_share: np.ndarray) -> int:
    """First day after the offensive's last capture before ``QUIET`` quiet days (-1: none)."""
    gains = np.flatnonzero(np.diff(gov_share) > 1e-9) + 1
    for i, day in enumerate(gains):
        following = gains[i + 1] if i + 1 < len(gains) else len(gov_share) + QUIET
        if following - day >= QUIET:
            return int(day) + 1
    return -1


def _phases(res: ripeness.Result) -> tuple[np.ndarray, pd.DataFrame]:
    """Each run's stall day and its sessions (proposals, not hearings)."""
    gov = list(res.daily["actor"].values).index("gov")
    shares = res.daily["share"].values[:, :, gov]
    stall = np.array([_stall_day(s) for s in shares])
    s = res.sessions
    return stall, s[s["held"] & ~s["hearing"]]


@pytest.fixture(scope="module")
def costly() -> ripeness.Result:
    return ripeness.simulate(TOY_WAR, runs=RUNS, seed=SEED, days=DAYS)


@pytest.fixture(scope="module")
def costless() -> ripeness.Result:
    loaded = variant(read(TOY_WAR), "costless-stalemate")
    return ripeness.simulate(loaded, runs=RUNS, seed=SEED, days=DAYS)


def _deal_day(res: ripeness.Result) -> np.ndarray:
    """First day of a settlement or an agreed ceasefire in each run (-1: none)."""
    s = res.sessions
    deal = s[s["settled"] | s["ceasefire_agreed"]].groupby("run")["day"].min()
    out = np.full(res.daily.sizes["run"], -1)
    runs = list(res.daily["run"].values)
    for run, day in deal.items():
        out[runs.index(run)] = day
    return out


def test_the_war_advances_then_stalls(costly: ripeness.Result) -> None:
    """The toy does what it is written for: every run has an offensive that stalls."""
    stall, _ = _phases(costly)
    assert (stall > 0).all(), stall


def test_no_range_while_one_side_advances(costly: ripeness.Result) -> None:
    stall, sessions = _phases(costly)
    runs = list(costly.daily["run"].values)
    advancing = sessions[[d < stall[runs.index(r)] for r, d in
                          zip(sessions["run"], sessions["day"], strict=True)]]
    assert len(advancing) >= RUNS  # at least a session per run during the offensive
    assert advancing["range_exists"].mean() <= 0.2, advancing["range_exists"].mean()


def test_a_costly_stalemate_brings_a_deal_within_weeks(costly: ripeness.Result) -> None:
    stall, _ = _phases(costly)
    deal = _deal_day(costly)
    in_time = (deal >= stall) & (deal < stall + 7 * WEEKS)
    assert in_time.mean() >= 0.8, (stall, deal)


def test_the_same_stall_without_its_costs_gives_no_deal(costless: ripeness.Result) -> None:
    stall, sessions = _phases(costless)
    assert (stall > 0).all()
    assert (_deal_day(costless) < 0).all()
    assert not sessions["range_exists"].any()


def test_no_deal_at_the_first_proposal(costly: ripeness.Result) -> None:
    """Readiness is earned on the battlefield: a new war does not settle at once."""
    _, sessions = _phases(costly)
    first = sessions.groupby("run")["day"].min()
    at_first = sessions.merge(first.rename("first"), left_on="run", right_index=True)
    at_first = at_first[at_first["day"] == at_first["first"]]
    assert not at_first["range_exists"].any()
    assert not at_first["settled"].any()
