"""Full scale (issue 15): narrow worker columns, building without arrays over all workers at once,
and the refusal of a scale the machine cannot hold."""

from __future__ import annotations

import os

import numpy as np
import pytest

from ydabm.agents import workers as workers_module
from ydabm.agents.workers import Workers, narrowest
from ydabm.markets import labour


def test_narrowest_type_holds_the_values():
    assert narrowest(40) == np.int8 and narrowest(127) == np.int8
    assert narrowest(128) == np.int16 and narrowest(32767) == np.int16
    assert narrowest(32768) == np.int32 and narrowest(2**31) == np.int64


def test_worker_columns_are_narrow_for_the_yrd():
    force = np.full((41, 3), 4)
    share = np.tile([0.5, 0.2, 0.2, 0.05, 0.05], (41, 1))
    w = Workers.populate(force, share, np.random.default_rng(0))
    assert (w.city.dtype, w.hukou.dtype, w.skill.dtype, w.market.dtype, w.employer.dtype) == \
        (np.int8, np.int8, np.int8, np.int8, np.int32)
    assert w.nbytes() == 8 * w.count
    assert (w.market == w.city.astype(int) * 3 + w.skill).all() and w.market.max() == 122
    w.move(np.array([0, 5]), np.array([40, 39]))
    assert w.market[0] == 40 * 3 + w.skill[0] and w.city[5] == 39
    with pytest.raises(ValueError, match=r"destination: cities must lie in \[0, 40\]"):
        w.move(np.array([1]), np.array([41]))


def _populate_at_once(labour_force, hukou_share, rng):
    """The single-pass form of Workers.populate (one draw over all workers, (N, H) comparison)."""
    cities, classes = labour_force.shape
    cell = np.repeat(np.arange(cities * classes), labour_force.ravel())
    city, skill = np.divmod(cell, classes)
    cumulative = np.cumsum(hukou_share, axis=1)
    hukou = (rng.random(city.size)[:, None] > cumulative[city]).sum(axis=1)
    hukou = np.minimum(hukou, hukou_share.shape[1] - 1)
    hukou = np.where(skill == 0, hukou_share.argmax(axis=1)[city], hukou)
    return city, hukou, skill


def test_populate_in_blocks_equals_one_pass(monkeypatch):
    monkeypatch.setattr(workers_module, "BLOCK", 7)          # many blocks, one cut inside a city
    rng = np.random.default_rng(3)
    force = rng.integers(0, 20, size=(6, 3))
    share = rng.dirichlet(np.ones(4), size=6)
    w = Workers.populate(force, share, np.random.default_rng(11))
    city, hukou, skill = _populate_at_once(force, share, np.random.default_rng(11))
    assert (w.city == city).all() and (w.hukou == hukou).all() and (w.skill == skill).all()
    assert (w.employer == -1).all()


def test_place_in_market_order_by_hand():
    # rows 0-2 in market 0, rows 3-4 in market 1; entries: (market 0, firm 7, 2 slots),
    # (market 1, firm 3, 1 slot), (market 0, firm 5, 1 slot)
    employer = np.full(5, -1, dtype=np.int32)
    labour.place_in_market_order(employer, np.array([0, 0, 0, 1, 1], dtype=np.int8), np.array([0, 1, 0]),
                                 np.array([7, 3, 5]), np.array([2, 1, 1]), np.random.default_rng(5))
    u = np.random.default_rng(5).random(5)                   # one uniform per worker, in row order
    # market 0 fills all 3 workers, in row order, with its slots in entry order: 7, 7, 5
    assert employer[:3].tolist() == [7, 7, 5]
    # market 1 has one slot: the worker with the smaller key 1 + u takes it
    expected = [3, -1] if u[3] < u[4] else [-1, 3]
    assert employer[3:].tolist() == expected
    with pytest.raises(ValueError, match="market order"):
        labour.place_in_market_order(employer, np.array([1, 0]), np.array([0]), np.array([1]), np.array([1]),
                                     np.random.default_rng(0))
    with pytest.raises(ValueError, match="more slots than workers"):
        labour.place_in_market_order(np.full(2, -1), np.array([0, 0]), np.array([0]), np.array([1]),
                                     np.array([3]), np.random.default_rng(0))


