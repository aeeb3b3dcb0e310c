"""Migration phase: reconsidering workers choose a city by logit over expected real income.

The utility and choice probabilities are in :mod:`ydabm.markets.migration`; this module draws who
reconsiders and where each goes, and returns the moves for the model to apply.

Non-farm workers choose among cities in their own skill class. A farmer who reconsiders (a share
``farm_share`` of those drawn, ``farmer_mobility``) chooses between farming at home and the low-skill
non-farm labour market of every other city: the land stays behind, so a farmer who moves leaves farming
(occupational change on moving; the rural-to-urban flow of the census floating population). The
utilities of moving are a low-skill worker's of the same origin and hukou (income, amenity, move cost,
travel time, hukou cost); staying is worth the farm income at home plus the calibrated attachment
(:func:`ydabm.calibration.farm_attachment`).
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
        leave_farm: (m,) movers who were farmers and join the destination's low-skill labour force
            (None: no farmer moves).
    """

    rows: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    matrix: np.ndarray
    leave_farm: np.ndarray | None = None

    @property
    def net(self) -> np.ndarray:
        """(C,) arrivals minus departures."""
        return self.matrix.sum(axis=0) - self.matrix.sum(axis=1)


def farmer_utility(utility: np.ndarray, log_income: np.ndarray, farm_income: np.ndarray) -> np.ndarray:
    """(C, H, C) utility of each destination for a farmer by origin and hukou group.

    Moving to j != i is worth what it is worth to a low-skill worker of the same origin and hukou
    (the farmer joins j's low-skill labour force); staying in i is worth farming there: the low-skill
    worker's utility of staying with ``farm_income`` in place of the low-skill log income.

    Args:
        utility: (C, H, K - 1, C) utilities of the mobile classes (:func:`migration.location_utility`).
        log_income: (C, K - 1) log expected real income of the mobile classes (low skill first).
        farm_income: (C,) utility of farming at home: log expected real farm income plus attachment.
    """
    cities = utility.shape[0]
    farmer = utility[:, :, 0, :].copy()
    home = np.arange(cities)
    farmer[home, :, home] += (farm_income - log_income[:, 0])[:, None]
    return farmer


def choose_moves(city: np.ndarray, hukou: np.ndarray, skill: np.ndarray, log_income: np.ndarray,
                 amenity: np.ndarray, hours: np.ndarray, province: np.ndarray, hukou_groups: int,
                 hukou_cost: np.ndarray, rate: float, *, move_cost: float, move_cost_per_hour: float,
                 elasticity: float, rng: np.random.Generator, farm_share: float = 0.0,
                 farm_income: np.ndarray | None = None) -> Moves:
    """Draw reconsidering workers and their destinations.

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
        farm_share: share of the drawn farmers who reconsider (``farmer_mobility``; 0: farmers stay,
            and no draw is made for them).
        farm_income: (C,) utility of farming at home (log expected real farm income plus the
            calibrated attachment); needed when ``farm_share`` > 0.
    """
    cities = hours.shape[0]
    drawn = labour.bernoulli_rows(city.size, rate, rng)
    drawn_skill = np.take(skill, drawn)
    movers = np.compress(drawn_skill != 0, drawn)
    farmers = np.zeros(0, dtype=drawn.dtype)
    if farm_share > 0:
        if farm_income is None:
            raise ValueError("farm_income: the utility of farming at home is needed when farm_share > 0")
        farmers = np.compress(drawn_skill == 0, drawn)
        if farm_share < 1:
            farmers = np.compress(rng.random(farmers.size) < farm_share, farmers)
    if movers.size == 0 and farmers.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Moves(empty, empty, empty, np.zeros((cities, cities)))
    utility = migration.location_utility(log_income, amenity, hours, move_cost, move_cost_per_hour,
                                         hukou_cost, province, hukou_groups)
    cumulative = np.cumsum(migration.choice_probabilities(utility, elasticity), axis=-1)
    mobile = log_income.shape[1]
    origin = np.take(city, movers).astype(np.int64)
    cell = (origin * hukou_groups + np.take(hukou, movers)) * mobile + np.take(skill, movers) - 1
    destination = migration.draw_from_cells(cumulative.reshape(-1, cities), cell, rng.random(movers.size))
    leave_farm = None
    if farmers.size:
        table = np.cumsum(migration.choice_probabilities(farmer_utility(utility, log_income, farm_income),
                                                         elasticity), axis=-1)
        home = np.take(city, farmers).astype(np.int64)
        farm_cell = home * hukou_groups + np.take(hukou, farmers)
        destination = np.concatenate([destination, migration.draw_from_cells(
            table.reshape(-1, cities), farm_cell, rng.random(farmers.size))])
        origin = np.concatenate([origin, home])
        leave_farm = np.repeat([False, True], [movers.size, farmers.size])
        movers = np.concatenate([movers, farmers])
    moved = destination != origin
    origin, destination = np.compress(moved, origin), np.compress(moved, destination)
    matrix = np.bincount(origin * cities + destination, minlength=cities * cities).reshape(cities, cities).astype(float)
    if leave_farm is not None:
        leave_farm = np.compress(moved, leave_farm)
    return Moves(np.compress(moved, movers), origin, destination, matrix, leave_farm)
