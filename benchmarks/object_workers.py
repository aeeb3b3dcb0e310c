"""The worker phase of ydabm written a second time as plain Mesa agents: a benchmark reference only.

The vectorised engine (:func:`vectorised_worker_phase`: the model's phases 6 and 9,
``labour.clear_labour_market`` then ``relocation.choose_moves``) keeps workers in numpy columns. Here every worker and firm is a ``mesa.Agent`` stepped with ``shuffle_do``, with the
same economics on the same inputs:

1. Separations: each employed worker quits with probability ``separation_rate``; firms lay off,
   uniformly at random, the staff of each class above their desired staff (the plan rounded to whole
   workers with the firm's rounding carries under the model's rule, ``labour.whole_staff``).
2. Matching, per city-skill market: hires = min(U, V, floor(m * sqrt(U * V))) (the model's matching
   function); that many job seekers and open positions are drawn uniformly and paired.
3. Wages: the model's wage Phillips curve on market totals (``labour.update_wages``).
4. Migration: each worker reconsiders with probability ``reconsider_rate`` (a farmer then with
   probability ``farmer_mobility``) and draws a city from the logit over the model's location
   utilities (``migration.location_utility`` on log expected real income,
   ``calibration.log_real_income``); a farmer, or a low-skill worker with its city's local hukou,
   draws from the home pool's logit instead (``relocation.home_utility``: a low-skill job in any city,
   or farming at home). A worker who moves or changes occupation leaves its job.

Draws come from the model's ``random`` (Mesa's stdlib generator), so outcomes match the vectorised
engine in distribution, not draw for draw. Nothing in ``src/`` imports this module.
"""

from __future__ import annotations

import bisect
import copy
import math
from dataclasses import dataclass

import mesa
import numpy as np

FARM, LOW, CLASSES = 0, 1, 3


@dataclass
class WorkerPhaseInputs:
    """Everything the worker phase reads, copied from a ``YRDModel`` (arrays over workers W,
    firm rows F, cities C)."""

    city: np.ndarray
    hukou: np.ndarray
    skill: np.ndarray
    employer: np.ndarray
    firm_city: np.ndarray
    firm_alive: np.ndarray
    desired_staff: np.ndarray
    wages: np.ndarray
    cpi: np.ndarray
    initial_population: np.ndarray
    amenity: np.ndarray
    hours: np.ndarray
    province: np.ndarray
    hukou_groups: int
    params: dict
    farm_attachment: np.ndarray
    local: np.ndarray

    @classmethod
    def capture(cls, model) -> WorkerPhaseInputs:
        from ydabm.markets import labour
        w, f = model.workers, model.firms
        names = ("separation_rate", "matching_efficiency", "natural_unemployment", "wage_adjustment",
                 "reconsider_rate", "migration_elasticity", "move_cost", "move_cost_per_hour",
                 "unemployment_benefit", "housing_share", "housing_elasticity", "farmer_mobility")
        params = {name: float(getattr(model.params, name)) for name in names}
        # the hukou cost of living in each city (barrier x hukou penalty of its province, per province levers)
        params["hukou_cost"] = model.frictions.hukou_cost.tolist()
        if model.levers.mobility_frozen:
            params["reconsider_rate"] = 0.0
        desired = labour.whole_staff(planned_staff(model), f.rounding, diffuse=not model.params.staff_rounding)[0]
        return cls(w.city.copy(), w.hukou.copy(), w.skill.copy(), w.employer.copy(), f.city.copy(),
                   f.alive.copy(), desired, model.wages.copy(),
                   model.cpi.copy(), model.initial_population.copy(), model.fundamentals.amenity.copy(),
                   model.geography.hours.copy(), model.geography.province_index.copy(),
                   int(model.hukou_groups), params, model.fundamentals.farm_attachment.copy(),
                   model.fundamentals.hukou_share.argmax(axis=1))


def planned_staff(model) -> np.ndarray:
    """(F, K) staff the firms plan for the coming quarter: the model's planning phase
    (``YRDModel.plan_production``) on its current state, without applying the plan."""
    return model.plan_production().desired_staff


def vectorised_worker_phase(model, desired: np.ndarray):
    """The model's worker phase on its current state: labour market then migration, each applied
    with the model's own setters. ``desired``: (F, K) planned staff. Returns the ``relocation.Moves``."""
    model.apply_hiring(model.clear_labour_market(desired))
    moves = model.choose_moves()
    model.apply_moves(moves)
    return moves


