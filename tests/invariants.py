"""Invariants every model state must keep after every step, defined once.

Used by ``test_model.py`` (the default parameters) and ``test_properties.py`` (random parameter sets
and scenarios). ``Start`` records what must stay constant from t = 0; ``assert_invariants`` checks
people, goods and money accounting, production feasibility, metrics and bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from ydabm import observation
from ydabm.agents.firms import COHORT, HEADROOM
from ydabm.mechanisms import entry

#: metrics that are shares or coefficients in [0, 1] (ydabm.observation / ydabm.metrics)
UNIT_METRICS = (
    "similarity_manufacturing", "similarity_all", "similarity_within_province", "similarity_across_provinces",
    "zombie_share", "zombie_employment_share", "zombie_capital_share", "unemployment_rate", "interprovincial_trade_share", "interprovincial_migration_share",
    "gini_gdp_per_capita", "digital_adoption_share", "cross_province_spillover_share",
)
#: capacity utilisation is output over capacity; the goods market lets demand exceed what a firm can
#: produce by its clearing tolerance (1e-9 relative), so utilisation may exceed 1 by that much
UTILISATION = "capacity_utilization"
#: metrics that are positive (prices, ratios of positive quantities)
POSITIVE_METRICS = ("gdp_deflator", "cpi")
#: output metrics: positive in a quarter when some firm produced, 0 when none did (an economy whose
#: firms have all died or lost all their staff)
OUTPUT_METRICS = ("real_gdp", "nominal_gdp", "gdp_per_capita")
#: metrics that are counts, flows or indices >= 0
NON_NEGATIVE_METRICS = ("subsidy_to_gdp", "stranded_capital", "theil_index", "theil_between_provinces",
                        "migrants", "firms", "entries", "exits", "market_residual", "zipf_exponent", "patents")
#: rounding slack on shares computed as ratios (a cosine similarity of equal vectors may be 1 + 1 ulp)
ROUNDING = 1e-12
#: relative slack on production feasibility (output <= capacity, output <= what the staff can make)
FEASIBILITY = 1e-8
#: largest relative excess demand the goods market may leave
RESIDUAL = 1e-8


@dataclass(frozen=True)
class Start:
    """What the invariants compare against: the model at t = 0."""

    workers: int
    money: float
    rows: int
    firms: int
    dependants: tuple[float, ...] = ()
    #: the model's steps at t = 0 (after any burn-in)
    steps: int = 0
    #: running maxima the bounds of later states need (the live firm mass so far)
    peak: dict = field(default_factory=dict)

    @classmethod
    def of(cls, model) -> Start:
        return cls(model.workers.count, model.money(), model.firms.size, model.firms.count,
                   tuple(model.dependants.tolist()), model.steps)


def observed_metrics(model) -> dict:
    """The model's metrics that must be finite now: all but, at the set-up's observation (step 0), the
    quarter flows, which are NaN there (``observation.QUARTER_FLOWS``; checked by the caller)."""
    skip = observation.QUARTER_FLOWS if model.steps == 0 else ()
    return {k: v for k, v in model.metrics.items() if k not in skip}


def observed_report(model, report: dict) -> list[float]:
    """A city report's scalar values that must be finite now (as :func:`observed_metrics`)."""
    skip = ("employment", "adoption") + (observation.CITY_QUARTER_FLOWS if model.steps == 0 else ())
    return [v for k, v in report.items() if k not in skip]


def finite_state(model) -> bool:
    """Every state array and metric that feeds the next quarter or the output is finite (at step 0
    the quarter flows are NaN instead: no quarter has passed)."""
    f = model.firms
    arrays = [model.spending, model.wages, model.savings, model.budgets, model.cpi, f.revenue[f.alive],
              f.price[f.alive], f.profit[f.alive], f.output[f.alive], *model.flows.values()]
    reports = [v for g in model.governments for v in observed_report(model, g.report)]
    flows_unobserved = model.steps > 0 or all(np.isnan(model.metrics[k]) for k in observation.QUARTER_FLOWS)
    return (all(np.isfinite(a).all() for a in arrays)
            and all(np.isfinite(v) for v in observed_metrics(model).values())
            and bool(np.isfinite(reports).all()) and flows_unobserved)


