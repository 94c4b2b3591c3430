"""Engine cost against the size of the map, on synthetic grid maps (opt-in; issue 18).

A map of P places is a near-square grid (each place linked to the next in its row and
column, 7 km apart), the western half held by a government, the eastern half by rebels, each
with a supply source at its edge and 500 fighters a place: one long front down the middle.
For each size the script compiles the map, runs one batch for a few days and prints the
compile time, the CPU seconds per run-day, the state bytes per run (the engine's ``State``),
and last the exponent of cost against places fitted by least squares on the log-log points
(issue 18 asks for <= 1.3). CPU time, since the machine may be shared. Run:
``python benchmarks/growth.py`` (``--quick`` for sizes up to 500).
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np

from ripeness.engine import init, step
from ripeness.scenario import from_raw
from ripeness.world.compile import World, compile_scenario

SIZES = (50, 100, 200, 500, 1000, 2000)


def grid_raw(places: int) -> dict[str, Any]:
    """A valid scenario (as a raw dict) on a near-square grid of ``places`` places."""
    cols = max(2, round(math.sqrt(places)))
    rows = math.ceil(places / cols)
    cells = [(i, j) for i in range(rows) for j in range(cols)][:places]
    name = {c: f"p{c[0]}-{c[1]}" for c in cells}
    half = cols / 2

    def place(i: int, j: int) -> dict[str, Any]:
        side = "gov" if j < half else "reb"
        return {"id": name[(i, j)], "name": name[(i, j)], "lat": 30 + 0.06 * i,
                "lon": 30 + 0.06 * j, "population": 1000, "value": 1.0, "controller": side,
                "forces": {side: 500}, "source": "synthetic"}

    links = [{"a": name[c], "b": name[d], "km": 7, "source": "synthetic"}
             for c in cells for d in ((c[0] + 1, c[1]), (c[0], c[1] + 1)) if d in name]
    return {
        "meta": {"name": f"grid-{places}", "title": f"Synthetic grid of {places} places",
                 "start": "2016-02-01", "horizon_days": 30},
        "references": {"synthetic": "benchmarks/growth.py: a generated map"},
        "actors": [
            {"id": "gov", "name": "Government", "kind": "belligerent",
             "enemies": {"reb": 1.0}, "assumption": "synthetic"},
            {"id": "reb", "name": "Rebels", "kind": "belligerent", "assumption": "synthetic"}],
        "places": [place(*c) for c in cells],
        "links": links,
        "supply": [{"place": name[(0, 0)], "actors": ["gov"], "kind": "hinterland"},
                   {"place": name[(0, cols - 1)], "actors": ["reb"], "kind": "hinterland"}],
    }


def grid_world(places: int) -> tuple[World, float]:
    """The compiled grid and the CPU seconds its validation and compilation took."""
    t = time.process_time()
    world = compile_scenario(from_raw(grid_raw(places)).scenario)
    return world, time.process_time() - t


def cost_per_run_day(world: World, runs: int, days: int) -> float:
    """CPU seconds per run-day of one batch (after a one-day warm-up)."""
    state = init(world, runs, 0)
    state = step(state, world, world.params_on(0), 0)
    t = time.process_time()
    for day in range(1, days + 1):
        state = step(state, world, world.params_on(day), day)
    return (time.process_time() - t) / (runs * days)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 500 places")
    ap.add_argument("--runs", type=int, default=16, help="runs per batch (default 16)")
    ap.add_argument("--days", type=int, default=3, help="days timed per size (default 3)")
    args = ap.parse_args()
    sizes = [n for n in SIZES if n <= 500] if args.quick else list(SIZES)
    print(f"synthetic grids, {args.runs} runs x {args.days} days each, CPU time\n"
          f"{'places':>7s} {'links':>6s} {'compile s':>10s} {'ms/run-day':>11s} "
          f"{'state KB/run':>13s}")
    costs = []
    for n in sizes:
        world, compile_s = grid_world(n)
        c = cost_per_run_day(world, args.runs, args.days)
        costs.append(c)
        print(f"{n:7,d} {len(world.links):6,d} {compile_s:10.2f} {1e3 * c:11.2f} "
              f"{init(world, args.runs, 0).nbytes / args.runs / 1e3:13,.1f}", flush=True)
    slope = float(np.polyfit(np.log(sizes), np.log(costs), 1)[0])
    print(f"cost per run-day grows as places^{slope:.2f} from {sizes[0]} to {sizes[-1]} "
          f"places (issue 18's target: <= 1.3)")


if __name__ == "__main__":
    main()
