"""Per-run table, objective attainment, daily bands and the ensemble's summary statistics.

Everything here is a pure function of arrays: a chunk of runs in, a table or aggregate out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from ..coupling import OUTCOMES
from ..scenario.schema import Scenario
from ..talks.state import CAUSES
from ..world.compile import World

__all__ = ["MEASURES", "QUANTILES", "Z95", "Objectives", "attainment", "control_counts",
           "format_summary", "objectives", "runs_table", "share_bands", "summarize", "wilson"]

#: Quantiles of the daily share bands.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Objectives:
    """Each objective as weights over places, for :func:`attainment`.

    actor: int[k], actors that have an objective; owner: bool[k, actor], whose holding counts
    (the actor itself, and for a backer its clients); weight: float[k, place], the ``hold``
    places (1 each) of a limited objective, else the actor's ``World.obj_value``.
    """

    actor: NDArray[np.int64]
    owner: NDArray[np.bool_]
    weight: NDArray[np.float64]


def objectives(scenario: Scenario, world: World) -> Objectives:
    """The attainment weights of every actor with an objective (mediators have none)."""
    places, actors = list(world.place_ids), list(world.actor_ids)
    n_a = len(actors)
    owner = np.eye(n_a, dtype=bool)
    owner[world.support_backer, world.support_client] = True
    rows = []
    for i, a in enumerate(scenario.actors):
        obj = a.objective
        if obj is None:
            continue
        w = world.obj_value[i].copy()
        if obj.kind == "limited" and obj.hold:
            w = np.zeros(len(places))
            w[[places.index(p) for p in obj.hold]] = 1.0
        rows.append((i, w))
    idx = np.array([i for i, _ in rows], dtype=np.int64)
    weight = np.array([w for _, w in rows], dtype=np.float64).reshape(len(rows), len(places))
    return Objectives(actor=idx, owner=owner[idx], weight=weight)


def attainment(control: NDArray[Any], obj: Objectives) -> NDArray[np.float64]:
    """float[run, k] in [0, 1]: the weighted share of its objective's places each actor (or
    its clients) holds. control: int[run, place], actor index at the end of the run.

    Limited objective: the share of its ``hold`` places held (1 when all are). Open: the
    value-weighted share of the map, weighted by what the actor values (``obj_value``).
    """
    held = obj.owner[:, control.astype(np.int64)]  # [k, run, place]
    got = (held * obj.weight[:, None, :]).sum(axis=2)
    total = obj.weight.sum(axis=1)[:, None]
    return np.asarray((got / np.where(total > 0, total, 1.0)).T)


def _per(prefix: str, names: Any, values: NDArray[Any]) -> dict[str, NDArray[Any]]:
    return {f"{prefix}_{n}": values[:, i] for i, n in enumerate(names)}


def runs_table(ds: xr.Dataset, world: World, obj: Objectives) -> pd.DataFrame:
    """One row per run from a batch's Dataset (final day and per-run tallies); see
    docs/ensembles.md for the columns."""
    last = ds.isel(day=-1)
    bel = np.flatnonzero(world.belligerent)
    actors = np.array(world.actor_ids)
    failed = ds["failed_sessions"].values
    cause = np.array(CAUSES, dtype=object)[failed.argmax(axis=1)]
    cols: dict[str, Any] = {
        "run": ds["run"].values.astype(np.int64),
        "outcome": np.array(OUTCOMES, dtype=object)[ds["outcome"].values],
        "outcome_day": ds["outcome_day"].values, "settled_day": ds["settled_day"].values}
    if "terms" in ds:
        cols.update(_per("terms", ds["party"].values, ds["terms"].values.astype(np.float64)))
    cols.update(_per("share", actors[bel], last["share"].values[:, bel].astype(np.float64)))
    dead = last["mil_dead"].values[:, bel].astype(np.float64)
    cols.update(_per("mil_dead", actors[bel], dead))
    cols["mil_dead"] = dead.sum(axis=1)
    for k in ("killed", "displaced"):
        cols[k] = last[k].values.astype(np.float64).sum(axis=1)
    for k in ("besieged_person_days", "peak_besieged", "sessions", "suspensions",
              "first_suspension_day", "ceasefire_days"):
        cols[k] = ds[k].values
    cols["failed_sessions"] = failed.sum(axis=1)
    cols["dominant_cause"] = np.where(failed.sum(axis=1) > 0, cause, "")
    got = attainment(last["control"].values, obj)
    cols.update(_per("attainment", actors[obj.actor], got))
    return pd.DataFrame(cols)


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
    """The Wilson score interval of k successes in n trials (95% by default)."""
    p = np.asarray(k, dtype=np.float64) / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return np.clip(mid - half, 0.0, 1.0), np.clip(mid + half, 0.0, 1.0)


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
    settled = runs.loc[runs["settled_day"] >= 0, "settled_day"]
    for name, x in [*((m, runs[m]) for m in MEASURES), ("settled_day", settled)]:
        q = np.quantile(x.to_numpy(np.float64), (0.5, 0.25, 0.75)) if len(x) else [np.nan] * 3
        rows.append((name, q[0], q[1], q[2], len(x), "median, quartiles"))
    cols = ["measure", "estimate", "low", "high", "n", "what"]
    return pd.DataFrame(rows, columns=cols).set_index("measure")


def format_summary(table: pd.DataFrame) -> str:
    """The summary as aligned text for the terminal."""
    lines = [f"{'':28s} {'estimate':>12s} {'low':>12s} {'high':>12s}  {'n':>7s}"]
    for name, r in table.iterrows():
        spec = "12.1%" if str(name).startswith("P(") else "12,.0f"
        vals = " ".join(format(float(r[c]), spec) for c in ("estimate", "low", "high"))
        lines.append(f"{name!s:28s} {vals}  {int(r['n']):7d}  {r['what']}")
    return "\n".join(lines)
