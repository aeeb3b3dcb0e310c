"""Persistent productivity shocks: the AR(1) deviation of each firm agent's productivity from its permanent
level (``productivity_persistence``; :func:`ydabm.mechanisms.technology.productivity_deviation`)."""

import numpy as np
import pytest

from script_modules import load_script
from ydabm.agents.firms import Firms
from ydabm.mechanisms import technology
from ydabm.model import YRDModel
from ydabm.params import ParameterError, Params


def test_deviation_step_by_hand():
    # rho = 0.81 a year: rho_q = 0.81^(1/4) = 0.948683, rho_q^2 = 0.9, sqrt(1 - 0.9) = 0.316228
    after = technology.productivity_deviation(np.array([0.1, -0.2]), 0.81, 0.1, np.array([1.0, 0.0]))
    np.testing.assert_allclose(after, [0.0948683 + 0.0316228, -0.1897367], atol=1e-7)
    # persistence 1: the deviation is kept whatever the draw
    np.testing.assert_array_equal(technology.productivity_deviation(np.array([0.1, -0.2]), 1.0, 0.1,
                                                                    np.array([1.0, -3.0])), [0.1, -0.2])
    # persistence 0: a fresh draw of sd ``dispersion`` each quarter
    np.testing.assert_allclose(technology.productivity_deviation(np.array([0.5]), 0.0, 0.1, np.array([2.0])), [0.2])


def test_stationary_sd_is_the_dispersion_whatever_the_persistence():
    rng = np.random.default_rng(3)
    for persistence in (0.5, 0.8, 0.95):
        u = np.zeros(20_000)
        for _ in range(400):
            u = technology.productivity_deviation(u, persistence, 0.12, rng.standard_normal(u.size))
        # sd of the sample sd of 20,000 normals: 0.12 / sqrt(40,000) = 0.0006
        assert u.std() == pytest.approx(0.12, abs=0.003), persistence
        assert abs(u.mean()) < 0.005


def test_merged_deviation_is_the_mass_weighted_mean():
    firms = Firms(4, sectors=2)
    firms.open(np.array([0, 1]), np.zeros((2, 3)), mass=np.array([1.0, 3.0]), peak=np.array([1.0, 3.0]),
               productivity=np.array([1.0, 1.0]), deviation=np.array([0.1, -0.3]), sector=np.array([0, 0]),
               city=np.array([0, 0]))
    firms.merge(np.array([0]), np.array([1]), elasticity=np.array([5.0, 5.0]))
    assert firms.deviation[1] == pytest.approx((0.1 - 0.9) / 4)


def test_at_persistence_one_nothing_moves_and_nothing_is_drawn(small_params):
    model = YRDModel(rng=1, **small_params)
    state = model.rng.bit_generator.state
    productivity = model.firms.productivity.copy()
    model.apply_productivity_shocks()
    assert model.rng.bit_generator.state == state
    np.testing.assert_array_equal(model.firms.productivity, productivity)


def test_shocks_move_the_deviation_and_keep_the_permanent_level(small_params):
    model = YRDModel(rng=1, productivity_persistence=0.8, **small_params)
    f = model.firms
    live = f.alive.copy()
    permanent = f.productivity[live] / np.exp(f.deviation[live])
    before = f.deviation[live].copy()
    model.apply_productivity_shocks()
    np.testing.assert_allclose(f.productivity[live] / np.exp(f.deviation[live]), permanent, rtol=1e-12)
    assert (f.deviation[live] != before).all()
    # the step is the AR(1) of the parameters: 0.8^(1/4) of the old deviation plus an innovation of sd
    # 0.12 sqrt(1 - 0.8^(1/2)) = 0.0389 sqrt(1 - H) across each city-sector's enterprises (H its agents'
    # Herfindahl index), whose mass-weighted mean is zero in every city-sector (none in a city-sector of
    # one agent)
    noise = f.deviation[live] - 0.8 ** 0.25 * before
    mass, cell = f.mass[live], f.cell[live]
    cells = model.geography.count * model.sectors.count
    np.testing.assert_allclose(np.bincount(cell, mass * noise, cells), 0.0, atol=1e-12)
    agents = np.bincount(cell, minlength=cells)[cell]
    assert (noise[agents == 1] == 0).all() and (noise[agents > 1] != 0).all()
    # pooled over the city-sectors of several agents (a few hundred agents: a wide tolerance)
    several = agents > 1
    variance = (mass * noise ** 2)[several].sum() / mass[several].sum()
    total = np.bincount(cell, mass, cells)
    herfindahl = np.divide(np.bincount(cell, mass * mass, cells), total ** 2, out=np.ones(cells), where=total > 0)
    carried = (mass * (1.0 - herfindahl[cell]))[several].sum() / mass[several].sum()
    assert np.sqrt(variance) == pytest.approx(0.12 * np.sqrt((1 - 0.8 ** 0.5) * carried), rel=0.2)