def test_place_in_market_order_equals_the_global_selection():
    """The same workers and pairing as pick_per_group over all workers, then stable sorts by market."""
    rng = np.random.default_rng(8)
    market = np.sort(rng.integers(0, 9, 400)).astype(np.int8)
    size = np.bincount(market, minlength=9)
    entry_market = rng.integers(0, 9, 40)
    entry_owner = np.arange(40) * 2
    entry_slots = np.zeros(40, dtype=np.int64)
    for m in range(9):                                       # share out up to the market's size
        rows = np.flatnonzero(entry_market == m)
        if rows.size:
            entry_slots[rows] = rng.multinomial(rng.integers(0, size[m] + 1), np.ones(rows.size) / rows.size)
    employer = np.full(market.size, -1, dtype=np.int32)
    labour.place_in_market_order(employer, market, entry_market, entry_owner, entry_slots, np.random.default_rng(4))
    owner = np.repeat(entry_owner, entry_slots)
    slot_market = np.repeat(entry_market, entry_slots)
    chosen = labour.pick_per_group(market, np.bincount(slot_market, minlength=9), np.random.default_rng(4))
    expected = np.full(market.size, -1, dtype=np.int32)
    order = np.flatnonzero(chosen)[np.argsort(market[chosen], kind="stable")]
    expected[order] = owner[np.argsort(slot_market, kind="stable")]
    assert (employer == expected).all() and (employer >= 0).sum() == entry_slots.sum()


# ---------------------------------------------------------------- refusing a scale the machine cannot hold
from ydabm import capacity_check  # noqa: E402
from ydabm.cli import main  # noqa: E402
from ydabm.model import YRDModel  # noqa: E402
from ydabm.params import Params  # noqa: E402
from ydabm.agents.firms import Firms  # noqa: E402


def test_estimate_by_hand():
    # 189 MB + 17.4 bytes x 1e6 workers + 820 bytes x 45,000 firm rows
    assert capacity_check.estimate_bytes(1_000_000, 45_000) == pytest.approx(189e6 + 17.4e6 + 36.9e6)


@pytest.mark.parametrize("scale", [{"people_per_agent": 20000.0}, {"people_per_agent": 5000.0, "workers_per_firm": 8.0},
                                   {"people_per_agent": 3000.0, "world": "racetrack", "racetrack_cities": 7}])
def test_expected_agents_are_those_the_model_creates(scale):
    params = Params.build(scale)
    workers, rows = capacity_check.expected_agents(params)
    model = YRDModel(rng=1, params=params)
    assert workers == model.workers.count
    cells = model.geography.count * model.sectors.count
    assert model.firms.size <= rows <= Firms.rows_for(model.firms.count + cells)   # an upper bound, by the cells


def test_check_capacity_refuses_with_the_estimate_and_the_memory(monkeypatch):
    params = Params.build({"people_per_agent": 1.0})
    workers, rows, need = capacity_check.estimate_for(params)
    # the working-age residents are the workers (151.5 M of 235.2 M residents; issue 10 item 6); the
    # estimate is 8.44 GB with the fit of 4 Dec 2026 (docs/performance.md, "The memory estimate refitted")
    assert workers == 151_513_573 and 6.4e6 < rows < 7.2e6 and 8.2e9 < need < 8.7e9
    assert capacity_check.check_capacity(params, available=int(need) + 1) == need
    with pytest.raises(capacity_check.CapacityError) as refused:
        capacity_check.check_capacity(params, available=6_000_000_000)
    message = str(refused.value)
    assert "\n" not in message and message.startswith("people_per_agent: 1 gives 151,513,573 worker agents")
    assert f"estimated peak of {need / 1e9:.1f} GB" in message and "this machine has 6.0 GB available" in message
    # the suggested scale fits: people_per_agent >= k / (6 GB - base)
    suggested = float(message.rsplit(">= ", 1)[1].split()[0])
    assert capacity_check.estimate_for(Params.build({"people_per_agent": suggested}))[2] <= 6e9
    assert capacity_check.estimate_for(Params.build({"people_per_agent": suggested - 0.2}))[2] > 6e9


