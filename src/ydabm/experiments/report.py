"""The standard figures of a sweep's results (reads saved results only; matplotlib, Agg).

``make_report(results)`` picks the figures that fit the design:

* ``barrier`` x ``specialization`` grid: a heatmap per headline metric, mean over replicates (and
  over any other varied parameter) beside a panel of the spread (standard deviation over runs);
* a one-dimensional grid: the headline metrics against the varied parameter (mean, +-1 sd, runs);
* other grids and Latin hypercubes: every headline metric against every varied parameter;
* ``scenario`` varied: the scenarios side by side, and over time when series were kept;
* Sobol designs: first-order and total Sobol indices as bars; Morris designs: mu* and sigma.

Each figure is written as PNG and PDF into ``<results>/figures/``. The functions that compute
what is drawn (:func:`cell_stats`, :func:`sobol_indices`, ...) and draw it are public so that
notebooks use them; importing this module leaves the matplotlib backend alone (``ydabm report``
selects Agg).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..params import BY_NAME, ParameterError
from .spec import metric_column

HEADLINE = {
    "similarity_manufacturing": "Structural similarity (manufacturing)",
    "capacity_utilization": "Capacity utilisation",
    "zombie_share": "Zombie-firm share",
    "real_gdp": "Real GDP",
    "theil_index": "Theil index (GDP per capita)",
    "gini_gdp_per_capita": "Gini (GDP per capita)",
    "unemployment_rate": "Unemployment rate",
    "interprovincial_trade_share": "Inter-provincial trade share",
}


@dataclass
class Results:
    """A sweep's saved results: the run table, the series (if kept) and the manifest."""

    path: Path
    runs: pd.DataFrame
    series: pd.DataFrame | None
    manifest: dict[str, Any]

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished (failed runs have no values)."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def varied(self) -> list[str]:
        return list(self.manifest["varied"])

    @property
    def method(self) -> str:
        return self.manifest["design"]["method"]

    def column(self, metric: str) -> str:
        """The column that stands for a metric: the longest kept mean, else the final value."""
        means = sorted((int(rule.split(":")[1]), rule) for rule in self.manifest["keep"] if rule != "final")
        rule = means[-1][1] if means else "final"
        return metric_column(metric, rule)

    def headline(self) -> dict[str, str]:
        """Headline metric -> its column, for the headline metrics the sweep kept."""
        return {m: self.column(m) for m in HEADLINE if self.column(m) in self.runs.columns}


def load_results(path: str | Path) -> Results:
    """Read ``runs.parquet``, ``series.parquet`` (if present) and ``manifest.json`` of a results folder.

    Raises:
        ParameterError: the folder holds no consolidated sweep results.
    """
    path = Path(path)
    if not (path / "runs.parquet").is_file() or not (path / "manifest.json").is_file():
        raise ParameterError(f"{path}: no runs.parquet and manifest.json here (is it a sweep's results folder?)")
    series = pd.read_parquet(path / "series.parquet") if (path / "series.parquet").is_file() else None
    return Results(path, pd.read_parquet(path / "runs.parquet"), series,
                   json.loads((path / "manifest.json").read_text()))


