"""Acceptance check of the war engine on aleppo-2016 (not part of the test suite).

From the scenario's start date, default parameters, 200 seeds (runs 0-199 of seed 0), 30 days:
the share of runs in which the government relieves Nubl/al-Zahraa within 7 days, and the share
in which the opposition's road from Bab al-Salameh to east Aleppo is cut within 7 days; then
the same with Russia's sorties set to zero. Both come from the mechanisms and parameters: no
event in the scenario scripts a battle. Run: ``python benchmarks/acceptance_engine.py``.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from ripeness.scenario import read, with_patches
from ripeness.simulate import Result, simulate

WITHIN = 7  # days 0..6: 1-7 February 2016


def shares(res: Result, within: int = WITHIN) -> tuple[float, float]:
    """(share relieving Nubl, share cutting the Azaz corridor) within ``within`` days."""
    ev, runs = res.events, res.manifest["runs"]
    early = ev[ev["day"] < within]
    relief = early[(early["kind"] == "siege relieved") & (early["place"] == "nubl")]
    cut = early[(early["kind"] == "corridor cut") & (early["detail"] == "azaz-corridor")]
    return relief["run"].nunique() / runs, cut["run"].nunique() / runs


def _first_day(res: Result, kind: str, what: str, column: str) -> pd.Series:
    ev = res.events
    hit = ev[(ev["kind"] == kind) & (ev[column] == what)]
    return hit.groupby("run")["day"].min()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    base = read("aleppo-2016")
    cases = {
        "with Russian air": base,
        "no Russian air": with_patches(
            base, {"support.russia-government.sorties_per_day": 0}, "no Russian air"),
    }
    print(f"aleppo-2016, {args.runs} runs (seed {args.seed}), {args.days} days; "
          f"shares within {WITHIN} days")
    print(f"{'case':20s} {'Nubl relieved':>14s} {'Azaz road cut':>14s} "
          f"{'median day relief':>18s} {'seconds':>8s}")
    for name, loaded in cases.items():
        t = time.perf_counter()
        res = simulate(loaded, runs=args.runs, seed=args.seed, days=args.days)
        dt = time.perf_counter() - t
        relief, cut = shares(res)
        day = _first_day(res, "siege relieved", "nubl", "place")
        med = f"{day.median():.0f}" if len(day) else "-"
        print(f"{name:20s} {relief:14.1%} {cut:14.1%} {med:>18s} {dt:8.1f}")


if __name__ == "__main__":
    main()
