"""Calibration: fit a scenario's ``[[uncertain]]`` numbers (or ranges given instead, e.g. with
``ripeness calibrate --range PATH=LOW:HIGH``) to the record up to a cut-off date.

The procedure (docs/backtest.md):

1. split the record at the cut-off: entries whose whole date range lies on or before it,
   and what the later entries say had not yet happened by then (:meth:`Record.known_at`),
   are the fitting set; the rest of the record is the evaluation set;
2. draw ``samples`` points in the uncertain ranges (or the ``ranges`` given instead) with a
   scrambled Latin hypercube (or Sobol) design from :mod:`scipy.stats.qmc` (log scale for
   ``loguniform`` ranges), plus the scenario's own values;
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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..ensemble.progress import Progress
from ..errors import Problem, ScenarioError
from ..outputs import write_file
from ..scenario import Loaded, read, with_patches
from ..scenario.patch import PatchError, apply_patch, resolve
from ..scenario.schema import Uncertain, WhatIf
from ..scenario.validate import _is_param_path, _registry_default
from .record import Record, default_record_path
from .run import BacktestResult, backtest, resolve_record

__all__ = ["Calibration", "Range", "apply_patch_file", "calibrate", "check_ranges",
           "parse_range", "read_patch", "sample", "write_patch"]

PATCH_NAME = "calibrated"
PATCH_HEAD = "# ripeness scenario patch"  # the first line of every patch file ripeness writes
RANGE_FORM = "PATH=LOW:HIGH or PATH=LOW:HIGH:log"
RANGE_EXAMPLE = "parameters.focus_threshold=2:6"


class _Value(Protocol):
    @property
    def value(self) -> float: ...


class Range(Protocol):
    """What calibration reads of a range: an :class:`Uncertain` entry, or any object with
    ``path``, ``low.value``, ``high.value`` and ``distribution`` (``uniform`` or
    ``loguniform``)."""

    @property
    def path(self) -> str: ...

    @property
    def low(self) -> _Value: ...

    @property
    def high(self) -> _Value: ...

    @property
    def distribution(self) -> str: ...


def parse_range(text: str) -> Uncertain:
    """``PATH=LOW:HIGH`` (uniform) or ``PATH=LOW:HIGH:log`` (log-uniform) from the command
    line, as an :class:`Uncertain` entry; ``ValueError`` saying the expected form if the text
    is not one. Whether the path names a number of a scenario is :func:`check_ranges`'s job."""
    form = f"expected {RANGE_FORM}, e.g. {RANGE_EXAMPLE}"
    if "=" not in text:
        raise ValueError(f"'{text}' has no '=': {form}")
    path, spec = (x.strip() for x in text.split("=", 1))
    parts = [x.strip() for x in spec.split(":")]
    log = len(parts) == 3 and parts[2].lower() == "log"
    if not path or len(parts) not in (2, 3) or (len(parts) == 3 and not log):
        raise ValueError(f"'{text}' is not a range: {form}")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise ValueError(f"'{text}': LOW and HIGH must be numbers: {form}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"'{text}': LOW and HIGH must be finite numbers: {form}")
    if low > high:
        raise ValueError(f"'{text}': LOW {low:g} exceeds HIGH {high:g}; write the lower "
                         f"value first ({RANGE_FORM})")
    if log and low <= 0:
        raise ValueError(f"'{text}': a log range needs LOW > 0; use a positive LOW or drop "
                         "':log' for a uniform range")
    return Uncertain.model_validate({
        "path": path, "low": low, "high": high,
        "distribution": "loguniform" if log else "uniform",
        "assumption": f"calibration range {text}"})


def sample(uncertain: Sequence[Range], n: int, seed: int, method: str = "lhs"
           ) -> list[dict[str, float]]:
    """``n`` points of a space-filling design over the uncertain ranges (``lhs``: scrambled
    Latin hypercube, any n; ``sobol``: scrambled Sobol, best with n a power of 2)."""
    try:
        from scipy.stats import qmc
    except ImportError:  # pragma: no cover - scipy is in the dev and analysis extras
        raise ImportError("calibration needs scipy: pip install 'ripeness[analysis]'") from None
    d = len(uncertain)
    if d == 0:
        raise ValueError("nothing to calibrate: the scenario declares no [[uncertain]] "
                         f"numbers; give ranges instead (ranges=..., or --range "
                         f"{RANGE_FORM} on the command line)")
    if method == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=seed).random(n)
    elif method == "sobol":
        unit = qmc.Sobol(d=d, scramble=True, seed=seed).random(n)
    else:
        raise ValueError(f"method must be 'lhs' or 'sobol', not {method!r}")
    return [{u.path: _scale(u, float(x)) for u, x in zip(uncertain, row, strict=True)}
            for row in unit]


