"""The main effort's road and its air support, on hand-made maps, computed by hand.

A main effort that does not lie next to the actor's supplied ground (a besieged pocket's
neighbour, say) is fought for along the road to it: the axis holds the places on a shortest
way from the supplied ground to the effort, and the backers' close support goes to the
client's assaults on that axis.
"""

from __future__ import annotations

import itertools

import numpy as np

from ripeness import engine
from ripeness.world import air, compile_scenario, operations

from .engine_scenarios import T, actor, build, place


def relief_road(taken: tuple[str, ...] = (), side: float = 300.0, flank: bool = False,
                beyond: bool = False, gov: dict[str, float] | None = None,
                **parameters: float) -> tuple[object, object]:
    """gov's base (a source) - reb r1 - reb r2 - reb r3 - gov pocket (cut off); r3 is next to
    the pocket, and a reb side-village 'side' hangs off the base. ``taken``: road villages
    gov already holds (with 300 of its own); ``flank``: a gov place of 3,000 next to the
    base and the side village only; ``beyond``: a reb hamlet of 50 next to the pocket only,
    on the far side from the base; ``gov``: gov's own parameters."""
    names = ["base", "r1", "r2", "r3", "pocket"]
    held = {"base": ("gov", 4000.0), "r1": ("reb", 300.0), "r2": ("reb", 300.0),
            "r3": ("reb", 300.0), "pocket": ("gov", 1000.0)}
    held |= {n: ("gov", 300.0) for n in taken}
    ps = [place(n, held[n][0], {held[n][0]: held[n][1]}, lat=36.0 + 0.05 * i)
          for i, n in enumerate(names)]
    ps.append(place("side", "reb", {"reb": side}, lon=37.1))
    links = [("base", "r1"), ("r1", "r2"), ("r2", "r3"), ("r3", "pocket"), ("base", "side")]
    if flank:
        ps.append(place("flank", "gov", {"gov": 3000.0}, lat=35.95, lon=37.1))
        links += [("base", "flank"), ("flank", "side")]
    sources = [("base", ["gov"]), ("r1", ["reb"]), ("side", ["reb"])]
    if beyond:
        ps.append(place("beyond", "reb", {"reb": 50.0}, lat=36.25))
        links.append(("pocket", "beyond"))
        sources.append(("beyond", ["reb"]))
    actors = [actor("gov", enemies={"reb": 1.0}, params=gov or {},
                    objective={"places": {"r3": 3.0}, "assumption": "test"}), actor("reb"),
              actor("ally", kind="backer", enemies={"reb": 1.0})]
    support = [{"backer": "ally", "client": "gov", "sorties_per_day": 30.0, **T}]
    sc = build(ps, links, sources, actors=actors, support=support,
               parameters={"combat_noise": 0.0, "assumption": "test", **parameters})
    world = compile_scenario(sc)
    return world, world.params_on(0)


def test_the_road_runs_from_supplied_ground_to_the_effort() -> None:
    """Effort r3: supplied ground is {base}; base is 3 links from r3, and the places on a
    3-link way are base, r1, r2, r3. The pocket (unsupplied) and the side village are not;
    with no effort (P) the road is empty."""
    world, _ = relief_road()
    ids = world.place_ids
    s = engine.init(world, 1, 0)
    gov = world.actor_ids.index("gov")
    assert not s.supplied[0, ids.index("pocket")]
    base = (s.control == gov) & s.supplied
    road = operations.route_of(np.array([ids.index("r3")]), base, world)
    assert {ids[v] for v in np.flatnonzero(road[0])} == {"base", "r1", "r2", "r3"}
    none = operations.route_of(np.array([len(ids)]), base, world)
    assert not none.any()


