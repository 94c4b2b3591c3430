"""``simulate``: run a batch of days and return one typed :class:`Result`.

The result holds the daily arrays as an xarray Dataset (``daily``: every variable with its
long name and units or codes, CF style, see :mod:`ripeness.variables`; places with their
latitude and longitude), the event log as a pandas DataFrame (``events``: places and districts
changing hands, assaults beaten off, sieges begun and relieved, corridors cut and reopened),
the talks (``sessions``), one row per run (``runs``, the same table an ensemble has) and a
manifest (scenario hash, package version, seed, runs, parameters used). It saves to a folder
and loads back.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from . import coupling
from .coupling import Batch, Link
from .dtypes import dtypes_of, restore
from .engine import State
from .outputs import write_folder
from .resources import PROBE_RUNS, check_memory
from .runtable import attainment, objectives, runs_table
from .scenario import Loaded, Scenario, load, scenario_hash
from .talks import compile_talks
from .talks.explain import sessions_frame
from .talks.state import CAUSES, SessionRecord
from .variables import annotate, coordinates

if TYPE_CHECKING:
    from .report.digest import RunSummary
from .world import strikes
from .world.compile import World, compile_scenario
from .world.shares import shares

__all__ = ["Result", "simulate"]


def _record(s: State, world: World, b: Batch | None = None) -> dict[str, NDArray[Any]]:
    """The arrays kept for one day (float32 to halve memory)."""
    besieged = np.where(s.fed, 0.0, s.civilians)
    share = shares(s, world)[:, world.belligerent]
    extra: dict[str, NDArray[Any]] = {"share": share.astype(np.float32)}
    if b is not None and b.talks is not None:
        extra["talks_phase"] = b.talks.phase.copy()
        extra["ceasefire"] = b.talks.ceasefire.copy()
    if world.campaign:  # what is left of heavy weapons, command and air defences
        extra["arms"] = s.arms.astype(np.float32)
    return {**extra,
        "control": s.control.astype(np.int8), "force": s.force.astype(np.float32),
        "supplied": s.supplied.copy(), "besieged": besieged.astype(np.float32),
        "civilians": s.civilians.astype(np.float32), "killed": s.killed.astype(np.float32),
        "displaced": s.displaced.astype(np.float32), "hosted": s.hosted.astype(np.float32),
        "mil_dead": s.mil_dead.astype(np.float32), "sorties": s.sorties.astype(np.float32),
        "attacker": np.where(s.attacker >= 0, s.attacker, np.nan).astype(np.float32),
        "repulsed": s.repulsed.copy(), "corridor_open": s.corridor.copy(),
        "districts": s.districts.astype(np.int16), "evacuated": s.evacuated.astype(np.float32),
        "refuge": np.where(s.refuge >= 0, s.refuge, np.nan).astype(np.float32),
    }


_DIMS = {
    "control": ("place",), "force": ("place", "actor"), "supplied": ("place",),
    "besieged": ("place",), "civilians": ("place",), "killed": ("place",),
    "displaced": ("place",), "hosted": ("place",), "mil_dead": ("actor",),
    "sorties": ("place",), "attacker": ("place",), "repulsed": ("place",),
    "corridor_open": ("corridor",), "districts": ("place",), "evacuated": ("place",),
    "refuge": ("place",),
}


def _dataset(days: list[dict[str, NDArray[Any]]], first: State, world: World,
             sc: Scenario) -> xr.Dataset:
    dates = pd.date_range(pd.Timestamp(world.start), periods=len(days), freq="D")
    data = {}
    for k, dims in _DIMS.items():
        data[k] = xr.Variable(("run", "day", *dims), np.stack([d[k] for d in days], axis=1))
    start = _record(first, world)
    for k in ("control", "supplied", "corridor_open", "force", "districts"):
        data[f"{k}_start"] = xr.Variable(("run", *_DIMS[k]), start[k])
    data.update(_party_daily(days))
    coords = {"run": first.run, "day": np.arange(len(days)), "date": ("day", dates),
              **coordinates(world, sc), "corridor": list(world.corridor_ids),
              "cause": list(CAUSES)}
    if world.campaign:
        coords["system"] = list(strikes.SYSTEMS)
    return xr.Dataset(data, coords=coords)


def _party_daily(days: list[dict[str, NDArray[Any]]]) -> dict[str, xr.Variable]:
    """Shares of the stake per belligerent and the talks' phase, per day (if recorded)."""
    out = {"share": xr.Variable(("run", "day", "belligerent"),
                                np.stack([d["share"] for d in days], axis=1))}
    if "arms" in days[0]:
        out["arms"] = xr.Variable(("run", "day", "actor", "system"),
                                  np.stack([d["arms"] for d in days], axis=1))
    if "talks_phase" in days[0]:
        out["talks_phase"] = xr.Variable(
            ("run", "day"), np.stack([d["talks_phase"] for d in days], axis=1))
        out["ceasefire"] = xr.Variable(
            ("run", "day"), np.stack([d["ceasefire"] for d in days], axis=1))
    return out


