"""Do the finest scales' zombies come from cohorts worn down as a mass flow?

A diagnostic (no model option changes). The model's exit hazard is a mass flow: every quarter every
cohort loses the share ``exit_rate`` of its enterprises (``YRDModel.shrink_firms``), so a firm agent of
k = 1.34 enterprises (one agent per person) is worn down to fractions of an enterprise staffed by a
few whole people, where most of the finest scales' zombie mass sits (docs/validation.md, "Zombies",
"What sets the share"). Real enterprises leave whole. The variant ``whole`` draws each cohort's
leavers as whole enterprises instead: of its n = max(1, round(mass x k)) enterprises,
Binomial(n, exit_rate) leave (the same expected flow, exit_rate of the mass; a cohort whose every
enterprise leaves closes, its workers unemployed). At the default scale (k = 2,670) that is the mass
flow to within a quarter of a percent of a cohort; at one agent per person a cohort leaves whole with
probability exit_rate a quarter and is never worn.

Runs the no-shock baseline for ``--quarters`` at each scale, variant and seed and prints per scale and
variant: the zombie share (mean of the last 8 quarters, % of the live firm mass), the share of the
zombie mass in cohorts worn below half their peak, real GDP growth over the run, the largest move of
unemployment from 2020 Q1 and the firm mass's change; mean +- standard error over seeds. Both
variants draw the same set-up (the variant's draws come after it, so its runs differ in every draw
after the first quarter's exits).

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/whole_exits.py \
        [--scales 2000 100 20 5] [--variants flow whole] [--seeds 1 2 3] [--quarters 40] [--workers 2] [--json OUT]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from ydabm.allocator import keep_freed_memory
from ydabm.experiments.effects import mean
from ydabm.experiments.executors import map_records
from ydabm.mechanisms.entry import enterprises_per_firm
from ydabm.model import YRDModel

WINDOW = 8


class WholeExits(YRDModel):
    """The model with the hazard's leavers drawn as whole enterprises of each cohort."""

    _whole: np.ndarray | None = None

    def shrink_firms(self, exit_rate: float, mass: np.ndarray | None = None) -> None:
        f = self.firms
        k = enterprises_per_firm(self.params.people_per_agent, self.params.workers_per_firm)
        count = np.where(f.alive, np.maximum(1, np.rint(f.mass * k)), 0).astype(np.int64)
        share = np.where(count > 0, self.rng.binomial(count, exit_rate) / np.maximum(count, 1), 0.0)
        self.stranded = float((share * self.capital_value()).sum())
        self.stranded_debt = float((share * np.where(f.alive, f.debt, 0.0)).sum())
        self.shrunk = f.by_cell(share * f.mass, self.geography.count)
        f.shrink(1.0 - share)
        self._whole = f.alive & (share >= 1.0)

    def close_firms(self, leaving: np.ndarray) -> None:
        if self._whole is not None:
            leaving = leaving | self._whole
            self._whole = None
        super().close_firms(leaving)


def run(task: tuple[float, str, int, int]) -> dict:
    people_per_agent, variant, seed, quarters = task
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    cls = WholeExits if variant == "whole" else YRDModel
    model = cls(rng=seed, people_per_agent=people_per_agent)
    mass0 = float(model.firms.mass[model.firms.alive].sum())
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    rate = frame["unemployment_rate"]
    f = model.firms
    live = f.alive
    mass = f.mass[live]
    zombie = f.zombie[live].astype(bool)
    worn = mass < 0.5 * f.peak[live]
    return {"people_per_agent": people_per_agent, "variant": variant, "seed": seed,
            "zombie_share": float(frame["zombie_share"].iloc[-WINDOW:].mean()),
            "worn_zombie": float(mass[worn & zombie].sum() / max(mass[zombie].sum(), 1e-300)),
            "worn_mass": float(mass[worn].sum() / mass.sum()),
            "real_gdp_growth": float(frame["real_gdp"].iloc[-1] / frame["real_gdp"].iloc[0] - 1.0),
            "unemployment_move": float((rate - rate.iloc[0]).abs().max()),
            "mass_change": float(mass.sum() / mass0 - 1.0),
            "firm_agents_end": int(live.sum())}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[2000, 100, 20, 5])
    parser.add_argument("--variants", nargs="+", choices=["flow", "whole"], default=["flow", "whole"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write every run's record here")
    args = parser.parse_args(argv)
    # the largest scales first, so the pool's two processes do not both hold one at the end
    tasks = [(ppa, variant, seed, args.quarters) for ppa in sorted(args.scales)
             for variant in args.variants for seed in args.seeds]
    records = map_records(run, tasks, args.workers, args.json)
    print("people/agent  variant  zombie share %  zombie mass worn %  real GDP growth %  "
          "largest unemployment move pp  firm mass change %  firm agents at the end")
    for ppa in sorted(args.scales, reverse=True):
        for variant in args.variants:
            runs = pd.DataFrame([r for r in records if (r["people_per_agent"], r["variant"]) == (ppa, variant)])
            cells = [mean(100 * runs[name]) for name in ("zombie_share", "worn_zombie", "real_gdp_growth",
                                                          "unemployment_move", "mass_change")]
            print(f"{ppa:12g}  {variant:7s}  " + "  ".join(f"{c.value:7.2f} +- {c.se:.2f}" for c in cells)
                  + f"  {runs['firm_agents_end'].mean():9.0f}")


if __name__ == "__main__":
    main()
