"""Ensembles: thousands of runs of a scenario, in chunks, on local processes or a Dask
cluster, with outcome probabilities, daily bands, control maps and what-if comparisons.

Importing this package imports neither Dask nor any worker pool; see docs/ensembles.md.
"""

from .compare import Comparison, compare
from .result import EnsembleResult
from .run import run_ensemble
from .store import EnsembleError
from .summary import attainment, wilson

__all__ = [
    "Comparison",
    "EnsembleError",
    "EnsembleResult",
    "attainment",
    "compare",
    "run_ensemble",
    "wilson",
]
