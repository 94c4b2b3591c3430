"""Combat rules: the fitted attrition law and the breakpoints on hand-computed cases; on
hand-made maps the frontage cap, defence in depth (districts), and no reserve kept against the
neighbour being attacked."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import ripeness
from ripeness import engine
from ripeness.world import combat, compile_scenario, operations

from .engine_scenarios import build, place

QUIET = {"combat_noise": 0.0, "break_spread": 0.0, "assumption": "test"}


def test_one_day_of_the_fitted_law_by_hand() -> None:
    """1,000 attackers against 500 defenders: r = 2. With lambda_A = 0.03, lambda_D = 0.05
    and w = 0.5 the attackers lose 0.03 / sqrt(2) of themselves, the defenders 0.05 x sqrt(2);
    an attacker twice as effective (air, or half the terrain factor) doubles the defenders'
    loss and leaves its own unchanged."""
    a1, d1 = combat.helmbold_day(1000.0, 500.0, 0.03, 0.05, 0.5)
    assert float(a1) == pytest.approx(1000.0 * (1 - 0.03 / np.sqrt(2.0)), rel=1e-12)
    assert float(d1) == pytest.approx(500.0 * (1 - 0.05 * np.sqrt(2.0)), rel=1e-12)
    a2, d2 = combat.helmbold_day(1000.0, 500.0, 0.03, 0.05, 0.5, eff_att=2.0)
    assert float(d2) == pytest.approx(500.0 * (1 - 0.1 * np.sqrt(2.0)), rel=1e-12)
    assert float(a2) == pytest.approx(float(a1), rel=1e-12)


def test_the_law_spans_the_square_law_and_fixed_fractions() -> None:
    """w = 1: a side loses lambda x the enemy's numbers a day, as the square law's rate
    (A loses 0.01 x 400 = 4); w = 0: a fixed 1% whatever the enemy. Nobody goes negative; a
    side with nobody inflicts nothing."""
    a1, d1 = combat.helmbold_day(1000.0, 400.0, 0.01, 0.01, 1.0)
    assert float(1000.0 - a1) == pytest.approx(4.0) and float(400.0 - d1) == pytest.approx(10.0)
    a1, d1 = combat.helmbold_day(1000.0, 400.0, 0.01, 0.01, 0.0)
    assert float(a1) == pytest.approx(990.0) and float(d1) == pytest.approx(396.0)
    a1, d1 = combat.helmbold_day(np.array([1000.0, 0.0, 10.0]), np.array([0.0, 50.0, 1e6]),
                                 0.5, 0.5, 0.34)
    assert a1.tolist()[:2] == [1000.0, 0.0] and d1.tolist()[:2] == [0.0, 50.0]
    assert (a1 >= 0).all() and (d1 >= 0).all()


def test_the_reference_fire_rate_is_the_registry_default() -> None:
    from ripeness.params import registry

    assert registry()["fire_rate"].default == combat.FIRE_REFERENCE


@pytest.mark.parametrize("d_loss, a_loss, want", [
    (10.0, 0.0, (True, False)),   # defender lost 10 of 100: its breakpoint 0.1 is reached
    (9.0, 0.0, (False, False)),   # 9%: not yet
    (0.0, 20.0, (False, True)),   # attacker lost 20 of 200 (0.1 >= 0.1): it breaks off
    (12.0, 30.0, (False, True)),  # both past: the attacker further (0.15/0.1 > 0.12/0.1)
    (15.0, 30.0, (True, False)),  # both past, tied (1.5 each): the defender breaks
])
def test_breakpoints_by_hand(d_loss: float, a_loss: float, want: tuple[bool, bool]) -> None:
    """Breakpoints of 0.1 for both; 100 defenders and 200 attackers, nothing lost before."""
    broke, off = combat.breaks(100.0, 100.0 - d_loss, 0.0, 0.1, 200.0, 200.0 - a_loss, 0.0,
                               0.1)
    assert (bool(broke), bool(off)) == want


def test_breakpoints_count_losses_against_everyone_engaged() -> None:
    """A defender that lost 50 yesterday and 10 of today's 150 (reinforced) has lost 60 of
    the 200 who fought: 0.3, past a breakpoint of 0.25 though today's loss alone is 7%."""
    broke, _ = combat.breaks(150.0, 140.0, 50.0, 0.25, 100.0, 100.0, 0.0, 0.5)
    assert bool(broke)


def pocket(frontage: float, population: float = 1000.0) -> Any:
    """A rebel pocket of 1,000 (no own neighbour) next to 20,000 government fighters."""
    return build([place("city", "gov", {"gov": 20000.0}),
                  place("pocket", "reb", {"reb": 1000.0}, lat=36.05, population=population)],
                 [("city", "pocket")], [("city", ["gov"]), ("pocket", ["reb"])],
                 parameters={**QUIET, "frontage": frontage})


def fall_day(frontage: float, population: float = 1000.0) -> int:
    c = ripeness.simulate(pocket(frontage, population), runs=1, seed=0,
                          days=60).daily["control"]
    taken = np.flatnonzero(c.values[0, :, 1] == 0)
    assert taken.size, "the pocket should fall within 60 days"
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
    """20,000 against an encircled 1,000: with 2 attackers per defender at the front the
    pocket holds longer than when 20 per defender can fight at once."""
    assert fall_day(2.0) > fall_day(20.0)


def test_a_city_falls_district_by_district() -> None:
    """The same pocket with 90,000 people is ceil(sqrt(90,000 / 10,000)) = 3 districts: each
    break gives up one, so it holds longer than a village that falls with its first."""
    world = compile_scenario(pocket(3.0, 90_000.0))
    p = world.params_on(0)
    assert engine.districts_of(world, p).tolist() == [1, 3]  # the city of 1,000: one
    res = ripeness.simulate(pocket(3.0, 90_000.0), runs=1, seed=0, days=60)
    left = res.daily["control"].values[0, :, 1]
    assert fall_day(3.0, 90_000.0) > fall_day(3.0)
    assert (left[:2] == 1).all()  # not taken on the day its first district breaks


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
    plan = operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
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
    after = movement.move(s.force, s.control, s.pull, world, p)
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
    fire = p.by_actor("fire_rate")[gov] / combat.FIRE_REFERENCE
    assert (e.att_fire[on] <= fire + 1e-12).all()  # no air here, terrain >= 1


def test_a_vanishing_garrison_gives_no_overflow_warning() -> None:
    """A ratio that overflows (a vanishing garrison, as the loader's fuzz produced) is an
    infinite ratio, handled as a defender with no one: no RuntimeWarning, the attacker loses
    nothing and the garrison is gone."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a1, d1 = combat.helmbold_day(1e10, 1e-310, 0.03, 0.05, 0.5)
    assert float(a1) == 1e10 and float(d1) == 0.0
