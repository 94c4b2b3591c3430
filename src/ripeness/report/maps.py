"""Maps of control: places at their coordinates over borders and coasts, coloured by holder.

One run: each place in its holder's colour; a place taken since day 0 ringed in the colour of
its day-0 holder; a besieged place (its holder cut off from supply) in a dashed black ring.
Several runs or an ensemble: the most likely holder's colour, from white (held in no run) to
full (held in every run), with a colour bar per holder. Where many places crowd one corner of
the map (the north-Aleppo cluster) a second panel shows that corner at a larger scale. Labels
always name the places the run's story is about (captures, sieges), then the cities and the
largest and most valued places that have room (:mod:`.labels`). Ground: :mod:`.geo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..engine import init
from ..ensemble.result import EnsembleResult
from ..scenario import Loaded, Scenario, load
from ..world.compile import compile_scenario
from .colours import actor_colours
from .geo import Extent, draw_ground, extent_of, scale_bar
from .labels import Label, place_labels, short_names
from .plots import AnyResult, PlotError, pyplot, runs_of, subtitle

__all__ = ["Holding", "MapData", "Panel", "build", "fig_map", "holding", "map_data", "story"]

#: Places named besides the story's: the most populous and the most valued.
POPULOUS, VALUED = 10, 5


@dataclass(frozen=True)
class Holding:
    """Who holds what on one day. prob: float[place, actor], share of runs in which the
    actor holds the place; besieged: float[place], share of runs in which its holder is cut
    off from supply (NaN: not recorded, as in ensembles); runs: how many runs."""

    prob: NDArray[np.float64]
    besieged: NDArray[np.float64]
    runs: int

    @property
    def top(self) -> NDArray[np.int64]:
        """int[place]: the most likely holder (ties: the lowest index)."""
        return np.asarray(np.argmax(self.prob, axis=1), dtype=np.int64)

    @property
    def p(self) -> NDArray[np.float64]:
        """float[place]: the most likely holder's share of runs."""
        return self.prob[np.arange(self.prob.shape[0]), self.top]


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


@dataclass(frozen=True)
class MapData:
    """What a map draws besides who holds what: per place (the result's order) its short name,
    lon, lat, population, value, kind, day-0 holder (an actor index) and whether it is
    besieged on day 0; per actor its id, name and colour; the links as (a, b, road?) place
    index triples."""

    names: list[str]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    pop: NDArray[np.float64]
    value: NDArray[np.float64]
    kind: list[str]
    start: NDArray[np.int64]
    actors: list[str]
    actor_names: list[str]
    colours: list[str]
    links: list[tuple[int, int, bool]]
    besieged0: NDArray[np.bool_]


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
        stamp = Path(name).stat().st_mtime_ns if Path(name).is_file() else 0
        return _load(str(name), stamp)
    except Exception as e:
        raise PlotError(f"cannot draw the map: scenario '{name}' does not load ({e}); "
                        "pass --scenario FILE") from None


@lru_cache(maxsize=8)
def _load(name: str, stamp: int) -> Scenario:
    """A scenario by name or path, loaded (validated) once per file version (``stamp``):
    several maps of one result need it each."""
    return load(name)


def map_data(res: AnyResult, scenario: Any = None) -> MapData:
    """The places, actors and links of the result's scenario, in the result's order; the
    actors' colours from the result when it carries them (``actor_colour``)."""
    sc = scenario_of(res, scenario)
    ids = [str(p) for p in res.daily["place"].values]
    actors = [str(a) for a in res.daily["actor"].values]
    by_id = {p.id: p for p in sc.places}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise PlotError(f"the scenario has no place {missing[0]}; pass --scenario FILE")
    places = [by_id[i] for i in ids]
    if "actor_colour" in res.daily.coords:
        colours = [str(c) for c in res.daily["actor_colour"].values]
    else:
        colours = actor_colours(actors, [sc.actor(a).colour for a in actors])
    pos = {p: i for i, p in enumerate(ids)}
    world = compile_scenario(sc)
    order = [list(world.place_ids).index(i) for i in ids]
    return MapData(
        names=short_names([p.name for p in places]),
        lon=np.array([p.lon.value for p in places]), lat=np.array([p.lat.value for p in places]),
        pop=np.array([p.population.value for p in places], dtype=np.float64),
        value=np.array([p.value.value for p in places], dtype=np.float64),
        kind=[p.kind for p in places],
        start=np.array([actors.index(p.controller) for p in places], dtype=np.int64),
        actors=actors, actor_names=[sc.actor(a).name for a in actors], colours=colours,
        links=[(pos[k.a], pos[k.b], k.kind == "road") for k in sc.links
               if k.a in pos and k.b in pos],
        besieged0=~init(world, 1, 0).supplied[0, order])


