"""The processor kernels of a run's floating point are recorded with it, and a resumed sweep says
when its sessions differ (docs/sweeps.md, "The same numbers on another machine").

numpy's SIMD loops (exp, log, power, ...) and OpenBLAS's kernels are chosen for the processor at
import, and different kernels differ in the last bits: on this session's machine (AVX-512) the four
digests of ``benchmarks/output_hash.py --quarters 10`` differ from those earlier machines recorded at the
same engine, and with ``ydabm.run.PORTABLE_FLOATS`` in the environment they are those digests again."""

import json
import os
import platform
import subprocess
import sys

import pandas as pd
import pytest

from ydabm.experiments import run_sweep
from ydabm.experiments.runner import resume_notes
from ydabm.run import PORTABLE_FLOATS, float_kernels, provenance

SPEC = """scenario = "baseline"
steps = 1
replicates = 1
seed = 5
metrics = ["real_gdp"]
[vary]
barrier = [0.0, 1.0]
[set]
people_per_agent = 20000
"""


def test_a_run_records_the_kernels_of_its_floating_point():
    kernels = float_kernels()
    assert kernels.startswith("numpy ") and "; " in kernels
    assert provenance()["float_kernels"] == kernels


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="the recipe names x86-64 kernels")
def test_the_portable_environment_takes_numpy_and_openblas_to_avx2_kernels():
    code = "from ydabm.run import float_kernels; print(float_kernels())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **PORTABLE_FLOATS}, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert "AVX512" not in out and "X86_V4" not in out, out
    assert "openblas Haswell" in out, out


def test_a_sweeps_runs_and_sessions_record_their_kernels(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text(SPEC)
    out = run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    log = pd.read_parquet(out / "runlog.parquet")
    assert (log["float_kernels"] == float_kernels()).all() and len(log) == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][0]["float_kernels"] == float_kernels()
    assert manifest["provenance"]["float_kernels"] == float_kernels()


def test_a_resumed_sweep_notes_a_session_with_other_code_or_kernels():
    stored = {"sessions": [{"git_commit": "aaa", "float_kernels": "numpy X86_V3; openblas Haswell"}]}
    assert resume_notes(stored, {"git_commit": "aaa", "float_kernels": "numpy X86_V3; openblas Haswell"}) == []
    assert resume_notes(stored, {"git_commit": None, "float_kernels": None}) == []       # nothing to compare
    notes = resume_notes(stored, {"git_commit": "bbb", "float_kernels": "numpy X86_V3 X86_V4 AVX512_ICL; openblas SkylakeX"})
    assert notes == ["this session runs commit bbb, the stored runs were made with aaa: the table will mix them "
                     "(manifest.json lists each session's)",
                     "this session runs processor kernels numpy X86_V3 X86_V4 AVX512_ICL; openblas SkylakeX, the stored "
                     "runs were made with numpy X86_V3; openblas Haswell: the table will mix them (manifest.json lists "
                     "each session's)"]


def test_resuming_a_sweep_made_elsewhere_prints_the_note(tmp_path, capsys):
    spec = tmp_path / "sweep.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, progress=False)
    # as if the stored sweep had been made on another machine and one run had not finished
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["sessions"][0]["float_kernels"] = "numpy X86_V3; openblas Haswell"
    (out / "manifest.json").write_text(json.dumps(manifest))
    runs = pd.read_parquet(out / "runs.parquet")
    runs.iloc[:1].to_parquet(out / "runs.parquet", index=False)
    capsys.readouterr()
    run_sweep(spec, out, workers=1, progress=False, resume=True)
    err = capsys.readouterr().err
    if float_kernels() != "numpy X86_V3; openblas Haswell":
        assert "ydabm: note: " in err and "the stored runs were made with numpy X86_V3; openblas Haswell" in err
    assert len(pd.read_parquet(out / "runs.parquet")) == 2
