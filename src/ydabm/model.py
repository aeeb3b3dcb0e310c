"""YRDModel: firms, workers and city governments of the Yangtze River Delta, one step a quarter.

``YRDModel.step`` is the specification: each phase is one named call, in this order.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from . import calibration, observation
from .agents.firms import Firms
from .agents.government import CityGovernment, choose_targets, target_scores
from .agents.workers import CLASSES, FARM, Workers
from .geography import Geography, build_geography
from .markets import goods, labour, migration
from .params import DEFAULTS, PARAMS, validate
from .sectors import load_sectors

MODEL_METRICS = (
    "similarity_manufacturing", "similarity_all", "similarity_within_province",
    "similarity_across_provinces", "krugman_index", "capacity_utilization", "zombie_share",
    "subsidy_to_gdp", "stranded_capital", "real_gdp", "gdp_per_capita", "real_wage",
    "unemployment_rate", "theil_index", "theil_between_provinces", "gini_gdp_per_capita",
    "core_periphery_ratio", "interprovincial_trade_share", "interprovincial_migration_share", "migrants",
    "zipf_exponent", "firms", "entries", "exits",
)
_OBJECT_NAMES = {"geography", "governments", "firms"}
CITY_METRICS = ("population", "gdp", "real_income", "wage", "price_index", "housing_cost", "firms", "net_migration")


def _metric(model: YRDModel, name: str) -> float:
    return model.metrics[name]


def _sector_employment(government: CityGovernment, sector: int) -> float:
    return government.employment_of(sector)


class YRDModel(mesa.Model):
    """The YRD economy: vectorised workers and firms, 41 city-government Mesa agents.

    Every parameter of :mod:`ydabm.params` is a keyword with its declared default; ``policies`` are
    shock and policy objects from :mod:`ydabm.policies`; ``rng`` seeds the one generator of the run.
    """

    def __init__(self, *, rng: Any = None, policies: tuple = (), **params: Any):
        super().__init__(rng=rng)
        self.params = validate(params)
        # every parameter is an attribute, except three whose names the model uses for its objects
        # (self.geography, self.governments, self.firms_table); read those from self.params
        for name, value in self.params.items():
            if name not in _OBJECT_NAMES:
                setattr(self, name, value)
        self.policies = list(policies)
        self.sectors = load_sectors(self.sectors_file)
        self.geography = build_geography(self.geography_kind, self.network_file, self.racetrack_cities,
                                         self.trade_cost)
        self.roles: np.ndarray | None = None
        # cities that have removed their own barriers on imports (policies.Liberalisation)
        self.liberalised = np.zeros(self.geography.count, dtype=bool)
        self.saving_rate = 0.0
        self.dissaving_share = 0.0
        self.mobility_frozen = False
        self._build_world()
        self._calibrate()
        self._populate()
        self.metrics = dict.fromkeys(MODEL_METRICS, 0.0)
        self._record()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: functools.partial(_metric, name=name) for name in MODEL_METRICS},
            agenttype_reporters={CityGovernment: {
                **{name: operator.attrgetter(name) for name in CITY_METRICS},
                **{f"employment_{s}": functools.partial(_sector_employment, sector=k)
                   for k, s in enumerate(self.sectors.names)},
            }},
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ the quarter
    def step(self) -> None:
        """One quarter."""
        # 1. Shocks and policies scheduled for this quarter
        self.apply_policies()
        # 2. Governments: yearly choice of target sectors (first quarter)
        self.choose_targets()
        # 3. Technology: trend productivity growth and digital spillovers
        self.update_technology()
        # 4. Firms plan: expected demand, markup prices, capacity investment, desired staff
        self.plan_production()
        # 5. Labour market: separations and layoffs, matching, wages
        self.clear_labour_market()
        # 6. Goods market: CES demand over the network with iceberg costs
        self.clear_goods_market()
        # 7. Accounts: wages, profits, taxes, subsidies, soft-budget support, budgets, spending
        self.settle_accounts()
        # 8. Firm dynamics: exit after sustained losses unless kept alive; entry
        self.exit_and_enter()
        # 9. Migration: logit relocation of reconsidering workers
        self.migrate()
        # 10. Metrics
        self._record()
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ calendar
    @property
    def year(self) -> int:
        return self.start_year + self.steps // 4

    @property
    def quarter(self) -> int:
        return self.steps % 4

    @property
    def geography_kind(self) -> str:
        return self.params["geography"]

    # ------------------------------------------------------------------ set-up
    def _build_world(self) -> None:
        geo = self.geography
        positions = {i: tuple(geo.positions[i]) for i in range(geo.count)}
        self.space = Network(geo.graph, random=self.random, layout=positions)
        self.governments = [
            CityGovernment(self, self.space._cells[i], i, geo.names[i], geo.provinces[i], self.sectors.count)
            for i in range(geo.count)
        ]
        self.hukou_groups = int(geo.province_index.max()) + 2

    def _calibrate(self) -> None:
        baseline = {**self.params, **{p.name: DEFAULTS[p.name] for p in PARAMS if p.kind == "lever"}}
        iceberg, wedge = self._trade_costs(baseline["barrier"], baseline["local_protection"],
                                           baseline["border_effect_scale"])
        self.fundamentals = calibration.calibrate(self.geography, self.sectors, baseline, iceberg, wedge)
        for government, row in zip(self.governments, self._initial_targets(self.params)):
            government.targets = row
        self.refresh_trade_costs()

    def _initial_targets(self, params: dict) -> np.ndarray:
        """Targets at t = 0 from the data's sector structure (before any firm exists)."""
        structure = calibration.sector_structure(self.geography, self.sectors)
        advantage = _revealed_advantage(structure)
        count = np.zeros(self.sectors.count)
        rows = []
        for c in range(self.geography.count):
            rows.append(_choose(advantage[c], self.sectors, params, count / max(self.geography.count - 1, 1)))
        targets = np.array(rows)
        return targets & bool(params["governments"])

    def _populate(self) -> None:
        """Create workers and firms that reproduce the calibrated t = 0 economy."""
        fund, sectors, cities = self.fundamentals, self.sectors, self.geography.count
        force = self._initial_labour_force()
        self.workers = Workers.populate(force, fund.hukou_share, self.rng)
        self.labour_force = self.workers.table(cities)          # (C, 3), kept current by migration
        self.population = self.labour_force.sum(axis=1).astype(float)
        self.wages = fund.wages.copy()
        calibrated = _allocate(fund.revenue, self.firms_param, self.firm_count_elasticity)
        cell_revenue = self._initial_cell_revenue(force)
        counts = _allocate(cell_revenue, self.firms_param, self.firm_count_elasticity)
        self.firms_table = Firms(int(counts.sum() * 1.5) + 16, sectors.count)
        rows = np.arange(counts.sum())
        cell = np.repeat(np.arange(cities * sectors.count), counts.ravel())
        city, sector = np.divmod(cell, sectors.count)
        sigma = sectors.elasticity[sector]
        z = np.exp(self.rng.normal(0.0, self.productivity_dispersion, rows.size))
        weight = z ** (sigma - 1)
        weight /= np.bincount(cell, weight, minlength=cities * sectors.count)[cell]
        revenue = cell_revenue.ravel()[cell] * weight
        unit_labour = (self.wages @ fund.skill_mix.T)[city, sector]
        # a cell's calibrated price level is that of its whole variety mass: a firm's productivity is
        # the cell's over n^(1/(sigma-1)), so that sum_f p_f^(1-sigma) reproduces the calibration
        per_firm = fund.productivity * calibrated ** (-1.0 / (sectors.elasticity - 1.0))[None, :]
        self.firm_productivity = per_firm
        productivity = per_firm[city, sector] * weight ** (1.0 / (sigma - 1)) * counts.ravel()[cell] ** (1.0 / (sigma - 1))
        markup = sigma / (sigma - 1)
        price = markup * unit_labour / productivity
        quantity = revenue / price
        mean_revenue = cell_revenue.ravel()[cell] / counts.ravel()[cell]
        overhead = sectors.fixed_cost[sector] * mean_revenue / unit_labour
        self.overhead_cell = np.zeros(cities * sectors.count)
        self.overhead_cell[cell] = overhead
        # capacity starts where each firm wants it (its steady state): no spurious investment wave
        targeted = np.array([g.targets for g in self.governments])[city, sector]
        tide = self.investment_tide()[sector]
        goal = self.target_utilization * (1 - self.capacity_subsidy * targeted)
        capacity = np.where(sectors.capital_intensity[sector] > 0, quantity * tide / goal, np.inf)
        self.firms_table.open(rows, sector=sector, city=city, productivity=productivity, overhead=overhead,
                              capacity=capacity, price=price, output=quantity, revenue=revenue,
                              expected_demand=quantity, age=np.full(rows.size, 40))
        self._hire_initial_staff(fund.skill_mix[sector] * (overhead + quantity / productivity)[:, None])
        self.spending = cell_revenue.sum(axis=1) * fund.spending.sum() / cell_revenue.sum()
        self.savings = np.zeros(cities)
        self.initial_population = self.population_by_city()
        # the core: cities that had gained net migrants by 2020 (resident > hukou population)
        self.core = calibration.net_migrant_stock(self.geography) > 0
        self.stranded = self.entries = self.exits = 0
        self.moves = np.zeros((cities, cities))
        self.price_index = None
        self.tfp = np.ones(sectors.count)
        self.digital_access0 = self._digital_access()
        self.digital_multiplier = np.ones((cities, sectors.count))
        self.spillover0 = self.digital_spillover
        self.clear_goods_market()
        self.cpi0 = self.fundamentals.consumer_price
        self.settle_accounts()
        # 2020 is taken as a free-entry equilibrium: entrants need at least the sector's 2020 margin
        live = self.firms_table.alive
        self.required_margin = (np.bincount(self.firms_table.sector[live], self.firms_table.profit[live], minlength=sectors.count)
                                / np.bincount(self.firms_table.sector[live], self.firms_table.revenue[live], minlength=sectors.count))

    def _initial_cell_revenue(self, force: np.ndarray) -> np.ndarray:
        """(C, S) revenue that places the t = 0 firms: the calibrated one, except that in synthetic
        worlds the non-farm firms start in proportion to the mobile workers (an uneven start moves
        firms with the workers, at the calibrated firm size)."""
        revenue = self.fundamentals.revenue
        if not self.geography.synthetic:
            return revenue
        mobile = force[:, 1:].sum(axis=1).astype(float)
        ratio = mobile / mobile.mean()
        return np.where(self.sectors.agriculture[None, :], revenue, revenue * ratio[:, None])

    def _initial_labour_force(self) -> np.ndarray:
        """(C, K) agents by class at t = 0: the calibrated ones, except that in synthetic worlds the
        mobile workers can start unevenly (``initial_core_share`` in city 0, lognormal noise of sd
        ``initial_noise`` across cities) to trace core-periphery dynamics."""
        force = self.fundamentals.labour_force.copy()
        if not self.geography.synthetic:
            return force
        mobile = force[:, 1:].sum()
        weight = np.exp(self.rng.normal(0.0, self.initial_noise, self.geography.count)) if self.initial_noise > 0 \
            else np.ones(self.geography.count)
        others = np.arange(self.geography.count) > 0
        weight[others] *= (1 - self.initial_core_share) / weight[others].sum()
        weight[0] = self.initial_core_share
        weight /= weight.sum()
        low_share = force[:, 1].sum() / max(mobile, 1)
        total = _round_within(weight * mobile, np.zeros(weight.size, dtype=np.int64), np.array([mobile]), 1)
        force[:, 1] = np.rint(total * low_share).astype(int)
        force[:, 2] = total - force[:, 1]
        return force

    def _hire_initial_staff(self, desired: np.ndarray) -> None:
        """Place employed workers (1 - natural rate of each city-class) into firms' desired jobs."""
        firms, workers = self.firms_table, self.workers
        live = np.flatnonzero(firms.alive)
        cities = self.geography.count
        market_of_firm = firms.city[live].astype(np.int64)[:, None] * CLASSES + np.arange(CLASSES)
        supply = self.workers.table(cities).ravel()
        employed = np.rint(supply * (1 - self.natural_unemployment)).astype(np.int64)
        want = desired.ravel()
        markets = market_of_firm.ravel()
        total = np.bincount(markets, want, minlength=supply.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(total[markets] > 0, want * employed[markets] / total[markets], 0.0)
        slots = _round_within(scaled, markets, employed, supply.size)
        owner = np.repeat(np.repeat(live, CLASSES), slots)
        slot_market = np.repeat(markets, slots)
        chosen = labour.pick_per_group(workers.market, np.bincount(slot_market, minlength=supply.size), self.rng)
        order_workers = np.flatnonzero(chosen)[np.argsort(workers.market[chosen], kind="stable")]
        order_slots = np.argsort(slot_market, kind="stable")
        workers.employer[order_workers] = owner[order_slots]
        self._count_staff()

    def _release(self, leavers: np.ndarray) -> None:
        """Workers ``leavers`` leave their jobs; their firms' staff counts fall accordingly."""
        leavers = leavers[self.workers.employer[leavers] >= 0]
        self.firms_table.employees -= self._jobs_of(leavers)
        self.workers.employer[leavers] = -1

    def _jobs_of(self, rows: np.ndarray) -> np.ndarray:
        """(F, 3) jobs held by the employed workers ``rows``, by firm and class."""
        f, w = self.firms_table, self.workers
        job = w.employer[rows].astype(np.int64) * CLASSES + w.skill[rows]
        return np.bincount(job, minlength=f.size * CLASSES).reshape(f.size, CLASSES).astype(np.int32)

    def _count_staff(self) -> None:
        firms, workers = self.firms_table, self.workers
        emp = workers.employed
        index = workers.employer[emp].astype(np.int64) * CLASSES + workers.skill[emp]
        firms.employees = np.bincount(index, minlength=firms.size * CLASSES).reshape(firms.size, CLASSES).astype(np.int32)

    # ------------------------------------------------------------------ levers used by policies
    def set_barrier(self, value: float) -> None:
        self.barrier = float(np.clip(value, 0.0, 1.0))
        self.refresh_trade_costs()

    def set_geography(self, geography: Geography) -> None:
        self.geography = geography
        self.refresh_trade_costs()

    def refresh_trade_costs(self) -> None:
        self.iceberg, self.wedge = self._trade_costs(self.barrier, self.local_protection, self.border_effect_scale)
        self.cost_weights = goods.cost_weights(self.iceberg * self.wedge, self.sectors.elasticity)
        self.welfare_weights = goods.welfare_weights(self.cost_weights, self.wedge, self.sectors.elasticity)

    def _trade_costs(self, barrier, protection, border_scale) -> tuple[np.ndarray, np.ndarray]:
        """(S, C, C) iceberg costs T and protection wedges D at the given lever values."""
        geo = self.geography
        # local protection: every city government shields its tradable sectors from other cities'
        # goods (local protectionism as market segmentation: Young 2000; Barwick, Cao & Li 2021)
        shield = np.tile(self.sectors.targetable, (geo.count, 1)) & bool(self.params["governments"])
        # a liberalised city no longer shields its market (the provincial border effect stays)
        shield &= ~self.liberalised[:, None]
        return (goods.iceberg_costs(geo.hours, self.sectors.trade_cost_per_hour, border_scale * geo.border, barrier),
                goods.protection_wedge(shield, barrier, protection))

    def liberalise(self, cities: np.ndarray) -> None:
        """Cities ``cities`` (bool mask) drop local protection of their markets; their exports still
        face the other cities' protection, and trade still pays the provincial border effect."""
        self.liberalised = np.asarray(cities, dtype=bool).copy()
        self.refresh_trade_costs()

    def role_bonus(self, city: int) -> np.ndarray | None:
        return None if self.roles is None else self.roles[city]

    def target_counts(self) -> np.ndarray:
        return self._previous_targets.sum(axis=0)

    def comparative_advantage(self) -> np.ndarray:
        """(C, S) revealed comparative advantage in employment, as of this year's target choice."""
        return self._advantage

    # ------------------------------------------------------------------ phases
    def apply_policies(self) -> None:
        for policy in self.policies:
            policy.on_step(self)

    def choose_targets(self) -> None:
        if self.quarter != 0 or not self.governments_param:
            return
        self._previous_targets = np.array([g.targets for g in self.governments])
        self._advantage = _revealed_advantage(self.employment_by_sector())
        for government in self.governments:
            government.choose_targets()

    def update_technology(self) -> None:
        """Trend growth (per year, applied quarterly) and, each first quarter, digital spillovers."""
        self.tfp *= (1.0 + self.sectors.tfp_growth * self.tfp_growth_scale) ** 0.25
        if self.quarter == 0 and self.sectors.traditional.any():
            access = self._digital_access()
            gain = (1 + self.digital_spillover * access) / (1 + self.spillover0 * self.digital_access0)
            self.digital_multiplier = np.where(self.sectors.traditional[None, :], gain[:, None], 1.0)

    def _digital_access(self) -> np.ndarray:
        """(C,) distance-weighted digital-economy employment share around each city."""
        digital = self.sectors.digital
        if not digital.any():
            return np.zeros(self.geography.count)
        employment = self.employment_by_sector()
        share = employment[:, digital].sum(axis=1) / np.maximum(employment.sum(axis=1), 1e-300)
        decay = np.exp(-self.geography.hours / self.sectors.digital_reach_hours)
        return decay @ share / decay.sum(axis=1)

    def effective_productivity(self) -> np.ndarray:
        """Productivity of each firm row (1 for empty rows, so divisions stay finite)."""
        f = self.firms_table
        phi = f.productivity * self.tfp[f.sector] * self.digital_multiplier[f.city, f.sector]
        return np.where(f.alive, phi, 1.0)

    def plan_production(self) -> None:
        """Markup prices, capacity built ahead of expected demand, and desired staff."""
        f, s = self.firms_table, self.sectors
        live = f.alive
        phi = self.effective_productivity()
        sigma = s.elasticity[f.sector]
        unit_labour = (self.wages @ self.fundamentals.skill_mix.T)[f.city, f.sector]
        f.price = np.where(live, sigma / (sigma - 1) * unit_labour / phi, 0.0)
        weight = self.demand_expectation
        f.expected_demand = (1 - weight) * f.expected_demand + weight * f.output
        targeted = self.targeted_firms()
        has_capital = s.capital_intensity[f.sector] > 0
        goal = self.target_utilization * (1 - self.capacity_subsidy * targeted)
        # investment tide (Lin 2007): firms expect growth in sectors on which governments agree
        tide = self.investment_tide()[f.sector]
        desired = f.expected_demand * tide / goal
        kept = f.capacity * (1 - self.depreciation)
        build = np.where(live & has_capital, self.investment_speed * np.maximum(desired - kept, 0.0), 0.0)
        f.capacity = np.where(has_capital, kept + build, np.inf)
        self.investment = s.capital_intensity[f.sector] * f.price * build
        self.capacity_support = self.capacity_subsidy * targeted * self.investment
        staff = f.overhead + np.minimum(f.expected_demand, f.capacity) / phi
        wanted = self.fundamentals.skill_mix[f.sector] * staff[:, None]
        # no firm can want more workers of a class than its city has
        wanted = np.minimum(wanted, self.labour_force[f.city])
        self.desired_staff = np.where(live[:, None], np.rint(wanted), 0).astype(np.int64)

    def investment_tide(self) -> np.ndarray:
        """(S,) factor on expected demand behind capacity plans: 1 + herding x (share of governments
        targeting the sector)^2. The wave grows with consensus (Lin 2007): a sector promoted by a few
        governments draws little excess investment, one promoted by all draws a tide."""
        share = np.array([g.targets for g in self.governments]).mean(axis=0)
        return 1 + self.investment_herding * share**2

    def targeted_firms(self) -> np.ndarray:
        targets = np.array([g.targets for g in self.governments])
        f = self.firms_table
        return targets[f.city, f.sector] & f.alive

    def clear_labour_market(self) -> None:
        """Separations, layoffs, matching of the unemployed to vacancies, wage adjustment."""
        w, f, rng = self.workers, self.firms_table, self.rng
        cities = self.geography.count
        drawn = labour.bernoulli_rows(w.count, self.separation_rate, rng)
        self._release(drawn[w.employer[drawn] >= 0])
        excess = np.maximum(f.employees - self.desired_staff, 0)
        # only workers of firms overstaffed in some class can be laid off (employer -1 maps to False)
        employed = np.flatnonzero(np.append(excess.any(axis=1), False)[w.employer])
        job = w.employer[employed].astype(np.int64) * CLASSES + w.skill[employed]
        overstaffed = excess.ravel()[job] > 0
        fired = labour.pick_per_group(job[overstaffed], excess.ravel(), rng)
        self._release(employed[overstaffed][fired])
        vacancies = np.maximum(self.desired_staff - f.employees, 0)
        self._match(vacancies)
        supply = self.labour_force.ravel()
        demand = np.bincount((f.city.astype(np.int64)[:, None] * CLASSES + np.arange(CLASSES)).ravel(),
                             np.maximum(self.desired_staff, f.employees).ravel(), minlength=supply.size)
        self.wages = labour.update_wages(self.wages.ravel(), demand, supply, self.natural_unemployment,
                                         self.wage_adjustment).reshape(cities, CLASSES)

    def _match(self, vacancies: np.ndarray) -> None:
        w, f, rng = self.workers, self.firms_table, self.rng
        markets = self.labour_force.size
        seekers = np.flatnonzero(w.employer < 0)
        seeker_market = w.market[seekers]
        firm_market = f.city.astype(np.int64)[:, None] * CLASSES + np.arange(CLASSES)
        open_total = np.bincount(firm_market.ravel(), vacancies.ravel(), minlength=markets)
        hires = labour.matches(np.bincount(seeker_market, minlength=markets), open_total, self.matching_efficiency)
        if hires.sum() == 0:
            return
        slot_owner = np.repeat(np.repeat(np.arange(f.size), CLASSES), vacancies.ravel())
        slot_market = np.repeat(firm_market.ravel(), vacancies.ravel())
        take_slot = labour.pick_per_group(slot_market, hires, rng)
        take_seeker = labour.pick_per_group(seeker_market, hires, rng)
        # stable sorts of small non-negative integers (market ids < 2^16) are radix sorts
        slots = np.flatnonzero(take_slot)[np.argsort(slot_market[take_slot].astype(np.uint16), kind="stable")]
        hired = seekers[take_seeker][np.argsort(seeker_market[take_seeker].astype(np.uint16), kind="stable")]
        w.employer[hired] = slot_owner[slots]
        f.employees += self._jobs_of(hired)

    def clear_goods_market(self) -> None:
        """CES demand with iceberg costs; firms short of capacity or staff raise prices."""
        f, s = self.firms_table, self.sectors
        live = np.flatnonzero(f.alive)
        phi = self.effective_productivity()[live]
        labour_room = np.maximum(f.employees[live].sum(axis=1) - f.overhead[live], 0.0) * phi
        max_output = np.minimum(f.capacity[live], labour_room)
        spending = self.spending[:, None] * self.fundamentals.expenditure_share[None, :]
        outcome = goods.clear_goods_market(f.price[live], max_output, f.cell[live], s.elasticity,
                                           self.cost_weights, spending, welfare=self.welfare_weights)
        f.price[live], f.revenue[live], f.output[live] = outcome.price, outcome.revenue, outcome.quantity
        f.revenue[~f.alive] = 0.0
        f.output[~f.alive] = 0.0
        self.goods = outcome
        self.price_index = outcome.price_index
        self.cpi = goods.consumer_price_index(outcome.price_index, self.fundamentals.expenditure_share)

    def settle_accounts(self) -> None:
        """Pay wages, taxes, subsidies, transfers and support; set next quarter's spending.

        Money identity: spending' + budgets' + savings' = spending + budgets + savings, because
        every yuan of revenue is paid out as wages, owners' cash flow or taxes, and every yuan a
        government or household receives is spent, saved or kept in its budget.
        """
        f, s, w = self.firms_table, self.sectors, self.workers
        cities = self.geography.count
        live = f.alive
        wage_bill = (f.employees * self.wages[f.city]).sum(axis=1)
        capital_cost = self.depreciation * self.capital_value()
        young = self.targeted_firms() & (f.age < 4)
        entry_support = self.entry_subsidy * young * f.revenue
        subsidy = entry_support + getattr(self, "capacity_support", np.zeros(f.size))
        profit = f.revenue - wage_bill - capital_cost + subsidy
        profit_tax = self.profit_tax * np.maximum(profit, 0.0) * live
        f.profit = np.where(live, profit - profit_tax, 0.0)
        losing = live & ((f.profit < 0) | (f.revenue <= 0))      # a firm that sells nothing is failing too
        f.loss_streak = np.where(losing, f.loss_streak + 1, 0)
        rescue = self._soft_budget(f)
        support = np.where(rescue, -f.profit, 0.0)
        f.zombie = rescue
        f.subsidy = subsidy + support
        self.exiting = live & (f.loss_streak >= self.exit_after) & ~rescue
        investment = getattr(self, "investment", np.zeros(f.size))
        cash_flow = f.revenue - wage_bill - investment - profit_tax + f.subsidy
        employed_table = self.workers.table(cities, w.employed)      # worker side (firms' side: wage_bill)
        unemployed = self.labour_force - employed_table
        benefits = (unemployed * self.unemployment_benefit * self.wages[:, [1]]).sum(axis=1)
        wages_city = (employed_table * self.wages).sum(axis=1)
        income_tax = self.income_tax * wages_city
        by_city = functools.partial(np.bincount, f.city, minlength=cities)
        self.accounts = {
            "wages": wages_city, "wage_bill": by_city(wage_bill * live), "owners": by_city(cash_flow * live),
            "benefits": benefits, "income_tax": income_tax, "profit_tax": by_city(profit_tax),
            "subsidies": by_city(f.subsidy * live), "investment": by_city(investment * live),
            "revenue": by_city(f.revenue * live),
        }
        acc = self.accounts
        acc["income"] = acc["wages"] + acc["owners"] + acc["benefits"] - acc["income_tax"]
        tax = acc["income_tax"] + acc["profit_tax"]
        outlays = acc["benefits"] + acc["subsidies"]
        budgets = np.array([g.budget for g in self.governments])
        public = np.maximum(tax - outlays + self.public_spending_adjustment * budgets, 0.0)
        for g, balance in zip(self.governments, budgets + tax - outlays - public):
            g.budget = float(balance)
        saved = self.saving_rate * acc["income"]
        released = self.dissaving_share * self.savings
        self.savings = self.savings + saved - released
        acc["public"] = public
        self.spending = acc["income"] - saved + released + acc["investment"] + public
        f.age = np.where(live, f.age + 1, 0)

    def _soft_budget(self, f: Firms) -> np.ndarray:
        """Governments keep failing local firms of target sectors alive with probability soft_budget."""
        failing = f.alive & (f.loss_streak >= self.exit_after)
        draws = self.rng.random(f.size)
        return failing & self.targeted_firms() & (draws < self.soft_budget)

    def exit_and_enter(self) -> None:
        """Failing unsupported firms exit (their capital is stranded); entrants arrive where the
        expected margin plus entry subsidy is positive."""
        f, s = self.firms_table, self.sectors
        cities = self.geography.count
        leaving = np.flatnonzero(self.exiting)
        self.stranded = float(self.capital_value()[leaving].sum())
        self.exits = leaving.size
        if leaving.size:
            closing = np.zeros(f.size + 1, dtype=bool)
            closing[leaving] = True
            self.workers.employer[closing[self.workers.employer]] = -1
        f.close(leaving)
        self._enter(cities)

    def _enter(self, cities: int) -> None:
        f, s, fund = self.firms_table, self.sectors, self.fundamentals
        revenue = f.by_cell(f.revenue, cities)
        profit = f.by_cell(f.profit, cities)
        incumbents = f.by_cell(np.ones(f.size), cities)
        sector_margin = profit.sum(axis=0) / np.maximum(revenue.sum(axis=0), 1e-300)
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(revenue > 0, profit / revenue, sector_margin[None, :])
        targets = np.array([g.targets for g in self.governments])
        expected = margin - self.required_margin[None, :] + self.entry_subsidy * targets
        rate = self.entry_rate * (incumbents + 1) * np.maximum(expected, 0.0)
        entrants = self.rng.poisson(rate)
        self.entries = int(entrants.sum())
        if self.entries == 0:
            return
        cell = np.repeat(np.arange(cities * s.count), entrants.ravel())
        city, sector = np.divmod(cell, s.count)
        rows = f.free_rows(cell.size)
        z = np.exp(self.rng.normal(0.0, self.productivity_dispersion, cell.size))
        capacity_cell = f.by_cell(np.where(np.isfinite(f.capacity), f.capacity, 0.0), cities)
        output_cell = f.by_cell(f.output, cities)
        with np.errstate(divide="ignore", invalid="ignore"):
            typical = np.where(incumbents > 0, output_cell / incumbents, (output_cell.sum(axis=0) / np.maximum(incumbents.sum(axis=0), 1))[None, :])
        scale = 0.5 * typical.ravel()[cell] * self.investment_tide()[sector]
        has_capital = s.capital_intensity[sector] > 0
        productivity = self.firm_productivity[city, sector] * z
        unit_labour = (self.wages @ fund.skill_mix.T)[city, sector]
        sigma = s.elasticity[sector]
        price = sigma / (sigma - 1) * unit_labour / (productivity * self.tfp[sector])
        capacity = np.where(has_capital, scale / self.target_utilization, np.inf)
        overhead = self.overhead_cell.ravel()[cell]
        f.open(rows, sector=sector, city=city, productivity=productivity, overhead=overhead, capacity=capacity,
               price=price, expected_demand=scale)
        outlay = s.capital_intensity[sector] * price * np.where(has_capital, capacity, 0.0)
        entry_cost = np.bincount(city, outlay, minlength=cities)
        # owners finance the entrants' capital; the outlay is spent on local goods next quarter
        self.accounts["owners"] -= entry_cost
        self.accounts["investment"] += entry_cost
        self.accounts["income"] -= entry_cost

    def migrate(self) -> None:
        """Reconsidering mobile workers choose a city by logit over expected real income."""
        w, geo = self.workers, self.geography
        cities = geo.count
        self.moves = np.zeros((cities, cities))
        self.net_migration = np.zeros(cities)
        rate = 0.0 if self.mobility_frozen else self.reconsider_rate
        drawn = labour.bernoulli_rows(w.count, rate, self.rng)
        movers = drawn[w.skill[drawn] != FARM]
        if movers.size == 0:
            return
        income = self.log_real_income()
        utility = migration.location_utility(income, self.fundamentals.amenity, geo.hours, self.move_cost,
                                             self.move_cost_per_hour, self.barrier * self.hukou_penalty,
                                             geo.province_index, self.hukou_groups)
        cumulative = np.cumsum(migration.choice_probabilities(utility, self.migration_elasticity), axis=-1)
        mobile_classes = CLASSES - 1
        cell = (w.city[movers].astype(np.int64) * self.hukou_groups + w.hukou[movers]) * mobile_classes + w.skill[movers] - 1
        destination = migration.draw_destinations(cumulative.reshape(-1, cities)[cell], self.rng.random(movers.size))
        origin = w.city[movers]
        moved = destination != origin
        self.moves = np.bincount(origin[moved].astype(np.int64) * cities + destination[moved],
                                 minlength=cities * cities).reshape(cities, cities).astype(float)
        relocating = movers[moved]
        self._release(relocating)
        classes = w.skill[relocating]
        np.subtract.at(self.labour_force, (origin[moved], classes), 1)
        np.add.at(self.labour_force, (destination[moved], classes), 1)
        w.move(relocating, destination[moved])
        self.population = self.labour_force.sum(axis=1).astype(float)
        self.net_migration = self.moves.sum(axis=0) - self.moves.sum(axis=1)

    # ------------------------------------------------------------------ derived state
    def population_by_city(self) -> np.ndarray:
        """Worker agents living in each city (kept current by migration)."""
        return self.population

    def housing_cost(self) -> np.ndarray:
        """Housing cost index: (population / 2020 population)^elasticity (1 at t = 0)."""
        return (self.population_by_city() / self.initial_population) ** self.housing_elasticity

    def log_real_income(self) -> np.ndarray:
        w = self.workers
        cities = self.geography.count
        force = self.labour_force
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(force > 0, self.staff_table() / force, 1.0 - self.natural_unemployment)
        return calibration.log_real_income(self.wages, rate, self.unemployment_benefit, self.cpi,
                                           self.housing_cost(), self.housing_share)[:, 1:]

    def staff_table(self) -> np.ndarray:
        """(C, 3) employed agents by city and class, from the firms' staff counts (workers live
        where they work)."""
        f = self.firms_table
        cities = self.geography.count
        return np.stack([np.bincount(f.city, f.employees[:, k], minlength=cities) for k in range(CLASSES)], axis=1)

    def employment_by_sector(self) -> np.ndarray:
        f = self.firms_table
        return f.by_cell(f.employees.sum(axis=1).astype(float), self.geography.count)

    def capital_value(self) -> np.ndarray:
        """Replacement value of each firm's capacity: capital intensity x price x capacity, yuan."""
        f = self.firms_table
        capacity = np.where(np.isfinite(f.capacity) & f.alive, f.capacity, 0.0)
        return self.sectors.capital_intensity[f.sector] * f.price * capacity

    def money(self) -> float:
        """Total money: next quarter's spending, government balances and household savings."""
        return float(self.spending.sum() + sum(g.budget for g in self.governments) + self.savings.sum())

    # ------------------------------------------------------------------ metrics
    def _record(self) -> None:
        """Compute this step's metrics and hand each government its city's report."""
        self.metrics = observation.model_metrics(self)
        for government, report in zip(self.governments, observation.city_reports(self)):
            for name, value in report.items():
                setattr(government, name, value)

    @property
    def firms_param(self) -> int:
        return self.params["firms"]

    @property
    def governments_param(self) -> int:
        return self.params["governments"]


def _revealed_advantage(structure: np.ndarray) -> np.ndarray:
    """Balassa revealed comparative advantage of each city-sector, scaled to [0, 1] within a city."""
    total = structure.sum()
    city = structure.sum(axis=1, keepdims=True)
    sector = structure.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = np.where(city * sector > 0, structure * total / (city * sector), 0.0)
    top = rca.max(axis=1, keepdims=True)
    return np.where(top > 0, rca / np.where(top > 0, top, 1.0), 0.0)


def _choose(advantage, sectors, params, peer_share):
    """Target sectors of one city at t = 0 (no peers have chosen yet)."""
    scores = target_scores(advantage, sectors.strategic.astype(float), peer_share, params["specialization"])
    return choose_targets(scores, sectors.targetable, params["targets_per_city"])


def _allocate(revenue: np.ndarray, firms: int, elasticity: float = 1.0) -> np.ndarray:
    """(C, S) firm counts proportional to revenue^elasticity, at least one per city-sector with revenue.

    With elasticity < 1 a city-sector with more revenue has larger, hence more productive, firms: a
    firm's productivity carries its location's comparative advantage (as in Melitz-type models,
    productive locations host larger firms).
    """
    weight = revenue ** elasticity
    share = weight / weight.sum()
    counts = np.maximum(np.floor(share * firms), (revenue > 0).astype(int)).astype(int)
    remainder = firms - counts.sum()
    if remainder > 0:
        order = np.argsort(-(share * firms - np.floor(share * firms)).ravel(), kind="stable")[:remainder]
        counts.ravel()[order] += 1
    return counts


def _round_within(values: np.ndarray, groups: np.ndarray, totals: np.ndarray, size: int) -> np.ndarray:
    """Integer rounding of ``values`` that keeps each group's sum equal to ``totals`` (largest remainder)."""
    base = np.floor(values).astype(np.int64)
    short = totals - np.bincount(groups, base, minlength=size)
    fraction = values - base
    order = np.lexsort((-fraction, groups))
    sorted_groups = groups[order]
    rank = np.arange(values.size) - np.searchsorted(sorted_groups, sorted_groups, side="left")
    bump = np.zeros(values.size, dtype=np.int64)
    bump[order] = rank < short[sorted_groups]
    return base + bump
