"""Memory a batch of runs needs, estimated before it starts, and refused if it cannot fit.

:func:`simulate` keeps every run's state and, day by day, what it records, all in memory;
``ripeness run --runs 10000000`` would die of MemoryError after minutes. The estimate is
measured, not guessed: a batch of a few runs is started and the bytes of its state and of one
recorded day are counted, then scaled by runs and days with factors for the day step's
temporaries and the copies made while assembling the result (tests/test_resources.py checks
the estimate against measured peaks: it errs high, by at most about 2x).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TooLarge", "available_memory", "check_memory", "estimate_bytes", "human"]

PROBE_RUNS = 4
STEP_FACTOR = 4.5  # a day step's temporaries, as a multiple of the state (measured 2.7-3.7)
RECORD_FACTOR = 2.5  # the recorded days, kept as a list and stacked into arrays (2.1-2.3)
BASE_BYTES = 64 * 2**20  # the compiled world, xarray and pandas objects around the arrays


class TooLarge(MemoryError):
    """A batch that would not fit in memory: ``need`` and ``free`` bytes, and the way out."""

    def __init__(self, runs: int, days: int, need: int, free: int):
        super().__init__(f"{runs:,} runs x {days:,} days would need about {human(need)} of "
                         f"memory, and {human(free)} is free; run them as an ensemble "
                         "(ripeness ensemble, or run_ensemble: chunks streamed to disk), or "
                         "fewer runs or days")
        self.runs, self.days, self.need, self.free = runs, days, need, free


def human(n: float) -> str:
    """Bytes for a person: '26 GiB', '340 MiB'."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            return f"{n / size:,.0f} {unit}" if n >= 10 * size else f"{n / size:.1f} {unit}"
    return f"{n / 2**10:.0f} KiB"


def _nbytes(x: Any, seen: set[int]) -> int:
    """Bytes of the arrays inside ``x`` (dataclasses, tuples, lists, dicts), each once."""
    if id(x) in seen:
        return 0
    seen.add(id(x))
    if isinstance(x, np.ndarray):
        return int(x.nbytes)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return sum(_nbytes(getattr(x, f.name), seen) for f in dataclasses.fields(x))
    if isinstance(x, tuple | list):
        return sum(_nbytes(v, seen) for v in x)
    if isinstance(x, dict):
        return sum(_nbytes(v, seen) for v in x.values())
    return 0


def estimate_bytes(state_per_run: float, day_per_run: float, runs: int, kept_days: int) -> int:
    """Peak bytes of a batch: its state with a day step's temporaries, and the recorded days
    with their copies."""
    return int(BASE_BYTES + runs * (STEP_FACTOR * state_per_run
                                    + RECORD_FACTOR * day_per_run * kept_days))


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_memory() -> int | None:
    """Bytes this process may still use: the system's available memory, lowered by a cgroup
    limit where one is set (containers, batch schedulers); None where neither is known."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    limit, used = _read_int("/sys/fs/cgroup/memory.max"), _read_int(
        "/sys/fs/cgroup/memory.current")
    if limit is not None and used is not None:
        found.append(max(limit - used, 0))
    return min(found) if found else None


def check_memory(probe: Any, record: Any, runs: int, days: int, kept_days: int) -> int:
    """Raise :class:`TooLarge` if ``runs`` runs over ``days`` days (``kept_days`` of them
    recorded) need more memory than is free; return the estimate. ``probe`` is a started
    batch of :data:`PROBE_RUNS` runs, ``record`` what one of its days records."""
    state = _nbytes(probe, set()) / PROBE_RUNS
    day = sum(int(v.nbytes) for v in record.values()) / PROBE_RUNS
    need = estimate_bytes(state, day, runs, kept_days)
    free = available_memory()
    if free is not None and need > free:
        raise TooLarge(runs, days, need, free)
    return need
