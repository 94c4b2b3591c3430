"""Tables of the scenario format for wars of other kinds (issue 15): coalitions, dated changes
of forces, phases of the talks, the target systems of an air campaign.

Each is off unless a scenario uses it; a scenario that uses none of them runs exactly as it did
before they existed. docs/scenario-format.md has a worked example of each.
"""

from __future__ import annotations

from pydantic import Field

from .fields import ID_PATTERN, Entry

__all__ = ["Coalition"]


class Coalition(Entry):
    """Allied belligerents: the supply of each passes through the others' ground, so one's
    pocket is relieved through its partner's; each keeps its own forces, seat and aims."""

    id: str = Field(pattern=ID_PATTERN, description="Short id.")
    members: list[str] = Field(min_length=2, description="Belligerents in the coalition.")
    shared_sources: bool = Field(
        False, description="true: each member also draws on the others' open supply sources "
        "(pooled logistics); false: on its own sources only, carried over allied ground.")
    description: str = Field("", description="The coalition in words.")
