"""Calibration check: the baseline model against the 2020 city data, at t = 0 and after some years.

The data are the shipped 2020 census population, 2020 GDP and end-2020 hukou (registered)
population of the 41 YRD cities (:func:`ydabm.geography.build_geography`). The check compares, city
by city, the model's population and GDP with the data (Pearson correlation and mean absolute
percentage error), the rank-size (Zipf) exponent of population, and the direction of migration:
the model's cumulative net migration over the run against the data's resident - hukou population,
the stock of net in-migration accumulated up to 2020. The last is a comparison of signs only: the
model reports a flow over the simulated years, the data a stock built up over decades before 2020.
It also reports Barro's beta of real GDP per resident over the run (:func:`beta_convergence`: whether
the poorer cities grow faster), which no shipped data can test.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import calibration
from ..geography import Geography, build_geography
from ..metrics import zipf_exponent
from ..params import ParameterError
from ..run import simulate
from ..scenarios import load_scenario
from ..sectors import load_sectors
from . import write_manifest

SCALE = {"people_per_agent": 5000.0}
YEARS = 20
SEED = 20261128
OUT = Path("results/validation/calibration")
QUARTERS_PER_YEAR = 4


@dataclass
class CalibrationCheck:
    """The outcome of one calibration check.

    Attributes:
        table: one row per city: data and model population (persons), GDP (100 M yuan / year)
            at t = 0 and at the end, and the two migration measures (persons).
        summary: correlations, MAPEs (percent), Zipf exponents and the migration sign agreement.
        params: the resolved model parameters.
        seed: seed of the run.
        years: simulated years.
        seconds: wall time of the simulation.
    """

    table: pd.DataFrame
    summary: dict[str, float]
    params: dict[str, Any]
    seed: int
    years: int
    seconds: float


# ---------------------------------------------------------------------- pure comparisons
def correlation(model, data) -> float:
    """Pearson correlation between model and data values (NaN if either is constant)."""
    model, data = np.asarray(model, dtype=float), np.asarray(data, dtype=float)
    if np.ptp(model) == 0 or np.ptp(data) == 0:
        return float("nan")
    return float(np.corrcoef(model, data)[0, 1])


def mean_absolute_percentage_error(model, data) -> float:
    """Mean over entries of |model / data - 1|, in percent; ``data`` must be non-zero."""
    model, data = np.asarray(model, dtype=float), np.asarray(data, dtype=float)
    return float(np.mean(np.abs(model / data - 1.0)) * 100.0)


def sign_agreement(model, data) -> float:
    """Share of entries whose signs (-1, 0 or +1) agree; a zero agrees only with a zero."""
    return float(np.mean(np.sign(np.asarray(model, dtype=float)) == np.sign(np.asarray(data, dtype=float))))


def beta_convergence(start, end, years: float) -> tuple[float, float]:
    """Barro's beta regression over cities: the least-squares slope of the yearly log growth
    log(end / start) / ``years`` on the log starting level, and their correlation. A negative slope is
    convergence (the lower the start, the faster the growth), a positive one divergence."""
    level = np.log(np.asarray(start, dtype=float))
    growth = np.log(np.asarray(end, dtype=float) / np.asarray(start, dtype=float)) / years
    return float(np.polyfit(level, growth, 1)[0]), correlation(level, growth)


# ---------------------------------------------------------------------- where wage differences come from
#: the factors of a city's mean non-farm wage at t = 0 (:func:`wage_factors`), in the order of the product
WAGE_FACTORS = ("gdp_per_resident", "residents_per_worker", "labour_share", "nonfarm_share", "rounding")


def wage_factors(geography: Geography, params: dict[str, Any]) -> pd.DataFrame:
    """The factors of each city's mean non-farm wage at t = 0, from the calibration's inputs.

    Calibration pays a city's non-farm labour cost to its employed non-farm agents (item 3 of
    :mod:`ydabm.calibration`), so the mean non-farm wage (yuan per worker per year) is

        w = (Y / N) x (N / L) x l / n x r / (1 - u),

    with Y / N GDP per resident (``gdp_per_resident``, as the data give it), N / L residents per
    working-age resident (``residents_per_worker``: the dependants a city's workers keep,
    :func:`ydabm.calibration.working_age_population`; their product is productivity, GDP per worker),
    l the non-farm labour cost over GDP (``labour_share``: sector mix, sum over non-farm sectors of the
    GDP share times (sigma - 1) / sigma + fixed cost), n the non-farm share of worker agents
    (``nonfarm_share``: farmers are the primary GDP share over ``farm_productivity``),
    r = L / (agents x ``people_per_agent``) (``rounding`` of people to agents) and u
    ``natural_unemployment``. The skill mix does not enter the mean: it splits the same cost between
    low- and high-skill wages.

    Returns:
        One row per city, in the geography's order: ``city``, the four factors and ``wage``, their
        product over (1 - u).
    """
    sectors = load_sectors(params["sectors_file"])
    structure = calibration.sector_structure(geography, sectors)
    force = calibration.initial_labour_force(geography, sectors, params)
    agents = force.sum(axis=1)
    working = calibration.working_age_population(geography, params)
    nonfarm = ~sectors.agriculture
    frame = pd.DataFrame({
        "city": geography.names,
        "gdp_per_resident": geography.gdp / geography.population,
        "residents_per_worker": geography.population / working,
        "labour_share": (structure[:, nonfarm] * calibration.labour_cost_share(sectors)[nonfarm]).sum(axis=1),
        "nonfarm_share": force[:, 1:].sum(axis=1) / agents,
        "rounding": working / (agents * params["people_per_agent"]),
    })
    frame["wage"] = (frame["gdp_per_resident"] * frame["residents_per_worker"] * frame["labour_share"]
                     / frame["nonfarm_share"] * frame["rounding"] / (1.0 - params["natural_unemployment"]))
    return frame


def wage_gap(factors: pd.DataFrame, wage) -> dict[str, float]:
    """Split the dispersion of ``wage`` (one per row of ``factors``) over the factors of :func:`wage_factors`.

    ``gap`` is log(max / min) of ``wage``; ``gap_<factor>`` is the log ratio of the factor between the
    cities with the highest and the lowest wage (``nonfarm_share`` enters inverted), so the terms sum to
    ``gap`` less ``gap_residual``, what the factors do not explain (in the model at t = 0: employment
    that differs from (1 - u) of the force). ``var_<factor>`` is cov(log factor, log wage) /
    var(log wage) over all rows (a variance decomposition; these shares and ``var_residual`` sum to 1).
    """
    log_wage = np.log(np.asarray(wage, dtype=float))
    top, bottom = int(np.argmax(log_wage)), int(np.argmin(log_wage))
    signs = {name: -1.0 if name == "nonfarm_share" else 1.0 for name in WAGE_FACTORS}
    terms = {name: signs[name] * np.log(factors[name].to_numpy(dtype=float)) for name in WAGE_FACTORS}
    out = {"gap": float(log_wage[top] - log_wage[bottom])}
    for name, term in terms.items():
        out[f"gap_{name}"] = float(term[top] - term[bottom])
    out["gap_residual"] = out["gap"] - sum(out[f"gap_{name}"] for name in WAGE_FACTORS)
    variance = np.var(log_wage)
    for name, term in terms.items():
        out[f"var_{name}"] = float(np.mean((term - term.mean()) * (log_wage - log_wage.mean())) / variance)
    out["var_residual"] = 1.0 - sum(out[f"var_{name}"] for name in WAGE_FACTORS)
    return out


# ---------------------------------------------------------------------- the check
def city_table(cities: pd.DataFrame, geography: Geography, end_step: int) -> pd.DataFrame:
    """Per-city comparison of model and data.

    Args:
        cities: the city rows of a run (:func:`ydabm.run.city_frame`), steps 0..``end_step``.
        geography: the YRD geography holding the data.
        end_step: the last simulated quarter.

    Returns:
        One row per city, in the geography's order, with ``population_*`` in persons,
        ``gdp_*`` in 100 M yuan per year, ``wage_model_t0`` and ``urban_wage_model_t0`` (all and
        non-farm employed workers) in yuan per worker per year, ``net_migration_model`` the model's cumulative net
        migration over steps 1..``end_step`` and ``net_migration_data`` resident - hukou
        population (both persons).
    """
    start = cities[cities["step"] == 0].set_index("city").loc[geography.names]
    end = cities[cities["step"] == end_step].set_index("city").loc[geography.names]
    flows = cities[cities["step"].between(1, end_step)].groupby("city")["net_migration"].sum()
    table = pd.DataFrame({
        "city": geography.names,
        "province": geography.provinces,
        "population_data": geography.population,
        "population_model_t0": start["population"].to_numpy(),
        "population_model_end": end["population"].to_numpy(),
        "gdp_data": geography.gdp / 1e8,
        "gdp_model_t0": start["gdp"].to_numpy(),
        "gdp_model_end": end["gdp"].to_numpy(),
        "real_gdp_model_t0": start["real_gdp"].to_numpy(),
        "real_gdp_model_end": end["real_gdp"].to_numpy(),
        "wage_model_t0": start["wage"].to_numpy(),
        "urban_wage_model_t0": start["urban_wage"].to_numpy(),
        "net_migration_model": flows.reindex(geography.names, fill_value=0.0).to_numpy(),
        "net_migration_data": geography.population - geography.hukou_population,
    })
    table["migration_sign_agrees"] = np.sign(table["net_migration_model"]) == np.sign(table["net_migration_data"])
    return table


def summarise(table: pd.DataFrame, years: int) -> dict[str, float]:
    """Headline numbers of a :func:`city_table`; end-of-run keys carry the suffix ``_<years>y``.

    With the factors of :func:`wage_factors` as columns, the split of the t = 0 non-farm wage
    dispersion (:func:`wage_gap` of ``urban_wage_model_t0``) is added as ``wage_gap_*_t0`` and
    ``wage_var_*_t0``.

    MAPE keys are in percent. ``zipf_model`` is the exponent of the model population at the end,
    ``zipf_model_t0`` at t = 0, ``zipf_data`` that of the 2020 census population.
    ``beta_convergence_<years>y`` and ``beta_convergence_corr_<years>y``: :func:`beta_convergence` of
    the cities' real GDP per resident over the run (negative: the poorer cities grow faster).
    """
    end = f"_{years}y"
    summary = {"years": float(years)}
    for name in ("population", "gdp"):
        key = "pop" if name == "population" else name
        data = table[f"{name}_data"]
        for stage, column in (("_t0", f"{name}_model_t0"), (end, f"{name}_model_end")):
            summary[f"{key}_corr{stage}"] = correlation(table[column], data)
            summary[f"{key}_mape{stage}"] = mean_absolute_percentage_error(table[column], data)
    summary["gdp_growth" + end] = float(table["gdp_model_end"].sum() / table["gdp_model_t0"].sum() - 1.0)
    summary["beta_convergence" + end], summary["beta_convergence_corr" + end] = beta_convergence(
        table["real_gdp_model_t0"] / table["population_model_t0"],
        table["real_gdp_model_end"] / table["population_model_end"], years)
    summary["zipf_model"] = zipf_exponent(table["population_model_end"])
    summary["zipf_model_t0"] = zipf_exponent(table["population_model_t0"])
    summary["zipf_data"] = zipf_exponent(table["population_data"])
    summary["migration_sign_agreement"] = sign_agreement(table["net_migration_model"], table["net_migration_data"])
    # dispersion of city mean wages at t = 0 (2020 formal-unit wages span about 2.5x; target 2-3)
    summary["wage_ratio_t0"] = float(table["urban_wage_model_t0"].max() / table["urban_wage_model_t0"].min())
    summary["wage_ratio_all_workers_t0"] = float(table["wage_model_t0"].max() / table["wage_model_t0"].min())
    if set(WAGE_FACTORS) <= set(table.columns):
        # where it comes from: log(max / min) split over the factors (wage_gap_*), variance shares (wage_var_*)
        summary.update({f"wage_{key}_t0": value for key, value in
                        wage_gap(table[list(WAGE_FACTORS)], table["urban_wage_model_t0"]).items()})
    return summary


def check_calibration(overrides: dict[str, Any] | None = None, years: int = YEARS, seed: int = SEED) -> CalibrationCheck:
    """Run the baseline scenario for ``years`` years and compare it with the 2020 data.

    Args:
        overrides: model parameters on top of the baseline and :data:`SCALE`.
        years: simulated years (4 quarters each), at least 1.
        seed: seed of the run's generator.

    Raises:
        ParameterError: if ``years`` is out of range or the geography is not the YRD.
    """
    if not 1 <= years <= 100:
        raise ParameterError(f"--years: {years} is out of range; allowed [1, 100]")
    scenario = load_scenario("baseline")
    params = scenario.params({**SCALE, **(overrides or {})})
    if params.get("world", "yrd") != "yrd":
        raise ParameterError(f"world: the calibration check needs 'yrd', got {params['world']!r}")
    steps = years * QUARTERS_PER_YEAR
    start = time.perf_counter()
    result = simulate(params, steps, seed, scenario.policies())
    seconds = time.perf_counter() - start
    geography = build_geography("yrd")
    factors = wage_factors(geography, result.params).drop(columns="wage")
    table = city_table(result.cities, geography, steps).merge(factors, on="city", how="left")
    return CalibrationCheck(table, summarise(table, years), result.params, seed, years, seconds)


# ---------------------------------------------------------------------- outputs
def calibration_figure(table: pd.DataFrame, path: Path, years: int) -> None:
    """Model against data: population and GDP at t = 0 and at the end (log-log), migration signs."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplot_mosaic("ABE;CDE", figsize=(15, 9), constrained_layout=True)
    panels = (("A", "population", "t0", "Population, t = 0 (persons)"),
              ("B", "gdp", "t0", "GDP, t = 0 (100 M yuan / year)"),
              ("C", "population", "end", f"Population after {years} years (persons)"),
              ("D", "gdp", "end", f"GDP after {years} years (100 M yuan / year)"))
    for key, name, stage, title in panels:
        ax, data, model = axes[key], table[f"{name}_data"], table[f"{name}_model_{stage}"]
        ax.loglog(data, model, "o", color="#1f4e79", ms=5, alpha=0.8)
        low, high = min(data.min(), model.min()) * 0.8, max(data.max(), model.max()) * 1.25
        ax.plot([low, high], [low, high], color="grey", lw=1, ls="--")
        ax.set(title=f"{title}\nr = {correlation(model, data):.4f}", xlabel="2020 data", ylabel="model")
        ax.grid(alpha=0.3, which="both")
    ax = axes["E"]
    agrees = table["migration_sign_agrees"].to_numpy()
    for mask, colour, label in ((agrees, "#2a7f3f", "sign agrees"), (~agrees, "#b03a2e", "sign differs")):
        ax.plot(table["net_migration_data"][mask] / 1e4, table["net_migration_model"][mask] / 1e4, "o",
                color=colour, label=f"{label} ({mask.sum()})")
    for _, row in table.iterrows():
        ax.annotate(row["city"], (row["net_migration_data"] / 1e4, row["net_migration_model"] / 1e4),
                    fontsize=6, alpha=0.7)
    ax.axhline(0, color="grey", lw=1)
    ax.axvline(0, color="grey", lw=1)
    ax.set(title=f"Net migration: share of signs agreeing {agrees.mean():.2f}",
           xlabel="2020 resident - hukou population (10 000 persons)",
           ylabel=f"model cumulative net migration over {years} years (10 000 persons)")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_check(check: CalibrationCheck, out: Path) -> None:
    """Write ``cities.csv``, ``summary.json``, ``calibration.png`` and ``manifest.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    check.table.to_csv(out / "cities.csv", index=False)
    (out / "summary.json").write_text(json.dumps(check.summary, indent=2))
    calibration_figure(check.table, out / "calibration.png", check.years)
    write_manifest(out, "calibration", scenario="baseline", years=check.years, seed=check.seed,
                   params=check.params, wall_time_s=round(check.seconds, 3))
