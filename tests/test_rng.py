"""The counter-based generator: statistics, independence of purposes, invariance."""

from __future__ import annotations

import numpy as np

from ripeness import rng


def test_uniform_and_normal_moments() -> None:
    u = rng.uniform(1, np.arange(2000)[:, None], 3, rng.AIR, np.arange(50)[None, :])
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    z = rng.normal(1, np.arange(2000)[:, None], 3, rng.AIR, np.arange(50)[None, :])
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1) < 0.02
    assert abs((np.abs(z) < 1.96).mean() - 0.95) < 0.005


def test_purposes_days_and_seeds_are_independent() -> None:
    run, el = np.arange(5000), np.zeros(5000, dtype=np.int64)
    base = rng.normal(7, run, 0, rng.COMBAT_ATTACKER, el)
    for other in (rng.normal(7, run, 0, rng.COMBAT_DEFENDER, el),
                  rng.normal(7, run, 1, rng.COMBAT_ATTACKER, el),
                  rng.normal(8, run, 0, rng.COMBAT_ATTACKER, el)):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.05
        assert not np.array_equal(base, other)


def test_a_draw_depends_only_on_its_coordinates() -> None:
    """Run 3 sees the same numbers alone or inside any batch (batch invariance)."""
    batch = rng.uniform(0, np.arange(8)[:, None], 5, rng.AIR, np.arange(10)[None, :])
    alone = rng.uniform(0, np.array([3])[:, None], 5, rng.AIR, np.arange(10)[None, :])
    assert np.array_equal(batch[3], alone[0])
    again = rng.uniform(0, np.arange(8)[:, None], 5, rng.AIR, np.arange(10)[None, :])
    assert np.array_equal(batch, again)
