"""Burnt-in states kept per process (:mod:`ydabm.burnt_state`): a run that shares its seed, model class
and parameters (levers aside) with an earlier run of the process copies that run's burnt-in state
instead of burning in again, and runs bit for bit as if it had burnt in itself."""

import numpy as np
import pytest

from ydabm import YRDModel, burnt_state

QUICK = {"people_per_agent": 20000.0, "burn_in": 1, "productivity_persistence": 0.8}


class _NoBurnIn(YRDModel):
    """Fails if it burns in: it must start from a kept state."""

    def _burn_in(self, quarters):
        raise AssertionError("burnt in again")


def _frame(model_type=YRDModel, quarters=3, rng=4, **values):
    model = model_type(rng=rng, **{**QUICK, **values})
    for _ in range(quarters):
        model.step()
    return model, model.datacollector.get_model_vars_dataframe()


def _state(model):
    return {name: value for name, value in vars(model).items() if name not in burnt_state.PER_RUN}


@pytest.fixture()
def fresh():
    """Seed 4 at barrier 1 with a burn-in of its own, after the store is emptied."""
    burnt_state.clear()
    yield _frame(barrier=1.0, soft_budget=2.0)
    burnt_state.clear()


def test_a_run_from_a_kept_state_is_the_run_that_burns_in(fresh, monkeypatch):
    model, frame = fresh
    burnt_state.clear()
    _frame()                                         # the baseline burns in and keeps its state
    assert burnt_state.stored() == 1
    monkeypatch.setattr(YRDModel, "_burn_in", _NoBurnIn._burn_in)
    copied, copied_frame = _frame(barrier=1.0, soft_budget=2.0)
    np.testing.assert_array_equal(copied_frame.to_numpy(), frame.to_numpy())
    for name, value in _state(model).items():
        other = vars(copied)[name]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(other, value, err_msg=name)
            assert other.flags.writeable == value.flags.writeable, name
    # each run has its own copy: the kept state stays what the burn-in reached
    again, again_frame = _frame(barrier=1.0, soft_budget=2.0)
    np.testing.assert_array_equal(again_frame.to_numpy(), frame.to_numpy())
    assert not np.shares_memory(again.workers.city, copied.workers.city)


def test_the_firms_place_columns_stay_read_only_after_a_copy(fresh, monkeypatch):
    _frame()
    monkeypatch.setattr(YRDModel, "_burn_in", _NoBurnIn._burn_in)     # the copy, not a burn-in of its own
    model = YRDModel(rng=4, **QUICK)
    assert model.firms.city.flags.writeable is False and model.workers.city.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        model.firms.city[0] = 1


def test_the_kept_state_is_read_only():
    burnt_state.clear()
    _frame(quarters=0)
    [(_, state)] = burnt_state._STATES.values()
    with pytest.raises(ValueError, match="read-only"):
        state.attributes["wages"][0] = 0.0
    burnt_state.clear()


@pytest.mark.parametrize("other", [{"rng": 5}, {"productivity_persistence": 0.9}, {"model_type": _NoBurnIn}])
def test_another_seed_parameter_or_model_burns_in_afresh(other):
    burnt_state.clear()
    _frame(quarters=0)
    if other.get("model_type") is _NoBurnIn:
        with pytest.raises(AssertionError, match="burnt in again"):
            _frame(quarters=0, **other)
        return
    _frame(quarters=0, **other)
    assert burnt_state.stored() == 2
    burnt_state.clear()


def test_unseeded_runs_and_states_over_the_limit_are_not_kept(monkeypatch):
    burnt_state.clear()
    _frame(quarters=0, rng=None)
    _frame(quarters=0, rng=np.random.default_rng(4))
    assert burnt_state.stored() == 0
    monkeypatch.setattr(burnt_state, "MAX_BYTES", 1000)
    _frame(quarters=0)
    assert burnt_state.stored() == 0


def test_the_store_keeps_the_most_recent_states_within_its_limit(monkeypatch):
    burnt_state.clear()
    _frame(quarters=0, rng=1)
    [(_, first)] = burnt_state._STATES.values()
    monkeypatch.setattr(burnt_state, "MAX_BYTES", int(2.5 * first.nbytes))
    for seed in (2, 3):
        _frame(quarters=0, rng=seed)
    assert [key[1] for key, _ in burnt_state._STATES.values()] == [2, 3]
    burnt_state.clear()
