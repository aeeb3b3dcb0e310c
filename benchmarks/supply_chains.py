"""Cost of the supply-chain layer: ms per step of ``YRDModel`` with input-output linkages
(``input_output = 1``) and without, at 2e5 workers and 1e4 firms (issue 12: at most 1.5 times).

The two models are built with the same seed and stepped alternately in the same process (so a
change of CPU frequency or a noisy neighbour hits both); a full garbage collection runs, untimed,
before every timed step; figures are medians of the timed steps after one warm-up step.

    python benchmarks/supply_chains.py [--quick] [--json]

``--quick`` runs 2e4 workers and 1e3 firms for three steps.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import gc

from _common import emit, machine, median, parse_args, people_per_agent, timed


def build(workers: float, firms: int, linked: int, seed: int = 1):
    from ydabm.model import YRDModel
    return YRDModel(rng=seed, input_output=linked, people_per_agent=people_per_agent(workers),
                    workers_per_firm=workers / firms)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    workers, firms, steps = (2e4, 1000, 3) if args.quick else (2e5, 10_000, 20)
    models = {linked: build(workers, firms, linked) for linked in (0, 1)}
    times = {0: [], 1: []}
    for model in models.values():
        model.step()
    for _ in range(steps):
        for linked, model in models.items():
            gc.collect()
            times[linked].append(timed(model.step))
    without, with_io = median(times[0]) * 1e3, median(times[1]) * 1e3
    result = {"workers": models[1].workers.count, "firms": models[1].firms.count, "steps": steps,
              "ms_per_step_without_io": without, "ms_per_step_with_io": with_io,
              "io_cost_ratio": with_io / without, "quick": args.quick, "machine": machine()}
    emit(result, args.json, ("ms_per_step_without_io", "ms_per_step_with_io", "io_cost_ratio"))


if __name__ == "__main__":
    main()
