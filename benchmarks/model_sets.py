"""``--set PATH=VALUE`` for the acceptance scripts: a variant of the model, measured by the
scripts that judge it, on the built-in scenarios alike; ``--set-in SCENARIO PATH=VALUE`` for a
value one scenario only has (a support entry of aleppo-2016, say). Not itself a benchmark."""

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
        self.only: dict[str, dict[str, Any]] = {}

    def add_argument(self, ap: argparse.ArgumentParser, example: str) -> None:
        ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help=f"set a value in {' and '.join(SCENARIOS)} (repeatable), e.g. "
                        f"{example}")
        ap.add_argument("--set-in", nargs=2, action="append", default=[],
                        metavar=("SCENARIO", "PATH=VALUE"),
                        help=f"set a value in one of {', '.join(SCENARIOS)} only (repeatable), "
                        "e.g. aleppo-2016 support.russia-sdf.sorties_per_day=5")

    def take(self, args: argparse.Namespace, prog: str) -> None:
        """Read --set; a bad path or value stops here, before any run, with the fix."""
        self.values.update(dict(sc.parse_set(x) for x in args.set))
        for name, x in args.set_in:
            if name not in SCENARIOS:
                sys.exit(f"{prog}: --set-in {name}: not one of {', '.join(SCENARIOS)}")
            self.only.setdefault(name, {}).update(dict([sc.parse_set(x)]))
        if not self.values and not self.only:
            return
        try:
            for name in SCENARIOS:
                self.scenario(name)
        except ScenarioError as e:
            sys.exit(f"{prog}: {e}")
        if self.values:
            print("with --set " + " ".join(f"{k}={v}" for k, v in self.values.items()))
        for name, vals in self.only.items():
            print(f"with --set-in {name} " + " ".join(f"{k}={v}" for k, v in vals.items()))

    def scenario(self, name: str, whatif: str | None = None) -> sc.Loaded:
        """A built-in scenario with ``whatif`` and the --set (and its --set-in) values applied."""
        values = {**self.values, **self.only.get(name, {})}
        return sc.variant(sc.read(name), whatif, values or None)
