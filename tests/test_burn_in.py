"""The burn-in (``burn_in``, issue 10 item 2): years run before ``start_year`` Q1, whose last state is
the start (t = 0) and none of which is recorded."""

import numpy as np
import pytest

from invariants import Start, assert_invariants
from test_stationarity import _run_frame
from ydabm import YRDModel, burnt_state, calibrated_state, calibration
from ydabm.observation import QUARTER_FLOWS
from ydabm.params import ParameterError, Params
from ydabm.policies import BarrierPath

SHOCKS = {"productivity_persistence": 0.8}


class _Checked(YRDModel):
    """Records the calendar and the entry of every quarter, burn-in included, and checks the
    invariants of ``tests/invariants.py`` after each."""

    def step(self):
        if not hasattr(self, "seen"):
            self.seen, self.start = [], Start.of(self)
        replacement = np.minimum(self.exit_flow, 0.5 * self.params.entry_pool * self.initial_firms)
        entrants = self.entry_intensity(self._entry_response)
        super().step()
        self.seen.append((self.year, self.quarter, self._entry_response, entrants, replacement))
        assert_invariants(self, self.start)


@pytest.fixture(scope="module")
def burnt():
    """Seed 2 at the quick scale with productivity shocks and a burn-in of one year, then 4 quarters."""
    model = _Checked(rng=2, people_per_agent=20000.0, burn_in=1, **SHOCKS)
    burn_in = list(model.seen)
    start = model.datacollector.get_model_vars_dataframe().copy()
    for _ in range(4):
        model.step()
    return model, burn_in, start


def test_the_burn_in_runs_before_the_start_year_and_is_not_recorded(burnt):
    model, burn_in, start = burnt
    # four quarters, 2019 Q2 to 2020 Q1: the last is the start; Mesa's step count does not move
    assert [(y, q + 1) for y, q, *_ in burn_in] == [(2019, 2), (2019, 3), (2019, 4), (2020, 1)]
    assert len(start) == 1 and np.isnan(start[list(QUARTER_FLOWS)].iloc[0]).all()
    # the run's quarters follow from 2020 Q2; the frame holds t = 0 and them only
    assert [(y, q + 1) for y, q, *_ in model.seen[4:]] == [(2020, 2), (2020, 3), (2020, 4), (2021, 1)]
    assert model.steps == 4 and len(model.datacollector.get_model_vars_dataframe()) == 5


def test_entry_replaces_the_leavers_in_the_burn_in_then_answers_the_margin(burnt):
    model, burn_in, _ = burnt
    for *_, response, entrants, replacement in burn_in:
        assert response == 0.0
        np.testing.assert_allclose(entrants, replacement, rtol=1e-9, atol=1e-12)
    assert all(response is None for *_, response, _, _ in model.seen[4:])


def test_the_start_takes_the_burnt_in_margin_and_price_bases():
    model = YRDModel(rng=2, people_per_agent=20000.0, burn_in=1, **SHOCKS)
    # as the set-up at t = 0: the margin an entrant expects is the required one
    np.testing.assert_array_equal(model.required_margin, model.expected_margin())
    # consumer prices are relative to the start's own, and real GDP is valued at its unit values
    assert model.metrics["cpi"] == 1.0
    assert not np.array_equal(model.base_price, YRDModel(rng=2, people_per_agent=20000.0, **SHOCKS).base_price)
    # at the start value added at the unit values is value added at the firms' prices but for the
    # CES unit value's gap from each firm's price (observed deflator 1.0003 here; 1.0041 at the set-up's
    # t = 0 with shocks, whose first clearing moves prices off the set-up's, and 1.0002 without them)
    assert model.metrics["gdp_deflator"] == pytest.approx(1.0, abs=0.001)


def test_every_lever_setting_starts_from_the_same_burnt_in_economy():
    # the burn-in runs at the baseline levers (as the set-up is built), with no policy: the start is
    # the same for any lever values and scenario; the run's own levers act from its first quarter
    frames = []
    for values, policies in (({}, ()), ({"barrier": 1.0, "soft_budget": 0.0}, ()),
                             ({}, (BarrierPath(start_year=2019, end_year=2019, target=0.0),))):
        burnt_state.clear()         # each burns in itself (not a copy of the last one's burnt-in state)
        model = YRDModel(rng=5, people_per_agent=20000.0, burn_in=1, policies=policies, **SHOCKS, **values)
        model.step()
        frames.append(model.datacollector.get_model_vars_dataframe())
    for frame in frames[1:]:
        np.testing.assert_array_equal(frame.iloc[0].to_numpy(), frames[0].iloc[0].to_numpy())
    assert frames[1]["interprovincial_trade_share"].iloc[1] < frames[0]["interprovincial_trade_share"].iloc[1]
    assert frames[2]["interprovincial_trade_share"].iloc[1] > frames[0]["interprovincial_trade_share"].iloc[1]


