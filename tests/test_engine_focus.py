"""The main-effort rule on hand-made maps: switched off, the choice of the main effort
(value among the targets the massed force can win, the ratio term capped; none where no
target passes the attack threshold; a limited aim's bound), restraint off the
axis, movement that feeds the axis from the rear, and the patience that ends a stalled axis.

Every expectation is computed by hand from the documented formulas (see the module docs of
:mod:`ripeness.world.operations` and :mod:`ripeness.world.movement`); all places are supplied
and nobody is besieged, so the relief pull and the cut term are 0 throughout.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ripeness import engine
from ripeness.world import compile_scenario, movement, operations, supply
from ripeness.world.compile import Params, World

from .engine_scenarios import actor, build, place
from .test_engine_campaign import by_hand

QUIET = {"combat_noise": 0.0, "recruit_rate": 0.0, "focus_threshold": 1.0, "focus_reach": 0,
         "assumption": "test: no main effort unless a test sets one"}


def world_of(places: list[dict[str, Any]], links: list[tuple[str, str]],
             supply: list[tuple[str, list[str]]], gov: dict[str, Any] | None = None,
             objective: dict[str, float] | None = None,
             **parameters: float) -> tuple[World, Params]:
    """Compile gov (with per-actor ``gov`` params and objective places) against reb."""
    kw: dict[str, Any] = {"enemies": {"reb": 1.0}, "params": gov or {}}
    if objective:
        kw["objective"] = {"places": objective, "assumption": "test"}
    sc = build(places, links, supply, actors=[actor("gov", **kw), actor("reb")],
               parameters={**QUIET, **parameters})
    world = compile_scenario(sc)
    return world, world.params_on(0)


def plan_of(world: World, p: Params, s: engine.State, effort: Any = None,
            age: Any = None, assailed: Any = None) -> operations.Plan:
    return operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                           s.ceasefire, world, p, effort, age, assailed=assailed)


def attacked_by(plan: operations.Plan, world: World, who: str) -> set[str]:
    a = world.actor_ids.index(who)
    return {world.place_ids[v] for v in np.flatnonzero(plan.attacker[0] == a)}


def effort_of(plan: operations.Plan, world: World, who: str = "gov") -> str | None:
    e = int(plan.effort[0, world.actor_ids.index(who)])
    return None if e == len(world.place_ids) else world.place_ids[e]


def assert_quiet(s: engine.State, world: World) -> None:
    """Every place supplied and no reb place cuts anything off when taken: relief pull and
    the cut term play no part in the hand sums."""
    assert s.supplied.all()
    assert not s.pull.any()
    assert not s.lost[:, s.control[0] == world.actor_ids.index("reb")].any()


# --- Three fronts: gov's gx, ge, gy (linked in a row) face reb's X, E and Y, one each; E and Y
# are linked, so Y is on the axis of E while X is not. E carries gov's objective weight.

def fronts(gx: float = 1000.0, gov: dict[str, Any] | None = None,
           **parameters: float) -> tuple[World, Params]:
    ps = [place("gx", "gov", {"gov": gx}), place("ge", "gov", {"gov": 1000.0}, lat=36.05),
          place("gy", "gov", {"gov": 1000.0}, lat=36.1),
          place("x", "reb", {"reb": 500.0}, lon=36.95),
          place("e", "reb", {"reb": 500.0}, lat=36.05, lon=37.05),
          place("y", "reb", {"reb": 500.0}, lat=36.1, lon=37.05)]
    links = [("gx", "ge"), ("ge", "gy"), ("gx", "x"), ("ge", "e"), ("gy", "y"), ("e", "y")]
    supply = [("ge", ["gov"]), ("x", ["reb"]), ("e", ["reb"]), ("y", ["reb"])]
    return world_of(ps, links, supply, gov={"attacks_per_day": 3, **(gov or {})},
                    objective={"e": 3.0}, **parameters)


def test_main_effort_switched_off_changes_nothing() -> None:
    """focus_threshold = 1 and focus_reach = 0 (QUIET; the registry's defaults give every
    actor a main effort): no actor names a main effort (effort = P everywhere) and
    yesterday's effort and its age are ignored: the plan equals the one made without them,
    field by field. It attacks all three targets (each at
    ratio 0.9 x 1000 / 500 = 1.8 > 1.2), as the old rule did."""
    world, p = fronts()
    assert p.by_actor("focus_threshold").tolist() == [1.0, 1.0]
    assert p.by_actor("focus_reach").tolist() == [0.0, 0.0]
    assert not operations.focused(p).any()
    s = engine.init(world, 2, 0)
    assert_quiet(s, world)
    n_p = len(world.place_ids)
    bare = plan_of(world, p, s)
    assert (bare.effort == n_p).all()
    ids = world.place_ids
    given = plan_of(world, p, s, np.array([[ids.index("e"), ids.index("gx")]] * 2),
                    np.array([[100, 3], [0, 0]]))
    for name in ("attacker", "score", "per_target", "targets_of", "target", "effort"):
        assert np.array_equal(getattr(bare, name), getattr(given, name)), name
    assert attacked_by(bare, world, "gov") == {"x", "e", "y"}
    # focus_reach alone is enough to switch the rule on (effort named, nothing restrained)
    world1, p1 = fronts(gov={"focus_reach": 1})
    on = plan_of(world1, p1, engine.init(world1, 1, 0))
    assert effort_of(on, world1) == "e"
    assert attacked_by(on, world1, "gov") == {"x", "e", "y"}


# --- A star: gov's hub fronts reb's 'prize' (objective weight 2 on top of value 1) and 'weak'
# (value 1, no objective weight); its reserve is hold_ratio 0.5 x both garrisons, so its free
# force is 1000 exactly. Massing against one target it keeps no reserve against that target's
# garrison (7.3): against prize it has 1000 + 0.5 f_prize, against weak 1000 + 0.5 f_weak.

def star(f_prize: float, f_weak: float, gov: dict[str, Any] | None = None,
         objective: dict[str, float] | None = None,
         **parameters: float) -> tuple[World, Params, engine.State]:
    hub = 1000.0 + 0.5 * (f_prize + f_weak)  # hold_ratio 0.5: free = 1000 exactly
    ps = [place("hub", "gov", {"gov": hub}),
          place("prize", "reb", {"reb": f_prize}, lat=36.05),
          place("weak", "reb", {"reb": f_weak}, lat=35.95)]
    links = [("hub", "prize"), ("hub", "weak")]
    supply = [("hub", ["gov"]), ("prize", ["reb"]), ("weak", ["reb"])]
    world, p = world_of(ps, links, supply, gov=gov, objective=objective, **parameters)
    s = engine.init(world, 1, 0)
    assert_quiet(s, world)
    return world, p, s


def massed_ratio(f_target: float) -> float:
    """commit_fraction 0.9 x the hub's free force against a target of f_target fighters
    (its reserve against that target not kept) / f_target."""
    return 0.9 * (1000.0 + 0.5 * f_target) / f_target


def effort_score(ratio: float, cap: float, prize: float, p: Params) -> float:
    """The documented main-effort score without a persistence term: the prize weighed by
    what the place will take, P / (P + days), days by hand (one district, no air, no
    fortification: :func:`.test_engine_campaign.by_hand` at the engaged ratio, capped at
    the frontage)."""
    days = by_hand(min(ratio, p.num("frontage")))
    patience = p.num("focus_patience")
    return (p.num("ratio_weight") * math.log(min(ratio, cap))
            + p.num("value_weight") * prize * patience / (patience + days))


@pytest.mark.parametrize("f_prize, expected",
                         [(300.0, "prize"), (1000.0, "prize"), (1500.0, "weak"),
                          (3000.0, "weak")])
def test_main_effort_is_the_most_valuable_target_the_massed_force_can_win(
        f_prize: float, expected: str) -> None:
    """focus_threshold 2 x attack_threshold 1.2 caps the ratio term at log 2.4. Massed ratios
    are 0.9 x (1000 + 0.5 x defenders) / defenders: prize 3.45 against 300, 1.35 against
    1,000, 1.05 against 1,500, 0.75 against 3,000; weak about 90. Prize is worth obj_norm 1 +
    aim_norm 1 = 2, weak 1/3 + 0, each weighed by what it will take, 60 / (60 + days).
    Against 300 both are capped and value decides (prize, although log 90 + 1/3 would beat
    log 3.45 + 2 without the cap). Against 1,000 prize passes the threshold only because the
    hub keeps no reserve against it (0.9 x 1000 / 1000 = 0.9 would not): prize. Against 1,500
    prize would score log 1.05 + about 1.7 > log 2.4 + 0.3, but its massed ratio does not
    pass the attack threshold 1.2: it cannot be the main effort, and the weak place is.
    Against 3,000 log 0.75 + 1.7 < 1.18 as well."""
    world, p, s = star(f_prize, 10.0, gov={"focus_threshold": 2.0}, objective={"prize": 2.0})
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    assert world.obj_norm[gov].tolist() == pytest.approx([1 / 3, 1.0, 1 / 3])
    assert world.aim_norm[gov].tolist() == pytest.approx([0.0, 1.0, 0.0])
    cap = 1.2 * 2.0
    assert p.by_actor("attack_threshold")[gov] * p.by_actor("focus_threshold")[gov] == cap
    r_prize, r_weak = massed_ratio(f_prize), massed_ratio(10.0)
    scores = {"prize": effort_score(r_prize, cap, 2.0, p),
              "weak": effort_score(r_weak, cap, 1 / 3, p)}
    threshold = p.by_actor("attack_threshold")[gov]
    feasible = {k for k, r in (("prize", r_prize), ("weak", r_weak)) if r > threshold}
    assert max(feasible, key=lambda k: scores[k]) == expected
    if f_prize == 300.0:  # the cap is what makes value decide here
        assert math.log(r_weak) + 1 / 3 > math.log(r_prize) + 2.0
    elif f_prize == 1000.0:  # the reserve not kept against the target decides here
        assert 0.9 * 1000.0 / f_prize < threshold < r_prize
    elif f_prize == 1500.0:  # the threshold decides here: prize would score higher
        assert scores["prize"] > scores["weak"] and "prize" not in feasible
    else:
        assert r_prize < 0.35 * cap
    plan = plan_of(world, p, s)
    assert effort_of(plan, world) == expected
    assert plan.effort[0, world.actor_ids.index("reb")] == len(ids)  # reb has no main effort


def test_no_main_effort_without_a_target_the_massed_force_can_win() -> None:
    """Both targets out of reach (0.9 x (2500 - 0.5 x 1500) / 1500 = 1.05 < the attack
    threshold 1.2): the actor names no main effort (P) and stands on the defensive: no axis
    (so no feed from its rear, 7.7) and no attack."""
    world, p, s = star(1500.0, 1500.0, gov={"focus_threshold": 2.0, "focus_reach": 2},
                       objective={"prize": 2.0})
    assert massed_ratio(1500.0) == pytest.approx(1.05)
    plan = plan_of(world, p, s)
    assert effort_of(plan, world) is None
    assert not plan.axis.any()
    assert attacked_by(plan, world, "gov") == set()


@pytest.mark.parametrize("f_aim, expected", [(300.0, "aim"), (1500.0, None)])
def test_a_limited_aim_out_of_reach_gives_no_main_effort_elsewhere(
        f_aim: float, expected: str | None) -> None:
    """A limited aim bounds the main effort to its places while one is on the actor's front:
    with the aim's place out of reach (massed ratio 0.9 x 1750 / 1500 = 1.05 < 1.2) the actor
    stands on the defensive rather than turning to the feasible place outside its aim (weak,
    ratio about 90)."""
    hub = 1000.0 + 0.5 * (f_aim + 10.0)
    ps = [place("hub", "gov", {"gov": hub}), place("aim", "reb", {"reb": f_aim}, lat=36.05),
          place("weak", "reb", {"reb": 10.0}, lat=35.95)]
    objective = {"kind": "limited", "hold": ["aim"], "places": {"aim": 2.0},
                 "assumption": "test"}
    sc = build(ps, [("hub", "aim"), ("hub", "weak")],
               [("hub", ["gov"]), ("aim", ["reb"]), ("weak", ["reb"])],
               actors=[actor("gov", enemies={"reb": 1.0}, objective=objective,
                             params={"focus_threshold": 2.0}), actor("reb")],
               parameters=QUIET)
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = engine.init(world, 1, 0)
    assert world.aim_hold[world.actor_ids.index("gov")].tolist() == [False, True, False]
    assert effort_of(plan_of(world, p, s), world) == expected


# --- Own ground: gov's 'front' (1,000, facing reb's 'target' of 1,500) and 'depot' (2,000, no
# hostile neighbour). A main effort masses what reaches the target within focus_mass_reach
# links, all but the last over gov's own ground (the roads its fighters move on, 7.7).

@pytest.mark.parametrize("depot_road, expected", [(True, "target"), (False, None)])
def test_the_main_effort_masses_what_reaches_the_target_over_own_ground(
        depot_road: bool, expected: str | None) -> None:
    """The front's free force against the target is its whole 1,000 (no other hostile
    neighbour); alone, 0.9 x 1000 / 1500 = 0.6 < 1.2. The depot's 2,000 (all free) lie two
    links from the target either way: over gov's front (depot - front - target), giving
    0.9 x 3000 / 1500 = 1.8 > 1.2 and the target as main effort; or over 'screen', held by
    'kurd' (a belligerent hostile to no one), which gov's fighters cannot cross: the depot
    counts for nothing and there is no main effort. Counting free fighters within two links
    over any ground would name the target in both cases."""
    ps = [place("front", "gov", {"gov": 1000.0}),
          place("depot", "gov", {"gov": 2000.0}, lat=35.9),
          place("target", "reb", {"reb": 1500.0}, lat=36.05),
          place("screen", "kurd", {"kurd": 100.0}, lat=36.0, lon=37.2)]
    links = [("front", "target"), ("target", "screen")]
    links += [("depot", "front")] if depot_road else [("depot", "screen")]
    supply = [("front", ["gov"]), ("depot", ["gov"]), ("target", ["reb"]),
              ("screen", ["kurd"])]
    objective = {"places": {"target": 2.0}, "assumption": "test"}
    sc = build(ps, links, supply,
               actors=[actor("gov", enemies={"reb": 1.0}, objective=objective,
                             params={"focus_threshold": 2.0, "focus_reach": 2}),
                       actor("reb"), actor("kurd")],
               parameters=QUIET)
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = engine.init(world, 1, 0)
    ids, gov = world.place_ids, world.actor_ids.index("gov")
    assert world.hops[ids.index("depot"), ids.index("target")] == 2
    assert p.num("focus_mass_reach") >= 2
    assert not world.hostile[gov, world.actor_ids.index("kurd")]
    assert effort_of(plan_of(world, p, s), world) == expected


def own_reach_by_hand(adj: np.ndarray, own: np.ndarray, target: int, k: int) -> np.ndarray:
    """bool[place]: the own places u with a way u = x0, ..., xj = target, 1 <= j <= k, whose
    x0 .. x(j-1) are all own (breadth-first over own ground, one run)."""
    n = len(own)
    dist = np.full(n, np.inf)
    out = np.zeros(n, dtype=bool)
    for u in np.flatnonzero(own):
        dist[:] = np.inf
        dist[u], frontier = 0, [u]
        for step in range(1, k):
            frontier = [w for x in frontier for w in np.flatnonzero(adj[x])
                        if own[w] and dist[w] == np.inf]
            dist[frontier] = step
        out[u] = bool((adj[:, target] & (dist <= k - 1)).any())
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 20), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_own_reach_is_the_reach_over_own_ground(n: int, k: int, seed: int) -> None:
    """The main effort's reach (7.3) on place bitsets equals a breadth-first search over own
    ground, place by place, on random maps, holdings and targets (3 runs)."""
    rng = np.random.default_rng(seed)
    adj = rng.random((n, n)) < 0.25
    adj = np.triu(adj, 1)
    adj = adj | adj.T
    own = rng.random((3, n)) < 0.6
    targets = np.flatnonzero(rng.random(n) < 0.5)
    world = cast(World, SimpleNamespace(adj=adj, table=supply.bitset_table(adj)))
    got = operations._own_reach(own, targets, world, k)
    assert got.shape == (3, len(targets), n)
    for r, (i, t) in itertools.product(range(3), enumerate(targets)):
        assert got[r, i].tolist() == own_reach_by_hand(adj, own[r], int(t), k).tolist()


@pytest.mark.parametrize("gx, x_attacked_when_focused", [(1000.0, False), (1500.0, True)])
def test_off_axis_attack_needs_focus_threshold_times_attack_threshold(
        gx: float, x_attacked_when_focused: bool) -> None:
    """E is the main effort (objective weight; every massed ratio is capped at 2.4, so
    value 2 beats 0.25). Each target is attacked from one place with nothing else to fear:
    ratio 0.9 x 1000 / 500 = 1.8 at X, E and Y. On the axis (E, and Y next to E) 1.8 > 1.2
    is enough; off it (X) an attack needs 2 x 1.2 = 2.4, which 1.8 misses and 0.9 x 1500 /
    500 = 2.7 passes. With focus_threshold 1 every front is alike and X is attacked."""
    world, p = fronts(gx, gov={"focus_threshold": 2.0})
    s = engine.init(world, 1, 0)
    assert_quiet(s, world)
    plan = plan_of(world, p, s)
    assert effort_of(plan, world) == "e"
    ids = world.place_ids
    axis = operations.axis_of(plan.effort[:, 0], world)[0]
    assert {ids[v] for v in np.flatnonzero(axis)} == {"e", "ge", "y"}
    expected = {"e", "y"} | ({"x"} if x_attacked_when_focused else set())
    assert attacked_by(plan, world, "gov") == expected
    gov = world.actor_ids.index("gov")
    x, gx_i = ids.index("x"), ids.index("gx")
    if x_attacked_when_focused:
        assert plan.target[0, gx_i] == x
        assert plan.per_target[0, gx_i] == pytest.approx(0.9 * gx)
    else:
        assert plan.target[0, gx_i] == -1 and plan.per_target[0, gx_i] == 0.0
    world1, p1 = fronts(gx)
    assert p1.by_actor("focus_threshold")[gov] == 1.0
    assert attacked_by(plan_of(world1, p1, engine.init(world1, 1, 0)), world1, "gov") == {
        "x", "e", "y"}


# --- A road: reb's Q, then gov's q, m, r, f, then reb's E (the main effort).

def road(reach: int, **gov: float) -> tuple[World, Params, engine.State]:
    names = ["q_reb", "q", "m", "r", "f", "e"]
    held = {"q_reb": ("reb", 200.0), "q": ("gov", 1000.0), "m": ("gov", 400.0),
            "r": ("gov", 300.0), "f": ("gov", 2000.0), "e": ("reb", 1000.0)}
    ps = [place(n, held[n][0], {held[n][0]: held[n][1]}, lat=36.0 + 0.05 * i)
          for i, n in enumerate(names)]
    links = list(itertools.pairwise(names))
    supply = [("m", ["gov"]), ("q_reb", ["reb"]), ("e", ["reb"])]
    world, p = world_of(ps, links, supply, gov={"focus_reach": reach, **gov})
    s = engine.init(world, 1, 0)
    assert_quiet(s, world)
    return world, p, s


# Old pressure rule, by hand: pressure = log((hostile next to u + 1) / (own at u + 1))
#   + 2 x (best obj_norm of an enemy neighbour): q 0.39, m -5.99, r -5.71, f 1.31.
# m goes to q (0.39 > -5.99), r goes to f (1.31 > -5.71); q and f stay (no own neighbour
# under more pressure). Each mover sends 0.15 x its spare fighters (no hostile neighbour:
# all of them): m 60, r 45.
OLD = {"q": 1000.0 + 60, "m": 400.0 - 60, "r": 300.0 - 45, "f": 2000.0 + 45}
# Main effort E: the axis is {E, f}; the base (the start line) is f, the own place on the axis
# next to the enemy ground of it, and keeps the old rule. Within 1 link of it: r, which sends
# its 45 to f. m, 2 links back, has no hostile neighbour and held no front on day 0: beyond
# the feed's reach it is a quiet rear place and keeps its day-0 garrison (sends nothing).
# Within 2 links m feeds r too (60); within 3 links q feeds m, keeping its reserve 0.5 x 200:
# 0.15 x 900 = 135.
FED = {1: {"q": 1000.0, "m": 400.0, "r": 300.0 - 45, "f": 2045.0},
       2: {"q": 1000.0, "m": 400.0 - 60, "r": 300.0 - 45 + 60, "f": 2045.0},
       3: {"q": 1000.0 - 135, "m": 400.0 - 60 + 135, "r": 315.0, "f": 2045.0}}


def test_pressure_rule_by_hand_without_focus_reach() -> None:
    """focus_reach 0: redeployment follows local pressure even when a main effort is set."""
    world, p, s = road(0)
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    pressure = {"q": math.log(201 / 1001) + 2, "m": math.log(1 / 401),
                "r": math.log(1 / 301), "f": math.log(1001 / 2001) + 2}
    assert pressure["q"] > pressure["m"] and pressure["f"] > pressure["r"] > pressure["m"]
    effort = np.array([[ids.index("e"), len(ids)]])
    for eff in (None, effort):
        after = movement.move(s.force, s.control, s.pull, world, p,
                              None if eff is None else operations.axes_of(eff, world))
        got = {n: after[0, ids.index(n), gov] for n in OLD}
        assert got == pytest.approx(OLD)
        assert after.sum(axis=1) == pytest.approx(s.force.sum(axis=1))


@pytest.mark.parametrize("reach", [1, 2, 3])
def test_focus_reach_feeds_the_axis_from_the_rear(reach: int) -> None:
    """focus_reach k: own places within k links of the base (own places on the axis or next
    to its enemy ground: the start line) send move_rate x their fighters beyond the reserve
    one link toward it; the rest keep the pressure rule. Fighters are conserved; with no
    main effort (P) the old rule applies."""
    world, p, s = road(reach)
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    effort = np.array([[ids.index("e"), len(ids)]])
    after = movement.move(s.force, s.control, s.pull, world, p,
                          operations.axes_of(effort, world))
    got = {n: after[0, ids.index(n), gov] for n in FED[reach]}
    assert got == pytest.approx(FED[reach])
    assert after.sum(axis=1) == pytest.approx(s.force.sum(axis=1))  # per actor
    assert after[0, :, world.actor_ids.index("reb")].tolist() == pytest.approx(
        s.force[0, :, world.actor_ids.index("reb")].tolist())
    none = movement.move(s.force, s.control, s.pull, world, p,
                         operations.axes_of(np.full((1, 2), len(ids)), world))
    assert {n: none[0, ids.index(n), gov] for n in OLD} == pytest.approx(OLD)


# Local defence (local_share 0.5): every gov place on the road keeps half its day-0 garrison
# whatever the fronts ask (the larger of that and its reserve against hostile neighbours). By
# the pressure rule (focus_reach 0) m sends 0.15 x (400 - 200) = 30 to q and r 0.15 x (300 -
# 150) = 22.5 to f; fed from 3 links (focus_reach 3) q keeps max(0.5 x 200, 0.5 x 1,000) = 500
# and sends 0.15 x 500 = 75 to m, m 30 to r, r 22.5 to f.
LOCAL = {0: {"q": 1030.0, "m": 370.0, "r": 277.5, "f": 2022.5},
         3: {"q": 925.0, "m": 445.0, "r": 307.5, "f": 2022.5}}


@pytest.mark.parametrize("reach", [0, 3])
def test_local_defence_stays_whatever_the_fronts_ask(reach: int) -> None:
    """local_share s: a place keeps s x its day-0 garrison while its day-0 holder holds it,
    under the pressure rule and the main effort's feed alike; fighters are conserved."""
    world, p, s = road(reach, local_share=0.5)
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    axis = operations.axes_of(np.array([[ids.index("e"), len(ids)]]), world)
    after = movement.move(s.force, s.control, s.pull, world, p, axis)
    assert {n: after[0, ids.index(n), gov] for n in LOCAL[reach]} == pytest.approx(LOCAL[reach])
    assert after.sum(axis=1) == pytest.approx(s.force.sum(axis=1))


