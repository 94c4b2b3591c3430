"""What the dashboard draws, as JSON, read from the files a job wrote (the CLI's files).

A scenario: its actors with their colours, places, roads, corridors, talks and what-ifs. A run:
who holds each place on each day, sieges, corridors, shares of the stake, the talks' phase,
the events and every session with its numbers and its story in words. An ensemble: the most
likely holder of each place on each day and its probability, and the outcomes over time. A
comparison: the library's paired table (differences with 95% intervals). A run and an ensemble
carry their actors' colours as the result holds them (``actor_colour``, read as ``ripeness
plot`` reads it), so the page and the plots agree. Missing values (NaN, <NA>) are JSON null.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..coupling import OUTCOMES
from ..ensemble import EnsembleResult, wilson
from ..report.colours import actor_colours
from ..report.digest import tell
from ..report.plots import colours_of
from ..scenario import Loaded
from ..simulate import Result
from ..talks.explain import explain
from ..talks.state import PHASES

__all__ = ["MEASURES", "compare_view", "ensemble_view", "run_view", "scenario_view"]

#: The comparison's measures in words (others are shown by their column name).
MEASURES = {"mil_dead": "Fighters lost", "killed": "Civilians killed",
            "displaced": "Civilians displaced", "besieged_person_days": "Besieged person-days",
            "sessions": "Sessions of talks held", "settled_day": "Day of settlement (settled runs)"}
PARTY_FIELDS = ("share", "forecast", "cost", "reservation", "required", "offer", "margin",
                "accepted", "p_win")


def clean_dict(x: dict[str, Any]) -> dict[str, Any]:
    """:func:`clean` of a dict."""
    out: dict[str, Any] = clean(x)
    return out


def clean(x: Any) -> Any:
    """``x`` with NaN, infinities and <NA> as None and NumPy scalars as Python values (JSON)."""
    if x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def scenario_view(name: str, loaded: Loaded) -> dict[str, Any]:
    """The scenario as the page draws it; actors carry the colours a result of it carries."""
    sc = loaded.scenario
    t = sc.talks
    colours = actor_colours([a.id for a in sc.actors], [a.colour for a in sc.actors])
    return clean_dict({
        "name": name, "title": sc.meta.title, "description": sc.meta.description.strip(),
        "start": sc.meta.start.isoformat(), "horizon_days": sc.meta.horizon_days,
        "builtin": loaded.builtin,
        "actors": [{"id": a.id, "name": a.name, "kind": a.kind, "colour": c}
                   for a, c in zip(sc.actors, colours, strict=True)],
        "places": [{"id": p.id, "name": p.name, "kind": p.kind, "lat": p.lat.value,
                    "lon": p.lon.value, "population": p.population.value,
                    "value": p.value.value, "controller": p.controller} for p in sc.places],
        "links": [{"a": k.a, "b": k.b, "kind": k.kind,
                   "km": None if k.km is None else k.km.value} for k in sc.links],
        "corridors": [{"id": c.id, "actor": c.actor, "from": c.from_, "to": c.to,
                       "description": c.description} for c in sc.corridors],
        "supply": [{"place": s.place, "actors": list(s.actors), "kind": s.kind,
                    "open": bool(s.open)} for s in sc.supply],
        "talks": None if t is None else {
            "mediator": t.mediator, "parties": list(t.parties), "opens": t.opens.isoformat(),
            "protocol": t.protocol, "description": t.description},
        "issues": [{"id": i.id, "title": i.title, "demanded_by": i.demanded_by,
                    "indivisible": list(i.indivisible)} for i in sc.issues],
        "whatifs": [{"name": k, "description": w.description} for k, w in sc.whatifs.items()],
    })


def _dates(ds: Any) -> list[str]:
    return [pd.Timestamp(d).date().isoformat() for d in ds["date"].values]


def _session(row: pd.Series, parties: list[str], story: list[str]) -> dict[str, Any]:
    per = {p: {f: row.get(f"{f}[{p}]") for f in PARTY_FIELDS} for p in parties}
    for p in parties:
        req = per[p]["required"]
        per[p]["refuses_without_issue"] = req is not None and not math.isfinite(float(req))
    keys = ("day", "phase", "cause", "held", "hearing", "suspended", "resumed", "deferred",
            "resume_day",
            "settled", "ceasefire", "ceasefire_agreed", "ceasefire_broke", "range_exists",
            "estimated_range", "width", "proposer", "issues_granted", "ripe",
            "ripeness_margin", "escalation", "appealed")
    out = {k: row.get(k) for k in keys}
    out["date"] = str(row.get("date"))[:10]
    out["parties"] = per
    out["story"] = " ".join(story)
    return out


def _sessions(frame: pd.DataFrame, run: int) -> list[dict[str, Any]]:
    """Every session or talks event of ``run``, with the library's explanation of it."""
    if "held" not in frame.columns:
        return []
    rows = frame[frame["run"] == run].sort_values("day", kind="stable")
    parties = [c[6:-1] for c in frame.columns if c.startswith("share[")]
    return [_session(row, parties, explain(rows.loc[[i]], run)[1:])
            for i, row in rows.iterrows()]


