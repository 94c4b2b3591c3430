"""Engine speed: run-days per second on aleppo-2016 and syria-2016, side by side (opt-in).

Measures ``step`` throughput (record=False: no daily arrays kept) at batch sizes 1, 100, 1,000
and 10,000 for both scenarios in one invocation, and a loop of single runs for comparison. The
largest batch runs fewer days (``--big-days``) so that the whole stays within a few minutes on
two cores; the loop of singles is timed on a few runs and given per run-day. Last, the
memory bound of issue 18: each scenario's state bytes per run, the copy bandwidth measured in
the same invocation, the run-days per second a step that reads and writes the state once
would reach at it, and the fraction of that reached at the largest batch. Run:
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

SCENARIOS = ("aleppo-2016", "syria-2016")


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


def copy_bandwidth(mib: int = 256, repeats: int = 5) -> float:
    """Memory bandwidth in bytes per second, read plus write, of copying a ``mib`` MiB
    array into another (best of ``repeats``): what a step that reads today's state and writes
    tomorrow's once could move at best."""
    a = np.ones(mib * 2**20 // 8)
    b = np.empty_like(a)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t)
    return 2 * a.nbytes / best


def print_bound(worlds: dict[str, World], rates: dict[str, dict[int, float]], big: int) -> None:
    """Issue 18's bound: state bytes per run-day, the copy bandwidth measured now, the
    run-days per second a step reading and writing the state once would reach at that
    bandwidth, and the fraction of it reached at the largest batch."""
    bw = copy_bandwidth()
    print(f"\nthe memory bound (copy bandwidth measured now: {bw / 1e9:,.1f} GB/s, read + "
          f"write, one core)\n{'scenario':>14s} {'state B/run':>12s} {'bound run-days/s':>17s} "
          f"{'reached':>10s} {'fraction':>9s}")
    for name, w in worlds.items():
        sb = init(w, 100, 0).nbytes / 100  # one run's engine state (the talks left out)
        bound = bw / (2 * sb)
        got = rates[name][big]
        print(f"{name:>14s} {sb:12,.0f} {bound:17,.0f} {got:10,.0f} {got / bound:9.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller batches, fewer days")
    ap.add_argument("--days", type=int, default=None, help="days per batch (default 30; "
                    "--quick 5)")
    ap.add_argument("--big-days", type=int, default=10, help="days for the 10,000-run batch "
                    "(default 10: syria-2016 takes about a minute at that size)")
    args = ap.parse_args()
    days = args.days or (5 if args.quick else 30)
    sizes = [1, 100, 1000] if args.quick else [1, 100, 1000, 10000]
    plan = [(n, min(days, args.big_days) if n >= 10000 else days) for n in sizes]
    singles = 5 if args.quick else 20
    print(f"numpy {np.__version__}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores visible; record=False")
    worlds = {name: compile_scenario(load(name)) for name in SCENARIOS}
    for name, w in worlds.items():
        print(f"{name}: {len(w.place_ids)} places, {len(w.actor_ids)} actors")
        run_days_per_second(w, 10, 2)  # warm-up
    rates: dict[str, dict[int, float]] = {name: {} for name in SCENARIOS}
    single: dict[str, float] = {}
    for name, w in worlds.items():
        for n, d in plan:
            rates[name][n] = run_days_per_second(w, n, d)
        single[name] = loop_of_singles(w, singles, days)
    head = "".join(f" {name:>14s}" for name in SCENARIOS)
    print(f"\nrun-days per second\n{'batch':>8s} {'days':>5s}{head}")
    for n, d in plan:
        print(f"{n:8,d} {d:5d}" + "".join(f" {rates[s][n]:14,.0f}" for s in SCENARIOS))
    print(f"{'singles':>8s} {days:5d}" + "".join(f" {single[s]:14,.0f}" for s in SCENARIOS)
          + f"   (a loop of {singles} single runs)")
    big = max(sizes)
    print(f"{'ratio':>8s} {'':5s}" + "".join(f" {rates[s][big] / single[s]:13,.0f}x"
                                              for s in SCENARIOS)
          + f"   (batch {big:,} / loop of singles)")
    print_bound(worlds, rates, big)


if __name__ == "__main__":
    main()
