"""The zombie share at two specialization values split by support and by revealed comparative advantage
(docs/validation-changes.md, "Since `b9091e0`").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombie_support.py [--values 0 1] [--seeds 1 2 3 4 5]
        [--quarters 40] [--workers 2]

For each seed and value, ``YRDModel(rng=seed, specialization=value)`` over ``--quarters``; over the last
8 quarters, the live and zombie firm mass (enterprises) of each city-sector, summed. At the end, each
city-sector is *supported* when its support intensity exceeds 0.05 and has *advantage* when its Balassa
index of employment is at least 1. Prints, per value (mean ± standard error over seeds): the share of the
firm mass each of the four groups holds, the zombie share within it and what it adds to the total (pp),
the support intensity weighted by the firm mass, and the sectors with the largest zombie mass.
"""
from __future__ import annotations

import argparse
import multiprocessing

import numpy as np

WINDOW = 8
SUPPORTED = 0.05


def run(job: tuple[float, int, int]) -> dict:
    from ydabm import YRDModel
    from ydabm.allocator import keep_freed_memory
    value, seed, quarters = job
    keep_freed_memory()
    model = YRDModel(rng=seed, specialization=value)
    cells = model.geography.count * model.sectors.count
    live, zombie = np.zeros(cells), np.zeros(cells)
    for q in range(quarters):
        model.step()
        if q >= quarters - WINDOW:
            f = model.firms
            alive = f.alive
            live += np.bincount(f.cell[alive], f.mass[alive], minlength=cells)
            dead = alive & f.zombie
            zombie += np.bincount(f.cell[dead], f.mass[dead], minlength=cells)
    employment = model.employment_by_sector().astype(float)
    total, city, sector = employment.sum(), employment.sum(axis=1, keepdims=True), employment.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = np.where(city * sector > 0, employment * total / (city * sector), 0.0).ravel()
    support = model.targets.ravel()
    groups = {"supported, advantage": (support > SUPPORTED) & (rca >= 1),
              "supported, no advantage": (support > SUPPORTED) & (rca < 1),
              "unsupported, advantage": (support <= SUPPORTED) & (rca >= 1),
              "unsupported, no advantage": (support <= SUPPORTED) & (rca < 1)}
    out = {name: (live[g].sum() / live.sum(), zombie[g].sum() / max(live[g].sum(), 1e-300), zombie[g].sum() / live.sum())
           for name, g in groups.items()}
    out["all"] = (1.0, zombie.sum() / live.sum(), zombie.sum() / live.sum())
    out["support weighted by mass"] = ((support * live).sum() / live.sum(), 0.0, 0.0)
    by_sector = zombie.reshape(model.geography.count, -1).sum(axis=0) / live.sum()
    return {"value": value, "groups": out, "sectors": by_sector.tolist(), "names": list(model.sectors.names)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=float, nargs="+", default=[0.0, 1.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(value, seed, args.quarters) for seed in args.seeds for value in args.values]
    with multiprocessing.get_context("forkserver").Pool(args.workers) as pool:
        results = pool.map(run, jobs)
    for value in args.values:
        rows = [r for r in results if r["value"] == value]
        print(f"specialization {value:g} (seeds {args.seeds}, last {WINDOW} of {args.quarters} quarters)")
        for name in rows[0]["groups"]:
            a = np.array([r["groups"][name] for r in rows])
            mean, se = a.mean(axis=0), a.std(axis=0, ddof=1) / np.sqrt(len(a))
            if name == "support weighted by mass":
                print(f"  {name:<26} {mean[0]:.3f}")
                continue
            print(f"  {name:<26} mass {100 * mean[0]:6.2f} %  zombie share within {100 * mean[1]:6.3f} ± "
                  f"{100 * se[1]:.3f} %  adds {100 * mean[2]:.3f} ± {100 * se[2]:.3f} pp")
        sectors = np.mean([r["sectors"] for r in rows], axis=0)
        top = np.argsort(-sectors)[:4]
        print("  largest zombie mass: " + ", ".join(f"{rows[0]['names'][i]} {100 * sectors[i]:.3f} pp" for i in top))


if __name__ == "__main__":
    main()
