"""Dotted paths into a scenario, and patches that set values through them.

A path names a value the way a person would: ``support.russia-government.sorties_per_day``,
``places.nubl.population``, ``supply.bab-al-salameh.open``, ``parameters.fire_rate``,
``actors.opposition.params.optimism``. List entries are addressed by their key (``id``;
``backer-client`` for support; the place for supply). Patches act on the raw (dict) form of a
scenario, which is then validated again: a patch can never produce an unchecked scenario.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import near
from ..params import registry

__all__ = ["EVENT_PREFIXES", "PatchError", "apply_patch", "entry_key", "event_may_set",
           "fixed_for_the_run", "resolve"]

#: Dotted paths that dated events may set: parameters, never positions or outcomes (nor the
#: talks, which are compiled once, at the start of a run: :func:`fixed_for_the_run`).
EVENT_PREFIXES = ("parameters.", "actors.", "support.", "supply.")


def fixed_for_the_run(path: str) -> bool:
    """A path a dated event cannot change because it is read once, when a run starts: the
    talks (``talks.``) and the registry parameters the talks and the outcome read (groups
    'talks' and 'outcomes', global or per actor)."""
    if path.startswith("talks."):
        return True
    parts = path.split(".")
    name = parts[1] if len(parts) == 2 and parts[0] == "parameters" else (
        parts[3] if len(parts) == 4 and parts[0] == "actors" and parts[2] == "params" else "")
    p = registry().get(name)
    return p is not None and p.group in ("talks", "outcomes")


def event_may_set(path: str) -> bool:
    """A path a dated event may set: a parameter of the war (under :data:`EVENT_PREFIXES`, not
    an objective or arms) that is not fixed for the run (:func:`fixed_for_the_run`)."""
    return (path.startswith(EVENT_PREFIXES) and ".objective" not in path
            and ".arms" not in path and not fixed_for_the_run(path))


class PatchError(ValueError):
    """A path that does not name a value in the scenario."""


def entry_key(collection: str, entry: dict[str, Any]) -> str | None:
    """The key that addresses a list entry in a dotted path."""
    if collection == "support":
        return f"{entry.get('backer')}-{entry.get('client')}"
    if collection == "supply":
        return str(entry.get("place"))
    if collection == "links":
        return f"{entry.get('a')}-{entry.get('b')}"
    if collection == "events":
        return None if entry.get("id") is None else str(entry["id"])
    if collection == "uncertain":
        return str(entry.get("path"))
    v = entry.get("id")
    return None if v is None else str(v)


def _step(node: Any, part: str, collection: str, done: str) -> Any:
    if isinstance(node, list):
        for entry in node:
            if isinstance(entry, dict) and entry_key(collection, entry) == part:
                return entry
        keys = [str(entry_key(collection, e)) for e in node if isinstance(e, dict)]
        raise PatchError(f"'{done}' has no entry '{part}'; " + _known(part, keys))
    if isinstance(node, dict):
        if part in node:
            return node[part]
        raise PatchError(f"'{done or '(top)'}' has no key '{part}'; "
                         + _known(part, sorted(node)))
    raise PatchError(f"'{done}' is a value, it has no part '{part}'")


def _known(part: str, keys: list[str]) -> str:
    guess = near(part, keys)
    return (f"{guess} " if guess else "") + f"known: {', '.join(keys[:30])}"


def resolve(raw: dict[str, Any], path: str) -> Any:
    """The value at ``path`` in a raw scenario dict (``{'value': ...}`` tables included)."""
    node: Any = raw
    parts = path.split(".")
    collection = ""
    for i, part in enumerate(parts):
        node = _step(node, part, collection, ".".join(parts[:i]))
        collection = part if i == 0 else collection
    return node


def _parent(raw: dict[str, Any], parts: list[str]) -> Any:
    """The table holding the last part; missing intermediate tables are created (the schema
    then rejects keys it does not know), so a default-valued table such as an actor's
    `params` can be patched."""
    node: Any = raw
    collection = ""
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part not in node and (i > 0 or part == "parameters"):
            node[part] = {}
        node = _step(node, part, collection, ".".join(parts[:i]))
        collection = part if i == 0 else collection
    return node


def apply_patch(raw: dict[str, Any], path: str, value: Any, why: str) -> dict[str, Any]:
    """A copy of ``raw`` with ``path`` set to ``value``; numbers get provenance ``why``."""
    out = copy.deepcopy(raw)
    parts = path.split(".")
    if len(parts) < 2 and parts[0] not in out:
        raise PatchError(f"'{path}' is not a path to a value (e.g. 'talks.pause_days')")
    parent = _parent(out, parts)
    leaf = parts[-1]
    if not isinstance(parent, dict):
        raise PatchError(f"'{'.'.join(parts[:-1])}' is a list or a value; name an entry in it")
    # A key the file omits may be set (its default is replaced); a key the schema does not
    # know is caught when the patched dict is validated again.
    is_num = isinstance(value, int | float) and not isinstance(value, bool)
    parent[leaf] = {"value": value, "assumption": why} if is_num else value
    return out
