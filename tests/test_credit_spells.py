"""Soft credit weighed over the expected spells (``credit_spells`` 1; :mod:`ydabm.mechanisms.credit`):
hand-computed spells, recovery rates and job-finding rates, one firm's credit decision under both
rules, and the whole model (the default rule unchanged, money and people kept, credit cut where
failing firms' losses outlast their workers' job search)."""

import numpy as np
import pytest

from ydabm.markets.labour import finding_rates
from ydabm.mechanisms import credit
from ydabm.model import YRDModel

from invariants import Start, assert_invariants
from test_zombies import _settle


def test_spell_quarters_by_hand():
    # a spell that ends for sure after this quarter lasts 1; with rate 1/2 and no discounting 2;
    # one that never ends, discounted at 1 %: 1 / (1 - 1/1.01) = 101
    assert credit.spell_quarters(1.0, 0.99) == pytest.approx(1.0)
    assert credit.spell_quarters(0.5, 1.0) == pytest.approx(2.0)
    assert credit.spell_quarters(0.0, 1 / 1.01) == pytest.approx(101.0)
    # the geometric sum it stands for: 1 + d (1 - p) + (d (1 - p))^2 + ...
    d, p = 0.99, 0.3
    assert credit.spell_quarters(p, d) == pytest.approx(sum((d * (1 - p)) ** k for k in range(2000)))
    # lines: 10 yuan a quarter, workers finding jobs at 1/2 (spell 2), losses ending at 1/4 (spell 4):
    # the line halves; where losses end faster than job search, it grows
    lines = credit.spell_lines(np.array([10.0, 10.0]), np.array([0.5, 0.125]), 0.25, 1.0)
    assert lines == pytest.approx([5.0, 20.0])


def test_recovery_rate_by_hand():
    alive = np.array([True, True, True, True, False])
    previous = np.array([4, 6, 4, 1, 9])
    losing = np.array([True, False, False, True, False])
    mass = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # failing at the start (streak >= 4, alive): masses 1, 2, 3; recovered (no loss now): 2 + 3
    assert credit.failing_experience(alive, previous, losing, mass, 4) == (6.0, 5.0)
    # with the year's three earlier quarters: exposed 10, recovered 1 -> (5 + 1) / (6 + 10)
    spells = credit.Spells(np.ones(1), 10.0, 1.0, 1.0)
    rate, now = credit.recovery_rate(spells, alive, previous, losing, mass, 4)
    assert rate == pytest.approx(6 / 16) and now == (6.0, 5.0)
    # no failing firm in the year: the recovery of all firms that lost last quarter stands in
    # (streaks >= 1: masses 1, 2, 3, 4 of which 2 + 3 recovered)
    empty = credit.Spells(np.ones(1), 0.0, 0.0, 1.0)
    young = np.array([2, 3, 1, 1, 9])
    rate, now = credit.recovery_rate(empty, alive, young, losing, mass, 4)
    assert rate == pytest.approx(5 / 10) and now == (0.0, 0.0)
    # no loss at all last quarter: the rate is 1 (the quarter's rule)
    rate, _ = credit.recovery_rate(empty, alive, np.zeros(5, int), losing, mass, 4)
    assert rate == 1.0


def test_finding_rates_by_hand():
    # city 0: 4 seekers, 1 hired; city 1: 2 seekers, 2 hired; city 2: no seeker
    rates = finding_rates(np.array([0, 0, 0, 0, 1, 1]), np.array([0, 1, 1]), 3)
    assert rates == pytest.approx([0.25, 1.0, 1.0])


