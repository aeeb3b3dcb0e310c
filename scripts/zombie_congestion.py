"""Do zombies crowd out healthy firms? The Caballero, Hoshi & Kashyap (2008) regressions on the model.

Issue 11 item 4 asks that zombies "depress prices and crowd out healthy firms". CHK measure it across
industries: where the zombie share is higher, the non-zombie firms invest less and grow less. This
script runs the same comparison on model runs:

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombie_congestion.py [--seeds 1 2 3 4 5]
        [--quarters 40] [--from-quarter 8] [--set KEY=VALUE ...] [--json]

Per seed, over quarters ``--from-quarter``..Q, for every city-sector with live firms:

- ``zombie_share``: the zombies' share of its live firm mass after the quarter's accounts;
- ``healthy_investment_rate``: next quarter's planned investment of the firms that were not zombies
  over their capital this quarter (the replacement value of their capacity), both summed over the
  city-sector, over the rows still held by the same cohort next quarter (age one quarter more);
- ``healthy_growth``: the change of those firms' staff from this quarter to the next (log of the sums);
- ``healthy_margin``: their operating profit over revenue this quarter.

Each outcome is regressed on the zombie share within sector x quarter (both demeaned by sector and
quarter, weighted by the healthy firms' capital), as CHK do within industry and year. The slope is
per seed; the mean over seeds and its standard error are reported. With ``--counterfactual KEY=VALUE``
(e.g. ``soft_budget=0``) the same runs with that value are compared, matched by seed: the healthy
firms' mass-weighted investment rate, staff growth and margin, and the zombie share.

Zombies are what the model calls them (:mod:`ydabm.mechanisms.credit`: interest coverage below 1 for
three calendar years, alive on soft credit or subsidy).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ydabm import YRDModel


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


class TracedModel(YRDModel):
    """The model, keeping each quarter's plan (for the investment the firms planned)."""

    def plan_production(self):
        plan = super().plan_production()
        self.last_plan = plan
        return plan


def _snapshot(model) -> dict:
    f = model.firms
    return {"alive": f.alive.copy(), "zombie": f.zombie.copy(), "cell": f.cell.copy(), "sector": f.sector.copy(),
            "mass": f.mass.copy(), "age": f.age.copy(), "staff": f.employees.sum(axis=1).astype(float),
            "capital": np.asarray(model.capital_value(), dtype=float).copy(), "revenue": f.revenue.copy(),
            "profit": f.profit.copy()}


def cell_panel(seed: int, quarters: int, first: int, values: dict) -> dict[str, np.ndarray]:
    """Rows (city-sector, quarter) with the sector, quarter, zombie share and the healthy firms'
    outcomes and capital (the regression weight)."""
    model = TracedModel(rng=seed, **values)
    rows = {key: [] for key in ("sector", "quarter", "zombie_share", "investment_rate", "growth", "margin", "weight")}
    before = None
    for quarter in range(1, quarters + 1):
        model.step()
        now = _snapshot(model)
        if before is not None and quarter - 1 >= first:
            # (the table may have grown: the rows of last quarter are the first ones)
            n = before["alive"].size
            after = {key: value[:n] for key, value in now.items()}
            healthy = before["alive"] & ~before["zombie"]
            kept = healthy & after["alive"] & (after["age"] == before["age"] + 1)
            cells = model.geography.count * model.sectors.count
            live_mass = np.bincount(before["cell"], np.where(before["alive"], before["mass"], 0.0), minlength=cells)
            zombie_mass = np.bincount(before["cell"], np.where(before["alive"] & before["zombie"], before["mass"], 0.0),
                                      minlength=cells)
            capital = np.bincount(before["cell"], np.where(kept, before["capital"], 0.0), minlength=cells)
            invest = np.bincount(before["cell"], np.where(kept, model.last_plan.investment[:n], 0.0), minlength=cells)
            staff_before = np.bincount(before["cell"], np.where(kept, before["staff"], 0.0), minlength=cells)
            staff_after = np.bincount(before["cell"], np.where(kept, after["staff"], 0.0), minlength=cells)
            revenue = np.bincount(before["cell"], np.where(healthy, before["revenue"], 0.0), minlength=cells)
            profit = np.bincount(before["cell"], np.where(healthy, before["profit"], 0.0), minlength=cells)
            use = (live_mass > 0) & (capital > 0) & (staff_before > 0) & (staff_after > 0) & (revenue > 0)
            index = np.flatnonzero(use)
            rows["sector"].append(index % model.sectors.count)
            rows["quarter"].append(np.full(index.size, quarter - 1))
            rows["zombie_share"].append(zombie_mass[index] / live_mass[index])
            rows["investment_rate"].append(invest[index] / capital[index])
            rows["growth"].append(np.log(staff_after[index] / staff_before[index]))
            rows["margin"].append(profit[index] / revenue[index])
            rows["weight"].append(capital[index])
        model.last_plan = None
        before = now
    return {key: np.concatenate(value) for key, value in rows.items()}


