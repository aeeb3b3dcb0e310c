"""Innovation and digital integration in the model (issue 13): the t = 0 calibration against 2020,
a stationary baseline, determinism, and the levers and scenarios acting through the mechanisms.
The pure functions have hand-computed cases in test_mechanisms.py; the facts over seeds are in
test_stylised_facts.py."""

import numpy as np
import pytest

from ydabm import YRDModel
from ydabm.errors import Diverged
from ydabm.geography.world import load_innovation_table
from ydabm.observation import innovation_by_city, province_rd_intensity
from ydabm.policies import DigitalIntegration, InnovationCommunity, NetworkUpgrade
from ydabm.scenarios import load_scenario
from ydabm.mechanisms import technology
from ydabm.labels import quantity
from ydabm.params import ParameterError, Params
from ydabm.run import model_frame

from invariants import Start, assert_invariants

#: R&D intensity at t = 0 must match 2020 within this many percentage points (issue 13, item 4)
RD_TOLERANCE_PP = 0.3
#: patents by province must follow the 2020 grants' proportions within this relative error
PATENT_TOLERANCE = 0.25


@pytest.fixture(scope="module")
def start():
    return YRDModel(rng=1)


def _by_province(model, values):
    geo = model.geography
    return np.bincount(geo.province_index, values, minlength=len(geo.province_names))


def expected_patents(model) -> np.ndarray:
    """(P,) patents per year the t = 0 innovation rates give by province."""
    f, geo = model.firms, model.geography
    rate = np.where(f.alive, model.innovation_rate(f.rd_share), 0.0)
    city = np.bincount(f.city, 4 * model.enterprises * rate, minlength=geo.count) * model.patent_propensity
    return _by_province(model, city)


def test_rd_intensity_by_province_at_t0_matches_2020(start):
    data = load_innovation_table().loc[start.geography.province_names]
    innovation = innovation_by_city(start)
    intensity = province_rd_intensity(innovation["rd"], innovation["gdp"], start.geography.province_index)
    np.testing.assert_allclose(100 * intensity, data["rd_intensity_pct"], atol=RD_TOLERANCE_PP)


def test_patent_total_at_t0_is_the_2020_grants(start):
    data = load_innovation_table().loc[start.geography.province_names]
    assert expected_patents(start).sum() == pytest.approx(data["invention_patents_granted"].sum())


def _shares(values):
    return np.asarray(values, dtype=float) / np.sum(values)


def test_patent_propensity_by_hand():
    # yields 2 and 1 patents per unit of R&D; R&D 10 and 10; innovations 10 and 40: raw 2 and 0.25,
    # scaled by 50 / (20 + 10) = 5/3: 10/3 and 5/12 patents per innovation (100/3 + 50/3 = 50)
    pi = technology.patent_propensity(np.array([2.0, 1.0]), np.array([10.0, 10.0]), np.array([10.0, 40.0]))
    np.testing.assert_allclose(pi, [10 / 3, 5 / 12])
    np.testing.assert_allclose((pi * [10.0, 40.0]).sum(), 50.0)


def test_patents_per_rd_yuan_at_t0_are_2019s(start):
    # the calibration (2019 grants per yuan of R&D), before the out-of-sample checks below
    data = load_innovation_table().loc[start.geography.province_names]
    innovation = innovation_by_city(start)
    rd = _by_province(start, innovation["rd"])
    np.testing.assert_allclose(_shares(expected_patents(start) / rd),
                               _shares(data["invention_patents_granted_2019"] / data["rd_expenditure_2019_100m_yuan"]),
                               rtol=1e-9)


def test_patent_shares_by_province_follow_2020_grants(start):
    # out of sample: the 2019 propensities with the model's 2020 R&D against the 2020 grants
    data = load_innovation_table().loc[start.geography.province_names]
    np.testing.assert_allclose(_shares(expected_patents(start)), _shares(data["invention_patents_granted"]),
                               rtol=PATENT_TOLERANCE)


