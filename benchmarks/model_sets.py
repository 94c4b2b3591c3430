"""``--set PATH=VALUE`` for the acceptance scripts: a variant of the model, measured by the
scripts that judge it, on the built-in scenarios alike (not itself a benchmark)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ripeness import scenario as sc
from ripeness.errors import ScenarioError

#: The scenarios the acceptance scripts read; a --set value must apply to each.
SCENARIOS = ("aleppo-2016", "syria-2016")


class ModelSets:
    """The --set values of one script run, and the built-in scenarios with them applied."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add_argument(self, ap: argparse.ArgumentParser, example: str) -> None:
        ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help=f"set a value in {' and '.join(SCENARIOS)} (repeatable), e.g. "
                        f"{example}")

    def take(self, args: argparse.Namespace, prog: str) -> None:
        """Read --set; a bad path or value stops here, before any run, with the fix."""
        self.values.update(dict(sc.parse_set(x) for x in args.set))
        if not self.values:
            return
        try:
            for name in SCENARIOS:
                self.scenario(name)
        except ScenarioError as e:
            sys.exit(f"{prog}: {e}")
        print("with --set " + " ".join(f"{k}={v}" for k, v in self.values.items()))

    def scenario(self, name: str, whatif: str | None = None) -> sc.Loaded:
        """A built-in scenario with ``whatif`` and the --set values applied."""
        return sc.variant(sc.read(name), whatif, self.values or None)
