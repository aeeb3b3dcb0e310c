"""Sweep specs: a TOML file -> a checked list of runs (parameters, replicate, seed).

A spec declares what varies and how (EMA Workbench style)::

    scenario = "baseline"          # name in configs/scenarios or a TOML path
    steps = 40                     # quarters per run
    replicates = 3                 # runs per design point, each with its own seed
    seed = 20261128                # root seed; run seeds are spawned from it
    common_seeds = false           # true: replicate k of every point shares a seed
    keep = ["final", "mean_last:8"]
    series = false                 # true: also keep every step (series.parquet)
    keep_cities = true             # keep each run's city outputs in the statistic (cities.parquet)
    [vary]                         # grids (lists) or ranges
    barrier = [0.0, 0.5, 1.0]
    specialization = { min = 0.0, max = 1.0, num = 11 }
    [design]                       # optional: sample the ranges instead of a grid
    method = "grid"                # grid | lhs | sobol | morris
    samples = 256
    [set]                          # constants passed to every run
    people_per_agent = 5000

Everything is checked before any run starts: :func:`build_plan` raises :class:`ParameterError`
with one line naming the field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..params import BY_NAME, ParameterError, did_you_mean, validate
from ..scenarios import Scenario, load_scenario

METHODS = ("grid", "lhs", "sobol", "morris")
_MEAN_LAST = re.compile(r"^mean_last:(\d+)$")
# columns every row carries; a parameter or metric may not take these names
ID_COLUMNS = ("run_id", "seed", "status", "error", "point", "replicate", "scenario")


class Design(BaseModel):
    """How the ``[vary]`` ranges become design points."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int = Field(64, ge=1, le=1_000_000,
                         description="lhs: points; sobol: base sample N (a power of 2); morris: trajectories")
    second_order: bool = Field(False, description="sobol: also sample for second-order indices")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels")


class SweepSpec(BaseModel):
    """A sweep as written in ``sweep.toml`` (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str | None = Field(None, description="results folder name (default: from the spec's path)")
    scenario: str = "baseline"
    steps: int = Field(40, ge=1, le=10_000)
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(20261128, ge=0, lt=2**63)
    common_seeds: bool = Field(False, description="replicate k of every point uses the same seed (common random numbers)")
    keep: list[str] = Field(default_factory=lambda: ["final"])
    metrics: list[str] | None = Field(None, description="model metrics to keep (default: all)")
    series: bool = False
    keep_cities: bool = Field(True, description="keep each run's city outputs, in the statistic the report shows "
                                                "(cities.parquet)")
    vary: dict[str, Any] = Field(default_factory=dict)
    design: Design = Field(default_factory=Design)
    constants: dict[str, Any] = Field(default_factory=dict, alias="set")

    def dump(self) -> dict[str, Any]:
        """The spec as plain JSON-able data, with every default filled in."""
        return self.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its id, design point, replicate, seed and parameter values."""

    run_id: int
    point: int
    replicate: int
    seed: int
    scenario: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """A checked sweep: the spec, its resolved runs and what every run keeps.

    Attributes:
        spec: the parsed spec.
        name: the sweep's name (default results folder ``results/<name>``).
        runs: every run, in run-id order.
        varied: varied parameter names, in spec order (may include ``scenario``).
        constants: the ``[set]`` values, validated.
        scenarios: the scenarios the runs use, by name.
        metrics: the model metrics kept.
        keep: the keep rules, e.g. ``("final", "mean_last:8")``.
        columns: the kept metric columns of ``runs.parquet``, in order.
        problem: the SALib problem for sampling designs (names and bounds), else ``None``.
        spec_hash: hash of the spec and the scenario definitions it uses.
        source: the spec file's text, when read from a file.
    """

    spec: SweepSpec
    name: str
    runs: tuple[Run, ...]
    varied: tuple[str, ...]
    constants: dict[str, Any]
    scenarios: dict[str, Scenario]
    metrics: tuple[str, ...]
    keep: tuple[str, ...]
    columns: tuple[str, ...]
    problem: dict[str, Any] | None
    spec_hash: str
    source: str | None = None

    @property
    def statistic(self) -> str:
        """The statistic the report shows and the cities are kept in (:func:`report_statistic`)."""
        return report_statistic(self.keep)

    def fingerprint(self) -> dict[str, Any]:
        """What the spec hash covers: the spec and the scenario definitions."""
        return {"spec": self.spec.dump(),
                "scenarios": {name: {"params": s.overrides, "policies": s.policy_specs}
                              for name, s in sorted(self.scenarios.items())}}