def test_one_firm_credit_over_spells_by_hand():
    # the zombie test's firm: a loss of 5 in its fourth loss quarter, closure cost 50 a quarter (line 50)
    failing = dict(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([0]))
    quarter = _settle(**failing)
    assert quarter.soft_credit == pytest.approx([5.0]) and np.isnan(quarter.recovery)
    # over spells (the discount factor given as 1): workers find jobs at 1/2 (closure spell 2 quarters); failing firms'
    # losses ended at 1/40 over the year (shortfall spell 40): line 50 x 2 / 40 = 2.5 < 5, it fails
    slow = credit.Spells(np.array([0.5]), 40.0, 1.0, 1.0)
    books = _settle(spells=slow, **failing)
    assert books.recovery == pytest.approx(1 / 40) and books.failing.tolist() == [True]
    assert books.soft_credit.sum() == 0.0
    # losses that end at 1/10 (spell 10): line 50 x 2 / 10 = 10 >= 5, credited
    fast = credit.Spells(np.array([0.5]), 40.0, 4.0, 1.0)
    books = _settle(spells=fast, **failing)
    assert books.recovery == pytest.approx(0.1) and books.soft_credit == pytest.approx([5.0])
    assert not books.failing.any()
    # a firm entering its fourth loss quarter was not yet failing at the quarter's start: no experience;
    # one in its fifth (kept alive last quarter) is exposed, and not recovered (it loses again)
    assert books.experience == (0.0, 0.0)
    again = _settle(spells=fast, **{**failing, "loss_streak": np.array([4])})
    assert again.experience == (1.0, 0.0) and again.recovery == pytest.approx(4 / 41)


@pytest.fixture(scope="module")
def runs():
    """Seed 3 at the default scale with either rule over 24 quarters (the invariants of
    ``tests/invariants.py`` checked after every quarter with spells)."""
    out = {}
    for spells in (0, 1):
        model = YRDModel(rng=3, credit_spells=spells)
        start = Start.of(model)
        soft = []
        for _ in range(24):
            model.step()
            if spells:
                assert_invariants(model, start)
            soft.append(model.flows["soft_credit"].sum())
        out[spells] = (model, np.array(soft))
    return out


def test_the_default_rule_is_the_quarter_rule(runs):
    # credit_spells 0 never builds the spells: no experience is recorded
    model, _ = runs[0]
    assert model.params.credit_spells == 0 and not model.failing_record.any()


def test_spells_cut_credit_where_losses_outlast_job_search(runs):
    # on the default engine failing firms' losses rarely end (about 5 % a quarter: a discounted spell
    # near 17 quarters) while job seekers find work at about 40 % (2.5 quarters): the lines shrink about
    # sevenfold. Most credited shortfalls lie far below their lines, so the quarters 8-24's soft credit
    # falls less (measured: to 0.71 of the quarter rule's, seed 3)
    model, soft = runs[1]
    assert model.failing_record[:, 0].sum() > 0
    assert soft[8:].sum() < 0.9 * runs[0][1][8:].sum()


@pytest.mark.slow
def test_spells_lower_the_zombie_share_of_the_shock_economy():
    # with persistent productivity shocks (persistence 0.8 a year) failing firms' losses end at about
    # 17 % a quarter against job finding at about 57 %: the lines shrink to about 0.3 of the quarter
    # rule's and fewer loss-makers live on credit. Paired over seeds 1-3, quarters 17-24, no burn-in
    # (measured: 13.0, 11.8, 12.2 % with the quarter rule against 4.4, 4.2, 4.9 % over spells)
    def share(seed, spells):
        model = YRDModel(rng=seed, productivity_persistence=0.8, credit_spells=spells)
        path = []
        for _ in range(24):
            model.step()
            path.append(model.metrics["zombie_share"])
        return np.mean(path[16:])

    diff = np.array([share(seed, 1) - share(seed, 0) for seed in (1, 2, 3)])
    assert diff.mean() < -3 * diff.std(ddof=1) / np.sqrt(diff.size), diff


def test_credit_spells_out_of_range_names_the_field():
    from ydabm.params import ParameterError, Params
    with pytest.raises(ParameterError, match="credit_spells"):
        Params.build({"credit_spells": 2})


@pytest.mark.slow
def test_the_burnt_in_shock_economy_keeps_unemployment_within_half_a_point_over_spells():
    # issue 10 item 2's unemployment band in the shock economy with split agents, shedding and a
    # 40-quarter burn-in (scripts/productivity_shocks.py): measured 0.39-0.48 pp over 40 quarters in
    # seeds 1-5 over spells, 0.34-0.73 pp (2 of 5 within) with the quarter rule
    from script_modules import load_script
    script = load_script("productivity_shocks")
    values = {"max_cohort_share": 0.2, "failing_exit_share": 0.25, "credit_spells": 1}
    moves = [script.run((2000.0, 0.8, seed, 40, values, 40))["unemployment_move"] for seed in (1, 2, 3, 4, 5)]
    assert max(moves) <= 0.005, moves
