"""What a place will take, the front's floor, the relief shared over its road and the limited
aim's bounds, on hand-made maps; every expectation computed by hand from the documented
formulas (docs/model.md 7.1, 7.3, 7.7; the module docs of :mod:`ripeness.world.campaign`,
:mod:`ripeness.world.movement` and :mod:`ripeness.world.supply`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ripeness import engine
from ripeness.world import compile_scenario, movement, operations, supply
from ripeness.world.campaign import days_to_take
from ripeness.world.compile import Params, World

from .engine_scenarios import actor, build, place

W, LD, LA, BD, BA, SD = 0.228, 0.0298, 0.0215, 0.144, 0.108, 0.969  # the registry's defaults


def by_hand(ratio: float, districts: int = 1, e_att: float = 1.0, e_def: float = 1.0,
            b_def: float = BD, k: float = 1.0) -> float:
    """The documented expectation: t_D = b_D / l_D, t_A = b_A / l_A, the defender breaks
    first with probability Phi(ln(t_A / t_D) / (spread sqrt 2)), a district takes
    max(min(t_D, t_A), 1) / that, the place its districts one after another."""
    t_d = b_def / (k * LD * e_att * ratio ** W)
    t_a = k * BA / (k * LA * e_def * ratio ** -W)
    win = 0.5 * (1.0 + math.erf(math.log(t_a / t_d) / (SD * math.sqrt(2.0)) / math.sqrt(2.0)))
    return float(districts * max(min(t_d, t_a), 1.0) / win)


def _world(**parameters: float) -> tuple[World, Params]:
    sc = build([place("g", "gov", {"gov": 1000.0}), place("r", "reb", {"reb": 300.0},
                                                         lat=36.05)],
               [("g", "r")], [("g", ["gov"]), ("r", ["reb"])],
               parameters={"assumption": "test", **parameters})
    world = compile_scenario(sc)
    return world, world.params_on(0)


def _days(engaged: float, front: float, districts: int = 1, stock: float = 1.0,
          supplied: bool = True, air: float = 1.0, **parameters: float) -> float:
    _, p = _world(**parameters)
    ctx = {"front": np.array([[0.0, front]]), "depth": np.array([[1.0, float(districts)]]),
           "supply": np.array([[1.0, stock]]), "supplied": np.array([[True, supplied]])}
    control = np.array([[0, 1]])
    out = days_to_take(0, np.array([[0.0, engaged]]), np.array([[1.0, air]]), control, ctx,
                       p, np.ones(2))
    return float(out[0, 1])


@pytest.mark.parametrize("engaged, front", [(900.0, 300.0), (300.0, 300.0), (5000.0, 300.0)])
def test_days_to_take_a_village_by_hand(engaged: float, front: float) -> None:
    """Ratio engaged / front, capped at the frontage (3): 3, 1 and 3 (5,000 against 300
    engage only 900). At combat_intensity 1 the law's own numbers."""
    ratio = min(engaged / front, 3.0)
    assert _days(engaged, front, combat_intensity=1.0) == pytest.approx(by_hand(ratio))


def test_a_town_takes_its_districts_one_after_another_and_air_shortens_each() -> None:
    """Four districts of the same front take four times a village's days; close support
    (the defenders' loss x 3) shortens each district; intensity 0.9 scales the loss rates
    and the breakpoints together, so the days do not change."""
    one = _days(900.0, 300.0, combat_intensity=1.0)
    assert _days(900.0, 300.0, districts=4, combat_intensity=1.0) == pytest.approx(4 * one)
    assert _days(900.0, 300.0, air=3.0, combat_intensity=1.0) == pytest.approx(
        by_hand(3.0, e_att=3.0))
    assert _days(900.0, 300.0, combat_intensity=0.9) == pytest.approx(one)


def test_a_fresh_siege_is_slow_to_storm_and_a_starving_one_quick() -> None:
    """A besieged garrison's breakpoint is the median times its stocks over the share of them
    spent (at most 1): with stocks whole (spent 0) it fights to the last (b_D = 1), and its
    own fire is whole; starved to the floor U = 0.6 (spent 1) it breaks at 0.6 of the median
    and fights with 0.6 of its fire."""
    fresh = _days(900.0, 300.0, stock=1.0, supplied=False, combat_intensity=1.0)
    starved = _days(900.0, 300.0, stock=0.6, supplied=False, combat_intensity=1.0)
    assert fresh == pytest.approx(by_hand(3.0, b_def=1.0))
    assert starved == pytest.approx(by_hand(3.0, e_def=0.6, b_def=0.6 * BD))
    assert fresh > 5 * starved
    assert math.isinf(_days(0.0, 300.0))  # nobody to send: never


