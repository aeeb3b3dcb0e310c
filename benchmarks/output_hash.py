"""Output fingerprint: a hash of every worker column, the firms' staff, the generator's state and all
model metrics after each quarter, for a few fixed runs (used to show that a speed-up keeps outputs
bit-identical: run it on two commits and compare the printed digests).

    python benchmarks/output_hash.py [--quick] [--quarters 10] [--json]

Runs (people_per_agent, seed, extra parameters): the YRD at 2000 (seed 1) and 235 (seed 2), the
racetrack scenario at 3000 (seed 4) and supply chains on at 5000 (seed 4). ``--quick``: the first
two runs, 3 quarters.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins numerics threads before numpy is imported)

import argparse
import hashlib
import json

import numpy as np

RUNS = (
    ("yrd_2000_s1", 2000, 1, {}),
    ("yrd_235_s2", 235, 2, {}),
    ("racetrack_3000_s4", 3000, 4, "racetrack"),
    ("io_5000_s4", 5000, 4, {"input_output": 1}),
)


def fingerprint(model, digest) -> None:
    w, f = model.workers, model.firms
    for column in (w.city, w.hukou, w.skill, w.employer, w.market, f.employees, model.labour_force, model.wages):
        digest.update(np.ascontiguousarray(column).tobytes())
    digest.update(json.dumps(model.rng.bit_generator.state, sort_keys=True, default=str).encode())
    frame = model.datacollector.get_model_vars_dataframe()
    digest.update(np.ascontiguousarray(frame.iloc[-1].to_numpy(dtype=float)).tobytes())


def run(ppa: float, seed: int, extra, quarters: int) -> str:
    from ydabm.model import YRDModel
    if extra == "racetrack":
        from ydabm.scenarios import load_scenario
        scenario = load_scenario("racetrack")
        params = scenario.params({"people_per_agent": ppa})
        model = YRDModel(rng=seed, policies=tuple(scenario.policies(params)), **params)
    else:
        model = YRDModel(rng=seed, people_per_agent=ppa, **extra)
    digest = hashlib.sha256()
    fingerprint(model, digest)
    for _ in range(quarters):
        model.step()
        fingerprint(model, digest)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quarters", type=int, default=None)
    args = parser.parse_args()
    quarters = args.quarters or (3 if args.quick else 10)
    runs = RUNS[:2] if args.quick else RUNS
    result = {name: run(ppa, seed, extra, quarters) for name, ppa, seed, extra in runs}
    result["quarters"] = quarters
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:<20} {value}")


if __name__ == "__main__":
    main()
