"""Scale table (issue 15): build seconds, seconds per quarter and peak memory against
``people_per_agent``, each scale in its own process, with a log-log fit extrapolated to one agent
per person.

For each ``people_per_agent`` (default 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 3, 2) a child
process imports ydabm, builds ``YRDModel(rng=1, people_per_agent=...)`` (timed: wall and CPU
seconds) and steps it ``--quarters`` times (default 3; a full garbage collection, untimed, before
each); ``s_per_quarter`` is the median wall time of those quarters, ``cpu_s_per_quarter`` the
median CPU time (the one-core figure when other processes share the cores). ``peak_gb`` is the child's
peak resident set size (``ru_maxrss``: what the operating system must hold, allocator slack and
the interpreter included), ``model_peak_gb`` the same less the resident size after the imports.
A scale whose estimated peak (:func:`ydabm.capacity_check.estimate_bytes`) exceeds ``--max-gb``
(default 8: the machine is shared) or what the machine has available is not started; it is listed
as skipped. The fits use the scales with at least 10^7 workers: times as a power law of workers
(a least-squares line of log(figure) on log(workers)), the peak memory as a line (a fixed part plus
bytes per worker); ``extrapolated_*`` evaluate them at people_per_agent = 1 (151.5 million working-age workers):
an extrapolation, not a measurement.

``--tracemalloc`` instead measures, in a child per scale, the bytes per worker of everything
allocated through Python and numpy (``tracemalloc``) at the build's peak and at the peak of the
quarters, and the worker columns' bytes (the figures of ``memory.py``, at any scale).

    python benchmarks/scale_table.py [--quick] [--json] [--ppa 2000,200,20] [--quarters 3]
                                     [--max-gb 8] [--figure docs/img/scale.png] [--tracemalloc]
    python benchmarks/scale_table.py --replot saved.json --figure docs/img/scale.png [--json]

``--quick`` runs people_per_agent 20000 and 10000 (about 12,000 and 24,000 workers), 2 quarters.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, machine, note

#: the figures fitted against workers (wall and CPU seconds: on a shared machine the CPU time is the
#: one-core figure, the wall time also counts waiting for the core)
FITTED = ("build_s", "build_cpu_s", "s_per_quarter", "cpu_s_per_quarter", "peak_gb")
#: the figures fitted as a line (fixed part + per worker) rather than a power law
LINEAR = ("peak_gb",)
#: the fit uses the scales with at least this many workers (where the fixed costs no longer dominate)
FIT_FROM = 1e7
DEFAULT_SCALES = (2000, 1000, 500, 200, 100, 50, 20, 10, 5, 3, 2)
QUICK_SCALES = (20000, 10000)


def rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> int:
    """Resident set size of this process now (``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(ppa: float, quarters: int, params: dict, trace: bool) -> dict:
    """Build and step one model in this process; the figures of one row of the table."""
    import numpy as np  # noqa: F401  (imported before the baseline, like the model's own imports)
    from ydabm.model import YRDModel
    gc.collect()
    after_imports = current_rss_bytes()
    if trace:
        import tracemalloc
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
    start, cpu = time.perf_counter(), time.process_time()
    model = YRDModel(rng=1, people_per_agent=ppa, **params)
    build_s, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    workers = model.workers.count
    row = {"people_per_agent": ppa, "workers": workers, "firm_rows": int(model.firms.size),
           "firms": int(model.firms.count), "build_s": build_s, "build_cpu_s": build_cpu}
    if trace:
        held, build_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
    build_rss = rss_bytes()
    times, cpu_times = [], []
    for _ in range(quarters):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        model.step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    row.update({"s_per_quarter": statistics.median(times), "cpu_s_per_quarter": statistics.median(cpu_times),
                "quarter_s": times, "peak_gb": rss_bytes() / 1e9, "build_peak_gb": build_rss / 1e9,
                "model_peak_gb": (rss_bytes() - after_imports) / 1e9, "after_imports_gb": after_imports / 1e9,
                "firm_rows_after": int(model.firms.size)})
    if trace:
        _, step_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        row.update({"build_peak_bytes_per_worker": (build_peak - base) / workers,
                    "step_peak_bytes_per_worker": (step_peak - base) / workers,
                    "held_bytes_per_worker": (held - base) / workers,
                    "worker_column_bytes_per_worker": model.workers.nbytes() / workers,
                    "firm_column_bytes_per_row": model.firms.nbytes() / model.firms.size})
    return row


def run_child(ppa: float, quarters: int, params: dict, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", repr(ppa), "--quarters", str(quarters),
               "--params", json.dumps(params)] + (["--tracemalloc"] if trace else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return {"people_per_agent": ppa, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def fit(rows: list[dict], key: str, at: float) -> dict | None:
    """The figure ``key`` against workers over ``rows``, evaluated at ``at`` workers.

    Memory (``peak_gb``) is a fixed part plus a part per agent, so it is fitted as a line,
    peak = a + b workers (``slope``: bytes per worker; ``intercept``: GB); times as a power law,
    log(key) = a + b log(workers) (``slope``: the exponent). Both by least squares.
    """
    import numpy as np
    points = [(r["workers"], r[key]) for r in rows if r.get(key, 0) > 0]
    if len(points) < 2:
        return None
    x, y = np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)
    if key in LINEAR:
        slope, intercept = np.polyfit(x, y, 1)
        value, predicted = intercept + slope * at, intercept + slope * x
        return {"form": "linear", "slope_bytes_per_worker": float(slope * 1e9), "intercept": float(intercept),
                "at": float(value), "max_rel_residual": float(np.abs(y / predicted - 1).max()), "points": len(points)}
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    residual = np.log(y) - (intercept + slope * np.log(x))
    return {"form": "power", "slope": float(slope), "intercept": float(intercept),
            "at": float(np.exp(intercept + slope * np.log(at))),
            "max_abs_log_residual": float(np.abs(residual).max()), "points": len(points)}


def curve(f: dict, grid):
    import numpy as np
    if f["form"] == "linear":
        return f["intercept"] + f["slope_bytes_per_worker"] / 1e9 * grid
    return np.exp(f["intercept"] + f["slope"] * np.log(grid))


def figure(rows: list[dict], fits: dict, full_workers: float, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=(7, 4.5))
    workers = np.array([r["workers"] for r in rows])
    grid = np.geomspace(workers.min(), full_workers, 50)
    for key, label, marker in (("build_cpu_s", "build, CPU s", "o"), ("cpu_s_per_quarter", "CPU s per quarter", "s"),
                               ("peak_gb", "peak memory, GB (RSS)", "^")):
        line, = ax.plot(workers, [r[key] for r in rows], marker=marker, linestyle="none", label=label)
        if fits.get(key):
            f = fits[key]
            ax.plot(grid, curve(f, grid), color=line.get_color(),
                    linestyle="--", linewidth=1)
            ax.plot([full_workers], [f["at"]], marker=marker, markerfacecolor="none", color=line.get_color())
    ax.axvline(full_workers, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.text(full_workers, 0.03, "1 person per agent\n(extrapolated) ", fontsize=8, ha="right",
            transform=ax.get_xaxis_transform())
    ax.set_xlabel("worker agents (people_per_agent = 1.515e8 / workers)")
    ax.set_title("ydabm scale: measured (filled), fit over >= 1e7 workers (dashed), one core", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", linewidth=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small scales, 2 quarters (CI)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--ppa", default=None, help="comma-separated people_per_agent values")
    parser.add_argument("--quarters", type=int, default=None, help="timed quarters per scale (default 3)")
    parser.add_argument("--max-gb", type=float, default=8.0, help="largest estimated peak to start (default 8)")
    parser.add_argument("--figure", type=Path, default=None, help="write the log-log figure here")
    parser.add_argument("--tracemalloc", action="store_true", help="bytes per worker by tracemalloc")
    parser.add_argument("--replot", type=Path, default=None,
                        help="refit and redraw from a saved --json result instead of running (with --figure)")
    parser.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    quarters = args.quarters or (2 if args.quick else 3)
    params = json.loads(args.params)
    if args.child is not None:
        print(json.dumps(child(args.child, quarters, params, args.tracemalloc)))
        return
    from ydabm.capacity_check import available_bytes, estimate_for
    from ydabm.params import Params
    scales = [float(v) for v in args.ppa.split(",")] if args.ppa else (QUICK_SCALES if args.quick else DEFAULT_SCALES)
    rows, skipped = [], []
    if args.replot:
        saved = json.loads(args.replot.read_text())
        rows, skipped, scales = saved["rows"], saved["skipped"], []
    for ppa in scales:
        workers, firms, estimate = estimate_for(Params.build({"people_per_agent": ppa, **params}))
        if estimate > args.max_gb * 1e9 or estimate > available_bytes():
            note(f"people_per_agent {ppa:g}: estimated peak {estimate / 1e9:.1f} GB, not started")
            skipped.append({"people_per_agent": ppa, "workers": workers, "estimated_gb": estimate / 1e9})
            continue
        note(f"people_per_agent {ppa:g}: {workers:,} workers, estimated peak {estimate / 1e9:.2f} GB ...")
        row = run_child(ppa, quarters, params, args.tracemalloc)
        row["estimated_gb"] = estimate / 1e9
        rows.append(row)
        note(f"  {json.dumps(row)}")
    measured = [r for r in rows if "error" not in r]
    full_workers = estimate_for(Params.build({"people_per_agent": 1.0, **params}))[0]
    large = [r for r in measured if r["workers"] >= FIT_FROM]
    fits = {key: fit(large, key, full_workers) for key in FITTED} if not args.tracemalloc else {}
    if args.figure and measured and not args.tracemalloc:
        figure(measured, fits, full_workers, args.figure)
    result = {"rows": rows, "skipped": skipped, "fits_from_1e7_workers": fits,
              "extrapolated_workers_at_ppa_1": full_workers,
              **{f"extrapolated_{k}_at_ppa_1": v["at"] for k, v in fits.items() if v},
              "quarters": quarters, "quick": args.quick, "machine": machine()}
    if measured:
        result["smallest_ppa_measured"] = min(r["people_per_agent"] for r in measured)
        result["largest_peak_gb"] = max(r["peak_gb"] for r in measured)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'people/agent':>12} {'workers':>12} {'firms':>9} {'build s':>8} {'(CPU)':>7} {'s/quarter':>9} "
          f"{'(CPU)':>7} {'peak GB':>8} {'est. GB':>8}")
    for r in rows:
        if "error" in r:
            print(f"{r['people_per_agent']:>12g} failed: {r['error']}")
            continue
        print(f"{r['people_per_agent']:>12g} {r['workers']:>12,} {r['firms']:>9,} {r['build_s']:>8.2f} "
              f"{r['build_cpu_s']:>7.2f} {r['s_per_quarter']:>9.3f} {r['cpu_s_per_quarter']:>7.3f} "
              f"{r['peak_gb']:>8.2f} {r['estimated_gb']:>8.2f}")
    for s in skipped:
        print(f"{s['people_per_agent']:>12g} {s['workers']:>12,}   skipped: estimated {s['estimated_gb']:.1f} GB")
    for key, f in fits.items():
        if f:
            form = (f"{f['intercept']:.3f} GB + {f['slope_bytes_per_worker']:.1f} bytes x workers"
                    if f["form"] == "linear" else f"workers^{f['slope']:.3f}")
            print(f"fit {key} ~ {form} over {f['points']} scales; at people_per_agent 1 ({full_workers:,} "
                  f"workers): {f['at']:.3g} (extrapolated)")


if __name__ == "__main__":
    main()
