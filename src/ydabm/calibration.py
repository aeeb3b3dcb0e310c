"""Calibration: invert the 2020 data into the model's fundamentals.

As in quantitative spatial economics (Redding & Rossi-Hansberg 2017), fundamentals are recovered
so that the model at t = 0 reproduces the data exactly, at the *baseline* value of every policy lever;
counterfactual lever settings then act on the same fundamentals.

1. Structure: a city's GDP splits into primary/secondary/tertiary (data) and, inside each broad sector,
   over sectors by the national value-added weight of the 2020 input-output table times the city's
   location quotient: measured where the shipped data split a city's industry by group (Shanghai),
   otherwise the pillar location quotient (measured on those cities) for the sectors its plans name
   as pillars and 1 for the others (configs/sectors.toml [pillars] and [structure]).
2. Expenditure shares alpha_s: the YRD-wide value-added shares (closed economy, no intermediates).
3. Labour: worker agents are the working-age residents, ``working_age_share`` of the hukou population
   plus ``migrant_working_age_share`` of the net migrants (resident - hukou; negative where people left,
   who leave their children and elderly behind); the other residents are dependants, a stock per city
   that counts in its population but neither works nor moves. Farmers are the primary GDP share over
   `farm_productivity` of workers; a city's wages per skill clear its labour market given sector labour
   costs ((sigma-1)/sigma + fixed cost) * revenue, so productivity is calibrated to GDP per worker.
4. Productivity: city-sector price levels p_is solve the goods market so that model revenue equals the
   data's revenue R_is at observed spending (an exact-hat style fixed point); phi_is = markup * unit
   labour cost / p_is.
5. Amenities: inverted so that logit migration flows at t = 0 move people at the pace of the 2020 net
   migrant stocks (resident - hukou), or keep populations stationary with ``migrant_inflow_rate = 0``.
6. Farming: the attachment to farming at home, so that the home pool's choice of farming keeps each
   city's farm share while those flows go on (:func:`farm_choice_share`, :func:`farm_attachment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics
from .geography import Geography
from .geography.world import DATA_DIR
from .markets import goods, migration
from .mechanisms import supply_chain
from .params import ParameterError
from .sectors import Sectors

SKILLS = ("farm", "low", "high")


@dataclass
class Fundamentals:
    """What calibration recovers (arrays over C cities, S sectors, K = 3 labour classes).

    Attributes:
        expenditure_share: (S,) alpha_s.
        revenue: (C, S) quarterly revenue (value added) at t = 0, yuan.
        spending: (C,) quarterly spending at t = 0, yuan.
        agents: (C,) worker agents per city (the working-age residents, :func:`working_age_population`).
        labour_force: (C, K) agents by class.
        wages: (C, K) wage per agent per quarter, yuan.
        skill_mix: (S, K) share of each class in a sector's labour.
        price_level: (C, S) price of a z = 1 firm at t = 0.
        productivity: (C, S) phi_is.
        amenity: (C,) log amenity.
        hukou_share: (C, H) residents' hukou groups (provinces, then outside the region).
        consumer_price: (C,) consumer price index at t = 0 at baseline levers: the base of every
            deflator, so that real output compares runs with different levers at common prices.
        input_share: (S,) a_s, intermediate inputs over gross output (None: no input-output layer;
            then revenue is value added and price_level the price of value added).
        closure: how the region trades with the rest of China and abroad at t = 0 (with inputs).
        dependants: (C,) residents who are not in the labour force, in agent units (persons over
            ``people_per_agent``; :func:`initial_dependants`). None: every resident is a worker.
        farm_attachment: (C,) log-utility of farming at home beyond the farm income (:func:`farm_attachment`;
            -inf where farming is never chosen). None: not calibrated (zero).
    """

    expenditure_share: np.ndarray
    revenue: np.ndarray
    spending: np.ndarray
    agents: np.ndarray
    labour_force: np.ndarray
    wages: np.ndarray
    skill_mix: np.ndarray
    price_level: np.ndarray
    productivity: np.ndarray
    amenity: np.ndarray
    hukou_share: np.ndarray
    consumer_price: np.ndarray
    input_share: np.ndarray | None = None
    closure: supply_chain.Closure | None = None
    dependants: np.ndarray | None = None
    farm_attachment: np.ndarray | None = None


def sector_structure(geo: Geography, sectors: Sectors) -> np.ndarray:
    """(C, S) shares of each city's GDP by sector: the broad shares (data) split inside each broad
    sector in proportion to weight_s x L_cs (national value-added weight times the city's location
    quotient, :func:`location_quotients`)."""
    if geo.synthetic:
        return np.tile(sectors.expenditure_share / sectors.expenditure_share.sum(), (geo.count, 1))
    prior = sectors.weight[None, :] * location_quotients(geo.names, sectors)
    shares = np.zeros_like(prior)
    for b in range(3):
        inside = sectors.broad == b
        if inside.any():
            shares[:, inside] = geo.broad_shares[:, [b]] * prior[:, inside] / prior[:, inside].sum(axis=1, keepdims=True)
    return shares / shares.sum(axis=1, keepdims=True)


def location_quotients(cities, sectors: Sectors) -> np.ndarray:
    """(C, S) location quotients L_cs of each city's sectors against the national mix.

    * A city with a measured split (``[structure] measured``): its secondary sectors get
      L_s = (q_s + r g_s) / g_s, with q_s the measured gross-output share of the groups mapped to s in
      the city's industry, r = 1 - sum_s q_s the part in no listed group (at the national mix) and g_s
      the national gross-output share of s among the secondary sectors (2020 input-output table), so
      that weight_s L_s is proportional to the city's value added v_s (q_s + r g_s).
    * Every other city-sector: the pillar location quotient lambda (:func:`pillar_location_quotient`)
      for the sectors the city's plans name as pillars, 1 for the rest.
    """
    names = list(cities)
    tilt = np.ones((len(names), sectors.count))
    if not sectors.measured_structure:
        return tilt
    gross, _ = national_output(sectors)
    measured = measured_shares(sectors)
    lam = pillar_location_quotient(measured, gross, sectors)
    for c, city in enumerate(names):
        for sector in sectors.pillars.get(city, ()):
            tilt[c, sectors.index(sector)] = lam
        if city in measured:
            q = measured[city]
            secondary = sectors.manufacturing
            tilt[c, secondary] = (q[secondary] + (1.0 - q.sum()) * gross[secondary]) / gross[secondary]
    return tilt


def pillar_location_quotient(measured: dict[str, np.ndarray], gross: np.ndarray, sectors: Sectors) -> float:
    """lambda: how much larger a city's listed pillar sectors are than its other sectors, measured.

    For each city with a measured split and a pillar list, over the secondary sectors with a measured
    group: the mean log location quotient ln(q_s / g_s) of its pillar sectors minus that of its other
    sectors; lambda is exp of the mean of these differences over such cities (1 if there is none).
    """
    gaps = []
    for city, q in measured.items():
        listed = np.zeros(sectors.count, dtype=bool)
        listed[[sectors.index(s) for s in sectors.pillars.get(city, ())]] = True
        seen = sectors.manufacturing & (q > 0)
        if (seen & listed).any() and (seen & ~listed).any():
            log_lq = np.log(np.where(seen, q, 1.0) / np.where(seen, gross, 1.0))
            gaps.append(log_lq[seen & listed].mean() - log_lq[seen & ~listed].mean())
    return float(np.exp(np.mean(gaps))) if gaps else 1.0


def national_output(sectors: Sectors) -> tuple[np.ndarray, np.ndarray]:
    """(S,) national gross-output shares g_s inside each broad sector and (S,) value-added rates v_s of
    the model's sectors, from the 2020 input-output table through ``sectors.concordance``."""
    output, value_added = _national(sectors.concordance, sectors.names)
    gross = np.zeros(sectors.count)
    for b in range(3):
        inside = sectors.broad == b
        if inside.any():
            gross[inside] = output[inside] / output[inside].sum()
    return gross, value_added


