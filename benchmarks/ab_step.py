"""A against B: CPU ms of each phase of the same quarter under two source trees, interleaved.

A speed-up is a ratio, and on a shared machine only a ratio measured in one run, with the two sides
interleaved, is worth reporting: a busy neighbour or a change of clock speed then slows both sides
alike. The model is built once (with tree A) at ``--ppa``, stepped twice and pickled; each round
starts one process per tree (the order alternating from round to round), which loads the state,
steps once to warm up, and then times ``--reps`` copies of the same next quarter (each from the
pickle), by phase (``phase_times.PHASES``) with the step's system time and page faults. Reported:
the median of each side over all timed quarters, the ratio B / A of the medians, and the median
and spread of the rounds' ratios.

    python benchmarks/ab_step.py --a /path/to/main/src --b /path/to/branch/src [--ppa 152] [--workers-per-firm W]
        [--rounds 6] [--reps 4] [--json]

Both trees must pickle the model compatibly (the same classes and attributes): this compares
speed-ups that keep the state, not changes of it. ``--quick``: people_per_agent 20000, 2 rounds of
2 quarters, this checkout's ``src`` on both sides.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ab_parser, emit, machine, median, note

HERE = Path(__file__).resolve().parent


def child(state: str, reps: int) -> None:
    """Time ``reps`` copies of the quarter after the pickled ``state`` (run under one tree)."""
    import gc
    import pickle
    import resource
    import time

    from phase_times import PhaseClock
    from ydabm.model import YRDModel
    clock = PhaseClock(YRDModel)
    blob = Path(state).read_bytes()
    rows = []
    for _ in range(reps + 1):                        # the first copy warms up (imports, caches, tables)
        model = pickle.loads(blob)
        gc.collect()
        clock.cpu.clear()
        before = resource.getrusage(resource.RUSAGE_SELF)
        cpu = time.process_time()
        model.step()
        step = time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_SELF)
        row = {phase: seconds * 1e3 for phase, seconds in clock.cpu.items()}
        row.update(step=step * 1e3, system=(after.ru_stime - before.ru_stime) * 1e3,
                   faults=after.ru_minflt - before.ru_minflt)
        rows.append(row)
        del model
    print(json.dumps(rows[1:]))


def build_state(src: str, ppa: float, path: str, workers_per_firm: float | None = None) -> dict:
    code = ("import pickle, sys\n"
            "from ydabm.model import YRDModel\n"
            f"model = YRDModel(rng=1, people_per_agent={ppa!r}"
            + ("" if workers_per_firm is None else f", workers_per_firm={workers_per_firm!r}") + ")\n"
            "model.step(); model.step()\n"
            f"open({path!r}, 'wb').write(pickle.dumps(model, protocol=5))\n"
            "print(model.workers.count, model.firms.size)\n")
    out = subprocess.run([sys.executable, "-c", code], env=_env(src), capture_output=True, text=True, check=True)
    workers, rows = (int(v) for v in out.stdout.split())
    return {"workers": workers, "firm_rows": rows}


def _env(src: str) -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, str(HERE)])}


def main() -> None:
    parser = ab_parser(__doc__.splitlines()[0], "worker agents per firm agent at t = 0 (default: the model's; 20 with --ppa 758: "
                       "the design point, 2e5 workers and 1e4 firms)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--reps", type=int, default=4, help="timed quarters per process")
    parser.add_argument("--quick", action="store_true", help="a small model, 2 rounds of 2 quarters (CI)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--child", nargs=2, metavar=("STATE", "REPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if args.quick:
        args.ppa, args.rounds, args.reps = 20000.0, 2, 2
    sides = {"a": args.a, "b": args.b}
    with tempfile.TemporaryDirectory() as tmp:
        state = str(Path(tmp) / "state.pkl")
        note(f"building the state at people_per_agent {args.ppa:g} with {args.a} ...")
        size = build_state(args.a, args.ppa, state, args.workers_per_firm)
        rows = {side: [] for side in sides}
        ratios = []
        for round_ in range(args.rounds):
            order = ("a", "b") if round_ % 2 == 0 else ("b", "a")
            got = {}
            for side in order:
                out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", state, str(args.reps)],
                                     env=_env(sides[side]), capture_output=True, text=True, check=True)
                got[side] = json.loads(out.stdout)
                rows[side] += got[side]
            ratios.append(median([r["step"] for r in got["b"]]) / median([r["step"] for r in got["a"]]))
    phases = sorted({key for side in rows.values() for row in side for key in row})
    table = {side: {key: median([row.get(key, 0.0) for row in rows[side]]) for key in phases} for side in sides}
    result = {"step_ratio": table["b"]["step"] / table["a"]["step"],
              "round_ratios_median": median(ratios), "round_ratios_min": min(ratios), "round_ratios_max": max(ratios),
              "cpu_ms_a": table["a"], "cpu_ms_b": table["b"],
              "phase_ratios": {key: table["b"][key] / table["a"][key] for key in phases if table["a"][key] > 0},
              "a": args.a, "b": args.b, "people_per_agent": args.ppa, "workers_per_firm": args.workers_per_firm, **size,
              "rounds": args.rounds, "quarters_per_side": len(rows["a"]), "quick": args.quick, "machine": machine()}
    emit(result, args.json, ("step_ratio", "round_ratios_median", "phase_ratios", "cpu_ms_a", "cpu_ms_b"))


if __name__ == "__main__":
    main()