def _scale(u: Range, x: float) -> float:
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
    evaluation runs), the record, the cut-off, a manifest, and ``others``: the same scores
    for each further scenario fitted at once (``also``), by name."""

    candidates: pd.DataFrame
    best: dict[str, float]
    scores: pd.DataFrame
    record: Record
    cutoff: dt.date
    manifest: dict[str, Any] = field(repr=False)
    others: dict[str, pd.DataFrame] = field(default_factory=dict)

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
                f"{m['rescore_runs']} runs, seed {m['seed']}" + _ranges_text(m.get("ranges"))
                + "".join(f"; with {name} up to {o['cutoff']}, before "
                          f"{self.others[name].loc['default', 'before']:.3f} -> "
                          f"{self.others[name].loc['calibrated', 'before']:.3f}, after "
                          f"{self.others[name].loc['default', 'after']:.3f} -> "
                          f"{self.others[name].loc['calibrated', 'after']:.3f}"
                          for o in m.get("also", []) for name in [o["scenario"]]))


def _ranges_text(ranges: dict[str, list[Any]] | None) -> str:
    """The ranges searched instead of the scenario's [[uncertain]] list, as --range text."""
    if not ranges:
        return ""
    return "; ranges " + ", ".join(
        f"{p}={lo:g}:{hi:g}" + (":log" if dist == "loguniform" else "")
        for p, (lo, hi, dist) in ranges.items())


def _param_default(loaded: Loaded, path: str) -> float | None:
    """The value the model uses for a parameter path the file omits: an actor's parameter
    falls back to the scenario's ``[parameters]``, which falls back to the registry default
    (as the engine reads them); None if ``path`` is no known parameter."""
    if not _is_param_path(path):
        return None
    glob = loaded.scenario.parameters.values().get(path.split(".")[-1])
    if path.startswith("actors.") and glob is not None:
        return glob.value
    try:
        return _registry_default(path)
    except PatchError:
        return None


def _own(loaded: Loaded, path: str) -> Any:
    """The scenario's own value at ``path`` (a model parameter the file omits: the default the
    model uses); None where the path names nothing."""
    try:
        node = resolve(loaded.raw, path)
    except PatchError:
        node = _param_default(loaded, path)
    return node.get("value") if isinstance(node, dict) else node


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _defaults(loaded: Loaded, paths: Sequence[str]) -> dict[str, float]:
    """The scenario's own value at each path (NaN where it cannot be read)."""
    return {p: float(v) if _is_number(v := _own(loaded, p)) else float("nan") for p in paths}


