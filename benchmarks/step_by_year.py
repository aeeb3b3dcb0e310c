"""Step time as firm cohorts accumulate: ms per quarter in year 1 and year 10 of one run.

Firm agents are cohorts of enterprises; each city-sector opens one cohort of entrants a year and
worn-down cohorts close, so the number of firm agents grows over a run (about 5,004 -> 9,650 in ten
years at the default scale). This script steps one run for 40 quarters and reports the median wall
time of the quarters of year 1 (quarters 1-4) and of year 10 (quarters 37-40), with a full garbage
collection (untimed) before each step, the same in CPU time of the process (``cpu_ms_*``: steadier on
a shared machine), and the live firm agents at the start and the end.

Scales: the default (people_per_agent 2000, about 1.2e5 workers, 5,004 firms), the design point
of ``model_throughput.py`` (2e5 workers with 1e4 firms) and 1e6 workers (people_per_agent 152).

    python benchmarks/step_by_year.py [--quick] [--json]

``--quick`` runs 2e4 workers for 8 quarters (year 1 vs year 2).
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import gc
import time

from _common import emit, machine, median, note, parse_args, people_per_agent, timed


def by_year(params: dict, quarters: int, seed: int = 1) -> dict:
    from ydabm.model import YRDModel
    model = YRDModel(rng=seed, **params)
    agents_start = model.firms.count
    times, cpu = [], []
    for _ in range(quarters):
        gc.collect()
        start = time.process_time()
        times.append(timed(model.step))
        cpu.append(time.process_time() - start)
    return {"workers": model.workers.count, "firm_agents_start": agents_start, "firm_agents_end": model.firms.count,
            "ms_year_first": median(times[:4]) * 1e3, "ms_year_last": median(times[-4:]) * 1e3,
            "cpu_ms_year_first": median(cpu[:4]) * 1e3, "cpu_ms_year_last": median(cpu[-4:]) * 1e3,
            "ms_mean": sum(times) / len(times) * 1e3}


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    quarters = 8 if args.quick else 40
    scales = {"default": {}} if not args.quick else {"default": {"people_per_agent": people_per_agent(2e4)}}
    if not args.quick:
        scales["2e5_firms_1e4"] = {"people_per_agent": people_per_agent(2e5), "workers_per_firm": 20.0}
        scales["1e6"] = {"people_per_agent": people_per_agent(1e6)}
    result = {}
    for name, params in scales.items():
        note(f"{name}: {quarters} quarters ...")
        run = by_year(params, quarters)
        for key, value in run.items():
            result[f"{key}_{name}"] = value
    result["quarters"] = quarters
    result["quick"] = args.quick
    result["machine"] = machine()
    emit(result, args.json, tuple(k for k in result if k.startswith("ms_year")))


if __name__ == "__main__":
    main()
