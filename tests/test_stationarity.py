"""A stationary baseline: with no shock and the levers at their defaults, 40 quarters at the default
scale over five seeds (issue 10, item 2), and markets that clear: no firm ever sells more than it
can make (item 3)."""

import numpy as np
import pytest

from script_modules import load_script
from ydabm import YRDModel
from ydabm.markets.goods import CLEARING_TOLERANCE
from ydabm.mechanisms import planning
from ydabm.model import capacity_lag, steady_investment
from ydabm.agents.workers import FARM
from ydabm.params import DEFAULTS, QUICK_SCALE, ParameterError

SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40
FARMER_MOBILITY = DEFAULTS["farmer_mobility"]


@pytest.fixture(scope="module")
def baseline_runs():
    """Per seed: the metrics frame, the largest output over feasible output, and the (C, S) employment
    by city-sector and (C,) population at quarter 0 and at the end."""
    runs = []
    for seed in SEEDS:
        model = YRDModel(rng=seed)
        start = (model.employment_by_sector().astype(float), model.population_by_city())
        feasible = []
        for _ in range(QUARTERS):
            model.step()
            live = np.flatnonzero(model.firms.alive)
            most = model.production_room(live)
            feasible.append(float(np.max(model.firms.output[live] / np.where(most > 0, most, np.inf))))
        frame = model.datacollector.get_model_vars_dataframe()
        end = (model.employment_by_sector().astype(float), model.population_by_city())
        runs.append((frame, max(feasible), (start, end, model.sectors.agriculture)))
    return runs


def accelerator_path(growth, speed, depreciation, exit_rate, quarters=3000):
    """Capacity over the goal and investment over capital (the firm's own and its entrants') of one
    city-sector after ``quarters`` of the step's sequence: the hazard takes exit_rate of its enterprises
    and their capacity, entrants replacing them build at the goal, then the firm plans with
    :func:`ydabm.mechanisms.planning.plan_production` at a price that falls by ``growth`` a quarter
    (stationary values: demand in units grows by ``growth``)."""
    q, kappa, sigma, value = 1.25, 2.0, 5.0, 1000.0
    capacity, productivity = 80.0, 1.0
    for _ in range(quarters):
        productivity *= 1.0 + growth
        price = sigma / (sigma - 1.0) / productivity
        demand = value / price                                   # orders in units at this quarter's price
        capacity = (1.0 - exit_rate) * capacity + exit_rate * q * demand
        plan = planning.plan_production(
            alive=np.array([True]), productivity=np.array([productivity]), unit_labour_cost=np.array([1.0 / productivity]),
            elasticity=np.array([sigma]), capital_intensity=np.array([kappa]), overhead=np.zeros(1),
            capacity=np.array([capacity]), expected_sales=np.array([value]), notional_sales=np.array([value]),
            staffed_output=np.array([1e12]), understaffed=np.zeros(1, bool), ratio=np.array([q]), dispersion=0.0,
            skill_mix=np.array([[0.0, 1.0, 0.0]]), sector=np.zeros(1, int), city_labour=np.full((1, 3), 1e12),
            city=np.zeros(1, int), demand_expectation=0.5,
            depreciation=depreciation, investment_speed=speed, capacity_subsidy=np.zeros(1))
        capacity = float(plan.capacity[0])
        investment = float(plan.investment[0]) + kappa * price * exit_rate * q * demand
    return capacity / (q * demand), investment / (kappa * price * capacity)


