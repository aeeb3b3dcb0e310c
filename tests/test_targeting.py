"""How the specialization lever moves the governments' support allocation (issue 11 items 1, 8):
hand-computed cases of the switch between a sector on the lists and one of advantage."""

import numpy as np
import pytest

from ydabm.mechanisms import targeting


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def test_the_switch_is_a_logistic_in_specialization_with_the_derived_centre_width_and_steepest_step():
    # one city, two sectors, budget 1, no imitation: sector 0 on the list (prestige 1, scaled advantage
    # 2/11), sector 1 off it (advantage 1). Score gap G(w) = (1 - w) x 1 - w x 9/11, so P = 1, A = 9/11:
    # centre w* = 1 / (1 + 9/11) = 0.55, slope beta (P + A) = 7 x 20/11 = 12.727
    strategic = np.array([1.0, 0.0])
    advantage = np.array([[2 / 11, 1.0]])
    eligible = np.ones(2, dtype=bool)
    levels = np.round(np.linspace(0, 1, 11), 10)
    listed = np.array([targeting.allocate_support(
        targeting.target_scores(advantage, strategic, np.zeros((1, 2)), w, imitation=0.0), eligible, 1, 7.0)[0, 0]
        for w in levels])
    assert listed == pytest.approx(_logistic(7 * ((1 - levels) - levels * 9 / 11)))
    t = targeting.transition(1.0, 9 / 11, 7.0)
    assert t["centre"] == pytest.approx(0.55)
    assert t["width"] == pytest.approx(np.log(81) / (7 * 20 / 11))             # 0.345 of the lever
    assert t["step_ratio"] == pytest.approx(10 * np.tanh(7 * 20 / 11 * 0.1 / 4))  # 3.078
    # the centre lies mid-step, so the steepest step (0.5 -> 0.6) is tanh(beta (P + A) h / 4) = 0.3078 and
    # it is about three mean steps (3.09: the switch is 99.6 % complete inside [0, 1])
    steps = -np.diff(listed)
    assert np.argmax(steps) == 5 and steps.max() == pytest.approx(np.tanh(12.727272 * 0.025), rel=1e-6)
    assert steps.max() / steps.mean() == pytest.approx(3.091, abs=0.001)
    # the calibration's range of beta: 4.1 gives 10 tanh(0.186) = 1.84 mean steps, 20 gives 10 tanh(0.909) = 7.21
    assert targeting.transition(1.0, 9 / 11, np.array([4.1, 20.0]))["step_ratio"] == pytest.approx(
        10 * np.tanh(np.array([4.1, 20.0]) * 20 / 11 * 0.025))
    assert targeting.transition(1.0, 9 / 11, np.array([4.1, 20.0]))["step_ratio"] == pytest.approx([1.84, 7.21], abs=0.005)


def test_transition_without_a_conflict_has_no_centre():
    t = targeting.transition(np.array([0.0, 0.5]), np.array([0.0, 0.5]), 7.0)
    assert np.isnan(t["centre"][0]) and t["centre"][1] == pytest.approx(0.5)
    assert np.isinf(t["width"][0]) and t["step_ratio"][0] == 0.0


