"""The ``ydabm sweep`` command's wall time with 1 and 2 workers, as a user sees it, under two source trees.

Each measurement starts the command in a fresh interpreter, ``python -c "from ydabm.cli import main;
raise SystemExit(main())" sweep SPEC --workers N --quiet --out TMP`` (what the ``ydabm`` entry point
runs), with ``PYTHONPATH`` set to the source tree, and times it from the start of the process to its
exit (what a shell waits for): the interpreter's start, the imports, the pool's start-up, the runs and
storing them. The spec is the 8-run sweep of ``sweep_throughput.py`` (barrier at four levels x two
replicates, 2e5 workers x 80 quarters), written to a temporary TOML file; every command writes into its
own temporary folder, removed after it.

``--a`` and ``--b`` are the two source trees (default: this checkout's ``src`` for both). A pair runs
the four commands (tree A and B, 1 and 2 workers) one after another, interleaved, the trees' order
reversed in every other pair, so that a busy neighbour or a change of clock speed affects both trees.
Per pair: ``seconds_{a,b}_{1,2}``, ``scaling_{a,b}`` = wall with 1 worker / wall with 2 workers,
``scaling_gain`` = scaling B - scaling A, ``one_worker_ratio`` = B's 1-worker wall / A's, and the load
average before each command. The top-level ``scaling_a``, ``scaling_b``, ``scaling_gain_min`` and
``one_worker_ratio_median`` summarise the pairs; ``sweep_seconds_*`` is the time the runner itself
logged (``manifest.json``'s session: the runs and storing, without the interpreter, the imports and
the pool's start), so the wall time less it is what the command costs around the sweep; ``cpu_*`` is
the CPU time of the command's own process and the children it reaped (with 1 worker, all of the
sweep's; with 2, not the pool's workers nor its fork server), less sensitive to a busy neighbour than
wall time.

    python benchmarks/cli_sweep.py [--quick] [--json] [--a SRC_A] [--b SRC_B] [--pairs 3]

``--quick``: one pair of the 4-run sweep at 1e4 workers and 4 quarters (proves the script runs).
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, emit, machine, median, note, parse_args
from sweep_throughput import runs_in, sweep_spec

COMMAND = "from ydabm.cli import main; raise SystemExit(main())"


def spec_toml(spec: dict) -> str:
    """The sweep spec of ``sweep_throughput.py`` as the TOML text of a ``sweep.toml``."""
    keep = ", ".join(json.dumps(k) for k in spec["keep"])
    lines = [f"name = {json.dumps(spec['name'])}", f"scenario = {json.dumps(spec['scenario'])}",
             f"steps = {spec['steps']}", f"replicates = {spec['replicates']}", f"seed = {spec['seed']}",
             f"keep = [{keep}]", "[vary]"]
    lines += [f"{name} = [{', '.join(repr(float(v)) for v in values)}]" for name, values in spec["vary"].items()]
    lines += ["[set]", *(f"{name} = {value!r}" for name, value in spec["set"].items())]
    return "\n".join(lines) + "\n"


def environment(tree: str, scratch: Path) -> dict:
    """The commands' environment: ``tree`` first on the path, and compiled modules kept (in a cache under
    ``scratch``, whatever ``PYTHONDONTWRITEBYTECODE`` says), as an installed
    package has them: a user's command does not compile ydabm's sources at every start."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([tree, *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")   # (mirrors each module's absolute path)
    return env


