"""Air power, dated events and shares on small hand-made maps."""

from __future__ import annotations

import numpy as np
import pytest

import ripeness.engine as eng
from ripeness.errors import ScenarioError
from ripeness.simulate import simulate
from ripeness.world import air, compile_scenario, shares
from ripeness.world.operations import axes_of, plan

from .engine_scenarios import T, actor, build, place


def _backed(sorties: float, weights: dict[str, float] | None = None, **extra: object) -> object:
    """gov (backed by 'ally' from the air) faces reb and isis; nobody can attack on day 0
    except gov at 'front'."""
    actors = [actor("gov", enemies={"reb": 1.0, "isis": 1.0}), actor("reb"), actor("isis"),
              actor("ally", kind="backer", enemies=weights or {})]
    ps = [place("base", "gov", {"gov": 3000}, lat=36.0), place("front", "reb", {"reb": 200},
          lat=36.1), place("far", "reb", {"reb": 2000}, lat=36.2),
          place("east", "isis", {"isis": 500}, lat=36.0, lon=37.2)]
    support = [{"backer": "ally", "client": "gov", "sorties_per_day": sorties, **T}]
    return build(ps, [("base", "front"), ("front", "far"), ("base", "east")],
                 [("base", ["gov"]), ("far", ["reb"])], actors=actors, support=support,
                 **extra)


def _flown(sc: object) -> tuple[np.ndarray, object]:
    world = compile_scenario(sc)  # type: ignore[arg-type]
    p = world.params_on(0)
    s = eng.init(world, 2, 0)
    pl = plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor, s.ceasefire,
              world, p, s.effort, s.effort_age, s.districts, s.besieged_days)
    held = eng._holder_force(s.force, s.control)
    return air.allocate(pl.attacker, s.control, held, s.aid_factor, s.ceasefire, world, p), world


def test_sorties_go_only_to_the_clients_enemies_and_add_up() -> None:
    flown, world = _flown(_backed(40.0))
    assert flown.sum(axis=(1, 2)) == pytest.approx([40.0, 40.0])
    own = [world.place_ids.index("base")]
    assert (flown[:, :, own] == 0).all()
    front = world.place_ids.index("front")
    assert flown[0, 0, front] == flown[0, 0].max()  # the client's assault gets most


def test_strike_weights_steer_the_air_and_zero_sorties_fly_nothing() -> None:
    flown, world = _flown(_backed(40.0, weights={"reb": 1.0, "isis": 0.0}))
    assert flown[:, :, world.place_ids.index("east")].sum() == 0
    none, _ = _flown(_backed(0.0))
    assert none.sum() == 0


def test_a_dated_event_changes_sorties_from_its_day() -> None:
    ev = [{"date": "2016-02-04", "description": "drawdown",
           "set": {"support.ally-gov.sorties_per_day": 0}, **T}]
    res = simulate(_backed(40.0, events=ev), runs=1, days=6)
    per_day = res.daily["sorties"].values[0].sum(axis=1)
    assert (per_day[:3] > 0).all() and (per_day[3:] == 0).all()


def test_events_may_set_parameters_only() -> None:
    ev = [{"date": "2016-02-04", "description": "a scripted capture",
           "set": {"places.front.controller": "gov"}, **T}]
    # Rejected when the scenario is validated, before any run starts.
    with pytest.raises(ScenarioError, match="parameters only"):
        compile_scenario(_backed(40.0, events=ev))  # type: ignore[arg-type]


def test_shares_sum_to_one_over_belligerents() -> None:
    world = compile_scenario(_backed(40.0))  # type: ignore[arg-type]
    s = eng.init(world, 3, 0)
    sh = shares(s, world)
    assert sh.sum(axis=1) == pytest.approx(np.ones(3))
    assert (sh[:, world.actor_ids.index("ally")] == 0).all()


