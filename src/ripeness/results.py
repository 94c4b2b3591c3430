"""Results folders: one layout for a run (a batch of runs) and an ensemble, one loader for both.

Every results folder holds the same named files for the same things:

* ``manifest.json``: what was run (:data:`MANIFEST_KEYS`: kind, scenario and its hash, version,
  seed, runs, days, parameters, ...) and the dtypes of the other files;
* ``runs.parquet``: one row per run, with the same columns for both (docs/ensembles.md);
* ``daily.nc``: the days, CF-annotated, with the places' coordinates: every run's arrays (a
  run) or their bands, control probabilities and outcome curves over runs (an ensemble);
* ``events.parquet`` and ``sessions.parquet``: each run's captures, sieges, corridors and
  talks, day by day (a run only: an ensemble keeps no single run's days).

An ensemble that is still being computed also holds ``chunks/`` (what ``--resume`` reads); a
finished one does not. :func:`load_results` reads any of them by the manifest's ``kind``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ensemble.result import EnsembleResult
    from .simulate import Result

__all__ = ["LAYOUT", "MANIFEST_KEYS", "load_results", "manifest_of", "rerun_command"]

#: The files of each kind of results folder, in the order above.
LAYOUT: dict[str, tuple[str, ...]] = {
    "ripeness run": ("manifest.json", "runs.parquet", "daily.nc", "events.parquet",
                     "sessions.parquet"),
    "ripeness ensemble": ("manifest.json", "runs.parquet", "daily.nc"),
}
#: Keys that the manifest of a run and of an ensemble both carry, with the same meaning.
MANIFEST_KEYS = ("kind", "scenario", "scenario_hash", "scenario_file", "package", "version",
                 "numpy", "seed", "first_run", "runs", "run_indices", "days", "start",
                 "parameters", "events", "created", "rng")


def manifest_of(directory: str | Path) -> dict[str, Any]:
    """The folder's manifest; FileNotFoundError (one line, with the fix) if it has none."""
    d = Path(directory)
    try:
        data = json.loads((d / "manifest.json").read_text())
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise FileNotFoundError(f"{d} holds no results (no readable manifest.json); write some "
                                "with `ripeness run SCENARIO --out DIR` or `ripeness ensemble "
                                "SCENARIO --out DIR`")
    return data


def _kind(d: Path, manifest: dict[str, Any]) -> str:
    """The manifest's kind; folders written before kinds existed, by their files."""
    kind = manifest.get("kind")
    if isinstance(kind, str):
        return kind
    if (d / "events.parquet").is_file():
        return "ripeness run"
    return "ripeness ensemble" if (d / "runs.parquet").is_file() else "unknown"


def load_results(directory: str | Path) -> Result | EnsembleResult:
    """The run (:class:`~ripeness.simulate.Result`) or ensemble
    (:class:`~ripeness.ensemble.EnsembleResult`) saved in ``directory``. FileNotFoundError,
    with the fix, for a folder without results, an unfinished ensemble, or other results (a
    comparison, a sensitivity analysis)."""
    d = Path(directory)
    manifest = manifest_of(d)
    kind = _kind(d, manifest)
    if kind == "ripeness run":
        from .simulate import Result

        return Result.load(d)
    if kind == "ripeness ensemble":
        from .ensemble.result import EnsembleResult

        return EnsembleResult.load(d)
    raise FileNotFoundError(f"{d} holds {kind} results, not a run or an ensemble; this reads "
                            "folders written by `ripeness run --out` or `ripeness ensemble "
                            "--out`")


def _toml(value: Any) -> str:
    """A --set value as the command line reads it (TOML)."""
    import tomli_w

    text = tomli_w.dumps({"v": value}).strip()
    return text.removeprefix("v = ")


def rerun_command(manifest: dict[str, Any], run: int, out: str) -> str:
    """The ``ripeness run`` command that computes run ``run`` of these results again, day by
    day, into ``out`` (runs are deterministic: the same seed gives the same run)."""
    import shlex

    from .scenario import builtin_scenarios

    name = str(manifest.get("scenario", "SCENARIO"))
    file = manifest.get("scenario_file")
    builtin = builtin_scenarios().get(name)
    scenario = name if file is None or (builtin is not None and Path(file) == builtin) else file
    words = ["ripeness", "run", str(scenario), "--seed", str(manifest.get("seed", 0)),
             "--days", str(manifest.get("days", 1)), "--first-run", str(run)]
    whatif = manifest.get("whatif")
    for w in [whatif] if isinstance(whatif, str) else whatif or []:
        words += ["--what-if", str(w)]
    for path, value in (manifest.get("sets") or {}).items():
        words += ["--set", f"{path}={_toml(value)}"]
    return shlex.join([*words, "--out", out])
