"""Comparisons: a scenario against a baseline on matched seeds, or two saved results (``ydabm compare``).

    ydabm compare --scenario division_of_labor --baseline baseline --seeds 5 --steps 40 \\
        --out results/compare-dol [--set people_per_agent=20000]
    ydabm compare results/a results/b --out results/compare-a-b        # effect: b minus a

The runs are a sweep over ``scenario = [baseline, scenario]`` with common seeds, planned by
:func:`.spec.build_plan` and run on the sweep's executors (every local core by default): seed k of
both arms is child k of ``SeedSequence(--seed).spawn(--seeds)``, the seeds that a scenario sweep with
``common_seeds = true`` gives its replicate k, so the same seed gives the same baseline.

The effect on a metric is the mean over seeds of (scenario - baseline) in its statistic (by default
the mean of the last 8 quarters), tested with the paired t-test over the matched seeds
(:mod:`.effects`); saved results whose seeds do not match are compared with Welch's test, and the
table says which. Saved results are a sweep's results folder with one design point, a run's folder
(``ydabm run``), or a folder of run folders.

The output folder holds (names no run or sweep uses, so ``--force`` into another folder replaces
nothing but an earlier comparison)::

    compare.json         what was compared: arms, seeds, statistic, test, versions
    effects.csv          one row per metric: baseline, scenario, effect, relative effect, SE, 95 % CI, t, df, p
    values.parquet       one row per run: arm, seed, status, error, the statistic of every metric
    paths.parquet        every quarter of every run: arm, seed, step, year, quarter, every metric
    city_values.parquet  per run and city: the statistic of every city output (when the runs have cities)
    city_effects.csv     per city output and city: baseline, scenario, effect, SE, p
    effects.png          every metric's effect with its 95 % interval
    path_<metric>.png    both paths over time with 95 % bands, and their difference
    map_<output>.png     per-city baseline, scenario and effect (YRD runs)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..labels import metric_label, quantity, statistic_label, unit
from ..params import ParameterError
from ..report import AXIS_NOTE, NOISE_COLOUR, RANGE_NOTE, WITHIN_NOISE, floor_span, floor_ylim
from . import effects
from .city_outputs import MAPPED, city_statistic, manufacturing_columns, quarters as _quarters
from .effects import Arm, Comparison, city_effects
from .report import (HEADLINE, city_level_scale, difference_norm, footnote, load_results, scenario_label,
                     typical_noise)
from .executors import SweepError, make_executor
from .runner import kept_values
from .spec import SweepSpec, build_plan, metric_column

#: what a comparison shows unless ``--metrics`` says otherwise: the headline metrics and what the levers
#: cost in productivity and welfare (aggregate productivity; real income, whose % change is the
#: consumption-equivalent welfare change of ``validate costs``)
DEFAULT_METRICS = (*HEADLINE, "aggregate_productivity", "real_income")
MARKER = "compare.json"
TABLES = (MARKER, "effects.csv", "values.parquet", "paths.parquet", "city_values.parquet", "city_effects.csv")
FIGURE_STEMS = re.compile(r"^(effects|path_\w+|map_\w+)\.(png|pdf|svg)$")
STATISTIC = re.compile(r"^(final|mean_last:[1-9]\d*)$")
ROOT_SEED = SweepSpec.model_fields["seed"].default  # a sweep's root seed: the seeds of a scenario sweep


# --------------------------------------------------------------------------- the runs
def observe_run(params: dict[str, Any], seed: int, *, steps: int, scenario, rule: str) -> dict[str, Any]:
    """Simulate one run; return its model metrics every quarter and its cities' statistic.

    Never raises: a failed run returns ``status = "failed"`` and its error (``Type: message``).
    """
    from ..run import simulate
    try:
        resolved = scenario.params(params)
        result = simulate(resolved, steps, seed, scenario.policies(resolved))
        cities = city_statistic(result.cities, rule, manufacturing_columns(resolved["sectors_file"]))
        return {"status": "ok", "error": None, "paths": result.model, "cities": cities}
    except Exception as err:  # recorded with the run, like a sweep's failed runs
        return {"status": "failed", "error": f"{type(err).__name__}: {err}", "paths": None, "cities": None}


def _statistics(paths: pd.DataFrame, rule: str) -> dict[str, float]:
    """The statistic of every metric of one run's path, by metric name."""
    from ..model import MODEL_METRICS
    present = tuple(m for m in MODEL_METRICS if m in paths.columns)
    kept = kept_values(paths, present, (rule,))
    return {m: kept[metric_column(m, rule)] for m in present}


