"""The dashboard's base map: the package's Natural Earth countries, borders and coasts around a
scenario's places, clipped to the view so the page receives only what it draws."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from ..basemap import basemap
from ..scenario import Scenario

__all__ = ["clip_line", "clip_ring", "map_view", "view_box"]

F64 = npt.NDArray[np.float64]
Box = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


def view_box(lons: F64, lats: F64) -> Box:
    """The places' extent widened by a tenth of its size on each side (at least 0.15°)."""
    pad_x = max(0.1 * float(np.ptp(lons)), 0.15)
    pad_y = max(0.1 * float(np.ptp(lats)), 0.15)
    return (float(lons.min()) - pad_x, float(lats.min()) - pad_y,
            float(lons.max()) + pad_x, float(lats.max()) + pad_y)


def _clip_edge(pts: F64, axis: int, bound: float, keep_below: bool) -> F64:
    """One Sutherland-Hodgman pass: the ring's part on one side of an axis-parallel line."""
    if len(pts) == 0:
        return pts
    inside = pts[:, axis] <= bound if keep_below else pts[:, axis] >= bound
    out: list[F64] = []
    prev, prev_in = pts[-1], bool(inside[-1])
    for p, p_in in zip(pts, inside, strict=True):
        if p_in != prev_in:
            t = (bound - prev[axis]) / (p[axis] - prev[axis])
            out.append(prev + t * (p - prev))
        if p_in:
            out.append(p)
        prev, prev_in = p, bool(p_in)
    return np.array(out).reshape(-1, 2)


def clip_ring(ring: F64, box: Box) -> F64:
    """A polygon ring clipped to ``box`` (a convex clip keeps a filled ring filled right)."""
    x0, y0, x1, y1 = box
    pts = ring[:-1] if len(ring) > 1 and np.array_equal(ring[0], ring[-1]) else ring
    for axis, bound, below in ((0, x0, False), (0, x1, True), (1, y0, False), (1, y1, True)):
        pts = _clip_edge(pts, axis, bound, below)
    return pts


def clip_line(line: F64, box: Box) -> list[F64]:
    """The pieces of a polyline with a vertex in ``box``, each with one vertex beyond either end
    so that it runs to the edge (the page clips the rest)."""
    x0, y0, x1, y1 = box
    inside = (line[:, 0] >= x0) & (line[:, 0] <= x1) & (line[:, 1] >= y0) & (line[:, 1] <= y1)
    keep = inside.copy()
    keep[1:] |= inside[:-1]
    keep[:-1] |= inside[1:]
    pieces, start = [], None
    for i, k in enumerate([*keep, False]):
        if k and start is None:
            start = i
        elif not k and start is not None:
            if i - start >= 2:
                pieces.append(line[start:i])
            start = None
    return pieces


def _area_centroid(ring: F64) -> tuple[float, float, float]:
    """Signed-area magnitude and centroid of a ring (shoelace)."""
    x, y = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    a = cross.sum() / 2
    if abs(a) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    return abs(float(a)), float(((x + xn) * cross).sum() / (6 * a)), float(
        ((y + yn) * cross).sum() / (6 * a))


def _coords(a: F64) -> list[list[float]]:
    return np.round(a, 4).tolist()  # type: ignore[no-any-return]


def _features(sc: Scenario, box: Box) -> list[dict[str, Any]]:
    lons = np.array([p.lon.value for p in sc.places])
    lats = np.array([p.lat.value for p in sc.places])
    bm = basemap((float(lons.min()), float(lats.min()), float(lons.max()), float(lats.max())),
                 margin=max(box[2] - box[0], box[3] - box[1], 1.0) + 0.5)
    # The page widens the view to its window's shape: keep land well beyond the box.
    mx, my = max(1.0, box[2] - box[0]), max(1.0, box[3] - box[1])
    wide = (box[0] - mx, box[1] - my, box[2] + mx, box[3] + my)
    feats: list[dict[str, Any]] = []
    for c in bm.countries:
        rings = [r for r in (clip_ring(r, wide) for r in c.rings) if len(r) >= 3]
        if not rings:
            continue
        area, cx, cy = max(_area_centroid(r) for r in rings)
        feats.append({"type": "Feature", "properties": {
            "kind": "country", "name": c.name, "label": [round(cx, 4), round(cy, 4)],
            "area": round(area, 5)},
            "geometry": {"type": "MultiPolygon", "coordinates": [[_coords(r)] for r in rings]}})
    for kind, lines in (("border", bm.borders), ("coast", bm.coasts)):
        feats += [{"type": "Feature", "properties": {"kind": kind},
                   "geometry": {"type": "LineString", "coordinates": _coords(piece)}}
                  for ln in lines for piece in clip_line(ln, wide)]
    return feats


def _build(sc: Scenario) -> dict[str, Any]:
    lons = np.array([p.lon.value for p in sc.places])
    lats = np.array([p.lat.value for p in sc.places])
    box = view_box(lons, lats)
    return {"type": "FeatureCollection", "bbox": [round(v, 4) for v in box],
            "source": "Natural Earth 1:10m admin 0 countries (public domain), shipped in "
                      "the package (ripeness/basemap/NOTICE.md)",
            "features": _features(sc, box)}


def map_view(name: str, sc: Scenario) -> dict[str, Any]:
    """GeoJSON of the countries (filled, clipped to the view), borders and coasts around the
    scenario's places; ``bbox`` is the view the page draws."""
    with _LOCK:
        hit = _CACHE.get(name)
    if hit is None:
        hit = _build(sc)
        with _LOCK:
            _CACHE[name] = hit
    return hit


_CACHE: dict[str, dict[str, Any]] = {}  # by scenario name (uploads are named by their hash)
_LOCK = threading.Lock()
