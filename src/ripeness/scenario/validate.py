"""Checks that a schema-valid scenario hangs together, before any run starts.

References between tables, duplicates, dates within the horizon, parameter names and bounds,
provenance of every number, and places cut off from supply (a warning: that is a siege).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ..errors import Problem, ScenarioError, near
from ..params import registry
from . import checks
from .collect import Loc, _Collector, _duplicates, _each, _plays, _ref, _roles
from .patch import PatchError, apply_patch, event_may_set, fixed_for_the_run, resolve
from .quantity import Quantity
from .schema import Scenario

__all__ = ["provenance_counts", "semantic_problems"]

_KEYLIKE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _ids(raw: dict[str, Any], table: str, field: str) -> dict[str, str]:
    """id -> ``field`` (an actor's kind, a place's name; "" where not text) of every entry of
    a raw table that names an id, valid or not: what references may name."""
    entries = raw.get(table)
    return {str(e["id"]): e[field] if isinstance(e.get(field), str) else "" for e in
            (entries if isinstance(entries, list) else []) if isinstance(e, dict)
            and isinstance(e.get("id"), str)}


def _check_refs(s: Scenario, c: _Collector) -> None:
    roles = _roles(s, c)
    actors = {a: "" for a in roles}
    bellig = [a for a, r in roles.items() if "belligerent" in r]
    places = _ids(c.raw, "places", "name") if c.raw else {p.id: p.name for p in s.places}
    if not c.partial:
        _duplicates(c, "actors", [a.id for a in s.actors])
        _duplicates(c, "places", [p.id for p in s.places])
        _duplicates(c, "links", ["-".join(sorted((lk.a, lk.b))) for lk in s.links])
        _duplicates(c, "supply", [x.place for x in s.supply])
        _duplicates(c, "support", [x.id for x in s.support])
        _duplicates(c, "corridors", [x.id for x in s.corridors])
        _duplicates(c, "issues", [x.id for x in s.issues])
    for i, a in _each(s.actors):
        if a.kind in a.roles:
            c.add(("actors", i, "roles"), f"'{a.kind}' is already the kind of '{a.id}'",
                  "list in roles only what the actor is besides its kind")
        for e in a.enemies:
            _ref(c, ("actors", i, "enemies", e), e, actors, "actor")
            if e == a.id:
                c.add(("actors", i, "enemies", e), "an actor cannot be its own enemy",
                      "remove it")
        if a.objective:
            for p in [*a.objective.places, *a.objective.hold]:
                _ref(c, ("actors", i, "objective"), p, places, "place")
    for i, pl in _each(s.places):
        _ref(c, ("places", i, "controller"), pl.controller, actors, "actor")
        for f in pl.forces:
            _ref(c, ("places", i, "forces", f), f, bellig, "belligerent")
    for i, lk in _each(s.links):
        _ref(c, ("links", i, "a"), lk.a, places, "place")
        _ref(c, ("links", i, "b"), lk.b, places, "place")
        if lk.a == lk.b:
            c.add(("links", i), f"link joins '{lk.a}' to itself", "name two different places")
    for i, src in _each(s.supply):
        _ref(c, ("supply", i, "place"), src.place, places, "place")
        for who in src.actors:
            _ref(c, ("supply", i, "actors"), who, bellig, "belligerent")
    for i, sp in _each(s.support):
        _ref(c, ("support", i, "backer"), sp.backer, actors, "actor")
        _plays(c, ("support", i, "backer"), sp.backer, roles, "backer")
        _ref(c, ("support", i, "client"), sp.client, bellig, "belligerent")
        checks.check_strikes(s, c, i, sp, {**places, **actors})
    for i, co in _each(s.corridors):
        _ref(c, ("corridors", i, "actor"), co.actor, bellig, "belligerent")
        _ref(c, ("corridors", i, "from"), co.from_, places, "place")
        _ref(c, ("corridors", i, "to"), co.to, places, "place")
    checks.check_coalitions(s, c, bellig)
    checks.check_truces(s, c, bellig, places)
    checks.check_areas(s, c)
    for i, ev in _each(s.events):
        checks.check_forces(c, ("events", i), ev, bellig, places)
    for i, iss in _each(s.issues):
        _ref(c, ("issues", i, "demanded_by"), iss.demanded_by, bellig, "belligerent")
        for who in [*iss.value, *iss.indivisible]:
            _ref(c, ("issues", i), who, bellig, "belligerent")
        for j, pid in enumerate(iss.places):
            _ref(c, ("issues", i, "places", j), pid, places, "place")
    if s.talks:
        t = s.talks
        _ref(c, ("talks", "mediator"), t.mediator, actors, "actor")
        _plays(c, ("talks", "mediator"), t.mediator, roles, "mediator")
        for who in t.parties:
            _ref(c, ("talks", "parties"), who, bellig, "belligerent")
        if t.protocol == "alternating" and len(t.parties) != 2:
            c.add(("talks", "protocol"), "the alternating-offers protocol (Rubinstein) needs "
                  f"exactly two parties, got {len(t.parties)}",
                  "use protocol = \"mediator\" or \"nash\", or list two parties")
        if len(set(t.parties)) != len(t.parties):
            c.add(("talks", "parties"), "a party is listed twice", "list each party once")
        checks.check_seats(s, c, roles)
        if t.terms == "shares" and any(x.places for x in s.issues if x is not None):
            c.add(("talks", "terms"), "issues name places to give their demanders, but a "
                  "settlement's terms are shares only", "write terms = \"map\" so that a "
                  "deal redraws the map, or remove the issues' places", severity="warning")


def _check_dates(s: Scenario, c: _Collector) -> None:
    start = s.meta.start
    end = start + dt.timedelta(days=s.meta.horizon_days)
    fix = f"use a date from {start} to {end}, or change meta.horizon_days"

    def inside(loc: Loc, d: dt.date) -> None:
        if not start <= d <= end:
            c.add(loc, f"date {d} is outside the scenario's horizon {start}..{end}", fix)

    for i, ev in enumerate(s.events):
        inside(("events", i, "date"), ev.date)
    if s.talks:
        inside(("talks", "opens"), s.talks.opens)
        if s.talks.closes is not None and s.talks.closes < s.talks.opens:
            c.add(("talks", "closes"), "talks close before they open", "swap the dates")
        checks.check_phases(s, c, inside)


def _check_params(s: Scenario, c: _Collector) -> None:
    reg = registry()
    names = ", ".join(reg)

    def check(loc: Loc, name: str, q: Quantity, per_actor: bool) -> None:
        p = reg.get(name)
        if p is None:
            guess = near(name, reg)
            c.add(loc, f"unknown parameter '{name}'", (f"{guess} Otherwise use" if guess
                                                       else "use") + f" one of: {names}")
        elif per_actor and not p.per_actor:
            c.add(loc, f"parameter '{name}' is global, not per actor",
                  "set it in [parameters] instead")
        elif not p.low <= q.value <= p.high:
            c.add(loc, f"parameter '{name}' = {q.value:g} is outside its bounds "
                  f"[{p.low:g}, {p.high:g}] ({p.unit})", "use a value inside the bounds")

    for name, q in s.parameters.values().items():
        check(("parameters", name), name, q, False)
    for i, a in enumerate(s.actors):
        for name, q in a.params.items():
            check(("actors", i, "params", name), name, q, True)


def _check_paths(s: Scenario, raw: dict[str, Any], c: _Collector) -> None:
    """Every path in events, what-ifs and uncertain ranges resolves, and the values it would
    set (each event, each what-if, both ends of each range) give a valid scenario."""
    for i, ev in enumerate(s.events):
        for path in ev.set:
            if fixed_for_the_run(path):
                c.add(("events", i, "set", path), f"a dated event cannot change '{path}': the "
                      "talks and the parameters they and the outcome read are fixed when a "
                      "run starts, so the change would have no effect",
                      "set it in the scenario for the whole run ([talks], [parameters] or "
                      "the actor's params), or compare runs with a what-if")
            elif not event_may_set(path):
                c.add(("events", i, "set", path), f"a dated event may set parameters only, "
                      f"not '{path}' (positions and outcomes are for the model to produce)",
                      "use a path under parameters, actors.ID.params, actors.ID.enemies, "
                      "support or supply")
        _try_sets(c, raw, ("events", i, "set"), ev.set)
    for name, w in s.whatifs.items():
        _try_sets(c, raw, ("whatifs", name, "set"), w.set)
    numeric: list[int] = []
    for i, u in enumerate(s.uncertain):
        loc: Loc = ("uncertain", i, "path")
        try:
            v = _registry_default(u.path) if _is_param_path(u.path) else resolve(raw, u.path)
        except PatchError as e:
            c.add(loc, str(e), "name a number in the scenario")
            continue
        if isinstance(v, dict):
            v = v.get("value")
        if not isinstance(v, int | float) or isinstance(v, bool):
            c.add(loc, f"'{u.path}' is not a number", "name a numeric value")
            continue
        numeric.append(i)
    # Both ends of all ranges at once (cheap); one by one only to say which range is wrong.
    for end in ("low", "high"):
        sets = {s.uncertain[i].path: getattr(s.uncertain[i], end).value for i in numeric}
        if sets and not _valid_with(raw, sets):
            for i in numeric:
                u = s.uncertain[i]
                _try_sets(c, raw, ("uncertain", i, end), {u.path: getattr(u, end).value})


def _is_param_path(path: str) -> bool:
    """A model parameter (global or per actor), which may be absent from the file."""
    parts = path.split(".")
    return (len(parts) == 2 and parts[0] == "parameters") or (
        len(parts) == 4 and parts[0] == "actors" and parts[2] == "params")


def _registry_default(path: str) -> float:
    p = registry().get(path.split(".")[-1])
    if p is None:
        raise PatchError(f"unknown parameter '{path.split('.')[-1]}' (see `ripeness params`)")
    return p.default


def _valid_with(raw: dict[str, Any], sets: dict[str, Any]) -> bool:
    probe = _Collector("", "", raw)
    _try_sets(probe, raw, (), sets)
    return not probe.problems


def _try_sets(c: _Collector, raw: dict[str, Any], loc: Loc, sets: dict[str, Any]) -> None:
    from .load import from_raw

    patched = raw
    for path, value in sets.items():
        try:
            patched = apply_patch(patched, path, value, "check")
        except PatchError as e:
            c.add((*loc, path), str(e), "write a path such as "
                  "'support.russia-government.sorties_per_day'")
            return
    try:
        from_raw(patched, file=c.file, strict=False, check_patches=False)
    except ScenarioError as e:
        inherited = c.base_errors()
        for p in e.errors:
            if (p.location, p.message) not in inherited:
                c.add(loc, f"would make the scenario invalid: {p.location}: {p.message}",
                      "use a value the field accepts (see docs/scenario-format.md)")


def _supply_warnings(s: Scenario, c: _Collector) -> None:
    """Warn about places whose controller has no path through its own ground to a source."""
    ctrl = {p.id: p.controller for p in s.places}
    nbrs: dict[str, list[str]] = {p.id: [] for p in s.places}
    for lk in s.links:
        if lk.a in nbrs and lk.b in nbrs:
            nbrs[lk.a].append(lk.b)
            nbrs[lk.b].append(lk.a)
    bellig = {a.id for a in s.actors if a.has("belligerent")}
    for actor in sorted(bellig):
        ground, draws = {actor}, {actor}
        for co in (co for co in s.coalitions if actor in co.members):
            ground |= set(co.members)
            draws |= set(co.members) if co.shared_sources else set()
        seeds = [x.place for x in s.supply if x.open and x.carries != "humanitarian"
                 and draws & set(x.actors) and ctrl.get(x.place) in ground]
        reached, queue = set(seeds), deque(seeds)
        while queue:
            u = queue.popleft()
            for v in nbrs[u]:
                if v not in reached and ctrl[v] in ground:
                    reached.add(v)
                    queue.append(v)
        cut = [p.id for p in s.places if p.controller == actor and p.id not in reached]
        if cut:
            i = next(i for i, a in enumerate(s.actors) if a.id == actor)
            via = "its own ground " + ("or its allies' " if len(ground) > 1 else "")
            c.add(("actors", i), f"{actor} holds places with no path through {via}"
                  f"to any of its open supply sources: {', '.join(cut)} (besieged from day 0)",
                  "nothing, if this is a siege; otherwise add a link or a supply source",
                  severity="warning")


def _iter_numbers(node: Any, loc: Loc, prov: str | None) -> Iterator[tuple[Loc, Any, str | None]]:
    """Every number with the provenance that covers it (own, else the nearest table's)."""
    if isinstance(node, Quantity):
        yield loc, node, node.source or node.assumption or prov
        return
    if isinstance(node, BaseModel):
        own = getattr(node, "source", None) or getattr(node, "assumption", None)
        prov = own or prov
        fields = dict(node)
        fields.update(node.model_extra or {})
        for k, v in fields.items():
            yield from _iter_numbers(v, (*loc, k), prov)
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _iter_numbers(v, (*loc, k), prov)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _iter_numbers(v, (*loc, i), prov)


def provenance_counts(s: Scenario) -> dict[str, int]:
    """How many numbers are sourced, assumed, or neither (what-ifs excluded: counterfactuals)."""
    counts = {"sourced": 0, "assumed": 0, "missing": 0}
    for loc, q, _ in _numbers(s):
        kind = _kind(s, loc, q)
        counts[kind] += 1
    return counts


def _numbers(s: Scenario) -> Iterator[tuple[Loc, Any, str | None]]:
    for name in type(s).model_fields:
        if name in {"whatifs", "meta"}:
            continue
        yield from _iter_numbers(getattr(s, name), (name,), None)


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, list) and isinstance(part, int):
        return node[part]
    if isinstance(node, dict):
        return node[part]
    return getattr(node, str(part), None)


