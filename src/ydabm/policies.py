"""Shocks and policies: small objects injected into the model (BeforeIT ``shocks.jl``).

Each has ``on_step(model)``, called at the start of every quarter before any mechanism runs, and
changes only the model's levers (:class:`ydabm.levers.Levers`, through the model's setters where
something derives from them: ``set_barrier``, ``liberalise``, ``set_geography``). Mechanisms never
ask which scenario runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .geography.world import upgrade_links
from .params import ParameterError


@dataclass
class BarrierPath:
    """Integration: ``barrier`` moves linearly to ``target`` between two calendar years.

    Args:
        start_year: first year of the change (the barrier is unchanged before its first quarter).
        end_year: year by whose first quarter the barrier reaches ``target``.
        target: final barrier in [0, 1].
    """

    start_year: int
    end_year: int
    target: float = 0.0
    _initial: float | None = field(default=None, repr=False)

    def on_step(self, model) -> None:
        if model.year < self.start_year:
            return
        if self._initial is None:
            self._initial = model.levers.barrier
        span = max((self.end_year - self.start_year) * 4, 1)
        done = min(((model.year - self.start_year) * 4 + model.quarter) / span, 1.0)
        model.set_barrier(self._initial + (self.target - self._initial) * done)


@dataclass
class CovidShock:
    """A COVID-style shock to supply and demand, quarter by quarter from ``start_year``
    Q``start_quarter``.

    In its k-th quarter a share ``absent[k]`` of every city's employed workers cannot work (they stay
    employed and paid; their firms produce less), households save ``demand_drop[k]`` of their income
    (which lowers the next quarter's spending: the money stays out of circulation until it is
    released), and nobody moves while any worker is absent. Afterwards the savings are spent evenly
    over ``recovery_quarters`` quarters. The shares are the same in every city: no city-level data
    on 2020 absences are shipped (shanghai_2022.csv is the 2022 Shanghai lockdown, another episode).

    Defaults: the least-squares fit of ``ydabm.validation.covid.calibrate`` (3 seeds, default scale)
    of the shock's quarterly deviation from the no-shock path to China's 2020 path read as a
    deviation from its 2019 growth of 6 % (-6.8 %, +3.2 %, +4.9 %, +6.5 % y/y), see
    docs/validation.md. The fit uses only absences (the share of workers who could not work fell from
    12 % in the first quarter to 7 % and 5.5 %); any saving would lower every later quarter.
    ``ydabm validate covid`` re-runs this path: Q1-Q3 match within 0.1 pp, Q4 falls 1.4 pp short.
    """

    start_year: int
    start_quarter: int = 1
    # calibrated by ydabm.validation.covid.calibrate (see the docstring and docs/validation.md)
    absent: list[float] = field(default_factory=lambda: [0.121, 0.072, 0.055, 0.0])
    demand_drop: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    recovery_quarters: int = 4

    def __post_init__(self) -> None:
        for name in ("absent", "demand_drop"):
            values = getattr(self, name)
            if not isinstance(values, list) or not all(isinstance(v, (int, float)) and 0 <= v < 1 for v in values):
                raise ParameterError(f"CovidShock.{name}: expected a list of shares in [0, 1), got {values!r}")

    def on_step(self, model) -> None:
        elapsed = (model.year - self.start_year) * 4 + (model.quarter - (self.start_quarter - 1))
        quarters = max(len(self.absent), len(self.demand_drop))
        active = 0 <= elapsed < quarters
        absent = self.absent[elapsed] if active and elapsed < len(self.absent) else 0.0
        levers = model.levers
        levers.absent = np.full(model.geography.count, absent)
        levers.saving_rate = self.demand_drop[elapsed] if active and elapsed < len(self.demand_drop) else 0.0
        levers.mobility_frozen = absent > 0
        recovering = quarters <= elapsed < quarters + self.recovery_quarters
        levers.dissaving_share = 1.0 / (quarters + self.recovery_quarters - elapsed) if recovering else 0.0


@dataclass
class NetworkUpgrade:
    """Network upgrades: rail lines opened after 2020 (configs/network_upgrades.csv) join the
    network in the first quarter of their opening year, up to ``until_year``."""

    until_year: int = 2024
    _added: int = field(default=2020, repr=False)

    def on_step(self, model) -> None:
        year = min(model.year, self.until_year)
        if model.quarter == 0 and year > self._added:
            links = upgrade_links(year)
            new = links[links["opened"] > self._added]
            self._added = year
            if len(new):
                model.set_geography(model.geography.with_links(new))


@dataclass
class DigitalIntegration:
    """Digital integration: from ``start_year`` the digital spillover on traditional sectors is
    ``spillover`` (seed paper section 4.2)."""

    start_year: int
    spillover: float = 0.3

    def on_step(self, model) -> None:
        if model.year >= self.start_year:
            model.levers.digital_spillover = self.spillover


@dataclass
class DivisionOfLabor:
    """Provincial division of labour: from ``start_year`` each government's target score gains
    ``weight`` for the sectors of its province's assigned role (seed paper: Shanghai finance and
    headquarters, Zhejiang digital economy, Jiangsu advanced manufacturing, Anhui green industry and
    new energy around Hefei)."""

    start_year: int
    roles: dict[str, list[str]]
    weight: float = 1.0

    def on_step(self, model) -> None:
        if model.year < self.start_year or model.levers.roles is not None:
            return
        bonus = np.zeros((model.geography.count, model.sectors.count))
        for c, province in enumerate(model.geography.provinces):
            for name in self.roles.get(province, []):
                bonus[c, model.sectors.index(name)] = self.weight
        model.levers.roles = bonus


@dataclass
class Liberalisation:
    """Trade liberalisation by some provinces: from ``start_year`` their cities drop local protection
    and the provincial border effect on their imports (their exports still face other provinces'
    barriers). ``provinces = ["all"]`` is joint liberalisation by every province. The unilateral vs
    joint comparison is the prisoner's dilemma of local protection (Barwick, Cao & Li 2021)."""

    start_year: int
    provinces: list[str]

    def on_step(self, model) -> None:
        if model.year < self.start_year or model.levers.liberalised.any():
            return
        names = model.geography.provinces
        unknown = set(self.provinces) - set(names) - {"all"}
        if unknown:
            raise ParameterError(f"Liberalisation.provinces: unknown {sorted(unknown)}; "
                                 f"allowed {sorted(set(names))} or 'all'")
        model.liberalise(np.array([p in self.provinces or "all" in self.provinces for p in names]))


POLICY_TYPES = {cls.__name__: cls for cls in (BarrierPath, CovidShock, NetworkUpgrade, DigitalIntegration,
                                              DivisionOfLabor, Liberalisation)}
