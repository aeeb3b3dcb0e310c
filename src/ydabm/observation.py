"""What the model reports each step: model-level metrics and per-city reports.

Pure functions of the model's current state (they change nothing); the metric formulas themselves
are in :mod:`ydabm.metrics`. Units: GDP in 100 M yuan per year; real GDP is value added at 2020
prices (a fixed-base Laspeyres volume: each firm's output valued at its city-sector's 2020 unit
value); wages and GDP per capita in yuan per person per year; population and migrants in persons
(agents x people_per_agent). The GDP deflator (nominal over real GDP) and the CPI (consumer prices,
population-weighted, relative to the baseline 2020 level) are reported separately.
"""

from __future__ import annotations

import dataclasses
import functools
import operator

import mesa
import numpy as np

from . import metrics
from .agents.government import CityGovernment


#: quarters per year and yuan per 100 M yuan: quarterly yuan -> yearly 100 M yuan
YEARLY_100M = 4 / 1e8

#: metrics that are flows over the quarter just stepped (moves, entry and exit, innovations). The
#: observation of the set-up (step 0) has no quarter behind it, so they are NaN there, not 0: a 0
#: would read as a quarter without migration or patents before the first step's steady flow.
QUARTER_FLOWS = ("migrants", "interprovincial_migration_share", "entries", "exits", "tfp_growth", "patents")
CITY_QUARTER_FLOWS = ("net_migration", "patents")


def _no_quarter_yet(values: dict, names: tuple[str, ...], cities: int | None = None) -> dict:
    """``values`` with the quarter flows ``names`` set to NaN (the set-up's observation); per city
    (arrays of ``cities``) when ``cities`` is given."""
    missing = float("nan") if cities is None else np.full(cities, np.nan)
    return {**values, **dict.fromkeys(names, missing)}


def _consumer_prices(model) -> np.ndarray:
    """(C,) consumer prices relative to the baseline 2020 prices."""
    return model.cpi / model.cpi0


def real_income_by_city(model) -> np.ndarray:
    """(C,) households' disposable income plus public spending at 2020 prices (each city's consumer
    prices), 100 M yuan per year: the cities' ``real_income``, whose sum is the model metric."""
    return (model.flows["income"] + model.flows["public"]) / _consumer_prices(model) * YEARLY_100M


def real_gdp_by_city(model) -> np.ndarray:
    """(C,) value added at 2020 prices, yuan per quarter."""
    return model.city_sums()(model.real_output())


def innovation_by_city(model) -> dict[str, np.ndarray]:
    """(C,) R&D spending (yuan per quarter), GDP (value added, yuan per quarter), invention patents (per
    year, this quarter's innovations x 4) and the digital adoption share of traditional-sector
    firms (revenue-weighted, 0-1) of each city; (C, S) adoption share by city-sector (firm-weighted);
    and (C,) real GDP (:func:`real_gdp_by_city`; with each firm's real value added, ``real_output``)
    and (C, S) employment by city-sector, which the model metrics and the city reports both use."""
    f, s = model.firms, model.sectors
    live = f.alive
    revenue = np.where(live, model.firm_value_added(), 0.0)
    base = np.where(live, model.outlay_base(), 0.0)       # R&D's base and the adoption weights (>= 0)
    traditional = live & np.take(s.traditional, f.sector)
    by_city = model.city_sums()
    weight, adopted, rd, gdp = (by_city(values) for values in (np.where(traditional, base, 0.0),
                                                               np.where(traditional, base * f.adoption, 0.0),
                                                               f.rd_share * base, revenue))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(weight > 0, adopted / weight, 0.0)
    real_output = model.real_output()
    return {"rd": rd,
            "gdp": gdp,
            # (computed once for both reports, like the figures above)
            "real_gdp": by_city(real_output), "real_output": real_output, "employment": model.employment_by_sector(),
            "patents": 4 * model.patents,
            "adoption": share, "adoption_weight": weight, "adoption_by_cell": model.cell_adoption}


def province_rd_intensity(rd: np.ndarray, gdp: np.ndarray, province: np.ndarray) -> np.ndarray:
    """(P,) R&D over GDP of each province from cities' R&D and GDP (C,)."""
    count = int(province.max()) + 1
    total = np.bincount(province, gdp, minlength=count)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.bincount(province, rd, minlength=count) / total, 0.0)


def _zipf_of_inhabited(population: np.ndarray) -> float:
    """Zipf exponent over the cities with people (a city every worker left, possible when farmers move
    too, has no rank in a size distribution); 0 with fewer than three distinct sizes."""
    inhabited = population[population > 0]
    return metrics.zipf_exponent(inhabited) if np.unique(inhabited).size > 2 else 0.0


