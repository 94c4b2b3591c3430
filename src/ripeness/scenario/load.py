"""Reading scenarios: built-in names or paths, TOML parsing, schema and semantic validation.

Every way a file can be wrong (missing, binary, empty, bad TOML, wrong types, unknown
references) ends as a list of :class:`~ripeness.errors.Problem`, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .locate import line_index, locate
from .patch import PatchError, apply_patch
from .schema import Scenario

__all__ = [
    "Loaded",
    "builtin_scenarios",
    "dump",
    "load",
    "parse_set",
    "read",
    "scenario_hash",
    "variant",
    "with_patches",
]


@dataclass(frozen=True)
class Loaded:
    """A scenario with where it came from and the warnings its validation raised."""

    scenario: Scenario
    file: str
    builtin: bool
    raw: dict[str, Any] = field(repr=False)
    warnings: tuple[Problem, ...] = ()

    @property
    def hash(self) -> str:
        return scenario_hash(self.scenario)


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names and the path of each file."""
    root = resources.files("ripeness").joinpath("scenarios")
    out: dict[str, Path] = {}
    for d in sorted(root.iterdir(), key=lambda p: p.name):
        f = d.joinpath("scenario.toml")
        if f.is_file():
            out[d.name] = Path(str(f))
    return out


def scenario_hash(scenario: Scenario) -> str:
    """A stable hash of the scenario's content (not its formatting or comments)."""
    blob = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _problem(file: str, msg: str, fix: str, **kw: Any) -> ScenarioError:
    return ScenarioError([Problem(file=file, location=kw.pop("location", ""), message=msg,
                                  fix=fix, **kw)])


def _read_text(name_or_path: str | Path) -> tuple[str, str, bool]:
    builtins = builtin_scenarios()
    if isinstance(name_or_path, str) and name_or_path in builtins:
        p, builtin = builtins[name_or_path], True
    else:
        p, builtin = Path(name_or_path), False
    file = str(p)
    if not p.exists():
        raise _problem(file, "no such file, and no built-in scenario of that name",
                       f"give a path to a .toml file or one of: {', '.join(builtins)}")
    if p.is_dir():
        if (p / "scenario.toml").is_file():
            return _read_text(p / "scenario.toml")
        raise _problem(file, "is a folder without a scenario.toml",
                       "give the path of the scenario's .toml file")
    data = p.read_bytes()
    if b"\x00" in data[:4096]:
        raise _problem(file, "is a binary file, not a TOML text file",
                       "give the path of the scenario's .toml file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _problem(file, f"is not UTF-8 text (byte {e.start})",
                       "save the file as UTF-8") from None
    if not text.strip():
        raise _problem(file, "is empty", "start from a built-in scenario: "
                       "`ripeness show aleppo-2016` prints the path of one to copy")
    return text, file, builtin


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = _TOML_POS.sub("", msg).strip()
        raise ScenarioError([Problem(
            file=file, location="", message=f"TOML syntax error: {msg}", line=line, column=col,
            fix="correct the syntax at that line (quotes around text, `key = value`, "
            "[table] headers); see docs/scenario-format.md",
        )]) from None


_FIXES = {
    "missing": "add this key",
    "extra_forbidden": "remove this key or correct its spelling (see `ripeness schema`)",
    "literal_error": "use one of the allowed values",
    "float_parsing": "write a number, e.g. 12.5",
    "float_type": "write a number, e.g. 12.5",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "string_type": "write text in quotes",
    "date_type": "write a date as YYYY-MM-DD without quotes",
    "date_from_datetime_parsing": "write a date as YYYY-MM-DD",
    "list_type": "write a list in [ ]",
    "dict_type": "write a table, e.g. { key = value }",
    "model_type": "write a table",
    "too_short": "add entries",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_' only",
    "bool_type": "write true or false",
    "value_error": "correct the value",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
}


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # Drop pydantic's internal steps (function-after[...], union tags, the 'value' of a number).
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        out.append(part)
    return tuple(out)


def format_loc(loc: tuple[str | int, ...], raw: dict[str, Any] | None = None) -> str:
    """``places[3](nubl).population`` style, naming list entries by id where possible."""
    s, node = "", raw
    for part in loc:
        if isinstance(part, int):
            s += f"[{part}]"
            if isinstance(node, list) and part < len(node):
                node = node[part]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    s += f"({node['id']})"
            else:
                node = None
        else:
            s += ("." if s else "") + part
            node = node.get(part) if isinstance(node, dict) else None
    return s


