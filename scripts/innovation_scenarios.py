"""The innovation scenarios against a matched baseline (issue 13): TFP growth, real GDP and regional
inequality over ten years, with the pooled joint R&D fund against per-city funding.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/innovation_scenarios.py [--seeds 5] [--quarters 40] [--json]

Every variant runs with the same seeds as the baseline (default parameters and scale, 2020 start):

* ``innovation_community``: the scenario (knowledge open across borders, the cities pay 0.6 % of GDP
  into one pool that pays one rate of every firm's R&D; from 2021);
* ``community_per_city``: the same budget rule without pooling: each city pays 0.6 % of its own GDP
  for its own firms' R&D (``pooled = 0``);
* ``community_rd_subsidy``: the scenario as it was before the pool: each city's government pays 20 %
  of its own firms' R&D (about the fund's size at 2020 R&D, but growing with R&D);
* ``fund_pooled`` and ``fund_per_city``: the two ways of funding alone (levers ``rd_fund_share`` =
  0.006 with ``rd_fund_pooled`` = 1 or 0 from the first quarter, borders closed as at baseline);
* ``digital_integration``: the scenario.

and the seed-matched differences pooled - per city (the community and the fund alone).

Reported per variant: mean over seeds of the seed-matched difference from the baseline, with its
standard error (sd / sqrt(seeds)), of the mean yearly TFP growth over the run (pp), real GDP in the
last year (%), the Theil index of real GDP per capita in the last year (and its between-province
part), R&D intensity in the last year (pp), and the fund's net transfers by province over the run
(share of the province's GDP).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ydabm import YRDModel
from ydabm.params import Params
from ydabm.policies import InnovationCommunity
from ydabm.scenarios import load_scenario

VARIANTS = {
    "baseline": ({}, lambda: ()),
    "innovation_community": ({}, lambda: load_scenario("innovation_community").policies()),
    "community_per_city": ({}, lambda: (InnovationCommunity(start_year=2021, pooled=0),)),
    "community_rd_subsidy": ({}, lambda: (InnovationCommunity(start_year=2021, fund_share=0.0, rd_fund=0.2),)),
    "fund_pooled": ({"rd_fund_share": 0.006}, lambda: ()),
    "fund_per_city": ({"rd_fund_share": 0.006, "rd_fund_pooled": 0}, lambda: ()),
    "digital_integration": ({}, lambda: load_scenario("digital_integration").policies()),
}
METRICS = ("tfp_growth", "real_gdp", "theil_index", "theil_between_provinces", "rd_intensity")


def run(params: dict, policies, seed: int, quarters: int) -> dict:
    model = YRDModel(rng=seed, policies=tuple(policies), params=Params.build(params))
    provinces = len(model.geography.province_names)
    transfer, gdp, support = np.zeros(provinces), np.zeros(provinces), 0.0
    rows = []
    for _ in range(quarters):
        model.step()
        rows.append({m: model.metrics[m] for m in METRICS})
        transfer += np.bincount(model.geography.province_index, model.fund_transfer, minlength=provinces)
        gdp += np.bincount(model.geography.province_index, model.flows["value_added"], minlength=provinces)
        support += float(((model.rd_fund_rate + model.levers.rd_subsidy) * model.rd_spending).sum())
    last = rows[-4:]
    return {"tfp_growth": 100 * np.mean([r["tfp_growth"] for r in rows]),
            "real_gdp": np.mean([r["real_gdp"] for r in last]),
            **{m: np.mean([r[m] for r in last]) for m in ("theil_index", "theil_between_provinces")},
            "rd_intensity": 100 * np.mean([r["rd_intensity"] for r in last]),
            "fund_rate": float(model.rd_fund_rate.mean()), "support_pct_gdp": 100 * support / gdp.sum(),
            "transfer_pct_gdp": list(100 * transfer / gdp), "provinces": list(model.geography.province_names)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    results = {name: [run(params, make(), seed, args.quarters) for seed in seeds]
               for name, (params, make) in VARIANTS.items()}
    table = {"seeds": list(seeds), "quarters": args.quarters,
             "baseline": {k: float(np.mean([r[k] for r in results["baseline"]])) for k in METRICS}}
    # pooled against per-city funding at the same budget rule: the seed-matched difference
    comparisons = {name: (runs, results["baseline"]) for name, runs in results.items() if name != "baseline"}
    comparisons["community: pooled - per_city"] = (results["innovation_community"], results["community_per_city"])
    comparisons["fund: pooled - per_city"] = (results["fund_pooled"], results["fund_per_city"])
    for name, (runs, base) in comparisons.items():
        diff = {}
        for k in METRICS:
            d = np.array([r[k] - b[k] for r, b in zip(runs, base)])
            if k == "real_gdp":
                d = 100 * d / np.array([b[k] for b in base])
            diff[k] = (float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size)))
        diff["fund_rate_end"] = float(np.mean([r["fund_rate"] for r in runs]))
        diff["support_pct_gdp"] = float(np.mean([r["support_pct_gdp"] for r in runs]))
        diff["transfer_pct_gdp"] = dict(zip(runs[0]["provinces"], np.mean([r["transfer_pct_gdp"] for r in runs], axis=0).round(4).tolist()))
        table[name] = diff
    if args.json:
        print(json.dumps(table, indent=1))
        return
    print(f"{args.seeds} seeds, {args.quarters} quarters; baseline: {table['baseline']}")
    print("| variant | TFP growth (pp/yr) | real GDP, last year (%) | Theil (x1e3) | Theil between provinces (x1e3) | R&D intensity (pp) | fund rate, last quarter (city mean) | R&D support, % of GDP | net fund transfer, % of GDP |")
    for name, d in table.items():
        if name in ("seeds", "quarters", "baseline"):
            continue

        def cell(k, s=1.0, d=d):
            return f"{s * d[k][0]:+.3f} ± {s * d[k][1]:.3f}"
        if " - " in name:
            print(f"| {name} | {cell('tfp_growth')} | {cell('real_gdp')} | {cell('theil_index', 1e3)} | "
                  f"{cell('theil_between_provinces', 1e3)} | {cell('rd_intensity')} | | | |")
            continue
        print(f"| {name} | {cell('tfp_growth')} | {cell('real_gdp')} | {cell('theil_index', 1e3)} | "
              f"{cell('theil_between_provinces', 1e3)} | {cell('rd_intensity')} | {d['fund_rate_end']:.3f} | {d['support_pct_gdp']:.2f} | {d['transfer_pct_gdp']} |")


if __name__ == "__main__":
    main()
