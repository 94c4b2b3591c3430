"""Place names on a map without clutter.

Labels are placed in priority order. Each tries eight sides of its marker, first beside it,
then further out with a thin leader line, and takes the first spot that stays inside the axes
and overlaps no marker and no label placed before it. A label that must be shown (a place the
run's story is about) and finds no free spot takes the spot that overlaps least; any other
label that finds none is left out. Boxes are computed from the text's measured size, so only
the labels kept are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Label", "place_labels", "short_names"]

#: Directions tried, as (dx, dy, ha, va): right, left, above, below, then the diagonals.
SIDES = ((1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
         (0, -1, "center", "top"), (0.75, 0.75, "left", "bottom"),
         (-0.75, 0.75, "right", "bottom"), (0.75, -0.75, "left", "top"),
         (-0.75, -0.75, "right", "top"))
#: Distances tried, in marker radii plus a gap: beside, then out on a leader line.
REACH = (1.0, 2.4, 4.0)
FONT = 7.5
GAP = 3.0  # pixels between a marker's edge and its label
CLEAR = 4.0  # pixels kept between a label and any other marker, so it names its own


@dataclass(frozen=True)
class Label:
    """Place ``index``'s label ``text``; ``must``: shown even where it overlaps; ``bold``:
    set in bold (a place the story is about)."""

    index: int
    text: str
    must: bool = False
    bold: bool = False


def short_names(names: list[str]) -> list[str]:
    """Names cut before a parenthesis, a colon, ' and the ' or a comma; a name that two places
    would share keeps the first word of what was cut: 'Aleppo (government-held)'."""
    heads = []
    for n in names:
        head = n
        for cut in (" (", ":", " and the ", ", "):
            head = head.split(cut)[0]
        heads.append(head.strip())
    out = []
    for n, h in zip(names, heads, strict=True):
        rest = n[len(h):].strip(" (:,)").split()
        word = rest[1] if rest and rest[0] == "and" and len(rest) > 1 else (rest or [""])[0]
        out.append(f"{h} ({word.strip('(),:')})" if heads.count(h) > 1 and word else h)
    return out


def _box(anchor: NDArray[np.float64], size: tuple[float, float], ha: str,
         va: str) -> NDArray[np.float64]:
    """[x0, y0, x1, y1] of a text of ``size`` (w, h) aligned at ``anchor``."""
    w, h = size
    x0 = anchor[0] - {"left": 0.0, "center": w / 2, "right": w}[ha]
    y0 = anchor[1] - {"bottom": 0.0, "center": h / 2, "top": h}[va]
    return np.array([x0, y0, x0 + w, y0 + h])


def _overlap(box: NDArray[np.float64], others: NDArray[np.float64]) -> float:
    """Total area of ``box`` covered by each of ``others`` (float[k, 4])."""
    if not len(others):
        return 0.0
    w = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    h = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


def _size(ax: Any, text: str, bold: bool) -> tuple[float, float]:
    """The text's width and height in pixels, with the padding of its background box."""
    t = ax.text(0, 0, text, fontsize=FONT, fontweight="bold" if bold else "normal")
    bb = t.get_window_extent(ax.figure.canvas.get_renderer())
    t.remove()
    pad = 2 * 0.25 * FONT * ax.figure.dpi / 72.0
    return bb.width + pad, bb.height + pad


def place_labels(ax: Any, lon: NDArray[Any], lat: NDArray[Any], radius: NDArray[Any],
                 labels: list[Label]) -> list[Any]:
    """Draw ``labels`` (in priority order) beside the markers at ``lon``/``lat`` (``radius``:
    each marker's radius in points); return the annotations drawn."""
    scale = ax.figure.dpi / 72.0
    centre = ax.transData.transform(np.column_stack([lon, lat]))
    r = np.asarray(radius, dtype=np.float64) * scale
    marks = np.column_stack([centre - r[:, None], centre + r[:, None]])
    frame = ax.get_window_extent()
    placed: list[NDArray[np.float64]] = []
    drawn = []
    for lab in labels:
        i = lab.index
        if not (frame.x0 <= centre[i, 0] <= frame.x1 and frame.y0 <= centre[i, 1] <= frame.y1):
            continue
        spot = _spot(centre[i], r[i], _size(ax, lab.text, lab.bold), marks, i,
                     np.array(placed).reshape(-1, 4), frame, lab.must)
        if spot is None:
            continue
        box, (dx, dy, ha, va), reach = spot
        placed.append(box)
        gap = (r[i] + GAP) * reach / scale
        line = ({"arrowstyle": "-", "lw": 0.5, "color": "0.25", "shrinkA": 0,
                 "shrinkB": radius[i]} if reach > 1 else None)
        drawn.append(ax.annotate(
            lab.text, (lon[i], lat[i]), xytext=(dx * gap, dy * gap), textcoords="offset points",
            ha=ha, va=va, fontsize=FONT, zorder=7, fontweight="bold" if lab.bold else "normal",
            arrowprops=line, annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.8}))
    return drawn


def _spot(c: NDArray[np.float64], r: float, size: tuple[float, float],
          marks: NDArray[np.float64], own: int, placed: NDArray[np.float64], frame: Any,
          must: bool) -> tuple[NDArray[np.float64], tuple[Any, ...], float] | None:
    """The first free spot for a label of ``size`` beside the marker at ``c`` (radius ``r``
    pixels), or for a label that must be shown the least crowded one; None: no room."""
    others = np.delete(marks, own, axis=0) + np.array([-CLEAR, -CLEAR, CLEAR, CLEAR])
    best: tuple[float, NDArray[np.float64], tuple[Any, ...], float] | None = None
    for reach in REACH:
        for side in SIDES:
            d = (r + GAP) * reach
            box = _box(c + np.array(side[:2]) * d, size, side[2], side[3])
            out = (max(frame.x0 - box[0], 0) + max(box[2] - frame.x1, 0)
                   + max(frame.y0 - box[1], 0) + max(box[3] - frame.y1, 0))
            cost = _overlap(box, others) + 3 * _overlap(box, placed) + 1e3 * out
            if cost == 0:
                return box, side, reach
            if best is None or cost < best[0]:
                best = (cost, box, side, reach)
    if must and best is not None:
        return best[1], best[2], best[3]
    return None
