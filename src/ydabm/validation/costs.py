"""What homogeneous competition and its instruments cost: each lever's effect on output, productivity,
welfare and the public purse, with standard errors over matched seeds, beside published magnitudes.

Each :class:`Contrast` runs the model with the ``policy`` values and with the ``counterfactual``
values (everything else at its default) on the same seeds, ``quarters`` quarters from the calibrated
2020 economy, and compares the means of the last ``WINDOW`` quarters, seed by seed. The seed paper's
coordination paths are contrasts of a scenario (``coordinated_targets``, ``division_of_labor`` and
``division_of_labor_by_advantage``) against the baseline. The outcomes:

- ``real_gdp``: value added at 2020 prices, % (the model metric);
- ``labour_productivity``: real GDP per employed worker, % (``real_gdp / (1 - unemployment_rate)``:
  the region's workforce is fixed);
- ``aggregate_productivity``: aggregate TFP, % -- the output-weighted productivity of the model
  metric (Olley & Pakes 1996): within each sector the firms' mean log productivity weighted by their
  real value added, summed over sectors at their t = 0 shares; it falls when output stays with, or
  goes to, less productive firms (since 5 Dec 2026; the Tan et al. TFP analogue used labour
  productivity before);
- ``welfare``: the consumption-equivalent change, % -- households' disposable income plus public
  spending at 2020 prices, summed over the cities (the model metric ``real_income``); with log
  utility of real income and unchanged amenities this is the uniform % change in consumption that
  gives the same welfare (gains from moving to better amenities are not counted);
- ``support``: support paid to firms (subsidies and soft credit) at 2020 prices, 100 M
  yuan a year: the fiscal cost;
- ``zombie_share``, ``capacity_utilization``, ``similarity_manufacturing``: what the lever moves.

The welfare effect is decomposed exactly into channels (:func:`welfare_channels`), each in % of the
counterfactual's welfare, mean ± se over seeds. Nominal channels, at the counterfactual's consumer
prices: households' income by source -- wages, owners' cash flow before support (sales less inputs,
wages, investment, profit tax and interest), support received, interest on firm debt (paid to the
households' banks), unemployment benefits, less income tax -- and public spending. The same nominal
total by use (``BUDGET_SIDE``): absorption (sales less inputs and investment: what production leaves
for consumption and public spending), the gap between wages received and paid, tax-sharing
transfers, the governments' deficit (public spending and outlays beyond their tax revenue,
financed by borrowing: the flow a budget-blind measure would count as income), and relief lending in
a lockdown (households' savings the banks lend to owners, less repayments: owners' cash flow includes
it; zero in runs without a lockdown). The price channel,
the change in consumer prices at the policy's nominal incomes, is split by an exact Shapley
decomposition of each city's log CPI change into the goods market's four inputs: the firm mass
(CES varieties), posted prices, the service share of orders (enterprises' capacity under demand
shocks: what they turn away raises a buyer's effective price) and trade costs (the market's
weights), plus the CPI's 2020 base.

Effects are policy minus counterfactual: mean over seeds of the per-seed differences, its standard
error (sample standard deviation over sqrt(seeds)) and t. Two published magnitudes are set beside
their model analogues, as orders of magnitude (the settings differ):

- Tan, Huang & Woo (2016, Chinese industrial firms 2005-07): zombie exit would raise industrial
  output growth by 2.12 pp and TFP growth by 1.06 pp a year. Analogue: ending soft credit (hard
  budgets, ``soft_budget`` 0, against its default generosity), the level effect on real GDP and on
  aggregate productivity spread over the run's years.
- Barwick, Cao & Li (2021, Chinese car markets): local protection's consumer welfare loss is 41 %
  of the subsidy spent. Analogue: the welfare loss of local protection (the procurement wedge at
  its default against none) over the support governments spend at the default.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..labels import unit
from ..markets import goods
from ..model import YRDModel
from ..params import Params
from ..run import model_frame, provenance
from ..scenarios import load_scenario

SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40
WINDOW = 8
SCALE: dict[str, Any] = {}          # the default people_per_agent
OUT = Path("results/validation/costs")
OUTCOMES = ("real_gdp", "labour_productivity", "aggregate_productivity", "welfare", "support", "zombie_share",
            "capacity_utilization", "similarity_manufacturing")
RELATIVE = ("real_gdp", "labour_productivity", "aggregate_productivity", "welfare")   # reported as % changes
SUPPORT_UNIT = "100 M yuan/yr, 2020 prices"
#: Tan, Huang & Woo (2016): what zombie exit would add to yearly growth, pp
TAN_OUTPUT_GROWTH, TAN_TFP_GROWTH = 2.12, 1.06
#: Barwick, Cao & Li (2021): consumer welfare loss of local protection over the subsidy spent
BARWICK_LOSS_SHARE = 0.41
#: welfare's nominal channels by source of income (they sum to income plus public spending)
INCOME_SIDE = ("wages", "owners_before_support", "support", "interest", "benefits", "income_tax", "public")
#: the same total by use: what production leaves, and what the governments add by borrowing
BUDGET_SIDE = ("absorption", "wage_gap", "tax_transfer", "government_deficit", "relief_lending")
#: the goods market's inputs of the consumer price index (Shapley factors) and the index's 2020 base
PRICE_FACTORS = ("firm_mass", "posted_prices", "service", "trade_costs")
PRICE_CHANNELS = (*PRICE_FACTORS, "price_base")


@dataclass(frozen=True)
class Contrast:
    """A lever setting (``policy``) against its counterfactual, other parameters at their defaults; with
    ``scenario``, the policy arm runs that scenario (its parameters and policies, ``configs/scenarios/``)
    and the counterfactual the baseline."""

    name: str
    policy: dict = field(hash=False)
    counterfactual: dict = field(hash=False)
    reading: str = ""
    scenario: str | None = None


CONTRASTS = (
    Contrast("administrative barriers", {"barrier": 1.0}, {"barrier": 0.0},
             "border costs, local protection and hukou costs at their strongest against none"),
    Contrast("local protection", {}, {"local_protection": 0.0},
             "governments' procurement wedge on other cities' goods at its default, against none (the border "
             "effect and hukou costs unchanged)"),
    Contrast("homogeneous competition", {"specialization": 0.0}, {"specialization": 1.0},
             "every government chases the strategic list and its peers, against comparative advantage only"),
    Contrast("soft budgets", {}, {"soft_budget": 0.0},
             "governments extend soft credit to failing local firms at the default generosity, against hard "
             "budgets (no soft credit: failing firms exit)"),
    Contrast("industrial support", {}, {"entry_subsidy": 0.0, "capacity_subsidy": 0.0, "soft_budget": 0.0},
             "entry and capacity subsidies and soft credit at their defaults, against none"),
    Contrast("coordinated targets", {}, {},
             "the seed paper's coordination path: from 2021 a regional body assigns each city's support along "
             "comparative advantage and shares the taxes, against the baseline", scenario="coordinated_targets"),
    Contrast("provincial division of labour", {}, {},
             "the seed paper's division of labour: from 2021 each province's governments favour its role's "
             "sectors, against the baseline", scenario="division_of_labor"),
    Contrast("division of labour by advantage", {}, {},
             "the same roles, each given only to the province's cities with a revealed comparative advantage "
             "in it, against the baseline", scenario="division_of_labor_by_advantage"),
)


def welfare_state(model: YRDModel) -> dict[str, np.ndarray]:
    """This quarter's welfare accounts of ``model``, for :func:`welfare_channels`.

    Returns (C,) arrays in yuan per quarter: the :data:`INCOME_SIDE` and :data:`BUDGET_SIDE` flows
    (income tax with its sign in welfare, negative), ``debt_annuity`` (the governments' net debt since
    2020, -balance, at its annuity value: ``interest_rate`` x debt, the flow that would service it for
    ever) and ``price`` (consumer prices relative to 2020);
    ``log_cpi`` and ``log_base`` (C,) the log CPI and its 2020 base; (C, S) by city-sector of the
    sellers: ``mass`` (firm mass of the selling firms), ``posted`` (posted-price term
    sum m p^(1 - sigma) / mass) and ``service`` (the goods market's varieties term
    A = sum m v^(1 - sigma), v the effective price, over sum m p^(1 - sigma): the share of orders
    served, weighted); the (S, C, C) market ``weights`` and ``welfare_weights``; (S,) ``alpha``.
    """
    fl, f, s = model.flows, model.firms, model.sectors
    support = fl["subsidies"]                      # entry and capacity subsidies and soft credit received
    taxes = fl["income_tax"] + fl["profit_tax"] + fl["tax_transfer"]
    state = {"wages": fl["wages"], "owners_before_support": fl["owners"] - support, "support": support,
             "interest": fl["interest"], "benefits": fl["benefits"], "income_tax": -fl["income_tax"],
             "public": fl["public"],
             "absorption": fl["revenue"] - fl["inputs"] - fl["investment"], "wage_gap": fl["wages"] - fl["wage_bill"],
             "tax_transfer": fl["tax_transfer"],
             "government_deficit": fl["public"] - (taxes - fl["benefits"] - support),
             # relief loans in a lockdown: the households' savings the banks lent to owners, less repayments
             "relief_lending": fl.get("relief_lent", 0.0) - fl.get("relief_repaid", 0.0) + np.zeros_like(fl["wages"]),
             "debt_annuity": model.params.interest_rate * -model.budgets,
             "price": model.cpi / model.cpi0, "log_cpi": np.log(model.cpi), "log_base": np.log(model.cpi0)}
    cells = model.geography.count * s.count
    sigma = s.elasticity[f.sector]
    access = model.goods.access.ravel()[f.cell]
    selling = f.alive & (f.mass > 0) & np.isfinite(f.price) & (f.price > 0) & (access > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        varieties = np.where(selling, f.revenue / access, 0.0)
        at_posted = np.where(selling, f.mass * f.price ** (1.0 - sigma), 0.0)
    mass, posted, served = (np.bincount(f.cell, values, minlength=cells).reshape(-1, s.count)
                            for values in (np.where(selling, f.mass, 0.0), at_posted, varieties))
    with np.errstate(divide="ignore", invalid="ignore"):
        state["mass"] = mass
        state["posted"] = np.where(mass > 0, posted / mass, 0.0)
        state["service"] = np.where(posted > 0, served / posted, 0.0)
    state["weights"], state["welfare_weights"] = model.trade_weights()
    state["alpha"] = model.fundamentals.expenditure_share
    state["elasticity"] = s.elasticity
    return state


def log_cpi(mass: np.ndarray, posted: np.ndarray, service: np.ndarray, weights: np.ndarray,
            welfare_weights: np.ndarray, elasticity: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """(C,) log consumer price index of every city from the goods market's inputs: varieties
    A = mass x posted x service (C, S), the CES weights (S, C, C) and the expenditure shares (S,)
    (:func:`ydabm.markets.goods.welfare_price_index`, :func:`ydabm.markets.goods.consumer_price_index`)."""
    varieties = mass * posted * service
    index = goods.welfare_price_index(varieties, goods.price_terms(varieties, weights), welfare_weights, elasticity)
    return np.log(goods.consumer_price_index(index, alpha))


def price_shapley(policy: dict, counter: dict) -> dict[str, np.ndarray]:
    """(C,) exact Shapley split of each city's log CPI change (policy minus counterfactual) over
    :data:`PRICE_FACTORS`, each factor taken from the policy or the counterfactual arm.

    Where a city-sector sells in one arm only, its posted-price and service terms are taken from the
    arm where it sells, so its appearance counts as firm mass.
    """
    filled = {}
    for arm, other in ((policy, counter), (counter, policy)):
        filled[id(arm)] = {k: np.where(arm["mass"] > 0, arm[k], other[k]) for k in ("posted", "service")}

    def factor(arm, name):
        if name == "firm_mass":
            return arm["mass"]
        if name == "trade_costs":
            return arm["weights"], arm["welfare_weights"]
        return filled[id(arm)][{"posted_prices": "posted", "service": "service"}[name]]

    def value(chosen: frozenset) -> np.ndarray:
        pick = {name: factor(policy if name in chosen else counter, name) for name in PRICE_FACTORS}
        weights, welfare = pick["trade_costs"]
        return log_cpi(pick["firm_mass"], pick["posted_prices"], pick["service"], weights, welfare,
                       policy["elasticity"], policy["alpha"])

    n = len(PRICE_FACTORS)
    subsets = [frozenset(c) for r in range(n + 1) for c in itertools.combinations(PRICE_FACTORS, r)]
    values = {subset: value(subset) for subset in subsets}
    parts = {}
    for name in PRICE_FACTORS:
        total = 0.0
        for subset in subsets:
            if name in subset:
                continue
            weight = math.factorial(len(subset)) * math.factorial(n - len(subset) - 1) / math.factorial(n)
            total = total + weight * (values[subset | {name}] - values[subset])
        parts[name] = total
    return parts


def _log_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Logarithmic mean (a - b) / (ln a - ln b) of positive arrays, a where they are equal."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a - b) / (np.log(a) - np.log(b))
    return np.where(np.isclose(a, b, rtol=1e-12, atol=0.0), a, ratio)


def welfare_channels(policy: list[dict], counter: list[dict]) -> dict[str, float]:
    """The welfare effect of one matched pair of runs, split into channels, % of the counterfactual.

    ``policy`` and ``counter`` are :func:`welfare_state` of the window's quarters. With N the nominal
    income plus public spending and P the consumer prices of a city, welfare is sum_c N_c / P_c (at 2020
    prices, averaged over the window), and its change splits exactly into nominal channels at the
    counterfactual's prices, sum_c dX_c / P_c^cf, and the price channel sum_c N_c^pol (1 / P_c^pol -
    1 / P_c^cf). The price channel is split over the log CPI's Shapley parts (:func:`price_shapley`)
    and the CPI base with the logarithmic mean L of 1 / P: 1 / P^pol - 1 / P^cf = -L dln P.

    Returns:
        ``welfare`` (the total, %), the :data:`INCOME_SIDE`, :data:`BUDGET_SIDE` and
        :data:`PRICE_CHANNELS` channels (%) and ``nominal`` and ``prices`` (their sums, %).
        INCOME_SIDE + prices, BUDGET_SIDE + prices and nominal + prices each equal welfare.
        ``debt_annuity`` (%, not part of the sums): the change in the annuity value of the
        governments' net debt, the claim on households a measure respecting the governments'
        budgets would subtract.
    """
    base = float(np.mean([(_nominal(c) / c["price"]).sum() for c in counter]))
    out = {name: 0.0 for name in (*INCOME_SIDE, *BUDGET_SIDE, "debt_annuity", *PRICE_CHANNELS)}
    total = 0.0
    for pol, cf in zip(policy, counter):
        total += (_nominal(pol) / pol["price"]).sum() - (_nominal(cf) / cf["price"]).sum()
        for name in (*INCOME_SIDE, *BUDGET_SIDE, "debt_annuity"):
            out[name] += ((pol[name] - cf[name]) / cf["price"]).sum()
        parts = price_shapley(pol, cf)
        parts["price_base"] = -(pol["log_base"] - cf["log_base"])
        level = _nominal(pol) * _log_mean(1.0 / pol["price"], 1.0 / cf["price"])
        for name in PRICE_CHANNELS:
            out[name] += (-level * parts[name]).sum()
    quarters = len(policy)
    result = {name: 100.0 * value / quarters / base for name, value in out.items()}
    result["welfare"] = 100.0 * total / quarters / base
    result["nominal"] = sum(result[name] for name in INCOME_SIDE)
    result["prices"] = sum(result[name] for name in PRICE_CHANNELS)
    return result


def _nominal(state: dict) -> np.ndarray:
    """(C,) households' disposable income plus public spending, yuan per quarter."""
    return sum(state[name] for name in INCOME_SIDE)


