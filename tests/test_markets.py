"""Market functions on tiny hand-computed cases."""

import math

import numpy as np
import pytest

from ydabm.markets import goods, labour, migration
from ydabm.params import ParameterError


def test_two_city_two_firm_ces_demand_by_hand():
    # one sector, sigma = 2, T = 2 between the cities; firm 0 in city 0 at price 1, firm 1 in city 1 at price 2
    sigma = np.array([2.0])
    iceberg = np.array([[[1.0, 2.0], [2.0, 1.0]]])
    weights = goods.cost_weights(iceberg, sigma)            # T^(1-sigma) = 1/T
    spending = np.array([[100.0], [50.0]])
    out = goods.clear_goods_market(np.array([1.0, 2.0]), np.array([np.inf, np.inf]), np.array([0, 1]),
                                   sigma, weights, spending)
    # Phi_0 = 1^-1 * 1 + 2^-1 * 1/2 = 1.25 ; Phi_1 = 1 * 1/2 + 2^-1 * 1 = 1.0
    # firm 0 revenue = 1^-1 * (1 * 100/1.25 + 1/2 * 50/1.0) = 80 + 25 = 105
    # firm 1 revenue = 2^-1 * (1/2 * 100/1.25 + 1 * 50/1.0) = 0.5 * (40 + 50) = 45
    assert out.revenue == pytest.approx([105.0, 45.0])
    assert out.quantity == pytest.approx([105.0, 22.5])
    assert out.price_index[:, 0] == pytest.approx([1 / 1.25, 1.0])
    assert out.flows.sum() == pytest.approx(150.0)
    assert out.flows[0, 0, 1] == pytest.approx(25.0)       # city 1 buys 25 from city 0


def test_capacity_constrained_firm_raises_price_to_clear():
    # one city, one sector, sigma = 3, spending 90, two firms at markup price 1; firm 0 can make 10.
    # At its clearing price p0: q0 = p0^-3 MA = 10 and revenue 10 p0 + MA = 90 (firm 1 at price 1
    # sells MA), so MA = 10 p0^3 and p0^3 + p0 - 9 = 0 (p0 = 1.9202...).
    sigma = np.array([3.0])
    weights = goods.cost_weights(np.ones((1, 1, 1)), sigma)
    spending = np.array([[90.0]])
    free = goods.clear_goods_market(np.ones(2), np.full(2, np.inf), np.zeros(2, int), sigma, weights, spending)
    assert free.quantity == pytest.approx([45.0, 45.0])
    assert free.residual == 0.0 and free.rounds == 0
    tight = goods.clear_goods_market(np.ones(2), np.array([10.0, np.inf]), np.zeros(2, int), sigma, weights,
                                     spending)
    p0 = np.roots([1.0, 0.0, 1.0, -9.0])
    p0 = p0[np.isreal(p0)].real[0]
    assert tight.price[0] == pytest.approx(p0, rel=1e-6)
    assert tight.price[1] == 1.0                            # the unconstrained firm keeps its markup price
    # demand never exceeds what the firm can make by more than the tolerance, and the residual says so
    demand = tight.price ** -3 * tight.access.ravel()[0]
    assert demand[0] <= 10.0 * (1 + 1e-9)
    assert tight.residual == pytest.approx(abs(demand[0] / 10.0 - 1.0), rel=1e-6, abs=1e-15)   # sigma |log gap|
    assert 0.0 <= tight.residual <= goods.CLEARING_TOLERANCE and tight.rounds > 0
    assert tight.quantity[0] == pytest.approx(10.0, rel=1e-9)
    # notional demand: with both firms at their markup price 1, each would sell half of 90; the rival's
    # gain from firm 0's shortage is not counted on top (the notional demands add up to the market)
    assert tight.notional == pytest.approx([45.0, 45.0], rel=1e-9)
    assert tight.quantity[1] > 45.0                          # what the rival actually sells is more
    assert tight.revenue.sum() == pytest.approx(90.0)      # spending is still all sold
    # a tolerance the price map cannot reach in the allowed rounds is reported, not hidden
    capped = goods.clear_goods_market(np.ones(2), np.array([10.0, np.inf]), np.zeros(2, int), sigma, weights,
                                      spending, max_rounds=1)
    assert capped.rounds == 1 and capped.residual > goods.CLEARING_TOLERANCE



