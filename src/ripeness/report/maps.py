"""Maps of control: places at their coordinates, coloured by who holds them.

Equirectangular (lon, lat) with a cos(latitude) aspect, so distances look right near the
scenario. One run: each place in its holder's colour, besieged places ringed. Several runs or
an ensemble: the most likely holder's colour, blended with white by the probability that it
holds the place, and the probability printed beside the named places.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..ensemble.result import EnsembleResult
from ..scenario import Loaded, Scenario, load
from .plots import AnyResult, PlotError, colour, pyplot, runs_of, subtitle

__all__ = ["Holding", "fig_map", "holding"]

#: Places named on the map: the most populous ones (others would crowd it).
LABELS = 12
#: Label positions tried in turn, as directions from the marker's edge: right, left, above,
#: below, then the diagonals.
OFFSETS = ((1, 0, "left", "center"), (-1, 0, "right", "center"),
           (0, 1, "center", "bottom"), (0, -1, "center", "top"),
           (0.8, 0.8, "left", "bottom"), (0.8, -0.8, "left", "top"),
           (-0.8, 0.8, "right", "bottom"), (-0.8, -0.8, "right", "top"))


@dataclass(frozen=True)
class Holding:
    """Who holds what on one day. prob: float[place, actor], share of runs in which the
    actor holds the place; besieged: float[place], share of runs in which its holder is cut
    off from supply (NaN: not recorded, as in ensembles); runs: how many runs."""

    prob: NDArray[np.float64]
    besieged: NDArray[np.float64]
    runs: int


def holding(res: AnyResult, day: int) -> Holding:
    """The day's control probabilities over the result's runs."""
    if isinstance(res, EnsembleResult):
        prob = res.daily["control_probability"].values[day].astype(np.float64)
        return Holding(prob, np.full(prob.shape[0], np.nan), runs_of(res))
    ctl = res.daily["control"].values[:, day, :].astype(np.int64)  # [run, place]
    n_a = res.daily.sizes["actor"]
    prob = (ctl[..., None] == np.arange(n_a)).mean(axis=0)
    cut = ~res.daily["supplied"].values[:, day, :].astype(bool)
    return Holding(prob, cut.mean(axis=0), runs_of(res))


def scenario_of(res: AnyResult, scenario: Any) -> Scenario:
    """The scenario whose places are drawn: given, or named in the manifest."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Loaded):
        return scenario.scenario
    name = scenario if scenario is not None else res.manifest["scenario"]
    saved = res.manifest.get("scenario_file")
    if scenario is None and saved and Path(saved).is_file():
        name = saved  # the file the result was made from (a user's own scenario)
    try:
        return load(name)
    except Exception as e:
        raise PlotError(f"cannot draw the map: scenario '{name}' does not load ({e}); "
                        "pass --scenario FILE") from None


def fill(h: Holding) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Most likely holder (ties: lowest index), its probability, and RGB fill colours:
    the holder's colour blended with white by that probability."""
    from matplotlib.colors import to_rgb

    top = np.argmax(h.prob, axis=1)
    p = h.prob[np.arange(len(top)), top]
    rgb = np.array([to_rgb(colour(int(a))) for a in top])
    return top, p, 1.0 - p[:, None] * (1.0 - rgb)


def draw_links(ax: Any, sc: Scenario, xy: dict[str, tuple[float, float]]) -> None:
    """Links as thin grey lines (roads solid, tracks and fronts dashed)."""
    for link in sc.links:
        (x0, y0), (x1, y1) = xy[link.a], xy[link.b]
        ax.plot([x0, x1], [y0, y1], color="0.65", lw=0.8, zorder=1,
                ls="-" if link.kind == "road" else "--")


def sizes(pop: NDArray[np.float64]) -> NDArray[np.float64]:
    """Marker areas (points²): the diameter grows with the square root of population."""
    top = max(float(pop.max()), 1.0)
    return (5.0 + 25.0 * np.sqrt(np.clip(pop, 0, None) / top)) ** 2


