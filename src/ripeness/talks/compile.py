"""Scenario -> TalksSpec: the talks as arrays, fixed for a whole batch of runs.

Party parameters resolve as: registry default < scenario ``[parameters]`` < the actor's
``params``. Days are offsets from ``scenario.meta.start`` (day 0).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..params import registry
from ..scenario.schema import Scenario
from .phases import Stages, compile_stages

__all__ = ["NEVER", "PROTOCOLS", "TalksSpec", "compile_talks"]

#: Protocol codes (``TalksSpec.protocol``).
PROTOCOLS = ("mediator", "alternating", "nash")
#: A day offset that never comes (talks with no closing date).
NEVER = 2**31 - 1
#: Most binary issues on the table (the mediator weighs all 2**I packages).
MAX_ISSUES = 8

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

_PARTY_PARAMS = ("optimism", "battle_optimism", "cost_per_thousand_dead", "front_cost",
                 "siege_cost", "discount", "belief_learning", "risk_exponent",
                 "bargaining_weight", "settlement_risk")
_GLOBAL_PARAMS = ("breakdown_risk", "ceasefire_breakdown", "backer_pressure", "aid_cut",
                  "battle_threshold", "prior_battles", "pace_prior", "csf_decisiveness",
                  "walk_steps", "out_of_action_per_death")


@dataclass(frozen=True)
class TalksSpec:
    """The compiled talks. K parties, I issues, P = 2**I packages, B backers, S support
    entries for parties' clients (out of ``n_support`` in the scenario).

    party: int64[K], index of each party in ``scenario.actors``; party_ids: their ids.
    Per party, float64[K]: optimism (share), battle_optimism (probability), costs
    cost_per_thousand_dead (share / 1,000 dead), front_cost and siege_cost (share / day),
    discount (/day), belief_learning (weight/day), risk_exponent (CRRA a), bargaining_weight,
    settlement_risk (probability a deal is not honoured, as the party sees it).
    issue_demander: int64[I] party index (-1: not a party); issue_value: float64[I, K] stake
    units; issue_indivisible: bool[I, K]. packages: bool[P, I] issues granted (row 0: none);
    package_adjust: float64[P, K], change of each party's reservation when the package is in
    a deal (−gain for the demander, +loss for the others); package_wrong: bool[P, I, K], the
    package settles issue I against party K (the demander without it, the others with it).
    Policy (days from start): opens, closes (NEVER if none), every, pause_days,
    suspend_after (sessions), escalation (share/day), estimate_noise (share sd), horizon
    (days), appeal_to_backers, backer_channel (backers seek a ceasefire on days without a
    session too), protocol (index into PROTOCOLS).
    backer: int64[B] actor index of every backer-kind actor (the column order of
    ``backer_satisfied``); backer_limited: bool[B]. sup_entry: int64[S] index into
    ``scenario.support``; sup_backer: int64[S] index into ``backer`` (-1: not a backer);
    sup_client: int64[S] party index; sup_fights: bool[S] (sorties > 0). np_client:
    int64[M] actor index of each backer's client that is not at the table; np_speaks:
    bool[M, B], the backers that speak for it (support it). sup_sponsor: bool[S], the entry's
    backer mediates or co-sponsors the talks and presses its client at the table (None:
    none does). seat_ids: the actor that speaks for each party (itself, or a patron holding
    its seat; empty: every party speaks for itself). stages: the settings of the talks'
    later phases (None: none, :mod:`.phases`); where a run is in a later phase, ``every``,
    ``pause_days``, ``suspend_after`` (int64[run]), ``escalation`` and ``estimate_noise``
    (float64[run, 1]) are that run's (:func:`.phases.in_force`).
    """

    party: Ints
    party_ids: tuple[str, ...]
    start: dt.date
    optimism: Floats
    battle_optimism: Floats
    cost_per_thousand_dead: Floats
    front_cost: Floats
    siege_cost: Floats
    discount: Floats
    belief_learning: Floats
    risk_exponent: Floats
    bargaining_weight: Floats
    settlement_risk: Floats
    issue_ids: tuple[str, ...]
    issue_demander: Ints
    issue_value: Floats
    issue_indivisible: Bools
    packages: Bools
    package_adjust: Floats
    package_wrong: Bools
    opens: int
    closes: int
    every: int
    pause_days: int
    suspend_after: int
    hearings: int
    escalation: float
    estimate_noise: float
    horizon: int
    appeal_to_backers: bool
    protocol: int
    breakdown_risk: float
    ceasefire_breakdown: float
    backer_pressure: float
    aid_cut: float
    battle_threshold: float
    prior_battles: float
    pace_prior: float
    csf_decisiveness: float
    walk_steps: float
    out_of_action_per_death: float
    backer: Ints
    backer_ids: tuple[str, ...]
    backer_limited: Bools
    n_support: int
    sup_entry: Ints
    sup_backer: Ints
    sup_client: Ints
    sup_fights: Bools
    np_client: Ints
    np_speaks: Bools
    backer_channel: bool = False
    sup_sponsor: Bools | None = None
    seat_ids: tuple[str, ...] = ()
    stages: Stages | None = None

    @property
    def k(self) -> int:
        """Number of parties."""
        return len(self.party_ids)


def _global(scenario: Scenario, name: str) -> float:
    given = scenario.parameters.values().get(name)
    return float(given.value) if given is not None else float(registry()[name].default)


def _per_party(scenario: Scenario, name: str, parties: list[str]) -> Floats:
    """A per-party parameter: the seat holder's (a patron speaking for its client, see
    ``talks.seats``), else the party's own, else the scenario's or the registry's."""
    base = _global(scenario, name)
    seats = scenario.talks.seats if scenario.talks is not None else {}
    out = []
    for pid in parties:
        q = scenario.actor(pid).params.get(name)
        if pid in seats:
            q = scenario.actor(seats[pid]).params.get(name, q)
        out.append(base if q is None else float(q.value))
    return np.asarray(out, dtype=float)


