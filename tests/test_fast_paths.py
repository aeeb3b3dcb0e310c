"""The fast paths of the vectorised engine give exactly what their plain forms give.

Each helper is checked against a reference written the plain way (the form the engine used before
the helper), on random cases that include the edge cases where a fast path must fall back: ties,
keys outside their group's interval, nan, empty inputs.
"""

import numpy as np
import pytest

from ydabm.agents.firms import HEADROOM, BinSums, Firms, integer_sums
from ydabm.markets import labour, migration


def _first_per_group_reference(group, key, counts):
    """The engine's original form: partly chosen groups sorted (stable sort only when keys tie),
    ranks from the cumulative sizes of the partly chosen groups."""
    size = np.bincount(group, minlength=counts.size)[:counts.size]
    whole = counts >= size
    partial = (counts > 0) & ~whole
    chosen = whole[group]
    candidates = np.flatnonzero(partial[group])
    sub_key, sub_group = key[candidates], group[candidates]
    if sub_key.size:
        order = np.argsort(sub_key)
        ordered = sub_key[order]
        if (ordered[1:] == ordered[:-1]).any():
            order = np.argsort(sub_key, kind="stable")
        sorted_group = sub_group[order]
        taken = size * partial
        rank = np.arange(sub_key.size) - (np.cumsum(taken) - taken)[sorted_group]
        chosen[candidates[order]] = rank < counts[sorted_group]
    return chosen


