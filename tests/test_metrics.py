"""Hand-computed cases for the pure metric functions in ydabm.metrics."""

import math

import numpy as np
import pytest

from ydabm import metrics
from ydabm.metrics import (
    gini,
    group_ratio,
    herfindahl,
    krugman_index,
    mean_similarity,
    share_where,
    similarity_matrix,
    theil_decomposition,
    theil_index,
    zipf_exponent,
)

EXACT = 1e-12

# Three cities, two sectors: shares (1, 0), (1/2, 1/2), (0, 1) after row normalisation.
THREE_CITIES = [[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]]


def test_similarity_matrix_hand_case_with_empty_city():
    # Row norms 1, √2, 2, 0. S_01 = 1/(1·√2), S_02 = 0, S_12 = 2/(√2·2) = 1/√2; the empty city is 0.
    matrix = similarity_matrix(THREE_CITIES + [[0.0, 0.0]])
    half_root = 1 / math.sqrt(2)
    expected = np.array(
        [
            [1.0, half_root, 0.0, 0.0],
            [half_root, 1.0, half_root, 0.0],
            [0.0, half_root, 1.0, 0.0],
            [0.0, 0.0, 0.0, 0.0],
        ]
    )
    np.testing.assert_allclose(matrix, expected, atol=EXACT)


def test_similarity_is_scale_free_per_row():
    scaled = np.array(THREE_CITIES) * np.array([[3.0], [0.5], [7.0]])
    expected = similarity_matrix(THREE_CITIES)
    np.testing.assert_allclose(similarity_matrix(scaled), expected, atol=EXACT)


def test_mean_similarity_all_within_across():
    # Pairs: (0,1) = 1/√2, (0,2) = 0, (1,2) = 1/√2. all = (2/√2)/3 = √2/3.
    # Groups [0, 0, 1]: within = pair (0,1) = 1/√2; across = (0 + 1/√2)/2 = 1/(2√2).
    result = mean_similarity(THREE_CITIES, groups=[0, 0, 1])
    assert result["all"] == pytest.approx(math.sqrt(2) / 3, abs=EXACT)
    assert result["within"] == pytest.approx(1 / math.sqrt(2), abs=EXACT)
    assert result["across"] == pytest.approx(1 / (2 * math.sqrt(2)), abs=EXACT)


def test_mean_similarity_empty_pair_sets_give_zero():
    assert mean_similarity(THREE_CITIES, groups=[0, 1, 2])["within"] == 0.0
    assert mean_similarity(THREE_CITIES, groups=[4, 4, 4])["across"] == 0.0
    assert mean_similarity([[1.0, 2.0]]) == {"all": 0.0}


def test_krugman_index_hand_case():
    # K_01 = |1 − ½| + |0 − ½| = 1, K_02 = 1 + 1 = 2, K_12 = 1; mean = 4/3.
    assert krugman_index(THREE_CITIES) == pytest.approx(4 / 3, abs=EXACT)
    assert krugman_index([[2.0, 6.0], [1.0, 3.0]]) == pytest.approx(0.0, abs=EXACT)
    assert krugman_index([[1.0, 1.0]]) == 0.0


