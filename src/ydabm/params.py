"""Every model parameter, declared once.

Each :class:`Param` carries its type, default, unit, bounds and a one-line meaning. The model's
keyword defaults, the scenario files, sweep specs, the app's controls, ``ydabm params`` and the
ODD table are all derived from :data:`PARAMS`, so defaults cannot drift between them.

``kind`` follows the EMA Workbench distinction: ``lever`` (a policy choice), ``uncertainty`` (a
behavioural or technological parameter the analyst does not control), ``scale`` (how many agents
represent the economy) and ``geography`` (which world is simulated).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class ParameterError(ValueError):
    """A parameter value or name that the model does not accept; the message names the field."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the known name that differs only in case, or else is closest
    (difflib), or else is the only one that starts with ``name`` (``anhui`` -> ``anhui_hukou_reform``);
    ``""`` when none is close."""
    known = list(known)
    same = [k for k in known if k.lower() == name.lower()]
    starts = [k for k in known if len(name) >= 3 and k.lower().startswith(name.lower())]
    close = same or difflib.get_close_matches(name, known, n=1) or (starts if len(starts) == 1 else [])
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter.

    Attributes:
        name: keyword name of the parameter in ``YRDModel``.
        type: ``float``, ``int`` or ``str``.
        default: default value.
        unit: unit of the value (``"1"`` for dimensionless).
        low: lower bound (inclusive), or ``None`` for strings.
        high: upper bound (inclusive), or ``None`` for strings.
        meaning: one-line meaning, with the symbol and source where there is one.
        kind: ``lever``, ``uncertainty``, ``scale`` or ``geography``.
        choices: allowed values for a string parameter (``None``: any string).
    """

    name: str
    type: type
    default: Any
    unit: str
    low: float | None
    high: float | None
    meaning: str
    kind: str = "uncertainty"
    choices: tuple[str, ...] | None = None

    def bounds(self) -> str:
        """Allowed values as text: ``[low, high]``, the choices, or ``text``."""
        if self.low is not None:
            return f"[{self.low:g}, {self.high:g}]"
        return "|".join(self.choices) if self.choices else "text"


def markdown_table() -> str:
    """Every parameter as a Markdown table (the ODD's parameter section is this text)."""
    rows = ["| parameter | default | allowed | unit | kind | meaning, source or calibration |",
            "|---|---|---|---|---|---|"]
    for p in PARAMS:
        default = f"{p.default:.6g}" if p.type is not str else p.default
        rows.append(f"| `{p.name}` | {default} | {p.bounds()} | {p.unit} | {p.kind} | {p.meaning} |")
    return "\n".join(rows)