@pytest.mark.parametrize("select", [True, False])
@pytest.mark.parametrize("kind", ["uniform", "ties", "arbitrary", "rounded_up"])
def test_first_per_group_matches_the_stable_sort(kind, select, monkeypatch):
    if not select:                          # thresholds from one sort of all keys, not group by group
        monkeypatch.setattr(labour, "SELECT_GROUPS", 0)
    rng = np.random.default_rng(1)
    for _ in range(300):
        groups = int(rng.integers(1, 40))
        n = int(rng.integers(0, 200))
        group = rng.integers(0, groups, n)
        counts = rng.integers(0, 6, groups)
        if kind == "uniform":
            key = group + rng.random(n)
        elif kind == "ties":
            key = group + np.round(rng.random(n), 1)
        elif kind == "arbitrary":           # keys not in [g, g + 1): the fast path must not be taken
            key = rng.random(n) * groups
        else:                               # a key of group g that rounded up to g + 1
            key = group + rng.random(n)
            key[: n // 10] = group[: n // 10] + 1.0
        chosen = labour.first_per_group(group, key, counts)
        assert np.array_equal(chosen, _first_per_group_reference(group, key, counts))
        if kind == "uniform":
            assert np.array_equal(np.bincount(group[chosen], minlength=groups),
                                  np.minimum(counts, np.bincount(group, minlength=groups)))


def test_first_in_blocks_equals_first_per_group_on_compact_ids():
    rng = np.random.default_rng(2)
    for _ in range(300):
        ids = np.unique(rng.integers(0, 10_000, int(rng.integers(1, 30))))   # sorted group ids
        n = int(rng.integers(1, 200))
        compact = rng.integers(0, ids.size, n)
        base = ids[compact]
        key = base + rng.random(n)
        counts = rng.integers(0, 5, ids.size)
        full_counts = np.zeros(ids.max() + 1, dtype=np.int64)
        full_counts[ids] = counts
        fast = labour._first_in_blocks(compact, base, key, counts)
        assert fast is not None
        assert np.array_equal(fast, labour.first_per_group(base, key, full_counts))
    # keys that tie (rounded): a fast answer, where given, is still the stable sort's choice; a tie
    # with a group's threshold has none
    answered = 0
    for _ in range(300):
        ids = np.unique(rng.integers(0, 10_000, int(rng.integers(1, 30))))
        n = int(rng.integers(1, 200))
        compact = rng.integers(0, ids.size, n)
        base = ids[compact]
        key = base + np.round(rng.random(n), 1)
        counts = rng.integers(0, 5, ids.size)
        full_counts = np.zeros(ids.max() + 1, dtype=np.int64)
        full_counts[ids] = counts
        fast = labour._first_in_blocks(compact, base, key, counts)
        if fast is not None:
            answered += 1
            assert np.array_equal(fast, labour.first_per_group(base, key, full_counts))
    assert 0 < answered < 300
    assert labour._first_in_blocks(np.array([0, 0, 0]), np.array([5, 5, 5]), np.array([5.5, 5.5, 5.7]),
                                   np.array([1])) is None
    # a key outside [base, base + 1) of a partly chosen group: no fast answer
    assert labour._first_in_blocks(np.array([0, 0]), np.array([5, 5]), np.array([6.0, 5.5]),
                                   np.array([1])) is None


def _layoffs_reference(employer, skill, staff, excess, rng):
    """The layoff draw over all jobs (the engine's original form)."""
    classes = excess.shape[1]
    firing = np.append(excess.any(axis=1), False)
    employed = np.flatnonzero(firing[employer])
    job = employer[employed].astype(np.int64) * classes + skill[employed]
    due = excess.ravel()
    overstaffed = due[job] > 0
    employed, job = employed[overstaffed], job[overstaffed]
    size = np.maximum(staff.ravel(), 1)
    kept = rng.random(job.size) < np.minimum(1.0, (3.0 * due + 2.0) / size)[job]
    short = np.bincount(job[kept], minlength=due.size) < due
    candidates = kept | short[job]
    return employed[candidates][labour.pick_per_group(job[candidates], due, rng)]


def test_layoffs_match_the_draw_over_all_jobs_and_the_generator_state():
    rng = np.random.default_rng(3)
    for _ in range(300):
        firms, workers = int(rng.integers(1, 30)), int(rng.integers(0, 300))
        employer = rng.integers(-1, firms, workers).astype(np.int32)
        skill = rng.integers(0, 3, workers).astype(np.int8)
        staff = np.zeros((firms, 3), dtype=np.int32)
        np.add.at(staff, (employer[employer >= 0], skill[employer >= 0]), 1)
        excess = np.maximum(staff - np.maximum(staff - rng.integers(-2, 4, (firms, 3)), 0), 0).astype(np.int64)
        seed = int(rng.integers(1 << 30))
        first, second = np.random.default_rng(seed), np.random.default_rng(seed)
        fired = labour._layoffs_and_seekers(employer, skill, staff, excess, first)[0]
        assert np.array_equal(fired, _layoffs_reference(employer, skill, staff, excess, second))
        assert first.bit_generator.state == second.bit_generator.state
        laid_off = np.zeros((firms, 3), dtype=np.int64)
        np.add.at(laid_off, (employer[fired], skill[fired]), 1)
        assert np.array_equal(laid_off, excess)
        # the seekers come from the same pass: every worker unemployed after the layoffs, in row order
        third = np.random.default_rng(seed)
        again, seekers = labour._layoffs_and_seekers(employer, skill, staff, excess, third)
        assert np.array_equal(again, fired) and third.bit_generator.state == first.bit_generator.state
        after = employer.copy()
        after[fired] = -1
        assert np.array_equal(seekers, np.flatnonzero(after < 0))


def _assert_layoffs_match_the_reference(employer, skill, staff, excess, seed):
    """The fast layoffs and seekers against the reference draw from the same seed: the same workers
    fired, the same generator state after, and the seekers every worker unemployed after the layoffs."""
    first, second = np.random.default_rng(seed), np.random.default_rng(seed)
    fired, seekers = labour._layoffs_and_seekers(employer, skill, staff, excess, first)
    assert np.array_equal(fired, _layoffs_reference(employer, skill, staff, excess, second))
    assert first.bit_generator.state == second.bit_generator.state
    after = employer.copy()
    after[fired] = -1
    assert np.array_equal(seekers, np.flatnonzero(after < 0))


def test_layoffs_with_short_groups_match_the_draw_over_all_jobs():
    """Groups where fewer members are kept than are laid off (every member a candidate) give the
    reference draw too: large groups with one layoff each (keep probability 5 / n) make them common."""
    rng = np.random.default_rng(8)
    for _ in range(60):
        firms = int(rng.integers(1, 6))
        employer = rng.integers(-1, firms, 2000).astype(np.int32)
        skill = rng.integers(0, 3, employer.size).astype(np.int8)
        staff = labour.jobs_of(employer[employer >= 0], skill[employer >= 0], firms, 3)
        excess = np.minimum(staff, rng.integers(0, 2, staff.shape)).astype(np.int64)
        _assert_layoffs_match_the_reference(employer, skill, staff, excess, int(rng.integers(1 << 30)))


def test_layoffs_with_more_overstaffed_jobs_than_16_bit_codes_hold():
    """Past 32,762 overstaffed jobs the codes of the pass over the workers are 32-bit: the same draw."""
    rng = np.random.default_rng(17)
    firms = 12_000
    employer = np.repeat(np.arange(firms, dtype=np.int32), 9)
    skill = np.tile(np.repeat(np.arange(3, dtype=np.int8), 3), firms)
    employer = np.concatenate([employer, np.full(500, -1, dtype=np.int32)])
    skill = np.concatenate([skill, np.zeros(500, dtype=np.int8)])
    staff = labour.jobs_of(employer[employer >= 0], skill[employer >= 0], firms, 3)
    excess = np.minimum(staff, rng.integers(1, 3, staff.shape)).astype(np.int64)
    assert np.count_nonzero(excess) > 1 << 15
    _assert_layoffs_match_the_reference(employer, skill, staff, excess, int(rng.integers(1 << 30)))


def test_labour_market_with_pending_moves_equals_moving_first():
    """Closures and mergers handed to the labour market as ``moves`` (applied in its pass over the
    workers) give what moving the workers first and clearing the market then gives, bit for bit: the
    employer column, every result and the generator's state; the firm table may have grown since the
    moves were made (entrants in new rows)."""
    rng = np.random.default_rng(21)
    for trial in range(200):
        cities, classes = int(rng.integers(1, 4)), 3
        firms = int(rng.integers(1, 25))
        grown = firms + int(rng.integers(0, 4))             # rows added after the moves (no workers yet)
        workers = int(rng.integers(0, 400))
        employer = rng.integers(-1, firms, workers).astype(np.int32)
        skill = rng.integers(0, classes, workers).astype(np.int8)
        city = rng.integers(0, cities, workers)
        market = (city * classes + skill).astype(np.int64)
        firm_city = rng.integers(0, cities, grown)
        # the moves: some rows close (-1), some merge into another row; the last entry is -1's
        moves = np.arange(firms + 1, dtype=np.int32)
        moves[-1] = -1
        if trial % 5:
            closing = rng.random(firms) < 0.2
            moves[:-1][closing] = -1
            merging = np.flatnonzero(~closing & (rng.random(firms) < 0.3))
            if merging.size:
                moves[merging] = rng.integers(0, grown, merging.size)
        moved = np.take(moves, employer, mode="wrap")
        employees = labour.jobs_of(moved[moved >= 0], skill[moved >= 0], grown, classes)
        desired = np.maximum(employees + rng.normal(0.0, 2.0, employees.shape), 0.0)
        if trial % 7 == 0:
            desired = employees + 0.5                        # no firm overstaffed
        force = np.maximum(np.bincount(market, minlength=cities * classes).reshape(cities, classes), 1)
        args = (skill, market, employees, firm_city, desired, rng.random(desired.shape), force,
                rng.uniform(0.5, 2.0, (cities, classes)), 0.1, 0.8, 0.05, 0.3)
        seed = int(rng.integers(1 << 30))
        first, second = np.random.default_rng(seed), np.random.default_rng(seed)
        after = employer.copy()
        hiring = labour.clear_labour_market(after, *args, first, overwrite=True, moves=moves)
        expected = labour.clear_labour_market(moved.copy(), *args, second, overwrite=True)
        assert hiring.employer is after and np.array_equal(after, expected.employer)
        for name in ("employees", "wages", "understaffed", "carry", "hours", "jobs", "separations", "layoffs",
                     "hires", "employed", "finding"):
            assert np.array_equal(getattr(hiring, name), getattr(expected, name)), name
        assert first.bit_generator.state == second.bit_generator.state
    with pytest.raises(ValueError, match="only with overwrite"):
        labour.clear_labour_market(employer, *args, rng, moves=moves)


@pytest.mark.parametrize("shape", [(0, 3), (5, 1), (7, 3), (6, 4)])
def test_any_per_row(shape):
    mask = np.random.default_rng(4).random(shape) < 0.3
    assert np.array_equal(labour.any_per_row(mask), mask.any(axis=1))


def test_draw_from_cells_matches_the_row_comparison():
    rng = np.random.default_rng(5)
    for trial in range(300):
        cities, cells, n = int(rng.integers(1, 70)), int(rng.integers(1, 20)), int(rng.integers(0, 300))
        probs = rng.random((cells, cities)) ** 3 * (rng.random((cells, cities)) > 0.2)
        probs[:, 0] += 1e-12
        cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
        cell = rng.integers(0, cells, n)
        uniforms = rng.random(n)
        if n >= 3:                            # uniforms exactly on a cumulative value
            uniforms[:3] = cumulative[cell[:3], rng.integers(0, cities, 3)]
        if trial % 10 == 0:                   # not monotone: falls back to the comparison
            cumulative[0, 0] = np.nan
        expected = migration.draw_destinations(cumulative[cell], uniforms)
        assert np.array_equal(migration.draw_from_cells(cumulative, cell, uniforms), expected)


def test_integer_sums_equal_bincount():
    rng = np.random.default_rng(6)
    for n, bins in [(0, 4), (1, 1), (100, 3), (10_000, 41), (5_000, 500)]:
        index = np.sort(rng.integers(0, bins, n)).astype(np.int32)
        values = rng.integers(0, 50, (n, 3)).astype(np.int32)
        expected = np.stack([np.bincount(index, values[:, k], minlength=bins) for k in range(3)], axis=1)
        got = integer_sums(index, values, bins)
        assert got.dtype == np.float64 and np.array_equal(got, expected)
        assert np.array_equal(integer_sums(index, values[:, 0].astype(float), bins),
                              np.bincount(index, values[:, 0].astype(float), minlength=bins))


def test_firm_staff_is_the_row_sum():
    firms = Firms(10, 3)
    firms.employees[:] = np.random.default_rng(7).integers(0, 20, (10, 3))
    assert firms.staff().dtype == np.int64
    assert np.array_equal(firms.staff(), firms.employees.sum(axis=1))


def test_closing_and_merging_cohorts_move_their_workers_as_the_take_form():
    """``close_firms`` and ``merge_firms`` index the int32 employer column directly; the workers
    they unemploy or move are those the ``np.take`` form gives, and people and jobs still add up."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=5, **QUICK_SCALE)
    model.step()
    f, w = model.firms, model.workers
    live = np.flatnonzero(f.alive)
    leaving = np.zeros(f.size, dtype=bool)
    leaving[live[::7]] = True
    expected = w.employer.copy()
    expected[np.take(np.append(leaving, False), expected)] = -1
    model.close_firms(leaving)
    assert w.employer.dtype == np.int32 and np.array_equal(w.employer, expected)
    # two cohorts of one city-sector merge: the source's workers move to the destination
    cell = f.cell
    live = np.flatnonzero(f.alive)
    shared = next(c for c in np.unique(cell[live]) if (cell[live] == c).sum() >= 2)
    source, destination = live[cell[live] == shared][:2]
    target = np.arange(f.size + 1)
    target[source], target[-1] = destination, -1
    expected = np.take(target, w.employer).astype(np.int32)
    staff = f.employees[source] + f.employees[destination]
    model.merge_firms(np.array([source]), np.array([destination]))
    assert w.employer.dtype == np.int32 and np.array_equal(w.employer, expected)
    assert np.array_equal(f.employees[destination], staff)
    employed = w.employer >= 0
    assert np.array_equal(labour.jobs_of(w.employer[employed], w.skill[employed], f.size, 3), f.employees)


def test_closures_and_mergers_in_one_pass_move_the_workers_as_one_at_a_time(monkeypatch):
    """Inside ``workers_moved_once`` closures and mergers move their workers in one pass at the block's
    end: the employer column is then what closing and merging one after the other gives, and the
    workers stay where they were until the block ends."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    models = [YRDModel(rng=5, **QUICK_SCALE) for _ in range(2)]
    passes = []

    def counted(model):
        def apply(table):
            passes.append(model)
            YRDModel._apply_employer_table(model, table)
        return apply

    for model in models:
        model.step()
        monkeypatch.setattr(model, "_apply_employer_table", counted(model))
    f = models[0].firms
    live = np.flatnonzero(f.alive)
    leaving = np.zeros(f.size, dtype=bool)
    leaving[live[::7]] = True
    rest = live[~leaving[live]]
    shared = next(c for c in np.unique(f.cell[rest]) if (f.cell[rest] == c).sum() >= 3)
    source, other, destination = rest[f.cell[rest] == shared][:3]
    pairs = (np.array([source, other]), np.array([destination, destination]))
    one_at_a_time, once = models
    one_at_a_time.close_firms(leaving)
    one_at_a_time.merge_firms(*pairs)
    before = once.workers.employer.copy()
    with once.workers_moved_once():
        once.close_firms(leaving)
        once.merge_firms(*pairs)
        assert np.array_equal(once.workers.employer, before)           # nothing moved yet
    assert np.array_equal(once.workers.employer, one_at_a_time.workers.employer)
    assert not np.array_equal(once.workers.employer, before)
    assert passes.count(one_at_a_time) == 2 and passes.count(once) == 1
    for name in ("employees", "alive", "mass"):
        assert np.array_equal(getattr(once.firms, name), getattr(one_at_a_time.firms, name))
    assert once._employer_moves is None


def test_bin_sums_with_a_live_mask_equal_the_bincount():
    """Sums by bin over the interleaved order are each column's own weighted bincount bit for bit
    (rows added in row order), with a live mask as weight (inf on dead rows gives nan either way)."""
    rng = np.random.default_rng(8)
    for n, bins in [(0, 4), (1, 1), (100, 3), (10_000, 41), (5_000, 500)]:
        index = np.sort(rng.integers(0, bins, n)).astype(np.int32)
        columns = [rng.lognormal(0, 3, n) * rng.choice([-1.0, 1.0], n) for _ in range(4)]
        alive = rng.random(n) < 0.8
        if n > 10:
            columns[0][np.flatnonzero(~alive)[:2]] = np.inf
            columns[1][3] = -0.0
        sums = BinSums(index, bins)
        with np.errstate(invalid="ignore"):
            masked = [column * alive for column in columns]
        for column in masked + columns[2:]:
            total = sums(column)
            expected = np.bincount(index, column, minlength=bins)
            assert total.shape == (bins,) and np.array_equal(total, expected, equal_nan=True)


def test_free_rows_are_the_lowest_and_the_table_grows_by_its_headroom():
    firms = Firms(Firms.rows_for(100), 3)
    assert firms.size == 100 + int(100 * HEADROOM) + 16
    firms.alive[:] = True
    firms.alive[[3, 50]] = False
    assert np.array_equal(firms.free_rows(2), [3, 50])
    size = firms.size
    firms.employees[:] = 7
    rows = firms.free_rows(5)                       # 2 free: grow by the 3 missing + HEADROOM x size
    assert firms.size == size + 3 + int(size * HEADROOM)
    assert np.array_equal(rows, [3, 50, size, size + 1, size + 2])
    assert firms.employees.shape == (firms.size, 3) and not firms.employees[size:].any()
    assert not firms.alive[size:].any() and firms.joined.shape[0] == firms.rounding.shape[0] == firms.size


def test_staff_table_is_shared_only_within_a_step():
    """The step computes firms' staff by city once for its accounts and metrics; outside the step
    staff_table() counts the current staff."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=5, **QUICK_SCALE)
    seen = []
    settle = model.settle_accounts

    def spy(*args, **kwargs):
        seen.append((model.staff_table(), integer_sums(model.firms.city, model.firms.employees, model.geography.count)))
        return settle(*args, **kwargs)

    model.settle_accounts = spy
    model.step()
    assert len(seen) == 1 and np.array_equal(*seen[0])
    f = model.firms
    f.employees[np.flatnonzero(f.alive)[0]] += 5
    assert np.array_equal(model.staff_table(), integer_sums(f.city, f.employees, model.geography.count))


def _fresh_productivity(model):
    """Effective productivity computed the plain way (no cache)."""
    from ydabm.mechanisms import technology
    f = model.firms
    digital = technology.digital_factor(f.adoption, np.take(model.adoption0, f.cell), model.params.adoption_gain)
    return np.where(f.alive, f.productivity * np.take(model.tfp, f.cell) * digital, 1.0)


def test_effective_productivity_is_shared_from_entry_to_the_metrics():
    """From the step's entry to its metrics the firms' productivity is computed once (read-only);
    every use in that span sees what the plain computation gives; outside a step nothing is kept."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=5, input_output=1, **QUICK_SCALE)
    seen = []
    for name in ("plan_production", "clear_goods_market", "settle_accounts"):
        method = getattr(model, name)

        def spy(*args, _method=method, **kwargs):
            phi = model.effective_productivity()
            seen.append((phi is model._phi, phi.flags.writeable, np.array_equal(phi, _fresh_productivity(model))))
            return _method(*args, **kwargs)
        setattr(model, name, spy)
    model.step()
    assert seen == [(True, False, True)] * 3
    assert model._phi is None
    f = model.firms
    f.productivity[np.flatnonzero(f.alive)[0]] *= 2.0        # outside a step: the current columns
    assert np.array_equal(model.effective_productivity(), _fresh_productivity(model))


def test_plan_reads_the_capacity_ratio_per_city_sector():
    """The model's plan (capacity ratio and its sales share per city-sector, read by row) equals the
    plan with both computed row by row: capacity_ratio(f.sector, targeted) and sales_share of it."""
    from ydabm.markets.goods import sales_share
    from ydabm.mechanisms import planning
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=6, **QUICK_SCALE)
    model.step()
    model.targets[:] = np.random.default_rng(3).random(model.targets.shape)    # mixed support intensities
    f, p = model.firms, model.params
    ratio = model.capacity_ratio(f.sector, model.targeted_firms())
    # one hand-checked row: a live row's ratio is its city-sector's, at its target
    row = np.flatnonzero(f.alive)[0]
    assert ratio[row] == model.capacity_ratio(np.array([f.sector[row]]), np.array([model.targets[f.city[row], f.sector[row]]]))[0]
    got = model.plan_production()
    calls = []
    original = planning.plan_production

    def plain(*args, ratio_share=None, **kwargs):
        calls.append((np.array_equal(args[11], ratio), np.array_equal(ratio_share, sales_share(ratio, p.demand_dispersion))))
        return original(*args, **kwargs)
    planning.plan_production = plain
    try:
        expected = model.plan_production()
    finally:
        planning.plan_production = original
    assert calls == [(True, True)]
    import dataclasses
    for field in dataclasses.fields(got):
        assert np.array_equal(getattr(got, field.name), getattr(expected, field.name), equal_nan=True), field.name


