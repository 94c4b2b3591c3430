"""The ``ripeness`` command: a thin layer over the library, one flag per library argument."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError

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
    return variant(read(args.scenario), getattr(args, "what_if", None), sets)


def cmd_run(args: argparse.Namespace) -> int:
    from .simulate import simulate

    loaded = _scenario_arg(args)
    if args.out is not None and Path(args.out).exists() and not args.overwrite:
        raise FileExistsError(f"{args.out} already exists; choose another folder or add "
                              "--overwrite to replace it")
    result = simulate(loaded, runs=args.runs, seed=args.seed, days=args.days)
    if not args.quiet:
        run = result.manifest["first_run"]
        print(f"{loaded.scenario.meta.title}: run {run}, seed {args.seed}")
        for line in result.digest(run=run):
            print(line)
    if args.out is not None:
        out = result.save(args.out, overwrite=args.overwrite)
        print(f"results written to {out}/ (manifest.json, daily.nc, events.parquet, "
              "sessions.parquet)")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from .simulate import Result

    d = Path(args.dir)
    if not (d / "manifest.json").is_file():
        raise FileNotFoundError(f"{d} holds no results (no manifest.json); write some with "
                                "`ripeness run SCENARIO --out DIR`")
    result = Result.load(d)
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


def _add_variant_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--what-if", metavar="NAME", help="apply a what-if declared in the "
                   "scenario (see `ripeness show`)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE", help="set a value by "
                   "its dotted path, e.g. support.russia-government.sorties_per_day=0 "
                   "(repeatable)")


EPILOG = """examples:
  ripeness scenarios                  list the built-in scenarios
  ripeness show aleppo-2016           actors, places, supply, talks, provenance
  ripeness validate my-war.toml       check a scenario file (exit 0 valid, 2 invalid)
  ripeness run aleppo-2016 --days 30  one war, day by day
  ripeness run aleppo-2016 --what-if no-russian-air --out results/no-air
  ripeness schema > scenario.schema.json
"""


def _add(sub: Any, name: str, func: Callable[[argparse.Namespace], int], help: str,
         example: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help, epilog=f"example:\n  {example}",
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
    p = _add(sub, "run", cmd_run, "Run a scenario and print a day-by-day digest of one war "
             "(what changed hands, sieges, corridors, casualties); --out writes the results.",
             "ripeness run aleppo-2016 --seed 7 --days 30 --out results/seed7")
    p.add_argument("scenario", help="built-in name or path to a .toml file")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--days", type=int, default=None, help="days to run (default: the "
                   "scenario's horizon)")
    p.add_argument("--runs", type=int, default=1, help="runs in the batch (default 1; the "
                   "digest shows the first)")
    p.add_argument("--out", metavar="DIR", default=None, help="write manifest.json, "
                   "daily.nc and events.parquet here")
    p.add_argument("--overwrite", action="store_true", help="replace an existing DIR")
    p.add_argument("--quiet", action="store_true", help="no digest")
    _add_variant_flags(p)
    p = _add(sub, "explain", cmd_explain, "Tell the story of the talks of one run: each "
             "session's forecasts, costs, reservations, the range, the offer, who refused "
             "by how much and why.", "ripeness explain results/seed7 --run 0")
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
    p = _add(sub, "schema", cmd_schema, "Print the JSON Schema of the scenario format.",
             "ripeness schema > scenario.schema.json")
    p.add_argument("--markdown", action="store_true",
                   help="print the field reference as Markdown tables instead")
    _add(sub, "params", cmd_params, "List the model's parameters: default, bounds, unit, "
         "meaning.", "ripeness params")
    return parser


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
    except (FileExistsError, FileNotFoundError, PermissionError) as e:
        print(f"ripeness: {e}", file=sys.stderr)
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
