"""The model as a whole: accounting identities, determinism, calibration, scenarios."""

import pickle

import numpy as np
import pandas as pd
import pytest

from ydabm import YRDModel, calibration, observation
from ydabm.agents.government import CityGovernment
from ydabm.geography import build_geography
from ydabm.run import model_frame, simulate
from ydabm.scenarios import list_scenarios, load_scenario
from ydabm.mechanisms import targeting

from invariants import Start, assert_invariants


def test_accounting_identities_hold_after_every_step(small_params):
    # the invariants (people, goods, money, feasibility, metrics, memory) are defined once in
    # tests/invariants.py; test_properties.py checks them over random parameter sets and scenarios
    model = YRDModel(rng=3, **small_params)
    start = Start.of(model)
    for _ in range(12):
        model.step()
        assert_invariants(model, start)


def test_same_seed_same_output_and_different_seed_differs(small_params):
    a = simulate(small_params, 6, seed=11).model
    b = simulate(small_params, 6, seed=11).model
    c = simulate(small_params, 6, seed=12).model
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_pickled_model_continues_identically(small_params):
    model = YRDModel(rng=5, **small_params)
    for _ in range(3):
        model.step()
    clone = pickle.loads(pickle.dumps(model))
    for _ in range(3):
        model.step()
        clone.step()
    pd.testing.assert_frame_equal(model_frame(model), model_frame(clone))


def test_t0_reproduces_2020_population_and_gdp():
    model = YRDModel(rng=1, people_per_agent=2000)
    geo = build_geography()
    population = model.population_by_city() * model.params.people_per_agent
    # agents are whole: population matches to half an agent per city
    assert np.abs(population - geo.population).max() <= model.params.people_per_agent / 2
    gdp = model.flows["revenue"] * 4
    # whole agents: a firm short of a worker prices up at t = 0, so a small city can be off by ~1-2%
    assert gdp == pytest.approx(geo.gdp, rel=0.02)
    assert np.abs(gdp / geo.gdp - 1).mean() < 0.005
    assert np.corrcoef(gdp, geo.gdp)[0, 1] > 0.9999


def test_t0_is_calibrated_whatever_the_counterfactual_lever_and_levers_act_afterwards(small_params):
    # 2020 is built at the baseline levers: every run starts from the same calibrated economy, and a
    # counterfactual lever acts from the first quarter
    base = YRDModel(rng=2, **small_params)
    open_market = YRDModel(rng=2, barrier=0.0, specialization=1.0, governments_act=0, **small_params)
    np.testing.assert_allclose(base.fundamentals.productivity, open_market.fundamentals.productivity)
    assert pd.Series(open_market.metrics).equals(pd.Series(base.metrics))   # NaN quarter flows equal too
    assert (open_market.levers.barrier == 0.0).all() and not open_market.targets.any()
    base.step()
    open_market.step()
    assert open_market.metrics["interprovincial_trade_share"] > base.metrics["interprovincial_trade_share"]
    assert open_market.metrics["subsidy_to_gdp"] == 0.0 < base.metrics["subsidy_to_gdp"]


def test_net_migration_follows_the_calibrated_pace(small_params):
    # amenities are inverted so that logit flows at t = 0 move people at migrant_inflow_rate times the
    # 2020 net migrant stock (relative to the region's); with rate 0 populations are stationary and
    # what moves is sampling noise (small cities have ~60 agents at this scale)
    def change(params):
        model = YRDModel(rng=4, **params)
        start = model.population_by_city().copy()
        for _ in range(8):
            model.step()
        return model.population_by_city() - start, model

    still, model = change({**small_params, "migrant_inflow_rate": 0.0})
    assert np.abs(still).sum() / model.population_by_city().sum() < 0.02
    # at 5000 persons per agent (23,600 agents) the sampling noise is small against the pace
    moved, model = change({**small_params, "people_per_agent": 5000})
    # only workers move: the pace is that of the working-age part of the migrant stock
    stock = calibration.working_migrant_stock(model.geography, model.params.as_dict()) / model.params.people_per_agent
    agents = model.fundamentals.labour_force.sum(axis=1)
    expected = 2 * model.params.migrant_inflow_rate * (stock - agents * stock.sum() / agents.sum())   # 2 years
    assert np.corrcoef(moved, expected)[0, 1] > 0.85                # 0.93-0.95 over seeds 4, 5
    assert np.mean(np.sign(moved) == np.sign(stock)) >= 0.75        # 0.83-0.90
    assert np.abs(moved).sum() == pytest.approx(np.abs(expected).sum(), rel=0.25)   # ratio 0.95


