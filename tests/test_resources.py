"""Memory is estimated before a batch starts: too big is refused (exit 2, the estimate and the
way out); long single runs show their progress."""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import pytest

import ripeness
from ripeness import resources
from ripeness.cli import main
from ripeness.resources import TooLarge, available_memory, human

from .conftest import TOY


def test_a_run_too_big_for_memory_is_refused_before_it_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`run --runs 10000000 --days 1` died of MemoryError after 32 s (26 GiB). Here the free
    memory is made small so the refusal shows on a small batch, before anything runs."""
    monkeypatch.setattr(resources, "available_memory", lambda: 50 * 2**20)
    out = tmp_path / "res"
    t0 = time.perf_counter()
    assert main(["run", str(TOY), "--runs", "20000", "--days", "1", "--out", str(out)]) == 2
    took = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert "ripeness: run --runs 20,000 --days 1: 20,000 runs x 1 days would need about" in err
    assert "and 50 MiB is free" in err
    assert f"fix: ripeness ensemble {TOY} --runs 20000 --days 1 --out results/ensemble" in err
    assert not out.exists() and took < 20  # refused, not run (20,000 runs take far longer)


def test_the_library_raises_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "available_memory", lambda: 10 * 2**20)
    with pytest.raises(TooLarge, match="run them as an ensemble") as e:
        ripeness.simulate(TOY, runs=5000, days=30)
    assert isinstance(e.value, MemoryError) and e.value.need > e.value.free


@pytest.mark.parametrize("scenario,runs,days,record", [
    (TOY, 400, 30, True), ("aleppo-2016", 60, 15, True), ("aleppo-2016", 600, 3, False)])
def test_the_estimate_errs_high_but_not_by_much(scenario: str | Path, runs: int, days: int,
                                                record: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked against the peak tracemalloc measures (NumPy reports its allocations to it):
    never below it, at most 3x above."""
    seen: list[int] = []
    real = resources.check_memory

    def spy(*args: object) -> int:
        seen.append(real(*args))  # type: ignore[arg-type]
        return seen[-1]

    monkeypatch.setattr(sys.modules["ripeness.simulate"], "check_memory", spy)
    tracemalloc.start()
    ripeness.simulate(scenario, runs=runs, days=days, record=record)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= seen[0] <= 3 * peak + resources.BASE_BYTES, (human(peak), human(seen[0]))


def test_available_memory_is_known_here() -> None:
    free = available_memory()
    assert free is None or free > 0
    if sys.platform == "linux":
        assert free is not None


def test_long_single_runs_show_progress(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """On a terminal, `run` shows days done while it runs (the ensemble's progress bar), also
    with --quiet; in a log file no bar is drawn, only the closing line, and --quiet has none."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["run", str(TOY), "--days", "40", "--quiet"]) == 0
    assert "40/40 days" in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # a log file
    assert main(["run", str(TOY), "--days", "40"]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and err.splitlines()[0].startswith("40/40 days done (")
    assert main(["run", str(TOY), "--days", "40", "--quiet"]) == 0
    assert "days" not in capsys.readouterr().err