def timed_command(tree: str, spec: Path, workers: int, scratch: Path) -> dict:
    """One ``ydabm sweep`` under source tree ``tree``: wall seconds to the process's exit, the runner's
    own seconds, and the load average before."""
    out = Path(tempfile.mkdtemp(prefix="ydabm-cli-sweep-", dir=scratch))
    env = environment(tree, scratch)
    command = [sys.executable, "-c", COMMAND, "sweep", str(spec), "--workers", str(workers), "--quiet",
               "--out", str(out / "out")]
    load = os.getloadavg()[0]
    try:
        with open(out / "stdout", "w") as stdout, open(out / "stderr", "w") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr, cwd=scratch)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            process.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"cli_sweep.py: {' '.join(command)} exited {code}:\n{(out / 'stderr').read_text()}")
        manifest = json.loads((out / "out" / "manifest.json").read_text())
        session = manifest["sessions"][-1]
        assert manifest["runs"]["done"] == manifest["runs"]["total"] and session["workers"] == workers
        return {"wall": wall, "sweep": float(session["seconds"]), "load": load, "cpu": usage.ru_utime + usage.ru_stime}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    def options(parser):
        parser.add_argument("--a", default=str(ROOT / "src"), help="source tree A (the reference)")
        parser.add_argument("--b", default=str(ROOT / "src"), help="source tree B (the change)")
        parser.add_argument("--pairs", type=int, default=None, help="interleaved pairs (default 3; 1 with --quick)")
    args = parse_args(__doc__.splitlines()[0], options)
    pairs = args.pairs if args.pairs is not None else (1 if args.quick else 3)
    if pairs < 1:
        raise SystemExit(f"cli_sweep.py: --pairs = {pairs}; allowed: 1 or more")
    workers, steps = (1e4, 4) if args.quick else (2e5, 80)
    spec = sweep_spec(workers, steps)
    if args.quick:
        spec["replicates"] = 1
    trees = {"a": str(Path(args.a).resolve()), "b": str(Path(args.b).resolve())}
    scratch = Path(tempfile.mkdtemp(prefix="ydabm-cli-bench-"))
    rows = []
    try:
        path = scratch / "sweep.toml"
        path.write_text(spec_toml(spec))
        warm = scratch / "warm-up.toml"      # one quarter of two runs: fills each tree's cache of compiled modules
        warm.write_text(spec_toml({**sweep_spec(1e4, 1), "replicates": 1, "vary": {"barrier": [0.0, 1.0]}}))
        for tree in trees.values():
            for processes in (1, 2):
                timed_command(tree, warm, processes, scratch)
        for pair in range(pairs):
            order = ("a", "b") if pair % 2 == 0 else ("b", "a")
            row = {}
            for processes in (1, 2):
                for tree in order:
                    note(f"pair {pair + 1}: tree {tree.upper()}, --workers {processes}, "
                         f"load average {os.getloadavg()[0]:.2f} ...")
                    got = timed_command(trees[tree], path, processes, scratch)
                    row[f"seconds_{tree}_{processes}"] = got["wall"]
                    row[f"sweep_seconds_{tree}_{processes}"] = got["sweep"]
                    row[f"load_{tree}_{processes}"] = got["load"]
                    row[f"cpu_{tree}_{processes}"] = got["cpu"]
            for tree in order:
                row[f"scaling_{tree}"] = row[f"seconds_{tree}_1"] / row[f"seconds_{tree}_2"]
            row["scaling_gain"] = row["scaling_b"] - row["scaling_a"]
            row["one_worker_ratio"] = row["seconds_b_1"] / row["seconds_a_1"]
            row["first"] = order[0]
            rows.append(row)
            note("  " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "scaling_a": median([r["scaling_a"] for r in rows]),
        "scaling_b": median([r["scaling_b"] for r in rows]),
        "scaling_gain_min": min(r["scaling_gain"] for r in rows),
        "one_worker_ratio_median": median([r["one_worker_ratio"] for r in rows]),
        "pairs": rows,
        "tree_a": trees["a"],
        "tree_b": trees["b"],
        "sweep_runs": runs_in(spec),
        "sweep_workers_per_run": workers,
        "sweep_steps_per_run": steps,
        "quick": args.quick,
        "machine": machine(),
    }
    emit(result, args.json, ("scaling_a", "scaling_b", "scaling_gain_min", "one_worker_ratio_median"))


if __name__ == "__main__":
    main()
