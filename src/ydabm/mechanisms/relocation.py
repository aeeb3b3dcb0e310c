"""Migration phase: reconsidering mobile workers choose a city by logit over expected real income.

The utility and choice probabilities are in :mod:`ydabm.markets.migration`; this module draws who
reconsiders and where each goes, and returns the moves for the model to apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..markets import labour, migration


@dataclass(frozen=True)
class Moves:
    """This quarter's relocations.

    Attributes:
        rows: (m,) workers who change city.
        origin, destination: (m,) their old and new cities.
        matrix: (C, C) movers from i (row) to j (column).
    """

    rows: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    matrix: np.ndarray

    @property
    def net(self) -> np.ndarray:
        """(C,) arrivals minus departures."""
        return self.matrix.sum(axis=0) - self.matrix.sum(axis=1)


def choose_moves(city: np.ndarray, hukou: np.ndarray, skill: np.ndarray, log_income: np.ndarray,
                 amenity: np.ndarray, hours: np.ndarray, province: np.ndarray, hukou_groups: int,
                 hukou_cost: np.ndarray, rate: float, *, move_cost: float, move_cost_per_hour: float,
                 elasticity: float, rng: np.random.Generator) -> Moves:
    """Draw reconsidering mobile workers (farmers stay) and their destinations.

    Args:
        city, hukou, skill: (N,) worker columns.
        log_income: (C, K - 1) log expected real income of the mobile classes.
        amenity: (C,) calibrated amenity.
        hours: (C, C) travel time.
        province: (C,) province id of each city.
        hukou_groups: number of hukou groups.
        hukou_cost: (C,) cost of living in each city with another province's hukou
            (:class:`ydabm.frictions.Frictions`).
        rate: share of workers reconsidering this quarter.
    """
    cities = hours.shape[0]
    drawn = labour.bernoulli_rows(city.size, rate, rng)
    movers = np.compress(np.take(skill, drawn) != 0, drawn)
    if movers.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Moves(empty, empty, empty, np.zeros((cities, cities)))
    utility = migration.location_utility(log_income, amenity, hours, move_cost, move_cost_per_hour,
                                         hukou_cost, province, hukou_groups)
    cumulative = np.cumsum(migration.choice_probabilities(utility, elasticity), axis=-1)
    mobile = log_income.shape[1]
    origin = np.take(city, movers).astype(np.int64)
    cell = (origin * hukou_groups + np.take(hukou, movers)) * mobile + np.take(skill, movers) - 1
    destination = migration.draw_from_cells(cumulative.reshape(-1, cities), cell, rng.random(movers.size))
    moved = destination != origin
    origin, destination = np.compress(moved, origin), np.compress(moved, destination)
    matrix = np.bincount(origin * cities + destination, minlength=cities * cities).reshape(cities, cities).astype(float)
    return Moves(np.compress(moved, movers), origin, destination, matrix)