def run_comparison(scenario: str, baseline: str = "baseline", *, seeds: int = 5, steps: int = 40,
                   seed: int = ROOT_SEED, settings: dict[str, Any] | None = None, rule: str = "mean_last:8",
                   metrics: tuple[str, ...] | None = None, workers: int | None = None,
                   progress: bool = False) -> Comparison:
    """Run ``scenario`` and ``baseline`` on the same ``seeds`` seeds and compare them.

    Args:
        scenario, baseline: scenario names (``configs/scenarios/``) or TOML paths.
        seeds: matched seeds (at least 2, for a standard error).
        steps: quarters per run.
        seed: root seed; seed k is child k of ``SeedSequence(seed).spawn(seeds)``.
        settings: parameter values for both arms (``--set``), on top of each scenario's.
        rule: the statistic, ``"mean_last:K"`` or ``"final"``.
        metrics: the metrics to compare (default :data:`DEFAULT_METRICS`: the headline metrics, aggregate
            productivity and real income).
        workers: local processes (default: every core; 1 runs in this process).
        progress: show a progress bar on stderr.

    Raises:
        ParameterError: bad scenario, setting, statistic or count; before any run starts.
        SweepError: every run of an arm failed.
    """
    if seeds < 2:
        raise ParameterError(f"--seeds: {seeds}; at least 2 matched seeds are needed for a standard error")
    check_statistic(rule, steps)
    if scenario_label(scenario) == scenario_label(baseline):
        raise ParameterError(f"--scenario and --baseline are both {scenario_label(scenario)}; nothing to compare")
    plan = build_plan({"steps": steps, "replicates": seeds, "seed": seed, "common_seeds": True, "keep": [rule],
                       "vary": {"scenario": [baseline, scenario]}, "set": dict(settings or {})}, where="compare")
    chosen = _check_metrics(metrics)
    from tqdm import tqdm
    tasks = [(run, {"params": run.values, "seed": run.seed, "steps": steps, "scenario": plan.scenarios[run.scenario],
                    "rule": rule}) for run in plan.runs]
    executor = make_executor(workers, None, len(tasks))
    outcomes = {}
    try:
        with tqdm(total=len(tasks), unit="run", desc="compare", disable=not progress, file=sys.stderr) as bar:
            for run, outcome in executor.results(observe_run, tasks):
                outcomes[run.run_id] = (run, outcome)
                bar.update(1)
    finally:
        executor.close()
    arms = [_arm_of_runs(name, [outcomes[r.run_id] for r in plan.runs if r.scenario == name], rule,
                         {"scenario": name, "settings": plan.constants, "steps": steps, "root_seed": seed})
            for name in (baseline, scenario)]
    for arm in arms:
        if not len(arm.values):
            seed, error = next(iter(arm.failed.items()))
            raise SweepError(f"every run of {arm.label} failed (seed {seed}: {error})")
    return Comparison(arms[0], arms[1], rule, chosen)


def _arm_of_runs(name: str, finished: list[tuple[Any, dict]], rule: str, source: dict[str, Any]) -> Arm:
    ok = [(run.seed, outcome) for run, outcome in finished if outcome["status"] == "ok"]
    failed = {run.seed: outcome["error"] for run, outcome in finished if outcome["status"] != "ok"}
    values = pd.DataFrame([_statistics(o["paths"], rule) for _, o in ok],
                          index=pd.Index([s for s, _ in ok], name="seed"))
    paths = pd.concat([o["paths"].assign(seed=s) for s, o in ok], ignore_index=True) if ok else None
    with_cities = ok and all(o["cities"] is not None for _, o in ok)
    cities = pd.concat([o["cities"].assign(seed=s) for s, o in ok], ignore_index=True) if with_cities else None
    return Arm(scenario_label(name), values, paths, cities, failed, source)