def test_capacity_lag_by_hand_and_as_the_accelerators_steady_state():
    # g 1 %, v 0.25, e 1.5 %: c = (0.25 + 0.75 x 0.015) / (1 - 0.75 x 0.985 / 1.01) = 0.26125 / 0.268564
    # = 0.97277; K_a / (q D) = 0.985 x 0.97277 / 1.01 + 0.015 = 0.96369; investment per unit of capital
    # (0.015 x 0.96369 + 0.25 x 0.03631 + 0.015) / 0.97277 = 0.03961
    assert capacity_lag(0.01, 0.25, 0.015, 0.015) == pytest.approx(0.97277, abs=1e-5)
    assert steady_investment(0.01, 0.25, 0.015, 0.015) == pytest.approx(0.03961, abs=1e-5)
    # without growth capacity sits at its goal and investment replaces depreciation and exits
    assert capacity_lag(0.0, 0.25, 0.015, 0.015) == pytest.approx(1.0)
    assert steady_investment(0.0, 0.25, 0.015, 0.015) == pytest.approx(0.03)
    # the step's own sequence converges to them, also where shrinking demand leaves firms idle
    # (g -2 %: capital only wears off, c = 0.985 x 0.015 / (1 - 0.985^2 / 0.98) = 1.4813)
    assert capacity_lag(-0.02, 0.25, 0.015, 0.015) == pytest.approx(1.4813, abs=1e-4)
    for growth, speed, depreciation, exit_rate in ((0.01, 0.25, 0.015, 0.015), (0.0125, 0.1, 0.02, 0.05),
                                                   (0.003, 1.0, 0.015, 0.0), (-0.02, 0.25, 0.015, 0.015)):
        lag, rate = accelerator_path(growth, speed, depreciation, exit_rate)
        assert lag == pytest.approx(capacity_lag(growth, speed, exit_rate, depreciation), rel=1e-9)
        assert rate == pytest.approx(steady_investment(growth, speed, depreciation, exit_rate), rel=1e-9)


def test_a_steady_state_without_capacity_is_refused_and_one_just_inside_clears():
    # without investment the steady state's capacity over its goal is e (1 + g) / (g + e) for exit rate
    # e: new energy (g 1.227 % a quarter) holds 0.0082 at e = 1e-4 (refused: below a hundredth) and
    # 0.0162 at 2e-4. With e = 4e-16 the t = 0 market took 10,000 rounds (residual 1.8e-8); with an
    # investment speed of 7e-256 and no exit, prices were NaN
    with pytest.raises(ParameterError, match=r"^investment_speed, exit_rate: 0 and 0.0001 hold new_energy's"):
        YRDModel(rng=1, investment_speed=0.0, exit_rate=1e-4, **QUICK_SCALE)
    with pytest.raises(ParameterError, match="at least 0.01 in every sector"):
        YRDModel(rng=1, investment_speed=7.3e-256, exit_rate=0.0, **QUICK_SCALE)
    model = YRDModel(rng=1, investment_speed=0.0, exit_rate=2e-4, **QUICK_SCALE)
    assert model.steady_lag.min() == pytest.approx(0.0162, abs=1e-4)
    assert model.goods.residual <= CLEARING_TOLERANCE
    # both at exactly 0: no steady state, capacity keeps its goal (as before)
    assert YRDModel(rng=1, investment_speed=0.0, exit_rate=0.0, **QUICK_SCALE).steady_lag.min() == 1.0


def test_setup_capacity_and_investment_are_the_steady_state_of_the_step():
    model = YRDModel(rng=1, **QUICK_SCALE)
    p, f, s = model.params, model.firms, model.sectors
    live = f.alive
    growth = np.expm1(p.tfp_growth_scale * np.log1p(s.tfp_growth) / 4.0)
    lag = capacity_lag(growth, p.investment_speed, p.exit_rate, p.depreciation)
    assert (lag < 1).all() and (lag > 0.9).all()
    # capacity is the steady share c of the newsvendor's goal q D for the 2020 orders D (expected sales
    # at the markup price)
    markup = planning.markup_price(np.take(model.mix_wage(), f.cell) / model.effective_productivity(),
                                   s.elasticity[f.sector])
    ratio = model.capacity_ratio(f.sector, model.targeted_firms())
    rows = np.flatnonzero(live)
    np.testing.assert_allclose(f.capacity[rows] * markup[rows] / (ratio[rows] * f.expected_sales[rows]),
                               lag[f.sector[rows]], rtol=1e-9)
    # the 2020 accounts invest as the steady state does, and the capacity subsidy pays its share of it
    investment = model.capital_value() * np.take(steady_investment(growth, p.investment_speed, p.depreciation,
                                                                   p.exit_rate), f.sector)
    rd = f.rd_share * model.firm_value_added()
    assert model.flows["investment"].sum() == pytest.approx((investment + rd)[live].sum(), rel=1e-12)
    targeted = model.targeted_firms()
    entry = p.entry_subsidy * targeted * f.entrant_share() * f.revenue
    assert model.flows["subsidies"].sum() == pytest.approx(
        (p.capacity_subsidy * targeted * investment + entry)[live].sum(), rel=1e-9)


