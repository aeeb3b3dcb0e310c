"""COVID as supply and demand: the covid_shock scenario against China's 2020 quarterly real GDP.

Targets (issue item 7; NBS quarterly national accounts): real GDP -6.8 %, +3.2 %, +4.9 %, +6.5 %
year on year in 2020 Q1-Q4, +2.3 % for the year. The scenario replays the shock from 2022 Q1, so the
shocked run's quarters 2022 Q1-Q4 are compared, year on year, with its own 2021 quarters (pre-shock,
identical to the no-shock run of the same seed). Since the pre-shock quarters agree, a shocked
quarter's y/y is ``(1 + g)(1 + d) - 1``: ``g`` the no-shock run's own y/y at that quarter, ``d`` the
shocked run's deviation from it. By default ``g`` is :data:`CHINA_TREND`, China's 2019 growth: the
2020 path is read as the shock's deviation from China's trend (the "gap" reading), which the
shocked run's deviation from its no-shock twin must reproduce; the model's own trend (about +2.2 %
a year) differs from China's, so its own y/y is not compared (``trend=None`` does that).

:func:`calibrate` fits the eight shares of :class:`ydabm.policies.CovidShock` (``absent[0..3]``,
``demand_drop[0..3]``; the same share in every city) to the four quarterly targets by bounded
Gauss-Newton least squares: linearise the seed-mean y/y at the current shares by forward
differences, solve the bounded linear least-squares problem (shares in [0, 0.5]) with a small
ridge penalty that picks the smallest shock among equally good fits, repeat until the shares move
by less than 0.001, and round them to 0.001 (0.1 % of workers or of income). :func:`measure`
re-runs a shock for 40 quarters and reports the four quarters against China and the deviation from
the no-shock path afterwards: it must come back within :data:`BAND` of it and never run more than
:data:`BAND` above it. It also reports the channels (:data:`CHANNELS`): nominal GDP is pinned by the
money stock, so real GDP is nominal GDP over the deflator, and the deflator's and the unemployment
rate's gaps from the no-shock run show why the path has the shape it has.

The fit (7 Dec 2026, when a lockdown's absences came to close a share of every cohort's enterprises
instead of thinning their staff; seeds 1-5, the default 750 people per agent, shock from 2022 Q1:
``ydabm validate covid --calibrate``, about 1 min) gives ``absent`` = [0.122, 0.034, 0.016, 0] and no
demand drop, the :class:`ydabm.policies.CovidShock` defaults: -6.77, +3.19, +4.90, +5.80 % y/y, Q1-Q3
within 0.03 pp and Q4 0.70 pp short (China's Q4 was 0.5 % above its trend, the model's is 0.19 % below
its no-shock path when no one is absent; docs/ODD.md, "Supply shock"). The fit before (4 Dec 2026, on
absences that thinned the staff) gave [0.113, 0.031, 0.014, 0].
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..params import ParameterError
from ..policies import CovidShock
from ..run import simulate
from ..scenarios import load_scenario
from . import write_manifest

#: China's real GDP growth in 2019 (NBS, 6.0 %): the trend the 2020 path deviated from
CHINA_TREND = 0.06
#: China's real GDP, y/y, 2020 Q1-Q4 and the year 2020 (NBS)
CHINA_2020 = (-0.068, 0.032, 0.049, 0.065)
CHINA_2020_YEAR = 0.023
SCENARIO = "covid_shock"
SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40
#: largest accepted gap between the model's y/y and China's in each shock quarter
TOLERANCE = 0.01
#: after the shock real GDP must return within this share of the no-shock path, and never exceed it by more
BAND = 0.02
#: ridge weight on the squared shares in the fit (y/y residuals are fractions): a tie-breaker only
RIDGE = 1e-4
#: finite-difference step and upper bound of each share in the fit
STEP = 0.02
MAX_SHARE = 0.5
OUT = Path("results/validation/covid")


@dataclass
class CovidCheck:
    """One measured COVID path.

    Attributes:
        shock: the shock that was run.
        table: one row per quarter from one year before the shock to the end of the run: ``year``,
            ``quarter``, ``phase`` (pre, shock, after), seed means of the no-shock and shocked real GDP
            (100 M yuan / year), of the no-shock and shocked y/y and of the deviation from the no-shock
            path, the deviation's min and max over seeds, the seed-mean deviations of nominal GDP,
            the GDP deflator and the firm count (``*_deviation``) and the differences in the
            unemployment rate and the exit count (``*_gap``) from the no-shock run
            (:data:`CHANNELS`), and for the shock quarters China's y/y and the reference y/y (the
            model's on ``trend``, or its own) compared with it.
        summary: the headline numbers and verdicts.
        seeds, params, seconds: the runs' seeds, resolved model parameters and wall time.
    """

    shock: CovidShock
    table: pd.DataFrame
    summary: dict[str, Any]
    seeds: tuple[int, ...]
    params: dict[str, Any]
    seconds: float

    @property
    def passed(self) -> bool:
        return bool(self.summary["quarters_pass"] and self.summary["recovers"] and self.summary["never_above"])


# ---------------------------------------------------------------------- runs
@functools.lru_cache(maxsize=32)
def _no_shock(params: tuple, quarters: int, seed: int) -> pd.DataFrame:
    return simulate(dict(params), quarters, seed).model


#: what else :func:`measure` compares between the shocked run and its no-shock twin (the mechanism
#: behind the path: nominal GDP is pinned by the money stock, so real GDP moves inversely to the deflator)
CHANNELS = ("nominal_gdp", "gdp_deflator", "unemployment_rate", "firms", "exits")


def _paths(shock: CovidShock, params: dict[str, Any], quarters: int, seeds, columns: tuple[str, ...] = ("real_gdp",)
           ) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Calendar, and for each of ``columns`` the (seeds, steps + 1) values of the no-shock and the
    shocked runs."""
    base, shocked = [], []
    key = tuple(sorted(params.items()))
    for seed in seeds:
        frame = _no_shock(key, quarters, seed)
        base.append(frame)
        shocked.append(simulate(params, quarters, seed, [dataclasses.replace(shock)]).model)
    return frame[["year", "quarter"]], _stack(base, columns), _stack(shocked, columns)


