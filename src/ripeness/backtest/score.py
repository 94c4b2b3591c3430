"""Matching simulated runs to the record, per-entry results and the overall score.

For every record entry and every run the simulation is reduced to one observation
(:func:`observe`): for an event, the day of its first occurrence in the run (NaN when it did
not happen within the simulated window); for a figure, the least and greatest simulated value
over the recorded dates. :func:`score_table` turns observations into per-entry results and
per-run scores in [0, 1]:

- an event that happened: ``exp(-|error| / tau)``, error = simulated day minus the nearest day
  of the recorded range (0 inside it); 0 if it did not happen within the window;
- an event recorded as NOT having happened (``happened = no``): 1 if the run has no such event
  within the recorded dates, else 0;
- a figure: 1 if the simulated values over the recorded dates meet the recorded range, else
  ``exp(-d / kappa)``, d = |ln((x + 1) / (b + 1))| from the nearest bound b of the range.

An entry's score is the mean over runs; the overall score is the mean over entries.
:func:`margin_over_null` gives the overall score's margin over the best of some permuted
records, with an interval over the runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..simulate import Result
from .record import EVENT_KINDS, FIGURE_KINDS, Entry, Record

__all__ = ["KAPPA", "TAU", "Margin", "Observed", "margin_over_null", "observe", "overall",
           "run_scores", "score_table"]

TAU = 5.0
"""Days: an event off by ``TAU`` days scores exp(-1) ≈ 0.37 of one on time."""
KAPPA = float(np.log(2.0))
"""Natural-log units: a figure off its range by a factor of 2 scores exp(-1) ≈ 0.37."""

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Observed:
    """What the runs did for each entry of a record.

    day: float64[entry, run], day of the first matching event within the window (NaN: none;
    for ``happened = no`` entries, the first within the recorded dates); lo, hi:
    float64[entry, run], the least and greatest simulated figure over the recorded dates
    (NaN for events); window: days simulated; runs: int64[run], run indices.
    """

    ids: tuple[str, ...]
    day: F64
    lo: F64
    hi: F64
    window: int
    runs: NDArray[np.int64]


def observe(result: Result, record: Record) -> Observed:
    """Reduce a simulation to one observation per entry and run (see :class:`Observed`)."""
    runs = np.asarray(result.daily["run"].values, dtype=np.int64)
    window = int(result.daily.sizes["day"])
    n, r = len(record), len(runs)
    day, lo, hi = (np.full((n, r), np.nan) for _ in range(3))
    days = record.days()
    for i, e in enumerate(record.entries):
        a, b = int(days[i, 0]), int(days[i, 1])
        if e.is_figure:
            lo[i], hi[i] = _figure(result, e, a, b)
        else:
            day[i] = _first(result, e, runs, a if not e.happened else 0,
                            b + 1 if not e.happened else window)
    return Observed(ids=record.ids, day=day, lo=lo, hi=hi, window=window, runs=runs)


def _first(result: Result, e: Entry, runs: NDArray[np.int64], from_day: int,
           to_day: int) -> F64:
    """float64[run]: first day in [from_day, to_day) with an event matching ``e``."""
    kind = EVENT_KINDS[e.kind]
    if kind.table == "events":
        ev = result.events
        hit = (ev["kind"] == kind.key).to_numpy()
        if e.places:
            hit = hit & ev["place"].isin(e.places).to_numpy()
        if e.actors:
            hit = hit & ev["actor"].isin(e.actors).to_numpy()
        if e.corridor:
            hit = hit & (ev["detail"] == e.corridor).to_numpy()
    else:
        ev = result.sessions
        hit = (ev[kind.key].to_numpy(dtype=bool) if kind.key in ev.columns
               else np.zeros(len(ev), dtype=bool))
    d = ev["day"].to_numpy()
    hit = hit & (d >= from_day) & (d < to_day)
    first = pd.Series(d[hit], dtype=float).groupby(ev["run"].to_numpy()[hit]).min()
    return np.asarray(first.reindex(runs).to_numpy(dtype=float), dtype=float)


def _figure(result: Result, e: Entry, a: int, b: int) -> tuple[F64, F64]:
    """float64[run] least and greatest simulated figure over days a..b (clipped to the
    window; NaN when the dates lie beyond it)."""
    var = result.daily[FIGURE_KINDS[e.kind].key]
    if "place" in var.dims:
        var = var.sel(place=list(e.places)) if e.places else var
        total = var.sum("place")
    else:
        total = var.sel(actor=list(e.actors)).sum("actor")
    values = np.asarray(total.values, dtype=float)  # [run, day]
    window = values.shape[1]
    if a >= window:
        nan = np.full(values.shape[0], np.nan)
        return nan, nan
    span = values[:, a:min(b, window - 1) + 1]
    return span.min(axis=1), span.max(axis=1)


def run_scores(record: Record, obs: Observed, tau: float = TAU,
               kappa: float = KAPPA) -> F64:
    """float64[entry, run]: each run's score of each entry, in [0, 1] (see the module)."""
    days = record.days().astype(float)
    first, last = days[:, :1], days[:, 1:]
    err = _error(obs.day, first, last)
    happened = ~np.isnan(obs.day)
    positive = np.where(happened, np.exp(-np.abs(np.nan_to_num(err)) / tau), 0.0)
    negative = np.where(happened, 0.0, 1.0)
    figure = _figure_scores(record, obs, kappa)
    is_fig = np.array([e.is_figure for e in record.entries], dtype=bool)[:, None]
    is_neg = np.array([not e.happened for e in record.entries], dtype=bool)[:, None]
    return np.asarray(np.where(is_fig, figure, np.where(is_neg, negative, positive)),
                      dtype=float)


