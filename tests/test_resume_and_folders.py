"""Resume never rewrites what it does not continue; a failed start leaves nothing in the way;
repeated what-ifs compose in order; saved results keep their dtypes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr

import ripeness
from ripeness.cli import main
from ripeness.ensemble import EnsembleError, EnsembleResult, run_ensemble
from ripeness.scenario import read, variant
from ripeness.simulate import Result

from .conftest import TOY

ENS = ["--days", "3", "--chunk", "5", "--workers", "1"]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_resume_with_fewer_runs_refuses_instead_of_rewriting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`ensemble --resume --runs 1000` on a finished 3,000-run ensemble rewrote it to 1,000."""
    out = tmp_path / "ens"
    assert main(["ensemble", str(TOY), "--runs", "15", *ENS, "--out", str(out)]) == 0
    before = _files(out)
    capsys.readouterr()
    assert main(["ensemble", str(TOY), "--runs", "5", *ENS, "--out", str(out),
                 "--resume"]) == 2
    err = capsys.readouterr().err
    assert f"cannot resume {out} with --runs 5: it holds an ensemble of 15 runs" in err
    assert "fix: --resume --runs 15 (or more, to extend it)" in err
    assert _files(out) == before
    assert main(["ensemble", str(TOY), "--runs", "20", *ENS, "--out", str(out),
                 "--resume"]) == 0  # more runs extend it, as documented
    assert len(EnsembleResult.load(out).runs) == 20


def test_a_bad_scheduler_leaves_nothing_that_blocks_the_corrected_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad --scheduler left a manifest marked 'running' that refused the next command."""
    out = tmp_path / "ens"
    args = ["ensemble", str(TOY), "--runs", "10", *ENS, "--out", str(out)]
    assert main([*args, "--scheduler", "not-an-address"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err
    assert not out.exists()
    assert main(args) == 0


def test_a_start_that_fails_later_is_rolled_back(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler is unreachable (or anything else fails) before any chunk is done: the
    folder goes back to what it was (absent, or empty)."""
    def unreachable(*args: Any) -> Any:
        raise EnsembleError("cannot reach the Dask scheduler at tcp://10.0.0.5:8786")

    monkeypatch.setattr("ripeness.ensemble.run.execute", unreachable)
    for out in (tmp_path / "new", tmp_path / "empty"):
        if out.name == "empty":
            out.mkdir()
        with pytest.raises(EnsembleError):
            run_ensemble(TOY, runs=10, days=3, chunk=5, out=out, progress=False)
        assert (out.exists(), list(out.iterdir()) if out.exists() else []) == (
            out.name == "empty", [])


def test_a_killed_start_does_not_block_the_next_command(tmp_path: Path) -> None:
    """kill -9 before the first chunk: a 'running' manifest and no chunk; that folder holds
    nothing worth keeping, so the same command (without --resume) runs."""
    out = tmp_path / "ens"
    (out / "chunks").mkdir(parents=True)
    (out / "manifest.json").write_text(json.dumps({"kind": "ripeness ensemble",
                                                   "status": "running", "runs": 99}))
    res = run_ensemble(TOY, runs=10, days=3, chunk=5, workers=1, out=out, progress=False)
    assert len(res.runs) == 10 and EnsembleResult.load(out).manifest["status"] == "complete"


def _with_whatifs(tmp_path: Path) -> Path:
    p = tmp_path / "w.toml"
    p.write_text(TOY.read_text() + """
[whatifs.a]
description = "a"
set = { "parameters.fire_rate" = 0.02, "parameters.recruit_rate" = 0.0 }

[whatifs.b]
description = "b"
set = { "parameters.fire_rate" = 0.03 }
""")
    return p


def test_repeated_what_ifs_compose_in_order(tmp_path: Path) -> None:
    """`--what-if A --what-if B`: the last one silently won. Now each applies in turn, a later
    one winning where both set the same value."""
    path = _with_whatifs(tmp_path)
    loaded = read(path)
    ab = variant(loaded, ["a", "b"]).scenario.parameters.values()
    ba = variant(loaded, ["b", "a"]).scenario.parameters.values()
    assert (ab["fire_rate"].value, ab["recruit_rate"].value) == (0.03, 0.0)
    assert (ba["fire_rate"].value, ba["recruit_rate"].value) == (0.02, 0.0)
    out = tmp_path / "res"
    assert main(["run", str(path), "--days", "1", "--quiet", "--what-if", "a", "--what-if", "b",
                 "--out", str(out)]) == 0
    used = json.loads((out / "manifest.json").read_text())["parameters"]
    assert used["fire_rate"]["gov"] == 0.03 and used["recruit_rate"]["gov"] == 0.0


def test_repeated_what_ifs_are_an_ensembles_identity(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    path = _with_whatifs(tmp_path)
    out = tmp_path / "ens"
    args = ["ensemble", str(path), "--runs", "5", *ENS, "--out", str(out)]
    assert main([*args, "--what-if", "a", "--what-if", "b"]) == 0
    assert EnsembleResult.load(out).manifest["whatif"] == ["a", "b"]
    capsys.readouterr()
    assert main([*args, "--what-if", "b", "--what-if", "a", "--resume"]) == 2
    assert "whatif ['a', 'b'], not ['b', 'a']" in capsys.readouterr().err
    assert main(["compare", str(path), "--runs", "4", *ENS, "--what-if", "a",
                 "--what-if", "b"]) == 0
    assert "what-if a + what-if b vs baseline" in capsys.readouterr().out


def _dtypes(obj: pd.DataFrame | xr.Dataset) -> dict[str, str]:
    items = obj.dtypes.items() if isinstance(obj, pd.DataFrame) else (
        (k, v.dtype) for k, v in obj.variables.items())
    return {str(k): str(v) for k, v in items}


def test_a_saved_run_keeps_its_dtypes(tmp_path: Path) -> None:
    """date was datetime64[s] in memory, [ns] (daily.nc) and [ms] (events.parquet) loaded."""
    res = ripeness.simulate(TOY, runs=2, days=6, seed=1)
    assert str(res.daily["date"].dtype) == "datetime64[s]" and len(res.events)
    res.save(tmp_path / "r")
    back = Result.load(tmp_path / "r")
    assert _dtypes(back.daily) == _dtypes(res.daily)
    assert _dtypes(back.events) == _dtypes(res.events)
    assert _dtypes(back.sessions) == _dtypes(res.sessions)
    xr.testing.assert_identical(back.daily, res.daily)
    pd.testing.assert_frame_equal(back.events, res.events)
    assert back.manifest == json.loads(json.dumps(res.manifest))


def test_a_saved_ensemble_keeps_its_dtypes(tmp_path: Path) -> None:
    res = run_ensemble(TOY, runs=6, days=3, chunk=3, workers=1, progress=False,
                       out=tmp_path / "e")
    back = EnsembleResult.load(tmp_path / "e")
    assert _dtypes(back.daily) == _dtypes(res.daily)
    assert _dtypes(back.runs) == _dtypes(res.runs)
    assert back.manifest == json.loads(json.dumps(res.manifest))