PARAMS: tuple[Param, ...] = (
    # --- the two headline levers -------------------------------------------------------------
    Param("barrier", float, 0.5, "1", 0.0, 1.0,
          "administrative barrier: scales the provincial border effect on trade, local protection and the hukou penalty (0 = unified market, 1 = strong protection); every province's at the start of a run (ProvinceLevers sets it per province)", "lever"),
    Param("specialization", float, 0.5, "1", 0.0, 1.0,
          "weight of comparative advantage in governments' target-sector choice (0 = all chase the strategic list and their peers, 1 = comparative advantage only)", "lever"),
    # --- government instruments --------------------------------------------------------------
    Param("targets_per_city", int, 3, "sectors", 1, 8, "support budget of each city government in sector-equivalents of its mean tradable sector: the intensities of support weighted by the sectors' employment add up to this many times the city's mean tradable sector's employment, so which sectors a government backs does not change how much of its economy it backs (assumption: the first few priority industries of a city's plan; a lever)", "lever"),
    Param("target_sharpness", float, 6.25, "1 / score", 0.0, 1000.0,
          "sharpness beta of the capped logit by which a government spreads its support over sectors, per unit of target score (scores lie in [0, 1]): at 6.25 a sector 0.16 ahead gets e times the weight; large values approach the hard choice of the best targets_per_city sectors, 0 spreads support evenly. Calibrated: the nine G60 cities' 2020 support spreads over 4.5 effective sectors (inverse Herfindahl), as their joint 2019 list of seven industries does on the model's sectors (new materials left out; counted as petrochemicals and steel, 5.8 sectors and beta 4.05); swept as an uncertainty", "uncertainty"),
    Param("target_imitation", float, 0.5, "1", 0.0, 1.0,
          "weight m of imitation in the non-specialization part of the target score, (1 - m) x the sector's prestige on the published lists + m x the other cities' mean support of it last year: 0 = no imitation (prestige only), 1 = imitation only; 0.5 weighs the two equally (assumption: no data separate them; swept as an uncertainty)", "uncertainty"),
    Param("entry_subsidy", float, 0.1, "share of revenue", 0.0, 0.5,
          "subsidy paid to entrants in target sectors during their first year, as a share of their revenue; would-be entrants value it as the first year's share of their expected discounted revenue (0.095 at the default exit_rate and interest_rate) times this (assumption; a lever, Sobol-swept in experiments/sensitivity)", "lever"),
    Param("capacity_subsidy", float, 0.2, "share of investment", 0.0, 0.9,
          "share of target-sector firms' investment paid by the city government; also lowers their target utilisation (assumption; a lever, Sobol-swept in experiments/sensitivity)", "lever"),
    Param("debt_limit", float, 0.03, "share of annual GDP", 0.0, 1.0,
          "borrowing room of a city government for supporting firms, beyond its 2020 debt, as a share of its annual GDP: support claims beyond its balance, this room and last quarter's net revenue are rationed (2020: local-government debt of 25.66 trillion yuan under a limit of 28.81 trillion set by the NPC, a headroom of about 3 % of GDP; Ministry of Finance 2020 final accounts)", "lever"),
    Param("soft_budget", float, 1.0, "1", 0.0, 5.0,
          "soft-credit generosity g: a government lends a failing local firm its quarter's loss when the loss is at most g x (1 + barrier x local_protection) x its priority (support intensity of its sector plus a large-employer weight, at most 1) x what the firm's closure would cost the government that quarter (its workers' unemployment benefits and lost income tax); 0 = hard budgets, 1 = the fiscal calculus alone (soft budget constraint, Kornai 1986; assumption, a lever)", "lever"),
    Param("credit_spells", int, 0, "0/1", 0, 1,
          "1: a government weighs soft credit over the expected spells instead of one quarter: keeping a failing firm costs its shortfall for as long as failing firms' losses are expected to last, closing it costs the closure's benefits and lost tax for as long as its workers are expected to look for work, so its credit line is the quarter's times spell(the city's job-finding rate this quarter) / spell(the rate at which the losses of failing firms with a loss streak as long as its own ended across the region over the last year; streaks in classes of exit_after quarters), spell(p) = 1 / (1 - (1 - p) / (1 + interest_rate)) (optimal stopping with constant rates); 0, the default: one quarter's shortfall against one quarter's closure cost (opt-in; assumption)", "uncertainty"),
    Param("leverage", float, 0.56, "1", 0.0, 0.95,
          "debt over capital that banks lend against a firm's capital (its collateral line; the 2020 debt of every firm): liabilities over assets of above-scale industrial enterprises, 56.1 % at the end of 2020 (NBS), taken as interest-bearing debt (an upper bound: part of liabilities are payables)", "uncertainty"),
    Param("local_protection", float, 0.3, "1", 0.0, 2.0,
          "procurement wedge a city's government puts on other cities' tradable goods at barrier = 1: buyers spend as if imports cost this much more (local market protection; Barwick, Cao & Li 2021)", "lever"),
    Param("rd_subsidy", float, 0.0, "share of R&D", 0.0, 0.9,
          "share of firms' R&D spending paid by their city government (lowers the cost in the firms' R&D choice; 0 at baseline: the 2020 R&D intensities are calibrated with the tax treatment of the time in the R&D efficiencies)", "lever"),
    Param("rd_fund_share", float, 0.0, "share of GDP", 0.0, 0.02,
          "budget of a joint regional R&D fund (seed paper section 4.4): the cities pay into one pool in proportion to their GDP and the pool pays one share of every firm's R&D across the region, budget / R&D (at most half); 0 at baseline (2020 had no such fund)", "lever"),
    Param("rd_fund_pooled", int, 1, "0/1", 0, 1,
          "1: the joint R&D fund is one regional pool paying one rate of every firm's R&D, the cities paying in by GDP; 0: each city pays rd_fund_share of its own GDP for its own firms' R&D (the comparison case)", "lever"),
    Param("adoption_subsidy", float, 0.0, "share of adoption cost", 0.0, 0.9,
          "share of traditional-sector firms' digital adoption cost paid by their city government (seed paper section 4.2)", "lever"),
    Param("public_spending_adjustment", float, 0.1, "per quarter", 0.0, 1.0,
          "share of a government's accumulated budget balance spent (or consolidated) each quarter", "lever"),
    # --- trade -------------------------------------------------------------------------------
    Param("border_effect_scale", float, 1.0, "1", 0.0, 3.0,
          "multiplier on the published provincial price border effects (+25% to +103%, Huang & Chen)", "uncertainty"),
    Param("trade_cost", float, 1.7, "iceberg factor", 1.0, 20.0,
          "synthetic geographies only: iceberg trade cost T between neighbouring cities (Krugman 1991)", "geography"),
    # --- migration ---------------------------------------------------------------------------
    Param("migration_elasticity", float, 4.0, "1/log-utility", 0.1, 200.0,
          "logit sensitivity of location choice to log expected real income (beta)", "uncertainty"),
    Param("reconsider_rate", float, 0.05, "per quarter", 0.0, 1.0,
          "share of mobile workers who reconsider their city each quarter (assumption: about one in five a year)", "uncertainty"),
    Param("farmer_mobility", float, 1.0, "1", 0.0, 1.0,
          "share of the farmers drawn at reconsider_rate who reconsider their occupation and city: farming is a two-way choice of a city's home pool (its farmers and its low-skill workers with the local hukou), between farming there and a low-skill job in any city; a farmer who takes a job leaves the land, a local worker who chooses farming takes it up where it lives (return to the land). Farming is worth the farm income plus an attachment calibrated so that at t = 0 each city's farmers change at its farm share of its 2020 net migration (with no net migration as many take up farming as leave it; ydabm.calibration.farm_choice_share), and the amenities place everyone who reconsiders. 1 = farmers reconsider as often as other workers (the 2020 census floating population is two thirds rural-to-urban, about 249 M of 375.8 M, against a 54.6 % rural-hukou share of the population, NBS); farm employment then follows the cities' populations, 0.96 of 2020 after ten years region-wide (China's farm employment fell 4.5 % a year in 2010-2020, NBS: a structural transformation the baseline does not carry, its farm incomes being stationary). 0 = Krugman's immobile farmers, the model before, exactly", "uncertainty"),
    Param("move_cost", float, 1.0, "log-utility", 0.0, 10.0,
          "fixed utility cost of moving to another city (assumption; with beta = 4 it keeps yearly moves to a few percent; amenities are calibrated given it)", "uncertainty"),
    Param("move_cost_per_hour", float, 0.15, "log-utility per hour", 0.0, 5.0,
          "utility cost of moving per hour of travel time (assumption; distance decay of migration; amenities are calibrated given it)", "uncertainty"),
    Param("migrant_inflow_rate", float, 1 / 30, "per year", 0.0, 0.2,
          "net migration at t = 0 as a yearly share of each city's 2020 net migrant stock (resident - hukou): "
          "the stock built up over three decades (1990-2020), so 1/30; 0 calibrates stationary populations", "uncertainty"),
    Param("hukou_penalty", float, 0.3, "log-utility", 0.0, 3.0,
          "utility penalty for living outside one's hukou province at barrier = 1 (scaled by barrier); every province's at the start of a run (ProvinceLevers sets it per province: the destination's applies)", "uncertainty"),
    Param("housing_share", float, 0.25, "share of spending", 0.0, 0.6,
          "housing share in the cost of living (Helpman 1998 dispersion force)", "uncertainty"),
    Param("housing_elasticity", float, 0.6, "1", 0.0, 3.0,
          "elasticity of housing cost with respect to local population (assumption)", "uncertainty"),
    # --- labour market -----------------------------------------------------------------------
    Param("matching_efficiency", float, 0.9, "1", 0.01, 5.0,
          "efficiency of the Cobb-Douglas matching function m*U^0.5*V^0.5 per quarter (assumption: most vacancies fill within a quarter at 5 % unemployment); "
          "positive: at 0 no worker is ever hired, so the 2020 economy, where hires replace separations, has no steady state and empties at the separation rate", "uncertainty"),
    Param("separation_rate", float, 0.02, "per quarter", 0.0, 0.3,
          "exogenous job separation rate (assumption: 8 % a year)", "uncertainty"),
    Param("wage_adjustment", float, 0.15, "per quarter", 0.0, 1.0,
          "speed at which wages respond to labour-market tightness (wage Phillips curve)", "uncertainty"),
    Param("natural_unemployment", float, 0.05, "1", 0.0, 0.3,
          "unemployment rate at which wages are stable (2020 surveyed urban rate about 5%)", "uncertainty"),
    Param("skill_substitution", float, 1.5, "1", 0.0, 5.0,
          "elasticity of substitution e between the labour classes of a firm: with e > 0 its labour is a CES aggregate of its classes in the calibrated share form (the sector's 2020 skill mix and the city's 2020 wage-bill shares), so firms hire more of a class whose wage falls relative to the others (ydabm.mechanisms.skills); the default 1.5 is the estimate between more and less educated workers (Katz & Murphy 1992: 1.41; Ciccone & Peri 2005: about 1.5), here the low- and high-skill classes (farm work is agriculture's alone); 0: the fixed skill mix, the engine before 5 Dec 2026, bit for bit", "uncertainty"),
    Param("skill_premium", float, 1.8, "1", 1.0, 5.0,
          "high-skill over low-skill wage at t = 0 (college wage premium about 1.8, CFPS)", "uncertainty"),
    Param("farm_productivity", float, 0.33, "1", 0.05, 1.0,
          "value added per farmer relative to the city average; sets farm employment from the primary GDP share (China 2020: 7.7% of GDP, 23.6% of jobs)", "uncertainty"),
    Param("working_age_share", float, 0.6335, "share of persons", 0.4, 1.0,
          "share of a city's settled (hukou) population that is of working age and so in the labour force (worker agents); the rest are dependants who count as residents but do not work or move: 2020 census, ages 15-59, 63.35 % nationally (NBS, Seventh Census Bulletin No. 5); 1 with migrant_working_age_share = 1: every resident is a worker", "uncertainty"),
    Param("migrant_working_age_share", float, 0.76, "share of persons", 0.0, 1.0,
          "share of a city's net migrants (resident - hukou population) that is of working age: a city that lost people kept their children and elderly; 0.76 fits the four provinces' 2020 census 15-59 shares of residents (scripts/wage_dispersion.py) and agrees with the 2020 floating population's age mix (18.9 % under 18: 71.09 M of 375.8 M, NBS/UNICEF/UNFPA 2023; about 7 % aged 60+)", "uncertainty"),
    Param("unemployment_benefit", float, 0.4, "share of wage", 0.0, 1.0,
          "transfer to an unemployed worker as a share of the local low-skill wage (assumption: unemployment insurance pays below the local minimum wage)", "lever"),
    # --- firms -------------------------------------------------------------------------------
    Param("firm_count_elasticity", float, 0.6, "1", 0.1, 1.0,
          "firms per city-sector grow with its 2020 revenue to this power: below 1, strong city-sectors have larger, more productive firms (comparative advantage carried by firms)", "uncertainty"),
    Param("productivity_dispersion", float, 0.12, "log sd", 0.0, 1.0,
          "standard deviation of log firm productivity around its city-sector mean (assumption)", "uncertainty"),
    Param("productivity_persistence", float, 1.0, "per year", 0.0, 1.0,
          "yearly autocorrelation rho of the persistent shocks to a firm agent's log productivity (Hopenhayn 1992): each quarter its deviation u from its permanent level (the location of its city-sector's draws, times knowledge and its own innovations) becomes rho^(1/4) u + productivity_dispersion x sqrt(1 - rho^(1/2)) x e, e the agent's innovation, common to its enterprises: standard normals with each city-sector's mass-weighted mean taken out (the law of large numbers of its many enterprises; none where one agent holds the city-sector), so the deviations' stationary sd is productivity_dispersion times sqrt(1 - H), H the Herfindahl index of the city-sector's agents (at most max_cohort_share where several agents hold it). 1 (the default) draws no shocks: every agent keeps its set-up draw for life (the engine before this parameter, bit for bit). Plant TFP persists about 0.8 a year (Foster, Haltiwanger & Syverson 2008). Below 1 the 2020 set-up is not the baseline's steady state (firm mass about -8 % in five years at 0.8; docs/validation.md, 'Persistent productivity shocks'): compare against a baseline with the same value, after a burn-in (burn_in 30 with max_cohort_share 0.05 and demand_dispersion refitted to 0.72 keeps unemployment, similarity and the firm mass within the default engine's stationarity bands, with a zombie share of about 4.8 %)", "uncertainty"),
    Param("demand_dispersion", float, 1.34, "log sd", 0.0, 2.0,
          "standard deviation s of the log of an enterprise's idiosyncratic demand shock (lognormal, mean one), unknown when it builds capacity (the newsvendor's uncertainty); a calibration target: s makes manufacturing capacity utilisation at t = 0 the NBS 2020 figure (74.9 %), so sector differences and lever effects are out of sample", "uncertainty"),
    Param("interest_rate", float, 0.01, "per quarter", 0.0025, 0.0125,
          "interest rate r on firm debt and the required return on capital in the user cost of capacity (r + depreciation) x capital (Hall & Jorgenson 1967); 4 % a year, about the 2020 one-year loan prime rate (3.85 %, PBoC); bounded at 1-5 % a year (the five-year rate was 4.65 %; a zero user cost would have the newsvendor build for the top of an unbounded demand distribution); (r + depreciation) x capital_intensity x elasticity must stay below 1 in every sector with capital, or no capacity pays", "uncertainty"),
    Param("depreciation", float, 0.015, "per quarter", 0.0, 0.02,
          "depreciation rate delta of capacity (6 % a year, between the 5 % and 9.6 % common in Chinese capital-stock estimates); bounded at 8 % a year so that with the highest interest_rate the user cost of capacity stays below its margin in every sector of configs/sectors.toml ((r + delta) x capital_intensity x elasticity < 1; the largest capital_intensity x elasticity is 30)", "uncertainty"),
    Param("investment_speed", float, 0.25, "per quarter", 0.0, 1.0,
          "share of the gap to desired capacity closed each quarter (assumption: about a year to build). Jointly with exit_rate bounded below: the 2020 steady state must hold capacity at 1 % of its goal or more in every sector (capacity grows with demand only through this and the entrants replacing leavers), so without investment an exit rate below about 1.2e-4 a quarter (at tfp_growth_scale 1) is refused at set-up, naming both; both 0 keep the goal", "uncertainty"),
    Param("demand_expectation", float, 0.5, "1", 0.0, 1.0,
          "weight on the latest quarter in adaptive demand expectations (assumption)", "uncertainty"),
    Param("exit_rate", float, 0.015, "per quarter", 0.0, 0.1,
          "exogenous exit hazard of a real enterprise (Melitz 2003 delta; 6 % a year, within the 5-10 % yearly exit rates of Chinese manufacturing firms, Brandt, Van Biesebroeck & Zhang 2012). A firm agent is a cohort of identical enterprises: this share of its enterprises leaves each quarter, a mass flow at every agent scale. Jointly with investment_speed bounded below (see there)", "uncertainty"),
    Param("entry_pool", float, 0.25, "per quarter", 0.02, 1.0,
          "potential entrants of a city-sector per quarter, as a share of its 2020 firm mass (the local pool of would-be founders; assumption: a quarter, so an emptied market can be re-entered within a year); bounds entry and so the firm table", "uncertainty"),
    Param("entry_response", float, 20.0, "1 / margin", 0.0, 200.0,
          "logit sensitivity of a potential entrant's decision to the margin it expects above the city-sector's 2020 free-entry margin (logistic entry costs; at the 2020 margin entry replaces the firms that left; assumption: 5 pp more margin raises entry about e-fold)", "uncertainty"),
    Param("exit_after", int, 4, "quarters", 1, 40,
          "consecutive loss-making quarters after which an unsupported firm (a cohort of identical enterprises) exits whole (assumption: a year of losses)", "uncertainty"),
    Param("failing_exit_share", float, 1.0, "1", 0.0, 1.0,
          "share of an unsupported failing cohort's enterprises (losses for exit_after quarters) that leave each quarter while it keeps failing: 1, the default, closes the cohort whole (its enterprises are identical); below 1, exit is a mass flow, as if its enterprises differed in how long their owners can carry losses (opt-in; assumption), so no agent that stands for much of its city-sector closes in one quarter; 0: failing cohorts never leave", "uncertainty"),
    Param("capital_recovery", float, 0.0, "1", 0.0, 1.0,
          "share of the capital of a city-sector's leaving enterprises (the hazard's, shed and closed cohorts') that the city-sector's entrants of the same quarter reuse instead of building new, up to what they need (a market for used plant and equipment; the rest is stranded): their owners' outlay is that much smaller. 0, the default, strands all of it (the engine before this parameter, bit for bit; opt-in). No data in the repository sets it; with it the set-up's steady-state investment is smaller by the reused share of the hazard's exits", "uncertainty"),
    Param("profit_tax", float, 0.25, "1", 0.0, 0.6, "tax rate on positive firm profits (China CIT 25%)", "lever"),
    Param("income_tax", float, 0.05, "1", 0.0, 0.5, "average tax rate on wages (assumption)", "lever"),
    Param("tfp_growth_scale", float, 1.0, "1", 0.0, 3.0,
          "multiplier on the sectors' trend productivity growth (1 = the rates of configs/sectors.toml, as yearly log rates): at t = 0 every city-sector grows at this multiple of its sector's trend, its exogenous part being that less the growth its firms' innovations give", "uncertainty"),
    # --- innovation and digital adoption ------------------------------------------------------
    Param("rd_elasticity", float, 0.5, "1", 0.2, 0.95,
          "elasticity beta of an enterprise's Poisson innovation rate with respect to its R&D share of revenue (patents-R&D elasticities of about 0.3-1, about 0.5 in Hall, Griliches & Hausman 1986; bounded below at 0.2, where the innovation growth that the calibrated R&D implies, proportional to d / beta, would be ten times the sector trends)", "uncertainty"),
    Param("innovation_discount", float, 0.025, "per quarter", 0.005, 0.1,
          "discount rate d of an innovation's profit gain, interest plus obsolescence (assumption: 10 % a year; bounded at 40 % a year); the value of an innovation is (exp((sigma - 1) step) - 1) / sigma / d quarters of revenue, and the innovation growth that the calibrated R&D implies is proportional to d", "uncertainty"),
    Param("rd_depreciation", float, 0.0375, "per quarter", 0.005, 0.5,
          "depreciation rate of the R&D stock in the knowledge pool (15 % a year, the usual perpetual-inventory rate, Hall 2007)", "uncertainty"),
    Param("knowledge_spillover", float, 1.5, "1", 0.0, 3.0,
          "most psi that knowledge spillovers can add to the innovation rate theta s^beta (1 + psi kappa / (1 + kappa)); kappa is other cities' travel-time-weighted R&D stock over the region's at t = 0 (assumption; below 4 (1 - rd_elasticity) R&D has a stable level; a set-up where the loop R&D -> R&D stocks -> pools -> R&D has a gain of 1 or more at the calibrated 2020 state, which larger values with long knowledge_decay_hours or rd_elasticity near 1 can give, is refused, as is a run whose levers or policies take the gain there at once; a run whose policies take it there later stops)", "uncertainty"),
    Param("knowledge_decay_hours", float, 1.0, "hours", 0.1, 20.0,
          "travel time over which knowledge spillovers fall by a factor e (high-speed-rail links raise co-patenting most within about 250 km, about an hour; Regional Studies 2022)", "uncertainty"),
    Param("knowledge_border", float, 0.5, "1", 0.0, 1.0,
          "share of knowledge spillovers lost across a provincial border at barrier = 1 (co-invention friction; scaled by the border's barrier; assumption)", "uncertainty"),
    Param("adoption_gain", float, 0.1, "1", 0.0, 1.0,
          "productivity gain g of a traditional-sector enterprise that adopts digital technology (assumption)", "uncertainty"),
    Param("adoption_cost", float, 8.0, "quarters of revenue", 0.01, 100.0,
          "median one-off cost c_0 of digital adoption for an enterprise with no digital economy nearby, in quarters of its revenue (assumption: about a third of traditional enterprises adopted at t = 0)", "uncertainty"),
    Param("adoption_cost_dispersion", float, 1.0, "log sd", 0.05, 5.0,
          "standard deviation of log adoption costs across enterprises (assumption)", "uncertainty"),
    Param("adoption_access_elasticity", float, 10.0, "1 / share", 0.0, 100.0,
          "fall in log adoption cost per unit of the travel-time-weighted digital-economy employment share around the city (nearby digital activity makes adoption cheaper; assumption)", "uncertainty"),
    Param("adoption_rate", float, 0.05, "per quarter", 0.0, 1.0,
          "share of traditional enterprises that reconsider adoption each quarter (assumption: about a fifth a year)", "uncertainty"),
    # --- scale and world ---------------------------------------------------------------------
    Param("people_per_agent", float, 750.0, "persons", 1.0, 75_000.0,
          "people one worker agent stands for (750 gives about 2.0e5 worker agents, the YRD's working-age residents; the default is a scale whose results match 500's in every criterion of the convergence check, which 1000, the default until 7 Dec 2026, misses on the barrier's effect on the zombie share: docs/validation.md, Scale convergence). At most 75,000: beyond it the smallest city (Zhoushan, 0.76 M working-age residents) would have fewer than ten worker agents, and the set-up's floor of ten per city would replace its census population (with about 410 worker agents at 1e6 and above, whatever the scale)", "scale"),
    Param("workers_per_firm", float, 23.5, "worker agents", 2.0, 1000.0,
          "worker agents per firm agent at t = 0: the firm count scales with the economy, so a firm agent stands for people_per_agent x workers_per_firm people's jobs (at people_per_agent = 1, one enterprise of about 23 workers)", "scale"),
    Param("max_cohort_share", float, 1.0, "1", 0.05, 1.0,
          "largest share of its city-sector's enterprises one firm agent may hold: a cohort above it splits in two, once a quarter, while each half keeps at least the mass that opens a cohort (entry.min_cohort_mass: 13.3 worker agents at the set-up's staff per enterprise at the default scale, 5 at 2000). A firm agent's enterprises share one productivity shock and close together, and merges and entrant flows too small to open a cohort collect in each city-sector's largest agent (its mass-weighted share rises from 0.24 at t = 0 to 0.60 after ten years at 2000 people per agent), so with productivity shocks one draw moves much of a city-sector. A representation choice, not economics: the halves are the same enterprises; without shocks they stay identical and a run moves little in ten years (seeds 1-3: real GDP -0.05 %, utilisation -0.5 pp, zombie share +0.14 pp), but at 2000 people per agent the halves get small (after twenty years a tenth of the agents have one or two worker agents) and whole-worker rounding then makes losses (zombie share 0.60 % against 0.08 %, utilisation -0.9 pp); at 500 people per agent it does not (0.26 % against 0.20 %, utilisation unchanged), so use it there or finer. The firm table holds more rows (about twice at 0.2). 1, the default, splits nothing (the engine before this parameter, bit for bit; opt-in)", "scale"),
    Param("staff_rounding", int, 1, "0/1", 0, 1,
          "how a firm turns its real-valued staff plan into whole worker agents (both unbiased across firms: each firm's rounding point is uniform on [0, 1), drawn when it opens; in both, the hours per worker make the labour supplied that of the real-valued plan, and each job is paid its own class's wage, whoever works it): 1, the default, a fixed rounding point per firm (its headcount changes only when its plan crosses an integer less that point, so a firm whose plan holds keeps its staff, as an enterprise of real people would; a firm whose every class rounds to no worker keeps one worker of its largest class); 0, error diffusion, the engine before 5 Dec 2026 (the rounding error is carried into the next quarter, so a firm's headcount averages its plan over time, but around a steady plan it toggles between the two whole numbers next to it, laying off and hiring a worker agent by turns: layoffs of 1.36 % of the labour force a quarter at 2000 people per agent, against 0.46 % with 1) (assumption)", "scale"),
    Param("world", str, "yrd", "", None, None,
          "world: the 41 YRD cities, a two-city economy or a racetrack of equidistant cities", "geography",
          ("yrd", "two_city", "racetrack")),
    Param("racetrack_cities", int, 12, "cities", 3, 100, "number of cities on the racetrack", "geography"),
    Param("network_file", str, "", "path", None, None,
          "CSV of links (city_a, city_b, hours) replacing the 2020 rail and road network; empty = shipped network", "geography"),
    Param("sectors_file", str, "sectors", "name or path", None, None,
          "sector configuration: a name in configs/ or a path to a TOML file", "geography"),
    Param("input_output", int, 0, "0/1", 0, 1,
          "whether firms buy intermediate inputs across sectors and cities (China's 2020 input-output table through io_concordance; 0: value added only)", "geography"),
    Param("io_concordance", str, "io_concordance", "name or path", None, None,
          "concordance of the 42-sector 2020 input-output table to the model's sectors: a name in configs/ or a path to a TOML file", "geography"),
    Param("inventory_weeks", float, 6.0, "weeks", 0.0, 52.0,
          "target input inventories of goods (agriculture, manufacturing), weeks of use; services are not stored (ARIO, Hallegatte 2008)"),
    Param("inventory_restock", float, 0.5, "1/quarter", 0.05, 1.0,
          "share of the gap between input inventories and their target ordered per quarter (ARIO's 1/tau; at least 0.05, an adjustment time of at most 20 quarters: the set-up starts from the order rule's steady inventories, the target plus (planned - used inputs) / inventory_restock, and a city-sector that plans more than it makes (24 % more in the furthest of 3,936 at the defaults) would start with 5 quarters of use at 0.05, more without bound as it falls, overflowing below about 1e-290)"),
    Param("supplier_adjustment", float, 2.0, "quarters", 1.0, 40.0,
          "adjustment time tau of buyers' input sourcing across supplier cities: each quarter the shares close 1/tau of the gap to the CES-optimal shares (1: full switching within the quarter; customers of disrupted suppliers lose sales for about 2-3 quarters, Barrot & Sauvagnat 2016)"),
    Param("governments_act", int, 1, "0/1", 0, 1, "whether city governments act (0 switches off every policy instrument)", "lever"),
    Param("agriculture_share", float, 0.6, "1", 0.01, 0.99,
          "synthetic geographies only: expenditure share of agriculture (1 - mu)", "geography"),
    Param("initial_core_share", float, 0.5, "1", 0.0, 1.0,
          "synthetic geographies only: share of the mobile workers that start in city 0 (the rest spread over the others)", "geography"),
    Param("initial_noise", float, 0.0, "log sd", 0.0, 1.0,
          "synthetic geographies only: lognormal noise on the initial mobile workers of each city (racetrack symmetry breaking)", "geography"),
    Param("start_year", int, 2020, "year", 1900, 2100, "calendar year of step 0", "geography"),
    Param("burn_in", int, 0, "years", 0, 40,
          "years the model runs before start_year Q1, at the baseline levers, with no policy, with nobody moving (so the 2020 populations and farm labour stay) and with entry replacing the firms that leave, so that closures, loss streaks, soft credit and the zombies' yearly accounts reach their own levels; the state reached is the start (t = 0), with the free-entry margin, the amenities that carry 2020's net flows on, the farmers' attachment to farming and the bases of real GDP and consumer prices taken there, and these years are not recorded. 0, the default: the calibrated 2020 set-up is the start (the steady state of the engine without productivity shocks); use it with productivity_persistence below 1, whose steady state the set-up is not (docs/validation.md, 'Persistent productivity shocks'). Each year costs four quarters of run time, once per seed in a process: a later run with the same seed and parameters (levers aside) copies the burnt-in state (ydabm.burnt_state), bit for bit", "geography"),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMS}
