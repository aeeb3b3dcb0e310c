"""Accounts: wages, profits, taxes, subsidies, soft-budget support, budgets and next quarter's spending.

Money is a fixed stock (the model's nominal anchor): every yuan of revenue is paid out as wages,
owners' cash flow or taxes, and every yuan a household or government receives is spent next quarter,
saved, or kept in its budget. So spending' + budgets' + savings' = spending + budgets + savings.

Governments pay unemployment benefits in full and support firms (entry and capacity subsidies,
soft-budget rescues) out of an ``allowance``: what their balance, their borrowing room up to a debt
limit and last quarter's net revenue allow (:func:`support_allowance`). When the claims exceed it,
support is rationed: subsidies are paid pro rata, and the rescue probability is scaled by the share
of rescue needs the rest of the allowance covers.
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
            income_tax, profit_tax, subsidies, investment, revenue (gross sales), inputs (bought), value_added
            (revenue less the inputs used), income, public.
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
           support_draws: np.ndarray, wages: np.ndarray, employed: np.ndarray, labour_force: np.ndarray,
           budgets: np.ndarray, savings: np.ndarray, saving_rate: float, dissaving_share: float,
           allowance: np.ndarray | None = None, tax_sharing: float = 0.0, tax_key: np.ndarray | None = None,
           inputs: np.ndarray | float = 0.0, input_cost: np.ndarray | float | None = None, *, depreciation: float, profit_tax: float, income_tax: float, unemployment_benefit: float,
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
        targeted: (F,) support intensity of each firm's city-sector in [0, 1] (1: a full target); a
            failing firm is rescued with probability soft_budget x intensity.
        loss_streak: (F,) consecutive losses before this quarter.
        support_draws: (F,) uniforms for the soft-budget decision.
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
    """
    cities = wages.shape[0]

    def by_city(values):
        return np.bincount(firm_city, values * alive, minlength=cities)

    room = np.full(cities, np.inf) if allowance is None else allowance
    wage_bill = (employees * wages[firm_city]).sum(axis=1)
    claims = entry_support + capacity_support
    claimed = by_city(claims)
    with np.errstate(divide="ignore", invalid="ignore"):
        paid_share = np.where(claimed > 0, np.minimum(1.0, room / claimed), 1.0)
    subsidy = claims * paid_share[firm_city]
    inputs = np.where(alive, inputs, 0.0)
    input_cost = inputs if input_cost is None else np.where(alive, input_cost, 0.0)
    profit = revenue - input_cost - wage_bill - depreciation * capital + subsidy
    tax = profit_tax * np.maximum(profit, 0.0) * alive
    profit = np.where(alive, profit - tax, 0.0)
    losing = alive & ((profit < 0) | (revenue <= 0))      # a firm that sells nothing is failing too
    streak = np.where(losing, loss_streak + 1, 0)
    over = alive & (streak >= exit_after)
    # soft budget constraint (Kornai 1986): a government keeps a failing local firm of a sector it
    # supports alive, the more likely the more it supports the sector
    candidates = over & (support_draws < soft_budget * targeted)
    needs = by_city(np.where(candidates, -profit, 0.0))
    left = np.maximum(room - by_city(subsidy), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rescue_share = np.where(needs > 0, np.minimum(1.0, left / needs), 1.0)
    rescued = over & (support_draws < soft_budget * targeted * rescue_share[firm_city])
    support = np.where(rescued, -profit, 0.0)
    received = subsidy + support
    cash_flow = revenue - inputs - wage_bill - investment - tax + received

    unemployed = labour_force - employed
    flows = {"wages": (employed * wages).sum(axis=1), "wage_bill": by_city(wage_bill),
             "owners": by_city(cash_flow), "benefits": (unemployed * unemployment_benefit * wages[:, [1]]).sum(axis=1),
             "profit_tax": by_city(tax), "subsidies": by_city(received), "investment": by_city(investment),
             "revenue": by_city(revenue), "inputs": by_city(inputs)}
    flows["value_added"] = flows["revenue"] - by_city(input_cost)
    flows["income_tax"] = income_tax * flows["wages"]
    flows["income"] = flows["wages"] + flows["owners"] + flows["benefits"] - flows["income_tax"]
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
    released = dissaving_share * savings
    spending = flows["income"] - saved + released + flows["investment"] + public
    # where owners' losses exceed the rest of a city's income, its households borrow the shortfall
    # (savings go negative) instead of planning negative spending
    shortfall = np.maximum(-spending, 0.0)
    return Accounts(profit, received, streak, rescued, over & ~rescued, flows,
                    budgets + taxes - outlays - public, savings + saved - released - shortfall,
                    spending + shortfall)
