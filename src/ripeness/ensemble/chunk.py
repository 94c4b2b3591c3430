"""One chunk of an ensemble: runs first .. first + count - 1, simulated together and reduced.

This is the unit of work sent to a process or a Dask worker. It returns only what the
ensemble keeps (the per-run table and the daily aggregates), never the daily arrays, so
that memory and traffic stay small. A chunk is deterministic: the same (scenario, seed, days,
first, count) gives identical rows anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..scenario.schema import Scenario
from ..simulate import simulate
from .summary import control_counts

__all__ = ["Chunk", "ChunkSpec", "plan", "run_chunk"]


@dataclass(frozen=True)
class ChunkSpec:
    """Which runs to simulate. ``bands``: also keep the daily aggregates (this needs every
    day recorded; without it the chunk runs with ``record=False``)."""

    seed: int
    days: int
    first: int
    count: int
    bands: bool = True

    @property
    def name(self) -> str:
        """The chunk's file stem, from its run range."""
        return f"runs-{self.first:09d}-{self.first + self.count - 1:09d}"


@dataclass(frozen=True)
class Chunk:
    """A chunk's results. runs: one row per run; share: float32[run, day, belligerent],
    each belligerent's share of the stake at the end of each day; control: int64[day, place,
    actor], runs in which the actor holds the place. share and control are None without
    bands."""

    spec: ChunkSpec
    runs: pd.DataFrame
    share: NDArray[np.float32] | None = None
    control: NDArray[np.int64] | None = None


def plan(seed: int, days: int, runs: int, size: int, bands: bool = True) -> list[ChunkSpec]:
    """Chunks 0, 1, ... of ``size`` runs each (the last may be shorter)."""
    return [ChunkSpec(seed, days, first, min(size, runs - first), bands)
            for first in range(0, runs, size)]


def run_chunk(scenario: Scenario, spec: ChunkSpec) -> Chunk:
    """Simulate one chunk (vectorised over its runs) and reduce it to what the ensemble
    keeps."""
    result = simulate(scenario, runs=spec.count, seed=spec.seed, days=spec.days,
                      first_run=spec.first, record=spec.bands)
    ds = result.daily
    table = result.runs
    if not spec.bands:
        return Chunk(spec, table)
    share = ds["share"].values.astype(np.float32)
    control = control_counts(ds["control"].values, ds.sizes["actor"])
    return Chunk(spec, table, share, control)
