"""Technology: firms' R&D and innovations, knowledge spillovers, digital adoption, trend growth.

**R&D and innovation** (a Poisson quality ladder: Aghion & Howitt 1992, Klette & Kortum 2004). An
enterprise of a firm agent in province p and city c that spends a share s of its revenue on R&D
innovates at the Poisson rate (per quarter)

    lambda = theta_p * s^beta * (1 + psi * kappa_c / (1 + kappa_c)),

where theta_p is the province's R&D efficiency (calibrated so that t = 0 R&D intensity matches
2020), beta the elasticity of innovation with respect to R&D, psi the most that knowledge
spillovers can add and kappa_c the city's knowledge pool (below). Absorbing outside knowledge
saturates (kappa / (1 + kappa); Cohen & Levinthal 1990): with a linear pool, R&D that raises the
pool that raises R&D (elasticity psi kappa / (1 + psi kappa) / (1 - beta)) has no stable level once
the spillover term exceeds 1 at beta = 0.5; saturation bounds that elasticity by psi / (4 (1 - beta)). R&D enters as a share of revenue, not in
yuan, so the rate has no scale effect (Jones 1995). An innovation raises the enterprise's
productivity by the log step gamma; under CES demand its revenue is multiplied by
exp((sigma - 1) gamma) and its operating profit (revenue / sigma) with it, so the innovation is worth
v = (exp((sigma - 1) gamma) - 1) / sigma / d quarters of revenue, d the quarterly discount rate
(interest plus obsolescence). The step is large (0.251 in logs once calibrated to patents), so
the exponential matters: its first-order form (sigma - 1) gamma / sigma / d undervalues an
innovation by a factor 1.5 to 2 at the calibrated step (sigma 4 to 6). The enterprise chooses s to
maximise lambda(s) v - (1 - subsidy) s; the first-order condition gives

    s* = [theta_p * beta * (1 + psi * kappa_c / (1 + kappa_c)) * v / (1 - subsidy)]^(1 / (1 - beta)),

and at s* the rate is lambda = (1 - subsidy) s* / (beta v). A firm agent stands for k real
enterprises: its innovations are Poisson(k lambda) draws, each counted as an invention patent. Its
enterprises are then no longer identical, but under CES demand at a common wage the agent still
sells and hires exactly as k enterprises of the CES mean productivity (mean z_i^(sigma - 1))^(1 /
(sigma - 1)) (as when entrants join a cohort, :func:`ydabm.mechanisms.entry.join_cohort`). With N
innovations spread at random over the k enterprises, that mean is multiplied in expectation by
(1 + (exp((sigma - 1) gamma) - 1) / k)^N, so the agent's log productivity rises by

    N ln(1 + (exp((sigma - 1) gamma) - 1) / k) / (sigma - 1):

gamma N at k = 1, and in expectation (Poisson(k lambda) N) the CES mean grows by
exp(lambda (exp((sigma - 1) gamma) - 1)) at every k, the region's aggregate rate
:func:`innovation_growth` whatever the number of enterprises an agent stands for. The mean log gain
gamma N / k, used before, is the geometric mean of the enterprises' productivities: right only for
small steps, it gave coarse agents (k in the thousands) half to a third of the aggregate growth that
agents of one enterprise got, so results depended on ``people_per_agent`` (docs/validation.md, "Why
the finest scales diverged"). What the CES mean cannot carry is selection within an agent: its
enterprises exit, make losses and are rescued together.

**Productivity shocks** (Hopenhayn 1992; AR(1) firm productivity as in Foster, Haltiwanger &
Syverson 2008). A firm agent's log productivity is its permanent level (the location of its
city-sector's productivity draws, times the knowledge the city-sector had when the agent opened and
its own innovations since) plus a deviation u. Each quarter

    u' = rho_q u + sd sqrt(1 - rho_q^2) e,   rho_q = rho^(1/4),

rho the yearly persistence (``productivity_persistence``), sd the dispersion of productivity around
its city-sector's mean (``productivity_dispersion``, the set-up's draw), e a standard normal drawn
for the agent and common to its enterprises. The deviations' stationary sd is sd whatever the number
of enterprises an agent stands for: the enterprise mass's distribution of shocks is the same at every
scale (only their correlation within an agent changes). The set-up's cohorts start at their draw
(a normal of sd ``productivity_dispersion`` truncated at the zero-profit cutoff, so about the
stationary law with the loss-makers selected out); entrants start at the CES mean draw of their
city-sector, above the location, and revert towards it as the survivors spread. At rho = 1
the deviation never moves and no shock is drawn: each agent keeps its set-up draw for life (the
engine before shocks). Shocks do not move a city-sector's knowledge (its entrants' level): they
revert, innovations do not.

**Knowledge spillovers.** A city's knowledge pool is the R&D stock (perpetual inventory) of the
other cities, weighted by exp(-hours / decay) and reduced across a provincial border by the
co-invention friction (:func:`ydabm.frictions.knowledge_weights`), over the region's R&D stock
at t = 0: kappa_c = sum_{j != c} W_cj K_j / sum(K_0). Own-city stocks are left out: inter-city
co-invention raises YRD cities' growth where within-city networks do not (Land 12(7):1463, 2023).

**Digital adoption.** Each traditional-sector firm agent carries the share a of its enterprises
that have adopted digital technology; an adopter is (1 + g) times as productive. Adopting is worth
v_d = ((1 + g)^(sigma - 1) - 1) / sigma / d quarters of revenue (:func:`innovation_value` at the
log step ln(1 + g)) and costs a one-off c quarters of revenue, c = c_0 (1 - subsidy) exp(-e * access_c)
x eps, eps lognormal across enterprises (sd ``dispersion``), access_c the distance-weighted digital-economy employment share around the city.
An enterprise wants to adopt when v_d >= c: the share P = Phi(ln(v_d / c_median) / dispersion).
Each quarter a share ``rate`` of enterprises reconsiders: a' = a + rate (P - a) (a mass flow).

**A joint R&D fund** (seed paper section 4.4). The cities pay into one regional pool and the pool
pays a share of every firm's R&D, one rate rho for all the region's firms (allocation in proportion
to R&D spending). The fund's budget is ``rd_fund_share`` of the region's GDP: at the start of a
quarter it announces rho = min(F / R, ``MAX_FUND_RATE``), F the budget at last quarter's GDP and R
last quarter's R&D, and firms choose R&D at that rate (their cost is 1 - subsidy - rho). It pays rho
x R&D to every firm; the cities pay in exactly what it pays out, in proportion to their GDP, so the
pool holds no balance: city c's government receives (pays out its firms' rho x R&D) and pays its
GDP share of the total. Its net transfer is what the fund moves between cities. Without pooling
(``rd_fund_pooled`` = 0, the comparison case) every city funds its own firms from the same share of
its own GDP: rho_c = min(F_c / R_c, cap), no transfers.

**Patents.** An innovation is a productivity step; how many invention patents it yields differs
by province for reasons outside the model (provincial patent subsidy programmes, Li 2012 Research
Policy 41:236; Dang & Motohashi 2015 China Econ. Rev. 35:137; the share of universities and
institutes among grantees). Each province's patent propensity pi_p (patents per innovation) is set
so that its t = 0 patents per yuan of R&D are its 2019 grants per yuan of R&D, scaled so that the
region's patents equal its innovations at t = 0 (the step is calibrated to the 2020 total); a city's
patents are pi_p x its innovations. The 2020 and 2021 grants by province test it out of sample.

**Trend growth.** Each city-sector's yearly log trend ln(1 + g_s) x ``tfp_growth_scale``, g_s its
sector's configured trend, is split into an exogenous part and its endogenous innovation part 4 lambda gamma at t = 0,
so that the two sum to the configured trend at t = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..agents.firms import live_sums

#: highest R&D share of revenue a firm chooses (the first-order condition is capped here)
MAX_RD_SHARE = 0.5
#: highest share of firms' R&D the joint fund pays (an unspent budget is not collected)
MAX_FUND_RATE = 0.5
#: highest share of a firm's R&D that subsidies and the fund pay together (the firm pays the rest)
MAX_RD_SUPPORT = 0.9


@dataclass(frozen=True)
class Innovation:
    """One quarter's R&D choices and innovations.

    Attributes:
        rd_share: (F,) R&D spending over revenue chosen by each firm agent.
        arrivals: (F,) innovations of the firm agent's enterprises this quarter (invention patents).
        gain: (F,) log productivity gain of the firm agent this quarter (step x arrivals / k).
    """

    rd_share: np.ndarray
    arrivals: np.ndarray
    gain: np.ndarray


def trend_tfp(tfp: np.ndarray, log_growth: np.ndarray) -> np.ndarray:
    """Exogenous TFP (any shape, e.g. (C, S)) after one quarter at the yearly log growth rates
    ``log_growth``: tfp x exp(log_growth / 4)."""
    return tfp * np.exp(log_growth / 4.0)


def productivity_deviation(deviation: np.ndarray, persistence: float, dispersion: float,
                           normals: np.ndarray) -> np.ndarray:
    """Next quarter's log productivity deviation of each firm agent from its permanent level: the AR(1)
    u' = rho_q u + sd sqrt(1 - rho_q^2) e with rho_q = ``persistence`` ** (1 / 4) (a yearly
    persistence), sd = ``dispersion`` (the deviations' stationary sd) and e = ``normals``."""
    rho = persistence ** 0.25
    return rho * deviation + dispersion * np.sqrt(1.0 - rho * rho) * normals


def pooled_innovations(normals: np.ndarray, mass: np.ndarray, cell: np.ndarray, cells: int) -> np.ndarray:
    """The live firm agents' shock innovations with each city-sector's law of large numbers imposed.

    A firm agent's enterprises share one shock, so a city-sector of a few agents would carry a common
    shock of variance H (the Herfindahl index of its agents' masses) every quarter, where its hundreds
    of real enterprises, each with its own shock, carry almost none. Each city-sector's innovations
    ``normals`` lose their mass-weighted mean: mass-weighted mean 0 in every city-sector, as with
    independent shocks to a continuum of enterprises. What is left is the dispersion its agents can
    carry: in expectation a mass-weighted variance of 1 - H across its enterprises (at least
    1 - ``max_cohort_share`` where more than one agent holds it, since H is at most the largest share)
    and a variance of 1 - 2 w + H for an agent of share w, never above 1 + H. A city-sector with one live
    agent draws no shock (its enterprises' shocks average out).

    (Scaling the rest back to a mass-weighted variance of 1 would load it onto the smallest agents: beside
    an agent holding nearly all of the mass, one of share w would draw a variance of about 1 / w, and its
    productivity would overflow.)

    Args:
        normals: (L,) standard normals, one per live agent.
        mass: (L,) the agents' enterprise masses.
        cell: (L,) their city-sector indexes, below ``cells``.
        cells: number of city-sectors.
    """
    total = np.bincount(cell, mass, cells)
    mean = np.divide(np.bincount(cell, mass * normals, cells), total, out=np.zeros(cells), where=total > 0.0)
    return normals - np.take(mean, cell)


def innovation_value(elasticity: np.ndarray, step: float, discount: float) -> np.ndarray:
    """Value of one innovation in quarters of the enterprise's revenue: (exp((sigma - 1) step) - 1) /
    sigma / d (operating profit, revenue / sigma, rises by the factor exp((sigma - 1) step) under CES
    demand, for ever, discounted at d).

    Args:
        elasticity: substitution elasticity sigma of the firm's sector.
        step: log productivity step gamma of an innovation.
        discount: quarterly discount rate d of the profit gain (interest plus obsolescence).
    """
    return np.expm1((elasticity - 1.0) * step) / elasticity / discount


def rd_share(efficiency: np.ndarray, spillover: np.ndarray, value: np.ndarray, rd_elasticity: float,
             subsidy: float) -> np.ndarray:
    """R&D share of revenue at the first-order condition, capped at ``MAX_RD_SHARE``.

    s* = [theta beta (1 + spillover) v / (1 - subsidy)]^(1 / (1 - beta)).

    Args:
        efficiency: R&D efficiency theta of the firm's province.
        spillover: the spillover term psi kappa / (1 + kappa) of the firm's city (:func:`spillover_term`).
        value: value of an innovation, quarters of revenue (:func:`innovation_value`).
        rd_elasticity: beta in (0, 1).
        subsidy: share of R&D paid by governments, in [0, 1).
    """
    base = efficiency * rd_elasticity * (1.0 + spillover) * value / (1.0 - subsidy)
    with np.errstate(over="ignore"):      # a power past the largest double is inf, which the cap takes
        return np.minimum(base ** (1.0 / (1.0 - rd_elasticity)), MAX_RD_SHARE)


def innovation_rate(efficiency: np.ndarray, share: np.ndarray, spillover: np.ndarray,
                    rd_elasticity: float) -> np.ndarray:
    """Poisson innovation rate of one enterprise per quarter: theta s^beta (1 + spillover)."""
    return efficiency * share ** rd_elasticity * (1.0 + spillover)


def innovation_gain(arrivals: np.ndarray, enterprises: np.ndarray | float, step: float,
                    elasticity: np.ndarray) -> np.ndarray:
    """(F,) log productivity gain of each firm agent: the expected gain of the CES mean of its k
    enterprises' productivities when its ``arrivals`` innovations fall on them at random,
    arrivals x ln(1 + (exp((sigma - 1) step) - 1) / k) / (sigma - 1) (step x arrivals at k = 1).

    Args:
        arrivals: (F,) innovations of the agent's enterprises this quarter.
        enterprises: (F,) (or scalar) enterprises k the agent stands for (> 0).
        step: log productivity step gamma of an innovation.
        elasticity: (F,) substitution elasticity sigma of the agent's sector.
    """
    power = elasticity - 1.0
    return arrivals * np.log1p(np.expm1(power * step) / enterprises) / power


def innovation_growth(rate: np.ndarray, step: float, elasticity: np.ndarray) -> np.ndarray:
    """Expected log growth per quarter of the CES mean productivity of many enterprises that innovate
    at the Poisson ``rate`` with the log ``step``: rate (exp((sigma - 1) step) - 1) / (sigma - 1) (the
    Poisson moment-generating function; the aggregate growth innovation adds at every scale)."""
    power = elasticity - 1.0
    return rate * np.expm1(power * step) / power


def knowledge_pool(weights: np.ndarray, stocks: np.ndarray, scale: float) -> np.ndarray:
    """(C,) knowledge pool kappa: sum_j W_cj K_j / scale (W has a zero diagonal).

    Args:
        weights: (C, C) spillover weights (:func:`ydabm.frictions.knowledge_weights`).
        stocks: (C,) R&D stocks, yuan.
        scale: the region's R&D stock at t = 0, yuan.
    """
    return weights @ stocks / scale


def spillover_term(pool: np.ndarray, weight: float) -> np.ndarray:
    """(C,) spillover term of the innovation rate: psi kappa / (1 + kappa) (saturating absorption)."""
    return weight * pool / (1.0 + pool)


def spillover_loop(weights: np.ndarray, stocks: np.ndarray, scale: float, weight: float, rd_elasticity: float,
                   uncapped: np.ndarray | float = 1.0) -> np.ndarray:
    """(C, C) the loop R&D -> R&D stocks -> knowledge pools -> R&D at a steady state: A_cd, the % rise of
    city c's R&D a 1 % rise of city d's stock brings.

    With the pool kappa = W K / scale, a firm's R&D share s* proportional to
    (1 + psi kappa_c / (1 + kappa_c))^(1 / (1 - beta)) (:func:`rd_share`) and the stock's steady state
    K = R / delta,

        A_cd = u_c psi W_cd K_d / (scale (1 - beta) (1 + kappa_c) (1 + kappa_c + psi kappa_c)),

    u_c the share of city c's R&D from firms below :data:`MAX_RD_SHARE` (capped firms do not respond).
    A falls with u, so A at u = 1 bounds it from above.

    Args:
        weights: (C, C) spillover weights W (zero diagonal).
        stocks: (C,) R&D stocks K at the steady state, yuan.
        scale: the stock the pools are measured against (the region's at t = 0), yuan.
        weight: psi, the most spillovers add (``knowledge_spillover``).
        rd_elasticity: beta in (0, 1).
        uncapped: (C,) or scalar u_c.
    """
    pool = knowledge_pool(weights, stocks, scale)
    response = (np.asarray(uncapped, dtype=float) * weight
                / ((1.0 - rd_elasticity) * (1.0 + pool) * (1.0 + pool + weight * pool)))
    return response[:, None] * weights * stocks[None, :] / scale


def spillover_loop_gain(weights: np.ndarray, stocks: np.ndarray, scale: float, weight: float,
                        rd_elasticity: float, uncapped: np.ndarray | float = 1.0) -> float:
    """Spectral radius of the loop R&D -> R&D stocks -> knowledge pools -> R&D at a steady state
    (:func:`spillover_loop`, same arguments): the R&D level is stable when it is below 1.

    The stocks follow k' = (1 - delta) k + delta A k in logs, stable when the Perron root of A (A >= 0)
    is below 1. The root is at most A's largest row sum (:func:`loop_row_bound`), psi kappa_c /
    ((1 - beta) (1 + kappa_c) (1 + kappa_c + psi kappa_c)) <= psi / (4 (1 - beta)) (kappa / (1 + kappa)^2
    <= 1 / 4), so below psi = 4 (1 - beta) the loop is stable whatever the weights.
    """
    loop = spillover_loop(weights, stocks, scale, weight, rd_elasticity, uncapped)
    return float(np.abs(np.linalg.eigvals(loop)).max()) if loop.size else 0.0


def loop_row_bound(loop: np.ndarray) -> float:
    """Largest row sum of a non-negative loop matrix: an upper bound of its Perron root (its gain)."""
    return float(loop.sum(axis=1).max()) if loop.size else 0.0


def spillover_flows(weights: np.ndarray, stocks: np.ndarray) -> np.ndarray:
    """(C, C) knowledge flows W_cj K_j from city j (column) to city c (row)."""
    return weights * stocks[None, :]


def rd_stock(stock: np.ndarray, spending: np.ndarray, depreciation: float) -> np.ndarray:
    """(C,) R&D stock after one quarter (perpetual inventory): (1 - delta) K + R."""
    return (1.0 - depreciation) * stock + spending


def digital_access(employment: np.ndarray, digital: np.ndarray, hours: np.ndarray, reach: float) -> np.ndarray:
    """(C,) distance-weighted digital-economy employment share around each city (decay exp(-hours / reach))."""
    if not digital.any():
        return np.zeros(hours.shape[0])
    share = employment[:, digital].sum(axis=1) / np.maximum(employment.sum(axis=1), 1e-300)
    decay = np.exp(-hours / reach)
    return decay @ share / decay.sum(axis=1)


def adoption_cost(base: float, access: np.ndarray, access_elasticity: float, subsidy: float) -> np.ndarray:
    """(C,) median one-off adoption cost, quarters of revenue: c_0 (1 - subsidy) exp(-e access)."""
    return base * (1.0 - subsidy) * np.exp(-access_elasticity * access)


def adoption_target(value: np.ndarray, cost: np.ndarray, dispersion: float) -> np.ndarray:
    """Share of enterprises whose adoption cost is below the gain: Phi(ln(v / c) / dispersion).

    Args:
        value: (..., S) value of adopting, quarters of revenue (0 where the sector cannot adopt).
        cost: (..., S) median cost, quarters of revenue.
        dispersion: sd of the log cost across enterprises.
    """
    with np.errstate(divide="ignore"):
        return np.where(value > 0, ndtr(np.log(value / cost) / dispersion), 0.0)


def adopt(share: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Adoption share after one quarter: a + rate (target - a) (a share ``rate`` reconsiders)."""
    return share + rate * (target - share)


def digital_factor(share: np.ndarray, share0: np.ndarray, gain: float) -> np.ndarray:
    """Productivity factor of adoption relative to t = 0: (1 + g a) / (1 + g a_0)."""
    return (1.0 + gain * share) / (1.0 + gain * share0)


def fund_rate(budget: np.ndarray | float, rd: np.ndarray | float, cap: float = MAX_FUND_RATE) -> np.ndarray:
    """Share of its firms' R&D a fund pays: min(budget / R&D, cap); 0 without budget or R&D.

    Args:
        budget: the fund's budget this quarter (``rd_fund_share`` x GDP), yuan: one pooled fund's
            (a scalar) or each city's own (C,).
        rd: the R&D spending it funds (last quarter's), yuan, of the same shape.
        cap: highest rate.
    """
    budget, rd = np.asarray(budget, dtype=float), np.asarray(rd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((budget > 0) & (rd > 0), np.minimum(budget / rd, cap), 0.0)


def fund_transfers(rate: np.ndarray, rd_by_city: np.ndarray, gdp: np.ndarray, pooled: bool) -> np.ndarray:
    """(C,) net transfer of the joint fund to each city's government, yuan. Pooled: its firms'
    grants rate_c x R&D_c less its contribution, the fund's total outlay in proportion to GDP_c (the
    transfers sum to zero: the pool keeps nothing). Per city: none (each government funds its own
    firms).

    Args:
        rate: (C,) share of R&D the fund pays to each city's firms (:func:`fund_rate`).
        rd_by_city: (C,) R&D spending of each city's firms, yuan.
        gdp: (C,) each city's GDP (the contribution key), yuan.
        pooled: one regional pool (True) or each city's own fund.
    """
    total = gdp.sum()
    if not pooled or total <= 0:
        return np.zeros(rd_by_city.shape)
    grants = rate * rd_by_city
    return grants - grants.sum() * gdp / total


def adoption_by_sector(adoption: np.ndarray, mass: np.ndarray, sector: np.ndarray, live: np.ndarray,
                       adopting: np.ndarray) -> np.ndarray:
    """(S,) region-wide digital adoption share of each sector's enterprises: sum m a / sum m over its
    live firm agents (m the agent's enterprise mass); 0 for a sector that cannot adopt or has no
    live firm.

    Args:
        adoption, mass, sector, live: (F,) each firm agent's adoption share, mass, sector and whether
            it is alive.
        adopting: (S,) sectors that can adopt (the traditional ones).
    """
    count = adopting.size
    weight = live_sums(live, sector, mass, count)
    adopted = live_sums(live, sector, mass * adoption, count)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(adopting & (weight > 0), adopted / weight, 0.0)


def patent_propensity(data_yield: np.ndarray, rd: np.ndarray, innovations: np.ndarray) -> np.ndarray:
    """(P,) patents per innovation of each province: pi_p proportional to y_p R_p / I_p, so that the
    model's patents per yuan of R&D, pi_p I_p / R_p, are proportional to the data's y_p, and scaled so
    that sum pi_p I_p = sum I_p (as many patents as innovations in the region).

    Args:
        data_yield: (P,) grants per unit of R&D in the calibration year's data.
        rd: (P,) the model's R&D spending, any unit.
        innovations: (P,) the model's expected innovations, same period as ``rd``.
    """
    raw = data_yield * rd / innovations
    return raw * innovations.sum() / (raw * innovations).sum()
