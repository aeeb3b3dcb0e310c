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


def _add_core_periphery(checks) -> None:
    from .core_periphery import (ABM_BURN_IN, ABM_CORE_SHARES, ABM_GRID_POINTS, ABM_SCORED, OUT, RELATIVE_TOLERANCE,
                                 SEED)
    parser = checks.add_parser(
        "core-periphery", help="the model's market mechanisms vs Krugman (1991): break and sustain points",
        description="Solve the two-city short-run equilibrium with the model's goods-market functions (free "
                    "entry, markup pricing, CES demand over the model's iceberg costs), find its break and "
                    "sustain points and compare them with the analytic ones (FKV 1999, ch. 5); exit 1 if either "
                    f"is more than {RELATIVE_TOLERANCE:.0%} off. Also draws both tomahawks and, unless --no-abm, "
                    f"the agent-based tomahawk: the core_periphery scenario with migration frozen on {ABM_GRID_POINTS} "
                    f"trade costs x shares {ABM_CORE_SHARES}, its real-wage gaps after the burn-in and its break "
                    f"and sustain points ({'scored: they too must be within the tolerance' if ABM_SCORED else
                                           'reported, not scored'}).")
    parser.add_argument("--sigma", type=float, default=5.0, help="elasticity of substitution sigma > 1 (default 5)")
    parser.add_argument("--mu", type=float, default=0.4, help="manufacturing expenditure share mu in (0, 1) (default 0.4)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--no-abm", action="store_true", help="skip the agent-based tomahawk (figure without that panel)")
    parser.add_argument("--quarters", type=int, default=ABM_BURN_IN,
                        help=f"burn-in quarters of each agent-based run; the gaps average its second half "
                             f"(default {ABM_BURN_IN})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the agent-based runs (default {SEED})")
    parser.set_defaults(handler=_core_periphery)


def _core_periphery(args) -> int:
    from ..params import ParameterError
    from .core_periphery import RELATIVE_TOLERANCE, check_core_periphery, write_check
    if not 1 <= args.quarters <= 10_000:
        raise ParameterError(f"--quarters: {args.quarters} is out of range; allowed [1, 10000]")
    check = check_core_periphery(args.sigma, args.mu, abm=not args.no_abm, quarters=args.quarters, seed=args.seed)
    write_check(check, args.out)
    status = 0 if check.passed else 1
    if args.json:
        print(json.dumps(check.summary))
        return status
    summary = check.summary
    print(f"ydabm validate core-periphery: sigma {args.sigma:g}, mu {args.mu:g}, "
          f"{check.seconds['market']:.1f} s (+ {check.seconds['abm']:.1f} s agent-based runs) -> {args.out}")
    for name in ("break", "sustain"):
        print(f"  {name:8s} analytic T = {summary[f'analytic_{name}']:.6f}   model T = {summary[f'model_{name}']:.6f}"
              f"   relative error {summary[f'{name}_error']:.2e}")
    if "abm_break" in summary:
        _print_abm_estimates(summary)
    verdict = "within" if check.passed else "NOT within"
    scope = "model and agent-based" if summary.get("abm_scored") else "model"
    print(f"  {scope} estimates {verdict} {RELATIVE_TOLERANCE:.0%} of the analytic values")
    return status


def _print_abm_estimates(summary: dict) -> None:
    """The agent-based break and sustain points from both gaps, and whether they are scored."""
    scored = "scored" if summary["abm_scored"] else "reported, not scored"
    print(f"  agent-based tomahawk (lambda frozen), earnings gap ({scored}):")
    for name in ("break", "sustain"):
        print(f"  {name:8s} agent-based T = {summary[f'abm_{name}']:.4f}   "
              f"relative error {summary[f'abm_{name}_error']:.2e}")
    print("  agent-based tomahawk, income gap (reported, not scored):")
    for name in ("break", "sustain"):
        print(f"  {name:8s} agent-based T = {summary[f'abm_income_{name}']:.4f}   "
              f"relative error {summary[f'abm_income_{name}_error']:.2e}")


def _add_facts(checks) -> None:
    from .facts import SEEDS
    parser = checks.add_parser(
        "facts", help="stylised facts over several seeds (MODEL_SPEC section 7)",
        description=f"Measure each stylised fact of ydabm.validation.facts over seeds {SEEDS} and say whether it "
                    "holds; exit 1 if any fails.")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON list")
    parser.set_defaults(handler=_facts)


