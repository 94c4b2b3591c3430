"""`ripeness run`: a readable digest, result files, what-ifs, and no lost results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ripeness.cli import main

from .conftest import TOY


def test_run_prints_a_digest_and_writes_results(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    assert main(["run", str(TOY), "--days", "5", "--seed", "7", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2016-02-01 (day 0)" in text and "civilians killed" in text
    digest, summary = text.split("\n\n", 1)  # the digest, a blank line, the summary
    assert "2016-02-05" in digest  # the last day is told, alone or in a quiet stretch
    assert summary.startswith("Outcome after 5 days") and "Places held (4 in all)" in summary
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["days"] == 5 and manifest["scenario"] == "toy"
    assert (out / "daily.nc").is_file() and (out / "events.parquet").is_file()


def test_first_run_is_run_k_of_a_larger_batch(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """--first-run 3 simulates run 3 alone: its digest says so, and its saved arrays are those
    of run 3 in a batch of 4 with the same seed (batch invariance)."""
    from ripeness.results import load_results

    one, four = tmp_path / "one", tmp_path / "four"
    assert main(["run", str(TOY), "--days", "6", "--seed", "2", "--first-run", "3", "--out",
                 str(one)]) == 0
    assert ": run 3, seed 2" in capsys.readouterr().out
    assert main(["run", str(TOY), "--days", "6", "--seed", "2", "--runs", "4", "--quiet",
                 "--out", str(four)]) == 0
    a, b = load_results(one).daily, load_results(four).daily
    assert a["run"].values.tolist() == [3]
    for name in ("control", "force", "mil_dead", "civilians"):
        assert (a[name].sel(run=3).values == b[name].sel(run=3).values).all(), name
    with pytest.raises(SystemExit):
        main(["run", str(TOY), "--first-run", "-1"])
    assert "must be 0 or more" in capsys.readouterr().err


def test_every_day_prints_each_day_and_quiet_prints_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(TOY), "--days", "8", "--seed", "3", "--every-day"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for day in range(8):
        assert sum(f"(day {day}): " in line for line in lines) == 1, day
    assert not any(" .. " in line for line in lines)
    assert any(line.startswith("Places held") for line in lines)
    assert main(["run", str(TOY), "--days", "8", "--seed", "3"]) == 0
    folded = capsys.readouterr().out.splitlines()
    assert len(folded) < len(lines) and any("days without news" in x for x in folded)
    assert main(["run", str(TOY), "--days", "8", "--seed", "3", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_run_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    assert main(["run", str(TOY), "--days", "2", "--out", str(out), "--quiet"]) == 0
    before = (out / "manifest.json").read_text()
    assert main(["run", str(TOY), "--days", "3", "--out", str(out), "--quiet"]) == 2
    assert "already holds results" in capsys.readouterr().err
    assert (out / "manifest.json").read_text() == before  # nothing lost
    assert main(["run", str(TOY), "--days", "3", "--out", str(out), "--quiet",
                 "--overwrite"]) == 0
    assert json.loads((out / "manifest.json").read_text())["days"] == 3


def test_unknown_what_if_and_bad_set_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(TOY), "--what-if", "nothing-like-it"]) == 2
    assert "no what-if named 'nothing-like-it'" in capsys.readouterr().err
    assert main(["run", str(TOY), "--set", "places.capital.population=-3"]) == 2
    err = capsys.readouterr().err
    assert "population" in err and "Traceback" not in err
    assert main(["run", str(TOY), "--set", "nonsense"]) == 2


def test_a_bad_set_is_reported_once_not_once_per_what_if(
        capsys: pytest.CaptureFixture[str]) -> None:
    """syria-2016 has dozens of what-ifs, events and uncertain ranges, each re-validated with
    its patch: an error the --set value causes on its own is reported where it is, once."""
    assert main(["run", "syria-2016", "--days", "1", "--set", "parameters.frontage=-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("outside its bounds") == 1, err
    assert "would make the scenario invalid" not in err


def test_set_changes_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(TOY), "--days", "3", "--out", str(a), "--quiet"]) == 0
    assert main(["run", str(TOY), "--days", "3", "--out", str(b), "--quiet",
                 "--set", "parameters.recruit_rate=0"]) == 0
    pa = json.loads((a / "manifest.json").read_text())["parameters"]
    pb = json.loads((b / "manifest.json").read_text())["parameters"]
    assert pa != pb
