"""Is a lever's U-shaped effect on the zombie share the lever's, or the change's? (docs/validation.md,
"Zombies", "The U around the set-up's barrier").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombie_transition.py [--lever barrier|specialization]
        [--seeds 1 2 3 4 5] [--workers 2] [--quarters 80] [--switch-year 2030]

Every run starts from the same 2020 economy, built at the lever's default (0.5 for both). Two designs,
at the lever values 0, 0.25, 0.5, 0.75 and 1, default scale:

- ``from2020``: the lever acts from the start (``YRDModel(barrier=b)``: the levers' usual
  counterfactual path; specialization from the first yearly allocation, 2021 Q1);
- ``later``: the run keeps the default for ten years and then moves to b within a year
  (``BarrierPath`` or ``SpecializationPath`` from ``--switch-year`` to the next; governments choose
  their targets at year starts, so specialization's new value acts from the next year's allocation),
  when the set-up's zombies are gone.

Printed: the zombie share (% of the firm mass) over quarters 33-40, 49-60, 61-72 and 73-80, and each value's
matched difference from 0.5 in a window, with its standard error over seeds. A change in either
direction that raises the share is the change's (reallocation: losers kept alive); what differs between
raising and lowering the barrier by the same step is the barrier's own: for steps of +-d, the
symmetric part (e(+d) + e(-d)) / 2 and the directional part (e(+d) - e(-d)) / 2.
"""

from __future__ import annotations

import argparse
from multiprocessing import Pool

import numpy as np

VALUES = (0.0, 0.25, 0.5, 0.75, 1.0)
WINDOWS = ((33, 40), (49, 60), (61, 72), (73, 80))


def run(job: tuple) -> tuple:
    from ydabm import YRDModel
    from ydabm.policies import BarrierPath, SpecializationPath
    lever, value, seed, design, quarters, switch = job
    if design == "later":
        path = {"barrier": BarrierPath, "specialization": SpecializationPath}[lever]
        model = YRDModel(rng=seed, policies=(path(start_year=switch, end_year=switch + 1, target=value),))
    else:
        model = YRDModel(rng=seed, **{lever: value})
    for _ in range(quarters):
        model.step()
    share = model.datacollector.get_model_vars_dataframe()["zombie_share"].to_numpy()
    return value, seed, design, [float(share[lo:hi + 1].mean()) for lo, hi in WINDOWS if hi < share.size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lever", choices=("barrier", "specialization"), default="barrier")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quarters", type=int, default=80)
    parser.add_argument("--switch-year", type=int, default=2030)
    args = parser.parse_args()
    jobs = [(args.lever, v, s, d, args.quarters, args.switch_year) for d in ("from2020", "later") for v in VALUES for s in args.seeds]
    with Pool(args.workers) as pool:
        out = pool.map(run, jobs)
    table = {(v, s, d): np.array(r) * 100 for v, s, d, r in out}
    print(f"lever: {args.lever}")
    names = [f"q{lo}-{hi}" for lo, hi in WINDOWS if hi <= args.quarters]
    for design in ("from2020", "later"):
        print(f"{design}: zombie share, % of the firm mass, mean over seeds ({' | '.join(names)}); "
              "matched difference from 0.5 (pp, se over seeds)")
        diffs = {}
        for v in VALUES:
            rows = np.array([table[(v, s, design)] for s in args.seeds])
            d = np.array([table[(v, s, design)] - table[(0.5, s, design)] for s in args.seeds])
            diffs[v] = d
            se = d.std(axis=0, ddof=1) / np.sqrt(len(args.seeds))
            print(f"  {v:4.2f}: " + " | ".join(f"{x:.3f}" for x in rows.mean(axis=0)) + "   difference "
                  + " | ".join(f"{m:+.3f} ({e:.3f})" for m, e in zip(d.mean(axis=0), se)))
        for step in (0.25, 0.5):
            up, down = diffs[0.5 + step], diffs[0.5 - step]
            sym, direc = (up + down) / 2, (up - down) / 2
            n = np.sqrt(len(args.seeds))
            print(f"  steps of +-{step:g}: symmetric " + " | ".join(
                f"{m:+.3f} ({e:.3f})" for m, e in zip(sym.mean(axis=0), sym.std(axis=0, ddof=1) / n))
                  + "; directional " + " | ".join(
                f"{m:+.3f} ({e:.3f})" for m, e in zip(direc.mean(axis=0), direc.std(axis=0, ddof=1) / n)))


if __name__ == "__main__":
    main()
