"""The field reference of the scenario format, rendered from the schema itself.

docs/scenario-format.md embeds this text between two markers; a test keeps them equal, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .extensions import Arms, Coalition, ForceChange, LocalTruce, Strikes, TalksPhase
from .quantity import Quantity, range_of
from .schema import (
    Actor,
    Corridor,
    Event,
    Issue,
    Link,
    Meta,
    Objective,
    Place,
    Scenario,
    Stake,
    SupplySource,
    Support,
    Talks,
    Uncertain,
    WhatIf,
)

__all__ = ["BEGIN", "END", "field_reference"]

BEGIN = "<!-- BEGIN GENERATED: ripeness schema --markdown -->"
END = "<!-- END GENERATED -->"

TABLES: list[tuple[str, type[BaseModel]]] = [
    ("[meta]", Meta), ("[[actors]]", Actor), ("[actors.objective]", Objective),
    ("[actors.arms]", Arms), ("[[places]]", Place), ("[[links]]", Link),
    ("[[supply]]", SupplySource), ("[[support]]", Support), ("[support.strikes]", Strikes),
    ("[[corridors]]", Corridor), ("[[coalitions]]", Coalition), ("[[truces]]", LocalTruce),
    ("[stake]", Stake),
    ("[[issues]]", Issue), ("[talks]", Talks), ("[[talks.phases]]", TalksPhase),
    ("[[events]]", Event), ("[[events.forces]]", ForceChange),
    ("[whatifs.NAME]", WhatIf), ("[[uncertain]]", Uncertain),
]


def _number(meta: tuple[Any, ...]) -> str:
    """'number' with the range declared on it (see quantity.bounds)."""
    rng = range_of(meta)
    if rng is None or rng.why == "the number it names":
        return "number, in the range of the number it names" if rng else "number"
    if rng.why == "registry":
        return "number, in the parameter's range (`ripeness params`)"
    return f"number {rng.text()}"


def _type_name(tp: Any, meta: tuple[Any, ...] = ()) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _type_name(args[0], (*meta, *tp.__metadata__))
    if tp is Quantity:
        return _number(meta)
    if origin is typing.Literal:
        return " \\| ".join(f'"{a}"' for a in args)
    if origin in (list,):
        return f"list of {_type_name(args[0])}"
    if origin in (dict,):
        return f"table of {_type_name(args[1])}"
    if origin in (typing.Union, __import__("types").UnionType):
        names = [_type_name(a, meta) for a in args if a is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "table"
    return getattr(tp, "__name__", str(tp))


def _default(f: FieldInfo) -> str:
    if f.is_required():
        return "required"
    if f.default_factory is not None:
        v = f.default_factory()  # type: ignore[call-arg]
        if isinstance(v, Quantity):
            return f"{v.value:g}"
        return "empty" if v in ({}, []) else "see description"
    d = f.default
    return "none" if d is None else f"`{str(d).lower() if isinstance(d, bool) else d}`"


def field_reference() -> str:
    """Markdown tables, one per scenario table, from the pydantic declarations."""
    out: list[str] = []
    for title, model in TABLES:
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        out += [f"### `{title}`", ""]
        if doc and not doc.startswith("A table that"):
            out += [doc, ""]
        if "source" in model.model_fields:
            out += ["Also `source` / `assumption`: provenance for the bare numbers here.", ""]
        out += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for name, f in model.model_fields.items():
            if name in ("source", "assumption"):
                continue
            key = f.alias or name
            desc = (f.description or "").replace("|", "\\|")
            kind = _type_name(f.annotation, tuple(f.metadata))
            out.append(f"| `{key}` | {kind} | {_default(f)} | {desc} |")
        out.append("")
    top = ", ".join(f"`{f.alias or n}`" for n, f in Scenario.model_fields.items())
    out += [f"Top-level tables: {top}.", ""]
    return "\n".join(out)


def rewrite(path: str) -> None:
    """Replace the generated section of a Markdown file (``python -m ripeness.scenario.docs``)."""
    from pathlib import Path

    p = Path(path)
    head, rest = p.read_text().split(BEGIN)
    tail = rest.split(END)[1]
    p.write_text(f"{head}{BEGIN}\n\n{field_reference()}\n{END}{tail}")


if __name__ == "__main__":
    rewrite("docs/scenario-format.md")
