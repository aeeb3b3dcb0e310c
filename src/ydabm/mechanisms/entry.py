"""Firm demography: exit and entry (Melitz 2003, with a calibrated free-entry margin), as mass flows.

A firm agent is a cohort of identical enterprises (``Firms.mass``, in units of a founding cohort of
k = :func:`enterprises_per_firm` enterprises), so the real rates of exit and entry act at every
agent scale:

* Exit. Real enterprises face an exogenous exit hazard ``exit_rate`` per quarter (Melitz's delta):
  a share ``exit_rate`` of every cohort leaves each quarter, a mass flow with no sampling noise
  (:meth:`ydabm.agents.firms.Firms.shrink`). A cohort whose losses have lasted ``exit_after``
  quarters leaves whole (its enterprises are identical) unless a government keeps it alive. A
  cohort worn down below ``MERGE_SHARE`` of its largest size merges into the largest cohort of its
  city-sector (:func:`merge_pairs`, :meth:`ydabm.agents.firms.Firms.merge`; exact, as joining is),
  which bounds the number of agents without any exit: bookkeeping, not an event. The set-up's
  cohorts start at the ages of this process's steady state (:func:`stationary_cohorts`), so that
  they wear down and merge at an even pace, not all in the quarter A = :func:`merge_age`.
* Entry. Each quarter a city-sector has a pool of potential entrants, ``entry_pool`` times its 2020
  mass (the local would-be founders). Each enters with a logit probability in the margin it
  expects (a firm with the cell's mean draw, selling into the cell's market access at its markup
  price, plus the entry subsidy of a targeted sector, valued as what a first-year subsidy is worth
  over the enterprise's life: :func:`first_year_weight`) above the 2020 free-entry margin, shifted so
  that at the 2020 margin the expected entrants equal the cell's replacement flow R (the mass that
  left it, averaged over about a year): entrants = pool * logistic(response * (expected -
  required) + logit(R / pool)). So at 2020 margins entry replaces exits whatever their cause, a more
  profitable (or emptied) market draws up to its whole pool, and entry can never exceed the pool.
  The entrants of a city-sector's year form one cohort: the first quarter's open a new firm agent,
  later quarters' join it (:func:`join_cohort`), so the flow enters smoothly, with no sampling noise.
  Entrants too few to employ ``MIN_COHORT_WORKERS`` working-age people (5 worker agents at the default
  scale), or ``MIN_COHORT_STAFF`` worker agents at coarser scales, join the city-sector's largest cohort
  instead of opening one (a granularity guard: exact, as joining is; in persons, so the same at the
  default and every finer scale).
* Entrants draw their productivity from the 2020 distribution of their city-sector: lognormal around
  the city-sector's productivity, truncated below at the 2020 zero-profit cutoff (Melitz's entry
  draw, with the cutoff held at its calibrated value). A cohort of many entrants has the draw's CES
  mean (the 2020 firms' mean draw, the one the entry margin is computed for); it prices at its markup
  and expects the demand it would meet at that price. The 2020 firms keep their own draws (the
  calibrated heterogeneity).
* Entrants build no capacity their city's labour could not staff (:func:`staffable_capacity`,
  :func:`entrant_demand_cap`): the cohort they join ends with at most the capacity the newsvendor
  would build for the output the city's whole labour force of its classes could make. Planning
  already caps a firm's staff plan at its city's labour force, and a firm short of workers builds only
  for what its staff can make; entrants now follow the same rule. Without it, entrants into a
  city-sector with a handful of workers (the farms of a city with few farmers) kept adding capacity no
  one could work, which the notional market then credited with demand taken from staffed firms.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri


#: employees per legal unit of the secondary and tertiary sectors, China's 2018 economic census
#: (383.2 million employees in 21.79 million legal units)
EMPLOYEES_PER_ENTERPRISE = 17.6


def enterprises_per_firm(people_per_agent: float, workers_per_firm: float) -> float:
    """Real enterprises one firm agent stands for: the people it employs over an enterprise's staff."""
    return people_per_agent * workers_per_firm / EMPLOYEES_PER_ENTERPRISE


