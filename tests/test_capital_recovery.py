"""``capital_recovery``: a city-sector's entrants reuse that share of its leavers' capital (the hazard's,
shed and closed cohorts') instead of building new, up to what they need; 0, the default, strands all of
it."""

import numpy as np
import pytest

from invariants import Start, assert_invariants
from ydabm.model import YRDModel, steady_investment
from ydabm.params import ParameterError, Params


def test_steady_investment_less_the_reused_capital_by_hand():
    # without growth capacity sits at its goal (c = 1) and investment replaces depreciation and exits,
    # 0.015 + 0.015 = 0.03 a quarter per yuan of capital; entrants reusing half the leavers' capital
    # (0.5 x 0.015) invest 0.0225; reusing all of it, 0.015 (the entrants need e q D = e K)
    assert steady_investment(0.0, 0.25, 0.015, 0.015, 0.5) == pytest.approx(0.0225)
    assert steady_investment(0.0, 0.25, 0.015, 0.015, 1.0) == pytest.approx(0.015)
    # with shrinking demand capacity exceeds the goal (c = 1.4813): the entrants need only e / c of
    # it, so no more than that is reused
    full = steady_investment(-0.02, 0.25, 0.015, 0.015)
    assert steady_investment(-0.02, 0.25, 0.015, 0.015, 1.0) == pytest.approx(full - 0.015 / 1.4813, abs=1e-6)
    assert steady_investment(0.01, 0.25, 0.015, 0.015, 0.0) == steady_investment(0.01, 0.25, 0.015, 0.015)


def test_setup_invests_as_the_steady_state_with_reuse(small_params):
    models = {r: YRDModel(rng=1, **{**small_params, "capital_recovery": r}) for r in (0.0, 0.5)}
    p, s = models[0.0].params, models[0.0].sectors
    growth = np.expm1(p.tfp_growth_scale * np.log1p(s.tfp_growth) / 4.0)
    for r, model in models.items():
        f = model.firms
        rate = steady_investment(growth, p.investment_speed, p.depreciation, p.exit_rate, r)
        rd = f.rd_share * model.firm_value_added()
        expected = (model.capital_value() * np.take(rate, f.sector) + rd)[f.alive].sum()
        assert model.flows["investment"].sum() == pytest.approx(expected, rel=1e-12)
    assert models[0.5].flows["investment"].sum() < models[0.0].flows["investment"].sum()


def test_entrants_reuse_their_city_sectors_stranded_capital(small_params):
    # the first quarter is the same with and without reuse up to the entrants' outlay (owners pay it;
    # no firm's books see it), so each entering city-sector's outlay is its full outlay less what it
    # reuses: all of the leavers' capital there (r = 1) up to the full outlay
    runs = {}
    for r in (0.0, 1.0):
        model = YRDModel(rng=2, **{**small_params, "capital_recovery": r})
        model.step()
        runs[r] = model
    full, reused = runs[0.0], runs[1.0]
    f = full.firms
    rows = np.flatnonzero(full.entrant_outlay > 0)
    assert rows.size > 0
    np.testing.assert_array_equal(reused.stranded_cells, full.stranded_cells)
    expected = np.maximum(full.entrant_outlay[rows] - full.stranded_cells[f.cell[rows]], 0.0)
    np.testing.assert_allclose(reused.entrant_outlay[rows], expected, rtol=1e-12, atol=1e-6)
    assert (reused.entrant_outlay[rows] < full.entrant_outlay[rows]).any()
    # the stranded capital reported is what no entrant reused
    gone = full.entrant_outlay[rows] - reused.entrant_outlay[rows]
    assert reused.stranded == pytest.approx(full.stranded - gone.sum(), rel=1e-12)


def test_accounts_hold_with_reuse_and_shocks(small_params):
    model = YRDModel(rng=5, **{**small_params, "capital_recovery": 0.5, "productivity_persistence": 0.8,
                               "failing_exit_share": 0.5})
    start = Start.of(model)
    for _ in range(12):
        model.step()
        assert_invariants(model, start)


def test_recovery_out_of_bounds_names_the_field():
    with pytest.raises(ParameterError, match="capital_recovery"):
        Params.build({"capital_recovery": 1.5})
