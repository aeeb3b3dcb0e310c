"""Each mechanism on a tiny hand-computed case (the pure functions of ydabm.mechanisms, frictions,
params and the staff rounding of the labour market)."""

import dataclasses
import warnings

import numpy as np
import pytest

from ydabm import YRDModel
from ydabm.frictions import frictions, knowledge_weights
from ydabm.geography import build_geography
from ydabm.markets import labour
from ydabm.mechanisms import accounts, entry, planning, targeting, technology
from ydabm.params import PARAMS, QUICK_SCALE, ParameterError, Params
from ydabm.sectors import load_sectors


def test_plan_prices_at_the_markup_learns_notional_demand_and_builds_toward_the_goal():
    # sigma 5: price = 5/4 * unit labour cost 8 = 10. Expected sales 0.5 * 1000 + 0.5 * 1400 = 1200 yuan,
    # 120 units at the price 10. Desired capacity 120 x 1.25 (no demand uncertainty) = 150; the flexible accelerator builds
    # 0.1 * 100 (replacement) + 0.5 * (150 - 100) = 35 on the 90 kept -> 125.
    # Staff: overhead 2 + min(120, 125) / phi 4 = 32, split 3/4 low, 1/4 high.
    plan = planning.plan_production(
        alive=np.array([True]), productivity=np.array([4.0]), unit_labour_cost=np.array([8.0]),
        elasticity=np.array([5.0]), capital_intensity=np.array([2.0]), overhead=np.array([2.0]),
        capacity=np.array([100.0]), expected_sales=np.array([1000.0]), notional_sales=np.array([1400.0]),
        staffed_output=np.array([200.0]), understaffed=np.array([False]), ratio=np.array([1.25]),
        dispersion=0.0, skill_mix=np.array([[0.0, 0.75, 0.25]]), sector=np.zeros(1, int),
        city_labour=np.array([[50, 50, 50]]), city=np.zeros(1, int),
        demand_expectation=0.5, depreciation=0.1, investment_speed=0.5, capacity_subsidy=np.array([0.25]))
    assert plan.price == pytest.approx([10.0])
    assert plan.expected_sales == pytest.approx([1200.0])
    assert plan.expected_demand == pytest.approx([120.0])
    assert plan.capacity == pytest.approx([125.0])
    assert plan.investment == pytest.approx([2.0 * 10.0 * 35.0])        # capital intensity x price x build
    assert plan.capacity_support == pytest.approx([0.25 * 700.0])
    np.testing.assert_allclose(plan.desired_staff, [[0.0, 24.0, 8.0]])


def test_an_understaffed_firm_builds_only_for_what_its_staff_can_make():
    common = dict(alive=np.array([True, True]), productivity=np.ones(2), unit_labour_cost=np.ones(2),
                  elasticity=np.full(2, 5.0), capital_intensity=np.ones(2), overhead=np.zeros(2),
                  capacity=np.full(2, 100.0), expected_sales=np.full(2, 250.0), notional_sales=np.full(2, 250.0),
                  staffed_output=np.full(2, 100.0), ratio=np.ones(2), dispersion=0.0,
                  skill_mix=np.array([[0, 1.0, 0]] * 2), sector=np.arange(2), city_labour=np.full((2, 3), 1000),
                  city=np.arange(2),
                  demand_expectation=0.5, depreciation=0.0, investment_speed=1.0, capacity_subsidy=np.zeros(2))
    plan = planning.plan_production(understaffed=np.array([True, False]), **common)
    assert plan.expected_demand == pytest.approx([200.0, 200.0])        # 250 yuan at the price 1.25
    assert plan.capacity == pytest.approx([100.0, 200.0])


def test_capacity_at_its_goal_is_a_steady_state_of_the_accelerator():
    # desired capacity 100 x 1.25 = 125 = capacity: investment replaces depreciation (0.05 * 125), no more
    common = dict(alive=np.array([True]), productivity=np.ones(1), unit_labour_cost=np.ones(1),
                  elasticity=np.full(1, 5.0), capital_intensity=np.full(1, 2.0), overhead=np.zeros(1),
                  expected_sales=np.full(1, 125.0), notional_sales=np.full(1, 125.0),
                  staffed_output=np.full(1, 1e9), understaffed=np.zeros(1, bool), ratio=np.full(1, 1.25),
                  dispersion=0.0, skill_mix=np.array([[0, 1.0, 0]]), sector=np.zeros(1, int),
                  city_labour=np.full((1, 3), 1000), city=np.zeros(1, int),
                  demand_expectation=0.5, depreciation=0.05, investment_speed=0.3, capacity_subsidy=np.zeros(1))
    steady = planning.plan_production(capacity=np.full(1, 125.0), **common)
    assert steady.capacity == pytest.approx([125.0])
    assert steady.investment == pytest.approx([2.0 * 1.25 * 0.05 * 125.0])
    # far above its goal a firm lets capacity depreciate and invests nothing (capital is sunk)
    idle = planning.plan_production(capacity=np.full(1, 400.0), **common)
    assert idle.investment == pytest.approx([0.0])
    assert idle.capacity == pytest.approx([400.0 * 0.95])


def test_error_diffusion_keeps_each_firm_at_its_plan_on_average():
    desired = np.array([[2.3, 0.7, 5.0]])
    carry = np.array([[0.0, 0.5, 0.9]])
    plans = []
    for _ in range(10):
        plan, carry = labour.whole_staff(desired, carry, diffuse=True)
        plans.append(plan)
    plans = np.array(plans)[:, 0, :]
    # carries 0.3, 0.6, 0.9, 0.2, 0.5, 0.8, 0.1, 0.4, 0.7, 0.0 (to rounding): 2.3 a quarter on average
    assert plans[:, 0].tolist()[:9] == [2, 2, 2, 3, 2, 2, 3, 2, 2]
    assert plans.sum(axis=0) == pytest.approx(desired[0] * 10, abs=1)
    assert plans[:, 2].tolist() == [5] * 10                                # whole plans need no rounding


def test_hours_give_the_whole_staff_the_planned_labour():
    # class by class: 17.2 low-skill wanted, 18 hired (short time 0.9556), 5.2 high-skill, 5 hired (1.04);
    # 1.3 and 3.0 wanted, 1 and 3 hired (1.3, 1); 0.4 farm labour wanted and no whole farmer planned: its
    # labour is spread over the 3 workers of the third firm (0.4 / 3 more each); nothing planned: standard hours
    desired = np.array([[0.0, 17.2, 5.2], [0.0, 3.0, 1.3], [0.4, 0.9, 2.1], [0.0, 0.0, 0.0]])
    plan = np.array([[0, 18, 5], [0, 3, 1], [0, 1, 2], [0, 0, 0]])
    hours = labour.planned_hours(desired, plan)
    np.testing.assert_allclose(hours[0, 1:], [17.2 / 18, 5.2 / 5])
    np.testing.assert_allclose(hours[1, 1:], [1.0, 1.3])
    np.testing.assert_allclose(hours[2, 1:], [0.9 + 0.4 / 3, 2.1 / 2 + 0.4 / 3])
    np.testing.assert_allclose(hours[3], [1.0, 1.0, 1.0])
    # a quarter of error diffusion: each firm's whole staff times its hours is its real-valued plan, class
    # by class where it planned a whole worker, and in all
    rng = np.random.default_rng(5)
    wanted = rng.uniform(0.0, 30.0, (200, 3))
    wanted[:20, 0] = rng.uniform(0.0, 0.9, 20)                 # classes that may round to no worker
    whole, _ = labour.whole_staff(wanted, rng.uniform(0.0, 1.0, (200, 3)), diffuse=True)
    hours = labour.planned_hours(wanted, whole)
    np.testing.assert_allclose((whole * hours).sum(axis=1), wanted.sum(axis=1), rtol=1e-12)
    full = (whole > 0).all(axis=1)
    np.testing.assert_allclose((whole * hours)[full], wanted[full], rtol=1e-12)
    assert np.all(np.abs(hours[full] - 1.0) < 1.0 / whole[full])


