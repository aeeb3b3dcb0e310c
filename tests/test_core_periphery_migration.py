"""``scripts/core_periphery_migration.py``: the two-city economy with migration on (docs/validation.md,
"Core–periphery limit"); its income-gap decomposition and what it records of each quarter."""

import pytest

from script_modules import load_script
from ydabm.model import YRDModel
from ydabm.scenarios import load_scenario


def _script():
    return load_script("core_periphery_migration")


def test_income_gap_is_wage_employment_and_prices_and_moves_are_recorded():
    script = _script()
    params = load_scenario("core_periphery").params({"initial_core_share": 0.8, "trade_cost": 2.2})
    model = YRDModel(rng=3, **params)
    moved = script.watch_moves(model)
    closed = script.watch_closures(model)
    for _ in range(6):
        model.step()
        # the movers this quarter are the ones the model applied
        assert moved[-1][1] == model.moves.rows.size
        gaps = script.gaps(model)
        assert gaps["income_gap"] == pytest.approx(gaps["wage_gap"] + gaps["employment_gap"] + gaps["price_gap"],
                                                   abs=1e-12)
        assert 0.0 < gaps["share"] < 1.0 and 0.0 < gaps["firm_share"] < 1.0
    # (paid labour over the labour force: hours can take it a little above 1)
    assert len(moved) == 6 and all(0.0 <= rate < 1.1 for rate, _ in moved)
    assert all(0.0 < share <= 1.0 for _, share in closed)
