"""Pure metric functions over arrays: structure similarity, specialisation, inequality, city sizes.

Every function takes array-likes, never mutates its inputs and returns a float or a new numpy
array. Rows are cities (C of them) and columns are sectors (S of them) wherever a matrix of
sector employment is expected; such matrices may hold levels or shares, since every structure
metric here normalises rows itself.
"""

import functools

import numpy as np


def _row_shares(values):
    """Divide each row by its sum; rows summing to zero stay all zero."""
    matrix = np.asarray(values, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals != 0)


@functools.lru_cache(maxsize=8)
def _upper_pairs(count):
    """Index arrays (i, j) of all unordered pairs i < j among `count` items (read-only: built once
    per count, as the metrics of every step ask for the same pairs)."""
    pairs = np.triu_indices(count, k=1)
    for index in pairs:
        index.flags.writeable = False
    return pairs


def similarity_matrix(shares):
    """UNIDO industrial structure similarity coefficient between every pair of cities.

    S_ij = Σ_k x_ik x_jk / sqrt(Σ_k x_ik² · Σ_k x_jk²), the cosine of the angle between the
    sector vectors of cities i and j (UNIDO International Centre for Industrial Studies 1979,
    the usual measure of "homogeneous competition" between Yangtze River Delta cities). It lies
    in [0, 1] for non-negative input: 1 means identical structure, 0 means no sector in common.

    Args:
        shares: (C, S) non-negative sector employment of each city, in persons or as shares
            (the coefficient is scale-free per row).

    Returns:
        (C, C) symmetric array. A row of all zeros has similarity 0 with every city,
        itself included; every other diagonal entry is 1.
    """
    matrix = np.asarray(shares, dtype=float)
    norms = np.sqrt((matrix**2).sum(axis=1))
    denominator = np.outer(norms, norms)
    products = matrix @ matrix.T
    return np.divide(products, denominator, out=np.zeros_like(products), where=denominator > 0)


def mean_similarity(shares, groups=None):
    """Mean UNIDO similarity coefficient over pairs of cities, overall and by group.

    Args:
        shares: (C, S) non-negative sector employment or shares (see `similarity_matrix`).
        groups: optional length-C integer labels, e.g. province ids.

    Returns:
        dict with key `all`, the mean of S_ij over all unordered pairs i < j, and when `groups`
        is given also `within` (pairs with the same label) and `across` (pairs with different
        labels). A key whose set of pairs is empty (fewer than two cities, or no pair of that
        kind) is 0.0, not NaN.
    """
    similarity = similarity_matrix(shares)
    first, second = _upper_pairs(similarity.shape[0])
    values = similarity[first, second]
    result = {"all": _mean_or_zero(values)}
    if groups is not None:
        labels = np.asarray(groups)
        same = labels[first] == labels[second]
        result["within"] = _mean_or_zero(values[same])
        result["across"] = _mean_or_zero(values[~same])
    return result


def _mean_or_zero(values):
    """Mean of a 1-d array, or 0.0 when it is empty."""
    return float(values.mean()) if values.size else 0.0


def krugman_index(shares):
    """Krugman specialisation index averaged over all pairs of cities.

    K_ij = Σ_k |s_ik − s_jk| with s the row-normalised sector shares (Krugman 1991,
    "Geography and Trade", ch. 3). K_ij is 0 for identical structures and 2 for cities with no
    sector in common; a falling mean signals convergent (homogeneous) structures.

    Args:
        shares: (C, S) non-negative sector employment or shares. A row of zeros is treated as
            all-zero shares, so its K with any non-empty city is 1.

    Returns:
        Mean of K_ij over unordered pairs i < j, in [0, 2]; 0.0 with fewer than two cities.
    """
    normalised = _row_shares(shares)
    first, second = _upper_pairs(normalised.shape[0])
    distances = np.abs(normalised[first] - normalised[second]).sum(axis=1)
    return _mean_or_zero(distances)


