"""Matching runs to the record and scoring them, on cases whose answer is known by hand.

Three kinds of check: the scoring arithmetic on hand-written observations; the matching of a
simulated toy war (where what happens is known) to a hand-made record; and the honesty of the
score on aleppo-2016: a record whose dates are moved must score worse than the real one, so
the score cannot come from anything but the model's own timing.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import ripeness
from ripeness.backtest import backtest, format_table, read_record
from ripeness.backtest.record import default_record_path
from ripeness.backtest.score import Observed, observe, overall, run_scores, score_table
from ripeness.scenario import read

from .conftest import TOY
from .test_backtest_record import write


@pytest.fixture(scope="module")
def toy_record(tmp_path_factory: pytest.TempPathFactory) -> ripeness.backtest.Record:
    rows = ("late,2016-02-03,captured,border,gov,,,,,http://x,\n"
            "relief,2016-02-01,siege relieved,enclave,,,,,,http://x,\n"
            "never,2016-02-01,captured,capital,reb,,,,,http://x,\n"
            "held,2016-02-01/2016-02-10,captured,capital,,,no,,,http://x,\n"
            "hosted,2016-02-03,hosted,border,,,,0,0,http://x,\n")
    return read_record(write(tmp_path_factory.mktemp("rec"), rows), read(TOY))


def test_scores_by_hand(toy_record: ripeness.backtest.Record) -> None:
    """Four runs, hand-written observations; every number below is worked out by hand."""
    nan = math.nan
    day = np.array([[0, 2, nan, 7],          # 'late', recorded day 2
                    [0, 0, 0, 0],            # 'relief', recorded day 0
                    [nan] * 4,               # 'never' happens
                    [nan, 3, nan, nan],      # 'held': one run captures the capital
                    [nan] * 4])
    lo = np.full((5, 4), nan)
    lo[4] = [0, 1, 3, 7]                      # 'hosted': range 0..0
    obs = Observed(ids=toy_record.ids, day=day, lo=lo, hi=lo.copy(), window=20,
                   runs=np.arange(4))
    s = run_scores(toy_record, obs, tau=5.0, kappa=math.log(2))
    assert s[0] == pytest.approx([math.exp(-2 / 5), 1, 0, math.exp(-1)])
    assert s[2].tolist() == [0, 0, 0, 0] and s[3].tolist() == [1, 0, 1, 1]
    # (x + 1) is 2, 4, 8 times (high + 1): exp(-ln(factor) / ln 2) = exp(-1), exp(-2), exp(-3)
    assert s[4] == pytest.approx([1, math.exp(-1), math.exp(-2), math.exp(-3)])
    t = score_table(toy_record, obs).set_index("id")
    assert t.loc["late", "share"] == 0.75
    assert (t.loc["late", "err_q1"], t.loc["late", "err_median"], t.loc["late", "err_q3"]) \
        == (-1.0, 0.0, 2.5)                   # errors -2, 0, 5
    assert t.loc["late", "score"] == pytest.approx(s[0].mean())
    # 'held' is recorded as NOT happening: 3 of the 4 runs agree (share and score alike)
    assert t.loc["held", "share"] == 0.75 and t.loc["held", "score"] == 0.75
    assert t.loc["hosted", "share"] == 0.25
    assert overall(t.reset_index()) == pytest.approx(s.mean(axis=1).mean())


def test_toy_war_matches_its_own_events(toy_record: ripeness.backtest.Record) -> None:
    """In the toy the government takes the village and relieves the enclave within two weeks
    in every run, and takes the border in most; the rebels never take the capital. The shares
    and scores must equal what the event log says, run by run."""
    result = ripeness.simulate(TOY, runs=12, seed=3, days=14)
    obs = observe(result, toy_record)
    ev = result.events
    border = ev[(ev.kind == "captured") & (ev.place == "border") & (ev.actor == "gov")]
    expected = border.groupby("run")["day"].min().reindex(range(12)).to_numpy(dtype=float)
    np.testing.assert_array_equal(obs.day[0], expected)
    t = score_table(toy_record, obs).set_index("id")
    assert t.loc["late", "share"] == border["run"].nunique() / 12
    relief = ev[(ev.kind == "siege relieved") & (ev.place == "enclave")]
    first = relief.groupby("run")["day"].min().to_numpy(dtype=float)
    assert len(first) == 12 and t.loc["relief", "share"] == 1.0
    assert t.loc["relief", "score"] == pytest.approx(np.exp(-first / 5).mean())
    assert t.loc["never", "share"] == 0.0 and t.loc["never", "score"] == 0.0
    assert t.loc["held", "score"] == 1.0
    hosted = result.daily["hosted"].sel(place="border").values[:, 2]
    np.testing.assert_allclose(obs.hi[4], hosted)


def test_window_hides_later_events(toy_record: ripeness.backtest.Record) -> None:
    """An event after the simulated window has not happened: observed over day 0 alone, a
    relief or capture that a longer run of the same seeds logs on a later day is missing."""
    obs = observe(ripeness.simulate(TOY, runs=8, seed=3, days=1), toy_record)
    ev = ripeness.simulate(TOY, runs=8, seed=3, days=12).events
    for row, (kind, place) in enumerate([("captured", "border"), ("siege relieved", "enclave")]):
        hit = ev[(ev.kind == kind) & (ev.place == place) & (ev.actor == "gov")]
        first = hit.groupby("run")["day"].min().reindex(range(8)).to_numpy(dtype=float)
        expected = np.where(first == 0, 0.0, np.nan)
        np.testing.assert_array_equal(obs.day[row], expected)
    assert np.isnan(obs.day[0]).all() and (obs.day[1] == 0).any()  # later borders exist


def test_backtest_result_has_table_score_manifest() -> None:
    loaded = read("aleppo-2016")
    res = backtest(loaded, runs=8, seed=1, days=70)
    assert 0 <= res.score <= 1 and len(res.table) == len(res.record)
    assert res.manifest["simulation"]["seed"] == 1 and res.manifest["days"] == 70
    assert res.manifest["record"]["sha256"] and "tall-jabin-taken" in format_table(res)
    again = backtest(loaded, runs=8, seed=1, days=70)
    assert again.score == res.score  # deterministic


def test_backtest_refuses_a_window_shorter_than_the_record() -> None:
    with pytest.raises(ValueError, match="ends before the record's last day"):
        backtest("aleppo-2016", runs=2, days=10)


@pytest.fixture(scope="module")
def aleppo_runs() -> tuple[ripeness.Result, ripeness.backtest.Record]:
    loaded = read("aleppo-2016")
    rec = read_record(default_record_path(loaded), loaded)
    return ripeness.simulate(loaded, runs=40, seed=0, days=rec.last_day() + 31), rec


def _score(result: ripeness.Result, rec: ripeness.backtest.Record) -> float:
    return overall(score_table(rec, observe(result, rec)))


def test_shifted_dates_score_worse(aleppo_runs: tuple[ripeness.Result,
                                                      ripeness.backtest.Record]) -> None:
    """Honesty: every entry moved by its own random ±20 days (fixed seeds) scores worse
    than the real record, against the very same runs."""
    result, rec = aleppo_runs
    real = _score(result, rec)
    shifted = [_score(result, rec.shifted(seed)) for seed in range(5)]
    assert max(shifted) < real - 0.03, (real, shifted)


def test_permuted_event_dates_score_worse(aleppo_runs: tuple[ripeness.Result,
                                                             ripeness.backtest.Record]) -> None:
    """Honesty: the events' dates permuted among the events (fixed seeds) score worse on
    average than the real dates: the model's order of events, not the record's, earns it."""
    result, rec = aleppo_runs
    real = _score(result, rec)
    permuted = [_score(result, rec.permuted(seed)) for seed in range(8)]
    assert np.mean(permuted) < real - 0.02, (real, permuted)


def test_plot_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from ripeness.backtest.plot import plot_backtest

    res = backtest("aleppo-2016", runs=4, seed=0)
    out = plot_backtest(res, tmp_path / "bt.png")
    assert out.stat().st_size > 10_000
