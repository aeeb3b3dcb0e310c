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
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from typing import Any

from .params import ParameterError, validate
from .paths import configs_dir, resolve_config
from .policies import POLICY_TYPES


@dataclass
class Scenario:
    """A named set of parameter overrides and policies."""

    name: str
    description: str
    overrides: dict[str, Any]
    policy_specs: list[dict[str, Any]] = field(default_factory=list)

    def params(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Full validated parameters: defaults, then the scenario's overrides, then ``extra``."""
        return validate({**self.overrides, **(extra or {})})

    def policies(self) -> list:
        """Fresh policy objects (policies keep state, so every run needs its own)."""
        return [_make_policy(spec, self.name) for spec in self.policy_specs]


def list_scenarios() -> list[Scenario]:
    return [load_scenario(p.stem) for p in sorted((configs_dir() / "scenarios").glob("*.toml"))]


def load_scenario(name_or_path: str) -> Scenario:
    """Read and check a scenario by name or path.

    Raises:
        ParameterError: missing or malformed file, unknown parameter or policy, bad values.
    """
    try:
        path = resolve_config(name_or_path, "scenarios")
    except FileNotFoundError as err:
        raise ParameterError(f"scenario: {err}") from None
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as err:
        raise ParameterError(f"scenario {path.name}: not valid TOML ({err})") from None
    unknown = set(data) - {"description", "params", "policy"}
    if unknown:
        raise ParameterError(f"scenario {path.name}: unknown section {sorted(unknown)[0]!r}; allowed: description, params, policy")
    overrides = dict(data.get("params", {}))
    try:
        validate(overrides)
    except ParameterError as err:
        raise ParameterError(f"scenario {path.name}: {err}") from None
    scenario = Scenario(path.stem, str(data.get("description", "")), overrides, list(data.get("policy", [])))
    scenario.policies()
    return scenario


def _make_policy(spec: dict[str, Any], scenario: str):
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind not in POLICY_TYPES:
        raise ParameterError(f"scenario {scenario}: policy type {kind!r} is not one of {', '.join(POLICY_TYPES)}")
    cls = POLICY_TYPES[kind]
    allowed = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    unknown = set(spec) - allowed
    if unknown:
        raise ParameterError(f"scenario {scenario}: {kind} has no field {sorted(unknown)[0]!r}; fields: {', '.join(sorted(allowed))}")
    try:
        return cls(**spec)
    except TypeError as err:
        raise ParameterError(f"scenario {scenario}: {kind}: {err}") from None