def test_herfindahl_hand_case():
    # Shares (¼, ¼, ½): 1/16 + 1/16 + 1/4 = 0.375; a single sector gives 1; an empty city 0.
    result = herfindahl([[1.0, 1.0, 2.0], [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(result, [0.375, 1.0, 0.0], atol=EXACT)


def test_theil_two_units_hand_case():
    # y = (1, 3), N = (1, 1): income shares (¼, ¾), population shares (½, ½).
    # T = ¼ ln(½) + ¾ ln(3/2) = 0.1308120359...
    expected = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert theil_index([1.0, 3.0], [1.0, 1.0]) == pytest.approx(expected, abs=EXACT)
    assert expected == pytest.approx(0.1308120, abs=1e-7)


def test_theil_is_population_weighted():
    # y = (1, 4), N = (1, 2): Y = 1 + 8 = 9, s = (1/9, 8/9), p = (1/3, 2/3).
    # T = (1/9) ln(1/3) + (8/9) ln(4/3) = 0.1336493...; the same as three people with (1, 4, 4).
    expected = math.log(1 / 3) / 9 + 8 * math.log(4 / 3) / 9
    assert theil_index([1.0, 4.0], [1.0, 2.0]) == pytest.approx(expected, abs=EXACT)
    assert theil_index([1.0, 4.0, 4.0], [1.0, 1.0, 1.0]) == pytest.approx(expected, abs=EXACT)


def test_theil_equal_incomes_and_zero_income_give_zero():
    assert theil_index([2.0, 2.0, 2.0], [1.0, 5.0, 9.0]) == pytest.approx(0.0, abs=EXACT)
    assert theil_index([0.0, 0.0], [1.0, 1.0]) == 0.0


def test_theil_decomposition_pure_within_and_pure_between():
    # y = (1, 3, 2, 2) in groups (0, 0, 1, 1): both groups hold half of income and people, so
    # between = 0 and within = ½ · T(1, 3) = total = ⅛ ln ½ + ⅜ ln 3/2.
    within_case = theil_decomposition([1.0, 3.0, 2.0, 2.0], [1.0] * 4, [0, 0, 1, 1])
    expected = math.log(0.5) / 8 + 3 * math.log(1.5) / 8
    assert within_case["total"] == pytest.approx(expected, abs=EXACT)
    assert within_case["within"] == pytest.approx(expected, abs=EXACT)
    assert within_case["between"] == pytest.approx(0.0, abs=EXACT)
    # y = (1, 1, 3, 3): equal inside groups, so within = 0 and between = total = T(1, 3).
    between_case = theil_decomposition([1.0, 1.0, 3.0, 3.0], [1.0] * 4, [0, 0, 1, 1])
    assert between_case["within"] == pytest.approx(0.0, abs=EXACT)
    two_units = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert between_case["between"] == pytest.approx(two_units, abs=EXACT)


def test_theil_decomposition_adds_up():
    rng = np.random.default_rng(20240101)
    income = rng.lognormal(mean=10.0, sigma=0.6, size=41)
    people = rng.integers(50, 2500, size=41).astype(float)
    provinces = rng.integers(0, 4, size=41)
    parts = theil_decomposition(income, people, provinces)
    assert parts["total"] == pytest.approx(theil_index(income, people), abs=EXACT)
    assert parts["within"] + parts["between"] == pytest.approx(parts["total"], abs=EXACT)
    assert parts["within"] > 0 and parts["between"] > 0


def test_gini_hand_cases():
    # (1, 2, 3, 4): Σ_i Σ_j |x_i − x_j| = 2·(1+2+3+1+2+1) = 20; G = 20 / (2·4²·2.5) = 0.25.
    assert gini([1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.25, abs=EXACT)
    # One of four holds everything: G = (n − 1)/n = 0.75.
    assert gini([0.0, 0.0, 0.0, 1.0]) == pytest.approx(0.75, abs=EXACT)
    assert gini([5.0, 5.0, 5.0]) == pytest.approx(0.0, abs=EXACT)
    assert gini([0.0, 0.0]) == 0.0
    assert gini([]) == 0.0


def test_gini_integer_weights_repeat_values():
    # (1, 3) with weights (2, 1) is (1, 1, 3): mean 5/3, Σ|x_i − x_j| = 8, G = 8 / (2·9·5/3) = 4/15.
    assert gini([1.0, 3.0], weights=[2.0, 1.0]) == pytest.approx(4 / 15, abs=EXACT)
    assert gini([1.0, 1.0, 3.0]) == pytest.approx(4 / 15, abs=EXACT)


def test_gini_matches_brute_force_mean_absolute_difference():
    rng = np.random.default_rng(7)
    values = rng.lognormal(size=57)
    weights = rng.uniform(0.1, 3.0, size=57)
    differences = np.abs(values[:, None] - values[None, :])
    unweighted = differences.sum() / (2 * values.size**2 * values.mean())
    assert gini(values) == pytest.approx(unweighted, abs=EXACT)
    mean = np.sum(weights * values) / weights.sum()
    weighted = (np.outer(weights, weights) * differences).sum() / (2 * weights.sum() ** 2 * mean)
    assert gini(values, weights) == pytest.approx(weighted, abs=EXACT)


def test_zipf_exponent_hand_cases():
    # Sizes (e, 1): ln size = (1, 0), ln(rank − ½) = (ln ½, ln 3/2); slope = ln ½ − ln 3/2 = −ln 3.
    assert zipf_exponent([1.0, math.e]) == pytest.approx(math.log(3), abs=EXACT)
    # Sizes (e², e, 1): equally spaced ln sizes, so the OLS slope is the end-to-end slope
    # (ln ½ − ln 5/2) / 2 = −ln 5 / 2 = −0.8047.
    assert zipf_exponent([math.e**2, math.e, 1.0]) == pytest.approx(math.log(5) / 2, abs=EXACT)


def test_zipf_exponent_on_exact_rank_size_rules():
    # For sizes = 1/rank the regression of ln(rank − ½) on ln(rank) has slope just above 1 because
    # ln(r − ½) − ln r = ln(1 − 1/(2r)) shrinks with r; with 1000 ranks it is 1.0121 (with 41 ranks
    # 1.105), so |b − 1| < 0.02.
    ranks = np.arange(1, 1001)
    zipf = zipf_exponent(1 / ranks)
    assert abs(zipf - 1) < 0.02
    # Squaring sizes doubles every ln(size), so b halves exactly: ≈ 0.506.
    assert zipf_exponent(1 / ranks**2) == pytest.approx(zipf / 2, abs=EXACT)
    assert abs(zipf_exponent(1 / ranks**2) - 0.5) < 0.01


def test_zipf_exponent_on_pareto_sample():
    # Pareto tail exponent 1 (Zipf); the GI standard error is b·sqrt(2/n) = 0.014 for n = 10 000,
    # so a 0.05 tolerance is about 3.5 standard errors.
    sizes = np.random.default_rng(11).pareto(1.0, size=10_000) + 1.0
    assert zipf_exponent(sizes) == pytest.approx(1.0, abs=0.05)


def test_zipf_exponent_rejects_degenerate_input():
    with pytest.raises(ValueError, match="distinct"):
        zipf_exponent([3.0, 3.0, 3.0])
    with pytest.raises(ValueError, match="positive"):
        zipf_exponent([3.0, 0.0, 1.0])


def test_share_where_off_diagonal():
    # Total 0 + 2 + 3 + 5 = 10, off-diagonal 2 + 3 = 5: share 0.5.
    flows = [[0.0, 2.0], [3.0, 5.0]]
    assert share_where(flows, ~np.eye(2, dtype=bool)) == pytest.approx(0.5, abs=EXACT)
    assert share_where(np.zeros((2, 2)), np.ones((2, 2), dtype=bool)) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        share_where([[0.0, -1.0], [1.0, 0.0]], np.ones((2, 2), dtype=bool))


def test_metrics_do_not_mutate_inputs():
    shares = np.array(THREE_CITIES)
    income, people = np.array([1.0, 3.0, 2.0]), np.array([2.0, 1.0, 4.0])
    groups = np.array([0, 0, 1])
    originals = [array.copy() for array in (shares, income, people, groups)]
    similarity_matrix(shares)
    mean_similarity(shares, groups)
    krugman_index(shares)
    herfindahl(shares)
    theil_decomposition(income, people, groups)
    gini(income, people)
    zipf_exponent(income)
    share_where(shares[:, :1] @ shares[:, :1].T, np.eye(3, dtype=bool))
    for before, after in zip(originals, (shares, income, people, groups)):
        np.testing.assert_array_equal(before, after)


def test_group_ratio_is_income_per_person_inside_over_outside():
    # core: 300 income over 100 people (3 per head); rest: 200 over 200 (1 per head)
    assert group_ratio([100, 200, 150, 50], [50, 50, 150, 50], [True, True, False, False]) == pytest.approx(3.0)
    assert group_ratio([1, 2], [1, 1], [False, False]) == 1.0      # no core: no gap


def test_theil_between_is_exactly_zero_with_one_group():
    # one group (a two-city world in one province): the between part is 0, not a rounding residue
    # (the raw group shares of these 41 cities sum to 1 - 2e-16 and gave -2.2e-16, outside [0, inf))
    rng = np.random.default_rng(0)
    income, population = rng.random(41) * 1e5, rng.random(41) * 1e6
    parts = theil_decomposition(income, population, np.zeros(41, dtype=int))
    assert parts["between"] == 0.0
    assert parts["within"] == pytest.approx(parts["total"], rel=1e-12)


def test_group_weighted_means_by_hand():
    # group 0: (1 x 2 + 3 x 6) / 8 = 2.5; group 1: 4; group 2: no weight -> NaN
    means = metrics.group_weighted_means([1.0, 3.0, 4.0, 9.0], [2.0, 6.0, 1.0, 0.0], [0, 0, 1, 2], 3)
    assert means[:2] == pytest.approx([2.5, 4.0]) and np.isnan(means[2])


def test_aggregate_productivity_by_hand():
    base = np.log([2.0, 3.0])
    # sector 0 (share 0.25) up 10 % in log terms, sector 1 (0.75) unchanged: exp(0.025)
    assert metrics.aggregate_productivity(base + [0.1, 0.0], base, [0.25, 0.75]) == pytest.approx(np.exp(0.025))
    assert metrics.aggregate_productivity(base, base, [0.25, 0.75]) == 1.0
    # a sector with no output now contributes no change
    assert metrics.aggregate_productivity([np.nan, base[1] - 0.2], base, [0.25, 0.75]) == pytest.approx(np.exp(-0.15))
    # output moving to the more productive of two firms raises the sector's mean: Olley-Pakes reallocation
    log_phi, sector = np.log([1.0, 2.0]), [0, 0]
    before = metrics.group_weighted_means(log_phi, [1.0, 1.0], sector, 1)
    after = metrics.group_weighted_means(log_phi, [1.0, 3.0], sector, 1)
    assert metrics.aggregate_productivity(after, before, [1.0]) == pytest.approx(2.0 ** 0.25)