def check_ranges(loaded: Loaded, ranges: Sequence[Range],
                 labels: Sequence[str] | None = None) -> None:
    """Check ranges before anything runs: each names a number of the scenario (or a model
    parameter), once; low <= high (and low > 0 on a log scale); and the scenario is valid with
    every low and with every high set. ``ScenarioError`` lists every problem, each located at
    its range's label (default ``range PATH``; the command line gives ``--range TEXT``)."""
    labels = list(labels) if labels is not None else [f"range {u.path}" for u in ranges]
    if len(labels) != len(ranges):
        raise ValueError(f"{len(labels)} labels for {len(ranges)} ranges")
    fix_path = ("name a number of the scenario (e.g. support.russia-government."
                "sorties_per_day) or a model parameter (parameters.NAME or "
                "actors.ID.params.NAME; see `ripeness params`)")
    problems: list[Problem] = []

    def bad(i: int, message: str, fix: str) -> None:
        problems.append(Problem(loaded.file, labels[i], message, fix))

    seen: set[str] = set()
    ok: list[int] = []
    for i, u in enumerate(ranges):
        lo, hi = u.low.value, u.high.value
        if u.path in seen:
            bad(i, f"'{u.path}' is given more than once", "give each path one range")
            continue
        seen.add(u.path)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
            bad(i, f"low {lo:g} exceeds high {hi:g}" if lo > hi else "low and high must be "
                "finite numbers", "give LOW <= HIGH (PATH=LOW:HIGH)")
            continue
        if u.distribution not in ("uniform", "loguniform"):
            bad(i, f"unknown distribution {u.distribution!r}", "use uniform or loguniform")
            continue
        if u.distribution == "loguniform" and lo <= 0:
            bad(i, f"a log-uniform range needs low > 0, not {lo:g}",
                "use a positive low, or a uniform range")
            continue
        try:
            node = resolve(loaded.raw, u.path)
        except PatchError:
            try:  # a key the file omits (a model parameter, a default) may still be set
                apply_patch(loaded.raw, u.path, lo, "check")
            except PatchError as e:
                bad(i, str(e), fix_path)
                continue
            node = None
        if isinstance(node, list) or (isinstance(node, dict)
                                      and not _is_number(node.get("value"))):
            bad(i, f"'{u.path}' is a table or a list, not a number", fix_path)
            continue
        own = node.get("value") if isinstance(node, dict) else node
        if own is not None and not _is_number(own):
            bad(i, f"'{u.path}' is not a number (it is {own!r})", fix_path)
            continue
        ok.append(i)
    said: dict[int, list[str]] = {}  # a range's problems at its low, not repeated at its high
    for end in ("low", "high"):
        def sets(idx: list[int], end: str = end) -> dict[str, float]:
            return {ranges[i].path: getattr(ranges[i], end).value for i in idx}

        if not ok or _invalid_with(loaded, sets(ok)) is None:
            continue
        found = False
        for i in ok:  # one by one only to say which range is wrong
            err = _invalid_with(loaded, sets([i]))
            if err is None:
                continue
            found = True
            messages = [p.message for p in err.errors]
            if said.get(i) == messages:  # the same problem at both ends (e.g. a bad name)
                continue
            said[i] = messages
            for p in err.errors[:3]:
                bad(i, f"with its {end} {sets([i])[ranges[i].path]:g} the scenario is "
                    f"invalid: {p.location}: {p.message}",
                    f"{p.fix}; choose a range the scenario accepts")
        if not found:  # each end valid alone, not all together
            err = _invalid_with(loaded, sets(ok))
            for p in (err.errors[:3] if err is not None else []):
                bad(ok[0], f"with every range at its {end} the scenario is invalid: "
                    f"{p.location}: {p.message}", f"{p.fix}; narrow the ranges")
    if problems:
        raise ScenarioError(problems)


def _invalid_with(loaded: Loaded, sets: dict[str, float]) -> ScenarioError | None:
    """The error of the scenario with ``sets`` applied (None if valid)."""
    try:
        with_patches(loaded, sets, "calibration range")
    except ScenarioError as e:
        return e
    return None


def _score(loaded: Loaded, sets: dict[str, float], record: Record, runs: int, seed: int,
           first_run: int, days: int | None = None) -> BacktestResult:
    variant = with_patches(loaded, sets, "calibration candidate") if sets else loaded
    return backtest(variant, runs=runs, seed=seed, record=record, days=days,
                    first_run=first_run)


@dataclass(frozen=True)
class _Target:
    """A scenario the candidates are scored on: its record, fitting set and cut-off."""

    loaded: Loaded
    record: Record
    fit: Record
    cutoff: dt.date


def _fit_score(targets: Sequence[_Target], sets: dict[str, float], runs: int, seed: int,
               first_run: int) -> float:
    """The fitting sets' scores, one mean per scenario, averaged (each scenario weighs the
    same whatever its record's length)."""
    return float(np.mean([_score(t.loaded, sets, t.fit, runs, seed, first_run).score
                          for t in targets]))


