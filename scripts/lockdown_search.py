"""Lockdowns drawn at random with supply chains: does every run keep every invariant?

A diagnostic for issue 10 item 8 (every value inside a declared bound is one the model handles),
over the two lockdown policies' own fields, which the property test of ``tests/test_properties.py``
draws only as shipped scenarios. Each draw is a ``CovidShock`` or a ``CityLockdown`` (half each) of
one to four quarters starting in 2020 Q2-2021 Q4, with every share (``absent``, ``demand_drop``, each
in [0, 0.99]) and extra freight cost (``freight_delay``, in [0, 10]) uniform within its bounds or, in
a third of the draws, pushed to an end (u^4 or 1 - u^4 of the range, either end at random); a
``CityLockdown`` locks 1-41 cities chosen at random, and the savings are spent over 0-8 quarters.
The share of locked firms' losses their banks lend (``relief``) is the policies' default, or
``--relief`` in every draw (0: owners carry the losses, the engine before 7 Dec 2026); the draws are
those of earlier sessions either way.
Each draw runs ``YRDModel(rng=<its seed>, input_output=1)`` at the default scale for ``--quarters``
quarters and checks ``tests/invariants.py`` after every quarter. The first invariant a run breaks is
reported with its quarter and whether a lockdown was under way (workers absent that quarter) or over.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/lockdown_search.py [--seed 301] [--draws 100]
        [--quarters 32] [--workers 2] [--relief R] [--json OUT]

The draws depend on ``--seed`` alone, so two trees run the same lockdowns (a before/after).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from invariants import Start, assert_invariants  # noqa: E402

from ydabm.errors import Diverged  # noqa: E402
from ydabm.model import YRDModel  # noqa: E402
from ydabm.policies import CityLockdown, CovidShock  # noqa: E402

#: tolerance of the accounting identities (that of the property test)
REL = 1e-9
#: largest share drawn for the shares bounded below 1
SHARE_HIGH = 0.99
#: largest extra freight cost drawn (the field's bound)
FREIGHT_HIGH = 10.0
#: quarters at the end of a run whose mean unemployment is reported (quarters 25-32 of 32)
WINDOW = 8


def _value(rng: np.random.Generator, high: float, skewed: bool) -> float:
    u = rng.random()
    if skewed:
        u = u ** 4 if rng.random() < 0.5 else 1.0 - u ** 4
    return float(u * high)


def draw(rng: np.random.Generator, cities: list[str]) -> dict:
    """One lockdown: the policy's name, its fields and the run's seed."""
    kind = "CovidShock" if rng.random() < 0.5 else "CityLockdown"
    skewed = rng.random() < 1.0 / 3.0
    quarters = int(rng.integers(1, 5))
    start = int(rng.integers(1, 8))                 # 2020 Q2 (1) to 2021 Q4 (7)
    fields = {"start_year": 2020 + start // 4, "start_quarter": start % 4 + 1,
              "absent": [_value(rng, SHARE_HIGH, skewed) for _ in range(quarters)],
              "demand_drop": [_value(rng, SHARE_HIGH, skewed) for _ in range(quarters)],
              "recovery_quarters": int(rng.integers(0, 9))}
    if kind == "CityLockdown":
        count = int(rng.integers(1, len(cities) + 1))
        fields["cities"] = sorted(rng.choice(cities, size=count, replace=False).tolist())
        fields["freight_delay"] = [_value(rng, FREIGHT_HIGH, skewed) for _ in range(quarters)]
    return {"policy": kind, "fields": fields, "seed": int(rng.integers(0, 2 ** 31))}


def run(drawn: dict, quarters: int, relief: float | None = None) -> dict:
    """Run one draw (``relief``: its relief share, None: the default); the first invariant broken
    (None: none), its quarter and whether workers were absent in it; and what the run did: the lowest
    quarterly household income of the region over the quarters run (``lowest_income``, as a share of
    the first quarter's; negative: the households' income turned negative) and the mean unemployment
    rate of the last ``WINDOW`` quarters run (``late_unemployment``; None if the run broke an invariant)."""
    fields = drawn["fields"] if relief is None else {**drawn["fields"], "relief": relief}
    policy = (CovidShock if drawn["policy"] == "CovidShock" else CityLockdown)(**fields)
    model = YRDModel(rng=drawn["seed"], input_output=1, start_year=2020, policies=(policy,))
    start = Start.of(model)
    income = []
    for quarter in range(1, quarters + 1):
        try:
            model.step()
            assert_invariants(model, start, rel=REL)
        except (AssertionError, Diverged, FloatingPointError) as err:
            return {**drawn, "failed": quarter, "during": bool(model.levers.absent.any()),
                    "error": f"{type(err).__name__}: {str(err).splitlines()[0][:300]}",
                    "lowest_income": None, "late_unemployment": None}
        income.append(float(model.flows["income"].sum()))
    rate = model.datacollector.get_model_vars_dataframe()["unemployment_rate"].to_numpy()
    return {**drawn, "failed": None, "during": None, "error": None,
            "lowest_income": min(income) / income[0], "late_unemployment": float(rate[-WINDOW:].mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=301)
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--quarters", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--relief", type=float, help="relief share of every draw (default: the policies')")
    parser.add_argument("--json", type=Path, help="write every draw and its outcome here")
    args = parser.parse_args()
    names = list(YRDModel(rng=0).geography.names)
    rng = np.random.default_rng(args.seed)
    draws = [draw(rng, names) for _ in range(args.draws)]
    began = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, draws, [args.quarters] * len(draws), [args.relief] * len(draws)))
    failed = [r for r in results if r["failed"] is not None]
    during = sum(r["during"] for r in failed)
    print(f"seed {args.seed}: {len(draws)} draws of {args.quarters} quarters in {time.time() - began:.0f} s; "
          f"{len(failed)} broke an invariant: {during} during a lockdown, {len(failed) - during} after it")
    kept = [r for r in results if r["failed"] is None]
    if kept:
        print(f"  households' income negative in some quarter in {sum(r['lowest_income'] < 0 for r in kept)} of "
              f"{len(kept)}; unemployment in the last {WINDOW} quarters: mean "
              f"{100 * np.mean([r['late_unemployment'] for r in kept]):.2f} %")
    for i, r in enumerate(results):
        if r["failed"] is not None:
            when = "during" if r["during"] else "after"
            print(f"  draw {i} ({r['policy']}, quarter {r['failed']}, {when}): {r['error'][:160]}")
            print(f"    {json.dumps(r['fields'])[:300]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
