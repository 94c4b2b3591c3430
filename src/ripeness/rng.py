"""Counter-based random numbers: every draw is a pure function of where it is used.

A draw depends only on (root seed, run index, day, purpose, element index), mixed with
SplitMix64's finaliser in numpy uint64 arithmetic. Run k therefore sees the same numbers alone,
inside a batch of any size or in any chunk, and a variant scenario run with the same seed sees
the same numbers as its baseline (common random numbers). There is no hidden state: no
``np.random`` global, no generator object to advance.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "AIR",
    "BREAK_ATTACKER",
    "BREAK_DEFENDER",
    "COMBAT_ATTACKER",
    "COMBAT_DEFENDER",
    "FORECAST",
    "PEOPLE",
    "TALKS",
    "TALKS_CEASEFIRE",
    "bits",
    "normal",
    "uniform",
]

# Purposes: one named code per use, so that two uses never share a stream.
COMBAT_ATTACKER: Final = 1
COMBAT_DEFENDER: Final = 2
AIR: Final = 3
PEOPLE: Final = 4
TALKS: Final = 5
TALKS_CEASEFIRE: Final = 6
FORECAST: Final = 7
BREAK_DEFENDER: Final = 8
BREAK_ATTACKER: Final = 9

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser: a bijection of uint64 with good avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _u64(x: ArrayLike) -> NDArray[np.uint64]:
    return np.asarray(x).astype(np.uint64)


def bits(seed: int, run: ArrayLike, day: int, purpose: int,
         element: ArrayLike) -> NDArray[np.uint64]:
    """64 random bits per (run, element) pair; ``run`` and ``element`` broadcast together."""
    with np.errstate(over="ignore"):
        key = _mix(np.asarray(np.uint64(seed % 2**64) + _GOLDEN))
        key = _mix(key + _u64(day) * _GOLDEN + _u64(purpose))
        h = _mix(key ^ _mix(_u64(run) + _GOLDEN))
        return _mix(h + (_u64(element) + np.uint64(1)) * _GOLDEN)


def uniform(seed: int, run: ArrayLike, day: int, purpose: int,
            element: ArrayLike) -> NDArray[np.float64]:
    """Uniform draws on [0, 1) with 53 random bits."""
    b = bits(seed, run, day, purpose, element)
    return (b >> _S11).astype(np.float64) * (1.0 / 2**53)


def normal(seed: int, run: ArrayLike, day: int, purpose: int,
           element: ArrayLike) -> NDArray[np.float64]:
    """Standard normal draws (Box–Muller on two uniforms at elements 2i and 2i+1)."""
    e = _u64(element) * np.uint64(2)
    u1 = 1.0 - uniform(seed, run, day, purpose, e)  # in (0, 1]: log is finite
    u2 = uniform(seed, run, day, purpose, e + np.uint64(1))
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