def _search(targets: Sequence[_Target], paths: Sequence[str],
            points: list[dict[str, float]], runs: int, seed: int,
            bar: Progress) -> pd.DataFrame:
    """Each candidate's fit score on runs 0..runs-1 (row 0: the first scenario's own values
    at ``paths``, the columns)."""
    rows = [{"candidate": "default", **_defaults(targets[0].loaded, paths),
             "fit": _fit_score(targets, {}, runs, seed, 0)}]
    bar.update(1)
    for i, sets in enumerate(points):
        rows.append({"candidate": f"s{i}", **sets,
                     "fit": _fit_score(targets, sets, runs, seed, 0)})
        bar.update(1)
    return pd.DataFrame(rows).set_index("candidate")


def _sets(row: pd.Series, paths: Sequence[str], default: bool) -> dict[str, float]:
    """A candidate's values as patch paths ({} for the scenario's own; unreadable skipped)."""
    return {} if default else {p: float(row[p]) for p in paths if not np.isnan(row[p])}


def calibrate(scenario: Loaded | str | Path, cutoff: dt.date, samples: int = 64,
              runs: int = 50, seed: int = 0, record: Record | str | Path | None = None,
              top: int = 4, rescore_runs: int | None = None, method: str = "lhs",
              ranges: Sequence[Range] | None = None,
              range_labels: Sequence[str] | None = None, progress: bool = False,
              censored: bool = True,
              also: Sequence[tuple[Loaded | str | Path, dt.date]] = ()) -> Calibration:
    """Fit the scenario's uncertain numbers to the record's entries up to ``cutoff`` and
    score the fit on both sides of it (the procedure is in the module docstring).

    ``ranges`` (:class:`Uncertain` entries, e.g. from :func:`parse_range`, or objects like
    them) replace the scenario's ``[[uncertain]]`` list: they alone are sampled, searched and
    written to the patch. They are checked with :func:`check_ranges` before anything runs.
    ``progress``: a bar of the backtests run (candidates, re-scores, evaluation) on stderr.
    ``censored`` (default): the fitting set also holds what the later entries say had not
    yet happened by the cut-off (:meth:`Record.known_at`); False fits the entries dated
    before it alone.
    ``also``: more (scenario, cut-off) pairs, each with its own shipped record, fitted at
    once: a candidate's fit is the mean of the scenarios' fitting-set scores. Only model
    parameters shared by every scenario (``parameters.NAME`` ranges) may be fitted so; each
    scenario's scores before and after its cut-off are in ``Calibration.others``."""
    loaded = read(scenario) if isinstance(scenario, str | Path) else scenario
    targets = [_target(loaded, resolve_record(loaded, record), cutoff, censored)]
    for other, when in also:
        o = read(other) if isinstance(other, str | Path) else other
        if not default_record_path(o).is_file():
            raise ScenarioError([Problem(str(default_record_path(o)), "--also",
                                         "no such record file", "put the scenario's record.csv "
                                         "beside its scenario.toml (--record names the first "
                                         "scenario's record only; see docs/backtest.md)")])
        targets.append(_target(o, resolve_record(o, None), when, censored))
    if also and (ranges is None or not all(u.path.startswith("parameters.")
                                           for u in ranges)):
        raise ValueError("a calibration on several scenarios fits model parameters shared "
                         "by all of them: give only ranges of parameters.NAME (--range "
                         "parameters.NAME=LOW:HIGH)")
    if ranges is not None:
        ranges = list(ranges)
        if not ranges:
            raise ValueError(f"ranges is empty: give at least one ({RANGE_FORM})")
        for t in targets:
            check_ranges(t.loaded, ranges, range_labels)
    rec = targets[0].record
    uncertain: list[Range] = list(loaded.scenario.uncertain) if ranges is None else ranges
    paths = [u.path for u in uncertain]
    points = sample(uncertain, samples, seed, method)
    more = rescore_runs or 4 * runs
    with Progress(len(points) + 1 + min(top, len(points) + 1) + 2, enabled=progress,
                  label="backtests") as bar:
        table = _search(targets, paths, points, runs, seed, bar)
        table["rescore"] = np.nan
        for name in table["fit"].sort_values(ascending=False, kind="stable").index[:top]:
            table.loc[name, "rescore"] = _fit_score(
                targets, _sets(table.loc[name], paths, name == "default"), more, seed, runs)
            bar.update(1)
        best_name = str(table["rescore"].idxmax())
        chosen = _sets(table.loc[best_name], paths, best_name == "default")
        every = [_evaluate(t.loaded, t.record, t.fit, chosen, more, seed, runs + more)
                 for t in targets]
        bar.update(2)
    best = _sets(table.loc[best_name], paths, False)
    manifest = {"scenario": loaded.scenario.meta.name, "record": rec.file,
                "record_sha256": rec.sha256, "cutoff": cutoff.isoformat(), "method": method,
                "censored": censored, "fit_entries": list(targets[0].fit.ids),
                "samples": samples, "runs": runs, "top": top, "rescore_runs": more,
                "eval_runs": more, "seed": seed, "best": best_name,
                "runs_used": {"search": [0, runs - 1], "rescore": [runs, runs + more - 1],
                              "evaluation": [runs + more, runs + 2 * more - 1]},
                "ranges": None if ranges is None else {
                    u.path: [u.low.value, u.high.value, u.distribution] for u in ranges},
                "also": [{"scenario": t.loaded.scenario.meta.name, "record": t.record.file,
                          "record_sha256": t.record.sha256, "cutoff": t.cutoff.isoformat(),
                          "fit_entries": list(t.fit.ids)} for t in targets[1:]],
                "created": dt.date.today().isoformat()}
    return Calibration(candidates=table, best=best, scores=every[0], record=rec,
                       cutoff=cutoff, manifest=manifest,
                       others={t.loaded.scenario.meta.name: sc
                               for t, sc in zip(targets[1:], every[1:], strict=True)})