@pytest.mark.slow
def test_support_starts_at_its_steady_state(baseline_runs):
    # support to firms over GDP: quarter 0 (the set-up's 2020 accounts) within 3 % of its ten-year mean,
    # and no quarter of the first two years more than 10 % off it (before the fix quarter 0 was 0.48-0.50
    # of the mean, the missing entrants' capacity and the expansion that keeps up with demand)
    for frame, *_ in baseline_runs:
        support = frame["subsidy_to_gdp"]
        mean = support.mean()
        assert abs(support.iloc[0] / mean - 1) <= 0.03
        assert (support.iloc[:9] / mean - 1).abs().max() <= 0.10


@pytest.mark.slow
def test_markets_clear_and_no_firm_sells_more_than_it_can_make(baseline_runs):
    for frame, most, _ in baseline_runs:
        assert frame["market_residual"].max() <= CLEARING_TOLERANCE
        assert most <= 1 + 1e-8


@pytest.mark.slow
def test_firm_count_within_3_percent_after_ten_years(baseline_runs):
    for frame, *_ in baseline_runs:
        assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["similarity_manufacturing", "similarity_all",
                                    "similarity_within_province", "similarity_across_provinces",
                                    "krugman_index"])
def test_structure_within_001_of_2020(baseline_runs, metric):
    # observed with target_sharpness calibrated (7; issue 11): manufacturing similarity moves by at most
    # 0.0038-0.0077 over seeds 1-5 (0.0034-0.0171 at the assumed 20, where the baseline's yearly
    # re-targeting sat at a coordination threshold and flipped support in up to 40 cells). All-sector
    # similarity: +0.0063..+0.0084 with farmers who migrate (farmer_mobility 1; it fell 0.0137-0.0154
    # with immobile farmers, test_immobile_farmers_drift_is_the_farm_share_of_cities_losing_people).
    # At 1,000 people per agent (5 Dec 2026): manufacturing 0.0014-0.0044, all-sector 0.0062-0.0083,
    # within provinces 0.0020-0.0048, across 0.0017-0.0042; at the default 750 (7 Dec 2026): 0.0018-0.0024,
    # 0.0058-0.0079, 0.0016-0.0026, 0.0018-0.0024. With farming a two-way occupational choice (8 Dec 2026):
    # manufacturing 0.0014-0.0019, all-sector 0.0017-0.0026, within provinces 0.0016-0.0021, across
    # 0.0014-0.0020, and the Krugman index 0.0027-0.0050; it fell 0.0147-0.0159 (0.511 -> 0.496) when farming
    # was a one-way exit (a strict xfail until then) and rose 0.0133-0.0165 in a first version whose
    # attachment balanced the flows into and out of farming without the cities' net migration
    for frame, *_ in baseline_runs:
        assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


def _drift_script():
    """``scripts/similarity_drift.py`` as a module (the diagnosis the xfail reason above quotes)."""
    return load_script("similarity_drift")


