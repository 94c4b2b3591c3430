"""An air campaign beyond fighters (issue 15, capability 7): strikes that degrade heavy
weapons, command and air defences, and a backer's veto on targets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ripeness
from ripeness.world import strikes

from .engine_scenarios import actor, build, place
from .formats import A, problems


def _raw(arms: dict[str, Any] | None, mix: dict[str, Any] | None, sorties: float = 100.0,
         no_strike: list[str] | None = None, gov: float = 600.0) -> dict[str, Any]:
    """gov (backed by 'air', ``sorties`` a day) faces the rebels' town and village on a road;
    the rebels have ``arms``; ``mix``: the shares of the sorties on their target systems."""
    actors = [actor("gov", enemies={"reb": 1.0}), actor("reb", arms=arms) if arms else
              actor("reb"), actor("air", kind="backer")]
    ps = [place("g", "gov", {"gov": gov}), place("town", "reb", {"reb": 1500}, lat=36.05,
                                                  population=20_000),
          place("vil", "reb", {"reb": 300}, lat=36.1)]
    sup = {"backer": "air", "client": "gov", "sorties_per_day": sorties, **A}
    sc = build(ps, [("g", "town"), ("town", "vil")], [("g", ["gov"]), ("vil", ["reb"])],
               actors=actors, horizon=30, support=[sup])
    raw = sc.model_dump(mode="json", by_alias=True, exclude_none=True)
    if mix is not None:
        raw["support"][0]["strikes"] = {**mix, **A}
    if no_strike is not None:
        raw["support"][0]["no_strike"] = no_strike
    return raw


def _run(raw: dict[str, Any], days: int = 12, runs: int = 2) -> ripeness.Result:
    return ripeness.simulate(ripeness.scenario.from_raw(raw).scenario, runs=runs, days=days)


HEAVY = {"heavy_weapons": 50, "heavy_fire_share": 0.6, **A}


def test_strikes_destroy_heavy_weapons_at_the_rate_per_sortie() -> None:
    """100 sorties a day on 50 heavy weapons, 0.05 destroyed a sortie: 5 a day, so a tenth of
    them a day, all gone after 10 days; the rest of the sorties fly as before."""
    res = _run(_raw(HEAVY, {"heavy_weapons": 1.0}))
    left = res.daily["arms"].sel(actor="reb", system="heavy_weapons").values
    np.testing.assert_allclose(left[:, :10], np.tile(1 - 0.1 * np.arange(1, 11), (2, 1)),
                               atol=1e-6)
    assert (left[:, 10:] == 0).all()
    # while heavy weapons are left no sortie strikes a place; then the sorties come back
    sorties = res.daily["sorties"].sum("place").values
    assert (sorties[:, :10] == 0).all() and (sorties[:, 10:] > 99).all()


def test_a_foe_without_its_heavy_weapons_fights_with_less_fire() -> None:
    """The same campaign on the same 50 weapons: where they give the rebels 60% of their fire,
    gov's assaults on them cost gov fewer men once the weapons are gone."""
    def losses(share: float) -> float:
        raw = _raw({"heavy_weapons": 50, "heavy_fire_share": share, **A},
                   {"heavy_weapons": 1.0}, gov=6000)
        return float(_run(raw, days=20, runs=4).daily["mil_dead"].sel(actor="gov")
                     .values[:, -1].mean())
    assert losses(0.6) < 0.8 * losses(0.0)
    f = strikes.fire_factor(np.array([[[0.0, 1.0, 1.0]]]),
                            type("W", (), {"arms_weight": np.array([[0.6, 0.0, 0.0]])})())
    np.testing.assert_allclose(f, [[0.4]])


