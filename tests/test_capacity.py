"""Capacity under demand uncertainty (issue 11, item 3): the newsvendor's capacity, the lognormal's
expected sales against Monte Carlo, a goods market whose cohorts' enterprises sell up to their own
capacity, and overcapacity from governments targeting the same sectors."""

import numpy as np
import pytest

from ydabm import YRDModel
from ydabm.markets import goods
from ydabm.mechanisms import planning
from ydabm.params import ParameterError, Params


def test_newsvendor_capacity_on_a_hand_computed_case():
    # r = 0.01, delta = 0.015, kappa = 4, sigma = 5: c* = 0.025 * 4 * 5 = 0.5; the median of a lognormal
    # with mean 1 and log sd 0.5 is exp(-0.125): q = 0.8825. A capacity subsidy of 0.2 at full support:
    # c* = 0.4, Phi^-1(0.4) = -0.253347, q = exp(-0.125 + 0.5 * 0.253347) = exp(0.0016735) = 1.001675
    critical = planning.critical_ratio(0.01, 0.015, np.array([4.0, 4.0]), np.array([5.0, 5.0]), np.array([0.0, 0.2]))
    np.testing.assert_allclose(critical, [0.5, 0.4])
    ratio = planning.capacity_ratio(critical, 0.5)
    np.testing.assert_allclose(ratio, [np.exp(-0.125), np.exp(0.0016735)], rtol=1e-6)
    # the marginal condition: P(demand > K) x (p - c) = user cost, with p = 10, c = 8 (sigma 5 markup),
    # capital 4 x 10 per unit: P = 0.025 * 40 / 2 = 0.5; the subsidised unit costs 0.8 of that
    rng = np.random.default_rng(0)
    shock = np.exp(rng.normal(-0.125, 0.5, 2_000_000))
    beyond = (shock[:, None] > ratio[None, :]).mean(axis=0)
    np.testing.assert_allclose(beyond * (10.0 - 8.0), [0.025 * 40, 0.8 * 0.025 * 40], atol=0.004)
    # no capital: no capacity limit; no uncertainty: capacity equals expected demand
    assert planning.capacity_ratio(np.array([0.0]), 0.5)[0] == np.inf
    assert planning.capacity_ratio(np.array([0.3]), 0.0)[0] == 1.0
    with pytest.raises(ValueError, match="critical ratio"):
        planning.capacity_ratio(np.array([1.0]), 0.5)


def test_expected_sales_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(1)
    s = 0.8
    shock = np.exp(rng.normal(-0.5 * s * s, s, 4_000_000))
    rooms = np.array([0.3, 0.8, 1.0, 1.7, 4.0])
    monte_carlo = np.minimum(shock[:, None], rooms[None, :]).mean(axis=0)
    np.testing.assert_allclose(goods.sales_share(rooms, s), monte_carlo, rtol=2e-3)
    # G(x) = E[min(epsilon x, 1)]: utilisation at load x
    loads = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(goods.capped_sales(loads, s), np.minimum(shock[:, None] * loads, 1.0).mean(axis=0),
                               rtol=2e-3)
    # limits: no capacity limit sells the mean; no uncertainty caps at capacity
    assert goods.sales_share(np.array([np.inf]), s)[0] == 1.0
    np.testing.assert_allclose(goods.sales_share(rooms, 0.0), np.minimum(rooms, 1.0))
    # expected utilisation of the newsvendor's capacity S(q) / q
    q = planning.capacity_ratio(np.array([0.5]), s)
    assert planning.expected_utilization(q, s)[0] == pytest.approx(monte_carlo_utilisation(shock, q[0]), rel=2e-3)


def monte_carlo_utilisation(shock, q):
    return np.minimum(shock, q).mean() / q


def two_firm_market(max_output, dispersion=0.6, capacity=10.0):
    """One buying city, one sector (sigma 5): a cohort of 4 enterprises with capacity 10 (or
    ``capacity``), and a firm without capital; both price at 1; spending 100."""
    sigma = np.array([5.0])
    weights = np.ones((1, 1, 1))
    spending = np.array([[100.0]])
    return goods.clear_goods_market(np.ones(2), np.asarray(max_output, float), np.zeros(2, int), sigma, weights,
                                    spending, mass=np.array([4.0, 1.0]), capacity=np.array([capacity, np.inf]),
                                    dispersion=dispersion)


