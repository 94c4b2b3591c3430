"""A scenario as an EMA workbench model, for exploratory modelling with its samplers,
evaluators and analyses (PRIM, CART, feature scoring, ...).

The model's uncertainties are the scenario's ``[[uncertain]]`` numbers (``RealParameter``
with the declared ranges; a ``loguniform`` range is declared on its log10 scale and named
``log10:PATH``, since the workbench samples real parameters uniformly); its outcomes are
``ScalarOutcome``\\s, each the mean of a per-run output over ``runs`` runs of one seed (common
random numbers). The EMA workbench is an optional dependency (``pip install 'ripeness[ema]'``)
imported only when :func:`ema_model` is called.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import Loaded, read
from .sensitivity import OUTPUTS, AnalysisError, ScenarioModel, Space, _import

__all__ = ["DEFAULT_OUTCOMES", "ema_model"]

#: Outcomes of the model unless asked otherwise.
DEFAULT_OUTCOMES = ("settlement", "mil_dead", "killed")


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


def ema_model(scenario: Loaded | str | Path, runs: int = 20, days: int | None = None,
              outcomes: tuple[str, ...] = DEFAULT_OUTCOMES, seed: int = 0) -> Any:
    """An ``ema_workbench.Model`` of the scenario: one experiment sets the uncertain numbers,
    simulates ``runs`` runs of ``seed`` for ``days`` days and returns each outcome's mean."""
    unknown = [o for o in outcomes if o not in OUTPUTS]
    if unknown or not outcomes:
        raise AnalysisError(f"unknown outcome(s) {unknown}; use some of: {', '.join(OUTPUTS)}")
    ema = _workbench()
    loaded = scenario if isinstance(scenario, Loaded) else read(scenario)
    space = Space.of(list(loaded.scenario.uncertain))
    n_days = loaded.scenario.meta.horizon_days if days is None else days
    model = ScenarioModel(loaded, space, runs, n_days, seed)

    def experiment(**values: float) -> dict[str, float]:
        x = np.array([10 ** values[f"log10:{n}"] if log else values[n]
                      for n, log in zip(space.names, space.log, strict=True)])
        per_run = model.per_run(x, outcomes)
        return {o: float(v.mean()) for o, v in per_run.items()}

    name = "".join(c for c in loaded.scenario.meta.name.title() if c.isalnum()) or "Ripeness"
    m = ema.Model(name, function=experiment)
    m.uncertainties = _parameters(ema, space)
    m.outcomes = [ema.ScalarOutcome(o) for o in outcomes]
    return m