def _error(day: F64, first: F64, last: F64) -> F64:
    """Simulated day minus the nearest recorded day (0 inside the recorded range; NaN where
    the event did not happen)."""
    err = np.where(day > last, day - last, np.where(day < first, day - first, 0.0))
    return np.asarray(np.where(np.isnan(day), np.nan, err), dtype=float)


def _figure_scores(record: Record, obs: Observed, kappa: float) -> F64:
    """float64[entry, run]: 1 inside the range, exp(-distance / kappa) outside (0 when not
    observed)."""
    low = np.array([e.low for e in record.entries], dtype=float)[:, None]
    high = np.array([e.high for e in record.entries], dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        below = np.log((low + 1.0) / (obs.hi + 1.0))
        above = np.log((obs.lo + 1.0) / (high + 1.0))
    dist = np.maximum(np.maximum(below, above), 0.0)
    return np.asarray(np.where(np.isnan(obs.lo), 0.0, np.exp(-np.nan_to_num(dist) / kappa)),
                      dtype=float)


def _quartiles(x: F64) -> tuple[float, float, float]:
    """25th, 50th, 75th percentiles of the finite values of ``x`` (NaN if none)."""
    x = x[np.isfinite(x)]
    if not len(x):
        return (float("nan"),) * 3
    q = np.percentile(x, [25, 50, 75])
    return float(q[0]), float(q[1]), float(q[2])


def score_table(record: Record, obs: Observed, tau: float = TAU,
                kappa: float = KAPPA) -> pd.DataFrame:
    """Per-entry results: ``share``, the share of runs that agree with the record (an event
    that happened: it happened within the window; ``happened = no``: it did not happen
    within the recorded dates; a figure: inside the recorded range), date error quartiles in
    days (events that happened), simulated figure quartiles on the last recorded day
    (figures), and ``score`` (mean of the runs' scores)."""
    scores = run_scores(record, obs, tau, kappa)
    days = record.days().astype(float)
    err = _error(obs.day, days[:, :1], days[:, 1:])
    rows = []
    for i, e in enumerate(record.entries):
        row: dict[str, Any] = {"id": e.id, "kind": e.kind, "what": e.what,
                               "recorded": e.dates, "runs": obs.day.shape[1]}
        if e.is_figure:
            row["share"] = float(np.mean(scores[i] >= 1.0))
            row["sim_q1"], row["sim_median"], row["sim_q3"] = _quartiles(obs.hi[i])
            row["low"], row["high"] = e.low, e.high
        else:
            seen = ~np.isnan(obs.day[i])
            row["share"] = float(np.mean(seen if e.happened else ~seen))
            if e.happened:
                row["err_q1"], row["err_median"], row["err_q3"] = _quartiles(err[i])
        row["score"] = float(scores[i].mean())
        rows.append(row)
    cols = ["id", "kind", "what", "recorded", "runs", "share", "err_median", "err_q1",
            "err_q3", "sim_median", "sim_q1", "sim_q3", "low", "high", "score"]
    return pd.DataFrame(rows).reindex(columns=cols)


def overall(table: pd.DataFrame) -> float:
    """The overall score: the mean of the entries' scores (NaN for an empty table)."""
    return float(table["score"].mean()) if len(table) else float("nan")


@dataclass(frozen=True)
class Margin:
    """The overall score's margin over the best of some null records (permuted dates),
    ``value``, and the bounds ``low``, ``high`` of its bootstrap interval over the runs at
    ``level``."""

    value: float
    low: float
    high: float
    level: float

    def __str__(self) -> str:
        return (f"{self.value:+.3f} ({self.level:.0%} interval over the runs "
                f"{self.low:+.3f} to {self.high:+.3f})")


def margin_over_null(record: Record, obs: Observed,
                     nulls: Sequence[tuple[Record, Observed]], tau: float = TAU,
                     kappa: float = KAPPA, level: float = 0.95, resamples: int = 2000,
                     seed: int = 0) -> Margin:
    """The overall score of ``obs`` against ``record`` less the highest overall score of the
    same runs against the null records (``nulls``: each a record and the runs' observations
    of it), with a percentile bootstrap interval: the runs are drawn ``resamples`` times with
    replacement (``seed``) and the margin recomputed on each draw, the null records kept.
    Why: a margin of a few thousandths may be a draw of the runs; the interval says how far
    the same number of runs could move it. The best null is picked in each draw, after its
    noise, so with many nulls the interval leans low of the margin (cautious)."""
    if not nulls:
        raise ValueError("margin_over_null needs at least one null record")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    # The overall score is the mean over entries of the mean over runs, so the mean over
    # runs of each run's mean over entries: one number per run carries it.
    own = run_scores(record, obs, tau, kappa).mean(axis=0)
    null = np.stack([run_scores(r, o, tau, kappa).mean(axis=0) for r, o in nulls])
    n_runs = own.shape[0]
    rng = np.random.default_rng(seed)
    # Draws per block, so that the [null, draw, run] array stays near 2 million numbers.
    step = max(1, 2_000_000 // (n_runs * len(nulls)))
    parts = []
    for k in range(0, resamples, step):
        draw = rng.integers(0, n_runs, (min(step, resamples - k), n_runs))
        parts.append(own[draw].mean(axis=1) - null[:, draw].mean(axis=2).max(axis=0))
    m = np.concatenate(parts)
    low, high = np.quantile(m, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return Margin(value=float(own.mean() - null.mean(axis=1).max()), low=float(low),
                  high=float(high), level=level)
