"""``failing_exit_share``: an unsupported failing cohort closes whole (1, the default) or sheds that share
of its enterprises each quarter while it keeps failing (a mass flow; ``YRDModel.shed_failing``)."""

import numpy as np
import pytest

from invariants import Start, assert_invariants
from ydabm.model import YRDModel
from ydabm.params import ParameterError, Params


def _failing_model(small_params, share):
    """A model after one quarter with the largest live cohort marked failing."""
    model = YRDModel(rng=4, **{**small_params, "failing_exit_share": share, "productivity_persistence": 0.8})
    model.step()
    f = model.firms
    row = int(np.argmax(np.where(f.alive, f.mass, -1.0)))
    model.failing = np.zeros(f.size, dtype=bool)
    model.failing[row] = True
    model.shrunk = np.zeros_like(model.shrunk)
    model.stranded = model.stranded_debt = 0.0
    return model, row


def test_failing_cohort_sheds_its_share_by_hand(small_params):
    model, row = _failing_model(small_params, 0.25)
    f = model.firms
    before = {name: getattr(f, name)[row].copy() for name in ("mass", "capacity", "overhead", "debt")}
    capital = float(model.capital_value(np.array([row])).sum())
    others = f.mass.copy()
    closing = model.shed_failing(0.25)
    assert not closing.any()                                  # nothing closes whole
    assert f.alive[row]
    for name, value in before.items():
        np.testing.assert_allclose(getattr(f, name)[row], 0.75 * value, rtol=1e-12)
    keep = np.arange(f.size) != row
    np.testing.assert_array_equal(f.mass[keep], others[keep])  # no other cohort moves
    assert model.stranded == pytest.approx(0.25 * capital, rel=1e-12)
    assert model.stranded_debt == pytest.approx(0.25 * before["debt"], rel=1e-12, abs=1e-9)
    # the leavers count in the entry pool's replacement flow of their city-sector, and nowhere else
    assert model.shrunk.ravel()[f.cell[row]] == pytest.approx(0.25 * before["mass"], rel=1e-12)
    assert model.shrunk.sum() == pytest.approx(0.25 * before["mass"], rel=1e-12)


def test_at_share_one_the_failing_cohort_closes_whole(small_params):
    model, row = _failing_model(small_params, 1.0)
    mass = model.firms.mass.copy()
    closing = model.shed_failing(1.0)
    assert closing[row] and closing.sum() == 1
    np.testing.assert_array_equal(model.firms.mass, mass)     # closed by close_firms, not shrunk here
    assert model.shrunk.sum() == 0.0


def test_accounts_hold_with_shedding_and_shocks(small_params):
    model = YRDModel(rng=5, **{**small_params, "failing_exit_share": 0.3, "productivity_persistence": 0.8})
    start = Start.of(model)
    shed = 0.0
    for _ in range(16):
        failing = model.firms.alive & model.failing
        shed += float(model.firms.mass[failing].sum())
        model.step()
        assert_invariants(model, start)
    assert shed > 0.0                                          # the path was exercised


def test_share_out_of_bounds_names_the_field():
    with pytest.raises(ParameterError, match="failing_exit_share"):
        Params.build({"failing_exit_share": 1.5})
