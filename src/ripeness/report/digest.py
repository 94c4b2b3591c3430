"""One run in words: the day-by-day digest and the summary at its end.

:func:`digest` tells a run day by day (news first, each with the day's toll; quiet stretches
folded); :func:`summarize_run` gathers what a run ended with into a :class:`RunSummary`, a
structured object whose ``str`` is the text ``ripeness run`` prints. Both read only a
result's tables (daily arrays, events, sessions), never the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from ..coupling import OUTCOMES, SETTLEMENT, VICTORY

__all__ = ["RunSummary", "digest", "plural", "summarize_run", "tell"]


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 session', '3 sessions', '1,200 fighters' (``many``: an irregular plural)."""
    text = f"{n:,.0f}" if isinstance(n, float) else f"{n:,}"
    return f"{text} {word if n == 1 else many or word + 's'}"


def digest(daily: xr.Dataset, events: pd.DataFrame, sessions: pd.DataFrame, run: int,
           every_day: bool = False) -> list[str]:
    """Run ``run`` day by day: one line per day with news (captures, districts taken, assaults
    beaten off, sieges, corridors, talks), each with the day's toll; a stretch of days without
    news folded into one line with where the fighting went on and its total toll.
    ``every_day``: one line for every day."""
    ds = daily.sel(run=run)
    actors = [str(a) for a in ds["actor"].values]
    dead = np.diff(ds["mil_dead"].values, axis=0, prepend=0.0)
    civ = np.diff(ds["killed"].values.sum(axis=1), prepend=0.0)
    days = [int(d) for d in ds["day"].values]
    dates = [pd.Timestamp(x).date().isoformat() for x in ds["date"].values]
    news = _news(events, sessions, run)
    places = [str(p) for p in ds["place"].values]
    att = ds["attacker"].values
    attacker = np.where(np.isnan(att), -1, att).astype(np.int64)
    lines = []
    for i, j in _stretches([bool(news.get(d)) for d in days], every_day):
        toll = _toll(actors, dead[i:j + 1].sum(axis=0), float(civ[i:j + 1].sum()))
        told = news.get(days[i], []) if i == j else []
        if not told:
            told = _fighting(attacker[i:j + 1], actors, places)
        if i == j:
            lines.append(f"{dates[i]} (day {days[i]}): " + "; ".join([*told, *toll]))
        else:
            lines.append(f"{dates[i]} .. {dates[j]} (days {days[i]}-{days[j]}): "
                         f"{j - i + 1} days without news; " + "; ".join([*told, *toll]))
    return lines


def _news(events: pd.DataFrame, sessions: pd.DataFrame, run: int) -> dict[int, list[str]]:
    """day -> the day's news in words: events first, then the talks."""
    out: dict[int, list[str]] = {}
    for e in events[events["run"] == run].itertuples():
        out.setdefault(int(e.day), []).append(tell(e))
    if "held" in sessions.columns:
        for day, rows in sessions[sessions["run"] == run].groupby("day", sort=True):
            told = [x for r in rows.itertuples() for x in talks_news(r)]
            if told:
                out.setdefault(int(day), []).extend(told)
    return out


def _fighting(attacker: NDArray[Any], actors: list[str], places: list[str],
              most: int = 3) -> list[str]:
    """Where the assaults of a stretch without news went on (attacker: int[day, place], -1
    none): the ``most`` places fought for on most days, with the attacker and the days."""
    days = (attacker >= 0).sum(axis=0)
    hot = [int(v) for v in np.argsort(-days, kind="stable")[:most] if days[v] > 0]
    if not hot:
        return []
    told = []
    for v in hot:
        who = attacker[:, v][attacker[:, v] >= 0]
        main = int(np.bincount(who).argmax())
        n = int(days[v])
        told.append(f"{places[v]} ({actors[main]}, {n} day{'s' if n > 1 else ''})")
    return ["fighting at " + ", ".join(told)]


def _stretches(news: list[bool], every_day: bool) -> list[tuple[int, int]]:
    """(first, last) positions of the digest's lines: each day with news alone, each run of
    days without news together (every day alone with ``every_day``)."""
    out: list[tuple[int, int]] = []
    for i, has in enumerate(news):
        if out and not every_day and not has and not news[out[-1][1]]:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _lost(actors: list[str], dead: NDArray[Any]) -> str:
    """Fighters lost by actor, in words ('none' if nobody)."""
    lost = ", ".join(f"{a} {x:,.0f}" for a, x in zip(actors, dead, strict=True) if x >= 0.5)
    return lost or "none"


def _toll(actors: list[str], dead: NDArray[Any], civ: float) -> list[str]:
    """Fighters lost by actor and civilians killed, in words."""
    return [f"fighters lost: {_lost(actors, dead)}", f"civilians killed: {civ:,.0f}"]


