"""Dated changes of forces (issue 15, capability 3): a mobilisation, a contingent withdrawn, a
foreign force arriving and a unit changing sides, each on its date."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ripeness

from .engine_scenarios import actor, build, line, place
from .formats import A, problems

DAY3 = "2016-02-04"  # day 3 of scenarios starting 2016-02-01


def _quiet_raw(forces: list[dict[str, Any]]) -> dict[str, Any]:
    """Three places of 'a' and one of 'b' on a road, at peace (no enemies), no recruits: every
    change of forces can be counted exactly."""
    ps = [place("a0", "a", {"a": 1000}), place("a1", "a", {"a": 1000}, lat=36.05),
          place("a2", "a", {"a": 1000}, lat=36.1), place("b0", "b", {"b": 1000}, lat=36.15)]
    sc = build(ps, [("a0", "a1"), ("a1", "a2"), ("a2", "b0")],
               [("a0", ["a"]), ("b0", ["b"])], actors=[actor("a"), actor("b")],
               parameters={"recruit_rate": 0.0, **A})
    raw = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["events"] = [{"date": DAY3, "description": "change", "forces": forces, **A}]
    return raw


def _quiet(forces: list[dict[str, Any]], runs: int = 2) -> ripeness.Result:
    sc = ripeness.scenario.from_raw(_quiet_raw(forces)).scenario
    return ripeness.simulate(sc, runs=runs, days=6)


def _total(res: ripeness.Result, who: str) -> np.ndarray:
    return res.daily["force"].sel(actor=who).sum("place").values


def test_a_foreign_force_arrives_on_its_date() -> None:
    res = _quiet([{"kind": "arrive", "actor": "a", "place": "a1", "fighters": 2500, **A}])
    a = _total(res, "a")
    np.testing.assert_allclose(a[:, :3], 3000)
    np.testing.assert_allclose(a[:, 3:], 5500)
    assert res.daily["force"].sel(actor="a", place="a1").values[0, 3] >= 2500


def test_a_force_for_a_place_its_side_does_not_hold_lands_at_the_nearest_own_place() -> None:
    res = _quiet([{"kind": "arrive", "actor": "a", "place": "b0", "fighters": 700, **A}])
    np.testing.assert_allclose(_total(res, "a")[:, 3:], 3700)
    assert res.daily["force"].sel(actor="a", place="b0").values.max() == 0
    a2 = res.daily["force"].sel(actor="a", place="a2").values
    assert (a2[:, 3] > a2[:, 2] + 350).all()  # landed there (some then move on the same day)


def test_a_mobilisation_and_a_withdrawal() -> None:
    res = _quiet([{"kind": "arrive", "actor": "b", "place": "b0", "fighters": 4000, **A},
                  {"kind": "leave", "actor": "a", "share": 0.5, **A}])
    np.testing.assert_allclose(_total(res, "b")[:, 3:], 5000)
    np.testing.assert_allclose(_total(res, "a")[:, 3:], 1500)
    assert res.daily["mil_dead"].values.max() == 0  # they left: nobody died


def test_a_garrison_that_goes_over_takes_its_town_with_it() -> None:
    res = _quiet([{"kind": "defect", "actor": "a", "place": "a2", "share": 1.0, "to": "b", **A}])
    ctl = res.daily["control"].sel(place="a2").values
    b = res.daily.actor.values.tolist().index("b")
    assert (ctl[:, :3] != b).all() and (ctl[:, 3:] == b).all()
    np.testing.assert_allclose(_total(res, "b")[:, 3:], 2000)
    np.testing.assert_allclose(_total(res, "a")[:, 3:], 2000)
    ev = res.events[res.events["place"] == "a2"]
    assert ev["day"].tolist() == [3, 3] and set(ev["actor"]) == {"b"}


def test_a_minority_that_defects_leaves_the_town_to_its_holder() -> None:
    res = _quiet([{"kind": "defect", "actor": "a", "place": "a2", "fighters": 300, "to": "b",
                   **A}])
    a = res.daily.actor.values.tolist().index("a")
    assert (res.daily["control"].sel(place="a2").values == a).all()
    np.testing.assert_allclose(_total(res, "b")[:, 3:], 1300)  # the 300 go home to b0
    np.testing.assert_allclose(_total(res, "a")[:, 3:], 2700)


def test_forces_arriving_on_a_date_change_the_war() -> None:
    """Two equal sides on a road do not attack each other; 5,000 fighters arriving on day 3
    at the government's front make it attack, in every run and from that day only, and take
    the rebels' places in some runs within 20 days."""
    plain = line(4, 2, horizon=20)
    raw = plain.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["events"] = [{"date": DAY3, "description": "a foreign force lands", **A,
                      "forces": [{"kind": "arrive", "actor": "gov", "place": "p1",
                                  "fighters": 5000, **A}]}]
    reinforced = ripeness.scenario.from_raw(raw).scenario
    before = ripeness.simulate(plain, runs=4, days=20)
    after = ripeness.simulate(reinforced, runs=4, days=20)
    assert np.isnan(before.daily["attacker"].values).all() and before.events.empty
    attacked = ~np.isnan(after.daily["attacker"].values).all(axis=2)  # [run, day]
    assert not attacked[:, :3].any() and attacked[:, 3].all()
    took = after.events[(after.events["kind"] == "captured") & (after.events["actor"] == "gov")]
    assert len(set(took["run"])) >= 2


