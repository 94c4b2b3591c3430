"""The record file: the shipped aleppo-2016 record, and clear errors for a wrong one.

A user replaces the record with their own; every mistake must come back at once with the
file, the line, the column and a fix, before anything is simulated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from ripeness.backtest import read_record
from ripeness.backtest.record import Entry, Record, default_record_path
from ripeness.backtest.score import Observed, score_table
from ripeness.errors import ScenarioError
from ripeness.scenario import read

from .conftest import TOY

HEADER = "id,date,kind,place,actor,corridor,happened,low,high,source,note\n"


def write(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    p = tmp_path / "record.csv"
    p.write_text("# methods: test record\n" + header + rows)
    return p


def problems(path: Path, scenario: str | Path = TOY) -> list[str]:
    with pytest.raises(ScenarioError) as e:
        read_record(path, read(scenario))
    return [p.format() for p in e.value.problems]


def shipped_record(name: str, at_least: int) -> Record:
    """A built-in scenario's record: it validates without warnings, has ``at_least`` rows,
    each names an http(s) source, and it starts on the scenario's start date."""
    loaded = read(name)
    rec = read_record(default_record_path(loaded), loaded)
    assert len(rec) >= at_least and not rec.warnings
    assert all(e.source.startswith("http") for e in rec.entries)
    assert rec.entries[0].first == dt.date(2016, 2, 1)
    return rec


def test_shipped_record_is_valid_and_sourced() -> None:
    """Every row of the aleppo-2016 record validates and names an http(s) source."""
    rec = shipped_record("aleppo-2016", 20)
    kinds = {e.kind for e in rec.entries}
    assert {"captured", "siege relieved", "corridor cut", "talks suspended", "talks resumed",
            "ceasefire", "hosted", "displaced", "civilians killed", "military dead"} <= kinds


def test_syria_record_is_valid_sourced_and_fits_one_year() -> None:
    """The syria-2016 record: the same checks, a year long, with fronts that did not move."""
    rec = shipped_record("syria-2016", 40)
    assert rec.last_day() < 365  # `ripeness backtest syria-2016 --days 365` must accept it
    kinds = {e.kind for e in rec.entries}
    assert {"captured", "siege relieved", "siege begun", "corridor cut", "corridor reopened",
            "talks suspended", "talks resumed", "ceasefire", "settlement", "hosted",
            "displaced", "besieged", "civilians killed"} <= kinds
    assert sum(not e.happened for e in rec.entries) >= 10


def test_unknown_place_names_file_line_column_and_fix(tmp_path: Path) -> None:
    p = write(tmp_path, "a,2016-02-01,captured,villag,gov,,,,,http://x,\n")
    (msg,) = problems(p)
    assert msg.startswith(f"{p}:3:4 [a: column 'place']")
    assert "unknown place 'villag'" in msg and "did you mean 'village'" in msg


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = ("a,2016-02-31,captured,village,gov,,,,,http://x,\n"
            "b,2016-02-01,conquered,village,gov,,,,,http://x,\n"
            "c,2016-02-01,corridor cut,,,nowhere,,,,http://x,\n"
            "d,2016-02-01,hosted,border,,,,,,http://x,\n"
            "e,2016-02-01,hosted,border,,,,9,3,http://x,\n"
            "e,2016-01-01,captured,village,gov,,,,,http://x,\n"
            "f,2016-02-01,talks suspended,,,,,,,http://x,\n"
            "g,2016-02-01,captured,village,rebs,,,,,http://x,\n")
    msgs = "\n".join(problems(write(tmp_path, rows)))
    for text in ("'2016-02-31' is not a date", "unknown kind 'conquered'",
                 "unknown corridor 'nowhere'", "'hosted' is a figure: it needs the recorded "
                 "range", "high (3) is below low (9)", "before the scenario's start",
                 "needs talks", "unknown actor 'rebs'"):
        assert text in msgs


def test_header_problems(tmp_path: Path) -> None:
    msgs = "\n".join(problems(write(tmp_path, "", header="id,kind,plaice\n")))
    assert "missing column(s): date" in msgs
    assert "unknown column 'plaice'" in msgs and "did you mean 'place'" in msgs


def test_ragged_row_and_duplicate_id(tmp_path: Path) -> None:
    rows = ("a,2016-02-01,captured,village,gov\n"
            "b,2016-02-01,captured,village,gov,,,,,http://x,\n"
            "b,2016-02-02,captured,border,gov,,,,,http://x,\n")
    msgs = "\n".join(problems(write(tmp_path, rows)))
    assert "record.csv:3 [row]: error: 5 fields, the header has 11" in msgs
    assert "id 'b' is used twice (first on line 4)" in msgs


def test_minimal_columns_and_missing_source_warns(tmp_path: Path) -> None:
    p = write(tmp_path, "a,2016-02-01/2016-02-03,captured,village\n",
              header="id,date,kind,place\n")
    rec = read_record(p, read(TOY))
    (e,) = rec.entries
    assert (e.first, e.last, e.places, e.happened) == (
        dt.date(2016, 2, 1), dt.date(2016, 2, 3), ("village",), True)
    assert [w.severity for w in rec.warnings] == ["warning"]


