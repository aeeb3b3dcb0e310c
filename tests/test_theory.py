"""Krugman core–periphery benchmark (FKV 1999, ch. 5) against hand-computed and analytic results."""

import numpy as np
import pytest

from ydabm.validation.theory import (
    break_point,
    check_no_black_hole,
    real_wage_gap,
    short_run_equilibrium,
    sustain_point,
    tomahawk,
)

SIGMA, MU = 5.0, 0.4  # ρ = 0.8 > μ: no black hole
SOLVER = 1e-10  # the wage iteration stops at 1e-12; derived quantities are good to about 1e-10


def test_break_point_hand_value():
    # T_b^(σ−1) = (0.8 + 0.4)(1.4) / ((0.8 − 0.4)(0.6)) = 1.68 / 0.24 = 7,
    # so T_b = 7^(1/4) = 1.62658.
    assert break_point(SIGMA, MU) == pytest.approx(7**0.25, abs=1e-12)
    assert round(break_point(SIGMA, MU), 3) == 1.627


def test_sustain_point_value_and_defining_equation():
    sustain = sustain_point(SIGMA, MU)
    assert round(sustain, 3) == 1.807
    # It solves (1 + μ)/2 · T^(1 − σ − μσ) + (1 − μ)/2 · T^(σ − 1 − μσ) = 1: 0.7·T^−6 + 0.3·T^2 = 1.
    assert 0.7 * sustain**-6 + 0.3 * sustain**2 == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("sigma, mu", [(2.0, 0.3), (5.0, 0.4), (10.0, 0.05), (4.0, 0.7)])
def test_sustain_point_lies_above_break_point(sigma, mu):
    # FKV ch. 5: the core–periphery pattern stays sustainable at trade costs where the symmetric
    # equilibrium is already stable, T_b < T_s, which gives the tomahawk its overlap.
    assert 1 < break_point(sigma, mu) < sustain_point(sigma, mu)


def test_no_black_hole_violation_names_parameters():
    # σ = 5 gives ρ = 0.8, which is not above μ = 0.9.
    with pytest.raises(ValueError, match=r"rho > mu.*sigma=5.*mu=0\.9"):
        check_no_black_hole(5, 0.9)
    with pytest.raises(ValueError, match="rho > mu"):
        break_point(2.0, 0.5)  # ρ = ½ = μ: the boundary itself is excluded
    with pytest.raises(ValueError, match="sigma > 1"):
        sustain_point(1.0, 0.2)
    with pytest.raises(ValueError, match="0 < mu < 1"):
        check_no_black_hole(5, 0.0)


def test_full_agglomeration_hand_values():
    # λ = 1, T = 2: w_1 = 1, G_1 = 1, G_2 = T = 2, Y = (0.7, 0.3),
    # w_2^5 = 0.7·2^−4 + 0.3·2^4 = 4.84375, ω_2 = 4.84375^(1/5) · 2^−0.4 = 1.0390210.
    result = short_run_equilibrium(1.0, 2.0, SIGMA, MU)
    np.testing.assert_allclose(result["w"], [1.0, 4.84375**0.2], atol=SOLVER)
    np.testing.assert_allclose(result["G"], [1.0, 2.0], atol=SOLVER)
    np.testing.assert_allclose(result["omega"], [1.0, 4.84375**0.2 * 2**-0.4], atol=SOLVER)
    assert result["omega"][1] == pytest.approx(1.0390210, abs=1e-7)


def test_symmetric_equilibrium_hand_values():
    # λ = ½: Y = ½ each, so w = 1 for any T, and G^(1−σ) = ½(1 + T^(1−σ)); T = 2 gives
    # G = (½ · 17/16)^(−1/4) = 0.53125^(−0.25) = 1.1713192.
    result = short_run_equilibrium(0.5, 2.0, SIGMA, MU)
    np.testing.assert_allclose(result["w"], [1.0, 1.0], atol=SOLVER)
    np.testing.assert_allclose(result["G"], [0.53125**-0.25] * 2, atol=SOLVER)


@pytest.mark.parametrize("share", [0.0, 0.13, 0.5, 0.77, 1.0])
def test_wage_bill_equals_manufacturing_spending(share):
    # Manufacturing sales μ Σ Y_r equal the wage bill μ Σ λ_r w_r, with Σ Y_r = μ Σ λ_r w_r + 1 − μ,
    # so Σ λ_r w_r = 1 in every short-run equilibrium.
    wages = short_run_equilibrium(share, 1.7, SIGMA, MU)["w"]
    assert share * wages[0] + (1 - share) * wages[1] == pytest.approx(1.0, abs=SOLVER)


