"""The ``ydabm`` command: run, params, scenarios (and the sub-commands other modules register)."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from .allocator import keep_freed_memory
from .errors import Diverged
from .params import PARAMS, ParameterError, parse_assignment, seed_argument

# modules that add their own sub-commands with ``register(subparsers)``; absent ones are skipped
PLUGINS = ("ydabm.experiments.cli", "ydabm.experiments.compare", "ydabm.viz.cli", "ydabm.validation.cli")
SEED = 20261128


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ydabm", description="Agent-based model of the Yangtze River Delta economy")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one simulation and write its results")
    run.add_argument("--scenario", default="baseline", help="scenario name in configs/scenarios or a TOML path (default baseline)")
    run.add_argument("--steps", type=int, default=40, help="quarters to simulate (default 40)")
    run.add_argument("--seed", type=seed_argument, default=SEED, help=f"seed of the run's generator (default {SEED})")
    run.add_argument("--out", type=Path, default=None, help="output folder (default results/run-<scenario>)")
    run.add_argument("--force", action="store_true", help="replace the run already in the output folder")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a parameter")
    run.set_defaults(handler=_run)
    params = sub.add_parser("params", help="list every parameter")
    params.add_argument("--markdown", action="store_true", help="print the Markdown table of docs/ODD.md section 8")
    params.set_defaults(handler=_params)
    scenarios = sub.add_parser("scenarios", help="list the scenarios, or describe one",
                               description="List the scenarios of configs/scenarios/ (docs/scenarios.md "
                                           "explains the file format and every policy type).")
    shown = scenarios.add_mutually_exclusive_group()
    shown.add_argument("--describe", metavar="NAME", help="print one scenario in full (a name or a TOML path)")
    shown.add_argument("--markdown", action="store_true", help="print the reference section of docs/scenarios.md")
    scenarios.set_defaults(handler=_scenarios)
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        module.register(sub)
    args = parser.parse_args(argv)
    keep_freed_memory()         # reuse the step's freed arrays (ydabm.allocator; outputs unchanged)
    try:
        return int(args.handler(args) or 0)
    except ParameterError as err:
        print(f"ydabm: error: {err}", file=sys.stderr)
        return 2
    except Diverged as err:
        print(f"ydabm: error: {err}; nothing was written", file=sys.stderr)
        return 1


def _run(args) -> int:
    from .policies import schedule_notes
    from .run import check_run_folder, simulate, write_run
    from .scenarios import load_scenario
    if args.steps < 0 or args.steps > 10_000:
        raise ParameterError(f"--steps: {args.steps} is out of range; allowed [0, 10000]")
    scenario = load_scenario(args.scenario)
    overrides = dict(parse_assignment(item) for item in args.set)
    params = scenario.params(overrides)
    policies = scenario.policies(params)
    out = args.out or Path("results") / f"run-{scenario.name}"
    check_run_folder(out, replace=args.force)
    result = simulate(params, args.steps, args.seed, policies, progress=sys.stderr.isatty())
    write_run(result, out, scenario.name, args.steps, policies, replace=args.force, settings=overrides)
    last = result.model.iloc[-1]
    print(f"ydabm run: {scenario.name}, {args.steps} quarters, seed {args.seed}, {result.seconds:.1f} s -> {out}")
    for column in ("real_gdp", "similarity_manufacturing", "capacity_utilization", "zombie_share", "theil_index"):
        print(f"  {column:28s} {last[column]:.4g}")
    for note in schedule_notes(policies, params["start_year"], args.steps):
        print(f"ydabm: note: scenario {scenario.name}: {note}", file=sys.stderr)
    return 0


def _params(args) -> int:
    from .params import markdown_table
    if args.markdown:
        print(markdown_table())
        return 0
    print(f"{'name':26s} {'default':>10s}  {'bounds':18s} {'unit':22s} meaning")
    for p in PARAMS:
        print(f"{p.name:26s} {p.default:>10{'g' if p.type is not str else 's'}}  {p.bounds():18s} {p.unit:22s} {p.meaning}")
    return 0


def _scenarios(args) -> int:
    from .scenarios import describe, list_scenarios, load_scenario, reference_markdown
    if args.describe:
        print(describe(load_scenario(args.describe)))
    elif args.markdown:
        print(reference_markdown())
    else:
        scenarios = list_scenarios()
        width = max(len(s.name) for s in scenarios)
        for scenario in scenarios:
            print(f"{scenario.name:{width}s}  {scenario.description}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
