"""Random parameter sets keep every invariant: every value inside a declared bound is one the model handles.

Hypothesis draws every numeric lever and uncertainty of :data:`ydabm.params.PARAMS` within its declared
[low, high], a YRD scenario (with fresh policy objects), a start year that makes the scenarios' later
policies fire within the run, and a seed; the model runs ``QUARTERS`` quarters at the quick scale, and
after set-up and every step the invariants of ``tests/invariants.py`` must hold (people, goods and
money accounting, production feasibility, finite metrics within their ranges, a bounded firm table).
An example that takes longer than ``TIME_LIMIT`` seconds fails too (a hang is a failure, not a wait).

``MINIMAL_EXAMPLES`` pins the smallest failing examples found so far (every other parameter at its
default, baseline scenario), so each finding reproduces deterministically in under a second (or at
the time limit, for a hang).
"""

from __future__ import annotations

import math
import signal
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from ydabm import YRDModel
from ydabm.errors import Diverged
from ydabm.params import BY_NAME, PARAMS, QUICK_SCALE, ParameterError, validate
from ydabm.geography.world import build_geography
from ydabm.policies import CityLockdown, CovidShock, declared_fields
from ydabm.scenarios import list_scenarios

from invariants import Start, assert_invariants, assert_memory, assert_money

QUARTERS = 8
#: the scenarios' policies start in 2021 (covid_shock in 2022 Q1): over QUARTERS quarters from a start
#: year in 2020-2022 they act from the run's fourth quarter (start 2020) or first (2021, 2022); covid_shock
#: hits in the last quarter (start 2020), mid-run (2021) or is already under way at set-up (2022)
START_YEARS = (2020, 2021, 2022)
#: relative tolerance of the accounting identities under random parameters
REL = 1e-9
#: CPU-time limit of one example (set-up and all quarters); a normal example takes well under 1 s
TIME_LIMIT = 5.0

#: every float or int parameter a user may vary: levers and uncertainties (scale and world stay fixed)
DRAWN = tuple(p for p in PARAMS if p.kind in ("lever", "uncertainty") and p.type in (float, int))
SCENARIOS = {s.name: s for s in list_scenarios() if s.params()["world"] == "yrd"}
#: the YRD's cities, in the model's order
YRD_CITIES = list(build_geography("yrd").names)


def _strategy(param):
    """Any value within the declared bounds, both ends included (Hypothesis favours the ends, tiny
    and subnormal numbers, which is where unhandled values hide)."""
    if param.type is int:
        return st.integers(min_value=int(param.low), max_value=int(param.high))
    return st.floats(min_value=param.low, max_value=param.high, allow_nan=False, allow_infinity=False)


PARAMETER_SETS = st.fixed_dictionaries({p.name: _strategy(p) for p in DRAWN})


class ExampleTooSlow(Exception):
    """An example ran past TIME_LIMIT (a hang or a pathological slowdown)."""


@contextmanager
def _time_limit(seconds: float):
    """Raise ExampleTooSlow in the block after ``seconds`` of the process's CPU time (SIGPROF, main thread).

    CPU time, not wall-clock time: on a loaded machine an example waits for a core without running any
    longer, and only a runaway example (a parameter set the model does not handle) uses the time up. The
    profiling timer is separate from the wall-clock timer pytest-timeout's signal method uses."""
    def expire(signum, frame):
        raise ExampleTooSlow(f"example used more than {seconds:g} s of CPU time")

    handler = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, handler)


def _is_known_migration_bound(err: ParameterError) -> bool:
    """The known open point: net migration at t = 0 (migrant_inflow_rate) that the workers who
    reconsider (reconsider_rate) cannot deliver is refused at set-up, with both fields named."""
    return "migrant_inflow_rate" in str(err) and "reconsider_rate" in str(err)


def _is_capacity_bound(err: ParameterError) -> bool:
    """The joint bound of investment_speed and exit_rate: a 2020 steady state with capacity below
    ``model.LEAST_CAPACITY_LAG`` of its goal is refused at set-up, with both fields named
    (``tests/test_markets.py`` checks the refusal and the values just inside it)."""
    return str(err).startswith("investment_speed, exit_rate:")


def _is_rd_feedback_bound(err: ParameterError) -> bool:
    """The joint bound of knowledge_spillover, rd_elasticity and knowledge_decay_hours: a set-up whose R&D
    has no stable 2020 level (the loop through the knowledge pools has a gain of 1 or more there, or no
    efficiencies reach the 2020 intensities) is refused, with the fields named (``tests/test_innovation.py``
    checks the gain against the dynamics)."""
    return str(err).startswith("knowledge_spillover, rd_elasticity, knowledge_decay_hours:")


def _is_rd_feedback_stop(err: Exception) -> bool:
    """The same bound met during a run: a policy (opening knowledge flows, rail links, R&D funding) takes
    the loop's gain to 1 or more and the run stops with :class:`ydabm.errors.Diverged`, naming the fields
    (``tests/test_innovation.py`` checks the stop)."""
    return isinstance(err, Diverged) and str(err).startswith("R&D lost its stable level")


