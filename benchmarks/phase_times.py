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
    python benchmarks/phase_times.py --ppa 20 [--steps 3] [--workers-per-firm W] [--json]

``--quick`` runs 5e4 workers and 2e4 workers with 1e3 firms for two steps. ``--ppa`` instead builds
one model at that ``people_per_agent`` (default firms) and reports the build's CPU seconds, split into
its parts (``BUILD_PARTS``: creating the workers, placing the initially employed, the t = 0 goods
market; ``other`` is the rest of the set-up), and the CPU ms per step of each phase over ``--steps``
steps (default 3) after one warm-up step, with the step's system CPU time and page faults (the
kernel's share: mapping and zeroing fresh pages, :mod:`ydabm.allocator`) and the peak resident GB.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import argparse
import gc
import resource
import time
from collections import defaultdict

from _common import emit, machine, median, note, people_per_agent

#: phase -> the YRDModel methods its time is the sum of (in the order of the step)
PHASES = {
    "technology": ("innovate", "apply_innovation", "adoption_targets", "apply_adoption", "productivity_growth",
                   "effective_productivity"),
    "firm_dynamics": ("shrink_firms", "close_firms", "merge_firms", "_apply_employer_table", "entry_intensity",
                      "open_firms"),
    "migration": ("choose_moves", "apply_moves"),
    "planning": ("plan_production",),
    "labour_market": ("clear_labour_market", "apply_hiring"),
    "goods_market": ("clear_goods_market",),
    "accounts": ("targeted_firms", "firm_value_added", "settle_accounts", "apply_accounts", "accumulate_rd"),
    "metrics": ("_observe",),
}


#: parts of the build timed with ``--ppa``: (module, class or None, function name)
BUILD_PARTS = {
    "workers": ("ydabm.agents.workers", "Workers", "populate"),
    "initial_staff": ("ydabm.model", "YRDModel", "_hire_initial_staff"),
    "goods_market": ("ydabm.model", "YRDModel", "clear_goods_market"),
}


class PhaseClock:
    """Wraps the phase methods of a model class with timers (outermost timed call only); a method the
    class does not have is skipped (an older tree, in ``ab_inprocess.py``)."""

    def __init__(self, cls):
        self.spent = defaultdict(float)
        self.cpu = defaultdict(float)
        self._depth = 0
        for phase, methods in PHASES.items():
            for name in methods:
                if hasattr(cls, name):
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


def build_parts_clock() -> tuple[dict, callable]:
    """Wrap the ``BUILD_PARTS`` with CPU timers (while ``active[0]``); returns (spent, active)."""
    import importlib
    spent, active = defaultdict(float), [False]
    for part, (module, cls, name) in BUILD_PARTS.items():
        owner = getattr(importlib.import_module(module), cls)
        method = owner.__dict__[name]
        function = method.__func__ if isinstance(method, classmethod) else method

        def wrapper(*args, _f=function, _part=part, **kwargs):
            if not active[0]:
                return _f(*args, **kwargs)
            cpu = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_part] += time.process_time() - cpu
        setattr(owner, name, classmethod(wrapper) if isinstance(method, classmethod) else wrapper)
    return spent, active


def at_scale(ppa: float, steps: int, workers_per_firm: float | None = None) -> dict:
    """Build CPU seconds (by part) and CPU ms per phase of a step at ``people_per_agent`` = ``ppa``
    (and ``workers_per_firm``, if given: the firm count is the worker agents over it)."""
    from ydabm.model import YRDModel
    YRDModel(rng=1, people_per_agent=2000)               # imports and the calibrated state's files
    parts, active = build_parts_clock()
    clock = PhaseClock(YRDModel)
    gc.collect()
    active[0] = True
    cpu = time.process_time()
    scale = {} if workers_per_firm is None else {"workers_per_firm": workers_per_firm}
    model = YRDModel(rng=1, people_per_agent=ppa, **scale)
    build = time.process_time() - cpu
    active[0] = False
    build_parts = {part: parts[part] for part in BUILD_PARTS}
    build_parts["other"] = build - sum(build_parts.values())
    model.step()
    rows, totals, system, faults = [], [], [], []
    for _ in range(steps):
        gc.collect()
        clock.cpu.clear()
        before = resource.getrusage(resource.RUSAGE_SELF)
        cpu = time.process_time()
        model.step()
        totals.append(time.process_time() - cpu)
        after = resource.getrusage(resource.RUSAGE_SELF)
        system.append(after.ru_stime - before.ru_stime)
        faults.append(after.ru_minflt - before.ru_minflt)
        row = dict(clock.cpu)
        row["other"] = totals[-1] - sum(row.values())
        rows.append(row)
    phases = {phase: median([row.get(phase, 0.0) for row in rows]) * 1e3 for phase in (*PHASES, "other")}
    phases["step"] = median(totals) * 1e3
    return {"people_per_agent": ppa, "workers_per_firm": model.params.workers_per_firm,
            "workers": model.workers.count, "firm_rows": model.firms.size,
            "build_cpu_s": build, "build_parts_cpu_s": build_parts, "phases_cpu_ms": phases,
            "system_cpu_ms_per_step": median(system) * 1e3, "page_faults_per_step": median(faults),
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
            "steps_timed": steps, "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scales, two steps (CI)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--ppa", type=float, default=None, help="one model at this people_per_agent")
    parser.add_argument("--steps", type=int, default=3, help="timed steps with --ppa (default 3)")
    parser.add_argument("--workers-per-firm", type=float, default=None,
                        help="with --ppa: worker agents per firm agent (default the model's; e.g. --ppa 15 "
                             "--workers-per-firm 10 gives 1e7 workers and 1e6 firms)")
    args = parser.parse_args()
    if args.ppa is not None:
        emit(at_scale(args.ppa, args.steps, args.workers_per_firm), args.json, ("build_cpu_s", "build_parts_cpu_s", "phases_cpu_ms"))
        return
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
