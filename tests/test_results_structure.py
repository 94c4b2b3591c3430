"""Results follow the CF and xarray conventions: every variable says what it is and in which
unit, codes decode to names, places carry their coordinates, missing is NaN or <NA>, and a
batch and an ensemble of the same runs have the same per-run table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import ripeness
from ripeness.coupling import OUTCOMES
from ripeness.ensemble import EnsembleResult, run_ensemble
from ripeness.simulate import Result
from ripeness.talks.state import PHASES


@pytest.fixture(scope="module")
def batch() -> Result:
    return ripeness.simulate("aleppo-2016", runs=4, seed=1, days=10)


@pytest.fixture(scope="module")
def ensemble() -> EnsembleResult:
    return run_ensemble("aleppo-2016", runs=12, days=6, chunk=5, workers=1, progress=False)


def _decode(var: xr.DataArray) -> dict[int, str]:
    """code -> meaning, from the CF flag attributes alone."""
    values = [int(v) for v in np.atleast_1d(var.attrs["flag_values"])]
    return dict(zip(values, var.attrs["flag_meanings"].split(), strict=True))


def _described(ds: xr.Dataset) -> None:
    for name, var in ds.variables.items():
        assert var.attrs.get("long_name"), f"{name} has no long_name"
        if name in ds.data_vars and var.dtype.kind in "fiu" and "flag_values" not in var.attrs:
            assert var.attrs.get("units"), f"{name} has no units"


def test_every_variable_has_a_long_name_and_units_or_codes(batch: Result,
                                                           ensemble: EnsembleResult) -> None:
    _described(batch.daily)
    _described(ensemble.daily)
    assert batch.daily["killed"].attrs["units"] == "persons"
    assert batch.daily["lat"].attrs["units"] == "degrees_north"


def test_codes_decode_to_names(batch: Result) -> None:
    d = batch.daily
    actors = [str(a) for a in d["actor"].values]
    assert list(_decode(d["control"]).values()) == actors
    assert _decode(d["outcome"]) == {i: o.replace(" ", "_") for i, o in enumerate(OUTCOMES)}
    assert _decode(d["talks_phase"])[PHASES.index("suspended")] == "suspended"
    held = d["control"].values[0, -1]  # run 0, last day, codes
    names = [_decode(d["control"])[int(c)] for c in held]
    assert names.count("government") == int((held == actors.index("government")).sum())


def test_codes_survive_a_netcdf_round_trip(batch: Result, tmp_path: Path) -> None:
    batch.save(tmp_path / "r")
    back = Result.load(tmp_path / "r")
    assert _decode(back.daily["control"]) == _decode(batch.daily["control"])
    assert back.daily["outcome_day"].attrs["units"] == "day"
    days = back.daily["ceasefire_days"]
    assert days.dtype == batch.daily["ceasefire_days"].dtype  # a count, not a timedelta
    pd.testing.assert_frame_equal(back.runs, batch.runs)


def test_places_carry_latitude_and_longitude(batch: Result, ensemble: EnsembleResult) -> None:
    sc = ripeness.load("aleppo-2016")
    nubl = next(p for p in sc.places if p.id == "nubl")
    for ds in (batch.daily, ensemble.daily):
        assert ds["lat"].dims == ("place",) and ds["lon"].dims == ("place",)
        assert float(ds["lat"].sel(place="nubl")) == nubl.lat.value
        assert float(ds["lon"].sel(place="nubl")) == nubl.lon.value
        assert ds["place_name"].sel(place="nubl").item() == nubl.name
        assert ds["actor_colour"].sel(actor="isis").item().startswith("#")


def test_missing_is_nan_not_minus_one(batch: Result) -> None:
    d = batch.daily
    for name in ("outcome_day", "settled_day", "first_suspension_day", "last_capture_day"):
        assert d[name].dtype.kind == "f" and not (d[name].values < 0).any(), name
    att = d["attacker"].values
    assert np.isnan(att).any() and not (att < 0).any()
    runs = batch.runs
    assert str(runs["settled_day"].dtype) == "Int64" and runs["settled_day"].isna().any()
    assert isinstance(runs["outcome"].dtype, pd.CategoricalDtype)
    assert list(runs["outcome"].cat.categories) == list(OUTCOMES)
    assert not (batch.sessions["resume_day"].dropna() < 0).any()


def test_share_is_kept_for_belligerents_only(batch: Result) -> None:
    share = batch.daily["share"]
    assert share.dims == ("run", "day", "belligerent")
    sc = ripeness.load("aleppo-2016")
    assert list(share["belligerent"].values) == [a.id for a in sc.actors
                                                 if a.kind == "belligerent"]
    np.testing.assert_allclose(share.sum("belligerent"), 1.0, rtol=1e-5)
    assert not any(c.startswith("share_") and batch.runs[c].eq(0).all() for c in batch.runs)


def test_ensemble_outcome_curves_end_at_the_outcome_shares(ensemble: EnsembleResult) -> None:
    reached = ensemble.daily["outcome_reached"]
    assert reached.dims == ("day", "outcome")
    np.testing.assert_allclose(reached.sum("outcome"), 1.0)
    last = reached.isel(day=-1).to_series()
    share = ensemble.runs["outcome"].astype(str).value_counts(normalize=True)
    for o in OUTCOMES[1:]:
        assert last[o] == pytest.approx(share.get(o, 0.0))
    assert (np.diff(reached.values[:, 1:], axis=0) >= 0).all()  # reached stays reached


def test_an_actor_keeps_its_colour_across_scenarios() -> None:
    aleppo = ripeness.simulate("aleppo-2016", days=1).daily["actor_colour"].to_series()
    syria = ripeness.simulate("syria-2016", days=1).daily["actor_colour"].to_series()
    shared = set(aleppo.index) & set(syria.index)
    assert {"government", "opposition", "isis", "sdf"} <= shared
    assert all(aleppo[a] == syria[a] for a in shared)
    assert syria.is_unique  # Jordan and Israel no longer share a grey


def test_a_colour_declared_in_the_scenario_wins(tmp_path: Path) -> None:
    from .conftest import TOY

    text = TOY.read_text().replace('id = "reb"\n', 'id = "reb"\ncolour = "#123456"\n', 1)
    path = tmp_path / "toy.toml"
    path.write_text(text)
    colours = ripeness.simulate(path, days=1).daily["actor_colour"].to_series()
    assert colours["reb"] == "#123456" and colours["gov"] != "#123456"
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("#123456", "blue"))
    with pytest.raises(ripeness.ScenarioError, match="colour"):
        ripeness.load(bad)