def test_a_what_if_can_switch_a_change_of_forces_off() -> None:
    plain = line(4, 2, horizon=12)
    raw = plain.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["events"] = [{"id": "landing", "date": DAY3, "description": "a force lands", **A,
                      "forces": [{"kind": "arrive", "actor": "gov", "place": "p1",
                                  "fighters": 3000, **A}]}]
    raw["whatifs"] = {"no-landing": {"description": "no landing",
                                     "set": {"events.landing.enabled": False}}}
    loaded = ripeness.scenario.variant(ripeness.scenario.from_raw(raw), "no-landing")
    assert ripeness.simulate(loaded, runs=2, days=12).events.empty


@pytest.mark.parametrize("change, needle", [
    ({"kind": "arrive", "actor": "a", "place": "a1"}, "fighters arriving need a place and a "
     "number | give `place` and `fighters`"),
    ({"kind": "arrive", "actor": "zz", "place": "a1", "fighters": 5}, "forces[0].actor: "
     "unknown belligerent 'zz'"),
    ({"kind": "leave", "actor": "a"}, "leave: give either `fighters` or `share`, not neither"),
    ({"kind": "leave", "actor": "a", "fighters": 5, "share": 0.5}, "not both"),
    ({"kind": "leave", "actor": "a", "fighters": 5}, "a number of fighters needs a place"),
    ({"kind": "defect", "actor": "a", "share": 1.0}, "defect: `to` is missing"),
    ({"kind": "defect", "actor": "a", "share": 1.0, "to": "a"}, "cannot defect to their own"),
    ({"kind": "leave", "actor": "a", "share": 1.5}, "forces[0].share: must be <= 1, got 1.5 "
     "| use a value from 0 to 1"),
    ({"kind": "go", "actor": "a", "share": 0.5}, "must be one of 'arrive', 'leave' or "
     "'defect'"),
    ({"kind": "arrive", "actor": "a", "place": "a22", "fighters": 5}, "unknown place 'a22' | "
     "did you mean 'a2'?"),
])
def test_misused_changes_of_forces_are_named_with_their_fix(change: dict, needle: str) -> None:
    got = problems(_quiet_raw([{**change, **A}]))
    assert any(needle in g for g in got), got


def test_an_event_that_changes_nothing_is_refused() -> None:
    raw = line(3, 1).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["events"] = [{"date": DAY3, "description": "nothing", **A}]
    assert any("the event changes nothing" in g for g in problems(raw))
