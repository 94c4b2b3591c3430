"""``backtest``: run a scenario and score its runs against the historical record.

The record is a CSV file (:mod:`ripeness.backtest.record`); by default the scenario folder's
``record.csv``. The runs are simulated from day 0 for the record's span plus a slack of
``SLACK_DAYS``, so that an event the model produces late is still seen (and scored by its
error), then matched and scored (:mod:`ripeness.backtest.score`). Nothing in the scenario is
scripted from the record: the record is read only after the runs are done.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Loaded, Scenario, read
from ..simulate import simulate
from .record import Record, default_record_path, read_record
from .score import KAPPA, TAU, Margin, Observed, margin_over_null, observe, overall, score_table

__all__ = ["SLACK_DAYS", "BacktestResult", "backtest", "format_table", "resolve_record"]

SLACK_DAYS = 30
"""Days simulated past the last recorded day: six times ``TAU``, so an event later than that
scores under exp(-6) ≈ 0.0025 whether it is seen or not."""


@dataclass(frozen=True)
class BacktestResult:
    """One backtest: ``table`` (one row per record entry: share, date errors, figures,
    score; ``side`` before/after when a cut-off was given), ``score`` (overall), the record,
    the observations behind the table (for plots and re-scoring), a manifest, and
    ``null_scores``: the overall scores of the same runs against records whose event dates
    were permuted among the events (the chance level; empty unless asked for), and
    ``margin``: the score less the highest of them, with its interval over the runs
    (:func:`~.score.margin_over_null`; None without permuted records)."""

    table: pd.DataFrame
    score: float
    record: Record
    observed: Observed
    manifest: dict[str, Any] = field(repr=False)
    null_scores: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    margin: Margin | None = field(default=None, repr=False)

    def side_score(self, side: str) -> float:
        """The mean score of the entries before (``"before"``) or after the cut-off."""
        if "side" not in self.table.columns:
            raise ValueError("this backtest was run without a cut-off")
        return overall(self.table[self.table["side"] == side])


def _loaded(scenario: Scenario | Loaded | str | Path) -> Loaded | Scenario:
    return read(scenario) if isinstance(scenario, str | Path) else scenario


def resolve_record(scenario: Scenario | Loaded, record: Record | str | Path | None) -> Record:
    """The record to use: given, read from a path, or the scenario folder's record.csv."""
    if isinstance(record, Record):
        return record
    if record is None:
        if not isinstance(scenario, Loaded):
            raise ValueError("a Scenario object has no folder: pass record=PATH")
        record = default_record_path(scenario)
    return read_record(record, scenario)


def backtest(scenario: Scenario | Loaded | str | Path, runs: int, seed: int = 0,
             record: Record | str | Path | None = None, days: int | None = None,
             cutoff: dt.date | None = None, tau: float = TAU, kappa: float = KAPPA,
             first_run: int = 0, null: int = 0, progress: bool = False) -> BacktestResult:
    """Simulate ``runs`` runs and score them against ``record`` (default: the scenario
    folder's record.csv). ``days`` defaults to the last recorded day + 1 + ``SLACK_DAYS``;
    ``cutoff`` adds a ``side`` column (an entry is "before" when its whole recorded date range
    lies on or before the cut-off). ``first_run`` picks the run indices (first_run ..
    first_run + runs - 1), so a calibration can score on runs its search never saw. ``null``
    scores the same runs against that many records with permuted event dates
    (:meth:`Record.permuted`, seeds 0..null-1). ``progress``: a bar of the simulated days
    on stderr."""
    loaded = _loaded(scenario)
    rec = resolve_record(loaded, record)
    window = rec.last_day() + 1 + SLACK_DAYS if days is None else days
    if window <= rec.last_day():
        raise ValueError(f"days={window} ends before the record's last day "
                         f"({rec.last_day()}); leave days out or raise it")
    t0 = time.perf_counter()
    result = simulate(loaded, runs=runs, seed=seed, days=window, first_run=first_run,
                      progress=progress)
    obs = observe(result, rec)
    table = score_table(rec, obs, tau, kappa)
    permuted = [(p, observe(result, p)) for p in (rec.permuted(s) for s in range(null))]
    nulls = np.array([overall(score_table(p, o, tau, kappa)) for p, o in permuted])
    margin = margin_over_null(rec, obs, permuted, tau, kappa, seed=seed) if null else None
    if cutoff is not None:
        table.insert(4, "side", ["before" if e.last <= cutoff else "after"
                                 for e in rec.entries])
    manifest = {
        "simulation": result.manifest, "runs": runs, "seed": seed, "first_run": first_run,
        "days": window,
        "record": {"file": rec.file, "sha256": rec.sha256, "entries": len(rec)},
        "tau_days": tau, "kappa_log": kappa, "slack_days": SLACK_DAYS,
        "cutoff": None if cutoff is None else cutoff.isoformat(),
        "elapsed_s": round(time.perf_counter() - t0, 3), "null_records": null,
        "score": "mean over entries of the mean over runs of each run's entry score "
                 "(docs/backtest.md)",
    }
    return BacktestResult(table=table, score=overall(table), record=rec, observed=obs,
                          manifest=manifest, null_scores=nulls, margin=margin)


def _fmt(x: Any, digits: int = 0) -> str:
    if isinstance(x, float | np.floating) and np.isnan(x):
        return ""
    if isinstance(x, float | np.floating):
        return f"{x:,.{digits}f}"
    return str(x)


def format_table(res: BacktestResult) -> str:
    """The per-entry table as text: share of runs, date error quartiles (days, simulated
    minus recorded), simulated figure quartiles against the recorded range, score."""
    t = res.table
    out = pd.DataFrame({
        "id": t["id"], "recorded": t["recorded"],
        **({"side": t["side"]} if "side" in t.columns else {}),
        "share": t["share"].map(lambda x: _fmt(x, 2)),
        "error d (q1 med q3)": [" ".join(_fmt(v, 0) for v in r) if not np.isnan(r[1]) else ""
                                for r in t[["err_q1", "err_median", "err_q3"]].to_numpy()],
        "simulated (q1 med q3)": [" ".join(_fmt(v) for v in r) if not np.isnan(r[1]) else ""
                                  for r in t[["sim_q1", "sim_median", "sim_q3"]].to_numpy()],
        "recorded range": [f"{_fmt(a)}-{_fmt(b)}" if not np.isnan(a) else ""
                           for a, b in t[["low", "high"]].to_numpy()],
        "score": t["score"].map(lambda x: _fmt(x, 2)),
    })
    return str(out.to_string(index=False))
