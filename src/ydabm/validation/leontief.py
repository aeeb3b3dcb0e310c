"""The Leontief limit of the supply-chain layer (issue 12): with fixed prices, no migration and ample
inventories, the long-run output response to a change in final demand is the Leontief inverse's.

The check runs the engine's own supply-chain rules quarter after quarter on a small multi-city
economy: firms plan the output they expect (adaptive expectations of last quarter's sales, weight
``demand_expectation``), order inputs for it and to restock
(:func:`ydabm.mechanisms.supply_chain.plan_orders`), the goods market
(:func:`ydabm.markets.goods.clear_goods_market`, one firm per city-sector, prices at their markup
floor because capacity is ample) sells final and intermediate demand across supplier cities with the
CES and iceberg weights, and stocks move with deliveries and use
(:func:`ydabm.mechanisms.supply_chain.deliver`). With supplier shares pi[k, i, j] fixed by the fixed
prices, gross output solves x = Pi (f + (I_C (x) A) x), so x = (I - Pi A)^-1 Pi f: the
multi-regional Leontief inverse (Miller & Blair 2009, ch. 3). The check compares the simulated
response to a change in final demand with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..markets import goods
from ..mechanisms import supply_chain
from ..supply import leontief_inverse


@dataclass(frozen=True)
class LeontiefCheck:
    """Outcome of :func:`leontief_limit`.

    Attributes:
        simulated: (C, S) long-run change in gross output, simulated.
        leontief: (C, S) the multi-regional Leontief inverse's change.
        residual: largest |simulated - leontief| over the largest |leontief| (relative).
        quarters: quarters simulated after the change.
    """

    simulated: np.ndarray
    leontief: np.ndarray
    residual: float
    quarters: int


def supplier_shares(weights: np.ndarray) -> np.ndarray:
    """(S, C, C) pi[k, i, j]: share of buyer j's spending on k going to city i at equal prices."""
    return weights / weights.sum(axis=1, keepdims=True)


def multiregional_inverse(coefficients: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """(C S, C S) (I - Pi (I_C (x) A))^-1, rows and columns ordered city-major (i * S + k).

    Args:
        coefficients: (S, S) input coefficients a[k, s]; shares: (S, C, C) pi[k, i, j].
    """
    sectors, cities = coefficients.shape[0], shares.shape[1]
    # input of (i, k) per unit of output of (j, s): pi[k, i, j] a[k, s]
    block = np.einsum("kij,ks->ikjs", shares, coefficients).reshape(cities * sectors, cities * sectors)
    return leontief_inverse(block)


def simulate(final: np.ndarray, coefficients: np.ndarray, weights: np.ndarray, elasticity: np.ndarray,
             output: np.ndarray, stock: np.ndarray, quarters: int, weeks: float, restock: float,
             demand_expectation: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the supply-chain rules ``quarters`` times from ``output`` and ``stock``; the last output,
    stock and expected sales (arrays (C, S), stock (C, S, S))."""
    cities, sectors = final.shape
    cell = np.arange(cities * sectors)
    requirement = np.broadcast_to(coefficients.T[None, :, :], (cities, sectors, sectors)).copy()
    origin = np.stack([np.ones((sectors, sectors)), np.zeros((sectors, sectors)), np.zeros((sectors, sectors))])
    stored = np.full(sectors, weeks)
    expected = output.copy()
    for _ in range(quarters):
        orders = supply_chain.plan_orders(expected, requirement, origin, stock, stored, restock,
                                          np.ones((cities, sectors)), np.ones(sectors))
        spending = final + orders.region.sum(axis=1)
        outcome = goods.clear_goods_market(np.ones(cell.size), np.full(cell.size, 1e30), cell, elasticity,
                                           weights, spending)
        output = outcome.revenue.reshape(cities, sectors)
        stock = supply_chain.deliver(orders, stock, np.ones((cities, sectors)), np.ones(sectors), output,
                                     requirement, stored).stock
        expected = (1.0 - demand_expectation) * expected + demand_expectation * output
    return output, stock, expected


def leontief_limit(final: np.ndarray, change: np.ndarray, coefficients: np.ndarray, iceberg: np.ndarray,
                   elasticity: np.ndarray, quarters: int = 600, weeks: float = 6.0, restock: float = 0.5,
                   demand_expectation: float = 0.5) -> LeontiefCheck:
    """Simulated long-run response of gross output to ``change`` in final demand, against the
    multi-regional Leontief inverse's.

    Starts at the Leontief solution for ``final`` with stocks at their targets, changes final
    demand to ``final + change`` and runs ``quarters`` quarters.

    Args:
        final: (C, S) final spending of each buying city on each sector (prices are 1).
        change: (C, S) change in final spending.
        coefficients: (S, S) input coefficients a[k, s] (all bought in the region).
        iceberg: (S, C, C) iceberg costs T; elasticity: (S,) sigma.
    """
    cities, sectors = final.shape
    weights = goods.cost_weights(iceberg, elasticity)
    shares = supplier_shares(weights)
    inverse = multiregional_inverse(coefficients, shares)

    def solution(demand):
        delivered = np.einsum("kij,jk->ik", shares, demand)       # Pi f, by supplier city-sector
        return (inverse @ delivered.ravel()).reshape(cities, sectors)

    start = solution(final)
    stock = coefficients.T[None, :, :] * start[:, :, None] * weeks / supply_chain.WEEKS
    simulated, _, _ = simulate(final + change, coefficients, weights, elasticity, start, stock, quarters,
                               weeks, restock, demand_expectation)
    expected = solution(final + change) - start
    response = simulated - start
    residual = float(np.abs(response - expected).max() / np.abs(expected).max())
    return LeontiefCheck(response, expected, residual, quarters)
