"""The bargaining range: reservations, required shares, the range, acceptance and ripeness.

Every function is pure and vectorised: arrays broadcast, the last axis (where there is one) is
the party axis K. Shares are in stake units (the whole stake is 1); utilities are u(x) = x^a
(CRRA, a = 1 risk neutral), normalised so that u(0) = 0 and u(1) = 1 (Fearon 1995).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "TIE",
    "Range",
    "Ripeness",
    "accepts",
    "bargaining_range",
    "continuation_values",
    "is_ripe",
    "required_share",
    "reservation",
]

Array = NDArray[np.float64]

#: Ties go to peace: a demand within TIE of the offer (or of the stake) is met. Boundary cases
#: of the theory vectors are exact in floating point; TIE absorbs rounding elsewhere.
TIE = 1e-12


def reservation(
    forecast: ArrayLike,
    value_factor: ArrayLike,
    cost: ArrayLike,
    issue_value: ArrayLike = 0.0,
    peace_after: ArrayLike = 0.0,
) -> Array:
    """A party's value of fighting on, the least it takes in a deal (utility of the stake).

    ``r = value_factor * forecast - cost + issue_value - peace_after``.

    forecast: the share of the stake the party expects to hold (or win) by fighting.
    value_factor: how a share held later is valued now; ``discount**H`` in the engine, where a
    deal fixes shares for good; a present-value factor (``1 + δ``, ``1/(1 - δ)``) in flow models.
    cost: expected cost of fighting, stake units. issue_value: what the party expects to gain on
    binary issues by fighting. peace_after: the discounted value of a peaceful future the party
    keeps only by settling now (Powell's later-period shares); 0 in the engine.
    """
    f = np.asarray(forecast, dtype=float)
    return np.asarray(
        np.asarray(value_factor) * f - np.asarray(cost) + np.asarray(issue_value)
        - np.asarray(peace_after),
        dtype=float,
    )


def required_share(
    r: ArrayLike, exponent: ArrayLike = 1.0, refused: ArrayLike = False
) -> Array:
    """The share a party needs to prefer a deal to fighting: ``u⁻¹(r) = max(r, 0)**(1/a)``.

    A party whose war payoff is negative accepts any share (0). ``refused`` (an indivisible
    issue settled the wrong way) makes the requirement infinite.
    """
    r_pos = np.maximum(np.asarray(r, dtype=float), 0.0)
    s = r_pos ** (1.0 / np.asarray(exponent, dtype=float))
    return np.where(np.asarray(refused, dtype=bool), np.inf, s)


def accepts(offer: ArrayLike, required: ArrayLike) -> NDArray[np.bool_]:
    """A party accepts iff the offered share meets its required share (ties accept)."""
    return np.asarray(np.asarray(offer) >= np.asarray(required) - TIE)


class Range(NamedTuple):
    """The bargaining range for K parties, from their required shares.

    low: float[..., K], the least share each party accepts; high: float[..., K], the most it
    can get while every other party gets its least; width: float[...], the stake left over
    once every party has its least (``1 - sum(required)``; negative: no deal);
    exists: bool[...]. For two parties the range of A's share is Fearon's [low[0], high[0]].
    """

    low: Array
    high: Array
    width: Array
    exists: NDArray[np.bool_]


def bargaining_range(required: ArrayLike) -> Range:
    """The range of deals that every party prefers to war: exists iff sum(required) <= 1."""
    s = np.asarray(required, dtype=float)
    finite = np.isfinite(s)
    s0 = np.where(finite, s, 0.0)
    need = s0.sum(axis=-1)
    n_inf = (~finite).sum(axis=-1)
    others = need[..., None] - s0
    others_inf = (n_inf[..., None] - (~finite)) > 0
    high = np.where(others_inf, -np.inf, 1.0 - others)
    width = np.where(n_inf > 0, -np.inf, 1.0 - need)
    return Range(low=s, high=np.minimum(high, 1.0), width=width, exists=width >= -TIE)


def continuation_values(
    delta: ArrayLike, decisiveness: ArrayLike, p_own: ArrayLike, daily_cost: ArrayLike
) -> Array:
    """Each party's value of a stationary war of attrition, stake units (REFERENCE §7).

    Each period a party pays ``daily_cost``; with probability ``decisiveness`` the war is
    decided at the end of the period and the party wins the stake with its believed
    probability ``p_own``; outcomes are discounted by ``delta``:
    ``V = (δ h p - k) / (1 - δ (1 - h))``.
    """
    d = np.asarray(delta, dtype=float)
    h = np.asarray(decisiveness, dtype=float)
    return np.asarray(
        (d * h * np.asarray(p_own) - np.asarray(daily_cost)) / (1.0 - d * (1.0 - h)),
        dtype=float,
    )


class Ripeness(NamedTuple):
    """Zartman's ripeness in bargaining terms (REFERENCE §7); arrays over the leading axes.

    values: float[..., K] continuation values V_i; optimism: δh(Σp − 1), the optimism gap
    times decisiveness; pain: (1 − δ) + Σk; margin: pain − optimism (>= 0: ripe); ripe: bool;
    low/high: float[..., K] the settlement interval (meaningful only where ripe).
    """

    values: Array
    optimism: Array
    pain: Array
    margin: Array
    ripe: NDArray[np.bool_]
    low: Array
    high: Array


def is_ripe(
    delta: ArrayLike, decisiveness: ArrayLike, p_own: ArrayLike, daily_cost: ArrayLike
) -> Ripeness:
    """Ripe iff a settlement exists that every party, by its own beliefs, prefers to fighting.

    ``p_own[..., K]``: each party's believed probability of winning the stake (for two parties
    B's is 1 − p_B of the reference). ripe ⇔ ΣV ≤ 1 ⇔ δh(p_A − p_B) ≤ (1 − δ) + k_A + k_B.
    With per-party δ or h the margin uses their mean (equal values: the reference's formula).
    """
    p = np.asarray(p_own, dtype=float)
    k = np.asarray(daily_cost, dtype=float)
    d = np.broadcast_to(np.asarray(delta, dtype=float), p.shape)
    h = np.broadcast_to(np.asarray(decisiveness, dtype=float), p.shape)
    v = continuation_values(d, h, p, k)
    scale = (1.0 - d * (1.0 - h)).mean(axis=-1)
    margin = (1.0 - v.sum(axis=-1)) * scale
    optimism = (d * h).mean(axis=-1) * (p.sum(axis=-1) - 1.0)
    pain = (1.0 - d).mean(axis=-1) + k.sum(axis=-1)
    rng = bargaining_range(np.maximum(v, 0.0))
    return Ripeness(v, optimism, pain, margin, margin >= -TIE, rng.low, rng.high)