@pytest.mark.xfail(strict=True, reason=(
    "issue 13, item 4: the 2020 grants rank Zhejiang (49,888) above Jiangsu (45,975); the model ranks "
    "Jiangsu first (35 % against Zhejiang's 31 % of the patents at t = 0). The order of the two flips "
    "every year in the data (2019 JS > ZJ, 2020 ZJ > JS, 2021 JS > ZJ) and the propensities come from "
    "2019 grants per yuan of R&D; without them (a single propensity) the shares miss by up to 31 % "
    "and the order is JS > ZJ > AH > SH"))
def test_patent_order_by_province_is_2020s(start):
    data = load_innovation_table().loc[start.geography.province_names]
    order = list(np.argsort(-expected_patents(start)))
    assert order == list(np.argsort(-data["invention_patents_granted"].to_numpy()))


def test_patents_in_2021_follow_2021_grants_in_order_and_proportion():
    # out of sample: the model's patents over the quarters of 2021 against the 2021 grants
    model = YRDModel(rng=2)
    patents = np.zeros(model.geography.count)
    while model.year < 2022:
        model.step()
        if model.year == 2021:            # the four quarters labelled 2021 in the outputs
            patents += model.patents
    data = load_innovation_table().loc[model.geography.province_names]["invention_patents_granted_2021"]
    model_share, data_share = _shares(_by_province(model, patents)), _shares(data)
    assert list(np.argsort(-model_share)) == list(np.argsort(-data_share))
    np.testing.assert_allclose(model_share, data_share, rtol=PATENT_TOLERANCE)


def test_every_city_sector_grows_at_its_sector_trend_at_t0(start):
    # exogenous plus expected endogenous growth (yearly) equals the configured trend in every cell
    f, s = start.firms, start.sectors
    live = f.alive
    endogenous = 4 * technology.innovation_growth(start.innovation_rate(f.rd_share), start.innovation_step,
                                                s.elasticity[f.sector])[live]
    total = np.expm1(start.exogenous_growth.ravel()[f.cell[live]] + endogenous)
    np.testing.assert_allclose(total, s.tfp_growth[f.sector[live]], rtol=1e-10)
    # with tfp_growth_scale the whole trend scales: at 0 nothing grows at t = 0
    still = YRDModel(rng=1, tfp_growth_scale=0.0, people_per_agent=20000)
    f = still.firms
    endogenous = 4 * technology.innovation_growth(still.innovation_rate(f.rd_share), still.innovation_step,
                                                s.elasticity[f.sector])[f.alive]
    np.testing.assert_allclose(still.exogenous_growth.ravel()[f.cell[f.alive]] + endogenous, 0.0, atol=1e-12)


def test_baseline_stays_near_2020_and_the_sector_trends_for_two_years(small_params):
    model = YRDModel(rng=2, **small_params)
    trend = model.sectors.tfp_growth
    revenue = model.firms.by_cell(model.firms.revenue, model.geography.count).sum(axis=0)
    for _ in range(8):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    # realised R&D stays at its 2020 level; productivity grows at the revenue-weighted sector trends
    assert frame["rd_intensity"].iloc[1:].sub(frame["rd_intensity"].iloc[0]).abs().max() < 0.001
    assert frame["tfp_growth"].iloc[1:].mean() == pytest.approx((trend * revenue).sum() / revenue.sum(), abs=0.003)
    assert frame["digital_adoption_share"].sub(frame["digital_adoption_share"].iloc[0]).abs().max() < 0.01


def test_same_seed_same_innovations_and_different_seeds_differ(small_params):
    def patents(seed):        # (C,) innovations by city, quarter by quarter
        model = YRDModel(rng=seed, **small_params)
        series = []
        for _ in range(3):
            model.step()
            series.append(model.patents.copy())
        return np.concatenate(series)
    assert np.array_equal(patents(5), patents(5))
    assert not np.array_equal(patents(5), patents(6))


