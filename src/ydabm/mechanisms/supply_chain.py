"""Supply chains: intermediate inputs across sectors and cities, inventories, shortages.

Technology (Leontief across inputs, as in the input-output table): a firm of sector s in city j
with productivity phi makes q units with q / phi units of variable labour and, per unit of variable
labour, R[j, s, k] = kappa[j, s] * a[k, s] yuan (at 2020 prices) of input k, a[k, s] the 2020
coefficient and kappa[j, s] = m_s w0[j, s] / (1 - a_s) (m_s = sigma / (sigma - 1), w0 the 2020
labour cost), so that at t = 0 inputs are exactly the share a[k, s] of every firm's gross output.
Across the firms of a city-sector productivity is Hicks-neutral (labour and inputs per unit both
fall as phi rises, as at t = 0); productivity growth over time augments value added: R is scaled by
the city-sector's output per unit of variable labour relative to 2020 (the model's
``input_intensity``), so its real inputs per unit of output stay the table's, as in a Leontief
technology whose coefficients are per unit of gross output. (Growth that saved inputs too would
compound a sector's trend 1 / (1 - a) times along the chain: with a = 0.67, consumer prices fell
3.4 % a year instead of the 2.3 % without supply chains, nominal input shares fell from 0.67 to
0.60 in five years and the external sector's share of the fixed money stock with them, and
unemployment drifted from 5.0 % to 2.8 %.)

Origins: the table's imported coefficients are bought abroad; of the domestic coefficients (and of
final demand), the share ``outside_share[k]`` is bought from the rest of China (the YRD's deficit in
sector k at 2020), the rest in the region's goods market, across supplier cities with the CES weights, iceberg, border and
protection costs of final goods (vertical linkages act between cities).

Prices: firms pass input costs through and mark up labour cost, p = (m_s w + c) / phi, with c the
input cost per unit of variable labour the firms expect to book, at this quarter's productivity:
stored inputs at their stocks' book value averaged with a quarter's use at last quarter's input price
indices, services at the indices
(:func:`expected_book_cost`; the indices lagged a quarter, at this quarter's freight conditions when a
policy changed them, the model's ``expect_input_prices``). A
lockdown's market is learnt while it holds and forgotten when it ends or eases towards its end: the
quarter after it, and a quarter of it nearer no lockdown than the last one, firms price and order at
what they expected before it (the model's ``expect_input_prices``), since a lockdown's schedule is
known and its scarcity is not expected where its absences are nearer none. The
full-cost Dixit-Stiglitz markup, p = m_s (w + c) / phi, would leave a margin of 1/sigma = 20 % of
gross output, more than the table's value-added share of electronics (16 %): it cannot hold with the
model's elasticities.

Inventories, shortages and recovery (ARIO, Hallegatte 2008): each city-sector holds a stock of each
input, a target of ``weeks[k]`` weeks of use; it orders its planned use of each good (of its
expected sales, ARIO's demand-driven production target) plus a share ``restock`` of the gap to the
target each quarter, and of each service (not stored) the use of the planned output its staff can
make (ordered after the labour market; a service bought for output no one is there to make would be
lost), at its suppliers' listed prices (:func:`listed_varieties`: the premium a rationed supplier
charges above its list is not known before the market, so it does not raise the next quarter's
spending on it; a buyer that bought none of a sector in the region last quarter takes the index at
its sourcing shares, the model's ``_input_index``). Production is limited by the scarcest input:
the stock plus the deliveries it expects (its orders, less the known shortfall of the supplier
cities it bought from last quarter, before switching). What the region's market delivers depends on
the quarter's price index: a supplier that cannot produce raises its price, and buyers get fewer
inputs for their money where they stay with it. Stocks rebuild by the restocking rule. At t = 0 they are the rule's steady state at
the set-up's outcome (:func:`steady_stock`), so the first quarter's orders replace what the set-up used.
Inputs used are costed at what they were bought for (:func:`book_cost`): each city-sector's stock of
an input is carried at the weighted average of what it paid (China's Accounting Standard for
Business Enterprises No. 1 allows first-in-first-out, weighted average or specific identification,
not last-in-first-out), so the profit of a quarter whose prices jump is not charged the jump on
inputs bought before it; a service is not stored, and its cost is what was paid for it. Firms mark up
the cost they expect to book (:func:`expected_book_cost`: the stock's book value and a quarter's use
at the expected prices, averaged), so that pricing and the books agree.

Supplier adjustment time (:func:`sticky_market`): a buyer's input sourcing shares across supplier
cities within a sector are state. Each quarter they move a share 1 / tau of the way to the
CES-optimal shares at the quarter's prices (partial adjustment; tau = ``supplier_adjustment``
quarters, 2 by default, an assumption: ARIO's adaptation times are weeks to months, Hallegatte
2008; customers of firms hit by disasters lose sales for two to three quarters, Barrot &
Sauvagnat 2016). The committed part, (1 - 1 / tau) of last quarter's shares, is spent with the
same suppliers whatever their prices; the rest switches at the sector's elasticity like final
buyers' spending (households and governments switch within the quarter). At t = 0 the shares are
the calibrated market's CES shares, so the 2020 state is unchanged; tau = 1 is full switching within
the quarter. The input price index of each buyer is the CES index of what its split buys
(:func:`input_price_index`): it is the market's index at the optimal split, higher off it.

Money: inputs from the region are other firms' revenue; purchases from outside the region (rest of
China and abroad) are paid to an external sector that spends them on the region's goods next
quarter with the 2020 export mix (balanced trade with a one-quarter lag), so money is conserved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..markets.goods import GoodsOutcome

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


def common_input_base(index: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """(C, K) the 2020 base of the input prices in a synthetic world: one per input, the same for
    every buyer city, the CES mean (mean_j P_jk^(1 - sigma_k))^(1 / (1 - sigma_k)) of the cities'
    t = 0 input price indices ``index`` (C, K).

    In the YRD each buyer's 2020 index is its own base, so every city-sector's 2020 inputs are the
    table's share of its gross output. A synthetic world's cities share one technology: with its own
    base, a city that buys its inputs cheaper at t = 0 (the core, nearer more suppliers) would need
    more of them per unit of output, which cancels Krugman & Venables' cost linkage. With the common
    base every city needs the same real inputs and pays its own index for them. The base is the
    index of a world whose suppliers are spread evenly: Phi_j = sum_i A_i W_ij, and when every
    city's weights W_ij sum to the same over i (two cities, the racetrack), the mean of Phi_j over j
    is that of the even spread of the same varieties.
    """
    power = (1.0 - elasticity)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.mean(index ** power, axis=0, keepdims=True) ** (1.0 / power)
    return np.broadcast_to(base, index.shape).copy()


def unit_input_cost(region: np.ndarray, outside: np.ndarray, abroad: np.ndarray, region_price: np.ndarray,
                    import_price: np.ndarray,
                    book: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """(C, S) cost of the inputs of one unit of variable labour, yuan: at the given prices, or, with
    ``book``, at the cost the stocks will be booked at (:func:`expected_book_cost`).

    Args:
        region, outside, abroad: (C, S, K) real requirements by origin (region's market, rest of
            China, abroad), 2020 yuan per unit of variable labour.
        region_price: (C, K) price of the region's input k in city j relative to 2020.
        import_price: (K,) price of imported (and rest-of-China) inputs relative to 2020.
        book: (value, stock, use), each (C, S, K): the stocks' book value (yuan) and quantity, and a
            quarter's use (2020 yuan); None: the prices alone.
    """
    if book is None:
        return (np.einsum("jsk,jk->js", region, region_price)
                + np.einsum("jsk,k->js", outside + abroad, import_price))
    price = replacement_price(region, outside, abroad, region_price, import_price)
    return ((region + outside + abroad) * expected_book_cost(price, *book)).sum(axis=2)


def replacement_price(region: np.ndarray, outside: np.ndarray, abroad: np.ndarray, region_price: np.ndarray,
                      import_price: np.ndarray) -> np.ndarray:
    """(C, S, K) price of a unit of each input a city-sector uses (arguments as :func:`unit_input_cost`'s):
    the region's price and the import price weighted by the requirements' origins; 0 where it
    requires none."""
    total = region + outside + abroad
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (region * region_price[:, None, :] + (outside + abroad) * import_price) / total,
                        0.0)


def expected_book_cost(price: np.ndarray, value: np.ndarray, stock: np.ndarray, use: np.ndarray) -> np.ndarray:
    """(C, S, K) unit cost of an input a city-sector expects to book (:func:`book_cost`): its stock's
    book value and a quarter's use bought at ``price``, averaged, (value + price use) / (stock + use);
    ``price`` where nothing is stored (a service) or nothing is on hand or used."""
    on_hand = stock + use
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((stock > 0) & (on_hand > 0), (value + price * use) / on_hand, price)


@dataclass(frozen=True)
class Orders:
    """A quarter's input plans of every city-sector (arrays (C, S, K) real, 2020 yuan, unless noted).

    Attributes:
        use: planned use for the planned output.
        region, outside, abroad: orders by origin.
        room: (C, S) most output relative to the planned output the inputs allow (scarcest input).
        price: (C, K) price relative to 2020 at which each city's orders from the region are placed
            (:func:`listed_varieties`); None: the last quarter's input prices.
    """

    use: np.ndarray
    region: np.ndarray
    outside: np.ndarray
    abroad: np.ndarray
    room: np.ndarray
    price: np.ndarray | None = None


def plan_orders(labour: np.ndarray, requirement: np.ndarray, origin: np.ndarray, stock: np.ndarray,
                weeks: np.ndarray, restock: float, supply: np.ndarray, abroad_supply: np.ndarray,
                price: np.ndarray | None = None, staffed: np.ndarray | None = None) -> Orders:
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
        price: (C, K) price relative to 2020 the region's orders are placed at (kept on the orders;
            None: last quarter's input prices).
        staffed: (C, S) variable labour of the planned output the staff hired can make (each firm's
            planned output within what its working staff and capacity make), what services are
            ordered for: a service is not stored, so one bought for output no one is there to make
            is lost; goods are ordered for the planned output, and what is not used stays in stock.
            None: ``labour`` (every firm staffed for its plan).
    """
    use = requirement * labour[:, :, None]
    stored = np.isfinite(weeks)
    target = use * (np.where(stored, weeks, 0.0) / WEEKS)[None, None, :]
    served = use if staffed is None else requirement * staffed[:, :, None]
    order = np.where(stored, np.maximum(use + restock * (target - stock), 0.0), served)
    region, outside, abroad = (order * share for share in origin)
    expected = stock + region * supply[:, None, :] + outside + abroad * abroad_supply[None, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((use > 0) & stored[None, None, :], expected / use, np.inf)
    return Orders(use, region, outside, abroad, ratio.min(axis=2), price)


def steady_stock(planned: np.ndarray, used: np.ndarray, arrival: np.ndarray, weeks: np.ndarray,
                 restock: float) -> np.ndarray:
    """(C, S, K) the stock at which the order rule of :func:`plan_orders` replaces exactly what is used:
    the steady state of the inventories when every quarter is like this one.

    A city-sector plans use U (for its planned output) and orders o = U + r (T - s), T = U w / 13 its
    target; a unit ordered delivers ``arrival`` units (a < 1 where its region suppliers ration and their
    price exceeds the listed price it ordered at, the orders' money buying less), and it uses u
    (its output made). Deliveries replace use, o a = u, where s = T + (U - u / a) / r: above the target
    where it plans more than it makes (inputs ordered for vacancies that stay open), below it where
    deliveries fall short of orders. At s = T and a = 1, u = U (the calibrated 2020 state) it is T.
    Inputs that are not stored (w = inf) hold no stock; the stock is at least 0; with r = 0 orders do
    not depend on the stock and it stays at the target.

    Args:
        planned: U, (C, S, K) planned use; used: u, (C, S, K) use for the output made.
        arrival: (C, S, K) units delivered per unit ordered (the origin shares' delivered shares).
        weeks: (K,) target weeks of each input (inf: not stored); restock: r in [0, 1].
    """
    stored = np.isfinite(weeks)
    target = planned * (np.where(stored, weeks, 0.0) / WEEKS)[None, None, :]
    if restock <= 0.0:
        return np.where(stored[None, None, :], target, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):     # (an infinite gap is cut at 0 below)
        gap = np.where(arrival > 0, planned - used / arrival, 0.0) / restock
    return np.where(stored[None, None, :], np.maximum(target + gap, 0.0), 0.0)


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
        arrived: the quarter's deliveries (the starting stock not included).
    """

    stock: np.ndarray
    used: np.ndarray
    unmet: np.ndarray
    arrived: np.ndarray


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
    delivered = (orders.region * region_delivered[:, None, :] + orders.outside
                 + orders.abroad * abroad_supply[None, None, :])
    arrived = stock + delivered
    needed = requirement * labour[:, :, None]
    used = np.minimum(needed, arrived)
    stored = np.isfinite(weeks)[None, None, :]
    # a service not stored is used as it arrives: no stock, and a shortfall does not bind
    return Deliveries(np.where(stored, arrived - used, 0.0), np.where(stored, used, needed),
                      np.where(stored, needed - used, 0.0), delivered)


def book_cost(value: np.ndarray, stock: np.ndarray, arrived: np.ndarray, paid: np.ndarray,
              left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cost of the inputs used and the book value of the stock left, at weighted-average cost.

    The stock on hand, ``stock + arrived``, is carried at its value before the quarter plus what
    the deliveries were paid, ``value + paid``; what is left keeps that average unit cost and the
    rest is the cost of the quarter's use, so ``cost + value after = value + paid`` exactly. A
    service (no stock left) costs what was paid for it. With nothing on hand the whole pool is cost.

    Args:
        value: (C, S, K) book value of the stock at the start of the quarter, yuan.
        stock: (C, S, K) the stock at the start, 2020 yuan; arrived: the quarter's deliveries.
        paid: (C, S, K) what the deliveries were paid, yuan.
        left: (C, S, K) the stock at the end (0 for what is not stored).

    Returns:
        (cost, value after), each (C, S, K) yuan.
    """
    pool = value + paid
    on_hand = stock + arrived
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = np.where(on_hand > 0, pool * (left / on_hand), 0.0)
    return pool - kept, kept


# ---------------------------------------------------------------------- supplier adjustment time
@dataclass(frozen=True)
class StickySourcing:
    """The goods market of one quarter with buyers' input sourcing adjusting over time.

    A buying city j's input spending on k, I_jk, is split into a committed part, (1 - lambda) times
    last quarter's sourcing shares theta[k, i, j] over supplier cities i (placed with those
    suppliers whatever their prices; it buys less where they are dearer), and a flexible part,
    lambda I_jk, allocated across supplier cities by CES at this quarter's prices, as final buyers
    do. The quarter's shares are then theta' = (1 - lambda) theta + lambda pi*(p): partial
    adjustment toward the CES-optimal shares pi* at the speed lambda = 1 / tau, tau the adjustment
    time in quarters (tau = 1: full switching within the quarter). A supplier city-sector with no
    firm able to sell this quarter gets no committed spending: its share moves to the flexible part.

    Committed spending to supplier i is one more buyer of the goods market that reaches only city i
    (weight 1): its firms share it by p^(1 - sigma), as any spending on the city is shared, and the
    market's price fixed point clears both parts at once. Its enterprises turn orders away at
    capacity (their idiosyncratic demand shocks): committed buyers place orders expecting the share
    of them served last quarter (``usual``), so their commitment is bought in full while the supplier
    serves as before; what it serves less is not bought: that budget returns to the buying cities in
    proportion to their commitments and is spent flexibly
    (:func:`ydabm.markets.goods.committed_spending`), as a supplier that cannot sell at all is dropped
    at once.

    Attributes:
        weights, welfare: (S, 2C, 2C) the market's weights: the C flexible buyers (final spending and
            the flexible inputs) in columns 0..C-1, the C committed buyers (one per supplier city) in
            columns C..2C-1; rows C..2C-1 (no sellers) are zero. welfare is None without a wedge.
        spending: (2C, S) the buyers' spending, yuan.
        committed: (S, C, C) committed spending of buyer j on supplier i, yuan.
        inputs: (C, S) I_jk, each city's input spending on the region's goods, yuan.
        spillover: (S, 2C, 2C) where each committed buyer's turned-away orders go: committed buyer
            C + i's to flexible buyer j in proportion to j's commitment to supplier i.
        usual: (2C, S) share of their orders the buyers expect served: supplier i's last quarter
            (:func:`served_share`) for committed buyer C + i, 1 for the flexible buyers.
    """

    weights: np.ndarray
    welfare: np.ndarray | None
    spending: np.ndarray
    committed: np.ndarray
    inputs: np.ndarray
    spillover: np.ndarray
    usual: np.ndarray


def sticky_market(sourcing: np.ndarray, inputs: np.ndarray, spending: np.ndarray, selling: np.ndarray,
                  speed: float, weights: np.ndarray, welfare: np.ndarray | None,
                  usual: np.ndarray | None = None) -> StickySourcing:
    """The goods market with committed input spending (see :class:`StickySourcing`).

    Args:
        sourcing: (S, C, C) theta[k, i, j], last quarter's share of buyer j's input spending on k bought
            from supplier city i (columns sum to 1, or 0 where j bought none).
        inputs: (C, S) I_jk, input spending on the region's goods this quarter, yuan.
        spending: (C, S) all spending of each buying city (final and inputs), yuan.
        selling: (C, S) whether supplier city-sector i, k has a firm able to sell this quarter.
        speed: lambda = 1 / tau in (0, 1], the share of the gap to the CES-optimal shares closed per quarter.
        weights, welfare: (S, C, C) the market's CES weights (welfare: None without a wedge).
        usual: (C, S) share of its orders each supplier city-sector served last quarter
            (:func:`served_share`); None: all.
    """
    if not 0.0 < speed <= 1.0:
        raise ValueError(f"supplier adjustment speed {speed} must lie in (0, 1]")
    sectors, cities, _ = weights.shape
    kept = sourcing * selling.T[:, :, None]                          # (S, C, C): shares still served
    committed = (1.0 - speed) * kept * inputs.T[:, None, :]
    flexible = spending - committed.sum(axis=1).T                    # (C, S)
    eye = np.broadcast_to(np.eye(cities), (sectors, cities, cities))

    def widen(w):
        full = np.zeros((sectors, 2 * cities, 2 * cities))
        full[:, :cities, :cities] = w
        full[:, :cities, cities:] = eye
        return full

    by_supplier = committed.sum(axis=2).T                            # (C, S): to each supplier city
    spillover = np.zeros((sectors, 2 * cities, 2 * cities))
    with np.errstate(divide="ignore", invalid="ignore"):
        spillover[:, cities:, :cities] = np.where(by_supplier.T[:, :, None] > 0,
                                                  committed / by_supplier.T[:, :, None], 0.0)
    return StickySourcing(widen(weights), None if welfare is None else widen(welfare),
                          np.vstack([flexible, by_supplier]), committed, inputs, spillover,
                          np.vstack([np.ones((cities, sectors)), np.ones((cities, sectors)) if usual is None else usual]))


def served_share(virtual: np.ndarray, posted: np.ndarray) -> np.ndarray:
    """(C, S) share of the orders placed with each supplier city-sector that its enterprises serve,
    A_i (virtual prices) / A_i (posted prices), sums of m p^(1 - sigma) over its selling firms; 1 where
    it has none."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((posted > 0) & (virtual > 0), np.minimum(virtual / posted, 1.0), 1.0)


def served_commitments(outcome: GoodsOutcome, market: StickySourcing) -> np.ndarray:
    """(S, C, C) committed spending of buyer j with supplier i that was served: the commitments
    scaled by the share of supplier i's committed orders its enterprises could serve (the rest was
    spent flexibly, in the outcome's flexible spending)."""
    cities = market.inputs.shape[0]
    placed = market.spending[cities:]                                # (C, S) committed, by supplier
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(placed > 0, outcome.spending[cities:] / placed, 0.0)
    return market.committed * share.T[:, :, None]


def input_price_index(flows: np.ndarray, varieties: np.ndarray, iceberg: np.ndarray,
                      elasticity: np.ndarray, delivered: np.ndarray | None = None) -> np.ndarray:
    """(C, S) price index of each buying city's inputs for any split of its spending over supplier cities.

    Spending x_ij on supplier city i is shared among its firms by their weights w_f (m p^(1 - sigma)
    at the posted price p, times the share r = G(x) / x of orders its enterprises serve when they
    turn orders away: the weight at the virtual price, Neary & Roberts 1980), A_i = sum_f w_f. Each
    enterprise ships what it is paid for at its posted price: firm f delivers x_ij (w_f / A_i) /
    (p_f T_ij), and the CES quantity of these deliveries is Q_j = (sum_i x_ij^rho T_ij^(-rho)
    A_i^(-rho) B_i)^(1 / rho), rho = (sigma - 1) / sigma, B_i = sum_f m_f p_f^(1 - sigma) r_f^rho
    (``delivered``); the index is sum_i x_ij / Q_j. Without rationing B = A and the index is
    Phi^(1 / (1 - sigma)) at the CES-optimal split (no wedge), higher off it; with rationing it is
    below the virtual-price index: the goods a supplier ships at its posted price all arrive (the
    virtual-price index would value them at the virtual price, and the goods paid for beyond that
    would vanish between supplier and buyer). inf where j bought nothing.

    Args:
        flows: (S, C, C) spending of buyer j on supplier i, yuan; varieties: (C, S) A_i.
        iceberg: (S, C, C) T_ij (real trade costs, any freight delay included); elasticity: (S,).
        delivered: (C, S) B_i; None: A_i (no supplier rations).
    """
    rho = ((elasticity - 1.0) / elasticity)[:, None, None]
    delivered = varieties if delivered is None else delivered
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(flows > 0, (flows / iceberg) ** rho * varieties.T[:, :, None] ** (-rho)
                         * delivered.T[:, :, None], 0.0)
        quantity = terms.sum(axis=1) ** (1.0 / rho[:, :, 0])        # (S, C)
        spent = flows.sum(axis=1)
        return np.where(quantity > 0, spent / quantity, np.inf).T


def listed_varieties(weight: np.ndarray, served: np.ndarray, cell: np.ndarray, elasticity: np.ndarray,
                     shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(C, S) A_i and B_i of :func:`input_price_index` at the quarter's price lists: each supplier firm
    at the price it posts at the start of the quarter, serving the share of its orders it served last
    quarter (its rationing is not known before the market).

    A_i = sum_f m_f p_f^(1 - sigma) r_f and B_i = sum_f m_f p_f^(1 - sigma) r_f^rho, rho = (sigma - 1) /
    sigma: at unchanged prices and served shares they are the last quarter's, so the index is the
    price the buyers paid then; it moves with the suppliers' listed prices only.

    Args:
        weight: (F,) m p^(1 - sigma) of each firm at its listed price (0 for firms that do not sell).
        served: (F,) share r_f of its orders each firm served last quarter, in (0, 1].
        cell: (F,) flat city-sector index; elasticity: (F,) sigma of each firm's sector.
        shape: (C, S).
    """
    size = shape[0] * shape[1]
    varieties = np.bincount(cell, weight * served, minlength=size).reshape(shape)
    delivered = np.bincount(cell, weight * served ** ((elasticity - 1.0) / elasticity), minlength=size).reshape(shape)
    return varieties, delivered


def adjust_sourcing(committed: np.ndarray, flexible_flows: np.ndarray, flexible_spending: np.ndarray,
                    inputs: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """This quarter's input flows (S, C, C) and sourcing shares theta' (the next quarter's state).

    The flexible part of buyer j's inputs is spent like the rest of its flexible spending: at the
    CES shares pi*[k, i, j] = flexible flows / flexible spending. Its input flows are the committed
    spending plus (I_jk - committed) pi*; the new shares are the flows over I_jk (the previous
    shares where it bought no inputs).

    Args:
        committed: (S, C, C) committed spending; flexible_flows: (S, C, C) flows of the flexible buyers.
        flexible_spending: (C, S) what the flexible buyers spent; inputs: (C, S) I_jk.
        previous: (S, C, C) last quarter's shares.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        optimal = np.where(flexible_spending.T[:, None, :] > 0, flexible_flows / flexible_spending.T[:, None, :], 0.0)
    free = inputs.T - committed.sum(axis=1)                        # (S, C) flexible inputs
    flows = committed + free[:, None, :] * optimal
    total = flows.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total > 0, flows / total, previous)
    return flows, shares


def fold_outcome(outcome: GoodsOutcome, market: StickySourcing) -> tuple[GoodsOutcome, np.ndarray]:
    """The market's outcome over the C buying cities, and the supplier cities' varieties.

    Returns:
        The outcome with flows (S, C, C) = flexible flows + served committed spending, spending (C, S) =
        each city's flexible plus served committed spending (what entrants see), access of the C seller cities,
        the flexible buyers' price terms and indices (final buyers'); and (C, S) A_i, the sum of
        p_f^(1 - sigma) over each supplier city-sector's selling firms (the committed buyers' price
        terms, their weight being 1).
    """
    cities = market.inputs.shape[0]
    served = served_commitments(outcome, market)
    folded = GoodsOutcome(outcome.price, outcome.revenue, outcome.quantity, outcome.notional,
                          outcome.access[:cities], outcome.price_terms[:cities], outcome.price_index[:cities],
                          outcome.flows[:, :cities, :cities] + served,
                          outcome.spending[:cities] + served.sum(axis=1).T, outcome.residual, outcome.rounds,
                          outcome.notional_terms[:cities])
    return folded, outcome.price_terms[cities:]
