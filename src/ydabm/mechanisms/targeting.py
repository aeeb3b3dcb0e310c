"""Governments' yearly choice of target sectors (one code path for t = 0 and every later year).

score_cs = specialization * advantage_cs + (1 - specialization) * (strategic_s + peer_share_cs) / 2
           + role bonus_cs

where advantage is the city's Balassa revealed comparative advantage in employment scaled to [0, 1]
by its best sector, and peer_share the share of *other* cities that targeted the sector last year.
Each government targets its ``count`` best-scoring tradable sectors (ties broken by sector order).
"""

from __future__ import annotations

import numpy as np


def revealed_advantage(structure: np.ndarray) -> np.ndarray:
    """(C, S) Balassa revealed comparative advantage, scaled to [0, 1] within each city."""
    total = structure.sum()
    city = structure.sum(axis=1, keepdims=True)
    sector = structure.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = np.where(city * sector > 0, structure * total / (city * sector), 0.0)
    top = rca.max(axis=1, keepdims=True)
    return np.where(top > 0, rca / np.where(top > 0, top, 1.0), 0.0)


def target_scores(advantage: np.ndarray, strategic: np.ndarray, previous: np.ndarray,
                  specialization: float, bonus: np.ndarray | None = None) -> np.ndarray:
    """(C, S) scores of every sector for every city.

    Args:
        advantage: (C, S) comparative advantage in [0, 1].
        strategic: (S,) 1 for sectors on the strategic list.
        previous: (C, S) bool, last year's targets (peers' choices; zeros at t = 0).
        specialization: weight on comparative advantage.
        bonus: (C, S) extra score from an assigned provincial role, if any.
    """
    cities = previous.shape[0]
    peers = (previous.sum(axis=0)[None, :] - previous) / max(cities - 1, 1)
    score = specialization * advantage + (1 - specialization) * 0.5 * (strategic[None, :] + peers)
    return score if bonus is None else score + bonus


def choose_targets(scores: np.ndarray, eligible: np.ndarray, count: int) -> np.ndarray:
    """(C, S) mask of each city's ``count`` best-scoring eligible sectors (ties by sector order)."""
    ranked = np.where(eligible[None, :], scores, -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")[:, :count]
    chosen = np.zeros(scores.shape, dtype=bool)
    rows = np.arange(scores.shape[0])[:, None]
    chosen[rows, order] = np.isfinite(ranked[rows, order])
    return chosen
