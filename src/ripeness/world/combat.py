"""Combat: Lanchester attrition solved exactly over a day, and the breakpoint rule.

The kernel :func:`lanchester` gives the exact state of a two-sided Lanchester fight after time
``t`` (clipped at annihilation). The engine calls it with ``t = 1`` day and noisy, modified
fire coefficients; the theory tests call the same function with noise off and compare it with
the closed forms of the literature (square law, linear area-fire and "ancient" laws, Deitchman's
mixed law). Conventions (Taylor 1983): ``a`` is A's kill rate on B, ``b`` is B's on A.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEITCHMAN",
    "LINEAR_ANCIENT",
    "LINEAR_AREA",
    "SQUARE",
    "Battle",
    "Engagements",
    "breaks",
    "end_time",
    "fight",
    "lanchester",
]

F64 = NDArray[np.float64]

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


@dataclass(frozen=True)
class Battle:
    """One day's battles at every engaged place (float[run, place] unless said).

    attacker: int[run, place], the attacking actor (-1: no battle). att0, att1: attacking
    force before and after. def0, def1: the defending garrison before and after. broken:
    bool[run, place], the defender broke and the place changes hands.
    """

    attacker: NDArray[np.int64]
    att0: F64
    att1: F64
    def0: F64
    def1: F64
    broken: NDArray[np.bool_]


def breaks(def0: F64, def1: F64, att_power: F64, def_power: F64, engaged_start: F64,
           breakpoint: F64, rout_ratio: float,
           can_withdraw: ArrayLike = True) -> NDArray[np.bool_]:
    """The breakpoint rule: a defender breaks when its force falls below ``breakpoint`` of its
    strength at the start of the engagement, when the attackers' fire power left (fighters x
    fire coefficient, with terrain, fortification, supply and air) exceeds its own by
    ``rout_ratio``, or when it had (next to) nobody to begin with. Only a garrison that
    ``can_withdraw`` (it holds a neighbouring place to fall back to) routes: an encircled one
    has nowhere to go and fights on to its breakpoint."""
    out: NDArray[np.bool_] = np.asarray(can_withdraw, dtype=bool)
    routed = (att_power > rout_ratio * def_power) & out
    return np.asarray((def1 < breakpoint * engaged_start) | routed | (def0 < 1.0), dtype=bool)


@dataclass(frozen=True)
class Engagements:
    """Inputs to one day's battles (float[run, place] unless said).

    attacker: int[run, place], -1 where no battle. att0: committed attackers. def0: the
    holder's garrison (after strikes, less what it sent out). att_fire, def_fire: fire
    coefficients before noise (all modifiers applied). start: the defender's strength when
    the engagement began. can_withdraw: bool[run, place], the holder has a neighbouring place
    of its own to fall back to (None: everywhere). committed: every attacker sent at the place,
    of whom att0 fight (the frontage).
    """

    attacker: NDArray[np.int64]
    att0: F64
    def0: F64
    att_fire: F64
    def_fire: F64
    start: F64
    committed: F64
    can_withdraw: NDArray[np.bool_] | None = None


def fight(e: Engagements, noise: tuple[F64, F64], breakpoint: F64,
          rout_ratio: float) -> Battle:
    """Resolve every engagement for one day (square law, exact over dt = 1)."""
    rr, vv = np.nonzero(e.attacker >= 0)
    att1, def1 = (np.zeros_like(e.att0), np.zeros_like(e.def0))
    fa, fd = e.att_fire[rr, vv] * noise[0], e.def_fire[rr, vv] * noise[1]
    a1, d1 = lanchester(SQUARE, e.att0[rr, vv], e.def0[rr, vv], fa, fd, 1.0)
    att1[rr, vv], def1[rr, vv] = a1, d1
    broken = np.zeros(e.att0.shape, dtype=bool)
    out = True if e.can_withdraw is None else e.can_withdraw[rr, vv]
    broken[rr, vv] = breaks(e.def0[rr, vv], d1, a1 * fa, d1 * fd, e.start[rr, vv],
                            breakpoint[rr, vv], rout_ratio, out)
    return Battle(attacker=e.attacker, att0=np.where(e.attacker >= 0, e.att0, 0.0), att1=att1,
                  def0=np.where(e.attacker >= 0, e.def0, 0.0), def1=def1, broken=broken)
