"""Where the baseline's unemployment rise comes from (docs/validation.md, "Engine: stationary baseline",
"Where the unemployment rise comes from").

With no shock and default levers unemployment rose about 0.4 pp in the first decade with the fixed
skill mix (``--set skill_substitution=0``, the default before 5 Dec 2026), and rises about 0.07 pp
with substitution between the classes (the default since). This script runs the baseline and variants
that each switch one channel off, and splits the rate by skill class and by whether a city's labour
force grows or shrinks:

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/unemployment_sources.py [--seeds 1 2 3 4 5]
        [--quarters 40] [--set KEY=VALUE ...] [--json]

Variants (each on top of ``--set``): ``baseline``; ``no_farm_exit`` (``farmer_mobility`` 0: farmers
stay on their land, everyone else moves as in the baseline); ``no_moves`` (``reconsider_rate`` 0: no
one moves, so no farmer leaves farming either); ``mixed_ex_farmers`` (a counterfactual model,
:class:`MixedExFarmers`: farmers leave as in the baseline, but join the destination's non-farm classes
in the proportions of its non-farm labour force instead of all joining the low-skill class, so the
exit from farming does not shift the class mix that fixed skill proportions demand).
Per variant, mean (and range) over the seeds:

- ``largest_pp``: the largest |change| of the unemployment rate from quarter 0, in points;
- ``late_pp``: the mean change over quarters Q-7..Q (33-40 by default);
- ``by_class``: the unemployment rate of each class (farm, low skill, high skill; workers without a
  job over the class's labour force, %) at quarter 0 and at quarter Q, and the change of each class's
  labour force (%);
- ``growing`` / ``shrinking``: the change of the non-farm unemployment rate (pp) in the cities whose
  non-farm labour force grew / shrank over the Q quarters (weighted by labour force), with the mean
  change of their labour force (%).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ydabm import YRDModel
from ydabm.agents.workers import HIGH, LOW

CLASSES = ("farm", "low", "high")


class MixedExFarmers(YRDModel):
    """The model with farmers who leave farming on moving to another city joining the high-skill class
    with the probability of the destination's high-skill share of its non-farm labour force (the model
    puts them all in the low-skill class). Movers arrive unemployed, so only their class and the labour
    force table change."""

    def apply_moves(self, moves) -> None:
        super().apply_moves(moves)
        if moves.leave_farm is None:
            return
        # the farmers who leave farming on moving to another city (those who take a job at home stay
        # low-skill: with them, high-skill ex-farmers who never return to farming would drain it)
        away = moves.leave_farm & (moves.destination != moves.origin)
        if not away.any():
            return
        w, force = self.workers, self.labour_force
        rows, city = moves.rows[away], moves.destination[away]
        high_share = force[:, HIGH] / np.maximum(force[:, LOW] + force[:, HIGH], 1)
        chosen = self.rng.random(rows.size) < high_share[city]
        rows, city = rows[chosen], city[chosen]
        w.skill[rows] = HIGH
        w.move(rows, city)                                   # the market column follows the class
        np.subtract.at(force[:, LOW], city, 1)
        np.add.at(force[:, HIGH], city, 1)


#: name -> (parameters, model class)
VARIANTS = {"baseline": ({}, YRDModel), "no_farm_exit": ({"farmer_mobility": 0.0}, YRDModel),
            "no_moves": ({"reconsider_rate": 0.0}, YRDModel), "mixed_ex_farmers": ({}, MixedExFarmers)}


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _rates(model) -> tuple[np.ndarray, np.ndarray]:
    """(C, K) labour force and staff (workers with a job) by city and class."""
    return model.labour_force.astype(float).copy(), np.asarray(model.staff_table(), dtype=float).copy()


def one_run(seed: int, quarters: int, values: dict, model_class=YRDModel) -> dict:
    model = model_class(rng=seed, **values)
    force0, staff0 = _rates(model)
    for _ in range(quarters):
        model.step()
    force, staff = _rates(model)
    rate = model.datacollector.get_model_vars_dataframe()["unemployment_rate"].to_numpy() * 100
    change = rate - rate[0]
    nonfarm0 = 1.0 - staff0[:, 1:].sum(axis=1) / force0[:, 1:].sum(axis=1)
    nonfarm = 1.0 - staff[:, 1:].sum(axis=1) / force[:, 1:].sum(axis=1)
    growth = force[:, 1:].sum(axis=1) / force0[:, 1:].sum(axis=1) - 1.0
    weight = force[:, 1:].sum(axis=1)
    groups = {}
    for name, cities in (("growing", growth > 0), ("shrinking", growth <= 0)):
        w = weight[cities]
        groups[name] = {"cities": int(cities.sum()),
                        "change_pp": float(((nonfarm - nonfarm0)[cities] * w).sum() / w.sum() * 100) if cities.any() else 0.0,
                        "labour_force_pct": float(growth[cities].mean() * 100) if cities.any() else 0.0}
    return {"largest_pp": float(np.abs(change).max()), "late_pp": float(change[max(quarters - 7, 1):].mean()),
            "class_rate_start": ((1.0 - staff0.sum(axis=0) / force0.sum(axis=0)) * 100).tolist(),
            "class_rate_end": ((1.0 - staff.sum(axis=0) / force.sum(axis=0)) * 100).tolist(),
            "class_force_pct": ((force.sum(axis=0) / force0.sum(axis=0) - 1.0) * 100).tolist(), **groups}


def summarise(runs: list[dict]) -> dict:
    def stats(values):
        values = np.asarray(values, dtype=float)
        return {"mean": values.mean(axis=0).round(4).tolist(),
                "min": values.min(axis=0).round(4).tolist(), "max": values.max(axis=0).round(4).tolist()}
    out = {key: stats([run[key] for run in runs])
           for key in ("largest_pp", "late_pp", "class_rate_start", "class_rate_end", "class_force_pct")}
    for group in ("growing", "shrinking"):
        out[group] = {key: stats([run[group][key] for run in runs]) for key in ("cities", "change_pp", "labour_force_pct")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter of every run (e.g. the shock economy's)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = {key: _number(value) for key, value in (item.split("=", 1) for item in args.values)}
    result = {"seeds": args.seeds, "quarters": args.quarters, "set": base, "variants": {}}
    for name, (values, model_class) in VARIANTS.items():
        runs = [one_run(seed, args.quarters, {**base, **values}, model_class) for seed in args.seeds]
        result["variants"][name] = summary = summarise(runs)
        if not args.json:
            print(f"{name}: largest {summary['largest_pp']['min']:.3f}-{summary['largest_pp']['max']:.3f} pp, "
                  f"quarters {args.quarters - 7}-{args.quarters} {summary['late_pp']['mean']:+.3f} pp "
                  f"({summary['late_pp']['min']:+.3f} to {summary['late_pp']['max']:+.3f})", flush=True)
            print("  unemployment by class (farm, low, high), %:", summary["class_rate_start"]["mean"], "->",
                  summary["class_rate_end"]["mean"], "; labour force change, %:", summary["class_force_pct"]["mean"])
            for group in ("growing", "shrinking"):
                g = summary[group]
                print(f"  cities whose non-farm labour force is {group}: {g['cities']['mean']:.1f} cities, "
                      f"labour force {g['labour_force_pct']['mean']:+.1f} %, non-farm unemployment "
                      f"{g['change_pp']['mean']:+.3f} pp")
    if args.json:
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
