"""An ensemble's folder on disk: its identity, chunk files written atomically, resume.

Layout: DIR/manifest.json (written first, with the ensemble's identity, status 'running'),
DIR/chunks/ (one ``runs-FIRST-LAST.npz`` and ``.parquet`` pair per finished chunk; the parquet
file is written last and marks the chunk done), then DIR/runs.parquet, DIR/daily.nc and the
manifest (status 'complete') at the end, when chunks/ is removed: a finished ensemble has the
layout of a run's folder (:mod:`ripeness.results`). Every file is written to a temporary name
in its own folder and moved into place with ``os.replace``, so a killed process leaves either
the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..outputs import (
    OutputDenied,
    atomic,
    check_folder,
    chunk_file,
    cleanup_stale,
    clear,
    write_folder,
)
from .chunk import Chunk, ChunkSpec

__all__ = ["IDENTITY", "KIND", "EnsembleError", "Folder", "atomic", "finished", "jsonable",
           "open_folder", "write_folder", "write_json"]

#: Manifest keys that must match for ``--resume`` to reuse a folder's chunks.
IDENTITY = ("scenario", "scenario_hash", "version", "seed", "days", "chunk", "whatif", "sets")
KIND = "ripeness ensemble"


class EnsembleError(Exception):
    """A mistake the user can fix (folder exists, resume mismatch, scheduler unreachable)."""


def jsonable(x: Any) -> Any:
    """``x`` as plain JSON values (dates and other TOML values as text)."""
    return json.loads(json.dumps(x, default=str))


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """A JSON file, atomically."""
    text = json.dumps(data, indent=2, default=str) + "\n"

    def write(p: Path) -> None:
        p.write_text(text)
    return atomic(path, write)


def _save_arrays(chunk: Chunk) -> Callable[[Path], None]:
    share, control = chunk.share, chunk.control
    assert share is not None and control is not None, "a chunk without bands"

    def write(p: Path) -> None:
        with p.open("wb") as f:
            np.savez(f, share=share, control=control)
    return write


@dataclass(frozen=True)
class Folder:
    """An ensemble folder that this process may write; ``previous``: the manifest of the
    finished ensemble this one extends (``--resume`` with more runs), if any."""

    path: Path
    previous: dict[str, Any] | None = None

    @property
    def chunks(self) -> Path:
        return self.path / "chunks"

    def has(self, spec: ChunkSpec) -> bool:
        """The chunk's files are complete (its parquet file is written last)."""
        return (self.chunks / f"{spec.name}.parquet").is_file()

    def write(self, chunk: Chunk) -> None:
        """Save one finished chunk: arrays first, then the run table that marks it done."""
        stem = self.chunks / chunk.spec.name
        atomic(stem.with_suffix(".npz"), _save_arrays(chunk))
        atomic(stem.with_suffix(".parquet"),
               lambda p: chunk.runs.to_parquet(p, index=False))

    def read(self, spec: ChunkSpec) -> Chunk:
        """A chunk saved by :meth:`write`."""
        stem = self.chunks / spec.name
        with np.load(stem.with_suffix(".npz"), allow_pickle=False) as z:
            share, control = z["share"], z["control"]
        return Chunk(spec, pd.read_parquet(stem.with_suffix(".parquet")), share, control)

    def discard(self, made: bool) -> None:
        """Undo a start that finished no chunk: remove the manifest and the empty chunks
        folder, and the folder itself if this start ``made`` it (nothing else is touched); an
        extension gets back the manifest of the finished ensemble it extends."""
        if any(self.chunks.glob("runs-*.parquet")):
            return
        self.clean()
        if self.previous is not None:
            write_json(self.path / "manifest.json", self.previous)
        else:
            (self.path / "manifest.json").unlink(missing_ok=True)
        for p in (self.chunks, self.path) if made else (self.chunks,):
            with contextlib.suppress(OSError):
                p.rmdir()  # only if empty

    def finish(self) -> None:
        """The result is written: remove the chunks (only the files ripeness wrote there; a
        file put there by hand keeps the folder)."""
        if self.chunks.is_symlink() or not self.chunks.is_dir():
            return
        for p in self.chunks.iterdir():
            if chunk_file(p.name) and p.is_file() and not p.is_symlink():
                p.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.chunks.rmdir()  # only if empty

    def clean(self) -> None:
        """Remove temporary files left by a process that was killed while writing."""
        for p in self.chunks.glob(".*.tmp-*"):
            p.unlink(missing_ok=True)
        for p in self.path.glob(".*.tmp-*"):
            p.unlink(missing_ok=True)


