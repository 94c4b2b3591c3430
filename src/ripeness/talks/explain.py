"""Why the talks went as they did: a table of sessions, and the story of one run told from it.

:func:`sessions_frame` turns the :class:`SessionRecord` list that ``talks_step`` returned (one
per day, in order) into a DataFrame that is self-contained (it round-trips through Parquet);
:func:`explain` tells one run's story from that table, so ``ripeness explain DIR --run K``
needs only the saved table. Each refusal is split into its parts (what fighting on is worth
to the party by its own forecast, its felt costs, the issues of the offered package), with
who refused by how much, what the backers did and why, and what would have changed it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .compile import PROTOCOLS, TalksSpec
from .state import CAUSES, COST_PARTS, COUNTERFACTUAL_CAUSES, PHASES, SessionRecord

__all__ = ["explain", "sessions_frame"]

_PER_PARTY = ("share", "forecast", "value", "cost", "reservation", "drift", "pace",
              "p_battle", "required", "issue_adj", "estimate", "offer", "margin", "accepted",
              "p_win")
_PER_RUN = ("held", "hearing", "estimated_range", "range_exists", "width", "suspended",
            "resumed", "deferred", "appealed", "escalation", "ceasefire", "ceasefire_agreed",
            "ceasefire_broke",
            "settled", "ripe", "ripeness_margin")
_REMOVED = {"optimism": "without optimism",
            "shifting power": "without the rising side's extrapolated gains",
            "indivisible issue": "with the issues made divisible",
            "costs too low": "with costs of fighting doubled",
            "no guarantee": "with an outside guarantee of the deal"}


def _entry(spec: TalksSpec, s: int) -> str:
    return f"{spec.backer_ids[spec.sup_backer[s]]}-{spec.party_ids[spec.sup_client[s]]}" \
        if spec.sup_backer[s] >= 0 else f"support{int(spec.sup_entry[s])}"


def _backer_cols(spec: TalksSpec, r: SessionRecord, run: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for s in range(len(spec.sup_entry)):
        name = _entry(spec, s)
        row[f"pressed[{name}]"] = bool(r.pressed[run, s])
        row[f"restrained[{name}]"] = bool(r.restrained[run, s])
        row[f"veto[{name}]"] = bool(r.backer_veto[run, s])
        row[f"refused_ceasefire[{name}]"] = bool(r.backer_refused[run, s])
    for b, bid in enumerate(spec.backer_ids):
        if spec.backer_limited[b]:
            row[f"aim_met[{bid}]"] = bool(r.aim_met[run, b])
    return row


def _pause(spec: TalksSpec, r: SessionRecord, run: int) -> int:
    """The length of a suspension in the phase of the talks in force that day."""
    if spec.stages is None or r.stage is None:
        return spec.pause_days
    return int(spec.stages.pause_days[int(r.stage[run])])


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
        "resume_day": (r.day + _pause(spec, r, run)
                       if r.suspended[run] or r.deferred[run] else -1),
        "horizon": spec.horizon,
    }
    if spec.stages is not None and r.stage is not None:
        row["talks_stage"] = spec.stages.ids[int(r.stage[run])]
    row.update({name: getattr(r, name)[run].item() for name in _PER_RUN})
    for j, cause in enumerate(COUNTERFACTUAL_CAUSES):
        row[f"counterfactual[{cause}]"] = r.counterfactual[run, j].item()
    for j, cause in enumerate(c for c in COUNTERFACTUAL_CAUSES if c != "indivisible issue"):
        row[f"counterfactual_war[{cause}]"] = r.counterfactual_war[run, j].item()
    for name in _PER_PARTY:
        values = getattr(r, name)[run]
        row.update({f"{name}[{pid}]": values[j].item() for j, pid in enumerate(spec.party_ids)})
    for j, pid in enumerate(spec.party_ids):
        row[f"refused_ceasefire[{pid}]"] = bool(r.ceasefire_refused[run, j])
        if spec.settlement_risk[j] > 0:
            row[f"settlement_risk[{pid}]"] = float(spec.settlement_risk[j])
        for c, part in enumerate(COST_PARTS):
            row[f"cost_{part}[{pid}]"] = r.cost_parts[run, j, c].item()
    for i, issue in enumerate(spec.issue_ids):
        row.update({f"holds[{issue}:{pid}]": bool(r.holds[run, i, j])
                    for j, pid in enumerate(spec.party_ids) if spec.issue_indivisible[i, j]})
    row.update(_backer_cols(spec, r, run))
    return row


def _notable(r: SessionRecord) -> np.ndarray:
    return np.asarray(r.held | r.suspended | r.resumed | r.deferred | r.settled
                      | r.ceasefire_agreed
                      | r.ceasefire_broke)


def sessions_frame(records: Sequence[SessionRecord], spec: TalksSpec,
                   run: int | None = None) -> pd.DataFrame:
    """One row per run and day with a session or an event (suspension, resumption, ceasefire,
    settlement), ordered by day then run. Per-party columns are named ``field[party]``
    (``cost_dead``, ``cost_front``, ``cost_siege``: the felt cost by part); per issue and
    insisting party ``holds[issue:party]``; per backer entry ``pressed``, ``restrained``,
    ``veto``, ``refused_ceasefire[backer-client]`` and ``aim_met[backer]``;
    ``counterfactual[cause]`` is the width the range would have had without that cause."""
    rows: list[dict[str, Any]] = []
    for r in records:
        runs = np.flatnonzero(_notable(r)) if run is None else [run] * bool(_notable(r)[run])
        rows.extend(_row(spec, r, int(k)) for k in runs)
    return pd.DataFrame(rows)


def _f(x: Any) -> str:
    return f"{float(x):.3f}"


def _s(x: Any, digits: int = 3) -> str:
    return f"{float(x):+.{digits}f}"


def _names(columns: Any, field: str) -> list[str]:
    """The bracketed names of the columns ``field[name]``, in order."""
    return [m.group(1) for c in columns if (m := re.fullmatch(rf"{field}\[(.+)\]", str(c)))]


def _party_ids(frame: pd.DataFrame) -> list[str]:
    return _names(frame.columns, "share")


def _why(row: pd.Series, cause: str) -> str:
    if cause == "private information":
        return (f"a range of width {_f(row['width'])} existed, but the mediator's estimate "
                "missed it (private information)")
    if cause == "backer's veto":
        return "every party accepted, but a backer withheld its guarantee (its aim unmet)"
    cf = float(row[f"counterfactual[{cause}]"])
    war = row.get(f"counterfactual_war[{cause}]")
    if cf < 0 and war is not None and not pd.isna(war) and cause != "indivisible issue":
        # no single removal opened it: the war's own gap, the issues set aside
        issue = float(row["counterfactual[indivisible issue]"])
        tail = (f"the issues set aside, the demands still exceeded the stake by {_f(-issue)}; "
                + (f"{_REMOVED[cause]} as well the range would have been {_f(war)} wide"
                   if war >= 0 else f"{_REMOVED[cause]} as well they would still have "
                   f"exceeded it by {_f(-war)}"))
        return f"the dominant cause was {cause}: {tail}"
    tail = (f"{_REMOVED[cause]} the range would have been {_f(cf)} wide" if cf >= 0 else
            f"even {_REMOVED[cause]} the demands would still exceed the stake by {_f(-cf)}")
    also = [f"{c} ({_REMOVED[c]}: {_f(row[f'counterfactual[{c}]'])} wide)" for c in _REMOVED
            if c != cause and float(row[f"counterfactual[{c}]"]) >= 0]
    more = ("; removing any one of these alone would also have opened a range: "
            + ", ".join(also)) if also else ""
    return f"the dominant cause was {cause}: {tail}{more}"


def _view(row: pd.Series, p: str) -> str:
    """A party's reservation split: what fighting on is worth by its forecast, less costs."""
    h = int(row.get("horizon", 0)) or "H"
    costs = ", ".join(f"{part} {_f(row[f'cost_{part}[{p}]'])}" for part in COST_PARTS
                      if f"cost_{part}[{p}]" in row)
    r = float(row[f"reservation[{p}]"])
    needs = (f"it needs {_f(r)}" if r >= 0 else
             f"net of them fighting on is worth {_f(r)}: it would accept any share")
    risk = _settlement_risk(row, p)
    if risk and r >= 0:
        needs += (f", and {_f(r / (1 - risk))} from a settlement, which it fears "
                  f"({risk:.0%}) would not be honoured once it had laid down its arms")
    return (f"{p} holds {_f(row[f'share[{p}]'])} and expects {_f(row[f'forecast[{p}]'])} "
            f"in {h} days (drift {_s(row[f'drift[{p}]'], 4)}/day: it wins "
            f"{float(row[f'p_battle[{p}]']):.0%} of battles at a pace of "
            f"{float(row[f'pace[{p}]']):.4f}/day), so fighting on is worth "
            f"{_f(row[f'value[{p}]'])} to it, less felt costs {_f(row[f'cost[{p}]'])} "
            f"({costs}): {needs}")


