"""Farming as a two-way occupational choice (issue 10 item 2): a reconsidering farmer and a reconsidering
low-skill worker with its city's local hukou (the city's home pool) choose between farming at home and a
low-skill job in any city; a farmer who takes a job leaves farming, a worker who chooses farming takes
it up where it lives."""

import numpy as np
import pytest

from ydabm import YRDModel, calibration
from ydabm.agents.workers import FARM, LOW
from ydabm.markets import migration
from ydabm.mechanisms import relocation
from ydabm.params import ParameterError

# two cities of one province, hukou group 0 local to both (group 1: from outside): low- and high-skill
# log incomes, amenities, an hour apart
LOG_INCOME = np.array([[0.5, 1.0], [0.2, 0.8]])
AMENITY = np.array([0.1, -0.1])
HOURS = np.array([[0.0, 1.0], [1.0, 0.0]])
FARM_INCOME = np.array([0.0, -0.3])          # log farm income plus attachment
LOCAL = np.array([0, 0])
COSTS = dict(move_cost=1.0, move_cost_per_hour=0.5, elasticity=2.0)


def utility():
    return migration.location_utility(LOG_INCOME, AMENITY, HOURS, COSTS["move_cost"], COSTS["move_cost_per_hour"],
                                      0.0, np.zeros(2, int), 2)


def test_home_utility_by_hand():
    table = relocation.home_utility(utility(), LOG_INCOME, FARM_INCOME, LOCAL)
    # from city 0: a job in 0: 0.5 + 0.1 = 0.6; in 1: 0.2 - 0.1 - 1 - 0.5 x 1 = -1.4; farming 0.0 + 0.1
    # from city 1: a job in 0: 0.5 + 0.1 - 1.5 = -0.9; in 1: 0.2 - 0.1 = 0.1; farming -0.3 - 0.1 = -0.4
    np.testing.assert_allclose(table, [[0.6, -1.4, 0.1], [-0.9, 0.1, -0.4]])
    # farming worth the low-skill income at home is worth staying in a job at home
    same = relocation.home_utility(utility(), LOG_INCOME, LOG_INCOME[:, 0], LOCAL)
    np.testing.assert_allclose(same[:, 2], np.diag(same[:, :2]))


def population(farmers=20000, low=20000, outsiders=5000):
    """Each city: ``farmers`` farmers, ``low`` low-skill workers with the local hukou (group 0), then
    ``outsiders`` low-skill workers with hukou group 1."""
    block = np.repeat([FARM, LOW, LOW], [farmers, low, outsiders])
    skill = np.tile(block, 2)
    city = np.repeat([0, 1], block.size)
    hukou = np.tile(np.repeat([0, 0, 1], [farmers, low, outsiders]), 2)
    return city, hukou, skill


def moves_of(rng, farm_share, farm_income=FARM_INCOME, rate=1.0, local=LOCAL):
    city, hukou, skill = population()
    return relocation.choose_moves(city, hukou, skill, LOG_INCOME, AMENITY, HOURS, np.zeros(2, int), 2,
                                   np.zeros(2), rate, rng=rng, farm_share=farm_share, farm_income=farm_income,
                                   local=local, **COSTS)


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_the_home_pool_chooses_farming_at_the_logit_rate(share):
    # beta = 2 on the table above: from city 0 a job in 0, in 1, farming with 0.721399, 0.013213,
    # 0.265388; from city 1 with 0.090031, 0.665241, 0.244728. A share ``share`` of the farmers
    # reconsiders, every low-skill worker does (rate 1)
    city, hukou, skill = population()
    moves = moves_of(np.random.default_rng(3), share)
    was = skill[moves.rows]
    np.testing.assert_array_equal(moves.leave_farm, was == FARM)
    np.testing.assert_array_equal(moves.enter_farm, (was == LOW) & (moves.destination == moves.origin))
    # only the local low-skill workers take up farming, and only where they live
    assert np.all(hukou[moves.rows[moves.enter_farm]] == 0)
    for home, chance in enumerate(((0.721399, 0.013213, 0.265388), (0.090031, 0.665241, 0.244728))):
        job_home, farm = chance[home], chance[2]
        here = moves.origin == home
        left = np.sum(moves.leave_farm & here) / 20000           # farmers who took a job anywhere
        entered = np.sum(moves.enter_farm & here) / 20000        # local workers who took up farming
        switched = np.sum(moves.leave_farm & here & (moves.destination == home)) / 20000
        for value, expected in ((left, share * (1 - farm)), (entered, farm), (switched, share * job_home)):
            assert value == pytest.approx(expected, abs=4 * np.sqrt(expected / 20000))
    # a change of occupation in place is not a move
    moved = moves.destination != moves.origin
    assert moves.matrix.sum() == moved.sum() and not moves.matrix.diagonal().any()
    assert np.all(moved | moves.leave_farm | moves.enter_farm)


