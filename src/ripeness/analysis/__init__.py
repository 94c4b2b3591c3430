"""Analysis of a scenario's uncertain numbers: global sensitivity (SALib's Sobol' and Morris),
scenario discovery (PRIM on a Latin hypercube) and a bridge to the EMA workbench.

Importing this package imports neither SALib, matplotlib nor the EMA workbench; see
docs/analysis.md.
"""

from .discovery import PRIMS, Box, DiscoveryResult, PrimResult, discover, prim, prim_ema
from .sensitivity import (
    OUTPUTS,
    AnalysisError,
    ScenarioModel,
    SensitivityResult,
    Space,
    run_design,
    sensitivity,
)

__all__ = [
    "OUTPUTS",
    "PRIMS",
    "AnalysisError",
    "Box",
    "DiscoveryResult",
    "PrimResult",
    "ScenarioModel",
    "SensitivityResult",
    "Space",
    "discover",
    "prim",
    "prim_ema",
    "run_design",
    "sensitivity",
]
