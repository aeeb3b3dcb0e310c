"""Directional stylised facts (MODEL_SPEC section 7) over three seeds, with stated tolerances.

Each comparison averages the last 8 quarters of a 24-quarter run over seeds 1, 2, 3 at a reduced
scale (people_per_agent = 10000, 1500 firms), once with the lever at 1 and once at 0. A fact holds
when the mean difference (lever at 1 minus lever at 0, relative for real GDP) has the expected sign
and exceeds the stated tolerance, and at least 2 of 3 seeds agree in sign.
"""

import numpy as np
import pytest

from ydabm.run import simulate

SCALE = {"people_per_agent": 10000, "firms": 1500}
SEEDS = (1, 2, 3)

# (fact, lever, metric, expected sign of (at 1) - (at 0), tolerance, relative?)
FACTS = [
    ("lower specialization raises similarity", "specialization", "similarity_manufacturing", -1, 0.02, False),
    ("lower specialization lowers capacity utilisation", "specialization", "capacity_utilization", +1, 0.01, False),
    ("higher barrier raises similarity", "barrier", "similarity_manufacturing", +1, 0.005, False),
    ("higher barrier lowers inter-provincial trade", "barrier", "interprovincial_trade_share", -1, 0.05, False),
    ("higher barrier lowers inter-provincial migration", "barrier", "interprovincial_migration_share", -1, 0.05, False),
    ("higher barrier lowers regional output", "barrier", "real_gdp", -1, 0.05, True),
]


def _outcomes(lever, value, metric):
    return np.array([simulate({**SCALE, lever: value}, 24, seed).model[metric].iloc[-8:].mean() for seed in SEEDS])


@pytest.mark.slow
@pytest.mark.parametrize("fact, lever, metric, sign, tolerance, relative", FACTS, ids=[f[0] for f in FACTS])
def test_stylised_fact(fact, lever, metric, sign, tolerance, relative):
    high, low = _outcomes(lever, 1.0, metric), _outcomes(lever, 0.0, metric)
    difference = (high / low - 1) if relative else (high - low)
    assert sign * difference.mean() > tolerance, f"{fact}: mean difference {difference.mean():.4f}"
    assert (sign * difference > 0).sum() >= 2, f"{fact}: seeds disagree {difference}"
