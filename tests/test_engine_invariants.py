"""Invariants of the engine: conservation, no negative forces, batch invariance, seeds,
common random numbers, masks, and no change of hands without a battle."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ripeness.engine as eng
from ripeness.scenario import from_raw, read, with_patches
from ripeness.simulate import Result, simulate
from ripeness.world.compile import compile_scenario

from .conftest import TOY
from .engine_scenarios import line


def _same(a: Result, b: Result) -> None:
    for name in a.daily.data_vars:
        x, y = a.daily[name].values, b.daily[name].values
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


def test_run_k_is_the_same_alone_or_in_a_batch() -> None:
    batch = simulate(TOY, runs=8, seed=5, days=20)
    alone = simulate(TOY, runs=1, seed=5, days=20, first_run=3)
    chunk = simulate(TOY, runs=3, seed=5, days=20, first_run=2)
    for name in batch.daily.data_vars:
        want = batch.daily[name].sel(run=3).values
        nan = want.dtype.kind == "f"  # NaN: missing (no attack, never settled)
        assert np.array_equal(alone.daily[name].sel(run=3).values, want, equal_nan=nan), name
        assert np.array_equal(chunk.daily[name].sel(run=3).values, want, equal_nan=nan), name


def test_same_seed_same_result_other_seed_other_result() -> None:
    a, b = simulate(TOY, runs=4, seed=11), simulate(TOY, runs=4, seed=11)
    _same(a, b)
    assert a.events.equals(b.events)
    c = simulate(TOY, runs=4, seed=12)
    assert not np.array_equal(a.daily["force"].values, c.daily["force"].values)


def test_a_variant_shares_the_draws_of_its_baseline(toy_raw: dict[str, Any]) -> None:
    """Common random numbers: with the same seed a slightly changed variant stays close to
    its baseline run by run, much closer than a baseline with another seed."""
    toy_raw["parameters"] = {"combat_noise": 0.35, "assumption": "test"}
    base = from_raw(toy_raw)
    variant = with_patches(base, {"parameters.defender_loss_rate": 0.031},
                           "a little more attrition")
    a = simulate(base, runs=20, seed=3, days=15).daily["force"].values
    b = simulate(variant, runs=20, seed=3, days=15).daily["force"].values
    c = simulate(base, runs=20, seed=4, days=15).daily["force"].values
    assert 0 < np.abs(a - b).mean() < 0.5 * np.abs(a - c).mean()


def _check_conservation(res: Result, pop0: np.ndarray) -> None:
    d = res.daily
    assert (d["force"].values >= 0).all()
    total = d["civilians"].values + d["killed"].values + d["displaced"].values
    np.testing.assert_allclose(total, np.broadcast_to(pop0, total.shape), rtol=1e-5, atol=1e-2)
    out_total = d["hosted"].values.sum(axis=2)
    assert (out_total <= d["displaced"].values.sum(axis=2) + 1e-2).all()


def _no_capture_without_battle(res: Result) -> None:
    ctl = res.daily["control"].values
    before = np.concatenate([res.daily["control_start"].values[:, None], ctl[:, :-1]], axis=1)
    changed = ctl != before
    assert (res.daily["attacker"].values[changed] >= 0).all()


def test_toy_conserves_people_and_keeps_forces_non_negative() -> None:
    res = simulate(TOY, runs=16, seed=0)
    _check_conservation(res, compile_scenario(read(TOY).scenario).pop0)
    _no_capture_without_battle(res)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(3, 7), gov=st.integers(1, 5), forces=st.floats(10, 5000),
       seed=st.integers(0, 2**32))
def test_conservation_on_random_lines(n: int, gov: int, forces: float, seed: int) -> None:
    sc = line(n, min(gov, n - 1), forces=forces, horizon=8)
    res = simulate(sc, runs=3, seed=seed)
    _check_conservation(res, compile_scenario(sc).pop0)
    _no_capture_without_battle(res)
    # Fighters only stand on ground their actor holds (no orphans).
    ctl, force = res.daily["control"].values, res.daily["force"].values
    own = ctl[..., None] == np.arange(force.shape[-1])
    assert (force[~own] == 0).all()


def test_ended_runs_are_masked() -> None:
    world = compile_scenario(read(TOY).scenario)
    s = eng.init(world, 3, 0)
    s = replace(s, active=np.array([True, False, True]))
    s2 = eng.step(s, world, world.params_on(0), 0)
    for name in ("control", "force", "civilians", "mil_dead"):
        assert np.array_equal(getattr(s2, name)[1], getattr(s, name)[1])
    assert not np.array_equal(s2.force[0], s.force[0])


def test_no_battle_between_a_ceasefire_pair() -> None:
    world = compile_scenario(read(TOY).scenario)
    s = eng.init(world, 2, 0)
    s = replace(s, ceasefire=np.ones_like(s.ceasefire))
    for day in range(5):
        s = eng.step(s, world, world.params_on(day), day)
        assert (s.attacker == -1).all()
    assert np.array_equal(s.control, eng.init(world, 2, 0).control)


def test_runs_and_days_are_checked() -> None:
    with pytest.raises(ValueError, match="runs"):
        simulate(TOY, runs=0)


@pytest.mark.parametrize("name,days", [("aleppo-2016", 30), ("syria-2016", 12)])
def test_fighters_are_neither_created_nor_lost_unaccounted(name: str, days: int) -> None:
    """Fighters present plus fighters put out of action only grow by recruitment and aid:
    every loss is booked, and no assault counts the same fighters twice."""
    sc = read(name).scenario
    world = compile_scenario(sc)
    res = simulate(sc, runs=40, seed=5, days=days)
    d = res.daily
    total = d["force"].values.sum(axis=(2, 3)) + d["mil_dead"].values.sum(axis=2)
    start = world.force0.sum()
    inflow = np.diff(np.concatenate([np.full((total.shape[0], 1), start), total], axis=1))
    p = world.params_on(0)
    most = (p.by_actor("recruit_rate").max() * world.pop0.sum()
            + sum(x.fighters_per_day.value for x in sc.support))
    assert inflow.min() >= -1e-3 * start
    assert inflow.max() <= most * 1.001 + 1e-6


def test_state_bytes_grow_with_the_runs_and_count_the_loss_matrix() -> None:
    """State.nbytes (issue 18's memory bound): every array has a run axis, so one run's bytes
    are the batch's over the runs; the float32 [run, place, place] loss matrix is in them."""
    world = compile_scenario(read(TOY).scenario)
    one, five = eng.init(world, 1, 0), eng.init(world, 5, 0)
    assert five.nbytes == 5 * one.nbytes
    n_p = len(world.place_ids)
    assert one.nbytes > 4 * n_p * n_p == one.lost.nbytes