@lru_cache(maxsize=8)
def _national(concordance: str, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    from .supply import load_io_table
    io = load_io_table(concordance, names)
    return io.output.copy(), io.value_added.copy()


def national_weights(sectors: Sectors) -> np.ndarray:
    """(S,) national value-added shares of the model's sectors inside each broad sector (the weights
    configs/sectors.toml states, recomputed from the input-output table)."""
    output, value_added = _national(sectors.concordance, sectors.names)
    added = output * value_added
    weights = np.zeros(sectors.count)
    for b in range(3):
        inside = sectors.broad == b
        if inside.any():
            weights[inside] = added[inside] / added[inside].sum()
    return weights


def measured_shares(sectors: Sectors) -> dict[str, np.ndarray]:
    """City -> (S,) measured gross-output shares q_s of the listed industry groups in the city's
    industry (``[structure] measured``; groups mapped to one sector add up).

    Raises:
        ParameterError: a missing file or column, an unknown model sector, a city without a ``total``
            row, or listed groups that exceed the total.
    """
    return _measured(sectors.measured_structure, sectors.names)


@lru_cache(maxsize=8)
def _measured(name: str, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    path = Path(name) if Path(name).exists() else DATA_DIR / name
    field = "[structure] measured"
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise ParameterError(f"sectors_file: {field} = {name!r}: no such file in {DATA_DIR} or as a path") from None
    needed = {"city", "model_sector", "gross_output_100m_yuan"}
    if not needed <= set(table.columns):
        raise ParameterError(f"sectors_file: {field} {path.name} lacks column(s) {sorted(needed - set(table.columns))}")
    out = {}
    for city, rows in table.groupby("city", sort=False):
        total = rows.loc[rows["model_sector"] == "total", "gross_output_100m_yuan"]
        if len(total) != 1 or not total.iloc[0] > 0:
            raise ParameterError(f"sectors_file: {field} {path.name}: {city} needs one positive `total` row")
        q = np.zeros(len(names))
        for sector, value in rows.loc[rows["model_sector"] != "total", ["model_sector", "gross_output_100m_yuan"]].itertuples(index=False):
            if sector not in names:
                raise ParameterError(f"sectors_file: {field} {path.name}: {city} names unknown sector {sector!r}")
            if value < 0:
                raise ParameterError(f"sectors_file: {field} {path.name}: {city} has negative output for {sector!r}")
            q[names.index(sector)] += value / total.iloc[0]
        if q.sum() > 1.0 + 1e-9:
            raise ParameterError(f"sectors_file: {field} {path.name}: {city}'s groups exceed its total ({q.sum():.3f})")
        out[str(city)] = q
    return out


def province_similarity(values: np.ndarray, province_index: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """(P, P) UNIDO similarity of the provinces' structures: city rows of ``values`` (C, S; output,
    value added or employment) summed by province, over the sector ``columns`` (a mask or indices)."""
    provinces = int(np.max(province_index)) + 1
    totals = np.zeros((provinces, values.shape[1]))
    np.add.at(totals, np.asarray(province_index), values)
    return metrics.similarity_matrix(totals[:, columns])


def employment_structure(fundamentals: Fundamentals, sectors: Sectors) -> np.ndarray:
    """(C, S) employment (worker agents) of each city-sector at t = 0 implied by the calibration: the
    sector's labour cost ((sigma-1)/sigma + fixed cost) x revenue over the cost of one worker of its
    skill mix in the city. The t = 0 firms hire exactly these staffs (up to rounding to agents), and
    governments read comparative advantage from employment, so this is the structure whose yearly
    target choice the 2020 support must repeat."""
    unit_labour = fundamentals.wages @ fundamentals.skill_mix.T
    labour_cost = fundamentals.revenue * labour_cost_share(sectors)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(unit_labour > 0, labour_cost / unit_labour, 0.0)


def skill_mix(sectors: Sectors) -> np.ndarray:
    """(S, K) labour mix: farmers in agriculture, low/high skill elsewhere by skill intensity."""
    mix = np.zeros((sectors.count, 3))
    mix[sectors.agriculture, 0] = 1.0
    other = ~sectors.agriculture
    mix[other, 1] = 1.0 - sectors.skill_intensity[other]
    mix[other, 2] = sectors.skill_intensity[other]
    return mix


def expenditure_shares(geo: Geography, sectors: Sectors, structure: np.ndarray, agriculture_share: float) -> np.ndarray:
    """alpha_s: data value-added shares (YRD) or the configured shares (synthetic worlds)."""
    if geo.synthetic:
        alpha = sectors.expenditure_share.copy()
        ag = sectors.agriculture
        alpha[ag] = agriculture_share * alpha[ag] / alpha[ag].sum()
        alpha[~ag] = (1 - agriculture_share) * alpha[~ag] / alpha[~ag].sum()
        return alpha
    return (structure * geo.gdp[:, None]).sum(axis=0) / geo.gdp.sum()


def labour_cost_share(sectors: Sectors) -> np.ndarray:
    """Labour cost as a share of revenue: variable labour (sigma-1)/sigma plus overhead."""
    return (sectors.elasticity - 1) / sectors.elasticity + sectors.fixed_cost


def calibrate(geo: Geography, sectors: Sectors, params: dict, iceberg: np.ndarray,
              wedge: np.ndarray | None = None, io=None) -> Fundamentals:
    """Recover fundamentals from data at the given (baseline) parameters.

    Args:
        geo: geography with 2020 data.
        sectors: sector table.
        params: validated parameters (levers at their baseline values).
        iceberg: (S, C, C) baseline trade costs.
        wedge: (S, C, C) baseline protection wedges (None: no protection).
        io: :class:`ydabm.supply.IOTable` of the model's sectors, or None (value added only). With it,
            each city-sector's gross output is its value added over 1 - a_s; the goods market sells
            gross output to final buyers (households and governments at the national final-demand
            mix, in synthetic worlds at the configured shares; the external sector at the region's
            export mix) and to firms as inputs; price
            levels reproduce gross output.
    """
    wedge = np.ones_like(iceberg) if wedge is None else wedge
    structure = sector_structure(geo, sectors)
    alpha = expenditure_shares(geo, sectors, structure, params["agriculture_share"])
    gdp = geo.gdp / 4.0
    if geo.synthetic:
        gdp = np.full(geo.count, gdp.mean())
        structure = np.tile(alpha, (geo.count, 1))
    revenue = structure * gdp[:, None]
    agents = worker_agents(geo, params)
    mix = skill_mix(sectors)
    labour_cost = revenue * labour_cost_share(sectors)[None, :]
    labour_force = _labour_force(geo, sectors, structure, agents, params, alpha)
    wages = _wages(labour_cost, sectors, labour_force, params)
    unit_labour = wages @ mix.T                                   # (C, S) cost of one labour unit
    markup = sectors.elasticity / (sectors.elasticity - 1)
    if io is None:
        price = _price_levels(revenue, gdp[:, None] * alpha[None, :], sectors, iceberg * wedge)
        productivity = markup[None, :] * unit_labour / price
        share, closed = None, None
    else:
        share = io.domestic.sum(axis=0) + io.imported.sum(axis=0)
        gross = revenue / (1.0 - share)[None, :]
        if not geo.synthetic:
            # the YRD's households and governments buy at the national final-demand mix; a synthetic
            # world keeps its configured shares (1 - mu, mu), so linkages do not move mu
            national_final = io.output - io.domestic @ io.output
            alpha = np.maximum(national_final, 0.0) / np.maximum(national_final, 0.0).sum()
        closed = supply_chain.closure(gross.sum(axis=0), gdp.sum(), io.domestic, alpha)
        price = _price_levels(gross, initial_spending(gross, gdp, io.domestic, closed), sectors, iceberg * wedge)
        # p = m w / (phi (1 - a)): inputs passed through, labour cost marked up
        productivity = markup[None, :] * unit_labour / (price * (1.0 - share)[None, :])
    hukou = hukou_shares(geo, params)
    cpi = baseline_consumer_price(price, alpha, sectors, iceberg, wedge)
    income = _initial_income(geo, wages, cpi, params)
    amenity = invert_amenities(geo, income, labour_force, hukou, params)
    return Fundamentals(alpha, revenue, gdp, agents, labour_force, wages, mix, price, productivity,
                        amenity, hukou, cpi, share, closed, initial_dependants(geo, params),
                        farm_attachment(geo, income, amenity, labour_force, hukou, params))


def initial_spending(gross: np.ndarray, gdp: np.ndarray, domestic: np.ndarray,
                     closed: supply_chain.Closure) -> np.ndarray:
    """(C, S) spending of each buying city on each sector at t = 0 with inputs: households and
    governments (value added, at the final shares) and firms (their inputs), less what they buy
    from the rest of China, and the external sector (its exports, placed in the cities in
    proportion to their value added)."""
    weight = gdp / gdp.sum()
    regional = (gdp[:, None] * closed.final_share[None, :] + gross @ domestic.T) * (1.0 - closed.outside_share)[None, :]
    return regional + closed.exports * weight[:, None] * closed.export_mix[None, :]


def baseline_consumer_price(price, alpha, sectors, iceberg, wedge) -> np.ndarray:
    """(C,) consumer price index implied by the calibrated price levels, trade costs and wedges."""
    weights = goods.cost_weights(iceberg * wedge, sectors.elasticity)
    varieties = np.broadcast_to(price ** (1.0 - sectors.elasticity)[None, :], price.shape)
    phi = goods.price_terms(varieties, weights)
    welfare = goods.welfare_weights(weights, wedge, sectors.elasticity)
    return goods.consumer_price_index(goods.welfare_price_index(varieties, phi, welfare, sectors.elasticity), alpha)


def working_age_population(geo: Geography, params: dict) -> np.ndarray:
    """(C,) working-age residents at t = 0 (persons): the labour force the worker agents stand for.

    L = a H + m (R - H) within [0, R], with H the hukou population, R the residents, a
    ``working_age_share`` (of the settled population) and m ``migrant_working_age_share`` (of the net
    migrants: where R < H, m (H - R) working-age people have left and their dependants stayed).
    Synthetic worlds have no hukou data: every resident is a worker.
    """
    residents = np.asarray(geo.population, dtype=float)
    if geo.synthetic:
        return residents.copy()
    settled = np.asarray(geo.hukou_population, dtype=float)
    working = params["working_age_share"] * settled + params["migrant_working_age_share"] * (residents - settled)
    return np.clip(working, 0.0, residents)


def worker_agents(geo: Geography, params: dict) -> np.ndarray:
    """(C,) worker agents per city at t = 0: working-age residents over ``people_per_agent``, at least 10."""
    return np.maximum(np.rint(working_age_population(geo, params) / params["people_per_agent"]).astype(int), 10)


def initial_dependants(geo: Geography, params: dict) -> np.ndarray:
    """(C,) dependants at t = 0 in agent units: residents less working-age residents
    (:func:`working_age_population`), over ``people_per_agent``. Not rounded: a stock, not agents;
    workers (rounded) plus dependants are the census residents up to half an agent."""
    residents = np.asarray(geo.population, dtype=float)
    return (residents - working_age_population(geo, params)) / params["people_per_agent"]


def initial_labour_force(geo: Geography, sectors: Sectors, params: dict) -> np.ndarray:
    """(C, K) worker agents by class (farm, low, high) at t = 0, as :func:`calibrate` places them."""
    return _labour_force(geo, sectors, sector_structure(geo, sectors), worker_agents(geo, params), params, None)


def _labour_force(geo, sectors, structure, agents, params, alpha) -> np.ndarray:
    """(C, K) agents by class: farmers from the primary share, skills from the sector mix."""
    ag_share = structure[:, sectors.agriculture].sum(axis=1)
    if geo.synthetic:
        farm = ag_share                          # FKV: farmers are the (1 - mu) share of labour
    else:
        farm = np.clip(ag_share / params["farm_productivity"], 0.0, 0.6)
    farmers = np.rint(agents * farm).astype(int)
    urban = agents - farmers
    mix = skill_mix(sectors)
    heads = structure * labour_cost_share(sectors)[None, :] / _head_cost(mix, params["skill_premium"])[None, :]
    low, high = heads @ mix[:, 1], heads @ mix[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        high_share = np.where(low + high > 0, high / (low + high), 0.0)
    high_count = np.rint(urban * high_share).astype(int)
    return np.column_stack([farmers, urban - high_count, high_count])


def _head_cost(mix: np.ndarray, premium: float) -> np.ndarray:
    """(S,) cost of one worker of a sector's mix in units of the low-skill wage."""
    return mix[:, 0] + mix[:, 1] + premium * mix[:, 2]


def _wages(labour_cost, sectors, labour_force, params) -> np.ndarray:
    """Wages per class that pay the labour cost of each city to its employed agents.

    Farmers share agriculture's labour cost; urban workers share the rest, with high-skill wages
    ``skill_premium`` times low-skill wages.
    """
    employed = labour_force * (1.0 - params["natural_unemployment"])
    premium = params["skill_premium"]
    farm_cost = labour_cost[:, sectors.agriculture].sum(axis=1)
    urban_cost = labour_cost[:, ~sectors.agriculture].sum(axis=1)
    urban_heads = employed[:, 1] + premium * employed[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(urban_heads > 0, urban_cost / urban_heads, 0.0)
        farm = np.where(employed[:, 0] > 0, farm_cost / employed[:, 0], low)
    return np.column_stack([farm, low, premium * low])


def _price_levels(revenue, spending, sectors, iceberg, tolerance=1e-12) -> np.ndarray:
    """City-sector price levels at which the goods market reproduces ``revenue`` at the (C, S)
    ``spending`` of each buying city."""
    weights = goods.cost_weights(iceberg, sectors.elasticity)
    varieties = revenue.copy()
    for _ in range(10000):
        phi = goods.price_terms(varieties, weights)
        model = varieties * goods.market_access(weights, spending, phi)
        ratio = np.where(revenue > 0, revenue / np.where(model > 0, model, 1.0), 1.0)
        varieties *= ratio
        if np.abs(ratio - 1).max() < tolerance:
            break
    # A = p^(1 - sigma) for a unit mass of z = 1 firms; normalise the geometric-mean price to 1
    log_price = np.log(varieties) / (1.0 - sectors.elasticity)[None, :]
    log_price -= log_price.mean(axis=0, keepdims=True)
    return np.exp(log_price)


def hukou_shares(geo: Geography, params: dict | None = None) -> np.ndarray:
    """(C, P + 1) share of each city's workers by hukou group (provinces, then outside the YRD).

    Residents up to the hukou population are locals. The surplus (resident - hukou) in a city comes
    from cities with more hukou than residents, weighted by their deficit and exp(-hours / 3); the part
    of all surpluses that the region's deficits cannot supply comes from outside the region. Among
    the workers (``params`` given: :func:`working_age_population`) the migrants are the working-age
    part of the surplus, ``migrant_working_age_share`` of it; without ``params``, shares of residents.
    """
    provinces = int(geo.province_index.max()) + 1
    shares = np.zeros((geo.count, provinces + 1))
    shares[np.arange(geo.count), geo.province_index] = 1.0
    surplus = np.clip(geo.population - geo.hukou_population, 0, None)
    deficit = np.clip(geo.hukou_population - geo.population, 0, None)
    if surplus.sum() == 0:
        return shares
    inside = min(1.0, deficit.sum() / surplus.sum())
    if params is None:
        migrant_share = surplus / geo.population
    else:
        working = working_age_population(geo, params)
        with np.errstate(divide="ignore", invalid="ignore"):
            migrant_share = np.where(working > 0, np.minimum(params["migrant_working_age_share"] * surplus / working, 1.0), 0.0)
    for c in np.flatnonzero(surplus):
        gravity = deficit * np.exp(-geo.hours[c] / 3.0)
        migrant = migrant_share[c]
        shares[c, geo.province_index[c]] = 1.0 - migrant
        if gravity.sum() > 0:
            by_province = np.bincount(geo.province_index, gravity, minlength=provinces) / gravity.sum()
            shares[c, :provinces] += migrant * inside * by_province
        shares[c, provinces] += migrant * (1 - inside if gravity.sum() > 0 else 1.0)
    return shares


def log_real_income(wages, employment_rate, benefit_rate, consumer_price, housing_cost, housing_share):
    """(C, K) log expected real income: (w * e + b * w_low * (1 - e)) / (P^(1-h) H^h)."""
    benefit = benefit_rate * wages[:, [1]]
    expected = wages * employment_rate + benefit * (1 - employment_rate)
    living = consumer_price ** (1 - housing_share) * housing_cost ** housing_share
    return np.log(np.maximum(expected, 1e-12) / living[:, None])


def _initial_income(geo, wages, cpi, params) -> np.ndarray:
    """(C, K) log expected real income at t = 0 (employment at the natural rate, housing cost 1)."""
    employment = np.full_like(wages, 1.0 - params["natural_unemployment"])
    return log_real_income(wages, employment, params["unemployment_benefit"], cpi,
                           np.ones(geo.count), params["housing_share"])


def farm_attachment(geo: Geography, income: np.ndarray, amenity: np.ndarray, labour_force: np.ndarray,
                    hukou: np.ndarray, params: dict) -> np.ndarray:
    """(C,) the attachment to farming at home (log-utility beyond the farm income) at which farming is
    chosen with the probability :func:`farm_choice_share`, at the (C, K) log expected real incomes
    ``income`` and the amenities.

    Farming is open to the home pool of a city (:mod:`ydabm.mechanisms.relocation`): its farmers, who
    reconsider at ``farmer_mobility`` times the rate of the others, and its low-skill workers with the
    local hukou. Both face one logit choice: farming at home, or a low-skill job in any city. For farming
    to be chosen with probability s the attachment a is (log(s / (1 - s)) + log sum_j exp(beta u_j)) / beta
    minus the farm utility without it (u_j: the low-skill worker's utility of a job in j). It is the
    compensating differential of farming (the contracted land and its rent, the homestead, food grown at
    home, family, and what the measured income gap overstates: hours, human capital and the rural cost
    of living; Gollin, Lagakos & Waugh 2014), taken, as amenities are inverted from populations, from the
    2020 occupations and flows: later changes of farm income relative to non-farm incomes move people
    into or out of farming. -inf where farming is never chosen (no farmers, or ``farmer_mobility`` 0).

    Args:
        geo: the geography (travel times, provinces).
        income: (C, K) log expected real income (farm, low, high).
        amenity: (C,) the amenities (:func:`invert_amenities`).
        labour_force: (C, K) agents by city and class.
        hukou: (C, H) hukou shares of the non-farm workers (:func:`hukou_shares`).
        params: the parameters (move costs, hukou cost, migration elasticity, farmer mobility, flows).
    """
    cities = geo.count
    home = np.arange(cities)
    local = hukou.argmax(axis=1)
    utility = migration.location_utility(income[:, 1:], amenity, geo.hours, params["move_cost"],
                                         params["move_cost_per_hour"], params["barrier"] * params["hukou_penalty"],
                                         geo.province_index, hukou.shape[1])
    jobs = params["migration_elasticity"] * utility[home, local, 0, :]            # (C, C) beta u_j
    top = jobs.max(axis=1)
    log_sum = top + np.log(np.exp(jobs - top[:, None]).sum(axis=1))
    share, _ = farm_choice_share(labour_force, hukou, quarterly_net_flow(geo, labour_force, params), params)
    with np.errstate(divide="ignore"):
        odds = np.log(share) - np.log1p(-share)
    farm_utility = utility[home, local, 0, home] - income[:, 1] + income[:, 0]
    return (odds + log_sum) / params["migration_elasticity"] - farm_utility


def farm_choice_share(labour_force: np.ndarray, hukou: np.ndarray, flow: np.ndarray,
                      params: dict) -> tuple[np.ndarray, np.ndarray]:
    """(C,) the probability s that a reconsidering member of a city's home pool chooses farming at t = 0,
    and (C,) the pool's reconsidering weight P = m F + L (m: ``farmer_mobility``; F farmers; L low-skill
    workers with the local hukou, who reconsider at the full rate).

    A reconsidering round turns F into (1 - r) F + r s P (r: ``reconsider_rate``), so farming keeps the
    farm share phi = F / N of the city's labour force N while the city's net migration ``flow`` (agents a
    quarter, :func:`quarterly_net_flow`) changes N when s = (m F + phi flow / r) / P: farming then is
    neither a one-way drain nor a store the migrants leave behind, and the cities' structures stay as
    2020's (with no net migration, s = m F / P: as many take up farming as leave it). Clipped to
    [0, 1 - 1e-9]: where the reconsidering farmers cannot carry the city's farm share of its net outflow
    (a small ``farmer_mobility``), no one takes up farming there. 0 everywhere with ``farmer_mobility`` 0,
    which closes the choice (occupations fixed, Krugman's immobile farmers); any positive value opens it
    to the local low-skill workers at the full rate, so as ``farmer_mobility`` goes to 0 the farmers stop
    leaving but the cities that gain people still add farmers at their farm share (s = phi flow / (r L)),
    and the cities that lose them none: the limit is not the closed choice.
    """
    cities = labour_force.shape[0]
    mobility = params.get("farmer_mobility", 0.0)
    farmers = mobility * labour_force[:, 0]
    pool = farmers + hukou[np.arange(cities), hukou.argmax(axis=1)] * labour_force[:, 1]
    if mobility <= 0:
        return np.zeros(cities), pool
    reconsider = params["reconsider_rate"]
    carried = 0.0
    if reconsider > 0:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            carried = labour_force[:, 0] / labour_force.sum(axis=1) * flow / reconsider
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(pool > 0, (farmers + carried) / pool, 0.0)
    return np.clip(np.nan_to_num(share), 0.0, 1.0 - 1e-9), pool


def mobile_workers(labour_force: np.ndarray) -> np.ndarray:
    """(C,) non-farm workers per city."""
    return labour_force[:, 1:].sum(axis=1)


def invert_amenities(geo: Geography, income: np.ndarray, labour_force: np.ndarray, hukou: np.ndarray,
                     params: dict) -> np.ndarray:
    """(C,) log amenities at which the logit choices of the mobile workers, at the (C, K) log expected
    real incomes ``income`` (farm, low, high), deliver :func:`target_arrivals` (2020's net flows, or
    stationary populations with ``migrant_inflow_rate`` 0): the inversion of :func:`calibrate` at
    any incomes (a burnt-in state's, ``YRDModel._burn_in``)."""
    mobile = labour_force[:, 1:]
    counts = hukou[:, :, None] * mobile[:, None, :]
    if mobile.sum(axis=1).min() <= 0:
        return np.zeros(geo.count)
    flow = quarterly_net_flow(geo, labour_force, params)
    share, pool = farm_choice_share(labour_force, hukou, flow, params)
    if params.get("farmer_mobility", 0.0) > 0:
        # the home pool's cell (its low-skill workers with the local hukou): the part of the pool,
        # farmers included, that chooses a low-skill job (farm_choice_share)
        counts = counts.copy()
        counts[np.arange(geo.count), hukou.argmax(axis=1), 0] = pool * (1.0 - share)
    return migration.invert_amenity(
        income[:, 1:], counts, target_arrivals(geo, labour_force, params, hukou), geo.hours, params["move_cost"],
        params["move_cost_per_hour"], params["barrier"] * params["hukou_penalty"],
        geo.province_index, params["migration_elasticity"])


def net_migrant_stock(geo: Geography) -> np.ndarray:
    """(C,) resident - hukou population in 2020 (persons; zero in synthetic worlds)."""
    if geo.synthetic:
        return np.zeros(geo.count)
    return geo.population - geo.hukou_population


def working_migrant_stock(geo: Geography, params: dict) -> np.ndarray:
    """(C,) working-age part of the 2020 net migrant stock (persons): working-age residents less the
    working-age share of the hukou population, m (R - H) (zero in synthetic worlds)."""
    if geo.synthetic:
        return np.zeros(geo.count)
    return working_age_population(geo, params) - params["working_age_share"] * np.asarray(geo.hukou_population, float)


def quarterly_net_flow(geo: Geography, labour_force: np.ndarray, params: dict) -> np.ndarray:
    """(C,) each city's net migration a quarter at t = 0 (agents): ``migrant_inflow_rate / 4`` times the
    working-age part of its 2020 net migrant stock (:func:`working_migrant_stock`: only workers move,
    dependants stay), in agents, minus its share of the region's total: the model region is closed, so
    the YRD's net gain from other provinces (+19.8 M) is spread over cities in proportion to residents
    and only the relative pull is kept (the flows sum to 0)."""
    stock = working_migrant_stock(geo, params) / params["people_per_agent"]
    agents = labour_force.sum(axis=1)
    relative = stock - agents * stock.sum() / agents.sum()
    return params["migrant_inflow_rate"] / 4 * relative


def target_arrivals(geo: Geography, labour_force: np.ndarray, params: dict,
                    hukou: np.ndarray | None = None) -> np.ndarray:
    """(C,) non-farm agents each city should receive if every mobile worker reconsidered at t = 0.

    With a share ``reconsider_rate`` of the workers reconsidering a quarter, the logit arrivals of
    people must exceed the reconsidering stock (the non-farm workers, :func:`mobile_workers`, and the
    farmers weighted by ``farmer_mobility``) by the city's net flow (:func:`quarterly_net_flow`) over
    ``reconsider_rate``; those who choose farming (:func:`farm_choice_share`, with the (C, H) hukou
    shares ``hukou``; needed when ``farmer_mobility`` > 0) arrive in no non-farm job. Rate 0 gives
    stationary populations.
    """
    mobile = mobile_workers(labour_force).astype(float)
    flow = quarterly_net_flow(geo, labour_force, params)
    reconsider = params["reconsider_rate"]
    farming = 0.0
    if params.get("farmer_mobility", 0.0) > 0:
        if hukou is None:
            raise ValueError("hukou: the hukou shares are needed for the home pools' farming choices")
        share, pool = farm_choice_share(labour_force, hukou, flow, params)
        farming = params["farmer_mobility"] * labour_force[:, 0] - share * pool
    if reconsider <= 0 or not flow.any():
        return mobile + farming
    # a tiny reconsider rate overflows to inf here; the caller refuses arrivals beyond the mobile
    # workers with a ParameterError naming both parameters
    with np.errstate(over="ignore"):
        return np.maximum(mobile + farming + flow / reconsider, 1e-3 * mobile)
