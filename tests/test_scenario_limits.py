"""Numbers and nesting a scenario cannot hold, and the messages that say so.

Every case ends in exit 2 with the file (or the flag), the field and the fix: never a
RecursionError, a ValueError, a pydantic error from compilation, or NaN in the results.
"""

from __future__ import annotations

import math
import tomllib
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from pydantic import BaseModel

import ripeness
from ripeness.cli import main
from ripeness.params import parse_registry, registry
from ripeness.scenario import builtin_scenarios, read
from ripeness.scenario.quantity import Quantity, range_of
from ripeness.scenario.schema import Scenario

from .conftest import TOY

ALEPPO = builtin_scenarios()["aleppo-2016"]


def _validate(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
              *args: str) -> str:
    p = tmp_path / "s.toml"
    p.write_text(text)
    assert main(["validate", str(p), *args]) == 2
    cap = capsys.readouterr()
    out = cap.out + cap.err
    assert "Traceback" not in out and "internal error" not in out and "fix: " in out
    assert str(p) in out
    return out


def test_a_value_nested_600_deep_is_a_scenario_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """RecursionError (exit 1) before: tomllib recurses per level."""
    text = TOY.read_text().replace("[references]", "x = " + "[" * 600 + "]" * 600
                                   + "\n[references]", 1)
    out = _validate(text, tmp_path, capsys)
    assert "nested too deeply" in out


