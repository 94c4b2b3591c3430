"""Daily bands, control counts, outcome curves and the ensemble's summary statistics.

Everything here is a pure function of arrays: a chunk of runs in, a table or aggregate out.
The per-run table and objective attainment live in :mod:`ripeness.runtable` (a batch from
``simulate()`` has the same table) and are re-exported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..coupling import OUTCOMES
from ..runtable import Objectives, attainment, objectives, runs_table

__all__ = ["MEASURES", "QUANTILES", "Z95", "Objectives", "attainment", "control_counts",
           "format_summary", "objectives", "outcome_curves", "runs_table", "share_bands",
           "summarize", "wilson"]

#: Quantiles of the daily share bands.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def control_counts(control: NDArray[Any], n_actors: int) -> NDArray[np.int64]:
    """int64[day, place, actor]: runs in which each actor holds each place at the end of each
    day. control: int[run, day, place]. Counts add exactly over chunks."""
    _, n_d, n_p = control.shape
    cell = (np.arange(n_d)[:, None] * n_p + np.arange(n_p)[None, :]) * n_actors
    flat = (cell[None] + control.astype(np.int64)).ravel()
    return np.bincount(flat, minlength=n_d * n_p * n_actors).reshape(n_d, n_p, n_actors)


def share_bands(share: NDArray[Any]) -> NDArray[np.float64]:
    """float[quantile, day, belligerent]: QUANTILES over runs of share[run, day, belligerent]
    (exact: all runs' daily shares, float32, are kept until the end)."""
    return np.quantile(share.astype(np.float64), QUANTILES, axis=0)


#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054


def wilson(k: NDArray[Any], n: int, z: float = Z95) -> tuple[NDArray[np.float64],
                                                             NDArray[np.float64]]:
    """The Wilson score interval of k successes in n trials (95% by default), from
    ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``."""
    from scipy.stats import binomtest, norm

    level = float(1.0 - 2.0 * norm.sf(z))
    ks = np.asarray(k, dtype=np.int64)
    ci = [binomtest(int(x), n).proportion_ci(confidence_level=level, method="wilson")
          for x in ks.ravel()]
    lo = np.array([c.low for c in ci], dtype=np.float64).reshape(ks.shape)
    hi = np.array([c.high for c in ci], dtype=np.float64).reshape(ks.shape)
    return lo, hi


def outcome_curves(runs: pd.DataFrame, days: int) -> NDArray[np.float64]:
    """float[day, outcome]: the share of runs whose final outcome (``OUTCOMES`` order; not
    ``ongoing``, which is what is left) had been reached by the end of each day. A
    settlement is dated by its signature; a military victory or a frozen partition (judged on
    the last day) by the last capture between the parties."""
    out = np.zeros((days, len(OUTCOMES)))
    reached = runs["outcome_day"].to_numpy(dtype=np.float64, na_value=np.nan)
    code = pd.Categorical(runs["outcome"].astype(str), categories=list(OUTCOMES)).codes
    d = np.arange(days)[:, None]
    for j in range(1, len(OUTCOMES)):
        hit = (code == j) & np.isfinite(reached)
        out[:, j] = (reached[hit][None, :] <= d).sum(axis=1) / max(len(runs), 1)
    out[:, 0] = 1.0 - out[:, 1:].sum(axis=1)
    return out


#: The measures whose median and quartiles the summary gives.
MEASURES = ("mil_dead", "killed", "displaced", "besieged_person_days", "sessions")


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Outcome probabilities (95% Wilson intervals), then median and quartiles of casualties,
    displaced, sessions and day of settlement (settled runs only). Columns: estimate, low,
    high, n, what."""
    n = len(runs)
    counts = np.array([(runs["outcome"] == o).sum() for o in OUTCOMES])
    lo, hi = wilson(counts, n)
    rows = [(f"P({o})", c / n, lo[i], hi[i], n, "probability, 95% Wilson interval")
            for i, (o, c) in enumerate(zip(OUTCOMES, counts, strict=True))]
    settled = runs["settled_day"].dropna()
    for name, x in [*((m, runs[m]) for m in MEASURES), ("settled_day", settled)]:
        q = (np.quantile(x.to_numpy(np.float64), (0.5, 0.25, 0.75)) if len(x)
             else [np.nan] * 3)
        rows.append((name, q[0], q[1], q[2], len(x), "median, quartiles"))
    cols = ["measure", "estimate", "low", "high", "n", "what"]
    return pd.DataFrame(rows, columns=cols).set_index("measure")


def format_summary(table: pd.DataFrame) -> str:
    """The summary as aligned text for the terminal."""
    lines = [f"{'':28s} {'estimate':>12s} {'low':>12s} {'high':>12s}  {'n':>7s}"]
    for name, r in table.iterrows():
        spec = "12.1%" if str(name).startswith("P(") else "12,.0f"
        vals = " ".join(format(float(r[c]), spec) if r[c] == r[c] else f"{'n/a':>12s}"
                        for c in ("estimate", "low", "high"))
        lines.append(f"{name!s:28s} {vals}  {int(r['n']):7d}  {r['what']}")
    return "\n".join(lines)
