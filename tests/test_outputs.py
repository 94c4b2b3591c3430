"""One rule for every folder or file ripeness writes: refuse what is not ripeness's own (even
with --overwrite), never lose what the user had, never leave temporary folders behind."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ripeness.cli import main
from ripeness.outputs import OutputError, write_folder
from ripeness.simulate import Result, simulate

from .conftest import TOY


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes (what the user had)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch") / "res"
    simulate(TOY, runs=2, days=3).save(out)
    return out


def _user_folder(tmp_path: Path) -> Path:
    mine = tmp_path / "userdir"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    (mine / "data").mkdir()
    (mine / "data" / "x.csv").write_text("1,2\n")
    return mine


def test_run_overwrite_refuses_a_users_folder(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's case: `run --out userdir --overwrite` deleted the user's files."""
    mine = _user_folder(tmp_path)
    before = _tree(tmp_path)
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(mine),
                 "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert f"--out {mine}: holds files that are not ripeness results" in err
    assert "notes.txt" in err and "fix: give a new folder name" in err
    assert _tree(tmp_path) == before and sorted(os.listdir(tmp_path)) == ["userdir"]


def test_run_overwrite_refuses_a_plain_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "res"
    f.write_text("not a folder")
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(f),
                 "--overwrite"]) == 2
    assert "is a file, not a results folder" in capsys.readouterr().err
    assert f.read_text() == "not a folder" and sorted(os.listdir(tmp_path)) == ["res"]


@pytest.mark.parametrize("where", [".", ".."])
def test_out_dot_and_dotdot_are_refused(where: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`--out .` or `--out ..` with --overwrite ended in an OSError and left .old-* behind."""
    here = tmp_path / "work"
    here.mkdir()
    (here / "mine.txt").write_text("x")
    monkeypatch.chdir(here)
    before = _tree(tmp_path)
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", where,
                 "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert f"--out {where}: is " in err and "results need a folder of their own" in err
    assert "fix: give a new folder name for them, e.g. results/run1" in err
    assert "internal error" not in err
    assert _tree(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["work"] and sorted(os.listdir(here)) == ["mine.txt"]


def test_read_only_output_exits_2_with_a_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A read-only place gave 'internal error: OSError [Errno 30]' (exit 1). Root ignores
    permission bits, so the file system's answer is simulated: os.access says no."""
    real = os.access
    ro = tmp_path / "ro"
    ro.mkdir()

    def access(path: os.PathLike[str] | str, mode: int, **kw: object) -> bool:
        return False if Path(path) == ro and mode & os.W_OK else real(path, mode)

    monkeypatch.setattr(os, "access", access)
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(ro / "res")]) == 2
    err = capsys.readouterr().err
    assert f"--out {ro / 'res'}: cannot write in {ro}" in err
    assert "fix: choose a folder you can write to" in err
    assert os.listdir(ro) == []