def assert_people(model, start: Start) -> None:
    """People are neither created nor lost; every employee is counted once, by a live firm in the
    city where it lives."""
    f, w = model.firms, model.workers
    cities = model.geography.count
    assert w.count == start.workers, "workers.count changed"
    # dependants neither work nor move: each city keeps its t = 0 stock
    assert tuple(model.dependants.tolist()) == start.dependants, "dependants changed"
    np.testing.assert_array_equal(model.population_by_city(), w.table(cities).sum(axis=1) + model.dependants,
                                  err_msg="population_by_city() != workers + dependants by city")
    np.testing.assert_array_equal(model.labour_force, w.table(cities), err_msg="labour_force != workers' table")
    np.testing.assert_array_equal(model.staff_table(), w.table(cities, w.employed),
                                  err_msg="staff_table() != employed workers' table")
    employed = w.employed
    assert np.all(w.employer < f.size), "an employer row beyond the firm table"
    assert np.all(f.alive[w.employer[employed]]), "an employee of a dead firm (worker side)"
    assert f.employees.min() >= 0, "negative staff count"
    jobs = np.zeros_like(f.employees)
    np.add.at(jobs, (w.employer[employed], w.skill[employed]), 1)
    np.testing.assert_array_equal(f.employees, jobs, err_msg="firms' staff counts != employees by worker side")
    assert f.employees[f.alive].sum() == employed.sum(), "live firms' staff != employed workers"
    assert f.employees[~f.alive].sum() == 0, "a dead firm has employees"
    assert np.all(w.city[employed] == f.city[w.employer[employed]]), "a worker lives outside its firm's city"
    # hours (labour.planned_hours): a firm whose plan was filled has each class's plan of whole workers,
    # within one worker of the real-valued plan, working d_k / n_k of the standard hours plus the labour
    # of its classes planned at no whole worker (each below one worker) spread over its workers
    staffed = f.alive[:, None] & (f.employees > 0)
    assert np.all(np.isfinite(f.hours[staffed]) & (f.hours[staffed] > 0)), "hours not positive and finite"
    filled = staffed & ~f.understaffed[:, None]
    workers = np.maximum(f.employees.sum(axis=1), 1)[:, None]
    bound = 1.0 / np.maximum(f.employees, 1) + f.employees.shape[1] / workers
    assert np.all((np.abs(f.hours - 1.0) < bound)[filled]), "hours of a fully staffed firm beyond 1 -+ 1 / n_k"


def assert_goods(model, rel: float) -> None:
    """The goods market clears: spending over all city pairs equals sales revenue; no live firm sells
    more than its capacity or than its working staff can produce."""
    f, acc = model.firms, model.flows
    spending = model.goods.spending.sum()
    assert model.goods.flows.sum() == pytest.approx(spending, rel=rel), \
        f"trade flows {model.goods.flows.sum()!r} != spending {spending!r}"
    assert acc["revenue"].sum() == pytest.approx(spending, rel=rel), \
        f"revenue {acc['revenue'].sum()!r} != spending {spending!r}"
    assert model.goods.residual <= RESIDUAL, f"goods market residual {model.goods.residual:.3g} > {RESIDUAL:g}"
    live = np.flatnonzero(f.alive)
    output = f.output[live]
    assert output.min(initial=0.0) >= 0, "negative output"
    over_capacity = output > f.capacity[live] * (1 + FEASIBILITY)
    assert not over_capacity.any(), (
        f"output above capacity at rows {live[over_capacity][:5]}: "
        f"{output[over_capacity][:5]} > {f.capacity[live][over_capacity][:5]}")
    # the labour the staff supplies, as the model counts it (its workers' hours summed, or with
    # substitution between the classes the CES aggregate of the jobs done: YRDModel.working_labour)
    # a lockdown closes a share of every cohort's enterprises, their staff and overhead with them
    open_share = 1.0 - model.levers.absent[f.city[live]]
    labour_room = open_share * (model.working_labour(live) - f.overhead[live]) * model.effective_productivity()[live]
    over_staff = output > np.maximum(labour_room, 0.0) * (1 + FEASIBILITY)
    assert not over_staff.any(), (
        f"output above what the working staff can produce at rows {live[over_staff][:5]}: "
        f"{output[over_staff][:5]} > {labour_room[over_staff][:5]}")


