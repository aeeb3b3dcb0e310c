"""The stationary-baseline figures of docs/validation.md ("Engine: stationary baseline").

Runs the protocol of ``tests/test_stationarity.py`` and prints what the page reports:

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/stationarity.py [--seeds 1 2 3 4 5] [--quarters 40]
        [--stationary-seeds 1 2 3] [--json]

Per seed (default parameters and scale, no shock): the largest |change| of unemployment from quarter 0
(pp), exits (a firm mass, in founding cohorts) mean and largest over quarters 1..Q with the quarter of
the largest, the firm mass after Q quarters relative to quarter 0, the largest market residual, the
largest output / feasible output of a live firm, the largest |change| of the four similarity indexes
and the Krugman index, the number of live firm agents (cohorts) at quarter 0 and at the end, and the
wall time of each step (ms). With ``migrant_inflow_rate`` 0 (stationary populations) the largest
|change| of the structure metrics for ``--stationary-seeds``. The all-sector similarity's change after Q
quarters is also given for the non-farm sectors alone and with each city's 2020 farm share (the
channel of the drift before farmers could migrate, ``farmer_mobility`` 0; ``scripts/similarity_drift.py``
has the diagnosis).

``--support`` instead traces support to firms per quarter (mean over ``--seeds``; quarter 0 is the
set-up's 2020 accounts): support over GDP by instrument (entry subsidy, capacity subsidy on
incumbents' investment, on entrants' first capacity, R&D and adoption subsidies, soft credit), firms'
investment over GDP (replacement of the capital they had, expansion, entrants' outlay), the capital
of targeted city-sectors over GDP and their capacity relative to quarter 0, and the 10-year mean of
``subsidy_to_gdp``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ydabm import YRDModel
from ydabm.model import capacity_lag

sys.path.insert(0, str(Path(__file__).resolve().parent))
from similarity_drift import farm_share_held, similarity  # noqa: E402  (the drift's diagnosis, same folder)

STRUCTURE = ("similarity_manufacturing", "similarity_all", "similarity_within_province",
             "similarity_across_provinces", "krugman_index")


def largest_move(frame, metric: str) -> float:
    return float((frame[metric] - frame[metric].iloc[0]).abs().max())


class MergeTracedModel(YRDModel):
    """The model, recording each quarter's merges: the worn-down cohorts' number and mass."""

    def merge_firms(self, sources, destinations):
        self.merged = (int(sources.size), float(self.firms.mass[sources].sum()))
        super().merge_firms(sources, destinations)


def wave(series: np.ndarray) -> float:
    """Largest quarter of ``series`` over its mean (0 if the mean is 0)."""
    mean = float(np.mean(series))
    return float(np.max(series) / mean) if mean > 0 else 0.0


def baseline(seed: int, quarters: int) -> dict:
    model = MergeTracedModel(rng=seed)
    before = model.employment_by_sector().astype(float)
    agents = [int(model.firms.count)]
    merged, merged_mass = [], []
    feasible, step_ms = [], []
    for _ in range(quarters):
        start = time.perf_counter()
        model.step()
        step_ms.append((time.perf_counter() - start) * 1e3)
        live = np.flatnonzero(model.firms.alive)
        most = model.production_room(live)
        feasible.append(float(np.max(model.firms.output[live] / np.where(most > 0, most, np.inf))))
        agents.append(int(model.firms.count))
        merged.append(model.merged[0])
        merged_mass.append(model.merged[1])
    frame = model.datacollector.get_model_vars_dataframe()
    after, farm = model.employment_by_sector().astype(float), model.sectors.agriculture
    exits = frame["exits"].iloc[1:]
    entries = frame["entries"].iloc[1:]
    rate = frame["unemployment_rate"]
    return {
        "seed": seed,
        "unemployment_max_pp": 100 * largest_move(frame, "unemployment_rate"),
        "unemployment_t0": float(rate.iloc[0]), "unemployment_min": float(rate.min()),
        "unemployment_max": float(rate.max()), "unemployment_last8": float(rate.iloc[-8:].mean()),
        "exits_mean": float(exits.mean()), "exits_max": float(exits.max()),
        "exits_max_quarter": int(np.argmax(exits.to_numpy())) + 1,
        "exits_min": float(exits.min()),
        "exits_over_mass": float(exits.mean() / frame["firms"].iloc[1:].mean()),
        "entries_mean": float(entries.mean()),
        "firms_t0": float(frame["firms"].iloc[0]), "firms_end": float(frame["firms"].iloc[-1]),
        "firms_change": float(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1),
        "firms_max_change": float((frame["firms"] / frame["firms"].iloc[0] - 1).abs().max()),
        "market_residual_max": float(frame["market_residual"].max()),
        "output_over_feasible_max": max(feasible),
        "capacity_utilization": [float(frame["capacity_utilization"].iloc[i]) for i in (0, 8, len(frame) - 1)],
        "zombie_share_max": float(frame["zombie_share"].max()),
        "local_debt_max": float(frame["local_debt_to_gdp"].max()),
        "structure_t0": {m: float(frame[m].iloc[0]) for m in STRUCTURE},
        "structure_max": {m: largest_move(frame, m) for m in STRUCTURE},
        "similarity_all_change": similarity(after) - similarity(before),
        "similarity_nonfarm_change": similarity(after[:, ~farm]) - similarity(before[:, ~farm]),
        "similarity_all_farm_share_held": similarity(farm_share_held(before, after, farm)) - similarity(before),
        "agents_t0": agents[0], "agents_end": agents[-1], "agents_year": agents[::4],
        "agents_min": min(agents), "agents_max": max(agents),
        "agents_drop_max": int(-np.diff(agents).min()), "agents_drop_quarter": int(np.argmin(np.diff(agents))) + 1,
        "merged_mass_wave": wave(np.array(merged_mass)), "merged_mass_max_quarter": int(np.argmax(merged_mass)) + 1,
        "merged_mass_mean": float(np.mean(merged_mass)), "merged_wave": wave(np.array(merged)),
        "exits_wave": wave(exits.to_numpy()),
        "unemployment_path": [float(v) for v in rate], "agents": agents, "merged_mass": merged_mass,
        "zombie_share": {w: float(frame["zombie_share"].iloc[a:b].mean()) for w, a, b in zombie_windows(quarters)},
        "step_ms": step_ms,
    }


def zombie_windows(quarters: int) -> list[tuple[str, int, int]]:
    """The zombie share's windows: t = 0 and the last eight quarters of each ten years run
    (rows a..b - 1 of the collected frame; row 0 is t = 0)."""
    return [("t0", 0, 1)] + [(f"q{q - 7}-{q}", q - 7, q + 1) for q in range(40, quarters + 1, 40)]


class TracedModel(YRDModel):
    """The model, recording the arguments of each quarter's accounts (set-up's included)."""

    def settle_accounts(self, investment, capacity_support, saving_rate, dissaving_share, allowance=None):
        books = super().settle_accounts(investment, capacity_support, saving_rate, dissaving_share, allowance)
        self.traced = (investment, capacity_support, books)
        return books


SUPPORT = ("entry", "capacity", "entrant_capacity", "rd", "adoption", "soft_credit", "total")
INVESTMENT = ("replacement", "expansion", "entrants")


def support_row(model: TracedModel, capital_before: np.ndarray | None) -> dict:
    """Support and investment by kind over GDP this quarter (``capital_before``: the (F,) replacement
    value of last quarter's capacity at this quarter's prices; None at set-up)."""
    p, f, lev = model.params, model.firms, model.levers
    investment, claims, books = model.traced
    alive = f.alive
    gdp = model.flows["value_added"].sum()
    targeted = model.targeted_firms()
    rd = f.rd_share * model.firm_value_added()
    setup = capital_before is None
    if setup:
        # the set-up's steady-state entrants of the quarter: exit_rate of the mass at the goal capacity
        growth = np.expm1(p.tfp_growth_scale * np.log1p(model.sectors.tfp_growth) / 4.0)
        lag = capacity_lag(growth, p.investment_speed, p.exit_rate, p.depreciation)
        entrant = p.exit_rate * model.capital_value() / np.take(lag, f.sector)
    else:
        entrant = model.entrant_outlay
    adoption = np.zeros(f.size) if setup else model.adoption_outlay
    own = investment - entrant - rd - adoption          # incumbents' investment in capacity
    entry = p.entry_subsidy * targeted * f.entrant_share() * f.revenue
    pieces = {"entrant_capacity": p.capacity_subsidy * targeted * entrant,
              "rd": (lev.rd_subsidy + np.take(model.rd_fund_rate, f.city)) * rd,
              "adoption": lev.adoption_subsidy * adoption}
    pieces["capacity"] = claims - sum(pieces.values())
    pieces["entry"] = entry
    claimed = sum(pieces.values())
    # support is rationed pro rata by city when claims exceed the allowance
    paid = books.subsidy - books.soft_credit
    share = paid[alive].sum() / claimed[alive].sum() if claimed[alive].sum() > 0 else 1.0
    row = {k: share * float(v[alive].sum()) / gdp for k, v in pieces.items()}
    row["soft_credit"] = float(books.soft_credit.sum()) / gdp
    row["total"] = float(books.subsidy[alive].sum()) / gdp
    capital = model.capital_value()
    replacement = p.depreciation * (capital if setup else capital_before)
    row["replacement"] = float(replacement[alive].sum()) / gdp
    row["expansion"] = float(own[alive].sum()) / gdp - row["replacement"]
    row["entrants"] = float(entrant[alive].sum()) / gdp
    hit = alive & (targeted > 0)
    row["targeted_capital"] = float(capital[hit].sum()) / gdp
    row["targeted_capacity"] = float(np.where(hit, f.capacity, 0.0).sum())
    row["metric"] = model.metrics["subsidy_to_gdp"]
    return row


def support_trace(seed: int, quarters: int) -> list[dict]:
    """Per quarter 0..``quarters``: :func:`support_row` (``subsidy_to_gdp`` only after quarter 8)."""
    model = TracedModel(rng=seed)
    rows = [support_row(model, None)]
    for q in range(1, quarters + 1):
        f = model.firms
        # last quarter's capacity, valued at this quarter's prices after the step (rows keep their firm)
        capacity, alive = f.capacity.copy(), f.alive.copy()
        model.step()
        if q <= 8:
            keep = np.zeros(f.size)
            keep[:capacity.size] = np.where(alive & np.isfinite(capacity), capacity, 0.0)
            now = np.where(np.isfinite(f.capacity) & f.alive, f.capacity, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(now > 0, model.capital_value() / now, 0.0)
            rows.append(support_row(model, (1 - model.params.exit_rate) * keep[:f.size] * scale))
        else:
            rows.append({"metric": model.metrics["subsidy_to_gdp"]})
    rows[0]["targeted_capacity_0"] = rows[0]["targeted_capacity"]
    return rows


def print_support(traces: list[list[dict]]) -> None:
    columns = SUPPORT + INVESTMENT + ("targeted_capital", "targeted_capacity")
    print("support and investment, % of GDP; targeted capital / GDP; targeted capacity / quarter 0 (mean of "
          f"{len(traces)} seeds)")
    print("q  " + "  ".join(f"{c[:12]:>12}" for c in columns))
    for q in range(min(9, len(traces[0]))):
        values = []
        for c in columns:
            v = np.mean([t[q][c] / (t[0]["targeted_capacity"] if c == "targeted_capacity" else 0.01)
                         if c != "targeted_capital" else t[q][c] for t in traces])
            values.append(v)
        print(f"{q}  " + "  ".join(f"{v:12.4f}" for v in values))
    metric = np.array([[r["metric"] for r in t] for t in traces])       # seeds x quarters
    mean = metric.mean(axis=1)
    print(f"subsidy_to_gdp, mean over quarters 0..{metric.shape[1] - 1}: " + ", ".join(f"{100 * m:.4f} %" for m in mean)
          + f"; quarters 0..8 over that mean: {np.min(metric[:, :9] / mean[:, None]):.4f}"
          f" .. {np.max(metric[:, :9] / mean[:, None]):.4f}")


def stationary(seed: int, quarters: int) -> dict:
    model = YRDModel(rng=seed, migrant_inflow_rate=0.0)
    for _ in range(quarters):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    return {"seed": seed, "structure_max": {m: largest_move(frame, m) for m in STRUCTURE},
            "exits_mean": float(frame["exits"].iloc[1:].mean()),
            "firms_change": float(frame["firms"].iloc[-1] / frame["firms"].iloc[0] - 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--stationary-seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--support", action="store_true", help="trace support and investment instead")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.support:
        traces = [support_trace(s, args.quarters) for s in args.seeds]
        if args.json:
            print(json.dumps(traces))
        else:
            print_support(traces)
        return
    result = {"baseline": [baseline(s, args.quarters) for s in args.seeds],
              "stationary_populations": [stationary(s, args.quarters) for s in args.stationary_seeds]}
    result["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps(result))
        return
    print("seed  unemp.max|d|pp  exits mean  max (q)  firms end  residual  out/feasible  agents t0->end")
    for r in result["baseline"]:
        print(f"{r['seed']:>4}  {r['unemployment_max_pp']:.3f}  {r['exits_mean']:.2f}  {r['exits_max']:.2f} "
              f"({r['exits_max_quarter']})  {100 * r['firms_change']:+.2f} %  {r['market_residual_max']:.2g}  "
              f"{r['output_over_feasible_max'] - 1:.2g}  {r['agents_t0']}->{r['agents_end']}")
    print("seed  merged mass: largest quarter / mean (q)  merges: largest / mean  exits: largest / mean  "
          "agents: min..max, largest one-quarter drop (q)  zombie share %")
    for r in result["baseline"]:
        zombies = "  ".join(f"{w} {100 * v:.2f}" for w, v in r["zombie_share"].items())
        print(f"{r['seed']:>4}  {r['merged_mass_wave']:.2f} ({r['merged_mass_max_quarter']})  {r['merged_wave']:.2f}  "
              f"{r['exits_wave']:.2f}  {r['agents_min']}..{r['agents_max']}, {r['agents_drop_max']} "
              f"({r['agents_drop_quarter']})  {zombies}")
    print("seed  " + "  ".join(STRUCTURE))
    for r in result["baseline"]:
        print(f"{r['seed']:>4}  " + "  ".join(f"{r['structure_max'][m]:.4f}" for m in STRUCTURE))
    print("seed  similarity_all change after Q: as run, non-farm sectors, with 2020 farm shares")
    for r in result["baseline"]:
        print(f"{r['seed']:>4}  {r['similarity_all_change']:+.4f}  {r['similarity_nonfarm_change']:+.4f}  "
              f"{r['similarity_all_farm_share_held']:+.4f}")
    print("migrant_inflow_rate = 0:")
    for r in result["stationary_populations"]:
        print(f"{r['seed']:>4}  " + "  ".join(f"{r['structure_max'][m]:.4f}" for m in STRUCTURE))
    print(f"{result['seconds']:.0f} s")


if __name__ == "__main__":
    main()
