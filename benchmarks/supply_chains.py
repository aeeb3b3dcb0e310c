"""Cost of the supply-chain layer: ms per step of ``YRDModel`` with input-output linkages
(``input_output = 1``) and without, at 2e5 workers and 1e4 firms (issue 12: at most 1.5 times).

The two models are built with the same seed and stepped alternately in the same process (so a
change of CPU frequency or a noisy neighbour hits both); a full garbage collection runs, untimed,
before every timed step. Each step is timed in wall-clock and in CPU time (``time.process_time``:
what a busy neighbour on a shared machine disturbs least). The timed steps (after one warm-up step)
form ``--repeats`` consecutive rounds of ``--steps`` steps of each model; each round gives a ratio
of medians (with / without), and the figures are the median ratio over the rounds and its range.
``phases_cpu_ms_with_io`` / ``_without_io`` split the CPU ms per step by phase
(``phase_times.PHASES``; ``supply_chain`` is what the step spends in the supply-chain methods
``SUPPLY_CHAIN``, the rest of ``other``).

    python benchmarks/supply_chains.py [--quick] [--json] [--steps 8] [--repeats 5]

``--quick`` runs 2e4 workers and 1e3 firms for one round of three steps.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import argparse
import gc
import time

from _common import emit, machine, median, people_per_agent

#: the step's supply-chain methods outside the goods market (timed as the ``supply_chain`` phase)
SUPPLY_CHAIN = ("expect_input_prices", "order_inputs", "apply_orders", "deliver_inputs", "apply_deliveries")


def build(workers: float, firms: int, linked: int, seed: int = 1):
    from ydabm.model import YRDModel
    return YRDModel(rng=seed, input_output=linked, people_per_agent=people_per_agent(workers),
                    workers_per_firm=workers / firms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2e4 workers, one round of three steps")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--steps", type=int, default=8, help="steps of each model per round (default 8)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (default 5)")
    args = parser.parse_args()
    from phase_times import PHASES, PhaseClock
    from ydabm.model import YRDModel
    PHASES["supply_chain"] = SUPPLY_CHAIN
    clock = PhaseClock(YRDModel)
    workers, firms = (2e4, 1000) if args.quick else (2e5, 10_000)
    steps, repeats = (3, 1) if args.quick else (args.steps, args.repeats)
    models = {linked: build(workers, firms, linked) for linked in (0, 1)}
    for model in models.values():
        model.step()
    wall = {0: [], 1: []}
    cpu = {0: [], 1: []}
    phases = {0: [], 1: []}
    ratios, wall_ratios = [], []
    for _ in range(repeats):
        first = len(cpu[0])
        for _ in range(steps):
            for linked, model in models.items():
                gc.collect()
                clock.cpu.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                model.step()
                wall[linked].append(time.perf_counter() - start)
                cpu[linked].append(time.process_time() - start_cpu)
                row = dict(clock.cpu)
                row["other"] = cpu[linked][-1] - sum(row.values())
                phases[linked].append(row)
        ratios.append(median(cpu[1][first:]) / median(cpu[0][first:]))
        wall_ratios.append(median(wall[1][first:]) / median(wall[0][first:]))

    def by_phase(rows):
        table = {name: median([row.get(name, 0.0) for row in rows]) * 1e3 for name in (*PHASES, "other")}
        return table

    result = {"workers": models[1].workers.count, "firms": models[1].firms.count, "steps": steps,
              "repeats": repeats,
              "io_cost_ratio_cpu": median(ratios), "io_cost_ratio_cpu_range": [min(ratios), max(ratios)],
              "io_cost_ratio_cpu_rounds": ratios,
              "cpu_ms_per_step_without_io": median(cpu[0]) * 1e3, "cpu_ms_per_step_with_io": median(cpu[1]) * 1e3,
              "io_cost_ratio": median(wall_ratios), "io_cost_ratio_range": [min(wall_ratios), max(wall_ratios)],
              "ms_per_step_without_io": median(wall[0]) * 1e3, "ms_per_step_with_io": median(wall[1]) * 1e3,
              "phases_cpu_ms_without_io": by_phase(phases[0]), "phases_cpu_ms_with_io": by_phase(phases[1]),
              "quick": args.quick, "machine": machine()}
    emit(result, args.json, ("io_cost_ratio_cpu", "io_cost_ratio_cpu_range", "cpu_ms_per_step_without_io",
                             "cpu_ms_per_step_with_io", "phases_cpu_ms_without_io", "phases_cpu_ms_with_io",
                             "io_cost_ratio", "ms_per_step_without_io", "ms_per_step_with_io"))


if __name__ == "__main__":
    main()
