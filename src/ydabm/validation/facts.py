"""Stylised facts of the Yangtze River Delta, each measured over five seeds with a stated tolerance.

Three kinds of fact:

- :class:`Fact`, directional: ``metric`` moves with ``sign`` when ``lever`` goes from ``low`` to
  ``high`` (other parameters at ``base``). Measured as the mean of the last ``WINDOW`` quarters of a
  run per seed at each lever value; it holds when the mean difference (high minus low; relative
  when ``relative``) has the expected sign beyond the tolerance, and a majority of seeds agree.
- :class:`MigrationFact`: the census direction of net migration. Each seed's cumulative net
  migration by city (its population change: agents move but are neither born nor die) is compared
  in sign with resident - hukou population in 2020; it holds when the mean share of agreeing
  cities exceeds the tolerance and every seed does.
- :class:`DilemmaFact`: the prisoner's dilemma of local protection. Real income (households'
  disposable income plus public spending, 2020 prices) of one province when it alone drops local
  protection, and of the whole region when every province does, against the status quo. It holds
  when the province loses and the region gains, each beyond the tolerance, with a majority of seeds.

Runs are cached per (parameters, policies, quarters, seed) within a process, so facts sharing a
setting share its runs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from ..calibration import net_migrant_stock
from ..geography import build_geography
from ..policies import Liberalisation
from ..run import RunResult, simulate

SCALE = {"people_per_agent": 10000}
SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 24
WINDOW = 8
START_YEAR = 2020


@functools.lru_cache(maxsize=256)
def _run(params: tuple, quarters: int, seed: int, liberalising: tuple = ()) -> RunResult:
    policies = (Liberalisation(START_YEAR, list(liberalising)),) if liberalising else ()
    return simulate({**SCALE, **dict(params)}, quarters, seed, policies)


def run(params: dict, quarters: int, seed: int, liberalising: tuple = ()) -> RunResult:
    """One (cached) run at the facts' scale; ``liberalising`` provinces drop local protection at t = 0."""
    return _run(tuple(sorted(params.items())), quarters, seed, tuple(liberalising))


def _verdict(name: str, measure: str, values: np.ndarray, sign: int, tolerance: float, **details) -> dict:
    """Common result: mean and per-seed values, whether the mean passes and a majority agree."""
    agree = int((sign * values > 0).sum())
    return {"fact": name, "measure": measure, "value": float(values.mean()), "per_seed": values.round(6).tolist(),
            "tolerance": tolerance, "seeds_agreeing": agree, "seeds": len(values),
            "holds": bool(sign * values.mean() > tolerance and agree > len(values) / 2), **details}


@dataclass(frozen=True)
class Fact:
    """A directional fact: ``metric`` moves with ``sign`` when ``lever`` goes from ``low`` to ``high``."""

    name: str
    lever: str
    metric: str
    sign: int
    tolerance: float
    relative: bool = False
    base: dict = field(default_factory=dict, hash=False)
    low: float = 0.0
    high: float = 1.0
    quarters: int = QUARTERS

    def outcomes(self, value: float, seeds) -> np.ndarray:
        """Mean of ``metric`` over the last quarters of one run per seed with ``lever`` = ``value``."""
        return np.array([run({**self.base, self.lever: value}, self.quarters, seed).model[self.metric]
                         .iloc[-WINDOW:].mean() for seed in seeds])

    def evaluate(self, seeds=SEEDS) -> dict:
        high, low = self.outcomes(self.high, seeds), self.outcomes(self.low, seeds)
        difference = (high / low - 1) if self.relative else (high - low)
        measure = (f"{self.metric}: {self.lever} {self.high:g} vs {self.low:g}"
                   + (f" ({', '.join(f'{k} {v:g}' for k, v in self.base.items())})" if self.base else "")
                   + (" relative" if self.relative else ""))
        return _verdict(self.name, measure, difference, self.sign, self.tolerance,
                        at_high=float(high.mean()), at_low=float(low.mean()))


