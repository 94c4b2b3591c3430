"""The model's parameters, declared once in ``parameters.toml`` and read here.

The registry drives scenario validation (unknown names, out-of-bounds values), the CLI's
``--set``, sensitivity sampling and the parameter table of the docs.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Parameter", "parse_registry", "registry"]


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
    return parse_registry(resources.files("ripeness").joinpath("parameters.toml")
                          .read_text("utf-8"))


def parse_registry(text: str) -> dict[str, Parameter]:
    """The parameters of a registry file; ValueError unless each has finite bounds with its
    default between them (the range every value of it is held to)."""
    out = {}
    for name, d in tomllib.loads(text).items():
        p = Parameter(name=name, **dict(d.items()))
        if not all(math.isfinite(x) for x in (p.low, p.default, p.high)):
            raise ValueError(f"{name}: low, default and high must be finite numbers")
        if not p.low <= p.default <= p.high:
            raise ValueError(f"{name}: default {p.default:g} outside [{p.low:g}, {p.high:g}]")
        out[name] = p
    return out