def talks_news(r: Any) -> list[str]:
    """One row of the sessions table in a few words, in the order things happened that day:
    talks resumed (or put off), the session, then a suspension, a ceasefire agreed or
    broken."""
    out = []
    if r.resumed:
        out.append("talks resumed")
    if getattr(r, "deferred", False):
        out.append(f"talks put off until day {r.resume_day} (no range in sight)")
    if r.settled:
        out.append("TALKS: settlement signed")
    elif r.held and getattr(r, "hearing", False):
        out.append("talks: the mediator hears the parties")
    elif r.held:
        out.append(f"talks: {'no range' if not r.range_exists else 'offer refused'}"
                   f" ({r.cause})")
    if r.suspended:
        out.append(f"TALKS SUSPENDED until day {r.resume_day}"
                   + (" (escalation)" if r.escalation else ""))
    if r.ceasefire_agreed:
        out.append("CEASEFIRE agreed")
    if r.ceasefire_broke:
        out.append("ceasefire broke down")
    return out


def tell(e: Any, names: dict[str, str] | None = None) -> str:
    """One event (a row of ``Result.events``) in words; ``names``: place id -> name, for the
    place (its id where absent)."""
    place = (names or {}).get(e.place, e.place)
    if e.kind == "captured":
        return f"{e.actor} took {place} ({e.detail})"
    if e.kind == "ceded":
        return f"{place} goes to {e.actor} by the settlement ({e.detail})"
    if e.kind == "district taken":
        return f"{e.actor} took a district of {place} ({e.detail})"
    if e.kind == "assault repulsed":
        return f"{e.actor}'s assault on {place} beaten off ({e.detail})"
    if e.kind == "evacuated":
        to = e.detail.rsplit(" to ", 1)
        where = (names or {}).get(to[-1], to[-1])
        return f"{e.actor}'s garrison of {place} evacuated under a deal ({to[0]} to {where})"
    if e.kind.startswith("siege"):
        return f"siege of {place} {e.kind.removeprefix('siege ')} ({e.actor})"
    return f"{e.detail} ({e.actor}) {e.kind.removeprefix('corridor ')}"


@dataclass(frozen=True)
class RunSummary:
    """What one run ended with. ``str()`` gives the text ``ripeness run`` prints.

    holders: one row per actor that fights or holds a place (index actor; columns fighting,
    places_start, places_end, civilians: the share of the civilians living in its places at
    the end). changes: one row per place whose holder differs between start and end (place,
    taken_by, taken_from). air: one row per support entry that flew (index support; sorties,
    then the share of them on places held by each actor; None: no air support in the
    scenario). aims_met: backer -> its limited aim
    is met at the end. talks: sessions, suspensions, ceasefire_days, ceasefires_agreed,
    ceasefires_broke, settled_day (None: no talks in the scenario). fighters_lost: by actor.
    evacuated: one row per garrison that left a fallen pocket under a deal (day, place, actor,
    fighters).
    """

    run: int
    start: str
    end: str
    days: int
    outcome: str
    outcome_day: int | None
    holders: pd.DataFrame
    changes: pd.DataFrame
    captures: int
    air: pd.DataFrame | None
    aims_met: dict[str, bool]
    talks: dict[str, Any] | None
    fighters_lost: pd.Series
    civilians_killed: float
    civilians_displaced: float
    date_of: dict[int, str]
    evacuated: pd.DataFrame

    def lines(self) -> list[str]:
        """The summary as lines of text."""
        return [*_outcome_line(self), *_holder_lines(self), *_change_lines(self),
                *_air_lines(self), *_aim_lines(self), *_talks_lines(self), *_total_lines(self),
                *_evacuation_lines(self)]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _date_of(ds: xr.Dataset, day: int) -> str:
    """The date of day ``day`` of the run (also when only the last day was kept)."""
    first = pd.Timestamp(ds["date"].values[0]) - pd.Timedelta(days=int(ds["day"].values[0]))
    return str((first + pd.Timedelta(days=day)).date().isoformat())


def _belligerents(ds: xr.Dataset) -> NDArray[np.bool_]:
    """bool[actor]: actors that fight (a belligerent, or fighters at the start)."""
    fight = ds["force_start"].values.sum(axis=0) > 0
    if "belligerent" in ds.coords:
        fight |= np.isin(ds["actor"].values, ds["belligerent"].values)
    return np.asarray(fight)


