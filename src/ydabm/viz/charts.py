"""Vega-Lite specifications of one run: the city map, the indicator charts and a city's panel.

Pure functions from arrays to Vega-Lite v5 specifications (plain dicts); nothing here knows the model
or Solara. The browser draws them with the ``vega@5``, ``vega-lite@5`` and ``vega-embed@6`` bundles
from Solara's CDN cache, so the server only builds a small dict per redraw (the same three figures
in matplotlib cost about 1.3 s of server CPU per step on two cores) and the spec version matches the
library that draws it (altair 6 would emit Vega-Lite 6 specs). Each chart can set a run beside a
baseline run: the map shows their difference, the time series draw the baseline dashed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..geography.boundaries import city_polygons, city_province, label_points, province_outlines
from .maps import PROVINCE_EDGE, display_name, place_labels

# vega-embed reads the version from this URL; nothing fetches it
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Tableau 10, then dark indigo and light blue from Tableau 20: one fixed colour per sector, so colours
# never move between steps; every pair differs by at least 18 in CIEDE2000 (tests/test_viz_app.py)
SECTOR_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac", "#393b79", "#aec7e8")
UNCHANGED = ("same as baseline", "#e7e7e7")  # a city whose category the run shares with the baseline
LINK_COLOUR = "#252525"
LINK_STYLES = {"within a province": [1, 0], "across provinces": [5, 3]}  # stroke dash of each link
RUNS = {"this run": [1, 0], "baseline": [5, 3]}  # stroke dash of each run's time series
POINTS_UP_TO = 12  # time series mark each step with a point while they are this short


@dataclass(frozen=True)
class NodeColours:
    """How to colour the cities on the map.

    Attributes:
        label: legend title, with the unit.
        values: (C,) a number per city, or a category index per city when ``categories`` is given.
        categories: names of the categories (sectors), or None for a continuous quantity.
        palette: colour of each category (default: `SECTOR_COLOURS` in order).
        diverging: centre the colour scale on zero (e.g. net migration, a difference).
    """

    label: str
    values: np.ndarray
    categories: tuple[str, ...] | None = None
    palette: tuple[str, ...] | None = None
    diverging: bool = False

    def against(self, baseline: NodeColours) -> NodeColours:
        """This run's colouring set against a baseline's: the difference of a quantity (diverging
        around zero), or, for categories, this run's category where it differs and `UNCHANGED` where not."""
        if self.categories is None:
            difference = np.asarray(self.values) - np.asarray(baseline.values)
            return NodeColours(f"{self.label}: this run − baseline", difference, diverging=True)
        same = np.asarray(self.values) == np.asarray(baseline.values)
        palette = self.palette or _cycle(SECTOR_COLOURS, len(self.categories))
        return NodeColours(f"{self.label} (where it differs from the baseline)",
                           np.where(same, len(self.categories), self.values),
                           (*self.categories, UNCHANGED[0]), (*palette, UNCHANGED[1]))


def pretty(name: str) -> str:
    """A sector identifier as words: ``steel_metals`` -> ``steel metals``."""
    return name.replace("_", " ")


