"""Every figure the package draws, made afresh into one folder: the gallery of docs/plots.md.

``ripeness gallery docs/gallery`` runs the simulations (seed 0) and draws each figure under
the name the page shows it by (:data:`FIGURES`); a test runs it with ``quick=True`` (fewer
runs and days, the same files) and checks that every figure the page references is made. The
folder is the gallery's own, written whole by the rule of :mod:`ripeness.outputs` with a
``manifest.json`` (kind 'ripeness figures': the command, the sizes, the files); drawing it
again needs ``overwrite`` (``--overwrite``), and a folder holding anything else is refused.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .plots import save, style

__all__ = ["FIGURES", "Size", "gallery"]

#: The gallery's files, in the order docs/plots.md shows them.
FIGURES = (
    "run-control-start.png", "run-control-end.png", "run.gif", "run-talks.png",
    "run-shares.png", "run-casualties.png", "batch-control-end.png", "batch-outcomes.png",
    "batch-shares.png", "batch-casualties.png", "ensemble-control-end.png",
    "ensemble-outcomes.png", "ensemble-casualties.png", "syria-control-end.png",
    "syria-talks.png", "backtest.png", "sensitivity.png",
)


@dataclass(frozen=True)
class Size:
    """How much the gallery simulates (``quick``: a smoke test of the same figures)."""

    days: int = 30
    batch: int = 20
    ensemble: int = 200
    syria_days: int = 120
    backtest: int = 100
    morris: int = 4
    morris_runs: int = 10
    morris_days: int = 20
    uncertain: int | None = None  # screen only the first few [[uncertain]] numbers

    @classmethod
    def quick(cls) -> Size:
        return cls(days=6, batch=3, ensemble=10, syria_days=8, backtest=3, morris=2,
                   morris_runs=1, morris_days=2, uncertain=3)


def gallery(out: str | Path, quick: bool = False, progress: bool = False,
            overwrite: bool = False) -> list[Path]:
    """Simulate and draw every figure of :data:`FIGURES` into the folder ``out`` (new, empty,
    or with ``overwrite`` a figures folder ripeness wrote); return the files. The folder is
    checked before anything is simulated."""
    from .. import __version__
    from ..ensemble.progress import Progress
    from ..outputs import write_folder

    size = Size.quick() if quick else Size()
    steps = (_run, _batch, _ensemble, _syria, _backtest, _sensitivity)
    names: list[str] = []

    def draw(folder: Path) -> None:
        with style(), Progress(len(steps), enabled=progress, label="parts") as bar:
            for step in steps:
                names.extend(p.name for p in step(folder, size))
                bar.update(1)
        manifest = {"kind": "ripeness figures", "command": "ripeness gallery"
                    + (" --quick" if quick else ""), "seed": 0, "size": asdict(size),
                    "files": names, "version": __version__}
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    done = write_folder(out, draw, overwrite)
    return [done / n for n in names]


def _png(fig: Any, folder: Path, stem: str) -> list[Path]:
    return save(fig, folder, stem, ("png",))


def _run(folder: Path, size: Size) -> list[Path]:
    """One run of aleppo-2016: the map on day 0 and on the last day, the animation, the
    talks, shares and casualties."""
    from ..scenario import read
    from ..simulate import simulate
    from .animate import animate
    from .figures import fig_casualties, fig_shares
    from .maps import fig_map
    from .talksfig import fig_talks

    aleppo = read("aleppo-2016")
    res = simulate(aleppo, runs=1, seed=0, days=size.days)
    return [*_png(fig_map(res, 0, aleppo), folder, "run-control-start"),
            *_png(fig_map(res, size.days - 1, aleppo), folder, "run-control-end"),
            animate(res, folder / "run.gif", aleppo),
            *_png(fig_talks(res), folder, "run-talks"),
            *_png(fig_shares(res), folder, "run-shares"),
            *_png(fig_casualties(res), folder, "run-casualties")]


def _batch(folder: Path, size: Size) -> list[Path]:
    """A batch of aleppo-2016 runs: probability map, outcomes, bands."""
    from ..scenario import read
    from ..simulate import simulate
    from .figures import fig_casualties, fig_outcomes, fig_shares
    from .maps import fig_map

    aleppo = read("aleppo-2016")
    res = simulate(aleppo, runs=size.batch, seed=0, days=size.days)
    return [*_png(fig_map(res, size.days - 1, aleppo), folder, "batch-control-end"),
            *_png(fig_outcomes(res), folder, "batch-outcomes"),
            *_png(fig_shares(res), folder, "batch-shares"),
            *_png(fig_casualties(res), folder, "batch-casualties")]


def _ensemble(folder: Path, size: Size) -> list[Path]:
    """An ensemble of aleppo-2016 over twice the days: map, outcomes, final casualties."""
    from ..ensemble import run_ensemble
    from .figures import fig_casualties, fig_outcomes
    from .maps import fig_map

    days = 2 * size.days
    res = run_ensemble("aleppo-2016", runs=size.ensemble, seed=0, days=days, workers=1,
                       progress=False)
    return [*_png(fig_map(res, days - 1), folder, "ensemble-control-end"),
            *_png(fig_outcomes(res), folder, "ensemble-outcomes"),
            *_png(fig_casualties(res), folder, "ensemble-casualties")]


def _syria(folder: Path, size: Size) -> list[Path]:
    """One run of syria-2016: the national map and the talks of three parties."""
    from ..scenario import read
    from ..simulate import simulate
    from .maps import fig_map
    from .talksfig import fig_talks

    syria = read("syria-2016")
    res = simulate(syria, runs=1, seed=0, days=size.syria_days)
    return [*_png(fig_map(res, size.syria_days - 1, syria), folder, "syria-control-end"),
            *_png(fig_talks(res), folder, "syria-talks")]


def _backtest(folder: Path, size: Size) -> list[Path]:
    """aleppo-2016 against its record."""
    from ..backtest import backtest
    from ..backtest.plot import plot_backtest

    return [plot_backtest(backtest("aleppo-2016", runs=size.backtest, seed=0),
                          folder / "backtest.png")]


def _sensitivity(folder: Path, size: Size) -> list[Path]:
    """Morris screening of aleppo-2016's uncertain numbers."""
    from ..analysis import sensitivity
    from ..analysis.sensitivity import plot_sensitivity
    from ..scenario import from_raw, read

    loaded = read("aleppo-2016")
    if size.uncertain is not None:
        raw = {**loaded.raw, "uncertain": loaded.raw["uncertain"][:size.uncertain]}
        loaded = from_raw(raw, file=loaded.file, builtin=True)
    res = sensitivity(loaded, method="morris", samples=size.morris,
                      runs=size.morris_runs, days=size.morris_days, seed=0)
    return [plot_sensitivity(res, folder / "sensitivity.png")]
