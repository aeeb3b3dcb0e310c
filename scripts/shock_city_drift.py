"""How far the cities of a run stand from the 2020 data at t = 0, how far apart two seeds put them, and
how far they move from their own t = 0 (docs/validation.md, "Why the burnt-in shock economy misses
2020's cities").

A diagnostic. For each seed it builds the model (with ``--shocks``: the burnt-in shock economy of
``tests/test_burn_in.py``'s thirty-year protocol with `demand_dispersion` refitted, the settings
``SHOCKS``), runs ``--quarters`` quarters and reads each city's population and GDP (the city reports'
``population`` and ``gdp``, as ``ydabm validate calibration`` compares them with the data) at t = 0
and at the end. It prints, in percent:

* ``*_vs_data``: each seed's mean absolute percentage error (MAPE) against the 2020 data, and that of
  the mean over the seeds (``*_mean_vs_data``: what no seed's own noise moves);
* ``*_seed_pairs``: the MAPE of one seed's cities against another's (seeds taken in pairs: the first
  against the second, the third against the fourth), and ``revenue_rms_pairs``, the root mean square
  of the log ratio of the two seeds' city revenue summed over live firms (how far apart the noise
  alone puts two runs);
* ``*_drift``: with ``--quarters`` > 0, each seed's MAPE at the end against its own t = 0.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/shock_city_drift.py [--shocks] [--ppa 1000]
        [--seeds 1 2 3 4] [--quarters 0] [--set NAME=VALUE ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ydabm import YRDModel, burnt_state, calibrated_state
from ydabm.params import parse_assignment
from ydabm.run import city_frame
from ydabm.validation.calibration_check import mean_absolute_percentage_error as mape

#: the burnt-in shock economy (tests/test_burn_in.py, thirty years with cohorts of 5 %; demand
#: dispersion refitted to NBS utilisation there, docs/validation.md "Persistent productivity shocks")
SHOCKS = {"productivity_persistence": 0.8, "failing_exit_share": 0.25, "credit_spells": 1,
          "max_cohort_share": 0.05, "demand_dispersion": 0.72, "burn_in": 30}


def cities(model: YRDModel) -> dict[str, np.ndarray]:
    """(C,) population and GDP of the city reports at the model's last step, and revenue summed over
    its live firms."""
    frame = city_frame(model)
    rows = frame[frame["step"] == frame["step"].max()].set_index("city").loc[model.geography.names]
    f = model.firms
    return {"population": rows["population"].to_numpy(dtype=float), "gdp": rows["gdp"].to_numpy(dtype=float),
            "revenue": np.bincount(f.city[f.alive], f.revenue[f.alive], minlength=model.geography.count)}


def one_run(seed: int, ppa: float, quarters: int, values: dict) -> dict[str, dict[str, np.ndarray]]:
    """t = 0's and the end's city values of one seed (each run burns in itself: no kept state)."""
    calibrated_state.clear()
    burnt_state.clear()
    model = YRDModel(rng=seed, people_per_agent=ppa, **values)
    start = cities(model)
    for _ in range(quarters):
        model.step()
    return {"t0": start, "end": cities(model) if quarters else start, "geography": model.geography}


def measure(seeds, ppa: float, quarters: int, values: dict) -> dict:
    runs = [one_run(seed, ppa, quarters, values) for seed in seeds]
    geo = runs[0]["geography"]
    data = {"population": geo.population, "gdp": geo.gdp / 1e8}
    out: dict = {"seeds": list(seeds), "people_per_agent": ppa, "quarters": quarters, "values": values}
    pairs = [(runs[i], runs[i + 1]) for i in range(0, len(runs) - 1, 2)]
    for stage in ("t0", "end") if quarters else ("t0",):
        for name, short in (("population", "pop"), ("gdp", "gdp")):
            key = f"{short}_{stage}"
            out[f"{key}_vs_data"] = [round(mape(r[stage][name], data[name]), 2) for r in runs]
            out[f"{key}_mean_vs_data"] = round(mape(np.mean([r[stage][name] for r in runs], axis=0), data[name]), 2)
            out[f"{key}_seed_pairs"] = [round(mape(a[stage][name], b[stage][name]), 2) for a, b in pairs]
        out[f"revenue_{stage}_rms_pairs"] = [
            round(float(np.sqrt(np.mean(np.log(a[stage]["revenue"] / b[stage]["revenue"]) ** 2))) * 100, 2)
            for a, b in pairs]
    if quarters:
        for name, short in (("population", "pop"), ("gdp", "gdp")):
            out[f"{short}_drift"] = [round(mape(r["end"][name], r["t0"][name]), 2) for r in runs]
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shocks", action="store_true", help="the burnt-in shock economy (SHOCKS)")
    parser.add_argument("--ppa", type=float, default=1000.0, help="people per agent")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--quarters", type=int, default=0, help="quarters run after t = 0")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter (after SHOCKS), e.g. reconsider_rate=0 or burn_in=30")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    values = dict(SHOCKS) if args.shocks else {}
    values.update(parse_assignment(item) for item in args.set)
    began = time.time()
    out = measure(tuple(args.seeds), args.ppa, args.quarters, values)
    out["seconds"] = round(time.time() - began, 1)
    if args.json:
        print(json.dumps(out))
        return
    for key, value in out.items():
        print(f"{key:28s} {value}")


if __name__ == "__main__":
    main()
