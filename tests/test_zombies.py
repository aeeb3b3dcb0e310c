"""Firm debt, interest, soft credit and zombie firms (:mod:`ydabm.mechanisms.credit`): hand-computed
cases, debt through shrink and merge, money conservation with soft credit, and the zombie share
against soft-credit generosity and the barrier over seeds."""

import functools

import numpy as np
import pytest

from script_modules import load_script
from ydabm.agents.firms import Firms
from ydabm.mechanisms import accounts, credit
from ydabm.model import YRDModel
from ydabm.params import DEFAULTS


def test_coverage_and_zombie_classification_by_hand():
    # operating profits 5, 20, -1, 5 against interest 10, 10, 0, 10: coverage 0.5, 2, (no debt, a loss), 0.5
    weak = credit.weak_coverage(np.array([5.0, 20.0, -1.0, 5.0]), np.array([10.0, 10.0, 0.0, 10.0]))
    assert weak.tolist() == [True, False, True, True]
    # the year's sums: 30 + 5 = 35 of operating profit, 30 + 10 = 40 of interest (dead rows: 0)
    alive = np.array([True, True, True, False])
    operating, interest = credit.year_sums(alive, np.array([5.0, 20.0, -1.0, 5.0]), np.array([10.0, 10.0, 0.0, 10.0]),
                                           np.full(4, 30.0), np.full(4, 30.0))
    assert operating.tolist() == [35.0, 50.0, 29.0, 0.0] and interest.tolist() == [40.0, 40.0, 30.0, 0.0]
    # within the year the streak does not move
    prior = np.array([2, 5, 2, 2])
    full = np.array([True, True, False, True])
    assert credit.weak_years(alive, False, full, operating, interest, prior).tolist() == [2, 5, 2, 0]
    # at the year end: 35 < 40 a third weak year; 50 >= 40 resets; a partial year (an entrant) keeps its streak
    streak = credit.weak_years(alive, True, full, operating, interest, prior)
    assert streak.tolist() == [3, 0, 2, 0]
    # supported: firm 0 lives on support; at 3 years it is a zombie, at 2 not yet
    assert credit.zombies(alive, streak, np.ones(4, bool)).tolist() == [True, False, False, False]
    assert not credit.zombies(alive, np.array([2, 0, 2, 0]), np.ones(4, bool)).any()
    # the same firm without support is not a zombie (it is failing, not kept alive)
    assert not credit.zombies(alive, streak, np.zeros(4, bool)).any()


def test_zombie_shares_by_group_by_hand():
    # masses 1, 2, 1, 3, 5 (the last dead) in groups 0, 0, 1, 1, 1; zombies: rows 1 and 3 (and the dead row)
    alive = np.array([True, True, True, True, False])
    zombie = np.array([False, True, False, True, True])
    share, mass = credit.shares_by(alive, zombie, np.array([1.0, 2.0, 1.0, 3.0, 5.0]), np.array([0, 0, 1, 1, 1]), 3)
    # group 0: 2 of 3; group 1: 3 of 4 (the dead row counts nowhere); group 2 empty: 0
    assert share == pytest.approx([2 / 3, 3 / 4, 0.0])
    assert mass == pytest.approx([3 / 7, 4 / 7, 0.0])