def story(res: AnyResult, md: MapData, h: Holding, day: int) -> NDArray[np.bool_]:
    """bool[place]: what the run's story is about on ``day``: places whose (most likely)
    holder changed since day 0, places besieged on day 0 or (in most runs) that day, and for
    one run every place taken, besieged or relieved up to that day."""
    out = (h.top != md.start) | (np.nan_to_num(h.besieged) > 0.5) | md.besieged0
    if not isinstance(res, EnsembleResult) and runs_of(res) == 1:
        ev = res.events[(res.events["day"] <= day)
                        & res.events["kind"].isin(["captured", "siege begun", "siege relieved"])]
        ids = [str(p) for p in res.daily["place"].values]
        out |= np.isin(ids, ev["place"].to_numpy())
    return np.asarray(out)


def sizes(pop: NDArray[np.float64]) -> NDArray[np.float64]:
    """Marker areas (points²): the diameter grows with the square root of population."""
    top = max(float(pop.max()), 1.0)
    return (4.0 + 17.0 * np.sqrt(np.clip(pop, 0, None) / top)) ** 2


def detail_box(md: MapData, focus: NDArray[np.bool_], ext: Extent) -> Extent | None:
    """A corner of the map crowded enough to be drawn again larger: around the place with the
    most neighbours within 7% of the map's diagonal (story places count double), the places
    within 2.2 times that; None when it holds fewer than 8 places or most of the map."""
    k = np.cos(np.radians(md.lat.mean()))
    xy = np.column_stack([md.lon * k, md.lat])
    diag = float(np.hypot((ext[2] - ext[0]) * k, ext[3] - ext[1]))
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    near = (dist < 0.07 * diag).sum(axis=1) + 2 * focus
    c = int(np.argmax(near))
    inside = dist[c] < 0.154 * diag
    if inside.sum() < 8:
        return None
    box = extent_of(md.lon[inside], md.lat[inside], pad=0.12, least=0.03)
    w, h = (box[2] - box[0]) * k, box[3] - box[1]
    if w * h > 0.2 * (ext[2] - ext[0]) * k * (ext[3] - ext[1]):
        return None
    grow = (max(w, h) - w) / k / 2, (max(w, h) - h) / 2  # square on the ground
    return (box[0] - grow[0], box[1] - grow[1], box[2] + grow[0], box[3] + grow[1])


def within(md: MapData, ext: Extent) -> NDArray[np.bool_]:
    x0, y0, x1, y1 = ext
    return np.asarray((md.lon >= x0) & (md.lon <= x1) & (md.lat >= y0) & (md.lat <= y1))


def priority(md: MapData, focus: NDArray[np.bool_], shown: NDArray[np.bool_],
             extra: bool) -> list[Label]:
    """Labels in order: story places (largest first) and cities, always shown (the story's
    in bold), then the most populous and the most valued places (``extra``: every other place
    too) where there is room."""
    by_pop = [int(i) for i in np.argsort(-md.pop, kind="stable") if shown[i]]
    must = [i for i in by_pop if focus[i] or md.kind[i] == "city"]
    top = by_pop[:POPULOUS] + [int(i) for i in np.argsort(-md.value, kind="stable")
                               if shown[i]][:VALUED]
    rest = by_pop if extra else []
    order = list(dict.fromkeys([*must, *top, *rest]))
    return [Label(i, md.names[i], must=i in must, bold=bool(focus[i])) for i in order]


