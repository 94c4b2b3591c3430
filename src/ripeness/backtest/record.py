"""The historical record: a CSV file of dated events and figures that a scenario can represent.

One row per recorded fact. Events (a place captured, a siege relieved, a corridor cut, talks
suspended or resumed, a ceasefire) are matched with the first such event of each simulated run;
figures (displaced, hosted, civilians killed, fighters put out of action, besieged) are compared
with the simulated value over the recorded dates. The file is the user's to replace: every
problem in it is reported at once, with the file, line, column and a fix, before anything runs.

Columns (``id``, ``date`` and ``kind`` required; the others may be left out or empty)::

    id, date, kind, place, actor, corridor, happened, low, high, source, note

``date`` is ``YYYY-MM-DD`` or a range ``YYYY-MM-DD/YYYY-MM-DD``; ``place`` and ``actor`` may list
several ids separated by ``;``; ``happened = no`` records that an event did NOT happen within the
dates. Lines starting with ``#`` are comments (the first line of a record states its methods).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError, Severity
from ..scenario import Loaded, Scenario

__all__ = ["COLUMNS", "EVENT_KINDS", "FIGURE_KINDS", "Entry", "Record", "default_record_path",
           "read_record"]


class Kind(NamedTuple):
    """How a kind of record row is found in a simulation: ``table`` (events, sessions or
    daily), ``key`` (the event kind, the sessions column or the daily variable), and which
    of place / actor / corridor it needs."""

    table: str
    key: str
    needs: tuple[str, ...] = ()


EVENT_KINDS: dict[str, Kind] = {
    "captured": Kind("events", "captured", ("place",)),
    "siege begun": Kind("events", "siege begun", ("place",)),
    "siege relieved": Kind("events", "siege relieved", ("place",)),
    "corridor cut": Kind("events", "corridor cut", ("corridor",)),
    "corridor reopened": Kind("events", "corridor reopened", ("corridor",)),
    "talks suspended": Kind("sessions", "suspended"),
    "talks resumed": Kind("sessions", "resumed"),
    "ceasefire": Kind("sessions", "ceasefire_agreed"),
    "ceasefire broke": Kind("sessions", "ceasefire_broke"),
    "settlement": Kind("sessions", "settled"),
}
FIGURE_KINDS: dict[str, Kind] = {
    "displaced": Kind("daily", "displaced"),
    "hosted": Kind("daily", "hosted"),
    "civilians killed": Kind("daily", "killed"),
    "besieged": Kind("daily", "besieged"),
    "military dead": Kind("daily", "mil_dead", ("actor",)),
}
COLUMNS = ("id", "date", "kind", "place", "actor", "corridor", "happened", "low", "high",
           "source", "note")
REQUIRED = ("id", "date", "kind")


@dataclass(frozen=True)
class Entry:
    """One recorded fact. ``first``/``last``: the recorded dates (equal for a single day);
    ``happened`` False: the event did not happen between them; ``low``/``high``: a figure's
    recorded range, in the model's unit (NaN for events); ``line``: where it is written."""

    id: str
    first: dt.date
    last: dt.date
    kind: str
    places: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    corridor: str = ""
    happened: bool = True
    low: float = float("nan")
    high: float = float("nan")
    source: str = ""
    note: str = ""
    line: int = 0

    @property
    def is_figure(self) -> bool:
        return self.kind in FIGURE_KINDS

    @property
    def what(self) -> str:
        """The entry's subject in a few words (for tables and plots)."""
        who = ";".join(self.places) or self.corridor
        by = f" by {';'.join(self.actors)}" if self.actors else ""
        neg = "no " if not self.happened else ""
        return f"{neg}{self.kind} {who}{by}".replace("  ", " ").strip()

    @property
    def dates(self) -> str:
        a, b = self.first.isoformat(), self.last.isoformat()
        return a if a == b else f"{a}/{b}"