def test_local_defence_is_the_day0_holders_only() -> None:
    """The floor is local_share x the day-0 garrison where the day-0 holder still holds the
    place, 0 on ground that changed hands (an occupier has no local militia there)."""
    world, p, s = road(3, local_share=0.5)
    ids = world.place_ids
    floor = movement.local_floor(s.control, world, p)[0]
    day0 = {"q_reb": 0.0, "q": 500.0, "m": 200.0, "r": 150.0, "f": 1000.0, "e": 0.0}
    assert dict(zip(ids, floor, strict=True)) == pytest.approx(day0)  # reb's share is 0
    control = s.control.copy()
    control[0, ids.index("m")] = world.actor_ids.index("reb")
    control[0, ids.index("q_reb")] = world.actor_ids.index("gov")
    moved = movement.local_floor(control, world, p)[0]
    assert moved[ids.index("m")] == 0.0 and moved[ids.index("q_reb")] == 0.0
    assert moved[ids.index("q")] == pytest.approx(500.0)


def test_local_defence_still_joins_the_assaults_next_to_it() -> None:
    """The local share binds redeployment only: the day's plan (who attacks what, with how
    many) is the same with local_share 0 and 0.9."""
    plans = []
    for share in (0.0, 0.9):
        world, p = fronts(gov={"local_share": share})
        s = engine.init(world, 1, 0)
        plans.append(plan_of(world, p, s))
    assert attacked_by(plans[0], world, "gov") == attacked_by(plans[1], world, "gov") != set()
    np.testing.assert_array_equal(plans[0].per_target, plans[1].per_target)


