"""The 2022 Shanghai lockdown table of docs/validation.md ("Supply chains", "The 2022 Shanghai lockdown").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/lockdown_table.py [--absent 0.134] [--seeds 1 2 3]
        [--calibrate] [--no-supply-chains] [--relief R] [--json]

Runs ``ydabm.validation.lockdown.run`` at the share ``--absent`` (default: the ``CityLockdown``
default) over ``--seeds`` and prints each city's loss of real value added in 2022 Q2, H1 and the
year against the matched runs, the spillover share (the region's loss outside Shanghai) and the
region's loss. With ``--calibrate`` it first runs the module's own fitting function
(``lockdown.calibrate``, bisection to Shanghai's Q2 loss of 17 %) and reports the table at the
fitted share. ``--relief``: the share of locked firms' losses their banks lend (default: the
``CityLockdown`` default; 0: owners carry them, the engine before 7 Dec 2026). Nothing is changed in the model or its defaults.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ydabm.policies import CityLockdown
from ydabm.validation import lockdown


def table(result: lockdown.LockdownRun) -> dict:
    periods = ("Q2", "H1", "2022")
    losses = {p: result.loss(p) for p in periods}
    region = {}
    for p in periods:
        span = lockdown.PERIODS[p]
        region[p] = float(1.0 - result.shocked[span].sum() / result.matched[span].sum())
    return {
        "cities": {c: {p: float(losses[p][i]) for p in periods} for i, c in enumerate(result.cities)},
        "spillover_share": {p: result.spillover_share(p) for p in periods},
        "region_loss": region,
        "unmet_inputs_max": float(np.max(result.unmet)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--absent", type=float, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--no-supply-chains", action="store_true",
                        help="the same shock with input_output = 0 (the module's runs switch supply chains on)")
    parser.add_argument("--relief", type=float, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seeds = tuple(args.seeds)
    params = {"input_output": 0} if args.no_supply_chains else None
    start = time.perf_counter()
    share = args.absent if args.absent is not None else float(CityLockdown().absent[0])
    out = {"seeds": list(seeds), "input_output": 0 if args.no_supply_chains else 1}
    if args.calibrate:
        share = lockdown.calibrate(seeds, params)
        out["calibrated"] = True
    out["absent"] = share
    relief = None if args.relief is None else {"relief": args.relief}
    out.update(table(lockdown.run(share, seeds, params, relief)))
    out["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps(out))
        return
    print(f"absent {share:.4f}, seeds {seeds}")
    rows = sorted(out["cities"].items(), key=lambda kv: -kv[1]["Q2"])
    print("city  Q2  H1  2022")
    for city, loss in rows:
        print(f"| {city} | {100 * loss['Q2']:.2f} % | {100 * loss['H1']:.2f} % | {100 * loss['2022']:.2f} % |")
    s, r = out["spillover_share"], out["region_loss"]
    print("spillover share: " + ", ".join(f"{p} {100 * v:.1f} %" for p, v in s.items()))
    print("region loss: " + ", ".join(f"{p} {100 * v:.2f} %" for p, v in r.items()))
    print(f"unmet inputs, max: {out['unmet_inputs_max']:.3g}")
    print(f"{out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
