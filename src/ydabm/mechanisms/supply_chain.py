"""Supply chains: intermediate inputs across sectors and cities, inventories, shortages.

Technology (Leontief across inputs, as in the input-output table): a firm of sector s in city j
with productivity phi makes q units with q / phi units of variable labour and, per unit of variable
labour, R[j, s, k] = kappa[j, s] * a[k, s] yuan (at 2020 prices) of input k, a[k, s] the 2020
coefficient and kappa[j, s] = m_s w0[j, s] / (1 - a_s) (m_s = sigma / (sigma - 1), w0 the 2020
labour cost), so that at t = 0 inputs are exactly the share a[k, s] of every firm's gross output.
Productivity is Hicks-neutral: labour and inputs per unit both fall as phi rises.

Origins: the table's imported coefficients are bought abroad; of the domestic coefficients (and of
final demand), the share ``outside_share[k]`` is bought from the rest of China (the YRD's deficit in
sector k at 2020), the rest in the region's goods market, across supplier cities with the CES weights, iceberg, border and
protection costs of final goods (vertical linkages act between cities).

Prices: firms pass input costs through and mark up labour cost, p = (m_s w + c) / phi, with c the
input cost per unit of variable labour at last quarter's input price indices (lagged a quarter). The
full-cost Dixit-Stiglitz markup, p = m_s (w + c) / phi, would leave a margin of 1/sigma = 20 % of
gross output, more than the table's value-added share of electronics (16 %): it cannot hold with the
model's elasticities.

Inventories, shortages and recovery (ARIO, Hallegatte 2008): each city-sector holds a stock of each
input, a target of ``weeks[k]`` weeks of use; it orders its planned use plus a share
``restock`` of the gap to the target each quarter. Production is limited by the scarcest input: the
stock plus the deliveries it expects (its orders, less the known shortfall of the supplier cities it
bought from last quarter, before switching). What the region's market delivers depends on the
quarter's price index: a supplier that cannot produce raises its price, buyers switch to other
supplier cities within the quarter at the sector's elasticity (the adjustment time is one quarter),
and get fewer inputs for their money where they cannot. Stocks rebuild by the restocking rule.

Money: inputs from the region are other firms' revenue; purchases from outside the region (rest of
China and abroad) are paid to an external sector that spends them on the region's goods next
quarter with the 2020 export mix (balanced trade with a one-quarter lag), so money is conserved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: weeks in a quarter
WEEKS = 13.0


@dataclass(frozen=True)
class Closure:
    """How the region's 2020 economy closes with the table's coefficients (all (S,) arrays).

    Attributes:
        final_share: beta_k, composition of households' and governments' final spending (the
            national final demand for domestic products, (I - A) x, by model sector).
        outside_share: o_k, share of the region's demand for k (final and intermediate, domestic
            coefficients) bought from the rest of China: the region's 2020 deficit in k.
        export_mix: composition of the external sector's spending (the region's 2020 surpluses).
        exports: the external sector's spending per quarter at t = 0, yuan.
    """

    final_share: np.ndarray
    outside_share: np.ndarray
    export_mix: np.ndarray
    exports: float


def closure(gross_output: np.ndarray, final_spending: float, domestic: np.ndarray,
            final_share: np.ndarray) -> Closure:
    """Close the region at t = 0: goods market clearing sector by sector with balanced trade.

    With gross output x_k, intermediate demand n_k = (A x)_k and final spending E (= value added) at
    shares beta, the surplus s_k = x_k - beta_k E - n_k is exported where positive; where negative
    the region buys o_k = -s_k / (beta_k E + n_k) of its demand for k from the rest of China.
    Since sum_k s_k = imports from abroad, exports equal imports abroad plus purchases from the rest
    of China: trade balances.

    Args:
        gross_output: (S,) region gross output, yuan; final_spending: E, yuan.
        domestic: (S, S) domestic coefficients a_ks; final_share: (S,) beta (sums to 1).
    """
    demand = domestic @ gross_output + final_share * final_spending
    surplus = gross_output - demand
    with np.errstate(divide="ignore", invalid="ignore"):
        outside = np.where(demand > 0, np.clip(-surplus / demand, 0.0, 1.0), 0.0)
    exports = np.maximum(surplus, 0.0)
    total = exports.sum()
    mix = exports / total if total > 0 else np.full(surplus.size, 1.0 / surplus.size)
    return Closure(final_share, outside, mix, float(total))


def outside_shares(initial: np.ndarray, region_price: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """(C, K) share of each city's domestic-coefficient input k bought from the rest of China.

    An Armington choice between the region's composite and the rest of China's at a fixed price,
    with the sector's elasticity sigma_k and the 2020 shares o_k as weights:
    o_jk = o_k r^(sigma - 1) / (o_k r^(sigma - 1) + 1 - o_k), r = the region's price relative to 2020
    (o_k at r = 1). Imports from abroad are non-competitive (the table's): they do not substitute.

    Args:
        initial: (K,) o_k at 2020; region_price: (C, K) r; elasticity: (K,) sigma.
    """
    with np.errstate(invalid="ignore"):
        tilt = initial[None, :] * region_price ** (elasticity - 1.0)[None, :]
        share = tilt / (tilt + 1.0 - initial[None, :])
    return np.where(initial[None, :] == 0, 0.0, np.where(np.isfinite(share), share, 1.0))


def input_requirement(cost_per_labour: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """(C, S, K) R[j, s, k] = kappa[j, s] a[k, s]: input k (2020 yuan) per unit of variable labour."""
    return cost_per_labour[:, :, None] * coefficients.T[None, :, :]


def unit_input_cost(region: np.ndarray, outside: np.ndarray, abroad: np.ndarray, region_price: np.ndarray,
                    import_price: np.ndarray) -> np.ndarray:
    """(C, S) cost of the inputs of one unit of variable labour at current prices, yuan.

    Args:
        region, outside, abroad: (C, S, K) real requirements by origin (region's market, rest of
            China, abroad), 2020 yuan per unit of variable labour.
        region_price: (C, K) price of the region's input k in city j relative to 2020.
        import_price: (K,) price of imported (and rest-of-China) inputs relative to 2020.
    """
    return (np.einsum("jsk,jk->js", region, region_price)
            + np.einsum("jsk,k->js", outside + abroad, import_price))


@dataclass(frozen=True)
class Orders:
    """A quarter's input plans of every city-sector (arrays (C, S, K) real, 2020 yuan, unless noted).

    Attributes:
        use: planned use for the planned output.
        region, outside, abroad: orders by origin.
        room: (C, S) most output relative to the planned output the inputs allow (scarcest input).
    """

    use: np.ndarray
    region: np.ndarray
    outside: np.ndarray
    abroad: np.ndarray
    room: np.ndarray


def plan_orders(labour: np.ndarray, requirement: np.ndarray, origin: np.ndarray, stock: np.ndarray,
                weeks: np.ndarray, restock: float, supply: np.ndarray, abroad_supply: np.ndarray) -> Orders:
    """Orders and the production room of every city-sector (ARIO's order and rationing rules).

    Args:
        labour: (C, S) planned variable labour (planned output over productivity).
        requirement: (C, S, K) total real requirement per unit of variable labour.
        origin: (3, C, S, K) or (3, S, K) shares of input k from the region, the rest of China and
            abroad.
        stock: (C, S, K) inventories at the start of the quarter.
        weeks: (K,) target inventory of each input, weeks of use; inf for inputs that are not
            stored (services): they are ordered as used and never bind (ARIO's convention).
        restock: share of the gap to the target closed per quarter (ARIO's 1 / tau).
        supply: (C, K) share of city j's orders of k its usual suppliers can deliver (1: all).
        abroad_supply: (K,) share of orders from abroad delivered (1 normally; a supply shock cuts it).
    """
    use = requirement * labour[:, :, None]
    stored = np.isfinite(weeks)
    target = use * (np.where(stored, weeks, 0.0) / WEEKS)[None, None, :]
    order = np.where(stored, np.maximum(use + restock * (target - stock), 0.0), use)
    region, outside, abroad = (order * share for share in origin)
    expected = stock + region * supply[:, None, :] + outside + abroad * abroad_supply[None, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((use > 0) & stored[None, None, :], expected / use, np.inf)
    return Orders(use, region, outside, abroad, ratio.min(axis=2))


def supplier_shortfall(flows: np.ndarray, deliverable: np.ndarray) -> np.ndarray:
    """(C, K) share of each buying city's usual purchases of k that its supplier cities can deliver.

    Args:
        flows: (K, C, C) last quarter's spending of buyer j on k from supplier i.
        deliverable: (C, K) share of its planned output each supplier city-sector can produce.
    """
    spent = flows.sum(axis=1)                                 # (K, C) by buyer
    reach = np.einsum("kij,ik->kj", flows, np.minimum(deliverable, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spent > 0, reach / spent, 1.0).T


@dataclass(frozen=True)
class Deliveries:
    """What arrived and what was used (arrays (C, S, K), 2020 yuan).

    Attributes:
        stock: inventories at the end of the quarter.
        used: inputs used for this quarter's output.
        unmet: use the stocks could not cover (0 when the room rule held).
    """

    stock: np.ndarray
    used: np.ndarray
    unmet: np.ndarray


def deliver(orders: Orders, stock: np.ndarray, region_delivered: np.ndarray, abroad_supply: np.ndarray,
            labour: np.ndarray, requirement: np.ndarray, weeks: np.ndarray) -> Deliveries:
    """Inventories after the quarter's deliveries and use.

    Args:
        orders: this quarter's orders; stock: (C, S, K) inventories at the start.
        region_delivered: (C, K) share of city j's orders of k from the region that arrived (spending
            over the quarter's price index, relative to the order at last quarter's).
        abroad_supply: (K,) share of orders from abroad delivered.
        labour: (C, S) variable labour actually used (output over productivity).
        requirement: (C, S, K) real requirement per unit of variable labour.
        weeks: (K,) target weeks of each input (inf: not stored).
    """
    arrived = (stock + orders.region * region_delivered[:, None, :] + orders.outside
               + orders.abroad * abroad_supply[None, None, :])
    needed = requirement * labour[:, :, None]
    used = np.minimum(needed, arrived)
    stored = np.isfinite(weeks)[None, None, :]
    # a service not stored is used as it arrives: no stock, and a shortfall does not bind
    return Deliveries(np.where(stored, arrived - used, 0.0), np.where(stored, used, needed),
                      np.where(stored, needed - used, 0.0))
