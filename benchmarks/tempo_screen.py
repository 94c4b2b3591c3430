"""Where the tempo lines can go by the model's parameters alone (issue 13): a Morris screen.

Not part of the test suite (tens of CPU-minutes). Issue 13's failing lines (A1, C1) have
resisted thirteen rounds of mechanisms; this asks the prior question: over the ranges of the
model's shared parameters (every scenario's, set with ``--set parameters.NAME``), how far do
the lines move, and which parameters move them? Each point of a Morris design (SALib,
``--trajectories`` one-at-a-time paths through the ranges below, 4 levels) is one setting of
all the parameters; at each point, with the same runs and seeds (common random numbers):

- ``a1``: aleppo-2016 with its talks, ``--runs-a`` runs of 90 days: how many of the twelve
  events of 1-16 February 2016 pass acceptance_tempo.py's A1 (>= 80% of runs, median date
  error within 3 days);
- ``a1_share``: the mean over those events of the share of runs in which each happens within
  3 days of its date (a smooth version of ``a1``);
- ``a2``: the least of the shares of runs in which east Aleppo, Idlib and Azaz keep their day-0
  holders through 31 March (target >= 0.9);
- ``c1``: syria-2016, ``--runs-c`` runs over the backtest's window: the backtest score less the
  highest of the ten permuted records' (acceptance_tempo.py's C1; target +0.10);
- ``castello_early``: the share of syria-2016 runs in which the government takes the Castello
  road before 1 May 2016 (the record: 7-17 July), a diagnostic of C1's largest loss.

Printed: each output at the defaults; its range over the design with the best point's
settings; and per parameter Morris's mu* (the mean absolute elementary effect, in the
output's units per full range) and sigma (how much the effect depends on the other
parameters). A parameter with a small mu* cannot move the line, whatever its value.

    OMP_NUM_THREADS=1 nice python benchmarks/tempo_screen.py [--trajectories 6] [--runs-a 100]
        [--runs-c 40] [--workers 2] [--seed 0] [--out screen.csv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from acceptance_tempo import HELD, february_events, holds  # benchmarks/, the script's folder

import ripeness
from ripeness import scenario as sc
from ripeness.backtest import read_record
from ripeness.backtest.record import default_record_path
from ripeness.backtest.run import SLACK_DAYS
from ripeness.backtest.score import observe, overall, score_table

#: The parameters screened, each over a range about its default (the registry's bounds are
#: wider; these stay where the model's rules still mean what they say).
RANGES: dict[str, tuple[float, float]] = {
    "hold_ratio": (0.25, 1.0),
    "attack_threshold": (0.8, 2.0),
    "commit_fraction": (0.6, 1.0),
    "focus_threshold": (2.0, 6.0),
    "focus_reach": (2.0, 12.0),
    "focus_mass_reach": (2.0, 8.0),
    "focus_persist": (0.0, 1.5),
    "focus_patience": (20.0, 120.0),
    "focus_guard": (0.0, 2.0),
    "relief_weight": (1.0, 5.0),
    "move_rate": (0.05, 0.3),
    "frontage": (1.5, 6.0),
    "combat_intensity": (0.6, 1.2),
    "district_population": (5000.0, 30000.0),
    "air_focus": (0.5, 3.0),
    "siege_stock_days": (60.0, 240.0),
}
#: Parameters the registry counts in whole links.
WHOLE = ("focus_reach", "focus_mass_reach")
MARCH31 = 59
MAY1 = (dt.date(2016, 5, 1) - dt.date(2016, 2, 1)).days
OUTPUTS = ("a1", "a1_share", "a2", "c1", "castello_early")


def setting(x: np.ndarray) -> dict[str, float]:
    """The --set values of one design point (a row of parameter values)."""
    out = {}
    for name, v in zip(RANGES, x, strict=True):
        out[f"parameters.{name}"] = float(round(v)) if name in WHOLE else float(v)
    return out


def _aleppo(sets: dict[str, float], runs: int, seed: int) -> tuple[float, float, float]:
    loaded = sc.variant(sc.read("aleppo-2016"), None, sets or None)
    events = february_events(read_record(default_record_path(loaded), loaded))
    res = ripeness.simulate(loaded, runs, seed, 90)
    o = observe(res, events)
    tab = score_table(events, o)
    ok = (tab["share"] >= 0.8) & (tab["err_median"].abs() <= 3)
    first = events.days()[:, 0][:, None]
    last = events.days()[:, 1][:, None]
    near = (o.day >= first - 3) & (o.day <= last + 3)
    return float(ok.sum()), float(near.mean()), float(holds(res, HELD, MARCH31).mean(axis=0).min())


def _syria(sets: dict[str, float], runs: int, seed: int) -> tuple[float, float]:
    loaded = sc.variant(sc.read("syria-2016"), None, sets or None)
    rec = read_record(default_record_path(loaded), loaded)
    days = rec.last_day() + 1 + SLACK_DAYS
    res = ripeness.simulate(loaded, runs, seed, days)
    o = observe(res, rec)
    best = max(overall(score_table(rec.permuted(s), o)) for s in range(10))
    k = rec.ids.index("castello-road-taken")
    early = float((o.day[k] < MAY1).mean())
    return overall(score_table(rec, o)) - best, early


def evaluate(job: tuple[int, dict[str, float], int, int, int]) -> dict[str, float]:
    """One design point: its outputs (see the module doc)."""
    i, sets, runs_a, runs_c, seed = job
    c0 = time.process_time()
    a1, share, a2 = _aleppo(sets, runs_a, seed)
    c1, early = _syria(sets, runs_c, seed)
    return {"point": i, "a1": a1, "a1_share": share, "a2": a2, "c1": c1,
            "castello_early": early, "cpu_s": time.process_time() - c0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trajectories", type=int, default=6)
    ap.add_argument("--runs-a", type=int, default=100)
    ap.add_argument("--runs-c", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, metavar="FILE.csv",
                    help="write every point's settings and outputs here")
    args = ap.parse_args()
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = {"num_vars": len(RANGES), "names": list(RANGES),
               "bounds": [list(b) for b in RANGES.values()]}
    design = sample.sample(problem, args.trajectories, num_levels=4, seed=args.seed)
    jobs: list[tuple[int, dict[str, float], int, int, int]] = [
        (-1, {}, args.runs_a, args.runs_c, args.seed)]
    jobs += [(i, setting(x), args.runs_a, args.runs_c, args.seed) for i, x in enumerate(design)]
    t0 = time.perf_counter()
    print(f"Morris screen: {len(RANGES)} parameters, {args.trajectories} trajectories, "
          f"{len(design)} points (+ the defaults); aleppo-2016 {args.runs_a} runs x 90 days "
          f"with its talks, syria-2016 {args.runs_c} runs over the backtest's window; seed "
          f"{args.seed}, {args.workers} worker processes", flush=True)
    rows = []
    with ProcessPoolExecutor(args.workers) as pool:
        for n, row in enumerate(pool.map(evaluate, jobs)):
            rows.append(row)
            if n % 10 == 0:
                print(f"  {n + 1}/{len(jobs)} points, {time.perf_counter() - t0:.0f} s",
                      flush=True)
    out = pd.DataFrame(rows).set_index("point").sort_index()
    default = out.loc[-1]
    pts = out.drop(index=-1)
    pts = pd.concat([pd.DataFrame(design, columns=list(RANGES)), pts.reset_index(drop=True)],
                    axis=1)
    if args.out is not None:
        pts.to_csv(args.out, index=False)
    print(f"done in {time.perf_counter() - t0:.0f} s wall, {out['cpu_s'].sum():.0f} CPU-s in "
          f"the workers ({out['cpu_s'].median():.1f} a point)")
    print("\nAt the defaults: " + ", ".join(f"{k} {default[k]:.3f}" for k in OUTPUTS))
    targets = {"a1": "12 of 12", "a1_share": "-", "a2": ">= 0.9", "c1": ">= +0.10",
               "castello_early": "low (record: July)"}
    print("\nOver the design (min / median / max; target):")
    for k in OUTPUTS:
        v = pts[k]
        print(f"  {k:15s} {v.min():7.3f} / {v.median():7.3f} / {v.max():7.3f}   ({targets[k]})")
    for k in ("a1", "c1"):
        b = pts.loc[pts[k].idxmax()]
        print(f"\nBest {k} ({b[k]:.3f}; there a1 {b['a1']:.0f}, a2 {b['a2']:.3f}, c1 "
              f"{b['c1']:+.3f}, castello_early {b['castello_early']:.2f}):")
        print("  " + ", ".join(f"{n} {b[n]:.3g}" for n in RANGES))
    print("\nMorris elementary effects per parameter (mu*: mean |effect| over its full range; "
          "sigma: its spread)")
    res = {k: analyze.analyze(problem, design, pts[k].to_numpy(), num_levels=4,
                              seed=args.seed) for k in OUTPUTS}
    short = {"a1": "a1", "a1_share": "a1 share", "a2": "a2", "c1": "c1",
             "castello_early": "castello"}
    print("  parameter           " + "".join(f"{short[k] + ' mu*':>15s}{'sigma':>8s}"
                                           for k in OUTPUTS))
    order = np.argsort(-np.asarray(res["c1"]["mu_star"]))
    for j in order:
        cells = "".join(f"{res[k]['mu_star'][j]:>15.3f}{res[k]['sigma'][j]:>8.3f}"
                        for k in OUTPUTS)
        print(f"  {list(RANGES)[j]:20s} {cells}")


if __name__ == "__main__":
    main()
