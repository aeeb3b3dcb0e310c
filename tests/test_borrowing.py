"""``scripts/borrowing.py``: the net money stock and the balances it nets (ODD, "Nominal anchor and
real output")."""

from __future__ import annotations

from script_modules import load_script


def test_at_the_defaults_nobody_borrows_and_money_is_kept():
    # observed (6 Dec 2026, seeds 1-2, 40 quarters): no negative balance at the baseline; a city
    # government's largest negative balance 0.46 % of the stock in unilateral_liberalisation
    borrowing = load_script("borrowing")
    row = borrowing.one_run("baseline", 1, 8)
    assert row["government"] == 0.0 and row["households"] == 0.0
    assert abs(row["money_change"]) < 1e-12


def test_a_scenario_with_debt_financed_support_borrows_within_its_limit():
    # unilateral_liberalisation's support runs into the governments' borrowing room: a negative
    # balance, at most debt_limit x annual GDP (0.03 x 4 quarters of value added: well under the
    # money stock, which is about a quarter's spending); households do not borrow
    borrowing = load_script("borrowing")
    row = borrowing.one_run("unilateral_liberalisation", 1, 40)
    assert 0.0 < row["government"] < 0.12
    assert row["households"] == 0.0
    assert abs(row["money_change"]) < 1e-12
