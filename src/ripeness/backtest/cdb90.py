"""Fit the engine's attrition law and breakpoints to historical battles (CDB90).

CDB90 (U.S. Army Concepts Analysis Agency, 1990; tidy tables by J. B. Arnold, odc-by; copied
with their attribution in the repository's ``data/cdb90/``) gives, for each side of 660 land
battles, its strength, its casualties, the battle's duration and who won. Two things are
fitted on the battles from ``SINCE`` on (the era of modern artillery and air power):

1. **The attrition law** (Helmbold 1965; Helmbold 1993): each side's daily fractional loss
   ``cas / str / days`` is ``lambda_side * (enemy strength / own strength) ** w``. Ordinary
   least squares on the logarithms, both sides stacked with their own intercept and one
   common exponent ``w`` (Lanchester's square law would have w = 1, a loss rate that does not
   depend on the enemy w = 0).
2. **Breakpoints**: the share of its strength a side has lost when it gives up. The loser's
   loss is its breakpoint reached; the winner's loss is only a lower bound of its own (it had
   not broken yet). A log-normal is fitted by maximum likelihood with the winners as
   right-censored observations: one median for defenders, one for attackers, one common
   log standard deviation.

``python -m ripeness.backtest.cdb90 [FOLDER] [--since YEAR]`` prints the fitted values;
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

__all__ = ["SINCE", "Breakpoint", "Fit", "fit", "fit_attrition", "fit_breakpoints", "load",
           "main"]

SINCE = 1939
"""First year of the battles fitted: from the Second World War on, the firepower era closest
to 2016 that CDB90 covers (256 usable battles)."""

F64 = NDArray[np.float64]


def load(folder: str | Path) -> pd.DataFrame:
    """One row per battle (duplicates left out): year, wina (1 attacker won, 0 draw, -1 lost;
    blank in the tidy CSV means -1), post (defender's posture), strengths a_str/d_str,
    casualties a_cas/d_cas, days of combat."""
    d = Path(folder)
    b = pd.read_csv(d / "battles.csv", usecols=["isqno", "wina", "post1", "parent"])
    g = pd.read_csv(d / "belligerents.csv", usecols=["isqno", "attacker", "str", "cas"])
    t = pd.read_csv(d / "battle_durations.csv",
                    usecols=["isqno", "datetime", "duration1", "duration2"])
    for c in ("str", "cas"):
        g[c] = pd.to_numeric(g[c], errors="coerce")
    side = {k: g[g["attacker"] == v].set_index("isqno")[["str", "cas"]].add_prefix(k)
            for k, v in (("a_", 1), ("d_", 0))}
    out = b.set_index("isqno").join(side["a_"]).join(side["d_"]).join(t.set_index("isqno"))
    out = out[out["parent"].isna()]
    return pd.DataFrame({
        "year": pd.to_datetime(out["datetime"], errors="coerce").dt.year,
        "wina": out["wina"].fillna(-1).astype(int), "post": out["post1"],
        "a_str": out["a_str"], "a_cas": out["a_cas"], "d_str": out["d_str"],
        "d_cas": out["d_cas"], "days": out["duration2"].fillna(out["duration1"]),
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
    """The fitted values (see the module): the attrition law, its standard errors and the
    residual log-sd across battles, the breakpoints, the break-even ratio, the battles used."""

    since: int
    battles: int
    lambda_attacker: float
    lambda_defender: float
    exponent: float
    exponent_se: float
    residual_sd: float
    defender_break: Breakpoint
    attacker_break: Breakpoint
    break_sd: float

    def lines(self) -> list[str]:
        """The fit in words, with the parameter each value sets."""
        dbk, abk = self.defender_break, self.attacker_break
        return [
            f"CDB90, battles from {self.since} on: {self.battles} with strengths, casualties "
            "and duration",
            "  attrition: daily loss fraction = lambda x (enemy / own strength) ** w",
            f"    w = {self.exponent:.3f} (se {self.exponent_se:.3f})"
            "                      -> helmbold_exponent",
            f"    lambda attacker = {self.lambda_attacker:.4f} per day at 1:1"
            "      -> attacker_loss_rate",
            f"    lambda defender = {self.lambda_defender:.4f} per day at 1:1"
            "      -> defender_loss_rate",
            f"    residual log-sd across battles = {self.residual_sd:.2f}",
            "  breakpoints (loss fraction, log-normal, the winners censored):",
            f"    defender: median {dbk.median:.3f} ({dbk.broke} broke, {dbk.held} held)"
            "      -> break_loss",
            f"    attacker: median {abk.median:.3f} ({abk.broke} broke, {abk.held} held)"
            "       -> attack_break_loss",
            f"    common log-sd {self.break_sd:.2f}"
            "                              -> break_spread",
        ]


def _usable(df: pd.DataFrame, since: int) -> pd.DataFrame:
    ok = ((df["year"] >= since) & (df["a_str"] > 0) & (df["d_str"] > 0) & (df["a_cas"] > 0)
          & (df["d_cas"] > 0) & (df["days"] > 0))
    return df[ok]


def fit_attrition(df: pd.DataFrame) -> tuple[float, float, float, float, float]:
    """(lambda_attacker, lambda_defender, w, se of w, residual log-sd): OLS of
    ln(cas / str / days) on a side intercept and ln(enemy / own strength), sides stacked."""
    y, x, is_att = [], [], []
    for own, enemy, att in (("a", "d", 1.0), ("d", "a", 0.0)):
        y.append(np.log(df[f"{own}_cas"] / df[f"{own}_str"] / df["days"]).to_numpy())
        x.append(np.log(df[f"{enemy}_str"] / df[f"{own}_str"]).to_numpy())
        is_att.append(np.full(len(df), att))
    yy, xx, aa = np.concatenate(y), np.concatenate(x), np.concatenate(is_att)
    design = np.column_stack([aa, 1.0 - aa, xx])
    coef, *_ = np.linalg.lstsq(design, yy, rcond=None)
    resid = yy - design @ coef
    s2 = float(resid @ resid) / (len(yy) - design.shape[1])
    cov = s2 * np.linalg.inv(design.T @ design)
    return (math.exp(coef[0]), math.exp(coef[1]), float(coef[2]), math.sqrt(cov[2, 2]),
            math.sqrt(s2))


def _censored_ll(z: F64, broke: NDArray[np.bool_], mu: float, log_sd: float) -> float:
    """Log-likelihood of log losses ``z`` under N(mu, sd): densities where the side broke,
    survival where it held."""
    from scipy.stats import norm

    u = (z - mu) / math.exp(log_sd)
    return float(np.where(broke, norm.logpdf(u) - log_sd, norm.logsf(u)).sum())


def fit_breakpoints(sides: Sequence[tuple[F64, NDArray[np.bool_]]]
                    ) -> tuple[list[float], float]:
    """Log-normal MLE of the loss fraction at which a side breaks, one median per side and
    one common log-sd: for each side, ``loss`` where it broke is an observation, where it
    held a right-censored one (its breakpoint lay above it). Returns (medians, log-sd)."""
    from scipy.optimize import minimize

    zs = [np.log(np.clip(loss, 1e-6, 1.0)) for loss, _ in sides]

    def nll(theta: F64) -> float:
        return -sum(_censored_ll(z, b, float(m), float(theta[-1]))
                    for z, (_, b), m in zip(zs, sides, theta[:-1], strict=True))

    start = np.array([*(float(z[b].mean()) for z, (_, b) in zip(zs, sides, strict=True)),
                      0.0])
    res = minimize(nll, start, method="Nelder-Mead",
                   options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 8000})
    return [math.exp(float(m)) for m in res.x[:-1]], math.exp(float(res.x[-1]))


def fit(folder: str | Path, since: int = SINCE) -> Fit:
    """Fit the attrition law and the breakpoints on the battles of ``folder`` from ``since``."""
    df = _usable(load(folder), since)
    lam_a, lam_d, w, se, sd = fit_attrition(df)
    d_loss = (df["d_cas"] / df["d_str"]).to_numpy(dtype=float)
    a_loss = (df["a_cas"] / df["a_str"]).to_numpy(dtype=float)
    wina = df["wina"].to_numpy()
    d_broke, a_broke = wina == 1, wina == -1
    (m_d, m_a), bsd = fit_breakpoints([(d_loss, d_broke), (a_loss, a_broke)])
    return Fit(since=since, battles=len(df), lambda_attacker=lam_a, lambda_defender=lam_d,
               exponent=w, exponent_se=se, residual_sd=sd,
               defender_break=Breakpoint(m_d, int(d_broke.sum()), int((~d_broke).sum())),
               attacker_break=Breakpoint(m_a, int(a_broke.sum()), int((~a_broke).sum())),
               break_sd=bsd)


def default_folder() -> Path:
    """The repository's copy, data/cdb90, when run from a clone."""
    return Path(__file__).resolve().parents[3] / "data" / "cdb90"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Fit the attrition law and breakpoints to CDB90.")
    ap.add_argument("folder", nargs="?", default=str(default_folder()),
                    help="folder with battles.csv, belligerents.csv, battle_durations.csv")
    ap.add_argument("--since", type=int, default=SINCE, help="first year of the battles fitted")
    args = ap.parse_args(argv)
    if not (Path(args.folder) / "battles.csv").is_file():
        ap.error(f"no CDB90 tables in {args.folder}: pass the folder holding battles.csv, "
                 "belligerents.csv and battle_durations.csv (data/cdb90 in a clone)")
    print("\n".join(fit(args.folder, args.since).lines()))


if __name__ == "__main__":
    main()