class Panel:
    """One map panel of ``ext``: ground, links and the place markers, redrawn for each
    day's holding by :meth:`update` (a figure or an animation's frame)."""

    def __init__(self, ax: Any, md: MapData, ext: Extent) -> None:
        self.ax, self.md, self.ext = ax, md, ext
        ax.spines[:].set_visible(True)
        draw_ground(ax, ext, md.lon, md.lat)
        for a, b, road in md.links:
            ax.plot(md.lon[[a, b]], md.lat[[a, b]], color="0.45" if road else "0.6",
                    lw=0.7 if road else 0.6, ls="-" if road else (0, (3, 2)), zorder=1)
        self.order = np.argsort(-md.pop, kind="stable")  # small markers on top of large ones
        self.s = sizes(md.pop)[self.order]
        lon, lat = md.lon[self.order], md.lat[self.order]
        self.siege = ax.scatter(lon, lat, s=0 * self.s, facecolors="white", edgecolors="black",
                                linewidths=1.2, linestyles=(0, (2, 1)), zorder=2)
        self.halo = ax.scatter(lon, lat, s=0 * self.s, linewidths=0, zorder=3)
        self.fill = ax.scatter(lon, lat, s=self.s, edgecolors="0.15", linewidths=0.5,
                               zorder=4)
        self.radius = np.sqrt(sizes(md.pop)) / 2
        self.label_radius = self.radius.copy()  # with the rings drawn by update()

    def update(self, h: Holding) -> None:
        """Colour the markers by the day's holding; ring captured and besieged places."""
        from matplotlib.colors import to_rgb

        md, o = self.md, self.order
        rgb = np.array([to_rgb(md.colours[a]) for a in h.top])
        fill = 1.0 - h.p[:, None] * (1.0 - rgb)  # white (no run) .. full colour (every run)
        self.fill.set_facecolors(fill[o])
        taken = (h.top != md.start)[o]
        cut = (np.nan_to_num(h.besieged) > 0.5)[o]
        d = np.sqrt(self.s)
        self.halo.set_sizes(np.where(taken, (d + 6.0) ** 2, 0.0))
        self.halo.set_facecolors([to_rgb(md.colours[a]) for a in md.start[o]])
        self.siege.set_sizes(np.where(cut, (d + (12.0 if taken.any() else 7.0)) ** 2, 0.0))
        r = self.radius.copy()
        r[o[taken]] += 3.0
        r[o[cut]] = self.radius[o[cut]] + 6.0
        self.label_radius = r


def _layout(plt: Any, main: Extent, detail: Extent | None) -> tuple[Any, Any, Any]:
    """A figure sized to the map's shape: the main panel, the detail panel (or None) to its
    right, and room below for the legend and the colour bars."""
    k = np.cos(np.radians((main[1] + main[3]) / 2))
    aspect = (main[3] - main[1]) / ((main[2] - main[0]) * k)
    mw = 7.0 if detail is not None else 8.5
    mh = float(np.clip(mw * aspect, 3.5, 8.5))
    mw = mh / aspect
    dw = min(mh, 5.8) if detail is not None else 0.0
    w, h, low = mw + dw + (0.9 if detail is not None else 0.6), mh + 2.5, 1.6
    fig = plt.figure(figsize=(w, h))
    ax = fig.add_axes((0.45 / w, low / h, mw / w, mh / h))
    det = (fig.add_axes(((0.75 + mw) / w, (low + mh - dw) / h, dw / w, dw / h))
           if detail is not None else None)
    return fig, ax, det


def fig_map(res: AnyResult, day: int, scenario: Any = None) -> Any:
    """The map of control on day index ``day`` (with a detail panel where places crowd)."""
    md = map_data(res, scenario)
    h = holding(res, day)
    fig, _ = build(res, md, h, story(res, md, h, day))
    date = pd.Timestamp(res.daily["date"].values[day]).date().isoformat()
    how = ("fill: the most likely holder, stronger the more runs it holds the place in"
           if h.runs > 1 else "fill: holder")
    fig.suptitle(f"Control on {date} (day {int(res.daily['day'].values[day])}): "
                 f"{subtitle(res)}\n{how}; a ring in another colour: held by that actor "
                 "on day 0", x=0.02, ha="left", fontsize=10)
    return fig