def test_no_farmer_reconsiders_at_zero_and_the_draws_are_unchanged():
    first, second = np.random.default_rng(5), np.random.default_rng(5)
    city, hukou, skill = population(500, 500, 100)
    plain = relocation.choose_moves(city, hukou, skill, LOG_INCOME, AMENITY, HOURS, np.zeros(2, int), 2,
                                    np.zeros(2), 0.3, rng=first, **COSTS)
    nested = relocation.choose_moves(city, hukou, skill, LOG_INCOME, AMENITY, HOURS, np.zeros(2, int), 2,
                                     np.zeros(2), 0.3, rng=second, farm_share=0.0, farm_income=FARM_INCOME,
                                     local=LOCAL, **COSTS)
    np.testing.assert_array_equal(plain.rows, nested.rows)
    np.testing.assert_array_equal(plain.destination, nested.destination)
    assert nested.leave_farm is None and nested.enter_farm is None
    assert np.all(skill[nested.rows] != FARM) and nested.rows.size > 0
    assert first.bit_generator.state == second.bit_generator.state


@pytest.mark.parametrize("missing", ["farm_income", "local"])
def test_farm_share_needs_the_farm_income_and_the_local_hukou(missing):
    with pytest.raises(ValueError, match=missing):
        moves_of(np.random.default_rng(0), 1.0, **{missing: None})


def test_farm_choice_share_by_hand():
    # city 0: F = 10, L = 30 of which the local hukou holds 0.5 (L_local 15), N = 60, net flow -0.2 a
    # quarter; city 1: F = 0; m = 0.5, r = 0.05: P = 0.5 x 10 + 15 = 20; phi = 10 / 60;
    # s = (5 + (1/6)(-0.2)/0.05) / 20 = (5 - 2/3) / 20 = 0.216667
    force = np.array([[10.0, 30.0, 20.0], [0.0, 40.0, 20.0]])
    hukou = np.array([[0.5, 0.3, 0.2], [0.1, 0.8, 0.1]])
    params = dict(farmer_mobility=0.5, reconsider_rate=0.05)
    share, pool = calibration.farm_choice_share(force, hukou, np.array([-0.2, 0.2]), params)
    np.testing.assert_allclose(pool, [20.0, 32.0])
    np.testing.assert_allclose(share, [(5 - 2 / 3) / 20, 0.0])
    # no net flow: as many take up farming as leave it, s = m F / P
    np.testing.assert_allclose(calibration.farm_choice_share(force, hukou, np.zeros(2), params)[0], [0.25, 0.0])
    # a net outflow the reconsidering farmers cannot carry: no one takes up farming
    assert calibration.farm_choice_share(force, hukou, np.array([-2.0, 2.0]), params)[0][0] == 0.0
    # immobile farmers: no one chooses farming
    assert not calibration.farm_choice_share(force, hukou, np.array([-0.2, 0.2]), dict(params, farmer_mobility=0.0))[0].any()


def test_farmer_mobility_is_bounded():
    with pytest.raises(ParameterError, match="farmer_mobility"):
        YRDModel(rng=1, farmer_mobility=1.5)


def _t0_choices(model):
    """The t = 0 logit choices at the set-up's incomes: (C, H, K - 1, C) probabilities of the non-farm
    cells and (C, C + 1) of the home pools."""
    fund, geo, p = model.fundamentals, model.geography, model.params.as_dict()
    income = calibration._initial_income(geo, fund.wages, fund.consumer_price, p)
    u = migration.location_utility(income[:, 1:], fund.amenity, geo.hours, p["move_cost"], p["move_cost_per_hour"],
                                   p["barrier"] * p["hukou_penalty"], geo.province_index, model.hukou_groups)
    local = fund.hukou_share.argmax(axis=1)
    home = relocation.home_utility(u, income[:, 1:], income[:, 0] + fund.farm_attachment, local)
    return (migration.choice_probabilities(u, p["migration_elasticity"]),
            migration.choice_probabilities(home, p["migration_elasticity"]), local, p)


