"""Zombie firms against the barrier and soft-credit generosity (docs/validation.md, "Zombies").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombies.py [--seeds 1 2 3 4 5] [--quarters 40]
        [--workers 2] [--set KEY=VALUE ...] [--sweeps barrier soft_budget] [--json]

``YRDModel(rng=seed, barrier=b)`` for b = 0, 0.25, 0.5, 0.75, 1 and ``YRDModel(rng=seed, soft_budget=g)``
for g = 0, 0.5, 1, 2, 5 (generosity; the default 1 is the fiscal calculus alone), other parameters at
their defaults (or as ``--set`` gives them: e.g. ``--set specialization=1`` runs both sweeps where
governments target by comparative advantage), default scale. Per run, the mean over the last 8
quarters of ``zombie_share`` (share of the live firm mass), ``zombie_employment_share``,
``zombie_capital_share``, ``subsidy_to_gdp``, ``real_gdp`` and ``capacity_utilization``, and the
zombies' mass by sector summed over those quarters, and the three zombie shares' path: t = 0 (the
set-up's history), quarters 1-4, 5-8 and 9-12 (before a run's own accounts can give three weak years)
and the last 8.
Prints the mean and standard error over seeds per value, the seed-matched difference between the
ends of each sweep with its standard error, and the sectors' shares of the zombie mass (all runs of a
sweep pooled) beside their shares of the live mass.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing

import numpy as np

METRICS = ("zombie_share", "zombie_employment_share", "zombie_capital_share", "subsidy_to_gdp", "real_gdp",
           "capacity_utilization")
SWEEPS = {"barrier": (0.0, 0.25, 0.5, 0.75, 1.0), "soft_budget": (0.0, 0.5, 1.0, 2.0, 5.0)}
WINDOW = 8
ZOMBIE = METRICS[:3]
#: the windows of the zombie shares' path: (label, first, last + 1) in collected rows (row 0: t = 0)
PATH = (("t0", 0, 1), ("q1-4", 1, 5), ("q5-8", 5, 9), ("q9-12", 9, 13))


def run(job: tuple[str, float, int, int, dict]) -> tuple[str, float, int, dict, list, list, list]:
    from ydabm import YRDModel
    lever, value, seed, quarters, fixed = job
    model = YRDModel(rng=seed, **{**fixed, lever: value})
    sectors = model.sectors.count
    zombie_mass = np.zeros(sectors)
    live_mass = np.zeros(sectors)
    for q in range(quarters):
        model.step()
        if q >= quarters - WINDOW:
            f = model.firms
            zombie = f.alive & f.zombie
            zombie_mass += np.bincount(f.sector[zombie], f.mass[zombie], minlength=sectors)
            live_mass += np.bincount(f.sector[f.alive], f.mass[f.alive], minlength=sectors)
    frame = model.datacollector.get_model_vars_dataframe()
    values = {m: float(frame[m].iloc[-WINDOW:].mean()) for m in METRICS}
    for m in ZOMBIE:
        values.update({f"{m} {label}": float(frame[m].iloc[a:b].mean()) for label, a, b in PATH})
    return lever, value, seed, values, zombie_mass.tolist(), live_mass.tolist(), list(model.sectors.names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter for every run (a float)")
    parser.add_argument("--sweeps", nargs="+", default=list(SWEEPS), choices=list(SWEEPS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    fixed = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set {item!r}: expected KEY=VALUE")
        fixed[key] = float(value)
    sweeps = {k: SWEEPS[k] for k in args.sweeps}
    jobs = [(lever, v, s, args.quarters, fixed) for lever, values in sweeps.items() for v in values for s in args.seeds]
    if args.workers > 1:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            results = pool.map(run, jobs)
    else:
        results = [run(j) for j in jobs]
    names = results[0][6]
    out: dict = {"seeds": args.seeds, "quarters": args.quarters, "set": fixed, "sweeps": {}}
    for lever, values in sweeps.items():
        rows = [r for r in results if r[0] == lever]
        sweep: dict = {"values": list(values), "metrics": {}}
        for m in METRICS:
            grid = np.array([[r[3][m] for r in sorted(rows, key=lambda r: r[2]) if r[1] == v] for v in values])
            diff = grid[-1] - grid[0]
            if m == "real_gdp":
                diff = grid[-1] / grid[0] - 1
            n = grid.shape[1]
            sweep["metrics"][m] = {"mean": grid.mean(axis=1).tolist(),
                                   "se": (grid.std(axis=1, ddof=1) / np.sqrt(n)).tolist(),
                                   "effect": float(diff.mean()), "effect_se": float(diff.std(ddof=1) / np.sqrt(n))}
        sweep["path"] = {}
        for m in ZOMBIE:
            for label, _, _ in PATH:
                grid = np.array([[r[3][f"{m} {label}"] for r in rows if r[1] == v] for v in values])
                sweep["path"][f"{m} {label}"] = {"mean": grid.mean(axis=1).tolist(),
                                                 "se": (grid.std(axis=1, ddof=1) / np.sqrt(grid.shape[1])).tolist()}
        zombie = np.sum([r[4] for r in rows], axis=0)
        live = np.sum([r[5] for r in rows], axis=0)
        sweep["sectors"] = {name: {"zombie_mass_share": float(z / zombie.sum()) if zombie.sum() > 0 else 0.0,
                                   "live_mass_share": float(l / live.sum()),
                                   "zombie_share_of_sector": float(z / l) if l > 0 else 0.0}
                            for name, z, l in zip(names, zombie, live)}
        out["sweeps"][lever] = sweep
    if args.json:
        print(json.dumps(out))
        return
    for lever, sweep in out["sweeps"].items():
        print(f"== {lever}")
        for m, r in sweep["metrics"].items():
            cells = "  ".join(f"{v:g}: {a:.4g} ± {b:.2g}" for v, a, b in zip(sweep["values"], r["mean"], r["se"]))
            print(f"  {m}: {cells}; last - first {r['effect']:+.4g} ± {r['effect_se']:.2g}")
        for m, r in sweep["path"].items():
            cells = "  ".join(f"{v:g}: {a:.4g} ± {b:.2g}" for v, a, b in zip(sweep["values"], r["mean"], r["se"]))
            print(f"  {m}: {cells}")
        print("  sectors (share of zombie mass, of live mass, zombie share within the sector):")
        for name, s in sorted(sweep["sectors"].items(), key=lambda kv: -kv[1]["zombie_mass_share"]):
            print(f"    {name}: {s['zombie_mass_share']:.3f} {s['live_mass_share']:.3f} "
                  f"{s['zombie_share_of_sector']:.4f}")


if __name__ == "__main__":
    main()
