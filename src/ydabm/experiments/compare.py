"""The ``ydabm compare`` sub-command (the work is in :mod:`.comparison`; imported when it runs)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..params import ParameterError, parse_assignment, seed_argument
from .spec import SweepSpec

RUNNING = ("seeds", "steps", "seed")  # options of a comparison that runs the model


def register(subparsers) -> None:
    """Add ``compare`` to the ``ydabm`` command."""
    compare = subparsers.add_parser(
        "compare", help="a scenario against a baseline on matched seeds, or two results folders: effects with SEs",
        description="Run --scenario and --baseline on the same seeds (or read two results folders) and write "
                    "the effect on each metric (scenario minus baseline, paired t-test over matched seeds), "
                    "its paths over time and, for YRD runs, maps by city.")
    compare.add_argument("folders", nargs="*", type=Path, metavar="FOLDER",
                         help="instead of running: BASELINE and SCENARIO results folders (effect = second minus first)")
    compare.add_argument("--scenario", help="the scenario to run (name in configs/scenarios or a TOML path)")
    compare.add_argument("--baseline", default="baseline", help="the scenario to compare it with (default baseline)")
    compare.add_argument("--seeds", type=int, default=None, help="matched seeds (default 5)")
    compare.add_argument("--steps", type=int, default=None, help="quarters per run (default 40)")
    compare.add_argument("--seed", type=seed_argument, default=None,
                         help=f"root seed of the matched seeds (default {SweepSpec.model_fields['seed'].default}, "
                              "a sweep's: the seeds of a scenario sweep with common_seeds)")
    compare.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                         help="a parameter value for both arms")
    compare.add_argument("--statistic", default="mean_last:8",
                         help="what each run contributes: mean_last:K (mean of the last K quarters, default "
                              "mean_last:8) or final")
    compare.add_argument("--metrics", nargs="+", default=None, metavar="METRIC",
                         help="metrics to compare (default: the headline metrics, aggregate_productivity and "
                              "real_income, the welfare measure; 'all' for every metric)")
    compare.add_argument("--out", type=Path, default=None,
                         help="output folder (default results/compare-<scenario>-vs-<baseline>)")
    compare.add_argument("--force", action="store_true", help="write into a non-empty folder that holds no comparison")
    compare.add_argument("--workers", type=int, default=None, help="local processes (default: every core)")
    compare.add_argument("--format", nargs="+", default=["png"], choices=["png", "pdf", "svg"],
                         help="figure formats (default: png)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.set_defaults(handler=_compare)


def _compare(args) -> int:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    from .comparison import (check_destination, check_statistic, compare_folders, effects_table, run_comparison,
                             summary_text, write_comparison)
    from .executors import SweepError
    from .report import scenario_label
    check_statistic(args.statistic)
    if args.folders:
        if len(args.folders) != 2 or args.scenario:
            raise ParameterError("give two results folders (BASELINE SCENARIO) or --scenario NAME, not both")
        running = [f"--{k}" for k in RUNNING if getattr(args, k) is not None] + (["--set"] if args.set else [])
        if running:
            raise ParameterError(f"{', '.join(running)}: only when compare runs the model (--scenario)")
        out = args.out or Path("results") / f"compare-{args.folders[1].name}-vs-{args.folders[0].name}"
        check_destination(out, args.force)
        comparison = compare_folders(*args.folders, rule=args.statistic, metrics=args.metrics)
    elif args.scenario:
        settings = dict(parse_assignment(item) for item in args.set)
        name = f"compare-{scenario_label(args.scenario)}-vs-{scenario_label(args.baseline)}"
        out = args.out or Path("results") / name
        check_destination(out, args.force)
        given = {k: getattr(args, k) for k in RUNNING if getattr(args, k) is not None}
        try:
            comparison = run_comparison(args.scenario, args.baseline, **given, settings=settings,
                                        rule=args.statistic, metrics=args.metrics, workers=args.workers,
                                        progress=not args.quiet and sys.stderr.isatty())
        except SweepError as err:
            print(f"ydabm compare: error: {err}", file=sys.stderr)
            return 1
    else:
        raise ParameterError("give --scenario NAME (run against --baseline), or two results folders")
    written = write_comparison(comparison, out, tuple(args.format))
    print(summary_text(comparison, effects_table(comparison), out))
    for arm in (comparison.baseline, comparison.scenario):
        for seed, error in arm.failed.items():
            print(f"ydabm compare: {arm.label} seed {seed} failed: {error}", file=sys.stderr)
    figures = [p for p in written if p.suffix in (".png", ".pdf", ".svg")]
    tables = ", ".join(p.name for p in written if p not in figures)
    print(f"  {tables}; {len(figures)} figures ({', '.join(sorted({p.stem.split('_')[0] for p in figures}))})")
    return 1 if comparison.baseline.failed or comparison.scenario.failed else 0