def _at(raw: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _is_quantity(node: Any) -> bool:
    return isinstance(node, dict) and set(node) <= {"value", "source", "assumption"}


def _schema_problems(err: ValidationError, file: str, text: str,
                     raw: dict[str, Any]) -> list[Problem]:
    idx = line_index(text)
    out = []
    for e in err.errors():
        loc = _clean_loc(e["loc"])
        if len(loc) > 1 and loc[-1] == "value" and _is_quantity(_at(raw, loc[:-1])):
            loc = loc[:-1]
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "literal_error" and "expected" in e.get("ctx", {}):
            msg = f"must be one of {e['ctx']['expected']}"
        if e["type"] == "missing":
            msg = "required key is missing"
        out.append(Problem(file=file, location=format_loc(loc, raw), message=msg,
                           fix=_FIXES.get(e["type"], "see docs/scenario-format.md"),
                           line=locate(idx, loc)))
    return out


def read(name_or_path: str | Path, *, strict: bool | None = None) -> Loaded:
    """Read and validate a scenario. Raises ScenarioError listing every problem found.

    ``strict`` (default: on for built-in scenarios) makes numbers without provenance errors.
    """
    text, file, builtin = _read_text(name_or_path)
    raw = _parse_toml(text, file)
    if not raw:
        raise _problem(file, "is empty (only comments)", "start from a built-in scenario: "
                       "`ripeness scenarios` prints the path of each to copy")
    return from_raw(raw, file=file, text=text, builtin=builtin, strict=strict)


def from_raw(raw: dict[str, Any], *, file: str = "<memory>", text: str = "",
             builtin: bool = False, strict: bool | None = None,
             check_patches: bool = True) -> Loaded:
    """Validate a raw (dict) scenario; ``text`` only serves to find line numbers."""
    from .validate import semantic_problems  # local: validate imports this module's helpers

    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(_schema_problems(e, file, text, raw)) from None
    strict = (builtin or scenario.meta.strict) if strict is None else strict
    problems = semantic_problems(scenario, raw, file=file, text=text, strict=strict,
                                 check_patches=check_patches)
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems)
    return Loaded(scenario=scenario, file=file, builtin=builtin, raw=raw,
                  warnings=tuple(problems))


def load(name_or_path: str | Path | Scenario) -> Scenario:
    """A validated scenario from a built-in name or a file path (a Scenario passes through)."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    return read(name_or_path).scenario


def with_patches(loaded: Loaded, sets: dict[str, Any], why: str) -> Loaded:
    """The scenario with dotted-path values set, validated again (what-ifs, --set, events)."""
    raw = loaded.raw
    problems = []
    for path, value in sets.items():
        try:
            raw = apply_patch(raw, path, value, why)
        except PatchError as e:
            problems.append(Problem(file=loaded.file, location=path, message=str(e),
                                    fix="use a path such as 'support.russia-government."
                                    "sorties_per_day' (see docs/scenario-format.md)"))
    if problems:
        raise ScenarioError(problems)
    return from_raw(raw, file=f"{loaded.file} ({why})", builtin=False, strict=False)


def variant(loaded: Loaded, whatif: str | None = None,
            sets: dict[str, Any] | None = None) -> Loaded:
    """The scenario with a named what-if and/or ``--set`` patches applied, validated again."""
    s = loaded.scenario
    if whatif is not None:
        if whatif not in s.whatifs:
            known = ", ".join(s.whatifs) or "(none declared)"
            raise _problem(loaded.file, f"no what-if named '{whatif}'",
                           f"use one of: {known}; or declare it under [whatifs.{whatif}]",
                           location="whatifs")
        loaded = with_patches(loaded, dict(s.whatifs[whatif].set), f"what-if {whatif}")
    if sets:
        loaded = with_patches(loaded, sets, "--set")
    return loaded


def parse_set(text: str) -> tuple[str, Any]:
    """``path=value`` from the command line; the value is read as TOML (0, false, "x", [])."""
    if "=" not in text:
        raise _problem("--set", f"'{text}' is not path=value",
                       "write e.g. --set support.russia-government.sorties_per_day=0")
    path, value = (x.strip() for x in text.split("=", 1))
    try:
        return path, tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return path, value


def dump(scenario: Scenario) -> str:
    """The scenario as TOML text (comments are not kept; defaults are left out)."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True,
                               exclude_defaults=True)
    return tomli_w.dumps(data)
