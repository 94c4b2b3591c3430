"""Acceptance of issue 14, ripeness from the battlefield (not part of the test suite).

Prints every acceptance line of the issue:

1. the toy war of the tests (tests/data/toy_war.toml): sessions with a range while one side
   advances, deals within eight weeks of the stall, and none without the stalemate's costs;
2. aleppo-2016 (default 1,000 runs, 90 days): the causes of failed sessions (and, beside
   them, how often removing each cause alone would have opened the range), deals at the
   first proposal, a government-opposition ceasefire agreed in February or March and after
   Nubl's relief, and how often the Zartman diagnostic calls a failed session ripe;
3. ``ripeness compare`` for no-russian-air, corridor-held and no-assad-condition, with the
   mechanism measures of each variant beside it (the paragraphs are written from these);
4. syria-2016 (default 200 runs, 365 days): shares of frozen partition, settlement, ongoing;
   how often Russia's aim is met.

Run: ``nice python benchmarks/acceptance_ripeness.py [--runs 1000] [--syria-runs 200]
[--compare-runs 1000] [--skip toy,aleppo,compare,syria] [--set PATH=VALUE ...]
[--set-in SCENARIO PATH=VALUE ...]``. Everything is
seeded (seed 0 unless ``--seed``); each part prints its CPU time. ``--set`` (repeatable, as in
``ripeness run``) changes aleppo-2016 and syria-2016 alike, baseline and what-ifs, to measure a
variant of the model (e.g. ``--set parameters.front_cost=0.0005``); the toy war keeps its own
values.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from model_sets import ModelSets  # benchmarks/, the script's folder
from numpy.typing import NDArray

from ripeness import coupling
from ripeness.coupling import OUTCOMES
from ripeness.ensemble import compare, wilson
from ripeness.scenario import Loaded, read, variant
from ripeness.talks import compile_talks
from ripeness.talks.bargaining import TIE
from ripeness.talks.state import CAUSES, COUNTERFACTUAL_CAUSES
from ripeness.world.compile import compile_scenario

ROOT = Path(__file__).resolve().parents[1]
TOY_WAR = ROOT / "tests" / "data" / "toy_war.toml"
FEB_MAR = 60  # days 0-28 are February 2016, 29-59 March
WINDOW = 10  # days per window of the failed sessions' table
WHATIFS = ("no-russian-air", "corridor-held", "no-assad-condition")


@dataclass
class Tally:
    """What one batch of runs showed (arrays over runs unless said)."""

    causes: NDArray[np.int64] = field(default_factory=lambda: np.zeros(len(CAUSES), int))
    failed_ripe: int = 0
    failed: int = 0
    first_deal: list[NDArray[np.bool_]] = field(default_factory=list)
    ceasefire_day: list[NDArray[np.int64]] = field(default_factory=list)
    relief_day: list[NDArray[np.int64]] = field(default_factory=list)
    settled_day: list[NDArray[np.int64]] = field(default_factory=list)
    outcome: list[NDArray[np.int64]] = field(default_factory=list)
    aim_met: list[NDArray[np.bool_]] = field(default_factory=list)
    pressed_days: list[NDArray[np.int64]] = field(default_factory=list)
    # failed sessions that removing each counterfactual cause alone would open, and those
    # that no single removal opens, and those that only the issues' removal opens
    opens: NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(len(COUNTERFACTUAL_CAUSES), int))
    opens_none: int = 0
    opens_issue_only: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    refused_by_rising: int = 0
    # failed sessions by WINDOW-day window: counts by cause, and sums over them of each
    # party's reservation less its share and of its learnt drift (per 90 days)
    window_causes: dict[int, NDArray[np.int64]] = field(default_factory=dict)
    window_gap: dict[int, NDArray[np.float64]] = field(default_factory=dict)
    window_drift: dict[int, NDArray[np.float64]] = field(default_factory=dict)

    def cat(self, name: str) -> NDArray[Any]:
        return np.concatenate(getattr(self, name))


def _first(day: int, hit: NDArray[np.bool_], store: NDArray[np.int64]) -> None:
    store[(store < 0) & hit] = day


def run_batch(loaded: Loaded, runs: int, seed: int, days: int, first_run: int, t: Tally,
              watch: str | None) -> None:
    """Advance ``runs`` runs day by day through the coupling and tally what the issue asks."""
    sc = loaded.scenario
    world = compile_scenario(sc)
    spec = compile_talks(sc, list(world.actor_ids))
    link = coupling.compile_link(sc, world, spec)
    assert spec is not None
    b = coupling.start(world, link, runs, seed, first_run)
    place = list(world.place_ids).index(watch) if watch in world.place_ids else -1
    holder = list(world.actor_ids).index("government") if "government" in world.actor_ids \
        else -1
    proposed = np.zeros(runs, bool)
    first_deal = np.zeros(runs, bool)
    cease = np.full(runs, -1)
    relief = np.full(runs, -1)
    pressed = np.zeros((runs, len(spec.sup_entry)), int)
    for day in range(days):
        live = b.war.active.copy()
        b, rec = coupling.advance(b, world, link, world.params_on(day), day)
        assert rec is not None
        if place >= 0:
            ok = b.war.supplied[:, place] & (b.war.control[:, place] == holder)
            _first(day, ok & live, relief)
        proposal = live & rec.held & ~rec.hearing
        failed = proposal & ~rec.settled
        t.causes += np.bincount(rec.cause[failed], minlength=len(CAUSES))
        t.failed += int(failed.sum())
        t.failed_ripe += int((failed & rec.ripe).sum())
        opener = rec.counterfactual[failed] >= -TIE
        issue = COUNTERFACTUAL_CAUSES.index("indivisible issue")
        t.opens += opener.sum(axis=0)
        t.opens_none += int((~opener.any(axis=-1)).sum())
        t.opens_issue_only += int((opener[:, issue]
                                   & ~np.delete(opener, issue, axis=-1).any(axis=-1)).sum())
        w = day // WINDOW
        t.window_causes[w] = t.window_causes.get(w, 0) + np.bincount(
            rec.cause[failed], minlength=len(CAUSES))
        t.window_gap[w] = t.window_gap.get(w, 0) + (rec.reservation - rec.share)[failed].sum(0)
        t.window_drift[w] = t.window_drift.get(w, 0) + 90 * rec.drift[failed].sum(0)
        first = proposal & ~proposed
        first_deal |= first & (rec.settled | rec.ceasefire_agreed)
        proposed |= proposal
        _first(day, live & rec.ceasefire_agreed, cease)
        pressed += live[:, None] & rec.pressed
        # who refused an offer inside the mediator's estimated range: the side gaining
        # ground (learnt drift > 0) that expects more from fighting on than it holds
        said_no = (failed & rec.estimated_range)[:, None] & ~rec.accepted
        rising = (rec.drift > 0) & (rec.value > rec.share)
        t.refused += int(said_no.any(axis=-1).sum())
        t.refused_by_rising += int((said_no & rising).any(axis=-1).sum())
        for k, pid in enumerate(spec.party_ids):
            n = int((proposal & rec.estimated_range & ~rec.accepted[:, k]).sum())
            t.refusals[pid] = t.refusals.get(pid, 0) + n
    code, _ = coupling.outcome(b, link, world, days)
    t.first_deal.append(first_deal)
    t.ceasefire_day.append(cease)
    t.relief_day.append(relief)
    t.settled_day.append(b.tally.settled_day.copy())
    t.outcome.append(code)
    t.aim_met.append(coupling.backer_satisfied(b.war, link))
    t.pressed_days.append(pressed)


def measure(loaded: Loaded, runs: int, seed: int, days: int, chunk: int = 250,
            watch: str | None = "nubl") -> Tally:
    t = Tally()
    for start in range(0, runs, chunk):
        run_batch(loaded, min(chunk, runs - start), seed, days, start, t, watch)
    return t


def median(days: NDArray[np.int64]) -> str:
    """Median of the days that happened (>= 0), or '-'."""
    seen = days[days >= 0]
    return f"{np.median(seen):.0f}" if seen.size else "-"


def pct(k: int | float, n: int) -> str:
    lo, hi = (float(x) for x in wilson(np.array(int(k)), n))
    return f"{k / n:6.1%} [{lo:.1%}, {hi:.1%}]"


def causes_line(t: Tally) -> list[str]:
    total = max(int(t.causes.sum()), 1)
    parts = ", ".join(f"{c} {t.causes[i] / total:.1%}" for i, c in enumerate(CAUSES)
                      if i and t.causes[i])
    winning = t.causes[CAUSES.index("shifting power")] + t.causes[CAUSES.index("optimism")]
    return [f"  failed sessions: {int(t.causes.sum()):,}; by dominant cause: {parts}",
            f"  winning side's refusal (shifting power or optimism): "
            f"{winning / total:.1%} (accept >= 40%)",
            f"  indivisible issue alone: "
            f"{t.causes[CAUSES.index('indivisible issue')] / total:.1%} (accept <= 50%)",
            "  (beside the causes) failed sessions that removing one cause alone would open: "
            + ", ".join(f"{c} {n / total:.1%}" for c, n in zip(COUNTERFACTUAL_CAUSES, t.opens,
                                                             strict=True))
            + f"; none would: {t.opens_none / total:.1%}; only the issues' removal would: "
            f"{t.opens_issue_only / total:.1%} (a range closed by several causes at once is "
            "named for the one whose removal opens it widest)",
            f"  (beside the causes) failed sessions with an offer refused: {t.refused:,}; "
            f"refused by a side gaining ground that expected more from fighting on: "
            f"{t.refused_by_rising / max(t.refused, 1):.1%}",
            f"  Zartman diagnostic calls a failed session ripe: "
            f"{t.failed_ripe / max(t.failed, 1):.1%} (accept <= 20%)"]


def window_lines(t: Tally, parties: tuple[str, ...]) -> list[str]:
    """Failed sessions by window: how many, by cause, and what the parties needed."""
    out = [f"  failed sessions by {WINDOW}-day window: count, causes, and the mean over them of "
           f"each party's reservation less its share and its learnt drift per 90 days "
           f"({', '.join(parties)})"]
    for w in sorted(t.window_causes):
        c = t.window_causes[w]
        n = int(c.sum())
        if not n:
            continue
        parts = ", ".join(f"{CAUSES[i]} {c[i]}" for i in range(1, len(CAUSES)) if c[i])
        gap = " ".join(f"{x / n:+.3f}" for x in t.window_gap[w])
        drift = " ".join(f"{x / n:+.3f}" for x in t.window_drift[w])
        out.append(f"    days {w * WINDOW:3d}-{w * WINDOW + WINDOW - 1:3d}: {n:5d} ({parts}); "
                   f"r - x {gap}; drift {drift}")
    return out


def aleppo_lines(t: Tally, runs: int) -> list[str]:
    cease, relief = t.cat("ceasefire_day"), t.cat("relief_day")
    early = (cease >= 0) & (cease < FEB_MAR)
    after = early & (relief >= 0) & (relief < cease)
    out = causes_line(t)
    out += [f"  deal (settlement or ceasefire) at the first proposal: "
            f"{pct(int(t.cat('first_deal').sum()), runs)} of runs (accept <= 5%)",
            f"  government-opposition ceasefire agreed in Feb or Mar: "
            f"{pct(int(early.sum()), runs)} of runs (accept >= 50%); median day "
            f"{median(np.where(early, cease, -1))}",
            f"  ... after Nubl's relief: {pct(int(after.sum()), max(int(early.sum()), 1))} of "
            f"those (accept >= 90%); Nubl relieved in {(relief >= 0).mean():.1%} of runs, "
            f"median day {median(relief)}"]
    out += outcome_lines(t, runs)
    return out


def outcome_lines(t: Tally, runs: int) -> list[str]:
    code = t.cat("outcome")
    shares = ", ".join(f"{o} {pct(int((code == i).sum()), runs)}" for i, o in enumerate(OUTCOMES))
    settled = t.cat("settled_day")
    return [f"  outcomes at the horizon: {shares}",
            f"  settled: median day {median(settled)}",
            f"  refusals of the mediator's offers by party: {t.refusals}"]


def backers_line(t: Tally, loaded: Loaded) -> list[str]:
    sc = loaded.scenario
    world = compile_scenario(sc)
    spec = compile_talks(sc, list(world.actor_ids))
    assert spec is not None
    met = t.cat("aim_met").mean(axis=0)
    pressed = t.cat("pressed_days").mean(axis=0)
    aims = ", ".join(f"{b} {m:.1%}" for b, m, lim in zip(spec.backer_ids, met,
                                                          spec.backer_limited, strict=True) if lim)
    press = ", ".join(f"{spec.backer_ids[spec.sup_backer[s]]}->{spec.party_ids[spec.sup_client[s]]}"
                      f" {pressed[s]:.1f} days" for s in range(len(spec.sup_entry))
                      if spec.sup_backer[s] >= 0)
    return [f"  limited aims met at the horizon: {aims}",
            f"  backers pressing (mean days): {press}"]


def part_toy(runs: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import ripeness
    from test_ripeness_toy_war import (  # type: ignore[import-not-found]  # tests/ on sys.path
        WEEKS,
        _deal_day,
        _phases,
    )

    print(f"1. Toy war ({TOY_WAR.relative_to(ROOT)}), {runs} runs, seed {seed}, 120 days")
    for name in ("costly", "costless-stalemate"):
        loaded = read(TOY_WAR) if name == "costly" else variant(read(TOY_WAR), name)
        res = ripeness.simulate(loaded, runs=runs, seed=seed, days=120)
        stall, s = _phases(res)
        ids = list(res.daily["run"].values)
        adv = s[[d < stall[ids.index(r)] for r, d in zip(s["run"], s["day"], strict=True)]]
        deal = _deal_day(res)
        in_time = (deal >= stall) & (deal < stall + 7 * WEEKS)
        print(f"  {name:19s} sessions with a range while the government advances: "
              f"{adv['range_exists'].mean():.1%} of {len(adv)} (accept <= 20%); deal within "
              f"{WEEKS} weeks of the stall: {pct(int(in_time.sum()), runs)}; any deal: "
              f"{(deal >= 0).mean():.1%}")


#: --set values, applied to the built-in scenarios the parts read (main takes them).
SETS = ModelSets()
scenario = SETS.scenario


def part_aleppo(runs: int, seed: int) -> Tally:
    t0 = time.process_time()
    loaded = scenario("aleppo-2016")
    t = measure(loaded, runs, seed, 90)
    print(f"2. aleppo-2016, {runs} runs, seed {seed}, 90 days (against today's war tempo)")
    parties = compile_talks(loaded.scenario, list(compile_scenario(loaded.scenario).actor_ids))
    assert parties is not None
    for line in aleppo_lines(t, runs) + window_lines(t, parties.party_ids) \
            + backers_line(t, loaded):
        print(line)
    print(f"  ({time.process_time() - t0:.0f} s CPU)")
    return t


def part_compare(runs: int, seed: int, mech_runs: int) -> None:
    print(f"3. ripeness compare aleppo-2016 (--runs {runs} --days 90 --seed {seed}); "
          f"mechanism measures from {mech_runs} runs of each variant")
    for w in WHATIFS:
        t0 = time.process_time()
        c = compare(scenario("aleppo-2016"), whatif=w, runs=runs, seed=seed, days=90)
        print(c.report())
        loaded = scenario("aleppo-2016", w)
        t = measure(loaded, mech_runs, seed, 90)
        for line in aleppo_lines(t, mech_runs) + backers_line(t, loaded):
            print(line)
        print(f"  ({time.process_time() - t0:.0f} s CPU)")


def part_syria(runs: int, seed: int) -> None:
    t0 = time.process_time()
    loaded = scenario("syria-2016")
    t = measure(loaded, runs, seed, 365, chunk=100)
    print(f"4. syria-2016, {runs} runs, seed {seed}, 365 days")
    for line in causes_line(t) + outcome_lines(t, runs) + backers_line(t, loaded):
        print(line)
    print(f"  ({time.process_time() - t0:.0f} s CPU)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--toy-runs", type=int, default=40)
    ap.add_argument("--compare-runs", type=int, default=1000)
    ap.add_argument("--mechanism-runs", type=int, default=200)
    ap.add_argument("--syria-runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: "
                    "toy, aleppo, compare, syria")
    SETS.add_argument(ap, "parameters.front_cost=0.0005")
    args = ap.parse_args()
    SETS.take(args, "acceptance_ripeness")
    skip = set(filter(None, args.skip.split(",")))
    if "toy" not in skip:
        part_toy(args.toy_runs, 3)
    if "aleppo" not in skip:
        part_aleppo(args.runs, args.seed)
    if "compare" not in skip:
        part_compare(args.compare_runs, args.seed, args.mechanism_runs)
    if "syria" not in skip:
        part_syria(args.syria_runs, args.seed)


if __name__ == "__main__":
    main()
