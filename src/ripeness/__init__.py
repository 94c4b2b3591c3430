"""ripeness: simulate a war together with the peace talks that try to end it."""

from importlib.metadata import PackageNotFoundError, version

from .errors import Problem, ScenarioError
from .outputs import OutputError
from .resources import TooLarge
from .results import load_results
from .scenario import Scenario, load, read
from .simulate import Result, simulate

try:
    __version__ = version("ripeness")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "OutputError",
    "Problem",
    "Result",
    "Scenario",
    "ScenarioError",
    "TooLarge",
    "__version__",
    "load",
    "load_results",
    "read",
    "simulate",
]
