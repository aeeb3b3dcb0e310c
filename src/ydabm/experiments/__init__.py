"""Batch experiments: sweep specs, the runner and its executors, result storage, reports.

``run_sweep(spec, out)`` runs a ``sweep.toml`` on every core, or on a Dask cluster, storing each
run as it ends; ``make_report(results)`` draws the standard figures. The model never imports this
package.
"""

from .runner import run_one, run_sweep
from .spec import Plan, SweepSpec, build_plan, load_spec

__all__ = ["Plan", "SweepSpec", "build_plan", "load_spec", "make_report", "run_one", "run_sweep"]


def make_report(results, out=None, formats=("png", "pdf"), baseline=None):
    """Draw the standard figures of a results folder (see :mod:`ydabm.experiments.report`)."""
    from .report import make_report as _make_report
    return _make_report(results, out, formats, baseline)
