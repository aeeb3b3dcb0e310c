"""Where homogeneous competition's output cost goes: real GDP barely moves (specialization 0 against 1:
-0.04 +- 0.02 %) while aggregate productivity falls 0.33 % (docs/validation.md, "What the levers cost").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/competition_output.py [--seeds 1 2 3 4 5]
        [--quarters 40] [--workers 2] [--scenario NAME] [--set NAME=VALUE ...]

``--set`` adds parameters to both arms (e.g. the calibrated shock economy's ``productivity_persistence=0.8
max_cohort_share=0.05 failing_exit_share=0.25 credit_spells=1 burn_in=30 demand_dispersion=0.72``).

``--scenario NAME`` makes the same split for a scenario (e.g. ``coordinated_targets``: its parameters and
policies) against the baseline, in place of specialization 0 against 1.

A diagnostic (no model option changes). Runs the baseline economy at ``specialization`` 0 and 1 (default
scale, matched seeds) and records, each of the last 8 quarters, by sector: real value added (2020
prices), employed worker agents, and the sector's output-weighted mean log effective productivity (the
``aggregate_productivity`` metric's within-sector term). The gap in real GDP (0 minus 1, % of 1's) is split,
seed by seed, by a shift-share over sectors with VA_s = L_s x v_s (v_s value added per worker):

- ``between``: sum_s (L0_s - L1_s) v1_s -- workers moving between sectors at 1's value added per worker;
- ``within``: sum_s L0_s (v0_s - v1_s) -- value added per worker changing inside sectors;

and ``within`` is set beside the productivity term sum_s VA1_s (exp(m0_s - m1_s) - 1): what value added
per worker would lose if it moved one for one with the sector's output-weighted productivity. Real GDP
values each firm's output at its city-sector's 2020 unit value; ``gap_at_sector_prices`` is the same gap
with every unit of a sector's output valued at the sector's one 2020 unit value (its cells' unit values
weighted by their t = 0 output), so that output moved to a city whose 2020 price was higher is not
valued higher. Prints the mean +- standard error over seeds of each, in % of real GDP at specialization
1, and the sectors' rows.
"""

from __future__ import annotations

import argparse
from multiprocessing import Pool

import numpy as np

WINDOW = 8


def run(job: tuple) -> dict:
    from ydabm import YRDModel, observation
    from ydabm.params import Params
    from ydabm.scenarios import load_scenario
    arm, seed, quarters, values, scenario = job
    if scenario is None:
        model = YRDModel(rng=seed, **values)
    else:
        chosen = load_scenario(scenario)
        params = chosen.params(values)
        model = YRDModel(rng=seed, params=Params.build(params), policies=tuple(chosen.policies(params)))
    f, sectors = model.firms, model.sectors.count
    # each sector's 2020 unit value: its cells' 2020 unit values weighted by their t = 0 output
    cells = model.geography.count * sectors
    quantity = np.bincount(f.cell, np.where(f.alive, f.output, 0.0), minlength=cells)
    sector_of_cell = np.tile(np.arange(sectors), model.geography.count)
    sector_price = (np.bincount(sector_of_cell, quantity * model.base_price.ravel(), minlength=sectors)
                    / np.bincount(sector_of_cell, quantity, minlength=sectors))
    value = np.zeros(sectors)
    at_sector_prices = np.zeros(sectors)
    workers = np.zeros(sectors)
    log_means = np.zeros(sectors)
    for quarter in range(1, quarters + 1):
        model.step()
        if quarter > quarters - WINDOW:
            total, means = observation.sector_log_productivity(model)
            value += total / WINDOW
            log_means += np.nan_to_num(means) / WINDOW
            workers += model.employment_by_sector().sum(axis=0) / WINDOW
            physical = np.bincount(f.sector, np.where(f.alive, f.output, 0.0), minlength=sectors)
            at_sector_prices += physical * sector_price * (1.0 - model.input_share) / WINDOW
    return {"arm": arm, "seed": seed, "value": value, "workers": workers,
            "log_means": log_means, "at_sector_prices": at_sector_prices, "names": list(model.sectors.names)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", default=None, help="a scenario against the baseline instead of specialization 0 "
                                                         "against 1")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="parameters of both arms")
    args = parser.parse_args()
    from ydabm.params import parse_assignment
    settings = dict(parse_assignment(item) for item in args.set)
    if args.scenario is None:
        arms = (("low", {**settings, "specialization": 0.0}, None), ("high", {**settings, "specialization": 1.0}, None))
        label, base = "specialization 0 against 1", "real GDP at specialization 1"
    else:
        arms = (("low", settings, args.scenario), ("high", settings, None))
        label, base = f"scenario {args.scenario} against the baseline", "the baseline's real GDP"
    jobs = [(arm, seed, args.quarters, values, scenario) for seed in args.seeds for arm, values, scenario in arms]
    with Pool(args.workers) as pool:
        results = pool.map(run, jobs)
    by = {(r["arm"], r["seed"]): r for r in results}
    names = results[0]["names"]
    rows = []
    for seed in args.seeds:
        low, high = by[("low", seed)], by[("high", seed)]
        gdp = high["value"].sum()
        per_worker = {k: r["value"] / np.maximum(r["workers"], 1e-300) for k, r in (("low", low), ("high", high))}
        between = ((low["workers"] - high["workers"]) * per_worker["high"]).sum()
        within = (low["workers"] * (per_worker["low"] - per_worker["high"])).sum()
        productivity = (high["value"] * np.expm1(low["log_means"] - high["log_means"])).sum()
        sector_gdp = high["at_sector_prices"].sum()
        rows.append({"gap": (low["value"].sum() - gdp) / gdp, "between": between / gdp, "within": within / gdp,
                     "productivity": productivity / gdp,
                     "gap_at_sector_prices": (low["at_sector_prices"].sum() - sector_gdp) / sector_gdp,
                     "sector_value": (low["value"] - high["value"]) / gdp,
                     "sector_workers": (low["workers"] - high["workers"]) / high["workers"].sum(),
                     "sector_log": low["log_means"] - high["log_means"]})

    def show(name, values, scale=100.0, unit="%"):
        values = np.asarray(values) * scale
        se = values.std(ddof=1, axis=0) / np.sqrt(len(values)) if len(values) > 1 else np.zeros_like(values[0])
        return f"{name}: {values.mean(axis=0):+.3f} +- {se:.3f} {unit}"

    print(f"{label}, seeds {args.seeds}, quarters {args.quarters - WINDOW + 1}-{args.quarters}; % of {base}")
    for key in ("gap", "between", "within", "productivity", "gap_at_sector_prices"):
        print("  " + show(key, [r[key] for r in rows]))
    print("by sector: value added gap (% of GDP) | workers moved (% of employment) | log productivity gap (%)")
    value = np.array([r["sector_value"] for r in rows]) * 100
    workers = np.array([r["sector_workers"] for r in rows]) * 100
    logs = np.array([r["sector_log"] for r in rows]) * 100
    for k, name in enumerate(names):
        print(f"  {name:18s} {value[:, k].mean():+.3f} | {workers[:, k].mean():+.3f} | {logs[:, k].mean():+.3f}")


if __name__ == "__main__":
    main()
