"""The ``ydabm sweep`` and ``ydabm report`` sub-commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..outputs import FIGURE_SUFFIXES, FIGURES_MARKER, check_output, read_json
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
    sweep.add_argument("--force", "--overwrite", dest="force", action="store_true",
                       help="delete the sweep in the results folder and start again")
    sweep.add_argument("--out", type=Path, default=None, help="results folder (default results/<name>)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_sweep)
    report = subparsers.add_parser("report", help="draw the standard figures of a sweep's results (PNG and PDF)")
    report.add_argument("results", type=Path, help="a results folder, e.g. results/barrier_specialization")
    report.add_argument("--out", type=Path, default=None, help="figures folder (default <results>/figures)")
    report.add_argument("--format", nargs="+", default=["png", "pdf"], choices=["png", "pdf", "svg"],
                        help="file formats (default: png pdf)")
    report.add_argument("--force", action="store_true", help="replace figures drawn from other results in --out")
    report.add_argument("--baseline", default=None, metavar="KEY=VALUE[,KEY=VALUE]",
                        help="the cell effects are measured from (default: the spec's scenario values, else the first levels)")
    report.set_defaults(handler=_report)


def _sweep(args) -> int:
    from .runner import SweepError, run_sweep
    if args.retry_failed and not args.resume:
        raise ParameterError("--retry-failed needs --resume")
    try:
        out = run_sweep(args.spec, args.out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                        progress=not args.quiet, retry_failed=args.retry_failed, overwrite=args.force)
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
    if not runs["failed"]:
        return 0
    import pandas as pd
    table = pd.read_parquet(out / "runs.parquet", columns=["run_id", "status", "error"])
    first = table[table["status"] != "ok"].iloc[0]
    print(f"ydabm sweep: error: {runs['failed']} of {runs['total']} runs failed (first: run {first['run_id']}: "
          f"{str(first['error']).splitlines()[0]}); errors in {out / 'runs.parquet'} (column error), tracebacks in "
          f"{out / 'runlog.parquet'}; run them again with --resume --retry-failed", file=sys.stderr)
    return 1


def _report(args) -> int:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    from .report import make_report
    if not args.results.is_dir():
        raise ParameterError(f"{args.results}: not a folder; give a sweep's results folder, e.g. results/barrier_specialization")
    out = args.out if args.out is not None else args.results / "figures"
    source = _figures_source(args.results)
    _check_figures_folder(out, source, args.force)
    paths = make_report(args.results, out, tuple(args.format), baseline=args.baseline)
    (out / FIGURES_MARKER).write_text(json.dumps(source, indent=2))
    print(f"ydabm report: {len(paths)} files -> {out}")
    import pandas as pd
    runs = pd.read_parquet(args.results / "runs.parquet", columns=["status"])
    failed = int((runs["status"] != "ok").sum())
    if failed:
        print(f"ydabm report: {failed} of {len(runs)} runs did not finish and are left out of the figures "
              f"(errors in {args.results / 'runs.parquet'}, column error)", file=sys.stderr)
    for path in paths:
        print(f"  {path}")
    return 0


def _figures_source(results: Path) -> dict:
    """What a figures folder records about the results it was drawn from (``figures.json``)."""
    manifest = read_json(results / "manifest.json") or {}
    return {"kind": "figures", "results": str(results.resolve()), "spec_hash": manifest.get("spec_hash")}


def _check_figures_folder(out: Path, source: dict, force: bool) -> None:
    """Refuse a figures folder that is a file, holds other results, or (unless ``force``) figures
    drawn from other results; with ``force``, remove those figures first."""
    if not check_output(out, "figures"):
        return
    stored = read_json(out / FIGURES_MARKER)
    if stored is None or stored == source:
        return
    if not force:
        raise ParameterError(f"{out}: holds the figures of {stored.get('results')}; pass --force to replace them, "
                             "or give another --out")
    for path in out.iterdir():
        if path.is_file() and (path.suffix in FIGURE_SUFFIXES or path.name == FIGURES_MARKER):
            path.unlink()