@pytest.mark.parametrize("trade_cost", [1.05, 1.5, 1.7, 2.5])
def test_symmetric_split_has_no_gap(trade_cost):
    assert abs(short_run_equilibrium(0.5, trade_cost, SIGMA, MU)["gap"]) < 1e-12


def test_gap_slope_at_symmetry_changes_sign_at_break_point():
    # Central difference of ω_1 − ω_2 at λ = ½; positive slope means a worker moving to region 1
    # raises its real wage further, so the symmetric split is unstable (T < T_b).
    step = 1e-4
    breaking = break_point(SIGMA, MU)

    def slope(trade_cost):
        gaps = real_wage_gap(np.array([0.5 - step, 0.5 + step]), trade_cost, SIGMA, MU)
        return (gaps[1] - gaps[0]) / (2 * step)

    assert slope(1.01 * breaking) < 0
    assert slope(0.99 * breaking) > 0


def test_periphery_real_wage_crosses_core_at_sustain_point():
    # At λ = 1 the core's real wage is 1. For 1 < T < T_s the periphery's is lower (agglomeration
    # is sustainable); above T_s it is higher and the core unravels.
    sustain = sustain_point(SIGMA, MU)

    def periphery_over_core(trade_cost):
        omega = short_run_equilibrium(1.0, trade_cost, SIGMA, MU)["omega"]
        return omega[1] / omega[0]

    assert periphery_over_core(1.1) < 1
    assert periphery_over_core(0.99 * sustain) < 1
    assert periphery_over_core(sustain) == pytest.approx(1.0, abs=SOLVER)
    assert periphery_over_core(1.01 * sustain) > 1


def test_real_wage_gap_accepts_arrays():
    shares = np.array([0.1, 0.5, 0.9])
    gaps = real_wage_gap(shares, 1.7, SIGMA, MU)
    singles = [short_run_equilibrium(share, 1.7, SIGMA, MU)["gap"] for share in shares]
    np.testing.assert_allclose(gaps, singles, atol=SOLVER)
    # Mirror symmetry of the two regions: gap(λ) = −gap(1 − λ).
    assert gaps[0] == pytest.approx(-gaps[2], abs=SOLVER)


def equilibria_at(diagram, trade_cost):
    """Sorted (λ, stable) pairs of the tomahawk at one trade cost."""
    rows = diagram["T"] == trade_cost
    return sorted(zip(diagram["lambda"][rows].round(9), diagram["stable"][rows]))


def test_tomahawk_switches_exactly_at_break_and_sustain_points():
    breaking, sustain = break_point(SIGMA, MU), sustain_point(SIGMA, MU)
    below_break, above_break = 0.999 * breaking, 1.001 * breaking
    below_sustain, above_sustain = 0.999 * sustain, 1.001 * sustain
    diagram = tomahawk([below_break, above_break, below_sustain, above_sustain], SIGMA, MU)
    assert equilibria_at(diagram, below_break) == [(0.0, True), (0.5, False), (1.0, True)]
    # Just above T_b the unstable branch has already moved away from ½ (subcritical pitchfork).
    near_break = equilibria_at(diagram, above_break)
    assert [stable for _, stable in near_break] == [True, False, True, False, True]
    assert 0.4 < near_break[1][0] < 0.49
    # Just below T_s the unstable branch is close to the corners; just above, only ½ is left.
    near_sustain = equilibria_at(diagram, below_sustain)
    assert [stable for _, stable in near_sustain] == [True, False, True, False, True]
    assert 0 < near_sustain[1][0] < 0.05
    assert equilibria_at(diagram, above_sustain) == [(0.5, True)]


def test_tomahawk_three_regimes():
    # σ = 5, μ = 0.4: T_b = 1.627, T_s = 1.807.
    diagram = tomahawk([1.3, 1.7, 2.2], SIGMA, MU)
    assert len(diagram["T"]) == len(diagram["lambda"]) == len(diagram["stable"])
    # Cheap trade: agglomeration in either region, symmetric split unstable.
    assert equilibria_at(diagram, 1.3) == [(0.0, True), (0.5, False), (1.0, True)]
    # Overlap T_b < T < T_s: three stable equilibria separated by two unstable interior ones.
    overlap = equilibria_at(diagram, 1.7)
    assert [stable for _, stable in overlap] == [True, False, True, False, True]
    assert [share for share, _ in overlap][::2] == [0.0, 0.5, 1.0]
    low, high = overlap[1][0], overlap[3][0]
    assert 0 < low < 0.5 and low + high == pytest.approx(1.0, abs=1e-9)
    assert abs(real_wage_gap(low, 1.7, SIGMA, MU)) < SOLVER
    # Dear trade: dispersion only.
    assert equilibria_at(diagram, 2.2) == [(0.5, True)]
