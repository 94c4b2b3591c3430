"""Checks of the tables for wars of other kinds (issue 15): coalitions, changes of forces,
areas, air campaigns, seats and sponsors at the talks, phases of the talks; local truces.

Called by :mod:`.validate` in the same pass as its own checks, so that one round of fixes
suffices; each problem names the file, the line, the key path and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .collect import Loc, _Collector, _duplicates, _each, _plays, _ref
from .schema import Scenario

__all__ = ["check_areas", "check_coalitions", "check_forces", "check_phases", "check_seats",
           "check_strikes", "check_truces"]


def check_coalitions(s: Scenario, c: _Collector, bellig: list[str]) -> None:
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


def check_truces(s: Scenario, c: _Collector, bellig: list[str],
                 places: Mapping[str, str]) -> None:
    """Two distinct belligerents, known places, each listed once, and an end after the start."""
    if not c.partial:
        _duplicates(c, "truces", [x.id for x in s.truces])
    for i, tr in _each(s.truces):
        for who in tr.parties:
            _ref(c, ("truces", i, "parties"), who, bellig, "belligerent")
        if len(set(tr.parties)) != 2:
            c.add(("truces", i, "parties"), "a truce binds two different belligerents",
                  "name the two parties, e.g. parties = [\"government\", \"opposition\"]")
        for j, pid in enumerate(tr.places):
            _ref(c, ("truces", i, "places", j), pid, places, "place")
        if len(set(tr.places)) != len(tr.places):
            c.add(("truces", i, "places"), "a place is listed twice", "list each place once")
        if tr.starts is not None and tr.ends is not None and tr.ends <= tr.starts:
            c.add(("truces", i, "ends"), f"the truce ends ({tr.ends}) on or before it starts "
                  f"({tr.starts})", "give an end after the start, or omit `ends`")
        _truce_warnings(s, c, i, tr)


def _truce_warnings(s: Scenario, c: _Collector, i: int, tr: Any) -> None:
    """A truce that can change nothing: ended before the start, between parties that are not
    enemies, or over a place neither of them holds on day 0 (it binds only while one does)."""
    if tr.ends is not None and tr.ends <= s.meta.start:
        c.add(("truces", i, "ends"), f"the truce ends ({tr.ends}) before the scenario starts "
              f"({s.meta.start}): it is never in force", "remove it, or correct `ends`",
              severity="warning")
    actors = {a.id: a for a in s.actors if a is not None}
    if all(p in actors for p in tr.parties) and len(set(tr.parties)) == 2:
        a, b = (actors[p] for p in tr.parties)
        if b.id not in a.enemies and a.id not in b.enemies:
            c.add(("truces", i, "parties"), f"'{a.id}' and '{b.id}' are not enemies: the "
                  "truce changes nothing", "list one among the other's `enemies`, or remove "
                  "the truce", severity="warning")
    held = {p.id: p.controller for p in s.places if p is not None}
    idle = [p for p in tr.places if p in held and held[p] not in tr.parties]
    if idle:
        c.add(("truces", i, "places"), f"on day 0 neither party holds {', '.join(idle)}: the "
              "truce covers it only while one of them does", "nothing, if a party is to take "
              "it; otherwise remove it from `places`", severity="warning")


def check_forces(c: _Collector, loc: Loc, ev: Any, bellig: list[str],
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


def check_areas(s: Scenario, c: _Collector) -> None:
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


def check_strikes(s: Scenario, c: _Collector, i: int, sp: Any,
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


def check_seats(s: Scenario, c: _Collector, roles: dict[str, set[str]]) -> None:
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


def check_phases(s: Scenario, c: _Collector, inside: Any) -> None:
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
