"""The ``ripeness`` command: a thin layer over the library, one flag per library argument."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError
from .outputs import OutputError

__all__ = ["main"]

MAX_PROBLEMS = 15  # keep a report on one screen


def _print_problems(problems: Sequence[Problem], stream: Any = None) -> None:
    stream = stream or sys.stderr
    shown = list(problems)[:MAX_PROBLEMS]
    for p in shown:
        print(p.format(), file=stream)
    if len(problems) > len(shown):
        print(f"... and {len(problems) - len(shown)} more", file=stream)


def _fail(problems: Sequence[Problem]) -> int:
    errors = [p for p in problems if p.severity == "error"]
    _print_problems(problems)
    n = len(errors)
    print(f"ripeness: {n} error{'s' if n != 1 else ''}; nothing was run.", file=sys.stderr)
    return 2


def cmd_scenarios(args: argparse.Namespace) -> int:
    from .scenario import builtin_scenarios, read

    for name, path in builtin_scenarios().items():
        title = read(name).scenario.meta.title
        print(f"{name:16s} {title}\n{'':16s} {path}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .scenario import read

    loaded = read(args.scenario, strict=args.strict or None)
    _print_problems(loaded.warnings)
    s = loaded.scenario
    print(f"{loaded.file}: valid ({len(s.actors)} actors, {len(s.places)} places, "
          f"{len(s.links)} links; {len(loaded.warnings)} warning(s))")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .scenario.skeleton import write_skeleton

    path = write_skeleton(args.name)
    print(f"wrote {path}: a placeholder war that validates and runs; fill it in and check "
          f"it with `ripeness validate {path}` (docs/scenario-format.md)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .report.show import show

    print(show(args.scenario))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .scenario.docs import field_reference
    from .scenario.schema import Scenario

    if args.markdown:
        print(field_reference())
    else:
        print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from .params import registry

    for p in registry().values():
        scope = "per actor" if p.per_actor else "global"
        print(f"{p.name} = {p.default:g}  [{p.low:g}, {p.high:g}] {p.unit} ({p.group}, {scope})")
        print(textwrap.indent(textwrap.fill(p.description, 92), "    "))
    return 0


def _scenario_arg(args: argparse.Namespace) -> Any:
    """The scenario with --what-if and --set applied (validated again)."""
    from .scenario import parse_set, read, variant

    sets = dict(parse_set(x) for x in (getattr(args, "set", None) or []))
    return variant(read(args.scenario), _whatif(args), sets)


def _whatif(args: argparse.Namespace) -> str | list[str] | None:
    """--what-if: None, one name, or several (applied in the order given)."""
    names = getattr(args, "what_if", None) or []
    return None if not names else names[0] if len(names) == 1 else list(names)


def cmd_run(args: argparse.Namespace) -> int:
    from .simulate import simulate

    loaded = _scenario_arg(args)
    _check_out(args)
    try:
        result = simulate(loaded, runs=args.runs, seed=args.seed, days=args.days,
                          first_run=args.first_run,
                          progress=not args.quiet or sys.stderr.isatty())
    except MemoryError as e:
        return _too_large(args, e)
    if not args.quiet:
        run = result.manifest["first_run"]
        print(f"{loaded.scenario.meta.title}: run {run}, seed {args.seed}")
        for line in result.digest(run=run, every_day=args.every_day):
            print(line)
        print()
        print(result.summary(run=run))
    if args.out is not None:
        out = result.save(args.out, overwrite=args.overwrite)
        print(f"results written to {out}/ (manifest.json, runs.parquet, daily.nc, "
              "events.parquet, sessions.parquet)")
    return 0


def _too_large(args: argparse.Namespace, e: MemoryError) -> int:
    """`run` asked for more than memory holds: the estimate and the command that streams."""
    days = f" --days {args.days}" if args.days else ""
    print(f"ripeness: run --runs {args.runs:,}{days}: {str(e).split('; ')[0] or 'out of memory'}"
          f"\n    fix: ripeness ensemble {args.scenario} --runs {args.runs}{days} --out "
          "results/ensemble (streams the runs to disk in chunks, keeping each run's outcome "
          "and the daily bands), or fewer --runs or --days", file=sys.stderr)
    return 2


def _check_out(args: argparse.Namespace) -> None:
    """Refuse --out before any work starts, by the one rule of :mod:`ripeness.outputs`."""
    from .outputs import check_folder

    if args.out is not None:
        check_folder(args.out, args.overwrite)


def _is_scenario(given: str) -> bool:
    """A built-in scenario's name or a scenario file (what `explain` is given by mistake)."""
    from .scenario import builtin_scenarios

    p = Path(given)
    return given in builtin_scenarios() or (p.is_file() and p.suffix == ".toml") or (
        p.is_dir() and (p / "scenario.toml").is_file())


