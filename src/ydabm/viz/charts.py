"""Vega-Lite specifications of one run: the city network map, the indicator charts and a city's panel.

Pure functions from arrays to Vega-Lite v5 specifications (plain dicts); nothing here knows the model
or Solara. The browser draws them with the ``vega@5``, ``vega-lite@5`` and ``vega-embed@6`` bundles
from Solara's CDN cache, so the server only builds a small dict per redraw (the same three figures
in matplotlib cost about 1.3 s of server CPU per step on two cores) and the spec version matches the
library that draws it (altair 6 would emit Vega-Lite 6 specs).
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
from scipy.spatial import Voronoi

# vega-embed reads the version from this URL; nothing fetches it
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Tableau 10 plus two from Tableau 20b: one fixed colour per sector, so colours never move between steps
SECTOR_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac", "#393b79", "#8c6d31")
# pale tints, so that the sector colours of the cities stay readable on top of them
PROVINCE_TINTS = ("#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9d9d9")
PROVINCE_BORDER = "#525252"
LINK_STYLES = {"within a province": ("#636363", (1, 0)), "across provinces (dashed)": ("#b2182b", (5, 3))}
CITY_REACH = 0.8  # degrees of latitude: how far a city's province tint reaches around it
LARGEST_NODE = 1000.0  # circle area (px^2) of a city with the reference population
POINTS_UP_TO = 12  # time series mark each step with a point while they are this short


@dataclass(frozen=True)
class NodeColours:
    """How to colour the cities on the map.

    Attributes:
        label: legend title, with the unit.
        values: (C,) a number per city, or a category index per city when ``categories`` is given.
        categories: names of the categories (sectors), or None for a continuous quantity.
        diverging: centre the colour scale on zero (e.g. net migration).
    """

    label: str
    values: np.ndarray
    categories: tuple[str, ...] | None = None
    diverging: bool = False


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


# ---------------------------------------------------------------------------------------- map geometry
def planar(positions: np.ndarray) -> np.ndarray:
    """(C, 2) lon, lat -> map coordinates in degrees of latitude (lon scaled by cos of the mean latitude)."""
    positions = np.asarray(positions, dtype=float)
    return positions * [np.cos(np.deg2rad(positions[:, 1].mean())), 1.0]


def clip_convex(subject: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Intersection of a polygon with a convex window (Sutherland-Hodgman).

    Args:
        subject: (n, 2) polygon vertices in order.
        window: (m, 2) convex polygon, counter-clockwise.

    Returns:
        (k, 2) vertices of the intersection (k = 0 when they do not overlap).
    """
    output = [np.asarray(p, dtype=float) for p in subject]
    for a, b in zip(window, np.roll(window, -1, axis=0), strict=True):
        edge = b - a
        points, output = output, []
        for k, current in enumerate(points):
            previous = points[k - 1]
            inside_now = _cross(edge, current - a) >= 0
            inside_before = _cross(edge, previous - a) >= 0
            if inside_now != inside_before:
                output.append(_intersection(previous, current, a, b))
            if inside_now:
                output.append(current)
        if not output:
            break
    return np.array(output).reshape(-1, 2)


