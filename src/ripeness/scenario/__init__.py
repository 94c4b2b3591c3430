"""Scenario files: the schema, loading with validation, patches and provenance."""

from .load import (
    Loaded,
    builtin_scenarios,
    dump,
    from_raw,
    load,
    parse_set,
    read,
    scenario_hash,
    variant,
    whatif_names,
    with_patches,
)
from .schema import Scenario
from .validate import provenance_counts

__all__ = [
    "Loaded",
    "Scenario",
    "builtin_scenarios",
    "dump",
    "from_raw",
    "load",
    "parse_set",
    "provenance_counts",
    "read",
    "scenario_hash",
    "variant",
    "whatif_names",
    "with_patches",
]
