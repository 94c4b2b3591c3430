"""``simulate``: run a batch of days and return one typed :class:`Result`.

The result holds the daily arrays as an xarray Dataset (``daily``), the event log as a pandas
DataFrame (``events``: places and districts changing hands, assaults beaten off, sieges begun
and relieved, corridors cut and reopened), and a manifest (scenario hash, package version,
seed, runs, parameters used). It saves to a folder (manifest.json, daily.nc, events.parquet)
and loads back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from . import coupling
from .coupling import OUTCOMES, Batch, Link
from .engine import State
from .scenario import Loaded, Scenario, load, scenario_hash
from .talks import compile_talks
from .talks.explain import sessions_frame
from .talks.state import CAUSES, PHASES, SessionRecord
from .world.compile import World, compile_scenario
from .world.shares import shares

__all__ = ["Result", "simulate"]


def _record(s: State, world: World, b: Batch | None = None) -> dict[str, NDArray[Any]]:
    """The arrays kept for one day (float32 to halve memory)."""
    besieged = np.where(s.supplied, 0.0, s.civilians)
    extra: dict[str, NDArray[Any]] = {"share": shares(s, world).astype(np.float32)}
    if b is not None and b.talks is not None:
        extra["talks_phase"] = b.talks.phase.copy()
        extra["ceasefire"] = b.talks.ceasefire.copy()
    return {**extra,
        "control": s.control.astype(np.int8), "force": s.force.astype(np.float32),
        "supplied": s.supplied.copy(), "besieged": besieged.astype(np.float32),
        "civilians": s.civilians.astype(np.float32), "killed": s.killed.astype(np.float32),
        "displaced": s.displaced.astype(np.float32), "hosted": s.hosted.astype(np.float32),
        "mil_dead": s.mil_dead.astype(np.float32), "sorties": s.sorties.astype(np.float32),
        "attacker": s.attacker.astype(np.int8), "repulsed": s.repulsed.copy(),
        "corridor_open": s.corridor.copy(),
        "districts": s.districts.astype(np.int16),
    }


_DIMS = {
    "control": ("place",), "force": ("place", "actor"), "supplied": ("place",),
    "besieged": ("place",), "civilians": ("place",), "killed": ("place",),
    "displaced": ("place",), "hosted": ("place",), "mil_dead": ("actor",),
    "sorties": ("place",), "attacker": ("place",), "repulsed": ("place",),
    "corridor_open": ("corridor",),
    "districts": ("place",),
}

_DOC = {
    "control": "actor index holding the place at the end of the day (see attrs 'actors')",
    "force": "fighters per place and actor, end of day",
    "supplied": "the holder reaches one of its open sources through its own ground",
    "besieged": "civilians in places whose holder is cut off from supply, persons",
    "civilians": "residents, persons",
    "killed": "civilians killed since the start, by place, persons (cumulative)",
    "displaced": "civilians who fled the place since the start, persons (cumulative)",
    "hosted": "displaced civilians arrived at a refuge, persons (cumulative)",
    "mil_dead": "fighters put out of action since the start, by actor (cumulative)",
    "sorties": "sorties flown on the place that day",
    "attacker": "actor index attacking the place that day, -1 none",
    "repulsed": "the day's attacker broke off its assault on the place (its losses reached its "
                "breakpoint before the defender's)",
    "corridor_open": "the corridor's actor holds a road from its start to its end",
    "districts": "districts of the place its holder still holds (a city is fought for district "
                 "by district)",
}


def _dataset(days: list[dict[str, NDArray[Any]]], first: State, world: World) -> xr.Dataset:
    dates = pd.date_range(pd.Timestamp(world.start), periods=len(days), freq="D")
    data = {}
    for k, dims in _DIMS.items():
        arr = np.stack([d[k] for d in days], axis=1)
        data[k] = xr.Variable(("run", "day", *dims), arr, attrs={"description": _DOC[k]})
    start = _record(first, world)
    for k in ("control", "supplied", "corridor_open", "force", "districts"):
        data[f"{k}_start"] = xr.Variable(("run", *_DIMS[k]), start[k])
    data.update(_party_daily(days))
    coords = {"run": first.run, "day": np.arange(len(days)), "date": ("day", dates),
              "place": list(world.place_ids), "actor": list(world.actor_ids),
              "corridor": list(world.corridor_ids), "cause": list(CAUSES)}
    return xr.Dataset(data, coords=coords, attrs={"actors": " ".join(world.actor_ids)})


def _party_daily(days: list[dict[str, NDArray[Any]]]) -> dict[str, xr.Variable]:
    """Shares of the stake per belligerent and the talks' phase, per day (if recorded)."""
    out = {"share": xr.Variable(("run", "day", "actor"),
                                np.stack([d["share"] for d in days], axis=1),
                                attrs={"description": "value-weighted share of the stake "
                                       "held by each belligerent"})}
    if "talks_phase" in days[0]:
        out["talks_phase"] = xr.Variable(
            ("run", "day"), np.stack([d["talks_phase"] for d in days], axis=1),
            attrs={"description": "talks phase code: " + ", ".join(
                f"{i} {p}" for i, p in enumerate(PHASES))})
        out["ceasefire"] = xr.Variable(
            ("run", "day"), np.stack([d["ceasefire"] for d in days], axis=1),
            attrs={"description": "a ceasefire between the talks' parties is in force"})
    return out