def _cross(u: np.ndarray, v: np.ndarray) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def _intersection(p: np.ndarray, q: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Point where segment p-q crosses the line through a and b."""
    direction = q - p
    t = _cross(b - a, a - p) / _cross(b - a, direction)
    return p + t * direction


def clip_segment_to_disc(start: np.ndarray, end: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray | None:
    """The part of segment start-end within ``radius`` of ``centre``, as (2, 2), or None."""
    direction = end - start
    offset = start - centre
    a, b, c = direction @ direction, 2 * direction @ offset, offset @ offset - radius**2
    discriminant = b * b - 4 * a * c
    if a == 0 or discriminant <= 0:
        return None
    root = np.sqrt(discriminant)
    low, high = max((-b - root) / (2 * a), 0.0), min((-b + root) / (2 * a), 1.0)
    if low >= high:
        return None
    return np.array([start + low * direction, start + high * direction])


def province_areas(points: np.ndarray, province_index: np.ndarray,
                   reach: float = CITY_REACH) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Approximate province areas from city points alone (no boundary data is shipped).

    Each city gets its Voronoi cell (the places nearer to it than to any other city) within
    ``reach`` of it; a province is the union of its cities' cells. The points of a cell within reach
    of any city are within reach of the cell's own city, so clipping each cell by its own city's
    disc gives exactly the cells within reach of the cities.

    Args:
        points: (C, 2) planar map coordinates (see `planar`).
        province_index: (C,) province id of each city.
        reach: radius of a city's disc, in the units of ``points``.

    Returns:
        The C clipped cells ((k, 2) polygons, counter-clockwise) and the border segments ((2, 2)
        each): the clipped cell edges between two cities of different provinces.
    """
    points = np.asarray(points, dtype=float)
    count = len(points)
    span = np.ptp(points, axis=0).max() + 1.0
    # four far corners make every city's cell finite
    corners = points.mean(axis=0) + 10 * span * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    diagram = Voronoi(np.vstack([points, corners]))
    angles = np.linspace(0, 2 * np.pi, 33)[:-1]
    disc = reach * np.column_stack([np.cos(angles), np.sin(angles)])
    cells = []
    for c in range(count):
        vertices = diagram.vertices[diagram.regions[diagram.point_region[c]]]
        around = np.arctan2(*(vertices - points[c]).T[::-1])
        cells.append(clip_convex(vertices[np.argsort(around)], points[c] + disc))
    borders = []
    for (a, b), ridge in zip(diagram.ridge_points, diagram.ridge_vertices, strict=True):
        if a < count and b < count and province_index[a] != province_index[b] and -1 not in ridge:
            segment = clip_segment_to_disc(*diagram.vertices[ridge], points[a], reach)
            if segment is not None:
                borders.append(segment)
    return cells, borders


# ---------------------------------------------------------------------------------------- specs
def network_spec(graph: nx.Graph, positions: np.ndarray, names: Sequence[str], provinces: Sequence[str],
                 province_index: np.ndarray, population: np.ndarray, colours: NodeColours,
                 reference_population: float, selected: int | None = None, title: str = "",
                 tooltips: dict[str, np.ndarray] | None = None, labels: int = 8,
                 width: int = 450, height: int = 540) -> dict[str, Any]:
    """The transport network drawn at the cities' coordinates, as a Vega-Lite spec.

    Province areas are tinted and outlined where they meet (see `province_areas`); links between
    provinces are dashed red, links within a province solid grey; circle area is proportional to
    population and circle colour follows ``colours``; the selected city is ringed. Every datum of
    the circles and the areas carries the city's name in ``city`` (for clicks) and tooltips.

    Args:
        graph: nodes 0..C-1; each edge is drawn as a straight line.
        positions: (C, 2) lon, lat.
        names: city names; the ``labels`` most populous cities and the selected one are labelled.
        provinces: province name of each city.
        province_index: (C,) province id of each city.
        population: (C,) residents, persons.
        colours: circle colouring.
        reference_population: population drawn with area ``LARGEST_NODE`` (keep it fixed over a run
            so that growth shows).
        selected: city to ring and label, if any.
        title: chart title.
        tooltips: extra tooltip columns: label -> (C,) values.
        labels: number of most populous cities to label.
        width, height: size of the map in pixels.
    """
    positions = np.asarray(positions, dtype=float)
    points = planar(positions)
    province_index = np.asarray(province_index)
    population = np.asarray(population, dtype=float)
    order = sorted(set(provinces), key=list(provinces).index)
    areas, segments = _background(tuple(map(tuple, points)), tuple(names), tuple(provinces),
                                  tuple(province_index.tolist()))
    area = LARGEST_NODE * population / reference_population
    shown = set(np.argsort(-population)[:labels].tolist()) | ({selected} - {None})
    sides = label_sides(points, sorted(shown))
    nodes = []
    for c in range(len(names)):
        node = {"city": names[c], "province": provinces[c], "x": _round(points[c, 0]), "y": _round(points[c, 1]),
                "lon": _round(positions[c, 0]), "lat": _round(positions[c, 1]), "population": round(float(population[c])),
                "area": round(max(float(area[c]), 12.0), 1), "label": c in shown, "selected": c == selected,
                "side": sides.get(c, "right")}
        value = colours.values[c]
        node["colour"] = colours.categories[int(value)] if colours.categories else _round(float(value))
        for label, values in (tooltips or {}).items():
            node[label] = _round(float(values[c]))
        nodes.append(node)
    edges = np.array(list(graph.edges()), dtype=int).reshape(-1, 2)
    links_kind = list(LINK_STYLES)
    links = [
        {"x": _round(points[a, 0]), "y": _round(points[a, 1]), "x2": _round(points[b, 0]), "y2": _round(points[b, 1]),
         "link": links_kind[int(province_index[a] != province_index[b])],
         "hours": _round(graph.edges[a, b].get("hours", float("nan"))), "modes": graph.edges[a, b].get("modes", ""),
         "between": f"{names[a]} - {names[b]}"}
        for a, b in edges
    ]
    at = {"longitude": {"field": "x", "type": "quantitative"}, "latitude": {"field": "y", "type": "quantitative"}}
    to = {"longitude2": {"field": "x2"}, "latitude2": {"field": "y2"}}
    city_tooltip = [
        {"field": "city", "title": "City"}, {"field": "province", "title": "Province"},
        {"field": "population", "title": "Population", "format": ",.0f"},
        {"field": "colour", "title": colours.label, **({} if colours.categories else {"format": ",.4~g"})},
        *({"field": label, "format": ",.4~g"} for label in (tooltips or {})),
    ]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": "circle area ∝ population; shading: province of the nearest city; click a city to select it", "anchor": "start"},
        "width": width,
        "height": height,
        "projection": {"type": "identity", "reflectY": True},
        "layer": [
            {"data": areas, "mark": {"type": "geoshape", "strokeWidth": 0},
             "encoding": {"color": {"field": "properties.province", "type": "nominal", "title": "Province",
                                    "scale": {"domain": order, "range": _cycle(PROVINCE_TINTS, len(order))}},
                          "tooltip": [{"field": "properties.city", "title": "City"},
                                      {"field": "properties.province", "title": "Province"}]}},
            {"data": segments, "mark": {"type": "rule", "color": PROVINCE_BORDER, "strokeWidth": 1.8},
             "encoding": {**at, **to}},
            *({"data": inline([link for link in links if link["link"] == kind]),
               "mark": {"type": "rule", "strokeWidth": 1.3, "strokeDash": list(dash)},
               "encoding": {**at, **to,
                            "color": {"field": "link", "type": "nominal", "title": "Transport link",
                                      "scale": {"domain": links_kind, "range": [c for c, _ in LINK_STYLES.values()]},
                                      # one legend for both layers: each layer has its own colour scale
                                      "legend": {"symbolType": "stroke", "symbolStrokeWidth": 2} if first else None},
                            "tooltip": [{"field": "between", "title": "Link"}, {"field": "hours", "title": "Hours"},
                                        {"field": "modes", "title": "Modes"}]}}
              for first, (kind, (_, dash)) in zip((True, False), LINK_STYLES.items(), strict=True)),
            {"name": "cities", "data": inline(nodes), "mark": {"type": "circle", "opacity": 1, "stroke": "black", "strokeWidth": 0.7},
             "encoding": {**at, "size": {"field": "area", "type": "quantitative", "scale": None},
                          "color": _node_colour(colours), "tooltip": city_tooltip}},
            {"data": inline([n for n in nodes if n["selected"]]),
             "mark": {"type": "circle", "filled": False, "stroke": "black", "strokeWidth": 2.5},
             "encoding": {**at, "size": {"field": "area", "type": "quantitative", "scale": None}}},
            *_label_layers([n for n in nodes if n["label"]], at),
        ],
        "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}},
        "config": {"view": {"stroke": None}, "legend": {"labelFontSize": 11, "titleFontSize": 11}},
    }