def test_in_the_burn_in_nobody_moves_and_the_start_takes_migration_at_its_own_incomes():
    # nobody moves in the burn-in: every city's workers by class at t = 0 are the set-up's
    model = YRDModel(rng=2, people_per_agent=20000.0, burn_in=1, **SHOCKS)
    set_up = YRDModel(rng=2, people_per_agent=20000.0, **SHOCKS)
    np.testing.assert_array_equal(model.labour_force, set_up.labour_force)
    # from t = 0 the amenities carry 2020's net flows on at the burnt-in state's incomes: inverted there
    # as the set-up inverts them at 2020's (the read-only calibrated fundamentals otherwise)
    calibrated = calibrated_state.lookup(model.params).fundamentals
    assert model.fundamentals is not calibrated
    income = model.log_real_income(classes=slice(None))
    values, geo = model.params.as_dict(), model.geography
    np.testing.assert_allclose(model.fundamentals.amenity, calibration.invert_amenities(
        geo, income, model.labour_force, calibrated.hukou_share, values), atol=1e-9)
    np.testing.assert_allclose(model.fundamentals.farm_attachment, calibration.farm_attachment(
        geo, income, model.fundamentals.amenity, model.labour_force, calibrated.hukou_share, values), atol=1e-9)
    assert not np.array_equal(model.fundamentals.amenity, calibrated.amenity)
    np.testing.assert_array_equal(model.fundamentals.revenue, calibrated.revenue)
    # what they add to the stationary inversion at the same incomes is the pull of the cities that gained
    # net migrants by 2020 (observed correlation with the per-agent working-age net migrant stock: 0.933
    # at the set-up's incomes)
    stationary = calibration.invert_amenities(geo, income, model.labour_force, calibrated.hukou_share,
                                              {**values, "migrant_inflow_rate": 0.0})
    gained = calibration.working_migrant_stock(geo, values)
    relative = gained / calibrated.agents - (gained.sum() / calibrated.agents.sum())
    assert np.corrcoef(model.fundamentals.amenity - stationary, relative)[0, 1] > 0.9


def test_the_same_seed_gives_the_same_burnt_in_run():
    frames = []
    for _ in range(2):
        burnt_state.clear()         # each burns in itself
        model = YRDModel(rng=7, people_per_agent=20000.0, burn_in=1, **SHOCKS)
        for _ in range(2):
            model.step()
        frames.append(model.datacollector.get_model_vars_dataframe())
    np.testing.assert_array_equal(frames[0].to_numpy(), frames[1].to_numpy())


def test_burn_in_out_of_range_names_the_field():
    with pytest.raises(ParameterError, match=r"burn_in: 41 is out of range; allowed \[0, 40\] \(years\)"):
        Params.build({"burn_in": 41})
    with pytest.raises(ParameterError, match=r"burn_in: expected a whole number"):
        Params.build({"burn_in": 0.5})


#: the two burn-ins of the shock economy measured here: ten years with cohorts of at most 20 % of their
#: city-sector (the one docs/validation.md reports throughout), and thirty years with cohorts of 5 %,
#: which reaches the steady state (after t = 0 similarity drifts +0.0003 in ten years, against +0.0108
#: after ten years of burn-in; both under error diffusion, before 5 Dec 2026) with cohort noise cut
#: (docs/validation.md, 'A burn-in that reaches the steady state')
TEN_YEARS = "ten years, cohorts of 20 %"
THIRTY_YEARS = "thirty years, cohorts of 5 %"
BURN_INS = {TEN_YEARS: {"burn_in": 10, "max_cohort_share": 0.2},
            THIRTY_YEARS: {"burn_in": 30, "max_cohort_share": 0.05}}


@pytest.fixture(scope="module", params=list(BURN_INS))
def shock_economy(request):
    """The shock economy over spells (persistence 0.8, split agents, shedding, credit weighed over the
    expected spells) after one of the two burn-ins: seeds 1-5, 40 quarters at the default scale."""
    return [_run_frame(seed, failing_exit_share=0.25, credit_spells=1, **BURN_INS[request.param], **SHOCKS)
            for seed in (1, 2, 3, 4, 5)]