@pytest.mark.parametrize("dispersion", [0.0, 5e-324, 1e-300, 1e-12, 1e-8, 1e-3, 0.1, 2.0])
def test_a_cohort_short_of_capacity_raises_its_price_at_any_dispersion(dispersion):
    # issue 10 item 8: one city, one sector, sigma = 3, spending 90; a cohort (one enterprise, capacity 10,
    # staff enough for more, markup price 1) alone in its market. At markup prices its capacity is worth
    # 10 < 90: the price must rise. Its expected sales are 10 G(x) < 10 at every load x when s > 0, so it
    # reaches capacity to the clearing tolerance, G(x) = 1 - 1e-9, and sells all 90 at
    # p = 90 / (10 (1 - 1e-9)) = 9 (1 + 1e-9) (s = 0: 90 / 10 = 9). Before, with s > 0 it kept its markup
    # price, the market had no fixed point (revenue at most 10 < 90) and the flows turned NaN.
    sigma, weights, spending = np.array([3.0]), np.ones((1, 1, 1)), np.array([[90.0]])
    # (max_output is the smaller of capacity and what staff can make, as the model passes it)
    alone = goods.clear_goods_market(np.ones(1), np.array([10.0]), np.zeros(1, int), sigma, weights, spending,
                                     mass=np.ones(1), capacity=np.array([10.0]), dispersion=dispersion)
    expected_sales = 10.0 if dispersion == 0 else 10.0 * (1 - goods.CLEARING_TOLERANCE)
    assert alone.quantity[0] == pytest.approx(expected_sales, rel=goods.CLEARING_TOLERANCE)
    assert alone.quantity[0] <= 10.0 * (1 + 1e-12)            # never more than capacity (to rounding)
    assert alone.price[0] == pytest.approx(90.0 / expected_sales, rel=goods.CLEARING_TOLERANCE)
    assert alone.revenue.sum() == pytest.approx(90.0, rel=1e-12)
    assert alone.residual <= goods.CLEARING_TOLERANCE and np.isfinite(alone.flows).all()
    # beside a firm without capital that can make 20: at s = 0 both clear, p_i = (MA / q_i)^(1/3), and
    # revenue MA^(1/3) (10^(2/3) + 20^(2/3)) = MA^(1/3) (4.641589 + 7.368063) = 90: MA^(1/3) = 7.493972,
    # p = (7.493972 / 10^(1/3), 7.493972 / 20^(1/3)) = (3.478394, 2.760803)
    pair = goods.clear_goods_market(np.ones(2), np.array([10.0, 20.0]), np.zeros(2, int), sigma, weights,
                                    spending, mass=np.ones(2), capacity=np.array([10.0, np.inf]),
                                    dispersion=dispersion)
    root = 90.0 / (10.0 ** (2 / 3) + 20.0 ** (2 / 3))
    assert root == pytest.approx(7.493972, rel=1e-6)
    assert pair.quantity[1] == pytest.approx(20.0, rel=1e-9)
    assert pair.quantity[0] <= 10.0 * (1 + 1e-12)
    assert pair.revenue.sum() == pytest.approx(90.0, rel=1e-12)
    assert pair.residual <= goods.CLEARING_TOLERANCE and np.isfinite(pair.flows).all()
    # the firm without capital clears 20: p1 = (MA / 20)^(1/3); the cohort sells 10 G(x), x = p0^-3 MA / 10,
    # and either keeps its markup price with G(x) below 1 - 1e-9 or posts the price at which G(x) = 1 - 1e-9
    # (x -> 1 as s -> 0: x - 1 = O(s))
    access = pair.access[0, 0]
    assert pair.price[1] == pytest.approx((access / 20.0) ** (1 / 3), rel=1e-9)
    load = pair.price[0] ** -3 * access / 10.0
    utilisation = goods.capped_sales(np.array([load]), dispersion)[0]
    assert pair.quantity[0] == pytest.approx(10.0 * utilisation, rel=1e-9)
    if pair.price[0] > 1.0:
        assert utilisation == pytest.approx(expected_sales / 10.0, rel=goods.CLEARING_TOLERANCE)
    else:
        assert utilisation <= expected_sales / 10.0
    assert (pair.price[0] > 1.0) == (dispersion < 2.0)       # at s = 2 the shocks leave room below capacity
    if dispersion <= 1e-8:                                   # the limit s -> 0 is the market without shocks
        assert pair.price == pytest.approx([root / 10.0 ** (1 / 3), root / 20.0 ** (1 / 3)], rel=1e-6)
        assert pair.price == pytest.approx([3.478394, 2.760803], rel=1e-6)

def test_a_firm_of_mass_m_sells_as_m_identical_varieties():
    # one city, sigma = 3, spending 90; firm 0 stands for 2 enterprises, firm 1 for 1, both at price 1:
    # the market splits 2 : 1 (60, 30), as three one-enterprise firms would.
    sigma = np.array([3.0])
    weights = goods.cost_weights(np.ones((1, 1, 1)), sigma)
    spending = np.array([[90.0]])
    out = goods.clear_goods_market(np.ones(2), np.full(2, np.inf), np.zeros(2, int), sigma, weights, spending,
                                   mass=np.array([2.0, 1.0]))
    assert out.revenue == pytest.approx([60.0, 30.0]) and out.notional == pytest.approx([60.0, 30.0])
    # firm 0 can make 20 (10 per enterprise): it clears where the same market split into three
    # one-enterprise firms does, the two of firm 0 each capped at 10
    tight = goods.clear_goods_market(np.ones(2), np.array([20.0, np.inf]), np.zeros(2, int), sigma, weights,
                                     spending, mass=np.array([2.0, 1.0]))
    split = goods.clear_goods_market(np.ones(3), np.array([10.0, 10.0, np.inf]), np.zeros(3, int), sigma,
                                     weights, spending)
    assert tight.price == pytest.approx(split.price[1:], rel=1e-9)
    assert tight.revenue == pytest.approx([split.revenue[:2].sum(), split.revenue[2]], rel=1e-9)


def test_spending_on_extinct_sector_is_rerouted_not_lost():
    sigma = np.array([2.0, 2.0])
    weights = goods.cost_weights(np.ones((2, 1, 1)), sigma)
    spending = np.array([[30.0, 70.0]])
    out = goods.clear_goods_market(np.ones(1), np.full(1, np.inf), np.array([0]), sigma, weights, spending)
    assert out.revenue.sum() == pytest.approx(100.0)


def test_a_buyer_of_extinct_sectors_only_buys_what_the_others_buy_by_hand():
    # three buyers, three sectors; sector 2 has no seller in reach of anyone (phi 0). Buyer 0 spends 10
    # and 30 on sectors 0 and 2: its 30 follows its own 10 (all 40 on sector 0). Buyer 1 spends only on
    # sector 2: it buys sectors 0 and 1 in the proportions all buyers spend on them (10 + 20 on sector 0,
    # 60 on sector 1: 30 / 90 and 60 / 90 of its 45). Buyer 2 reaches no seller in any sector.
    spending = np.array([[10.0, 0.0, 30.0], [0.0, 0.0, 45.0], [20.0, 60.0, 5.0]])
    phi = np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
    rerouted = goods.reroute_spending(spending, phi)
    assert rerouted[0] == pytest.approx([40.0, 0.0, 0.0])
    assert rerouted[1] == pytest.approx([15.0, 30.0, 0.0])
    assert rerouted[2] == pytest.approx([0.0, 0.0, 0.0])
    # every buyer that reaches a seller keeps its total; what buyer 2 cannot spend is unspent
    assert goods.unspent(spending, phi) == pytest.approx([0.0, 0.0, 85.0])
    assert rerouted.sum() + goods.unspent(spending, phi).sum() == pytest.approx(spending.sum())
    # where no buyer spends anything on the sectors a buyer reaches, it spreads over them equally
    alone = goods.reroute_spending(np.array([[0.0, 0.0, 12.0]]), np.array([[1.0, 3.0, 0.0]]))
    assert alone[0] == pytest.approx([6.0, 6.0, 0.0])