def _stack(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each of ``columns`` as a (runs, steps + 1) array over the run frames."""
    return {name: np.array([frame[name].to_numpy(dtype=float) for frame in frames]) for name in columns}


def _first_row(calendar: pd.DataFrame, shock: CovidShock) -> int:
    rows = np.flatnonzero((calendar["year"] == shock.start_year) & (calendar["quarter"] == shock.start_quarter))
    if rows.size == 0 or rows[0] < 4:
        raise ParameterError(f"CovidShock.start_year: the shock must start at least a year after the run starts "
                             f"(got {shock.start_year} Q{shock.start_quarter})")
    return int(rows[0])


def _length(shock: CovidShock) -> int:
    return max(len(shock.absent), len(shock.demand_drop))


def _yoy(values: np.ndarray) -> np.ndarray:
    """(seeds, steps + 1) -> same shape, y/y growth (NaN for the first year)."""
    out = np.full(values.shape, np.nan)
    out[:, 4:] = values[:, 4:] / values[:, :-4] - 1.0
    return out


def _reference_yoy(base: np.ndarray, shocked: np.ndarray, trend: float | None) -> np.ndarray:
    """(seeds, steps + 1) y/y compared with China's: the shocked run's own, or (1 + trend)(1 + d) - 1."""
    if trend is None:
        return _yoy(shocked)
    return (1.0 + trend) * shocked / base - 1.0


def shock_quarter_yoy(shock: CovidShock, params: dict[str, Any] | None = None, seeds=SEEDS,
                      trend: float | None = CHINA_TREND) -> np.ndarray:
    """Seed-mean y/y of the four quarters from the shock's start, as compared with China's.

    Args:
        shock: the shock to run (a copy per run).
        params: model parameter overrides on top of the scenario's.
        seeds: seeds averaged over.
        trend: None for the shocked run's own y/y, else (1 + trend)(1 + deviation) - 1.

    Returns:
        (4,) y/y as fractions; the runs stop at the fourth shock quarter.
    """
    params = load_scenario(SCENARIO).params(params)
    first = (shock.start_year - params["start_year"]) * 4 + shock.start_quarter - 1
    calendar, base, shocked = _paths(shock, params, first + len(CHINA_2020) - 1, seeds)
    base, shocked = base["real_gdp"], shocked["real_gdp"]
    first = _first_row(calendar, shock)
    return _reference_yoy(base, shocked, trend)[:, first:first + len(CHINA_2020)].mean(axis=0)


# ---------------------------------------------------------------------- calibration
def calibrate(params: dict[str, Any] | None = None, seeds=SEEDS, trend: float | None = CHINA_TREND,
              start_year: int = 2022, start_quarter: int = 1, recovery_quarters: int = 4,
              iterations: int = 6, verbose: bool = False) -> CovidShock:
    """Fit ``absent[0..3]`` and ``demand_drop[0..3]`` to China's 2020 quarterly y/y.

    Bounded Gauss-Newton: at the current shares x, the Jacobian J of the seed-mean y/y of the four
    shock quarters is taken by forward differences of :data:`STEP`; the next shares solve
    ``min |J x' - (J x - r)|^2 + RIDGE |x'|^2`` over 0 <= x' <= :data:`MAX_SHARE` (scipy
    ``lsq_linear``), r the y/y residuals against :data:`CHINA_2020`. Stops when no share moves by
    more than 0.001 or after ``iterations``. Each evaluation runs only up to the last shock quarter.

    Args:
        params: model parameter overrides (default: the scenario's, at the default scale).
        seeds: seeds averaged over.
        trend: None to match the shocked run's own y/y; a yearly growth to match China's path as a
            deviation from that trend.
        start_year, start_quarter, recovery_quarters: passed to the fitted :class:`CovidShock`.
        iterations: most Gauss-Newton steps.
        verbose: print each step.
    """
    from scipy.optimize import lsq_linear
    n = len(CHINA_2020)
    target = np.array(CHINA_2020)

    def shock_of(x):
        return CovidShock(start_year, start_quarter, absent=[float(v) for v in x[:n]],
                          demand_drop=[float(v) for v in x[n:]], recovery_quarters=recovery_quarters)

    def yoy(x):
        return shock_quarter_yoy(shock_of(x), params, seeds, trend)

    x = np.zeros(2 * n)
    for step in range(iterations):
        current = yoy(x)
        jacobian = np.empty((n, 2 * n))
        for j in range(2 * n):
            h = STEP if x[j] + STEP <= MAX_SHARE else -STEP
            moved = x.copy()
            moved[j] += h
            jacobian[:, j] = (yoy(moved) - current) / h
        residual = current - target
        a = np.vstack([jacobian, np.sqrt(RIDGE) * np.eye(2 * n)])
        b = np.concatenate([jacobian @ x - residual, np.zeros(2 * n)])
        new = lsq_linear(a, b, bounds=(0.0, MAX_SHARE)).x
        if verbose:
            print(f"  step {step}: y/y {np.round(current * 100, 2)} -> shares {np.round(new, 4)}", flush=True)
        moved_by = np.abs(new - x).max()
        x = new
        if moved_by < 1e-3:
            break
    return shock_of(np.round(x, 3))


# ---------------------------------------------------------------------- measurement
def measure(shock: CovidShock | None = None, params: dict[str, Any] | None = None, seeds=SEEDS,
            quarters: int = QUARTERS, trend: float | None = CHINA_TREND) -> CovidCheck:
    """Run ``shock`` (default: the covid_shock scenario's) and its no-shock twin for each seed.

    The four quarters pass when each seed-mean reference y/y is within :data:`TOLERANCE` of China's.
    After the shock (from the quarter after its last one to the end of the run) the seed-mean
    deviation from the no-shock path must come back within :data:`BAND` for good (``recovers``;
    ``recovered_from`` is the first quarter from which it stays there) and never exceed +BAND
    (``never_above``).

    Args:
        shock: the shock to run; None for the covid_shock scenario's (the calibrated defaults).
        params: model parameter overrides on top of the scenario's (default scale).
        seeds: seeds averaged over; each also gives the matched no-shock run.
        quarters: quarters of each run.
        trend: None to compare the shocked run's own y/y with China's, else (1 + trend)(1 + d) - 1.

    Raises:
        ParameterError: the shock starts less than a year into the run, or ends after it.
    """
    scenario = load_scenario(SCENARIO)
    if shock is None:
        shocks = [p for p in scenario.policies() if isinstance(p, CovidShock)]
        if len(shocks) != 1:
            raise ParameterError(f"scenario {SCENARIO}: expected one CovidShock policy, found {len(shocks)}")
        shock = shocks[0]
    params = scenario.params(params)
    started = time.perf_counter()
    calendar, base_all, shocked_all = _paths(shock, params, quarters, seeds, ("real_gdp",) + CHANNELS)
    base, shocked = base_all["real_gdp"], shocked_all["real_gdp"]
    seconds = time.perf_counter() - started
    first, length = _first_row(calendar, shock), _length(shock)
    n = len(CHINA_2020)
    if first + max(n, length) >= len(calendar):
        raise ParameterError(f"--quarters: {quarters} ends before the shock is over")
    deviation = shocked / base - 1.0
    reference = _reference_yoy(base, shocked, trend)
    rows = np.arange(first - 4, len(calendar))
    phase = np.where(rows < first, "pre", np.where(rows < first + length, "shock", "after"))
    table = pd.DataFrame({
        "year": calendar["year"].to_numpy()[rows].astype(int), "quarter": calendar["quarter"].to_numpy()[rows].astype(int),
        "phase": phase, "real_gdp_no_shock": base.mean(axis=0)[rows], "real_gdp_shock": shocked.mean(axis=0)[rows],
        "yoy_no_shock": _yoy(base).mean(axis=0)[rows], "yoy_shock": _yoy(shocked).mean(axis=0)[rows],
        "deviation": deviation.mean(axis=0)[rows], "deviation_min": deviation.min(axis=0)[rows],
        "deviation_max": deviation.max(axis=0)[rows]})
    # the channels, seed means: relative deviations, and differences for rates and counts
    for name in CHANNELS:
        if name in ("unemployment_rate", "exits"):
            table[f"{name}_gap"] = (shocked_all[name] - base_all[name]).mean(axis=0)[rows]
        else:
            table[f"{name}_deviation"] = (shocked_all[name] / base_all[name] - 1.0).mean(axis=0)[rows]
    china = np.full(len(rows), np.nan)
    china[4:4 + n] = CHINA_2020
    table["yoy_china"] = china
    table["yoy_reference"] = np.where(np.isnan(china), np.nan, reference.mean(axis=0)[rows])

    target = table.iloc[4:4 + n]
    errors = (target["yoy_reference"] - target["yoy_china"]).to_numpy()
    # the year of the shock on the same reading: (1 + no-shock or trend growth) x (1 + its deviation) - 1
    window, before = slice(first, first + 4), slice(first - 4, first)
    growth = base[:, window].sum(axis=1) / base[:, before].sum(axis=1) - 1.0 if trend is None else trend
    year = (1.0 + growth) * shocked[:, window].sum(axis=1) / base[:, window].sum(axis=1) - 1.0
    after = table[table["phase"] == "after"]
    outside = np.flatnonzero(np.abs(after["deviation"].to_numpy()) > BAND)
    recovers = outside.size == 0 or outside[-1] < len(after) - 1
    recovered_from = after.iloc[outside[-1] + 1 if outside.size else 0] if recovers else None
    summary: dict[str, Any] = {
        "shock": {"start": f"{shock.start_year}Q{shock.start_quarter}", "absent": list(shock.absent),
                  "demand_drop": list(shock.demand_drop), "recovery_quarters": shock.recovery_quarters},
        "seeds": list(seeds), "quarters": quarters, "trend": trend,
        "yoy_model": target["yoy_reference"].round(5).tolist(), "yoy_china": list(CHINA_2020),
        "yoy_error": np.round(errors, 5).tolist(), "tolerance": TOLERANCE,
        "quarters_pass": bool(np.all(np.abs(errors) <= TOLERANCE)),
        "deviation_shock_quarters": target["deviation"].round(5).tolist(),
        "yoy_no_shock": target["yoy_no_shock"].round(5).tolist(),
        "deflator_deviation_shock_quarters": target["gdp_deflator_deviation"].round(5).tolist(),
        "unemployment_gap_shock_quarters": target["unemployment_rate_gap"].round(5).tolist(),
        "yoy_year_model": float(year.mean()), "yoy_year_china": CHINA_2020_YEAR,
        "after_max_deviation": float(after["deviation"].max()), "after_min_deviation": float(after["deviation"].min()),
        "after_end_deviation": float(after["deviation"].iloc[-1]), "band": BAND,
        "recovers": bool(recovers),
        "recovered_from": None if recovered_from is None else f"{recovered_from.year}Q{recovered_from.quarter}",
        "never_above": bool(after["deviation"].max() <= BAND),
        "after_seed_max_deviation": float(deviation[:, first + length:].max()),
        "after_seed_min_deviation": float(deviation[:, first + length:].min()),
    }
    return CovidCheck(shock, table, summary, tuple(seeds), params, seconds)


# ---------------------------------------------------------------------- outputs
def covid_figure(check: CovidCheck, path: Path) -> None:
    """Deviation from the no-shock path by quarter (seed mean and range), and y/y in the shock quarters."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = check.table
    labels = [f"{y}Q{q}" for y, q in zip(table["year"], table["quarter"])]
    x = np.arange(len(table))
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5), constrained_layout=True,
                                      gridspec_kw={"width_ratios": [2.2, 1]})
    left.fill_between(x, 100 * table["deviation_min"], 100 * table["deviation_max"], color="#1f4e79", alpha=0.2,
                      label="range over seeds")
    left.plot(x, 100 * table["deviation"], color="#1f4e79", marker="o", ms=3, label="seed mean")
    for level in (BAND, -BAND):
        left.axhline(100 * level, color="#b03a2e", ls="--", lw=1)
    left.axhline(0, color="grey", lw=1)
    shock_rows = np.flatnonzero(table["phase"] == "shock")
    left.axvspan(shock_rows[0] - 0.5, shock_rows[-1] + 0.5, color="grey", alpha=0.15, label="shock quarters")
    left.set_xticks(x[::4], labels[::4], rotation=45)
    left.set(title="Real GDP: shocked run vs no-shock run (%)", ylabel="deviation (%)")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    rows = table.iloc[4:4 + len(CHINA_2020)]
    q = np.arange(len(rows))
    right.bar(q - 0.2, 100 * rows["yoy_china"], width=0.4, color="#b03a2e", label="China 2020")
    right.bar(q + 0.2, 100 * rows["yoy_reference"], width=0.4, color="#1f4e79",
              label="model" + ("" if check.summary["trend"] is None else f" (trend {check.summary['trend']:g})"))
    right.axhline(0, color="grey", lw=1)
    right.set_xticks(q, [f"Q{k + 1}" for k in q])
    right.set(title="Real GDP y/y in the shock quarters (%)", ylabel="y/y (%)")
    right.legend(fontsize=8)
    right.grid(alpha=0.3, axis="y")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_check(check: CovidCheck, out: Path) -> None:
    """Write ``quarters.csv``, ``summary.json``, ``covid.png`` and ``manifest.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    check.table.to_csv(out / "quarters.csv", index=False)
    (out / "summary.json").write_text(json.dumps(check.summary, indent=2))
    covid_figure(check, out / "covid.png")
    write_manifest(out, "covid", scenario=SCENARIO, shock=repr(check.shock), seeds=list(check.seeds),
                   params=check.params, wall_time_s=round(check.seconds, 3))