def run(params: dict[str, Any], quarters: int, seed: int,
        scenario: str | None = None) -> tuple[dict[str, float], list[dict]]:
    """One run (of ``scenario``, if given: its parameters under ``params``, and its policies): its
    outcomes (means of the last ``WINDOW`` quarters) and the window's :func:`welfare_state` (observing
    changes nothing: the run is the one ``ydabm run`` makes)."""
    policies = ()
    if scenario is not None:
        chosen = load_scenario(scenario)
        params = chosen.params(params)
        policies = tuple(chosen.policies(params))
    model = YRDModel(rng=seed, params=Params.build(params), policies=policies)
    states = []
    for step in range(quarters):
        model.step()
        if step >= quarters - WINDOW:
            states.append(welfare_state(model))
    return _outcomes(model_frame(model)), states


def outcomes(params: dict[str, Any], quarters: int, seed: int) -> dict[str, float]:
    """The outcomes of one run: means of the last ``WINDOW`` quarters."""
    return run(params, quarters, seed)[0]


def _outcomes(frame: pd.DataFrame) -> dict[str, float]:
    model = frame.iloc[-WINDOW:]
    support = (model["subsidy_to_gdp"] * model["nominal_gdp"] / model["gdp_deflator"]).mean()
    return {"real_gdp": float(model["real_gdp"].mean()),
            "labour_productivity": float((model["real_gdp"] / (1.0 - model["unemployment_rate"])).mean()),
            "welfare": float(model["real_income"].mean()), "support": float(support),
            **{name: float(model[name].mean()) for name in ("aggregate_productivity", "zombie_share",
                                                             "capacity_utilization", "similarity_manufacturing")}}