def run_and_check(drawn: dict[str, Any], scenario: str, start_year: int, seed: int, quarters: int = QUARTERS,
                  scale: dict[str, Any] | None = None, time_limit: float = TIME_LIMIT) -> None:
    """Build the model for ``drawn`` (over the defaults and the scenario's own overrides) at ``scale``
    (default the quick scale), run it and check every invariant after set-up and after every quarter."""
    spec = SCENARIOS[scenario]
    # the scenario's own overrides (barrier = 1 for the liberalisation scenarios) define it: they win
    extra = {k: v for k, v in drawn.items() if k not in spec.overrides}
    params = spec.params({**extra, **(QUICK_SCALE if scale is None else scale), "world": "yrd",
                          "start_year": start_year})
    step = 0
    with _time_limit(time_limit):
        try:
            model = YRDModel(rng=seed, policies=tuple(spec.policies()), **params)
        except ParameterError as err:
            if _is_known_migration_bound(err) and currently_in_test_context():
                event("rejected: migrant_inflow_rate too large for reconsider_rate (known open point)")
                assume(False)
            if _is_capacity_bound(err) and currently_in_test_context():
                event("rejected: investment_speed and exit_rate leave the 2020 steady state without capacity")
                assume(False)
            if _is_rd_feedback_bound(err) and currently_in_test_context():
                event("rejected: R&D and knowledge spillovers have no stable 2020 level")
                assume(False)
            raise
        try:
            start = Start.of(model)
            assert_invariants(model, start, rel=REL)
            for step in range(1, quarters + 1):
                model.step()
                assert_invariants(model, start, rel=REL)
        except Exception as err:
            if _is_rd_feedback_stop(err) and currently_in_test_context():
                event("stopped: a policy took R&D past its stable level")
                assume(False)
            err.add_note(f"at quarter {step} of {quarters} ({model.year} Q{model.quarter + 1}; 0 = set-up), "
                         f"scenario {scenario}, start_year {start_year}, seed {seed}, drawn {drawn!r}"
                         + ("" if scale is None else f", scale {scale!r}"))
            raise


def test_drawn_parameters_cover_every_numeric_lever_and_uncertainty():
    assert {"barrier", "specialization", "migrant_inflow_rate", "reconsider_rate", "separation_rate",
            "exit_after", "targets_per_city", "governments_act"} <= {p.name for p in DRAWN}
    assert not {"people_per_agent", "workers_per_firm", "start_year"} & {p.name for p in DRAWN}
    assert {"baseline", "covid_shock", "integration", "joint_liberalisation"} <= set(SCENARIOS)


