"""What every variable of a result means: long name, units, codes (CF conventions).

Each variable of ``simulate()``'s and ``run_ensemble()``'s Datasets is declared once here; the
result builders call :func:`annotate`, which writes ``long_name`` and ``units`` (or
``flag_values`` and ``flag_meanings`` for codes) into the attributes, so that the files read
well in any netCDF tool and a test can check that nothing is left undescribed. Counts carry
their noun as units (``persons``, ``fighters``): readable, not UDUNITS. Missing values are NaN
(a run that never settled has ``settled_day`` NaN), never a sentinel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .report.colours import actor_colours
from .scenario.schema import Scenario
from .world.compile import World

__all__ = ["ACTOR_CODES", "COORDS", "PLACE_CODES", "VARIABLES", "annotate", "coordinates", "flags"]

#: Variables whose values are actor indices (decoded by the ``actor`` coordinate).
ACTOR_CODES = ("control", "control_start", "attacker")
#: Variables whose values are place indices (decoded by the ``place`` coordinate).
PLACE_CODES = ("refuge",)

#: name -> (long_name, units); units "" for codes (flag_values) and booleans.
VARIABLES: dict[str, tuple[str, str]] = {
    "control": ("actor holding the place at the end of the day", ""),
    "control_start": ("actor holding the place on the start date", ""),
    "attacker": ("actor attacking the place that day (NaN: no attack)", ""),
    "force": ("fighters present, end of day", "fighters"),
    "force_start": ("fighters present on the start date", "fighters"),
    "supplied": ("the holder reaches one of its open supply sources that carry arms through "
                 "its own ground (or its allies')", ""),
    "supplied_start": ("the holder is supplied on the start date", ""),
    "besieged": ("civilians in places whose holder is cut off from supply (from every source "
                 "that carries food)", "persons"),
    "civilians": ("civilians living in the place, end of day", "persons"),
    "killed": ("civilians killed since the start (cumulative)", "persons"),
    "displaced": ("civilians who fled the place since the start (cumulative)", "persons"),
    "hosted": ("displaced civilians arrived at a refuge since the start (cumulative)",
               "persons"),
    "mil_dead": ("fighters put out of action since the start (cumulative)", "fighters"),
    "sorties": ("air sorties flown on the place that day", "sorties"),
    "repulsed": ("the day's attacker broke off its assault on the place (its losses reached "
                 "its breakpoint before the defender's)", ""),
    "evacuated": ("fighters who left the place that day under a negotiated departure (it fell "
                  "while cut off from supply; see the parameter evacuation)", "fighters"),
    "refuge": ("the place those fighters went to (NaN: none left)", ""),
    "districts": ("districts of the place its holder still holds, end of day (a city is "
                  "fought for district by district)", "districts"),
    "districts_start": ("districts of the place on the start date", "districts"),
    "corridor_open": ("the corridor's actor holds a road from its start to its end", ""),
    "corridor_open_start": ("the corridor is open on the start date", ""),
    "share": ("value-weighted share of the stake held by the belligerent, end of day", "1"),
    "talks_phase": ("phase of the talks at the end of the day", ""),
    "ceasefire": ("a ceasefire between the talks' parties is in force", ""),
    "outcome": ("how the run ended (or stands) on its last day", ""),
    "outcome_day": ("day the outcome was reached (NaN: ongoing)", "day"),
    "settled_day": ("day a settlement was signed (NaN: none)", "day"),
    "first_suspension_day": ("day the talks were first suspended (NaN: never)", "day"),
    "last_capture_day": ("last day one party of the talks took a place from another "
                         "(NaN: never)", "day"),
    "sessions": ("sessions of talks held", "sessions"),
    "suspensions": ("times the mediator suspended the talks", "suspensions"),
    "ceasefire_days": ("days with a ceasefire in force", "day"),
    "peak_besieged": ("most civilians besieged on any day", "persons"),
    "ceded": ("the place changed hands by the terms of a settlement", ""),
    "arms": ("share left of the actor's heavy weapons, command and air defences (1: intact)",
             "1"),
    "besieged_person_days": ("civilians besieged, summed over days", "person-days"),
    "failed_sessions": ("sessions without a deal, by dominant cause", "sessions"),
    "sorties_on": ("sorties each support entry flew on places held by each actor", "sorties"),
    "aim_met": ("the backer's limited objective is met at the end (held and supplied)", ""),
    "terms": ("settled share of the stake (NaN: no settlement)", "1"),
    "attainment": ("share of its objective the actor (or its clients) holds at the end", "1"),
    # ensembles
    "share_band": ("quantile over runs of the belligerent's value-weighted share of the "
                   "stake, end of day", "1"),
    "control_runs": ("runs in which the actor holds the place at the end of the day", "runs"),
    "control_probability": ("share of runs in which the actor holds the place at the end "
                            "of the day", "1"),
    "outcome_reached": ("share of runs whose final outcome had been reached by the end of "
                        "the day", "1"),
}

#: Coordinates: name -> (long_name, units).
COORDS: dict[str, tuple[str, str]] = {
    "run": ("run index (run k of a seed is the same war in any batch)", "1"),
    "day": ("days since the start date (day 0 is the start date)", "day"),
    "date": ("calendar date of the day", ""),
    "place": ("place id", ""),
    "place_name": ("place name", ""),
    "lat": ("latitude", "degrees_north"),
    "lon": ("longitude", "degrees_east"),
    "actor": ("actor id", ""),
    "actor_name": ("actor name", ""),
    "actor_kind": ("belligerent, backer or mediator", ""),
    "actor_colour": ("the actor's colour in plots and maps", ""),
    "belligerent": ("belligerent actor id", ""),
    "corridor": ("corridor id", ""),
    "cause": ("cause of a failed session", ""),
    "support": ("support entry (backer-client)", ""),
    "backer": ("backer id", ""),
    "party": ("party of the talks", ""),
    "objective": ("actor with an objective", ""),
    "quantile": ("quantile over runs", "1"),
    "system": ("a target system of an air campaign", ""),
    "outcome": ("how a run ends", ""),
}

_STANDARD = {"lat": "latitude", "lon": "longitude", "date": "time"}


def flags(meanings: Sequence[str]) -> dict[str, Any]:
    """CF ``flag_values``/``flag_meanings`` for codes 0..n-1 (blanks in words become _)."""
    return {"flag_values": np.arange(len(meanings), dtype=np.int8),
            "flag_meanings": " ".join(m.replace(" ", "_") for m in meanings)}


def _codes(name: str, ds: xr.Dataset) -> dict[str, Any]:
    """The flag attributes of a code variable, from the Dataset's own coordinates."""
    from .coupling import OUTCOMES
    from .talks.state import PHASES

    if name in ACTOR_CODES:
        return flags([str(a) for a in ds["actor"].values])
    if name in PLACE_CODES:
        return flags([str(p) for p in ds["place"].values])
    if name == "outcome":
        return flags(OUTCOMES)
    if name == "talks_phase":
        return flags(PHASES)
    return {}


