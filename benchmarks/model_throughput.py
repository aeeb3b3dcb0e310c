"""Full-model throughput: ms per step and worker-steps per second of ``YRDModel``, against Mesa's
own ``BoltzmannWealth`` example at the same agent count.

Scales: 1e5 workers (people_per_agent 1515, default workers_per_firm), 2e5 workers with 1e4 firms
(workers_per_firm 20; the design point: <= 50 ms per step on one core) and 1e6 workers
(people_per_agent 152, default workers_per_firm).
BoltzmannWealth runs with its own step (``shuffle_do`` of every agent, its DataCollector and
DataRecorder), one agent per grid cell on average like the example's default (100 agents on 10 x 10).
At 1e5 the two models are stepped alternately in the same process, so that a change of CPU
frequency or a noisy neighbour hits both; ``vs_boltzmann`` is the ratio of their throughputs. A
full garbage collection runs (untimed) before every timed step. Figures are medians of the timed
steps after one warm-up step; model construction is timed apart (``build_s_*``).

    python benchmarks/model_throughput.py [--quick] [--json]

``--quick`` runs 1e4 / 2e4 / 5e4 workers for two steps (the ``_1e5`` / ``_1e6`` keys then hold those
smaller scales; ``workers_*`` say what ran).
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import gc
import math

from _common import emit, machine, median, note, parse_args, people_per_agent, timed


def build_yrd(workers: float, firms: int | None, seed: int = 1):
    from ydabm.model import YRDModel
    params = {"people_per_agent": people_per_agent(workers)}
    if firms is not None:
        params["workers_per_firm"] = workers / firms    # the firm count is workers / workers_per_firm
    return YRDModel(rng=seed, **params)


def build_boltzmann(agents: int, seed: int = 1):
    from mesa.examples import BoltzmannWealth
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario
    side = math.ceil(math.sqrt(agents))
    return BoltzmannWealth(BoltzmannScenario(n=agents, width=side, height=side, rng=seed))


def yrd_alone(workers: float, firms: int | None, steps: int) -> dict:
    """Build, one warm-up step, then ``steps`` timed steps; the median step time."""
    build = {}
    build["seconds"] = timed(lambda: build.setdefault("model", build_yrd(workers, firms)))
    model = build.pop("model")
    model.step()
    times = []
    for _ in range(steps):
        gc.collect()
        times.append(timed(model.step))
    step = median(times)
    count = model.workers.count
    return {"workers": count, "firms": model.firms.count, "build_s": build["seconds"],
            "ms_per_step": step * 1e3, "worker_steps_per_s": count / step}


def yrd_and_boltzmann(workers: float, steps: int) -> dict:
    """YRDModel and BoltzmannWealth at the same agent count, stepped alternately."""
    yrd = build_yrd(workers, None)
    count = yrd.workers.count
    boltzmann = build_boltzmann(count)
    yrd.step()
    boltzmann.step()
    yrd_times, boltzmann_times = [], []
    for _ in range(steps):
        # collect first, so that neither model pays for the other's garbage (Boltzmann's agents and
        # its DataCollector records make full collections slow)
        gc.collect()
        yrd_times.append(timed(yrd.step))
        gc.collect()
        boltzmann_times.append(timed(boltzmann.step))
    yrd_rate = count / median(yrd_times)
    boltzmann_rate = count / median(boltzmann_times)
    return {"workers": count, "yrd_ms_per_step": median(yrd_times) * 1e3, "yrd_worker_steps_per_s": yrd_rate,
            "boltzmann_ms_per_step": median(boltzmann_times) * 1e3,
            "boltzmann_agent_steps_per_s": boltzmann_rate, "ratio": yrd_rate / boltzmann_rate}


def boltzmann_alone(agents: int, steps: int) -> float:
    model = build_boltzmann(agents)
    model.step()
    times = []
    for _ in range(steps):
        gc.collect()
        times.append(timed(model.step))
    return agents / median(times)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    small, design, large = (1e4, 2e4, 5e4) if args.quick else (1e5, 2e5, 1e6)
    steps = 2 if args.quick else 8
    note(f"YRDModel and BoltzmannWealth at {small:g} agents ...")
    paired = yrd_and_boltzmann(small, steps)
    gc.collect()
    note(f"YRDModel at {design:g} workers, 1e4 firms ...")
    design_point = yrd_alone(design, 10_000 if not args.quick else 1_000, steps)
    gc.collect()
    note(f"YRDModel at {large:g} workers ...")
    big = yrd_alone(large, None, steps)
    gc.collect()
    result = {
        "worker_steps_per_s_1e5": paired["yrd_worker_steps_per_s"],
        "worker_steps_per_s_1e6": big["worker_steps_per_s"],
        "vs_boltzmann": paired["ratio"],
        "boltzmann_agent_steps_per_s_1e5": paired["boltzmann_agent_steps_per_s"],
        "ms_per_step_1e5": paired["yrd_ms_per_step"],
        "ms_per_step_2e5_firms_1e4": design_point["ms_per_step"],
        "ms_per_step_1e6": big["ms_per_step"],
        "worker_steps_per_s_2e5": design_point["worker_steps_per_s"],
        "boltzmann_ms_per_step_1e5": paired["boltzmann_ms_per_step"],
        "build_s_2e5": design_point["build_s"],
        "build_s_1e6": big["build_s"],
        "workers_1e5": paired["workers"], "workers_2e5": design_point["workers"],
        "firms_2e5": design_point["firms"], "workers_1e6": big["workers"], "firms_1e6": big["firms"],
        "steps_timed": steps, "quick": args.quick,
    }
    if not args.quick:
        note("BoltzmannWealth at the 1e6 count ...")
        rate = boltzmann_alone(big["workers"], 2)
        result["boltzmann_agent_steps_per_s_1e6"] = rate
        result["vs_boltzmann_1e6"] = big["worker_steps_per_s"] / rate
    result["machine"] = machine()
    emit(result, args.json, ("worker_steps_per_s_1e5", "worker_steps_per_s_1e6", "vs_boltzmann",
                             "ms_per_step_1e5", "ms_per_step_2e5_firms_1e4", "ms_per_step_1e6"))


if __name__ == "__main__":
    main()
