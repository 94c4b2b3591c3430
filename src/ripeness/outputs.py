"""Where ripeness writes: one rule for every command and every library ``save``.

A results folder is recognised by its ``manifest.json`` (a JSON object whose ``kind`` starts
with "ripeness"; results written before kinds existed carry ``"package": "ripeness"``). The rule:

* a new path, or an empty folder, is written;
* a results folder is replaced only with ``overwrite`` (``--overwrite``), and only if it holds
  nothing but what ripeness writes (a file of the user's inside is named; nothing is touched);
* anything else is refused, even with ``overwrite``: a folder of other things, a plain file,
  a symbolic link, the current folder or one above it, a place that cannot be written;
* a folder is written whole into ``.NAME.tmp-PID-HEX`` beside it and moved into place, the old
  one moved aside to ``.NAME.old-PID-HEX`` first and removed after, so a killed save leaves
  the old results or the new, never half. The next save to the same name removes what a dead
  process left (and puts back old results it had moved aside).

Single files (a patch, a figure) follow the same rule: new, or replaced with ``overwrite`` if
ripeness wrote them, written atomically. Failures are :class:`OutputError` (exit 2 from the
CLI), which names the path, what is wrong and the fix.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

__all__ = ["OutputDenied", "OutputError", "OutputExists", "atomic", "check_file",
           "check_folder", "chunk_file", "cleanup_stale", "clear", "drawn_by_ripeness",
           "results_kind", "strangers", "write_file", "write_folder"]

#: Files ripeness writes into results folders (run, ensemble, comparison, sensitivity,
#: discovery), and its sub-folders of chunks and figures.
FILES = frozenset({"manifest.json", "daily.nc", "events.parquet", "sessions.parquet",
                   "runs.parquet", "comparison.parquet", "baseline.parquet", "variant.parquet",
                   "sensitivity.csv", "points.csv", "sensitivity.png", "cases.csv",
                   "trajectory.csv"})
FIGURE_SUFFIXES = (".png", ".svg", ".pdf", ".gif")
_CHUNK = re.compile(r"^runs-\d{9}-\d{9}\.(npz|parquet)$")
_FIGURE = re.compile(r"^((control-\d{4}-\d{2}-\d{2}|shares|casualties|outcomes|talks)"
                     r"\.(png|svg|pdf)|control\.gif)$")
#: Why a write fails that the user fixes by writing elsewhere (other errors are not ours).
CANNOT_WRITE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC,
                          errno.EDQUOT, errno.EFBIG})
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}(\.\w+)?$")


class OutputError(OSError):
    """A path ripeness will not write: ``path``, the ``problem``, the ``fix``; ``flag`` is the
    command-line option that named it, where known."""

    def __init__(self, path: str | Path, problem: str, fix: str, flag: str | None = None):
        super().__init__(f"{path}: {problem}; fix: {fix}")
        self.path, self.problem, self.fix, self.flag = str(path), problem, fix, flag

    def __reduce__(self) -> tuple[type[OutputError], tuple[str, str, str, str | None]]:
        return type(self), (self.path, self.problem, self.fix, self.flag)

    def format(self) -> str:
        """Two lines for the terminal: the flag and path with what is wrong, then the fix."""
        where = f"{self.flag} {self.path}" if self.flag else self.path
        return f"{where}: {self.problem}\n    fix: {self.fix}"


class OutputExists(OutputError, FileExistsError):
    """Something is in the way: results without ``overwrite``, or things not ripeness's."""


class OutputDenied(OutputError, PermissionError):
    """The path cannot be written (permissions, a read-only file system)."""


def results_kind(path: Path) -> str | None:
    """The kind of ripeness results the folder's manifest declares, or None."""
    try:
        data = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("kind")
    if isinstance(kind, str) and kind.startswith("ripeness"):
        return kind
    return "ripeness run" if data.get("package") == "ripeness" else None


def _ours_inside(sub: Path) -> bool:
    """A sub-folder of chunks or figures that holds only what ripeness writes there."""
    names = [p.name for p in sub.iterdir()]
    if sub.name == "chunks":
        return all(chunk_file(n) for n in names)
    figures = results_kind(sub) == "ripeness figures"
    return all(_TEMP.match(n) or _FIGURE.match(n) or (
        figures and (n == "manifest.json" or n.endswith(FIGURE_SUFFIXES))) for n in names)


