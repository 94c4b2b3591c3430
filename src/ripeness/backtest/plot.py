"""A picture of a backtest: simulated against recorded dates, and figures against ranges.

Left: one line per event; the recorded date (or range) in grey, the simulated dates of the
runs in which it happened as a box (quartiles) with whiskers (10th-90th percentiles), and the
share of runs beside it. Right: one line per figure on a log scale; the recorded range in grey,
the simulated values as a box. matplotlib is imported only here (the ``plot`` extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..report.plots import pyplot
from .run import BacktestResult

__all__ = ["plot_backtest"]


def _box(ax: Any, y: int, x: np.ndarray, color: str) -> None:
    """A horizontal box (quartiles), whiskers (10th-90th percentiles) and median at ``y``."""
    x = x[np.isfinite(x)]
    if not len(x):
        return
    p10, q1, med, q3, p90 = np.percentile(x, [10, 25, 50, 75, 90])
    ax.plot([p10, p90], [y, y], color=color, lw=1)
    ax.add_patch(_rect((q1, y - 0.25), max(q3 - q1, 0.15), 0.5, color))
    ax.plot([med, med], [y - 0.3, y + 0.3], color="black", lw=1.5)


def _rect(xy: tuple[float, float], w: float, h: float, color: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=color, alpha=0.6, edgecolor=color)


def _events(ax: Any, res: BacktestResult) -> None:
    rec, obs = res.record, res.observed
    days = rec.days()
    rows = [i for i, e in enumerate(rec.entries) if not e.is_figure]
    for y, i in enumerate(rows):
        e = rec.entries[i]
        ax.add_patch(_rect((days[i, 0] - 0.5, y - 0.4), days[i, 1] - days[i, 0] + 1, 0.8,
                           "0.75"))
        _box(ax, y, obs.day[i], "tab:blue" if e.happened else "tab:red")
        share = res.table["share"].iloc[i]
        ax.text(obs.window + 0.5, y, f"{share:.0%}", va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), [rec.entries[i].what[:40] for i in rows], fontsize=7)
    ax.set_xlim(-1, obs.window + 6)
    ax.set_ylim(-1, len(rows))
    ax.invert_yaxis()
    ax.set_xlabel(f"day (0 = {rec.start}); grey: recorded; blue: simulated (runs where it "
                  "happened); red: recorded as not happening; %: share of runs", fontsize=7)


def _figures(ax: Any, res: BacktestResult) -> None:
    rec, obs = res.record, res.observed
    rows = [i for i, e in enumerate(rec.entries) if e.is_figure]
    for y, i in enumerate(rows):
        e = rec.entries[i]
        ax.add_patch(_rect((max(e.low, 1.0), y - 0.4), max(e.high - e.low, e.low * 0.02),
                           0.8, "0.75"))
        _box(ax, y, np.maximum(obs.hi[i], 1.0), "tab:green")
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), [rec.entries[i].id for i in rows], fontsize=7)
    ax.set_ylim(-1, len(rows))
    ax.invert_yaxis()
    ax.set_xlabel("persons (log); grey: recorded range; green: simulated", fontsize=7)


def plot_backtest(res: BacktestResult, path: str | Path) -> Path:
    """Draw the backtest to ``path`` (PNG, SVG or PDF by its suffix) and return the path."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(13, 0.28 * len(res.record) + 2.5), width_ratios=[3, 2])
    _events(left, res)
    _figures(right, res)
    m = res.manifest
    fig.suptitle(f"{m['simulation']['scenario']}: backtest score {res.score:.3f} "
                 f"({m['runs']} runs, seed {m['seed']})", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
