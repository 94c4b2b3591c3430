"""The talks of one run, in three stacked panels over the same dates.

1. What each party holds and what it needs: its share of the stake among the talks' parties
   each day (a line; renormalised over the parties, so it differs from the shares figure,
   which counts every belligerent), the share it needs to accept a deal, set at each
   session and kept until the next (dashed steps; above the whole stake: a triangle on the
   top edge) and the offers made to it (diamonds, when there were any).
2. Room for a deal: the parties' needs summed, minus the whole stake, at each session. Above
   zero they ask for more than there is (no bargaining range); at or below zero a deal exists.
3. What the talks did: their phase as a coloured lane, ceasefires in force, and each
   session as a mark (a hearing, no range, an offer refused, a settlement).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..simulate import Result
from ..talks.state import PHASES
from .plots import colours_of, date_axis, pyplot, subtitle

__all__ = ["fig_talks"]

PHASE_COLOURS = {"not open": "#EEEEEE", "open": "#B8D8B0", "suspended": "#F2B8A0",
                 "settled": "#4C9A2A", "closed": "#BBBBBB"}
#: Session marks: (label, marker, colour) by what the session did.
MARKS = {"hearing": ("the mediator hears the parties", "o", "0.55"),
         "no range": ("no bargaining range", "x", "#C0392B"),
         "refused": ("an offer refused", "v", "#E67E22"),
         "settled": ("settlement signed", "*", "#1E8449")}


def _sessions(res: Result) -> pd.DataFrame:
    """The run's talks rows indexed by day (one row per day with a talks event)."""
    run = int(res.daily["run"].values[0])
    s = res.sessions[res.sessions["run"] == run]
    return s.groupby("day").last()


def _kind(row: Any) -> str | None:
    if row.settled:
        return "settled"
    if not row.held:
        return None
    if getattr(row, "hearing", False):
        return "hearing"
    return "no range" if not row.range_exists else "refused"


def fig_talks(res: Result) -> Any:
    """One run's talks (the first run of the result): see the module docstring."""
    plt = pyplot()
    ds = res.daily.isel(run=0)
    dates = pd.DatetimeIndex(ds["date"].values)
    s = _sessions(res)
    parties = [str(p) for p in ds["party"].values]
    colour = colours_of(res)
    fig, (top, mid, low) = plt.subplots(
        3, 1, figsize=(11, 6.6), sharex=True, height_ratios=[3.2, 1.3, 1.0],
        layout="constrained")
    _needs(top, ds, s, parties, colour, dates)
    _room(mid, s, parties, dates)
    _lanes(low, ds, s, dates)
    top.set_title(f"The talks, run {int(ds['run'])}: {subtitle(res)}", loc="left",
                  fontsize=10)
    date_axis(low)
    return fig


