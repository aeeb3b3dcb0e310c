"""Where the no-shock baseline's all-sector similarity drift comes from (issue 10, item 2).

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/similarity_drift.py [--seeds 1 2 3 4 5] [--quarters 40]
        [--scales 2000 1000] [--inflows 0.0333 0] [--json]

For each scale (``people_per_agent``), yearly migrant inflow rate and seed it runs the baseline (no
shock, default levers) and records each quarter's (C, S) employment by city-sector (worker agents)
and each city's population. From these it reports:

* **drift**: similarity_all(t) - similarity_all(0) at years 1, 2.5, 5, 7.5, 10 and its largest
  |change| (the issue's criterion), mean and standard error over seeds;
* **shift-share** of the change from quarter 0 to the end: log(E1_ck / E0_ck) = a_k + b_k dlogP_c +
  e_ck, fitted per sector k over cities by least squares weighted by E0_ck (dlogP_c the city's
  log population change), gives three counterfactual structures E0 exp(part): the
  region-wide sector trend (a_k: sector productivity trends, agriculture, region-wide demand),
  the population-driven part (b_k dlogP_c: sectors growing with the city's people, i.e. local
  services following migrants) and the residual (e_ck: entry/exit and matching noise, targeting,
  anything city-sector specific). The similarity change is split among them by Shapley values (the
  mean marginal change over the six orders of applying them); the rows report b_k by sector;
* **farm share**: the change of the non-farm structure's similarity, and of all-sector similarity
  with each city's farm (agriculture) employment rescaled to its 2020 share of the city's employment
  (what the drift would be if the people who leave took farmers and non-farm workers alike);
* **sectors and pairs**: similarity is sum_k u_ik u_jk with u the unit-normalised rows, so the mean
  change over pairs splits exactly into sector terms mean_ij d(u_ik u_jk); it also prints the pairs
  and cities (half of each of their pairs' change) that move most;
* **time path**: the mean drift over seeds against t (the slope of a least-squares line through the
  origin and the share of the mean path it explains) and the spread over seeds against sqrt(t): a
  trend gives a path proportional to t common to all seeds; noise in the shares gives a spread
  growing like sqrt(t), plus a downward bias (independent share noise of variance v lowers the mean
  cosine by about v) that halves when the agents per person double.
"""

from __future__ import annotations

import argparse
import itertools
import json

import numpy as np

from ydabm import YRDModel
from ydabm import metrics

YEARS = (4, 10, 20, 30, 40)


def run(seed: int, quarters: int, **values) -> dict:
    """One baseline run: (Q+1, C, S) employment, (Q+1, C) population, the similarity_all path."""
    model = YRDModel(rng=seed, **values)
    employment = [model.employment_by_sector().astype(float)]
    population = [model.population_by_city()]
    for _ in range(quarters):
        model.step()
        employment.append(model.employment_by_sector().astype(float))
        population.append(model.population_by_city())
    frame = model.datacollector.get_model_vars_dataframe()
    return {"employment": np.array(employment), "population": np.array(population),
            "similarity": frame["similarity_all"].to_numpy(), "sectors": model.sectors.names,
            "cities": tuple(model.geography.names),
            "province": model.geography.province_index, "agriculture": model.sectors.agriculture}


def similarity(employment: np.ndarray) -> float:
    return metrics.mean_similarity(employment)["all"]


def unit_rows(employment: np.ndarray) -> np.ndarray:
    norms = np.sqrt((employment ** 2).sum(axis=1, keepdims=True))
    return np.divide(employment, norms, out=np.zeros_like(employment), where=norms > 0)