def _summary(b: Batch, link: Link, world: World, day: int) -> dict[str, xr.Variable]:
    """Per-run outcome and talks tally (what ensembles keep)."""
    t = b.tally
    code, when = coupling.outcome(b, link, world, day)
    run_vars: dict[str, tuple[NDArray[Any], str]] = {
        "outcome": (code, "outcome code: " + ", ".join(
            f"{i} {o}" for i, o in enumerate(OUTCOMES))),
        "outcome_day": (when, "day the outcome was reached (-1: ongoing)"),
        "settled_day": (t.settled_day, "day of a settlement (-1: none)"),
        "first_suspension_day": (t.first_suspension_day, "day talks were first suspended"),
        "sessions": (t.sessions, "sessions of talks held"),
        "suspensions": (t.suspensions, "times the mediator suspended the talks"),
        "ceasefire_days": (t.ceasefire_days, "days with a ceasefire in force"),
        "peak_besieged": (t.peak_besieged, "most civilians besieged on any day, persons"),
        "besieged_person_days": (t.besieged_person_days, "civilians besieged x days"),
        "last_capture_day": (t.last_capture_day, "last day one party took a place from "
                             "another (-1: never)"),
    }
    out = {k: xr.Variable(("run",), v, attrs={"description": d})
           for k, (v, d) in run_vars.items()}
    out["failed_sessions"] = xr.Variable(("run", "cause"), t.causes, attrs={
        "description": "sessions without a deal, by dominant cause"})
    out["sorties_on"] = xr.Variable(("run", "support", "actor"), t.strikes, attrs={
        "description": "sorties each support entry flew on places held by each actor"})
    if link.spec is not None:
        out["aim_met"] = xr.Variable(("run", "backer"), coupling.backer_satisfied(b.war, link),
                                     attrs={"description": "the backer's limited objective "
                                            "is met at the end (held and supplied)"})
    if b.talks is not None and link.spec is not None:
        out["terms"] = xr.Variable(("run", "party"), b.talks.terms, attrs={
            "description": "settled shares of the stake (NaN: no settlement)"})
    return out


