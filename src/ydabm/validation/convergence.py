"""Scale convergence: do the headline results depend on how many people an agent stands for?

The model represents the Yangtze River Delta with one worker agent per ``people_per_agent`` people
and one firm agent per ``workers_per_firm`` worker agents (so a firm agent stands for
``people_per_agent × workers_per_firm / 17.6`` real enterprises, fewer where the set-up's floor of one
firm agent per city-sector binds; the firm count scales on its own).
This check runs the baseline and the lever endpoints (barrier 0 and 1, specialization 0 and 1,
everything else at the baseline) at several scales with the same seeds, and compares the default
scale with the finest one.

Statistic: for each run, the mean of a metric over the last :data:`WINDOW` quarters of a run of
``steps`` quarters; then its mean over seeds and the standard error over seeds (sd / √n). Seeds
come from ``SeedSequence(root).spawn(n)`` and are the same at every scale and lever setting, so a
lever effect is a matched comparison: each seed's metric at lever 1 minus its metric at lever 0
(for ``real_gdp`` the relative effect, at 1 over at 0 minus 1), averaged over seeds.

Criteria (default scale against the finest):

- *levels* of the baseline within :data:`LEVEL_TOLERANCE`: 0.005 for the similarity and Krugman
  indexes, 0.5 % (relative) for real GDP, 0.2 percentage points for unemployment; the other levels
  are reported, not scored;
- every *lever effect* keeps the sign of its finest-scale value and is within
  :data:`EFFECT_TOLERANCE` (20 %) of its size, ``|e − e_finest| ≤ 0.2 |e_finest|``; an effect
  smaller than :data:`SIGNIFICANCE` (3) standard errors at the finest scale is "n.s." and not scored;
- except an effect that is *negligible* at the finest scale: for the metrics of :data:`NEGLIGIBLE`
  (unemployment, real GDP), an effect whose one-sided 95 % upper bound on its size,
  ``|e| + t(0.95, n − 1) se`` over the n seeds, is below the stated economically negligible size δ
  (an equivalence test, Schuirmann's two one-sided tests at 5 %). Its sign and size within 20 % are
  then no result worth a scale: the barrier's effect on unemployment is +0.0074 ± 0.0018 pp at 500
  people per agent and −0.0002 ± 0.0032 pp at 2000 (40 seeds; seed sd 0.011 and 0.020 pp), so "within
  20 %" asks 2000 to resolve 0.0015 pp, a standard error that would take about 185 seeds there; with 5 seeds the
  check compared +0.005 ± 0.001 pp with −0.011 ± 0.009 pp, noise. Such an effect passes when it is
  shown negligible at the checked scale too (the same test) and fails otherwise: the default scale must
  not show an effect the finest scale does not, nor be too noisy to tell.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..mechanisms.entry import enterprises_per_firm
from ..params import DEFAULTS, ParameterError
from . import write_manifest
from .racetrack import replicate_seeds

OUT = Path("results/validation/convergence")
SCALES = (20000.0, 5000.0, 2000.0, 1000.0, 750.0, 500.0)    # people per worker agent, coarse to fine
DEFAULT_SCALE = float(DEFAULTS["people_per_agent"])  # the model's default scale (750; 1000 until 7 Dec 2026, 2000 until 5 Dec): the one checked
#: replicate seeds (default). 5, not 3: with 3 seeds a standard error has 2 degrees of freedom, so a
#: null effect passes the 3-se significance rule 9.5 % of the time (P(|t_2| > 3); 4 % with 5 seeds), and
#: the barrier's effect on unemployment at 2000 people per agent (0.000 ± 0.003 pp, seed sd 0.020 pp over
#: 40 seeds) is not shown below 0.05 pp 26 % of the time (t(0.95, 2) = 2.92), against 0.6 % with 5 seeds
#: (Monte Carlo of normal seed draws). 10, not 5: the effect of specialization on the Theil index is
#: 0.0003 (0.3 % of the index) and its seed sd at 2000 people per agent about 0.0007, so with 5 seeds
#: its standard error there (0.0002-0.0004) is as large as the effect and "within 20 %" of the finest
#: scale cannot be told from noise whatever the model does (measured 2 Dec 2026 on `48a3658` with the
#: entry threshold in persons: 5 seeds 19 of 21, ratio 1.72 with se 0.0004 at 2000; 10 seeds 21 of 21,
#: 0.00031 +- 0.00022 against 0.00034 +- 0.00005 at 500)
SEEDS = 10
ROOT_SEED = 20261201
STEPS = 40
WINDOW = 8                                           # quarters averaged at the end of a run
SCENARIO = "baseline"
#: the headline metrics (issue 10 item 5, and the zombie share of issue 11 item 4: the one metric known
#: to depend on the firm agents' granularity, so reported here beside the others)
METRICS = ("similarity_manufacturing", "similarity_all", "krugman_index", "real_gdp", "unemployment_rate",
           "capacity_utilization", "interprovincial_trade_share", "theil_index", "zombie_share")
LEVERS = {"barrier": (0.0, 1.0), "specialization": (0.0, 1.0)}
RELATIVE = ("real_gdp",)                             # effects (and the level criterion) relative
#: scored levels: absolute tolerance, except relative for the metrics in RELATIVE
LEVEL_TOLERANCE = {"similarity_manufacturing": 0.005, "similarity_all": 0.005, "krugman_index": 0.005,
                   "real_gdp": 0.005, "unemployment_rate": 0.002}
EFFECT_TOLERANCE = 0.2                               # |effect - finest effect| <= 20 % of |finest effect|
SIGNIFICANCE = 3.0                                   # finest effect scored only if |e| >= 3 standard errors
#: economically negligible size δ of a lever effect, by metric: half the unit to which the statistic is
#: published (China's surveyed urban unemployment rate, in 0.1 pp; real GDP growth, in 0.1 %), so an
#: effect below it would not show in the published figure; for unemployment a quarter of the level
#: tolerance (0.2 pp).
NEGLIGIBLE = {"unemployment_rate": 0.0005, "real_gdp": 0.0005}
EQUIVALENCE_LEVEL = 0.05                             # one-sided level of the equivalence test (90 % interval)
SLACK = 1e-12                                        # floating-point slack on the tolerances
PASS, FAIL, NOT_SIGNIFICANT = "PASS", "FAIL", "n.s."
#: the table's first row: k, the real enterprises one firm agent stands for at each scale, as the runs'
#: set-up made them (people_per_agent x workers_per_firm / 17.6 unless its floor of one firm agent per
#: city-sector binds, at scales coarser than about 5,000 people per agent)
ENTERPRISES_ROW = "enterprises per firm agent"


def settings() -> dict[str, dict[str, float]]:
    """Parameter overrides of every setting: ``baseline`` and ``<lever>=<value>`` for each endpoint."""
    out = {"baseline": {}}
    for lever, values in LEVERS.items():
        for value in values:
            out[f"{lever}={value:g}"] = {lever: value}
    return out


# ---------------------------------------------------------------------- the runs
def run_values(scales, seeds, steps: int = STEPS, window: int = WINDOW, workers: int | None = None,
               progress: bool = True, fixed: dict | None = None) -> pd.DataFrame:
    """Mean of each metric over the last ``window`` quarters of every run: every scale × setting × seed,
    every run with the parameters ``fixed`` (``--set``: e.g. the shock economy and its burn-in; not the
    scale or a lever the check moves, :func:`check_fixed`).

    Runs go through the sweep machinery (:func:`ydabm.experiments.runner.run_one` on the executor of
    :func:`ydabm.experiments.executors.make_executor`: this process if ``workers`` is 1, else a local
    process pool, default every core, one BLAS thread per worker), finest scales first so the pool
    ends on short runs.

    Returns:
        one row per run: ``people_per_agent``, ``setting``, ``seed``, ``seconds``, ``enterprises`` (the
        real enterprises one firm agent stands for, as the run's set-up made them) and the metrics.

    Raises:
        RuntimeError: if a run failed (its error is in the message).
    """
    from ..experiments.executors import make_executor
    from ..experiments.runner import run_one

    keep = f"mean_last:{window}"
    tasks = [((float(scale), name, int(seed)),
              {"params": {**(fixed or {}), "people_per_agent": float(scale), **overrides}, "seed": int(seed),
               "steps": steps,
               "scenario": SCENARIO, "keep": (keep,), "metrics": METRICS})
             for scale in sorted(scales) for name, overrides in settings().items() for seed in seeds]
    return _execute(make_executor(workers, None, len(tasks)), run_one, tasks, window, progress)


def _execute(executor, run_one, tasks, window: int, progress: bool) -> pd.DataFrame:
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), unit="run", desc="convergence", disable=not progress, dynamic_ncols=True,
               file=sys.stderr)
    rows, failed = [], []
    try:
        for (scale, name, seed), outcome in executor.results(run_one, tasks):
            bar.update(1)
            if outcome["status"] != "ok":
                failed.append(f"people_per_agent {scale:g}, {name}, seed {seed}: {outcome['error']}")
                continue
            values = {metric: outcome["values"][f"{metric}_mean_last{window}"] for metric in METRICS}
            rows.append({"people_per_agent": scale, "setting": name, "seed": seed,
                         "seconds": outcome["seconds"], "enterprises": outcome["enterprises"], **values})
    finally:
        bar.close()
        executor.close()
    if failed:
        raise RuntimeError(f"{len(failed)} convergence run(s) failed; first: {failed[0]}")
    order = {name: k for k, name in enumerate(settings())}
    frame = pd.DataFrame(rows)
    frame["_order"] = frame["setting"].map(order)
    frame = frame.sort_values(["people_per_agent", "_order", "seed"], ascending=[False, True, True])
    return frame.drop(columns="_order").reset_index(drop=True)


# ---------------------------------------------------------------------- statistics
def _mean_se(values: np.ndarray) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / math.sqrt(values.size) if values.size > 1 else float("nan")
    return float(values.mean()), float(se)


def summarise(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Levels and lever effects by scale, mean and standard error over seeds.

    Args:
        runs: one row per run (:func:`run_values`): ``people_per_agent``, ``setting``, ``seed``, metrics.

    Returns:
        ``levels`` indexed by (metric, people_per_agent) and ``effects`` indexed by (lever, metric,
        people_per_agent), each with columns ``mean`` and ``se``. An effect is computed seed by seed
        (matched): at the lever's high value minus at its low value, relative for :data:`RELATIVE`.
    """
    scales = sorted(runs["people_per_agent"].unique(), reverse=True)
    level_rows, effect_rows = [], []
    for scale in scales:
        at = runs[runs["people_per_agent"] == scale]
        table = {name: group.set_index("seed").sort_index() for name, group in at.groupby("setting")}
        for metric in METRICS:
            level_rows.append((metric, scale, *_mean_se(table["baseline"][metric].to_numpy())))
        for lever, (low, high) in LEVERS.items():
            low_runs, high_runs = table[f"{lever}={low:g}"], table[f"{lever}={high:g}"]
            if not low_runs.index.equals(high_runs.index):
                raise ValueError(f"{lever}: the seeds at {low:g} and {high:g} differ (not a matched comparison)")
            for metric in METRICS:
                lo, hi = low_runs[metric].to_numpy(), high_runs[metric].to_numpy()
                effect = hi / lo - 1.0 if metric in RELATIVE else hi - lo
                effect_rows.append((lever, metric, scale, *_mean_se(effect)))
    levels = pd.DataFrame(level_rows, columns=["metric", "people_per_agent", "mean", "se"])
    effects = pd.DataFrame(effect_rows, columns=["lever", "metric", "people_per_agent", "mean", "se"])
    return (levels.set_index(["metric", "people_per_agent"]).sort_index(),
            effects.set_index(["lever", "metric", "people_per_agent"]).sort_index())


def upper_bound(mean: float, se: float, seeds: int) -> float:
    """One-sided (1 − :data:`EQUIVALENCE_LEVEL`) upper confidence bound on ``|mean|`` from ``seeds``
    replicates: ``|mean| + t(0.95, seeds − 1) se`` (inf when there is no standard error)."""
    from scipy.stats import t
    if seeds < 2 or not math.isfinite(se):
        return float("inf")
    return abs(mean) + float(t.ppf(1.0 - EQUIVALENCE_LEVEL, seeds - 1)) * se


def score(levels: pd.DataFrame, effects: pd.DataFrame, checked: float, reference: float,
          seeds: int) -> pd.DataFrame:
    """Every criterion of the ``checked`` scale against the ``reference`` (finest) scale.

    Levels of :data:`LEVEL_TOLERANCE`'s metrics: ``|checked − reference| ≤ tolerance`` (relative
    difference ``checked / reference − 1`` for :data:`RELATIVE`). Lever effects, every metric, in
    this order: for a metric of :data:`NEGLIGIBLE` whose effect at the reference scale is shown
    negligible (:func:`upper_bound` ≤ δ), PASS when it is shown negligible at the checked scale too,
    else FAIL (rule "negligible"); else "n.s." (not scored) if ``|reference| < 3 se`` at the reference
    scale (or exactly 0); else PASS when the sign is kept and ``|checked − reference| ≤ 0.2 |reference|``
    (rule "20 %").

    Args:
        seeds: replicates behind every mean and standard error (degrees of freedom ``seeds − 1``).

    Returns:
        one row per criterion: ``kind`` (level or effect), ``lever`` ("" for levels), ``metric``,
        ``checked``, ``checked_se``, ``reference``, ``reference_se``, ``difference`` (relative for
        relative levels), ``tolerance`` (the negligible size δ under that rule), ``ratio`` (effects:
        checked / reference), ``sign_kept``, ``rule`` (level, negligible, n.s. or 20 %), ``status``
        (PASS, FAIL or n.s.) and ``note``.
    """
    rows = []
    for metric, tolerance in LEVEL_TOLERANCE.items():
        c, r = levels.loc[(metric, checked)], levels.loc[(metric, reference)]
        relative = metric in RELATIVE
        difference = c["mean"] / r["mean"] - 1.0 if relative else c["mean"] - r["mean"]
        ok = abs(difference) <= tolerance + SLACK
        rows.append({"kind": "level", "lever": "", "metric": metric, "checked": c["mean"], "checked_se": c["se"],
                     "reference": r["mean"], "reference_se": r["se"], "difference": difference,
                     "tolerance": tolerance, "ratio": float("nan"), "sign_kept": None, "rule": "level",
                     "status": PASS if ok else FAIL,
                     "note": f"{'relative ' if relative else ''}difference {difference:+.4g}, tolerance {tolerance:g}"})
    for lever in LEVERS:
        for metric in METRICS:
            c, r = effects.loc[(lever, metric, checked)], effects.loc[(lever, metric, reference)]
            difference = c["mean"] - r["mean"]
            tolerance = EFFECT_TOLERANCE * abs(r["mean"])
            row = {"kind": "effect", "lever": lever, "metric": metric, "checked": c["mean"], "checked_se": c["se"],
                   "reference": r["mean"], "reference_se": r["se"], "difference": difference, "tolerance": tolerance,
                   "ratio": c["mean"] / r["mean"] if r["mean"] != 0 else float("nan")}
            significant = r["mean"] != 0 and abs(r["mean"]) >= SIGNIFICANCE * r["se"] - SLACK
            negligible = NEGLIGIBLE.get(metric)
            if negligible is not None and upper_bound(r["mean"], r["se"], seeds) <= negligible + SLACK:
                bound = upper_bound(c["mean"], c["se"], seeds)
                ok = bound <= negligible + SLACK
                unit = (100.0, " %") if metric in RELATIVE else (100.0, " pp")
                row.update(tolerance=negligible, sign_kept=None, rule="negligible", status=PASS if ok else FAIL,
                           note=f"negligible at the finest scale (|e| + t se = "
                                f"{unit[0] * upper_bound(r['mean'], r['se'], seeds):.3f}{unit[1]} <= "
                                f"{unit[0] * negligible:g}{unit[1]}); at the checked scale {unit[0] * bound:.3f}"
                                f"{unit[1]}: " + ("negligible too" if ok else "not shown negligible"))
            elif not significant:
                row.update(sign_kept=None, rule="n.s.", status=NOT_SIGNIFICANT,
                           note=f"finest effect {abs(r['mean']) / r['se'] if r['se'] > 0 else 0:.1f} se from 0 "
                                f"(< {SIGNIFICANCE:g}): not scored")
            else:
                sign_kept = bool(np.sign(c["mean"]) == np.sign(r["mean"]))
                within = abs(difference) <= tolerance + SLACK
                why = [] if sign_kept else ["sign flipped"]
                if not within:
                    why.append(f"off by {abs(difference) / abs(r['mean']):.0%} > {EFFECT_TOLERANCE:.0%}")
                row.update(sign_kept=sign_kept, rule="20 %", status=PASS if sign_kept and within else FAIL,
                           note=f"ratio {row['ratio']:.3f}" + (f" ({'; '.join(why)})" if why else ""))
            rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- the check
@dataclass
class ConvergenceCheck:
    """The outcome of one convergence check.

    Attributes:
        params: scales (people per agent, as given), checked and reference scale, seeds, root seed,
            steps, window, workers_per_firm, source_digest (:func:`source_digest`, taken before the runs).
        runs: one row per run (:func:`run_values`).
        levels: baseline levels by (metric, people_per_agent): mean, se.
        effects: lever effects by (lever, metric, people_per_agent): mean, se.
        criteria: :func:`score`.
        seconds: wall time of the whole check, s.
    """

    params: dict
    runs: pd.DataFrame
    levels: pd.DataFrame
    effects: pd.DataFrame
    criteria: pd.DataFrame
    seconds: float

    @property
    def passed(self) -> bool:
        """Every scored criterion passes (n.s. effects do not count)."""
        return bool((self.criteria["status"] != FAIL).all())

    def summary(self) -> dict:
        """One JSON-ready object: parameters, levels and effects per scale (lists in ``scales`` order),
        the criteria and ``holds``."""
        scales = self.params["scales"]

        def series(table: pd.DataFrame, key: tuple) -> dict:
            part = table.loc[key]
            return {"mean": [_finite(part.loc[s, "mean"]) for s in scales],
                    "se": [_finite(part.loc[s, "se"]) for s in scales]}

        criteria = [{k: (_finite(v) if isinstance(v, float) else v) for k, v in row.items()}
                    for row in self.criteria.to_dict("records")]
        counts = self.criteria["status"].value_counts()
        return {**self.params,
                "metrics": list(METRICS), "levers": {k: list(v) for k, v in LEVERS.items()},
                "relative": list(RELATIVE), "level_tolerance": LEVEL_TOLERANCE,
                "effect_tolerance": EFFECT_TOLERANCE, "significance": SIGNIFICANCE,
                "negligible": NEGLIGIBLE, "equivalence_level": EQUIVALENCE_LEVEL,
                "levels": {m: series(self.levels, (m,)) for m in METRICS},
                "effects": {lever: {m: series(self.effects, (lever, m)) for m in METRICS} for lever in LEVERS},
                "criteria": criteria,
                "n_pass": int(counts.get(PASS, 0)), "n_fail": int(counts.get(FAIL, 0)),
                "n_not_significant": int(counts.get(NOT_SIGNIFICANT, 0)),
                "n_negligible": int((self.criteria["rule"] == "negligible").sum()),
                "holds": self.passed, "seconds": round(self.seconds, 3)}


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def resolve_scales(scales, check_scale: float | None = None) -> tuple[list[float], float, float]:
    """Check the scales; return them, the checked scale and the reference (finest) scale.

    The checked scale is ``check_scale``, else :data:`DEFAULT_SCALE` if it is among ``scales``,
    else the coarsest one.

    Raises:
        ParameterError: fewer than two distinct scales, a scale outside the model's bounds, a checked
            scale that is not among the scales or is the finest one.
    """
    from ..params import BY_NAME
    scales = [float(s) for s in scales]
    bounds = BY_NAME["people_per_agent"]
    for scale in scales:
        if not bounds.low <= scale <= bounds.high:
            raise ParameterError(f"--scales: {scale:g} is out of range; allowed {bounds.bounds()}")
    if len(set(scales)) != len(scales) or len(scales) < 2:
        raise ParameterError(f"--scales: need at least two distinct values, got {' '.join(f'{s:g}' for s in scales)}")
    reference = min(scales)
    if check_scale is None:
        check_scale = DEFAULT_SCALE if DEFAULT_SCALE in scales else max(scales)
    check_scale = float(check_scale)
    if check_scale not in scales or check_scale == reference:
        raise ParameterError(f"--check-scale: {check_scale:g} must be one of --scales other than the finest "
                             f"({reference:g})")
    return scales, check_scale, reference


def check_fixed(fixed: dict) -> None:
    """Refuse parameters for every run (``--set``) that the check itself sets: the scale and the levers
    it moves.

    Raises:
        ParameterError: naming the parameter.
    """
    for name in fixed:
        if name == "people_per_agent" or name in LEVERS:
            raise ParameterError(f"--set {name}: the check sets it (people_per_agent from --scales; "
                                 f"{', '.join(LEVERS)} at their baseline and end values)")


def check_convergence(scales=SCALES, seeds: int = SEEDS, steps: int = STEPS, root: int = ROOT_SEED,
                      check_scale: float | None = None, workers: int | None = None,
                      progress: bool = True, fixed: dict | None = None) -> ConvergenceCheck:
    """Run every scale × setting × seed, summarise and score (see the module docstring); every run
    with the parameters ``fixed`` (:func:`run_values`).

    Raises:
        ParameterError: bad scales (:func:`resolve_scales`), fewer than 2 seeds or fewer than 1 step, a
            fixed parameter the check sets (:func:`check_fixed`).
    """
    fixed = dict(fixed or {})
    check_fixed(fixed)
    scales, checked, reference = resolve_scales(scales, check_scale)
    if seeds < 2:
        raise ParameterError(f"--seeds: {seeds}; need at least 2 (standard errors over seeds)")
    if steps < 1:
        raise ParameterError(f"--steps: {steps}; need at least 1")
    started = time.perf_counter()
    digest = source_digest()                         # before the runs: the code they import
    seed_list = replicate_seeds(seeds, root)
    window = min(WINDOW, steps)
    runs = run_values(scales, seed_list, steps, window, workers, progress, fixed)
    levels, effects = summarise(runs)
    criteria = score(levels, effects, checked, reference, len(seed_list))
    params = {"scales": scales, "checked_scale": checked, "reference_scale": reference, "seeds": seed_list,
              "root_seed": root, "steps": steps, "window": window, "scenario": SCENARIO,
              "workers_per_firm": float(fixed.get("workers_per_firm", DEFAULTS["workers_per_firm"])),
              "settings": fixed, "source_digest": digest}
    return ConvergenceCheck(params, runs, levels, effects, criteria, time.perf_counter() - started)


# ---------------------------------------------------------------------- the table
def _cell(metric: str, mean: float, se: float, effect: bool) -> str:
    if metric in RELATIVE and effect:
        return f"{100 * mean:+.3f} ±{100 * se:.3f} %"
    if metric in RELATIVE:
        return f"{mean:.0f} ±{se:.0f}" if abs(mean) >= 1000 else f"{mean:.6g} ±{se:.2g}"
    return f"{mean:+.4f} ±{se:.4f}" if effect else f"{mean:.4f} ±{se:.4f}"


def enterprises_by_scale(check: ConvergenceCheck) -> list[float]:
    """The real enterprises one firm agent stands for at each of the check's scales: what the runs' set-up
    made (the same in every run at a scale), or, for runs that did not record it, people_per_agent x
    workers_per_firm / 17.6 (what the set-up asks)."""
    p, runs = check.params, check.runs
    staffing = float(p.get("workers_per_firm", DEFAULTS["workers_per_firm"]))
    made = (runs.dropna(subset=["enterprises"]).groupby("people_per_agent")["enterprises"].first()
            if "enterprises" in runs and "people_per_agent" in runs else {})
    return [float(made[s]) if s in made else enterprises_per_firm(s, staffing) for s in p["scales"]]


def table(check: ConvergenceCheck) -> str:
    """Metric rows × scale columns: baseline levels, then each lever's effects (mean ± se over seeds).

    The checked scale's header is marked ``*``, the reference (finest) scale's ``ref``. The levels
    block starts with the real enterprises one firm agent stands for at each scale (k, which sets the
    zombie share's level: docs/validation.md, "On the current engine: k sets the level")."""
    scales, p = check.params["scales"], check.params
    heads = [f"{s:g}" + (" *" if s == p["checked_scale"] else " ref" if s == p["reference_scale"] else "")
             for s in scales]
    enterprises = [ENTERPRISES_ROW] + [f"{k:,.0f}" for k in enterprises_by_scale(check)]
    blocks = [("levels (baseline)", None)] + [(f"effect of {lever} {hi:g} vs {lo:g}", lever)
                                             for lever, (lo, hi) in LEVERS.items()]
    cells = {}
    for title, lever in blocks:
        frame = check.levels if lever is None else check.effects.loc[lever]
        effect = lever is not None
        cells[title] = [[metric + (" (relative)" if effect and metric in RELATIVE else "")]
                        + [_cell(metric, frame.loc[(metric, s), "mean"], frame.loc[(metric, s), "se"], effect)
                           for s in scales] for metric in METRICS]
    cells["levels (baseline)"].insert(0, enterprises)
    width = [max(len(r[0]) for rows in cells.values() for r in rows)]
    width += [max(len(heads[k]), *(len(r[k + 1]) for rows in cells.values() for r in rows)) for k in range(len(scales))]
    lines = []
    for title, rows in cells.items():
        lines.append(f"{title:{width[0]}s}  " + "  ".join(f"{h:>{w}s}" for h, w in zip(heads, width[1:])))
        lines += [f"{r[0]:{width[0]}s}  " + "  ".join(f"{c:>{w}s}" for c, w in zip(r[1:], width[1:])) for r in rows]
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def verdict_lines(check: ConvergenceCheck) -> list[str]:
    """One line per criterion: status, what, checked vs reference value (± its se), note."""
    rows = []
    for row in check.criteria.itertuples():
        if row.kind == "level":
            what = f"level  {row.metric}"
            values = f"{row.checked:.6g} vs {row.reference:.6g}"
        else:
            what = f"effect {row.lever} -> {row.metric}"
            scale, unit = (100.0, " %") if row.metric in RELATIVE else (1.0, "")
            values = (f"{scale * row.checked:+.4g} vs {scale * row.reference:+.4g} "
                      f"±{scale * row.reference_se:.2g}{unit}")
        rows.append((row.status, what, values, row.note))
    what_width = max(len(r[1]) for r in rows)
    value_width = max(len(r[2]) for r in rows)
    return [f"{s:4s}  {w:{what_width}s}  {v:{value_width}s}  {n}" for s, w, v, n in rows]


# ---------------------------------------------------------------------- files
def write_check(check: ConvergenceCheck, out: Path) -> None:
    """Write ``summary.json``, ``runs.csv`` (one row per run), ``criteria.csv``, ``table.txt``,
    ``convergence.png`` and ``manifest.json`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(check.summary(), indent=2))
    check.runs.to_csv(out / "runs.csv", index=False)
    check.criteria.to_csv(out / "criteria.csv", index=False)
    (out / "table.txt").write_text(table(check) + "\n\n" + "\n".join(verdict_lines(check)) + "\n")
    convergence_figure(check, out / "convergence.png")
    write_manifest(out, "convergence", **{
        **check.params, "runs": len(check.runs), "run_seconds": round(float(check.runs["seconds"].sum()), 3),
        "wall_time_s": round(check.seconds, 3), "worktree_modified": _worktree_modified()})


def source_digest() -> str:
    """First 12 hex digits of a SHA-256 over the model's source and configuration files (paths and
    contents): identifies the code a check ran, committed or not."""
    import hashlib

    from ..paths import configs_dir
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for root, pattern in ((package, "*.py"), (configs_dir(), "*")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _worktree_modified() -> bool | None:
    """Whether the source tree has uncommitted changes (None if git is unavailable)."""
    try:
        root = Path(__file__).resolve().parents[3]
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "src", "configs"],
                                capture_output=True, text=True, timeout=5, check=True).stdout
        return bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        return None


def convergence_figure(check: ConvergenceCheck, path: Path) -> None:
    """Rows: baseline level and each lever's effect; columns: metrics; x: people per agent (log,
    finest on the right); error bars ± 1 se over seeds; shaded: the tolerance around the finest
    value (scored levels and significant effects)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    p = check.params
    scales = np.array(p["scales"])
    rows = [("level", None)] + [(f"{lever} effect", lever) for lever in LEVERS]
    fig, axes = plt.subplots(len(rows), len(METRICS), figsize=(2.6 * len(METRICS), 2.3 * len(rows)),
                             constrained_layout=True, squeeze=False)
    status = {(r.lever, r.metric): r for r in check.criteria.itertuples()}
    for i, (label, lever) in enumerate(rows):
        frame = check.levels if lever is None else check.effects.loc[lever]
        for j, metric in enumerate(METRICS):
            ax = axes[i, j]
            factor = 100.0 if lever is not None and metric in RELATIVE else 1.0
            mean = np.array([frame.loc[(metric, s), "mean"] for s in scales]) * factor
            se = np.array([frame.loc[(metric, s), "se"] for s in scales]) * factor
            ref = frame.loc[(metric, p["reference_scale"]), "mean"] * factor
            criterion = status.get((lever or "", metric))
            if criterion is not None and criterion.status != NOT_SIGNIFICANT:
                half = (criterion.tolerance * abs(ref) if lever is None and metric in RELATIVE
                        else criterion.tolerance * factor)
                centre = 0.0 if criterion.rule == "negligible" else ref       # the band ±δ around 0
                ax.axhspan(centre - half, centre + half, color="#b7d7a8" if criterion.status == PASS else "#f4cccc",
                           alpha=0.6, lw=0)
            if lever is not None:
                ax.axhline(0.0, color="grey", lw=0.6)
            ax.errorbar(scales, mean, yerr=se, marker="o", ms=3, lw=1, color="#1f4e79", capsize=2)
            ax.axvline(p["checked_scale"], color="#b03a2e", ls=":", lw=0.8)
            ax.set_xscale("log")
            ax.set_xlim(scales.max() * 1.4, scales.min() / 1.4)     # finest on the right
            ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(scales))
            ax.xaxis.set_major_formatter(matplotlib.ticker.FixedFormatter([f"{s:g}" for s in scales]))
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
            ax.tick_params(labelsize=6)
            if i == 0:
                ax.set_title(metric, fontsize=8)
            if j == 0:
                ax.set_ylabel(label, fontsize=8)
            if criterion is not None:
                ax.text(0.02, 0.95, criterion.status, transform=ax.transAxes, fontsize=7, va="top",
                        color={PASS: "#38761d", FAIL: "#b03a2e"}.get(criterion.status, "grey"))
            if i == len(rows) - 1:
                ax.set_xlabel("people per agent", fontsize=7)
    fig.suptitle(f"Scale convergence: mean of the last {p['window']} of {p['steps']} quarters, {len(p['seeds'])} "
                 f"seeds (± 1 se); dotted: checked scale {p['checked_scale']:g}; shaded: tolerance around the finest "
                 f"scale {p['reference_scale']:g}, or ±δ around 0 for negligible effects (green pass, red fail); "
                 f"real_gdp effects in %", fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)
