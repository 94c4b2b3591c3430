"""Supply that carries arms only or food only (issue 15, capability 8): a humanitarian-only
border keeps civilians fed and the garrison short of ammunition; a patron cutting arms but not
food on a date."""

from __future__ import annotations

import pytest

import ripeness

from .engine_scenarios import actor, build, place
from .formats import A, problems


def _town(carries: str = "all", events: list | None = None, runs: int = 2) -> ripeness.Result:
    """A rebel town of 30,000 between a government village and a border crossing, the rebels'
    only source; the crossing carries ``carries``. Nobody fights (the two are not enemies):
    the town is cut off from everything but the border. A patron's aid: 20 fighters a day
    through the rebels' own sources."""
    actors = [actor("gov"), actor("reb"), actor("pat", kind="backer")]
    ps = [place("g", "gov", {"gov": 300}), place("town", "reb", {"reb": 2000}, lat=36.05,
                                                  population=30_000, fortification=0.9),
          place("border", "reb", {"reb": 100}, lat=36.1)]
    sc = build(ps, [("g", "town"), ("town", "border")], [("g", ["gov"])], actors=actors,
               horizon=60, support=[{"backer": "pat", "client": "reb", "fighters_per_day": 20,
                                     **A}])
    raw = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["supply"].append({"place": "border", "actors": ["reb"], "carries": carries, **A})
    raw["events"] = events or []
    return ripeness.simulate(ripeness.scenario.from_raw(raw).scenario, runs=runs, days=60)


def test_a_humanitarian_only_border_feeds_the_civilians_but_not_the_garrison() -> None:
    runs = {k: _town(k).daily for k in ("all", "humanitarian", "arms")}
    town = {k: d.sel(place="town") for k, d in runs.items()}
    # civilians: fed unless the border carries arms only
    assert town["all"]["besieged"].values.max() == 0
    assert town["humanitarian"]["besieged"].values.max() == 0
    assert town["arms"]["besieged"].values[:, -1].min() > 0
    assert town["humanitarian"]["killed"].values.max() == 0
    assert town["arms"]["killed"].values[:, -1].min() > 0
    # the garrison: short of ammunition and reinforcement unless arms pass
    assert town["all"]["supplied"].values.all() and town["arms"]["supplied"].values.all()
    assert not town["humanitarian"]["supplied"].values.any()
    reb = {k: d["force"].sel(actor="reb").sum("place").values[:, -1] for k, d in runs.items()}
    assert (reb["humanitarian"] < 2100).all()  # no aid, no recruits: the siege wears it down
    assert (reb["all"] > 2100 + 59 * 20).all() and (reb["arms"] > 2100 + 59 * 20).all()


def test_a_patron_cutting_arms_but_not_food_on_a_date() -> None:
    cut = [{"date": "2016-02-21", "description": "the patron lets only food through",
            "set": {"supply.border.carries": "humanitarian"}, **A}]
    d = _town("all", cut).daily.sel(place="town")
    sup = d["supplied"].values
    assert sup[:, :19].all() and not sup[:, 20:].any()
    assert d["besieged"].values.max() == 0  # the civilians are still fed


def _carries(value: object) -> list[str]:
    raw = {"meta": {"name": "t", "title": "t", "start": "2016-02-01", "horizon_days": 5},
           "actors": [actor("gov")], "places": [place("g", "gov", {"gov": 1})],
           "supply": [{"place": "g", "actors": ["gov"], "carries": value, **A}]}
    return problems(raw)


@pytest.mark.parametrize("value", ["food", "Humanitarian", 1])
def test_a_wrong_cargo_is_named_with_the_allowed_ones(value: object) -> None:
    got = _carries(value)
    assert any("supply[0].carries: must be one of 'all', 'humanitarian' or 'arms'" in g
               for g in got), got


def test_validate_warns_that_a_humanitarian_source_leaves_the_garrison_besieged() -> None:
    raw = {"meta": {"name": "t", "title": "t", "start": "2016-02-01", "horizon_days": 5},
           "actors": [actor("gov")], "places": [place("g", "gov", {"gov": 1})],
           "supply": [{"place": "g", "actors": ["gov"], "carries": "humanitarian", **A}]}
    warnings = [w.message for w in ripeness.scenario.from_raw(raw).warnings]
    assert any("besieged from day 0" in w for w in warnings)
