"""No lost work: an ensemble killed with SIGKILL mid-way continues with --resume and ends with
every run exactly once, its table equal bit for bit to an uninterrupted run's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from ripeness.cli import main
from ripeness.ensemble import run_ensemble

ARGS = ["ensemble", "aleppo-2016", "--runs", "400", "--days", "30", "--chunk", "50"]
CHUNKS = 8


def _done(out: Path) -> int:
    return len(list((out / "chunks").glob("*.parquet")))


def _children(pid: int) -> list[int]:
    """The worker processes of ``pid`` (empty without psutil)."""
    try:
        import psutil
    except ImportError:
        return []
    return [c.pid for c in psutil.Process(pid).children(recursive=True)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) counts as gone
        return " Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
    except OSError:
        return False


def _kill_after_two_chunks(out: Path) -> list[int]:
    """Start the ensemble on two worker processes and SIGKILL the main process once two
    chunks are saved; return the pids of its workers."""
    cmd = [sys.executable, "-m", "ripeness.cli", *ARGS, "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while _done(out) < 2:
            assert proc.poll() is None, "the ensemble ended before it could be killed"
            assert time.monotonic() < deadline, "no chunk saved within 60 s"
            workers = _children(proc.pid) or workers
            time.sleep(0.01)
        workers = _children(proc.pid) or workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return workers


def test_sigkill_then_resume_gives_every_run_once_and_the_clean_table(
        tmp_path: Path) -> None:
    out = tmp_path / "killed"
    workers = _kill_after_two_chunks(out)
    try:
        assert not (out / "runs.parquet").exists()
        assert 2 <= _done(out) < CHUNKS
        deadline = time.monotonic() + 10  # workers notice their parent is gone and exit
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "orphan worker processes left"
    finally:
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
    assert main([*ARGS, "--workers", "1", "--out", str(out), "--resume"]) == 0
    resumed = pd.read_parquet(out / "runs.parquet")
    assert resumed["run"].tolist() == list(range(400))
    clean = tmp_path / "clean"
    run_ensemble("aleppo-2016", runs=400, days=30, chunk=50, workers=1, out=clean,
                 progress=False)
    pd.testing.assert_frame_equal(resumed, pd.read_parquet(clean / "runs.parquet"),
                                  check_exact=True)
    assert (out / "runs.parquet").read_bytes() == (clean / "runs.parquet").read_bytes()
