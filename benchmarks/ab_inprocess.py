"""A against B in one process: CPU ms of each phase of the same quarters under two source trees,
the quarters of the two models interleaved one by one.

``ab_step.py`` times each tree in its own processes, round after round; on a shared machine whose
speed moves by 20 % or more within minutes, its ratios then carry that drift (main against main gave
0.85 on 3 Dec 2026). Here both trees are imported in one process (tree A as ``ydabm``, tree B as
``ydabm_b``), each builds the same model (seed 1) and steps it twice, and then the two models step
in turn, A then B and B then A on alternate quarters, so that each quarter is timed on both trees a
few milliseconds apart. For changes that keep outputs identical the two models do the same work
quarter by quarter, which is checked at the end (``outputs_identical``: workers, staff, the
generator's state and every model metric). Reported: the median of each side over the quarters, per
phase (``phase_times.PHASES``) and for the step, and the median and quartiles of the quarters' B / A
ratios.

    python benchmarks/ab_inprocess.py --a /path/to/main/src --b /path/to/branch/src [--ppa 152]
        [--workers-per-firm W] [--quarters 60] [--json]

Each tree's ``configs`` must sit beside its ``src`` (a checkout or ``git archive ... src configs``).
``--quick``: people_per_agent 20000 and 4 quarters, this checkout's ``src`` on both sides.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import ab_parser

HERE = Path(__file__).resolve().parent


def child(b_src: str, ppa: float, quarters: int, workers_per_firm: float | None) -> None:
    """Build and step both models in this process (tree A is ``ydabm`` on the path); print the JSON."""
    import _common  # noqa: F401  (pins numerics threads before numpy is imported)

    import gc
    import importlib.util
    import json
    import time

    import numpy as np

    from phase_times import PhaseClock

    spec = importlib.util.spec_from_file_location("ydabm_b", str(Path(b_src) / "ydabm" / "__init__.py"),
                                                  submodule_search_locations=[str(Path(b_src) / "ydabm")])
    package = importlib.util.module_from_spec(spec)
    sys.modules["ydabm_b"] = package
    spec.loader.exec_module(package)
    import ydabm.model as model_a
    import ydabm_b.model as model_b

    sides = {"a": model_a.YRDModel, "b": model_b.YRDModel}
    clocks = {side: PhaseClock(cls) for side, cls in sides.items()}
    extra = {} if workers_per_firm is None else {"workers_per_firm": workers_per_firm}
    models = {side: cls(rng=1, people_per_agent=ppa, **extra) for side, cls in sides.items()}
    for model in models.values():
        model.step()
        model.step()
    rows = {"a": [], "b": []}
    for quarter in range(quarters):
        for side in ("a", "b") if quarter % 2 == 0 else ("b", "a"):
            clock = clocks[side]
            gc.collect()
            clock.cpu.clear()
            start = time.process_time()
            models[side].step()
            row = {phase: seconds * 1e3 for phase, seconds in clock.cpu.items()}
            row["step"] = (time.process_time() - start) * 1e3
            rows[side].append(row)
    a, b = models["a"], models["b"]
    identical = (all(np.array_equal(getattr(a.workers, c), getattr(b.workers, c))
                     for c in ("employer", "city", "hukou", "skill", "market"))
                 and np.array_equal(a.firms.employees, b.firms.employees)
                 and a.rng.bit_generator.state == b.rng.bit_generator.state
                 and a.datacollector.get_model_vars_dataframe().equals(b.datacollector.get_model_vars_dataframe()))
    print(json.dumps({"rows": rows, "workers": int(a.workers.count), "firm_rows": int(a.firms.size),
                      "outputs_identical": bool(identical)}))


def main() -> None:
    parser = ab_parser(__doc__.splitlines()[0], "worker agents per firm agent at t = 0 (20 with --ppa 758: the design point)")
    parser.add_argument("--quarters", type=int, default=60, help="quarters timed on each tree")
    parser.add_argument("--quick", action="store_true", help="a small model, 4 quarters (CI)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.b, args.ppa, args.quarters, args.workers_per_firm)
        return
    if args.quick:
        args.ppa, args.quarters = 20000.0, 4
    import json

    import numpy as np

    from _common import emit, machine, median, note
    note(f"{args.quarters} quarters a side at people_per_agent {args.ppa:g}, A {args.a}, B {args.b} ...")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--b", args.b, "--ppa", str(args.ppa),
               "--quarters", str(args.quarters)]
    if args.workers_per_firm is not None:
        command += ["--workers-per-firm", str(args.workers_per_firm)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([args.a, str(HERE)])}
    out = json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
    rows = out.pop("rows")
    phases = sorted({key for side in rows.values() for row in side for key in row})
    table = {side: {key: median([row.get(key, 0.0) for row in rows[side]]) for key in phases} for side in rows}
    ratios = {}
    for key in phases:
        pairs = [(ra.get(key, 0.0), rb.get(key, 0.0)) for ra, rb in zip(rows["a"], rows["b"])]
        quotients = [b / a for a, b in pairs if a > 0]
        if quotients:
            q25, q50, q75 = np.percentile(quotients, [25, 50, 75])
            ratios[key] = {"median": float(q50), "q25": float(q25), "q75": float(q75)}
    result = {"step_ratio": ratios["step"]["median"], "step_ratio_q25": ratios["step"]["q25"],
              "step_ratio_q75": ratios["step"]["q75"], "quarter_ratios": ratios,
              "cpu_ms_a": table["a"], "cpu_ms_b": table["b"], **out, "a": args.a, "b": args.b,
              "people_per_agent": args.ppa, "workers_per_firm": args.workers_per_firm,
              "quarters_per_side": args.quarters, "quick": args.quick, "machine": machine()}
    emit(result, args.json, ("step_ratio", "step_ratio_q25", "step_ratio_q75", "outputs_identical", "cpu_ms_a",
                             "cpu_ms_b"))


if __name__ == "__main__":
    main()
