"""Labour market: frictional matching per city and skill, wages that respond to tightness.

Matching follows a Cobb-Douglas matching function M = min(U, V, m * U^0.5 * V^0.5) (Petrongolo &
Pissarides 2001); wages follow a wage Phillips curve in the excess demand for labour.
"""

from __future__ import annotations

import numpy as np


def matches(unemployed: np.ndarray, vacancies: np.ndarray, efficiency: float) -> np.ndarray:
    """Number of hires in each market: min(U, V, floor(m * sqrt(U * V))).

    Args:
        unemployed: job seekers per market (integers).
        vacancies: open positions per market (integers).
        efficiency: matching efficiency m per quarter.
    """
    flow = np.floor(efficiency * np.sqrt(unemployed.astype(float) * vacancies.astype(float)))
    return np.minimum(np.minimum(unemployed, vacancies), flow).astype(np.int64)


def update_wages(wages: np.ndarray, demand: np.ndarray, supply: np.ndarray, natural_rate: float,
                 speed: float) -> np.ndarray:
    """Wage Phillips curve: w' = w * exp(speed * ((D - S) / S + u_n)).

    Wages are stable when labour demand falls short of the labour force by the natural
    unemployment rate u_n; they rise in tight markets and fall in slack ones.

    Args:
        wages: current wage per market.
        demand: workers firms want (employed plus vacancies) per market.
        supply: labour force (employed plus unemployed) per market.
        natural_rate: u_n.
        speed: adjustment speed per quarter.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(supply > 0, (demand - supply) / supply + natural_rate, 0.0)
    # a market with no workers at all keeps its wage (it has no tightness to respond to)
    return wages * np.exp(speed * np.clip(gap, -1.0, 1.0))


def bernoulli_rows(count: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of the rows among ``count`` that a Bernoulli(``probability``) draw selects.

    Draws the geometric gaps between successes instead of one uniform per row, so the cost grows
    with the number selected, not with ``count`` (the same distribution as ``rng.random(count) < p``).
    """
    if probability <= 0 or count == 0:
        return np.zeros(0, dtype=np.int64)
    if probability >= 1:
        return np.arange(count)
    expected = count * probability
    size = int(expected + 6 * np.sqrt(expected) + 16)
    rows = np.cumsum(rng.geometric(probability, size)) - 1
    while rows[-1] < count:
        more = np.cumsum(rng.geometric(probability, size)) + rows[-1]
        rows = np.concatenate([rows, more])
    return rows[rows < count]


def pick_per_group(group: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Choose, uniformly at random, ``counts[g]`` members of each group g.

    Args:
        group: (n,) group id of each candidate (non-negative integers).
        counts: number to choose in each group (at most the group's size).
        rng: the model's generator.

    Returns:
        Boolean mask over the candidates.
    """
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    # group + uniform noise: random order inside each group, groups in order
    return first_per_group(group, group + rng.random(group.size), counts)


def first_per_group(group: np.ndarray, key: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mask of the ``counts[g]`` members of each group g that come first in a stable sort of ``key``.

    Groups that keep all or none of their members need no sorting; the rest are sorted with the
    fast unstable sort, and again with the stable one only when two keys tie.
    """
    size = np.bincount(group, minlength=counts.size)[:counts.size]
    whole = counts >= size
    partial = (counts > 0) & ~whole
    if size[~partial].any():
        chosen = whole[group]
        candidates = np.flatnonzero(partial[group])
        sub_key, sub_group = key[candidates], group[candidates]
    else:  # every member's group is partly chosen: sort them all
        chosen = np.zeros(group.size, dtype=bool)
        candidates, sub_key, sub_group = None, key, group
    if sub_key.size:
        order = np.argsort(sub_key)
        ordered = sub_key[order]
        if (ordered[1:] == ordered[:-1]).any():
            order = np.argsort(sub_key, kind="stable")
        sorted_group = sub_group[order]
        taken = size * partial
        rank = np.arange(sub_key.size) - (np.cumsum(taken) - taken)[sorted_group]
        chosen[order if candidates is None else candidates[order]] = rank < counts[sorted_group]
    return chosen


def assign_to_slots(owner_weights: np.ndarray, owners: np.ndarray, hires: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Spread ``hires`` new workers over firms with open vacancies, each vacancy equally likely.

    Args:
        owner_weights: vacancies of each candidate firm (integers).
        owners: firm ids matching ``owner_weights``.
        hires: number of workers to place (<= total vacancies).
        rng: the model's generator.

    Returns:
        Firm id for each hire.
    """
    slots = np.repeat(owners, owner_weights)
    return rng.choice(slots, size=hires, replace=False)
