"""How many seeds the stylised facts need: a power analysis on a pilot (docs/validation.md, "How many
seeds the facts need").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/facts_power.py [--workers 2] [--json]

The rule, fixed before the pilot was run (``ydabm.validation.facts``: ``PILOT_SEEDS``, ``POWER``,
``MAX_SEEDS``; ``pilot_power``, ``protocol_seeds``):

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

from ydabm.validation import facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="local processes (default every core)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    results = facts.evaluate_all(facts.FACTS, seeds=facts.PILOT_SEEDS, workers=args.workers)
    rows = [{**facts.pilot_power(fact, result), "pilot_z": round(result["z"], 2),
             "pilot_monotone": result.get("monotone"), "pilot_holds": result["holds"]}
            for fact, result in zip(facts.FACTS, results)]
    summary = {"pilot_seeds": list(facts.PILOT_SEEDS), "target_power": facts.POWER, "max_seeds": facts.MAX_SEEDS,
               "seeds": facts.protocol_seeds(rows), "protocol_seeds_now": len(facts.SEEDS),
               "underpowered": [r["fact"] for r in rows if r["kind"] != "every seed" and r["needs"] is None],
               "facts": rows, "wall_time_s": round(time.perf_counter() - start, 1)}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"pilot seeds {facts.PILOT_SEEDS[0]}-{facts.PILOT_SEEDS[-1]}, power {facts.POWER} at "
          f"{facts.MIN_SE:g} standard errors, at most {facts.MAX_SEEDS} seeds\n")
    print(f"{'fact':<72} {'effect size':>15} {'power 5/10/20':>16} {'needs':>6}")
    for r in rows:
        size = ", ".join(f"{d:g}" for d in r["effect_size"]) if "effect_size" in r else f"p={r['pass_one_seed']}"
        power = "/".join(f"{r['power'][n]:.2f}" for n in (5, 10, 20))
        print(f"{r['fact'][:72]:<72} {size:>15} {power:>16} {str(r['needs']):>6}")
    print(f"\nthe rule's seed count: {summary['seeds']} (the protocol's: {len(facts.SEEDS)}); underpowered at "
          f"{facts.MAX_SEEDS} seeds: {', '.join(summary['underpowered']) or 'none'} ({summary['wall_time_s']} s)")


if __name__ == "__main__":
    main()
