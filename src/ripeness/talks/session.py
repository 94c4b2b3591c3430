"""One session of talks, for all runs at once: reservations, packages, the offer, the cause.

Arrays: [run, K] per party, [run, P, K] per package of issues (P = 2**I).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .bargaining import TIE, accepts, bargaining_range, required_share, reservation
from .beliefs import forecast_share
from .compile import PROTOCOLS, TalksSpec
from .protocols import alternating_split, nash_split, screening_demand, split_surplus
from .state import CAUSES

__all__ = [
    "Assessment",
    "Inputs",
    "Offer",
    "assess",
    "best_package",
    "cause_of",
    "counterfactual_widths",
    "make_offer",
    "package_required",
    "verdicts",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


class Assessment(NamedTuple):
    """Each party's view today, float64[run, K], stake units."""

    forecast: Floats
    cost: Floats
    reservation: Floats


class Inputs(NamedTuple):
    """What a party's view is built from, float64[run, K]: share, trend (share/day),
    death_rate (dead/day), cost_mult; model: an engine-made forecast of the share after H
    days (the model-consistent hook, see ``beliefs.ForecastHook``) or None (trend)."""

    share: Floats
    trend: Floats
    death_rate: Floats
    cost_mult: Floats
    model: Floats | None = None


def assess(spec: TalksSpec, x: Inputs, *, optimism: bool = True, rising: bool = True,
           cost_scale: float = 1.0) -> Assessment:
    """Forecast after H days, expected cost over H, reservation r = δ^H·forecast − cost.

    Forecast: the trend extrapolated (or the engine's model forecast) plus the optimism
    bias. Cost: own dead over H at the current rate, ``cost_per_thousand_dead`` per 1,000,
    times the backers' pressure. Keyword switches build counterfactuals: no optimism bias,
    no rising side's gains extrapolated, costs scaled.
    """
    opt = spec.optimism if optimism else 0.0
    if x.model is None:
        tr = x.trend if rising else np.minimum(x.trend, 0.0)
        fc = forecast_share(x.share, tr, opt, spec.horizon)
    else:
        base = x.model if rising else np.minimum(x.model, x.share)
        fc = forecast_share(base, 0.0, opt, spec.horizon)
    cost = cost_scale * x.cost_mult * spec.cost_per_thousand_dead * x.death_rate
    cost = cost * spec.horizon / 1000.0
    r = reservation(fc, spec.discount**spec.horizon, cost)
    return Assessment(fc, cost, r)


def package_required(spec: TalksSpec, r: Floats, *, divisible: bool = False) -> Floats:
    """Least share of each party under each package of issues, float64[run, P, K].

    A package changes reservations by ``package_adjust``; an indivisible issue settled the
    wrong way makes a party refuse (inf), unless ``divisible`` (the counterfactual).
    """
    refused = np.zeros_like(spec.package_refused) if divisible else spec.package_refused
    return required_share(r[:, None, :] + spec.package_adjust[None], spec.risk_exponent,
                          refused[None])


def best_package(required: Floats) -> tuple[Ints, Floats]:
    """The package with the widest range (first on ties) and its Σ required, per run."""
    need = bargaining_range(required).width
    pkg = np.argmax(need, axis=-1)
    return pkg, 1.0 - np.take_along_axis(need, pkg[:, None], axis=-1)[:, 0]


def _at(required: Floats, pkg: Ints) -> Floats:
    return np.take_along_axis(required, pkg[:, None, None], axis=1)[:, 0, :]


class Offer(NamedTuple):
    """The offer of one session: package int64[run], shares float64[run, K] (NaN: none),
    estimate float64[run, K] (estimated least shares), found bool[run] (estimated range),
    proposer int64[run] (-1: the mediator)."""

    package: Ints
    shares: Floats
    estimate: Floats
    found: Bools
    proposer: Ints


