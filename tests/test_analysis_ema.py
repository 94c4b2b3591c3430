"""The EMA workbench bridge: a tiny experiment end to end (skipped without the workbench,
an optional extra: pip install 'ripeness[ema]')."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from ripeness.analysis import AnalysisError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # "ipyparallel not installed"
    ema = pytest.importorskip("ema_workbench", reason="the EMA workbench is not installed "
                              "(optional: pip install 'ripeness[ema]')")

from ripeness.analysis.ema import ema_model

DATA = Path(__file__).parent / "data"

UNCERTAIN = """
[[uncertain]]
path = "places.capital.forces.gov"
low = 500
high = 4000
assumption = "test range"

[[uncertain]]
path = "places.village.forces.reb"
low = 100
high = 2000
distribution = "loguniform"
assumption = "test range"
"""


def test_tiny_experiment_end_to_end(tmp_path: Path) -> None:
    toy = tmp_path / "toy.toml"
    toy.write_text((DATA / "toy.toml").read_text() + UNCERTAIN)
    model = ema_model(toy, runs=2, days=4)
    names = [u.name for u in model.uncertainties]
    assert names == ["places.capital.forces.gov", "log10:places.village.forces.reb"]
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=4)
    assert len(experiments) == 4
    assert set(names) <= set(experiments.columns)
    assert set(outcomes) == {"settlement", "mil_dead", "killed"}
    assert all(v.shape == (4,) for v in outcomes.values())
    assert ((outcomes["settlement"] >= 0) & (outcomes["settlement"] <= 1)).all()


def test_unknown_outcome_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="unknown outcome"):
        ema_model("aleppo-2016", outcomes=("happiness",))


def test_time_series_and_replications(tmp_path: Path) -> None:
    """Replication r simulates runs r x runs ..: its numbers equal a direct simulation of
    those runs; a time series ends at its scalar (both cumulative means over the runs)."""
    import numpy as np

    import ripeness
    from ripeness.scenario import read, with_patches

    toy = tmp_path / "toy.toml"
    toy.write_text((DATA / "toy.toml").read_text() + UNCERTAIN)
    model = ema_model(toy, runs=2, days=4, outcomes=("killed",),
                      timeseries=("killed", "settlement"), replications=2)
    assert isinstance(model, ema.ReplicatorModel)
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2)
    assert outcomes["killed_by_replication"].shape == (2, 2)
    assert outcomes["killed_by_day"].shape == (2, 2, 4)
    assert outcomes["settlement_by_day"].shape == (2, 2, 4)
    np.testing.assert_allclose(outcomes["killed_by_day"][:, :, -1],
                               outcomes["killed_by_replication"])
    row = experiments.iloc[1]
    sets = {"places.capital.forces.gov": float(f"{row['places.capital.forces.gov']:.6g}"),
            "places.village.forces.reb":
                float(f"{10 ** row['log10:places.village.forces.reb']:.6g}")}
    direct = ripeness.simulate(with_patches(read(toy), sets, "test"), runs=2, seed=0, days=4,
                               first_run=2)
    killed = direct.daily["killed"].isel(day=-1).sum("place").mean("run")
    assert outcomes["killed_by_replication"][1, 1] == pytest.approx(float(killed))


def test_our_prim_peels_as_the_workbench_does() -> None:
    """On the same data the EMA workbench's PRIM and ours peel the same dimension on the same
    side at every step, until the workbench stops (at the first pure box). The quantile that
    sets a limit is defined differently (NumPy's linear interpolation, the workbench's
    midpoint of neighbours), so a box may hold a point more or less: counts agree to 2 in 2,000."""
    import numpy as np

    from ripeness.analysis import prim, prim_ema

    rng = np.random.default_rng(0)
    x = rng.uniform(size=(2000, 3))
    y = (x[:, 0] > 0.7) & (x[:, 2] < 0.8)
    ours, theirs = prim(x, y, ("a", "b", "c")), prim_ema(x, y, ("a", "b", "c"))
    assert len(theirs.boxes) > 20
    for a, b in zip(ours.boxes, theirs.boxes, strict=False):
        assert a.mass == pytest.approx(b.mass, abs=1e-3)
        assert a.coverage == pytest.approx(b.coverage, abs=3e-3)
        assert a.density == pytest.approx(b.density, abs=3e-3)
        np.testing.assert_allclose(a.low, b.low, atol=3e-3)
        np.testing.assert_allclose(a.high, b.high, atol=3e-3)
    box = ours.select(0.8)
    assert box.low[0] > 0.6 and box.restricted(ours.low, ours.high)[0]
