"""Figures of a result: what they share (colours, bands, dates, saving) and :func:`plot_result`.

:func:`plot_result` reads a folder written by ``ripeness run --out`` (a batch) or by
``ripeness ensemble --out`` (one layout for both, :mod:`ripeness.results`) and writes each
figure as PNG and SVG: maps (:mod:`.maps`), shares, casualties and outcomes (:mod:`.figures`),
the talks (:mod:`.talksfig`). A batch of several runs and an ensemble are drawn as medians with
50% and 90% bands; one run (or ``run=K``) as lines. matplotlib is imported only inside
functions (the ``plot`` extra), with the Agg backend, so nothing needs a display.
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
from .colours import actor_colours

__all__ = ["PlotError", "colours_of", "load_result", "plot_result"]
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


def colours_of(res: AnyResult) -> dict[str, str]:
    """actor id -> colour: as the result carries it (``actor_colour``), else the defaults of
    :func:`~ripeness.report.colours.actor_colours` by id."""
    actors = [str(a) for a in res.daily["actor"].values]
    if "actor_colour" in res.daily.coords:
        return dict(zip(actors, (str(c) for c in res.daily["actor_colour"].values),
                        strict=True))
    return dict(zip(actors, actor_colours(actors), strict=True))


def load_result(directory: str | Path) -> AnyResult:
    """The run or ensemble in ``directory`` (:func:`ripeness.results.load_results`).
    FileNotFoundError (one line) if it holds neither; PlotError if an older version wrote it."""
    from ..results import load_results

    return _current(load_results(directory), Path(directory))


def _current(res: AnyResult, d: Path) -> AnyResult:
    if "belligerent" not in res.daily.coords:
        raise PlotError(f"{d} was written by an older ripeness (its daily.nc has no "
                        "'belligerent' coordinate); run it again to draw it")
    return res


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
                formats: Sequence[str] = FORMATS, scenario: Any = None,
                animation: bool = False) -> list[Path]:
    """Draw every figure of a result into ``out_dir``; return the files written.

    Maps of control on ``dates`` (default first, middle, last day), shares of the stake,
    casualties and displacement, how the runs end over time (several runs), and (one run of a
    batch with talks) the talks timeline. ``run=None`` draws a batch of several runs as
    probabilities and bands and the talks of its first run; ``run=K`` draws run K alone.
    ``scenario`` (name, path or Scenario) gives the map's places and roads; default: the
    scenario named in the manifest. ``animation``: also the map day by day as control.gif.
    """
    from .figures import fig_casualties, fig_outcomes, fig_shares
    from .maps import fig_map
    from .talksfig import fig_talks

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
        if runs_of(res) > 1:
            paths += save(fig_outcomes(res), out, "outcomes", fmts)
        if has_talks(res):
            first = select_runs(res, int(res.daily["run"].values[0]))
            assert isinstance(first, Result)
            paths += save(fig_talks(first), out, "talks", fmts)
    if animation:
        from .animate import animate

        paths.append(animate(res, out / "control.gif", scenario))
    return paths
