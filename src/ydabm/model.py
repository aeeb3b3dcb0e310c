"""YRDModel: firms, workers and city governments of the Yangtze River Delta, one step a quarter.

``YRDModel.step`` is the specification: each phase is one named call to a pure mechanism
(:mod:`ydabm.mechanisms`, :mod:`ydabm.markets`) that returns a typed result, followed by the thin
setter that applies it to the state. The model holds state, set-up and the step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from . import burnt_state, calibrated_state, calibration, metrics, observation
from .agents.firms import COHORT, BinSums, Firms, integer_sums, row_sums
from .agents.government import CityGovernment
from .agents.workers import CLASSES, FARM, LOW, Workers
from .errors import Diverged
from .frictions import Frictions, frictions, knowledge_weights
from .geography import Geography
from .geography.world import load_innovation_table
from .levers import Levers
from .markets import goods, labour
from .mechanisms import accounts, credit, entry, planning, relocation, skills, supply_chain, targeting, technology
from .params import PARAMS, ParameterError, Params
from .policies import check_combination

MODEL_METRICS = (
    "similarity_manufacturing", "similarity_all", "similarity_within_province",
    "similarity_across_provinces", "krugman_index", "capacity_utilization", "zombie_share",
    "zombie_employment_share", "zombie_capital_share",
    "subsidy_to_gdp", "local_debt_to_gdp", "stranded_capital", "real_gdp", "nominal_gdp", "gdp_deflator", "cpi",
    "gdp_per_capita", "real_wage", "real_income", "unemployment_rate", "theil_index", "theil_between_provinces",
    "gini_gdp_per_capita", "core_periphery_ratio", "interprovincial_trade_share",
    "interprovincial_migration_share", "migrants", "zipf_exponent", "firms", "entries", "exits",
    "market_residual", "inputs_within_city", "inputs_within_province", "inputs_other_provinces",
    "inputs_outside_region", "unmet_input_share", "rd_intensity", "patents", "tfp_growth", "aggregate_productivity",
    "digital_adoption_share", "cross_province_spillover_share",
)
#: rounds and tolerance of the damped fixed point that makes the 2020 support a steady state
TARGET_ROUNDS, TARGET_TOLERANCE = 500, 1e-10
#: rounds and tolerance (R&D intensity) of the fixed point that calibrates the provinces' R&D efficiencies
CALIBRATION_ROUNDS, CALIBRATION_TOLERANCE = 200, 1e-12
#: relative miss of the provinces' 2020 R&D intensities a calibrated set-up may leave (reached: 2e-16 to 3e-11)
CALIBRATION_FIT = 1e-9
#: what the R&D stability checks advise (:meth:`YRDModel._check_rd_steady_state` and the run's checks)
RD_ADVICE = "below knowledge_spillover = 4 (1 - rd_elasticity) the loop is stable at any reach"
#: the innovation step's first guess in the calibration (log productivity)
INITIAL_STEP = 0.3
CITY_METRICS = ("population", "gdp", "real_gdp", "real_income", "wage", "urban_wage", "price_index",
                "housing_cost", "firms", "zombie_share", "net_migration", "value_added", "gross_output",
                "inputs_within_city", "inputs_outside_region", "rd_intensity", "province_rd_intensity",
                "patents", "digital_adoption_share")


def _metric(model: YRDModel, name: str) -> float:
    return model.metrics[name]


def _region_adoption(model: YRDModel, sector: int) -> float:
    return float(model.sector_adoption[sector])


class YRDModel(mesa.Model):
    """The YRD economy: vectorised workers and firms, 41 city-government Mesa agents.

    Every parameter of :mod:`ydabm.params` is a keyword with its declared default (so Mesa's
    ``batch_run`` works unchanged), or ``params`` passes them resolved as one
    :class:`~ydabm.params.Params`; either way they end up, frozen, at ``self.params``. ``policies``
    are shock and policy objects from :mod:`ydabm.policies`, which move only ``self.levers``; ``rng``
    seeds the one generator.
    """

    #: inside :meth:`workers_moved_once`: each firm row's employer for its workers at the block's end
    _employer_moves: np.ndarray | None = None
    #: after a ``workers_moved_once(defer=True)`` block, until the labour market: its moves, not yet
    #: applied to the workers' employer column (:meth:`settle_employers`)
    _pending_moves: np.ndarray | None = None
    #: the last city_sums() built: (the read-only city column it was built for, its BinSums)
    _city_order: tuple | None = None
    #: the tables of the skill mix at the last wages they were computed for (:meth:`_wage_table`)
    _wage_tables: dict | None = None
    #: the last cell_sums() built: (the read-only cell column it was built for, its BinSums)
    _cell_order: tuple | None = None

    def __init__(self, *, rng: Any = None, policies: tuple = (), params: Params | None = None, **values: Any):
        super().__init__(rng=rng)
        mesa_names = set(vars(self))        # what Mesa's Model holds (the rest is this model's state)
        self._clock_shift = 0               # quarters the calendar runs behind ``steps`` (the burn-in's)
        self._entry_response = None         # entry's response to the margin (None: entry_response)
        run = params.replace(**values) if params is not None else Params.build(values)
        self.policies = list(policies)
        check_combination(self.policies, run.start_year)
        # 2020 is built at the baseline value of every lever (fundamentals, targets, firms, accounts
        # and the free-entry margin), so every run starts from the same calibrated 2020 economy and a
        # run's own levers act from its first quarter, as counterfactuals on that economy
        baseline = run.replace(**{q.name: q.default for q in PARAMS if q.kind == "lever"})
        # the calibrated state (tables, geography, frictions, fundamentals, 2020 support) is built once
        # per process for the parameters it reads (recorded while building), then reused read-only
        state = calibrated_state.lookup(baseline)
        self.params = baseline if state else calibrated_state.Reads(baseline)
        self.sectors, self.io, self.geography = (state.sectors, state.io, state.geography) if state \
            else calibrated_state.load_world(self.params)
        planning.check_user_cost(run.interest_rate, run.depreciation, self.sectors.capital_intensity,
                                 self.sectors.elasticity, self.sectors.names)
        provinces = len(self.geography.province_names)
        self.levers = Levers.initial(self.params, self.geography.count, provinces)
        self._build_world()
        if state:
            self.frictions, self.fundamentals = state.frictions, state.fundamentals
            self.set_targets(state.targets)
        else:
            self._calibrate()
            calibrated_state.store(self.params, self.sectors, self.io, self.geography, self.frictions,
                                   self.fundamentals, self.targets)
        self.params = baseline
        self._staff = None                  # staff_table() from the step's labour market to its metrics
        self._phi = None                    # effective_productivity() from the step's entry to its metrics
        self._capital = None                # capital_value() of the step's accounts and metrics
        self._targeted = None               # targeted_firms() from the step's entry to its end
        # a burn-in another run of this process already made from the same seed and parameters (with
        # the levers at baseline, as here) is copied, not repeated: the same state, bit for bit
        burnt_key = burnt_state.key(type(self), rng, baseline) if run.burn_in else None
        burnt = burnt_state.lookup(burnt_key)
        if burnt is not None:
            burnt_state.restore(burnt, self)
        else:
            self._populate()
            self._burn_in(4 * run.burn_in)
            burnt_state.store(burnt_key, self, [name for name in vars(self)
                                                if name not in mesa_names and name not in burnt_state.PER_RUN])
        if run.burn_in:
            # the migration block taken at the burnt-in state (_burn_in), on a copy of the read-only
            # calibrated fundamentals (a copied burnt-in state brings it along)
            amenity, attachment = self.burnt_migration
            self.fundamentals = dataclasses.replace(self.fundamentals, amenity=amenity, farm_attachment=attachment)
        # the reference of the aggregate productivity metric: t = 0's sector shares and productivity
        self.productivity_base = observation.productivity_base(self)
        self._observe()
        self.params, self.levers = run, Levers.initial(run, self.geography.count, provinces)
        self.frictions = self._frictions(self.levers, run.governments_act)
        self._check_rd_at_start()
        if not run.governments_act:
            self.targets[:] = 0.0
        self.datacollector = self._new_datacollector()
        self.datacollector.collect(self)

    def _new_datacollector(self) -> mesa.DataCollector:
        """The data collector of the model metrics and the city reports (nothing collected yet)."""
        sectors = self.sectors
        return observation.CityCollector(
            model_reporters={**{name: functools.partial(_metric, name=name) for name in MODEL_METRICS},
                             **{f"digital_adoption_{s}": functools.partial(_region_adoption, sector=k)
                                for k, s in enumerate(sectors.names) if sectors.traditional[k]}},
            # the city's name and province come first on every row, so mesa.batch_run rows say which city
            fields=[*((name, name, None) for name in CITY_METRICS),
                    *((f"employment_{s}", "employment", k) for k, s in enumerate(sectors.names)),
                    *((f"adoption_{s}", "adoption", k) for k, s in enumerate(sectors.names)
                      if sectors.traditional[k])],
        )

    def _burn_in(self, quarters: int) -> None:
        """Run ``quarters`` before ``start_year`` Q1 and make the state reached the start (t = 0).

        The set-up's 2020 is the steady state of the engine without productivity shocks; with them
        (``productivity_persistence`` below 1) closures, loss streaks, soft credit and the zombies'
        yearly accounts have their own steady state, which the set-up does not contain. The burn-in
        runs the step at the set-up's parameters (the levers at baseline, as the set-up is built) with
        three differences, each keeping a 2020 quantity that is data while the rest settles: no policy;
        nobody moves (mobility frozen), so the 2020 populations and farm labour stay; and entry replaces
        the leavers whatever the margin (the entry rule's response to it set to 0), so the firm mass
        stays at 2020's. Its last quarter is ``start_year`` Q1. Then what the set-up calibrates at
        2020's incomes is taken at this state's, as the set-up does at t = 0: the free-entry margin an
        entrant expects becomes the required one; the amenities are inverted so that 2020's net flows
        carry on at this state's expected real incomes, and the farmers' attachment to farming is this
        state's gap between low-skill and farm incomes (``burnt_migration``,
        :func:`ydabm.calibration.invert_amenities`, :func:`ydabm.calibration.farm_attachment`); and the
        bases of the price measures become this state's: real GDP is valued at its unit values (the
        Laspeyres base) and consumer prices are relative to its own. Nothing else is re-set: the
        mechanisms' references (2020 firm counts and exit flow, tax key, input prices, adoption,
        populations for housing costs) stay the set-up's. From t = 0 people move, and the run's levers
        and policies apply; the burn-in's quarters are not recorded. Until 7 Dec 2026 people moved in
        the burn-in at amenities inverted for stationary populations at the set-up's incomes, and the
        burnt-in incomes moved them (t = 0 GDP 6.0-6.8 % from 2020's by city, docs/validation.md,
        "Why the burnt-in shock economy misses 2020's cities").
        """
        if quarters <= 0:
            return
        policies, self.policies = self.policies, []
        # the burn-in's (unrecorded) metrics measure aggregate productivity from the set-up; t = 0's
        # own reference is taken after it (__init__)
        self.productivity_base = observation.productivity_base(self)
        self.datacollector = self._new_datacollector()      # (its rows are dropped)
        self._entry_response = 0.0
        # nobody moves: the 2020 populations and farm labour stay, as entry keeps the 2020 firm mass
        self.levers.mobility_frozen = True
        for quarter in range(quarters):
            self._clock_shift = quarter + 1 - quarters      # the last quarter is start_year Q1
            type(self).step(self)                            # (Mesa's step count stays at 0)
        self._clock_shift = 0
        self._entry_response = None
        self.levers.mobility_frozen = False
        self.policies = policies
        # the migration block calibrated at this state, as the set-up's is at 2020's incomes: the
        # amenities that carry 2020's net flows on, and the farmers' attachment to farming
        income = self.log_real_income(classes=slice(None))
        values, hukou = self.params.as_dict(), self.fundamentals.hukou_share
        amenity = calibration.invert_amenities(self.geography, income, self.labour_force, hukou, values)
        self.burnt_migration = (amenity, calibration.farm_attachment(self.geography, income, amenity,
                                                                     self.labour_force, hukou, values))
        self.required_margin = self.expected_margin()
        f = self.firms
        live = np.flatnonzero(f.alive)
        self.base_price = _unit_values(f.price[live], self.sectors.elasticity[f.sector[live]], f.cell[live],
                                       self.geography.count, self.sectors.count, f.mass[live])
        self.cpi0 = self.cpi.copy()

    # ------------------------------------------------------------------ the quarter
    def step(self) -> None:
        """One quarter."""
        p, f, s, geo, lev = self.params, self.firms, self.sectors, self.geography, self.levers
        self._staff = self._capital = self._targeted = None
        self.entrants_market = None
        # 1. Shocks and policies scheduled for this quarter: from no shock in force, they move the
        #    levers (and may tell entrants which market to expect: ``entrants_market``)
        lev.clear_shocks(geo.count)
        for policy in self.policies:
            policy.on_step(self)
        # a policy may have replaced the network (NetworkUpgrade, set_geography): the rest of the
        # quarter reads the current one
        geo = self.geography
        self.expect_input_prices()

        # 2. Governments: yearly choice of target sectors (first quarter)
        if self.quarter == 0 and p.governments_act:
            self.set_targets(self.choose_targets(self.employment_by_sector()))

        # 3. Technology: firms choose R&D and innovate (spillovers from other cities' R&D stocks);
        #    traditional firms adopt digital technology (nearby digital activity yearly); trend growth
        before = self.effective_productivity()
        # live enterprise mass by city-sector: the same from here until the firms shrink (4.)
        mass = self.live_cell_sums(f.mass).reshape(geo.count, s.count)
        self.rd_fund_rate = self.joint_fund_rate()
        self.apply_innovation(self.innovate())
        self.apply_productivity_shocks()
        if self.quarter == 0:
            self.digital_access = technology.digital_access(self.employment_by_sector(), s.digital, geo.hours,
                                                            s.digital_reach_hours)
        self.apply_adoption(self.adoption_targets(), mass)
        self.tfp = technology.trend_tfp(self.tfp, self.exogenous_growth)
        self.sector_trend = technology.trend_tfp(self.sector_trend, p.tfp_growth_scale * np.log1p(s.tfp_growth))
        self.tfp_growth = self.productivity_growth(before)

        # 4. Firm dynamics: a share exit_rate of every cohort's enterprises leaves; cohorts failing
        #    after last quarter's losses without support close (or shed failing_exit_share of their
        #    enterprises); worn-down cohorts merge into their city-sector's largest; cohorts holding more
        #    than max_cohort_share of their city-sector split in two; entry at the
        #    free-entry margin of last quarter
        self.shrink_firms(p.exit_rate, mass)
        with self.workers_moved_once(defer=True):       # (their workers move in the labour market, 7.)
            self.close_firms(entry.exits(f.alive, self.shed_failing(p.failing_exit_share)))
            self.merge_firms(*entry.merge_pairs(f.alive, f.cell, f.mass, f.peak))
        self.split_firms(entry.split_rows(f.alive, f.cell, f.mass, p.max_cohort_share,
                                          entry.min_cohort_mass(p.people_per_agent, self.staffing)))
        self.open_firms(self.entry_intensity(self._entry_response))
        # firms' productivity, adoption and the trend are constant from here to the metrics: computed once
        self._phi = self.effective_productivity()
        self._phi.flags.writeable = False
        # the targets (chosen in 2.) and the firms' cells and live rows are fixed from here to the
        # step's end: each firm's support intensity is read once (planning, entrants, accounts)
        self._targeted = self.targeted_firms()
        self._targeted.flags.writeable = False

        # 5. Migration: reconsidering workers relocate by logit over last quarter's real incomes
        moves = self.choose_moves()
        self.apply_moves(moves)

        # 6. Firms plan: markup prices, expected notional demand, capacity, desired staff
        plan = self.plan_production()
        f.apply_plan(plan)

        # 7. Labour market: separations and layoffs, matching, wages
        hiring = self.clear_labour_market(plan.desired_staff)
        self.apply_hiring(hiring)
        self._staff = hiring.employed       # firms' staff by city: constant from here to the metrics

        # 8. Supply chains: input orders for the planned output; the scarcest input bounds production
        orders = self.order_inputs(plan)
        self.apply_orders(orders, plan)

        # 9. Goods market: CES demand of final buyers and firms over the network; prices clear it
        sales = self.clear_goods_market()
        f.apply_sales(sales)

        # 10. Inventories: deliveries arrive at this quarter's prices, inputs are used
        self.apply_deliveries(self.deliver_inputs())

        # 11. Accounts: wages, profits, taxes, subsidies, soft-budget support, budgets, spending
        #     (R&D and digital adoption are intangible investment, spent on local goods next quarter;
        #     the joint R&D fund's grants reach firms through their governments, which pay in by GDP)
        rd = f.rd_share * self.outlay_base()
        rd_by_city = self.city_sums()(rd)           # (the joint fund's base and the cities' R&D spending)
        self.fund_transfer = technology.fund_transfers(self.rd_fund_rate, rd_by_city,
                                                       self.flows["value_added"], bool(lev.rd_fund_pooled))
        self.budgets = self.budgets + self.fund_transfer
        allowance = accounts.support_allowance(self.budgets, p.debt_limit, 4 * self.flows["value_added"],
                                               self.flows["income_tax"] + self.flows["profit_tax"],
                                               self.flows["benefits"])
        # entrants' first capacity is investment too, subsidised like any other
        entrant_support = p.capacity_subsidy * self.targeted_firms() * self.entrant_outlay
        intangible_support = (lev.rd_subsidy + np.take(self.rd_fund_rate, f.city)) * rd + lev.adoption_subsidy * self.adoption_outlay
        self._capital = self.capital_value()  # firms' capital: constant from here to the metrics
        self._capital.flags.writeable = False
        books = self.settle_accounts(plan.investment + self.entrant_outlay + rd + self.adoption_outlay,
                                     plan.capacity_support + entrant_support + intangible_support,
                                     lev.saving_rate, lev.dissaving_share, allowance)
        self.apply_accounts(books)
        self.accumulate_rd(rd, rd_by_city)

        # 12. Metrics (a run whose prices or money overflowed, or whose R&D lost its stable level, stops
        #     here, saying what diverged)
        self._check_finite()
        self._check_rd_stable(rd)
        self._observe()
        self.datacollector.collect(self)
        self._staff = None
        self._phi = None
        self._capital = None
        self._targeted = None

    # ------------------------------------------------------------------ calendar
    @property
    def clock(self) -> int:
        """Quarters since ``start_year`` Q1 (t = 0; negative in the burn-in, :meth:`_burn_in`)."""
        return self.steps + self._clock_shift

    @property
    def year(self) -> int:
        return self.params.start_year + self.clock // 4

    @property
    def quarter(self) -> int:
        return self.clock % 4

    # ------------------------------------------------------------------ set-up
    def _build_world(self) -> None:
        geo = self.geography
        positions = {i: tuple(geo.positions[i]) for i in range(geo.count)}
        # the Mesa network holds its own copy of the transport graph; set_geography keeps it current
        self.space = Network(geo.graph.copy(), random=self.random, layout=positions)
        self.budgets = np.zeros(geo.count)
        self.tax_key = None                      # the cities' 2020 tax shares, once the 2020 accounts exist
        self.targets = np.zeros((geo.count, self.sectors.count))      # support intensities in [0, 1]
        self.governments = [CityGovernment(self, self.space[i], i, geo.names[i], geo.provinces[i])
                            for i in range(geo.count)]
        self.hukou_groups = int(geo.province_index.max()) + 2

    def _calibrate(self) -> None:
        """Invert the 2020 data at the baseline levers (``self.params`` and ``self.levers`` during
        set-up), then set the 2020 frictions and targets."""
        self.frictions = self._frictions(self.levers, self.params.governments_act)
        self.fundamentals = calibration.calibrate(self.geography, self.sectors, self.params.as_dict(),
                                                  self.frictions.iceberg, self.frictions.wedge, self.io)
        if self.params.governments_act:
            # the 2020 support is a steady state of the yearly choice: each government's allocation given
            # the 2020 structure and its peers' 2020 allocations repeats itself (a damped fixed point);
            # the structure is the one the yearly choice reads, employment (not value added)
            structure = calibration.employment_structure(self.fundamentals, self.sectors)
            for _ in range(TARGET_ROUNDS):
                chosen = self.choose_targets(structure)
                if np.abs(chosen - self.targets).max() < TARGET_TOLERANCE:
                    break
                self.set_targets(0.5 * (self.targets + chosen))
            self.set_targets(chosen)

    def _populate(self) -> None:
        """Create workers and firms that reproduce the calibrated t = 0 economy in its steady state."""
        p, fund, s = self.params, self.fundamentals, self.sectors
        cities = self.geography.count
        force = self._initial_labour_force()
        self.workers = Workers.populate(force, fund.hukou_share, self.rng)
        self.labour_force = self.workers.table(cities)          # (C, 3), kept current by migration
        # residents out of the labour force (agent units): they stay where they are, and their
        # households' pooled income in the city pays for what they consume
        self.dependants = np.zeros(cities) if fund.dependants is None else fund.dependants.copy()
        self.wages = fund.wages.copy()
        firm_total = max(int(round(self.workers.count / p.workers_per_firm)), 1)
        calibrated = _allocate(fund.revenue, firm_total, p.firm_count_elasticity)
        cell_revenue = self._initial_cell_revenue(force)
        counts = _allocate(cell_revenue, firm_total, p.firm_count_elasticity)
        # worker agents per firm agent (a unit of firm mass) at t = 0: workers_per_firm, unless the
        # allocation's floor of one firm agent per city-sector made more agents than it asks for (at
        # scales coarser than about 5000 people per agent, or a large workers_per_firm: 492 agents
        # where 14 were asked at 20,000 people per agent and 555 workers per firm), when an agent
        # employs as many times fewer (workers_per_firm x asked / made: the workers over the agents
        # made, but for the rounding of the count asked, so that where the floor adds no agent it is
        # workers_per_firm bit for bit). The thresholds that read a firm mass as staff (the mass that
        # opens or splits a cohort, the enterprises an agent stands for) use this figure: with
        # workers_per_firm there, at 20,000 people per agent and 555 workers per firm, cohorts of 15
        # worker agents split into 32 of half a worker agent each, and employment fell from 7,199
        # worker agents to 111 in twelve quarters
        self.staffing = p.workers_per_firm * firm_total / int(counts.sum())
        self.firms = Firms(Firms.rows_for(int(counts.sum())), s.count)
        cell = np.repeat(np.arange(cities * s.count), counts.ravel())
        city, sector = np.divmod(cell, s.count)
        sigma = s.elasticity[sector]
        # a cell's calibrated price level is that of its whole variety mass: a firm's productivity is
        # the cell's over n^(1/(sigma-1)), so that sum_f p_f^(1-sigma) reproduces the calibration
        self.cell_productivity = fund.productivity * calibrated ** (-1.0 / (s.elasticity - 1.0))[None, :]
        # 2020 is a quarter of the step's steady state, in which demand in units grows with the sectors'
        # trend productivity (prices fall on a fixed money stock) and the flexible accelerator's capacity
        # trails the newsvendor's goal by a steady share, capacity_lag (entrants build at the goal)
        growth = np.expm1(p.tfp_growth_scale * np.log1p(s.tfp_growth) / 4.0)
        lag = capacity_lag(growth, p.investment_speed, p.exit_rate, p.depreciation)
        _check_capacity_lag(lag, growth, p, s.names)
        # (S,) kept: the notional market takes every firm at this share of its goal (planned_served)
        self.steady_lag = lag
        # buyers get the share S(c q) of a cell's orders that its enterprises' capacity serves: the 2020
        # price level is that of what they can get, p^(1-sigma) S(c q) the calibrated variety weight
        served_cell = goods.sales_share(self.capacity_ratio(np.arange(s.count)[None, :], self.targets) * lag[None, :],
                                        p.demand_dispersion)
        self.cell_productivity *= served_cell ** (-1.0 / (s.elasticity - 1.0))[None, :]
        # the capacity per unit of expected demand (orders) of the 2020 firms, and their expected sales per order
        # (these depend on the city-sector only: computed per cell, then read by each firm of the cell)
        cell_sector = np.arange(cities * s.count) % s.count
        cell_ratio = self.cell_capacity_ratio() * lag[cell_sector]
        ratio = cell_ratio[cell]
        served = goods.sales_share(cell_ratio, p.demand_dispersion)[cell]
        # break-even revenue relative to the cell mean: overhead over the margin left after capital
        cell_sigma = s.elasticity[cell_sector]
        cell_margin = 1.0 / cell_sigma - self.capital_upkeep(cell_sector, cell_ratio)
        cell_threshold = s.fixed_cost[cell_sector] / np.maximum(cell_margin, 1e-9)
        threshold = cell_threshold[cell]
        cutoff = entry.zero_profit_cutoff(cell_threshold, cell_sigma, p.productivity_dispersion)[cell]
        # the cohorts at the steady state's ages (entry, the hazard and merging): each holds peak x
        # (1 - exit_rate)^age founding cohorts, a city-sector's the calibrated count
        ages, cohort_mass, peak = entry.stationary_cohorts(cell, p.exit_rate, self.rng.random(cities * s.count))
        log_draw = entry.truncated_normal(cutoff, p.productivity_dispersion, self.rng.random(cell.size))
        # the cutoff is exact for a large city-sector; in a small one, redraw the few firms whose
        # share of the cell's revenue still misses break-even (2020 is a state without losses)
        for _ in range(20):
            draw = np.exp(log_draw * (sigma - 1))
            mass = np.bincount(cell, cohort_mass * draw, minlength=cities * s.count)
            short = draw * counts.ravel()[cell] / mass[cell] < threshold
            if not short.any():
                break
            log_draw[short] = entry.truncated_normal(cutoff[short], p.productivity_dispersion,
                                                     self.rng.random(int(short.sum())))
        draw = np.exp(log_draw * (sigma - 1))
        mass = np.bincount(cell, cohort_mass * draw, minlength=cities * s.count)
        weight = cohort_mass * draw / mass[cell]
        revenue = cell_revenue.ravel()[cell] * weight
        unit_labour = self.mix_wage()[city, sector]
        # the productivity of a z = 1 firm: the cell's over its draws' mean z^(sigma-1), so that the
        # draws reproduce the calibrated variety mass (entrants draw around the same level)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_draw = np.where(counts > 0, mass.reshape(cities, s.count) / counts, 1.0)
        self.cell_productivity *= mean_draw ** (-1.0 / (s.elasticity - 1.0))[None, :]
        # the draw of a firm with the cell's mean revenue (E[z^(sigma-1)]^(1/(sigma-1))): the entrant
        # whose margin stands for the cell's expected entry margin
        self.mean_draw = mean_draw ** (1.0 / (s.elasticity - 1.0))[None, :]
        productivity = self.cell_productivity[city, sector] * np.exp(log_draw)
        # with inputs, the gross price passes the 2020 input cost (the share a_s of it) through
        gross_share = 1.0 - self.input_share[sector]
        price = planning.markup_price(unit_labour / productivity, sigma) / gross_share
        gross = revenue / gross_share
        quantity = gross / price
        mean_revenue = cell_revenue.ravel()[cell] / counts.ravel()[cell]
        overhead = s.fixed_cost[sector] * mean_revenue / unit_labour        # a founding cohort's
        self.overhead_cell = np.zeros((cities, s.count))
        self.overhead_cell.ravel()[cell] = overhead
        overhead = cohort_mass * overhead
        # the calibrated sales are the expected sales of orders quantity / S(c q), which the enterprises'
        # turned-away orders raise at every rival; capacity starts where the accelerator keeps it (its
        # steady state share c of the goal): no spurious investment wave
        capacity = planning.desired_capacity(quantity / served, ratio, s.capital_intensity[sector])
        rows = np.arange(cell.size)
        self.firms.open(rows, self.rng.random((rows.size, CLASSES)), mass=cohort_mass, peak=peak,
                        sector=sector, city=city, productivity=productivity, overhead=overhead,
                        capacity=capacity, price=price, output=quantity, revenue=gross,
                        expected_sales=gross / served, notional_sales=gross / served, age=ages,
                        deviation=log_draw)
        # the steady state's first-year enterprises: entry replaces the hazard's exits, so of each
        # founding cohort exit_rate x (1 - exit_rate)^k entered k quarters ago and is still in its
        # first year (k < COHORT; the ring slot of quarter -k), as entrants are after a year of runs
        # (spread over the cohorts by mass: the flow entry sustains, entry.stationary_cohorts)
        for k in range(COHORT):
            self.firms.joined[rows, -k % COHORT] = cohort_mass * p.exit_rate * (1.0 - p.exit_rate) ** k
        planned = self._hire_initial_staff(fund.skill_mix[sector] * (overhead + quantity / productivity)[:, None])
        # 2020 prices: each city-sector's unit value at t = 0 markup prices (Laspeyres volume base)
        self.base_price = _unit_values(price, sigma, cell, cities, s.count, cohort_mass)
        self.spending = cell_revenue.sum(axis=1) * fund.spending.sum() / cell_revenue.sum()
        self.savings = np.zeros(cities)
        self.initial_population = self.population_by_city()
        # the core: cities that had gained net migrants by 2020 (resident > hukou population)
        self.core = calibration.net_migrant_stock(self.geography) > 0
        self.stranded = 0.0
        self.stranded_cells = np.zeros(cities * s.count)   # (C x S,) this quarter's, by city-sector
        self.entries = self.exits = 0.0
        self.moves = relocation.Moves(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros((cities, cities)))
        self.tfp = np.ones((cities, s.count))          # exogenous productivity by city-sector
        self.sector_trend = np.ones(s.count)            # the sectors' whole trend (outside the region)
        self._start_adoption()
        self.cpi0 = fund.consumer_price
        self._start_supply_chains()
        self.solved_access = (None, None)                # (this quarter's, the last) market access solved
        # the goods market entrants expect this quarter when a policy says it is not last quarter's (a
        # lockdown's market, which firms do not learn: CityLockdown); None: last quarter's
        self.entrants_market = None
        self.market_before_lockdown = None              # the last market before a CityLockdown under way
        self.firms.apply_sales(self.clear_goods_market())
        self.firms.notional_sales[rows] = gross / served    # 2020 orders at the markup price: the calibrated demand
        if self.io is not None:
            self.input_price0 = self.input_index.copy()
            if self.geography.synthetic:
                self.input_price0 = supply_chain.common_input_base(self.input_index, self.sectors.elasticity)
            self.apply_deliveries(self.deliver_inputs())
            # the first quarter starts from the inventories' steady state at the set-up's outcome
            self.stock = self._steady_stock(price)
            self.stock_value = self.stock_at_replacement_cost()
            # a city-sector that makes nothing at t = 0: the labour per unit of output of its entrants
            # (the cell's mean draw at 2020)
            entrants = 1.0 / (self.cell_productivity * self.mean_draw) * np.ones_like(self.intensity)
            self.labour_per_output0 = self._labour_per_output(self.firms.output, entrants)
        self._calibrate_innovation()
        # firms invest as in the accelerator's steady state (replacement, the expansion that keeps up with
        # demand, and the first capacity of the quarter's entrants, who replace the hazard's exits, less
        # the leavers' capital they reuse; all subsidised where targeted) and spend their calibrated R&D
        investment = self.capital_value() * np.take(steady_investment(growth, p.investment_speed, p.depreciation,
                                                                      p.exit_rate, p.capital_recovery),
                                                    self.firms.sector)
        rd = self.firms.rd_share * self.outlay_base()
        self.firms.debt = p.leverage * self.capital_value()      # every firm at its banks' collateral line
        # for soft credit weighed over the expected spells (``credit_spells``): the exposed and recovered
        # mass of failing firms by streak class in the last YEAR - 1 quarters, and this quarter's
        # job-finding rates by city
        self.failing_record = np.zeros((credit.YEAR - 1, credit.SPELL_CLASSES, 2))
        self.finding = np.ones(self.geography.count)
        self.stranded_debt = 0.0
        books = self.settle_accounts(investment + rd, p.capacity_subsidy * self.targeted_firms() * investment
                                     + self.levers.rd_subsidy * rd, 0.0, 0.0)
        self.apply_accounts(books)
        self.firms.loss_streak[:] = 0           # the calibrated 2020 accounts open the books; no history
        # 2020 is a steady state: the three years before it are its structural accounts, at the calibrated
        # sales and the planned staff (the quarter's realized books carry sales noise, and a firm the
        # set-up gave no whole worker pays no wages). A firm whose structural operating profit does
        # not cover its interest has had three weak years (a zombie if it lives on support)
        f = self.firms
        structural = (f.year_operating[rows] + (gross - f.revenue[rows])
                      + ((f.jobs[rows] - planned) * self.wages[city]).sum(axis=1))
        f.weak_years[rows] = np.where(credit.weak_coverage(structural, f.year_interest[rows]),
                                      np.minimum(credit.ZOMBIE_YEARS, ages // credit.YEAR), 0)   # years lived
        f.zombie = credit.zombies(f.alive, f.weak_years, f.subsidy > 0)
        taxes = self.flows["income_tax"] + self.flows["profit_tax"]
        self.tax_key = taxes / taxes.sum() if taxes.sum() > 0 else np.full(cities, 1.0 / cities)
        # 2020 is a free-entry equilibrium: entry replaces exits at each city-sector's 2020 margin
        self.required_margin = self.expected_margin()
        self.failing = np.zeros(self.firms.size, dtype=bool)
        self.initial_firms = np.maximum(counts, 1).astype(float)
        # entry replaces the hazard's outflow at 2020 margins; each city-sector's cohort of the year
        self.exit_flow = p.exit_rate * self.initial_firms
        # each city-sector's cohort of the year: its youngest, if it entered within the year (its
        # entrants join it, as in the steady state: city-sectors open their yearly cohorts out of phase)
        youngest = entry.largest_cohorts(ages < COHORT, cell, cohort_mass, cities * s.count)
        self.cohort = youngest.reshape(cities, s.count)

    def _start_adoption(self) -> None:
        """Digital adoption at t = 0: every traditional firm at its city-sector's desired share (the
        steady state of the adoption flow), which the calibrated productivities include."""
        p, s = self.params, self.sectors
        self.digital_access = technology.digital_access(self.employment_by_sector(), s.digital, self.geography.hours,
                                                        s.digital_reach_hours)
        value = technology.innovation_value(s.elasticity, np.log1p(p.adoption_gain), p.innovation_discount)
        self.adoption_value = np.where(s.traditional, value, 0.0)
        self.adoption0 = self.adoption_targets()
        self.cell_adoption = self.adoption0.copy()
        self.firms.adoption = np.where(self.firms.alive, np.take(self.adoption0, self.firms.cell), 0.0)
        self.adoption_outlay = np.zeros(self.firms.size)

    def _calibrate_innovation(self) -> None:
        """R&D efficiency theta_p of each province so that its t = 0 R&D intensity (R&D over GDP) is
        its 2020 one, with the knowledge pools of the stocks this R&D sustains (a fixed point); the
        innovation step gamma so that the four provinces' patents at t = 0 are their 2020 invention
        grants; each city-sector's exogenous trend as its sector's configured trend less its t = 0
        endogenous growth, so that at t = 0 every city-sector grows at its sector's trend, as before
        (2020 stays a steady state of relative productivity; only changes in R&D, spillovers and
        innovation draws move cities apart). Synthetic worlds have no R&D (their theory has none)."""
        p, f, s, geo = self.params, self.firms, self.sectors, self.geography
        cities, provinces = geo.count, len(geo.province_names)
        self.enterprises = entry.enterprises_per_firm(p.people_per_agent, self.staffing)
        self.knowledge = np.zeros((cities, s.count))
        self.patents = np.zeros(cities)
        self.tfp_growth = 0.0
        f.rd_share = np.zeros(f.size)
        self.rd_efficiency = np.zeros(cities)
        self.rd_stock, self.rd_scale, self.innovation_step = np.zeros(cities), 1.0, 0.0
        self.rd_spending, self.rd_fund_rate, self.fund_transfer = np.zeros(cities), np.zeros(cities), np.zeros(cities)
        self.patent_propensity = np.ones(cities)
        # yearly log rates: the trend (times tfp_growth_scale) less the t = 0 innovation growth
        self.exogenous_growth = np.tile(p.tfp_growth_scale * np.log1p(s.tfp_growth), (cities, 1))
        if geo.synthetic:
            return
        data = load_innovation_table().loc[geo.province_names]
        target = data["rd_intensity_pct"].to_numpy() / 100
        revenue = np.where(f.alive, self.firm_value_added(), 0.0)
        by_province = geo.province_index[f.city]
        gdp = np.bincount(by_province, revenue, minlength=provinces)
        granted = float(data["invention_patents_granted"].sum())
        cell = f.cell

        def intensities(theta: np.ndarray, value: np.ndarray) -> np.ndarray:
            """(P,) t = 0 R&D intensities at the efficiencies ``theta`` (leaves the shares and the steady
            stocks they sustain on the model)."""
            self.rd_efficiency = theta[geo.province_index]
            f.rd_share = np.where(f.alive, np.take(self.rd_share_by_cell(value).ravel(), cell), 0.0)
            rd = f.rd_share * revenue
            self.rd_stock = np.bincount(f.city, rd, minlength=cities) / p.rd_depreciation
            self.rd_scale = self.rd_stock.sum()
            return np.bincount(by_province, rd, minlength=provinces) / gdp

        def efficiencies(step: float, theta: np.ndarray) -> tuple[np.ndarray, float]:
            """theta so that t = 0 R&D intensity is 2020's at the step ``step`` (from ``theta``), and the
            yearly innovations they give (leaves the shares and stocks on the model)."""
            value = technology.innovation_value(s.elasticity, step, p.innovation_discount)
            for _ in range(CALIBRATION_ROUNDS):
                intensity = intensities(theta, value)
                if np.abs(intensity - target).max() < CALIBRATION_TOLERANCE:
                    break
                theta = theta * (target / intensity) ** (1 - p.rd_elasticity)
            self.innovation_value = value
            return theta, 4 * self.enterprises * float(np.sum(self.innovation_rate(f.rd_share) * f.mass))

        # the step gamma so that the yearly innovations at t = 0 are 2020's invention grants: at given
        # intensities innovations fall with gamma (theta falls as 1 / v(gamma)); secant steps on
        # ln(innovations / grants), from a first guess and the step that scales v(gamma) by that ratio
        # at the middle elasticity
        power = float(np.median(s.elasticity)) - 1.0
        steps = [INITIAL_STEP]
        theta, innovations = efficiencies(INITIAL_STEP, np.full(provinces, 0.01))
        gaps = [np.log(innovations / granted)]
        steps.append(float(np.log1p(np.expm1(power * INITIAL_STEP) * innovations / granted) / power))
        for _ in range(CALIBRATION_ROUNDS):
            theta, innovations = efficiencies(steps[-1], theta)
            gaps.append(np.log(innovations / granted))
            if abs(gaps[-1]) < CALIBRATION_TOLERANCE or gaps[-1] == gaps[-2]:
                break
            # a secant step that would leave the positive steps halves the last one instead
            steps.append(max(steps[-1] - gaps[-1] * (steps[-1] - steps[-2]) / (gaps[-1] - gaps[-2]), steps[-1] / 2))
        self.innovation_step = float(steps[-1])
        self.rd_spending = np.bincount(f.city, f.rd_share * revenue, minlength=cities)
        # patents per innovation by province, so that t = 0 patents per yuan of R&D are 2019's
        innovations = np.bincount(by_province, np.where(f.alive, self.innovation_rate(f.rd_share) * f.mass, 0.0),
                                  minlength=provinces)
        spent = np.bincount(by_province, f.rd_share * revenue, minlength=provinces)
        self.patent_propensity = technology.patent_propensity(
            (data["invention_patents_granted_2019"] / data["rd_expenditure_2019_100m_yuan"]).to_numpy(),
            spent, innovations)[geo.province_index]
        # every firm of a city-sector innovates at the same expected rate: its quarterly log growth
        growth = np.zeros(cities * s.count)
        growth[f.cell[f.alive]] = technology.innovation_growth(self.innovation_rate(f.rd_share), self.innovation_step,
                                                               np.take(s.elasticity, f.sector))[f.alive]
        self.exogenous_growth -= 4 * growth.reshape(cities, s.count)
        self._check_rd_steady_state(revenue, target)

    def _check_rd_steady_state(self, revenue: np.ndarray, target: np.ndarray) -> None:
        """Refuse a set-up whose R&D has no stable 2020 level: the calibration did not reach the
        provinces' 2020 R&D intensities (to :data:`CALIBRATION_FIT`), or the loop R&D -> R&D stocks ->
        knowledge pools -> R&D has a gain of 1 or more there
        (:func:`ydabm.mechanisms.technology.spillover_loop_gain`, ``self.rd_loop_gain``). Above 1 a
        change of R&D anywhere grows without bound (measured: a 5 % rise of every stock at t = 0 is
        2.6 times larger after 40 quarters at a gain of 1.63, and a third of its size at 0.32, the
        defaults' gain), so a lever's effect would be that growth. Raises ParameterError."""
        p, f, geo = self.params, self.firms, self.geography
        rd = f.rd_share * revenue
        by_province = geo.province_index[f.city]
        with np.errstate(divide="ignore", invalid="ignore"):
            intensity = (np.bincount(by_province, rd, minlength=target.size)
                         / np.bincount(by_province, revenue, minlength=target.size))
            miss = float(np.abs(intensity / target - 1.0).max())
        self.rd_loop_gain = self._rd_loop_gain(rd)
        if miss < CALIBRATION_FIT and self.rd_loop_gain < 1.0:
            return
        why = (f"the loop R&D -> R&D stocks -> knowledge pools -> R&D has a gain of {self.rd_loop_gain:.3g} at the "
               f"calibrated 2020 state (stable below 1; above, a change of R&D anywhere grows without bound)"
               if miss < CALIBRATION_FIT else
               f"no R&D efficiencies reach the provinces' 2020 R&D intensities (the closest misses one by "
               f"{100 * miss:.3g} %; the loop's gain there {self.rd_loop_gain:.3g})")
        raise ParameterError(
            f"knowledge_spillover, rd_elasticity, knowledge_decay_hours: {p.knowledge_spillover:g}, {p.rd_elasticity:g} "
            f"and {p.knowledge_decay_hours:g} leave R&D without a stable 2020 level: {why}; lower "
            f"knowledge_spillover, rd_elasticity or knowledge_decay_hours ({RD_ADVICE})")

    def _rd_loop_gain(self, rd: np.ndarray, weights: np.ndarray | None = None) -> float:
        """Gain of the loop R&D -> R&D stocks -> knowledge pools -> R&D at the current R&D stocks and
        the knowledge ``weights`` (default: the current ones;
        :func:`ydabm.mechanisms.technology.spillover_loop_gain`), the firms' R&D ``rd`` (F,) telling
        which share of each city's R&D comes from firms below the cap."""
        f, p = self.firms, self.params
        cities = self.geography.count
        below = np.bincount(f.city, np.where(f.rd_share < technology.MAX_RD_SHARE, rd, 0.0), minlength=cities)
        total = np.bincount(f.city, rd, minlength=cities)
        with np.errstate(divide="ignore", invalid="ignore"):
            uncapped = np.where(total > 0, below / total, 0.0)
        return technology.spillover_loop_gain(self.frictions.knowledge if weights is None else weights, self.rd_stock,
                                              self.rd_scale, p.knowledge_spillover, p.rd_elasticity, uncapped)

    def _rd_gain_if_near(self, rd: np.ndarray, weights: np.ndarray) -> float | None:
        """The loop's gain (:meth:`_rd_loop_gain`) where it may reach 1: None where its upper bound, the
        loop's largest row sum with every firm below the cap, is below 1 (the default runs, far below
        it, never compute the gain itself)."""
        p = self.params
        loop = technology.spillover_loop(weights, self.rd_stock, self.rd_scale, p.knowledge_spillover, p.rd_elasticity)
        return None if technology.loop_row_bound(loop) < 1.0 else self._rd_loop_gain(rd, weights)

    def _check_rd_at_start(self) -> None:
        """Refuse, before the run starts, a run whose own levers or policies leave R&D without a stable
        level at once: the loop's gain at t = 0's R&D stocks with the knowledge weights of the run's
        levers (a lower barrier lowers the co-invention friction), widened by the policies that widen
        knowledge's reach as soon as they act (``knowledge_reach``: opening the knowledge flows, adding
        rail links). What a policy does later to the stocks (an R&D fund) only the run shows
        (:meth:`_check_rd_stable`). Raises ParameterError naming the three fields and the policies."""
        p, lev, f = self.params, self.levers, self.firms
        geography, opened, widening = self.geography, bool(lev.knowledge_open), []
        for policy in self.policies:
            reach = getattr(policy, "knowledge_reach", None)
            if reach is not None:
                geography, opens = reach(geography)
                opened = opened or opens
                widening.append(type(policy).__name__)
        weights = knowledge_weights(geography.hours, geography.province_index, lev.barrier, p.knowledge_decay_hours,
                                    0.0 if opened else p.knowledge_border)
        gain = self._rd_gain_if_near(np.where(f.alive, f.rd_share * f.revenue, 0.0), weights)
        if gain is None or gain < 1.0:
            return
        where = (f"once {' and '.join(widening)} widen{'s' if len(widening) == 1 else ''} knowledge's reach"
                 if widening else "at this run's levers")
        raise ParameterError(
            f"knowledge_spillover, rd_elasticity, knowledge_decay_hours: {p.knowledge_spillover:g}, {p.rd_elasticity:g} "
            f"and {p.knowledge_decay_hours:g} leave R&D without a stable level {where}: the loop R&D -> R&D stocks "
            f"-> knowledge pools -> R&D has a gain of {gain:.3f} at t = 0's R&D stocks ({self.rd_loop_gain:.3f} at "
            f"the set-up's levers; stable below 1); lower knowledge_spillover, rd_elasticity or knowledge_decay_hours "
            f"({RD_ADVICE})")

    def _check_rd_stable(self, rd: np.ndarray) -> None:
        """Raise :class:`Diverged` if the loop R&D -> R&D stocks -> knowledge pools -> R&D has a gain of
        1 or more at this quarter's R&D stocks and knowledge weights (``rd`` (F,): this quarter's R&D).

        The set-up refuses a 2020 state with such a gain (:meth:`_check_rd_steady_state`); a policy can
        raise it later, by opening knowledge flows, adding rail links or funding R&D (higher stocks
        deepen the pools). From there R&D grows until firms reach the cap of R&D at
        :data:`~ydabm.mechanisms.technology.MAX_RD_SHARE` of their revenue (measured:
        ``innovation_community`` at knowledge_spillover 1.75, rd_elasticity 0.8: R&D intensity 3 % ->
        42 % of GDP in 20 years), so the lever's effect would be that growth."""
        p = self.params
        gain = self._rd_gain_if_near(rd, self.frictions.knowledge)
        if gain is None or gain < 1.0:
            return
        raise Diverged(
            f"R&D lost its stable level in quarter {self.clock} ({self.year} Q{self.quarter + 1}"
            f"{', in the burn-in' if self.clock <= 0 else ''}): the loop R&D -> R&D stocks -> knowledge pools -> "
            f"R&D has a gain of {gain:.3f} at this quarter's R&D stocks (stable below 1; {self.rd_loop_gain:.3f} at "
            f"set-up), so a change of R&D anywhere grows until firms spend {technology.MAX_RD_SHARE:g} of their "
            f"revenue on R&D; knowledge_spillover, rd_elasticity and knowledge_decay_hours are "
            f"{p.knowledge_spillover:g}, {p.rd_elasticity:g} and {p.knowledge_decay_hours:g} ({RD_ADVICE})")

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
        p = self.params
        force = self.fundamentals.labour_force.copy()
        if not self.geography.synthetic:
            return force
        mobile = force[:, 1:].sum()
        weight = np.exp(self.rng.normal(0.0, p.initial_noise, self.geography.count)) if p.initial_noise > 0 \
            else np.ones(self.geography.count)
        others = np.arange(self.geography.count) > 0
        weight[others] *= (1 - p.initial_core_share) / weight[others].sum()
        weight[0] = p.initial_core_share
        weight /= weight.sum()
        low_share = force[:, 1].sum() / max(mobile, 1)
        total = _round_within(weight * mobile, np.zeros(weight.size, dtype=np.int64), np.array([mobile]), 1)
        force[:, 1] = np.rint(total * low_share).astype(int)
        force[:, 2] = total - force[:, 1]
        return force

    def _hire_initial_staff(self, desired: np.ndarray) -> np.ndarray:
        """Place employed workers (1 - natural rate of each city-class) into firms' desired jobs; returns
        the live firms' (n, K) planned staff before rounding to whole workers."""
        firms, workers = self.firms, self.workers
        live = np.flatnonzero(firms.alive)
        supply = workers.table(self.geography.count).ravel()
        employed = np.rint(supply * (1 - self.params.natural_unemployment)).astype(np.int64)
        markets = (firms.city[live].astype(np.int64)[:, None] * CLASSES + np.arange(CLASSES)).ravel()
        want = desired.ravel()
        total = np.bincount(markets, want, minlength=supply.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(total[markets] > 0, want * employed[markets] / total[markets], 0.0)
        slots = _round_within(scaled, markets, employed, supply.size)
        # (workers are created in market order: each market's workers are chosen in their own block)
        labour.place_in_market_order(workers.employer, workers.market, markets, np.repeat(live, CLASSES),
                                     slots, self.rng)
        # every slot is filled: the staff by firm and class are the slots (what jobs_of would count)
        firms.employees = np.zeros((firms.size, CLASSES), dtype=np.int32)
        firms.employees[live] = slots.reshape(-1, CLASSES)
        # the hours at which the whole staffs supply the planned labour
        firms.hours[live] = labour.planned_hours(scaled.reshape(-1, CLASSES), slots.reshape(-1, CLASSES))
        firms.jobs[live] = labour.job_labour(scaled.reshape(-1, CLASSES), slots.reshape(-1, CLASSES),
                                             slots.reshape(-1, CLASSES))
        firms.job_units[live] = self.labour_units(firms.jobs[live], live)
        return scaled.reshape(-1, CLASSES)

    # ------------------------------------------------------------------ levers used by policies
    def set_barrier(self, value: float | np.ndarray) -> None:
        """Move the administrative barrier of every province (and the frictions derived from it).

        Args:
            value: one barrier for all provinces, or (P,) one per province; clipped to [0, 1].
        """
        self.set_province_levers(barrier=value)

    def set_province_levers(self, barrier: float | np.ndarray | None = None,
                            hukou_penalty: float | np.ndarray | None = None,
                            protection: np.ndarray | None = None) -> None:
        """Set the per-province levers given (None keeps one) and refresh the frictions.

        Args:
            barrier: (P,) each province's barrier (or one for all), clipped to [0, 1].
            hukou_penalty: (P,) each province's hukou penalty at barrier = 1 (or one for all), >= 0.
            protection: (P, P) wedge multiplier, importer province x exporter province, >= 0.
        """
        levers, provinces = self.levers, len(self.geography.province_names)
        if barrier is not None:
            levers.barrier = np.clip(np.broadcast_to(np.asarray(barrier, dtype=float), (provinces,)), 0.0, 1.0)
        if hukou_penalty is not None:
            levers.hukou_penalty = np.maximum(np.broadcast_to(np.asarray(hukou_penalty, dtype=float), (provinces,)), 0.0)
        if protection is not None:
            levers.protection = np.maximum(np.asarray(protection, dtype=float).reshape(provinces, provinces), 0.0)
        self.frictions = self._frictions(levers, self.params.governments_act)

    def open_knowledge_flows(self) -> None:
        """Knowledge crosses provincial borders without the co-invention friction from now on."""
        self.levers.knowledge_open = True
        self.frictions = self._frictions(self.levers, self.params.governments_act)

    def liberalise(self, cities: np.ndarray) -> None:
        """Cities ``cities`` (bool mask) drop local protection of their markets; their exports still
        face the other cities' protection, and trade still pays the provincial border effect."""
        self.levers.liberalised = np.asarray(cities, dtype=bool).copy()
        self.frictions = self._frictions(self.levers, self.params.governments_act)

    def set_geography(self, geography: Geography) -> None:
        """Replace the transport network (travel times) and keep the Mesa network in step with it."""
        for a, b, data in geography.graph.edges(data=True):
            if not self.space.G.has_edge(a, b):
                self.space.add_connection(self.space[a], self.space[b])
            self.space.G.edges[a, b].update(data)
        self.geography = geography
        self.frictions = self._frictions(self.levers, self.params.governments_act)

    def _frictions(self, levers: Levers, governments_act: int) -> Frictions:
        p = self.params
        protecting = np.full(self.geography.count, bool(governments_act)) & ~levers.liberalised
        return frictions(self.geography, self.sectors, levers.barrier, p.local_protection, p.border_effect_scale,
                         levers.hukou_penalty, protecting, levers.protection,
                         knowledge_decay_hours=p.knowledge_decay_hours, knowledge_border=p.knowledge_border,
                         knowledge_open=levers.knowledge_open)

    # ------------------------------------------------------------------ targeting
    def choose_targets(self, structure: np.ndarray) -> np.ndarray:
        """(C, S) support intensities every government chooses given the sector ``structure`` and
        last year's intensities (:mod:`ydabm.mechanisms.targeting`)."""
        p, s = self.params, self.sectors
        # a coordinating regional body scores sectors by comparative advantage alone
        weight = 1.0 if self.levers.coordinated else self.levers.specialization
        scores = targeting.target_scores(targeting.revealed_advantage(structure), s.strategic.astype(float),
                                         self.targets, weight, self.levers.roles, p.target_imitation)
        return targeting.allocate_support(scores, s.targetable, p.targets_per_city, p.target_sharpness, structure)

    def set_targets(self, targets: np.ndarray) -> None:
        self.targets[:] = targets

    def targeted_firms(self) -> np.ndarray:
        """(F,) support intensity of each firm's city-sector (0 for empty rows)."""
        if self._targeted is not None:
            return self._targeted
        f = self.firms
        return np.where(f.alive, np.take(self.targets, f.cell), 0.0)     # (C, S) read at city * S + sector

    def capacity_ratio(self, sector: np.ndarray, support: np.ndarray) -> np.ndarray:
        """Capacity per unit of expected demand the newsvendor builds in ``sector`` at support intensity
        ``support`` (arrays that broadcast): the capacity subsidy lowers the user cost of capital
        (:func:`ydabm.mechanisms.planning.capacity_ratio`)."""
        p, s = self.params, self.sectors
        critical = planning.critical_ratio(p.interest_rate, p.depreciation, s.capital_intensity[sector],
                                           s.elasticity[sector], p.capacity_subsidy * support)
        return planning.capacity_ratio(critical, p.demand_dispersion)

    def cell_capacity_ratio(self) -> np.ndarray:
        """(C * S,) :meth:`capacity_ratio` of each city-sector at its support intensity (flat index
        city * S + sector, as ``Firms.cell``)."""
        sectors = self.sectors.count
        return self.capacity_ratio(np.tile(np.arange(sectors), self.geography.count), self.targets.ravel())

    def capital_upkeep(self, sector: np.ndarray, ratio: np.ndarray) -> np.ndarray:
        """Cost in firms' accounts of the capacity behind a yuan of expected sales: depreciation and
        interest on the debt against it (:meth:`user_cost`) x kappa / expected utilisation."""
        kappa = self.sectors.capital_intensity[sector]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_sale = np.where(kappa > 0, kappa / planning.expected_utilization(ratio, self.params.demand_dispersion), 0.0)
        return self.user_cost() * per_sale

    # ------------------------------------------------------------------ phases with many inputs
    def plan_production(self) -> planning.Plan:
        """Every firm's plan for the quarter (:func:`ydabm.mechanisms.planning.plan_production`)."""
        p, f, s = self.params, self.firms, self.sectors
        targeted = self.targeted_firms()
        phi = self.effective_productivity()
        cell = f.cell
        wage = np.take(self.mix_wage(), cell)
        staffed = np.maximum(self.working_labour() - f.overhead, 0.0) * phi
        # the newsvendor's capacity ratio and its expected sales share depend on the row's sector and
        # support only: computed per city-sector (live rows, at its target) and per sector (dead rows,
        # support 0) and read by each row; the same numbers as capacity_ratio(f.sector, targeted)
        # (one table of both, C * S city-sectors then S sectors, read once per row at its live row's cell
        # or its dead row's C * S + sector: the same numbers as the two gathers and a select)
        ratio_cell = self.cell_capacity_ratio()
        ratio_dead = self.capacity_ratio(np.arange(s.count), np.zeros(s.count))
        ratios = np.concatenate([ratio_cell, ratio_dead])
        at = np.where(f.alive, cell, f.sector + ratio_cell.size)
        ratio = np.take(ratios, at)
        served = np.take(goods.sales_share(ratios, p.demand_dispersion), at)
        # without supply chains the unit input cost is 0 everywhere (0 / phi = +0.0 on every row, and
        # planning adds and subtracts it): planning's default 0.0 is passed instead of a column of zeros
        input_cost = 0.0 if self.io is None else np.take(self.unit_input_cost(self.current_intensity()), cell) / phi
        return planning.plan_production(
            f.alive, phi, wage / phi, np.take(s.elasticity, f.sector), np.take(s.capital_intensity, f.sector), f.overhead,
            f.capacity, f.expected_sales, f.notional_sales, staffed, f.understaffed,
            ratio, p.demand_dispersion, *self.skill_table(), self.labour_force, f.city,
            p.demand_expectation, p.depreciation, p.investment_speed,
            p.capacity_subsidy * targeted, input_cost, ratio_share=served)

    def spillover(self) -> np.ndarray:
        """(C,) spillover term psi kappa / (1 + kappa) of each city, kappa its knowledge pool: other
        cities' R&D stocks weighted by the knowledge frictions, over the region's t = 0 stock."""
        pool = technology.knowledge_pool(self.frictions.knowledge, self.rd_stock, self.rd_scale)
        return technology.spillover_term(pool, self.params.knowledge_spillover)

    def rd_share_by_cell(self, value: np.ndarray | None = None) -> np.ndarray:
        """(C, S) R&D share of value added a live firm of each city-sector chooses
        (:func:`ydabm.mechanisms.technology.rd_share`; its inputs are the city's and the sector's), at
        the value of an innovation ``value`` by sector (default: the run's)."""
        p = self.params
        value = self.innovation_value if value is None else value
        return technology.rd_share(self.rd_efficiency[:, None], self.spillover()[:, None], value[None, :],
                                   p.rd_elasticity, (self.levers.rd_subsidy + self.rd_fund_rate)[:, None])

    def innovation_rate(self, share: np.ndarray) -> np.ndarray:
        """(F,) innovation rate of each firm's enterprises per quarter at R&D shares ``share``."""
        f = self.firms
        return technology.innovation_rate(np.take(self.rd_efficiency, f.city), share,
                                          np.take(self.spillover(), f.city), self.params.rd_elasticity)

    def rd_by_cell(self) -> tuple[np.ndarray, np.ndarray]:
        """(C x S,) R&D share and innovation rate per quarter of a live firm of each city-sector (flat
        index city x S + sector): :meth:`rd_share_by_cell` and :meth:`innovation_rate` by cell."""
        share = self.rd_share_by_cell()
        return share.ravel(), technology.innovation_rate(self.rd_efficiency[:, None], share, self.spillover()[:, None],
                                                         self.params.rd_elasticity).ravel()

    def innovate(self) -> technology.Innovation:
        """This quarter's R&D choices and innovations (Poisson(k x mass x rate) per firm agent: a
        cohort of mass m stands for k m enterprises)."""
        f = self.firms
        if self.innovation_step == 0:
            nothing = np.zeros(f.size)
            return technology.Innovation(nothing, nothing, nothing)
        # a live firm's R&D share and rate depend on its city and sector only: computed once per
        # city-sector and spread over the rows (the same numbers as innovation_rate by row)
        share, rate = self.rd_by_cell()
        cell = f.cell
        share = np.where(f.alive, np.take(share, cell), 0.0)
        enterprises = self.enterprises * f.mass
        arrivals = self.rng.poisson(enterprises * np.where(f.alive, np.take(rate, cell), 0.0)).astype(float)
        return technology.Innovation(share, arrivals,
                                     technology.innovation_gain(arrivals, np.maximum(enterprises, 1e-300),
                                                                self.innovation_step,
                                                                np.take(self.sectors.elasticity, f.sector)))

    def apply_innovation(self, innovation: technology.Innovation) -> None:
        """Firms take their R&D shares and productivity gains; each city-sector's knowledge (what its
        entrants start with) rises by the gain of its live firms' CES mean productivity,
        ln(sum m z^(sigma - 1) exp((sigma - 1) g) / sum m z^(sigma - 1)) / (sigma - 1), the same in
        expectation whatever the number of enterprises a firm agent stands for (a city-sector without
        live firms keeps its knowledge)."""
        f = self.firms
        f.rd_share = innovation.rd_share
        power = np.take(self.sectors.elasticity, f.sector) - 1.0
        weight = f.mass * f.productivity ** power
        before = self.live_cell_sums(weight)
        after = self.live_cell_sums(weight * np.exp(power * innovation.gain))
        f.productivity = f.productivity * np.exp(innovation.gain)
        self.patents = self.city_sums()(innovation.arrivals) * self.patent_propensity
        cell_power = np.broadcast_to(self.sectors.elasticity - 1.0, self.knowledge.shape).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            gained = np.where(before > 0, np.log(after / np.where(before > 0, before, 1.0)) / cell_power, 0.0)
        self.knowledge += gained.reshape(self.knowledge.shape)

    def apply_productivity_shocks(self) -> None:
        """Each live firm agent's productivity deviation takes its quarter's AR(1) step
        (:func:`ydabm.mechanisms.technology.productivity_deviation`), whose innovations keep each
        city-sector's mean at zero (:func:`ydabm.mechanisms.technology.pooled_innovations`), and its
        productivity moves with it. At ``productivity_persistence`` 1 nothing moves and nothing is drawn."""
        p, f = self.params, self.firms
        if p.productivity_persistence >= 1.0:
            return
        live = np.flatnonzero(f.alive)
        before = f.deviation[live]
        normals = technology.pooled_innovations(self.rng.standard_normal(live.size), f.mass[live], f.cell[live],
                                                self.geography.count * self.sectors.count)
        after = technology.productivity_deviation(before, p.productivity_persistence, p.productivity_dispersion, normals)
        f.productivity[live] *= np.exp(after - before)
        f.deviation[live] = after

    def adoption_targets(self) -> np.ndarray:
        """(C, S) share of each city-sector's enterprises for which digital adoption pays."""
        p = self.params
        cost = technology.adoption_cost(p.adoption_cost, self.digital_access, p.adoption_access_elasticity,
                                        self.levers.adoption_subsidy)
        return technology.adoption_target(self.adoption_value[None, :], cost[:, None], p.adoption_cost_dispersion)

    def apply_adoption(self, targets: np.ndarray, mass: np.ndarray | None = None) -> None:
        """Firms move their adoption shares towards the targets; the enterprises that adopt pay the
        (unsubsidised) median cost, as intangible investment in this quarter's accounts (``mass``:
        as for :meth:`apply_innovation`)."""
        p, f = self.params, self.firms
        cell = f.cell
        share = np.where(f.alive, technology.adopt(f.adoption, np.take(targets, cell), p.adoption_rate), 0.0)
        cost = technology.adoption_cost(p.adoption_cost, self.digital_access, p.adoption_access_elasticity, 0.0)
        self.adoption_outlay = np.take(cost, f.city) * np.maximum(share - f.adoption, 0.0) * self.outlay_base()
        f.adoption = share
        mass = (self.live_cell_sums(f.mass) if mass is None else mass.ravel())
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.live_cell_sums(share * f.mass) / mass
        self.cell_adoption = np.where(mass > 0, mean, targets.ravel()).reshape(self.cell_adoption.shape)

    def accumulate_rd(self, rd: np.ndarray, spending: np.ndarray | None = None) -> None:
        """Cities' R&D stocks after this quarter's R&D spending ``rd`` (F,), yuan; ``spending``: its sums
        by city (``city_sums()(rd)``), if the caller has them."""
        spending = self.city_sums()(rd) if spending is None else spending
        self.rd_stock = technology.rd_stock(self.rd_stock, spending, self.params.rd_depreciation)
        self.rd_spending = spending

    def joint_fund_rate(self) -> np.ndarray:
        """(C,) share of its firms' R&D the joint R&D fund pays in each city this quarter: the budget
        (``rd_fund_share`` of last quarter's GDP) over last quarter's R&D, of the region (pooled: one
        rate) or of each city (``rd_fund_pooled`` = 0), capped so that with ``rd_subsidy`` firms pay
        at least 1 - MAX_RD_SUPPORT of their R&D (:func:`ydabm.mechanisms.technology.fund_rate`)."""
        lev = self.levers
        cap = min(technology.MAX_FUND_RATE, technology.MAX_RD_SUPPORT - lev.rd_subsidy)
        budget = lev.rd_fund_share * self.flows["value_added"]
        if lev.rd_fund_pooled:
            return np.full(self.geography.count, technology.fund_rate(budget.sum(), self.rd_spending.sum(), cap))
        return technology.fund_rate(budget, self.rd_spending, cap)

    def knowledge_flows(self) -> np.ndarray:
        """(C, C) knowledge flows W_cj K_j from city j (column) to city c (row) at the current stocks."""
        return technology.spillover_flows(self.frictions.knowledge, self.rd_stock)

    def productivity_growth(self, before: np.ndarray) -> float:
        """Yearly growth of revenue-weighted mean productivity of the firms alive before this
        quarter's entry, from ``before`` (effective productivity at the start of the quarter)."""
        f = self.firms
        weight = np.where(f.alive, f.revenue, 0.0)
        change = np.log(self.effective_productivity() / before)
        return float(np.expm1(4 * (weight * change).sum() / max(weight.sum(), 1e-300)))

    def clear_labour_market(self, desired: np.ndarray) -> labour.Hiring:
        """This quarter's labour market for the (F, K) staff plans ``desired``
        (:func:`ydabm.markets.labour.clear_labour_market`). The workers' employer column is updated in
        place (the hiring's employers are that array; :meth:`apply_hiring` sets it), with the moves of
        this quarter's closures and mergers (``_pending_moves``) applied first."""
        p, f, w = self.params, self.firms, self.workers
        moves, self._pending_moves = self._pending_moves, None
        return labour.clear_labour_market(
            w.employer, w.skill, w.market, f.employees, f.city, desired, f.rounding, self.labour_force,
            self.wages, p.separation_rate, p.matching_efficiency, p.natural_unemployment,
            p.wage_adjustment, self.rng, self.levers.absent if self.levers.absent.any() else None,
            diffuse=not p.staff_rounding, overwrite=True, moves=moves)

    def choose_moves(self) -> relocation.Moves:
        """This quarter's relocations (:func:`ydabm.mechanisms.relocation.choose_moves`)."""
        p, w, geo = self.params, self.workers, self.geography
        income = self.log_real_income(classes=slice(None))
        attachment = self.fundamentals.farm_attachment
        farm_income = income[:, 0] + (0.0 if attachment is None else attachment)
        return relocation.choose_moves(
            w.city, w.hukou, w.skill, income[:, 1:], self.fundamentals.amenity, geo.hours,
            geo.province_index, self.hukou_groups, self.frictions.hukou_cost,
            0.0 if self.levers.mobility_frozen or self.levers.moves_halted else p.reconsider_rate, move_cost=p.move_cost,
            move_cost_per_hour=p.move_cost_per_hour, elasticity=p.migration_elasticity, rng=self.rng,
            farm_share=p.farmer_mobility, farm_income=farm_income,
            local=self.fundamentals.hukou_share.argmax(axis=1))

    def settle_accounts(self, investment: np.ndarray, capacity_support: np.ndarray,
                        saving_rate: float, dissaving_share: float,
                        allowance: np.ndarray | None = None) -> accounts.Accounts:
        """This quarter's accounts (:func:`ydabm.mechanisms.accounts.settle`); ``allowance``: each
        government's most for support (None: unlimited)."""
        p, f, lev = self.params, self.firms, self.levers
        targeted = self.targeted_firms()
        # a protecting government's local bias: its province's procurement wedge at a protection
        # multiplier of 1 (ProvinceLevers' per-pair multipliers do not enter it)
        bias = 1.0 + lev.barrier[self.geography.province_index] * p.local_protection * ~lev.liberalised
        return accounts.settle(
            f.alive, f.city, f.revenue, f.employees, self.capital_value(), investment, capacity_support,
            p.entry_subsidy * targeted * f.entrant_share() * f.revenue, targeted, f.loss_streak,
            self.wages, self.staff_table(), self.labour_force, self.budgets, self.savings, saving_rate,
            dissaving_share, allowance, self.levers.tax_sharing, self.tax_key, self.firm_inputs(),
            self.firm_input_cost(), f.debt, f.weak_years, f.mass, bias,
            depreciation=p.depreciation, interest_rate=p.interest_rate, leverage=p.leverage,
            year_operating=f.year_operating, year_interest=f.year_interest, age=f.age,
            year_end=self.quarter == credit.YEAR - 1, jobs=f.jobs, paid=self.job_table(),
            profit_tax=p.profit_tax, income_tax=p.income_tax,
            unemployment_benefit=p.unemployment_benefit,
            public_spending_adjustment=p.public_spending_adjustment, soft_budget=p.soft_budget,
            exit_after=p.exit_after, city_sums=self.city_sums(),
            spells=credit.Spells(self.finding, *self.failing_record.sum(axis=0).T, 1.0 / (1.0 + p.interest_rate))
            if p.credit_spells else None, unspent=self.unspent if self.unspent.any() else None,
            paused=np.take(lev.absent, f.city) > 0 if lev.absent.any() else None,
            relief=f.relief if lev.relief.any() or f.relief.any() else None,
            relief_share=np.take(lev.relief, f.city) if lev.relief.any() else None, soft_debt=f.soft_debt)

    def city_sums(self) -> BinSums:
        """Sums over the firm rows by city, bit for bit ``np.bincount(firms.city, values,
        minlength=cities)`` (:class:`~ydabm.agents.firms.BinSums`), for the dozen sums by city of a
        quarter (patents, migration, accounts, metrics): kept across quarters and updated where rows
        changed city (:meth:`_kept_sums`)."""
        # ``Firms.city`` is read-only, a new array when it changes (as ``cell``): the one the last
        # BinSums was built for is kept with it, and used again while it is the same array, or while a
        # new one has the same values, or updated where a few rows changed city (entrants in the rows
        # of closed firms of another city, most quarters; building the order takes about 0.5 ms at 1e6
        # workers)
        city = self.firms.city
        kept = self._city_order
        if kept is not None and kept[0] is city:
            return kept[1]
        return self._kept_sums("_city_order", city, self.geography.count)

    def cell_sums(self) -> BinSums:
        """Sums over the firm rows by city-sector, bit for bit ``np.bincount(firms.cell, values,
        minlength=C * S)`` (:class:`~ydabm.agents.firms.BinSums`), kept while the cell column's values
        stay the same (as :meth:`city_sums`; ``Firms.cell`` is read-only, a new array when the city or
        sector column changes, so the one it was built for is kept, not a copy)."""
        cell = self.firms.cell
        kept = self._cell_order
        if kept is not None and kept[0] is cell:
            return kept[1]
        return self._kept_sums("_cell_order", cell, self.geography.count * self.sectors.count)

    def _kept_sums(self, name: str, index: np.ndarray, bins: int) -> BinSums:
        """The BinSums of ``index`` over ``bins``, from the one kept at attribute ``name`` (the index it
        was built for, its BinSums) when it is the same (bit for bit: a BinSums depends on the index's
        values and the bins only) or a few rows differ (:meth:`BinSums.rebinned`); kept in its place
        with ``index``, a read-only firm column (``Firms`` writes a changed column to a new array)."""
        kept = getattr(self, name)
        sums = None
        if kept is not None and kept[1].bins == bins:
            sums = kept[1].rebinned(kept[0], index)
        if sums is None:
            sums = BinSums(index, bins)
        setattr(self, name, (index, sums))
        return sums

    def live_cell_sums(self, values: np.ndarray) -> np.ndarray:
        """(C * S,) sums of ``values`` over the live firm rows by city-sector: ``live_sums(firms.alive,
        firms.cell, values, C * S)`` (``Firms.by_cell`` flat), bit for bit, by :meth:`cell_sums`."""
        return self.cell_sums()(np.where(self.firms.alive, values, 0.0))

    # ------------------------------------------------------------------ applying phase results
    def apply_hiring(self, hiring: labour.Hiring) -> None:
        self.workers.employer = hiring.employer
        self.firms.employees = hiring.employees
        self.firms.understaffed = hiring.understaffed
        self.finding = hiring.finding
        self.firms.rounding = hiring.carry
        self.firms.hours = hiring.hours
        self.firms.jobs = hiring.jobs
        self.firms.job_units = self.labour_units(hiring.jobs)
        self.wages = hiring.wages

    def production_room(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Most each firm of ``rows`` (default: every row) can produce this quarter: its capacity, what
        its working staff can make after overhead and, with supply chains, what its inputs allow."""
        # (elementwise over every row and gathered at ``rows``: the same numbers as computed on those
        # rows, with one gather instead of one per column read)
        room = self.staffed_room(self.working_labour())
        if self.input_room is not None:
            room = np.minimum(room, self.input_room)
        return room if rows is None else np.take(room, rows)

    def clear_goods_market(self) -> goods.GoodsOutcome:
        """Clear the goods market at the firms' markup prices and what they can produce this quarter
        (capacity, working staff and, with supply chains, their inputs)."""
        f = self.firms
        live = np.flatnonzero(f.alive)
        room = self.production_room(live)
        weights, welfare = self.trade_weights()
        spending = placed = self.goods_spending()
        market = self.sticky_market(live, room, weights, welfare, spending)
        spillover = None
        if market is not None:
            weights, welfare, spending, spillover = market.weights, market.welfare, market.spending, market.spillover
        outcome = goods.clear_goods_market(np.take(f.price, live), room, np.take(f.cell, live), self.sectors.elasticity,
                                           weights, spending, welfare=welfare, mass=np.take(f.mass, live),
                                           capacity=np.take(f.capacity, live), dispersion=self.params.demand_dispersion,
                                           spillover=spillover, usual=None if market is None else market.usual,
                                           planned_served=self.planned_served(live),
                                           start=self.access_guess(spending.shape),
                                           # the live rows' sums by city-sector: cell_sums() without the dead
                                           # rows (over the buyers' cells: with supply chains, twice the cities)
                                           cell_sums=self.cell_sums().restricted(f.alive, spending.size))
        # the market access the clearing solved, this quarter's and the last (the next start)
        self.solved_access = (outcome.access, self.solved_access[0])
        outcome = self.settle_sourcing(outcome, market, live)
        # what a city's buyers could spend on nothing, where no firm anywhere they reach can sell
        # (goods.unspent): it stays with the city's households (settle_accounts)
        self.unspent = goods.unspent(placed, outcome.price_terms, outcome.spending)
        self.goods = outcome
        cpi = goods.consumer_price_index(outcome.price_index, self.fundamentals.expenditure_share)
        # a city that can buy nothing this quarter keeps last quarter's consumer prices (no price is
        # observed: carried forward)
        self.cpi = cpi if np.isfinite(cpi).all() else np.where(np.isfinite(cpi), cpi, self.cpi)
        return _on_rows(outcome, live, f.size)

    def access_guess(self, shape: tuple[int, int]) -> np.ndarray | None:
        """Where the goods market's Newton steps start: the log market access of each city-sector
        (flat) the last two quarters' clearings solved, carried forward by its last change,
        log a_t + (log a_t - log a_t-1) (only the last one's where either is not finite); None in the
        first quarter, or if the market has another shape (then the clearing starts at the markup
        prices). It changes the rounds, not the fixed point (:func:`ydabm.markets.goods.clear_goods_market`):
        at 1e6 workers 3-4 rounds a quarter instead of 6 (the access moves about 1 % a quarter,
        0.2-0.3 % off the trend)."""
        last, before = self.solved_access
        if last is None or last.shape != shape:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            guess = np.log(last)
            if before is not None and before.shape == shape:
                ahead = 2.0 * guess - np.log(before)
                guess = np.where(np.isfinite(ahead), ahead, guess)
        return guess.ravel()

    def planned_served(self, rows: np.ndarray | slice) -> np.ndarray:
        """Share of its orders each firm of ``rows`` (an index array, or a slice: ``slice(None)`` for
        every row) would serve at its planned capacity: S(c q), q its city-sector's newsvendor capacity
        ratio and c its sector's steady share of the goal (:func:`capacity_lag`), the capacity the
        accelerator holds in steady growth and the 2020 firms hold; the rationing of the notional market
        (:func:`ydabm.markets.goods.notional_demand`)."""
        ratio = self.cell_capacity_ratio() * np.tile(self.steady_lag, self.geography.count)
        cell = self.firms.cell[rows] if isinstance(rows, slice) else np.take(self.firms.cell, rows)
        return np.take(goods.sales_share(ratio, self.params.demand_dispersion), cell)

    def goods_spending(self) -> np.ndarray:
        """(C, S) spending of each buying city on each sector: households and governments at the final
        shares and, with supply chains, less what they buy from the rest of China, plus the external
        sector's (its last quarter's receipts, placed in the cities by their 2020 value added, at the
        export mix) and firms' orders of inputs from the region."""
        final = self.spending[:, None] * self.fundamentals.expenditure_share[None, :]
        if self.io is None:
            return final
        closed = self.fundamentals.closure
        exports = self.external * self.export_weight[:, None] * closed.export_mix[None, :]
        return final * (1.0 - closed.outside_share)[None, :] + exports + self.input_orders

    def final_outside(self) -> float:
        """Final spending of households and governments on the rest of China's goods this quarter."""
        closed = self.fundamentals.closure
        return float(self.spending.sum() * (self.fundamentals.expenditure_share * closed.outside_share).sum())

    def trade_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(S, C, C) CES weights of the goods market and of its welfare index, with any freight delay
        of a city's links (a lockdown) as an extra iceberg factor on what it ships and receives."""
        fr, slow = self.frictions, self.freight_factor()
        if slow is None:
            return fr.cost_weights, fr.welfare_weights
        factor = slow[None, :, :] ** (1.0 - self.sectors.elasticity)[:, None, None]
        return fr.cost_weights * factor, fr.welfare_weights * factor

    def freight_factor(self) -> np.ndarray | None:
        """(C, C) extra iceberg factor of a freight delay on the links of ``levers.freight_delay``'s
        cities (None when there is none)."""
        delay = self.levers.freight_delay
        if delay.size == 0 or not delay.any():
            return None
        slow = (1.0 + delay)[:, None] * (1.0 + delay)[None, :]
        np.fill_diagonal(slow, 1.0 + delay)
        return slow

    def sticky_market(self, live: np.ndarray, room: np.ndarray, weights: np.ndarray, welfare: np.ndarray | None,
                      spending: np.ndarray) -> supply_chain.StickySourcing | None:
        """The goods market with buyers' input sourcing adjusting over ``supplier_adjustment`` quarters
        (:func:`ydabm.mechanisms.supply_chain.sticky_market`); None without supply chains or before
        the sourcing shares exist (the set-up's clearing, which sets them)."""
        if self.io is None or self.sourcing is None:
            return None
        f = self.firms
        selling = np.bincount(f.cell[live], (room > 0) & (f.mass[live] > 0),
                              minlength=self.geography.count * self.sectors.count).reshape(self.input_orders.shape) > 0
        return supply_chain.sticky_market(self.sourcing, self.input_orders, spending, selling,
                                          1.0 / self.params.supplier_adjustment, weights, welfare, self.usual_service)

    def settle_sourcing(self, outcome: goods.GoodsOutcome, market: supply_chain.StickySourcing | None,
                        live: np.ndarray) -> goods.GoodsOutcome:
        """The outcome over the C buying cities; this quarter's input flows, sourcing shares (the next
        quarter's state) and each buyer's input price index (``outcome`` is on the ``live`` firm rows).
        At set-up (no shares yet) every buyer is at its CES-optimal shares: they become the first
        state and the index is the market's."""
        if self.io is None:
            return outcome
        cities = self.geography.count
        self.index_freight = self.freight_factor()
        if market is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                optimal = np.where(outcome.spending.T[:, None, :] > 0, outcome.flows / outcome.spending.T[:, None, :], 0.0)
            f = self.firms
            # each firm's weight in the price terms, m p^(1 - sigma) at its virtual price if its
            # enterprises turn orders away (revenue over market access; as in fold_outcome's A_i)
            reach = outcome.access.ravel()[f.cell[live]]
            with np.errstate(divide="ignore", invalid="ignore"):
                weight = np.where((outcome.quantity > 0) & (reach > 0), outcome.revenue / reach, 0.0)
            self.input_varieties = np.bincount(f.cell[live], weight,
                                               minlength=self.input_orders.size).reshape(self.input_orders.shape)
            self.sourcing = optimal
            self.input_flows = optimal * self.input_orders.T[:, None, :]
            folded = outcome
        else:
            folded, self.input_varieties = supply_chain.fold_outcome(outcome, market)
            self.input_flows, self.sourcing = supply_chain.adjust_sourcing(
                supply_chain.served_commitments(outcome, market), outcome.flows[:, :cities, :cities],
                outcome.spending[:cities], market.inputs, self.sourcing)
        self.market_absence = self.levers.absent.copy()
        posted = self._posted_weights(outcome, live)        # (computed once for the three below)
        self.usual_service = supply_chain.served_share(self.input_varieties, self._posted_varieties(outcome, live, posted))
        self.firm_served = np.full(self.firms.size, np.nan)
        self.firm_served[live] = self._firm_served(outcome, live, posted)
        self.input_delivered = self._delivered_varieties(outcome, live, self.firm_served[live], posted)
        index = self._input_index(self.index_freight)
        # where a city bought no inputs of a sector, its index is the market's (the price it would pay)
        self.input_index = np.where(np.isfinite(index), index, folded.price_index)
        return folded

    def _posted_weights(self, outcome: goods.GoodsOutcome, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(live,) sigma of each ``live`` firm's sector and its weight m p^(1 - sigma) at its posted
        price (0 for firms that sold nothing)."""
        f = self.firms
        sigma = self.sectors.elasticity[f.sector[live]]
        with np.errstate(over="ignore"):
            return sigma, np.where(outcome.quantity > 0, f.mass[live] * outcome.price ** (1.0 - sigma), 0.0)

    def _posted_varieties(self, outcome: goods.GoodsOutcome, live: np.ndarray,
                          posted: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """(C, S) sum of m p^(1 - sigma) over each city-sector's selling firms at their posted prices
        (``posted``: :meth:`_posted_weights`, computed when None)."""
        f = self.firms
        _, weight = self._posted_weights(outcome, live) if posted is None else posted
        return np.bincount(f.cell[live], weight, minlength=self.input_orders.size).reshape(self.input_orders.shape)

    def _firm_served(self, outcome: goods.GoodsOutcome, live: np.ndarray,
                     posted: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """(live,) share r of its orders each ``live`` firm serves: its weight at its virtual price
        (revenue over market access) over its weight at the posted price (0 for firms that sold nothing;
        ``posted``: :meth:`_posted_weights`, computed when None)."""
        f = self.firms
        _, posted = self._posted_weights(outcome, live) if posted is None else posted
        reach = outcome.access[:self.geography.count].ravel()[f.cell[live]]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            virtual = np.where((outcome.quantity > 0) & (reach > 0), outcome.revenue / reach, 0.0)
            return np.where(posted > 0, np.minimum(virtual / posted, 1.0), 0.0)

    def _delivered_varieties(self, outcome: goods.GoodsOutcome, live: np.ndarray, served: np.ndarray,
                             posted: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """(C, S) B_i = sum of m p^(1 - sigma) r^rho over each city-sector's selling firms, r = ``served``
        the share of its orders a ``live`` firm serves (:meth:`_firm_served`), rho = (sigma - 1) / sigma:
        the CES quantity its buyers receive per yuan (:func:`ydabm.mechanisms.supply_chain.input_price_index`;
        ``posted``: :meth:`_posted_weights`, computed when None)."""
        f = self.firms
        sigma, posted = self._posted_weights(outcome, live) if posted is None else posted
        weight = posted * served ** ((sigma - 1.0) / sigma)
        return np.bincount(f.cell[live], weight, minlength=self.input_orders.size).reshape(self.input_orders.shape)

    def _input_index(self, slow: np.ndarray | None, varieties: np.ndarray | None = None,
                     delivered: np.ndarray | None = None, expected: bool = False) -> np.ndarray:
        """(C, S) input price index of this quarter's input flows and supplier varieties (default: the
        market's A and B) with the freight factor ``slow`` (None: none) on the trade costs.
        ``expected``: the index a buyer expects for next quarter's orders, which for a buyer that bought
        none of a sector this quarter is the index at its sourcing shares (the suppliers its committed
        orders go to; the index depends on the split of the flows, not on their sum) instead of none
        (inf). (Without it a buyer that bought nothing in the region in a lockdown's quarter, its orders
        all gone to the rest of China, expected the market before it in the next, free of that
        quarter's known freight delay: seed 304's draw 80 of ``scripts/lockdown_search.py`` ordered
        at 0.97 times 2020's prices with freight 597 % dearer, its inputs cleared at about twenty
        times, and value added was negative; docs/validation-changes.md, "Since `4ba2bf4`".)"""
        iceberg = self.frictions.iceberg
        if slow is not None:
            iceberg = iceberg * slow[None, :, :]
        flows = self.input_flows
        if expected and self.sourcing is not None:         # (none before the set-up's market sets them)
            flows = np.where(flows.sum(axis=1, keepdims=True) > 0, flows, self.sourcing)
        return supply_chain.input_price_index(flows,
                                             self.input_varieties if varieties is None else varieties, iceberg,
                                             self.sectors.elasticity,
                                             self.input_delivered if delivered is None else delivered)

    def listed_input_prices(self, price: np.ndarray | None = None, served: np.ndarray | None = None) -> np.ndarray:
        """(C, S) input prices relative to 2020 at which buyers place this quarter's orders: the price
        index of last quarter's input flows at the prices suppliers list at the start of the quarter
        (their markup prices), each supplier firm serving the share of its orders it served last
        quarter (an entrant: its city-sector's), at this quarter's freight conditions
        (:func:`ydabm.mechanisms.supply_chain.listed_varieties`). A rationed supplier's premium over
        its listed price is not known before the market: it cuts what the orders' money buys.
        ``price``: (F,) the listed prices (default: the firms' prices); ``served``: (F,) the share of
        its orders each firm is taken to serve (default: as above)."""
        f = self.firms
        sigma = self.sectors.elasticity[f.sector]
        if served is None:
            served = self._firm_served_on_rows()
            served = np.where(np.isnan(served) | (f.age == 0), np.take(self.usual_service, f.cell), served)
        price = f.price if price is None else price
        listed = f.alive & (f.mass > 0) & np.isfinite(price) & (price > 0)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            weight = np.where(listed, f.mass * price ** (1.0 - sigma), 0.0)
        varieties, delivered = supply_chain.listed_varieties(weight, served, f.cell, sigma, self.input_orders.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            index = self._input_index(self.freight_factor(), varieties, delivered, expected=True) / self.input_price0
        return np.where(np.isfinite(index) & (index > 0), index, self.input_price)

    def expect_input_prices(self) -> None:
        """The input prices firms expect this quarter (they price and order at them): last quarter's
        input price indices, at this quarter's freight conditions when those changed (a freight delay
        set or lifted by a policy is known at the start of the quarter; nothing changes otherwise).

        A lockdown's market is learnt while it holds and forgotten when it ends or eases towards its
        end: when a lockdown begins (workers absent this quarter, none last quarter) firms keep what
        they expected before it. The lockdown's schedule is known, and of the two markets firms have
        seen they expect the one whose absences are nearer this quarter's (the largest difference over
        the cities): last quarter's while the lockdown holds about as it was; in the first quarter
        after it, and in a quarter of it nearer no lockdown than last quarter's (96 % absent, then
        0.4 %), what they expected before it again (the input prices, and the shares of their orders
        suppliers served: :meth:`_remember_before_lockdown`), moved by the change of freight
        conditions as that changes the index of the last market; the memory is kept for the
        lockdown's later quarters. (Before, a quarter with 0.4 % absent between two with 96 % and 98 %
        was priced and ordered at the scarcity prices of the first: inputs restocked at 168 times
        2020's prices and a GDP deflator of -15.8 two quarters on; docs/validation-changes.md, "Since
        `7bf3a1c`".)"""
        if self.io is None:
            return
        absent, last = self.levers.absent, self.market_absence
        locked = bool(absent.any())
        was_locked = last is not None and bool(last.any())       # workers absent in last quarter's market
        ended = self.lockdown_memory is not None and not locked
        # a lockdown that goes on nearer none: the market before it is at least as near this quarter's
        # absences as last quarter's (largest difference over the cities)
        nearer_none = (self.lockdown_memory is not None and locked and was_locked
                       and np.abs(absent).max() <= np.abs(absent - last).max())
        if locked and not was_locked:
            self._remember_before_lockdown()
        elif ended or nearer_none:
            self._return_to_before_lockdown(keep=nearer_none)
        restored = ended or nearer_none
        slow, before = self.freight_factor(), self.index_freight
        if (slow is None and before is None) or (slow is not None and before is not None and np.array_equal(slow, before)):
            return
        if restored:
            with np.errstate(divide="ignore", invalid="ignore"):
                moved = self._input_index(slow, expected=True) / self._input_index(before, expected=True)
                index = self.input_price * moved
        else:
            index = self._input_index(slow, expected=True) / self.input_price0
        self.input_price = np.where(np.isfinite(index) & (index > 0), index, self.input_price)
        self.index_freight = slow

    def _remember_before_lockdown(self) -> None:
        """Keep what firms expect from the last quarter before a lockdown (:meth:`expect_input_prices`):
        input prices, the freight conditions they are at, and the shares of their orders suppliers
        served (by firm row and by city-sector), with the quarter."""
        self.lockdown_memory = (self.input_price.copy(), self.index_freight, self._firm_served_on_rows(),
                                self.usual_service.copy(), self.clock)

    def _return_to_before_lockdown(self, keep: bool = False) -> None:
        """Expect again what firms expected before the lockdown that just ended (``keep``: that goes on
        in a quarter nearer no lockdown than the last; the memory is kept for its later quarters): the
        rows that changed hands since (entrants in rows freed by exits) have no record before it (their
        city-sector's)."""
        price, freight, served, usual, clock = self.lockdown_memory
        if not keep:
            self.lockdown_memory = None
        price, usual = price.copy(), (None if usual is None else usual.copy())
        self.input_price, self.index_freight, self.usual_service = price, freight, usual
        self.firm_served = served
        served = self._firm_served_on_rows()              # (on the firm table as it is now)
        # (ages count quarters ended: a cohort alive when the lockdown began is older than the quarters since)
        served[self.firms.age <= self.clock - clock] = np.nan
        self.firm_served = served

    # ------------------------------------------------------------------ supply chains
    def _start_supply_chains(self) -> None:
        """The 2020 input technology, stocks at their targets and the external sector's balance
        (:mod:`ydabm.mechanisms.supply_chain`); nothing without input-output linkages."""
        self.input_room = None
        self.unmet_inputs = 0.0
        self.sourcing = None
        self.usual_service = None               # (C, S) share of orders each supplier city-sector served
        self.market_absence = None              # (C,) the shares absent in last quarter's market (a lockdown)
        self.lockdown_memory = None             # what firms expected before a lockdown under way
        if self.io is None:
            self.value_share = np.ones((self.geography.count, self.sectors.count))
            return
        s, io, closed = self.sectors, self.io, self.fundamentals.closure
        markup = s.elasticity / (s.elasticity - 1.0)
        share = self.input_share
        self.value_share = np.tile(1.0 - share, (self.geography.count, 1))
        kappa = markup[None, :] * self.mix_wage() / (1.0 - share)[None, :]
        self.outside_chain = (io.domestic + io.imported).T
        self.domestic_requirement = supply_chain.input_requirement(kappa, io.domestic)
        self.abroad_requirement = supply_chain.input_requirement(kappa, io.imported)
        self.input_price = np.ones((self.geography.count, s.count))
        labour = self.cell_labour(self.firms.output)
        # productivity growth augments value added: real inputs per unit of a city-sector's output stay
        # at their 2020 level (intensity 1 at t = 0; see input_intensity)
        self.intensity = np.ones_like(labour)
        self.requirements = self.split_requirements()
        total = sum(self.requirements)
        # goods are stored; services are not, and never bind (ARIO's infinite service inventories)
        self.inventory_weeks = np.where(s.broad < 2, self.params.inventory_weeks, np.inf)
        stored = np.where(np.isfinite(self.inventory_weeks), self.inventory_weeks, 0.0)
        self.stock = total * labour[:, :, None] * (stored / supply_chain.WEEKS)[None, None, :]
        self.used_inputs = total * labour[:, :, None]
        self.stock_value = self.stock_at_replacement_cost()
        self.export_weight = self.fundamentals.spending / self.fundamentals.spending.sum()
        self.external = closed.exports
        self.orders = supply_chain.plan_orders(labour, total, self._origin_shares(self.requirements), self.stock,
                                               self.inventory_weeks, self.params.inventory_restock,
                                               np.ones_like(self.input_price), self.abroad_supply())
        self.input_orders = np.einsum("jsk,jk->jk", self.orders.region, self.input_price)
        self.region_purchases = self.orders.region * self.input_price[:, None, :]
        self.purchases = self.input_purchases()
        self.planned_output = self.firms.output.copy()
        self.served_output = self.planned_output
        self.used_cost = None                   # (C, S) cost of the inputs used this quarter, at book value

    def _steady_stock(self, markup: np.ndarray) -> np.ndarray:
        """(C, S, K) the inventories the first quarter starts from: the steady state of the order rule
        (:func:`ydabm.mechanisms.supply_chain.steady_stock`) at the set-up's planned use (the
        calibrated output), its use (the output made: firms at their staff limit make less) and the
        share of an order that arrives (region inputs ordered at the set-up's listed ``markup``
        prices, delivered at its realised index: the 2020 base in the YRD)."""
        origin = self._origin_shares(self.requirements)
        full = self.firms.price.copy()
        full[:markup.size] = markup                     # the set-up's firms are the first rows
        # an order's money buys listed / realised of what it was placed for (as in deliver_inputs)
        with np.errstate(divide="ignore", invalid="ignore"):
            bought = self.listed_input_prices(full) / (self.input_index / self.input_price0)
        bought = np.where(np.isfinite(bought) & (bought > 0), bought, 1.0)
        arrival = origin[0] * bought[:, None, :] + origin[1] + origin[2] * self.abroad_supply()[None, None, :]
        return supply_chain.steady_stock(self.orders.use, self.used_inputs, arrival, self.inventory_weeks,
                                         self.params.inventory_restock)

    def split_requirements(self, intensity: np.ndarray | None = None,
                           price: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(C, S, K) real input requirements per unit of variable labour from the region, the rest of
        China and abroad at the region's input ``price`` (default: the current input prices;
        :func:`ydabm.mechanisms.supply_chain.outside_shares`) and the input ``intensity`` (default: the
        current one; :meth:`input_intensity`)."""
        intensity = self.intensity if intensity is None else intensity
        price = self.input_price if price is None else price
        outside = supply_chain.outside_shares(self.fundamentals.closure.outside_share,
                                              price / self.outside_price()[None, :], self.sectors.elasticity)
        domestic = self.domestic_requirement * intensity[:, :, None]
        return (domestic * (1.0 - outside)[:, None, :], domestic * outside[:, None, :],
                self.abroad_requirement * intensity[:, :, None])

    def _labour_per_output(self, output: np.ndarray, previous: np.ndarray) -> np.ndarray:
        """(C, S) variable labour per unit of output of each city-sector at firm ``output`` (``previous``
        where a city-sector makes nothing)."""
        f = self.firms
        made = np.bincount(f.cell, np.where(f.alive, output, 0.0), minlength=previous.size).reshape(previous.shape)
        labour = self.cell_labour(output)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((made > 0) & (labour > 0), labour / made, previous)

    def current_intensity(self) -> np.ndarray | None:
        """(C, S) inputs per unit of variable labour at this quarter's productivity and last quarter's
        output (:meth:`input_intensity`); None without supply chains."""
        return None if self.io is None else self.input_intensity(self.firms.output)

    def input_intensity(self, output: np.ndarray) -> np.ndarray:
        """(C, S) inputs per unit of variable labour relative to 2020 at firm ``output``: the city-sector's
        output per unit of variable labour relative to 2020, so that its real inputs per unit of output
        stay the 2020 table's (productivity growth augments value added, not inputs: the Leontief
        technology of the table, whose coefficients are per unit of gross output). Within a
        city-sector, inputs per unit of output still fall with a firm's productivity relative to the
        others (Hicks-neutral, as at t = 0)."""
        return self.labour_per_output0 / self._labour_per_output(output, self.labour_per_output0 / self.intensity)

    def outside_price(self) -> np.ndarray:
        """(S,) price of inputs from the rest of China and abroad relative to 2020: the sectors' trend
        productivity growth (augmenting value added, as in the region) passed along the table's chain,
        the Leontief price dual p = A^T p + v / tfp, with v the value-added shares (p = 1 at 2020), so
        that trend growth alone moves no purchases between the region and outside."""
        table = self.io
        # solved once per trend (several callers a quarter); the key: the trend's values and the table
        key = (self.sector_trend.tobytes(), self.outside_chain, table)
        cached = getattr(self, "_outside_price", None)
        if cached is not None and cached[0][0] == key[0] and cached[0][1] is key[1] and cached[0][2] is key[2]:
            return cached[1]
        price = np.linalg.solve(np.eye(self.sectors.count) - self.outside_chain, table.value_added / self.sector_trend)
        price.flags.writeable = False
        self._outside_price = (key, price)
        return price

    def _origin_shares(self, requirements: tuple) -> np.ndarray:
        """(3, C, S, K) shares of each input by origin for ``requirements`` (region, rest of China, abroad)."""
        total = sum(requirements)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.stack([np.where(total > 0, r / total, 0.0) for r in requirements])

    def abroad_supply(self) -> np.ndarray:
        """(S,) share of input orders from abroad that arrive this quarter (the lever; all if unset)."""
        supply = self.levers.import_supply
        return supply if supply.size else np.ones(self.sectors.count)

    def cell_labour(self, output: np.ndarray) -> np.ndarray:
        """(C, S) variable labour of each city-sector for firm ``output`` (output over productivity)."""
        f = self.firms
        used = np.where(f.alive, output / self.effective_productivity(), 0.0)
        return np.bincount(f.cell, used, minlength=self.geography.count * self.sectors.count).reshape(
            self.geography.count, self.sectors.count)

    def unit_input_cost(self, intensity: np.ndarray | None = None) -> np.ndarray:
        """(C, S) input cost of one unit of variable labour the firms expect to book this quarter, yuan
        (0 without supply chains): each stored input at the weighted average of its stock's book value
        and a quarter's use (last quarter's) bought at the expected input prices
        (:func:`ydabm.mechanisms.supply_chain.expected_book_cost`), a service at its expected price."""
        if self.io is None:
            return np.zeros((self.geography.count, self.sectors.count))
        requirements = self.requirements if intensity is None else self.split_requirements(intensity)
        return supply_chain.unit_input_cost(*requirements, self.input_price, self.outside_price(),
                                            book=(self.stock_value, self.stock, self.used_inputs))

    def order_inputs(self, plan: planning.Plan) -> supply_chain.Orders | None:
        """Each city-sector's input orders and the production its inputs allow
        (:func:`ydabm.mechanisms.supply_chain.plan_orders`); None without supply chains."""
        if self.io is None:
            return None
        f = self.firms
        can = self.producible()
        planned = self.planned_output_of(plan)
        labour = self.cell_labour(planned)
        with np.errstate(divide="ignore", invalid="ignore"):
            deliverable = np.where(labour > 0, self.cell_labour(np.where(f.alive, can, 0.0)) / labour, 1.0)
        supply = supply_chain.supplier_shortfall(self.input_flows, deliverable)
        price = self.listed_input_prices()
        requirements = self.split_requirements(self.input_intensity(planned), price)
        return supply_chain.plan_orders(labour, sum(requirements), self._origin_shares(requirements), self.stock,
                                        self.inventory_weeks, self.params.inventory_restock, supply,
                                        self.abroad_supply(), price, self.cell_labour(self.served_output_of(planned, can)))

    def producible(self) -> np.ndarray:
        """(F,) most each firm can make this quarter with its capacity and working staff."""
        return self.staffed_room(self.working_labour())

    def staffed_room(self, labour: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Most the firms of ``rows`` (default: every row) can make with their capacity and ``labour``
        (workers at standard hours, one per row): capacity and (labour - overhead) x productivity, of
        which a lockdown leaves the share 1 - a its city's absences allow. A lockdown closes a share a
        of every cohort's enterprises, their staff, overhead and capacity with them, and the rest work
        as before (China's lockdowns were run and counted as enterprises closed or resumed: the 2020
        resumption rates, Shanghai's 2022 white lists and closed-loop production). (Until 7 Dec 2026
        the absences thinned every enterprise's staff while its overhead stayed: near 99 % absent no
        cohort covered its overhead, output fell to about a millionth of 2020's and prices cleared at
        millions of times 2020's; docs/validation-changes.md, "Since `b0302c4`".)"""
        f = self.firms
        columns = (f.capacity, f.overhead, self.effective_productivity())
        capacity, overhead, phi = columns if rows is None else (np.take(c, rows) for c in columns)
        room = np.minimum(capacity, np.maximum(labour - overhead, 0.0) * phi)
        absent = self.levers.absent
        if not absent.any():
            # absent is 0 everywhere without a lockdown: the multiply by 1.0 - 0.0 is skipped
            return room
        return (1.0 - np.take(absent, f.city if rows is None else np.take(f.city, rows))) * room

    def planned_output_of(self, plan: planning.Plan) -> np.ndarray:
        """(F,) output each firm plans, the production target its input orders are for: its expected
        sales within what the staff it plans for (its vacancies filled) and its capacity can make, with
        the workers a lockdown keeps away absent (ARIO's demand-driven target, Hallegatte 2008). Not
        what its current staff can make: a firm short of staff still has the vacancies it hired for,
        and goods it cannot use yet stay in stock (its next order is smaller); capping by current
        staff would pass every labour-market friction on to its suppliers as lost orders (at t = 0,
        when firms are fully staffed, 1.5 % of the region's input demand at once). Services, which
        are not stored, are ordered for the part of it the current staff can make
        (:meth:`served_output_of`)."""
        f = self.firms
        can = self.staffed_room(self.labour_units(plan.desired_staff))
        return np.where(f.alive, np.minimum(plan.expected_output, can), 0.0)

    def served_output_of(self, planned: np.ndarray, can: np.ndarray | None = None) -> np.ndarray:
        """(F,) the part of each firm's planned output its working staff and capacity can make this
        quarter (``can``: :meth:`producible`), what its services are ordered for: a service is not
        stored, so one bought for vacancies still open would be lost (goods are ordered for the
        planned output and what is not used stays in stock)."""
        f = self.firms
        can = self.producible() if can is None else can
        return np.where(f.alive, np.minimum(planned, can), 0.0)

    def apply_orders(self, orders: supply_chain.Orders | None, plan: planning.Plan) -> None:
        if orders is None:
            return
        f = self.firms
        self.orders = orders
        if orders.price is not None:
            self.input_price = orders.price
        self.planned_output = self.planned_output_of(plan)
        self.served_output = self.served_output_of(self.planned_output)
        self.intensity = self.input_intensity(self.planned_output)
        self.requirements = self.split_requirements()
        room = np.take(orders.room, f.cell)
        # (over: a room so large that it overflows, as good as none: inf, like a cell without one)
        with np.errstate(invalid="ignore", over="ignore"):
            self.input_room = np.where(f.alive & np.isfinite(room), room * self.planned_output, np.inf)
        self.input_orders = np.einsum("jsk,jk->jk", orders.region, self.input_price)
        self.region_purchases = orders.region * self.input_price[:, None, :]
        self.purchases = self.input_purchases()
        labour_price = self.mix_wage() * (self.sectors.elasticity / (self.sectors.elasticity - 1.0))[None, :]
        self.value_share = labour_price / (labour_price + self.unit_input_cost())

    def deliver_inputs(self) -> supply_chain.Deliveries | None:
        """Stocks after this quarter's deliveries and use: region inputs arrive as the orders' money
        over this quarter's price index, the rest as ordered (abroad: the share supplied). None
        without supply chains."""
        if self.io is None:
            return None
        now = np.where(np.isfinite(self.input_index), self.input_index / self.input_price0, np.inf)
        arrived = np.where(np.isfinite(now) & (now > 0), self.input_price / now, 0.0)
        return supply_chain.deliver(self.orders, self.stock, arrived, self.abroad_supply(),
                                    self.cell_labour(self.firms.output), sum(self.requirements),
                                    self.inventory_weeks)

    def apply_deliveries(self, deliveries: supply_chain.Deliveries | None) -> None:
        if deliveries is None:
            return
        now = self.input_index / self.input_price0
        paid = self.purchases
        cost, self.stock_value = supply_chain.book_cost(self.stock_value, self.stock, deliveries.arrived,
                                                        sum(self.input_payments()), deliveries.stock)
        self.used_cost = cost.sum(axis=2)
        self.stock = deliveries.stock
        self.unmet_inputs = float(deliveries.unmet.sum())
        self.used_inputs = deliveries.used
        self.outside_payments = float((paid[1] + paid[2]).sum()) + self.final_outside()
        self.input_price = np.where(np.isfinite(now) & (now > 0), now, self.input_price)

    def input_payments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(C, S, K) this quarter's input payments by origin (region, rest of China, abroad) and input,
        yuan: :meth:`input_purchases` before the sum over inputs."""
        o = self.orders
        price = self.outside_price()
        return self.region_purchases, o.outside * price, o.abroad * (self.abroad_supply() * price)

    def stock_at_replacement_cost(self) -> np.ndarray:
        """(C, S, K) the stocks valued at this quarter's input prices (region inputs at the buying
        city's index, the rest at the outside price, weighted by the requirements' origins): their
        book value at set-up, yuan."""
        return self.stock * supply_chain.replacement_price(*self.requirements, self.input_price, self.outside_price())

    def input_purchases(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(C, S) this quarter's input purchases by origin (region, rest of China, abroad), yuan."""
        region, outside, abroad = self.input_payments()
        return region.sum(axis=2), outside.sum(axis=2), abroad.sum(axis=2)

    def firm_inputs(self) -> np.ndarray:
        """(F,) inputs each firm pays for: its city-sector's purchases of goods in proportion to its
        planned output over productivity, of services to the part of it its staff can make (what
        each was ordered for, :meth:`order_inputs`; 0 without supply chains)."""
        f = self.firms
        if self.io is None:
            return np.zeros(f.size)
        paid = sum(self.input_payments())
        stored = np.isfinite(self.inventory_weeks)
        phi = self.effective_productivity()
        total = np.zeros(f.size)
        for output, inputs in ((self.planned_output, stored), (self.served_output, ~stored)):
            own = np.where(f.alive, output / phi, 0.0)
            cell = self.cell_labour(output)
            with np.errstate(divide="ignore", invalid="ignore"):
                per_unit = np.where(cell > 0, paid[:, :, inputs].sum(axis=2) / cell, 0.0)
            total += own * np.take(per_unit, f.cell)
        return total

    def input_sourcing(self, by_city: bool = False) -> np.ndarray | None:
        """(5, S) this quarter's intermediate inputs of each buying sector ((5, C) of each buying city)
        by origin (:func:`ydabm.metrics.input_sourcing`); None without supply chains."""
        if self.io is None:
            return None
        return metrics.input_sourcing(self.region_purchases, self.purchases[1], self.purchases[2],
                                      self.goods.flows, self.geography.province_index, by_city)

    def firm_value_added(self) -> np.ndarray:
        """(F,) each firm's value added: revenue less the inputs it used (its revenue without supply
        chains); the base of R&D and adoption outlays."""
        if self.io is None:
            # the input cost is 0 everywhere: revenue - 0.0 is revenue, bit for bit (a copy, as before)
            return self.firms.revenue.copy()
        return self.firms.revenue - self.firm_input_cost()

    def outlay_base(self) -> np.ndarray:
        """(F,) the base of R&D and adoption outlays: value added, and 0 where it is negative (a firm
        whose inputs cost more than its sales spends nothing on R&D; a negative outlay would be income
        and a negative R&D stock)."""
        return np.maximum(self.firm_value_added(), 0.0)

    def firm_input_cost(self) -> np.ndarray:
        """(F,) cost of the inputs each firm used for its output, at the prices they were bought at
        (weighted-average cost of its city-sector's stocks, :func:`ydabm.mechanisms.supply_chain.book_cost`;
        0 without supply chains): its city-sector's cost in proportion to its variable labour, or to its
        planned output's where the city-sector made nothing (services bought and not used)."""
        f = self.firms
        if self.io is None:
            return np.zeros(f.size)
        phi = self.effective_productivity()
        used = np.where(f.alive, f.output / phi, 0.0)
        planned = np.where(f.alive, self.planned_output / phi, 0.0)
        cell_used = np.take(self.cell_labour(f.output), f.cell)
        cell_planned = np.take(self.cell_labour(self.planned_output), f.cell)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(cell_used > 0, used / cell_used,
                             np.where(cell_planned > 0, planned / cell_planned, 0.0))
        return share * np.take(self.used_cost, f.cell)

    def apply_accounts(self, books: accounts.Accounts) -> None:
        f = self.firms
        f.profit, f.subsidy, f.loss_streak, f.zombie = books.profit, books.subsidy, books.loss_streak, books.zombie
        f.debt, f.weak_years = books.debt, books.weak_years
        if books.soft_debt is not None:
            f.soft_debt = books.soft_debt
        if books.relief is not None:
            f.relief = books.relief
        f.year_operating, f.year_interest = books.year_operating, books.year_interest
        self.flows = dict(books.city)
        self.budgets, self.savings, self.spending = books.budgets, books.savings, books.spending
        self.failing = books.failing
        # the failing firms' experience of the last year but this quarter (``credit_spells``)
        self.failing_record = np.concatenate([self.failing_record[1:], books.experience[None]])
        f.age = np.where(f.alive, f.age + 1, 0)
        if self.io is not None:
            # what firms paid outside the region: the external sector spends it next quarter
            self.external = self.outside_payments

    def shrink_firms(self, exit_rate: float, mass: np.ndarray | None = None) -> None:
        """A share ``exit_rate`` of every cohort's enterprises leaves (the exogenous hazard as a mass
        flow): their capital is stranded; their workers are laid off as the cohort's staff plan
        shrinks with it (``mass``: the (C, S) live enterprise mass by city-sector before, when the
        caller has it)."""
        f = self.firms
        self.stranded = self.stranded_debt = 0.0
        self.stranded_cells = np.zeros(self.stranded_cells.size)
        self._strand(exit_rate)
        self.shrunk = exit_rate * (f.by_cell(f.mass, self.geography.count) if mass is None else mass)
        f.shrink(1.0 - exit_rate)

    def _strand(self, share: float, rows: np.ndarray | None = None) -> None:
        """A share ``share`` of the enterprises of the live firms (or of the firm rows ``rows``) leaves:
        that share of their capital is stranded, in total and by city-sector (what the quarter's entrants
        there may reuse, ``capital_recovery``), and of their debt, which the banks write off."""
        f = self.firms
        capital = self.capital_value(rows)
        cell = f.cell if rows is None else f.cell[rows]
        owed = f.debt + f.relief if f.relief.any() else f.debt      # relief loans are written off too
        debt = owed[f.alive] if rows is None else owed[rows]
        self.stranded += share * float(capital.sum())
        # (over every row: the kept sums by city-sector, bit for bit the bincount)
        by_cell = self.cell_sums()(capital) if rows is None else np.bincount(cell, capital,
                                                                             minlength=self.stranded_cells.size)
        self.stranded_cells += share * by_cell
        self.stranded_debt += share * float(debt.sum())

    def shed_failing(self, share: float) -> np.ndarray:
        """(F,) which failing cohorts close whole (the caller keeps the live ones, ``entry.exits``): all
        of them at ``share`` 1 (their enterprises are identical). Below 1, none: a share ``share`` of each failing cohort's enterprises leaves instead
        (a mass flow, as the hazard's: their capital and debt are stranded, their workers laid off as
        the cohort's staff plan shrinks with it, the mass counted in the entry pool's replacement flow)."""
        f = self.firms
        if share >= 1.0:
            return self.failing
        rows = np.flatnonzero(f.alive & self.failing)
        if rows.size:
            self._strand(share, rows)
            self.shrunk = self.shrunk + share * np.bincount(f.cell[rows], f.mass[rows],
                                                            minlength=self.shrunk.size).reshape(self.shrunk.shape)
            keep = np.ones(f.size)
            keep[rows] = 1.0 - share
            f.shrink(keep)
        return np.zeros(f.size, dtype=bool)

    def close_firms(self, leaving: np.ndarray) -> None:
        """Exiting cohorts close: their workers become unemployed, their capital is stranded."""
        f = self.firms
        rows = np.flatnonzero(leaving)
        self._strand(1.0, rows)
        # mass leaving each city-sector (hazard and closures), averaged over about a year: the entry
        # pool's replacement flow
        gone = self.shrunk + np.bincount(f.cell[rows], f.mass[rows], minlength=self.exit_flow.size).reshape(self.exit_flow.shape)
        self.exits = float(gone.sum())
        self.exit_flow = 0.75 * self.exit_flow + 0.25 * gone
        if rows.size == 0:
            return
        if f.employees[rows].any():                   # (a pass over all workers only if some work there)
            self._move_workers(rows, -1)
        f.close(rows)

    def merge_firms(self, sources: np.ndarray, destinations: np.ndarray) -> None:
        """Worn-down cohorts ``sources`` merge into ``destinations``; their workers move with them."""
        if sources.size == 0:
            return
        self.firms.merge(sources, destinations, self.sectors.elasticity)
        self._move_workers(sources, destinations)

    @contextlib.contextmanager
    def workers_moved_once(self, defer: bool = False):
        """Closures and mergers inside the block move their workers in one pass over the workers, at the
        block's end, instead of one pass each (at 1e6 workers a pass takes about 1-1.5 ms). Nothing in the
        block may read the workers' employers.

        ``defer``: the moves are kept (``_pending_moves``) instead, and the labour market applies them
        in its own pass over the workers (:func:`ydabm.markets.labour.clear_labour_market`'s
        ``moves``), which saves this one (the step's: the labour market follows the same quarter);
        until then the employer column is last quarter's, and what reads it maps it through the moves
        (:meth:`apply_moves`) or applies them first (:meth:`settle_employers`)."""
        self.settle_employers()
        self._employer_moves = self._employer_table()
        try:
            yield
            moves, self._employer_moves = self._employer_moves, None
            if moves[:-1].size and (moves[:-1] != np.arange(moves.size - 1)).any():
                if defer:
                    self._pending_moves = moves
                else:
                    self._apply_employer_table(moves)
        finally:
            self._employer_moves = None

    def settle_employers(self) -> None:
        """Apply the moves a deferred :meth:`workers_moved_once` block left to the employer column (one
        pass over the workers), if any."""
        moves, self._pending_moves = self._pending_moves, None
        if moves is not None:
            self._apply_employer_table(moves)

    def _employer_table(self) -> np.ndarray:
        """Each firm row's employer for its workers to move to (itself to begin with), and -1 for -1."""
        table = np.arange(self.firms.size + 1, dtype=self.workers.employer.dtype)
        table[-1] = -1                                    # employer -1 stays -1
        return table

    def _move_workers(self, rows: np.ndarray, employers: np.ndarray | int) -> None:
        """The workers of firm rows ``rows`` get the employers ``employers`` (-1: unemployed); inside
        :meth:`workers_moved_once` at the end of its block."""
        table = self._employer_moves
        deferred = table is not None
        if not deferred:
            self.settle_employers()
            table = self._employer_table()
        table[rows] = employers
        if not deferred:
            self._apply_employer_table(table)

    def _apply_employer_table(self, table: np.ndarray) -> None:
        """Every worker's employer e becomes ``table[e]``, in place (as moves and closures change the
        column); the wrap mode reads employer -1 at the table's last entry, as indexing does, without
        take's buffered copy for bounds checks."""
        w = self.workers
        np.take(table, w.employer, out=w.employer, mode="wrap")

    def split_firms(self, sources: np.ndarray) -> None:
        """Cohorts ``sources`` split in two (:meth:`ydabm.agents.firms.Firms.split`): a new row takes
        half of each one's enterprises, with the rounded-down half of each class of its staff (the
        workers of lowest rows in each class move) and half of this quarter's adoption outlay."""
        if sources.size == 0:
            return
        f, w = self.firms, self.workers
        rows = f.free_rows(sources.size)
        moved = f.split(sources, rows)
        # per-row records of this quarter and the last that the new rows continue
        self.adoption_outlay = np.pad(self.adoption_outlay, (0, f.size - self.adoption_outlay.size))
        self.adoption_outlay[sources] *= 0.5
        self.adoption_outlay[rows] = self.adoption_outlay[sources]
        if self.io is not None:                            # (the service record of supply chains)
            self.firm_served = self._firm_served_on_rows()
            self.firm_served[rows] = self.firm_served[sources]
        if not moved.any():
            return
        # the workers of each source and class in row order; the first moved[i, k] of them move
        self.settle_employers()
        which = np.full(f.size + 1, -1, dtype=np.int64)
        which[sources] = np.arange(sources.size)
        index = np.take(which, w.employer, mode="wrap")      # employer -1 reads the last entry, -1
        staff = np.flatnonzero(index >= 0)
        group = index[staff] * CLASSES + w.skill[staff]
        order = np.argsort(group, kind="stable")
        group = group[order]
        rank = np.arange(group.size) - np.searchsorted(group, group, side="left")
        move = staff[order[rank < moved.ravel()[group]]]
        w.employer[move] = rows[index[move]]

    def _firm_served_on_rows(self) -> np.ndarray:
        """(F,) the share of its orders each firm row served last quarter (supply chains), on the firm
        table as it is now: nan for rows added since."""
        served = np.full(self.firms.size, np.nan)
        served[:min(served.size, self.firm_served.size)] = self.firm_served[:served.size]
        return served

    def entry_intensity(self, response: float | None = None) -> np.ndarray:
        """(C, S) expected entrants this quarter (:func:`ydabm.mechanisms.entry.entry_intensity`), at the
        logit sensitivity ``response`` to the margin (None: ``entry_response``; 0: entry replaces the
        leavers whatever the margin)."""
        p = self.params
        pool = p.entry_pool * self.initial_firms
        return entry.entry_intensity(pool, np.minimum(self.exit_flow, 0.5 * pool), self.expected_margin(),
                                     self.required_margin, p.entry_response if response is None else response)

    def expected_market(self) -> goods.GoodsOutcome:
        """The goods market entrants expect this quarter: last quarter's, unless a policy set
        ``entrants_market`` (a lockdown whose market firms do not learn: :class:`ydabm.policies.CityLockdown`
        has entrants expect, during it and in the quarter after, the last market before it, as its
        incumbents expect the demand they expected before it)."""
        return self.goods if self.entrants_market is None else self.entrants_market

    def expected_margin(self) -> np.ndarray:
        """(C, S) margin an entrant expects (Melitz 2003's expected entry profit, as a margin): the
        profit over revenue of a firm with the city-sector's mean draw, pricing at its markup at
        today's wages and selling into the market access of the market it expects (:meth:`expected_market`:
        last quarter's), after its overhead and the upkeep
        of the capacity it would build, plus the entry subsidy where the government targets it. The
        subsidy is paid on the first year's revenue only, so it enters as the annuity of that
        (:func:`ydabm.mechanisms.entry.first_year_weight` of it): a margin held for as long as the
        enterprise lives that is worth as much, discounted at the interest rate and the exit hazard."""
        p, s = self.params, self.sectors
        sigma = s.elasticity[None, :]
        wage = self.mix_wage()
        digital = technology.digital_factor(self.cell_adoption, self.adoption0, p.adoption_gain)
        productivity = self.cell_productivity * self.mean_draw * self.tfp * np.exp(self.knowledge) * digital
        labour_price = planning.markup_price(wage / productivity, sigma)
        price = labour_price + self.unit_input_cost(self.current_intensity()) / productivity
        # margins are over value added: gross revenue less inputs passed through at cost
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(price > labour_price, labour_price / price, 1.0)
        sectors = np.arange(s.count)[None, :]
        ratio = self.capacity_ratio(sectors, self.targets)
        # the entrant sells the share S(q) of its orders that its capacity serves
        revenue = price ** (1 - sigma) * self.expected_market().access * value * goods.sales_share(ratio, p.demand_dispersion)
        upkeep = self.capital_upkeep(sectors, ratio)
        with np.errstate(divide="ignore", invalid="ignore"):
            overhead = np.where(revenue > 0, self.overhead_cell * wage / revenue, np.inf)
        subsidy = entry.first_year_weight(p.exit_rate, p.interest_rate) * p.entry_subsidy * self.targets
        return 1 / sigma - upkeep - overhead + subsidy

    def open_firms(self, entrants: np.ndarray) -> None:
        """The (C, S) entrant mass ``entrants`` joins its city-sector's cohort of the year, or opens it.

        Entrants have the cell's mean draw, price at their markup and expect the demand they would
        meet at it, with the capacity they want for it; owners pay for that capacity in this
        quarter's accounts (``entrant_outlay``, investment spent on local goods next quarter)."""
        p, f, s = self.params, self.firms, self.sectors
        # the entrants of four quarters ago have had their first year
        slot = self.clock % COHORT
        f.joined[:, slot] = 0.0
        cells = np.flatnonzero(entrants.ravel() > 0)
        row = self.cohort.ravel()[cells]
        current = (row >= 0) & f.alive[np.maximum(row, 0)] & (f.cell[np.maximum(row, 0)] == cells) \
            & (f.age[np.maximum(row, 0)] < COHORT)
        largest = entry.largest_cohorts(f.alive, f.cell, f.mass, self.cohort.size)[cells]
        # into an empty city-sector, less than one enterprise does not enter
        enters = entry.enters(entrants.ravel()[cells], current | (largest >= 0), self.enterprises)
        cells, row, current, largest = cells[enters], row[enters], current[enters], largest[enters]
        city, sector = np.divmod(cells, s.count)
        added = entrants.ravel()[cells]
        self.entries = float(added.sum())
        # a cohort of their own for entrants enough to staff it (or the first in an empty cell)
        opens = added >= entry.min_cohort_mass(p.people_per_agent, self.staffing)
        fresh = ~current & (opens | (largest < 0))
        new_rows = f.free_rows(int(fresh.sum()))
        row = np.where(current, row, largest)
        row[fresh] = new_rows
        self.cohort.ravel()[cells[fresh]] = new_rows
        # this quarter's adoption outlays belong to the firms that chose them, not to new rows
        self.adoption_outlay = np.pad(self.adoption_outlay, (0, f.size - self.adoption_outlay.size))
        self.adoption_outlay[new_rows] = 0.0
        # entrants have their city-sector's mean draw, knowledge and adoption share
        sigma = s.elasticity[sector]
        productivity = (self.cell_productivity * self.mean_draw * np.exp(self.knowledge))[city, sector]
        adoption = self.cell_adoption[city, sector]
        phi = productivity * self.tfp[city, sector] * technology.digital_factor(adoption, self.adoption0[city, sector],
                                                                          p.adoption_gain)
        labour_price = planning.markup_price(self.mix_wage()[city, sector] / phi, sigma)
        price = labour_price + self.unit_input_cost(self.current_intensity())[city, sector] / phi
        # entrants build at the newsvendor's goal q and serve S(q) of their orders there, among their
        # rivals at their planned capacities (the notional market's price terms)
        ratio = self.capacity_ratio(sector, self.targets[city, sector])
        served = goods.sales_share(ratio, p.demand_dispersion)
        market = self.expected_market()
        demand = goods.entrant_demand(price, city, sector, s.elasticity, self.frictions.cost_weights,
                                      market.spending, market.notional_terms, served)
        # no more capacity than the city's labour could staff, with the cohort's overhead and capacity
        # (none in a row about to open: closed rows keep their last values until then), at the
        # entrants' productivity (the city-sector's mean draw; the cohort's own is its CES mean with it)
        mix, at = self.skill_table(city, sector)
        held = np.where(fresh, 0.0, f.capacity[row])
        staffable = entry.staffable_capacity(self.labour_force[city], mix[at],
                                             np.where(fresh, 0.0, f.overhead[row]) + added * self.overhead_cell[city, sector],
                                             phi, ratio, served)
        demand = np.where(s.capital_intensity[sector] > 0,
                          entry.entrant_demand_cap(demand, added, ratio, held, staffable), demand)
        capacity = planning.desired_capacity(demand, ratio, s.capital_intensity[sector])
        capacity = np.where(np.isfinite(capacity), capacity, 0.0)
        if fresh.any():
            f.open(new_rows, self.rng.random((new_rows.size, CLASSES)), sector=sector[fresh], city=city[fresh],
                   productivity=productivity[fresh], price=price[fresh], adoption=adoption[fresh])
        # the cohort's enterprises: CES-mean productivity, mass-weighted adoption, summed mass,
        # overhead, capacity, demand
        f.productivity[row] = entry.join_cohort(f.mass[row], f.productivity[row], added, productivity, sigma)
        f.adoption[row] = (f.mass[row] * f.adoption[row] + added * adoption) / (f.mass[row] + added)
        # entrants' deviation: their mean draw's, from the draws' location
        f.deviation[row] = (f.mass[row] * f.deviation[row] + added * np.log(self.mean_draw[city, sector])) \
            / (f.mass[row] + added)
        f.mass[row] += added
        f.joined[row, slot] += added
        f.peak[row] = np.maximum(f.peak[row], f.mass[row])
        f.overhead[row] += added * self.overhead_cell[city, sector]
        f.capacity[row] = np.where(s.capital_intensity[sector] > 0, f.capacity[row] + added * capacity, np.inf)
        f.expected_sales[row] += added * demand * price
        f.notional_sales[row] += added * demand * price
        # owners pay for the entrants' first capacity in this quarter's accounts (as investment), less
        # the capital of the city-sector's leavers they reuse (capital_recovery of it, up to their need)
        self.entrant_outlay = np.zeros(f.size)
        outlay = s.capital_intensity[sector] * labour_price * added * capacity
        if p.capital_recovery > 0.0:
            reused = np.minimum(p.capital_recovery * self.stranded_cells[cells], outlay)
            outlay = outlay - reused
            # (the reused capital is at most what was stranded: max() removes the rounding of the two sums)
            self.stranded = max(self.stranded - float(reused.sum()), 0.0)
        self.entrant_outlay[row] = outlay

    def apply_moves(self, moves: relocation.Moves) -> None:
        w = self.workers
        self.moves = moves
        if moves.rows.size == 0:
            return
        employer = np.take(w.employer, moves.rows)
        if self._pending_moves is not None:               # (closures and mergers: their moves, 4.)
            employer = np.take(self._pending_moves, employer, mode="wrap")
        employed = employer >= 0
        self.firms.employees -= labour.jobs_of(np.compress(employed, employer),
                                               np.compress(employed, np.take(w.skill, moves.rows)),
                                               self.firms.size, CLASSES)
        w.employer[moves.rows] = -1
        classes = np.take(w.skill, moves.rows)
        force = self.labour_force
        # movers out of and into each city-class (integer counts: the same as one at a time)
        force -= np.bincount(moves.origin * CLASSES + classes, minlength=force.size).reshape(force.shape)
        if moves.leave_farm is not None:
            # farmers who take a job leave the land: they arrive in the low-skill labour force; low-skill
            # workers who take up farming join the farmers where they live
            classes = np.where(moves.leave_farm, LOW, np.where(moves.enter_farm, FARM, classes))
            w.skill[moves.rows] = classes
        force += np.bincount(moves.destination * CLASSES + classes, minlength=force.size).reshape(force.shape)
        w.move(moves.rows, moves.destination)

    # ------------------------------------------------------------------ derived state
    def population_by_city(self) -> np.ndarray:
        """Residents of each city in agent units: worker agents (kept current by migration) and dependants."""
        return self.labour_force.sum(axis=1) + self.dependants

    def housing_cost(self) -> np.ndarray:
        """Housing cost index: (population / 2020 population)^elasticity (1 at t = 0).

        The population counts at least one agent: a city every resident has left (possible when farmers
        move too) offers a mover the housing cost of the one home the mover will occupy, not zero
        (a zero cost would make its real income infinite and the logit choice undefined)."""
        people = np.maximum(self.population_by_city(), 1.0)
        return (people / self.initial_population) ** self.params.housing_elasticity

    def log_real_income(self, classes: slice = slice(1, None)) -> np.ndarray:
        """(C, K - 1) log expected real income of the non-farm classes (``classes``: of these classes
        instead; ``slice(None)``: farmers too)."""
        force = self.labour_force
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(force > 0, self.paid_table() / force, 1.0 - self.params.natural_unemployment)
        return calibration.log_real_income(self.wages, rate, self.params.unemployment_benefit, self.cpi,
                                           self.housing_cost(), self.params.housing_share)[:, classes]

    def staff_table(self) -> np.ndarray:
        """(C, 3) employed agents by city and class, from the firms' staff counts (workers live
        where they work)."""
        if self._staff is not None:
            return self._staff
        f = self.firms
        return integer_sums(f.city, f.employees, self.geography.count)

    def paid_table(self) -> np.ndarray:
        """(C, 3) labour paid by city and class, in workers at standard hours: the firms' workers of
        each class times their hours (:func:`ydabm.markets.labour.planned_hours`)."""
        f = self.firms
        sums = self.city_sums()
        paid = f.paid_labour()
        return np.stack([sums(paid[:, k]) for k in range(paid.shape[1])], axis=1)

    def job_table(self) -> np.ndarray:
        """(C, 3) labour paid by city and class of the job done, in workers at standard hours
        (:func:`ydabm.markets.labour.job_labour`): what the quarter's wages are paid for."""
        sums = self.city_sums()
        jobs = self.firms.jobs
        return np.stack([sums(jobs[:, k]) for k in range(jobs.shape[1])], axis=1)

    def employment_by_sector(self) -> np.ndarray:
        f = self.firms
        cities = self.geography.count
        # (integer sums, exact in any order: the dead rows' zeros may be added without compressing them
        # away, and the kept sums by city-sector give the same numbers as integer_sums)
        return self.cell_sums()(np.where(f.alive, f.staff(), 0)).reshape(cities, f.sectors)

    def mix_wage(self) -> np.ndarray:
        """(C, S) cost of one worker of each sector's skill mix in each city, yuan per quarter: with
        ``skill_substitution`` e > 0 the cost of one unit of labour, the classes mixed at least cost
        (:func:`ydabm.mechanisms.skills.unit_cost`)."""
        fund, elasticity = self.fundamentals, self.params.skill_substitution
        if elasticity == 0:
            return self.wages @ fund.skill_mix.T
        return self._wage_table("unit_cost", lambda: skills.unit_cost(self.wages, fund.wages, fund.skill_mix,
                                                                      elasticity))

    def _wage_table(self, name: str, compute, wages: bool = True) -> np.ndarray:
        """``compute()``, a table of the skill mix, kept while what it depends on stays the same: the
        fundamentals (the same object), the skill substitution and, with ``wages``, the wages (the same
        bits). A quarter asks for the unit labour costs and the least-cost class mix five times at the
        same wages (planning, the entrants' and the entry margin's prices); each is a few dozen small
        operations (about 0.05-0.1 ms). The table is read-only: every caller gets the same array."""
        tables = self._wage_tables
        if tables is None:
            tables = self._wage_tables = {}
        key = (self.fundamentals, self.params.skill_substitution, self.wages.tobytes() if wages else None)
        kept = tables.get(name)
        if kept is not None and kept[0][0] is key[0] and kept[0][1:] == key[1:]:
            return kept[1]
        table = compute()
        table.flags.writeable = False
        tables[name] = (key, table)
        return table

    def skill_table(self, city: np.ndarray | None = None, sector: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The labour of each class per unit of labour a firm plans for, and each firm row's row of it:
        the sectors' fixed skill mix (S, K) and the rows' sectors; with ``skill_substitution`` e > 0
        the least-cost mix at this quarter's wages by city-sector (C x S, K) and the rows' cells
        (:func:`ydabm.mechanisms.skills.class_mix`). Given ``city`` and ``sector`` (n,), the table's
        rows for those city-sectors instead of the firm rows'."""
        fund, elasticity = self.fundamentals, self.params.skill_substitution
        given = city is not None
        if elasticity == 0:
            return fund.skill_mix, sector if given else self.firms.sector
        mix = self._wage_table("class_mix", lambda: skills.class_mix(self.wages, fund.wages, fund.skill_mix, elasticity,
                                                                   self.mix_wage()))
        return mix.reshape(-1, mix.shape[2]), city * self.sectors.count + sector if given else self.firms.cell

    def working_labour(self, rows: np.ndarray | None = None) -> np.ndarray:
        """(n,) labour the staff of the firm rows ``rows`` (default: every row) supplies, in workers at
        standard hours: its workers times their hours, summed. With ``skill_substitution`` e > 0 the
        aggregate (:meth:`labour_units`) of the jobs done by class (``Firms.jobs``: the labour of a
        class the firm has no whole worker of is done by its other workers,
        :func:`ydabm.markets.labour.job_labour`, so a class rounded to no worker agent is not missing),
        in the mix of the last labour market and at the staff's labour now (the aggregate is
        homogeneous of degree one; between labour markets workers who move away and mergers change
        the staff, not the jobs). The aggregate of the jobs is ``Firms.job_units``, computed when the
        jobs are set (once a quarter, for this quarter's goods market and next quarter's planning).

        Computed over every row and gathered at ``rows``: the same numbers, row by row, but gathering
        one (n,) result is faster than gathering (n, K) rows or the (n,) sums it is made of."""
        f = self.firms
        supplied = row_sums(f.paid_labour())
        if self.params.skill_substitution != 0:
            done = row_sums(f.jobs)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(done > 0, supplied / done, 0.0)
            supplied = f.job_units * scale
        return supplied if rows is None else np.take(supplied, rows)

    def labour_units(self, labour: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """(n,) labour of the firm rows ``rows`` (default: every row) from their (n, K) labour by class
        (workers at standard hours): the sum over classes, each class counting alike (fixed
        proportions); with ``skill_substitution`` e > 0 the CES aggregate in the sector's 2020 mix and
        the city-sector's 2020 wage-bill shares (:func:`ydabm.mechanisms.skills.composite`)."""
        fund, elasticity = self.fundamentals, self.params.skill_substitution
        if elasticity == 0:
            return row_sums(labour)
        cell = self.firms.cell if rows is None else self.firms.cell[rows]
        # (C, S, K): a few hundred numbers, fixed with the fundamentals
        shares = self._wage_table("cost_shares", lambda: skills.cost_shares(fund.wages, fund.skill_mix), wages=False)
        mix = np.broadcast_to(fund.skill_mix, shares.shape)
        classes = shares.shape[2]
        return skills.composite(labour, mix.reshape(-1, classes), shares.reshape(-1, classes), elasticity, cell)

    def effective_productivity(self) -> np.ndarray:
        """Productivity of each firm row (1 for empty rows, so divisions stay finite)."""
        if self._phi is not None:
            return self._phi
        f = self.firms
        digital = technology.digital_factor(f.adoption, np.take(self.adoption0, f.cell), self.params.adoption_gain)
        phi = f.productivity * np.take(self.tfp, f.cell) * digital
        return np.where(f.alive, phi, 1.0)

    def user_cost(self) -> float:
        """Quarterly cost of a yuan of capital in firms' accounts: depreciation plus interest on the
        debt the banks lend against it (leverage x ``interest_rate``)."""
        p = self.params
        return p.depreciation + p.interest_rate * p.leverage

    def capital_value(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Replacement value of each firm's capacity: capital intensity x price x capacity, yuan (of the
        firm rows ``rows`` only, if given: the same numbers as ``capital_value()[rows]``)."""
        f = self.firms
        if rows is None and self._capital is not None:
            return self._capital
        if rows is None:
            capacity, alive, sector, price, cell = f.capacity, f.alive, f.sector, f.price, f.cell
        else:
            capacity, alive, sector, price, cell = (np.take(c, rows) for c in (f.capacity, f.alive, f.sector,
                                                                                 f.price, f.cell))
        capacity = np.where(np.isfinite(capacity) & alive, capacity, 0.0)
        # capital is valued at the price of value added (the gross price less inputs)
        return np.take(self.sectors.capital_intensity, sector) * price * np.take(self.value_share, cell) * capacity

    def real_output(self) -> np.ndarray:
        """(F,) real value added of each firm: output at 2020 prices (its city-sector's 2020 unit
        value), yuan, less the inputs it uses at 2020 prices (double deflation with the fixed
        Leontief coefficients: the share 1 - a_s of it)."""
        f = self.firms
        value = f.output * np.take(self.base_price, f.cell)
        if self.fundamentals.input_share is not None:
            # (without supply chains the share is 0: the multiply by 1.0 - 0.0 is skipped)
            value *= np.take(1.0 - self.input_share, f.sector)
        return np.where(f.alive, value, 0.0)

    def real_gross_output(self) -> np.ndarray:
        """(F,) output of each firm at 2020 prices, yuan."""
        f = self.firms
        return np.where(f.alive, f.output * np.take(self.base_price, f.cell), 0.0)

    @property
    def input_share(self) -> np.ndarray:
        """(S,) a_s, intermediate inputs over gross output at 2020 (0 without supply chains)."""
        share = self.fundamentals.input_share
        return np.zeros(self.sectors.count) if share is None else share

    def money(self) -> float:
        """Total money: next quarter's spending, government balances, household savings and, with
        supply chains, the external sector's receipts it spends next quarter."""
        external = self.external if self.io is not None else 0.0
        return float(self.spending.sum() + self.budgets.sum() + self.savings.sum() + external)

    # ------------------------------------------------------------------ reports
    def _check_finite(self) -> None:
        """Raise :class:`Diverged` if the state the next quarter starts from is not finite: money
        balances, wages, consumer prices, live firms' posted prices. Where borrowing grows with the
        price level, prices can overflow (docs/validation.md, "Random parameter sets: a longer
        search"); the run then stops with the quarter and what diverged, instead of recording NaN."""
        f = self.firms
        parts = {"spending": self.spending, "government balances": self.budgets,
                 "household savings": self.savings, "wages": self.wages, "consumer prices": self.cpi,
                 "posted prices": np.where(f.alive, f.price, 0.0)}
        diverged = [name for name, values in parts.items() if not np.isfinite(values).all()]
        if not diverged:
            return
        before = getattr(self, "metrics", {}).get("cpi", float("nan"))      # (none before the first quarter)
        raise Diverged(
            f"the economy diverged in quarter {self.clock} ({self.year} Q{self.quarter + 1}"
            f"{', in the burn-in' if self.clock <= 0 else ''}): {', '.join(diverged)} no longer finite"
            + (f"; the quarter before, consumer prices stood at {before:.3g} times 2020's" if np.isfinite(before) else "")
            + " (borrowing that grows with prices: docs/validation.md, 'Random parameter sets: a longer search')")

    def _observe(self) -> None:
        """This step's model metrics, and each government's city report (for the data collector and
        the app); the innovation figures both use are computed once."""
        innovation = observation.innovation_by_city(self)
        self.metrics = observation.model_metrics(self, innovation)
        f = self.firms
        self.sector_adoption = technology.adoption_by_sector(f.adoption, f.mass, f.sector, f.alive,
                                                             self.sectors.traditional)
        for government, report in zip(self.governments, observation.city_reports(self, innovation)):
            government.report = report


def _on_rows(outcome: goods.GoodsOutcome, live: np.ndarray, size: int) -> goods.GoodsOutcome:
    """The goods outcome with firm columns spread over all ``size`` firm rows (0 on dead rows)."""
    def spread(values, dtype=float):
        full = np.zeros(size, dtype=dtype)
        full[live] = values
        return full
    return goods.GoodsOutcome(spread(outcome.price), spread(outcome.revenue), spread(outcome.quantity),
                              spread(outcome.notional), outcome.access, outcome.price_terms, outcome.price_index,
                              outcome.flows, outcome.spending, outcome.residual, outcome.rounds, outcome.notional_terms)


def _unit_values(price: np.ndarray, sigma: np.ndarray, cell: np.ndarray, cities: int, sectors: int,
                 mass: np.ndarray) -> np.ndarray:
    """(C, S) unit value sum p q / sum q of each city-sector with CES quantities q ~ p^(-sigma) per
    variety, ``mass`` varieties a firm (its 2020 price for volume measures); the sector's geometric
    mean where a cell has no firm."""
    value = np.bincount(cell, mass * price ** (1.0 - sigma), minlength=cities * sectors)
    volume = np.bincount(cell, mass * price ** (-sigma), minlength=cities * sectors)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = (value / volume).reshape(cities, sectors)
    filled = np.isfinite(unit) & (unit > 0)
    log_mean = np.array([np.log(unit[filled[:, k], k]).mean() if filled[:, k].any() else 0.0
                         for k in range(sectors)])
    return np.where(filled, unit, np.exp(log_mean)[None, :])


#: least share of its goal the 2020 set-up's steady-state capacity may hold in any sector (capacity_lag)
LEAST_CAPACITY_LAG = 0.01


def _check_capacity_lag(lag: np.ndarray, growth: np.ndarray, params: Params, names) -> None:
    """Refuse a set-up whose steady state holds capacity below :data:`LEAST_CAPACITY_LAG` of its goal.

    Capacity keeps pace with demand, which grows with the sectors' trend productivity, only through
    the accelerator (``investment_speed``) and the entrants that replace leavers (``exit_rate``): as
    both go to 0 the steady state's capacity goes to 0 against its goal (:func:`capacity_lag`: 1e-13 at
    an exit rate of 4e-16 without investment, 1e-253 at an investment speed of 7e-256 without exit).
    Below a hundredth of the capital they want, every sector's cohorts would run at full capacity in
    2020 (NBS: 74.9 % in manufacturing) and the economy the set-up calibrates has no meaning: there the
    t = 0 goods market took 10,000 rounds and left a residual of 1.8e-8, or gave NaN prices (random
    searches at the default scale, 6 Dec 2026). Both at exactly 0 have no steady state and keep the
    goal (lag 1), as before."""
    if lag.min() >= LEAST_CAPACITY_LAG:
        return
    k = int(np.argmin(lag))
    raise ParameterError(
        f"investment_speed, exit_rate: {params.investment_speed:g} and {params.exit_rate:g} hold {names[k]}'s "
        f"capacity in the 2020 steady state at {lag[k]:.3g} of its goal (its demand grows {growth[k]:.3%} a "
        f"quarter); allowed: at least {LEAST_CAPACITY_LAG:g} in every sector (raise either; both 0 keeps the goal)")


def capacity_lag(growth: np.ndarray, speed: float, exit_rate: float, depreciation: float) -> np.ndarray:
    """Steady-state capacity of a city-sector over the newsvendor's goal q D when its demand in units
    grows by ``growth`` g a quarter (its trend productivity growth: prices fall on a fixed money stock).

    Each quarter a share e (``exit_rate``) of the enterprises leaves with its capacity, entrants
    replacing them build at the goal, and the flexible accelerator replaces depreciation and closes a
    share v (``speed``) of the remaining gap, never disinvesting: K_t = K_a + max(v (q D_t - K_a),
    -delta K_a), K_a = (1 - e) K_(t-1) + e q D_t. With D_t = (1 + g) D_(t-1) the ratio c = K_t / (q D_t)
    is constant: c = (v + (1 - v) e) / (1 - (1 - v)(1 - e) / (1 + g)), or, where demand shrinks so
    fast that firms only let capital wear off, c = (1 - delta) e / (1 - (1 - delta)(1 - e) / (1 + g)).
    1 without growth; 1 where capacity never adjusts (v = e = 0: no steady state, the goal is kept)."""
    growth = np.asarray(growth, dtype=float)
    shrink = 1.0 / (1.0 + growth)
    with np.errstate(divide="ignore", invalid="ignore"):
        lag = (speed + (1.0 - speed) * exit_rate) / (1.0 - (1.0 - speed) * (1.0 - exit_rate) * shrink)
        kept = (1.0 - exit_rate) * lag * shrink + exit_rate                       # K_a / (q D)
        idle = (1.0 - depreciation) * exit_rate / (1.0 - (1.0 - depreciation) * (1.0 - exit_rate) * shrink)
        # (with v = e = 0 and no growth the ratio is 0 / 0, and with no shrinkage x / 0: the last line's 1)
        lag = np.where(speed * (1.0 - kept) < -depreciation * kept, idle, lag)
    return np.where((speed + exit_rate > 0) & np.isfinite(lag) & (lag > 0), lag, 1.0)


def steady_investment(growth: np.ndarray, speed: float, depreciation: float, exit_rate: float,
                      recovery: float = 0.0) -> np.ndarray:
    """Investment a quarter per yuan of capital in the steady state of :func:`capacity_lag`: the
    accelerator's replacement and expansion, max(delta K_a + v (q D - K_a), 0), and the entrants' first
    capacity e q D, over the capital K = c q D; delta + e without growth (capacity at its goal). Less,
    with ``recovery`` r > 0, the leavers' capital e K the entrants reuse, r e K up to their e q D
    (``capital_recovery``)."""
    lag = capacity_lag(growth, speed, exit_rate, depreciation)
    kept = (1.0 - exit_rate) * lag / (1.0 + np.asarray(growth, dtype=float)) + exit_rate      # K_a / (q D)
    rate = (np.maximum(depreciation * kept + speed * (1.0 - kept), 0.0) + exit_rate) / lag
    if recovery > 0.0:
        rate = rate - np.minimum(recovery * exit_rate, exit_rate / lag)
    return rate


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
    """Integer rounding of ``values`` that keeps each group's sum equal to ``totals`` (largest remainder).

    In each group the ``short`` members with the largest fractional parts round up (ties in index
    order): the first ``short`` of the group in ``np.lexsort((-fraction, groups))``. Found group by
    group (groups are few: labour markets) by selection of the cut, without sorting the members.
    """
    base = np.floor(values).astype(np.int64)
    short = totals - np.bincount(groups, base, minlength=size)
    fraction = values - base
    bump = np.zeros(values.size, dtype=np.int64)
    if np.isnan(fraction).any():                   # (nan sorts last in lexsort; selection would differ)
        order = np.lexsort((-fraction, groups))
        sorted_groups = groups[order]
        rank = np.arange(values.size) - np.searchsorted(sorted_groups, sorted_groups, side="left")
        bump[order] = rank < short[sorted_groups]
        return base + bump
    members = np.bincount(groups, minlength=size)
    compact = groups.astype(np.uint16) if groups.size and groups.max() < 1 << 16 else groups
    order = np.argsort(compact, kind="stable")     # members by group, in index order (a radix sort)
    first = np.cumsum(members) - members
    for g in np.flatnonzero((short > 0) & (members > 0)).tolist():
        rows = order[first[g]:first[g] + members[g]]
        take = int(short[g])
        if take >= rows.size:
            bump[rows] = 1
            continue
        part = fraction[rows]
        cut = np.partition(part, rows.size - take)[rows.size - take]   # the take-th largest fraction
        above = part > cut
        tied = np.flatnonzero(part == cut)[:take - int(np.count_nonzero(above))]
        bump[rows[above]] = 1
        bump[rows[tied]] = 1
    return base + bump