def test_rerouting_from_a_subnormal_basket_keeps_the_money_finite():
    # found by a random search of scales (6 Dec 2026): a buyer reaching only agriculture, on which it spent
    # 2.2e-303, and 3.4e9 on sectors no seller reaches. Its scale total / kept overflowed to inf, and
    # 0 x inf made its unreached sectors NaN, which froze the market (NaN prices after 10,000 rounds)
    spending = np.array([[2.2e-303, 3.4e9, 0.0], [1.0, 1.0, 1.0]])
    phi = np.array([[7.6e-10, 0.0, 0.0], [1.0, 1.0, 1.0]])
    rerouted = goods.reroute_spending(spending, phi)
    assert np.isfinite(rerouted).all()
    assert rerouted[0] == pytest.approx([3.4e9, 0.0, 0.0]) and rerouted[1] == pytest.approx([1.0, 1.0, 1.0])


def test_iceberg_costs_border_and_protection_wedge():
    hours = np.array([[0.0, 2.0], [2.0, 0.0]])
    border = np.array([[0.0, 0.5], [0.5, 0.0]])
    cost = goods.iceberg_costs(hours, np.array([0.1]), border, barrier=1.0)
    assert cost[0, 0, 0] == pytest.approx(1.0)
    assert cost[0, 1, 0] == pytest.approx(np.exp(0.2) * 1.5)
    assert goods.iceberg_costs(hours, np.array([0.1]), border, barrier=0.0)[0, 0, 1] == pytest.approx(np.exp(0.2))
    protected = np.array([[False], [True]])                  # city 1 protects the sector
    wedge = goods.protection_wedge(protected, barrier=1.0, local_protection=0.2)
    assert wedge[0].tolist() == [[1.0, 1.2], [1.0, 1.0]]      # only imports into city 1
    assert goods.protection_wedge(protected, barrier=0.0, local_protection=0.2).tolist() == [[[1.0, 1.0], [1.0, 1.0]]]


def test_protection_wedge_shifts_spending_but_not_prices_paid():
    # two cities, one sector, sigma 3, no trade cost; city 1 protects: its buyers spend as if the
    # import cost 1.5x, but pay the undistorted price, so its welfare price index is above the
    # undistorted one by the misallocation only (hand-computed below)
    sigma = np.array([3.0])
    wedge = goods.protection_wedge(np.array([[False], [True]]), 1.0, 0.5)
    weights = goods.cost_weights(wedge, sigma)
    spending = np.array([[100.0], [100.0]])
    out = goods.clear_goods_market(np.ones(2), np.full(2, np.inf), np.array([0, 1]), sigma, weights, spending,
                                   welfare=goods.welfare_weights(weights, wedge, sigma))
    share_import = 1.5 ** -2 / (1 + 1.5 ** -2)                # city 1's spending on city 0's firm
    assert out.flows[0, 0, 1] == pytest.approx(100 * share_import)
    assert out.revenue.sum() == pytest.approx(200.0)           # nothing melts, no revenue raised
    # quantities bought by city 1: q0 = 100 s, q1 = 100 (1 - s) at price 1; CES index (q0^r + q1^r)^(1/r)
    rho = 2 / 3
    quantity = ((100 * share_import) ** rho + (100 * (1 - share_import)) ** rho) ** (1 / rho)
    assert out.price_index[1, 0] == pytest.approx(100 / quantity)
    assert out.price_index[0, 0] == pytest.approx(2 ** (1 / (1 - 3)))   # undistorted: (1 + 1)^(1/(1-sigma))
    assert out.price_index[1, 0] > out.price_index[0, 0]


def test_matches_follow_the_matching_function():
    hires = labour.matches(np.array([100, 4, 0]), np.array([25, 100, 10]), 1.0)
    # min(U, V, floor(sqrt(U V))): sqrt(2500) = 50 -> 25 ; sqrt(400) = 20 -> 4 ; U = 0 -> 0
    assert hires.tolist() == [25, 4, 0]


def test_wages_stable_at_natural_rate_and_rise_when_tight():
    wages = np.array([10.0, 10.0, 10.0])
    supply = np.array([100.0, 100.0, 100.0])
    employed = np.array([95.0, 98.0, 80.0])          # unemployment 5 %, 2 %, 20 %
    new = labour.update_wages(wages, employed, supply, natural_rate=0.05, speed=0.5)
    assert new[0] == pytest.approx(10.0)
    assert new[1] == pytest.approx(10.0 * np.exp(0.5 * 0.03))
    assert new[2] == pytest.approx(10.0 * np.exp(0.5 * -0.15))
    assert labour.update_wages(wages[:1], np.array([5.0]), np.array([0.0]), 0.05, 0.5)[0] == 10.0


def test_pick_per_group_takes_exact_counts():
    rng = np.random.default_rng(0)
    group = np.array([0, 0, 0, 1, 1, 2])
    chosen = labour.pick_per_group(group, np.array([2, 0, 1]), rng)
    assert np.bincount(group[chosen], minlength=3).tolist() == [2, 0, 1]