def _day(x: NDArray[Any]) -> NDArray[np.float64]:
    """Days of the run with NaN for never (the tallies keep -1)."""
    return np.where(np.asarray(x) >= 0, x, np.nan).astype(np.float64)


def _summary(b: Batch, link: Link, world: World, sc: Scenario,
             day: int) -> dict[str, xr.Variable]:
    """Per-run outcome, talks tally and objective attainment (what ensembles keep)."""
    t = b.tally
    code, when = coupling.outcome(b, link, world, day)
    run_vars: dict[str, NDArray[Any]] = {
        "outcome": code.astype(np.int8), "outcome_day": _day(when),
        "settled_day": _day(t.settled_day), "first_suspension_day": _day(t.first_suspension_day),
        "sessions": t.sessions, "suspensions": t.suspensions,
        "ceasefire_days": t.ceasefire_days, "peak_besieged": t.peak_besieged,
        "besieged_person_days": t.besieged_person_days,
        "last_capture_day": _day(t.last_capture_day)}
    out = {k: xr.Variable(("run",), v) for k, v in run_vars.items()}
    out["failed_sessions"] = xr.Variable(("run", "cause"), t.causes)
    out["sorties_on"] = xr.Variable(("run", "support", "actor"), t.strikes)
    obj = objectives(sc, world)
    out["attainment"] = xr.Variable(("run", "objective"), attainment(b.war.control, obj))
    if link.spec is not None:
        out["aim_met"] = xr.Variable(("run", "backer"), coupling.backer_satisfied(b.war, link))
    if link.terms is not None:  # a settlement redraws the map
        out["ceded"] = xr.Variable(("run", "place"), t.ceded)
    if b.talks is not None and link.spec is not None:
        out["terms"] = xr.Variable(("run", "party"), b.talks.terms)
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
    rows.append(pd.DataFrame({"run": ds["run"].values[r], "day": d,
                              "kind": np.where(_ceded(ds, r, d, p), "ceded", "captured"),
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
    att = _attackers(ds)[r, d, p]
    rows.append(pd.DataFrame({"run": ds["run"].values[r], "day": d, "kind": "district taken",
                              "place": places[p], "actor": actors[np.maximum(att, 0)],
                              "detail": [f"{x} left" for x in dis[r, d, p]]}))
    if "repulsed" in ds:
        rows.append(_repulses(ds, actors, places))
    if "evacuated" in ds:
        r, d, p = np.nonzero(ds["evacuated"].values > 0)
        to = ds["refuge"].values[r, d, p].astype(np.int64)
        rows.append(pd.DataFrame({
            "run": ds["run"].values[r], "day": d, "kind": "evacuated", "place": places[p],
            "actor": actors[ctl0[r, d, p]],
            "detail": [f"{n:,.0f} fighters to {places[t]}"
                       for n, t in zip(ds["evacuated"].values[r, d, p], to, strict=True)]}))
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


def _ceded(ds: xr.Dataset, r: NDArray[Any], d: NDArray[Any],
           p: NDArray[Any]) -> NDArray[np.bool_]:
    """Changes of hands that a settlement's terms made (on its day): 'ceded', not captured."""
    if "ceded" not in ds or "settled_day" not in ds:
        return np.zeros(len(r), dtype=bool)
    day = ds["settled_day"].values[r]
    return np.asarray(ds["ceded"].values[r, p] & (day == d))


def _attackers(ds: xr.Dataset) -> NDArray[np.int64]:
    """The day's attacker of each place as an actor index, -1 for none (NaN in ``daily``)."""
    att = ds["attacker"].values
    return np.where(np.isnan(att), -1, att).astype(np.int64)


def _repulses(ds: xr.Dataset, actors: NDArray[Any], places: NDArray[Any]) -> pd.DataFrame:
    """'assault repulsed' events: the attacker broke off; detail: who held and how many days
    in a row the attacker had fought for the place."""
    att, ctl = _attackers(ds), ds["control"].values
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
        "kind": "ripeness run",
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
    tally), ``events`` (captures, districts taken, assaults beaten off, sieges, corridors),
    ``sessions`` (the talks, one row per run and day with a session or a talks event; empty
    when not recorded), ``manifest``."""

    daily: xr.Dataset
    events: pd.DataFrame
    manifest: dict[str, Any]
    sessions: pd.DataFrame

    def save(self, directory: str | Path, overwrite: bool = False) -> Path:
        """Write DIR/manifest.json, runs.parquet, daily.nc, events.parquet, sessions.parquet
        (the layout an ensemble's folder shares: :mod:`ripeness.results`), whole or not at
        all; an existing DIR is replaced only with ``overwrite``, and only if it holds ripeness
        results and nothing else (the rule of :mod:`ripeness.outputs`)."""
        return write_folder(directory, self._write, overwrite)

    def _write(self, tmp: Path) -> None:
        runs = self.runs
        kept = {"runs.parquet": dtypes_of(runs), "daily.nc": dtypes_of(self.daily),
                "events.parquet": dtypes_of(self.events),
                "sessions.parquet": dtypes_of(self.sessions)}
        (tmp / "manifest.json").write_text(
            json.dumps({**self.manifest, "dtypes": kept}, indent=2) + "\n")
        runs.to_parquet(tmp / "runs.parquet", index=False)
        self.daily.to_netcdf(tmp / "daily.nc", engine="netcdf4")
        self.events.to_parquet(tmp / "events.parquet", index=False)
        self.sessions.to_parquet(tmp / "sessions.parquet", index=False)

    @classmethod
    def load(cls, directory: str | Path) -> Result:
        """A result saved by :meth:`save`, with the dtypes it had (``runs`` is computed from
        ``daily`` as always: runs.parquet is that table for readers without xarray)."""
        d = Path(directory)
        manifest = json.loads((d / "manifest.json").read_text())
        kept = manifest.pop("dtypes", {})
        with xr.open_dataset(d / "daily.nc", engine="netcdf4") as ds:
            daily = restore(ds.load(), kept.get("daily.nc", {}))
        return cls(daily=daily, manifest=manifest,
                   events=restore(pd.read_parquet(d / "events.parquet"),
                                  kept.get("events.parquet", {})),
                   sessions=restore(pd.read_parquet(d / "sessions.parquet"),
                                    kept.get("sessions.parquet", {})))

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: outcome, days, terms, shares, losses, the talks' tally and each
        actor's objective attainment (the same table an ensemble's ``runs`` is; columns in
        docs/ensembles.md)."""
        return runs_table(self.daily)

    def digest(self, run: int = 0, every_day: bool = False) -> list[str]:
        """Run ``run`` day by day, for a person: one line per day with news (captures, sieges,
        corridors, talks), each with the day's toll; a stretch of days without news is folded
        into one line with its total toll. ``every_day``: one line for every day."""
        from .report.digest import digest

        return digest(self.daily, self.events, self.sessions, run, every_day)

    def summary(self, run: int = 0) -> RunSummary:
        """Run ``run`` at its end: the outcome, who holds what and where the civilians live,
        places that changed hands, air strikes, backers' aims, the talks and the toll, as a
        :class:`~ripeness.report.digest.RunSummary` (``str()`` gives it as text). Reads only
        what the result holds; parts a scenario lacks are left out."""
        from .report.digest import summarize_run

        return summarize_run(self.daily, self.events, self.sessions, run)

    def explain(self, run: int = 0) -> list[str]:
        """The story of the talks in run ``run``, in plain language with the numbers."""
        from .talks.explain import explain

        if "held" not in self.sessions.columns:
            return [f"No talks in this scenario (run {run})."]
        return explain(self.sessions, run)


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
             days: int | None = None, first_run: int = 0, record: bool = True,
             progress: bool = False) -> Result:
    """Run runs first_run .. first_run + runs - 1 for ``days`` days (default: the horizon).

    The war and the talks advance together each day (:mod:`ripeness.coupling`). Run k's
    trajectory depends only on (scenario, seed, k): alone or in any batch it is the same. Use
    the same seed for a variant scenario to share random draws (common random numbers).
    ``record=False`` keeps only the final day and the per-run outcome (for ensembles).
    A batch that would not fit in memory is refused before it starts
    (:class:`ripeness.resources.TooLarge`); ``progress``: a progress bar of the days on stderr.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if days is not None and days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    sc = _scenario(scenario)
    world = compile_scenario(sc)
    link = coupling.compile_link(sc, world, compile_talks(sc, list(world.actor_ids)))
    n_days = sc.meta.horizon_days if days is None else days
    probe = coupling.start(world, link, PROBE_RUNS, seed, first_run)
    check_memory(probe, _record(probe.war, world, probe), runs, n_days,
                 n_days if record else 1)
    batch = coupling.start(world, link, runs, seed, first_run)
    first = batch.war
    batch, kept, records = _days(batch, world, link, n_days, record, progress)
    ds = _finish(_dataset(kept, first, world, sc), batch, link, world, sc, n_days, record)
    return Result(daily=ds, events=_events(ds, world) if record else _empty_events(),
                  manifest=_manifest(sc, world, seed, first_run, runs, n_days,
                                     _source(scenario)),
                  sessions=_sessions(records, link, first.run))


def _finish(ds: xr.Dataset, batch: Batch, link: Link, world: World, sc: Scenario,
            n_days: int, record: bool) -> xr.Dataset:
    """The daily Dataset with the per-run summary, the remaining coordinates and every
    variable's long name and units."""
    ds = ds.assign(_summary(batch, link, world, sc, n_days))
    ds = ds.assign_coords(support=list(world.support_ids),
                          objective=[world.actor_ids[i] for i in objectives(sc, world).actor])
    if link.spec is not None:
        ds = ds.assign_coords(party=list(link.spec.party_ids),
                              backer=list(link.spec.backer_ids))
    if not record:
        ds = ds.assign_coords(day=[n_days - 1], date=("day", [pd.Timestamp(world.start)
                                                            + pd.Timedelta(days=n_days - 1)]))
    return annotate(ds)


def _days(batch: Batch, world: World, link: Link, n_days: int, record: bool,
          progress: bool) -> tuple[Batch, list[dict[str, NDArray[Any]]], list[SessionRecord]]:
    """Advance ``n_days`` days: the last batch, the recorded days and the talks' records."""
    from .ensemble.progress import Progress  # here: the ensemble package imports this one

    bar = Progress(n_days, enabled=progress, label="days")
    kept, records = [], []
    try:
        for day in range(n_days):
            batch, rec = coupling.advance(batch, world, link, world.params_on(day), day)
            if record or day == n_days - 1:
                kept.append(_record(batch.war, world, batch))
            if record and rec is not None:
                records.append(rec)
            bar.update(1)
    except BaseException:
        bar.abort()
        raise
    bar.close()
    return batch, kept, records


def _sessions(records: list[SessionRecord], link: Link, run_ids: NDArray[np.int64]
              ) -> pd.DataFrame:
    """The talks' table, with run indices (not batch positions) and ``resume_day`` missing
    (<NA>) where the talks were not suspended."""
    empty = pd.DataFrame({"run": pd.Series(dtype="int64"), "day": pd.Series(dtype="int64")})
    if link.spec is None or not records:
        return empty
    frame = sessions_frame(records, link.spec)
    if frame.empty:  # the talks had not opened by the last day: nothing to tell
        return empty
    if len(frame):
        frame["run"] = run_ids[frame["run"].to_numpy()]
    resume = frame["resume_day"].astype("Int64")
    frame["resume_day"] = resume.where(resume >= 0)
    return frame


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("run", "int64"), ("day", "int64"), ("date", "datetime64[ns]"), ("kind", str),
        ("place", str), ("actor", str), ("detail", str))})