def test_drift_decomposition_by_hand():
    drift = _drift_script()
    farm = np.array([True, False])
    before = np.array([[1.0, 3.0], [1.0, 1.0]])
    after = np.array([[1.0, 5.0], [1.0, 1.0]])
    # city 0's farm share 1/4 held against its 5 non-farm workers: 5/3 farmers; city 1 keeps its half
    np.testing.assert_allclose(drift.farm_share_held(before, after, farm), [[5 / 3, 5.0], [1.0, 1.0]])
    # with one non-farm sector, holding the farm share restores the 2020 structure: cos = 4 / sqrt(20)
    assert drift.similarity(drift.farm_share_held(before, after, farm)) == pytest.approx(4 / np.sqrt(20))
    # sector terms of the one pair: u_0k u_1k = (1, 3) / sqrt(20) before and (1, 5) / sqrt(52) after
    terms = drift.sector_terms(before, after)
    np.testing.assert_allclose(terms, [1 / np.sqrt(52) - 1 / np.sqrt(20), 5 / np.sqrt(52) - 3 / np.sqrt(20)])
    assert terms.sum() == pytest.approx(drift.similarity(after) - drift.similarity(before))
    # a change made only of sector trends and sector responses to population growth is all theirs
    rng = np.random.default_rng(0)
    start = rng.uniform(1.0, 10.0, (6, 4))
    people = rng.uniform(50.0, 100.0, 6)
    growth = np.array([0.1, 0.0, -0.1, 0.05, -0.08, 0.02])
    trend, slope = np.array([0.05, -0.1, 0.0, 0.2]), np.array([0.0, 1.5, 1.2, 1.4])
    split = drift.shift_share(start, start * np.exp(trend), people, people)
    assert split["shapley"]["sector_trend"] == pytest.approx(split["total"], abs=1e-12)
    split = drift.shift_share(start, start * np.exp(slope * growth[:, None]), people, people * np.exp(growth))
    assert split["shapley"]["population"] == pytest.approx(split["total"], abs=1e-12)
    assert abs(split["shapley"]["residual"]) < 1e-12 and abs(split["total"]) > 1e-3


@pytest.fixture(scope="module")
def immobile_farmer_runs():
    """Per seed, the baseline with Krugman's immobile farmers (farmer_mobility 0, the model before farmers
    migrated): (C, S) employment by city-sector and (C,) population at quarter 0 and at the end, and
    the (C,) farm labour force at both."""
    runs = []
    for seed in SEEDS:
        model = YRDModel(rng=seed, farmer_mobility=0.0)
        start = (model.employment_by_sector().astype(float), model.population_by_city())
        farm_force = model.labour_force[:, FARM].copy()
        for _ in range(QUARTERS):
            model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        runs.append((frame, (start, (model.employment_by_sector().astype(float), model.population_by_city()),
                             model.sectors.agriculture), (farm_force, model.labour_force[:, FARM].copy())))
    return runs


@pytest.mark.slow
def test_immobile_farmers_drift_is_the_farm_share_of_cities_losing_people(immobile_farmer_runs):
    # why farmers migrate (issue 10 item 2): with immobile farmers the baseline continues 2020's net
    # migration at the census pace with non-farm workers only, so the cities that lose people keep their
    # farmers and become more agricultural (Bozhou's farm share 43.0 % -> 47.7-48.4 %) and all-sector
    # similarity falls 0.0137-0.0154 in ten years (seeds 1-5). Observed: farm employment within 1.9 % of
    # 2020 in every city (before hours per worker; with them 3.2 %, one agent, in one city); correlation of the farm share's change with log population change
    # -0.867..-0.883; all-sector similarity with each city's 2020 farm share +0.0012..+0.0033;
    # non-farm similarity +0.0030..+0.0057
    drift = _drift_script()
    for frame, ((before, people_before), (after, people_after), farm), farm_force in immobile_farmer_runs:
        assert (frame["similarity_all"] - frame["similarity_all"].iloc[0]).abs().max() > 0.01
        # farmers do not move: every city keeps its farm labour force exactly (its farm employment moves
        # only with its farmers' frictional unemployment: within 1.4-3.2 % of 2020 with hours per worker,
        # seeds 1-5, seed 2's largest 126 -> 130 agents; within 1.9 % before them; not bounded here)
        np.testing.assert_array_equal(farm_force[1], farm_force[0])
        share = after[:, farm].sum(axis=1) / after.sum(axis=1) - before[:, farm].sum(axis=1) / before.sum(axis=1)
        assert np.corrcoef(share, np.log(people_after / people_before))[0, 1] <= -0.8
        held = drift.similarity(drift.farm_share_held(before, after, farm)) - drift.similarity(before)
        assert abs(held) <= 0.01
        assert abs(drift.similarity(after[:, ~farm]) - drift.similarity(before[:, ~farm])) <= 0.01


