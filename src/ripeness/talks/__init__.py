"""The talks: beliefs and forecasts, reservations, the mediator, ceasefires and settlements.

The war engine calls :func:`talks_step` once per simulated day with a :class:`TalksObs` and
pre-drawn :class:`TalksNoise`; everything here is pure and vectorised over runs.
"""

from .backers import ceasefire_pairs
from .bargaining import bargaining_range, is_ripe, required_share, reservation
from .compile import PROTOCOLS, TalksSpec, compile_talks
from .explain import explain, sessions_frame
from .state import CAUSES, PHASES, SessionRecord, TalksNoise, TalksObs, TalksState
from .step import talks_init, talks_step

__all__ = [
    "CAUSES",
    "PHASES",
    "PROTOCOLS",
    "SessionRecord",
    "TalksNoise",
    "TalksObs",
    "TalksSpec",
    "TalksState",
    "bargaining_range",
    "ceasefire_pairs",
    "compile_talks",
    "explain",
    "is_ripe",
    "required_share",
    "reservation",
    "sessions_frame",
    "talks_init",
    "talks_step",
]
