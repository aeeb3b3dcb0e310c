"""Where a quarter's time goes: ms per step of each phase of ``YRDModel.step``, at 1e6 workers and at
the design point (2e5 workers, 1e4 firms).

Each phase is the set of model methods the step calls for it (``PHASES``); a timer wraps each method,
and only the outermost timed call counts (a phase method that calls another is not counted twice).
What no timer covers (the step's own arithmetic, policies, supply-chain wiring) is ``other``. Per phase,
the median over the timed steps (after one warm-up step, a full garbage collection before each);
``step`` is the median step time, so the phase medians need not add up to it exactly. ``ms`` tables
are wall-clock times, ``cpu_ms`` the process's CPU time (what a busy neighbour on a shared machine
disturbs least).

    python benchmarks/phase_times.py [--quick] [--json]

``--quick`` runs 5e4 workers and 2e4 workers with 1e3 firms for two steps.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import gc
import time
from collections import defaultdict

from _common import emit, machine, median, note, parse_args, people_per_agent

#: phase -> the YRDModel methods its time is the sum of (in the order of the step)
PHASES = {
    "technology": ("innovate", "apply_innovation", "adoption_targets", "apply_adoption", "productivity_growth",
                   "effective_productivity"),
    "firm_dynamics": ("shrink_firms", "close_firms", "merge_firms", "entry_intensity", "open_firms"),
    "migration": ("choose_moves", "apply_moves"),
    "planning": ("plan_production",),
    "labour_market": ("clear_labour_market", "apply_hiring"),
    "goods_market": ("clear_goods_market",),
    "accounts": ("targeted_firms", "firm_value_added", "settle_accounts", "apply_accounts", "accumulate_rd"),
    "metrics": ("_observe",),
}


class PhaseClock:
    """Wraps the phase methods of a model class with timers (outermost timed call only)."""

    def __init__(self, cls):
        self.spent = defaultdict(float)
        self.cpu = defaultdict(float)
        self._depth = 0
        for phase, methods in PHASES.items():
            for name in methods:
                setattr(cls, name, self._timed(getattr(cls, name), phase))

    def _timed(self, method, phase):
        clock = self

        def wrapper(model, *args, **kwargs):
            if clock._depth:
                return method(model, *args, **kwargs)
            clock._depth += 1
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return method(model, *args, **kwargs)
            finally:
                clock.spent[phase] += time.perf_counter() - start
                clock.cpu[phase] += time.process_time() - cpu
                clock._depth -= 1
        return wrapper


def phase_table(workers: float, firms: int | None, steps: int, clock: PhaseClock) -> dict:
    from ydabm.model import YRDModel
    params = {"people_per_agent": people_per_agent(workers)}
    if firms is not None:
        params["workers_per_firm"] = workers / firms
    model = YRDModel(rng=1, **params)
    model.step()
    tables = {"ms": ([], [], clock.spent), "cpu_ms": ([], [], clock.cpu)}
    for _ in range(steps):
        gc.collect()
        clock.spent.clear()
        clock.cpu.clear()
        start, cpu = time.perf_counter(), time.process_time()
        model.step()
        ends = {"ms": time.perf_counter() - start, "cpu_ms": time.process_time() - cpu}
        for key, (rows, totals, spent) in tables.items():
            row = dict(spent)
            row["other"] = ends[key] - sum(row.values())
            rows.append(row)
            totals.append(ends[key])
    result = {"workers": model.workers.count, "firm_agents": model.firms.count, "firm_rows": model.firms.size}
    for key, (rows, totals, _) in tables.items():
        table = {phase: median([row.get(phase, 0.0) for row in rows]) * 1e3 for phase in (*PHASES, "other")}
        table["step"] = median(totals) * 1e3
        result[key] = table
    return result


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    from ydabm.model import YRDModel
    clock = PhaseClock(YRDModel)
    large, design, firms = (5e4, 2e4, 1_000) if args.quick else (1e6, 2e5, 10_000)
    steps = 2 if args.quick else 8
    note(f"phases at {large:g} workers ...")
    big = phase_table(large, None, steps, clock)
    gc.collect()
    note(f"phases at {design:g} workers, {firms} firms ...")
    point = phase_table(design, firms, steps, clock)
    result = {"ms_per_step_1e6": big["ms"]["step"], "ms_per_step_2e5_firms_1e4": point["ms"]["step"],
              "labour_market_ms_1e6": big["ms"]["labour_market"],
              "phases_ms_1e6": big["ms"], "phases_ms_2e5_firms_1e4": point["ms"],
              "phases_cpu_ms_1e6": big["cpu_ms"], "phases_cpu_ms_2e5_firms_1e4": point["cpu_ms"],
              "workers_1e6": big["workers"], "firm_agents_1e6": big["firm_agents"], "firm_rows_1e6": big["firm_rows"],
              "workers_2e5": point["workers"], "firm_agents_2e5": point["firm_agents"],
              "firm_rows_2e5": point["firm_rows"], "steps_timed": steps, "quick": args.quick,
              "machine": machine()}
    emit(result, args.json, ("ms_per_step_1e6", "phases_ms_1e6", "phases_cpu_ms_1e6", "ms_per_step_2e5_firms_1e4",
                             "phases_ms_2e5_firms_1e4", "phases_cpu_ms_2e5_firms_1e4"))


if __name__ == "__main__":
    main()
