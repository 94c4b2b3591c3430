"""docs/plots.md shows every figure the package draws, and one command makes them all: CI
runs it (quick: few runs and days, the same files) and checks that every figure the docs
reference is made. No doc shows a figure that no command prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from ripeness.cli import main  # after the skip: the gallery needs matplotlib
from ripeness.report import gallery as gallery_module
from ripeness.report.gallery import FIGURES

ROOT = Path(__file__).resolve().parents[1]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def _images(path: Path) -> list[str]:
    return IMAGE.findall(path.read_text())


def test_the_gallery_page_shows_every_figure_once() -> None:
    shown = _images(ROOT / "docs" / "plots.md")
    assert sorted(shown) == sorted(f"gallery/{f}" for f in FIGURES)


def test_no_doc_shows_a_figure_the_gallery_does_not_make() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for ref in _images(page):
            assert ref.removeprefix("docs/").removeprefix("gallery/") in FIGURES, (page, ref)


def test_the_shipped_gallery_is_the_gallery_folder() -> None:
    """docs/gallery holds the figures the page shows and the manifest of the command that
    drew them (the full run, not --quick), nothing else."""
    folder = ROOT / "docs" / "gallery"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "ripeness figures"
    assert manifest["command"] == "ripeness gallery" and sorted(manifest["files"]) == sorted(
        FIGURES)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FIGURES, "manifest.json"])


def test_one_command_makes_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["gallery", str(tmp_path), "--quick"]) == 0
    assert "17 figures written" in capsys.readouterr().out
    for ref in _images(ROOT / "docs" / "plots.md"):
        made = tmp_path / Path(ref).name
        assert made.is_file() and made.stat().st_size > 2000, ref
        head = made.read_bytes()[:6]
        assert head.startswith(b"\x89PNG" if made.suffix == ".png" else b"GIF8"), ref
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["kind"] == "ripeness figures" and manifest["command"].endswith("--quick")
    assert sorted(manifest["files"]) == sorted(FIGURES)
    # drawn again into the same folder: refused before anything is simulated, unless
    # --overwrite; a file of the user's in it is named and kept, even with --overwrite
    def nothing(*_: object) -> list[Path]:
        raise AssertionError("simulated before the folder was checked")

    monkeypatch.setattr(gallery_module, "_run", nothing)
    assert main(["gallery", str(tmp_path), "--quick"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["gallery", str(tmp_path), "--quick", "--overwrite"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"
