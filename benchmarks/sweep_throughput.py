"""Sweep throughput: runs per hour of one fixed small sweep with 1 and with 2 worker processes.

The sweep (``SWEEP``: barrier at four levels x two replicates, baseline scenario) runs at the scale
of the design target, 2e5 workers and 80 quarters per run, through the project's runner,
``ydabm.experiments.run_sweep(spec, out, workers=N, progress=False)``, into a temporary folder: with
``workers=1`` the runs execute in this process, with ``workers=2`` in a pool of two processes
forked from a fork server that imports ydabm and Mesa first (where the platform has no fork server,
two spawned interpreters that each import them); that start-up is part of the cost. ``sweep_scaling`` = runs
per hour with 2 processes / with 1, measured in the same run. On a shared machine other processes
take CPU from the pool: ``core_share_2`` says how much of the two cores the 2-process sweep got, and
``sweep_scaling_cpu`` (2 x CPU seconds with 1 process / CPU seconds with 2) is the scaling the same
work would reach on two idle cores. ``projected_1000_runs_minutes`` is the
time of the design target's sweep (1,000 such runs on 2 cores, goal: under 30 minutes) at the
2-process rate.

    python benchmarks/sweep_throughput.py [--quick] [--json] [--replicates R]

``--replicates`` sets the replicates per barrier level (default 2: 8 runs). The pool's start-up
(the fork server importing the model, then forking the workers) is paid once per sweep, so the
scaling of a small sweep is lower than a long one's: ``pool_overhead_seconds`` is the 2-process
wall time beyond half the runs' summed run time as the runner logged it (start-up, storing, the
last run's wait), and ``sweep_scaling`` at ``--replicates 10`` (40 runs, about 1.5 minutes) is
closer to what a sweep of hundreds of runs gets.

After the sweeps, the build of one run at the sweep's scale is timed in this process, cold (the
calibrated state of :mod:`ydabm.calibrated_state` forgotten first) and warm (it kept, as every run of
a worker after its first), median of three, wall and CPU seconds: ``build_seconds_cold`` /
``build_seconds_warm`` and ``build_cpu_cold`` / ``build_cpu_warm``; ``warm_worker_import_cpu`` is the
CPU time a fresh interpreter takes to import the model (once per worker process). With a burn-in
(``BURN_IN`` years of the shock economy, ``SHOCKS``) the build is timed, interleaved, burning in
(the store of :mod:`ydabm.burnt_state` emptied first) and copying the state a run of the same seed
kept, as every later run of that seed in a worker does: ``burn_in_cpu_fresh`` / ``burn_in_cpu_copied``
and their ratio ``burn_in_copy_ratio``.

``--quick`` runs one replicate (four runs) at 1e4 workers and 4 quarters, and a burn-in of one year.
The load average before each sweep is reported: another busy process on a 2-core machine lowers the
2-process figure.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, emit, machine, median, note, parse_args, people_per_agent, timed

SWEEP = {
    "name": "benchmark",
    "scenario": "baseline",
    "replicates": 2,
    "seed": 20261128,
    "keep": ["final"],
    "vary": {"barrier": [0.0, 1 / 3, 2 / 3, 1.0]},
}


def sweep_spec(workers: float, steps: int) -> dict:
    return {**SWEEP, "steps": steps, "set": {"people_per_agent": people_per_agent(workers)}}


def runs_in(spec: dict) -> int:
    return spec["replicates"] * len(spec["vary"]["barrier"])


def cpu_seconds() -> float:
    """CPU time of this process, of its finished (reaped) children and of the children still alive
    with what they reaped (the pool's fork server, which forks and reaps the workers), user + system."""
    import psutil
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    for child in psutil.Process().children():
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        live += times.user + times.system + times.children_user + times.children_system
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + live


def build_times(spec: dict, repeats: int = 3) -> dict:
    """Median wall and CPU seconds of building one run of the sweep, cold and warm (see above)."""
    from ydabm import calibrated_state
    from ydabm.model import YRDModel
    from ydabm.params import Params
    params = Params.build(spec["set"])
    YRDModel(rng=0, params=params)                       # file readers and imports warmed up
    times = {"cold": [], "warm": []}
    for seed in range(repeats):
        for kind in ("cold", "warm"):
            if kind == "cold":
                calibrated_state.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            YRDModel(rng=seed, params=params)
            times[kind].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {f"build_{what}_{kind}": median([t[i] for t in runs]) for kind, runs in times.items()
            for i, what in enumerate(("seconds", "cpu"))}


#: the shock economy of docs/validation.md, whose burn-in the model's ``burn_in`` is for
SHOCKS = {"productivity_persistence": 0.8, "max_cohort_share": 0.2, "failing_exit_share": 0.25, "credit_spells": 1}
BURN_IN = 10


def burn_in_times(spec: dict, years: int, repeats: int = 3) -> dict:
    """Median CPU seconds of building one run of the sweep with a burn-in of ``years``: burning in,
    and copying the kept state of a run with the same seed (see above)."""
    from ydabm import burnt_state
    from ydabm.model import YRDModel
    from ydabm.params import Params
    params = Params.build({**spec["set"], **SHOCKS, "burn_in": years})
    times = {"fresh": [], "copied": []}
    for seed in range(repeats):
        for kind in ("fresh", "copied"):
            if kind == "fresh":
                burnt_state.clear()
            cpu = time.process_time()
            YRDModel(rng=seed, params=params)
            times[kind].append(time.process_time() - cpu)
    burnt_state.clear()
    result = {f"burn_in_cpu_{kind}": median(runs) for kind, runs in times.items()}
    return {**result, "burn_in_years": years,
            "burn_in_copy_ratio": result["burn_in_cpu_copied"] / result["burn_in_cpu_fresh"]}


def import_cpu() -> float:
    """CPU seconds a fresh interpreter spends importing the model: each spawned worker's start-up, or
    once per sweep process in the fork server that forks the workers."""
    code = "import time; import ydabm.experiments.runner, ydabm.run; print(time.process_time())"
    path = [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.strip())


def timed_sweep(spec: dict, processes: int) -> dict:
    """Run the whole sweep with ``processes`` workers: its wall seconds, the CPU seconds it used
    (this process and the pool's, whose workers have exited when ``run_sweep`` returns) and the mean seconds
    of one run as the runner logged it (``runlog.parquet``)."""
    import pandas as pd
    from ydabm.experiments import run_sweep
    folder = Path(tempfile.mkdtemp(prefix="ydabm-bench-sweep-"))
    try:
        note(f"sweep of {runs_in(spec)} runs with {processes} process(es), load average {os.getloadavg()[0]:.2f} ...")
        cpu = cpu_seconds()
        wall = timed(lambda: run_sweep(spec, folder / "out", workers=processes, progress=False))
        cpu = cpu_seconds() - cpu
        log = pd.read_parquet(folder / "out" / "runlog.parquet")
        return {"wall": wall, "cpu": cpu, "run": float(log["seconds"].mean())}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], lambda parser: parser.add_argument(
        "--replicates", type=int, default=None,
        help=f"replicates per barrier level (default {SWEEP['replicates']}; 1 with --quick)"))
    workers, steps = (1e4, 4) if args.quick else (2e5, 80)
    spec = sweep_spec(workers, steps)
    if args.replicates is not None:
        if args.replicates < 1:
            raise SystemExit(f"sweep_throughput.py: --replicates = {args.replicates}; allowed: 1 or more")
        spec["replicates"] = args.replicates
    elif args.quick:
        spec["replicates"] = 1
    runs = runs_in(spec)
    load = os.getloadavg()[0]
    first = timed_sweep(spec, 1)
    second = timed_sweep(spec, 2)
    note(f"build of one run, cold and warm, load average {os.getloadavg()[0]:.2f} ...")
    builds = build_times(spec)
    burn_in = burn_in_times(spec, 1 if args.quick else BURN_IN)
    worker_import = import_cpu()
    one, two = first["wall"], second["wall"]
    result = {
        "sweep_runs_per_hour_1": runs / one * 3600,
        "sweep_runs_per_hour_2": runs / two * 3600,
        "sweep_scaling": one / two,
        "sweep_runs": runs,
        "sweep_workers_per_run": workers,
        "sweep_steps_per_run": steps,
        "seconds_1": one,
        "seconds_2": two,
        "mean_run_seconds_1": first["run"],
        "mean_run_seconds_2": second["run"],
        # the 2-process sweep's wall time beyond its runs' own, shared by two: what the pool adds
        "pool_overhead_seconds": two - runs * second["run"] / 2,
        "cpu_seconds_1": first["cpu"],
        "cpu_seconds_2": second["cpu"],
        # share of the two cores the 2-process sweep got: below 1 when other processes compete
        "core_share_2": second["cpu"] / (2 * two),
        # the scaling the same work would reach on two otherwise idle cores (CPU time only: the
        # pool's start-up and storing count, competing processes do not)
        "sweep_scaling_cpu": 2 * first["cpu"] / second["cpu"],
        "load_average_before": load,
        "load_average_after": os.getloadavg()[0],
        **builds,
        **burn_in,
        "warm_worker_import_cpu": worker_import,
        "quick": args.quick,
    }
    if not args.quick:
        result["projected_1000_runs_minutes"] = 1000 * two / runs / 60
        # the same on two cores nobody else uses: the CPU time of the 2-process sweep, split in two
        result["projected_1000_runs_minutes_idle_cores"] = 1000 * second["cpu"] / runs / 2 / 60
    result["machine"] = machine()
    emit(result, args.json, ("sweep_runs_per_hour_1", "sweep_runs_per_hour_2", "sweep_scaling"))


if __name__ == "__main__":
    main()
