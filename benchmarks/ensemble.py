"""Ensemble and what-if timing: wall time, CPU time and peak memory, as the docs quote them.

Runs what ``ripeness ensemble SCENARIO --runs N --days D --out DIR`` runs (chunks of 250 on
``--workers`` local processes, results written to a temporary folder), and with ``--compare
WHATIF`` what ``ripeness compare`` runs, and prints for each the wall time, the CPU time of
this process and of its worker processes, the peak memory of one worker and the rates. CPU
time is what a run costs whatever the cores; wall time depends on how many cores are free.
Run: ``python benchmarks/ensemble.py`` (defaults: aleppo-2016, 2,000 runs, 90 days, 2 workers,
and a comparison of no-russian-air over 1,000 runs); ``--dask 10000`` adds the same ensemble
through a local Dask cluster of 1 and of 2 workers, and the scaling efficiency.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ripeness.ensemble import compare, run_ensemble


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def measure(label: str, job: Callable[[], Any], runs: int) -> None:
    """Run ``job`` once and print its wall and CPU time, peak worker memory and rates."""
    c0, k0 = _cpu()
    t0 = time.perf_counter()
    job()
    wall = time.perf_counter() - t0
    c1, k1 = _cpu()
    own, workers = c1 - c0, k1 - k0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    print(f"{label}\n  wall {wall:.1f} s; CPU {own + workers:.1f} s (this process "
          f"{own:.1f} s, worker processes {workers:.1f} s); peak memory of a worker "
          f"{peak:.0f} MB\n  {runs / wall:,.0f} runs per wall second, "
          f"{runs / (own + workers):,.0f} runs per CPU second")


def dask_scaling(scenario: str, runs: int, days: int) -> None:
    """Issue 18's Dask line: the same ensemble through a local Dask cluster of 1 worker and
    of 2 (one process, one thread each), wall time and the scaling efficiency t1 / (2 t2)."""
    from dask.distributed import LocalCluster

    walls = {}
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, \
                tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            run_ensemble(scenario, runs=runs, days=days, out=Path(tmp) / "ens",
                         scheduler=cluster.scheduler_address, progress=False)
            walls[n] = time.perf_counter() - t0
        print(f"ripeness ensemble {scenario} --runs {runs} --days {days} on a local Dask "
              f"cluster of {n} worker{'s' if n > 1 else ''}: wall {walls[n]:.1f} s, "
              f"{runs / walls[n]:,.0f} runs per wall second (load average "
              f"{os.getloadavg()[0]:.1f})", flush=True)
    print(f"  scaling efficiency with 2 workers: {walls[1] / (2 * walls[2]):.2f} (1 = perfect)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="aleppo-2016")
    ap.add_argument("--runs", type=int, default=2000, help="ensemble runs (default 2000)")
    ap.add_argument("--days", type=int, default=90, help="days (default 90)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--compare", default="no-russian-air", help="what-if to compare ('' to "
                    "skip)")
    ap.add_argument("--compare-runs", type=int, default=1000, help="runs of the comparison "
                    "(default 1000)")
    ap.add_argument("--dask", type=int, default=0, metavar="RUNS", help="also run RUNS runs "
                    "through a local Dask cluster of 1 and of 2 workers and print the scaling "
                    "(issue 18: 10000; needs the dask extra)")
    args = ap.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"ripeness benchmark; numpy {np.__version__}; {cpu}, {os.cpu_count()} cores "
          f"visible, load average {os.getloadavg()[0]:.1f} before the start")
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"ripeness ensemble {args.scenario} --runs {args.runs} --days {args.days} "
                f"--workers {args.workers}",
                lambda: run_ensemble(args.scenario, runs=args.runs, days=args.days,
                                     workers=args.workers, out=Path(tmp) / "ens",
                                     progress=False), args.runs)
    if args.compare:
        measure(f"ripeness compare {args.scenario} --what-if {args.compare} --runs "
                f"{args.compare_runs} --days {args.days} --workers {args.workers}",
                lambda: compare(args.scenario, whatif=args.compare, runs=args.compare_runs,
                                days=args.days, workers=args.workers),
                2 * args.compare_runs)
    if args.dask:
        dask_scaling(args.scenario, args.dask, args.days)


if __name__ == "__main__":
    main()