def test_knowledge_follows_the_cell_ces_mean_productivity(small_params):
    # two live firms of one city-sector, masses 1 and 3 at productivities 1 and 2, sigma of the sector;
    # the second gains 0.1 in logs: the cell's knowledge rises by
    # ln((1 + 3 x 2^a e^(0.1 a)) / (1 + 3 x 2^a)) / a, a = sigma - 1 (the geometric mean would be 0.075)
    model = YRDModel(rng=1, **small_params)
    f = model.firms
    counts = np.bincount(f.cell[f.alive], minlength=model.knowledge.size)
    cell = int(np.flatnonzero(counts >= 2)[0])
    rows = np.flatnonzero(f.alive & (f.cell == cell))
    first, second = rows[0], rows[1]
    f.alive[rows[2:]] = False
    f.mass[first], f.mass[second] = 1.0, 3.0
    f.productivity[first], f.productivity[second] = 1.0, 2.0
    gain = np.zeros(f.size)
    gain[second] = 0.1
    before = model.knowledge.copy()
    model.apply_innovation(technology.Innovation(f.rd_share.copy(), np.zeros(f.size), gain))
    a = model.sectors.elasticity[cell % model.sectors.count] - 1.0
    expected = np.log((1 + 3 * 2 ** a * np.exp(0.1 * a)) / (1 + 3 * 2 ** a)) / a
    change = (model.knowledge - before).ravel()
    assert change[cell] == pytest.approx(expected, rel=1e-12)
    assert np.all(np.delete(change, cell) == 0.0)
    assert f.productivity[second] == pytest.approx(2.0 * np.exp(0.1))


def test_synthetic_worlds_have_no_rd():
    model = YRDModel(rng=1, **load_scenario("core_periphery").params())
    model.step()
    assert model.metrics["rd_intensity"] == 0 and model.metrics["patents"] == 0


def test_joint_fund_rate_and_transfers_by_hand():
    # budget 6 over R&D 30: the fund pays a fifth of every firm's R&D; a budget above the cap is not spent
    assert technology.fund_rate(6.0, 30.0) == pytest.approx(0.2)
    assert technology.fund_rate(20.0, 30.0) == technology.MAX_FUND_RATE == 0.5
    assert technology.fund_rate(0.0, 30.0) == 0.0 and technology.fund_rate(6.0, 0.0) == 0.0
    # per city: budgets 3 and 1 over R&D 10 and 0: 0.3 and nothing
    np.testing.assert_allclose(technology.fund_rate(np.array([3.0, 1.0]), np.array([10.0, 0.0])), [0.3, 0.0])
    # rate 0.2, R&D 10 and 20, GDP 30 and 10: grants 2 and 4 (6 in all); contributions 6 x 3/4 = 4.5
    # and 6 x 1/4 = 1.5; net transfers -2.5 and +2.5 (the pool keeps nothing); per city: none
    rd, gdp = np.array([10.0, 20.0]), np.array([30.0, 10.0])
    np.testing.assert_allclose(technology.fund_transfers(np.full(2, 0.2), rd, gdp, True), [-2.5, 2.5])
    assert not technology.fund_transfers(np.full(2, 0.2), rd, gdp, False).any()
    assert not technology.fund_transfers(np.zeros(2), rd, gdp, True).any()


