"""The combat kernel reproduces the Lanchester closed forms of the literature.

The function under test is :func:`ripeness.world.combat.lanchester`, the very kernel the
engine calls once a day per battle (with t = 1 and noisy fire); here it runs with noise off
and ``t`` set to the vector's time, and ``t = inf`` for the final state.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ripeness.world.combat import (
    DEITCHMAN,
    LINEAR_ANCIENT,
    LINEAR_AREA,
    SQUARE,
    end_time,
    lanchester,
)

VECTORS = Path(__file__).resolve().parent / "data" / "theory" / "vectors.json"
LAWS = {
    "lanchester_square_law": SQUARE,
    "lanchester_linear_law_area_fire": LINEAR_AREA,
    "lanchester_linear_law_ancient": LINEAR_ANCIENT,
    "deitchman1962_guerrilla_mixed_law": DEITCHMAN,
}


def _vectors() -> list[dict[str, Any]]:
    if not VECTORS.is_file():
        return []
    return [v for v in json.loads(VECTORS.read_text())["vectors"] if v["model"] in LAWS]


def _close(got: float, want: float, tol: dict[str, float]) -> bool:
    return abs(got - want) <= max(tol.get("abs", 1e-6), tol.get("rel", 1e-5) * abs(want))


def _solve(v: dict[str, Any]) -> dict[str, Any]:
    """Every field a vector may give, computed from the kernel."""
    law, i = LAWS[v["model"]], v["inputs"]
    if law == DEITCHMAN:  # A = X (conventional, area fire h), B = Y (guerrilla, aimed g)
        A0, B0, a, b = i["X0"], i["Y0"], i["h"], i["g"]
    else:
        A0, B0, a, b = i["A0"], i["B0"], i["a"], i["b"]
    At, Bt = (float(x) for x in lanchester(law, A0, B0, a, b, i.get("t", 0.0)))
    Af, Bf = (float(x) for x in lanchester(law, A0, B0, a, b, math.inf))
    t_end = float(end_time(law, A0, B0, a, b))
    names = ("X_conventional", "Y_guerrilla") if law == DEITCHMAN else ("A", "B")
    winner = names[0] if Af > 1e-9 >= Bf else names[1] if Bf > 1e-9 >= Af else "draw"
    out = {"at_t": (At, Bt), "final": (Af, Bf), "winner": winner,
           "t_end": None if math.isinf(t_end) else t_end, "finite_time": math.isfinite(t_end),
           "invariant_aA2_minus_bB2": a * At**2 - b * Bt**2,
           "invariant_aA_minus_bB": a * At - b * Bt,
           "invariant_hX2_minus_2gY": a * At**2 - 2 * b * Bt}
    return out


@pytest.mark.parametrize("v", _vectors(), ids=lambda v: v["case"])
def test_kernel_matches_closed_form(v: dict[str, Any]) -> None:
    got, want, tol = _solve(v), v["expected"], v["tolerance"]
    x = "X" if v["model"].startswith("deitchman") else "A"
    y = "Y" if x == "X" else "B"
    checks = {f"{x}_at_t": got["at_t"][0], f"{y}_at_t": got["at_t"][1],
              f"{x}_final": got["final"][0], f"{y}_final": got["final"][1]}
    checks.update({k: got[k] for k in got if k.startswith("invariant")})
    for key, value in checks.items():
        if key in want:
            assert _close(value, want[key], tol), (key, value, want[key])
    assert got["winner"] == want["winner"]
    if "finite_time" in want:
        assert got["finite_time"] == want["finite_time"]
    if "t_end" in want:
        if want["t_end"] is None:
            assert got["t_end"] is None
        else:
            assert got["t_end"] is not None and _close(got["t_end"], want["t_end"], tol)


def test_vectors_cover_every_law() -> None:
    assert {v["model"] for v in _vectors()} == set(LAWS)


def test_kernel_is_vectorised_and_never_negative() -> None:
    rng = np.random.default_rng(0)
    A0, B0 = rng.uniform(0, 1000, 50), rng.uniform(0, 1000, 50)
    a, b = rng.uniform(0, 0.1, 50), rng.uniform(0, 0.1, 50)
    for law in LAWS.values():
        A, B = lanchester(law, A0, B0, a, b, rng.uniform(0, 200, 50))
        assert A.shape == (50,) and (A >= 0).all() and (B >= 0).all()
        assert (A <= A0 + 1e-9).all() and (B <= B0 + 1e-9).all()


def test_square_law_one_day_steps_compose() -> None:
    """The engine's daily steps (t = 1, noise off) compose to the closed form over t days."""
    A, B = np.array(1000.0), np.array(800.0)
    for _ in range(50):
        A, B = lanchester(SQUARE, A, B, 0.01, 0.01, 1.0)
    want_A, want_B = lanchester(SQUARE, 1000.0, 800.0, 0.01, 0.01, 50.0)
    assert float(A) == pytest.approx(float(want_A), rel=1e-9)
    assert float(B) == pytest.approx(float(want_B), rel=1e-9)
