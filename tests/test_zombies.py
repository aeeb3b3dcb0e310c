"""Firm debt, interest, soft credit and zombie firms (:mod:`ydabm.mechanisms.credit`): hand-computed
cases, debt through shrink and merge, money conservation with soft credit, and the zombie share
against soft-credit generosity and the barrier over seeds."""

import numpy as np
import pytest

from ydabm.agents.firms import Firms
from ydabm.mechanisms import accounts, credit, idiosyncratic
from ydabm.model import YRDModel
from ydabm.params import ParameterError


def test_coverage_and_zombie_classification_by_hand():
    # operating profits 5, 20, -1, 5 against interest 10, 10, 0, 10: coverage 0.5, 2, (no debt, a loss), 0.5
    weak = credit.weak_coverage(np.array([5.0, 20.0, -1.0, 5.0]), np.array([10.0, 10.0, 0.0, 10.0]))
    assert weak.tolist() == [True, False, True, True]
    alive = np.array([True, True, True, False])
    streak = credit.coverage_streaks(alive, weak, np.array([11, 30, 3, 11]))
    assert streak.tolist() == [12, 0, 4, 0]
    # supported: firm 0 lives on support; at 12 quarters it is a zombie, at 11 not yet
    assert credit.zombies(alive, streak, np.array([True, True, True, True])).tolist() == [True, False, False, False]
    assert not credit.zombies(alive, np.array([11, 0, 4, 0]), np.ones(4, bool)).any()
    # the same firm without support is not a zombie (it is failing, not kept alive)
    assert not credit.zombies(alive, streak, np.zeros(4, bool)).any()


def test_quarterly_ar1_from_the_yearly_estimates_by_hand():
    # rho_a = 0.81: rho_q = 0.81^(1/4) = 0.948683 (rho_q^2 = 0.9); sd_q = 0.1 sqrt((1 - 0.9) / (1 - 0.6561))
    # = 0.1 x 0.539242; both have the stationary sd 0.1 / sqrt(0.3439) = 0.170523
    rho, sd = idiosyncratic.quarterly(0.81, 0.1)
    assert rho == pytest.approx(0.948683, abs=1e-6) and sd == pytest.approx(0.0539242, abs=1e-7)
    assert idiosyncratic.stationary_sd(rho, sd) == pytest.approx(0.170523, abs=1e-6)
    assert idiosyncratic.stationary_sd(0.81, 0.1) == pytest.approx(0.170523, abs=1e-6)
    assert idiosyncratic.quarterly(0.0, 0.2) == (0.0, pytest.approx(0.2))     # independent years
    with pytest.raises(ValueError, match="productivity_persistence"):
        idiosyncratic.quarterly(1.0, 0.1)


def test_ar1_step_by_hand():
    # u' = 0.9 u + 0.05 e: 0.18 + 0.05, -0.09 - 0.10, 0 + 0.025
    u = idiosyncratic.step(np.array([0.2, -0.1, 0.0]), 0.9, 0.05, np.array([1.0, -2.0, 0.5]))
    assert u == pytest.approx([0.23, -0.19, 0.025])
    # stationary draws: sd 0.05 / sqrt(1 - 0.81) = 0.114708 per standard normal
    assert idiosyncratic.stationary_draw(0.9, 0.05, np.array([1.0])) == pytest.approx([0.114708], abs=1e-6)


def test_burn_in_fails_persistent_losers_by_hand():
    # two firms of one cell, sigma 2, u = -1 and 0, rho 0.5 without innovations, break-even at 0.9 of
    # the cell mean, failure after 2 losses. Quarter 1: u = -0.5, 0; revenues e^-0.5 = 0.6065 and 1, mean
    # 0.8033: firm 0 at 0.755 of it loses. Quarter 2: u = -0.25; 0.7788 against mean 0.8894 (0.876): its
    # second loss, it fails and an entrant (draw 0.3, u = 0) takes its place
    args = (np.zeros(2), np.array([-1.0, 0.0]), np.zeros(2, int), np.array([2]), np.full(2, 0.9), np.full(2, 2.0),
            0.5, 0.0, 2)
    draw, u, streak = idiosyncratic.burn_in(*args, 1, np.random.default_rng(0), lambda mask: np.full(mask.sum(), 0.3))
    assert u == pytest.approx([-0.5, 0.0]) and streak.tolist() == [1, 0] and draw.tolist() == [0.0, 0.0]
    draw, u, streak = idiosyncratic.burn_in(*args, 2, np.random.default_rng(0), lambda mask: np.full(mask.sum(), 0.3))
    assert u == pytest.approx([0.0, 0.0]) and streak.tolist() == [0, 0] and draw.tolist() == [0.3, 0.0]