def _holders(ds: xr.Dataset) -> pd.DataFrame:
    actors = [str(a) for a in ds["actor"].values]
    n = len(actors)
    c0, c1 = ds["control_start"].values, ds["control"].values[-1]
    h0, h1 = np.bincount(c0, minlength=n), np.bincount(c1, minlength=n)
    civ = np.bincount(c1, weights=ds["civilians"].values[-1].astype(np.float64), minlength=n)
    civ = civ / civ.sum() if civ.sum() > 0 else civ
    fight = _belligerents(ds)
    rows = [*np.flatnonzero(fight), *np.flatnonzero(~fight & ((h0 > 0) | (h1 > 0)))]
    return pd.DataFrame({"fighting": fight[rows], "places_start": h0[rows],
                         "places_end": h1[rows], "civilians": civ[rows]},
                        index=pd.Index([actors[a] for a in rows], name="actor"))


def _changes(ds: xr.Dataset) -> pd.DataFrame:
    actors = np.array([str(a) for a in ds["actor"].values])
    places = np.array([str(p) for p in ds["place"].values])
    c0, c1 = ds["control_start"].values, ds["control"].values[-1]
    moved = np.flatnonzero(c0 != c1)
    return pd.DataFrame({"place": places[moved], "taken_by": actors[c1[moved]],
                         "taken_from": actors[c0[moved]]})


def _air(ds: xr.Dataset) -> pd.DataFrame | None:
    if "sorties_on" not in ds or not ds.sizes.get("support", 0):
        return None
    tally = ds["sorties_on"].to_pandas()  # support x actor
    total = tally.sum(axis=1)
    flew = total >= 0.5
    shares = tally[flew].div(total[flew], axis=0)
    return pd.concat([total[flew].rename("sorties"), shares], axis=1)


def _talks(ds: xr.Dataset, sessions: pd.DataFrame, run: int) -> dict[str, Any] | None:
    if "held" not in sessions.columns:
        return None
    s = sessions[sessions["run"] == run]
    settled = s.loc[s["settled"].astype(bool), "day"]
    quiet = int(ds["ceasefire"].values.sum()) if "ceasefire" in ds else 0
    return {"sessions": int(s["held"].sum()), "suspensions": int(s["suspended"].sum()),
            "ceasefire_days": quiet, "ceasefires_agreed": int(s["ceasefire_agreed"].sum()),
            "ceasefires_broke": int(s["ceasefire_broke"].sum()),
            "settled_day": int(settled.iloc[0]) if len(settled) else None}


def summarize_run(daily: xr.Dataset, events: pd.DataFrame, sessions: pd.DataFrame,
                  run: int) -> RunSummary:
    """Run ``run`` at its end (see :class:`RunSummary`)."""
    ds = daily.sel(run=run)
    last = int(ds["day"].values[-1])
    code = int(ds["outcome"]) if "outcome" in ds else 0
    when = float(ds["outcome_day"]) if "outcome_day" in ds else float("nan")
    moved = _changes(ds)
    captures = int(((events["run"] == run) & (events["kind"] == "captured")).sum())
    aims = ({str(b): bool(m) for b, m in zip(ds["backer"].values, ds["aim_met"].values,
                                             strict=True)} if "aim_met" in ds else {})
    talks = _talks(ds, sessions, run)
    marks = [int(when)] if when == when else []
    if talks is not None and talks["settled_day"] is not None:
        marks.append(talks["settled_day"])
    days = {d: _date_of(ds, d) for d in {0, last, *marks}}
    return RunSummary(
        run=run, start=_date_of(ds, 0), end=_date_of(ds, last), days=last + 1,
        outcome=OUTCOMES[code], outcome_day=int(when) if when == when else None,
        holders=_holders(ds), changes=moved, captures=max(captures, len(moved)),
        air=_air(ds), aims_met=aims, talks=talks,
        fighters_lost=ds["mil_dead"].to_pandas().iloc[-1].astype(np.float64),
        civilians_killed=float(ds["killed"].values[-1].sum()),
        civilians_displaced=float(ds["displaced"].values[-1].sum()), date_of=days,
        evacuated=_evacuated(ds, events, run))


def _evacuated(ds: xr.Dataset, events: pd.DataFrame, run: int) -> pd.DataFrame:
    """The run's negotiated departures: its 'evacuated' events with the fighters that left."""
    ev = events[(events["run"] == run) & (events["kind"] == "evacuated")]
    at = {"day": xr.DataArray(ev["day"].to_numpy()), "place": xr.DataArray(ev["place"].to_numpy())}
    n = ds["evacuated"].sel(at).values.astype(float) if len(ev) else np.zeros(0)
    return pd.DataFrame({"day": ev["day"].to_numpy(), "place": ev["place"].to_numpy(),
                         "actor": ev["actor"].to_numpy(), "fighters": n})



def _pct(x: float) -> str:
    return "<1%" if 0 < x < 0.005 else f"{x:.0%}"


