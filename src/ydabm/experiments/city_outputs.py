"""A run's city outputs reduced to one statistic per city (used by ``ydabm sweep`` and ``ydabm compare``).

Each city output (``cities.parquet`` of a run: population, GDP, wage, net migration, ...) is averaged
over the run's last quarters (the statistic ``final`` or ``mean_last:K``), and ``similarity`` is
added: the city's mean UNIDO similarity to the other cities in manufacturing employment
(:func:`ydabm.metrics.similarity_matrix`), the city's part of the model's similarity metric.
Kept free of plotting so that sweep workers import it cheaply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import metrics as metric_functions

#: the city outputs drawn as maps (``ydabm compare`` and ``ydabm report``)
MAPPED = ("net_migration", "similarity", "zombie_share", "real_gdp", "wage")
#: the city outputs a sweep keeps per run (``cities.parquet``): every city metric and ``similarity``
SWEEP_OUTPUTS = ("population", "gdp", "real_gdp", "real_income", "wage", "urban_wage", "price_index",
                 "housing_cost", "firms", "zombie_share", "net_migration", "similarity")


def quarters(rule: str) -> int:
    """How many quarters a statistic averages: 1 for ``final``, K for ``mean_last:K``."""
    return 1 if rule == "final" else int(rule.split(":")[1])


def manufacturing_columns(sectors_file: str) -> list[str]:
    """The ``employment_<sector>`` city columns of the manufacturing sectors."""
    from ..sectors import load_sectors
    sectors = load_sectors(sectors_file)
    return [f"employment_{name}" for name, making in zip(sectors.names, sectors.manufacturing) if making]


def city_statistic(cities: pd.DataFrame, rule: str, manufacturing: list[str]) -> pd.DataFrame:
    """Each city's outputs reduced to the statistic over the run's last quarters, with
    ``similarity``: its mean UNIDO similarity to the other cities in manufacturing employment
    (:func:`ydabm.metrics.similarity_matrix`), the city's part of the model's similarity metric."""
    steps = np.sort(cities["step"].unique())
    window = cities[cities["step"].isin(steps[-quarters(rule):])]
    similarity = []
    for _, part in window.groupby("step", sort=False):
        matrix = metric_functions.similarity_matrix(part[manufacturing].to_numpy(float))
        others = (matrix.sum(axis=1) - np.diag(matrix)) / max(len(part) - 1, 1)
        similarity.append(pd.Series(others, index=part.index))
    window = window.assign(similarity=pd.concat(similarity))
    outputs = [c for c in window.columns if c not in ("step", "city", "province")]
    return window.groupby(["city", "province"], sort=False)[outputs].mean().reset_index()


def sweep_city_values(cities: pd.DataFrame, rule: str, sectors_file: str) -> pd.DataFrame:
    """What a sweep keeps of a run's cities: ``city``, ``province`` and :data:`SWEEP_OUTPUTS`
    (those the run reports) in the statistic ``rule``, one row per city."""
    found = city_statistic(cities, rule, manufacturing_columns(sectors_file))
    return found[["city", "province", *(c for c in SWEEP_OUTPUTS if c in found.columns)]]
