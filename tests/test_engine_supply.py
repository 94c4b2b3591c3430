"""Supply and sieges on small hand-made maps: cut the only road, reopen it, decay rates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import ripeness.engine as eng
from ripeness.simulate import simulate
from ripeness.world import supply
from ripeness.world.compile import compile_scenario

from .engine_scenarios import actor, build, place


def _pocket(gov_mid: float, reb_mid: float) -> object:
    """src(gov, source) - mid - pocket(gov); reb's base beside mid. Noise off, and every
    defender breaks at its first loss (the tests are about supply, not combat)."""
    return build(
        [place("src", "gov", {"gov": 5000}, lat=36.0),
         place("mid", "gov" if gov_mid else "reb",
               {"gov": gov_mid} if gov_mid else {"reb": reb_mid}, lat=36.1),
         place("pocket", "gov", {"gov": 200}, lat=36.2),
         place("base", "reb", {"reb": 5000}, lat=36.1, lon=37.2)],
        [("src", "mid"), ("mid", "pocket"), ("mid", "base")],
        [("src", ["gov"]), ("base", ["reb"])],
        parameters={"combat_noise": 0.0, "break_spread": 0.0, "break_loss": 0.01,
                    "assumption": "test: deterministic"},
    )


def test_bitset_search_matches_a_plain_search() -> None:
    rng = np.random.default_rng(1)
    n = 70  # two uint64 words
    adj = np.zeros((n, n), dtype=bool)
    for i in range(n - 1):
        adj[i, i + 1] = adj[i + 1, i] = rng.random() < 0.9
    adj |= (rng.random((n, n)) < 0.01)
    adj = adj | adj.T
    np.fill_diagonal(adj, False)
    table = supply.bitset_table(adj)
    own = rng.random((20, n)) < 0.8
    seeds = np.zeros((20, n), dtype=bool)
    seeds[:, 0] = True
    got = supply.unpack(supply.reach(supply.pack(own), supply.pack(seeds), table, n), n)
    for r in range(20):  # a plain breadth-first search per run, to compare
        want = np.zeros(n, dtype=bool)
        frontier = [0] if own[r, 0] else []
        for v in frontier:
            want[v] = True
        while frontier:
            nxt = [w for v in frontier for w in np.flatnonzero(adj[v]) if own[r, w] and not want[w]]
            want[nxt] = True
            frontier = list(dict.fromkeys(nxt))
        assert np.array_equal(got[r], want)


def test_cutting_the_only_road_besieges_the_pocket() -> None:
    """Rebels take 'mid', the pocket's only road: the pocket is besieged the same day."""
    res = simulate(_pocket(gov_mid=20, reb_mid=0), runs=1, days=1)
    ev = res.events
    assert list(ev[["kind", "place"]].itertuples(index=False, name=None)) == [
        ("captured", "mid"), ("siege begun", "pocket")]
    assert not bool(res.daily["supplied"].sel(place="pocket").values[0, 0])


def test_reopening_the_road_relieves_the_pocket() -> None:
    """The pocket starts besieged; the government takes 'mid' and relieves it."""
    sc = _pocket(gov_mid=0, reb_mid=30)
    world = compile_scenario(sc)
    assert not eng.init(world, 1, 0).supplied[0, world.place_ids.index("pocket")]
    res = simulate(sc, runs=1, days=2)
    kinds = list(res.events[["day", "kind", "place"]].itertuples(index=False, name=None))
    assert kinds[:2] == [(0, "captured", "mid"), (0, "siege relieved", "pocket")]


def test_besieged_forces_decay_as_their_stocks_run_out_and_get_nothing() -> None:
    """A garrison cut off for t days (t = 0 on the first day) loses siege_force_decay x
    (1 - exp(-t / siege_stock_days)) of itself that day: nothing while its stocks are full."""
    sc = _pocket(gov_mid=0, reb_mid=30)
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = eng.init(world, 2, 0)
    s = replace(s, ceasefire=np.ones_like(s.ceasefire))  # nobody fights
    pocket, src = world.place_ids.index("pocket"), world.place_ids.index("src")
    gov = world.actor_ids.index("gov")
    civ = s.civilians[0, src]
    for day in range(5):
        s = eng.step(s, world, p, day)
    rate, stock = p.num("siege_force_decay"), p.num("siege_stock_days")
    want = 200.0
    for t in range(5):
        want *= 1.0 - rate * (1.0 - np.exp(-t / stock))
    assert s.force[0, pocket, gov] == pytest.approx(want, rel=1e-12)
    assert want < 200.0
    assert s.besieged_days[0, pocket] == 5 and s.besieged_days[0, src] == 0
    assert s.force[0, src, gov] > 5000 - 1e-9  # supplied: recruits (rate x civilians)
    assert s.civilians[0, pocket] < 1000  # besieged civilians die at the siege rate
    assert civ == 1000


def test_stocks_fall_from_full_to_the_unsupplied_floor() -> None:
    """Supplied: 1. Cut off t days: U + (1 - U) exp(-t / T), hand-computed at t = 0, T, 10T."""
    world = compile_scenario(_pocket(gov_mid=0, reb_mid=30))
    p = world.params_on(0)
    u, t = p.num("unsupplied_fire"), p.num("siege_stock_days")
    sup = np.array([[True, False, False, False]])
    days = np.array([[0, 0, int(t), int(10 * t)]])
    got = supply.stocks(sup, days, p)[0]
    want = [1.0, 1.0, u + (1 - u) * np.exp(-int(t) / t), u + (1 - u) * np.exp(-int(10 * t) / t)]
    assert got == pytest.approx(want, rel=1e-12)
    assert supply.stocks(sup, None, p)[0].tolist() == [1.0, u, u, u]


def test_cut_value_counts_the_force_a_loss_would_strand() -> None:
    sc = _pocket(gov_mid=20, reb_mid=0)
    world = compile_scenario(sc)
    st = supply.structure(world.control0[None, :], world.params_on(0), world)
    mid, pocket = world.place_ids.index("mid"), world.place_ids.index("pocket")
    stranded = np.flatnonzero(st.lost[0, mid])
    assert stranded.tolist() == [pocket]
    assert st.lost[0, pocket].sum() == 0  # losing the pocket strands nothing else


def test_only_belligerents_recruit() -> None:
    """A backer that holds a populous, supplied border town raises no fighters there; a
    belligerent's supplied town recruits recruit_rate x civilians a day."""
    actors = [actor("gov", enemies={"reb": 1.0}), actor("reb"),
              actor("ally", kind="backer", enemies={})]
    ps = [place("town", "gov", {"gov": 100.0}, population=100_000.0),
          place("border", "ally", population=100_000.0, lat=36.2),  # counts as supplied
          place("camp", "reb", {"reb": 100.0}, lat=36.4)]
    sc = build(ps, [("town", "border"), ("border", "camp")],
               [("town", ["gov"]), ("camp", ["reb"])], actors=actors,
               parameters={"combat_noise": 0.0, "assumption": "test"})
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = eng.init(world, 1, 0)
    s = replace(s, ceasefire=np.ones_like(s.ceasefire))  # nobody fights
    s = eng.step(s, world, p, 0)
    town, border = world.place_ids.index("town"), world.place_ids.index("border")
    gov, ally = world.actor_ids.index("gov"), world.actor_ids.index("ally")
    assert s.supplied[0, border] and s.force[0, border, ally] == 0.0
    assert s.force[0, town, gov] == pytest.approx(
        100.0 + p.by_actor("recruit_rate")[gov] * 100_000.0)
