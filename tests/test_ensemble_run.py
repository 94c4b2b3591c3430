"""run_ensemble: chunks give the same runs as one batch, folders are never overwritten by
accident, resume reuses finished chunks, and results round-trip through their files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import ripeness.ensemble.run as run_module
from ripeness.cli import main
from ripeness.coupling import OUTCOMES
from ripeness.ensemble import EnsembleError, EnsembleResult, run_ensemble
from ripeness.ensemble.chunk import ChunkSpec, run_chunk
from ripeness.ensemble.store import Folder
from ripeness.outputs import OutputError
from ripeness.scenario import read
from ripeness.simulate import simulate

TOY = Path(__file__).parent / "data" / "toy.toml"
SMALL = {"runs": 60, "days": 12, "chunk": 25, "workers": 1, "progress": False}


@pytest.fixture(scope="module")
def aleppo() -> EnsembleResult:
    return run_ensemble("aleppo-2016", **SMALL)


def test_runs_table_equals_one_unchunked_batch(aleppo: EnsembleResult) -> None:
    """Chunks of 25 give, run for run, what one batch of 60 gives (batch invariance)."""
    ds = simulate("aleppo-2016", runs=60, days=12, record=False).daily
    runs = aleppo.runs
    assert list(runs["run"]) == list(range(60))
    np.testing.assert_array_equal(runs["outcome"], np.array(OUTCOMES)[ds["outcome"].values])
    np.testing.assert_array_equal(runs["sessions"], ds["sessions"].values)
    np.testing.assert_array_equal(runs["besieged_person_days"],
                                  ds["besieged_person_days"].values)
    killed = ds["killed"].isel(day=-1).values.astype(np.float64).sum(axis=1)
    np.testing.assert_array_equal(runs["killed"], killed)
    shares = runs[[c for c in runs if c.startswith("share_")]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0, rtol=1e-5)
    att = runs[[c for c in runs if c.startswith("attainment_")]]
    assert ((att >= 0) & (att <= 1)).all().all()


def test_chunk_size_does_not_change_the_result(aleppo: EnsembleResult) -> None:
    other = run_ensemble("aleppo-2016", **{**SMALL, "chunk": 7})
    pd.testing.assert_frame_equal(aleppo.runs, other.runs, check_exact=True)
    xr.testing.assert_identical(aleppo.daily, other.daily)


def test_a_batch_has_the_same_per_run_table_as_an_ensemble(aleppo: EnsembleResult) -> None:
    """simulate() of the same runs and seed, in one batch instead of chunks, with or without
    the daily arrays, gives the ensemble's per-run table row for row, value for value."""
    for record in (True, False):
        batch = simulate("aleppo-2016", runs=60, days=12, record=record)
        pd.testing.assert_frame_equal(batch.runs, aleppo.runs, check_exact=True)
    tail = simulate("aleppo-2016", runs=10, days=12, first_run=50).runs
    pd.testing.assert_frame_equal(tail, aleppo.runs.iloc[50:].reset_index(drop=True),
                                  check_exact=True)


def test_daily_control_counts_match_the_recorded_batch(aleppo: EnsembleResult) -> None:
    ds = simulate("aleppo-2016", runs=60, days=12, record=True).daily
    n_a = ds.sizes["actor"]
    want = (ds["control"].values[..., None] == np.arange(n_a)).sum(axis=0)
    np.testing.assert_array_equal(aleppo.daily["control_runs"].values, want)
    np.testing.assert_allclose(aleppo.daily["control_probability"].sum("actor"), 1.0)
    bel = [str(a) for a in aleppo.daily["belligerent"].values]
    median = np.median(ds["share"].sel(belligerent=bel).values.astype(np.float64), axis=0)
    np.testing.assert_allclose(aleppo.daily["share_band"].sel(quantile=0.5), median)


