"""The vertical-linkage table of docs/validation.md ("Vertical linkages as an agglomeration force").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/vertical_table.py [--seeds 1 2 3 4 5]
        [--core-share 0.6] [--trade-cost 1.7] [--racetrack]

For linkages off and on, runs ``vertical.two_city`` over ``--seeds`` in the short run (firm counts
held, the theory's closure) and with firms turning over at the scenario's rates, and prints the
core's log real-income gap (mean over seeds and its standard error), its parts (wage, employment
rate, CPI), its share of manufacturing sales, and the theory's gap (``vertical.short_run_equilibrium``:
Venables 1996 with labour immobile, Krugman 1991 without linkages). With ``--racetrack`` also the
racetrack's concentration of manufacturing sales, start and end. Nothing is changed in the model.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ydabm.validation import vertical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--core-share", type=float, default=0.6)
    parser.add_argument("--trade-cost", type=float, default=1.7)
    parser.add_argument("--racetrack", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    keys = ("income_gap", "wage_gap", "employment_gap", "cpi_gap", "core_sales_share")
    print("dynamics    linked  " + "  ".join(f"{key:>22}" for key in keys) + "  theory_gap")
    for short_run in (True, False):
        for linked in (0, 1):
            runs = [vertical.two_city(linked, args.core_share, args.trade_cost, seed=seed, short_run=short_run)
                    for seed in args.seeds]
            cells = []
            for key in keys:
                values = np.array([run[key] for run in runs])
                error = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else float("nan")
                cells.append(f"{values.mean():>12.4f} ± {error:<7.4f}")
            name = "short run" if short_run else "turnover"
            print(f"{name:<11} {linked:>6}  " + "  ".join(cells) + f"  {runs[0]['theory_gap']:>10.4f}")
    if args.racetrack:
        for linked in (0, 1):
            for seed in args.seeds:
                result = vertical.racetrack(linked, seed=seed)
                print(f"racetrack linked {linked} seed {seed}: {result['concentration_start']:.4f} -> "
                      f"{result['concentration_end']:.4f}")
    print(f"seeds {args.seeds}, {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
