"""Accounts: wages, profits, taxes, subsidies, soft-budget support, budgets and next quarter's spending.

Money is a fixed stock (the model's nominal anchor): every yuan of revenue is paid out as wages,
owners' cash flow or taxes, and every yuan a household or government receives is spent next quarter,
saved, or kept in its budget. So spending' + budgets' + savings' = spending + budgets + savings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Accounts:
    """One quarter's accounts.

    Attributes:
        profit: (F,) profit after tax, before government support, yuan.
        subsidy: (F,) entry and capacity subsidies plus soft-budget support received, yuan.
        loss_streak: (F,) consecutive loss-making quarters.
        zombie: (F,) failing firms kept alive by soft-budget support this quarter.
        failing: (F,) firms whose losses have lasted ``exit_after`` quarters and that no government
            supports: they exit.
        city: city flows (C,) by name: wages (worker side), wage_bill (firm side), owners, benefits,
            income_tax, profit_tax, subsidies, investment, revenue, income, public.
        budgets: (C,) government balances after the quarter, yuan.
        savings: (C,) household savings after the quarter, yuan.
        spending: (C,) spending next quarter, yuan.
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


def settle(alive: np.ndarray, firm_city: np.ndarray, revenue: np.ndarray, employees: np.ndarray,
           capital: np.ndarray, investment: np.ndarray, capacity_support: np.ndarray,
           entry_support: np.ndarray, targeted: np.ndarray, loss_streak: np.ndarray,
           support_draws: np.ndarray, wages: np.ndarray, employed: np.ndarray, labour_force: np.ndarray,
           budgets: np.ndarray, savings: np.ndarray, saving_rate: float, dissaving_share: float,
           *, depreciation: float, profit_tax: float, income_tax: float, unemployment_benefit: float,
           public_spending_adjustment: float, soft_budget: float, exit_after: int) -> Accounts:
    """Settle the quarter's accounts.

    Args:
        alive: (F,) live firm rows.
        firm_city: (F,) city of each firm.
        revenue: (F,) sales revenue, yuan.
        employees: (F, K) staff by class (paid whether or not they could work).
        capital: (F,) replacement value of capacity, yuan (depreciation is a cost).
        investment: (F,) spending on new capacity, yuan.
        capacity_support, entry_support: (F,) subsidies paid by governments, yuan.
        targeted: (F,) firms in their government's target sectors.
        loss_streak: (F,) consecutive losses before this quarter.
        support_draws: (F,) uniforms for the soft-budget decision.
        wages: (C, K) wage per agent.
        employed: (C, K) employed workers counted on the worker side.
        labour_force: (C, K) workers by city and class.
        budgets, savings: (C,) balances before the quarter.
        saving_rate, dissaving_share: household saving shock levers.
    """
    cities = wages.shape[0]
    wage_bill = (employees * wages[firm_city]).sum(axis=1)
    subsidy = entry_support + capacity_support
    profit = revenue - wage_bill - depreciation * capital + subsidy
    tax = profit_tax * np.maximum(profit, 0.0) * alive
    profit = np.where(alive, profit - tax, 0.0)
    losing = alive & ((profit < 0) | (revenue <= 0))      # a firm that sells nothing is failing too
    streak = np.where(losing, loss_streak + 1, 0)
    over = alive & (streak >= exit_after)
    # soft budget constraint (Kornai 1986): a government keeps a failing local target-sector firm alive
    rescued = over & targeted & (support_draws < soft_budget)
    support = np.where(rescued, -profit, 0.0)
    received = subsidy + support
    cash_flow = revenue - wage_bill - investment - tax + received

    def by_city(values):
        return np.bincount(firm_city, values * alive, minlength=cities)

    unemployed = labour_force - employed
    flows = {"wages": (employed * wages).sum(axis=1), "wage_bill": by_city(wage_bill),
             "owners": by_city(cash_flow), "benefits": (unemployed * unemployment_benefit * wages[:, [1]]).sum(axis=1),
             "profit_tax": by_city(tax), "subsidies": by_city(received), "investment": by_city(investment),
             "revenue": by_city(revenue)}
    flows["income_tax"] = income_tax * flows["wages"]
    flows["income"] = flows["wages"] + flows["owners"] + flows["benefits"] - flows["income_tax"]
    taxes = flows["income_tax"] + flows["profit_tax"]
    outlays = flows["benefits"] + flows["subsidies"]
    public = np.maximum(taxes - outlays + public_spending_adjustment * budgets, 0.0)
    flows["public"] = public
    saved = saving_rate * flows["income"]
    released = dissaving_share * savings
    spending = flows["income"] - saved + released + flows["investment"] + public
    return Accounts(profit, received, streak, rescued, over & ~rescued, flows,
                    budgets + taxes - outlays - public, savings + saved - released, spending)