def _kind(s: Scenario, loc: Loc, q: Quantity) -> str:
    if q.source:
        return "sourced"
    if q.assumption:
        return "assumed"
    node: Any = s
    kind = "missing"
    for part in loc[:-1]:
        node = _child(node, part)
        if isinstance(node, BaseModel):
            if getattr(node, "source", None):
                kind = "sourced"
            elif getattr(node, "assumption", None):
                kind = "assumed"
    return kind


def _check_provenance(s: Scenario, c: _Collector, strict: bool) -> None:
    for loc, q, prov in _numbers(s):
        if prov is None:
            c.add(loc, f"number {q.value:g} has no source and no assumption",
                  "write it as { value = ..., source = \"URL\" } or { value = ..., assumption = "
                  "\"why\" }, or give the table a `source` or `assumption`",
                  severity="error" if strict else "warning")
    for loc, _, prov in _iter_sources(s):
        if prov and _KEYLIKE.match(prov) and "." not in prov and prov not in s.references:
            c.add(loc, f"source '{prov}' looks like a reference key but [references] has no "
                  "such key", "add it to [references] or write the URL or citation in full")


def _iter_sources(s: Scenario) -> Iterator[tuple[Loc, None, str | None]]:
    def walk(node: Any, loc: Loc) -> Iterator[tuple[Loc, None, str | None]]:
        if isinstance(node, BaseModel):
            src = getattr(node, "source", None)
            if isinstance(src, str):
                yield (*loc, "source"), None, src
            for k, v in dict(node).items():
                if k != "source":
                    yield from walk(v, (*loc, k))
            for k, v in (node.model_extra or {}).items():
                yield from walk(v, (*loc, k))
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, (*loc, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, (*loc, i))

    for name in type(s).model_fields:
        yield from walk(getattr(s, name), (name,))


def semantic_problems(s: Scenario, raw: dict[str, Any], *, file: str, text: str,
                      strict: bool, check_patches: bool = True) -> list[Problem]:
    """All problems beyond the schema's: errors and warnings, in file order."""
    c = _Collector(file, text, raw)
    _check_refs(s, c)
    _check_dates(s, c)
    _check_params(s, c)
    if check_patches:
        _check_paths(s, raw, c)
    _check_provenance(s, c, strict)
    if not any(p.severity == "error" for p in c.problems):
        _supply_warnings(s, c)
    linked = {x for lk in s.links for x in (lk.a, lk.b)}
    for i, p in enumerate(s.places):
        if s.links and p.id not in linked:
            c.add(("places", i), f"place '{p.id}' has no links", "link it to a neighbour",
                  severity="warning")
    return sorted(c.problems, key=lambda p: (p.severity != "error", p.line or 10**9))
