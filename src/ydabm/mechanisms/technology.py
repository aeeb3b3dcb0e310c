"""Technology: trend productivity growth by sector and digital spillovers to traditional sectors.

Trend TFP grows at each sector's yearly rate (configs/sectors.toml) times ``tfp_growth_scale``,
applied quarterly. Once a year a traditional sector's productivity in city c is multiplied by
(1 + spillover * access_c) / (1 + spillover_0 * access_c,0), where access is the distance-weighted
digital-economy employment share around the city (decay exp(-hours / reach)); 1 at t = 0.
"""

from __future__ import annotations

import numpy as np


def trend_tfp(tfp: np.ndarray, growth: np.ndarray, scale: float) -> np.ndarray:
    """(S,) trend TFP after one quarter."""
    return tfp * (1.0 + growth * scale) ** 0.25


def digital_access(employment: np.ndarray, digital: np.ndarray, hours: np.ndarray, reach: float) -> np.ndarray:
    """(C,) distance-weighted digital-economy employment share around each city."""
    if not digital.any():
        return np.zeros(hours.shape[0])
    share = employment[:, digital].sum(axis=1) / np.maximum(employment.sum(axis=1), 1e-300)
    decay = np.exp(-hours / reach)
    return decay @ share / decay.sum(axis=1)


def digital_multiplier(access: np.ndarray, access0: np.ndarray, spillover: float, spillover0: float,
                       traditional: np.ndarray) -> np.ndarray:
    """(C, S) productivity factor of traditional sectors from digital spillovers (1 elsewhere)."""
    gain = (1 + spillover * access) / (1 + spillover0 * access0)
    return np.where(traditional[None, :], gain[:, None], 1.0)
