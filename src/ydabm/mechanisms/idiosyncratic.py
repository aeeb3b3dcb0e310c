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
stationary distribution, so the cross-section of u is stationary from t = 0.

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


def backward_paths(u0: np.ndarray, rho: float, sd: float, normals: np.ndarray) -> np.ndarray:
    """(n, Q) the persistent component in the Q quarters before t = 0, given its value ``u0`` at t = 0:
    a stationary Gaussian AR(1) is time-reversible, so u_{-k} = rho u_{-k+1} + sd e_k (``normals``
    (n, Q) the e_k). Column k - 1 is quarter -k."""
    paths = np.empty(normals.shape)
    previous = u0
    for k in range(normals.shape[1]):           # over quarters (12), not firms
        previous = rho * previous + sd * normals[:, k]
        paths[:, k] = previous
    return paths
