"""One session of talks, for all runs at once: reservations, packages, the offer, the cause.

Arrays: [run, K] per party, [run, P, K] per package of issues (P = 2**I).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .bargaining import TIE, accepts, bargaining_range, required_share, reservation
from .beliefs import path_value
from .compile import PROTOCOLS, TalksSpec
from .protocols import alternating_split, nash_split, screening_demand, split_surplus
from .state import CAUSES, COUNTERFACTUAL_CAUSES

__all__ = [
    "Assessment",
    "Inputs",
    "Offer",
    "assess",
    "best_package",
    "cause_of",
    "costs",
    "counterfactual_widths",
    "deal_reservation",
    "holds_issues",
    "make_offer",
    "package_required",
    "revealed_floor",
    "verdicts",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


class Assessment(NamedTuple):
    """Each party's view today, float64[run, K], stake units: forecast (share after H days),
    value (of fighting on over H), cost (felt cost over H), reservation (value − cost, before
    issues); parts float64[run, K, 3], the cost by COST_PARTS (dead, front, siege)."""

    forecast: Floats
    value: Floats
    cost: Floats
    reservation: Floats
    parts: Floats


class Inputs(NamedTuple):
    """What a party's view is built from, float64[run, K]: share; drift, the share it has
    learnt to expect to gain a day; death_rate (dead/day), front and siege (fractions of its
    fighters at the front and of its people besieged), each as felt (smoothed); cost_mult
    (backers' pressure); model: an engine-made forecast of the share after H days (the
    model-consistent hook, see ``beliefs.ForecastHook``) or None (learnt drift); drift0: the
    drift without the optimism of its prior about battles (the optimism counterfactual;
    None: drift)."""

    share: Floats
    drift: Floats
    death_rate: Floats
    cost_mult: Floats
    model: Floats | None = None
    front: Floats | float = 0.0
    siege: Floats | float = 0.0
    drift0: Floats | None = None


def costs(spec: TalksSpec, x: Inputs, scale: float = 1.0) -> Floats:
    """Felt cost of fighting over the horizon by part, float64[run, K, 3] (COST_PARTS):
    own dead, holding the front, sieges of own people, times the backers' pressure."""
    parts = np.stack(np.broadcast_arrays(
        spec.cost_per_thousand_dead * x.death_rate / 1000.0,
        spec.front_cost * np.asarray(x.front), spec.siege_cost * np.asarray(x.siege)),
        axis=-1)
    return np.asarray(scale * spec.horizon * np.asarray(x.cost_mult)[..., None] * parts)


def assess(spec: TalksSpec, x: Inputs, *, optimism: bool = True, rising: bool = True,
           cost_scale: float = 1.0) -> Assessment:
    """Forecast after H days, value of fighting on, felt cost over H, reservation
    r = value − cost.

    The party expects its share to move by its learnt drift a day (or toward the engine's
    model forecast), plus its fixed bias spread over the horizon; the value weighs each
    day's share on that path (``beliefs.path_value``). Keyword switches build
    counterfactuals: no optimism (neither the fixed bias nor the optimism of the prior about
    battles), no rising side's gains extrapolated, costs scaled.
    """
    opt = spec.optimism if optimism else 0.0
    h = spec.horizon
    if x.model is None:
        drift = x.drift if optimism or x.drift0 is None else x.drift0
        drift = drift if rising else np.minimum(drift, 0.0)
    else:
        base = x.model if rising else np.minimum(x.model, x.share)
        drift = (np.clip(base, 0.0, 1.0) - x.share) / h
    slope = drift + np.asarray(opt) / h
    fc, value = path_value(x.share, slope, h, spec.discount)
    parts = costs(spec, x, cost_scale)
    cost = parts.sum(axis=-1)
    r = reservation(value, 1.0, cost)
    return Assessment(fc, value, cost, r, parts)


def holds_issues(spec: TalksSpec, share: Floats, r: Floats) -> Bools:
    """bool[run, I, K]: which parties insist on which indivisible issues today.

    An issue is held indivisible only while the party does not expect to lose more by
    fighting on than the issue is worth to it: it insists while ``share − r < value``, and
    drops or trades the demand (the issue becomes divisible for it) once its own forecast
    makes fighting on cost more than that (Powell 2006: indivisibility is a price, not a
    fact). A party that expects to gain by fighting always holds.
    """
    loss = (share - r)[:, None, :]
    return np.asarray(spec.issue_indivisible[None] & (loss < spec.issue_value[None]))


def deal_reservation(spec: TalksSpec, r: Floats) -> Floats:
    """What a party must get from a settlement, float64[run, K], from its reservation ``r``
    (what fighting on is worth to it): a deal it fears will not be honoured once it has laid
    down its arms, with the chance γ it sees (``settlement_risk``), is worth (1 − γ) of its
    share, so it needs r / (1 − γ) (Walter 1997; r ≤ 0 still accepts anything). Ceasefires
    disarm no one and keep ``r``; so does the price of an issue (holding it is a choice
    about fighting on)."""
    return np.asarray(r / (1.0 - spec.settlement_risk))


