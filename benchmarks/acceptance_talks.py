"""Acceptance check of the talks on aleppo-2016 (not part of the test suite).

From the scenario's start date, 200 runs of seed 0: the share of runs in which the mediator
suspends the talks within 7 days, the dominant causes the explanation gives for failed
sessions, the share settled within 90 days, and how these move with (a) Russia's sorties at
zero, (b) the opposition dropping the Assad condition, (c) both parties' optimism removed,
and all three together. Theory expects each change to make a deal more likely. All variants
share the baseline's random draws (common random numbers). Nothing is scripted: the only
dated event in the scenario is Russia's drawdown of 15 March.

Run: ``python benchmarks/acceptance_talks.py [--runs 200] [--days 90]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ripeness.coupling import OUTCOMES
from ripeness.ensemble import wilson
from ripeness.scenario import read, variant
from ripeness.simulate import simulate
from ripeness.talks.state import CAUSES

CASES = {
    "baseline": [],
    "(a) no Russian air": ["no-russian-air"],
    "(b) no Assad condition": ["no-assad-condition"],
    "(c) no optimism": ["no-optimism"],
    "(a)+(b)+(c)": ["no-russian-air", "no-assad-condition", "no-optimism"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    base = read("aleppo-2016")
    print(f"aleppo-2016, {args.runs} runs (seed {args.seed}), {args.days} days")
    head = (f"{'case':24s} {'suspended<=7d':>14s} {'settled':>8s} {'95% CI':>13s} "
            f"{'partition':>9s} {'sessions':>8s}  dominant causes of failed sessions")
    print(head)
    for name, whatifs in CASES.items():
        loaded = base
        for w in whatifs:
            loaded = variant(loaded, w)
        t = time.perf_counter()
        ds = simulate(loaded, runs=args.runs, seed=args.seed, days=args.days,
                      record=False).daily
        n = args.runs
        first = ds["first_suspension_day"].values
        susp = int(((first >= 0) & (first < 7)).sum())
        outcome = ds["outcome"].values
        settled = int((outcome == OUTCOMES.index("settlement")).sum())
        part = int((outcome == OUTCOMES.index("frozen partition")).sum())
        lo, hi = (float(x) for x in wilson(np.array(settled), n))
        causes = ds["failed_sessions"].values.sum(axis=0)
        total = max(int(causes.sum()), 1)
        top = sorted(((c / total, CAUSES[i]) for i, c in enumerate(causes) if c > 0),
                     reverse=True)[:3]
        why = ", ".join(f"{c} {s:.0%}" for s, c in top)
        print(f"{name:24s} {susp / n:14.1%} {settled / n:8.1%} [{lo:5.1%},{hi:5.1%}] "
              f"{part / n:9.1%} {ds['sessions'].values.mean():8.1f}  {why}"
              f"   ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