def test_a_siege_hardens_a_garrison_then_breaks_it() -> None:
    """supply.siege_break by hand, U = 0.6, T = 120 days, median 0.144: cut off for t days the
    stocks are 0.6 + 0.4 exp(-t / 120) and the share spent 1 - exp(-t / 120). Day 0: 1 (to
    the last); day 120: 0.144 x 0.74715 / 0.63212 = 0.17021; day 240: 0.144 x 0.65413 /
    0.86466 = 0.10894, below a supplied garrison's; starved: 0.144 x 0.6 = 0.0864."""
    _, p = _world()
    t = np.array([0.0, 120.0, 240.0, 1e6])
    stock = supply.stocks(np.zeros(4, dtype=bool), t.astype(np.int64), p)
    got = supply.siege_break(np.full(4, 0.144), stock, p)
    assert got == pytest.approx([1.0, 0.17021, 0.10894, 0.0864], abs=5e-5)


# --- The main effort weighs the prize by what it will take: value x P / (P + days).

def _siege(besieged_days: int) -> tuple[World, Params, engine.State, operations.Plan]:
    """gov's hub (2,000) next to reb's 'town' (500, cut off from reb's source, objective
    weight 3) and reb's 'village' (500, supplied, objective weight 2)."""
    ps = [place("hub", "gov", {"gov": 2000.0}),
          place("town", "reb", {"reb": 500.0}, lat=36.05),
          place("village", "reb", {"reb": 500.0}, lat=35.95),
          place("src", "reb", {"reb": 100.0}, lat=35.9, lon=37.05)]
    gov = actor("gov", enemies={"reb": 1.0},
                objective={"places": {"town": 3.0, "village": 2.0}, "assumption": "test"})
    sc = build(ps, [("hub", "town"), ("hub", "village"), ("village", "src")],
               [("hub", ["gov"]), ("src", ["reb"])], actors=[gov, actor("reb")],
               parameters={"combat_noise": 0.0, "focus_threshold": 2.0, "assumption": "test"})
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = engine.init(world, 1, 0)
    days = np.full(s.supplied.shape, besieged_days)
    pl = operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                         s.ceasefire, world, p, s.effort, s.effort_age, s.districts,
                         np.where(s.supplied, 0, days))
    return world, p, s, pl


def test_the_main_effort_waits_for_a_siege_to_starve() -> None:
    """The town is worth more (obj_norm 1 + aim_norm 1 = 2 against the village's 0.75 +
    2/3) and both ratios are capped (0.9 x 1,500 free / 500 = 2.7 > 2.4), but cut off a day
    ago its garrison fights to the last (b_D = 1): about 43 days, against the village's 6,
    so 2 x 60 / 103 = 1.17 < 1.42 x 60 / 66 = 1.29 and the village is the main effort.
    After 400 days of siege the town's stocks are spent (b_D 0.149, its fire 0.61): about 5
    days, 2 x 60 / 65 = 1.84, and the town is the main effort."""
    world, _, s, fresh = _siege(0)
    ids = world.place_ids
    assert not s.supplied[0, ids.index("town")] and s.supplied[0, ids.index("village")]
    gov = world.actor_ids.index("gov")
    assert ids[int(fresh.effort[0, gov])] == "village"
    _, _, _, starved = _siege(400)
    assert ids[int(starved.effort[0, gov])] == "town"


# --- The front's floor (force to space).