def test_logit_probabilities_by_hand():
    # two cities, one hukou group, one skill; income ln 2 in city 1, move cost 0.5, beta = 1
    utility = migration.location_utility(np.log([[1.0], [2.0]]), np.zeros(2), np.zeros((2, 2)), 0.5, 0.0,
                                         0.0, np.array([0, 0]), 1)
    probs = migration.choice_probabilities(utility, 1.0)
    # from city 0: weights 1 and 2 * e^-0.5 ; from city 1: e^-0.5 and 2
    w = 2 * np.exp(-0.5)
    assert probs[0, 0, 0] == pytest.approx([1 / (1 + w), w / (1 + w)])
    assert probs[1, 0, 0] == pytest.approx([np.exp(-0.5) / (np.exp(-0.5) + 2), 2 / (np.exp(-0.5) + 2)])


def test_hukou_penalty_applies_outside_the_home_province():
    utility = migration.location_utility(np.zeros((2, 1)), np.zeros(2), np.zeros((2, 2)), 0.0, 0.0, 0.7,
                                         np.array([0, 1]), 2)
    assert utility[0, 0, 0].tolist() == pytest.approx([0.0, -0.7])   # hukou province 0
    assert utility[0, 1, 0].tolist() == pytest.approx([-0.7, 0.0])   # hukou province 1


def test_invert_amenity_holds_population():
    income = np.log(np.array([[1.0], [3.0], [2.0]]))
    hours = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)
    counts = np.array([50.0, 30.0, 20.0])[:, None, None]
    amenity = migration.invert_amenity(income, counts, counts[:, 0, 0], hours, 0.5, 0.1, 0.0,
                                           np.zeros(3, int), 2.0)
    probs = migration.choice_probabilities(
        migration.location_utility(income, amenity, hours, 0.5, 0.1, 0.0, np.zeros(3, int), 1), 2.0)
    arrivals = np.einsum("ihk,ihkj->j", counts, probs)
    assert arrivals == pytest.approx([50.0, 30.0, 20.0], rel=1e-8)


def test_invert_amenity_reaches_flow_targets_fast_when_moving_is_costly():
    # high elasticity and a large move cost: most stay put, plain gap / beta steps would take
    # thousands of rounds; the diagonal Newton step gets there in 200
    income = np.log(np.array([[1.0], [3.0], [2.0], [1.5]]))
    hours = np.abs(np.subtract.outer(np.arange(4.0), np.arange(4.0)))
    counts = np.array([40.0, 30.0, 20.0, 10.0])[:, None, None]
    target = np.array([38.0, 33.0, 19.0, 10.0])
    amenity = migration.invert_amenity(income, counts, target, hours, 1.0, 0.1, 0.0, np.zeros(4, int), 20.0,
                                       max_rounds=200)
    probs = migration.choice_probabilities(
        migration.location_utility(income, amenity, hours, 1.0, 0.1, 0.0, np.zeros(4, int), 1), 20.0)
    assert np.einsum("ihk,ihkj->j", counts, probs) == pytest.approx(target, rel=1e-8)



def _arrivals(income, amenity, counts, hours, move_cost, per_hour, hukou_cost, province, beta):
    utility = migration.location_utility(income, amenity, hours, move_cost, per_hour, hukou_cost, province,
                                         counts.shape[1])
    return np.einsum("ihk,ihkj->j", counts, migration.choice_probabilities(utility, beta))


def test_invert_amenity_two_cities_with_a_move_cost_by_hand():
    # beta = 1, move cost ln 2, equal incomes, 100 workers in each city. With amenities -+ ln2 / 2
    # (a_1 - a_0 = ln 2): from city 0 the weights are 1 (stay) and 2 * 1/2 = 1 (move): half move;
    # from city 1 they are 1/2 * 1/2 = 1/4 (move) and 1 (stay): a fifth moves.
    # Arrivals: city 0 gets 50 + 20 = 70, city 1 gets 50 + 80 = 130.
    counts = np.array([100.0, 100.0])[:, None, None]
    amenity = migration.invert_amenity(np.zeros((2, 1)), counts, np.array([70.0, 130.0]), np.zeros((2, 2)),
                                       np.log(2.0), 0.0, 0.0, np.zeros(2, int), 1.0)
    assert amenity == pytest.approx([-np.log(2.0) / 2, np.log(2.0) / 2], rel=1e-9)
    assert _arrivals(np.zeros((2, 1)), amenity, counts, np.zeros((2, 2)), np.log(2.0), 0.0, 0.0,
                     np.zeros(2, int), 1.0) == pytest.approx([70.0, 130.0], rel=1e-10)


@pytest.mark.parametrize("beta", [0.1, 4.0, 200.0])
def test_invert_amenity_without_moving_costs_is_the_closed_form(beta):
    # no moving or hukou costs: every worker faces the same logit, so target shares t_j / N =
    # exp(beta (y_j + a_j)) / sum_l exp(beta (y_l + a_l)) and a_j = ln(t_j) / beta - y_j up to a constant
    income = np.log(np.array([[1.0], [3.0], [2.0]]))
    counts = np.array([50.0, 30.0, 20.0])[:, None, None]
    target = np.array([20.0, 45.0, 35.0])
    amenity = migration.invert_amenity(income, counts, target, np.ones((3, 3)), 0.0, 0.0, 0.0,
                                       np.zeros(3, int), beta)
    expected = np.log(target) / beta - income[:, 0]
    assert amenity == pytest.approx(expected - expected.mean(), abs=1e-10)
    assert _arrivals(income, amenity, counts, np.ones((3, 3)), 0.0, 0.0, 0.0, np.zeros(3, int),
                     beta) == pytest.approx(target, rel=1e-9)


