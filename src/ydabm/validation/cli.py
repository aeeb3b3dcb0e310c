"""The ``ydabm validate`` command group: one sub-command per validation check.

A new check adds a function ``_add_<check>(checks)`` that creates its parser under ``checks`` and
sets its ``handler``, and lists it in :data:`CHECKS`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..params import parse_assignment


def register(subparsers) -> None:
    """Add ``validate`` and its checks to the ``ydabm`` sub-command parsers."""
    validate = subparsers.add_parser("validate", help="validate the model against data and theory")
    checks = validate.add_subparsers(dest="check", required=True, metavar="CHECK")
    for add in CHECKS:
        add(checks)


def _add_calibration(checks) -> None:
    from .calibration_check import OUT, SCALE, SEED, YEARS
    scale = ", ".join(f"{k}={v:g}" for k, v in SCALE.items())
    parser = checks.add_parser(
        "calibration", help="baseline vs 2020 city data at t = 0 and after some years",
        description="Compare the baseline with the 2020 data: population and GDP by city (correlation, MAPE), "
                    "the population Zipf exponent and the direction of net migration by city.")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the run's generator (default {SEED})")
    parser.add_argument("--years", type=int, default=YEARS, help=f"simulated years (default {YEARS})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a model parameter (scale defaults: {scale})")
    parser.set_defaults(handler=_calibration)


def _calibration(args) -> int:
    from .calibration_check import check_calibration, write_check
    overrides = dict(parse_assignment(item) for item in args.set)
    check = check_calibration(overrides, args.years, args.seed)
    write_check(check, args.out)
    if args.json:
        print(json.dumps({k: (v if math.isfinite(v) else None) for k, v in check.summary.items()}))
        return 0
    print(f"ydabm validate calibration: {args.years} years, seed {args.seed}, {check.seconds:.1f} s -> {args.out}")
    for key, value in check.summary.items():
        print(f"  {key:28s} {value:.4g}")
    return 0


CHECKS = (_add_calibration,)