def test_outside_price_is_solved_once_per_trend():
    """The outside input price (the Leontief price dual) is kept while the sectors' trend is the
    same and solved again when it changes; it is read-only."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=5, input_output=1, **QUICK_SCALE)

    def plain():
        return np.linalg.solve(np.eye(model.sectors.count) - model.outside_chain, model.io.value_added / model.sector_trend)
    first = model.outside_price()
    assert model.outside_price() is first and np.array_equal(first, plain()) and not first.flags.writeable
    model.sector_trend = model.sector_trend * 1.01
    second = model.outside_price()
    assert second is not first and np.array_equal(second, plain())


def test_closing_cohorts_without_staff_leave_the_workers_alone():
    """Closing cohorts that employ nobody need no pass over the workers: the employer column is
    unchanged (the same array) and the rows close."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=5, **QUICK_SCALE)
    model.step()
    f, w = model.firms, model.workers
    rows = np.flatnonzero(f.alive)[:3]
    employer = w.employer
    w.employer[np.isin(w.employer, rows)] = -1               # their workers left already
    f.employees[rows] = 0
    before = w.employer.copy()
    leaving = np.zeros(f.size, dtype=bool)
    leaving[rows] = True
    model.close_firms(leaving)
    assert w.employer is employer and np.array_equal(w.employer, before) and not f.alive[rows].any()


