"""A scenario as an EMA workbench model, for exploratory modelling with its samplers,
evaluators and analyses (PRIM, CART, feature scoring, ...).

The model's uncertainties are the scenario's ``[[uncertain]]`` numbers (``RealParameter``
with the declared ranges; a ``loguniform`` range is declared on its log10 scale and named
``log10:PATH``, since the workbench samples real parameters uniformly). Its outcomes are each
the mean of a per-run output over ``runs`` runs of one seed (common random numbers):
``ScalarOutcome``\\s, and with ``timeseries`` also ``TimeSeriesOutcome``\\s named
``NAME_by_day`` (one value per day). With ``replications`` it is a ``ReplicatorModel``:
replication r simulates runs r x runs .. (r + 1) x runs - 1, the same for every experiment,
and each outcome keeps one value (or series) per replication (scalars become
``ArrayOutcome``\\s). The EMA workbench is an optional dependency (``pip install
'ripeness[ema]'``) imported only when :func:`ema_model` is called.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..scenario import Loaded, read
from ..simulate import Result
from .sensitivity import OUTPUTS, AnalysisError, ScenarioModel, Space, _import, outputs_per_run

__all__ = ["DEFAULT_OUTCOMES", "TIMESERIES", "ema_model", "series"]

#: Outcomes of the model unless asked otherwise.
DEFAULT_OUTCOMES = ("settlement", "mil_dead", "killed")

#: Outcomes that can be followed day by day (``timeseries``), each the mean over the runs.
TIMESERIES = {
    "settlement": "share of runs settled by the end of the day",
    "mil_dead": "fighters put out of action since the start (all belligerents)",
    "killed": "civilians killed since the start (all places)",
    "displaced": "civilians displaced since the start (all places)",
}


def _workbench() -> Any:
    """The ema_workbench module (its import warns about optional parallel back-ends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _import("ema_workbench", extra="ema")


def _parameters(ema: Any, space: Space) -> list[Any]:
    """One RealParameter per uncertain number (log10 scale for log-uniform ranges)."""
    out = []
    for name, lo, hi, log in zip(space.names, space.low, space.high, space.log, strict=True):
        if log:
            out.append(ema.RealParameter(f"log10:{name}", float(np.log10(lo)),
                                         float(np.log10(hi))))
        else:
            out.append(ema.RealParameter(name, float(lo), float(hi)))
    return out


def series(result: Result, name: str) -> NDArray[np.float64]:
    """float[day]: one of :data:`TIMESERIES`, the mean over the result's runs each day."""
    d = result.daily
    if name == "settlement":
        settled = result.runs["settled_day"].to_numpy(dtype=np.float64, na_value=np.nan)
        days = d["day"].values[:, None]
        return np.asarray((settled[None, :] <= days).mean(axis=1), dtype=np.float64)
    if name in TIMESERIES:
        dims = [x for x in d[name].dims if x not in ("run", "day")]
        return np.asarray(d[name].sum(dims).mean("run").values, dtype=np.float64)
    raise AnalysisError(f"unknown time series '{name}'; use some of: {', '.join(TIMESERIES)}")


def _check(outcomes: tuple[str, ...], timeseries: tuple[str, ...],
           replications: int | None) -> None:
    unknown = [o for o in outcomes if o not in OUTPUTS]
    if unknown or not (outcomes or timeseries):
        raise AnalysisError(f"unknown outcome(s) {unknown}; use some of: {', '.join(OUTPUTS)}")
    bad = [o for o in timeseries if o not in TIMESERIES]
    if bad:
        raise AnalysisError(f"unknown time series {bad}; use some of: {', '.join(TIMESERIES)}")
    if replications is not None and replications < 1:
        raise AnalysisError(f"replications must be at least 1, got {replications}")


def ema_model(scenario: Loaded | str | Path, runs: int = 20, days: int | None = None,
              outcomes: tuple[str, ...] = DEFAULT_OUTCOMES, seed: int = 0,
              timeseries: tuple[str, ...] = (), replications: int | None = None) -> Any:
    """An ``ema_workbench.Model`` of the scenario (a ``ReplicatorModel`` with
    ``replications``): one experiment sets the uncertain numbers, simulates ``runs`` runs of
    ``seed`` for ``days`` days and returns each outcome's mean, and each time series' daily
    mean (see the module docstring)."""
    _check(outcomes, timeseries, replications)
    ema = _workbench()
    loaded = scenario if isinstance(scenario, Loaded) else read(scenario)
    space = Space.of(list(loaded.scenario.uncertain))
    n_days = loaded.scenario.meta.horizon_days if days is None else days
    model = ScenarioModel(loaded, space, runs, n_days, seed)
    tail = "" if replications is None else "_by_replication"  # the workbench keeps one class
    # per outcome name for the whole session, so a replicated scalar needs a name of its own

    def experiment(first_run: int = 0, **values: float) -> dict[str, Any]:
        x = np.array([10 ** values[f"log10:{n}"] if log else values[n]
                      for n, log in zip(space.names, space.log, strict=True)])
        result = model.run(x, first_run=first_run, record=bool(timeseries))
        out: dict[str, Any] = {f"{o}{tail}": float(outputs_per_run(result.daily, o).mean())
                               for o in outcomes}
        out.update({f"{o}_by_day": series(result, o) for o in timeseries})
        return out

    name = "".join(c for c in loaded.scenario.meta.name.title() if c.isalnum()) or "Ripeness"
    if replications is None:
        m = ema.Model(name, function=experiment)
    else:
        m = ema.ReplicatorModel(name, function=experiment)
        m.replications = [{"first_run": r * runs} for r in range(replications)]
    m.uncertainties = _parameters(ema, space)
    scalar = ema.ScalarOutcome if replications is None else ema.ArrayOutcome
    m.outcomes = ([scalar(f"{o}{tail}") for o in outcomes]
                  + [ema.TimeSeriesOutcome(f"{o}_by_day") for o in timeseries])
    return m