def _issues(row: pd.Series, parties: list[str]) -> list[str]:
    out = []
    for key in _names(row.index, "holds"):
        issue, p = key.split(":")
        loss = float(row[f"share[{p}]"]) - float(row[f"reservation[{p}]"])
        verb = "insists on" if row[f"holds[{key}]"] else "would trade"
        how = (f"it expects to lose {_f(loss)} by fighting on" if loss >= 0
               else f"it expects to gain {_f(-loss)} by fighting on")
        out.append(f"{p} {verb} '{issue}' ({how})")
    return [("Issues: " + "; ".join(out) + ".")] if out else []


def _settlement_risk(row: pd.Series, p: str) -> float:
    """The chance party ``p`` sees that a settlement is not honoured (0: no column)."""
    return float(row.get(f"settlement_risk[{p}]", 0.0) or 0.0)


def _refusals(row: pd.Series, parties: list[str]) -> list[str]:
    no = []
    for p in parties:
        if row[f"accepted[{p}]"]:
            continue
        adj = float(row.get(f"issue_adj[{p}]", 0.0) or 0.0)
        short = -float(row[f"margin[{p}]"])
        issues = f", issues {_s(adj)}" if adj else ""
        risk = _settlement_risk(row, p)
        fear = (f", and it fears a {risk:.0%} chance that the deal is not honoured once it "
                f"has laid down its arms, so it needs {1 / (1 - risk):.2f} times that"
                if risk else "")
        no.append(f"{p}, short by {_f(short)} (offered {_f(row[f'offer[{p}]'])}; it needed "
                  f"{_f(row[f'required[{p}]'])}: fighting on {_f(row[f'value[{p}]'])} less "
                  f"costs {_f(row[f'cost[{p}]'])}{fear}{issues}; an offer {_f(short)} higher, or "
                  f"costs or a forecast {_f(short)} worse for it, would have won its consent)")
    return ["All accepted."] if not no else ["Refused by " + "; ".join(no) + "."]


