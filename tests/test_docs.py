"""The documentation stays equal to what the code declares."""

from __future__ import annotations

from pathlib import Path

from ripeness.scenario.docs import BEGIN, END, field_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_scenario_format_reference_is_current() -> None:
    text = (DOCS / "scenario-format.md").read_text()
    generated = text.split(BEGIN)[1].split(END)[0].strip()
    assert generated == field_reference().strip(), (
        "docs/scenario-format.md is stale: run `python -m ripeness.scenario.docs`")
