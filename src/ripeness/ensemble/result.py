"""The ensemble's one result type: the per-run table, the daily aggregates and the manifest.

Saved as DIR/runs.parquet, DIR/daily.nc and DIR/manifest.json (the layout of a run's folder,
less its single runs' events and talks: :mod:`ripeness.results`); :meth:`EnsembleResult.load`
reads them back unchanged, dtypes included (the manifest on disk records them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..coupling import OUTCOMES
from ..dtypes import dtypes_of, restore
from ..scenario.schema import Scenario
from ..variables import annotate, coordinates
from ..world.compile import World
from .chunk import Chunk
from .store import atomic, write_folder, write_json
from .summary import QUANTILES, format_summary, outcome_curves, share_bands, summarize

__all__ = ["EnsembleResult", "assemble"]


def _daily(chunks: Sequence[Chunk], world: World, days: int, runs: pd.DataFrame,
           scenario: Scenario | None) -> xr.Dataset:
    """Share bands, control counts and outcome curves over all chunks' runs."""
    share = np.concatenate([c.share for c in chunks if c.share is not None], axis=0)
    count = np.sum([c.control for c in chunks if c.control is not None], axis=0,
                   dtype=np.int64)
    bel = [a for a, b in zip(world.actor_ids, world.belligerent, strict=True) if b]
    dates = pd.date_range(pd.Timestamp(world.start), periods=days, freq="D")
    names = (coordinates(world, scenario) if scenario is not None
             else {"place": list(world.place_ids), "actor": list(world.actor_ids)})
    ds = xr.Dataset(
        {"share_band": (("quantile", "day", "belligerent"), share_bands(share)),
         "control_runs": (("day", "place", "actor"), count),
         "control_probability": (("day", "place", "actor"), count / len(runs)),
         "outcome_reached": (("day", "outcome"), outcome_curves(runs, days))},
        coords={"quantile": list(QUANTILES), "day": np.arange(days), "date": ("day", dates),
                **names, "belligerent": bel, "outcome": list(OUTCOMES)},
        attrs={"runs": len(runs)})
    return annotate(ds)


def assemble(chunks: Sequence[Chunk], world: World, days: int,
             manifest: dict[str, Any], scenario: Scenario | None = None) -> EnsembleResult:
    """The result of chunks given in run order (``scenario``: for the places' and actors'
    names, coordinates and colours)."""
    runs = pd.concat([c.runs for c in chunks], ignore_index=True)
    return EnsembleResult(runs=runs, daily=_daily(chunks, world, days, runs, scenario),
                          manifest=manifest)


@dataclass(frozen=True)
class EnsembleResult:
    """An ensemble: ``runs`` (one row per run, see docs/ensembles.md), ``daily`` (share
    bands and control probability by day, place and actor), ``manifest`` (scenario hash,
    version, seed, runs, days, chunk, what-if and --set, parameters, timing, scheduler)."""

    runs: pd.DataFrame
    daily: xr.Dataset
    manifest: dict[str, Any]

    def summary(self) -> pd.DataFrame:
        """Outcome probabilities with 95% Wilson intervals; medians and quartiles of
        casualties, displaced, sessions and the day of settlement."""
        return summarize(self.runs)

    def report(self) -> str:
        """The summary as text for the terminal."""
        m = self.manifest
        head = (f"{m['scenario']}: {len(self.runs):,} runs (seed {m['seed']}), "
                f"{m['days']} days")
        return head + "\n" + format_summary(self.summary())

    def write_into(self, directory: Path) -> None:
        """The three files into an existing folder, each atomically, the manifest last."""
        atomic(directory / "runs.parquet", lambda p: self.runs.to_parquet(p, index=False))
        atomic(directory / "daily.nc", self.daily.to_netcdf)
        kept = {"runs.parquet": dtypes_of(self.runs), "daily.nc": dtypes_of(self.daily)}
        write_json(directory / "manifest.json", {**self.manifest, "dtypes": kept})

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """Write DIR/runs.parquet, daily.nc, manifest.json; refuses an existing DIR unless
        ``overwrite``."""
        return write_folder(directory, self.write_into, overwrite)

    @classmethod
    def load(cls, directory: str | Path) -> EnsembleResult:
        """A result saved by :meth:`save` or by ``run_ensemble(..., out=DIR)``."""
        d = Path(directory)
        manifest = json.loads((d / "manifest.json").read_text())
        if manifest.get("status") == "running":
            raise FileNotFoundError(f"{d} holds an ensemble still being computed, or stopped "
                                    "before it finished; fix: run the same `ripeness ensemble "
                                    "... --out DIR` command again with --resume")
        if not (d / "runs.parquet").is_file():
            raise FileNotFoundError(f"{d} holds no finished ensemble (no runs.parquet)")
        kept = manifest.pop("dtypes", {})
        with xr.open_dataset(d / "daily.nc") as ds:
            daily = restore(ds.load(), kept.get("daily.nc", {}))
        return cls(runs=restore(pd.read_parquet(d / "runs.parquet"),
                                kept.get("runs.parquet", {})), daily=daily, manifest=manifest)