@dataclass(frozen=True)
class MigrationFact:
    """Net migration over ``quarters`` agrees in sign with the 2020 net migrant stock by city."""

    name: str
    tolerance: float
    quarters: int = 80

    def evaluate(self, seeds=SEEDS) -> dict:
        stock = net_migrant_stock(build_geography("yrd"))
        shares = []
        for seed in seeds:
            cities = run({}, self.quarters, seed).cities
            population = cities.pivot(index="step", columns="city", values="population")
            change = (population.iloc[-1] - population.iloc[0]).reindex(_city_order()).to_numpy()
            shares.append(np.mean(np.sign(change) == np.sign(stock)))
        shares = np.array(shares)
        result = _verdict(self.name, f"share of 41 cities whose net migration over {self.quarters} quarters has "
                          "the sign of resident - hukou", shares, +1, self.tolerance)
        result["holds"] = bool(result["holds"] and (shares > self.tolerance).all())
        return result


@functools.cache
def _city_order() -> list[str]:
    return build_geography("yrd").names


@dataclass(frozen=True)
class DilemmaFact:
    """Unilateral liberalisation by ``province`` lowers its real income; joint liberalisation raises
    the region's (at ``base`` parameters, over ``quarters``)."""

    name: str
    province: str
    tolerance: float
    base: dict = field(default_factory=dict, hash=False)
    quarters: int = 40

    def _real_income(self, seed: int, liberalising: tuple) -> np.ndarray:
        cities = run(self.base, self.quarters, seed, liberalising).cities
        last = cities[cities["step"] > cities["step"].max() - WINDOW]
        return last.groupby("province")["real_income"].sum() / WINDOW

    def evaluate(self, seeds=SEEDS) -> dict:
        own, total = [], []
        for seed in seeds:
            status_quo = self._real_income(seed, ())
            alone = self._real_income(seed, (self.province,))
            joint = self._real_income(seed, ("all",))
            own.append(alone[self.province] / status_quo[self.province] - 1)
            total.append(joint.sum() / status_quo.sum() - 1)
        own, total = np.array(own), np.array(total)
        majority = len(seeds) / 2
        loses = -own.mean() > self.tolerance and (own < 0).sum() > majority
        gains = total.mean() > self.tolerance and (total > 0).sum() > majority
        base = ", ".join(f"{k} {v:g}" for k, v in self.base.items())
        return {"fact": self.name,
                "measure": f"real income change: {self.province} alone liberalising (own) and all provinces "
                           f"(region), {base}",
                "value": float(min(-own.mean(), total.mean())), "per_seed": np.minimum(-own, total).round(6).tolist(),
                "tolerance": self.tolerance, "seeds_agreeing": int(((-own > 0) & (total > 0)).sum()),
                "seeds": len(seeds), "holds": bool(loses and gains),
                "own_change": float(own.mean()), "region_change_joint": float(total.mean()),
                "own_per_seed": own.round(6).tolist(), "region_per_seed": total.round(6).tolist()}


STRONG = {"barrier": 1.0}

FACTS = (
    Fact("lower specialization raises similarity", "specialization", "similarity_manufacturing", -1, 0.02),
    Fact("lower specialization lowers capacity utilisation", "specialization", "capacity_utilization", +1, 0.01),
    Fact("higher barrier raises similarity", "barrier", "similarity_manufacturing", +1, 0.005),
    Fact("higher barrier lowers inter-provincial trade", "barrier", "interprovincial_trade_share", -1, 0.05),
    Fact("higher barrier lowers inter-provincial migration", "barrier", "interprovincial_migration_share", -1, 0.05),
    Fact("higher barrier lowers regional output", "barrier", "real_gdp", -1, 0.05, relative=True),
    Fact("removing barriers widens inequality across cities", "barrier", "theil_index", -1, 0.001),
    # Eurace@Unibi (Dawid, Harting & Neugart): integrating labour markets raises output but widens the
    # core-periphery gap; here the hukou penalty is the labour-market barrier (at barrier 1, its full value)
    Fact("labour-market integration raises regional output", "hukou_penalty", "real_gdp", -1, 0.005,
         relative=True, base=STRONG, quarters=40),
    Fact("labour-market integration widens the core-periphery gap", "hukou_penalty", "core_periphery_ratio", -1,
         0.01, base=STRONG, quarters=40),
    MigrationFact("net migration flows to the cities that gained migrants before 2020", 0.8),
    DilemmaFact("unilateral liberalisation hurts the liberaliser, joint raises total welfare", "Shanghai", 0.002,
                base=STRONG),
)


def evaluate(fact, seeds=SEEDS) -> dict:
    """Measure one fact of :data:`FACTS` over ``seeds``."""
    return fact.evaluate(seeds)