def test_sourcing_posted_weights_are_shared():
    """The supply-chain sourcing computes the posted weights m p^(1 - sigma) once; the three uses
    give what each gives computing them itself."""
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    model = YRDModel(rng=5, input_output=1, **QUICK_SCALE)
    model.step()
    live = np.flatnonzero(model.firms.alive)
    outcome = model.goods
    posted = model._posted_weights(outcome, live)
    assert np.array_equal(model._posted_varieties(outcome, live, posted), model._posted_varieties(outcome, live))
    served = model._firm_served(outcome, live)
    assert np.array_equal(model._firm_served(outcome, live, posted), served)
    assert np.array_equal(model._delivered_varieties(outcome, live, served, posted),
                          model._delivered_varieties(outcome, live, served))


def test_row_sums_equal_numpy_sum_over_a_short_last_axis():
    """The row sums over the K = 3 classes (accounts) or the COHORT = 4 quarters (entrant shares) are
    ``sum(axis=1)`` bit for bit (numpy adds a short last axis in column order), integers in the
    dtype ``sum`` gives."""
    from ydabm.agents.firms import row_sums as _row_sums
    # by hand: 0.1 + 0.2 rounds up, so (0.1 + 0.2) + 0.3 = 0.6000000000000001, 0.1 + (0.2 + 0.3) = 0.6
    values = np.array([[0.1, 0.2, 0.3], [1e16, 1.0, -1e16], [-0.0, -0.0, -0.0], [np.inf, 1.0, 2.0]])
    got = _row_sums(values)
    assert got[0] == 0.6000000000000001 and got[1] == 0.0 and np.signbit(got[2]) and got[3] == np.inf
    assert np.array_equal(got, values.sum(axis=1), equal_nan=True)
    rng = np.random.default_rng(4)
    staff = rng.integers(0, 400, (5_000, 3)).astype(np.int32)
    wages = rng.lognormal(8, 1, (5_000, 3))
    wages[::9, 1] = -0.0
    assert np.array_equal(_row_sums(staff * wages), (staff * wages).sum(axis=1))
    assert _row_sums(staff).dtype == staff.sum(axis=1).dtype and np.array_equal(_row_sums(staff), staff.sum(axis=1))
    joined = rng.lognormal(0, 2, (5_000, 4)) * (rng.random((5_000, 4)) < 0.5)
    assert np.array_equal(_row_sums(joined), joined.sum(axis=1))


