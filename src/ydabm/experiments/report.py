"""The standard figures of a sweep's results (reads saved results only; matplotlib, Agg).

``make_report(results, baseline=None)`` draws the metrics the spec kept (``metrics = [...]``; the
headline metrics when it kept all) in the figures that fit the design:

* a two-factor grid (two varied parameters, a scenario and a parameter, or ``barrier`` x
  ``specialization`` among more): per metric the cell means, every cell against the baseline cell,
  the interaction (cell mean minus the additive prediction of the two main effects) and the effect of
  the first factor at each level of the second, with 95 % intervals; an overview of the cell means;
* a one-dimensional grid (or each parameter of a larger one): the metric at each value, with the
  runs and 95 % intervals, hollow where it is within noise of the baseline value;
* ``scenario`` varied: each scenario minus the baseline scenario (points with 95 % intervals, not
  bars from zero), and over time when series were kept;
* Sobol designs: first-order and total Sobol indices as bars; Morris designs: mu* and sigma;
* maps, when the sweep kept its cities (``cities.parquet``) on the YRD geography: per city output
  (:data:`.city_outputs.MAPPED`), the effect by city of each scenario against the baseline scenario, or
  in a grid of the first factor's highest level against its lowest with the other factors at their
  baseline level; cities within noise grey (:func:`city_contrasts`, :func:`city_map_figure`).

The baseline cell is ``baseline`` (``{"barrier": 0.5}`` or ``"barrier=0.5,specialization=0.2"``);
factors it leaves out take the value the spec's scenario gives them (the declared default), when
that value is on the grid, else their first level (``baseline`` for scenarios). Effects, standard
errors and the noise rule are those of :mod:`.effects`; labels and units of :mod:`ydabm.labels`;
axis ranges and noise marking follow :mod:`ydabm.report`.

Each figure is written as PNG and PDF into ``<results>/figures/``. The functions that compute what
is drawn and draw it are public so that notebooks use them; importing this module leaves the
matplotlib backend alone (``ydabm report`` selects Agg).
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from ..labels import MODEL, metric_label, quantity, statistic_label, unit
from ..params import BY_NAME, ParameterError
from ..report import AXIS_NOTE, NOISE_COLOUR, NOISE_HATCH, RANGE_NOTE, WITHIN_NOISE, floor_span, floor_ylim
from . import effects
from .city_outputs import MAPPED
from .effects import Arm, Comparison, city_effects
from .spec import metric_column, report_statistic

HEADLINE = {name: MODEL[name].label for name in (
    "similarity_manufacturing", "capacity_utilization", "zombie_share", "real_gdp", "theil_index",
    "gini_gdp_per_capita", "unemployment_rate", "interprovincial_trade_share")}
BLUE, ORANGE = "#1f4e79", "#c55a11"


def scenario_label(name: str) -> str:
    """A scenario's name for figures: ``configs/scenarios/my_case.toml`` -> ``my_case``."""
    path = Path(str(name))
    return path.stem if path.suffix == ".toml" or len(path.parts) > 1 else str(name)


def level_label(factor: str, value: Any) -> str:
    """A factor level for figures: scenario names (and other texts) without paths, numbers with ``%g``."""
    return scenario_label(value) if isinstance(value, str) else f"{value:g}"


@dataclass
class Results:
    """A sweep's saved results: the run table, the series (if kept), the manifest and the city
    outputs (if kept: one row per finished run and city, in the statistic :attr:`rule`)."""

    path: Path
    runs: pd.DataFrame
    series: pd.DataFrame | None
    manifest: dict[str, Any]
    cities: pd.DataFrame | None = None

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished (failed runs have no values)."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def name(self) -> str:
        return self.manifest["name"]

    @property
    def varied(self) -> list[str]:
        return list(self.manifest["varied"])

    @property
    def method(self) -> str:
        return self.manifest["design"]["method"]

    @property
    def matched(self) -> bool:
        """Whether replicate k of every design point shares one seed (``common_seeds``)."""
        return bool(self.manifest["spec"].get("common_seeds"))

    @property
    def rule(self) -> str:
        """The statistic the report shows: the longest kept mean, else the final value."""
        return report_statistic(self.manifest["keep"])

    def column(self, metric: str) -> str:
        """The column that holds a metric's statistic (:attr:`rule`)."""
        return metric_column(metric, self.rule)

    def label(self, metric: str) -> str:
        """``Real GDP (100 M yuan/yr, 2020 prices), mean of the last 8 quarters``."""
        return metric_label(metric, self.rule)

    def headline(self) -> dict[str, str]:
        """The metrics the report shows -> their columns: the metrics the spec chose to keep
        (``metrics = [...]``), or the headline metrics when it kept every metric."""
        chosen = self.manifest["spec"].get("metrics") or list(HEADLINE)
        return {m: self.column(m) for m in chosen if self.column(m) in self.runs.columns}

    def levels(self, factor: str) -> list:
        """A varied factor's levels: scenarios in spec order, numbers ascending."""
        values = self.ok[factor] if len(self.ok) else self.runs[factor]
        return list(dict.fromkeys(values)) if factor == "scenario" else sorted(values.unique())

    def default_level(self, factor: str) -> Any:
        """The level that stands for "no change": ``baseline`` for scenarios; for a parameter the
        value of the spec's scenario (else its declared default) when on the grid, else the first."""
        levels = self.levels(factor)
        if factor == "scenario":
            return "baseline" if "baseline" in levels else levels[0]
        scenario = self.manifest.get("fingerprint", {}).get("scenarios", {}).get(self.manifest["spec"]["scenario"], {})
        usual = scenario.get("params", {}).get(factor, BY_NAME[factor].default)
        return next((v for v in levels if _close(v, usual)), levels[0])

    def baseline(self, factors: list[str], chosen: dict[str, Any] | str | None = None) -> dict[str, Any]:
        """The baseline cell over ``factors``: the ``chosen`` levels, the others by :meth:`default_level`.

        Raises:
            ParameterError: ``chosen`` names a factor that is not varied or a value not on the grid.
        """
        chosen = parse_cell(chosen) if isinstance(chosen, str) else dict(chosen or {})
        cell = {}
        for factor in chosen:
            if factor not in self.varied:
                raise ParameterError(f"--baseline: {factor} is not varied in {self.path}; "
                                     f"varied: {', '.join(self.varied)}")
        for factor in factors:
            levels = self.levels(factor)
            if factor not in chosen:
                cell[factor] = self.default_level(factor)
                continue
            wanted = chosen[factor]
            found = [v for v in levels if (scenario_label(v) == scenario_label(wanted) if factor == "scenario"
                                           else _close(v, wanted))]
            if not found:
                shown = ", ".join(level_label(factor, v) for v in levels)
                raise ParameterError(f"--baseline: {factor}={wanted} is not a level of {factor}; levels: {shown}")
            cell[factor] = found[0]
        return cell