def _outcome_line(s: RunSummary) -> list[str]:
    """The outcome and when it was reached; a settlement ends the run early; a military
    victory is judged on the run's last day."""
    text = f"Outcome after {s.days} days ({s.start} to {s.end}): {s.outcome}"
    if s.outcome_day is not None:
        day = s.outcome_day
        if s.outcome == OUTCOMES[VICTORY]:
            text += (f" (one party holds all that the talks' parties hold on the last day), "
                     f"since its last capture on {s.date_of[day]} (day {day})")
        else:
            text += f", reached on {s.date_of[day]} (day {day})"
        if s.outcome == OUTCOMES[SETTLEMENT] and day < s.days - 1:
            gap = s.days - 1 - day
            text += f"; the war stopped then, {plural(gap, 'day')} before the end of the run"
    return [text]


def _holder_lines(s: RunSummary) -> list[str]:
    names = [a + ("" if r.fighting else " (not fighting)") for a, r in s.holders.iterrows()]
    width = max(len(x) for x in names)
    n = int(s.holders["places_end"].sum())
    out = [f"Places held ({n} in all), start -> end, and the share of the civilians living "
           "in them at the end:"]
    for name, r in zip(names, s.holders.itertuples(), strict=True):
        out.append(f"  {name:<{width}} {r.places_start:4d} -> {r.places_end:4d}  "
                   f"{_pct(r.civilians):>4s}")
    return out


def _change_lines(s: RunSummary) -> list[str]:
    """Places whose holder differs at the end from the start, grouped by the new holder."""
    moved = s.changes
    extra = (f"; {plural(s.captures, 'capture')} in all" if s.captures > len(moved) else "")
    if not len(moved):
        return [f"No place changed hands between the start and the end{extra}."]
    out = [f"Changed hands between the start and the end ({plural(len(moved), 'place')}"
           f"{extra}):"]
    for (new, old), rows in moved.groupby(["taken_by", "taken_from"], sort=True):
        out.append(f"  {new} took from {old} ({len(rows)}): {', '.join(rows['place'])}")
    return out


def _air_lines(s: RunSummary) -> list[str]:
    """Per air-support entry that flew: its sorties and the share by the places' holder."""
    if s.air is None:
        return []
    out = []
    for sup, row in s.air.iterrows():
        by = row.drop("sorties").sort_values(ascending=False, kind="stable")
        who = ", ".join(f"{a} {_pct(float(x))}" for a, x in by.items() if x > 0)
        out.append(f"  {sup}: {plural(float(row['sorties']), 'sortie')}, on places held by {who}")
    return ["Air strikes:", *out] if out else ["Air strikes: none flown."]


def _aim_lines(s: RunSummary) -> list[str]:
    """Backers whose limited aim is met at the end (the result cannot tell a backer without
    one from a backer whose aim is not met)."""
    if not s.aims_met:
        return []
    yes = [b for b, m in s.aims_met.items() if m]
    no = [b for b, m in s.aims_met.items() if not m]
    return [f"Backers' limited aims met at the end: {', '.join(yes) or 'none'}"
            + (f"; not met or none declared: {', '.join(no)}" if no else "")]


def _talks_lines(s: RunSummary) -> list[str]:
    """Sessions held, suspensions, ceasefires and the settlement."""
    t = s.talks
    if t is None:
        return []
    text = (f"Talks: {plural(t['sessions'], 'session')} held, suspended "
            f"{plural(t['suspensions'], 'time')}")
    if s.days > 1:
        text += (f", a ceasefire in force on {plural(t['ceasefire_days'], 'day')}"
                 if t["ceasefire_days"] else ", no ceasefire")
    if t["ceasefires_agreed"] or t["ceasefires_broke"]:
        text += (f" (ceasefires agreed {t['ceasefires_agreed']}, broke down "
                 f"{t['ceasefires_broke']})")
    day = t["settled_day"]
    text += (f", settlement signed on {s.date_of.get(day, '')} (day {day})"
             if day is not None else ", no settlement")
    return [text + "."]


def _total_lines(s: RunSummary) -> list[str]:
    """Fighters lost by actor, civilians killed and displaced, since the start."""
    actors = [str(a) for a in s.fighters_lost.index]
    return [f"Fighters lost: {_lost(actors, s.fighters_lost.to_numpy())}.",
            f"Civilians killed: {s.civilians_killed:,.0f}; displaced: "
            f"{s.civilians_displaced:,.0f}."]


def _evacuation_lines(s: RunSummary) -> list[str]:
    """Garrisons that left fallen pockets under a deal, by actor (none: no line)."""
    if not len(s.evacuated):
        return []
    out = []
    for actor, rows in s.evacuated.groupby("actor", sort=True):
        out.append(f"{actor} {rows['fighters'].sum():,.0f} fighters from "
                   f"{', '.join(dict.fromkeys(rows['place']))}")
    return ["Evacuated under deals (garrisons of fallen pockets, to their side's lines): "
            + "; ".join(out) + "."]
