"""Sensitivity analysis: the SALib wrapper against the Ishigami function's analytic indices,
then a smoke test of the whole path on a small scenario (patch, simulate, analyse)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("SALib")

from ripeness.analysis import AnalysisError, Space, run_design, sensitivity
from ripeness.cli import main
from ripeness.scenario import read

DATA = Path(__file__).parent / "data"

# The toy scenario with two declared uncertain numbers: the capital's garrison (it fights)
# and the population of the border crossing, which has no civilians to kill at 0 and whose
# range only moves it between 0 and 1 person (inert for military dead).
UNCERTAIN = """
[[uncertain]]
path = "places.capital.forces.gov"
low = 500
high = 4000
assumption = "test range"

[[uncertain]]
path = "places.border.population"
low = 0
high = 1
assumption = "test range: inert"
"""


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.toml"
    path.write_text((DATA / "toy.toml").read_text() + UNCERTAIN)
    return path


def _ishigami() -> tuple[dict[str, object], object]:
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    return problem, Ishigami.evaluate


def test_sobol_recovers_ishigami_first_order_indices() -> None:
    """Analytic S1 of Ishigami (a=7, b=0.1): 0.314, 0.442, 0.0; ST of x3: 0.244."""
    problem, f = _ishigami()
    table, x, y = run_design(f, problem, "sobol", 1024, seed=1)
    assert x.shape == (1024 * 5, 3) and y.shape == (1024 * 5,)
    assert table.loc[["x1", "x2", "x3"], "S1"].to_numpy() == pytest.approx(
        [0.314, 0.442, 0.0], abs=0.05)
    assert table.loc["x3", "ST"] == pytest.approx(0.244, abs=0.05)
    assert set(table.columns) == {"S1", "S1_conf", "ST", "ST_conf"}


def test_morris_ranks_ishigami_inputs() -> None:
    """Morris mu* on Ishigami: x1 and x2 matter and x3 matters only through x1 (mu* small
    against x1)."""
    problem, f = _ishigami()
    table, x, _ = run_design(f, problem, "morris", 50, seed=1)
    assert x.shape == (50 * 4, 3)
    assert table["mu_star"].min() >= 0
    assert table.loc["x1", "mu_star"] > table.loc["x3", "mu_star"]


def test_design_is_deterministic() -> None:
    problem, f = _ishigami()
    a, _, _ = run_design(f, problem, "morris", 10, seed=3)
    b, _, _ = run_design(f, problem, "morris", 10, seed=3)
    assert a.equals(b)


def test_space_maps_log_ranges_on_a_log_scale() -> None:
    space = Space(("a", "b"), np.array([1.0, 1.0]), np.array([100.0, 100.0]),
                  np.array([False, True]))
    v = space.scale(np.array([[0.5, 0.5]]))
    assert v[0] == pytest.approx([50.5, 10.0])


def test_bad_requests_are_analysis_errors(toy: Path) -> None:
    with pytest.raises(AnalysisError, match="power of 2"):
        sensitivity(toy, method="sobol", samples=6, runs=2, days=2)
    with pytest.raises(AnalysisError, match="unknown output"):
        sensitivity(toy, output="happiness", runs=2, days=2)
    with pytest.raises(AnalysisError, match="no \\[\\[uncertain\\]\\]"):
        sensitivity(DATA / "toy.toml", runs=2, days=2)


def test_morris_on_a_scenario_ranks_the_garrison_above_an_inert_number(toy: Path) -> None:
    res = sensitivity(read(toy), method="morris", samples=4, runs=4, days=8,
                      output="mil_dead", seed=0)
    assert list(res.table.columns) == ["mu_star", "mu_star_conf", "mu", "sigma"]
    assert res.table.shape == (2, 4)
    assert res.table.index[0] == "places.capital.forces.gov"
    assert res.table.loc["places.capital.forces.gov", "mu_star"] > \
        res.table.loc["places.border.population", "mu_star"]
    assert len(res.points) == 4 * 3 and res.manifest["points"] == 12
    assert "mu_star" in res.report()


def test_cli_writes_table_and_plot(toy: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sens"
    rc = main(["sensitivity", str(toy), "--method", "morris", "--samples", "2", "--runs",
               "2", "--days", "4", "--outcome", "mil_dead", "--out", str(out)])
    assert rc == 0
    said = capsys.readouterr()
    assert "places.capital.forces.gov" in said.out
    assert " points done (" in said.err  # the progress bar's final line
    for name in ("sensitivity.csv", "points.csv", "manifest.json", "sensitivity.png"):
        assert (out / name).is_file()


def test_cli_user_mistakes_exit_2(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["sensitivity", str(toy), "--method", "sobol", "--samples", "3"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "power of 2" in err and len(err.strip().splitlines()) == 1