def test_persistent_component_merges_and_joins_as_a_mass_weighted_mean():
    f = Firms(3, 1)
    f.open(np.arange(2), np.zeros((2, 3)), mass=np.array([1.0, 3.0]), sector=np.zeros(2, int),
           city=np.zeros(2, int), productivity=np.ones(2), persistent=np.array([0.2, -0.1]))
    f.merge(np.array([1]), np.array([0]), np.array([4.0]))
    assert f.persistent[0] == pytest.approx((0.2 - 0.3) / 4) and f.persistent[1] == 0.0
    f.close(np.array([0]))
    assert f.persistent[0] == 0.0


def test_productivity_takes_the_ar1_step_of_its_persistent_component():
    model = YRDModel(rng=4, people_per_agent=20000.0)
    f = model.firms
    live = f.alive.copy()
    rho, sd = idiosyncratic.quarterly(model.params.productivity_persistence, model.params.productivity_shock_sd)
    assert sd > 0 and np.abs(f.persistent[live]).max() > 0          # drawn at set-up
    u, z = f.persistent.copy(), f.productivity.copy()
    # the draws the step takes: the quarter's stream of the run's shock key, by firm row
    normals = np.random.default_rng([model.shock_key, model.steps]).standard_normal(f.size)
    model.shock_productivity()
    assert f.persistent[live] == pytest.approx(rho * u[live] + sd * normals[live])
    assert f.productivity[live] == pytest.approx(z[live] * np.exp(f.persistent[live] - u[live]))
    assert (f.persistent[~live] == 0).all()


def test_productivity_shock_bounds_name_the_field():
    with pytest.raises(ParameterError, match="productivity_persistence"):
        YRDModel(rng=1, productivity_persistence=1.0)
    with pytest.raises(ParameterError, match="productivity_shock_sd"):
        YRDModel(rng=1, productivity_shock_sd=-0.1)


def test_no_zombie_transient_at_t0():
    # the staff rounding of 2020 made 13 % of the firm mass look weak at t = 0, and they had been given a
    # three-year history: zombies 12.7 % at t = 0, gone within five quarters. The history now is the
    # burn-in's (with productivity shocks) or the staff plan's (without)
    for sd in (0.0, 0.033):
        model = YRDModel(rng=1, productivity_shock_sd=sd)
        start = model.metrics["zombie_share"]
        shares = []
        for _ in range(6):
            model.step()
            shares.append(model.metrics["zombie_share"])
        assert start < 0.01 and max(shares) < 0.01, sd


def _settle(**changes):
    """One firm in one city: revenue 100, 5 workers at wage 10, capital 1000 with depreciation 1 %,
    debt 1000 at 1 % a quarter: operating profit 100 - 50 - 10 = 40, interest 10, coverage 4."""
    args = dict(alive=np.array([True]), firm_city=np.array([0]), revenue=np.array([100.0]),
                employees=np.array([[0, 5, 0]]), capital=np.array([1000.0]), investment=np.zeros(1),
                capacity_support=np.zeros(1), entry_support=np.zeros(1), targeted=np.array([1.0]),
                loss_streak=np.array([0]), wages=np.array([[5.0, 10.0, 18.0]]), employed=np.array([[0, 5, 0]]),
                labour_force=np.array([[0, 5, 0]]), budgets=np.zeros(1), savings=np.zeros(1), saving_rate=0.0,
                dissaving_share=0.0, debt=np.array([1000.0]), coverage_streak=np.array([0]),
                depreciation=0.01, profit_tax=0.0, income_tax=0.0, unemployment_benefit=1.0,
                public_spending_adjustment=0.0, soft_budget=1.0, exit_after=4, interest_rate=0.01,
                leverage=0.5)
    args.update(changes)
    return accounts.settle(**args)


def test_interest_is_a_cost_and_household_income():
    books = _settle()
    assert books.interest == pytest.approx([10.0]) and books.profit == pytest.approx([30.0])
    assert books.city["interest"] == pytest.approx([10.0])
    # owners get 100 - 50 - 10 = 40 in cash (depreciation is not a payment), the banks' households 10
    assert books.city["owners"] == pytest.approx([40.0])
    assert books.city["income"] == pytest.approx([50.0 + 40.0 + 10.0])
    # debt above the collateral line (0.5 x 1000 = 500) is repaid out of profit: 1000 - 30 = 970
    assert books.debt == pytest.approx([970.0]) and books.coverage_streak.tolist() == [0]
    assert not books.zombie.any()


