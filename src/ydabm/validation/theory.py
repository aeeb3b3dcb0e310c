"""Krugman (1991) core–periphery model: the analytic benchmark the agent-based model must nest.

Follows Fujita, Krugman & Venables (1999), "The Spatial Economy", ch. 5 (FKV below). Two regions,
each with (1 − μ)/2 immobile farm workers paid 1; μ mobile manufacturing workers, a share λ of
them in region 1; iceberg trade cost T >= 1 (T units shipped for one to arrive) between regions.
Throughout, `sigma` is the elasticity of substitution σ > 1 between manufacturing varieties,
`mu` the manufacturing expenditure share μ in (0, 1), and ρ = (σ − 1)/σ.
"""

import numpy as np
from scipy.optimize import brentq

DAMPING = 0.5
TOLERANCE = 1e-12
MAX_ITERATIONS = 100_000


def check_no_black_hole(sigma, mu):
    """Raise unless σ > 1, 0 < μ < 1 and the no-black-hole condition ρ > μ holds.

    With ρ <= μ, i.e. (σ − 1)/σ <= μ, increasing returns are so strong that agglomeration
    pays at any trade cost (FKV ch. 5, the "no-black-hole" condition), so there is no break
    or sustain point.

    Raises:
        ValueError: naming sigma and mu and the violated condition.
    """
    if not sigma > 1:
        raise ValueError(f"need sigma > 1, got sigma={sigma}")
    if not 0 < mu < 1:
        raise ValueError(f"need 0 < mu < 1, got mu={mu}")
    rho = (sigma - 1) / sigma
    if not rho > mu:
        raise ValueError(
            f"no-black-hole condition rho > mu, i.e. (sigma - 1)/sigma > mu, fails for "
            f"sigma={sigma}, mu={mu}: rho={rho:.6g} <= mu"
        )


def break_point(sigma, mu):
    """Trade cost below which the symmetric equilibrium λ = 1/2 is unstable: the break point.

    FKV ch. 5: T_b = [(ρ + μ)(1 + μ) / ((ρ − μ)(1 − μ))]^(1/(σ − 1)).

    Returns:
        T_b > 1, iceberg trade cost (dimensionless).
    """
    check_no_black_hole(sigma, mu)
    rho = (sigma - 1) / sigma
    return float(((rho + mu) * (1 + mu) / ((rho - mu) * (1 - mu))) ** (1 / (sigma - 1)))


def sustain_point(sigma, mu):
    """Trade cost below which full agglomeration λ = 1 is an equilibrium: the sustain point.

    FKV ch. 5: at λ = 1 the periphery's real wage ω_2 (the core's is 1) satisfies
    ω_2^σ = f(T) = (1 + μ)/2 · T^(1 − σ − μσ) + (1 − μ)/2 · T^(σ − 1 − μσ), and T_s > 1 solves
    f(T) = 1. In x = ln T, f is a sum of two exponentials, hence convex, with f = 1 and
    f' = μ(1 − 2σ) < 0 at x = 0; so f − 1 has exactly one root with x > 0. Bracket for brentq:
    the minimum of f at x* = ln(a p / (b q)) / (p + q) (a, b the coefficients, −p, q the
    exponents; q > 0 by the no-black-hole condition), where f < 1, and the T at which the
    second term alone equals 2, where f > 1.

    Returns:
        T_s > 1, iceberg trade cost (dimensionless).
    """
    check_no_black_hole(sigma, mu)
    core_weight, periphery_weight = (1 + mu) / 2, (1 - mu) / 2
    falling, rising = sigma - 1 + mu * sigma, sigma - 1 - mu * sigma
    log_lowest = np.log(core_weight * falling / (periphery_weight * rising)) / (falling + rising)
    lowest = np.exp(log_lowest)
    highest = (2 / periphery_weight) ** (1 / rising)

    def excess(trade_cost):
        return core_weight * trade_cost**-falling + periphery_weight * trade_cost**rising - 1

    return float(brentq(excess, lowest, highest, xtol=1e-14, rtol=1e-14))


def short_run_equilibrium(lam, T, sigma, mu):
    """Two-region short-run equilibrium for a given split of manufacturing workers (FKV 5.1–5.4).

    Y_r = μ λ_r w_r + (1 − μ)/2, G_r^(1−σ) = Σ_s λ_s (w_s T_rs)^(1−σ),
    w_r = [Σ_s Y_s T_rs^(1−σ) G_s^(σ−1)]^(1/σ), ω_r = w_r G_r^(−μ), with T_rr = 1, T_12 = T,
    λ_1 = `lam` and λ_2 = 1 − `lam`. Solved for nominal wages by damped fixed-point iteration
    (damping 0.5, starting from w = 1) until the largest wage change is below 1e-12.

    Args:
        lam: share λ of manufacturing workers in region 1, in [0, 1].
        T: iceberg trade cost T >= 1.
        sigma: elasticity of substitution σ > 1.
        mu: manufacturing expenditure share μ in (0, 1).

    Returns:
        dict with (2,) arrays `w` (nominal manufacturing wages), `G` (manufacturing price
        indices), `omega` (real wages) and the float `gap` = ω_1 − ω_2.

    Raises:
        RuntimeError: if the iteration does not converge.
    """
    wages, price_index = _solve_wages(np.array([lam], dtype=float), T, sigma, mu)
    real_wages = wages[0] * price_index[0] ** -mu
    gap = float(real_wages[0] - real_wages[1])
    return {"w": wages[0], "G": price_index[0], "omega": real_wages, "gap": gap}


