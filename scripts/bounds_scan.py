"""Every numeric parameter at both ends of its declared bounds: does a run stay in the model's domain?

A diagnostic for issue 10 item 8 (every value inside a declared bound is one the model handles): runs
the no-shock baseline with one parameter at its lower or upper bound (the others at their defaults)
and prints, per run, the lowest manufacturing capacity utilisation (marked below ``LOW_UTILISATION``;
docs/validation.md, "Beyond ten years") and the highest unemployment rate, or the error a run raised. Parameters that choose the
world or the scale (``SKIPPED``) are left out.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/bounds_scan.py [--seed 1] [--quarters 40] \
        [--people-per-agent 5000] [--workers 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

from ydabm.allocator import keep_freed_memory
from ydabm.model import YRDModel
from ydabm.params import PARAMS

#: parameters that choose the world, its files or the agent scale, and migration_elasticity (above
#: about 5 the calibration's amenity inversion takes thousands of iterations)
SKIPPED = {"people_per_agent", "workers_per_firm", "world", "racetrack_cities", "network_file", "sectors_file",
           "io_concordance", "start_year", "initial_core_share", "migration_elasticity"}
#: manufacturing utilisation below this is marked
LOW_UTILISATION = 0.6


def run(task: tuple[str, float, int, int, float]) -> dict:
    name, value, seed, quarters, people_per_agent = task
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    record = {"parameter": name, "value": value}
    try:
        model = YRDModel(rng=seed, people_per_agent=people_per_agent, **{name: value})
        for _ in range(quarters):
            model.step()
    except Exception as err:  # a diagnostic: report what failed and go on
        return {**record, "error": f"{type(err).__name__}: {err}"}
    frame = model.datacollector.get_model_vars_dataframe()
    return {**record, "utilisation_min": float(frame["capacity_utilization"].min()),
            "unemployment_max": float(frame["unemployment_rate"].max()), "error": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--people-per-agent", type=float, default=5000.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    tasks = [(p.name, float(value), args.seed, args.quarters, args.people_per_agent)
             for p in PARAMS if p.low is not None and p.name not in SKIPPED for value in (p.low, p.high)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, tasks))
    for r in results:
        if r["error"]:
            mark = f"error: {r['error'][:100]}"
        else:
            mark = "low utilisation" if r["utilisation_min"] < LOW_UTILISATION else ""
        figures = "" if r["error"] else (f"utilisation min {r['utilisation_min']:.3f}  "
                                         f"unemployment max {r['unemployment_max']:.3f}")
        print(f"{r['parameter']:28s} {r['value']:<10g} {figures}  {mark}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle)


if __name__ == "__main__":
    main()
