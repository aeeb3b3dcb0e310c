"""Effects with standard errors: differences over matched seeds, contrasts between grid cells.

One rule decides what is noise everywhere (tables, figures, ``ydabm report`` and ``ydabm compare``):
an effect is *significant* when its two-sided t-test rejects zero at 5 %, i.e. when its 95 %
confidence interval (estimate +- t quantile x standard error) excludes zero; otherwise it is
*within noise*. With many seeds the interval is about +-1.96 SE; with 5 matched seeds it is +-2.78 SE.

* :func:`paired`: scenario minus baseline over matched seeds (common random numbers): the mean of
  the per-seed differences, SE = sd of the differences / sqrt(n), n - 1 degrees of freedom
  (the paired t-test); :func:`unpaired`: two means without matched seeds (Welch's t-test).
* :func:`contrast`: a linear combination of the cell means of a design (every combination of the
  varied factors' levels), e.g. a cell against the baseline cell, an interaction, or the mean over
  the other factors at one level of a factor (:func:`cell_effects`, :func:`marginal_effects`). With
  common seeds it is computed replicate by replicate and tested over the replicates (paired);
  otherwise its SE comes from the within-cell variance pooled over all cells, so that what the other
  factors do is never counted as noise.
* :class:`Arm` and :class:`Comparison`: the runs of a scenario against those of a baseline, one
  statistic per run (``ydabm compare``, and the scenario contrasts of ``ydabm report``), and
  :func:`city_effects`, their effect on a city output city by city.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.05  # two-sided test level: 95 % confidence intervals


@dataclass(frozen=True)
class Estimate:
    """An estimated effect, its standard error and the degrees of freedom of its t-test."""

    value: float
    se: float
    df: float

    @property
    def half_width(self) -> float:
        """Half-width of the 95 % confidence interval (NaN when the SE cannot be estimated)."""
        if not self.df >= 1 or not np.isfinite(self.se):
            return float("nan")
        return float(stats.t.ppf(1 - LEVEL / 2, self.df) * self.se)

    @property
    def t(self) -> float:
        """t-statistic, value / SE (NaN for 0 / 0)."""
        if self.se > 0:
            return float(self.value / self.se)
        return float("nan") if self.value == 0 or not np.isfinite(self.se) else float(np.sign(self.value) * np.inf)

    @property
    def p(self) -> float:
        """Two-sided p-value of the t-test of zero effect."""
        t = self.t
        return float("nan") if np.isnan(t) else float(2 * stats.t.sf(abs(t), self.df))

    @property
    def significant(self) -> bool:
        """Whether the 95 % interval excludes zero (``p < 0.05``); False when it cannot be told."""
        return bool(self.p < LEVEL)

    def row(self) -> dict[str, float | bool]:
        """The estimate as table columns: effect, se, ci_low, ci_high, t, df, p, significant."""
        return {"effect": self.value, "se": self.se, "ci_low": self.value - self.half_width,
                "ci_high": self.value + self.half_width, "t": self.t, "df": self.df, "p": self.p,
                "significant": self.significant}


def mean(values: pd.Series) -> Estimate:
    """The mean of independent values (missing ones dropped), SE = sd / sqrt(n), n - 1 degrees of freedom."""
    values = values.dropna()
    n = len(values)
    se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return Estimate(float(values.mean()) if n else float("nan"), se, n - 1)


def paired(scenario: pd.Series, baseline: pd.Series) -> Estimate:
    """Mean over matched seeds of scenario minus baseline (both indexed by seed; unmatched seeds and
    missing values are dropped): the paired t-test, SE = sd of the differences / sqrt(n), n - 1 df."""
    return mean(scenario - baseline)


def unpaired(scenario: pd.Series, baseline: pd.Series) -> Estimate:
    """Difference of the means, with Welch's SE and Welch-Satterthwaite degrees of freedom."""
    a, b = scenario.dropna(), baseline.dropna()
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if va + vb > 0 else len(a) + len(b) - 2
    return Estimate(float(a.mean() - b.mean()), se, float(df))


