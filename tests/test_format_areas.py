"""Areas (issue 15, capability 5): a territorial stake weighs places by their area."""

from __future__ import annotations

import numpy as np

import ripeness

from .formats import problems, scenario, two_place


def _areas(basis: str, west: float | None = 100.0, east: float | None = 300.0) -> dict:
    raw = two_place()
    for p, km2 in zip(raw["places"], (west, east), strict=True):
        if km2 is not None:
            p["area_km2"] = km2
    raw["stake"] = {"basis": basis, "assumption": "test"}
    return raw


def test_a_territorial_stake_weighs_places_by_area() -> None:
    """West (value 3, 100 km2) is held by a, east (value 1, 300 km2) by b: by value a holds
    three quarters of the stake, by area one quarter; the talks bargain over that."""
    by_value = ripeness.simulate(scenario(_areas("value")), runs=1, days=3).sessions
    by_area = ripeness.simulate(scenario(_areas("area")), runs=1, days=3).sessions
    np.testing.assert_allclose(by_value["share[a]"], 0.75)
    np.testing.assert_allclose(by_area["share[a]"], 0.25)
    np.testing.assert_allclose(by_area["reservation[b]"], 0.75 + 0.1)  # share + optimism


def test_a_territorial_stake_needs_every_area() -> None:
    got = problems(_areas("area", east=None))
    assert any("stake.basis: a territorial stake" in g and "1 place has none: east" in g
               and "give each place an `area_km2`" in g for g in got), got
    got = problems(_areas("area", west=0.0, east=0.0))
    assert any("every place has area 0" in g for g in got), got
    assert problems(_areas("value", east=None)) == []  # areas are optional otherwise


def test_an_area_out_of_range_is_named_with_its_range() -> None:
    got = problems(_areas("area", east=3e7))
    assert any("places[1](east).area_km2: must be <= 2e+07" in g and "largest country" in g
               for g in got), got
