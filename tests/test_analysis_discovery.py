"""Scenario discovery: PRIM recovers a known box from synthetic data, then a smoke test of
the whole path (Latin hypercube, simulate, PRIM) on a small scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("scipy")

from ripeness.analysis import AnalysisError, discover, prim
from ripeness.cli import main

DATA = Path(__file__).parent / "data"

UNCERTAIN = """
[[uncertain]]
path = "places.capital.forces.gov"
low = 500
high = 4000
assumption = "test range"

[[uncertain]]
path = "places.village.forces.reb"
low = 100
high = 2000
assumption = "test range"
"""


def _synthetic(seed: int = 0, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [0, 1]^3; the outcome is x0 > 0.6 and x1 < 0.3, flipped in 3%."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3))
    y = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    flip = rng.random(n) < 0.03
    return x, y ^ flip


def test_prim_recovers_a_known_box() -> None:
    x, y = _synthetic()
    found = prim(x, y, alpha=0.05, min_mass=0.05)
    box = found.select(density=0.8)
    assert box.density > 0.8
    assert box.low[0] == pytest.approx(0.6, abs=0.1)
    assert box.high[1] == pytest.approx(0.3, abs=0.1)
    assert box.high[0] == pytest.approx(1.0, abs=0.1) and box.low[1] == pytest.approx(0.0, abs=0.1)
    assert box.low[2] == pytest.approx(0.0, abs=0.1) and box.high[2] == pytest.approx(1.0, abs=0.1)
    assert box.coverage > 0.7


def test_prim_trajectory_starts_with_all_data_and_respects_min_mass() -> None:
    x, y = _synthetic(seed=1)
    found = prim(x, y, min_mass=0.1)
    traj = found.trajectory()
    assert traj.loc[0, "mass"] == 1.0 and traj.loc[0, "coverage"] == 1.0
    assert traj.loc[0, "density"] == pytest.approx(y.mean())
    assert (traj["mass"] >= 0.1).all()
    assert np.all(np.diff(traj["mass"].to_numpy()) < 0)
    lines = found.describe(found.select(0.8))
    assert "x0" in lines[1] and "full range" in lines[1]


def test_prim_rejects_mismatched_data() -> None:
    with pytest.raises(AnalysisError):
        prim(np.zeros((3, 2)), np.zeros(4, dtype=bool))


def test_discover_on_a_scenario(tmp_path: Path) -> None:
    toy = tmp_path / "toy.toml"
    toy.write_text((DATA / "toy.toml").read_text() + UNCERTAIN)
    res = discover(toy, output="mil_dead", samples=6, runs=3, days=5, threshold=50.0)
    assert len(res.cases) == 6 * 3
    assert set(res.cases.columns) >= {"point", "run", "mil_dead", "interest",
                                      "places.capital.forces.gov"}
    assert res.manifest["cases_of_interest"] == int(res.cases["interest"].sum())
    assert "coverage" in res.report()


def test_cli_discover(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toy = tmp_path / "toy.toml"
    toy.write_text((DATA / "toy.toml").read_text() + UNCERTAIN)
    rc = main(["discover", str(toy), "--outcome", "mil_dead", "--threshold", "50",
               "--samples", "4", "--runs", "2", "--days", "4", "--out", str(tmp_path / "d")])
    assert rc == 0
    assert "density" in capsys.readouterr().out
    assert (tmp_path / "d" / "cases.csv").is_file()
    assert main(["discover", str(DATA / "toy.toml"), "--samples", "2"]) == 2
