"""Whole worker agents and the staff limit (docs/validation-changes.md, "Since `93518a7`").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/staff_limit.py [--seeds 1 2 3 4 5] [--quarters 8]

For each seed, the default model: at t = 0 the share of firm agents (and of the firm mass) whose
profit after interest, subsidies and tax is negative; over quarters 1..Q the mean share of live
firm agents that post above their markup price (their staff, capacity or inputs bind in the goods
market) and the revenue-weighted premium of posted over markup prices; and at the last quarter the
percentiles (0, 1, 50, 99, 100) of the hours per worker of the staffed classes
(:func:`ydabm.markets.labour.planned_hours`). A diagnostic: nothing in the model changes.
"""

from __future__ import annotations

import argparse

import numpy as np

from ydabm.model import YRDModel


class Observed(YRDModel):
    """The model, keeping each quarter's markup prices (the goods market replaces them with the posted)."""

    def plan_production(self):
        plan = super().plan_production()
        self.markup = plan.price
        return plan


def measure(seed: int, quarters: int) -> dict:
    model = Observed(rng=seed)
    f = model.firms
    live = f.alive
    losing = live & (f.profit < 0)
    losing_t0 = float(losing.sum() / live.sum())
    losing_mass_t0 = float(f.mass[losing].sum() / f.mass[live].sum())
    above, premium = [], []
    for _ in range(quarters):
        model.step()
        live = f.alive
        ratio = f.price[live] / model.markup[live]
        above.append(float(np.mean(ratio > 1.0 + 1e-9)))
        premium.append(float(np.average(ratio, weights=f.revenue[live]) - 1.0))
    staffed = f.alive[:, None] & (f.employees > 0)
    return {"seed": seed, "losing_t0": losing_t0, "losing_mass_t0": losing_mass_t0,
            "above_markup": float(np.mean(above)), "premium": float(np.mean(premium)),
            "hours": np.percentile(f.hours[staffed], [0, 1, 50, 99, 100]).tolist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=8)
    args = parser.parse_args()
    for seed in args.seeds:
        r = measure(seed, args.quarters)
        print(f"seed {seed}: t = 0 firm agents making losses {100 * r['losing_t0']:.1f} % "
              f"(of the firm mass {100 * r['losing_mass_t0']:.1f} %); quarters 1-{args.quarters}: above markup "
              f"{100 * r['above_markup']:.1f} % of firm agents, premium {100 * r['premium']:.3f} % of revenue; "
              f"hours at quarter {args.quarters} (0, 1, 50, 99, 100 %): "
              + ", ".join(f"{h:.3f}" for h in r["hours"]), flush=True)


if __name__ == "__main__":
    main()
