"""The two-city core–periphery economy with migration on, against Krugman's tomahawk (not scored).

``ydabm validate core-periphery`` scores the agent-based short run with λ (city 0's share of the
mobile workers) frozen. This runs the ``core_periphery`` scenario as it is, migration on, from a
start λ₀ at trade costs T below the break point, between the break and sustain points and above the
sustain point (σ 5, μ 0.4: T_b 1.627, T_s 1.807), and prints, per (λ₀, T), mean ± se over seeds and
averaged over the last ``--window`` quarters:

- λ, city 0's share of the mobile (low-skill) workers;
- the gap that moves them, city 0 − city 1: their log expected real income
  (``model.log_real_income()``: wage × employment rate + benefit, over the CPI), and its parts: the log
  wage, the log of (employment rate + benefit × (1 − employment rate)) and minus the log CPI;
- city 0's share of the manufacturing firm mass, beside λ (firms following workers);
- the largest and smallest λ of any quarter in the window (one run's swings);
- over the whole run, what moves the workers: the quarters in which a city's low-skill employment rate,
  as the movers see it (after the quarter's closures, before hiring), is below ``COLLAPSE``, the share
  of all moves made in those quarters, the share of the closed firm mass that was in agents holding
  more than ``LUMPY`` of their city-sector when they closed, and the largest agent's share of its
  city-sector at the end (``_lumps``).

The protocol of docs/validation.md ("Core–periphery limit", "With migration on"), measured twice
before with one-off scripts. ``--racetrack`` instead runs the agent-based racetrack of ``ydabm
validate racetrack`` (its scenario, seeds and 400 quarters) with the same recorders and prints, per
seed, the number of agglomerations at the end and what moved the workers.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/core_periphery_migration.py \\
        [--starts 0.8 0.55] [--trade-costs 1.4 1.7 2.2] [--seeds 1 2 3 4 5] [--quarters 240] \\
        [--window 60] [--set NAME=VALUE ...] [--workers 2] [--json OUT] [--racetrack]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from _lumps import LUMPY, largest_share, lumpy_share, watch_closures
from ydabm.agents.workers import LOW
from ydabm.allocator import keep_freed_memory
from ydabm.experiments.effects import mean
from ydabm.experiments.executors import map_records
from ydabm.model import YRDModel
from ydabm.params import Params
from ydabm.scenarios import load_scenario


def gaps(model: YRDModel) -> dict[str, float]:
    """City 0 − city 1 of the mobile workers' log expected real income and its parts, λ and city 0's
    share of the manufacturing firm mass, this quarter."""
    p, w, f = model.params, model.workers, model.firms
    force = model.labour_force[:, LOW]
    rate = np.where(force > 0, model.paid_table()[:, LOW] / np.maximum(force, 1e-300), 1.0 - p.natural_unemployment)
    # log(w e + b w (1 - e)) = log w + log(e + b (1 - e)) for the low-skill class (its benefit is b w_low)
    wage = np.log(model.wages[:, LOW])
    employment = np.log(rate + p.unemployment_benefit * (1.0 - rate))
    living = (1.0 - p.housing_share) * np.log(model.cpi) + p.housing_share * np.log(model.housing_cost())
    income = model.log_real_income()[:, LOW - 1]
    making = f.alive & model.sectors.manufacturing[f.sector]
    mass = np.bincount(f.city[making], f.mass[making], minlength=2)
    mobile = np.bincount(w.city[w.skill == LOW], minlength=2)
    return {"share": float(mobile[0] / mobile.sum()), "income_gap": float(income[0] - income[1]),
            "wage_gap": float(wage[0] - wage[1]), "employment_gap": float(employment[0] - employment[1]),
            "price_gap": float(-(living[0] - living[1])), "firm_share": float(mass[0] / mass.sum())}


#: a city's low-skill employment rate below this, as the movers see it, is a collapse
COLLAPSE = 0.8


def watch_moves(model: YRDModel) -> list[tuple[float, int]]:
    """Record, each quarter, the lowest low-skill employment rate of any city as the movers see it and
    the number of movers (filled as the model steps)."""
    seen, choose = [], model.choose_moves

    def recording():
        force = model.labour_force[:, LOW]
        rate = model.paid_table()[:, LOW] / np.maximum(force, 1e-300)
        moves = choose()
        seen.append((float(rate[force > 0].min()), int(moves.rows.size)))
        return moves

    model.choose_moves = recording
    return seen


def causes(model: YRDModel, closed: list[tuple[float, float]], moved: list[tuple[float, int]]) -> dict:
    """What moved the workers over a run (:data:`CAUSES`), from its recorders."""
    collapsed = [movers for rate, movers in moved if rate < COLLAPSE]
    return {"collapses": len(collapsed),
            "moves_in_collapses": sum(collapsed) / max(sum(movers for _, movers in moved), 1),
            "lumpy_closures": lumpy_share(closed), "largest_share": largest_share(model.firms)}


def run(task: tuple[float, float, int, int, int, dict]) -> dict:
    start, trade_cost, seed, quarters, window, values = task
    keep_freed_memory()
    params = load_scenario("core_periphery").params({**values, "initial_core_share": start, "trade_cost": trade_cost})
    model = YRDModel(rng=seed, **params)
    closed, moved = watch_closures(model), watch_moves(model)
    rows = []
    for quarter in range(quarters):
        model.step()
        if quarter >= quarters - window:
            rows.append(gaps(model))
    frame = pd.DataFrame(rows)
    return {"start": start, "trade_cost": trade_cost, "seed": seed, **frame.mean().to_dict(),
            "share_min": float(frame["share"].min()), "share_max": float(frame["share"].max()),
            **causes(model, closed, moved)}


def racetrack_run(task: tuple[int, dict]) -> dict:
    """One agent-based racetrack run of ``ydabm validate racetrack`` with the recorders."""
    from ydabm.validation import racetrack
    seed, values = task
    keep_freed_memory()
    model = YRDModel(rng=seed, **load_scenario(racetrack.SCENARIO).params(values))
    closed, moved = watch_closures(model), watch_moves(model)
    for _ in range(racetrack.ABM_QUARTERS):
        model.step()
    mobile = model.labour_force[:, 1:].sum(axis=1).astype(float)
    return {"seed": seed, "agglomerations": int(racetrack.agglomerations(mobile / mobile.sum()).size),
            **causes(model, closed, moved)}


COLUMNS = ("share", "income_gap", "wage_gap", "employment_gap", "price_gap", "firm_share")
#: what moves the workers (whole run)
CAUSES = ("collapses", "moves_in_collapses", "lumpy_closures", "largest_share")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", nargs="+", type=float, default=[0.8, 0.55])
    parser.add_argument("--trade-costs", nargs="+", type=float, default=[1.4, 1.7, 2.2])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=240)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write every run's record here")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="further parameters of every run (on top of the scenario's)")
    parser.add_argument("--racetrack", action="store_true", help="the agent-based racetrack instead")
    args = parser.parse_args(argv)
    values = dict(item.split("=", 1) for item in args.set)
    values = {name: Params.build(values).as_dict()[name] for name in values}     # typed and checked
    if args.racetrack:
        from ydabm.validation import racetrack
        records = map_records(racetrack_run, [(seed, values) for seed in racetrack.replicate_seeds(racetrack.SEEDS)],
                              args.workers, args.json)
        print(f"racetrack, {racetrack.ABM_QUARTERS} quarters: agglomerations at the end and what moved the workers")
        print("seed        agglomerations  " + "  ".join(f"{c:>18s}" for c in CAUSES))
        for r in records:
            print(f"{r['seed']:10d}  {r['agglomerations']:14d}  " + "  ".join(f"{r[c]:18.3f}" for c in CAUSES))
        return
    if not 0 < args.window <= args.quarters:
        parser.error("--window must be between 1 and --quarters")
    tasks = [(start, cost, seed, args.quarters, args.window, values) for start in args.starts
             for cost in args.trade_costs for seed in args.seeds]
    records = map_records(run, tasks, args.workers, args.json)
    frame = pd.DataFrame(records)
    print(f"last {args.window} of {args.quarters} quarters, seeds {args.seeds}; gaps city 0 - city 1, log points")
    print("start  T     " + "  ".join(f"{c:>16s}" for c in COLUMNS) + "  share range")
    for (start, cost), runs in frame.groupby(["start", "trade_cost"], sort=False):
        cells = [mean(runs[c]) for c in COLUMNS]
        print(f"{start:5g}  {cost:4g}  " + "  ".join(f"{c.value:+.4f} +- {c.se:.4f}" for c in cells)
              + f"  {runs['share_min'].min():.2f}-{runs['share_max'].max():.2f}")
    print(f"whole run: quarters with a city's low-skill employment below {COLLAPSE:g} as movers see it, the share "
          f"of moves made in them, closed mass in agents over {LUMPY:g} of their city-sector, largest agent's share")
    print("start  T     " + "  ".join(f"{c:>18s}" for c in CAUSES))
    for (start, cost), runs in frame.groupby(["start", "trade_cost"], sort=False):
        print(f"{start:5g}  {cost:4g}  " + "  ".join(f"{mean(runs[c]).value:8.3f} +- {mean(runs[c]).se:6.3f}"
                                                   for c in CAUSES))


if __name__ == "__main__":
    main()
