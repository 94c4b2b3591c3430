"""`ripeness new NAME` (issue 15, capability 9): a minimal, commented, valid scenario
skeleton that a writer fills in."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import ripeness
from ripeness.cli import main
from ripeness.scenario.docs import TABLES
from ripeness.scenario.skeleton import skeleton


def test_new_then_validate_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "my-war"
    assert main(["new", str(target)]) == 0
    assert main(["validate", str(target / "scenario.toml")]) == 0
    out = capsys.readouterr().out
    assert "valid (3 actors, 3 places, 2 links; 0 warning(s))" in out
    loaded = ripeness.scenario.read(target / "scenario.toml")
    assert loaded.scenario.meta.name == "my-war" and loaded.scenario.meta.strict
    res = ripeness.simulate(loaded, runs=2, days=20)  # it runs as it is
    assert res.daily.sizes["day"] == 20 and len(res.sessions) > 0


def test_new_never_writes_over_a_folder(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "taken")]) == 2
    assert "already exists; nothing was written" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("name", ["My War", "-war", "war!"])
def test_new_refuses_a_name_that_is_not_an_id(name: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path / name)]) == 2
    assert "is not a scenario name" in capsys.readouterr().err
    assert not (tmp_path / name).exists()


def test_the_skeleton_is_commented_and_points_to_every_table() -> None:
    text = skeleton("x")
    assert text.count("\n#") > 30  # a commented file, not bare tables
    assert "docs/scenario-format.md" in text and "ripeness validate" in text
    for title, _ in TABLES:  # every table of the format is in it or named in a comment
        assert title in text, title
    raw = tomllib.loads(text)
    assert raw["meta"]["name"] == "x"


def test_the_example_written_from_the_skeleton_validates_and_runs() -> None:
    """examples/bosnia-1995, a war of another kind written from the skeleton and the docs."""
    path = Path(__file__).parent.parent / "examples" / "bosnia-1995" / "scenario.toml"
    loaded = ripeness.scenario.read(path)
    assert [w.message.split(":")[0] for w in loaded.warnings] == [
        "arbih holds places with no path through its own ground or its allies' to any of its "
        "open supply sources"]  # the Bihac and Gorazde sieges
    res = ripeness.simulate(loaded, runs=2, days=10)
    assert res.daily.sizes["day"] == 10


def test_a_run_that_ends_before_the_talks_open_has_an_empty_talks_table() -> None:
    """Found writing the example: a run shorter than the wait for the talks failed."""
    path = Path(__file__).parent.parent / "examples" / "bosnia-1995" / "scenario.toml"
    res = ripeness.simulate(path, runs=1, days=5)  # the talks open on day 13
    assert res.sessions.empty and list(res.sessions.columns) == ["run", "day"]