def _alternating(spec: TalksSpec, r_hat: Floats, true_req: Floats, pkg: Ints,
                 proposer: Ints) -> Floats:
    """Two parties: the proposer demands its alternating-offers share, trading risk against
    return when the responder's limit is uncertain (uniform over estimate ± √3 σ)."""
    adj = spec.package_adjust[pkg]
    half = np.sqrt(3.0) * spec.estimate_noise
    resp = 1 - proposer
    rows = np.arange(len(pkg))
    delta = spec.discount**spec.every
    if spec.breakdown_risk == 0:  # Rubinstein needs δ_A δ_B < 1 without breakdown
        delta = np.minimum(delta, 1.0 - 1e-9)
    d_p, d_r = delta[proposer], delta[resp]
    a_r = spec.risk_exponent[resp]
    w_p = true_req[rows, proposer]
    r_r = r_hat[rows, resp] + adj[rows, resp]
    hi_w, lo_w = (required_share(r_r + s * half, a_r) for s in (1.0, -1.0))
    top = alternating_split(d_p, d_r, w_p, lo_w, spec.breakdown_risk).x
    bottom = alternating_split(d_p, d_r, w_p, hi_w, spec.breakdown_risk).x
    demand = screening_demand(w_p, bottom, top).demand
    mine = proposer[:, None] == np.arange(2)[None, :]
    return np.where(mine, demand[:, None], 1.0 - demand[:, None])


def make_offer(spec: TalksSpec, r: Floats, true_req: Floats, z: Floats,
               sessions: Ints) -> Offer:
    """The protocol's offer from noisy estimates ``r + σ z`` of the reservations.

    The mediator picks the package with the widest estimated range, then splits by the
    protocol; no offer (NaN) when it finds no range. ``true_req``: float64[run, P, K].
    """
    r_hat = r + spec.estimate_noise * z
    req_hat = package_required(spec, r_hat)
    pkg, need_hat = best_package(req_hat)
    est = _at(req_hat, pkg)
    found = need_hat <= 1.0 + TIE
    proposer = np.full(len(pkg), -1, dtype=np.int64)
    name = PROTOCOLS[spec.protocol]
    if name == "mediator":
        shares = split_surplus(np.where(found[:, None], est, 0.0), spec.bargaining_weight)
    elif name == "nash":
        threat = np.where(found[:, None], r_hat + spec.package_adjust[pkg], 0.0)
        shares = nash_split(threat, spec.bargaining_weight, spec.risk_exponent)
    else:
        proposer = (sessions % 2).astype(np.int64)
        shares = _alternating(spec, r_hat, _at(true_req, pkg), pkg, proposer)
    shares = np.where(found[:, None], shares, np.nan)
    return Offer(pkg, shares, est, found, proposer)


def verdicts(offer: Offer, true_req: Floats) -> tuple[Floats, Bools, Floats]:
    """Required shares at the offered package, who accepts, margins (offer − required)."""
    req = _at(true_req, offer.package)
    ok = accepts(offer.shares, req) & offer.found[:, None]
    return req, ok, offer.shares - req


def counterfactual_widths(spec: TalksSpec, x: Inputs, r: Floats) -> Floats:
    """Width of the best range, float64[run, 4], had each cause been removed (CAUSES 1..4)."""
    alts = [
        assess(spec, x, optimism=False).reservation,
        assess(spec, x, rising=False).reservation,
        None,
        assess(spec, x, cost_scale=2.0).reservation,
    ]
    out = []
    for alt in alts:
        req = package_required(spec, r if alt is None else alt, divisible=alt is None)
        out.append(1.0 - best_package(req)[1])
    return np.stack(out, axis=-1)


def cause_of(failed: Bools, true_width: Floats, cf_width: Floats) -> NDArray[np.int8]:
    """Dominant cause of a failed session, int8[run] (codes of CAUSES).

    A range that existed but was missed or refused: private information. Otherwise the
    removed cause that opens the range (the widest if several); if none alone opens it, the
    one that narrows the gap most; costs too low when nothing helps.
    """
    cap = 1e6
    gain = np.maximum(cf_width, -cap) - np.maximum(true_width, -cap)[:, None]
    score = np.where(cf_width >= -TIE, cap + cf_width, gain)
    best = np.argmax(score, axis=-1) + 1
    helps = np.take_along_axis(score, (best - 1)[:, None], axis=-1)[:, 0] > 0
    code = np.where(helps, best, CAUSES.index("costs too low"))
    code = np.where(true_width >= -TIE, CAUSES.index("private information"), code)
    return np.where(failed, code, 0).astype(np.int8)
