"""Find the line of a key path in TOML text, so messages can point at it.

Best effort: table headers (``[a.b]``, ``[[a]]``) and ``key = value`` lines are indexed; a key
inside an inline table resolves to the line of its enclosing key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["line_index", "locate"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", key)
    return [a or b or c for a, b, c in parts]


def line_index(text: str) -> dict[Path, int]:
    """Map each key path (with array indices) to the 1-based line where it is written."""
    index: dict[Path, int] = {}
    counts: dict[Path, int] = {}
    table: Path = ()
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m and not _KEY.match(line):
            names = _split_key(m.group(2))
            path: list[str | int] = []
            for i, name in enumerate(names):
                path.append(name)
                key = tuple(path)
                last = i == len(names) - 1
                if last and m.group(1) == "[[":
                    counts[key] = counts.get(key, -1) + 1
                    path.append(counts[key])
                elif key in counts:
                    path.append(counts[key])
            table = tuple(path)
            index.setdefault(table, lineno)
            if m.group(1) == "[[":
                index.setdefault(table[:-1], lineno)
            continue
        k = _KEY.match(line)
        if k:
            index.setdefault(table + tuple(_split_key(k.group(1))), lineno)
    return index


def locate(index: dict[Path, int], loc: Sequence[str | int]) -> int | None:
    """Line of the longest prefix of ``loc`` that the index knows."""
    loc = tuple(loc)
    for n in range(len(loc), 0, -1):
        if loc[:n] in index:
            return index[loc[:n]]
    return None
