"""Problems found in user input, collected and reported together.

Every problem names the file, the place in it (a key path such as ``places[3].population``
and the line where known), what is wrong and how to fix it. Validation gathers all problems
before raising, so a user fixes a scenario in one pass rather than one error at a time.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

__all__ = ["Problem", "ScenarioError", "near"]


def near(word: str, choices: Iterable[str]) -> str:
    """"did you mean 'x'?" for the choice closest to a misspelt ``word``, or ""."""
    found = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{found[0]}'?" if found else ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in an input file."""

    file: str
    location: str
    message: str
    fix: str
    severity: Severity = "error"
    line: int | None = None
    column: int | None = None

    def format(self) -> str:
        """One or two lines a person can act on: where, what, how to fix."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        loc = f" [{self.location}]" if self.location else ""
        return f"{where}{loc}: {self.severity}: {self.message}\n    fix: {self.fix}"


@dataclass
class ScenarioError(Exception):
    """Raised when a scenario has errors; carries every problem found, warnings included."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def __str__(self) -> str:
        n = len(self.errors)
        head = f"{n} error{'s' if n != 1 else ''} in scenario"
        return head + "\n" + "\n".join(p.format() for p in self.problems)
