"""Core–periphery check: do the model's market mechanisms nest Krugman (1991)?

This is a check of the model's *market mechanisms*, not of the full agent-based dynamics. On the
two-city geography with the core–periphery sector table (agriculture traded at no cost,
manufacturing at iceberg cost T between the cities), it builds Krugman's short-run equilibrium out
of the model's own goods-market functions (:mod:`ydabm.markets.goods`: iceberg costs, CES price
terms, market access and the consumer price index) plus the textbook closure the agent-based model
only approaches over time: free entry (zero profit, so a firm's revenue is σ·F·w and the number of
firms in a city is proportional to its manufacturing workers), markup pricing p = σ/(σ − 1)·w,
farm wage 1 as numéraire, incomes equal to wages. It solves the manufacturing wages by damped
fixed-point iteration, reads off the real-wage gap ω_0 − ω_1 as a function of the share λ of
manufacturing workers in city 0 and of T, and finds the break point (where the gap's slope at
λ = 1/2 changes sign) and the sustain point (where the empty city's real wage equals the core's at
λ = 1). These are compared with the analytic values of Fujita, Krugman & Venables (1999, ch. 5) in
:mod:`ydabm.validation.theory`.

Separately, and labelled as such, it runs the full agent-based model of the ``core_periphery``
scenario from two starting shares at three trade costs and records λ(t); those paths include the
model's frictions (unemployment, adaptive expectations, gradual entry and exit) and are shown, not
scored.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..geography import build_geography
from ..markets import goods
from ..params import ParameterError
from ..run import provenance
from ..sectors import load_sectors
from . import theory

OUT = Path("results/validation/core_periphery")
SECTORS_FILE = "sectors_core_periphery"
SCENARIO = "core_periphery"
SEED = 20261128
RELATIVE_TOLERANCE = 0.05          # a model estimate further than 5 % from the analytic value fails
ABM_TRADE_COSTS = (1.4, 1.75, 2.2)
ABM_CORE_SHARES = (0.55, 0.9)
ABM_QUARTERS = 160
DAMPING = 0.5
WAGE_TOLERANCE = 1e-12
MAX_ITERATIONS = 100_000
SLOPE_STEP = 1e-4                  # λ step of the numerical slope of the gap at λ = 1/2
LOWEST_TRADE_COST = 1.0 + 1e-3
HIGHEST_TRADE_COST = 50.0


@dataclass
class CorePeripheryCheck:
    """The outcome of one core–periphery check.

    Attributes:
        sigma: elasticity of substitution σ between manufacturing varieties.
        mu: manufacturing expenditure share μ.
        summary: ``analytic_break``, ``analytic_sustain``, ``model_break``, ``model_sustain``
            (iceberg trade costs) and the relative errors of the model estimates.
        model_tomahawk: equilibria (T, lambda, stable) from the model's gap function.
        analytic_tomahawk: the same from :func:`ydabm.validation.theory.tomahawk`.
        abm_paths: λ(t) of the agent-based runs (columns trade_cost, initial_core_share, seed,
            quarter, core_share); empty when skipped.
        seconds: wall time of the market-mechanism part and of the agent-based runs, s.
    """

    sigma: float
    mu: float
    summary: dict[str, float]
    model_tomahawk: pd.DataFrame
    analytic_tomahawk: pd.DataFrame
    abm_paths: pd.DataFrame
    seconds: dict[str, float]

    @property
    def passed(self) -> bool:
        """Both model estimates within :data:`RELATIVE_TOLERANCE` of the analytic values."""
        return max(self.summary["break_error"], self.summary["sustain_error"]) <= RELATIVE_TOLERANCE


def check_parameters(sigma: float, mu: float) -> None:
    """Raise a one-line :class:`ParameterError` unless σ > 1, 0 < μ < 1 and ρ = (σ − 1)/σ > μ."""
    try:
        theory.check_no_black_hole(sigma, mu)
    except ValueError as err:
        raise ParameterError(f"core-periphery: {err}") from None


# ---------------------------------------------------------------------- the model's short run
@dataclass(frozen=True)
class TwoCityMarket:
    """The model's goods-market inputs for the two-city core–periphery economy.

    Attributes:
        weights: (2, 2, 2) T^(1 − σ_s) per sector (agriculture, manufacturing), origin, destination.
        elasticity: (2,) σ_s; manufacturing's is the checked σ.
        fixed_cost: manufacturing overhead F from the sector table.
    """

    weights: np.ndarray
    elasticity: np.ndarray
    fixed_cost: float


def two_city_market(trade_cost: float, sigma: float) -> TwoCityMarket:
    """The model's iceberg costs on ``build_geography("two_city", trade_cost=T)``, sector table
    ``sectors_core_periphery`` with the manufacturing elasticity set to σ.

    The cities are ln T "hours" apart and manufacturing pays tau = 1 per hour, so its iceberg cost
    between the cities is exactly T; agriculture (tau = 0) is traded at no cost.
    """
    geography = build_geography("two_city", trade_cost=trade_cost)
    sectors = load_sectors(SECTORS_FILE)
    sectors = dataclasses.replace(sectors, elasticity=np.where(sectors.manufacturing, sigma, sectors.elasticity))
    iceberg = goods.iceberg_costs(geography.hours, sectors.trade_cost_per_hour, geography.border, barrier=0.0)
    manufacturing = int(np.flatnonzero(sectors.manufacturing)[0])
    return TwoCityMarket(goods.cost_weights(iceberg, sectors.elasticity), sectors.elasticity,
                         float(sectors.fixed_cost[manufacturing]))


def short_run_equilibrium(share, trade_cost: float, sigma: float, mu: float) -> dict[str, np.ndarray]:
    """Manufacturing wages and real wages of the two cities with a share λ of manufacturing in city 0.

    Built from the model's goods market: variety masses A_i = n_i p_i^(1 − σ) (agriculture: the
    farmers, price 1), :func:`goods.price_terms`, :func:`goods.market_access` with spending
    (1 − μ, μ) × income, and :func:`goods.consumer_price_index`. Free entry gives n_i = L_i/(σF)
    (F cancels from the wages), zero profit p_i^(1 − σ) MA_i = σ F w_i with markup price
    p_i = σ/(σ − 1) · w_i. Each round moves the wage halfway towards
    w_i · (revenue_i / (σ F w_i))^(1/σ), the wage at which a firm breaks even given this round's
    market access, until the largest change is below 1e-12. A city without manufacturing gets the
    wage an entrant there could pay (its market access is defined by the other city's firms).

    Args:
        share: λ, share of the mobile manufacturing workers in city 0, in [0, 1]; a float or an
            array of shares, solved together.
        trade_cost: iceberg factor T >= 1 between the cities.
        sigma: elasticity of substitution σ > 1.
        mu: manufacturing expenditure share μ in (0, 1).

    Returns:
        dict of arrays, (2,) for a float share and (n, 2) for n shares: ``wage`` (manufacturing
        wage; farm wage = 1), ``price_index`` (CPI) and ``real_wage`` = wage / CPI.

    Raises:
        RuntimeError: if the iteration does not converge.
    """
    solved = _solve(np.atleast_1d(np.asarray(share, dtype=float)), two_city_market(trade_cost, sigma), mu)
    return {key: value[0] for key, value in solved.items()} if np.ndim(share) == 0 else solved


def _solve(shares: np.ndarray, market: TwoCityMarket, mu: float) -> dict[str, np.ndarray]:
    """(n, 2) wages, CPIs and real wages for n shares at once.

    The n economies are stacked along the goods functions' sector axis (columns: agriculture of
    each economy, then manufacturing of each), which they treat independently.
    """
    count, sigma = shares.size, market.elasticity[1]
    weights = np.repeat(market.weights, count, axis=0)
    elasticity = np.repeat(market.elasticity, count)
    workers = mu * np.column_stack([shares, 1.0 - shares])
    farmers = np.full((2, count), (1.0 - mu) / 2)
    firms = workers / (sigma * market.fixed_cost)
    wage = np.ones_like(workers)
    for _ in range(MAX_ITERATIONS):
        price = sigma / (sigma - 1.0) * wage
        phi = goods.price_terms(np.hstack([farmers, (firms * price ** (1.0 - sigma)).T]), weights)
        income = farmers + workers.T * wage.T
        spending = np.hstack([(1.0 - mu) * income, mu * income])
        access = goods.market_access(weights, spending, phi)[:, count:].T
        revenue = price ** (1.0 - sigma) * access
        target = wage * (revenue / (sigma * market.fixed_cost * wage)) ** (1.0 / sigma)
        if np.max(np.abs(target - wage)) < WAGE_TOLERANCE:
            by_economy = (phi ** (1.0 / (1.0 - elasticity))).reshape(2, 2, count).transpose(2, 0, 1)
            cpi = goods.consumer_price_index(by_economy.reshape(2 * count, 2), np.array([1.0 - mu, mu]))
            cpi = cpi.reshape(count, 2)
            return {"wage": target, "price_index": cpi, "real_wage": target / cpi}
        wage = wage + DAMPING * (target - wage)
    raise RuntimeError(f"no short-run equilibrium after {MAX_ITERATIONS} iterations")


def real_wage_gap(share, trade_cost: float, sigma: float, mu: float,
                  market: TwoCityMarket | None = None):
    """ω_0 − ω_1 at the model's short-run equilibrium; manufacturing workers move towards city 0
    when it is positive.

    ``share`` may be a float (returns a float) or an array (returns an array, solved together);
    ``market`` may be passed to reuse :func:`two_city_market`.
    """
    market = market or two_city_market(trade_cost, sigma)
    real_wage = _solve(np.atleast_1d(np.asarray(share, dtype=float)), market, mu)["real_wage"]
    gaps = real_wage[:, 0] - real_wage[:, 1]
    return float(gaps[0]) if np.ndim(share) == 0 else gaps


def _symmetric_slope(trade_cost: float, sigma: float, mu: float) -> float:
    """d(ω_0 − ω_1)/dλ at λ = 1/2 (central difference); positive means dispersion is unstable."""
    low, high = real_wage_gap(np.array([0.5 - SLOPE_STEP, 0.5 + SLOPE_STEP]), trade_cost, sigma, mu)
    return float(high - low) / (2 * SLOPE_STEP)


def _core_advantage(trade_cost: float, sigma: float, mu: float) -> float:
    """ω_core − ω_periphery at full agglomeration λ = 1; positive means the core is sustainable."""
    return real_wage_gap(1.0, trade_cost, sigma, mu)


def model_break_point(sigma: float, mu: float) -> float:
    """Trade cost at which the slope of the model's real-wage gap at λ = 1/2 changes sign (bisection).

    Returns:
        T_b, iceberg factor.
    """
    return _bisect_sign_change(lambda t: _symmetric_slope(t, sigma, mu))


def model_sustain_point(sigma: float, mu: float) -> float:
    """Trade cost at which, with all manufacturing in city 0, a worker in the empty city would earn
    the core's real wage (bisection).

    Returns:
        T_s, iceberg factor.
    """
    return _bisect_sign_change(lambda t: _core_advantage(t, sigma, mu))


def _bisect_sign_change(function, tolerance: float = 1e-9) -> float:
    """The T > 1 where ``function`` turns from positive (near T = 1) to negative, by bisection on
    log T: a doubling search for the first negative value, then halving the bracket."""
    low, high = LOWEST_TRADE_COST, LOWEST_TRADE_COST
    if not function(low) > 0:
        raise RuntimeError(f"expected a positive value at T = {low}")
    while function(high) > 0:
        low, high = high, 1.0 + 2.0 * (high - 1.0)
        if high > HIGHEST_TRADE_COST:
            raise RuntimeError(f"no sign change below T = {HIGHEST_TRADE_COST}")
    while high - low > tolerance:
        middle = float(np.sqrt(low * high))
        low, high = (middle, high) if function(middle) > 0 else (low, middle)
    return 0.5 * (low + high)


def model_tomahawk(trade_costs, sigma: float, mu: float, grid_points: int = 40) -> pd.DataFrame:
    """Long-run equilibria λ* of the model's real-wage gap over trade costs.

    For each T: λ = 1/2 (stable iff the gap falls with λ there); λ = 0 and 1 when the core's real
    wage is at least the periphery's (stable); interior roots of the gap on a grid of
    ``grid_points`` values of λ in [0, 1/2), refined by Brent's method and mirrored to 1 − λ, stable iff
    the gap falls with λ.

    Returns:
        one row per equilibrium: ``T``, ``lambda``, ``stable``.
    """
    rows = []
    grid = np.linspace(0.0, 0.5, grid_points + 1)[:-1]
    for trade_cost in np.asarray(trade_costs, dtype=float):
        market = two_city_market(trade_cost, sigma)
        gap = functools.partial(real_wage_gap, trade_cost=trade_cost, sigma=sigma, mu=mu, market=market)
        rows.append((trade_cost, 0.5, _symmetric_slope(trade_cost, sigma, mu) < 0))
        if gap(1.0) >= 0:
            rows += [(trade_cost, 0.0, True), (trade_cost, 1.0, True)]
        gaps = gap(grid)
        for k in np.flatnonzero(np.sign(gaps[:-1]) * np.sign(gaps[1:]) < 0):
            root = brentq(gap, grid[k], grid[k + 1], xtol=1e-6)
            stable = bool(gaps[k + 1] < gaps[k])
            rows += [(trade_cost, root, stable), (trade_cost, 1.0 - root, stable)]
    return pd.DataFrame(rows, columns=["T", "lambda", "stable"])


# ---------------------------------------------------------------------- the agent-based runs
def abm_paths(mu: float, trade_costs=ABM_TRADE_COSTS, core_shares=ABM_CORE_SHARES,
              quarters: int = ABM_QUARTERS, seed: int = SEED) -> pd.DataFrame:
    """λ(t) = manufacturing workers in city 0 / all manufacturing workers, from full agent-based
    runs of the ``core_periphery`` scenario (σ from its sector table, ``agriculture_share`` = 1 − μ).

    Returns:
        tidy rows: trade_cost, initial_core_share, seed, quarter (0 = start), core_share.
    """
    from ..model import YRDModel
    from ..scenarios import load_scenario

    scenario = load_scenario(SCENARIO)
    rows = []
    for trade_cost in trade_costs:
        for core_share in core_shares:
            params = scenario.params({"trade_cost": trade_cost, "initial_core_share": core_share,
                                      "agriculture_share": 1.0 - mu})
            model = YRDModel(**params, rng=seed)
            for quarter in range(quarters + 1):
                if quarter:
                    model.step()
                manufacturing = model.labour_force[:, 1]
                rows.append((trade_cost, core_share, seed, quarter, manufacturing[0] / manufacturing.sum()))
    return pd.DataFrame(rows, columns=["trade_cost", "initial_core_share", "seed", "quarter", "core_share"])


# ---------------------------------------------------------------------- the check
def tomahawk_trade_costs(sigma: float, mu: float, points: int = 48) -> np.ndarray:
    """A grid of trade costs covering both analytic thresholds with room above the sustain point."""
    return np.linspace(1.01, 1.0 + 1.6 * (theory.sustain_point(sigma, mu) - 1.0), points)


def check_core_periphery(sigma: float, mu: float, abm: bool = True, quarters: int = ABM_QUARTERS,
                         seed: int = SEED) -> CorePeripheryCheck:
    """Model and analytic break and sustain points, both tomahawks, and (optionally) ABM paths.

    Raises:
        ParameterError: if (σ, μ) violates σ > 1, 0 < μ < 1 or the no-black-hole condition.
    """
    check_parameters(sigma, mu)
    started = time.perf_counter()
    analytic_break, analytic_sustain = theory.break_point(sigma, mu), theory.sustain_point(sigma, mu)
    model_break, model_sustain = model_break_point(sigma, mu), model_sustain_point(sigma, mu)
    summary = {
        "analytic_break": analytic_break, "analytic_sustain": analytic_sustain,
        "model_break": model_break, "model_sustain": model_sustain,
        "break_error": abs(model_break / analytic_break - 1.0),
        "sustain_error": abs(model_sustain / analytic_sustain - 1.0),
    }
    trade_costs = tomahawk_trade_costs(sigma, mu)
    modelled = model_tomahawk(trade_costs, sigma, mu)
    analytic = pd.DataFrame(theory.tomahawk(trade_costs, sigma, mu))
    seconds = {"market": time.perf_counter() - started}
    started = time.perf_counter()
    paths = abm_paths(mu, quarters=quarters, seed=seed) if abm else pd.DataFrame()
    seconds["abm"] = time.perf_counter() - started
    return CorePeripheryCheck(sigma, mu, summary, modelled, analytic, paths, seconds)


def write_check(check: CorePeripheryCheck, out: Path) -> None:
    """Write ``summary.json``, ``tomahawk.csv``, ``abm_paths.csv`` (if run), ``core_periphery.png``
    and ``manifest.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(check.summary, indent=2))
    tables = [check.model_tomahawk.assign(source="model"), check.analytic_tomahawk.assign(source="analytic")]
    pd.concat(tables, ignore_index=True).to_csv(out / "tomahawk.csv", index=False)
    if not check.abm_paths.empty:
        check.abm_paths.to_csv(out / "abm_paths.csv", index=False)
    core_periphery_figure(check, out / "core_periphery.png")
    manifest = {"check": "core-periphery", "sigma": check.sigma, "mu": check.mu,
                "sectors_file": SECTORS_FILE, "scenario": SCENARIO,
                "wall_time_s": {k: round(v, 3) for k, v in check.seconds.items()}, **provenance()}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))


