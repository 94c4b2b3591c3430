"""Calibration: sampling the uncertain ranges, the search, and the patch file round trip.

The fitted values go to a patch file, never into the shipped scenario; the patch can be read
back, applied with --patch (or appended to a scenario as a what-if), and names its provenance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import tomllib
from pathlib import Path

import pytest

from ripeness.backtest import (
    Calibration,
    apply_patch_file,
    calibrate,
    read_patch,
    write_patch,
)
from ripeness.backtest.calibrate import patch_text, sample
from ripeness.errors import ScenarioError
from ripeness.scenario import builtin_scenarios, read
from ripeness.scenario.schema import Uncertain

CUTOFF = dt.date(2016, 2, 10)


def test_sample_fills_the_ranges() -> None:
    """Latin hypercube: each of n strata of every range holds exactly one point; log-uniform
    ranges are stratified on the log scale."""
    us = [Uncertain.model_validate({"path": "a.b", "low": 0, "high": 10, "assumption": "t"}),
          Uncertain.model_validate({"path": "c.d", "low": 1, "high": 1000,
                                    "distribution": "loguniform", "assumption": "t"})]
    pts = sample(us, 10, seed=0)
    assert sorted(int(p["a.b"]) for p in pts) == list(range(10))
    assert sorted(int(10 * math.log10(p["c.d"]) / 3) for p in pts) == list(range(10))
    assert sample(us, 10, seed=0) == pts and sample(us, 8, 0, "sobol")[0] != pts[0]
    with pytest.raises(ValueError, match="'lhs' or 'sobol'"):
        sample(us, 4, 0, "grid")


@pytest.fixture(scope="module")
def small_calibration() -> Calibration:
    return calibrate("aleppo-2016", CUTOFF, samples=3, runs=4, top=2, rescore_runs=6)


def test_calibration_reports_both_sides(small_calibration: Calibration) -> None:
    cal = small_calibration
    assert list(cal.scores.index) == ["default", "calibrated"]
    assert list(cal.scores.columns) == ["before", "after", "all"]
    assert cal.scores.notna().all().all()
    table = cal.candidates
    assert len(table) == 4 and table["rescore"].notna().sum() == 2
    paths = {u.path for u in read("aleppo-2016").scenario.uncertain}
    assert set(cal.best) == paths
    runs = cal.manifest["runs_used"]
    assert runs == {"search": [0, 3], "rescore": [4, 9], "evaluation": [10, 15]}


def test_patch_round_trip_and_shipped_scenario_untouched(small_calibration: Calibration,
                                                         tmp_path: Path) -> None:
    shipped = builtin_scenarios()["aleppo-2016"]
    before = hashlib.sha256(shipped.read_bytes()).hexdigest()
    out = write_patch(small_calibration, tmp_path / "cal.toml")
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == before
    patch = read_patch(out)
    assert patch.description.startswith("calibrated on ") and "up to 2016-02-10" in \
        patch.description
    assert dict(patch.set) == small_calibration.best
    loaded = apply_patch_file(read("aleppo-2016"), out)
    sorties = loaded.scenario.support[0].sorties_per_day
    assert sorties.value == patch.set["support.russia-government.sorties_per_day"]
    assert sorties.assumption == patch.description  # provenance of the fitted number
    kept = apply_patch_file(read("aleppo-2016"), out,
                            skip=("support.russia-government.sorties_per_day",))
    assert kept.scenario.support[0].sorties_per_day.value == 45
    with pytest.raises(FileExistsError):
        write_patch(small_calibration, out)


def test_patch_is_a_whatif_a_scenario_can_hold(tmp_path: Path) -> None:
    """Appended to a copy of the scenario, the patch is the what-if 'calibrated'."""
    text = patch_text("calibrated on test", {"talks.pause_days": 30})
    scenario = tmp_path / "copy.toml"
    scenario.write_text(builtin_scenarios()["aleppo-2016"].read_text() + "\n" + text)
    loaded = read(scenario)
    assert loaded.scenario.whatifs["calibrated"].set == {"talks.pause_days": 30}
    assert tomllib.loads(text)["whatifs"]["calibrated"]["description"] == "calibrated on test"


def test_bad_patch_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such patch file"):
        read_patch(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[whatifs.a]\nset = 3\n")
    with pytest.raises(ScenarioError, match="not a patch"):
        read_patch(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(patch_text("x", {"talks.no_such_key": 1}))
    with pytest.raises(ScenarioError):
        apply_patch_file(read("aleppo-2016"), wrong)


def test_cutoff_outside_the_record_is_refused() -> None:
    with pytest.raises(ValueError, match="no record entries on one side"):
        calibrate("aleppo-2016", dt.date(2015, 1, 1), samples=1, runs=1)