def test_accounts_pay_the_hours_worked():
    # firm 0's low-skill staff works 0.9 of the standard hours, firm 1's 1.2: the wage bill and the
    # households' wages are the hours' pay (8 x 10 x 0.9 = 72, 5 x 10 x 1.2 = 60), benefits count the 2
    # workers without a job
    jobs = np.array([[0, 8, 0], [0, 5, 0]]) * np.array([[1.0, 0.9, 1.0], [1.0, 1.2, 1.0]])
    books = accounts.settle(
        alive=np.array([True, True]), firm_city=np.array([0, 0]), revenue=np.array([100.0, 80.0]),
        employees=np.array([[0, 8, 0], [0, 5, 0]]), capital=np.zeros(2), investment=np.zeros(2),
        capacity_support=np.zeros(2), entry_support=np.zeros(2), targeted=np.zeros(2),
        loss_streak=np.zeros(2, dtype=int), wages=np.array([[5.0, 10.0, 18.0]]),
        employed=np.array([[0, 13, 0]]), labour_force=np.array([[0, 15, 0]]), budgets=np.zeros(1),
        savings=np.zeros(1), saving_rate=0.0, dissaving_share=0.0, depreciation=0.0, profit_tax=0.0,
        income_tax=0.0, unemployment_benefit=0.5, public_spending_adjustment=0.0, soft_budget=0.0,
        exit_after=4, jobs=jobs, paid=np.array([[0.0, 8 * 0.9 + 5 * 1.2, 0.0]]))
    assert books.city["wage_bill"] == pytest.approx([132.0])
    assert books.city["wages"] == pytest.approx([132.0])
    assert books.profit == pytest.approx([28.0, 20.0])
    assert books.city["benefits"] == pytest.approx([2 * 0.5 * 10.0])


def _two_firm_books(soft_budget: float) -> accounts.Accounts:
    """The two-firm quarter of the next test at soft-credit generosity ``soft_budget``."""
    return accounts.settle(
        alive=np.array([True, True]), firm_city=np.array([0, 0]), revenue=np.array([100.0, 30.0]),
        employees=np.array([[0, 8, 0], [0, 5, 0]]), capital=np.zeros(2), investment=np.zeros(2),
        capacity_support=np.zeros(2), entry_support=np.zeros(2), targeted=np.array([0.0, 1.0]),
        loss_streak=np.array([0, 3]), wages=np.array([[5.0, 10.0, 18.0]]),
        employed=np.array([[0, 13, 0]]), labour_force=np.array([[0, 15, 0]]), budgets=np.zeros(1),
        savings=np.zeros(1), saving_rate=0.0, dissaving_share=0.0, depreciation=0.0, profit_tax=0.25,
        income_tax=0.1, unemployment_benefit=0.5, public_spending_adjustment=0.0, soft_budget=soft_budget,
        exit_after=4)


def test_accounts_pay_out_every_yuan_and_soft_credit_keeps_failing_targets():
    # two firms in city 0: firm 0 sells 100 with 8 workers at wage 10 (profit 20, tax 25 % = 5);
    # firm 1 sells 30 with 5 workers (profit -20), its fourth loss. Its closure would cost the
    # government benefits 0.5 x 10 x 5 = 25 plus income tax 0.1 x 50 = 5, 30 in all; it is a full
    # target (priority 1), so its credit line is 1 x 1 x 1 x 30 = 30 >= 20: it gets soft credit of 20
    books = _two_firm_books(soft_budget=1.0)
    assert books.profit == pytest.approx([15.0, -20.0])
    assert books.loss_streak.tolist() == [0, 4]
    assert not books.failing.any()
    assert books.soft_credit == pytest.approx([0.0, 20.0]) and books.debt == pytest.approx([0.0, 20.0])
    assert books.subsidy == pytest.approx([0.0, 20.0])
    flows = books.city
    assert flows["wages"] == pytest.approx([130.0]) and flows["wage_bill"] == pytest.approx([130.0])
    assert flows["benefits"] == pytest.approx([2 * 0.5 * 10.0])
    # taxes 13 + 5 = 18 pay benefits 10 and soft credit 20: the government borrows 12
    assert books.budgets == pytest.approx([18.0 - 10.0 - 20.0])
    # all revenue (130) plus government borrowing (12) is spent next quarter
    assert books.spending.sum() == pytest.approx(130.0 + 12.0)
    # at half the generosity the line is 15 < 20: hard budget, the firm fails
    hard = _two_firm_books(soft_budget=0.5)
    assert hard.failing.tolist() == [False, True] and hard.soft_credit.sum() == 0.0


def test_households_borrow_what_owners_losses_take_beyond_their_income():
    # a firm of city 0 that sells nothing pays its 4 workers, who live in city 1, 10 each: city 0's
    # owners lose 40 and it has no other income; it cannot plan negative spending, so its households
    # borrow 40 (savings -40). City 1: wages 40 - income tax 50 % = 20, plus public spending of the 20.
    books = accounts.settle(
        alive=np.array([True]), firm_city=np.array([0]), revenue=np.array([0.0]),
        employees=np.array([[0, 4, 0]]), capital=np.zeros(1), investment=np.zeros(1),
        capacity_support=np.zeros(1), entry_support=np.zeros(1), targeted=np.zeros(1),
        loss_streak=np.array([0]), wages=np.array([[5.0, 10.0, 18.0]] * 2),
        employed=np.array([[0, 0, 0], [0, 4, 0]]), labour_force=np.array([[0, 0, 0], [0, 4, 0]]),
        budgets=np.zeros(2), savings=np.zeros(2), saving_rate=0.0, dissaving_share=0.0, depreciation=0.0,
        profit_tax=0.0, income_tax=0.5, unemployment_benefit=0.0, public_spending_adjustment=0.0,
        soft_budget=0.0, exit_after=4)
    assert books.city["income"] == pytest.approx([-40.0, 20.0])
    assert books.spending == pytest.approx([0.0, 40.0])
    assert books.savings == pytest.approx([-40.0, 0.0])
    # money (spending + budgets + savings) is 0, as before the quarter
    assert (books.spending + books.budgets + books.savings).sum() == pytest.approx(0.0)


def _locked_quarter(relief: np.ndarray | None, share: np.ndarray | None, revenue: np.ndarray,
                    streak: tuple = (3, 0)) -> accounts.Accounts:
    """One city, two firms of 4 workers at wage 10 (wage bill 40 each); firm 0 is in its fourth loss
    quarter and past ``exit_after`` 3 with hard budgets (it fails; ``streak`` (0, 0): it does not).
    Interest 10 % a quarter on debt and relief loans; savings 100."""
    return accounts.settle(
        alive=np.array([True, True]), firm_city=np.array([0, 0]), revenue=revenue,
        employees=np.array([[0, 4, 0], [0, 4, 0]]), capital=np.zeros(2), investment=np.zeros(2),
        capacity_support=np.zeros(2), entry_support=np.zeros(2), targeted=np.zeros(2),
        loss_streak=np.array(streak), wages=np.array([[5.0, 10.0, 18.0]]),
        employed=np.array([[0, 8, 0]]), labour_force=np.array([[0, 8, 0]]), budgets=np.zeros(1),
        savings=np.array([100.0]), saving_rate=0.0, dissaving_share=0.0, depreciation=0.0, profit_tax=0.0,
        income_tax=0.0, unemployment_benefit=0.0, public_spending_adjustment=0.0, soft_budget=0.0,
        exit_after=3, interest_rate=0.1, debt=np.zeros(2), relief=relief, relief_share=share,
        paused=None if share is None else share > 0)