def test_summary_and_manifest(aleppo: EnsembleResult) -> None:
    s = aleppo.summary()
    assert s.loc[[f"P({o})" for o in OUTCOMES], "estimate"].sum() == pytest.approx(1.0)
    m = aleppo.manifest
    assert m["scenario"] == "aleppo-2016" and m["runs"] == 60 and m["days"] == 12
    assert m["chunk"] == 25 and m["seed"] == 0 and m["scheduler"]["kind"] == "in-process"
    assert m["timing"]["chunks_computed"] == 3 and "parameters" in m
    assert "P(settlement)" in aleppo.report()


def test_save_load_round_trip(aleppo: EnsembleResult, tmp_path: Path) -> None:
    aleppo.save(tmp_path / "e")
    back = EnsembleResult.load(tmp_path / "e")
    pd.testing.assert_frame_equal(aleppo.runs, back.runs, check_exact=True)
    xr.testing.assert_identical(aleppo.daily, back.daily)
    assert back.manifest == json.loads(json.dumps(aleppo.manifest))
    with pytest.raises(FileExistsError):
        aleppo.save(tmp_path / "e")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not ripeness results"):
        aleppo.save(tmp_path / "other", overwrite=True)
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def _stop_after(monkeypatch: pytest.MonkeyPatch, chunks: int) -> None:
    """run_ensemble is interrupted (Ctrl-C) once ``chunks`` chunks are done."""
    real = run_module.execute

    def stopping(*args: Any) -> Iterator[Any]:
        for k, item in enumerate(real(*args)):
            if k == chunks:
                raise KeyboardInterrupt
            yield item
    monkeypatch.setattr(run_module, "execute", stopping)