def cmd_explain(args: argparse.Namespace) -> int:
    from .results import load_results
    from .simulate import Result

    d = Path(args.dir)
    if _is_scenario(args.dir):
        print(f"ripeness: {args.dir}: is a scenario, not a results folder\n    fix: ripeness "
              f"run {args.dir} --out results/first, then ripeness explain results/first",
              file=sys.stderr)
        return 2
    result = load_results(d)
    if not isinstance(result, Result):
        return _no_talks_kept(d, result.runs, result.manifest, args.run)
    runs = result.daily["run"].values
    if args.run not in runs:
        raise FileNotFoundError(f"{d} has runs {runs.min()}..{runs.max()}, not {args.run}")
    if args.csv:
        frame = result.sessions
        frame[frame["run"] == args.run].to_csv(sys.stdout, index=False)
        return 0
    for line in result.explain(run=args.run):
        print(textwrap.fill(line, 100, subsequent_indent="    "))
    return 0


def _no_talks_kept(d: Path, table: Any, manifest: dict[str, Any], run: int) -> int:
    """`explain` given an ensemble: run ``run``'s tally from runs.parquet, and the command that
    computes its talks day by day."""
    from .results import rerun_command

    row = table[table["run"] == run]
    if row.empty:
        raise FileNotFoundError(f"{d} has runs 0..{len(table) - 1}, not {run}")
    r = row.iloc[0]
    cause = "" if str(r["dominant_cause"]) in ("nan", "<NA>") else (
        f", most failed for '{r['dominant_cause']}'")
    out = f"results/run-{run}"
    print(f"ripeness: {d}: holds an ensemble, which keeps each run's outcome and talks tally "
          f"(runs.parquet; run {run}: {r['outcome']}, {int(r['sessions'])} sessions{cause}) "
          f"but not its talks day by day\n    fix: {rerun_command(manifest, run, out)}, then "
          f"ripeness explain {out} --run {run}", file=sys.stderr)
    return 2


def _add_variant_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--what-if", action="append", metavar="NAME", help="apply a what-if "
                   "declared in the scenario (see `ripeness show`); repeatable: applied in "
                   "order, a later one winning where two set the same value")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="set a value by "
                   "its dotted path, e.g. support.russia-government.sorties_per_day=0 "
                   "(repeatable)")


def _sets(args: argparse.Namespace) -> dict[str, Any] | None:
    """The --set values as path -> value (the library applies and validates them)."""
    from .scenario import parse_set

    return dict(parse_set(x) for x in (args.set or [])) or None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _count(text: str) -> int:
    """A whole number, 0 or more (argparse type)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {n}")
    return n


def _finite(text: str) -> float:
    """A finite number (argparse type): inf and nan are refused."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return x


def _share(text: str) -> float:
    """A number above 0 and at most 1 (argparse type)."""
    x = _finite(text)
    if not 0 < x <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text!r}")
    return x


