"""Properties of the talks' building blocks beyond the theory vectors."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ripeness.talks.bargaining import TIE, accepts, bargaining_range, is_ripe, required_share
from ripeness.talks.beliefs import forecast_share
from ripeness.talks.protocols import alternating_split, nash_split, split_surplus

unit = st.floats(0.0, 0.45)
expo = st.floats(0.3, 1.0)


@settings(max_examples=60, deadline=None)
@given(d=st.tuples(unit, unit), a=st.tuples(expo, expo), w=st.floats(0.1, 0.9))
def test_nash_two_party_and_general_solvers_agree(d: tuple[float, float],
                                                  a: tuple[float, float], w: float) -> None:
    """The two-party bisection and the K-party nested bisection (with a third, weightless
    party that accepts anything) find the same split, inside the range."""
    two = nash_split(np.array(d), [w, 1 - w], a)
    three = nash_split(np.array([*d, -1.0]), [w, 1 - w, 1e-12], [*a, 1.0])
    np.testing.assert_allclose(three[:2], two, atol=1e-7)
    assert (two >= required_share(np.array(d), a) - 1e-9).all()


@given(s=st.lists(st.floats(0.0, 0.4), min_size=3, max_size=5))
def test_k_party_range_and_split(s: list[float]) -> None:
    req = np.array(s)
    rng = bargaining_range(req)
    assert rng.exists == (req.sum() <= 1.0 + TIE)
    np.testing.assert_allclose(rng.high - rng.low, rng.width, atol=1e-12)
    offer = split_surplus(req)
    assert abs(offer.sum() - 1.0) < 1e-12
    assert (accepts(offer, req) == rng.exists).all()  # ties accept, as in the engine


@given(da=st.floats(0.0, 0.99), db=st.floats(0.0, 0.99), wa=unit, wb=unit)
def test_alternating_offers_respect_outside_options(da: float, db: float, wa: float,
                                                    wb: float) -> None:
    """In equilibrium each responder gets at least its war payoff."""
    eq = alternating_split(da, db, wa, wb)
    assert 1 - eq.x >= wb - 1e-9 and eq.y >= wa - 1e-9


def test_ripeness_grows_with_pain_and_stalemate() -> None:
    base = is_ripe(0.95, 0.5, [0.8, 0.8], [0.005, 0.005])
    assert not base.ripe
    assert is_ripe(0.95, 0.5, [0.8, 0.8], [0.15, 0.15]).ripe  # hurting
    assert is_ripe(0.95, 0.05, [0.8, 0.8], [0.005, 0.005]).ripe  # stalemate


def test_forecast_extrapolates_trend_and_bias() -> None:
    f = forecast_share(np.array([0.5, 0.5]), np.array([0.01, -0.01]), np.array([0.1, 0.0]), 30)
    np.testing.assert_allclose(f, [0.9, 0.2])
