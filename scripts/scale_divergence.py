"""Why the baseline does not converge below 500 people per agent: the innovation draw's granularity.

A firm agent is a cohort of k x mass identical enterprises, k = people_per_agent x workers_per_firm /
17.6 (2,670 at 2000 people per agent, 1,335 at the default 1000, 1.34 at one agent per person). Its innovations are
Poisson(k mass lambda) and its log productivity rises by gamma x innovations / (k mass), the mean gain of
its enterprises: the expected gain does not depend on k, its variance (gamma^2 lambda / (k mass)) does.
This script runs the baseline with the innovation draw replaced, to see whether that variance is what
moves the metrics with the scale:

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/scale_divergence.py --ppa 2000 20 \
        --draws poisson mean k=1.34 [--seeds 1 2 3 4 5] [--quarters 40] [--json]

``--draws``:
- ``poisson``: the model as it is.
- ``mean``: no draw; every cohort gains the region's expected rate (:func:`ydabm.mechanisms.technology.innovation_growth`).
- ``k=K``: each cohort's gain is drawn as if it stood for K x mass enterprises,
  gamma x Poisson(K mass lambda) / (K mass), whatever the scale (its patents are that draw's count
  times k / K, the same expectation). ``k=1.34`` gives a coarse run the draw of one agent per person.

These are diagnostics, not model options: the subclass below lives in this script only. Per run: real
GDP after Q quarters over quarter 0, the largest unemployment move from quarter 0 (pp), the firm mass
after Q quarters over quarter 0, the zombie share over the last eight quarters, the Theil index,
manufacturing similarity and capacity utilisation in the last quarter, and the mass-weighted standard
deviation of log productivity within city-sectors at the end (the dispersion the draw creates).
Means and standard errors over seeds.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ydabm import YRDModel
from ydabm.allocator import keep_freed_memory
from ydabm.mechanisms import technology


class DrawModel(YRDModel):
    """The model with the innovation draw replaced (``draw``: "poisson", "mean" or a float K)."""

    def __init__(self, *args, draw="poisson", **kwargs):
        self.draw = draw
        super().__init__(*args, **kwargs)

    def innovate(self) -> technology.Innovation:
        if self.draw == "poisson" or self.innovation_step == 0:
            return super().innovate()
        f = self.firms
        share, rate = self.rd_by_cell()
        share = np.where(f.alive, np.take(share, f.cell), 0.0)
        enterprises = self.enterprises * f.mass
        expected = enterprises * np.where(f.alive, np.take(rate, f.cell), 0.0)
        elasticity = np.take(self.sectors.elasticity, f.sector)
        if self.draw == "mean":
            arrivals = expected
            gain = technology.innovation_growth(np.where(f.alive, np.take(rate, f.cell), 0.0), self.innovation_step,
                                                elasticity)
        else:
            scale = float(self.draw) / self.enterprises        # K / k
            drawn = self.rng.poisson(expected * scale).astype(float)
            arrivals = drawn / scale
            gain = technology.innovation_gain(drawn, np.maximum(float(self.draw) * f.mass, 1e-300),
                                              self.innovation_step, elasticity)
        return technology.Innovation(share, arrivals, gain)


def within_cell_dispersion(model: YRDModel) -> float:
    """Mass-weighted sd of log productivity around each city-sector's mass-weighted mean (live firms)."""
    f = model.firms
    live = np.flatnonzero(f.alive)
    cell, mass, logz = f.cell[live], f.mass[live], np.log(f.productivity[live])
    size = int(cell.max()) + 1
    total = np.bincount(cell, mass, minlength=size)
    mean = np.bincount(cell, mass * logz, minlength=size) / np.where(total > 0, total, 1.0)
    return float(np.sqrt(np.sum(mass * (logz - mean[cell]) ** 2) / mass.sum()))


def one_run(ppa: float, draw, seed: int, quarters: int) -> dict:
    start = time.perf_counter()
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    model = DrawModel(rng=seed, people_per_agent=ppa, draw=draw)
    dispersion0 = within_cell_dispersion(model)
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    first, last = frame.iloc[0], frame.iloc[-1]
    return {
        "ppa": ppa, "draw": str(draw), "seed": seed, "enterprises_per_agent": float(model.enterprises),
        "real_gdp_change": float(last["real_gdp"] / first["real_gdp"] - 1),
        "unemployment_max_pp": float(100 * (frame["unemployment_rate"] - first["unemployment_rate"]).abs().max()),
        "firms_change": float(last["firms"] / first["firms"] - 1),
        "zombie_share": float(frame["zombie_share"].iloc[-8:].mean()),
        "theil_index": float(last["theil_index"]),
        "similarity_manufacturing": float(last["similarity_manufacturing"]),
        "capacity_utilization": float(last["capacity_utilization"]),
        "cpi": float(last["cpi"]),
        "dispersion_t0": dispersion0, "dispersion_end": within_cell_dispersion(model),
        "firm_agents_end": int(model.firms.alive.sum()),
        "seconds": time.perf_counter() - start,
    }


METRICS = ("real_gdp_change", "unemployment_max_pp", "firms_change", "zombie_share", "theil_index",
           "similarity_manufacturing", "capacity_utilization", "cpi", "dispersion_end")


def summary(runs: list[dict]) -> list[dict]:
    rows = []
    for key in dict.fromkeys((r["ppa"], r["draw"]) for r in runs):
        group = [r for r in runs if (r["ppa"], r["draw"]) == key]
        row = {"ppa": key[0], "draw": key[1], "seeds": len(group)}
        for m in METRICS:
            values = np.array([r[m] for r in group])
            row[m] = float(values.mean())
            row[m + "_se"] = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else float("nan")
        rows.append(row)
    return rows


def parse_draw(text: str):
    if text in ("poisson", "mean"):
        return text
    if text.startswith("k="):
        return float(text[2:])
    raise SystemExit(f"--draws: {text!r} is not poisson, mean or k=K")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ppa", type=float, nargs="+", default=[2000.0, 20.0])
    parser.add_argument("--draws", nargs="+", default=["poisson", "mean"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [one_run(ppa, parse_draw(d), seed, args.quarters)
            for ppa in args.ppa for d in args.draws for seed in args.seeds]
    rows = summary(runs)
    if args.json:
        print(json.dumps({"runs": runs, "summary": rows}, indent=1))
        return
    for row in rows:
        print(f"ppa {row['ppa']:g} draw {row['draw']} ({row['seeds']} seeds): "
              + ", ".join(f"{m} {row[m]:.4g} ± {row[m + '_se']:.2g}" for m in METRICS))


if __name__ == "__main__":
    main()
