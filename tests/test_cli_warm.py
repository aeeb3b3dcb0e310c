"""The ``ydabm`` command stays light until a command needs the model, and ``ydabm sweep`` with a local
pool of more than one worker starts the pool's fork server before it imports the model itself
(``ydabm.experiments.cli.start_pool_early``): the same stored results as one worker, bad input still
one message, exit 2 and nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

import ydabm

SRC = str(Path(ydabm.__file__).resolve().parents[1])

SPEC = """scenario = "baseline"
steps = 1
replicates = 2
seed = 5
keep = ["final", "mean_last:2"]
series = true
metrics = ["similarity_manufacturing", "real_gdp", "firms"]
[vary]
barrier = [0.0, 1.0]
[set]
people_per_agent = 20000
workers_per_firm = 20
"""

#: runs ``ydabm`` (its ``main``) with the arguments of each call in turn, recording every fork server
#: the process starts and whether the model was imported by then; prints one JSON line per call
SPY = """
import contextlib, io, json, sys
import multiprocessing.util as util
spawns = []
spawn = util.spawnv_passfds
def spy(path, args, passfds):
    if any(b"forkserver import main" in (a if isinstance(a, bytes) else str(a).encode()) for a in args):
        spawns.append("ydabm.model" in sys.modules)
    return spawn(path, args, passfds)
util.spawnv_passfds = spy
if __name__ == "__main__":
    from ydabm.cli import main
    for argv in json.loads(sys.argv[1]):
        spawns.clear()
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit:
                code = exit.code
        print(json.dumps({"code": code, "spawns": list(spawns), "err": err.getvalue()}), flush=True)
"""


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, *filter(None, [os.environ.get("PYTHONPATH")])])}


def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment(),
                          timeout=300, check=True)


def ydabm_calls(tmp_path: Path, calls: list[list[str]]) -> list[dict]:
    """``main(argv)`` for each of ``calls``, in order, in one fresh interpreter (see :data:`SPY`)."""
    script = tmp_path / "spy.py"
    script.write_text(SPY)
    done = subprocess.run([sys.executable, str(script), json.dumps(calls)], capture_output=True, text=True,
                          env=environment(), timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_import_ydabm_and_its_command_do_not_import_the_model_until_it_is_used():
    report = python(
        "import sys, json\n"
        "import ydabm, ydabm.cli, ydabm.experiments, ydabm.experiments.cli, ydabm.experiments.executors\n"
        "light = {m: m in sys.modules for m in ('ydabm.model', 'mesa', 'pandas', 'scipy', 'ydabm.experiments.runner')}\n"
        "from ydabm import YRDModel\n"
        "from ydabm.model import YRDModel as Model\n"
        "from ydabm.experiments import run_sweep, SweepSpec\n"
        "from ydabm.experiments.runner import run_sweep as runner_sweep\n"
        "print(json.dumps({'light': light, 'same': YRDModel is Model and ydabm.YRDModel is Model,\n"
        "                  'sweep': run_sweep is runner_sweep, 'all': sorted(ydabm.__all__),\n"
        "                  'dir': 'YRDModel' in dir(ydabm), 'spec': SweepSpec.__name__}))\n")
    found = json.loads(report.stdout)
    assert found["light"] == dict.fromkeys(found["light"], False)
    assert found["same"] and found["sweep"] and found["dir"]
    assert found["all"] == ["YRDModel", "__version__"]
    assert found["spec"] == "SweepSpec"


def test_a_missing_name_is_still_an_attribute_error():
    import pytest
    import ydabm.experiments
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        ydabm.nothing  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        ydabm.experiments.nothing  # noqa: B018


def test_a_two_worker_sweep_starts_its_fork_server_first_and_stores_what_one_worker_stores(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text(SPEC)
    two, one = tmp_path / "two", tmp_path / "one"
    calls = ydabm_calls(tmp_path, [["sweep", str(spec), "--workers", "2", "--quiet", "--out", str(two)],
                                   ["sweep", str(spec), "--workers", "1", "--quiet", "--out", str(one)]])
    assert [c["code"] for c in calls] == [0, 0], calls
    # one fork server, started before this process imported the model; the pool forked its workers from it
    assert calls[0]["spawns"] == [False]
    assert calls[1]["spawns"] == []
    assert json.loads((two / "manifest.json").read_text())["sessions"][0]["workers"] == 2
    runs = pd.read_parquet(two / "runs.parquet").sort_values("run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_parquet(one / "runs.parquet"), runs)
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    for name in ("series.parquet", "cities.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(one / name), pd.read_parquet(two / name))


def test_bad_input_to_a_two_worker_sweep_is_one_message_exit_2_and_nothing_written(tmp_path):
    good = tmp_path / "sweep.toml"
    good.write_text(SPEC)
    broken = tmp_path / "broken.toml"
    broken.write_text("steps = [1,\n")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(SPEC.replace("seed = 5", "seeds = 5"))
    out = tmp_path / "out"
    cases = {   # arguments -> the start of the one message, and whether a fork server may start for it
        ("sweep", str(tmp_path / "missing.toml"), "--workers", "2"): ("ydabm: error: ", "no such spec file", False),
        ("sweep", str(broken), "--workers", "2"): ("ydabm: error: ", "not valid TOML", False),
        ("sweep", str(good), "--workers", "2", "--retry-failed"): ("ydabm: error: ", "--retry-failed needs --resume",
                                                                  False),
        ("sweep", str(good), "--workers", "x"): ("usage: ydabm sweep", "invalid int value", False),
        ("sweep", str(good), "--workers", "2", "--resume", "--force"): ("ydabm: error: ", "not both", False),
        # read as TOML, refused by the spec's checks: the server started for it exits with the command
        ("sweep", str(unknown), "--workers", "2"): ("ydabm: error: ", "unknown key", True),
    }
    calls = ydabm_calls(tmp_path, [[*args, "--out", str(out)] for args in cases])
    for (args, (start, words, may_spawn)), call in zip(cases.items(), calls, strict=True):
        assert call["code"] == 2, (args, call)
        assert call["err"].startswith(start) and words in call["err"], (args, call["err"])
        if start.startswith("ydabm: error"):
            assert call["err"].count("\n") == 1, call["err"]     # one line
        if not may_spawn:
            assert call["spawns"] == [], (args, call)
    assert not out.exists()