def _solve_wages(shares, T, sigma, mu):
    """Equilibrium wages and price indices, (n, 2) each, for n values of λ solved together.

    Uses the freeness of trade φ_rs = T_rs^(1−σ) (Baldwin et al. 2003, "Economic Geography and
    Public Policy"), so that G_r^(1−σ) = Σ_s φ_rs λ_s w_s^(1−σ) and
    w_r^σ = Σ_s φ_rs Y_s G_s^(σ−1).
    """
    workers = np.column_stack([shares, 1 - shares])
    freeness = np.array([[1.0, T ** (1 - sigma)], [T ** (1 - sigma), 1.0]])
    wages = np.ones_like(workers)
    for _ in range(MAX_ITERATIONS):
        income = mu * workers * wages + (1 - mu) / 2
        price_index = ((workers * wages ** (1 - sigma)) @ freeness) ** (1 / (1 - sigma))
        target = ((income * price_index ** (sigma - 1)) @ freeness) ** (1 / sigma)
        if np.max(np.abs(target - wages)) < TOLERANCE:
            return target, price_index
        wages = wages + DAMPING * (target - wages)
    raise RuntimeError(f"no short-run equilibrium after {MAX_ITERATIONS} iterations (T={T})")


def real_wage_gap(lam, T, sigma, mu):
    """ω_1 − ω_2 at the short-run equilibrium for share λ = `lam` in region 1.

    `lam` may be a float (returns a float) or an array (returns an array, solved in one batch).
    Workers move towards region 1 when the gap is positive (FKV ch. 5 dynamics).
    """
    shares = np.atleast_1d(np.asarray(lam, dtype=float))
    wages, price_index = _solve_wages(shares, T, sigma, mu)
    real_wages = wages * price_index ** -mu
    gaps = real_wages[:, 0] - real_wages[:, 1]
    return float(gaps[0]) if np.ndim(lam) == 0 else gaps


def tomahawk(T_values, sigma, mu, grid_points=200):
    """Long-run equilibria of the core–periphery model over trade costs: the tomahawk diagram.

    For each T: the symmetric equilibrium λ = 1/2 (stable iff T > T_b); the two
    core–periphery equilibria λ = 0 and λ = 1 when sustainable (T < T_s), always stable; and the
    interior equilibria λ ≠ 1/2 with ω_1 = ω_2, found by brentq on each sign change of the gap
    over a grid of `grid_points` values of λ in [0, 1/2) and mirrored to 1 − λ, stable iff the
    gap falls with λ there (they are unstable in FKV's model, for T_b < T < T_s). Interior
    equilibria closer than 1/(2 · grid_points) to 1/2 or to each other can be missed.

    Args:
        T_values: iceberg trade costs T > 1 to scan.
        sigma: elasticity of substitution σ > 1.
        mu: manufacturing expenditure share μ in (0, 1).
        grid_points: resolution of the sign-change search for interior equilibria.

    Returns:
        dict of equal-length flat arrays, one entry per equilibrium: `T`, `lambda` (share of
        manufacturing in region 1) and `stable` (bool), ready for a scatter plot.
    """
    breaking, sustaining = break_point(sigma, mu), sustain_point(sigma, mu)
    rows = []
    for trade_cost in np.asarray(T_values, dtype=float):
        rows.append((trade_cost, 0.5, trade_cost > breaking))
        if trade_cost < sustaining:
            rows += [(trade_cost, 0.0, True), (trade_cost, 1.0, True)]
        for share, stable in _interior_equilibria(trade_cost, sigma, mu, grid_points):
            rows += [(trade_cost, share, stable), (trade_cost, 1 - share, stable)]
    T_column, lambda_column, stable_column = zip(*rows) if rows else ((), (), ())
    return {
        "T": np.array(T_column, dtype=float),
        "lambda": np.array(lambda_column, dtype=float),
        "stable": np.array(stable_column, dtype=bool),
    }


def _interior_equilibria(T, sigma, mu, grid_points):
    """(λ, stable) for each root of the real-wage gap strictly between 0 and 1/2."""
    grid = np.linspace(0.0, 0.5, grid_points + 1)[:-1]
    gaps = real_wage_gap(grid, T, sigma, mu)
    crossings = np.nonzero(np.sign(gaps[:-1]) * np.sign(gaps[1:]) < 0)[0]
    found = []
    for index in crossings:
        root = brentq(real_wage_gap, grid[index], grid[index + 1], args=(T, sigma, mu), xtol=1e-12)
        found.append((root, bool(gaps[index + 1] < gaps[index])))
    return found
