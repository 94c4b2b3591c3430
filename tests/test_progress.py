"""Progress bars (tqdm): drawn on a terminal, one line at the end elsewhere, every long job."""

from __future__ import annotations

import io

import pytest

from ripeness.cli import main
from ripeness.ensemble.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_only_the_final_line() -> None:
    out = io.StringIO()
    bar = Progress(10, done=4, stream=out, label="runs")
    bar.update(3)
    assert out.getvalue() == ""
    bar.update(3)
    bar.close()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.startswith("10/10 runs done (6 in ")


def test_on_a_terminal_a_live_bar_then_the_final_line() -> None:
    out = Terminal()
    with Progress(5, stream=out, label="points") as bar:
        for _ in range(5):
            bar.update(1)
        assert "points" in bar.line() and "5/5" in bar.line()
    text = out.getvalue()
    assert "\r" in text and text.rstrip().endswith("points/s)")


def test_disabled_writes_nothing() -> None:
    out = Terminal()
    with Progress(3, enabled=False, stream=out) as bar:
        bar.update(3)
    assert out.getvalue() == ""


# sensitivity's bar is checked in test_analysis_sensitivity (its design is slower to run)
@pytest.mark.parametrize("argv", [
    ["backtest", "aleppo-2016", "--runs", "2", "--days", "60", "--null", "0"],
    ["discover", "aleppo-2016", "--samples", "3", "--runs", "1", "--days", "2"],
])
def test_long_commands_report_progress(argv: list[str],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert " done (" in err, err
