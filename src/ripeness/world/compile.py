"""A validated scenario becomes arrays, once: the engine never reads the scenario again.

Index orders follow the scenario: places as listed, actors as listed (all of them, with a mask
for belligerents), support entries as listed. Numbers that dated events may change (model
parameters, sorties and fighters per day, open sources, backers' strike weights) live in
:class:`Params`; the world holds one :class:`Params` per phase between events.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..params import registry
from ..scenario.patch import EVENT_PREFIXES, apply_patch, event_may_set
from ..scenario.schema import Scenario
from .changes import Change, compile_changes
from .coalitions import allies
from .supply import bitset_table
from .truces import Truce, compile_truces, in_force

__all__ = ["EVENT_PREFIXES", "Params", "World", "compile_scenario"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

#: Paths under ``talks.`` belong to the talks, compiled once: the war engine ignores them.


@dataclass(frozen=True)
class Params:
    """The numbers in force during one phase (between two dated events).

    scalars: global parameters by name. per_actor: float64[actor] by name (registry default,
    then the scenario's [parameters], then each actor's ``params``). sorties, fighters:
    float64[support], per day. source: bool[place, actor], open sources each actor may use
    that carry arms (and fighters); food: bool[place, actor], those that carry food.
    strike_mix: float64[support, system], shares of the sorties flown against the client's
    enemies' heavy weapons, command and air defences. no_strike: bool[support, place], places
    the entry's sorties never strike (a veto; vetoed actors have strike weight 0).
    strike_w: float64[support, actor], a backer's weight for striking each actor.
    terrain_defence: float64[place], divisor of attacker fire.
    """

    scalars: dict[str, float]
    per_actor: dict[str, F64]
    sorties: F64
    fighters: F64
    source: B
    food: B
    strike_mix: F64
    no_strike: B
    strike_w: F64
    terrain_defence: F64
    phase: int

    def num(self, name: str) -> float:
        """A global parameter."""
        return self.scalars[name]

    def by_actor(self, name: str) -> F64:
        """A per-actor parameter, float64[actor]."""
        return self.per_actor[name]

    def used(self, actor_ids: tuple[str, ...]) -> dict[str, Any]:
        """Name -> value (per-actor ones as actor -> value), for the manifest."""
        out: dict[str, Any] = dict(self.scalars)
        for name, arr in self.per_actor.items():
            out[name] = {a: float(v) for a, v in zip(actor_ids, arr, strict=True)}
        return out


@dataclass(frozen=True)
class World:
    """The map and its actors as arrays (see the field comments for shapes and units)."""

    name: str
    start: dt.date
    horizon: int
    place_ids: tuple[str, ...]
    actor_ids: tuple[str, ...]
    support_ids: tuple[str, ...]
    corridor_ids: tuple[str, ...]
    belligerent: B  # bool[actor], actors that fight and hold ground (by kind or role)
    recruits: B  # bool[actor], belligerents by kind: they raise fighters where they hold
    ally: B  # bool[actor, actor], a's supply passes through b's ground (diagonal: itself)
    pool: B  # bool[actor, actor], a draws on b's open supply sources (diagonal: itself)
    split_supply: bool  # some source carries only arms or only food (in some phase)
    changes: tuple[Change, ...]  # dated changes of forces, in date order
    area: F64  # float[place], km2 (0 where not given)
    arms0: F64  # float[actor, system], heavy weapons, command posts, air defences (0: none)
    arms_weight: F64  # float[actor, system], heavy fire share, command weight, cover
    campaign: bool  # some actor has arms an air campaign can strike (world/strikes.py)
    control0: I64  # int[place], actor index
    force0: F64  # float[place, actor], fighters
    pop0: F64  # float[place], persons
    value: F64  # float[place], stake units
    obj_value: F64  # float[actor, place], value plus objective extras
    obj_norm: F64  # float[actor, place], obj_value / its max per actor
    aim_norm: F64  # float[actor, place], the objective's own weights / their max (0: none)
    aim_hold: B  # bool[actor, place], a belligerent's limited objective: the places to hold
    hostile: B  # bool[actor, actor], symmetric
    links: I64  # int[link, 2]
    km: F64  # float[link], km
    adj: B  # bool[place, place]
    nbr: I64  # int[place, degree], neighbour indices padded with P (a dummy slot)
    table: NDArray[np.uint64]  # uint64[word, byte, 256, word], bitset neighbour expansion
    hops: F64  # float[place, place], link count of the shortest path (inf: unreachable)
    refuge: B  # bool[place]
    refuge_of: I64  # int[place], nearest refuge by road km, -1 when none
    fortification: F64  # float[place], 0..1
    support_backer: I64  # int[support]
    support_client: I64  # int[support]
    corridor_actor: I64  # int[corridor]
    corridor_from: I64  # int[corridor]
    corridor_to: I64  # int[corridor]
    phases: tuple[tuple[int, Params], ...]  # (first day, params), sorted by day
    truces: tuple[Truce, ...] = ()  # local truces over named places (world/truces.py)

    @property
    def shape(self) -> tuple[int, int]:
        """(places, actors)."""
        return len(self.place_ids), len(self.actor_ids)

    @property
    def words(self) -> int:
        """uint64 words in a place bitset."""
        return int(self.table.shape[0])

    def truce_on(self, day: int) -> B | None:
        """bool[place, actor, actor]: the local truces in force on ``day`` (None: none)."""
        return in_force(self.truces, len(self.place_ids), len(self.actor_ids), day)

    def params_on(self, day: int) -> Params:
        """The parameters in force on ``day`` (0 = start date)."""
        current = self.phases[0][1]
        for first, p in self.phases:
            if first <= day:
                current = p
        return current


def floyd(d: F64) -> F64:
    """All-pairs shortest path lengths from a matrix of direct lengths (inf: no link), by
    SciPy's Floyd-Warshall (``scipy.sparse.csgraph.shortest_path``, method "FW"); a link of
    length 0 stays a link."""
    from scipy.sparse.csgraph import csgraph_from_dense, shortest_path

    graph = csgraph_from_dense(d, null_value=np.inf)
    return np.asarray(shortest_path(graph, method="FW", directed=True), dtype=np.float64)


def nearest(dist: F64, target: B) -> I64:
    """int[place]: the nearest target place by ``dist`` (ties by index), -1 when none."""
    d = np.where(target[None, :], dist, np.inf)
    best = np.argmin(d, axis=1)
    ok = np.isfinite(d[np.arange(len(d)), best])
    return np.asarray(np.where(ok, best, -1), dtype=np.int64)


def _great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(1.0, h)))


def _params(s: Scenario, phase: int) -> Params:
    """Parameter arrays from the registry, the scenario's [parameters] and actor params."""
    actors, places = s.ids(), [p.id for p in s.places]
    glob = {k: q.value for k, q in s.parameters.values().items()}
    scalars: dict[str, float] = {}
    per_actor: dict[str, F64] = {}
    for name, par in registry().items():
        base = glob.get(name, par.default)
        if par.per_actor:
            own = [a.params[name].value if name in a.params else base for a in s.actors]
            per_actor[name] = np.array(own, dtype=np.float64)
        else:
            scalars[name] = float(base)
    source = np.zeros((len(places), len(actors)), dtype=bool)
    food = source.copy()
    for src in s.supply:
        for a in src.actors:
            at = places.index(src.place), actors.index(a)
            source[at] |= src.open and src.carries != "humanitarian"
            food[at] |= src.open and src.carries != "arms"
    defence = {t: scalars[f"{t}_defence"] for t in ("urban", "rural", "mountain", "desert")}
    return Params(
        scalars=scalars, per_actor=per_actor,
        sorties=np.array([x.sorties_per_day.value for x in s.support], dtype=np.float64),
        fighters=np.array([x.fighters_per_day.value for x in s.support], dtype=np.float64),
        source=source, food=food, strike_w=_strike_weights(s), strike_mix=_strike_mix(s),
        no_strike=np.array([[pl.id in x.no_strike for pl in s.places] for x in s.support],
                           dtype=bool).reshape(len(s.support), len(places)),
        terrain_defence=np.array([defence[p.terrain] for p in s.places], dtype=np.float64),
        phase=phase,
    )


