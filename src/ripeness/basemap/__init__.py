"""Country borders and coastlines for maps, offline: Natural Earth 1:10m, shipped in the package.

``basemap(bbox)`` decodes the shipped TopoJSON (see NOTICE.md beside this file) and returns the
countries, the land borders (arcs two countries share) and the coastlines (arcs of one country
only) that touch ``bbox``, as longitude/latitude arrays. The plots and the web dashboard both
draw from it, so a map looks the same everywhere. Nothing is read until it is first called.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Basemap", "Country", "basemap", "decode_arcs"]

F64 = npt.NDArray[np.float64]
BBox = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
DATA = "countries-10m.json.gz"


@dataclass(frozen=True)
class Country:
    """One country: its name and its rings (each ``float64[point, 2]``, lon/lat degrees)."""

    name: str
    rings: tuple[F64, ...]


@dataclass(frozen=True)
class Basemap:
    """What a map of ``bbox`` draws beneath the places: countries, borders, coasts."""

    bbox: BBox
    countries: tuple[Country, ...]
    borders: tuple[F64, ...]
    coasts: tuple[F64, ...]

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON FeatureCollection: one feature per country, border line and coast line."""
        feats: list[dict[str, Any]] = [
            {"type": "Feature", "properties": {"kind": "country", "name": c.name},
             "geometry": {"type": "MultiLineString", "coordinates": [r.tolist() for r in c.rings]}}
            for c in self.countries
        ]
        for kind, lines in (("border", self.borders), ("coast", self.coasts)):
            feats += [{"type": "Feature", "properties": {"kind": kind},
                       "geometry": {"type": "LineString", "coordinates": ln.tolist()}}
                      for ln in lines]
        return {"type": "FeatureCollection", "bbox": list(self.bbox), "features": feats}


def decode_arcs(topology: dict[str, Any]) -> list[F64]:
    """The arcs of a TopoJSON topology in its coordinates (delta decoding, then transform)."""
    t = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        a = np.asarray(arc, dtype=np.float64).reshape(-1, 2)
        if t is not None:
            a = np.cumsum(a, axis=0) * np.asarray(t["scale"]) + np.asarray(t["translate"])
        out.append(a)
    return out


def _ring(arcs: list[F64], refs: list[int]) -> F64:
    """A ring from arc references (~i is arc i reversed); shared end points are not repeated."""
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in refs]
    return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])


def _polygons(geom: dict[str, Any]) -> list[list[int]]:
    """Every ring of a Polygon or MultiPolygon geometry, as lists of arc references."""
    if geom.get("type") == "Polygon":
        return list(geom["arcs"])
    if geom.get("type") == "MultiPolygon":
        return [ring for poly in geom["arcs"] for ring in poly]
    return []


def _touches(a: F64, bbox: BBox) -> bool:
    """Whether any point of ``a`` lies in ``bbox`` (at 1:10m, vertices are a few km apart)."""
    x0, y0, x1, y1 = bbox
    inside = (a[:, 0] >= x0) & (a[:, 0] <= x1) & (a[:, 1] >= y0) & (a[:, 1] <= y1)
    return bool(inside.any())


@cache
def _topology() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath(DATA).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data


@cache
def _decoded() -> tuple[list[F64], list[set[int]]]:
    """The shipped topology's arcs and, for each, the countries that use it (decoded once)."""
    topo = _topology()
    arcs = decode_arcs(topo)
    return arcs, _owners(topo["objects"]["countries"]["geometries"], len(arcs))


def _owners(geoms: list[dict[str, Any]], n_arcs: int) -> list[set[int]]:
    """For each arc, the countries whose rings use it."""
    owners: list[set[int]] = [set() for _ in range(n_arcs)]
    for g, geom in enumerate(geoms):
        for ring in _polygons(geom):
            for i in ring:
                owners[i if i >= 0 else ~i].add(g)
    return owners


def basemap(bbox: BBox, margin: float = 0.5) -> Basemap:
    """Countries, borders and coasts touching ``bbox`` (lon_min, lat_min, lon_max, lat_max)
    widened by ``margin`` degrees on each side. Lines are not cut at the box: a plot clips them."""
    x0, y0, x1, y1 = bbox
    if not (x0 <= x1 and y0 <= y1):
        raise ValueError(f"bbox must be (lon_min, lat_min, lon_max, lat_max), got {bbox}")
    box = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    arcs, owners = _decoded()
    geoms = _topology()["objects"]["countries"]["geometries"]
    countries = []
    for geom in geoms:
        rings = tuple(r for r in (_ring(arcs, ref) for ref in _polygons(geom)) if _touches(r, box))
        if rings:
            countries.append(Country(str(geom.get("properties", {}).get("name", "")), rings))
    near = [i for i, a in enumerate(arcs) if owners[i] and _touches(a, box)]
    borders = tuple(arcs[i] for i in near if len(owners[i]) >= 2)
    coasts = tuple(arcs[i] for i in near if len(owners[i]) == 1)
    return Basemap(box, tuple(countries), borders, coasts)