def test_a_locked_firm_borrows_its_loss_and_repays_it_out_of_profits():
    # lockdown quarter, relief share 0.75: firm 1 sells 10 against its wage bill of 40 and owes 8 in
    # relief (interest 0.8): its loss is 30.8, of which its banks lend 0.75 x 30.8 = 23.1 from the city's
    # savings. Firm 0 (loss 40, failing) gets nothing. Owners' cash flow: -40 + (-30.8 + 23.1) = -47.7
    books = _locked_quarter(np.array([0.0, 8.0]), np.array([0.75, 0.75]), np.array([0.0, 10.0]))
    assert books.profit == pytest.approx([-40.0, -30.8])
    assert books.failing.tolist() == [True, False]
    assert books.relief == pytest.approx([0.0, 8.0 + 23.1])
    assert books.city["relief_lent"] == pytest.approx([23.1]) and books.city["relief_repaid"] == pytest.approx([0.0])
    assert books.city["owners"] == pytest.approx([-47.7])
    assert books.city["interest"] == pytest.approx([0.8])
    # households: wages 80 + owners -47.7 + interest 0.8 = 33.1, all spent; savings lent: 100 - 23.1
    assert books.city["income"] == pytest.approx([33.1]) and books.spending == pytest.approx([33.1])
    assert books.savings == pytest.approx([76.9])
    # the quarter after: firm 1 sells 60 and owes 31.1 (interest 3.11): its profit 16.89 repays 16.89,
    # which returns to the savings; the rest (14.21) stays owed
    after = _locked_quarter(np.array([0.0, 31.1]), np.zeros(2), np.array([40.0, 60.0]))
    assert after.profit == pytest.approx([0.0, 16.89])
    assert after.relief == pytest.approx([0.0, 14.21])
    assert after.city["relief_repaid"] == pytest.approx([16.89]) and after.city["owners"] == pytest.approx([0.0])
    assert after.savings == pytest.approx([100.0 + 16.89])
    # money is conserved: what buyers spent (the revenue) and the savings before are next quarter's
    # spending, budgets and savings (10 + 100 = 33.1 + 0 + 76.9; 100 + 100 = 83.11 + 0 + 116.89)
    for quarter in (books, after):
        assert (quarter.spending + quarter.budgets + quarter.savings).sum() == pytest.approx(
            quarter.city["revenue"].sum() + 100.0)
    # without the relief share the owners carry the loss (cash flow -70.8) and the savings stay
    carried = _locked_quarter(np.array([0.0, 8.0]), np.zeros(2), np.array([0.0, 10.0]))
    assert carried.city["owners"] == pytest.approx([-70.8]) and carried.savings == pytest.approx([100.0])
    assert carried.relief == pytest.approx([0.0, 8.0])


def test_relief_lends_the_owners_net_loss_not_a_loss_they_gain_back_at_another_firm():
    # lockdown quarter, relief share 0.75: firm 0 sells 60 (profit 20: the lockdown's scarcity), firm 1
    # sells 10 and owes 8 in relief (profit 10 - 40 - 0.8 = -30.8). The city's owners, who own both,
    # lose 30.8 - 20 = 10.8 net, so the banks lend 0.75 x 10.8 = 8.1 (not 0.75 x 30.8 = 23.1), to firm 1
    books = _locked_quarter(np.array([0.0, 8.0]), np.array([0.75, 0.75]), np.array([60.0, 10.0]), streak=(0, 0))
    assert books.profit == pytest.approx([20.0, -30.8])
    assert books.city["relief_lent"] == pytest.approx([8.1]) and books.relief == pytest.approx([0.0, 16.1])
    # owners' cash flow 20 - 30.8 + 8.1 = -2.7; households: wages 80 - 2.7 + interest 0.8 = 78.1, all
    # spent; the savings lend 8.1
    assert books.city["owners"] == pytest.approx([-2.7]) and books.city["income"] == pytest.approx([78.1])
    assert books.savings == pytest.approx([91.9])
    assert (books.spending + books.budgets + books.savings).sum() == pytest.approx(70.0 + 100.0)
    # owners who gain on the whole (firm 0 sells 80: profit 40 against 30.8 lost) borrow nothing
    gaining = _locked_quarter(np.array([0.0, 8.0]), np.array([0.75, 0.75]), np.array([80.0, 10.0]), streak=(0, 0))
    assert gaining.city["relief_lent"] == pytest.approx([0.0]) and gaining.relief == pytest.approx([0.0, 8.0])
    # the share of the losses lent, city by city: the net loss over the losses, at most 1
    assert accounts.net_cover(np.array([30.8, 0.0, 10.0, 5.0]), np.array([-10.8, 5.0, -20.0, 3.0])) == \
        pytest.approx([10.8 / 30.8, 1.0, 1.0, 0.0])


def test_relief_credit_lends_a_share_of_losses_and_takes_back_profits():
    lent, repaid = accounts.relief_credit(owed=np.array([0.0, 5.0, 5.0, 2.0]), share=np.array([0.5, 0.5, 0.0, 1.0]),
                                          profit=np.array([-8.0, -4.0, 3.0, 9.0]),
                                          eligible=np.array([True, False, True, True]))
    assert lent.tolist() == [4.0, 0.0, 0.0, 0.0]        # an ineligible (failing) firm borrows nothing
    assert repaid.tolist() == [0.0, 0.0, 3.0, 2.0]      # profits repay, never more than is owed


def test_support_beyond_the_allowance_is_rationed():
    # allowance: balance -5 + limit 0.03 x 400 + taxes 8 - benefits 3 = 12
    allowance = accounts.support_allowance(np.array([-5.0]), 0.03, np.array([400.0]), np.array([8.0]),
                                           np.array([3.0]))
    assert allowance == pytest.approx([12.0])
    assert accounts.support_allowance(np.array([-50.0]), 0.03, np.array([400.0]), np.array([8.0]),
                                      np.array([3.0])) == pytest.approx([0.0])
    # two firms in city 0 claim capacity subsidies of 10 and 20 (30 in all) against an allowance of 12:
    # each is paid 40 % (4 and 8); nothing is left for firm 2's soft credit (its loss of 10): it fails.
    # Its closure would cost benefits 1 x 10 x 4 = 40, so at generosity 1 its line (40) covers the loss
    common = dict(
        alive=np.ones(3, bool), firm_city=np.zeros(3, int), revenue=np.array([100.0, 100.0, 30.0]),
        employees=np.array([[0, 5, 0], [0, 5, 0], [0, 4, 0]]), capital=np.zeros(3), investment=np.zeros(3),
        capacity_support=np.array([10.0, 20.0, 0.0]), entry_support=np.zeros(3), targeted=np.ones(3),
        loss_streak=np.array([0, 0, 3]), wages=np.array([[5.0, 10.0, 18.0]]),
        employed=np.array([[0, 14, 0]]), labour_force=np.array([[0, 14, 0]]), budgets=np.zeros(1),
        savings=np.zeros(1), saving_rate=0.0, dissaving_share=0.0, depreciation=0.0, profit_tax=0.0,
        income_tax=0.0, unemployment_benefit=1.0, public_spending_adjustment=0.0, soft_budget=1.0, exit_after=4)
    books = accounts.settle(**common, allowance=np.array([12.0]))
    assert books.subsidy == pytest.approx([4.0, 8.0, 0.0])
    assert books.failing.tolist() == [False, False, True] and books.soft_credit.sum() == 0.0
    # with room for everything: subsidies in full and the soft credit (30 + 10 = 40)
    ample = accounts.settle(**common, allowance=np.array([100.0]))
    assert ample.subsidy == pytest.approx([10.0, 20.0, 10.0]) and not ample.failing.any()
    # 5 of the 10 needed left after subsidies (allowance 35): a soft loan is all or nothing, so it fails
    half = accounts.settle(**common, allowance=np.array([35.0]))
    assert half.failing.tolist() == [False, False, True]


