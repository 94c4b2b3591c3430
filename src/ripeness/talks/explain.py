"""Why the talks went as they did: a table of sessions, and the story of one run told from it.

:func:`sessions_frame` turns the :class:`SessionRecord` list that ``talks_step`` returned (one
per day, in order) into a DataFrame that is self-contained (it round-trips through Parquet);
:func:`explain` tells one run's story from that table, so ``ripeness explain DIR --run K``
needs only the saved table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .compile import PROTOCOLS, TalksSpec
from .state import CAUSES, COST_PARTS, PHASES, SessionRecord

__all__ = ["explain", "sessions_frame"]

_PER_PARTY = ("share", "forecast", "value", "cost", "reservation", "drift", "pace",
              "p_battle", "required", "issue_adj", "estimate", "offer", "margin", "accepted",
              "p_win")
_PER_RUN = ("held", "hearing", "estimated_range", "range_exists", "width", "suspended",
            "resumed", "appealed", "escalation", "ceasefire", "ceasefire_agreed", "ceasefire_broke",
            "settled", "ripe", "ripeness_margin")
_REMOVED = {"optimism": "without optimism",
            "shifting power": "without the rising side's extrapolated gains",
            "indivisible issue": "with the issues made divisible",
            "costs too low": "with costs of fighting doubled"}


def _row(spec: TalksSpec, r: SessionRecord, run: int) -> dict[str, Any]:
    pkg = int(r.package[run])
    row: dict[str, Any] = {
        "run": run, "day": r.day, "date": spec.start + dt.timedelta(days=r.day),
        "protocol": PROTOCOLS[spec.protocol], "phase": PHASES[int(r.phase[run])],
        "cause": CAUSES[int(r.cause[run])],
        "proposer": ("" if not r.held[run] else "mediator" if r.proposer[run] < 0
                     else spec.party_ids[int(r.proposer[run])]),
        "issues_granted": "" if pkg < 0 else ",".join(
            i for i, g in zip(spec.issue_ids, spec.packages[pkg], strict=True) if g),
        "resume_day": r.day + spec.pause_days if r.suspended[run] else -1,
    }
    row.update({name: getattr(r, name)[run].item() for name in _PER_RUN})
    for j, cause in enumerate(CAUSES[1:5]):
        row[f"counterfactual[{cause}]"] = r.counterfactual[run, j].item()
    for name in _PER_PARTY:
        values = getattr(r, name)[run]
        row.update({f"{name}[{pid}]": values[j].item() for j, pid in enumerate(spec.party_ids)})
    for c, part in enumerate(COST_PARTS):
        row.update({f"cost_{part}[{pid}]": r.cost_parts[run, j, c].item()
                    for j, pid in enumerate(spec.party_ids)})
    for i, issue in enumerate(spec.issue_ids):
        row.update({f"holds[{issue}:{pid}]": bool(r.holds[run, i, j])
                    for j, pid in enumerate(spec.party_ids) if spec.issue_indivisible[i, j]})
    for s, entry in enumerate(spec.sup_entry):
        name = f"{spec.backer_ids[spec.sup_backer[s]]}-{spec.party_ids[spec.sup_client[s]]}" \
            if spec.sup_backer[s] >= 0 else str(int(entry))
        row[f"pressed[{name}]"] = bool(r.pressed[run, s])
        row[f"restrained[{name}]"] = bool(r.restrained[run, s])
        row[f"veto[{name}]"] = bool(r.backer_veto[run, s])
    return row


def _notable(r: SessionRecord) -> np.ndarray:
    return np.asarray(r.held | r.suspended | r.resumed | r.settled | r.ceasefire_agreed
                      | r.ceasefire_broke)


def sessions_frame(records: Sequence[SessionRecord], spec: TalksSpec,
                   run: int | None = None) -> pd.DataFrame:
    """One row per run and day with a session or an event (suspension, resumption, ceasefire,
    settlement), ordered by day then run. Per-party columns are named ``field[party]``;
    ``counterfactual[cause]`` is the width the range would have had without that cause."""
    rows: list[dict[str, Any]] = []
    for r in records:
        runs = np.flatnonzero(_notable(r)) if run is None else [run] * bool(_notable(r)[run])
        rows.extend(_row(spec, r, int(k)) for k in runs)
    return pd.DataFrame(rows)


def _f(x: Any) -> str:
    return f"{float(x):.3f}"


def _party_ids(frame: pd.DataFrame) -> list[str]:
    return [m.group(1) for c in frame.columns if (m := re.fullmatch(r"share\[(.+)\]", c))]


def _why(row: pd.Series, cause: str) -> str:
    if cause == "private information":
        return (f"a range of width {_f(row['width'])} existed, but the mediator's estimate "
                "missed it (private information)")
    cf = float(row[f"counterfactual[{cause}]"])
    tail = (f"{_REMOVED[cause]} the range would have been {_f(cf)} wide" if cf >= 0 else
            f"even {_REMOVED[cause]} the demands would still exceed the stake by {_f(-cf)}")
    also = [f"{c} ({_REMOVED[c]}: {_f(row[f'counterfactual[{c}]'])} wide)" for c in _REMOVED
            if c != cause and float(row[f"counterfactual[{c}]"]) >= 0]
    more = ("; removing any one of these alone would also have opened a range: "
            + ", ".join(also)) if also else ""
    return f"the dominant cause was {cause}: {tail}{more}"


def _session(row: pd.Series, parties: list[str]) -> list[str]:
    out = ["; ".join(f"{p} holds {_f(row[f'share[{p}]'])}, forecasts "
                     f"{_f(row[f'forecast[{p}]'])}, expects costs {_f(row[f'cost[{p}]'])}, "
                     f"needs {_f(row[f'required[{p}]'])}" for p in parties) + "."]
    if not row["range_exists"]:
        out.append(f"Their demands exceed the stake by {_f(-row['width'])}: no bargaining "
                   "range.")
    if row.get("hearing", False):
        state = "a range existed" if row["range_exists"] else "no range existed"
        out.append(f"The mediator heard the parties and tabled no proposal yet ({state}).")
    elif row["estimated_range"]:
        offer = ", ".join(f"{p} {_f(row[f'offer[{p}]'])}" for p in parties)
        extra = f" (granting {row['issues_granted']})" if row["issues_granted"] else ""
        who = "The mediator" if row["proposer"] == "mediator" else str(row["proposer"])
        out.append(f"{who} proposed {offer}{extra}.")
        no = [f"{p} (short by {_f(-row[f'margin[{p}]'])})" for p in parties
              if not row[f"accepted[{p}]"]]
        out.append("All accepted." if not no else "Refused by " + ", ".join(no) + ".")
    else:
        out.append("The mediator found no range and made no offer.")
    if row["cause"] != "none":
        out.append(f"Why: {_why(row, str(row['cause']))}.")
    out.append(f"By Zartman's test the conflict was {'ripe' if row['ripe'] else 'not ripe'} "
               f"(margin {_f(row['ripeness_margin'])}).")
    return out


def _events(row: pd.Series, parties: list[str]) -> list[str]:
    out = []
    if row["settled"]:
        terms = ", ".join(f"{p} {_f(row[f'offer[{p}]'])}" for p in parties)
        out.append(f"Settlement: {terms}. The war between the parties ends.")
    if row["ceasefire_agreed"]:
        out.append("A ceasefire was agreed between " + ", ".join(parties) + ".")
    if row["ceasefire_broke"]:
        out.append("The ceasefire broke down.")
    if row["suspended"]:
        why = ("a sharp escalation" if row["escalation"]
               else "too many sessions in a row without a range")
        out.append(f"The mediator suspended the talks until day {row['resume_day']} after "
                   f"{why}" + (", and appealed to the backers." if row["appealed"] else "."))
    return out


def explain(frame: pd.DataFrame, run: int) -> list[str]:
    """The story of the talks in run ``run``, from :func:`sessions_frame`'s table: a line
    of plain-language sentences with numbers per session or event, in order of days."""
    rows = frame[frame["run"] == run].sort_values("day", kind="stable")
    parties = _party_ids(frame)
    if rows.empty:
        return [f"No session of talks between {', '.join(parties)} was held in run {run}."]
    story = [f"Talks between {', '.join(parties)} under the {rows['protocol'].iloc[0]} "
             f"protocol; first meeting day {rows['day'].iloc[0]} ({rows['date'].iloc[0]})."]
    for _, row in rows.iterrows():
        lines = ["The talks resumed."] if row["resumed"] else []
        lines += _session(row, parties) if row["held"] else []
        story.append(f"Day {row['day']} ({row['date']}): "
                     + " ".join(lines + _events(row, parties)))
    return story