def herfindahl(shares):
    """Herfindahl–Hirschman concentration of each city's sector structure.

    H_i = Σ_k s_ik² with s the row-normalised sector shares (Herfindahl 1950; Hirschman 1964).
    It runs from 1/S (employment spread evenly over S sectors) to 1 (one sector only).

    Args:
        shares: (C, S) non-negative sector employment or shares.

    Returns:
        (C,) array; 0.0 for a row of zeros.
    """
    return (_row_shares(shares) ** 2).sum(axis=1)


def _theil_terms(income_per_capita, population):
    """Income shares s_i and population shares p_i, checked for non-negative input."""
    income = np.asarray(income_per_capita, dtype=float)
    people = np.asarray(population, dtype=float)
    if np.any(income < 0) or np.any(people < 0):
        raise ValueError("theil index needs non-negative income_per_capita and population")
    total_income = income * people
    income_shares = total_income / total_income.sum() if total_income.sum() > 0 else total_income
    population_shares = people / people.sum() if people.sum() > 0 else people
    return income_shares, population_shares


def _theil_from_shares(income_shares, population_shares):
    """Σ_i s_i ln(s_i / p_i), with terms where s_i = 0 taken at their limit 0."""
    positive = income_shares > 0
    ratio = income_shares[positive] / population_shares[positive]
    return float(np.sum(income_shares[positive] * np.log(ratio)))


def theil_index(income_per_capita, population):
    """Population-weighted Theil T index of per-capita income across units.

    T = Σ_i (Y_i / Y) ln((Y_i / Y) / (N_i / N)) with Y_i = y_i N_i the unit's total income
    (Theil 1967; Shorrocks 1980). 0 when every unit has the same income per head, ln(N / N_i)
    at most when one unit holds all income.

    Args:
        income_per_capita: (C,) non-negative income per person y_i, in any currency unit.
        population: (C,) non-negative population N_i, in persons.

    Returns:
        The index, dimensionless and >= 0; 0.0 when total income is zero.
    """
    return _theil_from_shares(*_theil_terms(income_per_capita, population))


def _unit_sum(shares):
    """``shares`` rescaled to sum to exactly 1 (unchanged when they sum to 0: no income at all)."""
    total = shares.sum()
    return shares / total if total > 0 else shares


def theil_decomposition(income_per_capita, population, groups):
    """Exact additive decomposition of the Theil T index into within- and between-group parts.

    between = Σ_g s_g ln(s_g / p_g) over group income shares s_g and population shares p_g,
    within = Σ_g s_g T_g with T_g the Theil index inside group g (Theil 1967; Shorrocks 1980),
    so total == within + between up to rounding.

    Args:
        income_per_capita: (C,) non-negative income per person.
        population: (C,) non-negative population, in persons.
        groups: (C,) labels, e.g. province ids.

    Returns:
        dict with keys `total`, `within` and `between`.
    """
    income_shares, population_shares = _theil_terms(income_per_capita, population)
    labels = np.asarray(groups)
    members = [labels == label for label in np.unique(labels)]
    group_income = np.array([income_shares[member].sum() for member in members])
    group_population = np.array([population_shares[member].sum() for member in members])
    inside = [_theil_inside(income_shares[member], population_shares[member]) for member in members]
    return {
        "total": _theil_from_shares(income_shares, population_shares),
        "within": float(np.dot(group_income, inside)),
        # the group shares renormalised to sum to 1 exactly: with one group both are 1 and the
        # between part is 0, not a rounding residue of either sign
        "between": _theil_from_shares(_unit_sum(group_income), _unit_sum(group_population)),
    }


def _theil_inside(income_shares, population_shares):
    """Theil index of a subgroup from its members' shares of the overall totals."""
    income_total, population_total = income_shares.sum(), population_shares.sum()
    if income_total == 0:
        return 0.0
    return _theil_from_shares(income_shares / income_total, population_shares / population_total)