def _issues(scenario: Scenario, parties: list[str]) -> dict[str, object]:
    """Issue arrays and the 2**I packages the mediator can put in a deal."""
    k, issues = len(parties), scenario.issues
    if len(issues) > MAX_ISSUES:
        raise ValueError(f"at most {MAX_ISSUES} issues can be negotiated, got {len(issues)}")
    demander = np.array([parties.index(i.demanded_by) if i.demanded_by in parties else -1
                         for i in issues], dtype=np.int64)
    value = np.array([[float(i.value[p].value) if p in i.value else _land(scenario, i.places)
                       for p in parties] for i in issues], dtype=float).reshape(len(issues), k)
    indiv = np.array([[p in i.indivisible for p in parties] for i in issues],
                     dtype=bool).reshape(len(issues), k)
    packages = np.array(list(itertools.product([False, True], repeat=len(issues))),
                        dtype=bool).reshape(2 ** len(issues), len(issues))
    is_dem = demander[:, None] == np.arange(k)[None, :]  # [I, K]
    signed = np.where(is_dem, -value, value)  # reservation change when granted
    adjust = packages.astype(float) @ signed  # [P, K]
    g = packages[:, :, None]  # [P, I, 1]
    wrong = (is_dem[None] & ~g) | (~is_dem[None] & g)  # [P, I, K]
    return {"issue_ids": tuple(i.id for i in issues), "issue_demander": demander,
            "issue_value": value, "issue_indivisible": indiv, "packages": packages,
            "package_adjust": adjust, "package_wrong": wrong}


def _land(scenario: Scenario, places: list[str]) -> float:
    """The share of the stake that ``places`` weigh on the start date (by the stake's basis,
    among the places belligerents hold): what a territorial issue is worth where its value
    is not given. 0 for an issue without places."""
    if not places:
        return 0.0
    basis = scenario.stake.basis
    bellig = set(scenario.ids("belligerent"))

    def weight(p: Any) -> float:
        q = {"value": p.value, "population": p.population, "area": p.area_km2}[basis]
        return float(q.value) if q is not None else 0.0

    held = [p for p in scenario.places if p.controller in bellig]
    total = sum(weight(p) for p in held)
    return sum(weight(p) for p in held if p.id in places) / total if total > 0 else 0.0


