"""Migration: a logit (random-utility) choice of city by workers who reconsider where to live.

The utility of living in j for a worker now in i with hukou province h and skill k is

    u = ln(expected real income_jk) + amenity_j - move_cost * 1[j != i] - cost_per_hour * hours_ij
        - hukou_cost_j * 1[province_j != h]

where hukou_cost_j = barrier * hukou_penalty of j's province (:mod:`ydabm.frictions`: the destination's
rules bind), with expected real income = (wage * employment rate + benefit * unemployment rate) deflated by the
cost of living P_j^(1 - housing_share) * H_j^housing_share (McFadden 1974; the quantitative
spatial-economics form of Redding & Rossi-Hansberg 2017). The hukou term is a flow cost of living
outside one's registration province (no access to local public services).
"""

from __future__ import annotations

import numpy as np

from ..params import ParameterError


def location_utility(log_income: np.ndarray, amenity: np.ndarray, hours: np.ndarray,
                     move_cost: float, move_cost_per_hour: float, hukou_cost: float | np.ndarray,
                     city_province: np.ndarray, hukou_groups: int) -> np.ndarray:
    """Utility of each destination for every (origin, hukou group, skill) cell.

    Args:
        log_income: (C, K) log expected real income by city and skill.
        amenity: (C,) calibrated amenity (log units).
        hours: (C, C) travel time, hours.
        move_cost: fixed cost of moving (log-utility).
        move_cost_per_hour: cost per hour of travel.
        hukou_cost: (C,) utility cost of living in j for a worker whose hukou is not j's province
            (barrier * hukou_penalty of j's province, log-utility), or one value for every city.
        city_province: (C,) province id of each city.
        hukou_groups: number of hukou groups H (provinces, plus one for outside the region).

    Returns:
        (C, H, K, C) utility of destination j (last axis), stored as (k, j, h, i) in memory: the
        reductions over the destinations (:func:`choice_probabilities`) then run over whole (h, i) blocks,
        one destination after another, in the order they took in the layout numpy gave the expression
        before, (i, h, j, k), where each step of a reduction was a pass over the K classes (0.6 ms a
        quarter at 1e6 workers for a table of 16,000 numbers, against 0.15 ms now; the same numbers).
    """
    cities = hours.shape[0]
    moving = move_cost * (1.0 - np.eye(cities)) + move_cost_per_hour * hours            # (i, j)
    outside = city_province[None, :] != np.arange(hukou_groups)[:, None]                # (h, j)
    place = (log_income + amenity[:, None]).T                                           # (k, j)
    hukou = np.broadcast_to(np.asarray(hukou_cost, dtype=float), (cities,))            # (j,)
    utility = np.empty((place.shape[0], cities, hukou_groups, cities)).transpose(3, 2, 0, 1)   # (k, j, h, i) in memory
    np.subtract(place[None, None, :, :], moving[:, None, None, :], out=utility)
    utility -= hukou[None, None, None, :] * outside[None, :, None, :]
    return utility


