"""Names and units of what the model reports, in one table, and the words for a kept statistic.

Every figure and table that shows a metric takes its label and unit from here (units as defined in
:mod:`ydabm.observation`): ``metric_label("real_gdp", "mean_last:8")`` reads
"Real GDP (100 M yuan/yr, 2020 prices), mean of the last 8 quarters". ``tests/test_labels.py``
checks that every model and city metric has an entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """How a reported quantity is named: a short label and its unit (words, never empty)."""

    label: str
    unit: str


SHARE = "share, 0-1"
SIMILARITY = "UNIDO coefficient, 0-1"
YEARLY_REAL = "100 M yuan/yr, 2020 prices"

#: model-level metrics (``model.parquet``, sweep results), by column name
MODEL: dict[str, Quantity] = {
    "similarity_manufacturing": Quantity("Structural similarity of manufacturing", SIMILARITY),
    "similarity_all": Quantity("Structural similarity, all sectors", SIMILARITY),
    "similarity_within_province": Quantity("Similarity within provinces (manufacturing)", SIMILARITY),
    "similarity_across_provinces": Quantity("Similarity across provinces (manufacturing)", SIMILARITY),
    "krugman_index": Quantity("Krugman specialisation index", "index, 0-2"),
    "capacity_utilization": Quantity("Capacity utilisation (manufacturing)", "share of capacity, 0-1"),
    "zombie_share": Quantity("Zombie-firm share", "share of the firm mass, 0-1"),
    "zombie_employment_share": Quantity("Zombie employment share", "share of firms' employment, 0-1"),
    "zombie_capital_share": Quantity("Zombie capital share", "share of firms' capital, 0-1"),
    "subsidy_to_gdp": Quantity("Subsidies to GDP", "share of nominal GDP"),
    "local_debt_to_gdp": Quantity("Local borrowing since 2020 to GDP", "share of annual nominal GDP"),
    "stranded_capital": Quantity("Stranded capital of exiting firms", "100 M yuan/quarter"),
    "real_gdp": Quantity("Real GDP", YEARLY_REAL),
    "nominal_gdp": Quantity("Nominal GDP", "100 M yuan/yr"),
    "gdp_deflator": Quantity("GDP deflator", "2020 = 1"),
    "cpi": Quantity("Consumer price index", "2020 = 1"),
    "gdp_per_capita": Quantity("Real GDP per capita", "yuan/person/yr, 2020 prices"),
    "real_wage": Quantity("Real wage", "yuan/employed worker/yr, 2020 prices"),
    "real_income": Quantity("Real income (households and public spending)", YEARLY_REAL),
    "unemployment_rate": Quantity("Unemployment rate", "share of workers, 0-1"),
    "theil_index": Quantity("Theil index of GDP per capita", "index, 0 = equal"),
    "theil_between_provinces": Quantity("Theil index between provinces", "index, 0 = equal"),
    "gini_gdp_per_capita": Quantity("Gini of GDP per capita", "index, 0-1"),
    "core_periphery_ratio": Quantity("Core / periphery GDP per capita", "ratio"),
    "interprovincial_trade_share": Quantity("Inter-provincial trade share", "share of goods flows, 0-1"),
    "interprovincial_migration_share": Quantity("Inter-provincial migration share", "share of migrants, 0-1"),
    "migrants": Quantity("Migrants", "persons/quarter"),
    "zipf_exponent": Quantity("Zipf exponent of city sizes", "exponent"),
    "firms": Quantity("Firms", "founding-size firm agents"),
    "entries": Quantity("Firm entries", "founding-size firm agents/quarter"),
    "exits": Quantity("Firm exits", "founding-size firm agents/quarter"),
    "market_residual": Quantity("Goods-market residual", "largest relative excess demand"),
    "inputs_within_city": Quantity("Inputs bought within the city", "share of intermediate inputs, 0-1"),
    "inputs_within_province": Quantity("Inputs bought from the province's other cities", "share of intermediate inputs, 0-1"),
    "inputs_other_provinces": Quantity("Inputs bought from other YRD provinces", "share of intermediate inputs, 0-1"),
    "inputs_outside_region": Quantity("Inputs bought outside the region", "share of intermediate inputs, 0-1"),
    "unmet_input_share": Quantity("Unmet input demand", "share of input use, 0-1"),
    "rd_intensity": Quantity("R&D intensity", "share of nominal GDP"),
    "patents": Quantity("Invention patents", "patents/yr"),
    "tfp_growth": Quantity("Productivity growth", "yearly rate"),
    "aggregate_productivity": Quantity("Aggregate productivity (output-weighted)", "index, t = 0 = 1"),
    "digital_adoption_share": Quantity("Digital adoption, traditional sectors", "share of enterprises, 0-1"),
    "cross_province_spillover_share": Quantity("Cross-province share of knowledge spillovers", SHARE),
}

#: city-level outputs (``cities.parquet``), by column name; ``similarity`` is derived by the reports
CITY: dict[str, Quantity] = {
    "population": Quantity("Population", "persons"),
    "gdp": Quantity("GDP", "100 M yuan/yr"),
    "real_gdp": Quantity("Real GDP", YEARLY_REAL),
    "real_income": Quantity("Real income", YEARLY_REAL),
    "wage": Quantity("Wage", "yuan/employed worker/yr"),
    "urban_wage": Quantity("Urban wage", "yuan/non-farm worker/yr"),
    "price_index": Quantity("Consumer prices", "2020 = 1"),
    "housing_cost": Quantity("Housing cost", "2020 = 1"),
    "firms": Quantity("Firms", "founding-size firm agents"),
    "net_migration": Quantity("Net migration", "persons/quarter"),
    "zombie_share": Quantity("Zombie share", "share of the city's firm mass, 0-1"),
    "value_added": Quantity("Value added", "100 M yuan/yr"),
    "gross_output": Quantity("Gross output", "100 M yuan/yr"),
    "inputs_within_city": Quantity("Inputs bought within the city", "share of the city's intermediate inputs, 0-1"),
    "inputs_outside_region": Quantity("Inputs bought outside the region", "share of the city's intermediate inputs, 0-1"),
    "rd_intensity": Quantity("R&D intensity", "share of the city's GDP"),
    "province_rd_intensity": Quantity("R&D intensity of the province", "share of the province's GDP"),
    "patents": Quantity("Invention patents", "patents/yr"),
    "digital_adoption_share": Quantity("Digital adoption, traditional sectors", "share of enterprises, 0-1"),
    "similarity": Quantity("Similarity to the other cities (manufacturing)", SIMILARITY),
}


def quantity(name: str, city: bool = False) -> Quantity:
    """The label and unit of a model metric (or, with ``city``, a city output).

    ``employment_<sector>`` city columns are persons employed in that sector, ``adoption_<sector>``
    the digital adoption share of a traditional sector's enterprises (model columns
    ``digital_adoption_<sector>``: the region's); an undeclared name
    gets its own words and an "undeclared unit" (the labels test flags it).
    """
    table = CITY if city else MODEL
    if name in table:
        return table[name]
    if city and name.startswith("employment_"):
        return Quantity(f"Employment in {name.removeprefix('employment_').replace('_', ' ')}", "persons")
    if not city and name.startswith("digital_adoption_"):
        return Quantity(f"Digital adoption in {name.removeprefix('digital_adoption_').replace('_', ' ')}",
                        "share of the sector's enterprises, 0-1")
    if city and name.startswith("adoption_"):
        return Quantity(f"Digital adoption in {name.removeprefix('adoption_').replace('_', ' ')}",
                        "share of enterprises, 0-1")
    return Quantity(name.replace("_", " ").capitalize(), "undeclared unit")


def statistic_label(rule: str) -> str:
    """Words for a kept statistic: ``"final"`` or ``"mean_last:K"`` (see ``keep`` in docs/sweeps.md)."""
    if rule == "final":
        return "value in the last quarter"
    quarters = int(rule.split(":")[1])
    return f"mean of the last {quarters} quarters" if quarters > 1 else "value in the last quarter"


def metric_label(name: str, rule: str | None = None, city: bool = False) -> str:
    """``"Real GDP (100 M yuan/yr, 2020 prices), mean of the last 8 quarters"``; without ``rule``,
    the label and unit only."""
    q = quantity(name, city)
    text = f"{q.label} ({q.unit})"
    return f"{text}, {statistic_label(rule)}" if rule else text


def unit(name: str, city: bool = False) -> str:
    """The unit of a metric (or city output)."""
    return quantity(name, city).unit
