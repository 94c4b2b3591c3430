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

import numpy as np
import pytest

from ripeness.backtest import (
    Calibration,
    apply_patch_file,
    backtest,
    calibrate,
    read_patch,
    read_record,
    write_patch,
)
from ripeness.backtest.calibrate import _defaults, check_ranges, parse_range, patch_text, sample
from ripeness.backtest.record import default_record_path
from ripeness.cli import main
from ripeness.errors import ScenarioError
from ripeness.params import registry
from ripeness.scenario import builtin_scenarios, read
from ripeness.scenario.schema import Uncertain

from .conftest import TOY

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
    assert cal.manifest["ranges"] is None  # the scenario's own [[uncertain]] list
    # fitted: the entries before the cut-off and what the later ones had not yet seen
    fit = cal.manifest["fit_entries"]
    assert cal.manifest["censored"] and {"tamoura-taken@cutoff", "aleppo-east-held@cutoff",
                                         "menagh-taken@cutoff", "ratyan-taken"} <= set(fit)
    assert "tamoura-taken" not in fit


def test_dated_only_fits_the_entries_before_the_cutoff(range_calibration: Calibration) -> None:
    loaded = read("aleppo-2016")
    before = read_record(default_record_path(loaded), loaded).split(CUTOFF)[0]
    assert range_calibration.manifest["fit_entries"] == list(before.ids)
    assert not range_calibration.manifest["censored"]


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


# Ranges given instead of the scenario's [[uncertain]] list (`--range PATH=LOW:HIGH[:log]`).
# aleppo-2016 sets neither parameter: the scenario's own values are the registry defaults.
RANGES = ("parameters.focus_threshold=1:3", "actors.sdf.params.hold_ratio=0.25:1:log")


@pytest.fixture(scope="module")
def range_calibration() -> Calibration:
    return calibrate("aleppo-2016", CUTOFF, samples=3, runs=3, top=2, rescore_runs=3,
                     ranges=[parse_range(t) for t in RANGES], censored=False)


def test_ranges_replace_the_uncertain_list(range_calibration: Calibration,
                                           tmp_path: Path) -> None:
    cal = range_calibration
    paths = ["parameters.focus_threshold", "actors.sdf.params.hold_ratio"]
    table = cal.candidates
    assert list(table.columns) == [*paths, "fit", "rescore"]
    samples = table.drop(index="default")
    assert len(samples) == 3
    assert samples[paths[0]].between(1, 3).all() and samples[paths[1]].between(0.25, 1).all()
    assert cal.manifest["ranges"] == {paths[0]: [1.0, 3.0, "uniform"],
                                      paths[1]: [0.25, 1.0, "loguniform"]}
    assert list(cal.best) == paths
    patch = read_patch(write_patch(cal, tmp_path / "cal.toml"))
    assert dict(patch.set) == cal.best
    assert "ranges parameters.focus_threshold=1:3, actors.sdf.params.hold_ratio=0.25:1:log" \
        in patch.description


def test_default_row_of_a_parameter_the_file_omits(range_calibration: Calibration) -> None:
    """A model parameter absent from the file has the value the model uses: the registry
    default, or for an actor's parameter the scenario's [parameters] value if it sets one."""
    default = range_calibration.candidates.loc["default"]
    reg = registry()
    assert default["parameters.focus_threshold"] == reg["focus_threshold"].default
    assert default["actors.sdf.params.hold_ratio"] == reg["hold_ratio"].default
    syria = read("syria-2016")  # sets focus_threshold = 4 globally, not for the SDF
    sdf = next(a for a in syria.raw["actors"] if a["id"] == "sdf")
    assert "focus_threshold" not in sdf.get("params", {})
    assert _defaults(syria, ["actors.sdf.params.focus_threshold",
                             "parameters.focus_threshold"]) == {
        "actors.sdf.params.focus_threshold": 4.0, "parameters.focus_threshold": 4.0}


def test_parse_range_says_the_expected_form() -> None:
    u = parse_range("actors.government.params.hold_ratio = 0.3:1.0:log")
    assert (u.path, u.low.value, u.high.value, u.distribution) == (
        "actors.government.params.hold_ratio", 0.3, 1.0, "loguniform")
    for text in ("parameters.focus_threshold", "p=1", "p=1:2:3", "p=a:b", "=1:2"):
        with pytest.raises(ValueError, match="PATH=LOW:HIGH"):
            parse_range(text)
    with pytest.raises(ValueError, match="exceeds HIGH"):
        parse_range("p=6:2")
    with pytest.raises(ValueError, match="LOW > 0"):
        parse_range("p=0:2:log")


