"""Geographies: the 41 YRD cities from shipped 2020 data, a two-city economy, a racetrack.

A :class:`Geography` holds what the model needs about places: names, provinces, 2020 population and
GDP with sector shares (YRD only), hukou population, positions, the transport graph and the
shortest-path travel-time matrix that drives trade and migration costs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ..params import ParameterError
from ..paths import configs_dir

DATA_DIR = Path(__file__).resolve().parent / "data"
TERMINAL_MINUTES = 10.0  # added per rail trip at terminals (data/SOURCES.md)


@dataclass
class Geography:
    """Places and distances.

    Attributes:
        names: city names (unique).
        provinces: province name of each city.
        province_index: integer province id of each city (0..P-1).
        population: resident population, persons (2020 census for the YRD).
        gdp: nominal GDP, yuan per year.
        broad_shares: (C, 3) primary/secondary/tertiary shares of GDP.
        hukou_population: registered population, persons.
        positions: (C, 2) x, y for drawing (lon, lat for the YRD).
        graph: networkx graph, nodes 0..C-1 with ``name``; edges with ``hours`` and ``modes``.
        hours: (C, C) shortest-path travel time in hours.
        border: (C, C) provincial border effect between cities (0 within a province).
        synthetic: True for the two-city and racetrack economies.
    """

    names: list[str]
    provinces: list[str]
    province_index: np.ndarray
    population: np.ndarray
    gdp: np.ndarray
    broad_shares: np.ndarray
    hukou_population: np.ndarray
    positions: np.ndarray
    graph: nx.Graph
    hours: np.ndarray
    border: np.ndarray
    synthetic: bool = False

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def province_names(self) -> list[str]:
        """The provinces in the order of their ids (``province_index``)."""
        return list(dict.fromkeys(self.provinces))

    @property
    def cross_province(self) -> np.ndarray:
        """(C, C) True where two cities are in different provinces."""
        return self.province_index[:, None] != self.province_index[None, :]

    def with_links(self, links: pd.DataFrame) -> Geography:
        """A copy with extra links (columns city_a, city_b, hours) and recomputed travel times."""
        graph = self.graph.copy()
        _add_links(graph, links, self.names, mode="new")
        return _replace_graph(self, graph)


def build_geography(kind: str = "yrd", network_file: str = "", racetrack_cities: int = 12,
                    trade_cost: float = 1.7) -> Geography:
    """Build the geography named by the model parameters.

    Args:
        kind: ``yrd``, ``two_city`` or ``racetrack``.
        network_file: for the YRD, an optional CSV of links (city_a, city_b, hours) replacing the
            shipped 2020 rail and road network.
        racetrack_cities: number of cities on the racetrack.
        trade_cost: for synthetic geographies, the iceberg factor T between neighbours; the distance
            between neighbours is ln(T) "hours" so that a sector with tau = 1 per hour pays exactly T.
    """
    if kind == "yrd":
        return _yrd(network_file)
    if kind == "two_city":
        return _ring(2, trade_cost)
    if kind == "racetrack":
        return _ring(racetrack_cities, trade_cost)
    raise ParameterError(f"geography: {kind!r} is not one of yrd, two_city, racetrack")


def load_city_table() -> pd.DataFrame:
    """The 41 cities with 2020 census population, GDP, shares, hukou population (shipped data)."""
    cities = pd.read_csv(DATA_DIR / "yrd_cities_2020.csv")
    hukou = pd.read_csv(DATA_DIR / "yrd_hukou_employment.csv")
    return cities.merge(hukou, on="city_en", how="left", validate="one_to_one")


def load_innovation_table() -> pd.DataFrame:
    """2020 R&D expenditure, R&D intensity (% of GDP) and invention patents granted by province
    (shipped data, indexed by province)."""
    return pd.read_csv(DATA_DIR / "yrd_innovation_2020.csv").set_index("province")


def _yrd(network_file: str) -> Geography:
    table = load_city_table()
    names = table["city_en"].tolist()
    provinces = table["province"].tolist()
    graph = nx.Graph()
    for i, row in table.iterrows():
        graph.add_node(i, name=row["city_en"], province=row["province"], pos=(row["lon"], row["lat"]))
    if network_file:
        links = _read_links(network_file)
        _add_links(graph, links, names, mode="custom")
    else:
        rail = pd.read_csv(DATA_DIR / "yrd_rail_links_2020.csv")
        rail = rail.assign(hours=(rail["est_in_vehicle_min"] + TERMINAL_MINUTES) / 60.0)
        road = pd.read_csv(DATA_DIR / "yrd_road_links_proxy.csv").rename(columns={"est_hours": "hours"})
        _add_links(graph, rail, names, mode="rail")
        _add_links(graph, road, names, mode="road")
    order = sorted(set(provinces), key=provinces.index)
    province_index = np.array([order.index(p) for p in provinces])
    geo = Geography(
        names=names, provinces=provinces, province_index=province_index,
        population=table["pop_2020_10k"].to_numpy() * 1e4,
        gdp=table["gdp_2020_100m_yuan"].to_numpy() * 1e8,
        broad_shares=_normalise(table[["primary_share", "secondary_share", "tertiary_share"]].to_numpy()),
        hukou_population=table["hukou_end2020_10k"].to_numpy() * 1e4,
        positions=table[["lon", "lat"]].to_numpy(),
        graph=graph, hours=np.zeros((0, 0)), border=_border_matrix(provinces),
    )
    return _replace_graph(geo, graph)


def _ring(count: int, trade_cost: float) -> Geography:
    step = float(np.log(trade_cost))
    graph = nx.cycle_graph(count) if count > 2 else nx.path_graph(count)
    angles = 2 * np.pi * np.arange(count) / count
    positions = np.column_stack([np.cos(angles), np.sin(angles)])
    for node in graph.nodes:
        graph.nodes[node].update(name=f"city_{node}", province="all", pos=tuple(positions[node]))
    for a, b in graph.edges:
        graph.edges[a, b].update(hours=step, modes="synthetic")
    geo = Geography(
        names=[f"city_{i}" for i in range(count)], provinces=["all"] * count,
        province_index=np.zeros(count, dtype=int),
        population=np.full(count, 1e6), gdp=np.full(count, 1e10),
        broad_shares=np.tile([0.5, 0.5, 0.0], (count, 1)),
        hukou_population=np.full(count, 1e6), positions=positions, graph=graph,
        hours=np.zeros((0, 0)), border=np.zeros((count, count)), synthetic=True,
    )
    return _replace_graph(geo, graph)


def _replace_graph(geo: Geography, graph: nx.Graph) -> Geography:
    if not nx.is_connected(graph):
        parts = sorted(nx.connected_components(graph), key=len)
        lonely = sorted(graph.nodes[n]["name"] for n in parts[0])
        raise ParameterError(f"network_file: the network is disconnected; unreachable cities: {', '.join(lonely)}")
    lengths = dict(nx.all_pairs_dijkstra_path_length(graph, weight="hours"))
    n = graph.number_of_nodes()
    hours = np.array([[lengths[i][j] for j in range(n)] for i in range(n)])
    return Geography(**{**geo.__dict__, "graph": graph, "hours": hours})


def _read_links(path: str) -> pd.DataFrame:
    try:
        links = pd.read_csv(path)
    except FileNotFoundError:
        raise ParameterError(f"network_file: {path} does not exist") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ParameterError(f"network_file: {path} is not a readable CSV ({err})") from None
    missing = {"city_a", "city_b", "hours"} - set(links.columns)
    if missing:
        raise ParameterError(f"network_file: {path} lacks column(s) {', '.join(sorted(missing))}; needs city_a, city_b, hours")
    hours = pd.to_numeric(links["hours"], errors="coerce")
    if hours.isna().any() or (hours <= 0).any():
        raise ParameterError(f"network_file: column hours must hold positive numbers (row {int((hours.isna() | (hours <= 0)).idxmax()) + 2})")
    return links.assign(hours=hours)


def _add_links(graph: nx.Graph, links: pd.DataFrame, names: list[str], mode: str) -> None:
    index = {name: i for i, name in enumerate(names)}
    for _, row in links.iterrows():
        for end in ("city_a", "city_b"):
            if row[end] not in index:
                raise ParameterError(f"network_file: {end} {row[end]!r} is not a known city; known: {', '.join(names)}")
        a, b, hours = index[row["city_a"]], index[row["city_b"]], float(row["hours"])
        if graph.has_edge(a, b):
            edge = graph.edges[a, b]
            edge["modes"] = f"{edge['modes']}+{mode}"
            edge["hours"] = min(edge["hours"], hours)
        else:
            graph.add_edge(a, b, hours=hours, modes=mode)


def _border_matrix(provinces: list[str]) -> np.ndarray:
    table = tomllib.loads((configs_dir() / "border_effects.toml").read_text())["effects"]
    default = float(table.get("default", 0.0))
    n = len(provinces)
    border = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if provinces[i] != provinces[j]:
                key = "-".join(sorted((provinces[i], provinces[j])))
                border[i, j] = float(table.get(key, default))
    return border


def _normalise(shares: np.ndarray) -> np.ndarray:
    return shares / shares.sum(axis=1, keepdims=True)


def great_circle_km(lat1, lon1, lat2, lon2):
    """Haversine distance in km between points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def upgrade_links(until_year: int) -> pd.DataFrame:
    """Rail lines opened after 2020 up to ``until_year`` with estimated travel hours.

    Hours follow the shipped data's heuristic: 60 * 1.1 * km / (0.8 * design speed) minutes in the
    vehicle plus 10 minutes at terminals (data/SOURCES.md).
    """
    lines = pd.read_csv(configs_dir() / "network_upgrades.csv")
    lines = lines[lines["opened"] <= until_year]
    table = load_city_table().set_index("city_en")
    a, b = table.loc[lines["city_a"]], table.loc[lines["city_b"]]
    km = great_circle_km(a["lat"].to_numpy(), a["lon"].to_numpy(), b["lat"].to_numpy(), b["lon"].to_numpy())
    minutes = 60 * 1.1 * km / (0.8 * lines["design_speed_kmh"].to_numpy()) + TERMINAL_MINUTES
    return lines.assign(hours=minutes / 60.0)
