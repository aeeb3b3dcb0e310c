"""Why city wages are too dispersed at t = 0, and what the hukou-resident gap implies (issue 10 item 6).

    PYTHONPATH=src python scripts/wage_dispersion.py [--json]

The model pays each city's non-farm labour cost to its non-farm workers. If every resident is a
worker, the mean non-farm wage is (GDP / resident) x labour share / non-farm share x rounding /
(1 - u) (:func:`ydabm.validation.calibration_check.wage_factors`), and wages inherit the spread of GDP
per resident. Yet the residents of a city that has lost people (hukou > residents: northern Anhui,
northern Jiangsu) include the children and elderly its working-age migrants left behind, while a
city that gained them (Shanghai, Suzhou, Wuxi, Ningbo) has more workers per resident.

The labour force of city c, under stated assumptions:

    working-age residents L_c = a x H_c + m x (R_c - H_c),

with H_c the hukou (registered) population, R_c the residents (2020 census), a the working-age share
of the settled population and m that of net migrants (R_c - H_c < 0: m x |R_c - H_c| working-age
people have left). Labour-force participation is taken as common, so it cancels in wage ratios.

* a = 0.6335: the national 2020 census share of ages 15-59 (17.95 % aged 0-14, 18.70 % aged 60+;
  NBS, Seventh National Census Bulletin No. 5, 11 May 2021).
* m: the working-age share of net migrants. Bounds with a meaning: m = a (migrants have the age mix
  of those who stay: no effect) to m = 1 (every net migrant is of working age). The script shows the
  wage ratio over the range and estimates m from the four provinces' 2020 census 15-59 shares of
  residents (the provincial bulletins of the Seventh Census: Shanghai 66.82 %, Jiangsu 62.95 %,
  Zhejiang 67.86 %, Anhui 61.96 %), least squares on the provinces' working-age residents under
  the common a. The YRD's own net gain from other provinces (+19.8 M) is in R - H of its cities,
  so the four provinces together are not closed and the fit uses them as they are.

Prints, for each m: the working-age share of residents of each city's extremes, the non-farm and
all-worker wage ratios (max / min of city means at t = 0 under the calibration's rule, with
workers = working-age residents instead of residents), and which cities are the extremes; then the
other factors of the ratio (labour-cost share by sector mix, non-farm share, rounding), split as
:func:`ydabm.validation.calibration_check.wage_gap` does. Skills split the same labour cost between
low- and high-skill wages and do not change a city's mean wage.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from ydabm import calibration
from ydabm.geography import build_geography
from ydabm.params import validate
from ydabm.sectors import load_sectors
from ydabm.validation.calibration_check import WAGE_FACTORS, wage_factors, wage_gap

NATIONAL_WORKING_AGE = 0.6335          # 2020 census, ages 15-59, national
PROVINCE_WORKING_AGE = {"Shanghai": 0.6682, "Jiangsu": 0.6295, "Zhejiang": 0.6786, "Anhui": 0.6196}
MIGRANT_SHARES = (NATIONAL_WORKING_AGE, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)


def working_age(geo, a: float, m: float) -> np.ndarray:
    """(C,) working-age residents a H + m (R - H), persons (the model's rule at these shares)."""
    return calibration.working_age_population(geo, {"working_age_share": a, "migrant_working_age_share": m})


def fit_migrant_share(geo, a: float) -> tuple[float, dict[str, float]]:
    """m minimising the squared error of the provinces' working-age residents (persons) against the
    census shares, under the common a; and the fitted provincial shares at that m."""
    provinces = sorted(set(geo.provinces))
    index = np.array([provinces.index(p) for p in geo.provinces])
    residents = np.bincount(index, geo.population)
    settled = a * np.bincount(index, geo.hukou_population)
    gap = np.bincount(index, geo.population - geo.hukou_population)
    target = np.array([PROVINCE_WORKING_AGE[p] for p in provinces]) * residents
    m = float(np.sum(gap * (target - settled)) / np.sum(gap * gap))
    fitted = (settled + m * gap) / residents
    return m, dict(zip(provinces, fitted.round(4).tolist()))


def wage_ratios(geo, factors: pd.DataFrame, farm: np.ndarray, a: float, m: float, u: float) -> dict:
    """Non-farm and all-worker wage ratios when workers are the working-age residents."""
    share = working_age(geo, a, m) / geo.population                 # workers per resident
    urban = factors["wage"].to_numpy() / share                       # rounding and shares unchanged
    # the all-worker mean: labour cost (farm and non-farm) over employed workers
    gdp_worker = geo.gdp / (share * geo.population)
    all_wage = gdp_worker * (factors["labour_share"].to_numpy() + farm) / (1.0 - u)
    top, bottom = int(np.argmax(urban)), int(np.argmin(urban))
    return {"m": round(m, 4), "ratio_nonfarm": float(urban.max() / urban.min()),
            "ratio_all": float(all_wage.max() / all_wage.min()),
            "top": geo.names[top], "bottom": geo.names[bottom],
            "share_top": float(share[top]), "share_bottom": float(share[bottom]),
            "share_min": float(share.min()), "share_max": float(share.max()),
            "share_min_city": geo.names[int(np.argmin(share))], "share_max_city": geo.names[int(np.argmax(share))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # the rule with every resident a worker (a = m = 1), then workers = working-age residents
    params = validate({"working_age_share": 1.0, "migrant_working_age_share": 1.0})
    model_params = validate({})
    geo = build_geography("yrd")
    sectors = load_sectors(params["sectors_file"])
    factors = wage_factors(geo, params)
    structure = calibration.sector_structure(geo, sectors)
    farm_cost = (structure[:, sectors.agriculture] * calibration.labour_cost_share(sectors)[sectors.agriculture]).sum(axis=1)
    u = params["natural_unemployment"]
    a = NATIONAL_WORKING_AGE
    now = {"ratio_nonfarm": float(factors["wage"].max() / factors["wage"].min()),
           "top": geo.names[int(factors["wage"].argmax())], "bottom": geo.names[int(factors["wage"].argmin())],
           "gdp_per_resident_ratio": float((geo.gdp / geo.population).max() / (geo.gdp / geo.population).min())}
    now["split"] = {k: round(v, 4) for k, v in wage_gap(factors[list(WAGE_FACTORS)], factors["wage"]).items()}
    m_fit, fitted = fit_migrant_share(geo, a)
    rows = [wage_ratios(geo, factors, farm_cost, a, m, u) for m in (*MIGRANT_SHARES, m_fit)]
    # the model's own calibration at its defaults (workers = working-age residents): the same ratio
    # as the row of its migrant_working_age_share, up to rounding people to agents
    model_factors = wage_factors(geo, model_params)
    model = {"working_age_share": model_params["working_age_share"],
             "migrant_working_age_share": model_params["migrant_working_age_share"],
             "ratio_nonfarm": float(model_factors["wage"].max() / model_factors["wage"].min()),
             "top": geo.names[int(model_factors["wage"].argmax())], "bottom": geo.names[int(model_factors["wage"].argmin())]}
    model["split"] = {k: round(v, 4) for k, v in wage_gap(model_factors[list(WAGE_FACTORS)], model_factors["wage"]).items()}
    # skills split a city's non-farm labour cost between low- and high-skill wages: the model's t = 0
    # non-farm wage ratio at three skill premia (a run's own set-up, 5,000 persons per agent as in `validate calibration`)
    skills = {str(premium): skill_ratio(premium) for premium in (1.0, 1.8, 3.0)}
    model["ratio_by_skill_premium"] = skills
    out = {"a": a, "every_resident_works": now, "m_fit": m_fit, "province_fit": fitted, "census": PROVINCE_WORKING_AGE,
           "by_m": rows, "model": model}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"every resident a worker (a = m = 1): non-farm wage ratio {now['ratio_nonfarm']:.2f} ({now['top']} / {now['bottom']}); "
          f"GDP per resident spans {now['gdp_per_resident_ratio']:.2f}x")
    print("  log(max/min) split: " + ", ".join(f"{k} {v:+.3f}" for k, v in now["split"].items() if k.startswith("gap")))
    print("  variance shares:    " + ", ".join(f"{k} {v:+.3f}" for k, v in now["split"].items() if k.startswith("var")))
    print(f"a = {a} (census 15-59, national); m fitted to the provinces' census 15-59 shares: {m_fit:.3f}")
    print("  provinces, fitted vs census: " + ", ".join(f"{p} {fitted[p]:.4f}/{PROVINCE_WORKING_AGE[p]:.4f}" for p in fitted))
    print(f"{'m':>7} {'nonfarm':>8} {'all':>6}  {'top / bottom':<22} {'workers per resident: min':>26} {'max':>14}")
    for r in rows:
        print(f"{r['m']:7.4f} {r['ratio_nonfarm']:8.2f} {r['ratio_all']:6.2f}  {r['top'] + ' / ' + r['bottom']:<22} "
              f"{r['share_min']:8.3f} {r['share_min_city']:<12} {r['share_max']:6.3f} {r['share_max_city']}")
    print(f"the model's calibration (a = {model['working_age_share']}, m = {model['migrant_working_age_share']}): "
          f"non-farm wage ratio {model['ratio_nonfarm']:.2f} ({model['top']} / {model['bottom']})")
    print("  log(max/min) split: " + ", ".join(f"{k} {v:+.3f}" for k, v in model["split"].items() if k.startswith("gap")))
    print("  the model's t = 0 non-farm wage ratio by skill_premium: "
          + ", ".join(f"{k}: {v:.4f}" for k, v in model["ratio_by_skill_premium"].items()))


def skill_ratio(premium: float) -> float:
    """Max / min city mean non-farm wage of a model set up with ``skill_premium`` = ``premium``."""
    from ydabm import YRDModel
    from ydabm.observation import city_reports
    wage = np.array([row["urban_wage"] for row in city_reports(YRDModel(rng=1, people_per_agent=5000.0,
                                                                          skill_premium=premium))])
    return float(wage.max() / wage.min())


if __name__ == "__main__":
    main()
