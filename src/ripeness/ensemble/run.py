"""``run_ensemble``: many runs of one scenario, in vectorised chunks, on this machine's
processes or on a Dask cluster, saved chunk by chunk so that no finished work is lost.

Run k with seed s is the same wherever and in whatever batch it runs (counter-based random
numbers), so a chunk gives identical rows on any worker and after any interruption; the
result is assembled in run order and does not depend on which chunk finished first.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Generator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Loaded, Scenario, read, variant, whatif_names
from ..scenario.load import WhatIfs
from ..world.compile import World, compile_scenario
from .chunk import Chunk, ChunkSpec, plan
from .dask import check_scheduler
from .pool import Item, local_map
from .progress import Progress
from .result import EnsembleResult, assemble
from .store import KIND, Folder, finished, jsonable, open_folder

__all__ = ["DEFAULT_CHUNK", "resolve", "run_ensemble", "run_tables"]

#: Runs per chunk: large enough to vectorise well, small enough to keep every day of a chunk
#: in memory (about 60 MB for aleppo-2016 over 90 days) and to lose little on a kill.
DEFAULT_CHUNK = 250


def resolve(scenario: Scenario | Loaded | str | Path, whatif: WhatIfs = None,
            sets: dict[str, Any] | None = None) -> Loaded:
    """The scenario (name, path, Loaded or Scenario) with a what-if and ``--set`` values
    applied and validated again (:func:`ripeness.scenario.variant`)."""
    if isinstance(scenario, Scenario):
        if whatif_names(whatif) or sets:
            raise ValueError("a what-if or --set needs the scenario's name, file or Loaded, "
                             "not a Scenario object")
        return Loaded(scenario=scenario, file="<memory>", builtin=False, raw={})
    loaded = scenario if isinstance(scenario, Loaded) else read(scenario)
    return variant(loaded, whatif, sets) if whatif_names(whatif) or sets else loaded


def _check(**values: int | None) -> None:
    for name, v in values.items():
        if v is not None and v < 1:
            raise ValueError(f"{name} must be at least 1, got {v}")


def _identity(loaded: Loaded, seed: int, days: int, chunk: int, whatif: WhatIfs,
              sets: dict[str, Any] | None) -> dict[str, Any]:
    """What must match for chunks to be reused (see store.IDENTITY)."""
    from .. import __version__

    return {"scenario": loaded.scenario.meta.name, "scenario_hash": loaded.hash,
            "version": __version__, "seed": seed, "days": days, "chunk": chunk,
            "whatif": jsonable(whatif), "sets": jsonable(sets or {})}


def _about(loaded: Loaded) -> dict[str, Any]:
    """The manifest keys a run's manifest has too (:data:`ripeness.results.MANIFEST_KEYS`)."""
    source = loaded.file if Path(loaded.file).is_file() else None
    return {"scenario_file": source, "package": "ripeness", "numpy": np.__version__}


def execute(items: Sequence[Item], workers: int, scheduler: str | None,
            info: dict[str, Any]) -> Generator[tuple[int, Chunk]]:
    """(index, chunk) for each item as it finishes: on the Dask cluster at ``scheduler``,
    else on ``workers`` local processes. ``info`` receives how it ran (for the manifest)."""
    if scheduler is not None:
        from .dask import dask_map

        info.update(kind="dask", address=scheduler)
        return dask_map(items, scheduler, info)
    n = min(workers, len(items))
    info.update(kind="processes" if n > 1 else "in-process", workers=max(n, 1))
    return local_map(items, workers)


def _compute(items: Sequence[Item], workers: int, scheduler: str | None, bar: Progress,
             folder: Folder | None, made: bool = False
             ) -> tuple[dict[int, Chunk], dict[str, Any]]:
    """Run the items; each finished chunk goes to ``folder`` at once (or is kept). A failure
    before any chunk is saved undoes the folder's start (``made``: this run created it), so
    nothing is left in the way of the corrected command."""
    kept: dict[int, Chunk] = {}
    info: dict[str, Any] = {}
    try:
        with closing(execute(items, workers, scheduler, info)) as results:
            for i, chunk in results:
                if folder is not None:
                    folder.write(chunk)
                else:
                    kept[i] = chunk
                bar.update(chunk.spec.count)
    except BaseException:
        bar.abort()
        if folder is not None:
            folder.discard(made)
        raise
    bar.close()
    return kept, info