# --- A fork: gov's rear place k links the start line o (facing reb's E, the main effort) and
# another front p (facing reb's X, stronger). The feed must reach o, not stop at k.

def test_the_feed_reaches_the_start_line_not_another_front() -> None:
    """k is next to o, which is own axis ground but not enemy ground: k is not the base and
    feeds o with 0.15 x its 1,000 fighters (no hostile neighbour, no reserve). By the
    pressure rule k would send them to p, the harder-pressed front: log(2001 / 501) > log(1001
    / 1001) with the same value pull (X and E weigh alike); that is what the feed overrides."""
    ps = [place("k", "gov", {"gov": 1000.0}), place("o", "gov", {"gov": 1000.0}, lat=36.05),
          place("p", "gov", {"gov": 500.0}, lat=35.95),
          place("e", "reb", {"reb": 1000.0}, lat=36.05, lon=37.05),
          place("x", "reb", {"reb": 2000.0}, lat=35.95, lon=37.05)]
    links = [("k", "o"), ("k", "p"), ("o", "e"), ("p", "x")]
    supply = [("k", ["gov"]), ("e", ["reb"]), ("x", ["reb"])]
    world, p = world_of(ps, links, supply, gov={"focus_reach": 1})
    s = engine.init(world, 1, 0)
    assert_quiet(s, world)
    gov, ids = world.actor_ids.index("gov"), world.place_ids
    k, o, p_ = ids.index("k"), ids.index("o"), ids.index("p")
    bare = movement.move(s.force, s.control, s.pull, world, p, None)
    assert bare[0, p_, gov] == pytest.approx(650.0)  # the pressure rule: k to p
    axis = operations.axes_of(np.array([[ids.index("e"), len(ids)]]), world)
    after = movement.move(s.force, s.control, s.pull, world, p, axis)
    assert after[0, k, gov] == pytest.approx(850.0)
    assert after[0, o, gov] == pytest.approx(1150.0)
    assert after[0, p_, gov] == pytest.approx(500.0)


