"""Scenario files -> validated parameters and policy objects.

A scenario is a TOML file in ``configs/scenarios/`` (or any path)::

    description = "one line"
    [params]                  # overrides of the declared parameters
    barrier = 0.6
    [[policy]]                # zero or more shocks and policies (ydabm.policies)
    type = "BarrierPath"
    start_year = 2021
    end_year = 2030
    target = 0.0

Everything is checked when the file is read, before any run starts: the keys, the parameters, each
policy's type and fields (values, bounds, and the names of provinces and sectors against the world
the scenario simulates); :meth:`Scenario.policies` checks the names again against the world of the
run's final parameters. Errors are one line with a did-you-mean suggestion. The reference text of
docs/scenarios.md is :func:`reference_markdown`.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .geography.world import upgrade_links
from .params import BY_NAME, DEFAULTS, ParameterError, did_you_mean, validate
from .paths import configs_dir, resolve_config
from .policies import POLICY_TYPES, check_combination, check_world, declared_fields, default_of, world_of

#: the keys of a scenario file and what they hold
SECTIONS = {
    "description": "text: one line saying what the scenario is (`ydabm scenarios` lists it)",
    "params": "table `[params]`: parameter values replacing the defaults (`ydabm params` lists them); "
              "a run's `--set` and a sweep's `[set]` and `[vary]` come on top",
    "policy": "array of tables `[[policy]]`, one per shock or policy: `type` names the policy type, "
              "the other keys are its fields; policies combine in any order (shocks in different quarters, a "
              "path then a province's own change, several divisions of labour or liberalisations), and two that "
              "would set the same lever in the same quarter are refused",
}


@dataclass
class Scenario:
    """A named set of parameter overrides and policies."""

    name: str
    description: str
    overrides: dict[str, Any]
    policy_specs: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""

    def params(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Full validated parameters: defaults, then the scenario's overrides, then ``extra``."""
        return validate({**self.overrides, **(extra or {})})

    def policies(self, params: dict[str, Any] | None = None) -> list:
        """Fresh policy objects (policies keep state, so every run needs its own), checked against
        the world of ``params``: the run's resolved parameters (default: the scenario's own).

        Raises:
            ParameterError: a field's value or a name of a province, city or sector; two policies
                of which one would undo the other (:func:`ydabm.policies.check_combination`) (one line).
        """
        params = params if params is not None else self.params()
        world = world_of(params)
        label = Path(self.source).name or self.name
        policies = [_make_policy(spec, world, f"scenario {label}: policy {i}")
                    for i, spec in enumerate(self.policy_specs, 1)]
        check_combination(policies, params["start_year"], f"scenario {label}: policies")
        return policies


def list_scenarios() -> list[Scenario]:
    """Every scenario in ``configs/scenarios/``, by name."""
    return [load_scenario(p.stem) for p in sorted((configs_dir() / "scenarios").glob("*.toml"))]


def scenario_model(name_or_path: str | None, rng: int):
    """``YRDModel(rng=rng)`` with a scenario's parameters and policies; None: the baseline (defaults)."""
    from .model import YRDModel
    if name_or_path is None:
        return YRDModel(rng=rng)
    scenario = load_scenario(name_or_path)
    return YRDModel(rng=rng, policies=tuple(scenario.policies()), **scenario.overrides)


def load_scenario(name_or_path: str) -> Scenario:
    """Read and check a scenario by name or path.

    Raises:
        ParameterError: missing or malformed file, unknown key, parameter or policy type, a policy
            field that is missing, unknown or out of bounds, an unknown province or sector.
    """
    try:
        path = resolve_config(name_or_path, "scenarios")
    except FileNotFoundError as err:
        names = [p.stem for p in (configs_dir() / "scenarios").glob("*.toml")]
        raise ParameterError(f"scenario: {err}{did_you_mean(name_or_path, names)}") from None
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise ParameterError(f"scenario {path.name}: not valid TOML ({err})") from None
    try:
        scenario = _parse(data, path)
    except ParameterError as err:
        raise ParameterError(f"scenario {path.name}: {err}") from None
    scenario.policies()  # its messages name the scenario and the policy
    return scenario


def _parse(data: dict[str, Any], path: Path) -> Scenario:
    for key in data:
        if key not in SECTIONS:
            raise ParameterError(f"unknown key {key!r}{did_you_mean(key, SECTIONS)}; allowed: {', '.join(SECTIONS)}")
    description, overrides, policies = data.get("description", ""), data.get("params", {}), data.get("policy", [])
    if not isinstance(description, str):
        raise ParameterError(f"description: expected text, got {description!r}")
    if not isinstance(overrides, dict):
        raise ParameterError("params: write the parameters as a table under [params]")
    if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
        raise ParameterError("policy: write each policy as a table under [[policy]] (double brackets)")
    validate(overrides)
    return Scenario(path.stem, description, dict(overrides), list(policies), str(path))


def _make_policy(spec: dict[str, Any], world, where: str):
    if "type" not in spec:
        raise ParameterError(f"{where}: no type; give type = one of {', '.join(POLICY_TYPES)}")
    kind = spec["type"]
    if not isinstance(kind, str) or kind not in POLICY_TYPES:
        hint = did_you_mean(kind, POLICY_TYPES) if isinstance(kind, str) else ""
        raise ParameterError(f"{where}: type {kind!r} is not a policy type{hint}; types: {', '.join(POLICY_TYPES)}")
    cls = POLICY_TYPES[kind]
    where = f"{where} ({kind})"
    fields = {f.name: f for f, _ in declared_fields(cls)}
    for key in spec:
        if key != "type" and key not in fields:
            raise ParameterError(f"{where}: unknown field {key!r}{did_you_mean(key, fields)}; fields: {', '.join(fields)}")
    required = [name for name, f in fields.items() if default_of(f) is dataclasses.MISSING]
    missing = [name for name in required if name not in spec]
    if missing:
        raise ParameterError(f"{where}: {missing[0]}: missing; required fields: {', '.join(required)}")
    try:
        policy = cls(**{key: value for key, value in spec.items() if key != "type"})
        check_world(policy, world)
    except ParameterError as err:
        raise ParameterError(f"{where}: {err}") from None
    return policy