def test_shocked_cohort_sells_its_expected_capped_sales_and_money_is_spent():
    out = two_firm_market([40.0, np.inf], capacity=40.0)
    # all spending is revenue; prices are the markup prices (staff cover capacity, and the orders, about
    # 6 times capacity, leave its expected sales short of capacity by more than the clearing tolerance)
    assert out.revenue.sum() == pytest.approx(100.0, rel=1e-12)
    np.testing.assert_allclose(out.price, [1.0, 1.0])
    # the cohort sells m k G(x) at x = p^-sigma MA / k (mean orders of an enterprise over its capacity)
    x = out.access[0, 0] / 10.0
    assert 5.0 < x < 7.0
    assert out.quantity[0] == pytest.approx(40.0 * goods.capped_sales(np.array([x]), 0.6)[0], rel=1e-8)
    assert out.quantity[0] < 40.0 * (1.0 - 1e-6)
    # its notional demand counts all its orders: m p^-sigma MA at the markup price
    assert out.notional[0] >= out.quantity[0]
    # the turned-away orders went to the rival: it sells more than it would beside an unshocked cohort
    calm = two_firm_market([40.0, np.inf], dispersion=0.0, capacity=40.0)
    assert out.quantity[1] > calm.quantity[1]
    # with capacity 10 its orders at the markup price would be about 36 times capacity, where its expected
    # sales come within the clearing tolerance of capacity (issue 10 item 8): capacity binds, the cohort
    # prices up just enough to sell 10 (1 - 1e-9), and the rival keeps its markup price
    full = two_firm_market([10.0, np.inf])
    assert full.price[0] > 1.0 and full.price[1] == 1.0
    assert full.quantity[0] == pytest.approx(10.0 * (1.0 - goods.CLEARING_TOLERANCE), rel=2 * goods.CLEARING_TOLERANCE)
    assert full.revenue.sum() == pytest.approx(100.0, rel=1e-12)


def test_staff_shortage_raises_the_posted_price_and_sales_never_exceed_the_room():
    out = two_firm_market([3.0, np.inf])
    assert out.revenue.sum() == pytest.approx(100.0, rel=1e-12)
    assert out.quantity[0] <= 3.0 * (1 + 1e-8)
    assert out.quantity[0] == pytest.approx(3.0, rel=1e-8)
    assert out.price[0] > 1.0
    assert out.residual <= goods.CLEARING_TOLERANCE


def test_without_dispersion_the_market_is_the_one_without_shocks():
    sigma, weights, spending = np.array([5.0]), np.ones((1, 1, 1)), np.array([[100.0]])
    plain = goods.clear_goods_market(np.ones(2), np.array([10.0, np.inf]), np.zeros(2, int), sigma, weights,
                                     spending, mass=np.array([4.0, 1.0]))
    calm = two_firm_market([10.0, np.inf], dispersion=0.0)
    np.testing.assert_array_equal(plain.price, calm.price)
    np.testing.assert_array_equal(plain.quantity, calm.quantity)


def test_user_cost_above_the_margin_is_refused_naming_the_fields():
    with pytest.raises(ParameterError, match="interest_rate \\+ depreciation.*'steel'"):
        planning.check_user_cost(0.02, 0.02, np.array([1.0, 6.0]), np.array([5.0, 5.0]), ["textiles", "steel"])
    planning.check_user_cost(0.0125, 0.02, np.array([1.0, 6.0]), np.array([5.0, 5.0]), ["textiles", "steel"])
    # the declared bounds keep every sector of configs/sectors.toml below 1
    with pytest.raises(ParameterError, match="interest_rate"):
        Params.build({"interest_rate": 0.02})


def test_baseline_utilisation_is_the_calibration_target_and_a_steady_state():
    model = YRDModel(rng=1)
    # demand_dispersion is calibrated so that t = 0 manufacturing utilisation is the NBS 2020 74.9 %
    assert model.metrics["capacity_utilization"] == pytest.approx(0.749, abs=0.006)
    for _ in range(4):
        model.step()
    assert model.metrics["capacity_utilization"] == pytest.approx(0.749, abs=0.01)


SPEC_SEEDS = (1, 2, 3, 4, 5)


def mean_utilisation(specialization, seed, quarters=40):
    model = YRDModel(rng=seed, specialization=specialization)
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    return float(frame["capacity_utilization"].iloc[1:].mean())


@pytest.mark.slow
def test_lower_specialization_lowers_utilisation():
    # observed: +0.72 pp (se 0.003 pp; seeds 1-5, quarters 1-40) with the support budget counted in the
    # city's mean sector; -1.64 pp (the opposite direction, a strict xfail) while it was counted in sectors and
    # backing one's own large sectors (specialization 1) subsidised twice the capacity
    # issue 11: more cities targeting the same sectors (specialization 0) than targeting their
    # comparative advantage (1) should lower utilisation; matched seeds, >= 3 standard errors
    diff = np.array([mean_utilisation(1.0, seed) - mean_utilisation(0.0, seed) for seed in SPEC_SEEDS])
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert diff.mean() > 3 * se, (diff.mean(), se)