def _backers(scenario: Scenario, parties: list[str], actor_ids: list[str]) -> dict[str, object]:
    backers = scenario.ids("backer")
    limited = [(a.objective is not None and a.objective.kind == "limited")
               for a in (scenario.actor(b) for b in backers)]
    entries = [(j, s) for j, s in enumerate(scenario.support) if s.client in parties]
    absent = sorted({s.client for s in scenario.support
                     if s.client not in parties and s.backer in backers},
                    key=actor_ids.index)
    speaks = np.array([[any(s.backer == b and s.client == c for s in scenario.support)
                        for b in backers] for c in absent], dtype=bool)
    return {
        "np_client": np.array([actor_ids.index(c) for c in absent], dtype=np.int64),
        "np_speaks": speaks.reshape(len(absent), len(backers)),
        "backer": np.array([actor_ids.index(b) for b in backers], dtype=np.int64),
        "backer_ids": tuple(backers),
        "backer_limited": np.array(limited, dtype=bool),
        "n_support": len(scenario.support),
        "sup_entry": np.array([j for j, _ in entries], dtype=np.int64),
        "sup_backer": np.array([backers.index(s.backer) if s.backer in backers else -1
                                for _, s in entries], dtype=np.int64),
        "sup_client": np.array([parties.index(s.client) for _, s in entries], dtype=np.int64),
        "sup_fights": np.array([s.sorties_per_day.value > 0 for _, s in entries], dtype=bool),
        "sup_sponsor": np.array([s.backer in _sponsors(scenario) for _, s in entries],
                                dtype=bool),
    }


def _sponsors(scenario: Scenario) -> set[str]:
    """The mediator and the talks' co-sponsors: those of them that back a party use their
    leverage on it (docs/model.md 7.10.10)."""
    t = scenario.talks
    return set() if t is None else {t.mediator, *t.sponsors}


def _policy(scenario: Scenario) -> dict[str, object]:
    t = scenario.talks
    assert t is not None
    start = scenario.meta.start
    return {
        "start": start,
        "opens": (t.opens - start).days,
        "closes": NEVER if t.closes is None else (t.closes - start).days,
        "every": max(1, round(t.session_every_days.value)),
        "pause_days": round(t.pause_days.value),
        "suspend_after": max(1, round(t.suspend_after.value)),
        "hearings": round(t.hearings.value),
        "escalation": float(t.escalation.value),
        "estimate_noise": float(t.estimate_noise.value),
        "horizon": max(1, round(t.forecast_horizon_days.value)),
        "appeal_to_backers": bool(t.appeal_to_backers),
        "backer_channel": bool(t.backer_channel),
        "protocol": PROTOCOLS.index(t.protocol),
        "seat_ids": tuple(t.seats.get(p, p) for p in t.parties) if t.seats else (),
    }


def compile_talks(scenario: Scenario, actor_ids: list[str] | None = None) -> TalksSpec | None:
    """The talks of ``scenario`` as arrays; None when it has no ``[talks]``.

    actor_ids: the engine's actor order (default: ``scenario.actors`` order). The
    alternating-offers protocol is bilateral: it needs exactly two parties.
    """
    t = scenario.talks
    if t is None:
        return None
    ids = list(actor_ids) if actor_ids is not None else scenario.ids()
    parties = list(t.parties)
    if t.protocol == "alternating" and len(parties) != 2:
        raise ValueError("protocol 'alternating' (Rubinstein) needs exactly two parties, "
                         f"got {len(parties)}: use 'mediator' or 'nash'")
    fields: dict[str, object] = {
        "party": np.array([ids.index(p) for p in parties], dtype=np.int64),
        "party_ids": tuple(parties),
    }
    fields.update({n: _per_party(scenario, n, parties) for n in _PARTY_PARAMS})
    fields.update({n: _global(scenario, n) for n in _GLOBAL_PARAMS})
    fields.update(_issues(scenario, parties))
    fields.update(_policy(scenario))
    fields.update(_backers(scenario, parties, ids))
    fields["stages"] = compile_stages(scenario)
    return TalksSpec(**fields)  # type: ignore[arg-type]