def _random_case(seed, cities=6):
    rng = np.random.default_rng(seed)
    income = rng.normal(0.0, 0.3, (cities, 2)) + np.log([1.0, 1.8])
    place = rng.uniform(0, 4, (cities, 2))
    hours = np.sqrt(((place[:, None, :] - place[None, :, :]) ** 2).sum(axis=2))
    province = rng.integers(0, 2, cities)
    counts = rng.uniform(5, 50, (cities, 3, 2)) * (rng.random((cities, 3, 2)) > 0.3)   # some empty cells
    stock = counts.sum(axis=(1, 2))
    target = stock * np.exp(rng.normal(0, 0.1, cities))
    return income, counts, target * stock.sum() / target.sum(), hours, province


@pytest.mark.parametrize("beta", [0.1, 200.0])
@pytest.mark.parametrize("costs", [(1.0, 0.15, 0.15), (10.0, 5.0, 1.5), (0.0, 0.0, 0.0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_invert_amenity_converges_at_the_elasticity_bounds(beta, costs, seed):
    # beta = 200 used to raise LinAlgError (singular Hessian: choice probabilities 0 or 1)
    income, counts, target, hours, province = _random_case(seed)
    amenity = migration.invert_amenity(income, counts, target, hours, *costs, province, beta)
    assert np.all(np.isfinite(amenity)) and abs(amenity.mean()) < 1e-12
    assert _arrivals(income, amenity, counts, hours, *costs, province, beta) == pytest.approx(target, rel=1e-9)


def test_invert_amenity_rejects_unreachable_targets():
    income, counts, target, hours, province = _random_case(0)
    with pytest.raises(ParameterError, match="^migrant_inflow_rate, reconsider_rate: target arrivals sum"):
        migration.invert_amenity(income, counts, target * 1.2, hours, 1.0, 0.15, 0.15, province, 4.0)
    with pytest.raises(ParameterError, match="^migrant_inflow_rate, reconsider_rate: .* positive"):
        migration.invert_amenity(income, counts, np.where(np.arange(6) == 0, 0.0, target), hours, 1.0, 0.15,
                                 0.15, province, 4.0)
    with pytest.raises(ParameterError, match="^migration_elasticity: must be positive"):
        migration.invert_amenity(income, counts, target, hours, 1.0, 0.15, 0.15, province, 0.0)


def test_invert_amenity_reports_non_convergence():
    income, counts, target, hours, province = _random_case(0)
    with pytest.raises(ParameterError, match="^migration_elasticity, move_cost, .* did not reach"):
        migration.invert_amenity(income, counts, target, hours, 10.0, 5.0, 1.5, province, 200.0, max_rounds=1)

def test_bernoulli_rows_has_the_bernoulli_rate_and_no_repeats():
    rng = np.random.default_rng(1)
    rows = labour.bernoulli_rows(200_000, 0.05, rng)
    assert np.all(np.diff(rows) > 0) and rows.min() >= 0 and rows.max() < 200_000
    # mean 10,000, sd ~97: a 5-sd band
    assert abs(rows.size - 10_000) < 500
    assert labour.bernoulli_rows(10, 0.0, rng).size == 0
    assert labour.bernoulli_rows(10, 1.0, rng).tolist() == list(range(10))


def _three_city_market(rng, firms):
    """A small market of 3 cities and 2 sectors drawn from ``rng``: (sigma, cost weights, (C, S) spending,
    each firm's cell, markup price, mass, capacity: 70 % with capacity, the rest without)."""
    cities, sectors = 3, 2
    sigma = np.array([4.0, 6.0])
    hours = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.5], [2.0, 1.5, 0.0]])
    weights = goods.cost_weights(goods.iceberg_costs(hours, np.array([0.1, 0.2]), np.zeros((3, 3)), 0.0), sigma)
    spending = rng.uniform(50.0, 150.0, (cities, sectors))
    cell = rng.integers(0, cities * sectors, firms)
    base = rng.uniform(0.8, 1.2, firms)
    mass = rng.uniform(1.0, 3.0, firms)
    capacity = np.where(rng.random(firms) < 0.7, rng.uniform(2.0, 12.0, firms), np.inf)
    return sigma, weights, spending, cell, base, mass, capacity


def _forty_firm_case(dispersion):
    """:func:`_three_city_market` with 40 firms (seed 7), half of them also short of staff: the positional
    arguments of ``clear_goods_market``, its keywords at ``dispersion``, and the generator after the draws."""
    rng = np.random.default_rng(7)
    firms = 40
    sigma, weights, spending, cell, base, mass, capacity = _three_city_market(rng, firms)
    max_output = np.minimum(capacity, np.where(rng.random(firms) < 0.5, rng.uniform(1.0, 10.0, firms), np.inf))
    return ((base, max_output, cell, sigma, weights, spending),
            dict(mass=mass, capacity=capacity, dispersion=dispersion), rng)


@pytest.mark.parametrize("dispersion", [0.0, 1e-5, 1e-3, 0.6, 1.26])
def test_newton_in_market_access_finds_the_fixed_point_the_price_iteration_finds(dispersion):
    # 3 cities, 2 sectors, 40 firms: cohorts with capacity (some short of staff, some short of capacity)
    # and firms without; the Newton clearing in market access and the Anderson iteration in prices (taken
    # with ``anderson``) solve the same fixed point to the tolerance
    args, extra, _ = _forty_firm_case(dispersion)
    base, max_output, spending = args[0], args[1], args[5]
    newton = goods.clear_goods_market(*args, **extra)
    anderson = goods.clear_goods_market(*args, **extra, anderson=True)
    for out in (newton, anderson):
        assert out.residual <= goods.CLEARING_TOLERANCE
        assert out.revenue.sum() == pytest.approx(spending.sum(), rel=1e-12)
        assert np.all(out.quantity <= max_output * (1 + 1e-8))
    assert (newton.price > base * (1 + 1e-6)).any()               # some firms price above their markup
    np.testing.assert_allclose(newton.price, anderson.price, rtol=1e-8)
    np.testing.assert_allclose(newton.revenue, anderson.revenue, rtol=1e-7)
    assert newton.rounds <= anderson.rounds