def label_sides(points: np.ndarray, labelled: Sequence[int], reach: float = 1.5, band: float = 0.4) -> dict[int, str]:
    """Put a label on the left of its city when another labelled city lies just east of it.

    Labels run to the right of their city by default; a neighbour less than ``reach`` to the east
    and within ``band`` north or south would sit on that label (Suzhou beside Shanghai).

    Returns:
        city index -> ``"left"`` or ``"right"``.
    """
    points = np.asarray(points, dtype=float)
    sides = {}
    for c in labelled:
        east = [o for o in labelled if 0 < points[o, 0] - points[c, 0] < reach and abs(points[o, 1] - points[c, 1]) < band]
        sides[c] = "left" if east else "right"
    return sides


def _label_layers(labelled: list[dict[str, Any]], at: dict[str, Any]) -> list[dict[str, Any]]:
    """City names beside their circles, on a white halo (a stroked copy drawn underneath)."""
    layers = []
    for side, align, dx in (("right", "left", 7), ("left", "right", -7)):
        data = inline([n for n in labelled if n["side"] == side])
        text = {"type": "text", "align": align, "dx": dx, "dy": -7, "fontSize": 11, "fontWeight": 600}
        layers.append({"data": data, "mark": {**text, "stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.8},
                       "encoding": {**at, "text": {"field": "city"}}})
        layers.append({"data": data, "mark": text, "encoding": {**at, "text": {"field": "city"}}})
    return layers


@functools.lru_cache(maxsize=4)
def _background(points: tuple, names: tuple, provinces: tuple, province_index: tuple) -> tuple[dict, dict]:
    """Inline data of the province areas (GeoJSON features) and borders; fixed for a set of cities."""
    cells, borders = province_areas(np.array(points), np.array(province_index))
    areas = [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [_ring(cell)]},
         "properties": {"city": names[c], "province": provinces[c]}}
        for c, cell in enumerate(cells) if len(cell) >= 3
    ]
    segments = [{"x": _round(s[0, 0]), "y": _round(s[0, 1]), "x2": _round(s[1, 0]), "y2": _round(s[1, 1])}
                for s in borders]
    return inline(areas), inline(segments)


