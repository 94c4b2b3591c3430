"""Small synthetic scenarios for the scenario format's capabilities (issue 15), as raw dicts
that each test changes before validating."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from ripeness.scenario import Scenario, from_raw

DATA = Path(__file__).parent / "data"
A = {"assumption": "test"}


def raw_of(name: str) -> dict[str, Any]:
    """A copy of tests/data/NAME.toml as a dict."""
    return copy.deepcopy(tomllib.loads((DATA / f"{name}.toml").read_text()))


def two_place(**talks: Any) -> dict[str, Any]:
    """tests/data/two_place_talks.toml: two parties that cannot attack each other, shares
    0.75 / 0.25 for ever, both optimistic by 0.1; ``talks`` changes the [talks] table."""
    raw = raw_of("two_place_talks")
    raw["talks"].update(talks)
    return raw


def backer(aid: str, **kw: Any) -> dict[str, Any]:
    return {"id": aid, "name": aid.title(), "kind": "backer", **A, **kw}


def scenario(raw: dict[str, Any]) -> Scenario:
    return from_raw(raw).scenario


def problems(raw: dict[str, Any]) -> list[str]:
    """Every error of a raw scenario as 'location: message | fix' (empty: it is valid)."""
    from ripeness.errors import ScenarioError

    try:
        from_raw(raw)
    except ScenarioError as e:
        return [f"{p.location}: {p.message} | {p.fix}" for p in e.errors]
    return []
