"""What sets the zombie share: the agent scale and the worker agents per firm agent.

A diagnostic (no model option changes): runs the no-shock baseline for 40 quarters at each
``people_per_agent:workers_per_firm`` pair and seed, and prints per pair the real enterprises a firm
agent stands for (k = people_per_agent x workers_per_firm / 17.6), the firm agents at t = 0 and at the
end, the zombie share (mean of the last 8 quarters, % of the live firm mass), real GDP growth over the
run and the largest move of unemployment from 2020 Q1; mean +- standard error over seeds. Then, per
pair, where the zombies sit at the end: the live firm mass by the firm agents' staff (worker agents,
in ``STAFF_BANDS``), and within each band the zombie share and the share with at least one year of
interest coverage below 1 (``weak_years`` >= 1), pooled over seeds; and the share of the zombie mass
(and of all mass) in cohorts worn below half their peak mass (mass over peak falls only with the
exit hazard, so this is a cohort's age since its peak, not a result of its losses). For the gap between
scales at the default staffing (set-up draws, merges, innovation draws), see ``scripts/zombie_scale.py``.
With ``--levers``, each pair and seed also runs at the convergence check's lever endpoints (``barrier``
0 and 1, ``specialization`` 0 and 1, the other lever at its default), and the script prints each
lever's effect on the zombie share (1 minus 0, matched by seed, pp, mean +- standard error).

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombie_granularity.py \
        [--pairs 2000:23.5 2000:5 500:23.5 500:5 100:23.5] [--seeds 1 2 3 4 5] [--quarters 40] [--workers 2]
        [--levers] [--json OUT]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from ydabm.allocator import keep_freed_memory
from ydabm.experiments.effects import mean
from ydabm.experiments.executors import map_records
from ydabm.mechanisms.entry import enterprises_per_firm
from ydabm.model import YRDModel
from ydabm.validation.convergence import LEVERS      # --levers: the convergence check's endpoints

WINDOW = 8
#: lower edges of the staff bands (worker agents of a firm agent at the end of a run)
STAFF_BANDS = (0, 5, 10, 20, 40)


def run(task: tuple[float, float, int, int, tuple]) -> dict:
    people_per_agent, workers_per_firm, seed, quarters, lever = task
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    model = YRDModel(rng=seed, people_per_agent=people_per_agent, workers_per_firm=workers_per_firm, **dict(lever))
    agents = int(model.firms.alive.sum())
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    rate = frame["unemployment_rate"]
    firms = model.firms
    live = firms.alive
    band = np.searchsorted(STAFF_BANDS, firms.employees.sum(axis=1)[live], side="right") - 1
    mass = firms.mass[live]
    by_band = {name: np.bincount(band, mass * flag, minlength=len(STAFF_BANDS)).tolist()
               for name, flag in (("mass", 1.0), ("zombie", firms.zombie[live]), ("weak", firms.weak_years[live] >= 1))}
    worn = firms.mass[live] < 0.5 * firms.peak[live]
    by_band["worn_mass"] = float(mass[worn].sum())
    by_band["worn_zombie"] = float(mass[worn & firms.zombie[live]].sum())
    return {"people_per_agent": people_per_agent, "workers_per_firm": workers_per_firm, "seed": seed,
            "lever": dict(lever), "firm_agents_start": agents, "firm_agents_end": int(model.firms.alive.sum()),
            "zombie_share": float(frame["zombie_share"].iloc[-WINDOW:].mean()),
            "real_gdp_growth": float(frame["real_gdp"].iloc[-1] / frame["real_gdp"].iloc[0] - 1.0),
            "unemployment_move": float((rate - rate.iloc[0]).abs().max()), "staff_bands": by_band}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", nargs="+", default=["2000:23.5", "2000:10", "2000:5", "2000:3", "2000:2",
                                                       "500:23.5", "500:5", "100:23.5"],
                        help="people_per_agent:workers_per_firm")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levers", action="store_true",
                        help="also run each lever's endpoints and print its effect on the zombie share")
    parser.add_argument("--json", help="write every run's record here")
    args = parser.parse_args(argv)
    pairs = [tuple(float(x) for x in pair.split(":")) for pair in args.pairs]
    settings = [()] + ([((name, value),) for name, values in LEVERS.items() for value in values] if args.levers else [])
    tasks = [(ppa, wpf, seed, args.quarters, lever) for ppa, wpf in pairs for lever in settings for seed in args.seeds]
    everything = map_records(run, tasks, args.workers, args.json)
    records = [r for r in everything if not r["lever"]]
    print("people/agent  workers/firm  enterprises/firm agent  firm agents t=0 -> end  "
          "zombie share %  real GDP growth %  largest unemployment move pp")
    for ppa, wpf in pairs:
        runs = [r for r in records if (r["people_per_agent"], r["workers_per_firm"]) == (ppa, wpf)]
        zombie = mean(pd.Series([100 * r["zombie_share"] for r in runs]))
        growth = mean(pd.Series([100 * r["real_gdp_growth"] for r in runs]))
        move = max(100 * r["unemployment_move"] for r in runs)
        start = np.mean([r["firm_agents_start"] for r in runs])
        end = np.mean([r["firm_agents_end"] for r in runs])
        print(f"{ppa:12g}  {wpf:12g}  {enterprises_per_firm(ppa, wpf):22.0f}  {start:10.0f} -> {end:8.0f}  "
              f"{zombie.value:7.2f} +- {zombie.se:.2f}  {growth.value:8.2f} +- {growth.se:.2f}  {move:8.2f}")
    print("\nwhere the zombies sit at the end, by the firm agents' staff (worker agents), seeds pooled: "
          "% of the live firm mass / zombie % within the band / % within with a weak year")
    for ppa, wpf in pairs:
        runs = [r for r in records if (r["people_per_agent"], r["workers_per_firm"]) == (ppa, wpf)]
        sums = {name: np.sum([r["staff_bands"][name] for r in runs], axis=0) for name in ("mass", "zombie", "weak")}
        cells = []
        for k, low in enumerate(STAFF_BANDS):
            label = f"{low}-{STAFF_BANDS[k + 1] - 1}" if k + 1 < len(STAFF_BANDS) else f">={low}"
            within = max(sums["mass"][k], 1e-300)
            cells.append(f"{label}: {100 * sums['mass'][k] / sums['mass'].sum():.1f} / "
                         f"{100 * sums['zombie'][k] / within:.2f} / {100 * sums['weak'][k] / within:.1f}")
        print(f"{ppa:g}:{wpf:g}  " + "  ".join(cells))
    print("\nin cohorts worn below half their peak mass: % of the zombie mass (% of all mass), seeds pooled")
    for ppa, wpf in pairs:
        runs = [r for r in records if (r["people_per_agent"], r["workers_per_firm"]) == (ppa, wpf)]
        zombie = sum(np.sum(r["staff_bands"]["zombie"]) for r in runs)
        total = sum(np.sum(r["staff_bands"]["mass"]) for r in runs)
        worn_zombie = sum(r["staff_bands"]["worn_zombie"] for r in runs)
        worn_mass = sum(r["staff_bands"]["worn_mass"] for r in runs)
        print(f"{ppa:g}:{wpf:g}  {100 * worn_zombie / max(zombie, 1e-300):.1f} % ({100 * worn_mass / total:.1f} %)")
    if args.levers:
        print("\neffect on the zombie share, 1 minus 0, matched by seed, pp (mean +- se)")
        for ppa, wpf in pairs:
            cells = []
            for name, (low, high) in LEVERS.items():
                share = {(r["lever"][name], r["seed"]): r["zombie_share"] for r in everything
                         if (r["people_per_agent"], r["workers_per_firm"]) == (ppa, wpf) and name in r["lever"]}
                effect = mean(pd.Series([100 * (share[(high, seed)] - share[(low, seed)]) for seed in args.seeds]))
                cells.append(f"{name} {effect.value:+.3f} +- {effect.se:.3f}")
            print(f"{ppa:g}:{wpf:g}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
