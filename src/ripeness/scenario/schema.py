"""The scenario format, declared once with pydantic.

One TOML file describes one war: who fights (actors), where (places and links), what feeds the
fighting (supply sources, backers' support), what is negotiated (stake and binary issues), how the
talks run, dated exogenous events, named what-ifs and uncertain parameters. Field descriptions
here are the reference for docs/scenario-format.md and for ``ripeness schema``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .extensions import Arms, Coalition, ForceChange, LocalTruce, Strikes, TalksPhase
from .fields import (
    ID_PATTERN,
    Area,
    Days,
    DaysFromOne,
    Entry,
    Fighters,
    Inflow,
    Km,
    Lat,
    Lon,
    Persons,
    PlaceValue,
    Sessions,
    SessionsFromOne,
    Sorties,
    StakeShare,
    StakeValue,
    Unit,
    Weight,
    check_horizon,
    whole_number,
)
from .quantity import Num, Param, Quantity

__all__ = [
    "Actor",
    "Corridor",
    "Event",
    "Issue",
    "Link",
    "Meta",
    "Objective",
    "Place",
    "Scenario",
    "Stake",
    "SupplySource",
    "Support",
    "Talks",
    "Uncertain",
    "WhatIf",
]

#: A run length in whole days, 1 to 3650.
HorizonDays = Annotated[int, BeforeValidator(whole_number), AfterValidator(check_horizon)]


class Meta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=ID_PATTERN, description="Short name used on the command line.")
    title: str = Field(description="One-line human title.")
    start: dt.date = Field(description="Day 0 of every run (YYYY-MM-DD).")
    horizon_days: HorizonDays = Field(
        description="Default run length, days (1 to 3650).",
        json_schema_extra={"minimum": 1, "maximum": 3650})
    description: str = Field("", description="A paragraph on what the scenario covers.")
    strict: bool = Field(
        False, description="true: a number without source or assumption is an error, not a "
        "warning (always on for built-in scenarios, and kept by copies of them).")


class Objective(Entry):
    """What an actor values: places (extra weight), a limited aim, enemies to hit."""

    kind: Literal["limited", "open"] = Field(
        "open", description="limited: satisfied once `hold` is held (by the actor or its "
        "client); open: more is always better."
    )
    places: dict[str, PlaceValue] = Field(
        default_factory=dict, description="Extra value of a place to this actor, in units of "
        "place value (added to the place's own `value`)."
    )
    hold: list[str] = Field(
        default_factory=list, description="Places whose control satisfies a limited objective."
    )
    description: str = Field("", description="The objective in words.")


class Actor(Entry):
    id: str = Field(pattern=ID_PATTERN, description="Short id (lower-case, digits, - and _).")
    name: str = Field(description="Name shown in reports.")
    kind: Literal["belligerent", "backer", "mediator"] = Field(
        description="belligerent: fights and holds ground; backer: supplies, bombs, presses; "
        "mediator: convenes the talks.")
    roles: list[Literal["belligerent", "backer", "mediator"]] = Field(
        default_factory=list, description="Roles beyond `kind`, for an actor with several: a "
        "backer whose own troops hold ground and fight (kind = \"backer\", roles = "
        "[\"belligerent\"]; it raises no fighters from the places it holds), a backer that "
        "also mediates or co-sponsors the talks (roles = [\"mediator\"]). Empty: the kind "
        "alone.")
    description: str = Field("", description="Who the actor is, in words.")
    enemies: dict[str, Weight] = Field(
        default_factory=dict, description="Belligerent: actors it fights, with a priority "
        "weight (recorded, but the engine does not yet use a belligerent's weights: "
        "docs/model.md section 10, item 4). Backer: how strongly it wants each enemy of its "
        "client struck (air allocation weight). Hostility between belligerents is symmetric: "
        "listing it on one side is enough."
    )
    objective: Objective | None = Field(None, description="What the actor values (a table).")
    colour: str | None = Field(
        None, pattern=r"^#[0-9A-Fa-f]{6}$", description="Colour in plots and maps, '#RRGGBB'. "
        "Default: the colour of a well-known id (government red, opposition green, sdf yellow, "
        "isis black, ...), else the next free one; the same actor keeps its colour across "
        "scenarios.")
    params: dict[str, Param] = Field(
        default_factory=dict, description="Per-actor values of per-actor model parameters "
        "(see `ripeness params`)."
    )
    arms: Arms | None = Field(
        None, description="Heavy weapons, command and air defences an air campaign can "
        "strike (see [actors.arms]); none: only its fighters can be struck.")

    def has(self, role: str) -> bool:
        """The actor plays ``role`` (its kind, or one of its further roles)."""
        return self.kind == role or role in self.roles


class Place(Entry):
    id: str = Field(pattern=ID_PATTERN, description="Short id (lower-case, digits, - and _).")
    name: str = Field(description="Name shown in reports.")
    lat: Lat = Field(description="Latitude, decimal degrees WGS84.")
    lon: Lon = Field(description="Longitude, decimal degrees WGS84.")
    population: Persons = Field(description="Civilians present on the start date, persons.")
    terrain: Literal["urban", "rural", "mountain", "desert"] = Field(
        "rural", description="Sets the defender's terrain factor (see `ripeness params`).")
    kind: Literal["city", "town", "village", "crossing", "base", "road", "region", "foreign"] = (
        Field("town", description="What the place is; descriptive only.")
    )
    value: PlaceValue = Field(description="Strategic value, in stake units before normalisation.")
    area_km2: Area | None = Field(
        None, description="Land area, km2: the weight of the place in a territorial stake "
        "(stake basis \"area\"); omitted: not used.")
    controller: str = Field(description="Actor id controlling the place on the start date.")
    forces: dict[str, Fighters] = Field(
        default_factory=dict, description="Fighters present per actor id on the start date."
    )
    fortification: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="no fortification declared"),
        description="0 (open ground) to 1 (fortress): reduces attacker fire.",
    )
    refuge: bool = Field(
        False, description="Civilians fleeing fighting head here (a border, a safe city)."
    )
    note: str = Field("", description="Free text: what the sources say, caveats.")


class Link(Entry):
    a: str = Field(description="Place id at one end.")
    b: str = Field(description="Place id at the other end.")
    km: Km | None = Field(
        None, description="Road length, km. Omitted: great-circle distance times the "
        "`road_factor` parameter."
    )
    kind: Literal["road", "track", "front"] = Field("road", description="Descriptive only.")


class SupplySource(Entry):
    place: str = Field(description="Place id of the crossing, port, base or hinterland.")
    actors: list[str] = Field(description="Actors that may draw supply here while they hold it.")
    kind: Literal["crossing", "port", "airbase", "hinterland"] = Field(
        "crossing", description="Descriptive only.")
    open: bool = Field(True, description="False: closed (e.g. a border shut by its neighbour).")
    carries: Literal["all", "humanitarian", "arms"] = Field(
        "all", description="What passes: all (arms, fighters and food); humanitarian (food "
        "and medicine only: the civilians it reaches are fed, the garrison gets no "
        "ammunition and no fighters); arms (military supply only: the civilians it reaches "
        "are besieged).")


class Support(Entry):
    backer: str = Field(description="Actor id of a backer.")
    client: str = Field(description="Actor id of the belligerent it supports.")
    sorties_per_day: Sorties = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Combat air sorties per day flown for the client in this theatre.",
    )
    fighters_per_day: Inflow = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Fighters per day delivered to the client through its own supply sources.",
    )
    strikes: Strikes | None = Field(
        None, description="Shares of the sorties flown against the client's enemies' heavy "
        "weapons, command and air defences (see [support.strikes]); none: all strike places.")
    no_strike: list[str] = Field(
        default_factory=list, description="A veto on targets: places, and actors whose places, "
        "these sorties never strike (the backer's own restraint, or a partner's veto).")

    @property
    def id(self) -> str:
        return f"{self.backer}-{self.client}"


class Corridor(Entry):
    """A named supply route whose cutting is reported (e.g. Bab al-Salameh to east Aleppo)."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    actor: str = Field(description="Belligerent whose route it is.")
    from_: str = Field(alias="from", description="Place id where the route starts (a source).")
    to: str = Field(description="Place id the route feeds.")
    description: str = Field("", description="The route in words.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Stake(Entry):
    basis: Literal["value", "population", "area"] = Field(
        "value", description="A party's share of the stake: the value-weighted (or "
        "population-weighted, or area-weighted: a territorial stake, every place then needs "
        "`area_km2`) share of places it controls among the talks' parties."
    )
    description: str = Field("", description="What is at stake, in words.")


class Issue(Entry):
    """A binary issue on the table (e.g. the head of state goes)."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    title: str = Field(description="The demand in words.")
    demanded_by: str = Field(description="Belligerent making the demand.")
    value: dict[str, StakeValue] = Field(
        default_factory=dict, description="What granting the demand is worth to each party, "
        "stake units (a gain to the demander, a loss to the others)."
    )
    indivisible: list[str] = Field(
        default_factory=list, description="Parties that refuse any deal that does not settle "
        "this issue their way."
    )
    places: list[str] = Field(
        default_factory=list, description="A territorial target: places the demand gives the "
        "demander. Granted in a deal with `talks.terms = \"map\"`, they change hands; a "
        "party missing from `value` values the issue at the places' share of the stake on the "
        "start date.")


class Talks(Entry):
    mediator: str = Field(description="Actor id of the mediator.")
    parties: list[str] = Field(min_length=2, description="Belligerents at the table.")
    opens: dt.date = Field(description="First day of talks.")
    closes: dt.date | None = Field(None, description="Day the talks close: no session on or "
                                   "after it (default: none within the horizon).")
    protocol: Literal["mediator", "alternating", "nash"] = Field(
        "mediator", description="mediator: proposals inside the estimated range; alternating: "
        "Rubinstein offers with war as outside option; nash: Nash bargaining solution.")
    session_every_days: DaysFromOne = Field(
        default_factory=lambda: Quantity(value=1.0, assumption="daily sessions"),
        description="Days between sessions while talks are on.",
    )
    pause_days: Days = Field(description="Length of a suspension, days.")
    hearings: Sessions = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="proposals from the first "
                                         "session"),
        description="Sessions the mediator spends hearing the parties before it tables a "
        "first proposal (proximity talks); they count neither as failures nor as offers.")
    suspend_after: SessionsFromOne = Field(
        description="Sessions in a row with no bargaining range before the mediator suspends."
    )
    escalation: StakeShare = Field(
        description="A fall in one party's share within a day, stake units, that counts as a "
        "sharp escalation and suspends the talks."
    )
    estimate_noise: StakeShare = Field(
        description="Standard deviation of the mediator's error estimating a reservation."
    )
    forecast_horizon_days: DaysFromOne = Field(
        description="How far ahead parties forecast the war, days."
    )
    forecast: Literal["trend", "model"] = Field(
        "trend", description="How parties forecast the war: trend extrapolates each party's "
        "recent gains over the horizon; model runs the war engine itself forward "
        "`forecast_lookahead_days` (model-consistent expectations, slower).")
    appeal_to_backers: bool = Field(
        True, description="On suspension the mediator asks backers to press their clients.")
    backer_channel: bool = Field(
        False, description="The backers also seek a ceasefire on days without a session "
        "(their own channel, e.g. the ISSG's Cessation of Hostilities), by the same consent "
        "rule: every party and every backer flying for one must agree.")
    phases: list[TalksPhase] = Field(
        default_factory=list, description="Later phases of the talks, each with settings of "
        "its own (see [[talks.phases]]).")
    terms: Literal["shares", "map"] = Field(
        "shares", description="What a settlement says: shares (each party's share of the "
        "stake; the map stays as it is) or map (the terms redraw the map: the places of "
        "granted territorial issues go to their demanders, then places on the line of contact "
        "change hands until each party holds its settled share, as nearly as whole places "
        "allow).")
    sponsors: list[str] = Field(
        default_factory=list, description="Actors that co-sponsor the talks besides the "
        "mediator (each plays the mediator role: kind = \"mediator\" or roles = "
        "[\"mediator\"]). A sponsor or mediator that also backs a party uses its leverage: "
        "it presses that party toward a deal at every session and appeal.")
    seats: dict[str, str] = Field(
        default_factory=dict, description="Party -> the backer that holds its seat (a patron "
        "speaking for its client): the party's ground, losses and deal are its own, but it "
        "bargains with its patron's view (the patron's `params` for the talks' per-party "
        "parameters, where it gives them, over the party's own).")
    description: str = Field("", description="The talks in words.")


class Event(Entry):
    """A dated exogenous change: parameters set from that day on, forces that arrive, leave or
    change sides on that day (never a battle outcome)."""

    id: str | None = Field(None, pattern=ID_PATTERN,
                           description="Short id, so what-ifs can address the event.")
    date: dt.date = Field(description="Day the change takes effect.")
    description: str = Field(description="What happened, in words.")
    set: dict[str, Any] = Field(default_factory=dict,
                                description="Dotted path -> new value (see what-ifs).")
    forces: list[ForceChange] = Field(
        default_factory=list, description="Fighters that arrive, leave or change sides on "
        "the day (see [[events.forces]]).")
    enabled: bool = Field(True, description="false: the event does not happen (a what-if "
                          "can switch it off with `events.ID.enabled = false`).")


class WhatIf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(description="The question in words.")
    set: dict[str, Any] = Field(description="Dotted path -> value, e.g. "
                                "'support.russia-government.sorties_per_day' = 0.")


class Uncertain(Entry):
    path: str = Field(description="Dotted path of the number, as in what-ifs.")
    low: Num = Field(description="Lowest plausible value, in the unit of the path's number.")
    high: Num = Field(description="Highest plausible value.")
    distribution: Literal["uniform", "loguniform"] = Field(
        "uniform", description="How sensitivity analysis samples the range.")

    @model_validator(mode="after")
    def _order(self) -> Uncertain:
        if self.low.value > self.high.value:
            raise ValueError("low must not exceed high")
        return self


class Parameters(Entry):
    """Overrides of global model parameters (names from the parameter registry)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, Param] = Field(init=False)

    def values(self) -> dict[str, Quantity]:
        return dict(self.model_extra or {})