def difference(scenario: pd.Series, baseline: pd.Series, matched: bool) -> Estimate:
    """:func:`paired` when the runs are matched by seed (the series' index), else :func:`unpaired`."""
    return paired(scenario, baseline) if matched else unpaired(scenario, baseline)


# --------------------------------------------------------------------------- designs
@dataclass(frozen=True)
class Cells:
    """One outcome over the cells of a design.

    Attributes:
        mean, count: per cell (indexed by the factors' levels, in the order given), the mean and the
            number of runs.
        blocks: (K, cells) values of the K complete replicates when every run of replicate k shares
            one seed (common seeds), else ``None``.
        pooled_sd, df: the within-cell standard deviation pooled over the cells, and its degrees of freedom.
    """

    mean: pd.Series
    count: pd.Series
    blocks: np.ndarray | None
    pooled_sd: float
    df: float


def cells(runs: pd.DataFrame, column: str, levels: dict[str, list], paired_by: str | None = None) -> Cells:
    """Cell statistics of ``column`` over every combination of ``levels`` (factor -> its levels).

    Args:
        paired_by: the replicate column when replicate k of every cell shares a seed (then contrasts
            are paired by replicate), else ``None``.
    """
    factors = list(levels)
    key = factors if len(factors) > 1 else factors[0]
    index = (pd.MultiIndex.from_product(list(levels.values()), names=factors) if len(factors) > 1
             else pd.Index(levels[key], name=key))
    grouped = runs.groupby(key)[column]
    mean, count = grouped.mean().reindex(index), grouped.size().reindex(index, fill_value=0)
    freedom = (count - 1).clip(lower=0)
    residual_df = float(freedom.sum())
    squares = float((grouped.var(ddof=1).reindex(index).fillna(0.0) * freedom).sum())
    pooled = float(np.sqrt(squares / residual_df)) if residual_df > 0 else float("nan")
    blocks = None
    if paired_by is not None and runs.groupby([*factors, paired_by]).size().max() == 1:
        wide = runs.pivot_table(index=paired_by, columns=key, values=column).reindex(columns=index).dropna()
        blocks = wide.to_numpy(float) if len(wide) > 1 else None
    return Cells(mean, count, blocks, pooled, residual_df)


def contrast(design: Cells, coefficients: np.ndarray) -> Estimate:
    """The contrast sum(coefficients x cell means), flattened in the cells' order, with its SE and
    degrees of freedom: over the replicates when ``design.blocks`` holds them, else from the pooled
    within-cell variance."""
    c = np.asarray(coefficients, dtype=float).ravel()
    used = c != 0
    if design.blocks is not None:
        per_replicate = design.blocks[:, used] @ c[used]
        k = len(per_replicate)
        return Estimate(float(per_replicate.mean()), float(per_replicate.std(ddof=1) / np.sqrt(k)), k - 1)
    means, counts = design.mean.to_numpy(float)[used], design.count.to_numpy(float)[used]
    with np.errstate(divide="ignore"):
        return Estimate(float(c[used] @ means), float(design.pooled_sd * np.sqrt((c[used] ** 2 / counts).sum())),
                        design.df)


def cell_effects(design: Cells, baseline: tuple) -> pd.DataFrame:
    """Every cell of a two-factor design (factors y, x) against the baseline cell, and its interaction.

    The interaction of cell (i, j) is its mean minus the additive prediction from the two main
    effects: ``m_ij - m_i. - m_.j + m_..`` (unweighted means of the cell means), the part of the cell
    that neither factor explains alone.

    Args:
        design: the cells over ``{y: levels, x: levels}`` (:func:`cells`).
        baseline: the baseline cell as ``(y level, x level)``.

    Returns:
        One row per cell, indexed by (``y``, ``x``): ``mean``, ``n``, ``effect``, ``effect_se``,
        ``effect_significant``, ``interaction``, ``interaction_se``, ``interaction_significant``.
    """
    rows, columns = design.mean.index.unique(0), design.mean.index.unique(1)
    shape = (len(rows), len(columns))
    at = (rows.get_loc(baseline[0]), columns.get_loc(baseline[1]))
    centre_rows, centre_columns = np.eye(shape[0]) - 1 / shape[0], np.eye(shape[1]) - 1 / shape[1]
    records = []
    for i, j in np.ndindex(shape):
        versus = np.zeros(shape)
        versus[i, j] += 1.0
        versus[at] -= 1.0
        effect = contrast(design, versus)
        interaction = contrast(design, np.outer(centre_rows[i], centre_columns[j]))
        records.append({"mean": design.mean.iloc[i * shape[1] + j], "n": int(design.count.iloc[i * shape[1] + j]),
                        "effect": effect.value, "effect_se": effect.se, "effect_significant": effect.significant,
                        "interaction": interaction.value, "interaction_se": interaction.se,
                        "interaction_significant": interaction.significant})
    return pd.DataFrame(records, index=design.mean.index)


