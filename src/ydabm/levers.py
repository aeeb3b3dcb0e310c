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

    The administrative levers are per province (P provinces, in the order of
    ``Geography.province_names``); :mod:`ydabm.frictions` turns them into trade and migration costs.

    Attributes:
        barrier: (P,) administrative barrier of each province in [0, 1] (border effect, local
            protection, hukou cost).
        hukou_penalty: (P,) hukou utility penalty of each province at barrier = 1 (log-utility): what
            living there costs a worker with another province's hukou, before the barrier scales it.
        protection: (P, P) multiplier on the local-protection wedge that cities of importer province a
            (row) put on goods from cities of exporter province b (column); 1 = the wedge of a's barrier.
        liberalised: (C,) cities that removed local protection of their own markets.
        rd_subsidy: share of firms' R&D spending paid by their city government.
        adoption_subsidy: share of traditional firms' digital adoption cost paid by their government.
        rd_fund_share: budget of the joint regional R&D fund, share of the region's GDP (0: none).
        rd_fund_pooled: the fund is one regional pool (1) or each city's own (0).
        knowledge_open: knowledge crosses provincial borders without friction (a science and
            technology community; :func:`ydabm.frictions.knowledge_weights`).
        specialization: weight governments put on comparative advantage when they choose their targets
            (the parameter ``specialization`` at t = 0; ``SpecializationPath`` moves it).
        roles: (C, S) extra target score from an assigned division of labour, or None.
        coordinated: a regional body allocates every city's support along comparative advantage
            (its score is the comparative-advantage term alone).
        tax_sharing: share of every city's taxes pooled by the region and paid back in proportion
            to the cities' 2020 taxes (gains from coordination shared; 0 = none).
        saving_rate: share of household income saved this quarter (a demand shock).
        dissaving_share: share of accumulated savings spent this quarter.
        mobility_frozen: nobody reconsiders where to live, until it is lifted (the burn-in, the
            synthetic worlds' checks of immobile labour).
        moves_halted: nobody reconsiders where to live this quarter (a lockdown).
        absent: (C,) share of each city's labour force who cannot work this quarter (a supply shock,
            e.g. a lockdown): the employed among them stay employed and paid, the job seekers among
            them cannot be hired.
        import_supply: (S,) share of input orders from abroad that arrive, by input sector (empty:
            all; an external supply shock cuts it).
        freight_delay: (C,) extra trade cost on goods shipped to or from each city in the region's
            goods market, as a factor on the iceberg cost (0: none; a lockdown slows freight through
            a city's links; purchases from the rest of China and abroad bear none).
        relief: (C,) share of its quarter's loss the banks of each city lend a firm whose workers a
            lockdown keeps away this quarter (:func:`ydabm.mechanisms.accounts.relief_credit`; empty
            or 0: none, owners carry the loss).
    """

    barrier: np.ndarray
    hukou_penalty: np.ndarray
    protection: np.ndarray
    liberalised: np.ndarray
    rd_subsidy: float
    adoption_subsidy: float
    knowledge_open: bool = False
    specialization: float = 0.5
    roles: np.ndarray | None = None
    coordinated: bool = False
    tax_sharing: float = 0.0
    saving_rate: float = 0.0
    dissaving_share: float = 0.0
    mobility_frozen: bool = False
    moves_halted: bool = False
    absent: np.ndarray = field(default_factory=lambda: np.zeros(0))
    import_supply: np.ndarray = field(default_factory=lambda: np.zeros(0))
    freight_delay: np.ndarray = field(default_factory=lambda: np.zeros(0))
    relief: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rd_fund_share: float = 0.0
    rd_fund_pooled: int = 1

    @classmethod
    def initial(cls, params: Params, cities: int, provinces: int) -> Levers:
        """The levers at t = 0: the run's parameter values in every province, no shock in force."""
        return cls(barrier=np.full(provinces, params.barrier), hukou_penalty=np.full(provinces, params.hukou_penalty),
                   protection=np.ones((provinces, provinces)), liberalised=np.zeros(cities, dtype=bool),
                   rd_subsidy=params.rd_subsidy, adoption_subsidy=params.adoption_subsidy,
                   specialization=params.specialization, absent=np.zeros(cities),
                   rd_fund_share=params.rd_fund_share, rd_fund_pooled=params.rd_fund_pooled)

    def clear_shocks(self, cities: int) -> None:
        """No shock in force: what every quarter starts from, before the policies act
        (:meth:`ydabm.model.YRDModel.step`). The shock levers (``absent``, ``freight_delay``,
        ``relief``, ``import_supply``, ``saving_rate``, ``dissaving_share``, ``moves_halted``) hold
        for one quarter; a shock sets them in the quarters it lasts and leaves them alone in the others,
        so shocks in different quarters do not undo each other (:func:`ydabm.policies.check_combination`
        refuses shocks that overlap). The other levers hold until a policy moves them."""
        self.absent = np.zeros(cities)
        self.freight_delay = np.zeros(0)
        self.relief = np.zeros(0)
        self.import_supply = np.zeros(0)
        self.saving_rate = 0.0
        self.dissaving_share = 0.0
        self.moves_halted = False

    @property
    def mean_barrier(self) -> float:
        """The simple (unweighted) mean of the provinces' barriers: one number for displays (no
        mechanism reads it)."""
        return float(self.barrier.mean())
