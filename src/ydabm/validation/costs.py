"""What homogeneous competition and its instruments cost: each lever's effect on output, productivity,
welfare and the public purse, with standard errors over matched seeds, beside published magnitudes.

Each :class:`Contrast` runs the model with the ``policy`` values and with the ``counterfactual``
values (everything else at its default) on the same seeds, ``quarters`` quarters from the calibrated
2020 economy, and compares the means of the last ``WINDOW`` quarters, seed by seed:

- ``real_gdp``: value added at 2020 prices, % (the model metric);
- ``labour_productivity``: real GDP per employed worker, % -- the model's aggregate TFP: labour is
  the only variable input and the region's workforce is fixed, so it is output over employment
  (``real_gdp / (1 - unemployment_rate)``);
- ``welfare``: the consumption-equivalent change, % -- households' disposable income plus public
  spending at 2020 prices, summed over the cities (``real_income`` of ``cities.parquet``); with log
  utility of real income and unchanged amenities this is the uniform % change in consumption that
  gives the same welfare (gains from moving to better amenities are not counted);
- ``support``: support paid to firms (subsidies and soft credit) at 2020 prices, 100 M
  yuan a year: the fiscal cost;
- ``zombie_share``, ``capacity_utilization``, ``similarity_manufacturing``: what the lever moves.

Effects are policy minus counterfactual: mean over seeds of the per-seed differences, its standard
error (sample standard deviation over sqrt(seeds)) and t. Two published magnitudes are set beside
their model analogues, as orders of magnitude (the settings differ):

- Tan, Huang & Woo (2016, Chinese industrial firms 2005-07): zombie exit would raise industrial
  output growth by 2.12 pp and TFP growth by 1.06 pp a year. Analogue: ending soft credit (hard
  budgets, ``soft_budget`` 0, against its default generosity), the level effect spread over the
  run's years.
- Barwick, Cao & Li (2021, Chinese car markets): local protection's consumer welfare loss is 41 %
  of the subsidy spent. Analogue: the welfare loss of local protection (the procurement wedge at
  its default against none) over the support governments spend at the default.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..labels import unit
from ..run import provenance, simulate

SEEDS = (1, 2, 3, 4, 5)
QUARTERS = 40
WINDOW = 8
SCALE: dict[str, Any] = {}          # the default people_per_agent
OUT = Path("results/validation/costs")
OUTCOMES = ("real_gdp", "labour_productivity", "welfare", "support", "zombie_share", "capacity_utilization",
            "similarity_manufacturing")
RELATIVE = ("real_gdp", "labour_productivity", "welfare")          # reported as % changes
SUPPORT_UNIT = "100 M yuan/yr, 2020 prices"
#: Tan, Huang & Woo (2016): what zombie exit would add to yearly growth, pp
TAN_OUTPUT_GROWTH, TAN_TFP_GROWTH = 2.12, 1.06
#: Barwick, Cao & Li (2021): consumer welfare loss of local protection over the subsidy spent
BARWICK_LOSS_SHARE = 0.41


@dataclass(frozen=True)
class Contrast:
    """A lever setting (``policy``) against its counterfactual, other parameters at their defaults."""

    name: str
    policy: dict = field(hash=False)
    counterfactual: dict = field(hash=False)
    reading: str = ""


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
)


def outcomes(params: dict[str, Any], quarters: int, seed: int) -> dict[str, float]:
    """The outcomes of one run: means of the last ``WINDOW`` quarters."""
    result = simulate(params, quarters, seed)
    model = result.model.iloc[-WINDOW:]
    cities = result.cities
    last = cities[cities["step"] > cities["step"].max() - WINDOW]
    real_income = last.groupby("step")["real_income"].sum().mean()
    support = (model["subsidy_to_gdp"] * model["nominal_gdp"] / model["gdp_deflator"]).mean()
    return {"real_gdp": float(model["real_gdp"].mean()),
            "labour_productivity": float((model["real_gdp"] / (1.0 - model["unemployment_rate"])).mean()),
            "welfare": float(real_income), "support": float(support),
            **{name: float(model[name].mean()) for name in ("zombie_share", "capacity_utilization",
                                                             "similarity_manufacturing")}}


def _job(args: tuple) -> tuple:
    key, params, quarters, seed = args
    return key, seed, outcomes(params, quarters, seed)


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

    soft_output, soft_tfp = row("soft budgets", "real_gdp"), row("soft budgets", "labour_productivity")
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


@dataclass
class CostCheck:
    runs: pd.DataFrame
    effects: pd.DataFrame
    benchmarks: list[dict]
    params: dict
    seconds: float


def measure(seeds=SEEDS, quarters: int = QUARTERS, scale: dict[str, Any] | None = None,
            workers: int | None = None, contrasts=CONTRASTS) -> CostCheck:
    """Run every contrast's two arms on the same seeds and tabulate the effects.

    Args:
        seeds: matched seeds (at least two for a standard error).
        quarters: quarters of each run.
        scale: scale parameters on top of the defaults (e.g. people_per_agent).
        workers: processes (default: all cores; 1 runs in this process).
    """
    scale = dict(SCALE if scale is None else scale)
    start = time.perf_counter()
    jobs = [((c.name, arm), {**scale, **values}, quarters, seed)
            for c in contrasts for arm, values in (("policy", c.policy), ("counterfactual", c.counterfactual))
            for seed in seeds]
    if workers == 1:
        done = [_job(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_job, jobs))
    runs = pd.DataFrame([{"contrast": key[0], "arm": key[1], "seed": seed, **values} for key, seed, values in done])
    effects = pd.concat([effect_table(runs, c.name) for c in contrasts], ignore_index=True)
    return CostCheck(runs, effects, benchmarks(effects, quarters / 4) if contrasts == CONTRASTS else [],
                     {"seeds": list(seeds), "quarters": quarters, "window": WINDOW, "scale": scale,
                      "contrasts": [{"name": c.name, "policy": c.policy, "counterfactual": c.counterfactual,
                                     "reading": c.reading} for c in contrasts]},
                     time.perf_counter() - start)


def write_check(check: CostCheck, out: Path) -> None:
    """``runs.csv`` (per run), ``effects.csv`` and ``summary.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    check.runs.to_csv(out / "runs.csv", index=False)
    check.effects.to_csv(out / "effects.csv", index=False)
    (out / "summary.json").write_text(json.dumps(
        {"params": check.params, "benchmarks": check.benchmarks, "seconds": round(check.seconds, 1),
         "provenance": provenance()}, indent=2, default=str))


def table_text(check: CostCheck) -> str:
    """The effects and the published magnitudes as printed by ``ydabm validate costs``."""
    lines = []
    for contrast in check.params["contrasts"]:
        lines.append(f"{contrast['name']}: {contrast['policy'] or 'defaults'} vs {contrast['counterfactual']} "
                     f"({contrast['reading']})")
        rows = check.effects[check.effects["contrast"] == contrast["name"]]
        for _, r in rows.iterrows():
            lines.append(f"  {r['outcome']:26s} {r['effect']:+11.4g} ± {r['se']:9.3g}  t {r['t']:+6.1f}   "
                         f"({r['unit']}; policy {r['policy']:.5g}, counterfactual {r['counterfactual']:.5g})")
    if check.benchmarks:
        lines.append("published magnitudes and the model's analogues (orders of magnitude; settings differ):")
        for b in check.benchmarks:
            se = "" if np.isnan(b["model_se"]) else f" ± {b['model_se']:.3g}"
            lines.append(f"  {b['study']:26s} {b['measure']:55s} published {b['published']:g}, "
                         f"model {b['model']:.3g}{se}")
    return "\n".join(lines)
