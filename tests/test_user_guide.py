"""Every command in docs/user-guide.md runs, in order, in an empty folder, and exits 0."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ripeness.cli import main

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user-guide.md"


def commands() -> list[str]:
    """The `ripeness ...` lines of the guide's bash blocks, in order."""
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(), flags=re.S)
    lines = [ln.split("  #")[0].strip() for b in blocks for ln in b.splitlines()]
    return [ln for ln in lines if ln.startswith("ripeness ")]


def test_the_guide_has_commands() -> None:
    assert len(commands()) >= 8


def test_every_command_in_the_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for cmd in commands():
        rc = main(shlex.split(cmd)[1:])
        out = capsys.readouterr()
        assert rc == 0, f"{cmd}\n{out.out[-2000:]}\n{out.err[-2000:]}"