@pytest.mark.slow
def test_the_burnt_in_shock_economy_keeps_its_firms(shock_economy):
    # issue 10 item 2's firm criteria. Observed (seeds 1-5, 7 Dec 2026, at the default 1,000 people per
    # agent, since nobody moves in the burn-in): firm mass +1.18 to +1.91 % after ten years and the largest
    # quarter's exits 1.06-1.10 of the mean (ten years of burn-in); +1.56 to +1.94 % and 1.04-1.06 (thirty
    # years). With people moving in the burn-in (until 7 Dec 2026): -0.36 to +0.94 % and 1.05-1.11; +0.40
    # to +1.00 % and 1.04-1.05; at 2,000 -1.81 to +0.12 % and -2.07 to -0.16 % (5 Dec). Without burn-in the firm
    # mass falls 5-8 % in ten years (docs/validation.md, 'Persistent productivity shocks')
    for frame in shock_economy:
        exits = frame["exits"].iloc[1:]
        assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03
        assert exits.max() <= 2 * exits.mean()


@pytest.mark.slow
def test_the_burnt_in_start_is_near_the_zombie_steady_state(shock_economy):
    # observed at the default 750 people per agent since the shocks keep each city-sector's mean
    # (7 Dec 2026, fifty-second session, seeds 1-5): ten years of burn-in, 10.3-12.1 % at t = 0 against
    # 9.9-10.6 % in quarters 33-40 (seed by seed 0.33-1.42 pp apart; 0.08-1.57 pp before, seed 1 over the
    # band, a strict xfail); thirty years, 10.3-11.1 % against 9.6-10.7 % (0.23-0.64 pp). Since the innovations
    # are not rescaled (8 Dec 2026, fifty-third session): ten years 0.45-1.34 pp apart, thirty years 0.13-1.27 pp.
    # At 750 on 7 Dec 2026 (fifty-first session, since soft credit is
    # carried apart from the collateral line): thirty years of burn-in, 9.5-11.0 % at t = 0 against
    # 9.3-9.8 % in quarters 33-40 (seed by seed 0.13-1.19 pp apart; 0.47-1.88 pp before, seed 2 over the
    # band, a strict xfail); ten years 9.5-10.7 % against 8.7-9.7 % (0.08-1.57 pp).
    # observed (7 Dec 2026, at 1,000 people per agent, the default until that day, since nobody moves in the burn-in): ten years
    # of burn-in, 11.4-12.5 % at t = 0 against 11.0-11.4 % in quarters 33-40 (seed by seed 0.39-1.45 pp
    # apart); thirty years, 12.2-12.8 % against 11.0-11.5 % (0.75-1.39 pp): the share falls by about a
    # point after t = 0, about a third of it from moves (docs/validation-changes.md, "Since `2f4746b`"). With people moving in
    # the burn-in (until 7 Dec 2026): ten years 0.31-1.80 pp apart (seed 1 over the band: a strict xfail),
    # thirty years 0.07-0.47 pp. Without burn-in the share starts at the set-up's few zombies and needs
    # three years of the run's own accounts to appear
    for frame in shock_economy:
        late = frame["zombie_share"].iloc[33:41].mean()
        assert abs(frame["zombie_share"].iloc[0] - late) <= 0.015