def test_a_firm_that_has_not_covered_interest_for_three_years_on_soft_credit_is_a_zombie():
    # revenue 65: operating profit 5 < interest 10 (coverage 0.5), a loss of 5 in its fourth quarter.
    # Closure would cost benefits 1 x 10 x 5 = 50; a full target at generosity 1: the line is 50 >= 5
    books = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), coverage_streak=np.array([11]))
    assert books.profit == pytest.approx([-5.0]) and books.soft_credit == pytest.approx([5.0])
    assert books.debt == pytest.approx([1005.0]) and not books.failing.any()
    assert books.coverage_streak.tolist() == [12] and books.zombie.tolist() == [True]
    # one quarter short of three years: loss-making and kept alive, but not (yet) a zombie
    young = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), coverage_streak=np.array([10]))
    assert young.coverage_streak.tolist() == [11] and not young.zombie.any() and not young.failing.any()
    # hard budget: no soft credit, it fails; not a zombie
    hard = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), coverage_streak=np.array([11]),
                   soft_budget=0.0)
    assert hard.failing.tolist() == [True] and not hard.zombie.any() and hard.soft_credit.sum() == 0.0
    # untargeted and of average size: priority 0, no credit line
    plain = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), coverage_streak=np.array([11]),
                    targeted=np.array([0.0]))
    assert plain.failing.tolist() == [True]


def test_local_bias_and_generosity_widen_the_credit_line():
    # loss 5 against closure cost 50 x priority 0.2: line 10 x g x bias
    common = dict(revenue=np.array([65.0]), loss_streak=np.array([3]), targeted=np.array([0.2]))
    assert _settle(**common, soft_budget=0.45).failing.tolist() == [True]           # 4.5 < 5
    assert not _settle(**common, soft_budget=0.45, local_bias=np.array([1.3])).failing.any()   # 5.85
    assert not _settle(**common, soft_budget=0.55).failing.any()                     # 5.5 >= 5


def test_rationing_funds_the_most_valuable_claims_first():
    # city 0 has room 10: claims 6 (value 6: 1 per yuan), 4 (value 8: 2 per yuan), 5 (value 15: 3 per yuan);
    # by value per yuan: 5 (running 5), then 4 (9), then 6 (15 > 10): the first two are funded.
    # City 1 has room 0: its claim is not funded
    funded = credit.ration(np.array([6.0, 4.0, 5.0, 1.0, 0.0]), np.array([6.0, 8.0, 15.0, 9.0, 1.0]),
                           np.array([0, 0, 0, 1, 1]), np.array([10.0, 0.0]))
    assert funded.tolist() == [False, True, True, False, False]


def test_large_employers_and_debt_rolls_by_hand():
    # city 0: staff 10, 30, 20 over masses 1, 1, 2 -> 60 / 4 = 15 per enterprise; sizes 10, 30, 10
    size = credit.large_employer(np.ones(3, bool), np.zeros(3, int), np.array([10.0, 30.0, 20.0]),
                                 np.array([1.0, 1.0, 2.0]), 1)
    assert size == pytest.approx([0.0, 1.0, 0.0])
    size = credit.large_employer(np.ones(2, bool), np.zeros(2, int), np.array([10.0, 14.0]), np.ones(2), 1)
    assert size == pytest.approx([0.0, 14 / 12 - 1])
    # debts 100 (line 80, profit 5: 95), 50 (line 80: 80), 100 (line 80, loss, soft credit 7: 107)
    debt = credit.roll_debt(np.array([100.0, 50.0, 100.0, 9.0]), np.array([80.0, 80.0, 80.0, 1.0]),
                            np.array([5.0, 1.0, -7.0, 0.0]), np.array([0.0, 0.0, 7.0, 0.0]),
                            np.array([True, True, True, False]))
    assert debt == pytest.approx([95.0, 80.0, 107.0, 0.0])


def test_debt_moves_with_mass_through_shrink_merge_and_close():
    f = Firms(4, 2)
    f.open(np.arange(3), np.zeros((3, 3)), mass=np.array([1.0, 2.0, 1.0]), sector=np.array([0, 0, 1]),
           city=np.zeros(3, int), productivity=np.ones(3), debt=np.array([10.0, 40.0, 5.0]))
    per_mass = f.debt[:3] / f.mass[:3]
    f.shrink(0.9)
    assert f.debt[:3] == pytest.approx([9.0, 36.0, 4.5])
    assert f.debt[:3] / f.mass[:3] == pytest.approx(per_mass)          # debt per enterprise unchanged
    f.merge(np.array([1]), np.array([0]), np.array([4.0, 4.0]))
    assert f.debt[0] == pytest.approx(45.0) and f.debt[1] == 0.0 and f.mass[0] == pytest.approx(2.7)
    f.close(np.array([0]))
    assert f.debt[0] == 0.0 and f.debt.sum() == pytest.approx(4.5)


