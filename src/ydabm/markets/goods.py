"""Goods market: Dixit-Stiglitz monopolistic competition with iceberg trade costs.

City j spends ``spending[j, s]`` on sector s. A firm f located in i sells to j at the delivered price
``p_f * T[s, i, j]``; CES demand gives revenue

    r_fj = (p_f T_ij)^(1 - sigma) * P_js^(sigma - 1) * E_js,    P_js^(1 - sigma) = sum_f (p_f T_ij)^(1 - sigma)

(Fujita, Krugman & Venables 1999, eqs. 4.5-4.9). Summing over firms of a city-sector first makes
clearing O(firms + S * C^2). Every yuan spent is a yuan of some firm's revenue, by construction.

A firm agent is a cohort of m identical enterprises whose demands differ by an idiosyncratic shock
epsilon, lognormal with mean one and log sd s (``dispersion``), drawn after capacity is built and the
cohort's price is posted. An enterprise with mean demand d and capacity k sells min(epsilon d, k) at
the posted price and turns the rest of its orders away; the cohort, many enterprises, sells the
expectation m k G(d / k), G(x) = E[min(epsilon x, 1)] (:func:`capped_sales`), a smooth cap in which
the share of enterprises at capacity rises with demand. Buyers spend the budget a turned-away order
would have taken on the varieties they can get: CES demand under rationing (Neary & Roberts 1980),
which allocates as if the rationed varieties cost their virtual price, so the cohort enters the
price terms with the weight m p^(1 - sigma) G(x) / x and money is still spent in full.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from ..agents.firms import BinSums


#: cap on the Newton steps of :func:`_load_for_sales` (it stops when every step is below rounding;
#: from the table start it needs 1-2 in practice, from the bound 10 or fewer, and any step leaves x
#: below the root)
NEWTON_STEPS = 60


def sales_share(room: np.ndarray, dispersion: float) -> np.ndarray:
    """S(y) = E[min(epsilon, y)]: expected sales of an enterprise per unit of its mean demand when its
    capacity is ``room`` (y) times its mean demand; epsilon is lognormal with mean 1 and log sd s.

    Closed form: S(y) = Phi((ln y - s^2/2) / s) + y Phi((-ln y - s^2/2) / s) (the lognormal's limited
    expectation); y = inf gives 1 (no capacity limit), s = 0 gives min(1, y).
    """
    room = np.asarray(room, dtype=float)
    if dispersion <= 0:
        return np.minimum(1.0, room)
    shape, room = room.shape, room.reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):   # over: a subnormal s
        # Phi((ln y - s^2/2) / s) + y Phi((-ln y - s^2/2) / s), each temporary reused
        log_room = np.log(room)
        half = 0.5 * dispersion * dispersion
        share = np.subtract(log_room, half)
        share /= dispersion
        ndtr(share, out=share)
        np.negative(log_room, out=log_room)
        log_room -= half
        log_room /= dispersion
        above = ndtr(log_room, out=log_room)
        above *= room
        share += above
    np.copyto(share, 0.0, where=~(room > 0))
    np.copyto(share, 1.0, where=np.isinf(room))
    return share.reshape(shape)


def _log_served(log_load: np.ndarray, dispersion: float, elasticity: bool = False):
    """log G(x) / x = log S(1 / x) at finite log loads ``log_load`` (ln x), s > 0: the closed form of
    :func:`sales_share` in logs, without forming x. With ``elasticity`` also its derivative in ln x,
    -(1 - Phi((-ln x - s^2/2) / s) / S(1 / x)) (S'(y) = P(epsilon > y)), in [-1, 0]."""
    half = 0.5 * dispersion * dispersion
    # below ln x = -700 (e^700 < the largest double) S(1 / x) is 1 to rounding; -inf (no buyer) included
    if log_load.size and log_load.min() < -700.0:
        log_load = np.maximum(log_load, -700.0)
    with np.errstate(over="ignore", divide="ignore"):                  # over: a subnormal s
        # the closed form with each temporary reused: Phi((-ln x - s^2/2) / s) + e^-ln x Phi((ln x - s^2/2) / s)
        minus = np.negative(log_load)
        arg = np.subtract(minus, half)
        arg /= dispersion
        first = ndtr(arg)
        np.subtract(log_load, half, out=arg)
        arg /= dispersion
        served = ndtr(arg, out=arg)
        served *= np.exp(minus, out=minus)
        served += first
        slope = None
        if elasticity:
            slope = np.divide(first, served, out=first)
            slope -= 1.0
        np.log(served, out=served)
    return (served, slope) if elasticity else served


def capped_sales(load: np.ndarray, dispersion: float) -> np.ndarray:
    """G(x) = E[min(epsilon x, 1)]: expected sales over capacity (utilisation) of a cohort whose mean
    demand per enterprise is ``load`` (x) times its capacity per enterprise; x S(1 / x)."""
    load = np.asarray(load, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = load * sales_share(1.0 / load, dispersion)
    return np.where(load > 0, share, 0.0)


#: nodes of the table that starts :func:`_load_for_sales`: the roots of G(x) = k / TABLE_NODES
TABLE_NODES = 65536
#: targets above this are solved from the bound of :func:`_bound_start` (where G is flat and the root
#: is ill-conditioned: all their bits depend on the start, and a capped cohort's is the clearing tolerance's)
TABLE_HIGHEST = 0.999


def _bound_start(target: np.ndarray, dispersion: float) -> np.ndarray:
    """A lower bound of the x with G(x) = ``target``: the larger of x = target (G(x) <= min(x, 1)) and,
    for a target above 1/2, exp(s^2/2 - s Phi^-1(2 (1 - target))) / 2 (1 - G(x) = E[(1 - epsilon x)^+]
    is at least P(epsilon x < 1/2) / 2), close to the root where G is flat."""
    half = 0.5 * dispersion * dispersion
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tail = np.where(target > 0.5, 2.0 * (1.0 - target), 1.0)
        start = np.maximum(np.log(target), np.where(target > 0.5, half - dispersion * ndtri(tail) - np.log(2.0),
                                                    -np.inf))
    return np.exp(start)


def _newton_load(load: np.ndarray, target: np.ndarray, dispersion: float) -> np.ndarray:
    """Newton steps for G(x) = ``target`` from the lower bounds ``load`` (updated in place and returned),
    each row until its step is below rounding, or until the error the step leaves is: from below the
    root, a step of d leaves about c d^2, c = |G''| / (2 G') = phi(a) / (2 s x Phi(a)) with
    a = (-ln x - s^2/2) / s, and a row stops once that is below 2e-17 x (under half a unit in the last
    place: the next step would not move x)."""
    half = 0.5 * dispersion * dispersion
    rows = slice(None)                                    # every row, until some stop
    x, goal = load, target
    for _ in range(NEWTON_STEPS):
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            # (the expressions in place, each temporary reused: the same operations in the same order)
            log_x = np.log(x)
            arg = np.negative(log_x)
            arg -= half
            arg /= dispersion                                      # (-ln x - s^2/2) / s
            slope = ndtr(arg)                                      # G'(x) = E[epsilon; epsilon x < 1]
            log_x -= half
            log_x /= dispersion
            short = ndtr(log_x, out=log_x)
            short += x * slope                                     # G(x) = x G'(x) + Phi((ln x - s^2/2) / s)
            np.subtract(goal, short, out=short)
            step = np.where(slope > 0, short / slope, 0.0)
            np.maximum(step, 0.0, out=step)
            # the relative error left, c d^2 / x, times 2 sqrt(2 pi) s: exp(-a^2 / 2) / G'(x) (d / x)^2
            arg *= -0.5 * arg
            left = np.exp(arg, out=arg)
            left /= slope
            ratio = step / x
            ratio *= ratio
            left *= ratio
        x = x + step
        load[rows] = x
        going = (step > 4e-16 * x) & (short > 2.3e-16) & ~(left <= 2e-17 * 2.0 * np.sqrt(2.0 * np.pi) * dispersion)
        if not going.all():
            # (after the first step a few rows in twenty go on: gathered by their positions)
            keep = np.flatnonzero(going)
            rows = keep if isinstance(rows, slice) else np.take(rows, keep)
            x, goal = np.take(x, keep), np.take(goal, keep)
        if not x.size:
            break
    return load


@functools.lru_cache(maxsize=8)
def _sales_table(dispersion: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes x_k, the roots of G(x) = k / TABLE_NODES (k = 0 ... TABLE_NODES - 1, x_0 = 0), with G(x_k)
    and G'(x_k) at log sd ``dispersion`` (> 0): computed once per dispersion (one number a run), read only."""
    half = 0.5 * dispersion * dispersion
    goal = np.arange(1, TABLE_NODES) / TABLE_NODES
    x = np.concatenate(([0.0], _newton_load(_bound_start(goal, dispersion), goal, dispersion)))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):   # over: a subnormal s
        log_x = np.log(x)
        slope = ndtr((-log_x - half) / dispersion)
        sales = x * slope + ndtr((log_x - half) / dispersion)
    for column in (x, sales, slope):
        column.flags.writeable = False
    return x, sales, slope


def _table_start(target: np.ndarray, dispersion: float) -> np.ndarray:
    """A lower bound of the x with G(x) = ``target`` (in (0, TABLE_HIGHEST]), close to it: from the table
    node x_k with k = floor(target TABLE_NODES) (G(x_k) <= target to rounding) one Newton step,
    x_k + (target - G(x_k)) / G'(x_k) (below the root, G being concave), and at least x = target."""
    x, sales, slope = _sales_table(float(dispersion))
    node = np.minimum((target * TABLE_NODES).astype(np.intp), TABLE_NODES - 1)
    base = np.take(sales, node)
    # G(x_k) may exceed k / N by rounding: one node lower then (x_0 = 0 lies below every root; a few rows)
    lower = np.flatnonzero(base > target)
    if lower.size:
        node[lower] = np.maximum(np.take(node, lower) - 1, 0)
        base[lower] = np.take(sales, np.take(node, lower))
    # G'(x_k) >= 1 - G(x_k) >= 1 - TABLE_HIGHEST in exact arithmetic (1 - G(x) = E[(1 - epsilon x)^+] is at
    # most P(epsilon x < 1)); the node itself, a lower bound, should rounding give 0
    gradient = np.take(slope, node)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.subtract(target, base, out=base)
        base /= gradient
        start = np.where(gradient > 0, base, 0.0)
    start += np.take(x, node)
    return np.maximum(start, target, out=start)


def _load_for_sales(target: np.ndarray, dispersion: float) -> np.ndarray:
    """x with G(x) = ``target`` (in (0, 1)), from below, by Newton steps: G is increasing and concave
    (the tangent lies above G), so from a start below the root every step stays below it and they
    converge (quadratically near the root); G(x) <= target to rounding, so sales never exceed the room
    they are solved for. Each row stops once its step, or the error its step leaves, is below rounding
    (:func:`_newton_load`).

    The start of a target up to :data:`TABLE_HIGHEST` is a Newton step from the node below it of a table
    of G's inverse on a uniform grid of targets, built once per dispersion (:func:`_table_start`: at
    s = 1.26 relative error 6e-10 in the median, 3e-9 at the 90th percentile, so one Newton step
    reaches rounding for most rows); above it the bound of :func:`_bound_start`. A Newton step
    costs two normal CDFs, G'(x) = Phi((-ln x - s^2/2) / s) being the first term of
    G(x) = x G'(x) + Phi((ln x - s^2/2) / s).
    """
    if dispersion <= 0:
        return target.copy()
    load = np.empty(target.size)
    low = target <= TABLE_HIGHEST
    if low.all():
        load = _table_start(target, dispersion)
    else:
        load[low] = _table_start(target[low], dispersion)
        load[~low] = _bound_start(target[~low], dispersion)
    return _newton_load(load, target, dispersion)


def iceberg_costs(hours: np.ndarray, trade_cost_per_hour: np.ndarray, border: np.ndarray,
                  barrier: float | np.ndarray) -> np.ndarray:
    """Iceberg trade cost T[s, i, j] >= 1 of shipping sector-s goods from city i to city j.

    T = exp(tau_s * hours_ij) * (1 + barrier_ij * border_ij): real costs, the goods melt in transit.

    Args:
        hours: (C, C) shortest-path travel time, hours.
        trade_cost_per_hour: (S,) tau_s.
        border: (C, C) provincial border effect (already scaled), 0 within a province.
        barrier: administrative barrier in [0, 1] on the border between i and j: one for all pairs,
            or (C, C) (:func:`ydabm.frictions.border_barrier`).
    """
    cost = np.exp(trade_cost_per_hour[:, None, None] * hours[None, :, :])
    return cost * (1.0 + barrier * border)[None, :, :]


def protection_wedge(protected: np.ndarray, barrier: float | np.ndarray, local_protection: float) -> np.ndarray:
    """Local protection D[s, i, j] >= 1: how much dearer importing city j's buyers treat goods from i.

    D = 1 + barrier_ij * local_protection * w_js for imports (i != j), w_js in [0, 1] how strongly city j
    protects sector s. Protection is a procurement wedge, not a real cost: buyers allocate spending
    as if imports cost D times more (administrative hurdles, local-brand procurement, preferential
    licensing: Young 2000; Barwick, Cao & Li 2021 model it as a preference for local brands), but pay
    and receive the undistorted delivered price; nothing melts and no revenue is raised.

    Args:
        protected: (C, S) protection weight w_js of each importing city j and sector s (bool or float).
        barrier: administrative barrier in [0, 1] behind importer j's wedge on goods from i: one for
            all pairs, or (C, C) (:func:`ydabm.frictions.importer_barrier`).
        local_protection: wedge on protected imports at barrier = 1.
    """
    cities = protected.shape[0]
    foreign = ~np.eye(cities, dtype=bool)
    return 1.0 + barrier * local_protection * protected.T[:, None, :] * foreign[None, :, :]


def welfare_weights(weights: np.ndarray, wedge: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """(S, C, C) W * D^rho with rho = (sigma - 1) / sigma: the weights of the welfare price index.

    Buyers of city j who allocate spending E with the distorted weights W = (T D)^(1 - sigma) get the
    CES quantity index Q_j = E_j / Phi_j * Psi_j^(1 / rho), Psi_j = sum_i A_i W_ij D_ij^rho, so the
    true price index of what they buy is E_j / Q_j = Phi_j * Psi_j^(-sigma / (sigma - 1)); with no
    wedge (D = 1) Psi = Phi and it is the usual Phi^(1 / (1 - sigma)).
    """
    rho = (elasticity - 1.0) / elasticity
    return weights * wedge ** rho[:, None, None]


def cost_weights(iceberg: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """T^(1 - sigma) per sector, the trade-cost weight in CES demand (S, C, C)."""
    return iceberg ** (1.0 - elasticity)[:, None, None]


def price_terms(varieties: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Phi[j, s] = sum_i A[i, s] * T[s, i, j]^(1 - sigma): the CES price index to the power 1 - sigma.

    Args:
        varieties: (C, S) A[i, s] = sum of p_f^(1 - sigma) over firms of city i, sector s.
        weights: (S, C, C) T^(1 - sigma).
    """
    return np.einsum("sij,is->js", weights, varieties)


def market_access(weights: np.ndarray, spending: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """MA[i, s] = sum_j T_ij^(1 - sigma) E_js / Phi_js: revenue per unit of p^(1 - sigma)."""
    # (over: price terms so small that spending over them overflows, in a trial step of the clearing
    # that its residual then rejects)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per_unit = np.where(phi > 0, spending / phi, 0.0)
    return np.einsum("sij,js->is", weights, per_unit)


def entrant_demand(price: np.ndarray, city: np.ndarray, sector: np.ndarray, elasticity: np.ndarray,
                   weights: np.ndarray, spending: np.ndarray, phi: np.ndarray,
                   served: np.ndarray | float = 1.0) -> np.ndarray:
    """(n,) CES demand (orders) of new firms at ``price``, their own variety counted in every price index.

    q = p^(-sigma) sum_j W_ij E_js / (Phi_js + p^(1 - sigma) r W_ij), r the share of its orders the
    entrant's enterprise serves at its planned capacity (``served``, as in :func:`notional_demand`): an
    entrant into an empty market can take at most its spending over r, where market access computed
    without it would be unbounded.

    Args:
        price: (n,) entrants' prices; city, sector: (n,) their location and industry.
        elasticity: (S,) sigma_s.
        weights: (S, C, C) (T D)^(1 - sigma).
        spending: (C, S) E_js allocated last quarter; phi: (C, S) Phi_js of last quarter's notional
            market (:attr:`GoodsOutcome.notional_terms`: the rivals at their markup prices and planned
            capacities, as incumbents' notional demand sees them).
        served: (n,) r of each entrant (1: every order served).
    """
    reach = weights[sector, city, :]                                   # (n, C): W_ij to every j
    own = (np.asarray(served, dtype=float) * price ** (1.0 - elasticity[sector]))[:, None] * reach
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(reach > 0, reach * spending.T[sector] / (phi.T[sector] + own), 0.0)
    return price ** (-elasticity[sector]) * share.sum(axis=1)


def notional_demand(base_price: np.ndarray, cell: np.ndarray, sigma: np.ndarray, weights: np.ndarray,
                    spending: np.ndarray, mass: np.ndarray | None = None, served: np.ndarray | None = None,
                    spillover: np.ndarray | None = None, usual: np.ndarray | None = None,
                    cell_sums: BinSums | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Notional demand: the orders each firm would receive if every firm charged its markup price and
    held its planned capacity; (F,) orders and the (B, S) price terms Phi of that market.


    Clower's (1965) notional demand is the demand of an economy where no seller is constrained by
    staff, inputs or a capacity short of its plan: a shortage at one firm is not counted once as its own
    lost sales and again as its rivals' gains. Each firm's is its CES demand at the markup prices of all
    firms, q_f = m_f p_f^(-sigma) MA_f, those that cannot sell this quarter included. The enterprises'
    idiosyncratic demand shocks still bind at the planned capacity: an enterprise whose capacity is
    q times its orders (its newsvendor's plan, at the load the accelerator holds in steady growth)
    serves the share S(q) of them (:func:`sales_share`) and its buyers re-spend the rest on the
    varieties they can get (CES demand under rationing, as in the market), so each firm enters the price
    terms with the weight m p^(1 - sigma) S_f (``served``). The market is evaluated once: the shares
    do not depend on it, and the orders are backed by money, sum_f p_f S_f q_f = sum of spending.

    A market at the firms' actual capacities would count every turned-away order again at each rival it
    is re-spent on: its orders per yuan rise without bound as a sector's capacity approaches what its
    spending buys at markup prices (the fixed point ends at the edge, where a sector's spending exceeds
    what its capacity can sell at markup prices: docs/validation.md, "Beyond ten years").

    Args:
        base_price: (F,) markup prices; cell: (F,) flat city-sector index; sigma: (F,) elasticities.
        weights: (S, C, C) (T D)^(1 - sigma); spending: (C, S) E_js, yuan.
        mass: (F,) varieties each firm stands for (identical enterprises); None: one each.
        served: (F,) share of its orders each firm's enterprises serve at its planned capacity (1 for
            a firm without capacity limit or demand shocks); None: 1 for every firm.
        spillover, usual: committed buyers, where their turned-away orders go and the share of their
            orders they expect served (:func:`committed_spending`); None: no committed buyer.
        cell_sums: the sums by ``cell`` (:class:`~ydabm.agents.firms.BinSums`) if the caller has them
            (the clearing market's); None: built here.
    """
    cities, sectors = spending.shape
    cell = np.asarray(cell, dtype=np.intp)
    cell_sums = BinSums(cell, cities * sectors) if cell_sums is None else cell_sums
    mass = np.ones(base_price.size) if mass is None else mass
    posted = base_price ** (1.0 - sigma)
    posted *= mass                                                  # m p^(1 - sigma)
    weight = posted if served is None else posted * served
    phi = price_terms(cell_sums(weight).reshape(cities, sectors), weights)
    if spillover is not None:
        at_posted = price_terms(cell_sums(posted).reshape(cities, sectors), weights)
        spending = committed_spending(spending, phi, at_posted, spillover, usual)
    access = market_access(weights, reroute_spending(spending, phi), phi)
    orders = base_price ** np.negative(sigma)
    orders *= mass
    orders *= np.take(access.ravel(), cell)                          # m p^(-sigma) MA
    return orders, phi


def _solve_on_active(minus_jacobian: np.ndarray, change: np.ndarray, active: np.ndarray) -> np.ndarray | None:
    """Flat (C S,) Newton step x of (I - J) x = ``change`` (flat, city-major) when J is nonzero only in
    the columns of the ``active`` cities: (I - J_aa) x_a = change_a is solved per sector and the other
    cells follow, x = change + J[:, a] x_a. ``minus_jacobian``: (S, C, active) -J. None if a sector's
    system is singular or the step is not finite."""
    sectors, cities = minus_jacobian.shape[:2]
    change = change.reshape(cities, sectors).T                                            # (S, C)
    system = minus_jacobian[:, active, :] + np.eye(active.size)[None, :, :]
    try:
        on_active = np.linalg.solve(system, change[:, active, None])                      # (S, active, 1)
    except np.linalg.LinAlgError:
        return None
    step = change - np.matmul(minus_jacobian, on_active)[:, :, 0]
    step[:, active] = on_active[:, :, 0]
    step = step.T.ravel()
    return step if np.isfinite(step).all() else None


def reroute_spending(spending: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Move spending on sectors with no firm in reach to the sectors that have firms, pro rata.

    Keeps each buyer's total spending (money) unchanged when a sector has died out everywhere. A buyer
    that spends nothing on any sector it can still reach buys those sectors in the proportions of all
    buyers' spending on them (equally where no one spends on them). Only a buyer that reaches no
    selling firm in any sector spends nothing: its row is zero (:func:`unspent`).
    """
    served = phi > 0
    if served.all():
        return spending
    total = spending.sum(axis=1, keepdims=True)
    kept = np.where(served, spending, 0.0)
    kept_total = kept.sum(axis=1, keepdims=True)
    orphan = (kept_total[:, 0] <= 0) & (total[:, 0] > 0) & served.any(axis=1)
    if orphan.any():
        basket = np.where(served[orphan], spending.sum(axis=0)[None, :], 0.0)
        empty = basket.sum(axis=1) <= 0
        basket[empty] = served[orphan][empty]
        kept[orphan] = basket
        kept_total[orphan, 0] = basket.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(kept_total > 0, total / kept_total, 0.0)
        rerouted = kept * scale
    huge = ~np.isfinite(scale[:, 0])
    if huge.any():
        # a buyer whose spending on the sectors it reaches is subnormal (1e-303 against 3e9 on the rest):
        # its scale overflows, and 0 x inf made its other sectors NaN; its shares first
        rerouted[huge] = kept[huge] / kept_total[huge] * total[huge]
    return rerouted


def unspent(spending: np.ndarray, phi: np.ndarray, spent: np.ndarray | None = None) -> np.ndarray:
    """(B,) what each buyer cannot spend: where it reaches no selling firm in any sector, its spending
    less what it spent all the same (``spent``, e.g. its served committed orders; None: nothing);
    0 for every other buyer, whose total :func:`reroute_spending` keeps."""
    left = spending.sum(axis=1) if spent is None else spending.sum(axis=1) - spent.sum(axis=1)
    return np.where((phi > 0).any(axis=1), 0.0, left)


def committed_spending(spending: np.ndarray, phi: np.ndarray, posted: np.ndarray,
                       spillover: np.ndarray | None, usual: np.ndarray | None = None) -> np.ndarray:
    """(B, S) spending each buyer places once committed buyers' turned-away orders are re-spent.

    A committed buyer (one with a row in ``spillover``) does not switch among the firms it reaches:
    it places orders with them at their posted prices, shared by p^(1 - sigma), and each firm's
    enterprises serve the share G(x) / x of their orders, so the buyer gets Phi / Phi_posted of its
    orders served. Expecting the share ``usual`` (its suppliers' last quarter), it orders E / usual
    to spend E; it buys at most E, E min(1, Phi / (Phi_posted usual)) (E / (Phi_posted usual) per
    unit of a firm's weight in Phi where short: its orders at the posted price times the share
    served), and the budget the turned-away orders would have taken goes to the buyers of its
    ``spillover`` row, which spend it as they spend the rest (at the virtual prices of rationed
    firms, as every ordinary buyer).

    Args:
        spending: (B, S) E_bs, yuan; phi: (B, S) price terms with rationed firms at their virtual
            prices; posted: (B, S) the same at the posted prices (>= phi).
        spillover: (S, B, B) share of buyer b's turned-away spending on sector s that goes to buyer j
            (rows sum to one for committed buyers, zero for the others); None: no committed buyer.
        usual: (B, S) share of its orders each committed buyer expects served, in (0, 1]; None: 1.
    """
    if spillover is None:
        return spending
    committed = spillover.sum(axis=2).T > 0                                   # (B, S)
    expected = 1.0 if usual is None else usual
    with np.errstate(divide="ignore", invalid="ignore"):
        served = np.where(committed & (posted > 0), np.minimum(phi / (posted * expected), 1.0), 1.0)
    turned = np.where(committed, spending * (1.0 - served), 0.0)
    returned = np.einsum("sbj,bs->js", spillover, turned)
    return np.where(committed, spending * served, spending + returned)


#: relative demand gap at which the goods market counts as cleared
CLEARING_TOLERANCE = 1e-9
#: past rounds that Anderson mixing combines (the clearing where Newton steps stall)
ANDERSON_MEMORY = 5


@dataclass
class GoodsOutcome:
    """Result of clearing the goods market for one quarter.

    Attributes:
        price: (F,) factory-gate price of each firm (its markup price, or the higher price at which
            its expected sales equal what its staff and inputs let it produce).
        revenue: (F,) sales revenue, yuan.
        quantity: (F,) quantity shipped (produced), including what melts in transit.
        notional: (F,) orders the firm would have received if every firm charged its markup price
            and held its planned capacity (Clower's notional demand, :func:`notional_demand`: with the
            orders its rivals' enterprises turn away at their planned loads; its own variety's effect on
            the price indices included): what it learns its expectations from.
        access: (C, S) market access MA of each city-sector: revenue per unit of p^(1 - sigma).
        price_terms: (C, S) Phi_js = sum_f (p_f T_ij D_ij)^(1 - sigma) of each buying city j.
        price_index: (C, S) CES price index P_js.
        flows: (S, C, C) spending of city j on sector-s goods from city i, yuan.
        spending: (C, S) spending actually allocated (after rerouting), yuan.
        residual: largest relative demand gap left, max_f sigma_f |log p_f - log T_f(p)|, T the
            clearing prices at the others' prices (to first order |demand_f / max_output_f - 1| of a
            firm above its markup price).
        rounds: rounds (evaluations of the market after the first) the price fixed point took.
        notional_terms: (C, S) the price terms Phi of the notional market (markup prices, planned
            capacities): what entrants expect to compete with (:func:`entrant_demand`).
    """

    price: np.ndarray
    revenue: np.ndarray
    quantity: np.ndarray
    notional: np.ndarray
    access: np.ndarray
    price_terms: np.ndarray
    price_index: np.ndarray
    flows: np.ndarray
    spending: np.ndarray
    residual: float
    rounds: int
    notional_terms: np.ndarray


def clear_goods_market(base_price: np.ndarray, max_output: np.ndarray, cell: np.ndarray,
                       elasticity: np.ndarray, weights: np.ndarray, spending: np.ndarray,
                       welfare: np.ndarray | None = None, tolerance: float = CLEARING_TOLERANCE,
                       max_rounds: int = 10_000, mass: np.ndarray | None = None,
                       capacity: np.ndarray | None = None, dispersion: float = 0.0,
                       spillover: np.ndarray | None = None, usual: np.ndarray | None = None,
                       anderson: bool = False, planned_served: np.ndarray | None = None,
                       start: np.ndarray | None = None, cell_sums: BinSums | None = None) -> GoodsOutcome:
    """Clear all goods markets given firms' markup prices, what they can produce and cities' spending.

    Each firm charges the higher of its markup price and the price at which its CES demand equals
    what it can produce, p_f = max(p_markup, (MA_f / q_max)^(1 / sigma)), MA_f being its market
    access (which rises with the other firms' prices). The prices solve this fixed point, p = T(p):
    T is monotone, so iterating it from the markup prices climbs to its least fixed point. Every
    firm's price depends on the others' only through its city-sector's market access, so the
    fixed point is solved in the C x S market accesses by Newton steps (sectors apart, each a C x C
    linear system: ``newton_clearing`` inside; committed buyers, ``spillover``, pass the orders they
    turn away on within the sector, which the Jacobian includes: ``newton_step``); once two Newton
    steps in a row do not halve the change of access (near kinks of T), or with ``anderson``, the
    iteration on log prices from the markup prices is accelerated by Anderson mixing (Walker & Ni
    2011), with the markup price as floor. Either stops
    when every firm's demand is within ``tolerance`` (relative) of what the fixed point asks: equal
    to what it can produce if it prices above its markup, at most that if it prices at its markup.
    The residual and the rounds are reported.

    Args:
        base_price: (F,) markup price of each firm.
        max_output: (F,) most the firm can produce this quarter (capacity and labour).
        cell: (F,) flat city-sector index i * S + s of each firm.
        elasticity: (S,) sigma_s.
        weights: (S, C, C) (T D)^(1 - sigma), with D the protection wedge (:func:`protection_wedge`).
        spending: (C, S) E_js, yuan.
        welfare: (S, C, C) :func:`welfare_weights` when there is a wedge; None when D = 1.
        tolerance: largest relative demand gap accepted.
        max_rounds: cap on rounds (reached only if the tolerance is unattainable; see ``residual``).
        mass: (F,) varieties each firm stands for: a firm of mass m is m identical enterprises that
            each sell m-th of its output at its price (demand m p^(-sigma) MA); None: one each.
        capacity: (F,) capacity of each firm (its enterprises' sum; inf: no capital), with
            ``dispersion`` > 0 the limit on each enterprise's sales under its idiosyncratic demand
            shock; None: capacity is only part of ``max_output``.
        dispersion: log sd s of the enterprises' lognormal demand shocks (mean one). With s > 0 and a
            finite capacity a firm posts the higher of its markup price and the price at which its
            expected sales m k G(x) equal ``max_output`` (staff, inputs and capacity; G < 1 at every
            finite load, so capacity is reached to ``tolerance``: G(x) = 1 - tolerance, which makes a
            cohort short of capacity raise its price and gives the market without shocks as s -> 0),
            its enterprises sell min(epsilon d, k) and buyers take what is
            turned away elsewhere: the firm's weight in the price terms is m p^(1 - sigma) G(x) / x
            and its quantity m k G(x), x = p^(-sigma) MA / k, k = capacity / m. s = 0 is the market
            without shocks (the price clears demand against ``max_output``).
        spillover: (S, B, B) committed buyers and where the orders turned away from them go
            (:func:`committed_spending`): a committed buyer does not switch among the firms it reaches,
            so without passing on what they turn away its spending could exceed what they can sell
            at their posted prices (and would drive their prices up to capacity). None: none.
        usual: (B, S) share of its orders each committed buyer expects served (None: 1).
        anderson: solve by Anderson mixing in prices from the markup prices alone (no Newton step): the
            same fixed point by an independent route, a check on the Newton steps.
        planned_served: (F,) share of its orders each firm's enterprises would serve at its planned
            capacity, the rationing of the notional market (:func:`notional_demand`); None: every
            order served there.
        start: (C x S,) log market access of each city-sector (flat; -inf where no spending reaches)
            to start the Newton steps from, e.g. the last quarter's fixed point carried forward
            (:meth:`ydabm.model.YRDModel.access_guess`); None, or a start whose cells with finite
            access are not those of the first round's: the access at the markup prices. The start
            changes how many rounds the clearing takes, not what it solves: every round is checked
            against the same ``tolerance`` (started from the last quarters' access, the model's
            metrics over 40 quarters agree with those of the start at the markup prices to 1.6e-10,
            relative, at 2000 people per agent, and to 7.4e-10 with productivity shocks;
            ``tests/test_markets.py``, ``tests/test_fast_paths.py``).
        cell_sums: the sums by ``cell`` over cities x sectors bins (:class:`~ydabm.agents.firms.BinSums`)
            if the caller has them (built here when None).
    """
    cities, sectors = spending.shape
    cell_index = np.asarray(cell, dtype=np.intp)
    # each firm's sigma read from the table by city-sector (the sector's, without the cell % sectors)
    sigma = np.take(np.tile(elasticity, cities), cell_index)
    # a firm that can produce nothing this quarter (no staff yet) is out of the market: p = inf
    selling = (max_output > 0) if mass is None else (max_output > 0) & (mass > 0)
    log_mass = np.zeros(base_price.size) if mass is None else np.log(np.where(selling, mass, 1.0))
    floor = np.log(np.where(selling, base_price, 1.0).astype(float, copy=False))
    # each of a firm's enterprises can make max_output / mass: the price that clears it
    log_room = np.log(np.where(selling, max_output, 1.0))
    log_room -= log_mass
    exponent = np.where(selling, 1.0 - sigma, 0.0)          # p^(1 - sigma) = exp((1 - sigma) log p)
    log_price, rounds = floor.copy(), 0

    # loop invariants of ``clearing``: the sums by city-sector, and whether every firm sells (then the
    # masks by ``selling`` change nothing and are skipped)
    # (``cell_sums``: the caller's BinSums of ``cell`` over cities * sectors bins, if it has one)
    cell_sums = BinSums(cell_index, cities * sectors) if cell_sums is None else cell_sums
    everyone = bool(selling.all())
    idle = np.flatnonzero(~selling)                     # the firms that sell nothing: weight 0
    if spillover is not None:
        # loop invariants of ``newton_step``: the committed buyers, the share of its orders each expects
        # served, the buyers that commit in some sector (givers), those a spillover row reaches (takers)
        # and the spillover block between them, (S, takers, givers)
        committed = spillover.sum(axis=2).T > 0                                   # (B, S)
        expected = 1.0 if usual is None else usual
        givers = np.flatnonzero(committed.any(axis=1))
        takers = np.flatnonzero((spillover != 0).any(axis=(0, 1)))
        passing = spillover[:, givers][:, :, takers].transpose(0, 2, 1)
        # the cities with firms, and the columns of W^T (S, buyer, city) of theirs
        active = np.flatnonzero(np.bincount(cell_index // sectors, minlength=cities) > 0)
        active_transposed = np.ascontiguousarray(weights.transpose(0, 2, 1)[:, :, active])
        # the cells some buyer reaches (a row of W not zero), and their rows of W
        reached = np.flatnonzero((weights != 0).any(axis=(0, 2)))
        reached_weights = np.ascontiguousarray(weights[:, reached])
    # firms whose enterprises' sales are capped one by one under idiosyncratic demand shocks
    if capacity is not None and dispersion > 0:
        shocked = selling & np.isfinite(capacity) & (capacity > 0)
    else:
        shocked = np.zeros(base_price.size, dtype=bool)
    rows = np.flatnonzero(shocked)
    if rows.size:
        # The shocked firms' columns are kept over every firm row (the other rows hold neutral values
        # that ``targets`` overwrites): each round then works on whole columns, without gathering the
        # shocked rows and scattering their prices back, and every shocked row's value is the same
        # float as over the shocked rows alone.
        with np.errstate(divide="ignore", invalid="ignore"):
            # log capacity per enterprise
            s_log_unit = np.log(capacity)
            s_log_unit -= log_mass
            np.copyto(s_log_unit, 0.0, where=~shocked)
            # the largest load whose expected sales m k G(x) staff, inputs and capacity allow: G(x) = q_max / K
            # with q_max = min(staff and inputs, capacity). Capacity (q_max = K) is reached only in the limit
            # x -> inf (G < 1), so it is reached to the clearing tolerance, G(x) = 1 - tolerance: a finite
            # load, so that a cohort short of capacity raises its price as one short of staff does
            # (without it a market whose spending exceeds its cohorts' capacity at their markup prices
            # has no fixed point), and the limit s -> 0 is the market without shocks (x -> 1)
            room = max_output / capacity
            np.minimum(room, 1.0 - max(tolerance, np.finfo(float).eps), out=room)
            np.copyto(room, 1.0, where=~shocked)
        s_log_most = np.zeros(base_price.size)
        s_log_most[rows] = np.log(_load_for_sales(np.take(room, rows), dispersion))
        # log G(x) / x at the largest load: the share of its orders a firm at its price limit serves
        # (G(x) = room there, to rounding)
        s_log_served_most = np.log(room)
        s_log_served_most -= s_log_most
        # loop invariants of ``shocked_effective``: log x = log access - s_to_load; a bound firm's log
        # effective price is log access / sigma + s_bound (its posted price, at its largest load, and
        # its served share there); 1 / (1 - sigma); a bound firm's weight elasticity (1 - sigma) / sigma
        s_to_load = sigma * floor
        s_to_load += s_log_unit
        s_inverse = 1.0 / (1.0 - sigma)
        s_bound = np.negative(s_log_unit)
        s_bound -= s_log_most
        s_bound /= sigma
        s_bound += s_log_served_most * s_inverse
        s_slope = (1.0 - sigma) / sigma
        plain = np.flatnonzero(~shocked)
        p_cell, p_floor, p_sigma = np.take(cell_index, plain), np.take(floor, plain), np.take(sigma, plain)
        p_log_room, p_selling = np.take(log_room, plain), np.take(selling, plain)

    def shocked_posted(log_access):
        """Posted log price of the shocked firms (every row; the others' are not used) at the rows' log
        market access: the markup price, or the price at which their load is the largest their staff,
        inputs and capacity allow."""
        binding = log_access - s_to_load > s_log_most
        posted = log_access - s_log_unit
        posted -= s_log_most
        posted /= sigma
        return np.where(binding, posted, floor)

    def shocked_effective(log_access, elasticity=False, needed=None):
        """Log effective (virtual) price of the shocked firms (every row; the others' are overwritten by
        ``targets``) at the rows' log market access: the posted price plus log(G(x) / x) / (1 - sigma),
        G(x) / x the share of its orders a firm serves. A firm whose load would exceed its largest posts
        the price at which it is the largest (its served share there is a constant); only the others'
        served shares are evaluated (only those of the ``needed`` rows, if given: the others' prices are
        then not used). With ``elasticity`` also d log w / d log access of each firm's weight
        w = p_eff^(1 - sigma)."""
        effective = log_access / sigma
        effective += s_bound
        log_load = log_access - s_to_load                             # x at the markup price
        free = log_load <= s_log_most
        if plain.size:
            free &= shocked
        if needed is not None:
            free &= needed
        free = np.flatnonzero(free)
        if not elasticity:
            if free.size:
                served = _log_served(np.take(log_load, free), dispersion)
                served *= np.take(s_inverse, free)
                served += np.take(floor, free)
                effective[free] = served
            return effective
        slope = s_slope.copy()
        if free.size:
            served, served_slope = _log_served(np.take(log_load, free), dispersion, elasticity=True)
            served *= np.take(s_inverse, free)
            served += np.take(floor, free)
            effective[free] = served
            slope[free] = served_slope
        return effective, slope

    def aggregates(log_p):
        """Price terms, spending and market access at log (effective) prices ``log_p``; the weights; with
        committed buyers also the price terms and the weights at the posted prices (else None)."""
        weight = exponent * log_p
        if mass is not None:
            weight += log_mass
        np.exp(weight, out=weight)
        weight[idle] = 0.0
        varieties = cell_sums(weight).reshape(cities, sectors)
        phi = price_terms(varieties, weights)
        if spillover is None:
            spent = spending
        else:
            # the weights at the posted prices: a shocked firm's virtual price v is above its posted
            # price p by its served share r = G(x) / x, r = (v / p)^(1 - sigma); p is its markup price
            # unless its staff and inputs bind, when x is at its largest load (r at its least)
            posted = weight
            if rows.size:
                log_served = np.maximum((1.0 - sigma) * (log_p - floor), s_log_served_most)
                with np.errstate(over="ignore"):
                    posted = np.where(shocked, weight * np.exp(-log_served), weight)
            at_posted = price_terms(cell_sums(posted).reshape(cities, sectors), weights)
            spent = committed_spending(spending, phi, at_posted, spillover, usual)
        spent = reroute_spending(spent, phi)
        access = market_access(weights, spent, phi)
        return (varieties, phi, access, spent), weight, None if spillover is None else (at_posted, posted)

    def flat_log(access):
        """log market access of each city-sector, flat (-inf where no spending reaches)."""
        with np.errstate(divide="ignore"):
            return np.log(access).ravel()

    def targets(log_access, elasticity=False, needed=None):
        """Each firm's log (effective) price that clears its market at the (flat) log market access of
        each city-sector (only the ``needed`` rows' are, if given); with ``elasticity`` also
        d log w / d log access of its weight w."""
        if not rows.size:
            target = np.take(log_access, cell_index)          # log reach, then the clearing price
            np.subtract(target, log_room, out=target)
            np.divide(target, sigma, out=target)
            if elasticity:
                slope = np.where((target > floor) & selling, (1.0 - sigma) / sigma, 0.0)
            np.maximum(floor, target, out=target)
            if not everyone:
                target = np.where(selling, target, floor)
            return (target, slope) if elasticity else target
        # the shocked firms at their effective prices (every row), then the firms without shocks as above
        target = shocked_effective(np.take(log_access, cell_index), elasticity, needed)
        if elasticity:
            target, slope = target
        if plain.size:
            cleared = (np.take(log_access, p_cell) - p_log_room) / p_sigma
            above = (cleared > p_floor) & p_selling
            target[plain] = np.where(above, cleared, p_floor)
            if elasticity:
                slope[plain] = np.where(above, (1.0 - p_sigma) / p_sigma, 0.0)
        return (target, slope) if elasticity else target

    def clearing(log_p):
        """Aggregates at log prices ``log_p``, the weights and the gap to the prices that clear each firm's
        market."""
        state, weight, _ = aggregates(log_p)
        target = targets(flat_log(state[2]))
        np.subtract(target, log_p, out=target)
        return state, weight, target

    def newton_clearing():
        """The fixed point by Newton steps in the market access of the C x S city-sectors, the few
        numbers every firm's clearing price depends on: ``log_access`` -> prices p = T(log_access) ->
        the market access A(p) they give. The Jacobian of A(T(.)) is block diagonal by sector (C x C
        each; committed buyers re-spend what they are turned away within the sector: ``newton_step``),
        from each firm's weight elasticity; T is continuous and piecewise smooth (kinks where a firm
        reaches its markup price or its largest load, or a committed buyer starts to be short of
        service; near-kinks where G bends sharply at a small dispersion), so a Newton step may fail to
        halve the largest change of log access (the plain step log_access -> log A(T(log_access)) minus
        log_access; one such step is common far from the fixed point, where a step crosses kinks). A
        round makes progress when its change is below half the smallest change so far (the last one
        while the changes fall; a 2-cycle can halve every other change); after two rounds in a row
        without progress the clearing starts again from the markup prices by
        :func:`anderson_clearing` (rare: a small dispersion, or large productivity shocks with supply
        chains). A change of log access by d moves each firm's price by at most d / (sigma - 1)
        (d / sigma without shocks), so the prices are checked against the tolerance once
        sigma / (sigma - 1) x the largest change is below it."""
        shocked_sigma = np.take(sigma, rows)
        kappa = 1.0 if not rows.size else max(1.0, float(np.max(shocked_sigma / (shocked_sigma - 1.0))))
        guessed = start is not None
        if guessed:
            log_access = np.array(start, dtype=float).ravel()
        else:
            state, _, _ = aggregates(floor)
            log_access = flat_log(state[2])
        rounds, best, stalled = 0, np.inf, 0
        while True:
            log_p, slope = targets(log_access, elasticity=True)
            state, weight, linked = aggregates(log_p)
            following = flat_log(state[2])                    # log A(T(log_access)): the plain step
            with np.errstate(invalid="ignore"):
                change = following - log_access
            same = np.isfinite(following) == np.isfinite(log_access)
            if guessed and not same.all():
                # spending reaches other cells than the start supposed: start from the markup prices
                guessed = False
                state, _, _ = aggregates(floor)
                log_access = flat_log(state[2])
                continue
            change[~np.isfinite(change) & same] = 0.0         # no spending reaches the cell, before and after
            size = float(np.abs(change).max(initial=0.0)) if same.all() else np.inf
            # progress is a change below half the smallest so far (the last one, while the steps converge):
            # measured against the last one only, a 2-cycle whose every other step halves the one before
            # it (0.70, 1.44, 0.70, ...) never counted as stalled and ran to max_rounds
            stalled = stalled + 1 if not size < 0.5 * best else 0
            best = min(best, size)
            if stalled >= 2 and rounds < max_rounds:
                # two Newton rounds in a row made no progress (near a kink of T, or where rationed
                # cohorts make the access map nearly neutral, as at a small dispersion): Anderson mixing
                # in prices from the markup prices, the rounds so far counted
                return anderson_clearing(floor, rounds)
            if kappa * size <= tolerance or rounds >= max_rounds:
                residual = residual_at(following, log_access, log_p)
                if residual <= tolerance or rounds >= max_rounds:
                    return log_p, state, weight, residual, rounds
            rounds += 1
            if linked is not None:
                linked = linked + (posted_slope(log_access, slope),)
            step = newton_step(state, weight, slope, change, linked) if np.isfinite(size) else None
            if step is None:
                return anderson_clearing(floor, rounds)
            log_access = log_access + step

    def residual_at(following, log_access, log_p):
        """``largest_gap(targets(following) - log_p)`` with ``log_p = targets(log_access)``: a row whose
        cell's finite log access is the same float in both (at the end most cells are: the fixed point
        is reached to the last bit) has the same target as ``log_p``, a gap of exactly 0, so only the
        other rows' served shares are evaluated again."""
        settled = np.take((following == log_access) & np.isfinite(following), cell_index) & np.isfinite(log_p)
        if not rows.size or not settled.any():
            return largest_gap(targets(following) - log_p)
        gap = targets(following, needed=~settled)
        gap -= log_p
        gap[settled] = 0.0
        return largest_gap(gap)

    def posted_slope(log_access, slope):
        """d log u / d log access of each firm's weight at its posted price, u = m p^(1 - sigma): its
        weight's (``slope``) for a firm without shocks; (1 - sigma) / sigma for a shocked firm at its
        largest load (its posted price rises with its access), 0 below it (it posts its markup price)."""
        if not rows.size:
            return slope
        binding = np.take(log_access, cell_index) - s_to_load > s_log_most
        return np.where(shocked, np.where(binding, s_slope, 0.0), slope)

    def newton_step(state, weight, slope, change, linked=None):
        """(I - J)^-1 change, J = d log A(T(.)) / d log access: d log MA_i / d log MA_k =
        -sum_j W_ij E_j / Phi_j^2 W_kj D_k / MA_i by sector, D_k = sum over cell k's firms of w dlog w;
        None if a sector's system is singular.

        With committed buyers (``linked``: the price terms Q at the posted prices, the posted weights u
        and their elasticities, :func:`committed_spending`) a buyer b short of service (Phi_b < Q_b r_b,
        r_b its ``usual`` share) spends E_b Phi_b / (Q_b r_b): its E_b / Phi_b = E_b / (Q_b r_b) moves
        with Q_b only, and the orders it turns away, E_b (1 - Phi_b / (Q_b r_b)), go to the flexible
        buyers j of its ``spillover`` row (same sector), whose spending rises by sum_b S_bj E_b
        (1 - Phi_b / (Q_b r_b)). By sector, with M = W diag(E / Phi^2, not short) W^T,
        R = W diag(1 / Phi_j, flexible j) S^T, o_b = E_b / (Q_b r_b) and q_b = o_b / Q_b (short b):
        d MA = -(M + R diag(o) W^T) dPhi - (W diag(q) W^T - R diag(q Phi) W^T) dQ, dPhi_k = D_k dlog MA_k
        and dQ_k = D'_k dlog MA_k, D'_k = sum over cell k's firms of u dlog u (two steps in a row that do not halve
        the change hand over to Anderson mixing, e.g. across a buyer's kink min(1, Phi / (Q r)))."""
        _, phi, access, spent = state
        response = cell_sums(weight * slope).reshape(cities, sectors)
        short = np.zeros(phi.shape, dtype=bool)
        if linked is not None:
            at_posted, posted, posted_elasticity = linked
            short = committed & (at_posted > 0) & (phi < at_posted * expected)
        # (phi * phi beyond the largest float: the term is 0, its limit)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            per_unit = np.where((phi > 0) & ~short, spent / (phi * phi), 0.0)
            inverse = np.where(access > 0, 1.0 / access, 0.0)
        if linked is not None:
            return linked_step(response, per_unit, inverse, short, phi, at_posted, posted, posted_elasticity,
                               change)
        system = np.matmul(weights * per_unit.T[:, None, :], weights.transpose(0, 2, 1))
        with np.errstate(invalid="ignore", over="ignore"):          # (a non-finite system: no step, below)
            # I + coupling x response (by column) x inverse (by row), in place
            system *= response.T[:, None, :]
            system *= inverse.T[:, :, None]
            system += np.eye(cities)[None, :, :]
        try:
            step = np.linalg.solve(system, change.reshape(cities, sectors).T[:, :, None])[:, :, 0].T.ravel()
        except np.linalg.LinAlgError:
            return None
        if not np.isfinite(step).all():
            return None
        return step

    def linked_step(response, per_unit, inverse, short, phi, at_posted, posted, posted_elasticity, change):
        """:func:`newton_step` with committed buyers. Only the columns k of the cities with firms
        (``active``) are nonzero in J (D_k = D'_k = 0 elsewhere), and only the rows of the cells some
        buyer reaches, so (I - J) x = change is solved on the active cells, x_a, and the other cells
        follow: x = change + J[:, a] x_a."""
        # (price terms so small that E / Phi^2 overflows make the system non-finite: no step,
        # ``_solve_on_active``, and the clearing turns to Anderson mixing; no warning)
        with np.errstate(invalid="ignore", over="ignore"):
            # by sector, W^T scaled by D_k (dPhi) and by D'_k (dQ) column by column: (buyer b, active cell k)
            moved = active_transposed * response.T[:, None, active]
            inner = per_unit.T[:, :, None] * moved
            if short.any():
                with np.errstate(divide="ignore", invalid="ignore"):
                    ordered = np.where(short, spending / (at_posted * expected), 0.0)
                    per_posted = np.where(short, ordered / at_posted, 0.0)
                    flexible = np.where((phi > 0) & ~committed, 1.0 / phi, 0.0)
                posted_response = cell_sums(posted * posted_elasticity).reshape(cities, sectors)
                moved_posted = active_transposed * posted_response.T[:, None, active]
                # the change of the spending turned away by each short buyer, per unit of d log MA_k (rows of
                # the buyers that ever commit), and what the spillover rows pass on to the buyers they reach
                turned = (ordered.T[:, givers, None] * moved[:, givers]
                          - (per_posted * phi).T[:, givers, None] * moved_posted[:, givers])
                passed = np.matmul(passing, turned)
                inner += per_posted.T[:, :, None] * moved_posted
                inner[:, takers] += flexible.T[:, takers, None] * passed
            # (S, C, active): -J, rows of the cells no buyer reaches (MA = 0) zero
            minus_jacobian = np.zeros((sectors, cities, active.size))
            minus_jacobian[:, reached] = np.matmul(reached_weights, inner) * inverse.T[:, reached, None]
        return _solve_on_active(minus_jacobian, change, active)

    def largest_gap(gap):
        """max_f |sigma_f gap_f| (0 for no firm): the relative demand gap left."""
        scaled = sigma * gap
        return float(np.abs(scaled, out=scaled).max(initial=0.0))

    def anderson_clearing(log_price, rounds):
        """The fixed point in log prices from the markup prices, by Anderson mixing (Walker & Ni 2011)
        with the markup price as floor, restarting from a plain (monotone) step when a mixed one does
        worse."""
        state, weight, gap = clearing(log_price)
        residual = largest_gap(gap)
        # the Anderson memory in place: ``changes`` (each past round's change of the gap) and ``moves`` (its
        # step plus that change, what the mixing subtracts) in rows of two arrays, filled in turn (the
        # oldest overwritten), with the Gram matrix of the changes updated by one row and column a round
        memory = min(ANDERSON_MEMORY, max(max_rounds, 1))
        changes = np.empty((memory, log_price.size))
        moves = np.empty((memory, log_price.size))
        gram = np.zeros((memory, memory))
        used = head = 0
        while True:
            if residual <= tolerance or rounds >= max_rounds:
                break
            if used:
                # least squares for the mixing weights by the normal equations (a k x k system, k <= 5)
                system = gram[:used, :used] + np.eye(used) * 1e-14 * max(np.trace(gram[:used, :used]), 1e-300)
                mix = np.linalg.solve(system, changes[:used] @ gap)
                step = gap - mix @ moves[:used]
            else:
                step = gap.copy()
            new = np.maximum(np.add(log_price, step, out=step), floor, out=step)
            new_state, new_weight, new_gap = clearing(new)
            new_residual = largest_gap(new_gap)
            if used and not new_residual <= residual:
                # the mixed step went astray (a larger or non-finite residual): restart the memory from a
                # plain (monotone) step
                used = head = 0
                new = np.maximum(log_price + gap, floor)
                new_state, new_weight, new_gap = clearing(new)
                new_residual = largest_gap(new_gap)
            change = np.subtract(new_gap, gap, out=changes[head])
            used = min(used + 1, memory)
            row = changes[:used] @ change
            gram[head, :used] = row
            gram[:used, head] = row
            np.subtract(new, log_price, out=moves[head])
            moves[head] += change
            head = (head + 1) % memory
            log_price, state, weight, gap, residual = new, new_state, new_weight, new_gap, new_residual
            rounds += 1
        return log_price, state, weight, residual, rounds

    if anderson:
        log_price, state, weight, residual, rounds = anderson_clearing(log_price, rounds)
    else:
        log_price, state, weight, residual, rounds = newton_clearing()
    varieties, phi, access, spent = state
    reach = np.take(access.ravel(), cell_index)
    # the posted prices of the selling firms (the others' are not used): a shocked firm's from its reach
    # (the log of its cell's access is the log of its reach), the others' their clearing prices
    posted = log_price
    if rows.size:
        with np.errstate(over="ignore"):
            posted = np.where(shocked, shocked_posted(np.take(flat_log(access), cell_index)), log_price)
    price = np.exp(posted)
    # revenue m p^(1 - sigma) MA at the (effective) prices: the weight of the last aggregates, at ``log_price``
    # (exp((1 - sigma) log p + log m), 0 for a firm that sells nothing)
    revenue = np.where(selling, weight * reach, 0.0)
    quantity = np.where(selling, revenue / np.where(selling, price, 1.0), 0.0)
    # notional demand: every cohort at its markup price and its planned capacity (not the clearing market's)
    notional, notional_terms = notional_demand(base_price, cell, sigma, weights, spending, mass, planned_served,
                                               spillover, usual, cell_sums=cell_sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = np.where(phi > 0, spent / phi, 0.0)
    price_index = welfare_price_index(varieties, phi, welfare, elasticity)
    flows = weights * varieties.T[:, :, None] * per_unit.T[:, None, :]
    return GoodsOutcome(np.where(selling, price, base_price), revenue, quantity, notional, access, phi,
                        price_index, flows, spent, residual, rounds, notional_terms)


def welfare_price_index(varieties: np.ndarray, phi: np.ndarray, welfare: np.ndarray | None,
                        elasticity: np.ndarray) -> np.ndarray:
    """(C, S) CES price index of what each city buys: Phi * Psi^(-sigma / (sigma - 1)), inf if unserved.

    Args:
        varieties: (C, S) A[i, s] = sum of p_f^(1 - sigma) over firms of city i, sector s.
        phi: (C, S) price terms over the distorted weights (:func:`price_terms`).
        welfare: (S, C, C) :func:`welfare_weights`, or None when there is no wedge (Psi = Phi).
        elasticity: (S,) sigma_s.
    """
    psi = phi if welfare is None else price_terms(varieties, welfare)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(phi > 0, phi * psi ** (-elasticity / (elasticity - 1.0))[None, :], np.inf)


def consumer_price_index(price_index: np.ndarray, expenditure_share: np.ndarray) -> np.ndarray:
    """Cobb-Douglas aggregate over sectors: P_j = prod_s P_js^alpha_s (sectors unserved are skipped;
    NaN for a city no sector serves)."""
    finite = np.isfinite(price_index)
    logs = np.where(finite, np.log(np.where(finite, price_index, 1.0)), 0.0)
    weight = np.where(finite, expenditure_share[None, :], 0.0)
    with np.errstate(invalid="ignore"):
        return np.exp((logs * weight).sum(axis=1) / weight.sum(axis=1))