def _session(row: pd.Series, parties: list[str]) -> list[str]:
    out = ["; ".join(_view(row, p) for p in parties) + "."]
    out += _issues(row, parties)
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
        out += _refusals(row, parties)
    else:
        out.append("The mediator found no range and made no offer.")
    if row["cause"] != "none":
        out.append(f"Why: {_why(row, str(row['cause']))}.")
    pain = sum(float(row[f"cost[{p}]"]) for p in parties)
    optimism = sum(float(row[f"value[{p}]"]) for p in parties) - 1.0
    out.append(f"By Zartman's test the conflict was {'ripe' if row['ripe'] else 'not ripe'}: "
               f"the parties' joint optimism (what they expect from fighting on beyond the "
               f"stake) {_s(optimism)} against their pain (felt costs) {_f(pain)}"
               + ("; the stalemate hurt, but no deal was on the table that every party "
                  "could accept (no way out)." if not row["ripe"] and row["ripeness_margin"] >= 0
                  else "."))
    return out


def _backers(row: pd.Series) -> list[str]:
    """What each backer did today and why (from its aim and its client's drift)."""
    out = []
    for name in _names(row.index, "pressed"):
        backer, client = name.split("-", 1)
        aim = row.get(f"aim_met[{backer}]")
        why = ("its limited aim is unmet" if aim is False else "its limited aim is met"
               if aim is True else "its aim is open")
        drift = float(row[f"drift[{client}]"]) if f"drift[{client}]" in row else 0.0
        acts = []
        if row[f"pressed[{name}]"]:
            acts.append(f"presses {client} toward a deal ({why}; {client}'s drift "
                        f"{_s(drift, 4)}/day)")
        if row[f"restrained[{name}]"]:
            acts.append(f"restrains {client}, still gaining ground, by cutting its aid")
        if row[f"veto[{name}]"]:
            acts.append(f"withholds its guarantee from the deal ({why})")
        if row.get(f"refused_ceasefire[{name}]", False):
            acts.append(f"refuses a ceasefire ({why})" if aim is False
                        else f"refuses a ceasefire as {client} does (it expects more from "
                        "fighting on than it holds)")
        if acts:
            out.append(f"{backer} " + " and ".join(acts))
    return [("Backers: " + "; ".join(out) + ".")] if out else []


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
    if row.get("deferred", False):
        out.append("The pause ended, but the mediator, sounding the parties, saw no range: it "
                   f"put the talks off until day {row['resume_day']}.")
    return out