def test_exits_take_the_failing_cohorts():
    out = entry.exits(np.array([True, True, False]), np.array([True, False, True]))
    assert out.tolist() == [True, False, False]


def test_worn_down_cohorts_merge_into_their_cells_largest():
    # cells 0, 0, 0, 1, 1; row 0 worn (0.2 of peak 1) -> row 2 (mass 0.9 > 0.5); row 3 worn -> row 4;
    # row 5 worn and alone in cell 2 -> stays; row 6 dead
    alive = np.array([True, True, True, True, True, True, False])
    cell = np.array([0, 0, 0, 1, 1, 2, 0])
    mass = np.array([0.2, 0.5, 0.9, 0.1, 0.3, 0.1, 0.0])
    peak = np.array([1.0, 1.0, 1.0, 1.0, 0.4, 1.0, 0.0])
    sources, destinations = entry.merge_pairs(alive, cell, mass, peak)
    assert sources.tolist() == [0, 3] and destinations.tolist() == [2, 4]


def test_setup_cohorts_at_the_stationary_ages_by_hand():
    # exit 1/4, merge share 1/4: survival (3/4)^a = 1, 0.75, 0.5625, 0.421875, 0.31640625, 0.2373 < 1/4,
    # so a cohort merges in its 5th quarter (A = 5) and entry sustains one cohort of each age 0..4
    assert entry.merge_age(0.25, 0.25) == 5
    assert entry.merge_age(0.015) == 92 and entry.merge_age(0.5, 0.25) == 3 and entry.merge_age(0.0) == 1
    # cell 0: 5 cohorts, offset 1/2: ages floor((i + 1/2) 5 / 5) = 0..4; the peak makes them sum to 5:
    # 5 / (1 + 0.75 + 0.5625 + 0.421875 + 0.31640625) = 5 / 3.05078125. Cell 1 (rows 5 and 2 in row
    # order 2, 5): 2 cohorts, offset 0: ages floor(0 * 5 / 2) = 0 and floor(1 * 5 / 2) = 2, peak 2 / 1.5625
    cell = np.array([0, 0, 1, 0, 0, 1, 0])
    age, mass, peak = entry.stationary_cohorts(cell, 0.25, np.array([0.5, 0.0]), share=0.25)
    assert age.tolist() == [0, 1, 0, 2, 3, 2, 4]
    top = 5 / 3.05078125
    np.testing.assert_allclose(peak, [top, top, 1.28, top, top, 1.28, top])
    np.testing.assert_allclose(mass, [top, 0.75 * top, 1.28, 0.5625 * top, 0.421875 * top, 0.72, 0.31640625 * top])
    assert np.bincount(cell, mass).tolist() == pytest.approx([5.0, 2.0])
    # the hazard and the merge rule then take one of cell 0's cohorts a quarter, the oldest first
    alive = np.ones(cell.size, dtype=bool)
    merged = []
    for _ in range(5):
        mass = mass * 0.75
        sources, _ = entry.merge_pairs(alive, cell, mass, peak, share=0.25)
        merged.append(sources[cell[sources] == 0].tolist())
        alive[sources] = False
    assert merged == [[6], [4], [3], [1], []]        # (row 0 is alone in its cell by then: it stays)
    with pytest.raises(ValueError, match="exit_rate"):
        entry.merge_age(1.0)
    with pytest.raises(ValueError, match="offsets"):
        entry.stationary_cohorts(cell, 0.25, np.array([0.5]))


