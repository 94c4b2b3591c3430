"""Engine speed: run-days per second on aleppo-2016 at several batch sizes (opt-in benchmark).

Measures ``step`` throughput (record=False: no daily arrays kept) at batch sizes 1, 100, 1,000
and 10,000, and, in the same invocation, a loop of single runs for comparison. The loop of
singles is timed on fewer runs and extrapolated per run-day (said in the output). Run:
``python benchmarks/engine.py`` (``--quick`` for a short version).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from ripeness.engine import init, step
from ripeness.scenario import load
from ripeness.world.compile import World, compile_scenario


def run_days_per_second(world: World, runs: int, days: int, seed: int = 0) -> float:
    """Run-days per second of one batch of ``runs`` runs over ``days`` days."""
    state = init(world, runs, seed)
    t = time.perf_counter()
    for day in range(days):
        state = step(state, world, world.params_on(day), day)
    return runs * days / (time.perf_counter() - t)


def loop_of_singles(world: World, runs: int, days: int) -> float:
    """Run-days per second when each run is simulated alone, one after another."""
    t = time.perf_counter()
    for k in range(runs):
        state = init(world, 1, 0, first_run=k)
        for day in range(days):
            state = step(state, world, world.params_on(day), day)
    return runs * days / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller batches, fewer days")
    ap.add_argument("--days", type=int, default=None)
    args = ap.parse_args()
    days = args.days or (5 if args.quick else 30)
    sizes = [1, 100, 1000] if args.quick else [1, 100, 1000, 10000]
    world = compile_scenario(load("aleppo-2016"))
    print(f"aleppo-2016: {len(world.place_ids)} places, {len(world.actor_ids)} actors; "
          f"{days} days; numpy {np.__version__}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores visible")
    run_days_per_second(world, 10, 2)  # warm-up
    print(f"{'batch':>8s} {'run-days/s':>12s}")
    rates = {}
    for n in sizes:
        rates[n] = run_days_per_second(world, n, days)
        print(f"{n:8d} {rates[n]:12,.0f}")
    singles = 5 if args.quick else 20
    single = loop_of_singles(world, singles, days)
    big = max(sizes)
    print(f"loop of single runs: {single:,.0f} run-days/s (timed on {singles} runs x {days} "
          f"days, extrapolated per run-day)")
    print(f"ratio batch {big:,} / loop of singles: {rates[big] / single:,.0f}x")


if __name__ == "__main__":
    main()
