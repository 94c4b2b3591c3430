"""What each party believes about the war, learnt from the battlefield over weeks.

* Battles: a day on which a party's share rises (falls) by more than ``battle_threshold`` is
  a battle won (lost). Its chance of winning the next battle is a Beta-Bernoulli posterior
  (Smith and Stam 2004; Slantchev 2003): a prior from the forces at the start (the ratio
  contest success function of the initial strengths, Tullock 1980) raised by its
  ``battle_optimism``, worth ``prior_battles`` battles, then each battle won or lost.
* Pace: the share of the stake that changes hands per day, smoothed over weeks
  (``belief_learning``) from the prior ``pace_prior``.
* Drift and forecast: a party expects to gain pace × (2 p − 1) a day (the mean step of a
  random walk of battles); its forecast after H days is today's share plus H days of drift
  plus its fixed bias (``optimism``), clipped to [0, 1]. Optimism about battles thus matters
  in proportion to the pace: a fast war magnifies a disagreement that a stalled one mutes
  (decisiveness, REFERENCE.md section 7).
* Value of fighting on: the shares held day by day along the forecast path, discounted, the
  share at the horizon standing for the days after (a deal is a share held from today).
* Duration: the war as a random walk of battles over ``walk_steps`` steps of the stake (Smith
  and Stam 2004): the party's chance of winning the stake and the expected number of battles,
  which feed the ripeness diagnostic.
* The two-type Bayesian update (``bayes_posterior``, ``bayes_step``) is kept for the theory
  vectors of learning from battles.

Hook for model-consistent forecasts: an engine may replace :func:`forecast_share` by running
the war forward (see :class:`ForecastHook`); the talks only need ``forecast[run, K]``.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ForecastHook",
    "battle_belief",
    "bayes_posterior",
    "bayes_step",
    "csf_ratio",
    "forecast_share",
    "learned_drift",
    "path_value",
    "predictive_win",
    "update_trend",
    "walk_expected_battles",
    "walk_win_probability",
]

Array = NDArray[np.float64]


class ForecastHook(Protocol):
    """A model-consistent forecast: shares after ``horizon`` days, float[run, K], by running
    the war engine forward from the present state (the party's ``optimism`` is added after)."""

    def __call__(self, day: int, horizon: int) -> Array: ...


def update_trend(trend: ArrayLike, change: ArrayLike, learning: ArrayLike) -> Array:
    """Exponential smoothing of the daily share change: ``(1 - λ) trend + λ change``, share/day."""
    lam = np.asarray(learning, dtype=float)
    return np.asarray((1.0 - lam) * np.asarray(trend) + lam * np.asarray(change), dtype=float)


def forecast_share(
    share: ArrayLike, trend: ArrayLike, optimism: ArrayLike, horizon: ArrayLike
) -> Array:
    """Share a party expects after ``horizon`` days: ``clip(share + H·trend + optimism, 0, 1)``.

    A rising party (trend > 0) expects more: the root of the commitment problem in the talks.
    """
    f = np.asarray(share) + np.asarray(horizon) * np.asarray(trend) + np.asarray(optimism)
    return np.asarray(np.clip(f, 0.0, 1.0), dtype=float)


def battle_belief(prior: ArrayLike, weight: ArrayLike, won: ArrayLike,
                  lost: ArrayLike) -> Array:
    """Believed chance of winning the next battle: the Beta-Bernoulli posterior mean
    ``(w0 p0 + won) / (w0 + won + lost)`` of a prior p0 worth w0 battles."""
    w0 = np.asarray(weight, dtype=float)
    won_, lost_ = np.asarray(won, dtype=float), np.asarray(lost, dtype=float)
    return np.asarray((w0 * np.asarray(prior) + won_) / (w0 + won_ + lost_), dtype=float)


def learned_drift(pace: ArrayLike, p_battle: ArrayLike) -> Array:
    """Share a party expects to gain per day: ``pace (2 p − 1)``, the mean step of a random
    walk whose steps come at the learnt pace and are won with probability p."""
    return np.asarray(np.asarray(pace) * (2.0 * np.asarray(p_battle) - 1.0), dtype=float)


def path_value(share: ArrayLike, slope: ArrayLike, horizon: int,
               discount: ArrayLike) -> tuple[Array, Array]:
    """The forecast share after ``horizon`` days and what fighting on is worth.

    The share held on day t = 1..H is ``clip(share + t·slope, 0, 1)``; the value is
    ``(1 − δ) Σ_t δ^(t−1) s(t) + δ^H s(H)``: each day's share discounted, the share at the
    horizon standing for every day after. A deal that fixes a share x for good is worth x,
    so with common beliefs fighting wastes only its costs (Fearon 1995); δ = 1 or H = 1:
    the value is the forecast itself. Arrays broadcast; ``discount`` has the party axis last.
    """
    x = np.asarray(share, dtype=float)[..., None]
    t = np.arange(1, horizon + 1, dtype=float)
    s = np.clip(x + np.asarray(slope, dtype=float)[..., None] * t, 0.0, 1.0)
    d = np.asarray(discount, dtype=float)[..., None]
    w = (1.0 - d) * d ** (t - 1.0)
    end = s[..., -1]
    value = (s * w).sum(axis=-1) + d[..., 0] ** horizon * end
    return np.asarray(end, dtype=float), np.asarray(value, dtype=float)


def bayes_posterior(
    prior: ArrayLike, pi_s: ArrayLike, pi_w: ArrayLike, battles: ArrayLike, wins: ArrayLike
) -> Array:
    """Posterior probability of being the strong type after ``wins`` in ``battles`` (Bayes).

    ``μ π_s^w (1−π_s)^(n−w) / [μ π_s^w (1−π_s)^(n−w) + (1−μ) π_w^w (1−π_w)^(n−w)]``.
    """
    mu = np.asarray(prior, dtype=float)
    n, w = np.asarray(battles, dtype=float), np.asarray(wins, dtype=float)
    ps, pw = np.asarray(pi_s, dtype=float), np.asarray(pi_w, dtype=float)
    strong = mu * ps**w * (1.0 - ps) ** (n - w)
    weak = (1.0 - mu) * pw**w * (1.0 - pw) ** (n - w)
    return np.asarray(strong / (strong + weak), dtype=float)


def bayes_step(
    mu: ArrayLike, pi_s: ArrayLike, pi_w: ArrayLike, won: ArrayLike, lost: ArrayLike
) -> Array:
    """One day's update: ``won``/``lost`` are booleans (a day with neither is no battle)."""
    w = np.asarray(won, dtype=float)
    return bayes_posterior(mu, pi_s, pi_w, w + np.asarray(lost, dtype=float), w)


def predictive_win(mu: ArrayLike, pi_s: ArrayLike, pi_w: ArrayLike) -> Array:
    """Believed probability of winning the next battle: ``μ π_s + (1 − μ) π_w``."""
    m = np.asarray(mu, dtype=float)
    return np.asarray(m * np.asarray(pi_s) + (1.0 - m) * np.asarray(pi_w), dtype=float)


class _Walk(NamedTuple):
    pi: Array
    fair: NDArray[np.bool_]
    p_win: Array


def _walk(pi: ArrayLike, k: ArrayLike, n: ArrayLike) -> _Walk:
    """Gambler's ruin: P(reach n before 0 | start k), stable for any π in (0, 1)."""
    p = np.clip(np.asarray(pi, dtype=float), 1e-9, 1.0 - 1e-9)
    kk, nn = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    fair = np.abs(p - 0.5) < 1e-9
    r = np.where(fair, 0.5, (1.0 - p) / p)
    s = np.where(r > 1.0, 1.0 / r, r)  # s < 1 always (s = 0.5 is a placeholder when fair)
    p_lo = (1.0 - s**kk) / (1.0 - s**nn)  # r < 1: the textbook form
    p_hi = (s ** (nn - kk) - s**nn) / (1.0 - s**nn)  # r > 1: divided through by r^n
    win = np.where(fair, kk / nn, np.where(r > 1.0, p_hi, p_lo))
    return _Walk(p, fair, np.asarray(win, dtype=float))


def walk_win_probability(pi: ArrayLike, k: ArrayLike, n: ArrayLike) -> Array:
    """P(A wins) when the front starts at k of n and A wins each battle with probability π.

    ``(1 − r^k)/(1 − r^n)`` with r = (1−π)/π; k/n when π = ½ (Feller's gambler's ruin).
    """
    return _walk(pi, k, n).p_win


def walk_expected_battles(pi: ArrayLike, k: ArrayLike, n: ArrayLike) -> Array:
    """Expected number of battles until one side wins: k(n−k) when π = ½, else
    ``k/(1−2π) − n/(1−2π) · P(A wins)``."""
    w = _walk(pi, k, n)
    kk, nn = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    gap = np.where(w.fair, 1.0, 1.0 - 2.0 * w.pi)
    d = np.where(w.fair, kk * (nn - kk), (kk - nn * w.p_win) / gap)
    return np.asarray(d, dtype=float)


def csf_ratio(
    m_a: ArrayLike, m_b: ArrayLike, k: ArrayLike
) -> tuple[Array, NDArray[np.bool_]]:
    """Tullock's ratio contest success function ``m_a^k / (m_a^k + m_b^k)``.

    Returns (p, defined): 0/0 (both strengths zero, k > 0) is undefined; p is then ½ by
    convention and defined is False.
    """
    a, b = np.asarray(m_a, dtype=float), np.asarray(m_b, dtype=float)
    kk = np.asarray(k, dtype=float)
    ta, tb = a**kk, b**kk
    total = ta + tb
    defined = total > 0
    p = np.where(defined, ta / np.where(defined, total, 1.0), 0.5)
    return np.asarray(p, dtype=float), np.asarray(defined)
