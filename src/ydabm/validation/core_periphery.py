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

Then it does the same with the agent-based model itself: on a grid of (T, λ) it builds ``YRDModel``
from the ``core_periphery`` scenario with migration frozen (λ fixed), runs a burn-in of quarters
and measures the real-wage gap between the cities, both as the mobile workers' expected real income
(the wages actually paid after the Phillips-curve adjustment, Krugman's variable: scored) and as real
value added per manufacturing worker (what a zero-profit firm would pay: reported). The signs of the
gaps give the agent-based tomahawk and, by interpolation over T, its break and sustain points; they
count towards ``passed`` only if :data:`ABM_SCORED`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..geography import build_geography
from ..markets import goods
from ..params import ParameterError
from ..paths import resolve_config
from ..sectors import load_sectors
from . import theory, write_manifest

OUT = Path("results/validation/core_periphery")
SECTORS_FILE = "sectors_core_periphery"
SCENARIO = "core_periphery"
SEED = 20261128
RELATIVE_TOLERANCE = 0.05          # a model estimate further than 5 % from the analytic value fails
ABM_CORE_SHARES = (0.55, 0.65, 0.75, 0.85, 0.95)   # λ of the agent-based sweep (1 − λ by symmetry)
ABM_GRID_POINTS = 13               # trade costs of the agent-based sweep
ABM_BURN_IN = 40                   # quarters of each agent-based run, λ frozen
ABM_AVERAGED_SHARE = 0.5           # the gaps are averaged over this last share of the quarters
# The agent-based short run with firm counts held at their free-entry level. The t = 0 economy of the
# core_periphery scenario is already a zero-profit state with firms in proportion to workers (F = 1/σ,
# firm_count_elasticity = 1), which is Krugman's free-entry count for every λ; entry and the exit
# hazard are switched off (exit_rate = 0: entry replaces a multiple of it) and loss-driven exit delayed beyond the run so that identical firms do not enter or leave en bloc on margins of
# a tenth of a percent; few, large firms (ABM_MANUFACTURING_FIRMS, a few hundred workers each) keep
# the integer staff plans fine-grained; wages adjust at 0.4 a quarter instead of 0.15.
ABM_SHORT_RUN = {"exit_rate": 0.0, "exit_after": 40, "people_per_agent": 100.0, "wage_adjustment": 0.4}
ABM_MANUFACTURING_FIRMS = 20       # so that 20 λ firms, a whole number on the λ grid, start in city 0
# Whether abm_break and abm_sustain (income gap: the real wages actually paid) count towards
# ``passed`` (docs/validation.md gives the numbers); the earnings-gap estimates (real value added per
# worker) are reported, never scored.
ABM_SCORED = True
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
            (iceberg trade costs) and the relative errors of the model estimates; with the agent-based
            sweep also ``abm_break``, ``abm_sustain`` (from the income gap), ``abm_earnings_break``,
            ``abm_earnings_sustain`` (from the earnings gap; NaN if its sign never changes on the grid),
            their relative errors ``abm_break_error`` ..., and ``abm_scored`` (1.0 or 0.0).
        model_tomahawk: equilibria (T, lambda, stable) from the model's gap function.
        analytic_tomahawk: the same from :func:`ydabm.validation.theory.tomahawk`.
        abm_tomahawk: the agent-based gaps on the (T, λ) grid (:func:`abm_tomahawk`); empty when
            skipped.
        seconds: wall time of the market-mechanism part and of the agent-based runs, s.
    """

    sigma: float
    mu: float
    summary: dict[str, float]
    model_tomahawk: pd.DataFrame
    analytic_tomahawk: pd.DataFrame
    abm_tomahawk: pd.DataFrame
    seconds: dict[str, float]

    @property
    def passed(self) -> bool:
        """Both model estimates (and, if scored, both agent-based ones) within
        :data:`RELATIVE_TOLERANCE` of the analytic values."""
        errors = [self.summary["break_error"], self.summary["sustain_error"]]
        if self.summary.get("abm_scored"):
            errors += [self.summary["abm_break_error"], self.summary["abm_sustain_error"]]
        return all(error <= RELATIVE_TOLERANCE for error in errors)     # a NaN estimate fails


def check_parameters(sigma: float, mu: float) -> None:
    """Raise a one-line :class:`ParameterError` unless σ > 1, 0 < μ < 1 and ρ = (σ − 1)/σ > μ."""
    try:
        theory.check_no_black_hole(sigma, mu)
    except ValueError as err:
        raise ParameterError(f"core-periphery: {err}") from None


# ---------------------------------------------------------------------- the model's short run
@dataclass(frozen=True)
class CityMarket:
    """The model's goods-market inputs for a core–periphery economy of C cities.

    Attributes:
        weights: (2, C, C) T^(1 − σ_s) per sector (agriculture, manufacturing), origin, destination.
        elasticity: (2,) σ_s; manufacturing's is the checked σ.
        fixed_cost: manufacturing overhead F from the sector table.
    """

    weights: np.ndarray
    elasticity: np.ndarray
    fixed_cost: float


def city_market(geography, sigma: float) -> CityMarket:
    """The model's iceberg costs on a synthetic ``geography`` (a :class:`ydabm.geography.Geography`)
    with the sector table ``sectors_core_periphery`` and the manufacturing elasticity set to σ.

    Neighbouring cities are ln T "hours" apart and manufacturing pays tau = 1 per hour, so its iceberg
    cost between cities d steps apart is T^d; agriculture (tau = 0) is traded at no cost.
    """
    sectors = load_sectors(SECTORS_FILE)
    sectors = dataclasses.replace(sectors, elasticity=np.where(sectors.manufacturing, sigma, sectors.elasticity))
    iceberg = goods.iceberg_costs(geography.hours, sectors.trade_cost_per_hour, geography.border, barrier=0.0)
    manufacturing = int(np.flatnonzero(sectors.manufacturing)[0])
    return CityMarket(goods.cost_weights(iceberg, sectors.elasticity), sectors.elasticity,
                      float(sectors.fixed_cost[manufacturing]))


def two_city_market(trade_cost: float, sigma: float) -> CityMarket:
    """:func:`city_market` on ``build_geography("two_city", trade_cost=T)``: iceberg cost T between the cities."""
    return city_market(build_geography("two_city", trade_cost=trade_cost), sigma)


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


def _solve(shares: np.ndarray, market: CityMarket, mu: float) -> dict[str, np.ndarray]:
    """(n, 2) wages, CPIs and real wages of the two cities for n shares λ of city 0 at once."""
    return solve_locations(np.column_stack([shares, 1.0 - shares]), market, mu)


def solve_locations(distribution: np.ndarray, market: CityMarket, mu: float,
                    wage: np.ndarray | None = None, tolerance: float = WAGE_TOLERANCE) -> dict[str, np.ndarray]:
    """Short-run equilibrium of n economies of C cities at once (the closure of
    :func:`short_run_equilibrium`, farmers spread evenly: (1 − μ)/C per city).

    The n economies are stacked along the goods functions' sector axis (columns: agriculture of
    each economy, then manufacturing of each), which they treat independently.

    Args:
        distribution: (n, C) shares λ_i of the mobile manufacturing workers by city, rows summing to 1.
        market: the model's goods-market inputs, from :func:`city_market`.
        mu: manufacturing expenditure share μ.
        wage: (n, C) starting manufacturing wages (a previous solution); 1 when omitted.
        tolerance: stop when no wage moves by more than this in a round.

    Returns:
        dict of (n, C) arrays ``wage``, ``price_index`` (CPI) and ``real_wage`` = wage / CPI.

    Raises:
        RuntimeError: if the iteration does not converge.
    """
    count, cities = distribution.shape
    sigma = market.elasticity[1]
    weights = np.repeat(market.weights, count, axis=0)
    elasticity = np.repeat(market.elasticity, count)
    workers = mu * distribution
    farmers = np.full((cities, count), (1.0 - mu) / cities)
    firms = workers / (sigma * market.fixed_cost)
    wage = np.ones_like(workers) if wage is None else np.array(wage, dtype=float)
    for _ in range(MAX_ITERATIONS):
        price = sigma / (sigma - 1.0) * wage
        phi = goods.price_terms(np.hstack([farmers, (firms * price ** (1.0 - sigma)).T]), weights)
        income = farmers + workers.T * wage.T
        spending = np.hstack([(1.0 - mu) * income, mu * income])
        access = goods.market_access(weights, spending, phi)[:, count:].T
        revenue = price ** (1.0 - sigma) * access
        target = wage * (revenue / (sigma * market.fixed_cost * wage)) ** (1.0 / sigma)
        if np.max(np.abs(target - wage)) < tolerance:
            by_economy = (phi ** (1.0 / (1.0 - elasticity))).reshape(cities, 2, count).transpose(2, 0, 1)
            cpi = goods.consumer_price_index(by_economy.reshape(count * cities, 2), np.array([1.0 - mu, mu]))
            cpi = cpi.reshape(count, cities)
            return {"wage": target, "price_index": cpi, "real_wage": target / cpi}
        wage = wage + DAMPING * (target - wage)
    raise RuntimeError(f"no short-run equilibrium after {MAX_ITERATIONS} iterations")


def real_wage_gap(share, trade_cost: float, sigma: float, mu: float,
                  market: CityMarket | None = None):
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


# ---------------------------------------------------------------------- the agent-based tomahawk
def abm_sectors_text(sigma: float) -> str:
    """The ``sectors_core_periphery`` table as TOML, with manufacturing elasticity σ and overhead
    F = 1/σ (share of a firm's t = 0 revenue).

    F = 1/σ makes the calibrated t = 0 economy a zero-profit (free-entry) state for any σ, since a
    firm's labour cost is ((σ − 1)/σ + F) of its revenue; the table's own σ = 5, F = 0.2 satisfy it.
    """
    rows = tomllib.loads(resolve_config(SECTORS_FILE).read_text())["sector"]
    blocks = []
    for row in rows:
        if row["name"] == "manufacturing":
            row = {**row, "elasticity": float(sigma), "fixed_cost": 1.0 / sigma}
        blocks.append("[[sector]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in row.items()))
    return "\n".join(blocks)


def abm_short_run_gaps(trade_cost: float, share: float, mu: float, sectors_file: str,
                       quarters: int = ABM_BURN_IN, seed: int = SEED) -> tuple[float, float]:
    """Real-wage gaps between city 0 and city 1 in the agent-based model with λ held fixed.

    Builds ``YRDModel`` from the ``core_periphery`` scenario with T, λ, ``agriculture_share`` = 1 − μ,
    the sector table ``sectors_file``, :data:`ABM_SHORT_RUN` and ⌈20/μ⌉ firms (20 manufacturers, so
    that the firms start in proportion to the workers at every λ of the grid); migration is frozen
    (``mobility_frozen``), so λ stays at its start. Runs ``quarters`` quarters and averages the
    last :data:`ABM_AVERAGED_SHARE` of them.

    Returns:
        (earnings_gap, income_gap), log points: the gap in real value added per manufacturing worker
        (revenue / employed workers / CPI: the wage a zero-profit firm pays, Krugman's closure), and
        the gap in the mobile workers' log expected real income (``model.log_real_income()``: the
        wage actually paid, times employment, plus benefits, over the CPI). NaN if a city has no
        manufacturing worker left.
    """
    from ..model import YRDModel
    from ..scenarios import load_scenario

    firms = int(np.ceil(ABM_MANUFACTURING_FIRMS / mu))       # a share μ of the firms are manufacturers
    workers = build_geography("two_city").population.sum() / ABM_SHORT_RUN["people_per_agent"]
    params = load_scenario(SCENARIO).params({**ABM_SHORT_RUN, "workers_per_firm": workers / firms,
                                             "trade_cost": trade_cost,
                                             "initial_core_share": share, "agriculture_share": 1.0 - mu,
                                             "sectors_file": sectors_file})
    model = YRDModel(**params, rng=seed)
    model.levers.mobility_frozen = True
    first = quarters - max(1, int(round(ABM_AVERAGED_SHARE * quarters)))
    gaps = []
    for quarter in range(quarters):
        model.step()
        if quarter >= first:
            gaps.append((_earnings_gap(model), _income_gap(model)))
    earnings, income = np.mean(gaps, axis=0)
    return float(earnings), float(income)


def _earnings_gap(model) -> float:
    """log(v_0/P_0) − log(v_1/P_1), v = manufacturing revenue per employed manufacturing worker."""
    firms = model.firms
    making = firms.alive & model.sectors.manufacturing[firms.sector]
    revenue = np.bincount(firms.city[making], firms.revenue[making], minlength=2)
    workers = np.bincount(firms.city[making], firms.employees[making].sum(axis=1), minlength=2)
    if workers.min() <= 0:
        return float("nan")
    real = np.log(revenue / workers / model.cpi)
    return float(real[0] - real[1])


def _income_gap(model) -> float:
    """Log expected real income of low-skill workers (the only mobile class with members), city 0 − 1."""
    income = model.log_real_income()[:, 0]
    return float(income[0] - income[1])


def abm_tomahawk(sigma: float, mu: float, trade_costs, shares=ABM_CORE_SHARES, quarters: int = ABM_BURN_IN,
                 seed: int = SEED) -> pd.DataFrame:
    """Short-run real-wage gaps of the agent-based model on a (T, λ) grid.

    The sector table gets manufacturing σ and F = 1/σ (:func:`abm_sectors_text`); μ enters as
    ``agriculture_share`` = 1 − μ. Only λ > 1/2 is run: the two cities are identical, so the gap
    at 1 − λ is minus the gap at λ.

    Returns:
        one row per run: ``T``, ``lambda``, ``earnings_gap``, ``income_gap``, ``seed``.
    """
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        sectors_file = Path(folder) / f"{SECTORS_FILE}_sigma.toml"
        sectors_file.write_text(abm_sectors_text(sigma))
        for trade_cost in np.asarray(trade_costs, dtype=float):
            for share in shares:
                gaps = abm_short_run_gaps(trade_cost, share, mu, str(sectors_file), quarters, seed)
                rows.append((trade_cost, share, *gaps, seed))
    return pd.DataFrame(rows, columns=["T", "lambda", "earnings_gap", "income_gap", "seed"])


def abm_trade_costs(sigma: float, mu: float, points: int = ABM_GRID_POINTS) -> np.ndarray:
    """Trade costs of the agent-based sweep: from 1 + 0.5 (T_b − 1) to 1 + 1.5 (T_s − 1) (analytic)."""
    low = 1.0 + 0.5 * (theory.break_point(sigma, mu) - 1.0)
    high = 1.0 + 1.5 * (theory.sustain_point(sigma, mu) - 1.0)
    return np.round(np.linspace(low, high, points), 4)


def crossing_point(trade_costs, values) -> float:
    """First T at which ``values`` turn from positive to non-positive, by linear interpolation
    between grid neighbours; NaN if they never do."""
    trade_costs, values = np.asarray(trade_costs, dtype=float), np.asarray(values, dtype=float)
    for k in range(values.size - 1):
        if values[k] > 0 >= values[k + 1]:
            step = (trade_costs[k + 1] - trade_costs[k]) * values[k] / (values[k] - values[k + 1])
            return float(trade_costs[k] + step)
    return float("nan")


def abm_thresholds(table: pd.DataFrame, gap: str = "earnings_gap") -> tuple[float, float]:
    """(break, sustain) from an :func:`abm_tomahawk` table.

    Break: where the gap at the share closest to 1/2 turns negative (its sign is the sign of the
    secant slope (gap(λ) − gap(1 − λ)) / (2λ − 1)); sustain: where the gap at the largest share does.
    """
    near, far = table["lambda"].min(), table["lambda"].max()
    rows = {share: table[table["lambda"] == share].sort_values("T") for share in (near, far)}
    return (crossing_point(rows[near]["T"], rows[near][gap]), crossing_point(rows[far]["T"], rows[far][gap]))


# ---------------------------------------------------------------------- the check
def tomahawk_trade_costs(sigma: float, mu: float, points: int = 48) -> np.ndarray:
    """A grid of trade costs covering both analytic thresholds with room above the sustain point."""
    return np.linspace(1.01, 1.0 + 1.6 * (theory.sustain_point(sigma, mu) - 1.0), points)


def check_core_periphery(sigma: float, mu: float, abm: bool = True, quarters: int = ABM_BURN_IN,
                         seed: int = SEED) -> CorePeripheryCheck:
    """Model and analytic break and sustain points, both tomahawks, and (optionally) the agent-based
    tomahawk with its break and sustain points (``quarters``: burn-in of each agent-based run).

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
    table = pd.DataFrame()
    if abm:
        table = abm_tomahawk(sigma, mu, abm_trade_costs(sigma, mu), quarters=quarters, seed=seed)
        summary.update(abm_summary(table, analytic_break, analytic_sustain))
    seconds["abm"] = time.perf_counter() - started
    return CorePeripheryCheck(sigma, mu, summary, modelled, analytic, table, seconds)


def abm_summary(table: pd.DataFrame, analytic_break: float, analytic_sustain: float) -> dict[str, float]:
    """Agent-based break and sustain points from both gaps and their relative errors."""
    summary = {"abm_scored": float(ABM_SCORED)}
    for prefix, gap in (("abm", "income_gap"), ("abm_earnings", "earnings_gap")):
        estimates = dict(zip(("break", "sustain"), abm_thresholds(table, gap)))
        for name, analytic in (("break", analytic_break), ("sustain", analytic_sustain)):
            summary[f"{prefix}_{name}"] = estimates[name]
            summary[f"{prefix}_{name}_error"] = abs(estimates[name] / analytic - 1.0)
    return summary


def write_check(check: CorePeripheryCheck, out: Path) -> None:
    """Write ``summary.json``, ``tomahawk.csv``, ``abm_tomahawk.csv`` (if run), ``core_periphery.png``
    and ``manifest.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(check.summary, indent=2))
    tables = [check.model_tomahawk.assign(source="model"), check.analytic_tomahawk.assign(source="analytic")]
    pd.concat(tables, ignore_index=True).to_csv(out / "tomahawk.csv", index=False)
    if not check.abm_tomahawk.empty:
        check.abm_tomahawk.to_csv(out / "abm_tomahawk.csv", index=False)
    core_periphery_figure(check, out / "core_periphery.png")
    write_manifest(out, "core-periphery", sigma=check.sigma, mu=check.mu, sectors_file=SECTORS_FILE,
                   scenario=SCENARIO, abm_overrides=ABM_SHORT_RUN,
                   wall_time_s={k: round(v, 3) for k, v in check.seconds.items()})


def core_periphery_figure(check: CorePeripheryCheck, path: Path) -> None:
    """Tomahawks (model's market mechanisms vs analytic) and, if run, the agent-based λ(t) paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with_abm = not check.abm_tomahawk.empty
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
    """Sign of the agent-based income gap (real wages paid) on the (T, λ) grid, mirrored to 1 − λ, with
    the estimated and analytic thresholds; a black dot marks runs whose earnings gap has the other sign."""
    table, summary = check.abm_tomahawk, check.summary
    mirror = {"lambda": 1.0 - table["lambda"], "earnings_gap": -table["earnings_gap"], "income_gap": -table["income_gap"]}
    mirrored = pd.concat([table, table.assign(**mirror)])
    gap = mirrored["income_gap"]
    for rows, style in ((mirrored[gap > 0], dict(color="#1f4e79", label="gap > 0: λ would rise")),
                        (mirrored[gap <= 0], dict(color="#b03a2e", label="gap ≤ 0: λ would fall")),
                        (mirrored[gap.isna()], dict(facecolors="none", edgecolors="grey",
                                                    label="a city lost its manufacturing"))):
        ax.scatter(rows["T"], rows["lambda"], marker="s", s=40, **style)
    odd = mirrored[mirrored["earnings_gap"] * mirrored["income_gap"] < 0]
    ax.scatter(odd["T"], odd["lambda"], color="black", s=6, label="earnings gap of other sign")
    for key, style in (("abm_break", ":"), ("abm_sustain", "--")):
        if np.isfinite(summary[key]):
            ax.axvline(summary[key], color="#2a7f3f", ls=style, lw=1.5)
    ax.axvline(summary["analytic_break"], color="grey", ls=":", lw=1)
    ax.axvline(summary["analytic_sustain"], color="grey", ls="--", lw=1)
    scored = "scored" if summary["abm_scored"] else "not scored"
    ax.set(title=f"Agent-based model, λ frozen, seed {int(table['seed'].iloc[0])} ({scored})\n"
                 f"T_b = {summary['abm_break']:.4f}, T_s = {summary['abm_sustain']:.4f} (green)",
           xlabel="iceberg trade cost T", ylabel="λ (manufacturing share of city 0)", ylim=(-0.05, 1.05))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=7)
