"""The map as arrays and the mechanisms of a day of war, each in its own module.

compile (scenario -> :class:`World`), supply (bitset search, sieges, cut sets), operations
(target choice), air (sortie allocation), combat (Lanchester kernel, breakpoint), movement
(redeployment, withdrawal), people (deaths, flight), shares (the stake for the talks).
"""

from .compile import Params, World, compile_scenario
from .shares import shares

__all__ = ["Params", "World", "compile_scenario", "shares"]