#: share of its largest mass below which a cohort merges into its city-sector's largest cohort
MERGE_SHARE = 0.25
#: working-age people a quarter's entrants must be able to employ (mass x workers_per_firm x
#: people_per_agent) to open a cohort of their own; fewer join the city-sector's largest cohort, so
#: that no cohort is too small to staff with whole worker agents. In persons, not worker agents, so the
#: representation is the same at every scale: as 5 worker agents it changed with the scale, and with it
#: the effect of specialization on the Theil index (0.00031 +- 0.00022 at 2000 people per agent and
#: 0.00055 +- 0.00007 at 500; 0.00034 +- 0.00005 at 500 with the 2000's threshold in persons, 0.00059
#: +- 0.00016 at 2000 with the 500's; 10 seeds). 10,000 is 5 worker agents at 2000 people per agent (the
#: rule before, unchanged there), 13.3 at the default 750, and about 570 enterprises of 17.6 employees
MIN_COHORT_WORKERS = 10_000.0
#: worker agents a new cohort must be able to employ whatever the scale: below a few whole worker
#: agents a cohort cannot be staffed and sells nothing. Binds only at scales coarser than 2000 people
#: per agent (5 x 2000 = 10,000 people), where the agents are too few for the persons' threshold
MIN_COHORT_STAFF = 5.0


def min_cohort_mass(people_per_agent: float, workers_per_firm: float) -> float:
    """Entrant mass (firm agents) that opens a cohort: staff for :data:`MIN_COHORT_WORKERS`
    working-age people and for at least :data:`MIN_COHORT_STAFF` worker agents."""
    return max(MIN_COHORT_WORKERS / people_per_agent, MIN_COHORT_STAFF) / workers_per_firm


def enters(added: np.ndarray, occupied: np.ndarray, enterprises: float) -> np.ndarray:
    """Which cells' entrants enter: all where the city-sector has a live cohort (``occupied``: the
    entrants join one, a mass flow of any size), and in an empty city-sector only an entrant mass
    ``added`` of at least one real enterprise (``added`` x ``enterprises`` per founding cohort >= 1).

    Entry is an expected mass flow, pool x logistic(index), and the logistic never reaches 0: where
    expected entry is a tiny fraction of an enterprise, a cohort opened for it in an empty market was a
    firm agent of down to 1e-22 enterprises (seen with persistent productivity shocks, where closures
    empty cells; the market that then did not clear was the Newton 2-cycle of
    :func:`ydabm.markets.goods.clear_goods_market`, which clears once that is fixed, with or without
    this rule). Enterprises are whole, so an empty market with less than one expected entrant stays
    empty this quarter."""
    return np.asarray(occupied, dtype=bool) | (np.asarray(added) * enterprises >= 1.0)


def join_cohort(mass: np.ndarray, productivity: np.ndarray, added: np.ndarray, added_productivity: np.ndarray,
                sigma: np.ndarray) -> np.ndarray:
    """Productivity of a cohort of ``mass`` enterprises after ``added`` ones join it.

    Under CES demand and a common wage, m enterprises of productivities z_i sell and hire as m
    enterprises of z = (mean z_i^(sigma - 1))^(1 / (sigma - 1)): revenue and variable labour are both
    proportional to z^(sigma - 1). So a cohort stays exact when entrants join it.
    """
    k = sigma - 1.0
    total = mass + added
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (mass * productivity ** k + added * added_productivity ** k) / total
    return np.where(total > 0, mean ** (1.0 / k), productivity)


