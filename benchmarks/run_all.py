"""Run every benchmark script, each in its own process, with ``--quick`` (as CI does) or in full.

    python benchmarks/run_all.py [--full] [--json]

With ``--json`` prints one object: script name -> that script's JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("worker_step.py", "model_throughput.py", "memory.py", "sweep_throughput.py", "supply_chains.py",
           "phase_times.py")


def run(script: str, full: bool) -> dict:
    """Run one script with ``--json`` (and ``--quick`` unless ``full``); its parsed output."""
    command = [sys.executable, str(HERE / script), "--json", *(() if full else ("--quick",))]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{script} failed ({completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full scales (minutes) instead of --quick")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = {}
    for script in SCRIPTS:
        start = time.perf_counter()
        results[script] = run(script, args.full)
        print(f"{script}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(results))
        return
    for script, values in results.items():
        print(f"== {script}")
        for key, value in values.items():
            if key != "machine":
                print(f"  {key:<40} {value}")


if __name__ == "__main__":
    main()
