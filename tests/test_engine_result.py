"""The result type: arrays, event log, manifest, saving atomically, the digest."""

from __future__ import annotations

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
                                                     "manifest.json", "sessions.parquet"]
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


def test_digest_tells_each_day(result: Result) -> None:
    lines = result.digest(run=1)
    assert len(lines) == 12 and lines[0].startswith("2016-02-01 (day 0)")
    assert any("took" in line for line in lines)
    assert all("civilians killed" in line for line in lines)
