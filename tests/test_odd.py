"""The model description (docs/model.md) stays equal to what the code declares and reads.

The parameter table and the talks table are generated; the parameters the code reads, the
parameters the registry declares and the parameters the ODD lists are the same set; and every
``talks.*`` field the ODD names exists in the scenario schema.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ripeness.params import registry
from ripeness.report.odd import (
    BEGIN_PARAMETERS,
    BEGIN_TALKS,
    END,
    SYMBOLS,
    TALKS_SYMBOLS,
    TALKS_UNITS,
    parameter_table,
    talks_fields,
    talks_table,
)
from ripeness.scenario.schema import Talks

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "docs" / "model.md"
SRC = ROOT / "src" / "ripeness"

#: Calls that read a model parameter by name: p.num("x"), p.by_actor("x") (name first);
#: _global(scenario, "x"), _per_party(scenario, "x", ...) (name second).
READERS_FIRST = {"num", "by_actor"}
READERS_SECOND = {"_global", "_per_party"}


def _section(begin: str) -> str:
    return MODEL.read_text().split(begin, 1)[1].split(END, 1)[0].strip()


def _table_names(table: str) -> list[str]:
    """The backticked name in the first cell of every data row of a Markdown table."""
    names = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.match(r"`([^`]+)`", cells[0]) if line.startswith("|") else None
        if m:
            names.append(m.group(1))
    return names


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _templated(comp: ast.AST) -> set[str]:
    """Names built in a comprehension from a tuple of strings: f"{t}_defence" for t in (...)."""
    out: set[str] = set()
    for gen in (g for n in ast.walk(comp) if isinstance(n, ast.comprehension) for g in [n]):
        if not (isinstance(gen.target, ast.Name) and isinstance(gen.iter, ast.Tuple)):
            continue
        values = [_str(e) for e in gen.iter.elts]
        for js in (n for n in ast.walk(comp) if isinstance(n, ast.JoinedStr)):
            parts = js.values
            if (len(parts) == 2 and isinstance(parts[0], ast.FormattedValue)
                    and isinstance(parts[0].value, ast.Name)
                    and parts[0].value.id == gen.target.id and _str(parts[1]) is not None):
                out |= {f"{v}{_str(parts[1])}" for v in values if v is not None}
    return out


def parameters_read() -> dict[str, set[str]]:
    """Parameter name -> files of src/ripeness that read it, found in the syntax trees."""
    found: dict[str, set[str]] = {}

    def add(name: str | None, path: Path) -> None:
        if name is not None:
            found.setdefault(name, set()).add(str(path.relative_to(SRC)))

    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name in READERS_FIRST and node.args:
                    add(_str(node.args[0]), path)
                elif name in READERS_SECOND and len(node.args) > 1:
                    add(_str(node.args[1]), path)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple) and any(
                    isinstance(t, ast.Name) and t.id.endswith("_PARAMS") for t in node.targets):
                for elt in node.value.elts:  # tuples of names read in a loop
                    add(_str(elt), path)
            elif isinstance(node, ast.DictComp | ast.ListComp | ast.SetComp | ast.GeneratorExp):
                for name in _templated(node):
                    add(name, path)
    return found


def test_parameter_table_is_current() -> None:
    assert _section(BEGIN_PARAMETERS) == parameter_table().strip(), (
        "docs/model.md is stale: run `python -m ripeness.report.odd`")


def test_talks_table_is_current() -> None:
    assert _section(BEGIN_TALKS) == talks_table().strip(), (
        "docs/model.md is stale: run `python -m ripeness.report.odd`")


def test_every_parameter_has_a_symbol_and_symbols_are_distinct() -> None:
    assert sorted(set(registry()) - set(SYMBOLS)) == [], "add a symbol to SYMBOLS in odd.py"
    assert sorted(set(SYMBOLS) - set(registry())) == [], "SYMBOLS names unknown parameters"
    symbols = [*SYMBOLS.values(), *TALKS_SYMBOLS.values()]
    assert len(symbols) == len(set(symbols)), "two parameters share a symbol"


def test_the_odd_table_lists_exactly_the_registry() -> None:
    listed = _table_names(_section(BEGIN_PARAMETERS))
    assert len(listed) == len(set(listed)), "a parameter is listed twice"
    assert sorted(set(listed) - set(registry())) == [], "the ODD lists unknown parameters"
    assert sorted(set(registry()) - set(listed)) == [], "the ODD misses parameters"


def test_the_finder_sees_the_ways_the_code_reads_parameters() -> None:
    """A guard for the next test: each way of reading a parameter is found."""
    found = parameters_read()
    assert "fire_rate" in found  # p.by_actor("fire_rate")
    assert "combat_noise" in found  # p.num("combat_noise")
    assert "optimism" in found  # _PARTY_PARAMS tuple
    assert "walk_steps" in found  # _GLOBAL_PARAMS tuple
    assert "urban_defence" in found  # f"{t}_defence" for t in (...)


def test_every_parameter_the_code_reads_is_declared() -> None:
    unknown = {n: sorted(f) for n, f in parameters_read().items() if n not in registry()}
    assert unknown == {}, "the code reads parameters the registry does not declare"


def test_every_declared_parameter_is_read_somewhere() -> None:
    """A parameter nobody reads is an argument that does nothing."""
    unread = sorted(set(registry()) - set(parameters_read()))
    assert unread == [], f"declared but never read in src/: {unread}"


def test_talks_fields_named_in_the_odd_exist_in_the_schema() -> None:
    keys = {f.alias or n for n, f in Talks.model_fields.items()}
    # `talks.escalation`, not the module path ripeness.talks.step
    named = set(re.findall(r"(?<![\w.])talks\.([a-z_]+)", MODEL.read_text()))
    assert named, "the ODD names no talks fields: the pattern is wrong"
    assert sorted(named - keys) == [], "the ODD names [talks] fields the schema lacks"
    listed = {n.removeprefix("talks.") for n in _table_names(_section(BEGIN_TALKS))}
    assert listed == set(talks_fields()), "the talks table must list every [talks] number"


@pytest.mark.parametrize("table", [TALKS_SYMBOLS, TALKS_UNITS])
def test_every_talks_number_has_a_symbol_and_unit(table: dict[str, str]) -> None:
    assert set(table) == set(talks_fields())