def _manifest(base: dict[str, Any], world: World, info: dict[str, Any], wall: float,
              todo: Sequence[ChunkSpec], reused: int) -> dict[str, Any]:
    computed = sum(s.count for s in todo)
    return {**base, "start": world.start.isoformat(),
            "parameters": world.params_on(0).used(world.actor_ids),
            "events": [{"day": d, "parameters": p.used(world.actor_ids)}
                       for d, p in world.phases[1:]],
            "scheduler": info,
            "timing": {"wall_s": round(wall, 3), "runs_computed": computed,
                       "chunks_computed": len(todo), "chunks_reused": reused,
                       "runs_per_s": round(computed / wall, 1) if wall > 0 else None},
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "rng": "counter-based SplitMix64 of (seed, run, day, purpose, element)",
            "status": "complete"}


def run_ensemble(scenario: Scenario | Loaded | str | Path, runs: int, seed: int = 0,
                 days: int | None = None, out: str | Path | None = None,
                 chunk: int = DEFAULT_CHUNK, workers: int | None = None,
                 scheduler: str | None = None, resume: bool = False, progress: bool = True,
                 overwrite: bool = False, whatif: WhatIfs = None,
                 sets: dict[str, Any] | None = None) -> EnsembleResult:
    """Runs 0 .. runs - 1 of ``scenario`` (with ``whatif`` and ``sets`` applied), ``chunk``
    runs at a time, on ``workers`` local processes (default: one per CPU core) or on the
    Dask cluster at ``scheduler`` (``tcp://HOST:PORT``).

    With ``out``, every finished chunk is saved at once under out/chunks/ and the result
    goes to out/runs.parquet, daily.nc, manifest.json (the layout of a run's folder,
    :mod:`ripeness.results`), after which chunks/ is removed; an existing ``out`` is refused
    unless ``resume`` (same scenario, seed, days, chunk, what-if and sets: an unfinished
    ensemble's chunks are reused, a finished one with as many runs is read back, a larger
    ``runs`` extends it, computing its runs again) or ``overwrite``.
    """
    _check(runs=runs, days=days, chunk=chunk, workers=workers)
    if scheduler is not None:
        check_scheduler(scheduler)
    loaded = resolve(scenario, whatif, sets)
    sc = loaded.scenario
    n_days = sc.meta.horizon_days if days is None else days
    base = {"kind": KIND, **_identity(loaded, seed, n_days, chunk, whatif, sets),
            **_about(loaded), "first_run": 0, "runs": runs, "run_indices": [0, runs - 1]}
    if resume and out is not None and finished(out, base):
        Folder(Path(out)).finish()  # chunks that a finish killed before removing them
        return EnsembleResult.load(out)
    made = out is not None and not Path(out).exists()
    folder = open_folder(out, base, resume, overwrite) if out is not None else None
    t0 = time.perf_counter()
    specs = plan(seed, n_days, runs, chunk)
    todo = [i for i, s in enumerate(specs) if folder is None or not folder.has(s)]
    bar = Progress(runs, done=runs - sum(specs[i].count for i in todo), enabled=progress)
    kept, info = _compute([(sc, specs[i]) for i in todo], workers or os.cpu_count() or 1,
                          scheduler, bar, folder, made)
    chunks = ([folder.read(s) for s in specs] if folder is not None
              else [kept[j] for j in range(len(todo))])
    world = compile_scenario(sc)
    manifest = _manifest(base, world, info, time.perf_counter() - t0,
                         [specs[i] for i in todo], len(specs) - len(todo))
    result = assemble(chunks, world, n_days, manifest, sc)
    if folder is not None:
        result.write_into(folder.path)
        folder.finish()
    return result


def run_tables(scenarios: Sequence[Loaded], runs: int, seed: int = 0, days: int | None = None,
               chunk: int = DEFAULT_CHUNK, workers: int | None = None,
               scheduler: str | None = None, progress: bool = False) -> list[pd.DataFrame]:
    """The per-run table of each scenario for the same runs and seed (common random
    numbers), all chunks through one pool; no daily aggregates, nothing written."""
    _check(runs=runs, days=days, chunk=chunk, workers=workers)
    if scheduler is not None:
        check_scheduler(scheduler)
    n_days = scenarios[0].scenario.meta.horizon_days if days is None else days
    specs: list[ChunkSpec] = plan(seed, n_days, runs, chunk, bands=False)
    items = [(s.scenario, spec) for s in scenarios for spec in specs]
    bar = Progress(runs * len(scenarios), enabled=progress)
    kept, _ = _compute(items, workers or os.cpu_count() or 1, scheduler, bar, None)
    n = len(specs)
    return [pd.concat([kept[k * n + j].runs for j in range(n)], ignore_index=True)
            for k in range(len(scenarios))]