def package_required(spec: TalksSpec, r: Floats, *, holds: Bools | None = None) -> Floats:
    """Least share of each party under each package of issues, float64[run, P, K].

    A package changes reservations by ``package_adjust``; a party refuses (inf) a package
    that settles against it an issue it holds (``holds`` bool[run, I, K]; None: no one
    insists, every issue is divisible).
    """
    if holds is None:
        refused = np.zeros((r.shape[0], *spec.package_adjust.shape), dtype=bool)
    else:
        refused = np.asarray((spec.package_wrong[None] & holds[:, None]).any(axis=2))
    return required_share(r[:, None, :] + spec.package_adjust[None], spec.risk_exponent,
                          refused)


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
    half = np.sqrt(3.0) * np.reshape(spec.estimate_noise, -1)  # one, or one per run (phases)
    resp = 1 - proposer
    rows = np.arange(len(pkg))
    delta = spec.discount[None, :] ** np.reshape(spec.every, (-1, 1))  # [1 or run, K]
    if spec.breakdown_risk == 0:  # Rubinstein needs δ_A δ_B < 1 without breakdown
        delta = np.minimum(delta, 1.0 - 1e-9)
    delta = np.broadcast_to(delta, (len(pkg), delta.shape[1]))
    d_p, d_r = delta[rows, proposer], delta[rows, resp]
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
               sessions: Ints, holds: Bools | None = None,
               floor: Floats | None = None) -> Offer:
    """The protocol's offer from noisy estimates ``r + σ z`` of the reservations.

    The mediator picks the package with the widest estimated range, then splits by the
    protocol; no offer (NaN) when it finds no range. ``true_req``: float64[run, P, K];
    ``holds``: the issues each party insists on (stated at the table, so known); ``floor``:
    float64[run, K], the least reservation each party's refusals have revealed (its estimate
    is never below it; -inf: none).
    """
    r_hat = r + spec.estimate_noise * z
    if floor is not None:
        r_hat = np.maximum(r_hat, floor)
    req_hat = package_required(spec, r_hat, holds=holds)
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


def revealed_floor(spec: TalksSpec, offer: Offer, refused: Bools) -> Floats:
    """float64[run, K]: what a refusal reveals of a party's reservation. A party that refused
    share y under package P needs more: r > y^a − adj_P (-inf where it did not refuse). The
    uninformed side learns from rejections (REFERENCE.md 6c, skimming; Fearon 1995)."""
    y = np.where(refused, offer.shares, 0.0)
    bound = np.maximum(y, 0.0) ** spec.risk_exponent - spec.package_adjust[offer.package]
    return np.asarray(np.where(refused, bound, -np.inf))


def verdicts(offer: Offer, true_req: Floats) -> tuple[Floats, Bools, Floats]:
    """Required shares at the offered package, who accepts, margins (offer − required)."""
    req = _at(true_req, offer.package)
    ok = accepts(offer.shares, req) & offer.found[:, None]
    return req, ok, offer.shares - req


def counterfactual_widths(spec: TalksSpec, x: Inputs, r: Floats) -> tuple[Floats, Floats]:
    """Width of the best range, float64[run, 5], had each cause been removed
    (COUNTERFACTUAL_CAUSES): optimism, the rising side's gains, the issues' indivisibility,
    low costs (doubled), the fear that a deal is not honoured (an outside guarantee:
    ``settlement_risk`` 0). ``r``: today's reservations. Who insists on an issue follows each
    counterfactual's own reservations. Also float64[run, 4], the same widths without the
    issues' column, with every issue set aside (divisible): the war's own gap."""
    alts: list[tuple[Floats | None, bool]] = [
        (assess(spec, x, optimism=False).reservation, False),
        (assess(spec, x, rising=False).reservation, False),
        (None, False),
        (assess(spec, x, cost_scale=2.0).reservation, False),
        (r, True),
    ]
    out, war = [], []
    for alt, guaranteed in alts:
        holds = None if alt is None else holds_issues(spec, x.share, alt)
        base = r if alt is None else alt
        deal = base if guaranteed else deal_reservation(spec, base)
        out.append(1.0 - best_package(package_required(spec, deal, holds=holds))[1])
        if alt is not None:
            war.append(1.0 - best_package(package_required(spec, deal))[1])
    return np.stack(out, axis=-1), np.stack(war, axis=-1)


def cause_of(failed: Bools, true_width: Floats, cf_width: Floats,
             war_width: Floats | None = None) -> NDArray[np.int8]:
    """Dominant cause of a failed session, int8[run] (codes of CAUSES).

    A range that existed but was missed or refused: private information. Otherwise the
    removed cause that opens the range (the widest if several). If no single removal opens
    it and the issues set aside would not either, the war itself leaves no range: the cause
    is the one among optimism, the rising side's gains, low costs and the missing guarantee
    that narrows that gap most (``war_width``, float64[run, 4], widths with the issues
    divisible), costs too low when none helps; an issue that also stands in the way is
    secondary. Without ``war_width``: the removal that narrows the gap most. ``cf_width``:
    float64[run, 5] in the order of COUNTERFACTUAL_CAUSES.
    """
    cap = 1e6
    gain = np.maximum(cf_width, -cap) - np.maximum(true_width, -cap)[:, None]
    score = np.where(cf_width >= -TIE, cap + cf_width, gain)
    if war_width is not None:
        gap = np.maximum(cf_width[:, 2], -cap)
        war_gain = np.maximum(war_width, -cap) - gap[:, None]
        no_opener = np.asarray((cf_width < -TIE).all(axis=-1))
        score = np.where(no_opener[:, None],
                         np.insert(war_gain, 2, -np.inf, axis=-1), score)
    col = np.argmax(score, axis=-1)
    helps = np.take_along_axis(score, col[:, None], axis=-1)[:, 0] > 0
    codes = np.array([CAUSES.index(c) for c in COUNTERFACTUAL_CAUSES])
    code = np.where(helps, codes[col], CAUSES.index("costs too low"))
    code = np.where(true_width >= -TIE, CAUSES.index("private information"), code)
    return np.where(failed, code, 0).astype(np.int8)