def within_slope(panel: dict[str, np.ndarray], outcome: str) -> float:
    """Weighted least-squares slope of ``outcome`` on the zombie share, both demeaned within sector x
    quarter (weights: the healthy firms' capital)."""
    group = panel["sector"] * (panel["quarter"].max() + 1) + panel["quarter"]
    weight = panel["weight"]

    def demeaned(values):
        totals = np.bincount(group, weight * values) / np.maximum(np.bincount(group, weight), 1e-300)
        return values - totals[group]

    x, y = demeaned(panel["zombie_share"]), demeaned(panel[outcome])
    return float((weight * x * y).sum() / (weight * x * x).sum())


def aggregate(panel: dict[str, np.ndarray]) -> dict[str, float]:
    """Capital-weighted means of the outcomes and of the zombie share over the panel."""
    w = panel["weight"]
    return {key: float((w * panel[key]).sum() / w.sum())
            for key in ("zombie_share", "investment_rate", "growth", "margin")}


OUTCOMES = ("investment_rate", "growth", "margin")


def mean_se(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--from-quarter", type=int, default=8)
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--counterfactual", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = {key: _number(value) for key, value in (item.split("=", 1) for item in args.values)}
    other = {key: _number(value) for key, value in (item.split("=", 1) for item in args.counterfactual)}
    panels = [cell_panel(seed, args.quarters, args.from_quarter, base) for seed in args.seeds]
    result = {"seeds": args.seeds, "quarters": args.quarters, "from_quarter": args.from_quarter, "set": base,
              "cells_per_seed": [int(p["zombie_share"].size) for p in panels],
              "slopes": {outcome: dict(zip(("mean", "se"), mean_se([within_slope(p, outcome) for p in panels])))
                         for outcome in OUTCOMES},
              "levels": {key: dict(zip(("mean", "se"), mean_se([aggregate(p)[key] for p in panels])))
                         for key in ("zombie_share",) + OUTCOMES}}
    if other:
        alternatives = [cell_panel(seed, args.quarters, args.from_quarter, {**base, **other}) for seed in args.seeds]
        result["counterfactual"] = {"set": other, "differences": {
            key: dict(zip(("mean", "se"), mean_se([aggregate(p)[key] - aggregate(q)[key]
                                                  for p, q in zip(panels, alternatives)])))
            for key in ("zombie_share",) + OUTCOMES}}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"city-sector quarters per seed: {result['cells_per_seed']}")
    for key, value in result["levels"].items():
        print(f"  mean {key}: {value['mean']:.5f} +- {value['se']:.5f}")
    for outcome, value in result["slopes"].items():
        print(f"  slope of healthy {outcome} on the zombie share (within sector x quarter): "
              f"{value['mean']:+.5f} +- {value['se']:.5f}")
    if other:
        for key, value in result["counterfactual"]["differences"].items():
            print(f"  {key}: ({', '.join(args.values) or 'defaults'}) minus ({', '.join(args.counterfactual)}): "
                  f"{value['mean']:+.5f} +- {value['se']:.5f}")


if __name__ == "__main__":
    main()
