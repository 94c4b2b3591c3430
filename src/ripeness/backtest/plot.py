"""A picture of a backtest: simulated against recorded dates, and figures against ranges.

Left: one row per recorded event, named in full (wrapped, never cut); the recorded date (or
range) as a grey bar, the simulated dates of the runs in which it happened as a box
(quartiles) with whiskers (10th-90th percentiles) and a median tick, blue for an event that
happened and red for one recorded as NOT happening (there the box shows the runs that
disagree), and beside each row the share of runs that agree with the record. Right: one row
per recorded figure on a log scale, the recorded range in grey, the simulated values as a box,
and the share of runs inside the range. matplotlib is imported only here (the ``plot``
extra).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ..report.plots import pyplot
from .record import Entry
from .run import BacktestResult

__all__ = ["plot_backtest"]

HAPPENED, NOT, FIGURE, RECORDED = "#2E86C1", "#C0392B", "#27AE60", "0.78"
WRAP = 50  # characters per line of a row's name


def _name(e: Entry) -> str:
    """The entry in words, wrapped: its subject, then its id."""
    what = e.what.replace(";", ", ")
    return "\n".join(textwrap.wrap(f"{what} ({e.id})", WRAP, break_on_hyphens=False))


def _box(ax: Any, y: int, x: np.ndarray, color: str) -> None:
    """A horizontal box (quartiles), whiskers (10th-90th percentiles) and median at ``y``."""
    x = x[np.isfinite(x)]
    if not len(x):
        return
    p10, q1, med, q3, p90 = np.percentile(x, [10, 25, 50, 75, 90])
    ax.plot([p10, p90], [y, y], color=color, lw=1)
    ax.add_patch(_rect((q1, y - 0.22), max(q3 - q1, 0.15), 0.44, color))
    ax.plot([med, med], [y - 0.3, y + 0.3], color="black", lw=1.5)


def _rect(xy: tuple[float, float], w: float, h: float, color: str, alpha: float = 0.6) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=color, alpha=alpha, edgecolor=color, lw=0.5)


def _rows(ax: Any, names: list[str], shares: list[float], right: float) -> None:
    """Row names on the left, the share of runs agreeing with the record on the right."""
    ax.set_yticks(range(len(names)), names, fontsize=7.5)
    ax.set_ylim(len(names) - 0.5, -0.9)
    for y, s in enumerate(shares):
        ax.text(right, y, f"{s:.0%}", va="center", ha="left", fontsize=7.5,
                transform=ax.get_yaxis_transform())
    ax.text(right, -0.85, "agree", va="center", ha="left", fontsize=7.5, weight="bold",
            transform=ax.get_yaxis_transform())
    for y in range(len(names)):
        ax.axhline(y + 0.5, color="0.93", lw=0.6, zorder=0)


def _events(ax: Any, res: BacktestResult) -> None:
    rec, obs = res.record, res.observed
    days = rec.days()
    rows = [i for i, e in enumerate(rec.entries) if not e.is_figure]
    for y, i in enumerate(rows):
        e = rec.entries[i]
        ax.add_patch(_rect((days[i, 0] - 0.5, y - 0.35), days[i, 1] - days[i, 0] + 1, 0.7,
                           RECORDED, alpha=1.0))
        _box(ax, y, obs.day[i], HAPPENED if e.happened else NOT)
    _rows(ax, [_name(rec.entries[i]) for i in rows],
          [float(res.table["share"].iloc[i]) for i in rows], 1.01)
    ax.set_xlim(-1, obs.window)
    ax.set_xlabel(f"day of the run (0 = {rec.start})")
    ax.set_title("Events: recorded dates and simulated dates", fontsize=9, loc="left")


def _figures(ax: Any, res: BacktestResult) -> None:
    rec, obs = res.record, res.observed
    rows = [i for i, e in enumerate(rec.entries) if e.is_figure]
    for y, i in enumerate(rows):
        e = rec.entries[i]
        ax.add_patch(_rect((max(e.low, 1.0), y - 0.35), max(e.high - e.low, e.low * 0.02),
                           0.7, RECORDED, alpha=1.0))
        _box(ax, y, np.maximum(obs.hi[i], 1.0), FIGURE)
    ax.set_xscale("log")
    _rows(ax, [_name(rec.entries[i]) for i in rows],
          [float(res.table["share"].iloc[i]) for i in rows], 1.01)
    ax.set_xlabel("persons (log scale)")
    ax.set_title("Figures: recorded range and simulated values", fontsize=9, loc="left")


def _legend(fig: Any) -> None:
    from matplotlib.patches import Patch

    fig.legend(handles=[
        Patch(color=RECORDED, label="recorded date or range"),
        Patch(color=HAPPENED, alpha=0.6, label="simulated: runs in which the event happened"),
        Patch(color=NOT, alpha=0.6, label="simulated: runs in which an event recorded as NOT "
              "happening did happen"),
        Patch(color=FIGURE, alpha=0.6, label="simulated figure")],
        loc="lower center", ncol=2, frameon=False, fontsize=8,
        title="box: quartiles of the runs; whiskers: 10th-90th percentile; black tick: median;"
              " agree: share of runs that agree with the record", title_fontsize=8)


def plot_backtest(res: BacktestResult, path: str | Path) -> Path:
    """Draw the backtest to ``path`` (PNG, SVG or PDF by its suffix) and return the path."""
    plt = pyplot()
    lines = sum(_name(e).count("\n") + 1 for e in res.record.entries if not e.is_figure)
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(14, 0.17 * lines + 0.12 * len(res.record) + 2.6), width_ratios=[3, 2],
        layout="constrained")
    _events(left, res)
    _figures(right, res)
    _legend(fig)
    fig.get_layout_engine().set(rect=(0, 0.07, 1, 0.93))
    m = res.manifest
    fig.suptitle(f"{m['simulation']['scenario']}: backtest score {res.score:.3f} "
                 f"({m['runs']} runs, seed {m['seed']})", fontsize=10)
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
