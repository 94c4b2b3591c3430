"""Backers at the table: pressure on clients and consent to ceasefires.

S support entries link a backer to a party (``TalksSpec.sup_*``); arrays have a leading run
axis.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .bargaining import TIE
from .compile import TalksSpec

__all__ = [
    "Ceasefire",
    "aid_factor",
    "ceasefire_pairs",
    "cost_multiplier",
    "seek_ceasefire",
    "served",
]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


def _satisfied(spec: TalksSpec, backer_satisfied: Bools) -> tuple[Bools, Bools]:
    """Per support entry, bool[run, S]: the backer's objective is limited / is met."""
    slot = spec.sup_backer
    known = slot >= 0
    lim = np.where(known, spec.backer_limited[np.maximum(slot, 0)], False)
    met = np.where(known[None, :], backer_satisfied[:, np.maximum(slot, 0)], False)
    return np.broadcast_to(lim, met.shape), met


def served(spec: TalksSpec, backer_satisfied: Bools, trend: Floats) -> Bools:
    """Does a deal serve each backer's own objective? bool[run, S].

    A limited objective: once it is met (a deal locks it in). An open objective: when the
    war is turning against its client (the client's trend is down).
    """
    lim, met = _satisfied(spec, backer_satisfied)
    falling = trend[:, spec.sup_client] < 0
    return np.where(lim, met, falling)


def cost_multiplier(spec: TalksSpec, pressed: Bools) -> Floats:
    """float64[run, K]: each party's cost of fighting times ``backer_pressure`` per pressing
    backer."""
    k = spec.k
    onehot = (spec.sup_client[:, None] == np.arange(k)[None, :]).astype(float)  # [S, K]
    count = pressed.astype(float) @ onehot
    return np.asarray(spec.backer_pressure**count, dtype=float)


def aid_factor(spec: TalksSpec, pressed: Bools) -> Floats:
    """float64[run, N]: fraction of each scenario support entry's aid still delivered."""
    out = np.ones((pressed.shape[0], spec.n_support))
    out[:, spec.sup_entry] = np.where(pressed, spec.aid_cut, 1.0)
    return out


class Ceasefire(NamedTuple):
    """Consent to a ceasefire today: agree bool[run]; party_refused bool[run, K];
    backer_refused bool[run, S] (only backers that fly sorties for a party are asked)."""

    agree: Bools
    party_refused: Bools
    backer_refused: Bools


def seek_ceasefire(spec: TalksSpec, reservation: Floats, share: Floats,
                   backer_satisfied: Bools) -> Ceasefire:
    """Would the parties and their fighting backers freeze the lines today?

    A party consents iff fighting on is worth no more than what it holds (r <= share): a
    rising side refuses. A backer flying sorties for a party refuses while its limited
    objective is unmet, and otherwise follows its client.
    """
    party_no = reservation > share + TIE
    lim, met = _satisfied(spec, backer_satisfied)
    client_no = party_no[:, spec.sup_client]
    backer_no = spec.sup_fights[None, :] & ((lim & ~met) | client_no)
    agree = np.asarray(~party_no.any(axis=-1) & ~backer_no.any(axis=-1))
    return Ceasefire(agree, party_no, backer_no)


def ceasefire_pairs(spec: TalksSpec, ceasefire: Bools, n_actors: int) -> Bools:
    """bool[run, actor, actor]: pairs of actors (engine order) that must not fight today.

    Only the talks' parties are covered: others (e.g. ISIS) fight on.
    """
    covered = np.zeros((n_actors, n_actors), dtype=bool)
    covered[np.ix_(spec.party, spec.party)] = True
    np.fill_diagonal(covered, False)
    return ceasefire[:, None, None] & covered[None]