def check_statistic(rule: str, steps: int | None = None) -> None:
    if not STATISTIC.match(rule):
        raise ParameterError(f'--statistic: {rule!r} is not "final" or "mean_last:K" (K quarters, e.g. mean_last:8)')
    if steps is not None and _quarters(rule) > steps + 1:
        raise ParameterError(f"--statistic: {rule} needs {_quarters(rule)} quarters; runs of --steps {steps} "
                             f"have {steps + 1} (with t = 0)")


def _check_metrics(metrics: tuple[str, ...] | None) -> tuple[str, ...]:
    from ..model import MODEL_METRICS
    from ..params import did_you_mean
    if not metrics:
        return DEFAULT_METRICS
    if tuple(metrics) == ("all",):
        return MODEL_METRICS
    for metric in metrics:
        if metric not in MODEL_METRICS:
            raise ParameterError(f"--metrics: unknown metric {metric!r}{did_you_mean(metric, MODEL_METRICS)}; "
                                 f"known: {', '.join(MODEL_METRICS)} (or all)")
    return tuple(dict.fromkeys(metrics))


# --------------------------------------------------------------------------- saved results
def load_arm(path: str | Path, rule: str) -> Arm:
    """One side of a comparison from saved results: a sweep's folder with one design point, a run's
    folder (``ydabm run``), or a folder of run folders.

    Raises:
        ParameterError: not such a folder, several design points, or the statistic is not kept.
    """
    path = Path(path)
    if (path / "runs.parquet").is_file():
        return _sweep_arm(path, rule)
    runs = [path] if (path / "model.parquet").is_file() else sorted(p.parent for p in path.glob("*/model.parquet"))
    if not runs:
        raise ParameterError(f"{path}: not a sweep's results, a run's folder, or a folder of run folders")
    arms = [_run_arm(run, rule) for run in runs]
    seeds = pd.concat([a.values for a in arms]).index
    if seeds.duplicated().any():
        raise ParameterError(f"{path}: two runs share seed {seeds[seeds.duplicated()][0]}; each run needs its own seed")
    scenarios = sorted({a.label for a in arms})
    with_cities = all(a.cities is not None for a in arms)
    return Arm(scenarios[0] if len(scenarios) == 1 else path.name, pd.concat([a.values for a in arms]),
               pd.concat([a.paths for a in arms], ignore_index=True),
               pd.concat([a.cities for a in arms], ignore_index=True) if with_cities else None,
               source={"folder": str(path), "runs": [str(r) for r in runs], "settings": arms[0].source["settings"]})


def _run_arm(path: Path, rule: str) -> Arm:
    manifest = json.loads((path / "manifest.json").read_text())
    paths = pd.read_parquet(path / "model.parquet")
    check_statistic(rule, len(paths) - 1)
    seed = int(manifest["seed"])
    cities = None
    if (path / "cities.parquet").is_file():
        frame = pd.read_parquet(path / "cities.parquet")
        manufacturing = manufacturing_columns(manifest["params"]["sectors_file"])
        cities = city_statistic(frame, rule, manufacturing).assign(seed=seed)
    values = pd.DataFrame([_statistics(paths, rule)], index=pd.Index([seed], name="seed"))
    return Arm(scenario_label(manifest["scenario"]), values, paths.assign(seed=seed), cities,
               source={"folder": str(path), "settings": manifest.get("settings", {})})