@pytest.mark.parametrize("scenario", [s.name for s in list_scenarios()])
def test_every_scenario_runs(scenario):
    spec = load_scenario(scenario)
    result = simulate(spec.params({"people_per_agent": max(spec.params()["people_per_agent"], 20000)}
                                  if spec.params()["world"] == "yrd" else {}), 9, 1, spec.policies())
    assert len(result.model) == 10
    frame = result.model.drop(columns=["step", "year", "quarter"])
    flows = list(observation.QUARTER_FLOWS)
    # the set-up's row has no quarter behind it: its quarter flows are NaN, everything else finite
    assert np.isfinite(frame.drop(columns=flows).to_numpy()).all()
    assert np.isfinite(frame[flows].iloc[1:].to_numpy()).all() and frame[flows].iloc[0].isna().all()


def test_covid_shock_cuts_output_then_recovers(small_params):
    # the calibrated covid_shock scenario (CovidShock defaults, docs/validation.md "COVID shock") vs
    # China's 2020 real GDP y/y read as deviations from its 2019 growth, two seeds at the coarse scale
    from ydabm.validation.covid import BAND, CHINA_2020, TOLERANCE, measure
    check = measure(params=small_params, seeds=(1, 2), quarters=28)
    summary = check.summary
    model, china = np.array(summary["yoy_model"]), np.array(CHINA_2020)
    # the four quarters (-6.8 %, +3.2 %, +4.9 %, +6.5 %) match within the check's tolerance (1 pp)
    assert np.all(np.abs(model - china) <= TOLERANCE)
    # by Q4 (+6.5 %, half a point above China's trend) output is back within 2 % of the no-shock path
    assert abs(summary["deviation_shock_quarters"][3]) <= BAND
    # afterwards real GDP never runs more than 2 % above the no-shock path and comes back within 2 % of it
    assert summary["after_max_deviation"] <= BAND and summary["recovers"]
    # nobody moves while workers are absent (2022 Q1-Q3); migration resumes afterwards
    covid = load_scenario("covid_shock")
    shock = simulate(small_params, 14, 7, covid.policies()).model
    assert shock.loc[(shock["year"] == 2022) & (shock["quarter"] <= 3), "migrants"].eq(0).all()
    assert shock["migrants"].iloc[-1] > 0


def test_locked_down_job_seekers_cannot_be_hired():
    # a lockdown keeps the share a of the labour force from working: the employed among them keep
    # their jobs, the job seekers among them cannot start one (docs/ODD.md "Supply shock")
    from ydabm.markets import labour
    # floor((1 - a) U): 0.879 x 10 = 8.79 -> 8; 0.5 x 7 = 3.5 -> 3; 0.7 x 10 = 7 (exactly, not 6)
    able = labour.able_seekers(np.array([10, 7, 10, 0]), np.array([0.121, 0.5, 0.3, 0.4]))
    assert able.tolist() == [8, 3, 7, 0]
    assert labour.able_seekers(np.array([5, 3]), None).tolist() == [5, 3]

    # one city, one class: 10 workers, 6 of them with firm 0, which wants 10; no separations and
    # matching efficiency 10, so hires = min(U_able, V, floor(10 sqrt(U_able V))) = min(U_able, 4)
    def hire(absent):
        employer = np.array([0] * 6 + [-1] * 4)
        zeros = np.zeros(10, dtype=np.int64)
        return labour.clear_labour_market(
            employer, zeros, zeros, np.array([[6]]), np.array([0]), np.array([[10.0]]), np.zeros((1, 1)),
            np.array([[10]]), np.array([[1.0]]), 0.0, 10.0, 0.05, 0.0, np.random.default_rng(0), absent=absent)

    assert hire(None).hires == 4                                   # everyone can work: all 4 seekers
    assert hire(np.array([0.0])).hires == 4
    locked = hire(np.array([0.5]))                                 # half locked down: 2 of the 4
    assert locked.hires == 2 and locked.employees[0, 0] == 8 and locked.understaffed[0]
    assert (locked.employer >= 0).sum() == 8 and locked.employer[:6].tolist() == [0] * 6   # nobody loses a job
    assert hire(np.array([0.8])).hires == 0                        # floor(0.2 x 4) = 0


