"""Firm debt, interest, soft credit and zombie firms.

Debt. Every firm cohort owes its local banks ``debt`` (yuan). Banks lend against capital: a firm on a
hard budget holds the collateral line ``leverage`` x capital (its debt is rolled over and follows its
capital; a firm whose debt exceeds the line repays the excess out of positive profits). It pays
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
1 + barrier x local_protection the local bias of a protecting government (the same weight its
procurement wedge puts on local over other cities' goods). g is the soft-budget generosity lever
(``soft_budget``; 0: hard budgets everywhere, 1: the fiscal calculus alone). The government funds the
soft loan through a local bank from its support allowance (its balance, borrowing room and last
quarter's net revenue, after subsidies): within a city, eligible firms are funded in order of
priority-weighted closure cost per yuan of credit until the allowance is spent; the rest fail. The
loan is added to the firm's debt (the bank holds it, so it bears interest; the government's outlay is
fiscal support).

Zombies (Caballero, Hoshi & Kashyap 2008; Fukuda & Nakamura 2011; the RUC zombie report's three-year
rule). Interest coverage is operating profit (revenue less inputs used, wages and depreciation, before
subsidies, interest and tax) over interest. A zombie is a live firm whose coverage has been below 1
for ``ZOMBIE_QUARTERS`` (12, three years) consecutive quarters and that stays alive on support: it
received soft credit or subsidies this quarter, or carries soft credit still outstanding (debt above
its collateral line).
"""

from __future__ import annotations

import numpy as np

#: consecutive quarters of interest coverage below 1 that make a supported firm a zombie (three years)
ZOMBIE_QUARTERS = 12


def weak_coverage(operating_profit: np.ndarray, interest: np.ndarray) -> np.ndarray:
    """(F,) interest coverage below 1: operating profit < interest (a firm without debt is weak only
    when its operating profit is negative)."""
    return operating_profit < interest


def coverage_streaks(alive: np.ndarray, weak: np.ndarray, streak: np.ndarray) -> np.ndarray:
    """(F,) consecutive quarters of weak coverage, this one included (0 on dead rows)."""
    return np.where(alive & weak, streak + 1, 0)


def zombies(alive: np.ndarray, streak: np.ndarray, supported: np.ndarray,
            quarters: int = ZOMBIE_QUARTERS) -> np.ndarray:
    """(F,) zombie firms: alive, coverage below 1 for ``quarters`` consecutive quarters, and alive on
    support (``supported``: soft credit or subsidies this quarter, or soft credit outstanding)."""
    return alive & (streak >= quarters) & supported


def large_employer(alive: np.ndarray, firm_city: np.ndarray, staff: np.ndarray, mass: np.ndarray,
                   cities: int) -> np.ndarray:
    """(F,) l_f in [0, 1]: how much larger the firm's enterprises are (staff per unit of firm mass) than
    its city's average enterprise, clip(size / mean - 1, 0, 1) (twice the average or more: 1)."""
    staff = np.where(alive, staff, 0.0)
    weight = np.where(alive, mass, 0.0)
    total = np.bincount(firm_city, staff, minlength=cities)
    enterprises = np.bincount(firm_city, weight, minlength=cities)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(enterprises > 0, total / enterprises, 0.0)[firm_city]
        size = np.where(weight > 0, staff / weight, 0.0)
        ratio = np.where(mean > 0, size / mean, 0.0)
    return np.clip(ratio - 1.0, 0.0, 1.0)


def credit_lines(closure_cost: np.ndarray, priority: np.ndarray, local_bias: np.ndarray,
                 generosity: float) -> np.ndarray:
    """(F,) most soft credit a government extends to a failing firm this quarter, yuan:
    generosity x local bias x priority x closure cost."""
    return generosity * local_bias * priority * closure_cost


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


def roll_debt(debt: np.ndarray, collateral: np.ndarray, profit: np.ndarray, credit: np.ndarray,
              alive: np.ndarray) -> np.ndarray:
    """(F,) debt after the quarter: the collateral line ``collateral``, or, for a firm carrying soft
    credit above it, its debt less what positive ``profit`` repays, never below the line; plus this
    quarter's soft ``credit``. Dead rows owe nothing."""
    repaid = np.maximum(debt - np.maximum(profit, 0.0), collateral)
    return np.where(alive, repaid + credit, 0.0)
