"""A stationary baseline: with no shock and the levers at their defaults, 40 quarters at the default
scale over five seeds (issue 10, item 2), and markets that clear: no firm ever sells more than it
can make (item 3)."""

import numpy as np
import pytest

from ydabm import YRDModel
from ydabm.markets.goods import CLEARING_TOLERANCE

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
    "0.006-0.011 in ten years (above 0.01 in seeds 2 and 4: 0.0107, 0.0109)"))


CAPACITY_DRIFT = pytest.mark.xfail(strict=True, reason=(
    "issues 10 and 11 (items 3 and 4): on the merged engine (newsvendor capacity, firm debt and soft "
    "credit, the grounded initial structure) manufacturing similarity moves by 0.0120 / 0.0046 / "
    "0.0171 / 0.0034 / 0.0065 over seeds 1-5 in ten years (within- and across-province alike; "
    "0.004-0.009 before the merge) and by up to 0.013 with stationary populations (next test). The "
    "capacity subsidy lowers a targeted cohort's user cost, so its capacity serves more of its orders "
    "and it gains sales, and the yearly re-targeting feeds that back into structure; support also "
    "rises from 0.39 % of GDP at t = 0 to 1.05 % within a year, so 2020's support flow is not yet a "
    "steady state (docs/validation.md, Engine)"))


@pytest.mark.slow
@pytest.mark.parametrize("metric", [pytest.param("similarity_manufacturing", marks=CAPACITY_DRIFT),
                                    pytest.param("similarity_all", marks=MIGRATION_DRIFT),
                                    pytest.param("similarity_within_province", marks=CAPACITY_DRIFT),
                                    pytest.param("similarity_across_provinces", marks=CAPACITY_DRIFT)])
def test_structure_within_001_of_2020(baseline_runs, metric):
    for frame, _ in baseline_runs:
        assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


@pytest.mark.slow
@CAPACITY_DRIFT
def test_structure_is_stationary_when_populations_are():
    for seed in SEEDS[:3]:
        model = YRDModel(rng=seed, migrant_inflow_rate=0.0)
        for _ in range(QUARTERS):
            model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        for metric in ("similarity_manufacturing", "similarity_all", "krugman_index"):
            assert (frame[metric] - frame[metric].iloc[0]).abs().max() <= 0.01, metric


#: the persistent productivity shocks' transient (issue 11 item 4)
SHOCK_TRANSIENT = pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 4: with persistent firm productivity (productivity_shock_sd 0.033 a year) unemployment "
    "dips from 5.0 % to 4.15-4.22 % in quarters 2-3 and settles at 5.25-5.33 % (largest move 0.78 / 0.80 / "
    "0.85 / 0.81 / 0.82 pp over seeds 1-5; 0.26-0.31 pp without the shocks): the steady state's loss-makers "
    "that the set-up's burn-in leaves in 2020 close from quarter 1, entry replaces them with a lag and its "
    "entrants hire at once, faster than the incumbents whose productivity fell shed their staff "
    "(the burn-in is partial equilibrium and starts the replacement flow at the hazard's)"))
#: closures of loss-making firms are now a calibrated flow (issue 11 item 4)
CLOSURES = pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 4: with persistent firm productivity the closures of loss-making firms are a "
    "calibrated flow beside the 6 %/yr hazard (productivity_shock_sd is set "
    "for a total of 7.5 %/yr, the middle of the 5-10 % of Brandt, Van Biesebroeck & Zhang 2012): exits "
    "are 1.87-1.89 % of the firm mass a quarter (7.5-7.6 %/yr) over seeds 1-5, not the hazard's 1.5 % +- 10 %"))


@pytest.mark.slow
@SHOCK_TRANSIENT
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


@pytest.mark.slow
@CLOSURES
def test_exits_are_the_hazard(baseline_runs):
    for frame, _ in baseline_runs:
        exits = frame["exits"].iloc[1:]
        # the hazard is a mass flow: exit_rate (1.5 %) of the firm mass leaves a quarter, plus few closures
        assert exits.mean() == pytest.approx(0.015 * frame["firms"].iloc[1:].mean(), rel=0.1)


#: the supply-chain baseline on the merged engine (issue 12 stays open)
IO_CYCLE = pytest.mark.xfail(strict=True, reason=(
    "issue 12: with supply chains on and capacity chosen by the newsvendor, heavily rationed input "
    "sectors (steel, petrochemicals, new energy: served share about 0.2, 94 % of steel's demand is input "
    "orders) cycle with a period of 5-6 quarters and growing amplitude from about quarter 28: orders = "
    "sales / served share swing 3-4 fold, expected sales and capacity follow them, and buyers' "
    "input stocks swing between 0.94 and 1.63 of target; largest unemployment move 1.80 / 0.95 / 0.99 pp "
    "over seeds 1-3 in 40 quarters (firm mass -1.7 / -0.5 / -0.4 %), the largest unmet input share "
    "9.4e-07; seed 1 collapses near quarter 52. Stable with demand_dispersion = 0 (1.5 pp at 80 "
    "quarters). The collapse within 6 years (input prices valued at rationed suppliers' virtual prices) "
    "is fixed and tested in tests/test_supply_chain.py"))


@pytest.fixture(scope="module")
def supply_chain_run():
    model = YRDModel(rng=1, input_output=1)
    for _ in range(QUARTERS):
        model.step()
    return model.datacollector.get_model_vars_dataframe()


@pytest.mark.slow
@IO_CYCLE
def test_supply_chains_keep_firms_and_markets(supply_chain_run):
    frame = supply_chain_run
    assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03
    assert frame["market_residual"].max() <= CLEARING_TOLERANCE
    assert frame["unmet_input_share"].max() == 0.0


@pytest.mark.slow
@IO_CYCLE
def test_supply_chains_keep_unemployment_within_half_a_point(supply_chain_run):
    rate = supply_chain_run["unemployment_rate"]
    assert (rate - rate.iloc[0]).abs().max() <= 0.005