@pytest.fixture(scope="module")
def covid_channels():
    """The covid_shock scenario's channels (``measure``, quick scale, seed 1, 13 quarters) with owners
    carrying the locked firms' losses (relief 0) and with the banks lending them (the default)."""
    import dataclasses

    from ydabm.params import QUICK_SCALE
    from ydabm.policies import CovidShock
    from ydabm.validation.covid import SCENARIO, measure
    shock, = (p for p in load_scenario(SCENARIO).policies() if isinstance(p, CovidShock))
    table = measure(dataclasses.replace(shock, relief=0.0), params=dict(QUICK_SCALE), seeds=(1,), quarters=13).table
    lent = measure(params=dict(QUICK_SCALE), seeds=(1,), quarters=13).table["nominal_gdp_deviation"]
    return table, lent


def test_covid_shock_moves_real_gdp_through_the_deflator(covid_channels):
    # the channels measure() reports (docs/ODD.md "Supply shock"): with owners carrying the locked
    # firms' losses (relief 0) the money stock pins nominal GDP (within 0.019 %), so the shocked run's real GDP is the
    # no-shock run's over the deflator's rise; the deflator is above the no-shock run while workers are
    # absent (Q1-Q3) and nearly back when no one is (Q4): notional demand is measured at the notional
    # market's loads, not inflated by Q1's scarcity prices (before it was, and firms learned from it,
    # the deflator was still 0.87 % high)
    table, lent = covid_channels
    assert table["nominal_gdp_deviation"].abs().max() < 1e-3
    # the banks' relief loans (the default) move savings into spending: nominal GDP rises above the
    # run whose owners carry the losses while the absences last (seed 1: by 0.011 % at most since a
    # lockdown closes enterprises; 0.008 % while it thinned their staff; 0.37 % when the banks lent
    # every loser its gross loss). Once the loans are repaid the gap is the two runs' parting random
    # paths, of either sign (8 Dec 2026, with farming a two-way choice: +0.0005 % and -0.0027 % in the
    # two quarters after the shock, against +0.0113 % at its largest)
    gap = lent - table["nominal_gdp_deviation"]
    during = table["phase"] != "after"
    assert lent.iloc[0] == 0.0 and (gap[during] >= 0).all() and 3e-5 < gap.max() < 0.01
    np.testing.assert_allclose((1 + table["deviation"]) * (1 + table["gdp_deflator_deviation"]),
                               1 + table["nominal_gdp_deviation"], rtol=1e-9)
    shock = table[table["phase"] == "shock"]
    assert shock["deviation"].iloc[0] < -0.1 and shock["gdp_deflator_deviation"].iloc[0] > 0.1
    assert (shock["gdp_deflator_deviation"].iloc[:3] > 0).all()
    assert abs(shock["gdp_deflator_deviation"].iloc[3]) < 0.005


# (a strict xfail naming issue 10 item 8 until 8 Dec 2026: the gap grew to its largest in the run's last
# quarter, 0.105 % at bb7b92b (the reason quoted 0.0110 %); with farming a two-way choice it is largest in the shock's third quarter, 0.0113 %, and 0.0005 % and -0.0027 %
# in the two after)
def test_covid_relief_gap_narrows_as_the_loans_are_repaid(covid_channels):
    table, lent = covid_channels
    gap = lent - table["nominal_gdp_deviation"]
    assert abs(gap.iloc[-1]) < 0.5 * gap.max()