def _strike_weights(s: Scenario) -> F64:
    """float[support, actor]: the backer's weight per enemy of its client (default 1; 0 for
    an actor the entry's ``no_strike`` vetoes)."""
    actors = s.ids()
    hostile = _hostility(s)
    w = np.zeros((len(s.support), len(actors)))
    for i, sup in enumerate(s.support):
        backer, c = s.actor(sup.backer), actors.index(sup.client)
        for j, a in enumerate(actors):
            if hostile[c, j] and a not in sup.no_strike:
                w[i, j] = backer.enemies[a].value if a in backer.enemies else (
                    0.0 if backer.enemies else 1.0)
    return w


def _strike_mix(s: Scenario) -> F64:
    """float[support, system]: shares of each entry's sorties on target systems."""
    out = np.zeros((len(s.support), 3))
    for i, sup in enumerate(s.support):
        if sup.strikes is not None:
            x = sup.strikes
            out[i] = [x.heavy_weapons.value, x.command.value, x.air_defences.value]
    return out


def _arms(s: Scenario) -> tuple[F64, F64]:
    """(stocks float[actor, system]: heavy weapons, command posts, air-defence systems; their
    weights float[actor, system]: heavy fire share, command weight, air-defence cover)."""
    stock, weight = np.zeros((len(s.actors), 3)), np.zeros((len(s.actors), 3))
    for i, a in enumerate(s.actors):
        if a.arms is not None:
            x = a.arms
            stock[i] = [x.heavy_weapons.value, x.command_posts.value, x.air_defences.value]
            weight[i] = [x.heavy_fire_share.value, x.command_weight.value,
                         x.air_defence_cover.value]
    return stock, weight


