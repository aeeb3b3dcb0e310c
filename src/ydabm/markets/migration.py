"""Migration: a logit (random-utility) choice of city by workers who reconsider where to live.

The utility of living in j for a worker now in i with hukou province h and skill k is

    u = ln(expected real income_jk) + amenity_j - move_cost * 1[j != i] - cost_per_hour * hours_ij
        - barrier * hukou_penalty * 1[province_j != h]

with expected real income = (wage * employment rate + benefit * unemployment rate) deflated by the
cost of living P_j^(1 - housing_share) * H_j^housing_share (McFadden 1974; the quantitative
spatial-economics form of Redding & Rossi-Hansberg 2017). The hukou term is a flow cost of living
outside one's registration province (no access to local public services).
"""

from __future__ import annotations

import numpy as np


def location_utility(log_income: np.ndarray, amenity: np.ndarray, hours: np.ndarray,
                     move_cost: float, move_cost_per_hour: float, hukou_cost: float,
                     city_province: np.ndarray, hukou_groups: int) -> np.ndarray:
    """Utility of each destination for every (origin, hukou group, skill) cell.

    Args:
        log_income: (C, K) log expected real income by city and skill.
        amenity: (C,) calibrated amenity (log units).
        hours: (C, C) travel time, hours.
        move_cost: fixed cost of moving (log-utility).
        move_cost_per_hour: cost per hour of travel.
        hukou_cost: barrier * hukou_penalty (log-utility).
        city_province: (C,) province id of each city.
        hukou_groups: number of hukou groups H (provinces, plus one for outside the region).

    Returns:
        (C, H, K, C) utility of destination j (last axis).
    """
    cities = hours.shape[0]
    moving = move_cost * (1.0 - np.eye(cities)) + move_cost_per_hour * hours            # (i, j)
    outside = city_province[None, :] != np.arange(hukou_groups)[:, None]                # (h, j)
    place = (log_income + amenity[:, None]).T                                           # (k, j)
    return (place[None, None, :, :] - moving[:, None, None, :]
            - hukou_cost * outside[None, :, None, :])


def choice_probabilities(utility: np.ndarray, elasticity: float) -> np.ndarray:
    """Logit choice probabilities over the last axis: softmax(beta * u)."""
    scaled = elasticity * utility
    scaled -= scaled.max(axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def draw_destinations(cumulative: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of one destination per mover.

    Args:
        cumulative: (n, C) cumulative choice probabilities of each mover's cell.
        uniforms: (n,) uniform draws from the model's generator.
    """
    return (uniforms[:, None] > cumulative).sum(axis=1).clip(max=cumulative.shape[1] - 1)


def invert_amenity(log_income: np.ndarray, counts: np.ndarray, target: np.ndarray,
                   hours: np.ndarray, move_cost: float, move_cost_per_hour: float,
                   hukou_cost: float, city_province: np.ndarray, elasticity: float,
                   tolerance: float = 1e-10, max_rounds: int = 200) -> np.ndarray:
    """Invert amenities so that the logit choices of all mobile workers deliver ``target`` arrivals.

    Solves sum_{i,h,k} L_ihk * pi_j|ihk(amenity) = target_j for the amenity vector (normalised to
    mean zero), as quantitative spatial models invert amenities from observed populations
    (target = the current populations gives stationary ones). The arrivals are the gradient of the
    convex potential F(a) = sum_c L_c / beta * logsumexp(beta * (u_c + a)) - target . a, so Newton
    steps on F with a backtracking line search converge from any start in a few rounds, also at
    high elasticities where most workers stay put.

    Args:
        log_income: (C, K) log expected real income at t = 0.
        counts: (C, H, K) mobile workers by origin, hukou group and skill.
        target: (C,) arrivals to reach (mobile workers per city; sums to counts.sum()).
    """
    base = location_utility(log_income, np.zeros(hours.shape[0]), hours, move_cost, move_cost_per_hour,
                            hukou_cost, city_province, counts.shape[1]).reshape(-1, hours.shape[0])
    weight = counts.ravel()
    live = weight > 0
    base, weight = base[live], weight[live]

    def potential(amenity):
        scaled = elasticity * (base + amenity)
        top = scaled.max(axis=1, keepdims=True)
        log_sum = top[:, 0] + np.log(np.exp(scaled - top).sum(axis=1))
        return weight @ log_sum / elasticity - target @ amenity

    amenity = np.zeros(hours.shape[0])
    for _ in range(max_rounds):
        chance = choice_probabilities(base + amenity, elasticity)
        arrivals = weight @ chance
        if np.abs(np.log(target) - np.log(arrivals)).max() < tolerance:
            break
        gradient = arrivals - target
        hessian = elasticity * (np.diag(arrivals) - (chance * weight[:, None]).T @ chance)
        hessian += np.eye(hessian.shape[0]) * 1e-12 * np.trace(hessian)
        step = -np.linalg.solve(hessian, gradient)
        step -= step.mean()                   # the potential is flat along a common shift
        now, size = potential(amenity), 1.0
        while potential(amenity + size * step) > now + 0.25 * size * (gradient @ step) and size > 1e-8:
            size *= 0.5
        amenity = amenity + size * step
        amenity -= amenity.mean()
    return amenity
