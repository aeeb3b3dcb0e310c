"""What the model reports each step: model-level metrics and per-city reports.

Pure functions of the model's current state (they change nothing); the metric formulas themselves
are in :mod:`ydabm.metrics`. Units: GDP in 100 M yuan per year, wages and GDP per capita in yuan per
person per year, population and migrants in persons (agents x people_per_agent).
"""

from __future__ import annotations

import numpy as np

from . import metrics


def _deflator(model) -> np.ndarray:
    """(C,) consumer prices relative to the baseline 2020 prices."""
    return model.cpi / model.cpi0


def model_metrics(model) -> dict[str, float]:
    """The model-level metrics of ``MODEL_METRICS`` for the current step."""
    geo, f, s, w = model.geography, model.firms_table, model.sectors, model.workers
    ppa = model.people_per_agent
    employment = model.employment_by_sector()
    similarity = metrics.mean_similarity(employment[:, s.manufacturing], geo.province_index)
    population = model.population_by_city() * ppa
    nominal = model.accounts["revenue"]
    deflator = _deflator(model)
    real = nominal / deflator * 4
    per_capita = real / np.maximum(population, 1)
    theil = metrics.theil_decomposition(per_capita, population, geo.province_index)
    capital = f.alive & np.isfinite(f.capacity) & s.manufacturing[f.sector]
    staff = model.staff_table()
    real_wage = ((staff * model.wages).sum(axis=1) / deflator).sum() / max(staff.sum(), 1) * 4 / ppa
    gdp = nominal.sum()
    moved = model.moves.sum()
    return {
        "similarity_manufacturing": similarity["all"],
        "similarity_all": metrics.mean_similarity(employment)["all"],
        "similarity_within_province": similarity.get("within", 0.0),
        "similarity_across_provinces": similarity.get("across", 0.0),
        "krugman_index": metrics.krugman_index(employment),
        "capacity_utilization": float(f.output[capital].sum() / f.capacity[capital].sum()) if capital.any() else 1.0,
        "zombie_share": float(f.zombie[f.alive].mean()) if f.alive.any() else 0.0,
        "subsidy_to_gdp": float(model.accounts["subsidies"].sum() / gdp) if gdp > 0 else 0.0,
        "stranded_capital": model.stranded / 1e8,
        "real_gdp": real.sum() / 1e8,
        "gdp_per_capita": real.sum() / population.sum(),
        "real_wage": float(real_wage),
        "unemployment_rate": float(1 - staff.sum() / w.count),
        "theil_index": theil["total"],
        "theil_between_provinces": theil["between"],
        "gini_gdp_per_capita": metrics.gini(per_capita, population),
        "core_periphery_ratio": metrics.group_ratio(real, population, model.core),
        "interprovincial_trade_share": metrics.share_where(model.goods.flows.sum(axis=0), geo.cross_province),
        "interprovincial_migration_share": metrics.share_where(model.moves, geo.cross_province) if moved else 0.0,
        "migrants": moved * ppa,
        "zipf_exponent": metrics.zipf_exponent(population) if np.unique(population).size > 2 else 0.0,
        "firms": f.count,
        "entries": model.entries,
        "exits": model.exits,
    }


def city_reports(model) -> list[dict]:
    """One report per city: population, GDP, real income (households' disposable income plus public
    spending, at 2020 prices, 100 M yuan / year), wage, price index, housing cost, firms, net
    migration, employment by sector (persons)."""
    geo, f = model.geography, model.firms_table
    ppa = model.people_per_agent
    staff = model.staff_table()
    wage = (staff * model.wages).sum(axis=1) / np.maximum(staff.sum(axis=1), 1) * 4 / ppa
    firms = np.bincount(f.city[f.alive], minlength=geo.count)
    employment = model.employment_by_sector() * ppa
    net = getattr(model, "net_migration", np.zeros(geo.count)) * ppa
    income = model.accounts["income"] + model.accounts["public"]
    columns = {
        "population": model.population_by_city() * ppa, "gdp": model.accounts["revenue"] * 4 / 1e8,
        "real_income": income / _deflator(model) * 4 / 1e8,
        "wage": wage, "price_index": _deflator(model), "housing_cost": model.housing_cost(),
        "net_migration": net,
    }
    return [{**{name: float(values[c]) for name, values in columns.items()},
             "firms": int(firms[c]), "employment": employment[c]} for c in range(geo.count)]
