"""How much governments and households borrow: the net money stock and the balances it nets (ODD,
"Nominal anchor and real output"; docs/validation.md, "Random parameter sets: a longer search").

Money in the model is a fixed net stock: next quarter's spending + government balances + household
savings (+ the external sector's receipts with supply chains). A negative balance (a government
borrowing within its allowance, households borrowing where owners' losses exceed the rest of their
city's income) leaves the positive balances, which are spent, above the stock. This script runs the
baseline and every shipped scenario and reports, per run, the most negative government balance and
household savings of any city in any quarter, each as a share of the money stock:

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/borrowing.py [--seeds 1 2] [--quarters 40]
        [--scenarios baseline covid_shock ...] [--json]
"""

from __future__ import annotations

import argparse
import json

from ydabm.scenarios import list_scenarios, scenario_model


def one_run(scenario: str, seed: int, quarters: int) -> dict:
    """The most negative city balance (government, households) over ``quarters`` quarters, as a share
    of the money stock, and the money kept (relative change of the net stock)."""
    model = scenario_model(None if scenario == "baseline" else scenario, seed)
    stock = model.money()
    government = households = 0.0
    for _ in range(quarters):
        model.step()
        government = min(government, float(model.budgets.min()))
        households = min(households, float(model.savings.min()))
    return {"scenario": scenario, "seed": seed, "government": max(0.0, -government) / stock,
            "households": max(0.0, -households) / stock, "money_change": model.money() / stock - 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--scenarios", nargs="+", default=None,
                        help="scenario names (default: baseline and every shipped scenario)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = args.scenarios or ["baseline"] + [s.name for s in list_scenarios() if s.name != "baseline"]
    rows = [one_run(name, seed, args.quarters) for name in names for seed in args.seeds]
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'scenario':28s} seed  government  households  money kept")
    for row in rows:
        print(f"{row['scenario']:28s} {row['seed']:4d}  {100 * row['government']:9.2f} %"
              f"  {100 * row['households']:8.2f} %  {row['money_change']:+.1e}")


if __name__ == "__main__":
    main()
