"""The combat law's fitted parameters are what the fit on the repository's copy of CDB90 gives.

``ripeness.backtest.cdb90`` fits the attrition law and the breakpoints to data/cdb90 (CDB90
Battle Dataset, J. B. Arnold, from CAA's CDB90; odc-by); the registry's defaults must carry
the printed values, and the fit itself is checked on a hand-made table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ripeness.backtest import cdb90
from ripeness.params import registry

DATA = Path(__file__).resolve().parents[1] / "data" / "cdb90"


@pytest.fixture(scope="module")
def fit() -> cdb90.Fit:
    return cdb90.fit(DATA)


def test_the_registry_carries_the_fitted_values(fit: cdb90.Fit) -> None:
    reg = registry()
    assert (fit.battles, fit.air_battles) == (256, 202)
    for name, value in (("helmbold_exponent", fit.exponent),
                        ("attacker_loss_rate", fit.lambda_attacker),
                        ("defender_loss_rate", fit.lambda_defender),
                        ("air_sortie_scale", fit.sortie_scale),
                        ("break_loss", fit.defender_break.median),
                        ("attack_break_loss", fit.attacker_break.median),
                        ("break_spread", fit.break_sd)):
        assert reg[name].default == pytest.approx(value, abs=0.0006, rel=0.005), name
        assert "CDB90" in reg[name].provenance, name


def test_the_fit_is_far_from_the_square_law(fit: cdb90.Fit) -> None:
    """Helmbold's finding: the fractional loss rate depends on the force ratio far less than
    the square law's w = 1; and defenders break at heavier losses than attackers give up."""
    assert fit.exponent + 3 * fit.exponent_se < 1.0 and fit.exponent > 0
    assert fit.defender_break.median > fit.attacker_break.median


def test_blank_wina_is_an_attacker_loss() -> None:
    df = cdb90.load(DATA)
    assert set(df["wina"].unique()) == {-1, 0, 1}
    raw = pd.read_csv(DATA / "battles.csv", usecols=["wina"])
    assert int(raw["wina"].isna().sum()) == 219


def test_attrition_fit_recovers_a_known_law() -> None:
    """Battles made from daily loss = lambda x (enemy / own) ** w x (1 + q / q0) with
    w = 0.4, lambda 0.03 (attacker) and 0.05 (defender), q0 = 15 sorties a day per 1,000: the
    fit gives them back."""
    rng = np.random.default_rng(0)
    a, d = rng.uniform(1e3, 1e5, 40), rng.uniform(1e3, 1e5, 40)
    days = rng.uniform(0.5, 5, 40)
    a_fly, d_fly = rng.uniform(0, 3000, 40), rng.uniform(0, 3000, 40)
    q_a, q_d = 1000 * d_fly / days / a, 1000 * a_fly / days / d  # sorties on each side
    df = pd.DataFrame({"a_str": a, "d_str": d, "days": days, "a_fly": a_fly, "d_fly": d_fly,
                       "a_cas": a * days * 0.03 * (d / a) ** 0.4 * (1 + q_a / 15),
                       "d_cas": d * days * 0.05 * (a / d) ** 0.4 * (1 + q_d / 15)})
    lam_a, lam_d, w, _se, q0, _q0_se, sd = cdb90.fit_attrition(df)
    assert (lam_a, lam_d, w, q0) == pytest.approx((0.03, 0.05, 0.4, 15.0), rel=1e-6)
    assert sd == pytest.approx(0.0, abs=1e-6)


def test_close_air_support_raises_the_loss_rate_in_cdb90(fit: cdb90.Fit) -> None:
    """The sorties' effect is there in the data, well away from nothing: 30 sorties a day per
    1,000 defenders at least doubles their daily loss, even at the fit's q0 + 2 se."""
    q0_high = fit.sortie_scale * np.exp(2 * fit.sortie_scale_log_se)
    assert 1 + 30 / q0_high > 2.0


def test_breakpoint_fit_counts_the_winners_as_censored() -> None:
    """Losers' losses alone would put the median at their own median (0.1); the winners who
    held past 0.3 tell the fit that the breakpoints lie higher."""
    broke_loss = np.full(50, 0.1) * np.exp(np.linspace(-1, 1, 50))
    held_loss = np.full(50, 0.3)
    loss = np.concatenate([broke_loss, held_loss])
    broke = np.concatenate([np.ones(50, bool), np.zeros(50, bool)])
    (median,), sd = cdb90.fit_breakpoints([(loss, broke)])
    naive = float(np.exp(np.log(broke_loss).mean()))
    assert median > naive * 1.5 and sd > 0


def test_breakpoint_spread_within_groups_leaves_out_their_levels() -> None:
    """Two wars whose sides all broke, at log-losses on an even grid of +-0.5 about ln 0.05
    in one and ln 0.4 in the other: within the wars the fitted log-sd is the grid's (about
    0.29) and war 0's median 0.05; pooled, the gap between the levels (ln 8 = 2.1) adds to
    the spread."""
    grid = np.linspace(-0.5, 0.5, 41)
    loss = np.concatenate([0.05 * np.exp(grid), 0.4 * np.exp(grid)])
    broke = np.ones(loss.size, dtype=bool)
    groups = np.repeat([0, 1], grid.size).astype(np.int64)
    (_,), pooled = cdb90.fit_breakpoints([(loss, broke)])
    (level0,), within = cdb90.fit_breakpoints([(loss, broke)], groups=groups)
    assert within == pytest.approx(float(np.std(grid)), rel=1e-3)
    assert level0 == pytest.approx(0.05, rel=1e-3)
    assert pooled > 3 * within


def test_posture_fit_recovers_a_known_breakpoint_shift() -> None:
    """Battles whose defenders break at a log-normal loss with ln median ln 0.1 + 0.8 x
    posture (0, 0.5 or 1), attackers at 0.08, log-sd 0.5, the side that breaks first losing
    (the other censored): the posture's coefficient comes back within three standard
    errors, and the checks print it."""
    rng = np.random.default_rng(1)
    n = 600
    post = rng.choice(["HD", "PD", "FD"], n)
    f = pd.Series(post).map(cdb90.POSTURE).to_numpy(dtype=float)
    b_d = np.exp(np.log(0.1) + 0.8 * f + 0.5 * rng.standard_normal(n))
    b_a = np.exp(np.log(0.08) + 0.5 * rng.standard_normal(n))
    t_d, t_a = b_d / 0.03, b_a / 0.02  # days each would take at its daily loss
    days = np.minimum(t_d, t_a)
    won = t_d < t_a  # the defender broke first: the attacker won
    d_str, a_str = rng.uniform(1e3, 1e4, n), rng.uniform(1e3, 1e4, n)
    df = pd.DataFrame({"post": post, "war": "w", "wina": np.where(won, 1, -1),
                       "d_str": d_str, "a_str": a_str, "d_cas": d_str * 0.03 * days,
                       "a_cas": a_str * 0.02 * days, "days": days})
    beta, se = cdb90._posture_break(df, f, None)
    assert abs(beta - 0.8) < 3 * se and se < 0.2
    assert any("breakpoint, pooled" in line for line in cdb90.posture_checks(
        df.assign(a_fly=0.0, d_fly=0.0)))