def test_pooled_innovations_by_hand():
    # city-sector 0: masses 1 and 3, draws 1 and -0.5: mean (1 - 1.5) / 4 = -0.125, so 1.125 and -0.375;
    # city-sector 2: one agent, no shock; city-sector 1: none
    out = technology.pooled_innovations(np.array([1.0, -0.5, 0.7]), np.array([1.0, 3.0, 5.0]),
                                        np.array([0, 0, 2]), 3)
    np.testing.assert_allclose(out, [1.125, -0.375, 0.0])


def test_a_vanishing_agent_beside_a_dominant_one_draws_a_bounded_shock():
    # masses 1 and 1e-9, draws 0.3 and -2: the mean is 0.3 to 1e-9, so (0, -2.3) to that precision. Scaled
    # back to a mass-weighted variance of 1 (by 1 / sqrt(1 - H), H = 1 - 2e-9), the small agent's shock
    # would be -2.3 x 2.2e4 (a search of random parameter sets found its productivity overflowing)
    out = technology.pooled_innovations(np.array([0.3, -2.0]), np.array([1.0, 1e-9]), np.array([0, 0]), 1)
    np.testing.assert_allclose(out, [2.3e-9, -2.3], rtol=1e-6)
    rng = np.random.default_rng(5)
    mass = np.concatenate([[1.0], 10.0 ** -rng.uniform(3, 12, 999)])
    normals = rng.standard_normal(mass.size)
    out = technology.pooled_innovations(normals, mass, np.zeros(mass.size, dtype=int), 1)
    assert np.abs(out).max() <= 2 * np.abs(normals).max()


def test_pooled_innovations_have_each_city_sectors_mean_zero_and_the_dispersion_its_agents_carry():
    # the law of large numbers of a city-sector's many enterprises: whatever the agents' masses, the
    # mass-weighted mean is 0 in every draw, and the mass-weighted variance left is 1 - H on average
    # (H the Herfindahl index of its agents' masses)
    rng = np.random.default_rng(11)
    cell = np.repeat(np.arange(50), 6)
    mass = rng.uniform(0.1, 5.0, cell.size)
    herfindahl = np.bincount(cell, mass * mass, 50) / np.bincount(cell, mass, 50) ** 2
    variances, squares = [], np.zeros(cell.size)
    for _ in range(400):
        out = technology.pooled_innovations(rng.standard_normal(cell.size), mass, cell, 50)
        np.testing.assert_allclose(np.bincount(cell, mass * out, 50), 0.0, atol=1e-10)
        variances.append(np.bincount(cell, mass * out ** 2, 50) / np.bincount(cell, mass, 50))
        squares += out ** 2
    # 400 x 50 city-sectors of 6 agents (H about 0.22): the mean's sd about 0.005
    assert np.mean(variances) == pytest.approx(1.0 - herfindahl.mean(), abs=0.025)
    # each agent's variance is 1 - 2 w + H (w its share; over 400 draws about 0.07 relative sd per agent)
    share = mass / np.bincount(cell, mass, 50)[cell]
    assert np.mean(squares / 400 / (1.0 - 2.0 * share + herfindahl[cell])) == pytest.approx(1.0, abs=0.02)
    # without the pooling each city-sector's mass-weighted mean shock has variance H
    raw = np.array([np.bincount(cell, mass * rng.standard_normal(cell.size), 50) / np.bincount(cell, mass, 50)
                    for _ in range(400)])
    assert raw.var(axis=0).mean() == pytest.approx(herfindahl.mean(), rel=0.1)


