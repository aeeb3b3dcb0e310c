"""Substitution between skill classes in a firm's labour (``skill_substitution`` e, 1.5 by default).

With e = 0 each sector hires the labour classes in fixed proportions, its skill mix m_s (the engine
before 5 Dec 2026, bit for bit; a firm's output counts its classes' labour alike). With an
elasticity of substitution e > 0 a firm's labour is a CES aggregate of its classes,

    L = (sum_k s_k (l_k / m_k)^r)^(1 / r),   r = (e - 1) / e,

in the *calibrated share form* (Rutherford 1995): m_k is the sector's 2020 mix (so 2020's bundle gives
L = 1 per worker) and s_k = w0_k m_k / sum_j w0_j m_j the class's 2020 share of the wage bill in the
firm's city, w0 the calibrated 2020 wages. Cost-minimising firms then pay, per unit of L,

    W = lambda (sum_k s_k (w_k / w0_k)^(1 - e))^(1 / (1 - e)),   lambda = sum_k w0_k m_k

(the 2020 unit labour cost), and hire, per unit of L, l_k = m_k ((w_k / w0_k) / (W / lambda))^(-e) of
class k (Shephard's lemma). At 2020's wages both are the fixed-proportions figures; when the
low-skill wage falls relative to the high-skill wage, firms hire more low-skill workers per
high-skill one. e = 1 is Cobb-Douglas (the limits of the formulas); e -> 0 is Leontief (L = the least
l_k / m_k). A class a sector does not use (m_k = 0) has no share and is never hired. Estimates of the
elasticity between more and less educated workers are about 1.4-1.5 (Katz & Murphy 1992; Ciccone &
Peri 2005).
"""

from __future__ import annotations

import numpy as np

#: below this |1 - e| (|r|) the Cobb-Douglas forms are used (the general ones lose their digits there)
NEAR_ONE = 1e-6
#: below this e the aggregate is its Leontief limit, the least l_k / m_k (r = (e - 1) / e overflows
#: towards -inf as e -> 0; at 1e-6 the CES aggregate is within 1e-5 of the limit for labour ratios
#: within a factor of e^10)
NEAR_LEONTIEF = 1e-6