@dataclass(frozen=True)
class Record:
    """A validated record for one scenario: the entries, the file, the scenario's day 0."""

    entries: tuple[Entry, ...]
    file: str
    start: dt.date
    sha256: str = ""
    warnings: tuple[Problem, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entries)

    def day(self, date: dt.date) -> int:
        """Days since the scenario's start (day 0)."""
        return (date - self.start).days

    def days(self) -> np.ndarray:
        """int64[entry, 2]: first and last recorded day of each entry."""
        return np.array([[self.day(e.first), self.day(e.last)] for e in self.entries],
                        dtype=np.int64).reshape(-1, 2)

    def last_day(self) -> int:
        """The latest recorded day (0 for an empty record)."""
        return int(self.days()[:, 1].max()) if len(self) else 0

    def select(self, keep: list[bool] | np.ndarray) -> Record:
        """The record with only the entries where ``keep`` is true."""
        return replace(self, entries=tuple(e for e, k in zip(self.entries, keep, strict=True)
                                           if k))

    def split(self, cutoff: dt.date) -> tuple[Record, Record]:
        """(before, after): entries whose whole date range lies on or before ``cutoff``, and
        the rest (a range straddling the cut-off is knowledge from after it)."""
        before = [e.last <= cutoff for e in self.entries]
        return self.select(before), self.select([not b for b in before])

    def known_at(self, cutoff: dt.date) -> Record:
        """What the record tells someone standing on ``cutoff``: the entries before it
        (:meth:`split`) plus, for each later entry, the part already known then, as a
        ``happened = no`` entry over the days up to the cut-off (the later entries are
        right-censored there, as in survival analysis):

        - an event recorded from day F after the record's start did not happen before F
          (the score matches a run's *first* such event from day 0, so the record already
          reads an event as its first occurrence); skipped where an earlier entry records
          the same event (kind, places, actors, corridor), whose date then says nothing;
        - a ``happened = no`` entry whose range straddles the cut-off did not happen from its
          first day to the cut-off.

        A derived entry's id is the entry's with ``@cutoff`` appended; it keeps the entry's
        source and says in its note what it was derived from."""
        before, later = self.split(cutoff)
        out = list(before.entries)
        seen: dict[tuple[object, ...], dt.date] = {}
        for e in self.entries:
            if e.happened and not e.is_figure:
                key = (e.kind, e.places, e.actors, e.corridor)
                seen[key] = min(seen.get(key, e.first), e.first)
        day = dt.timedelta(days=1)
        for e in later.entries:
            if e.is_figure:
                continue
            if e.happened:
                if seen[(e.kind, e.places, e.actors, e.corridor)] < e.first:
                    continue
                first, last = self.start, min(e.first - day, cutoff)
            else:
                first, last = e.first, cutoff
            if last < first:
                continue
            out.append(replace(e, id=f"{e.id}@cutoff", first=first, last=last,
                               happened=False, note=f"derived from '{e.id}' ({e.dates}): "
                               f"not yet by {last}"))
        return replace(self, entries=tuple(out))

    def with_days(self, first: np.ndarray, last: np.ndarray) -> Record:
        """The record with each entry's dates moved to the given days (honesty checks)."""
        entries = tuple(replace(e, first=self.start + dt.timedelta(days=int(a)),
                                last=self.start + dt.timedelta(days=int(b)))
                        for e, a, b in zip(self.entries, first, last, strict=True))
        return replace(self, entries=entries)

    def shifted(self, seed: int, max_days: int = 20) -> Record:
        """Each entry's dates moved by its own random whole number of days in
        [-max_days, max_days] (never before day 0): a record the model was not built on."""
        rng = np.random.default_rng(seed)
        d = self.days()
        lo = -np.minimum(d[:, 0], max_days)
        shift = rng.integers(lo, max_days + 1)
        return self.with_days(d[:, 0] + shift, d[:, 1] + shift)

    def permuted(self, seed: int) -> Record:
        """The first recorded days permuted among the events that happened (fixed seed),
        each keeping its own range's length; figures and ``happened = no`` entries keep
        their dates (swapping a two-month 'did not happen' range onto a one-day event would
        make that event trivially on time)."""
        d = self.days()
        idx = np.flatnonzero([not e.is_figure and e.happened for e in self.entries])
        src = np.random.default_rng(seed).permutation(idx)
        first, last = d[:, 0].copy(), d[:, 1].copy()
        first[idx] = d[src, 0]
        last[idx] = d[src, 0] + (d[idx, 1] - d[idx, 0])
        return self.with_days(first, last)

    def frame(self) -> pd.DataFrame:
        """The entries as a table (one row each)."""
        return pd.DataFrame([{
            "id": e.id, "date": e.dates, "kind": e.kind, "place": ";".join(e.places),
            "actor": ";".join(e.actors), "corridor": e.corridor, "happened": e.happened,
            "low": e.low, "high": e.high, "source": e.source, "note": e.note,
        } for e in self.entries], columns=list(COLUMNS))


def default_record_path(loaded: Loaded) -> Path:
    """The scenario folder's ``record.csv`` (where a built-in scenario keeps its record)."""
    return Path(loaded.file.split(" (")[0]).parent / "record.csv"


