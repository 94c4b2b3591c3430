"""Calibration: fit a scenario's ``[[uncertain]]`` numbers to the record up to a cut-off date.

The procedure (docs/backtest.md):

1. split the record at the cut-off: entries whose whole date range lies on or before it are
   the fitting set, the rest the evaluation set;
2. draw ``samples`` points in the uncertain ranges with a scrambled Latin hypercube (or
   Sobol) design from :mod:`scipy.stats.qmc` (log scale for ``loguniform`` ranges), plus the
   scenario's own values;
3. score each candidate by the backtest score of the fitting set, ``runs`` runs each, all on
   the same runs (common random numbers, so candidates differ by their values, not luck);
4. re-score the best ``top`` candidates on ``rescore_runs`` fresh runs and keep the best;
5. score the scenario's own values and the calibrated ones on a third set of fresh runs, on
   both sides of the cut-off.

The fitted values are written as a scenario patch (:func:`write_patch`), never into the
scenario: ``ripeness backtest SCENARIO --patch PATCH.toml`` applies it.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from ..scenario import Loaded, read, with_patches
from ..scenario.patch import PatchError, resolve
from ..scenario.schema import Uncertain, WhatIf
from .record import Record
from .run import BacktestResult, backtest, resolve_record

__all__ = ["Calibration", "apply_patch_file", "calibrate", "read_patch", "sample",
           "write_patch"]

PATCH_NAME = "calibrated"


def sample(uncertain: list[Uncertain], n: int, seed: int, method: str = "lhs"
           ) -> list[dict[str, float]]:
    """``n`` points of a space-filling design over the uncertain ranges (``lhs``: scrambled
    Latin hypercube, any n; ``sobol``: scrambled Sobol, best with n a power of 2)."""
    try:
        from scipy.stats import qmc
    except ImportError:  # pragma: no cover - scipy is in the dev and analysis extras
        raise ImportError("calibration needs scipy: pip install 'ripeness[analysis]'") from None
    d = len(uncertain)
    if d == 0:
        raise ValueError("the scenario declares no [[uncertain]] numbers to calibrate")
    if method == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=seed).random(n)
    elif method == "sobol":
        unit = qmc.Sobol(d=d, scramble=True, seed=seed).random(n)
    else:
        raise ValueError(f"method must be 'lhs' or 'sobol', not {method!r}")
    return [{u.path: _scale(u, float(x)) for u, x in zip(uncertain, row, strict=True)}
            for row in unit]


def _scale(u: Uncertain, x: float) -> float:
    """The value at quantile ``x`` of the range (uniform or log-uniform), 4 significant
    digits (a patch a person can read)."""
    lo, hi = u.low.value, u.high.value
    if u.distribution == "loguniform" and lo > 0:
        v = math.exp(math.log(lo) + x * (math.log(hi) - math.log(lo)))
    else:
        v = lo + x * (hi - lo)
    return float(f"{v:.4g}")


@dataclass(frozen=True)
class Calibration:
    """The outcome of :func:`calibrate`: ``candidates`` (one row per candidate: its values,
    ``fit`` score on the search runs, ``rescore`` for the best few), ``best`` (the calibrated
    values), ``scores`` (rows default/calibrated; columns before, after, all: scores on
    evaluation runs), the record, the cut-off and a manifest."""

    candidates: pd.DataFrame
    best: dict[str, float]
    scores: pd.DataFrame
    record: Record
    cutoff: dt.date
    manifest: dict[str, Any] = field(repr=False)

    def description(self) -> str:
        """Provenance of the fitted values, in one line (the patch's description)."""
        s, m = self.scores, self.manifest
        rec = Path(self.record.file)
        return (f"calibrated on {rec.parent.name}/{rec.name} (sha256 {self.record.sha256}) "
                f"up to {self.cutoff}, "
                f"{m['created']}, score before the cut-off {s.loc['default', 'before']:.3f} "
                f"-> {s.loc['calibrated', 'before']:.3f}, after "
                f"{s.loc['default', 'after']:.3f} -> {s.loc['calibrated', 'after']:.3f} "
                f"(default -> calibrated, {m['eval_runs']} evaluation runs); {m['method']} "
                f"{m['samples']} samples x {m['runs']} runs, best {m['top']} re-scored with "
                f"{m['rescore_runs']} runs, seed {m['seed']}")


def _defaults(loaded: Loaded, paths: list[str]) -> dict[str, float]:
    """The scenario's own value at each path (NaN where it cannot be read)."""
    out = {}
    for p in paths:
        try:
            node = resolve(loaded.raw, p)
        except PatchError:
            node = None
        node = node.get("value") if isinstance(node, dict) else node
        out[p] = float(node) if isinstance(node, int | float) else float("nan")
    return out


def _score(loaded: Loaded, sets: dict[str, float], record: Record, runs: int, seed: int,
           first_run: int, days: int | None = None) -> BacktestResult:
    variant = with_patches(loaded, sets, "calibration candidate") if sets else loaded
    return backtest(variant, runs=runs, seed=seed, record=record, days=days,
                    first_run=first_run)


def _search(loaded: Loaded, points: list[dict[str, float]], fit: Record, runs: int,
            seed: int) -> pd.DataFrame:
    """Each candidate's fit score on runs 0..runs-1 (row 0: the scenario's own values)."""
    paths = [u.path for u in loaded.scenario.uncertain]
    rows = [{"candidate": "default", **_defaults(loaded, paths),
             "fit": _score(loaded, {}, fit, runs, seed, 0).score}]
    for i, sets in enumerate(points):
        rows.append({"candidate": f"s{i}", **sets,
                     "fit": _score(loaded, sets, fit, runs, seed, 0).score})
    return pd.DataFrame(rows).set_index("candidate")


def _sets(row: pd.Series, paths: list[str], default: bool) -> dict[str, float]:
    """A candidate's values as patch paths ({} for the scenario's own; unreadable skipped)."""
    return {} if default else {p: float(row[p]) for p in paths if not np.isnan(row[p])}


def calibrate(scenario: Loaded | str | Path, cutoff: dt.date, samples: int = 64,
              runs: int = 50, seed: int = 0, record: Record | str | Path | None = None,
              top: int = 4, rescore_runs: int | None = None, method: str = "lhs"
              ) -> Calibration:
    """Fit the scenario's uncertain numbers to the record's entries up to ``cutoff`` and
    score the fit on both sides of it (the procedure is in the module docstring)."""
    loaded = read(scenario) if isinstance(scenario, str | Path) else scenario
    rec = resolve_record(loaded, record)
    fit, after = rec.split(cutoff)
    if not len(fit) or not len(after):
        raise ValueError(f"the cut-off {cutoff} leaves no record entries on one side; "
                         "choose a date between the record's first and last entries")
    paths = [u.path for u in loaded.scenario.uncertain]
    points = sample(list(loaded.scenario.uncertain), samples, seed, method)
    table = _search(loaded, points, fit, runs, seed)
    more = rescore_runs or 4 * runs
    table["rescore"] = np.nan
    for name in table["fit"].sort_values(ascending=False, kind="stable").index[:top]:
        table.loc[name, "rescore"] = _score(
            loaded, _sets(table.loc[name], paths, name == "default"), fit, more, seed,
            runs).score
    best_name = str(table["rescore"].idxmax())
    best = _sets(table.loc[best_name], paths, False)
    scores = _evaluate(loaded, rec, cutoff, _sets(table.loc[best_name], paths,
                                                  best_name == "default"),
                       more, seed, runs + more)
    manifest = {"scenario": loaded.scenario.meta.name, "record": rec.file,
                "record_sha256": rec.sha256, "cutoff": cutoff.isoformat(), "method": method,
                "samples": samples, "runs": runs, "top": top, "rescore_runs": more,
                "eval_runs": more, "seed": seed, "best": best_name,
                "runs_used": {"search": [0, runs - 1], "rescore": [runs, runs + more - 1],
                              "evaluation": [runs + more, runs + 2 * more - 1]},
                "created": dt.date.today().isoformat()}
    return Calibration(candidates=table, best=best, scores=scores, record=rec,
                       cutoff=cutoff, manifest=manifest)


def _evaluate(loaded: Loaded, rec: Record, cutoff: dt.date, sets: dict[str, float],
              runs: int, seed: int, first_run: int) -> pd.DataFrame:
    """Scores of the scenario's own values and of ``sets`` on fresh runs, by side."""
    rows = {}
    for name, s in (("default", {}), ("calibrated", sets)):
        res = _score(loaded, s, rec, runs, seed, first_run)
        tab = res.table.assign(side=["before" if e.last <= cutoff else "after"
                                     for e in rec.entries])
        rows[name] = {"before": float(tab.loc[tab["side"] == "before", "score"].mean()),
                      "after": float(tab.loc[tab["side"] == "after", "score"].mean()),
                      "all": res.score}
    return pd.DataFrame(rows).T[["before", "after", "all"]]


def patch_text(description: str, sets: dict[str, Any], name: str = PATCH_NAME) -> str:
    """A patch file's text: a what-if table that can be appended to a copy of the scenario."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["# ripeness scenario patch. Apply with `ripeness backtest SCENARIO --patch FILE`",
             f"# (or --set), or append this file to a copy of the scenario and use "
             f"--what-if {name}.", f"[whatifs.{name}]", f"description = {q(description)}",
             "", f"[whatifs.{name}.set]"]
    lines += [f"{q(k)} = {v!r}" for k, v in sets.items()]
    return "\n".join(lines) + "\n"


def write_patch(cal: Calibration, path: str | Path, overwrite: bool = False) -> Path:
    """Write the calibrated values as a patch file (refuses to overwrite unless asked)."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} already exists; choose another file or pass "
                              "overwrite=True (--overwrite)")
    p.write_text(patch_text(cal.description(), cal.best))
    return p


