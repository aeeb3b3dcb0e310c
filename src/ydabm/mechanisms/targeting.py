"""Governments' yearly allocation of support across sectors (one code path for t = 0 and every year).

score_cs = specialization * advantage_cs
           + (1 - specialization) * ((1 - imitation) * strategic_s + imitation * peer_support_cs)
           + role bonus_cs

where advantage is the city's Balassa revealed comparative advantage in employment scaled to [0, 1]
by its best sector, strategic_s the prestige of the sector on the published priority lists in [0, 1]
(the `strategic` field of the sectors config: the share of the G60 corridor's and the YRD Outline's
2019 lists that name it) and peer_support the mean support the *other* cities gave the sector last
year (imitation, weight ``imitation``: 0.5 weighs prestige and peers equally).

Each government spreads a support budget over the tradable sectors by a capped logit (a "soft
top-k"): tau_cs = min(1, lambda_c exp(beta score_cs)), with lambda_c such that the support, weighted by
the city-sectors' employment, is ``count`` times the city's mean tradable sector: B_c = count x_c / n
for x_c the city's tradable employment and n the tradable sectors (:func:`allocate_support`). tau_cs in
[0, 1] is the intensity with which the city's instruments (entry and capacity subsidies, soft budgets)
act on the sector. The budget is fixed in the city's own terms, so the choice of sectors does not
change the scale of support: a government that backs its large sectors backs them less intensely than
one that backs small ones. (With the budget counted in sectors instead, backing one's large sectors
cost 2.5 times as much: subsidies 1.70 % of GDP at specialization 1 against 0.67 % at 0, and every
effect of ``specialization`` mixed the choice of sectors with the size of the outlay.)
The sharpness beta is a stated parameter: beta -> infinity gives the hard choice (the best sectors
fully, in score order, until the budget is spent), beta = 0 one intensity for every sector; in between the allocation moves smoothly with the
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


def balassa(structure: np.ndarray) -> np.ndarray:
    """(C, S) Balassa revealed comparative advantage: a city-sector's share of the city over the
    sector's share of the region (1: the region's mix; 0 where the city or the sector is empty)."""
    total = structure.sum()
    city = structure.sum(axis=1, keepdims=True)
    sector = structure.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(city * sector > 0, structure * total / (city * sector), 0.0)


def revealed_advantage(structure: np.ndarray) -> np.ndarray:
    """(C, S) Balassa revealed comparative advantage (:func:`balassa`), scaled to [0, 1] within each city."""
    rca = balassa(structure)
    top = rca.max(axis=1, keepdims=True)
    return np.where(top > 0, rca / np.where(top > 0, top, 1.0), 0.0)


def target_scores(advantage: np.ndarray, strategic: np.ndarray, previous: np.ndarray,
                  specialization: float, bonus: np.ndarray | None = None, imitation: float = 0.5) -> np.ndarray:
    """(C, S) scores of every sector for every city.

    Args:
        advantage: (C, S) comparative advantage in [0, 1].
        strategic: (S,) prestige of each sector on the priority lists, in [0, 1].
        previous: (C, S) last year's support intensities in [0, 1] (peers' choices). In the set-up
            it is the current round of the damped iteration that finds the 2020 support as a fixed
            point of this choice (``YRDModel._calibrate``; its first round starts from zeros), and
            the first yearly choice of a run reads that fixed point.
        specialization: weight on comparative advantage.
        bonus: (C, S) extra score from an assigned provincial role, if any.
        imitation: weight of the peers' support against the lists' prestige, in [0, 1].
    """
    cities = previous.shape[0]
    peers = (previous.sum(axis=0)[None, :] - previous) / max(cities - 1, 1)
    score = specialization * advantage + (1 - specialization) * ((1 - imitation) * strategic[None, :]
                                                                 + imitation * peers)
    return score if bonus is None else score + bonus


def allocate_support(scores: np.ndarray, eligible: np.ndarray, count: int, sharpness: float,
                     size: np.ndarray | None = None) -> np.ndarray:
    """(C, S) support intensities tau in [0, 1]: a capped logit over the eligible sectors whose cost,
    sum_s tau_cs x_cs over the sectors' sizes x, is the support budget B_c = ``count`` x the city's mean
    eligible sector size (all eligible sectors at 1 when B_c covers them all).

    The budget is fixed in the city's own terms, so *which* sectors a government supports does not
    change *how much* of its economy it supports: a city that backs its large sectors backs them at a
    lower intensity than one that backs small ones. With equal sizes (``size`` None) the intensities add
    up to ``count`` sectors.

    tau_s = min(1, lambda exp(beta score_s)); lambda solves sum_s tau_s x_s = B by water-filling: with the
    weights sorted in descending order, the smallest m for which the top m capped at 1 and
    lambda_m = (B - X_m) / (sum of the other weights times their sizes) leave the (m + 1)-th weight
    uncapped, X_m the top m sectors' size. Under the hard choice (beta infinite) the best sectors are
    supported fully in score order until the budget is spent, the last one partly.

    Args:
        scores: (C, S) :func:`target_scores`.
        eligible: (S,) sectors governments can support (tradable ones).
        count: support budget in sector-equivalents (of the city's mean eligible sector).
        sharpness: beta >= 0 (per unit of score); ``inf`` gives the hard choice.
        size: (C, S) the sectors' sizes in each city, >= 0 (employment); None: equal sizes.
    """
    cities = scores.shape[0]
    n = int(eligible.sum())
    support = np.zeros(scores.shape)
    if n == 0 or count <= 0:
        return support
    x = np.ones(scores.shape) if size is None else np.maximum(np.asarray(size, dtype=float), 0.0)
    x = np.where(eligible[None, :], x, 0.0)
    budget = count * x.sum(axis=1) / n
    ranked = np.where(eligible[None, :], scores, -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")           # ties by sector order
    rows = np.arange(cities)[:, None]
    x = x[rows, order]
    covered = np.concatenate([np.zeros((cities, 1)), np.cumsum(x, axis=1)[:, :-1]], axis=1)   # X_m
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(x > 0, (budget[:, None] - covered) / np.where(x > 0, x, 1.0),
                        (budget[:, None] >= covered).astype(float))
    intensity = np.clip(part, 0.0, 1.0)                          # the hard choice, in score order
    if not np.isinf(sharpness):
        top = ranked[rows, order[:, :1]]
        with np.errstate(invalid="ignore"):
            weight = np.where(eligible[None, :], np.exp(sharpness * (ranked - top)), 0.0)[rows, order]
        tail = np.cumsum((weight * x)[:, ::-1], axis=1)[:, ::-1]   # tail[:, m]: sum of weight x size from m on
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            scale = (budget[:, None] - covered) / tail
            fits = (tail > 0) & (budget[:, None] >= covered) & (scale * weight <= 1.0 + 1e-12)
        first = np.argmax(fits, axis=1)
        with np.errstate(invalid="ignore"):
            soft = np.where(np.arange(x.shape[1])[None, :] < first[:, None], 1.0,
                            np.minimum(1.0, scale[np.arange(cities), first][:, None] * weight))
        # where no m fits (the weights beyond the budget underflow to 0), the hard choice stands
        intensity = np.where(fits.any(axis=1)[:, None], soft, intensity)
    support[rows, order] = np.where(eligible[order], intensity, 0.0)
    return support


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
