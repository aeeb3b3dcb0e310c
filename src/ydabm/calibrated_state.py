"""The calibrated state: the part of set-up that depends on parameters alone, kept per process.

Every run rebuilds the same 2020 economy before its first quarter: the sector table, the input-output
table, the geography (network and travel times), the frictions at the baseline levers, the
calibration's fundamentals and the governments' 2020 support (a fixed point). None of it draws a
random number and none of it sees a run's levers (set-up runs at the baseline value of every
lever), so runs that agree on the parameters it reads get the same state. A sweep varies levers, so its runs
share one state, built once per worker process (a pool's process or a Dask worker) and reused.

The key is derived from the code, not declared: a fresh build reads its parameters through
:class:`Reads`, which records every name read, and the state is stored under those names and their
values. A later run gets the stored state only if it agrees on every one of them; since the build is
deterministic, the same values of the names it read lead it down the same path to the same state,
bit for bit (a parameter it reads only on some paths, like ``trade_cost`` of the synthetic worlds,
is in the key only of the states built on those paths). What the build reads besides parameters is
the shipped data and configuration files; a stored state keeps what they held when it was built (as
the lru-cached readers of :mod:`ydabm.calibration` do): after editing them, start a new process.

The stored state is read-only (its arrays not writeable, its graph frozen), so no run can change
what the next run starts from: writing into it raises at once. Runs get their own copies of what
they change (the support intensities, the Mesa network's graph).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx
import numpy as np

from .calibration import Fundamentals
from .frictions import Frictions
from .geography import Geography, build_geography
from .params import Params
from .sectors import Sectors, load_sectors
from .supply import IOTable, load_io_table

_FIELDS = tuple(f.name for f in dataclasses.fields(Params))
#: states kept per process (least recently used dropped first); one is a few MB at most, whatever the scale
MAX_STATES = 8


@dataclasses.dataclass(frozen=True)
class CalibratedState:
    """What set-up derives from data and parameters alone (read-only).

    Attributes:
        sectors: the sector table (``sectors_file``).
        io: the input-output table, or None without the input-output layer.
        geography: cities, network and travel times.
        frictions: trade, migration and knowledge frictions at the baseline levers.
        fundamentals: the calibration's inversion of the 2020 data.
        targets: (C, S) the governments' 2020 support intensities (runs copy them).
        key: the parameters the build read, with their values, sorted by name.
    """

    sectors: Sectors
    io: IOTable | None
    geography: Geography
    frictions: Frictions
    fundamentals: Fundamentals
    targets: np.ndarray
    key: tuple[tuple[str, Any], ...]


class Reads:
    """A view of :class:`~ydabm.params.Params` that records the name of every parameter read.

    Attribute reads (``params.name``) and reads of :meth:`as_dict`'s mapping are recorded; iterating
    over the mapping reads every name. Nothing can be written through it.
    """

    def __init__(self, params: Params):
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "names", set())

    def __getattr__(self, name: str) -> Any:
        if name not in _FIELDS:
            raise AttributeError(f"{name}: not a parameter (set-up reads parameters only)")
        value = getattr(self._params, name)
        self.names.add(name)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"parameters are read-only ({name})")

    def as_dict(self) -> Mapping[str, Any]:
        """The parameters as a mapping whose reads are recorded."""
        return _RecordedMapping(self)

    def key(self) -> tuple[tuple[str, Any], ...]:
        """The names read so far with their values, sorted by name."""
        return tuple((name, getattr(self._params, name)) for name in sorted(self.names))


class _RecordedMapping(Mapping):
    def __init__(self, reads: Reads):
        self._reads = reads

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self._reads, name)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        self._reads.names.update(_FIELDS)
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)


def load_world(params: Params | Reads) -> tuple[Sectors, IOTable | None, Geography]:
    """The sector table, the input-output table (None without ``input_output``) and the geography
    (reading only the parameters of the chosen ``world``: the YRD's network file, the synthetic
    worlds' size and trade cost)."""
    sectors = load_sectors(params.sectors_file)
    io = load_io_table(params.io_concordance, sectors.names) if params.input_output else None
    if params.world == "yrd":
        geography = build_geography("yrd", network_file=params.network_file)
    else:
        geography = build_geography(params.world, racetrack_cities=params.racetrack_cities,
                                    trade_cost=params.trade_cost)
    return sectors, io, geography


# --------------------------------------------------------------------------- the per-process store
_STATES: OrderedDict[tuple[tuple[str, Any], ...], CalibratedState] = OrderedDict()
_LOCK = threading.Lock()     # a Dask worker with several threads runs several models in one process


def lookup(params: Params) -> CalibratedState | None:
    """The stored state built from parameters that agree with ``params`` on every name the build
    read, or None (the most recently used state first)."""
    with _LOCK:
        for key, state in reversed(_STATES.items()):
            if all(_same(getattr(params, name), value) for name, value in key):
                _STATES.move_to_end(key)
                return state
    return None


def store(reads: Reads, sectors: Sectors, io: IOTable | None, geography: Geography, frictions: Frictions,
          fundamentals: Fundamentals, targets: np.ndarray) -> CalibratedState:
    """Freeze a freshly built state and keep it under the parameters ``reads`` recorded."""
    state = CalibratedState(sectors, io, geography, frictions, fundamentals, targets.copy(), reads.key())
    _freeze(state)
    with _LOCK:
        _STATES[state.key] = state
        _STATES.move_to_end(state.key)
        while len(_STATES) > MAX_STATES:
            _STATES.popitem(last=False)
    return state


def stored() -> int:
    """How many states this process keeps."""
    return len(_STATES)


def clear() -> None:
    """Forget every stored state (the next run builds afresh)."""
    with _LOCK:
        _STATES.clear()


def _same(value: Any, stored_value: Any) -> bool:
    return type(value) is type(stored_value) and value == stored_value


def _freeze(value: Any, seen: set[int] | None = None) -> None:
    """Make every array of ``value`` (dataclasses, tuples, lists and dicts, recursively) read-only
    and freeze its graphs."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, nx.Graph):
        nx.freeze(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _freeze(getattr(value, field.name), seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _freeze(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item, seen)
