"""Migration phase: reconsidering workers choose a city by logit over expected real income.

The utility and choice probabilities are in :mod:`ydabm.markets.migration`; this module draws who
reconsiders and where each goes, and returns the moves for the model to apply.

Non-farm workers choose among cities in their own skill class. Farming is an occupation open to the
people who hold land where they live: with ``farm_share`` (``farmer_mobility``) > 0, a reconsidering
farmer of city c (a share ``farm_share`` of the farmers drawn) and a reconsidering low-skill worker of c
who holds c's local hukou face the same choice (the home pool of c): farming in c, or the low-skill
labour market of any city, c included. The land stays behind, so a farmer who takes a low-skill job
leaves farming (in c or in the city it moves to: the rural-to-urban flow of the census floating
population), and a local low-skill worker who chooses farming takes it up in c (return to the land).
The utilities of the low-skill jobs are a low-skill worker's of that origin and hukou (income,
amenity, move cost, travel time, hukou cost); farming is worth the farm income in c plus the
calibrated attachment (:func:`ydabm.calibration.farm_attachment`), which at t = 0 keeps each city's
farm share of its labour force as 2020's net flows go on (as many take up farming as leave it where
there is no net flow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..agents.workers import LOW
from ..markets import labour, migration


@dataclass(frozen=True)
class Moves:
    """This quarter's relocations and changes of occupation.

    Attributes:
        rows: (m,) workers who change city or take up or leave farming.
        origin, destination: (m,) their old and new cities (the same for a change of occupation in place).
        matrix: (C, C) movers from i (row) to j (column); changes of occupation in place are not moves.
        leave_farm: (m,) rows who were farmers and join the destination's low-skill labour force
            (None: no one reconsiders farming).
        enter_farm: (m,) rows who were low-skill workers and take up farming where they live (None: as
            ``leave_farm``).
    """

    rows: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    matrix: np.ndarray
    leave_farm: np.ndarray | None = None
    enter_farm: np.ndarray | None = None

    @property
    def net(self) -> np.ndarray:
        """(C,) arrivals minus departures."""
        return self.matrix.sum(axis=0) - self.matrix.sum(axis=1)


def home_utility(utility: np.ndarray, log_income: np.ndarray, farm_income: np.ndarray,
                 local: np.ndarray) -> np.ndarray:
    """(C, C + 1) utility of each choice of the home pool of every city: a low-skill job in j (columns
    0 .. C - 1) or farming at home (column C).

    A low-skill job in j is worth what it is worth to a low-skill worker of that city with its local
    hukou; farming is worth that worker's utility of staying with ``farm_income`` in place of the
    low-skill log income.

    Args:
        utility: (C, H, K - 1, C) utilities of the mobile classes (:func:`migration.location_utility`).
        log_income: (C, K - 1) log expected real income of the mobile classes (low skill first).
        farm_income: (C,) utility of farming at home: log expected real farm income plus attachment
            (-inf where no one farms).
        local: (C,) each city's local hukou group (the one its farmers hold).
    """
    cities = utility.shape[0]
    home = np.arange(cities)
    table = np.empty((cities, cities + 1))
    table[:, :cities] = utility[home, local, 0, :]
    table[:, cities] = table[home, home] + (farm_income - log_income[:, 0])
    return table


def choose_moves(city: np.ndarray, hukou: np.ndarray, skill: np.ndarray, log_income: np.ndarray,
                 amenity: np.ndarray, hours: np.ndarray, province: np.ndarray, hukou_groups: int,
                 hukou_cost: np.ndarray, rate: float, *, move_cost: float, move_cost_per_hour: float,
                 elasticity: float, rng: np.random.Generator, farm_share: float = 0.0,
                 farm_income: np.ndarray | None = None, local: np.ndarray | None = None) -> Moves:
    """Draw reconsidering workers, their destinations and their occupations.

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
        farm_share: share of the drawn farmers who reconsider (``farmer_mobility``; 0: no one takes up or
            leaves farming, and no draw is made for farmers).
        farm_income: (C,) utility of farming at home (log expected real farm income plus the
            calibrated attachment); needed when ``farm_share`` > 0.
        local: (C,) each city's local hukou group; needed when ``farm_share`` > 0.
    """
    cities = hours.shape[0]
    drawn = labour.bernoulli_rows(city.size, rate, rng)
    drawn_skill = np.take(skill, drawn)
    movers = np.compress(drawn_skill != 0, drawn)
    farmers = np.zeros(0, dtype=drawn.dtype)
    if farm_share > 0:
        if farm_income is None or local is None:
            raise ValueError("farm_income, local: the utility of farming at home and each city's local hukou "
                             "group are needed when farm_share > 0")
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
    leave_farm = enter_farm = None
    origin = np.take(city, movers).astype(np.int64)
    if farm_share > 0:
        # the home pool: the farmers drawn, and the low-skill workers drawn who hold their city's local hukou
        pooled = (np.take(skill, movers) == LOW) & (np.take(hukou, movers) == np.take(local, origin))
        pool = np.concatenate([np.compress(pooled, movers), farmers])
        movers, origin = np.compress(~pooled, movers), np.compress(~pooled, origin)
    cell = (origin * hukou_groups + np.take(hukou, movers)) * mobile + np.take(skill, movers) - 1
    destination = migration.draw_from_cells(cumulative.reshape(-1, cities), cell, rng.random(movers.size))
    changed = destination != origin
    if farm_share > 0:
        table = np.cumsum(migration.choice_probabilities(home_utility(utility, log_income, farm_income, local),
                                                         elasticity), axis=-1)
        home = np.take(city, pool).astype(np.int64)
        choice = migration.draw_from_cells(table, home, rng.random(pool.size))
        farming = choice == cities
        was_farmer = np.take(skill, pool) == 0
        # a choice of farming keeps the worker where it is; a farmer who chooses a job leaves the land
        went = np.where(farming, home, choice)
        leave = was_farmer & ~farming
        enter = ~was_farmer & farming
        kept = (went != home) | leave | enter
        none = np.zeros(int(changed.sum()), dtype=bool)
        leave_farm = np.concatenate([none, np.compress(kept, leave)])
        enter_farm = np.concatenate([none, np.compress(kept, enter)])
        movers = np.concatenate([np.compress(changed, movers), np.compress(kept, pool)])
        origin = np.concatenate([np.compress(changed, origin), np.compress(kept, home)])
        destination = np.concatenate([np.compress(changed, destination), np.compress(kept, went)])
    else:
        movers, origin, destination = (np.compress(changed, a) for a in (movers, origin, destination))
    moved = destination != origin
    pairs = np.compress(moved, origin) * cities + np.compress(moved, destination)
    matrix = np.bincount(pairs, minlength=cities * cities).reshape(cities, cities).astype(float)
    return Moves(movers, origin, destination, matrix, leave_farm, enter_farm)