def test_firm_cell_is_kept_until_a_city_or_sector_changes():
    """``Firms.cell`` is city * S + sector, computed once and kept while the read-only ``city`` and
    ``sector`` columns stay as they are; opening firms (also on an unpickled table) or growing the table
    recomputes it. The three are numpy's index type, which ``np.take`` gathers by without converting."""
    import pickle
    firms = Firms(4, 3)
    firms.open(np.array([0, 2]), np.zeros((2, 3)), city=np.array([1, 2]), sector=np.array([2, 0]))
    cell = firms.cell
    assert cell.tolist() == [5, 0, 6, 0]                 # 1 * 3 + 2, 2 * 3 + 0; empty rows 0
    assert firms.cell is cell and not cell.flags.writeable
    assert cell.dtype == firms.city.dtype == firms.sector.dtype == np.intp
    with pytest.raises(ValueError):
        firms.city[1] = 3                                # only ``open`` writes a firm's place
    firms.open(np.array([1]), np.zeros((1, 3)), city=np.array([3]), sector=np.array([1]))
    assert firms.cell.tolist() == [5, 10, 6, 0]
    rows = firms.free_rows(3)                            # one free row: the table grows
    assert firms.size > 4 and firms.cell.tolist() == [5, 10, 6] + [0] * (firms.size - 3)
    copy = pickle.loads(pickle.dumps(firms))
    copy.open(rows[:1], np.zeros((1, 3)), city=np.array([2]), sector=np.array([2]))
    assert copy.cell[rows[0]] == 8 and firms.cell[rows[0]] == 0
    assert np.array_equal(copy.cell, copy.city * 3 + copy.sector)


