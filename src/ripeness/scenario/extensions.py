"""Tables of the scenario format for wars of other kinds (issue 15): coalitions, dated changes
of forces, phases of the talks, the target systems of an air campaign.

Each is off unless a scenario uses it; a scenario that uses none of them runs exactly as it did
before they existed. docs/scenario-format.md has a worked example of each.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .fields import ID_PATTERN, Entry, Fighters, Unit

__all__ = ["Coalition", "ForceChange"]


class Coalition(Entry):
    """Allied belligerents: the supply of each passes through the others' ground, so one's
    pocket is relieved through its partner's; each keeps its own forces, seat and aims."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    members: list[str] = Field(min_length=2, description="Belligerents in the coalition.")
    shared_sources: bool = Field(
        False, description="true: each member also draws on the others' open supply sources "
        "(pooled logistics); false: on its own sources only, carried over allied ground.")
    description: str = Field("", description="The coalition in words.")


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
