"""The generated tables of the model description (docs/model.md, ODD protocol).

Two tables are rendered from what the code declares, so that the documentation cannot drift:
the model parameters (from the registry, ``parameters.toml``) and the numbers of a scenario's
``[talks]`` table that act as parameters (from the scenario schema). Each parameter gets the
mathematical symbol the equations of docs/model.md use for it (:data:`SYMBOLS`,
:data:`TALKS_SYMBOLS`). Regenerate with ``python -m ripeness.report.odd``; a test keeps the
embedded text equal to what these functions return.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from ..params import Parameter, registry
from ..scenario.quantity import Quantity
from ..scenario.schema import Talks

__all__ = [
    "BEGIN_PARAMETERS",
    "BEGIN_TALKS",
    "END",
    "SYMBOLS",
    "TALKS_SYMBOLS",
    "TALKS_UNITS",
    "parameter_table",
    "rewrite",
    "talks_fields",
    "talks_table",
]

BEGIN_PARAMETERS = "<!-- BEGIN GENERATED: parameter table -->"
BEGIN_TALKS = "<!-- BEGIN GENERATED: talks parameters -->"
END = "<!-- END GENERATED -->"

#: The symbol of every registry parameter in the equations of docs/model.md. A subscript a
#: (an actor) or i (a party) marks a per-actor parameter.
SYMBOLS: dict[str, str] = {
    # map
    "road_factor": r"$f_{\mathrm{road}}$",
    # supply and reinforcement
    "siege_force_decay": r"$d_F$",
    "siege_stock_days": r"$T_{\\mathrm{stock}}$",
    "recruit_rate": r"$\rho_a$",
    # operations
    "commit_fraction": r"$\chi_a$",
    "attack_threshold": r"$\theta_a$",
    "attacks_per_day": r"$n_a$",
    "value_weight": r"$w_V$",
    "cut_weight": r"$w_C$",
    "ratio_weight": r"$w_R$",
    "relief_weight": r"$w_L$",
    "relief_decay": r"$\eta$",
    "objective_pull": r"$w_O$",
    "hold_ratio": r"$\zeta_a$",
    "focus_threshold": r"$\Theta_a$",
    "focus_persist": r"$w_P$",
    "focus_patience": r"$T_E$",
    "focus_mass_reach": r"$k_F$",
    "focus_guard": r"$\gamma_G$",
    # movement
    "move_rate": r"$m$",
    "move_value_weight": r"$w_M$",
    "move_reach": r"$k_M$",
    "move_link_cost": r"$\delta_M$",
    "focus_reach": r"$k_a$",
    "local_share": r"$s^L_a$",
    # air
    "sortie_kill": r"$k_S$",
    "sortie_heavy_kill": r"$k^H_S$",
    "sortie_command_kill": r"$k^K_S$",
    "sortie_air_defence_kill": r"$k^D_S$",
    "command_recovery": r"$r_K$",
    "air_sortie_scale": r"$q_0$",
    "air_focus": r"$\psi$",
    "air_attack_weight": r"$w_A$",
    "air_threat_weight": r"$w_T$",
    "air_force_weight": r"$w_F$",
    # combat
    "fire_rate": r"$\alpha_a$",
    "combat_noise": r"$\sigma_c$",
    "urban_defence": r"$T_{\mathrm{urban}}$",
    "mountain_defence": r"$T_{\mathrm{mountain}}$",
    "rural_defence": r"$T_{\mathrm{rural}}$",
    "desert_defence": r"$T_{\mathrm{desert}}$",
    "fortification_effect": r"$\phi$",
    "unsupplied_fire": r"$U$",
    "helmbold_exponent": r"$w$",
    "attacker_loss_rate": r"$\lambda_A$",
    "defender_loss_rate": r"$\lambda_D$",
    "combat_intensity": r"$\kappa_c$",
    "break_loss": r"$\beta_a$",
    "attack_break_loss": r"$\beta^A_a$",
    "break_spread": r"$\sigma_\beta$",
    "frontage": r"$\phi_F$",
    "district_population": r"$N_D$",
    "withdraw_survival": r"$s_W$",
    "evacuation": r"$s_E$",
    # people
    "siege_civilian_mortality": r"$d_C$",
    "sortie_civilian_kill": r"$k_{CS}$",
    "combat_civilian_kill": r"$k_{CL}$",
    "civ_half": r"$C_{1/2}$",
    "flee_rate": r"$\nu$",
    "flee_per_loss": r"$\nu_L$",
    # talks
    "optimism": r"$o_i$",
    "battle_optimism": r"$b_i$",
    "cost_per_thousand_dead": r"$\kappa_i$",
    "front_cost": r"$\kappa^F_i$",
    "siege_cost": r"$\kappa^S_i$",
    "discount": r"$\delta_i$",
    "belief_learning": r"$\lambda_i$",
    "prior_battles": r"$n_0$",
    "pace_prior": r"$v_0$",
    "risk_exponent": r"$a_i$",
    "bargaining_weight": r"$\omega_i$",
    "settlement_risk": r"$\gamma_i$",
    "breakdown_risk": r"$q_B$",
    "ceasefire_breakdown": r"$\xi$",
    "backer_pressure": r"$g_P$",
    "aid_cut": r"$g_A$",
    "battle_threshold": r"$\vartheta$",
    "csf_decisiveness": r"$k_T$",
    "walk_steps": r"$N$",
    "out_of_action_per_death": r"$m_D$",
    "forecast_lookahead_days": r"$L$",
    # outcomes
    "partition_quiet_days": r"$Q$",
}

#: The symbol of every number in a scenario's [talks] table.
TALKS_SYMBOLS: dict[str, str] = {
    "session_every_days": r"$T_S$",
    "pause_days": r"$T_P$",
    "hearings": r"$n_H$",
    "suspend_after": r"$n_F$",
    "escalation": r"$\varepsilon$",
    "estimate_noise": r"$\sigma_r$",
    "forecast_horizon_days": r"$H$",
}

#: The unit of every number in a scenario's [talks] table (the schema states it in words).
TALKS_UNITS: dict[str, str] = {
    "session_every_days": "days",
    "pause_days": "days",
    "hearings": "sessions",
    "suspend_after": "sessions",
    "escalation": "stake share / day",
    "estimate_noise": "stake share (sd)",
    "forecast_horizon_days": "days",
}

#: Table order of the registry's groups (parameters keep file order within a group).
GROUPS = ("map", "supply", "reinforcement", "operations", "movement", "air", "combat",
          "people", "talks", "outcomes")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _ordered() -> list[Parameter]:
    """Registry parameters by group (GROUPS order, unknown groups last), then file order."""
    rank = {g: i for i, g in enumerate(GROUPS)}
    params = list(registry().values())
    return sorted(params, key=lambda p: rank.get(p.group, len(GROUPS)))


def _provenance(p: Parameter) -> str:
    if p.source:
        return f"source: {_cell(p.source)}"
    return f"assumption: {_cell(p.assumption or '')}"


def parameter_table() -> str:
    """Markdown table of every registry parameter: name, symbol, meaning, unit, default,
    bounds and the source or assumption behind the default (``KeyError`` if a parameter has
    no symbol in :data:`SYMBOLS`)."""
    rows = [
        "| parameter | symbol | meaning | unit | default | bounds | source or assumption |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in _ordered():
        name = f"`{p.name}`" + (" (per actor)" if p.per_actor else "")
        meaning = f"{p.group}: {_cell(p.description)}"
        rows.append(f"| {name} | {SYMBOLS[p.name]} | {meaning} | {_cell(p.unit)} | "
                    f"{p.default:g} | [{p.low:g}, {p.high:g}] | {_provenance(p)} |")
    return "\n".join(rows)


def _bounds(field: Any) -> dict[str, float | None]:
    """The (ge, gt, le) bounds a schema number is validated against."""
    for m in field.metadata:
        check = getattr(m, "func", None)
        if check is not None and check.__name__ == "check":
            found = inspect.getclosurevars(check).nonlocals
            return {k: found.get(k) for k in ("ge", "gt", "le")}
    return {"ge": None, "gt": None, "le": None}


def _bounds_text(b: dict[str, float | None]) -> str:
    low = f"[{b['ge']:g}" if b["ge"] is not None else (
        f"({b['gt']:g}" if b["gt"] is not None else "(-inf")
    high = f"{b['le']:g}]" if b["le"] is not None else "inf)"
    return f"{low}, {high}"


def talks_fields() -> list[str]:
    """Keys of the numbers of the schema's [talks] table, in schema order."""
    return [f.alias or n for n, f in Talks.model_fields.items() if f.annotation is Quantity]


def talks_table() -> str:
    """Markdown table of the numbers of a scenario's [talks] table that act as parameters."""
    rows = ["| field | symbol | meaning | unit | default | bounds |", "|---|---|---|---|---|---|"]
    for name, f in Talks.model_fields.items():
        if f.annotation is not Quantity:
            continue
        key = f.alias or name
        default = "required" if f.is_required() else (
            f"{f.get_default(call_default_factory=True).value:g}")
        rows.append(f"| `talks.{key}` | {TALKS_SYMBOLS[key]} | {_cell(f.description or '')} | "
                    f"{TALKS_UNITS[key]} | {default} | {_bounds_text(_bounds(f))} |")
    return "\n".join(rows)


def _replace(text: str, begin: str, body: str) -> str:
    head, rest = text.split(begin, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{begin}\n\n{body}\n\n{END}{tail}"


def rewrite(path: str | Path = "docs/model.md") -> None:
    """Replace the generated sections of the model description with the current tables."""
    p = Path(path)
    text = _replace(p.read_text(), BEGIN_PARAMETERS, parameter_table())
    p.write_text(_replace(text, BEGIN_TALKS, talks_table()))


if __name__ == "__main__":
    rewrite()
