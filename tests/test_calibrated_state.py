"""The calibrated state kept per process: its key, read-only sharing, and bit-identical runs."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ydabm import calibrated_state
from ydabm.calibrated_state import Reads
from ydabm.experiments.executors import PoolExecutor
from ydabm.experiments.runner import run_one
from ydabm.experiments.spec import Run
from ydabm.model import YRDModel
from ydabm.params import PARAMS, Params
from ydabm.run import simulate
from ydabm.scenarios import load_scenario

SMALL = {"people_per_agent": 40000}
LEVERS = {q.name for q in PARAMS if q.kind == "lever"}
#: the non-lever parameters the YRD set-up reads (by reading the code): the tables and world
#: (load_world), the calibration's labour force, wages and amenities (calibration.calibrate), the
#: frictions at the baseline levers (frictions.frictions; hukou_penalty is not a lever, Levers.initial
#: reads the run's), the governments' 2020 support (target_sharpness)
YRD_READS = {
    "sectors_file", "input_output", "world", "network_file",
    "agriculture_share", "people_per_agent", "farm_productivity", "skill_premium", "natural_unemployment",
    "housing_share", "migrant_inflow_rate", "migration_elasticity", "move_cost", "move_cost_per_hour",
    "reconsider_rate", "farmer_mobility", "working_age_share", "migrant_working_age_share",
    "border_effect_scale", "knowledge_decay_hours", "knowledge_border", "hukou_penalty", "target_sharpness",
    "target_imitation",
}


@pytest.fixture(autouse=True)
def fresh_store():
    calibrated_state.clear()
    yield
    calibrated_state.clear()


def baseline(values: dict | None = None) -> Params:
    run = Params.build({**SMALL, **(values or {})})
    return run.replace(**{q.name: q.default for q in PARAMS if q.kind == "lever"})


def other_value(name: str, value):
    """A valid value of parameter ``name`` other than ``value``."""
    spec = next(q for q in PARAMS if q.name == name)
    if spec.type is str:
        return {"world": "racetrack"}.get(name, value + "_other")
    if spec.type is int:
        return value + 1 if spec.high is None or value + 1 <= spec.high else value - 1
    high = spec.high if spec.high is not None else value * 2 + 1
    return (value + high) / 2 if high > value else (value + spec.low) / 2


def test_reads_records_attributes_and_mapping_reads():
    reads = Reads(Params.build({"skill_premium": 2.0}))
    assert reads.skill_premium == 2.0
    mapping = reads.as_dict()
    assert mapping["exit_rate"] == 0.015 and mapping.get("no_such_parameter") is None
    assert reads.names == {"skill_premium", "exit_rate"}
    assert reads.key() == (("exit_rate", 0.015), ("skill_premium", 2.0))
    with pytest.raises(AttributeError, match="read-only"):
        reads.skill_premium = 3.0
    with pytest.raises(AttributeError, match="not a parameter"):
        reads.replace(skill_premium=3.0)
    list(mapping)                                   # iterating reads every name
    assert reads.names == {f.name for f in dataclasses.fields(Params)}


def test_the_key_is_what_the_yrd_set_up_reads():
    YRDModel(rng=1, params=Params.build(SMALL))
    (key,) = calibrated_state._STATES
    names = {name for name, _ in key}
    assert names - LEVERS == YRD_READS
    # synthetic-world parameters are not read for the YRD, and nothing that acts only in the step is
    assert not {"trade_cost", "racetrack_cities", "exit_rate", "interest_rate", "seed"} & names


def test_synthetic_worlds_key_their_size_and_trade_cost():
    YRDModel(rng=1, params=Params.build({"world": "racetrack", "racetrack_cities": 5, "trade_cost": 2.0}))
    (key,) = calibrated_state._STATES
    assert {"racetrack_cities", "trade_cost"} <= {name for name, _ in key}
    assert "network_file" not in {name for name, _ in key}


def test_changing_any_key_parameter_misses_and_any_other_hits():
    params = baseline()
    YRDModel(rng=1, params=params)
    (key,) = calibrated_state._STATES
    assert calibrated_state.lookup(params) is not None
    for name, value in key:
        if name in LEVERS:
            continue
        changed = dataclasses.replace(params, **{name: other_value(name, value)})
        assert calibrated_state.lookup(changed) is None, name
    # levers are reset to their baselines for set-up, and step-only parameters are not read
    run = Params.build({**SMALL, "barrier": 1.0, "specialization": 0.0, "exit_rate": 0.03, "interest_rate": 0.012})
    assert calibrated_state.lookup(run.replace(**{q: params.as_dict()[q] for q in LEVERS})) is not None


def test_the_stored_state_is_read_only():
    YRDModel(rng=1, params=Params.build(SMALL))
    (state,) = calibrated_state._STATES.values()
    for array in (state.fundamentals.wages, state.fundamentals.revenue, state.frictions.iceberg,
                  state.geography.hours, state.sectors.elasticity, state.targets):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0.0
    with pytest.raises(nx.NetworkXError):
        state.geography.graph.add_edge(0, 1)


def test_a_run_gets_its_own_support_and_network():
    model = YRDModel(rng=1, params=Params.build(SMALL))
    (state,) = calibrated_state._STATES.values()
    warm = YRDModel(rng=1, params=Params.build(SMALL))
    assert warm.fundamentals is state.fundamentals and warm.geography is state.geography
    np.testing.assert_array_equal(warm.targets, state.targets)
    assert warm.targets is not state.targets and warm.targets.flags.writeable
    assert warm.space.G is not state.geography.graph and warm.space.G is not model.space.G


def frames(values: dict, steps: int = 5, seed: int = 11, scenario: str = "baseline"):
    story = load_scenario(scenario)
    resolved = story.params({**SMALL, **values})
    result = simulate(resolved, steps, seed, story.policies(resolved))
    return result.model, result.cities


def assert_same(a, b):
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)


def test_a_cached_build_gives_the_output_of_a_fresh_build():
    fresh = frames({})
    assert calibrated_state.stored() == 1
    warm = frames({})
    assert calibrated_state.stored() == 1
    assert_same(fresh, warm)
    model_fresh = YRDModel(rng=3, params=Params.build(SMALL))
    model_warm = YRDModel(rng=3, params=Params.build(SMALL))
    np.testing.assert_array_equal(model_fresh.firms.productivity, model_warm.firms.productivity)
    np.testing.assert_array_equal(model_fresh.workers.employer, model_warm.workers.employer)


def test_no_run_leaks_into_the_next():
    """A, then B with other calibration parameters, then runs that move every lever and the network,
    then A again: the second A is the first, and B cached is B fresh."""
    first_a = frames({})
    b_values = {"skill_premium": 2.2, "migration_elasticity": 3.0, "farm_productivity": 0.4}
    first_b = frames(b_values)
    assert calibrated_state.stored() == 2
    frames({"barrier": 1.0, "specialization": 0.0, "capacity_subsidy": 0.4})
    frames({}, scenario="network_upgrade")          # the network changes in 2021 (step 4)
    assert_same(first_a, frames({}))
    assert_same(first_b, frames(b_values))
    calibrated_state.clear()
    assert_same(first_b, frames(b_values))


def test_the_store_keeps_the_most_recently_used_states(monkeypatch):
    monkeypatch.setattr(calibrated_state, "MAX_STATES", 2)
    worlds = [{"world": "racetrack", "racetrack_cities": n} for n in (4, 5, 6)]
    YRDModel(rng=1, params=Params.build(worlds[0]))
    YRDModel(rng=1, params=Params.build(worlds[1]))
    YRDModel(rng=1, params=Params.build(worlds[0]))          # used again: now the most recent
    YRDModel(rng=1, params=Params.build(worlds[2]))          # drops the least recently used, 5 cities
    assert calibrated_state.stored() == 2
    kept = {dict(key)["racetrack_cities"] for key in calibrated_state._STATES}
    assert kept == {4, 6}


def test_a_pool_worker_keeps_the_state_between_runs():
    """Warm workers: one pool process runs three runs and still holds one state afterwards."""
    executor = PoolExecutor(1)
    try:
        tasks = [(Run(i, i, 0, 0, "baseline", {}), {"params": dict(SMALL), "seed": i, "steps": 1,
                                                     "metrics": ("real_gdp",)}) for i in range(3)]
        outcomes = [outcome for _, outcome in executor.results(run_one, tasks)]
        assert [o["status"] for o in outcomes] == ["ok"] * 3
        assert [o for _, o in executor.results(calibrated_state.stored, [(tasks[0][0], {})])] == [1]
    finally:
        executor.close()


@pytest.mark.slow
def test_workers_exit_when_the_sweep_process_is_killed(tmp_path):
    """Only the sweep process gets SIGKILL: its pool workers (forked from the fork server, or spawned)
    notice and exit, so no orphan keeps computing."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil
    spec = tmp_path / "sweep.toml"
    spec.write_text('steps = 40\nreplicates = 4\nseed = 5\nkeep = ["final"]\n[vary]\nbarrier = [0.0, 1.0]\n'
                    '[set]\npeople_per_agent = 20000\n')
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ydabm.cli", "sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "runs").glob("*.parquet"))) < 1:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the sweep stored no run within 120 s"
            time.sleep(0.05)
        descendants = psutil.Process(process.pid).children(recursive=True)
        assert len(descendants) >= 2
        os.kill(process.pid, signal.SIGKILL)             # the sweep process alone
        process.wait(timeout=30)
        gone, alive = psutil.wait_procs(descendants, timeout=20)
        assert not alive, [p.pid for p in alive]
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.slow
def test_a_dask_worker_keeps_the_state_between_runs():
    """On Dask the same run_one runs unchanged; the state lives in the worker process."""
    import dask
    from dask.distributed import LocalCluster

    from ydabm.experiments.executors import DaskExecutor
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            tasks = [(Run(i, i, 0, 0, "baseline", {}), {"params": dict(SMALL), "seed": i, "steps": 1,
                                                         "metrics": ("real_gdp",)}) for i in range(3)]
            assert [o["status"] for _, o in executor.results(run_one, tasks)] == ["ok"] * 3
            assert list(executor.client.run(calibrated_state.stored).values()) == [1]
        finally:
            executor.close()
    assert calibrated_state.stored() == 0           # nothing was built in this process
