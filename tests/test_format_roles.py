"""Actors with several roles (issue 15, capability 2): a backer that mediates, a patron that
speaks for its client at the table, a backer whose own troops hold ground."""

from __future__ import annotations

import numpy as np
import pytest

import ripeness
from ripeness.coupling import OUTCOMES
from ripeness.params import registry
from ripeness.world.compile import compile_scenario

from .engine_scenarios import actor, build, place
from .formats import A, backer, problems, scenario, two_place


def _patron(raw: dict, **kw: object) -> dict:
    """Adds backer 'p' supporting party 'a' (no aircraft, no fighters)."""
    raw["actors"].append(backer("p", **kw))
    raw["support"] = [{"backer": "p", "client": "a", **A}]
    return raw


def _costly(raw: dict) -> dict:
    raw["parameters"]["front_cost"] = 0.005  # holding the front hurts: pressure matters
    return raw


def test_a_backer_that_mediates_presses_its_client_at_every_session() -> None:
    """The same backer as mediator (roles = ["mediator"]) uses its leverage: its client is
    pressed from the first session, so the client's felt cost, and only the client's, rises
    by ``backer_pressure`` against the same war with the UN mediating."""
    plain = _costly(_patron(two_place()))
    mediating = _costly(_patron(two_place(mediator="p"), roles=["mediator"]))
    a = ripeness.simulate(scenario(plain), runs=1, days=6).sessions.set_index("day")
    b = ripeness.simulate(scenario(mediating), runs=1, days=6).sessions.set_index("day")
    assert not a["pressed[p-a]"].any()
    assert b["pressed[p-a]"].all()
    later = b.index[b.index > b.index[0]]  # pressure is felt from the day after the first
    pressure = registry()["backer_pressure"].default
    np.testing.assert_allclose(b.loc[later, "cost[a]"], pressure * a.loc[later, "cost[a]"])
    np.testing.assert_allclose(b.loc[later, "cost[b]"], a.loc[later, "cost[b]"])
    assert (b.loc[later, "reservation[a]"] < a.loc[later, "reservation[a]"]).all()


def test_a_sponsor_of_the_talks_uses_the_same_leverage() -> None:
    raw = _costly(_patron(two_place(sponsors=["p"]), roles=["mediator"]))
    s = ripeness.simulate(scenario(raw), runs=1, days=4).sessions
    assert s["pressed[p-a]"].all()


def test_a_patron_speaking_for_its_client_bargains_with_its_own_view() -> None:
    """A is optimistic by 0.1, B not: reservations 0.85 + 0.25 leave no range, and the war
    (which neither side can fight) goes on. With A's seat held by its patron, who is not
    optimistic, the reservations fill the stake exactly and the first proposal settles it."""
    def war(**talks: object) -> ripeness.Result:
        raw = _patron(two_place(**talks), params={"optimism": 0.0})
        raw["actors"][1]["params"]["optimism"] = 0.0
        return ripeness.simulate(scenario(raw), runs=1, days=8)

    alone, spoken = war(), war(seats={"a": "p"})
    assert OUTCOMES[int(alone.daily["outcome"].values[0])] == "ongoing"
    assert OUTCOMES[int(spoken.daily["outcome"].values[0])] == "settlement"
    np.testing.assert_allclose(spoken.daily["terms"].values[0], [0.75, 0.25])


def _troops() -> ripeness.Scenario:
    """gov - rebel village - a town held by backer 'p''s own troops (roles = belligerent),
    fed by its own source; the rebels are hostile to both."""
    actors = [actor("gov", enemies={"reb": 1.0}), actor("reb"),
              actor("p", kind="backer", roles=["belligerent"], enemies={"reb": 1.0})]
    ps = [place("g", "gov", {"gov": 500}), place("r", "reb", {"reb": 3000}, lat=36.05),
          place("t", "p", {"p": 400}, lat=36.1, population=50_000)]
    return build(ps, [("g", "r"), ("r", "t")], [("g", ["gov"]), ("r", ["reb"]), ("t", ["p"])],
                 actors=actors, horizon=20,
                 support=[{"backer": "p", "client": "gov", "fighters_per_day": 10, **A}])


def test_a_backers_own_troops_hold_ground_and_fight() -> None:
    sc = _troops()
    w = compile_scenario(sc)
    p = w.actor_ids.index("p")
    assert w.belligerent[p] and not w.recruits[p]
    assert w.force0[w.place_ids.index("t"), p] == 400  # its own, not folded into a client's
    res = ripeness.simulate(sc, runs=4, seed=1, days=20)
    force = res.daily["force"].sel(actor="p").sum("place").values
    assert (res.daily["attacker"].sel(place="t").values == w.actor_ids.index("reb")).any()
    assert res.daily["mil_dead"].sel(actor="p").values[:, -1].max() > 0  # it fought
    assert (np.diff(force, axis=1) <= 1e-6).all()  # it raises no army from the town's people
    # and it still backs gov: its fighters for gov land at gov's source
    assert w.params_on(0).fighters.tolist() == [10.0] and w.support_backer.tolist() == [p]


@pytest.mark.parametrize("change, needle", [
    (lambda r: r["support"].append({"backer": "a", "client": "b", **A}),
     "support[1].backer: 'a' is a belligerent, not a backer | name an actor of kind = "
     "\"backer\", or add \"backer\" to the roles of 'a'"),
    (lambda r: r["talks"].update(mediator="a"), "talks.mediator: 'a' is a belligerent, not a "
     "mediator"),
    (lambda r: r["actors"][0].update(roles=["belligerent"]),
     "actors[0](a).roles: 'belligerent' is already the kind of 'a'"),
    (lambda r: r["actors"][0].update(roles=["mediater"]), "actors[0](a).roles[0]: must be "
     "one of 'belligerent', 'backer' or 'mediator'"),
    (lambda r: r["talks"].update(sponsors=["un"]), "talks.sponsors: 'un' is the mediator"),
    (lambda r: r["talks"].update(sponsors=["p"]), "talks.sponsors: 'p' is a backer, not a "
     "mediator"),
    (lambda r: r["talks"].update(seats={"a": "un"}), "talks.seats.a: 'un' does not back 'a'"),
    (lambda r: r["talks"].update(seats={"c": "p"}), "talks.seats.c: unknown party of the "
     "talks 'c'"),
])
def test_misused_roles_are_named_with_their_fix(change, needle: str) -> None:
    raw = _patron(two_place())
    change(raw)
    got = problems(raw)
    assert any(needle in g for g in got), got
