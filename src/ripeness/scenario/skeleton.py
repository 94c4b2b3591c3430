"""``ripeness new NAME``: a minimal, commented, valid scenario that a writer fills in.

The skeleton is a war of two sides on three places, with a mediator and talks: it validates
and runs as it is, so every change can be checked at once with ``ripeness validate``. Its
comments say what each table means, where the units are, and which optional tables a war of
another kind may need (each with a pointer to docs/scenario-format.md).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problem, ScenarioError

__all__ = ["skeleton", "write_skeleton"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

_TEXT = '''\
# {name}: a scenario of the ripeness format. Fill it in; after each change run
#   ripeness validate {name}/scenario.toml
# which reports every problem at once, with the line, the key and the fix.
# The format: docs/scenario-format.md; the field reference: `ripeness schema --markdown`;
# the model's parameters: `ripeness params`. Every number needs a `source` (a key of
# [references] or a URL) or an `assumption` (the reason), on itself or on its table.
# As written, this is a placeholder war of two sides on three places: replace everything.

[meta]
name = "{name}"                  # short name (lower-case letters, digits, - and _)
title = "A war to be written"    # one line, shown in reports
start = 2000-01-01               # day 0 of every run (a date, without quotes)
horizon_days = 90                # default run length, days
description = "What the scenario covers, in a paragraph."
strict = true                    # every number must say where it comes from

[references]                     # short keys for the sources you cite below
placeholder = "Replace with a public reference: author, title, date, URL."

# --- Who fights, backs and mediates ------------------------------------------------------
# kind: belligerent (fights, holds ground, may sit at the table), backer (supplies, bombs,
# presses), mediator (convenes the talks). An actor with several roles adds `roles`.
[[actors]]
id = "side-a"
name = "Side A"
kind = "belligerent"
enemies = {{ side-b = 1 }}         # hostility is symmetric: one side is enough
assumption = "placeholder"

[[actors]]
id = "side-b"
name = "Side B"
kind = "belligerent"
assumption = "placeholder"

[[actors]]
id = "mediator"
name = "The mediator"
kind = "mediator"

# --- The map: places and the roads between them -----------------------------------------
# population: persons; value: strategic value (any scale: shares are normalised);
# forces: fighters per actor on day 0; terrain: urban, rural, mountain or desert.
[[places]]
id = "a-town"
name = "A town"
lat = 0.0
lon = 0.0
population = 20000
value = 1
controller = "side-a"
forces = {{ side-a = 1000 }}
terrain = "urban"
assumption = "placeholder"

[[places]]
id = "front-village"
name = "The front village"
lat = 0.05
lon = 0.0
population = 2000
value = 0.5
controller = "side-b"
forces = {{ side-b = 300 }}
assumption = "placeholder"

[[places]]
id = "b-town"
name = "B town"
lat = 0.1
lon = 0.0
population = 15000
value = 1
controller = "side-b"
forces = {{ side-b = 700 }}
terrain = "urban"
assumption = "placeholder"

[[links]]
a = "a-town"
b = "front-village"
km = 6                           # omitted: the great-circle distance times road_factor
assumption = "placeholder"

[[links]]
a = "front-village"
b = "b-town"
km = 6
assumption = "placeholder"

# --- What feeds the fighting ------------------------------------------------------------
# An actor is supplied where its own ground (or an ally's) connects to one of its open
# sources. carries = "humanitarian" or "arms" for a source that lets only food, or only
# military supply, through.
[[supply]]
place = "a-town"
actors = ["side-a"]
kind = "hinterland"

[[supply]]
place = "b-town"
actors = ["side-b"]
kind = "hinterland"

# --- What is negotiated, and how ----------------------------------------------------------
[stake]
basis = "value"                  # value, population, or area (a territorial stake)
assumption = "placeholder: the parties bargain over the places by value"

[talks]
mediator = "mediator"
parties = ["side-a", "side-b"]
opens = 2000-01-15
pause_days = 14                  # a suspension lasts this long
suspend_after = 3                # sessions in a row with no bargaining range before a pause
escalation = 0.05                # a one-day loss of this share of the stake suspends the talks
estimate_noise = 0.05            # the mediator's error reading a party's bottom line
forecast_horizon_days = 60       # how far ahead the parties look
assumption = "placeholder"

# --- Optional tables for wars of other kinds (docs/scenario-format.md) --------------------
# [actors.objective]     what an actor values: places, a limited aim
# [[support]]            a backer's sorties and fighters for a client; [support.strikes]
#                        its air campaign on heavy weapons, command, air defences; no_strike
# [actors.arms]          what an air campaign can strike besides fighters
# [[coalitions]]         allies whose supply passes through each other's ground
# [[truces]]             local truces: places two belligerents agree not to fight over
# [[issues]]             binary demands; `places` makes one a territorial target
# talks.terms = "map"    a settlement redraws the map
# [[talks.phases]]       shuttle diplomacy becoming a conference, on a date or after a ceasefire
# talks.sponsors, talks.seats   co-sponsors of the talks; a patron holding its client's seat
# [[events]]             dated changes: `set` parameters; [[events.forces]] fighters that
#                        arrive, leave or change sides
# [[corridors]]          supply routes whose cutting is reported
# [whatifs.NAME]         named counterfactuals; [[uncertain]] ranges for sensitivity analysis
# [parameters]           the model's parameters for this war (`ripeness params`)
'''


def skeleton(name: str) -> str:
    """The skeleton scenario named ``name`` as TOML text."""
    return _TEXT.format(name=name)


def write_skeleton(target: str | Path) -> Path:
    """Write ``target``/scenario.toml, the scenario named after the folder; never over an
    existing folder. Returns the file's path; ScenarioError on a bad name or a taken folder."""
    folder = Path(target)
    name = folder.name
    if not _NAME.match(name):
        raise ScenarioError([Problem(
            file=str(folder), location="", message=f"'{name}' is not a scenario name",
            fix="use lower-case letters, digits, '-' and '_', starting with a letter or a "
            "digit, e.g. `ripeness new my-war`")])
    if folder.exists():
        raise ScenarioError([Problem(
            file=str(folder), location="", message="already exists; nothing was written",
            fix="choose another name, or move the existing folder away")])
    folder.mkdir(parents=True)
    out = folder / "scenario.toml"
    out.write_text(skeleton(name), encoding="utf-8")
    return out
