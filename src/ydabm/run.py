"""Run one simulation and write its outputs (model.parquet, cities.parquet, manifest.json, summary.png).

The model never imports this module; this module only drives the model and stores what it reports.
"""

from __future__ import annotations

import functools

import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .capacity_check import check_capacity
from .model import YRDModel
from .outputs import check_output
from .params import ParameterError, Params
from .agents.government import CityGovernment


@dataclass
class RunResult:
    """Everything one run produced: per-step model metrics, per-step city rows, provenance, and the
    real enterprises one firm agent stands for (``YRDModel.enterprises``: ``people_per_agent`` x the
    worker agents a firm agent employs at t = 0 / 17.6, which the set-up's floor of one firm agent per
    city-sector can make smaller than ``workers_per_firm`` asks)."""

    model: pd.DataFrame
    cities: pd.DataFrame
    params: dict[str, Any]
    seed: int
    seconds: float
    enterprises: float


def simulate(params: dict[str, Any], steps: int, seed: int, policies: list | tuple = (),
             progress: bool = False) -> RunResult:
    """Build a YRDModel with ``params`` and ``policies``, run ``steps`` quarters, collect results.

    Args:
        params: model parameters by name (validated into a :class:`~ydabm.params.Params`).
        steps: quarters to simulate after t = 0.
        seed: seed of the run's generator.
        policies: shock and policy objects (fresh ones: they keep state).
        progress: show a tqdm progress bar.

    Raises:
        ydabm.capacity_check.CapacityError: the run's estimated peak memory exceeds what the machine
            has available (nothing is built).
    """
    start = time.perf_counter()
    run = Params.build(params)
    check_capacity(run)                 # a scale the machine cannot hold is refused before building
    model = YRDModel(rng=seed, policies=tuple(policies), params=run)
    iterator = range(steps)
    if progress:
        from tqdm import tqdm
        iterator = tqdm(iterator, desc="quarters", unit="q")
    for _ in iterator:
        model.step()
    return RunResult(model_frame(model), city_frame(model), model.params.as_dict(), seed, time.perf_counter() - start,
                     float(model.enterprises))


def model_frame(model: YRDModel) -> pd.DataFrame:
    """Model metrics, one row per step, with ``step``, ``year`` and ``quarter`` (1-4) columns."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    step = np.arange(len(frame))
    calendar = pd.DataFrame({"step": step, "year": model.params.start_year + step // 4, "quarter": step % 4 + 1})
    return pd.concat([calendar, frame.astype(float)], axis=1)


def city_frame(model: YRDModel) -> pd.DataFrame:
    """City rows, one per city per step: population, employment by sector, gdp, wage, ..."""
    frame = model.datacollector.get_agenttype_vars_dataframe(CityGovernment).reset_index()
    frame.insert(1, "city", frame.pop("city"))
    frame.insert(2, "province", frame.pop("province"))
    frame = frame.rename(columns={"Step": "step"}).drop(columns="AgentID")
    frame["step"] = frame["step"].astype(int)
    return frame


#: what makes numpy and OpenBLAS compute the same floats on every x86-64 machine with AVX2 (the
#: environment of every process, set before numpy is imported): docs/sweeps.md, "The same numbers on
#: another machine"
PORTABLE_FLOATS = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Haswell"}


@functools.lru_cache(maxsize=1)
def float_kernels() -> str:
    """The processor kernels numpy and its BLAS use in this process, e.g. ``numpy X86_V3 X86_V4
    AVX512_ICL; openblas SkylakeX``: numpy's SIMD loops (exp, log, power, ...) and OpenBLAS's kernels
    differ from one instruction set to another in the last bits of their results, so the same seed
    gives the same numbers only where this string is the same (docs/sweeps.md, "The same numbers on
    another machine")."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    from threadpoolctl import threadpool_info
    simd = " ".join(feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature))
    blas = ", ".join(dict.fromkeys(f"{info.get('internal_api', info.get('prefix'))} {info.get('architecture', '?')}"
                                   for info in threadpool_info() if info.get("user_api") == "blas"))
    return f"numpy {simd or 'baseline'}; {blas or 'no BLAS found'}"


def provenance() -> dict[str, Any]:
    """Versions of ydabm, Python, numpy, mesa, the git commit when available, and the processor
    kernels numpy and its BLAS use (:func:`float_kernels`)."""
    import mesa
    commit = None
    try:
        root = Path(__file__).resolve().parents[2]
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"ydabm": __version__, "git_commit": commit, "python": platform.python_version(),
            "numpy": np.__version__, "mesa": mesa.__version__, "pandas": pd.__version__,
            "machine": platform.platform(), "float_kernels": float_kernels()}


def check_run_folder(out: str | Path, replace: bool = False) -> None:
    """Refuse an output folder that is a file, holds other results, or (unless ``replace``) a run.

    Raises:
        ParameterError: one line naming the folder (see :func:`ydabm.outputs.check_output`).
    """
    if check_output(out, "run") and not replace:
        raise ParameterError(f"{out}: already holds a run; pass --force to replace it, or give another --out")


def write_run(result: RunResult, out: Path, scenario: str, steps: int, policies: list | tuple = (),
              replace: bool = False, settings: dict | None = None) -> None:
    """Write a run's files into ``out`` atomically: they appear together or not at all. ``settings``:
    the parameters the user set on top of the scenario (recorded and shown in the figure title).

    Raises:
        ParameterError: ``out`` cannot take the run (:func:`check_run_folder`); nothing is written.
    """
    out = Path(out)
    check_run_folder(out, replace)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private (0700); a results folder is not
    try:
        result.model.to_parquet(staging / "model.parquet", index=False)
        result.cities.to_parquet(staging / "cities.parquet", index=False)
        manifest = {"kind": "run", "scenario": scenario, "steps": steps, "seed": result.seed,
                    "settings": dict(settings or {}), "params": result.params,
                    "policies": [repr(p) for p in policies], "enterprises_per_firm_agent": result.enterprises,
                    "wall_time_s": round(result.seconds, 3),
                    **provenance()}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        from .report import summary_figure
        summary_figure(result.model, staging / "summary.png", title=f"ydabm: {scenario}, seed {result.seed}",
                       settings=settings)
        if out.exists():
            for child in staging.iterdir():
                os.replace(child, out / child.name)
            staging.rmdir()
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
