"""Figures of a saved result: shares over time, the talks, casualties; maps in :mod:`.maps`.

:func:`plot_result` reads a folder written by ``ripeness run --out`` (a batch: daily.nc,
events.parquet, sessions.parquet) or by ``ripeness ensemble --out`` (runs.parquet, daily.nc)
and writes each figure as PNG and SVG. A batch of several runs and an ensemble are drawn as
medians with 50% and 90% bands; one run (or ``run=K``) as lines. matplotlib is imported only
inside functions (the ``plot`` extra), with the Agg backend, so nothing needs a display.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..ensemble.result import EnsembleResult
from ..simulate import Result
from ..talks.state import PHASES

__all__ = ["PALETTE", "PlotError", "load_result", "plot_result"]

#: One colour per actor index (Okabe-Ito, colour-blind friendly), then grey for the rest.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#000000", "#E69F00", "#56B4E9", "#CC79A7",
           "#F0E442", "#999999")
#: Quantiles drawn as bands: 90% (5-95) and 50% (25-75) around the median.
BANDS = (0.05, 0.25, 0.5, 0.75, 0.95)
FORMATS = ("png", "svg")

AnyResult = Result | EnsembleResult


class PlotError(ValueError):
    """A request that cannot be drawn (a bad date, run or format): the user can fix it."""


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or a clear ImportError naming the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'ripeness[plot]'") from None
    return plt


@contextmanager
def style() -> Iterator[Any]:
    """Deterministic output with text kept as text in SVG (searchable, editable)."""
    plt = pyplot()
    rc = {"svg.fonttype": "none", "svg.hashsalt": "ripeness", "font.size": 9,
          "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100}
    with plt.rc_context(rc):
        yield plt


def colour(actor: int) -> str:
    """The fixed colour of actor index ``actor``."""
    return PALETTE[min(actor, len(PALETTE) - 1)]


def load_result(directory: str | Path) -> AnyResult:
    """The result in ``directory``: an ensemble (runs.parquet) or a batch (daily.nc and
    events.parquet). FileNotFoundError (one line) if it holds neither."""
    d = Path(directory)
    if (d / "runs.parquet").is_file():
        return EnsembleResult.load(d)
    if (d / "daily.nc").is_file() and (d / "events.parquet").is_file():
        return Result.load(d)
    raise FileNotFoundError(f"{d} holds no results (neither runs.parquet nor daily.nc with "
                            "events.parquet); write some with `ripeness run SCENARIO --out "
                            "DIR` or `ripeness ensemble SCENARIO --out DIR`")


def select_runs(res: AnyResult, run: int | None) -> AnyResult:
    """The batch narrowed to run ``run`` (None: all runs); ensembles keep all runs."""
    if run is None:
        return res
    if isinstance(res, EnsembleResult):
        raise PlotError("an ensemble keeps no single runs' days; leave out --run")
    runs = res.daily["run"].values
    if run not in runs:
        raise PlotError(f"the result has runs {runs.min()}..{runs.max()}, not {run}")
    return Result(daily=res.daily.sel(run=[run]), events=res.events[res.events["run"] == run],
                  manifest=res.manifest, sessions=res.sessions[res.sessions["run"] == run]
                  if "run" in res.sessions else res.sessions)


def pick_days(res: AnyResult, dates: Sequence[str | dt.date] | None) -> list[int]:
    """Day indices of ``dates`` (default: first, middle and last day), PlotError if a date
    is not a day of the result."""
    stamps = pd.DatetimeIndex(res.daily["date"].values).normalize()
    if not dates:
        return sorted({0, (len(stamps) - 1) // 2, len(stamps) - 1})
    out = []
    for d in dates:
        try:
            when = pd.Timestamp(d).normalize()
        except ValueError:
            raise PlotError(f"'{d}' is not a date YYYY-MM-DD") from None
        hit = np.flatnonzero(stamps == when)
        if not len(hit):
            raise PlotError(f"{when.date()} is not in the result ({stamps[0].date()} to "
                            f"{stamps[-1].date()})")
        out.append(int(hit[0]))
    return out


def bands(x: NDArray[Any]) -> NDArray[np.float64]:
    """float[quantile, day, series]: BANDS over runs of x[run, day, series]."""
    return np.quantile(np.asarray(x, dtype=np.float64), BANDS, axis=0)


def draw_bands(ax: Any, dates: Any, q: NDArray[Any], names: Sequence[str],
               colours: Sequence[str], runs: int) -> None:
    """Median lines, with 50% and 90% bands when there is more than one run."""
    for i, (name, c) in enumerate(zip(names, colours, strict=True)):
        if runs > 1:
            ax.fill_between(dates, q[0, :, i], q[4, :, i], color=c, alpha=0.15, lw=0)
            ax.fill_between(dates, q[1, :, i], q[3, :, i], color=c, alpha=0.3, lw=0)
        ax.plot(dates, q[2, :, i], color=c, lw=1.8, label=name)


def date_axis(ax: Any) -> None:
    """Concise date ticks."""
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))  # type: ignore[no-untyped-call]


def subtitle(res: AnyResult) -> str:
    """Scenario, seed and runs, for every figure's title."""
    m = res.manifest
    n = runs_of(res)
    return f"{m['scenario']} (seed {m['seed']}, {n} run{'s' if n != 1 else ''})"