def _settle(**changes):
    """One firm in one city: revenue 100, 5 workers at wage 10, capital 1000 with depreciation 1 %,
    debt 1000 at 1 % a quarter: operating profit 100 - 50 - 10 = 40, interest 10, coverage 4."""
    args = dict(alive=np.array([True]), firm_city=np.array([0]), revenue=np.array([100.0]),
                employees=np.array([[0, 5, 0]]), capital=np.array([1000.0]), investment=np.zeros(1),
                capacity_support=np.zeros(1), entry_support=np.zeros(1), targeted=np.array([1.0]),
                loss_streak=np.array([0]), wages=np.array([[5.0, 10.0, 18.0]]), employed=np.array([[0, 5, 0]]),
                labour_force=np.array([[0, 5, 0]]), budgets=np.zeros(1), savings=np.zeros(1), saving_rate=0.0,
                dissaving_share=0.0, debt=np.array([1000.0]), weak_years=np.array([0]),
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
    # debt follows the collateral line (0.5 x 1000 = 500), down too: a loan against capital is not money
    assert books.debt == pytest.approx([500.0]) and books.soft_debt == pytest.approx([0.0])
    assert books.weak_years.tolist() == [0] and not books.zombie.any()
    # soft credit carried above the line (500 of the 1000) is repaid out of profit: 500 + 500 - 30 = 970
    books = _settle(soft_debt=np.array([500.0]))
    assert books.debt == pytest.approx([970.0]) and books.soft_debt == pytest.approx([470.0])


def test_a_firm_that_has_not_covered_interest_for_three_years_on_soft_credit_is_a_zombie():
    # revenue 65: operating profit 5 < interest 10 (coverage 0.5), a loss of 5 in its fourth quarter.
    # Closure would cost benefits 1 x 10 x 5 = 50; a full target at generosity 1: the line is 50 >= 5.
    # A year end; the year so far: operating 15 against interest 30 (three quarters like this one):
    # the year's 20 < 40 is its third weak year
    year = dict(year_end=True, year_operating=np.array([15.0]), year_interest=np.array([30.0]))
    books = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([2]), **year)
    assert books.profit == pytest.approx([-5.0]) and books.soft_credit == pytest.approx([5.0])
    # its debt: the collateral line (500) plus the soft credit it now carries (5)
    assert books.debt == pytest.approx([505.0]) and books.soft_debt == pytest.approx([5.0])
    assert not books.failing.any()
    assert books.weak_years.tolist() == [3] and books.zombie.tolist() == [True]
    # the next year starts from zero
    assert books.year_operating.tolist() == [0.0] and books.year_interest.tolist() == [0.0]
    # one year short of three: loss-making and kept alive, but not (yet) a zombie
    young = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([1]), **year)
    assert young.weak_years.tolist() == [2] and not young.zombie.any() and not young.failing.any()
    # not a year end: the sums grow, the streak waits for the year's end
    mid = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([2]),
                  year_operating=np.array([10.0]), year_interest=np.array([20.0]))
    assert mid.year_operating == pytest.approx([15.0]) and mid.year_interest == pytest.approx([30.0])
    assert mid.weak_years.tolist() == [2] and not mid.zombie.any()
    # hard budget: no soft credit, it fails; not a zombie
    hard = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([2]),
                   soft_budget=0.0, **year)
    assert hard.failing.tolist() == [True] and not hard.zombie.any() and hard.soft_credit.sum() == 0.0
    # untargeted and of average size: priority 0, no credit line
    plain = _settle(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([2]),
                    targeted=np.array([0.0]), **year)
    assert plain.failing.tolist() == [True]


def test_a_loss_in_a_lockdown_quarter_does_not_lengthen_the_loss_streak():
    # revenue 65: a loss of 5 (operating 5 - interest 10) in the fourth loss-making quarter; on a hard
    # budget the firm fails, unless its city is locked down this quarter: its streak stays at 3 and it
    # does not fail (its lenders know the lockdown is temporary); a profit in a lockdown quarter still
    # ends a streak (revenue 100: profit 30)
    hard = dict(soft_budget=0.0, loss_streak=np.array([3]))
    assert _settle(revenue=np.array([65.0]), **hard).failing.tolist() == [True]
    locked = _settle(revenue=np.array([65.0]), paused=np.array([True]), **hard)
    assert locked.loss_streak.tolist() == [3] and not locked.failing.any()
    assert locked.profit == pytest.approx([-5.0])                # the loss is booked all the same
    assert _settle(revenue=np.array([65.0]), paused=np.array([False]), **hard).failing.tolist() == [True]
    assert _settle(revenue=np.array([100.0]), paused=np.array([True]), **hard).loss_streak.tolist() == [0]


