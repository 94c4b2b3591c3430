"""How a split is proposed: the mediator's surplus split, Nash bargaining, alternating offers.

Each protocol turns the parties' (estimated) requirements into an offer of shares. All are
pure and vectorised over leading axes; the party axis, where there is one, is last.

* ``split_surplus``: the mediator gives each party its estimated least share plus a weighted
  part of what is left (with linear utilities this *is* the asymmetric Nash solution).
* ``nash_split``: the Nash bargaining solution with war payoffs as the threat point, any
  number of parties, CRRA utilities (Nash 1950; Kalai 1977).
* ``alternating_split``: Rubinstein (1982) alternating offers with war as an outside option
  (Shaked and Sutton 1984) and a risk of breakdown into war (Binmore, Rubinstein and
  Wolinsky 1986), two parties.
* ``screening_demand``: a proposer's optimal demand when the responder's limit is private and
  uniform on [low, high] (Fearon's risk-return trade-off).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .bargaining import TIE

__all__ = [
    "REGIMES",
    "Alternating",
    "Screening",
    "alternating_split",
    "nash_split",
    "screening_demand",
    "split_surplus",
]

Array = NDArray[np.float64]

#: Which outside option binds in the alternating-offers equilibrium (regime codes 0..3).
REGIMES = ("none", "B_binds", "A_binds", "both_bind")


def _normalised(weights: ArrayLike, shape: tuple[int, ...]) -> Array:
    w = np.broadcast_to(np.asarray(weights, dtype=float), shape)
    return np.asarray(w / w.sum(axis=-1, keepdims=True), dtype=float)


def split_surplus(required: ArrayLike, weights: ArrayLike = 1.0) -> Array:
    """Shares: each party's least share plus its weight's part of the surplus ``1 - Σ required``.

    required: float[..., K] (finite); weights: float[K] or float[..., K], normalised here.
    A negative surplus (no range) gives shares that fall short of someone's requirement.
    """
    s = np.asarray(required, dtype=float)
    w = _normalised(weights, s.shape)
    return np.asarray(s + w * (1.0 - s.sum(axis=-1, keepdims=True)), dtype=float)


def _nash_share(lam: Array, alpha: Array, a: Array, d: Array, lo: Array, iters: int) -> Array:
    """Each party's share where its marginal Nash-product term equals λ (bisection on [lo, 1]).

    Solves α a x^(a-1) = λ (x^a - d); the left side over the right falls with x.
    """
    left, right = lo.copy(), np.ones_like(lo)
    for _ in range(iters):
        mid = 0.5 * (left + right)
        f = alpha * a * mid ** (a - 1.0) - lam * (mid**a - d)
        up = f > 0
        left, right = np.where(up, mid, left), np.where(up, right, mid)
    return 0.5 * (left + right)


def _nash_two(d: Array, alpha: Array, a: Array, lo: Array, iters: int) -> Array:
    """Two parties: bisection on A's share x over [lo_A, 1 − lo_B] of the first-order
    condition α a x^(a−1) (y^b − d_B) = β b y^(b−1) (x^a − d_A), y = 1 − x."""
    left, right = lo[..., 0], 1.0 - lo[..., 1]
    for _ in range(iters):
        x = 0.5 * (left + right)
        y = 1.0 - x
        g = (alpha[..., 0] * a[..., 0] * x ** (a[..., 0] - 1.0) * (y ** a[..., 1] - d[..., 1])
             - alpha[..., 1] * a[..., 1] * y ** (a[..., 1] - 1.0) * (x ** a[..., 0] - d[..., 0]))
        up = g > 0
        left, right = np.where(up, x, left), np.where(up, right, x)
    x = 0.5 * (left + right)
    return np.stack([x, 1.0 - x], axis=-1)


def nash_split(
    threat: ArrayLike, weights: ArrayLike = 1.0, exponents: ArrayLike = 1.0, iters: int = 64
) -> Array:
    """The (asymmetric) Nash bargaining solution over shares of a unit stake.

    Maximises Π (x_i^a_i − d_i)^α_i subject to Σ x_i = 1, with d = ``threat`` (war payoffs,
    utility units, float[..., K]), α = normalised ``weights`` and a = ``exponents``. Linear
    utilities give the closed form x = d⁺ + α(1 − Σd⁺); otherwise a nested bisection on the
    Lagrange multiplier (log scale) and on each share (one bisection on the first-order
    condition for two parties). NaN where no deal exists (Σ u⁻¹(d) > 1).
    """
    d = np.asarray(threat, dtype=float)
    a = np.broadcast_to(np.asarray(exponents, dtype=float), d.shape)
    alpha = _normalised(weights, d.shape)
    lo = np.maximum(d, 0.0) ** (1.0 / a)
    feasible = lo.sum(axis=-1, keepdims=True) <= 1.0 + TIE
    if np.all(a == 1.0):
        x = split_surplus(lo, alpha)
        return np.where(feasible, x, np.nan)
    if d.shape[-1] == 2:
        return np.where(feasible, _nash_two(d, alpha, a, lo, iters), np.nan)
    llo = np.full((*d.shape[:-1], 1), -60.0)
    lhi = np.full((*d.shape[:-1], 1), 60.0)
    for _ in range(iters):
        lmid = 0.5 * (llo + lhi)
        total = _nash_share(np.exp(lmid), alpha, a, d, lo, iters).sum(axis=-1, keepdims=True)
        more = total > 1.0
        llo, lhi = np.where(more, lmid, llo), np.where(more, lhi, lmid)
    x = _nash_share(np.exp(0.5 * (llo + lhi)), alpha, a, d, lo, iters)
    return np.where(feasible, x, np.nan)


class Alternating(NamedTuple):
    """Stationary equilibrium of alternating offers; arrays over the inputs' broadcast shape.

    x: A's share when A proposes; y: A's share when B proposes; z = 1 − y: B's share when B
    proposes; regime: int8 index into :data:`REGIMES`.
    """

    x: Array
    y: Array
    z: Array
    regime: NDArray[np.int8]


def alternating_split(
    delta_a: ArrayLike,
    delta_b: ArrayLike,
    w_a: ArrayLike,
    w_b: ArrayLike,
    q: ArrayLike = 0.0,
) -> Alternating:
    """Alternating offers with outside options (war) and a risk q of breakdown after a rejection.

    A responder opts out (war, payoff w now) or waits: its threshold is
    ``t = q w + (1 − q) max(w, δ v)``, v its share as the next proposer. So x = 1 − t_B and
    y = t_A: a fixed point solved in closed form in each of four regimes (which option binds),
    keeping the first self-consistent one. q = 0: Rubinstein with war as an outside option
    (w = −inf: no option); q > 0, δ = 1: Binmore–Rubinstein–Wolinsky. Needs δ_A δ_B (1−q)² < 1.
    """
    da, db = np.asarray(delta_a, dtype=float), np.asarray(delta_b, dtype=float)
    wa, wb = np.asarray(w_a, dtype=float), np.asarray(w_b, dtype=float)
    qq = np.asarray(q, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        qa = np.where(qq == 0, 0.0, qq * wa)
        qb = np.where(qq == 0, 0.0, qq * wb)
        ba, bb = (1.0 - qq) * da, (1.0 - qq) * db
        x_none = (1.0 - qb - bb * (1.0 - qa)) / (1.0 - ba * bb)
        cand = [
            (x_none, 1.0 - qa - ba * x_none),
            (1.0 - wb, 1.0 - qa - ba * (1.0 - wb)),
            (1.0 - qb - bb * (1.0 - wa), 1.0 - wa),
            (1.0 - wb, 1.0 - wa),
        ]
        ok = []
        for i, (x, z) in enumerate(cand):
            b_binds = wb >= db * z - TIE
            a_binds = wa >= da * x - TIE
            b_slack = wb <= db * z + TIE
            a_slack = wa <= da * x + TIE
            want_b, want_a = i in (1, 3), i in (2, 3)
            ok.append((b_binds if want_b else b_slack) & (a_binds if want_a else a_slack))
    regime = np.select(ok, [np.int8(i) for i in range(4)], default=np.int8(0)).astype(np.int8)
    x = np.choose(regime, [c[0] for c in cand])
    z = np.choose(regime, [c[1] for c in cand])
    return Alternating(np.asarray(x), np.asarray(1.0 - z), np.asarray(z), regime)


class Screening(NamedTuple):
    """The proposer's optimal demand under private information (arrays)."""

    demand: Array
    p_war: Array
    value: Array


def screening_demand(w_own: ArrayLike, low: ArrayLike, high: ArrayLike) -> Screening:
    """Best take-it-or-leave-it demand when the responder accepts iff demand ≤ its limit L.

    L is uniform on [low, high] (the proposer's belief); a refusal means war, worth ``w_own``
    to the proposer. Maximising P(accept)·x + P(war)·w gives x* = clamp((high + w)/2, low,
    high): the risk-return trade-off (Fearon 1995). low = high: the sure demand ``high``.
    """
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    w = np.asarray(w_own, dtype=float)
    x = np.clip(0.5 * (hi + w), lo, hi)
    spread = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        p_war = np.where(spread > 0, (x - lo) / np.where(spread > 0, spread, 1.0), 0.0)
    return Screening(x, p_war, (1.0 - p_war) * x + p_war * w)
