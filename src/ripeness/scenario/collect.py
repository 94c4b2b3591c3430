"""What the semantic checks share: the collector of problems and the look-ups of ids.

:mod:`.validate` checks a scenario's references, dates, parameters and provenance;
:mod:`.checks` the tables added for wars of other kinds. Both report through a
:class:`_Collector`, each problem with its file, line, key path and fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Problem, ScenarioError, near
from .locate import line_index, locate
from .schema import Scenario

__all__ = ["KINDS", "Loc", "_Collector", "_duplicates", "_each", "_plays", "_ref", "_roles"]

Loc = tuple[str | int, ...]
KINDS = ("belligerent", "backer", "mediator")


class _Collector:
    def __init__(self, file: str, text: str, raw: dict[str, Any]) -> None:
        self.file, self.raw = file, raw
        self.index = line_index(text) if text else {}
        self.problems: list[Problem] = []
        self._base: set[tuple[str, str]] | None = None
        self.partial = False  # checking the entries that passed a failed schema

    def base_errors(self) -> set[tuple[str, str]]:
        """(location, message) of the errors the scenario has without any patch: a patch that
        merely inherits one of them is not blamed for it (it is reported once, where it is)."""
        from .load import from_raw

        if self._base is None:
            try:
                from_raw(self.raw, file=self.file, strict=False, check_patches=False)
                self._base = set()
            except ScenarioError as e:
                self._base = {(p.location, p.message) for p in e.errors}
        return self._base

    def add(self, loc: Loc, message: str, fix: str, severity: str = "error") -> None:
        from .messages import format_loc

        self.problems.append(Problem(
            file=self.file, location=format_loc(loc, self.raw), message=message, fix=fix,
            severity=severity,  # type: ignore[arg-type]
            line=locate(self.index, loc),
        ))


def _ref(c: _Collector, loc: Loc, value: str, known: Mapping[str, Any] | Sequence[str],
         what: str) -> None:
    if value not in known:
        names = ", ".join(list(known)[:12]) + (" ..." if len(known) > 12 else "")
        guess = near(value, known)
        c.add(loc, f"unknown {what} '{value}'", (f"{guess} Otherwise use" if guess else "use")
              + f" one of: {names}")


def _duplicates(c: _Collector, name: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for i, k in enumerate(keys):
        if k in seen:
            c.add((name, i), f"duplicate {name} entry '{k}'",
                  "remove one of the two entries or give it another id")
        seen.add(k)


def _each(entries: Sequence[Any]) -> list[tuple[int, Any]]:
    """(index, entry) of the entries that passed the schema (the others are None)."""
    return [(i, e) for i, e in enumerate(entries) if e is not None]


def _roles(s: Scenario, c: _Collector) -> dict[str, set[str]]:
    """id -> the roles of every actor that names an id (its kind and further roles; from the
    raw file where there is one, so that an entry that failed the schema still counts)."""
    if not c.raw:
        return {a.id: {a.kind, *a.roles} for a in s.actors}
    entries = c.raw.get("actors")
    out: dict[str, set[str]] = {}
    for e in entries if isinstance(entries, list) else []:
        if isinstance(e, dict) and isinstance(e.get("id"), str):
            roles: list[Any] = e["roles"] if isinstance(e.get("roles"), list) else []
            out[e["id"]] = {r for r in [e.get("kind"), *roles] if isinstance(r, str)}
    return out


def _plays(c: _Collector, loc: Loc, who: str, roles: dict[str, set[str]], role: str) -> None:
    """An error where a known actor does not play ``role`` (an unknown one is reported by
    :func:`_ref`)."""
    have = roles.get(who)
    if have is not None and role not in have and have & set(KINDS):
        c.add(loc, f"'{who}' is a {' and '.join(sorted(have & set(KINDS)))}, not a {role}",
              f"name an actor of kind = \"{role}\", or add \"{role}\" to the roles of "
              f"'{who}'")
