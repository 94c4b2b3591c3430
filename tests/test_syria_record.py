"""The shipped syria-2016 record validates against its scenario and names its sources."""

from __future__ import annotations

import datetime as dt

from ripeness.backtest import read_record
from ripeness.backtest.record import default_record_path
from ripeness.scenario import read


def test_syria_record_is_valid_sourced_and_fits_one_year() -> None:
    loaded = read("syria-2016")
    rec = read_record(default_record_path(loaded), loaded)
    assert len(rec) >= 40 and not rec.warnings
    assert all(e.source.startswith("http") for e in rec.entries)
    assert rec.entries[0].first == dt.date(2016, 2, 1)
    assert rec.last_day() < 365  # `ripeness backtest syria-2016 --days 365` must accept it
    kinds = {e.kind for e in rec.entries}
    assert {"captured", "siege relieved", "siege begun", "corridor cut", "corridor reopened",
            "talks suspended", "talks resumed", "ceasefire", "settlement", "hosted",
            "displaced", "besieged", "civilians killed"} <= kinds
    assert sum(not e.happened for e in rec.entries) >= 10