def cost_shares(wages0: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """(C, S, K) each class's 2020 share of a city-sector's wage bill, w0_ck m_sk / sum_j w0_cj m_sj,
    from the (C, K) calibrated wages and the (S, K) skill mix."""
    bill = wages0[:, None, :] * mix[None, :, :]
    return bill / bill.sum(axis=2, keepdims=True)


def unit_cost(wages: np.ndarray, wages0: np.ndarray, mix: np.ndarray, elasticity: float) -> np.ndarray:
    """(C, S) cost of one unit of labour L at the (C, K) wages: lambda times the CES price index of the
    wage ratios w / w0 (the module's formula); lambda = w0 @ m^T is the 2020 unit labour cost."""
    base = wages0 @ mix.T
    shares = cost_shares(wages0, mix)
    log_ratio = np.log(wages / wages0)[:, None, :]
    exponent = 1.0 - elasticity
    if abs(exponent) < NEAR_ONE:
        index = np.exp((shares * log_ratio).sum(axis=2))
    else:
        index = _power_mean([shares[..., k] for k in range(shares.shape[-1])],
                            [exponent * log_ratio[..., k] for k in range(shares.shape[-1])], exponent)
    return base * index


def class_mix(wages: np.ndarray, wages0: np.ndarray, mix: np.ndarray, elasticity: float,
              cost: np.ndarray | None = None) -> np.ndarray:
    """(C, S, K) labour of each class per unit of L that a cost-minimising firm hires at the (C, K)
    wages: m_k ((w_k / w0_k) / (W / lambda))^(-e) (0 for a class the sector does not use). ``cost``:
    :func:`unit_cost` of the same arguments, if the caller has it."""
    cost = unit_cost(wages, wages0, mix, elasticity) if cost is None else cost
    relative = (wages / wages0)[:, None, :] / (cost / (wages0 @ mix.T))[:, :, None]
    return mix[None, :, :] * relative ** (-elasticity)


def composite(labour: np.ndarray, mix: np.ndarray, shares: np.ndarray, elasticity: float,
              index: np.ndarray | None = None) -> np.ndarray:
    """(n,) the CES aggregate L of the (n, K) labour by class (the module's formula; classes with m_k
    = 0 left out). ``mix`` and ``shares`` are the 2020 mix and wage-bill shares: one row per labour
    row (or one row for all), or, with ``index`` (n,), (R, K) tables read at each labour row's table
    row (a sector or a city-sector). Computed in logs, stably for any e > 0: a class without labour
    gives L = 0 when the classes are complements (e < 1).

    Class by class over columns (numpy reduces a short last axis row by row, an order of magnitude
    slower for n x 3). A class a row does not use enters as labour 1 with weight 0 (log 0 and exp(-inf)
    take numpy's slow path, three to four times the time of a finite argument), and is left out of
    the largest term by which the sum is scaled."""
    log_mix = np.log(np.where(mix > 0, mix, 1.0))
    index = None if index is None else np.asarray(index, dtype=np.intp)
    power = (elasticity - 1.0) / elasticity
    if (index is not None and elasticity >= NEAR_LEONTIEF and abs(power) >= NEAR_ONE and labour.ndim == 2
            and (mix > 0).any(axis=1).all() and not np.any(np.where(mix > 0, 0.0, shares))):
        return _composite_by_pattern(labour, log_mix, shares, power, index, mix > 0)

    def column(table: np.ndarray, k: int) -> np.ndarray:
        return table[..., k] if index is None else np.take(table[..., k], index)

    # the classes some row uses: (class, where a row uses it or None for every row, log(l_k / m_k))
    columns = []
    for k in range(labour.shape[-1]):
        used = mix[..., k] > 0
        if not used.any():
            continue
        where = None if used.all() else column(mix > 0, k)
        with np.errstate(divide="ignore"):
            units = np.log(masked(labour[..., k], where, 1.0)) - column(log_mix, k)
        columns.append((k, where, units))
    if elasticity < NEAR_LEONTIEF:
        least = masked(columns[0][2], columns[0][1], np.inf)
        for _, where, units in columns[1:]:
            least = np.minimum(least, masked(units, where, np.inf))
        return np.exp(least)
    if abs(power) < NEAR_ONE:
        with np.errstate(invalid="ignore"):
            total = sum(column(shares, k) * units for k, _, units in columns)
        return np.exp(total)
    return _power_mean([column(shares, k) for k, _, _ in columns], [power * units for _, _, units in columns],
                       power, [where for _, where, _ in columns])


def _composite_by_pattern(labour: np.ndarray, log_mix: np.ndarray, shares: np.ndarray, power: float,
                          index: np.ndarray, uses: np.ndarray) -> np.ndarray:
    """:func:`composite`'s CES aggregate (e > 0, not near 1) with (R, K) tables read at ``index``, the
    rows grouped by the classes their table row uses (``uses``: (R, K) m_k > 0; every table row uses
    one, and the classes it does not use have weight 0), each group computed on those classes only.

    The same numbers, bit for bit: in :func:`_power_mean` a class a row does not use enters the largest
    term as -inf (max(top, -inf) = top) and the sum as its weight 0 times exp(0) = 1, that is + 0.0,
    which leaves the sum (+0.0 or more) as it is; each row's numbers are those same elementwise
    operations on its used classes, in class order. A sector's classes are the same in every city, so
    there are a handful of groups (two with the YRD's mix: farming's one class and the others' two),
    and the logs and exponentials of the classes a row does not use are not taken.

    With e > 1 (power r > 0) a row without labour in any class it uses (an empty firm row) has the
    aggregate +0.0: each z_k = r log 0 = -inf, the largest term -inf (shift 0), the sum of weight x
    exp(-inf) = +0.0, and exp(log(+0.0) / r) = +0.0. Those rows are left at 0.0 and not computed
    (their logs of 0 and exponentials of -inf take numpy's slow path)."""
    classes = uses.shape[1]
    pattern = (uses * (1 << np.arange(classes))).sum(axis=1)      # (R,) bit k: the table row uses class k
    codes = np.unique(pattern)
    row_pattern = np.take(pattern, index)
    out = np.zeros(labour.shape[0])
    for code in codes.tolist():
        used = [k for k in range(classes) if code >> k & 1]
        computed = row_pattern == code
        if power > 0:
            # (!= 0: a NaN or negative labour is computed, as before)
            working = labour[:, used[0]] != 0
            for k in used[1:]:
                working |= labour[:, k] != 0
            computed &= working
        rows = np.flatnonzero(computed)
        at = np.take(index, rows)
        scaled = []
        with np.errstate(divide="ignore"):
            for k in used:
                units = np.log(np.take(labour[:, k], rows)) - np.take(log_mix[:, k], at)
                scaled.append(power * units)
        out[rows] = _power_mean([np.take(shares[:, k], at) for k in used], scaled, power)
    return out


def masked(values: np.ndarray, where: np.ndarray | None, fill: float) -> np.ndarray:
    """``values`` where ``where`` (all of them where None), ``fill`` elsewhere."""
    return values if where is None else np.where(where, values, fill)


def _power_mean(weights: list[np.ndarray], scaled: list[np.ndarray], power: float,
                used: list[np.ndarray | None] | None = None) -> np.ndarray:
    """(sum_k weight_k exp(z_k))^(1 / power) over the classes k, z_k = power x_k = ``scaled[k]``, by
    log-sum-exp: stable for large |power| (the Leontief and perfect-substitute limits). Where a class
    with weight has no labour and power < 0, z_k = +inf and the aggregate is exp(log(inf) / power) = 0.
    ``used[k]``: where class k counts (None: everywhere); elsewhere its weight must be 0, and it is
    left out of the scale. One array per class, all of one shape (or broadcastable)."""
    used = [None] * len(scaled) if used is None else used
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        top = masked(scaled[0], used[0], -np.inf)
        for z, where in zip(scaled[1:], used[1:]):
            top = np.maximum(top, masked(z, where, -np.inf))
        shift = np.where(np.isfinite(top), top, 0.0)
        total = 0.0
        for weight, z, where in zip(weights, scaled, used):
            total = total + weight * np.exp(masked(z - shift, where, 0.0))
        return np.exp((np.log(total) + shift) / power)
