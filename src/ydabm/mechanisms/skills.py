"""Substitution between skill classes in a firm's labour (opt-in: ``skill_substitution``).

By default each sector hires the labour classes in fixed proportions, its skill mix m_s (the engine
before, bit for bit; a firm's output counts its classes' labour alike). With an elasticity of
substitution e > 0 a firm's labour is a CES aggregate of its classes,

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
        index = _power_mean(shares, log_ratio, exponent)
    return base * index


def class_mix(wages: np.ndarray, wages0: np.ndarray, mix: np.ndarray, elasticity: float) -> np.ndarray:
    """(C, S, K) labour of each class per unit of L that a cost-minimising firm hires at the (C, K)
    wages: m_k ((w_k / w0_k) / (W / lambda))^(-e) (0 for a class the sector does not use)."""
    relative = (wages / wages0)[:, None, :] / (unit_cost(wages, wages0, mix, elasticity) / (wages0 @ mix.T))[:, :, None]
    return mix[None, :, :] * relative ** (-elasticity)


def composite(labour: np.ndarray, mix: np.ndarray, shares: np.ndarray, elasticity: float) -> np.ndarray:
    """(n,) the CES aggregate L of the (n, K) labour by class, each row with its (n, K) 2020 mix and
    wage-bill shares (the module's formula; classes with m_k = 0 left out). Computed in logs, stably
    for any e > 0: a class without labour gives L = 0 when the classes are complements (e < 1)."""
    used = mix > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_units = np.where(used, np.log(labour) - np.log(np.where(used, mix, 1.0)), 0.0)
    weight = np.where(used, shares, 0.0)
    if elasticity < NEAR_LEONTIEF:
        return np.exp(np.min(np.where(used, log_units, np.inf), axis=1))
    power = (elasticity - 1.0) / elasticity
    if abs(power) < NEAR_ONE:
        with np.errstate(invalid="ignore"):
            return np.exp(np.where(used, weight * log_units, 0.0).sum(axis=1))
    return _power_mean(weight, np.where(used, log_units, np.nan), power)


def _power_mean(weight: np.ndarray, log_values: np.ndarray, power: float) -> np.ndarray:
    """(sum_k weight_k exp(power x_k))^(1 / power) over the last axis, x = ``log_values`` (NaN: left
    out), by log-sum-exp: stable for large |power| (the Leontief and perfect-substitute limits), and
    exp(-inf) = 0 where a class with weight has no labour and power < 0."""
    scaled = power * log_values
    present = ~np.isnan(scaled)
    with np.errstate(invalid="ignore", divide="ignore"):
        top = np.max(np.where(present, scaled, -np.inf), axis=-1, keepdims=True)
        finite_top = np.where(np.isfinite(top), top, 0.0)
        total = np.where(present, weight * np.exp(np.where(present, scaled, 0.0) - finite_top), 0.0).sum(axis=-1)
        log_mean = (np.log(total) + finite_top[..., 0]) / power
    # a row whose largest power x_k is +inf (power < 0 and a class with no labour): the aggregate is 0
    log_mean = np.where(np.isposinf(top[..., 0]), -np.inf, log_mean)
    return np.exp(log_mean)
