"""Backers at the table: they act on their own aims.

S support entries link a backer to a party (``TalksSpec.sup_*``); M entries link a backer to a
client that is not at the table (``TalksSpec.np_*``), for which the backer speaks. Arrays have
a leading run axis.

* A backer whose limited aim is unmet refuses a ceasefire (if it flies sorties for a party)
  and withholds its guarantee from a settlement: a deal its aircraft would not respect is no
  deal (Walter 2002, third-party guarantees).
* A backer whose limited aim is met presses its client toward a deal (its felt costs rise by
  ``backer_pressure``) and, while that client is still gaining ground it no longer needs,
  restrains it (cuts its aid to ``aid_cut``); a losing client keeps its aid, which the aim
  still needs.
* A backer with an open aim presses a client that is losing (a deal now serves it better
  than more losses) and keeps its aid.
* A client not at the table is bound by a ceasefire when every backer that speaks for it
  consents (a limited aim unmet refuses).
* A backer that mediates or co-sponsors the talks presses its client whenever it is at the
  table, whatever its aims: it has staked its standing on the talks and can deliver its side
  (Svensson 2007; Beardsley 2011, leverage).
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
    "guarantee_withheld",
    "restrained",
    "seek_ceasefire",
    "served",
]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


def _aims(backer: NDArray[np.int64], limited: Bools,
          backer_satisfied: Bools) -> tuple[Bools, Bools]:
    """Per entry, bool[run, E]: the backer's objective is limited / is met."""
    known = backer >= 0
    slot = np.maximum(backer, 0)
    lim = np.where(known, limited[slot], False)
    met = np.where(known[None, :], backer_satisfied[:, slot], False)
    return np.broadcast_to(lim, met.shape), met


def _satisfied(spec: TalksSpec, backer_satisfied: Bools) -> tuple[Bools, Bools]:
    return _aims(spec.sup_backer, spec.backer_limited, backer_satisfied)


def served(spec: TalksSpec, backer_satisfied: Bools, drift: Floats) -> Bools:
    """Does a deal serve each backer's own aim, so that it presses its client? bool[run, S].

    A limited aim: once it is met (a deal locks it in). An open aim: when its client is
    losing ground (``drift``: the client's learnt drift without its optimism, as the backer
    sees it, is negative).
    """
    lim, met = _satisfied(spec, backer_satisfied)
    falling = drift[:, spec.sup_client] < 0
    out = np.where(lim, met, falling)
    if spec.sup_sponsor is not None:  # a mediating backer's leverage: it presses regardless
        out = out | spec.sup_sponsor[None, :]
    return np.asarray(out)


def restrained(spec: TalksSpec, pressed: Bools, backer_satisfied: Bools,
               drift: Floats) -> Bools:
    """bool[run, S]: a pressing backer whose limited aim is met cuts the aid of a client that
    is still gaining ground."""
    lim, met = _satisfied(spec, backer_satisfied)
    return np.asarray(pressed & lim & met & (drift[:, spec.sup_client] > 0))


def cost_multiplier(spec: TalksSpec, pressed: Bools) -> Floats:
    """float64[run, K]: each party's cost of fighting times ``backer_pressure`` per pressing
    backer."""
    k = spec.k
    onehot = (spec.sup_client[:, None] == np.arange(k)[None, :]).astype(float)  # [S, K]
    count = pressed.astype(float) @ onehot
    return np.asarray(spec.backer_pressure**count, dtype=float)


def aid_factor(spec: TalksSpec, restrain: Bools) -> Floats:
    """float64[run, N]: fraction of each scenario support entry's aid still delivered."""
    out = np.ones((restrain.shape[0], spec.n_support))
    out[:, spec.sup_entry] = np.where(restrain, spec.aid_cut, 1.0)
    return out


def guarantee_withheld(spec: TalksSpec, backer_satisfied: Bools) -> Bools:
    """bool[run, S]: a backer flying sorties for a party whose limited aim is unmet withholds
    its guarantee from a settlement (its strikes would go on)."""
    lim, met = _satisfied(spec, backer_satisfied)
    return np.asarray(spec.sup_fights[None, :] & lim & ~met)


class Ceasefire(NamedTuple):
    """Consent to a ceasefire today: agree bool[run]; party_refused bool[run, K];
    backer_refused bool[run, S] (only backers that fly sorties for a party are asked);
    covered bool[run, M], clients not at the table that their backers bind to it."""

    agree: Bools
    party_refused: Bools
    backer_refused: Bools
    covered: Bools


def seek_ceasefire(spec: TalksSpec, reservation: Floats, share: Floats,
                   backer_satisfied: Bools) -> Ceasefire:
    """Would the parties and their fighting backers freeze the lines today?

    A party consents iff fighting on is worth no more than what it holds (r <= share): a
    rising side refuses. A backer flying sorties for a party refuses while its limited
    objective is unmet, and otherwise follows its client. A client not at the table is
    covered when none of the backers that speak for it has a limited aim unmet.
    """
    party_no = reservation > share + TIE
    lim, met = _satisfied(spec, backer_satisfied)
    client_no = party_no[:, spec.sup_client]
    backer_no = spec.sup_fights[None, :] & ((lim & ~met) | client_no)
    agree = np.asarray(~party_no.any(axis=-1) & ~backer_no.any(axis=-1))
    unmet = np.asarray(spec.backer_limited[None, :] & ~backer_satisfied)  # [run, B]
    refuse = unmet.astype(float) @ spec.np_speaks.T.astype(float)  # [run, M]
    speaks = np.asarray(spec.np_speaks.any(axis=1))
    covered = np.asarray(refuse == 0) & speaks[None, :]
    return Ceasefire(agree, party_no, backer_no, covered)


def ceasefire_pairs(spec: TalksSpec, ceasefire: Bools, n_actors: int,
                    covered: Bools | None = None) -> Bools:
    """bool[run, actor, actor]: pairs of actors (engine order) that must not fight today.

    The talks' parties, and the clients not at the table that their backers bind
    (``covered`` bool[run, M]); others (e.g. ISIS) fight on.
    """
    runs = ceasefire.shape[0]
    inside = np.zeros((runs, n_actors), dtype=bool)
    inside[:, spec.party] = True
    if covered is not None and len(spec.np_client):
        inside[:, spec.np_client] |= covered
    pairs = inside[:, :, None] & inside[:, None, :]
    idx = np.arange(n_actors)
    pairs[:, idx, idx] = False
    return np.asarray(ceasefire[:, None, None] & pairs)