def test_setup_cohorts_carry_their_mass_in_every_column():
    model = YRDModel(rng=3, **QUICK_SCALE)
    f, p = model.firms, model.params
    live = f.alive
    # each city-sector's mass is its calibrated count of founding cohorts; ages spread over 0..A - 1
    np.testing.assert_allclose(f.by_cell(np.where(live, f.mass, 0.0), model.geography.count), model.initial_firms)
    assert f.age[live].min() >= 1 and f.age[live].max() <= entry.merge_age(p.exit_rate)   # (+1: the set-up quarter)
    np.testing.assert_allclose(f.mass[live], f.peak[live] * (1 - p.exit_rate) ** (f.age[live] - 1))
    # overhead per founding cohort is the city-sector's; debt is the collateral line of the capital
    np.testing.assert_allclose(f.overhead[live] / f.mass[live], model.overhead_cell.ravel()[f.cell[live]])
    np.testing.assert_allclose(f.debt[live], p.leverage * model.capital_value()[live])
    # the first-year enterprises are the flow entry sustains; no cohort has more weak years than years
    first = p.exit_rate * sum((1 - p.exit_rate) ** k for k in range(4))
    np.testing.assert_allclose(f.joined[live].sum(axis=1), first * f.mass[live])
    assert (f.weak_years[live] <= (f.age[live] - 1) // 4).all()


def test_merging_cohorts_adds_them_up_and_keeps_the_ces_aggregate():
    from ydabm.agents.firms import Firms
    f = Firms(3, 1)
    f.open(np.arange(3), np.zeros((3, 3)), mass=np.array([1.0, 3.0, 2.0]), peak=np.array([4.0, 3.0, 8.0]),
           productivity=np.array([1.0, 2.0, 1.0]), capacity=np.array([5.0, 7.0, 1.0]),
           overhead=np.array([1.0, 2.0, 0.5]), expected_sales=np.array([10.0, 20.0, 3.0]), age=np.array([40, 8, 40]),
           adoption=np.array([1.0, 0.5, 0.5]))
    f.employees[:] = [[0, 2, 1], [0, 4, 0], [0, 1, 1]]
    # rows 0 and 2 (worn) both join row 1; sigma 3: z^2 averages: (1 * 1 + 3 * 4 + 2 * 1) / 6
    f.merge(np.array([0, 2]), np.array([1, 1]), np.array([3.0]))
    assert f.alive.tolist() == [False, True, False]
    assert (f.mass[1], f.capacity[1], f.overhead[1], f.expected_sales[1]) == (6.0, 13.0, 3.5, 33.0)
    assert f.productivity[1] == pytest.approx(np.sqrt(15 / 6))
    assert f.employees[1].tolist() == [0, 7, 2] and f.employees[[0, 2]].sum() == 0
    assert f.age[1] == 8 and f.peak[1] == 6.0
    # adopters add up: (1 x 1 + 3 x 0.5 + 2 x 0.5) / 6 of the merged enterprises
    assert f.adoption[1] == pytest.approx(3.5 / 6)


def test_a_cohort_shrinks_by_the_hazard_as_a_mass_flow():
    from ydabm.agents.firms import Firms
    f = Firms(2, 1)
    f.open(np.array([0]), np.zeros((1, 3)), mass=np.array([2.0]), capacity=np.array([10.0]),
           overhead=np.array([4.0]), expected_sales=np.array([8.0]), notional_sales=np.array([6.0]),
           productivity=np.array([3.0]))
    f.shrink(0.75)
    assert (f.mass[0], f.capacity[0], f.overhead[0], f.expected_sales[0], f.notional_sales[0]) == (1.5, 7.5, 3.0, 6.0, 4.5)
    assert f.productivity[0] == 3.0                      # what each remaining enterprise is like


def test_entrants_count_as_entrants_for_their_own_first_year():
    from ydabm.agents.firms import Firms
    f = Firms(1, 1)
    f.open(np.array([0]), np.zeros((1, 3)), mass=np.array([4.0]))
    f.joined[0] = [1.0, 0.0, 2.0, 0.0]          # joined in the last four quarters (a ring)
    assert f.entrant_share()[0] == pytest.approx(0.75)


def test_joining_a_cohort_keeps_its_ces_aggregate_exact():
    # sigma 3: z^2 averages; mass 1 at z = 1 and mass 3 at z = 2 -> ((1 + 3 * 4) / 4)^(1/2)
    out = entry.join_cohort(np.array([1.0, 0.0]), np.array([1.0, 5.0]), np.array([3.0, 2.0]),
                            np.array([2.0, 1.5]), np.array([3.0, 3.0]))
    assert out == pytest.approx([np.sqrt(13 / 4), 1.5])


def test_entrants_build_no_capacity_their_city_could_not_staff():
    # cohort A: city labour 10 farmers (mix: farmers only), overhead 2, phi 3, q 2, S(q) 0.8:
    # at most 10 workers, (10 - 2) * 3 = 24 units of output, the demand whose expected sales that is
    # 24 / 0.8 = 30, capacity 2 * 30 = 60. Cohort B: 40 low- and 10 high-skill workers, mix 0.8 / 0.2:
    # at most min(40 / 0.8, 10 / 0.2) = 50 workers, (50 - 5) * 1 / 0.5 * 1.5 = 135
    staffable = entry.staffable_capacity(np.array([[10.0, 99.0, 99.0], [7.0, 40.0, 10.0]]),
                                         np.array([[1.0, 0.0, 0.0], [0.0, 0.8, 0.2]]), np.array([2.0, 5.0]),
                                         np.array([3.0, 1.0]), np.array([2.0, 1.5]), np.array([0.8, 0.5]))
    assert staffable == pytest.approx([60.0, 135.0])
    # A holds capacity 40: 2 entrants at q 2 may add 20, so 5 units of demand each (they wanted 8);
    # B already holds 150 > 135: its entrants plan for no demand; C has room for all it wants
    capped = entry.entrant_demand_cap(np.array([8.0, 4.0, 1.0]), np.array([2.0, 1.0, 1.0]),
                                      np.array([2.0, 1.5, 2.0]), np.array([40.0, 150.0, 0.0]),
                                      np.array([60.0, 135.0, 100.0]))
    assert capped == pytest.approx([5.0, 0.0, 1.0])
    # a city with no workers of a class the cohort uses: nothing
    assert entry.staffable_capacity(np.array([[0.0, 5.0, 5.0]]), np.array([[0.5, 0.5, 0.0]]), np.array([0.0]),
                                    np.array([1.0]), np.array([2.0]), np.array([0.8]))[0] == 0.0


def test_the_staffable_bound_holds_after_entry_in_a_city_of_few_farmers():
    """Seed 4 with hard budgets: Tongling's farm labour force shrinks to a few worker agents. Measured
    (5 Dec 2026) as a farm cohort's capacity over what its city's farmers could staff, largest over
    farms: before the bound, 1.22 at quarter 60, 2.23 at 100, 6.07 at 150 and 87 at 200 (entrants kept
    adding capacity no one could work, which took agriculture out of the domain after 57 years:
    tests/test_long_run.py); with it at most 1.03 (incumbents' own investment and a labour force that
    shrank after they built)."""
    from ydabm.markets.goods import sales_share
    model = YRDModel(rng=4, soft_budget=0.0)
    f = model.firms
    for _ in range(100):
        model.step()
    farms = np.flatnonzero(f.alive & (f.sector == 0))
    ratio = model.cell_capacity_ratio().ravel()[f.cell[farms]]
    bound = entry.staffable_capacity(model.labour_force[f.city[farms]], np.tile([1.0, 0.0, 0.0], (farms.size, 1)),
                                     f.overhead[farms], model.effective_productivity()[farms], ratio,
                                     sales_share(ratio, model.params.demand_dispersion))
    assert (f.capacity[farms] <= 1.1 * bound).all(), (f.capacity[farms] / bound).max()


def test_entry_replaces_exits_at_the_2020_margin_and_is_bounded_by_the_pool():
    pool, replacement = np.array([[4.0, 4.0, 4.0]]), np.array([[1.0, 1.0, 1.0]])
    rate = entry.entry_intensity(pool, replacement, np.array([[0.1, 0.15, -1.0]]), np.full((1, 3), 0.1), 20.0)
    assert rate[0, 0] == pytest.approx(1.0)                                  # at the margin: replacement
    # 5 pp more margin: index log(1/3) + 1 -> 4 / (1 + 3 e^-1)
    assert rate[0, 1] == pytest.approx(4.0 / (1 + 3 * np.exp(-1.0)))
    assert 0 <= rate[0, 2] < 1e-6
    assert entry.entry_intensity(pool, replacement, np.full((1, 3), 10.0), np.zeros((1, 3)), 200.0).max() <= 4.0


def test_no_entry_into_a_market_no_one_can_reach_now_or_in_2020():
    # margins -inf: no market access now; a 2020 margin of -inf too leaves the gap undefined (was NaN
    # entrants, read as none, with a numpy warning); a finite 2020 margin gives a gap of -inf
    pool, replacement = np.full((1, 3), 4.0), np.full((1, 3), 1.0)
    margin, required = np.array([[-np.inf, -np.inf, 0.1]]), np.array([[-np.inf, 0.1, 0.1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rate = entry.entry_intensity(pool, replacement, margin, required, 20.0)
    assert rate[0, 0] == 0.0 and 0 <= rate[0, 1] < 1e-12 and rate[0, 2] == pytest.approx(1.0)


def test_a_first_year_subsidy_is_worth_its_first_years_share_of_discounted_revenue():
    # rho = 0.985 / 1.01; rho^4 = 0.904606 by hand -> 0.095394
    assert entry.first_year_weight(0.015, 0.01) == pytest.approx(1 - (0.985 / 1.01) ** 4)
    assert entry.first_year_weight(0.015, 0.01) == pytest.approx(0.095394, abs=1e-6)
    # half the enterprises leave each quarter and no discounting: 1 - 1/16 of the revenue comes in year 1
    assert entry.first_year_weight(0.5, 0.0) == pytest.approx(0.9375)
    # by the sum itself: the first four of the discounted survival weights rho^t over all of them
    rho = 0.97 / 1.02
    weights = rho ** np.arange(4000)
    assert entry.first_year_weight(0.03, 0.02) == pytest.approx(weights[:4].sum() / weights.sum())
    assert entry.first_year_weight(0.0, 0.0) == 0.0       # an eternal, undiscounted enterprise
    with pytest.raises(ValueError, match="exit_rate"):
        entry.first_year_weight(1.0, 0.01)


def test_the_entry_margin_values_the_entry_subsidy_at_its_first_year_worth():
    # the same economy with and without the entry subsidy: entrants expect w x subsidy x support more
    kwargs = dict(rng=1, people_per_agent=20000.0)
    plain = YRDModel(entry_subsidy=0.0, **kwargs)
    subsidised = YRDModel(entry_subsidy=0.2, **kwargs)
    assert np.array_equal(plain.targets, subsidised.targets) and plain.targets.max() > 0
    gap = subsidised.expected_margin() - plain.expected_margin()
    weight = entry.first_year_weight(plain.params.exit_rate, plain.params.interest_rate)
    assert gap == pytest.approx(weight * 0.2 * plain.targets, abs=1e-12)
    assert gap.max() == pytest.approx(0.2 * 0.095394, abs=1e-6)     # a fully supported sector


def test_entrants_draw_above_the_cutoff_and_the_cutoff_breaks_even():
    draws = entry.truncated_normal(np.full(10000, -0.1), 0.2, np.random.default_rng(0).random(10000))
    assert draws.min() >= -0.1 - 1e-12
    # at the cutoff a, z^(sigma-1) / E[z^(sigma-1) | log z >= a] equals the break-even threshold
    sigma, spread, threshold = 5.0, 0.12, 0.4
    a = entry.zero_profit_cutoff(np.array([threshold]), np.array([sigma]), spread)[0]
    sample = entry.truncated_normal(np.full(400_000, a), spread, np.random.default_rng(1).random(400_000))
    mean = np.exp((sigma - 1) * sample).mean()
    assert np.exp((sigma - 1) * a) / mean == pytest.approx(threshold, rel=0.01)


def test_a_founding_cohort_stands_for_the_enterprises_of_its_jobs():
    assert entry.enterprises_per_firm(1.0, 17.6) == pytest.approx(1.0)
    assert entry.enterprises_per_firm(2000.0, 23.5) == pytest.approx(2000 * 23.5 / 17.6)


def test_targets_follow_advantage_or_the_herd():
    advantage = np.array([[1.0, 0.2, 0.0], [0.0, 0.3, 1.0]])
    strategic = np.array([0.0, 1.0, 0.0])
    previous = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    eligible = np.ones(3, dtype=bool)
    hard = np.inf
    own = targeting.allocate_support(targeting.target_scores(advantage, strategic, previous, 1.0), eligible, 1, hard)
    assert own.tolist() == [[1, 0, 0], [0, 0, 1]]
    # specialization 0: score = (strategic + peers' support) / 2 -> sector 1 everywhere
    herd = targeting.allocate_support(targeting.target_scores(advantage, strategic, previous, 0.0), eligible, 1, hard)
    assert herd.tolist() == [[0, 1, 0], [0, 1, 0]]


def test_support_is_a_capped_logit_adding_up_to_the_budget():
    # scores 0.9, 0.8, 0.5, 0.1 (a fifth sector not eligible), budget 2, sharpness 5: the top sector is
    # capped at 1; the rest share 1 in proportion to exp(5 score): e^4 / (e^4 + e^2.5 + e^0.5) etc.
    scores = np.array([[0.9, 0.8, 0.5, 0.1, 0.7]])
    eligible = np.array([True, True, True, True, False])
    support = targeting.allocate_support(scores, eligible, 2, 5.0)
    rest = np.exp(5 * np.array([0.8, 0.5, 0.1]))
    assert support[0] == pytest.approx([1.0, *(rest / rest.sum()), 0.0])
    # limits: sharpness 0 spreads the budget evenly; a very large one is the hard top-2 choice
    assert targeting.allocate_support(scores, eligible, 2, 0.0)[0] == pytest.approx([0.5, 0.5, 0.5, 0.5, 0.0])
    assert targeting.allocate_support(scores, eligible, 2, 1e4)[0] == pytest.approx([1, 1, 0, 0, 0])
    # a budget at least the number of eligible sectors supports all of them fully
    assert targeting.allocate_support(scores, eligible, 8, 5.0)[0].tolist() == [1, 1, 1, 1, 0]
    # intensities move continuously with the scores: a small change of a score, a small change of support
    nudged = targeting.allocate_support(scores + np.array([[0, 0, 0.01, 0, 0]]), eligible, 2, 5.0)
    assert np.abs(nudged - support).max() < 0.05


def test_the_support_budget_is_counted_in_the_citys_mean_sector():
    # three sectors of sizes 1, 3, 2 (employment), scores 0.9, 0.8, 0.5, budget 1 sector-equivalent: the
    # budget is 1 x 6 / 3 = 2 (the mean sector's size), so sum_s tau_s x_s = 2 whatever is chosen
    scores = np.array([[0.9, 0.8, 0.5]])
    eligible = np.ones(3, dtype=bool)
    size = np.array([[1.0, 3.0, 2.0]])
    # the hard choice: the best sector fully (cost 1), the next with what is left, (2 - 1) / 3
    assert targeting.allocate_support(scores, eligible, 1, np.inf, size)[0] == pytest.approx([1, 1 / 3, 0])
    # sharpness 0: one intensity for all, 2 / 6
    assert targeting.allocate_support(scores, eligible, 1, 0.0, size)[0] == pytest.approx([1 / 3] * 3)
    # sharpness 5: tau = lambda exp(5 (score - 0.9)), lambda = 2 / (1 + 3 e^-0.5 + 2 e^-2) = 0.6472 (no cap)
    weight = np.exp(5 * (scores[0] - 0.9))
    lam = 2 / (weight * size[0]).sum()
    support = targeting.allocate_support(scores, eligible, 1, 5.0, size)[0]
    assert lam == pytest.approx(0.6472, abs=1e-4) and support == pytest.approx(lam * weight)
    assert (support * size[0]).sum() == pytest.approx(2.0)
    # the same scores where the best sector is the largest: it is backed less intensely, at the same cost
    large_first = targeting.allocate_support(scores, eligible, 1, np.inf, np.array([[3.0, 1.0, 2.0]]))[0]
    assert large_first == pytest.approx([2 / 3, 0, 0])
    # equal sizes: the intensities add up to the budget in sectors (the unweighted allocation)
    assert targeting.allocate_support(scores, eligible, 2, 5.0, np.full((1, 3), 7.0)) == pytest.approx(
        targeting.allocate_support(scores, eligible, 2, 5.0))


def test_specialization_moves_which_sectors_are_supported_not_how_much(small_params):
    # issue 11 item 1: the budget is the same share of every city's tradable employment at any specialization
    model = YRDModel(rng=3, **small_params)
    structure = model.employment_by_sector()
    eligible = model.sectors.targetable
    tradable = np.where(eligible[None, :], structure, 0)
    budget = model.params.targets_per_city * tradable.sum(axis=1) / eligible.sum()
    chosen = []
    for w in (0.0, 1.0):
        support = targeting.allocate_support(
            targeting.target_scores(targeting.revealed_advantage(structure), model.sectors.strategic.astype(float),
                                    model.targets, w), eligible, model.params.targets_per_city,
            model.params.target_sharpness, structure)
        np.testing.assert_allclose((support * tradable).sum(axis=1), np.minimum(budget, tradable.sum(axis=1)),
                                   rtol=1e-9)
        chosen.append(support)
    assert np.abs(chosen[1] - chosen[0]).max() > 0.5          # the lever does move the choice


def test_imitation_weighs_peers_against_prestige_by_hand():
    # two cities, two sectors; prestige (1, 0); last year city 1 supported sector 1 fully, city 0 nothing
    strategic = np.array([1.0, 0.0])
    previous = np.array([[0.0, 0.0], [0.0, 1.0]])
    advantage = np.array([[0.4, 1.0], [1.0, 0.2]])
    # specialization 0.25, imitation 0.8: city 0 sees peers (0, 1): 0.25 x 0.4 + 0.75 x (0.2 x 1 + 0.8 x 0)
    # = 0.25 and 0.25 x 1 + 0.75 x 0.8 x 1 = 0.85; city 1 sees peers (0, 0): 0.25 + 0.15, 0.05 + 0
    scores = targeting.target_scores(advantage, strategic, previous, 0.25, imitation=0.8)
    assert scores == pytest.approx(np.array([[0.25, 0.85], [0.4, 0.05]]))
    # imitation 0: prestige alone, peers ignored; the default 0.5 is the equal weighting (prestige + peers) / 2
    assert targeting.target_scores(advantage, strategic, previous, 0.0, imitation=0.0) == pytest.approx(
        np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert targeting.target_scores(advantage, strategic, previous, 0.0) == pytest.approx(
        np.array([[0.5, 0.5], [0.5, 0.0]]))


def test_target_imitation_out_of_range_names_the_field():
    with pytest.raises(ParameterError, match="target_imitation"):
        Params.build({"target_imitation": 1.5})


def test_effective_sectors_is_the_inverse_herfindahl_of_support():
    # (1, 1, 1, 0): 9 / 3 = 3; (1, 0.5, 0.5, 0.5, 0.5): 9 / 2 = 4.5; even (0.6 x 5): 5; no support: 0
    support = np.array([[1, 1, 1, 0, 0], [1, 0.5, 0.5, 0.5, 0.5], [0.6] * 5, [0] * 5])
    assert targeting.effective_sectors(support) == pytest.approx([3.0, 4.5, 5.0, 0.0])


def test_target_sharpness_is_calibrated_to_the_g60_list():
    """The G60 corridor's joint 2019 list names seven industries; on the model's sectors (as for the
    ``strategic`` field: high-end equipment and NEVs -> machinery, IC, biomedicine, AI -> digital economy,
    new energy; new materials has no model sector) the shares are 2/6, 1/6 x 4: inverse Herfindahl
    36 / 8 = 4.5. At the default sharpness the nine cities' 2020 support spreads over as many effective
    sectors (shared data evidence/target_industry_homogeneity_evidence.csv)."""
    model = YRDModel(rng=1)
    names = list(model.geography.names)
    g60 = [names.index(c) for c in ("Shanghai", "Jiaxing", "Huzhou", "Hangzhou", "Jinhua", "Suzhou_JS",
                                    "Xuancheng", "Wuhu", "Hefei")]
    g60_list = targeting.effective_sectors(np.array([[2, 1, 1, 1, 1]]) / 6)[0]      # the moment: 4.5
    assert targeting.effective_sectors(model.targets[g60]).mean() == pytest.approx(g60_list, abs=0.05)
    # the moment identifies the sharpness: the old assumption (20) concentrates support on 3.8 sectors
    # (3.4 while the support budget was counted in sectors), outside the calibration's tolerance
    sharp = YRDModel(rng=1, target_sharpness=20.0)
    assert targeting.effective_sectors(sharp.targets[g60]).mean() < g60_list - 0.05


def test_revealed_advantage_by_hand():
    # city 0: 30/40 in sector 0 against 40/100 region-wide -> RCA 1.875; sector 1: 10/40 / 0.6 = 0.417
    rca = targeting.revealed_advantage(np.array([[30.0, 10.0], [10.0, 50.0]]))
    assert rca[0] == pytest.approx([1.0, (10 / 40 / 0.6) / (30 / 40 / 0.4)])


def test_rd_share_is_the_first_order_condition_of_the_expected_return():
    # theta = 0.01, beta = 0.5, spillover 1 (psi kappa); a step of ln(3) / 4 triples revenue at sigma = 5
    # (exp(4 gamma) = 3), so profit (revenue / 5) rises by 2/5 of revenue a quarter, worth 0.4 / 0.025 = 16
    # quarters of revenue: s* = (0.01 x 0.5 x 2 x 16)^2 = 0.0256; a subsidy of 0.2 divides the cost:
    # (0.16 / 0.8)^2 = 0.04
    value = technology.innovation_value(np.array([5.0]), np.log(3.0) / 4, 0.025)
    assert value == pytest.approx([16.0])
    assert technology.rd_share(0.01, 1.0, value, 0.5, 0.0) == pytest.approx([0.0256])
    assert technology.rd_share(0.01, 1.0, value, 0.5, 0.2) == pytest.approx([0.04])
    # at s* the marginal return equals the cost: d(lambda v)/ds = theta beta s^(beta-1) (1 + spill) v = 1
    share = 0.0256
    assert 0.01 * 0.5 * share ** -0.5 * 2 * 16 == pytest.approx(1.0)
    # the rate at s*: theta s^beta (1 + spill) = 0.01 x 0.16 x 2 = 0.0032 = s* / (beta v)
    rate = technology.innovation_rate(0.01, share, 1.0, 0.5)
    assert rate == pytest.approx(0.0032) and rate == pytest.approx(share / (0.5 * 16))
    assert technology.rd_share(10.0, 0.0, value, 0.5, 0.0) == pytest.approx([technology.MAX_RD_SHARE])


def test_arrivals_raise_an_agent_by_the_gain_of_its_enterprises_ces_mean():
    # sigma = 5, a step of ln(3) / 4: an innovating enterprise's z^4 triples. 30 innovations among 1000
    # enterprises: the mean of z^4 becomes 1 + 2/1000 per innovation, (1.002)^30; the agent's log
    # productivity rises by 30 ln(1.002) / 4 (about 0.01499, against the mean log gain 30/1000 x 0.2747 =
    # 0.00824 of the enterprises)
    step, sigma = np.log(3.0) / 4, np.array([5.0, 5.0])
    gain = technology.innovation_gain(np.array([30.0, 0.0]), 1000.0, step, sigma)
    assert gain == pytest.approx([30 * np.log(1.002) / 4, 0.0])
    # one enterprise: each innovation is the step itself
    one = technology.innovation_gain(np.array([1.0, 2.0]), 1.0, step, sigma)
    assert one == pytest.approx([step, 2 * step])
    # the region's rate: 0.01 innovations a quarter per enterprise, E[z'^4 / z^4] = exp(0.01 x 2), a log
    # growth of 0.02 / 4 = 0.005 a quarter (the mean log gain would be 0.01 x 0.2747 = 0.0027)
    assert technology.innovation_growth(np.array([0.01]), step, np.array([5.0])) == pytest.approx([0.005])


def test_the_ces_mean_grows_at_the_same_expected_rate_whatever_an_agent_stands_for():
    # agents of k = 1, 10 and 1000 enterprises innovating at 0.01 a quarter: the mass-weighted mean of
    # z^4 over 200,000 agent-quarters grows by exp(0.02) = 1.0202 at every k (Poisson(k lambda) arrivals)
    rng = np.random.default_rng(7)
    step, rate = np.log(3.0) / 4, 0.01
    for k in (1.0, 10.0, 1000.0):
        arrivals = rng.poisson(k * rate, 200_000).astype(float)
        gain = technology.innovation_gain(arrivals, k, step, np.full(arrivals.size, 5.0))
        # standard error of the mean of exp(4 gain): at k = 1 about sqrt(0.01 x 4) / sqrt(2e5) = 0.00045
        assert np.mean(np.exp(4 * gain)) == pytest.approx(np.exp(0.02), abs=0.002)


def test_knowledge_weights_decay_with_hours_and_lose_across_borders():
    hours = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    province = np.array([0, 0, 1])
    barrier = np.array([0.4, 0.8])
    weights = knowledge_weights(hours, province, barrier, 1.0, 0.5)
    cross = 1 - 0.5 * (0.4 + 0.8) / 2                 # 0.7: half the flows lost at the border's barrier 0.6
    expected = np.array([[0.0, np.exp(-1), np.exp(-2) * cross],
                         [np.exp(-1), 0.0, np.exp(-1) * cross],
                         [np.exp(-2) * cross, np.exp(-1) * cross, 0.0]])
    np.testing.assert_allclose(weights, expected)
    open_flows = knowledge_weights(hours, province, barrier, 1.0, 0.0)
    assert open_flows[0, 2] == pytest.approx(np.exp(-2))
    # pools over the mean city's stock; flows and the cross-province share
    stocks = np.array([2.0, 1.0, 3.0])
    pool = technology.knowledge_pool(weights, stocks, 2.0)
    assert pool[0] == pytest.approx((np.exp(-1) * 1 + np.exp(-2) * cross * 3) / 2)
    assert technology.spillover_term(np.array([0.0, 1.0, 3.0]), 2.0) == pytest.approx([0.0, 1.0, 1.5])
    flows = technology.spillover_flows(weights, stocks)
    assert flows[2, 0] == pytest.approx(np.exp(-2) * cross * 2)
    assert technology.rd_stock(np.array([10.0]), np.array([1.0]), 0.1) == pytest.approx([10.0])


def test_adoption_follows_gain_over_cost_and_moves_as_a_mass_flow():
    # c = 8 x (1 - 0.5) x exp(-10 x 0.1) = 4 / e; v = 4 / e: half the enterprises find that adoption pays
    cost = technology.adoption_cost(8.0, np.array([0.1]), 10.0, 0.5)
    assert cost == pytest.approx([4 / np.e])
    target = technology.adoption_target(np.array([[4 / np.e, 4 / np.e * np.exp(1.0), 0.0]]), cost[:, None], 1.0)
    assert target[0] == pytest.approx([0.5, 0.8413447460685429, 0.0])        # Phi(0), Phi(1); 0 cannot adopt
    assert technology.adopt(np.array([0.2]), np.array([0.6]), 0.25) == pytest.approx([0.3])
    assert technology.digital_factor(np.array([0.5]), np.array([0.5]), 0.1) == pytest.approx([1.0])
    assert technology.digital_factor(np.array([1.0]), np.array([0.0]), 0.1) == pytest.approx([1.1])


def test_frictions_are_one_function_of_the_barrier():
    geo, sectors = build_geography(), load_sectors()
    protecting = np.ones(geo.count, dtype=bool)
    open_market = frictions(geo, sectors, 0.0, 0.3, 1.0, 0.3, protecting)
    closed = frictions(geo, sectors, 1.0, 0.3, 1.0, 0.3, protecting)
    assert open_market.wedge.max() == 1.0 and closed.wedge.max() == pytest.approx(1.3)
    assert (open_market.hukou_cost == 0.0).all() and closed.hukou_cost == pytest.approx(np.full(geo.count, 0.3))
    within = ~geo.cross_province
    np.testing.assert_allclose(open_market.iceberg[:, within], closed.iceberg[:, within])   # no border inside
    assert (closed.iceberg[:, geo.cross_province] > open_market.iceberg[:, geo.cross_province]).all()


def test_params_are_typed_frozen_and_named_apart_from_the_model():
    params = Params.build({"barrier": "0.25"})
    assert params.barrier == 0.25 and isinstance(params.targets_per_city, int)
    assert [f.name for f in dataclasses.fields(Params)] == [p.name for p in PARAMS]
    assert {f.name: f.default for f in dataclasses.fields(Params)} == {p.name: p.default for p in PARAMS}
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.barrier = 0.3
    with pytest.raises(ParameterError, match="barrier"):
        Params.build({"barrier": 2})
    model = YRDModel(rng=1, **QUICK_SCALE)
    clashes = [p.name for p in PARAMS if p.name in vars(model) or hasattr(type(model), p.name)]
    assert clashes == []


def test_barrier_is_read_from_the_levers_and_moves_the_frictions():
    model = YRDModel(rng=1, barrier=1.0, **QUICK_SCALE)
    before = model.frictions
    model.set_barrier(0.0)
    assert (model.levers.barrier == 0.0).all() and (model.frictions.hukou_cost == 0.0).all()
    assert model.frictions.wedge.max() == 1.0 < before.wedge.max()


def test_the_mesa_network_follows_the_geography():
    from ydabm.policies import NetworkUpgrade
    model = YRDModel(rng=1, policies=(NetworkUpgrade(),), **QUICK_SCALE)
    edges = model.space.G.number_of_edges()
    for _ in range(20):
        model.step()
    assert model.space.G.number_of_edges() > edges
    assert sorted(map(sorted, model.space.G.edges)) == sorted(map(sorted, model.geography.graph.edges))
    for a, b, data in model.geography.graph.edges(data=True):
        assert model.space.G.edges[a, b] == data
    government = model.governments[0]
    neighbours = {c.coordinate for c in government.cell.neighborhood}
    assert neighbours == set(model.geography.graph.neighbors(0))


def test_a_regional_pool_shares_taxes_by_the_key():
    # city 0 collects 30 (income tax 50 % of wages 60), city 1 collects 10 (of 20); half of each is
    # pooled (20) and paid back half and half: city 0 gets 10 for its 15 (-5), city 1 10 for its 5 (+5)
    common = dict(
        alive=np.zeros(0, bool), firm_city=np.zeros(0, int), revenue=np.zeros(0), employees=np.zeros((0, 3), int),
        capital=np.zeros(0), investment=np.zeros(0), capacity_support=np.zeros(0), entry_support=np.zeros(0),
        targeted=np.zeros(0), loss_streak=np.zeros(0, int),
        wages=np.array([[1.0, 10.0, 20.0], [1.0, 10.0, 20.0]]), employed=np.array([[0, 6, 0], [0, 2, 0]]),
        labour_force=np.array([[0, 6, 0], [0, 2, 0]]), budgets=np.zeros(2), savings=np.zeros(2), saving_rate=0.0,
        dissaving_share=0.0, depreciation=0.0, profit_tax=0.0, income_tax=0.5, unemployment_benefit=0.0,
        public_spending_adjustment=0.0, soft_budget=0.0, exit_after=4)
    shared = accounts.settle(**common, tax_sharing=0.5, tax_key=np.array([0.5, 0.5]))
    assert shared.city["tax_transfer"] == pytest.approx([-5.0, 5.0])
    assert shared.city["public"] == pytest.approx([25.0, 15.0])          # what each government then spends
    alone = accounts.settle(**common)
    assert alone.city["tax_transfer"] == pytest.approx([0.0, 0.0]) and alone.city["public"] == pytest.approx([30.0, 10.0])
    assert shared.spending.sum() == pytest.approx(alone.spending.sum())   # the pool neither creates nor loses money


def test_the_entrants_cohort_threshold_is_the_same_number_of_people_at_every_scale():
    # 10,000 working-age people: 5 worker agents of 2000 people, 20 of 500, 10,000 of one person each
    for people_per_agent, agents in ((2000.0, 5.0), (500.0, 20.0), (1.0, 10_000.0)):
        mass = entry.min_cohort_mass(people_per_agent, 23.5)
        assert mass * 23.5 == pytest.approx(agents)
        assert mass * 23.5 * people_per_agent == pytest.approx(entry.MIN_COHORT_WORKERS) == pytest.approx(10_000.0)
    # coarser than the default, a cohort must still be staffable with 5 whole worker agents (not 0.5)
    assert entry.min_cohort_mass(20000.0, 23.5) * 23.5 == pytest.approx(entry.MIN_COHORT_STAFF) == pytest.approx(5.0)
