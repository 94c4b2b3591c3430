"""Shared fixtures: the toy scenario and helpers to write mutated copies of scenarios."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import settings

# CI runs the property tests on fixed examples (no flaky red builds); locally they explore.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

DATA = Path(__file__).parent / "data"
TOY = DATA / "toy.toml"


@pytest.fixture
def toy_raw() -> dict[str, Any]:
    return tomllib.loads(TOY.read_text())


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    def write(raw: dict[str, Any], name: str = "scenario.toml") -> Path:
        p = tmp_path / name
        p.write_text(tomli_w.dumps(raw))
        return p

    return write
