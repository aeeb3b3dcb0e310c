"""Persistent productivity shocks (``productivity_persistence`` below 1): zombies, stationarity, scale.

A diagnostic of the AR(1) deviation of each firm agent's productivity from its permanent level
(:func:`ydabm.mechanisms.technology.productivity_deviation`). Runs the no-shock baseline for
``--quarters`` at each scale, persistence and seed, and prints per scale and persistence, mean +-
standard error over seeds:

- the zombie share (% of the live firm mass) at t = 0, in quarters 33-40 and in the last 8 quarters;
- the zombies' share of employment (quarters 33-40);
- real GDP growth over the first ten years, the largest move of unemployment from 2020 Q1 and of
  manufacturing similarity from 2020 over the run;
- the firm mass's change over the run and the largest quarter's exits over the mean;
- the mass-weighted sd of the firm agents' log productivity around their city-sector's mass-weighted
  mean at t = 0 and at the end, pooled over city-sectors (the shocks' stationary sd is
  ``productivity_dispersion``);
- the largest utilisation move from 2020 Q1; how lumpy closures are: the share of its city-sector's
  mass the largest firm agent holds at the end, and the share of the closed mass that was in agents
  holding more than ``LUMPY`` of their city-sector when they closed (one shock moves a whole agent);
- the quarterly exits' autocorrelation at lag ``exit_after`` + 1 (the closures' echo, :func:`autocorrelation`).

``--set burn_in=YEARS`` runs the model's burn-in first (``YRDModel``'s ``burn_in``: years before 2020 Q1
at the baseline levers, with no policy, people moving without 2020's net flows and entry replacing the
firms that leave, then the free-entry margin and the price bases taken at the state reached, which is
the start); every figure is measured from that start.

``--facts`` runs the stylised facts of :mod:`ydabm.validation.facts` (their scale, seeds and
protocol) with the first ``--persistence`` and the ``--set`` values added to every run, and prints each fact's effect, its
standard error, z and whether it holds and is monotone.

``--levers`` instead runs the lever endpoints (``barrier``, ``soft_budget``, ``specialization``; see
``LEVERS``) at each scale and persistence and prints each lever's paired effect on the zombie share,
the zombies' employment share and real GDP growth (quarters 33-40; high minus low, mean +- se over the
seeds). ``--path SEED`` prints one run's firm mass, unemployment, zombie share, real GDP and
manufacturing similarity every 8 quarters.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/productivity_shocks.py \
        [--scales 2000 100] [--persistence 1 0.9 0.8] [--seeds 1 2 3] [--quarters 40] [--set NAME=VALUE ...] \
        [--levers | --path SEED | --facts] [--workers 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from _lumps import LUMPY, largest_share, lumpy_share, watch_closures
from ydabm.allocator import keep_freed_memory
from ydabm.experiments.effects import mean
from ydabm.experiments.executors import map_records
from ydabm.model import YRDModel
from ydabm.params import parse_assignment


def productivity_sd(firms) -> float:
    """Mass-weighted sd of the live firm agents' log productivity around their city-sector's
    mass-weighted mean, pooled over the city-sectors."""
    live = firms.alive
    mass, log_z, cell = firms.mass[live], np.log(firms.productivity[live]), firms.cell[live]
    centre = np.bincount(cell, mass * log_z)[cell] / np.bincount(cell, mass)[cell]
    return float(np.sqrt(np.average((log_z - centre) ** 2, weights=mass)))


def run(task: tuple[float, float, int, int, dict]) -> dict:
    people_per_agent, persistence, seed, quarters, values = task
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    model = YRDModel(rng=seed, people_per_agent=people_per_agent, productivity_persistence=persistence, **values)
    f = model.firms
    mass0 = float(f.mass[f.alive].sum())
    spread0 = productivity_sd(f)
    closed = watch_closures(model)
    for _ in range(quarters):
        model.step()
    del model.close_firms
    frame = model.datacollector.get_model_vars_dataframe()
    rate, similarity = frame["unemployment_rate"], frame["similarity_manufacturing"]
    live = f.alive
    mass = f.mass[live]
    exits = frame["exits"].iloc[1:]
    utilisation = frame["capacity_utilization"]
    return {"people_per_agent": people_per_agent, "persistence": persistence, "seed": seed,
            "burn_in": model.params.burn_in,
            "zombie_t0": float(frame["zombie_share"].iloc[0]),
            "zombie_33_40": float(frame["zombie_share"].iloc[33:41].mean()),
            "zombie_last": float(frame["zombie_share"].iloc[-8:].mean()),
            "zombie_employment": float(frame["zombie_employment_share"].iloc[33:41].mean()),
            "real_gdp_growth": float(frame["real_gdp"].iloc[40] / frame["real_gdp"].iloc[0] - 1.0),
            "unemployment_move": float((rate - rate.iloc[0]).abs().max()),
            "similarity_move": float((similarity - similarity.iloc[0]).abs().max()),
            "mass_change": float(mass.sum() / mass0 - 1.0),
            "exit_wave": float(exits.max() / exits.mean()),
            "utilisation_move": float((utilisation - utilisation.iloc[0]).abs().max()),
            "productivity_sd_t0": spread0, "productivity_sd": productivity_sd(f),
            "largest_share": largest_share(f),
            "lumpy_closures": float(lumpy_share(closed)),
            "exit_echo": autocorrelation(exits.to_numpy(), model.params.exit_after + 1)}


def autocorrelation(series: np.ndarray, lag: int) -> float:
    """Sample autocorrelation of ``series`` at ``lag`` (nan when it is constant or shorter than the lag).

    Of the quarterly exits at lag ``exit_after`` + 1 it measures the closures' echo: a wave of closures
    gives the survivors one profitable quarter at the same time, which ends their loss streaks together,
    so those that keep losing reach ``exit_after`` quarters together and close ``exit_after`` + 1
    quarters after the wave."""
    x = np.asarray(series, dtype=float)
    x = x - x.mean()
    total = float(np.dot(x, x))
    if lag >= x.size or total == 0.0:
        return float("nan")
    return float(np.dot(x[:-lag], x[lag:]) / total)


#: lever endpoints of ``--levers`` (every other parameter at its default)
LEVERS = {"barrier": (0.0, 1.0), "soft_budget": (0.0, 5.0), "specialization": (0.0, 1.0)}


def path(ppa: float, persistence: float, seed: int, quarters: int, values: dict) -> None:
    model = YRDModel(rng=seed, people_per_agent=ppa, productivity_persistence=persistence, **values)
    f = model.firms
    print(f"people per agent {ppa:g}, persistence {persistence:g}, seed {seed}, burn-in {model.params.burn_in} years")
    print("quarter  firm mass  unemployment %  zombie share %  real GDP vs t=0 %  manufacturing similarity  "
          "utilisation %")
    start = None
    for quarter in range(quarters + 1):
        if quarter % 8 == 0:
            row = model.datacollector.get_model_vars_dataframe().iloc[-1]
            start = row.real_gdp if start is None else start
            print(f"{quarter:7d}  {f.mass[f.alive].sum():9.1f}  {100 * row.unemployment_rate:14.2f}  "
                  f"{100 * row.zombie_share:14.2f}  {100 * (row.real_gdp / start - 1):17.2f}  "
                  f"{row.similarity_manufacturing:24.4f}  {100 * row.capacity_utilization:13.2f}")
        if quarter < quarters:
            model.step()


def levers(args, values: dict) -> list[dict]:
    tasks = [(ppa, rho, seed, 40, {**values, name: level}) for ppa in sorted(args.scales) for rho in args.persistence
             for name, ends in LEVERS.items() for level in ends for seed in args.seeds]
    records = map_records(run, tasks, args.workers)
    for task, record in zip(tasks, records):
        record["lever"] = next(name for name in LEVERS if name in task[4] and task[4][name] in LEVERS[name])
        record["level"] = task[4][record["lever"]]
    print("scale  persistence  lever  low -> high  zombie share pp  zombies' employment pp  real GDP growth pp")
    for ppa in sorted(args.scales, reverse=True):
        for rho in args.persistence:
            for name, (low, high) in LEVERS.items():
                def get(level, key):
                    rows = [r for r in records if (r["people_per_agent"], r["persistence"], r["lever"], r["level"])
                            == (ppa, rho, name, level)]
                    return pd.Series([r[key] for r in sorted(rows, key=lambda r: r["seed"])])
                cells = [mean(100 * (get(high, key) - get(low, key)))
                         for key in ("zombie_33_40", "zombie_employment", "real_gdp_growth")]
                print(f"{ppa:6g}  {rho:5g}  {name} {low:g} -> {high:g} ({100 * get(low, 'zombie_33_40').mean():.2f} -> "
                      f"{100 * get(high, 'zombie_33_40').mean():.2f} %)  "
                      + "  ".join(f"{c.value:+.3f} +- {c.se:.3f}" for c in cells))
    return records


def stylised_facts(persistence: float, values: dict, workers: int, json_path: str | None) -> list[dict]:
    """The stylised facts with ``persistence`` and the ``--set`` values in every run (what ``ydabm
    validate facts --set`` measures)."""
    from ydabm.validation import facts
    settings = {**values, "productivity_persistence": persistence}
    results = facts.evaluate_all(facts.FACTS, workers=workers, settings=settings)
    if json_path:
        with open(json_path, "w") as out:
            json.dump(results, out, indent=1)
    print(f"stylised facts with {settings} ({facts.SCALE}, seeds {facts.SEEDS})")
    for result in results:
        print(f"  {result['fact'][:60]:60s} {result['value']:+.5f} +- {result['se']:.5f}  z {result['z']:6.1f}  "
              f"holds {result['holds']}  monotone {result.get('monotone', '-')}")
    print(f"{sum(r['holds'] for r in results)} of {len(results)} hold")
    return results


COLUMNS = [("zombie_t0", 100, "zombie t=0 %"), ("zombie_33_40", 100, "zombie q33-40 %"),
           ("zombie_last", 100, "zombie last 8 %"), ("zombie_employment", 100, "zombie employment %"),
           ("real_gdp_growth", 100, "real GDP 10 y %"), ("unemployment_move", 100, "unemployment move pp"),
           ("similarity_move", 1, "similarity move"), ("mass_change", 100, "firm mass %"),
           ("exit_wave", 1, "exits max/mean"), ("utilisation_move", 100, "utilisation move pp"),
           ("productivity_sd_t0", 1, "sd log z in cells t=0"),
           ("productivity_sd", 1, "sd log z in cells at the end"),
           ("largest_share", 1, "largest agent's share of its cell at the end"),
           ("lumpy_closures", 1, f"closed mass in agents over {LUMPY:g} of their cell"),
           ("exit_echo", 1, "exits' autocorrelation at lag exit_after + 1")]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[2000, 100])
    parser.add_argument("--persistence", nargs="+", type=float, default=[1.0, 0.9, 0.8])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--set", nargs="*", default=[], help="further parameters NAME=VALUE")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write every run's record here")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--levers", action="store_true", help="the levers' paired effects (40 quarters)")
    mode.add_argument("--path", type=int, metavar="SEED", help="one run's path at the first scale and persistence")
    mode.add_argument("--facts", action="store_true", help="the stylised facts at the first persistence")
    args = parser.parse_args(argv)
    if args.quarters < 40:
        parser.error("--quarters must be at least 40 (the ten-year figures)")
    values = dict(parse_assignment(item) for item in args.set)
    if args.path is not None:
        path(args.scales[0], args.persistence[0], args.path, args.quarters, values)
        return
    if args.facts:
        stylised_facts(args.persistence[0], values, args.workers, args.json)
        return
    if args.levers:
        records = levers(args, values)
        if args.json:
            with open(args.json, "w") as out:
                json.dump(records, out, indent=1)
        return
    tasks = [(ppa, rho, seed, args.quarters, values) for ppa in sorted(args.scales)
             for rho in args.persistence for seed in args.seeds]
    records = map_records(run, tasks, args.workers, args.json)
    print("scale  persistence  " + "  ".join(label for _, _, label in COLUMNS))
    for ppa in sorted(args.scales, reverse=True):
        for rho in args.persistence:
            runs = pd.DataFrame([r for r in records if (r["people_per_agent"], r["persistence"]) == (ppa, rho)])
            cells = [mean(scale * runs[name]) for name, scale, _ in COLUMNS]
            print(f"{ppa:6g}  {rho:5g}  " + "  ".join(f"{c.value:.4g} +- {c.se:.2g}" for c in cells))


if __name__ == "__main__":
    main()