# --- Patience: a star whose targets A (300 defenders) and B (400 or 600) are worth the same;
# focus_threshold 5 puts the cap (6) above both massed ratios (3 and 2.25 or 1.5), so the
# scores differ by log(f_b / 300): 0.29 (< focus_persist 0.5) or 0.69 (> 0.5).

PATIENCE = 5


def patience_star(f_b: float) -> tuple[World, Params, engine.State]:
    world, p, s = star(300.0, f_b, gov={"focus_threshold": 5.0}, focus_patience=PATIENCE,
                       focus_persist=0.5)
    assert world.place_ids == ("hub", "prize", "weak")  # A = 'prize', B = 'weak'
    return world, p, s


@pytest.mark.parametrize("f_b, prev, age, expected", [
    (400.0, None, 0, "prize"),       # no yesterday: the best, log 3 + 1 > log 2.25 + 1
    (400.0, "prize", PATIENCE - 1, "prize"),
    (400.0, "prize", PATIENCE, "weak"),  # log 3 + 1 - 0.5 < log 2.25 + 1: gives way
    (400.0, "weak", PATIENCE - 1, "weak"),  # log 2.25 + 1 + 0.5 > log 3 + 1: kept
    (400.0, "weak", PATIENCE, "prize"),
    (600.0, "prize", PATIENCE, "prize"),  # log 3 + 1 - 0.5 > log 1.5 + 1: still the best
    (600.0, "weak", 0, "prize"),  # log 1.5 + 1 + 0.5 < log 3 + 1: persistence not enough
])
def test_patience_ends_the_persistence_bonus(f_b: float, prev: str | None, age: int,
                                             expected: str) -> None:
    """focus_persist is added to yesterday's effort while it has been kept fewer than
    focus_patience days and subtracted from then on: a stalled effort gives way to the next
    best when that one is within 2 x focus_persist of its kept score (within focus_persist
    of its own score without the bonus)."""
    world, p, s = patience_star(f_b)
    ids = world.place_ids
    n_p = len(ids)
    base = {"prize": math.log(0.9 * 1000 / 300) + 1.0, "weak": math.log(0.9 * 1000 / f_b) + 1.0}
    persist = p.num("focus_persist")
    hand = {k: v + (persist if age < PATIENCE else -persist) * (k == prev)
            for k, v in base.items()}
    assert max(hand, key=lambda k: hand[k]) == expected
    effort = np.array([[n_p if prev is None else ids.index(prev), n_p]])
    plan = plan_of(world, p, s, effort, np.array([[age, 0]]))
    assert effort_of(plan, world) == expected


