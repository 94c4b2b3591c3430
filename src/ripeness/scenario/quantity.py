"""Numbers that carry their provenance.

A scenario number is written either bare (``population = 21039``), in which case the table
around it must give a ``source`` or an ``assumption`` for it, or inline with its own
provenance (``population = { value = 21039, source = "2004 census, https://..." }``).
Both forms load into a :class:`Quantity`; the engine reads only ``.value``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

__all__ = ["WRAP", "Num", "Param", "Quantity", "Range", "bounds", "range_of"]


class Quantity(BaseModel):
    """A number with an optional source (public reference) or assumption (the reason)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    value: float
    source: str | None = None
    assumption: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _not_huge(cls, v: Any) -> Any:
        """An integer beyond float's range (1e308) is refused like inf, in words."""
        if isinstance(v, int) and not isinstance(v, bool):
            try:
                float(v)
            except OverflowError:
                digits = int(v.bit_length() * math.log10(2)) + 1
                raise PydanticCustomError(
                    "finite_number", "must be a finite number, got an integer of about "
                    "{digits} digits", {"digits": f"{digits:,}"}) from None
        return v

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


def _what(v: Any) -> str:
    if isinstance(v, list):
        return "a list"
    return f"a {type(v).__name__}" if not hasattr(v, "isoformat") else "a date"


def _wrap_number(v: Any) -> Any:
    """A bare number as a {value} table; anything else but a table is refused here, with a
    message that says what was written instead of a number."""
    if isinstance(v, bool):
        raise PydanticCustomError("number_type", "expected a number, got true/false")
    if isinstance(v, int | float):
        return {"value": v}
    if isinstance(v, str):
        raise PydanticCustomError("number_text", 'expected a number, got text "{text}"',
                                  {"text": v[:40]})
    if isinstance(v, dict):
        return v
    raise PydanticCustomError("number_type", "expected a number, got {what}", {"what": _what(v)})


@dataclass(frozen=True)
class Range:
    """The range a number must lie in, and why: declared once, on the number's type."""

    low: float
    high: float
    why: str
    open_low: bool = False  # low itself excluded (> low)

    def text(self) -> str:
        """'from 0 to 1' or 'above 0 and at most 20,037'."""
        if self.open_low:
            return f"above {self.low:g} and at most {self.high:g}"
        return f"from {self.low:g} to {self.high:g}"


def bounds(ge: float | None = None, le: float | None = None, gt: float | None = None,
           why: str = "") -> AfterValidator:
    """A validator that keeps a Quantity's value inside bounds (use in Annotated); the bounds
    are kept on it as a :class:`Range` (see :func:`range_of`)."""
    low = ge if ge is not None else gt if gt is not None else -math.inf
    rng = Range(low=low, high=math.inf if le is None else le, why=why, open_low=gt is not None)

    def check(q: Quantity) -> Quantity:
        x = q.value
        ctx = {"got": f"{x:g}", "range": rng.text(), "why": why}
        if ge is not None and x < ge:
            raise PydanticCustomError("out_of_range", "must be >= {low}, got {got}",
                                      {**ctx, "low": f"{ge:g}"})
        if gt is not None and x <= gt:
            raise PydanticCustomError("out_of_range", "must be > {low}, got {got}",
                                      {**ctx, "low": f"{gt:g}"})
        if le is not None and x > le:
            raise PydanticCustomError("out_of_range", "must be <= {high}, got {got}",
                                      {**ctx, "high": f"{le:g}"})
        return q

    check.range = rng  # type: ignore[attr-defined]
    return AfterValidator(check)


def range_of(metadata: Any) -> Range | None:
    """The Range declared among a field's metadata, if any."""
    for m in metadata:
        rng = getattr(getattr(m, "func", None), "range", None)
        if isinstance(rng, Range):
            return rng
    return None


#: Accepts a bare number or a {value, source|assumption} table.
WRAP = BeforeValidator(_wrap_number)

#: A model parameter (an actor's `params`, `[parameters]`): finite here, its range is the
#: parameter registry's (parameters.toml), checked by validation.
Param = Annotated[Quantity, WRAP, bounds(why="registry")]

#: A number whose range is that of the number it names (the ends of an [[uncertain]] range):
#: finite here, checked against that number's range by validation.
Num = Annotated[Quantity, WRAP, bounds(why="the number it names")]
