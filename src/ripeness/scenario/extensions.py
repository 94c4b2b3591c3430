"""Tables of the scenario format for wars of other kinds (issue 15): coalitions, dated changes
of forces, phases of the talks, the target systems of an air campaign; and local truces.

Each is off unless a scenario uses it; a scenario that uses none of them runs exactly as it did
before they existed. docs/scenario-format.md has a worked example of each.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .fields import (
    ID_PATTERN,
    Count,
    Days,
    DaysFromOne,
    Entry,
    Fighters,
    SessionsFromOne,
    StakeShare,
    Unit,
)
from .quantity import Quantity

__all__ = ["Arms", "Coalition", "ForceChange", "LocalTruce", "Strikes", "TalksPhase"]


class Coalition(Entry):
    """Allied belligerents: the supply of each passes through the others' ground, so one's
    pocket is relieved through its partner's; each keeps its own forces, seat and aims."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    members: list[str] = Field(min_length=2, description="Belligerents in the coalition.")
    shared_sources: bool = Field(
        False, description="true: each member also draws on the others' open supply sources "
        "(pooled logistics); false: on its own sources only, carried over allied ground.")
    description: str = Field("", description="The coalition in words.")


class LocalTruce(Entry):
    """A local truce: named places that two belligerents agree not to fight over.

    Agreed apart from the talks (the Four Towns agreement of September 2015): while it holds,
    neither party assaults or strikes the other's places among them, nor attacks out of its
    own; sieges go on."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    description: str = Field("", description="The truce in words.")
    parties: list[str] = Field(min_length=2, max_length=2,
                               description="The two belligerents bound by it.")
    places: list[str] = Field(min_length=1, description="The places it covers.")
    starts: dt.date | None = Field(
        None, description="In force from this date (omitted, or before the scenario's start: "
        "from day 0).")
    ends: dt.date | None = Field(
        None, description="In force up to the day before this date (omitted: to the end).")


class ForceChange(Entry):
    """A dated change of forces: fighters arrive (a mobilisation, a foreign force), leave (a
    contingent withdrawn) or change sides."""

    kind: Literal["arrive", "leave", "defect"] = Field(
        description="arrive: fighters join the actor at `place` (if it does not hold it that "
        "day, at its own place nearest by road; with no place at all, they do not come); "
        "leave: fighters leave the map; defect: fighters go over to `to`, and a place whose "
        "garrison goes over in the majority changes hands with them.")
    actor: str = Field(description="The belligerent whose fighters arrive, leave or defect.")
    place: str | None = Field(
        None, description="Where (required for arrive); leave or defect: omitted, every place "
        "the actor has fighters.")
    fighters: Fighters | None = Field(
        None, description="How many fighters (arrive: required; leave or defect at a place: "
        "this many, or all there if fewer); give either this or `share`.")
    share: Unit | None = Field(
        None, description="leave or defect: the share of the actor's fighters at the place "
        "(or at every place) that go.")
    to: str | None = Field(None, description="defect: the belligerent they join.")


class TalksPhase(Entry):
    """A later phase of the talks with settings of its own, from a date or once a ceasefire
    has held (shuttle diplomacy becoming a conference with daily sessions)."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    description: str = Field("", description="The phase in words.")
    starts: dt.date | None = Field(
        None, description="The phase begins on this date (after the talks open) ...")
    after_ceasefire_days: DaysFromOne | None = Field(
        None, description="... or once a ceasefire has held this many days in a row, "
        "whichever comes first. Phases follow each other in the order listed.")
    convene: bool = Field(
        True, description="true: the phase opens with a session the next day, suspended "
        "talks resuming for it; false: the talks go on as they are, under the new settings.")
    session_every_days: DaysFromOne | None = Field(
        None, description="Days between sessions in this phase (omitted: as before).")
    pause_days: Days | None = Field(None, description="Length of a suspension in this phase.")
    suspend_after: SessionsFromOne | None = Field(
        None, description="Sessions in a row with no bargaining range before the mediator "
        "suspends, in this phase.")
    escalation: StakeShare | None = Field(
        None, description="The one-day loss of share that suspends the talks, in this phase.")
    estimate_noise: StakeShare | None = Field(
        None, description="The mediator's error estimating a reservation in this phase (a "
        "conference with the parties in one room: smaller).")


class Arms(Entry):
    """What an air campaign can strike besides fighters: an actor's heavy weapons, command
    and air defences, and what each is worth to it."""

    heavy_weapons: Count = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Heavy weapons: tanks, guns, rocket launchers.")
    heavy_fire_share: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="The share of the actor's fire power that comes from its heavy weapons "
        "(lost as they are destroyed).")
    command_posts: Count = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Command posts: headquarters and communications nodes.")
    command_weight: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="The share of the actor's fire power lost were its command wholly "
        "disrupted.")
    air_defences: Count = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Air-defence systems: batteries and launchers.")
    air_defence_cover: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="The share of the sorties flown against the actor that its intact air "
        "defences shoot down, drive off or make miss.")


class Strikes(Entry):
    """The shares of a backer's daily sorties flown against its client's enemies' target
    systems instead of their fighters (the rest strike places, as before)."""

    heavy_weapons: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Share flown against heavy weapons.")
    command: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Share flown against command posts.")
    air_defences: Unit = Field(
        default_factory=lambda: Quantity(value=0.0, assumption="none declared"),
        description="Share flown against air defences (suppression).")
