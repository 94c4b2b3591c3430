"""The `backtest` and `calibrate` commands: thin, printing the table and the score, exit 2
with file, line and fix for a bad record."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ripeness.cli import main

from .test_backtest_record import write


def test_backtest_prints_table_and_score(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "aleppo-2016", "--runs", "6", "--cutoff", "2016-02-10",
                 "--null", "2"]) == 0
    out = capsys.readouterr().out
    for text in ("nubl-relieved", "talks-suspended", "share", "error d (q1 med q3)",
                 "score: ", "before 2016-02-10: ", "chance level",
                 "margin over the best permuted record: ", "95% interval over the runs"):
        assert text in out


def test_backtest_with_unknown_place_exits_2(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rec = write(tmp_path, "a,2016-02-03,siege relieved,nbl,,,,,,http://x,\n")
    assert main(["backtest", "aleppo-2016", "--runs", "2", "--record", str(rec)]) == 2
    err = capsys.readouterr().err
    assert f"{rec}:3:4" in err and "unknown place 'nbl'" in err and "'nubl'" in err


def test_backtest_plot_and_patch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    patch = tmp_path / "p.toml"
    patch.write_text('[whatifs.calibrated]\ndescription = "test"\n\n'
                     '[whatifs.calibrated.set]\n"talks.pause_days" = 35\n')
    png = tmp_path / "bt.png"
    assert main(["backtest", "aleppo-2016", "--runs", "4", "--null", "0", "--patch",
                 str(patch), "--plot", str(png)]) == 0
    assert png.stat().st_size > 0 and "plot written" in capsys.readouterr().out


def test_calibrate_writes_a_patch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cal.toml"
    args = ["calibrate", "aleppo-2016", "--cutoff", "2016-02-10", "--samples", "2",
            "--runs", "3", "--top", "1", "--rescore-runs", "3", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "default" in text and "calibrated" in text and out.is_file()
    assert main(args) == 2  # refuses to overwrite
    assert "--overwrite" in capsys.readouterr().err


def test_bad_cutoff_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["calibrate", "aleppo-2016", "--cutoff", "10 Feb", "--out", "x.toml"])
    assert "is not a date YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.slow
def test_backtest_500_runs_in_ci_time(capsys: pytest.CaptureFixture[str]) -> None:
    """The acceptance run: 500 runs of aleppo-2016 against its record in well under a
    minute, the score printed with the per-event table."""
    t0 = time.perf_counter()
    assert main(["backtest", "aleppo-2016", "--runs", "500", "--cutoff", "2016-02-10"]) == 0
    assert time.perf_counter() - t0 < 120
    out = capsys.readouterr().out
    assert out.count("\n") > 25 and "score: " in out


def test_api_is_documented() -> None:
    """Every public name of ripeness.backtest is named in docs/backtest.md."""
    import ripeness.backtest as bt

    doc = (Path(__file__).resolve().parents[1] / "docs" / "backtest.md").read_text()
    assert [n for n in bt.__all__ if f"`{n}`" not in doc] == []


def test_also_needs_a_scenario_and_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["calibrate", "syria-2016", "--cutoff", "2016-06-01", "--out", "x.toml"]
    for bad, said in (("aleppo-2016", "is not SCENARIO:YYYY-MM-DD"),
                      ("aleppo-2016:29 Feb", "is not a date YYYY-MM-DD")):
        with pytest.raises(SystemExit):
            main([*base, "--also", bad])
        assert said in capsys.readouterr().err