def test_a_failing_write_keeps_the_old_results_and_leaves_no_temp(
        batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The write itself fails (read-only file system, disk full): exit 2, the old results as
    they were, no .NAME.tmp-* or .NAME.old-* folder."""
    out = tmp_path / "res"
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(out)]) == 0
    before = _tree(tmp_path)

    def refuse(*args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("ripeness.outputs.os.replace", refuse)
    assert main(["run", str(TOY), "--days", "3", "--quiet", "--out", str(out),
                 "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert f"{out}: cannot be written (Read-only file system)" in err and "fix: " in err
    assert _tree(tmp_path) == before and sorted(os.listdir(tmp_path)) == ["res"]


def test_a_killed_saves_leftovers_are_cleaned_and_old_results_put_back(
        batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """kill -9 during a save leaves .NAME.tmp-PID-HEX (and, between the two renames, the old
    results in .NAME.old-PID-HEX): the next save removes the first and puts the second back,
    so nothing is lost and nothing stays hidden."""
    dead = _dead_pid()
    half = tmp_path / f".res.tmp-{dead}-0123abcd"
    half.mkdir()
    (half / "daily.nc").write_bytes(b"half written")
    old = tmp_path / f".res.old-{dead}-89abcdef"
    Result.load(batch).save(old)
    kept = _tree(old)
    other = tmp_path / f".other.tmp-{dead}-0123abcd"  # another name's: not touched
    other.mkdir()
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out",
                 str(tmp_path / "res")]) == 2
    assert "already holds results (ripeness run)" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == [".other.tmp-" + f"{dead}-0123abcd", "res"]
    assert _tree(tmp_path / "res") == kept
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(tmp_path / "res"),
                 "--overwrite"]) == 0
    assert sorted(os.listdir(tmp_path)) == [".other.tmp-" + f"{dead}-0123abcd", "res"]


def test_results_with_a_users_file_inside_are_not_overwritten(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(out)]) == 0
    (out / "my-analysis.ipynb").write_text("{}")
    before = _tree(tmp_path)
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(out),
                 "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert "also my-analysis.ipynb, which ripeness did not write" in err
    assert _tree(tmp_path) == before


def test_overwrite_replaces_results_and_leaves_nothing_beside(tmp_path: Path) -> None:
    out = tmp_path / "res"
    assert main(["run", str(TOY), "--days", "2", "--quiet", "--out", str(out)]) == 0
    assert main(["plot", str(out), "--format", "png"]) == 0  # out/figures: ours too
    assert main(["run", str(TOY), "--days", "3", "--quiet", "--out", str(out),
                 "--overwrite"]) == 0
    assert json.loads((out / "manifest.json").read_text())["days"] == 3
    assert sorted(os.listdir(tmp_path)) == ["res"]
    assert not (out / "figures").exists()  # figures of the old results went with them


def test_library_save_follows_the_rule(batch: Path, tmp_path: Path) -> None:
    res = Result.load(batch)
    mine = _user_folder(tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(OutputError, match="not ripeness results"):
        res.save(mine, overwrite=True)
    f = tmp_path / "plain"
    f.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        res.save(f, overwrite=True)
    with pytest.raises(FileExistsError, match="--overwrite"):  # existing results
        res.save(batch)
    assert _tree(tmp_path) == {**before, "plain": b"x"}
    empty = tmp_path / "empty"
    empty.mkdir()
    res.save(empty)  # an empty folder holds nothing to lose
    assert (empty / "manifest.json").is_file()


def test_write_folder_removes_its_temp_folder_on_failure(tmp_path: Path) -> None:
    def fail(tmp: Path) -> None:
        (tmp / "daily.nc").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_folder(tmp_path / "res", fail)
    assert os.listdir(tmp_path) == []


def _cases(batch: Path) -> dict[str, list[str]]:
    """Every command that writes a folder or a file, pointed at OUT (with --overwrite where
    it takes one)."""
    return {
        "run": ["run", str(TOY), "--days", "2", "--quiet", "--overwrite", "--out"],
        "ensemble": ["ensemble", str(TOY), "--runs", "2", "--days", "2", "--workers", "1",
                     "--overwrite", "--out"],
        "compare": ["compare", str(TOY), "--set", "parameters.recruit_rate=0", "--runs", "2",
                    "--days", "2", "--workers", "1", "--overwrite", "--out"],
        "sensitivity": ["sensitivity", "aleppo-2016", "--samples", "2", "--runs", "1",
                        "--days", "1", "--overwrite", "--out"],
        "discover": ["discover", "aleppo-2016", "--samples", "2", "--runs", "1", "--days", "1",
                     "--overwrite", "--out"],
        "plot": ["plot", str(batch), "--format", "png", "--overwrite", "--out"],
    }


@pytest.mark.parametrize("command", ["run", "ensemble", "compare", "sensitivity", "discover",
                                     "plot"])
@pytest.mark.parametrize("target", ["user-folder", "plain-file", "dot"])
def test_every_folder_writer_refuses(command: str, target: str, batch: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    out = {"user-folder": str(_user_folder(tmp_path)), "dot": "."}.get(target, "plain")
    if target == "plain-file":
        (tmp_path / "plain").write_text("mine")
    before = _tree(tmp_path)
    assert main([*_cases(batch)[command], out]) == 2
    err = capsys.readouterr().err
    assert f"--out {out}: " in err and "fix: " in err and "internal error" not in err
    assert _tree(tmp_path) == before
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]


def test_calibrate_refuses_to_replace_a_patch_it_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('[whatifs.mine]\ndescription = "hand-made"\n')
    assert main(["calibrate", "aleppo-2016", "--cutoff", "2016-02-10", "--out", str(mine),
                 "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert f"--out {mine}: exists and was not written by ripeness" in err
    assert mine.read_text() == '[whatifs.mine]\ndescription = "hand-made"\n'
    folder = _user_folder(tmp_path)
    assert main(["calibrate", "aleppo-2016", "--cutoff", "2016-02-10", "--out", str(folder),
                 "--overwrite"]) == 2
    assert f"--out {folder}: is a folder" in capsys.readouterr().err


def test_backtest_plot_refuses_a_users_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    photo = tmp_path / "holiday.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n my photo")
    assert main(["backtest", "aleppo-2016", "--runs", "2", "--null", "0", "--plot",
                 str(photo), "--overwrite"]) == 2
    assert f"--plot {photo}: exists and was not written by ripeness" in capsys.readouterr().err
    assert photo.read_bytes() == b"\x89PNG\r\n\x1a\n my photo"
