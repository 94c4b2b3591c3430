"""The per-run table: one row per run, the same for a batch (``Result.runs``) and an ensemble.

:func:`runs_table` reads only a result's Dataset (its last day and per-run tallies), so a
batch from ``simulate()`` and an ensemble's chunk of the same runs and seed give equal rows.
Objective attainment is computed when the batch ends (:func:`attainment`, kept in the Dataset
as ``attainment``), since it needs the scenario's objectives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from .coupling import OUTCOMES
from .scenario.schema import Scenario
from .talks.state import CAUSES
from .world.compile import World

__all__ = ["Objectives", "attainment", "objectives", "runs_table"]

#: Per-run tallies copied as they are.
TALLIES = ("besieged_person_days", "peak_besieged", "sessions", "suspensions",
           "ceasefire_days")
#: Days of the run (NaN in the Dataset), kept as nullable integers (missing: <NA>).
DAYS = ("outcome_day", "settled_day", "first_suspension_day")


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


def _days(x: NDArray[Any]) -> pd.Series:
    """Days with NaN for none, as nullable integers."""
    return pd.Series(x, dtype="float64").astype("Int64")


def runs_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per run from a batch's Dataset (final day and per-run tallies); see
    docs/ensembles.md for the columns. ``outcome`` and ``dominant_cause`` are categoricals;
    days a run never reached are <NA>."""
    last = ds.isel(day=-1)
    bel = [str(b) for b in ds["belligerent"].values]
    failed = ds["failed_sessions"].values
    cause = np.array(CAUSES, dtype=object)[failed.argmax(axis=1)]
    cols: dict[str, Any] = {
        "run": ds["run"].values.astype(np.int64),
        "outcome": pd.Categorical.from_codes(ds["outcome"].values.astype(np.int64),
                                             categories=list(OUTCOMES))}
    cols.update({k: _days(ds[k].values) for k in DAYS[:2]})
    if "terms" in ds:
        cols.update(_per("terms", ds["party"].values, ds["terms"].values.astype(np.float64)))
    cols.update(_per("share", bel, last["share"].values.astype(np.float64)))
    dead = last["mil_dead"].sel(actor=bel).values.astype(np.float64)
    cols.update(_per("mil_dead", bel, dead))
    cols["mil_dead"] = dead.sum(axis=1)
    for k in ("killed", "displaced"):
        cols[k] = last[k].values.astype(np.float64).sum(axis=1)
    cols.update({k: ds[k].values for k in TALLIES[:4]})
    cols["first_suspension_day"] = _days(ds["first_suspension_day"].values)
    cols["ceasefire_days"] = ds["ceasefire_days"].values
    cols["failed_sessions"] = failed.sum(axis=1)
    cols["dominant_cause"] = pd.Categorical(np.where(failed.sum(axis=1) > 0, cause, None),
                                            categories=list(CAUSES))
    cols.update(_per("attainment", ds["objective"].values,
                     ds["attainment"].values.astype(np.float64)))
    return pd.DataFrame(cols)
