"""Solara components that show a running YRDModel: the city map, the indicator charts, a city's panel.

Each reads only the model's public attributes (``geography``, ``governments``, ``sectors``,
``datacollector``), turns them into arrays and hands them to :mod:`ydabm.viz.charts`, whose Vega-Lite
specs the browser draws. Each subscribes to Mesa's ``update_counter``, so it redraws after every
step of Mesa's model controller. Given a baseline run (kept in step by the app), each sets the run
beside it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import solara
from mesa.visualization.utils import update_counter
from solara.widgets import VegaLite

from ..model import YRDModel
from .charts import NodeColours, city_spec, indicators_spec, largest_sector, leading_sector, map_spec, pretty


def city_values(model: YRDModel, attribute: str) -> np.ndarray:
    """(C,) one attribute of every city government (e.g. ``population``, ``wage``), as floats."""
    return np.array([getattr(g, attribute) for g in model.governments], dtype=float)


def employment(model: YRDModel) -> np.ndarray:
    """(C, S) employment by city and sector after the last step, persons."""
    return np.array([g.employment for g in model.governments], dtype=float)


def city_history(model: YRDModel, city: int):
    """The recorded rows (population, wage, ...) of one city's government, one per step."""
    government = model.governments[city]
    records = model.datacollector.get_agenttype_vars_dataframe(type(government))
    return records.xs(government.unique_id, level="AgentID")


def calendar(model: YRDModel, steps: np.ndarray) -> np.ndarray:
    """Calendar time (year + quarter / 4) of step numbers."""
    return model.params.start_year + np.asarray(steps, dtype=float) / 4


def quarter_label(model: YRDModel) -> str:
    """The quarter the model has reached, e.g. ``2021 Q3``."""
    return f"{model.year} Q{model.quarter + 1}"


def _sector_colours(label: str, choose: Callable[[YRDModel], np.ndarray]) -> Callable[[YRDModel], NodeColours]:
    def colours(model: YRDModel) -> NodeColours:
        return NodeColours(label, choose(model), tuple(pretty(s) for s in model.sectors.names))
    return colours


def _metric_colours(label: str, compute: Callable[[YRDModel], np.ndarray],
                    diverging: bool = False) -> Callable[[YRDModel], NodeColours]:
    def colours(model: YRDModel) -> NodeColours:
        return NodeColours(label, compute(model), diverging=diverging)
    return colours


def _gdp_per_capita(model: YRDModel) -> np.ndarray:
    return city_values(model, "gdp") * 1e8 / np.maximum(city_values(model, "population"), 1.0)


# What the map's cities can be coloured by: the city's leading sector or one of its reported quantities.
COLOURINGS: dict[str, Callable[[YRDModel], NodeColours]] = {
    "Leading sector (location quotient)": _sector_colours(
        "Leading sector", lambda m: leading_sector(employment(m))),
    "Largest manufacturing sector": _sector_colours(
        "Largest manufacturing sector", lambda m: largest_sector(employment(m), m.sectors.manufacturing)),
    "Population (persons)": _metric_colours("Population (persons)", lambda m: city_values(m, "population")),
    "Wage (yuan / yr)": _metric_colours("Wage (yuan / yr)", lambda m: city_values(m, "wage")),
    "GDP per capita (yuan / yr)": _metric_colours("GDP per capita (yuan / yr)", _gdp_per_capita),
    "Net migration (persons / quarter)": _metric_colours(
        "Net migration (persons / quarter)", lambda m: city_values(m, "net_migration"), diverging=True),
    "Housing cost (index, 2020 = 1)": _metric_colours("Housing cost index", lambda m: city_values(m, "housing_cost")),
    "Price index (2020 = 1)": _metric_colours("Price index", lambda m: city_values(m, "price_index")),
    "Firms": _metric_colours("Firms", lambda m: city_values(m, "firms")),
    "Inputs bought within the city (share; supply chains)": _metric_colours(
        "Inputs bought within the city", lambda m: city_values(m, "inputs_within_city")),
    "Inputs bought outside the region (share; supply chains)": _metric_colours(
        "Inputs bought outside the region", lambda m: city_values(m, "inputs_outside_region")),
}
DEFAULT_COLOURING = next(iter(COLOURINGS))