def test_close_support_goes_to_the_assault_on_the_road() -> None:
    """gov's main effort is r3 (its objective weight makes it the prize); its axis holds
    r3's neighbours and the road, so r1 is on it: gov assaults r1 from the base, and the
    pocket sorties against r3, its way out toward the relief. The ally's close support goes
    to those two assaults, not to r2 (on the axis, not assaulted) nor to the side village,
    which get only the threat and attrition terms."""
    world, p = relief_road()
    ids = world.place_ids
    s = engine.init(world, 1, 0)
    pl = operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                         s.ceasefire, world, p, s.effort, s.effort_age, s.districts,
                         s.besieged_days)
    gov = world.actor_ids.index("gov")
    assert ids[int(pl.effort[0, gov])] == "r3"
    on = {ids[v] for v in np.flatnonzero(pl.axis[0, gov])}
    assert {"r1", "r2", "r3", "base", "pocket"} <= on and "side" not in on
    assert pl.attacker[0, ids.index("r1")] == gov and pl.attacker[0, ids.index("r3")] == gov
    assert pl.target[0, ids.index("pocket")] == ids.index("r3")
    assert pl.attacker[0, ids.index("r2")] == -1
    held = engine._holder_force(s.force, s.control)
    flown = air.allocate(pl.attacker, s.control, held, s.aid_factor, s.ceasefire, world, p,
                         pl.axis)[0, 0]
    assert abs(flown.sum() - 30.0) < 1e-9
    others = [flown[ids.index(n)] for n in ("r2", "side")]
    assert min(flown[ids.index("r1")], flown[ids.index("r3")]) > 10 * max(others)


def test_no_close_support_is_expected_off_the_axis() -> None:
    """The side village holds 1,000; the flank (3,000, no other enemy) may send 0.9 x 3,000 =
    2,700 against it, a ratio of 2.7, under the 4 x 1.2 = 4.8 an attack off the axis needs.
    The ally's 30 sorties shared over gov's 3 targets (``attacks_per_day``: r1, r3 from the
    pocket, and the side village) would give 1 + 10 / 12 = 1.83 and a ratio of 4.95, but
    they fly close support on the axis only: gov does not attack the side village. With 500
    in it (a ratio of 5.4 without air) it does."""
    world, p = relief_road(side=1000.0, flank=True, gov={"attacks_per_day": 3})
    ids = world.place_ids  # type: ignore[attr-defined]
    _, pl = _plan(world, p)
    gov = world.actor_ids.index("gov")  # type: ignore[attr-defined]
    assert ids[int(pl.effort[0, gov])] == "r3"  # the side village is off the axis
    assert pl.attacker[0, ids.index("side")] == -1
    assert pl.attacker[0, ids.index("r1")] == gov
    world, p = relief_road(side=500.0, flank=True, gov={"attacks_per_day": 3})
    _, pl = _plan(world, p)
    assert pl.attacker[0, ids.index("side")] == gov


def _plan(world: object, p: object) -> tuple[object, object]:
    s = engine.init(world, 1, 0)  # type: ignore[arg-type]
    return s, operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                              s.ceasefire, world, p, s.effort, s.effort_age,  # type: ignore
                              s.districts, s.besieged_days)


def test_a_besieged_garrison_sorties_only_toward_the_relief() -> None:
    """Without a main effort (focus_threshold 1, focus_reach 0) every place picks its best
    neighbour. The pocket (1,000, cut off) lies 4 links from gov's supplied ground {base};
    r3 next to it lies 3, the hamlet 'beyond' 5. The pocket attacks r3 (300 rebels), a
    link nearer the relief, and never the weaker hamlet (50), which would lead it deeper
    into the enemy's ground: an attack from inside the ring is a sortie toward the relief.
    Once gov holds r1 and r2 (r2 supplied, next to r3), the pocket and r2 assault r3
    together."""
    focus_off = {"focus_threshold": 1.0, "focus_reach": 0.0}
    world, p = relief_road(beyond=True, **focus_off)
    ids = world.place_ids  # type: ignore[attr-defined]
    s, pl = _plan(world, p)
    base = (s.control == world.actor_ids.index("gov")) & s.supplied  # type: ignore
    assert {ids[v] for v in np.flatnonzero(base[0])} == {"base"}
    way_out = operations.toward(base, world)  # type: ignore[arg-type]
    nbr = world.nbr  # type: ignore[attr-defined]
    pocket = ids.index("pocket")

    def link(v: str, u: str) -> bool:
        """v lies a link nearer the base than its neighbour u."""
        d = int(np.flatnonzero(nbr[ids.index(v)] == ids.index(u))[0])
        return bool(way_out[0, ids.index(v), d])

    assert link("r3", "pocket") and not link("beyond", "pocket")
    assert link("r1", "r2") and not link("r2", "r1")
    assert pl.target[0, pocket] == ids.index("r3") and pl.per_target[0, pocket] > 0
    assert pl.attacker[0, ids.index("beyond")] == -1
    world, p = relief_road(taken=("r1", "r2"), **focus_off)
    ids = world.place_ids  # type: ignore[attr-defined]
    s, pl = _plan(world, p)
    gov = world.actor_ids.index("gov")  # type: ignore[attr-defined]
    assert s.supplied[0, ids.index("r2")] and not s.supplied[0, ids.index("pocket")]
    assert pl.attacker[0, ids.index("r3")] == gov
    for origin in ("pocket", "r2"):
        assert pl.target[0, ids.index(origin)] == ids.index("r3")
        assert pl.per_target[0, ids.index(origin)] > 0


