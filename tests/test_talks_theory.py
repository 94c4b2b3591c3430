"""The talks reproduce bargaining theory's closed forms in the settings where they hold.

Each vector of ``tests/data/theory/vectors.json`` (REFERENCE.md beside it gives each citation)
is run through the talks engine's own functions
(the ones ``talks_step`` calls): ``assess`` and ``package_required`` (forecasts, costs,
reservations), ``bargaining_range``, ``make_offer`` (the mediator / Nash / alternating
protocols), ``screening_demand``, the belief updates and ``is_ripe``, in the degenerate
setting of the theory: two parties, fixed power, known costs, horizon 1 day and no discount
unless the model discounts. Pass rule: |got − expected| <= max(abs, rel·|expected|).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ripeness.scenario import from_raw
from ripeness.talks import TalksSpec, compile_talks, talks_init
from ripeness.talks.bargaining import bargaining_range, is_ripe, required_share, reservation
from ripeness.talks.beliefs import (
    bayes_posterior,
    bayes_step,
    csf_ratio,
    predictive_win,
    walk_expected_battles,
    walk_win_probability,
)
from ripeness.talks.compile import PROTOCOLS
from ripeness.talks.protocols import REGIMES, alternating_split, screening_demand
from ripeness.talks.session import Inputs, assess, make_offer, package_required

VECTORS_FILE = Path(__file__).resolve().parent / "data" / "theory" / "vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text())["vectors"]
TOY = Path(__file__).parent / "data" / "toy.toml"

#: Models of the JSON that the talks engine does not compute, and why.
NOT_APPLICABLE = {
    "lanchester_square_law": "combat attrition: the war engine's, not the talks'",
    "lanchester_linear_law_area_fire": "combat attrition: the war engine's, not the talks'",
    "lanchester_linear_law_ancient": "combat attrition: the war engine's, not the talks'",
    "deitchman1962_guerrilla_mixed_law": "combat attrition: the war engine's, not the talks'",
    "tullock_contest_equilibrium": "no effort choice in the talks: forces are the war "
    "engine's state, not a bid in a contest",
    "contest_success_function_logistic": "the talks turn strengths into beliefs with the "
    "ratio form only (scale-invariant in fighters); the difference form depends on units",
    "risk_return_two_types": "a proposer's belief about the responder's limit is continuous "
    "(uniform over the estimate ± √3σ), never two types; the uniform case is tested",
}

#: Expected fields that are statements about the theory rather than quantities the engine
#: computes.
SKIP_FIELDS = {
    "risk_return_uniform_costs": {"cA_threshold_for_sure_peace"},
}


def _spec(**changes: Any) -> TalksSpec:
    """The toy scenario's two parties (gov, reb) with talks, then ``changes`` applied."""
    raw = tomllib.loads(TOY.read_text())
    raw["talks"] = {"mediator": "un", "parties": ["gov", "reb"], "opens": dt.date(2016, 2, 1),
                    "pause_days": 21, "suspend_after": 2, "escalation": 0.5,
                    "estimate_noise": 0.0, "forecast_horizon_days": 1, "assumption": "test"}
    spec = compile_talks(from_raw(raw).scenario)
    assert spec is not None
    base = {"horizon": 1, "discount": np.ones(2), "optimism": np.zeros(2),
            "cost_per_thousand_dead": np.zeros(2), "risk_exponent": np.ones(2),
            "bargaining_weight": np.ones(2)}
    return dataclasses.replace(spec, **{**base, **changes})


def _arr(*x: float) -> np.ndarray:
    return np.array([x], dtype=float)


def _engine_range(share: tuple[float, float], cost: tuple[float, float],
                  exponent: tuple[float, float] = (1.0, 1.0),
                  optimism: tuple[float, float] = (0.0, 0.0)) -> dict[str, float]:
    """War payoffs and range through the talks' own assessment (1,000 dead/day, H = 1)."""
    spec = _spec(cost_per_thousand_dead=np.array(cost), risk_exponent=np.array(exponent),
                 optimism=np.array(optimism))
    x = Inputs(_arr(*share), np.zeros((1, 2)), np.full((1, 2), 1000.0), np.ones((1, 2)))
    now = assess(spec, x)
    rng = bargaining_range(package_required(spec, now.reservation)[:, 0, :])
    return {"war_payoff_A": now.reservation[0, 0], "war_payoff_B": now.reservation[0, 1],
            "x_low": rng.low[0, 0], "x_high": rng.high[0, 0], "width": rng.width[0],
            "range_exists": rng.exists[0]}


