"""A peer comparison of the supply-chain layer (issue 12): the same two-region, two-sector table and
the same production shock in ydabm's supply-chain rules and in BoARIO (Hallegatte 2008's ARIO as
implemented by Juhel et al., ``boario`` on PyPI, with ``pymrio``; a test/dev dependency).

The shock: region A's manufacturing loses 30 % of its production capacity for one quarter (91
days), then has it back. Direct loss: that capacity over the quarter. Total loss: the fall of gross
output of all four industries summed over a year, against the run without the shock, in the units of
the table's annual flows.

ydabm side: the engine's rules on the table, a quarter a step: firms expect demand adaptively, order
inputs (their planned use plus half the gap to six weeks of goods inventories; services are not
stored), the goods market (:func:`ydabm.markets.goods.clear_goods_market`) sells final and
intermediate demand over the two regions with CES weights that reproduce the table's supplier shares
at equal prices; the shocked industry's room is its reduced capacity, so its price rises to ration
demand and buyers switch to the other region at the elasticity ``sigma``. BoARIO steps a day, has
six weeks of inventories (services infinite, as in ydabm), fixed prices, and rations by its order
and distribution rules (no substitution at a price).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..markets import goods
from ..mechanisms import supply_chain

REGIONS = ("A", "B")
SECTORS = ("manufacturing", "services")
#: intermediate flows, rows (region, sector) supplying columns (region, sector), per year
FLOWS = np.array([[20.0, 10.0, 8.0, 2.0], [10.0, 15.0, 2.0, 3.0], [6.0, 2.0, 25.0, 10.0], [2.0, 3.0, 10.0, 20.0]])
#: final demand of each region (columns) for each industry (rows), per year
FINAL = np.array([[40.0, 14.0], [50.0, 20.0], [12.0, 47.0], [15.0, 60.0]])
SHOCK, SHOCKED = 0.3, 0          # 30 % of capacity, industry (A, manufacturing)
WEEKS, DAYS_IN_QUARTER = 6.0, 91


@dataclass(frozen=True)
class Losses:
    """Losses of a production shock, in the table's annual units.

    Attributes:
        direct: the capacity lost by the shocked industry over the shock.
        total: gross output lost by all industries over the year after the shock.
        by_industry: (4,) gross output lost by each industry.
    """

    direct: float
    total: float
    by_industry: np.ndarray


def gross_output() -> np.ndarray:
    return FLOWS.sum(axis=1) + FINAL.sum(axis=1)


def ydabm_losses(elasticity: float = 5.0, quarters: int = 4, restock: float = 0.5,
                 demand_expectation: float = 0.5) -> Losses:
    """The shock in ydabm's supply-chain rules (a quarter a step; see the module docstring)."""
    regions, sectors = len(REGIONS), len(SECTORS)
    x = gross_output()
    # requirement of input sector k (from either region) per unit of output of (j, s)
    by_sector = FLOWS.reshape(regions, sectors, regions * sectors).sum(axis=0)           # (K, J S)
    requirement = (by_sector / x[None, :]).T.reshape(regions, sectors, sectors)          # (J, S, K)
    # supplier shares pi[k, i, j] of buyer region j's purchases of k (inputs and final)
    bought = (FLOWS.reshape(regions * sectors, regions, sectors).sum(axis=2) + FINAL)    # (I K, J)
    purchases = bought.reshape(regions, sectors, regions).transpose(1, 0, 2)             # (K, I, J)
    weights = purchases / purchases.sum(axis=1, keepdims=True)
    final = FINAL.T.reshape(regions, regions, sectors).sum(axis=1) / 4
    origin = np.stack([np.ones((sectors, sectors)), np.zeros((sectors, sectors)), np.zeros((sectors, sectors))])
    weeks = np.array([WEEKS, np.inf])
    sigma = np.full(sectors, elasticity)
    cell = np.arange(regions * sectors)

    def path(shocked: bool) -> np.ndarray:
        base = (x / 4).reshape(regions, sectors)
        expected, output = base.copy(), []
        stock = requirement * base[:, :, None] * np.where(np.isfinite(weeks), weeks, 0.0) / supply_chain.WEEKS
        for quarter in range(quarters + 1):
            orders = supply_chain.plan_orders(expected, requirement, origin, stock, weeks, restock,
                                              np.ones((regions, sectors)), np.ones(sectors))
            room = np.minimum(orders.room, 1e30) * expected
            if shocked and quarter == 1:
                room.ravel()[SHOCKED] = min(room.ravel()[SHOCKED], (1 - SHOCK) * base.ravel()[SHOCKED])
            outcome = goods.clear_goods_market(np.ones(cell.size), room.ravel(), cell, sigma, weights,
                                               final + orders.region.sum(axis=1))
            made = outcome.quantity.reshape(regions, sectors)
            price_index = outcome.price_index
            arrived = np.where(np.isfinite(price_index), 1.0 / price_index, 0.0)
            stock = supply_chain.deliver(orders, stock, arrived, np.ones(sectors), made, requirement, weeks).stock
            expected = (1 - demand_expectation) * expected + demand_expectation * outcome.revenue.reshape(regions, sectors)
            output.append(made.ravel())
        return np.array(output[1:])

    lost = (path(False) - path(True)).sum(axis=0)
    return Losses(SHOCK * x[SHOCKED] / 4, float(lost.sum()), lost)


def boario_losses(days: int = 365) -> Losses:
    """The shock in BoARIO's ARIO (psi variant), a day a step (needs ``boario`` and ``pymrio``)."""
    import warnings

    import pandas as pd
    import pymrio
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    index = pd.MultiIndex.from_product([REGIONS, SECTORS], names=["region", "sector"])
    columns = pd.MultiIndex.from_product([REGIONS, ["final_demand"]], names=["region", "category"])
    x = gross_output()
    system = pymrio.IOSystem(Z=pd.DataFrame(FLOWS, index=index, columns=index),
                             Y=pd.DataFrame(FINAL, index=index, columns=columns),
                             x=pd.DataFrame({"indout": x}, index=index),
                             unit=pd.DataFrame({"unit": ["M"] * len(index)}, index=index))
    value_added = x - FLOWS.sum(axis=0)
    system.factor_inputs = pymrio.Extension(name="factor_inputs",
                                            F=pd.DataFrame([value_added], index=["value_added"], columns=index))
    system.calc_all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(system, monetary_factor=1, main_inv_dur=int(WEEKS * 7),
                             infinite_inventories_sect=["services"], iotable_year_to_temporal_unit_factor=365)
        impact = pd.Series([SHOCK], index=pd.MultiIndex.from_tuples([(REGIONS[0], SECTORS[0])],
                                                                     names=["region", "sector"]))
        event = from_series(impact, event_type="arbitrary", occurrence=1, duration=DAYS_IN_QUARTER, recovery_tau=1)
        simulation = Simulation(model, n_temporal_units_to_sim=days)
        simulation.add_event(event)
        simulation.loop()
    produced = simulation.production_realised.to_numpy()
    lost = (x / 365)[None, :] - produced[:days]
    return Losses(SHOCK * x[SHOCKED] * DAYS_IN_QUARTER / 365, float(lost.sum()), lost.sum(axis=0))