@pytest.mark.parametrize("dispersion", [0.0, 0.6, 1.26])
def test_a_start_changes_the_rounds_not_the_fixed_point(dispersion):
    # the market of the test above, cleared from the markup prices and from three starts: its own fixed
    # point's access (nothing left to do: no Newton step), that access 5 % off cell by cell (a quarter's
    # move is about 1 %), and a start that supposes spending reaches a cell it does not (-inf there):
    # that one starts again from the markup prices. The same prices to the tolerance every time
    args, extra, rng = _forty_firm_case(dispersion)
    cold = goods.clear_goods_market(*args, **extra)
    solved = np.log(cold.access).ravel()
    off = solved + rng.uniform(-0.05, 0.05, solved.size)
    wrong = solved.copy()
    wrong[0] = -np.inf
    assert cold.rounds >= 2                  # from the markup prices it takes rounds (else nothing is tested)
    outs = [goods.clear_goods_market(*args, **extra, start=start) for start in (solved, off, wrong)]
    for out in outs:
        assert out.residual <= goods.CLEARING_TOLERANCE
        np.testing.assert_allclose(out.price, cold.price, rtol=1e-8)
        np.testing.assert_allclose(out.revenue, cold.revenue, rtol=1e-7)
    at_solution, near, wrong_cells = outs
    assert at_solution.rounds == 0 and near.rounds <= cold.rounds
    # the wrong start: from the markup prices once its first round shows the cells, bit for bit
    assert wrong_cells.rounds == cold.rounds and np.array_equal(wrong_cells.price, cold.price)


@pytest.mark.parametrize("dispersion", [0.3, 0.6, 1.26])
def test_newton_with_committed_buyers_finds_the_fixed_point_anderson_finds(dispersion):
    # 3 selling cities, 2 sectors, 60 firms with capacity under demand shocks; 6 buyers: 3 flexible ones
    # (0-2) reaching every city, 3 committed ones (3-5) each tied to the firms of one city, expecting a
    # random share of their orders served and passing what they are turned away on to the flexible
    # buyers by a random spillover row. The Newton steps in market access (with the turned-away orders in
    # the Jacobian) and Anderson mixing in prices solve the same fixed point, Newton in a few rounds
    rng = np.random.default_rng(11)
    firms, cities, buyers, sectors = 60, 3, 6, 2
    sigma = np.array([4.0, 6.0])
    hours = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.5], [2.0, 1.5, 0.0]])
    trade = goods.cost_weights(goods.iceberg_costs(hours, np.array([0.1, 0.2]), np.zeros((3, 3)), 0.0), sigma)
    weights = np.zeros((sectors, buyers, buyers))
    weights[:, :cities, :cities] = trade
    for b in range(cities):
        weights[:, b, cities + b] = 1.0                                   # committed buyer b + 3 -> city b
    spillover = np.zeros((sectors, buyers, buyers))
    spillover[:, cities:, :cities] = rng.dirichlet(np.ones(cities), (sectors, cities))
    usual = np.vstack([np.ones((cities, sectors)), rng.uniform(0.6, 1.0, (cities, sectors))])
    spending = np.vstack([rng.uniform(50.0, 150.0, (cities, sectors)), rng.uniform(20.0, 60.0, (cities, sectors))])
    cell = rng.integers(0, cities * sectors, firms)
    base = rng.uniform(0.8, 1.2, firms)
    mass = rng.uniform(1.0, 3.0, firms)
    capacity = rng.uniform(2.0, 8.0, firms)
    max_output = np.minimum(capacity, np.where(rng.random(firms) < 0.5, rng.uniform(1.0, 8.0, firms), np.inf))
    args = (base, max_output, cell, sigma, weights, spending)
    extra = dict(mass=mass, capacity=capacity, dispersion=dispersion, spillover=spillover, usual=usual)
    newton = goods.clear_goods_market(*args, **extra)
    anderson = goods.clear_goods_market(*args, **extra, anderson=True)
    for out in (newton, anderson):
        assert out.residual <= goods.CLEARING_TOLERANCE
        assert out.revenue.sum() == pytest.approx(spending.sum(), rel=1e-12)    # no money lost
    # some committed buyers are short of service: what they are turned away is spent by flexible buyers
    assert (newton.spending[cities:] < spending[cities:] * (1 - 1e-6)).any()
    assert (newton.spending[:cities] > spending[:cities] * (1 + 1e-6)).any()
    assert (newton.price > base * (1 + 1e-6)).any()
    np.testing.assert_allclose(newton.price, anderson.price, rtol=1e-8)
    np.testing.assert_allclose(newton.revenue, anderson.revenue, rtol=1e-7)
    np.testing.assert_allclose(newton.spending, anderson.spending, rtol=1e-7)
    # quadratic convergence: a handful of steps, against Anderson's many rounds (at s = 1.26 the case
    # starts far from its fixed point, prices up to ten times the markup, and two Newton steps in a row
    # do not halve the change: Anderson mixing takes over from the markup prices, after those two rounds)
    if dispersion < 1.0:
        assert newton.rounds <= 10 < anderson.rounds


def _served_share(load, dispersion):
    """G(x) / x = S(1 / x) by the lognormal's limited expectation, written out with math.erf."""
    cdf = lambda z: 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))      # noqa: E731
    room, half = 1.0 / load, 0.5 * dispersion * dispersion
    return cdf((math.log(room) - half) / dispersion) + room * cdf((-math.log(room) - half) / dispersion)