def fearon(i: dict[str, Any]) -> dict[str, Any]:
    p = i["p"]
    return _engine_range((p, 1 - p), (i["cA"], i["cB"]), (i["a"], i["b"]))


def first_strike(i: dict[str, Any]) -> dict[str, Any]:
    return _engine_range((i["p_first"], 1 - i["p_second"]), (i["cA"], i["cB"]))


def mutual_optimism(i: dict[str, Any]) -> dict[str, Any]:
    pa, pb = i["p_believed_by_A"], i["p_believed_by_B"]
    return _engine_range((pb, 1 - pb), (i["cA"], i["cB"]), optimism=(pa - pb, 0.0))


def _offer(protocol: str, r: tuple[float, float], proposer: int = 0, **changes: Any) -> Any:
    """The protocol's offer of A's share, exact estimates, through ``make_offer``."""
    spec = _spec(protocol=PROTOCOLS.index(protocol), **changes)
    rr = _arr(*r)
    true_req = package_required(spec, rr)
    z = np.zeros((1, 2))
    return make_offer(spec, rr, true_req, z, np.array([proposer])).shares[0, 0]


def _ultimatum(p: float, ca: float, cb: float, proposer: str) -> Any:
    """Take-it-or-leave-it (alternating offers with δ = 0): the responder gets its war payoff."""
    return _offer("alternating", (p - ca, 1 - p - cb), "AB".index(proposer),
                  discount=np.zeros(2))


def _powell2_war(p1: float, p2: float, d: float, ca: float, cb: float, prop: str) -> Any:
    x2 = _ultimatum(p2, ca, cb, prop)
    r = np.array([reservation(p1, 1 + d, ca, peace_after=d * x2),
                  reservation(1 - p1, 1 + d, cb, peace_after=d * (1 - x2))])
    return x2, r, bargaining_range(required_share(r))


def powell_two(i: dict[str, Any]) -> dict[str, Any]:
    """Period 2's ultimatum, then the period-1 range from reservations net of the future."""
    args = (i["p1"], i["p2"], i["delta"], i["cA"], i["cB"], i["period2_proposer"])
    d = i["delta"]
    x2, r, rng = _powell2_war(*args)
    war = not rng.exists
    x1 = rng.low[0]
    peace = (x1 + d * x2, 1 - x1 + d * (1 - x2))
    fight = (reservation(i["p1"], 1 + d, i["cA"]), reservation(1 - i["p1"], 1 + d, i["cB"]))
    lo, hi = i["p1"], 1.0
    for _ in range(60):  # the smallest p2 at which the engine finds no range
        mid = 0.5 * (lo + hi)
        wars = not _powell2_war(i["p1"], mid, d, i["cA"], i["cB"], args[-1])[2].exists
        lo, hi = (lo, mid) if wars else (mid, hi)
    return {"war": war, "war_margin": r[1] - 1.0, "x2": x2, "x1": x1,
            "U_A": (fight if war else peace)[0], "U_B": (fight if war else peace)[1],
            "p2_critical": hi}


def _powell_inf(p0: float, p1: float, d: float, ca: float, cb: float) -> tuple[Any, ...]:
    pv = 1.0 / (1.0 - d)
    x = _offer("alternating", ((1 - d) * reservation(p1, pv, ca),
                               (1 - d) * reservation(1 - p1, pv, cb)), 1, discount=np.zeros(2))
    va = x * pv
    r = np.array([reservation(p0, pv, ca, peace_after=d * va),
                  reservation(1 - p0, pv, cb, peace_after=d * (pv - va))])
    return x, va, r, bargaining_range(required_share(r))