@pytest.mark.parametrize("prev, age, expected, new_age", [
    (None, 0, "prize", 0),            # none -> prize: a change, the count restarts
    ("prize", 2, "prize", 3),         # kept: one more day
    ("weak", PATIENCE - 1, "weak", PATIENCE),  # kept on the bonus
    ("weak", PATIENCE, "prize", 0),   # patience spent: switches, the count restarts
])
def test_step_counts_the_days_an_effort_is_kept(prev: str | None, age: int, expected: str,
                                                new_age: int) -> None:
    """engine.step stores today's main effort and adds a day to effort_age when it is
    yesterday's, resetting it to 0 when it changes (reb, with no main effort, keeps P)."""
    world, p, s = patience_star(400.0)
    ids = world.place_ids
    n_p = len(ids)
    start = replace(s, effort=np.array([[n_p if prev is None else ids.index(prev), n_p]]),
                    effort_age=np.array([[age, 7]]))
    after = engine.step(start, world, p, 0)
    assert ids[int(after.effort[0, 0])] == expected
    assert after.effort_age[0, 0] == new_age
    assert after.effort[0, 1] == n_p and after.effort_age[0, 1] == 8


# --- Defence first: the star again, gov's hub now carrying objective weight 1 (prize 2), so
# obj = value + weight = [2, 3, 1] for hub, prize, weak: obj_norm [2/3, 1, 1/3] and aim_norm
# [1/2, 1, 0]. The hub is worth 2/3 + 1/2 = 7/6 to gov, prize 2, weak 1/3.