def staffable_capacity(labour: np.ndarray, mix: np.ndarray, overhead: np.ndarray, productivity: np.ndarray,
                       ratio: np.ndarray, served: np.ndarray) -> np.ndarray:
    """(n,) capacity a cohort could staff with its city's whole labour force: the most workers it could
    plan in its skill mix, L = min over the classes it uses of labour_k / mix_k; the output they make
    beyond its overhead, (L - F)^+ phi; and the newsvendor's capacity for the demand whose expected
    sales that output is, q (L - F)^+ phi / S(q).

    Args:
        labour: (n, K) labour force of the cohort's city by class (workers).
        mix: (n, K) labour of each class per unit of the cohort's labour (classes it does not use: 0).
        overhead: (n,) the cohort's overhead F (workers), entrants included.
        productivity: (n,) phi, output per worker beyond the overhead.
        ratio: (n,) q, capacity per unit of expected demand (:func:`ydabm.mechanisms.planning.capacity_ratio`).
        served: (n,) S(q), the share of its expected demand that capacity serves.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        most = np.min(np.where(mix > 0, labour / mix, np.inf), axis=1)
        return np.where(served > 0, ratio * np.maximum(most - overhead, 0.0) * productivity / served, 0.0)


def entrant_demand_cap(demand: np.ndarray, added: np.ndarray, ratio: np.ndarray, capacity: np.ndarray,
                       staffable: np.ndarray) -> np.ndarray:
    """(n,) expected demand per entering enterprise (units), at most what lets the cohort's capacity
    ``capacity`` plus the entrants' own, ``added`` x q x demand, reach ``staffable``
    (:func:`staffable_capacity`); none where the cohort already has that much."""
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.maximum(staffable - capacity, 0.0) / (added * ratio)
    return np.minimum(demand, np.where(added * ratio > 0, room, demand))


def exits(alive: np.ndarray, failing: np.ndarray) -> np.ndarray:
    """(F,) cohorts that close whole: the failing ones (their enterprises are identical)."""
    return alive & failing


def largest_cohorts(candidates: np.ndarray, cell: np.ndarray, mass: np.ndarray, cells: int) -> np.ndarray:
    """(cells,) row of the largest cohort among ``candidates`` in each city-sector (-1: none); of
    cohorts of equal mass, the last row."""
    keep = np.flatnonzero(candidates)
    largest = np.full(cells, -1, dtype=np.int64)
    if keep.size == 0:
        return largest
    # The candidates grouped by cell, rows ascending within a cell: a stable sort of the cell ids,
    # which numpy does as a radix sort (linear time) for ids below 2^16. Then each cell's largest
    # mass by one reduceat, and the last row of its block that has it. (``np.maximum.at`` gives the
    # same rows but costs about 40 ns a row here, 2 ms at 1e6 workers; merges run every quarter.)
    kept_cell = cell[keep]
    order = np.argsort(kept_cell.astype(np.uint16) if cells <= 1 << 16 else kept_cell, kind="stable")
    kept_cell = kept_cell[order]
    kept_mass = mass[np.take(keep, order)]
    starts = np.flatnonzero(np.concatenate(([True], kept_cell[1:] != kept_cell[:-1])))
    most = np.maximum.reduceat(kept_mass, starts)
    at = np.flatnonzero(kept_mass == np.repeat(most, np.diff(np.append(starts, kept_mass.size))))
    at_cell = kept_cell[at]
    last = np.append(at_cell[1:] != at_cell[:-1], True)    # the last tied row of each cell
    largest[at_cell[last]] = keep[order[at[last]]]
    return largest


def merge_pairs(alive: np.ndarray, cell: np.ndarray, mass: np.ndarray, peak: np.ndarray,
                share: float = MERGE_SHARE) -> tuple[np.ndarray, np.ndarray]:
    """Worn-down cohorts and the cohort each merges into.

    A live cohort whose mass is below ``share`` of its largest mass ``peak`` merges into the cohort of
    largest mass among the cohorts of its city-sector that are not worn down (if none: it stays).

    Returns:
        (sources, destinations): rows, one pair per merge; no row is both.
    """
    worn = alive & (mass < share * peak)
    if not worn.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sources = np.flatnonzero(worn)
    destinations = largest_cohorts(alive & ~worn, cell, mass, int(cell.max()) + 1)[cell[sources]]
    found = destinations >= 0
    return sources[found], destinations[found]


def split_rows(alive: np.ndarray, cell: np.ndarray, mass: np.ndarray, share: float,
               minimum: float) -> np.ndarray:
    """Cohorts that split in two this quarter: live cohorts holding more than ``share`` of their
    city-sector's live mass whose halves each keep at least ``minimum`` (the mass that opens a cohort,
    :func:`min_cohort_mass`, so that each half can be staffed with whole worker agents).

    A firm agent's enterprises share one productivity shock and close together, so an agent that holds
    much of its city-sector moves all of it at once; merges and entrants too few to open a cohort of
    their own collect in the largest cohort (:func:`merge_pairs`, ``YRDModel.open_firms``). Splitting
    bounds that share: a cohort above it splits once a quarter until each part is at most ``share`` of
    its city-sector or too small to split. At ``share`` 1 nothing splits.

    Returns:
        rows, ascending.
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share: {share} is out of range; allowed (0, 1]")
    if share >= 1.0:
        return np.zeros(0, dtype=np.int64)
    live = np.flatnonzero(alive)
    total = np.bincount(cell[live], mass[live])
    held = mass[live] > share * np.take(total, cell[live])
    return live[held & (mass[live] >= 2.0 * minimum)]


