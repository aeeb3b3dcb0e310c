"""City governments: one Mesa agent per city, placed on the transport network.

Once a year the governments choose their target sectors (:mod:`ydabm.mechanisms.targeting`); their
instruments (entry and capacity subsidies, soft-budget support, local protection) are applied by the
model's mechanisms to the sectors they target. A government's budget and targets are its rows of the
model's arrays, so mechanisms work on all governments at once and no copy can go stale.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent


class CityGovernment(FixedAgent):
    """The government of one city.

    Attributes:
        city: row of the city in the model's arrays.
        name, province: identifiers.
        budget: accumulated balance, yuan (negative = debt).
        support: (S,) intensity of support of each sector this year, in [0, 1], adding up to
            ``targets_per_city`` (:mod:`ydabm.mechanisms.targeting`).
        targets: (S,) bool, the sectors it supports at least half as much as a full target.
        population, gdp, real_gdp, real_income, wage, price_index, housing_cost, firms, net_migration,
            employment: the city's report after the last step (:func:`ydabm.observation.city_reports`).
    """

    def __init__(self, model, cell, city: int, name: str, province: str):
        super().__init__(model)
        self.cell = cell
        self.city = city
        self.name = name
        self.province = province
        self.report: dict = {}

    @property
    def budget(self) -> float:
        return float(self.model.budgets[self.city])

    @property
    def support(self) -> np.ndarray:
        return self.model.targets[self.city]

    @property
    def targets(self) -> np.ndarray:
        return self.model.targets[self.city] >= 0.5

    def __getattr__(self, name: str):
        # the city's reported metrics (population, gdp, ...) read as attributes
        report = self.__dict__.get("report", {})
        if name in report:
            return report[name]
        raise AttributeError(name)