def read_patch(path: str | Path) -> WhatIf:
    """A patch file: ``[whatifs.NAME]`` with ``description`` and ``set`` (as written by
    :func:`write_patch`), or the same two keys at the top level."""
    p = Path(path)
    file = str(p)
    if not p.is_file():
        raise ScenarioError([Problem(file, "", "no such patch file", "give the path of a "
                                     "file written by `ripeness calibrate --out`")])
    try:
        raw = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ScenarioError([Problem(file, "", f"not a TOML file: {e}",
                                     "correct the syntax (see docs/backtest.md)")]) from None
    whatifs = raw.get("whatifs", {})
    body = raw if "set" in raw else next(iter(whatifs.values()), None) \
        if isinstance(whatifs, dict) and len(whatifs) == 1 else None
    try:
        return WhatIf.model_validate(body)
    except ValidationError as e:
        raise ScenarioError([Problem(file, "", f"not a patch: {e.errors()[0]['msg']}",
                                     "write one [whatifs.NAME] table with description and "
                                     "set (see docs/backtest.md)")]) from None


def apply_patch_file(loaded: Loaded, path: str | Path, skip: tuple[str, ...] = ()) -> Loaded:
    """The scenario with a patch file's values set (paths in ``skip`` left alone: the
    command line's --set wins), validated again; the description is the values' provenance."""
    patch = read_patch(path)
    sets = {k: v for k, v in patch.set.items() if k not in skip}
    return with_patches(loaded, sets, patch.description) if sets else loaded