def _quarters(revenues, age0=0):
    """One firm through consecutive quarters (the first one a calendar year's first quarter) with the
    given revenues: 5 workers at wage 10, depreciation 10, debt 1000 at its collateral line at 1 %
    (interest 10 each quarter), a capacity subsidy of 1 each quarter (supported) and no loss streak
    (no soft credit). Operating profit is revenue - 60. Returns the zombie flags and streaks."""
    state = dict(weak_years=np.array([0]), year_operating=np.zeros(1), year_interest=np.zeros(1))
    flags, streaks = [], []
    for q, revenue in enumerate(revenues):
        books = _settle(revenue=np.array([float(revenue)]), capacity_support=np.array([1.0]), leverage=1.0,
                        age=np.array([age0 + q]), year_end=q % 4 == 3, **state)
        assert books.debt == pytest.approx([1000.0]) and books.interest == pytest.approx([10.0])
        state = dict(weak_years=books.weak_years, year_operating=books.year_operating,
                     year_interest=books.year_interest)
        flags.append(bool(books.zombie[0]))
        streaks.append(int(books.weak_years[0]))
    return flags, streaks


def test_zombies_are_judged_on_yearly_accounts():
    # each year: three quarters at operating profit 5 and one strong quarter at 15 (coverage 1.5):
    # the year's 30 < 40 is weak. Weak in three years with a strong quarter in each: a zombie from the
    # third year's end (the quarterly rule never saw two weak quarters in a row reach 12)
    year = [65, 65, 75, 65]
    flags, streaks = _quarters(year * 3)
    assert streaks == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert flags == [False] * 11 + [True]
    # weak in 11 of 12 quarters, but the third year's strong quarter (operating 40) makes its total
    # 5 + 5 + 5 + 40 = 55 >= 40: coverage 1.4 on the year, the streak resets, not a zombie
    flags, streaks = _quarters([65] * 8 + [65, 65, 65, 100])
    assert streaks[-1] == 0 and not any(flags) and streaks[7] == 2
    # an entrant that opened in the year's third quarter (2 quarters of accounts at the first year end)
    # has no annual accounts for that year: three weak full years after it before it is a zombie
    flags, streaks = _quarters([65] * 16, age0=-2)
    assert streaks[3] == 0 and streaks[7] == 1 and streaks[11] == 2 and streaks[15] == 3
    assert flags == [False] * 15 + [True]


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
    # line 80 and 20 of soft credit carried, profit 5: 80 + 15; no soft credit, a line risen to 80: 80;
    # 20 carried, a loss of 7 lent: 80 + 27; a dead row: 0; a line fallen from 100 to 60 with nothing
    # carried: 60 (until the fifty-first session such a firm kept 100 and repaid 40 as if it were soft
    # credit); 20 carried, the line fallen to 60, profit 5: 60 + 15
    debt, carried = credit.roll_debt(np.array([100.0, 50.0, 100.0, 9.0, 100.0, 120.0]),
                                     np.array([20.0, 0.0, 20.0, 0.0, 0.0, 20.0]),
                                     np.array([80.0, 80.0, 80.0, 1.0, 60.0, 60.0]),
                                     np.array([5.0, 1.0, -7.0, 0.0, 0.0, 5.0]),
                                     np.array([0.0, 0.0, 7.0, 0.0, 0.0, 0.0]),
                                     np.array([True, True, True, False, True, True]))
    assert debt == pytest.approx([95.0, 80.0, 107.0, 0.0, 60.0, 75.0])
    assert carried == pytest.approx([15.0, 0.0, 27.0, 0.0, 0.0, 15.0])


