"""Phases of the talks: settings that change on a date or once a ceasefire has held.

Talks often change their form: shuttle diplomacy becomes a conference with daily sessions, a
round of proximity talks gives way to direct talks in one room. A scenario lists such phases
after the ``[talks]`` table's own settings (stage 0); each run moves to the next stage on the
phase's date or once a ceasefire has held the phase's number of days in a row, whichever comes
first, and the talks of that day run under the settings of its stage (:func:`in_force`): the
days between sessions, the length of a pause, the failures before a suspension, the
escalation that suspends, the mediator's error. A phase may convene: a session the next day,
suspended talks resuming for it. Without phases nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .state import OPEN, SUSPENDED

if TYPE_CHECKING:
    from ..scenario.schema import Scenario
    from .compile import TalksSpec
    from .state import TalksState

__all__ = ["Stages", "advance", "compile_stages", "in_force"]

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

NEVER = 2**31 - 1


@dataclass(frozen=True)
class Stages:
    """The talks' settings by stage (G = phases + 1; stage 0: the [talks] table's own).

    every, pause_days, suspend_after: int64[G]; escalation, estimate_noise: float64[G];
    starts: int64[G], the day a stage begins at the latest (NEVER: no date); calm: int64[G],
    the days in a row of ceasefire that begin it (NEVER: none); convene: bool[G]; ids: the
    phases' ids, "" for stage 0."""

    every: Ints
    pause_days: Ints
    suspend_after: Ints
    escalation: Floats
    estimate_noise: Floats
    starts: Ints
    calm: Ints
    convene: Bools
    ids: tuple[str, ...]


def compile_stages(s: Scenario) -> Stages | None:
    """The stages of ``s``'s talks (None without phases)."""
    t = s.talks
    if t is None or not t.phases:
        return None
    cur = {"every": max(1, round(t.session_every_days.value)),
           "pause_days": round(t.pause_days.value),
           "suspend_after": max(1, round(t.suspend_after.value)),
           "escalation": float(t.escalation.value), "estimate_noise": float(t.estimate_noise.value)}
    rows, starts, calm, convene = [dict(cur)], [0], [0], [False]
    for ph in t.phases:
        for name, q in (("every", ph.session_every_days), ("pause_days", ph.pause_days),
                        ("suspend_after", ph.suspend_after), ("escalation", ph.escalation),
                        ("estimate_noise", ph.estimate_noise)):
            if q is not None:
                cur[name] = (float(q.value) if name in ("escalation", "estimate_noise")
                             else max(1 if name != "pause_days" else 0, round(q.value)))
        rows.append(dict(cur))
        starts.append(NEVER if ph.starts is None else (ph.starts - s.meta.start).days)
        calm.append(NEVER if ph.after_ceasefire_days is None
                    else max(1, round(ph.after_ceasefire_days.value)))
        convene.append(ph.convene)

    def whole(name: str) -> Ints:
        return np.array([r[name] for r in rows], dtype=np.int64)

    def real(name: str) -> Floats:
        return np.array([r[name] for r in rows], dtype=np.float64)

    return Stages(every=whole("every"), pause_days=whole("pause_days"),
                  suspend_after=whole("suspend_after"), escalation=real("escalation"),
                  estimate_noise=real("estimate_noise"),
                  starts=np.array(starts, dtype=np.int64), calm=np.array(calm, dtype=np.int64),
                  convene=np.array(convene, dtype=bool), ids=("", *(p.id for p in t.phases)))


def in_force(spec: TalksSpec, stage: Ints | None) -> TalksSpec:
    """``spec`` with each run's settings of its stage (``every``, ``pause_days``,
    ``suspend_after`` int64[run]; ``escalation``, ``estimate_noise`` float64[run, 1]); the
    same ``spec`` without phases."""
    g = spec.stages
    if g is None or stage is None:
        return spec
    per_run: dict[str, Any] = {
        "every": g.every[stage], "pause_days": g.pause_days[stage],
        "suspend_after": g.suspend_after[stage], "escalation": g.escalation[stage][:, None],
        "estimate_noise": g.estimate_noise[stage][:, None]}
    return replace(spec, **per_run)


def advance(spec: TalksSpec, st: TalksState, new: TalksState, day: int) -> TalksState:
    """The talks after ``day`` with each run's stage for tomorrow: the next phase begins where
    its date comes tomorrow or a ceasefire has held its days; a phase that convenes sets a
    session for tomorrow (a suspension ends for it)."""
    g = spec.stages
    zero = np.zeros(len(new.phase), dtype=np.int64)
    was = zero if st.stage is None else st.stage
    calm = np.where(new.ceasefire, (zero if st.calm is None else st.calm) + 1, 0)
    if g is None:
        return replace(new, stage=was, calm=calm, convened=np.zeros(len(new.phase), bool))
    nxt = np.minimum(was + 1, len(g.every) - 1)
    due = (was + 1 < len(g.every)) & ((day + 1 >= g.starts[nxt]) | (calm >= g.calm[nxt]))
    stage = np.asarray(np.where(due, nxt, was), dtype=np.int64)
    conv = due & g.convene[nxt]
    return replace(
        new, stage=stage, calm=calm,
        next_session=np.where(conv & (new.phase == OPEN),
                              np.minimum(new.next_session, day + 1), new.next_session),
        resume_day=np.where(conv & (new.phase == SUSPENDED),
                            np.minimum(new.resume_day, day + 1), new.resume_day),
        failures=np.where(conv, 0, new.failures), convened=conv & (new.phase == SUSPENDED))
