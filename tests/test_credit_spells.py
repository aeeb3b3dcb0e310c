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


def test_streak_classes_by_hand():
    # exit_after 4: streaks 0-3 none, 4-7 class 0, 8-11 class 1, 12 and more class 2
    streaks = np.array([0, 3, 4, 7, 8, 11, 12, 40])
    assert credit.streak_class(streaks, 4).tolist() == [-1, -1, 0, 0, 1, 1, 2, 2]


def test_recovery_rates_by_hand():
    alive = np.array([True, True, True, True, True, False])
    previous = np.array([4, 6, 9, 1, 13, 9])
    losing = np.array([True, False, False, True, True, False])
    mass = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # failing at the start, by class: [4, 8): masses 1, 2 (2 recovered); [8, 12): 3 (recovered; the
    # dead row does not count); 12 or more: 5 (not recovered)
    np.testing.assert_array_equal(credit.failing_experience(alive, previous, losing, mass, 4),
                                  [[3.0, 2.0], [3.0, 3.0], [5.0, 0.0]])
    # with the year's three earlier quarters: class 0 exposed 7 recovered 1, class 1 none, class 2
    # exposed 15 recovered 1 -> (2 + 1) / (3 + 7), 3 / 3, 1 / 20
    spells = credit.Spells(np.ones(1), np.array([7.0, 0.0, 15.0]), np.array([1.0, 0.0, 1.0]), 1.0)
    rates, now = credit.recovery_rates(spells, alive, previous, losing, mass, 4)
    assert rates == pytest.approx([0.3, 1.0, 0.05]) and now[:, 0].tolist() == [3.0, 3.0, 5.0]
    # a class without experience takes the shorter class's rate
    young = np.array([4, 6, 1, 1, 2, 9])
    empty = credit.Spells(np.ones(1), np.zeros(3), np.zeros(3), 1.0)
    rates, _ = credit.recovery_rates(empty, alive, young, losing, mass, 4)
    assert rates == pytest.approx([2 / 3, 2 / 3, 2 / 3])
    # no failing firm in the year: the recovery of all firms that lost last quarter stands in
    # (streaks >= 1, alive: masses 1, 2, 3, 4, 5 of which 2 + 3 recovered)
    rates, now = credit.recovery_rates(empty, alive, np.array([2, 3, 1, 1, 3, 9]), losing, mass, 4)
    assert rates == pytest.approx([5 / 15] * 3) and not now.any()
    # no loss at all last quarter: the rate is 1 (the quarter's rule)
    rates, _ = credit.recovery_rates(empty, alive, np.zeros(6, int), losing, mass, 4)
    assert rates.tolist() == [1.0, 1.0, 1.0]


def test_finding_rates_by_hand():
    # by city and class: city 0 has 3 + 1 seekers and 1 + 0 hires; city 1 has 0 + 2 and 0 + 2; city 2
    # no seeker
    rates = finding_rates(np.array([[3, 1], [0, 2], [0, 0]]), np.array([[1, 0], [0, 2], [0, 0]]))
    assert rates == pytest.approx([0.25, 1.0, 1.0])


def test_one_firm_credit_over_spells_by_hand():
    # the zombie test's firm: a loss of 5 in its fourth loss quarter, closure cost 50 a quarter (line 50)
    failing = dict(revenue=np.array([65.0]), loss_streak=np.array([3]), weak_years=np.array([0]))
    quarter = _settle(**failing)
    assert quarter.soft_credit == pytest.approx([5.0]) and np.isnan(quarter.recovery).all()
    # over spells (the discount factor given as 1): workers find jobs at 1/2 (closure spell 2
    # quarters); failing firms in their first streak class recovered at 1/40 over the year (shortfall
    # spell 40): line 50 x 2 / 40 = 2.5 < 5, it fails
    def spells(recovered_first):
        return credit.Spells(np.array([0.5]), np.array([40.0, 40.0, 40.0]),
                             np.array([recovered_first, 4.0, 1.0]), 1.0)

    books = _settle(spells=spells(1.0), **failing)
    assert books.recovery == pytest.approx([1 / 40, 0.1, 1 / 40]) and books.failing.tolist() == [True]
    assert books.soft_credit.sum() == 0.0
    # first-class losses that end at 1/10 (spell 10): line 50 x 2 / 10 = 10 >= 5, credited
    books = _settle(spells=spells(4.0), **failing)
    assert books.soft_credit == pytest.approx([5.0]) and not books.failing.any()
    # a firm entering its fourth loss quarter was not yet failing at the quarter's start: no experience
    assert not books.experience.any()
    # in its thirteenth loss quarter it reads the third class (1 / 40): it fails; its experience
    # counts there (exposed 1, not recovered: it loses again)
    late = _settle(spells=spells(4.0), **{**failing, "loss_streak": np.array([12])})
    assert late.failing.tolist() == [True]
    assert late.experience.tolist() == [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]
    assert late.recovery[2] == pytest.approx(1 / 41)


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
    # on the default engine failing firms' losses rarely end (seed 1: 15 % a quarter after 4-7 quarters
    # of losses, 4.5 % after 8-11, 0.9 % after 12 or more) while job seekers find work at about 45 %
    # (2.2 quarters): the lines shrink, the more the longer the losses. Most credited shortfalls lie
    # far below their lines, so the quarters 8-24's soft credit falls less (measured: to 0.44 of the
    # quarter rule's, seed 3)
    model, soft = runs[1]
    assert model.failing_record[..., 0].sum() > 0
    assert soft[8:].sum() < 0.75 * runs[0][1][8:].sum()


@pytest.mark.slow
def test_spells_lower_the_zombie_share_of_the_shock_economy():
    # with persistent productivity shocks (persistence 0.8 a year) failing firms' losses end at 13-20 %
    # a quarter against job finding at about 57-67 %: the lines shrink to about 0.3 of the quarter
    # rule's and fewer loss-makers live on credit. Paired over seeds 1-3, quarters 17-24, no burn-in
    # (measured: 13.0, 11.8, 12.2 % with the quarter rule against 4.6, 3.3, 4.8 % over spells)
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
