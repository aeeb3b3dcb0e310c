"""Directional stylised facts (MODEL_SPEC section 7): each is a lever, a metric and an expected sign.

Each fact compares runs with the lever at 1 and at 0 over several seeds (24 quarters, mean of the
last 8, reduced scale). A fact holds when the mean difference (at 1 minus at 0; relative for real
GDP) has the expected sign and exceeds the stated tolerance, and a majority of seeds agree in sign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..run import simulate

SCALE = {"people_per_agent": 10000, "firms": 1500}
SEEDS = (1, 2, 3)
QUARTERS = 24
WINDOW = 8


@dataclass(frozen=True)
class Fact:
    """A directional fact: ``metric`` moves with ``sign`` when ``lever`` goes from 0 to 1."""

    name: str
    lever: str
    metric: str
    sign: int
    tolerance: float
    relative: bool = False


FACTS = (
    Fact("lower specialization raises similarity", "specialization", "similarity_manufacturing", -1, 0.02),
    Fact("lower specialization lowers capacity utilisation", "specialization", "capacity_utilization", +1, 0.01),
    Fact("higher barrier raises similarity", "barrier", "similarity_manufacturing", +1, 0.005),
    Fact("higher barrier lowers inter-provincial trade", "barrier", "interprovincial_trade_share", -1, 0.05),
    Fact("higher barrier lowers inter-provincial migration", "barrier", "interprovincial_migration_share", -1, 0.05),
    Fact("higher barrier lowers regional output", "barrier", "real_gdp", -1, 0.05, relative=True),
)


def outcomes(lever: str, value: float, metric: str, seeds=SEEDS) -> np.ndarray:
    """Mean of ``metric`` over the last quarters of one run per seed with ``lever`` = ``value``."""
    return np.array([simulate({**SCALE, lever: value}, QUARTERS, seed).model[metric].iloc[-WINDOW:].mean()
                     for seed in seeds])


def evaluate(fact: Fact, seeds=SEEDS) -> dict:
    """Measure one fact: means at 1 and 0, the per-seed differences and whether it holds."""
    high, low = outcomes(fact.lever, 1.0, fact.metric, seeds), outcomes(fact.lever, 0.0, fact.metric, seeds)
    difference = (high / low - 1) if fact.relative else (high - low)
    agree = int((fact.sign * difference > 0).sum())
    holds = bool(fact.sign * difference.mean() > fact.tolerance and agree > len(seeds) / 2)
    return {"fact": fact.name, "metric": fact.metric, "at_1": float(high.mean()), "at_0": float(low.mean()),
            "difference": float(difference.mean()), "tolerance": fact.tolerance, "seeds_agreeing": agree,
            "seeds": len(seeds), "holds": holds}