def test_split_at_cutoff_keeps_straddling_ranges_after(tmp_path: Path) -> None:
    rows = ("a,2016-02-01,captured,village,gov,,,,,http://x,\n"
            "b,2016-02-02/2016-02-04,captured,border,gov,,,,,http://x,\n")
    rec = read_record(write(tmp_path, rows), read(TOY))
    before, after = rec.split(dt.date(2016, 2, 3))
    assert before.ids == ("a",) and after.ids == ("b",)


def test_known_at_cutoff_adds_what_later_entries_had_not_yet_seen(tmp_path: Path) -> None:
    """Standing on 3 Feb: a capture recorded on 5 Feb had not happened (1-3 Feb); one
    recorded over 2-6 Feb had not before 2 Feb; a month-long 'held' had held to 3 Feb; an
    event whose first occurrence is recorded before the cut-off, a figure and an entry that
    starts on day 0 give nothing."""
    rows = ("a,2016-02-01,captured,village,gov,,,,,http://x,\n"
            "b,2016-02-05,captured,border,gov,,,,,http://b,\n"
            "c,2016-02-02/2016-02-06,siege relieved,enclave,,,,,,http://c,\n"
            "d,2016-02-01/2016-02-28,captured,border,,,no,,,http://d,\n"
            "e,2016-02-08,captured,village,gov,,,,,http://e,\n"
            "f,2016-02-09,displaced,,,,,10,20,http://f,\n"
            "g,2016-02-01/2016-02-02,captured,village,,,no,,,http://g,\n"
            "h,2016-02-01/2016-02-04,captured,capital,gov,,,,,http://h,\n")
    rec = read_record(write(tmp_path, rows), read(TOY))
    cut = dt.date(2016, 2, 3)
    known = rec.known_at(cut)
    assert known.ids == ("a", "g", "b@cutoff", "c@cutoff", "d@cutoff")
    got = {e.id: (e.first.day, e.last.day, e.happened, e.kind, e.places, e.actors, e.corridor,
                  e.source) for e in known.entries[2:]}
    assert got == {
        "b@cutoff": (1, 3, False, "captured", ("border",), ("gov",), "", "http://b"),
        "c@cutoff": (1, 1, False, "siege relieved", ("enclave",), (), "", "http://c"),
        "d@cutoff": (1, 3, False, "captured", ("border",), (), "", "http://d")}
    assert "derived from 'b' (2016-02-05)" in known.entries[2].note
    assert not [e for e in rec.known_at(cut).entries if e.is_figure]
    # on the record's last day nothing is left to derive: the split's before set
    assert rec.known_at(dt.date(2016, 2, 28)).ids == rec.split(dt.date(2016, 2, 28))[0].ids


def test_shuffles_move_dates_but_keep_entries() -> None:
    loaded = read("aleppo-2016")
    rec = read_record(default_record_path(loaded), loaded)
    for other in (rec.shifted(1), rec.permuted(1)):
        assert other.ids == rec.ids
        d, o = rec.days(), other.days()
        assert (o[:, 1] - o[:, 0] == d[:, 1] - d[:, 0]).all() and (o >= 0).all()
        assert (o != d).any()
    assert rec.permuted(3).days().tolist() == rec.permuted(3).days().tolist()


@pytest.mark.parametrize("name", ["aleppo-2016", "syria-2016"])
def test_what_is_known_at_a_cutoff_never_contradicts_the_record(name: str) -> None:
    """A run that does exactly what the record says (each event on its first recorded day)
    scores 1 on every entry derived at any cut-off: the derivation only ever states what the
    record implies. Checked at every 10th day of the shipped records."""
    loaded = read(name)
    rec = read_record(default_record_path(loaded), loaded)
    first = {(e.kind, e.places, e.actors, e.corridor): rec.day(e.first)
             for e in reversed(rec.entries) if e.happened and not e.is_figure}

    def seen(e: Entry) -> float:
        # as score.observe: the run's first such event; for 'did not happen', only one
        # within the entry's dates
        d = float(first.get((e.kind, e.places, e.actors, e.corridor), np.nan))
        return d if e.happened or rec.day(e.first) <= d <= rec.day(e.last) else np.nan

    for day in range(0, rec.last_day(), 10):
        cut = rec.start + dt.timedelta(days=day)
        derived = [e for e in rec.known_at(cut).entries if e.id.endswith("@cutoff")]
        both = Record(entries=rec.entries + tuple(derived), file=rec.file, start=rec.start)
        days = [[np.nan if e.is_figure else seen(e)] for e in both.entries]
        nan = np.full((len(both), 1), np.nan)
        obs = Observed(ids=both.ids, day=np.array(days, dtype=float), lo=nan, hi=nan,
                       window=rec.last_day() + 31, runs=np.array([0]))
        table = score_table(both, obs).set_index("id")
        assert (table.loc[[e.id for e in derived], "score"] == 1.0).all(), cut
        assert all(e.last <= cut for e in derived)