class StateSnapshot:
    """A ``YRDModel``'s state, restorable any number of times, so that the vectorised worker phase
    can be timed repeatedly on identical inputs: the worker and firm tables, every numpy array the
    model holds (wages, labour force, desired staff, ...) and the generator's state."""

    def __init__(self, model):
        self.model = model
        self.workers = copy.deepcopy(model.workers)
        self.firms = copy.deepcopy(model.firms)
        self.arrays = {name: value.copy() for name, value in vars(model).items() if isinstance(value, np.ndarray)}
        self.rng_state = model.rng.bit_generator.state

    def restore(self, rng_state: dict | None = None):
        """Put the saved state back (with another generator state if given); returns the model."""
        model = self.model
        model.workers = copy.deepcopy(self.workers)
        model.firms = copy.deepcopy(self.firms)
        for name, value in self.arrays.items():
            setattr(model, name, value.copy())
        model.rng.bit_generator.state = self.rng_state if rng_state is None else rng_state
        return model


class LabourMarket:
    """The job seekers and open positions of one city and skill during one matching round."""

    def __init__(self):
        self.seekers: list[ReferenceWorker] = []
        self.vacancies: list[ReferenceFirm] = []
        self.hires = 0

    def clear(self, efficiency: float, random) -> None:
        """Pair min(U, V, floor(m sqrt(U V))) random seekers with random open positions."""
        seekers, vacancies = len(self.seekers), len(self.vacancies)
        self.hires = min(seekers, vacancies, int(math.floor(efficiency * math.sqrt(float(seekers) * vacancies))))
        for worker, firm in zip(random.sample(self.seekers, self.hires), random.sample(self.vacancies, self.hires)):
            firm.hire(worker)


class ReferenceFirm(mesa.Agent):
    """A firm's staff by class (insertion-ordered dicts used as sets) and its desired staff."""

    def __init__(self, model, city: int, desired: list[int]):
        super().__init__(model)
        self.city = city
        self.desired = desired
        self.staff: list[dict] = [{}, {}, {}]

    def hire(self, worker: ReferenceWorker) -> None:
        self.staff[worker.skill][worker] = None
        worker.employer = self
        self.model.working[worker.city][worker.skill] += 1

    def release(self, worker: ReferenceWorker) -> None:
        del self.staff[worker.skill][worker]
        worker.employer = None
        self.model.working[worker.city][worker.skill] -= 1

    def lay_off(self) -> None:
        for k in range(CLASSES):
            excess = len(self.staff[k]) - self.desired[k]
            if excess > 0:
                for worker in self.random.sample(list(self.staff[k]), excess):
                    self.release(worker)

    def post_vacancies(self) -> None:
        for k in range(CLASSES):
            open_positions = self.desired[k] - len(self.staff[k])
            if open_positions > 0:
                self.model.markets[self.city][k].vacancies.extend([self] * open_positions)


class ReferenceWorker(mesa.Agent):
    """A worker: residence, hukou group, skill class and employer (a ReferenceFirm or None)."""

    def __init__(self, model, city: int, hukou: int, skill: int):
        super().__init__(model)
        self.city = city
        self.hukou = hukou
        self.skill = skill
        self.employer: ReferenceFirm | None = None

    def separate(self) -> None:
        if self.employer is not None and self.random.random() < self.model.separation_rate:
            self.employer.release(self)

    def search(self) -> None:
        if self.employer is None:
            self.model.markets[self.city][self.skill].seekers.append(self)

    def reconsider(self) -> None:
        model = self.model
        if self.random.random() >= model.reconsider_rate:
            return
        if self.skill == FARM and (model.farmer_mobility <= 0 or self.random.random() >= model.farmer_mobility):
            return
        pooled = model.farmer_mobility > 0 and (
            self.skill == FARM or (self.skill == LOW and self.hukou == model.inputs.local[self.city]))
        cumulative = model.home[self.city] if pooled else model.choice[self.city][self.hukou][self.skill - 1]
        choice = min(bisect.bisect_left(cumulative, self.random.random()), len(cumulative) - 1)
        farming = choice == model.cities
        skill = (FARM if farming else LOW) if pooled else self.skill
        destination = self.city if farming else choice
        if destination != self.city or skill != self.skill:
            if self.employer is not None:
                self.employer.release(self)
            model.relocate(self, destination, skill)


