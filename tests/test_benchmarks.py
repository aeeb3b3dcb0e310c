"""The benchmark scripts run and report their figures; the object reference does the model's economics.

No timing is asserted: CI machines differ. Each script runs with ``--quick --json`` in its own
process and must print one JSON object whose figures are positive finite numbers.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

EXPECTED = {
    "worker_step.py": ("vectorised_vs_objects",),
    "model_throughput.py": ("worker_steps_per_s_1e5", "worker_steps_per_s_1e6", "vs_boltzmann"),
    "memory.py": ("bytes_per_worker",),
    "sweep_throughput.py": ("sweep_runs_per_hour_1", "sweep_runs_per_hour_2", "sweep_scaling", "burn_in_copy_ratio"),
    "supply_chains.py": ("ms_per_step_without_io", "ms_per_step_with_io", "io_cost_ratio"),
    "phase_times.py": ("ms_per_step_1e6", "ms_per_step_2e5_firms_1e4", "labour_market_ms_1e6"),
    "scale_table.py": ("largest_peak_gb", "smallest_ppa_measured"),
    "ab_step.py": ("step_ratio", "round_ratios_median"),
    "ab_inprocess.py": ("step_ratio", "step_ratio_q25", "step_ratio_q75"),
    "cli_sweep.py": ("scaling_a", "scaling_b", "one_worker_ratio_median"),
}


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_benchmark_reports_its_figures(script):
    completed = subprocess.run([sys.executable, str(BENCHMARKS / script), "--quick", "--json"],
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    for key in EXPECTED[script]:
        value = result[key]
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (key, value)
    assert result["quick"] is True
    assert result["machine"]["threads_per_process"] == 1
    assert result["machine"]["float_kernels"].startswith("numpy ")


@pytest.fixture(scope="module")
def reference_setup():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from object_workers import (ReferenceWorkerModel, StateSnapshot, WorkerPhaseInputs, planned_staff,
                                    vectorised_worker_phase)
    finally:
        sys.path.remove(str(BENCHMARKS))
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=3, **QUICK_SCALE)
    model.step()
    desired = planned_staff(model)
    snapshot = StateSnapshot(model)

    def phase():
        return vectorised_worker_phase(model, desired)
    return model, WorkerPhaseInputs.capture(model), ReferenceWorkerModel, snapshot, phase


@pytest.mark.slow
def test_object_reference_hires_follow_the_matching_function(reference_setup):
    from ydabm.markets import labour
    model, inputs, Reference, _, _ = reference_setup
    reference = Reference(inputs, rng=0)
    reference.worker_phase()
    markets = [m for row in reference.markets for m in row]
    seekers = np.array([len(m.seekers) for m in markets])
    vacancies = np.array([len(m.vacancies) for m in markets])
    hires = np.array([m.hires for m in markets])
    np.testing.assert_array_equal(hires, labour.matches(seekers, vacancies, model.params.matching_efficiency))
    assert hires.sum() > 0


@pytest.mark.slow
def test_object_reference_keeps_every_worker_and_job_consistent(reference_setup):
    model, inputs, Reference, _, _ = reference_setup
    reference = Reference(inputs, rng=1)
    reference.worker_phase()
    workers = list(reference.worker_set)
    assert len(workers) == model.workers.count
    assert sum(map(sum, reference.force)) == model.workers.count
    held = sum(len(staff) for firm in reference.firm_set for staff in firm.staff)
    assert held == sum(w.employer is not None for w in workers) == reference.employed()
    for firm in reference.firm_set:
        for k, staff in enumerate(firm.staff):
            assert all(w.employer is firm and w.skill == k for w in staff)


@pytest.mark.slow
def test_object_reference_matches_vectorised_outcomes_on_average(reference_setup):
    """Same inputs, different random streams: mean employment and migration agree (4 repeats each,
    tolerance 0.5 percentage points of employment and 0.3 of movers, several standard errors)."""
    model, inputs, Reference, snapshot, phase = reference_setup
    vectorised, objects = [], []
    for repeat in range(4):
        snapshot.restore(np.random.default_rng(100 + repeat).bit_generator.state)
        moves = phase()
        vectorised.append((model.workers.employed.mean(), moves.matrix.sum() / model.workers.count))
        reference = Reference(inputs, rng=repeat)
        reference.worker_phase()
        objects.append((reference.employed() / model.workers.count, reference.moves / model.workers.count))
    snapshot.restore()
    vectorised, objects = np.mean(vectorised, axis=0), np.mean(objects, axis=0)
    assert abs(vectorised[0] - objects[0]) < 0.005
    assert abs(vectorised[1] - objects[1]) < 0.003


@pytest.mark.slow
def test_snapshot_restores_identical_state(reference_setup):
    """Timing the vectorised phase repeatedly is fair only if every repeat starts from one state."""
    model, _, _, snapshot, phase = reference_setup
    outcomes = []
    for _ in range(2):
        snapshot.restore()
        phase()
        outcomes.append((model.workers.employer.copy(), model.workers.city.copy(), model.wages.copy()))
    snapshot.restore()
    for first, second in zip(*outcomes):
        np.testing.assert_array_equal(first, second)
