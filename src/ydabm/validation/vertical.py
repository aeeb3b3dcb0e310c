"""Vertical linkages as an agglomeration force (Krugman & Venables 1995; Venables 1996), issue 12:
the two-city and racetrack economies with input-output linkages on and off and labour immobile.

Inputs: configs/io_concordance_core_periphery.toml aggregates China's 2020 table to the farm and
non-farm sectors of the core-periphery worlds (non-farm firms buy 56 % of their gross output from
each other, farms 13 % from farms). Labour is immobile (``mobility_frozen`` all along), so
any concentration comes from firms: entry where margins are high, exit where they are not.

The theory (:func:`short_run_equilibrium`): Venables (1996)'s economy with labour immobile, built as
:func:`ydabm.validation.core_periphery.short_run_equilibrium` builds Krugman (1991)'s, out of the
model's goods-market functions and its supply-chain rules, closed in the agent-based short run
(:data:`ydabm.validation.core_periphery.ABM_SHORT_RUN`: firm counts held at t = 0, in proportion to
the workers, each firm selling its 2020 quantity, which is the zero-profit quantity with inputs
passed through at cost). Without linkages it is Krugman's short run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..markets import goods
from ..mechanisms import supply_chain
from ..model import YRDModel
from ..scenarios import load_scenario
from ..supply import load_io_table
from .core_periphery import ABM_SHORT_RUN, _income_gap, two_city_market

CONCORDANCE = "io_concordance_core_periphery"
SECTORS = ("agriculture", "manufacturing")
TOLERANCE = 1e-13                   # stop when no price moves by more than this in a round
DAMPING = 0.5
MAX_ITERATIONS = 100_000


@dataclass(frozen=True)
class Linkages:
    """The input-output side of a two-sector core-periphery world at 2020 prices, per unit of GDP
    (all (2,) or (2, 2) arrays, sectors agriculture and manufacturing; zeros without linkages).

    Attributes:
        domestic: a_ks, domestic input k per unit of sector s's gross output (the aggregated table).
        imported: the same from abroad (non-competitive, at a fixed price).
        final: beta, households' spending shares (1 - mu, mu).
        gross: x_s = beta_s / (1 - a_s), gross output (value added beta_s).
        outside: o_k, share of the region's demand for k bought from the rest of China at 2020
            (``supply_chain.closure``).
        export_mix: what the external sector buys with the region's payments to outside.
    """

    domestic: np.ndarray
    imported: np.ndarray
    final: np.ndarray
    gross: np.ndarray
    outside: np.ndarray
    export_mix: np.ndarray


def linkages(mu: float, linked: int = 1, concordance: str = CONCORDANCE) -> Linkages:
    """:class:`Linkages` of the world with manufacturing share ``mu``: the model's calibration
    (``calibration.calibrate`` with an input-output table, synthetic world) for one unit of GDP."""
    final = np.array([1.0 - mu, mu])
    if not linked:
        zero = np.zeros((2, 2))
        return Linkages(zero, zero, final, final, np.zeros(2), np.array([1.0, 0.0]))
    io = load_io_table(concordance, SECTORS)
    gross = final / (1.0 - io.domestic.sum(axis=0) - io.imported.sum(axis=0))
    closed = supply_chain.closure(gross, 1.0, io.domestic, final)
    return Linkages(io.domestic, io.imported, final, gross, closed.outside_share, closed.export_mix)


def short_run_equilibrium(share: float, trade_cost: float, sigma: float, mu: float,
                          linked: int = 1, table: Linkages | None = None) -> dict[str, np.ndarray]:
    """Prices, wages and real wages of the two-city world with a share λ of the manufacturing
    workers held in city 0 and input-output linkages on (``linked``) or off.

    The closure of the agent-based short run: each city-sector's firms (farms evenly, manufacturers
    λ, 1 − λ) sell their 2020 quantities x_s λ_is at the prices that clear CES demand,
    p_is = (MA_is / x_s)^(1/σ_s) (mass and quantities per unit of the region's firms; units scale
    out), with market access and price indices from :func:`goods.price_terms` and
    :func:`goods.market_access` on the model's iceberg weights. Inputs (Leontief, the same real
    inputs per unit of output in both cities): unit input cost c_is = Σ_k a_ks ((1 − o_ik) P_ik +
    o_ik) + Σ_k m_ks, P_ik = G_ik / G_k^even the regional index against the base of evenly spread
    suppliers (``supply_chain.common_input_base``), o_ik the Armington share bought from the rest
    of China at price 1 (``supply_chain.outside_shares``). Value added (p − c) x λ is spent by
    households at β (a share o of it outside); firms buy their inputs; the external sector spends
    what the region pays outside on its export mix, half in each city. Manufacturing's wage is its
    value added per unit, p − c, times a constant (zero profit: the variable and overhead labour of
    a firm selling its 2020 quantity are fixed); the CPI is Π_s G_is^β_s. Solved by damped
    fixed-point iteration on the prices until none moves by more than :data:`TOLERANCE`. At λ = 1/2
    every price is 1; without linkages this is Krugman's short run
    (:func:`ydabm.validation.core_periphery.short_run_equilibrium`).

    Returns:
        dict of (2,) arrays (cities) ``wage`` (manufacturing value added per unit, p − c), ``cpi``,
        ``real_wage``, ``farm`` (farm value added per unit), ``input_price`` (P of manufacturing)
        and (2, 2) ``price``; and the float ``gap``, log real wage of city 0 minus city 1.

    Raises:
        RuntimeError: if the iteration does not converge.
    """
    table = table or linkages(mu, linked)
    market = two_city_market(trade_cost, sigma)
    weights, elasticity = market.weights, market.elasticity
    power = 1.0 - elasticity
    producers = np.array([[0.5, share], [0.5, 1.0 - share]])             # (C, S) of each sector
    even = goods.price_terms(np.full((2, 2), 0.5), weights)[0] ** (1.0 / power)
    a, o, beta, gross = table.domestic, table.outside, table.final, table.gross
    output = producers * gross[None, :]
    price = np.ones((2, 2))
    for _ in range(MAX_ITERATIONS):
        phi = goods.price_terms(producers * price ** power[None, :], weights)
        index = phi ** (1.0 / power)
        relative = index / even
        outside = supply_chain.outside_shares(o, relative, elasticity)
        unit_cost = ((1.0 - outside) * relative + outside) @ a + table.imported.sum(axis=0)[None, :]
        value_added = (output * (price - unit_cost)).sum(axis=1)
        used = output @ a.T                                                # (C, K) real inputs
        paid_outside = ((value_added[:, None] * beta * o).sum() + (used * outside).sum()
                        + (output @ table.imported.T).sum())
        spending = (value_added[:, None] * beta * (1.0 - o) + used * (1.0 - outside) * relative
                    + 0.5 * paid_outside * table.export_mix[None, :])
        target = (goods.market_access(weights, spending, phi) / gross[None, :]) ** (1.0 / elasticity)[None, :]
        if np.max(np.abs(target - price)) < TOLERANCE:
            margin = target - unit_cost
            cpi = np.exp(np.log(index) @ beta)
            real = margin[:, 1] / cpi
            return {"price": target, "wage": margin[:, 1], "farm": margin[:, 0], "cpi": cpi, "real_wage": real,
                    "input_price": relative[:, 1], "gap": float(np.log(real[0] / real[1]))}
        price = price + DAMPING * (target - price)
    raise RuntimeError(f"no short-run equilibrium after {MAX_ITERATIONS} iterations")


def _model(scenario: str, linked: int, seed: int, **overrides) -> YRDModel:
    params = load_scenario(scenario).params({"input_output": linked, "io_concordance": CONCORDANCE, **overrides})
    model = YRDModel(rng=seed, **params)
    model.levers.mobility_frozen = True
    return model


def manufacturing_shares(model: YRDModel) -> np.ndarray:
    """(C,) each city's share of the mobile (manufacturing) sector's sales."""
    f = model.firms
    making = f.alive & model.sectors.manufacturing[f.sector]
    sales = np.bincount(f.city[making], f.revenue[making], minlength=model.geography.count)
    return sales / sales.sum()


def two_city(linked: int, core_share: float = 0.6, trade_cost: float = 1.7, quarters: int = 40,
             seed: int = 1, short_run: bool = True) -> dict[str, float]:
    """The two-city economy with a share ``core_share`` of the mobile workers in city 0, held there.

    With ``short_run`` (default) the firm counts are held at t = 0, as in the core-periphery check
    (:data:`ydabm.validation.core_periphery.ABM_SHORT_RUN`, 100 people an agent and 200 firms),
    the closure of :func:`short_run_equilibrium`; otherwise firms turn over at the scenario's rates.

    Returns:
        means over the last ten quarters of the core's log expected real income gap (``income_gap``,
        as in :func:`ydabm.validation.core_periphery.abm_short_run_gaps`) and its parts: the log gaps
        of the mobile workers' wage (``wage_gap``), employment rate (``employment_gap``) and CPI
        (``cpi_gap``; income = wage + employment - CPI when no one draws benefits); the core's share
        of manufacturing sales at the end (``core_sales_share``); and the theory's gap at the
        scenario's sigma and mu (``theory_gap``, :func:`short_run_equilibrium`).
    """
    overrides = {"initial_core_share": core_share, "trade_cost": trade_cost}
    if short_run:
        overrides.update(ABM_SHORT_RUN, workers_per_firm=100.0)
    model = _model("core_periphery", linked, seed, **overrides)
    parts = []
    for quarter in range(quarters):
        model.step()
        if quarter >= quarters - 10:
            rate = model.staff_table()[:, 1] / model.labour_force[:, 1]
            logs = np.log([model.wages[:, 1], rate, model.cpi])
            parts.append([_income_gap(model), *(logs[:, 0] - logs[:, 1])])
    gaps = dict(zip(("income_gap", "wage_gap", "employment_gap", "cpi_gap"), np.mean(parts, axis=0).tolist()))
    sectors = model.sectors
    sigma = float(sectors.elasticity[sectors.manufacturing][0])
    theory = short_run_equilibrium(core_share, trade_cost, sigma, 1.0 - model.params.agriculture_share, linked)
    return {**gaps, "core_sales_share": float(manufacturing_shares(model)[0]), "theory_gap": theory["gap"]}


def racetrack(linked: int, quarters: int = 60, seed: int = 1) -> dict[str, float]:
    """The racetrack from its near-uniform start with workers held in place: the concentration of
    manufacturing sales (Herfindahl times the number of cities: 1 = even) at the start and the end."""
    model = _model("racetrack", linked, seed)
    start = manufacturing_shares(model)
    for _ in range(quarters):
        model.step()
    end = manufacturing_shares(model)
    cities = start.size
    return {"concentration_start": float(cities * (start ** 2).sum()),
            "concentration_end": float(cities * (end ** 2).sum()), "largest_share": float(end.max())}