def gini(values, weights=None):
    """(Weighted) Gini coefficient.

    G = Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ) with W = Σ w_i and μ = Σ w_i x_i / W, the
    mean-absolute-difference definition (Gini 1912; QuantEcon `gini_coefficient`). Unweighted,
    G = Σ_i Σ_j |x_i − x_j| / (2 n² μ), so one unit holding everything gives (n − 1) / n.
    Computed in O(n log n) from the sorted values: the double sum equals
    2 Σ_i w_i x_i (2 W_i − w_i − W) with W_i the cumulative weight up to and including i.

    Args:
        values: (n,) non-negative quantities, e.g. income per person.
        weights: optional (n,) non-negative weights, e.g. population; integer weights act as
            repeating each value that many times.

    Returns:
        G in [0, 1); 0.0 when there are no values, total weight is zero or the mean is zero.
    """
    amounts = np.asarray(values, dtype=float)
    masses = np.ones_like(amounts) if weights is None else np.asarray(weights, dtype=float)
    if np.any(amounts < 0) or np.any(masses < 0):
        raise ValueError("gini needs non-negative values and weights")
    order = np.argsort(amounts, kind="stable")
    amounts, masses = amounts[order], masses[order]
    total_weight = masses.sum()
    weighted_total = np.sum(masses * amounts)
    if total_weight == 0 or weighted_total == 0:
        return 0.0
    cumulative = np.cumsum(masses)
    spread = np.sum(masses * amounts * (2 * cumulative - masses - total_weight))
    return float(spread / (total_weight * weighted_total))


def zipf_exponent(sizes):
    """Rank–size (Zipf) exponent by the Gabaix–Ibragimov regression.

    OLS of ln(rank − 1/2) = a − b ln(size) with ranks 1..n from the largest size down
    (Gabaix & Ibragimov 2011, J. Bus. Econ. Stat. 29(1)); the 1/2 shift removes most of the
    small-sample bias of the plain rank–size regression. b ≈ 1 is Zipf's law; b < 1 means
    sizes are more unequal than Zipf.

    Args:
        sizes: (n,) positive city sizes, e.g. population in persons.

    Returns:
        b, positive for any non-degenerate input.

    Raises:
        ValueError: if any size is not positive, or fewer than two distinct sizes are given
            (the slope is then undefined).
    """
    ordered = np.sort(np.asarray(sizes, dtype=float))[::-1]
    if np.any(ordered <= 0):
        raise ValueError("zipf_exponent needs positive sizes")
    if np.unique(ordered).size < 2:
        raise ValueError("zipf_exponent needs at least two distinct sizes")
    log_rank = np.log(np.arange(1, ordered.size + 1) - 0.5)
    slope = np.polyfit(np.log(ordered), log_rank, deg=1)[0]
    return float(-slope)


def share_where(flows, mask):
    """Share of a flow matrix's total that lies on the masked entries.

    Used for the inter-provincial share of trade and of migration: pass a mask that is True
    where origin and destination are in different provinces.

    Args:
        flows: (C, C) non-negative flows (goods value or persons), origin by destination.
        mask: (C, C) booleans selecting the entries to count.

    Returns:
        Σ flows[mask] / Σ flows, in [0, 1]; 0.0 when the total flow is zero.
    """
    matrix = np.asarray(flows, dtype=float)
    selected = np.asarray(mask, dtype=bool)
    if matrix.shape != selected.shape:
        raise ValueError(f"flows shape {matrix.shape} and mask shape {selected.shape} differ")
    if np.any(matrix < 0):
        raise ValueError("share_where needs non-negative flows")
    total = matrix.sum()
    return float(matrix[selected].sum() / total) if total > 0 else 0.0


def group_ratio(income, population, group):
    """Income per person inside ``group`` over income per person outside it (1.0 if either is empty).

    Args:
        income: (C,) total income of each unit, any currency unit.
        population: (C,) population of each unit, persons.
        group: (C,) bool, True for the units of the group (e.g. the core cities).

    Returns:
        (sum_g Y / sum_g N) / (sum_rest Y / sum_rest N), dimensionless.
    """
    income, population, group = np.asarray(income, float), np.asarray(population, float), np.asarray(group, bool)
    inside, outside = population[group].sum(), population[~group].sum()
    if inside <= 0 or outside <= 0 or income[~group].sum() <= 0:
        return 1.0
    return float((income[group].sum() / inside) / (income[~group].sum() / outside))


