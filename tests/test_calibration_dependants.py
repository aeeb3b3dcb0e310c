"""Worker agents are the working-age residents; the other residents are dependants (issue 10 item 6).

ODD section 5 (initialisation), step 3; ``calibration.working_age_population``,
``initial_dependants``, ``working_migrant_stock``, ``hukou_shares`` among workers.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from ydabm import YRDModel, calibration
from ydabm.params import ParameterError, validate

from invariants import Start, assert_invariants


def _geo(population, hukou, provinces=None):
    count = len(population)
    return SimpleNamespace(population=np.array(population, float), hukou_population=np.array(hukou, float),
                           synthetic=False, count=count, hours=np.zeros((count, count)),
                           province_index=np.array(provinces if provinces is not None else [0] * count))


def test_working_age_residents_by_hand():
    # a city that gained 40 migrants and one that lost 20, a = 0.6, m = 0.9:
    # 0.6 x 60 + 0.9 x 40 = 72; 0.6 x 100 - 0.9 x 20 = 42 (the leavers' dependants stayed)
    geo = _geo([100, 80], [60, 100])
    params = {"working_age_share": 0.6, "migrant_working_age_share": 0.9, "people_per_agent": 1.0}
    np.testing.assert_allclose(calibration.working_age_population(geo, params), [72.0, 42.0])
    agents = calibration.worker_agents(geo, params)
    np.testing.assert_array_equal(agents, [72, 42])
    np.testing.assert_allclose(calibration.initial_dependants(geo, params), [28.0, 38.0])
    # the working-age part of the net migrant stock: +36 and -18
    np.testing.assert_allclose(calibration.working_migrant_stock(geo, params), [36.0, -18.0])


def test_every_resident_works_when_both_shares_are_one():
    geo = _geo([100, 80], [60, 100])
    params = {"working_age_share": 1.0, "migrant_working_age_share": 1.0, "people_per_agent": 1.0}
    np.testing.assert_allclose(calibration.working_age_population(geo, params), geo.population)
    np.testing.assert_allclose(calibration.initial_dependants(geo, params), 0.0)
    np.testing.assert_allclose(calibration.working_migrant_stock(geo, params), geo.population - geo.hukou_population)


def test_working_age_residents_never_exceed_the_residents():
    # m = 0: the 20 who left were all dependants, so 0.9 x 100 = 90 > 80 residents: capped at 80
    geo = _geo([80], [100])
    params = {"working_age_share": 0.9, "migrant_working_age_share": 0.0, "people_per_agent": 1.0}
    np.testing.assert_allclose(calibration.working_age_population(geo, params), [80.0])


def test_hukou_shares_among_workers_by_hand():
    # city 0 gained 50 (R 150, H 100), city 1 lost 20 (R 80, H 100), both in province 0; city 2 (province 1)
    # is even. Of the surplus, deficit / surplus = 0.4 comes from the region (city 1, province 0), 0.6 from outside.
    geo = _geo([150, 80, 70], [100, 100, 70], provinces=[0, 0, 1])
    residents = calibration.hukou_shares(geo)
    # residents: 1/3 migrants: province 0 holds 2/3 + 0.4/3 = 0.8, outside 0.6/3 = 0.2
    np.testing.assert_allclose(residents[0], [0.8, 0.0, 0.2])
    # workers, a = 0.6, m = 0.8: 60 locals + 40 migrants, migrant share 0.4: 0.6 + 0.16 and 0.24
    params = {"working_age_share": 0.6, "migrant_working_age_share": 0.8}
    workers = calibration.hukou_shares(geo, params)
    np.testing.assert_allclose(workers[0], [0.76, 0.0, 0.24])
    np.testing.assert_allclose(workers[1:], residents[1:])


def test_shares_out_of_bounds_are_one_clear_message():
    with pytest.raises(ParameterError, match="working_age_share"):
        validate({"working_age_share": 0.2})
    with pytest.raises(ParameterError, match="migrant_working_age_share"):
        validate({"migrant_working_age_share": 1.5})


@pytest.fixture(scope="module")
def model():
    return YRDModel(rng=3, people_per_agent=20000)


def test_population_is_workers_plus_dependants_and_matches_the_census(model):
    geo, ppa = model.geography, model.params.people_per_agent
    # workers plus dependants are the census residents, city by city, up to rounding workers to agents
    assert np.abs(model.population_by_city() - geo.population / ppa).max() <= 0.5 + 1e-9
    assert model.dependants.min() > 0
    # out-migration cities keep more dependants per resident: Fuyang (hukou 10.773 M, residents
    # 8.200 M): 1 - (0.6335 x 1077.3 - 0.76 x 257.3) / 820.0 = 0.406; Suzhou_JS (hukou 7.443 M,
    # residents 12.748 M): 1 - (0.6335 x 744.3 + 0.76 x 530.5) / 1274.8 = 0.314 (up to rounding to agents)
    share = model.dependants / model.population_by_city()
    assert share[geo.names.index("Fuyang")] == pytest.approx(0.406, abs=0.005)
    assert share[geo.names.index("Suzhou_JS")] == pytest.approx(0.314, abs=0.005)


def test_dependants_stay_and_people_are_accounted(model):
    start = Start.of(model)
    before = model.dependants.copy()
    for _ in range(4):
        model.step()
        assert_invariants(model, start)
    np.testing.assert_array_equal(model.dependants, before)
    assert model.population_by_city().sum() == pytest.approx(model.workers.count + before.sum())


def test_without_dependants_the_population_is_the_workers():
    model = YRDModel(rng=3, people_per_agent=20000, working_age_share=1.0, migrant_working_age_share=1.0)
    assert model.dependants.sum() == 0
    np.testing.assert_array_equal(model.population_by_city(), model.labour_force.sum(axis=1))


def test_synthetic_worlds_have_no_dependants():
    model = YRDModel(rng=3, world="two_city")
    assert model.dependants.sum() == 0


def test_wage_factors_give_the_model_wage():
    # w = (Y / N) (N / L) l / n r / (1 - u) is the non-farm wage the calibration pays; the model's
    # employment at t = 0 is (1 - u) of the force up to whole workers (measured: within 0.54 %)
    from ydabm.observation import city_reports
    from ydabm.validation.calibration_check import wage_factors
    fresh = YRDModel(rng=3, people_per_agent=20000)
    factors = wage_factors(fresh.geography, fresh.params.as_dict())
    wage = np.array([row["urban_wage"] for row in city_reports(fresh)])
    np.testing.assert_allclose(factors["wage"].to_numpy(), wage, rtol=0.01)
    # residents per worker: R / L, e.g. Fuyang 820.0 / (0.6335 x 1077.3 - 0.76 x 257.3) = 1.684
    assert factors["residents_per_worker"].iloc[fresh.geography.names.index("Fuyang")] == pytest.approx(1.684, abs=1e-3)
