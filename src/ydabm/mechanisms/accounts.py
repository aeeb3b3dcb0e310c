"""Accounts: wages, interest, profits, taxes, subsidies, soft credit, budgets and next quarter's spending.

Money is a fixed stock (the model's nominal anchor): every yuan of revenue is paid out as wages,
owners' cash flow or taxes, and every yuan a household or government receives is spent next quarter,
saved, or kept in its budget. So spending' + budgets' + savings' = spending + budgets + savings. The
stock is net: a government's negative balance (borrowing within its allowance) or households' negative
savings (borrowing where owners' losses exceed the rest of the city's income) leave the positive
balances above it, so borrowing raises next quarter's spending.

Firms pay interest on their debt to the banks of their city, which belong to its households
(:mod:`ydabm.mechanisms.credit`): interest is a cost in profit and household income.

Relief credit (:func:`relief_credit`). In a quarter when a lockdown keeps a city's workers away, its
banks lend each of its firms that is neither failing nor on soft credit a share (the lockdown's
``relief``) of its loss, as far as the city's owners lose on the whole (:func:`net_cover`: its
households own all its firms, so a loss they gain back at another firm is not lent); the loan is
repaid out of positive profits. The banks lend their depositors' savings: the loan moves money
from the city's household savings to its owners' cash flow, and a repayment moves it back, so owners
do not carry the lockdown's loss out of that quarter's income (households' spending follows income).
The loan bears interest as debt does. The households' deposits are their savings plus the relief
loans outstanding: a release of savings after a shock spends a share of the deposits, and what an
exiting enterprise owes is written off with its debt (the savings lent for it stay spent).

Governments pay unemployment benefits in full and support firms (entry and capacity subsidies, soft
credit) out of an ``allowance``: what their balance, their borrowing room up to a debt limit and last
quarter's net revenue allow (:func:`support_allowance`). When the claims exceed it, support is
rationed: subsidies are paid pro rata, and soft credit goes to the failing firms in order of
priority (:func:`ydabm.mechanisms.credit.ration`) until the rest of the allowance is spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..agents.firms import BinSums, row_sums
from . import credit


@dataclass(frozen=True)
class Accounts:
    """One quarter's accounts.

    Attributes:
        profit: (F,) profit after interest and tax, with subsidies, before soft credit, yuan.
        subsidy: (F,) entry and capacity subsidies plus soft credit received, yuan.
        loss_streak: (F,) consecutive loss-making quarters.
        zombie: (F,) zombie firms (:func:`ydabm.mechanisms.credit.zombies`).
        failing: (F,) firms whose losses have lasted ``exit_after`` quarters and that get no soft
            credit: they exit.
        debt: (F,) debt after the quarter, yuan.
        soft_debt: (F,) soft credit carried after the quarter (part of ``debt``), yuan
            (:func:`ydabm.mechanisms.credit.roll_debt`).
        weak_years: (F,) consecutive years of interest coverage below 1 on yearly accounts
            (:func:`ydabm.mechanisms.credit.weak_years`).
        year_operating, year_interest: (F,) the calendar year's operating profit and interest so far,
            this quarter included (0 after a year end: the next year starts), yuan.
        interest: (F,) interest paid this quarter, yuan.
        soft_credit: (F,) soft credit extended this quarter, yuan.
        experience: (SPELL_CLASSES, 2) this quarter's experience of failing firms by streak class,
            exposed and recovered enterprise mass (:func:`ydabm.mechanisms.credit.failing_experience`;
            zeros unless soft credit is weighed over spells).
        recovery: (SPELL_CLASSES,) the failing firms' recovery rates by streak class the governments
            read this quarter (:func:`ydabm.mechanisms.credit.recovery_rates`; NaN unless soft credit
            is weighed over spells).
        city: city flows (C,) by name: wages (worker side), wage_bill (firm side), owners, benefits,
            income_tax, profit_tax, subsidies, investment, revenue (gross sales), inputs (bought), value_added
            (revenue less the inputs used), income, public.
        budgets: (C,) government balances after the quarter, yuan.
        savings: (C,) household savings after the quarter, yuan.
        spending: (C,) spending next quarter, yuan.
        relief: (F,) relief loans outstanding after the quarter, yuan (:func:`relief_credit`); None
            when the quarter had none.
    """

    profit: np.ndarray
    subsidy: np.ndarray
    loss_streak: np.ndarray
    zombie: np.ndarray
    failing: np.ndarray
    city: dict[str, np.ndarray]
    budgets: np.ndarray
    savings: np.ndarray
    spending: np.ndarray
    debt: np.ndarray
    weak_years: np.ndarray
    interest: np.ndarray
    soft_credit: np.ndarray
    year_operating: np.ndarray
    year_interest: np.ndarray
    experience: np.ndarray = field(default_factory=lambda: np.zeros((credit.SPELL_CLASSES, 2)))
    recovery: np.ndarray = field(default_factory=lambda: np.full(credit.SPELL_CLASSES, np.nan))
    relief: np.ndarray | None = None
    soft_debt: np.ndarray | None = None


def relief_credit(owed: np.ndarray, share: np.ndarray, profit: np.ndarray, eligible: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Relief lending in a lockdown and its repayment: (lent, repaid), (F,) yuan this quarter.

    In a quarter when a lockdown keeps a city's workers away, its banks lend each ``eligible`` firm
    (alive, and neither failing nor on soft credit) a share ``share`` of its loss (``-profit``; in
    :func:`settle` the lockdown's ``relief`` times the city's :func:`net_cover`), as
    China's banks did in 2020 (deferral of small firms' principal and interest; the special
    relending) and in Shanghai's 2022 lockdown. The loan is repaid out of positive profits, all of a
    quarter's until it is repaid, the rule by which the soft credit a firm carries is repaid
    (:func:`ydabm.mechanisms.credit.roll_debt`); it comes first, and :func:`settle` repays soft credit
    only out of the profit left after it. ``owed``: (F,) relief loans outstanding before the
    quarter. A firm makes a loss or a profit, so it borrows or repays, never both."""
    lent = np.where(eligible, share * np.maximum(-profit, 0.0), 0.0)
    repaid = np.minimum(owed, np.maximum(profit, 0.0))
    return lent, repaid