#: the values every city's tooltip shows, by city output
TOOLTIP_VALUES = {"population": "Population (persons)", "wage": "Wage (yuan / yr)",
                  "net_migration": "Net migration (persons / quarter)"}


def map_tooltips(model: YRDModel, colouring: str, baseline: YRDModel | None = None) -> dict[str, np.ndarray]:
    """Tooltip columns of the map, label -> (C,) values. In compare mode a metric colouring shows this
    run's and the baseline's values (the map shows their difference), and is not repeated below."""
    tooltips = {label: city_values(model, key) for key, label in TOOLTIP_VALUES.items()
                if baseline is None or label != colouring}
    colours = COLOURINGS[colouring](model)
    if baseline is not None and colours.categories is None:
        reference = COLOURINGS[colouring](baseline)
        tooltips = {f"{colours.label}, this run": colours.values, f"{colours.label}, baseline": reference.values,
                    **tooltips}
    return tooltips


@solara.component
def CityMap(model: YRDModel, colouring: str = DEFAULT_COLOURING, selected: str | None = None,
            on_select: Callable[[str], None] | None = None, baseline: YRDModel | None = None):
    """The cities' areas coloured by a metric, with the transport links; clicking a city calls ``on_select(name)``.

    Args:
        model: the running model.
        colouring: a key of `COLOURINGS`.
        selected: name of the city to outline.
        on_select: called with a city's name when the user clicks it.
        baseline: a baseline run at the same step: the map then shows the run's difference from it.
    """
    update_counter.get()
    geo = model.geography
    names = list(geo.names)
    colours = COLOURINGS[colouring](model)
    tooltips = map_tooltips(model, colouring, baseline)
    subtitle = "colour: " + ("this run minus the baseline run; " if baseline is not None else "") + \
        "hover a city for its values, click it to select it"
    if baseline is not None:
        colours = colours.against(COLOURINGS[colouring](baseline))
    spec = map_spec(
        geo.graph, names, geo.provinces, geo.positions, colours, priority=np.argsort(-geo.population).tolist(),
        selected=names.index(selected) if selected in names else None,
        title=f"{colours.label}, {quarter_label(model)}", subtitle=subtitle, tooltips=tooltips,
    )

    def clicked(datum):
        city = (datum or {}).get("city") or (datum or {}).get("properties", {}).get("city")
        if city and on_select is not None:
            on_select(city)

    with solara.Div(classes=["ydabm-map"]) as main:
        VegaLite.element(spec=spec, on_click=clicked, listen_to_click=True)
    return main


@solara.component
def IndicatorCharts(model: YRDModel, baseline: YRDModel | None = None):
    """Similarity, capacity utilisation, zombie share, real GDP, Theil index and inter-provincial
    trade and migration shares over time (the model's DataCollector columns), and the baseline
    run's dashed if given."""
    update_counter.get()
    history = model.datacollector.get_model_vars_dataframe()
    spec = indicators_spec(history, calendar(model, history.index.to_numpy()),
                           baseline=None if baseline is None else baseline.datacollector.get_model_vars_dataframe())
    with solara.Div(classes=["ydabm-indicators"]) as main:
        VegaLite.element(spec=spec)
    return main


@solara.component
def CityPanel(model: YRDModel, city: str, baseline: YRDModel | None = None):
    """One city's sector mix now, and its population and wage over time (the baseline run's dashed if given).

    Args:
        model: the running model.
        city: the city's name.
        baseline: a baseline run at the same step.
    """
    update_counter.get()
    names = list(model.geography.names)
    index = names.index(city) if city in names else 0
    government = model.governments[index]
    jobs = employment(model)
    history = city_history(model, index)
    spec = city_spec(
        government.name, government.province, model.sectors.names,
        jobs[government.city] / max(jobs[government.city].sum(), 1e-300), jobs.sum(axis=0) / max(jobs.sum(), 1e-300),
        government.targets, history, calendar(model, history.index.to_numpy()),
        baseline=None if baseline is None else city_history(baseline, index),
    )
    with solara.Div(classes=["ydabm-city"]) as main:
        VegaLite.element(spec=spec)
    return main