def _sweep_arm(path: Path, rule: str) -> Arm:
    results = load_results(path)
    ok = results.ok
    if ok["point"].nunique() > 1:
        raise ParameterError(f"{path}: a sweep of {ok['point'].nunique()} design points; compare needs one point "
                             "per folder (`ydabm report` compares the points of a sweep)")
    failed = {int(r.seed): str(r.error) for r in results.runs[results.runs["status"] != "ok"].itertuples()}
    point = {k: ok[k].iloc[0] for k in results.varied if len(ok)}
    source = {"folder": str(path), "settings": {**results.manifest.get("constants", {}), **point}}
    label = scenario_label(ok["scenario"].iloc[0]) if len(ok) else path.name
    if results.series is not None:
        paths = results.series.merge(ok[["run_id", "seed"]], on="run_id")
        check_statistic(rule, int(paths["step"].max()))
        values = pd.DataFrame({seed: _statistics(part.sort_values("step"), rule)
                               for seed, part in paths.groupby("seed")}).T.rename_axis("seed")
        return Arm(label, values, paths.drop(columns=["run_id", "scenario"]), None, failed, source)
    columns = {metric_column(m, rule): m for m in results.manifest["metrics"]}
    if not set(columns) <= set(ok.columns):
        kept = ", ".join(results.manifest["keep"])
        raise ParameterError(f"{path}: keeps {kept} and no series, not the {statistic_label(rule)}; "
                             "choose --statistic from those")
    values = ok.set_index("seed")[list(columns)].rename(columns=columns)
    return Arm(label, values, None, None, failed, source)


def compare_folders(baseline: str | Path, scenario: str | Path, rule: str = "mean_last:8",
                    metrics: tuple[str, ...] | None = None) -> Comparison:
    """Compare two saved results (``scenario`` minus ``baseline``); see :func:`load_arm`."""
    base, other = load_arm(baseline, rule), load_arm(scenario, rule)
    if base.label == other.label:
        base.label, other.label = Path(baseline).name, Path(scenario).name
    chosen = tuple(m for m in _check_metrics(metrics) if m in base.values.columns and m in other.values.columns)
    if not chosen:
        raise ParameterError(f"{baseline} and {scenario} keep none of the metrics asked for")
    return Comparison(base, other, rule, chosen)


# --------------------------------------------------------------------------- effects
def effects_table(comparison: Comparison) -> pd.DataFrame:
    """One row per metric: the statistic in each arm (mean over the seeds compared), the effect
    (scenario minus baseline) relative to the baseline too, its SE, 95 % interval, t, df, p,
    whether it is significant, and the test used."""
    rows = []
    base, other = comparison.baseline.values, comparison.scenario.values
    if comparison.matched:
        base, other = base.loc[comparison.seeds], other.loc[comparison.seeds]
    for metric in comparison.metrics:
        estimate = effects.difference(other[metric], base[metric], comparison.matched)
        level = float(base[metric].mean())
        rows.append({"metric": metric, "label": quantity(metric).label, "unit": unit(metric),
                     "statistic": statistic_label(comparison.rule), "n_baseline": int(base[metric].notna().sum()),
                     "n_scenario": int(other[metric].notna().sum()), "baseline": level,
                     "scenario": float(other[metric].mean()),
                     "relative": estimate.value / abs(level) if level else float("nan"),
                     **estimate.row(), "test": comparison.test})
    return pd.DataFrame(rows).set_index("metric")


def _paths(comparison: Comparison, metric: str) -> pd.DataFrame:
    """Per quarter: each arm's mean with its 95 % half-width over seeds, and the difference."""
    frames = []
    for arm, data in (("baseline", comparison.baseline.paths), ("scenario", comparison.scenario.paths)):
        if comparison.matched:
            data = data[data["seed"].isin(comparison.seeds)]
        frames.append(data.assign(arm=arm, time=data["year"] + (data["quarter"] - 1) / 4))
    wide = pd.concat(frames).pivot_table(index=["time", "seed"], columns="arm", values=metric)
    rows = []
    for time, part in wide.groupby(level="time"):
        part = part.droplevel("time")
        base, other = effects.mean(part["baseline"]), effects.mean(part["scenario"])
        gap = effects.difference(part["scenario"], part["baseline"], comparison.matched)
        rows.append({"time": time, "baseline": base.value, "baseline_half": base.half_width, "baseline_se": base.se,
                     "scenario": other.value, "scenario_half": other.half_width, "effect": gap.value,
                     "effect_half": gap.half_width, "effect_se": gap.se, "significant": gap.significant})
    return pd.DataFrame(rows).set_index("time")


