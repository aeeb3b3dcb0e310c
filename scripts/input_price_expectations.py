"""How the input prices firms price and order at compare with the prices they pay (docs/validation.md,
"Input prices after a lockdown").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/input_price_expectations.py [--seeds 1 2 3]
        [--quarters 12] [--ppa 1000] [--absent 0.9375 --absent-year 2021] [--json]

Runs the baseline with supply chains (``input_output = 1``; with ``--absent``, a one-quarter
``CovidShock`` of that share in ``--absent-year`` Q1) and, each quarter, compares three input price
indices of every buying city-sector with the index it pays in the quarter's market (the realised
index, ``YRDModel.input_index`` over the 2020 base):

- *planned at*: the index planning prices at (``YRDModel.input_price`` when the plan is made: last
  quarter's realised index; in the first quarter after a lockdown, the one of the quarter before it).
  Since inputs are costed at book value (6 Dec 2026), planning prices a stored input at the average
  of its stock's book value and a quarter's use at this index (``YRDModel.unit_input_cost``), a
  service at this index;
- *listed*: the index orders are placed at (``YRDModel.listed_input_prices``: the suppliers' markup
  prices of the quarter, each serving the share of its orders it served last quarter, or before the
  lockdown in the first quarter after one);
- *notional*: the same list prices with each supplier serving the share its planned capacity serves
  (the served share notional demand uses, ``YRDModel.planned_served``), which learns no shortfall.

It prints the order-weighted mean of each index over the realised one per quarter (quarters 2 on)
and the largest gap between the notional and the listed index (over the city-sectors where both
are positive and finite). Nothing in the model changes: the script reads the indices from a wrapper
around ``apply_orders``.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ydabm.model import YRDModel
from ydabm.params import validate
from ydabm.policies import CovidShock


def trace(seed: int, quarters: int, absent: float | None = None, absent_year: int = 2021,
          ppa: float = 1000.0) -> list[dict]:
    params = validate({"people_per_agent": ppa, "world": "yrd", "input_output": 1, "start_year": 2020})
    policies = () if absent is None else (CovidShock(start_year=absent_year, absent=[absent]),)
    model = YRDModel(rng=seed, policies=policies, **params)
    seen: dict[str, np.ndarray] = {}
    apply_orders = model.apply_orders

    def recording(orders, plan):
        seen["planned at"] = model.input_price.copy()
        seen["listed"] = model.listed_input_prices()
        seen["notional"] = model.listed_input_prices(served=model.planned_served(slice(None)))
        return apply_orders(orders, plan)

    model.apply_orders = recording
    rows = []
    for _ in range(quarters):
        model.step()
        weight = model.input_orders / model.input_orders.sum()
        paid = model.input_index / model.input_price0
        row = {"year": model.year, "quarter": model.quarter, "absent": float(model.levers.absent.max()),
               "unemployment": model.metrics["unemployment_rate"]}
        with np.errstate(divide="ignore", invalid="ignore"):
            for name, index in seen.items():
                row[name] = float(np.nansum(weight * index / paid))
            gap = np.abs(np.log(seen["notional"] / seen["listed"]))
        row["max |log notional / listed|"] = float(np.max(gap[np.isfinite(gap)], initial=0.0))
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--ppa", type=float, default=1000.0, help="people per agent")
    parser.add_argument("--absent", type=float, default=None, help="one quarter's absent share (CovidShock)")
    parser.add_argument("--absent-year", type=int, default=2021)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {seed: trace(seed, args.quarters, args.absent, args.absent_year, args.ppa) for seed in args.seeds}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    names = ("planned at", "listed", "notional")
    for seed, rows in result.items():
        print(f"seed {seed}: each index over the realised one (order-weighted mean over buyers)")
        print("  quarter  absent  unemployment  " + "  ".join(f"{n:>10}" for n in names) + "  max|log notional/listed|")
        for row in rows[1:]:
            print(f"  {row['year']} Q{row['quarter'] + 1}  {row['absent']:6.3f}  {row['unemployment']:12.3f}  "
                  + "  ".join(f"{row[n]:10.5f}" for n in names) + f"  {row['max |log notional / listed|']:.4f}")


if __name__ == "__main__":
    main()