def _job(args: tuple) -> tuple:
    key, params, quarters, seed, scenario = args
    values, states = run(params, quarters, seed, scenario)
    return key, seed, values, states


def effect_table(runs: pd.DataFrame, contrast: str) -> pd.DataFrame:
    """Per-outcome effect of one contrast: policy minus counterfactual, paired by seed.

    Args:
        runs: one row per (contrast, arm, seed) with the outcomes as columns.
        contrast: the contrast's name.
    """
    rows = runs[runs["contrast"] == contrast]
    policy = rows[rows["arm"] == "policy"].set_index("seed").sort_index()
    counter = rows[rows["arm"] == "counterfactual"].set_index("seed").sort_index()
    table = []
    for name in OUTCOMES:
        diff = policy[name] - counter[name]
        if name in RELATIVE:
            diff = 100.0 * diff / counter[name]
        n = len(diff)
        se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        mean = float(diff.mean())
        table.append({"contrast": contrast, "outcome": name, "unit": "%" if name in RELATIVE else _unit(name),
                      "policy": float(policy[name].mean()), "counterfactual": float(counter[name].mean()),
                      "effect": mean, "se": se, "t": mean / se if se > 0 else float("nan"), "seeds": n})
    return pd.DataFrame(table)


def _unit(name: str) -> str:
    """The unit of an outcome: the model metric's (``ydabm.labels``), or support's own."""
    return SUPPORT_UNIT if name == "support" else unit(name)


