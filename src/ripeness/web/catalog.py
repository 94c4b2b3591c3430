"""The scenarios the server offers: the built-in ones and the files users uploaded.

An upload is checked with the library's own reader (every problem at once, with the line and
the fix) and, if valid, kept as DATA/uploads/upload-HASH.toml, named by a hash of its text, so
the same file uploaded twice is one scenario and a name never points at changed content.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from ..scenario import Loaded, builtin_scenarios, read

__all__ = ["NAME_PATTERN", "Catalog", "UnknownScenario", "problem_dict"]

#: Scenario names in URLs and requests: built-in names and ``upload-<12 hex digits>``.
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_UPLOAD = re.compile(r"^upload-[0-9a-f]{12}$")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class UnknownScenario(LookupError):
    """No built-in or uploaded scenario of that name."""


def problem_dict(p: Problem) -> dict[str, Any]:
    """A problem as JSON values."""
    return {"file": p.file, "location": p.location, "line": p.line, "column": p.column,
            "severity": p.severity, "message": p.message, "fix": p.fix, "text": p.format()}


def _display_name(filename: str | None) -> str:
    """The uploaded file's own name, reduced to safe characters (never a server path)."""
    base = Path(filename or "").name
    return (_SAFE.sub("_", base)[:80] or "scenario.toml").lstrip(".") or "scenario.toml"


def _rename(problems: list[Problem] | tuple[Problem, ...], temp: str, shown: str
            ) -> list[Problem]:
    return [replace(p, file=p.file.replace(temp, shown)) for p in problems]


class Catalog:
    """Built-in scenarios and uploads under ``folder``, read once and kept (they are
    immutable: built-in files ship with the package, uploads are named by their hash)."""

    def __init__(self, folder: Path, max_uploads: int) -> None:
        self.folder = folder
        self.max_uploads = max_uploads
        self._cache: dict[str, Loaded] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """Built-in names, then uploads (oldest first)."""
        ups = sorted(self.folder.glob("upload-*.toml"), key=lambda p: p.stat().st_mtime)
        return [*builtin_scenarios(), *(p.stem for p in ups if _UPLOAD.match(p.stem))]

    def ref(self, name: str) -> str:
        """What :func:`ripeness.scenario.read` takes for ``name``: the built-in name or the
        upload's path."""
        if name in builtin_scenarios():
            return name
        path = self.folder / f"{name}.toml"
        if _UPLOAD.match(name) and path.is_file():
            return str(path)
        raise UnknownScenario(f"no scenario named '{name}': use one of "
                              f"{', '.join(self.names())} (GET /api/scenarios)")

    def builtin(self, name: str) -> bool:
        return name in builtin_scenarios()

    def loaded(self, name: str) -> Loaded:
        """The validated scenario ``name`` (read once)."""
        with self._lock:
            hit = self._cache.get(name)
        if hit is not None:
            return hit
        loaded = read(self.ref(name))
        with self._lock:
            self._cache[name] = loaded
        return loaded

    def check(self, data: bytes, filename: str | None) -> tuple[Loaded | None, list[Problem]]:
        """Validate an uploaded file: (the scenario or None, every problem found). Problems
        name the uploaded file, never a path on the server."""
        shown = _display_name(filename)
        with tempfile.TemporaryDirectory(prefix="ripeness-upload-") as tmp:
            path = Path(tmp) / (shown if shown.endswith(".toml") else shown + ".toml")
            path.write_bytes(data)
            try:
                loaded = read(path)
            except ScenarioError as e:
                return None, _rename(e.problems, str(path), shown)
        return loaded, _rename(loaded.warnings, str(path), shown)

    def add(self, data: bytes) -> str:
        """Keep a validated upload; its name. Raises OverflowError when the store is full."""
        name = "upload-" + hashlib.sha256(data).hexdigest()[:12]
        path = self.folder / f"{name}.toml"
        if not path.is_file():
            if len(self.names()) - len(builtin_scenarios()) >= self.max_uploads:
                raise OverflowError(f"the server keeps at most {self.max_uploads} uploaded "
                                    "scenarios (limit 'uploads')")
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return name