#: longest cohort life (quarters) :func:`merge_age` returns: 250,000 years, beyond any run (and within
#: the firm table's integer age column)
LONGEST_LIFE = 1_000_000


def merge_age(exit_rate: float, share: float = MERGE_SHARE) -> int:
    """Quarters A after which a cohort merges: the first age a with (1 - exit_rate)^a < ``share``.

    A cohort that started at its peak has (1 - exit_rate)^a of it after a quarters of the hazard, so
    :func:`merge_pairs` takes it in the step of its A-th shrinking: 92 for exit_rate 0.015 and share
    1/4 (ln 4 / -ln 0.985 = 91.7). With no hazard no cohort wears down: A = 1 (every cohort at its peak).
    A hazard so small that A would exceed :data:`LONGEST_LIFE` (exit_rate below about 1.4e-6 at share
    1/4) gives ``LONGEST_LIFE``: no run lasts that long, and the set-up's cohorts then span ages up to it.
    """
    if not 0.0 <= exit_rate < 1.0:
        raise ValueError(f"exit_rate: {exit_rate} is out of range; allowed [0, 1)")
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share: {share} is out of range; allowed (0, 1]")
    if exit_rate == 0.0 or share == 1.0:
        return 1
    # (a hazard so small that ln(1 - delta) rounds to 0 or below 1e-300 gives an infinite ratio)
    with np.errstate(over="ignore", divide="ignore"):
        quarters = float(np.log(share) / np.log1p(-exit_rate))
    if not quarters < LONGEST_LIFE:
        return LONGEST_LIFE
    age = int(np.floor(quarters)) + 1
    # the logarithms' rounding at an exact power
    while age > 1 and (1.0 - exit_rate) ** (age - 1) < share:
        age -= 1
    while (1.0 - exit_rate) ** age >= share:
        age += 1
    return age


