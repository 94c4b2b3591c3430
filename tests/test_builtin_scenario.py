"""The shipped aleppo-2016 scenario: valid, fully shown, and robustly rejected when corrupted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ripeness
from ripeness.cli import main
from ripeness.scenario import builtin_scenarios, provenance_counts

ALEPPO = builtin_scenarios()["aleppo-2016"]


def test_validates_with_only_siege_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "aleppo-2016"]) == 0
    loaded = ripeness.read("aleppo-2016")
    assert all("besieged" in w.message for w in loaded.warnings)
    # Nubl and al-Zahraa were cut off on 2016-02-01 (data/aleppo2016_places.csv).
    text = " ".join(w.message for w in loaded.warnings)
    assert "nubl" in text and "al-zahraa" in text


def test_every_number_has_provenance() -> None:
    counts = provenance_counts(ripeness.load("aleppo-2016"))
    assert counts["missing"] == 0 and counts["sourced"] > 0 and counts["assumed"] > 0


def test_show_lists_every_actor_and_place(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "aleppo-2016"]) == 0
    out = capsys.readouterr().out
    s = ripeness.load("aleppo-2016")
    for a in s.actors:
        assert re.search(rf"^\s+{re.escape(a.id)}\s", out, re.M), a.id
    for p in s.places:
        assert f"({p.id})" in out, p.id
    assert re.search(r"Numbers: \d+ sourced, \d+ assumptions, 0 without provenance", out)


def test_the_record_on_day_zero() -> None:
    """Control on 2016-01-31 as the record gives it (data/aleppo2016_places.csv)."""
    s = ripeness.load("aleppo-2016")
    ctrl = {p.id: p.controller for p in s.places}
    assert ctrl["aleppo-west"] == "government" and ctrl["aleppo-east"] == "opposition"
    assert ctrl["sheikh-maqsoud"] == "sdf" and ctrl["al-bab"] == "isis"
    for town in ("nubl", "al-zahraa"):
        assert ctrl[town] == "government"
    for village in ("hardatnin", "ratyan", "mayer", "maarasta-al-khan", "tal-rifaat", "azaz",
                    "menagh", "bab-al-salameh", "idlib", "bab-al-hawa"):
        assert ctrl[village] == "opposition", village
    assert s.talks is not None and str(s.talks.opens) == "2016-02-01"
    assert any(i.id == "assad-goes" and "opposition" in i.indivisible for i in s.issues)
    kinds = {a.id: a.kind for a in s.actors}
    assert {k for k, v in kinds.items() if v == "backer"} >= {"russia", "iran", "turkey", "us"}


def _corrupt(tmp_path: Path, old: str, new: str) -> Path:
    text = ALEPPO.read_text()
    assert old in text, old
    p = tmp_path / "aleppo-copy.toml"
    p.write_text(text.replace(old, new, 1))
    return p


CORRUPTIONS = {
    "syntax-error": ('[meta]', '[meta'),
    "unknown-place": ('a = "nubl"', 'a = "nubbl"'),
    "negative-population": ('population = 21039', 'population = -21039'),
    "missing-provenance": ('population = 21039\nsource = "wiki-nubl"\n', 'population = 21039\n'),
    "wrong-type": ('horizon_days = 90', 'horizon_days = "ninety"'),
}


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_corrupted_copies_exit_2_on_one_screen(case: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = _corrupt(tmp_path, *CORRUPTIONS[case])
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text and "fix:" in text and "aleppo-copy.toml" in text
    assert len(text.splitlines()) <= 40


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00binary"])
def test_empty_and_binary_copies(content: bytes, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "aleppo-copy.toml"
    p.write_bytes(content)
    assert main(["validate", str(p)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_missing_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "gone.toml")]) == 2
    assert "aleppo-2016" in capsys.readouterr().err  # names the built-ins to use instead