def sector_terms(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(S,) each sector's exact term of the change in mean pairwise similarity (they sum to it)."""
    def terms(employment):
        u = unit_rows(employment)
        cities = u.shape[0]
        # mean over pairs i < j of u_ik u_jk = ((sum_i u_ik)^2 - sum_i u_ik^2) / (C (C - 1))
        return (u.sum(axis=0) ** 2 - (u ** 2).sum(axis=0)) / (cities * (cities - 1))
    return terms(after) - terms(before)


def pair_changes(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """(C, C) change of each pair's similarity."""
    return metrics.similarity_matrix(after) - metrics.similarity_matrix(before)


def farm_share_held(before: np.ndarray, after: np.ndarray, farm: np.ndarray) -> np.ndarray:
    """``after`` with each city's farm (agriculture) employment rescaled to its share in ``before``
    (the non-farm structure at its end value)."""
    held = after.copy()
    share = before[:, farm].sum(axis=1) / before.sum(axis=1)
    nonfarm = after[:, ~farm].sum(axis=1)
    total = after[:, farm].sum(axis=1)
    scale = np.divide(share / (1 - share) * nonfarm, total, out=np.ones_like(total), where=total > 0)
    held[:, farm] *= scale[:, None]
    return held


def shift_share(before: np.ndarray, after: np.ndarray, pop_before: np.ndarray, pop_after: np.ndarray) -> dict:
    """Split log(E1/E0) per city-sector into sector trend, population-driven part and residual;
    Shapley split of the similarity change among them (see the module docstring). Cells empty at
    either end keep their observed change in the residual."""
    growth = np.log(pop_after / pop_before)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.log(after / before)
    ok = np.isfinite(change) & (before > 0)
    cities, sectors = before.shape
    trend = np.zeros(sectors)
    slope = np.zeros(sectors)
    for k in range(sectors):
        rows = ok[:, k]
        w = before[rows, k]
        if rows.sum() < 3 or w.sum() <= 0:
            continue
        x = growth[rows]
        y = change[rows, k]
        xm, ym = np.average(x, weights=w), np.average(y, weights=w)
        var = np.average((x - xm) ** 2, weights=w)
        slope[k] = np.average((x - xm) * (y - ym), weights=w) / var if var > 0 else 0.0
        trend[k] = ym - slope[k] * xm
    parts = {"sector_trend": np.broadcast_to(trend, before.shape),
             "population": slope[None, :] * growth[:, None]}
    parts["residual"] = np.where(ok, np.nan_to_num(change) - parts["sector_trend"] - parts["population"], 0.0)

    def structure(names):
        out = before * np.exp(sum((parts[n] for n in names), np.zeros(before.shape)))
        # cells that empty or fill: the observed end value once the residual is applied
        return np.where(ok, out, after) if "residual" in names else out

    base = similarity(before)
    names = tuple(parts)
    shapley = dict.fromkeys(names, 0.0)
    orders = list(itertools.permutations(names))
    for order in orders:
        applied = ()
        last = base
        for n in order:
            applied = applied + (n,)
            value = similarity(structure(applied))
            shapley[n] += (value - last) / len(orders)
            last = value
    alone = {n: similarity(structure((n,))) - base for n in names}
    return {"shapley": shapley, "alone": alone, "total": similarity(after) - base,
            "slope": slope.tolist(), "trend": trend.tolist(),
            "check": similarity(structure(names)) - base}


def analyse(runs: list[dict]) -> dict:
    paths = np.array([r["similarity"] - r["similarity"][0] for r in runs])       # seeds x (Q+1)
    n = len(runs)
    quarters = paths.shape[1] - 1
    mean = paths.mean(axis=0)
    se = paths.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mean)
    t = np.arange(quarters + 1, dtype=float)
    slope = float((t * mean).sum() / (t * t).sum())
    explained = 1 - float(((mean - slope * t) ** 2).sum() / (mean ** 2).sum()) if (mean ** 2).sum() > 0 else 0.0
    # spread over seeds around the common mean path, against sqrt(t) and t
    spread = paths.std(axis=0, ddof=1) if n > 1 else np.zeros_like(mean)
    result = {"largest": [float(np.abs(p).max()) for p in paths],
              "end": [float(p[-1]) for p in paths],
              "at": {int(q): (float(mean[q]), float(se[q])) for q in YEARS if q <= quarters},
              "slope_per_year": 4 * slope, "linear_r2": explained,
              "spread_at": {int(q): float(spread[q]) for q in YEARS if q <= quarters}}
    sector = np.array([sector_terms(r["employment"][0], r["employment"][-1]) for r in runs])
    result["sector_terms"] = (sector.mean(axis=0).tolist(), (sector.std(axis=0, ddof=1) / np.sqrt(n)).tolist()
                              if n > 1 else [0.0] * sector.shape[1])
    pairs = np.array([pair_changes(r["employment"][0], r["employment"][-1]) for r in runs]).mean(axis=0)
    cities = pairs.shape[0]
    first, second = np.triu_indices(cities, 1)
    order = np.argsort(pairs[first, second])
    result["pairs_down"] = [(int(first[i]), int(second[i]), float(pairs[first[i], second[i]])) for i in order[:8]]
    result["pairs_up"] = [(int(first[i]), int(second[i]), float(pairs[first[i], second[i]])) for i in order[::-1][:5]]
    # a city's share: half of each of its pairs' change, over the number of pairs
    # the share of the change in pairs with a city that loses more than 8 % of its people
    growth = np.mean([np.log(r["population"][-1] / r["population"][0]) for r in runs], axis=0)
    losing = growth < np.log(0.92)
    involved = losing[first] | losing[second]
    result["losing_cities"] = np.flatnonzero(losing).tolist()
    result["losing_pairs_share"] = float(pairs[first, second][involved].sum() / pairs[first, second].sum())
    result["losing_pairs_count"] = int(involved.sum())
    city = (pairs.sum(axis=1)) / 2 / len(first)
    result["cities"] = [(int(i), float(city[i])) for i in np.argsort(city)[:8]]
    result["city_growth"] = np.mean([np.log(r["population"][-1] / r["population"][0]) for r in runs], axis=0).tolist()
    shares = [shift_share(r["employment"][0], r["employment"][-1], r["population"][0], r["population"][-1])
              for r in runs]
    result["shift_share"] = {
        key: {n: (float(np.mean([s[key][n] for s in shares])),
                  float(np.std([s[key][n] for s in shares], ddof=1) / np.sqrt(n_)) if (n_ := len(shares)) > 1 else 0.0)
              for n in shares[0][key]} for key in ("shapley", "alone")}
    # the farm share: non-farm similarity alone, and the end structure with each city's 2020 farm share
    farm = np.asarray(runs[0]["agriculture"])
    result["nonfarm_drift"] = float(np.mean([similarity(r["employment"][-1][:, ~farm]) - similarity(r["employment"][0][:, ~farm])
                                             for r in runs]))
    result["farm_share_held"] = float(np.mean([similarity(farm_share_held(r["employment"][0], r["employment"][-1], farm))
                                               - similarity(r["employment"][0]) for r in runs]))
    result["farm_share_change"] = np.mean([r["employment"][-1][:, farm].sum(axis=1) / r["employment"][-1].sum(axis=1)
                                           - r["employment"][0][:, farm].sum(axis=1) / r["employment"][0].sum(axis=1)
                                           for r in runs], axis=0).tolist()
    result["shift_share"]["total"] = float(np.mean([s["total"] for s in shares]))
    result["shift_share"]["check"] = float(np.mean([s["check"] for s in shares]))
    result["slope_by_sector"] = np.mean([s["slope"] for s in shares], axis=0).tolist()
    result["trend_by_sector"] = np.mean([s["trend"] for s in shares], axis=0).tolist()
    # employment share of each sector, start and end (region)
    result["region_shares"] = [(r["employment"][0].sum(axis=0) / r["employment"][0].sum()).tolist() for r in runs[:1]] \
        + [np.mean([r["employment"][-1].sum(axis=0) / r["employment"][-1].sum() for r in runs], axis=0).tolist()]
    return result


def report(label: str, result: dict, sectors: tuple[str, ...], names: tuple[str, ...]) -> None:
    print(f"== {label}")
    print("  largest |drift| by seed: " + " ".join(f"{v:.4f}" for v in result["largest"])
          + "; end: " + " ".join(f"{v:+.4f}" for v in result["end"]))
    print("  mean drift (se) at quarter: " + "  ".join(f"{q}: {m:+.4f} ({s:.4f})" for q, (m, s) in result["at"].items()))
    print(f"  line through the origin: {result['slope_per_year']:+.5f} a year, R^2 {result['linear_r2']:.3f}; "
          "spread over seeds at quarter: " + " ".join(f"{q}: {v:.4f}" for q, v in result["spread_at"].items()))
    ss = result["shift_share"]
    print(f"  shift-share (end - start {ss['total']:+.4f}; parts together {ss['check']:+.4f}): Shapley "
          + ", ".join(f"{n} {m:+.4f} ({s:.4f})" for n, (m, s) in ss["shapley"].items())
          + "; alone " + ", ".join(f"{n} {m:+.4f}" for n, (m, s) in ss["alone"].items()))
    change = np.array(result["farm_share_change"])
    print(f"  farm share: non-farm similarity drift {result['nonfarm_drift']:+.4f}; all-sector drift with each city's "
          f"2020 farm share {result['farm_share_held']:+.4f}; farm share change by city min {change.min():+.4f} "
          f"(city {change.argmin()}) max {change.max():+.4f} (city {change.argmax()})")
    terms, ses = result["sector_terms"]
    print("  sector terms (se) | b_k on population growth | a_k region trend | region share start -> end:")
    for k, name in enumerate(sectors):
        print(f"    {name:18s} {terms[k]:+.4f} ({ses[k]:.4f})  b {result['slope_by_sector'][k]:+6.2f}  "
              f"a {result['trend_by_sector'][k]:+.3f}  {result['region_shares'][0][k]:.4f} -> {result['region_shares'][1][k]:.4f}")
    print("  pairs falling most: " + ", ".join(f"{names[i]}-{names[j]} {v:+.3f}" for i, j, v in result["pairs_down"]))
    print("  pairs rising most: " + ", ".join(f"{names[i]}-{names[j]} {v:+.3f}" for i, j, v in result["pairs_up"]))
    growth = result["city_growth"]
    print("  cities (their term of the drift; log population change): "
          + ", ".join(f"{names[i]} {v:+.4f} ({growth[i]:+.3f})" for i, v in result["cities"]))
    print(f"  pairs with a city losing > 8 % of its people ({', '.join(names[i] for i in result['losing_cities'])}): "
          f"{result['losing_pairs_count']} pairs, {100 * result['losing_pairs_share']:.0f} % of the drift")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--scales", type=float, nargs="+", default=[2000.0, 1000.0])
    parser.add_argument("--inflows", type=float, nargs="+", default=[1 / 30, 0.0])
    parser.add_argument("--set", nargs="*", default=[], help="extra name=value parameters for every run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    extra = {k: float(v) for k, v in (s.split("=") for s in args.set)}
    out = {}
    for scale in args.scales:
        for inflow in args.inflows:
            runs = [run(seed, args.quarters, people_per_agent=scale, migrant_inflow_rate=inflow, **extra)
                    for seed in args.seeds]
            label = f"people_per_agent {scale:g}, migrant_inflow_rate {inflow:.4g}" + (f", {extra}" if extra else "")
            result = analyse(runs)
            out[label] = result
            if not args.json:
                report(label, result, runs[0]["sectors"], runs[0]["cities"])
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
