"""Global sensitivity analysis over a scenario's ``[[uncertain]]`` numbers, with SALib.

Which uncertain number moves the outcome most? Each sample point is the scenario with those
numbers set through :func:`ripeness.scenario.with_patches` (validated again, as any patch),
simulated for ``runs`` runs, and summarised by one output (default: the probability of a
settlement within the horizon). Every point uses the same seed and run indices: common random
numbers, so differences between points come from the parameters, not from the draws.

The design is built and analysed in the unit cube (quantiles of each range; a ``loguniform``
range is mapped on a log scale), so the indices are comparable across parameters whatever
their units. The SALib steps are plain functions of a model function (:func:`run_design`),
tested on the Ishigami function whose indices are known analytically.

Importing this module imports neither SALib nor matplotlib; they are needed when called.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..coupling import OUTCOMES
from ..ensemble.progress import Progress
from ..outputs import write_folder
from ..scenario import Loaded, read, with_patches
from ..scenario.schema import Uncertain
from ..simulate import Result, simulate

__all__ = ["METHODS", "OUTPUTS", "AnalysisError", "ScenarioModel", "SensitivityResult",
           "Space", "analyse", "outputs_per_run", "plot_sensitivity", "run_design",
           "sample_design", "sensitivity"]

#: Sensitivity methods and what each reports.
METHODS = ("sobol", "morris")

#: Outputs a sample point can be summarised by (the mean over its runs of a per-run value).
OUTPUTS = {
    "settlement": "probability of a settlement within the horizon",
    "victory": "probability of a military victory (judged on the last day)",
    "partition": "probability of a frozen partition within the horizon",
    "ongoing": "probability that the war is still on at the horizon",
    "mil_dead": "mean fighters put out of action (all belligerents)",
    "killed": "mean civilians killed (all places)",
    "sessions": "mean number of talks sessions held",
}
_CODES = {"settlement": OUTCOMES.index("settlement"),
          "victory": OUTCOMES.index("military victory"),
          "partition": OUTCOMES.index("frozen partition"), "ongoing": OUTCOMES.index("ongoing")}


class AnalysisError(ValueError):
    """A mistake in how an analysis was asked for (reported in one line, exit 2)."""


def _import(module: str, extra: str = "analysis") -> Any:
    """An optional dependency, or a one-line AnalysisError saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise AnalysisError(f"this analysis needs {package}: pip install "
                            f"'ripeness[{extra}]'") from None


@dataclass(frozen=True)
class Space:
    """The uncertain numbers as a unit cube: ``names`` (dotted paths), ``low``/``high``
    (float[d], in the path's unit) and ``log`` (bool[d], log-uniform ranges)."""

    names: tuple[str, ...]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    log: NDArray[np.bool_]

    @classmethod
    def of(cls, uncertain: list[Uncertain]) -> Space:
        """The space of a scenario's ``[[uncertain]]`` list (AnalysisError if empty)."""
        if not uncertain:
            raise AnalysisError("the scenario declares no [[uncertain]] numbers to vary; "
                                "add some (see docs/scenario-format.md)")
        low = np.array([u.low.value for u in uncertain], dtype=np.float64)
        high = np.array([u.high.value for u in uncertain], dtype=np.float64)
        log = np.array([u.distribution == "loguniform" and u.low.value > 0
                        for u in uncertain], dtype=bool)
        return cls(tuple(u.path for u in uncertain), low, high, log)

    def scale(self, unit: NDArray[np.float64]) -> NDArray[np.float64]:
        """float[n, d] values from float[n, d] quantiles in [0, 1]."""
        lin = self.low + unit * (self.high - self.low)
        lo = np.log(np.where(self.log, self.low, 1.0))
        hi = np.log(np.where(self.log, self.high, 1.0))
        return np.where(self.log, np.exp(lo + unit * (hi - lo)), lin)

    def problem(self) -> dict[str, Any]:
        """The SALib problem over the unit cube."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[0.0, 1.0]] * len(self.names)}


def outputs_per_run(daily: Any, output: str) -> NDArray[np.float64]:
    """float[run]: one output of each run of a ``simulate`` result's ``daily`` Dataset."""
    if output in _CODES:
        return np.asarray(daily["outcome"].values == _CODES[output], dtype=np.float64)
    if output in ("mil_dead", "killed"):
        v = daily[output].values  # [run, day, actor or place], cumulative
        return np.asarray(v[:, -1].sum(axis=1), dtype=np.float64)
    if output == "sessions":
        return np.asarray(daily["sessions"].values, dtype=np.float64)
    raise AnalysisError(f"unknown output '{output}'; use one of: {', '.join(OUTPUTS)}")