def read_record(path: str | Path, scenario: Scenario | Loaded) -> Record:
    """Read and validate a record against ``scenario``. Raises ScenarioError listing every
    problem (file, line, column, what is wrong, how to fix it)."""
    sc = scenario.scenario if isinstance(scenario, Loaded) else scenario
    p = Path(path)
    file = str(p)
    if not p.is_file():
        raise ScenarioError([Problem(file, "", "no such record file", "give the path of a "
                                     "CSV record with --record (see docs/backtest.md)")])
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError([Problem(file, "", f"is not UTF-8 text (byte {e.start})",
                                     "save the file as UTF-8")]) from None
    checker = _Checker(file, sc)
    entries = checker.parse(text)
    errors = [x for x in checker.problems if x.severity == "error"]
    if errors:
        raise ScenarioError(checker.problems)
    return Record(entries=tuple(entries), file=file, start=sc.meta.start,
                  sha256=hashlib.sha256(data).hexdigest()[:16],
                  warnings=tuple(checker.problems))


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each CSV row, skipping blank and ``#`` comment lines."""
    numbered = [(i + 1, ln) for i, ln in enumerate(text.splitlines(keepends=True))
                if ln.strip() and not ln.lstrip().startswith("#")]
    at = [0]

    def feed() -> Iterator[str]:
        for n, ln in numbered:
            at[0] = n
            yield ln

    for row in csv.reader(feed()):
        yield at[0], [x.strip() for x in row]