def choice_probabilities(utility: np.ndarray, elasticity: float) -> np.ndarray:
    """Logit choice probabilities over the last axis: softmax(beta * u)."""
    scaled = elasticity * utility
    scaled -= scaled.max(axis=-1, keepdims=True)
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def draw_destinations(cumulative: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of one destination per mover.

    Args:
        cumulative: (n, C) cumulative choice probabilities of each mover's cell.
        uniforms: (n,) uniform draws from the model's generator.
    """
    return (uniforms[:, None] > cumulative).sum(axis=1).clip(max=cumulative.shape[1] - 1)


def draw_from_cells(cumulative: np.ndarray, cell: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """``draw_destinations(cumulative[cell], uniforms)`` without gathering a row per mover.

    Each row of ``cumulative`` (cells, C) is non-decreasing, so the number of its entries below a
    uniform is found by bisection over the columns (log2 C rounds of one gather per mover, in a
    table padded with +inf to a power of two). Falls back to :func:`draw_destinations` when a row
    is not non-decreasing (e.g. holds a nan).

    Args:
        cumulative: (cells, C) cumulative choice probabilities of each origin cell.
        cell: (n,) row of ``cumulative`` of each mover.
        uniforms: (n,) uniform draws from the model's generator.
    """
    cells, cities = cumulative.shape
    if cities == 0 or not (cumulative[:, 1:] >= cumulative[:, :-1]).all():
        return draw_destinations(cumulative[cell], uniforms)
    width = 1 << int(cities).bit_length()              # > cities: the padding is never below a uniform
    table = np.full((cells, width), np.inf)
    table[:, :cities] = cumulative
    flat = table.ravel()
    # count = the number of entries below the uniform, built bit by bit from the highest
    count = np.asarray(cell, dtype=np.intp) * width
    step = width >> 1
    while step:
        count += step * (np.take(flat, count + (step - 1)) < uniforms)
        step >>= 1
    count -= np.asarray(cell, dtype=np.intp) * width
    return count.clip(max=cities - 1)


# Continuation in the elasticity: start where beta times the utility range of a choice is this many
# logit units (the potential is then smooth on the scale of the solution), multiply beta by at most
# _STAGE_RATIO a stage, and solve the intermediate stages to _STAGE_TOLERANCE only.
_START_LOGITS = 20.0
_STAGE_RATIO = 2.0
_STAGE_TOLERANCE = 1e-3
_FIRST_RADIUS = 4.0            # logit units: the first trust region of each stage


def invert_amenity(log_income: np.ndarray, counts: np.ndarray, target: np.ndarray,
                   hours: np.ndarray, move_cost: float, move_cost_per_hour: float,
                   hukou_cost: float, city_province: np.ndarray, elasticity: float,
                   tolerance: float = 1e-10, max_rounds: int = 1000) -> np.ndarray:
    """Invert amenities so that the logit choices of all mobile workers deliver ``target`` arrivals.

    Solves sum_{i,h,k} L_ihk * pi_j|ihk(amenity) = target_j for the amenity vector (normalised to
    mean zero), as quantitative spatial models invert amenities from observed populations
    (target = the current populations gives stationary ones). The arrivals are the gradient of the
    convex potential F(a) = sum_c L_c / beta * logsumexp(beta * (u_c + a)) - target . a, whose
    Hessian is beta times the graph Laplacian of the expected flows between cities. Every positive
    target that sums to the mobile workers is reached (the logit gives every destination a positive
    share), and the solution is unique up to the common shift along which F is flat.

    Each round is a Newton step on the subspace orthogonal to the common shift, damped
    (Levenberg-Marquardt, i.e. a trust region, Moré 1983) and accepted by the actual against the
    predicted fall of F (:func:`_newton_rounds`). When beta times the utility range of a choice is
    large the potential is nearly piecewise linear (as beta -> infinity it is the dual of an
    assignment problem): choice probabilities are 0 or 1 to machine precision far from the solution
    and the Hessian is singular there. The elasticity is then raised in stages from a smooth start,
    each stage starting from the amenities of the one before (epsilon scaling, as for entropic
    optimal transport); below that threshold (the baseline) beta is solved directly.

    Args:
        log_income: (C, K) log expected real income at t = 0.
        counts: (C, H, K) mobile workers by origin, hukou group and skill.
        target: (C,) arrivals to reach (mobile workers per city; sums to counts.sum()).
        tolerance: largest |log target_j - log arrivals_j| accepted.
        max_rounds: Newton rounds allowed per elasticity stage.

    Raises:
        ParameterError: when the target cannot be reached (it does not sum to the mobile workers or
            is not positive), the inputs are not finite, or the solver does not converge; the message
            names the parameters involved.
    """
    cities = hours.shape[0]
    settings = (f"migration_elasticity = {elasticity:g}, move_cost = {move_cost:g}, "
                f"move_cost_per_hour = {move_cost_per_hour:g}, barrier * hukou_penalty = {hukou_cost:g}")
    if not (np.isfinite(elasticity) and elasticity > 0):
        raise ParameterError(f"migration_elasticity: must be positive and finite to invert amenities, got {elasticity!r}")
    base = location_utility(log_income, np.zeros(cities), hours, move_cost, move_cost_per_hour,
                            hukou_cost, city_province, counts.shape[1]).reshape(-1, cities)
    weight = np.asarray(counts, dtype=float).ravel()
    live = weight > 0
    base, weight = base[live], weight[live]
    total = weight.sum()
    target = np.asarray(target, dtype=float)
    if not (total > 0 and np.isfinite(total)):
        raise ParameterError("people_per_agent: no mobile workers to place when inverting amenities")
    if not np.all(np.isfinite(base)):
        raise ParameterError(f"move_cost, move_cost_per_hour, hukou_penalty: location utilities (log income less "
                             f"moving and hukou costs) are not finite ({settings})")
    if target.shape != (cities,) or not np.all(np.isfinite(target)) or target.min() <= 0:
        raise ParameterError("migrant_inflow_rate, reconsider_rate: target arrivals must be positive and finite in "
                             f"every city to invert amenities (smallest {np.min(target):g})")
    if abs(np.log(target.sum() / total)) > tolerance:
        raise ParameterError(
            f"migrant_inflow_rate, reconsider_rate: target arrivals sum to {target.sum():.6g} but there are "
            f"{total:.6g} mobile workers to place, and the logit places each worker exactly once (the t = 0 net "
            "migration, migrant_inflow_rate / 4 of the net migrant stock a quarter, must be deliverable by the "
            "share reconsider_rate of mobile workers who reconsider: lower migrant_inflow_rate or raise "
            "reconsider_rate)")
    share = target / target.sum()                # the region is closed: arrivals sum to the workers
    weight = weight / total
    spread = (base.max(axis=1) - base.min(axis=1)).max()
    start = min(elasticity, _START_LOGITS / spread) if spread > 0 else elasticity
    steps = int(np.ceil(np.log(elasticity / start) / np.log(_STAGE_RATIO) - 1e-9))
    stages = np.geomspace(start, elasticity, 1 + max(steps, 0))
    stages[-1] = elasticity
    amenity = np.zeros(cities)
    for stage, beta in enumerate(stages):
        goal = tolerance if stage == stages.size - 1 else max(tolerance, _STAGE_TOLERANCE)
        x, _, residual = _newton_rounds(beta * base, weight, share, beta * amenity, goal, max_rounds)
        amenity = x / beta
    amenity = amenity - amenity.mean()
    if not residual < tolerance:
        raise ParameterError(
            f"migration_elasticity, move_cost, move_cost_per_hour, hukou_penalty: amenity inversion did not reach "
            f"the target arrivals (largest log gap {residual:.3g} > {tolerance:g} after {max_rounds} rounds) at "
            f"{settings}")
    return amenity


def _newton_rounds(scaled: np.ndarray, weight: np.ndarray, share: np.ndarray, x: np.ndarray,
                   tolerance: float, max_rounds: int) -> tuple[np.ndarray, int, float]:
    """Minimise G(x) = sum_c w_c logsumexp(v_c + x) - share . x by damped Newton steps.

    The gradient is arrivals - share and the Hessian the Laplacian of the expected flows
    sum_c w_c pi_ci pi_cj between cities (built from the off-diagonal flows, so its diagonal suffers
    no cancellation when probabilities are near 0 or 1). Each round solves the Newton system in the
    eigenbasis of the Hessian restricted to the subspace orthogonal to the common shift, with the
    Levenberg-Marquardt damping that keeps the step within a trust region, and accepts the step if
    G falls by at least a small part of what the quadratic model predicts; the region doubles after
    good full-length steps and shrinks after poor ones.

    Args:
        scaled: (n, C) beta * utility of each destination for each live cell (logit units).
        weight: (n,) cell shares of the mobile workers (sum to one).
        share: (C,) target arrival shares (sum to one).
        x: (C,) starting beta * amenity.
        tolerance: largest |log share_j - log arrivals_j| accepted.
        max_rounds: rounds before giving up.

    Returns:
        (x normalised to mean zero, rounds taken, largest log gap reached).
    """
    cities = share.size
    log_share = np.log(share)
    basis = np.linalg.qr(np.ones((cities, 1)), mode="complete")[0][:, 1:]   # orthogonal to the shift

    def choices(point):
        z = scaled + point
        log_sum = z.max(axis=1)
        log_sum += np.log(np.exp(z - log_sum[:, None]).sum(axis=1))
        return np.exp(z - log_sum[:, None]), log_sum

    def rise(point, step, chance, log_sum, gradient):
        """G(point + step) - G(point), without cancellation when the step is small."""
        if np.abs(step).max() > 1.0:
            return weight @ (choices(point + step)[1] - log_sum) - share @ step
        # log sum_j pi_j e^s_j = E[s] + log(1 + sum_j pi_j (e^d_j - 1 - d_j)), d = s - E[s]
        spread = step[None, :] - (chance @ step)[:, None]
        second = np.where(np.abs(spread) < 1e-3,
                          spread ** 2 * (0.5 + spread * (1 / 6 + spread * (1 / 24 + spread / 120))),
                          np.expm1(spread) - spread)
        return gradient @ step + weight @ np.log1p((chance * second).sum(axis=1))

    x = x - x.mean()
    radius = _FIRST_RADIUS
    for rounds in range(max_rounds + 1):
        chance, log_sum = choices(x)
        arrivals = weight @ chance
        with np.errstate(divide="ignore"):
            residual = np.abs(log_share - np.log(arrivals)).max()
        if residual < tolerance or rounds == max_rounds:
            break
        gradient = arrivals - share
        flows = (chance * weight[:, None]).T @ chance
        np.fill_diagonal(flows, 0.0)
        hessian = np.diag(flows.sum(axis=1)) - flows
        curvature, vectors = np.linalg.eigh(basis.T @ hessian @ basis)
        slope = vectors.T @ (basis.T @ gradient)
        # eigenvalues below rounding are zero: damping, not their noise, then bounds the step
        curvature = np.maximum(curvature, max(curvature[-1] * 1e-14, 1e-30))
        damping = 0.0
        for _ in range(50):
            # Newton on 1 / ||step(damping)||, concave and increasing: rises monotonically to the radius
            part = slope / (curvature + damping)
            length = np.linalg.norm(part)
            if length <= 1.01 * radius:
                break
            damping += length * (length - radius) / (radius * (part ** 2 / (curvature + damping)).sum() / length)
        coefficient = -slope / (curvature + damping)
        step = basis @ (vectors @ coefficient)
        predicted = slope @ coefficient + 0.5 * (curvature * coefficient ** 2).sum()
        quality = rise(x, step, chance, log_sum, gradient) / predicted if predicted < 0 else 0.0
        if quality > 1e-4:
            x = x + step
            x -= x.mean()
        length = np.linalg.norm(step)
        if quality < 0.25:
            radius = 0.25 * length
        elif quality > 0.75 and length > 0.99 * radius:
            radius = 2.0 * radius
    return x, rounds, residual