def test_notional_demand_at_planned_capacity_by_hand():
    # issue 10 items 3 and 8: one city, one sector, sigma = 2, spending 100; firm 0 a cohort of one
    # enterprise whose planned capacity is 1.5 times its orders under demand shocks of log sd 0.5, so it
    # serves r = S(1.5) = 0.929119 of them (the lognormal's limited expectation, written out below);
    # firm 1 without capital (r = 1); both at markup price 1. Phi = r + 1, MA = 100 / (1 + r) = 51.8371,
    # each firm's notional demand MA; money is spent in full at the planned loads: 51.8371 (r + 1) = 100
    sigma, weights, spending = np.array([2.0]), np.ones((1, 1, 1)), np.array([[100.0]])
    share = _served_share(1.0 / 1.5, 0.5)
    assert share == pytest.approx(0.929119, abs=1e-6)
    assert goods.sales_share(np.array([1.5]), 0.5)[0] == pytest.approx(share, rel=1e-12)
    served = np.array([share, 1.0])
    demand, phi = goods.notional_demand(np.ones(2), np.zeros(2, int), np.full(2, 2.0), weights, spending,
                                        served=served)
    assert phi[0, 0] == pytest.approx(1.0 + share, rel=1e-12)
    assert demand == pytest.approx([51.8371] * 2, abs=1e-4)
    assert (demand * served).sum() == pytest.approx(100.0, rel=1e-12)
    # what the firm has this quarter does not move it: staff for 5 (its clearing price rises to about 4,
    # the clearing market access to 80), or capacity 40, 20 or 4 (with 4 its clearing market sells out:
    # the capacity cannot sell the spending at markup prices, and the scarcity price takes the rest)
    for staff, capacity in ((40.0, 40.0), (5.0, 40.0), (20.0, 20.0), (4.0, 4.0)):
        out = goods.clear_goods_market(np.ones(2), np.array([staff, np.inf]), np.zeros(2, int), sigma, weights,
                                       spending, mass=np.ones(2), capacity=np.array([capacity, np.inf]),
                                       dispersion=0.5, planned_served=served)
        assert out.notional == pytest.approx(demand, rel=1e-12)
        assert out.revenue.sum() == pytest.approx(100.0, rel=1e-9)
        if staff == 5.0:
            assert out.price[0] > 3.9 and out.access[0, 0] == pytest.approx(80.0, rel=1e-5)


def test_notional_orders_are_backed_by_money_where_capacity_cannot_sell_the_spending_by_hand():
    # one city, one sector, sigma = 2, spending 100, one cohort of one enterprise at markup price 1 under
    # demand shocks of log sd 1.26 with capacity 40: its capacity cannot sell the spending at its markup
    # price (40 G(x) < 40 < 100 at every load). The clearing market sells the capacity to the tolerance at
    # the scarcity price 100 / 40 = 2.5; the notional orders are those of its plan, 100 / r at r = S(q c),
    # whatever the capacity and the tolerance. (The market at the actual capacity had no fixed point
    # here: its orders stopped at the cap G(x) = 1 - tolerance, 2,934 times the capacity at 1e-9.)
    planned = goods.sales_share(np.array([2.0]), 1.26)
    out = goods.clear_goods_market(np.ones(1), np.array([40.0]), np.zeros(1, int), np.full(1, 2.0),
                                   np.ones((1, 1, 1)), np.array([[100.0]]), mass=np.ones(1),
                                   capacity=np.array([40.0]), dispersion=1.26, planned_served=planned)
    assert out.quantity[0] == pytest.approx(40.0, rel=1e-8) and out.price[0] == pytest.approx(2.5, rel=1e-8)
    assert out.notional[0] == pytest.approx(100.0 / planned[0], rel=1e-12)
    assert out.notional[0] / 40.0 < 6.0
    # without a plan (every order served) the notional demand is the unrationed CES demand, 100
    plain = goods.clear_goods_market(np.ones(1), np.array([40.0]), np.zeros(1, int), np.full(1, 2.0),
                                     np.ones((1, 1, 1)), np.array([[100.0]]), mass=np.ones(1),
                                     capacity=np.array([40.0]), dispersion=1.26)
    assert plain.notional[0] == pytest.approx(100.0, rel=1e-12)


def test_notional_demand_with_committed_buyers_reproduces_its_price_terms():
    # 3 cities, 2 sectors, 40 firms: city 0's buyers of both sectors place their orders at posted prices
    # and pass what is turned away to city 1's (expecting all served); the notional demand is the CES
    # demand at the price terms of the planned shares, with the committed buyers' re-spent orders
    rng = np.random.default_rng(11)
    firms, cities, sectors = 40, 3, 2
    sigma, weights, spending, cell, base, mass, capacity = _three_city_market(rng, firms)
    served = np.where(np.isfinite(capacity), goods.sales_share(np.full(firms, 1.4), 0.6), 1.0)
    sigma_f = sigma[cell % sectors]
    spillover = np.zeros((sectors, cities, cities))
    spillover[:, 0, 1] = 1.0
    usual = np.ones((cities, sectors))
    committed, terms = goods.notional_demand(base, cell, sigma_f, weights, spending, mass, served, spillover, usual)
    posted = mass * base ** (1.0 - sigma_f)
    phi = goods.price_terms(np.bincount(cell, posted * served, minlength=6).reshape(3, 2), weights)
    at_posted = goods.price_terms(np.bincount(cell, posted, minlength=6).reshape(3, 2), weights)
    np.testing.assert_allclose(terms, phi, rtol=1e-12)
    spent = goods.committed_spending(spending, phi, at_posted, spillover, usual)
    access = goods.market_access(weights, spent, phi)
    np.testing.assert_allclose(committed, mass * base ** -sigma_f * access.ravel()[cell], rtol=1e-12)
    # money-backed: the served orders' value is the spending placed (committed buyers short of service spend less)
    np.testing.assert_allclose((committed * base * served).sum(), spent.sum(), rtol=1e-12)
    flexible, _ = goods.notional_demand(base, cell, sigma_f, weights, spending, mass, served)
    np.testing.assert_allclose((flexible * base * served).sum(), spending.sum(), rtol=1e-12)
    assert not np.allclose(committed, flexible, rtol=1e-6)     # the committed buyer matters