def benchmarks(effects: pd.DataFrame, years: float) -> list[dict]:
    """The model's analogues of the two published magnitudes."""
    def row(contrast, outcome):
        return effects[(effects["contrast"] == contrast) & (effects["outcome"] == outcome)].iloc[0]

    soft_output, soft_tfp = row("soft budgets", "real_gdp"), row("soft budgets", "aggregate_productivity")
    protection_welfare, protection_support = row("local protection", "welfare"), row("local protection", "support")
    welfare_yuan = -protection_welfare["effect"] / 100.0 * protection_welfare["counterfactual"]
    return [
        {"study": "Tan, Huang & Woo (2016)", "measure": "output growth from ending zombie support, pp a year",
         "published": TAN_OUTPUT_GROWTH, "model": -soft_output["effect"] / years, "model_se": soft_output["se"] / years},
        {"study": "Tan, Huang & Woo (2016)", "measure": "TFP growth from ending zombie support, pp a year",
         "published": TAN_TFP_GROWTH, "model": -soft_tfp["effect"] / years, "model_se": soft_tfp["se"] / years},
        {"study": "Barwick, Cao & Li (2021)", "measure": "welfare loss of protection / support spent",
         "published": BARWICK_LOSS_SHARE,
         "model": welfare_yuan / protection_support["policy"] if protection_support["policy"] > 0 else float("nan"),
         "model_se": protection_welfare["se"] / 100.0 * protection_welfare["counterfactual"] / protection_support["policy"]
         if protection_support["policy"] > 0 else float("nan")},
    ]