def test_a_front_keeps_its_day0_reserve_when_the_enemy_opposite_thins() -> None:
    """gov's 'f' (2,000) faces reb's 'e' (1,000 on day 0): its reserve is 0.5 x 1,000. With
    e thinned to 100 the reserve stays 500 (1,500 spare, 225 moved at 0.15); once f no
    longer faces an enemy (e gone to gov) the floor is gone too, and so is a place that
    changed hands (it never held that front)."""
    ps = [place("f", "gov", {"gov": 2000.0}), place("e", "reb", {"reb": 1000.0}, lat=36.05),
          place("g", "gov", {"gov": 100.0}, lat=35.95)]
    sc = build(ps, [("f", "e"), ("f", "g")], [("g", ["gov"]), ("e", ["reb"])],
               parameters={"combat_noise": 0.0, "assumption": "test"})
    world = compile_scenario(sc)
    ids = world.place_ids
    f, e = ids.index("f"), ids.index("e")
    assert movement.day0_threat(world)[f] == 1000.0
    s = engine.init(world, 1, 0)
    thin = s.force.copy()
    thin[0, e, :] = 0.0
    thin[0, e, world.actor_ids.index("reb")] = 100.0
    threat = operations.threat(s.control, thin[0][np.arange(3), s.control[0]][None], world)
    assert threat[0, f] == 100.0
    assert movement.front_floor(threat, s.control, world)[0, f] == 1000.0
    quiet = np.zeros_like(threat)
    assert movement.front_floor(quiet, s.control, world)[0, f] == 0.0
    taken = s.control.copy()
    taken[0, f] = world.actor_ids.index("reb")
    assert movement.front_floor(threat, taken, world)[0, f] == 100.0
    free = operations.free_force(s.control, thin[0][np.arange(3), s.control[0]][None], world,
                                 world.params_on(0))
    assert free[0, f] == pytest.approx(2000.0 - 0.5 * 1000.0)


# --- The pull of pockets and of objectives, shared over the captures on the road.

def _line(held: dict[str, str], objective: dict[str, Any] | None = None,
          **parameters: float) -> tuple[World, np.ndarray]:
    """gov's supplied base - r1 - r2 - r3 - end, in a line (no detours); gov's objective as
    given; the day-0 pull of gov on each place."""
    names = ["base", "r1", "r2", "r3", "end"]
    ps = [place(n, held[n], {held[n]: 300.0}, lat=36.0 + 0.05 * i) for i, n in enumerate(names)]
    gov = actor("gov", enemies={"reb": 1.0}, **({"objective": objective} if objective else {}))
    sc = build(ps, [("base", "r1"), ("r1", "r2"), ("r2", "r3"), ("r3", "end")],
               [("base", ["gov"]), ("r3", ["reb"])], actors=[gov, actor("reb")],
               parameters={"assumption": "test", **parameters})
    world = compile_scenario(sc)
    return world, engine.init(world, 1, 0).pull[0, world.actor_ids.index("gov")]


REB = {"base": "gov", "r1": "reb", "r2": "reb", "r3": "reb", "end": "reb"}


def test_the_relief_pull_is_shared_over_the_captures_on_the_road() -> None:
    """gov's base - reb r1 - r2 - r3 - gov's pocket (cut off): the pocket is 4 links from
    the supplied base, so a relief takes 3 captures and each place on the road pulls
    relief_weight x obj_norm(pocket) / 3 (no detour); with r1 taken the pocket is 3 links
    away and r2, r3 pull / 2."""
    w_l = 3.0  # the registry's relief_weight
    world, pull = _line(REB | {"end": "gov"})
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    share = w_l * world.obj_norm[gov, ids.index("end")]
    for n in ("r1", "r2", "r3"):
        assert pull[ids.index(n)] == pytest.approx(share / 3)
    world, pull = _line(REB | {"end": "gov", "r1": "gov"})
    assert pull[ids.index("r2")] == pytest.approx(share / 2)
    assert pull[ids.index("r3")] == pytest.approx(share / 2)
    world, pull = _line(REB | {"end": "gov"}, relief_weight=1.5)
    assert pull[ids.index("r1")] == pytest.approx(share / 2 / 3)


def test_an_objective_beyond_the_front_pulls_the_road_to_it() -> None:
    """gov's objective weighs 'end' (reb's, 4 links from gov's supplied base: 4 captures
    with itself): at objective_pull 2 each place on the road, 'end' included, pulls 2 x
    aim_norm(end) / 4 (aim_norm 1, its only weight). With r1 and r2 taken, 2 captures: / 2.
    Next to gov's ground (r3 taken too) it pulls nothing: it is a target itself. At the
    registry's objective_pull 0, nothing; without the objective, nothing; a place of gov's
    own in the objective pulls nothing."""
    obj = {"kind": "open", "places": {"end": 2.0}, "assumption": "test"}
    world, pull = _line(REB, obj, objective_pull=2.0)
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    assert world.aim_norm[gov, ids.index("end")] == pytest.approx(1.0)
    for n in ("r1", "r2", "r3", "end"):
        assert pull[ids.index(n)] == pytest.approx(2.0 / 4)
    _, pull = _line(REB | {"r1": "gov", "r2": "gov"}, obj, objective_pull=2.0)
    assert pull[ids.index("r3")] == pytest.approx(2.0 / 2)
    assert pull[ids.index("end")] == pytest.approx(2.0 / 2)
    _, pull = _line(REB | {"r1": "gov", "r2": "gov", "r3": "gov"}, obj, objective_pull=2.0)
    assert not pull.any()
    _, pull = _line(REB, obj)
    assert not pull.any()
    _, pull = _line(REB, objective_pull=2.0)
    assert not pull.any()
    _, pull = _line(REB | {"end": "gov", "r3": "gov", "r2": "gov", "r1": "gov"}, obj,
                    objective_pull=2.0)
    assert not pull.any()


