"""Workers: one row per agent in numpy columns, stepped in vectorised form.

Columns: ``city`` (residence), ``hukou`` (registration group: a province, or the last id for outside
the region), ``skill`` (0 farmer, 1 low, 2 high), ``employer`` (firm row, -1 when unemployed). A
worker's wage is the wage of its city and skill while employed (``wages``), so it is derived, not
stored; ``market`` (city * 3 + skill, the labour market) is kept as a column because every phase
groups by it. 12 bytes per agent.
"""

from __future__ import annotations

import numpy as np

FARM, LOW, HIGH = 0, 1, 2
CLASSES = 3


class Workers:
    """The vectorised set of worker agents."""

    def __init__(self, city: np.ndarray, hukou: np.ndarray, skill: np.ndarray, employer: np.ndarray):
        self.city = city.astype(np.int16)
        self.hukou = hukou.astype(np.int8)
        self.skill = skill.astype(np.int8)
        self.employer = employer.astype(np.int32)
        self.market = (self.city.astype(np.int32) * CLASSES + self.skill).astype(np.int32)

    @classmethod
    def populate(cls, labour_force: np.ndarray, hukou_share: np.ndarray,
                 rng: np.random.Generator) -> Workers:
        """Create unemployed workers: ``labour_force[c, k]`` of class k in city c, hukou drawn from
        ``hukou_share[c]`` (farmers always hold their own city's local hukou group)."""
        cities, classes = labour_force.shape
        cell = np.repeat(np.arange(cities * classes), labour_force.ravel())
        city, skill = np.divmod(cell, classes)
        cumulative = np.cumsum(hukou_share, axis=1)
        hukou = (rng.random(city.size)[:, None] > cumulative[city]).sum(axis=1)
        hukou = np.minimum(hukou, hukou_share.shape[1] - 1)
        local = hukou_share.argmax(axis=1)
        hukou = np.where(skill == FARM, local[city], hukou)
        return cls(city, hukou, skill, np.full(city.size, -1))

    @property
    def count(self) -> int:
        return self.city.size

    @property
    def employed(self) -> np.ndarray:
        return self.employer >= 0

    def move(self, rows: np.ndarray, destination: np.ndarray) -> None:
        """Relocate workers ``rows`` to cities ``destination`` (keeps the market column in step)."""
        self.city[rows] = destination
        self.market[rows] = destination.astype(np.int32) * CLASSES + self.skill[rows]

    def wages(self, wage_table: np.ndarray) -> np.ndarray:
        """Wage of each worker this quarter (0 when unemployed), per agent, yuan."""
        return np.where(self.employed, wage_table.ravel()[self.market], 0.0)

    def table(self, cities: int, mask: np.ndarray | None = None) -> np.ndarray:
        """(C, 3) count of workers (optionally only where ``mask``) by city and class."""
        market = self.market if mask is None else self.market[mask]
        return np.bincount(market, minlength=cities * CLASSES).reshape(cities, CLASSES)

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.city, self.hukou, self.skill, self.employer, self.market))
