"""The stationary-baseline figures of docs/validation.md ("Engine: stationary baseline").

Runs the protocol of ``tests/test_stationarity.py`` and prints what the page reports:

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/stationarity.py [--seeds 1 2 3 4 5] [--quarters 40]
        [--stationary-seeds 1 2 3] [--json]

Per seed (default parameters and scale, no shock): the largest |change| of unemployment from quarter 0
(pp), exits (a firm mass, in founding cohorts) mean and largest over quarters 1..Q with the quarter of
the largest, the firm mass after Q quarters relative to quarter 0, the largest market residual, the
largest output / feasible output of a live firm, the largest |change| of the four similarity indexes
and the Krugman index, the number of live firm agents (cohorts) at quarter 0 and at the end, and the
wall time of each step (ms). With ``migrant_inflow_rate`` 0 (stationary populations) the largest
|change| of the structure metrics for ``--stationary-seeds``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ydabm import YRDModel

STRUCTURE = ("similarity_manufacturing", "similarity_all", "similarity_within_province",
             "similarity_across_provinces", "krugman_index")


def largest_move(frame, metric: str) -> float:
    return float((frame[metric] - frame[metric].iloc[0]).abs().max())


def baseline(seed: int, quarters: int) -> dict:
    model = YRDModel(rng=seed)
    agents = [int(model.firms.count)]
    feasible, step_ms = [], []
    for _ in range(quarters):
        start = time.perf_counter()
        model.step()
        step_ms.append((time.perf_counter() - start) * 1e3)
        live = np.flatnonzero(model.firms.alive)
        most = model.production_room(live)
        feasible.append(float(np.max(model.firms.output[live] / np.where(most > 0, most, np.inf))))
        agents.append(int(model.firms.count))
    frame = model.datacollector.get_model_vars_dataframe()
    exits = frame["exits"].iloc[1:]
    entries = frame["entries"].iloc[1:]
    rate = frame["unemployment_rate"]
    return {
        "seed": seed,
        "unemployment_max_pp": 100 * largest_move(frame, "unemployment_rate"),
        "unemployment_t0": float(rate.iloc[0]), "unemployment_min": float(rate.min()),
        "unemployment_max": float(rate.max()), "unemployment_last8": float(rate.iloc[-8:].mean()),
        "exits_mean": float(exits.mean()), "exits_max": float(exits.max()),
        "exits_max_quarter": int(np.argmax(exits.to_numpy())) + 1,
        "exits_min": float(exits.min()),
        "exits_over_mass": float(exits.mean() / frame["firms"].iloc[1:].mean()),
        "entries_mean": float(entries.mean()),
        "firms_t0": float(frame["firms"].iloc[0]), "firms_end": float(frame["firms"].iloc[-1]),
        "firms_change": float(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1),
        "firms_max_change": float((frame["firms"] / frame["firms"].iloc[0] - 1).abs().max()),
        "market_residual_max": float(frame["market_residual"].max()),
        "output_over_feasible_max": max(feasible),
        "capacity_utilization": [float(frame["capacity_utilization"].iloc[i]) for i in (0, 8, len(frame) - 1)],
        "zombie_share_max": float(frame["zombie_share"].max()),
        "local_debt_max": float(frame["local_debt_to_gdp"].max()),
        "structure_t0": {m: float(frame[m].iloc[0]) for m in STRUCTURE},
        "structure_max": {m: largest_move(frame, m) for m in STRUCTURE},
        "agents_t0": agents[0], "agents_end": agents[-1], "agents_year": agents[::4],
        "step_ms": step_ms,
    }


def stationary(seed: int, quarters: int) -> dict:
    model = YRDModel(rng=seed, migrant_inflow_rate=0.0)
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    return {"seed": seed, "structure_max": {m: largest_move(frame, m) for m in STRUCTURE},
            "exits_mean": float(frame["exits"].iloc[1:].mean()),
            "firms_change": float(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--stationary-seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    result = {"baseline": [baseline(s, args.quarters) for s in args.seeds],
              "stationary_populations": [stationary(s, args.quarters) for s in args.stationary_seeds]}
    result["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps(result))
        return
    print("seed  unemp.max|d|pp  exits mean  max (q)  firms end  residual  out/feasible  agents t0->end")
    for r in result["baseline"]:
        print(f"{r['seed']:>4}  {r['unemployment_max_pp']:.3f}  {r['exits_mean']:.2f}  {r['exits_max']:.2f} "
              f"({r['exits_max_quarter']})  {100 * r['firms_change']:+.2f} %  {r['market_residual_max']:.2g}  "
              f"{r['output_over_feasible_max'] - 1:.2g}  {r['agents_t0']}->{r['agents_end']}")
    print("seed  " + "  ".join(STRUCTURE))
    for r in result["baseline"]:
        print(f"{r['seed']:>4}  " + "  ".join(f"{r['structure_max'][m]:.4f}" for m in STRUCTURE))
    print("migrant_inflow_rate = 0:")
    for r in result["stationary_populations"]:
        print(f"{r['seed']:>4}  " + "  ".join(f"{r['structure_max'][m]:.4f}" for m in STRUCTURE))
    print(f"{result['seconds']:.0f} s")


if __name__ == "__main__":
    main()