def gross_money(model) -> float:
    """The sum of the absolute values of the balances ``model.money()`` adds up: next quarter's
    spending, government balances, household savings and the external sector's receipts."""
    external = abs(model.external) if model.io is not None else 0.0
    return float(np.abs(model.spending).sum() + np.abs(model.budgets).sum() + np.abs(model.savings).sum()
                 + external)


def assert_money(model, start: Start, rel: float) -> None:
    """Money is neither created nor lost, and no city plans negative spending; wages paid equal wages
    earned; the income identity holds.

    The net stock must stay at t = 0's to ``rel`` of the gross balances (:func:`gross_money`), or of
    the stock where that is larger. Where governments or households borrow, negative balances offset
    positive ones, and a float sum of terms of size G carries rounding of about G x 1e-16 whatever
    the net: with no balance negative (every default run) gross and net are one number, and the
    check is the plain relative one."""
    acc = model.flows
    money = model.money()
    scale = max(gross_money(model), abs(start.money))
    assert abs(money - start.money) <= rel * scale, \
        (f"money() changed: {money!r} vs {start.money!r} at t = 0 (relative {money / start.money - 1:.3g}; "
         f"gross balances {scale / abs(start.money):.3g} x the stock)")
    assert model.spending.min() >= 0, \
        f"negative spending planned by city {int(np.argmin(model.spending))}: {model.spending.min()!r}"
    gap = np.abs(acc["wages"] - acc["wage_bill"]).max()
    assert acc["wages"] == pytest.approx(acc["wage_bill"], rel=rel), \
        f"wages (workers) != wage_bill (firms): largest gap {gap!r}"
    # city income = wages + profits (owners' cash flow) + interest (the city's banks are its
    # households') + transfers - taxes
    assert acc["income"] == pytest.approx(acc["wages"] + acc["owners"] + acc["interest"] + acc["benefits"]
                                          - acc["income_tax"]), "income identity"


