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
    # observed: at most 0.0068 (manufacturing), 0.0048 (all sectors), 0.0066 (Krugman) over seeds 1-3
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
    "is fixed and tested in tests/test_supply_chain.py. With target_sharpness calibrated (7, issue 11) "
    "seed 1 moves unemployment by 0.94 pp (firm mass -0.13 %, no unmet input)"))


@pytest.fixture(scope="module")
def supply_chain_run():
    model = YRDModel(rng=1, input_output=1)
    for _ in range(QUARTERS):
        model.step()
    return model.datacollector.get_model_vars_dataframe()


@pytest.mark.slow
def test_supply_chains_keep_firms_and_markets(supply_chain_run):
    # observed with target_sharpness 7 (issue 11): firm mass -0.13 % in 40 quarters, no unmet input
    frame = supply_chain_run
    assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03
    assert frame["market_residual"].max() <= CLEARING_TOLERANCE
    assert frame["unmet_input_share"].max() == 0.0


@pytest.mark.slow
@IO_CYCLE
def test_supply_chains_keep_unemployment_within_half_a_point(supply_chain_run):
    rate = supply_chain_run["unemployment_rate"]
    assert (rate - rate.iloc[0]).abs().max() <= 0.005