def test_a_failing_firm_gets_no_new_credit_when_its_collateral_rises():
    # found by a random search (6 Dec 2026, seed 108): where failing cohorts never leave
    # (failing_exit_share 0) and iid productivity shocks of sd 1 swing a cohort's price, and with it
    # its capital's value, over ten orders of magnitude, its debt had followed every rise of the line
    # (3.9e13 -> 2.4e26 yuan in twenty quarters, 4e13 times the money stock); its interest and its
    # owners' losses then cancelled in its city's household income at 2.4e24, whose rounding moved
    # the money stock by 3.7e-4 in a quarter (tests/test_properties.py keeps that draw).
    # By hand: capital 1000 at leverage 0.5, a line of 500 above a debt of 100. A healthy firm's debt
    # follows the line up (100 -> 500); a failing one (revenue 30: operating 30 - 50 - 10 = -30, its
    # fourth loss in a row, no soft credit) keeps its 100; one carrying 300 of soft credit above the line
    # (800) keeps that; one whose line fell below its debt (800, nothing carried) owes the line, 500
    assert _settle(debt=np.array([100.0])).debt == pytest.approx([500.0])
    failing = dict(revenue=np.array([30.0]), loss_streak=np.array([3]), soft_budget=0.0)
    books = _settle(debt=np.array([100.0]), **failing)
    assert books.failing.tolist() == [True] and books.debt == pytest.approx([100.0])
    assert _settle(debt=np.array([800.0]), soft_debt=np.array([300.0]), **failing).debt == pytest.approx([800.0])
    assert _settle(debt=np.array([800.0]), **failing).debt == pytest.approx([500.0])


def test_debt_moves_with_mass_through_shrink_merge_and_close():
    f = Firms(4, 2)
    f.open(np.arange(3), np.zeros((3, 3)), mass=np.array([1.0, 2.0, 1.0]), sector=np.array([0, 0, 1]),
           city=np.zeros(3, int), productivity=np.ones(3), debt=np.array([10.0, 40.0, 5.0]),
           soft_debt=np.array([2.0, 10.0, 0.0]), year_operating=np.array([2.0, 30.0, 1.0]),
           year_interest=np.array([4.0, 10.0, 1.0]), weak_years=np.array([3, 0, 1]))
    per_mass = f.debt[:3] / f.mass[:3]
    f.shrink(0.9)
    assert f.debt[:3] == pytest.approx([9.0, 36.0, 4.5])
    assert f.soft_debt[:3] == pytest.approx([1.8, 9.0, 0.0])          # the soft credit carried too
    assert f.debt[:3] / f.mass[:3] == pytest.approx(per_mass)          # debt per enterprise unchanged
    # the year's accounts scale with the enterprises that remain: coverage unchanged
    assert f.year_operating[:3] == pytest.approx([1.8, 27.0, 0.9]) and f.year_interest[:3] == pytest.approx([3.6, 9.0, 0.9])
    f.merge(np.array([1]), np.array([0]), np.array([4.0, 4.0]))
    assert f.debt[0] == pytest.approx(45.0) and f.debt[1] == 0.0 and f.mass[0] == pytest.approx(2.7)
    assert f.soft_debt[0] == pytest.approx(10.8) and f.soft_debt[1] == 0.0
    # the merged firm's year is the sum of its parts' (28.8 against 12.6: no longer weak at the year
    # end); the destination keeps its streak; the source row is cleared
    assert f.year_operating[0] == pytest.approx(28.8) and f.year_interest[0] == pytest.approx(12.6)
    assert f.weak_years[:3].tolist() == [3, 0, 1] and f.year_operating[1] == 0.0
    f.close(np.array([0]))
    assert f.debt[0] == 0.0 and f.debt.sum() == pytest.approx(4.5) and f.soft_debt.sum() == 0.0
    assert f.weak_years[0] == 0 and f.year_operating[0] == 0.0 and f.year_interest[0] == 0.0