CHANNEL_ORDER = ("welfare", "nominal", *INCOME_SIDE, *BUDGET_SIDE, "prices", *PRICE_CHANNELS, "debt_annuity")


def channel_table(channels: pd.DataFrame) -> pd.DataFrame:
    """Mean ± se over seeds of each contrast's welfare channels (``channels``: one row per contrast and
    seed, the channels of :func:`welfare_channels` as columns), one row per contrast and channel."""
    rows = []
    for contrast, group in channels.groupby("contrast", sort=False):
        n = len(group)
        for name in CHANNEL_ORDER:
            values = group[name]
            se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
            rows.append({"contrast": contrast, "channel": name, "effect": float(values.mean()), "se": se,
                         "seeds": n})
    return pd.DataFrame(rows)


@dataclass
class CostCheck:
    runs: pd.DataFrame
    effects: pd.DataFrame
    benchmarks: list[dict]
    params: dict
    seconds: float
    channels: pd.DataFrame | None = None        # welfare channels per contrast and seed (% of welfare)


def measure(seeds=SEEDS, quarters: int = QUARTERS, scale: dict[str, Any] | None = None,
            workers: int | None = None, contrasts=CONTRASTS) -> CostCheck:
    """Run every contrast's two arms on the same seeds and tabulate the effects and the welfare channels.

    Args:
        seeds: matched seeds (at least two for a standard error).
        quarters: quarters of each run.
        scale: scale parameters on top of the defaults (e.g. people_per_agent).
        workers: processes (default: all cores; 1 runs in this process).
    """
    scale = dict(SCALE if scale is None else scale)
    start = time.perf_counter()
    jobs = [((c.name, arm), {**scale, **values}, quarters, seed, c.scenario if arm == "policy" else None)
            for c in contrasts for arm, values in (("policy", c.policy), ("counterfactual", c.counterfactual))
            for seed in seeds]
    if workers == 1:
        done = [_job(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_job, jobs))
    runs = pd.DataFrame([{"contrast": key[0], "arm": key[1], "seed": seed, **values}
                         for key, seed, values, _ in done])
    states = {(key, seed): state for key, seed, _, state in done}
    channels = pd.DataFrame([{"contrast": c.name, "seed": seed,
                              **welfare_channels(states[((c.name, "policy"), seed)],
                                                 states[((c.name, "counterfactual"), seed)])}
                             for c in contrasts for seed in seeds])
    effects = pd.concat([effect_table(runs, c.name) for c in contrasts], ignore_index=True)
    return CostCheck(runs, effects, benchmarks(effects, quarters / 4) if contrasts == CONTRASTS else [],
                     {"seeds": list(seeds), "quarters": quarters, "window": WINDOW, "scale": scale,
                      "contrasts": [{"name": c.name, "policy": c.policy, "counterfactual": c.counterfactual,
                                     "reading": c.reading, "scenario": c.scenario} for c in contrasts]},
                     time.perf_counter() - start, channels)