def test_a_one_sector_city_moves_its_remaining_budget_to_its_runner_up_sectors_at_full_specialization():
    # what made manufacturing similarity rise from specialization 0.75 to 1 while the budget was counted in
    # sectors (until b9091e0): a city with one dominant sector (scaled advantage 1) keeps it fully supported
    # at both values; its other two sector-equivalents go to the listed sectors (prestige 1, advantage 0.1)
    # at 0.75 and to its runner-up sectors by advantage (0.3, off the lists) at 1. No imitation, budget 3,
    # beta 7, equal sizes (the end of the test: large runner-ups).
    strategic = np.array([0.0, 1.0, 1.0, 0.0, 0.0])
    advantage = np.array([[1.0, 0.1, 0.1, 0.3, 0.3]])
    eligible = np.ones(5, dtype=bool)

    def support(w):
        scores = targeting.target_scores(advantage, strategic, np.zeros((1, 5)), w, imitation=0.0)
        return targeting.allocate_support(scores, eligible, 3, 7.0)[0]

    # 0.75: scores 0.75, 0.325, 0.325, 0.225, 0.225; the rest of the budget (2) in proportion to exp(7 score):
    # each listed sector 1 / (1 + e^-0.7) = 0.668, each runner-up 0.332 (the top's weight x lambda = 13 > 1: capped)
    assert support(0.75) == pytest.approx([1.0, *[_logistic(0.7)] * 2, *[_logistic(-0.7)] * 2])
    # 1: scores 1, 0.1, 0.1, 0.3, 0.3: each listed sector 1 / (1 + e^1.4) = 0.198, each runner-up 0.802
    assert support(1.0) == pytest.approx([1.0, *[_logistic(-1.4)] * 2, *[_logistic(1.4)] * 2])
    # counted in the city's mean sector, large runner-ups (the region's large sectors) cost their size:
    # sizes 4, 1, 1, 3, 3 (mean 2.4, budget 7.2). At 1 the top (size 4) is backed fully and the other 3.2 is
    # spread as lambda exp(7 score): each runner-up 3.2 / (2 x 3 + 2 x 1 x e^-1.4) = 0.493 (0.802 with equal
    # sizes), each listed sector 0.493 e^-1.4 = 0.122; spending is the budget at both values
    size = np.array([[4.0, 1.0, 1.0, 3.0, 3.0]])

    def weighted(w):
        scores = targeting.target_scores(advantage, strategic, np.zeros((1, 5)), w, imitation=0.0)
        return targeting.allocate_support(scores, eligible, 3, 7.0, size)[0]

    for w in (0.75, 1.0):
        assert (weighted(w) * size[0]).sum() == pytest.approx(3 * size.sum() / 5)
    runner_up = 3.2 / (6 + 2 * np.exp(-1.4))
    assert weighted(1.0) == pytest.approx([1.0, *[runner_up * np.exp(-1.4)] * 2, *[runner_up] * 2])
    assert weighted(1.0)[3] < support(1.0)[3]


def test_balassa_index_by_hand():
    # two cities, two sectors: the region is 60 / 40; city 0 is 90 / 10, city 1 is 30 / 70 (of 100 each)
    structure = np.array([[90.0, 10.0], [30.0, 70.0]])
    np.testing.assert_allclose(targeting.balassa(structure), [[0.9 / 0.6, 0.1 / 0.4], [0.3 / 0.6, 0.7 / 0.4]])
    # scaled by each city's best sector
    np.testing.assert_allclose(targeting.revealed_advantage(structure), [[1.0, 0.25 / 1.5], [0.5 / 1.75, 1.0]])


def test_a_province_allots_its_role_by_comparative_advantage():
    from ydabm.policies import role_bonus
    # province A: cities 0-2, province B: city 3; sectors x (column 0) and y (column 1)
    advantage = np.array([[1.5, 0.4], [0.8, 1.2], [1.0, 0.9], [0.3, 0.2]])
    provinces = ["A", "A", "A", "B"]
    index = {"x": 0, "y": 1}.__getitem__
    roles = {"A": ["x"], "B": ["y"], "C": ["x"]}                  # C has no city: no effect
    # 0: every city of the province takes its role
    np.testing.assert_array_equal(role_bonus(roles, 2.0, 0.0, provinces, index, advantage),
                                  [[2, 0], [2, 0], [2, 0], [0, 2]])
    # 1: the cities with an index of at least 1 (0 and 2 in A); B's only city is below 1, and the
    # province's highest takes the role
    np.testing.assert_array_equal(role_bonus(roles, 2.0, 1.0, provinces, index, advantage),
                                  [[2, 0], [0, 0], [2, 0], [0, 2]])
    # above every index: each province's highest city alone
    np.testing.assert_array_equal(role_bonus(roles, 2.0, 10.0, provinces, index, advantage),
                                  [[2, 0], [0, 0], [0, 0], [0, 2]])