def test_a_value_nested_40_deep_is_refused_with_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Shallow enough for the TOML parser, too deep for any scenario field: refused before the
    patch machinery (deep copies, re-validation) walks it."""
    deep = "{ a = " * 40 + "1" + " }" * 40
    text = TOY.read_text() + f'\n[whatifs.w]\ndescription = "x"\nset = {{ "x" = {deep} }}\n'
    out = _validate(text, tmp_path, capsys)
    assert "[whatifs.w.set.x" in out and "nested" in out


def test_an_integer_of_5000_digits_is_a_scenario_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ValueError (exit 1) before: Python refuses to convert such integer literals."""
    lines = TOY.read_text().splitlines()
    i = lines.index("population = 1000")
    lines[i] = "population = 1" + "0" * 4999
    out = _validate("\n".join(lines), tmp_path, capsys)
    assert f"s.toml:{i + 1}" in out and "5,000 digits" in out


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "1" + "0" * 400])
def test_forces_of_inf_are_refused_by_validate(value: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`forces = { x = inf }` passed validate and crashed run (pydantic error)."""
    text = TOY.read_text().replace("forces = { gov = 2000 }", f"forces = {{ gov = {value} }}")
    out = _validate(text, tmp_path, capsys)
    assert "places[0](capital).forces.gov" in out
    assert "finite number" in out or "<= 1e+07" in out


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-inf", "1" + "0" * 5000])
def test_set_inf_is_refused_before_anything_runs(value: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`--set ...sorties_per_day=inf` (or 1e400) ran and filled the results with NaN (exit 0);
    5,000 digits raised ValueError (exit 1)."""
    out = tmp_path / "res"
    assert main(["run", "aleppo-2016", "--days", "2", "--quiet", "--out", str(out), "--set",
                 f"support.russia-government.sorties_per_day={value}"]) == 2
    err = capsys.readouterr().err
    assert "--set" in err and "sorties_per_day" in err and "fix: " in err
    assert "Traceback" not in err and not out.exists()


def test_absurd_magnitudes_are_refused(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """population 1e30 gave forces of 6e25 and inf in float32 arrays."""
    text = TOY.read_text().replace("population = 1000\n", "population = 1e30\n")
    out = _validate(text, tmp_path, capsys)
    assert "places[1](village).population" in out and "must be <= 2e+09, got 1e+30" in out
    assert "fix: use a value from 0 to 2e+09" in out


def test_whatif_and_event_values_are_held_to_the_same_ranges(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = TOY.read_text() + (
        '\n[whatifs.w]\ndescription = "x"\nset = { "places.capital.population" = inf }\n'
        '\n[[events]]\ndate = 2016-02-05\ndescription = "x"\nassumption = "x"\n'
        'set = { "parameters.fire_rate" = 1e400 }\n')
    out = _validate(text, tmp_path, capsys)
    assert "whatifs.w.set" in out and "events[0].set" in out and "finite" in out


def _quantity_fields(model: type[BaseModel], seen: set[type]) -> list[tuple[str, Any]]:
    """(model.field, metadata) of every number in the schema, found by walking it."""
    out: list[tuple[str, Any]] = []
    if model in seen:
        return out
    seen.add(model)
    for name, f in model.model_fields.items():
        todo: list[tuple[Any, list[Any]]] = [(f.annotation, list(f.metadata))]
        while todo:
            tp, meta = todo.pop()
            origin, args = typing.get_origin(tp), typing.get_args(tp)
            if origin is typing.Annotated:
                todo.append((args[0], [*meta, *tp.__metadata__]))
            elif tp is Quantity:
                out.append((f"{model.__name__}.{name}", meta))
            elif isinstance(tp, type) and issubclass(tp, BaseModel):
                out += _quantity_fields(tp, seen)
            else:
                todo += [(a, meta) for a in args]
    return out


def test_every_number_in_the_schema_declares_a_finite_range() -> None:
    """Declared once, on its type: model parameters (actor params, [parameters]) and the
    ends of [[uncertain]] ranges take theirs from the parameter registry and from the number
    they name; every other number has a finite range of its own."""
    fields = _quantity_fields(Scenario, set())
    assert len(fields) > 20
    for name, meta in fields:
        r = range_of(meta)
        assert r is not None, name
        if r.why in ("registry", "the number it names"):
            continue
        assert math.isfinite(r.low) and math.isfinite(r.high) and r.low < r.high, name
        assert r.why, f"{name}: a range needs its reason"


def test_the_parameter_registry_is_finite_and_its_loader_checks_it() -> None:
    for p in registry().values():
        assert math.isfinite(p.low) and math.isfinite(p.high), p.name
        assert p.low <= p.default <= p.high, p.name
    bad = ('[x]\ndefault = 2.0\nlow = 0.0\nhigh = inf\nunit = "u"\ngroup = "g"\n'
           'description = "d"\nassumption = "a"\n')
    with pytest.raises(ValueError, match="x: low, default and high must be finite"):
        parse_registry(bad)
    with pytest.raises(ValueError, match="default 5 outside"):
        parse_registry(bad.replace("high = inf", "high = 3.0").replace("2.0", "5.0"))


def test_accepted_extremes_compile_and_run_without_nan(tmp_path: Path) -> None:
    """The top of every range is still a scenario the engine runs: no NaN, inf or negative
    numbers in ten days at the largest population and forces the schema accepts."""
    raw = tomllib.loads(TOY.read_text())
    for p in raw["places"]:
        p["population"] = 2e9
        p["forces"] = dict.fromkeys(p.get("forces", {}), 1e7)
    loaded = ripeness.scenario.from_raw(raw, file="extreme.toml")
    res = ripeness.simulate(loaded, runs=3, days=10)
    for name in ("force", "civilians", "killed", "displaced", "mil_dead", "share"):
        v = res.daily[name].values.astype(float)
        assert np.isfinite(v).all() and (v >= 0).all(), name


# --- messages -----------------------------------------------------------------------------


def test_a_number_written_as_text_says_write_a_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'Input should be a valid dictionary or instance of Quantity / fix: write a table'."""
    text = TOY.read_text().replace("lat = 36.2\n", 'lat = "36.2"\n', 1)
    out = _validate(text, tmp_path, capsys)
    assert "places[0](capital).lat" in out and 'expected a number, got text "36.2"' in out
    assert "fix: write the number without quotes: lat = 36.2" in out


@pytest.mark.parametrize("how", ["file", "--set"])
def test_horizon_zero_says_at_least_one(how: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """--set meta.horizon_days=0 said 'should be a valid integer'."""
    if how == "file":
        out = _validate(TOY.read_text().replace("horizon_days = 30", "horizon_days = 0"),
                        tmp_path, capsys)
    else:
        assert main(["run", str(TOY), "--set", "meta.horizon_days=0"]) == 2
        out = capsys.readouterr().err
        assert "(--set)" in out
    assert "meta.horizon_days" in out and "must be >= 1, got 0" in out
    assert "fix: use a value from 1 to 3650" in out


def test_unknown_ids_come_in_the_same_pass_as_schema_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (TOY.read_text().replace("lat = 36.2\n", "lat = 360\n", 1)
            .replace('controller = "reb"', 'controller = "rebs"', 1))
    out = _validate(text, tmp_path, capsys)
    assert "places[0](capital).lat" in out and "must be <= 90" in out
    assert "places[1](village).controller" in out and "unknown actor 'rebs'" in out
    assert "did you mean 'reb'?" in out
    assert "ripeness: 2 errors" in out


def test_a_misspelt_field_gets_a_did_you_mean(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = TOY.read_text().replace("population = 1000\n", "populaton = 1000\n", 1)
    out = _validate(text, tmp_path, capsys)
    assert "places[1](village).populaton" in out and "did you mean 'population'?" in out
    text = TOY.read_text().replace("horizon_days = 30", "horizon_day = 30")
    out = _validate(text, tmp_path, capsys)
    assert "did you mean 'horizon_days'?" in out


def test_misspelt_parameter_and_set_path_get_a_did_you_mean(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(TOY), "--set", "parameters.fire_rat=0.01"]) == 2
    assert "did you mean 'fire_rate'?" in capsys.readouterr().err
    assert main(["run", "aleppo-2016", "--set", "support.russia-govt.sorties_per_day=1"]) == 2
    assert "did you mean 'russia-government'?" in capsys.readouterr().err


def test_explain_on_a_scenario_says_it_needs_a_results_folder(
        capsys: pytest.CaptureFixture[str]) -> None:
    for given in (str(ALEPPO), "aleppo-2016"):
        assert main(["explain", given]) == 2
        err = capsys.readouterr().err
        assert f"ripeness: {given}: is a scenario, not a results folder" in err
        assert f"fix: ripeness run {given} --out results/first, then ripeness explain " \
               "results/first" in err


def test_the_shipped_scenarios_still_load() -> None:
    for name in builtin_scenarios():
        assert read(name).scenario.meta.name == name


@pytest.mark.parametrize("args,flag", [
    (["backtest", "aleppo-2016", "--runs", "1", "--null", "-5"], "--null"),
    (["discover", "aleppo-2016", "--threshold", "nan"], "--threshold"),
    (["discover", "aleppo-2016", "--density", "inf"], "--density"),
    (["calibrate", "aleppo-2016", "--cutoff", "2016-02-10", "--out", "c.toml", "--samples",
      "-1"], "--samples"),
])
def test_numbers_on_the_command_line_have_ranges_too(args: list[str], flag: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`backtest --null -5` was an internal error; nan and inf thresholds ran."""
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2 and f"argument {flag}: must be" in capsys.readouterr().err


@pytest.mark.parametrize("value,message,fix", [
    ('"1' + "0" * 400 + '"', 'expected a number, got text "1000', "write the number without "
     "quotes: horizon_days = 1000"),
    ("1" + "0" * 400, "must be <= 3650, got a number of 401 digits",
     "use a value from 1 to 3650 (ten years)"),
    ("inf", "must be a finite number, got inf", "use a value from 1 to 3650 (ten years)"),
])
def test_horizon_extremes_name_its_range(value: str, message: str, fix: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the fuzz test: 'Unable to parse input string as an integer, exceeded maximum
    size / fix: see docs/scenario-format.md'."""
    out = _validate(TOY.read_text().replace("horizon_days = 30", f"horizon_days = {value}"),
                    tmp_path, capsys)
    assert f"[meta.horizon_days]: error: {message}" in out and f"fix: {fix}" in out


def test_an_actor_without_kind_is_not_called_by_its_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the fuzz test: with an actor's kind deleted, a support entry naming it as
    backer said "'iran' is a Iran and its militias"."""
    text = TOY.read_text().replace('kind = "mediator"\n', "", 1) + (
        '\n[talks]\nmediator = "un"\nparties = ["gov", "reb"]\nopens = 2016-02-01\n'
        "pause_days = 21\nsuspend_after = 3\nescalation = 0.02\nestimate_noise = 0.05\n"
        'forecast_horizon_days = 60\nassumption = "test"\n')
    out = _validate(text, tmp_path, capsys)
    assert "[actors[2](un).kind]: error: required key is missing" in out
    assert "is a Mediator" not in out and "talks.mediator" not in out


def test_a_list_where_a_table_belongs_says_so(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    raw = tomllib.loads(TOY.read_text())
    raw["links"][0] = [1, 2]
    p = tmp_path / "s.toml"
    p.write_text(tomli_w.dumps(raw))
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert "[links[0]]: error: must be a table, got a list" in err


def test_a_colour_not_written_as_rrggbb_says_how_to_write_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The actor's optional colour (issue 17) has its own fix, not the ids' one."""
    text = TOY.read_text().replace('id = "gov"\n', 'id = "gov"\ncolour = "red"\n', 1)
    out = _validate(text, tmp_path, capsys)
    assert "[actors[0](gov).colour]: error: must be a colour written '#RRGGBB', got 'red'" in out
    assert 'e.g. colour = "#1f77b4"' in out and "lower-case letters" not in out
