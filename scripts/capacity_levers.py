"""Capacity utilisation under the newsvendor (issue 11, item 3): baseline utilisation by sector against
the NBS survey's full years, and utilisation, real GDP and the price level against ``specialization``
and ``capacity_subsidy`` (matched seeds, default scale).

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/capacity_levers.py [--seeds 1 2 3 4 5] [--quarters 40]
        [--sectors-only] [--set NAME=VALUE ...]

``--set`` adds parameters to every run (e.g. the calibrated shock economy's ``productivity_persistence=0.8
max_cohort_share=0.05 failing_exit_share=0.25 credit_spells=1 burn_in=30 demand_dispersion=0.72``); the
levers' values are set over them.

Per run: manufacturing utilisation (mean over quarters 1..Q), real GDP and CPI (mean over the last
eight quarters, relative to the baseline run of the same seed), and the manufacturing sectors'
utilisation at t = 0, over the run and by calendar year. Effects are means over seeds of matched
differences with standard errors (sd / sqrt(n)).

Sectors against the survey (``geography/data/nbs_capacity_utilization_by_industry.csv``, national):
each model sector's utilisation in the years the survey publishes every industry for (2021, 2023,
2024; a year's utilisation is the mean of its four quarters' output over capacity), against the mean
of the NBS industries mapped to it (``NBS_INDUSTRIES``; the data's SOURCES.md). Reported: each
sector's mean over those years in the model and the data, the spread across sectors (largest minus
smallest) in both, and Spearman's rank correlation of the seven sectors' means. ``--sectors-only``
skips the lever runs.
"""

from __future__ import annotations

import argparse

import numpy as np

from ydabm import YRDModel
from ydabm.params import PARAMS, parse_assignment

#: the NBS industries each model manufacturing sector is compared with (IO sectors by
#: configs/io_concordance.toml: machinery 16-18 is general, special and transport equipment)
NBS_INDUSTRIES = {
    "textiles": ("Textiles",),
    "steel_metals": ("Ferrous metals (steel)", "Non-ferrous metals"),
    "petrochemicals": ("Chemical materials & products",),
    "machinery": ("General-purpose machinery", "Special-purpose machinery", "Automobiles (incl. NEV)"),
    "electronics_ic": ("Computers, communication & electronics",),
    "biomedicine": ("Pharmaceuticals",),
    "new_energy": ("Electrical machinery (incl. batteries, PV equipment)",),
}
#: the years the survey publishes a full-year figure for every industry above
YEARS = (2021, 2023, 2024)


def nbs_by_sector() -> dict[str, dict[int, float]]:
    """{model sector: {year: mean utilisation (%) of its NBS industries}} over :data:`YEARS`."""
    import pandas as pd
    from ydabm.geography.world import DATA_DIR
    table = pd.read_csv(DATA_DIR / "nbs_capacity_utilization_by_industry.csv")
    full = table[table["period"].isin([f"{year}FY" for year in YEARS])]
    out = {}
    for sector, industries in NBS_INDUSTRIES.items():
        rows = full[full["industry_en"].isin(industries)]
        if rows["industry_en"].nunique() != len(industries):
            raise ValueError(f"{sector}: the survey file lacks {set(industries) - set(rows['industry_en'])}")
        out[sector] = {year: float(rows[rows["period"] == f"{year}FY"]["capacity_utilization_pct"].mean())
                       for year in YEARS}
    return out


def critical_ratios(model) -> tuple[np.ndarray, np.ndarray]:
    """(S,) the newsvendor's critical ratio of each sector without subsidy, c* = (r + delta) kappa sigma, at
    the assumed capital intensities and elasticities (``configs/sectors.toml``), and as the 2020
    input-output table implies it: capital per unit of quarterly value added kappa = (depreciation /
    value added) / delta and the margin 1 / sigma = (depreciation + operating surplus) / value added,
    so c* = (1 + r / delta) x depreciation / (depreciation + operating surplus)."""
    from ydabm.mechanisms.planning import critical_ratio
    from ydabm.supply import value_added_by_sector
    p, sectors = model.params, model.sectors
    assumed = critical_ratio(p.interest_rate, p.depreciation, sectors.capital_intensity, sectors.elasticity)
    parts = value_added_by_sector(p.io_concordance, tuple(sectors.names))
    implied = (1 + p.interest_rate / p.depreciation) * (parts["depreciation"]
                                                       / (parts["depreciation"] + parts["operating_surplus"]))
    return assumed, implied.to_numpy()


def newsvendor_utilisation(critical: np.ndarray, dispersion: float) -> np.ndarray:
    """Expected utilisation S(q) / q of capacity built at critical ratio ``critical`` (planning's rule)."""
    from ydabm.mechanisms.planning import capacity_ratio, expected_utilization
    return expected_utilization(capacity_ratio(critical, dispersion), dispersion)


def spearman(a, b) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    from scipy.stats import spearmanr
    return float(spearmanr(a, b).statistic)


def sector_utilisation(model) -> np.ndarray:
    f = model.firms
    held = f.alive & np.isfinite(f.capacity)
    out = np.bincount(f.sector[held], f.output[held], minlength=model.sectors.count)
    cap = np.bincount(f.sector[held], f.capacity[held], minlength=model.sectors.count)
    return out / np.where(cap > 0, cap, 1.0)