def powell_infinite(i: dict[str, Any]) -> dict[str, Any]:
    """After the shift B offers A its per-period war value; at t = 0 the same range test."""
    p0, p1, d, ca, cb = i["p0"], i["p1"], i["delta"], i["cA"], i["cB"]
    x, va, r, rng = _powell_inf(p0, p1, d, ca, cb)
    pv = 1.0 / (1.0 - d)
    war = not rng.exists
    x0 = rng.low[0]
    u = ((reservation(p0, pv, ca), reservation(1 - p0, pv, cb)) if war
         else (x0 + d * va, 1 - x0 + d * (pv - va)))
    lo, hi = 0.0, 1.0 - p0
    for _ in range(60):  # the smallest shift at which the engine finds no range
        mid = 0.5 * (lo + hi)
        wars = not _powell_inf(p0, p0 + mid, d, ca, cb)[3].exists
        lo, hi = (lo, mid) if wars else (mid, hi)
    return {"war": war, "war_margin": r[1] - 1.0, "x_stationary_after_shift": x, "x0": x0,
            "U_A": u[0], "U_B": u[1], "critical_shift": hi}


def rubinstein(i: dict[str, Any]) -> dict[str, Any]:
    disc = np.array([i["delta_A"], i["delta_B"]])
    x = _offer("alternating", (0.0, 0.0), 0, discount=disc)
    y = _offer("alternating", (0.0, 0.0), 1, discount=disc)
    out = {"x_A_first_proposer": x, "share_B": 1 - x, "y_B_when_B_proposes": 1 - y}
    if "r_A" in i:  # Δ → 0: the asymmetric Nash split with weights 1/r
        w = np.array([1 / i["r_A"], 1 / i["r_B"]])
        out["limit_Delta_to_0"] = _offer("nash", (0.0, 0.0), bargaining_weight=w)
    return out


def _war_payoffs(i: dict[str, Any]) -> tuple[float, float]:
    if "p" in i:
        return i["p"] - i["c_A"], 1 - i["p"] - i["c_B"]
    return (-1.0 if i["w_A"] is None else i["w_A"]), i["w_B"]


def outside_option(i: dict[str, Any]) -> dict[str, Any]:
    w = _war_payoffs(i)
    disc = np.array([i["delta_A"], i["delta_B"]])
    x = _offer("alternating", w, 0, discount=disc)
    y = _offer("alternating", w, 1, discount=disc)
    regime = alternating_split(disc[0], disc[1], max(w[0], 0), max(w[1], 0)).regime
    return {"x_A_first_proposer": x, "share_B": 1 - x, "y_A_share_when_B_proposes": y,
            "regime": REGIMES[int(regime)]}


def breakdown(i: dict[str, Any]) -> dict[str, Any]:
    w = _war_payoffs(i)
    kw = {"discount": np.ones(2), "breakdown_risk": i["q"]}
    return {"x_A_first_proposer": _offer("alternating", w, 0, **kw),
            "y_A_share_when_B_proposes": _offer("alternating", w, 1, **kw),
            "nash_limit_q_to_0": _offer("nash", w)}


def nash(i: dict[str, Any], protocol: str = "nash") -> dict[str, Any]:
    d = _war_payoffs(i)
    a = np.array([i.get("a", 1.0), i.get("b", 1.0)])
    w = np.array([i["alpha"], 1 - i["alpha"]])
    x = _offer(protocol, d, bargaining_weight=w, risk_exponent=a)
    rng = bargaining_range(required_share(np.array(d), a))
    return {"d_A": d[0], "d_B": d[1], "x_A": x, "share_B": 1 - x, "surplus": 1 - d[0] - d[1],
            "u_A": x ** a[0], "u_B": (1 - x) ** a[1], "x_low": rng.low[0],
            "x_high": rng.high[0]}


def risk_return(i: dict[str, Any]) -> dict[str, Any]:
    """A proposes under a uniform belief about B's cost: the alternating protocol with an
    impatient responder (δ = 0) and the mediator's estimate spread ±√3σ over [c_lo, c_hi]."""
    p, ca, lo, hi = i["p"], i["c_A"], i["c_lo"], i["c_hi"]
    sigma = (hi - lo) / (2 * np.sqrt(3.0))
    x = _offer("alternating", (p - ca, 1 - p - 0.5 * (lo + hi)), 0, discount=np.zeros(2),
               estimate_noise=sigma)
    s = screening_demand(p - ca, p + lo, p + hi)
    return {"x_star": x, "P_war": s.p_war, "U_A": s.value}


def random_walk(i: dict[str, Any]) -> dict[str, Any]:
    return {"P_A_wins_war": walk_win_probability(i["pi"], i["k"], i["N"]),
            "expected_battles": walk_expected_battles(i["pi"], i["k"], i["N"])}