def test_money_is_conserved_with_interest_and_soft_credit():
    # a generosity at which credit lines bind and a strong barrier: soft credit flows and some firms fail.
    # Five seeds, so that the test does not hang on one seed's firms qualifying for credit in 8 quarters
    # (observed: credit flows in seeds 1, 4 and 5, from quarter 4-6; none in seeds 2, 3)
    flowed = []
    for seed in (1, 2, 3, 4, 5):
        model = YRDModel(rng=seed, soft_budget=0.2, barrier=1.0, people_per_agent=20000.0)
        money = model.money()
        debt0 = model.firms.debt[model.firms.alive].sum()
        assert debt0 == pytest.approx(model.params.leverage * model.capital_value()[model.firms.alive].sum())
        credited = 0.0
        for _ in range(8):
            model.step()
            assert model.money() == pytest.approx(money, rel=1e-10)
            assert model.flows["interest"].sum() > 0
            credited += model.flows["soft_credit"].sum()
        flowed.append(credited > 0)
    assert sum(flowed) >= 2, flowed


def _zombie_share(seed: int, quarters: int = 40, **values) -> float:
    """Mean zombie share of the last 8 of ``quarters`` quarters with ``values`` (runs shared between the
    tests: a value at its default is the default's run)."""
    changed = tuple(sorted((name, value) for name, value in values.items() if value != DEFAULTS[name]))
    return _late_share(seed, quarters, changed)


@functools.lru_cache(maxsize=None)
def _late_share(seed: int, quarters: int, values: tuple) -> float:
    model = YRDModel(rng=seed, **dict(values))
    shares = []
    for _ in range(quarters):
        model.step()
        shares.append(model.metrics["zombie_share"])
    return float(np.mean(shares[-8:]))


def _paired(low: dict, high: dict, seeds=(1, 2, 3, 4, 5)) -> tuple[float, float]:
    diff = np.array([_zombie_share(s, **high) - _zombie_share(s, **low) for s in seeds])
    return diff.mean(), diff.std(ddof=1) / np.sqrt(diff.size)


#: why the zombie share does not respond to generosity step by step (issue 11 item 4 stays open)
CREDIT_LINES_SATURATE = pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 4: generosity raises the zombie share from hard budgets (0 -> 0.1: +0.35 +- 0.06 pp, "
    "6.3 se) but not in the next steps, where the credit lines of the failing targeted firms no longer bind "
    "(0.1 -> 0.2: +0.03 +- 0.04 pp, 0.9 se; 0.2 -> 0.5: +0.02 +- 0.02 pp, 0.8 se): 0.19, 0.55, 0.58, 0.60 % "
    "at 0, 0.1, 0.2, 0.5 (last 8 of 40 quarters, seeds 1-5, the default 750 people per agent, 7 Dec 2026, "
    "fifty-first session, since soft credit is carried apart from the collateral line; on 5 Dec 2026 "
    "+0.19, +0.01 and +0.03 pp). A government lends a failing firm its shortfall when that costs less than "
    "the closure; once the line covers the losses of the firms it prizes, more generosity keeps no more "
    "of them"))


@pytest.mark.slow
@CREDIT_LINES_SATURATE
def test_zombie_share_rises_with_soft_credit_generosity():
    # (above about 0.1 the credit lines of the loss-making targeted firms no longer bind and the share
    # saturates: 0.19, 0.60, 0.63, 0.64 % at 0, 0.5, 1, 2, quarters 33-40, 7 Dec 2026)
    for low, high in ((0.0, 0.1), (0.1, 0.2), (0.2, 0.5)):
        effect, se = _paired({"soft_budget": low}, {"soft_budget": high})
        assert effect > 3 * se and effect > 0, (low, high, effect, se)


