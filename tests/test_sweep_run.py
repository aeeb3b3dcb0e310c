"""Sweep mechanics: the same runs.parquet on 1 process, 2 processes and a Dask cluster; a sweep
killed with SIGKILL and resumed runs every run exactly once; a run that raises is recorded as failed;
--resume refuses results of another spec."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from ydabm.cli import main
from ydabm.experiments import run_sweep
from ydabm.experiments.runner import FAIL_HOOK, run_one

SPEC = """scenario = "baseline"
steps = {steps}
replicates = 2
seed = 5
keep = ["final", "mean_last:2"]
series = true
metrics = ["similarity_manufacturing", "capacity_utilization", "zombie_share", "real_gdp", "firms"]
[vary]
barrier = [0.0, 1.0]
specialization = {{ min = 0.0, max = 1.0, num = {num} }}
[set]
people_per_agent = 20000
workers_per_firm = 20
"""


def spec_file(tmp_path, steps=3, num=2, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(SPEC.format(steps=steps, num=num))
    return path


def tables(out):
    return pd.read_parquet(out / "runs.parquet"), pd.read_parquet(out / "series.parquet")


def manifest(out):
    return json.loads((out / "manifest.json").read_text())


@pytest.mark.slow
def test_one_process_two_processes_and_a_dask_cluster_give_identical_results(tmp_path):
    import dask
    from dask.distributed import LocalCluster
    spec = spec_file(tmp_path, steps=3, num=1)
    serial = run_sweep(spec, tmp_path / "serial", workers=1, progress=False)
    pool = run_sweep(spec, tmp_path / "pool", workers=2, progress=False)
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None) as cluster:
        dask = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    runs, series = tables(serial)
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    assert list(runs["run_id"]) == list(range(4)) and runs["seed"].nunique() == 4
    assert len(series) == 4 * 4
    cities = pd.read_parquet(serial / "cities.parquet")
    assert len(cities) == 4 * 41
    for other in (pool, dask):
        other_runs, other_series = tables(other)
        pd.testing.assert_frame_equal(runs, other_runs.sort_values("run_id").reset_index(drop=True))
        pd.testing.assert_frame_equal(series, other_series)
        pd.testing.assert_frame_equal(cities, pd.read_parquet(other / "cities.parquet"))
    assert manifest(dask)["sessions"][0]["executor"].startswith("dask")
    assert manifest(pool)["sessions"][0]["workers"] == 2
    # different replicates (seeds) of one point differ: the seeds reach the model
    assert runs.loc[0, "real_gdp"] != runs.loc[1, "real_gdp"]


BLAS_THREADS = """
import json

import threadpoolctl

from ydabm.experiments.executors import PoolExecutor


def blas_threads(infos):
    return [info["num_threads"] for info in infos if info["user_api"] == "blas"]


if __name__ == "__main__":
    executor = PoolExecutor(2)
    try:
        workers = [n for _, infos in executor.results(threadpoolctl.threadpool_info, [(i, {}) for i in range(4)])
                   for n in blas_threads(infos)]
    finally:
        executor.close()
    print(json.dumps({"sweep": blas_threads(threadpoolctl.threadpool_info()), "workers": workers}))