def _events(ds: xr.Dataset, world: World) -> pd.DataFrame:
    """The event log, from day-to-day differences of the recorded arrays."""
    rows: list[pd.DataFrame] = []
    actors, places = np.array(world.actor_ids), np.array(world.place_ids)
    dates = pd.DatetimeIndex(ds["date"].values)

    def prev(name: str) -> NDArray[Any]:
        cur = ds[name].values
        return np.concatenate([ds[f"{name}_start"].values[:, None], cur[:, :-1]], axis=1)

    ctl, ctl0 = ds["control"].values, prev("control")
    r, d, p = np.nonzero(ctl != ctl0)
    rows.append(pd.DataFrame({"run": ds["run"].values[r], "day": d, "kind": "captured",
                              "place": places[p], "actor": actors[ctl[r, d, p]],
                              "detail": [f"from {x}" for x in actors[ctl0[r, d, p]]]}))
    sup, sup0 = ds["supplied"].values, prev("supplied")
    for kind, hit in (("siege begun", sup0 & ~sup), ("siege relieved", ~sup0 & sup)):
        r, d, p = np.nonzero(hit & (ctl == ctl0))
        rows.append(pd.DataFrame({"run": ds["run"].values[r], "day": d, "kind": kind,
                                  "place": places[p], "actor": actors[ctl[r, d, p]],
                                  "detail": ""}))
    dis, dis0 = ds["districts"].values, prev("districts")
    r, d, p = np.nonzero((dis < dis0) & (ctl == ctl0))
    att = ds["attacker"].values[r, d, p]
    rows.append(pd.DataFrame({"run": ds["run"].values[r], "day": d, "kind": "district taken",
                              "place": places[p], "actor": actors[np.maximum(att, 0)],
                              "detail": [f"{x} left" for x in dis[r, d, p]]}))
    if "repulsed" in ds:
        rows.append(_repulses(ds, actors, places))
    cor, cor0 = ds["corridor_open"].values, prev("corridor_open")
    for kind, hit in (("corridor cut", cor0 & ~cor), ("corridor reopened", ~cor0 & cor)):
        r, d, c = np.nonzero(hit)
        rows.append(pd.DataFrame({
            "run": ds["run"].values[r], "day": d, "kind": kind,
            "place": places[world.corridor_to[c]], "actor": actors[world.corridor_actor[c]],
            "detail": np.array(world.corridor_ids, dtype=object)[c] if len(c) else []}))
    ev = pd.concat(rows, ignore_index=True)
    ev["date"] = dates[ev["day"].to_numpy()] if len(ev) else pd.Series(dtype="datetime64[ns]")
    ev = ev.sort_values(["run", "day", "kind", "place"], kind="stable", ignore_index=True)
    return ev[["run", "day", "date", "kind", "place", "actor", "detail"]].astype(
        {"run": np.int64, "day": np.int64, "kind": str, "place": str, "actor": str,
         "detail": str})


def _repulses(ds: xr.Dataset, actors: NDArray[Any], places: NDArray[Any]) -> pd.DataFrame:
    """'assault repulsed' events: the attacker broke off; detail: who held and how many days
    in a row the attacker had fought for the place."""
    att, ctl = ds["attacker"].values, ds["control"].values
    streak = np.zeros(att.shape, dtype=np.int64)
    for d in range(att.shape[1]):  # over days, each a whole [run, place] array
        same = (att[:, d - 1] == att[:, d]) if d else np.zeros(att[:, 0].shape, dtype=bool)
        streak[:, d] = np.where(att[:, d] >= 0, np.where(same, streak[:, d - 1] + 1, 1), 0)
    rr, dd, pp = np.nonzero(ds["repulsed"].values)
    return pd.DataFrame({"run": ds["run"].values[rr], "day": dd, "kind": "assault repulsed",
                         "place": places[pp], "actor": actors[att[rr, dd, pp]],
                         "detail": [f"by {actors[h]}, after {n} day{'s' if n > 1 else ''}"
                                    for h, n in zip(ctl[rr, dd, pp], streak[rr, dd, pp],
                                                    strict=True)]})