def test_innovation_community_opens_knowledge_flows_and_pools_a_joint_fund(small_params):
    base = YRDModel(rng=4, **small_params)
    community = YRDModel(rng=4, policies=(InnovationCommunity(start_year=2020, fund_share=0.006),), **small_params)
    start = Start.of(community)
    for model in (base, community):
        for _ in range(4):
            model.step()
            if model is community:
                assert_invariants(model, start, rel=1e-9)
    lev = community.levers
    assert lev.knowledge_open and lev.rd_fund_share == 0.006 and lev.rd_subsidy == 0.0
    # no border loss: every cross-province weight is the travel-time decay alone
    geo = community.geography
    decay = np.exp(-geo.hours / community.params.knowledge_decay_hours)
    np.testing.assert_allclose(community.frictions.knowledge[geo.cross_province], decay[geo.cross_province])
    assert community.metrics["rd_intensity"] > base.metrics["rd_intensity"]
    assert community.metrics["cross_province_spillover_share"] > base.metrics["cross_province_spillover_share"]
    # the rate is the budget (0.6 % of last quarter's GDP) over last quarter's R&D (about 3 % of GDP)
    rate = community.rd_fund_rate
    assert (rate == rate[0]).all() and 0.1 < rate[0] < 0.25
    # the pool moves money between governments and keeps none; its grants are subsidies
    transfer = community.fund_transfer
    assert abs(transfer.sum()) < 1e-9 * np.abs(transfer).sum() and np.abs(transfer).sum() > 0
    assert community.flows["subsidies"].sum() > base.flows["subsidies"].sum()
    assert not base.fund_transfer.any() and not base.rd_fund_rate.any()


def test_per_city_funding_is_paid_by_each_city_for_its_own_firms(small_params):
    model = YRDModel(rng=4, policies=(InnovationCommunity(start_year=2020, fund_share=0.0, rd_fund=0.2),),
                     **small_params)
    model.step()
    assert model.levers.rd_subsidy == 0.2 and not model.rd_fund_rate.any() and not model.fund_transfer.any()
    # the same budget without pooling: each city's rate is its own budget over its own R&D
    model = YRDModel(rng=4, policies=(InnovationCommunity(start_year=2020, pooled=0),), **small_params)
    start = Start.of(model)
    gdp, rd = model.flows["value_added"].copy(), model.rd_spending.copy()
    model.step()
    assert_invariants(model, start, rel=1e-9)
    np.testing.assert_allclose(model.rd_fund_rate, np.where(rd > 0, np.minimum(0.006 * gdp / np.where(rd > 0, rd, 1), 0.5), 0))
    assert model.rd_fund_rate.std() > 0 and not model.fund_transfer.any()


def test_fund_out_of_bounds_is_refused_naming_the_field():
    with pytest.raises(ParameterError, match=r"fund_share: -0.1 is out of range; allowed \[0, 0.02\]"):
        InnovationCommunity(start_year=2021, fund_share=-0.1)
    with pytest.raises(ParameterError, match=r"rd_fund_share: 0.05 is out of range"):
        Params.build({"rd_fund_share": 0.05})


def matched_digital_runs(small_params, quarters, seed=4, subsidy=0.5):
    """The baseline and digital integration (adoption subsidy ``subsidy`` from 2020) on the same seed,
    stepped ``quarters`` quarters."""
    base = YRDModel(rng=seed, **small_params)
    digital = YRDModel(rng=seed, policies=(DigitalIntegration(start_year=2020, adoption_subsidy=subsidy),),
                       **small_params)
    for model in (base, digital):
        for _ in range(quarters):
            model.step()
    return base, digital


def test_digital_integration_acts_through_the_adoption_subsidy(small_params):
    # issue 13 item 3: digital integration acts through firms' adoption decisions, not a multiplier.
    # Matched seeds 1-3, 4 quarters: the subsidy raises the adoption share in every seed and by at least
    # 3 standard errors over seeds (measured 2 Dec 2026: +0.0481 +- 0.00004 on 0.258, seeds 1-5); at
    # a subsidy of 0 the policy changes nothing; only traditional sectors adopt. (Until 2 Dec 2026 this
    # test asked for a rise above 0.05, a threshold without a source: on the grounded initial structure
    # the rise was 0.048 and the test a strict xfail.)
    rises = []
    for seed in (1, 2, 3):
        base, digital = matched_digital_runs(small_params, quarters=4, seed=seed)
        assert digital.levers.adoption_subsidy == 0.5
        rises.append(digital.metrics["digital_adoption_share"] - base.metrics["digital_adoption_share"])
        f = digital.firms
        assert (f.adoption[f.alive & ~digital.sectors.traditional[f.sector]] == 0).all()
    rises = np.array(rises)
    assert (rises > 0).all() and rises.mean() >= 3 * rises.std(ddof=1) / np.sqrt(rises.size), rises
    base, unsubsidised = matched_digital_runs(small_params, quarters=4, seed=1, subsidy=0.0)
    assert unsubsidised.metrics["digital_adoption_share"] == base.metrics["digital_adoption_share"]


