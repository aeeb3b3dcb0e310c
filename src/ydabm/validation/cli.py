"""The ``ydabm validate`` command group: one sub-command per validation check.

A new check adds a function ``_add_<check>(checks)`` that creates its parser under ``checks`` and
sets its ``handler``, and lists it in :data:`CHECKS`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..params import parse_assignment, seed_argument


def _assignments(items: list[str]) -> dict:
    """``--set KEY=VALUE`` items as parameters, each validated (:func:`ydabm.params.parse_assignment`:
    a bad name or value fails here, before any run, naming the field)."""
    return dict(parse_assignment(item) for item in items)


def _print_settings(settings: dict) -> None:
    """Say which ``--set`` values every run of a check has (nothing when there are none)."""
    if settings:
        print("  every run with " + ", ".join(f"{key}={value}" for key, value in settings.items()))


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
                    "the population Zipf exponent, the direction of net migration by city and, reported "
                    "only, whether poorer cities grow faster (beta convergence of real GDP per resident).")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--seed", type=seed_argument, default=SEED, help=f"seed of the run's generator (default {SEED})")
    parser.add_argument("--years", type=int, default=YEARS, help=f"simulated years (default {YEARS})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a model parameter (scale defaults: {scale})")
    parser.set_defaults(handler=_calibration)


def _calibration(args) -> int:
    from .calibration_check import check_calibration, write_check
    overrides = _assignments(args.set)
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
    parser.add_argument("--seed", type=seed_argument, default=SEED, help=f"seed of the agent-based runs (default {SEED})")
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
    print(f"  agent-based tomahawk (lambda frozen), income gap: real wages actually paid ({scored}):")
    for name in ("break", "sustain"):
        print(f"  {name:8s} agent-based T = {summary[f'abm_{name}']:.4f}   "
              f"relative error {summary[f'abm_{name}_error']:.2e}")
    print("  agent-based tomahawk, earnings gap: real value added per worker (reported, not scored):")
    for name in ("break", "sustain"):
        print(f"  {name:8s} agent-based T = {summary[f'abm_earnings_{name}']:.4f}   "
              f"relative error {summary[f'abm_earnings_{name}_error']:.2e}")


def _add_facts(checks) -> None:
    from .facts import OUT, SEEDS
    parser = checks.add_parser(
        "facts", help="stylised facts over several seeds (declared in ydabm.validation.facts; docs/validation.md)",
        description=f"Measure each stylised fact of ydabm.validation.facts over seeds {SEEDS} and say whether it "
                    "holds; exit 1 if any fails.")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON list")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes (default: all cores; 1 runs in this process); facts that share runs "
                             "are measured in one process")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter for every run (the fact's own lever values over it), e.g. "
                             "productivity_persistence=0.8 or burn_in=10")
    parser.set_defaults(handler=_facts)


def _facts(args) -> int:
    import time
    from .facts import FACTS, MIN_SE, evaluate_all, write_check
    settings = _assignments(args.set)
    started = time.perf_counter()
    if not args.json:
        _print_settings(settings)
    results = evaluate_all(FACTS, workers=args.workers, settings=settings)
    for result in ([] if args.json else results):
        if "threshold" in result:
            detail = (f"{result['value']:.4g} (every seed above {result['threshold']:g}: "
                      f"{'yes' if result['holds'] else 'no'})")
        else:
            shape = "" if "monotone" not in result else (
                f", monotone over {len(result['levels'])} levels" if result["monotone"] else
                f", NOT monotone (a step {result['largest_step_against_se']:g} se against)")
            detail = (f"{result['value']:+.4g} ± {result['se']:.2g} ({result['z']:+.1f} se in the expected "
                      f"direction; needs {MIN_SE:g}{shape}; {result['seeds_agreeing']}/{result['seeds']} seeds agree)")
        print(f"{'yes' if result['holds'] else 'NO ':3s}  {result['fact']}\n     {result['measure']}: {detail}")
    write_check(results, args.out, time.perf_counter() - started, FACTS, settings)
    if args.json:
        print(json.dumps(results))
    else:
        print(f"{sum(r['holds'] for r in results)} of {len(results)} facts hold -> {args.out}")
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
    parser.add_argument("--seed", type=seed_argument, default=rt.ROOT_SEED, help=f"root seed of the replicates (default {rt.ROOT_SEED})")
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


def _add_convergence(checks) -> None:
    from . import convergence as cv
    levels = ", ".join(f"{m} {t:g}" + (" relative" if m in cv.RELATIVE else "") for m, t in cv.LEVEL_TOLERANCE.items())
    parser = checks.add_parser(
        "convergence", help="headline levels and lever effects vs people_per_agent (scale convergence)",
        description="Run the baseline and the lever endpoints (" + ", ".join(
            f"{k} {lo:g} vs {hi:g}" for k, (lo, hi) in cv.LEVERS.items()) + ") at each scale with the same "
                    "seeds (matched comparisons), take each headline metric's mean over the last "
                    f"{cv.WINDOW} quarters, and print its level and lever effects per scale (mean and standard "
                    "error over seeds). Exit 1 unless, at the checked scale against the finest one, the levels "
                    f"are within tolerance ({levels}) and every lever effect keeps its sign and is within "
                    f"{cv.EFFECT_TOLERANCE:.0%} of its finest-scale size (effects within {cv.SIGNIFICANCE:g} "
                    "standard errors of 0 at the finest scale are n.s., not scored; an effect shown negligible at "
                    "the finest scale, its one-sided 95 % upper bound below " + ", ".join(
                        f"{m} {100 * d:g} {'%' if m in cv.RELATIVE else 'pp'}" for m, d in cv.NEGLIGIBLE.items())
                    + ", must be shown negligible at the checked scale too).")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--seeds", type=int, default=cv.SEEDS, help=f"number of replicate seeds (default {cv.SEEDS})")
    parser.add_argument("--seed", type=seed_argument, default=cv.ROOT_SEED,
                        help=f"root seed of the replicates (default {cv.ROOT_SEED})")
    parser.add_argument("--steps", type=int, default=cv.STEPS, help=f"quarters of each run (default {cv.STEPS})")
    parser.add_argument("--scales", type=float, nargs="+", default=list(cv.SCALES), metavar="P",
                        help="people per agent, one column each; the finest is the reference (default "
                             + " ".join(f"{s:g}" for s in cv.SCALES) + ")")
    parser.add_argument("--check-scale", type=float, default=None, metavar="P",
                        help=f"scale checked against the finest (default {cv.DEFAULT_SCALE:g} if among --scales, "
                             "else the coarsest)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default: every core; 1 runs in this process)")
    parser.add_argument("--out", type=Path, default=cv.OUT, help=f"output folder (default {cv.OUT})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter for every run other than the scale and the two levers, e.g. "
                             "productivity_persistence=0.8 or burn_in=10")
    parser.set_defaults(handler=_convergence)


def _convergence(args) -> int:
    from ..params import ParameterError
    from .convergence import check_convergence, table, verdict_lines, write_check
    for name, value, low, high in (("--seeds", args.seeds, 2, 100), ("--steps", args.steps, 1, 10_000)):
        if not low <= value <= high:
            raise ParameterError(f"{name}: {value} is out of range; allowed [{low}, {high}]")
    check = check_convergence(args.scales, args.seeds, args.steps, args.seed, args.check_scale, args.workers,
                              fixed=_assignments(args.set))
    write_check(check, args.out)
    status = 0 if check.passed else 1
    if args.json:
        print(json.dumps(check.summary()))
        return status
    p = check.params
    print(f"ydabm validate convergence: {len(p['seeds'])} seeds x {len(p['scales'])} scales x 5 settings, "
          f"mean of the last {p['window']} of {p['steps']} quarters, {check.seconds:.1f} s -> {args.out}")
    _print_settings(p["settings"])
    print(f"  checked scale {p['checked_scale']:g} (*) against the finest {p['reference_scale']:g} (ref); "
          "mean ±se over seeds\n")
    print(table(check) + "\n")
    for line in verdict_lines(check):
        print(f"  {line}")
    summary = check.summary()
    print(f"\n  {summary['n_pass']} pass, {summary['n_fail']} fail ({summary['n_negligible']} effects scored as "
          f"negligible), {summary['n_not_significant']} n.s. (not scored): "
          f"convergence criteria {'hold' if check.passed else 'do NOT hold'}")
    return status


def _add_covid(checks) -> None:
    from . import covid
    china = ", ".join(f"{v:+.1%}" for v in covid.CHINA_2020)
    parser = checks.add_parser(
        "covid", help="the covid_shock scenario vs China's 2020 quarterly real GDP y/y",
        description=f"Run the covid_shock scenario and its no-shock twin (seeds {list(covid.SEEDS)}, default scale) and "
                    f"compare the shocked run's real GDP y/y in the four shock quarters with China's 2020 path "
                    f"({china}); exit 1 unless each is within {covid.TOLERANCE * 100:g} pp of China's and, after the "
                    f"shock, real GDP comes back within {covid.BAND:.0%} of the no-shock path and never runs more "
                    f"than {covid.BAND:.0%} above it. With --calibrate, first fit the shock's shares (the CovidShock "
                    "defaults come from this fit) and check the fitted shock.")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--out", type=Path, default=covid.OUT, help=f"output folder (default {covid.OUT})")
    parser.add_argument("--seeds", type=seed_argument, nargs="+", default=list(covid.SEEDS), metavar="SEED",
                        help="seeds averaged over (default " + " ".join(map(str, covid.SEEDS)) + ")")
    parser.add_argument("--quarters", type=int, default=covid.QUARTERS,
                        help=f"quarters of each run (default {covid.QUARTERS})")
    parser.add_argument("--calibrate", action="store_true",
                        help="fit absent[0..3] and demand_drop[0..3] first (about 40 s) and check the fitted shock")
    parser.add_argument("--trend", type=float, default=covid.CHINA_TREND,
                        help="read China's path as a deviation from this yearly trend (default "
                             f"{covid.CHINA_TREND:g}, China's 2019 growth)")
    parser.add_argument("--own-trend", dest="trend", action="store_const", const=None,
                        help="compare the shocked run's own y/y with China's instead")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a model parameter")
    parser.set_defaults(handler=_covid)


def _covid(args) -> int:
    from ..params import ParameterError
    from .covid import calibrate, measure, write_check
    if not 12 <= args.quarters <= 400:
        raise ParameterError(f"--quarters: {args.quarters} is out of range; allowed [12, 400]")
    if args.trend is not None and not -0.5 < args.trend < 1.0:
        raise ParameterError(f"--trend: {args.trend} is out of range; allowed (-0.5, 1)")
    overrides = _assignments(args.set)
    shock = calibrate(overrides, args.seeds, args.trend, verbose=not args.json) if args.calibrate else None
    check = measure(shock, overrides, args.seeds, args.quarters, args.trend)
    write_check(check, args.out)
    status = 0 if check.passed else 1
    summary = check.summary
    if args.json:
        print(json.dumps(summary))
        return status
    shock = summary["shock"]
    print(f"ydabm validate covid: shock from {shock['start']}, absent {shock['absent']}, demand_drop "
          f"{shock['demand_drop']}, recovery {shock['recovery_quarters']} quarters; seeds {list(args.seeds)}, "
          f"{args.quarters} quarters, {check.seconds:.1f} s -> {args.out}")
    reading = "the shocked run's own y/y" if args.trend is None else f"y/y on a {args.trend:g} trend"
    print(f"  real GDP y/y, model = {reading} (seed mean)")
    print("  quarter   China    model    error   no-shock y/y   deviation from no-shock")
    for k, (china, model, error, base, deviation) in enumerate(zip(
            summary["yoy_china"], summary["yoy_model"], summary["yoy_error"], summary["yoy_no_shock"],
            summary["deviation_shock_quarters"])):
        print(f"  Q{k + 1}       {china:+6.1%}  {model:+6.2%}  {error:+6.2%}   {base:+6.2%}         {deviation:+6.2%}")
    print(f"  year      {summary['yoy_year_china']:+6.1%}  {summary['yoy_year_model']:+6.2%}  (reported, not scored)")
    print(f"  four quarters {'within' if summary['quarters_pass'] else 'NOT within'} {summary['tolerance'] * 100:g} pp "
          "of China's y/y")
    print(f"  after the shock: deviation from the no-shock path {summary['after_min_deviation']:+.2%} to "
          f"{summary['after_max_deviation']:+.2%} (seed mean; single seeds {summary['after_seed_min_deviation']:+.2%} to "
          f"{summary['after_seed_max_deviation']:+.2%}), {summary['after_end_deviation']:+.2%} at the end")
    back = f"back within {summary['band']:.0%} from {summary['recovered_from']}" if summary["recovers"] else \
        f"NOT back within {summary['band']:.0%} by the end"
    above = "never" if summary["never_above"] else "RUNS"
    print(f"  {back}; {above} more than {summary['band']:.0%} above it")
    print(f"  COVID criteria {'hold' if check.passed else 'do NOT hold'}")
    return status


def _add_costs(checks) -> None:
    from . import costs
    parser = checks.add_parser(
        "costs", help="what each lever costs: output, productivity, welfare, fiscal cost, with standard errors",
        description="Run each lever setting, and the seed paper's coordination paths (the scenarios "
                    "coordinated_targets, division_of_labor and division_of_labor_by_advantage), against its counterfactual on matched seeds "
                    f"(default scale, {costs.QUARTERS} quarters, mean of the last {costs.WINDOW}) and report the "
                    "effects on real GDP, labour productivity, aggregate productivity (output-weighted TFP), "
                    "consumption-equivalent welfare (with its channels) and support spent, with standard errors over "
                    "seeds, beside Tan, Huang & Woo (2016) and Barwick, Cao & Li (2021). A measurement: it always "
                    "exits 0 unless the arguments are bad.")
    parser.add_argument("--json", action="store_true", help="print the effects and benchmarks as one JSON object")
    parser.add_argument("--out", type=Path, default=costs.OUT, help=f"output folder (default {costs.OUT})")
    parser.add_argument("--seeds", type=int, default=len(costs.SEEDS), help=f"matched seeds 1..N (default {len(costs.SEEDS)})")
    parser.add_argument("--quarters", type=int, default=costs.QUARTERS, help=f"quarters of each run (default {costs.QUARTERS})")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a scale parameter for every run, e.g. people_per_agent=20000")
    parser.set_defaults(handler=_costs)


def _costs(args) -> int:
    from ..params import ParameterError
    from . import costs
    for name, value, low, high in (("--seeds", args.seeds, 2, 100), ("--quarters", args.quarters, costs.WINDOW, 10_000)):
        if not low <= value <= high:
            raise ParameterError(f"{name}: {value} is out of range; allowed [{low}, {high}]")
    scale = _assignments(args.set)
    check = costs.measure(tuple(range(1, args.seeds + 1)), args.quarters, scale, args.workers)
    costs.write_check(check, args.out)
    if args.json:
        print(json.dumps({"effects": check.effects.to_dict(orient="records"), "benchmarks": check.benchmarks}))
        return 0
    print(f"ydabm validate costs: {args.seeds} matched seeds, {args.quarters} quarters, mean of the last "
          f"{costs.WINDOW}; effect = policy minus counterfactual, mean ± se over seeds; {check.seconds:.0f} s -> {args.out}")
    print(costs.table_text(check))
    return 0


CHECKS = (_add_calibration, _add_convergence, _add_core_periphery, _add_costs, _add_covid, _add_facts, _add_racetrack)
