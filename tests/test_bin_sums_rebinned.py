"""``BinSums.rebinned``: when a few rows change bin, an order in which each bin's rows come in row
order (so its sums are the bincount's bit for bit), each row in its new bin."""

import numpy as np

from ydabm.agents.firms import BinSums


def test_rebinned_equals_a_fresh_build():
    rng = np.random.default_rng(21)
    for trial in range(400):
        n, bins = int(rng.integers(1, 400)), int(rng.integers(1, 60))
        old = rng.integers(0, bins, n)
        if trial % 2:                                   # sorted by bin, as the firm table mostly is
            old = np.sort(old)
        new = old.copy()
        rows = rng.choice(n, int(rng.integers(0, min(n, 12) + 1)), replace=False)
        new[rows] = rng.integers(0, bins, rows.size)
        kept = BinSums(old, bins)
        rebuilt = kept.rebinned(old, new, most_bins=bins)
        assert rebuilt is not None
        assert np.array_equal(np.sort(rebuilt.order), np.arange(n))
        assert np.array_equal(rebuilt.index, new[rebuilt.order])
        for b in range(bins):                           # each bin's rows in row order
            rows_of_bin = rebuilt.order[rebuilt.index == b]
            assert np.array_equal(rows_of_bin, np.flatnonzero(new == b))
        values = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
        assert np.array_equal(rebuilt(values), np.bincount(new, values, minlength=bins))
        # the kept one is unchanged
        assert np.array_equal(kept.index, BinSums(old, bins).index)


def test_rebinned_declines_many_bins_and_other_sizes():
    old = np.arange(20) % 10
    new = (old + 1) % 10
    assert BinSums(old, 10).rebinned(old, new, most_bins=4) is None
    assert BinSums(old, 10).rebinned(old, old[:-1]) is None
    same = BinSums(old, 10)
    assert same.rebinned(old, old.copy()) is same
