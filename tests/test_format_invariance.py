"""The scenario format's capabilities for other wars (issue 15) keep the engine's promises: run
k is the same alone or in any batch, and the same seed gives the same war."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ripeness
from ripeness.scenario import read, variant

EVERY = Path(__file__).parent / "data" / "every_capability.toml"


def _same(a: ripeness.Result, b: ripeness.Result) -> None:
    for name in a.daily.data_vars:
        x, y = a.daily[name].values, b.daily[name].values
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    cols = [c for c in a.sessions.columns if c != "date"]
    assert a.sessions[cols].reset_index(drop=True).equals(b.sessions[cols].reset_index(drop=True))


def test_the_synthetic_war_uses_every_capability() -> None:
    s = read(EVERY).scenario
    assert s.coalitions and any(a.roles for a in s.actors) and s.stake.basis == "area"
    assert any(ev.forces for ev in s.events) and any(x.carries != "all" for x in s.supply)
    assert s.talks is not None and s.talks.phases and s.talks.terms == "map"
    assert s.talks.seats and s.talks.sponsors and any(i.places for i in s.issues)
    assert any(a.arms for a in s.actors) and any(x.strikes and x.no_strike for x in s.support)


@pytest.mark.parametrize("forecast", ["trend", "model"])
def test_run_k_is_the_same_alone_and_in_a_batch(forecast: str) -> None:
    loaded = variant(read(EVERY), sets={"talks.forecast": forecast})
    days = 30 if forecast == "trend" else 12
    batch = ripeness.simulate(loaded, runs=6, seed=5, days=days)
    alone = ripeness.simulate(loaded, runs=1, seed=5, days=days, first_run=3)
    picked = batch.daily.sel(run=[3])
    _same(ripeness.Result(picked, batch.events, batch.manifest,
                          batch.sessions[batch.sessions["run"] == 3]), alone)


def test_the_same_seed_gives_the_same_war() -> None:
    a = ripeness.simulate(EVERY, runs=3, seed=9, days=30)
    b = ripeness.simulate(EVERY, runs=3, seed=9, days=30)
    _same(a, b)
    assert a.events.equals(b.events)


def test_the_synthetic_war_uses_them_in_its_runs() -> None:
    """Over 8 runs: the defection happens where the war still goes on, the alliance strikes the
    government's systems, the conference meets, and settlements redraw the map."""
    r = ripeness.simulate(EVERY, runs=8, seed=0, days=40)
    d = r.daily
    gov = d.actor.values.tolist().index("gov")
    going = ~(d["settled_day"].values < 9)  # runs settled before the day are frozen
    assert going.sum() >= 4
    plain = d["control"].sel(place="plain").values[:, 9]
    assert (plain[going] == gov).all()  # the militia went over with its village
    assert (d["arms"].sel(actor="gov").values[:, -1] < 1).any(axis=-1).all()
    held = r.sessions[r.sessions["held"]]
    assert (held["talks_stage"] == "conference").any()
    assert (r.events["kind"] == "ceded").any()
