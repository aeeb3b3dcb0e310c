"""The levers policies move during a run, kept in one place.

Parameters are fixed for a run (:class:`ydabm.params.Params`); a policy or shock changes only the
fields of :class:`Levers` (through the model's setters, which also refresh what is derived from them,
such as the trade frictions). Mechanisms read a lever from here and nowhere else, so no stale copy
can exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .params import Params


@dataclass
class Levers:
    """Policy levers and shocks in force this quarter.

    Attributes:
        barrier: administrative barrier in [0, 1] (border effect, local protection, hukou cost).
        liberalised: (C,) cities that removed local protection of their own markets.
        digital_spillover: productivity gain of traditional sectors per unit of nearby digital share.
        roles: (C, S) extra target score from an assigned division of labour, or None.
        saving_rate: share of household income saved this quarter (a demand shock).
        dissaving_share: share of accumulated savings spent this quarter.
        mobility_frozen: nobody reconsiders where to live this quarter.
        absent: (C,) share of each city's employed workers who cannot work this quarter (a supply
            shock, e.g. a lockdown); they stay employed and paid.
    """

    barrier: float
    liberalised: np.ndarray
    digital_spillover: float
    roles: np.ndarray | None = None
    saving_rate: float = 0.0
    dissaving_share: float = 0.0
    mobility_frozen: bool = False
    absent: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def initial(cls, params: Params, cities: int) -> Levers:
        """The levers at t = 0: the run's parameter values, no shock in force."""
        return cls(barrier=params.barrier, liberalised=np.zeros(cities, dtype=bool),
                   digital_spillover=params.digital_spillover, absent=np.zeros(cities))