def test_an_unfinished_ensemble_keeps_its_chunks_a_finished_one_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks are what --resume reads: kept while the ensemble is unfinished, removed once
    runs.parquet, daily.nc and the manifest are written (issue 17: a finished ensemble kept a
    26 MB chunks/ folder)."""
    out = tmp_path / "ens"
    kw: dict[str, Any] = {"runs": 30, "days": 5, "chunk": 10, "workers": 1,
                          "progress": False, "out": out}
    _stop_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(TOY, **kw)
    assert len(list((out / "chunks").glob("*.parquet"))) == 2
    with pytest.raises(FileNotFoundError, match="--resume"):
        EnsembleResult.load(out)  # not read as a finished ensemble
    monkeypatch.undo()
    first = run_ensemble(TOY, resume=True, **kw)
    timing = first.manifest["timing"]
    assert (timing["chunks_reused"], timing["chunks_computed"]) == (2, 1)
    assert sorted(p.name for p in out.iterdir()) == ["daily.nc", "manifest.json",
                                                     "runs.parquet"]
    clean = run_ensemble(TOY, runs=50, days=5, chunk=10, workers=1, progress=False)
    pd.testing.assert_frame_equal(first.runs, clean.runs.iloc[:30], check_exact=True)


def test_resume_of_a_finished_ensemble_reads_it_back_or_extends_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ens"
    kw: dict[str, Any] = {"days": 5, "chunk": 10, "workers": 1, "progress": False, "out": out}
    first = run_ensemble(TOY, runs=30, **kw)
    _stop_after(monkeypatch, 0)  # nothing may be computed to read it back
    again = run_ensemble(TOY, runs=30, resume=True, **kw)
    assert again.manifest == EnsembleResult.load(out).manifest
    pd.testing.assert_frame_equal(again.runs, first.runs, check_exact=True)
    with pytest.raises(KeyboardInterrupt):  # an extension stopped before its first chunk
        run_ensemble(TOY, runs=50, resume=True, **kw)
    kept = EnsembleResult.load(out)  # leaves the finished ensemble as it was
    assert kept.manifest == again.manifest and not (out / "chunks").exists()
    monkeypatch.undo()
    more = run_ensemble(TOY, runs=50, resume=True, **kw)  # no chunks: its 30 runs again
    timing = more.manifest["timing"]
    assert (timing["chunks_reused"], timing["chunks_computed"]) == (0, 5)
    assert not (out / "chunks").exists()
    clean = run_ensemble(TOY, runs=50, days=5, chunk=10, workers=1, progress=False)
    pd.testing.assert_frame_equal(more.runs, clean.runs, check_exact=True)
    xr.testing.assert_identical(more.daily, clean.daily)


def test_existing_folder_is_refused_unless_resume_or_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "ens"
    kw = {"runs": 10, "days": 3, "chunk": 5, "workers": 1, "progress": False, "out": out}
    run_ensemble(TOY, **kw)
    with pytest.raises(OutputError, match="--resume"):
        run_ensemble(TOY, **kw)
    with pytest.raises(EnsembleError, match="seed 0, not 1"):
        run_ensemble(TOY, seed=1, resume=True, **kw)
    with pytest.raises(EnsembleError, match="days 3, not 4"):
        run_ensemble(TOY, **{**kw, "days": 4, "resume": True})
    replaced = run_ensemble(TOY, seed=1, overwrite=True, **kw)
    assert replaced.manifest["seed"] == 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("x")
    with pytest.raises(OutputError, match="not ripeness results"):
        run_ensemble(TOY, **{**kw, "out": mine, "overwrite": True})
    assert (mine / "thesis.tex").exists()


def test_a_chunk_file_is_complete_or_absent(tmp_path: Path) -> None:
    """The parquet file marks a chunk done and is written last; stray temporary files from a
    killed writer are removed on resume."""
    sc = read(TOY).scenario
    spec = ChunkSpec(seed=0, days=3, first=0, count=4)
    folder = Folder(tmp_path)
    folder.chunks.mkdir()
    (folder.chunks / f".{spec.name}.parquet.tmp-1-ab").write_bytes(b"half")
    assert not folder.has(spec)
    chunk = run_chunk(sc, spec)
    folder.write(chunk)
    folder.clean()
    assert folder.has(spec)
    assert sorted(p.name for p in folder.chunks.iterdir()) == [f"{spec.name}.npz",
                                                               f"{spec.name}.parquet"]
    back = folder.read(spec)
    pd.testing.assert_frame_equal(back.runs, chunk.runs, check_exact=True)
    np.testing.assert_array_equal(back.share, chunk.share)


def test_local_processes_give_the_same_result(tmp_path: Path) -> None:
    """Two worker processes, chunks finishing in any order: the same table and bands."""
    kw = {"runs": 40, "days": 6, "chunk": 10, "progress": False}
    one = run_ensemble(TOY, workers=1, **kw)
    two = run_ensemble(TOY, workers=2, **kw)
    assert two.manifest["scheduler"] == {"kind": "processes", "workers": 2}
    pd.testing.assert_frame_equal(one.runs, two.runs, check_exact=True)
    xr.testing.assert_identical(one.daily, two.daily)


def test_cli_ensemble_writes_and_refuses(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ens"
    args = ["ensemble", str(TOY), "--runs", "20", "--days", "4", "--chunk", "10",
            "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr()
    assert "P(settlement)" in text.out and "20/20 runs" in text.err
    assert EnsembleResult.load(out).manifest["runs"] == 20
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 1 and f"--out {out}: already holds results" in err
    assert "fix: " in err and "--resume" in err
    assert main([*args, "--seed", "4", "--resume"]) == 2
    assert "seed 0, not 4" in capsys.readouterr().err
    assert main([*args, "--resume"]) == 0


@pytest.mark.parametrize("extra, message", [
    (["--what-if", "nope"], "no what-if named 'nope'"),
    (["--scheduler", "not-an-address"], "tcp://HOST:PORT"),
    (["--set", "talks.nope=1"], "talks.nope"),
])
def test_cli_user_errors_exit_2_without_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
        message: str) -> None:
    code = main(["ensemble", "aleppo-2016", "--runs", "4", "--days", "2",
                 "--out", str(tmp_path / "e"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
