"""The building blocks of the scenario format: ids, ranges of numbers, provenance.

Every number a scenario holds has a finite range, declared here once with its reason (model
parameters: in parameters.toml) and enforced by validation; every table may give provenance
(a source or an assumption) for the bare numbers in it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .quantity import WRAP, Quantity, Range, bounds

__all__ = [
    "HORIZON",
    "ID_PATTERN",
    "Area",
    "Count",
    "Days",
    "DaysFromOne",
    "Entry",
    "Fighters",
    "Inflow",
    "Km",
    "Lat",
    "Lon",
    "Persons",
    "PlaceValue",
    "Sessions",
    "SessionsFromOne",
    "Sorties",
    "StakeShare",
    "StakeValue",
    "Unit",
    "Weight",
    "check_horizon",
    "whole_number",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

# Every number a scenario holds has a finite range, declared here once with its reason
# (model parameters: in parameters.toml) and enforced by validation. The upper ends lie far
# beyond any real war: they catch slips (an extra zero, 1e30) before they reach the engine.
Unit = Annotated[Quantity, WRAP, bounds(ge=0, le=1, why="a fraction")]
Lat = Annotated[Quantity, WRAP, bounds(ge=-90, le=90, why="degrees of latitude")]
Lon = Annotated[Quantity, WRAP, bounds(ge=-180, le=180, why="degrees of longitude")]
Area = Annotated[Quantity, WRAP, bounds(
    ge=0, le=2e7, why="more than the largest country, about 17 million km2")]
Count = Annotated[Quantity, WRAP, bounds(
    ge=0, le=1e6, why="more weapons or posts than any army has fielded")]
Persons = Annotated[Quantity, WRAP, bounds(
    ge=0, le=2e9, why="more people than live in any country")]
Fighters = Annotated[Quantity, WRAP, bounds(
    ge=0, le=1e7, why="more fighters than any army has held in one place")]
PlaceValue = Annotated[Quantity, WRAP, bounds(
    ge=0, le=1e6, why="a relative value, normalised before use")]
Weight = Annotated[Quantity, WRAP, bounds(ge=0, le=1e3, why="a relative weight")]
Km = Annotated[Quantity, WRAP, bounds(
    gt=0, le=20_038, why="half the Earth's circumference, the longest possible distance")]
Sorties = Annotated[Quantity, WRAP, bounds(
    ge=0, le=1e4, why="the 1991 Gulf War coalition flew about 3,000 a day at its peak")]
Inflow = Annotated[Quantity, WRAP, bounds(
    ge=0, le=1e5, why="far above any recorded flow of fighters into a war")]
Days = Annotated[Quantity, WRAP, bounds(ge=0, le=3650, why="ten years, the longest horizon")]
DaysFromOne = Annotated[Quantity, WRAP, bounds(
    ge=1, le=3650, why="ten years, the longest horizon")]
Sessions = Annotated[Quantity, WRAP, bounds(
    ge=0, le=1e6, why="a million sessions: held daily, 2,700 years; write 1e6 for never")]
SessionsFromOne = Annotated[Quantity, WRAP, bounds(
    ge=1, le=1e6, why="a million sessions: held daily, 2,700 years; write 1e6 for never")]
StakeShare = Annotated[Quantity, WRAP, bounds(ge=0, le=1, why="a share of the stake")]
StakeValue = Annotated[Quantity, WRAP, bounds(
    ge=0, le=100, why="stake units: a hundred times the whole stake")]
HORIZON = Range(1, 3650, "ten years")


def whole_number(v: Any) -> Any:
    """A whole number given as a {value, source|assumption} table (as patches write numbers)
    taken as the number itself; text refused as it is for every other number."""
    if isinstance(v, dict) and "value" in v and set(v) <= {"value", "source", "assumption"}:
        v = v["value"]
    if isinstance(v, str):
        raise PydanticCustomError("number_text", 'expected a number, got text "{text}"',
                                  {"text": v[:40]})
    return v


def check_horizon(v: int) -> int:
    if not HORIZON.low <= v <= HORIZON.high:
        sign = (">= ", HORIZON.low) if v < HORIZON.low else ("<= ", HORIZON.high)
        got = str(v) if abs(v) < 10**15 else f"a number of {len(str(abs(v))):,} digits"
        raise PydanticCustomError("out_of_range", "must be {bound}, got {got}", {
            "bound": f"{sign[0]}{sign[1]:g}", "got": got, "range": HORIZON.text(),
            "why": HORIZON.why})
    return v


check_horizon.range = HORIZON  # type: ignore[attr-defined]  # found by quantity.range_of


class Entry(BaseModel):
    """A table that may give provenance for all bare numbers inside it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = Field(
        None, description="Public reference for the bare numbers in this table (URL or a key "
        "of [references])."
    )
    assumption: str | None = Field(
        None, description="Why the bare numbers in this table are what they are, when no "
        "source gives them."
    )
