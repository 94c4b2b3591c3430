"""What-if comparisons with common random numbers: the baseline and the variant run with the
same seed and run indices, so that run k of each sees the same random draws and the paired
differences have far less variance than two independent ensembles would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..coupling import OUTCOMES
from ..scenario import Loaded, Scenario, whatif_names
from ..scenario.load import WhatIfs
from .run import DEFAULT_CHUNK, resolve, run_tables
from .store import jsonable, write_folder
from .summary import Z95, wilson

__all__ = ["MEASURES", "Comparison", "compare", "newcombe_paired", "paired_table"]

#: Continuous measures compared by their means (columns of the per-run table).
MEASURES = ("mil_dead", "killed", "displaced", "besieged_person_days", "sessions")


def newcombe_paired(x: NDArray[np.bool_], y: NDArray[np.bool_]) -> tuple[float, float]:
    """95% interval for P(y) - P(x) from paired binary outcomes: Newcombe's (1998) hybrid
    score interval (method 10), Wilson intervals of each margin combined with the
    correlation of the pairs. Unlike mean ± 1.96 sd/√n it stays inside [-1, 1] and does not
    collapse to a point when the variant changes no run."""
    n = len(x)
    a, b = int((y & x).sum()), int((y & ~x).sum())
    c, d = int((~y & x).sum()), int((~y & ~x).sum())
    p1, p2 = (a + b) / n, (a + c) / n  # the variant's, the baseline's
    (l1, l2), (u1, u2) = wilson(np.array([a + b, a + c]), n)
    den = float(a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    num = cross - n / 2 if cross > n / 2 else (0.0 if cross >= 0 else cross)
    phi = num / np.sqrt(den) if den > 0 else 0.0
    lo = (p1 - p2) - np.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    hi = (p1 - p2) + np.sqrt((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2)
    return float(lo), float(hi)


def _row(name: str, x: NDArray[Any], y: NDArray[Any], binary: bool) -> dict[str, Any]:
    """One measure: means, paired difference with its 95% interval, variance reduction."""
    x, y = x.astype(np.float64), y.astype(np.float64)
    n, diff = len(x), y - x
    v_ind = float(x.var(ddof=1) + y.var(ddof=1)) if n > 1 else float("nan")
    v_pair = float(diff.var(ddof=1)) if n > 1 else float("nan")
    if binary:
        lo, hi = newcombe_paired(x > 0, y > 0)
        how = "Newcombe paired score"
    else:
        half = Z95 * np.sqrt(v_pair / n)
        lo, hi = float(diff.mean() - half), float(diff.mean() + half)
        how = "paired mean ± 1.96 sd/√n"
    ratio = v_ind / v_pair if v_pair > 0 else (float("inf") if v_ind > 0 else float("nan"))
    return {"measure": name, "baseline": x.mean(), "variant": y.mean(),
            "difference": diff.mean(), "low": lo, "high": hi, "interval": how,
            "var_independent": v_ind, "var_paired": v_pair, "variance_reduction": ratio}


def paired_table(base: pd.DataFrame, var: pd.DataFrame) -> pd.DataFrame:
    """Differences (variant - baseline) of each outcome's probability and of the means of
    MEASURES over runs paired by run index."""
    if not np.array_equal(base["run"].to_numpy(), var["run"].to_numpy()):
        raise ValueError("the two tables must hold the same runs in the same order")
    rows = [_row(f"P({o})", (base["outcome"] == o).to_numpy(),
                 (var["outcome"] == o).to_numpy(), True) for o in OUTCOMES]
    rows += [_row(m, base[m].to_numpy(), var[m].to_numpy(), False) for m in MEASURES]
    return pd.DataFrame(rows).set_index("measure")


def _pct(sign: str) -> Any:
    return lambda v: f"{v:{sign}.1%}"


def _num(sign: str) -> Any:
    return lambda v: f"{v:{sign},.2f}" if abs(v) < 100 else f"{v:{sign},.0f}"


def _times(v: float) -> str:
    """A variance reduction: '3.2x', 'inf' (the pairs agree exactly), 'n/a' (nothing
    varies)."""
    if np.isnan(v):
        return "n/a"
    return "inf" if np.isinf(v) else f"{v:.1f}x"


@dataclass(frozen=True)
class Comparison:
    """A baseline and a variant over the same runs: their per-run tables and a manifest."""

    baseline: pd.DataFrame
    variant: pd.DataFrame
    manifest: dict[str, Any]

    def table(self) -> pd.DataFrame:
        """Per measure: baseline and variant means, the paired difference with its 95%
        interval, and the variance reduction against independent sampling
        (Var(X) + Var(Y)) / Var(Y - X)."""
        return paired_table(self.baseline, self.variant)

    def report(self) -> str:
        """The table as text for the terminal."""
        m = self.manifest
        head = (f"{m['scenario']}: {m['variant']} vs baseline, {m['runs']:,} runs (seed "
                f"{m['seed']}), {m['days']} days, common random numbers")
        lines = [head, f"{'':22s} {'baseline':>11s} {'variant':>11s} {'difference':>11s} "
                 f"{'95% interval':>25s} {'var. reduction':>14s}"]
        for name, r in self.table().iterrows():
            prob = str(name).startswith("P(")
            g, f = (_pct(""), _pct("+")) if prob else (_num(""), _num("+"))
            lines.append(f"{name!s:22s} {g(r['baseline']):>11s} {g(r['variant']):>11s} "
                         f"{f(r['difference']):>11s} {f(r['low']):>12s} {f(r['high']):>12s} "
                         f"{_times(r['variance_reduction']):>14s}")
        return "\n".join([*lines, "var. reduction: how many times more runs two independent "
                          "ensembles would need for as narrow an interval (inf: every pair "
                          "agrees; n/a: nothing varies)"])

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """DIR/comparison.parquet (the table), baseline.parquet, variant.parquet and
        manifest.json, written whole or not at all."""
        return write_folder(directory, self._write, overwrite)

    def _write(self, tmp: Path) -> None:
        self.table().reset_index().to_parquet(tmp / "comparison.parquet", index=False)
        self.baseline.to_parquet(tmp / "baseline.parquet", index=False)
        self.variant.to_parquet(tmp / "variant.parquet", index=False)
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n")


def compare(scenario: Scenario | Loaded | str | Path, whatif: WhatIfs = None,
            sets: dict[str, Any] | None = None, runs: int = 1000, seed: int = 0,
            days: int | None = None, chunk: int = DEFAULT_CHUNK, workers: int | None = None,
            scheduler: str | None = None, progress: bool = False) -> Comparison:
    """Run ``scenario`` and its variant (``whatif`` and/or ``sets`` applied) over the same
    runs 0 .. runs - 1 and seed (common random numbers); see :meth:`Comparison.table`."""
    if not whatif_names(whatif) and not sets:
        raise ValueError("nothing to compare: give a what-if or --set values")
    base = resolve(scenario)
    var = resolve(base, whatif, sets)
    n_days = base.scenario.meta.horizon_days if days is None else days
    tables = run_tables([base, var], runs, seed, n_days, chunk, workers, scheduler, progress)
    from .. import __version__

    label = " + ".join([*(f"what-if {w}" for w in whatif_names(whatif)),
                        *(f"{k}={v}" for k, v in (sets or {}).items())])
    manifest = {"kind": "ripeness comparison", "scenario": base.scenario.meta.name,
                "baseline_hash": base.hash, "variant_hash": var.hash, "variant": label,
                "whatif": jsonable(whatif), "sets": jsonable(sets or {}),
                "version": __version__, "seed": seed, "runs": runs, "days": n_days, "chunk": chunk,
                "rng": "common random numbers: same seed and run indices in both"}
    return Comparison(baseline=tables[0], variant=tables[1], manifest=manifest)