def test_adoption_by_sector_by_hand():
    # sector 0: (1 x 0.5 + 3 x 0.2) / 4 = 0.275; sector 1 cannot adopt; sector 2's only firm is dead
    share = technology.adoption_by_sector(np.array([0.5, 0.2, 0.9, 0.4]), np.array([1.0, 3.0, 2.0, 5.0]),
                                          np.array([0, 0, 1, 2]), np.array([True, True, True, False]),
                                          np.array([True, False, True]))
    np.testing.assert_allclose(share, [0.275, 0.0, 0.0])


def test_digital_adoption_by_sector_is_a_model_output(small_params):
    base, digital = matched_digital_runs(small_params, quarters=2)
    s = base.sectors
    columns = {f"digital_adoption_{name}" for k, name in enumerate(s.names) if s.traditional[k]}
    frames = [model_frame(model) for model in (base, digital)]
    assert columns <= set(frames[0].columns)
    assert not {f"digital_adoption_{name}" for k, name in enumerate(s.names) if not s.traditional[k]} & set(frames[0].columns)
    for column in columns:
        assert quantity(column).unit == "share of the sector's enterprises, 0-1"
        assert 0 < frames[0][column].iloc[-1] < frames[1][column].iloc[-1] < 1
    # the region's share of a sector is its cities' shares weighted by their enterprise mass
    f, k = base.firms, int(np.flatnonzero(s.traditional)[0])
    rows = f.alive & (f.sector == k)
    assert frames[0][f"digital_adoption_{s.names[k]}"].iloc[-1] == pytest.approx(
        (f.mass[rows] * f.adoption[rows]).sum() / f.mass[rows].sum())


def test_outlays_rest_on_value_added_floored_at_zero(small_params):
    # found by the property test in CI (2 Dec 2026, at matching_efficiency 0 with the external supply
    # shock): firms whose inputs cost more than their sales had negative R&D outlays (a share of value
    # added), so a city's R&D stock turned negative and the knowledge flows failed. R&D and adoption
    # outlays rest on value added floored at 0; GDP keeps the signed value added.
    model = YRDModel(rng=1, **small_params)
    value_added = model.firm_value_added().copy()
    value_added[:3] = [-5.0, 0.0, 7.0]
    model.firm_value_added = lambda: value_added
    base = model.outlay_base()
    assert list(base[:3]) == [0.0, 0.0, 7.0] and (base >= 0).all()
    model.accumulate_rd(model.firms.rd_share * base)
    assert (model.rd_stock >= 0).all() and (model.knowledge_flows() >= 0).all()


def test_spillover_loop_gain_by_hand():
    # two cities that see each other's stock with weight w, equal stocks K = 1, pools against scale 2:
    # kappa = w / 2 each, A = [[0, a], [a, 0]] with a = psi w / (2 (1 - beta) (1 + kappa) (1 + kappa + psi kappa)),
    # so the gain (Perron root) is a; a city whose R&D is all at the cap does not respond (u = 0)
    w, psi, beta = 1.2, 1.5, 0.5
    kappa = w / 2
    a = psi * w / (2 * (1 - beta) * (1 + kappa) * (1 + kappa + psi * kappa))
    weights = np.array([[0.0, w], [w, 0.0]])
    assert technology.spillover_loop_gain(weights, np.ones(2), 2.0, psi, beta) == pytest.approx(a, rel=1e-12)
    # one city capped: A = [[0, a], [0, 0]], nilpotent: no loop
    assert technology.spillover_loop_gain(weights, np.ones(2), 2.0, psi, beta, np.array([1.0, 0.0])) == 0.0
    # below psi = 4 (1 - beta) the gain is below 1 whatever the weights (max row sum <= psi / (4 (1 - beta)))
    rng = np.random.default_rng(3)
    for _ in range(50):
        weights = rng.uniform(0, 5, (6, 6)) * (1 - np.eye(6))
        gain = technology.spillover_loop_gain(weights, rng.uniform(0.1, 3, 6), rng.uniform(0.5, 20), 1.9, 0.5)
        assert gain < 1.9 / (4 * 0.5)


