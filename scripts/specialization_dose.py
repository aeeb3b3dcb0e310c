"""Dose-response of the specialization lever (docs/validation.md, "Specialization lever").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/specialization_dose.py [--workers 2] [--json]
        [--set KEY=VALUE ...] [--quarters N] [--seeds SEED ...] [--subsets K]

``YRDModel(rng=seed, specialization=s)`` for s = 0, 0.1, ..., 1 and seeds 1-5, default scale and
parameters, 40 quarters (``--quarters``: N, e.g. 160 to measure long after t = 0); a value is the
mean of the last 8 quarters (welfare: the metric ``real_income``, real income summed over cities, as
in ``validate costs``; real GDP and welfare effects are relative). Prints the mean and standard error
over seeds per value, the matched 1 - 0 effect, the largest step between neighbouring values and its
ratio to the mean absolute step, and whether the curve is smooth (no step above 3 x the mean step)
and monotone (every step of one sign).

``--subsets K`` also judges the smoothness rule on every set of K of the seeds (e.g. ``--seeds 1 2 3 4 5 6
7 8 9 10 --subsets 5``: the 252 five-seed sets), since on a curve whose total effect is a few standard
errors of one value the verdict depends on which seeds are drawn.

Two diagnostics of the governments' last allocation (``model.targets``, quarter 36):
``support_on_strategic``, the share of the support budget on the sectors of full prestige on the
published lists (``strategic`` = 1), and ``support_similarity``, the mean cosine similarity of two
cities' support vectors (1: every city supports the same sectors with the same intensities). And
``top_share``: the mean over cities of their largest manufacturing sector's share of their
manufacturing jobs at quarter 40 (how one-sided the cities' structures are).
``--set`` changes a parameter for every run (e.g. ``--set target_sharpness=20`` for a matched baseline).

``--fixed-points`` instead studies the governments' yearly allocation alone, with the 2020 employment
structure held fixed (no runs): for specialization 0, 0.025, ..., 1 it follows the fixed point of
the yearly map (support -> next year's support, through the peers' term) up from the 2020 support
and back down, and prints where the two branches differ (two stable fixed points: hysteresis), the
spectral radius of the map's Jacobian at each (finite differences; < 1 stable), the mean support
of the full-prestige sectors and the cities' support similarity. It first prints, per city, the switch
from its first choice at specialization 0 to its best sector by advantage (``targeting.transition``:
the centre, the 10-90 % width and a single switch's largest-to-mean step ratio; quantiles over cities).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import time

import numpy as np

METRICS = ("similarity_manufacturing", "capacity_utilization", "zombie_share", "zombie_employment_share",
           "real_gdp", "aggregate_productivity", "welfare", "support_on_strategic", "support_similarity",
           "top_share")
RELATIVE = ("real_gdp", "aggregate_productivity", "welfare")
VALUES = tuple(round(0.1 * i, 1) for i in range(11))
SEEDS = (1, 2, 3, 4, 5)


SUPPORT = ("support_on_strategic", "support_similarity", "top_share")
SPECIALIST = 0.55      # a city whose largest manufacturing sector had this share of its manufacturing jobs at t = 0


def run(job: tuple[float, int, dict, int]) -> tuple[float, int, dict]:
    from ydabm import YRDModel
    value, seed, settings, quarters = job
    model = YRDModel(rng=seed, specialization=value, **settings)
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    out = {m: float(frame[m].iloc[-8:].mean()) for m in METRICS if m not in ("welfare", *SUPPORT)}
    out["welfare"] = float(frame["real_income"].iloc[-8:].mean())
    out.update(support(model.targets, model.sectors.strategic))
    out["top_share"] = top_share(model.employment_by_sector()[:, model.sectors.manufacturing])
    return value, seed, out


def subset_smoothness(grid: np.ndarray, k: int) -> dict:
    """The smoothness rule (largest step between neighbouring values <= 3 x the mean absolute step) on
    the means over every set of ``k`` of the seeds (``grid``: values x seeds): how many sets pass, the
    quantiles of the largest-to-mean ratio and how often each step is the largest."""
    ratios, where = [], {}
    for chosen in itertools.combinations(range(grid.shape[1]), k):
        steps = np.abs(np.diff(grid[:, list(chosen)].mean(axis=1)))
        mean_step = steps.mean()
        ratios.append(steps.max() / mean_step if mean_step > 0 else 0.0)
        largest = int(np.argmax(steps))
        where[largest] = where.get(largest, 0) + 1
    ratios = np.array(ratios)
    return {"sets": int(ratios.size), "passing": int((ratios <= 3).sum()),
            "ratio_median": float(np.median(ratios)), "ratio_10": float(np.quantile(ratios, 0.1)),
            "ratio_90": float(np.quantile(ratios, 0.9)),
            "largest_at": [((VALUES[i], VALUES[i + 1]), n) for i, n in sorted(where.items(), key=lambda x: -x[1])]}


def top_share(employment: np.ndarray) -> float:
    """Mean over cities of their largest manufacturing sector's share of their manufacturing jobs."""
    total = employment.sum(axis=1)
    return float((employment.max(axis=1) / np.where(total > 0, total, 1.0))[total > 0].mean())