def guarded_star(f_prize: float, **parameters: float) -> tuple[World, Params, engine.State]:
    world, p, s = star(f_prize, 10.0, gov={"focus_threshold": 2.0},
                       objective={"prize": 2.0, "hub": 1.0}, **parameters)
    gov = world.actor_ids.index("gov")
    assert world.obj_norm[gov].tolist() == pytest.approx([2 / 3, 1.0, 1 / 3])
    assert world.aim_norm[gov].tolist() == pytest.approx([0.5, 1.0, 0.0])
    return world, p, s


def assailed_by(world: World, **who: str) -> Any:
    """int[1, place]: yesterday's attacker of each named place (-1 elsewhere)."""
    out = np.full((1, len(world.place_ids)), -1)
    for place_id, actor_id in who.items():
        out[0, world.place_ids.index(place_id)] = world.actor_ids.index(actor_id)
    return out


def test_stakes_are_the_most_valued_own_place_an_enemy_assaulted() -> None:
    """stakes[run, actor]: gov's hub assaulted by reb -> 7/6 for gov, 0 for reb; gov's
    assault on reb's weak -> 1 for reb (reb has no objective and every place the same value:
    obj_norm 1, aim_norm 0), while gov's 'assault' on its own hub counts for nothing; no
    record -> 0."""
    world, _, _ = guarded_star(1500.0)
    gov, reb = world.actor_ids.index("gov"), world.actor_ids.index("reb")
    st_ = operations.stakes(np.array([world.control0]), assailed_by(world, hub="reb"), world)
    assert st_[0].tolist() == pytest.approx([7 / 6, 0.0])
    st_ = operations.stakes(np.array([world.control0]),
                            assailed_by(world, hub="gov", weak="gov"), world)
    assert st_[0, gov] == 0.0
    assert st_[0, reb] == pytest.approx(1.0)
    assert not operations.stakes(np.array([world.control0]), None, world).any()