def test_strikes_on_command_disrupt_it_and_it_recovers() -> None:
    """20 command posts, 100 sorties a day at 0.05 a sortie: a quarter of the command is lost
    a day; each morning 5% of what was lost is restored before the day's strikes."""
    raw = _raw({"command_posts": 20, "command_weight": 0.5, **A}, {"command": 1.0})
    c = _run(raw, days=3).daily["arms"].sel(actor="reb", system="command").values[0]
    expected, left = [], 1.0
    for _ in range(3):
        left = 1.0 - (1.0 - left) * 0.95 - 0.25
        expected.append(left)
    np.testing.assert_allclose(c, expected, atol=1e-6)  # 0.75, 0.5125, 0.286875


def test_air_defences_screen_the_sorties_until_they_are_suppressed() -> None:
    """Intact air defences with cover 0.5 let half the sorties through. Suppressing them with
    30 of 100 sorties a day: of those, the share the defences let through destroy 0.02
    systems each (of 10), and the 70 others reach their places in the same proportion."""
    plain = _run(_raw(None, None), days=3).daily["sorties"].sum("place").values
    cover = {"air_defences": 10, "air_defence_cover": 0.5, **A}
    held = _run(_raw(cover, None), days=3).daily["sorties"].sum("place").values
    np.testing.assert_allclose(held, 0.5 * plain, rtol=1e-5)
    sead = _run(_raw(cover, {"air_defences": 0.3}), days=4).daily
    ad = sead["arms"].sel(actor="reb", system="air_defences").values[0]
    through = sead["sorties"].sum("place").values[0]
    left, want_ad, want_through = 1.0, [], []
    for _ in range(4):
        let = 1.0 - 0.5 * left
        want_through.append(70 * let)
        left -= 30 * let * 0.02 / 10
        want_ad.append(left)
    np.testing.assert_allclose(ad, want_ad, rtol=1e-5)  # 0.97, 0.9391, ...
    np.testing.assert_allclose(through, want_through, rtol=1e-5)  # 35, 36.05, ...


def test_a_backers_veto_keeps_its_sorties_off_a_place_and_an_actor() -> None:
    free = _run(_raw(None, None)).daily["sorties"]
    assert free.sel(place="town").values.sum() > 0
    vetoed = _run(_raw(None, None, no_strike=["town"])).daily["sorties"]
    assert vetoed.sel(place="town").values.max() == 0
    assert vetoed.sum("place").values.min() > 99  # the sorties go elsewhere
    spared = _run(_raw(None, None, no_strike=["reb"])).daily["sorties"]
    assert spared.values.max() == 0  # the client's only enemy: nothing left to strike


def test_a_veto_can_be_imposed_on_a_date() -> None:
    raw = _raw(None, None)
    raw["events"] = [{"date": "2016-02-06", "description": "the partner vetoes the town", **A,
                      "set": {"support.air-gov.no_strike": ["town"]}}]
    town = _run(raw).daily["sorties"].sel(place="town").values
    assert town[:, :5].sum() > 0 and town[:, 5:].max() == 0


@pytest.mark.parametrize("mix, arms, needle", [
    ({"heavy_weapons": 0.7, "command": 0.5}, HEAVY, "add up to 1.2, more than all of them"),
    ({"command": 0.5}, HEAVY, "no enemy of 'gov' has command posts"),
    ({"heavy_weapons": 1.5}, HEAVY, "strikes.heavy_weapons: must be <= 1"),
    ({"heavy_weapon": 0.5}, HEAVY, "did you mean 'heavy_weapons'?"),
])
def test_misused_strikes_are_named_with_their_fix(mix: dict, arms: dict, needle: str) -> None:
    raw = _raw(arms, mix)
    got = problems(raw)
    if not got:
        got = [f"{w.location}: {w.message} | {w.fix}"
               for w in ripeness.scenario.from_raw(raw).warnings]
    assert any(needle in g for g in got), got


def test_an_unknown_target_of_a_veto_is_named() -> None:
    got = problems(_raw(None, None, no_strike=["twon"]))
    assert any("support[0].no_strike[0]: unknown place or actor 'twon'" in g
               and "did you mean 'town'?" in g for g in got), got
