"""Checks that a schema-valid scenario hangs together, before any run starts.

References between tables, duplicates, dates within the horizon, parameter names and bounds,
provenance of every number, and places cut off from supply (a warning: that is a siege).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ..errors import Problem, ScenarioError, near
from ..params import registry
from .locate import line_index, locate
from .patch import EVENT_PREFIXES, PatchError, apply_patch, resolve
from .quantity import Quantity
from .schema import Scenario

__all__ = ["provenance_counts", "semantic_problems"]

Loc = tuple[str | int, ...]
KINDS = ("belligerent", "backer", "mediator")
_KEYLIKE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class _Collector:
    def __init__(self, file: str, text: str, raw: dict[str, Any]) -> None:
        self.file, self.raw = file, raw
        self.index = line_index(text) if text else {}
        self.problems: list[Problem] = []
        self._base: set[tuple[str, str]] | None = None
        self.partial = False  # checking the entries that passed a failed schema

    def base_errors(self) -> set[tuple[str, str]]:
        """(location, message) of the errors the scenario has without any patch: a patch that
        merely inherits one of them is not blamed for it (it is reported once, where it is)."""
        from .load import from_raw

        if self._base is None:
            try:
                from_raw(self.raw, file=self.file, strict=False, check_patches=False)
                self._base = set()
            except ScenarioError as e:
                self._base = {(p.location, p.message) for p in e.errors}
        return self._base

    def add(self, loc: Loc, message: str, fix: str, severity: str = "error") -> None:
        from .messages import format_loc

        self.problems.append(Problem(
            file=self.file, location=format_loc(loc, self.raw), message=message, fix=fix,
            severity=severity,  # type: ignore[arg-type]
            line=locate(self.index, loc),
        ))


def _ref(c: _Collector, loc: Loc, value: str, known: Mapping[str, Any] | Sequence[str],
         what: str) -> None:
    if value not in known:
        names = ", ".join(list(known)[:12]) + (" ..." if len(known) > 12 else "")
        guess = near(value, known)
        c.add(loc, f"unknown {what} '{value}'", (f"{guess} Otherwise use" if guess else "use")
              + f" one of: {names}")


def _duplicates(c: _Collector, name: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for i, k in enumerate(keys):
        if k in seen:
            c.add((name, i), f"duplicate {name} entry '{k}'",
                  "remove one of the two entries or give it another id")
        seen.add(k)


def _ids(raw: dict[str, Any], table: str, field: str) -> dict[str, str]:
    """id -> ``field`` (an actor's kind, a place's name; "" where not text) of every entry of
    a raw table that names an id, valid or not: what references may name."""
    entries = raw.get(table)
    return {str(e["id"]): e[field] if isinstance(e.get(field), str) else "" for e in
            (entries if isinstance(entries, list) else []) if isinstance(e, dict)
            and isinstance(e.get("id"), str)}


def _each(entries: Sequence[Any]) -> list[tuple[int, Any]]:
    """(index, entry) of the entries that passed the schema (the others are None)."""
    return [(i, e) for i, e in enumerate(entries) if e is not None]


def _roles(s: Scenario, c: _Collector) -> dict[str, set[str]]:
    """id -> the roles of every actor that names an id (its kind and further roles; from the
    raw file where there is one, so that an entry that failed the schema still counts)."""
    if not c.raw:
        return {a.id: {a.kind, *a.roles} for a in s.actors}
    entries = c.raw.get("actors")
    out: dict[str, set[str]] = {}
    for e in entries if isinstance(entries, list) else []:
        if isinstance(e, dict) and isinstance(e.get("id"), str):
            roles: list[Any] = e["roles"] if isinstance(e.get("roles"), list) else []
            out[e["id"]] = {r for r in [e.get("kind"), *roles] if isinstance(r, str)}
    return out


def _plays(c: _Collector, loc: Loc, who: str, roles: dict[str, set[str]], role: str) -> None:
    """An error where a known actor does not play ``role`` (an unknown one is reported by
    :func:`_ref`)."""
    have = roles.get(who)
    if have is not None and role not in have and have & set(KINDS):
        c.add(loc, f"'{who}' is a {' and '.join(sorted(have & set(KINDS)))}, not a {role}",
              f"name an actor of kind = \"{role}\", or add \"{role}\" to the roles of "
              f"'{who}'")


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
        _check_strikes(s, c, i, sp, {**places, **actors})
    for i, co in _each(s.corridors):
        _ref(c, ("corridors", i, "actor"), co.actor, bellig, "belligerent")
        _ref(c, ("corridors", i, "from"), co.from_, places, "place")
        _ref(c, ("corridors", i, "to"), co.to, places, "place")
    _check_coalitions(s, c, bellig)
    _check_areas(s, c)
    for i, ev in _each(s.events):
        _check_forces(c, ("events", i), ev, bellig, places)
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
        _check_seats(s, c, roles)
        if t.terms == "shares" and any(x.places for x in s.issues if x is not None):
            c.add(("talks", "terms"), "issues name places to give their demanders, but a "
                  "settlement's terms are shares only", "write terms = \"map\" so that a "
                  "deal redraws the map, or remove the issues' places", severity="warning")


def _check_forces(c: _Collector, loc: Loc, ev: Any, bellig: list[str],
                  places: Mapping[str, str]) -> None:
    """An event changes something; each change of forces names what it needs."""
    if not ev.set and not ev.forces:
        c.add(loc, "the event changes nothing", "give it a `set` table of values, or "
              "[[events.forces]] entries of fighters that arrive, leave or defect")
    for j, f in enumerate(ev.forces):
        at = (*loc, "forces", j)
        _ref(c, (*at, "actor"), f.actor, bellig, "belligerent")
        if f.place is not None:
            _ref(c, (*at, "place"), f.place, places, "place")
        if f.kind == "arrive":
            if f.place is None or f.fighters is None:
                c.add(at, "fighters arriving need a place and a number",
                      "give `place` and `fighters` (e.g. place = \"port\", fighters = 2000)")
            if f.share is not None or f.to is not None:
                c.add(at, "arrive takes neither `share` nor `to`", "remove them")
            continue
        if (f.fighters is None) == (f.share is None):
            c.add(at, f"{f.kind}: give either `fighters` or `share`, not "
                  + ("both" if f.fighters is not None else "neither"),
                  "e.g. share = 0.5 for half the actor's fighters there")
        elif f.fighters is not None and f.place is None:
            c.add(at, f"{f.kind}: a number of fighters needs a place",
                  "give `place`, or a `share` of the fighters at every place")
        if f.kind == "defect":
            if f.to is None:
                c.add(at, "defect: `to` is missing", "name the belligerent they join")
            else:
                _ref(c, (*at, "to"), f.to, bellig, "belligerent")
                if f.to == f.actor:
                    c.add((*at, "to"), "fighters cannot defect to their own side",
                          "name another belligerent")
        elif f.to is not None:
            c.add((*at, "to"), f"{f.kind} takes no `to`", "remove it, or write kind = "
                  "\"defect\"")


def _check_areas(s: Scenario, c: _Collector) -> None:
    """A territorial stake needs the area of every place."""
    if c.partial or s.stake.basis != "area":
        return
    missing = [p.id for p in s.places if p.area_km2 is None]
    if missing:
        c.add(("stake", "basis"), f"a territorial stake (basis = \"area\") weighs places by "
              f"their area, but {len(missing)} place{'s have' if len(missing) > 1 else ' has'}"
              f" none: {', '.join(missing[:12])}{' ...' if len(missing) > 12 else ''}",
              "give each place an `area_km2`, or use basis = \"value\" or \"population\"")
    elif not sum(p.area_km2.value for p in s.places if p.area_km2 is not None) > 0:
        c.add(("stake", "basis"), "a territorial stake, but every place has area 0",
              "give the places their areas in km2")


def _check_strikes(s: Scenario, c: _Collector, i: int, sp: Any,
                   targets: Mapping[str, str]) -> None:
    """A veto names places or actors; the shares on target systems fit in the sorties and
    find a system to strike."""
    for j, who in enumerate(sp.no_strike):
        _ref(c, ("support", i, "no_strike", j), who, targets, "place or actor")
    x = sp.strikes
    if x is None:
        return
    total = x.heavy_weapons.value + x.command.value + x.air_defences.value
    if total > 1.0 + 1e-9:
        c.add(("support", i, "strikes"), f"the shares of the sorties on target systems add up "
              f"to {total:g}, more than all of them", "make heavy_weapons + command + "
              "air_defences at most 1 (the rest strike places)")
    if c.partial:
        return
    arms = [a.arms for a in s.actors if a.arms is not None and a.id in _enemies(s, sp.client)]
    for k, want in (("heavy_weapons", x.heavy_weapons), ("command_posts", x.command),
                    ("air_defences", x.air_defences)):
        if want.value > 0 and not any(getattr(a, k).value > 0 for a in arms):
            c.add(("support", i, "strikes"), f"no enemy of '{sp.client}' has {k.replace('_', ' ')}"
                  " (an actor's [actors.arms]): these sorties strike places instead",
                  f"give the enemies' `arms.{k}`, or set this share to 0", severity="warning")


def _enemies(s: Scenario, who: str) -> set[str]:
    """The actors hostile to ``who`` (hostility is symmetric)."""
    mine = next((set(a.enemies) for a in s.actors if a.id == who), set())
    return mine | {a.id for a in s.actors if who in a.enemies}


def _check_coalitions(s: Scenario, c: _Collector, bellig: list[str]) -> None:
    """Members are belligerents, listed once, and not enemies of each other."""
    if not c.partial:
        _duplicates(c, "coalitions", [x.id for x in s.coalitions])
    for i, co in _each(s.coalitions):
        for who in co.members:
            _ref(c, ("coalitions", i, "members"), who, bellig, "belligerent")
        if len(set(co.members)) != len(co.members):
            c.add(("coalitions", i, "members"), "a member is listed twice",
                  "list each member once")
        for a in (x for x in s.actors if x is not None and x.id in co.members):
            for e in (e for e in a.enemies if e in co.members):
                c.add(("coalitions", i, "members"), f"'{a.id}' lists '{e}' among its "
                      f"enemies, but coalition '{co.id}' makes them allies",
                      f"remove '{e}' from the enemies of '{a.id}', or one of them from the "
                      "coalition")


def _check_seats(s: Scenario, c: _Collector, roles: dict[str, set[str]]) -> None:
    """The talks' co-sponsors play the mediator role; a seat is held by a backer of its
    party."""
    t = s.talks
    assert t is not None
    for who in t.sponsors:
        _ref(c, ("talks", "sponsors"), who, roles, "actor")
        _plays(c, ("talks", "sponsors"), who, roles, "mediator")
        if who == t.mediator:
            c.add(("talks", "sponsors"), f"'{who}' is the mediator already",
                  "list in sponsors only the actors that co-sponsor the talks besides it")
    backs = {(x.backer, x.client) for x in s.support if x is not None}
    for party, patron in t.seats.items():
        _ref(c, ("talks", "seats", party), party, t.parties, "party of the talks")
        _ref(c, ("talks", "seats", party), patron, roles, "actor")
        if party in t.parties and patron in roles and (patron, party) not in backs:
            c.add(("talks", "seats", party), f"'{patron}' does not back '{party}': only a "
                  "patron speaks for its client", f"add a [[support]] entry with backer = "
                  f"\"{patron}\" and client = \"{party}\", or remove this seat")


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
        _check_phases(s, c, inside)


def _check_phases(s: Scenario, c: _Collector, inside: Any) -> None:
    """Each phase of the talks has a trigger; dated ones follow the opening and each other."""
    t = s.talks
    assert t is not None
    last, seen = t.opens, set()
    for i, ph in enumerate(t.phases):
        loc: Loc = ("talks", "phases", i)
        if ph.id in seen:
            c.add(loc, f"duplicate phase '{ph.id}'", "give each phase its own id")
        seen.add(ph.id)
        if ph.starts is None and ph.after_ceasefire_days is None:
            c.add(loc, f"phase '{ph.id}' has no beginning", "give it `starts` (a date), "
                  "`after_ceasefire_days` (days a ceasefire must hold), or both")
        if ph.starts is None:
            continue
        inside((*loc, "starts"), ph.starts)
        if ph.starts <= last:
            c.add((*loc, "starts"), f"phase '{ph.id}' starts on {ph.starts}, not after "
                  + ("the talks open" if last == t.opens else "the phase before it")
                  + f" ({last})", "phases follow each other: give a later date (settings "
                  "from the first day are the [talks] table's own)")
        last = max(last, ph.starts)


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
            if not path.startswith(EVENT_PREFIXES) or ".objective" in path or ".arms" in path:
                c.add(("events", i, "set", path), f"a dated event may set parameters only, "
                      f"not '{path}' (positions and outcomes are for the model to produce)",
                      "use a path under parameters, actors.ID.params, actors.ID.enemies, "
                      "support, supply or talks")
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
