"""Regenerate the small example results that the notebooks read (``results/examples/``).

Run from the repository root::

    python -m ydabm.experiments.examples [--workers N] [--only NAME ...]

Each example is its experiment's ``experiments/<name>/sweep.toml`` made small (:data:`SMALL`: fewer
points, fewer steps, fewer and bigger agents) and run into ``results/examples/<name>/``, replacing
what was there. The whole set takes about two and a half minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path
from typing import Any

from ..params import QUICK_SCALE
from ..scenarios import list_scenarios
from .runner import run_sweep
from .spec import SweepSpec, parse_spec

ROOT = Path(__file__).resolve().parents[3]
OTHER_GEOGRAPHIES = ("core_periphery", "racetrack")
FAST = dict(QUICK_SCALE)

# what changes, per experiment, between the full spec and its example
SMALL: dict[str, dict[str, Any]] = {
    "barrier_specialization": {
        "steps": 32, "replicates": 2,
        "vary": {"barrier": {"min": 0.0, "max": 1.0, "num": 5},
                 "specialization": {"min": 0.0, "max": 1.0, "num": 5}},
        "set": FAST,
    },
    "scenarios": {"steps": 40, "replicates": 2, "set": FAST},
    # a sampled design draws no maps, so its example keeps no city outputs
    "sensitivity": {"steps": 12, "design": {"method": "sobol", "samples": 8, "second_order": False},
                    "set": FAST, "keep_cities": False},
    # the shock economy of the spec, at 10,000 people per agent: its zombie share depends on the scale
    # above the default's (seeds 1-2, quarters 25-32, measured with the fixed skill mix: 10-11 % at 20,000
    # people per agent, 8.7-9.2 % at 5,000, 6.8 % at 2,000 (the default until 5 Dec 2026), which 500 agrees with;
    # docs/validation.md), so the example's levels are not the full sweep's
    "zombies": {"steps": 32, "replicates": 2, "set": {"people_per_agent": 10000.0}},
}


def yrd_scenarios() -> list[str]:
    """The scenarios on the YRD geography (the others simulate other worlds)."""
    return [s.name for s in list_scenarios() if s.name not in OTHER_GEOGRAPHIES]


def example_spec(name: str) -> SweepSpec:
    """The example version of ``experiments/<name>/sweep.toml``."""
    path = ROOT / "experiments" / name / "sweep.toml"
    data = tomllib.loads(path.read_text())
    small = dict(SMALL[name])
    # the example's parameters go over the spec's (the scale replaced, the economy kept)
    small["set"] = {**data.get("set", {}), **small.get("set", {})}
    data.update(small, name=f"examples/{name}")
    if name == "scenarios":
        data["vary"] = {"scenario": yrd_scenarios()}
    return parse_spec(data, f"example {name}")


def regenerate(names: list[str] | None = None, workers: int | None = None, progress: bool = True) -> list[Path]:
    """Run the example sweeps into ``results/examples/<name>/``; returns the folders."""
    folders = []
    for name in names or list(SMALL):
        out = ROOT / "results" / "examples" / name
        start = time.perf_counter()
        run_sweep(example_spec(name), out, workers=workers, overwrite=True, progress=progress)
        print(f"examples: {name}: {time.perf_counter() - start:.0f} s -> {out.relative_to(ROOT)}")
        folders.append(out)
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ydabm.experiments.examples", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=None, help="local processes (default: every core)")
    parser.add_argument("--only", nargs="+", choices=list(SMALL), help="regenerate only these examples")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    regenerate(args.only, args.workers, progress=not args.quiet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
