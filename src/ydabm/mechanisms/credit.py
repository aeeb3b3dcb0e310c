"""Firm debt, interest, soft credit and zombie firms.

Debt. Every firm cohort owes its local banks ``debt`` (yuan). Banks lend against capital: a firm on a
hard budget holds the collateral line ``leverage`` x capital (its debt is rolled over and follows its
capital, up and down); a firm that was lent soft credit carries it above the line (``soft_debt``) and
repays it out of positive profits. A failing firm
(below) gets nothing new: its debt does not follow a rising line (:func:`roll_debt`;
a cohort that sheds part of its enterprises and stays, ``failing_exit_share`` < 1, keeps its debt or
repays it). It pays
interest at the quarterly rate ``interest_rate`` on it. The banks are the city's
households' (deposits and bank equity): interest is part of the city's household income, and the
principal flows between owners and banks of one city net out within its households, so lending itself
moves no money between the accounts (only interest and fiscal soft credit do).

Soft credit (Kornai 1986; Caballero, Hoshi & Kashyap 2008). A firm whose losses have lasted
``exit_after`` quarters fails: its owners stop covering losses and, on a hard budget, its banks call the
loan (it exits; its debt is stranded). A local government keeps it alive when the soft credit it must
extend this quarter (the firm's shortfall, its loss) is no more than what the firm's closure would cost
it this quarter, weighed by how much it cares about the firm:

    shortfall_f <= g x (1 + barrier_c x local_protection) x w_f x closure_f,

with closure_f the unemployment benefits its workers would draw plus the income tax their wages pay
(the government's fiscal cost of the closure per quarter of unemployment), w_f = min(1, tau_f + l_f)
its priority (tau_f its city-sector's support intensity, l_f = clip(size_f / mean size_c - 1, 0, 1)
how much larger its enterprises are than the city's average: a large local employer), and
1 + barrier_c x local_protection the local bias of a protecting government (barrier_c its province's
barrier; 1 in a city that liberalised its market). The bias is the procurement wedge at a protection
multiplier of 1: the per-pair multipliers of ``ProvinceLevers.protection`` do not enter it, so a
province that drops its wedge on some provinces' goods keeps its full bias. g is the soft-budget
generosity lever (``soft_budget``; 0: hard budgets everywhere, 1: the fiscal calculus alone). The government funds the
soft loan through a local bank from its support allowance (its balance, borrowing room and last
quarter's net revenue, after subsidies): within a city, eligible firms are funded in order of
priority-weighted closure cost per yuan of credit until the allowance is spent; the rest fail. The
loan is added to the firm's debt (the bank holds it, so it bears interest; the government's outlay is
fiscal support).

Over the expected spells (``credit_spells`` 1, opt-in). The rule above sets one quarter's shortfall
against one quarter's closure cost. A government that looks ahead keeps the firm for as long as its
losses are expected to last and, closing it, pays the closure's cost for as long as its workers look
for work. With constant rates (the optimal-stopping comparison of discounted shortfalls and closure
costs) the line scales by D(f_c) / D(h) (:func:`spell_lines`), D(p) = 1 / (1 - (1 - p) / (1 + r))
the discounted quarters of a spell ending with probability p a quarter (:func:`spell_quarters`), f_c
the city's job-finding rate this quarter and h the rate at which the losses of failing firms with a
loss streak as long as the firm's ended across the region over the last year (:func:`recovery_rates`;
streaks in classes of ``exit_after`` quarters, :func:`streak_class`).

Zombies (Caballero, Hoshi & Kashyap 2008; Fukuda & Nakamura 2011; Tan, Huang & Woo 2016; the RUC
zombie report's three-year rule), on yearly accounts as the literature measures them. Interest coverage
is operating profit (revenue less inputs used, wages and depreciation, before subsidies, interest and
tax) over interest. Each firm row sums its operating profit and its interest over the calendar year
(the annual accounts the studies use: firms report by calendar year, and a year's sum averages out the
quarter-to-quarter noise of whole-worker staffing and sales). At each year end (the fourth quarter) a
firm whose accounts cover the whole year has a weak year when the year's operating profit is below the
year's interest (coverage < 1); its ``weak_years`` streak then rises by one, else it resets to 0. A
firm that has not been alive all four quarters (an entrant's first, partial year) has no annual
accounts for that year: its streak is left as it was (0 for a new row). A zombie is a live firm with
at least ``ZOMBIE_YEARS`` (3) consecutive weak years that stays alive on support this quarter: it
received soft credit or subsidies this quarter, or carries soft credit still outstanding
(``soft_debt``). Its status changes within a year only through support and exit; its streak
only at year ends. When cohorts merge, their year sums add up (the merged firm's accounts are the sum of
its parts') and the destination keeps its streak (as it keeps its loss streak and age).

The share of zombies this gives at the defaults is a transient of the set-up's firm population, not
a steady state (docs/ODD.md, "Zombies"; :func:`shares_by` splits it by vintage, size, sector, city).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..agents.firms import BinSums

#: consecutive years of interest coverage below 1 (on the year's sums) that make a supported firm a zombie
ZOMBIE_YEARS = 3
#: quarters of a year: a firm's annual accounts cover this many quarters
YEAR = 4


def weak_coverage(operating_profit: np.ndarray, interest: np.ndarray) -> np.ndarray:
    """(F,) interest coverage below 1: operating profit < interest (a firm without debt is weak only
    when its operating profit is negative)."""
    return operating_profit < interest


def year_sums(alive: np.ndarray, operating: np.ndarray, interest: np.ndarray, year_operating: np.ndarray,
              year_interest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(F,), (F,) the year's operating profit and interest so far, this quarter included (0 on dead
    rows)."""
    dead = ~alive
    operating, interest = year_operating + operating, year_interest + interest
    operating[dead] = 0.0
    interest[dead] = 0.0
    return operating, interest