def stationary_cohorts(cell: np.ndarray, exit_rate: float, offsets: np.ndarray | None = None,
                       share: float = MERGE_SHARE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ages, masses and peaks of a set-up's cohorts in the steady state of entry, the hazard and merging.

    The cohort process of a city-sector, idealised: each quarter one cohort enters at its peak mass
    P (constant entry), every cohort keeps 1 - delta of its mass each quarter (delta = ``exit_rate``;
    at the steady state's margins no cohort closes whole), and a cohort merges once its mass falls
    below ``share`` x its peak, which is in the step of its A-th shrinking (:func:`merge_age`; A = 92
    at the defaults). After A quarters of constant entry there is exactly one cohort of each age
    a = 0, ..., A - 1 (each entered a quarters ago and none has left): **the stationary distribution
    of a cohort's age is uniform on {0, ..., A - 1}**, and a cohort of age a has the mass
    P (1 - delta)^a = peak x survival(a). The mass merged each quarter, P (1 - delta)^A, collects in
    the city-sector's largest cohort, which keeps it at the hazard: M = (1 - delta) M + P (1 - delta)^A,
    so M = P (1 - delta)^A / delta; the aged cohorts hold P (1 - (1 - delta)^A) / delta and the whole
    city-sector P / delta (entry, P a quarter, replaces the hazard's exits delta x the mass): an age-a
    cohort holds delta (1 - delta)^a of the mass (so the first-year enterprises, ages below a year,
    are the share delta sum_{a < 4} (1 - delta)^a that entry sustains) and the merged mass
    (1 - delta)^A (0.249 at the defaults).

    The set-up places its cohorts on the aged part: a city-sector's n cohorts get ages spread
    evenly over {0, ..., A - 1} (stratified: the i-th of its n cohorts in row order is
    floor((i + u) A / n) old, u the city-sector's ``offsets`` entry, so each cohort's age is uniform
    on {0, ..., A - 1}, a city-sector's merges come at an even pace and no two city-sectors' are in
    phase), one peak per city-sector such that its masses peak x (1 - delta)^age sum to n (the
    calibrated count of founding cohorts). The merged mass's share is left to form in the cell's
    largest cohort (every merge of the run goes there): a set-up cohort has one productivity draw,
    and one holding a quarter of a city-sector's enterprises would stand for a quarter of its
    calibrated dispersion. So the set-up's aged cohorts stand for all of the mass, and their ages
    imply an entry of delta / (1 - (1 - delta)^A) of it a quarter (1.33 delta); the set-up records the
    first-year enterprises at the rate entry sustains, delta (1 - delta)^k of every cohort's mass for
    k < 4 quarters (``YRDModel._populate``), not as the cohorts younger than a year. (Entrants arrive
    as yearly cohorts in the step, four quarterly ones joined; a city-sector whose entrants are too
    few to staff a cohort of their own adds them to its largest, which then holds the whole
    steady-state mass in the end.)

    Args:
        cell: (F,) city-sector of each cohort (any order; a cohort's rank among its city-sector's
            rows in row order is its stratum).
        exit_rate: delta, the hazard per quarter.
        offsets: (cells,) uniforms on [0, 1), one per city-sector (None: 1/2, the strata's middles).
        share: the merge threshold (:data:`MERGE_SHARE`).

    Returns:
        (age, mass, peak): (F,) quarters since each cohort's peak (int64), its mass and its peak.
    """
    cell = np.asarray(cell, dtype=np.int64)
    lifespan = merge_age(exit_rate, share)
    cells = int(cell.max()) + 1 if cell.size else 0
    if offsets is None:
        offsets = np.full(cells, 0.5)
    offsets = np.asarray(offsets, dtype=float)
    if offsets.shape[0] < cells or (offsets.size and (offsets.min() < 0.0 or offsets.max() >= 1.0)):
        raise ValueError("offsets: one uniform in [0, 1) per city-sector is needed")
    count = np.bincount(cell, minlength=cells)
    order = np.argsort(cell, kind="stable")
    rank = np.empty(cell.size, dtype=np.int64)
    rank[order] = np.arange(cell.size) - np.repeat(np.cumsum(count) - count, count)
    age = np.floor((rank + offsets[cell]) * lifespan / count[cell]).astype(np.int64)
    survival = (1.0 - exit_rate) ** age
    peak = (count / np.maximum(np.bincount(cell, survival, minlength=cells), 1e-300))[cell]
    return age, peak * survival, peak


def entry_intensity(pool: np.ndarray, replacement: np.ndarray, margin: np.ndarray, required: np.ndarray,
                    response: float) -> np.ndarray:
    """(C, S) expected entrants: pool * logistic(response * (margin - required) + logit(R / pool)).

    Args:
        pool: (C, S) potential entrants per quarter.
        replacement: (C, S) entrants wanted at the free-entry margin (R < pool).
        margin: (C, S) margin an entrant expects.
        required: (C, S) free-entry margin (2020).
        response: logit sensitivity to the margin gap.
    """
    share = np.clip(replacement / pool, 1e-9, 1 - 1e-9)
    with np.errstate(invalid="ignore"):
        gap = margin - required
    # a market no entrant can reach has margin -inf: no entry at any positive response; nor where its
    # 2020 margin was -inf too (no firm could have entered then either: the gap is undefined)
    pull = np.where(np.isfinite(gap), response * np.clip(np.nan_to_num(gap), -1e6, 1e6),
                    np.where(response > 0, np.sign(np.nan_to_num(gap)) * 50.0, 0.0))
    index = np.clip(pull + np.log(share / (1 - share)), -50.0, 50.0)
    entrants = pool / (1.0 + np.exp(-index))
    undefined = np.isnan(gap)
    return np.where(undefined, 0.0, entrants) if undefined.any() else entrants


def truncated_normal(lower: np.ndarray, spread: float, uniforms: np.ndarray) -> np.ndarray:
    """Draws of N(0, spread^2) conditional on being at least ``lower`` (inverse CDF)."""
    if spread <= 0:
        return np.zeros_like(uniforms)
    floor = ndtr(lower / spread)
    return spread * ndtri(floor + uniforms * (1.0 - floor))


def zero_profit_cutoff(threshold: np.ndarray, elasticity: np.ndarray, spread: float) -> np.ndarray:
    """Log productivity a below which a firm's variable profit misses its overhead (large cell).

    A firm's revenue relative to its cell's mean is z^(sigma-1) / E[z^(sigma-1) | log z >= a]; it
    breaks even when that ratio equals ``threshold`` (overhead over the margin on revenue). With
    log z ~ N(0, s^2) truncated at a, E[z^(sigma-1)] = exp(((sigma-1) s)^2 / 2) *
    Phi((sigma-1) s - a / s) / Phi(-a / s). Solved by bisection.

    Args:
        threshold: (...) break-even revenue relative to the mean (> 0).
        elasticity: (...) sigma.
        spread: s.
    """
    if spread <= 0:
        return np.full(np.shape(threshold), -np.inf)
    k = elasticity - 1.0
    low = np.full(np.shape(threshold), -8.0 * spread)
    high = np.full(np.shape(threshold), 4.0 * spread)

    def gap(a):
        mean = np.exp((k * spread) ** 2 / 2) * ndtr(k * spread - a / spread) / np.maximum(ndtr(-a / spread), 1e-300)
        return k * a - np.log(threshold * mean)

    for _ in range(80):
        mid = 0.5 * (low + high)
        below = gap(mid) < 0
        low = np.where(below, mid, low)
        high = np.where(below, high, mid)
    # a cutoff at the lower end means no firm of the cell loses money: no truncation
    return np.where(low <= -8.0 * spread + 1e-9, -np.inf, 0.5 * (low + high))


def first_year_weight(exit_rate: float, interest_rate: float, quarters: int = 4) -> float:
    """Share of an entrant's expected discounted revenue that falls in its first ``quarters`` (its
    first year): 1 - rho^n with rho = (1 - exit_rate) / (1 + interest_rate).

    An enterprise with a steady revenue R survives each quarter with probability 1 - delta and
    discounts at r, so its expected discounted revenue is R / (1 - rho) and that of its first n
    quarters R (1 - rho^n) / (1 - rho). A subsidy s x revenue paid during the first n quarters is
    therefore worth a margin of s (1 - rho^n) held for its whole life: the term the entry margin adds
    (Melitz 2003's expected entry value, as a margin on revenue, which is how the margins it is compared
    with are stated). At the defaults (delta 0.015, r 0.01, n 4) the weight is 0.0954: a 10 % entry
    subsidy is worth 0.95 points of margin, not 10. With no hazard and no discounting (rho = 1) a
    first-year subsidy is worth nothing over an infinite life: weight 0.
    """
    if not 0.0 <= exit_rate < 1.0:
        raise ValueError(f"exit_rate: {exit_rate} is out of range; allowed [0, 1)")
    if interest_rate <= -1.0:
        raise ValueError(f"interest_rate: {interest_rate} is out of range; allowed > -1")
    rho = (1.0 - exit_rate) / (1.0 + interest_rate)
    return 1.0 - rho ** quarters
