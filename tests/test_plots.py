"""`ripeness plot` draws a batch and an ensemble: files exist, are real PNG/SVG, name things."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import ripeness  # after the skip: these tests need matplotlib
from ripeness.cli import main
from ripeness.ensemble import run_ensemble
from ripeness.report.plots import plot_result

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three runs of eight days, saved."""
    out = tmp_path_factory.mktemp("batch") / "res"
    ripeness.simulate("aleppo-2016", runs=3, days=8).save(out)
    return out


def _check(paths: list[Path]) -> None:
    for p in paths:
        assert p.stat().st_size > 1000, p
        head = p.read_bytes()[:200]
        assert head.startswith(PNG) if p.suffix == ".png" else b"<svg" in p.read_bytes()


def test_cli_plots_a_batch(batch: Path, tmp_path: Path) -> None:
    """Maps on two chosen dates, shares, casualties and the talks, as PNG and SVG."""
    out = tmp_path / "figs"
    assert main(["plot", str(batch), "--dates", "2016-02-01,2016-02-08", "--out",
                 str(out)]) == 0
    stems = ["control-2016-02-01", "control-2016-02-08", "shares", "casualties", "outcomes",
             "talks"]
    paths = [out / f"{s}.{f}" for s in stems for f in ("png", "svg")]
    _check(paths)
    svg = (out / "control-2016-02-08.svg").read_text()
    assert "Kilis" in svg and "Azaz" in svg  # place names (text kept as text)
    assert "Nubl" in svg and "al-Zahraa" in svg  # the besieged towns of the story, both named
    assert "TURKEY" in svg and "km" in svg  # the neighbour's name, a scale bar
    assert "Syrian government and allied militias" in svg  # the actor legend
    assert "share of runs in which" in svg  # colour bars: several runs are probabilities
    talks = (out / "talks.svg").read_text()
    assert "government" in talks and "needs" in talks


def test_one_run_of_a_batch(batch: Path, tmp_path: Path) -> None:
    paths = plot_result(batch, tmp_path, run=2, dates=["2016-02-04"], formats=("png",))
    assert [p.name for p in paths] == ["control-2016-02-04.png", "shares.png",
                                       "casualties.png", "talks.png"]
    _check(paths)


def test_animation_is_a_gif_of_every_day(batch: Path, tmp_path: Path) -> None:
    from PIL import Image

    from ripeness.report.animate import animate
    from ripeness.report.plots import load_result

    gif = animate(load_result(batch), tmp_path / "run.gif", dpi=40)
    with Image.open(gif) as im:
        assert im.format == "GIF" and im.n_frames == 8  # one frame a day
    assert main(["plot", str(batch), "--run", "0", "--format", "png", "--animate",
                 "--dates", "2016-02-02", "--out", str(tmp_path / "f")]) == 0
    assert (tmp_path / "f" / "control.gif").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                    reason="writing .mp4 needs ffmpeg (apt-get install ffmpeg)")
def test_animation_as_mp4_has_a_frame_a_day(batch: Path, tmp_path: Path) -> None:
    from ripeness.report.animate import animate
    from ripeness.report.plots import load_result

    mp4 = animate(load_result(batch), tmp_path / "run.mp4", dpi=40)
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                            "-show_entries", "stream=codec_type,nb_read_frames", "-of", "csv=p=0",
                            str(mp4)], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "video,8"  # one frame a day, as the GIF


def test_mp4_without_ffmpeg_says_how_to_fix(batch: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.animation import FFMpegWriter

    from ripeness.report.animate import animate
    from ripeness.report.plots import PlotError, load_result

    monkeypatch.setattr(FFMpegWriter, "isAvailable", classmethod(lambda cls: False))
    with pytest.raises(PlotError, match=r"needs ffmpeg on the PATH; write a \.gif instead"):
        animate(load_result(batch), tmp_path / "run.mp4", dpi=40)
    assert not (tmp_path / "run.mp4").exists()


def test_plots_an_ensemble(tmp_path: Path) -> None:
    """Probability maps, share bands, final casualties; no talks timeline (no days kept)."""
    ens = tmp_path / "ens"
    run_ensemble("aleppo-2016", runs=20, days=6, out=ens, workers=1, progress=False)
    assert main(["plot", str(ens)]) == 0
    figs = ens / "figures"
    names = sorted(p.name for p in figs.iterdir() if p.name != "manifest.json")
    assert "shares.svg" in names and "casualties.png" in names and "talks.png" not in names
    assert "outcomes.png" in names
    assert sum(n.startswith("control-") for n in names) == 6
    _check([figs / n for n in names])
    assert "%" in (figs / "control-2016-02-06.svg").read_text()  # probabilities printed


def test_same_input_same_svg(batch: Path, tmp_path: Path) -> None:
    a = plot_result(batch, tmp_path / "a", dates=["2016-02-02"], formats=("svg",))
    b = plot_result(batch, tmp_path / "b", dates=["2016-02-02"], formats=("svg",))
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


@pytest.mark.parametrize("args", [["--dates", "2017-01-01"], ["--dates", "soon"],
                                  ["--run", "9"], ["--format", "gif"]])
def test_user_mistakes_exit_2(batch: Path, tmp_path: Path, args: list[str],
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", str(batch), "--out", str(tmp_path), *args]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_folder_without_results_exits_2(tmp_path: Path) -> None:
    assert main(["plot", str(tmp_path)]) == 2