def weak_years(alive: np.ndarray, year_end: bool, full_year: np.ndarray, year_operating: np.ndarray,
               year_interest: np.ndarray, streak: np.ndarray) -> np.ndarray:
    """(F,) consecutive years of interest coverage below 1 on the year's sums.

    At a year end (``year_end``), a live firm whose accounts cover the whole year (``full_year``) adds
    a year to its streak when the year's operating profit is below the year's interest
    (:func:`weak_coverage` on the sums) and resets it to 0 otherwise; a firm with a partial year keeps
    its streak. Within the year the streak does not change. Dead rows: 0.
    """
    if year_end:
        weak = weak_coverage(year_operating, year_interest)
        streak = np.where(full_year, np.where(weak, streak + 1, 0), streak)
    return np.where(alive, streak, 0)


def zombies(alive: np.ndarray, streak: np.ndarray, supported: np.ndarray,
            years: int = ZOMBIE_YEARS) -> np.ndarray:
    """(F,) zombie firms: alive, coverage below 1 on the yearly accounts of the last ``years``
    consecutive years (``streak``: :func:`weak_years`), and alive on support (``supported``: soft
    credit or subsidies this quarter, or soft credit outstanding)."""
    return alive & (streak >= years) & supported


def shares_by(alive: np.ndarray, zombie: np.ndarray, mass: np.ndarray, group: np.ndarray,
              groups: int) -> tuple[np.ndarray, np.ndarray]:
    """(G,), (G,) zombies' share of each group's live firm mass (0 for an empty group) and each
    group's share of the live firm mass; ``group`` (F,) is a firm's group in 0..groups-1 (a vintage,
    a size class, a sector, a city)."""
    live = np.where(alive, mass, 0.0)
    within = np.bincount(group, live, minlength=groups)
    zombies = np.bincount(group, np.where(zombie, live, 0.0), minlength=groups)
    total = within.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(within > 0, zombies / within, 0.0)
    return share, within / total if total > 0 else np.zeros(groups)


