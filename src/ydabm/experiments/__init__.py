"""Batch experiments: sweep specs, the runner and its executors, result storage, reports.

``run_sweep(spec, out)`` runs a ``sweep.toml`` on every core, or on a Dask cluster, storing each
run as it ends; ``make_report(results)`` draws the standard figures. The model never imports this
package. Its names are imported on first use (PEP 562), so that the ``ydabm`` command, which imports
the package's ``cli`` modules to list their sub-commands, does not import the runner, pandas or the
model before a command needs them.
"""

__all__ = ["Plan", "SweepSpec", "build_plan", "load_spec", "make_report", "run_one", "run_sweep"]

#: where each name of ``__all__`` is defined (imported on first use)
_LAZY = {"run_one": ".runner", "run_sweep": ".runner", "Plan": ".spec", "SweepSpec": ".spec",
         "build_plan": ".spec", "load_spec": ".spec"}


def make_report(results, out=None, formats=("png", "pdf"), baseline=None):
    """Draw the standard figures of a results folder (see :mod:`ydabm.experiments.report`)."""
    from .report import make_report as _make_report
    return _make_report(results, out, formats, baseline)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