def test_covid_shock_quarters_feed_demand_expectations_as_any_quarter():
    # firms learn demand from every quarter, absence quarters included (issue 10 item 3: notional demand
    # is measured at the notional market's loads, so Q1's scarcity prices no longer inflate it and the
    # rule that replaced it by expected demand after absence quarters is removed); the shock only moves
    # the levers
    from types import SimpleNamespace
    from ydabm.levers import Levers
    from ydabm.policies import CovidShock
    shock = CovidShock(2022, 1, absent=[0.2, 0.0, 0.0], demand_drop=[0.0, 0.1, 0.0], recovery_quarters=2)

    def at(quarter):
        firms = SimpleNamespace(alive=np.array([True, True, False]), expected_sales=np.array([10.0, 20.0, 30.0]),
                                notional_sales=np.array([12.0, 25.0, 40.0]))
        levers = Levers(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, bool), 0.0, 0.0)
        model = SimpleNamespace(year=2022, quarter=quarter, levers=levers, firms=firms,
                                geography=SimpleNamespace(count=2))
        shock.on_step(model)
        return model

    first = at(0)                                  # the absence quarter itself
    assert first.firms.notional_sales.tolist() == [12.0, 25.0, 40.0]
    assert first.levers.absent.tolist() == [0.2, 0.2] and first.levers.moves_halted
    second = at(1)                                 # after it: learned from as any quarter
    assert second.firms.notional_sales.tolist() == [12.0, 25.0, 40.0]
    assert second.levers.absent.tolist() == [0.0, 0.0] and not second.levers.moves_halted
    assert second.levers.saving_rate == 0.1
    third = at(2)                                  # after a saving-only quarter: the same
    assert third.firms.notional_sales.tolist() == [12.0, 25.0, 40.0]
    assert third.levers.dissaving_share == 0.0
    # the quarter after the shock's three: the savings are spent over recovery_quarters = 2, half now
    assert at(3).levers.dissaving_share == pytest.approx(1 / (3 + 2 - 3))


def test_network_upgrade_shortens_travel_times(small_params):
    model = YRDModel(rng=1, policies=load_scenario("network_upgrade").policies(), **small_params)
    before = model.geography.hours.copy()
    for _ in range(20):
        model.step()
    after = model.geography.hours
    assert np.all(after <= before + 1e-12) and (after < before - 1e-9).any()


def test_a_run_that_starts_after_lines_opened_adds_them_in_its_first_quarter():
    """The lines opened by a run's first quarter join the network in it (a change due before the run's
    first quarter acts in it): from start_year 2022 the first step is 2022 Q2, and the 2021 and 2022
    lines waited for 2023 Q1. Later lines still join in their opening year's first quarter."""
    from types import SimpleNamespace
    from ydabm.geography.world import upgrade_links
    from ydabm.policies import NetworkUpgrade
    geography = build_geography("yrd")
    lines = upgrade_links(2024)

    def network(until):
        return geography.with_links(lines[lines["opened"] <= until]).hours

    model = SimpleNamespace(geography=geography, year=2022, quarter=1)
    model.set_geography = lambda new: setattr(model, "geography", new)
    upgrade = NetworkUpgrade(until_year=2024)
    upgrade.on_step(model)                                      # 2022 Q2, the run's first step
    np.testing.assert_array_equal(model.geography.hours, network(2022))
    assert (network(2022) < geography.hours).any()
    for quarter in (2, 3):                                      # nothing new within the year
        model.quarter = quarter
        upgrade.on_step(model)
        np.testing.assert_array_equal(model.geography.hours, network(2022))
    model.year, model.quarter = 2023, 0
    upgrade.on_step(model)
    np.testing.assert_array_equal(model.geography.hours, network(2023))
    assert (network(2023) < network(2022)).any()


def test_digital_access_in_the_quarter_a_line_opens_reads_the_new_travel_times(small_params, monkeypatch):
    """The yearly digital access (first quarters) is computed after the policies act, on the network
    they leave: in 2021 Q1, when the 2021 line joins, on its travel times (the step read the network
    it held before the policies, so access followed a new line a year late)."""
    from ydabm.mechanisms import technology
    from ydabm.policies import NetworkUpgrade
    read = []
    access = technology.digital_access

    def recorded(employment, digital, hours, reach):
        read.append(hours)
        return access(employment, digital, hours, reach)

    model = YRDModel(rng=1, policies=(NetworkUpgrade(until_year=2021),), **small_params)
    monkeypatch.setattr(technology, "digital_access", recorded)
    before = model.geography.hours
    for _ in range(4):                                  # 2020 Q2 ... 2021 Q1
        model.step()
    assert len(read) == 1 and (model.geography.hours < before).any()
    np.testing.assert_array_equal(read[0], model.geography.hours)


def test_liberalisation_drops_the_wedge_on_imports_of_the_chosen_province_only(small_params):
    from ydabm.params import ParameterError
    from ydabm.policies import Liberalisation
    model = YRDModel(rng=1, barrier=1.0, policies=(Liberalisation(2020, ["Shanghai"]),), **small_params)
    before = model.frictions.wedge.copy()
    assert before.max() == pytest.approx(1.3)                  # barrier 1 x local_protection 0.3
    model.step()
    shanghai = np.array(model.geography.provinces) == "Shanghai"
    assert (model.frictions.wedge[:, :, shanghai] == 1.0).all()          # Shanghai's buyers: no wedge
    np.testing.assert_array_equal(model.frictions.wedge[:, :, ~shanghai], before[:, :, ~shanghai])
    bad = YRDModel(rng=1, policies=(Liberalisation(2020, ["Shanghia"]),), **small_params)
    with pytest.raises(ParameterError, match="Liberalisation.provinces"):
        bad.step()