@pytest.mark.slow
@settings(max_examples=40, derandomize=True, database=None, deadline=None, print_blob=True,
          report_multiple_bugs=False, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=PARAMETER_SETS, scenario=st.sampled_from(sorted(SCENARIOS)), start_year=st.sampled_from(START_YEARS),
       seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_parameter_sets_keep_every_invariant(drawn, scenario, start_year, seed):
    run_and_check(drawn, scenario, start_year, seed)


#: the scale parameters, each over its declared range (people_per_agent from 2,000, where a run of 8
#: quarters takes a few seconds, log-uniform up to its bound)
SCALES = st.fixed_dictionaries({
    "people_per_agent": st.floats(min_value=math.log(2000.0), max_value=math.log(BY_NAME["people_per_agent"].high))
    .map(lambda x: min(math.exp(x), BY_NAME["people_per_agent"].high)),
    **{name: _strategy(BY_NAME[name]) for name in ("workers_per_firm", "max_cohort_share", "staff_rounding",
                                                   "input_output")},
})


@pytest.mark.slow
@settings(max_examples=25, derandomize=True, database=None, deadline=None, print_blob=True,
          report_multiple_bugs=False, suppress_health_check=[HealthCheck.too_slow])
@given(scale=SCALES, drawn=st.one_of(st.just({}), PARAMETER_SETS), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_scales_keep_every_invariant(scale, drawn, seed):
    # a search of 1,600 such draws (6 Dec 2026) found the people_per_agent bound (the set-up's floor of
    # ten worker agents per city beyond 75,000), NaN prices from a subnormal basket, and the invariants'
    # bounds for split cohorts and the core (docs/validation.md, "Random parameter sets: a longer search")
    run_and_check(drawn, "baseline", 2020, seed, scale=scale, time_limit=30.0)


#: smallest failing examples found by the property test and by uniform draws, reduced parameter by
#: parameter to the defaults (baseline scenario, start 2020); see the report of issue item 8
MINIMAL_EXAMPLES = [
    pytest.param({"separation_rate": 1e-300}, 1, id="tiny-separation-rate-hangs"),
    pytest.param({"separation_rate": 1e-19}, 1, id="small-separation-rate-index-error"),
    pytest.param({"reconsider_rate": 1e-300, "migrant_inflow_rate": 0.0}, 1, id="tiny-reconsider-rate-hangs"),
    pytest.param({"capacity_subsidy": 0.9, "demand_dispersion": 2.0, "depreciation": 0.02, "interest_rate": 0.0125}, 1,
                 id="extreme-subsidised-capacity"),
    pytest.param({"matching_efficiency": 0.07, "productivity_dispersion": 0.7, "entry_pool": 0.6}, 1,
                 id="entry-saturates-firm-count"),
    pytest.param({"matching_efficiency": 0.01, "depreciation": 0.02, "entry_response": 0.0}, 1,
                 id="zero-entry-response-nan-intensity"),
    pytest.param({"targets_per_city": 4, "capacity_subsidy": 0.6807004317723471,
                  "public_spending_adjustment": 0.6443448982184629,
                  "move_cost_per_hour": 3.9471834682560187, "matching_efficiency": 4.215743783720216,
                  "wage_adjustment": 0.7216902149017311, "natural_unemployment": 0.17783990228998964,
                  "unemployment_benefit": 0.6191334373057777, "firm_count_elasticity": 0.8024300372982115,
                  "productivity_dispersion": 0.6947255877613144,
                  "investment_speed": 0.8763413823656725, "demand_expectation": 0.0701962457103682,
                  "exit_after": 21, "income_tax": 0.48311661565955727,
                  "tfp_growth_scale": 1.3205434044231046},
                 944527524, id="negative-city-spending"),
    pytest.param({"migration_elasticity": 100.0, "reconsider_rate": 1.0, "move_cost_per_hour": 5.0,
                  "migrant_inflow_rate": 0.004}, 1, id="amenity-inversion-fails"),
    # found by the property test on the chains branch (issue 12's parameters and scenarios changed its
    # draws); the same at 42a1c2f, before any supply-chain code, and with input_output = 0
    pytest.param({"barrier": 0.0, "specialization": 0.0, "targets_per_city": 1, "target_sharpness": 0.0,
                  "entry_subsidy": 0.5, "capacity_subsidy": 0.0, "debt_limit": 0.0, "soft_budget": 0.0,
                  "local_protection": 0.0, "public_spending_adjustment": 0.0,
                  "border_effect_scale": 0.0, "migration_elasticity": 1.0, "reconsider_rate": 0.0, "move_cost": 0.0,
                  "move_cost_per_hour": 0.0, "migrant_inflow_rate": 0.0, "hukou_penalty": 0.0,
                  "housing_share": 0.0, "housing_elasticity": 0.0, "matching_efficiency": 0.01,
                  "separation_rate": 0.0, "wage_adjustment": 0.0, "natural_unemployment": 0.0,
                  "skill_premium": 1.0, "farm_productivity": 1.0, "unemployment_benefit": 0.0,
                  "firm_count_elasticity": 1.0, "productivity_dispersion": 0.0, "demand_dispersion": 0.0,
                  "depreciation": 0.0, "investment_speed": 0.0, "demand_expectation": 1.0,
                  "interest_rate": 0.0025, "exit_rate": 0.0625, "entry_pool": 1.0, "entry_response": 100.0,
                  "exit_after": 4, "profit_tax": 0.0, "income_tax": 0.0, "tfp_growth_scale": 2.0}, 2,
                 # an entry pool of one potential entrant per firm a quarter, entry_response 100 and no
                 # hiring: entry outruns exit; the firm agents once tripled within eight quarters, now
                 # entrants join cohorts (one new cohort per city-sector a year at most)
                 id="entry-pool-of-every-firm-bounded-firm-table"),
    # found by the property test on an experimental branch of persistent productivity (not merged; its
    # two new parameters changed the draws), and the same on main (issue 10 item 8): at t = 0 spending exceeds the
    # value of the firms' production room at their markup prices (by 0.1-42 % by sector with these
    # parameters; in one sector every selling cohort's staff covers its capacity). With demand_dispersion
    # > 0 such a cohort never raised its price (its expected sales k G(x) < k for every load x, so its
    # largest load was inf); the sector's revenue was capped at its capacity at markup prices, the
    # market had no fixed point, the virtual prices climbed until p^(1 - sigma) underflowed and the
    # trade flows were NaN. Now a cohort reaches its capacity to the clearing tolerance and prices up
    pytest.param({"natural_unemployment": 0.09477119163821654, "skill_premium": 2.736781998755754,
                  "farm_productivity": 0.05846217614138219, "demand_dispersion": 1e-3}, 0,
                 id="small-demand-dispersion-excess-demand-over-capacity"),
    # found in CI once farmers could migrate (farmer_mobility, issue 10 item 2): with no dependants in
    # some cities (working-age shares 1 and 0), everyone reconsidering each quarter and no moving costs,
    # every resident of a small city can leave in one quarter. The Zipf exponent took the log of a
    # zero population, and the empty city's housing cost (population / 2020 population)^elasticity
    # was 0, so its real income was infinite and the logit choice undefined; now Zipf ranks the
    # inhabited cities and a mover meets the housing cost of the home it occupies
    pytest.param({"reconsider_rate": 1.0, "move_cost": 0.0, "move_cost_per_hour": 0.0,
                  "migrant_inflow_rate": 0.0, "hukou_penalty": 0.0, "migration_elasticity": 6.0,
                  "working_age_share": 1.0, "migrant_working_age_share": 0.0}, 0,
                 id="city-emptied-by-migration"),
    # found by the property test once firm productivity could take persistent shocks
    # (productivity_persistence, 4 Dec 2026), reduced greedily: with supply chains (input_output 1), large
    # quarterly shocks (sd 0.54 x sqrt(1 - 0.30^(1/2)) = 0.36) and no demand dispersion, the linked goods
    # market's Newton steps cycled between changes of log access of 0.70 and 1.44; every other step halved
    # the one before, so the stall rule (two steps in a row that do not halve the last change) never
    # fired and the market ran 10,000 rounds without clearing (residual 1.4-3.1, 11 s a quarter). Now
    # progress is measured against the smallest change so far, and Anderson mixing clears it
    pytest.param({"separation_rate": 0.0, "firm_count_elasticity": 0.5696599878516643,
                  "supplier_adjustment": 38.571241177157894, "productivity_dispersion": 0.5393487975652324,
                  "depreciation": 0.0, "unemployment_benefit": 0.0, "inventory_weeks": 50.0,
                  "move_cost_per_hour": 0.0, "working_age_share": 0.9222746128450264,
                  "entry_pool": 0.9999999999999999, "rd_elasticity": 0.3333333333333333,
                  "migrant_working_age_share": 0.0, "rd_depreciation": 0.3333333333333333,
                  "border_effect_scale": 0.0, "demand_dispersion": 0.0,
                  "productivity_persistence": 0.2956399421858121, "demand_expectation": 0.0,
                  "entry_response": 132.550797239429, "barrier": 0.0, "inventory_restock": 0.05,
                  "exit_after": 1, "target_sharpness": 0.0, "input_output": 1}, 0,
                 id="linked-market-newton-two-cycle"),
    # found by the property test run longer and with other draws (6 Dec 2026), reduced greedily. With supply
    # chains, iid productivity shocks of sd 0.875 and exit after one quarter of losses, 90 % of the firm mass
    # closes in the first quarter, unemployment reaches 96 % and every firm is gone by quarter 7. Money
    # leaked on the way: a buyer (a city's flexible buyers) reaching only sectors it spent nothing on lost
    # its whole spending in the goods market's rerouting (-0.24 % of all money, before the collapse, in the
    # first draw), and once no firm could sell at all every buyer's spending vanished (-349 %); the CPI,
    # with no price observed, and the input-sourcing shares, with no input bought, were NaN. Now such a
    # buyer buys what the region buys, what no one can spend stays with the city's households, and a city
    # that can buy nothing keeps last quarter's prices; an economy that has died has zero output
    pytest.param({"reconsider_rate": 1.0, "hukou_penalty": 0.0, "unemployment_benefit": 0.0,
                  "productivity_dispersion": 0.875, "productivity_persistence": 0.0, "exit_rate": 0.0,
                  "exit_after": 1, "input_output": 1}, 0,
                 id="economy-dies-money-kept"),
    # (the same search): entrants reusing all the stranded capital of their city-sector's leavers
    # (capital_recovery 1) took the stranded capital 7.6e-14 below 0, the rounding of two sums of the same
    # capital; the stock is now held at 0 or above
    pytest.param({"separation_rate": 0.0, "wage_adjustment": 0.0, "skill_premium": 1.0, "farm_productivity": 1.0,
                  "firm_count_elasticity": 1.0, "productivity_dispersion": 0.0, "demand_dispersion": 0.0,
                  "depreciation": 0.0, "exit_rate": 0.0, "entry_pool": 1.0, "entry_response": 1.0, "exit_after": 1,
                  "capital_recovery": 1.0, "income_tax": 0.0, "rd_elasticity": 0.2, "innovation_discount": 0.0625,
                  "knowledge_spillover": 0.0, "governments_act": 0}, 0,
                 id="stranded-capital-rounding"),
    # (the same search): R&D over GDP 2.66 in a quarter when firms' negative value added (inputs bought
    # for output they could not sell) nearly cancelled the positive: R&D is a share of value added where
    # it is positive, so the invariant is R&D <= the positive value added, not R&D <= GDP
    pytest.param({"rd_subsidy": 0.75, "border_effect_scale": 0.0, "reconsider_rate": 1.0, "move_cost": 3.0,
                  "migrant_inflow_rate": 0.1875, "hukou_penalty": 0.0, "housing_elasticity": 0.0,
                  "natural_unemployment": 0.0, "skill_substitution": 0.0, "skill_premium": 1.0,
                  "farm_productivity": 0.125, "working_age_share": 0.59375, "migrant_working_age_share": 0.5625,
                  "firm_count_elasticity": 1.0, "productivity_dispersion": 0.75, "productivity_persistence": 0.0,
                  "demand_dispersion": 0.0, "interest_rate": 0.0078125, "depreciation": 0.0,
                  "demand_expectation": 0.0, "exit_rate": 0.0, "exit_after": 1, "tfp_growth_scale": 0.0,
                  "rd_elasticity": 0.75, "innovation_discount": 0.03125, "knowledge_spillover": 0.0,
                  "inventory_weeks": 0.0, "governments_act": 0, "input_output": 1}, 0,
                 id="rd-above-gdp-with-negative-value-added"),
]


@pytest.mark.parametrize(("drawn", "seed"), MINIMAL_EXAMPLES)
def test_minimal_examples_keep_every_invariant(drawn, seed):
    run_and_check(drawn, "baseline", 2020, seed)


def test_failing_cohorts_that_stay_keep_money_conserved():
    # found by a search at the default scale (6 Dec 2026, seed 108, anhui_hukou_reform), reduced greedily
    # to these values: failing cohorts never leave (failing_exit_share 0), iid productivity shocks of sd
    # 1, no investment, exit or entry response. One failing cohort's price swung over ten orders of
    # magnitude and its debt followed every rise of its collateral line to 2.4e26 yuan; its interest
    # and its owners' losses, 2.4e24 a quarter each, cancelled in its city's household income, whose
    # rounding moved the money stock by 8.5e-7 of itself by quarter 21 and 3.7e-4 in quarter 24. A
    # failing cohort now gets no new credit (tests/test_zombies.py); observed after: 3e-11 by quarter 32
    drawn = {"border_effect_scale": 0.0, "unemployment_benefit": 0.0, "reconsider_rate": 0.4520629244307136,
             "productivity_dispersion": 1.0, "productivity_persistence": 0.0, "move_cost": 0.0,
             "investment_speed": 0.0, "exit_rate": 0.0, "entry_response": 0.0, "farm_productivity": 0.2,
             "failing_exit_share": 0.0, "demand_expectation": 0.9999999999999999,
             "rd_elasticity": 0.27148134469112983, "governments_act": 0}
    run_and_check(drawn, "baseline", 2020, 0, quarters=24, scale={"people_per_agent": 1000.0}, time_limit=120.0)


def test_a_vanishing_cohort_beside_a_dominant_one_keeps_every_invariant():
    # found by a search at the default scale (8 Dec 2026, seed 5301, network_upgrade), reduced greedily to
    # these values: persistent productivity shocks (0.79) where failing cohorts mostly leave (0.95), so a
    # city-sector comes to hold one cohort with nearly all of its mass beside one that shrinks away. The
    # shocks' innovations were scaled by 1 / sqrt(1 - H) to a mass-weighted variance of 1 (7 Dec 2026):
    # 1 - H fell to 4.8e-8 by quarter 15, the small cohort's innovation reached 6,119 sd, its productivity
    # overflowed and the run stopped (Diverged). They now keep only each city-sector's mean at zero
    # (technology.pooled_innovations)
    drawn = {"failing_exit_share": 0.95, "hukou_penalty": 2.85, "productivity_persistence": 0.79,
             "reconsider_rate": 0.56, "capital_recovery": 0.25, "barrier": 0.0}
    run_and_check(drawn, "baseline", 2022, 0, quarters=20, scale={"people_per_agent": 750.0}, time_limit=120.0)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "issue 10 item 8: capital valued at a scarcity price. Found by a search with supply chains at the default scale "
    "(8 Dec 2026, fifty-fourth session, Hypothesis seed 5431: 3 of 80 draws), on bb7b92b as on main, and reduced "
    "greedily to these values (iid productivity shocks of log sd 0.76, no investment, no depreciation). A firm "
    "left with almost no room to produce (4.6e-4 units in quarter 13) sells at a clearing price 5e11 times its unit "
    "labour cost; its capital is valued at that price (YRDModel.capital_value: capital intensity x price x "
    "capacity), so its collateral line, leverage x capital, reaches 1.3e22 yuan, 4e8 times the region's quarterly "
    "value added. The interest on such debt moves up to 1.6e20 a quarter from the firms' owners to the banks' "
    "households; the two cancel in the cities' incomes but for float rounding (1.7e5 yuan by quarter 14, 2e-8 of "
    "the money stock), which the money check (1e-9 of the gross balances) sees in quarter 14. Capital valued at "
    "its replacement cost (the markup price) would not explode; it changes default runs wherever a firm sells at "
    "capacity, and is left for a session that re-measures them"))