# --------------------------------------------------------------------------- figures
def effects_figure(comparison: Comparison, table: pd.DataFrame) -> plt.Figure:
    """Every metric's effect with its 95 % interval, one row per metric on its own scale (in its
    unit, never narrower than the noise, :data:`ydabm.report.RANGE_NOTE`), hollow grey within noise."""
    fig, axes = plt.subplots(len(table), 1, figsize=(9.5, 0.8 * len(table) + 1.3), constrained_layout=True,
                             squeeze=False)
    for ax, (metric, row) in zip(axes[:, 0], table.iterrows()):
        half = row["ci_high"] - row["effect"]
        significant = bool(row["significant"])
        ax.errorbar([row["effect"]], [0], xerr=[np.nan_to_num(half)], fmt="o", capsize=4, ecolor="0.45",
                    color="#1f4e79" if significant else NOISE_COLOUR, mfc="#1f4e79" if significant else "white", ms=7)
        ax.axvline(0.0, color="0.3", lw=0.8)
        ax.set_xlim(*floor_span(*ax.get_xlim(), row["se"], row["baseline"]))
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        ax.set_ylabel(f"{row['label']}\n({row['unit']})", rotation=0, ha="right", va="center", fontsize=8)
        verdict = f"p = {row['p']:.2g}" + ("" if significant else f", {WITHIN_NOISE}")
        relative = f" ({row['relative']:+.2%} of {row['baseline']:.4g})" if np.isfinite(row["relative"]) else ""
        ax.set_title(f"{row['effect']:+.4g}{relative}; {verdict}", fontsize=8, loc="right")
    fig.suptitle(f"{comparison.title}: the {statistic_label(comparison.rule)}", fontsize=11)
    footnote(fig, f"effect (scenario minus baseline) with 95 % interval; {comparison.test}; x-range {RANGE_NOTE}")
    return fig


def path_figure(comparison: Comparison, metric: str, row: pd.Series) -> plt.Figure:
    """Both arms of one metric over time (mean over seeds, 95 % bands), and their difference with its
    95 % band; the quarters of the statistic shaded."""
    paths = _paths(comparison, metric)
    times = paths.index.to_numpy()
    window = times[-_quarters(comparison.rule):]
    level = float(row["baseline"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), constrained_layout=True)
    for arm, colour, label in (("baseline", "0.35", comparison.baseline.label),
                               ("scenario", "#c55a11", comparison.scenario.label)):
        left.plot(times, paths[arm], color=colour, lw=1.6, label=label)
        half = np.nan_to_num(paths[f"{arm}_half"].to_numpy())
        left.fill_between(times, paths[arm] - half, paths[arm] + half, color=colour, alpha=0.2, lw=0)
    left.set_ylabel(unit(metric), fontsize=8)
    left.set_title("each arm: mean over seeds, 95 % band", fontsize=9)
    left.legend(fontsize=8)
    floor_ylim(left, typical_noise(paths["baseline_se"]), level)
    half = np.nan_to_num(paths["effect_half"].to_numpy())
    right.plot(times, paths["effect"], color="#1f4e79", lw=1.6)
    right.fill_between(times, paths["effect"] - half, paths["effect"] + half, color="#1f4e79", alpha=0.2, lw=0)
    right.axhline(0.0, color="0.3", lw=0.8)
    right.set_ylabel(f"difference, {unit(metric)}", fontsize=8)
    kind = "mean of the per-seed differences" if comparison.matched else "difference of the means"
    right.set_title(f"{comparison.title}: {kind}, 95 % band", fontsize=9)
    verdict = "significant" if row["significant"] else WITHIN_NOISE
    right.text(0.02, 0.97, f"shaded quarters: {row['effect']:+.4g} +- {row['ci_high'] - row['effect']:.2g}\n"
                           f"p = {row['p']:.2g}, {verdict}", transform=right.transAxes, va="top", fontsize=8,
               bbox={"facecolor": "white", "edgecolor": "0.8", "alpha": 0.9})
    floor_ylim(right, typical_noise(paths["effect_se"]), level)
    for ax in (left, right):
        ax.axvspan(window[0] - 0.125, window[-1] + 0.125, color="0.9", zorder=0)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{metric_label(metric)}; shaded: the {statistic_label(comparison.rule)}", fontsize=11)
    footnote(fig, f"{comparison.test}; {AXIS_NOTE} of the baseline")
    return fig