def test_set_up_deviations_are_the_draws_and_entrants_start_at_the_mean_draw(small_params):
    model = YRDModel(rng=2, productivity_persistence=0.8, **small_params)
    f = model.firms
    live = np.flatnonzero(f.alive)
    # the set-up's productivity is the cell's level times exp(draw): the draw is the deviation
    np.testing.assert_allclose(f.productivity[live],
                               model.cell_productivity[f.city[live], f.sector[live]] * np.exp(f.deviation[live]),
                               rtol=1e-12)
    # entrants into one city-sector: a cohort of their own at the mean draw, or the mass-weighted mean
    # with the cohort they join
    city, sector = 0, int(np.argmax(model.firms.by_cell(f.mass, model.geography.count)[0]))
    mass, deviation, alive = f.mass.copy(), f.deviation.copy(), f.alive.copy()
    entrants = np.zeros_like(model.mean_draw)
    entrants[city, sector] = 50.0
    model.open_firms(entrants)
    row = model.cohort[city, sector]
    before_mass = mass[row] if row < mass.size and alive[row] else 0.0
    before = deviation[row] if before_mass > 0 else 0.0
    expected = (before_mass * before + 50.0 * np.log(model.mean_draw[city, sector])) / (before_mass + 50.0)
    assert f.deviation[row] == pytest.approx(expected, rel=1e-12)
    assert np.log(model.mean_draw[city, sector]) > 0          # the CES mean draw lies above the location


def test_same_seed_same_path_with_shocks(small_params):
    paths = []
    for _ in range(2):
        model = YRDModel(rng=5, productivity_persistence=0.7, **small_params)
        for _ in range(3):
            model.step()
        paths.append(model.datacollector.get_model_vars_dataframe())
    assert paths[0].equals(paths[1])


def test_persistence_out_of_bounds_names_the_field():
    with pytest.raises(ParameterError, match="productivity_persistence"):
        Params.build({"productivity_persistence": 1.5})


# --- with shocks, the zombie share responds to the levers as the evidence says (issue 11 item 4) -------
SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40
PERSISTENCE = 0.8


def _zombie_share(seed: int, **values) -> float:
    """Zombie share of the live firm mass over quarters 33-40 of a no-shock baseline with productivity
    shocks of yearly persistence 0.8, at the default scale."""
    model = YRDModel(rng=seed, productivity_persistence=PERSISTENCE, **values)
    for _ in range(QUARTERS):
        model.step()
    return float(model.datacollector.get_model_vars_dataframe()["zombie_share"].iloc[33:41].mean())


def _effect(low: dict, high: dict, seeds=SEEDS) -> tuple[float, float]:
    diff = np.array([_zombie_share(s, **high) - _zombie_share(s, **low) for s in seeds])
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size))


@pytest.mark.slow
def test_with_shocks_the_barrier_raises_the_zombie_share():
    # measured (4 Dec 2026, seeds 1-5): 12.18 % at barrier 0, 15.50 % at 1: +3.32 +- 0.54 pp (6.2 se);
    # without shocks +0.11 +- 0.05 pp (docs/validation.md, "Persistent productivity shocks"). Here one
    # agent can hold a whole city-sector; with cohorts of at most 5 % of it the effect holds at 2,000
    # people per agent with staff at fixed rounding points (the default) as at 500, but not under error
    # diffusion (staff_rounding 0; tests/test_burn_in.py, the barrier at the steady state)
    effect, se = _effect({"barrier": 0.0}, {"barrier": 1.0})
    assert effect > 3 * se and effect > 0, (effect, se)