def test_capital_at_a_scarcity_price_keeps_money_conserved():
    drawn = {"innovation_discount": 0.049666343578502796, "productivity_persistence": 0.0,
             "exit_rate": 0.006961027002732646, "productivity_dispersion": 0.7634731062963989,
             "unemployment_benefit": 0.0, "tfp_growth_scale": 0.0, "wage_adjustment": 0.0,
             "skill_substitution": 0.0, "reconsider_rate": 0.30106660751519293, "leverage": 0.8943117618427988,
             "knowledge_spillover": 0.0, "investment_speed": 0.0, "interest_rate": 0.012193812084722866,
             "entry_pool": 0.9999999999999999, "target_imitation": 0.0, "failing_exit_share": 0.0,
             "migrant_inflow_rate": 0.0, "move_cost_per_hour": 0.0, "entry_response": 106.17358978670633,
             "border_effect_scale": 0.0, "separation_rate": 0.0, "move_cost": 0.0, "entry_subsidy": 0.0,
             "specialization": 0.0, "depreciation": 0.0, "demand_expectation": 0.9959091886092022}
    run_and_check(drawn, "baseline", 2020, 0, quarters=24, scale={"people_per_agent": 750.0, "input_output": 1},
                  time_limit=300.0)


@pytest.mark.slow
def test_a_one_quarter_lockdown_of_almost_everyone_keeps_every_invariant():
    # one quarter (2021 Q1) in which 94 % of every city's labour force cannot work (CovidShock absent
    # 0.9375, inside its bounds) with supply chains, at the default scale (found by a search over the
    # policies' fields, seed 205). Output falls to 0.7 % and the market clears at scarcity prices (CPI
    # 228 times 2020's). Until 6 Dec 2026 those prices were the next quarter's input costs (input price
    # indices 66 times 2020's, markup prices 700 times, unemployment 92 % for years, nominal value added
    # negative in quarter 14). A lockdown's market is now forgotten when it ends
    # (YRDModel.expect_input_prices) and its losses do not lengthen loss streaks: unemployment is 19 %
    # the quarter after and 9 % in 2022 Q1; the recovery's four quarters of losses then close a
    # quarter of the cohorts in 2022 Q2, unemployment peaks at 35 % in 2022 Q3 and is 12 % in 2023 Q2
    run_lockdown(CovidShock(start_year=2021, absent=[0.9375]), 16, {"people_per_agent": 1000.0})