def test_mesa_batch_run_rows_name_their_city(small_params):
    # mesa.batch_run returns one row per city government and step; each row says which city it is
    import mesa
    rows = mesa.batch_run(YRDModel, parameters={**small_params}, rng=[3], max_steps=1,
                          number_processes=1, data_collection_period=1, display_progress=False)
    cities = {row["city"] for row in rows if "city" in row}
    assert len(cities) == 41 and "Shanghai" in cities
    assert {row["province"] for row in rows if row.get("city") == "Hefei"} == {"Anhui"}


def test_coordinated_targets_allocate_support_by_comparative_advantage_and_share_taxes(small_params):
    from ydabm.policies import CoordinatedTargets
    coordinated = YRDModel(rng=5, policies=(CoordinatedTargets(start_year=2021, tax_sharing=0.5),), **small_params)
    by_advantage = YRDModel(rng=5, specialization=1.0, **small_params)
    start = Start.of(coordinated)
    for _ in range(4):                                   # to 2021 Q1, the first yearly allocation
        coordinated.step()
        by_advantage.step()
        assert_invariants(coordinated, start, rel=1e-9)
    # the regional body's allocation is the comparative-advantage allocation (specialization 1) given the
    # same structure and peers
    structure = coordinated.employment_by_sector()
    expected = targeting.allocate_support(
        targeting.target_scores(targeting.revealed_advantage(structure), coordinated.sectors.strategic.astype(float),
                                coordinated.targets, 1.0), coordinated.sectors.targetable,
        coordinated.params.targets_per_city, coordinated.params.target_sharpness, structure)
    assert coordinated.levers.coordinated and coordinated.levers.tax_sharing == 0.5
    np.testing.assert_allclose(coordinated.choose_targets(structure), expected)
    transfer = coordinated.flows["tax_transfer"]
    assert transfer.sum() == pytest.approx(0.0, abs=1e-6 * np.abs(transfer).max()) and np.abs(transfer).max() > 0


def test_entrants_pay_for_their_first_capacity_in_the_quarter_they_open(small_params):
    # a generous entry pool and a strong response make entry certain within a few quarters
    model = YRDModel(rng=2, entry_pool=1.0, entry_response=200.0, **small_params)
    start = Start.of(model)
    for _ in range(12):
        model.step()
        assert_invariants(model, start, rel=1e-9)
        if model.entries:
            break
    assert model.entries > 0
    new = np.flatnonzero(model.entrant_outlay > 0)
    # entrants of this quarter (opening their cohort or joining one) are what the outlay is for
    assert new.size > 0 and (model.firms.joined[new, model.steps % 4] > 0).all()
    by_city = np.bincount(model.firms.city[new], model.entrant_outlay[new], minlength=model.geography.count)
    assert (model.flows["investment"] >= by_city * (1 - 1e-12)).all()   # their outlay is this quarter's investment


def test_first_year_enterprises_start_at_their_steady_state():
    # entry replaces the hazard's exits, so at t = 0 a share sum_k delta (1 - delta)^k (k < 4) of every
    # founding cohort is in its first year (the entry subsidy's base); it then stays there instead of
    # building up over the first year (it did: 0.015, 0.031, 0.046, 0.060 of the mass in quarters 1-4)
    model = YRDModel(rng=1, people_per_agent=20000.0)
    f, delta = model.firms, model.params.exit_rate
    expected = sum(delta * (1 - delta) ** k for k in range(4))
    share = (f.entrant_share() * f.mass)[f.alive].sum() / f.mass[f.alive].sum()
    assert share == pytest.approx(expected, rel=1e-9)
    shares = []
    for _ in range(4):
        model.step()
        shares.append((f.entrant_share() * f.mass)[f.alive].sum() / f.mass[f.alive].sum())
    assert max(abs(s / expected - 1) for s in shares) < 0.05


