"""Reading scenarios: built-in names or paths, TOML parsing, schema and semantic validation.

Every way a file can be wrong (missing, binary, empty, bad TOML, wrong types, unknown
references) ends as a list of :class:`~ripeness.errors.Problem`, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from ..errors import Problem, ScenarioError, near
from .messages import format_loc, reference_problems, schema_problems
from .patch import PatchError, apply_patch
from .schema import Scenario

__all__ = [
    "MAX_DEPTH",
    "Loaded",
    "builtin_scenarios",
    "dump",
    "load",
    "parse_set",
    "read",
    "scenario_hash",
    "variant",
    "whatif_names",
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
#: Deepest nesting of tables and lists a scenario may hold (its own is 5 at most): deeper
#: values are refused before anything walks them.
MAX_DEPTH = 16
_LONG_INT = re.compile(r"\d[\d_]{4300,}")


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise _problem(file, "values nested too deeply (lists or tables inside each other "
                       "hundreds of times)", f"a scenario needs at most {MAX_DEPTH} levels; "
                       "flatten the value") from None
    except ValueError as e:  # an integer literal beyond Python's conversion limit
        if isinstance(e, tomllib.TOMLDecodeError):
            raise _syntax(e, file) from None
        m = _LONG_INT.search(text)
        digits = len(m.group().replace("_", "")) if m else 0
        raise _problem(file, f"a number of {digits:,} digits", "write an ordinary number "
                       "inside its field's range (see `ripeness schema --markdown`)",
                       line=text.count("\n", 0, m.start()) + 1 if m else None) from None


def _syntax(e: tomllib.TOMLDecodeError, file: str) -> ScenarioError:
    msg = str(e)
    m = _TOML_POS.search(msg)
    line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    msg = _TOML_POS.sub("", msg).strip()
    return ScenarioError([Problem(
        file=file, location="", message=f"TOML syntax error: {msg}", line=line, column=col,
        fix="correct the syntax at that line (quotes around text, `key = value`, "
        "[table] headers); see docs/scenario-format.md",
    )])


def too_deep(node: Any, limit: int = MAX_DEPTH) -> tuple[str | int, ...] | None:
    """The key path of a value nested deeper than ``limit`` (None if none is), found without
    recursion."""
    todo: list[tuple[Any, tuple[str | int, ...]]] = [(node, ())]
    while todo:
        value, loc = todo.pop()
        if len(loc) > limit:
            return loc[:limit + 1]
        if isinstance(value, dict):
            todo += [(v, (*loc, str(k))) for k, v in value.items()]
        elif isinstance(value, list):
            todo += [(v, (*loc, i)) for i, v in enumerate(value)]
    return None


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

    deep = too_deep(raw)
    if deep is not None:
        raise ScenarioError([Problem(
            file=file, location=format_loc(deep), message=f"nested more than {MAX_DEPTH} "
            "levels deep (lists or tables inside each other)", fix="flatten the value: no "
            "scenario field needs more than a few levels")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as e:
        problems = schema_problems(e, file, text, raw)
        problems += reference_problems(raw, file=file, text=text,
                                       taken={p.location for p in problems})
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 10**9)) from None
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


#: A what-if's name, several names (applied in order), or None.
WhatIfs = str | Sequence[str] | None


def whatif_names(whatif: WhatIfs) -> list[str]:
    """The names of ``whatif`` in the order they apply."""
    if whatif is None:
        return []
    return [whatif] if isinstance(whatif, str) else list(whatif)


def variant(loaded: Loaded, whatif: WhatIfs = None,
            sets: dict[str, Any] | None = None) -> Loaded:
    """The scenario with named what-ifs and/or ``--set`` patches applied, validated again.

    Several what-ifs apply in the order given, each validated in turn: a later one wins where
    two set the same value. ``--set`` values apply last, so they win over every what-if.
    """
    s = loaded.scenario
    for name in whatif_names(whatif):
        if name not in s.whatifs:
            known = ", ".join(s.whatifs) or "(none declared)"
            guess = near(name, s.whatifs)
            raise _problem(loaded.file, f"no what-if named '{name}'",
                           (f"{guess} Otherwise use" if guess else "use") + f" one of: "
                           f"{known}; or declare it under [whatifs.{name}]",
                           location="whatifs")
        loaded = with_patches(loaded, dict(s.whatifs[name].set), f"what-if {name}")
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
        parsed = tomllib.loads(f"v = {value}")["v"]
        held = too_deep(parsed, MAX_DEPTH - 4) is None
    except tomllib.TOMLDecodeError:
        return path, value
    except (ValueError, RecursionError):  # 5,000 digits; lists nested hundreds deep
        held = False
    if not held:
        raise _problem("--set", f"'{path}': the value is not one a scenario can hold (a "
                       "number beyond 1e308, or lists or tables nested too deeply)",
                       "write an ordinary number inside the field's range, e.g. --set "
                       f"{path}=10", location=path)
    return path, parsed


def dump(scenario: Scenario) -> str:
    """The scenario as TOML text (comments are not kept; defaults are left out)."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True,
                               exclude_defaults=True)
    return tomli_w.dumps(data)
