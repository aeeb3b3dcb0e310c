"""Governments' yearly allocation of support across sectors (one code path for t = 0 and every year).

score_cs = specialization * advantage_cs
           + (1 - specialization) * ((1 - imitation) * strategic_s + imitation * peer_support_cs)
           + role bonus_cs

where advantage is the city's Balassa revealed comparative advantage in employment scaled to [0, 1]
by its best sector, strategic_s the prestige of the sector on the published priority lists in [0, 1]
(the `strategic` field of the sectors config: the share of the G60 corridor's and the YRD Outline's
2019 lists that name it) and peer_support the mean support the *other* cities gave the sector last
year (imitation, weight ``imitation``: 0.5 weighs prestige and peers equally).

Each government spreads a support budget of ``count`` sector-equivalents over the tradable sectors
by a capped logit (a "soft top-k"): tau_cs = min(1, lambda_c exp(beta score_cs)), with lambda_c such
that the intensities add up to ``count``. tau_cs in [0, 1] is the intensity with which the city's
instruments (entry and capacity subsidies, soft budgets) act on the sector.
The sharpness beta is a stated parameter: beta -> infinity gives the hard choice of the ``count``
best sectors, beta = 0 spreads support evenly; in between the allocation moves smoothly with the
scores, so no lever flips whole target lists at once (the logit of discrete choice, McFadden 1974,
with a capacity constraint per alternative).

How ``specialization`` w moves the choice between a sector s favoured by the lists and peers and a
sector k favoured by advantage: the score gap is G(w) = (1 - w) P - w A, with P the gap of the
lists-and-peers term ((1 - m) x prestige gap + m x peer-support gap) and A the gap of scaled advantage.
Where both intensities are uncapped, tau_s / tau_k = exp(beta G(w)): a logistic in w centred on
w* = P / (P + A) with slope beta (P + A), so 10-90 % of the switch happens within
ln 81 / (beta (P + A)) of the lever (:func:`transition`). Sampled at steps h of the lever, a switch
completed inside [0, 1] has its largest step tanh(beta (P + A) h / 4) / h times its mean step.
The aggregate curve is the sum of the cities' switches: wide where their centres spread, steep where
they cluster; imitation moves P with the peers' choices (a strategic complementarity).
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
                  specialization: float, bonus: np.ndarray | None = None, imitation: float = 0.5) -> np.ndarray:
    """(C, S) scores of every sector for every city.

    Args:
        advantage: (C, S) comparative advantage in [0, 1].
        strategic: (S,) prestige of each sector on the priority lists, in [0, 1].
        previous: (C, S) last year's support intensities in [0, 1] (peers' choices; zeros at t = 0).
        specialization: weight on comparative advantage.
        bonus: (C, S) extra score from an assigned provincial role, if any.
        imitation: weight of the peers' support against the lists' prestige, in [0, 1].
    """
    cities = previous.shape[0]
    peers = (previous.sum(axis=0)[None, :] - previous) / max(cities - 1, 1)
    score = specialization * advantage + (1 - specialization) * ((1 - imitation) * strategic[None, :]
                                                                 + imitation * peers)
    return score if bonus is None else score + bonus


def allocate_support(scores: np.ndarray, eligible: np.ndarray, count: int, sharpness: float) -> np.ndarray:
    """(C, S) support intensities tau in [0, 1]: a capped logit over the eligible sectors adding up to
    ``count`` in every city (all eligible sectors at 1 when there are no more than ``count``).

    tau_s = min(1, lambda exp(beta score_s)); lambda solves sum_s tau_s = count by water-filling: with
    the weights sorted in descending order, the smallest m for which the top m capped at 1 and
    lambda_m = (count - m) / (sum of the other weights) leave the (m + 1)-th weight uncapped.

    Args:
        scores: (C, S) :func:`target_scores`.
        eligible: (S,) sectors governments can support (tradable ones).
        count: support budget in sector-equivalents.
        sharpness: beta >= 0 (per unit of score); ``inf`` gives the hard top-``count`` choice.
    """
    cities = scores.shape[0]
    k = min(int(count), int(eligible.sum()))
    support = np.zeros(scores.shape)
    if k == 0:
        return support
    ranked = np.where(eligible[None, :], scores, -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")           # ties by sector order
    rows = np.arange(cities)[:, None]
    if np.isinf(sharpness):
        support[rows, order[:, :k]] = 1.0
        return support
    top = ranked[rows, order[:, :1]]
    with np.errstate(invalid="ignore"):
        weight = np.where(eligible[None, :], np.exp(sharpness * (ranked - top)), 0.0)[rows, order]
    tail = np.cumsum(weight[:, ::-1], axis=1)[:, ::-1]           # tail[:, m]: sum of weights from m on
    capped = np.arange(k)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = (k - capped)[None, :] / tail[:, :k]
        fits = scale * weight[:, :k] <= 1.0 + 1e-12
    first = np.argmax(fits, axis=1)
    intensity = np.minimum(1.0, scale[np.arange(cities), first][:, None] * weight)
    # where even the k-th weight would exceed 1, the top k take the whole budget (beta very large)
    intensity[~fits.any(axis=1)] = (np.arange(weight.shape[1]) < k).astype(float)
    support[rows, order] = intensity
    return np.where(eligible[None, :], support, 0.0)


def transition(list_gap, advantage_gap, sharpness: float, step: float = 0.1) -> dict:
    """The switch between a sector ahead on the lists-and-peers term by ``list_gap`` (P) and one ahead
    on scaled advantage by ``advantage_gap`` (A), as ``specialization`` w goes from 0 to 1 (module
    docstring): the centre w* = P / (P + A), where the two scores are equal; the 10-90 % width
    ln 81 / (beta (P + A)) of the logistic tau_s / (tau_s + tau_k) = 1 / (1 + exp(-beta G(w))); and
    the ratio tanh(beta (P + A) step / 4) / step of its largest step to its mean step when the switch
    is completed inside [0, 1] and the lever is sampled every ``step``. Arrays broadcast.
    """
    p, a = np.asarray(list_gap, dtype=float), np.asarray(advantage_gap, dtype=float)
    slope = sharpness * (p + a)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.where(p + a > 0, p / np.where(p + a > 0, p + a, 1.0), np.nan)
        width = np.where(slope > 0, np.log(81.0) / np.where(slope > 0, slope, 1.0), np.inf)
    return {"centre": centre, "width": width, "step_ratio": np.tanh(slope * step / 4) / step}


def effective_sectors(support: np.ndarray) -> np.ndarray:
    """(C,) effective number of sectors each government supports: the inverse Herfindahl index of its
    support shares, (sum_s tau_cs)^2 / sum_s tau_cs^2 (``count`` under the hard choice, the number of
    eligible sectors when support is even; 0 for a city with no support). The moment that calibrates
    ``target_sharpness`` (ODD, support allocation)."""
    total = support.sum(axis=1)
    squares = (support ** 2).sum(axis=1)
    return np.where(squares > 0, total ** 2 / np.where(squares > 0, squares, 1.0), 0.0)