def bayes(i: dict[str, Any]) -> dict[str, Any]:
    """Day-by-day updates (as ``talks_step`` makes them) agree with the batch formula."""
    mu = np.float64(i["prior_strong"])
    results = [True] * i["wins"] + [False] * (i["battles"] - i["wins"])
    for won in results:
        mu = bayes_step(mu, i["pi_strong"], i["pi_weak"], won, not won)
    batch = bayes_posterior(i["prior_strong"], i["pi_strong"], i["pi_weak"], i["battles"],
                            i["wins"])
    assert abs(mu - batch) < 1e-12
    return {"posterior_strong": mu,
            "predictive_win_next_battle": predictive_win(mu, i["pi_strong"], i["pi_weak"])}


def ripeness(i: dict[str, Any]) -> dict[str, Any]:
    z = is_ripe(i["delta"], i["h"], [i["pA"], 1 - i["pB"]], [i["kA"], i["kB"]])
    return {"V_A_continue": z.values[0], "V_B_continue": z.values[1],
            "optimism_term": z.optimism, "pain_term": z.pain, "ripe": z.ripe,
            "ripeness_margin": z.margin, "settlement_low": z.low[0],
            "settlement_high": z.high[0]}


def csf(i: dict[str, Any]) -> dict[str, Any]:
    """Through ``talks_init``: a party's chance of winning a battle judged from the forces."""
    spec = _spec(csf_decisiveness=i["k"])
    st = talks_init(spec, 1, strength=_arr(i["m_A"], i["m_B"]))
    return {"p_A": st.prior_win[0, 0], "defined": csf_ratio(i["m_A"], i["m_B"], i["k"])[1]}


ADAPTERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "fearon1995_bargaining_range": fearon,
    "fearon1995_first_strike": first_strike,
    "fearon1995_mutual_optimism": mutual_optimism,
    "powell2006_commitment_two_period": powell_two,
    "powell2006_commitment_infinite_horizon": powell_infinite,
    "rubinstein1982_alternating_offers": rubinstein,
    "alternating_offers_with_war_outside_option": outside_option,
    "brw1986_risk_of_breakdown": breakdown,
    "nash1950_bargaining_war_disagreement": nash,
    "risk_return_uniform_costs": risk_return,
    "war_as_random_walk_absorption": random_walk,
    "battle_outcome_bayes_update": bayes,
    "ripeness_mhs_formalisation": ripeness,
    "contest_success_function_ratio": csf,
}


def _check(got: dict[str, Any], vec: dict[str, Any]) -> None:
    tol = vec["tolerance"]
    skip = SKIP_FIELDS.get(vec["model"], set())
    for key, want in vec["expected"].items():
        if want is None or key in skip:
            continue
        assert key in got, f"{vec['case']}: the engine does not report {key}"
        have = got[key]
        if isinstance(want, bool | str):
            assert (bool(have) if isinstance(want, bool) else have) == want, (vec["case"], key)
        else:
            bound = max(tol["abs"], tol["rel"] * abs(want))
            assert abs(float(have) - want) <= bound, (vec["case"], key, float(have), want)


TESTED = [v for v in VECTORS if v["model"] in ADAPTERS]


@pytest.mark.parametrize("vec", TESTED, ids=[v["case"] for v in TESTED])
def test_vector(vec: dict[str, Any]) -> None:
    _check(ADAPTERS[vec["model"]](vec["inputs"]), vec)


NASH_LINEAR = [v for v in VECTORS if v["model"] == "nash1950_bargaining_war_disagreement"
               and "a" not in v["inputs"]]


@pytest.mark.parametrize("vec", NASH_LINEAR, ids=[v["case"] for v in NASH_LINEAR])
def test_mediator_split_is_the_nash_solution(vec: dict[str, Any]) -> None:
    """With linear utilities the mediator's weighted surplus split is the Nash solution."""
    _check(nash(vec["inputs"], protocol="mediator"), vec)


def test_every_model_is_tested_or_listed() -> None:
    models = {v["model"] for v in VECTORS}
    assert not set(ADAPTERS) & set(NOT_APPLICABLE)
    assert models <= set(ADAPTERS) | set(NOT_APPLICABLE), models - set(ADAPTERS) - set(
        NOT_APPLICABLE)
