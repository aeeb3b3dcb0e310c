"""Production planning: markup prices, adaptive expectations of notional demand, capacity, staff.

A firm with productivity phi (units of output per worker beyond its overhead F) and capacity K
(units of output) prices at the Dixit-Stiglitz markup over unit labour cost, p = sigma / (sigma - 1)
* w / phi (FKV 1999 eq. 4.26). It expects demand by adaptive expectations of the value of its
*notional* demand, what it would sell at the markup prices of all firms (not the sales a shortage
capped), and converts that value into units at this quarter's price: sales values are stationary on
a fixed money stock, so a common fall in prices (trend productivity growth) raises the expected
quantity one for one instead of leaving expectations a quarter behind. It builds capacity
ahead of the output it expects to make at the utilisation it aims for, and wants the staff that
produces expected demand within capacity: F + min(E, K) / phi, split over skills by its sector's
mix. A firm does not build capacity it cannot staff: a firm that could not fill its vacancies last
quarter builds only for what its current staff can produce, so a firm short of workers signals
labour demand (vacancies, wage pressure) without piling up idle machines; any other firm builds for
expected demand. Staff plans are real numbers;
the labour market turns them into whole vacancies without bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Plan:
    """What firms plan for the quarter.

    Attributes:
        price: (F,) markup price, yuan per unit.
        expected_demand: (F,) expected notional demand at this quarter's price, units per quarter.
        expected_sales: (F,) expected value of notional demand, yuan per quarter.
        capacity: (F,) capacity after this quarter's depreciation and investment (inf: no capital).
        investment: (F,) spending on new capacity, yuan.
        capacity_support: (F,) part of the investment a government pays (capacity subsidy), yuan.
        desired_staff: (F, K) workers wanted by class (real numbers).
    """

    price: np.ndarray
    expected_demand: np.ndarray
    expected_sales: np.ndarray
    capacity: np.ndarray
    investment: np.ndarray
    capacity_support: np.ndarray
    desired_staff: np.ndarray


def markup_price(unit_labour_cost: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """Dixit-Stiglitz price: sigma / (sigma - 1) times unit labour cost (yuan per unit)."""
    return elasticity / (elasticity - 1.0) * unit_labour_cost


def capacity_goal(target_utilization: float, capacity_subsidy: float, targeted: np.ndarray) -> np.ndarray:
    """Utilisation a firm builds for: lower where a capacity subsidy cheapens capital."""
    return target_utilization * (1.0 - capacity_subsidy * targeted)


def desired_capacity(demand: np.ndarray, tide: np.ndarray, goal: np.ndarray,
                     capital_intensity: np.ndarray) -> np.ndarray:
    """Capacity a firm wants for ``demand``: demand x tide / goal (inf for firms without capital)."""
    return np.where(capital_intensity > 0, demand * tide / goal, np.inf)


def plan_production(alive: np.ndarray, productivity: np.ndarray, unit_labour_cost: np.ndarray,
                    elasticity: np.ndarray, capital_intensity: np.ndarray, overhead: np.ndarray,
                    capacity: np.ndarray, expected_sales: np.ndarray, notional_sales: np.ndarray,
                    staffed_output: np.ndarray, understaffed: np.ndarray, goal: np.ndarray, tide: np.ndarray, skill_mix: np.ndarray, city_labour: np.ndarray,
                    demand_expectation: float, depreciation: float, investment_speed: float,
                    capacity_subsidy: np.ndarray, unit_input_cost: np.ndarray | float = 0.0) -> Plan:
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
        goal: (F,) utilisation the firm aims for (:func:`capacity_goal`).
        tide: (F,) investment tide factor on expected demand (Lin 2007).
        skill_mix: (F, K) share of each class in the firm's labour.
        city_labour: (F, K) labour force of the firm's city by class (no plan exceeds it).
        demand_expectation: weight lambda on the latest notional demand.
        depreciation: capacity depreciation per quarter.
        investment_speed: share of the capacity gap closed per quarter.
        capacity_subsidy: (F,) share of the firm's investment a government pays.
        unit_input_cost: (F,) cost of the intermediate inputs of one unit of output, passed through
            at cost (:mod:`ydabm.mechanisms.supply_chain`); capital is valued at the price of value
            added, the price less this cost. 0 without inputs.
    """
    price = np.where(alive, markup_price(unit_labour_cost, elasticity) + unit_input_cost, 0.0)
    sales = (1.0 - demand_expectation) * expected_sales + demand_expectation * notional_sales
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(alive, sales / price, 0.0)
    has_capital = capital_intensity > 0
    kept = capacity * (1.0 - depreciation)
    desired = desired_capacity(np.where(understaffed, np.minimum(expected, staffed_output), expected), tide, goal,
                               capital_intensity)
    # the flexible accelerator (Chenery 1952; Koyck 1954): replace what depreciated and close a share of
    # the gap to the desired capacity, I = delta K + speed (K* - K), never negative (capital is sunk)
    gap = np.where(has_capital, desired, 0.0) - np.where(has_capital, capacity, 0.0)
    build = np.where(alive & has_capital, np.maximum(depreciation * capacity + investment_speed * gap, 0.0), 0.0)
    new_capacity = np.where(has_capital, kept + build, np.inf)
    investment = capital_intensity * (price - unit_input_cost) * build
    staff = overhead + np.minimum(expected, new_capacity) / productivity
    wanted = np.minimum(skill_mix * staff[:, None], city_labour)
    return Plan(price, expected, np.where(alive, sales, 0.0), new_capacity, investment, capacity_subsidy * investment,
                np.where(alive[:, None], wanted, 0.0))