def annotate(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with long_name and units (or flags) on every declared variable and coordinate;
    KeyError for an undeclared one (declare it in VARIABLES or COORDS)."""
    for name, var in ds.variables.items():
        key = str(name)
        long_name, units = VARIABLES[key] if key in ds.data_vars else COORDS[key]
        attrs = {"long_name": long_name, **_codes(key, ds)}
        if units:
            attrs["units"] = units
        if key in _STANDARD:
            attrs["standard_name"] = _STANDARD[key]
        var.attrs = {**{k: v for k, v in var.attrs.items() if k != "description"}, **attrs}
    return ds


def coordinates(world: World, sc: Scenario) -> dict[str, Any]:
    """Places with their name, latitude and longitude; actors with their name, kind and
    colour; the belligerents (the ``share`` columns)."""
    by_id = {p.id: p for p in sc.places}
    places = [by_id[i] for i in world.place_ids]
    actors = [sc.actor(a) for a in world.actor_ids]
    return {
        "place": list(world.place_ids), "place_name": ("place", [p.name for p in places]),
        "lat": ("place", np.array([p.lat.value for p in places])),
        "lon": ("place", np.array([p.lon.value for p in places])),
        "actor": list(world.actor_ids), "actor_name": ("actor", [a.name for a in actors]),
        "actor_kind": ("actor", [a.kind for a in actors]),
        "actor_colour": ("actor", actor_colours([a.id for a in actors],
                                                [a.colour for a in actors])),
        "belligerent": [a.id for a in actors if a.has("belligerent")]}