def load_spec(path: str | Path) -> tuple[SweepSpec, str]:
    """Read a spec file; returns the parsed spec and its text.

    Raises:
        ParameterError: missing file, bad TOML, unknown key or wrong type (one line).
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: no such spec file")
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ParameterError(f"{path}: not valid TOML ({err})") from None
    return parse_spec(data, str(path)), text


def parse_spec(data: dict[str, Any], where: str = "spec") -> SweepSpec:
    """Check the shape of spec data (keys and types); values are checked by :func:`build_plan`."""
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(part) for part in first["loc"]) or "spec"
        message = f"{first['msg']} (got {first['input']!r})"
        if first["type"] == "extra_forbidden":
            allowed = SweepSpec.model_fields if len(first["loc"]) == 1 else Design.model_fields
            names = [f.alias or n for n, f in allowed.items()]
            message = f"unknown key; allowed: {', '.join(names)}"
        elif len(first["loc"]) == 1 and isinstance(first["input"], list):
            message += f"; to sweep over values, list them under [vary] ({loc} = [...])"
        raise ParameterError(f"{where}: {loc}: {message}") from None


def default_name(path: str | Path) -> str:
    """``experiments/x/sweep.toml`` -> ``x``; ``experiments/x/quick.toml`` -> ``x-quick``."""
    path = Path(path)
    folder = path.resolve().parent.name
    return folder if path.stem == "sweep" else f"{folder}-{path.stem}"


def build_plan(spec: SweepSpec | dict[str, Any] | str | Path, where: str | None = None) -> Plan:
    """Check every value of a spec and resolve its runs.

    Args:
        spec: a parsed spec, spec data, or the path of a spec file.
        where: how to name the spec in messages (default: its path, or ``spec``).

    Raises:
        ParameterError: unknown parameter or metric, empty grid, value out of bounds, bad design,
            missing scenario, ...: one line naming the field.
    """
    source, base = None, None
    if isinstance(spec, (str, Path)):
        base = Path(spec)
        spec, source = load_spec(base)
        where = where or str(base)
    elif isinstance(spec, dict):
        spec = parse_spec(spec, where or "spec")
    where = where or "spec"
    try:
        return _build(spec, base, source)
    except ParameterError as err:
        raise ParameterError(f"{where}: {err}") from None


def _build(spec: SweepSpec, base: Path | None, source: str | None) -> Plan:
    if not spec.vary:
        raise ParameterError("[vary] is empty: name at least one parameter (a one-value list runs one point)")
    vary = dict(spec.vary)
    scenario_names = _scenario_names(spec, vary)
    scenarios = {name: _load_scenario(name, base) for name in scenario_names}
    constants = _check_constants(spec.constants, vary)
    for name in vary:
        _check_name(name, "vary")
    metrics = _check_metrics(spec.metrics)
    keep = _check_keep(spec.keep, spec.steps)
    columns = tuple(metric_column(m, rule) for rule in keep for m in metrics)
    if spec.design.method == "grid":
        points, problem = _grid(vary), None
    else:
        points, problem = _sample(vary, spec.design, spec.seed)
    runs = _runs(points, spec, scenario_names[0] if "scenario" not in vary else None, scenarios, constants)
    name = spec.name or (default_name(base) if base else "sweep")
    plan = Plan(spec, name, runs, tuple(vary), constants, scenarios, metrics, keep, columns, problem, "", source)
    digest = hashlib.sha256(json.dumps(plan.fingerprint(), sort_keys=True, default=str).encode()).hexdigest()
    return dataclasses.replace(plan, spec_hash=digest)


def metric_column(metric: str, rule: str) -> str:
    """Column name of a kept value: ``similarity_manufacturing``, ``similarity_manufacturing_mean_last8``.

    A final value keeps the metric's own name, except when a parameter or an id column has that name:
    then it is ``<metric>_final``, so parameter and metric columns never collide.
    """
    if rule == "final":
        return f"{metric}_final" if metric in BY_NAME or metric in ID_COLUMNS else metric
    return f"{metric}_mean_last{int(rule.split(':')[1])}"


def report_statistic(keep: tuple[str, ...] | list[str]) -> str:
    """The statistic a sweep's report shows and its cities are kept in: the longest kept
    ``mean_last:K``, else ``final`` (the last quarter)."""
    means = sorted((int(rule.split(":")[1]), rule) for rule in keep if rule != "final")
    return means[-1][1] if means else "final"


def _scenario_names(spec: SweepSpec, vary: dict[str, Any]) -> list[str]:
    if "scenario" not in vary:
        return [spec.scenario]
    if "scenario" in spec.model_fields_set:
        raise ParameterError("scenario is given both at the top and in [vary]; keep one")
    names = vary["scenario"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ParameterError("vary.scenario: give a non-empty list of scenario names")
    if spec.design.method != "grid":
        raise ParameterError(f"vary.scenario: design {spec.design.method} samples ranges; scenarios need the grid")
    if len(set(names)) != len(names):
        raise ParameterError("vary.scenario: a scenario is listed twice")
    return names


def _load_scenario(name: str, base: Path | None) -> Scenario:
    if base is not None and Path(name).suffix:
        beside = base.resolve().parent / name
        if beside.is_file():
            return load_scenario(str(beside))
    return load_scenario(name)


def _check_name(name: str, section: str) -> None:
    if name in BY_NAME or (section == "vary" and name == "scenario"):
        return
    raise ParameterError(f"{section}.{name}: unknown parameter{did_you_mean(name, BY_NAME)}; `ydabm params` lists them")


def _check_constants(constants: dict[str, Any], vary: dict[str, Any]) -> dict[str, Any]:
    checked = {}
    for name, value in constants.items():
        _check_name(name, "set")
        if name in vary:
            raise ParameterError(f"set.{name}: also in [vary]; a parameter is either varied or set")
        checked[name] = _value(name, value, "set")
    return checked


def _value(name: str, value: Any, section: str, key: str = "") -> Any:
    """``value`` checked against the declaration of ``name``; errors read ``vary.barrier.max: ...``."""
    try:
        return validate({name: value})[name]
    except ParameterError as err:
        detail = str(err).removeprefix(f"{name}: ")
        raise ParameterError(f"{section}.{name}{'.' + key if key else ''}: {detail}") from None


def _check_metrics(metrics: list[str] | None) -> tuple[str, ...]:
    from ..model import MODEL_METRICS
    if metrics is None:
        return MODEL_METRICS
    if not metrics:
        raise ParameterError("metrics: empty list; leave it out to keep every metric")
    for metric in metrics:
        if metric not in MODEL_METRICS:
            raise ParameterError(f"metrics: unknown metric {metric!r}{did_you_mean(metric, MODEL_METRICS)}; "
                                 f"known: {', '.join(MODEL_METRICS)}")
    return tuple(dict.fromkeys(metrics))


def _check_keep(keep: list[str], steps: int) -> tuple[str, ...]:
    if not keep:
        raise ParameterError('keep: empty list; use e.g. ["final"]')
    for rule in keep:
        match = _MEAN_LAST.match(rule)
        if rule == "final":
            continue
        if not match:
            raise ParameterError(f'keep: {rule!r} is not "final" or "mean_last:K"')
        if not 1 <= int(match.group(1)) <= steps + 1:
            raise ParameterError(f"keep: {rule!r}: K must be in [1, steps + 1 = {steps + 1}]")
    return tuple(dict.fromkeys(f"mean_last:{int(r.split(':')[1])}" if ":" in r else r for r in keep))


# --------------------------------------------------------------------------- designs
def _grid(vary: dict[str, Any]) -> list[dict[str, Any]]:
    """Full factorial over the lists and ``{min, max, num}`` ranges, first dimension outermost."""
    axes = {}
    for name, entry in vary.items():
        if name == "scenario":
            axes[name] = entry
        elif isinstance(entry, list):
            if not entry:
                raise ParameterError(f"vary.{name}: empty grid; give at least one value")
            axes[name] = [_value(name, v, "vary") for v in entry]
        elif isinstance(entry, dict):
            low, high = _range(name, entry)
            num = entry.get("num")
            if not isinstance(num, int) or isinstance(num, bool) or num < 1:
                raise ParameterError(f"vary.{name}: the grid needs num = a whole number >= 1 (got {num!r})")
            values = np.round(np.linspace(low, high, num), 12)
            axes[name] = list(dict.fromkeys(_value(name, _as_type(name, v), "vary") for v in values))
        else:
            raise ParameterError(f"vary.{name}: give a list of values or {{ min, max, num }}")
    return [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]


def _range(name: str, entry: dict[str, Any]) -> tuple[float, float]:
    unknown = set(entry) - {"min", "max", "num"}
    if unknown:
        raise ParameterError(f"vary.{name}: unknown key {sorted(unknown)[0]!r}; a range has min, max, num")
    if BY_NAME[name].type is str:
        raise ParameterError(f"vary.{name}: a text parameter takes a list of values, not a range")
    if "min" not in entry or "max" not in entry:
        raise ParameterError(f"vary.{name}: a range needs min and max")
    low, high = (_value(name, entry[k], "vary", k) for k in ("min", "max"))
    if low > high:
        raise ParameterError(f"vary.{name}: min {low} is above max {high}")
    return float(low), float(high)


def _as_type(name: str, value: float) -> Any:
    return int(round(value)) if BY_NAME[name].type is int else float(value)


def _sample(vary: dict[str, Any], design: Design, root_seed: int) -> tuple[list[dict[str, Any]], dict]:
    """Points from a SALib design over the ranges (ints rounded); the design seed comes from the root."""
    bounds = {}
    for name, entry in vary.items():
        if not isinstance(entry, dict):
            raise ParameterError(f"vary.{name}: design {design.method} samples ranges; give {{ min, max }}")
        low, high = _range(name, entry)
        if not low < high:
            raise ParameterError(f"vary.{name}: design {design.method} needs min < max")
        bounds[name] = [low, high]
    problem = {"num_vars": len(bounds), "names": list(bounds), "bounds": list(bounds.values())}
    # an own stream of the root seed (the run seeds are its spawned children)
    seed = int(np.random.SeedSequence(root_seed).generate_state(1)[0])
    matrix = _salib_sample(problem, design, seed)
    points = [{name: _value(name, _as_type(name, v), "vary") for name, v in zip(bounds, row)} for row in matrix]
    return points, problem


def _salib_sample(problem: dict, design: Design, seed: int) -> np.ndarray:
    from SALib.sample import latin, morris, sobol
    n = design.samples
    if design.method == "lhs":
        return latin.sample(problem, n, seed=seed)
    if design.method == "sobol":
        if n & (n - 1):
            raise ParameterError(f"design.samples: sobol needs a power of 2 (Sobol' sequence), got {n}")
        return sobol.sample(problem, n, calc_second_order=design.second_order, seed=seed)
    if problem["num_vars"] < 2:
        raise ParameterError("design morris: vary at least two parameters")
    return morris.sample(problem, n, num_levels=design.levels, seed=seed)


def _runs(points: list[dict[str, Any]], spec: SweepSpec, scenario: str | None,
          scenarios: dict[str, Scenario], constants: dict[str, Any]) -> tuple[Run, ...]:
    """Runs in id order (points outer, replicates inner), each with a seed spawned from the root:
    one child per run, or with ``common_seeds`` one per replicate, shared by every point."""
    total = len(points) * spec.replicates
    children = np.random.SeedSequence(spec.seed).spawn(spec.replicates if spec.common_seeds else total)
    runs = []
    for point, values in enumerate(points):
        name = values.get("scenario", scenario)
        params = {k: v for k, v in values.items() if k != "scenario"}
        try:
            scenarios[name].policies(scenarios[name].params({**constants, **params}))
        except ParameterError as err:
            raise ParameterError(f"point {values}: {err}") from None
        for replicate in range(spec.replicates):
            run_id = point * spec.replicates + replicate
            seed = int(children[replicate if spec.common_seeds else run_id].generate_state(1)[0])
            runs.append(Run(run_id, point, replicate, seed, name, {**constants, **params}))
    return tuple(runs)
