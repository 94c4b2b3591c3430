"""Three combat rules on hand-made maps: the frontage cap, no rout for an encircled garrison,
and no reserve kept against the neighbour being attacked; and the backers' ceasefire channel."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ripeness
from ripeness import engine
from ripeness.world import combat, compile_scenario, operations

from .engine_scenarios import build, place

QUIET = {"combat_noise": 0.0, "assumption": "test"}


def test_only_a_garrison_that_can_withdraw_routs() -> None:
    """Attackers' power left is 5x the defender's, the defender kept 90%: it routs only if
    it has somewhere to go."""
    args = (np.array([100.0]), np.array([90.0]), np.array([500.0]), np.array([100.0]),
            np.array([100.0]), np.array([0.55]), 3.0)
    assert combat.breaks(*args, can_withdraw=np.array([True]))[0]
    assert not combat.breaks(*args, can_withdraw=np.array([False]))[0]


def pocket(frontage: float) -> Any:
    """A rebel pocket of 1,000 (no own neighbour) next to 20,000 government fighters."""
    return build([place("city", "gov", {"gov": 20000.0}),
                  place("pocket", "reb", {"reb": 1000.0}, lat=36.05)],
                 [("city", "pocket")], [("city", ["gov"]), ("pocket", ["reb"])],
                 parameters={**QUIET, "frontage": frontage})


def fall_day(frontage: float) -> int:
    c = ripeness.simulate(pocket(frontage), runs=1, seed=0, days=30).daily["control"]
    taken = np.flatnonzero(c.values[0, :, 1] == 0)
    assert taken.size, "the pocket should fall within 30 days"
    return int(taken[0])


def engagements_seen(monkeypatch: pytest.MonkeyPatch) -> list[combat.Engagements]:
    """The engagements combat.fight receives from now on (appended as the engine runs)."""
    seen: list[combat.Engagements] = []
    real = combat.fight

    def spy(e: combat.Engagements, *a: Any) -> combat.Battle:
        seen.append(e)
        return real(e, *a)

    monkeypatch.setattr(combat, "fight", spy)
    return seen


def test_numbers_beyond_the_frontage_do_not_speed_up_a_storm() -> None:
    """20,000 against an encircled 1,000: with 3 attackers per defender at the front the pocket
    holds days longer than when 20 per defender can fight at once."""
    assert fall_day(3.0) > fall_day(20.0)


@pytest.mark.parametrize("frontage", [1.0, 3.0])
def test_engaged_attackers_never_exceed_the_frontage(frontage: float,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    seen = engagements_seen(monkeypatch)
    ripeness.simulate(pocket(frontage), runs=2, seed=0, days=3)
    fought = [e for e in seen if (e.attacker >= 0).any()]
    assert fought
    for e in fought:
        on = e.attacker >= 0
        assert (e.att0[on] <= frontage * np.maximum(e.def0[on], 1.0) + 1e-9).all()


def test_no_reserve_is_kept_against_the_neighbour_attacked() -> None:
    """gov (3,000 at 'front') faces one rebel place of 500: it may send all its fighters
    beyond a reserve against *other* hostile neighbours (none), i.e. commit_fraction x 3,000,
    not commit_fraction x (3,000 - hold_ratio x 500)."""
    sc = build([place("rear", "gov", {"gov": 100.0}), place("front", "gov", {"gov": 3000.0},
                                                            lat=36.05),
                place("town", "reb", {"reb": 500.0}, lat=36.1)],
               [("rear", "front"), ("front", "town")], [("rear", ["gov"]), ("town", ["reb"])],
               parameters={**QUIET, "hold_ratio": 1.0})
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = engine.init(world, 1, 0)
    plan = operations.plan(s.control, s.force, s.supplied, s.lost, s.relief, s.aid_factor,
                           s.ceasefire, world, p)
    front, town = world.place_ids.index("front"), world.place_ids.index("town")
    gov = world.actor_ids.index("gov")
    assert plan.attacker[0, town] == gov and plan.target[0, front] == town
    assert plan.per_target[0, front] == pytest.approx(p.by_actor("commit_fraction")[gov] * 3000)


def fork(reach: int) -> tuple[Any, Any]:
    """gov's depot (5,000) forks to an empty dead end and to a road of two own places that ends
    at a rebel town (3,000) held against a 100-man outpost."""
    ps = [place("depot", "gov", {"gov": 5000.0}), place("dead-end", "gov", lat=36.05),
          place("road", "gov", {"gov": 1000.0}, lon=37.05),
          place("outpost", "gov", {"gov": 100.0}, lon=37.1),
          place("town", "reb", {"reb": 3000.0}, lon=37.15)]
    links = [("depot", "dead-end"), ("depot", "road"), ("road", "outpost"), ("outpost", "town")]
    sc = build(ps, links, [("depot", ["gov"]), ("town", ["reb"])],
               parameters={**QUIET, "move_reach": reach})
    world = compile_scenario(sc)
    return world, world.params_on(0)


@pytest.mark.parametrize("reach, goes_to", [(1, "dead-end"), (3, "road")])
def test_move_reach_lets_a_depot_feed_a_distant_front(reach: int, goes_to: str) -> None:
    """Locally the empty dead end looks emptier than the road; looking 3 links ahead the
    depot sees the front at the end of the road and sends its fighters that way."""
    from ripeness.world import movement

    world, p = fork(reach)
    s = engine.init(world, 1, 0)
    after = movement.move(s.force, s.control, s.relief, world, p)
    gov = world.actor_ids.index("gov")
    gained = after[0, :, gov] - s.force[0, :, gov]
    ids = world.place_ids
    assert gained[ids.index(goes_to)] > 0
    other = "road" if goes_to == "dead-end" else "dead-end"
    assert gained[ids.index(other)] <= 0
    assert after[0, :, gov].sum() == pytest.approx(s.force[0, :, gov].sum())  # nobody lost


def test_capped_attackers_fire_no_harder_than_supplied_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The attackers' fire coefficient is at most the attacker's fire rate times its air and
    terrain factors: a frontage cap must not raise the share of supplied attackers above 1."""
    seen = engagements_seen(monkeypatch)
    sc = pocket(1.0)  # 20,000 against 1,000: the cap binds (1 per defender)
    world = compile_scenario(sc)
    p = world.params_on(0)
    ripeness.simulate(sc, runs=1, seed=0, days=2)
    e = next(x for x in seen if (x.attacker >= 0).any())
    on = e.attacker >= 0
    assert (e.committed[on] > e.att0[on]).all()  # the cap binds
    gov = world.actor_ids.index("gov")
    limit = p.by_actor("fire_rate")[gov] * (1 + p.num("air_boost"))  # no terrain divisor < 1
    assert (e.att_fire[on] <= limit + 1e-12).all()
    assert (e.att_fire[on] <= p.by_actor("fire_rate")[gov] + 1e-12).all()  # no air here