def run(seed: int, quarters: int, **values) -> dict:
    model = YRDModel(rng=seed, **values)
    t0 = sector_utilisation(model)
    by_sector, by_year = [], {}
    for _ in range(quarters):
        model.step()
        by_sector.append(sector_utilisation(model))
        by_year.setdefault(model.year, []).append(by_sector[-1])     # the quarter just run
    frame = model.datacollector.get_model_vars_dataframe()
    return {"util": float(frame["capacity_utilization"].iloc[1:].mean()),
            "gdp": float(frame["real_gdp"].iloc[-8:].mean()), "cpi": float(frame["cpi"].iloc[-8:].mean()),
            "t0": t0, "sectors": np.mean(by_sector, axis=0), "names": model.sectors.names,
            "years": {year: np.mean(rows, axis=0) for year, rows in by_year.items() if len(rows) == 4},
            "manufacturing": model.sectors.manufacturing}


def effect(runs, base, key, relative=False):
    diff = np.array([(r[key] / b[key] - 1) * (100 if relative else 1) if relative else r[key] - b[key]
                     for r, b in zip(runs, base)])
    return diff.mean(), diff.std(ddof=1) / np.sqrt(diff.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--sectors-only", action="store_true", help="the sectors against the survey only")
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="parameters of every run")
    args = parser.parse_args()
    settings = dict(parse_assignment(item) for item in args.set)
    default = {**{q.name: q.default for q in PARAMS}, **settings}
    base = [run(seed, args.quarters, **settings) for seed in args.seeds]
    names, manufacturing = base[0]["names"], base[0]["manufacturing"]
    nbs = nbs_by_sector()
    years = [year for year in YEARS if all(year in b["years"] for b in base)]
    print(f"Baseline manufacturing utilisation by sector (%): t = 0 | mean of quarters 1..Q | the years "
          f"{', '.join(map(str, years))} (model, over seeds) against NBS's full years (national)")
    model_means, data_means = [], []
    for k, name in enumerate(names):
        if manufacturing[k]:
            t0 = 100 * np.mean([b["t0"][k] for b in base])
            mean = 100 * np.mean([b["sectors"][k] for b in base])
            in_years = [100 * np.mean([b["years"][year][k] for b in base]) for year in years]
            data = [nbs[name][year] for year in years]
            model_means.append(np.mean(in_years) if years else np.nan)
            data_means.append(np.mean(data) if years else np.nan)
            print(f"  {name:16s} {t0:5.1f} | {mean:5.1f} | model {' '.join(f'{v:5.1f}' for v in in_years)}"
                  f" (mean {model_means[-1]:5.1f})   NBS {' '.join(f'{v:5.1f}' for v in data)} (mean {data_means[-1]:5.1f})")
    if years:
        model_means, data_means = np.array(model_means), np.array(data_means)
        print(f"  spread across sectors (largest - smallest): model {np.ptp(model_means):.1f} points, NBS "
              f"{np.ptp(data_means):.1f} ({np.ptp(model_means) / np.ptp(data_means):.1f} times); Spearman's rank "
              f"correlation {spearman(model_means, data_means):+.2f} (7 sectors)")
        # where the spread comes from: the newsvendor at each sector's critical ratio, no subsidy
        model = YRDModel(rng=args.seeds[0], **settings)
        assumed, implied = critical_ratios(model)
        dispersion = model.params.demand_dispersion
        k = np.flatnonzero(manufacturing)
        print(f"  the newsvendor without subsidy (demand_dispersion {dispersion:g}): critical ratio c* and expected "
              "utilisation, assumed (r + delta) kappa sigma | implied by the 2020 IO table")
        for j in k:
            print(f"  {names[j]:16s} c* {assumed[j]:.3f} -> {100 * newsvendor_utilisation(assumed[j], dispersion):5.1f} | "
                  f"c* {implied[j]:.3f} -> {100 * newsvendor_utilisation(implied[j], dispersion):5.1f}")
        for label, c in (("assumed", assumed[k]), ("IO table", implied[k])):
            u = 100 * newsvendor_utilisation(c, dispersion)
            print(f"  {label:8s}: c* mean {c.mean():.3f}, largest / smallest {c.max() / c.min():.2f}; utilisation "
                  f"spread {np.ptp(u):.1f} points; Spearman against NBS {spearman(u, data_means):+.2f}")
    utils = np.array([b["util"] for b in base])
    print(f"  manufacturing    mean {100 * utils.mean():.2f} % (se {100 * utils.std(ddof=1) / np.sqrt(utils.size):.2f})"
          f"  NBS 2020: 74.9 (manufacturing), 74.5 (all industry)")
    if args.sectors_only:
        return
    for lever, values in (("specialization", (0.0, 0.25, 0.5, 0.75, 1.0)), ("capacity_subsidy", (0.0, 0.1, 0.2, 0.4, 0.6))):
        print(f"\n{lever} (baseline {default[lever]}): utilisation (pp), real GDP (%), CPI (%) vs baseline, mean (se)")
        for value in values:
            runs = base if value == default[lever] else [run(seed, args.quarters, **{**settings, lever: value})
                                                         for seed in args.seeds]
            u, ue = effect(runs, base, "util")
            g, ge = effect(runs, base, "gdp", relative=True)
            c, ce = effect(runs, base, "cpi", relative=True)
            level = 100 * np.mean([r["util"] for r in runs])
            print(f"  {value:4.2f}: utilisation {level:6.2f} % ({100 * u:+.3f} pp, se {100 * ue:.3f})  "
                  f"real GDP {g:+.3f} % (se {ge:.3f})  CPI {c:+.3f} % (se {ce:.3f})")


if __name__ == "__main__":
    main()
