"""The ground beneath a map: sea, countries, borders, coasts, country names and a scale bar.

Everything comes from :func:`ripeness.basemap.basemap` (Natural Earth 1:10m, shipped in the
package, decoded offline). The projection is equirectangular with a 1/cos(latitude) aspect,
so distances look right near the map's centre.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..basemap import Basemap, basemap

__all__ = ["Extent", "draw_ground", "extent_of", "scale_bar"]

Extent = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max

SEA = "#D4E4EF"
HOME = "#F6F3EC"  # the country most places lie in
ABROAD = "#E3E0D8"
BORDER = "#5A5A5A"
COAST = "#7794AA"
KM_PER_DEGREE = 111.32  # along a meridian; along a parallel times cos(latitude)


def extent_of(lon: NDArray[Any], lat: NDArray[Any], pad: float = 0.08,
              least: float = 0.12) -> Extent:
    """The places' bounding box widened by ``pad`` of its size (at least ``least`` degrees)."""
    dx = max((float(lon.max()) - float(lon.min())) * pad, least)
    dy = max((float(lat.max()) - float(lat.min())) * pad, least)
    return (float(lon.min()) - dx, float(lat.min()) - dy, float(lon.max()) + dx,
            float(lat.max()) + dy)


def _inside(ring: NDArray[np.float64], ext: Extent) -> NDArray[np.bool_]:
    x0, y0, x1, y1 = ext
    return np.asarray((ring[:, 0] >= x0) & (ring[:, 0] <= x1) & (ring[:, 1] >= y0)
                      & (ring[:, 1] <= y1))


@lru_cache(maxsize=16)
def _basemap(ext: Extent) -> Basemap:
    """The basemap of a map's extent (with a degree of margin), decoded once per extent."""
    return basemap(ext, margin=1.0)


def _home(countries: Any, lon: NDArray[Any], lat: NDArray[Any]) -> str:
    """The country that most places lie in (point in polygon, any of its rings)."""
    from matplotlib.path import Path

    pts = np.column_stack([lon, lat])
    counts = {c.name: sum(int(Path(r).contains_points(pts).sum()) for r in c.rings)
              for c in countries}
    return max(counts, key=lambda k: counts[k]) if counts else ""


def draw_ground(ax: Any, ext: Extent, lon: NDArray[Any], lat: NDArray[Any],
                names: bool = True) -> None:
    """Sea, land, borders and coasts of ``ext``, the country names (but the home country's)
    where they have room, and the aspect and limits of the axes."""
    from matplotlib.collections import PolyCollection

    m = _basemap(ext)
    home = _home(m.countries, lon, lat)
    ax.set_facecolor(SEA)
    rings = [(r, HOME if c.name == home else ABROAD) for c in m.countries for r in c.rings]
    ax.add_collection(PolyCollection([r for r, _ in rings], facecolors=[f for _, f in rings],
                                     linewidths=0, zorder=0), autolim=False)
    for lines, colour, width in ((m.borders, BORDER, 0.9), (m.coasts, COAST, 0.8)):
        for ln in lines:
            ax.plot(ln[:, 0], ln[:, 1], color=colour, lw=width, zorder=0.5,
                    ls=(0, (4, 1.5)) if colour == BORDER else "-", solid_capstyle="round")
    x0, y0, x1, y1 = ext
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
    if names:
        _country_names(ax, m.countries, ext, home)


def _country_names(ax: Any, countries: Any, ext: Extent, home: str) -> None:
    """Each foreign country's name in capitals, at the middle of its part of the map, if that
    part holds enough of the map's border vertices to be more than a sliver."""
    x0, y0, x1, y1 = ext
    for c in countries:
        if c.name == home:
            continue
        pts = np.concatenate([r[_inside(r, ext)] for r in c.rings])
        if len(pts) < 8:
            continue
        cx, cy = np.median(pts, axis=0)
        cx = float(np.clip(cx, x0 + 0.08 * (x1 - x0), x1 - 0.08 * (x1 - x0)))
        cy = float(np.clip(cy, y0 + 0.04 * (y1 - y0), y1 - 0.04 * (y1 - y0)))
        ax.text(cx, cy, c.name.upper(), ha="center", va="center", fontsize=8.5,
                color="#8A8578", style="italic", zorder=0.6, clip_on=True)


def _nice(km: float) -> float:
    """The largest of 1, 2, 5 x 10^k not above ``km``."""
    k = 10 ** np.floor(np.log10(km))
    return float(max(m * k for m in (1, 2, 5) if m * k <= km))


def scale_bar(ax: Any, ext: Extent, lon: NDArray[Any], lat: NDArray[Any]) -> None:
    """A bar of a round number of kilometres, about a fifth of the map's width, in the
    bottom corner with fewer places."""
    x0, y0, x1, y1 = ext
    per_deg = KM_PER_DEGREE * np.cos(np.radians((y0 + y1) / 2))
    km = _nice((x1 - x0) * per_deg / 5)
    width = km / per_deg
    low = lat < y0 + 0.15 * (y1 - y0)
    left_free = int((low & (lon < x0 + 0.3 * (x1 - x0))).sum())
    right_free = int((low & (lon > x1 - 0.3 * (x1 - x0))).sum())
    left = x0 + 0.04 * (x1 - x0) if left_free <= right_free else x1 - 0.04 * (x1 - x0) - width
    right, y = left + width, y0 + 0.05 * (y1 - y0)
    ax.plot([left, right], [y, y], color="black", lw=2.5, solid_capstyle="butt", zorder=6)
    for x in (left, right):
        ax.plot([x, x], [y - 0.006 * (y1 - y0), y + 0.006 * (y1 - y0)], color="black", lw=1,
                zorder=6)
    ax.text((left + right) / 2, y + 0.012 * (y1 - y0), f"{km:g} km", ha="center",
            va="bottom", fontsize=8, zorder=6)