def _manifest(scenario: Scenario, world: World, seed: int, first_run: int, runs: int,
              days: int, source: str | None) -> dict[str, Any]:
    from . import __version__

    return {
        "scenario": scenario.meta.name, "scenario_hash": scenario_hash(scenario),
        "scenario_file": source,
        "package": "ripeness", "version": __version__, "numpy": np.__version__,
        "seed": seed, "first_run": first_run, "runs": runs, "days": days,
        "run_indices": [first_run, first_run + runs - 1],
        "start": world.start.isoformat(),
        "parameters": world.params_on(0).used(world.actor_ids),
        "events": [{"day": d, "parameters": p.used(world.actor_ids)}
                   for d, p in world.phases[1:]],
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rng": "counter-based SplitMix64 of (seed, run, day, purpose, element)",
    }


@dataclass(frozen=True)
class Result:
    """One batch's outcome: ``daily`` arrays (run x day x ...; per-run outcome and talks
    tally), ``events`` (captures, sieges, corridors), ``sessions`` (the talks, one row per
    run and day with a session or a talks event; empty when not recorded), ``manifest``."""

    daily: xr.Dataset
    events: pd.DataFrame
    manifest: dict[str, Any]
    sessions: pd.DataFrame

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """Write DIR/manifest.json, daily.nc, events.parquet, sessions.parquet atomically."""
        target = Path(directory)
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target} already exists; choose another folder or pass "
                                  "overwrite=True (--overwrite) to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
        try:
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n")
            self.daily.to_netcdf(tmp / "daily.nc", engine="netcdf4")
            self.events.to_parquet(tmp / "events.parquet", index=False)
            self.sessions.to_parquet(tmp / "sessions.parquet", index=False)
            _swap(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return target

    @classmethod
    def load(cls, directory: str | Path) -> Result:
        """A result saved by :meth:`save`."""
        d = Path(directory)
        with xr.open_dataset(d / "daily.nc", engine="netcdf4") as ds:
            daily = ds.load()
        return cls(daily=daily, events=pd.read_parquet(d / "events.parquet"),
                   manifest=json.loads((d / "manifest.json").read_text()),
                   sessions=pd.read_parquet(d / "sessions.parquet"))

    def digest(self, run: int = 0, every_day: bool = False) -> list[str]:
        """Run ``run`` day by day, for a person: one line per day with news (captures, sieges,
        corridors, talks), each with the day's toll; a stretch of days without news is folded
        into one line with its total toll. ``every_day``: one line for every day."""
        ds = self.daily.sel(run=run)
        actors = [str(a) for a in ds["actor"].values]
        dead = np.diff(ds["mil_dead"].values, axis=0, prepend=0.0)
        civ = np.diff(ds["killed"].values.sum(axis=1), prepend=0.0)
        days = [int(d) for d in ds["day"].values]
        dates = [pd.Timestamp(x).date().isoformat() for x in ds["date"].values]
        news = _news(self.events, self.sessions, run)
        places = [str(p) for p in ds["place"].values]
        attacker = ds["attacker"].values
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

    def summary(self, run: int = 0) -> list[str]:
        """Run ``run`` at its end, in a few lines: the outcome, who holds what and where the
        civilians live, places that changed hands, air strikes, backers' aims, the talks and
        the toll. Reads only what the result holds; parts a scenario lacks are left out."""
        ds = self.daily.sel(run=run)
        return [*_outcome_line(ds), *_holders(ds), *_changes(ds, self.events, run),
                *_air(ds), *_aims(ds), *_talks_tally(ds, self.sessions, run), *_totals(ds)]

    def explain(self, run: int = 0) -> list[str]:
        """The story of the talks in run ``run``, in plain language with the numbers."""
        from .talks.explain import explain

        if "held" not in self.sessions.columns:
            return [f"No talks in this scenario (run {run})."]
        return explain(self.sessions, run)


def _news(events: pd.DataFrame, sessions: pd.DataFrame, run: int) -> dict[int, list[str]]:
    """day -> the day's news in words: events first, then the talks (digest)."""
    out: dict[int, list[str]] = {}
    for e in events[events["run"] == run].itertuples():
        out.setdefault(int(e.day), []).append(_tell(e))
    if "held" in sessions.columns:
        for day, rows in sessions[sessions["run"] == run].groupby("day", sort=True):
            told = _talks_line(rows, run, int(day))
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
    """Fighters lost by actor and civilians killed, in words (digest)."""
    return [f"fighters lost: {_lost(actors, dead)}", f"civilians killed: {civ:,.0f}"]


def _date_of(ds: xr.Dataset, day: int) -> str:
    """The date of day ``day`` of the run (also when only the last day was kept)."""
    first = pd.Timestamp(ds["date"].values[0]) - pd.Timedelta(days=int(ds["day"].values[0]))
    return str((first + pd.Timedelta(days=day)).date().isoformat())


def _belligerents(ds: xr.Dataset) -> NDArray[np.bool_]:
    """bool[actor]: actors that fight (fighters at the start, or a share of the stake)."""
    fight = ds["force_start"].values.sum(axis=0) > 0
    if "share" in ds:
        fight |= (ds["share"].values > 0).any(axis=0)
    return np.asarray(fight)


def _pct(x: float) -> str:
    return "<1%" if 0 < x < 0.005 else f"{x:.0%}"


def _outcome_line(ds: xr.Dataset) -> list[str]:
    """The outcome and when it was reached; a settlement ends the run early."""
    last = int(ds["day"].values[-1])
    head = (f"Outcome after {last + 1} days ({_date_of(ds, 0)} to {_date_of(ds, last)}): ")
    if "outcome" not in ds:
        return [head + "no outcome recorded"]
    code, when = int(ds["outcome"]), int(ds["outcome_day"])
    text = head + OUTCOMES[code]
    if when >= 0:
        text += f", reached on {_date_of(ds, when)} (day {when})"
        if code == coupling.SETTLEMENT and when < last:
            text += f"; the war stopped then, {last - when} days before the end of the run"
    return [text]


def _holders(ds: xr.Dataset) -> list[str]:
    """Places held at the start and the end, and the civilians living in them at the end,
    per belligerent (other holders, e.g. a backer's own border post, marked)."""
    actors = [str(a) for a in ds["actor"].values]
    n = len(actors)
    c0, c1 = ds["control_start"].values, ds["control"].values[-1]
    h0, h1 = np.bincount(c0, minlength=n), np.bincount(c1, minlength=n)
    civ = np.bincount(c1, weights=ds["civilians"].values[-1].astype(np.float64), minlength=n)
    civ = civ / civ.sum() if civ.sum() > 0 else civ
    fight = _belligerents(ds)
    rows = [*np.flatnonzero(fight), *np.flatnonzero(~fight & ((h0 > 0) | (h1 > 0)))]
    names = [actors[a] + ("" if fight[a] else " (not fighting)") for a in rows]
    width = max(len(x) for x in names)
    out = [f"Places held ({len(c1)} in all), start -> end, and the share of the civilians "
           "living in them at the end:"]
    for a, name in zip(rows, names, strict=True):
        out.append(f"  {name:<{width}} {h0[a]:4d} -> {h1[a]:4d}  {_pct(civ[a]):>4s}")
    return out


def _changes(ds: xr.Dataset, events: pd.DataFrame, run: int) -> list[str]:
    """Places whose holder differs at the end from the start, grouped by the new holder."""
    actors = [str(a) for a in ds["actor"].values]
    places = [str(p) for p in ds["place"].values]
    c0, c1 = ds["control_start"].values, ds["control"].values[-1]
    moved = np.flatnonzero(c0 != c1)
    captures = int(((events["run"] == run) & (events["kind"] == "captured")).sum())
    extra = f"; {captures} captures in all" if captures > len(moved) else ""
    if not len(moved):
        return [f"No place changed hands between the start and the end{extra}."]
    n = f"{len(moved)} place" + ("s" if len(moved) > 1 else "")
    out = [f"Changed hands between the start and the end ({n}{extra}):"]
    pairs = sorted({(actors[c1[p]], actors[c0[p]]) for p in moved})
    for new, old in pairs:
        names = [places[p] for p in moved if (actors[c1[p]], actors[c0[p]]) == (new, old)]
        out.append(f"  {new} took from {old} ({len(names)}): {', '.join(names)}")
    return out


def _air(ds: xr.Dataset) -> list[str]:
    """Per air-support entry that flew: its sorties and the share by the places' holder."""
    if "sorties_on" not in ds or not ds.sizes.get("support", 0):
        return []
    actors = [str(a) for a in ds["actor"].values]
    out = []
    for s, row in zip(ds["support"].values, ds["sorties_on"].values, strict=True):
        total = float(row.sum())
        if total >= 0.5:
            by = ", ".join(f"{actors[a]} {_pct(row[a] / total)}"
                           for a in np.argsort(-row, kind="stable") if row[a] > 0)
            out.append(f"  {s}: {total:,.0f} sorties, on places held by {by}")
    return (["Air strikes:", *out] if out
            else ["Air strikes: none flown."])


def _aims(ds: xr.Dataset) -> list[str]:
    """Backers whose limited aim is met at the end (the result cannot tell a backer without
    one from a backer whose aim is not met)."""
    if "aim_met" not in ds or not ds.sizes.get("backer", 0):
        return []
    met = ds["aim_met"].values
    names = [str(b) for b in ds["backer"].values]
    yes = [b for b, m in zip(names, met, strict=True) if m]
    no = [b for b, m in zip(names, met, strict=True) if not m]
    return [f"Backers' limited aims met at the end: {', '.join(yes) or 'none'}"
            + (f"; not met or none declared: {', '.join(no)}" if no else "")]


def _talks_tally(ds: xr.Dataset, sessions: pd.DataFrame, run: int) -> list[str]:
    """Sessions held, suspensions, ceasefires and the settlement, from the talks' table."""
    if "held" not in sessions.columns:
        return []
    s = sessions[sessions["run"] == run]
    text = (f"Talks: {int(s['held'].sum())} sessions held, suspended "
            f"{int(s['suspended'].sum())} times")
    agreed, broke = int(s["ceasefire_agreed"].sum()), int(s["ceasefire_broke"].sum())
    if "ceasefire" in ds and ds.sizes["day"] > 1:
        quiet = int(ds["ceasefire"].values.sum())
        text += f", a ceasefire in force on {quiet} days" if quiet else ", no ceasefire"
    if agreed or broke:
        text += f" (ceasefires agreed {agreed}, broke down {broke})"
    settled = s.loc[s["settled"].astype(bool), "day"]
    day = int(settled.iloc[0]) if len(settled) else -1
    text += (f", settlement signed on {_date_of(ds, day)} (day {day})" if day >= 0
             else ", no settlement")
    return [text + "."]


def _totals(ds: xr.Dataset) -> list[str]:
    """Fighters lost by actor, civilians killed and displaced, since the start."""
    actors = [str(a) for a in ds["actor"].values]
    return [f"Fighters lost: {_lost(actors, ds['mil_dead'].values[-1])}.",
            f"Civilians killed: {float(ds['killed'].values[-1].sum()):,.0f}; displaced: "
            f"{float(ds['displaced'].values[-1].sum()):,.0f}."]


def _talks_line(sessions: pd.DataFrame, run: int, day: int) -> list[str]:
    """The talks of one day in a few words (digest)."""
    if "held" not in sessions.columns:
        return []
    rows = sessions[(sessions["run"] == run) & (sessions["day"] == day)]
    out = []
    for r in rows.itertuples():
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
        if r.resumed:
            out.append("talks resumed")
        if r.ceasefire_agreed:
            out.append("CEASEFIRE agreed")
        if r.ceasefire_broke:
            out.append("ceasefire broke down")
    return out


def _tell(e: Any) -> str:
    """One event in words."""
    if e.kind == "captured":
        return f"{e.actor} took {e.place} ({e.detail})"
    if e.kind == "district taken":
        return f"{e.actor} took a district of {e.place} ({e.detail})"
    if e.kind == "assault repulsed":
        return f"{e.actor}'s assault on {e.place} beaten off ({e.detail})"
    if e.kind.startswith("siege"):
        return f"{e.kind.replace('siege ', 'siege of ' + e.place + ' ')} ({e.actor})"
    return f"{e.detail} ({e.actor}) {e.kind.replace('corridor ', '')}"


def _swap(tmp: Path, target: Path) -> None:
    """Put ``tmp`` at ``target``, replacing an old result only once the new one is complete."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    os.replace(target, old / "x")
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _scenario(scenario: Scenario | Loaded | str | Path) -> Scenario:
    return scenario.scenario if isinstance(scenario, Loaded) else load(scenario)


def _source(scenario: Scenario | Loaded | str | Path) -> str | None:
    """Where the scenario came from, if a file (for reports that need its map later)."""
    if isinstance(scenario, Loaded):
        return scenario.file if Path(scenario.file).is_file() else None
    if isinstance(scenario, str | Path) and Path(scenario).is_file():
        return str(Path(scenario).resolve())
    return None


def simulate(scenario: Scenario | Loaded | str | Path, runs: int = 1, seed: int = 0,
             days: int | None = None, first_run: int = 0, record: bool = True) -> Result:
    """Run runs first_run .. first_run + runs - 1 for ``days`` days (default: the horizon).

    The war and the talks advance together each day (:mod:`ripeness.coupling`). Run k's
    trajectory depends only on (scenario, seed, k): alone or in any batch it is the same. Use
    the same seed for a variant scenario to share random draws (common random numbers).
    ``record=False`` keeps only the final day and the per-run outcome (for ensembles).
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if days is not None and days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    sc = _scenario(scenario)
    world = compile_scenario(sc)
    link = coupling.compile_link(sc, world, compile_talks(sc, list(world.actor_ids)))
    n_days = sc.meta.horizon_days if days is None else days
    batch = coupling.start(world, link, runs, seed, first_run)
    first = batch.war
    kept, records = [], []
    for day in range(n_days):
        batch, rec = coupling.advance(batch, world, link, world.params_on(day), day)
        if record or day == n_days - 1:
            kept.append(_record(batch.war, world, batch))
        if record and rec is not None:
            records.append(rec)
    ds = _dataset(kept, first, world)
    ds = ds.assign(_summary(batch, link, world, n_days))
    ds = ds.assign_coords(support=list(world.support_ids))
    if link.spec is not None:
        ds = ds.assign_coords(party=list(link.spec.party_ids),
                              backer=list(link.spec.backer_ids))
    if not record:
        ds = ds.assign_coords(day=[n_days - 1], date=("day", [pd.Timestamp(world.start)
                                                            + pd.Timedelta(days=n_days - 1)]))
    return Result(daily=ds, events=_events(ds, world) if record else _empty_events(),
                  manifest=_manifest(sc, world, seed, first_run, runs, n_days,
                                     _source(scenario)),
                  sessions=_sessions(records, link, first.run))


def _sessions(records: list[SessionRecord], link: Link, run_ids: NDArray[np.int64]
              ) -> pd.DataFrame:
    """The talks' table, with run indices (not batch positions)."""
    if link.spec is None or not records:
        return pd.DataFrame({"run": pd.Series(dtype="int64"), "day": pd.Series(dtype="int64")})
    frame = sessions_frame(records, link.spec)
    if len(frame):
        frame["run"] = run_ids[frame["run"].to_numpy()]
    return frame
def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("run", "int64"), ("day", "int64"), ("date", "datetime64[ns]"), ("kind", str),
        ("place", str), ("actor", str), ("detail", str))})
