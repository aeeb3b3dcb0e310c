"""Trade and migration frictions from the levers: the one place that turns the per-province levers
``barrier``, ``hukou_penalty`` and ``protection`` (:class:`ydabm.levers.Levers`) into costs.

For cities i (exporter, province a) and j (importer or destination, province b):

* Iceberg trade costs T[s, i, j] = exp(tau_s * hours_ij) * (1 + B_ij * border_effect_ij), with
  B_ij = (barrier_a + barrier_b) / 2 (Samuelson 1954; published YRD price border effects, see
  ``configs/border_effects.toml``). A border has two sides: the published effects are one number
  per province pair, the same both ways, and each side's administration (exit checks, entry
  licensing) adds to the cost of crossing it, so the border weighs both provinces' barriers
  equally and stays symmetric (T_ij = T_ji).
* Local protection, a procurement wedge D[s, i, j] = 1 + barrier_b * protection[b, a] *
  local_protection for imports of a protecting city's tradable sectors (Young 2000; Barwick, Cao &
  Li 2021): protection is the importer's policy, so the importing city's own province sets it;
  ``protection[b, a]`` (1 unless a policy changes it) scales what b's cities put on a's goods.
* The hukou cost of living in j for a worker whose hukou is not province b: barrier_b *
  hukou_penalty_b (log-utility). The destination's rules bind: the province a worker moves to
  decides who gets its public services (schooling, health insurance, housing); the province of
  the worker's own hukou has no say there.
* Knowledge spillover weights W_ij = exp(-hours_ij / decay) * (1 - border_loss * B_ij * [a != b])
  for i != j (0 on the diagonal): co-invention decays with travel time (most within about 250 km,
  about an hour by high-speed rail; Regional Studies 2022) and a provincial border costs a share
  of it at the border's barrier (co-invention friction). ``knowledge_open`` (the innovation
  community) lets knowledge cross borders without friction.

With every province at the same values these are the region-wide costs of one barrier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geography import Geography
from .markets import goods
from .sectors import Sectors


@dataclass(frozen=True)
class Frictions:
    """Costs of trade and migration at the current levers.

    Attributes:
        iceberg: (S, C, C) iceberg trade cost T.
        wedge: (S, C, C) protection wedge D (1 = none).
        cost_weights: (S, C, C) (T D)^(1 - sigma), the weights of CES demand.
        welfare_weights: (S, C, C) weights of the true (welfare) price index.
        hukou_cost: (C,) utility cost of living in each city for a worker whose hukou is another
            province's (log-utility).
        knowledge: (C, C) knowledge spillover weights W, receiving city (row) x source city (column).
    """

    iceberg: np.ndarray
    wedge: np.ndarray
    cost_weights: np.ndarray
    welfare_weights: np.ndarray
    hukou_cost: np.ndarray
    knowledge: np.ndarray


def border_barrier(barrier: np.ndarray, province: np.ndarray) -> np.ndarray:
    """(C, C) barrier on the border between cities i and j: the mean of their provinces' barriers.

    Args:
        barrier: (P,) barrier of each province.
        province: (C,) province id of each city.
    """
    by_city = barrier[province]
    return (by_city[:, None] + by_city[None, :]) / 2


def importer_barrier(barrier: np.ndarray, protection: np.ndarray, province: np.ndarray) -> np.ndarray:
    """(C, C) barrier behind the protection wedge importer j (column) puts on goods from i (row):
    the barrier of j's province times the protection multiplier of (j's province, i's province).

    Args:
        barrier: (P,) barrier of each province.
        protection: (P, P) multiplier, importer province (row) x exporter province (column).
        province: (C,) province id of each city.
    """
    return barrier[province][None, :] * protection[province[None, :], province[:, None]]


def hukou_cost(barrier: np.ndarray, hukou_penalty: np.ndarray, province: np.ndarray) -> np.ndarray:
    """(C,) utility cost of living in each city for a worker with another province's hukou: the
    destination province's barrier times its hukou penalty (log-utility).

    Args:
        barrier, hukou_penalty: (P,) each province's values.
        province: (C,) province id of each city.
    """
    return (barrier * hukou_penalty)[province]


def knowledge_weights(hours: np.ndarray, province: np.ndarray, barrier: np.ndarray, decay_hours: float,
                      border_loss: float) -> np.ndarray:
    """(C, C) knowledge spillover weights exp(-hours / decay) x (1 - border_loss x B_ij across
    provinces), 0 on the diagonal (a city's pool holds the other cities' R&D).

    Args:
        hours: (C, C) travel hours.
        province: (C,) province id of each city.
        barrier: (P,) barrier of each province (B_ij: :func:`border_barrier`).
        decay_hours: travel time over which spillovers fall by a factor e.
        border_loss: share of spillovers lost across a provincial border at barrier = 1.
    """
    cross = province[:, None] != province[None, :]
    weights = np.exp(-hours / decay_hours) * (1.0 - border_loss * border_barrier(barrier, province) * cross)
    np.fill_diagonal(weights, 0.0)
    return weights


def frictions(geography: Geography, sectors: Sectors, barrier: float | np.ndarray, local_protection: float,
              border_effect_scale: float, hukou_penalty: float | np.ndarray, protecting: np.ndarray,
              protection: np.ndarray | None = None, *, knowledge_decay_hours: float = 1.0,
              knowledge_border: float = 0.5, knowledge_open: bool = False) -> Frictions:
    """Trade and migration frictions at the given lever values.

    Args:
        geography: cities, provinces, travel hours and border effects.
        sectors: sector table (trade cost per hour, elasticities, which sectors are tradable).
        barrier: (P,) administrative barrier of each province in [0, 1], or one for all.
        local_protection: wedge on protected imports at barrier = 1.
        border_effect_scale: multiplier on the published provincial border effects.
        hukou_penalty: (P,) hukou utility penalty of each province at barrier = 1, or one for all.
        protecting: (C,) bool, cities whose governments protect their tradable sectors.
        protection: (P, P) multiplier on the wedge, importer province x exporter province (None: 1).
        knowledge_decay_hours, knowledge_border: decay and border loss of knowledge spillovers.
        knowledge_open: knowledge crosses provincial borders without friction (innovation community).
    """
    province = geography.province_index
    count = int(province.max()) + 1
    barrier = np.broadcast_to(np.asarray(barrier, dtype=float), (count,))
    hukou_penalty = np.broadcast_to(np.asarray(hukou_penalty, dtype=float), (count,))
    protection = np.ones((count, count)) if protection is None else protection
    iceberg = goods.iceberg_costs(geography.hours, sectors.trade_cost_per_hour,
                                  border_effect_scale * geography.border, border_barrier(barrier, province))
    shield = protecting[:, None] & sectors.targetable[None, :]
    wedge = goods.protection_wedge(shield, importer_barrier(barrier, protection, province), local_protection)
    weights = goods.cost_weights(iceberg * wedge, sectors.elasticity)
    knowledge = knowledge_weights(geography.hours, province, barrier, knowledge_decay_hours,
                                  0.0 if knowledge_open else knowledge_border)
    return Frictions(iceberg, wedge, weights, goods.welfare_weights(weights, wedge, sectors.elasticity),
                     hukou_cost(barrier, hukou_penalty, province), knowledge)