def write_check(check: CostCheck, out: Path) -> None:
    """``runs.csv`` (per run), ``effects.csv``, ``welfare_channels.csv`` (per contrast and seed) and
    ``summary.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    check.runs.to_csv(out / "runs.csv", index=False)
    check.effects.to_csv(out / "effects.csv", index=False)
    if check.channels is not None:
        check.channels.to_csv(out / "welfare_channels.csv", index=False)
    (out / "summary.json").write_text(json.dumps(
        {"params": check.params, "benchmarks": check.benchmarks, "seconds": round(check.seconds, 1),
         "provenance": provenance()}, indent=2, default=str))


def table_text(check: CostCheck) -> str:
    """The effects and the published magnitudes as printed by ``ydabm validate costs``."""
    lines = []
    for contrast in check.params["contrasts"]:
        policy = f"scenario {contrast['scenario']}" if contrast.get("scenario") else contrast["policy"] or "defaults"
        lines.append(f"{contrast['name']}: {policy} vs {contrast['counterfactual'] or 'defaults'} "
                     f"({contrast['reading']})")
        rows = check.effects[check.effects["contrast"] == contrast["name"]]
        for _, r in rows.iterrows():
            lines.append(f"  {r['outcome']:26s} {r['effect']:+11.4g} ± {r['se']:9.3g}  t {r['t']:+6.1f}   "
                         f"({r['unit']}; policy {r['policy']:.5g}, counterfactual {r['counterfactual']:.5g})")
        if check.channels is not None:
            table = channel_table(check.channels[check.channels["contrast"] == contrast["name"]]).set_index("channel")

            def part(names):
                return ", ".join(f"{name} {table.loc[name, 'effect']:+.3g} ± {table.loc[name, 'se']:.2g}" for name in names)
            lines.append(f"  welfare channels, % of the counterfactual's welfare (mean ± se): {part(('welfare',))} = "
                         f"{part(('nominal',))} + {part(('prices',))}")
            lines.append(f"    nominal by source: {part(INCOME_SIDE)}")
            lines.append(f"    nominal by use: {part(BUDGET_SIDE)}; beside it {part(('debt_annuity',))}")
            lines.append(f"    prices: {part(PRICE_CHANNELS)}")
    if check.benchmarks:
        lines.append("published magnitudes and the model's analogues (orders of magnitude; settings differ):")
        for b in check.benchmarks:
            se = "" if np.isnan(b["model_se"]) else f" ± {b['model_se']:.3g}"
            lines.append(f"  {b['study']:26s} {b['measure']:55s} published {b['published']:g}, "
                         f"model {b['model']:.3g}{se}")
    return "\n".join(lines)