#: the barrier's zombie effect since farming is a two-way occupational choice (issue 11 item 4 stays open)
BARRIER_ZOMBIES = pytest.mark.xfail(strict=True, reason=(
    "issue 11 item 4: since farming is a two-way occupational choice (8 Dec 2026, fifty-fourth session) the "
    "barrier's effect on the zombie share is gone: +0.005 +- 0.055 pp from barrier 0 to 1 at the default "
    "generosity (1.17, 0.73, 1.17 % at 0, 0.5, 1: U-shaped) and -0.17 +- 0.04 pp from 0 to 0.5 at generosity 0.2 "
    "(seeds 1-5, quarters 33-40). The effect before (+0.39 +- 0.03 pp; +0.18 +- 0.04 pp) came mostly from "
    "agricultural zombies that the one-way exit from farming made (0.33 of the baseline's 0.63 %, 0.001 at "
    "barrier 0); the other sectors' zombies were already U-shaped (0.57, 0.30, 0.72 %; now 1.09, 0.68, 1.13 %); moved in 2030 instead, after the set-up's zombies are gone, the barrier's directional part (half the difference between steps of +0.5 and -0.5) is +0.17 +- 0.02 pp in quarters 49-60 and +0.09 +- 0.01 pp in 61-72, against +0.002 +- 0.027 pp in quarters 33-40 when it moves in 2020, where the change's symmetric part, +0.44 +- 0.01 pp, swamps it (scripts/zombie_transition.py, seeds 1-5)"))


@pytest.mark.slow
@BARRIER_ZOMBIES
def test_zombie_share_rises_with_the_barrier_where_credit_lines_bind():
    # at a low generosity the credit lines bind, and a protecting government's local bias widens them.
    # Observed (7 Dec 2026, fifty-first session, since soft credit is carried apart from the collateral
    # line): +0.18 +- 0.04 pp (4.9 se), 0.39 % at barrier 0 and 0.58 % at 0.5 (generosity 0.2). Until
    # then -0.02 +- 0.03 pp (a strict xfail): every rise of the line stayed as debt above it and was
    # counted as support, which a change of the barrier in either direction made
    effect, se = _paired({"barrier": 0.0, "soft_budget": 0.2}, {"barrier": 0.5, "soft_budget": 0.2})
    assert effect > 3 * se and effect > 0


@pytest.mark.slow
@BARRIER_ZOMBIES
def test_zombie_share_rises_with_the_barrier_at_the_default_generosity():
    # measured (7 Dec 2026, fifty-first session, the default 750 people per agent): +0.39 +- 0.03 pp (14.5
    # se), 0.57, 0.66, 0.63, 0.74, 0.96 % at 0, 1/4, 1/2, 3/4, 1 (U-shaped until soft credit was carried
    # apart from the collateral line: 0.93, 0.81, 0.69, 0.98, 1.38 %). On 5 Dec 2026 (staff at fixed
    # rounding points and jobs paid by class): +0.18 +- 0.04 pp (4.9 se), 0.61, 0.46, 0.41, 0.50, 0.79 %; under
    # error diffusion with hours paid at the workers' wages +0.11 +- 0.05 pp (2.2 se), a strict xfail then
    effect, se = _paired({"barrier": 0.0}, {"barrier": 1.0})
    assert effect > 3 * se and effect > 0


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "issue 10 item 2 / issue 11 item 4: t = 0 is not the zombie share's steady state. With staff at fixed "
    "rounding points and jobs paid by class (5 Dec 2026) the share is 0.11 % at t = 0, rises to 0.41 % in "
    "quarters 33-40 and falls to 0.04 % in 73-80 and 0.00-0.01 % from quarter 153 to 320 (seeds 1-5; with "
    "hours per worker, 4 Dec 2026: 0.08, 0.43, 0.05 and 0.02-0.03 %). The rise comes once the run's own accounts "
    "give three weak years and sits in small agents (4 Dec 2026: 1-5 worker agents 3.1-3.6 % zombies, 21 or more "
    "0.10-0.22 %; agents of at most 10 hold 52-55 % of the zombie mass with 13 % of the mass, quarters 16-32); "
    "the fall is the set-up's productivity dispersion going (entrants at the mean draw, merges at the CES "
    "mean: 0.071 at t = 0, 0.002 from quarter 100, seed 1). The same at finer scales (5 Dec 2026): 1.63 % in "
    "quarters 33-40 and 0.00 % in 153-160 at 125 people per agent, 2.44 and 0.03 % at 31.25 (seeds 1-3), 8.29 % in "
    "33-40 and 1.87 % in 73-80 at one agent per person (seed 1): a finer firm agent raises the transient. "
    "Before hours, at a94dc75, whose figures follow: with entrants valuing "
    "the entry subsidy at its first-year worth (entry.first_year_weight) the share no longer climbs over the "
    "decades; it falls from the set-up's 1.08 % to 0.21 % in quarters 153-160 (seeds 1-5; t = 0 minus that "
    "window 0.87 +- 0.06 pp) and stays low: the set-up's zombies (cohorts whose structural 2020 coverage is "
    "below 1) are a transient the run does not renew. Until 0f7bc3f this passed only because the late window "
    "spread over seeds (1.41 +- 0.44 %) on its way to 11.8 % by year 80"))
