"""Schema errors in words a person can act on: where (a key path and line), what, the fix.

pydantic's messages name its own types ("a valid dictionary or instance of Quantity"); here
each kind of error gets a message in the scenario's terms and a fix, with a did-you-mean for
a misspelt key. A file that fails the schema also gets its unknown ids reported in the same
pass (:func:`reference_problems`), so one round of fixes suffices.
"""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from ..errors import Problem, near
from .locate import line_index, locate
from .quantity import range_of
from .schema import Scenario

__all__ = ["format_loc", "reference_problems", "schema_problems"]

Loc = tuple[str | int, ...]

_FIXES = {
    "missing": "add this key",
    "literal_error": "use one of the allowed values",
    "float_parsing": "write a number, e.g. 12.5",
    "float_type": "write a number, e.g. 12.5",
    "number_type": "write a number, e.g. 12.5",
    "finite_number": "write an ordinary number inside the field's range (inf and nan are not "
                     "allowed; see `ripeness schema --markdown`)",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "string_type": "write text in quotes",
    "date_type": "write a date as YYYY-MM-DD without quotes",
    "date_from_datetime_parsing": "write a date as YYYY-MM-DD",
    "list_type": "write a list in [ ]",
    "dict_type": "write a table, e.g. { key = value }",
    "model_type": "write a table, e.g. { key = value }, or a [[...]] entry",
    "too_short": "add entries",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' and '_' only",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false, without quotes",
    "date_parsing": "write a date as YYYY-MM-DD without quotes",
    "date_from_datetime_inexact": "write a date as YYYY-MM-DD, without a time",
    "int_parsing_size": "write a whole number inside the field's range",
    "value_error": "correct the value",
}


def clean_loc(loc: tuple[Any, ...]) -> Loc:
    """pydantic's location without its internal steps (function-after[...], union tags)."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        out.append(part)
    return tuple(out)


def format_loc(loc: Loc, raw: dict[str, Any] | None = None) -> str:
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


def _at(raw: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    return raw


def _is_quantity(node: Any) -> bool:
    return isinstance(node, dict) and set(node) <= {"value", "source", "assumption"}


def _inner(tp: Any, meta: tuple[Any, ...] = ()) -> tuple[Any, tuple[Any, ...]]:
    """``tp`` without Annotated and Optional, and the metadata Annotated carried."""
    while True:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is typing.Annotated:
            tp, meta = args[0], (*meta, *tp.__metadata__)
        elif origin in (typing.Union, types.UnionType) and type(None) in args:
            rest = [a for a in args if a is not type(None)]
            if len(rest) != 1:
                return tp, meta
            tp = rest[0]
        else:
            return tp, meta


def _type_at(loc: Loc) -> tuple[Any, tuple[Any, ...]]:
    """The schema's type at ``loc`` and the metadata declared on it (None if unknown)."""
    tp: Any = Scenario
    meta: tuple[Any, ...] = ()
    for part in loc:
        tp, meta = _inner(tp, meta)
        origin = typing.get_origin(tp)
        if origin is list and isinstance(part, int):
            tp, meta = typing.get_args(tp)[0], ()
        elif origin is dict:
            tp, meta = typing.get_args(tp)[1], ()
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            fields = {f.alias or n: f for n, f in tp.model_fields.items()}
            if part not in fields:
                return None, ()
            tp, meta = fields[part].annotation, tuple(fields[part].metadata)
        else:
            return None, ()
    return _inner(tp, meta)


def keys_at(loc: Loc) -> list[str]:
    """The keys the schema allows in the table at ``loc`` (empty if it is not a table)."""
    tp, _ = _type_at(loc)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []


def _range_fix(loc: Loc) -> str | None:
    """'use a value from 0 to 1e+04 (why)' for the number at ``loc``, if it declares one."""
    rng = range_of(_type_at(loc)[1])
    if rng is None or rng.why in ("registry", "the number it names"):
        return None
    return f"use a value {rng.text()} ({rng.why})"