def _near(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return f"{hint}known: {', '.join(known[:40])}"


class _Checker:
    """Collects every problem of one record file while turning its rows into entries."""

    def __init__(self, file: str, scenario: Scenario) -> None:
        self.file, self.sc = file, scenario
        self.problems: list[Problem] = []
        self.header: list[str] = []
        self.places = [p.id for p in scenario.places]
        self.actors = scenario.ids("belligerent")
        self.corridors = [c.id for c in scenario.corridors]

    def problem(self, line: int, col: str, where: str, msg: str, fix: str,
                severity: Severity = "error") -> None:
        column = self.header.index(col) + 1 if col in self.header else None
        loc = f"{where}: column '{col}'" if col else where
        self.problems.append(Problem(self.file, loc, msg, fix, severity, line=line,
                                     column=column))

    def parse(self, text: str) -> list[Entry]:
        rows = list(_lines(text))
        if not rows:
            self.problem(1, "", "header", "the record is empty (no header, no rows)",
                         f"write a header line: {','.join(COLUMNS)}")
            return []
        line, self.header = rows[0]
        if not self._header_ok(line):
            return []
        out: list[Entry] = []
        seen: dict[str, int] = {}
        for line, fields in rows[1:]:
            entry = self._row(line, fields)
            if entry is None:
                continue
            if entry.id in seen:
                self.problem(line, "id", entry.id, f"id '{entry.id}' is used twice (first on "
                             f"line {seen[entry.id]})", "give each row its own id")
            seen.setdefault(entry.id, line)
            out.append(entry)
        return out

    def _header_ok(self, line: int) -> bool:
        unknown = [c for c in self.header if c not in COLUMNS]
        missing = [c for c in REQUIRED if c not in self.header]
        for c in unknown:
            self.problem(line, "", "header", f"unknown column '{c}'",
                         f"rename or remove it; {_near(c, list(COLUMNS))}")
        if missing:
            self.problem(line, "", "header", f"missing column(s): {', '.join(missing)}",
                         f"the header must name at least {', '.join(REQUIRED)}")
        return not missing

    def _row(self, line: int, fields: list[str]) -> Entry | None:
        if len(fields) != len(self.header):
            self.problem(line, "", "row", f"{len(fields)} fields, the header has "
                         f"{len(self.header)}", "quote text that contains commas "
                         "(\"like, this\") and give every column, empty if unknown")
            return None
        f = dict(zip(self.header, fields, strict=True))
        rid = f["id"] or f"line {line}"
        if not f["id"]:
            self.problem(line, "id", rid, "empty id", "give the row a short unique id")
        kind = self._kind(line, rid, f["kind"])
        dates = self._dates(line, rid, f["date"])
        if kind is None or dates is None:
            return None
        return self._entry(line, rid, kind, dates, f)

    def _kind(self, line: int, rid: str, kind: str) -> str | None:
        known = [*EVENT_KINDS, *FIGURE_KINDS]
        if kind not in known:
            self.problem(line, "kind", rid, f"unknown kind '{kind}'", _near(kind, known))
            return None
        if EVENT_KINDS.get(kind, Kind("", "")).table == "sessions" and self.sc.talks is None:
            self.problem(line, "kind", rid, f"'{kind}' needs talks, and this scenario has "
                         "none", "remove the row or use a scenario with [talks]")
            return None
        return kind

    def _dates(self, line: int, rid: str, text: str) -> tuple[dt.date, dt.date] | None:
        try:
            parts = [dt.date.fromisoformat(x.strip()) for x in text.split("/")]
        except ValueError:
            parts = []
        if len(parts) not in (1, 2):
            self.problem(line, "date", rid, f"'{text}' is not a date",
                         "write YYYY-MM-DD, or a range YYYY-MM-DD/YYYY-MM-DD")
            return None
        first, last = parts[0], parts[-1]
        start = self.sc.meta.start
        if last < first:
            self.problem(line, "date", rid, f"the range {text} ends before it begins",
                         "write the earlier date first")
            return None
        if first < start:
            self.problem(line, "date", rid, f"{first} is before the scenario's start "
                         f"({start})", "remove the row: the model cannot produce it")
            return None
        return first, last

    def _ids(self, line: int, rid: str, col: str, text: str, known: list[str]) -> tuple[str, ...]:
        ids = tuple(x.strip() for x in text.split(";") if x.strip())
        for x in ids:
            if x not in known:
                self.problem(line, col, rid, f"unknown {col} '{x}' for scenario "
                             f"{self.sc.meta.name}", f"use a {col} id of the scenario; "
                             + _near(x, known))
        return ids

    def _number(self, line: int, rid: str, col: str, text: str) -> float:
        try:
            v = float(text.replace("_", ""))
        except ValueError:
            self.problem(line, col, rid, f"'{text}' is not a number",
                         "write a plain number, e.g. 20000")
            return float("nan")
        if not v >= 0:
            self.problem(line, col, rid, f"{text} is negative", "figures are counts (>= 0)")
        return v

    def _entry(self, line: int, rid: str, kind: str, dates: tuple[dt.date, dt.date],
               f: dict[str, str]) -> Entry:
        get = f.get
        places = self._ids(line, rid, "place", get("place", ""), self.places)
        actors = self._ids(line, rid, "actor", get("actor", ""), self.actors)
        corridors = self._ids(line, rid, "corridor", get("corridor", ""), self.corridors)
        happened = self._happened(line, rid, get("happened", ""))
        spec = EVENT_KINDS.get(kind) or FIGURE_KINDS[kind]
        given = {"place": places, "actor": actors, "corridor": corridors}
        for need in spec.needs:
            if not given[need]:
                self.problem(line, need, rid, f"'{kind}' needs a {need}",
                             f"name the {need} (an id of the scenario)")
        if len(corridors) > 1:
            self.problem(line, "corridor", rid, "one corridor per row", "split the row")
        low, high = self._range(line, rid, kind, get("low", ""), get("high", ""), happened)
        if not get("source", ""):
            self.problem(line, "source", rid, "no source", "give the URL the date or "
                         "figure comes from", severity="warning")
        return Entry(id=rid, first=dates[0], last=dates[1], kind=kind, places=places,
                     actors=actors, corridor=corridors[0] if corridors else "",
                     happened=happened, low=low, high=high, source=get("source", ""),
                     note=get("note", ""), line=line)

    def _happened(self, line: int, rid: str, text: str) -> bool:
        if text.lower() in ("", "yes", "true"):
            return True
        if text.lower() in ("no", "false"):
            return False
        self.problem(line, "happened", rid, f"'{text}' is not yes or no",
                     "write yes (or leave empty) or no")
        return True

    def _range(self, line: int, rid: str, kind: str, lo: str, hi: str,
               happened: bool) -> tuple[float, float]:
        nan = float("nan")
        if kind in EVENT_KINDS:
            if lo or hi:
                self.problem(line, "low" if lo else "high", rid, f"'{kind}' is an event: it "
                             "has a date, not a figure", "leave low and high empty")
            return nan, nan
        if not happened:
            self.problem(line, "happened", rid, "figures always 'happen'",
                         "leave happened empty for a figure")
        if not lo or not hi:
            self.problem(line, "low" if not lo else "high", rid, f"'{kind}' is a figure: "
                         "it needs the recorded range", "give low and high (equal for a "
                         "single figure)")
            return nan, nan
        low, high = self._number(line, rid, "low", lo), self._number(line, rid, "high", hi)
        if low > high:
            self.problem(line, "high", rid, f"high ({hi}) is below low ({lo})",
                         "swap them")
        return low, high