def _target(loaded: Loaded, rec: Record, cutoff: dt.date, censored: bool) -> _Target:
    before, after = rec.split(cutoff)
    if not len(before) or not len(after):
        raise ValueError(f"the cut-off {cutoff} leaves no record entries on one side "
                         f"({loaded.scenario.meta.name}, {Path(rec.file).name}); choose a "
                         "date between the record's first and last entries")
    return _Target(loaded, rec, rec.known_at(cutoff) if censored else before, cutoff)


def _evaluate(loaded: Loaded, rec: Record, fit: Record, sets: dict[str, float],
              runs: int, seed: int, first_run: int) -> pd.DataFrame:
    """Scores of the scenario's own values and of ``sets`` on fresh runs: ``before``, of
    the fitting set (with the entries derived at the cut-off); ``after``, of the record's
    entries not in it; ``all``, of the record."""
    ids = set(rec.ids)
    both = replace(rec, entries=rec.entries + tuple(e for e in fit.entries
                                                    if e.id not in ids))
    fitted = set(fit.ids)
    rows = {}
    for name, s in (("default", {}), ("calibrated", sets)):
        sc = _score(loaded, s, both, runs, seed, first_run).table["score"]
        sc.index = list(both.ids)
        rows[name] = {"before": float(sc[[i for i in both.ids if i in fitted]].mean()),
                      "after": float(sc[[i for i in rec.ids if i not in fitted]].mean()),
                      "all": float(sc[list(rec.ids)].mean())}
    return pd.DataFrame(rows).T[["before", "after", "all"]]


def patch_text(description: str, sets: dict[str, Any], name: str = PATCH_NAME) -> str:
    """A patch file's text: a what-if table that can be appended to a copy of the scenario."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"{PATCH_HEAD}. Apply with `ripeness backtest SCENARIO --patch FILE`",
             f"# (or --set), or append this file to a copy of the scenario and use "
             f"--what-if {name}.", f"[whatifs.{name}]", f"description = {q(description)}",
             "", f"[whatifs.{name}.set]"]
    lines += [f"{q(k)} = {v!r}" for k, v in sets.items()]
    return "\n".join(lines) + "\n"


def write_patch(cal: Calibration, path: str | Path, overwrite: bool = False) -> Path:
    """Write the calibrated values as a patch file, atomically; an existing file is replaced
    only with ``overwrite`` and only if it is a patch ripeness wrote (:mod:`ripeness.outputs`)."""
    text = patch_text(cal.description(), cal.best)
    return write_file(path, lambda p: p.write_text(text), overwrite, ours=is_patch)


def is_patch(path: Path) -> bool:
    """A patch file written by :func:`write_patch` (its first line says so)."""
    try:
        with path.open("rb") as f:
            return f.readline().startswith(PATCH_HEAD.encode())
    except OSError:
        return False


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
