"""Negotiated departure (``evacuation``): a garrison that falls cut off from supply, with no
own neighbour left, leaves for its side's nearest supplied place instead of surrendering."""

from __future__ import annotations

import numpy as np
import pytest

from ripeness.simulate import simulate
from ripeness.world import movement
from ripeness.world.compile import compile_scenario

from .engine_scenarios import actor, build, place

DETERMINISTIC = {"combat_noise": 0.0, "break_spread": 0.0, "break_loss": 0.01}


def _siege(evacuation: float) -> object:
    """gov's source gsrc takes the cut-off rebel village 'pocket' on day 0 (its defenders
    break at their first loss). The rebels' other ground lies three links away over 'n', a
    neutral's place: ra and rnear (both supplied from rb), rb four links away. Only gov
    attacks (reb and neu have no enemies)."""
    return build(
        [place("gsrc", "gov", {"gov": 5000}),
         place("pocket", "reb", {"reb": 200}),
         place("n", "neu", {"neu": 10}),
         place("rnear", "reb", {"reb": 100}),
         place("ra", "reb", {"reb": 100}),
         place("rb", "reb", {"reb": 100})],
        [("gsrc", "pocket"), ("gsrc", "n"), ("n", "rnear"), ("n", "ra"), ("rnear", "rb"),
         ("ra", "rb")],
        [("gsrc", ["gov"]), ("rb", ["reb"])],
        actors=[actor("gov", enemies={"reb": 1.0}), actor("reb"), actor("neu")],
        parameters={**DETERMINISTIC, "evacuation": evacuation, "assumption": "test"},
    )


def test_a_fallen_pocket_leaves_for_the_nearest_supplied_place() -> None:
    """The survivors go to the nearer of ra and rnear (a tie at three links: the lower place
    index), counted as evacuated, not as out of action: on the day the pocket falls the
    rebels have exactly that many more fighters, and that many fewer out of action, than in
    the same run with evacuation 0, where the survivors surrender."""
    kept = simulate(_siege(1.0), runs=1, days=30)
    lost = simulate(_siege(0.0), runs=1, days=30)
    ev = kept.events
    row = ev[ev["kind"] == "evacuated"]
    assert list(row["place"]) == ["pocket"] and list(row["actor"]) == ["reb"]
    day = int(row["day"].iloc[0])
    fell = lost.events[lost.events["kind"] == "captured"]
    assert list(fell["place"]) == ["pocket"] and list(fell["day"]) == [day]
    world = compile_scenario(_siege(1.0))
    to = min(world.place_ids.index("rnear"), world.place_ids.index("ra"))
    assert row["detail"].iloc[0].endswith(f"fighters to {world.place_ids[to]}")
    gone = float(kept.daily["evacuated"].sel(place="pocket").values[0, day])
    assert float(kept.daily["refuge"].sel(place="pocket").values[0, day]) == to
    assert gone > 0.0 and float(kept.daily["evacuated"].values.sum()) == gone
    assert "evacuated" not in set(lost.events["kind"])
    dead = lambda r: float(r.daily["mil_dead"].sel(actor="reb").values[0, day])  # noqa: E731
    reb = lambda r: float(r.daily["force"].sel(actor="reb").values[0, day].sum())  # noqa: E731
    assert dead(lost) - dead(kept) == pytest.approx(gone, rel=1e-5)
    assert reb(kept) - reb(lost) == pytest.approx(gone, rel=1e-5)
    assert "reb's garrison of pocket evacuated under a deal" in " ".join(kept.digest(0))
    assert f"reb {gone:,.0f} fighters from pocket" in str(kept.summary(0))
    assert "Evacuated under deals" not in str(lost.summary(0))


def test_only_a_cut_off_garrison_with_nowhere_to_fall_back_leaves() -> None:
    """On hand-set arrays: fighters left on a lost place go under the deal only where the
    place was cut off this morning, has no own neighbour now, and their side still holds a
    supplied place; each other case is left for rehome (surrender or fall back). A place
    taken today is not a refuge: only ground supplied for reb this morning counts."""
    world = compile_scenario(_siege(1.0))
    ix = {p: i for i, p in enumerate(world.place_ids)}
    gov, reb = world.actor_ids.index("gov"), world.actor_ids.index("reb")
    control = np.tile(world.control0, (5, 1))
    control[:, ix["pocket"]] = gov  # taken today in every run
    force = np.zeros((5, len(ix), len(world.actor_ids)))
    force[:, ix["pocket"], reb] = 50.0  # the survivors, on ground reb no longer holds
    cut = np.full(control.shape, -1)
    cut[[0, 2, 3, 4], ix["pocket"]] = reb  # run 1: the pocket was supplied this morning
    base = np.where(np.tile(world.control0, (5, 1)) == reb, reb, -1)  # this morning's
    base[:, ix["pocket"]] = -1  # the pocket was cut off, not supplied ground
    base[3] = -1  # run 3: reb held no supplied place this morning
    control[2, ix["n"]] = reb  # run 2: reb holds a neighbour of gsrc, not of the pocket
    control[2, ix["gsrc"]] = reb  # ... and now one next to the pocket: it falls back there
    control[4, ix["n"]] = reb  # run 4: reb took 'n' today, nearer, but not its supplied ground
    out, gone, to = movement.evacuate(force, control, cut, base, world, 1.0)
    assert gone[:, ix["pocket"]].tolist() == [50.0, 0.0, 0.0, 0.0, 50.0]
    near = min(ix["rnear"], ix["ra"])
    assert to[[0, 4], ix["pocket"]].tolist() == [near, near] and (to[1:4] == -1).all()
    assert out[0, ix["pocket"], reb] == 0.0 and out[0, near, reb] == 50.0
    assert (out[1:4] == force[1:4]).all()
    half, gone_half, _ = movement.evacuate(force, control, cut, base, world, 0.5)
    assert gone_half[0, ix["pocket"]] == 25.0 and half[0, ix["pocket"], reb] == 25.0
    assert out.sum() == force.sum() and half.sum() == force.sum()