def long_road() -> tuple[object, object]:
    """gov's places g0 .. g5 on a road to reb's r (the main effort, next to g5); a reb
    outpost 'o' hangs off g0 (so g0 starts as a front); 'rear' hangs off g1 (quiet on day 0).
    focus_reach 1: only g4 (1 link from the base {g5}) is fed by the old rule."""
    names = ["g0", "g1", "g2", "g3", "g4", "g5", "r"]
    ps = [place(n, "gov", {"gov": 1000.0}, lat=36.0 + 0.05 * i)
          for i, n in enumerate(names[:-1])]
    ps += [place("r", "reb", {"reb": 3000.0}, lat=36.3), place("o", "reb", {"reb": 100.0},
                                                               lon=37.1),
           place("rear", "gov", {"gov": 800.0}, lat=36.05, lon=36.9)]
    links = [*itertools.pairwise(names), ("g0", "o"), ("g1", "rear")]
    sc = build(ps, links, [("g5", ["gov"]), ("r", ["reb"]), ("o", ["reb"])],
               parameters={"combat_noise": 0.0, "focus_reach": 1, "assumption": "test"})
    world = compile_scenario(sc)
    return world, world.params_on(0)


def test_a_front_gone_quiet_sends_its_troops_to_the_main_effort() -> None:
    """With the outpost taken (g0 quiet now, a front on day 0), g0 sends move_rate x all its
    fighters one link toward the axis although it lies 5 links from it; g1..g3 (quiet on day
    0, their floor their day-0 garrison) keep theirs; 'rear' too. Fighters are conserved."""
    from ripeness.world import movement

    world, p = long_road()
    ids = world.place_ids
    s = engine.init(world, 1, 0)
    gov = world.actor_ids.index("gov")
    control = s.control.copy()
    control[0, ids.index("o")] = gov  # the outpost has fallen
    force = s.force.copy()
    force[0, ids.index("o"), :] = 0.0
    effort = np.array([[ids.index("r"), len(ids)]])
    floor = movement.rear_floor(control, world)[0]
    assert floor[ids.index("g0")] == 0.0 and floor[ids.index("g2")] == 1000.0
    after = movement.move(force, control, s.pull, world, p,
                          operations.axes_of(effort, world))[0, :, gov]
    rate = p.num("move_rate")
    assert abs(after[ids.index("g0")] - 1000.0 * (1 - rate)) < 1e-9
    assert abs(after[ids.index("g1")] - (1000.0 + 1000.0 * rate)) < 1e-9
    assert abs(after[ids.index("rear")] - 800.0) < 1e-9
    assert abs(after.sum() - force[0, :, gov].sum()) < 1e-6


def test_a_limited_aim_met_ends_the_offensives() -> None:
    """sdf (limited: hold 'm' and 't') holds 'm'; reb's weak 't' and 'z' (100 each) lie next
    to its 3,000. While 't' is reb's, sdf attacks; once it holds 't' too it attacks nothing,
    not even the weaker 'z' (its objective also weighs 'z'): Turkey's red line at Azaz."""
    actors = [actor("sdf", enemies={"reb": 1.0},
                    objective={"kind": "limited", "hold": ["m", "t"],
                               "places": {"m": 2.0, "t": 2.0, "z": 1.0}, "assumption": "test"}),
              actor("reb")]
    ps = [place("m", "sdf", {"sdf": 3000.0}), place("t", "reb", {"reb": 100.0}, lat=36.05),
          place("z", "reb", {"reb": 100.0}, lon=37.05)]
    sc = build(ps, [("m", "t"), ("m", "z"), ("t", "z")], [("m", ["sdf"]), ("z", ["reb"])],
               actors=actors, parameters={"combat_noise": 0.0, "assumption": "test"})
    world = compile_scenario(sc)
    p = world.params_on(0)
    ids, sdf = world.place_ids, world.actor_ids.index("sdf")
    assert world.aim_hold[sdf].tolist() == [True, True, False]
    s = engine.init(world, 1, 0)

    def attacks(control: np.ndarray) -> set[str]:
        pl = operations.plan(control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                             s.ceasefire, world, p)
        return {ids[v] for v in np.flatnonzero(pl.attacker[0] == sdf)}

    assert not operations.aim_met(s.control, sdf, world)[0]
    assert attacks(s.control)  # aim unmet: it attacks
    met = s.control.copy()
    met[0, ids.index("t")] = sdf
    assert operations.aim_met(met, sdf, world)[0]
    assert attacks(met) == set()