def utilization(output, capacity):
    """Aggregate capacity utilisation sum(output) / sum(capacity); 1.0 where there is no capacity
    (no capital firm, or all capacity gone: nothing stands idle)."""
    total = float(np.sum(capacity))
    return float(np.sum(output)) / total if total > 0 else 1.0


def group_weighted_means(values, weights, group, groups, totals=False):
    """(groups,) the ``weights``-weighted mean of ``values`` within each group; NaN for a group whose
    weights sum to 0 (no member, or none with weight). With ``totals``, also (groups,) the weights'
    sums: ``(means, totals)``.

    Args:
        values, weights: (N,) per member; weights >= 0.
        group: (N,) each member's group, 0..groups-1.
        groups: the number of groups.
    """
    values, weights, group = np.asarray(values, float), np.asarray(weights, float), np.asarray(group)
    total = np.bincount(group, weights, minlength=groups)
    weighted = np.bincount(group, weights * values, minlength=groups)
    means = np.full(groups, np.nan)
    np.divide(weighted, total, out=means, where=total > 0)
    return (means, total) if totals else means


def aggregate_productivity(log_means, base_log_means, base_weights):
    """Output-weighted aggregate productivity relative to a base (Olley & Pakes 1996, aggregated over
    sectors at fixed weights): exp(sum_s w_s (m_s - m0_s)), where m_s is sector s's output-weighted mean
    log productivity now, m0_s at the base and w_s the sector's base share of output. A sector with no
    output now contributes no change. 1 at the base.

    Args:
        log_means, base_log_means: (S,) output-weighted mean log productivity by sector, now and at the
            base (:func:`group_weighted_means`; NaN where a sector has no output).
        base_weights: (S,) each sector's share of output at the base (sums to 1 over sectors with output).
    """
    change = np.asarray(log_means, float) - np.asarray(base_log_means, float)
    change = np.where(np.isfinite(change), change, 0.0)
    return float(np.exp((np.asarray(base_weights, float) * change).sum()))


#: where intermediate inputs come from, nearest first (supply-chain autonomy, seed paper section 4.3)
INPUT_ORIGINS = ("city", "province", "other_provinces", "rest_of_china", "abroad")


def input_sourcing(region, rest_of_china, abroad, flows, province_index, by_city=False):
    """Intermediate inputs bought by each sector, by origin (yuan).

    Region inputs of sector k bought by city j split over supplier cities i with the shares of j's
    purchases of k in the goods market, flows[k, i, j] / sum_i flows[k, i, j] (firms buy with the
    same CES weights as final buyers).

    Args:
        region: (C, S, K) purchases from the region's market by buyer city, buyer sector and input.
        rest_of_china, abroad: (C, S) purchases from outside the region by buyer city and sector.
        flows: (K, C, C) goods-market spending of buyer j on sector k from supplier i.
        province_index: (C,) province of each city.
        by_city: sum over buying sectors instead of buying cities.

    Returns:
        (5, S) inputs of each buying sector (or (5, C) of each buying city) from :data:`INPUT_ORIGINS`.
    """
    total = flows.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total > 0, flows / total, 0.0)               # (K, C_i, C_j)
    cities = province_index.size
    same_city = np.eye(cities, dtype=bool)
    same_province = (province_index[:, None] == province_index[None, :]) & ~same_city
    near = [np.where(mask[None, :, :], shares, 0.0).sum(axis=1) for mask in
            (same_city, same_province, ~same_province & ~same_city)]   # each (K, C_j)
    axis, spec = (1, "jsk,kj->j") if by_city else (0, "jsk,kj->s")
    by_region = [np.einsum(spec, region, part) for part in near]
    return np.array([*by_region, rest_of_china.sum(axis=axis), abroad.sum(axis=axis)])