def run_view(job: str, folder: Path, run: int | None, names: dict[str, str]) -> dict[str, Any]:
    """Run ``run`` (default: the first) of a batch written by ``Result.save``; ``names``:
    place id -> name, for the events in words."""
    res = Result.load(folder)
    ds = res.daily
    runs = [int(r) for r in ds["run"].values]
    run = runs[0] if run is None else run
    if run not in runs:
        raise LookupError(f"job {job} holds runs {runs[0]}..{runs[-1]}, not {run}")
    one = ds.sel(run=run)
    ev = res.events[res.events["run"] == run]
    phase = one["talks_phase"].values if "talks_phase" in one else None
    return clean_dict({
        "kind": "run", "job": job, "run": run, "runs": runs, "dates": _dates(ds),
        "places": [str(p) for p in ds["place"].values],
        "actors": [str(a) for a in ds["actor"].values], "colours": colours_of(res),
        "corridors": [str(c) for c in ds["corridor"].values],
        "control_start": one["control_start"].values.tolist(),
        "control": one["control"].values.tolist(),
        "supplied": one["supplied"].values.astype(int).tolist(),
        "attacker": _actor_or_none(one["attacker"].values),
        "corridor_open": one["corridor_open"].values.astype(int).tolist(),
        "share": _shares(one),
        "talks_phase": None if phase is None else [PHASES[int(x)] for x in phase],
        "ceasefire": (one["ceasefire"].values.astype(int).tolist() if "ceasefire" in one
                      else None),
        "events": [{"day": int(e.day), "kind": e.kind, "place": e.place, "actor": e.actor,
                    "text": tell(e, names)} for e in ev.itertuples()],
        "sessions": _sessions(res.sessions, run),
        "summary": res.summary(run=run).lines(), "manifest": _manifest(res.manifest)})


def _actor_or_none(codes: np.ndarray[Any, Any]) -> list[list[int | None]]:
    """Actor indices by day and place, None where the result has NaN (no attack)."""
    return [[None if math.isnan(a) else int(a) for a in row] for row in codes.tolist()]


def _shares(one: Any) -> dict[str, list[float]]:
    """Each belligerent's share of the stake by day, for those that ever hold any."""
    share = one["share"]
    return {str(b): np.round(share.sel(belligerent=b).values, 4).tolist()
            for b in share["belligerent"].values if (share.sel(belligerent=b).values > 0).any()}


def _manifest(m: dict[str, Any]) -> dict[str, Any]:
    keep = ("scenario", "scenario_hash", "version", "seed", "first_run", "runs", "days", "start",
            "whatif",
            "sets", "variant", "created", "kind")
    return {k: m[k] for k in keep if k in m}


def outcome_curves(runs: pd.DataFrame, days: int) -> dict[str, Any]:
    """Per outcome, the share of runs that reached it by each day, with 95% Wilson intervals
    (a frozen partition is dated from the last capture before the front froze)."""
    n = len(runs)
    out: dict[str, Any] = {}
    day = runs["outcome_day"].to_numpy(dtype=np.float64, na_value=np.nan)  # <NA>: ongoing
    reached = np.zeros(days)
    for o in OUTCOMES[1:]:
        hit = (runs["outcome"] == o).to_numpy(dtype=bool) & np.isfinite(day)
        count = np.bincount(np.clip(day[hit].astype(np.int64), 0, days - 1),
                            minlength=days).cumsum()
        lo, hi = wilson(count, n)
        reached = reached + count
        out[o] = {"p": np.round(count / n, 4).tolist(), "low": np.round(lo, 4).tolist(),
                  "high": np.round(hi, 4).tolist()}
    lo, hi = wilson(n - reached, n)
    out[OUTCOMES[0]] = {"p": np.round(1 - reached / n, 4).tolist(),
                        "low": np.round(lo, 4).tolist(), "high": np.round(hi, 4).tolist()}
    return out


def ensemble_view(job: str, folder: Path) -> dict[str, Any]:
    """An ensemble written by ``run_ensemble(out=...)``: the most likely holder of each place
    on each day and its probability, outcomes over time and the summary table."""
    ens = EnsembleResult.load(folder)
    prob = ens.daily["control_probability"].values  # [day, place, actor]
    top = prob.argmax(axis=2)
    days = int(ens.manifest.get("days") or prob.shape[0])
    summary = ens.summary().reset_index()
    summary["label"] = [MEASURES.get(m, m) for m in summary["measure"]]
    bands = ens.daily["share_band"]
    return clean_dict({
        "kind": "ensemble", "job": job, "runs": len(ens.runs), "dates": _dates(ens.daily),
        "places": [str(p) for p in ens.daily["place"].values],
        "actors": [str(a) for a in ens.daily["actor"].values], "colours": colours_of(ens),
        "top": top.tolist(), "prob": np.round(prob.max(axis=2), 3).tolist(),
        "outcomes": outcome_curves(ens.runs, days),
        "share_band": {str(b): {f"q{float(q) * 100:02.0f}": np.round(
            bands.sel(belligerent=b, quantile=q).values, 4).tolist()
            for q in bands["quantile"].values} for b in bands["belligerent"].values},
        "summary": summary.to_dict(orient="records"), "manifest": _manifest(ens.manifest)})


def compare_view(job: str, folder: Path) -> dict[str, Any]:
    """A comparison written by ``Comparison.save``: its table and both sides' outcomes."""
    manifest = json.loads((folder / "manifest.json").read_text())
    table = pd.read_parquet(folder / "comparison.parquet")
    rows = []
    for r in table.to_dict(orient="records"):
        m = str(r["measure"])
        prob = m.startswith("P(")
        label = f"P({m[2:-1]})" if prob else MEASURES.get(m, m) + " (mean)"
        rows.append({**r, "label": label, "probability": prob})
    days = int(manifest["days"])
    sides = {side: outcome_curves(pd.read_parquet(folder / file), days)
             for side, file in (("baseline", "baseline.parquet"), ("variant", "variant.parquet"))}
    return clean_dict({"kind": "compare", "job": job, "runs": manifest["runs"], "days": days,
                  "variant": manifest.get("variant", ""), "whatif": manifest.get("whatif"),
                  "rows": rows, "outcomes": sides, "manifest": _manifest(manifest)})
