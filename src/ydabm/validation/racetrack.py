"""Racetrack check: does a near-uniform start break into a few evenly spaced agglomerations?

Krugman (1993) and Fujita, Krugman & Venables (1999, ch. 6) put C equal cities on a circle. With
low trade costs the uniform distribution of mobile manufacturing is unstable, and Krugman's
replicator migration dλ_i/dt = γ λ_i (ω_i − ω̄), ω̄ = Σ_j λ_j ω_j, turns a slightly perturbed uniform
start into a few agglomerations, evenly spaced. How many is set by the Fourier frequency k of the
fastest-growing perturbation of the uniform equilibrium (FKV 1999, §6.2).

The scored part is a check of the model's *market mechanisms*: the short-run equilibrium of each
distribution λ is solved with the model's goods-market functions and Krugman's closure (free
entry, markup pricing, farm wage numéraire; :func:`ydabm.validation.core_periphery.solve_locations`)
on the model's own racetrack (``build_geography("racetrack")``: neighbours ln T "hours" apart, so the
manufacturing iceberg cost between cities d steps apart is T^d). The linearisation of the real wages
at the uniform distribution, a circulant matrix, gives the predicted number of agglomerations; the
replicator from a seeded near-uniform start gives the observed number and spacing.

Separately, and labelled as such, it runs the full agent-based model of the ``racetrack`` scenario
and records the share of mobile workers by city over time; those runs are shown, not scored.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..geography import build_geography
from . import write_manifest
from .core_periphery import CityMarket, check_parameters, city_market, solve_locations

OUT = Path("results/validation/racetrack")
SCENARIO = "racetrack"
CITIES = 12
SIGMA = 5.0                        # σ of the sector table sectors_core_periphery
MU = 0.4                           # μ = 1 − agriculture_share of the racetrack scenario
TRADE_COST = 1.25                  # iceberg factor T between neighbouring cities (racetrack scenario)
ROOT_SEED = 20261128
SEEDS = 6
INITIAL_NOISE = 0.01               # log sd of the lognormal perturbation of the uniform start
AGGLOMERATION_SHARE = 1.5          # an agglomeration city holds > 1.5 × the uniform share 1/C
SPACING_TOLERANCE = 1.0            # evenly spaced: every gap within 1 city of C / count
FEW = (2, 4)                       # "a few" agglomerations: 2 to 4
MAX_SHARE_CHANGE = 0.1             # largest relative change of a city's share in one replicator step
MAX_TIME_STEP = 2.0                # largest replicator step γ·dt (1 / real wage): keeps Euler stable near uniform
SETTLED = 1e-8                     # settled when no share moves by more than this in a step
MAX_STEPS = 20_000
REPLICATOR_WAGE_TOLERANCE = 1e-10  # wage tolerance of each replicator step's equilibrium
JACOBIAN_STEP = 1e-5               # share moved to city j for the numerical Jacobian of real wages
ABM_QUARTERS = 400
ABM_RECORD_EVERY = 4               # quarters between recorded ABM distributions


@dataclass
class RacetrackCheck:
    """The outcome of one racetrack check.

    Attributes:
        params: sigma, mu, trade_cost (T between neighbours), cities, initial_noise, root_seed.
        spectrum: (C//2 + 1,) growth rate of each Fourier frequency k = 0..C/2 of the real wages at
            the uniform distribution, ∂ω/∂λ eigenvalue (real wage per unit share); k = 0 is not a
            migration (shares sum to 1).
        seeds: one row per seed: seed, agglomerations, centres, gaps, evenly_spaced, steps, time.
        final_shares: (seeds, C) settled shares λ_i of the mobile workers.
        paths: tidy λ_i(t) of the replicator runs: seed, time (γ t), city, share.
        abm: tidy shares of the agent-based runs: seed, quarter, city, share; empty when skipped.
        abm_seeds: per-seed agglomerations of the last agent-based distribution; empty when skipped.
        seconds: wall time of the market-mechanism part and of the agent-based runs, s.
    """

    params: dict
    spectrum: np.ndarray
    seeds: pd.DataFrame
    final_shares: np.ndarray
    paths: pd.DataFrame
    abm: pd.DataFrame
    abm_seeds: pd.DataFrame
    seconds: dict[str, float]

    @property
    def predicted_frequency(self) -> int:
        """The fastest-growing frequency k >= 1, or 0 when the uniform distribution is stable."""
        return predicted_frequency(self.spectrum)

    @property
    def passed(self) -> bool:
        """Every seed: a few agglomerations (:data:`FEW`), as many as predicted, evenly spaced."""
        counts = self.seeds["agglomerations"]
        return bool(counts.between(*FEW).all() and (counts == self.predicted_frequency).all()
                    and self.seeds["evenly_spaced"].all())

    def summary(self) -> dict:
        """One JSON-ready object: parameters, predicted frequency, per-seed lists and ``holds``."""
        return {**self.params, "few": list(FEW), "spacing_tolerance": SPACING_TOLERANCE,
                "agglomeration_share": AGGLOMERATION_SHARE / self.params["cities"],
                "predicted_frequency": self.predicted_frequency,
                "growth_rates": [round(float(v), 6) for v in self.spectrum],
                "seeds": self.seeds["seed"].tolist(),
                "agglomerations": self.seeds["agglomerations"].tolist(),
                "spacing": self.seeds["gaps"].tolist(),
                "evenly_spaced": self.seeds["evenly_spaced"].tolist(),
                "abm_agglomerations": self.abm_seeds["agglomerations"].tolist() if not self.abm_seeds.empty else [],
                "abm_spacing": self.abm_seeds["gaps"].tolist() if not self.abm_seeds.empty else [],
                "holds": self.passed}


# ---------------------------------------------------------------------- the market mechanisms
def racetrack_market(trade_cost: float, sigma: float, cities: int = CITIES) -> CityMarket:
    """The model's goods-market inputs on ``build_geography("racetrack")`` (T^d between cities d apart)."""
    return city_market(build_geography("racetrack", racetrack_cities=cities, trade_cost=trade_cost), sigma)


def uniform_spectrum(market: CityMarket, mu: float) -> np.ndarray:
    """Eigenvalues of the real-wage Jacobian ∂ω_i/∂λ_j at the uniform distribution, by frequency.

    The Jacobian is taken numerically from the model's short-run equilibrium, moving a share
    :data:`JACOBIAN_STEP` into each city j from all cities evenly (so shares still sum to 1). On the
    racetrack it is circulant, so its eigenvectors are the Fourier modes cos(2π k i / C) and its
    eigenvalues the discrete Fourier transform of a column (averaged over the C rotated columns).
    Near the uniform start a mode of frequency k grows at rate γ/C times its eigenvalue.

    Returns:
        (C//2 + 1,) eigenvalue of each frequency k = 0..C/2, real wage per unit share.
    """
    cities = market.weights.shape[1]
    uniform = np.full(cities, 1.0 / cities)
    moved = uniform + JACOBIAN_STEP * (np.eye(cities) - 1.0 / cities)
    real_wage = solve_locations(np.vstack([uniform, moved]), market, mu)["real_wage"]
    jacobian = (real_wage[1:] - real_wage[0]).T / JACOBIAN_STEP          # [i, j] = ∂ω_i/∂λ_j
    column = np.mean([np.roll(jacobian[:, j], -j) for j in range(cities)], axis=0)
    return np.fft.rfft(column).real


def predicted_frequency(spectrum: np.ndarray) -> int:
    """The frequency k >= 1 with the largest positive eigenvalue; 0 if none is positive (stable)."""
    growth = np.asarray(spectrum)[1:]
    return int(np.argmax(growth)) + 1 if growth.max() > 0 else 0


def near_uniform_start(seeds, cities: int = CITIES, noise: float = INITIAL_NOISE) -> np.ndarray:
    """(n, C) shares ∝ exp(ε_i), ε_i ~ N(0, noise²), one row per integer seed (its own generator)."""
    weight = np.exp(np.array([np.random.default_rng(seed).normal(0.0, noise, cities) for seed in seeds]))
    return weight / weight.sum(axis=1, keepdims=True)


def replicator(market: CityMarket, mu: float, start: np.ndarray) -> dict[str, np.ndarray]:
    """Krugman's migration dλ_i/dt = γ λ_i (ω_i − ω̄) from ``start`` until the shares settle.

    Explicit Euler steps of γ·dt = min(:data:`MAX_TIME_STEP`, :data:`MAX_SHARE_CHANGE` / max|ω − ω̄|),
    so no share changes by more than 10 % in a step; wages are warm-started from the previous step.
    An economy settles when no share moves by more than :data:`SETTLED` in a step (all occupied
    cities earn the same real wage and the others have emptied) and is then held still while the
    others finish (alone or in a batch, a seed's shares agree to about 1e-7, the wage tolerance's
    reach); all stop after :data:`MAX_STEPS` steps.

    Args:
        market: the model's goods-market inputs, :func:`racetrack_market`.
        mu: manufacturing expenditure share μ.
        start: (n, C) initial shares; the n economies move together, each with its own step.

    Returns:
        ``shares`` (steps + 1, n, C) λ_i(t), ``time`` (steps + 1, n) γ t in 1 / real wage, and
        ``steps`` (n,) the step at which each economy settled (the last step if it did not).
    """
    shares, clock, wage = [np.array(start, dtype=float)], [np.zeros(len(start))], None
    settled = np.full(len(start), -1)
    for step_number in range(1, MAX_STEPS + 1):
        current = shares[-1]
        solved = solve_locations(current, market, mu, wage, REPLICATOR_WAGE_TOLERANCE)
        wage, real_wage = solved["wage"], solved["real_wage"]
        advantage = real_wage - (current * real_wage).sum(axis=1, keepdims=True)
        largest = np.maximum(np.abs(advantage).max(axis=1, keepdims=True), 1e-300)
        step = np.where(settled[:, None] > 0, 0.0, np.minimum(MAX_TIME_STEP, MAX_SHARE_CHANGE / largest))
        moved = current + step * current * advantage
        shares.append(moved / moved.sum(axis=1, keepdims=True))
        clock.append(clock[-1] + step[:, 0])
        still = np.abs(shares[-1] - current).max(axis=1) < SETTLED
        settled = np.where((settled < 0) & still, step_number, settled)
        if (settled > 0).all():
            break
    return {"shares": np.array(shares), "time": np.array(clock),
            "steps": np.where(settled > 0, settled, len(shares) - 1)}


# ---------------------------------------------------------------------- counting and spacing
def agglomerations(shares: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Positions of the agglomerations on a circle of C cities, in city units [0, C).

    An agglomeration is a maximal run of neighbouring cities each holding more than ``threshold``
    (default :data:`AGGLOMERATION_SHARE` / C, 1.5 times the uniform share); its position is the
    share-weighted mean position of the run. A uniform distribution has none.
    """
    shares = np.asarray(shares, dtype=float)
    cities = shares.size
    above = shares > (AGGLOMERATION_SHARE / cities if threshold is None else threshold)
    if above.all():
        return np.array([])
    start = int(np.flatnonzero(~above)[0])                  # rotate so a run never wraps around
    order = (start + np.arange(cities)) % cities
    runs = np.split(order, np.flatnonzero(np.diff(above[order].astype(int)) != 0) + 1)
    centres = [start + np.average(np.arange(run[0] - start, run[0] - start + run.size) % cities,
                                  weights=shares[run]) for run in runs if above[run[0]]]
    return np.sort(np.mod(centres, cities))


def gaps(centres: np.ndarray, cities: int = CITIES) -> np.ndarray:
    """Distances (city units) from each agglomeration to the next one around the circle."""
    centres = np.sort(np.asarray(centres, dtype=float))
    if centres.size == 0:
        return centres
    return np.diff(np.append(centres, centres[0] + cities))


def evenly_spaced(gap: np.ndarray, tolerance: float = SPACING_TOLERANCE) -> bool:
    """Every gap within ``tolerance`` cities of the even spacing C / count (false with no agglomeration)."""
    gap = np.asarray(gap, dtype=float)
    return bool(gap.size > 0 and np.abs(gap - gap.sum() / gap.size).max() <= tolerance + 1e-9)


def seed_table(seeds, final: np.ndarray, steps=None, clock=None) -> pd.DataFrame:
    """One row per seed: agglomeration count, centres and gaps (city units), evenly_spaced."""
    rows = []
    for k, (seed, shares) in enumerate(zip(seeds, final)):
        centres = agglomerations(shares)
        gap = gaps(centres, shares.size)
        row = {"seed": int(seed), "agglomerations": int(centres.size), "centres": np.round(centres, 3).tolist(),
               "gaps": np.round(gap, 3).tolist(), "evenly_spaced": evenly_spaced(gap)}
        if steps is not None:
            row.update(steps=int(steps[k]), time=float(clock[k]))
        rows.append(row)
    return pd.DataFrame(rows)


def replicate_seeds(count: int, root: int = ROOT_SEED) -> list[int]:
    """``count`` integer seeds from ``SeedSequence(root).spawn(count)``."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(root).spawn(count)]


# ---------------------------------------------------------------------- the agent-based runs
def abm_shares(seeds, quarters: int = ABM_QUARTERS, every: int = ABM_RECORD_EVERY) -> pd.DataFrame:
    """Shares of the mobile workers (``labour_force[:, 1:]``) by city from full agent-based runs of
    the ``racetrack`` scenario, recorded every ``every`` quarters and at the last one.

    Returns:
        tidy rows: seed, quarter (0 = start), city, share.
    """
    from ..model import YRDModel
    from ..scenarios import load_scenario

    params = load_scenario(SCENARIO).params()
    frames = []
    for seed in seeds:
        model = YRDModel(**params, rng=seed)
        for quarter in range(quarters + 1):
            if quarter:
                model.step()
            if quarter % every == 0 or quarter == quarters:
                mobile = model.labour_force[:, 1:].sum(axis=1).astype(float)
                frames.append(pd.DataFrame({"seed": seed, "quarter": quarter, "city": np.arange(mobile.size),
                                            "share": mobile / mobile.sum()}))
    return pd.concat(frames, ignore_index=True)


def _last_distribution(abm: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    last = abm[abm["quarter"] == abm["quarter"].max()]
    table = last.pivot(index="seed", columns="city", values="share").reindex(pd.unique(last["seed"]))
    return table.index.tolist(), table.to_numpy()


# ---------------------------------------------------------------------- the check
def check_racetrack(sigma: float = SIGMA, mu: float = MU, trade_cost: float = TRADE_COST, seeds: int = SEEDS,
                    noise: float = INITIAL_NOISE, abm: bool = True, quarters: int = ABM_QUARTERS,
                    root: int = ROOT_SEED) -> RacetrackCheck:
    """Predicted and observed agglomerations of the market-mechanism racetrack, and (optionally)
    the agent-based runs of the ``racetrack`` scenario.

    Raises:
        ParameterError: if (σ, μ) violates σ > 1, 0 < μ < 1 or the no-black-hole condition.
    """
    check_parameters(sigma, mu)
    started = time.perf_counter()
    seed_list = replicate_seeds(seeds, root)
    market = racetrack_market(trade_cost, sigma)
    spectrum = uniform_spectrum(market, mu)
    run = replicator(market, mu, near_uniform_start(seed_list, noise=noise))
    shares, clock, steps = run["shares"], run["time"], run["steps"]
    table = seed_table(seed_list, shares[-1], steps, clock[steps, np.arange(len(steps))])
    seconds = {"market": time.perf_counter() - started}
    started = time.perf_counter()
    abm_frame, abm_table = pd.DataFrame(), pd.DataFrame()
    if abm:
        abm_frame = abm_shares(seed_list, quarters)
        abm_table = seed_table(*_last_distribution(abm_frame))
    seconds["abm"] = time.perf_counter() - started
    params = {"sigma": sigma, "mu": mu, "trade_cost": trade_cost, "cities": CITIES, "initial_noise": noise,
              "root_seed": root}
    return RacetrackCheck(params, spectrum, table, shares[-1], _tidy_paths(seed_list, shares, clock),
                          abm_frame, abm_table, seconds)


def _tidy_paths(seeds, shares: np.ndarray, clock: np.ndarray) -> pd.DataFrame:
    steps, count, cities = shares.shape
    return pd.DataFrame({"seed": np.tile(np.repeat(seeds, cities), steps),
                         "time": np.repeat(clock.ravel(), cities),
                         "city": np.tile(np.arange(cities), steps * count),
                         "share": shares.ravel()})


def write_check(check: RacetrackCheck, out: Path) -> None:
    """Write ``summary.json``, ``final_shares.csv``, ``abm_shares.csv`` (if run), ``racetrack.png``
    and ``manifest.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(check.summary(), indent=2))
    final = pd.DataFrame(check.final_shares, columns=[f"city_{i}" for i in range(check.final_shares.shape[1])])
    final.insert(0, "seed", check.seeds["seed"])
    final.insert(1, "source", "market")
    if not check.abm.empty:
        seeds, shares = _last_distribution(check.abm)
        abm_final = pd.DataFrame(shares, columns=final.columns[2:]).assign(seed=seeds, source="abm")
        final = pd.concat([final, abm_final[final.columns]], ignore_index=True)
        check.abm.to_csv(out / "abm_shares.csv", index=False)
    final.to_csv(out / "final_shares.csv", index=False)
    racetrack_figure(check, out / "racetrack.png")
    write_manifest(out, "racetrack", **{
        **check.params, "scenario": SCENARIO, "seeds": check.seeds["seed"].tolist(),
        "abm_quarters": int(check.abm["quarter"].max()) if not check.abm.empty else 0,
        "wall_time_s": {k: round(v, 3) for k, v in check.seconds.items()}})


# ---------------------------------------------------------------------- the figure
def racetrack_figure(check: RacetrackCheck, path: Path) -> None:
    """Top: settled shares around the circle per seed (polar bars) and λ_i(t) of the first seed.
    Bottom (if run): the agent-based distributions after the last quarter and shares over time."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with_abm = not check.abm.empty
    count = len(check.seeds)
    fig = plt.figure(figsize=(3.0 * count + 5, 7.6 if with_abm else 4.2), constrained_layout=True)
    grid = fig.add_gridspec(2 if with_abm else 1, count + 2)
    for k, row in check.seeds.iterrows():
        _polar(fig.add_subplot(grid[0, k], projection="polar"), check.final_shares[k],
               f"seed {row['seed'] % 10_000}: {row['agglomerations']}\ngaps {row['gaps']}")
    _paths_panel(fig.add_subplot(grid[0, count:]), check.paths, "time", "replicator time γt",
                 f"Market mechanisms: λ_i(t), seed {check.seeds['seed'].iloc[0] % 10_000}")
    if with_abm:
        seeds, shares = _last_distribution(check.abm)
        for k, row in check.abm_seeds.iterrows():
            _polar(fig.add_subplot(grid[1, k], projection="polar"), shares[k],
                   f"ABM seed {row['seed'] % 10_000}: {row['agglomerations']}\ngaps {row['gaps']}")
        _paths_panel(fig.add_subplot(grid[1, count:]), check.abm, "quarter", "quarter",
                     f"Agent-based model: mobile shares by city, seed {seeds[0] % 10_000}")
    p = check.params
    fig.suptitle(f"Racetrack, {p['cities']} cities: σ = {p['sigma']:g}, μ = {p['mu']:g}, T = {p['trade_cost']:g} "
                 f"per neighbour; predicted frequency k = {check.predicted_frequency}; "
                 f"agglomeration = city with > {AGGLOMERATION_SHARE:g}/C of the mobile workers")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _polar(ax, shares: np.ndarray, title: str) -> None:
    cities = shares.size
    angles = 2 * np.pi * np.arange(cities) / cities
    ax.bar(angles, shares, width=2 * np.pi / cities * 0.8, color="#1f4e79")
    ax.plot(np.append(angles, 0.0), np.full(cities + 1, AGGLOMERATION_SHARE / cities), color="#b03a2e", lw=0.8)
    ax.set_xticks(angles, [str(i) for i in range(cities)], fontsize=6)
    ax.set_yticklabels([])
    ax.set_title(title, fontsize=8)


def _paths_panel(ax, frame: pd.DataFrame, clock: str, label: str, title: str) -> None:
    first = frame[frame["seed"] == frame["seed"].iloc[0]]
    for city, path in first.groupby("city"):
        ax.plot(path[clock], path["share"], lw=1, label=str(city))
    ax.axhline(1.0 / first["city"].nunique(), color="grey", ls=":", lw=1)
    ax.set(xlabel=label, ylabel="share of mobile workers λ_i", title=title)
    ax.title.set_fontsize(9)
    ax.legend(fontsize=6, ncol=2, title="city", title_fontsize=6)
