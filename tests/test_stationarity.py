"""A stationary baseline: with no shock and the levers at their defaults, 40 quarters at the default
scale over five seeds (issue 10, item 2), and markets that clear: no firm ever sells more than it
can make (item 3)."""

import numpy as np
import pytest

from ydabm import YRDModel
from ydabm.markets.goods import CLEARING_TOLERANCE
from ydabm.mechanisms import planning
from ydabm.model import capacity_lag, steady_investment
from ydabm.params import QUICK_SCALE

SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40


@pytest.fixture(scope="module")
def baseline_runs():
    runs = []
    for seed in SEEDS:
        model = YRDModel(rng=seed)
        feasible = []
        for _ in range(QUARTERS):
            model.step()
            live = np.flatnonzero(model.firms.alive)
            most = model.production_room(live)
            feasible.append(float(np.max(model.firms.output[live] / np.where(most > 0, most, np.inf))))
        frame = model.datacollector.get_model_vars_dataframe()
        runs.append((frame, max(feasible)))
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
            skill_mix=np.array([[0.0, 1.0, 0.0]]), city_labour=np.full((1, 3), 1e12), demand_expectation=0.5,
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
    for frame, _ in baseline_runs:
        support = frame["subsidy_to_gdp"]
        mean = support.mean()
        assert abs(support.iloc[0] / mean - 1) <= 0.03
        assert (support.iloc[:9] / mean - 1).abs().max() <= 0.10


@pytest.mark.slow
def test_markets_clear_and_no_firm_sells_more_than_it_can_make(baseline_runs):
    for frame, most in baseline_runs:
        assert frame["market_residual"].max() <= CLEARING_TOLERANCE
        assert most <= 1 + 1e-8


@pytest.mark.slow
def test_firm_count_within_3_percent_after_ten_years(baseline_runs):
    for frame, _ in baseline_runs:
        assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03


MIGRATION_DRIFT = pytest.mark.xfail(strict=True, reason=(
    "issue 10: the baseline continues 2020's migration at the census pace (migrant_inflow_rate = 1/30 a "
    "year, an assumption) and firms turn over at the real rate (6 % a year, as mass flows), so structures "
    "follow the people: growing cities gain local services and all-sector similarity moves by "
    "0.0098-0.0108 in ten years (above 0.01 in seeds 3, 4 and 5; measured at 25d72e8)"))


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["similarity_manufacturing",
                                    pytest.param("similarity_all", marks=MIGRATION_DRIFT),
                                    "similarity_within_province", "similarity_across_provinces"])
def test_structure_within_001_of_2020(baseline_runs, metric):
    # observed with target_sharpness calibrated (7; issue 11): manufacturing similarity moves by at most
    # 0.0038-0.0077 over seeds 1-5 (0.0034-0.0171 at the assumed 20, where the baseline's yearly
    # re-targeting sat at a coordination threshold and flipped support in up to 40 cells)
    for frame, _ in baseline_runs:
        assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


@pytest.mark.slow
def test_structure_is_stationary_when_populations_are():
    # observed: manufacturing similarity drift 0.0080 / 0.0032 / 0.0042 (seeds 1-3) with the steady-state
    # set-up; at most 0.0068 with target_sharpness 7 (each branch measured alone)
    for seed in SEEDS[:3]:
        model = YRDModel(rng=seed, migrant_inflow_rate=0.0)
        for _ in range(QUARTERS):
            model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        for metric in ("similarity_manufacturing", "similarity_all", "krugman_index"):
            assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


@pytest.mark.slow
def test_unemployment_within_half_a_point_in_every_quarter(baseline_runs):
    # observed: at most 0.24-0.34 pp from 2020 Q1's 5.0 % over five seeds
    for frame, _ in baseline_runs:
        rate = frame["unemployment_rate"]
        assert (rate - rate.iloc[0]).abs().max() <= 0.005


@pytest.mark.slow
def test_no_exit_wave(baseline_runs):
    for frame, _ in baseline_runs:
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


#: the largest quarter's mass of cohorts merged or closed over its mean over 120 quarters: a wave is
#: far above it (before the set-up's cohorts had their steady-state ages, all of them merged in
#: quarter 92: 81-83 x the mean at people_per_agent 4000, seeds 1-3; observed with the ages 2.2-2.7,
#: seeds 1-5, the largest in quarters 5-25: the first year's closures and the set-up cohorts' even wear-down)
MERGE_WAVE = 3.0


@pytest.mark.slow
def test_no_merge_wave_in_thirty_years():
    # a coarse scale (people_per_agent 4000, about 2,500 cohorts at t = 0) keeps this under a minute
    for seed in (1, 2, 3):
        model = _CohortsLeaving(rng=seed, people_per_agent=4000.0)
        gone = []
        for _ in range(120):
            model.gone = 0.0
            model.step()
            gone.append(model.gone)
        gone = np.array(gone)
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
    # observed: at most 0.39-0.46 pp from 2020 Q1's 5.0 % over seeds 1-5 (60 quarters; issue 12: before
    # buyers ordered at listed prices for their expected sales, 4.8-23 pp with a 5-6 quarter cycle)
    for frame in supply_chain_runs:
        rate = frame["unemployment_rate"]
        assert (rate - rate.iloc[0]).abs().max() <= 0.005
