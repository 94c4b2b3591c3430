"""Figures over time and over runs: shares of the stake, casualties, outcome probabilities.

A batch of several runs and an ensemble are drawn as medians with 50% and 90% bands; one run
as lines. Maps are in :mod:`.maps`, the talks in :mod:`.talksfig`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..coupling import OUTCOMES
from ..ensemble.result import EnsembleResult
from ..ensemble.summary import outcome_curves, wilson
from .plots import (
    AnyResult,
    band_note,
    bands,
    colours_of,
    date_axis,
    draw_bands,
    pyplot,
    runs_of,
    subtitle,
)

__all__ = ["OUTCOME_COLOURS", "fig_casualties", "fig_outcomes", "fig_shares"]

OUTCOME_COLOURS = {"ongoing": "#DDDDDD", "settlement": "#1E8449",
                   "military victory": "#922B21", "frozen partition": "#2E86C1"}
KILLED, DISPLACED = "#A93226", "#7F8C8D"


def fig_shares(res: AnyResult) -> Any:
    """Each belligerent's value-weighted share of the stake per day."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    dates = pd.DatetimeIndex(res.daily["date"].values)
    colour = colours_of(res)
    names = [str(b) for b in res.daily["belligerent"].values]
    if isinstance(res, EnsembleResult):
        q = res.daily["share_band"].values
    else:
        q = bands(res.daily["share"].values)
    draw_bands(ax, dates, q, names, [colour[n] for n in names], runs_of(res))
    ax.set(ylim=(0, 1), ylabel="share of the stake (all belligerents)",
           title=f"Shares of the stake: {band_note(res)}\n{subtitle(res)}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    date_axis(ax)
    return fig


def fig_casualties(res: AnyResult) -> Any:
    """Cumulative military losses by belligerent, civilians killed, civilians displaced: three
    panels, each on its own axis (killed are hundreds, displaced hundreds of thousands)."""
    if isinstance(res, EnsembleResult):
        return _final_casualties(res)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), layout="constrained")
    dates = pd.DatetimeIndex(res.daily["date"].values)
    colour = colours_of(res)
    bel = [str(b) for b in res.daily["belligerent"].values]
    dead = res.daily["mil_dead"].sel(actor=bel).values
    draw_bands(axes[0], dates, bands(dead), bel, [colour[b] for b in bel], runs_of(res))
    for ax, k, c in ((axes[1], "killed", KILLED), (axes[2], "displaced", DISPLACED)):
        civ = res.daily[k].values.sum(axis=2)[..., None]
        draw_bands(ax, dates, bands(civ), [f"civilians {k}"], [c], runs_of(res))
    axes[0].set(ylabel="fighters put out of action", title="Military losses (cumulative)")
    axes[1].set(ylabel="persons", title="Civilians killed (cumulative)")
    axes[2].set(ylabel="persons", title="Civilians displaced (cumulative)")
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter("{x:,.0f}")
        date_axis(ax)
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(f"Casualties and displacement: {band_note(res)}\n{subtitle(res)}")
    return fig


def _final_casualties(res: EnsembleResult) -> Any:
    """An ensemble keeps only each run's final tally: box plots over runs, one axis each."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), layout="constrained",
                             width_ratios=[3, 1, 1])
    colour = colours_of(res)
    bel = [str(b) for b in res.daily["belligerent"].values]
    box = {"whis": (5, 95), "showfliers": False, "patch_artist": True, "widths": 0.5,
           "medianprops": {"color": "black", "lw": 1.5}}
    parts = axes[0].boxplot([res.runs[f"mil_dead_{b}"] for b in bel], tick_labels=bel, **box)
    for patch, b in zip(parts["boxes"], bel, strict=True):
        patch.set(facecolor=colour[b], alpha=0.55)
    for ax, k, c in ((axes[1], "killed", KILLED), (axes[2], "displaced", DISPLACED)):
        parts = ax.boxplot([res.runs[k]], tick_labels=[f"civilians {k}"], **box)
        parts["boxes"][0].set(facecolor=c, alpha=0.45)
        ax.set(ylabel="persons", title=f"Civilians {k}")
    axes[0].set(ylabel="fighters put out of action", title="Military losses")
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter("{x:,.0f}")
    day = int(res.manifest["days"])
    fig.suptitle(f"Casualties after {day} days: box 50%, whiskers 90% of runs\n"
                 f"{subtitle(res)}")
    return fig


def fig_outcomes(res: AnyResult) -> Any:
    """How the runs end, over time: the share of runs whose final outcome had been reached by
    each day, stacked (the rest still ongoing), with the final shares and their 95% Wilson
    intervals. A settlement counts from its signature; a military victory or a frozen
    partition, judged on the last day, from the last capture between the parties."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    days = int(res.daily.sizes["day"]) if isinstance(res, EnsembleResult) else int(
        res.manifest["days"])
    dates = pd.date_range(pd.Timestamp(res.manifest["start"]), periods=days, freq="D")
    curves = (res.daily["outcome_reached"].values if isinstance(res, EnsembleResult)
              else outcome_curves(res.runs, days))
    order = [1, 2, 3, 0]  # ended outcomes at the bottom, ongoing on top
    ax.stackplot(dates, curves[:, order].T, colors=[OUTCOME_COLOURS[OUTCOMES[j]] for j in order],
                 labels=[OUTCOMES[j] for j in order], step="post", alpha=0.9)
    n = runs_of(res)
    counts = res.runs["outcome"].astype(str).value_counts()
    lo, hi = wilson(np.array([int(counts.get(o, 0)) for o in OUTCOMES]), n)
    text = "\n".join(f"{o}: {counts.get(o, 0) / n:.0%} ({lo[j]:.0%}-{hi[j]:.0%})"
                     for j, o in enumerate(OUTCOMES))
    ax.text(1.02, 0.02, f"at the end, 95% interval:\n{text}", transform=ax.transAxes,
            fontsize=8, va="bottom")
    ax.set(ylim=(0, 1), xlim=(dates[0], dates[-1]), ylabel="share of runs",
           title=f"How the runs end, day by day\n{subtitle(res)}")
    ax.yaxis.set_major_formatter("{x:.0%}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    date_axis(ax)
    return fig
