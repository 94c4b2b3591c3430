"""The model's parameters, declared once in ``parameters.toml`` and read here.

The registry drives scenario validation (unknown names, out-of-bounds values), the CLI's
``--set``, sensitivity sampling and the parameter table of the docs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Parameter", "registry"]


@dataclass(frozen=True)
class Parameter:
    name: str
    default: float
    low: float
    high: float
    unit: str
    group: str
    description: str
    per_actor: bool = False
    source: str | None = None
    assumption: str | None = None

    @property
    def provenance(self) -> str:
        return self.source or self.assumption or ""


@cache
def registry() -> dict[str, Parameter]:
    """All declared parameters by name, in file order."""
    text = resources.files("ripeness").joinpath("parameters.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return {name: Parameter(name=name, **{k: v for k, v in d.items()}) for name, d in raw.items()}
