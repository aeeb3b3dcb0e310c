"""Production planning: markup prices, adaptive expectations of notional demand, capacity, staff.

A firm with productivity phi (units of output per worker beyond its overhead F) and capacity K
(units of output) prices at the Dixit-Stiglitz markup over unit labour cost, p = sigma / (sigma - 1)
* w / phi (FKV 1999 eq. 4.26). It expects demand by adaptive expectations of the value of its
*notional* demand, what it would sell at the markup prices of all firms (not the sales a shortage
capped), and converts that value into units at this quarter's price: sales values are stationary on
a fixed money stock, so a common fall in prices (trend productivity growth) raises the expected
quantity one for one instead of leaving expectations a quarter behind.

Capacity is chosen under demand uncertainty (the newsvendor; Arrow, Harris & Marschak 1951). Each
enterprise of a cohort faces an idiosyncratic demand shock epsilon, lognormal with mean one and log
sd s (``demand_dispersion``), unknown when its capacity is built (about a year ahead). A unit of
capacity earns the margin p - c (price less unit variable cost) in the states where demand exceeds
capacity, and costs the user cost of capital (r + delta) x capital per unit (Hall & Jorgenson 1967),
less the share a capacity subsidy pays. With markup pricing p - c = p_va / sigma and capital per unit
kappa p_va (p_va the price of value added), so the enterprise builds K where

    P(epsilon D > K) = c* = (r + delta) kappa sigma (1 - subsidy),

K = q D with q = exp(-s^2/2 - s Phi^-1(c*)) (:func:`capacity_ratio`). Its expected sales are
D S(q), S(y) = E[min(epsilon, y)] (:func:`ydabm.markets.goods.sales_share`), and its expected
utilisation S(q) / q. Prices and expectations do not depend on the shock: the firm posts its markup
price before its enterprises' demands are known (the simplification: a newsvendor at a fixed price,
not the joint price-capacity choice of Mills 1959). The firm wants the staff that produces its
expected sales, F + D S(K / D) / phi, split over skills by its sector's mix. A firm does not build
capacity it cannot staff: a firm that could not fill its vacancies last quarter builds only for the
demand whose expected sales its current staff can produce, so a firm short of workers signals labour
demand (vacancies, wage pressure) without piling up idle machines; any other firm builds for
expected demand. Staff plans are real numbers; the labour market turns them into whole vacancies
without bias, and the staff works the hours that supply the real-valued plan
(:func:`ydabm.markets.labour.planned_hours`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from ..markets.goods import sales_share
from ..params import ParameterError


@dataclass(frozen=True)
class Plan:
    """What firms plan for the quarter.

    Attributes:
        price: (F,) markup price, yuan per unit.
        expected_demand: (F,) expected notional demand (orders) at this quarter's price, units per quarter.
        expected_output: (F,) expected sales within the new capacity, D S(K / D), units per quarter.
        expected_sales: (F,) expected value of notional demand, yuan per quarter.
        capacity: (F,) capacity after this quarter's depreciation and investment (inf: no capital).
        investment: (F,) spending on new capacity, yuan.
        capacity_support: (F,) part of the investment a government pays (capacity subsidy), yuan.
        desired_staff: (F, K) workers wanted by class (real numbers).
    """

    price: np.ndarray
    expected_demand: np.ndarray
    expected_output: np.ndarray
    expected_sales: np.ndarray
    capacity: np.ndarray
    investment: np.ndarray
    capacity_support: np.ndarray
    desired_staff: np.ndarray


def markup_price(unit_labour_cost: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """Dixit-Stiglitz price: sigma / (sigma - 1) times unit labour cost (yuan per unit)."""
    return elasticity / (elasticity - 1.0) * unit_labour_cost


def critical_ratio(interest_rate: float, depreciation: float, capital_intensity: np.ndarray,
                   elasticity: np.ndarray, subsidy: np.ndarray | float = 0.0) -> np.ndarray:
    """c* = (r + delta) kappa sigma (1 - subsidy): the user cost of a unit of capacity over the margin
    it earns when used, the probability of demand beyond capacity at which the newsvendor stops
    building (0 for firms without capital).

    Args:
        interest_rate: r, the required return on capital per quarter.
        depreciation: delta per quarter.
        capital_intensity: kappa, capital per unit of quarterly output value (value added).
        elasticity: sigma; the margin over unit variable cost is the price of value added / sigma.
        subsidy: share of the investment a government pays (capacity subsidy x support intensity).
    """
    return (interest_rate + depreciation) * capital_intensity * elasticity * (1.0 - subsidy)


def check_user_cost(interest_rate: float, depreciation: float, capital_intensity: np.ndarray,
                    elasticity: np.ndarray, names: tuple[str, ...] | list[str]) -> None:
    """Raise :class:`~ydabm.params.ParameterError` if capacity cannot pay in some sector: the user cost
    (r + delta) kappa sigma of its unsubsidised capacity must stay below 1 (the margin it earns)."""
    critical = critical_ratio(interest_rate, depreciation, capital_intensity, elasticity)
    worst = int(np.argmax(critical))
    if critical[worst] >= 1:
        most = 1.0 / (capital_intensity[worst] * elasticity[worst])
        raise ParameterError(
            f"interest_rate + depreciation = {interest_rate + depreciation:g} per quarter: the user cost of "
            f"capacity exceeds its margin in sector {names[worst]!r} ((r + depreciation) x capital_intensity x "
            f"elasticity = {critical[worst]:g}, must be below 1); allowed: interest_rate + depreciation < {most:g}")


def capacity_ratio(critical: np.ndarray, dispersion: float) -> np.ndarray:
    """q: capacity per unit of expected demand where P(epsilon > q) = ``critical`` (the newsvendor),
    epsilon lognormal with mean 1 and log sd s: q = exp(-s^2/2 - s Phi^-1(c*)); inf for c* = 0 (no
    capital to pay for); 1 for s = 0 (no uncertainty: capacity equals demand)."""
    critical = np.asarray(critical, dtype=float)
    if np.any(critical >= 1):
        raise ValueError("the user cost of capacity exceeds its margin (critical ratio >= 1): no capacity pays")
    if dispersion <= 0:
        return np.where(critical > 0, 1.0, np.inf)
    with np.errstate(over="ignore"):
        ratio = np.exp(-0.5 * dispersion * dispersion - dispersion * ndtri(np.maximum(critical, 1e-300)))
    return np.where(critical > 0, ratio, np.inf)


def expected_utilization(ratio: np.ndarray, dispersion: float) -> np.ndarray:
    """S(q) / q: expected sales over capacity of a cohort whose capacity is q times its expected demand."""
    return sales_share(ratio, dispersion) / ratio


def desired_capacity(demand: np.ndarray, ratio: np.ndarray, capital_intensity: np.ndarray) -> np.ndarray:
    """Capacity a firm wants for expected ``demand``: q x demand (inf for firms without capital)."""
    with np.errstate(invalid="ignore"):
        return np.where(capital_intensity > 0, demand * ratio, np.inf)


def plan_production(alive: np.ndarray, productivity: np.ndarray, unit_labour_cost: np.ndarray,
                    elasticity: np.ndarray, capital_intensity: np.ndarray, overhead: np.ndarray,
                    capacity: np.ndarray, expected_sales: np.ndarray, notional_sales: np.ndarray,
                    staffed_output: np.ndarray, understaffed: np.ndarray, ratio: np.ndarray, dispersion: float,
                    skill_mix: np.ndarray, sector: np.ndarray, city_labour: np.ndarray, city: np.ndarray,
                    demand_expectation: float, depreciation: float, investment_speed: float,
                    capacity_subsidy: np.ndarray, unit_input_cost: np.ndarray | float = 0.0,
                    ratio_share: np.ndarray | None = None) -> Plan:
    """Plan prices, expectations, capacity and staff of every firm row (dead rows plan nothing).

    Args:
        alive: (F,) live rows.
        productivity: (F,) effective productivity phi (trend and digital gains included).
        unit_labour_cost: (F,) cost of one worker of the sector's skill mix in the firm's city, yuan.
        elasticity: (F,) sigma of the firm's sector.
        capital_intensity: (F,) capital per unit of quarterly output value (0: no capital).
        overhead: (F,) overhead staff F, workers.
        capacity: (F,) capacity last quarter.
        expected_sales: (F,) last quarter's expected value of notional demand, yuan.
        notional_sales: (F,) value of last quarter's notional demand at last quarter's markup price, yuan.
        staffed_output: (F,) output the firm's current staff can produce, (staff - F) * phi.
        understaffed: (F,) the firm had unfilled vacancies after last quarter's labour market.
        ratio: (F,) capacity per unit of expected demand the newsvendor wants (:func:`capacity_ratio`).
        dispersion: log sd s of the enterprises' demand shocks.
        skill_mix: (R, K) labour of each class per unit of a firm's labour, one row per sector (the
            fixed skill mix) or per city-sector (with substitution between the classes,
            :func:`ydabm.mechanisms.skills.class_mix`).
        sector: (F,) each firm's row of ``skill_mix`` (its sector, or its city-sector).
        city_labour: (C, K) labour force of each city by class (no firm's plan exceeds its city's).
        city: (F,) each firm's city (its row of ``city_labour``).
        demand_expectation: weight lambda on the latest notional demand.
        depreciation: capacity depreciation per quarter.
        investment_speed: share of the capacity gap closed per quarter.
        capacity_subsidy: (F,) share of the firm's investment a government pays.
        unit_input_cost: (F,) cost of the intermediate inputs of one unit of output, passed through
            at cost (:mod:`ydabm.mechanisms.supply_chain`); capital is valued at the price of value
            added, the price less this cost. 0 without inputs.
        ratio_share: (F,) ``sales_share(ratio, dispersion)`` when the caller has it (computed here
            when None).
    """
    # (dead rows plan nothing: their values are zeroed, as np.where(alive, values, 0.0); in place where the
    # same operations in the same order allow)
    dead = np.flatnonzero(~alive)
    price = markup_price(unit_labour_cost, elasticity) + unit_input_cost
    price[dead] = 0.0
    sales = (1.0 - demand_expectation) * expected_sales
    sales += demand_expectation * notional_sales
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = sales / price
    expected[dead] = 0.0
    sales[dead] = 0.0
    has_capital = capital_intensity > 0
    # every firm has capital (the usual case): the selects by has_capital change nothing and are skipped
    capital_everywhere = bool(has_capital.all())
    kept = capacity * (1.0 - depreciation)
    # an understaffed firm builds for the demand whose expected sales its staff can make (only its row differs)
    demand = expected
    short = np.flatnonzero(understaffed)
    if short.size:
        share = sales_share(np.take(ratio, short), dispersion) if ratio_share is None else np.take(ratio_share, short)
        with np.errstate(divide="ignore", invalid="ignore"):
            staffed_demand = np.take(staffed_output, short) / share
        demand = expected.copy()
        demand[short] = np.minimum(np.take(expected, short), staffed_demand)
    desired = demand * ratio if capital_everywhere else desired_capacity(demand, ratio, capital_intensity)
    # the flexible accelerator (Chenery 1952; Koyck 1954): replace what depreciated and close a share of
    # the gap to the desired capacity, I = delta K + speed (K* - K), never negative (capital is sunk)
    if capital_everywhere:
        gap = desired - capacity
        build = depreciation * capacity
        build += investment_speed * gap
        np.maximum(build, 0.0, out=build)
        build[dead] = 0.0
        new_capacity = kept + build
    else:
        gap = np.where(has_capital, desired, 0.0) - np.where(has_capital, capacity, 0.0)
        build = np.where(alive & has_capital, np.maximum(depreciation * capacity + investment_speed * gap, 0.0), 0.0)
        new_capacity = np.where(has_capital, kept + build, np.inf)
    investment = price - unit_input_cost
    investment *= capital_intensity
    investment *= build
    # expected sales within the new capacity, on the rows with expected demand (0 on the others, dead
    # rows among them)
    output = np.zeros(alive.size)
    selling = np.flatnonzero(expected > 0)
    demanded = np.take(expected, selling)
    with np.errstate(divide="ignore", invalid="ignore"):
        output[selling] = demanded * sales_share(np.take(new_capacity, selling) / demanded, dispersion)
    staff = output / productivity
    staff += overhead
    # staff by class: the sector's skill mix, at most the city's labour force (class by class: the
    # tables are read at each row's sector and city without gathering (F, K) arrays)
    wanted = np.empty((alive.size, skill_mix.shape[1]))
    labour = np.asarray(city_labour, dtype=float)
    for k in range(skill_mix.shape[1]):
        need = np.take(skill_mix[:, k], sector)
        need *= staff
        np.minimum(need, np.take(labour[:, k], city), out=need)
        need[dead] = 0.0
        wanted[:, k] = need
    return Plan(price, expected, output, sales, new_capacity, investment, capacity_subsidy * investment, wanted)
