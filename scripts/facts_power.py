"""How many seeds the stylised facts need: a power analysis on a pilot (docs/validation.md, "How many
seeds the facts need").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/facts_power.py [--workers 2] [--json]

The rule, fixed before the pilot was run (``ydabm.validation.facts``: ``PILOT_SEEDS``, ``POWER``,
``MAX_SEEDS``):

1. Measure every fact of ``FACTS`` with the facts' protocol (scale, quarters, levels) over the pilot
   seeds 101-110, which neither the protocol (seeds 1-5) nor any earlier diagnostic (seeds 1-20) used.
2. A fact judged by a t statistic (directional facts, the rail links) has the pilot effect size
   d = sign x mean / sd of its per-seed effects (high minus low). The prisoner's dilemma has two such
   statistics (the liberaliser's loss, the region's gain); its power is the product of theirs.
3. Its power at n seeds is the chance that mean / (sd / sqrt n) reaches 3 (``MIN_SE``): noncentral t,
   n - 1 degrees of freedom, noncentrality sqrt(n) d (``facts.power``).
4. The protocol takes the fewest seeds n >= 5 at which every fact reaches a power of 0.9, at most 20
   (about four times the cost of five seeds). A fact that would need more than 20, or whose pilot
   effect points the other way, does not set n: it is reported as underpowered at 20 seeds.
5. The migration fact is not a t statistic (every seed's share of cities must exceed 0.8); its
   chance of holding at n seeds is p^n, p the chance one seed passes, from a normal fit to the pilot
   shares. It does not set n (more seeds make it harder); it is reported.

Monotonicity over the five levels is not part of the power (it is judged as before).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.stats import norm

from ydabm.validation import facts


def effect_size(values, sign: int) -> float:
    values = np.asarray(values, dtype=float)
    sd = values.std(ddof=1)
    return float(sign * values.mean() / sd) if sd > 0 else float("inf") * np.sign(sign * values.mean())


def analyse(fact, result: dict, lowest: int) -> dict:
    """One fact's pilot effect size(s), its power at 5 / 10 / 20 seeds and the seeds it needs."""
    if isinstance(fact, facts.MigrationFact):
        shares = np.asarray(result["per_seed"])
        p = float(norm.sf(fact.threshold, shares.mean(), shares.std(ddof=1)))
        return {"fact": fact.name, "kind": "every seed", "pilot": round(float(shares.mean()), 4),
                "pilot_min": round(float(shares.min()), 4), "pass_one_seed": round(p, 4),
                "power": {n: round(p ** n, 3) for n in (5, 10, 20)}, "needs": None}
    if isinstance(fact, facts.DilemmaFact):
        sizes = [effect_size(result["own_per_seed"], -1), effect_size(result["region_per_seed"], +1)]

        def power(n):
            return float(np.prod([facts.power(d, n) for d in sizes]))
        needs = next((n for n in range(lowest, facts.MAX_SEEDS + 1) if power(n) >= facts.POWER), None)
        return {"fact": fact.name, "kind": "two t statistics", "effect_size": [round(d, 3) for d in sizes],
                "power": {n: round(power(n), 3) for n in (5, 10, 20)}, "needs": needs}
    sign = getattr(fact, "sign", +1)
    d = effect_size(result["per_seed"], sign)
    return {"fact": fact.name, "kind": "t statistic", "effect_size": round(d, 3),
            "pilot_z": round(result["z"], 2), "pilot_monotone": result.get("monotone"),
            "power": {n: round(facts.power(d, n), 3) for n in (5, 10, 20)},
            "needs": facts.required_seeds(d, lowest=lowest)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="local processes (default every core)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    results = facts.evaluate_all(facts.FACTS, seeds=facts.PILOT_SEEDS, workers=args.workers)
    lowest = 5
    rows = [analyse(fact, result, lowest) for fact, result in zip(facts.FACTS, results)]
    setting = [r["needs"] for r in rows if r["kind"] != "every seed" and r["needs"] is not None]
    chosen = max([lowest, *setting])
    summary = {"pilot_seeds": list(facts.PILOT_SEEDS), "target_power": facts.POWER, "max_seeds": facts.MAX_SEEDS,
               "seeds": chosen, "underpowered": [r["fact"] for r in rows
                                                  if r["kind"] != "every seed" and r["needs"] is None],
               "facts": rows, "wall_time_s": round(time.perf_counter() - start, 1)}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"pilot seeds {facts.PILOT_SEEDS[0]}-{facts.PILOT_SEEDS[-1]}, power {facts.POWER} at "
          f"{facts.MIN_SE:g} standard errors, at most {facts.MAX_SEEDS} seeds\n")
    print(f"{'fact':<75} {'d':>13} {'power 5/10/20':>19} {'needs':>6}")
    for r in rows:
        size = r.get("effect_size", f"p={r.get('pass_one_seed')}")
        power = "/".join(f"{r['power'][n]:.2f}" for n in (5, 10, 20))
        print(f"{r['fact'][:75]:<75} {str(size):>13} {power:>19} {str(r['needs']):>6}")
    print(f"\nthe protocol's seeds: {chosen}; underpowered at {facts.MAX_SEEDS} seeds: "
          f"{', '.join(summary['underpowered']) or 'none'} ({summary['wall_time_s']} s)")


if __name__ == "__main__":
    main()