def fig_map(res: AnyResult, day: int, scenario: Any = None) -> Any:
    """The map of control on day index ``day``."""
    plt = pyplot()
    sc = scenario_of(res, scenario)
    ids = [str(p) for p in res.daily["place"].values]
    by_id = {p.id: p for p in sc.places}
    lon = np.array([by_id[i].lon.value for i in ids])
    lat = np.array([by_id[i].lat.value for i in ids])
    pop = np.array([by_id[i].population.value for i in ids], dtype=np.float64)
    fig, ax = plt.subplots(figsize=(9, 7.5), layout="constrained")
    ax.set_aspect(1.0 / np.cos(np.radians(lat.mean())))
    draw_links(ax, sc, dict(zip(ids, zip(lon, lat, strict=True), strict=True)))
    h = holding(res, day)
    top, p, rgb = fill(h)
    s = sizes(pop)
    ax.scatter(lon, lat, s=s, c=rgb, edgecolors="0.2", linewidths=0.6, zorder=3)
    ring = h.besieged > 0.5
    ax.scatter(lon[ring], lat[ring], s=s[ring] * 1.6 + 60, facecolors="none",
               edgecolors="black", linewidths=2.0, zorder=2)
    legend(ax, sc, res, top, bool(ring.any()))
    date = pd.Timestamp(res.daily["date"].values[day]).date().isoformat()
    how = ("colour strength: share of runs in which the most likely holder holds the place"
           if h.runs > 1 else "colour: holder; ring: besieged")
    ax.set(xlabel="longitude (°E)", ylabel="latitude (°N)",
           title=f"Control on {date} (day {int(res.daily['day'].values[day])})\n"
           f"{subtitle(res)}\n{how}")
    ax.grid(color="0.92", lw=0.5, zorder=0)
    fig.canvas.draw()  # settle the layout: labels are placed in display coordinates
    names = [short(by_id[i].name) for i in ids]
    label(ax, (lon, lat, np.sqrt(s) / 2 + 2), names, pop, p if h.runs > 1 else None)
    return fig


def short(name: str) -> str:
    """A place's name without its parenthesis, unless that is all that tells it apart."""
    head = name.split(" (")[0]
    return name if head == "Aleppo" else head


def label(ax: Any, where: tuple[NDArray[Any], NDArray[Any], NDArray[Any]], names: list[str],
          pop: NDArray[Any], p: NDArray[Any] | None) -> None:
    """Name the most populous places (with the probability when given), each beside its
    marker (``where``: lon, lat, radius in points) at the first side where it overlaps no
    marker or label already placed; a label that fits nowhere is left out."""
    from matplotlib.transforms import Bbox

    lon, lat, radius = where
    renderer = ax.figure.canvas.get_renderer()
    centre = ax.transData.transform(np.column_stack([lon, lat]))
    r = radius[:, None] * ax.figure.dpi / 72.0
    marks = [Bbox(b) for b in np.stack([centre - r, centre + r], axis=1)]
    placed: list[Any] = []
    for i in np.argsort(-pop, kind="stable")[:LABELS]:
        text = names[i] + (f" {p[i]:.0%}" if p is not None else "")
        for dx, dy, ha, va in OFFSETS:
            t = ax.annotate(text, (lon[i], lat[i]), xytext=(dx * radius[i], dy * radius[i]),
                            textcoords="offset points", ha=ha, va=va, fontsize=7.5, zorder=5,
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                                  "alpha": 0.7})
            box = t.get_window_extent(renderer)
            others = [m for j, m in enumerate(marks) if j != i]
            if not any(box.overlaps(b) for b in placed + others):
                placed.append(box)
                break
            t.remove()


def legend(ax: Any, sc: Scenario, res: AnyResult, top: NDArray[np.int64],
           ringed: bool) -> None:
    """One entry per actor that holds a place on the map, plus the besieged ring."""
    from matplotlib.lines import Line2D

    actors = [str(a) for a in res.daily["actor"].values]
    names = {a.id: a.name for a in sc.actors}
    handles = [Line2D([], [], ls="", marker="o", ms=9, mfc=colour(i), mec="0.2",
                      label=f"{actors[i]}: {names.get(actors[i], actors[i])}")
               for i in np.unique(top)]
    if ringed:
        handles.append(Line2D([], [], ls="", marker="o", ms=11, mfc="none", mec="black",
                              mew=2, label="besieged (holder cut off from supply)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2,
              frameon=False, fontsize=8)