def model_metrics(model, innovation: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """The model-level metrics of ``MODEL_METRICS`` for the current step (``innovation``: this step's
    :func:`innovation_by_city`, computed here when not given)."""
    geo, f, s, w = model.geography, model.firms, model.sectors, model.workers
    ppa = model.params.people_per_agent
    innovation = innovation_by_city(model) if innovation is None else innovation
    employment = innovation["employment"]
    similarity = metrics.mean_similarity(employment[:, s.manufacturing], geo.province_index)
    population = model.population_by_city() * ppa
    nominal = model.flows["value_added"]
    real = innovation["real_gdp"] * 4
    per_capita = real / np.maximum(population, 1)
    theil = metrics.theil_decomposition(per_capita, population, geo.province_index)
    capital = f.alive & np.isfinite(f.capacity) & s.manufacturing[f.sector]
    staff = model.staff_table()
    prices = _consumer_prices(model)
    real_wage = ((staff * model.wages).sum(axis=1) / prices).sum() / max(staff.sum(), 1) * 4 / ppa
    gdp = nominal.sum()
    moved = model.moves.matrix.sum()
    knowledge = model.knowledge_flows()
    weight = innovation["adoption_weight"]
    values = {
        "similarity_manufacturing": similarity["all"],
        "similarity_all": metrics.mean_similarity(employment)["all"],
        "similarity_within_province": similarity.get("within", 0.0),
        "similarity_across_provinces": similarity.get("across", 0.0),
        "krugman_index": metrics.krugman_index(employment),
        "capacity_utilization": metrics.utilization(f.output[capital], f.capacity[capital]),
        **zombie_metrics(model),
        "subsidy_to_gdp": float(model.flows["subsidies"].sum() / gdp) if gdp > 0 else 0.0,
        # borrowing since 2020: the cities' negative balances over annual nominal GDP
        "local_debt_to_gdp": float(np.maximum(-model.budgets, 0.0).sum() / (4 * gdp)) if gdp > 0 else 0.0,
        "stranded_capital": model.stranded / 1e8,
        "real_gdp": real.sum() / 1e8,
        "nominal_gdp": gdp * YEARLY_100M,
        "gdp_deflator": float(gdp * 4 / real.sum()) if real.sum() > 0 else 1.0,
        "cpi": float((prices * population).sum() / population.sum()),
        "gdp_per_capita": real.sum() / population.sum(),
        "real_wage": float(real_wage),
        # households' disposable income plus public spending at 2020 prices, summed over the cities (each
        # city's ``real_income``): its % change is the consumption-equivalent welfare change of
        # ``validate costs`` (log utility of real income, amenities unchanged)
        "real_income": float(real_income_by_city(model).sum()),
        "unemployment_rate": float(1 - staff.sum() / w.count),
        "theil_index": theil["total"],
        "theil_between_provinces": theil["between"],
        "gini_gdp_per_capita": metrics.gini(per_capita, population),
        "core_periphery_ratio": metrics.group_ratio(real, population, model.core),
        "interprovincial_trade_share": metrics.share_where(model.goods.flows.sum(axis=0), geo.cross_province),
        "interprovincial_migration_share": metrics.share_where(model.moves.matrix, geo.cross_province) if moved else 0.0,
        "migrants": moved * ppa,
        "zipf_exponent": _zipf_of_inhabited(population),
        "firms": float(f.mass[f.alive].sum()),
        "entries": model.entries,
        "exits": model.exits,
        "market_residual": model.goods.residual,
        **supply_chain_metrics(model),
        "rd_intensity": float(innovation["rd"].sum() / gdp) if gdp > 0 else 0.0,
        "patents": float(innovation["patents"].sum()),
        "tfp_growth": model.tfp_growth,
        "aggregate_productivity": aggregate_productivity(model, innovation["real_output"]),
        "digital_adoption_share": float((innovation["adoption"] * weight).sum() / weight.sum()) if weight.sum() > 0 else 0.0,
        "cross_province_spillover_share": metrics.share_where(knowledge, geo.cross_province) if knowledge.sum() > 0 else 0.0,
    }
    return _no_quarter_yet(values, QUARTER_FLOWS) if model.steps == 0 else values


@dataclasses.dataclass(frozen=True)
class ProductivityBase:
    """The t = 0 reference of :func:`aggregate_productivity`: each sector's share of real value added
    (``weights``, (S,)) and its real-value-added-weighted mean log effective productivity
    (``log_means``, (S,), NaN for a sector without output)."""

    weights: np.ndarray
    log_means: np.ndarray


def sector_log_productivity(model, value: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(S,) real value added of each sector and (S,) its firms' mean log effective productivity
    (:meth:`ydabm.model.YRDModel.effective_productivity`: the firm's own, its city-sector's
    knowledge and trend, and digital adoption), weighted by their real value added (``value``, (F,):
    :meth:`ydabm.model.YRDModel.real_output` unless given)."""
    f, sectors = model.firms, model.sectors.count
    value = model.real_output() if value is None else value      # 0 for empty rows
    log_phi = np.log(model.effective_productivity())             # 0 for empty rows (productivity 1)
    means, total = metrics.group_weighted_means(log_phi, value, f.sector, sectors, totals=True)
    return total, means


def productivity_base(model) -> ProductivityBase:
    """The state's :class:`ProductivityBase` (the model records it at t = 0)."""
    value, log_means = sector_log_productivity(model)
    return ProductivityBase(weights=value / value.sum(), log_means=log_means)


def aggregate_productivity(model, value: np.ndarray | None = None) -> float:
    """Output-weighted aggregate productivity relative to t = 0 (Olley & Pakes 1996): within each
    sector the firms' mean log effective productivity weighted by their real value added, its change
    since t = 0 summed over sectors at their t = 0 shares of real value added, exponentiated
    (:func:`ydabm.metrics.aggregate_productivity`). It rises with the firms' own productivity and with
    output moving to the more productive among them, and falls when output stays with, or goes to,
    less productive firms (zombies kept alive, entry where a city has no advantage). The fixed sector
    weights keep a shift of output between sectors out of it. 1 at t = 0."""
    base = model.productivity_base
    _, log_means = sector_log_productivity(model, value)
    return metrics.aggregate_productivity(log_means, base.log_means, base.weights)


def zombie_metrics(model) -> dict[str, float]:
    """Zombie firms' (:func:`ydabm.mechanisms.credit.zombies`) shares of the live firm mass
    (``zombie_share``), of firms' employment and of their capital (replacement value)."""
    f = model.firms
    # (the rows gathered by index: the same arrays, and sums, as selected by the masks)
    live = np.flatnonzero(f.alive)
    zombie = np.flatnonzero(f.alive & f.zombie)

    def share(values):
        total = np.take(values, live).sum()
        return float(np.take(values, zombie).sum() / total) if total > 0 else 0.0
    return {"zombie_share": share(f.mass), "zombie_employment_share": share(f.staff().astype(float)),
            "zombie_capital_share": share(model.capital_value())}


def city_sourcing(model) -> dict[str, np.ndarray]:
    """(C,) shares of each city's intermediate inputs bought within it and outside the region (0
    without supply chains)."""
    sourcing = model.input_sourcing(by_city=True)
    if sourcing is None:
        zeros = np.zeros(model.geography.count)
        return {"inputs_within_city": zeros, "inputs_outside_region": zeros}
    total = np.maximum(sourcing.sum(axis=0), 1e-300)
    return {"inputs_within_city": sourcing[0] / total, "inputs_outside_region": sourcing[3:].sum(axis=0) / total}


def supply_chain_metrics(model) -> dict[str, float]:
    """Shares of the region's intermediate inputs bought within the buying city, within its
    province, from other YRD provinces and from outside the region, and the share of input use the
    stocks could not cover (all 0 without supply chains)."""
    sourcing = model.input_sourcing()
    if sourcing is None:
        return dict.fromkeys(("inputs_within_city", "inputs_within_province", "inputs_other_provinces",
                              "inputs_outside_region", "unmet_input_share"), 0.0)
    total = max(float(sourcing.sum()), 1e-300)     # (no inputs bought: all shares 0, as city_sourcing's)
    used = model.used_inputs.sum()
    return {"inputs_within_city": float(sourcing[0].sum() / total),
            "inputs_within_province": float(sourcing[1].sum() / total),
            "inputs_other_provinces": float(sourcing[2].sum() / total),
            "inputs_outside_region": float(sourcing[3:].sum() / total),
            "unmet_input_share": float(model.unmet_inputs / (used + model.unmet_inputs)) if used > 0 else 0.0}


def city_reports(model, innovation: dict[str, np.ndarray] | None = None) -> list[dict]:
    """One report per city: population, GDP (nominal and at 2020 prices), real income (households'
    disposable income plus public spending, at 2020 prices, 100 M yuan / year), wage (yuan per
    employed worker per year; ``urban_wage`` over non-farm workers, the counterpart of urban
    formal-unit wage statistics), price index, housing cost, firms (firm mass), zombie share (zombies'
    share of the city's firm mass), net migration, employment by sector (a list of floats); R&D
    intensity of the city and of its province (R&D over GDP), invention patents (per year), digital
    adoption share of its traditional-sector firms (revenue-weighted) and by sector (``adoption``, a
    list of floats)."""
    geo, f = model.geography, model.firms
    ppa = model.params.people_per_agent
    staff = model.staff_table()
    wage = (staff * model.wages).sum(axis=1) / np.maximum(staff.sum(axis=1), 1) * 4 / ppa
    urban = staff[:, 1:]
    urban_wage = (urban * model.wages[:, 1:]).sum(axis=1) / np.maximum(urban.sum(axis=1), 1) * 4 / ppa
    by_city = model.city_sums()            # (dead rows add 0.0: the sums of np.bincount over live rows)
    firms = by_city(np.where(f.alive, f.mass, 0.0))
    zombies = by_city(np.where(f.alive & f.zombie, f.mass, 0.0))
    innovation = innovation_by_city(model) if innovation is None else innovation
    employment = innovation["employment"] * ppa
    with np.errstate(divide="ignore", invalid="ignore"):
        rd_intensity = np.where(innovation["gdp"] > 0, innovation["rd"] / innovation["gdp"], 0.0)
    columns = {
        "population": model.population_by_city() * ppa, "gdp": model.flows["value_added"] * YEARLY_100M,
        "real_gdp": innovation["real_gdp"] * YEARLY_100M,
        "real_income": real_income_by_city(model),
        "wage": wage, "urban_wage": urban_wage, "price_index": _consumer_prices(model), "housing_cost": model.housing_cost(),
        "net_migration": model.moves.net * ppa,
        "zombie_share": np.where(firms > 0, zombies / np.where(firms > 0, firms, 1.0), 0.0),
        "value_added": model.flows["value_added"] * YEARLY_100M,
        "gross_output": model.flows["revenue"] * YEARLY_100M,
        **city_sourcing(model),
        "rd_intensity": rd_intensity,
        "province_rd_intensity": province_rd_intensity(innovation["rd"], innovation["gdp"],
                                                       geo.province_index)[geo.province_index],
        "patents": innovation["patents"],
        "digital_adoption_share": innovation["adoption"],
    }
    if model.steps == 0:
        columns = _no_quarter_yet(columns, CITY_QUARTER_FLOWS, geo.count)
    # each column, and each city's row of employment and adoption by sector, as Python floats once
    # (what float(values[c]) gives, without a numpy scalar per city and column: the data collector
    # stores them as they are, CityCollector)
    columns["firms"] = firms
    as_floats = {name: np.asarray(values, dtype=float).tolist() for name, values in columns.items()}
    as_floats.update(employment=employment.tolist(), adoption=innovation["adoption_by_cell"].tolist())
    return [dict(zip(as_floats, report)) for report in zip(*as_floats.values())]


def _report_value(government: CityGovernment, key: str, index: int | None) -> float:
    value = government.report[key]
    return value if index is None else value[index]


class CityCollector(mesa.DataCollector):
    """Mesa's data collector, with each city government's row built from its report in one pass.

    ``fields`` are the city columns after the city's name and province: (column, report key, index
    or None), e.g. ``("employment_steel", "employment", 5)``. They become the agent-type reporters of
    :class:`CityGovernment`, so ``get_agenttype_vars_dataframe`` and ``mesa.batch_run`` see the usual
    table. Only how a quarter's rows are made differs: Mesa calls every reporter on every government
    and checks each value's type (41 governments x 38 reporters); here each row is one tuple read
    from the government's report, whose values are Python floats (which Mesa stores as they are,
    uncopied), so the rows are the same. A quarter takes 0.93 of its time at 10,000 people per agent
    and 0.94 at 2,000 (docs/performance.md, "City rows in one pass").
    """

    def __init__(self, model_reporters: dict, fields):
        self.city_fields = tuple(fields)
        super().__init__(model_reporters=model_reporters, agenttype_reporters={CityGovernment: {
            "city": operator.attrgetter("name"), "province": operator.attrgetter("province"),
            **{column: functools.partial(_report_value, key=key, index=index)
               for column, key, index in self.city_fields}}})

    def _record_agenttype(self, model, agent_type):
        if agent_type is not CityGovernment:
            return super()._record_agenttype(model, agent_type)
        fields = [(key, index) for _, key, index in self.city_fields]
        return [(model.time, government.unique_id, government.name, government.province,
                 *(government.report[key] if index is None else government.report[key][index]
                   for key, index in fields))
                for government in model.agents_by_type[CityGovernment]]