def run_lockdown(policy, quarters: int, scale: dict[str, Any], seed: int = 0) -> None:
    """The YRD with supply chains from 2020 under ``policy`` at ``scale`` (``{}``: the default scale),
    seed ``seed``: every invariant after every quarter."""
    params = validate({**scale, "world": "yrd", "input_output": 1, "start_year": 2020})
    model = YRDModel(rng=seed, policies=(policy,), **params)
    start = Start.of(model)
    for _ in range(quarters):
        model.step()
        assert_invariants(model, start, rel=REL)


#: lockdowns a search over CovidShock's and CityLockdown's fields with supply chains found (thirty-seventh
#: session, 6 Dec 2026: 300 draws of 32 quarters at the default scale, seeds 301-303; docs/validation-changes.md,
#: "Since `ec968c3`: input prices after a lockdown"), reduced and run at the quick scale, seed 0.
#: Every city with 66 % of the labour force absent, 70 % of household income unspent and freight 124 %
#: dearer (CityLockdown, 2020 Q2) turned nominal value added negative in its own quarter (GDP deflator
#: -0.73 at the quick scale, -1.31 at the default) while inputs drawn from stock were costed at the
#: quarter's order prices, freight included (8.5e12 yuan against 3.2e12 bought at the default scale);
#: since the thirty-eighth session they are costed at what they were bought for (book value)
def test_a_lockdown_with_dear_freight_and_shut_shops_keeps_value_added_positive():
    run_lockdown(CityLockdown(cities=YRD_CITIES, start_year=2020, start_quarter=2, absent=[0.66], demand_drop=[0.7],
                              freight_delay=[1.24]), 1, QUICK_SCALE)