def runs_of(res: AnyResult) -> int:
    """How many runs the result summarises."""
    if isinstance(res, EnsembleResult):
        return len(res.runs)
    return int(res.daily.sizes["run"])


def band_note(res: AnyResult) -> str:
    """What the lines show: bands over runs, or the one run drawn."""
    if runs_of(res) > 1 or isinstance(res, EnsembleResult):
        return "median, 50% and 90% bands over runs"
    return f"run {int(res.daily['run'].values[0])}"


def fig_shares(res: AnyResult) -> Any:
    """Each belligerent's value-weighted share of the stake per day."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    dates = pd.DatetimeIndex(res.daily["date"].values)
    actors = [str(a) for a in res.daily["actor"].values]
    if isinstance(res, EnsembleResult):
        q = res.daily["share_band"].values
        names = [str(b) for b in res.daily["belligerent"].values]
    else:
        share = res.daily["share"].values
        held = np.flatnonzero(share.max(axis=(0, 1)) > 0)
        q, names = bands(share[:, :, held]), [actors[i] for i in held]
    draw_bands(ax, dates, q, names, [colour(actors.index(n)) for n in names], runs_of(res))
    ax.set(ylim=(0, 1), ylabel="share of the stake",
           title=f"Shares of the stake: {band_note(res)}\n{subtitle(res)}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    date_axis(ax)
    return fig


def fig_casualties(res: AnyResult) -> Any:
    """Cumulative military losses by belligerent, civilians killed and displaced."""
    if isinstance(res, EnsembleResult):
        return fig_final_casualties(res)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), layout="constrained")
    dates = pd.DatetimeIndex(res.daily["date"].values)
    actors = [str(a) for a in res.daily["actor"].values]
    dead = res.daily["mil_dead"].values
    who = np.flatnonzero(dead.max(axis=(0, 1)) > 0)
    draw_bands(axes[0], dates, bands(dead[:, :, who]), [actors[i] for i in who],
               [colour(int(i)) for i in who], runs_of(res))
    for ax, k, c in ((axes[1], "killed", "#CC79A7"), (axes[2], "displaced", "#999999")):
        civ = res.daily[k].values.sum(axis=2)[..., None]
        draw_bands(ax, dates, bands(civ), [f"civilians {k}"], [c], runs_of(res))
    axes[0].set(ylabel="fighters put out of action (cumulative)", title="Military losses")
    axes[1].set(ylabel="persons (cumulative)", title="Civilians killed")
    axes[2].set(ylabel="persons (cumulative)", title="Civilians displaced")
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter("{x:,.0f}")
        date_axis(ax)
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(f"Casualties and displacement: {band_note(res)}\n{subtitle(res)}")
    return fig


def fig_final_casualties(res: EnsembleResult) -> Any:
    """An ensemble keeps only each run's final tally: box plots over runs."""
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    actors = [str(a) for a in res.daily["actor"].values]
    bel = [str(b) for b in res.daily["belligerent"].values]
    box = {"whis": (5, 95), "showfliers": False, "patch_artist": True}
    parts = a1.boxplot([res.runs[f"mil_dead_{b}"] for b in bel], tick_labels=bel, **box)
    for patch, b in zip(parts["boxes"], bel, strict=True):
        patch.set(facecolor=colour(actors.index(b)), alpha=0.5)
    a2.boxplot([res.runs["killed"], res.runs["displaced"]], tick_labels=["killed",
               "displaced"], **box)
    a1.set(ylabel="fighters put out of action", title="Military losses at the end")
    a2.set(ylabel="civilians (persons)", title="Civilians at the end")
    day = int(res.manifest["days"])
    fig.suptitle(f"Casualties after {day} days: box 50%, whiskers 90% of runs\n"
                 f"{subtitle(res)}")
    return fig


