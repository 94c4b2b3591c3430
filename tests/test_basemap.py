"""The shipped Natural Earth basemap decodes to the right lines where the scenarios are."""

from __future__ import annotations

import numpy as np
import pytest

from ripeness.basemap import basemap, decode_arcs

LEVANT = (35.5, 32.0, 42.5, 37.5)


def _nearest(lines: tuple[np.ndarray, ...], lon: float, lat: float) -> float:
    return min(float(np.hypot(ln[:, 0] - lon, ln[:, 1] - lat).min()) for ln in lines)


def test_decode_quantized_arc_by_hand() -> None:
    """Delta-encoded points (0,0), (+1,0), (0,+1) with scale (2,3), translate (10,20)."""
    topo = {"arcs": [[[0, 0], [1, 0], [0, 1]]],
            "transform": {"scale": [2, 3], "translate": [10, 20]}}
    (arc,) = decode_arcs(topo)
    assert arc.tolist() == [[10, 20], [12, 20], [12, 23]]


def test_syria_turkey_border_passes_bab_al_salameh() -> None:
    """The crossing north of Azaz (36.635 N, 37.075 E, approximate) lies on the border."""
    m = basemap(LEVANT)
    assert _nearest(m.borders, 37.075, 36.635) < 0.05
    assert _nearest(m.coasts, 37.075, 36.635) > 0.8  # inland: the gulf of Iskenderun is ~90 km west


def test_coast_at_latakia_and_distinct_neighbours() -> None:
    m = basemap(LEVANT)
    assert _nearest(m.coasts, 35.78, 35.52) < 0.1  # Latakia's port
    names = {c.name for c in m.countries}
    assert {"Syria", "Turkey", "Iraq", "Jordan", "Israel", "Lebanon"} <= names


def test_bbox_filters_and_geojson_round_trips() -> None:
    m = basemap((37.0, 36.0, 37.5, 36.8), margin=0.0)
    assert {c.name for c in m.countries} == {"Syria", "Turkey"}
    gj = m.to_geojson()
    kinds = {f["properties"]["kind"] for f in gj["features"]}
    assert kinds == {"country", "border"}


def test_bad_bbox_is_refused() -> None:
    with pytest.raises(ValueError, match="lon_min"):
        basemap((40.0, 30.0, 35.0, 36.0))