@pytest.mark.parametrize("f_prize, assault, guard, expected", [
    (1500.0, False, 1.0, "weak"),  # prize out of reach (1.05 < 1.2): weak, as without a guard
    (1500.0, True, 1.0, None),     # hub (7/6) assaulted: weak (1/3) is not worth it: defence
    (1500.0, True, 0.0, "weak"),   # the guard switched off
    (1500.0, True, 0.25, "weak"),  # 1/3 >= 0.25 x 7/6
    (300.0, True, 1.0, "prize"),   # prize (2) is worth more than the hub: it may go on
])
def test_an_actor_under_assault_names_no_main_effort_worth_less_than_its_stake(
        f_prize: float, assault: bool, guard: float, expected: str | None) -> None:
    """focus_guard: a target whose prize is below focus_guard x the stake (the hub, 7/6, when
    reb assaulted it yesterday) cannot be the main effort; with none left the actor names no
    main effort and has no axis, so its fighters go where the pressure is (7.7)."""
    world, p, s = guarded_star(f_prize, focus_guard=guard)
    assailed = assailed_by(world, hub="reb") if assault else assailed_by(world)
    plan = plan_of(world, p, s, assailed=assailed)
    assert effort_of(plan, world) == expected
    if expected is None:
        assert not plan.axis[0, world.actor_ids.index("gov")].any()


def test_step_guards_with_yesterdays_assaults() -> None:
    """engine.step plans with the state's ``attacker`` (yesterday's assaults): the same
    start with reb's assault on the hub recorded names no main effort; without it, weak."""
    world, p, s = guarded_star(1500.0)
    n_p = len(world.place_ids)
    quiet = engine.step(s, world, p, 0)
    assert world.place_ids[int(quiet.effort[0, 0])] == "weak"
    hit = engine.step(replace(s, attacker=assailed_by(world, hub="reb")), world, p, 0)
    assert hit.effort[0, 0] == n_p


# --- Unity of effort: the star with prize (600, objective weight 2) and a weak outpost (50)
# linked to it, so the outpost is on prize's axis. hub = 1000 + 0.5 x 650 keeps a reserve of
# 0.5 x the garrisons next to it, except the one it attacks: against prize it may send 1,300
# (ratio 0.9 x 1300 / 600 = 1.95), against the outpost 1,025 (ratio 18.45).