def test_t0_is_the_zombie_share_steady_state():
    # issue 10 item 2 / issue 11 item 4. Measured (seeds 1-5) with fixed points and jobs paid by class: 0.11 % at
    # t = 0, 0.41 % in quarters 33-40, 0.04 % in 73-80, 0.01 % in 153-160; with hours per worker 0.08, 0.43, 0.05
    # and 0.02 %; before them, at a94dc75: 1.08 +- 0.05 % at t = 0 and
    # 0.21 % in quarters 153-160 (0.22 +- 0.03 % in 73-80 and 1.41 +- 0.44 % in 153-160 with the entry subsidy valued as a
    # margin for life, until 0f7bc3f; docs/validation-changes.md, "Since 0f7bc3f"; docs/validation.md,
    # "Beyond ten years").
    shares = []
    for seed in (1, 2, 3, 4, 5):
        model = YRDModel(rng=seed)
        path = [model.metrics["zombie_share"]]
        for _ in range(160):
            model.step()
            path.append(model.metrics["zombie_share"])
        shares.append(path)
    shares = np.array(shares)
    late = shares[:, 153:].mean(axis=1)
    for window in (shares[:, :1], shares[:, 33:41], shares[:, 73:81]):
        diff = window.mean(axis=1) - late
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        assert abs(diff.mean()) < max(3 * se, 0.1 * late.mean()), (diff.mean(), se, late.mean())


def test_congestion_regression_is_within_sector_and_quarter_by_hand():
    # scripts/zombie_congestion.py: the slope of an outcome on the zombie share after removing each
    # sector x quarter's (capital-weighted) mean. Two sectors whose levels differ (sector 1 invests 0.5
    # more and has 0.4 more zombies): pooled, the slope would be positive; within, each sector's cities
    # lose 0.1 of investment rate per unit of zombie share, so the slope is -0.1
    congestion = load_script("zombie_congestion")
    share = np.array([0.0, 0.1, 0.2, 0.4, 0.5, 0.6])
    panel = {"sector": np.array([0, 0, 0, 1, 1, 1]), "quarter": np.zeros(6, dtype=int), "zombie_share": share,
             "investment_rate": np.array([1.0, 0.99, 0.98, 1.5, 1.49, 1.48]), "weight": np.ones(6)}
    assert congestion.within_slope(panel, "investment_rate") == pytest.approx(-0.1)
    # the weights are the healthy firms' capital: a city with no weight does not count
    panel["weight"] = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    panel["investment_rate"] = np.array([1.0, 0.99, 5.0, 1.5, 1.49, 1.48])
    assert congestion.within_slope(panel, "investment_rate") == pytest.approx(-0.1)
    # capital-weighted means over the panel
    levels = congestion.aggregate({**panel, "growth": np.ones(6), "margin": np.zeros(6)})
    assert levels["zombie_share"] == pytest.approx((0.0 + 0.1 + 0.4 + 0.5 + 0.6) / 5)
