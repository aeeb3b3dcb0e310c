"""Peak memory per worker agent of ``YRDModel`` at 1e6 workers.

Reported (``bytes_per_worker``): the peak of all memory allocated through Python and numpy
(``tracemalloc``, which numpy reports its array buffers to) while the model steps, counted from
just before the model is built, divided by the number of workers. It includes everything the model
holds (worker and firm columns, trade-cost matrices, governments, the DataCollector) plus the
largest set of temporaries alive at once during a step. Also reported: the bytes of the persistent
worker columns alone, the peak while the model is built (calibration and initial hiring), and the
growth of the process's peak resident set size (``ru_maxrss``, which also counts the allocator's
slack and the construction peak).

    python benchmarks/memory.py [--quick] [--json]

``--quick`` measures at 1e5 workers.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import gc
import resource
import tracemalloc

from _common import emit, machine, note, parse_args, people_per_agent


def max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    target, steps = (1e5, 2) if args.quick else (1e6, 4)
    from ydabm.model import YRDModel
    gc.collect()
    rss_before = max_rss_bytes()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    note(f"building YRDModel at {target:g} workers ...")
    model = YRDModel(rng=1, people_per_agent=people_per_agent(target))
    held, build_peak = tracemalloc.get_traced_memory()
    workers = model.workers.count
    tracemalloc.reset_peak()
    note(f"stepping {steps} quarters ...")
    for _ in range(steps):
        model.step()
    after_steps, step_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = max_rss_bytes()
    result = {
        "bytes_per_worker": (step_peak - base) / workers,
        "worker_column_bytes_per_worker": model.workers.nbytes() / workers,
        "held_bytes_per_worker": (after_steps - base) / workers,
        "build_peak_bytes_per_worker": (build_peak - base) / workers,
        "rss_peak_growth_bytes_per_worker": (rss_after - rss_before) / workers,
        "held_after_build_mib": (held - base) / 2**20,
        "step_peak_mib": (step_peak - base) / 2**20,
        "firm_column_bytes": model.firms.nbytes(),
        "workers": workers,
        "steps": steps,
        "quick": args.quick,
        "machine": machine(),
    }
    emit(result, args.json, ("bytes_per_worker", "worker_column_bytes_per_worker", "build_peak_bytes_per_worker"))


if __name__ == "__main__":
    main()