def _kind_of(v: Any) -> str:
    """What a value is, in TOML's words."""
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "text"
    return "a list" if isinstance(v, list) else f"a {type(v).__name__}"


def _message_and_fix(e: ErrorDetails, loc: Loc) -> tuple[str, str]:
    kind, ctx = e["type"], e.get("ctx", {})
    msg = e["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(kind, "see docs/scenario-format.md")
    if kind == "literal_error" and "expected" in ctx:
        msg = f"must be one of {ctx['expected']}"
    elif kind == "missing":
        msg = "required key is missing"
    elif kind == "extra_forbidden":
        msg = "is not a key of this table"
        guess = near(str(loc[-1]), keys_at(loc[:-1])) if loc else ""
        fix = (f"{guess} Rename it, or remove this key" if guess else "remove this key or "
               "correct its spelling") + " (see `ripeness schema --markdown`)"
    elif kind == "int_parsing_size":
        msg = "is far too large a number"
        fix = _range_fix(loc) or "write a whole number inside the field's range"
    elif kind == "model_type":
        got = e.get("input")
        msg = f"must be a table, got {_kind_of(got)}"
    elif kind == "finite_number":
        got = e.get("input")
        if isinstance(got, float):
            msg = f"must be a finite number, got {got}"
        fix = _range_fix(loc) or fix
    elif kind == "out_of_range":
        why = f" ({ctx['why']})" if ctx.get("why") else ""
        fix = f"use a value {ctx['range']}{why}"
    elif kind == "string_pattern_mismatch" and "#" in str(ctx.get("pattern", "")):
        msg = f"must be a colour written '#RRGGBB', got {e.get('input')!r}"
        fix = "write '#' and six hexadecimal digits, e.g. colour = \"#1f77b4\""
    elif kind == "number_text":
        text = str(ctx.get("text", ""))
        try:
            float(text.replace("_", ""))
            key = loc[-1] if loc and isinstance(loc[-1], str) else "value"
            fix = f"write the number without quotes: {key} = {text}"
        except ValueError:
            fix = "write a number, e.g. 12.5"
    return msg, fix


def schema_problems(err: ValidationError, file: str, text: str,
                    raw: dict[str, Any]) -> list[Problem]:
    """The schema's errors as problems, each with its place, line and fix."""
    idx = line_index(text)
    out = []
    for e in err.errors():
        loc = clean_loc(e["loc"])
        if len(loc) > 1 and loc[-1] == "value" and _is_quantity(_at(raw, loc[:-1])):
            loc = loc[:-1]
        msg, fix = _message_and_fix(e, loc)
        out.append(Problem(file=file, location=format_loc(loc, raw), message=msg, fix=fix,
                           line=locate(idx, loc)))
    return out


#: The tables whose references are checked (see validate._check_refs).
_REF_TABLES = ("actors", "places", "links", "supply", "support", "corridors", "issues",
               "coalitions", "truces", "events")


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    tp: Any = Scenario.model_fields[name].annotation
    return TypeAdapter(typing.get_args(tp)[0] if name in _REF_TABLES else tp)


def _valid(name: str, value: Any) -> Any:
    try:
        return _adapter(name).validate_python(value)
    except ValidationError:
        return None


def reference_problems(raw: dict[str, Any], *, file: str, text: str,
                       taken: set[str]) -> list[Problem]:
    """Unknown ids in a file that failed the schema: every entry that passes it is checked
    against the ids all entries declare (locations in ``taken`` already have an error)."""
    from .collect import _Collector
    from .validate import _check_refs

    parts: dict[str, Any] = {}
    for name in _REF_TABLES:
        value = raw.get(name)
        parts[name] = [_valid(name, v) for v in value] if isinstance(value, list) else []
    parts["talks"] = _valid("talks", raw["talks"]) if "talks" in raw else None
    c = _Collector(file, text, raw)
    c.partial = True
    _check_refs(Scenario.model_construct(**parts), c)
    return [p for p in c.problems if p.location not in taken]
