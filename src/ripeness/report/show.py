"""A plain-text summary of a scenario, for `ripeness show`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from ..scenario import provenance_counts, read

__all__ = ["show"]


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 or x == 0 else f"{x:g}"


def show(name_or_path: str | Path) -> str:
    """Actors, places by controller, supply, support, local truces, talks and provenance
    counts."""
    loaded = read(name_or_path)
    s = loaded.scenario
    out = [f"{s.meta.title} [{s.meta.name}]", f"file: {loaded.file}",
           f"start {s.meta.start}, default horizon {s.meta.horizon_days} days",
           f"scenario hash: {loaded.hash}", ""]
    out.append(f"Actors ({len(s.actors)}):")
    w = max(len(a.id) for a in s.actors)
    for kind in ("belligerent", "backer", "mediator"):
        for a in (a for a in s.actors if a.kind == kind):
            enemies = ", ".join(a.enemies) if a.enemies else "-"
            also = f" (also {', '.join(a.roles)})" if a.roles else ""
            out.append(f"  {a.id:{w}s} {kind:11s} {a.name}{also}  (enemies: {enemies})")
    by_ctrl: dict[str, list[str]] = defaultdict(list)
    for p in s.places:
        forces = ", ".join(f"{k} {_fmt(v.value)}" for k, v in p.forces.items() if v.value)
        pop = _fmt(p.population.value)
        by_ctrl[p.controller].append(f"    {p.name} ({p.id}): pop {pop}"
                                     + (f"; forces {forces}" if forces else ""))
    out += ["", f"Places ({len(s.places)}) by controller on {s.meta.start}:"]
    for ctrl, rows in by_ctrl.items():
        out.append(f"  {ctrl} ({len(rows)}):")
        out += rows
    out += ["", f"Links: {len(s.links)}", "Supply sources:"]
    for src in s.supply:
        state = "open" if src.open else "closed"
        out.append(f"  {src.place} ({src.kind}, {state}) for {', '.join(src.actors)}")
    if s.support:
        out.append("Backer support:")
        for sp in s.support:
            out.append(f"  {sp.backer} -> {sp.client}: {_fmt(sp.sorties_per_day.value)} "
                       f"sorties/day, {_fmt(sp.fighters_per_day.value)} fighters/day")
    for tr in s.truces:
        when = f"from {tr.starts}" if tr.starts else "from the start"
        when += f" to {tr.ends}" if tr.ends else ""
        out.append(f"Local truce {tr.id}: {' and '.join(tr.parties)} over "
                   f"{', '.join(tr.places)}, {when}")
    out += _talks_lines(s)
    counts = provenance_counts(s)
    out += ["", f"Numbers: {counts['sourced']} sourced, {counts['assumed']} assumptions, "
            f"{counts['missing']} without provenance"]
    if loaded.warnings:
        out.append(f"Warnings ({len(loaded.warnings)}):")
        out += [f"  {w.message}" for w in loaded.warnings]
    return "\n".join(out)


def _talks_lines(s: object) -> list[str]:
    from ..scenario.schema import Scenario

    assert isinstance(s, Scenario)
    out = [""]
    t = s.talks
    if t is None:
        return [*out, "Talks: none"]
    day = (t.opens - s.meta.start).days
    closes = t.closes or (s.meta.start + dt.timedelta(days=s.meta.horizon_days))
    out.append(f"Talks: {t.mediator} convenes {', '.join(t.parties)} from {t.opens} (day {day}) "
               f"to {closes}, protocol {t.protocol}, a session every "
               f"{t.session_every_days.value:g} day(s); suspends {t.pause_days.value:g} days "
               f"after {t.suspend_after.value:g} failed sessions or a share drop of "
               f"{t.escalation.value:g} in a day")
    for iss in s.issues:
        ind = f"; indivisible for {', '.join(iss.indivisible)}" if iss.indivisible else ""
        out.append(f"  issue {iss.id}: {iss.title} (demanded by {iss.demanded_by}{ind})")
    for ev in s.events:
        out.append(f"  event {ev.date}: {ev.description}")
    if s.whatifs:
        out.append("What-ifs: " + ", ".join(s.whatifs))
    return out
