"""Acceptance checks of the national scenario (syria-2016), with and without Russia's air war.

For each case (the scenario as shipped, and the what-if ``no-russian-air``) over N runs and D
days it reports:

(a) where Russia's sorties went: the share that hit places held by ISIS, against those held by
    the opposition and by the Southern Front (``sorties_on[run, support, actor]`` for the support
    entry ``russia-government``, summed over runs);
(b) the probability of each outcome (``ripeness.coupling.OUTCOMES``; code 3 is a frozen
    partition);
(c) whether government forces shift south once Aleppo is secured. "Aleppo secured" is, per run,
    the first day the government holds both ``aleppo-west`` and ``aleppo-east`` (the first of the
    two definitions the brief allows). The government's fighters in the SOUTH set are averaged
    BEFORE days before and AFTER days after that day (30 and 30 by default), over the runs
    where it happens and both days fall inside the run; the same for the NORTH set. Runs
    where it never happens, over the same calendar windows (matched run by run), are the
    control (a drift common to all runs is not a turn south);
(d) the government's "core": ``aim_met[run, backer]`` for backer ``russia`` at the end.

Daily arrays are needed for (c); runs are simulated in chunks of CHUNK with ``first_run=`` and
each chunk is reduced before the next, so memory stays near one chunk's arrays.

    python benchmarks/acceptance_national.py [--runs 200] [--seed 0] [--days 365]
        [--before 30] [--after 30] [--what-if NAME] [--set PATH=VALUE ...]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import xarray as xr

import ripeness
from ripeness import scenario as sc
from ripeness.coupling import OUTCOMES

SCENARIO = "syria-2016"
CHUNK = 50
BEFORE, AFTER = 30, 30  # days around "Aleppo secured" (--before/--after)

# Aleppo and Idlib governorates (the north-west front of 2016).
NORTH = [
    "aleppo-west", "aleppo-east", "sheikh-maqsoud", "castello-road", "handarat",
    "belt-south", "northern-belt", "belt-north", "anadan", "nubl-zahraa", "tal-rifaat", "azaz",
    "bab-al-salameh", "mare",
    "afrin", "atarib", "aleppo-western-suburbs", "bab-al-hawa", "southern-aleppo", "al-safira",
    "kuweires", "khanasser-road", "idlib", "fua-kafraya", "saraqib", "maarat-al-numan",
    "khan-shaykhun", "jisr-al-shughur",
]
# Damascus countryside, Daraa, Quneitra and Sweida (the Damascus city node is excluded: it is the
# capital's own garrison, not a southern front).
SOUTH = [
    "sayyida-zaynab", "damascus-airport", "kisweh", "qalamoun", "masnaa", "zabadani", "madaya",
    "arsal-jurd", "jobar", "douma", "eastern-ghouta", "south-damascus", "darayya", "moadamiyah",
    "yarmouk", "baath-city", "sanamayn", "izraa", "sheikh-maskin", "daraa-north", "sweida",
    "daraa-south", "nasib", "western-daraa", "eastern-daraa", "quneitra", "yarmouk-basin",
]


def run_case(loaded: sc.Loaded, runs: int, seed: int, days: int) -> dict[str, Any]:
    sorties: xr.DataArray | None = None
    outcomes = np.zeros(len(OUTCOMES), dtype=np.int64)
    core = []
    secured_n = 0
    south_before: list[float] = []
    south_after: list[float] = []
    north_before: list[float] = []
    north_after: list[float] = []
    secured_days: list[int] = []
    windows: list[int] = []  # the day each secured run with a whole window was secured
    ends: list[np.ndarray] = []  # per run: south and north fighters on the first and last day
    pending: list[tuple[np.ndarray, np.ndarray]] = []  # (south, north) of unsecured runs
    for first in range(0, runs, CHUNK):
        n = min(CHUNK, runs - first)
        res = ripeness.simulate(loaded, n, seed, days, record=True, first_run=first)
        d = res.daily
        so = d["sorties_on"].sel(support="russia-government").sum("run")
        sorties = so if sorties is None else sorties + so
        outcomes += np.bincount(d["outcome"].values.astype(int), minlength=len(OUTCOMES))
        core.append(d["aim_met"].sel(backer="russia").values.astype(bool))
        actors = [str(a) for a in d["force"].coords["actor"].values]
        places = [str(p) for p in d["control"].coords["place"].values]
        gov = actors.index("government")
        west, east = places.index("aleppo-west"), places.index("aleppo-east")
        south = [places.index(p) for p in SOUTH if p in places]
        north = [places.index(p) for p in NORTH if p in places]
        control = d["control"].values
        held = (control[:, :, west] == gov) & (control[:, :, east] == gov)
        force = d["force"].values  # run, day, place, actor
        gov_south = force[:, :, south, gov].sum(axis=2)
        gov_north = force[:, :, north, gov].sum(axis=2)
        del force
        ends.append(np.stack([gov_south[:, 0], gov_south[:, -1], gov_north[:, 0],
                              gov_north[:, -1]], axis=1))
        for r in range(n):
            hit = np.flatnonzero(held[r])
            if hit.size == 0:
                pending.append((gov_south[r].copy(), gov_north[r].copy()))
                continue
            t = int(hit[0])
            secured_n += 1
            secured_days.append(t)
            if t - BEFORE >= 0 and t + AFTER < days:
                windows.append(t)
                south_before.append(float(gov_south[r, t - BEFORE]))
                south_after.append(float(gov_south[r, t + AFTER]))
                north_before.append(float(gov_north[r, t - BEFORE]))
                north_after.append(float(gov_north[r, t + AFTER]))
        del d, res
    # Control: runs in which Aleppo is never secured, over the same calendar windows as the
    # secured runs (matched day by day), so that a drift common to all runs (recruits, Iran's
    # militiamen, pockets taken near Damascus) is not read as a turn south.
    ctrl: dict[str, list[float]] = {"sb": [], "sa": [], "nb": [], "na": []}
    if pending:
        so_all = np.stack([x[0] for x in pending])
        no_all = np.stack([x[1] for x in pending])
        for t in windows:
            ctrl["sb"].append(float(so_all[:, t - BEFORE].mean()))
            ctrl["sa"].append(float(so_all[:, t + AFTER].mean()))
            ctrl["nb"].append(float(no_all[:, t - BEFORE].mean()))
            ctrl["na"].append(float(no_all[:, t + AFTER].mean()))
    assert sorties is not None, "no chunk was run"
    return {
        "ends": np.concatenate(ends).mean(axis=0),
        "control": {k: (np.mean(v) if v else np.nan) for k, v in ctrl.items()},
        "control_n": len(pending),
        "sorties": {str(a): float(sorties.sel(actor=a)) for a in sorties.coords["actor"].values},
        "outcomes": outcomes,
        "core": np.concatenate(core),
        "secured_n": secured_n,
        "secured_days": secured_days,
        "windows": len(south_before),
        "south": (np.mean(south_before) if south_before else np.nan,
                  np.mean(south_after) if south_after else np.nan),
        "north": (np.mean(north_before) if north_before else np.nan,
                  np.mean(north_after) if north_after else np.nan),
    }


def table(name: str, r: dict[str, Any], runs: int, days: int) -> None:
    print(f"\n== {name}: {runs} runs x {days} days ==")
    s = r["sorties"]
    total = sum(s.values())
    print("(a) Russian sorties on places held by        sorties     share")
    for a in ("isis", "opposition", "southern-front"):
        share = s.get(a, 0.0) / total if total else float("nan")
        print(f"    {a:<40s} {s.get(a, 0.0):>10.0f} {share:>9.1%}")
    print(f"    {'all targets':<40s} {total:>10.0f}")
    print("(b) outcome                                  runs   probability")
    for i, o in enumerate(OUTCOMES):
        print(f"    {i} {o:<38s} {r['outcomes'][i]:>6d} {r['outcomes'][i] / runs:>12.1%}")
    print("(c) Aleppo secured (government holds aleppo-west and aleppo-east)")
    sd = r["secured_days"]
    med = f"median day {int(np.median(sd))}" if sd else "never"
    print(f"    runs where it happens: {r['secured_n']} ({r['secured_n'] / runs:.1%}), {med}")
    print(f"    runs with the whole window (day-{BEFORE} .. day+{AFTER}) inside the run:"
          f" {r['windows']}")
    b, a = r["south"]
    print(f"    government fighters in the south: {b:,.0f} at day-{BEFORE}, {a:,.0f} at day+{AFTER}"
          f" (change {a - b:+,.0f})")
    b, a = r["north"]
    print(f"    government fighters in the north: {b:,.0f} at day-{BEFORE}, {a:,.0f} at day+{AFTER}"
          f" (change {a - b:+,.0f})")
    c = r["control"]
    print(f"    control, {r['control_n']} runs where Aleppo is never secured, the same windows:"
          f" south {c['sa'] - c['sb']:+,.0f}, north {c['na'] - c['nb']:+,.0f}")
    e = r["ends"]
    print(f"    all runs, first to last day: south {e[0]:,.0f} -> {e[1]:,.0f}, north {e[2]:,.0f}"
          f" -> {e[3]:,.0f}")
    core = r["core"]
    print(f"(d) Russia's aim (the government's core) met at the end: {core.mean():.1%} of runs")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--before", type=int, default=BEFORE, help="days before Aleppo is secured")
    ap.add_argument("--after", type=int, default=AFTER, help="days after Aleppo is secured")
    ap.add_argument("--what-if", default=None, metavar="NAME",
                    help="apply one of the scenario's what-ifs first (both cases), e.g. "
                    "long-range-redeployment")
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                    help="change the scenario first (repeatable), e.g. parameters.move_reach=10")
    args = ap.parse_args()
    globals().update(BEFORE=args.before, AFTER=args.after)
    base = sc.read(SCENARIO)
    if args.what_if:
        base = sc.variant(base, args.what_if)
    if args.set:
        base = sc.with_patches(base, dict(sc.parse_set(x) for x in args.set), "--set")
    for name, loaded in (("with Russian air", base),
                         ("what-if no-russian-air", sc.variant(base, "no-russian-air"))):
        t0 = time.perf_counter()
        r = run_case(loaded, args.runs, args.seed, args.days)
        table(name, r, args.runs, args.days)
        print(f"    ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
