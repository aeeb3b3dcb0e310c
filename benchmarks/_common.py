"""Shared plumbing of the benchmark scripts: one-thread numerics, scales, timing, output.

Import this module before numpy: it pins every numerics thread pool to one thread, so that each
figure is a per-core figure (BLAS, OpenMP and numexpr would otherwise use both cores). It also lets
the C allocator reuse freed blocks (:func:`ydabm.allocator.keep_freed_memory`, where ydabm has it):
without it a step at 1e6 workers spends 4-8 ms of system time on page faults of arrays freed and
allocated again; ``machine()`` records whether it took effect (``allocator_keeps_freed``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

try:                                   # (a checkout of ydabm from before the allocator module: skipped)
    from ydabm.allocator import keep_freed_memory as _keep_freed_memory
except ImportError:
    _keep_freed_memory = None
#: whether the C allocator keeps freed blocks for reuse in this process
ALLOCATOR_KEEPS_FREED = bool(_keep_freed_memory and _keep_freed_memory())

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def yrd_workers() -> float:
    """Working-age residents of the YRD's 41 cities (persons): what the worker agents stand for
    (``ydabm.calibration.working_age_population`` at the default parameters; about 1.515e8 of the
    2.352e8 residents of the 2020 census)."""
    from ydabm.capacity_check import _population
    from ydabm.params import Params
    p = Params()
    return float(_population(p.world, p.network_file, p.racetrack_cities, p.trade_cost,
                             p.working_age_share, p.migrant_working_age_share).sum())


def people_per_agent(workers: float) -> float:
    """``people_per_agent`` that gives about ``workers`` worker agents for the YRD (1515 -> 1e5)."""
    return round(yrd_workers() / workers)


def parse_args(description: str, extra=None) -> argparse.Namespace:
    """``--quick`` and ``--json``, and the script's own options when ``extra`` (a function of the
    parser that adds them) is given."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="small scales and few repeats: proves the script runs (CI), in well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def ab_parser(description: str, workers_per_firm_help: str) -> argparse.ArgumentParser:
    """The arguments every A/B script shares: the two source trees, the scale and the firm size."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--a", default=str(ROOT / "src"), help="source tree A (the reference)")
    parser.add_argument("--b", default=str(ROOT / "src"), help="source tree B (the change)")
    parser.add_argument("--ppa", type=float, default=152.0, help="people_per_agent (152: about 1e6 workers)")
    parser.add_argument("--workers-per-firm", type=float, default=None, help=workers_per_firm_help)
    return parser


def timed(call: Callable[[], Any]) -> float:
    """Wall-clock seconds of one call."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def machine() -> dict[str, Any]:
    """What the figures were measured on: cores, CPU model, RAM, Python and library versions, and the
    processor kernels numpy and its BLAS use (:func:`ydabm.run.float_kernels`: an AVX-512 machine
    runs other kernels than an AVX2 one, at another speed)."""
    import mesa
    import numpy as np
    from ydabm.run import float_kernels
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": ram, "python": platform.python_version(),
            "numpy": np.__version__, "mesa": mesa.__version__, "threads_per_process": 1,
            "allocator_keeps_freed": ALLOCATOR_KEEPS_FREED, "float_kernels": float_kernels()}


def emit(result: dict[str, Any], as_json: bool, headline: tuple[str, ...]) -> None:
    """Print ``result`` as one JSON object, or as a readable table of the ``headline`` keys first."""
    if as_json:
        print(json.dumps(result, default=_plain))
        return
    width = max(len(k) for k in result)
    for key in (*headline, *(k for k in result if k not in headline)):
        print(f"{key:<{width}}  {_fmt(result[key])}")


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _fmt(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    return str(value)


def note(message: str) -> None:
    """Progress messages go to stderr, so that ``--json`` output stays one object on stdout."""
    print(message, file=sys.stderr, flush=True)
