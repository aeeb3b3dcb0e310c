"""Directional stylised facts (MODEL_SPEC section 7) over three seeds, with stated tolerances.

Each comparison averages the last 8 quarters of a 24-quarter run over seeds 1, 2, 3 at a reduced
scale (people_per_agent = 10000, 1500 firms). A fact holds when the mean difference has the
expected sign and exceeds the stated tolerance, and at least 2 of 3 seeds agree in sign.
"""

import numpy as np
import pytest

from ydabm.run import simulate

SCALE = {"people_per_agent": 10000, "firms": 1500}
SEEDS = (1, 2, 3)


def _outcomes(metric, **levers):
    return np.array([simulate({**SCALE, **levers}, 24, seed).model[metric].iloc[-8:].mean() for seed in SEEDS])


@pytest.mark.slow
def test_lower_specialization_raises_similarity():
    chase = _outcomes("similarity_manufacturing", specialization=0.0)
    follow = _outcomes("similarity_manufacturing", specialization=1.0)
    assert (chase - follow).mean() > 0.02
    assert (chase > follow).sum() >= 2


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["interprovincial_trade_share", "interprovincial_migration_share"])
def test_higher_barrier_lowers_interprovincial_trade_and_migration(metric):
    closed = _outcomes(metric, barrier=1.0)
    open_ = _outcomes(metric, barrier=0.0)
    assert (open_ - closed).mean() > 0.05
    assert (open_ > closed).sum() >= 2


@pytest.mark.slow
def test_higher_barrier_lowers_regional_output():
    closed = _outcomes("real_gdp", barrier=1.0)
    open_ = _outcomes("real_gdp", barrier=0.0)
    assert (open_ / closed - 1).mean() > 0.05
    assert (open_ > closed).sum() >= 2


@pytest.mark.slow
def test_lower_specialization_lowers_capacity_utilization():
    chase = _outcomes("capacity_utilization", specialization=0.0)
    follow = _outcomes("capacity_utilization", specialization=1.0)
    assert (follow - chase).mean() > 0.01
    assert (follow > chase).sum() >= 2


@pytest.mark.slow
def test_higher_barrier_raises_similarity():
    closed = _outcomes("similarity_manufacturing", barrier=1.0)
    open_ = _outcomes("similarity_manufacturing", barrier=0.0)
    assert (closed - open_).mean() > 0.005
    assert (closed > open_).sum() >= 2