def test_the_event_log_tells_a_district_taken() -> None:
    """A rebel town of 90,000 (3 districts) next to 20,000 government fighters: the log says
    'district taken' (by the day's attacker, with the districts left) before 'captured', and
    the daily districts count down from 3."""
    import ripeness

    sc = build([place("city", "gov", {"gov": 20000.0}),
                place("town", "reb", {"reb": 1000.0}, lat=36.05, population=90_000.0)],
               [("city", "town")], [("city", ["gov"]), ("town", ["reb"])],
               parameters={"combat_noise": 0.0, "break_spread": 0.0, "assumption": "test"})
    res = ripeness.simulate(sc, runs=1, seed=0, days=60)
    ev = res.events[res.events["place"] == "town"]
    kinds = ev["kind"].tolist()
    assert kinds[:3] == ["district taken", "district taken", "captured"]
    assert ev["actor"].tolist()[:3] == ["gov"] * 3
    assert ev["detail"].tolist()[:2] == ["2 left", "1 left"]
    left = res.daily["districts"].sel(place="town").values[0]
    assert int(res.daily["districts_start"].sel(place="town").values[0]) == 3
    assert left.min() >= 1 and left[0] <= 3


def test_the_event_log_tells_an_assault_beaten_off() -> None:
    """3,000 government fighters against a rebel town of 1,000, no noise: the attackers
    engage 0.9 x 3,000 = 2,700 (r = 2.7) and lose 0.0215 x 2.7 ** -0.228 = 1.7% on the first
    day, past an attacker breakpoint of 1%; the defenders lose 0.0298 x 2.7 ** 0.228 = 3.7%,
    short of theirs (50%). So the assault is beaten off on day 0; renewed on day 1, it is
    beaten off again, told as the second day of fighting for the town."""
    import ripeness

    sc = build([place("city", "gov", {"gov": 3000.0}),
                place("town", "reb", {"reb": 1000.0}, lat=36.05)],
               [("city", "town")], [("city", ["gov"]), ("town", ["reb"])],
               parameters={"combat_noise": 0.0, "break_spread": 0.0, "combat_intensity": 1.0,
                           "attack_break_loss": 0.01, "break_loss": 0.5, "assumption": "test"})
    res = ripeness.simulate(sc, runs=1, seed=0, days=2)
    ev = res.events[res.events["kind"] == "assault repulsed"]
    assert ev["day"].tolist() == [0, 1] and set(ev["place"]) == {"town"}
    assert set(ev["actor"]) == {"gov"}
    assert ev["detail"].tolist() == ["by reb, after 1 day", "by reb, after 2 days"]
    assert res.daily["repulsed"].sel(place="town").values[0].tolist() == [True, True]
    assert "gov's assault on town beaten off (by reb, after 1 day)" in res.digest(0)[0]


def test_the_digest_tells_where_fighting_went_on_without_news() -> None:
    """The same 3,000 against 1,000 with breakpoints of 50% for both: no side breaks in the
    first days, so the log has no event; the digest's quiet days still say where the
    fighting was, by whom and for how many days."""
    import ripeness

    sc = build([place("city", "gov", {"gov": 3000.0}),
                place("town", "reb", {"reb": 1000.0}, lat=36.05)],
               [("city", "town")], [("city", ["gov"]), ("town", ["reb"])],
               parameters={"combat_noise": 0.0, "break_spread": 0.0, "combat_intensity": 1.0,
                           "attack_break_loss": 0.5, "break_loss": 0.5, "assumption": "test"})
    res = ripeness.simulate(sc, runs=1, seed=0, days=4)
    assert res.events.empty
    (line,) = res.digest(0)
    assert "4 days without news; fighting at town (gov, 4 days)" in line