def test_notional_demand_moves_with_spending_one_for_one_by_hand():
    # issue 10 item 3: at the planned shares the notional orders are proportional to spending (elasticity
    # 1) and do not depend on the capacity the cohort has. The market at the actual capacity amplified
    # spending by 1 / e, e = x G'(x) / G(x) the load elasticity of sales: 3.54 for capacity 110, spending
    # 100, s = 0.5 (and 3.5 in the model's 2020 state), without bound as spending approached what the
    # capacity sells at markup prices
    served = goods.sales_share(np.array([1.3]), 0.5)

    def demand(e):
        return goods.notional_demand(np.ones(1), np.zeros(1, int), np.full(1, 2.0), np.ones((1, 1, 1)),
                                     np.array([[e]]), served=served)[0][0]

    assert demand(100.0) == pytest.approx(100.0 / served[0], rel=1e-12)
    assert demand(127.0) / demand(100.0) == pytest.approx(1.27, rel=1e-12)


def _reference_load(target, dispersion, steps=200):
    """x with G(x) = target by plain Newton steps from x = target (a lower bound) until no step moves x:
    the slow route :func:`goods._load_for_sales` must agree with."""
    half = 0.5 * dispersion * dispersion
    x = np.array(target, dtype=float)
    for _ in range(steps):
        slope = np.array([0.5 * math.erfc((math.log(v) + half) / dispersion / math.sqrt(2.0)) for v in x])
        sales = x * slope + np.array([0.5 * math.erfc(-(math.log(v) - half) / dispersion / math.sqrt(2.0))
                                      for v in x])
        new = x + np.maximum((target - sales) / slope, 0.0)
        if np.array_equal(new, x):
            break
        x = new
    return x


def test_load_for_sales_hand_case_and_table_start():
    """G(1) = 2 Phi(-s/2) (x = 1: E[min(eps, 1)] = Phi(-s/2) + Phi(-s/2)); at s = 1 the root of
    G(x) = 2 Phi(-1/2) = 0.617075077... is x = 1. The table start is below the root and within 1e-7
    of it; one Newton step from it reaches the root to rounding."""
    target = 2.0 * 0.5 * math.erfc(0.5 / math.sqrt(2.0))
    assert target == pytest.approx(0.6170750774519738, abs=1e-15)
    start = goods._table_start(np.array([target]), 1.0)[0]
    assert start <= 1.0 and start == pytest.approx(1.0, rel=1e-7)
    assert goods._load_for_sales(np.array([target]), 1.0)[0] == pytest.approx(1.0, rel=2e-15)
    table = goods._sales_table(1.0)
    assert table[0][0] == 0.0 and not table[0].flags.writeable
    # node k is the root of G(x) = k / N: G(x_k) = k / N to rounding
    assert table[1] == pytest.approx(np.arange(goods.TABLE_NODES) / goods.TABLE_NODES, abs=1e-15)


@pytest.mark.parametrize("dispersion", [0.05, 0.5, 1.26, 3.0])
def test_load_for_sales_from_table_agrees_with_plain_newton(dispersion):
    """From the table start (targets up to TABLE_HIGHEST) or the bound (above), with the early stop, the
    load is the plain Newton root to rounding: the same x where G is steep, G(x) = target to rounding
    everywhere (never more than rounding above it: sales within the room), and every start below its root."""
    target = np.concatenate((np.geomspace(1e-7, 0.5, 40), np.linspace(0.5, 0.999, 40), [0.9995, 1.0 - 1e-9]))
    load = goods._load_for_sales(target, dispersion)
    reference = _reference_load(target, dispersion)
    steep = target <= 0.99
    np.testing.assert_allclose(load[steep], reference[steep], rtol=1e-13)
    gap = goods.capped_sales(load, dispersion) - target
    assert np.abs(gap).max() <= 1e-15
    low = target <= goods.TABLE_HIGHEST
    assert (goods.capped_sales(goods._table_start(target[low], dispersion), dispersion) <= target[low] + 1e-15).all()


def test_entrant_demand_counts_its_own_variety_at_its_served_share_by_hand():
    # one city, one sector, sigma = 2, spending 100, W = 1; an entrant at price 1 whose enterprise serves
    # r = 0.5 of its orders at its planned capacity: with rivals' notional price terms Phi = 3 its orders
    # are 100 / (3 + 0.5) = 28.5714; alone in the market 100 / 0.5 = 200 (its spending over r); at price 2
    # against Phi = 3: 2^-2 x 100 / (3 + 2^-1 x 0.5) = 7.6923
    args = (np.array([0, 0]), np.array([0, 0]), np.array([2.0]), np.ones((1, 1, 1)), np.array([[100.0]]))
    demand = goods.entrant_demand(np.array([1.0, 2.0]), *args[:3], args[3], args[4], np.array([[3.0]]),
                                  np.array([0.5, 0.5]))
    assert demand == pytest.approx([28.5714, 7.6923], abs=1e-4)
    alone = goods.entrant_demand(np.array([1.0]), np.array([0]), np.array([0]), np.array([2.0]), np.ones((1, 1, 1)),
                                 np.array([[100.0]]), np.array([[0.0]]), np.array([0.5]))
    assert alone == pytest.approx([200.0], rel=1e-12)
    # every order served (r = 1, the default): 100 / (3 + 1) = 25
    assert goods.entrant_demand(np.array([1.0]), np.array([0]), np.array([0]), np.array([2.0]), np.ones((1, 1, 1)),
                                np.array([[100.0]]), np.array([[3.0]])) == pytest.approx([25.0], rel=1e-12)
