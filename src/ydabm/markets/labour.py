"""Labour market: frictional matching per city and skill, wages that respond to tightness.

Matching follows a Cobb-Douglas matching function M = min(U, V, m * U^0.5 * V^0.5) (Petrongolo &
Pissarides 2001); wages follow a wage Phillips curve in the unemployment gap. Staff plans are real
numbers made whole without bias (:func:`whole_staff`: at a rounding point each firm keeps, or by
error diffusion), so no firm is kept over- or under-staffed by rounding on average. Hours are the
intensive margin: a firm's whole staff works the hours that give the labour it planned
(:func:`planned_hours`), and each job is paid its own class's wage (:func:`job_labour`), so that
whole workers neither cost output nor add wages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..agents.firms import integer_sums
from ..agents.workers import BLOCK, counts_of


# The passes over workers gather with ``np.take`` and select with ``np.compress``: the same values as
# ``a[index]`` and ``a[mask]``, by numpy's faster paths for one-dimensional arrays.


def matches(unemployed: np.ndarray, vacancies: np.ndarray, efficiency: float) -> np.ndarray:
    """Number of hires in each market: min(U, V, floor(m * sqrt(U * V))).

    Args:
        unemployed: job seekers per market (integers).
        vacancies: open positions per market (integers).
        efficiency: matching efficiency m per quarter.
    """
    flow = np.floor(efficiency * np.sqrt(unemployed.astype(float) * vacancies.astype(float)))
    return np.minimum(np.minimum(unemployed, vacancies), flow).astype(np.int64)


def update_wages(wages: np.ndarray, employed: np.ndarray, supply: np.ndarray, natural_rate: float,
                 speed: float) -> np.ndarray:
    """Wage Phillips curve in the unemployment gap: w' = w * exp(speed * (u_n - u)), u = 1 - E / S.

    Wages are stable when a market's unemployment rate is at the natural rate u_n; they rise when
    unemployment is below it and fall when it is above (Phillips 1958; the wage curve of
    Blanchflower & Oswald 1994). Excess demand for labour acts through the unemployment it absorbs.

    Args:
        wages: current wage per market.
        employed: employed workers E per market (after this quarter's matching).
        supply: labour force S (employed plus unemployed) per market.
        natural_rate: u_n.
        speed: adjustment speed per quarter.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(supply > 0, natural_rate - (supply - employed) / supply, 0.0)
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
    if probability < 1e-6:
        # geometric gaps would overflow int64; a binomial count of uniformly chosen rows is the same law
        return np.sort(rng.choice(count, rng.binomial(count, probability), replace=False))
    expected = count * probability
    size = int(expected + 6 * np.sqrt(expected) + 16)
    rows = np.cumsum(rng.geometric(probability, size)) - 1
    while rows[-1] < count:
        more = np.cumsum(rng.geometric(probability, size)) + rows[-1]
        rows = np.concatenate([rows, more])
    return rows[rows < count]


def pick_per_group(group: np.ndarray, counts: np.ndarray, rng: np.random.Generator,
                   size: np.ndarray | None = None) -> np.ndarray:
    """Choose, uniformly at random, ``counts[g]`` members of each group g.

    Args:
        group: (n,) group id of each candidate (non-negative integers).
        counts: number to choose in each group (at most the group's size).
        rng: the model's generator.
        size: ``np.bincount(group, minlength=counts.size)``, if the caller has it.

    Returns:
        Boolean mask over the candidates.
    """
    if group.size == 0:
        return np.zeros(0, dtype=bool)
    # group + uniform noise: random order inside each group, groups in order
    return first_per_group(group, group + rng.random(group.size), counts, size)


def first_per_group(group: np.ndarray, key: np.ndarray, counts: np.ndarray,
                    size: np.ndarray | None = None) -> np.ndarray:
    """Mask of the ``counts[g]`` members of each group g that come first in a stable sort of ``key``.

    Groups that keep all or none of their members need no sorting; the rest are sorted with the
    fast unstable sort, and again with the stable one only when two keys tie. When every key lies in
    [g, g + 1) for its group g (the keys ``group + uniform`` of :func:`pick_per_group`), the sorted
    keys come in blocks by group, and a member is chosen exactly when its key is at most the
    ``counts[g]``-th smallest of its block (:func:`_block_thresholds`), unless another key of its
    group equals that threshold (a tie across the cut, which the count of chosen members shows):
    then no sort of the indices is needed. ``size``: each group's member count,
    ``np.bincount(group, minlength=counts.size)``, if the caller has it.
    """
    size = (np.bincount(group, minlength=counts.size) if size is None else size)[:counts.size]
    whole = counts >= size
    partial = (counts > 0) & ~whole
    if size[~partial].any():
        chosen = np.take(whole, group)
        candidates = np.flatnonzero(np.take(partial, group))
        sub_key, sub_group = np.take(key, candidates), np.take(group, candidates)
    else:  # every member's group is partly chosen: sort them all
        chosen = np.zeros(group.size, dtype=bool)
        candidates, sub_key, sub_group = None, key, group
    if sub_key.size:
        taken = size * partial
        start = np.cumsum(taken) - taken
        cut = _block_thresholds(sub_key, sub_group, start, counts, partial)
        picked = None if cut is None else sub_key <= np.take(cut, sub_group)
        # each group has at least counts[g] keys at most its threshold; more only where one ties with it
        if picked is not None and np.count_nonzero(picked) == int(np.sum(counts, where=partial)):
            if candidates is None:
                chosen = picked
            else:
                chosen[candidates] = picked
            return chosen
        order = np.argsort(sub_key)
        ordered = sub_key[order]
        if (ordered[1:] == ordered[:-1]).any():
            order = np.argsort(sub_key, kind="stable")
        sorted_group = sub_group[order]
        rank = np.arange(sub_key.size) - start[sorted_group]
        chosen[order if candidates is None else candidates[order]] = rank < counts[sorted_group]
    return chosen


#: at most this many partly chosen groups: their thresholds are found by bucketing their keys
#: (:func:`_bucket_thresholds`); with more, one sort of all the keys (each group then has few keys)
SELECT_GROUPS = 1024


def _block_thresholds(key: np.ndarray, group: np.ndarray | None, start: np.ndarray, counts: np.ndarray,
                      partial: np.ndarray) -> np.ndarray | None:
    """(G,) the ``counts[g]``-th smallest key of each partly chosen group g (the others get -inf),
    or None unless every key lies in [g, g + 1) for its group g (``key``: the members of partly
    chosen groups only; ``start``: where each group's block begins in the sorted keys).

    Under that condition a stable sort of ``key`` puts each group's members in one block, in group
    order, ascending, so the members among the first ``counts[g]`` of their block are those whose key
    is at most this threshold, unless another member's key equals it (the callers check that).

    With few groups (the job seekers and the vacancies of the city-class markets: 123 at the
    default geography) each group's threshold is found in the bucket of its keys that holds it
    (:func:`_bucket_thresholds`, linear time): about 0.4 ms instead of 4-5 ms for sorting the
    81,000-94,000 job seekers' keys at 1e6 workers (and 1.1 ms for a selection group by group). The
    threshold is the same value either way.
    """
    if group is not None:                              # None: checked by the caller
        if key.dtype.kind != "f" or group.dtype.kind not in "iu":
            return None
        if not (np.floor(key) == group).all():         # g <= key < g + 1 (false for nan)
            return None
    cut = np.full(counts.size, -np.inf, dtype=key.dtype)
    groups = np.flatnonzero(partial)
    if group is not None and groups.size <= SELECT_GROUPS and counts.size <= 1 << 16:
        cut[groups] = _bucket_thresholds(key, group, counts, groups)
        return cut
    ordered = np.sort(key)
    cut[partial] = ordered[(start + counts - 1)[partial]]
    return cut


def _bucket_thresholds(key: np.ndarray, group: np.ndarray, counts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The ``counts[g]``-th smallest key of each group g of ``groups`` (ascending; every key in [g, g + 1)
    for its group g), by bucketing.

    Each key's place u = key - g in [0, 1) (exact: key and g are within a factor of two) falls in
    one of B equal buckets, floor(u B) (exact for B a power of two), which orders the keys as the
    keys themselves do. Counting the keys per group and bucket shows which bucket holds each group's
    threshold and how many of its keys lie below that bucket; only the keys of those buckets (about
    1 / B of them) are sorted, and the threshold is read among them. The same value as selecting
    it from the group's block, with a few passes over the keys and no loop over groups.
    """
    sizes = counts.size
    # about 8 keys per bucket in a group of average size (at least 1 bucket; at most 2^12, and 2^22
    # counts in all)
    bucket_count = min(max(key.size // max(groups.size, 1) // 8, 1), 1 << 12, max((1 << 22) // sizes, 1))
    buckets = 1 << bucket_count.bit_length() - 1      # a power of two
    place = key - group                                 # u in [0, 1), exactly
    place *= buckets
    cell = np.asarray(group, dtype=np.intp) * buckets   # (group, bucket), in key order within a group
    cell += place.astype(np.intp)
    filled = np.bincount(cell, minlength=sizes * buckets).reshape(sizes, buckets)[groups]
    below = np.cumsum(filled, axis=1)                   # keys of the group up to each bucket, inclusive
    kth = counts[groups]
    holding = (below < kth[:, None]).sum(axis=1)        # the bucket that holds the kth smallest key
    rows = np.arange(groups.size)
    inside = filled[rows, holding]
    before = below[rows, holding] - inside              # the group's keys in lower buckets
    wanted = np.full(sizes * buckets, False)
    wanted[groups * buckets + holding] = True
    # the keys of the holding buckets, sorted: by group (key >= g), then ascending within it
    candidates = np.sort(np.compress(np.take(wanted, cell), key))
    first = np.cumsum(inside) - inside
    return candidates[first + kth - before - 1]


def _first_in_blocks(group: np.ndarray, base: np.ndarray, key: np.ndarray,
                     counts: np.ndarray) -> np.ndarray | None:
    """``first_per_group(base, key, ...)`` for groups numbered compactly: ``group`` (n,) numbers the
    groups 0..G-1 in the order of their ids ``base`` (n,), ``counts`` (G,) is per compact group.

    Returns None (the caller then uses :func:`first_per_group` on ``base``) unless every key of a
    partly chosen group lies in [base, base + 1) and no key ties with its group's ``counts[g]``-th
    smallest (:func:`_group_thresholds`). Under those conditions a stable sort of the keys puts each
    group in one block, and the first ``counts[g]`` of its block are exactly the members whose key
    is at most that threshold: what :func:`first_per_group` chooses, found without sorting.
    """
    size = np.bincount(group, minlength=counts.size)
    whole = counts >= size
    partial = (counts > 0) & ~whole
    chosen = np.take(whole, group)
    members = np.flatnonzero(np.take(partial, group))
    if members.size == 0:
        return chosen
    sub_key, sub_group = np.take(key, members), np.take(group, members)
    if not (np.floor(sub_key) == np.take(base, members)).all():
        return None
    cut = _group_thresholds(sub_key, sub_group, counts, partial)
    picked = sub_key <= np.take(cut, sub_group)
    # each group has at least counts[g] keys at most its threshold; more only where one ties with it
    if np.count_nonzero(picked) != int(np.sum(counts, where=partial)):
        return None
    chosen[members] = picked
    return chosen


def _group_thresholds(key: np.ndarray, group: np.ndarray, counts: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """(G,) the ``counts[g]``-th smallest ``key`` of each partly chosen group g (``group`` (n,):
    each key's group, all of them partly chosen, in the order of their keys' blocks; -inf for the
    other groups).

    Most partly chosen groups lay off one worker: their threshold is the group's smallest key, one
    unbuffered ``minimum.at`` over the keys (linear time, about 2 ns a key) instead of sorting them
    (about 40 ns a key). Only the keys of groups that choose more than one are sorted.
    """
    single = partial & (counts == 1)
    cut = np.full(counts.size, np.inf, dtype=key.dtype)
    np.minimum.at(cut, group, key)
    cut[~single] = -np.inf
    several = partial & (counts > 1)
    if several.any():
        inside = np.flatnonzero(np.take(several, group))
        size = np.bincount(np.take(group, inside), minlength=counts.size) * several
        start = np.cumsum(size) - size
        cut[several] = _block_thresholds(np.take(key, inside), None, start, counts, several)[several]
    return cut


def whole_staff(desired: np.ndarray, carry: np.ndarray, diffuse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Whole staff plans from real-valued ones, plan = floor(d + carry), by one of two rules
    (``staff_rounding``); both are unbiased across firms, since carries start uniform on [0, 1) (a
    firm's, drawn when it opens), so E[plan] = d each quarter (but for the fixed points' one worker
    of a firm whose plan rounds to none).

    Fixed rounding points (``diffuse`` False, the default rule): carry' = carry. The carry is the firm's
    own rounding point, kept for life: its headcount is the whole number next to its plan on that
    point's side and changes only when the plan crosses an integer less the carry (a plan of 4.5 gives
    5, 5, 5, ... at a carry of 0.7, and 4, 4, 4, ... at 0.2), as many changes as the plan's own moves
    require and no more. Over time a firm stays up to one worker above or below its plan. A firm that
    plans labour but rounds every class to no worker keeps one worker of its largest class (the
    indivisibility of a firm that operates): at a point kept for life it would otherwise employ no one
    and sell nothing for as long as its plan holds, and close.

    Error diffusion (``diffuse``): carry' = d + carry - plan. Each firm carries its rounding error into
    the next quarter, so over time its staff averages its real-valued plan; but around a steady plan
    its headcount toggles between the two whole numbers next to it (a plan of 4.5 gives 4, 5, 4, 5,
    ...), so the firm lays off and hires a worker by turns.

    In both rules the hours per worker (:func:`planned_hours`) make the labour a firm's staff supplies
    that of its real-valued plan, and each job is paid its own class's wage (:func:`job_labour`), the
    labour of a class it plans no whole worker of too (its other workers do it).

    Returns:
        (whole plans, carries for next quarter, in [0, 1)).
    """
    total = desired + carry
    plan = np.floor(total)
    whole = plan.astype(np.int64)
    if not diffuse:
        # a firm that plans labour keeps at least one worker, of its largest class
        idle = ~any_per_row(whole > 0) & any_per_row(desired > 0)
        if idle.any():
            rows = np.flatnonzero(idle)
            whole[rows, np.argmax(desired[rows], axis=1)] = 1
        return whole, carry
    total -= plan                                      # the new carry, in place
    # (kept below 1 in the carries' precision: in single precision a remainder within 2**-25 of 1
    # rounds up to 1.0, which would give a plan of no worker one next quarter)
    below_one = np.nextafter(np.array(1.0, dtype=carry.dtype), np.array(0.0, dtype=carry.dtype))
    return whole, np.minimum(total.astype(carry.dtype), below_one)


def planned_hours(desired: np.ndarray, plan: np.ndarray, columns: tuple | None = None) -> np.ndarray:
    """(F, K) hours per worker (1 = the standard quarter) at which a firm's whole staff plan supplies
    the labour of its real-valued plan, class by class: h_k = d_k / n_k, plus, for the classes it
    plans no whole worker of (n_k = 0 < d_k), their labour spread evenly over its n = sum_k n_k
    workers (classes are perfect substitutes in production), so sum_k n_k h_k = sum_k d_k; 1 where
    the firm plans no whole worker.

    The intensive margin of labour: a firm that wants 17.2 low-skill workers and hires 18 has them work
    0.956 of the standard hours (short time), one that wants 4.3 and hires 4 has them work 1.075
    (overtime), paid by the hour at the class's market wage (:func:`job_labour`), so its wage bill is
    that of its real-valued plan. Under either rule of :func:`whole_staff` a class's whole plan is
    within one worker of its real one, so h_k lies within 1 -+ 1 / n_k.

    ``columns``: :func:`_plan_columns` of ``desired`` and ``plan`` if the caller has them.
    """
    whole, staffed, workers, per_worker = _plan_columns(desired, plan) if columns is None else columns
    missing = np.zeros(desired.shape[0])
    for k in range(len(whole)):
        missing += np.where(staffed[k], 0.0, desired[:, k])
    extra = missing / np.maximum(workers, 1.0)           # 0 where no worker is planned (missing is 0 too)
    hours = np.ones(desired.shape)
    for k in range(len(whole)):
        hours[:, k] = np.where(staffed[k], per_worker[k] + extra, 1.0)
    return hours


def _whole_columns(plan: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The (F, K) whole plans class by class, as floats; whether each class has a whole worker planned;
    and (F,) the workers planned in all. Column by column: numpy reduces a short last axis row by row,
    an order of magnitude slower."""
    whole = [np.asarray(plan[:, k], dtype=float) for k in range(plan.shape[1])]
    workers = np.zeros(plan.shape[0])
    for column in whole:
        workers += column
    return whole, [column > 0 for column in whole], workers


def _plan_columns(desired: np.ndarray, plan: np.ndarray) -> tuple:
    """:func:`_whole_columns` of ``plan`` and, class by class, the labour desired per whole worker
    planned, d_k / max(n_k, 1): what :func:`planned_hours` and :func:`job_labour` both read (computed
    once when a caller passes them to both)."""
    whole, staffed, workers = _whole_columns(plan)
    return whole, staffed, workers, [desired[:, k] / np.maximum(column, 1.0) for k, column in enumerate(whole)]


def job_labour(desired: np.ndarray, plan: np.ndarray, staff: np.ndarray, columns: tuple | None = None) -> np.ndarray:
    """(F, K) labour a firm's ``staff`` supplies at its :func:`planned_hours`, by the class of the job
    done, in workers at standard hours: a class with whole workers planned does its own labour,
    staff_k x d_k / n_k; the labour of a class planned at no whole worker (n_k = 0 < d_k) is done by
    the firm's other workers at the hours added for it, sum_j staff_j x d_k / sum_j n_j. Each job is
    paid its class's wage, whoever works it (accounts), so a fully staffed firm's wage bill is that
    of its real-valued plan, and the rows add up to the labour the staff supplies,
    sum_k staff_k x h_k.

    Args:
        desired: (F, K) real-valued plans.
        plan: (F, K) whole plans (:func:`whole_staff`).
        staff: (F, K) staff by class after the labour market (at most the plan, class by class).
        columns: :func:`_plan_columns` of ``desired`` and ``plan`` if the caller has them.
    """
    whole, staffed, planned, per_worker = _plan_columns(desired, plan) if columns is None else columns
    working = np.zeros(desired.shape[0])
    for k in range(len(whole)):
        working += np.where(staffed[k], staff[:, k], 0)
    spread = working / np.maximum(planned, 1.0)            # 0 where no worker is planned (no staff either)
    jobs = np.empty(desired.shape)
    for k in range(len(whole)):
        jobs[:, k] = np.where(staffed[k], staff[:, k] * per_worker[k], desired[:, k] * spread)
    return jobs


def jobs_of(employer: np.ndarray, skill: np.ndarray, firms: int, classes: int) -> np.ndarray:
    """(F, K) jobs held by the workers with ``employer`` (>= 0) and ``skill``, by firm and class."""
    job = employer.astype(np.int64) * classes + skill
    return np.bincount(job, minlength=firms * classes).reshape(firms, classes).astype(np.int32)


def place_in_market_order(employer: np.ndarray, market: np.ndarray, entry_market: np.ndarray,
                          entry_owner: np.ndarray, entry_slots: np.ndarray, rng: np.random.Generator) -> None:
    """Fill job slots with workers chosen at random in each market, for workers stored in market order.

    Firm-class entries e (``entry_market[e]``, ``entry_owner[e]``, ``entry_slots[e]`` jobs) offer
    slots; in each market m the slots' total of its ``counts[m]`` workers are chosen uniformly at
    random and take the market's slots in entry order, the chosen workers in row order. The result
    is that of :func:`pick_per_group` over all workers (keys ``m + u``, one uniform ``u`` per worker
    in row order) followed by pairing the chosen workers, sorted stably by market, with the slots,
    sorted stably by market; here, because every market's workers are one block of rows, it is
    done market by market: the same uniforms are drawn block by block (the same stream), each
    block's keys are sorted on their own (stably), and no array over all workers is allocated.

    Args:
        employer: (N,) employer column, set in place for the chosen workers.
        market: (N,) market of each worker, non-decreasing.
        entry_market, entry_owner, entry_slots: (E,) market, firm row and number of slots of each entry.
        rng: the model's generator.

    Raises:
        ValueError: ``market`` is not in market order, or a market has more slots than workers.
    """
    if not _non_decreasing(market):
        raise ValueError("market: workers must be stored in market order")
    markets = int(max(market.max(initial=-1), entry_market.max(initial=-1))) + 1
    size = counts_of(market, markets)
    start = np.cumsum(size) - size
    counts = np.bincount(entry_market, entry_slots, minlength=markets).astype(np.int64)
    if (counts > size).any():
        raise ValueError("entry_slots: a market has more slots than workers")
    order = np.argsort(entry_market, kind="stable")
    owners = np.repeat(np.take(entry_owner, order).astype(employer.dtype), np.take(entry_slots, order))
    offset = 0
    for m in np.flatnonzero(size):
        key = rng.random(int(size[m]))
        key += float(m)                                    # the keys group + uniform of pick_per_group
        take = int(counts[m])
        if take:
            chosen = _smallest_rows(key, take) + start[m]
            employer[chosen] = owners[offset:offset + take]
            offset += take


def _non_decreasing(values: np.ndarray) -> bool:
    """``(values[1:] >= values[:-1]).all()``, block by block (no comparison array over all workers)."""
    last = values.size - 1
    return all((values[lo + 1:min(lo + BLOCK, last) + 1] >= values[lo:min(lo + BLOCK, last)]).all()
               for lo in range(0, max(last, 0), BLOCK))


def _smallest_rows(key: np.ndarray, take: int) -> np.ndarray:
    """Sorted indices of the ``take`` first entries of a stable sort of ``key`` (``take`` >= 1).

    The ``take``-th smallest key is found by selection (``np.partition``, linear time); when exactly
    ``take`` keys are at most it (no tie across the cut) they are the chosen ones, in row order,
    without sorting; otherwise the stable sort decides among the tied keys.
    """
    if take >= key.size:
        return np.arange(key.size)
    cut = np.partition(key, take - 1)[take - 1]
    chosen = np.flatnonzero(key <= cut)
    if chosen.size == take:
        return chosen
    return np.sort(np.argsort(key, kind="stable")[:take])


@dataclass(frozen=True)
class Hiring:
    """Outcome of one quarter's labour market.

    Attributes:
        employer: (N,) new employer of every worker (-1 unemployed).
        employees: (F, K) new staff by firm and class.
        wages: (C, K) wages after the Phillips-curve adjustment, yuan per agent per quarter.
        understaffed: (F,) firms left with unfilled vacancies.
        carry: (F, K) rounding carries for next quarter.
        hours: (F, K) hours per worker by class (:func:`planned_hours`): each firm's staff of a class
            supplies ``hours`` x its workers.
        jobs: (F, K) the labour supplied by the class of the job done (:func:`job_labour`), each
            paid its class's wage.
        separations, layoffs, hires: worker counts this quarter.
        employed: (C, K) new staff by city and class (``integer_sums(firm_city, employees, C)``).
        finding: (C,) job-finding rate of each city's job seekers this quarter: the hired over all who
            sought work (the unemployed at the start, the separated and the laid off; 1 where no one did).
    """

    employer: np.ndarray
    employees: np.ndarray
    wages: np.ndarray
    understaffed: np.ndarray
    carry: np.ndarray
    hours: np.ndarray
    jobs: np.ndarray
    separations: int
    layoffs: int
    hires: int
    employed: np.ndarray
    finding: np.ndarray


def clear_labour_market(employer: np.ndarray, skill: np.ndarray, market: np.ndarray,
                        employees: np.ndarray, firm_city: np.ndarray, desired: np.ndarray,
                        carry: np.ndarray, labour_force: np.ndarray, wages: np.ndarray, separation_rate: float,
                        matching_efficiency: float, natural_rate: float, wage_adjustment: float,
                        rng: np.random.Generator, absent: np.ndarray | None = None,
                        diffuse: bool = False, overwrite: bool = False, moves: np.ndarray | None = None) -> Hiring:
    """Separations, layoffs, matching and wages in every city-class labour market.

    Order: a share ``separation_rate`` of jobs ends at random; firms with more staff of a class than
    their (unbiasedly rounded) plan lay off the excess at random; job seekers and vacancies of each
    city-class market meet through :func:`matches`, each seeker and each vacancy equally likely;
    wages move with the market's unemployment gap (:func:`update_wages`).

    Args:
        employer: (N,) firm row of each worker, -1 if unemployed (not modified, unless ``overwrite``).
        skill: (N,) class of each worker.
        market: (N,) city * K + class of each worker.
        employees: (F, K) staff by firm and class (not modified).
        firm_city: (F,) city of each firm row.
        desired: (F, K) planned staff (real numbers; 0 for dead rows).
        carry: (F, K) each firm's rounding carry (:func:`whole_staff`; ``diffuse``: its rule).
        labour_force: (C, K) workers by city and class.
        wages: (C, K) current wages.
        rng: the model's generator.
        absent: (C,) share of each city's labour force that cannot work this quarter (a lockdown):
            the employed among them keep their jobs, the job seekers among them cannot start one,
            so only ``floor((1 - absent) U)`` of a market's U seekers can be matched
            (:func:`able_seekers`). None: everyone can work.
        overwrite: ``employer`` becomes the new employers, in place (``Hiring.employer`` is then that
            array): for a caller that replaces its column with them anyway (the model), which saves a
            copy of the column (at 1e6 workers about 0.3 ms a quarter).
        moves: with ``overwrite``, closures and mergers not yet applied to ``employer``: each firm row's
            employer for its workers (a row of ``employer``'s firm table, or -1), and -1 in the last
            entry (what employer -1 reads, ``np.take`` in wrap mode). The market moves the workers first
            (they are separated, laid off and hired as if the column had been moved before): each
            worker's code in the one pass over the workers is read through the moves
            (:func:`_moved_codes`), and only the moved workers' employers are rewritten, so the model's
            closures and mergers need no pass of their own over the workers (about 1.2 ms a quarter
            at 1e6 workers). None: nothing to move.
    """
    cities, classes = labour_force.shape
    firms = employees.shape[0]
    if not overwrite:
        if moves is not None:
            raise ValueError("moves: only with overwrite (the moves are applied to the employer column in place)")
        employer = employer.copy()
    staff = employees.copy()
    drawn = bernoulli_rows(employer.size, separation_rate, rng)
    held = np.take(employer, drawn)
    if moves is not None:
        held = np.take(moves, held, mode="wrap")        # (employer -1 reads the last entry, -1)
    employed = held >= 0
    separated = np.compress(employed, drawn)
    staff -= jobs_of(np.compress(employed, held), np.take(skill, separated), firms, classes)
    employer[separated] = -1                            # (the moves keep -1 at -1)
    plan, carry = whole_staff(desired, carry, diffuse)
    columns = _plan_columns(desired, plan)              # (read by the hours and the jobs)
    hours = planned_hours(desired, plan, columns)
    excess = np.maximum(staff - plan, 0)
    fired, seekers = _layoffs_and_seekers(employer, skill, staff, excess, rng, moves)
    staff -= jobs_of(np.take(employer, fired), np.take(skill, fired), firms, classes)
    employer[fired] = -1
    vacancies = np.maximum(plan - staff, 0)
    hired, owner, seeking, hires = _match(seekers, market, vacancies, firm_city, cities * classes, classes,
                          matching_efficiency, rng, None if absent is None else np.repeat(absent, classes))
    employer[hired] = owner
    staff += jobs_of(owner, np.take(skill, hired), firms, classes)
    employed = integer_sums(firm_city, staff, cities)       # (C, K) staff by market: city * K + class
    new_wages = update_wages(wages.ravel(), employed.ravel(), labour_force.ravel(), natural_rate,
                             wage_adjustment).reshape(cities, classes)
    return Hiring(employer, staff, new_wages, any_per_row(plan > staff), carry, hours, job_labour(desired, plan, staff, columns),
                  int(separated.size), int(fired.size),
                  int(hired.size), employed, finding_rates(seeking.reshape(cities, classes),
                                                           hires.reshape(cities, classes)))


def finding_rates(seeking: np.ndarray, hires: np.ndarray) -> np.ndarray:
    """(C,) each city's job-finding rate from its (C, K) job seekers and hires by class: the hired over
    all who sought work (1 where no one did)."""
    sought, found = seeking.sum(axis=1), hires.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sought > 0, found / sought, 1.0)


def any_per_row(mask: np.ndarray) -> np.ndarray:
    """(F,) ``mask.any(axis=1)`` of an (F, K) boolean array, one column at a time (numpy reduces a
    short last axis row by row, which is an order of magnitude slower for F x 3)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or mask.shape[1] == 0:
        return mask.any(axis=-1)
    out = mask[:, 0].copy()
    for k in range(1, mask.shape[1]):
        out |= mask[:, k]
    return out


def _layoffs_and_seekers(employer, skill, staff, excess, rng, moves=None):
    """Rows of the workers laid off, and (sorted) rows of all workers unemployed after the layoffs;
    with ``moves`` (:func:`clear_labour_market`) the moved workers' employers are rewritten first.

    Layoffs: ``excess[f, k]`` of firm f's class-k staff, uniformly at random. Only workers of
    overstaffed groups are candidates. Each is first kept with probability min(1, (3 e + 2) / n) (e
    of n to lay off in its group), and the e are drawn uniformly among the kept ones (among all the
    group's members where fewer than e were kept): a procedure symmetric in a group's members, so
    every e-subset is equally likely, that sorts a few candidates per layoff instead of every
    employee of an overstaffed firm.

    Groups are firm-class jobs f * K + k; the bookkeeping runs over the overstaffed jobs only
    (numbered 0..G-1 in job order). One gather over all workers codes each one's state: its
    overstaffed job's number, -2 when unemployed, -1 otherwise; one selection then gives both the
    overstaffed groups' members and the unemployed, so the job seekers need no second pass.
    """
    classes = excess.shape[1]
    due_all = excess.ravel()
    open_job = np.flatnonzero(due_all > 0)                 # overstaffed jobs f * K + k, ascending
    if open_job.size == 0:
        if moves is not None:
            np.take(moves, employer, out=employer, mode="wrap")
        return np.zeros(0, dtype=np.intp), np.flatnonzero(employer < 0)
    # the code table: compact ids of the overstaffed jobs, -1 for the other jobs, and -2 in its last
    # K entries, which employer -1 reaches (its indices -K..-1); 16-bit while the codes fit (down to
    # MOVED - 2 - ids): half the table and half the codes the pass over the workers reads and writes
    dtype = np.int16 if open_job.size < (1 << 15) + MOVED - 2 else np.int32
    compact = np.full(due_all.size + classes, -1, dtype=dtype)
    compact[open_job] = np.arange(open_job.size, dtype=dtype)
    compact[due_all.size:] = -2
    if moves is None:
        coded, code = _coded_rows(employer, skill, compact, classes)   # overstaffed groups' members, unemployed
    else:
        coded, code = _coded_rows(employer, skill, _moved_codes(compact, moves, classes), classes)
        moved = np.flatnonzero(code <= MOVED)
        # the moved workers' employers, and their own codes (-1 if nothing: then neither a member nor a
        # job seeker, and left out of what follows)
        rows = np.take(coded, moved)
        employer[rows] = np.take(moves, np.take(employer, rows))
        code[moved] = MOVED - 2 - np.take(code, moved)
    is_member = code >= 0
    at = np.flatnonzero(is_member)                         # members' places among ``coded``
    job = np.take(code, at).astype(np.intp)                # (intp: gathered by below without conversion)
    due = np.take(due_all, open_job)
    size = np.maximum(np.take(staff.ravel(), open_job), 1)
    kept = rng.random(job.size) < np.take(np.minimum(1.0, (3.0 * due + 2.0) / size), job)
    short = np.bincount(np.compress(kept, job), minlength=due.size) < due
    candidates = kept | np.take(short, job) if short.any() else kept
    job = np.compress(candidates, job)
    seeking = code == -2
    if job.size == 0:
        return coded[:0], np.compress(seeking, coded)
    at = np.compress(candidates, at)
    # the job ids over all firms (what the random keys are built on), in the same order as ``job``
    full_job = np.take(open_job, job)
    key = full_job + rng.random(full_job.size)
    chosen = _first_in_blocks(job, full_job, key, due)
    if chosen is None:
        chosen = first_per_group(full_job, key, due_all)
    at = np.compress(chosen, at)
    seeking[at] = True
    return np.take(coded, at), np.compress(seeking, coded)


def able_seekers(seekers: np.ndarray, absent: np.ndarray | None) -> np.ndarray:
    """Job seekers per market who can start work: floor((1 - a) U) of the U seekers of a market whose
    labour force has the share a absent (locked down); all of them where ``absent`` is None."""
    if absent is None:
        return seekers
    return np.floor((1.0 - absent) * seekers + 1e-9).astype(seekers.dtype)


#: codes of :func:`_moved_codes` at most this: a moved worker's, ``MOVED - 2 - code`` for its own code
MOVED = -3


def _moved_codes(compact: np.ndarray, moves: np.ndarray, classes: int) -> np.ndarray:
    """The code table of :func:`_layoffs_and_seekers` (``compact``: ((F + 1) K,), the last K entries
    those of employer -1) read through ``moves`` ((F' + 1,), F' the rows the workers' employers may
    hold, the last entry -1): at job f * K + k the code of job moves[f] * K + k, encoded as
    ``MOVED - 2 - code`` (at most MOVED) where moves[f] is not f, so that the pass over the workers
    also finds the workers whose employer moves; the last K entries employer -1's, as in ``compact``."""
    table = compact.reshape(-1, classes)
    rows = moves.size - 1                               # (the firm table may have grown since: rows <= F)
    codes = np.empty((moves.size, classes), dtype=compact.dtype)
    codes[:rows] = table[:rows]                         # (a row that does not move keeps its codes)
    codes[rows] = table[-1]
    moved = np.flatnonzero(moves[:-1] != np.arange(rows))
    target = np.take(moves, moved)
    target[target < 0] = table.shape[0] - 1
    codes[moved] = MOVED - 2 - np.take(table, target, axis=0)
    return codes.ravel()


def _coded_rows(employer, skill, compact, classes):
    """Rows whose code ``compact[employer * K + skill]`` is not -1, and their codes.

    One pass over all workers, block by block (``BLOCK`` rows): each block's job ids and codes are
    temporaries of one block, reused, so no array over all workers is allocated but the result.
    """
    rows, codes = [], []
    # job ids computed in the employer column's own 32 bits (no conversion inside the arithmetic: about
    # 0.3 ms less at 1e6 workers than computing them in 64 bits) while the table's ids fit, then copied
    # to numpy's index type: fancy indexing by intp is about twice as fast as by int32 (which numpy
    # converts chunk by chunk), and faster than ``np.take``
    size = min(BLOCK, employer.size)
    narrow = np.int32 if employer.dtype == np.int32 and compact.size < 1 << 31 else np.intp
    job = np.empty(size, dtype=narrow)
    index = job if narrow is np.intp else np.empty(size, dtype=np.intp)
    for lo in range(0, employer.size, BLOCK):
        block = job[:min(BLOCK, employer.size - lo)]
        np.multiply(employer[lo:lo + BLOCK], classes, out=block)  # job f * K + k (-K..-1: unemployed)
        block += skill[lo:lo + BLOCK]
        if index is not job:
            index[:block.size] = block
        code = compact[index[:block.size]]
        keep = np.flatnonzero(code != -1)
        codes.append(np.take(code, keep))
        keep += lo
        rows.append(keep)
    if not rows:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=compact.dtype)
    return np.concatenate(rows), np.concatenate(codes)


def _match(seekers, market, vacancies, firm_city, markets, classes, efficiency, rng, absent=None):
    """Rows of the hired seekers (``seekers``: sorted rows of the unemployed), their new employers, and
    the job seekers and hires per market (``markets``,);
    ``absent`` (markets,): share of each market's seekers who cannot start work (:func:`able_seekers`),
    the hired being drawn uniformly among all its seekers (who is locked down is itself random)."""
    seeker_market = np.take(market, seekers).astype(np.intp)    # numpy's index type: no copy per use
    # one slot per vacancy, in firm-class order (job f * K + k); the vacancies per market (city * K
    # + class) are the slots per market
    open_jobs = np.flatnonzero(vacancies.ravel() > 0)      # (vacancies >= 0; a boolean selection is faster)
    open_count = np.take(vacancies.ravel(), open_jobs)
    # each open job's market, repeated over its slots (the same integers as computed slot by slot, with
    # a pass over the open jobs instead of five over the slots)
    job_market = np.take(firm_city, open_jobs // classes).astype(np.int64) * classes + open_jobs % classes
    slot_job = np.repeat(open_jobs, open_count)
    slot_market = np.repeat(job_market, open_count)
    open_total = np.bincount(job_market, open_count, minlength=markets).astype(np.int64)   # (exact: integers)
    seeking = np.bincount(seeker_market, minlength=markets)
    hires = matches(able_seekers(seeking, absent), open_total, efficiency)
    if hires.sum() == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), seeking, hires
    take_slot = pick_per_group(slot_market, hires, rng, open_total)
    take_seeker = pick_per_group(seeker_market, hires, rng, seeking)
    # stable sorts of small non-negative integers (market ids < 2^16) are radix sorts
    slots = np.take(np.flatnonzero(take_slot),
                    np.argsort(np.compress(take_slot, slot_market).astype(np.uint16), kind="stable"))
    hired = np.take(np.compress(take_seeker, seekers),
                    np.argsort(np.compress(take_seeker, seeker_market).astype(np.uint16), kind="stable"))
    return hired, np.take(slot_job, slots) // classes, seeking, hires
