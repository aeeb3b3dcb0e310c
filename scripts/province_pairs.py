"""Manufacturing similarity by province pair and support by province: a scenario against the baseline
(docs/validation.md, "Coordination scenarios").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/province_pairs.py [--scenario division_of_labor]
        [--seeds 1 2 3] [--quarters 40] [--workers 2]

For each seed, ``YRDModel(rng=seed)`` and the same with the scenario's parameters and policies, run
for ``--quarters``; at the end, the mean UNIDO similarity of manufacturing employment over the city
pairs within each province and across each pair of provinces (Shanghai is one city: no pair within),
the UNIDO similarity of the provinces' own manufacturing structures (their cities' employment
summed: the level of the published coefficients), the mean support intensity summed over the
manufacturing sectors of each province's cities (in sector-equivalents), and each province's
manufacturing employment shares. Prints the means over seeds, baseline -> scenario (change; for the
provinces' own structures with its standard error over the matched seeds).
"""
from __future__ import annotations

import argparse
import multiprocessing

import numpy as np


def run(job: tuple[int, str | None, int]) -> dict:
    from ydabm import metrics
    from ydabm.scenarios import scenario_model
    seed, scenario, quarters = job
    model = scenario_model(scenario, seed)
    for _ in range(quarters):
        model.step()
    employment = model.employment_by_sector()
    manufacturing = model.sectors.manufacturing
    similarity = metrics.similarity_matrix(employment[:, manufacturing])
    province = np.array(model.geography.provinces)
    names = sorted(set(province))
    pairs = {}
    for i, a in enumerate(names):
        for b in names[i:]:
            ia, ib = np.flatnonzero(province == a), np.flatnonzero(province == b)
            block = similarity[np.ix_(ia, ib)]
            values = block[np.triu_indices(len(ia), 1)] if a == b else block.ravel()
            if values.size:
                pairs[f"{a}-{b}"] = float(values.mean())
    support = {p: float(model.targets[province == p][:, manufacturing].sum(axis=1).mean()) for p in names}
    shares = {p: (employment[province == p][:, manufacturing].sum(axis=0)
                  / employment[province == p][:, manufacturing].sum()).tolist() for p in names}
    sectors = [model.sectors.names[i] for i in np.flatnonzero(manufacturing)]
    # the provinces' own structures (their cities' employment summed): the level of the published
    # coefficients (Jiangsu-Zhejiang 0.91 in 2002, evidence/similarity_coefficients_published.csv)
    totals = np.array([employment[province == p][:, manufacturing].sum(axis=0) for p in names])
    between = metrics.similarity_matrix(totals)
    provinces = {f"{a}-{b}": float(between[i, j]) for i, a in enumerate(names) for j, b in enumerate(names) if i < j}
    return {"scenario": scenario, "pairs": pairs, "support": support, "shares": shares, "sectors": sectors,
            "provinces": provinces}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="division_of_labor")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(seed, scenario, args.quarters) for seed in args.seeds for scenario in (None, args.scenario)]
    with multiprocessing.get_context("forkserver").Pool(args.workers) as pool:
        results = pool.map(run, jobs)
    base = [r for r in results if r["scenario"] is None]
    other = [r for r in results if r["scenario"] is not None]

    def mean(rows, key, name):
        return float(np.mean([r[key][name] for r in rows]))

    print(f"manufacturing similarity by province pair, baseline -> {args.scenario} (change), seeds {args.seeds}")
    for name in base[0]["pairs"]:
        b, s = mean(base, "pairs", name), mean(other, "pairs", name)
        print(f"  {name:<20} {b:.4f} -> {s:.4f} ({s - b:+.4f})")
    print("manufacturing similarity between the provinces' own structures (their cities summed): "
          "baseline -> scenario (change +- se over seeds)")
    for name in base[0]["provinces"]:
        change = np.array([o["provinces"][name] - b["provinces"][name] for b, o in zip(base, other)])
        se = change.std(ddof=1) / np.sqrt(change.size) if change.size > 1 else float("nan")
        print(f"  {name:<20} {mean(base, 'provinces', name):.4f} -> {mean(other, 'provinces', name):.4f} "
              f"({change.mean():+.4f} +- {se:.4f})")
    print("support on manufacturing, sector-equivalents per city")
    for name in base[0]["support"]:
        print(f"  {name:<10} {mean(base, 'support', name):.2f} -> {mean(other, 'support', name):.2f}")
    print("manufacturing employment shares (" + ", ".join(base[0]["sectors"]) + ")")
    for name in base[0]["shares"]:
        b = np.mean([r["shares"][name] for r in base], axis=0)
        s = np.mean([r["shares"][name] for r in other], axis=0)
        print(f"  {name:<10} {np.round(b, 3).tolist()} -> {np.round(s, 3).tolist()}")


if __name__ == "__main__":
    main()
