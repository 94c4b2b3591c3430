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
from ripeness.backtest.score import (
    Observed,
    margin_over_null,
    observe,
    overall,
    run_scores,
    score_table,
)
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


def _same_in_every_run(record: ripeness.backtest.Record, day: list[float],
                       runs: int) -> Observed:
    d = np.tile(np.array(day, dtype=float)[:, None], (1, runs))
    nan = np.full(d.shape, np.nan)
    return Observed(ids=record.ids, day=d, lo=nan, hi=nan.copy(), window=20,
                    runs=np.arange(runs))


def test_margin_by_hand(toy_record: ripeness.backtest.Record) -> None:
    """Runs that all do the same thing: the margin is worked out by hand and no draw of the
    runs can move it, so the interval is that one number."""
    nan = math.nan
    # 'late' on its day (1), 'relief' on its day (1), 'never' not seen (0), 'held' not
    # captured (1), 'hosted' not observed (0): 3/5. Against the null (the same record seen
    # by runs that took 'late' 5 days late, exp(-1), and captured the capital, 'never' on
    # time, 1, and 'held' broken, 0): (exp(-1) + 1 + 1 + 0 + 0)/5.
    own = _same_in_every_run(toy_record, [2, 0, nan, nan, nan], 6)
    other = _same_in_every_run(toy_record, [7, 0, 0, 0, nan], 6)
    m = margin_over_null(toy_record, own, [(toy_record, other)], resamples=50)
    assert m.value == pytest.approx(3 / 5 - (math.exp(-1) + 2) / 5)
    assert m.low == pytest.approx(m.value) and m.high == pytest.approx(m.value)
    # Against two nulls the best one counts: the record against its own runs scores 3/5.
    m2 = margin_over_null(toy_record, own, [(toy_record, other), (toy_record, own)],
                          resamples=50)
    assert m2.value == pytest.approx(0.0) and m2.low == pytest.approx(0.0)


def test_margin_interval_has_the_bootstrap_width(
        toy_record: ripeness.backtest.Record) -> None:
    """With one null record the margin is a mean over runs of each run's difference, so its
    95% bootstrap interval spans about 2 x 1.96 standard errors of that mean; four times the
    runs halve it. A wrong resampling (the entries drawn instead of the runs, or the nulls
    redrawn apart from the runs) fails this."""
    rng = np.random.default_rng(3)
    widths = []
    for runs in (400, 1600):
        late = rng.integers(0, 12, runs).astype(float)  # 'late' seen 0-11 days: errors vary
        d = np.full((5, runs), np.nan)
        d[0] = late
        none = np.full(d.shape, np.nan)
        own = Observed(ids=toy_record.ids, day=d, lo=none, hi=none.copy(), window=20,
                       runs=np.arange(runs))
        other = _same_in_every_run(toy_record, [math.nan] * 5, runs)
        m = margin_over_null(toy_record, own, [(toy_record, other)], seed=1)
        diff = (run_scores(toy_record, own).mean(axis=0)
                - run_scores(toy_record, other).mean(axis=0))
        se = diff.std() / math.sqrt(runs)
        assert m.value == pytest.approx(diff.mean())
        assert m.low < m.value < m.high
        assert m.high - m.low == pytest.approx(2 * 1.96 * se, rel=0.15)
        widths.append(m.high - m.low)
    assert widths[1] == pytest.approx(widths[0] / 2, rel=0.15)


def test_margin_refuses_no_null_and_a_bad_level(toy_record: ripeness.backtest.Record) -> None:
    obs = _same_in_every_run(toy_record, [math.nan] * 5, 2)
    with pytest.raises(ValueError, match="at least one null record"):
        margin_over_null(toy_record, obs, [])
    with pytest.raises(ValueError, match="level must lie in"):
        margin_over_null(toy_record, obs, [(toy_record, obs)], level=1.0)


def test_backtest_gives_the_margin_over_its_null_records() -> None:
    res = backtest("aleppo-2016", runs=6, seed=2, null=3)
    assert res.margin is not None
    assert res.margin.value == pytest.approx(res.score - res.null_scores.max())
    assert res.margin.low <= res.margin.value <= res.margin.high
    assert backtest("aleppo-2016", runs=2, seed=2).margin is None