def maps_available(comparison: Comparison) -> bool:
    """Whether per-city maps can be drawn: both arms have cities, all of them YRD map cities."""
    if comparison.baseline.cities is None or comparison.scenario.cities is None:
        return False
    from ..viz.maps import city_paths
    names = set(comparison.baseline.cities["city"]) | set(comparison.scenario.cities["city"])
    return names <= set(city_paths())


def map_figure(comparison: Comparison, output: str, table: pd.DataFrame) -> plt.Figure:
    """A city output on the map: the baseline and the scenario (one colour scale), and the effect
    (scenario minus baseline; cities within noise grey)."""
    from ..viz.maps import choropleth
    rows = table.loc[output]
    level = float(rows["baseline"].abs().mean())
    noise = typical_noise(rows["se"])
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.4), constrained_layout=True)
    shared, cmap = city_level_scale(np.r_[rows["baseline"], rows["scenario"]], noise, level)
    for ax, arm, label in ((axes[0], "baseline", comparison.baseline.label),
                           (axes[1], "scenario", comparison.scenario.label)):
        mappable = choropleth(ax, rows[arm], cmap=cmap, norm=shared)
        ax.set_title(label, fontsize=10)
    fig.colorbar(mappable, ax=axes[:2], shrink=0.7).set_label(unit(output, city=True), fontsize=8)
    effect = rows["effect"].where(rows["significant"])
    norm = difference_norm(rows["effect"], noise, level)
    mappable = choropleth(axes[2], effect, cmap="RdBu_r", norm=norm)
    fig.colorbar(mappable, ax=axes[2], shrink=0.7).set_label(f"difference, {unit(output, city=True)}", fontsize=8)
    axes[2].set_title(f"{comparison.title} (grey: {WITHIN_NOISE})", fontsize=10)
    fig.suptitle(f"{metric_label(output, comparison.rule, city=True)}; mean over seeds", fontsize=11)
    footnote(fig, f"{comparison.test}; colour ranges {RANGE_NOTE} of the mean city")
    return fig


# --------------------------------------------------------------------------- output
def check_destination(out: Path, force: bool) -> None:
    """Refuse ``out`` when it is a file, or a non-empty folder that holds no comparison (unless
    ``force``: then the comparison's files are added to it, replacing none of its own).

    Raises:
        ParameterError: one line naming the folder; nothing is written.
    """
    if out.exists() and not out.is_dir():
        raise ParameterError(f"{out}: is a file; give a folder for the comparison")
    if not out.is_dir() or (out / MARKER).is_file() or force:
        return
    if any(not p.name.startswith(".") for p in out.iterdir()):
        raise ParameterError(f"{out}: holds files that are not a comparison; give a new or empty folder, "
                             "or pass --force to add the comparison's files to it")