@pytest.mark.slow
def test_farm_employment_moves_with_each_citys_population(baseline_runs):
    # farming is a two-way occupational choice whose attachment keeps each city's farm share as 2020's net
    # flows go on (calibration.farm_choice_share): observed (seeds 1-5, ten years) farm employment
    # 0.956-0.961 of 2020 region-wide (the cities that lose people are the more agricultural ones), 0.81-1.25
    # by city, the log change correlated +0.86..+0.91 with the city's log population change; the farm share
    # of employment moves 0.005-0.007 on average over cities (at most 0.034). With farming a one-way exit
    # every city's farm share fell (by up to 0.105) and farm employment ended at 0.82 of 2020
    for _, _, ((before, people_before), (after, people_after), farm) in baseline_runs:
        ratio = after[:, farm].sum(axis=1) / before[:, farm].sum(axis=1)
        assert 0.9 <= after[:, farm].sum() / before[:, farm].sum() <= 1.0
        assert np.corrcoef(np.log(ratio), np.log(people_after / people_before))[0, 1] >= 0.8
        share = after[:, farm].sum(axis=1) / after.sum(axis=1) - before[:, farm].sum(axis=1) / before.sum(axis=1)
        assert np.abs(share).mean() <= 0.01


@pytest.fixture(scope="module")
def stationary_population_runs():
    """Per farmer_mobility (0 and the default), seeds 1-3: the metrics frame of 40 quarters with
    stationary populations (migrant_inflow_rate 0)."""
    return {mobility: [_run_frame(seed, migrant_inflow_rate=0.0, farmer_mobility=mobility) for seed in SEEDS[:3]]
            for mobility in (0.0, FARMER_MOBILITY)}


def _run_frame(seed, **values):
    model = YRDModel(rng=seed, **values)
    for _ in range(QUARTERS):
        model.step()
    return model.datacollector.get_model_vars_dataframe()


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["similarity_manufacturing", "similarity_all", "krugman_index"])
def test_structure_is_stationary_when_populations_and_occupations_are(stationary_population_runs, metric):
    # observed: manufacturing similarity drift 0.0080 / 0.0032 / 0.0042 (seeds 1-3) with the steady-state
    # set-up; at most 0.0068 with target_sharpness 7 (each branch measured alone); immobile farmers
    for frame in stationary_population_runs[0.0]:
        assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["similarity_manufacturing", "similarity_all", "krugman_index"])
def test_structure_is_stationary_when_populations_are(stationary_population_runs, metric):
    # observed with farming a two-way occupational choice (8 Dec 2026; seeds 1-3): manufacturing similarity
    # 0.0009-0.0018, all-sector 0.0018-0.0047, Krugman index 0.0030-0.0068. With farming a one-way exit
    # (a strict xfail until then) all-sector similarity moved 0.0135-0.0152 and the Krugman index
    # 0.026-0.027: farm employment fell 16 % in ten years with no one taking up farming
    for frame in stationary_population_runs[FARMER_MOBILITY]:
        assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


