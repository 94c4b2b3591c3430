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