#: every city with 10 % of its labour force absent and freight 150 % dearer for one quarter (2020 Q4),
#: found by scripts/lockdown_search.py (seed 302, draw 11) once inputs were costed at book value: consumer
#: prices reach 10.1 times 2020's in the lockdown's quarter. Until entrants expected the market before a
#: lockdown (6 Dec 2026, thirty-ninth session) they read the lockdown's: the quarter after it entrants of
#: 3 % of the firms' mass expected 11 times the sales all firms expected (356 times a usual quarter's
#: entrants' per enterprise), capacity stood idle, prices inflated to a GDP deflator of 39 and fell back, inputs stocked at the peak were charged at book value while prices fell, and nominal value
#: added turned negative in 2022 Q2 (GDP deflator -0.02; default scale, seed 0). Now the deflator peaks at
#: 4.3 in the lockdown's quarter and stays above 0.89 after it
def test_a_freight_spike_then_deflation_keeps_value_added_positive():
    run_lockdown(CityLockdown(cities=YRD_CITIES, start_year=2020, start_quarter=4, absent=[0.1], demand_drop=[0.0],
                              freight_delay=[1.5], recovery_quarters=6), 9, {})


#: two near-total quarters around an almost normal one (CovidShock from 2020 Q2, every city; found by
#: scripts/lockdown_search.py, seed 306, draw 43, rounded; default scale, seed 0). Until a lockdown's
#: market was forgotten when it eases towards its end (forty-first session, 6 Dec 2026) the quarter with
#: 0.4 % absent was priced and ordered at the input prices of the one with 96 % (168 times 2020's at the
#: draw's own seed), the inputs stocked then were charged at book value as prices fell back, and the GDP
#: deflator was -30.9 by quarter 5 (docs/validation-changes.md, "Since `7bf3a1c`")
def test_a_lockdown_that_eases_and_tightens_keeps_value_added_positive():
    run_lockdown(CovidShock(start_year=2020, start_quarter=2, absent=[0.96, 0.004, 0.98, 0.006],
                            demand_drop=[0.006, 0.03, 0.15, 0.99], recovery_quarters=7), 6, {})


#: a near-total lockdown of every city but Maanshan with freight six to seven times dearer, then an
#: almost normal quarter with freight still dear (scripts/lockdown_search.py, seed 304, draw 80, rounded;
#: quick scale, seed 0). In the first quarter the locked cities' buyers turned to the rest of China for
#: some inputs and bought none of them in the region; until the index they expect was taken at their
#: sourcing shares where they bought none (forty-second session, 7 Dec 2026) they then ordered and priced
#: at the market before the lockdown free of the second quarter's known freight delay, their inputs
#: cleared at about twenty times 2020's prices and value added was negative (GDP deflator -0.044 in
#: quarter 2; docs/validation-changes.md, "Since `4ba2bf4`")
def test_a_dear_freight_quarter_after_a_near_total_lockdown_keeps_value_added_positive():
    run_lockdown(CityLockdown(cities=[c for c in YRD_CITIES if c != "Maanshan"], start_year=2020, start_quarter=2,
                              absent=[0.98, 0.05], demand_drop=[0.99, 0.95], freight_delay=[7.3, 6.0],
                              recovery_quarters=4), 3, QUICK_SCALE)


