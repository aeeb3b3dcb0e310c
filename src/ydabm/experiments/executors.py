"""Where a sweep's runs execute: in this process, a local process pool, or a Dask cluster.

Every executor takes the same function and keyword arguments per run and yields ``(run, outcome)``
as runs finish, in any order; the caller stores each outcome at once.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from ..params import ParameterError
from .spec import Run

PROFILE_OFF = "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False"  # env of `dask worker`: no profiler
Tasks = list[tuple[Run, dict[str, Any]]]


class SweepError(RuntimeError):
    """The sweep could not go on (not a failed run: those are recorded); stored runs are kept."""


class SerialExecutor:
    """Runs in this process, one after another."""

    label = "in-process"
    workers = 1

    def results(self, function: Callable[..., dict], tasks: Tasks) -> Iterator[tuple[Run, dict]]:
        """Call ``function(**kwargs)`` for each task, in order."""
        for run, kwargs in tasks:
            yield run, function(**kwargs)

    def close(self) -> None:
        """Nothing to release."""


class PoolExecutor:
    """A local process pool of warm workers.

    Where the platform has it (Linux, macOS), the ``forkserver`` start method: one server process
    imports the model once (:data:`WARM_MODULES`) and forks every worker from it, so the workers start
    with the model imported and nothing else of the sweep process; elsewhere ``spawn`` (fresh
    interpreters, each importing the model when it starts). Each worker uses one BLAS thread and runs
    run after run, keeping the calibrated state of the runs' parameters (:mod:`ydabm.calibrated_state`):
    only its first run with given calibration parameters builds it.

    Not ``fork``: the sweep process runs other threads by the time it starts a pool (OpenBLAS's,
    pyarrow's allocator and I/O threads), and forking a process with threads can copy a lock held by
    one of them into the worker, which then hangs on it; Python warns at every such fork.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self.label = f"process pool, {workers} workers"
        self.pool = ProcessPoolExecutor(workers, mp_context=_warm_context(),
                                        initializer=_start_worker, initargs=(os.getpid(),))

    def results(self, function: Callable[..., dict], tasks: Tasks) -> Iterator[tuple[Run, dict]]:
        """Submit every task, yield each as it finishes."""
        futures = {self.pool.submit(function, **kwargs): run for run, kwargs in tasks}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BrokenProcessPool:
            raise SweepError("a worker process died (out of memory? killed? or a script that starts a sweep "
                             "without `if __name__ == \"__main__\":`); finished runs are stored, "
                             "continue with --resume") from None

    def close(self) -> None:
        """Cancel what has not started; wait for the workers to exit."""
        self.pool.shutdown(wait=True, cancel_futures=True)


#: what a worker imports before its first run: the runner and the model (with Mesa, pandas, networkx)
WARM_MODULES = ["ydabm.experiments.runner", "ydabm.run"]


def _warm_context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = get_context("forkserver")
        context.set_forkserver_preload(WARM_MODULES)     # imported once, by the server
        return context
    return get_context("spawn")


def _start_worker(sweep: int) -> None:
    """Pool-worker initializer: import the model (already there when forked from the fork server), use
    one BLAS thread, and exit when the sweep process ``sweep`` dies (e.g. SIGKILL), so no orphan keeps
    computing runs that nobody will store. (A worker's parent is the fork server, which outlives the
    sweep process while its workers live, so the worker watches the sweep process itself.)"""
    import psutil
    from threadpoolctl import threadpool_limits
    for module in WARM_MODULES:
        importlib.import_module(module)
    # one BLAS thread per worker: with a worker per core, BLAS threads per core oversubscribe the
    # machine (measured on 2 cores: a 40-quarter run at 500 people per agent took 5-18 s in a
    # 2-worker pool instead of 1.6-2 s). The fork server imported numpy, and so set its BLAS's
    # thread count, when it started, whatever the sweep's environment says
    threadpool_limits(1)
    from ..allocator import keep_freed_memory
    keep_freed_memory()         # reuse the step's freed arrays (outputs unchanged)
    try:
        process = psutil.Process(sweep)
    except psutil.NoSuchProcess:
        os._exit(1)

    def alive() -> bool:
        try:                    # is_running also tells a new process that reuses the pid
            return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    def watch() -> None:
        while alive():
            time.sleep(1.0)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


class DaskExecutor:
    """A Dask distributed cluster; workers need ydabm installed (same version)."""

    def __init__(self, scheduler: Any, timeout: float = 10.0):
        from dask.distributed import Client
        from .. import __version__
        if hasattr(scheduler, "submit"):
            self.client, self.owned = scheduler, False
        else:
            try:
                self.client = Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
            except (OSError, TimeoutError) as err:
                raise ParameterError(f"--scheduler {scheduler}: cannot connect ({err})") from None
            self.owned = True
        try:
            self.client.wait_for_workers(1, timeout=60)
        except (TimeoutError, OSError):
            self.close()
            raise ParameterError(f"--scheduler {scheduler}: no worker joined within 60 s") from None
        versions = self.client.run(_ydabm_version)
        wrong = {addr: v for addr, v in versions.items() if v != __version__}
        if wrong:
            self.close()
            addr, version = next(iter(wrong.items()))
            raise ParameterError(f"--scheduler: worker {addr} runs ydabm {version}, this is {__version__}")
        self.workers = len(versions)
        self.label = f"dask {self.client.scheduler.address}, {self.workers} workers"
        if any(self.client.run(_profiling).values()):
            print(f"ydabm sweep: note: the Dask workers run their statistical profiler, which slows runs by about "
                  f"40%; start them with {PROFILE_OFF} to turn it off", file=sys.stderr)

    def results(self, function: Callable[..., dict], tasks: Tasks) -> Iterator[tuple[Run, dict]]:
        """Submit every task to the cluster, yield each as it finishes; a lost task is a failed run."""
        from dask.distributed import as_completed as dask_completed
        tag = uuid.uuid4().hex[:12]
        futures = {self.client.submit(function, **kwargs, key=f"ydabm-run-{tag}-{run.run_id}", pure=False): run
                   for run, kwargs in tasks}
        try:
            for future in dask_completed(futures, loop=self.client.loop):
                run = futures[future]
                try:
                    outcome = future.result()
                except Exception as err:  # the worker died or the task was lost
                    outcome = {"status": "failed", "error": f"{type(err).__name__}: {err}", "values": {},
                               "series": None, "seconds": float("nan"), "host": "?"}
                future.release()
                yield run, outcome
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Disconnect (a Client passed in by the caller stays open)."""
        if self.owned:
            self.client.close()


def map_records(function: Callable[[Any], dict], tasks: list, workers: int, json_path: str | None = None) -> list[dict]:
    """``function`` over ``tasks`` in a local pool of ``workers`` processes, the records in task order,
    also written to ``json_path`` (one JSON list) when given: what the diagnostic scripts in
    ``scripts/`` do with their runs."""
    with ProcessPoolExecutor(workers) as pool:
        records = list(pool.map(function, tasks))
    if json_path:
        with open(json_path, "w") as out:
            json.dump(records, out, indent=1)
    return records


def _ydabm_version() -> str:
    from .. import __version__
    return __version__


def _profiling() -> bool:
    import dask
    return bool(dask.config.get("distributed.worker.profile.enabled", True))


def make_executor(workers: int | None, scheduler: Any, pending: int):
    """The executor for ``workers`` local processes or a Dask ``scheduler`` (address or Client)."""
    if scheduler is not None:
        return DaskExecutor(scheduler)
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ParameterError(f"--workers: {workers}; need at least 1")
    workers = min(workers, max(pending, 1))
    return SerialExecutor() if workers == 1 else PoolExecutor(workers)