def inline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Vega-Lite inline data as one JSON string.

    A string, not a list of dicts: Solara's renderer walks every nested value of a widget's
    arguments on each render, which for a few thousand coordinates cost more than the model's step.
    """
    return {"values": json.dumps(rows, separators=(",", ":"), allow_nan=False), "format": {"type": "json"}}


def _node_colour(colours: NodeColours) -> dict[str, Any]:
    if colours.categories is not None:
        present = sorted(set(np.asarray(colours.values, dtype=int).tolist()))
        return {"field": "colour", "type": "nominal", "title": colours.label,
                "scale": {"domain": [colours.categories[k] for k in present],
                          "range": [SECTOR_COLOURS[k % len(SECTOR_COLOURS)] for k in present]}}
    scale = {"scheme": "redblue", "domainMid": 0} if colours.diverging else {"scheme": "viridis"}
    return {"field": "colour", "type": "quantitative", "title": colours.label, "scale": scale,
            "legend": {"format": "~s"}}


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
    Panel("Zombie firms (% of firms)", (("zombie_share", "zombie share"),), 100.0),
    Panel("Real GDP (trillion yuan / yr)", (("real_gdp", "real GDP"),), 1e-4),
    Panel("Theil index of GDP per capita", (("theil_index", "total"), ("theil_between_provinces", "between provinces"))),
    Panel("Inter-provincial share (%)", (("interprovincial_trade_share", "of trade"),
                                         ("interprovincial_migration_share", "of migrants")), 100.0),
)


def indicators_spec(history: pd.DataFrame, years: np.ndarray, panels: Sequence[Panel] = INDICATORS,
                    columns: int = 3, width: int = 270, height: int = 120) -> dict[str, Any]:
    """Model-level indicators over time, one small line chart per :class:`Panel`.

    Args:
        history: one row per recorded step, with the panels' series as columns.
        years: (T,) calendar time of each row (year + quarter / 4).
        panels: charts to draw.
        columns: charts per row.
        width, height: size of each chart in pixels.
    """
    years = np.asarray(years, dtype=float)
    charts, rows = [], []
    for panel in panels:
        for column, label in panel.series:
            values = history[column].to_numpy(dtype=float) * panel.scale
            rows.extend({"panel": panel.title, "series": label, "year": _round(y), "value": _round(v, 6)}
                        for y, v in zip(years, values, strict=True))
        now = float(history[panel.series[0][0]].iloc[-1]) * panel.scale
        several = len(panel.series) > 1
        legend = {"orient": "bottom", "direction": "horizontal", "title": None} if several else None
        domain = [label for _, label in panel.series]
        charts.append({
            "title": {"text": f"{panel.title}: {now:.3g}", "anchor": "start", "fontSize": 12},
            "width": width, "height": height,
            "transform": [{"filter": {"field": "panel", "equal": panel.title}}],
            "mark": {"type": "line", "point": len(years) <= POINTS_UP_TO, "strokeWidth": 2},
            "encoding": {
                "x": _year_axis(years),
                "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
                "color": {"field": "series", "type": "nominal", "scale": {"domain": domain}, "legend": legend},
                "tooltip": [{"field": "series"}, {"field": "year", "format": ".2f"},
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


def city_spec(name: str, province: str, sectors: Sequence[str], shares: np.ndarray, region_shares: np.ndarray,
              targets: np.ndarray, history: pd.DataFrame, years: np.ndarray, width: int = 300) -> dict[str, Any]:
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
    over_time = []
    for column, scale, title in (("population", 1e-6, "Population (million)"),
                                 ("wage", 1e-3, "Average wage (thousand yuan / yr)")):
        values = history[column].to_numpy(dtype=float) * scale
        over_time.append({
            "title": {"text": f"{title}: {values[-1]:.4g}", "anchor": "start", "fontSize": 12},
            "width": width, "height": 90,
            "data": inline([{"year": _round(y), "value": _round(v, 6)} for y, v in zip(years, values, strict=True)]),
            "mark": {"type": "line", "point": len(years) <= POINTS_UP_TO, "strokeWidth": 2, "color": SECTOR_COLOURS[0]},
            "encoding": {"x": _year_axis(years),
                         "y": {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}},
                         "tooltip": [{"field": "year", "format": ".2f"}, {"field": "value", "format": ",.4~g"}]},
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


def _ring(cell: np.ndarray) -> list[list[float]]:
    closed = np.vstack([cell, cell[:1]])
    return [[_round(x), _round(y)] for x, y in closed]


def _cycle(colours: Sequence[str], count: int) -> list[str]:
    return [colours[k % len(colours)] for k in range(count)]


def _round(value: float, digits: int = 4) -> float | None:
    """JSON-safe rounding: NaN and infinity become None (Vega reads null as missing)."""
    value = float(value)
    return round(value, digits) if np.isfinite(value) else None
