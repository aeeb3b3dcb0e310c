"""Maps of the 41 YRD cities with matplotlib: a choropleth of one number per city.

The cities are drawn from their real (simplified) boundaries (:mod:`ydabm.geography.boundaries`),
province outlines on top, on an equirectangular lon/lat frame whose aspect is 1 / cos(mean latitude),
so that a degree east and a degree north have their true relative lengths in the middle of the map.
Used by the reports; the browser app draws the same geometry with Vega-Lite (:mod:`ydabm.viz.charts`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from ..geography.boundaries import city_polygons, label_points, province_outlines, ring_area

NO_DATA = "#d9d9d9"  # a city without a value
CITY_EDGE = "white"
PROVINCE_EDGE = "#252525"
MARGIN = 0.15  # degrees of empty space around the cities


def display_name(city: str) -> str:
    """A model city name as a map label: ``Suzhou_JS`` -> ``Suzhou`` (the map says which one)."""
    return city.split("_")[0]


@functools.cache
def city_paths() -> dict[str, Path]:
    """Each city's boundary as one compound matplotlib path (holes run clockwise, so they stay empty)."""
    paths = {}
    for city, polygons in city_polygons().items():
        rings = [ring for polygon in polygons for ring in polygon]
        codes = [np.r_[Path.MOVETO, np.full(len(ring) - 2, Path.LINETO), Path.CLOSEPOLY] for ring in rings]
        paths[city] = Path(np.concatenate(rings), np.concatenate(codes).astype(Path.code_type))
    return paths


def aspect() -> float:
    """Height of a degree of latitude relative to a degree of longitude, in the middle of the map."""
    lat = np.concatenate([ring[:, 1] for polygons in city_polygons().values() for p in polygons for ring in p])
    return float(1 / np.cos(np.deg2rad((lat.min() + lat.max()) / 2)))


def choropleth(ax: Axes, values: pd.Series | Mapping[str, float], *, cmap: str | Colormap = "viridis",
               norm: Normalize | None = None, vmin: float | None = None, vmax: float | None = None,
               label: str | None = None, annotate: bool = False) -> ScalarMappable:
    """Colour each city's area by its value, with the province outlines drawn on top.

    Args:
        ax: the axes to draw in; its aspect becomes 1 / cos(mean latitude) and its frame is hidden.
        values: a number per city, indexed by the model's city names (``Shanghai``, ``Suzhou_JS``,
            ``Taizhou_ZJ``, ... as in ``model.geography.names``); cities absent or NaN are drawn
            light grey.
        cmap: a colormap or its name.
        norm: how values map to colours, e.g. ``TwoSlopeNorm(0)`` for a quantity centred on zero;
            by default a linear scale from ``vmin`` to ``vmax``.
        vmin, vmax: ends of the default linear scale (the values' range when not given); not with ``norm``.
        label: when given, a colour bar with this label (include the unit) is added beside ``ax``.
        annotate: write the city names, those that fit without overlapping (larger cities first).

    Returns:
        The cities' collection, a ScalarMappable for ``fig.colorbar(...)``.

    Raises:
        ValueError: a name in ``values`` is not a model city, or both ``norm`` and ``vmin``/``vmax`` are given.

    Example::

        fig, ax = plt.subplots(figsize=(6, 6))
        choropleth(ax, history.loc[last, "wage"], cmap="magma", label="Wage (yuan / yr)", annotate=True)
    """
    paths = city_paths()
    series = pd.Series(values, dtype=float)
    unknown = sorted(set(series.index) - set(paths))
    if unknown:
        raise ValueError(f"not model cities: {', '.join(map(str, unknown))}; known: {', '.join(paths)}")
    if norm is not None and (vmin is not None or vmax is not None):
        raise ValueError("pass either norm or vmin/vmax, not both")
    cities = list(paths)
    colormap = (mpl.colormaps[cmap] if isinstance(cmap, str) else cmap).with_extremes(bad=NO_DATA)
    collection = PatchCollection([PathPatch(paths[c]) for c in cities], cmap=colormap,
                                 norm=norm if norm is not None else Normalize(vmin, vmax),
                                 edgecolor=CITY_EDGE, linewidth=0.5, zorder=1)
    collection.set_array(np.ma.masked_invalid(series.reindex(cities).to_numpy()))
    collection.autoscale_None()
    ax.add_collection(collection)
    outlines = [line for lines in province_outlines().values() for line in lines]
    ax.add_collection(LineCollection(outlines, colors=PROVINCE_EDGE, linewidths=1.2, zorder=2,
                                     capstyle="round", joinstyle="round"))
    everything = np.concatenate(outlines)
    ax.set_xlim(everything[:, 0].min() - MARGIN, everything[:, 0].max() + MARGIN)
    ax.set_ylim(everything[:, 1].min() - MARGIN, everything[:, 1].max() + MARGIN)
    ax.set_aspect(aspect())
    ax.set_axis_off()
    if label is not None:
        ax.figure.colorbar(collection, ax=ax, label=label, shrink=0.7)
    if annotate:
        _annotate(ax, cities)
    return collection


def _annotate(ax: Axes, cities: list[str], fontsize: float = 6.5) -> None:
    """City names at their label points, where they fit, largest cities (by area) first."""
    ax.apply_aspect()  # the axes take their final box now, so that pixel sizes are right
    points = np.array([label_points()[c] for c in cities])
    pixels = ax.transData.transform(points)
    scale = ax.figure.dpi / 72 * fontsize
    sizes = np.array([[0.6 * scale * len(display_name(c)), 1.2 * scale] for c in cities])
    areas = [sum(ring_area(p[0]) for p in city_polygons()[c]) for c in cities]
    placed = place_labels(pixels, sizes, priority=np.argsort(areas)[::-1])
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    for k, at in placed.items():
        x, y = ax.transData.inverted().transform(at)
        ax.text(x, y, display_name(cities[k]), fontsize=fontsize, ha="center", va="center", zorder=3,
                path_effects=halo)


def place_labels(anchors: np.ndarray, sizes: np.ndarray, priority: Sequence[int] | None = None,
                 padding: float = 1.0) -> dict[int, tuple[float, float]]:
    """Greedy label placement: each label, in order of priority, takes the first of three spots (on
    its anchor, just above, just below) where its box overlaps no label placed before it.

    Args:
        anchors: (n, 2) label centres in a frame where y grows in either direction (pixels, say).
        sizes: (n, 2) width and height of each label's box, in the same units.
        priority: order in which labels are placed (default: as given).
        padding: extra space kept between two boxes.

    Returns:
        label index -> centre of its box, for the labels that fit; the others are left out.
    """
    anchors, sizes = np.asarray(anchors, dtype=float), np.asarray(sizes, dtype=float)
    order = range(len(anchors)) if priority is None else priority
    boxes: list[np.ndarray] = []
    placed = {}
    for k in order:
        half = sizes[k] / 2 + padding / 2
        for dy in (0.0, sizes[k, 1], -sizes[k, 1]):
            centre = anchors[k] + [0.0, dy]
            box = np.r_[centre - half, centre + half]
            if all(box[0] >= b[2] or box[2] <= b[0] or box[1] >= b[3] or box[3] <= b[1] for b in boxes):
                boxes.append(box)
                placed[int(k)] = (float(centre[0]), float(centre[1]))
                break
    return placed
