"""One colour per actor, the same in every scenario and every figure.

An actor's colour is its scenario's ``colour`` field when given; otherwise the colour of its
id in :data:`BY_ID` (the actors of the shipped scenarios, in the colours maps of the Syrian
war commonly use: government red, rebels green, the SDF yellow, ISIS black); otherwise the next
free colour of :data:`SPARE` in the scenario's actor order. Colours are hex strings, so that a
result can carry them as a coordinate (``actor_colour``) and be drawn without its scenario.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["BY_ID", "SPARE", "actor_colours"]

#: Default colours of well-known actor ids (Okabe-Ito and Paul Tol's colour-blind-safe sets).
BY_ID: dict[str, str] = {
    "government": "#D55E00",  # vermillion
    "opposition": "#009E73",  # bluish green
    "southern-front": "#117733",  # dark green: a rebel front of its own
    "sdf": "#E6B800",  # dark yellow
    "isis": "#222222",  # black
    "russia": "#882255",  # wine
    "iran": "#AA4499",  # purple
    "turkey": "#CC79A7",  # reddish purple
    "us": "#0072B2",  # blue
    "jordan": "#56B4E9",  # sky blue
    "israel": "#332288",  # indigo
    "un": "#999999",  # grey
}

#: Colours for actors without a declared or well-known colour, taken in turn.
SPARE = ("#0072B2", "#E69F00", "#44AA99", "#88CCEE", "#DDCC77", "#661100", "#6699CC",
         "#AA4466", "#4477AA", "#999933")


def actor_colours(ids: Sequence[str], declared: Sequence[str | None] | None = None
                  ) -> list[str]:
    """The colour of each actor: declared, else by id, else a spare colour not yet used (a
    grey once the spares run out)."""
    given = list(declared) if declared is not None else [None] * len(ids)
    out = [g or BY_ID.get(i) for i, g in zip(ids, given, strict=True)]
    free = [c for c in SPARE if c not in out]
    for k, c in enumerate(out):
        if c is None:
            out[k] = free.pop(0) if free else "#BBBBBB"
    return [str(c) for c in out]
