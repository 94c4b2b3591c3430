"""Local truces: named places two belligerents agree not to fight over, apart from the talks
(docs/model.md 7.3; the Four Towns of 2015). Hand-made maps; every expectation follows from
the rule: no assault on the partner's places under the truce, none out of one's own, no
strike on them, and the siege goes on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ripeness
from ripeness import engine
from ripeness.cli import main
from ripeness.scenario import Scenario, from_raw
from ripeness.world import air, operations
from ripeness.world.compile import World, compile_scenario

from .engine_scenarios import actor, build, place
from .formats import A, problems

QUIET = {"combat_noise": 0.0, "recruit_rate": 0.0, "focus_threshold": 1.0, "focus_reach": 0,
         "assumption": "test: no main effort"}


def _star(truce: dict[str, Any] | None, horizon: int = 10,
          focus: bool = False) -> Scenario:
    """gov's 'west' (1,000) faces reb's 'town' (100, cut off: its only road is to west) and
    gov's 'east' (1,000) faces reb's 'field' (100, reb's source); reb's 'fort' (1,000), behind
    field, faces gov's 'post' (100). A backer flies 10 sorties a day for gov."""
    ps = [place("west", "gov", {"gov": 1000.0}),
          place("town", "reb", {"reb": 100.0}, lat=36.05),
          place("east", "gov", {"gov": 1000.0}, lon=37.1),
          place("field", "reb", {"reb": 100.0}, lat=36.05, lon=37.1),
          place("fort", "reb", {"reb": 1000.0}, lat=36.1, lon=37.2),
          place("post", "gov", {"gov": 100.0}, lat=36.15, lon=37.3)]
    links = [("west", "town"), ("west", "east"), ("east", "field"), ("field", "fort"),
             ("fort", "post")]
    supply = [("west", ["gov"]), ("post", ["gov"]), ("field", ["reb"])]
    actors = [actor("gov", enemies={"reb": 1.0}, params={"attacks_per_day": 3}),
              actor("reb", params={"attacks_per_day": 3}), actor("ally", kind="backer")]
    support = [{"backer": "ally", "client": "gov", "sorties_per_day": 10,
                "fighters_per_day": 0, **A}]
    extra = {"truces": [{**truce, **A}]} if truce else {}
    params = {**QUIET, "focus_threshold": 2.0, "focus_reach": 2} if focus else QUIET
    return build(ps, links, supply, actors=actors, horizon=horizon, parameters=params,
                 support=support, **extra)


TRUCE = {"id": "towns", "parties": ["gov", "reb"], "places": ["town", "fort"]}


def _plan(world: World, day: int = 0) -> tuple[operations.Plan, engine.State]:
    s = engine.init(world, 1, 0)
    p = world.params_on(day)
    plan = operations.plan(s.control, s.force, s.supplied, s.lost, s.pull, s.aid_factor,
                           s.ceasefire, world, p, truce=world.truce_on(day))
    return plan, s


def _attacked(plan: operations.Plan, world: World, who: str) -> set[str]:
    a = world.actor_ids.index(who)
    return {world.place_ids[v] for v in np.flatnonzero(plan.attacker[0] == a)}


def test_a_truce_takes_its_places_out_of_the_fight_between_its_parties() -> None:
    """Without the truce gov assaults town out of west and field out of east (ratios far
    above the threshold) and reb assaults post out of fort; with town and fort under it, gov
    assaults field only and reb nothing (its only origin against post is fort)."""
    bare = compile_scenario(_star(None))
    held = compile_scenario(_star(TRUCE))
    assert bare.truce_on(0) is None
    plan0, _ = _plan(bare)
    plan1, _ = _plan(held)
    assert _attacked(plan0, bare, "gov") == {"town", "field"}
    assert _attacked(plan0, bare, "reb") == {"post"}
    assert _attacked(plan1, held, "gov") == {"field"}
    assert _attacked(plan1, held, "reb") == set()
    assert plan1.per_target[0, held.place_ids.index("fort")] == 0.0  # fort sends nobody


def test_a_main_effort_is_never_a_place_under_a_truce_nor_fought_out_of_one() -> None:
    """With main efforts on: without the truce reb's is post (its only target); with town and
    fort under it, post can be attacked only out of fort, so reb names none, and gov's is
    field, never town."""
    for truce, gov_efforts, reb_effort in ((None, {"town", "field"}, "post"),
                                           (TRUCE, {"field"}, None)):
        world = compile_scenario(_star(truce, focus=True))
        plan, _ = _plan(world)
        name = dict(enumerate(world.place_ids))
        efforts = {a: name.get(int(plan.effort[0, world.actor_ids.index(a)]))
                   for a in ("gov", "reb")}
        assert efforts["reb"] == reb_effort
        assert efforts["gov"] in gov_efforts


def test_backers_do_not_strike_the_partners_places_under_a_truce() -> None:
    for truce, struck in ((None, True), (TRUCE, False)):
        world = compile_scenario(_star(truce))
        plan, s = _plan(world)
        held = s.force[0, np.arange(len(world.place_ids)), s.control[0]][None, :]
        flown = air.allocate(plan.attacker, s.control, held, s.aid_factor, s.ceasefire, world,
                             world.params_on(0), plan.axis, world.truce_on(0))
        town = world.place_ids.index("town")
        assert (flown[0, :, town].sum() > 0) == struck
        assert flown.sum() == pytest.approx(10.0)  # all ten sorties fly somewhere


def test_under_a_truce_the_town_stays_besieged_and_untaken() -> None:
    """Over 20 days gov takes the cut-off town without the truce; with it the town is never
    assaulted, keeps its holder, and stays cut off (the siege goes on)."""
    for truce, taken in ((None, True), (TRUCE, False)):
        d = ripeness.simulate(_star(truce, horizon=20), runs=2, days=20).daily
        town = d.sel(place="town")
        gov = list(d["actor"].values).index("gov")
        assert bool((town["control"].values == gov).any()) == taken
        if not taken:
            assert not town["supplied"].values.any()
            assert np.isnan(town["attacker"].values).all()  # NaN: no attack that day


def test_a_truce_holds_from_its_start_to_the_day_before_its_end() -> None:
    """starts 2016-02-04 and ends 2016-02-07 (the scenario starts 2016-02-01): in force on
    days 3 to 5; starting before the scenario, from day 0."""
    dated = compile_scenario(_star({**TRUCE, "starts": "2016-02-04", "ends": "2016-02-07"}))
    on = [dated.truce_on(d) is not None for d in range(8)]
    assert on == [False, False, False, True, True, True, False, False]
    plan, _ = _plan(dated, day=3)
    assert _attacked(plan, dated, "gov") == {"field"}
    early = compile_scenario(_star({**TRUCE, "starts": "2015-09-24"}))
    mask = early.truce_on(0)
    assert mask is not None
    gov, reb = early.actor_ids.index("gov"), early.actor_ids.index("reb")
    town = early.place_ids.index("town")
    assert mask[town, gov, reb] and mask[town, reb, gov]
    assert not mask[early.place_ids.index("field")].any()


@pytest.mark.parametrize("truce, needle", [
    ({"parties": ["gov", "zz"]}, "truces[0](towns).parties: unknown belligerent 'zz'"),
    ({"parties": ["gov", "gov"]}, "a truce binds two different belligerents"),
    ({"parties": ["gov"]}, "truces[0](towns).parties: List should have at least 2"),
    ({"parties": ["gov", "ally"]}, "unknown belligerent 'ally'"),
    ({"places": ["town", "nowhere"]}, "truces[0](towns).places[1]: unknown place 'nowhere'"),
    ({"places": ["town", "town"]}, "a place is listed twice"),
    ({"starts": "2016-03-01", "ends": "2016-02-01"}, "the truce ends (2016-02-01) on or before "
     "it starts (2016-03-01) | give an end after the start, or omit `ends`"),
])
def test_misused_truces_are_named_with_their_fix(truce: dict, needle: str) -> None:
    raw = _star(None).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["truces"] = [{**TRUCE, **truce, **A}]
    got = problems(raw)
    assert any(needle in g for g in got), got


def test_a_truce_is_checked_even_when_another_table_fails_the_schema() -> None:
    """Every problem at once: an unknown place in a truce is named beside a schema error
    elsewhere in the file."""
    raw = _star(None).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["truces"] = [{**TRUCE, "places": ["nowhere"], **A}]
    raw["links"][0]["km"] = -1.0
    got = problems(raw)
    assert any("links[0]" in g for g in got), got
    assert any("truces[0](towns).places[0]: unknown place 'nowhere'" in g for g in got), got


def test_show_lists_the_local_truces(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "syria-2016"]) == 0
    out = capsys.readouterr().out
    assert ("Local truce four-towns: government and opposition over zabadani, madaya, "
            "fua-kafraya, from 2015-09-24") in out


