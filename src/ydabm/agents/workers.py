"""Workers: one row per agent in numpy columns, stepped in vectorised form.

Columns: ``city`` (residence), ``hukou`` (registration group: a province, or the last id for outside
the region), ``skill`` (0 farmer, 1 low, 2 high), ``employer`` (firm row, -1 when unemployed). A
worker's wage is the wage of its city and skill while employed (``wages``), so it is derived, not
stored; ``market`` (city * 3 + skill, the labour market) is kept as a column because every phase
groups by it.

Each column has the narrowest integer type that holds its values (:func:`narrowest`): for the YRD's
41 cities and 5 hukou groups ``city``, ``hukou`` and ``skill`` are int8, ``market`` (< 123) int8
too, and ``employer`` int32 (firm rows), 8 bytes per agent (12 before: int16 city, int32 market).
Every consumer widens the values before arithmetic that could leave the type (``market`` is formed
in a wide type, then narrowed), so results do not depend on the storage type.
"""

from __future__ import annotations

import numpy as np

FARM, LOW, HIGH = 0, 1, 2
CLASSES = 3

#: rows per block when workers are created: the hukou draw's temporaries are one block long, so
#: building holds them for one block, not for every worker at once
BLOCK = 1 << 18


def narrowest(largest: int) -> np.dtype:
    """The narrowest signed integer type that holds every value in [-1, ``largest``]."""
    for dtype in (np.int8, np.int16, np.int32):
        if largest <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


class Workers:
    """The vectorised set of worker agents."""

    def __init__(self, city: np.ndarray, hukou: np.ndarray, skill: np.ndarray, employer: np.ndarray,
                 cities: int | None = None, market: np.ndarray | None = None):
        """``cities``: how many cities workers can live in (default: up to the largest in ``city``);
        it sets the width of ``city`` and ``market``. ``market``: city * K + skill of each worker,
        when the caller has it (e.g. :meth:`populate`); computed from ``city`` and ``skill`` otherwise."""
        cities = int(city.max(initial=0)) + 1 if cities is None else int(cities)
        self.cities = cities
        self.city = city.astype(narrowest(cities - 1), copy=False)
        self.hukou = hukou.astype(narrowest(int(hukou.max(initial=0))), copy=False)
        self.skill = skill.astype(np.int8, copy=False)
        self.employer = employer.astype(np.int32, copy=False)
        dtype = narrowest(cities * CLASSES - 1)
        self.market = _market(self.city, self.skill, dtype) if market is None else market.astype(dtype, copy=False)

    @classmethod
    def populate(cls, labour_force: np.ndarray, hukou_share: np.ndarray,
                 rng: np.random.Generator) -> Workers:
        """Create unemployed workers: ``labour_force[c, k]`` of class k in city c, hukou drawn from
        ``hukou_share[c]`` (farmers always hold their own city's local hukou group)."""
        cities, classes = labour_force.shape
        groups = hukou_share.shape[1]
        # workers come in cell order (city * K + class): city c's block, its classes in order
        counts = labour_force.ravel()
        city = np.repeat(np.arange(cities, dtype=narrowest(cities - 1)), labour_force.sum(axis=1))
        skill = np.repeat(np.tile(np.arange(classes, dtype=np.int8), cities), counts)
        cell_market = (np.arange(cities)[:, None] * CLASSES + np.arange(classes)[None, :]).ravel()
        market = np.repeat(cell_market.astype(narrowest(cities * CLASSES - 1)), counts)
        cumulative = np.cumsum(hukou_share, axis=1)
        local = hukou_share.argmax(axis=1)
        hukou = np.empty(city.size, dtype=narrowest(groups - 1))
        # hukou group: the number of cumulative shares of the worker's city below its uniform draw,
        # capped at the last group (one draw per worker, in row order, farmers included; drawn block
        # by block inside each city-class cell, the same stream as one draw); farmers hold the local one
        draw = np.empty(min(BLOCK, city.size))
        above = np.empty(draw.size, dtype=bool)
        count = np.empty(draw.size, dtype=narrowest(groups))
        start = 0
        for cell, size in enumerate(counts.tolist()):
            home, kind = divmod(cell, classes)
            for lo in range(start, start + size, BLOCK):
                n = min(BLOCK, start + size - lo)
                u = rng.random(out=draw[:n])
                if kind == FARM:
                    hukou[lo:lo + n] = local[home]
                    continue
                group, test = count[:n], above[:n]
                group[:] = 0
                for share in cumulative[home].tolist():
                    np.greater(u, share, out=test)
                    group += test
                np.minimum(group, groups - 1, out=hukou[lo:lo + n], casting="unsafe")
            start += size
        return cls(city, hukou, skill, np.full(city.size, -1, dtype=np.int32), cities, market)

    @property
    def count(self) -> int:
        return self.city.size

    @property
    def employed(self) -> np.ndarray:
        return self.employer >= 0

    def move(self, rows: np.ndarray, destination: np.ndarray) -> None:
        """Relocate workers ``rows`` to cities ``destination`` (keeps the market column in step)."""
        if destination.size and not 0 <= destination.min() <= destination.max() < self.cities:
            raise ValueError(f"destination: cities must lie in [0, {self.cities - 1}]")
        self.city[rows] = destination
        self.market[rows] = _market(destination, self.skill[rows], self.market.dtype)

    def wages(self, wage_table: np.ndarray) -> np.ndarray:
        """Wage of each worker this quarter (0 when unemployed), per agent, yuan."""
        return np.where(self.employed, wage_table.ravel()[self.market], 0.0)

    def table(self, cities: int, mask: np.ndarray | None = None) -> np.ndarray:
        """(C, 3) count of workers (optionally only where ``mask``) by city and class."""
        market = self.market if mask is None else self.market[mask]
        return counts_of(market, cities * CLASSES).reshape(cities, CLASSES)

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.city, self.hukou, self.skill, self.employer, self.market))


def counts_of(values: np.ndarray, length: int) -> np.ndarray:
    """``np.bincount(values, minlength=length)`` (int64) of non-negative integers, counted block by
    block: ``np.bincount`` widens a narrow column to the index type first, which for all workers
    would be a temporary of 8 bytes per worker; per block it stays in cache."""
    total = np.zeros(length, dtype=np.int64)
    for start in range(0, values.size, BLOCK):
        part = np.bincount(values[start:start + BLOCK], minlength=length)
        if part.size > total.size:
            total = np.pad(total, (0, part.size - total.size))
        total[:part.size] += part
    return total


def _market(city: np.ndarray, skill: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """city * K + skill (formed in int32, then stored as ``dtype``)."""
    market = city.astype(np.int32) * CLASSES
    market += skill
    return market.astype(dtype, copy=False)