#: the coarse scale of quick runs (tests, examples, the app's first page): 1 agent per 20,000 people
QUICK_SCALE: dict[str, Any] = {"people_per_agent": 20000.0}


def _coerce(param: Param, value: Any) -> Any:
    """Convert ``value`` to the declared type, or raise a ParameterError naming the field: a number
    outside the declared bounds (NaN and the infinities included) is out of range, for whole-number
    parameters as for the others, and a whole-number parameter takes only whole values."""
    if param.type is str:
        if not isinstance(value, str):
            raise ParameterError(f"{param.name}: expected text, got {value!r}")
        if param.choices is not None and value not in param.choices:
            raise ParameterError(f"{param.name}: {value!r} is not one of {', '.join(param.choices)}")
        return value
    if isinstance(value, bool):
        raise ParameterError(f"{param.name}: expected a number in [{_fmt(param.low)}, {_fmt(param.high)}], got {value!r}")
    try:
        number = float(value)
    except OverflowError:              # a whole number beyond any float: beyond every bound
        number = math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        raise ParameterError(
            f"{param.name}: expected a number in [{_fmt(param.low)}, {_fmt(param.high)}], got {value!r}"
        ) from None
    # the bounds first: NaN and the infinities (``nan``, ``inf``, ``1e400``) fail here, for whole numbers
    # too, which have no integer value to take
    if not (param.low <= number <= param.high):
        unit = f" ({param.unit})" if param.unit not in ("", "1") else ""
        raise ParameterError(
            f"{param.name}: {value!r} is out of range; allowed [{_fmt(param.low)}, {_fmt(param.high)}]{unit}"
        )
    if param.type is int:
        if number != int(number):
            raise ParameterError(f"{param.name}: expected a whole number in [{_fmt(param.low)}, {_fmt(param.high)}], got {value!r}")
        number = int(number)
    return number