def test_keep_freed_memory_reuses_large_blocks_from_the_heap():
    """After ``keep_freed_memory`` a 40 MB and a 100 MB array freed and allocated again take no new
    pages (glibc maps every block above 32 MB afresh otherwise; the 100 MB one, above the 64 MB
    threshold of before, stands for the arrays over all workers of a large run); bad thresholds are
    refused by name.

    Without it each fresh block faults its pages in again: numpy asks the kernel for transparent huge
    pages on large arrays, so a 40 MB block takes from 20 faults (every page a 2 MB one) to about
    10,000 (4 KB pages), as many huge pages as the kernel has free at the moment (measured 57-568 for
    it, 398-909 for the 100 MB one, on one machine); 20 is the least any mapping of it can take, so
    the premise is checked against that floor, not against a count that depends on the kernel's free
    huge pages (it was > 100, which a run with 57 failed, 5 Dec 2026)."""
    import subprocess
    import sys
    from ydabm.allocator import keep_freed_memory
    with pytest.raises(ValueError, match="trim_threshold"):
        keep_freed_memory(trim_threshold=-1)
    code = (
        "import resource, numpy as np\n"
        "from ydabm.allocator import keep_freed_memory\n"
        "def faults(n):\n"
        "    start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    a = np.ones(n); del a\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start\n"
        "sizes = (5_000_000, 12_500_000)\n"
        "before = [(faults(n), faults(n))[1] for n in sizes]\n"
        "took = keep_freed_memory()\n"
        "after = [(faults(n), faults(n))[1] for n in sizes]\n"
        "print(took, *before, *after)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "True":
        pytest.skip("no glibc mallopt here")
    before, after = [int(v) for v in out[1:3]], [int(v) for v in out[3:5]]
    assert min(before) >= 20 and max(after) < 10


def test_largest_cohorts_by_hand_and_against_a_sort():
    from ydabm.mechanisms import entry
    # cells 0..3: cell 0 rows 0, 2 (masses 1, 3: row 2); cell 1 rows 1, 4, 5 with a tie (2, 2.5, 2.5: the
    # last row, 5); cell 2 only a row that is not a candidate (none: -1); cell 3 no rows
    cell = np.array([0, 1, 0, 2, 1, 1])
    mass = np.array([1.0, 2.0, 3.0, 9.0, 2.5, 2.5])
    candidates = np.array([True, True, True, False, True, True])
    assert entry.largest_cohorts(candidates, cell, mass, 4).tolist() == [2, 5, -1, -1]
    assert entry.largest_cohorts(np.zeros(6, bool), cell, mass, 4).tolist() == [-1] * 4
    # the same rows as sorting by (cell, mass) and taking each cell's last, on random tables with ties
    rng = np.random.default_rng(3)
    for _ in range(20):
        rows, cells = 500, 40
        cell = rng.integers(0, cells, rows)
        mass = rng.integers(1, 6, rows).astype(float)
        candidates = rng.random(rows) < 0.8
        keep = np.flatnonzero(candidates)
        order = keep[np.lexsort((mass[keep], cell[keep]))]
        last = np.append(cell[order][1:] != cell[order][:-1], True)
        expected = np.full(cells, -1)
        expected[cell[order][last]] = order[last]
        assert entry.largest_cohorts(candidates, cell, mass, cells).tolist() == expected.tolist()


def test_bin_sums_equal_the_bincount_bit_for_bit(monkeypatch):
    from ydabm.agents import firms as firm_table
    rng = np.random.default_rng(5)
    for interleave in (True, False):
        if not interleave:                  # beyond the rows the radix sorts take: the plain bincount
            monkeypatch.setattr(firm_table, "INTERLEAVED_ROWS", 10)
        for trial in range(300):
            n, bins = int(rng.integers(0, 300)), int(rng.integers(1, 50))
            index = rng.integers(0, bins, n)
            if trial % 2:                   # sorted by bin, as the firm table mostly is
                index = np.sort(index)
            values = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
            sums = firm_table.BinSums(index, bins)
            assert (sums.order is None) == (not interleave and (n > 10 or bins > 10))
            assert np.array_equal(sums(values), np.bincount(index, values, minlength=bins))


def test_pick_per_group_with_the_callers_group_sizes():
    """The group sizes the matching already counted give the same choice and draws as counting them."""
    rng = np.random.default_rng(12)
    for _ in range(100):
        groups = int(rng.integers(1, 30))
        group = rng.integers(0, groups, int(rng.integers(0, 300)))
        size = np.bincount(group, minlength=groups)
        counts = np.minimum(rng.integers(0, 8, groups), size)
        seed = int(rng.integers(1 << 30))
        first, second = np.random.default_rng(seed), np.random.default_rng(seed)
        assert np.array_equal(labour.pick_per_group(group, counts, first, size),
                              labour.pick_per_group(group, counts, second))
        assert first.bit_generator.state == second.bit_generator.state


def test_log_served_equals_its_closed_form_bit_for_bit():
    """The served share's logarithm (the goods market's hot path: temporaries reused, the clamp at
    ln x = -700 only when a load is below it) gives the closed form's floats, and its elasticity."""
    from scipy.special import ndtr

    from ydabm.markets import goods

    rng = np.random.default_rng(13)
    for dispersion in (1.26, 0.3, 0.01):
        half = 0.5 * dispersion * dispersion
        for loads in (rng.normal(0.0, 3.0, 500), np.array([-np.inf, -800.0, -700.0, -699.9, 0.0, 40.0]),
                      np.zeros(0)):
            with np.errstate(over="ignore", divide="ignore"):
                clamped = np.maximum(loads, -700.0)
                first = ndtr((-clamped - half) / dispersion)
                total = np.exp(-clamped) * ndtr((clamped - half) / dispersion) + first
                slope, plain = first / total - 1.0, np.log(total)
            served, elasticity = goods._log_served(loads, dispersion, elasticity=True)
            assert np.array_equal(served, plain) and np.array_equal(elasticity, slope)
            assert np.array_equal(goods._log_served(loads, dispersion), plain)


@pytest.mark.parametrize("values", [{}, {"input_output": 1}, {"productivity_persistence": 0.8}],
                         ids=["plain", "supply_chains", "shocks"])
def test_the_carried_forward_start_solves_the_same_markets(values):
    """The goods market started from last quarter's access carried forward (``access_guess``) takes fewer
    Newton rounds and solves the same fixed point as from the markup prices: ten quarters of both runs
    agree in every metric to 1e-8 (measured: 1.6e-10 at the default scale over 40 quarters, seeds 1-5),
    with the residual under the tolerance."""
    from ydabm.markets import goods
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE
    runs = []
    for carried in (True, False):
        model = YRDModel(rng=3, **QUICK_SCALE, **values)
        if not carried:
            model.access_guess = lambda shape: None          # every quarter from the markup prices
        rounds = []
        for _ in range(10):
            model.step()
            rounds.append(model.goods.rounds)
            assert model.goods.residual <= goods.CLEARING_TOLERANCE
        runs.append((model.datacollector.get_model_vars_dataframe(), rounds))
    (guessed, guessed_rounds), (cold, cold_rounds) = runs
    columns = [c for c in cold.columns if c != "market_residual" and cold[c].dtype.kind in "fi"]
    np.testing.assert_allclose(guessed[columns].to_numpy(float), cold[columns].to_numpy(float), rtol=1e-8, atol=1e-12)
    assert sum(guessed_rounds) < sum(cold_rounds)


def test_wage_tables_are_kept_while_the_wages_stay_the_same():
    """The unit labour costs and the least-cost mix are computed once per wages (read-only, the same
    array to every caller) and again when the wages change, even in place: the same numbers as the
    formulas each time."""
    from ydabm.mechanisms import skills
    from ydabm.model import YRDModel
    from ydabm.params import QUICK_SCALE

    model = YRDModel(rng=3, **QUICK_SCALE)
    model.step()
    fund, e = model.fundamentals, model.params.skill_substitution
    assert e > 0
    first = model.mix_wage()
    assert model.mix_wage() is first and not first.flags.writeable
    assert np.array_equal(first, skills.unit_cost(model.wages, fund.wages, fund.skill_mix, e))
    mix, _ = model.skill_table()
    assert np.array_equal(mix, skills.class_mix(model.wages, fund.wages, fund.skill_mix, e).reshape(mix.shape))
    model.wages[0, 1] *= 1.1                                  # in place: the tables follow
    again = model.mix_wage()
    assert again is not first
    assert np.array_equal(again, skills.unit_cost(model.wages, fund.wages, fund.skill_mix, e))
    mix, _ = model.skill_table()
    assert np.array_equal(mix, skills.class_mix(model.wages, fund.wages, fund.skill_mix, e).reshape(mix.shape))