@pytest.mark.slow
def test_unemployment_within_half_a_point_in_every_quarter(baseline_runs):
    # observed at the default 750 people per agent (7 Dec 2026): at most 0.114-0.141 pp from 2020 Q1's
    # 5.0 % over five seeds, +0.054 to +0.077 pp in quarters 33-40; at 1,000 (5 Dec 2026): at most 0.137-0.154 pp from 2020 Q1's
    # 5.0 % over five seeds, +0.061 to +0.090 pp in quarters 33-40 (scripts/stationarity.py); at 2,000 (the
    # default until then) 0.125-0.189 pp, +0.035 to +0.111 pp, with substitution between the skill classes
    # (the default since 5 Dec 2026); with the fixed skill mix 0.418-0.458 pp (0.432-0.477 before jobs were paid by
    # class). Until 0f7bc3f, with entrants valuing the entry
    # subsidy as a margin for life, 0.444-0.543 pp (over the band in seeds 1 and 4; a strict xfail);
    # 0.447-0.495 pp at 46f5c88. Where the rise comes from: the test below and
    # scripts/unemployment_sources.py
    for frame, *_ in baseline_runs:
        rate = frame["unemployment_rate"]
        assert (rate - rate.iloc[0]).abs().max() <= 0.005


@pytest.mark.slow
def test_without_moves_the_set_up_is_unemployments_steady_state():
    # With no one moving (reconsider_rate 0, so no farmer leaves farming either) unemployment stays at
    # 2020's: observed (5 Dec 2026, seeds 1-3) -0.031 to +0.011 pp from quarter 0 over quarters 33-40, at
    # most 0.125-0.154 pp in any quarter (a dip of about 0.1 pp in the first year, which the trend in
    # productivity makes; measured with the fixed skill mix). With moves and the fixed mix it rose 0.38-0.41
    # pp by then, half of it from farmers who leave farming: the labour markets lag behind the calibrated
    # net flows, and each sector hired the classes in fixed proportions; with substitution between the
    # classes (the default since 5 Dec 2026) +0.04 to +0.11 pp (docs/validation.md, "Where the
    # unemployment rise comes from")
    sources = load_script("unemployment_sources")
    for seed in SEEDS[:3]:
        values, model_class = sources.VARIANTS["no_moves"]
        run = sources.one_run(seed, QUARTERS, values, model_class)
        assert abs(run["late_pp"]) <= 0.05
        assert run["largest_pp"] <= 0.25


@pytest.mark.slow
def test_no_exit_wave(baseline_runs):
    for frame, *_ in baseline_runs:
        exits = frame["exits"].iloc[1:]
        assert exits.max() <= 2 * exits.mean()
        # the hazard is a mass flow: exit_rate (1.5 %) of the firm mass leaves a quarter, plus few closures
        assert exits.mean() == pytest.approx(0.015 * frame["firms"].iloc[1:].mean(), rel=0.1)


class _CohortsLeaving(YRDModel):
    """The model, adding up each quarter's firm mass that leaves as whole cohorts (merged or closed)."""

    gone = 0.0

    def merge_firms(self, sources, destinations):
        self.gone += float(self.firms.mass[sources].sum())
        super().merge_firms(sources, destinations)

    def close_firms(self, leaving):
        self.gone += float(self.firms.mass[leaving].sum())
        super().close_firms(leaving)


#: the largest quarter's mass of cohorts merged or closed over its mean over 120 quarters. Before the
#: set-up's cohorts had their steady-state ages, all of them merged in quarter 92: 81-83 x the mean
#: at people_per_agent 4000, seeds 1-3. A synchronised wave of that kind is what SYNCHRONISED_WAVE
#: guards against (a bound an order of magnitude below it); MERGE_WAVE is the issue's stationarity:
#: no quarter far above the run's mean.
SYNCHRONISED_WAVE = 10.0
MERGE_WAVE = 3.0


