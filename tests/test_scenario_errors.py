"""Bad scenario files: each is rejected with exit code 2 and a message naming the field.

Every case below corrupts a valid scenario in one way and states what the message must name.
A user reading the message must be able to find the spot and know what to do.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ripeness.cli import main

from .conftest import TOY

Raw = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Raw], None]:
    """Mutation that sets raw[path] (dotted, list indices as numbers)."""

    def mutate(raw: Raw) -> None:
        node: Any = raw
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        node: Any = raw
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[parts[-1]]

    return mutate


def _append(table: str, entry: Raw) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        raw.setdefault(table, []).append(copy.deepcopy(entry))

    return mutate


def _dup_place(raw: Raw) -> None:
    raw["places"].append(copy.deepcopy(raw["places"][0]))


def _talks(**over: Any) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        raw["talks"] = {
            "mediator": "un", "parties": ["gov", "reb"], "opens": raw["meta"]["start"],
            "pause_days": 21, "suspend_after": 3, "escalation": 0.02, "estimate_noise": 0.05,
            "forecast_horizon_days": 60, "assumption": "test", **over,
        }

    return mutate


# (case id, mutation, substrings the message must contain)
CASES: list[tuple[str, Callable[[Raw], None], list[str]]] = [
    ("unknown-place-in-link", _set("links.0.a", "atlantis"), ["links[0].a", "atlantis"]),
    ("unknown-controller", _set("places.0.controller", "martians"),
     ["places[0](capital).controller", "martians"]),
    ("force-of-unknown-actor", _set("places.0.forces", {"ghost": 10}),
     ["forces.ghost", "unknown belligerent"]),
    ("negative-population", _set("places.1.population", -5), ["places[1](village).population",
                                                              ">= 0"]),
    ("latitude-out-of-range", _set("places.0.lat", 123.0), ["places[0](capital).lat", "<= 90"]),
    ("longitude-out-of-range", _set("places.0.lon", -200.0), ["lon", ">= -180"]),
    ("fortification-above-one", _set("places.0.fortification", 1.5), ["fortification", "<= 1"]),
    ("duplicate-place", _dup_place, ["duplicate places entry 'capital'"]),
    ("duplicate-link", _append("links", {"a": "village", "b": "capital", "source": "toy"}),
     ["duplicate links"]),
    ("self-link", _append("links", {"a": "village", "b": "village", "source": "toy"}),
     ["links[3]", "itself"]),
    ("missing-provenance", _delete("places.0.source"),
     ["places[0](capital)", "no source and no assumption"]),
    ("wrong-type-population", _set("places.0.population", "many"), ["population"]),
    ("boolean-for-number", _set("places.0.value", True), ["places[0](capital).value",
                                                          "true/false"]),
    ("missing-required-key", _delete("places.0.lat"), ["places[0](capital).lat", "missing"]),
    ("misspelt-key", _set("places.0.populaton", 5), ["populaton", "remove this key"]),
    ("bad-terrain", _set("places.0.terrain", "swamp"), ["terrain", "urban"]),
    ("bad-id", _set("places.0.id", "Big City"), ["places[0](Big City).id", "lower-case"]),
    ("zero-horizon", _set("meta.horizon_days", 0), ["meta.horizon_days"]),
    ("event-after-horizon", _append("events", {
        "date": __import__("datetime").date(2017, 1, 1), "description": "late",
        "set": {"parameters.fire_rate": 0.01}, "assumption": "test"}),
     ["events[0].date", "outside the scenario's horizon"]),
    ("event-bad-path", _append("events", {
        "date": __import__("datetime").date(2016, 2, 5), "description": "x",
        "set": {"support.nobody.sorties_per_day": 1}, "assumption": "test"}),
     ["events[0].set", "no key 'support'"]),
    ("event-value-out-of-bounds", _append("events", {
        "date": __import__("datetime").date(2016, 2, 5), "description": "x",
        "set": {"places.capital.fortification": 5}, "assumption": "test"}),
     ["events[0].set", "would make the scenario invalid", "fortification"]),
    ("event-changes-the-talks", _append("events", {
        "date": __import__("datetime").date(2016, 2, 5), "description": "x",
        "set": {"talks.pause_days": 5}, "assumption": "test"}),
     ["events[0].set.talks.pause_days", "fixed when a run starts", "what-if"]),
    ("event-changes-a-talks-parameter", _append("events", {
        "date": __import__("datetime").date(2016, 2, 5), "description": "x",
        "set": {"actors.gov.params.optimism": 0.2}, "assumption": "test"}),
     ["events[0].set.actors.gov.params.optimism", "fixed when a run starts"]),
    ("uncertain-range-beyond-parameter-bounds", _set("uncertain", [{
        "path": "actors.gov.params.optimism", "low": 0, "high": 0.9, "source": "toy"}]),
     ["uncertain[0].high", "outside its bounds"]),
    ("whatif-unknown-place", _set("whatifs", {"w": {"description": "x",
                                                   "set": {"places.atlantis.population": 1}}}),
     ["whatifs.w.set", "no entry 'atlantis'"]),
    ("unknown-parameter", _set("parameters", {"fire_rat": 0.01, "assumption": "x"}),
     ["parameters.fire_rat", "unknown parameter"]),
    ("parameter-out-of-bounds", _set("parameters", {"fire_rate": 5.0, "assumption": "x"}),
     ["parameters.fire_rate", "outside its bounds"]),
    ("global-parameter-per-actor", _set("actors.0.params", {"road_factor": 1.2}),
     ["actors[0](gov).params.road_factor", "global"]),
    ("supply-unknown-place", _set("supply.0.place", "nowhere"), ["supply[0].place", "nowhere"]),
    ("mediator-not-mediator", _talks(mediator="gov"), ["talks.mediator", "is a belligerent"]),
    ("talks-unknown-party", _talks(parties=["gov", "zorg"]), ["talks.parties", "zorg"]),
    ("talks-closes-before-opens", _talks(closes=__import__("datetime").date(2016, 1, 1)),
     ["talks.closes"]),
    ("uncertain-low-above-high", _set("uncertain", [{"path": "places.capital.population",
                                                     "low": 9, "high": 1, "source": "toy"}]),
     ["uncertain[0]", "low must not exceed high"]),
    ("uncertain-not-a-number", _set("uncertain", [{"path": "places.capital.name",
                                                   "low": 1, "high": 2, "source": "toy"}]),
     ["uncertain[0].path", "not a number"]),
    ("source-key-unknown", _set("places.0.source", "census-2004"),
     ["places[0](capital).source", "[references]"]),
    ("support-client-unknown", _set("support", [{"backer": "un", "client": "nobody",
                                                 "assumption": "x"}]),
     ["support[0].client", "nobody"]),
]


def run_validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(["validate", str(path), "--strict"])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


@pytest.mark.parametrize("case,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_location(
    case: str, mutate: Callable[[Raw], None], expected: list[str], toy_raw: Raw,
    write_toml: Callable[[Raw], Path], capsys: pytest.CaptureFixture[str],
) -> None:
    mutate(toy_raw)
    rc, out = run_validate(write_toml(toy_raw), capsys)
    assert rc == 2, out
    assert "Traceback" not in out
    assert "fix:" in out
    for s in expected:
        assert s in out, f"{case}: expected {s!r} in:\n{out}"
    assert len(out.splitlines()) <= 40  # one screen


def test_there_are_at_least_twenty_distinct_cases() -> None:
    assert len({c[0] for c in CASES}) >= 20


def test_syntax_error_gives_line_and_column(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    lines = TOY.read_text().splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("lat"))
    lines[i] = "lat = 36.2 37"
    p = tmp_path / "s.toml"
    p.write_text("\n".join(lines))
    rc, out = run_validate(p, capsys)
    assert rc == 2 and f"s.toml:{i + 1}:" in out and "TOML syntax error" in out


@pytest.mark.parametrize("content,expected", [
    (b"", "is empty"),
    (b"   \n# only a comment\n", "is empty"),
    (b"\x00\x01\x02binary\xff", "binary file"),
    (b"\xff\xfe[meta]", "not UTF-8"),
])
def test_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
                          expected: str) -> None:
    p = tmp_path / "s.toml"
    p.write_bytes(content)
    rc, out = run_validate(p, capsys)
    assert rc == 2 and expected in out and "Traceback" not in out


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run_validate(tmp_path / "nope.toml", capsys)
    assert rc == 2 and "no such file" in out and "nope.toml" in out


def test_all_problems_reported_at_once(toy_raw: Raw, write_toml: Callable[[Raw], Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    toy_raw["places"][0]["controller"] = "martians"
    toy_raw["links"][0]["a"] = "atlantis"
    toy_raw["places"][1]["forces"] = {"ghost": 1}
    rc, out = run_validate(write_toml(toy_raw), capsys)
    assert rc == 2 and "3 errors" in out
    assert "martians" in out and "atlantis" in out and "ghost" in out


def test_line_numbers_point_at_the_key(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    text = TOY.read_text().replace("population = 1000\n", "population = -1000\n")
    p = tmp_path / "s.toml"
    p.write_text(text)
    line = text.splitlines().index("population = -1000") + 1
    rc, out = run_validate(p, capsys)
    assert rc == 2 and f"s.toml:{line} " in out
