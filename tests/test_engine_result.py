"""The result type: arrays, event log, manifest, saving atomically, the digest."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

import ripeness
from ripeness.simulate import Result, simulate

from .conftest import TOY


@pytest.fixture(scope="module")
def result() -> Result:
    return simulate(TOY, runs=3, seed=2, days=12)


def test_arrays_have_named_dimensions(result: Result) -> None:
    d = result.daily
    assert d["control"].dims == ("run", "day", "place")
    assert d["force"].dims == ("run", "day", "place", "actor")
    assert d.sizes["day"] == 12 and list(d["run"].values) == [0, 1, 2]
    assert str(d["date"].values[0])[:10] == "2016-02-01"


def test_manifest_says_what_was_run(result: Result) -> None:
    m = result.manifest
    assert m["seed"] == 2 and m["runs"] == 3 and m["days"] == 12 and m["first_run"] == 0
    assert m["version"] == ripeness.__version__ and len(m["scenario_hash"]) == 16
    assert m["parameters"]["fire_rate"]["gov"] == pytest.approx(0.012)


def test_event_log_columns(result: Result) -> None:
    ev = result.events
    assert list(ev.columns) == ["run", "day", "date", "kind", "place", "actor", "detail"]
    assert set(ev["kind"]) <= {"captured", "siege begun", "siege relieved", "corridor cut",
                               "corridor reopened"}


def test_save_round_trips_and_refuses_to_overwrite(result: Result, tmp_path: Path) -> None:
    out = tmp_path / "res"
    result.save(out)
    assert sorted(p.name for p in out.iterdir()) == ["daily.nc", "events.parquet",
                                                     "manifest.json", "runs.parquet",
                                                     "sessions.parquet"]
    back = Result.load(out)
    for name in result.daily.data_vars:
        a, b = back.daily[name].values, result.daily[name].values
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert back.sessions.equals(result.sessions)
    assert back.manifest == result.manifest
    assert len(back.events) == len(result.events)
    with pytest.raises(FileExistsError, match="overwrite"):
        result.save(out)
    result.save(out, overwrite=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_digest_every_day_tells_each_day(result: Result) -> None:
    lines = result.digest(run=1, every_day=True)
    dates = [str(d)[:10] for d in result.daily["date"].values]
    assert len(lines) == 12
    assert all(line.startswith(f"{dates[i]} (day {i}): ") for i, line in enumerate(lines))
    assert any("took" in line for line in lines)
    assert all("civilians killed" in line for line in lines)


# The digest's two kinds of line: one day, or a stretch of days without news.
DAY = re.compile(r"^(\d{4}-\d\d-\d\d) \(day (\d+)\): ")
FOLD = re.compile(r"^(\d{4}-\d\d-\d\d) \.\. (\d{4}-\d\d-\d\d) \(days (\d+)-(\d+)\): "
                  r"(\d+) days without news; ")


@pytest.fixture(scope="module")
def aleppo() -> Result:
    """A short run with talks, air support and quiet stretches."""
    return simulate("aleppo-2016", runs=2, seed=0, days=40)


def _spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) day of each digest line."""
    out = []
    for line in lines:
        if m := FOLD.match(line):
            first, last = int(m[3]), int(m[4])
            assert int(m[5]) == last - first + 1 and last > first, line
        else:
            m = DAY.match(line)
            assert m is not None, line
            first = last = int(m[2])
        out.append((first, last))
    return out


def _news_days(res: Result, run: int) -> set[int]:
    """Days with an event or a talks event, from the tables (not from the digest)."""
    ev = res.events[res.events["run"] == run]
    days = {int(d) for d in ev["day"]}
    if "held" in res.sessions.columns:
        s = res.sessions[res.sessions["run"] == run]
        kinds = ["held", "suspended", "resumed", "deferred", "ceasefire_agreed",
                 "ceasefire_broke", "settled"]
        days |= {int(d) for d in s.loc[s[kinds].any(axis=1), "day"]}
    return days