def _facts(args) -> int:
    from .facts import FACTS, evaluate
    results = []
    for fact in FACTS:
        result = evaluate(fact)
        results.append(result)
        if not args.json:
            print(f"{'yes' if result['holds'] else 'NO ':3s}  {result['fact']}\n     {result['measure']}: "
                  f"{result['value']:+.4g} (tolerance {result['tolerance']:g}, "
                  f"{result['seeds_agreeing']}/{result['seeds']} seeds agree)", flush=True)
    if args.json:
        print(json.dumps(results))
    return 0 if all(r["holds"] for r in results) else 1


def _add_racetrack(checks) -> None:
    from . import racetrack as rt
    parser = checks.add_parser(
        "racetrack", help="12 cities on a circle break into a few evenly spaced agglomerations (Krugman 1993)",
        description="Solve the short-run equilibrium on the model's 12-city racetrack with the model's goods-market "
                    "functions (free entry, markup pricing), predict the number of agglomerations from the fastest-"
                    "growing Fourier mode of the uniform distribution, and run Krugman's replicator migration from a "
                    "seeded near-uniform start for each seed; exit 1 unless every seed ends with "
                    f"{rt.FEW[0]}-{rt.FEW[1]} agglomerations, as many as predicted, every gap within "
                    f"{rt.SPACING_TOLERANCE:g} city of even spacing. Also draws, unless --no-abm, agent-based runs "
                    "of the racetrack scenario (shown, not scored).")
    parser.add_argument("--sigma", type=float, default=rt.SIGMA, help=f"elasticity of substitution sigma > 1 (default {rt.SIGMA:g})")
    parser.add_argument("--mu", type=float, default=rt.MU, help=f"manufacturing expenditure share mu (default {rt.MU:g})")
    parser.add_argument("--trade-cost", type=float, default=rt.TRADE_COST,
                        help=f"iceberg factor T between neighbouring cities (default {rt.TRADE_COST:g})")
    parser.add_argument("--seeds", type=int, default=rt.SEEDS, help=f"number of replicate seeds (default {rt.SEEDS})")
    parser.add_argument("--seed", type=int, default=rt.ROOT_SEED, help=f"root seed of the replicates (default {rt.ROOT_SEED})")
    parser.add_argument("--noise", type=float, default=rt.INITIAL_NOISE,
                        help=f"log sd of the perturbation of the uniform start (default {rt.INITIAL_NOISE:g})")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--out", type=Path, default=rt.OUT, help=f"output folder (default {rt.OUT})")
    parser.add_argument("--no-abm", action="store_true", help="skip the agent-based runs (figure without that row)")
    parser.add_argument("--quarters", type=int, default=rt.ABM_QUARTERS,
                        help=f"quarters of each agent-based run (default {rt.ABM_QUARTERS})")
    parser.set_defaults(handler=_racetrack)


def _racetrack(args) -> int:
    from ..params import ParameterError
    from .racetrack import check_racetrack, write_check
    for name, value, low, high in (("--seeds", args.seeds, 1, 100), ("--quarters", args.quarters, 1, 10_000)):
        if not low <= value <= high:
            raise ParameterError(f"{name}: {value} is out of range; allowed [{low}, {high}]")
    if not args.trade_cost >= 1.0 or not 0.0 <= args.noise <= 1.0:
        raise ParameterError("racetrack: need --trade-cost >= 1 and 0 <= --noise <= 1")
    check = check_racetrack(args.sigma, args.mu, args.trade_cost, args.seeds, args.noise, abm=not args.no_abm,
                            quarters=args.quarters, root=args.seed)
    write_check(check, args.out)
    summary = check.summary()
    if args.json:
        print(json.dumps(summary))
        return 0 if check.passed else 1
    print(f"ydabm validate racetrack: sigma {args.sigma:g}, mu {args.mu:g}, T {args.trade_cost:g} per neighbour, "
          f"{check.seconds['market']:.1f} s (+ {check.seconds['abm']:.1f} s agent-based runs) -> {args.out}")
    print(f"  predicted frequency k = {summary['predicted_frequency']} (growth rates by k: {summary['growth_rates']})")
    for row in check.seeds.itertuples():
        print(f"  seed {row.seed:>10d}  agglomerations {row.agglomerations}  gaps {row.gaps}  "
              f"{'even' if row.evenly_spaced else 'NOT even'}")
    for row in check.abm_seeds.itertuples():
        print(f"  ABM seed {row.seed:>6d}  agglomerations {row.agglomerations}  gaps {row.gaps}  (shown, not scored)")
    print(f"  racetrack criteria {'hold' if check.passed else 'do NOT hold'}")
    return 0 if check.passed else 1


CHECKS = (_add_calibration, _add_core_periphery, _add_facts, _add_racetrack)
