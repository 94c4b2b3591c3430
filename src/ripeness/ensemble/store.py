"""An ensemble's folder on disk: its identity, chunk files written atomically, resume.

Layout: DIR/manifest.json (written first, with the ensemble's identity), DIR/chunks/ (one
``runs-FIRST-LAST.npz`` and ``.parquet`` pair per finished chunk; the parquet file is written
last and marks the chunk done), then DIR/runs.parquet and DIR/daily.nc at the end. Every file
is written to a temporary name in its own folder and moved into place with ``os.replace``, so
a killed process leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .chunk import Chunk, ChunkSpec

__all__ = ["IDENTITY", "KIND", "EnsembleError", "Folder", "atomic", "jsonable", "open_folder",
           "replaceable", "write_folder", "write_json"]

#: Manifest keys that must match for ``--resume`` to reuse a folder's chunks.
IDENTITY = ("scenario", "scenario_hash", "version", "seed", "days", "chunk", "whatif", "sets")
KIND = "ripeness ensemble"
RESULTS = ("manifest.json", "runs.parquet", "daily.nc", "chunks")


class EnsembleError(Exception):
    """A mistake the user can fix (folder exists, resume mismatch, scheduler unreachable)."""


def atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it, then move it in."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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
    """An ensemble folder that this process may write."""

    path: Path

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


def replaceable(path: Path) -> bool:
    """``path`` is an empty folder or holds ripeness results (so --overwrite may replace
    it: never a folder of other things)."""
    if not path.is_dir():
        return False
    try:
        kind = json.loads((path / "manifest.json").read_text()).get("kind", "")
    except (OSError, ValueError, AttributeError):
        kind = ""
    return not any(path.iterdir()) or str(kind).startswith("ripeness")


def write_folder(directory: str | Path, write: Callable[[Path], None],
                 overwrite: bool = False) -> Path:
    """A folder of results, written by ``write(tmp)`` into a temporary folder beside it and
    moved into place whole; an existing one is replaced only with ``overwrite``."""
    target = Path(directory)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} already exists; choose another folder or add "
                              "--overwrite (overwrite=True) to replace it")
    if target.exists() and not replaceable(target):
        raise FileExistsError(f"{target} exists and does not hold ripeness results; choose "
                              "another folder (nothing there was changed)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        write(tmp)
        tmp.chmod(0o777 & ~_umask())
        if target.exists():
            old = tmp.with_name(tmp.name + "-old")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _clear(path: Path) -> None:
    """Remove an ensemble's own files (never anything else in the folder)."""
    for name in RESULTS:
        p = path / name
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)


def open_folder(out: str | Path, manifest: dict[str, Any], resume: bool,
                overwrite: bool) -> Folder:
    """The folder to write, after checking that it is new, empty, or an ensemble of the same
    identity (``resume``) or one to replace (``overwrite``); then ``manifest`` (the identity
    and the plan, status 'running') is written into it. Raises EnsembleError otherwise."""
    identity = {k: manifest[k] for k in IDENTITY}
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise EnsembleError(f"{path} is a file, not a folder; choose another --out")
    busy = path.is_dir() and any(path.iterdir())
    if busy:
        old = _read_manifest(path)
        if old is None:
            raise EnsembleError(f"{path} exists and does not hold an ensemble; choose another "
                                "folder (nothing there was changed)")
        if overwrite:
            _clear(path)
        elif not resume:
            raise EnsembleError(f"{path} already holds an ensemble; add --resume to continue "
                                "it, --overwrite to replace it, or choose another folder")
        elif wrong := _mismatch(old, identity):
            raise EnsembleError(f"cannot resume {path}: it holds an ensemble of "
                                + "; ".join(wrong) + " (use another folder or --overwrite)")
    folder = Folder(path)
    folder.chunks.mkdir(parents=True, exist_ok=True)
    folder.clean()
    write_json(path / "manifest.json", {"kind": KIND, **manifest, "status": "running"})
    return folder