@dataclass(frozen=True)
class ScenarioModel:
    """A scenario as a function of its uncertain numbers: ``per_run(values)`` simulates the
    scenario with ``values`` (float[d], in ``space.names`` order) patched in, ``runs`` runs of
    ``seed`` (the same for every point), and returns each run's outputs."""

    loaded: Loaded
    space: Space
    runs: int
    days: int
    seed: int = 0

    def run(self, values: NDArray[np.float64], first_run: int = 0,
            record: bool = False) -> Result:
        """The simulation at one point: runs first_run .. first_run + runs - 1 of ``seed``
        (``record``: keep every day)."""
        sets = {p: float(f"{v:.6g}") for p, v in zip(self.space.names, values, strict=True)}
        patched = with_patches(self.loaded, sets, "analysis sample point")
        return simulate(patched, runs=self.runs, seed=self.seed, days=self.days,
                        first_run=first_run, record=record)

    def per_run(self, values: NDArray[np.float64], outputs: tuple[str, ...]
                ) -> dict[str, NDArray[np.float64]]:
        """Each output's float[run] at one point."""
        result = self.run(values)
        return {o: outputs_per_run(result.daily, o) for o in outputs}

    def unit_function(self, output: str, bar: Progress | None = None
                      ) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        """A SALib-style model: float[n, d] quantiles -> float[n], the mean output (``bar``
        counts the points done)."""
        def f(unit: NDArray[np.float64]) -> NDArray[np.float64]:
            out = []
            for v in self.space.scale(unit):
                out.append(self.per_run(v, (output,))[output].mean())
                if bar is not None:
                    bar.update(1)
            return np.array(out)
        return f


def sample_design(method: str, problem: dict[str, Any], samples: int,
                  seed: int) -> NDArray[np.float64]:
    """The SALib design: Sobol' (Saltelli's scheme, ``samples`` base points, a power of 2,
    n = samples x (d + 2)) or Morris (``samples`` trajectories, n = samples x (d + 1))."""
    if method == "sobol":
        if samples < 2 or samples & (samples - 1):
            raise AnalysisError(f"--samples for sobol must be a power of 2 (>= 2), got {samples}")
        sobol = _import("SALib.sample.sobol")
        return np.asarray(sobol.sample(problem, samples, calc_second_order=False, seed=seed))
    if method == "morris":
        if samples < 2:
            raise AnalysisError(f"--samples for morris must be at least 2, got {samples}")
        morris = _import("SALib.sample.morris")
        return np.asarray(morris.sample(problem, samples, num_levels=4, seed=seed))
    raise AnalysisError(f"unknown method '{method}'; use one of: {', '.join(METHODS)}")


def analyse(method: str, problem: dict[str, Any], x: NDArray[np.float64],
            y: NDArray[np.float64], seed: int) -> pd.DataFrame:
    """The indices, one row per parameter: S1, S1_conf, ST, ST_conf (Sobol') or mu_star,
    mu_star_conf, mu, sigma (Morris); confidence intervals are 95% bootstrap half-widths."""
    if method == "sobol":
        res = _import("SALib.analyze.sobol").analyze(
            problem, y, calc_second_order=False, seed=seed, print_to_console=False)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        res = _import("SALib.analyze.morris").analyze(
            problem, x, y, num_levels=4, seed=seed, print_to_console=False)
        cols = ["mu_star", "mu_star_conf", "mu", "sigma"]
    table = pd.DataFrame({c: np.asarray(res[c], dtype=np.float64) for c in cols},
                         index=pd.Index(problem["names"], name="parameter"))
    return table.sort_values(cols[2] if method == "sobol" else cols[0], ascending=False)


def run_design(model: Callable[[NDArray[np.float64]], NDArray[np.float64]],
               problem: dict[str, Any], method: str, samples: int,
               seed: int) -> tuple[pd.DataFrame, NDArray[np.float64], NDArray[np.float64]]:
    """Sample, evaluate ``model`` (float[n, d] -> float[n]) and analyse: (table, x, y)."""
    x = sample_design(method, problem, samples, seed)
    y = np.asarray(model(x), dtype=np.float64)
    return analyse(method, problem, x, y, seed), x, y