@pytest.fixture(scope="module")
def cohorts_leaving():
    """(seed, (120,) mass of cohorts merged or closed each quarter) at people_per_agent 4000 (about
    1,600 cohorts at t = 0: under a minute for three seeds)."""
    runs = []
    for seed in (1, 2, 3):
        model = _CohortsLeaving(rng=seed, people_per_agent=4000.0)
        gone = []
        for _ in range(120):
            model.gone = 0.0
            model.step()
            gone.append(model.gone)
        runs.append((seed, np.array(gone)))
    return runs


@pytest.mark.slow
def test_no_synchronised_merge_wave_in_thirty_years(cohorts_leaving):
    for seed, gone in cohorts_leaving:
        assert gone.max() <= SYNCHRONISED_WAVE * gone.mean(), (seed, int(gone.argmax()) + 1, gone.max() / gone.mean())


@pytest.mark.slow
def test_no_merge_wave_in_thirty_years(cohorts_leaving):
    # observed with hours per worker: 2.83 / 2.74 / 2.83 x the mean (quarters 20, 3, 2; seeds 1-3). Before
    # them the largest quarter was quarter 5 (2.93 / 3.55 / 2.90 x): the set-up's firms that whole-worker
    # staffing left loss-making closed together after exit_after quarters. The mass merged or closed still
    # falls from about 7.7 a quarter in quarters 1-30 to 0.7 in 91-120 (the set-up's cohort count is not
    # the steady state of entry and merging: 1,600 firm agents at t = 0, about 700 at quarter 120), so the
    # bound holds by 6-9 %, not by a stationary count (docs/validation.md, 'Tried, not adopted')
    for seed, gone in cohorts_leaving:
        assert gone.max() <= MERGE_WAVE * gone.mean(), (seed, int(gone.argmax()) + 1, gone.max() / gone.mean())


@pytest.fixture(scope="module")
def supply_chain_runs():
    frames = []
    for seed in SEEDS:
        model = YRDModel(rng=seed, input_output=1)
        for _ in range(QUARTERS):
            model.step()
        frames.append(model.datacollector.get_model_vars_dataframe())
    return frames


@pytest.mark.slow
def test_supply_chains_keep_firms_and_markets(supply_chain_runs):
    for frame in supply_chain_runs:
        assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03
        assert frame["market_residual"].max() <= CLEARING_TOLERANCE
        assert frame["unmet_input_share"].max() == 0.0
        exits = frame["exits"].iloc[1:]
        assert exits.max() <= 2 * exits.mean()


@pytest.mark.slow
def test_supply_chains_keep_unemployment_within_half_a_point(supply_chain_runs):
    # observed: 0.38-0.43 pp from 2020 Q1's 5.0 % over seeds 1-5 (40 quarters) with hours per worker
    # (labour.planned_hours: whole worker agents no longer leave firms at a staff limit, the set-up makes
    # 0.9998 of its planned output); before them 0.51-0.70 pp (at a94dc75), the multiplier of that
    # staff-limit loss; 0.57-0.65 at af84d17; 0.90-0.98 at dc1d5d1; issue 12: before
    # buyers ordered at listed prices for their expected sales, 4.8-23 pp with a 5-6 quarter cycle)
    for frame in supply_chain_runs:
        rate = frame["unemployment_rate"]
        assert (rate - rate.iloc[0]).abs().max() <= 0.005


def test_the_mixed_ex_farmers_counterfactual_keeps_its_books():
    # scripts/unemployment_sources.py's MixedExFarmers moves some ex-farmers from the low- to the
    # high-skill class after they arrive: the labour force table must stay the workers' own count, and
    # no worker is made or lost
    sources = load_script("unemployment_sources")
    model = sources.MixedExFarmers(rng=3, **QUICK_SCALE)
    start = model.workers.count
    moved_up = 0
    for _ in range(4):
        before = int((model.workers.skill == 2).sum())
        model.step()
        moved_up += int((model.workers.skill == 2).sum()) - before
        np.testing.assert_array_equal(model.labour_force, model.workers.table(model.geography.count))
    assert model.workers.count == start and moved_up > 0