def _opened(row: pd.Series, last: pd.Series | None, parties: list[str]) -> list[str]:
    """Why a range exists now that did not at the previous session."""
    if last is None or not row["range_exists"] or last["range_exists"]:
        return []
    def opt(r: pd.Series) -> float:
        return sum(float(r[f"value[{p}]"]) for p in parties) - 1.0
    def pain(r: pd.Series) -> float:
        return sum(float(r[f"cost[{p}]"]) for p in parties)
    paces = ", ".join(f"{p} {float(last[f'pace[{p}]']):.4f} to {float(row[f'pace[{p}]']):.4f}"
                      for p in parties)
    wins = ", ".join(f"{p} {float(last[f'p_battle[{p}]']):.0%} to "
                     f"{float(row[f'p_battle[{p}]']):.0%}" for p in parties)
    return [f"The range opened (none at the previous session, day {last['day']}): the parties' "
            f"joint optimism fell from {_s(opt(last))} to {_s(opt(row))} (the war's learnt "
            f"pace: {paces}/day; their chances of winning a battle: {wins}), while their felt "
            f"costs went from {_f(pain(last))} to {_f(pain(row))}."]


def explain(frame: pd.DataFrame, run: int) -> list[str]:
    """The story of the talks in run ``run``, from :func:`sessions_frame`'s table: a line
    of plain-language sentences with numbers per session or event, in order of days."""
    rows = frame[frame["run"] == run].sort_values("day", kind="stable")
    parties = _party_ids(frame)
    if rows.empty:
        return [f"No session of talks between {', '.join(parties)} was held in run {run}."]
    story = [f"Talks between {', '.join(parties)} under the {rows['protocol'].iloc[0]} "
             f"protocol; first meeting day {rows['day'].iloc[0]} ({rows['date'].iloc[0]})."]
    last: pd.Series | None = None  # the previous session
    for _, row in rows.iterrows():
        lines = ["The talks resumed."] if row["resumed"] else []
        if row["held"]:
            lines += _opened(row, last, parties) + _session(row, parties)
            last = row
        lines += _backers(row) + _events(row, parties)
        story.append(f"Day {row['day']} ({row['date']}): " + " ".join(lines))
    return story