#: two near-total quarters, a third with 77 % absent and nearly all income unspent in the first two
#: (CovidShock from 2021 Q1, every city; scripts/lockdown_search.py, seed 309, draw 127, rounded; quick
#: scale, seed 0). With owners carrying the locked firms' losses out of each quarter's income (relief 0,
#: the engine before 7 Dec 2026) households' income turned negative, firms bought services for output
#: that collapsed demand did not buy, and value added was negative in quarter 6 (GDP deflator -0.12; -0.56
#: at the draw's own seed and the default scale). With the banks lending the losses out of the savings
#: (relief 1, the default) every invariant held; with relief 0 it still broke while absences thinned
#: every enterprise's staff under its overhead (output about a millionth of 2020's at 99 % absent). Since
#: a lockdown closes a share of the enterprises instead (fiftieth session, 7 Dec 2026), both hold
@pytest.mark.parametrize("relief", [1.0, 0.0])
def test_a_near_total_lockdown_whose_losses_are_lent_keeps_value_added_positive(relief):
    run_lockdown(CovidShock(start_year=2021, start_quarter=1, absent=[0.99, 0.96, 0.77, 0.002],
                            demand_drop=[0.93, 0.98, 0.005, 0.39], recovery_quarters=3, relief=relief), 8, QUICK_SCALE)


def test_a_long_lockdown_of_almost_everyone_keeps_every_invariant():
    # three quarters with 96, 89 and 99 % of every city's labour force absent (CovidShock from 2020 Q2,
    # supply chains). Until a lockdown's losses stopped counting towards the loss streak (6 Dec 2026),
    # nearly every cohort failed the quarter after it (5,966 of 6,202 at the default scale) and closed
    # the next, and the survivors' prices inflated until the GDP deflator turned negative (quarter 6
    # at the quick scale, 11 at the default)
    run_lockdown(CovidShock(start_year=2020, start_quarter=2, absent=[0.96, 0.89, 0.99]), 16, QUICK_SCALE)


#: found at the default 750 people per agent (forty-ninth session, 7 Dec 2026: scripts/lockdown_search.py,
#: seed 306, draw 91, its fields rounded to three decimals, the draw's own seed). 99 % of every city's labour
#: force absent in 2021 Q2, 75 % in Q3, 1.7 % in Q4 with 99 % of income unspent. While absences thinned every
#: enterprise's staff under its overhead, one cohort of 8,181 produced in Q2: output fell to 0.1 (real GDP;
#: 249,800 the quarter before), the market cleared at scarcity prices (CPI 2.5 million times 2020's),
#: nominal GDP was 1.4e9 in Q3 against 2.5e5 and value added negative in Q4 (GDP deflator -183); two of the
#: search's 1,350 draws broke an invariant at 750 (this one, and seed 301's draw 13). With a lockdown closing
#: a share of the enterprises (fiftieth session) output in Q2 is about 1 % of 2020's and none of the 1,350
#: breaks one
def test_a_near_total_lockdown_then_unspent_income_keeps_value_added_positive():
    run_lockdown(CovidShock(start_year=2021, start_quarter=2, absent=[0.99, 0.753, 0.017], demand_drop=[0.323, 0.0, 0.989],
                            recovery_quarters=7), 7, {}, seed=2021802259)


def _numbers(spec, size: int):
    """A list of ``size`` numbers within a policy field's declared bounds (``below_high``: its high end
    excluded)."""
    return st.lists(st.floats(min_value=spec.low, max_value=spec.high, exclude_max=spec.below_high),
                    min_size=size, max_size=size)


@st.composite
def lockdowns(draw):
    """A ``CovidShock`` or a ``CityLockdown`` of one to four quarters starting in 2020 Q2-2021 Q4, each
    field within its declared bounds (:func:`ydabm.policies.declared_fields`); a ``CityLockdown`` locks
    any non-empty set of cities. ``scripts/lockdown_search.py`` draws the same policies uniformly at
    the default scale."""
    kind = draw(st.sampled_from([CovidShock, CityLockdown]))
    specs = {f.name: spec for f, spec in declared_fields(kind)}
    quarters = draw(st.integers(1, 4))
    start = draw(st.integers(1, 7))                                   # 2020 Q2 (1) to 2021 Q4 (7)
    fields = {"start_year": 2020 + start // 4, "start_quarter": start % 4 + 1,
              "recovery_quarters": draw(st.integers(int(specs["recovery_quarters"].low),
                                                    int(specs["recovery_quarters"].high)))}
    fields.update({name: draw(_numbers(specs[name], quarters)) for name in ("absent", "demand_drop", "freight_delay")
                   if name in specs})
    fields["relief"] = draw(st.floats(min_value=specs["relief"].low, max_value=specs["relief"].high))
    if kind is CityLockdown:
        fields["cities"] = sorted(draw(st.lists(st.sampled_from(YRD_CITIES), min_size=1, max_size=len(YRD_CITIES),
                                                unique=True)))
    return kind(**fields)


@pytest.mark.slow
@settings(max_examples=25, derandomize=True, database=None, deadline=None, print_blob=True,
          report_multiple_bugs=False, suppress_health_check=[HealthCheck.too_slow])