def _mismatch(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f"{k} {old.get(k)!r}, not {new[k]!r}" for k in IDENTITY
            if jsonable(old.get(k)) != jsonable(new[k])]


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("kind") == KIND else None


def _unstarted(path: Path, old: dict[str, Any]) -> bool:
    """An ensemble that started and finished no chunk (a failed or killed start): nothing in
    it is worth keeping, so any command may use the folder again."""
    chunks = path / "chunks"
    return old.get("status") == "running" and not (path / "runs.parquet").exists() and not (
        chunks.is_dir() and any(chunks.glob("runs-*.parquet")))


def finished(out: str | Path, manifest: dict[str, Any]) -> bool:
    """``out`` holds the finished ensemble that ``manifest`` describes, with as many runs:
    ``--resume`` has nothing left to do there."""
    path = Path(out)
    old = _read_manifest(path) if path.is_dir() and not path.is_symlink() else None
    return (old is not None and old.get("status") == "complete"
            and old.get("runs") == manifest["runs"] and (path / "runs.parquet").is_file()
            and not _mismatch(old, {k: manifest[k] for k in IDENTITY}))


def open_folder(out: str | Path, manifest: dict[str, Any], resume: bool,
                overwrite: bool) -> Folder:
    """The folder to write, after checking that it is new, empty, an ensemble of the same
    identity (``resume``) or results to replace (``overwrite``: the rule of
    :mod:`ripeness.outputs`); then ``manifest`` (the identity and the plan, status 'running')
    is written into it. Raises OutputError or EnsembleError otherwise."""
    path = Path(out)
    cleanup_stale(path)
    old = _read_manifest(path) if path.is_dir() and not path.is_symlink() else None
    previous = None
    if old is not None and _unstarted(path, old):
        check_folder(path, overwrite=True)  # still only ripeness's files
        clear(path)
    elif resume and old is not None:
        _check_resume(path, old, manifest)
        previous = old if old.get("status") == "complete" else old.get("extends")
    else:
        check_folder(path, overwrite, hint="--resume to continue an ensemble there")
        if path.is_dir():
            clear(path)
    folder = Folder(path, previous)
    try:
        folder.chunks.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputDenied(path, f"cannot be written ({e.strerror})", "choose a folder you "
                           "can write to") from None
    folder.clean()
    extends = {"extends": previous} if previous is not None else {}
    write_json(path / "manifest.json", {"kind": KIND, **manifest, "status": "running",
                                        **extends})
    return folder


def _check_resume(path: Path, old: dict[str, Any], manifest: dict[str, Any]) -> None:
    """``--resume`` continues the ensemble in ``path`` only with the same identity and at least
    as many runs (more extend it); anything else would rewrite it."""
    identity = {k: manifest[k] for k in IDENTITY}
    if wrong := _mismatch(old, identity):
        raise EnsembleError(f"cannot resume {path}: it holds an ensemble of "
                            + "; ".join(wrong) + " (use another folder or --overwrite)")
    had, runs = old.get("runs"), manifest["runs"]
    if isinstance(had, int) and runs < had:
        raise EnsembleError(f"cannot resume {path} with --runs {runs:,}: it holds an ensemble "
                            f"of {had:,} runs, and --resume never drops runs; fix: --resume "
                            f"--runs {had} (or more, to extend it), or write {runs:,} runs to "
                            "another folder")
