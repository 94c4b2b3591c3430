"""ripeness: simulate a war together with the peace talks that try to end it."""

from importlib.metadata import PackageNotFoundError, version

from .errors import Problem, ScenarioError
from .scenario import Scenario, load, read
from .simulate import Result, simulate

try:
    __version__ = version("ripeness")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "Problem",
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load",
    "read",
    "simulate",
]