def large_employer(alive: np.ndarray, firm_city: np.ndarray, staff: np.ndarray, mass: np.ndarray,
                   cities: int, city_sums: BinSums | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """(F,) l_f in [0, 1]: how much larger the firm's enterprises are (staff per unit of firm mass) than
    its city's average enterprise, clip(size / mean - 1, 0, 1) (twice the average or more: 1).
    ``city_sums``: the sums by ``firm_city`` (:class:`~ydabm.agents.firms.BinSums`), or None (built here).
    ``rows``: the firm rows whose l_f is wanted (returned in their order; the city averages are over every
    live firm all the same), or None: every row."""
    staff = np.where(alive, staff, 0.0)
    weight = np.where(alive, mass, 0.0)
    city_sums = BinSums(firm_city, cities) if city_sums is None else city_sums
    total, enterprises = city_sums(staff), city_sums(weight)
    if rows is not None:
        staff, weight, firm_city = np.take(staff, rows), np.take(weight, rows), np.take(firm_city, rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.take(np.where(enterprises > 0, total / enterprises, 0.0), firm_city)
        size = np.where(weight > 0, staff / weight, 0.0)
        ratio = np.where(mean > 0, size / mean, 0.0)
    return np.clip(ratio - 1.0, 0.0, 1.0)


def credit_lines(closure_cost: np.ndarray, priority: np.ndarray, local_bias: np.ndarray,
                 generosity: float) -> np.ndarray:
    """(F,) most soft credit a government extends to a failing firm this quarter, yuan:
    generosity x local bias x priority x closure cost."""
    return generosity * local_bias * priority * closure_cost


#: classes of loss streaks by which a government reads failing firms' recovery: losses that have lasted
#: [E, 2E), [2E, 3E) and 3E quarters or more, E = ``exit_after`` (recovery falls with the streak: with
#: shocks 0.21 a quarter at 4 quarters, 0.08 at 12 or more; docs/validation.md)
SPELL_CLASSES = 3


@dataclass(frozen=True)
class Spells:
    """What a government weighing soft credit over the expected spells knows this quarter
    (``credit_spells`` 1; :func:`spell_lines`).

    Attributes:
        finding: (C,) job-finding rate of each city's job seekers this quarter
            (:func:`ydabm.markets.labour.finding_rates`).
        exposed, recovered: (SPELL_CLASSES,) the failing firms' experience of the last ``YEAR`` - 1
            quarters by the class of their loss streak at a quarter's start (:func:`streak_class`): the
            live enterprise mass whose losses had lasted that long, and the part of it that made no
            loss in the quarter (sums over the quarters).
        discount: the government's quarterly discount factor, 1 / (1 + interest rate).
    """

    finding: np.ndarray
    exposed: np.ndarray
    recovered: np.ndarray
    discount: float


def streak_class(streak: np.ndarray, exit_after: int) -> np.ndarray:
    """(F,) class of each loss streak, 0..SPELL_CLASSES - 1 for streaks of ``exit_after`` quarters or
    more (k for [(k + 1) E, (k + 2) E), the last class open-ended), -1 below."""
    return np.where(streak >= exit_after, np.minimum(streak // exit_after, SPELL_CLASSES) - 1, -1)


def failing_experience(alive: np.ndarray, previous_streak: np.ndarray, losing: np.ndarray, mass: np.ndarray,
                       exit_after: int) -> np.ndarray:
    """(SPELL_CLASSES, 2) the quarter's experience of failing firms by the class of their loss streak
    before it (``previous_streak``, :func:`streak_class`): their live enterprise mass, and the part of
    it that made no loss this quarter (``losing``: this quarter's losses)."""
    k = streak_class(previous_streak, exit_after)
    exposed = alive & (k >= 0)
    recovered = exposed & ~losing
    return np.stack([np.bincount(k[exposed], mass[exposed], minlength=SPELL_CLASSES),
                     np.bincount(k[recovered], mass[recovered], minlength=SPELL_CLASSES)], axis=1)


def recovery_rates(spells: Spells, alive: np.ndarray, previous_streak: np.ndarray, losing: np.ndarray,
                   mass: np.ndarray, exit_after: int) -> tuple[np.ndarray, np.ndarray]:
    """(SPELL_CLASSES,) the rates at which failing firms' losses end by the class of their streak, as a
    government reads them from the last year, and this quarter's experience
    (:func:`failing_experience`).

    A class's rate is its recovered over its exposed mass over the last ``YEAR`` quarters, this one
    included. A class no firm was in over that year takes the rate of the class of shorter streaks
    (the nearest experience, an optimistic reading: recovery falls with the streak); where no firm has
    been failing in the year at all (the first quarters of a run), the recovery of this quarter's firms
    that lost last quarter at all (spells of any length) stands in; 1 where none did.
    """
    now = failing_experience(alive, previous_streak, losing, mass, exit_after)
    exposed, recovered = spells.exposed + now[:, 0], spells.recovered + now[:, 1]
    rates = np.empty(SPELL_CLASSES)
    for k in range(SPELL_CLASSES):
        if exposed[k] > 0:
            rates[k] = recovered[k] / exposed[k]
        elif k > 0:
            rates[k] = rates[k - 1]
        else:
            losers = alive & (previous_streak >= 1)
            total = float(mass[losers].sum())
            rates[k] = float(mass[losers & ~losing].sum()) / total if total > 0 else 1.0
    return rates, now


def spell_quarters(rate: np.ndarray | float, discount: float) -> np.ndarray | float:
    """Expected discounted quarters of a spell that ends with probability ``rate`` at the end of each
    quarter, this quarter counted: 1 + d (1 - rate) + (d (1 - rate))^2 + ... = 1 / (1 - d (1 - rate))."""
    return 1.0 / (1.0 - discount * (1.0 - np.asarray(rate, dtype=float)))


def spell_lines(lines: np.ndarray, finding: np.ndarray, recovery: np.ndarray | float,
                discount: float) -> np.ndarray:
    """(F,) credit lines weighed over the expected spells: a government that keeps a failing firm
    pays its shortfall for as long as its losses are expected to last, and one that closes it pays
    the closure's cost for as long as its workers are expected to look for work, so the quarter's
    line ``lines`` (closure cost against one quarter's shortfall) scales by spell_quarters(finding) /
    spell_quarters(recovery); ``finding`` (F,): the job-finding rate of each firm's city;
    ``recovery`` (F,) or scalar: the rate at which the firm's losses are expected to end (its streak
    class's, :func:`recovery_rates`)."""
    return lines * spell_quarters(finding, discount) / spell_quarters(recovery, discount)


def ration(needs: np.ndarray, value: np.ndarray, firm_city: np.ndarray, room: np.ndarray) -> np.ndarray:
    """(F,) which claims ``needs`` > 0 each city funds from its ``room`` (C,): in order of ``value``
    per yuan needed (highest first, ties by row), while the running total fits the room."""
    claim = needs > 0
    rows = np.flatnonzero(claim)
    funded = np.zeros(needs.size, dtype=bool)
    if rows.size == 0:
        return funded
    city = firm_city[rows]
    order = np.lexsort((rows, -value[rows] / needs[rows], city))
    rows, city = rows[order], city[order]
    running = np.cumsum(needs[rows])
    starts = np.searchsorted(city, city, side="left")       # first row of each city's block
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0.0)
    funded[rows] = running - before <= room[city] * (1 + 1e-12)
    return funded


def roll_debt(debt: np.ndarray, soft_debt: np.ndarray, collateral: np.ndarray, profit: np.ndarray,
              credit: np.ndarray, alive: np.ndarray, failing: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """(F,) debt and (F,) soft credit carried after the quarter.

    A firm's debt is its collateral line ``collateral`` (the banks roll it over and it follows the
    line, up and down: a loan against capital is not money, only its interest is) plus the soft credit
    it carries, ``soft_debt``: what it was lent when failing and has not repaid. Positive ``profit``
    repays the soft credit first; this quarter's soft ``credit`` adds to it. Dead rows owe nothing. A
    ``failing`` firm's banks lend it nothing new: its debt does not follow a rising line (it can only
    fall). Where failing cohorts stay (``failing_exit_share`` < 1) a line that rose with the capital's
    value would otherwise raise their interest, and so their losses, every quarter; where they close
    (the default) nothing reads the debt they leave.

    Until 7 Dec 2026 (fifty-first session) the debt above the line was the soft credit carried, and
    debt followed the line up but fell only by what profits repaid: every rise of the line, a scarcity
    price's or a price's noise, stayed as debt above it, was repaid as if it were soft credit, and
    counted as support for the zombie rule (docs/validation-changes.md, "Since `9137573`")."""
    carried = np.maximum(soft_debt - np.maximum(profit, 0.0), 0.0) + credit
    owed = collateral + carried
    if failing is not None:
        owed = np.where(failing, np.minimum(owed, debt), owed)
    return np.where(alive, owed, 0.0), np.where(alive, carried, 0.0)