def test_bad_ranges_are_refused_before_any_run() -> None:
    loaded = read("aleppo-2016")
    texts = ["places.nope.population=1:2", "parameters.focus_threshold=0.5:3",
             "places.nubl=1:2", "parameters.focus_threshold=2:3"]
    with pytest.raises(ScenarioError) as e:
        check_ranges(loaded, [parse_range(t) for t in texts],
                     labels=[f"--range {t}" for t in texts])
    text = str(e.value)
    assert "[--range places.nope.population=1:2]" in text and "no entry 'nope'" in text
    assert "with its low 0.5 the scenario is invalid" in text and "outside its bounds" in text
    assert "'places.nubl' is a table" in text and "given more than once" in text
    with pytest.raises(ScenarioError, match="no entry 'nope'"):  # the library checks too
        calibrate(loaded, CUTOFF, samples=1, runs=1, ranges=[parse_range(texts[0])])
    with pytest.raises(ValueError, match="ranges is empty"):
        calibrate(loaded, CUTOFF, samples=1, runs=1, ranges=[])


@pytest.mark.parametrize("bad", ["places.nope.population=1:2", "parameters.focus_threshold",
                                 "parameters.focus_threshold=2:x",
                                 "parameters.focus_threshold=6:2",
                                 "parameters.focus_threshold=0.5:3"])
def test_cli_bad_range_exits_2(bad: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cal.toml"
    argv = ["calibrate", "aleppo-2016", "--cutoff", "2016-02-10", "--out", str(out),
            "--samples", "1", "--runs", "1", "--range", "talks.pause_days=20:40",
            "--range", bad]
    try:
        code = main(argv)
    except SystemExit as e:  # argparse: a malformed value
        code = e.code
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--range" in err
    assert ("fix:" in err and "nothing was run" in err) or "PATH=LOW:HIGH" in err


def test_several_scenarios_fit_shared_parameters_only() -> None:
    """A fit on several records sets model parameters every scenario shares: a scenario's own
    number (or its [[uncertain]] list) is refused before anything runs."""
    also = [("aleppo-2016", dt.date(2016, 2, 20))]
    with pytest.raises(ValueError, match=r"only ranges of parameters\.NAME"):
        calibrate("aleppo-2016", CUTOFF, samples=1, runs=1, also=also)
    with pytest.raises(ValueError, match=r"only ranges of parameters\.NAME"):
        calibrate("aleppo-2016", CUTOFF, samples=1, runs=1, also=also,
                  ranges=[parse_range("talks.pause_days=20:40")])
    with pytest.raises(ScenarioError, match=r"record\.csv beside its scenario\.toml"):
        calibrate("aleppo-2016", CUTOFF, samples=1, runs=1, also=[(TOY, CUTOFF)],
                  ranges=[parse_range("parameters.frontage=2:4")])
    with pytest.raises(ValueError, match=r"2015-01-01 leaves no record entries on one side "
                                         r"\(aleppo-2016"):
        calibrate("aleppo-2016", CUTOFF, samples=1, runs=1,
                  also=[("aleppo-2016", dt.date(2015, 1, 1))],
                  ranges=[parse_range("parameters.frontage=2:4")])


def test_several_scenarios_average_their_fits() -> None:
    """Each candidate's fit is the mean of the scenarios' fitting-set scores on the same runs
    (recomputed here by hand for the scenario's own values); each scenario's scores before
    and after its own cut-off are reported."""
    later = dt.date(2016, 2, 20)
    cal = calibrate("aleppo-2016", CUTOFF, samples=2, runs=2, top=1, rescore_runs=2,
                    ranges=[parse_range("parameters.frontage=2:4")],
                    also=[("aleppo-2016", later)])
    loaded = read("aleppo-2016")
    rec = read_record(default_record_path(loaded), loaded)
    own = [backtest(loaded, runs=2, seed=0, record=rec.known_at(c),
                    days=rec.known_at(c).last_day() + 31).score for c in (CUTOFF, later)]
    assert cal.candidates.loc["default", "fit"] == pytest.approx(np.mean(own))
    assert own[0] != pytest.approx(own[1])  # two different fitting sets
    (other,) = cal.others.values()
    assert list(other.columns) == ["before", "after", "all"] and other.notna().all().all()
    assert cal.manifest["also"][0]["cutoff"] == "2016-02-20"
    assert "with aleppo-2016 up to 2016-02-20" in cal.description()