def unity_star(focus: bool) -> tuple[World, Params, engine.State]:
    hub = 1000.0 + 0.5 * 650.0
    ps = [place("hub", "gov", {"gov": hub}), place("prize", "reb", {"reb": 600.0}, lat=36.05),
          place("outpost", "reb", {"reb": 50.0}, lat=35.95)]
    links = [("hub", "prize"), ("hub", "outpost"), ("prize", "outpost")]
    supply = [("hub", ["gov"]), ("prize", ["reb"]), ("outpost", ["reb"])]
    world, p = world_of(ps, links, supply, gov={"focus_threshold": 2.0} if focus else None,
                        objective={"prize": 2.0})
    s = engine.init(world, 1, 0)
    assert_quiet(s, world)
    return world, p, s


def test_a_place_next_to_the_main_effort_attacks_it_first() -> None:
    """The hub's own best neighbour is the outpost: log 18.45 + 1/3 = 3.25 against prize's
    log 1.95 + 1 = 1.67 (obj_norm: prize 1, the outpost 1/3). Without a main effort it
    attacks the outpost and prize goes unattacked. gov's main effort is prize (worth 2 with
    its objective weight, against the outpost's 1/3, both within the capped ratio term): the
    hub, next to it, attacks prize instead, since its 1.95 passes the threshold 1.2 from
    there: the main effort is the place every unit beside it supports (unity of effort)."""
    world, p, s = unity_star(focus=False)
    hand = {"prize": math.log(0.9 * 1300.0 / 600.0) + 1.0,
            "outpost": math.log(0.9 * 1025.0 / 50.0) + 1 / 3}
    assert max(hand, key=lambda k: hand[k]) == "outpost"
    assert attacked_by(plan_of(world, p, s), world, "gov") == {"outpost"}
    world, p, s = unity_star(focus=True)
    plan = plan_of(world, p, s)
    assert effort_of(plan, world) == "prize"
    assert attacked_by(plan, world, "gov") == {"prize"}
    assert plan.target[0, world.place_ids.index("hub")] == world.place_ids.index("prize")


# --- Exploitation: the patience star (prize 300 and B, worth the same; focus_threshold 5,
# focus_persist 0.5) with a gov place 'won' next to the hub and to B: yesterday's main
# effort, which gov has just taken (10 fighters in it now: 9 more in a massed assault on B,
# which moves B's massed ratio by 1%, nothing the comparisons below turn on).

def exploited_star(f_b: float, population: float) -> tuple[World, Params, engine.State]:
    hub = 1000.0 + 0.5 * (300.0 + f_b)
    ps = [place("hub", "gov", {"gov": hub}), place("prize", "reb", {"reb": 300.0}, lat=36.05),
          place("weak", "reb", {"reb": f_b}, lat=35.95),
          place("won", "gov", {"gov": 10.0}, lat=35.9, lon=37.05, population=population)]
    links = [("hub", "prize"), ("hub", "weak"), ("hub", "won"), ("won", "weak")]
    supply = [("hub", ["gov"]), ("prize", ["reb"]), ("weak", ["reb"])]
    world, p = world_of(ps, links, supply, gov={"focus_threshold": 5.0},
                        focus_patience=PATIENCE, focus_persist=0.5)
    s = engine.init(world, 1, 0)
    assert_quiet(s, world)
    return world, p, s


@pytest.mark.parametrize("f_b, population, expected, on_axis", [
    (400.0, 1000.0, "weak", True),     # a village taken: B gets the bonus, log 2.25 + 1.5 wins
    (400.0, 90_000.0, "prize", False),  # a town of 3 districts taken: no bonus, log 3 + 1
    (600.0, 1000.0, "prize", True),    # log 1.5 + 1.5 < log 3 + 1, but B is on the axis
    (600.0, 90_000.0, "prize", False),
])
def test_a_breakthrough_is_exploited(f_b: float, population: float, expected: str,
                                     on_axis: bool) -> None:
    """gov took yesterday's main effort 'won' (a village of 1,000: one position; a town of
    90,000 is three districts, a battle fought street by street). The ground a breakthrough
    opened, the neighbours of the place taken, counts as yesterday's choice in today's
    choice of the main effort (+ focus_persist, as in the patience test) and lies on today's
    axis; after a town's fall neither. B's score against prize's is as in the patience test."""
    world, p, s = exploited_star(f_b, population)
    ids = world.place_ids
    gov = world.actor_ids.index("gov")
    won = ids.index("won")
    assert s.districts[0, won] == (1 if population == 1000.0 else 3)
    opened = operations.opened_by(gov, np.array([won]), s.control, s.districts.astype(float),
                                  world)
    assert {ids[v] for v in np.flatnonzero(opened[0])} == (
        {"hub", "weak"} if population == 1000.0 else set())
    # yesterday's effort 'won' is gov's now; reb had none
    plan = operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                           s.ceasefire, world, p, np.array([[won, len(ids)]]),
                           np.array([[0, 0]]), s.districts)
    assert effort_of(plan, world) == expected
    assert bool(plan.axis[0, gov, ids.index("weak")]) == (on_axis or expected == "weak")
    # no bonus at all when yesterday's effort is still the enemy's
    assert not operations.opened_by(gov, np.array([ids.index("prize")]), s.control,
                                    s.districts.astype(float), world).any()
