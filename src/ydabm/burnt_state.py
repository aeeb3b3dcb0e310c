"""Burnt-in states: the state a burn-in reaches, kept per process for the runs that start from it.

A run with ``burn_in`` = Y first runs 4Y quarters before ``start_year`` Q1 (:meth:`ydabm.model.
YRDModel._burn_in`). Those quarters see neither the run's levers nor its policies: they run at the
baseline value of every lever, as the 2020 set-up is built, so every lever setting and scenario of
a seed starts from the same burnt-in economy. What they reach is therefore fixed by three things: the
model class (its step), the seed (an integer: the generator's and Mesa's ``random``'s starting
states) and the parameters with the levers at baseline. Runs that agree on all three (the lever
settings of one seed in a sweep with ``common_seeds``, a scenario and its baseline in ``compare``, the
levels of a fact in ``validate facts``) would repeat the same burn-in, bit for bit.

So the first of them keeps a copy of the state reached: the model's own attributes (everything the
model holds that Mesa's ``Model`` does not, except what each run sets afresh after the burn-in: its
parameters, levers, policies, frictions and data collector, and the read-only set-up it shares with
every run), the governments' reports and the states of both random generators. A later run that
agrees on the key builds its world and agents as usual, skips populating and the burn-in, and takes
a copy of the kept state instead; from then on it runs exactly as if it had burnt in itself (the same
arrays, with their write flags, and the generators at the same point), so its outputs are bit for bit
the same. Runs seeded otherwise (``None``, a generator) are not kept.

The kept copies are read-only (writing into one raises) and count against :data:`MAX_BYTES` per
process; the least recently used go first, and a state larger than the limit is not kept.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .params import Params

#: bytes of arrays the kept states may hold per process (at 2000 people per agent one holds about 2.5 MB, at the default 750 about 2.7 times that)
MAX_BYTES = 1 << 29

#: model attributes each run sets afresh after the burn-in, or shares read-only with every run
PER_RUN = frozenset({"params", "levers", "policies", "frictions", "datacollector", "sectors", "io", "geography",
                     "fundamentals", "space", "governments"})


@dataclass(frozen=True)
class BurntState:
    """The state a burn-in reached (read-only).

    Attributes:
        attributes: the model's own attributes (name -> value) after the burn-in.
        reports: each government's report, in the order of the model's governments.
        rng_state: the numpy generator's bit-generator state.
        random_state: Mesa's ``random.Random`` state.
        nbytes: bytes of the arrays held.
        writeable: ids of the kept arrays (all read-only) whose originals were writeable.
    """

    attributes: dict[str, Any]
    reports: tuple[dict, ...]
    rng_state: dict
    random_state: tuple
    nbytes: int
    writeable: frozenset[int]


class _Model:
    """Stands for the model in a kept state (what pointed to the model points to the next run's)."""


_MODEL = _Model()
_STATES: OrderedDict[int, tuple[tuple, BurntState]] = OrderedDict()
_LOCK = threading.Lock()     # a Dask worker with several threads runs several models in one process


def key(model_type: type, rng: Any, params: Params) -> tuple | None:
    """The key of a run's burnt-in state: its model class, integer seed and parameters with the
    levers at baseline (None when the run is not seeded by an integer)."""
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        return None
    return model_type, int(rng), params


def lookup(state_key: tuple | None) -> BurntState | None:
    """The kept state under ``state_key``, or None."""
    if state_key is None:
        return None
    with _LOCK:
        for slot, (stored_key, state) in reversed(_STATES.items()):
            if stored_key[0] is state_key[0] and stored_key[1:] == state_key[1:]:
                _STATES.move_to_end(slot)
                return state
    return None


def store(state_key: tuple | None, model: Any, names: list[str]) -> None:
    """Keep a read-only copy of ``model``'s attributes ``names``, its governments' reports and its
    generators' states under ``state_key`` (nothing when the key is None or the copy would exceed
    :data:`MAX_BYTES`)."""
    if state_key is None:
        return
    attributes = {name: vars(model)[name] for name in names}
    nbytes = sum(a.nbytes for a in _arrays(attributes, {id(model)}))
    if nbytes > MAX_BYTES:
        return
    writeable: set[int] = set()

    def read_only(array: np.ndarray, duplicate: np.ndarray) -> bool:
        if array.flags.writeable:
            writeable.add(id(duplicate))
        return False

    kept = _copy(attributes, {id(model): _MODEL}, read_only)
    state = BurntState(kept, tuple(copy.deepcopy(g.report) for g in model.governments),
                       copy.deepcopy(model.rng.bit_generator.state), model.random.getstate(), nbytes,
                       frozenset(writeable))
    with _LOCK:
        slot = id(state)
        _STATES[slot] = (state_key, state)
        while sum(s.nbytes for _, s in _STATES.values()) > MAX_BYTES:
            _STATES.popitem(last=False)


def restore(state: BurntState, model: Any) -> None:
    """Give ``model`` its own copy of ``state``: the attributes, the governments' reports and the
    generators' states."""
    vars(model).update(_copy(state.attributes, {id(_MODEL): model}, lambda array, _: id(array) in state.writeable))
    for government, report in zip(model.governments, state.reports, strict=True):
        government.report = copy.deepcopy(report)
    model.rng.bit_generator.state = copy.deepcopy(state.rng_state)
    model.random.setstate(state.random_state)


def stored() -> int:
    """How many burnt-in states this process keeps."""
    return len(_STATES)


def clear() -> None:
    """Forget every kept state (the next run with a burn-in burns in afresh)."""
    with _LOCK:
        _STATES.clear()


def _copy(value: Any, memo: dict, writeable: Callable[[np.ndarray, np.ndarray], bool]) -> Any:
    """A deep copy of ``value`` sharing what ``memo`` maps; each array's copy is writeable where
    ``writeable(array, its copy)`` says so."""
    for array in _arrays(value, set(memo)):
        duplicate = array.copy()
        duplicate.flags.writeable = writeable(array, duplicate)
        memo[id(array)] = duplicate
    memo.setdefault(id(memo), []).append(value)        # keep the originals alive while copying
    return copy.deepcopy(value, memo)


def _arrays(value: Any, seen: set[int]) -> Iterator[np.ndarray]:
    """Every numpy array reachable from ``value`` through containers and objects' attributes, once,
    except through the objects whose ids are in ``seen``."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _arrays(item, seen)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        for item in vars(value).values():
            yield from _arrays(item, seen)