# --------------------------------------------------------------------------- computations
def cell_stats(runs: pd.DataFrame, column: str, x: str = "barrier", y: str = "specialization"
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean and standard deviation of ``column`` in every (``y``, ``x``) cell, over all runs in it.

    Returns:
        ``(mean, sd)``: frames indexed by the ``y`` values with one column per ``x`` value.
    """
    grouped = runs.groupby([y, x])[column]
    return grouped.mean().unstack(x), grouped.std(ddof=1).unstack(x)


def effect_summary(runs: pd.DataFrame, column: str, parameter: str) -> dict[str, float]:
    """How ``column`` moves with ``parameter``: the mean at its lowest and highest value, their
    difference, and the slope of a least-squares line over all runs (per unit of the parameter)."""
    means = runs.groupby(parameter)[column].mean()
    slope = np.polyfit(runs[parameter].astype(float), runs[column].astype(float), 1)[0] if means.size > 1 else np.nan
    return {"at_min": float(means.iloc[0]), "at_max": float(means.iloc[-1]),
            "change": float(means.iloc[-1] - means.iloc[0]), "slope": float(slope)}


def lever_effects(results: Results, levers: tuple[str, ...] = ("barrier", "specialization")) -> pd.DataFrame:
    """For each headline metric and lever of a grid: the mean at the lever's lowest and highest value
    (averaged over everything else), the change between them, its standard error from the spread
    of replicates within cells, and whether the change exceeds twice that error.

    Returns:
        One row per (metric, lever): ``at_min``, ``at_max``, ``change``, ``se``, ``clear``.
    """
    runs, rows = results.ok, []
    for metric, column in results.headline().items():
        within = runs.groupby(list(levers))[column].var(ddof=1).mean()
        for lever in levers:
            counts = runs.groupby(lever)[column].size()
            effect = effect_summary(runs, column, lever)
            se = float(np.sqrt(within * (1 / counts.iloc[0] + 1 / counts.iloc[-1])))
            rows.append({"metric": metric, "lever": lever, **{k: effect[k] for k in ("at_min", "at_max", "change")},
                         "se": se, "clear": bool(abs(effect["change"]) > 2 * se)})
    return pd.DataFrame(rows).set_index(["metric", "lever"])


def scenario_means_over_time(results: Results) -> pd.DataFrame:
    """Mean over replicates of every kept series, indexed by (scenario, time in years)."""
    series = results.series.merge(results.ok[["run_id"]], on="run_id")
    series = series.assign(time=series["year"] + (series["quarter"] - 1) / 4)
    metrics = [c for c in series.columns if c not in ("run_id", "scenario", "step", "year", "quarter", "time")]
    return series.groupby(["scenario", "time"])[metrics].mean()


def scenario_differences(results: Results, against: str = "baseline") -> pd.DataFrame:
    """Each scenario minus ``against`` in every headline metric (the kept value), with the standard
    error of the difference from the replicates, and whether it exceeds twice that error.

    With common seeds (replicate k of every scenario shares a seed) the differences are paired by
    replicate, which removes the noise the scenarios share.

    Returns:
        One row per (scenario, metric): ``difference``, ``se``, ``clear``.
    """
    runs, rows = results.ok, []
    paired = bool(results.manifest["spec"].get("common_seeds"))
    for metric, column in results.headline().items():
        table = runs.pivot_table(index="replicate", columns="scenario", values=column)
        for name in table.columns.drop(against):
            if paired:
                gaps = (table[name] - table[against]).dropna()
                difference, se = gaps.mean(), gaps.std(ddof=1) / np.sqrt(len(gaps))
            else:
                a, b = table[name].dropna(), table[against].dropna()
                difference = a.mean() - b.mean()
                se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
            rows.append({"scenario": name, "metric": metric, "difference": float(difference), "se": float(se),
                         "clear": bool(abs(difference) > 2 * se)})
    return pd.DataFrame(rows).set_index(["scenario", "metric"])


def sobol_table(results: Results) -> pd.DataFrame:
    """Sobol indices of every headline metric, one row per (metric, parameter)."""
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


# --------------------------------------------------------------------------- figures
def heatmap_figure(runs: pd.DataFrame, column: str, title: str, x: str = "barrier",
                   y: str = "specialization") -> plt.Figure:
    """Mean over runs per cell, and beside it the spread (sd over runs) per cell."""
    mean, sd = cell_stats(runs, column, x, y)
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.2), constrained_layout=True)
    n = int(runs.groupby([y, x]).size().min())
    for ax, frame, label, cmap in ((axes[0], mean, "mean", "viridis"), (axes[1], sd, "spread (sd)", "magma")):
        image = ax.imshow(frame.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap)
        fig.colorbar(image, ax=ax, shrink=0.9)
        _grid_ticks(ax, frame)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(f"{label}" + (f" over {n} runs per cell" if label == "mean" else ""), fontsize=10)
    fig.suptitle(title, fontsize=12)
    return fig


def heatmap_overview(results: Results) -> plt.Figure:
    """One panel per headline metric: the mean over replicates on the barrier x specialization grid."""
    headline = results.headline()
    cols = 4 if len(headline) > 4 else len(headline)
    rows = -(-len(headline) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.5 * rows), constrained_layout=True, squeeze=False)
    for ax, (metric, column) in zip(axes.ravel(), headline.items()):
        mean, _ = cell_stats(results.ok, column)
        image = ax.imshow(mean.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        fig.colorbar(image, ax=ax, shrink=0.85)
        _grid_ticks(ax, mean, every=max(1, len(mean.columns) // 6))
        ax.set_title(HEADLINE[metric], fontsize=9)
        ax.set_xlabel("barrier", fontsize=8)
        ax.set_ylabel("specialization", fontsize=8)
    for ax in axes.ravel()[len(headline):]:
        ax.axis("off")
    fig.suptitle(f"{results.manifest['name']}: mean over replicates", fontsize=12)
    return fig


def _grid_ticks(ax, frame: pd.DataFrame, every: int = 1) -> None:
    ax.set_xticks(range(0, len(frame.columns), every), [f"{v:g}" for v in frame.columns[::every]], fontsize=7)
    ax.set_yticks(range(0, len(frame.index), every), [f"{v:g}" for v in frame.index[::every]], fontsize=7)


def line_figure(results: Results, parameter: str) -> plt.Figure:
    """Headline metrics against one parameter: each run as a dot, the mean and a +-1 sd band."""
    headline = results.headline()
    fig, axes = _panels(len(headline))
    runs = results.ok
    for ax, (metric, column) in zip(axes, headline.items()):
        stats = runs.groupby(parameter)[column].agg(["mean", "std"])
        ax.scatter(runs[parameter], runs[column], s=8, color="0.6", zorder=1)
        ax.plot(stats.index, stats["mean"], color="#1f4e79", lw=1.8, zorder=2)
        ax.fill_between(stats.index, stats["mean"] - stats["std"].fillna(0), stats["mean"] + stats["std"].fillna(0),
                        color="#1f4e79", alpha=0.2, lw=0)
        _label(ax, metric, parameter)
    fig.suptitle(f"{results.manifest['name']}: headline metrics against {parameter}", fontsize=12)
    return fig


def scatter_figure(results: Results) -> plt.Figure:
    """Every headline metric (rows) against every varied parameter (columns), one dot per run."""
    headline = results.headline()
    params = [p for p in results.varied if p != "scenario" and BY_NAME[p].type is not str]
    fig, axes = plt.subplots(len(headline), len(params), figsize=(2.2 * len(params) + 1.5, 1.6 * len(headline)),
                             sharex="col", sharey="row", squeeze=False)
    fig.subplots_adjust(left=0.14, right=0.98, bottom=0.08, top=0.94, wspace=0.08, hspace=0.12)
    runs = results.ok
    for i, (metric, column) in enumerate(headline.items()):
        for j, parameter in enumerate(params):
            ax = axes[i, j]
            ax.scatter(runs[parameter], runs[column], s=4, alpha=0.6, color="#1f4e79", rasterized=True)
            ax.tick_params(labelsize=6)
            if i == len(headline) - 1:
                ax.set_xlabel(parameter, fontsize=8)
            if j == 0:
                ax.set_ylabel(HEADLINE[metric], fontsize=6)
    fig.suptitle(f"{results.manifest['name']}: runs ({results.method} design)", fontsize=11)
    return fig


def scenario_figure(results: Results) -> plt.Figure:
    """Headline metrics by scenario: mean over replicates with +-1 sd."""
    headline = results.headline()
    fig, axes = _panels(len(headline))
    names = list(dict.fromkeys(results.runs["scenario"]))
    for ax, (metric, column) in zip(axes, headline.items()):
        stats = results.ok.groupby("scenario")[column].agg(["mean", "std"]).reindex(names)
        ax.bar(range(len(names)), stats["mean"], yerr=stats["std"].fillna(0), color="#1f4e79", alpha=0.85)
        ax.set_xticks(range(len(names)), names, rotation=40, ha="right", fontsize=7)
        ax.set_title(HEADLINE[metric], fontsize=9)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{results.manifest['name']}: scenarios", fontsize=12)
    return fig


def scenario_series_figure(results: Results, against: str | None = "baseline") -> plt.Figure:
    """Headline metrics over time per scenario (mean over replicates); with ``against``, each
    scenario minus that scenario, step by step."""
    means = scenario_means_over_time(results)
    metrics = [m for m in HEADLINE if m in means.columns]
    names = list(dict.fromkeys(results.runs["scenario"]))
    relative = against is not None and against in names
    fig, axes = _panels(len(metrics))
    colours = plt.get_cmap("tab10")
    for ax, metric in zip(axes, metrics):
        base = means.loc[against, metric] if relative else 0.0
        for k, name in enumerate(names):
            if relative and name == against:
                continue
            line = means.loc[name, metric] - base
            ax.plot(line.index, line.to_numpy(), lw=1.5, color=colours(k % 10), label=name)
        if relative:
            ax.axhline(0.0, color="0.3", lw=0.8)
        ax.set_title(HEADLINE[metric] + (f" minus {against}" if relative else ""), fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{results.manifest['name']}: scenarios over time", fontsize=12)
    return fig


def sensitivity_figure(results: Results) -> plt.Figure:
    """Sobol S1 and ST (or Morris mu* and sigma) per parameter, a panel per headline metric."""
    sobol = results.method == "sobol"
    headline = results.headline()
    fig, axes = _panels(len(headline))
    for ax, metric in zip(axes, headline):
        try:
            table = sobol_indices(results, metric) if sobol else morris_indices(results, metric)
        except ParameterError as err:
            ax.text(0.5, 0.5, str(err), ha="center", va="center", wrap=True, fontsize=7, transform=ax.transAxes)
            ax.set_title(HEADLINE[metric], fontsize=9)
            continue
        first, total = ("S1", "ST") if sobol else ("mu_star", "sigma")
        where = np.arange(len(table))
        ax.bar(where - 0.2, table[first], 0.4, yerr=table.get(f"{first}_conf"), label=first, color="#1f4e79")
        ax.bar(where + 0.2, table[total], 0.4, yerr=table.get(f"{total}_conf"), label=total, color="#c55a11")
        ax.set_xticks(where, table.index, rotation=40, ha="right", fontsize=7)
        ax.set_title(HEADLINE[metric], fontsize=9)
        ax.grid(alpha=0.3, axis="y")
        ax.axhline(0.0, color="0.3", lw=0.6)
    axes[0].legend(fontsize=7)
    kind = "Sobol indices (first order S1, total ST)" if sobol else "Morris elementary effects (mu*, sigma)"
    fig.suptitle(f"{results.manifest['name']}: {kind}", fontsize=12)
    return fig


def _panels(n: int):
    cols = min(4, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.8 * cols, 3.1 * rows), constrained_layout=True, squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()[:n]


def _label(ax, metric: str, parameter: str) -> None:
    ax.set_title(HEADLINE[metric], fontsize=9)
    ax.set_xlabel(parameter, fontsize=8)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)


# --------------------------------------------------------------------------- the report
def figures(results: Results) -> dict[str, plt.Figure]:
    """The standard figures for this design, by file stem."""
    varied = [p for p in results.varied if p != "scenario"]
    drawn: dict[str, plt.Figure] = {}
    if not len(results.ok) or not results.headline():
        return drawn
    if results.method in ("sobol", "morris"):
        drawn[results.method] = sensitivity_figure(results)
    if results.method != "grid":
        drawn["scatter"] = scatter_figure(results)
        return drawn
    if "scenario" in results.varied:
        drawn["scenarios"] = scenario_figure(results)
        if results.series is not None:
            drawn["scenarios_over_time"] = scenario_series_figure(results)
    if {"barrier", "specialization"} <= set(varied):
        drawn["heatmaps"] = heatmap_overview(results)
        for metric, column in results.headline().items():
            drawn[f"heatmap_{metric}"] = heatmap_figure(results.ok, column, HEADLINE[metric])
    elif len(varied) == 1 and BY_NAME[varied[0]].type is not str:
        drawn[f"lines_{varied[0]}"] = line_figure(results, varied[0])
    elif len(varied) > 1:
        for parameter in varied:
            if BY_NAME[parameter].type is not str:
                drawn[f"lines_{parameter}"] = line_figure(results, parameter)
    return drawn


def make_report(results: str | Path | Results, out: str | Path | None = None,
                formats: tuple[str, ...] = ("png", "pdf")) -> list[Path]:
    """Draw the standard figures of a results folder; returns the files written.

    Args:
        results: a results folder (or loaded :class:`Results`).
        out: figures folder (default ``<results>/figures``).
        formats: file formats, e.g. ``("png", "pdf")``.
    """
    results = results if isinstance(results, Results) else load_results(results)
    out = Path(out) if out is not None else results.path / "figures"
    drawn = figures(results)
    if not drawn:
        raise ParameterError(f"{results.path}: nothing to draw (no finished run keeps a headline metric)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in drawn.items():
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            fig.savefig(path, dpi=120)
            written.append(path)
        plt.close(fig)
    return written