def build(res: AnyResult, md: MapData, h: Holding, focus: NDArray[np.bool_]
          ) -> tuple[Any, list[Panel]]:
    """A map figure drawn for the holding ``h``: the main panel, a detail panel where places
    crowd, labels (``focus``: the places that must be named), scale bar and legend."""
    ext = extent_of(md.lon, md.lat)
    box = detail_box(md, focus, ext)
    fig, ax, det = _layout(pyplot(), ext, box)
    panels = [Panel(ax, md, ext)]
    if det is not None and box is not None:
        panels.append(Panel(det, md, box))
        ax.add_patch(_frame(box))
        det.set_title("detail", fontsize=9, loc="left")
    for panel in panels:
        panel.update(h)
        _ticks(panel.ax, panel is panels[0])
        panel.ax.apply_aspect()  # labels are placed in display coordinates
        shown = within(md, panel.ext)
        if panel is panels[0] and box is not None:
            shown &= ~within(md, box) | (md.pop >= np.sort(md.pop)[-2])  # named in the detail
        place_labels(panel.ax, md.lon, md.lat, panel.label_radius,
                     priority(md, focus, shown, panel is not panels[0] or box is None))
    scale_bar(ax, ext, md.lon, md.lat)
    key(fig, md, h, panels[0])
    return fig, panels


def _frame(box: Extent) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((box[0], box[1]), box[2] - box[0], box[3] - box[1], fill=False,
                     ec="0.2", lw=1.0, ls="--", zorder=6)


def _ticks(ax: Any, degrees: bool) -> None:
    """Small degree ticks on the main panel, none on the detail."""
    if not degrees:
        ax.set_xticks([])
        ax.set_yticks([])
        return
    ax.tick_params(labelsize=7, length=2)
    ax.xaxis.set_major_formatter("{x:.1f}°E")
    ax.yaxis.set_major_formatter("{x:.1f}°N")


def key(fig: Any, md: MapData, h: Holding, panel: Panel) -> None:
    """The legend (holders on the map, rings, links) and, for several runs, a colour bar per
    holder: the share of runs in which it holds the place."""
    from matplotlib.lines import Line2D

    present = sorted(set(h.top.tolist()) | set(md.start.tolist()))
    handles = [Line2D([], [], ls="", marker="o", ms=8, mfc=md.colours[a], mec="0.15",
                      label=f"{md.actors[a]}: {md.actor_names[a]}") for a in present]
    handles += [
        Line2D([], [], ls="", marker="o", ms=8, mfc="white", mec="0.6", mew=3,
                label="ring: taken since day 0 (ring in the day-0 holder's colour)"),
        Line2D([], [], ls="", marker="o", ms=11, mfc="none", mec="black", mew=1.2,
               label="dashed black ring: besieged (holder cut off from supply)"
               + (" in most runs" if h.runs > 1 else "")),
        Line2D([], [], color="0.45", lw=0.8, label="road"),
        Line2D([], [], color="0.6", lw=0.7, ls=(0, (3, 2)), label="track or front line")]
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, 0.01), ncol=2,
               frameon=False, fontsize=7.5, handletextpad=0.5, columnspacing=1.2)
    if h.runs > 1:
        _colour_bars(fig, md, sorted(set(h.top.tolist())))


def _colour_bars(fig: Any, md: MapData, holders: list[int]) -> None:
    """One horizontal bar per holder, white to its colour, 0 to 100% of runs."""
    from matplotlib.colorbar import ColorbarBase
    from matplotlib.colors import LinearSegmentedColormap, Normalize

    w, h = fig.get_size_inches()
    for k, a in enumerate(holders[:6]):  # two columns of three
        x, y = w - 3.9 + 2.0 * (k // 3), 1.12 - 0.38 * (k % 3)
        ax = fig.add_axes((x / w, y / h, 1.3 / w, 0.08 / h))
        cmap = LinearSegmentedColormap.from_list(md.actors[a], ["white", md.colours[a]])
        bar = ColorbarBase(ax, cmap=cmap, norm=Normalize(0, 1), orientation="horizontal")
        bar.set_ticks([0, 0.5, 1], labels=["0", "50%", "100%"])
        bar.ax.tick_params(labelsize=6.5, length=2)
        ax.text(-0.04, 0.5, md.actors[a], transform=ax.transAxes, ha="right", va="center",
                fontsize=7.5)
    fig.text((w - 4.6) / w, 1.4 / h, "share of runs in which the most likely holder holds "
             "the place", fontsize=7.5)