@pytest.mark.parametrize("share", [1.0, 0.4])
def test_the_home_pools_keep_each_citys_farm_share_while_2020s_flows_go_on(share):
    # at t = 0 (the set-up's incomes) the home pool chooses farming with farm_choice_share's probability
    # (the attachment is its inversion), and the logit choices of everyone who reconsiders deliver the
    # 2020 net flows of people with each city's farmers changing at its farm share of that flow
    model = YRDModel(rng=1, farmer_mobility=share)
    fund, geo = model.fundamentals, model.geography
    chance, pool_chance, local, p = _t0_choices(model)
    force, cities = fund.labour_force, geo.count
    flow = calibration.quarterly_net_flow(geo, force, p)
    s, pool = calibration.farm_choice_share(force, fund.hukou_share, flow, p)
    np.testing.assert_allclose(pool_chance[:, cities], s, rtol=1e-9, atol=1e-15)
    assert 0.0 < s.min() and s.max() < 1.0
    counts = fund.hukou_share[:, :, None] * force[:, None, 1:]
    counts[np.arange(cities), local, 0] = 0.0                          # the pool's low-skill workers ...
    arrivals = np.einsum("ihk,ihkj->j", counts, chance)
    arrivals += pool @ pool_chance[:, :cities]                         # ... choose with the farmers
    farming = pool * pool_chance[:, cities]
    r = p["reconsider_rate"]
    stock = force[:, 1:].sum(axis=1) + share * force[:, 0]              # who reconsiders (over r)
    np.testing.assert_allclose(arrivals + farming - stock, flow / r, rtol=1e-7, atol=1e-6 * stock.max())
    # farmers change at the city's farm share of its net flow: farming keeps each city's structure
    np.testing.assert_allclose(farming - share * force[:, 0], force[:, 0] / force.sum(axis=1) * flow / r,
                               rtol=1e-7, atol=1e-6 * stock.max())


def test_with_stationary_populations_as_many_take_up_farming_as_leave_it():
    model = YRDModel(rng=1, migrant_inflow_rate=0.0)
    _, pool_chance, local, p = _t0_choices(model)
    force, hukou = model.fundamentals.labour_force, model.fundamentals.hukou_share
    cities = model.geography.count
    local_low = hukou[np.arange(cities), local] * force[:, 1]
    np.testing.assert_allclose(local_low * pool_chance[:, cities], force[:, 0] * (1 - pool_chance[:, cities]),
                               rtol=1e-9)


def test_the_home_pool_joins_and_leaves_farming_in_the_model():
    model = YRDModel(rng=2, farmer_mobility=1.0)
    cities = model.geography.count
    people = model.workers.count
    farmers = model.labour_force[:, 0].sum()
    left = entered = 0
    for _ in range(4):
        model.step()
        moves = model.moves
        left += int(moves.leave_farm.sum())
        entered += int(moves.enter_farm.sum())
        # who left farming works (or seeks work) as a low-skill worker of its destination; who took
        # up farming farms where it lived
        rows = moves.rows[moves.leave_farm]
        assert np.all(model.workers.skill[rows] == LOW)
        np.testing.assert_array_equal(model.workers.city[rows], moves.destination[moves.leave_farm])
        rows = moves.rows[moves.enter_farm]
        assert np.all(model.workers.skill[rows] == FARM)
        np.testing.assert_array_equal(model.workers.city[rows], moves.origin[moves.enter_farm])
        np.testing.assert_array_equal(model.labour_force, model.workers.table(cities))
    assert left > 0 and entered > 0
    assert model.labour_force[:, 0].sum() == farmers - left + entered
    assert model.workers.count == people


def test_farmers_stay_at_zero():
    model = YRDModel(rng=2, farmer_mobility=0.0)
    farmers = model.labour_force[:, 0].copy()
    for _ in range(4):
        model.step()
        assert model.moves.leave_farm is None
        np.testing.assert_array_equal(model.labour_force[:, 0], farmers)


@pytest.mark.parametrize("name", ["core_periphery", "racetrack"])
def test_krugman_scenarios_keep_farmers_immobile(name):
    from ydabm.scenarios import load_scenario
    assert load_scenario(name).params()["farmer_mobility"] == 0.0
