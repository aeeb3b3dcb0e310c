"""Farmers who migrate (issue 10 item 2): a reconsidering farmer chooses between farming at home and the
low-skill labour market of another city, and leaves farming when it moves."""

import numpy as np
import pytest

from ydabm import YRDModel, calibration
from ydabm.agents.workers import FARM, LOW
from ydabm.markets import migration
from ydabm.mechanisms import relocation
from ydabm.params import ParameterError

# two cities of one province, one hukou group: low- and high-skill log incomes, amenities, an hour apart
LOG_INCOME = np.array([[0.5, 1.0], [0.2, 0.8]])
AMENITY = np.array([0.1, -0.1])
HOURS = np.array([[0.0, 1.0], [1.0, 0.0]])
FARM_INCOME = np.array([0.0, -0.3])          # log farm income plus attachment
COSTS = dict(move_cost=1.0, move_cost_per_hour=0.5, elasticity=2.0)


def utility():
    return migration.location_utility(LOG_INCOME, AMENITY, HOURS, COSTS["move_cost"], COSTS["move_cost_per_hour"],
                                      0.0, np.zeros(2, int), 1)


def test_farmer_utility_by_hand():
    farmer = relocation.farmer_utility(utility(), LOG_INCOME, FARM_INCOME)
    # from city 0: stay and farm 0.0 + 0.1; move to city 1 as low skill 0.2 - 0.1 - 1 - 0.5 x 1 = -1.4
    # from city 1: stay and farm -0.3 - 0.1 = -0.4; move to city 0 as low skill 0.5 + 0.1 - 1.5 = -0.9
    np.testing.assert_allclose(farmer[:, 0, :], [[0.1, -1.4], [-0.9, -0.4]])
    # a farmer whose farm utility equals the low-skill income chooses as a low-skill worker does
    np.testing.assert_allclose(relocation.farmer_utility(utility(), LOG_INCOME, LOG_INCOME[:, 0]), utility()[:, :, 0, :])


def population(farmers=20000, low=2000):
    """Each city: ``farmers`` farmers then ``low`` low-skill workers, all of hukou group 0."""
    skill = np.tile(np.repeat([FARM, LOW], [farmers, low]), 2)
    city = np.repeat([0, 1], farmers + low)
    return city, np.zeros(city.size, int), skill


def moves_of(rng, farm_share, farm_income=FARM_INCOME, rate=1.0):
    city, hukou, skill = population()
    return relocation.choose_moves(city, hukou, skill, LOG_INCOME, AMENITY, HOURS, np.zeros(2, int), 1,
                                   np.zeros(2), rate, rng=rng, farm_share=farm_share, farm_income=farm_income,
                                   **COSTS)


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_farmers_move_at_the_logit_rate_and_leave_farming(share):
    # beta = 2: a farmer of city 0 moves with 1 / (1 + e^(2 x 1.5)) = 0.047426, of city 1 with
    # 1 / (1 + e^(2 x 0.5)) = 0.268941; a share ``share`` of them reconsiders
    city, _, skill = population()
    moves = moves_of(np.random.default_rng(3), share)
    farmer = skill[moves.rows] == FARM
    np.testing.assert_array_equal(moves.leave_farm, farmer)
    for origin, chance in ((0, 0.047426), (1, 0.268941)):
        rate = np.sum(farmer & (moves.origin == origin)) / 20000
        assert rate == pytest.approx(share * chance, abs=4 * np.sqrt(share * chance / 20000))
    assert np.all(moves.destination != moves.origin)
    assert moves.matrix.sum() == moves.rows.size


def test_no_farmer_reconsiders_at_zero_and_the_draws_are_unchanged():
    first, second = np.random.default_rng(5), np.random.default_rng(5)
    city, hukou, skill = population(500, 500)
    plain = relocation.choose_moves(city, hukou, skill, LOG_INCOME, AMENITY, HOURS, np.zeros(2, int), 1,
                                    np.zeros(2), 0.3, rng=first, **COSTS)
    nested = relocation.choose_moves(city, hukou, skill, LOG_INCOME, AMENITY, HOURS, np.zeros(2, int), 1,
                                     np.zeros(2), 0.3, rng=second, farm_share=0.0, farm_income=FARM_INCOME,
                                     **COSTS)
    np.testing.assert_array_equal(plain.rows, nested.rows)
    np.testing.assert_array_equal(plain.destination, nested.destination)
    assert nested.leave_farm is None and np.all(skill[nested.rows] != FARM) and nested.rows.size > 0
    assert first.bit_generator.state == second.bit_generator.state


def test_farm_share_needs_the_farm_income():
    with pytest.raises(ValueError, match="farm_income"):
        moves_of(np.random.default_rng(0), 1.0, farm_income=None)


def test_farm_attachment_is_the_2020_income_gap():
    income = np.log(np.array([[1.0, 3.0, 5.4], [2.0, 4.0, 7.2]]))
    np.testing.assert_allclose(calibration.farm_attachment(income), [np.log(3.0), np.log(2.0)])


def test_farmer_mobility_is_bounded():
    with pytest.raises(ParameterError, match="farmer_mobility"):
        YRDModel(rng=1, farmer_mobility=1.5)


@pytest.mark.parametrize("share", [1.0, 0.4])
def test_amenities_place_farmers_and_non_farm_workers_together(share):
    # the t = 0 logit arrivals of the non-farm workers and of the share of farmers who reconsider
    # (as farmers: staying farms) are the inversion's targets: the 2020 net flows of people
    model = YRDModel(rng=1, farmer_mobility=share)
    fund, geo, p = model.fundamentals, model.geography, model.params.as_dict()
    income = calibration._initial_income(geo, fund.wages, fund.consumer_price, p)
    u = migration.location_utility(income[:, 1:], fund.amenity, geo.hours, p["move_cost"], p["move_cost_per_hour"],
                                   p["barrier"] * p["hukou_penalty"], geo.province_index, model.hukou_groups)
    chance = migration.choice_probabilities(u, p["migration_elasticity"])
    force = fund.labour_force
    arrivals = np.einsum("ihk,ihkj->j", fund.hukou_share[:, :, None] * force[:, None, 1:], chance)
    farmer = relocation.farmer_utility(u, income[:, 1:], income[:, 0] + fund.farm_attachment)
    local = fund.hukou_share.argmax(axis=1)
    farm_chance = migration.choice_probabilities(farmer, p["migration_elasticity"])[np.arange(geo.count), local]
    arrivals += share * force[:, 0] @ farm_chance
    target = calibration.target_arrivals(geo, force, p)
    np.testing.assert_allclose(arrivals, target, rtol=1e-8)
    # the pool: non-farm workers and the reconsidering share of farmers
    assert target.sum() == pytest.approx(force[:, 1:].sum() + share * force[:, 0].sum())


def test_farmers_who_move_join_the_low_skill_labour_force():
    model = YRDModel(rng=2, farmer_mobility=1.0)
    cities = model.geography.count
    people = model.workers.count
    farmers = model.labour_force[:, 0].sum()
    left = 0
    for _ in range(4):
        model.step()
        moves = model.moves
        assert moves.leave_farm is not None
        left += int(moves.leave_farm.sum())
        # the movers who left farming are low-skill workers of their destinations now
        rows = moves.rows[moves.leave_farm]
        assert np.all(model.workers.skill[rows] == LOW)
        np.testing.assert_array_equal(model.workers.city[rows], moves.destination[moves.leave_farm])
        np.testing.assert_array_equal(model.labour_force, model.workers.table(cities))
    assert left > 0
    assert model.labour_force[:, 0].sum() == farmers - left
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