def write_comparison(comparison: Comparison, out: str | Path, formats: tuple[str, ...] = ("png",)) -> list[Path]:
    """Write the comparison's tables and figures into ``out`` (see the module docstring); an earlier
    comparison there is replaced. Returns the files written, ``compare.json`` last."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if (out / MARKER).is_file():
        for path in out.iterdir():
            if path.name in TABLES or FIGURE_STEMS.match(path.name):
                path.unlink()
    table = effects_table(comparison)
    written = [_write(out / "effects.csv", lambda p: table.to_csv(p))]
    arms = (("baseline", comparison.baseline), ("scenario", comparison.scenario))
    values = pd.concat([_values_frame(name, arm) for name, arm in arms], ignore_index=True)
    written.append(_write(out / "values.parquet", lambda p: values.to_parquet(p, index=False)))
    if all(arm.paths is not None for _, arm in arms):
        paths = pd.concat([arm.paths.assign(arm=name) for name, arm in arms], ignore_index=True)
        written.append(_write(out / "paths.parquet",
                              lambda p: _first(paths, ["arm", "seed"]).to_parquet(p, index=False)))
    cities = None
    if all(arm.cities is not None for _, arm in arms):
        cities = pd.concat([arm.cities.assign(arm=name) for name, arm in arms], ignore_index=True)
        written.append(_write(out / "city_values.parquet",
                              lambda p: _first(cities, ["arm", "seed"]).to_parquet(p, index=False)))
        by_city = pd.concat([city_effects(comparison, output) for output in MAPPED])
        written.append(_write(out / "city_effects.csv", lambda p: by_city.to_csv(p)))
    drawn = {"effects": effects_figure(comparison, table)}
    if all(arm.paths is not None for _, arm in arms):
        drawn.update({f"path_{m}": path_figure(comparison, m, table.loc[m]) for m in comparison.metrics})
    if cities is not None and maps_available(comparison):
        drawn.update({f"map_{o}": map_figure(comparison, o, by_city) for o in MAPPED})
    for stem, fig in drawn.items():
        for fmt in formats:
            written.append(_write(out / f"{stem}.{fmt}", lambda p: fig.savefig(p, dpi=120)))
        plt.close(fig)
    written.append(_write(out / MARKER, lambda p: p.write_text(json.dumps(_record(comparison), indent=2, default=str))))
    return written


def _write(path: Path, write) -> Path:
    write(path)
    return path


def _first(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[[*columns, *(c for c in frame.columns if c not in columns)]]


def _values_frame(name: str, arm: Arm) -> pd.DataFrame:
    ok = arm.values.reset_index().assign(arm=name, status="ok", error=None)
    failed = pd.DataFrame({"arm": name, "seed": list(arm.failed), "status": "failed",
                           "error": list(arm.failed.values())})
    frame = pd.concat([ok, failed], ignore_index=True) if len(failed) else ok
    return _first(frame, ["arm", "seed", "status", "error"])


def _record(comparison: Comparison) -> dict[str, Any]:
    from ..run import provenance
    return {"kind": "compare", "effect": comparison.title, "statistic": comparison.rule,
            "statistic_label": statistic_label(comparison.rule), "test": comparison.test,
            "matched_seeds": comparison.seeds if comparison.matched else [],
            "metrics": list(comparison.metrics),
            "baseline": {"label": comparison.baseline.label, **comparison.baseline.source,
                         "seeds": list(map(int, comparison.baseline.values.index)),
                         "failed": comparison.baseline.failed},
            "scenario": {"label": comparison.scenario.label, **comparison.scenario.source,
                         "seeds": list(map(int, comparison.scenario.values.index)),
                         "failed": comparison.scenario.failed},
            "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "provenance": provenance()}


def summary_text(comparison: Comparison, table: pd.DataFrame, out: Path) -> str:
    """The effects table as printed by ``ydabm compare``."""
    lines = [f"ydabm compare: {comparison.title}, the {statistic_label(comparison.rule)}; {comparison.test} -> {out}",
             f"  {'metric':32s} {'baseline':>11s} {'scenario':>11s} {'effect':>11s} {'relative':>9s} "
             f"{'95% CI':>25s}  {'p':>8s}"]
    for metric, row in table.iterrows():
        interval = f"[{row['ci_low']:.4g}, {row['ci_high']:.4g}]"
        verdict = "significant" if row["significant"] else "within noise"
        lines.append(f"  {metric:32s} {row['baseline']:11.4g} {row['scenario']:11.4g} {row['effect']:+11.4g} "
                     f"{row['relative']:+9.2%} {interval:>25s}  {row['p']:8.2g}  {verdict}")
    return "\n".join(lines)
