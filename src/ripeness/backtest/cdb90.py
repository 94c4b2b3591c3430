"""Fit the engine's attrition law and breakpoints to historical battles (CDB90).

CDB90 (U.S. Army Concepts Analysis Agency, 1990; tidy tables by J. B. Arnold, odc-by; copied
with their attribution in the repository's ``data/cdb90/``) gives, for each side of 660 land
battles, its strength, its casualties, the battle's duration and who won. Two things are
fitted on the battles from ``SINCE`` on (the era of modern artillery and air power):

1. **The attrition law** (Helmbold 1965; Helmbold 1993): each side's daily fractional loss
   ``cas / str / days`` is ``lambda_side * (enemy strength / own strength) ** w * (1 + q /
   q0)``, q the enemy's close-air-support sorties (CDB90's ``fly``) per day per 1,000 of the
   side's strength. Least squares on the logarithms, both sides stacked with their own
   intercept and a common exponent ``w`` (Lanchester's square law would have w = 1, a loss
   rate that does not depend on the enemy w = 0) and a common ``q0``, on the battles whose
   sorties are known for both sides.
2. **Breakpoints**: the share of its strength a side has lost when it gives up. The loser's
   loss is its breakpoint reached; the winner's loss is only a lower bound of its own (it had
   not broken yet). A log-normal is fitted by maximum likelihood with the winners as
   right-censored observations: one median for defenders, one for attackers, one common
   log standard deviation; and that spread again within wars (each war its own level), the
   spread among the assaults of one war.

``python -m ripeness.backtest.cdb90 [FOLDER] [--since YEAR] [--checks]`` prints the fitted
values (and, with ``--checks``, the effects that were tested and not adopted);
``tests/test_cdb90_fit.py`` checks that ``parameters.toml`` carries them.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["POSTURE", "SINCE", "Breakpoint", "Fit", "checks", "fit", "fit_attrition",
           "fit_breakpoints", "load", "main", "posture_checks"]

SINCE = 1939
"""First year of the battles fitted: from the Second World War on, the firepower era closest
to 2016 that CDB90 covers (256 usable battles)."""

F64 = NDArray[np.float64]


def load(folder: str | Path) -> pd.DataFrame:
    """One row per battle (duplicates left out): year, war (CDB90's war or theatre), wina (1
    attacker won, 0 draw, -1 lost; blank in the tidy CSV means -1), post (defender's
    posture), aeroa (theatre air superiority: 1 attacker, 0 neither, -1 defender; blank read
    as -1, as for wina), strengths a_str/d_str, casualties a_cas/d_cas, close-air-support
    sorties a_fly/d_fly (NaN where unknown), days of combat, advance (km the attacker advanced,
    negative where it fell back; NaN where unknown)."""
    d = Path(folder)
    b = pd.read_csv(d / "battles.csv",
                    usecols=["isqno", "wina", "post1", "parent", "war", "aeroa", "kmda"])
    g = pd.read_csv(d / "belligerents.csv", usecols=["isqno", "attacker", "str", "cas", "fly"])
    t = pd.read_csv(d / "battle_durations.csv",
                    usecols=["isqno", "datetime", "duration1", "duration2"])
    for c in ("str", "cas", "fly"):
        g[c] = pd.to_numeric(g[c], errors="coerce")
    side = {k: g[g["attacker"] == v].set_index("isqno")[["str", "cas", "fly"]].add_prefix(k)
            for k, v in (("a_", 1), ("d_", 0))}
    out = b.set_index("isqno").join(side["a_"]).join(side["d_"]).join(t.set_index("isqno"))
    out = out[out["parent"].isna()]
    return pd.DataFrame({
        "year": pd.to_datetime(out["datetime"], errors="coerce").dt.year,
        "war": out["war"], "wina": out["wina"].fillna(-1).astype(int), "post": out["post1"],
        "aeroa": out["aeroa"].fillna(-1).astype(int),
        "advance": pd.to_numeric(out["kmda"], errors="coerce"),
        "a_str": out["a_str"], "a_cas": out["a_cas"], "d_str": out["d_str"],
        "d_cas": out["d_cas"], "a_fly": out["a_fly"], "d_fly": out["d_fly"],
        "days": out["duration2"].fillna(out["duration1"]),
    })


@dataclass(frozen=True)
class Breakpoint:
    """A side's log-normal breakpoint: median loss fraction, and the battles in which the side
    broke (observed) and held (censored)."""

    median: float
    broke: int
    held: int


@dataclass(frozen=True)
class Fit:
    """The fitted values (see the module): the attrition law on ``air_battles`` battles (its
    exponent and air scale with their standard errors, the residual log-sd across battles),
    the breakpoints on ``battles`` battles (the spread across all of them and within wars)."""

    since: int
    battles: int
    air_battles: int
    lambda_attacker: float
    lambda_defender: float
    exponent: float
    exponent_se: float
    sortie_scale: float
    sortie_scale_log_se: float
    residual_sd: float
    defender_break: Breakpoint
    attacker_break: Breakpoint
    break_sd_all: float
    break_sd: float
    wars: int
    advance_won: float
    advance_battles: int

    def lines(self) -> list[str]:
        """The fit in words, with the parameter each value sets."""
        dbk, abk = self.defender_break, self.attacker_break
        return [
            f"CDB90, battles from {self.since} on",
            "  attrition: daily loss fraction = lambda x (enemy / own strength) ** w "
            "x (1 + q / q0),",
            "    q = enemy close-air-support sorties a day per 1,000 own "
            f"({self.air_battles} battles with sorties for both sides)",
            f"    w = {self.exponent:.3f} (se {self.exponent_se:.3f})"
            "                      -> helmbold_exponent",
            f"    lambda attacker = {self.lambda_attacker:.4f} per day at 1:1, no air"
            "  -> attacker_loss_rate",
            f"    lambda defender = {self.lambda_defender:.4f} per day at 1:1, no air"
            "  -> defender_loss_rate",
            f"    q0 = {self.sortie_scale:.1f} sorties a day per 1,000 (log-se "
            f"{self.sortie_scale_log_se:.2f})      -> air_sortie_scale",
            f"    residual log-sd across battles = {self.residual_sd:.2f}",
            f"  breakpoints (loss fraction, log-normal, the winners censored; {self.battles} "
            "battles):",
            f"    defender: median {dbk.median:.3f} ({dbk.broke} broke, {dbk.held} held)"
            "      -> break_loss",
            f"    attacker: median {abk.median:.3f} ({abk.broke} broke, {abk.held} held)"
            "       -> attack_break_loss",
            f"    log-sd across all battles {self.break_sd_all:.2f}; within wars "
            f"{self.break_sd:.2f} ({self.wars} wars, each its own level)  -> break_spread",
            f"  advance: median {self.advance_won:.1f} km in the {self.advance_battles} battles "
            "the attacker won  (not used: docs/model.md 10, item 7)",
        ]


def _usable(df: pd.DataFrame, since: int) -> pd.DataFrame:
    ok = ((df["year"] >= since) & (df["a_str"] > 0) & (df["d_str"] > 0) & (df["a_cas"] > 0)
          & (df["d_cas"] > 0) & (df["days"] > 0))
    return df[ok]


def _stacked(df: pd.DataFrame) -> dict[str, F64]:
    """Both sides of every battle as rows: y = ln(daily loss fraction), x = ln(enemy / own
    strength), q = enemy sorties a day per 1,000 own, att = 1 for the attacker."""
    out: dict[str, list[F64]] = {"y": [], "x": [], "q": [], "att": []}
    for own, enemy, att in (("a", "d", 1.0), ("d", "a", 0.0)):
        out["y"].append(np.log(df[f"{own}_cas"] / df[f"{own}_str"] / df["days"]).to_numpy())
        out["x"].append(np.log(df[f"{enemy}_str"] / df[f"{own}_str"]).to_numpy())
        out["q"].append((1000.0 * df[f"{enemy}_fly"] / df["days"] / df[f"{own}_str"])
                        .to_numpy(dtype=float))
        out["att"].append(np.full(len(df), att))
    return {k: np.concatenate(v) for k, v in out.items()}


def fit_attrition(df: pd.DataFrame) -> tuple[float, float, float, float, float, float, float]:
    """(lambda_attacker, lambda_defender, w, se of w, q0, se of ln q0, residual log-sd):
    least squares of ln(cas / str / days) on a side intercept, w ln(enemy / own strength) and
    ln(1 + q / q0), sides stacked (``df`` needs a_fly and d_fly)."""
    from scipy.optimize import least_squares

    z = _stacked(df)
    design = np.column_stack([z["att"], 1.0 - z["att"], z["x"]])

    def resid(theta: F64) -> F64:
        return np.asarray(z["y"] - design @ theta[:3] - np.log1p(z["q"] / math.exp(theta[3])))

    start, *_ = np.linalg.lstsq(design, z["y"], rcond=None)
    res = least_squares(resid, np.r_[start, math.log(10.0)], xtol=1e-12, ftol=1e-12)
    s2 = float(res.fun @ res.fun) / (len(res.fun) - len(res.x))
    se = np.sqrt(np.diag(s2 * np.linalg.pinv(res.jac.T @ res.jac)))
    c = res.x
    return (math.exp(c[0]), math.exp(c[1]), float(c[2]), float(se[2]), math.exp(c[3]),
            float(se[3]), math.sqrt(s2))


def _censored_ll(z: F64, broke: NDArray[np.bool_], mu: float, log_sd: float) -> float:
    """Log-likelihood of log losses ``z`` under N(mu, sd): densities where the side broke,
    survival where it held."""
    from scipy.stats import norm

    u = (z - mu) / math.exp(log_sd)
    return float(np.where(broke, norm.logpdf(u) - log_sd, norm.logsf(u)).sum())


def fit_breakpoints(sides: Sequence[tuple[F64, NDArray[np.bool_]]],
                    groups: NDArray[np.int64] | None = None) -> tuple[list[float], float]:
    """Log-normal MLE of the loss fraction at which a side breaks, one median per side and
    one common log-sd: for each side, ``loss`` where it broke is an observation, where it
    held a right-censored one (its breakpoint lay above it). With ``groups`` (an integer per
    battle, the same for every side), each group's log-medians are shifted by a level of its
    own and the log-sd is the spread within groups. Returns (medians, log-sd); with groups
    the medians are those of group 0."""
    from scipy.optimize import minimize

    zs = [np.log(np.clip(loss, 1e-6, 1.0)) for loss, _ in sides]
    n_s = len(sides)
    n_g = 0 if groups is None else int(groups.max())

    def nll(theta: F64) -> float:
        shift = 0.0 if groups is None else np.r_[0.0, theta[n_s:n_s + n_g]][groups]
        return -sum(_censored_ll(z, b, float(m) + shift, float(theta[-1]))
                    for z, (_, b), m in zip(zs, sides, theta[:n_s], strict=True))

    start = np.array([*(float(z[b].mean()) for z, (_, b) in zip(zs, sides, strict=True)),
                      *np.zeros(n_g), 0.0])
    if groups is None:
        res = minimize(nll, start, method="Nelder-Mead",
                       options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 8000})
    else:
        res = minimize(nll, start, method="BFGS", options={"gtol": 1e-7})
    return [math.exp(float(m)) for m in res.x[:n_s]], math.exp(float(res.x[-1]))


def fit(folder: str | Path, since: int = SINCE) -> Fit:
    """Fit the attrition law and the breakpoints on the battles of ``folder`` from ``since``."""
    df = _usable(load(folder), since)
    air = df[df["a_fly"].notna() & df["d_fly"].notna()]
    lam_a, lam_d, w, se, q0, q0_se, sd = fit_attrition(air)
    d_loss = (df["d_cas"] / df["d_str"]).to_numpy(dtype=float)
    a_loss = (df["a_cas"] / df["a_str"]).to_numpy(dtype=float)
    wina = df["wina"].to_numpy()
    d_broke, a_broke = wina == 1, wina == -1
    sides = [(d_loss, d_broke), (a_loss, a_broke)]
    (m_d, m_a), bsd = fit_breakpoints(sides)
    war = pd.factorize(df["war"].fillna("?"), sort=True)[0]
    _, within = fit_breakpoints(sides, groups=np.asarray(war, dtype=np.int64))
    won = df.loc[d_broke, "advance"].dropna()
    return Fit(since=since, battles=len(df), air_battles=len(air), lambda_attacker=lam_a,
               lambda_defender=lam_d, exponent=w, exponent_se=se, sortie_scale=q0,
               sortie_scale_log_se=q0_se, residual_sd=sd,
               defender_break=Breakpoint(m_d, int(d_broke.sum()), int((~d_broke).sum())),
               attacker_break=Breakpoint(m_a, int(a_broke.sum()), int((~a_broke).sum())),
               break_sd_all=bsd, break_sd=within, wars=int(war.max()) + 1,
               advance_won=float(won.median()), advance_battles=len(won))


def _ols(y: F64, design: F64) -> tuple[F64, F64]:
    """OLS coefficients and their standard errors."""
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    r = y - design @ coef
    s2 = float(r @ r) / (len(y) - design.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(design.T @ design)))
    return np.asarray(coef, dtype=np.float64), np.asarray(se, dtype=np.float64)


def checks(folder: str | Path, since: int = SINCE) -> list[str]:
    """Effects tested on the same battles and not adopted in the engine, in words: the size
    of the engagement on the daily loss fraction (Helmbold and Dupuy reported higher rates
    in small engagements), theatre air superiority (``aeroa``) on the loss rate beyond the
    sorties, and the defender's posture on the loss rates and its breakpoint
    (:func:`posture_checks`)."""
    lines = []
    for year in (1900, since):
        df = _usable(load(folder), year)
        z = _stacked(df)
        size = np.log(np.r_[df["a_str"] + df["d_str"], df["a_str"] + df["d_str"]] / 25000.0)
        coef, se = _ols(z["y"], np.column_stack([z["att"], 1 - z["att"], z["x"], size]))
        lines.append(f"  engagement size, battles from {year} ({len(df)}): daily loss "
                     f"fraction ~ (total strength) ** {coef[3]:+.3f} (se {se[3]:.3f})")
    df = _usable(load(folder), since)
    air = df[df["a_fly"].notna() & df["d_fly"].notna()]
    z = _stacked(air)
    size = np.log(np.r_[air["a_str"] + air["d_str"], air["a_str"] + air["d_str"]] / 25000.0)
    coef, se = _ols(z["y"], np.column_stack([z["att"], 1 - z["att"], z["x"], size]))
    lines.append(f"  engagement size, the {len(air)} battles with sorties: "
                 f"{coef[3]:+.3f} (se {se[3]:.3f})")
    z = _stacked(df)
    sup = np.r_[-df["aeroa"].to_numpy(dtype=float), df["aeroa"].to_numpy(dtype=float)]
    coef, se = _ols(z["y"], np.column_stack([z["att"], 1 - z["att"], z["x"], sup]))
    lines.append(f"  enemy theatre air superiority (aeroa) on the daily loss fraction: "
                 f"x {math.exp(coef[3]):.2f} (log-se {se[3]:.2f})")
    return lines + posture_checks(df)


POSTURE = {"HD": 0.0, "PD": 0.5, "FD": 1.0, "DL": 0.0, "WD": 0.0}
"""The defender's posture (``post1``) read as the scenarios' fortification (0 to 1): hasty
defence, delay and withdrawal 0, prepared defence 0.5, fortified defence 1."""


def posture_checks(df: pd.DataFrame) -> list[str]:
    """The defender's posture (:data:`POSTURE`) on each side's daily loss fraction (least
    squares with the attrition law's terms, pooled and with a level per war) and on the
    defender's breakpoint (the censored log-normal with ln median + beta x posture)."""
    df = df[df["post"].isin(list(POSTURE))]
    f = df["post"].map(POSTURE).to_numpy(dtype=float)
    z = _stacked(df)
    ff = np.r_[f, f]
    war = np.asarray(pd.factorize(df["war"].fillna("?"), sort=True)[0], dtype=np.int64)
    ww = np.r_[war, war]
    lines = [f"  defender's posture (hasty 0, prepared 0.5, fortified 1; {len(df)} battles):"]
    for label, extra in (("pooled", []), ("a level per war", [
            (ww == k).astype(float) for k in range(1, int(war.max()) + 1)])):
        design = np.column_stack([z["att"], 1 - z["att"], z["x"], z["att"] * ff,
                                  (1 - z["att"]) * ff, *extra])
        coef, se = _ols(z["y"], design)
        lines.append(f"    on the daily loss fraction, {label}: defender x "
                     f"{math.exp(coef[4]):.2f} (log-se {se[4]:.2f}), attacker x "
                     f"{math.exp(coef[3]):.2f} ({se[3]:.2f}) per unit")
    for label, groups in (("pooled", None), ("within wars", war)):
        beta, beta_se = _posture_break(df, f, groups)
        lines.append(f"    on the defender's breakpoint, {label}: median x "
                     f"{math.exp(beta):.2f} per unit (log {beta:.2f}, se {beta_se:.2f})")
    return lines


def _posture_break(df: pd.DataFrame, f: F64,
                   groups: NDArray[np.int64] | None) -> tuple[float, float]:
    """(beta, its se): the censored log-normal breakpoints with the defender's ln median
    shifted by beta x posture (one attacker median, one log-sd; with ``groups`` a level per
    war for both sides)."""
    from scipy.optimize import minimize

    d = np.log(np.clip((df["d_cas"] / df["d_str"]).to_numpy(dtype=float), 1e-6, 1.0))
    a = np.log(np.clip((df["a_cas"] / df["a_str"]).to_numpy(dtype=float), 1e-6, 1.0))
    wina = df["wina"].to_numpy()
    n_g = 0 if groups is None else int(groups.max())

    def nll(t: F64) -> float:
        shift = 0.0 if groups is None else np.r_[0.0, t[4:4 + n_g]][groups]
        return -(_censored_ll(d, wina == 1, t[0] + t[2] * f + shift, float(t[3]))
                 + _censored_ll(a, wina == -1, t[1] + shift, float(t[3])))

    start = np.r_[math.log(0.14), math.log(0.1), 0.0, 0.0, np.zeros(n_g)]
    res = minimize(nll, start, method="BFGS", options={"gtol": 1e-7})
    return float(res.x[2]), float(math.sqrt(res.hess_inv[2, 2]))


def default_folder() -> Path:
    """The repository's copy, data/cdb90, when run from a clone."""
    return Path(__file__).resolve().parents[3] / "data" / "cdb90"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Fit the attrition law and breakpoints to CDB90.")
    ap.add_argument("folder", nargs="?", default=str(default_folder()),
                    help="folder with battles.csv, belligerents.csv, battle_durations.csv")
    ap.add_argument("--since", type=int, default=SINCE, help="first year of the battles fitted")
    ap.add_argument("--checks", action="store_true",
                    help="also print the effects tested and not adopted (engagement size, "
                    "theatre air superiority)")
    args = ap.parse_args(argv)
    if not (Path(args.folder) / "battles.csv").is_file():
        ap.error(f"no CDB90 tables in {args.folder}: pass the folder holding battles.csv, "
                 "belligerents.csv and battle_durations.csv (data/cdb90 in a clone)")
    print("\n".join(fit(args.folder, args.since).lines()))
    if args.checks:
        print("checked, not adopted:")
        print("\n".join(checks(args.folder, args.since)))


if __name__ == "__main__":
    main()
