"""Scenario discovery: in which part of the uncertain ranges is an outcome likely?

The uncertain numbers are sampled with a scrambled Latin hypercube (:mod:`scipy.stats.qmc`);
each point is simulated with ``runs`` runs of one seed (common random numbers) and every run
becomes one case, a case of interest when its output exceeds a threshold (for binary outputs
such as ``settlement``: the run ended in a settlement). PRIM (Friedman & Fisher 1999, "Bump
hunting in high-dimensional data") then finds a box of parameter ranges where cases of
interest are dense, by peeling: at each step it cuts a slice of ``alpha`` of the points from
the low or high end of one dimension, the cut that leaves the densest box, until the box holds
less than ``min_mass`` of the points. The trajectory of boxes trades coverage (the share of
all cases of interest inside the box) against density (the share of the box's cases that are
of interest); a box is chosen on it at a density threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..ensemble.progress import Progress
from ..scenario import Loaded, read
from .sensitivity import OUTPUTS, AnalysisError, ScenarioModel, Space, _import

__all__ = ["PRIMS", "Box", "DiscoveryResult", "PrimResult", "discover", "prim", "prim_ema"]

#: PRIM implementations: this package's (the default: no extra dependency, the whole
#: trajectory down to min_mass) or the EMA workbench's (the ``ema`` extra).
PRIMS = ("ripeness", "ema")


@dataclass(frozen=True)
class Box:
    """Limits ``low``/``high`` (float[d]) of a box; ``coverage``, ``density``, ``mass``: the
    share of all cases of interest inside it, of its cases that are of interest, of all cases
    inside it."""

    low: NDArray[np.float64]
    high: NDArray[np.float64]
    coverage: float
    density: float
    mass: float

    def restricted(self, full_low: NDArray[np.float64],
                   full_high: NDArray[np.float64]) -> NDArray[np.bool_]:
        """bool[d]: the dimensions the box narrows (against the data's full range)."""
        return (self.low > full_low) | (self.high < full_high)


@dataclass(frozen=True)
class PrimResult:
    """The peeling trajectory: ``boxes[0]`` is the whole data, each next one peeled once;
    ``names`` of the d dimensions and the data's full ``low``/``high``."""

    boxes: list[Box]
    names: tuple[str, ...]
    low: NDArray[np.float64]
    high: NDArray[np.float64]

    def trajectory(self) -> pd.DataFrame:
        """One row per box: coverage, density, mass, number of restricted dimensions."""
        return pd.DataFrame([{"coverage": b.coverage, "density": b.density, "mass": b.mass,
                              "restricted": int(b.restricted(self.low, self.high).sum())}
                             for b in self.boxes])

    def select(self, density: float = 0.8) -> Box:
        """The box with the most coverage whose density reaches ``density``; if none does,
        the densest box."""
        ok = [b for b in self.boxes if b.density >= density]
        if ok:
            return max(ok, key=lambda b: b.coverage)
        return max(self.boxes, key=lambda b: b.density)

    def describe(self, box: Box) -> list[str]:
        """The box in words: each restricted dimension's range against its full range."""
        lines = [f"coverage {box.coverage:.1%}, density {box.density:.1%}, "
                 f"mass {box.mass:.1%}"]
        keep = box.restricted(self.low, self.high)
        for j in np.flatnonzero(keep):
            lines.append(f"  {self.names[j]}: {box.low[j]:.4g} .. {box.high[j]:.4g}   "
                         f"(full range {self.low[j]:.4g} .. {self.high[j]:.4g})")
        if not keep.any():
            lines.append("  (no dimension restricted: the outcome is no likelier anywhere)")
        return lines


def _box(x: NDArray[np.float64], y: NDArray[np.bool_], inside: NDArray[np.bool_],
         low: NDArray[np.float64], high: NDArray[np.float64]) -> Box:
    n_in, hits = int(inside.sum()), int(y.sum())
    density = float(y[inside].mean()) if n_in else 0.0
    coverage = float(y[inside].sum() / hits) if hits else 0.0
    return Box(low.copy(), high.copy(), coverage, density, n_in / len(y))


def _best_peel(x: NDArray[np.float64], y: NDArray[np.bool_], inside: NDArray[np.bool_],
               alpha: float) -> tuple[int, int, float, NDArray[np.bool_]] | None:
    """(dimension, side 0 low / 1 high, new limit, new inside) of the peel that leaves the
    densest box; ties go to the lower dimension, low side first. None: nothing to peel."""
    best: tuple[float, int, int, float, NDArray[np.bool_]] | None = None
    for j in range(x.shape[1]):
        col = x[inside, j]
        for side, q in ((0, alpha), (1, 1 - alpha)):
            limit = float(np.quantile(col, q))
            keep = inside & (x[:, j] >= limit if side == 0 else x[:, j] <= limit)
            if keep.sum() == inside.sum() or not keep.any():
                continue
            density = float(y[keep].mean())
            if best is None or density > best[0]:
                best = (density, j, side, limit, keep)
    return None if best is None else best[1:]


def prim(x: NDArray[np.float64], y: NDArray[np.bool_], names: tuple[str, ...] | None = None,
         alpha: float = 0.05, min_mass: float = 0.05) -> PrimResult:
    """Peel boxes off ``x`` (float[n, d]) towards the cases where ``y`` (bool[n]) is true;
    stop before a box would hold less than ``min_mass`` of the n cases."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=bool)
    if x.ndim != 2 or len(x) != len(y) or len(y) == 0:
        raise AnalysisError("prim needs x of shape (n, d) and y of length n > 0")
    names = names or tuple(f"x{j}" for j in range(x.shape[1]))
    low, high = x.min(axis=0), x.max(axis=0)
    lo, hi, inside = low.copy(), high.copy(), np.ones(len(y), dtype=bool)
    boxes = [_box(x, y, inside, lo, hi)]
    while True:
        peel = _best_peel(x, y, inside, alpha)
        if peel is None:
            break
        j, side, limit, keep = peel
        if keep.sum() < min_mass * len(y):
            break
        lo[j], hi[j] = (limit, hi[j]) if side == 0 else (lo[j], limit)
        inside = keep
        boxes.append(_box(x, y, inside, lo, hi))
    return PrimResult(boxes, tuple(names), low, high)


def prim_ema(x: NDArray[np.float64], y: NDArray[np.bool_], names: tuple[str, ...] | None = None,
             alpha: float = 0.05, min_mass: float = 0.05) -> PrimResult:
    """The same peeling by the EMA workbench's PRIM (``ema_workbench.analysis.prim``, the
    ``ema`` extra), as a :class:`PrimResult`. The workbench stops peeling once a box is pure
    (density 1), so its trajectory can be shorter; box for box it is the same (a test checks
    it)."""
    import logging
    import warnings

    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=bool)
    names = names or tuple(f"x{j}" for j in range(x.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ema_prim = _import("ema_workbench.analysis.prim", extra="ema")
        logging.getLogger("EMA").setLevel(logging.WARNING)
        found = ema_prim.Prim(pd.DataFrame(x, columns=list(names)), y, threshold=1.0,
                              peel_alpha=alpha, mass_min=min_mass).find_box()
    trail = found.peeling_trajectory
    boxes = [Box(np.asarray(lims.loc[0], dtype=np.float64),
                 np.asarray(lims.loc[1], dtype=np.float64), float(r.coverage),
                 float(r.density), float(r.mass))
             for lims, r in zip(found.box_lims, trail.itertuples(), strict=True)]
    return PrimResult(boxes, tuple(names), x.min(axis=0), x.max(axis=0))


@dataclass(frozen=True)
class DiscoveryResult:
    """``cases``: one row per run and point (the point's values, the run's output and
    whether it is a case of interest); ``prim``: the peeling; ``box``: the chosen box;
    ``manifest``: how it was made."""

    cases: pd.DataFrame
    prim: PrimResult
    box: Box
    manifest: dict[str, Any] = field(repr=False)

    def report(self) -> str:
        """The chosen box in words, for the terminal."""
        m = self.manifest
        head = (f"{m['scenario']}: where is '{m['output']} > {m['threshold']:g}' likely? "
                f"{m['samples']} Latin-hypercube points x {m['runs']} runs, {m['days']} days, "
                f"seed {m['seed']}; {m['cases_of_interest']} of {len(self.cases)} runs are "
                f"cases ({m['cases_of_interest'] / len(self.cases):.1%})")
        return "\n".join([head, *self.prim.describe(self.box)])


def _cases(model: ScenarioModel, values: NDArray[np.float64], output: str,
           progress: bool = False) -> pd.DataFrame:
    """One row per (point, run): the point's values and the run's output."""
    frames = []
    bar = Progress(len(values), enabled=progress, label="points")
    for i, v in enumerate(values):
        out = model.per_run(v, (output,))[output]
        bar.update(1)
        frame = pd.DataFrame(np.repeat(v[None, :], len(out), axis=0),
                             columns=list(model.space.names))
        frame.insert(0, "run", np.arange(len(out)))
        frame.insert(0, "point", i)
        frame[output] = out
        frames.append(frame)
    bar.close()
    return pd.concat(frames, ignore_index=True)


def discover(scenario: Loaded | str | Path, output: str = "settlement", samples: int = 64,
             runs: int = 20, days: int | None = None, threshold: float = 0.5,
             density: float = 0.8, seed: int = 0, alpha: float = 0.05,
             min_mass: float = 0.05, progress: bool = False,
             engine: str = "ripeness") -> DiscoveryResult:
    """Sample the scenario's uncertain numbers, simulate each point and find with PRIM the
    box where runs with ``output > threshold`` are densest (chosen at ``density``).
    ``progress``: a bar of the points on stderr. ``engine``: whose PRIM (:data:`PRIMS`)."""
    if engine not in PRIMS:
        raise AnalysisError(f"unknown PRIM '{engine}'; use one of: {', '.join(PRIMS)}")
    if output not in OUTPUTS:
        raise AnalysisError(f"unknown output '{output}'; use one of: {', '.join(OUTPUTS)}")
    if min(samples, runs) < 1 or (days is not None and days < 1):
        raise AnalysisError("samples, runs and days must be at least 1")
    loaded = scenario if isinstance(scenario, Loaded) else read(scenario)
    space = Space.of(list(loaded.scenario.uncertain))
    n_days = loaded.scenario.meta.horizon_days if days is None else days
    qmc = _import("scipy.stats.qmc")
    unit = np.asarray(qmc.LatinHypercube(d=len(space.names), seed=seed).random(samples))
    model = ScenarioModel(loaded, space, runs, n_days, seed)
    cases = _cases(model, space.scale(unit), output, progress)
    cases["interest"] = cases[output] > threshold
    peel = prim if engine == "ripeness" else prim_ema
    found = peel(cases[list(space.names)].to_numpy(), cases["interest"].to_numpy(),
                 space.names, alpha, min_mass)
    box = found.select(density)
    manifest = _manifest(loaded, output, samples, runs, n_days, threshold, density, seed, cases)
    return DiscoveryResult(cases, found, box, {**manifest, "prim": engine})


def _manifest(loaded: Loaded, output: str, samples: int, runs: int, days: int,
              threshold: float, density: float, seed: int,
              cases: pd.DataFrame) -> dict[str, Any]:
    from .. import __version__

    return {"kind": "ripeness discovery", "scenario": loaded.scenario.meta.name,
            "scenario_hash": loaded.hash, "version": __version__, "output": output,
            "threshold": threshold, "density": density, "samples": samples, "runs": runs,
            "days": days, "seed": seed, "cases_of_interest": int(cases["interest"].sum()),
            "design": "scrambled Latin hypercube (scipy.stats.qmc), seeded with seed",
            "rng": "every point simulates runs 0..runs-1 of seed (common random numbers)"}
