"""Persistent idiosyncratic productivity of each firm agent (Hopenhayn 1992).

A firm's log productivity is its entry draw (Melitz's, fixed for life, plus the gains of its own
innovations) plus a persistent component u that follows a stationary AR(1) each quarter:

    u' = rho_q u + sd_q e,   e ~ N(0, 1),

so that a firm whose productivity has fallen stays low for years, makes losses if it falls below
break-even, and fails (``exit_after``) unless a government keeps it alive on soft credit: the
structural losses that make zombies (the zombie literature's standard firm process; e.g. Caballero,
Hoshi & Kashyap 2008's congestion model, Banerjee & Hofmann 2018).

The published estimates are annual (firm-level TFP of Chinese manufacturing firms, panel AR(1)):
persistence rho_a and innovation sd sd_a. The quarterly process that gives that annual process
when sampled once a year is rho_q = rho_a^(1/4) and sd_q = sd_a sqrt((1 - rho_q^2) / (1 - rho_a^2))
(both have the stationary sd sd_a / sqrt(1 - rho_a^2)). At set-up every firm's u is drawn from the
stationary distribution and then runs :func:`burn_in` (the firm process with its failures and
replacements, in partial equilibrium), so that 2020 is the process's steady state, the firms on their
way out included, and their losses so far are their history.

``productivity_shock_sd`` is a calibration target (the total exit rate, see ``params.py``): the
published TFP innovation sds (about 0.15 a year) close far too many of the model's firms, whose revenue
moves with productivity^(sigma - 1) against thin overheads.

A firm agent is a cohort of identical enterprises: the cohort shares one u (it is one firm of the
AR(1)). Entrants start at u = 0 (the cell's mean draw, the firm whose margin the entry decision
weighs); when cohorts merge or entrants join one, the cohort's u is the mass-weighted mean of its
parts' (the AR(1) is linear, so that mean follows the same process; the joined cohort's productivity
itself is the exact CES mean of its parts').
"""

from __future__ import annotations

import numpy as np


def quarterly(persistence: float, shock_sd: float) -> tuple[float, float]:
    """(rho_q, sd_q) of the quarterly AR(1) whose yearly samples follow the AR(1) with ``persistence``
    rho_a and innovation sd ``shock_sd`` sd_a: rho_q = rho_a^(1/4), sd_q = sd_a sqrt((1 - rho_q^2) /
    (1 - rho_a^2)): the same stationary sd, and rho_q^4 = rho_a (rho_a = 0: rho_q = 0, sd_q = sd_a)."""
    if not 0.0 <= persistence < 1.0:
        raise ValueError(f"productivity_persistence: expected a number in [0, 1), got {persistence!r}")
    if shock_sd < 0.0:
        raise ValueError(f"productivity_shock_sd: expected a number >= 0, got {shock_sd!r}")
    rho = persistence ** 0.25
    return rho, shock_sd * float(np.sqrt((1.0 - rho ** 2) / (1.0 - persistence ** 2)))


def stationary_sd(rho: float, sd: float) -> float:
    """Standard deviation of the stationary distribution of u' = rho u + sd e: sd / sqrt(1 - rho^2)."""
    return sd / float(np.sqrt(1.0 - rho ** 2))


def step(u: np.ndarray, rho: float, sd: float, normals: np.ndarray) -> np.ndarray:
    """(F,) next quarter's persistent component: rho u + sd e, with ``normals`` the standard normals e."""
    return rho * u + sd * normals


def stationary_draw(rho: float, sd: float, normals: np.ndarray) -> np.ndarray:
    """(n,) draws of u from its stationary distribution N(0, sd^2 / (1 - rho^2))."""
    return stationary_sd(rho, sd) * normals


def burn_in(log_draw: np.ndarray, u: np.ndarray, cell: np.ndarray, counts: np.ndarray, threshold: np.ndarray,
            sigma: np.ndarray, rho: float, sd: float, exit_after: int, quarters: int, rng: np.random.Generator,
            redraw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2020 firms after ``quarters`` quarters of their productivity process, in partial equilibrium:
    the steady state of the firm process, whose losers 2020 contains too.

    Each quarter u takes its AR(1) step; a firm's revenue relative to its city-sector's mean is
    z^(sigma - 1) / mean z^(sigma - 1) over the cell's ``counts`` firms (z = exp(log_draw + u), at
    fixed prices and wages); it makes a loss when that is below its break-even ``threshold``; after
    ``exit_after`` consecutive losses it fails and an entrant takes its place, with a new entry draw
    ``redraw(mask)`` (the 2020 entry distribution) and u = 0 (no soft credit: a hard budget).

    Args:
        log_draw, u: (n,) entry draws and persistent components at the start (u stationary).
        cell: (n,) city-sector of each firm; counts: (cells,) firms per city-sector.
        threshold: (n,) break-even revenue over the cell mean; sigma: (n,) elasticities.
        rho, sd: the quarterly AR(1); exit_after: losses before failure; quarters: length.
        rng: the run's generator; redraw: mask -> new entry draws for the masked firms.

    Returns:
        (log_draw, u, streak): the draws, the persistent components and the consecutive loss-making
        quarters up to and including the last one.
    """
    log_draw, u = log_draw.copy(), u.copy()
    streak = np.zeros(u.size, dtype=np.int64)
    for _ in range(quarters):                   # over quarters, not firms
        u = step(u, rho, sd, rng.standard_normal(u.size))
        draw = np.exp((log_draw + u) * (sigma - 1.0))
        mean = np.bincount(cell, draw, minlength=counts.size) / np.maximum(counts, 1)
        streak = np.where(draw < threshold * mean[cell], streak + 1, 0)
        fail = streak >= exit_after
        if fail.any():
            log_draw[fail] = redraw(fail)
            u[fail] = 0.0
            streak[fail] = 0
    return log_draw, u, streak