@dataclass(frozen=True)
class SensitivityResult:
    """``table``: the indices per parameter (see :func:`analyse`), most influential first;
    ``points``: every sample point's values and output; ``manifest``: how it was made."""

    table: pd.DataFrame
    points: pd.DataFrame
    manifest: dict[str, Any] = field(repr=False)

    def report(self) -> str:
        """The table as text for the terminal."""
        m = self.manifest
        head = (f"{m['scenario']}: {m['method']} sensitivity of {m['output']} "
                f"({OUTPUTS[m['output']]}), {m['points']} points x {m['runs']} runs, "
                f"{m['days']} days, seed {m['seed']} (common random numbers)")
        body = self.table.to_string(float_format=lambda v: f"{v:.3f}")
        note = ("S1: first-order index, ST: total index, *_conf: 95% half-width"
                if m["method"] == "sobol" else "mu_star: mean |elementary effect| per "
                "whole range, sigma: its spread (interactions, non-linearity)")
        return f"{head}\n{body}\n{note}"

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """DIR/sensitivity.csv (the table), points.csv, manifest.json, whole or not at all
        (the rule of :mod:`ripeness.outputs`)."""
        return write_folder(directory, self.write_into, overwrite)

    def write_into(self, d: Path) -> None:
        """The three files into the folder ``d``."""
        self.table.to_csv(d / "sensitivity.csv")
        self.points.to_csv(d / "points.csv", index=False)
        (d / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n")


def _loaded(scenario: Loaded | str | Path) -> Loaded:
    return scenario if isinstance(scenario, Loaded) else read(scenario)


def sensitivity(scenario: Loaded | str | Path, method: str = "morris", samples: int = 8,
                runs: int = 100, days: int | None = None, output: str = "settlement",
                seed: int = 0, progress: bool = False) -> SensitivityResult:
    """Sobol' or Morris indices of ``output`` over the scenario's uncertain numbers; each of
    the design's points is simulated with ``runs`` runs of ``seed`` for ``days`` days
    (default: the scenario's horizon). ``progress``: a bar of the points on stderr."""
    if output not in OUTPUTS:
        raise AnalysisError(f"unknown output '{output}'; use one of: {', '.join(OUTPUTS)}")
    if runs < 1 or (days is not None and days < 1):
        raise AnalysisError("runs and days must be at least 1")
    loaded = _loaded(scenario)
    space = Space.of(list(loaded.scenario.uncertain))
    n_days = loaded.scenario.meta.horizon_days if days is None else days
    model = ScenarioModel(loaded, space, runs, n_days, seed)
    problem = space.problem()
    x = sample_design(method, problem, samples, seed)
    with Progress(len(x), enabled=progress, label="points") as bar:
        y = model.unit_function(output, bar)(x)
    table = analyse(method, problem, x, y, seed)
    points = pd.DataFrame(space.scale(x), columns=list(space.names))
    points[output] = y
    return SensitivityResult(table, points, _manifest(loaded, method, samples, runs, n_days,
                                                      output, seed, len(points)))


def _manifest(loaded: Loaded, method: str, samples: int, runs: int, days: int, output: str,
              seed: int, points: int) -> dict[str, Any]:
    from .. import __version__

    return {"kind": "ripeness sensitivity", "scenario": loaded.scenario.meta.name,
            "scenario_hash": loaded.hash, "version": __version__, "method": method,
            "samples": samples, "points": points, "runs": runs, "days": days,
            "output": output, "seed": seed,
            "uncertain": [{"path": u.path, "low": u.low.value, "high": u.high.value,
                           "distribution": u.distribution} for u in loaded.scenario.uncertain],
            "rng": "SALib design seeded with seed; every point simulates runs 0..runs-1 of "
                   "seed (common random numbers)",
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def plot_sensitivity(result: SensitivityResult, path: str | Path) -> Path:
    """A horizontal bar chart of the indices, most influential on top: S1 and ST (Sobol'),
    or mu* with sigma (Morris); the 95% bootstrap intervals as whiskers, cut at zero."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise AnalysisError("plots need matplotlib: pip install 'ripeness[plot]'") from None
    m = result.manifest
    t = result.table.iloc[::-1]
    y = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(8, 1.6 + 0.3 * len(t)), layout="constrained")

    def err(v: Any, half: Any) -> Any:
        return np.vstack([np.minimum(half, v), half])  # no whisker below zero

    if m["method"] == "sobol":
        ax.barh(y + 0.2, t["ST"], 0.4, xerr=err(t["ST"], t["ST_conf"]), label="ST (total)",
                color="#2E86C1")
        ax.barh(y - 0.2, t["S1"], 0.4, xerr=err(t["S1"], t["S1_conf"]),
                label="S1 (first order)", color="#AED6F1")
        what = "Sobol' index"
    else:
        ax.barh(y, t["mu_star"], 0.6, xerr=err(t["mu_star"], t["mu_star_conf"]),
                color="#2E86C1", ecolor="0.5",
                label="mu*: mean |effect| of moving the number over its range")
        ax.scatter(t["sigma"], y, marker="|", s=120, color="black", zorder=3,
                   label="sigma: spread of the effects (interactions)")
        what = "Morris elementary effect"
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_yticks(y, [str(i) for i in t.index], fontsize=8)
    ax.set_xlim(left=0)
    ax.set_xlabel(f"{what} on {m['output']}; whiskers: 95% bootstrap interval", fontsize=8)
    fig.suptitle(f"{m['scenario']}: which uncertain numbers move {m['output']}, the "
                 f"{OUTPUTS[m['output']]}\n{m['method']}, {m['points']} points x {m['runs']} "
                 f"runs, {m['days']} days, seed {m['seed']} (common random numbers)",
                 fontsize=9, x=0.01, ha="left")
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
