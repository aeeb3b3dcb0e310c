"""Run a sweep: one pure :func:`run_one`, executed anywhere, results stored as each run ends.

The executors (:mod:`.executors`: in-process, a local process pool, a Dask cluster) all call the
same :func:`run_one` with the same arguments and seeds, so a sweep's ``runs.parquet`` does not
depend on the executor or on the number of workers.

Test hook: when the environment variable ``YDABM_SWEEP_FAIL_IF`` holds ``name=value[,name=value]``,
:func:`run_one` raises for every run whose parameters match all the pairs (numbers compare as
floats). Only this module reads it; it exists to test that failed runs are recorded.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import pandas as pd

from ..outputs import check_output
from ..params import ParameterError
from ..scenarios import Scenario, load_scenario
from .city_outputs import sweep_city_values
from .executors import SerialExecutor, SweepError, make_executor
from .spec import ID_COLUMNS, Plan, Run, SweepSpec, build_plan, metric_column, report_statistic
from .storage import ResultStore

__all__ = ["SweepError", "kept_values", "run_one", "run_sweep"]

FAIL_HOOK = "YDABM_SWEEP_FAIL_IF"
MANIFEST_EVERY = 30.0  # seconds between manifest updates while a sweep runs


def run_one(params: dict[str, Any], seed: int, *, steps: int, scenario: Scenario | str = "baseline",
            keep: tuple[str, ...] = ("final",), metrics: tuple[str, ...] | None = None,
            series: bool = False, cities: bool = False) -> dict[str, Any]:
    """Simulate one run and reduce it to the kept values; never raises.

    Args:
        params: parameter overrides on top of the scenario's (the sweep's set and varied values).
        seed: seed of the run's generator.
        steps: quarters to simulate.
        scenario: a scenario, or its name or path (gives parameter overrides and fresh policies).
        keep: ``"final"`` (value at the last step) and ``"mean_last:K"`` (mean of the last K steps).
        metrics: model metrics to keep (default: all).
        series: also return every step of the kept metrics.
        cities: also return each city's outputs in the report's statistic (:func:`.spec.report_statistic`
            of ``keep``; :func:`.city_outputs.sweep_city_values`).

    Returns:
        ``status`` (``"ok"`` or ``"failed"``), ``error`` (``"Type: message"`` or ``None``),
        ``values`` (kept column -> float), ``series``
        (DataFrame or ``None``), ``cities`` (one row per city: ``city``, ``province`` and the outputs,
        or ``None``), ``enterprises`` (real enterprises per firm agent, :class:`ydabm.run.RunResult`;
        ``None`` if the run failed), ``seconds``, ``host``, ``float_kernels`` (the processor
        kernels of numpy and its BLAS in the process that ran it, :func:`ydabm.run.float_kernels`).
    """
    from ..model import MODEL_METRICS
    from ..run import float_kernels, simulate
    start = time.perf_counter()
    metrics = tuple(metrics or MODEL_METRICS)
    outcome = {"status": "ok", "error": None, "values": {}, "series": None, "cities": None, "enterprises": None,
               "host": socket.gethostname(), "float_kernels": float_kernels()}
    try:
        scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
        _injected_failure(params)
        resolved = scenario.params(params)
        result = simulate(resolved, steps, seed, scenario.policies(resolved))
        outcome["values"] = kept_values(result.model, metrics, keep)
        outcome["enterprises"] = result.enterprises
        if series:
            outcome["series"] = result.model[["step", "year", "quarter", *metrics]].reset_index(drop=True)
        if cities:
            outcome["cities"] = sweep_city_values(result.cities, report_statistic(keep), resolved["sectors_file"])
    except Exception as err:  # a failed run is recorded, never fatal to the sweep
        outcome.update(status="failed", error=f"{type(err).__name__}: {err}", values={}, series=None, cities=None,
                       traceback=traceback.format_exc(limit=8))
    outcome["seconds"] = time.perf_counter() - start
    return outcome


def kept_values(model: pd.DataFrame, metrics: tuple[str, ...], keep: tuple[str, ...]) -> dict[str, float]:
    """Reduce per-step metrics to the kept values: ``final`` is the last row, ``mean_last:K`` the
    mean of the last K rows (step 0 is the initial state)."""
    values = {}
    for rule in keep:
        tail = model.iloc[-1:] if rule == "final" else model.iloc[-int(rule.split(":")[1]):]
        for metric in metrics:
            values[metric_column(metric, rule)] = float(tail[metric].mean())
    return values


def _injected_failure(params: dict[str, Any]) -> None:
    wanted = os.environ.get(FAIL_HOOK, "").strip()
    if not wanted:
        return
    pairs = [item.split("=", 1) for item in wanted.split(",")]
    if all(_same(params.get(k.strip()), v.strip()) for k, v in pairs):
        raise RuntimeError(f"injected failure ({FAIL_HOOK}={wanted})")


def _same(value: Any, text: str) -> bool:
    try:
        return float(value) == float(text)
    except (TypeError, ValueError):
        return str(value) == text


# --------------------------------------------------------------------------- the sweep
def run_sweep(spec: SweepSpec | dict | str | Path, out: str | Path | None = None, workers: int | None = None,
              scheduler: Any = None, resume: bool = False, progress: bool = True,
              retry_failed: bool = False, overwrite: bool = False) -> Path:
    """Run every missing run of a sweep and store the results; returns the results folder.

    Args:
        spec: path of a ``sweep.toml``, spec data, or a parsed :class:`SweepSpec`.
        out: results folder (default ``results/<name>``).
        workers: local processes (default: every core; 1 runs in this process).
        scheduler: address of a Dask scheduler (``tcp://host:8786``) or a ``Client``; replaces
            ``workers``.
        resume: continue the sweep stored in ``out`` (refused if it was made from another spec).
        progress: show a progress bar (runs done of total, rate, ETA) on stderr.
        retry_failed: with ``resume``, run again the runs recorded as failed.
        overwrite: delete the sweep stored in ``out`` and start again (``--force``).

    Raises:
        ParameterError: bad spec or arguments, ``out`` already holding results, resume refused;
            raised before anything is written.
    """
    plan = build_plan(spec)
    if workers is not None and scheduler is not None:
        raise ParameterError("give either --workers or --scheduler, not both")
    if resume and overwrite:
        raise ParameterError("give either --resume or --force, not both")
    store = ResultStore(out if out is not None else Path("results") / plan.name)
    check_output(store.out, "sweep")
    manifest = _check_destination(store, plan, resume, overwrite)
    done = store.statuses() if resume and manifest else {}
    todo = [r for r in plan.runs if r.run_id not in done or (retry_failed and done[r.run_id] != "ok")]
    executor = make_executor(workers, scheduler, len(todo)) if todo else SerialExecutor()
    for note in schedule_notes(plan) if todo else ():
        print(f"ydabm: note: {plan.name}: {note}", file=sys.stderr)
    try:
        with store.lock():
            if overwrite:
                store.clear()
            store.remove_stale_temporaries()
            _execute(plan, store, executor, todo, manifest, progress)
    finally:
        executor.close()
    return store.out


def schedule_notes(plan: Plan) -> list[str]:
    """What of its scenarios' policies the sweep's runs do not see (:func:`ydabm.policies.schedule_notes`:
    a shock from before a run's first quarter, a policy after its last), once per scenario and start
    year."""
    from ..policies import schedule_notes as notes_for
    first: dict[tuple, Any] = {}
    for run in plan.runs:
        first.setdefault((run.scenario, run.values.get("start_year")), run)
    found: dict[str, None] = {}
    for run in first.values():
        scenario = plan.scenarios[run.scenario]
        params = scenario.params(run.values)
        where = f"scenario {run.scenario}" + (f", start_year {params['start_year']}" if "start_year" in plan.varied else "")
        for note in notes_for(scenario.policies(params), params["start_year"], plan.spec.steps):
            found[f"{where}: {note}"] = None
    return list(found)


def _check_destination(store: ResultStore, plan: Plan, resume: bool, overwrite: bool) -> dict | None:
    """The stored manifest to resume, after refusing what must be refused (nothing is written)."""
    if not store.holds_results() or overwrite:
        return None
    manifest = store.read_manifest()
    if not resume:
        raise ParameterError(f"{store.out} already holds a sweep; pass --resume to continue it, "
                             "--force to start again, or --out for another folder")
    if manifest is None:
        raise ParameterError(f"{store.out} holds runs but no manifest.json; cannot tell which spec made them")
    if manifest.get("spec_hash") != plan.spec_hash:
        raise ParameterError(f"--resume refused: {store.out} was made from a different spec "
                             f"({_difference(manifest, plan)}); use another --out or --force")
    return manifest


def _difference(manifest: dict, plan: Plan) -> str:
    old, new = manifest.get("fingerprint", {}), plan.fingerprint()
    for section in ("spec", "scenarios"):
        a, b = old.get(section, {}), new[section]
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                label = key if section == "spec" else f"scenario {key}"
                return f"{label}: stored {a.get(key)!r}, now {b.get(key)!r}"
    return "spec hash differs"


def _execute(plan: Plan, store: ResultStore, executor, todo: list[Run], manifest: dict | None,
             progress: bool) -> None:
    from tqdm import tqdm
    columns = [*ID_COLUMNS, *_param_columns(plan), *plan.columns]
    if manifest is None:
        manifest = _new_manifest(plan)
    session = {"started": _now(), "finished": None, "executor": executor.label, "workers": executor.workers,
               "ran": 0, "failed": 0, "seconds": None, "runs_per_hour": None, **_commit()}
    if todo:
        for note in resume_notes(manifest, session):
            print(f"ydabm: note: {plan.name}: {note}", file=sys.stderr)
    manifest["sessions"] = [*manifest.get("sessions", []), session]
    manifest.update(status="running", finished=None)
    table = store.consolidate(columns, plan.spec.series, plan.spec.keep_cities)
    statuses = dict(zip(table["run_id"].astype(int), table["status"])) if len(table) else {}
    manifest["runs"] = _counts(plan, statuses)
    store.write_manifest(manifest)
    tasks = [(run, _task(plan, run)) for run in todo]
    bar = tqdm(total=len(plan.runs), initial=len(plan.runs) - len(todo), unit="run", desc=plan.name,
               disable=not progress, dynamic_ncols=True, smoothing=0.1, file=sys.stderr)
    start = last_manifest = time.perf_counter()
    status = "interrupted"
    try:
        for run, outcome in executor.results(run_one, tasks):
            store.write_run(_row(plan, run, outcome), _series(plan, run, outcome), _cities(run, outcome))
            session["ran"] += 1
            session["failed"] += outcome["status"] != "ok"
            statuses[run.run_id] = outcome["status"]
            manifest["runs"] = _counts(plan, statuses)
            bar.update(1)
            if session["failed"]:
                bar.set_postfix(failed=session["failed"], refresh=False)
            if time.perf_counter() - last_manifest > MANIFEST_EVERY:
                store.write_manifest(manifest)
                last_manifest = time.perf_counter()
        status = "complete"
    finally:
        bar.close()
        elapsed = time.perf_counter() - start
        session.update(finished=_now(), seconds=round(elapsed, 3),
                       runs_per_hour=round(session["ran"] / elapsed * 3600, 1) if session["ran"] and elapsed else None)
        store.consolidate(columns, plan.spec.series, plan.spec.keep_cities)
        complete = status == "complete" and manifest["runs"]["done"] == manifest["runs"]["total"]
        manifest.update(status="complete" if complete else status, finished=_now())
        store.write_manifest(manifest)
        if complete:
            store.remove_parts()


def _param_columns(plan: Plan) -> list[str]:
    varied = [name for name in plan.varied if name != "scenario"]
    return [*varied, *(name for name in plan.constants if name not in varied)]


def _task(plan: Plan, run: Run) -> dict[str, Any]:
    return {"params": run.values, "seed": run.seed, "steps": plan.spec.steps,
            "scenario": plan.scenarios[run.scenario], "keep": plan.keep, "metrics": plan.metrics,
            "series": plan.spec.series, "cities": plan.spec.keep_cities}


def _row(plan: Plan, run: Run, outcome: dict[str, Any]) -> dict[str, Any]:
    row = {"run_id": run.run_id, "seed": run.seed, "status": outcome["status"], "error": outcome["error"],
           "point": run.point, "replicate": run.replicate, "scenario": run.scenario, **run.values}
    row.update({column: outcome["values"].get(column, float("nan")) for column in plan.columns})
    row.update(seconds=outcome["seconds"], host=outcome["host"], float_kernels=outcome.get("float_kernels"),
               finished=_now(), traceback=outcome.get("traceback"))
    return row


def _series(plan: Plan, run: Run, outcome: dict[str, Any]) -> pd.DataFrame | None:
    frame = outcome.get("series")
    if frame is None:
        return None
    # parameters stay in runs.parquet (join on run_id): a metric could share a parameter's name
    ids = pd.DataFrame({"run_id": [run.run_id] * len(frame), "scenario": [run.scenario] * len(frame)})
    return pd.concat([ids, frame], axis=1)


def _cities(run: Run, outcome: dict[str, Any]) -> pd.DataFrame | None:
    frame = outcome.get("cities")
    if frame is None or outcome["status"] != "ok":
        return None
    return pd.concat([pd.DataFrame({"run_id": [run.run_id] * len(frame)}), frame.reset_index(drop=True)], axis=1)


def _new_manifest(plan: Plan) -> dict[str, Any]:
    from .. import __version__
    from ..run import provenance
    spec = plan.spec
    return {
        "kind": "sweep", "name": plan.name, "spec_hash": plan.spec_hash, "spec": spec.dump(), "spec_text": plan.source,
        "fingerprint": plan.fingerprint(),
        "design": {"method": spec.design.method, "points": len(plan.runs) // spec.replicates,
                   "replicates": spec.replicates, "problem": plan.problem,
                   "second_order": spec.design.second_order, "levels": spec.design.levels},
        "varied": list(plan.varied), "constants": plan.constants, "keep": list(plan.keep),
        "metrics": list(plan.metrics), "columns": list(plan.columns),
        "city_statistic": plan.statistic if spec.keep_cities else None,
        "runs": {"total": len(plan.runs), "done": 0, "failed": 0},
        "status": "running", "started": _now(), "finished": None, "sessions": [],
        "ydabm": __version__, "provenance": {**provenance(), **_versions()},
    }


def _counts(plan: Plan, statuses: dict[int, str]) -> dict[str, int]:
    failed = sum(status != "ok" for status in statuses.values())
    return {"total": len(plan.runs), "done": len(statuses), "failed": failed}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version
    found = {}
    for package in ("SALib", "dask", "distributed", "pyarrow", "pydantic", "scipy", "networkx"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def _commit() -> dict[str, Any]:
    """What a session's runs were made with: the code (git commit) and the processor kernels of its
    floating point (:func:`ydabm.run.float_kernels`)."""
    from ..run import provenance
    found = provenance()
    return {"git_commit": found["git_commit"], "float_kernels": found["float_kernels"]}


def resume_notes(manifest: dict[str, Any], session: dict[str, Any]) -> list[str]:
    """Lines saying how this ``session`` differs from the stored sessions of a resumed sweep in its
    code or its floating point: the runs of the table would then not all come from one engine, or
    not to the last bit from one machine's numbers (not an error: the sweep's manifest lists every
    session's, docs/sweeps.md, "The same numbers on another machine")."""
    notes = []
    for key, what in (("git_commit", "commit"), ("float_kernels", "processor kernels")):
        stored = sorted({str(s.get(key)) for s in manifest.get("sessions", []) if s.get(key)})
        now = session.get(key)
        if stored and now and stored != [str(now)]:
            notes.append(f"this session runs {what} {now}, the stored runs were made with {' and '.join(stored)}: "
                         "the table will mix them (manifest.json lists each session's)")
    return notes


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
