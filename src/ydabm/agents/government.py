"""City governments: one Mesa agent per city, placed on the transport network.

Once a year a government chooses its target sectors by a score that mixes comparative advantage
(weight ``specialization``) with the national strategic list and what its peers targeted last year
(weight 1 - ``specialization``). Its instruments (entry and capacity subsidies, soft-budget support,
local protection) are applied by the model's mechanisms to the sectors it targets.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent


def target_scores(advantage: np.ndarray, strategic: np.ndarray, peer_share: np.ndarray,
                  specialization: float, bonus: np.ndarray | None = None) -> np.ndarray:
    """Score of each sector for one city.

    score = specialization * advantage + (1 - specialization) * (strategic + peer_share) / 2 + bonus

    Args:
        advantage: (S,) comparative advantage in [0, 1] (revealed, normalised by the city's best).
        strategic: (S,) 1 for sectors on the strategic list.
        peer_share: (S,) share of other cities that targeted the sector last year.
        specialization: weight on comparative advantage.
        bonus: (S,) extra score from an assigned provincial role (division of labour), if any.
    """
    score = specialization * advantage + (1 - specialization) * 0.5 * (strategic + peer_share)
    return score if bonus is None else score + bonus


def choose_targets(scores: np.ndarray, eligible: np.ndarray, count: int) -> np.ndarray:
    """Boolean mask of the ``count`` best-scoring eligible sectors (ties broken by sector order)."""
    ranked = np.where(eligible, scores, -np.inf)
    order = np.argsort(-ranked, kind="stable")[:count]
    chosen = np.zeros(scores.size, dtype=bool)
    chosen[order[np.isfinite(ranked[order])]] = True
    return chosen


class CityGovernment(FixedAgent):
    """The government of one city.

    Attributes:
        city: row of the city in the model's arrays.
        name, province: identifiers.
        budget: accumulated balance, yuan (negative = debt).
        targets: (S,) bool, sectors supported this year.
        population, gdp, real_income, wage, price_index, housing_cost, firms, net_migration, employment:
            the city's state after the last step, for reporting and the app.
    """

    def __init__(self, model, cell, city: int, name: str, province: str, sectors: int):
        super().__init__(model)
        self.cell = cell
        self.city = city
        self.name = name
        self.province = province
        self.budget = 0.0
        self.targets = np.zeros(sectors, dtype=bool)
        self.population = 0.0
        self.gdp = 0.0
        self.real_income = 0.0
        self.wage = 0.0
        self.price_index = 1.0
        self.housing_cost = 1.0
        self.firms = 0
        self.net_migration = 0.0
        self.employment = np.zeros(sectors)

    def choose_targets(self) -> None:
        """Yearly choice of target sectors from the model's current advantage and peer data."""
        model = self.model
        peers = model.target_counts() - self.targets
        peer_share = peers / max(len(model.governments) - 1, 1)
        bonus = model.role_bonus(self.city)
        scores = target_scores(model.comparative_advantage()[self.city], model.sectors.strategic.astype(float),
                               peer_share, model.specialization, bonus)
        self.targets = choose_targets(scores, model.sectors.targetable, model.targets_per_city)

    def employment_of(self, sector: int) -> float:
        return float(self.employment[sector])
