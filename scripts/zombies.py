"""Zombie firms against the barrier and soft-credit generosity (docs/validation.md, "Zombies").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombies.py [--seeds 1 2 3 4 5] [--quarters 40]
        [--workers 2] [--set KEY=VALUE ...] [--sweeps barrier soft_budget] [--json] [--decompose]

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

``--decompose`` instead follows the zombie share of ``YRDModel(rng=seed)`` (with ``--set``) over
``--quarters`` (40, 80, 160: the horizon of the set-up cohorts' wear-down, docs/ODD.md "Zombies")
and splits it (:func:`ydabm.mechanisms.credit.shares_by`) by vintage (the set-up's cohorts, with any
entrants that joined them, against the cohorts entrants opened), by the firm agent's staff in worker
agents (1-5, 6-10, 11-20, 21+), by support (zombie mass carrying soft credit outstanding, or on
subsidies only), by sector and by city (at the last quarter), with the number of live firm agents:
mean and standard error over seeds at quarters 0, 4, 8, 12, 16, 24, 32, 40, 60, 80, 100, 120, 160.
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
    from ydabm.allocator import keep_freed_memory
    lever, value, seed, quarters, fixed = job
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
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


#: firm agents' staff classes in worker agents: [lower, upper) bounds
STAFF = (0, 6, 11, 21)
#: quarters at which --decompose reports the path
MARKS = (0, 4, 8, 12, 16, 24, 32, 40, 60, 80, 100, 120, 160)


def decompose(job: tuple[int, int, dict]) -> dict:
    """One run's zombie share split by vintage, staff class and support at every quarter, and by
    sector and city at the last."""
    from ydabm import YRDModel
    from ydabm.allocator import keep_freed_memory
    from ydabm.mechanisms import credit
    seed, quarters, fixed = job
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    model = YRDModel(rng=seed, **fixed)
    path = []
    for q in range(quarters + 1):
        if q:
            model.step()
        f = model.firms
        alive, zombie = f.alive, f.alive & f.zombie
        setup = (f.age > model.steps).astype(np.int64)          # the set-up's rows are 40 + t quarters old
        vintage, vintage_mass = credit.shares_by(alive, zombie, f.mass, setup, 2)
        staff = np.searchsorted(STAFF, f.employees.sum(axis=1), side="right") - 1
        size, size_mass = credit.shares_by(alive, zombie, f.mass, staff, len(STAFF))
        soft = zombie & (f.soft_debt > 0)                      # carrying soft credit (credit.roll_debt)
        support, _ = credit.shares_by(alive, soft, f.mass, np.zeros(f.size, dtype=np.int64), 1)
        total, _ = credit.shares_by(alive, zombie, f.mass, np.zeros(f.size, dtype=np.int64), 1)
        path.append({"zombie_share": total[0], "setup_mass": vintage_mass[1], "setup": vintage[1],
                     "entrant": vintage[0], "soft_credit": support[0], "subsidy_only": total[0] - support[0],
                     "agents": float(alive.sum()),
                     **{f"staff {lo}+": size[k] for k, lo in enumerate(STAFF)},
                     **{f"staff {lo}+ mass": size_mass[k] for k, lo in enumerate(STAFF)}})
    f = model.firms
    sector = credit.shares_by(f.alive, f.alive & f.zombie, f.mass, f.sector, model.sectors.count)
    city = credit.shares_by(f.alive, f.alive & f.zombie, f.mass, f.city, model.geography.count)
    return {"path": path, "sector": [a.tolist() for a in sector], "city": [a.tolist() for a in city],
            "sectors": list(model.sectors.names), "cities": list(model.geography.names)}


def report_decomposition(results: list[dict], quarters: int, as_json: bool) -> None:
    def stats(values) -> tuple[float, float]:
        values = np.asarray(values, dtype=float)
        se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0
        return float(values.mean()), float(se)
    marks = [q for q in MARKS if q <= quarters]
    keys = list(results[0]["path"][0])
    out = {"path": {k: {q: stats([r["path"][q][k] for r in results]) for q in marks} for k in keys}}
    for by in ("sector", "city"):
        names = results[0]["sectors" if by == "sector" else "cities"]
        share = np.array([r[by][0] for r in results])
        mass = np.array([r[by][1] for r in results])
        out[by] = {n: {"zombie_share": stats(share[:, i]), "mass_share": stats(mass[:, i])}
                   for i, n in enumerate(names)}
    if as_json:
        print(json.dumps(out))
        return
    print("quarter " + " ".join(f"{k:>18}" for k in keys))
    for q in marks:
        cells = []
        for k in keys:
            mean, se = out["path"][k][q]
            cells.append(f"{mean:>10.0f} ± {se:<5.0f}" if k == "agents" else f"{100 * mean:>9.3f} ± {100 * se:<6.3f}")
        print(f"{q:<7} " + " ".join(cells))
    for by in ("sector", "city"):
        print(f"by {by} at quarter {quarters} (zombie share within, % ± se; share of the live mass, %):")
        for name, row in sorted(out[by].items(), key=lambda kv: -kv[1]["zombie_share"][0])[:12]:
            (z, zse), (m, _) = row["zombie_share"], row["mass_share"]
            print(f"  {name}: {100 * z:.3f} ± {100 * zse:.3f}  ({100 * m:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter for every run (a float)")
    parser.add_argument("--sweeps", nargs="+", default=list(SWEEPS), choices=list(SWEEPS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--decompose", action="store_true",
                        help="follow the baseline's zombie share by vintage, staff, support, sector and city")
    args = parser.parse_args()
    fixed = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set {item!r}: expected KEY=VALUE")
        fixed[key] = float(value)
    if args.decompose:
        jobs = [(s, args.quarters, fixed) for s in args.seeds]
        if args.workers > 1:
            with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
                results = pool.map(decompose, jobs)
        else:
            results = [decompose(j) for j in jobs]
        report_decomposition(results, args.quarters, args.json)
        return
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
