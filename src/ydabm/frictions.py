"""Trade and migration frictions from the levers: the one place that turns ``barrier`` into costs.

* Iceberg trade costs T[s, i, j] = exp(tau_s * hours_ij) * (1 + barrier * border_effect_ij) for
  cities in different provinces (Samuelson 1954; published YRD price border effects, see
  ``configs/border_effects.toml``).
* Local protection, a procurement wedge D[s, i, j] = 1 + barrier * local_protection for imports of a
  protecting city's tradable sectors (Young 2000; Barwick, Cao & Li 2021).
* The hukou cost of living outside one's registration province: barrier * hukou_penalty
  (log-utility).
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
        hukou_cost: utility cost of living outside one's hukou province (log-utility).
    """

    iceberg: np.ndarray
    wedge: np.ndarray
    cost_weights: np.ndarray
    welfare_weights: np.ndarray
    hukou_cost: float


def frictions(geography: Geography, sectors: Sectors, barrier: float, local_protection: float,
              border_effect_scale: float, hukou_penalty: float, protecting: np.ndarray) -> Frictions:
    """Trade and migration frictions at the given lever values.

    Args:
        geography: cities, provinces, travel hours and border effects.
        sectors: sector table (trade cost per hour, elasticities, which sectors are tradable).
        barrier: administrative barrier in [0, 1].
        local_protection: wedge on protected imports at barrier = 1.
        border_effect_scale: multiplier on the published provincial border effects.
        hukou_penalty: hukou utility penalty at barrier = 1.
        protecting: (C,) bool, cities whose governments protect their tradable sectors.
    """
    iceberg = goods.iceberg_costs(geography.hours, sectors.trade_cost_per_hour,
                                  border_effect_scale * geography.border, barrier)
    shield = protecting[:, None] & sectors.targetable[None, :]
    wedge = goods.protection_wedge(shield, barrier, local_protection)
    weights = goods.cost_weights(iceberg * wedge, sectors.elasticity)
    return Frictions(iceberg, wedge, weights, goods.welfare_weights(weights, wedge, sectors.elasticity),
                     barrier * hukou_penalty)