def test_money_is_conserved_with_interest_and_soft_credit():
    # a generosity at which credit lines bind and a strong barrier: soft credit flows and some firms fail
    model = YRDModel(rng=3, soft_budget=0.2, barrier=1.0, people_per_agent=20000.0)
    money = model.money()
    debt0 = model.firms.debt[model.firms.alive].sum()
    assert debt0 == pytest.approx(model.params.leverage * model.capital_value()[model.firms.alive].sum())
    credited = 0.0
    for _ in range(8):
        model.step()
        assert model.money() == pytest.approx(money, rel=1e-10)
        assert model.flows["interest"].sum() > 0
        credited += model.flows["soft_credit"].sum()
    assert credited > 0


def _zombie_share(seed: int, quarters: int = 40, **values) -> float:
    model = YRDModel(rng=seed, **values)
    shares = []
    for _ in range(quarters):
        model.step()
        shares.append(model.metrics["zombie_share"])
    return float(np.mean(shares[-8:]))


def _paired(low: dict, high: dict, seeds=(1, 2, 3, 4, 5)) -> tuple[float, float]:
    diff = np.array([_zombie_share(s, **high) - _zombie_share(s, **low) for s in seeds])
    return diff.mean(), diff.std(ddof=1) / np.sqrt(diff.size)


#: why the zombie share falls with the barrier at the default generosity (issue 11 item 4 stays open there)
PROTECTION_SHELTERS = pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 4: with persistent productivity shocks zombies exist (0.62 +- 0.04 % of the firm mass at "
    "baseline, 5 seeds, last 8 of 40 quarters) and rise with soft-credit generosity (0 / 0.34 / 0.62 / 0.70 / "
    "0.73 % at g = 0 / 0.5 / 1 / 2 / 5), but at the default generosity they fall with the barrier: 0.74 / "
    "0.66 / 0.62 / 0.62 / 0.58 % at barrier 0 / 0.25 / 0.5 / 0.75 / 1 (-0.16 +- 0.02 pp). At g = 1 the credit "
    "lines of most loss-making targeted firms do not bind, so the local bias adds few zombies, while "
    "protection shelters local firms from other cities' competition (fewer of them make losses) and "
    "support falls with the barrier (subsidy_to_gdp 1.26 -> 0.92 %)"))
#: where the credit lines bind the two effects of protection about cancel (issue 11 item 4)
LINES_BIND = pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 4: at generosity 0.2, where the credit lines of loss-making targeted firms bind, a "
    "protecting government's local bias widens them, but protection also shelters local firms from "
    "competition (fewer losses): barrier 0 -> 0.5 moves the zombie share by +0.017 +- 0.015 pp (5 seeds, "
    "last 8 of 40 quarters, shocks as common random numbers), not three standard errors"))


@pytest.mark.slow
def test_zombie_share_rises_with_soft_credit_generosity():
    # (0 / 0.34 / 0.62 % of the firm mass at g = 0 / 0.5 / 1; above 1 the credit lines of the
    # loss-making targeted firms stop binding and the share saturates: 0.70 % at 2, 0.73 % at 5)
    for low, high in ((0.0, 0.1), (0.1, 0.2), (0.2, 0.5)):
        effect, se = _paired({"soft_budget": low}, {"soft_budget": high})
        assert effect > 3 * se and effect > 0, (low, high, effect, se)


@pytest.mark.slow
@LINES_BIND
def test_zombie_share_rises_with_the_barrier_where_credit_lines_bind():
    # at a low generosity the credit lines bind, and a protecting government's local bias widens them
    effect, se = _paired({"barrier": 0.0, "soft_budget": 0.2}, {"barrier": 0.5, "soft_budget": 0.2})
    assert effect > 3 * se and effect > 0


@pytest.mark.slow
@PROTECTION_SHELTERS
def test_zombie_share_rises_with_the_barrier_at_the_default_generosity():
    effect, se = _paired({"barrier": 0.0}, {"barrier": 1.0})
    assert effect > 3 * se and effect > 0