def test_city_rows_are_the_rows_mesa_reporters_give(small_params):
    """``observation.CityCollector`` builds each government's row from its report in one pass; the rows
    are the ones Mesa's own path (every reporter called on every government) gives, at the set-up (with
    the quarter flows NaN) and after a step, with the values' types."""
    import mesa

    from ydabm.agents.government import CityGovernment
    model = YRDModel(rng=3, **small_params)
    for _ in range(2):
        collector = model.datacollector
        fast = collector._record_agenttype(model, CityGovernment)
        reference = list(mesa.DataCollector._record_agenttype(collector, model, CityGovernment))
        columns = collector.agenttype_reporters[CityGovernment]
        assert len(fast) == len(model.governments) == 41 and {len(row) for row in fast} == {2 + len(columns)}
        np.testing.assert_equal(fast, reference)
        assert [tuple(map(type, row)) for row in fast] == [tuple(map(type, row)) for row in reference]
        model.step()


def test_aggregate_productivity_is_one_at_t0_and_follows_the_firms():
    """The output-weighted aggregate productivity is 1 at t = 0 and moves with the firms' productivity:
    raising every live firm's own productivity by 10 % raises it by 10 %."""
    model = YRDModel(rng=3, people_per_agent=20000)
    assert model.datacollector.get_model_vars_dataframe()["aggregate_productivity"].iloc[0] == 1.0
    model.firms.productivity[model.firms.alive] *= 1.1
    model._phi = None
    assert observation.aggregate_productivity(model) == pytest.approx(1.1)


def test_real_income_is_the_cities_real_income_summed():
    """The region's real income (the welfare measure of validate costs) is the sum of the cities'
    ``real_income`` every quarter, t = 0 included."""
    model = YRDModel(rng=4, people_per_agent=20000)
    for _ in range(3):
        model.step()
    region = model.datacollector.get_model_vars_dataframe()["real_income"].to_numpy()
    cities = model.datacollector.get_agenttype_vars_dataframe(CityGovernment)
    summed = cities.groupby(level=0)["real_income"].sum().to_numpy()
    assert region.size == 4 and (region > 0).all()
    np.testing.assert_allclose(region, summed, rtol=1e-12)


def test_a_run_whose_balances_overflow_stops_before_recording_them(monkeypatch):
    # hand-made: one city's household savings overflow to infinity in the accounts of the third quarter.
    # The model stops in that quarter, naming it, and the data collector holds t = 0 and every quarter
    # before it, all finite. (Until 6 Dec 2026 this used economies of the longer searches whose prices
    # overflowed on their own, iid productivity shocks of log sd 1 and then free moves with a labour
    # market that barely matches; since inputs are costed at book value neither diverges within 40
    # quarters: tests/test_properties.py, test_closed_corners_keep_every_invariant)
    from ydabm.errors import Diverged
    settle, calls = YRDModel.apply_accounts, []

    def overflow(model, books):
        settle(model, books)
        calls.append(1)
        if len(calls) == 4:                  # the set-up's accounts, then quarters 1, 2 and 3
            model.savings[0] = float("inf")
    monkeypatch.setattr(YRDModel, "apply_accounts", overflow)
    model = YRDModel(rng=0, people_per_agent=20000, input_output=1)
    with pytest.raises(Diverged, match=r"diverged in quarter 3 \(2020 Q4\): .*household savings no longer finite"):
        for _ in range(6):
            model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.steps == 3       # t = 0 and quarters 1 and 2
    assert np.isfinite(frame[["cpi", "real_gdp", "nominal_gdp"]].to_numpy()).all()


def test_a_burn_in_that_diverges_says_so(monkeypatch):
    # hand-made: the accounts leave one city's savings NaN from the burn-in's second quarter on (the
    # set-up settles the t = 0 accounts once before it); the model stops while it is built, naming the
    # quarter (negative: before start_year Q1, which the burn-in's last quarter is) and the burn-in
    from ydabm.errors import Diverged
    settle, calls = YRDModel.apply_accounts, []

    def spoil(model, books):
        settle(model, books)
        calls.append(1)
        if len(calls) >= 3:
            model.savings[0] = float("nan")
    monkeypatch.setattr(YRDModel, "apply_accounts", spoil)
    with pytest.raises(Diverged, match=r"quarter -2 \(2019 Q3, in the burn-in\): household savings no longer finite; "
                       r"the quarter before, consumer prices stood at [0-9.]+ times"):
        YRDModel(rng=1, people_per_agent=20000, burn_in=1)