def cmd_ensemble(args: argparse.Namespace) -> int:
    from .ensemble import EnsembleError, run_ensemble

    try:
        result = run_ensemble(
            args.scenario, runs=args.runs, seed=args.seed, days=args.days, out=args.out,
            chunk=args.chunk, workers=args.workers, scheduler=args.scheduler,
            resume=args.resume, overwrite=args.overwrite, whatif=_whatif(args),
            sets=_sets(args))
    except EnsembleError as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"ripeness: interrupted; the finished chunks are saved in {args.out}/chunks: "
              "run the same command with --resume to finish", file=sys.stderr)
        return 130
    print(result.report())
    print(f"results written to {args.out}/ (runs.parquet, daily.nc, manifest.json)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .ensemble import EnsembleError, compare

    if args.what_if is None and not args.set:
        print("ripeness: nothing to compare: add --what-if NAME and/or --set PATH=VALUE",
              file=sys.stderr)
        return 2
    _check_out(args)
    try:
        comparison = compare(args.scenario, whatif=_whatif(args), sets=_sets(args),
                             runs=args.runs, seed=args.seed, days=args.days, chunk=args.chunk,
                             workers=args.workers, scheduler=args.scheduler, progress=True)
    except EnsembleError as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    print(comparison.report())
    if args.out is not None:
        out = comparison.save(args.out, overwrite=args.overwrite)
        print(f"results written to {out}/ (comparison.parquet, baseline.parquet, "
              "variant.parquet, manifest.json)")
    return 0


def _add_ensemble_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--runs", type=_positive, default=1000, help="runs (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--days", type=_positive, default=None, help="days to run (default: "
                   "the scenario's horizon)")
    p.add_argument("--chunk", type=_positive, default=250, help="runs per chunk, simulated "
                   "together and saved as one file (default 250)")
    p.add_argument("--workers", type=_positive, default=None, help="local worker processes "
                   "(default: one per CPU core)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None, help="run the "
                   "chunks on this Dask cluster instead (needs ripeness[dask])")
    p.add_argument("--overwrite", action="store_true", help="replace an existing DIR")
    _add_variant_flags(p)


def _add_ensemble_commands(sub: Any) -> None:
    p = _add(sub, "ensemble", cmd_ensemble, "Run many wars of a scenario in chunks on local "
             "processes or a Dask cluster; print outcome probabilities and medians; write "
             "runs.parquet, daily.nc, manifest.json. Interrupted? Run it again with --resume.",
             "ripeness ensemble aleppo-2016 --runs 10000 --days 90 --out results/ens10k")
    _add_ensemble_flags(p)
    p.add_argument("--out", metavar="DIR", required=True, help="folder for the results "
                   "(finished chunks are saved in DIR/chunks as they come, removed once the "
                   "ensemble is written)")
    p.add_argument("--resume", action="store_true", help="continue the ensemble in DIR "
                   "(same scenario, seed, days, chunk, what-if and --set); a larger --runs "
                   "extends a finished one, computing its runs again")
    p = _add(sub, "compare", cmd_compare, "Compare a what-if with the baseline over the same "
             "runs and random draws (common random numbers): differences in outcome "
             "probabilities and mean casualties with 95% intervals, and the variance "
             "reduction against independent runs.",
             "ripeness compare aleppo-2016 --what-if no-russian-air --runs 1000 --days 90")
    _add_ensemble_flags(p)
    p.add_argument("--out", metavar="DIR", default=None, help="write comparison.parquet, "
                   "baseline.parquet, variant.parquet, manifest.json here")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analysis import AnalysisError, sensitivity
    from .analysis.sensitivity import plot_sensitivity
    from .outputs import write_file

    _check_out(args)
    try:
        result = sensitivity(args.scenario, method=args.method, samples=args.samples,
                             runs=args.runs, days=args.days, output=args.outcome,
                             seed=args.seed, progress=True)
        print(result.report())
        if args.out is not None:
            out = result.save(args.out, overwrite=args.overwrite)
            write_file(out / "sensitivity.png", lambda p: plot_sensitivity(result, p))
            print(f"results written to {out}/ (sensitivity.csv, points.csv, manifest.json, "
                  "sensitivity.png)")
    except AnalysisError as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from .analysis import AnalysisError, discover
    from .outputs import write_folder

    _check_out(args)
    try:
        result = discover(args.scenario, output=args.outcome, samples=args.samples,
                          runs=args.runs, days=args.days, threshold=args.threshold,
                          density=args.density, seed=args.seed, progress=True,
                          engine=args.prim)
    except AnalysisError as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    print(result.report())
    if args.out is not None:
        def write(d: Path) -> None:
            result.cases.to_csv(d / "cases.csv", index=False)
            result.prim.trajectory().to_csv(d / "trajectory.csv", index_label="box")
            (d / "manifest.json").write_text(json.dumps(result.manifest, indent=2) + "\n")

        out = write_folder(args.out, write, args.overwrite)
        print(f"results written to {out}/ (cases.csv, trajectory.csv, manifest.json)")
    return 0


def _add_analysis_flags(p: argparse.ArgumentParser, samples: int, runs: int) -> None:
    from .analysis import OUTPUTS

    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--samples", type=_positive, default=samples, help="design size (see "
                   f"docs/analysis.md; default {samples})")
    p.add_argument("--runs", type=_positive, default=runs, help=f"runs per sample point, "
                   f"the same runs at every point (default {runs})")
    p.add_argument("--days", type=_positive, default=None, help="days to run (default: "
                   "the scenario's horizon)")
    p.add_argument("--outcome", choices=list(OUTPUTS), default="settlement",
                   help="what each run is measured by (default settlement)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--out", metavar="DIR", default=None, help="write tables here")
    p.add_argument("--overwrite", action="store_true", help="replace an existing DIR")


def _add_analysis_commands(sub: Any) -> None:
    p = _add(sub, "sensitivity", cmd_sensitivity, "Global sensitivity of an outcome to the "
             "scenario's [[uncertain]] numbers (SALib Sobol' or Morris); --out writes "
             "sensitivity.csv, points.csv, manifest.json and a bar plot.",
             "ripeness sensitivity aleppo-2016 --method morris --samples 8 --runs 50 "
             "--days 30")
    _add_analysis_flags(p, samples=8, runs=100)
    p.add_argument("--method", choices=["sobol", "morris"], default="morris",
                   help="sobol: --samples base points, a power of 2; morris: --samples "
                   "trajectories (default morris)")
    p = _add(sub, "discover", cmd_discover, "Scenario discovery: sample the [[uncertain]] "
             "numbers (Latin hypercube) and find with PRIM the ranges where an outcome is "
             "likely.", "ripeness discover aleppo-2016 --outcome settlement --samples 64 "
             "--runs 20 --days 30")
    _add_analysis_flags(p, samples=64, runs=20)
    p.add_argument("--threshold", type=_finite, default=0.5, help="a run is a case of "
                   "interest when its outcome exceeds this (default 0.5: binary outcomes)")
    p.add_argument("--density", type=_share, default=0.8, help="choose the box with the "
                   "most coverage at least this dense (default 0.8)")
    p.add_argument("--prim", choices=["ripeness", "ema"], default="ripeness", help="whose "
                   "PRIM peels: this package's (default) or the EMA workbench's (needs "
                   "ripeness[ema]); they agree box for box")


def _date(text: str) -> Any:
    """A YYYY-MM-DD command-line date."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _patched_arg(args: argparse.Namespace) -> Any:
    """The scenario with --what-if, --set and --patch applied (--set wins over --patch)."""
    from .backtest import apply_patch_file
    from .scenario import parse_set

    loaded = _scenario_arg(args)
    if args.patch is None:
        return loaded
    skip = tuple(parse_set(x)[0] for x in (args.set or []))
    return apply_patch_file(loaded, args.patch, skip=skip)


def cmd_backtest(args: argparse.Namespace) -> int:
    from .backtest import backtest, format_table
    from .outputs import check_file, drawn_by_ripeness, write_file

    if args.plot is not None:
        check_file(args.plot, args.overwrite, ours=drawn_by_ripeness)
    loaded = _patched_arg(args)
    res = backtest(loaded, runs=args.runs, seed=args.seed, record=args.record,
                   days=args.days, cutoff=args.cutoff, null=args.null, progress=True)
    m = res.manifest
    print(f"{loaded.scenario.meta.title}\nbacktest: {args.runs} runs x {m['days']} days, "
          f"seed {args.seed}, record {res.record.file} ({len(res.record)} entries), "
          f"{m['elapsed_s']:.1f} s")
    print(format_table(res))
    print(f"score: {res.score:.3f}" + (
        f" (before {args.cutoff}: {res.side_score('before'):.3f}, after: "
        f"{res.side_score('after'):.3f})" if args.cutoff else ""))
    if args.null:
        print(f"chance level: the same runs against {args.null} records with the event dates "
              f"permuted score {res.null_scores.mean():.3f} on average (max "
              f"{res.null_scores.max():.3f})")
        print(f"margin over the best permuted record: {res.margin}")
    if args.plot is not None:
        try:
            from .backtest.plot import plot_backtest
            out = write_file(args.plot, lambda p: plot_backtest(res, p), args.overwrite,
                             ours=drawn_by_ripeness)
            print(f"plot written to {out}")
        except ImportError as e:
            print(f"ripeness: {e}", file=sys.stderr)
            return 2
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .backtest import calibrate, write_patch
    from .backtest.calibrate import is_patch
    from .outputs import check_file

    check_file(args.out, args.overwrite, ours=is_patch)
    given = args.range or []  # (text, parsed range) pairs from range_arg
    try:
        cal = calibrate(_scenario_arg(args), args.cutoff, samples=args.samples,
                        runs=args.runs, seed=args.seed, record=args.record, top=args.top,
                        rescore_runs=args.rescore_runs, method=args.method,
                        ranges=[u for _, u in given] or None,
                        range_labels=[f"--range {t}" for t, _ in given], progress=True,
                        censored=not args.dated_only, also=args.also or ())
    except (ImportError, ValueError) as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    print(f"scores on {cal.manifest['eval_runs']} evaluation runs (cut-off {args.cutoff}):")
    print(cal.scores.round(3).to_string())
    for name, table in cal.others.items():
        cut = next(o["cutoff"] for o in cal.manifest["also"] if o["scenario"] == name)
        print(f"{name} (cut-off {cut}):")
        print(table.round(3).to_string())
    out = write_patch(cal, args.out, overwrite=args.overwrite)
    print(f"patch written to {out} (apply: ripeness backtest {args.scenario} --patch {out})")
    return 0


def _add_backtest_commands(sub: Any) -> None:
    p = _add(sub, "backtest", cmd_backtest, "Compare simulated runs with the historical "
             "record: per recorded event the share of runs in which it happens and the date "
             "error; per figure the share inside the recorded range; one overall score.",
             "ripeness backtest aleppo-2016 --runs 500 --plot backtest.png")
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--runs", type=_positive, default=500, help="runs (default 500)")
    p.add_argument("--days", type=_positive, default=None, help="days to simulate (default: the "
                   "record's last day + 30)")
    p.add_argument("--cutoff", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="also score the entries before and after this date separately")
    p.add_argument("--plot", metavar="FILE.png", default=None, help="draw simulated "
                   "against recorded dates and figures (needs matplotlib)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --plot "
                   "file drawn by ripeness")
    p.add_argument("--patch", metavar="PATCH.toml", default=None, help="apply a patch "
                   "file, e.g. written by `ripeness calibrate --out`")
    p.add_argument("--null", type=_count, default=20, metavar="N", help="also score the runs "
                   "against N records with permuted event dates: the chance level, and "
                   "the margin over the best with its 95%% interval over the runs "
                   "(default 20; 0: skip)")
    _add_record_flags(p)
    p = _add(sub, "calibrate", cmd_calibrate, "Fit the scenario's [[uncertain]] numbers (or "
             "the --range values instead) to the record up to a cut-off date (Latin hypercube "
             "search, best few re-scored) and write them as a patch file; print the scores "
             "before and after the cut-off for the scenario's own and the calibrated values.",
             "ripeness calibrate aleppo-2016 --cutoff 2016-02-10 --out calibrated.toml\n"
             "  ripeness calibrate syria-2016 --cutoff 2016-07-01 --out cal.toml "
             "--range parameters.focus_threshold=2:6 \\\n"
             "      --range actors.government.params.hold_ratio=0.3:1.0")
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--cutoff", type=_date, required=True, metavar="YYYY-MM-DD",
                   help="fit on the record's entries up to this date")
    p.add_argument("--out", metavar="PATCH.toml", required=True, help="patch file to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing patch file")
    p.add_argument("--samples", type=_positive, default=64, help="candidates (default 64)")
    p.add_argument("--runs", type=_positive, default=50, help="runs per candidate (default 50)")
    p.add_argument("--top", type=_positive, default=4, help="best candidates re-scored (default 4)")
    p.add_argument("--rescore-runs", type=_positive, default=None, help="runs to re-score and "
                   "evaluate with (default 4 x --runs)")
    p.add_argument("--method", choices=["lhs", "sobol"], default="lhs",
                   help="space-filling design (default lhs)")
    p.add_argument("--dated-only", action="store_true", help="fit the entries dated before "
                   "the cut-off alone; by default the fit also holds what the later entries "
                   "say had not yet happened by then (e.g. a place recorded taken in July "
                   "was not taken before the cut-off)")

    def also_arg(text: str) -> tuple[str, Any]:
        """An --also value, SCENARIO:YYYY-MM-DD."""
        name, _, when = text.rpartition(":")
        if not name:
            raise argparse.ArgumentTypeError(f"'{text}' is not SCENARIO:YYYY-MM-DD, e.g. "
                                             "aleppo-2016:2016-02-29")
        return name, _date(when)

    p.add_argument("--also", action="append", type=also_arg, metavar="SCENARIO:YYYY-MM-DD",
                   help="fit this scenario's record up to its own cut-off at the same time "
                   "(repeatable): a candidate's fit is the mean of the scenarios' scores; "
                   "only --range parameters.NAME (model parameters every scenario shares)")

    def range_arg(text: str) -> tuple[str, Any]:
        """A --range value, parsed from its form PATH=LOW:HIGH[:log], with its text (its path
        and values are checked against the scenario before anything runs)."""
        from .backtest.calibrate import parse_range

        try:
            return text, parse_range(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    p.add_argument("--range", action="append", type=range_arg, metavar="PATH=LOW:HIGH",
                   help="calibrate this number over [LOW, HIGH] (add ':log' for a log-uniform "
                   "range), e.g. parameters.focus_threshold=2:6 or "
                   "actors.government.params.hold_ratio=0.3:1.0; repeatable. Given, the "
                   "--range values replace the scenario's [[uncertain]] entries")
    _add_record_flags(p)


def _add_record_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--record", metavar="FILE", default=None, help="record CSV (default: "
                   "record.csv in the scenario's folder)")
    _add_variant_flags(p)


def cmd_plot(args: argparse.Namespace) -> int:
    from . import __version__
    from .outputs import check_folder, write_folder
    from .report.plots import PlotError, plot_result

    dates = args.dates.split(",") if args.dates else None
    out = args.out if args.out is not None else Path(args.dir) / "figures"
    check_folder(out, args.overwrite)
    names: list[str] = []

    def draw(d: Path) -> None:
        paths = plot_result(args.dir, d, dates=dates, run=args.run,
                            formats=args.format.split(","), scenario=args.scenario,
                            animation=args.animate)
        names.extend(p.name for p in paths)
        (d / "manifest.json").write_text(json.dumps(
            {"kind": "ripeness figures", "from": str(args.dir), "files": names,
             "version": __version__}, indent=2) + "\n")
    try:
        write_folder(out, draw, args.overwrite)
    except (PlotError, ImportError) as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    print(f"{len(names)} files written to {out}/: " + ", ".join(names))
    return 0


def _add_plot_command(sub: Any) -> None:
    p = _add(sub, "plot", cmd_plot, "Draw a result's figures as PNG and SVG: maps of "
             "control, shares of the stake, casualties and displacement, how the runs end, "
             "the talks, and with --animate the map day by day (a batch from `ripeness run "
             "--out` or an ensemble from `ripeness ensemble`).",
             "ripeness plot results/seed7 --dates 2016-02-01,2016-02-15 --out figs")
    p.add_argument("dir", help="a folder written by `ripeness run --out` or `ripeness "
                   "ensemble --out`")
    p.add_argument("--dates", metavar="YYYY-MM-DD,...", default=None, help="days to map "
                   "(default: first, middle and last)")
    p.add_argument("--run", type=int, default=None, help="draw this run alone (default: all "
                   "runs as probabilities and bands; the talks of the first)")
    p.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf "
                   "(default png,svg)")
    p.add_argument("--out", metavar="FIGDIR", default=None, help="folder for the figures "
                   "(default DIR/figures)")
    p.add_argument("--overwrite", action="store_true", help="replace the figures already "
                   "in FIGDIR")
    p.add_argument("--scenario", default=None, help="scenario for the map's coordinates "
                   "(default: the one named in the manifest)")
    p.add_argument("--animate", action="store_true", help="also write the map day by day "
                   "as FIGDIR/control.gif")


def cmd_gallery(args: argparse.Namespace) -> int:
    from .report.gallery import gallery

    try:
        paths = gallery(args.dir, quick=args.quick, progress=True, overwrite=args.overwrite)
    except ImportError as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    print(f"{len(paths)} figures written to {args.dir}/: " + ", ".join(p.name for p in paths))
    return 0


def _add_gallery_command(sub: Any) -> None:
    p = _add(sub, "gallery", cmd_gallery, "Simulate and draw every figure the package makes "
             "(the gallery of docs/plots.md: maps, animation, talks, outcomes, shares, "
             "casualties, backtest, sensitivity) into DIR, a folder of their own with a "
             "manifest.json.", "ripeness gallery docs/gallery --overwrite")
    p.add_argument("dir", help="folder for the figures (new, or one the gallery wrote)")
    p.add_argument("--overwrite", action="store_true", help="replace the figures of an "
                   "earlier gallery in DIR")
    p.add_argument("--quick", action="store_true", help="few runs and days: the same files, "
                   "in seconds (a check that every figure can be drawn)")


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .web import Limits, serve
    except ImportError as e:
        print(f"ripeness: the web server needs the web extra: pip install 'ripeness[web]' "
              f"({e})", file=sys.stderr)
        return 2
    limits = Limits(runs_per_job=args.max_runs, concurrent_jobs=args.max_jobs)
    print(f"ripeness: the dashboard is at http://{args.host}:{args.port}/ (API: /openapi.json);"
          f" jobs and results in {Path(args.data).resolve()}/; Ctrl-C stops", flush=True)
    serve(host=args.host, port=args.port, data=args.data, limits=limits)
    return 0


def _add_serve_command(sub: Any) -> None:
    p = _add(sub, "serve", cmd_serve, "Serve the dashboard and the HTTP API on this machine: "
             "the map day by day, the talks, what-ifs and outcomes in a browser; jobs and "
             "results are kept in --data and survive a restart (needs ripeness[web]; "
             "docs/web.md).", "ripeness serve   # then open http://127.0.0.1:8000/")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, "
                   "this machine only; 0.0.0.0 serves the whole network)")
    p.add_argument("--port", type=_positive, default=8000, help="port (default 8000)")
    p.add_argument("--data", metavar="DIR", default="ripeness-web", help="folder for the job "
                   "store and the results (default ./ripeness-web)")
    p.add_argument("--max-runs", type=_positive, default=2000, help="most runs in one "
                   "ensemble or comparison (default 2000)")
    p.add_argument("--max-jobs", type=_positive, default=2, help="jobs computed at once, "
                   "each in its own process (default 2)")


EPILOG = """examples:
  ripeness scenarios                  list the built-in scenarios
  ripeness show aleppo-2016           actors, places, supply, talks, provenance
  ripeness new my-war                 a commented scenario to fill in: my-war/scenario.toml
  ripeness validate my-war.toml       check a scenario file (exit 0 valid, 2 invalid)
  ripeness run aleppo-2016 --days 30  one war, day by day
  ripeness run aleppo-2016 --what-if no-russian-air --out results/no-air
  ripeness schema > scenario.schema.json
  ripeness ensemble aleppo-2016 --runs 10000 --days 90 --out results/ens10k
  ripeness compare aleppo-2016 --what-if no-russian-air --runs 1000 --days 90
  ripeness backtest aleppo-2016 --runs 500   score runs against the historical record
  ripeness calibrate aleppo-2016 --cutoff 2016-02-10 --out calibrated.toml
  ripeness sensitivity aleppo-2016 --method morris --samples 8 --runs 50 --days 30
  ripeness discover aleppo-2016 --outcome settlement --samples 64 --runs 20 --days 30
  ripeness serve                      the dashboard and API at http://127.0.0.1:8000/
"""


def _add(sub: Any, name: str, func: Callable[[argparse.Namespace], int], help: str,
         example: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(  # argparse %-formats help, not description
        name, help=help.replace("%", "%%"), description=help, epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="ripeness", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Simulate a war together with the peace talks that try to end it.",
        epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"ripeness {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    p = _add(sub, "run", cmd_run, "Run a scenario and print a digest of one war: a line for "
             "each day with news (what changed hands, sieges, corridors, talks) with its "
             "casualties, quiet stretches folded into one line, then a summary of the end "
             "(outcome, who holds what, air strikes, talks, totals); --out writes the results.",
             "ripeness run aleppo-2016 --seed 7 --days 30 --out results/seed7\n"
             "  ripeness run aleppo-2016 --days 90 --first-run 417   # run 417 of an ensemble")
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--days", type=_positive, default=None, help="days to run (default: the "
                   "scenario's horizon)")
    p.add_argument("--runs", type=_positive, default=1, help="runs in the batch (default 1; the "
                   "digest and summary show the first)")
    p.add_argument("--first-run", type=_count, default=0, metavar="K", help="index of the "
                   "batch's first run (default 0): runs K, K+1, ... of this seed, each the same "
                   "war as run K of `ripeness ensemble` with the same seed, days and what-ifs")
    p.add_argument("--out", metavar="DIR", default=None, help="write manifest.json, "
                   "runs.parquet, daily.nc, events.parquet and sessions.parquet here")
    p.add_argument("--overwrite", action="store_true", help="replace an existing DIR")
    p.add_argument("--every-day", action="store_true", help="the full daily log: one line "
                   "for every day, quiet or not")
    p.add_argument("--quiet", action="store_true", help="no digest and no summary (a "
                   "terminal still shows the days done while it runs)")
    _add_variant_flags(p)
    p = _add(sub, "explain", cmd_explain, "Tell the story of the talks of one run: each "
             "session's forecasts, felt costs (dead, front, sieges), issues, the range and "
             "the offer; who refused by how much, split into the forecast of fighting on, the "
             "costs and the issues; what the backers did and why; what would have changed "
             "it.", "ripeness explain results/seed7 --run 0")
    p.add_argument("dir", help="a folder written by `ripeness run ... --out DIR`")
    p.add_argument("--run", type=int, default=0, help="run index (default 0)")
    p.add_argument("--csv", action="store_true", help="print the sessions table as CSV "
                   "instead (for notebooks and spreadsheets)")
    _add(sub, "scenarios", cmd_scenarios, "List the built-in scenarios and their files.",
         "ripeness scenarios")
    p = _add(sub, "show", cmd_show, "Summarise a scenario: actors, places by controller, "
             "supply sources, talks schedule, and how many numbers are sourced or assumed.",
             "ripeness show aleppo-2016")
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p = _add(sub, "validate", cmd_validate, "Check a scenario file and report every problem "
             "at once (exit 0 valid, 2 invalid). Warnings (e.g. besieged places) do not fail.",
             "ripeness validate my-war.toml")
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--strict", action="store_true",
                   help="numbers without source or assumption are errors (always on for "
                   "built-in scenarios)")
    p = _add(sub, "new", cmd_new, "Write NAME/scenario.toml: a minimal, commented, valid "
             "scenario to fill in (two sides, three places, talks), with pointers to the "
             "optional tables for wars of other kinds. Never writes over an existing folder.",
             "ripeness new my-war && ripeness validate my-war/scenario.toml")
    p.add_argument("name", help="the scenario's name, also its folder (a path may lead to it)")
    p = _add(sub, "schema", cmd_schema, "Print the JSON Schema of the scenario format.",
             "ripeness schema > scenario.schema.json")
    p.add_argument("--markdown", action="store_true",
                   help="print the field reference as Markdown tables instead")
    _add(sub, "params", cmd_params, "List the model's parameters: default, bounds, unit, "
         "meaning.", "ripeness params")
    _add_ensemble_commands(sub)
    _add_backtest_commands(sub)
    _add_analysis_commands(sub)
    _add_plot_command(sub)
    _add_gallery_command(sub)
    _add_serve_command(sub)
    return parser


def _flagged(e: OutputError, args: argparse.Namespace) -> OutputError:
    """The error with the command-line option that named its path."""
    for flag, name in (("--out", "out"), ("--plot", "plot")):
        given = getattr(args, name, None)
        if e.flag is None and given is not None and Path(given) == Path(e.path):
            e.flag = flag
    return e


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except ScenarioError as e:
        return _fail(e.problems)
    except OutputError as e:
        print(f"ripeness: {_flagged(e, args).format()}", file=sys.stderr)
        return 2
    except (FileExistsError, FileNotFoundError, PermissionError) as e:
        print(f"ripeness: {e}", file=sys.stderr)
        return 2
    except MemoryError as e:  # refused by the estimate (resources.TooLarge), or real
        print(f"ripeness: {e or 'out of memory'}\n    fix: fewer runs or days, or `ripeness "
              "ensemble` (streams runs to disk in chunks)", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except KeyboardInterrupt:
        print("ripeness: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # an internal error: a bug, not a user mistake
        if os.environ.get("RIPENESS_DEBUG"):
            raise
        print(f"ripeness: internal error: {type(e).__name__}: {e}\n"
              "Please report it; set RIPENESS_DEBUG=1 to see the traceback.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
