"""Figures over saved results (no model logic)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

PANELS = (
    ("similarity_manufacturing", "Structural similarity (manufacturing)"),
    ("capacity_utilization", "Capacity utilisation (manufacturing)"),
    ("zombie_share", "Zombie-firm share"),
    ("real_gdp", "Real GDP (100 M yuan / year, 2020 prices)"),
    ("theil_index", "Theil index of GDP per capita"),
    ("unemployment_rate", "Unemployment rate"),
    ("interprovincial_trade_share", "Inter-provincial trade share"),
    ("interprovincial_migration_share", "Inter-provincial migration share"),
    ("firms", "Firms"),
)


def summary_figure(model: pd.DataFrame, path: Path, title: str = "") -> None:
    """A 3x3 panel of the headline metrics over time (x axis: calendar year)."""
    time = model["year"] + (model["quarter"] - 1) / 4
    fig, axes = plt.subplots(3, 3, figsize=(13, 9), constrained_layout=True)
    for ax, (column, label) in zip(axes.ravel(), PANELS):
        ax.plot(time, model[column], color="#1f4e79", lw=1.6)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    if title:
        fig.suptitle(title, fontsize=12)
    fig.savefig(path, dpi=110)
    plt.close(fig)