def net_cover(losses: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """(C,) share of its firms' losses a city's banks lend: its owners' net loss over the losses,
    min(1, max(0, -owners) / losses) (1 where nothing is lost).

    A city's households own all its firms, so a loss at one firm that the same owners gain back at
    another (a lockdown's scarcity prices) is no loss to them: lending it would put money in their
    hands they did not lose. ``losses``: (C,) the losses the relief would lend against; ``owners``:
    (C,) what the owners made on all their firms this quarter (profit and soft credit)."""
    need = np.maximum(-owners, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(losses > need, need / np.where(losses > 0, losses, 1.0), 1.0)


def _on_live(values: np.ndarray | float, alive: np.ndarray, dead: np.ndarray) -> np.ndarray:
    """``np.where(alive, values, 0.0)`` bit for bit, ``dead`` the rows not alive: for a float (F,) array a
    copy with the dead rows zeroed (cheaper than the select)."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64 and values.shape == alive.shape:
        values = values.copy()
        values[dead] = 0.0
        return values
    return np.where(alive, values, 0.0)


def support_allowance(budgets: np.ndarray, debt_limit: float, annual_gdp: np.ndarray, taxes: np.ndarray,
                      benefits: np.ndarray) -> np.ndarray:
    """(C,) most a government can spend on supporting firms this quarter, yuan.

    Its balance plus its borrowing room down to -debt_limit x annual GDP, plus last quarter's taxes
    less last quarter's benefits (a government budgets on the revenue it last saw):
    max(0, B + L + T - b). Benefits are paid in full even beyond the limit.
    """
    return np.maximum(budgets + debt_limit * annual_gdp + taxes - benefits, 0.0)


def settle(alive: np.ndarray, firm_city: np.ndarray, revenue: np.ndarray, employees: np.ndarray,
           capital: np.ndarray, investment: np.ndarray, capacity_support: np.ndarray,
           entry_support: np.ndarray, targeted: np.ndarray, loss_streak: np.ndarray,
           wages: np.ndarray, employed: np.ndarray, labour_force: np.ndarray,
           budgets: np.ndarray, savings: np.ndarray, saving_rate: float, dissaving_share: float,
           allowance: np.ndarray | None = None, tax_sharing: float = 0.0, tax_key: np.ndarray | None = None,
           inputs: np.ndarray | float = 0.0, input_cost: np.ndarray | float | None = None,
           debt: np.ndarray | None = None, weak_years: np.ndarray | None = None,
           mass: np.ndarray | None = None, local_bias: np.ndarray | float = 1.0, *, depreciation: float,
           profit_tax: float, income_tax: float, unemployment_benefit: float,
           public_spending_adjustment: float, soft_budget: float, exit_after: int, interest_rate: float = 0.0,
           leverage: float = 0.0, year_operating: np.ndarray | None = None,
           year_interest: np.ndarray | None = None, age: np.ndarray | None = None,
           year_end: bool = False, city_sums: BinSums | None = None, jobs: np.ndarray | None = None,
           paid: np.ndarray | None = None, spells: credit.Spells | None = None,
           unspent: np.ndarray | None = None, paused: np.ndarray | None = None,
           relief: np.ndarray | None = None, relief_share: np.ndarray | None = None,
           soft_debt: np.ndarray | None = None) -> Accounts:
    """Settle the quarter's accounts.

    Args:
        alive: (F,) live firm rows.
        firm_city: (F,) city of each firm.
        revenue: (F,) sales revenue, yuan.
        employees: (F, K) staff by class (paid whether or not they could work).
        capital: (F,) replacement value of capacity, yuan (depreciation is a cost).
        investment: (F,) spending on new capacity, yuan.
        capacity_support, entry_support: (F,) subsidies paid by governments, yuan.
        targeted: (F,) support intensity of each firm's city-sector in [0, 1] (1: a full target).
        loss_streak: (F,) consecutive losses before this quarter.
        wages: (C, K) wage per agent.
        employed: (C, K) employed workers counted on the worker side.
        labour_force: (C, K) workers by city and class.
        budgets, savings: (C,) balances before the quarter.
        saving_rate, dissaving_share: household saving shock levers.
        allowance: (C,) most each government can spend on support (:func:`support_allowance`);
            None: no limit.
        tax_sharing: share of each city's taxes pooled by the region; the pool is paid back in
            proportion to ``tax_key`` (C,), shares summing to 1 (the cities' 2020 taxes).
        inputs: (F,) intermediate inputs bought this quarter, yuan (paid to other firms or, from
            outside the region, to the external sector); 0 without inputs.
        input_cost: (F,) cost of the inputs used for this quarter's output (purchases less what
            went into inventories), yuan; None: ``inputs``. Profit and value added are net of it.
        debt: (F,) debt before the quarter, yuan (None: none); it bears interest at ``interest_rate``
            a quarter.
        weak_years: (F,) consecutive years of interest coverage below 1 (yearly accounts) before this
            quarter (None: none).
        soft_debt: (F,) soft credit carried before the quarter, part of ``debt`` (None: none).
        mass: (F,) firm mass (enterprises), for the large-employer priority (None: 1 each).
        local_bias: (C,) or scalar: 1 + barrier x local_protection of each city's government.
        soft_budget: generosity g of soft credit (:mod:`ydabm.mechanisms.credit`).
        leverage: the banks' collateral line, debt over capital.
        year_operating, year_interest: (F,) the calendar year's operating profit and interest before
            this quarter (None: the year starts now).
        age: (F,) quarters each firm has settled before this one (None: all old); a firm whose
            accounts cover fewer than four quarters at a year end has no annual accounts that year.
        year_end: this quarter ends a calendar year: the yearly coverage is evaluated.
        city_sums: sums over the firm rows by ``firm_city`` (:class:`~ydabm.agents.firms.BinSums`), if
            the caller keeps them; None: built here.
        jobs: (F, K) labour each firm pays for by the class of the job done, in workers at standard
            hours (:func:`ydabm.markets.labour.job_labour`), each at its class's wage; None: its
            ``employees`` at standard hours.
        paid: (C, K) the city sums of ``jobs``; None: ``employed``. Households earn the wages of
            this labour; unemployment (and its benefits) counts workers.
        spells: what governments that weigh soft credit over the expected spells know
            (:class:`ydabm.mechanisms.credit.Spells`); None: they weigh one quarter's shortfall
            against one quarter's closure cost.
        unspent: (C,) what each city's buyers could not spend this quarter because no firm they
            reach could sell anything (:func:`ydabm.markets.goods.unspent`): the money stays with the
            city's households, in their savings. None: none.
        paused: (F,) firms in a city whose workers a lockdown keeps away this quarter: a loss in such a
            quarter does not lengthen their loss streak (their lenders and government know the
            lockdown is temporary, as firms know its scarcity is: see the model's
            ``expect_input_prices``); a profit still ends it. None: none.
        relief: (F,) relief loans outstanding before the quarter, yuan (:func:`relief_credit`); they
            bear interest at ``interest_rate``, paid to the banks of the firm's city. None: none.
        relief_share: (F,) share of its loss a firm's banks lend it this quarter (a lockdown's
            ``relief`` where its workers are kept away, else 0), lent as far as its city's owners
            lose on the whole (:func:`net_cover` of the city's losses and of its firms' profit and
            soft credit); None: none. Lent from its city's households' savings (the deposits the
            banks lend) to its owners, and repaid from its owners to the savings: owners do not carry
            a lockdown's net loss out of that quarter's income.
    """
    cities = wages.shape[0]
    city_sums = BinSums(firm_city, cities) if city_sums is None else city_sums
    # the live rows as floats (values * alive_float is values * alive bit for bit, a float product instead
    # of a bool-to-float one) and the rows that are not alive (to zero, as np.where(alive, values, 0.0))
    alive_float = alive.astype(float)
    dead = np.flatnonzero(~alive)

    def by_city(values):
        return city_sums(values * alive_float)

    room = np.full(cities, np.inf) if allowance is None else allowance
    # the wage bill class by class, each class's wage read at the firm's city (without gathering an
    # (F, K) table of wages): row_sums(jobs * wages[firm_city]) bit for bit
    worked = employees if jobs is None else jobs
    wage_bill = worked[:, 0] * np.take(wages[:, 0], firm_city)
    for k in range(1, wages.shape[1]):
        term = np.take(wages[:, k], firm_city)
        term *= worked[:, k]
        wage_bill += term
    claims = entry_support + capacity_support
    claimed = by_city(claims)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        paid_share = np.where(claimed > 0, np.minimum(1.0, room / claimed), 1.0)
    if (paid_share == 1.0).all():
        # every government pays its claims in full (the usual case): claims x 1.0 are the claims, and so
        # are their sums by city
        subsidy, granted = claims, claimed
    else:
        subsidy = claims * np.take(paid_share, firm_city)
        granted = by_city(subsidy)
    inputs = _on_live(inputs, alive, dead)
    input_cost = inputs if input_cost is None else _on_live(input_cost, alive, dead)
    debt = np.zeros(alive.size) if debt is None else _on_live(debt, alive, dead)
    soft_debt = np.zeros(alive.size) if soft_debt is None else _on_live(soft_debt, alive, dead)
    weak_years = np.zeros(alive.size, dtype=np.int64) if weak_years is None else weak_years
    year_operating = np.zeros(alive.size) if year_operating is None else year_operating
    year_interest = np.zeros(alive.size) if year_interest is None else year_interest
    owed = None if relief is None else np.where(alive, relief, 0.0)
    interest = interest_rate * debt if owed is None else interest_rate * (debt + owed)
    # operating profit, revenue - input_cost - wage_bill - depreciation x capital, term by term in place
    operating = revenue - input_cost
    operating -= wage_bill
    operating -= depreciation * capital
    profit = operating - interest
    profit += subsidy
    tax = np.maximum(profit, 0.0)
    tax *= profit_tax
    tax *= alive_float
    profit -= tax
    profit[dead] = 0.0
    losing = alive & ((profit < 0) | (revenue <= 0))      # a firm that sells nothing is failing too
    streak = np.where(losing, loss_streak + 1, 0)
    if paused is not None:
        streak = np.where(paused & losing, loss_streak, streak)
    over = alive & (streak >= exit_after)
    # soft credit (Kornai 1986): a government lends a failing local firm its shortfall when that costs
    # it less than the firm's closure, weighed by its priority and local bias. Only the firms whose
    # losses have lasted ``exit_after`` quarters (``over``, a few hundred of 40,000 rows at 1e6 workers)
    # can get it, so the calculus is done on their rows alone (row by row, the same numbers)
    recovery, experience = np.full(credit.SPELL_CLASSES, np.nan), np.zeros((credit.SPELL_CLASSES, 2))
    if spells is not None:
        recovery, experience = credit.recovery_rates(spells, alive, loss_streak, losing,
                                                     np.ones(alive.size) if mass is None else mass, exit_after)
    rows = np.flatnonzero(over)
    soft = np.zeros(alive.size)
    left = np.maximum(room - granted, 0.0)
    credited = np.zeros(alive.size, dtype=bool)
    if rows.size:
        staff = row_sums(employees)
        city = np.take(firm_city, rows)
        closure = (unemployment_benefit * np.take(wages[:, 1], city) * np.take(staff, rows)
                   + income_tax * np.take(wage_bill, rows))
        size = credit.large_employer(alive, firm_city, staff, np.ones(alive.size) if mass is None else mass, cities,
                                     city_sums, rows=rows)
        priority = np.minimum(1.0, np.take(targeted, rows) + size)
        bias = np.take(np.broadcast_to(np.asarray(local_bias, dtype=float), (cities,)), city)
        line = credit.credit_lines(closure, priority, bias, soft_budget)
        if spells is not None:
            # each failing firm's losses are expected to end at the rate of its streak's class
            expected = np.take(recovery, np.maximum(credit.streak_class(np.take(streak, rows), exit_after), 0))
            line = credit.spell_lines(line, np.take(spells.finding, city), expected, spells.discount)
        shortfall = np.maximum(-np.take(profit, rows), 0.0)
        eligible = (shortfall > 0) & (shortfall <= line)
        # the claims and their priority-weighted closure costs on the firm rows (0 off the failing rows,
        # which ``ration`` does not read)
        needs, value = np.zeros(alive.size), np.zeros(alive.size)
        needs[rows] = np.where(eligible, shortfall, 0.0)
        value[rows] = bias * priority * closure
        credited = credit.ration(needs, value, firm_city, left)
        soft[rows] = np.where(np.take(credited, rows), shortfall, 0.0)
    received = subsidy + soft
    # the owners' cash flow, revenue - inputs - wage_bill - investment - tax - interest + received, term by term
    cash_flow = revenue - inputs
    cash_flow -= wage_bill
    cash_flow -= investment
    cash_flow -= tax
    cash_flow -= interest
    cash_flow += received
    lent = repaid = owed_after = None
    if owed is not None:
        share = np.zeros(alive.size) if relief_share is None else relief_share
        share = share * np.take(net_cover(by_city(np.where(share > 0, np.maximum(-profit, 0.0), 0.0) * ~over),
                                          by_city(profit + soft)), firm_city)
        lent, repaid = relief_credit(owed, share, profit, alive & ~over)
        cash_flow = cash_flow + lent - repaid
        owed_after = np.where(alive, owed + lent - repaid, 0.0)
    collateral = leverage * capital
    failing = over & ~credited
    # a quarter's positive profit repays the relief loan first; only what is left of it repays the soft
    # credit the firm carries (the same yuan cannot repay both)
    debt_after, soft_after = credit.roll_debt(debt, soft_debt, collateral,
                                              profit if repaid is None else profit - repaid, soft, alive, failing)
    # the yearly accounts (:mod:`ydabm.mechanisms.credit`): sums of the calendar year, evaluated at its end
    year_operating, year_interest = credit.year_sums(alive, operating, interest, year_operating, year_interest)
    full_year = np.ones(alive.size, dtype=bool) if age is None else age >= credit.YEAR - 1
    coverage = credit.weak_years(alive, year_end, full_year, year_operating, year_interest, weak_years)
    if year_end:
        year_operating, year_interest = np.zeros(alive.size), np.zeros(alive.size)
    supported = (received > 0) | (soft_after > 0)
    zombie = credit.zombies(alive & ~failing, coverage, supported)       # a failing firm exits

    unemployed = labour_force - employed
    # the firm flows by city
    names = ("wage_bill", "owners", "profit_tax", "subsidies", "investment", "revenue", "interest")
    sums = {name: by_city(values) for name, values in zip(names, (wage_bill, cash_flow, tax, received, investment,
                                                                  revenue, interest))}
    # inputs are zero without supply chains: a column of zeros sums to zeros (bit for bit: every city
    # sum adds +-0 to 0); the soft credit is zero off the failing rows, so its sums are over those rows
    # (each city's in row order, as every sum by city adds its rows)
    sums["inputs"] = by_city(inputs) if inputs.any() else np.zeros(cities)
    sums["input_cost"] = sums["inputs"] if input_cost is inputs else (
        by_city(input_cost) if input_cost.any() else np.zeros(cities))
    sums["soft_credit"] = np.bincount(np.take(firm_city, rows), np.take(soft, rows), minlength=cities)
    flows = {"wages": ((employed if paid is None else paid) * wages).sum(axis=1), "wage_bill": sums["wage_bill"],
             "owners": sums["owners"], "benefits": (unemployed * unemployment_benefit * wages[:, [1]]).sum(axis=1),
             "profit_tax": sums["profit_tax"], "subsidies": sums["subsidies"], "investment": sums["investment"],
             "revenue": sums["revenue"], "inputs": sums["inputs"], "interest": sums["interest"],
             "soft_credit": sums["soft_credit"]}
    flows["value_added"] = flows["revenue"] - sums["input_cost"]
    flows["income_tax"] = income_tax * flows["wages"]
    # interest is paid to the banks of the firm's city, which belong to its households
    flows["income"] = flows["wages"] + flows["owners"] + flows["interest"] + flows["benefits"] - flows["income_tax"]
    taxes = flows["income_tax"] + flows["profit_tax"]
    if tax_sharing > 0 and tax_key is not None:
        # a regional pool: each city pays in tax_sharing of its taxes and gets its key's share back
        flows["tax_transfer"] = tax_sharing * (tax_key * taxes.sum() - taxes)
    else:
        flows["tax_transfer"] = np.zeros(cities)
    taxes = taxes + flows["tax_transfer"]
    outlays = flows["benefits"] + flows["subsidies"]
    public = np.maximum(taxes - outlays + public_spending_adjustment * budgets, 0.0)
    flows["public"] = public
    saved = saving_rate * flows["income"]
    # the households' deposits are their savings and the relief loans their banks lent out of them:
    # a release spends a share of the deposits (a repayment then refills the savings it lent from)
    released = dissaving_share * (savings if owed is None else savings + by_city(owed))
    spending = flows["income"] - saved + released + flows["investment"] + public
    # where owners' losses exceed the rest of a city's income, its households borrow the shortfall
    # (savings go negative) instead of planning negative spending
    borrowed = np.maximum(-spending, 0.0)
    savings = savings + saved - released - borrowed
    if unspent is not None:
        savings = savings + unspent
    if lent is not None:
        # the banks lend their depositors' savings and the repayments return to them
        flows["relief_lent"], flows["relief_repaid"] = by_city(lent), by_city(repaid)
        savings = savings - flows["relief_lent"] + flows["relief_repaid"]
    return Accounts(profit, received, streak, zombie, failing, flows,
                    budgets + taxes - outlays - public, savings,
                    spending + borrowed, debt_after, coverage, interest, soft, year_operating, year_interest,
                    experience, recovery, owed_after, soft_after)