"""


def test_pool_workers_use_one_blas_thread_whatever_the_environment(tmp_path):
    """With no thread-count variables set, the sweep process's BLAS has a thread per core; its pool
    workers use one each (a worker per core already fills the machine)."""
    script = tmp_path / "blas.py"
    script.write_text(BLAS_THREADS)
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if (os.cpu_count() or 1) > 1:
        assert min(report["sweep"]) > 1              # the workers' limit is their own, not inherited
    assert report["workers"] and set(report["workers"]) == {1}


@pytest.mark.slow
def test_runs_that_copy_a_kept_burn_in_match_runs_that_burn_in(tmp_path, monkeypatch):
    # with common seeds every point of a replicate shares its burnt-in state: in the pool each process
    # burns in a seed once and copies it after; in this process with no store every run burns in
    from ydabm import burnt_state
    path = tmp_path / "burnt.toml"
    path.write_text(SPEC.format(steps=2, num=1).replace("seed = 5", "seed = 5\ncommon_seeds = true")
                    + "burn_in = 1\nproductivity_persistence = 0.8\n")
    pool = run_sweep(path, tmp_path / "pool", workers=2, progress=False)
    monkeypatch.setattr(burnt_state, "MAX_BYTES", 0)
    burnt_state.clear()
    alone = run_sweep(path, tmp_path / "alone", workers=1, progress=False)
    assert burnt_state.stored() == 0
    runs, series = tables(alone)
    assert runs["seed"].nunique() == 2 and (runs["status"] == "ok").all()
    other_runs, other_series = tables(pool)
    pd.testing.assert_frame_equal(runs, other_runs.sort_values("run_id").reset_index(drop=True))
    pd.testing.assert_frame_equal(series, other_series)


def test_results_folder_holds_runs_manifest_and_nothing_partial(tmp_path):
    out = run_sweep(spec_file(tmp_path, steps=1, num=1), tmp_path / "out", workers=1, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["cities.parquet", "manifest.json", "runlog.parquet",
                                                     "runs.parquet", "series.parquet"]
    runs, _ = tables(out)
    assert list(runs.columns[:9]) == ["run_id", "seed", "status", "error", "point", "replicate", "scenario",
                                     "barrier", "specialization"]
    for column in ("people_per_agent", "workers_per_firm", "similarity_manufacturing", "firms",
                   "similarity_manufacturing_mean_last2"):
        assert column in runs.columns
    record = manifest(out)
    assert record["runs"] == {"total": 4, "done": 4, "failed": 0} and record["status"] == "complete"
    for key in ("spec", "spec_hash", "started", "finished", "ydabm", "provenance"):
        assert record[key]
    for key in ("git_commit", "python", "numpy", "mesa", "pandas", "SALib", "dask"):
        assert key in record["provenance"]
    # every run's cities, in the report's statistic (mean of the last 2 quarters): what run_one returns
    cities = pd.read_parquet(out / "cities.parquet")
    assert list(cities.columns[:3]) == ["run_id", "city", "province"] and record["city_statistic"] == "mean_last:2"
    assert cities.groupby("run_id").size().to_dict() == {k: 41 for k in range(4)}
    assert {"net_migration", "zombie_share", "real_gdp", "wage", "similarity"} <= set(cities.columns)
    run = runs.iloc[3]
    alone = run_one({"barrier": run["barrier"], "specialization": run["specialization"], "people_per_agent": 20000,
                     "workers_per_firm": 20}, int(run["seed"]), steps=1, keep=("final", "mean_last:2"),
                    cities=True)["cities"]
    pd.testing.assert_frame_equal(cities[cities["run_id"] == 3].drop(columns="run_id").reset_index(drop=True), alone)


@pytest.mark.slow
def test_a_run_that_raises_is_recorded_as_failed_and_the_sweep_finishes(tmp_path, monkeypatch, capsys):
    spec = spec_file(tmp_path, steps=2, num=1)
    out = tmp_path / "out"
    monkeypatch.setenv(FAIL_HOOK, "barrier=1.0")
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    assert "2 of 4 runs failed (first: run 2: RuntimeError: injected failure" in capsys.readouterr().err
    runs, series = tables(out)
    failed = runs[runs["barrier"] == 1.0]
    assert list(runs["status"]) == ["ok", "ok", "failed", "failed"]
    assert failed["error"].str.startswith("RuntimeError: injected failure").all()
    assert failed["similarity_manufacturing"].isna().all() and runs.loc[:1, "error"].isna().all()
    assert set(series["run_id"]) == {0, 1}
    assert "Traceback" in pd.read_parquet(out / "runlog.parquet").loc[2, "traceback"]
    assert manifest(out)["runs"] == {"total": 4, "done": 4, "failed": 2}
    # the report draws what finished and says what it left out
    capsys.readouterr()
    assert main(["report", str(out), "--format", "png"]) == 0
    assert "2 of 4 runs did not finish and are left out of the figures" in capsys.readouterr().err
    # resume runs nothing; resume --retry-failed runs the two failed runs only
    monkeypatch.delenv(FAIL_HOOK)
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 1  # still failed
    assert manifest(out)["sessions"][-1]["ran"] == 0
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--retry-failed", "--workers", "1", "--quiet"]) == 0
    runs_after, series_after = tables(out)
    assert manifest(out)["sessions"][-1]["ran"] == 2 and (runs_after["status"] == "ok").all()
    pd.testing.assert_frame_equal(runs_after.iloc[:2], runs.iloc[:2])
    assert sorted(series_after.groupby("run_id").size().index) == [0, 1, 2, 3]


@pytest.mark.slow
def test_sigkill_then_resume_runs_every_run_exactly_once(tmp_path):
    spec = spec_file(tmp_path, steps=2, num=3)  # 12 runs
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ydabm.cli", "sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 2:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the sweep stored no run within 120 s"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the sweep and its worker processes, mid-run
    process.wait(timeout=30)
    stored = {int(p.stem) for p in (out / "runs").glob("*.parquet")}
    assert 2 <= len(stored) < 12, "the sweep finished before it could be killed"
    assert manifest(out)["status"] == "running"

    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--workers", "1", "--quiet"]) == 0
    record = manifest(out)
    assert record["sessions"][-1]["ran"] == 12 - len(stored)
    assert record["runs"] == {"total": 12, "done": 12, "failed": 0} and record["status"] == "complete"
    runs, series = tables(out)
    assert list(runs["run_id"]) == list(range(12)) and (runs["status"] == "ok").all()
    assert series.groupby(["run_id", "step"]).size().eq(1).all() and len(series) == 12 * 3
    cities = pd.read_parquet(out / "cities.parquet")
    assert cities.groupby(["run_id", "city"]).size().eq(1).all() and len(cities) == 12 * 41
    assert not (out / "runs").exists() and not list(out.glob(".*tmp*"))


def test_a_sweep_with_failed_runs_exits_1_and_says_where_the_errors_are(tmp_path, monkeypatch, capsys):
    spec = spec_file(tmp_path, steps=1, num=1)
    out = tmp_path / "out"
    monkeypatch.setenv(FAIL_HOOK, "barrier=1.0")
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "4 of 4 runs done, 2 failed" in captured.out
    assert captured.err == (f"ydabm sweep: error: 2 of 4 runs failed (first: run 2: RuntimeError: injected failure "
                            f"({FAIL_HOOK}=barrier=1.0)); errors in {out / 'runs.parquet'} (column error), tracebacks "
                            f"in {out / 'runlog.parquet'}; run them again with --resume --retry-failed\n")
    assert list(tables(out)[0]["status"]) == ["ok", "ok", "failed", "failed"]


def test_resume_refuses_results_of_another_spec_and_a_rerun_needs_resume(tmp_path, capsys):
    out = tmp_path / "out"
    # --resume on a folder without results starts the sweep
    assert main(["sweep", str(spec_file(tmp_path, steps=1, num=1)), "--out", str(out), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    assert manifest(out)["runs"]["done"] == 4
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    other = spec_file(tmp_path, steps=2, num=1, name="other.toml")
    assert main(["sweep", str(other), "--out", str(out), "--resume", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "--resume refused" in err and "different spec" in err and "steps: stored 1, now 2" in err
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1"]) == 2
    assert "already holds a sweep; pass --resume" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # --force starts again with the other spec (--overwrite is the same switch)
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1", "--quiet", "--force"]) == 0
    assert manifest(out)["spec"]["steps"] == 2 and manifest(out)["kind"] == "sweep"
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1", "--force", "--resume"]) == 2
    assert "give either --resume or --force, not both" in capsys.readouterr().err


