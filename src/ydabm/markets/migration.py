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


def stationary_amenity(log_income: np.ndarray, counts: np.ndarray, target: np.ndarray,
                       hours: np.ndarray, move_cost: float, move_cost_per_hour: float,
                       hukou_cost: float, city_province: np.ndarray, elasticity: float,
                       tolerance: float = 1e-10, max_rounds: int = 5000) -> np.ndarray:
    """Invert amenities so that the logit flows leave every city's population unchanged.

    Solves sum_{i,h,k} L_ihk * pi_j|ihk(amenity) = target_j for the amenity vector (normalised to
    mean zero), as quantitative spatial models invert amenities from observed populations.

    Args:
        log_income: (C, K) log expected real income at t = 0.
        counts: (C, H, K) mobile workers by origin, hukou group and skill.
        target: (C,) population to hold (mobile workers per city).
    """
    amenity = np.zeros(hours.shape[0])
    for _ in range(max_rounds):
        utility = location_utility(log_income, amenity, hours, move_cost, move_cost_per_hour,
                                   hukou_cost, city_province, counts.shape[1])
        arrivals = np.einsum("ihk,ihkj->j", counts, choice_probabilities(utility, elasticity))
        gap = np.log(target) - np.log(arrivals)
        if np.abs(gap).max() < tolerance:
            break
        amenity += gap / elasticity
        amenity -= amenity.mean()
    return amenity
