"""Beyond ten years: the no-shock baseline and lever variants over 80 years (docs/validation.md,
"Beyond ten years").

A diagnostic (no model option changes): runs each variant (``--variants``: ``default`` or comma-separated
``name=value`` settings) for ``--quarters`` quarters at each seed and prints, per variant and window of
quarters (``WINDOWS``), the mean +- standard error over seeds of the zombie share, manufacturing
similarity, the firm mass, manufacturing capacity utilisation and unemployment, and for every variant
but the first the matched difference from the first; then, per run, the first quarter that left the
domain: manufacturing utilisation below ``COLLAPSE`` or unemployment above ``UNEMPLOYMENT_COLLAPSE``
(a sector outside manufacturing can collapse while manufacturing holds: farming in seed 4 with hard
budgets did, before entrants' capacity was bounded by their city's labour; docs/validation.md); and, for the first variant, the within-city-sector dispersion of the firms' log
productivity (the mass-weighted standard deviation around each city-sector's mean, averaged over
city-sectors by mass) at the end of each window.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/long_run.py \
        [--variants default barrier=0 barrier=1 soft_budget=0 reconsider_rate=0,migrant_inflow_rate=0] \
        [--seeds 1 2 3 4 5] [--quarters 320] [--workers 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from ydabm.allocator import keep_freed_memory
from ydabm.experiments.effects import mean
from ydabm.model import YRDModel

#: windows of quarters (first, last), both included; quarter 0 is the calibrated 2020 state
WINDOWS = ((0, 0), (33, 40), (73, 80), (153, 160), (233, 240), (313, 320))
#: manufacturing utilisation below this is a collapse (every baseline run stays within 0.72-0.75)
COLLAPSE = 0.6
#: unemployment above this is a collapse (2020 Q1 is 5.0 %; over 80 years the default's runs peak at
#: 5.1-5.2 %, barrier 0's at 6.0-6.2 %, hard budgets' at 5.2-5.6 %; seed 4's farming collapse, 11.4 %, until
#: entrants' capacity was bounded by their city's labour)
UNEMPLOYMENT_COLLAPSE = 0.08
METRICS = ("zombie_share", "similarity_manufacturing", "firms", "capacity_utilization", "unemployment_rate")


def settings(variant: str) -> dict[str, float]:
    """``default`` -> {}; ``barrier=0,soft_budget=1`` -> {"barrier": 0.0, "soft_budget": 1.0}."""
    if variant == "default":
        return {}
    return {name: float(value) for name, value in (item.split("=") for item in variant.split(","))}


def within_cell_dispersion(model: YRDModel) -> float:
    """Mass-weighted sd of live firms' log productivity around their city-sector's mean, averaged over
    city-sectors by mass."""
    f = model.firms
    cells = model.geography.count * model.sectors.count
    mass = np.where(f.alive, f.mass, 0.0)
    log_z = np.log(np.where(f.alive, f.productivity, 1.0))
    total = np.bincount(f.cell, mass, cells)
    safe = np.where(total > 0, total, 1.0)
    centre = np.bincount(f.cell, mass * log_z, cells) / safe
    spread = np.sqrt(np.bincount(f.cell, mass * (log_z - centre[f.cell]) ** 2, cells) / safe)
    return float((spread * total).sum() / total.sum())


def run(task: tuple[str, int, int]) -> dict:
    variant, seed, quarters = task
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    model = YRDModel(rng=seed, **settings(variant))
    ends = {last: None for _, last in WINDOWS if last <= quarters}
    ends[0] = within_cell_dispersion(model)
    for quarter in range(1, quarters + 1):
        model.step()
        if quarter in ends:
            ends[quarter] = within_cell_dispersion(model)
    frame = model.datacollector.get_model_vars_dataframe()
    collapse = np.flatnonzero((frame["capacity_utilization"].to_numpy() < COLLAPSE)
                              | (frame["unemployment_rate"].to_numpy() > UNEMPLOYMENT_COLLAPSE))
    return {"variant": variant, "seed": seed, "paths": {m: frame[m].tolist() for m in METRICS},
            "first_collapse": int(collapse[0]) if collapse.size else None,
            "within_cell_dispersion": {str(q): v for q, v in ends.items()}}


def window_means(result: dict, metric: str, quarters: int) -> list[float]:
    path = np.asarray(result["paths"][metric])
    return [float(path[first:last + 1].mean()) for first, last in WINDOWS if last <= quarters]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["default", "barrier=0", "barrier=1", "soft_budget=0",
                                                          "reconsider_rate=0,migrant_inflow_rate=0"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=320)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    tasks = [(variant, seed, args.quarters) for variant in args.variants for seed in args.seeds]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, tasks))
    by = {(r["variant"], r["seed"]): r for r in results}
    first = args.variants[0]
    windows = [f"{a}-{b}" if a != b else str(a) for a, b in WINDOWS if b <= args.quarters]
    for variant in args.variants:
        print(f"{variant}" + ("" if variant == first else f" (difference from {first}, matched seeds)"))
        print(f"  {'metric':26s} " + "  ".join(f"{w:>24s}" for w in windows))
        for metric in METRICS:
            own = np.array([window_means(by[(variant, s)], metric, args.quarters) for s in args.seeds])
            cells = []
            for k in range(own.shape[1]):
                level = mean(pd.Series(own[:, k]))
                text = f"{level.value:.4g} +- {level.se:.2g}"
                if variant != first:
                    base = np.array([window_means(by[(first, s)], metric, args.quarters)[k] for s in args.seeds])
                    change = mean(pd.Series(own[:, k] - base))
                    text = f"{level.value:.4g} ({change.value:+.3g} +- {change.se:.2g})"
                cells.append(f"{text:>24s}")
            print(f"  {metric:26s} " + "  ".join(cells))
        print("  first collapse by seed: " + ", ".join(
            f"{s}: {by[(variant, s)]['first_collapse']}" for s in args.seeds))
    print(f"within-city-sector sd of log productivity ({first}), by window end: " + ", ".join(
        f"q{q} {mean(pd.Series([by[(first, s)]['within_cell_dispersion'][q] for s in args.seeds])).value:.4f}"
        for q in by[(first, args.seeds[0])]["within_cell_dispersion"]))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle)


if __name__ == "__main__":
    main()