@pytest.mark.parametrize("truce, needle", [
    ({"ends": "2016-01-01"}, "the truce ends (2016-01-01) before the scenario starts"),
    ({"places": ["town", "post"]}, None),
])
def test_a_truce_that_can_change_nothing_is_a_warning(truce: dict, needle: str | None) -> None:
    """Ended before the start: warned, and still valid. A place of either party: no warning."""
    raw = _star(None).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["truces"] = [{**TRUCE, **truce, **A}]
    loaded = from_raw(raw)
    warned = [w.message for w in loaded.warnings if "truce" in w.message]
    assert (needle is None and not warned) or any(needle in m for m in warned), warned


def test_a_truce_between_non_enemies_or_over_a_third_partys_place_is_warned() -> None:
    raw = _star(None).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["actors"].append({"id": "kurd", "name": "Kurd", "kind": "belligerent", **A})
    raw["places"].append({**place("enclave", "kurd", {"kurd": 10.0}, lat=37.0)})
    raw["truces"] = [{"id": "t1", "parties": ["reb", "kurd"], "places": ["enclave"], **A},
                     {"id": "t2", "parties": ["gov", "reb"], "places": ["enclave"], **A}]
    warned = [w.message for w in from_raw(raw).warnings]
    assert any("'reb' and 'kurd' are not enemies" in m for m in warned), warned
    assert any("neither party holds enclave" in m for m in warned), warned
