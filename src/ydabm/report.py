"""Figures over saved results (no model logic): a run's summary, and the conventions every ydabm
figure follows.

* Every axis or colour bar that shows a metric states its label and unit (:mod:`ydabm.labels`).
* An axis is never narrower than the noise: its range spans at least +-``NOISE_SPAN`` standard
  errors of what it shows and +-``MIN_RELATIVE_RANGE`` of the metric's level, so that a 0.3 %
  change does not fill a panel (:func:`floor_span`, :func:`floor_ylim`).
* What cannot be told from noise (95 % interval includes zero) is drawn grey, hollow or hatched
  (:data:`NOISE_COLOUR`, :data:`NOISE_HATCH`) and the legend says so (:data:`WITHIN_NOISE`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .labels import metric_label

SUMMARY = ("similarity_manufacturing", "capacity_utilization", "zombie_share", "real_gdp", "theil_index",
           "unemployment_rate", "interprovincial_trade_share", "interprovincial_migration_share", "firms")
NOISE_SPAN = 3.0           # an axis spans at least +-3 standard errors of what it shows
MIN_RELATIVE_RANGE = 0.01  # ... and at least +-1 % of the metric's level
NOISE_COLOUR = "0.6"
NOISE_HATCH = "///"
WITHIN_NOISE = "within noise (95 % CI includes 0)"
RANGE_NOTE = f"at least +-{NOISE_SPAN:g} SE and +-{MIN_RELATIVE_RANGE:.0%} of the level"
AXIS_NOTE = f"y-range {RANGE_NOTE}"


def floor_span(low: float, high: float, noise: float = 0.0, level: float = 0.0) -> tuple[float, float]:
    """Widen ``[low, high]`` about its middle to at least +-max(NOISE_SPAN x noise,
    MIN_RELATIVE_RANGE x |level|); NaNs are ignored. Returns the new ``(low, high)``."""
    half = max(NOISE_SPAN * np.nan_to_num(noise), MIN_RELATIVE_RANGE * abs(np.nan_to_num(level)))
    if high - low >= 2 * half:
        return low, high
    middle = (low + high) / 2
    return middle - half, middle + half


def floor_ylim(ax, noise: float = 0.0, level: float = 0.0) -> None:
    """Widen the y-axis of ``ax`` (after plotting) with :func:`floor_span`."""
    ax.set_ylim(*floor_span(*ax.get_ylim(), noise, level))


def settings_text(settings: dict[str, Any] | None) -> str:
    """``barrier=0.8, specialization=0.2``: the ``--set`` values of a run, for titles."""
    return ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                     for k, v in (settings or {}).items())


def summary_figure(model: pd.DataFrame, path: Path, title: str = "",
                   settings: dict[str, Any] | None = None) -> Figure:
    """A 3x3 panel of the headline metrics over time (x axis: calendar year), written to ``path``.

    Args:
        model: one row per quarter (``model.parquet``).
        path: the image file to write.
        title: the figure's title, e.g. ``ydabm: baseline, seed 7``.
        settings: the run's ``--set`` values, appended to the title (``; barrier=0.8``).

    Returns:
        The figure, for inspection (drawn without pyplot, so nothing to close).
    """
    time = model["year"] + (model["quarter"] - 1) / 4
    fig = Figure(figsize=(13, 9.4), layout="constrained")  # no pyplot: any backend, no global state
    axes = fig.subplots(3, 3)
    for ax, column in zip(axes.ravel(), SUMMARY):
        ax.plot(time, model[column], color="#1f4e79", lw=1.6)
        ax.set_title(metric_label(column), fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        floor_ylim(ax, level=float(model[column].abs().mean()))
    heading = "; ".join(part for part in (title, settings_text(settings)) if part)
    if heading:
        fig.suptitle(heading, fontsize=12)
    fig.supxlabel(f"one run, every quarter; y-range at least +-{MIN_RELATIVE_RANGE:.0%} of the level",
                  fontsize=8, color="0.35")
    fig.savefig(path, dpi=110)
    return fig