def test_a_focused_clients_close_support_goes_to_its_axis() -> None:
    """With a main effort, the backer's close-support term lands on the client's axis (the
    main effort and its neighbours), attacked today or not; without one, on its assaults.
    Threat and attrition terms are off, so the close-support term is the whole score."""
    actors = [actor("gov", enemies={"reb": 1.0, "isis": 1.0}, params={"focus_threshold": 2.0}),
              actor("reb"), actor("isis"), actor("ally", kind="backer", enemies={})]
    ps = [place("base", "gov", {"gov": 3000}, lat=36.0), place("front", "reb", {"reb": 200},
          lat=36.1), place("far", "reb", {"reb": 2000}, lat=36.2),
          place("east", "isis", {"isis": 500}, lat=36.0, lon=37.2)]
    support = [{"backer": "ally", "client": "gov", "sorties_per_day": 40.0, **T}]
    sc = build(ps, [("base", "front"), ("front", "far"), ("base", "east")],
               [("base", ["gov"]), ("far", ["reb"])], actors=actors, support=support,
               parameters={"air_threat_weight": 0.0, "air_force_weight": 0.0,
                           "assumption": "test"})
    world = compile_scenario(sc)
    p = world.params_on(0)
    s = eng.init(world, 1, 0)
    held = eng._holder_force(s.force, s.control)
    ids = list(world.place_ids)
    attacker = np.full((1, len(ids)), -1)
    attacker[0, ids.index("front")] = 0  # gov assaults 'front' today
    effort = np.full((1, len(world.actor_ids)), len(ids))
    effort[0, 0] = ids.index("east")  # ... but its main effort is 'east'
    on_axis = air.allocate(attacker, s.control, held, s.aid_factor, s.ceasefire, world, p,
                           axes_of(effort, world))
    assert on_axis[0, 0, ids.index("east")] == pytest.approx(40.0)  # the axis gets it all
    plain = air.allocate(attacker, s.control, held, s.aid_factor, s.ceasefire, world, p)
    assert plain[0, 0, ids.index("front")] == pytest.approx(40.0)  # no effort: the assault
    none = effort.copy()
    none[0, 0] = len(ids)  # focused but without a front: no close support anywhere
    assert air.allocate(attacker, s.control, held, s.aid_factor, s.ceasefire, world, p,
                        axes_of(none, world)).sum() == 0


def test_close_support_scales_with_sorties_per_defender_engaged() -> None:
    """CDB90's fit: the attacker's effectiveness is 1 + q / q0, q the sorties per 1,000
    defenders engaged. 30 sorties on 1,000 defenders at q0 = 12: 1 + 30 / 12 = 3.5; the same
    30 on 250 (a village, or a city's front district): 1 + 120 / 12 = 11; none: 1."""
    p = compile_scenario(_backed(40.0, parameters={"air_sortie_scale": 12.0, **T})).params_on(0)
    from ripeness.world.operations import air_factor

    got = air_factor(np.array([30.0, 30.0, 0.0]), np.array([1000.0, 250.0, 1000.0]), p)
    assert got == pytest.approx([3.5, 11.0, 1.0])


def test_strikes_on_an_assaulted_place_kill_only_through_the_assault() -> None:
    """20 sorties on each of two rebel places, one assaulted by the backer's client: at
    sortie_kill 0.25 the other loses 5 fighters to the strikes; the assaulted one none apart
    (its toll is in the assault's fitted loss rate)."""
    sc = _backed(40.0, parameters={"sortie_kill": 0.25, **T})
    world = compile_scenario(sc)
    p = world.params_on(0)
    front, far = world.place_ids.index("front"), world.place_ids.index("far")
    gov = world.actor_ids.index("gov")
    flown = np.zeros((1, 1, len(world.place_ids)))
    flown[0, 0, [front, far]] = 20.0
    attacker = np.full((1, len(world.place_ids)), -1)
    attacker[0, front] = gov
    held = np.full((1, len(world.place_ids)), 1000.0)
    lost = air.strike_losses(flown, held, attacker, world, p)
    assert lost[0, far] == pytest.approx(5.0) and lost[0, front] == 0.0
    boost = air.boost(flown, attacker, np.full((1, len(world.place_ids)), 500.0), world, p)
    assert boost[0, front] == pytest.approx(1 + 40.0 / p.num("air_sortie_scale"))
    assert boost[0, far] == 1.0  # nobody assaults it