def test_digest_covers_every_day_once_and_folds_only_quiet_days(aleppo: Result) -> None:
    folds = 0
    for run in (0, 1):
        lines = aleppo.digest(run=run)
        spans = _spans(lines)
        covered = [d for first, last in spans for d in range(first, last + 1)]
        assert covered == list(range(aleppo.daily.sizes["day"]))
        dates = [str(d)[:10] for d in aleppo.daily["date"].values]
        for line, (first, last) in zip(lines, spans, strict=True):
            assert line.startswith(dates[first])
            if last > first:
                assert f".. {dates[last]} " in line
        news = _news_days(aleppo, run)
        folded = [(a, b) for a, b in spans if b > a]
        folds += len(folded)
        for first, last in folded:
            assert not news & set(range(first, last + 1)), (first, last)
        assert news <= {a for a, b in spans if a == b}
        quiet = [not news & set(range(a, b + 1)) for a, b in spans]
        assert not any(a and b for a, b in itertools.pairwise(quiet))  # a quiet stretch: one line
    assert folds  # something was folded


def _toll(line: str) -> tuple[dict[str, float], float]:
    lost = re.search(r"fighters lost: (.*?); civilians killed: ([\d,]+)$", line)
    assert lost is not None, line
    by = {} if lost[1] == "none" else {
        a: float(x.replace(",", "")) for a, x in (p.rsplit(" ", 1) for p in lost[1].split(", "))}
    return by, float(lost[2].replace(",", ""))


def test_digest_tolls_equal_the_sums_of_daily_arrays(aleppo: Result) -> None:
    folded_with_losses = 0
    for run in (0, 1):
        ds = aleppo.daily.sel(run=run)
        actors = [str(a) for a in ds["actor"].values]
        mil = ds["mil_dead"].values.astype(np.float64)  # cumulative, [day, actor]
        civ = ds["killed"].values.astype(np.float64).sum(axis=1)  # cumulative, all places
        daily_mil = np.diff(mil, axis=0, prepend=0.0)
        daily_civ = np.diff(civ, prepend=0.0)
        lines = aleppo.digest(run=run)
        for line, (first, last) in zip(lines, _spans(lines), strict=True):
            by, killed = _toll(line)
            want = daily_mil[first:last + 1].sum(axis=0)
            for a, x in zip(actors, want, strict=True):
                assert by.get(a, 0.0) == pytest.approx(x, abs=0.51), (line, a)
            assert killed == pytest.approx(daily_civ[first:last + 1].sum(), abs=0.51), line
            folded_with_losses += last > first and sum(by.values()) > 0
    assert folded_with_losses  # the folded totals were really checked


def _block(lines: list[str], head: str) -> list[str]:
    """The indented rows under the summary line starting with ``head``."""
    i = next(k for k, line in enumerate(lines) if line.startswith(head))
    rows = []
    for line in lines[i + 1:]:
        if not line.startswith("  "):
            break
        rows.append(line)
    return rows


def _rows_matching(lines: list[str], head: str, pattern: str) -> list[re.Match[str]]:
    """Every row of the block under ``head``, each matched against ``pattern`` (all must)."""
    out = []
    for row in _block(lines, head):
        m = re.match(pattern, row)
        assert m is not None, row
        out.append(m)
    return out


@pytest.mark.parametrize(("which", "run"), [("toy", 1), ("aleppo", 0), ("aleppo", 1)])
def test_summary_places_held_add_up(result: Result, aleppo: Result, which: str,
                                    run: int) -> None:
    res = result if which == "toy" else aleppo
    ds = res.daily.sel(run=run)
    actors = [str(a) for a in ds["actor"].values]
    n = ds.sizes["place"]
    start = np.bincount(ds["control_start"].values, minlength=len(actors))
    end = np.bincount(ds["control"].values[-1], minlength=len(actors))
    summary = res.summary(run=run)
    held = summary.holders  # structured: one row per actor
    assert int(held["places_start"].sum()) == n and int(held["places_end"].sum()) == n
    for k, a in enumerate(actors):
        row = held.loc[a] if a in held.index else None
        assert (0, 0) if row is None else (row["places_start"], row["places_end"]) == (
            start[k], end[k]), a
    lines = summary.lines()  # the text says the same
    got = {m[1]: (int(m[2]), int(m[3])) for m in _rows_matching(
        lines, "Places held", r"^  (\S+)(?: \(not fighting\))?\s+(\d+) ->\s+(\d+)\s+(<?\d+)%$")}
    assert got == {a: (int(r.places_start), int(r.places_end)) for a, r in held.iterrows()}
    moved = int((ds["control_start"].values != ds["control"].values[-1]).sum())
    assert len(summary.changes) == moved
    changed = _block(lines, "Changed hands") if moved else []
    assert sum(len(r.split(": ", 1)[1].split(", ")) for r in changed) == moved
    assert lines[0].startswith(f"Outcome after {ds.sizes['day']} days")
    assert str(summary) == "\n".join(lines)


