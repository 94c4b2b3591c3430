"""Properties of scenario loading: round trips, and robustness to arbitrary corruption."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ripeness
from ripeness.scenario import builtin_scenarios, dump, from_raw, read

from .conftest import TOY

SCENARIOS = [TOY, *builtin_scenarios().values()]
# Fuzzing validates each mutated copy twice; the national scenario makes that slow, so the
# default run fuzzes the toy and aleppo-2016 (same schema and validator code paths).
FUZZED = [TOY, builtin_scenarios()["aleppo-2016"]]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: Path(p).parent.name)
def test_load_dump_load_round_trips(path: Path, tmp_path: Path) -> None:
    first = read(path).scenario
    out = tmp_path / "again.toml"
    out.write_text(dump(first))
    second = read(out).scenario
    assert second == first
    assert ripeness.scenario.scenario_hash(second) == ripeness.scenario.scenario_hash(first)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            out += _paths(v, (*prefix, i))
    return out


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


REPLACEMENTS = st.one_of(
    st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(max_size=8), st.just([]), st.just({}), st.just([1, "x"]),
    st.just(dt.date(1999, 1, 1)), st.just({"value": "x"}), st.just({"value": 1}),
)


def _mutate(raw: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    path = data.draw(st.sampled_from(_paths(raw)))
    parent: Any = raw
    for part in path[:-1]:
        parent = parent[part]
    op = data.draw(st.sampled_from(["delete", "retype", "swap-reference"]))
    if op == "delete":
        del parent[path[-1]]
    elif op == "retype":
        parent[path[-1]] = data.draw(REPLACEMENTS)
    else:
        parent[path[-1]] = data.draw(st.sampled_from(_strings(raw)))
    return raw


@pytest.mark.parametrize("path", FUZZED, ids=lambda p: Path(p).parent.name)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_never_raise_unhandled(path: Path, data: st.DataObject) -> None:
    raw = tomllib.loads(Path(path).read_text())
    mutated = _mutate(raw, data)
    try:
        from_raw(mutated, file="mutated.toml", strict=True)
    except ripeness.ScenarioError as e:
        assert e.problems and all(p.message and p.fix for p in e.problems)
    # The same through the file path, when the mutation is still representable as TOML.
    try:
        text = tomli_w.dumps(mutated)
    except (TypeError, ValueError):
        return
    with contextlib.suppress(ripeness.ScenarioError):
        from_raw(tomllib.loads(text), file="m.toml", text=text)