def _when(s: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return dates[0] + pd.to_timedelta(s.index.to_numpy(), unit="D")


def _held(s: pd.DataFrame) -> pd.DataFrame:
    return s[s["held"].astype(bool)] if "held" in s else s.iloc[:0]


def _needs(ax: Any, ds: Any, s: pd.DataFrame, parties: list[str], colour: dict[str, str],
           dates: pd.DatetimeIndex) -> None:
    """Panel 1: shares held among the parties, what each needs, the offers."""
    from matplotlib.lines import Line2D

    share = ds["share"].sel(belligerent=parties).to_pandas()
    share = share.div(share.sum(axis=1).where(lambda x: x > 0), axis=0)
    held = _held(s)
    when = _when(held, dates)
    end = dates[-1] + pd.Timedelta(days=1)
    for p in parties:
        c = colour[p]
        ax.plot(dates, share[p].to_numpy(), color=c, lw=2, label=f"{p}: share held")
        need = held[f"required[{p}]"].to_numpy(dtype=float)
        if len(need):
            x = [*when, end]
            ax.step(x, [*np.minimum(need, 1.0), min(need[-1], 1.0)], where="post", color=c,
                    ls="--", lw=1.2, label=f"{p}: share it needs for a deal")
            over = need > 1.0
            ax.scatter(when[over], np.ones(int(over.sum())), marker="^", color=c, s=28,
                       clip_on=False, zorder=5)
        offers = held[f"offer[{p}]"].to_numpy(dtype=float)
        if np.isfinite(offers).any():
            ax.scatter(when, offers, marker="D", s=30, color=c, edgecolor="white",
                       zorder=6, label=f"{p}: offer made to it")
    ax.set(ylim=(0, 1.02), ylabel="share of the stake\namong the talks' parties")
    handles, _ = ax.get_legend_handles_labels()
    if (held[[f"required[{p}]" for p in parties]].to_numpy(dtype=float) > 1).any():
        handles.append(Line2D([], [], ls="", marker="^", color="0.4",
                              label="needs more than the whole stake"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              fontsize=8)


def _room(ax: Any, s: pd.DataFrame, parties: list[str], dates: pd.DatetimeIndex) -> None:
    """Panel 2: the parties' needs summed minus the whole stake, at each session."""
    held = _held(s)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel("needs summed\nminus the stake")
    if not len(held):
        ax.text(0.5, 0.5, "no session held", transform=ax.transAxes, ha="center",
                color="0.4")
        return
    gap = held[[f"required[{p}]" for p in parties]].sum(axis=1).to_numpy(dtype=float) - 1
    x = [*_when(held, dates), dates[-1] + pd.Timedelta(days=1)]
    y = np.array([*gap, gap[-1]])
    ax.step(x, y, where="post", color="0.2", lw=1.2)
    ax.fill_between(x, y, 0, where=y > 0, step="post", color="#C0392B", alpha=0.25, lw=0,
                    label="no bargaining range (they ask for more than there is)")
    ax.fill_between(x, y, 0, where=y <= 0, step="post", color="#1E8449", alpha=0.3, lw=0,
                    label="a deal exists")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


def _lanes(ax: Any, ds: Any, s: pd.DataFrame, dates: pd.DatetimeIndex) -> None:
    """Panel 3: the phase and ceasefire lanes and a mark per session."""
    from matplotlib.patches import Patch

    day = pd.Timedelta(days=1)
    phase = ds["talks_phase"].values.astype(int)
    handles = []
    for code, name in enumerate(PHASES):
        runs = _stretches(phase == code)
        if runs:
            ax.broken_barh([(dates[a], (b - a) * day) for a, b in runs], (1.1, 0.8),
                           color=PHASE_COLOURS[name])
            handles.append(Patch(color=PHASE_COLOURS[name], label=f"talks {name}"))
    quiet = _stretches(ds["ceasefire"].values.astype(bool))
    if quiet:
        ax.broken_barh([(dates[a], (b - a) * day) for a, b in quiet], (0.1, 0.8),
                       color="#56B4E9")
        handles.append(Patch(color="#56B4E9", label="ceasefire in force"))
    else:
        ax.text(dates[0], 0.5, "  no ceasefire", va="center", fontsize=8, color="0.4")
    kinds = pd.Series([_kind(r) for r in s.itertuples()], index=s.index, dtype=object)
    marks = [(kinds.index[kinds == k], 1.5, *MARKS[k]) for k in MARKS]
    for col, label, marker in (("ceasefire_agreed", "ceasefire agreed", "^"),
                               ("ceasefire_broke", "ceasefire broke down", "X")):
        if col in s:
            marks.append((s.index[s[col].astype(bool)], 0.5, label, marker, "#1B4F72"))
    for days, y, label, marker, c in marks:
        if len(days):
            handles.append(ax.scatter(dates[0] + pd.to_timedelta(days.to_numpy(), unit="D"),
                                      np.full(len(days), y), marker=marker, color=c, s=30,
                                      zorder=4, label=label))
    ax.set(ylim=(0, 2), yticks=[0.5, 1.5], yticklabels=["ceasefire", "talks"])
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.15), frameon=False,
              fontsize=8, ncol=2)


def _stretches(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each stretch where ``mask`` is true."""
    edge = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edge == 1).tolist(), np.flatnonzero(edge == -1).tolist(),
                    strict=True))