@pytest.mark.slow
@pytest.mark.parametrize("shock_economy", [pytest.param(TEN_YEARS, marks=pytest.mark.xfail(strict=True, reason=(
    "issue 10 item 2: after ten years of burn-in unemployment moves 0.44-0.92 pp from t = 0 at the default 750 "
    "people per agent (seeds 1-5, 7 Dec 2026; seeds 2, 3 and 5 over the band); 0.50-0.93 pp at 1,000 (seeds 1-5, "
    "7 Dec 2026, since nobody moves in the burn-in; quarters 33-40 +0.13 to +0.79 pp; band 0.5 pp; 0.61-0.87 "
    "pp with people moving in it). Earlier, 0.40-1.11 pp (5 Dec 2026), the maximum the drift's (quarters 33-40 +0.21 to +0.78 pp): "
    "ten years do not reach the steady state. Finer cohorts (max_cohort_share 0.05) and agents (500 "
    "people each) halved the quarter-to-quarter noise but left the move at 0.63 +- 0.05 pp (error "
    "diffusion, 4 Dec 2026; docs/validation.md, 'What the noise is made of'). With substitution between "
    "the skill classes (the default since 5 Dec 2026): 0.62-0.83 pp at 2,000 people per agent, 0.36-0.94 pp "
    "at the default 1,000 (quarters 33-40 +0.19 to +0.59 pp); 0.40-0.71 pp at 750 since soft credit is carried "
    "apart from the collateral line (7 Dec 2026, fifty-first session); 0.39-0.53 pp since the shocks keep each "
    "city-sector's mean (7 Dec 2026, fifty-second session; seeds 1, 3 and 4 over the band, at 0.52-0.53); 0.30-0.63 pp "
    "since the innovations are not rescaled (8 Dec 2026, fifty-third session; seeds 3 and 4 over the band, at 0.55 and 0.63); "
    "0.41-0.85 pp since farming is a two-way occupational choice (8 Dec 2026, fifty-fourth session; seeds 3, 4 "
    "and 5 over the band, at 0.70, 0.85 and 0.51)"))),
    pytest.param(THIRTY_YEARS, marks=pytest.mark.xfail(strict=True, reason=(
        "issue 10 item 2: after thirty years of burn-in with cohorts of 5 % unemployment moves 0.29-0.53 pp "
        "since farming is a two-way occupational choice (8 Dec 2026, fifty-fourth session; seeds 1-5 at the "
        "default 750 people per agent; seed 1 over the band at 0.529), against 0.18-0.39 pp with farming a "
        "one-way exit and 0.26-0.48 pp with immobile farmers (farmer_mobility 0, the same runs): the shock "
        "economy's move with migration, at the band's edge, which the one-way exit had held lower (why was not "
        "measured); the calibrated shock economy (demand_dispersion 0.72) moves 0.23-0.39 pp")))],
    indirect=True)
def test_the_burnt_in_shock_economy_keeps_unemployment_within_half_a_point(shock_economy):
    # observed after thirty years of burn-in with cohorts of 5 % since the shocks keep each city-sector's
    # mean (7 Dec 2026, fifty-second session, seeds 1-5, at 750): 0.18-0.44 pp; 0.18-0.39 pp since the innovations
    # are not rescaled (8 Dec 2026, fifty-third session). On 7 Dec 2026 (fifty-first
    # session, since soft credit is carried apart from the collateral line) 0.26-0.59 pp, seed 1 over the
    # band at 0.593 (a strict xfail)
    # Earlier the same day, before the debt rule changed: 0.25-0.45 pp at the default 750 people per
    # agent (seeds 1-5), quarters 33-40 -0.03 to +0.33 pp; at 1,000 people per agent
    # (seeds 1-5, 7 Dec 2026, since nobody moves in the burn-in): 0.27-0.48 pp, quarters 33-40 -0.01 to
    # +0.20 pp; with people moving in it (6 Dec 2026, since a failing cohort gets no new credit):
    # 0.27-0.50 pp (seed 4 at 0.497), quarters 33-40 +0.19 to +0.30 pp. Until then 0.28-0.55 pp, seeds 1 and 3 over the band
    # (a strict xfail): the shocks' noise around a level that holds, at the band's edge; 0.25-0.65 pp
    # at 2,000 people per agent, 0.39-0.56 under error diffusion
    for frame in shock_economy:
        rate = frame["unemployment_rate"]
        assert (rate - rate.iloc[0]).abs().max() <= 0.005


@pytest.mark.slow
@pytest.mark.parametrize("shock_economy", [TEN_YEARS, THIRTY_YEARS], indirect=True)
def test_the_burnt_in_shock_economy_keeps_similarity_within_001(shock_economy):
    # observed since farming is a two-way occupational choice (8 Dec 2026, fifty-fourth session; seeds 1-5, the
    # default 750 people per agent): manufacturing similarity moves 0.0039-0.0072 after ten years of burn-in
    # and 0.0036-0.0095 after thirty (the Krugman index 0.0065-0.0116 and 0.0055-0.0088). Both were strict
    # xfails until then: 0.0051-0.0101 (seed 5 over the band) and 0.0041-0.0110 (seed 1) on 8 Dec 2026, earlier
    # 0.0089-0.0163 and 0.0069-0.0117 (7 Dec 2026), with the cohorts' common shocks (before the shocks kept
    # each city-sector's mean) and the one-way exit from farming moving the structures
    for frame in shock_economy:
        similarity = frame["similarity_manufacturing"]
        assert (similarity - similarity.iloc[0]).abs().max() <= 0.01


