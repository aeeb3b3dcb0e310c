"""Sector table: the configuration of the goods-producing sectors as arrays.

Loaded from a TOML file in ``configs/`` (see ``configs/sectors.toml`` for every assumption).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

import numpy as np

from .params import ParameterError
from .paths import resolve_config

BROAD = ("primary", "secondary", "tertiary")
_FIELDS = ("name", "broad", "weight", "expenditure_share", "elasticity", "trade_cost_per_hour",
           "skill_intensity", "fixed_cost", "capital_intensity", "tfp_growth", "strategic")


@dataclass(frozen=True)
class Sectors:
    """Per-sector arrays (length S) and the priors that shape the initial structure.

    Attributes:
        names: sector identifiers.
        broad: index into :data:`BROAD` of each sector.
        weight: prior weight inside the broad sector.
        expenditure_share: alpha_s, used as is for synthetic geographies.
        elasticity: sigma_s, elasticity of substitution between varieties.
        trade_cost_per_hour: tau_s in T_ij = exp(tau_s * hours_ij).
        skill_intensity: high-skill share of labour input.
        fixed_cost: overhead labour as a share of revenue at t = 0.
        capital_intensity: capacity capital per unit of quarterly output value.
        tfp_growth: trend productivity growth per year.
        strategic: prestige of the sector on the strategic lists governments chase, in [0, 1]
            (``true``/``false`` read as 1/0).
        digital: the digital-economy sector(s).
        traditional: sectors that gain from digital integration.
        digital_reach_hours: distance decay of digital access.
        pillars: city name -> the sectors its plans name as leading (pillar) industries.
        measured_structure: file (in ``ydabm/geography/data`` or a path) of measured city industry
            splits, or None (no city tilt beyond the pillar lists at location quotient 1).
        concordance: input-output concordance (a name in ``configs/``) that gives the national
            output and value-added rates behind the weights and the measured splits.
    """

    names: tuple[str, ...]
    broad: np.ndarray
    weight: np.ndarray
    expenditure_share: np.ndarray
    elasticity: np.ndarray
    trade_cost_per_hour: np.ndarray
    skill_intensity: np.ndarray
    fixed_cost: np.ndarray
    capital_intensity: np.ndarray
    tfp_growth: np.ndarray
    strategic: np.ndarray
    digital: np.ndarray
    traditional: np.ndarray
    digital_reach_hours: float = 2.0
    pillars: dict[str, tuple[str, ...]] = field(default_factory=dict)
    measured_structure: str | None = None
    concordance: str | None = None

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def manufacturing(self) -> np.ndarray:
        """Boolean mask of manufacturing (secondary) sectors."""
        return self.broad == BROAD.index("secondary")

    @property
    def agriculture(self) -> np.ndarray:
        """Boolean mask of land-based sectors, which employ the farmers (skill class 0)."""
        return self.broad == BROAD.index("primary")

    @property
    def targetable(self) -> np.ndarray:
        """Sectors a government may target: everything but agriculture and non-tradable services."""
        return ~self.agriculture & (self.trade_cost_per_hour < 0.3)

    def index(self, name: str) -> int:
        return self.names.index(name)


def load_sectors(name_or_path: str = "sectors") -> Sectors:
    """Read and check a sector configuration.

    Raises:
        ParameterError: a missing file, a missing field or a value outside its allowed range; the
            message names the sector and field.
    """
    try:
        path = resolve_config(name_or_path)
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as err:
        raise ParameterError(f"sectors_file: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ParameterError(f"sectors_file: {name_or_path} is not valid TOML ({err})") from None
    rows = data.get("sector", [])
    if len(rows) < 2:
        raise ParameterError(f"sectors_file: {path} declares {len(rows)} [[sector]] tables; at least 2 needed")
    for row in rows:
        missing = [f for f in _FIELDS if f not in row]
        if missing:
            raise ParameterError(f"sectors_file: sector {row.get('name', '?')!r} lacks field {missing[0]!r}")
        _check_sector(row)
    names = tuple(r["name"] for r in rows)
    arr = {f: np.array([r[f] for r in rows], dtype=float) for f in _FIELDS[2:-1]}
    digital_cfg = data.get("digital_integration", {})
    structure_cfg = data.get("structure", {})
    unknown_keys = sorted(set(structure_cfg) - {"measured", "concordance"})
    if unknown_keys:
        raise ParameterError(f"sectors_file: [structure] has unknown key {unknown_keys[0]!r}; allowed: measured, concordance")
    if "measured" in structure_cfg and "concordance" not in structure_cfg:
        raise ParameterError("sectors_file: [structure] measured needs a concordance (the national weights it is read against)")
    traditional = set(digital_cfg.get("traditional", []))
    pillar_cfg = dict(data.get("pillars", {}))
    if "multiplier" in pillar_cfg:
        raise ParameterError("sectors_file: [pillars] multiplier is not read any more: the pillar location quotient "
                             "is measured from [structure] measured (see configs/sectors.toml)")
    for city, listed in pillar_cfg.items():
        unknown = [s for s in listed if s not in names]
        if unknown:
            raise ParameterError(f"sectors_file: pillars of {city} name unknown sector {unknown[0]!r}")
    return Sectors(
        names=names,
        broad=np.array([BROAD.index(r["broad"]) for r in rows]),
        strategic=np.array([float(r["strategic"]) for r in rows]),
        digital=np.array([bool(r.get("digital", False)) for r in rows]),
        traditional=np.array([n in traditional for n in names]),
        digital_reach_hours=float(digital_cfg.get("reach_hours", 2.0)),
        pillars={c: tuple(v) for c, v in pillar_cfg.items()},
        measured_structure=structure_cfg.get("measured"),
        concordance=structure_cfg.get("concordance"),
        **arr,
    )


def _check_sector(row: dict) -> None:
    name = row["name"]
    checks = {
        "broad": row["broad"] in BROAD,
        "weight": row["weight"] > 0,
        "expenditure_share": 0 < row["expenditure_share"] < 1,
        "elasticity": row["elasticity"] > 1,
        "trade_cost_per_hour": row["trade_cost_per_hour"] >= 0,
        "skill_intensity": 0 <= row["skill_intensity"] <= 1,
        "fixed_cost": 0 <= row["fixed_cost"] < 1,
        "capital_intensity": row["capital_intensity"] >= 0,
        "tfp_growth": -0.5 < row["tfp_growth"] < 0.5,
        "strategic": isinstance(row["strategic"], (bool, int, float)) and 0 <= float(row["strategic"]) <= 1,
    }
    allowed = {
        "broad": "one of primary, secondary, tertiary", "weight": "> 0", "expenditure_share": "in (0, 1)",
        "elasticity": "> 1", "trade_cost_per_hour": ">= 0", "skill_intensity": "in [0, 1]",
        "fixed_cost": "in [0, 1)", "capital_intensity": ">= 0", "tfp_growth": "in (-0.5, 0.5)",
        "strategic": "true, false or a prestige in [0, 1]",
    }
    for key, ok in checks.items():
        if not ok:
            raise ParameterError(f"sectors_file: sector {name!r} field {key} = {row[key]!r}; allowed {allowed[key]}")