def _fmt(x: float | None) -> str:
    return "none" if x is None else f"{x:g}"


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Return the full, validated parameter set: defaults updated with ``values``.

    Args:
        values: parameter names mapped to values (strings from a command line are accepted for
            numbers).

    Raises:
        ParameterError: unknown name, wrong type or value out of bounds; the message names the field
            and what is allowed.
    """
    unknown = sorted(set(values) - set(BY_NAME))
    if unknown:
        raise ParameterError(f"unknown parameter {unknown[0]!r}{did_you_mean(unknown[0], BY_NAME)}; "
                             "`ydabm params` lists them")
    resolved = dict(DEFAULTS)
    for name, value in values.items():
        resolved[name] = _coerce(BY_NAME[name], value)
    return resolved


def seed_argument(text: str) -> int:
    """The ``type`` of a command's ``--seed`` option: a whole number >= 0 (what numpy's generators take),
    or argparse's one-line error naming the option (exit 2) before anything runs."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: whole numbers >= 0")
    return value


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a ``key=value`` command-line override into a validated pair."""
    if "=" not in text:
        raise ParameterError(f"--set expects key=value, got {text!r}")
    key, value = (part.strip() for part in text.split("=", 1))
    if key not in BY_NAME:
        raise ParameterError(f"--set {key}: unknown parameter{did_you_mean(key, BY_NAME)}; `ydabm params` lists them")
    return key, _coerce(BY_NAME[key], value)


@dataclass(frozen=True)
class Params:
    """The resolved parameters of one run: one typed, read-only field per entry of :data:`PARAMS`.

    Build it with :meth:`Params.build`, which validates every value against its declaration. Levers
    that policies change during a run are not read from here after set-up: they live in
    :class:`ydabm.levers.Levers` (one place, no stale copies).
    """

    barrier: float = 0.5
    specialization: float = 0.5
    targets_per_city: int = 3
    target_sharpness: float = 6.25
    target_imitation: float = 0.5
    entry_subsidy: float = 0.1
    capacity_subsidy: float = 0.2
    debt_limit: float = 0.03
    soft_budget: float = 1.0
    credit_spells: int = 0
    leverage: float = 0.56
    local_protection: float = 0.3
    rd_subsidy: float = 0.0
    rd_fund_share: float = 0.0
    rd_fund_pooled: int = 1
    adoption_subsidy: float = 0.0
    public_spending_adjustment: float = 0.1
    border_effect_scale: float = 1.0
    trade_cost: float = 1.7
    migration_elasticity: float = 4.0
    reconsider_rate: float = 0.05
    farmer_mobility: float = 1.0
    move_cost: float = 1.0
    move_cost_per_hour: float = 0.15
    migrant_inflow_rate: float = 1 / 30
    hukou_penalty: float = 0.3
    housing_share: float = 0.25
    housing_elasticity: float = 0.6
    matching_efficiency: float = 0.9
    separation_rate: float = 0.02
    wage_adjustment: float = 0.15
    natural_unemployment: float = 0.05
    skill_substitution: float = 1.5
    skill_premium: float = 1.8
    farm_productivity: float = 0.33
    working_age_share: float = 0.6335
    migrant_working_age_share: float = 0.76
    unemployment_benefit: float = 0.4
    firm_count_elasticity: float = 0.6
    productivity_dispersion: float = 0.12
    productivity_persistence: float = 1.0
    demand_dispersion: float = 1.34
    interest_rate: float = 0.01
    depreciation: float = 0.015
    investment_speed: float = 0.25
    demand_expectation: float = 0.5
    exit_rate: float = 0.015
    entry_pool: float = 0.25
    entry_response: float = 20.0
    exit_after: int = 4
    failing_exit_share: float = 1.0
    capital_recovery: float = 0.0
    profit_tax: float = 0.25
    income_tax: float = 0.05
    tfp_growth_scale: float = 1.0
    rd_elasticity: float = 0.5
    innovation_discount: float = 0.025
    rd_depreciation: float = 0.0375
    knowledge_spillover: float = 1.5
    knowledge_decay_hours: float = 1.0
    knowledge_border: float = 0.5
    adoption_gain: float = 0.1
    adoption_cost: float = 8.0
    adoption_cost_dispersion: float = 1.0
    adoption_access_elasticity: float = 10.0
    adoption_rate: float = 0.05
    people_per_agent: float = 750.0
    workers_per_firm: float = 23.5
    max_cohort_share: float = 1.0
    staff_rounding: int = 1
    world: str = 'yrd'
    racetrack_cities: int = 12
    network_file: str = ''
    sectors_file: str = 'sectors'
    input_output: int = 0
    io_concordance: str = 'io_concordance'
    inventory_weeks: float = 6.0
    inventory_restock: float = 0.5
    supplier_adjustment: float = 2.0
    governments_act: int = 1
    agriculture_share: float = 0.6
    initial_core_share: float = 0.5
    initial_noise: float = 0.0
    start_year: int = 2020
    burn_in: int = 0

    @classmethod
    def build(cls, values: dict[str, Any] | None = None) -> Params:
        """Validated parameters: the declared defaults updated with ``values``.

        Raises:
            ParameterError: unknown name, wrong type or value out of bounds (the message names the
                field and what is allowed).
        """
        return cls(**validate(values or {}))

    def as_dict(self) -> dict[str, Any]:
        """Every parameter by name (for manifests and output columns)."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Params:
        """A copy with ``changes`` validated and applied."""
        return Params.build({**self.as_dict(), **changes})