class Scenario(BaseModel):
    """A whole scenario. Cross-references are checked by :func:`ripeness.validate`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meta: Meta
    references: dict[str, str] = Field(
        default_factory=dict, description="Short keys for sources: key -> URL or citation."
    )
    actors: list[Actor] = Field(min_length=1)
    places: list[Place] = Field(min_length=1)
    links: list[Link] = Field(default_factory=list)
    supply: list[SupplySource] = Field(default_factory=list)
    support: list[Support] = Field(default_factory=list)
    corridors: list[Corridor] = Field(default_factory=list)
    coalitions: list[Coalition] = Field(default_factory=list)
    truces: list[LocalTruce] = Field(
        default_factory=list, description="Local truces over named places between two "
        "belligerents, apart from the talks.")
    stake: Stake = Field(default_factory=lambda: Stake(assumption="value-weighted control"))
    issues: list[Issue] = Field(default_factory=list)
    talks: Talks | None = None
    events: list[Event] = Field(default_factory=list)
    whatifs: dict[str, WhatIf] = Field(default_factory=dict)
    uncertain: list[Uncertain] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)

    # Convenience look-ups (cheap: scenarios hold tens to hundreds of entries).
    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)

    def place(self, place_id: str) -> Place:
        return next(p for p in self.places if p.id == place_id)

    def ids(self, kind: str | None = None) -> list[str]:
        """Actor ids, all or those that play the role ``kind`` (as kind or further role)."""
        return [a.id for a in self.actors if kind is None or a.has(kind)]
