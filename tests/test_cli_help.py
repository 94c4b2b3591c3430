"""Every command's --help works and shows an example (argparse formats help text with %)."""

from __future__ import annotations

import pytest

from ripeness.cli import build_parser, main


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "==SUPPRESS==" or
               getattr(a, "choices", None))
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_top_level_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for cmd in _commands():
        assert cmd in out


@pytest.mark.parametrize("cmd", _commands())
def test_each_command_help_has_an_example(cmd: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main([cmd, "--help"])
    assert e.value.code == 0
    assert "example" in capsys.readouterr().out
