"""Air power: each backer shares out its sorties over its client's enemies' places.

A place held by an enemy of the client (no ceasefire between them) scores

    strike_w[backer, holder] * (air_attack_weight * [the client attacks it today] x (1 + worth)
                                + air_threat_weight * force there x worth of the client's
                                  places next to it (threat to what they value)
                                + air_force_weight * force there)

where a place's worth is the larger of its normalised value to the client and to the backer
(the backer's own objective steers its air)

(forces normalised by the largest enemy garrison of the run), and receives sorties in
proportion to score ** air_focus. For a client with a main effort (see
:mod:`.operations`), "the client attacks it today" reads "the client attacks it today on its
axis", or on a day without such an assault "it is on the client's axis": the backer masses its
close support on the main effort's assaults, and prepares the axis between them. No target
list is fixed: as the front moves, so does the air.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .compile import Params, World
from .operations import air_factor
from .operations import focused as is_focused

__all__ = ["allocate", "boost", "close_support", "strike_losses"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


def _neighbour_max(x: F64, world: World) -> F64:
    padded = np.concatenate([x, np.zeros((x.shape[0], 1))], axis=1)
    return np.asarray(padded[:, world.nbr].max(axis=2))


def allocate(attacker: I64, control: I64, defender: F64, aid: F64, ceasefire: B,
             world: World, p: Params, axis: B | None = None, truce: B | None = None) -> F64:
    """float[run, support, place]: sorties flown by each support entry on each place today.
    For a client with a main effort (``axis``: bool[run, actor, place], its main effort, the
    neighbours and the road to it, :attr:`.operations.Plan.axis`) the close-support term goes
    to its assaults on the axis, or to the whole axis on a day without one, instead of to
    wherever it attacks. A place under a local truce between the client and its holder
    (``truce``: bool[place, actor, actor], :mod:`.truces`) is not struck."""
    n_r, n_p = control.shape
    rows = np.arange(n_r)[:, None]
    out = np.zeros((n_r, len(world.support_ids), n_p))
    focus = p.num("air_focus")
    focused = is_focused(p)
    for s in np.flatnonzero(p.sorties > 0):
        c, b = int(world.support_client[s]), int(world.support_backer[s])
        enemy = world.hostile[c][control] & ~ceasefire[:, c, :][rows, control]
        if truce is not None:
            enemy &= ~truce[:, c, :][np.arange(n_p)[None, :], control]
        f = np.where(enemy, defender, 0.0)
        fn = f / np.maximum(f.max(axis=1, keepdims=True), 1e-9)
        worth = np.maximum(world.obj_norm[c], world.obj_norm[b])  # to the client or backer
        valued = _neighbour_max(np.where(control == c, worth[None, :], 0.0), world)
        support = attacker == c
        if axis is not None and focused[c]:
            # Close support of the client's assaults on its axis; on a day without one, the
            # whole axis (preparation).
            on = axis[:, c, :]
            assault = on & support
            support = np.where(assault.any(axis=1, keepdims=True), assault, on)
        score = (p.num("air_attack_weight") * support * (1.0 + worth[None, :])
                 + p.num("air_threat_weight") * fn * valued + p.num("air_force_weight") * fn)
        score = np.where(enemy, score * p.strike_w[s][control], 0.0)
        if p.no_strike[s].any():  # a veto on targets
            score = np.where(p.no_strike[s][None, :], 0.0, score)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(score > 0, score ** focus, 0.0)
        total = w.sum(axis=1, keepdims=True)
        share = np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)
        out[:, s, :] = p.sorties[s] * aid[:, s, None] * share
    return out


def close_support(attacker: I64, world: World) -> B:
    """bool[run, support, place]: the entry's client assaults the place today, so the
    entry's sorties there are close support of that assault."""
    att = attacker[:, None, :]
    return np.asarray((world.support_client[None, :, None] == att) & (att >= 0))


def strike_losses(sorties: F64, defender: F64, attacker: I64, world: World,
                  p: Params) -> F64:
    """float[run, place]: fighters of the holder put out of action by today's sorties other
    than close support (whose toll is in the fitted loss rates of the assault, 7.5)."""
    apart = np.where(close_support(attacker, world), 0.0, sorties).sum(axis=1)
    return np.asarray(np.minimum(p.num("sortie_kill") * apart, defender))


def boost(sorties: F64, attacker: I64, garrison: F64, world: World, p: Params) -> F64:
    """float[run, place]: the attacker's fire multiplier from its backers' sorties there,
    on the holder's ``garrison`` (:func:`.operations.air_factor`)."""
    s = (sorties * close_support(attacker, world)).sum(axis=1)
    return air_factor(s, garrison, p)