def test_available_memory_comes_from_the_os():
    have = capacity_check.available_bytes()
    assert 0 < have <= os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def test_cli_refuses_a_scale_the_machine_cannot_hold_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(capacity_check, "available_bytes", lambda: 4_000_000_000)
    built = []
    monkeypatch.setattr(YRDModel, "__init__", lambda self, **kw: built.append(kw))   # must not be reached
    out = tmp_path / "full"
    assert main(["run", "--set", "people_per_agent=1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ydabm: error: people_per_agent: 1 gives 151,513,573")
    assert "this machine has 4.0 GB available" in err
    assert not built and list(tmp_path.iterdir()) == []


def test_smallest_rows_equal_the_stable_sort_with_ties():
    rng = np.random.default_rng(2)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        # few distinct values: ties across the cut are common, and the stable sort decides them
        key = rng.integers(0, 1 + trial % 7, n).astype(float) + (0.0 if trial % 2 else rng.random(n))
        take = int(rng.integers(1, n + 1))
        expected = np.sort(np.argsort(key, kind="stable")[:take])
        assert (labour._smallest_rows(key, take) == expected).all()
    # by hand: keys 0.5 0.2 0.2 0.9, two smallest -> rows 1, 2; three -> rows 0, 1, 2
    key = np.array([0.5, 0.2, 0.2, 0.9])
    assert labour._smallest_rows(key, 2).tolist() == [1, 2]
    assert labour._smallest_rows(key, 3).tolist() == [0, 1, 2]
    # a tie across the cut: of the three 0.2s, the first two in row order
    assert labour._smallest_rows(np.array([0.2, 0.1, 0.2, 0.2]), 3).tolist() == [0, 1, 2]


def test_counts_and_order_checks_in_blocks_equal_the_whole_array(monkeypatch):
    monkeypatch.setattr(workers_module, "BLOCK", 5)
    monkeypatch.setattr(labour, "BLOCK", 5)
    rng = np.random.default_rng(6)
    for n in (0, 1, 4, 5, 6, 23):
        values = rng.integers(0, 9, n).astype(np.int8)
        assert (workers_module.counts_of(values, 12) == np.bincount(values, minlength=12)).all()
        assert (workers_module.counts_of(values, 3) == np.bincount(values, minlength=3)).all()   # longer
        ordered = np.sort(values)
        assert labour._non_decreasing(ordered)
        assert labour._non_decreasing(values) == bool((values[1:] >= values[:-1]).all())
    assert not labour._non_decreasing(np.array([0, 0, 0, 0, 0, 1, 0], dtype=np.int8))   # drop at a block edge


def _round_within_reference(values, groups, totals, size):
    """The lexsort form of model._round_within (its form before selection by group)."""
    base = np.floor(values).astype(np.int64)
    short = totals - np.bincount(groups, base, minlength=size)
    order = np.lexsort((-(values - base), groups))
    sorted_groups = groups[order]
    rank = np.arange(values.size) - np.searchsorted(sorted_groups, sorted_groups, side="left")
    bump = np.zeros(values.size, dtype=np.int64)
    bump[order] = rank < short[sorted_groups]
    return base + bump


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_round_within_equals_the_lexsort_form():
    from ydabm.model import _round_within
    rng = np.random.default_rng(9)
    for trial in range(300):
        n = int(rng.integers(0, 80))
        size = 1 + trial % 5
        groups = rng.integers(0, size, n)
        values = np.round(rng.random(n) * 4, trial % 3)        # rounded: tied fractions, whole values
        totals = np.bincount(groups, np.floor(values), minlength=size).astype(np.int64) \
            + rng.integers(-1, 4, size)                         # short: negative, zero, more than members
        if trial % 10 == 0 and n:
            values[0] = np.nan                                  # the lexsort path (nan sorts last)
        expected = _round_within_reference(values, groups, totals, size)
        assert (_round_within(values, groups, totals, size) == expected).all()
    # by hand: group 0 has 1.6, 2.3, 0.6 (sum 4.5 -> 5 whole: floors 1, 2, 0 and 2 more, to the
    # largest remainders .6 and .6, the first in index order first); group 1 has 0.5, 0.5 -> 1
    values = np.array([1.6, 0.5, 2.3, 0.6, 0.5])
    groups = np.array([0, 1, 0, 0, 1])
    assert _round_within(values, groups, np.array([5, 1]), 2).tolist() == [2, 1, 2, 1, 0]


def test_layoff_pass_in_blocks_equals_one_block(monkeypatch):
    """The layoffs' pass over all workers, block by block, gives the rows, codes and draws of one pass."""
    rng = np.random.default_rng(12)
    firms, classes = 30, 3
    employer = rng.integers(-1, firms, 500).astype(np.int32)
    skill = rng.integers(0, classes, 500).astype(np.int8)
    staff = labour.jobs_of(employer[employer >= 0], skill[employer >= 0], firms, classes)
    excess = np.minimum(staff, rng.integers(0, 3, staff.shape))
    whole = labour._layoffs_and_seekers(employer, skill, staff, excess, np.random.default_rng(1))
    monkeypatch.setattr(labour, "BLOCK", 7)
    blocked = labour._layoffs_and_seekers(employer, skill, staff, excess, np.random.default_rng(1))
    assert all((a == b).all() for a, b in zip(whole, blocked))
    fired, seekers = blocked
    assert fired.size == excess.sum() and (employer[seekers] < 0).sum() == (employer < 0).sum()
    compact = np.full(firms * classes + classes, -1, dtype=np.int32)
    compact[-classes:] = -2
    rows, codes = labour._coded_rows(employer, skill, compact, classes)
    assert (rows == np.flatnonzero(employer < 0)).all() and (codes == -2).all()
