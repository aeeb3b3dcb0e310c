"""One-quarter lockdowns of every city with dearer freight: the path after them, against a matched run.

The table of docs/validation.md, "Entrants after a lockdown" (issue 10 item 8). Every city has 10 %
of its labour force absent for one quarter (2020 Q4) and freight ``f`` dearer on every link
(``CityLockdown``, nothing unspent), with supply chains at the default scale; each seed's run is
compared with the same seed's run without the lockdown, quarter by quarter, over ``--quarters``.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/freight_lockdowns.py [--freight 0 0.3 0.9 1.5]
        [--seeds 1 2 3] [--quarters 40] [--workers 2] [--json]

Per freight and seed: unemployment in the lockdown's quarter, its highest and lowest after it (the
matched run's band beside them), real GDP against the matched run in the lockdown's quarter and its
lowest and highest from a year after it, the lowest GDP deflator after the lockdown, and the firms'
mass at the end against the matched run's. Nothing in the model is changed.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ydabm.model import YRDModel
from ydabm.policies import CityLockdown

#: the lockdown's quarter: row 3 of the collected metrics (row 0 is t = 0, 2020 Q1)
LOCKED = 3


def run(seed: int, freight: float | None, quarters: int) -> dict:
    """One run (``freight`` None: the matched run without a lockdown): its paths and final mass."""
    policies = ()
    if freight is not None:
        names = list(YRDModel(rng=0, people_per_agent=20000).geography.names)
        policies = (CityLockdown(cities=names, start_year=2020, start_quarter=4, absent=[0.1], demand_drop=[0.0],
                                 freight_delay=[freight]),)
    model = YRDModel(rng=seed, input_output=1, start_year=2020, policies=policies)
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    return {"unemployment": frame["unemployment_rate"].tolist(), "real_gdp": frame["real_gdp"].tolist(),
            "deflator": frame["gdp_deflator"].tolist(), "mass": float(model.firms.mass[model.firms.alive].sum())}


def summary(locked: dict, matched: dict) -> dict:
    u, u0 = np.array(locked["unemployment"]), np.array(matched["unemployment"])
    gdp = np.array(locked["real_gdp"]) / np.array(matched["real_gdp"]) - 1.0
    return {"unemployment_locked": u[LOCKED], "unemployment_after_max": u[LOCKED + 1:].max(),
            "unemployment_after_min": u[LOCKED + 1:].min(), "matched_band": (u0.min(), u0.max()),
            "gdp_locked": gdp[LOCKED], "gdp_from_a_year_min": gdp[LOCKED + 4:].min(),
            "gdp_from_a_year_max": gdp[LOCKED + 4:].max(),
            "deflator_after_min": float(np.min(locked["deflator"][LOCKED + 1:])),
            "mass_end": locked["mass"] / matched["mass"] - 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--freight", type=float, nargs="+", default=[0.0, 0.3, 0.9, 1.5])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    began = time.time()
    jobs = [(seed, freight) for seed in args.seeds for freight in [None, *args.freight]]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = dict(zip(jobs, pool.map(run, *zip(*jobs), [args.quarters] * len(jobs))))
    table = {f: {s: summary(runs[(s, f)], runs[(s, None)]) for s in args.seeds} for f in args.freight}
    if args.json:
        print(json.dumps({str(f): {str(s): row for s, row in rows.items()} for f, rows in table.items()},
                         default=float))
        return
    print(f"{len(jobs)} runs of {args.quarters} quarters in {time.time() - began:.0f} s (%, against the matched run)")
    print("freight seed | u locked  after max  after min  matched band | GDP locked  from a year min  max "
          "| deflator after min | mass at end")
    for f, rows in table.items():
        for s, r in rows.items():
            band = r["matched_band"]
            print(f"{f:7.2f} {s:4d} | {100 * r['unemployment_locked']:8.1f} {100 * r['unemployment_after_max']:10.1f} "
                  f"{100 * r['unemployment_after_min']:10.1f}   {100 * band[0]:4.1f}-{100 * band[1]:4.1f} "
                  f"| {100 * r['gdp_locked']:10.1f} {100 * r['gdp_from_a_year_min']:15.2f} "
                  f"{100 * r['gdp_from_a_year_max']:5.2f} | {r['deflator_after_min']:18.3f} | "
                  f"{100 * r['mass_end']:+10.2f}")


if __name__ == "__main__":
    main()