def test_summary_sorties_equal_the_strike_tally(aleppo: Result) -> None:
    for run in (0, 1):
        tally = aleppo.daily["sorties_on"].sel(run=run)
        summary = aleppo.summary(run=run)
        got = {m[1]: float(m[2].replace(",", "")) for m in _rows_matching(
            summary.lines(), "Air strikes", r"^  (\S+): ([\d,]+) sorties?, on places held by ")}
        want = tally.sum("actor").to_series()
        assert set(got) == {str(s) for s, x in want.items() if x >= 0.5}
        assert sum(got.values()) == pytest.approx(float(tally.sum()), abs=0.5 * len(got) + 0.01)
        assert summary.air is not None
        for s, x in got.items():
            assert x == pytest.approx(float(want[s]), abs=0.51)
            assert summary.air.loc[s, "sorties"] == pytest.approx(float(want[s]))


def test_summary_talks_and_totals_match_the_tables(aleppo: Result, result: Result) -> None:
    for run in (0, 1):
        s = aleppo.sessions[aleppo.sessions["run"] == run]
        summary = aleppo.summary(run=run)
        assert summary.talks is not None
        assert summary.talks["sessions"] == int(s["held"].sum())
        assert summary.talks["suspensions"] == int(s["suspended"].sum())
        talks = next(x for x in summary.lines() if x.startswith("Talks:"))
        n, k = int(s["held"].sum()), int(s["suspended"].sum())
        assert talks.startswith(f"Talks: {n} session{'s' if n != 1 else ''} held, suspended "
                                f"{k} time{'s' if k != 1 else ''}")
        assert int(s["held"].sum()) == int(aleppo.daily["sessions"].sel(run=run))
    toy = result.summary(run=0)
    assert toy.talks is None and toy.air is None and not toy.aims_met
    lines = toy.lines()
    assert not any(x.startswith(("Talks", "Air strikes", "Backers")) for x in lines)
    killed = float(result.daily["killed"].sel(run=0).values[-1].sum())
    assert toy.civilians_killed == pytest.approx(killed)
    assert f"Civilians killed: {killed:,.0f};" in lines[-1]


def test_words_are_plural_only_when_more_than_one() -> None:
    from ripeness.report.digest import plural

    assert plural(1, "time") == "1 time" and plural(3, "time") == "3 times"
    assert plural(0, "session") == "0 sessions" and plural(1200.0, "sortie") == "1,200 sorties"


def test_talks_news_are_told_in_the_order_they_happen(aleppo: Result) -> None:
    """On a day the suspended talks resume and fail again, the digest says they resumed
    before it says they were suspended again; a pause put off says until when. The days
    of a 40-day run of aleppo-2016 where the talks were put off are told so."""
    from types import SimpleNamespace

    from ripeness.report.digest import talks_news

    day = dict(resumed=True, deferred=False, settled=False, held=True, hearing=False,
               range_exists=False, cause="optimism", suspended=True, resume_day=30,
               escalation=False, ceasefire_agreed=False, ceasefire_broke=False)
    news = talks_news(SimpleNamespace(**day))
    assert news[0] == "talks resumed" and news[-1] == "TALKS SUSPENDED until day 30"
    put_off = talks_news(SimpleNamespace(**{**day, "resumed": False, "deferred": True,
                                           "held": False, "suspended": False}))
    assert put_off == ["talks put off until day 30 (no range in sight)"]
    s = aleppo.sessions
    off = s[s["deferred"].astype(bool)]
    assert len(off), "expected a pause put off in 40 days (no range after the offensive)"
    row = off.iloc[0]
    line = next(x for x in aleppo.digest(run=int(row["run"]))
                if x.startswith(str(row["date"])[:10] + " (day "))
    assert f"talks put off until day {int(row['resume_day'])}" in line
