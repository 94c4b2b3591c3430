"""Settlements as lines on the map (issue 15, capability 6): a territorial issue, and terms
that redraw the map."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import ripeness
from ripeness.coupling import OUTCOMES
from ripeness.engine import init
from ripeness.settlement import compile_terms, redraw
from ripeness.talks import compile_talks, talks_init
from ripeness.talks.state import SETTLED
from ripeness.world.compile import compile_scenario

from .engine_scenarios import actor, build, place
from .formats import A, problems


def _line(terms: str = "map", issues: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """a0 - a1 - a2 - b0 - b1 - b2, each worth 1, held by 'a' and 'b' with equal garrisons
    that cannot attack (a 4:1 threshold); neither side optimistic: shares and reservations
    are 1/2 each, so the talks settle on the first proposal."""
    ps = [place(f"{s}{i}", s, {s: 500}, lat=36.0 + 0.05 * (3 * (s == "b") + i))
          for s in "ab" for i in range(3)]
    sc = build(ps, [("a0", "a1"), ("a1", "a2"), ("a2", "b0"), ("b0", "b1"), ("b1", "b2")],
               [("a0", ["a"]), ("b2", ["b"])],
               actors=[actor("a", enemies={"b": 1.0}), actor("b"),
                       {"id": "un", "name": "UN", "kind": "mediator"}],
               parameters={"attack_threshold": 4.0, "optimism": 0.0, "battle_optimism": 0.0,
                           "front_cost": 0.0, **A})
    raw = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["talks"] = {"mediator": "un", "parties": ["a", "b"], "opens": "2016-02-01",
                    "hearings": 1, "pause_days": 3, "suspend_after": 2, "escalation": 0.5,
                    "estimate_noise": 0, "forecast_horizon_days": 10, "terms": terms, **A}
    raw["issues"] = issues or []
    return raw


#: b demands a's border village a2, as a condition of any deal.
A2 = {"id": "a2-to-b", "title": "a2 goes to b", "demanded_by": "b", "places": ["a2"],
      "indivisible": ["b"], **A}


def test_a_territorial_issue_is_worth_its_places_share_of_the_stake() -> None:
    spec = compile_talks(ripeness.scenario.from_raw(_line(issues=[A2])).scenario)
    assert spec is not None
    np.testing.assert_allclose(spec.issue_value, [[1 / 6, 1 / 6]])


def test_a_settlement_whose_terms_redraw_the_map() -> None:
    """b gets a2 by the issue (a needs 1/2 + 1/6 for it, b 1/2 - 1/6: the terms are 2/3 and
    1/3), and of the five places left a must hold 2/3: it gets b0 in exchange, the place that
    brings both nearest their terms. The deal is struck on day 1 (after a hearing)."""
    res = ripeness.simulate(ripeness.scenario.from_raw(_line(issues=[A2])).scenario,
                            runs=2, days=4)
    d = res.daily
    assert OUTCOMES[int(d["outcome"].values[0])] == "settlement"
    assert int(d["settled_day"].values[0]) == 1
    np.testing.assert_allclose(d["terms"].values[0], [2 / 3, 1 / 3])
    ids = d.actor.values.tolist()
    after = [ids[i] for i in d["control"].values[0, 1]]
    assert after == ["a", "a", "b", "a", "b", "b"]  # a2 to b, b0 to a: a trade
    before = [ids[i] for i in d["control"].values[0, 0]]
    assert before == ["a", "a", "a", "b", "b", "b"]
    assert d["ceded"].sel(run=0).values.tolist() == [False, False, True, True, False, False]
    ev = res.events[res.events["run"] == 0]
    assert sorted(zip(ev["kind"], ev["place"], ev["actor"], strict=True)) == [
        ("ceded", "a2", "b"), ("ceded", "b0", "a")]
    assert (d["force"].sel(place="a2", actor="a").values[:, 1:] == 0).all()  # a withdrew
    assert (d["control"].values[:, -1] == d["control"].values[:, 1]).all()  # and it holds


def test_with_terms_as_shares_the_map_stays_and_validate_warns() -> None:
    raw = _line(terms="shares", issues=[A2])
    loaded = ripeness.scenario.from_raw(raw)
    assert any("terms are shares only" in w.message for w in loaded.warnings)
    res = ripeness.simulate(loaded.scenario, runs=1, days=4)
    assert int(res.daily["settled_day"].values[0]) == 1
    assert res.events.empty and "ceded" not in res.daily


@pytest.mark.parametrize("terms, held", [
    ((0.5, 0.5), "aaabbb"), ((2 / 3, 1 / 3), "aaaabb"), ((5 / 6, 1 / 6), "aaaaab"),
    ((0.6, 0.4), "aaaabb"), ((0.55, 0.45), "aaabbb"), ((0.2, 0.8), "abbbbb")])
def test_the_line_moves_until_each_party_holds_its_terms(terms: tuple[float, float],
                                                         held: str) -> None:
    """Places move across the line, the nearest to the front first, while a move brings the
    parties closer to their settled shares (six places of equal weight)."""
    sc = ripeness.scenario.from_raw(_line()).scenario
    world, spec = compile_scenario(sc), compile_talks(sc)
    terms_ = compile_terms(sc)
    assert spec is not None and terms_ is not None
    war = init(world, 1, 0)
    before = talks_init(spec, 1)
    after = replace(before, phase=np.full(1, SETTLED, dtype=np.int8),
                    terms=np.array([terms]))
    new, ceded = redraw(war, before, after, spec, terms_, world, world.params_on(0))
    got = "".join(world.actor_ids[i] for i in new.control[0])
    assert got == held
    assert ceded[0].tolist() == [a != b for a, b in zip(got, "aaabbb", strict=True)]
    assert new.supplied[0].all()  # the supply of the new map


@pytest.mark.parametrize("change, needle", [
    (lambda r: r["issues"][0].update(places=["a9x"]), "issues[0](a2-to-b).places[0]: unknown "
     "place 'a9x'"),
    (lambda r: r["talks"].update(terms="land"), "talks.terms: must be one of 'shares' or "
     "'map'"),
])
def test_misused_terms_are_named_with_their_fix(change: Any, needle: str) -> None:
    raw = _line(issues=[dict(A2)])
    change(raw)
    got = problems(raw)
    assert any(needle in g for g in got), got
