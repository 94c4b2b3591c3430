"""Fuzzing the scenario loader with mutated copies of the shipped scenarios.

Mutations act on the text (numbers swapped for extremes, numbers quoted, strings and ids
swapped or misspelt, keys misspelt, lines deleted, duplicated or cut, values nested hundreds
deep) and on the parsed tables (keys deleted, values retyped, references swapped, values
nested). The property: a mutated file either loads or raises the project's own
ScenarioError, every problem naming the file with a message and a fix (the CLI answers exit
0 or 2 accordingly, checked on one case in ten); a file that loads simulates 10 days with no NaN,
inf or negative number in its state.

The default run tries 250 files (about 30 s of CPU); ``pytest -m slow -k fuzz -s`` tries 10,000 and
prints how many were accepted and rejected.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ripeness
from ripeness.cli import main
from ripeness.errors import ScenarioError
from ripeness.scenario import builtin_scenarios, read

SHIPPED = {name: path.read_text() for name, path in builtin_scenarios().items()}
RAW = {name: tomllib.loads(text) for name, text in SHIPPED.items()}

NUMBER = re.compile(r"(?<=[=,\[{] )[-+]?\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?(?=\s*[,}\]#\n])")
STRING = re.compile(r'(?<=[=,\[{] )"[^"\n]*"')
KEY = re.compile(r"^([A-Za-z_][\w-]*) =", re.MULTILINE)
EXTREMES = ["inf", "-inf", "nan", "+nan", "1e400", "-1e400", "1e308", "1e30", "-1", "-0.0",
            "0", "1e-320", "9" * 30, "1" + "0" * 400, "1" + "0" * 5000, "2e9", "2000000001",
            "1e7", "3650", "3651", "0.5", '"12"', "true", "[]", "{}", "2016-01-01", '"x"']
# The state a run keeps each day: every one a count or a share, never negative or infinite.
STATE = ("force", "civilians", "killed", "displaced", "hosted", "mil_dead", "sorties",
         "besieged", "share")


def _nested(depth: int, table: bool) -> str:
    return ("{ a = " * depth + "1" + " }" * depth) if table else "[" * depth + "]" * depth


def _misspell(word: str, data: st.DataObject) -> str:
    if not word:
        return "x"
    i = data.draw(st.integers(0, len(word) - 1))
    how = data.draw(st.sampled_from(["drop", "double", "swap", "upper"]))
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    if how == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word.upper()


def _replace_match(text: str, pattern: re.Pattern[str], data: st.DataObject,
                   new: Callable[[str], str]) -> str:
    found = list(pattern.finditer(text))
    if not found:
        return text
    m = found[data.draw(st.integers(0, len(found) - 1))]
    return text[:m.start()] + new(m.group()) + text[m.end():]


def _text_mutation(text: str, data: st.DataObject) -> str:
    op = data.draw(st.sampled_from(["extreme", "quote", "string", "key", "delete", "duplicate",
                                    "truncate", "nest", "garbage"]))
    lines = text.split("\n")
    if op == "extreme":
        return _replace_match(text, NUMBER, data, lambda _: data.draw(st.sampled_from(EXTREMES)))
    if op == "quote":
        return _replace_match(text, NUMBER, data, lambda n: f'"{n}"')
    if op == "string":
        strings = [m.group() for m in STRING.finditer(text)][:400]
        return _replace_match(text, STRING, data, lambda s: data.draw(st.one_of(
            st.sampled_from(strings), st.just(f'"{_misspell(s.strip(chr(34)), data)}"'),
            st.just('""'), st.just('"' + "x" * 10_000 + '"'), st.just('"Ünïcode ✓"'))))
    if op == "key":
        return _replace_match(text, KEY, data, lambda k: _misspell(k[:-2], data) + " =")
    i = data.draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        return "\n".join(lines[:i] + lines[i + 1:])
    if op == "duplicate":
        return "\n".join(lines[:i + 1] + lines[i:])
    if op == "truncate":
        return text[:data.draw(st.integers(0, len(text)))]
    if op == "nest":
        depth = data.draw(st.one_of(st.integers(1, 40), st.integers(40, 1200)))
        line = f"zz{i} = {_nested(depth, data.draw(st.booleans()))}"
        return "\n".join([*lines[:i], line, *lines[i:]])
    junk = data.draw(st.text(max_size=12))
    return "\n".join([*lines[:i], lines[i] + junk, *lines[i + 1:]])


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else []
    for k, v in items:
        out.append((*prefix, k))
        out += _paths(v, (*prefix, k))
    return out


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


VALUES = st.one_of(
    st.integers(-10**6, 10**6), st.integers(-10**400, 10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.text(max_size=8),
    st.sampled_from([[], {}, [1, "x"], dt.date(1999, 1, 1), {"value": "x"}, {"value": 1},
                     {"value": float("inf"), "assumption": "fuzz"}, 1e30, -1e30, 2e9, 1e7]))


def _table_mutation(raw: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    path = data.draw(st.sampled_from(_paths(raw)))
    parent: Any = raw
    for part in path[:-1]:
        parent = parent[part]
    op = data.draw(st.sampled_from(["delete", "retype", "reference", "nest", "rename"]))
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "retype":
        parent[key] = data.draw(VALUES)
    elif op == "reference":
        parent[key] = data.draw(st.sampled_from(_strings(raw)[:500]))
    elif op == "nest":
        value = parent[key]
        for _ in range(data.draw(st.integers(1, 30))):
            value = [value]
        parent[key] = value
    elif isinstance(parent, dict):
        parent[_misspell(str(key), data)] = parent.pop(key)
    return raw


def _mutant(data: st.DataObject) -> tuple[str, str]:
    """(scenario name, mutated TOML text)."""
    name = data.draw(st.sampled_from(sorted(SHIPPED)))
    if data.draw(st.booleans()):
        text = SHIPPED[name]
        for _ in range(data.draw(st.integers(1, 3))):
            text = _text_mutation(text, data)
        return name, text
    raw = RAW[name]
    for _ in range(data.draw(st.integers(1, 3))):
        raw = _table_mutation(raw, data)
    try:
        return name, tomli_w.dumps(raw)
    except (TypeError, ValueError):  # not representable as TOML (e.g. a list of mixed types)
        return name, _text_mutation(SHIPPED[name], data)


def _runs_clean(loaded: Any) -> None:
    res = ripeness.simulate(loaded, runs=2, days=10, seed=1)
    for name in STATE:
        v = res.daily[name].values.astype(np.float64)
        assert np.isfinite(v).all(), f"{name} is not finite"
        assert (v >= 0).all(), f"{name} is negative: {v.min()}"


def _case(data: st.DataObject, tmp: Path, counts: Counter[str]) -> None:
    name, text = _mutant(data)
    path = tmp / f"{name}.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        loaded = read(path)
    except ScenarioError as e:
        assert e.errors, "rejected without an error"
        for p in e.problems:
            assert p.file.startswith(str(path)) and p.message and p.fix, p
        outcome = "rejected"
    else:
        _runs_clean(loaded)
        outcome = "accepted"
    counts[outcome] += 1
    if (counts["accepted"] + counts["rejected"]) % 10 == 1:  # one in ten also through the CLI
        assert main(["validate", str(path)]) == (0 if outcome == "accepted" else 2)
        counts["cli"] += 1


def _fuzz(examples: int, tmp: Path) -> Counter[str]:
    counts: Counter[str] = Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        _case(data, tmp, counts)

    run()
    return counts


def _report(counts: Counter[str], seconds: float) -> str:
    return (f"fuzz: {counts['accepted'] + counts['rejected']} mutated scenarios in "
            f"{seconds:.0f} s: {counts['accepted']} accepted (each simulated 10 days), "
            f"{counts['rejected']} rejected with a ScenarioError, {counts['cli']} also "
            "through the CLI; 0 unexpected exceptions")


def test_fuzz_loader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    counts = _fuzz(250, tmp_path)
    with capsys.disabled():
        print("\n" + _report(counts, time.perf_counter() - t0))
    assert counts["accepted"] > 0 and counts["rejected"] > 0


@pytest.mark.slow
def test_fuzz_loader_10000(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    counts = _fuzz(10_000, tmp_path)
    with capsys.disabled():
        print("\n" + _report(counts, time.perf_counter() - t0))
    assert counts["accepted"] + counts["rejected"] >= 10_000