def _close(value: Any, wanted: Any) -> bool:
    """Whether a level is the wanted value: numbers to rounding, texts exactly."""
    try:
        return math.isclose(float(value), float(wanted), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return str(value) == str(wanted)


def parse_cell(text: str) -> dict[str, str]:
    """``"barrier=0.5,specialization=0.2"`` -> ``{"barrier": "0.5", "specialization": "0.2"}``."""
    cell = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        if "=" not in item:
            raise ParameterError(f"--baseline expects key=value[,key=value], got {item!r}")
        key, value = (part.strip() for part in item.split("=", 1))
        cell[key] = value
    return cell


def load_results(path: str | Path) -> Results:
    """Read ``runs.parquet``, ``series.parquet`` and ``cities.parquet`` (if present) and
    ``manifest.json`` of a results folder.

    Raises:
        ParameterError: the folder holds no consolidated sweep results.
    """
    path = Path(path)
    if not (path / "runs.parquet").is_file() or not (path / "manifest.json").is_file():
        raise ParameterError(f"{path}: no runs.parquet and manifest.json here (is it a sweep's results folder?)")
    series = pd.read_parquet(path / "series.parquet") if (path / "series.parquet").is_file() else None
    cities = pd.read_parquet(path / "cities.parquet") if (path / "cities.parquet").is_file() else None
    return Results(path, pd.read_parquet(path / "runs.parquet"), series,
                   json.loads((path / "manifest.json").read_text()), cities)


# --------------------------------------------------------------------------- computations
def grid_factors(results: Results) -> tuple[str, str] | None:
    """The (x, y) factors of a two-factor grid: the two varied factors, or barrier x specialization
    when more vary; ``None`` for other designs."""
    if results.method != "grid":
        return None
    if len(results.varied) == 2:
        return results.varied[0], results.varied[1]
    if {"barrier", "specialization"} <= set(results.varied):
        return "barrier", "specialization"
    return None


def design_cells(results: Results, metric: str, factors: list[str] | None = None) -> effects.Cells:
    """The cell statistics of a metric over the grid of ``factors`` (default: every varied factor),
    in :meth:`Results.levels` order; paired by replicate when the sweep used common seeds and the
    factors are all that vary."""
    factors = factors or results.varied
    paired = "replicate" if results.matched and set(factors) == set(results.varied) else None
    return effects.cells(results.ok, results.column(metric), {f: results.levels(f) for f in factors}, paired)


def grid_effects(results: Results, metric: str, x: str, y: str, baseline: dict[str, Any]) -> pd.DataFrame:
    """Each cell of the ``y`` x ``x`` grid against the baseline cell, and each cell's interaction
    (:func:`.effects.cell_effects`); other varied factors are averaged over."""
    return effects.cell_effects(design_cells(results, metric, [y, x]), (baseline[y], baseline[x]))


def effect_along(design: effects.Cells, x_level: Any) -> pd.DataFrame:
    """In a two-factor design (y, x): the effect of moving x from ``x_level`` to each level, at each
    level of y, ``mean(y, x) - mean(y, x_level)``, with its 95 % interval (rows y, x; estimate columns)."""
    ys, xs = design.mean.index.unique(0), design.mean.index.unique(1)
    at = xs.get_loc(x_level)
    rows = []
    for i, j in np.ndindex(len(ys), len(xs)):
        coefficients = np.zeros((len(ys), len(xs)))
        coefficients[i, j] += 1.0
        coefficients[i, at] -= 1.0
        estimate = effects.contrast(design, coefficients)
        rows.append({"y": ys[i], "x": xs[j], **estimate.row(), "half_width": estimate.half_width})
    return pd.DataFrame(rows).set_index(["y", "x"])


def lever_effects(results: Results, levers: tuple[str, ...] = ("barrier", "specialization")) -> pd.DataFrame:
    """For each shown metric and lever of a grid: the mean at the lever's lowest and highest value
    (averaged over the cells of everything else), the change between them with its standard error
    and whether it is significant (:func:`.effects.marginal_effects`).

    Returns:
        One row per (metric, lever): ``at_min``, ``at_max``, ``change``, ``se``, ``half_width`` (of the
        95 % interval), ``p``, ``significant``.
    """
    rows = []
    for metric in results.headline():
        design = design_cells(results, metric)
        for lever in levers:
            levels = results.levels(lever)
            table = effects.marginal_effects(design, lever, levels[0])
            top = table.loc[levels[-1]]
            rows.append({"metric": metric, "lever": lever, "at_min": table.loc[levels[0], "mean"],
                         "at_max": top["mean"], "change": top["effect"], "se": top["se"],
                         "half_width": top["half_width"], "p": top["p"], "significant": top["significant"]})
    return pd.DataFrame(rows).set_index(["metric", "lever"])


def scenario_means_over_time(results: Results) -> pd.DataFrame:
    """Mean over replicates of every kept series, indexed by (scenario, time in years)."""
    series = _timed(results)
    metrics = [c for c in series.columns if c not in ("run_id", "scenario", "step", "year", "quarter", "time",
                                                      "replicate")]
    return series.groupby(["scenario", "time"], sort=False)[metrics].mean()


def _timed(results: Results) -> pd.DataFrame:
    series = results.series.merge(results.ok[["run_id", "replicate"]], on="run_id")
    return series.assign(time=series["year"] + (series["quarter"] - 1) / 4)


def scenario_differences(results: Results, against: str = "baseline") -> pd.DataFrame:
    """Each scenario minus ``against`` in every shown metric (the kept statistic; other varied
    factors averaged over): the effect, its standard error and 95 % interval, t, p and whether it is
    significant (:func:`.effects.marginal_effects`).

    With common seeds (replicate k of every scenario shares a seed) the differences are paired by
    replicate, which removes the noise the scenarios share; otherwise the within-cell variance is pooled.

    Returns:
        One row per (scenario, metric): the columns of :meth:`.effects.Estimate.row`.
    """
    rows = []
    for metric in results.headline():
        table = effects.marginal_effects(design_cells(results, metric), "scenario", against)
        for name in (n for n in results.levels("scenario") if n != against):
            estimate = table.loc[name].drop(["mean", "mean_half_width", "half_width"])
            rows.append({"scenario": name, "metric": metric, **estimate.to_dict()})
    return pd.DataFrame(rows).set_index(["scenario", "metric"])


@dataclass
class CityContrasts:
    """What the maps of a sweep show: levels of one factor against a reference level, per city.

    Attributes:
        factor: the factor whose levels are compared (``scenario``, or the first factor of a grid).
        reference: the level the others are compared with (the baseline scenario; a grid factor's
            lowest level).
        fixed: the levels of the other varied factors (their baseline levels).
        comparisons: one :class:`.effects.Comparison` per other level (that level minus the
            reference, over the runs of the two cells, with their city outputs as the arms' cities):
            paired by seed when the sweep used common seeds, else Welch.
    """

    factor: str
    reference: Any
    fixed: dict[str, Any]
    comparisons: list

    def effects(self, output: str) -> pd.DataFrame:
        """Per compared level and city: the reference's and the level's mean over runs, the effect,
        its SE, 95 % interval, p and whether it is significant (:func:`.effects.city_effects`).
        Indexed by (``level``, ``city``), levels as the figures name them."""
        frames = {c.scenario.label: city_effects(c, output).droplevel("output") for c in self.comparisons}
        return pd.concat(frames, names=["level"])


def map_factor(results: Results) -> str | None:
    """The factor the maps compare: ``scenario`` when it is varied, else the first factor of a grid
    (:func:`grid_factors`, else the first varied); ``None`` when there is nothing to map (no kept
    cities, not the YRD's 41 cities, or not a grid design)."""
    from ..viz.maps import city_paths
    if results.cities is None or not len(results.cities) or results.method != "grid":
        return None
    if not set(results.cities["city"]) <= set(city_paths()):
        return None
    if "scenario" in results.varied:
        return "scenario"
    pair = grid_factors(results)
    return pair[0] if pair is not None else results.varied[0]


def city_contrasts(results: Results, baseline: dict[str, Any] | str | None = None) -> CityContrasts | None:
    """The per-city contrasts the maps show (``None`` when :func:`map_factor` finds nothing to map):
    each scenario against the baseline scenario, or a grid factor's highest level against its lowest
    (e.g. barrier 1 minus barrier 0); the other varied factors at the baseline cell (``baseline``,
    see the module docstring)."""
    factor = map_factor(results)
    if factor is None:
        return None
    cell = results.baseline(results.varied, baseline)
    levels = results.levels(factor)
    if factor == "scenario":
        reference, others = cell["scenario"], [v for v in levels if v != cell["scenario"]]
    else:
        reference, others = levels[0], levels[-1:] if len(levels) > 1 else []
    if not others:
        return None
    fixed = {f: v for f, v in cell.items() if f != factor}

    def arm(level: Any) -> Arm:
        runs = results.ok
        for name, value in {**fixed, factor: level}.items():
            runs = runs[np.array([_close(v, value) for v in runs[name]], dtype=bool)]
        cities = results.cities.merge(runs[["run_id", "seed"]], on="run_id").drop(columns="run_id")
        seeds = pd.Index(sorted(cities["seed"].unique()), name="seed")
        label = scenario_label(level) if factor == "scenario" else f"{factor}={level_label(factor, level)}"
        return Arm(label, pd.DataFrame(index=seeds), None, cities)

    base = arm(reference)
    arms = [a for a in map(arm, others) if len(a.cities)]  # a cell whose runs all failed has nothing to map
    if not len(base.cities) or not arms:
        return None
    return CityContrasts(factor, reference, fixed, [Comparison(base, a, results.rule, ()) for a in arms])


def sobol_table(results: Results) -> pd.DataFrame:
    """Sobol indices of every shown metric, one row per (metric, parameter)."""
    frames = {metric: sobol_indices(results, metric) for metric in results.headline()}
    return pd.concat(frames, names=["metric"])


def sobol_indices(results: Results, metric: str, seed: int = 0) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of a metric, with 95% confidence half-widths.

    Replicates of a design point are averaged first. Raises ParameterError when the sweep is not a
    Sobol design or a design point has no finished run.
    """
    from SALib.analyze import sobol
    problem, y = _design_outcome(results, metric, "sobol")
    second = bool(results.manifest["design"]["second_order"])
    found = sobol.analyze(problem, y, calc_second_order=second, seed=seed)
    return pd.DataFrame({"S1": found["S1"], "S1_conf": found["S1_conf"], "ST": found["ST"],
                         "ST_conf": found["ST_conf"]}, index=pd.Index(problem["names"], name="parameter"))


def morris_indices(results: Results, metric: str, seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects of a metric: mu*, its confidence half-width, and sigma."""
    from SALib.analyze import morris
    problem, y = _design_outcome(results, metric, "morris")
    points = results.ok.groupby("point")[problem["names"]].first().to_numpy(dtype=float)
    found = morris.analyze(problem, points, y, num_levels=int(results.manifest["design"]["levels"]), seed=seed)
    return pd.DataFrame({"mu_star": found["mu_star"], "mu_star_conf": found["mu_star_conf"],
                         "sigma": found["sigma"]}, index=pd.Index(problem["names"], name="parameter"))


def _design_outcome(results: Results, metric: str, method: str) -> tuple[dict, np.ndarray]:
    if results.method != method:
        raise ParameterError(f"{results.path}: a {results.method} design, not {method}")
    column = results.column(metric)
    y = results.ok.groupby("point")[column].mean()
    points = results.manifest["design"]["points"]
    if len(y) != points or y.isna().any():
        raise ParameterError(f"{metric}: {points - y.notna().sum()} of {points} design points have no finished run")
    return results.manifest["design"]["problem"], y.sort_index().to_numpy()


# --------------------------------------------------------------------------- drawing helpers
def typical_noise(standard_errors: pd.Series) -> float:
    """The median of the positive standard errors (0 if none): the noise an axis must show."""
    positive = standard_errors[standard_errors > 0]
    return float(positive.median()) if len(positive) else 0.0


def as_grid(values: pd.Series) -> pd.DataFrame:
    """Values per cell of a two-factor design (index y, x) as a frame: rows y, columns x, in order."""
    ys, xs = values.index.unique(0), values.index.unique(1)
    return values.unstack(1).reindex(index=ys, columns=xs)


def draw_estimates(ax, where, values, half_widths, significant, colour: str = BLUE, label: str | None = None):
    """Point estimates with 95 % interval bars: filled where significant, hollow grey within noise."""
    where, values = np.asarray(where, float), np.asarray(values, float)
    half_widths, significant = np.asarray(half_widths, float), np.asarray(significant, bool)
    ax.errorbar(where, values, yerr=np.nan_to_num(half_widths), fmt="none", ecolor="0.45", elinewidth=1, capsize=3)
    ax.plot(where[significant], values[significant], "o", color=colour, ms=6, label=label)
    ax.plot(where[~significant], values[~significant], "o", mfc="white", mec=NOISE_COLOUR, ms=6,
            label=WITHIN_NOISE if (~significant).any() else None)


def draw_cells(ax, frame: pd.DataFrame, norm: Normalize, cmap: str, x: str, y: str,
               within_noise: np.ndarray | None = None, outline: tuple[int, int] | None = None):
    """A heatmap of ``frame`` (rows: y levels, columns: x levels) on a given colour scale; cells
    within noise hatched, the baseline cell (row, column) outlined. Returns the image."""
    image = ax.imshow(frame.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap, norm=norm)
    every = max(1, len(frame.columns) // 8)
    ax.set_xticks(range(0, len(frame.columns), every), [level_label(x, v) for v in frame.columns[::every]],
                  fontsize=7, rotation=30 if x == "scenario" else 0, ha="right" if x == "scenario" else "center")
    every = max(1, len(frame.index) // 8)
    ax.set_yticks(range(0, len(frame.index), every), [level_label(y, v) for v in frame.index[::every]], fontsize=7)
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    if within_noise is not None:
        mark_noise(ax, within_noise)
    if outline is not None:
        ax.add_patch(Rectangle((outline[1] - 0.5, outline[0] - 0.5), 1, 1, fill=False, lw=2, edgecolor="black"))
    return image


def mark_noise(ax, within_noise: np.ndarray) -> None:
    """Hatch the cells of a heatmap (rows y, columns x) that are within noise."""
    for i, j in zip(*np.nonzero(within_noise)):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch=NOISE_HATCH, lw=0, edgecolor="0.25"))


def level_norm(values, noise: float, level: float) -> Normalize:
    """A colour scale over ``values`` never narrower than the noise (:func:`ydabm.report.floor_span`);
    for values that are all non-negative (shares, counts) the scale starts at 0 at the same width
    rather than show impossible negative levels."""
    values = np.asarray(values, dtype=float)
    low, high = floor_span(np.nanmin(values), np.nanmax(values), noise, level)
    if np.nanmin(values) >= 0 > low:
        low, high = 0.0, high - low
    return Normalize(low, high)


def city_level_scale(values, noise: float, level: float) -> tuple[Normalize, str]:
    """The colour scale and map of city levels: :func:`level_norm`, except that a signed output
    (net migration) gets a diverging map on a scale centred at zero."""
    values = np.asarray(values, dtype=float)
    norm = level_norm(values, noise, level)
    if np.nanmin(values) < 0 < np.nanmax(values):
        largest = max(abs(norm.vmin), abs(norm.vmax))
        return Normalize(-largest, largest), "PuOr"
    return norm, "viridis"


def difference_norm(values, noise: float, level: float) -> Normalize:
    """A colour scale symmetric about zero covering ``values``, never narrower than the noise."""
    largest = float(np.nanmax(np.abs(np.asarray(values, dtype=float))))
    return Normalize(*floor_span(-largest, largest, noise, level))


def _panels(n: int, width: float = 3.8, height: float = 3.2, cols: int | None = None):
    cols = cols or min(4, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.6), constrained_layout=True,
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()[:n]


def _baseline_text(baseline: dict[str, Any]) -> str:
    return ", ".join(f"{k}={level_label(k, v)}" for k, v in baseline.items())


def figure_legend(fig, axes) -> None:
    """One legend for the whole figure, right of the panels: every label drawn in any panel, once."""
    found = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            found.setdefault(label, handle)
    if found:
        fig.legend(found.values(), found.keys(), loc="outside right upper", fontsize=7)


def footnote(fig, text: str) -> None:
    """How to read the figure, under it, wrapped to its width."""
    fig.supxlabel(textwrap.fill(text, int(fig.get_figwidth() * 16)), fontsize=8, color="0.35")


# --------------------------------------------------------------------------- figures
@dataclass
class GridView:
    """What the heatmaps of one metric over a ``y`` x ``x`` grid show (see :func:`grid_view`)."""

    design: effects.Cells
    table: pd.DataFrame
    means: pd.DataFrame
    at: tuple[int, int]
    level: float
    noise: float

    def frame(self, column: str) -> pd.DataFrame:
        """A column of :attr:`table` as rows y, columns x."""
        return as_grid(self.table[column])

    def within_noise(self, column: str) -> np.ndarray:
        """Cells whose ``effect`` or ``interaction`` is within noise (the baseline cell excluded)."""
        noisy = ~self.frame(f"{column}_significant").to_numpy(bool)
        if column == "effect":
            noisy[self.at] = False  # the reference itself: outlined, not marked
        return noisy


def grid_view(results: Results, metric: str, x: str, y: str, baseline: dict[str, Any]) -> GridView:
    """Cells, effects against the baseline cell and interactions of a metric over the ``y`` x ``x``
    grid, the baseline cell's position and level, and the typical SE of an effect (the noise)."""
    design = design_cells(results, metric, [y, x])
    table = effects.cell_effects(design, (baseline[y], baseline[x]))
    means = as_grid(design.mean)
    at = (means.index.get_loc(baseline[y]), means.columns.get_loc(baseline[x]))
    return GridView(design, table, means, at, float(means.iat[at]), typical_noise(table["effect_se"]))


def grid_figure(results: Results, metric: str, x: str, y: str, baseline: dict[str, Any]) -> plt.Figure:
    """Four panels for one metric over a two-factor grid: the cell means; each cell minus the
    baseline cell and the interaction (cell minus the additive prediction of the main effects), both
    on one colour scale and hatched where within noise; and the effect of ``x`` (from its baseline
    level) at each level of ``y``, with 95 % intervals."""
    view = grid_view(results, metric, x, y, baseline)
    fig, axes = plt.subplots(2, 2, figsize=(11.5, 8.6), constrained_layout=True)
    image = draw_cells(axes[0, 0], view.means, level_norm(view.means, view.noise, view.level), "viridis", x, y,
                       outline=view.at)
    fig.colorbar(image, ax=axes[0, 0], shrink=0.9).set_label(unit(metric), fontsize=8)
    axes[0, 0].set_title("mean over the runs of each cell (outlined: baseline cell)", fontsize=9)
    kinds = {"effect": (axes[0, 1], "cell minus the baseline cell"),
             "interaction": (axes[1, 0], "interaction: cell minus the additive prediction")}
    shared = difference_norm(view.table[list(kinds)].to_numpy(float), view.noise, view.level)
    for kind, (ax, title) in kinds.items():
        image = draw_cells(ax, view.frame(kind), shared, "RdBu_r", x, y, view.within_noise(kind),
                           view.at if kind == "effect" else None)
        fig.colorbar(image, ax=ax, shrink=0.9).set_label(f"difference, {unit(metric)}", fontsize=8)
        ax.set_title(title, fontsize=9)
    draw_effect_along(axes[1, 1], view.design, x, y, baseline[x], view.level)
    axes[1, 1].set_ylabel(f"difference, {unit(metric)}", fontsize=8)
    pairing = "paired by replicate (common seeds)" if view.design.blocks is not None else "pooled within-cell variance"
    fig.suptitle(f"{results.name}: {results.label(metric)}", fontsize=11)
    footnote(fig, f"baseline cell {_baseline_text(baseline)} (mean {view.level:.4g}); at least "
                  f"{int(view.design.count.min())} runs per cell; 95 % intervals from the {pairing}; "
                  f"hatched: {WITHIN_NOISE}; colour and y ranges {RANGE_NOTE} of the baseline cell")
    return fig


def draw_effect_along(ax, design: effects.Cells, x: str, y: str, x_level: Any, level: float) -> None:
    """The effect of ``x`` from ``x_level`` at each level of ``y``: one line of point estimates with
    95 % intervals per ``y`` level (an interaction shows as lines that are not parallel)."""
    along = effect_along(design, x_level)
    colours = plt.get_cmap("viridis")
    ys, xs = design.mean.index.unique(0), design.mean.index.unique(1)
    step = 0.25 / len(ys)
    for k, value in enumerate(ys):
        part = along.loc[value]
        where = np.arange(len(part)) + (k - (len(ys) - 1) / 2) * step
        colour = colours(k / max(len(ys) - 1, 1))
        ax.plot(where, part["effect"], color=colour, lw=1, alpha=0.7)
        draw_estimates(ax, where, part["effect"], part["half_width"], part["significant"], colour,
                       label=f"{y} = {level_label(y, value)}")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xticks(range(len(xs)), [level_label(x, v) for v in xs], fontsize=7, rotation=30 if x == "scenario" else 0)
    ax.set_xlabel(x, fontsize=8)
    ax.set_title(f"effect of {x} (from {level_label(x, x_level)}) at each level of {y}", fontsize=9)
    ax.grid(alpha=0.3)
    floor_ylim(ax, typical_noise(along["se"]), level)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    if len(unique) <= 12:
        ax.legend(unique.values(), unique.keys(), fontsize=6, ncols=2)


def heatmap_overview(results: Results, x: str = "barrier", y: str = "specialization",
                     baseline: dict[str, Any] | None = None) -> plt.Figure:
    """One panel per shown metric: the mean over the runs of each cell of the grid, hatched where
    it is within noise of the baseline cell (outlined); colour ranges never narrower than the noise."""
    baseline = baseline or results.baseline([x, y])
    shown = results.headline()
    fig, axes = _panels(len(shown), 4.2, 3.5)
    for ax, metric in zip(axes, shown):
        view = grid_view(results, metric, x, y, baseline)
        image = draw_cells(ax, view.means, level_norm(view.means, view.noise, view.level), "viridis", x, y,
                           view.within_noise("effect"), view.at)
        fig.colorbar(image, ax=ax, shrink=0.85).set_label(unit(metric), fontsize=7)
        ax.set_title(quantity(metric).label, fontsize=9)
    fig.suptitle(f"{results.name}: mean over runs of each cell; the {_statistic(results)}", fontsize=11)
    footnote(fig, f"outlined: baseline cell {_baseline_text(baseline)}; hatched: within noise of the baseline cell "
                  f"(95 % CI of the difference includes 0); colour ranges {RANGE_NOTE} of the baseline cell")
    return fig


def _statistic(results: Results) -> str:
    return statistic_label(results.rule)


def line_figure(results: Results, parameter: str) -> plt.Figure:
    """Each shown metric against one parameter: every run (grey dots), the mean at each value over
    the cells of the other varied factors with its 95 % interval, hollow where it is within noise of
    the baseline value (square)."""
    shown = results.headline()
    fig, axes = _panels(len(shown))
    runs, base = results.ok, results.default_level(parameter)
    for ax, (metric, column) in zip(axes, shown.items()):
        table = effects.marginal_effects(design_cells(results, metric), parameter, base)
        levels = table.index.to_numpy(float)
        ax.scatter(runs[parameter], runs[column], s=8, color="0.75", zorder=1)
        draw_estimates(ax, levels, table["mean"], table["mean_half_width"],
                       table["significant"] | (table.index == base), label="differs from the baseline value")
        ax.plot(levels, table["mean"], color=BLUE, lw=1, zorder=0)
        ax.plot([base], [table.loc[base, "mean"]], "s", mfc="none", mec="black", ms=10)
        floor_ylim(ax, typical_noise(table["se"]), float(table.loc[base, "mean"]))
        ax.set_title(quantity(metric).label, fontsize=9)
        ax.set_ylabel(unit(metric), fontsize=8)
        ax.set_xlabel(parameter, fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    figure_legend(fig, axes)
    others = [f for f in results.varied if f != parameter]
    fig.suptitle(f"{results.name}: shown metrics against {parameter}; the {_statistic(results)}", fontsize=11)
    footnote(fig, f"dots: runs; points: mean{' over the cells of ' + ', '.join(others) if others else ''} with its "
                  f"95 % interval; square: baseline {parameter}={level_label(parameter, base)}; hollow: within noise "
                  f"of the baseline; {AXIS_NOTE}")
    return fig


def scatter_figure(results: Results) -> plt.Figure:
    """Every shown metric (rows) against every varied parameter (columns), one dot per run."""
    shown = results.headline()
    params = [p for p in results.varied if p != "scenario" and BY_NAME[p].type is not str]
    fig, axes = plt.subplots(len(shown), len(params), figsize=(2.2 * len(params) + 1.8, 1.7 * len(shown) + 0.6),
                             sharex="col", sharey="row", squeeze=False)
    fig.subplots_adjust(left=0.17, right=0.98, bottom=0.1, top=0.94, wspace=0.08, hspace=0.14)
    runs = results.ok
    for i, (metric, column) in enumerate(shown.items()):
        for j, parameter in enumerate(params):
            ax = axes[i, j]
            ax.scatter(runs[parameter], runs[column], s=4, alpha=0.6, color=BLUE, rasterized=True)
            ax.tick_params(labelsize=6)
            if i == len(shown) - 1:
                ax.set_xlabel(parameter, fontsize=8)
            if j == 0:
                ax.set_ylabel(metric_label(metric).replace(" (", "\n("), fontsize=6)
        floor_ylim(axes[i, 0], level=float(runs[column].abs().mean()))
    fig.suptitle(f"{results.name}: runs ({results.method} design); the {_statistic(results)}", fontsize=11)
    return fig


def scenario_figure(results: Results, against: str | None = None) -> plt.Figure:
    """Each scenario minus ``against`` (default: the baseline scenario) in every shown metric: point
    estimates with 95 % intervals, hollow grey where within noise; never bars from zero."""
    against = against or results.default_level("scenario")
    table = scenario_differences(results, against)
    shown = results.headline()
    fig, axes = _panels(len(shown))
    names = [n for n in results.levels("scenario") if n != against]
    for ax, (metric, column) in zip(axes, shown.items()):
        rows = table.xs(metric, level="metric").reindex(names)
        base = float(results.ok.loc[results.ok["scenario"] == against, column].mean())
        draw_estimates(ax, range(len(names)), rows["effect"], rows["ci_high"] - rows["effect"], rows["significant"],
                       label="significant (95 % CI excludes 0)")
        ax.axhline(0.0, color="0.3", lw=0.8)
        ax.set_xticks(range(len(names)), [scenario_label(n) for n in names], rotation=40, ha="right", fontsize=7)
        ax.set_title(f"{quantity(metric).label}\n{scenario_label(against)}: {base:.4g}",
                     fontsize=9)
        ax.set_ylabel(f"difference, {unit(metric)}", fontsize=8)
        ax.grid(alpha=0.3, axis="y")
        ax.set_xlim(-0.6, len(names) - 0.4)
        floor_ylim(ax, typical_noise(rows["se"]), base)
    figure_legend(fig, axes)
    pairing = "paired over common seeds" if results.matched and results.varied == ["scenario"] else "Welch"
    fig.suptitle(f"{results.name}: each scenario minus {scenario_label(against)}; the {_statistic(results)}",
                 fontsize=11)
    footnote(fig, f"points: difference of the means with 95 % interval ({pairing}); hollow grey: {WITHIN_NOISE}; "
                   f"{AXIS_NOTE} of {scenario_label(against)}")
    return fig


def scenario_series_figure(results: Results, against: str | None = None) -> plt.Figure:
    """Each scenario minus ``against`` (default: the baseline scenario) over time, every shown
    metric: the mean difference with a 95 % band (paired by replicate with common seeds)."""
    against = against or results.default_level("scenario")
    series = _timed(results)
    shown = [m for m in results.headline() if m in series.columns]
    names = [n for n in results.levels("scenario") if n != against]
    matched = results.matched and results.varied == ["scenario"]
    fig, axes = _panels(len(shown))
    colours = plt.get_cmap("tab10")
    for ax, metric in zip(axes, shown):
        wide = series.pivot_table(index=["time", "replicate" if matched else "run_id"], columns="scenario",
                                  values=metric)
        base_level = float(wide[against].mean())
        noise = []
        for k, name in enumerate(names):
            steps = [(time, effects.difference(part[name].droplevel(0), part[against].droplevel(0), matched))
                     for time, part in wide.groupby(level="time")]
            times = np.array([t for t, _ in steps])
            value = np.array([e.value for _, e in steps])
            half = np.nan_to_num(np.array([e.half_width for _, e in steps]))
            ax.plot(times, value, lw=1.5, color=colours(k % 10), label=scenario_label(name))
            ax.fill_between(times, value - half, value + half, color=colours(k % 10), alpha=0.15, lw=0)
            noise.extend(e.se for _, e in steps)
        ax.axhline(0.0, color="0.3", lw=0.8)
        ax.set_title(quantity(metric).label, fontsize=9)
        ax.set_ylabel(f"difference, {unit(metric)}", fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        floor_ylim(ax, typical_noise(pd.Series(noise)), base_level)
    figure_legend(fig, axes)
    fig.suptitle(f"{results.name}: each scenario minus {scenario_label(against)}, every quarter", fontsize=11)
    footnote(fig, f"lines: mean difference over replicates; bands: 95 % interval "
                   f"({'paired over common seeds' if matched else 'Welch'}); {AXIS_NOTE} of {scenario_label(against)}")
    return fig


def sensitivity_figure(results: Results) -> plt.Figure:
    """Sobol S1 and ST (or Morris mu* and sigma) per parameter, a panel per shown metric."""
    sobol = results.method == "sobol"
    shown = results.headline()
    fig, axes = _panels(len(shown))
    for ax, metric in zip(axes, shown):
        ax.set_title(quantity(metric).label, fontsize=9)
        try:
            table = sobol_indices(results, metric) if sobol else morris_indices(results, metric)
        except ParameterError as err:
            ax.text(0.5, 0.5, str(err), ha="center", va="center", wrap=True, fontsize=7, transform=ax.transAxes)
            continue
        first, total = ("S1", "ST") if sobol else ("mu_star", "sigma")
        where = np.arange(len(table))
        ax.bar(where - 0.2, table[first], 0.4, yerr=table.get(f"{first}_conf"), label=first, color=BLUE)
        ax.bar(where + 0.2, table[total], 0.4, yerr=table.get(f"{total}_conf"), label=total, color=ORANGE)
        ax.set_xticks(where, table.index, rotation=40, ha="right", fontsize=7)
        ax.set_ylabel("share of variance" if sobol else unit(metric), fontsize=8)
        ax.grid(alpha=0.3, axis="y")
        ax.axhline(0.0, color="0.3", lw=0.6)
    figure_legend(fig, axes)
    kind = "Sobol indices (first order S1, total ST)" if sobol else "Morris elementary effects (mu*, sigma)"
    fig.suptitle(f"{results.name}: {kind}; the {_statistic(results)}", fontsize=11)
    return fig


def city_map_figure(results: Results, contrasts: CityContrasts, output: str) -> plt.Figure:
    """A city output on the map: the reference level (mean over its runs), then each compared
    level's effect by city (that level minus the reference; cities within noise grey), the effect
    panels on one colour scale symmetric about zero."""
    from ..viz.maps import choropleth
    table = contrasts.effects(output)
    names = list(dict.fromkeys(table.index.get_level_values("level")))
    reference = table.xs(names[0], level="level")["baseline"]
    level = float(reference.abs().mean())
    noise = typical_noise(table["se"])
    panels = 1 + len(names)
    fig, axes = _panels(panels, 5.0, 4.4, cols=panels if panels <= 4 else 3 if panels <= 6 else 4)
    norm, cmap = city_level_scale(reference, noise, level)
    mappable = choropleth(axes[0], reference, cmap=cmap, norm=norm)
    fig.colorbar(mappable, ax=axes[0], shrink=0.7).set_label(unit(output, city=True), fontsize=8)
    base_label = contrasts.comparisons[0].baseline.label
    axes[0].set_title(f"{base_label}: mean over runs", fontsize=9)
    shared = difference_norm(table["effect"], noise, level)
    for ax, name, comparison in zip(axes[1:], names, contrasts.comparisons):
        rows = table.xs(name, level="level")
        mappable = choropleth(ax, rows["effect"].where(rows["significant"]), cmap="RdBu_r", norm=shared)
        ax.set_title(f"{comparison.title}\n{int(rows['significant'].sum())} of {len(rows)} cities outside noise",
                     fontsize=9)
    fig.colorbar(mappable, ax=list(axes[1:]), shrink=0.7).set_label(f"difference, {unit(output, city=True)}",
                                                                   fontsize=8)
    where = f" at {_baseline_text(contrasts.fixed)}" if contrasts.fixed else ""
    lines = [f"{results.name}: {metric_label(output, results.rule, city=True)}",
             f"effect of {contrasts.factor} by city{where}"]
    fig.suptitle("\n".join(textwrap.fill(line, int(fig.get_figwidth() * 10)) for line in lines), fontsize=11)
    tests = sorted({c.test for c in contrasts.comparisons})
    kind = "mean of the per-seed differences" if all(c.matched for c in contrasts.comparisons) else \
        "difference of the means"
    footnote(fig, f"effect: {kind}, {'; '.join(tests)}; grey: {WITHIN_NOISE}; "
                  f"colour ranges {RANGE_NOTE} of the mean city of {base_label}")
    return fig


# --------------------------------------------------------------------------- the report
def figures(results: Results, baseline: dict[str, Any] | str | None = None) -> dict[str, plt.Figure]:
    """The standard figures for this design, by file stem (``baseline``: see the module docstring)."""
    drawn: dict[str, plt.Figure] = {}
    if not len(results.ok) or not results.headline():
        return drawn
    if results.method in ("sobol", "morris"):
        drawn[results.method] = sensitivity_figure(results)
    if results.method != "grid":
        drawn["scatter"] = scatter_figure(results)
        return drawn
    pair = grid_factors(results)
    numeric = [p for p in results.varied if p != "scenario" and BY_NAME[p].type is not str]
    if pair is not None:
        cell = results.baseline(list(pair), baseline)
        drawn["heatmaps"] = heatmap_overview(results, *pair, baseline=cell)
        for metric in results.headline():
            drawn[f"heatmap_{metric}"] = grid_figure(results, metric, *pair, cell)
    elif "scenario" in results.varied:
        against = results.baseline(["scenario"], baseline)["scenario"]
        drawn["scenarios"] = scenario_figure(results, against)
        if results.series is not None:
            drawn["scenarios_over_time"] = scenario_series_figure(results, against)
    if pair is None or len(results.varied) > 2:
        for parameter in numeric:
            drawn[f"lines_{parameter}"] = line_figure(results, parameter)
    contrasts = city_contrasts(results, baseline)
    if contrasts is not None:
        for output in (o for o in MAPPED if o in results.cities.columns):
            drawn[f"map_{contrasts.factor}_{output}"] = city_map_figure(results, contrasts, output)
    return drawn


def make_report(results: str | Path | Results, out: str | Path | None = None,
                formats: tuple[str, ...] = ("png", "pdf"), baseline: dict[str, Any] | str | None = None) -> list[Path]:
    """Draw the standard figures of a results folder; returns the files written.

    Args:
        results: a results folder (or loaded :class:`Results`).
        out: figures folder (default ``<results>/figures``).
        formats: file formats, e.g. ``("png", "pdf")``.
        baseline: the baseline cell, ``"barrier=0.5,specialization=0.2"`` or a dict (default: the
            spec's scenario values or the first levels; see the module docstring).

    Raises:
        ParameterError: no results here, nothing to draw, or a bad ``baseline``.
    """
    results = results if isinstance(results, Results) else load_results(results)
    out = Path(out) if out is not None else results.path / "figures"
    drawn = figures(results, baseline)
    if not drawn:
        raise ParameterError(f"{results.path}: nothing to draw (no finished run keeps a shown metric)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in drawn.items():
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            fig.savefig(path, dpi=120)
            written.append(path)
        plt.close(fig)
    return written
