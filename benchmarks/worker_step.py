"""Vectorised worker phase against the same phase written as plain Mesa agents, at 1e5 workers.

Both start from one identical state: a ``YRDModel`` after one quarter. The vectorised phase is the
model's own ``labour.clear_labour_market`` (separations, layoffs, matching per city-skill market,
wages) followed by ``relocation.choose_moves`` (logit choice of city), with the staff plan of the
model's planning phase (``object_workers.vectorised_worker_phase``), timed on a fresh copy of that
state each repeat.
The object phase is ``object_workers.ReferenceWorkerModel.worker_phase``: the same economics with one
``mesa.Agent`` per worker and per firm, stepped with ``shuffle_do``, built from the same state
(building the agents is not timed). Both versions are timed in the same run, interleaved;
``vectorised_vs_objects`` is the ratio of their best times (each repeat does the same work, so the
best is the one least disturbed by other processes; medians are reported beside). The ``check_*``
keys show both reach the same employment and migration (they differ only by random draws).

    python benchmarks/worker_step.py [--quick] [--json]

``--quick`` uses 1e4 workers and fewer repeats.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import gc

from _common import emit, machine, median, note, parse_args, people_per_agent, timed
from object_workers import (ReferenceWorkerModel, StateSnapshot, WorkerPhaseInputs, planned_staff,
                            vectorised_worker_phase)


def outcome_vectorised(model) -> dict:
    w = model.workers
    return {"employment_rate": float(w.employed.mean()), "movers_share": float(model.moves.matrix.sum() / w.count)}


def outcome_objects(reference: ReferenceWorkerModel, workers: int) -> dict:
    return {"employment_rate": reference.employed() / workers, "movers_share": reference.moves / workers}


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    target = 1e4 if args.quick else 1e5
    repeats_vectorised, repeats_objects = (3, 1) if args.quick else (9, 5)
    from ydabm.model import YRDModel
    note(f"building YRDModel at {target:g} workers and stepping one quarter ...")
    model = YRDModel(rng=1, people_per_agent=people_per_agent(target))
    model.step()
    snapshot = StateSnapshot(model)
    inputs = WorkerPhaseInputs.capture(model)
    desired = planned_staff(model)
    workers = model.workers.count

    vectorised_times, object_times = [], []
    for repeat in range(max(repeats_vectorised, repeats_objects)):
        # interleaved, so that a change of CPU speed during the run hits both versions
        if repeat < repeats_vectorised:
            state = snapshot.restore()
            gc.collect()
            vectorised_times.append(timed(lambda: vectorised_worker_phase(state, desired)))
            vectorised_outcome = outcome_vectorised(state)
        if repeat < repeats_objects:
            note(f"object reference, repeat {repeat + 1} of {repeats_objects} ...")
            reference = ReferenceWorkerModel(inputs, rng=repeat)
            gc.collect()
            object_times.append(timed(reference.worker_phase))
            object_outcome = outcome_objects(reference, workers)
            del reference
    vectorised, objects = min(vectorised_times), min(object_times)
    result = {
        "vectorised_vs_objects": objects / vectorised,
        "vectorised_ms": vectorised * 1e3,
        "objects_ms": objects * 1e3,
        "vectorised_median_ms": median(vectorised_times) * 1e3,
        "objects_median_ms": median(object_times) * 1e3,
        "vectorised_vs_objects_medians": median(object_times) / median(vectorised_times),
        "vectorised_worker_steps_per_s": workers / vectorised,
        "objects_worker_steps_per_s": workers / objects,
        "workers": workers,
        "check_employment_rate_vectorised": vectorised_outcome["employment_rate"],
        "check_employment_rate_objects": object_outcome["employment_rate"],
        "check_movers_share_vectorised": vectorised_outcome["movers_share"],
        "check_movers_share_objects": object_outcome["movers_share"],
        "repeats": {"vectorised": repeats_vectorised, "objects": repeats_objects},
        "quick": args.quick,
        "machine": machine(),
    }
    emit(result, args.json, ("vectorised_vs_objects", "vectorised_ms", "objects_ms"))


if __name__ == "__main__":
    main()
