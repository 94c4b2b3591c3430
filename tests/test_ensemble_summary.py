"""Ensemble statistics: attainment, control counts, bands, Wilson and Newcombe intervals.

Each is a pure function of arrays, checked against a hand-made answer or a brute-force loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ripeness.coupling import OUTCOMES
from ripeness.ensemble.compare import newcombe_paired, paired_table
from ripeness.ensemble.summary import (
    QUANTILES,
    Objectives,
    attainment,
    control_counts,
    objectives,
    share_bands,
    summarize,
    wilson,
)
from ripeness.scenario import read
from ripeness.world.compile import compile_scenario


def test_attainment_limited_is_the_share_of_hold_places_held_by_actor_or_clients() -> None:
    """Actor 0 (a backer) wants places 0 and 1 held by itself or its client, actor 1; actor 2
    has an open objective weighting place 2 three times as much as places 0 and 1."""
    obj = Objectives(actor=np.array([0, 2]),
                     owner=np.array([[True, True, False], [False, False, True]]),
                     weight=np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 3.0]]))
    control = np.array([[1, 0, 2],    # both hold places held (client, itself): 1
                        [1, 2, 2],    # one of two: 0.5
                        [2, 2, 1]])   # none; actor 2 holds 1 + 1 of 5
    got = attainment(control, obj)
    np.testing.assert_allclose(got, [[1.0, 3 / 5], [0.5, 4 / 5], [0.0, 2 / 5]])


def test_objectives_of_aleppo_use_hold_places_and_clients() -> None:
    loaded = read("aleppo-2016")
    world = compile_scenario(loaded.scenario)
    obj = objectives(loaded.scenario, world)
    actors = list(world.actor_ids)
    assert "un" not in [actors[i] for i in obj.actor]  # a mediator has no objective
    k = list(obj.actor).index(actors.index("russia"))
    hold = loaded.scenario.actor("russia").objective.hold
    assert obj.weight[k].sum() == len(hold)
    assert obj.owner[k, actors.index("government")] and obj.owner[k, actors.index("russia")]
    assert not obj.owner[k, actors.index("opposition")]
    start = attainment(world.control0[None], obj)
    assert np.all((start >= 0) & (start <= 1))


def test_control_counts_equal_a_loop_over_runs() -> None:
    rng = np.random.default_rng(1)
    control = rng.integers(0, 3, size=(7, 4, 5)).astype(np.int8)  # run, day, place
    want = np.zeros((4, 5, 3), dtype=np.int64)
    for r in range(7):
        for d in range(4):
            for p in range(5):
                want[d, p, control[r, d, p]] += 1
    np.testing.assert_array_equal(control_counts(control, 3), want)
    halves = control_counts(control[:3], 3) + control_counts(control[3:], 3)
    np.testing.assert_array_equal(halves, want)  # counts add exactly over chunks


def test_share_bands_are_quantiles_over_runs() -> None:
    share = np.linspace(0, 1, 101, dtype=np.float32)[:, None, None] * np.ones((1, 2, 3))
    bands = share_bands(share)
    assert bands.shape == (len(QUANTILES), 2, 3)
    np.testing.assert_allclose(bands[:, 0, 0], QUANTILES, atol=1e-6)


def test_wilson_known_values() -> None:
    lo, hi = wilson(np.array([0, 5, 10]), 10)
    np.testing.assert_allclose(lo, [0.0, 0.2365931, 0.7224672], atol=1e-6)
    np.testing.assert_allclose(hi, [0.2775328, 0.7634069, 1.0], atol=1e-6)


def _pairs(a: int, b: int, c: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """x = baseline, y = variant: a both, b variant only, c baseline only, d neither."""
    y = np.array([1] * a + [1] * b + [0] * c + [0] * d, dtype=bool)
    x = np.array([1] * a + [0] * b + [1] * c + [0] * d, dtype=bool)
    return x, y


def test_newcombe_interval_contains_the_estimate_and_stays_in_bounds() -> None:
    for cells in [(10, 15, 5, 20), (0, 0, 0, 50), (50, 0, 0, 0), (0, 30, 0, 0), (3, 1, 7, 89)]:
        x, y = _pairs(*cells)
        lo, hi = newcombe_paired(x, y)
        est = y.mean() - x.mean()
        assert -1 <= lo <= est <= hi <= 1, cells


def test_newcombe_known_answer() -> None:
    """Fagerland, Lydersen & Laake (2017), ch. 8: airway hyper-responsiveness before and after
    stem cell transplantation (Bentur et al. 2009), cells (1, 1, 7, 12): the Newcombe
    square-and-add interval for the difference is -0.507 to -0.026."""
    x, y = _pairs(1, 1, 7, 12)
    lo, hi = newcombe_paired(x, y)
    assert (round(lo, 3), round(hi, 3)) == (-0.507, -0.026)


def test_newcombe_does_not_collapse_when_nothing_changes() -> None:
    """Wald's paired interval is [0, 0] when no run differs; Newcombe's is not."""
    x, y = _pairs(10, 0, 0, 90)
    lo, hi = newcombe_paired(x, y)
    assert lo < 0 < hi


def test_newcombe_agrees_with_wald_for_large_samples() -> None:
    x, y = _pairs(3000, 1500, 700, 4800)
    lo, hi = newcombe_paired(x, y)
    d = y.astype(float) - x.astype(float)
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
    assert lo == pytest.approx(d.mean() - half, abs=2e-3)
    assert hi == pytest.approx(d.mean() + half, abs=2e-3)


def test_paired_table_reports_variance_reduction() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    common = rng.normal(0, 10, n)  # what the shared random draws contribute
    base = pd.DataFrame({"run": np.arange(n), "outcome": np.array(OUTCOMES)[rng.integers(0, 4, n)],
                         **{m: common + rng.normal(0, 1, n) for m in
                            ("mil_dead", "killed", "displaced", "besieged_person_days",
                             "sessions")}})
    var = base.copy()
    for m in ("mil_dead", "killed", "displaced", "besieged_person_days", "sessions"):
        var[m] = common + 1.0 + rng.normal(0, 1, n)
    t = paired_table(base, var)
    assert t.loc["killed", "difference"] == pytest.approx(1.0, abs=0.1)
    assert t.loc["killed", "low"] < 1.0 < t.loc["killed", "high"]
    assert t.loc["killed", "variance_reduction"] > 50  # (2*100 + 2) / 2
    assert t.loc["P(settlement)", "difference"] == 0.0
    assert np.isinf(t.loc["P(settlement)", "variance_reduction"])


def test_summarize_gives_probabilities_that_sum_to_one() -> None:
    runs = pd.DataFrame({"run": range(4), "outcome": ["ongoing", "settlement", "settlement",
                                                       "frozen partition"],
                         "settled_day": pd.array([None, 5, 9, None], dtype="Int64"),
                         "mil_dead": [1.0, 2, 3, 4],
                         "killed": [1.0, 1, 1, 1], "displaced": [0.0, 0, 0, 0],
                         "besieged_person_days": [0.0, 1, 2, 3], "sessions": [0, 1, 2, 3]})
    s = summarize(runs)
    probs = s.loc[[f"P({o})" for o in OUTCOMES], "estimate"]
    assert probs.sum() == pytest.approx(1.0)
    assert s.loc["P(settlement)", "estimate"] == 0.5
    assert s.loc["settled_day", "estimate"] == 7 and s.loc["settled_day", "n"] == 2
    assert (s["low"] <= s["estimate"]).all() and (s["estimate"] <= s["high"]).all()