def assert_metrics(model) -> None:
    """Metrics are finite and within their ranges."""
    m = observed_metrics(model)
    assert finite_state(model), f"non-finite state or metric: {[k for k, v in m.items() if not np.isfinite(v)]}"
    for name in (n for n in UNIT_METRICS if n in m):
        assert 0.0 <= m[name] <= 1.0 + ROUNDING, f"{name} = {m[name]!r} outside [0, 1]"
    assert 0.0 <= m[UTILISATION] <= 1.0 + FEASIBILITY, f"{UTILISATION} = {m[UTILISATION]!r} outside [0, 1]"
    adoption = np.array([g.report["adoption"] for g in model.governments])
    assert ((adoption >= 0) & (adoption <= 1)).all(), "a digital adoption share outside [0, 1]"
    assert 0.0 <= m["krugman_index"] <= 2.0, f"krugman_index = {m['krugman_index']!r} outside [0, 2]"
    for name in POSITIVE_METRICS:
        assert m[name] > 0, f"{name} = {m[name]!r} not positive"
    f = model.firms
    produced = bool((np.where(f.alive, f.output, 0.0) > 0).any())
    for name in OUTPUT_METRICS:
        assert (m[name] > 0) if produced else (m[name] == 0), \
            f"{name} = {m[name]!r} {'not positive' if produced else 'not 0'} (firms {'' if produced else 'did not '}produce)"
    # the core's GDP per person over the periphery's: positive when a firm of the core produced
    core = np.take(np.asarray(model.core, dtype=bool), f.city) & f.alive
    core_produced = bool((np.where(core, f.output, 0.0) > 0).any())
    ratio = m["core_periphery_ratio"]
    assert (ratio > 0) if core_produced else (ratio >= 0), f"core_periphery_ratio = {ratio!r} (core produced: {core_produced})"
    employed = model.staff_table().sum() > 0
    assert (m["real_wage"] > 0) if employed else (m["real_wage"] == 0), f"real_wage = {m['real_wage']!r} (employed: {employed})"
    # R&D is a share (at most 1) of each firm's value added where it is positive, so it is at most the
    # positive value added; R&D over GDP exceeds 1 where other firms' value added is negative
    positive = np.where(f.alive, model.outlay_base(), 0.0).sum()
    gdp = np.where(f.alive, model.firm_value_added(), 0.0).sum()
    rd = m["rd_intensity"] * gdp if gdp > 0 else 0.0
    assert 0.0 <= m["rd_intensity"] and rd <= positive * (1 + ROUNDING) + 1e-9, \
        f"R&D {rd!r} above the positive value added {positive!r} (rd_intensity {m['rd_intensity']!r})"
    for name in (n for n in NON_NEGATIVE_METRICS if n in m):
        assert m[name] >= 0, f"{name} = {m[name]!r} negative"


def assert_memory(model, start: Start) -> None:
    """The firm table stays bounded, by the rules that add firm agents (not a multiple fixed by hand):

    - live firm agents: the t = 0 ones, plus at most one cohort opened per city-sector per ``COHORT``
      quarters (entrants join their city-sector's current cohort while it is younger than ``COHORT``
      quarters and alive: two live cohorts opened since t = 0 are at least ``COHORT`` quarters apart),
      plus, where cohorts above ``max_cohort_share`` of their city-sector split in two, as many halves as
      the live firm mass holds cohorts of the least mass a half keeps (``entry.min_cohort_mass``);
    - rows: the table grows only when it is full, by the missing rows plus ``HEADROOM`` of its rows, so
      it holds at most its t = 0 rows or the largest live bound so far over 1 - ``HEADROOM``.

    Over a long run cohorts also merge once worn down (``entry.merge_pairs``); this bound, linear in
    time, is what a few quarters can check."""
    f, p = model.firms, model.params
    least = entry.min_cohort_mass(p.people_per_agent, model.staffing)
    mass = float(np.where(f.alive, f.mass, 0.0).sum())
    # the table's rows are a high-water mark: their bound takes the largest live mass so far
    start.peak["mass"] = max(start.peak.get("mass", 0.0), mass)
    split, ever = ((0, 0) if p.max_cohort_share >= 1 else
                   (int(np.ceil(mass / least)), int(np.ceil(start.peak["mass"] / least))))
    cells = model.geography.count * model.sectors.count
    opened = cells * -(-(model.steps - start.steps) // COHORT)        # cells x ceil(t / COHORT)
    assert f.count <= start.firms + opened + split, (
        f"{f.count} live firms (t = 0: {start.firms}; at most {opened} cohorts opened, {split} split halves)")
    most = max(start.rows, int(np.ceil((start.firms + opened + ever) / (1.0 - HEADROOM))))
    assert f.size <= most, f"firm table grew to {f.size} rows (t = 0: {start.rows}; bound {most})"


def assert_invariants(model, start: Start, rel: float = 1e-10) -> None:
    """Every invariant of a model state after a step (``rel``: tolerance of the accounting identities)."""
    assert_people(model, start)
    assert_goods(model, rel)
    assert_money(model, start, rel)
    assert_metrics(model)
    assert_memory(model, start)
