"""Combat: one day of the attrition law fitted to historical battles, and the breakpoints.

The engine's law (:func:`helmbold_day`) is Helmbold's: each side loses in a day the fraction
``lambda x (enemy's effectiveness) x (enemy / own numbers) ** w`` of its engaged fighters,
with ``lambda`` (one for the attacker, one for the defender) and ``w`` fitted to CDB90's
battles
(:mod:`ripeness.backtest.cdb90`). A side breaks when its losses since the assault began pass
its breakpoint, a loss fraction drawn for each assault from the log-normal fitted to the same
battles (:func:`breaks`): the defender gives up the place (or one of its districts), the
attacker breaks off.

The closed-form Lanchester kernel :func:`lanchester` (square law, linear area-fire and
"ancient" laws, Deitchman's mixed law; conventions of Taylor 1983: ``a`` is A's kill rate on
B, ``b`` is B's on A) is kept for the theory tests and as the reference the fitted law departs
from: the square law is the case ``w = 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEITCHMAN",
    "FIRE_REFERENCE",
    "LINEAR_ANCIENT",
    "LINEAR_AREA",
    "SQUARE",
    "Battle",
    "Engagements",
    "breaks",
    "end_time",
    "fight",
    "helmbold_day",
    "lanchester",
]

F64 = NDArray[np.float64]

FIRE_REFERENCE: Final = 0.012
"""The fire rate (``fire_rate``'s default) at which an actor's effectiveness is 1: the
fitted loss rates are those of the reference."""

SQUARE: Final = 0  # aimed fire: dA/dt = -b B, dB/dt = -a A
LINEAR_AREA: Final = 1  # area fire: dA/dt = -b A B, dB/dt = -a A B
LINEAR_ANCIENT: Final = 2  # one-on-one duels: dA/dt = -b, dB/dt = -a
DEITCHMAN: Final = 3  # A conventional, B guerrilla: dA/dt = -b B, dB/dt = -a A B


def _arrays(*xs: ArrayLike) -> list[F64]:
    return [np.asarray(x, dtype=np.float64) for x in np.broadcast_arrays(*xs)]


def _square(A0: F64, B0: F64, a: F64, b: F64, t: F64) -> tuple[F64, F64]:
    g = np.sqrt(a * b)
    tau = np.minimum(t, end_time(SQUARE, A0, B0, a, b))
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        ka, kb = np.sqrt(b / a), np.sqrt(a / b)
        up, down = np.exp(g * tau), np.exp(-g * tau)
        ca, cb = 0.5 * (A0 - ka * B0), 0.5 * (B0 - kb * A0)
        A = np.where(ca == 0, 0.0, ca * up) + 0.5 * (A0 + ka * B0) * down
        B = np.where(cb == 0, 0.0, cb * up) + 0.5 * (B0 + kb * A0) * down
        flat = g == 0  # one side does not fire: straight-line losses
        A = np.where(flat, A0 - b * B0 * tau, A)
        B = np.where(flat, B0 - a * A0 * tau, B)
    return _clip(A, B, A0, B0, a, b, t)


def _clip(A: F64, B: F64, A0: F64, B0: F64, a: F64, b: F64, t: F64) -> tuple[F64, F64]:
    """Square law: after annihilation the loser is exactly 0; nothing goes negative."""
    over = t >= end_time(SQUARE, A0, B0, a, b)
    A = np.where(over & ~(a * A0**2 > b * B0**2), 0.0, A)
    B = np.where(over & ~(b * B0**2 > a * A0**2), 0.0, B)
    return np.maximum(A, 0.0), np.maximum(B, 0.0)


def _area(A0: F64, B0: F64, a: F64, b: F64, t: F64) -> tuple[F64, F64]:
    K = a * A0 - b * B0

    def phi(k: F64) -> F64:  # (exp(k t) - 1) / k, and t at k = 0
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return np.where(k == 0, t, np.expm1(k * t) / np.where(k == 0, 1.0, k))

    with np.errstate(invalid="ignore", over="ignore"):
        B = B0 / (1.0 + a * A0 * phi(K))
        A = A0 / (1.0 + b * B0 * phi(-K))
    return np.nan_to_num(A, nan=0.0), np.nan_to_num(B, nan=0.0)


def _ancient(A0: F64, B0: F64, a: F64, b: F64, t: F64) -> tuple[F64, F64]:
    tau = np.minimum(t, end_time(LINEAR_ANCIENT, A0, B0, a, b))
    return np.maximum(A0 - b * tau, 0.0), np.maximum(B0 - a * tau, 0.0)


def _deitchman(X0: F64, Y0: F64, h: F64, g: F64, t: F64) -> tuple[F64, F64]:
    """X conventional (kill rate h on Y by area fire), Y guerrilla (aimed, rate g on X)."""
    C = h * X0**2 - 2 * g * Y0
    tau = np.minimum(t, end_time(DEITCHMAN, X0, Y0, h, g))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s, m = np.sqrt(np.abs(C) / h), np.sqrt(np.abs(C) / h)
        R = (X0 - s) / (X0 + s) * np.exp(-h * s * tau)
        win = s * (1 + R) / (1 - R)
        lose = m * np.tan(np.arctan(X0 / m) - h * m * tau / 2)
        par = X0 / (1 + h * X0 * tau / 2)
        X = np.where(C > 0, win, np.where(C < 0, lose, par))
        Y = Y0 - h * (X0**2 - X**2) / (2 * g)
        X = np.where(g == 0, X0, np.where(h == 0, X0 - g * Y0 * tau, X))
        Y = np.where(g == 0, Y0 * np.exp(-h * X0 * tau), np.where(h == 0, Y0, Y))
    return np.maximum(np.nan_to_num(X), 0.0), np.maximum(np.nan_to_num(Y), 0.0)


def end_time(law: int, A0: ArrayLike, B0: ArrayLike, a: ArrayLike, b: ArrayLike) -> F64:
    """Time at which one side is annihilated (inf when that happens only as t -> inf)."""
    A0_, B0_, a_, b_ = _arrays(A0, B0, a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        if law == SQUARE:
            g = np.sqrt(a_ * b_)
            sa, sb = np.sqrt(a_) * A0_, np.sqrt(b_) * B0_
            x = np.minimum(sa, sb) / np.maximum(sa, sb)
            t = np.where(g > 0, np.arctanh(x) / np.where(g > 0, g, 1.0),
                         np.minimum(B0_ / (a_ * A0_), A0_ / (b_ * B0_)))
            t = np.where((A0_ <= 0) | (B0_ <= 0), 0.0, t)
        elif law == LINEAR_ANCIENT:
            t = np.minimum(A0_ / b_, B0_ / a_)
        elif law == DEITCHMAN:
            C = a_ * A0_**2 - 2 * b_ * B0_
            m = np.sqrt(np.abs(C) / a_)
            t = np.where(C < 0, 2 * np.arctan(A0_ / m) / (a_ * m), np.inf)
            t = np.where(A0_ <= 0, 0.0, t)
        else:  # linear area fire: only asymptotic annihilation
            t = np.where((A0_ <= 0) | (B0_ <= 0), 0.0, np.inf)
    return np.where(np.isnan(t), np.inf, t)


def lanchester(law: int, A0: ArrayLike, B0: ArrayLike, a: ArrayLike, b: ArrayLike,
               t: ArrayLike) -> tuple[F64, F64]:
    """The exact forces (A, B) after time ``t`` of a fight under ``law`` (arrays broadcast).

    ``t = inf`` gives the final state. Units: forces in fighters, rates per day, t in days.
    """
    A0_, B0_, a_, b_, t_ = _arrays(A0, B0, a, b, t)
    solve = {SQUARE: _square, LINEAR_AREA: _area, LINEAR_ANCIENT: _ancient,
             DEITCHMAN: _deitchman}[law]
    return solve(A0_, B0_, a_, b_, t_)


def helmbold_day(att: ArrayLike, dfd: ArrayLike, lam_att: float, lam_def: float, w: float,
                 eff_att: ArrayLike = 1.0, eff_def: ArrayLike = 1.0, shock_att: ArrayLike = 1.0,
                 shock_def: ArrayLike = 1.0) -> tuple[F64, F64]:
    """(attackers, defenders) after one day of Helmbold's law (arrays broadcast).

    With r = att / dfd (numbers), the attackers lose the fraction ``min(lam_att x eff_def x
    r ** -w x shock_att, 1)`` and the defenders ``min(lam_def x eff_att x r ** w x shock_def,
    1)``: Helmbold's dD/dt = -a A^w D^(1-w), in which the numbers enter with the exponent w
    and a side's effectiveness (``eff``, 1 at the reference: quality, terrain and
    fortification, air, supply) multiplies the loss it inflicts, as a kill rate does in
    Lanchester's laws. ``w = 1`` gives the square law's daily rates, ``w = 0`` a fixed daily
    fraction whatever the enemy's numbers; CDB90 gives about a third (Helmbold 1965; 1993).
    A side with no one inflicts nothing and loses all it engaged.
    """
    a0, d0, ea, ed, sa, sd = _arrays(att, dfd, eff_att, eff_def, shock_att, shock_def)
    with np.errstate(over="ignore"):  # a vanishing garrison: the ratio is inf, handled below
        r = np.divide(a0, d0, out=np.full(a0.shape, np.inf), where=d0 > 0)
    r = np.where(a0 > 0, r, 0.0)
    some = (r > 0) & np.isfinite(r)
    x = np.where(some, r, 1.0)
    loss_a = np.where(some, np.minimum(lam_att * ed * x ** -w * sa, 1.0),
                      np.where(r > 0, 0.0, 1.0))
    loss_d = np.where(some, np.minimum(lam_def * ea * x ** w * sd, 1.0),
                      np.where(r > 0, 1.0, 0.0))
    return a0 * (1.0 - loss_a), d0 * (1.0 - loss_d)


@dataclass(frozen=True)
class Battle:
    """One day's battles at every engaged place (float[run, place] unless said).

    attacker: int[run, place], the attacking actor (-1: no battle). att0, att1: engaged
    attackers before and after. def0, def1: the defending garrison before and after. broken:
    bool[run, place], the defender broke (it gives up the place, or a district of it).
    repulsed: bool[run, place], the attacker broke off (the assault ends, the place holds).
    att_lost, def_lost: each side's losses since the assault began, today's included.
    """

    attacker: NDArray[np.int64]
    att0: F64
    att1: F64
    def0: F64
    def1: F64
    broken: NDArray[np.bool_]
    repulsed: NDArray[np.bool_]
    att_lost: F64
    def_lost: F64


def breaks(def0: ArrayLike, def1: ArrayLike, def_lost: ArrayLike, def_break: ArrayLike,
           att0: ArrayLike, att1: ArrayLike, att_lost: ArrayLike,
           att_break: ArrayLike) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """The breakpoint rule: (defender broke, attacker broke off).

    A side's loss in the assault is the share of all its fighters who have fought in it that
    are out of action: (``lost`` before today + today's loss) / (``lost`` before today +
    today's engaged strength), as CDB90 counts a battle's casualties against the strength
    engaged (reinforcements included). A side breaks when its loss reaches its breakpoint
    (loss fractions drawn for the assault). If both do on the same day, the one further past
    its breakpoint (loss over breakpoint) breaks, the defender on a tie. A defender that had
    (next to) nobody to begin with breaks at once.
    """
    d0, d1, dl, db, a0, a1, al, ab = _arrays(def0, def1, def_lost, def_break, att0, att1,
                                             att_lost, att_break)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_over = np.where(dl + d0 > 0, (dl + d0 - d1) / (dl + d0) / db, np.inf)
        a_over = np.where(al + a0 > 0, (al + a0 - a1) / (al + a0) / ab, 0.0)
    broken = ((d_over >= 1.0) & (d_over >= a_over)) | (d0 < 1.0)
    return np.asarray(broken), np.asarray((a_over >= 1.0) & ~broken)


@dataclass(frozen=True)
class Engagements:
    """Inputs to one day's battles (float[run, place] unless said).

    attacker: int[run, place], -1 where no battle. att0: engaged attackers (at most the
    frontage). def0: the holder's garrison (after strikes, less what it sent out). att_fire,
    def_fire: combat power per fighter before noise (all modifiers applied; only their ratio
    enters the law; air is apart). air: the attacker's close-air-support multiplier on the
    defender's losses. start: the defender's strength when the assault began. att_lost,
    def_lost: each side's losses in the assault before today. def_break, att_break: the
    assault's breakpoints (loss fractions). committed: every attacker sent at the place, of
    whom att0 fight (the frontage).
    """

    attacker: NDArray[np.int64]
    att0: F64
    def0: F64
    att_fire: F64
    def_fire: F64
    start: F64
    committed: F64
    att_lost: F64
    def_lost: F64
    def_break: F64
    att_break: F64


def fight(e: Engagements, noise: tuple[F64, F64], lam_att: float, lam_def: float,
          w: float) -> Battle:
    """Resolve every engagement for one day (:func:`helmbold_day`, then :func:`breaks`)."""
    rr, vv = np.nonzero(e.attacker >= 0)
    att1, def1 = (np.zeros_like(e.att0), np.zeros_like(e.def0))
    a1, d1 = helmbold_day(e.att0[rr, vv], e.def0[rr, vv], lam_att, lam_def, w,
                          e.att_fire[rr, vv], e.def_fire[rr, vv], noise[0], noise[1])
    att1[rr, vv], def1[rr, vv] = a1, d1
    broken = np.zeros(e.att0.shape, dtype=bool)
    repulsed = np.zeros(e.att0.shape, dtype=bool)
    broken[rr, vv], repulsed[rr, vv] = breaks(
        e.def0[rr, vv], d1, e.def_lost[rr, vv], e.def_break[rr, vv], e.att0[rr, vv], a1,
        e.att_lost[rr, vv], e.att_break[rr, vv])
    on = e.attacker >= 0
    return Battle(attacker=e.attacker, att0=np.where(on, e.att0, 0.0), att1=att1,
                  def0=np.where(on, e.def0, 0.0), def1=def1, broken=broken, repulsed=repulsed,
                  att_lost=np.where(on, e.att_lost + e.att0 - att1, 0.0),
                  def_lost=np.where(on, e.def_lost + e.def0 - def1, 0.0))
