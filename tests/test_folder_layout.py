"""A run's folder and an ensemble's hold the same named files for the same things (issue 17):
manifest.json, runs.parquet and daily.nc in both, a run's events and talks beside them; one
loader reads both, and `ripeness plot` and `explain` work on both where it means something."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

import ripeness
from ripeness.cli import main
from ripeness.ensemble import EnsembleResult
from ripeness.results import LAYOUT, MANIFEST_KEYS, load_results

from .conftest import DATA

TALKS = DATA / "two_place_talks.toml"
ARGS = ["--runs", "6", "--days", "20", "--seed", "2"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same six runs written by `ripeness run` and by `ripeness ensemble` (two chunks)."""
    root = tmp_path_factory.mktemp("layout")
    run, ens = root / "run", root / "ens"
    assert main(["run", str(TALKS), *ARGS, "--quiet", "--out", str(run)]) == 0
    assert main(["ensemble", str(TALKS), *ARGS, "--chunk", "4", "--workers", "1", "--out",
                 str(ens)]) == 0
    return run, ens


def _names(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


def test_the_two_layouts(folders: tuple[Path, Path]) -> None:
    run, ens = folders
    assert _names(run) == sorted(["manifest.json", "runs.parquet", "daily.nc",
                                  "events.parquet", "sessions.parquet"])
    assert _names(ens) == sorted(["manifest.json", "runs.parquet", "daily.nc"])
    assert _names(run) == sorted(LAYOUT["ripeness run"])
    assert _names(ens) == sorted(LAYOUT["ripeness ensemble"])


def test_the_per_run_tables_are_equal_read_with_pandas_alone(folders: tuple[Path, Path]) -> None:
    run, ens = folders
    a, b = pd.read_parquet(run / "runs.parquet"), pd.read_parquet(ens / "runs.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a["run"]) == list(range(6)) and (a["sessions"] > 0).all()
    batch = ripeness.simulate(TALKS, runs=6, days=20, seed=2)
    pd.testing.assert_frame_equal(a, batch.runs, check_exact=True)  # dtypes included


def test_the_manifests_carry_the_same_keys_with_the_same_values(
        folders: tuple[Path, Path]) -> None:
    m_run, m_ens = (json.loads((d / "manifest.json").read_text()) for d in folders)
    assert (m_run["kind"], m_ens["kind"]) == ("ripeness run", "ripeness ensemble")
    for key in MANIFEST_KEYS:
        assert key in m_run and key in m_ens, key
        if key not in ("kind", "created"):
            assert m_run[key] == m_ens[key], key
    assert m_run["scenario_file"] == str(TALKS.resolve()) and m_run["runs"] == 6
    assert set(m_run["dtypes"]) == set(LAYOUT["ripeness run"]) - {"manifest.json"}
    assert set(m_ens["dtypes"]) == set(LAYOUT["ripeness ensemble"]) - {"manifest.json"}


def test_daily_has_the_same_days_places_and_actors(folders: tuple[Path, Path]) -> None:
    """Every run's arrays in a run's daily.nc, their bands and probabilities over runs in an
    ensemble's: on the same coordinates, CF-annotated alike."""
    run, ens = folders
    with xr.open_dataset(run / "daily.nc") as a, xr.open_dataset(ens / "daily.nc") as b:
        for name in ("day", "date", "place", "actor", "belligerent", "lat", "lon",
                     "place_name", "actor_colour"):
            assert a[name].values.tolist() == b[name].values.tolist(), name
            assert a[name].attrs.get("long_name") == b[name].attrs.get("long_name"), name
        assert a["control"].dims == ("run", "day", "place")
        assert b["control_probability"].dims == ("day", "place", "actor")
        held = (a["control"].values[..., None] == range(a.sizes["actor"])).sum(axis=0)
        assert (b["control_runs"].values == held).all()


def test_one_loader_reads_both(folders: tuple[Path, Path]) -> None:
    run, ens = folders
    r, e = load_results(run), load_results(ens)
    assert isinstance(r, ripeness.Result) and isinstance(e, EnsembleResult)
    pd.testing.assert_frame_equal(r.runs, e.runs, check_exact=True)
    with pytest.raises(FileNotFoundError, match=r"no readable manifest\.json"):
        load_results(run.parent)


def test_plot_draws_both(folders: tuple[Path, Path], tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    for d in folders:
        out = tmp_path / d.name
        assert main(["plot", str(d), "--format", "png", "--dates", "2016-02-20", "--out",
                     str(out)]) == 0, capsys.readouterr().err
        drawn = _names(out)
        for name in ("control-2016-02-20.png", "shares.png", "casualties.png", "outcomes.png",
                     "manifest.json"):
            assert name in drawn, (d.name, drawn)
    assert "talks.png" in _names(tmp_path / "run")  # one run's talks: a run's folder only


def test_explain_tells_a_run_and_says_how_to_get_an_ensembles_run(
        folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    run, ens = folders
    assert main(["explain", str(run), "--run", "3"]) == 0
    story = capsys.readouterr().out
    assert story.startswith("Talks between a, b")
    assert main(["explain", str(ens), "--run", "3"]) == 2
    err = capsys.readouterr().err
    res = load_results(run)
    assert isinstance(res, ripeness.Result)
    held = int(res.sessions[(res.sessions["run"] == 3)]["held"].sum())
    assert "holds an ensemble" in err and f"run 3: ongoing, {held} sessions" in err
    fix = err.split("fix: ")[1].split(", then ")[0]
    words = shlex.split(fix)
    assert words[:2] == ["ripeness", "run"] and words[words.index("--first-run") + 1] == "3"
    monkeypatch.chdir(tmp_path)  # the fix writes results/run-3 under the current folder
    assert main([*words[1:], "--quiet"]) == 0
    capsys.readouterr()
    assert main(["explain", "results/run-3", "--run", "3"]) == 0
    assert capsys.readouterr().out == story  # the same run, day by day