def _hostility(s: Scenario) -> B:
    actors = s.ids()
    bell = np.array([a.has("belligerent") for a in s.actors])
    h = np.zeros((len(actors), len(actors)), dtype=bool)
    for i, a in enumerate(s.actors):
        for e in a.enemies:
            h[i, actors.index(e)] = True
    out: B = (h | h.T) & bell[:, None] & bell[None, :]
    np.fill_diagonal(out, False)
    return out


def _forces(s: Scenario) -> F64:
    """float[place, actor]; a backer's fighters at a client's place join the client."""
    actors = s.ids()
    clients = {(x.backer, x.client) for x in s.support}
    f = np.zeros((len(s.places), len(actors)))
    for i, p in enumerate(s.places):
        for a, q in p.forces.items():
            holder = a if s.actor(a).has("belligerent") else (
                p.controller if (a, p.controller) in clients else None)
            if holder is not None:
                f[i, actors.index(holder)] += q.value
    return f


def _objectives(s: Scenario, value: F64) -> F64:
    places = [p.id for p in s.places]
    obj = np.tile(value, (len(s.actors), 1))
    for i, a in enumerate(s.actors):
        if a.objective is not None:
            for pid, q in a.objective.places.items():
                obj[i, places.index(pid)] += q.value
    return obj


def _limited_aims(s: Scenario) -> B:
    """bool[actor, place]: the ``hold`` places of each belligerent whose objective is limited
    (all False for the others): once it holds them all it attacks no more (7.3)."""
    places = [p.id for p in s.places]
    out = np.zeros((len(s.actors), len(places)), dtype=bool)
    for i, a in enumerate(s.actors):
        obj = a.objective
        if a.has("belligerent") and obj is not None and obj.kind == "limited" and obj.hold:
            out[i, [places.index(p) for p in obj.hold]] = True
    return out


def _links(s: Scenario, road_factor: float) -> tuple[I64, F64]:
    places = [p.id for p in s.places]
    idx, km = [], []
    for ln in s.links:
        a, b = s.place(ln.a), s.place(ln.b)
        idx.append((places.index(ln.a), places.index(ln.b)))
        d = ln.km.value if ln.km is not None else road_factor * _great_circle_km(
            a.lat.value, a.lon.value, b.lat.value, b.lon.value)
        km.append(d)
    return np.array(idx, dtype=np.int64).reshape(-1, 2), np.array(km, dtype=np.float64)