def core_periphery_figure(check: CorePeripheryCheck, path: Path) -> None:
    """Tomahawks (model's market mechanisms vs analytic) and, if run, the agent-based λ(t) paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with_abm = not check.abm_paths.empty
    fig, axes = plt.subplots(1, 3 if with_abm else 2, figsize=(17 if with_abm else 11.5, 5),
                             constrained_layout=True)
    summary = check.summary
    titles = (f"Model's market mechanisms\nT_b = {summary['model_break']:.4f}, T_s = {summary['model_sustain']:.4f}",
              f"Analytic (FKV 1999, ch. 5)\nT_b = {summary['analytic_break']:.4f}, "
              f"T_s = {summary['analytic_sustain']:.4f}")
    for ax, table, title in zip(axes, (check.model_tomahawk, check.analytic_tomahawk), titles):
        for stable, style in ((True, dict(color="#1f4e79", marker="o", s=14, label="stable")),
                              (False, dict(facecolors="none", edgecolors="#b03a2e", marker="o", s=14,
                                           label="unstable"))):
            rows = table[table["stable"] == stable]
            ax.scatter(rows["T"], rows["lambda"], **style)
        ax.axvline(summary["analytic_break"], color="grey", ls=":", lw=1)
        ax.axvline(summary["analytic_sustain"], color="grey", ls="--", lw=1)
        ax.set(title=title, xlabel="iceberg trade cost T", ylabel="λ* (manufacturing share of city 0)",
               ylim=(-0.05, 1.05))
        ax.legend(loc="center right", fontsize=8)
    fig.suptitle(f"Core–periphery check, σ = {check.sigma:g}, μ = {check.mu:g} "
                 "(dotted: analytic T_b, dashed: analytic T_s)")
    if with_abm:
        _abm_panel(axes[2], check)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _abm_panel(ax, check: CorePeripheryCheck) -> None:
    sigma = float(load_sectors(SECTORS_FILE).elasticity[1])
    colours = dict(zip(ABM_TRADE_COSTS, ("#1f4e79", "#2a7f3f", "#b03a2e")))
    for (trade_cost, start), path in check.abm_paths.groupby(["trade_cost", "initial_core_share"]):
        ax.plot(path["quarter"], path["core_share"], color=colours.get(trade_cost, "black"),
                ls="-" if start > 0.6 else "--", label=f"T = {trade_cost:g}, λ0 = {start:g}")
    seed = int(check.abm_paths["seed"].iloc[0])
    ax.set(title=f"Agent-based runs (one seed, {seed}; σ = {sigma:g} from the sector table, μ = {check.mu:g})",
           xlabel="quarter", ylabel="λ(t) (manufacturing workers in city 0 / all)", ylim=(-0.05, 1.05))
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8)
