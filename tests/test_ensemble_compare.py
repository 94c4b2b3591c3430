"""What-if comparisons use common random numbers: the same runs, the same draws."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ripeness.cli import main
from ripeness.ensemble import compare, run_ensemble

KW: dict[str, Any] = {"runs": 80, "days": 15, "chunk": 40, "workers": 1}


@pytest.fixture(scope="module")
def no_air() -> Any:
    return compare("aleppo-2016", whatif="no-russian-air", **KW)


def test_baseline_is_the_plain_ensemble(no_air: Any) -> None:
    """The comparison's baseline runs are the ensemble's runs: same seed, same indices."""
    plain = run_ensemble("aleppo-2016", progress=False, **KW)
    pd.testing.assert_frame_equal(no_air.baseline, plain.runs, check_exact=True)
    variant = run_ensemble("aleppo-2016", whatif="no-russian-air", progress=False, **KW)
    pd.testing.assert_frame_equal(no_air.variant, variant.runs, check_exact=True)


def test_table_has_each_outcome_and_measure_with_an_interval(no_air: Any) -> None:
    t = no_air.table()
    assert {"P(settlement)", "P(ongoing)", "mil_dead", "killed", "displaced",
            "besieged_person_days", "sessions"} <= set(t.index)
    assert (t["low"] <= t["difference"]).all() and (t["difference"] <= t["high"]).all()
    np.testing.assert_allclose(t["difference"], t["variant"] - t["baseline"], atol=1e-9)
    # common random numbers: paired variance below independent sampling for casualties
    assert t.loc["killed", "variance_reduction"] > 1.0
    assert "var. reduction" in no_air.report()


def test_a_variant_equal_to_the_baseline_differs_by_nothing() -> None:
    """Setting a value to what it already is changes no draw and no run."""
    c = compare("aleppo-2016", sets={"support.russia-government.sorties_per_day": 45}, **KW)
    pd.testing.assert_frame_equal(c.baseline, c.variant, check_exact=True)
    t = c.table()
    assert (t["difference"] == 0).all()
    assert (t.loc["P(settlement)", "low"] < 0 < t.loc["P(settlement)", "high"])


def test_compare_needs_a_change() -> None:
    with pytest.raises(ValueError, match="nothing to compare"):
        compare("aleppo-2016", **KW)


def test_cli_compare_prints_and_saves(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmp"
    args = ["compare", "aleppo-2016", "--what-if", "no-russian-air", "--runs", "40",
            "--days", "10", "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "P(settlement)" in text and "common random numbers" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["whatif"] == "no-russian-air" and manifest["runs"] == 40
    table = pd.read_parquet(out / "comparison.parquet")
    assert "variance_reduction" in table.columns
    assert main(args) == 2  # the folder exists
    assert "--overwrite" in capsys.readouterr().err
    assert main(["compare", "aleppo-2016", "--runs", "4"]) == 2
    assert main(["compare", "aleppo-2016", "--what-if", "nope", "--runs", "4"]) == 2
