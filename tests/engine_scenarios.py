"""Small hand-made scenarios for the engine tests, built in memory."""

from __future__ import annotations

from typing import Any

from ripeness.scenario import Scenario, from_raw

T = {"assumption": "test"}


def actor(aid: str, kind: str = "belligerent", **kw: Any) -> dict[str, Any]:
    return {"id": aid, "name": aid.title(), "kind": kind, **T, **kw}


def place(pid: str, controller: str, forces: dict[str, float] | None = None,
          population: float = 1000.0, lat: float = 36.0, lon: float = 37.0,
          **kw: Any) -> dict[str, Any]:
    return {"id": pid, "name": pid.title(), "lat": lat, "lon": lon, "population": population,
            "value": kw.pop("value", 1.0), "controller": controller, "forces": forces or {},
            **T, **kw}


def build(places: list[dict[str, Any]], links: list[tuple[str, str]],
          supply: list[tuple[str, list[str]]], actors: list[dict[str, Any]] | None = None,
          horizon: int = 10, **extra: Any) -> Scenario:
    """A scenario from the given pieces; two hostile belligerents 'gov' and 'reb' by default."""
    raw: dict[str, Any] = {
        "meta": {"name": "test", "title": "test", "start": "2016-02-01",
                 "horizon_days": horizon},
        "actors": actors or [actor("gov", enemies={"reb": 1.0}), actor("reb")],
        "places": places,
        "links": [{"a": a, "b": b, "km": 10.0, **T} for a, b in links],
        "supply": [{"place": p, "actors": who, **T} for p, who in supply],
        **extra,
    }
    return from_raw(raw).scenario


def line(n: int, gov: int, forces: float = 500.0, **kw: Any) -> Scenario:
    """Places p0 .. p{n-1} on a road; gov holds the first ``gov`` ones, reb the rest; gov's
    source at p0, reb's at the last place."""
    ps = [place(f"p{i}", "gov" if i < gov else "reb",
                {"gov" if i < gov else "reb": forces}, lat=36.0 + 0.05 * i) for i in range(n)]
    links = [(f"p{i}", f"p{i + 1}") for i in range(n - 1)]
    return build(ps, links, [("p0", ["gov"]), (f"p{n - 1}", ["reb"])], **kw)