class ReferenceWorkerModel(mesa.Model):
    """Workers and firms as Mesa agents, built from :class:`WorkerPhaseInputs`."""

    def __init__(self, inputs: WorkerPhaseInputs, rng: int = 0):
        super().__init__(rng=rng)
        self.inputs = inputs
        for name, value in inputs.params.items():
            setattr(self, name, value)
        cities = inputs.hours.shape[0]
        self.cities = cities
        self.wages = inputs.wages.copy()
        self.force = np.bincount(inputs.city.astype(np.int64) * CLASSES + inputs.skill,
                                 minlength=cities * CLASSES).reshape(cities, CLASSES).tolist()
        self.working = [[0] * CLASSES for _ in range(cities)]
        self.markets = [[LabourMarket() for _ in range(CLASSES)] for _ in range(cities)]
        self.moves = 0
        firms = {}
        for row in np.flatnonzero(inputs.firm_alive):
            firms[int(row)] = ReferenceFirm(self, int(inputs.firm_city[row]), inputs.desired_staff[row].tolist())
        for city, hukou, skill, employer in zip(inputs.city.tolist(), inputs.hukou.tolist(),
                                                inputs.skill.tolist(), inputs.employer.tolist()):
            worker = ReferenceWorker(self, city, hukou, skill)
            if employer >= 0:
                firms[employer].hire(worker)
        self.firm_set = self.agents_by_type[ReferenceFirm]
        self.worker_set = self.agents_by_type[ReferenceWorker]

    def worker_phase(self) -> None:
        """Separations, matching, wages, migration: the vectorised engine's worker phase."""
        from ydabm.markets import labour
        self.worker_set.shuffle_do("separate")
        self.firm_set.shuffle_do("lay_off")
        for row in self.markets:
            for market in row:
                market.__init__()
        self.worker_set.shuffle_do("search")
        self.firm_set.shuffle_do("post_vacancies")
        for row in self.markets:
            for market in row:
                market.clear(self.matching_efficiency, self.random)
        supply = np.array(self.force, dtype=float).ravel()
        demand = np.zeros((self.cities, CLASSES))
        for firm in self.firm_set:
            for k in range(CLASSES):
                demand[firm.city, k] += max(firm.desired[k], len(firm.staff[k]))
        self.wages = labour.update_wages(self.wages.ravel(), demand.ravel(), supply, self.natural_unemployment,
                                         self.wage_adjustment).reshape(self.cities, CLASSES)
        self.choice = self.choice_table()
        self.worker_set.shuffle_do("reconsider")

    def choice_table(self) -> list:
        """Cumulative logit choice probabilities by origin, hukou group and mobile skill (nested lists)."""
        from ydabm import calibration
        from ydabm.markets import migration
        from ydabm.mechanisms import relocation
        force = np.array(self.force, dtype=float)
        working = np.array(self.working, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(force > 0, working / force, 1.0 - self.natural_unemployment)
        housing = (force.sum(axis=1) / self.inputs.initial_population) ** self.housing_elasticity
        income = calibration.log_real_income(self.wages, rate, self.unemployment_benefit, self.inputs.cpi,
                                             housing, self.housing_share)
        utility = migration.location_utility(income[:, 1:], self.inputs.amenity, self.inputs.hours, self.move_cost,
                                             self.move_cost_per_hour, np.array(self.hukou_cost),
                                             self.inputs.province, self.inputs.hukou_groups)
        home = relocation.home_utility(utility, income[:, 1:], income[:, 0] + self.inputs.farm_attachment,
                                       self.inputs.local)
        self.home = np.cumsum(migration.choice_probabilities(home, self.migration_elasticity), axis=-1).tolist()
        return np.cumsum(migration.choice_probabilities(utility, self.migration_elasticity), axis=-1).tolist()

    def relocate(self, worker: ReferenceWorker, destination: int, skill: int) -> None:
        """Move ``worker`` to ``destination`` in class ``skill`` (a move counts when the city changes)."""
        self.force[worker.city][worker.skill] -= 1
        self.force[destination][skill] += 1
        self.moves += destination != worker.city
        worker.city, worker.skill = destination, skill

    def employed(self) -> int:
        return sum(map(sum, self.working))
