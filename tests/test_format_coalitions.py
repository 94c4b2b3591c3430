"""Coalitions (issue 15, capability 1): an ally's pocket relieved through the partner's
ground; pooled sources; each member keeps its own seat and aims."""

from __future__ import annotations

import numpy as np
import pytest

import ripeness
from ripeness.scenario import Scenario
from ripeness.talks import compile_talks
from ripeness.world import supply
from ripeness.world.compile import compile_scenario

from .engine_scenarios import actor, build, place
from .formats import A, problems


def _allies(coalition: dict | None, people: float = 20_000.0) -> Scenario:
    """src (a) - mid (b) - pocket (a) - far (b), and an enemy 'e' far away who cannot reach
    them. a's only source is at src; b has none of its own. Without a coalition a's pocket
    and b's places are cut off."""
    actors = [actor("a"), actor("b"), actor("e", enemies={"a": 1.0, "b": 1.0})]
    ps = [place("src", "a", {"a": 500}), place("mid", "b", {"b": 500}, lat=36.05),
          place("pocket", "a", {"a": 500}, lat=36.1, population=people),
          place("far", "b", {"b": 500}, lat=36.15), place("x", "e", {"e": 10}, lat=37.0)]
    links = [("src", "mid"), ("mid", "pocket"), ("pocket", "far")]
    extra = {"coalitions": [coalition]} if coalition else {}
    return build(ps, links, [("src", ["a"]), ("x", ["e"])], actors=actors, horizon=30,
                 **extra)


def _supplied(sc: Scenario) -> dict[str, bool]:
    w = compile_scenario(sc)
    st = supply.structure(w.control0[None, :], w.params_on(0), w)
    return dict(zip(w.place_ids, st.supplied[0].tolist(), strict=True))


def test_an_allys_pocket_is_relieved_through_the_partners_ground() -> None:
    alone = _supplied(_allies(None))
    allied = _supplied(_allies({"id": "c", "members": ["a", "b"], **A}))
    pooled = _supplied(_allies({"id": "c", "members": ["a", "b"], "shared_sources": True, **A}))
    assert not alone["pocket"] and not alone["mid"]
    assert allied["pocket"]  # a's supply passes through b's ground
    assert not allied["mid"] and not allied["far"]  # b draws on no source of its own
    assert pooled["mid"] and pooled["far"] and pooled["pocket"]  # b draws on a's source


def test_the_relieved_pocket_keeps_its_people_and_its_stocks() -> None:
    """Over 30 days the pocket's people die of the siege and its stocks run down only
    without the coalition."""
    cut = ripeness.simulate(_allies(None), runs=2, days=30).daily.sel(place="pocket")
    fed = ripeness.simulate(_allies({"id": "c", "members": ["a", "b"], **A}), runs=2,
                            days=30).daily.sel(place="pocket")
    assert cut["killed"].values[:, -1].min() > 0 and not cut["supplied"].values.any()
    assert fed["killed"].values.max() == 0 and fed["supplied"].values.all()
    assert fed["besieged"].values.max() == 0


def test_members_keep_their_own_seats_and_aims() -> None:
    sc = _allies({"id": "c", "members": ["a", "b"], **A})
    raw = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["actors"].append({"id": "un", "name": "UN", "kind": "mediator"})
    raw["actors"][1]["objective"] = {"kind": "limited", "hold": ["far"], **A}
    raw["talks"] = {"mediator": "un", "parties": ["a", "b", "e"], "opens": "2016-02-01",
                    "pause_days": 3, "suspend_after": 2, "escalation": 0.5,
                    "estimate_noise": 0, "forecast_horizon_days": 10, **A}
    sc = ripeness.scenario.from_raw(raw).scenario
    spec = compile_talks(sc)
    assert spec is not None and spec.party_ids == ("a", "b", "e")
    w = compile_scenario(sc)
    assert w.aim_hold[w.actor_ids.index("b")].sum() == 1
    assert not w.aim_hold[w.actor_ids.index("a")].any()
    shares = ripeness.simulate(sc, runs=1, days=2).daily["share"].values[0, -1]
    assert np.all(shares > 0)  # each member has its own share of the stake


def test_validate_warns_of_a_siege_only_where_allies_do_not_relieve_it() -> None:
    raw_alone = _allies(None).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw_allied = dict(raw_alone, coalitions=[{"id": "c", "members": ["a", "b"], **A}])
    warn_alone = [w.message for w in ripeness.scenario.from_raw(raw_alone).warnings]
    warn_allied = [w.message for w in ripeness.scenario.from_raw(raw_allied).warnings]
    assert any("a holds places" in m and "pocket" in m for m in warn_alone)
    assert not any("a holds places" in m for m in warn_allied)
    assert any("b holds places" in m and "its allies'" in m for m in warn_allied)


@pytest.mark.parametrize("coalition, needle", [
    ({"id": "c", "members": ["a", "zz"]}, "coalitions[0](c).members: unknown belligerent 'zz'"),
    ({"id": "c", "members": ["a"]}, "coalitions[0](c).members: List should have at least 2"),
    ({"id": "c", "members": ["a", "a"]}, "a member is listed twice"),
    ({"id": "c", "members": ["a", "e"]}, "'e' lists 'a' among its enemies, but coalition 'c' "
     "makes them allies | remove 'a' from the enemies of 'e', or one of them"),
    ({"id": "c", "memebrs": ["a", "b"]}, "did you mean 'members'?"),
])
def test_misused_coalitions_are_named_with_their_fix(coalition: dict, needle: str) -> None:
    raw = _allies(None).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["coalitions"] = [{**coalition, **A}]
    got = problems(raw)
    assert any(needle in g for g in got), got
