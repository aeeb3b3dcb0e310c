"""Vertical linkages as an agglomeration force (Krugman & Venables 1995; Venables 1996), issue 12:
the two-city and racetrack economies with input-output linkages on and off and labour immobile.

Inputs: configs/io_concordance_core_periphery.toml aggregates China's 2020 table to the farm and
non-farm sectors of the core-periphery worlds (non-farm firms buy 56 % of their gross output from
each other, farms 13 % from farms). Labour is immobile (``mobility_frozen`` all along), so
any concentration comes from firms: entry where margins are high, exit where they are not.
"""

from __future__ import annotations

import numpy as np

from ..model import YRDModel
from ..scenarios import load_scenario
from .core_periphery import _income_gap

CONCORDANCE = "io_concordance_core_periphery"


def _model(scenario: str, linked: int, seed: int, **overrides) -> YRDModel:
    params = load_scenario(scenario).params({"input_output": linked, "io_concordance": CONCORDANCE, **overrides})
    model = YRDModel(rng=seed, **params)
    model.levers.mobility_frozen = True
    return model


def manufacturing_shares(model: YRDModel) -> np.ndarray:
    """(C,) each city's share of the mobile (manufacturing) sector's sales."""
    f = model.firms
    making = f.alive & model.sectors.manufacturing[f.sector]
    sales = np.bincount(f.city[making], f.revenue[making], minlength=model.geography.count)
    return sales / sales.sum()


def two_city(linked: int, core_share: float = 0.6, trade_cost: float = 1.7, quarters: int = 40,
             seed: int = 1) -> dict[str, float]:
    """The two-city economy with a share ``core_share`` of the mobile workers in city 0, held there.

    Returns the core's log expected real income gap (mean of the last ten quarters, as in
    :func:`ydabm.validation.core_periphery.abm_short_run_gaps`) and its share of manufacturing sales.
    """
    model = _model("core_periphery", linked, seed, initial_core_share=core_share, trade_cost=trade_cost)
    gaps = []
    for quarter in range(quarters):
        model.step()
        if quarter >= quarters - 10:
            gaps.append(_income_gap(model))
    return {"income_gap": float(np.mean(gaps)), "core_sales_share": float(manufacturing_shares(model)[0])}


def racetrack(linked: int, quarters: int = 60, seed: int = 1) -> dict[str, float]:
    """The racetrack from its near-uniform start with workers held in place: the concentration of
    manufacturing sales (Herfindahl times the number of cities: 1 = even) at the start and the end."""
    model = _model("racetrack", linked, seed)
    start = manufacturing_shares(model)
    for _ in range(quarters):
        model.step()
    end = manufacturing_shares(model)
    cities = start.size
    return {"concentration_start": float(cities * (start ** 2).sum()),
            "concentration_end": float(cities * (end ** 2).sum()), "largest_share": float(end.max())}