def marginal_effects(design: Cells, factor: str, baseline) -> pd.DataFrame:
    """At each level of ``factor``: the mean over the other factors' cells (unweighted) with its 95 %
    half-width, and its difference from the ``baseline`` level (the contrast of the two means).

    Returns:
        One row per level: ``mean``, ``mean_half_width``, then the columns of :meth:`Estimate.row`
        for the difference, and ``half_width``.
    """
    where = design.mean.index.get_level_values(factor)
    weights = {v: (where == v) / (where == v).sum() for v in where.unique()}
    rows = {}
    for value, weight in weights.items():
        level, gap = contrast(design, weight), contrast(design, weight - weights[baseline])
        rows[value] = {"mean": level.value, "mean_half_width": level.half_width, **gap.row(),
                       "half_width": gap.half_width}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(factor)


# --------------------------------------------------------------------------- one arm against another
@dataclass
class Arm:
    """One side of a comparison.

    Attributes:
        label: the scenario's name (or the folder's, when both sides share a scenario).
        values: one row per finished run, indexed by seed: the statistic of every metric.
        paths: every step of every run (``seed, step, year, quarter`` and the metrics), if kept.
        cities: per run and city (``seed, city, province`` and the outputs' statistic), if kept.
        failed: seed -> error of the runs that failed.
        source: how the arm was made (scenario and settings, or the folder), for ``compare.json``.
    """

    label: str
    values: pd.DataFrame
    paths: pd.DataFrame | None
    cities: pd.DataFrame | None
    failed: dict[int, str] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class Comparison:
    """A scenario arm against a baseline arm, in one statistic of the chosen metrics."""

    baseline: Arm
    scenario: Arm
    rule: str
    metrics: tuple[str, ...]

    @property
    def seeds(self) -> list[int]:
        """Seeds with a finished run in both arms."""
        return sorted(set(self.baseline.values.index) & set(self.scenario.values.index))

    @property
    def matched(self) -> bool:
        """Whether the arms are compared seed by seed (at least two seeds in common)."""
        return len(self.seeds) >= 2

    @property
    def test(self) -> str:
        if self.matched:
            return f"paired t-test over {len(self.seeds)} matched seeds"
        return "Welch's t-test (seeds not matched)"

    @property
    def title(self) -> str:
        return f"{self.scenario.label} minus {self.baseline.label}"


def city_effects(comparison: Comparison, output: str) -> pd.DataFrame:
    """Per city: a city output's statistic in each arm (mean over seeds) and the effect, as in
    :func:`.comparison.effects_table`."""
    wide = {arm: part.pivot_table(index="seed", columns="city", values=output)
            for arm, part in (("baseline", comparison.baseline.cities), ("scenario", comparison.scenario.cities))}
    if comparison.matched:
        wide = {arm: table.reindex(comparison.seeds) for arm, table in wide.items()}
    rows = []
    for city in wide["baseline"].columns:
        estimate = difference(wide["scenario"][city], wide["baseline"][city], comparison.matched)
        rows.append({"output": output, "city": city, "baseline": float(wide["baseline"][city].mean()),
                     "scenario": float(wide["scenario"][city].mean()), **estimate.row()})
    return pd.DataFrame(rows).set_index(["output", "city"])