def chunk_file(name: str) -> bool:
    """A file ripeness writes into an ensemble's chunks/ folder (a chunk, or one being
    written)."""
    return bool(_CHUNK.match(name) or _TEMP.match(name))


def strangers(path: Path) -> list[str]:
    """Entries of a results folder that ripeness did not write there."""
    figures = results_kind(path) == "ripeness figures"
    out = []
    for p in sorted(path.iterdir()):
        n = p.name
        if _TEMP.match(n) or (n in FILES and p.is_file() and not p.is_symlink()):
            continue
        if figures and p.is_file() and n.endswith(FIGURE_SUFFIXES):
            continue
        if n in ("chunks", "figures") and p.is_dir() and not p.is_symlink() and _ours_inside(p):
            continue
        out.append(n + ("/" if p.is_dir() else ""))
    return out


def _listing(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _writable(target: Path, start: Path, flag: str | None) -> None:
    """The nearest existing folder at or above ``start`` can be written (to make ``target``)."""
    p = start
    while not p.exists() and p != p.parent:
        p = p.parent
    if not p.is_dir():
        raise OutputExists(target, f"{p} is a file, so no folder can be made under it",
                           "choose a path whose folders are folders", flag)
    if not os.access(p, os.W_OK | os.X_OK):
        raise OutputDenied(target, f"cannot write in {p} (no permission, or a read-only file "
                           "system)", "choose a folder you can write to, e.g. one under "
                           "your home folder", flag)


def _not_here(path: Path, flag: str | None) -> None:
    """Refuse the current folder, a folder above it, and symbolic links."""
    real, cwd = path.resolve(), Path.cwd().resolve()
    if real == cwd or real in cwd.parents:
        what = "the current folder" if real == cwd else "a folder above the current one"
        raise OutputExists(path, f"is {what}: results need a folder of their own",
                           "give a new folder name for them, e.g. results/run1", flag)
    if path.is_symlink():
        raise OutputExists(path, "is a symbolic link", "give the real path, or a new name",
                           flag)


def check_folder(path: str | Path, overwrite: bool = False, flag: str | None = None,
                 hint: str = "") -> Path:
    """Raise :class:`OutputError` unless ``path`` may be written as a results folder (see the
    module's rule); ``hint`` adds another way out to the fix for existing results."""
    p = Path(path)
    _not_here(p, flag)
    if p.exists() and not p.is_dir():
        raise OutputExists(p, "is a file, not a results folder", "give a new folder name "
                           "(the file was left as it is)", flag)
    if p.is_dir():
        try:
            names = sorted(x.name for x in p.iterdir())
        except OSError as e:
            raise OutputDenied(p, f"cannot be read ({e.strerror})", "choose a folder you "
                               "can read and write", flag) from None
        if names:
            _check_results(p, names, overwrite, flag, hint)
    _writable(p, p if p.is_dir() else p.parent, flag)
    if p.is_dir():
        _writable(p, p.parent, flag)
    return p


def _check_results(p: Path, names: list[str], overwrite: bool, flag: str | None,
                   hint: str) -> None:
    kind = results_kind(p)
    if kind is None:
        raise OutputExists(p, f"holds files that are not ripeness results ({_listing(names)})",
                           "give a new folder name; nothing there was changed", flag)
    others = strangers(p)
    if others:
        raise OutputExists(p, f"holds {kind} results and also {_listing(others)}, which "
                           "ripeness did not write", "move those elsewhere, or give a new "
                           "folder name; nothing there was changed", flag)
    if not overwrite:
        more = f", {hint}" if hint else ""
        raise OutputExists(p, f"already holds results ({kind})", "add --overwrite to "
                           f"replace them{more}, or give a new folder name", flag)


def check_file(path: str | Path, overwrite: bool = False, flag: str | None = None,
               ours: Callable[[Path], bool] | None = None) -> Path:
    """Raise :class:`OutputError` unless ``path`` may be written as one file: new, or with
    ``overwrite`` a file that ``ours`` recognises as written by ripeness."""
    p = Path(path)
    if p.is_dir() or p.is_symlink():
        what = "a folder" if p.is_dir() else "a symbolic link"
        raise OutputExists(p, f"is {what}", "give the name of a file to write", flag)
    if p.exists():
        if ours is not None and not ours(p):
            raise OutputExists(p, "exists and was not written by ripeness", "give a new "
                               "file name; the file was left as it is", flag)
        if not overwrite:
            raise OutputExists(p, "already exists", "add --overwrite to replace it, or give "
                               "a new file name", flag)
    _writable(p, p.parent, flag)
    return p


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process, maybe another thread: never ours to remove
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def cleanup_stale(path: str | Path) -> None:
    """Remove the temporary files and folders a dead process left beside ``path`` while saving
    it; if it had moved old results aside and died before putting the new ones in place, the
    old ones go back to ``path``."""
    p = Path(path)
    parent = p.parent
    try:
        entries = list(parent.glob(f".{glob_escape(p.name)}.*-*"))
    except OSError:
        return
    for e in sorted(entries, key=lambda x: x.name):
        m = _TEMP.match(e.name)
        if not m or m["name"] != p.name or _alive(int(m["pid"])):
            continue
        if m["what"] == "old" and not p.exists() and not p.is_symlink():
            os.replace(e, p)
        elif e.is_dir() and not e.is_symlink():
            shutil.rmtree(e, ignore_errors=True)
        else:
            e.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _temp(path: Path, what: str, suffix: str = "") -> Path:
    return path.parent / f".{path.name}.{what}-{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def _denied(path: Path, e: OSError, flag: str | None) -> OutputDenied:
    return OutputDenied(path, f"cannot be written ({e.strerror or e})", "choose a folder you "
                        "can write to, with free space", flag)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_folder(directory: str | Path, write: Callable[[Path], object],
                 overwrite: bool = False, flag: str | None = None) -> Path:
    """A results folder written by ``write(tmp)`` into a temporary folder beside it and moved
    into place whole, after :func:`check_folder`; returns the folder."""
    target = Path(directory)
    cleanup_stale(target)
    check_folder(target, overwrite, flag)
    tmp = _temp(target, "tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as e:
        raise _denied(target, e, flag) from None
    try:
        write(tmp)
        tmp.chmod(0o777 & ~_umask())
        _swap(tmp, target)
    except OSError as e:
        if isinstance(e, OutputError) or e.errno not in CANNOT_WRITE:
            raise
        raise _denied(target, e, flag) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _swap(tmp: Path, target: Path) -> None:
    """Put ``tmp`` at ``target``; an old ``target`` is moved aside first, removed after."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = _temp(target, "old")
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it (same suffix, so
    writers that go by it still work), then move it in."""
    tmp = _temp(path, "tmp", path.suffix)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_file(path: str | Path, write: Callable[[Path], object], overwrite: bool = False,
               flag: str | None = None, ours: Callable[[Path], bool] | None = None) -> Path:
    """One file written atomically by ``write(tmp)`` after :func:`check_file`."""
    p = Path(path)
    cleanup_stale(p)
    check_file(p, overwrite, flag, ours)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        return atomic(p, write)
    except OSError as e:
        if isinstance(e, OutputError) or e.errno not in CANNOT_WRITE:
            raise
        raise _denied(p, e, flag) from e


def drawn_by_ripeness(path: Path) -> bool:
    """A figure file (PNG, SVG, PDF) that matplotlib drew: what ``--plot FILE`` may replace."""
    if not path.name.endswith(FIGURE_SUFFIXES):
        return False
    with path.open("rb") as f:
        head = f.read(8192)
        f.seek(max(0, path.stat().st_size - 8192))
        tail = f.read()
    return b"atplotlib" in head or b"atplotlib" in tail


def clear(path: Path) -> None:
    """Remove what ripeness wrote in a results folder, leaving the folder and anything else
    in it (:func:`check_folder` refuses a folder with anything else before this runs)."""
    keep = {n.rstrip("/") for n in strangers(path)}
    for p in path.iterdir():
        if p.name in keep:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)
