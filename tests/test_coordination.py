"""The coordination scenarios of issue 11 item 7 against the baseline, on matched seeds at the default
scale: manufacturing similarity over the last 8 of 40 quarters, the effect at least three standard
errors from zero (docs/validation.md, "Coordination scenarios")."""

import numpy as np
import pytest

from ydabm.scenarios import scenario_model

SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40


def _similarity(seed: int, scenario: str | None) -> float:
    model = scenario_model(scenario, seed)
    for _ in range(QUARTERS):
        model.step()
    return float(model.datacollector.get_model_vars_dataframe()["similarity_manufacturing"].iloc[-8:].mean())


@pytest.fixture(scope="module")
def baseline():
    return np.array([_similarity(seed, None) for seed in SEEDS])


def _effect(scenario: str, baseline: np.ndarray) -> tuple[float, float]:
    diff = np.array([_similarity(seed, scenario) for seed in SEEDS]) - baseline
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size))


@pytest.mark.slow
def test_coordinated_targets_lower_similarity(baseline):
    # observed: -0.0446 +- 0.0006 (seeds 1-5; compare's five seeds: -0.0456, 95 % CI -0.048 to -0.043)
    effect, se = _effect("coordinated_targets", baseline)
    assert effect < -3 * se, (effect, se)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 7: the provincial division of labour raises manufacturing similarity (+0.0092 +- 0.0003, "
    "seeds 1-5; +0.0090, 95 % CI 0.0075-0.0104 on compare's seeds; all-sector similarity +0.0018, the Krugman "
    "index within noise). "
    "Two mechanisms: Shanghai's role (finance) takes its support off manufacturing (support on manufacturing "
    "1.94 -> 0.02 sector-equivalents), so its electronics and machinery, held up by support, shrink towards "
    "the region's mix (Shanghai's pairs +0.02 to +0.03); and each province's cities share one role, so "
    "they converge on it (Anhui-Anhui +0.015 on new energy, Jiangsu-Jiangsu +0.015 on the listed sectors, "
    "which most cities already back). Roles by province are not specialisation by city (seeds 1-3, "
    "40 quarters; scripts/province_pairs.py). Between the provinces' own structures (their cities summed, "
    "the published coefficients' level) it lowers Anhui-Jiangsu, Anhui-Zhejiang and Jiangsu-Zhejiang "
    "similarity (-0.0087, -0.0033, -0.0019, each over 3 se, seeds 1-5, 6 Dec 2026) while Shanghai's pairs rise"))
def test_division_of_labor_lowers_similarity(baseline):
    effect, se = _effect("division_of_labor", baseline)
    assert effect < -3 * se, (effect, se)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 7: since farming is a two-way occupational choice (8 Dec 2026, fifty-fourth session) the "
    "division of labour allotted by comparative advantage lowers manufacturing similarity by 0.00088 +- 0.00048 "
    "(seeds 1-5, 1.8 se; the test asks 3), against 0.00154 +- 0.00049 (3.2 se) before: an effect at the edge "
    "of the noise, half of it offset by Shanghai's finance role, now under the three standard errors"))
def test_division_of_labor_allotted_by_advantage_lowers_similarity(baseline):
    # each province's role sectors go to its cities with a revealed comparative advantage in them
    # (division_of_labor_by_advantage). Observed -0.00154 +- 0.00049 (seeds 1-5, t -3.2; seeds 6-10
    # -0.00119 +- 0.00028): the cities of a province no longer converge on its role (Anhui-Anhui -0.005
    # against +0.015 with every city taking it), while Shanghai's finance role still raises its pairs
    # (+0.017 to +0.020) and offsets half of it (docs/validation.md, "Coordination scenarios")
    effect, se = _effect("division_of_labor_by_advantage", baseline)
    assert effect < -3 * se, (effect, se)