# --------------------------------------------------------------------------- description and docs
def toml_value(value: Any) -> str:
    """A value as it is written in a TOML file: ``0.5``, ``"Anhui"``, ``["Shanghai"]``, ``{ Anhui = [...] }``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    return repr(value)


def policy_text(cls: type) -> list[str]:
    """The paragraphs of a policy type's docstring, each as one line of Markdown."""
    return [" ".join(p.split()).replace("``", "`") for p in inspect.cleandoc(cls.__doc__ or "").split("\n\n")]


def describe(scenario: Scenario) -> str:
    """A scenario in full, as a commented TOML file: its description, the parameters it sets (with
    default, bounds and meaning) and every policy with all its fields (defaults marked; an optional
    field left out is shown commented out)."""
    source = Path(scenario.source).resolve()
    shown = source.relative_to(Path.cwd()) if source.is_relative_to(Path.cwd()) else source
    lines = [f"# scenario {scenario.name} ({shown})", f"description = {toml_value(scenario.description)}",
             "", "[params]" + ("" if scenario.overrides else "  # none: every parameter at its default (`ydabm params`)")]
    for name, value in scenario.overrides.items():
        p = BY_NAME[name]
        lines.append(_commented(f"{name} = {toml_value(value)}", f"default {toml_value(p.default)}, allowed "
                                f"{p.bounds()}{f' ({p.unit})' if p.unit not in ('', '1') else ''}: {p.meaning}"))
    for spec in scenario.policy_specs:
        cls = POLICY_TYPES[spec["type"]]
        lines += ["", "[[policy]]"]
        for paragraph in policy_text(cls):
            lines += textwrap.wrap(paragraph, 100, initial_indent="# ", subsequent_indent="# ")
        lines.append(f"type = {toml_value(spec['type'])}")
        for f, declared in declared_fields(cls):
            given = f.name in spec
            value = spec[f.name] if given else default_of(f)
            # a pure number's unit "1" would read like a default next to the value
            unit = f"{'dimensionless' if declared.unit == '1' else declared.unit}, " if declared.unit else ""
            if value is None:
                lines.append(_commented(f"# {f.name} =", f"(optional) {unit}{declared.allowed()}: {declared.meaning}"))
                continue
            lines.append(_commented(f"{f.name} = {toml_value(value)}",
                                    f"{'' if given else '(default) '}{unit}{declared.allowed()}: {declared.meaning}"))
    return "\n".join(lines)


def _commented(assignment: str, comment: str) -> str:
    return f"{assignment:30s} # {comment}"


def reference_markdown() -> str:
    """The reference part of docs/scenarios.md: the file's keys, every policy type with its fields
    (required or default, allowed values, unit, meaning), the names policies use, and the shipped
    scenarios. ``ydabm scenarios --markdown`` prints it."""
    out = ["### The keys of a scenario file", "", "| key | holds |", "|---|---|"]
    out += [f"| `{key}` | {meaning} |" for key, meaning in SECTIONS.items()]
    out += ["", "### Policy types", ""]
    for name, cls in POLICY_TYPES.items():
        out += [f"#### `{name}`", ""]
        out += [line for paragraph in policy_text(cls) for line in (paragraph, "")]
        out += ["| field | required or default | allowed | unit | meaning |", "|---|---|---|---|---|"]
        for f, declared in declared_fields(cls):
            default = default_of(f)
            shown = ("required" if default is dataclasses.MISSING else "optional" if default is None
                     else f"`{toml_value(default)}`")
            out.append(f"| `{f.name}` | {shown} | {declared.allowed()} | {declared.unit} | {declared.meaning} |")
        out.append("")
    yrd, synthetic = world_of(DEFAULTS), world_of({**DEFAULTS, "world": "racetrack"})
    lines = upgrade_links(BY_NAME["start_year"].high)
    out += ["### Names", "",
            f"- Provinces of the `yrd` world: {', '.join(yrd.provinces)}. The synthetic worlds (`two_city`, "
            f"`racetrack`) have one province, `{synthetic.provinces[0]}`.",
            f"- Sectors (`configs/sectors.toml`): {', '.join(yrd.sectors)}; governments may target "
            f"{', '.join(yrd.targetable)}.",
            "- Rail lines of `NetworkUpgrade` (`configs/network_upgrades.csv`; `yrd` world only):", "",
            "| opened | line | cities | hours |", "|---|---|---|---|"]
    out += [f"| {row.opened} | {row.line} | {row.city_a}, {row.city_b} | {row.hours:.2f} |" for row in lines.itertuples()]
    out += ["", "### Shipped scenarios (`configs/scenarios/`)", "", "| scenario | policies | description |", "|---|---|---|"]
    for scenario in list_scenarios():
        kinds = ", ".join(f"`{spec['type']}`" for spec in scenario.policy_specs) or "none"
        out.append(f"| `{scenario.name}` | {kinds} | {scenario.description} |")
    return "\n".join(out)