def support(targets: np.ndarray, strategic: np.ndarray) -> dict:
    """The two diagnostics of the governments' allocation (module docstring)."""
    budget = targets.sum(axis=1)
    on = targets[:, strategic >= 1].sum(axis=1) / np.where(budget > 0, budget, 1.0)
    norm = np.linalg.norm(targets, axis=1, keepdims=True)
    unit = targets / np.where(norm > 0, norm, 1.0)
    cosine = unit @ unit.T
    cities = len(targets)
    return {"support_on_strategic": float(on.mean()),
            "support_similarity": float((cosine.sum() - np.trace(cosine)) / (cities * (cities - 1)))}


def fixed_points(settings: dict) -> None:
    """The ``--fixed-points`` study (module docstring)."""
    from ydabm import YRDModel, calibration
    from ydabm.mechanisms import targeting
    model = YRDModel(rng=1, **settings)
    p, s = model.params, model.sectors
    structure = calibration.employment_structure(model.fundamentals, s)
    advantage = targeting.revealed_advantage(structure)
    strategic = s.strategic.astype(float)

    def step(previous, w):
        scores = targeting.target_scores(advantage, strategic, previous, w, None, p.target_imitation)
        return targeting.allocate_support(scores, s.targetable, p.targets_per_city, p.target_sharpness, structure)

    def solve(start, w):
        x = start
        for i in range(2000):
            y = step(x, w)
            if np.abs(y - x).max() < 1e-11:
                return y
            x = y if i < 200 else 0.5 * (x + y)       # damped after 200 rounds (converges to the same point)
        return x

    def radius(x, w, h=1e-6):
        cells = np.flatnonzero(np.broadcast_to(s.targetable, x.shape).ravel())
        base = step(x, w).ravel()[cells]
        jacobian = np.empty((cells.size, cells.size))
        for j, cell in enumerate(cells):
            moved = x.ravel().copy()
            moved[cell] += h
            jacobian[:, j] = (step(moved.reshape(x.shape), w).ravel()[cells] - base) / h
        return float(np.abs(np.linalg.eigvals(jacobian)).max())

    values = np.round(np.linspace(0, 1, 41), 3)
    up, x = {}, model.targets.copy()
    for w in values:
        x = up[w] = solve(x, w)
    down = {}
    for w in values[::-1]:
        x = down[w] = solve(x, w)
    print(f"target_sharpness {p.target_sharpness:g}, target_imitation {p.target_imitation:g}")
    switches(advantage, strategic, up[values[0]], s.targetable, p.target_imitation, p.target_sharpness)
    print("specialization  support_on_strategic  support_similarity  spectral_radius  (up | down)")
    for w in values:
        a, b = support(up[w], strategic), support(down[w], strategic)
        flag = "  two fixed points" if np.abs(up[w] - down[w]).max() > 1e-3 else ""
        print(f"  {w:.3f}  {a['support_on_strategic']:.3f} | {b['support_on_strategic']:.3f}   "
              f"{a['support_similarity']:.3f} | {b['support_similarity']:.3f}   "
              f"{radius(up[w], w):.2f} | {radius(down[w], w):.2f}{flag}")


def switches(advantage, strategic, peers_support, eligible, imitation, sharpness) -> None:
    """Each city's switch from its first choice at specialization 0 (best lists-and-peers term, peers'
    support at the specialization-0 fixed point) to its best sector by scaled advantage, by
    :func:`ydabm.mechanisms.targeting.transition`: quantiles of the centres w*, the widths and the
    largest-to-mean step ratio (steps of 0.1) of a single city's switch."""
    from ydabm.mechanisms import targeting
    cities = len(advantage)
    peers = (peers_support.sum(axis=0)[None, :] - peers_support) / max(cities - 1, 1)
    lists = (1 - imitation) * strategic[None, :] + imitation * peers
    rows = np.arange(cities)
    first = np.argmax(np.where(eligible[None, :], lists, -np.inf), axis=1)
    best = np.argmax(np.where(eligible[None, :], advantage, -np.inf), axis=1)
    moving = first != best
    t = targeting.transition(lists[rows, first] - lists[rows, best], advantage[rows, best] - advantage[rows, first],
                             sharpness)
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    print(f"first-choice switches: {moving.sum()} of {cities} cities; quantiles {q} of")
    for key in ("centre", "width", "step_ratio"):
        print(f"  {key}: {np.round(np.quantile(t[key][moving], q), 3).tolist()}")