@given(policy=lockdowns(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_lockdowns_keep_every_invariant(policy, seed):
    # the policies' own fields, which the test above draws only as shipped scenarios, with supply
    # chains, over 16 quarters at the quick scale. A search of 150 such draws (Hypothesis seed 5001)
    # and of 1,050 uniform ones at the default scale (scripts/lockdown_search.py, seeds 301-307; 6 Dec
    # 2026) found two failures, both a CovidShock of two quarters with 95-98 % absent around a normal
    # one (docs/validation-changes.md, "Since `b328434`"); fixed since, and of 1,350 such draws (seeds 301-309)
    # 2 break one, lockdowns of most workers with most income unspent ("Since `4ba2bf4`")
    params = validate({**QUICK_SCALE, "world": "yrd", "input_output": 1, "start_year": 2020})
    with _time_limit(TIME_LIMIT * 4):
        model = YRDModel(rng=seed, policies=(policy,), **params)
        start = Start.of(model)
        for step in range(1, 17):
            model.step()
            assert_invariants(model, start, rel=REL)


#: corners the longer searches found (issue 10 item 8), each reduced from a draw of a search at the
#: default scale (docs/validation.md, "Random parameter sets: a longer search"): economies that
#: collapse, each once a strict expected failure, now run over CORNER_QUARTERS quarters at the quick
#: scale, seed 0, with every invariant checked after every quarter. The first two keep every invariant
#: since inputs are costed at what they were bought for, not at each quarter's prices (thirty-eighth
#: session, 6 Dec 2026; their reasons are kept in docs/validation-changes.md, "Since `6bb8036`: inputs at book
#: value"). The third, with free moves, 60 % of workers reconsidering their city every quarter and a
#: labour market that barely matches (matching_efficiency 0.01, its bound), moves about half the labour
#: force every quarter and almost no one is rehired: unemployment is 99.7 % by quarter 9. Until services
#: were ordered for the output the staff can make (fortieth session, 6 Dec 2026) they were ordered for the
#: planned output: once no firm had staff (quarter 28) the firms still bought services and nominal value
#: added turned negative; now no firm produces from quarter 35, buys nothing, and value added is 0
CORNER_QUARTERS = 40

CORNERS = [
    pytest.param({"productivity_persistence": 0.0, "productivity_dispersion": 1.0, "entry_response": 151.5,
                  "entry_pool": 0.5, "input_output": 1, "demand_expectation": 0.0, "investment_speed": 0.0,
                  "exit_rate": 0.0}, id="households-borrow-losses-at-inflating-prices"),
    pytest.param({"move_cost": 0.0, "migration_elasticity": 13.0, "border_effect_scale": 0.0,
                  "reconsider_rate": 0.9800582533712348, "inventory_weeks": 0.0, "wage_adjustment": 1.0,
                  "governments_act": 0, "input_output": 1}, id="everyone-moves-every-quarter"),
    pytest.param({"move_cost": 0.0, "reconsider_rate": 0.6006835721425147, "matching_efficiency": 0.01,
                  "input_output": 1}, id="movers-are-barely-rehired"),
]


@pytest.mark.parametrize("drawn", CORNERS)
def test_corners_keep_every_invariant(drawn):
    run_and_check(drawn, "baseline", 2020, 0, quarters=CORNER_QUARTERS)


def test_memory_bound_catches_a_cohort_opened_every_quarter():
    # the bound on live firm agents is the rules that add them: at most one cohort opened per
    # city-sector a year (entrants join a current cohort younger than COHORT quarters). A model that
    # forgets its current cohorts opens one every quarter where entry is large enough (exit_rate 1/16 at
    # 2,000 people per agent): observed (seed 1) 3,768 live agents after 3 quarters against a bound of
    # 3,224 + 492 = 3,716, while the model as it is loses agents (2,711 after 8 quarters)
    def run(forget: bool) -> None:
        model = YRDModel(rng=1, people_per_agent=2000, exit_rate=0.0625)
        start, opens = Start.of(model), model.open_firms
        if forget:
            def open_firms(*args, **kwargs):
                model.cohort[:] = -1
                return opens(*args, **kwargs)
            model.open_firms = open_firms
        for _ in range(8):
            model.step()
            assert_memory(model, start)
    run(forget=False)
    with pytest.raises(AssertionError, match="live firms"):
        run(forget=True)


def test_money_check_scales_with_borrowed_balances_and_still_catches_a_leak():
    # Where households or governments borrow, negative balances offset positive ones and the float sum
    # of the stock rounds at the gross balances' scale: the check is relative to them. Hand-made case
    # at quarter 1 of the baseline (stock M): city 0's households lend 1e6 M to city 1's spending (net
    # unchanged, gross about 2e6 M); a shift by 1e-12 of the gross still passes at REL = 1e-9, while a
    # leak of 1e-6 M on a stock kept non-negative (gross = net) fails, as does a leak of 1e-3 of the
    # gross beside the loan
    model = YRDModel(rng=1, **QUICK_SCALE)
    start = Start.of(model)
    model.step()
    assert_money(model, start, REL)
    stock = model.money()
    model.savings[0] -= 1e6 * stock
    model.spending[1] += 1e6 * stock
    assert_money(model, start, REL)
    model.spending[1] += 1e-12 * 2e6 * stock
    assert_money(model, start, REL)
    model.spending[1] += 1e-3 * 2e6 * stock
    with pytest.raises(AssertionError, match="money"):
        assert_money(model, start, REL)
    fresh = YRDModel(rng=1, **QUICK_SCALE)
    start = Start.of(fresh)
    fresh.step()
    fresh.spending[0] += 1e-6 * fresh.money()
    with pytest.raises(AssertionError, match="money"):
        assert_money(fresh, start, REL)
