"""How long a place would take to win: the planner's expectation from the fitted combat law.

A commander choosing a main effort weighs what a place is worth against what it will take.
With the force it can mass, the engine's own law (Helmbold's, fitted to CDB90, 7.5) gives the
daily loss fractions of the front district's defenders and of the attackers engaged, and the
breakpoints give the losses at which each gives up. The median days until the defender
breaks, ``t_D = b_D / l_D``, and until the attacker breaks off, ``t_A = b_A / l_A``, set the
chance that an assault wins its district: both breakpoints are log-normal with the spread
``break_spread``, so the defender breaks first with probability
``Phi(ln(t_A / t_D) / (break_spread * sqrt 2))``. An assault lasts about the shorter of the
two; a district takes that divided by the chance of winning it, and the place its districts
one after another. A besieged garrison with its stocks whole fights to the last, and a
starved one breaks sooner than a supplied one (its breakpoint times its stocks over the share
spent, 7.5), so a fresh siege is slow to storm and a starving one quick: the planner waits for
hunger to do its work.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from .combat import FIRE_REFERENCE
from .compile import Params
from .supply import siege_break

__all__ = ["days_to_take"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def days_to_take(a: int, engaged: F64, air: F64, control: I64, ctx: dict[str, F64],
                 p: Params, defence: F64) -> F64:
    """float[run, place]: the days actor a expects to take each place with ``engaged``
    fighters at hand (before the frontage cap) and close-air-support multiplier ``air``;
    ``defence``: float[place], the divisor of its fire (terrain, fortification). Inf where it
    engages no one. ``ctx``: the planner's arrays (front, depth, supply, supplied)."""
    k = p.num("combat_intensity")
    w = p.num("helmbold_exponent")
    front = np.maximum(ctx["front"], 1.0)
    ratio = np.minimum(engaged / front, p.num("frontage"))
    fire = p.by_actor("fire_rate") / FIRE_REFERENCE
    e_att = fire[a] * air / defence[None, :]
    e_def = fire[control] * ctx["supply"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        l_def = np.minimum(k * p.num("defender_loss_rate") * e_att * ratio ** w, 1.0)
        l_att = np.minimum(k * p.num("attacker_loss_rate") * e_def * ratio ** -w, 1.0)
        b_def = _cornered(k * p.by_actor("break_loss")[control], ctx, p)
        b_att = k * p.by_actor("attack_break_loss")[a]
        t_def = b_def / l_def
        t_att = b_att / l_att
        spread = max(p.num("break_spread"), 1e-9) * np.sqrt(2.0)
        win = ndtr(np.log(t_att / t_def) / spread)
        per = np.maximum(np.minimum(t_def, t_att), 1.0) / win
    days = ctx["depth"] * per
    return np.asarray(np.where((ratio > 0) & np.isfinite(days), days, np.inf))


def _cornered(brk: F64, ctx: dict[str, F64], p: Params) -> F64:
    """The defender's breakpoint as the engine draws it for a besieged garrison
    (``supply.siege_break``, engine._cornered)."""
    return np.asarray(np.where(ctx["supplied"], brk, siege_break(brk, ctx["supply"], p)),
                      dtype=np.float64)