def _late_zombie_share(seed: int, **values) -> float:
    """Quarters 33-40's zombie share in the thirty-year shock economy with ``values``."""
    frame = _run_frame(seed, failing_exit_share=0.25, credit_spells=1, **BURN_INS[THIRTY_YEARS], **SHOCKS, **values)
    return float(frame["zombie_share"].iloc[33:41].mean())


@pytest.mark.slow
def test_at_the_steady_state_the_barrier_raises_the_zombie_share():
    # observed at the default 750 people per agent (seeds 1-5, scripts/productivity_shocks.py --levers):
    # +2.50 +- 0.24 pp since the shocks keep each city-sector's mean (7 Dec 2026), +2.40 +- 0.16 pp before;
    # earlier (7 Dec 2026, since nobody moves in the burn-in): +1.72 +- 0.09 pp at the default 1,000
    # people per agent (seeds 1-5); with people moving in it (5 Dec 2026) +1.63 +- 0.14 pp; at 2,000
    # +1.05 +- 0.19 pp, and +1.46 +- 0.22 after ten years with cohorts of 20 %.
    # Under error diffusion (staff_rounding 0) it is +0.37 +- 0.24 pp, not significant: a cohort of 5 % holds
    # about five worker agents at 2,000 people per agent, where diffusion's rounding churns most (measured,
    # not tested: docs/validation.md, 'Since d5f1002' and 'Staff rounded at each firm's own point')
    diff = np.array([_late_zombie_share(seed, barrier=1.0) - _late_zombie_share(seed, barrier=0.0)
                     for seed in (1, 2, 3, 4, 5)])
    assert diff.mean() > 3 * diff.std(ddof=1) / np.sqrt(diff.size)


#: the shock economy calibrated as the default engine is: thirty years of burn-in with cohorts of 5 %, and
#: demand_dispersion refitted so that manufacturing utilisation at the burnt-in t = 0 is NBS 2020's 74.9 %
#: (the default engine's 1.34 gives 67.6 % here; 0.72 gives 74.85 %, seeds 1-5). The zombie share was not
#: a target (docs/validation.md, 'Persistent productivity shocks')
CALIBRATED = {**SHOCKS, **BURN_INS[THIRTY_YEARS], "failing_exit_share": 0.25, "credit_spells": 1,
              "demand_dispersion": 0.72}


@pytest.fixture(scope="module")
def calibrated_shock_economy():
    return [_run_frame(seed, **CALIBRATED) for seed in (1, 2, 3, 4, 5)]


@pytest.mark.slow
def test_the_calibrated_shock_economy_is_stationary_with_zombies_in_the_published_range(calibrated_shock_economy):
    # issue 10 item 2's bands and issue 11 item 4's level (published 3-8 %; national 7.5 % in 2005-13, the
    # YRD low). Observed since the innovations are not rescaled (8 Dec 2026, fifty-third session, at the
    # default 750 people per agent, seeds 1-5): zombie share 4.41-5.17 % at t = 0 and 4.50-5.11 % in quarters
    # 33-40; unemployment moves 0.10-0.30 pp, similarity 0.0049-0.0069, the firm mass +1.15 to +1.53 %. With
    # them rescaled to a unit variance (7 Dec 2026): utilisation at t = 0 74.76-75.00 %; zombie share
    # 4.40-5.29 % at t = 0 and 4.54-5.03 % in quarters 33-40; unemployment moves 0.18-0.25 pp, similarity
    # 0.0056-0.0081, the firm mass +1.1 to +1.6 %. Before the shocks kept each city-sector's mean (drawn independently)
    # unemployment moved 0.34-0.63 pp and similarity 0.0107-0.0164 with ten years of burn-in
    for frame in calibrated_shock_economy:
        assert frame["capacity_utilization"].iloc[0] == pytest.approx(0.749, abs=0.005)
        for share in (frame["zombie_share"].iloc[0], frame["zombie_share"].iloc[33:41].mean()):
            assert 0.03 <= share <= 0.08
        rate, similarity, exits = frame["unemployment_rate"], frame["similarity_manufacturing"], frame["exits"].iloc[1:]
        assert (rate - rate.iloc[0]).abs().max() <= 0.005
        assert (similarity - similarity.iloc[0]).abs().max() <= 0.01
        assert abs(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1) <= 0.03
        assert exits.max() <= 2 * exits.mean()