def spans(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last + 1) day index of each stretch where ``mask`` is true."""
    edge = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edge == 1).tolist(), np.flatnonzero(edge == -1).tolist(),
                    strict=True))


def shade(ax: Any, dates: pd.DatetimeIndex, mask: NDArray[np.bool_], c: str,
          label: str) -> None:
    """Shade the stretches of ``mask`` (one legend entry)."""
    step = pd.Timedelta(days=1)
    for k, (a, b) in enumerate(spans(mask)):
        ax.axvspan(dates[a], dates[b - 1] + step, color=c, alpha=0.35, lw=0,
                   label=label if k == 0 else None)


def fig_talks(res: Result) -> Any:
    """One run's talks: shares, reservations and required shares, the range, offers,
    suspensions, ceasefires, the settlement."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
    ds = res.daily.isel(run=0)
    dates = pd.DatetimeIndex(ds["date"].values)
    s = res.sessions.set_index("day").reindex(ds["day"].values)  # NaN: no session that day
    shade(ax, dates, ds["talks_phase"].values == PHASES.index("suspended"), "0.8",
          "talks suspended")
    shade(ax, dates, ds["ceasefire"].values.astype(bool), "#56B4E9", "ceasefire in force")
    parties = [str(p) for p in ds["party"].values]
    actors = [str(a) for a in ds["actor"].values]
    when = dates + pd.Timedelta(hours=12)
    if len(parties) == 2:
        lo, hi = s[f"required[{parties[0]}]"], 1 - s[f"required[{parties[1]}]"]
        ax.fill_between(when, lo, hi, where=(hi >= lo).to_numpy(), color=colour(0),
                        alpha=0.25, step="mid", label=f"bargaining range ({parties[0]}'s "
                        "share)")
    for p in parties:
        talks_party(ax, s, when, p, colour(actors.index(p)))
    talks_marks(ax, s, when)
    ax.set(ylim=(0, 1.05), ylabel="share of the stake",
           title=f"The talks, run {int(ds['run'])}\n{subtitle(res)}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    date_axis(ax)
    return fig


def talks_party(ax: Any, s: pd.DataFrame, when: pd.DatetimeIndex, p: str, c: str) -> None:
    """A party's share as the talks see it, reservation and required share (at sessions;
    gaps where none was held), offers."""
    ax.plot(when, s[f"share[{p}]"], color=c, lw=1.8, marker=".", label=f"{p}: share held")
    ax.plot(when, s[f"reservation[{p}]"], color=c, ls=":", marker=".", lw=1,
            label=f"{p}: reservation")
    ax.plot(when, s[f"required[{p}]"].clip(upper=1.05), color=c, ls="--", lw=1,
            label=f"{p}: required share (cut at 1.05)")
    ax.scatter(when, s[f"offer[{p}]"], color=c, marker="D", s=30, edgecolor="white",
               zorder=4, label=f"{p}: offer")


def talks_marks(ax: Any, s: pd.DataFrame, when: pd.DatetimeIndex) -> None:
    """Vertical lines at ceasefires agreed and at the settlement."""
    for col, ls, label in (("ceasefire_agreed", "--", "ceasefire agreed"),
                           ("settled", "-", "settlement")):
        hits = when[s[col].fillna(False).to_numpy(bool)]
        for k, t in enumerate(hits):
            ax.axvline(t, color="black", ls=ls, lw=1.2, label=label if k == 0 else None)


def has_talks(res: AnyResult) -> bool:
    """A batch whose sessions table and daily arrays hold talks."""
    return (isinstance(res, Result) and "held" in res.sessions.columns
            and "talks_phase" in res.daily and "party" in res.daily.coords)


def save(fig: Any, out: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    """Write ``fig`` as out/stem.FORMAT for each format, reproducibly; close it."""
    plt = pyplot()
    paths = []
    for f in formats:
        path = out / f"{stem}.{f}"
        meta = {"Date": None} if f == "svg" else {"Software": None} if f == "png" else {}
        with warnings.catch_warnings():  # a few days of data: matplotlib picks the ticks anyway
            warnings.filterwarnings("ignore", message="AutoDateLocator was unable")
            fig.savefig(path, format=f, dpi=130, metadata=meta, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        raise PlotError(f"formats must be png, svg or pdf, not {', '.join(bad) or 'none'}")
    return tuple(formats)


def plot_result(result_or_dir: AnyResult | str | Path, out_dir: str | Path,
                dates: Sequence[str | dt.date] | None = None, run: int | None = None,
                formats: Sequence[str] = FORMATS, scenario: Any = None) -> list[Path]:
    """Draw every figure of a result into ``out_dir``; return the files written.

    Maps of control on ``dates`` (default first, middle, last day), shares of the stake,
    casualties and displacement, and (one run of a batch with talks) the talks timeline.
    ``run=None`` draws a batch of several runs as probabilities and bands and the talks of
    its first run; ``run=K`` draws run K alone. ``scenario`` (name, path or Scenario) gives
    the map's coordinates; default: the scenario named in the manifest.
    """
    from .maps import fig_map

    fmts = check_formats(formats)
    res = result_or_dir if isinstance(result_or_dir, AnyResult) else load_result(result_or_dir)
    res = select_runs(res, run)
    days = pick_days(res, dates)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with style():
        for d in days:
            date = pd.Timestamp(res.daily["date"].values[d]).date().isoformat()
            paths += save(fig_map(res, d, scenario), out, f"control-{date}", fmts)
        paths += save(fig_shares(res), out, "shares", fmts)
        paths += save(fig_casualties(res), out, "casualties", fmts)
        if has_talks(res):
            first = select_runs(res, int(res.daily["run"].values[0]))
            assert isinstance(first, Result)
            paths += save(fig_talks(first), out, "talks", fmts)
    return paths