def test_the_pull_of_an_objective_fades_off_the_shortest_way() -> None:
    """A side road: base - r1 - end and base - s1 - s2 - end (reb's 'end' 2 links away on the
    short road), at objective_pull 2. r1 lies on the shortest way (pull 2 x 1 / 2: aim_norm 1
    over the 2 captures); s1 is one link off it (detour
    hops(s1, end) + dist(s1) - dist(end) = 2 + 1 - 2 = 1: half as much at relief_decay 0.5), as
    is s2 (1 + 2 - 2)."""
    names = ["base", "r1", "s1", "s2", "end"]
    ps = [place(n, "gov" if n == "base" else "reb", {"gov" if n == "base" else "reb": 300.0},
                lat=36.0 + 0.05 * i) for i, n in enumerate(names)]
    obj = {"kind": "open", "places": {"end": 1.0}, "assumption": "test"}
    sc = build(ps, [("base", "r1"), ("r1", "end"), ("base", "s1"), ("s1", "s2"),
                    ("s2", "end")], [("base", ["gov"]), ("end", ["reb"])],
               actors=[actor("gov", enemies={"reb": 1.0}, objective=obj), actor("reb")],
               parameters={"objective_pull": 2.0, "assumption": "test"})
    world = compile_scenario(sc)
    pull = engine.init(world, 1, 0).pull[0, world.actor_ids.index("gov")]
    ids = world.place_ids
    assert pull[ids.index("r1")] == pytest.approx(1.0)
    assert pull[ids.index("end")] == pytest.approx(1.0)
    assert pull[ids.index("s1")] == pytest.approx(0.5)
    assert pull[ids.index("s2")] == pytest.approx(0.5)  # 1 + 2 - 2: the long way round


# --- A limited aim bounds the operations.

def test_a_limited_aim_attacks_only_its_places_and_the_road_to_them() -> None:
    """sdf (limited: hold 'm' and 't') holds 'm' with 3,000; reb's 't' (1,000) and 'z'
    (100, next to both, worth as much as 't' in the objective) lie next to it. The main
    effort is 't' (a place of the aim) and 'z', on its axis and easily won (a ratio of 27),
    is not attacked: the aim bounds the operations. An open objective with the same weights
    attacks 'z' too."""
    def plan(kind: str) -> tuple[World, set[str], str]:
        obj: dict[str, Any] = {"kind": kind, "places": {"t": 2.0, "z": 2.0},
                               "assumption": "test"}
        if kind == "limited":
            obj["hold"] = ["m", "t"]
        actors = [actor("sdf", enemies={"reb": 1.0}, objective=obj), actor("reb")]
        ps = [place("m", "sdf", {"sdf": 3000.0}), place("t", "reb", {"reb": 1000.0},
                                                        lat=36.05),
              place("z", "reb", {"reb": 100.0}, lon=37.05)]
        sc = build(ps, [("m", "t"), ("m", "z"), ("t", "z")], [("m", ["sdf"]), ("z", ["reb"])],
                   actors=actors, parameters={"combat_noise": 0.0, "assumption": "test"})
        world = compile_scenario(sc)
        s = engine.init(world, 1, 0)
        pl = operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                             s.ceasefire, world, world.params_on(0))
        sdf = world.actor_ids.index("sdf")
        hit = {world.place_ids[v] for v in np.flatnonzero(pl.attacker[0] == sdf)}
        return world, hit, world.place_ids[int(pl.effort[0, sdf])]

    _, hit, effort = plan("limited")
    assert effort == "t" and "z" not in hit
    _, hit, _ = plan("open")
    assert "z" in hit
