"""Numbers that carry their provenance.

A scenario number is written either bare (``population = 21039``), in which case the table
around it must give a ``source`` or an ``assumption`` for it, or inline with its own
provenance (``population = { value = 21039, source = "2004 census, https://..." }``).
Both forms load into a :class:`Quantity`; the engine reads only ``.value``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_serializer,
)

__all__ = ["WRAP", "Num", "Quantity", "bounds"]


class Quantity(BaseModel):
    """A number with an optional source (public reference) or assumption (the reason)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float
    source: str | None = None
    assumption: str | None = None

    def __float__(self) -> float:
        return self.value

    @property
    def has_provenance(self) -> bool:
        return bool(self.source) or bool(self.assumption)

    @model_serializer(mode="wrap")
    def _serialize(self, handler: Any) -> Any:
        # A bare number when the surrounding table carries the provenance: keeps files short.
        if not self.has_provenance:
            v = self.value
            return int(v) if v.is_integer() and abs(v) < 2**53 else v
        return {k: v for k, v in handler(self).items() if v is not None}


def _wrap_number(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("expected a number, got true/false")
    if isinstance(v, int | float):
        return {"value": v}
    return v


def bounds(ge: float | None = None, le: float | None = None,
           gt: float | None = None) -> AfterValidator:
    """A validator that keeps a Quantity's value inside bounds (use in Annotated)."""

    def check(q: Quantity) -> Quantity:
        x = q.value
        if x != x:  # NaN
            raise ValueError("must be a number, not nan")
        if ge is not None and x < ge:
            raise ValueError(f"must be >= {ge:g}, got {x:g}")
        if gt is not None and x <= gt:
            raise ValueError(f"must be > {gt:g}, got {x:g}")
        if le is not None and x > le:
            raise ValueError(f"must be <= {le:g}, got {x:g}")
        return q

    return AfterValidator(check)


#: Accepts a bare number or a {value, source|assumption} table.
WRAP = BeforeValidator(_wrap_number)

#: Any finite number with provenance.
Num = Annotated[Quantity, WRAP, bounds()]