def test_the_loop_and_its_row_bound_by_hand():
    # the loop matrix of the two-city case above, and its largest row sum as the cheap upper bound of
    # its gain: for A = [[0, 0.3], [1.2, 0]] the Perron root is sqrt(0.36) = 0.6, the bound 1.2
    w, psi, beta = 1.2, 1.5, 0.5
    kappa = w / 2
    a = psi * w / (2 * (1 - beta) * (1 + kappa) * (1 + kappa + psi * kappa))
    loop = technology.spillover_loop(np.array([[0.0, w], [w, 0.0]]), np.ones(2), 2.0, psi, beta)
    np.testing.assert_allclose(loop, [[0.0, a], [a, 0.0]], rtol=1e-12)
    uneven = np.array([[0.0, 0.3], [1.2, 0.0]])
    assert technology.loop_row_bound(uneven) == 1.2
    assert float(np.abs(np.linalg.eigvals(uneven)).max()) == pytest.approx(0.6, rel=1e-12)
    # the bound is never below the gain, with or without capped firms
    rng = np.random.default_rng(5)
    for _ in range(50):
        weights, stocks = rng.uniform(0, 5, (6, 6)) * (1 - np.eye(6)), rng.uniform(0.1, 3, 6)
        scale, uncapped = rng.uniform(0.5, 20), rng.uniform(0, 1, 6)
        gain = technology.spillover_loop_gain(weights, stocks, scale, 2.5, 0.6, uncapped)
        assert gain <= technology.loop_row_bound(technology.spillover_loop(weights, stocks, scale, 2.5, 0.6)) + 1e-12


def test_a_policy_that_takes_rd_past_its_stable_level_stops_the_run():
    # knowledge_spillover 1.5 at rd_elasticity 0.8: a stable 2020 level (gain 0.826), 0.895 with the
    # knowledge flows opened at t = 0's stocks, so the run starts; the joint fund's R&D then deepens the
    # pools and takes the gain to 1.001 in 2022 Q4 (observed 6 Dec 2026, quick scale, seed 1). Without
    # the stop it peaked at 1.10 in 2028 and R&D grew until firms reached the cap
    values = {"people_per_agent": 20000, "knowledge_spillover": 1.5, "rd_elasticity": 0.8}
    alone = YRDModel(rng=1, **values)
    for _ in range(12):
        alone.step()                           # the same economy without the policy keeps its level
    model = YRDModel(rng=1, policies=(InnovationCommunity(start_year=2021, fund_share=0.006),), **values)
    assert 0.8 < model.rd_loop_gain < 0.9
    for _ in range(10):
        model.step()
    with pytest.raises(Diverged, match=r"^R&D lost its stable level in quarter 11 \(2022 Q4\): the loop R&D -> "
                                       r"R&D stocks -> knowledge pools -> R&D has a gain of 1\.0\d+ at this quarter's"):
        model.step()