def setting(text: str) -> tuple[str, float]:
    key, _, value = text.partition("=")
    if not value:
        raise argparse.ArgumentTypeError(f"--set needs KEY=VALUE, got {text!r}")
    return key, float(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--set", type=setting, action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--fixed-points", action="store_true")
    parser.add_argument("--quarters", type=int, default=40,
                        help="quarters per run (default 40); values are means of the last 8")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), metavar="SEED",
                        help="seeds of every value (default 1-5); at least 2, for a standard error")
    parser.add_argument("--subsets", type=int, default=0, metavar="K",
                        help="also judge the smoothness rule on every set of K of the seeds: the share of sets "
                             "that pass, the largest / mean step's median and 10-90 %% range, where the largest "
                             "step falls")
    args = parser.parse_args()
    start = time.perf_counter()
    settings = dict(args.set)
    if args.fixed_points:
        fixed_points(settings)
        return
    if args.subsets and not 2 <= args.subsets < len(set(args.seeds)):
        n = len(set(args.seeds))
        allowed = f"allowed 2 to {n - 1}, fewer than the {n} seeds" if n > 2 else f"needs at least 3 seeds, got {n}"
        parser.error(f"--subsets {args.subsets}: {allowed}")
    if len(set(args.seeds)) < 2:
        parser.error(f"--seeds {args.seeds}: at least 2 distinct seeds are needed for a standard error")
    if args.quarters < 8:
        parser.error(f"--quarters = {args.quarters}; allowed: 8 or more (values are means of the last 8)")
    jobs = [(v, s, settings, args.quarters) for v in VALUES for s in args.seeds]
    if args.workers > 1:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            results = pool.map(run, jobs)
    else:
        results = [run(j) for j in jobs]
    table = {m: np.array([[r[2][m] for r in results if r[0] == v] for v in VALUES]) for m in METRICS}
    out = {"seconds": time.perf_counter() - start, "values": VALUES, "settings": settings, "quarters": args.quarters,
           "seeds": args.seeds,
           "metrics": {}}
    for m, grid in table.items():
        mean = grid.mean(axis=1)
        se = grid.std(axis=1, ddof=1) / np.sqrt(grid.shape[1])
        diff = grid[-1] - grid[0]
        if m in RELATIVE:
            diff = grid[-1] / grid[0] - 1
        steps = np.diff(mean)
        mean_step = float(np.abs(steps).mean())
        largest = int(np.argmax(np.abs(steps)))
        out["metrics"][m] = {
            "mean": mean.tolist(), "se": se.tolist(), "per_seed": grid.tolist(),
            "effect": float(diff.mean()), "effect_se": float(diff.std(ddof=1) / np.sqrt(diff.size)),
            "steps": steps.tolist(), "largest_step": float(steps[largest]),
            "largest_step_at": [VALUES[largest], VALUES[largest + 1]],
            "largest_over_mean": float(abs(steps[largest]) / mean_step) if mean_step > 0 else 0.0,
            "smooth": bool(np.all(np.abs(steps) <= 3 * mean_step)),
            "monotone": bool(np.all(steps >= 0) or np.all(steps <= 0)),
        }
        if args.subsets:
            out["metrics"][m]["subsets"] = subset_smoothness(grid, args.subsets)
    if args.json:
        print(json.dumps(out))
        return
    for m, r in out["metrics"].items():
        print(m)
        for v, a, b in zip(VALUES, r["mean"], r["se"]):
            print(f"  {v:.1f}  {a:.6g} ± {b:.2g}")
        print(f"  1 - 0: {r['effect']:+.5g} ± {r['effect_se']:.2g}; largest step {r['largest_step']:+.4g} "
              f"at {r['largest_step_at']} ({r['largest_over_mean']:.1f} x mean); smooth {r['smooth']}, "
              f"monotone {r['monotone']}")
        if "subsets" in r:
            q = r["subsets"]
            where = ", ".join(f"{a:.1f} -> {b:.1f}: {n}" for (a, b), n in q["largest_at"][:3])
            print(f"  sets of {args.subsets} seeds: {q['passing']} of {q['sets']} smooth; largest / mean step median "
                  f"{q['ratio_median']:.2f} [{q['ratio_10']:.2f}, {q['ratio_90']:.2f}]; largest step at {where}")
    print(f"{out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