def leading_sector(employment: np.ndarray) -> np.ndarray:
    """Each city's most over-represented sector: the largest location quotient.

    LQ_cs = (E_cs / E_c) / (E_s / E), the city's employment share in sector s over the region's
    (Balassa's revealed comparative advantage, in employment).

    Args:
        employment: (C, S) employment by city and sector, persons.

    Returns:
        (C,) sector index per city (0 for a city without employment).
    """
    employment = np.asarray(employment, dtype=float)
    city = employment.sum(axis=1, keepdims=True)
    region = employment.sum(axis=0, keepdims=True) / max(employment.sum(), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.where((city > 0) & (region > 0), employment / city / region, 0.0)
    return quotient.argmax(axis=1)


def largest_sector(employment: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
    """Each city's largest sector by employment, optionally among a (S,) boolean mask of sectors."""
    employment = np.asarray(employment, dtype=float)
    if among is not None:
        employment = np.where(np.asarray(among)[None, :], employment, -np.inf)
    return employment.argmax(axis=1)


# ---------------------------------------------------------------------------------------- the map
@dataclass(frozen=True)
class MapFrame:
    """Where lon/lat land on the map, in pixels.

    Vega-Lite draws planar coordinates (x = lon cos(lat0), y = lat, in degrees of latitude, so that
    both axes have their true length at latitude lat0) with its ``identity`` projection, at a scale
    and offset fixed here rather than fitted in the browser, so the server knows each city's pixel
    position and can place the labels. (Planar, not spherical: d3-geo would also read the GeoJSON's
    counter-clockwise outer rings as the whole globe minus the city.)

    Attributes:
        lat0: latitude at which the x axis is true, degrees.
        scale: pixels per degree of latitude.
        left, top: planar x at the map's left edge and y at its top edge.
        width, height: size of the map in pixels.
    """

    lat0: float
    scale: float
    left: float
    top: float
    width: int
    height: int

    @classmethod
    def around(cls, lonlat: np.ndarray, height: int, margin: float = 0.1) -> MapFrame:
        """The frame of a given height holding the points (n, 2 lon, lat) with ``margin`` degrees to spare."""
        lonlat = np.asarray(lonlat, dtype=float)
        lat0 = float((lonlat[:, 1].min() + lonlat[:, 1].max()) / 2)
        x, y = (lonlat * [np.cos(np.deg2rad(lat0)), 1.0]).T
        scale = height / (np.ptp(y) + 2 * margin)
        width = int(np.ceil(scale * (np.ptp(x) + 2 * margin)))
        return cls(lat0, float(scale), float(x.min() - margin), float(y.max() + margin), width, height)

    def planar(self, lonlat: np.ndarray) -> np.ndarray:
        """(n, 2) lon, lat -> planar x, y."""
        return np.asarray(lonlat, dtype=float) * [np.cos(np.deg2rad(self.lat0)), 1.0]

    def pixels(self, lonlat: np.ndarray) -> np.ndarray:
        """(n, 2) lon, lat -> pixels from the map's top left corner (y down)."""
        x, y = self.planar(lonlat).T
        return np.column_stack([self.scale * (x - self.left), self.scale * (self.top - y)])

    def projection(self) -> dict[str, Any]:
        """Vega-Lite's projection that draws planar x, y at `pixels`."""
        return {"type": "identity", "reflectY": True, "scale": self.scale,
                "translate": [-self.scale * self.left, self.scale * self.top]}


@functools.lru_cache(maxsize=2)
def _geometry(height: int) -> tuple[MapFrame, list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """The frame, the city areas (GeoJSON features, by the model's city names) and the inline data
    of all areas and of the province outlines, in planar coordinates; the same for every redraw."""
    polygons = city_polygons()
    frame = MapFrame.around(np.concatenate([ring for rings in polygons.values() for p in rings for ring in p]), height)
    province = city_province()

    def coordinates(ring: np.ndarray) -> list[list[float]]:
        return np.round(frame.planar(ring), 3).tolist()  # 0.001 degree: a tenth of a pixel

    areas = [{"type": "Feature", "properties": {"city": city, "province": province[city]},
              "geometry": {"type": "MultiPolygon", "coordinates": [[coordinates(r) for r in p] for p in rings]}}
             for city, rings in polygons.items()]
    outlines = [{"type": "Feature", "properties": {"province": name},
                 "geometry": {"type": "MultiLineString", "coordinates": [coordinates(line) for line in lines]}}
                for name, lines in province_outlines().items()]
    return frame, areas, inline(areas), inline(outlines)


def map_labels(frame: MapFrame, names: Sequence[str], priority: Sequence[int], font_size: float = 11,
               char_width: float = 0.6) -> dict[int, tuple[float, float]]:
    """Which city names fit on the map without overlapping, and where (planar coordinates).

    Args:
        frame: the map.
        names: model city names (labels are written without the ``_JS`` style suffix).
        priority: city indices, most important first (e.g. by population).
        font_size: pixels.
        char_width: average width of a character, as a fraction of the font size.

    Returns:
        city index -> (x, y) planar centre of its label, for the cities whose name fits.
    """
    anchors = frame.pixels(np.array([label_points()[name] for name in names]))
    sizes = np.array([[char_width * font_size * len(display_name(n)) + 4, font_size + 2] for n in names])
    placed = place_labels(anchors, sizes, priority)
    return {k: (frame.left + px / frame.scale, frame.top - py / frame.scale) for k, (px, py) in placed.items()}


def map_spec(graph: nx.Graph, names: Sequence[str], provinces: Sequence[str], seats: np.ndarray,
             colours: NodeColours, priority: Sequence[int], selected: int | None = None, title: str = "",
             subtitle: str = "", tooltips: dict[str, np.ndarray] | None = None, height: int = 600) -> dict[str, Any]:
    """The cities' real boundaries coloured by a metric, with province outlines, links and names.

    Layers, bottom to top: city areas (colour by ``colours``; hover for the city, its province and
    every tooltip column; click to select), the selected city's outline, province outlines,
    transport links (solid within a province, dashed across), the city seats, and the names of
    the cities whose name fits (`map_labels`, most important first; the selected city always).

    Args:
        graph: nodes 0..C-1 in the order of ``names``; each edge is drawn as a straight line.
        names: model city names (the keys of :func:`ydabm.geography.boundaries.city_polygons`).
        provinces: province of each city.
        seats: (C, 2) lon, lat of each city's seat (links and dots are drawn there).
        colours: the cities' colouring.
        priority: city indices in the order their names claim space.
        selected: city to outline and label, if any.
        title, subtitle: chart title lines.
        tooltips: extra tooltip columns, label -> (C,) values.
        height: height of the map in pixels (the width follows from the region's shape).
    """
    frame, features, areas, outlines = _geometry(height)
    points = frame.planar(seats)
    labels = map_labels(frame, names, [*([selected] if selected is not None else []), *priority])
    nodes = []
    for c, name in enumerate(names):
        value = colours.values[c]
        node = {"city": name, "province": provinces[c], "x": _round(points[c, 0]), "y": _round(points[c, 1]),
                "colour": colours.categories[int(value)] if colours.categories else _round(float(value))}
        node.update({label: _round(float(values[c])) for label, values in (tooltips or {}).items()})
        nodes.append(node)
    kinds = list(LINK_STYLES)
    links = [{"x": _round(points[a, 0]), "y": _round(points[a, 1]), "x2": _round(points[b, 0]), "y2": _round(points[b, 1]),
              "link": kinds[int(provinces[a] != provinces[b])], "between": f"{names[a]} - {names[b]}",
              "hours": _round(graph.edges[a, b].get("hours", float("nan"))), "modes": graph.edges[a, b].get("modes", "")}
             for a, b in graph.edges()]
    at = {"longitude": {"field": "x", "type": "quantitative"}, "latitude": {"field": "y", "type": "quantitative"}}
    fields = ["province", "colour", *(tooltips or {})]
    city_tooltip = [{"field": "city", "title": "City"}, {"field": "province", "title": "Province"},
                    {"field": "colour", "title": colours.label, **({} if colours.categories else {"format": ",.4~r"})},
                    *({"field": label, "format": ",.4~r"} for label in (tooltips or {}))]
    # the labels carry their city's row, so that hovering a name shows the same tooltip as its area
    label_rows = [{**nodes[k], "name": display_name(names[k]), "x": _round(x), "y": _round(y)}
                  for k, (x, y) in labels.items()]
    text = {"type": "text", "fontSize": 11, "fontWeight": 600, "align": "center", "baseline": "middle"}
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "width": frame.width,
        "height": frame.height,
        "projection": frame.projection(),
        "layer": [
            {"name": "cities", "data": areas,
             "transform": [{"calculate": "datum.properties.city", "as": "city"},
                           {"lookup": "city", "from": {"data": inline(nodes), "key": "city", "fields": fields}}],
             "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.6},
             "encoding": {"color": _node_colour(colours), "tooltip": city_tooltip}},
            {"data": inline([f for f in features if selected is not None and f["properties"]["city"] == names[selected]]),
             "mark": {"type": "geoshape", "filled": False, "fill": None, "stroke": "black", "strokeWidth": 2.5}},
            {"data": outlines,
             "mark": {"type": "geoshape", "filled": False, "fill": None, "stroke": PROVINCE_EDGE, "strokeWidth": 1.6}},
            {"data": inline(links), "mark": {"type": "rule", "color": LINK_COLOUR, "strokeWidth": 1, "opacity": 0.7},
             "encoding": {**at, "longitude2": {"field": "x2"}, "latitude2": {"field": "y2"},
                          "strokeDash": {"field": "link", "type": "nominal", "title": "Transport link",
                                         "scale": {"domain": kinds, "range": list(LINK_STYLES.values())},
                                         "legend": {"orient": "bottom", "direction": "vertical", "symbolStrokeWidth": 1.5}},
                          "tooltip": [{"field": "between", "title": "Link"}, {"field": "hours", "title": "Hours"},
                                      {"field": "modes", "title": "Modes"}]}},
            {"name": "seats", "data": inline(nodes),
             "mark": {"type": "circle", "size": 16, "fill": "white", "stroke": "black", "strokeWidth": 0.8, "opacity": 1},
             "encoding": {**at, "tooltip": city_tooltip}},
            {"data": inline(label_rows), "mark": {**text, "stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.85},
             "encoding": {**at, "text": {"field": "name"}, "tooltip": city_tooltip}},
            {"data": inline(label_rows), "mark": text,
             "encoding": {**at, "text": {"field": "name"}, "tooltip": city_tooltip}},
        ],
        "config": {"view": {"stroke": None}, "legend": {"labelFontSize": 11, "titleFontSize": 11}},
    }


def inline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Vega-Lite inline data as one JSON string.

    A string, not a list of dicts: Solara's renderer walks every nested value of a widget's
    arguments on each render, which for a few thousand coordinates cost more than the model's step.
    """
    return {"values": json.dumps(rows, separators=(",", ":"), allow_nan=False), "format": {"type": "json"}}


def _node_colour(colours: NodeColours) -> dict[str, Any]:
    if colours.categories is not None:
        palette = colours.palette or _cycle(SECTOR_COLOURS, len(colours.categories))
        present = sorted(set(np.asarray(colours.values, dtype=int).tolist()))
        return {"field": "colour", "type": "nominal", "title": colours.label,
                "scale": {"domain": [colours.categories[k] for k in present], "range": [palette[k] for k in present]},
                "legend": {"orient": "bottom", "columns": 4, "symbolType": "square"}}
    # red for positive, blue for negative differences, as in the report and compare figures (RdBu_r)
    scale = {"scheme": "redblue", "reverse": True, "domainMid": 0} if colours.diverging else {"scheme": "viridis"}
    return {"field": "colour", "type": "quantitative", "title": colours.label, "scale": scale,
            "legend": {"orient": "bottom", "direction": "horizontal", "gradientLength": 280, "format": "~s",
                       "titleLimit": 480}}


@dataclass(frozen=True)
class Panel:
    """One indicator chart: a title with its unit and the series drawn in it.

    Attributes:
        title: chart title, including the unit.
        series: (column, legend label) pairs of model reporter columns.
        scale: factor applied to the values before drawing (e.g. 100 for percentages).
    """

    title: str
    series: tuple[tuple[str, str], ...]
    scale: float = 1.0


INDICATORS: tuple[Panel, ...] = (
    Panel("Structure similarity (UNIDO)", (("similarity_manufacturing", "manufacturing"),
                                           ("similarity_within_province", "within provinces"),
                                           ("similarity_across_provinces", "across provinces"))),
    Panel("Capacity utilisation (%)", (("capacity_utilization", "manufacturing"),), 100.0),
    Panel("Zombie firms (% of the firm mass)", (("zombie_share", "zombie share"),), 100.0),
    Panel("Real GDP (trillion yuan / yr)", (("real_gdp", "real GDP"),), 1e-4),
    Panel("Theil index of GDP per capita", (("theil_index", "total"), ("theil_between_provinces", "between provinces"))),
    Panel("Inter-provincial share (%)", (("interprovincial_trade_share", "of trade"),
                                         ("interprovincial_migration_share", "of migrants")), 100.0),
)


def indicators_spec(history: pd.DataFrame, years: np.ndarray, panels: Sequence[Panel] = INDICATORS,
                    baseline: pd.DataFrame | None = None, columns: int = 3, width: int = 270,
                    height: int = 120) -> dict[str, Any]:
    """Model-level indicators over time, one small line chart per :class:`Panel`.

    Args:
        history: one row per recorded step, with the panels' series as columns.
        years: (T,) calendar time of each row (year + quarter / 4).
        panels: charts to draw.
        baseline: the same columns for a baseline run over the same steps, drawn dashed.
        columns: charts per row.
        width, height: size of each chart in pixels.
    """
    years = np.asarray(years, dtype=float)
    runs = {"this run": history} if baseline is None else {"this run": history, "baseline": baseline}
    charts, rows = [], []
    for panel in panels:
        for run, table in runs.items():
            for column, label in panel.series:
                values = table[column].to_numpy(dtype=float)[:len(years)] * panel.scale
                rows.extend({"panel": panel.title, "series": label, "run": run, "year": _round(y), "value": _round(v, 6)}
                            for y, v in zip(years, values, strict=True))
        title = f"{panel.title}: {_latest(history, panel)}"
        if baseline is not None:
            title += f" (baseline {_latest(baseline, panel)})"
        several = len(panel.series) > 1
        legend = {"orient": "bottom", "direction": "horizontal", "title": None} if several else None
        charts.append({
            "title": {"text": title, "anchor": "start", "fontSize": 12},
            "width": width, "height": height,
            "transform": [{"filter": {"field": "panel", "equal": panel.title}}],
            "mark": {"type": "line", "point": len(years) <= POINTS_UP_TO, "strokeWidth": 2},
            "encoding": {
                "x": _year_axis(years),
                "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
                "color": {"field": "series", "type": "nominal", "scale": {"domain": [label for _, label in panel.series]},
                          "legend": legend},
                "strokeDash": _run_dash(),
                "tooltip": [{"field": "series"}, {"field": "run"}, {"field": "year", "format": ".2f"},
                            {"field": "value", "format": ",.4~g"}],
            },
        })
    return {
        "$schema": SCHEMA,
        "data": inline(rows),
        "columns": columns,
        "concat": charts,
        "spacing": 18,
        "resolve": {"scale": {"color": "independent", "y": "independent"}, "legend": {"color": "independent"}},
        "config": {"axis": {"labelFontSize": 10}, "legend": {"labelFontSize": 10}},
    }


def _latest(history: pd.DataFrame, panel: Panel) -> str:
    """The panel's first series at the last row, for the title ("–" for a quarter flow before the
    first step, which is NaN: ``observation.QUARTER_FLOWS``)."""
    value = float(history[panel.series[0][0]].iloc[-1]) * panel.scale
    return f"{value:.3g}" if np.isfinite(value) else "–"


def _run_dash() -> dict[str, Any]:
    """Solid for this run, dashed for the baseline (explained once on the page, not in every legend)."""
    return {"field": "run", "type": "nominal", "scale": {"domain": list(RUNS), "range": list(RUNS.values())},
            "legend": None}


def city_spec(name: str, province: str, sectors: Sequence[str], shares: np.ndarray, region_shares: np.ndarray,
              targets: np.ndarray, history: pd.DataFrame, years: np.ndarray, baseline: pd.DataFrame | None = None,
              width: int = 300) -> dict[str, Any]:
    """One city: its sector mix now, and its population and wage over time.

    Args:
        name, province: the city.
        sectors: sector identifiers.
        shares: (S,) the city's employment share of each sector.
        region_shares: (S,) the YRD's employment share of each sector (drawn as black ticks).
        targets: (S,) True for the sectors the city government supports this year (outlined).
        history: one row per recorded step with columns ``population`` (persons) and ``wage``
            (yuan per year).
        years: (T,) calendar time of each row.
        baseline: the same columns for the city in a baseline run over the same steps, drawn dashed.
        width: width of the charts in pixels.
    """
    years = np.asarray(years, dtype=float)
    words = [pretty(s) for s in sectors]
    mix = [{"sector": word, "share": _round(100 * float(s), 3), "yrd": _round(100 * float(r), 3), "target": bool(t)}
           for word, s, r, t in zip(words, shares, region_shares, targets, strict=True)]
    sector_axis = {"field": "sector", "type": "nominal", "sort": words, "title": None}
    bars = {
        "mark": {"type": "bar", "stroke": "black"},
        "encoding": {
            "y": sector_axis,
            "x": {"field": "share", "type": "quantitative", "title": "share of employment (%)"},
            "color": {"field": "sector", "type": "nominal", "legend": None,
                      "scale": {"domain": words, "range": _cycle(SECTOR_COLOURS, len(words))}},
            "strokeWidth": {"condition": {"test": "datum.target", "value": 2.5}, "value": 0},
            "tooltip": [{"field": "sector"}, {"field": "share", "title": "city (%)", "format": ".3~g"},
                        {"field": "yrd", "title": "YRD (%)", "format": ".3~g"}, {"field": "target"}],
        },
    }
    average = {"mark": {"type": "tick", "color": "black", "thickness": 2},
               "encoding": {"y": sector_axis, "x": {"field": "yrd", "type": "quantitative"}}}
    runs = {"this run": history} if baseline is None else {"this run": history, "baseline": baseline}
    over_time = []
    for column, scale, title in (("population", 1e-6, "Population (million)"),
                                 ("wage", 1e-3, "Average wage (thousand yuan / yr)")):
        latest = {run: table[column].to_numpy(dtype=float)[len(years) - 1] * scale for run, table in runs.items()}
        text = f"{title}: {latest['this run']:.4g}"
        if baseline is not None:
            text += f" (baseline {latest['baseline']:.4g})"
        rows = [{"run": run, "year": _round(y), "value": _round(v * scale, 6)} for run, table in runs.items()
                for y, v in zip(years, table[column].to_numpy(dtype=float)[:len(years)], strict=True)]
        over_time.append({
            "title": {"text": text, "anchor": "start", "fontSize": 12},
            "width": width, "height": 90,
            "data": inline(rows),
            "mark": {"type": "line", "point": len(years) <= POINTS_UP_TO, "strokeWidth": 2, "color": SECTOR_COLOURS[0]},
            "encoding": {"x": _year_axis(years),
                         "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
                         "strokeDash": _run_dash(),
                         "tooltip": [{"field": "run"}, {"field": "year", "format": ".2f"},
                                     {"field": "value", "format": ",.4~g"}]},
        })
    return {
        "$schema": SCHEMA,
        "vconcat": [
            {"title": {"text": f"{name} ({province}): sector mix", "anchor": "start",
                       "subtitle": "black tick: YRD average; outlined: target sector this year"},
             "width": width, "height": 16 * len(words), "data": inline(mix), "layer": [bars, average]},
            *over_time,
        ],
        "spacing": 14,
        "config": {"axis": {"labelFontSize": 10}},
    }


def _year_axis(years: np.ndarray, ticks: int = 6) -> dict[str, Any]:
    """A calendar-time x axis with ticks on whole years only (at least one year wide)."""
    low = float(years.min())
    high = max(float(years.max()), low + 1.0)
    every = max(1, int(np.ceil((high - low) / ticks)))
    values = list(range(int(np.ceil(low)), int(np.floor(high)) + 1, every))
    return {"field": "year", "type": "quantitative", "title": None, "scale": {"domain": [low, high], "nice": False},
            "axis": {"format": "d", "values": values}}


def _cycle(colours: Sequence[str], count: int) -> list[str]:
    return [colours[k % len(colours)] for k in range(count)]


def _round(value: float, digits: int = 4) -> float | None:
    """JSON-safe rounding: NaN and infinity become None (Vega reads null as missing)."""
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None
