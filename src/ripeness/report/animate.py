"""A run (or a batch, or an ensemble) as an animated map, one frame a day.

The map of :func:`~ripeness.report.maps.fig_map` (main and detail panels) is drawn once and
only the markers and the title change from frame to frame. Labels name every place the whole
run's story is about (taken or besieged on some day) besides the largest ones. Written as GIF
(Pillow, which matplotlib draws with), or as MP4 through matplotlib's FFMpegWriter when the
path ends in .mp4 and ffmpeg is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .maps import build, holding, map_data, story
from .plots import AnyResult, PlotError, pyplot, style, subtitle

__all__ = ["animate"]


def animate(res: AnyResult, path: str | Path, scenario: Any = None, fps: float = 4.0,
            every: int = 1, dpi: int = 80) -> Path:
    """Write the map of control, day by day (every ``every``-th day), to ``path`` (.gif, or
    .mp4 with ffmpeg); return the path.

    The still parts are drawn once; each frame redraws only the markers and the title over
    them (blitting). A GIF is written by Pillow with one palette for all frames (so the
    frames differ only where a marker changed and the file stays small); an MP4 by
    matplotlib's FFMpegWriter.
    """
    from matplotlib.animation import FFMpegWriter

    out = Path(path)
    if out.suffix not in (".gif", ".mp4"):
        raise PlotError(f"an animation is written as .gif or .mp4, not '{out.suffix}'")
    if out.suffix == ".mp4" and not FFMpegWriter.isAvailable():
        raise PlotError("writing .mp4 needs ffmpeg on the PATH; write a .gif instead")
    days = list(range(0, int(res.daily.sizes["day"]), max(every, 1)))
    out.parent.mkdir(parents=True, exist_ok=True)
    with style():
        frames = _frames(res, scenario, days, dpi)
        if out.suffix == ".gif":
            _gif(frames, out, fps)
        else:
            _mp4(frames, out, fps, dpi)
    return out


def _frames(res: AnyResult, scenario: Any, days: list[int], dpi: int) -> list[Any]:
    """One RGBA image (uint8[y, x, 4]) per day: the still map once, the markers and the
    title redrawn over it for each day."""
    plt = pyplot()
    md = map_data(res, scenario)
    told = np.zeros(len(md.names), dtype=bool)
    for d in days:
        told |= story(res, md, holding(res, d), d)
    fig, panels = build(res, md, holding(res, days[-1]), told)
    fig.set_dpi(dpi)
    title = fig.suptitle("", x=0.02, ha="left", fontsize=10)
    moving = [title, *(a for p in panels for a in (p.siege, p.halo, p.fill))]
    for artist in moving:
        artist.set_animated(True)
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    dates = pd.DatetimeIndex(res.daily["date"].values)
    frames = []
    for d in days:
        fig.canvas.restore_region(background)
        h = holding(res, d)
        title.set_text(f"Control on {dates[d].date().isoformat()} (day {d}): "
                       f"{subtitle(res)}")
        fig.draw_artist(title)
        for p in panels:
            p.update(h)
            for artist in (p.siege, p.halo, p.fill):
                p.ax.draw_artist(artist)
        frames.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    plt.close(fig)
    return frames


def _gif(frames: list[Any], out: Path, fps: float) -> None:
    """Frames quantised to the first frame's palette (no dithering), then written by
    Pillow, looping."""
    from PIL import Image

    first = Image.fromarray(frames[0]).convert("RGB").quantize(
        colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    rest = [Image.fromarray(f).convert("RGB").quantize(palette=first, dither=Image.Dither.NONE)
            for f in frames[1:]]
    images = [first, *rest]
    images[0].save(out, save_all=True, append_images=images[1:], loop=0,
                   duration=round(1000 / fps), optimize=False)


def _mp4(frames: list[Any], out: Path, fps: float, dpi: int) -> None:
    """Frames shown one by one on a bare figure and grabbed by matplotlib's FFMpegWriter."""
    from matplotlib.animation import FFMpegWriter

    plt = pyplot()
    h, w = frames[0].shape[:2]
    screen = plt.figure(figsize=(w / dpi, h / dpi), dpi=dpi)
    ax = screen.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    shown = ax.imshow(frames[0])
    writer = FFMpegWriter(fps=round(fps))
    with writer.saving(screen, str(out), dpi=dpi):
        for f in frames:
            shown.set_data(f)
            writer.grab_frame()
    plt.close(screen)