def _phases(s: Scenario) -> tuple[tuple[int, Params], ...]:
    """Params per phase: each dated event patches the scenario from its day on."""
    out = [(0, _params(s, 0))]
    raw = s.model_dump(mode="json", by_alias=True, exclude_none=True)
    for ev in sorted((e for e in s.events if e.enabled and e.set), key=lambda e: e.date):
        for path in ev.set:
            if not event_may_set(path):
                raise ValueError(f"event on {ev.date} sets '{path}': dated events may set "
                                 "parameters of the war only (paths under parameters, "
                                 "actors.*.params, actors.*.enemies, support or supply; not "
                                 "the talks or their parameters, fixed when a run starts)")
            raw = apply_patch(raw, path, ev.set[path], ev.description)
        day = max(0, (ev.date - s.meta.start).days)
        patched = Scenario.model_validate(raw)
        out.append((day, _params(patched, len(out))))
    return tuple(out)


def compile_scenario(s: Scenario) -> World:
    """The scenario as arrays (see :class:`World`)."""
    places, actors = [p.id for p in s.places], s.ids()
    n = len(places)
    phases = _phases(s)
    links, km = _links(s, phases[0][1].num("road_factor"))
    adj = np.zeros((n, n), dtype=bool)
    adj[links[:, 0], links[:, 1]] = adj[links[:, 1], links[:, 0]] = True
    value = np.array([p.value.value for p in s.places], dtype=np.float64)
    obj = _objectives(s, value)
    refuge = np.array([p.refuge for p in s.places])
    road = np.full((n, n), np.inf)
    road[links[:, 0], links[:, 1]] = road[links[:, 1], links[:, 0]] = km
    deg = adj.sum(1)
    nbr = np.full((n, max(1, int(deg.max(initial=0)))), n, dtype=np.int64)
    for p in range(n):
        js = np.flatnonzero(adj[p])
        nbr[p, : len(js)] = js
    return World(
        name=s.meta.name, start=s.meta.start, horizon=s.meta.horizon_days,
        place_ids=tuple(places), actor_ids=tuple(actors),
        support_ids=tuple(x.id for x in s.support), corridor_ids=tuple(c.id for c in s.corridors),
        belligerent=np.array([a.has("belligerent") for a in s.actors]),
        recruits=np.array([a.kind == "belligerent" for a in s.actors]),
        ally=allies(s)[0], pool=allies(s)[1],
        split_supply=any(not np.array_equal(p.source, p.food) for _, p in phases),
        changes=compile_changes(s),
        area=np.array([p.area_km2.value if p.area_km2 is not None else 0.0
                       for p in s.places]),
        arms0=_arms(s)[0], arms_weight=_arms(s)[1],
        campaign=any(a.arms is not None for a in s.actors),
        control0=np.array([actors.index(p.controller) for p in s.places], dtype=np.int64),
        force0=_forces(s), pop0=np.array([p.population.value for p in s.places]),
        value=value, obj_value=obj,
        obj_norm=obj / np.maximum(obj.max(axis=1, keepdims=True), 1e-12),
        aim_norm=(obj - value) / np.maximum((obj - value).max(axis=1, keepdims=True), 1e-12),
        aim_hold=_limited_aims(s),
        hostile=_hostility(s), links=links, km=km, adj=adj, nbr=nbr,
        table=bitset_table(adj), hops=floyd(np.where(adj, 1.0, np.inf)),
        refuge=refuge, refuge_of=nearest(floyd(road), refuge),
        fortification=np.array([p.fortification.value for p in s.places]),
        support_backer=np.array([actors.index(x.backer) for x in s.support], dtype=np.int64),
        support_client=np.array([actors.index(x.client) for x in s.support], dtype=np.int64),
        corridor_actor=np.array([actors.index(c.actor) for c in s.corridors], dtype=np.int64),
        corridor_from=np.array([places.index(c.from_) for c in s.corridors], dtype=np.int64),
        corridor_to=np.array([places.index(c.to) for c in s.corridors], dtype=np.int64),
        phases=phases, truces=compile_truces(s),
    )