@pytest.mark.parametrize(("values", "policies", "where"), [
    ({}, (InnovationCommunity(start_year=2021, fund_share=0.006),),
     "once InnovationCommunity widens knowledge's reach: the loop R&D -> R&D stocks -> knowledge pools -> R&D "
     "has a gain of 1.013"),
    ({"barrier": 0.0}, (), "at this run's levers: the loop R&D -> R&D stocks -> knowledge pools -> R&D has a gain "
                           "of 1.013"),
])
def test_levers_or_policies_that_leave_rd_unstable_at_once_are_refused_before_the_run(values, policies, where):
    # knowledge_spillover 1.75 at rd_elasticity 0.8: gain 0.939 at the set-up's levers, 1.013 once
    # knowledge crosses provincial borders without the co-invention friction, which the innovation
    # community does from 2021 and barrier 0 does from the first quarter (the border loss scales with
    # the barrier). Until this check the first ran on: R&D intensity 3 % -> 42 % of GDP in twenty years
    values = {"people_per_agent": 20000, "knowledge_spillover": 1.75, "rd_elasticity": 0.8, **values}
    with pytest.raises(ParameterError, match="^knowledge_spillover, rd_elasticity, knowledge_decay_hours: 1.75, 0.8 "
                                             "and 1 leave R&D without a stable level ") as err:
        YRDModel(rng=1, policies=policies, **values)
    assert where in str(err.value)
    # the lines opened up to 2024 leave it below 1: that run starts
    assert YRDModel(rng=1, policies=(NetworkUpgrade(),), **{**values, "barrier": 0.5}).rd_loop_gain < 1


def test_defaults_have_a_stable_rd_level():
    # observed (6 Dec 2026): 0.316 at the quick and the default scale
    model = YRDModel(rng=1, people_per_agent=20000)
    assert 0.2 < model.rd_loop_gain < 0.5


@pytest.mark.parametrize(("values", "why"), [
    ({"rd_elasticity": 0.8, "knowledge_spillover": 3.0, "knowledge_decay_hours": 20.0}, "has a gain of 1.63"),
    ({"rd_elasticity": 0.95, "knowledge_spillover": 2.57}, "no R&D efficiencies reach"),
])
def test_a_set_up_without_a_stable_rd_level_is_refused_naming_the_fields(values, why):
    # (0.95, 2.57): the calibration's damped iteration swings and, until 6 Dec 2026, the run started
    # with R&D intensities up to eleven times 2020's and went on to NaN productivity at longer reach
    with pytest.raises(ParameterError, match="^knowledge_spillover, rd_elasticity, knowledge_decay_hours: ") as err:
        YRDModel(rng=1, people_per_agent=20000, **values)
    assert why in str(err.value)


@pytest.mark.slow
def test_the_loop_gain_says_whether_a_change_of_rd_grows_or_fades(monkeypatch):
    # every R&D stock 5 % higher at t = 0, against the same run without: the gap after 40 quarters,
    # with the refusal switched off to build the unstable economy. The linearised loop predicts
    # 5 % x exp(delta (gain - 1) 40), delta = rd_depreciation 0.0375: 1.8 % at the defaults' gain 0.32,
    # 12.8 % at 1.63. Observed (6 Dec 2026, quick scale, seed 1): 1.71 % and 13.2 %
    def gap(**values) -> tuple[float, float]:
        paths = []
        for bump in (0.0, 0.05):
            model = YRDModel(rng=1, people_per_agent=20000, **values)
            model.rd_stock = model.rd_stock * (1 + bump)
            for _ in range(40):
                model.step()
            paths.append(model.rd_stock.sum())
        return paths[1] / paths[0] - 1, model.rd_loop_gain
    shrinking, gain = gap()
    assert gain < 1 and 0.0 < shrinking < 0.03
    check = YRDModel._check_rd_steady_state

    def gain_only(model, revenue, target):          # the set-up's check without its refusal
        try:
            check(model, revenue, target)
        except ParameterError:
            pass
    monkeypatch.setattr(YRDModel, "_check_rd_steady_state", gain_only)
    monkeypatch.setattr(YRDModel, "_check_rd_at_start", lambda model: None)       # and the run's
    monkeypatch.setattr(YRDModel, "_check_rd_stable", lambda model, rd: None)
    growing, gain = gap(rd_elasticity=0.8, knowledge_spillover=3.0, knowledge_decay_hours=20.0)
    assert gain > 1.5 and growing > 0.10
