"""The ``ydabm sweep`` and ``ydabm report`` sub-commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..params import ParameterError


def register(subparsers) -> None:
    """Add ``sweep`` and ``report`` to the ``ydabm`` command."""
    sweep = subparsers.add_parser("sweep", help="run a batch experiment from a sweep.toml spec",
                                  description="Run every run of a sweep spec on all cores or a Dask cluster; "
                                              "each run is stored as it ends (see docs/sweeps.md).")
    sweep.add_argument("spec", type=Path, help="the spec, e.g. experiments/barrier_specialization/sweep.toml")
    sweep.add_argument("--workers", type=int, default=None,
                       help="local processes (default: every core; 1 runs in this process)")
    sweep.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="run on the Dask cluster of this scheduler instead of local processes")
    sweep.add_argument("--resume", action="store_true", help="continue the sweep in the results folder")
    sweep.add_argument("--retry-failed", action="store_true", help="with --resume: run failed runs again")
    sweep.add_argument("--overwrite", action="store_true", help="delete the results folder's sweep and start again")
    sweep.add_argument("--out", type=Path, default=None, help="results folder (default results/<name>)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_sweep)
    report = subparsers.add_parser("report", help="draw the standard figures of a sweep's results (PNG and PDF)")
    report.add_argument("results", type=Path, help="a results folder, e.g. results/barrier_specialization")
    report.add_argument("--out", type=Path, default=None, help="figures folder (default <results>/figures)")
    report.add_argument("--format", nargs="+", default=["png", "pdf"], choices=["png", "pdf", "svg"],
                        help="file formats (default: png pdf)")
    report.set_defaults(handler=_report)


def _sweep(args) -> int:
    from .runner import SweepError, run_sweep
    if args.retry_failed and not args.resume:
        raise ParameterError("--retry-failed needs --resume")
    try:
        out = run_sweep(args.spec, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                        progress=not args.quiet, retry_failed=args.retry_failed, overwrite=args.overwrite)
    except SweepError as err:
        print(f"ydabm sweep: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ydabm sweep: interrupted; the finished runs are stored, continue with --resume", file=sys.stderr)
        return 130
    manifest = json.loads((out / "manifest.json").read_text())
    runs, session = manifest["runs"], manifest["sessions"][-1]
    rate = f", {session['runs_per_hour']:.0f} runs/hour" if session["runs_per_hour"] else ""
    print(f"ydabm sweep: {manifest['name']}: {runs['done']} of {runs['total']} runs done, {runs['failed']} failed; "
          f"this session ran {session['ran']} in {session['seconds']:.1f} s on {session['executor']}{rate} -> {out}")
    if runs["failed"]:
        import pandas as pd
        table = pd.read_parquet(out / "runs.parquet", columns=["run_id", "error"])
        first = table[table["error"].notna()].iloc[0]
        print(f"  first failure: run {first['run_id']}: {first['error']} (tracebacks in runlog.parquet)",
              file=sys.stderr)
    return 0


def _report(args) -> int:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    from .report import make_report
    paths = make_report(args.results, args.out, tuple(args.format))
    print(f"ydabm report: {len(paths)} files -> {paths[0].parent if paths else args.out}")
    for path in paths:
        print(f"  {path}")
    return 0