@pytest.mark.slow
def test_with_shocks_specialization_lowers_the_zombie_share():
    # measured: 15.59 % at specialization 0, 10.50 % at 1: -5.09 +- 0.29 pp (17 se); without shocks
    # -0.42 +- 0.06 pp at this scale and horizon
    effect, se = _effect({"specialization": 0.0}, {"specialization": 1.0})
    assert effect < -3 * se and effect < 0, (effect, se)


@pytest.mark.slow
def test_with_shocks_soft_credit_keeps_loss_makers_alive():
    # measured: 1.88 % with hard budgets, 14.87 % at the default generosity 1, 26.65 % at 5 (seeds 1-5)
    effect, se = _effect({"soft_budget": 0.0}, {}, seeds=SEEDS[:3])
    assert effect > 3 * se and effect > 0.05, (effect, se)


def test_less_than_one_enterprise_does_not_open_an_empty_market():
    from ydabm.mechanisms.entry import enters
    # 2,670 enterprises per founding cohort (the default scale): one enterprise is a mass of 1 / 2,670
    added = np.array([1e-22, 1 / 2670, 0.9 / 2670, 1e-22, 0.5])
    occupied = np.array([False, False, False, True, False])
    np.testing.assert_array_equal(enters(added, occupied, 2670.0), [False, True, False, True, True])


def _shocks_script():
    """``scripts/productivity_shocks.py`` as a module (the diagnostic docs/validation.md quotes)."""
    return load_script("productivity_shocks")


def test_largest_agents_share_of_its_city_sector_by_hand():
    script = _shocks_script()
    firms = Firms(5, sectors=2)
    # city-sector 0 (city 0, sector 0): masses 1 and 3; city-sector 1 (city 0, sector 1): one agent of 4
    firms.open(np.array([0, 1, 2]), np.zeros((3, 3)), mass=np.array([1.0, 3.0, 4.0]),
               peak=np.array([1.0, 3.0, 4.0]), productivity=np.ones(3), sector=np.array([0, 0, 1]),
               city=np.array([0, 0, 0]))
    # weighted by the city-sectors' masses 4 and 4: (3/4 + 4/4) / 2
    assert script.largest_share(firms) == pytest.approx(0.875)


def test_lumpy_share_of_the_closed_mass_by_hand():
    script = _shocks_script()
    # masses 1 and 3 closed, holding 0.5 and 0.1 of their city-sectors: 1 of 4 was in a lumpy agent
    assert script.lumpy_share([(1.0, 0.5), (3.0, 0.1)]) == pytest.approx(0.25)
    assert script.lumpy_share([]) == 0.0


def test_closures_are_watched_with_their_share_of_the_city_sector(small_params):
    # after a year of burn-in (the model's, ``burn_in``), closures come and each is recorded with its
    # share of its city-sector's mass when it closed
    script = _shocks_script()
    model = YRDModel(rng=2, **{**small_params, "productivity_persistence": 0.8, "burn_in": 1})
    closed = script.watch_closures(model)
    model.step()
    del model.close_firms
    assert all(0 < share <= 1 for _, share in closed)


def test_exit_echo_autocorrelation_by_hand():
    script = _shocks_script()
    # a wave every 5 quarters on a flat flow: mean 2, deviations -1, -1, -1, -1, 4 twice (squares sum
    # to 40); at lag 5 the five pairs give 4 x 1 + 16 = 20, at lag 1 the nine give 6 x 1 - 3 x 4 = -6
    series = np.array([1.0, 1.0, 1.0, 1.0, 6.0] * 2)
    assert script.autocorrelation(series, 5) == pytest.approx(0.5)
    assert script.autocorrelation(series, 1) == pytest.approx(-0.15)
    assert np.isnan(script.autocorrelation(np.ones(6), 2)) and np.isnan(script.autocorrelation(series, 10))
