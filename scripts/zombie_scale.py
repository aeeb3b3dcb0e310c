"""Why the zombie share depends on people_per_agent with the innovation draw at its expectation.

A diagnostic (not a model option): runs :class:`scale_divergence.DrawModel` with ``draw="mean"``
(every cohort gains its cell's expected innovation rate) and records, per run,

* the zombie share each quarter, split into the set-up's cohorts and entrants' cohorts (rows opened
  in the step), each as a share of the whole live firm mass;
* at t = 0: the mass-weighted distribution of each firm's structural coverage margin (operating
  profit less interest over revenue, on the quarter's accounts) and the share with three weak years;
* at the end: the zombies' mass by origin, age, staff (worker agents), mass over peak, sector,
  loss streak, and whether they carry soft credit;
* firm agents per city-sector, mean age, merges.

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/zombie_scale.py --ppa 2000 100 [--seeds 1 2 3 4 5]
        [--quarters 40] [--variant base] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import ndtr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_divergence import DrawModel  # noqa: E402

from ydabm.allocator import keep_freed_memory  # noqa: E402
from ydabm.mechanisms import credit, entry  # noqa: E402

original_truncated = entry.truncated_normal

class TracedModel(DrawModel):
    """DrawModel that records the set-up's draws, which rows the step opened (entrants' cohorts) and
    the merges, and can replace the set-up's productivity draws (``variant``):

    * ``base``: the model's draws (a truncated normal per firm agent; firms short of break-even
      against their cell's sample mean redrawn);
    * ``coarse=P``: the draws the set-up makes at P people per agent: a cell's firm agents are split
      into blocks of about P / people_per_agent agents in row order (at least one block a cell), each
      block gets one draw, and the redraw loop runs on the blocks (block mass: its cohorts' mass);
    * ``blocks=P``: as ``coarse=P``, and each block is one cohort of the P scale (the block's age from
      the stationary ages of the blocks, its mass and peak split evenly over its agents): a block's
      agents are identical at t = 0, a coarse set-up split into P / people_per_agent copies;
    * ``...+pool`` (any of the above): worn cohorts merge into a pool row of their cell (the first
      worn cohort of a cell becomes it, its streaks reset), not into the cell's largest cohort, whose
      own draw is a share 1/n of a cell of n agents (rescued by the merged mass at coarse scales);
    * ``anchored``: stratified draws, and the top stratum's draw set so that the cell's mass-weighted
      mean of z^(sigma-1) is its expectation under the truncated normal (the break-even the cutoff is
      computed for): every other agent sits where it would in a large cell (a one-agent cell cannot);
    * ``...+sink``: as ``+pool``, and entrants that do not open a cohort join the pool (where the cell
      has one) instead of the largest cohort; no set-up cohort is a cohort of the year;
    * ``...+own``: entrants always open (or join) their cell's cohort of the year, never its largest
      cohort (entry.min_cohort_mass 0);
    * ``stratified``: each cell's first draws at stratified uniforms, (i + u_i) / n in random order
      (the cell's sample closer to the distribution), then the model's redraw loop.
    """

    def __init__(self, *args, variant: str = "base", **kwargs):
        self.variant = variant
        self.merged = 0
        self.closures = 0
        self.setup = {}
        super().__init__(*args, draw="mean", **kwargs)
        self.entrant = np.zeros(self.firms.size, dtype=bool)
        if "+sink" in variant:
            self.cohort[:] = -1          # no set-up cohort is the cohort of the year that entrants join

    def _populate(self) -> None:
        state, original = self.setup, (entry.stationary_cohorts, entry.zero_profit_cutoff, entry.truncated_normal)
        first = [True]

        def cohorts(cell, exit_rate, offsets=None, *args, **kwargs):
            cell = np.asarray(cell)
            state["cell"] = cell
            if self.variant.startswith(("coarse=", "blocks=")):
                self._blocks(cell)
            if self.variant.startswith("blocks="):
                # each block is one cohort of the coarse scale (its age, mass and peak), split evenly
                # over its firm agents: the agents of a block are identical
                b = state["block"]
                age, mass, peak = original[0](state["block_cell"], exit_rate, offsets, *args, **kwargs)
                count = np.bincount(cell)
                blocks = np.bincount(state["block_cell"])
                size = np.bincount(b)
                factor = (count / np.maximum(blocks, 1))[state["block_cell"]] / size
                result = age[b], (mass * factor)[b], (peak * factor)[b]
            else:
                result = original[0](cell, exit_rate, offsets, *args, **kwargs)
            state["cohort_mass"] = result[1]
            return result

        def cutoff(threshold, elasticity, spread):
            state["threshold"], state["sigma"] = np.asarray(threshold), np.asarray(elasticity)
            return original[1](threshold, elasticity, spread)

        def variant_draws(lower, spread, uniforms):
            if not first[0]:
                return original[2](lower, spread, uniforms)
            first[0] = False
            return self._variant_draws(lower, spread, uniforms)

        # the base variant keeps the model's draws
        draws = original[2] if self.variant.split("+")[0] == "base" else variant_draws

        entry.stationary_cohorts, entry.zero_profit_cutoff, entry.truncated_normal = cohorts, cutoff, draws
        try:
            super()._populate()
        finally:
            entry.stationary_cohorts, entry.zero_profit_cutoff, entry.truncated_normal = original

    def _blocks(self, cell):
        """Split each cell's agents (rows grouped by cell) into blocks of about P / people_per_agent."""
        cells = int(cell.max()) + 1
        count = np.bincount(cell, minlength=cells)
        rank = np.arange(cell.size) - np.repeat(np.cumsum(count) - count, count)
        coarse = float(self.variant.split("+")[0].split("=")[1])
        blocks = np.maximum(np.rint(count * self.params.people_per_agent / coarse), 1).astype(np.int64)
        blocks[count == 0] = 0
        within = np.minimum((rank * blocks[cell]) // np.maximum(count[cell], 1), blocks[cell] - 1)
        self.setup["block"] = np.repeat(np.cumsum(blocks) - blocks, count) + within      # global block id
        self.setup["block_cell"] = np.repeat(np.arange(cells), blocks)

    def _variant_draws(self, lower, spread, uniforms):
        cell = self.setup["cell"]
        cells = int(cell.max()) + 1
        count = np.bincount(cell, minlength=cells)
        rank = np.arange(cell.size) - np.repeat(np.cumsum(count) - count, count)   # rows are grouped by cell
        if self.variant.startswith(("stratified", "anchored")):
            u = self.rng.random(cell.size)
            order = np.lexsort((self.rng.random(cell.size), cell))
            strata = np.empty(cell.size)
            strata[order] = rank
            log_draw = original_truncated(lower, spread, (strata + u) / count[cell])
            if self.variant.startswith("stratified"):
                return log_draw
            # anchored: the top stratum's draw takes what makes the cell's mass-weighted mean of
            # z^(sigma-1) its expectation E under the truncated normal, so that every other agent's
            # revenue over the cell mean is its draw over E, as in a large cell
            k = self.setup["sigma"][cell] - 1.0
            d = np.exp(k * log_draw)
            m = self.setup["cohort_mass"]
            a = lower / spread
            expected = np.exp((k * spread) ** 2 / 2) * ndtr(k * spread - a) / np.maximum(ndtr(-a), 1e-300)
            top = (strata == count[cell] - 1) & (count[cell] >= 2)
            others = np.bincount(cell, m * d * ~top, minlength=cells)
            total = np.bincount(cell, m, minlength=cells)
            rows = np.flatnonzero(top)
            need = (expected[rows] * total[cell[rows]] - others[cell[rows]]) / m[rows]
            ok = need > d[rows]           # the top agent stays the cell's best (else: the model's redraw)
            log_draw[rows[ok]] = np.log(need[ok]) / k[rows[ok]]
            return log_draw
        block, block_cell = self.setup["block"], self.setup["block_cell"]
        nb = block_cell.size
        block_mass = np.bincount(block, self.setup["cohort_mass"], minlength=nb)
        block_lower = np.zeros(nb)
        block_lower[block] = lower
        sigma = self.setup["sigma"][block_cell]
        threshold = self.setup["threshold"][block_cell]
        log_draw = original_truncated(block_lower, spread, self.rng.random(nb))
        for _ in range(20):
            d = np.exp(log_draw * (sigma - 1))
            mass = np.bincount(block_cell, block_mass * d, minlength=cells)
            short = d * count[block_cell] / mass[block_cell] < threshold
            if not short.any():
                break
            log_draw[short] = original_truncated(block_lower[short], spread, self.rng.random(int(short.sum())))
        return log_draw[block]

    def _hire_initial_staff(self, desired):
        planned = super()._hire_initial_staff(desired)
        f = self.firms
        live = np.flatnonzero(f.alive)
        self.setup["planned"], self.setup["gross"] = planned, f.revenue[live].copy()
        return planned

    def merge_firms(self, sources, destinations):
        if ("+pool" in self.variant or "+sink" in self.variant) and sources.size:
            sources, destinations, fresh = self._pool_pairs(sources)
        else:
            fresh = np.zeros(0, dtype=np.int64)
        self.merged += int(sources.size)
        self.sources = sources.copy()
        self.destinations = destinations.copy()
        if hasattr(self, "receiver"):
            self.receiver[destinations[destinations < self.receiver.size]] = True
        super().merge_firms(sources, destinations)
        if fresh.size:
            f = self.firms
            f.peak[fresh] = f.mass[fresh]
            f.weak_years[fresh] = 0
            f.loss_streak[fresh] = 0

    def _pool_pairs(self, sources):
        """``+pool``: each cell's worn cohorts merge into the cell's pool of merged mass (a row of its
        own, whatever the scale), not into its largest cohort: the first worn cohort of a cell without a
        pool becomes the pool (its peak reset to its mass, its streaks to 0)."""
        f = self.firms
        cells = self.geography.count * self.sectors.count
        if not hasattr(self, "pool"):
            self.pool = np.full(cells, -1, dtype=np.int64)
            self.is_pool = np.zeros(f.size, dtype=bool)
        if self.is_pool.size < f.size:
            self.is_pool = np.pad(self.is_pool, (0, f.size - self.is_pool.size))
        sources = sources[~self.is_pool[sources]]
        cell = f.cell[sources]
        missing = self.pool[cell] < 0
        first = np.unique(cell[missing], return_index=True)[1]
        fresh = sources[missing][first]
        self.pool[f.cell[fresh]] = fresh
        self.is_pool[fresh] = True
        keep = ~np.isin(sources, fresh)
        sources = sources[keep]
        return sources, self.pool[f.cell[sources]], fresh
    def close_firms(self, leaving):
        self.closed = np.flatnonzero(leaving)
        if hasattr(self, "pool"):
            gone = self.closed[self.is_pool[self.closed]]
            self.pool[self.firms.cell[gone]] = -1
            self.is_pool[gone] = False
        self.closures += int(self.closed.size)
        super().close_firms(leaving)

    def open_firms(self, entrants):
        before = self.firms.alive.copy()
        mass_before = self.firms.mass.copy()
        if "+sink" in self.variant and hasattr(self, "pool"):
            # entrants that do not open a cohort join the cell's pool where it has one, not its largest
            original = entry.largest_cohorts
            pool, f = self.pool, self.firms

            def largest(candidates, cell, mass, cells):
                rows = original(candidates, cell, mass, cells)
                ok = (pool >= 0)
                ok[ok] = f.alive[pool[ok]]
                return np.where(ok, pool, rows)
            entry.largest_cohorts = largest
            try:
                super().open_firms(entrants)
            finally:
                entry.largest_cohorts = original
        elif "+own" in self.variant:
            # entrants always open (or join) their own cohort of the year, never the cell's largest
            original = entry.min_cohort_mass
            entry.min_cohort_mass = lambda *args: 0.0
            try:
                super().open_firms(entrants)
            finally:
                entry.min_cohort_mass = original
        else:
            super().open_firms(entrants)
        alive = self.firms.alive
        if self.entrant.size < alive.size:
            self.entrant = np.pad(self.entrant, (0, alive.size - self.entrant.size))
        before = np.pad(before, (0, alive.size - before.size))
        fresh = alive & ~before
        self.entrant[fresh] = True
        if hasattr(self, "joiner"):
            n = self.joiner.size
            grew = before[:n] & (self.firms.mass[:n] > mass_before[:n] * (1 + 1e-12))
            self.joiner |= grew


def mass_share(mask, weight):
    total = weight.sum()
    return float(weight[mask].sum() / total) if total > 0 else float("nan")


def t0_margins(model) -> dict:
    f = model.firms
    live = f.alive
    rev = np.where(live, f.revenue, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(rev > 0, (f.year_operating - f.year_interest) / rev, -np.inf)
    w = np.where(live, f.mass, 0.0)
    out = {"zombie_t0": mass_share(f.zombie & live, w), "weak3_t0": mass_share(live & (f.weak_years >= 3), w)}
    for lo, hi in ((-np.inf, 0.0), (0.0, 0.01), (0.01, 0.02), (0.02, 0.05), (0.05, 0.1)):
        out[f"margin_{lo:g}_{hi:g}"] = mass_share(live & (margin >= lo) & (margin < hi), w)
    order = np.argsort(margin[live])
    cw = np.cumsum(w[live][order]) / w[live].sum()
    for q in (0.01, 0.05, 0.1, 0.5):
        out[f"margin_q{q:g}"] = float(margin[live][order][np.searchsorted(cw, q)])
    cells = np.bincount(f.cell[live]).astype(float)
    out["agents_per_cell_t0"] = float(cells[cells > 0].mean())
    # the set-up's draws: revenue per founding cohort over its cell's mean, over break-even
    s = model.setup
    rows = np.arange(s["gross"].size)
    cell = f.cell[rows]
    sigma = s["sigma"][cell]
    m = f.mass[rows]
    d = f.productivity[rows] ** (sigma - 1)
    # (at t = 0 productivity is the set-up's, and within a cell only the draw differs)
    mean = np.bincount(cell, m * d) / np.maximum(np.bincount(cell, m), 1e-300)
    ratio = d / mean[cell] / s["threshold"][cell]
    for lo, hi in ((0, 1.0), (1.0, 1.05), (1.05, 1.1), (1.1, 1.2)):
        out[f"ratio_{lo:g}_{hi:g}"] = mass_share((ratio >= lo) & (ratio < hi), m)
    wages = model.wages[f.city[rows]]
    structural = (f.year_operating[rows] + (s["gross"] - f.revenue[rows])
                  + ((f.employees[rows] - s["planned"]) * wages).sum(axis=1))
    margin = (structural - f.year_interest[rows]) / s["gross"]
    model.margin0 = margin
    model.receiver = np.zeros(margin.size, dtype=bool)     # set-up rows that received a merge
    model.joiner = np.zeros(margin.size, dtype=bool)       # set-up rows that entrants joined
    model.mass0 = m.copy()
    model.bin0 = np.digitize(margin, MARGIN_BINS)
    out["mass0_by_bin"] = (np.bincount(model.bin0, m, minlength=len(MARGIN_BINS) + 1) / m.sum()).tolist()
    # a firm's share of its cell's revenue (how far from atomistic it is), mass-weighted mean
    rev = s["gross"]
    out["own_share_t0"] = float(np.average(rev / np.bincount(cell, rev)[cell], weights=m))
    out["structural_weak_t0"] = mass_share(margin < 0, m)
    for lo, hi in ((0.0, 0.005), (0.005, 0.01), (0.01, 0.02)):
        out[f"structural_{lo:g}_{hi:g}"] = mass_share((margin >= lo) & (margin < hi), m)
    return out


#: bins of the t = 0 structural margin (operating profit less interest over revenue)
MARGIN_BINS = np.array([0.0, 0.005, 0.01, 0.02, 0.05])


def zombie_by_bin(model) -> np.ndarray:
    """(bins,) zombie mass of the set-up's rows by their t = 0 margin bin, over the live mass."""
    f = model.firms
    n = model.bin0.size
    z = (f.zombie & f.alive)[:n] & ~model.entrant[:n]
    w = f.mass[:n]
    total = f.mass[f.alive].sum()
    bins = len(MARGIN_BINS) + 1
    plain = z & ~(model.receiver | model.joiner)        # never absorbed a merge or entrants
    return np.concatenate([np.bincount(model.bin0[z], w[z], minlength=bins),
                           np.bincount(model.bin0[plain], w[plain], minlength=bins)]) / total


def end_profile(model) -> dict:
    f = model.firms
    live = f.alive
    w = np.where(live, f.mass, 0.0)
    z = f.zombie & live
    ent = model.entrant[:live.size] & live
    staff = f.staff()
    ratio = np.where(f.peak > 0, f.mass / np.maximum(f.peak, 1e-300), 0.0)
    soft = f.soft_debt > 0                                   # carrying soft credit (credit.roll_debt)
    out = {"zombie_end": mass_share(z, w), "zombie_setup_end": mass_share(z & ~ent, w),
           "zombie_entrant_end": mass_share(z & ent, w), "entrant_mass_end": mass_share(ent, w),
           "weak3_end": mass_share(live & (f.weak_years >= 3), w),
           "zombie_soft_end": mass_share(z & soft, w), "soft_end": mass_share(live & soft, w),
           "subsidised_end": mass_share(live & (f.subsidy > 0), w),
           "losing_end": mass_share(live & (f.loss_streak > 0), w)}
    for lo, hi in ((0, 6), (6, 11), (11, 21), (21, 10**9)):
        band = live & (staff >= lo) & (staff < hi)
        out[f"staff_{lo}_{hi}_mass"] = mass_share(band, w)
        out[f"staff_{lo}_{hi}_zombie"] = float(w[band & z].sum() / max(w[band].sum(), 1e-300))
    for lo, hi in ((0.25, 0.4), (0.4, 0.6), (0.6, 1.01)):
        band = live & (ratio >= lo) & (ratio < hi)
        out[f"worn_{lo:g}_{hi:g}_zombie"] = float(w[band & z].sum() / max(w[band].sum(), 1e-300))
    cells = np.bincount(f.cell[live]).astype(float)
    out["agents_per_cell_end"] = float(cells[cells > 0].mean())
    out["staff_mean_end"] = float(staff[live].mean())
    out["zombie_staff_mean"] = float(staff[z].mean()) if z.any() else float("nan")
    out["zombie_age_mean"] = float(np.average(f.age[z], weights=w[z])) if z.any() else float("nan")
    out["age_mean_end"] = float(np.average(f.age[live], weights=w[live]))
    out["merged"] = model.merged
    sectors = model.sectors.count
    zs = np.bincount(f.sector[z], w[z], minlength=sectors) / w.sum()
    out["zombie_by_sector"] = zs.tolist()
    return out


def one_run(ppa: float, seed: int, quarters: int, variant: str) -> dict:
    start = time.perf_counter()
    keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
    model = TracedModel(rng=seed, people_per_agent=ppa, variant=variant)
    record = {"ppa": ppa, "seed": seed, "variant": variant, **t0_margins(model)}
    path, setup_path, entrant_path = [], [], []
    flows = {k: 0.0 for k in FLOWS}
    by_bin, weak1 = [], []
    for q in range(quarters):
        f = model.firms
        before = np.flatnonzero(f.zombie & f.alive)
        m0 = f.mass[before].copy()
        w0 = f.mass[f.alive].sum()
        model.sources = model.destinations = model.closed = np.zeros(0, dtype=np.int64)
        model.step()
        f = model.firms
        if q >= FLOW_FROM:
            # the zombie mass at the quarter's start by what became of it (shares of the live mass)
            merged = np.isin(before, model.sources)
            closed = np.isin(before, model.closed)
            alive = f.alive[before] & ~merged & ~closed
            still = alive & f.zombie[before]
            recovered = alive & ~still & (f.weak_years[before] < 3)
            unsupported = alive & ~still & ~recovered
            for name, mask in (("closed", closed), ("merged", merged), ("still", still),
                               ("recovered", recovered), ("unsupported", unsupported)):
                flows[name] += m0[mask].sum() / w0
            new = f.zombie & f.alive
            new[before[still]] = False
            into = np.isin(np.flatnonzero(new), model.destinations)
            flows["new"] += f.mass[new].sum() / f.mass[f.alive].sum()
            flows["new_destination"] += f.mass[np.flatnonzero(new)[into]].sum() / f.mass[f.alive].sum()
            flows["zombie_destination"] += f.mass[np.intersect1d(before[still], model.destinations)].sum() \
                / f.mass[f.alive].sum()
            flows["quarters"] += 1
        w = np.where(f.alive, f.mass, 0.0)
        z = f.zombie & f.alive
        ent = model.entrant[:w.size]
        path.append(mass_share(z, w))
        if model.steps % 4 == credit.YEAR - 1:
            # after a year end: the set-up rows' mass with a weak year (>= 1) and three (>= 3), by t = 0 bin,
            # over the bin's live set-up mass
            n = model.bin0.size
            live = f.alive[:n] & ~model.entrant[:n]
            ws = np.where(live, f.mass[:n], 0.0)
            total = np.maximum(np.bincount(model.bin0, ws, minlength=len(MARGIN_BINS) + 1), 1e-300)
            weak1.append((np.bincount(model.bin0, ws * (f.weak_years[:n] >= 1), minlength=len(MARGIN_BINS) + 1)
                          / total).tolist())
        if q >= quarters - 8:
            by_bin.append(zombie_by_bin(model))
        setup_path.append(mass_share(z & ~ent, w))
        entrant_path.append(mass_share(z & ent, w))
    frame = model.datacollector.get_model_vars_dataframe()
    record.update(end_profile(model))
    record["zombie_share"] = float(frame["zombie_share"].iloc[-8:].mean())
    record["zombie_setup"] = float(np.mean(setup_path[-8:]))
    record["zombie_entrant"] = float(np.mean(entrant_path[-8:]))
    record["path"] = [float(x) for x in frame["zombie_share"]]
    record["zombie_by_bin"], record["zombie_plain_by_bin"] = np.split(np.mean(by_bin, axis=0), 2)
    record["zombie_by_bin"], record["zombie_plain_by_bin"] = (record["zombie_by_bin"].tolist(),
                                                              record["zombie_plain_by_bin"].tolist())
    record["weak1_by_year_bin"] = weak1
    # set-up rows that have received merges: their t = 0 mass share by t = 0 bin, and the zombie mass at
    # the end among receivers and the rest (set-up rows, shares of the live mass)
    n = model.bin0.size
    recv = model.receiver & ~model.entrant[:n]
    bins = len(MARGIN_BINS) + 1
    record["receiver_mass0_by_bin"] = (np.bincount(model.bin0, model.mass0 * recv, minlength=bins)
                                       / np.maximum(np.bincount(model.bin0, model.mass0, minlength=bins), 1e-300)).tolist()
    join = model.joiner & ~model.entrant[:n]
    record["joiner_mass0_by_bin"] = (np.bincount(model.bin0, model.mass0 * join, minlength=bins)
                                     / np.maximum(np.bincount(model.bin0, model.mass0, minlength=bins), 1e-300)).tolist()
    either = join | recv
    record["absorber_mass0_by_bin"] = (np.bincount(model.bin0, model.mass0 * either, minlength=bins)
                                       / np.maximum(np.bincount(model.bin0, model.mass0, minlength=bins), 1e-300)).tolist()
    f = model.firms
    z = (f.zombie & f.alive)[:n] & ~model.entrant[:n]
    live = f.mass[f.alive].sum()
    record["zombie_receiver_end"] = float(f.mass[:n][z & recv].sum() / live)
    record["receiver_mass_end"] = float(f.mass[:n][f.alive[:n] & recv].sum() / live)
    record["closures"] = model.closures
    n = max(flows.pop("quarters"), 1)
    record.update({"flow_" + k: v / n for k, v in flows.items()})
    record["seconds"] = time.perf_counter() - start
    return record


#: quarters from which the zombie flows are summed (after the set-up's first three years)
FLOW_FROM = 12
FLOWS = ("closed", "merged", "still", "recovered", "unsupported", "new", "new_destination", "zombie_destination",
         "quarters")

SCALARS = tuple("flow_" + k for k in FLOWS[:-1]) + ("zombie_share", "zombie_setup", "zombie_entrant", "zombie_t0", "weak3_t0", "structural_weak_t0",
           "structural_0_0.005", "structural_0.005_0.01", "structural_0.01_0.02",
           "own_share_t0", "ratio_0_1", "ratio_1_1.05", "ratio_1.05_1.1", "ratio_1.1_1.2", "margin_-inf_0",
           "margin_0_0.01", "margin_0.01_0.02", "margin_q0.01", "margin_q0.05", "agents_per_cell_t0",
           "weak3_end", "zombie_soft_end", "soft_end", "subsidised_end", "losing_end", "entrant_mass_end",
           "staff_0_6_mass", "staff_0_6_zombie", "staff_6_11_zombie", "staff_11_21_zombie", "staff_21_1000000000_zombie",
           "worn_0.25_0.4_zombie", "worn_0.6_1.01_zombie", "zombie_age_mean", "age_mean_end", "agents_per_cell_end",
           "zombie_staff_mean", "merged")


def summary(runs):
    rows = []
    for key in dict.fromkeys((r["ppa"], r["variant"]) for r in runs):
        group = [r for r in runs if (r["ppa"], r["variant"]) == key]
        row = {"ppa": key[0], "variant": key[1], "seeds": len(group)}
        for m in SCALARS:
            v = np.array([r[m] for r in group], dtype=float)
            row[m] = float(v.mean())
            row[m + "_se"] = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")
        rows.append(row)
    return rows


#: classes of a cell's firm agents at the reference scale (--t0)
CELL_CLASSES = np.array([2, 3, 6, 11, 21])


def t0_by_cell_size(ppas, seeds, variant, reference) -> list[dict]:
    """The set-up only: near-break-even mass (revenue per founding cohort within 5 % above break-even),
    structurally weak mass and zombie mass at t = 0, by the class of the cell's firm-agent count at the
    ``reference`` scale (classes 1, 2, 3-5, 6-10, 11-20, 21+); shares of the class's mass."""
    counts = {}
    rows = []
    for ppa in [reference] + [p for p in ppas if p != reference]:
        for seed in seeds:
            keep_freed_memory()          # reuse the step's freed arrays, as the CLI does (outputs unchanged)
            model = TracedModel(rng=seed, people_per_agent=ppa, variant=variant)
            t0_margins(model)
            f, s = model.firms, model.setup
            n = s["gross"].size
            cell = f.cell[:n]
            cells = model.geography.count * model.sectors.count
            if ppa == reference and seed == seeds[0]:
                counts = np.bincount(cell, minlength=cells)
            group = np.digitize(counts, CELL_CLASSES)[cell]
            m = f.mass[:n]
            sigma = s["sigma"][cell]
            d = f.productivity[:n] ** (sigma - 1)
            mean = np.bincount(cell, m * d, minlength=cells) / np.maximum(np.bincount(cell, m, minlength=cells), 1e-300)
            ratio = d / mean[cell] / s["threshold"][cell]
            total = np.bincount(group, m, minlength=6)
            near = np.bincount(group, m * (ratio < 1.05), minlength=6) / total
            weak = np.bincount(group, m * (model.margin0 < 0), minlength=6) / total
            zombie = np.bincount(group, m * f.zombie[:n], minlength=6) / total
            rows.append({"ppa": ppa, "seed": seed, "mass": (total / total.sum()).tolist(), "near": near.tolist(),
                         "weak": weak.tolist(), "zombie": zombie.tolist()})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ppa", type=float, nargs="+", default=[2000.0, 100.0])
    parser.add_argument("--variant", nargs="+", default=["base"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--json")
    parser.add_argument("--t0", type=float, metavar="REFERENCE",
                        help="set-up only: t = 0 shares by the cell's firm-agent count at the REFERENCE scale")
    args = parser.parse_args()
    if args.t0:
        rows = t0_by_cell_size(args.ppa, args.seeds, args.variant[0], args.t0)
        for ppa in dict.fromkeys(r["ppa"] for r in rows):
            group = [r for r in rows if r["ppa"] == ppa]
            print(f"ppa {ppa:g} (cells by agents at {args.t0:g}: 1, 2, 3-5, 6-10, 11-20, 21+)")
            for key in ("mass", "near", "weak", "zombie"):
                values = 100 * np.array([r[key] for r in group])
                print(f"  {key:6s} % " + " ".join(f"{v:6.2f}±{e:4.2f}" for v, e in
                                                    zip(values.mean(0), values.std(0, ddof=1) / np.sqrt(len(group)))))
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
        return
    runs = [one_run(ppa, seed, args.quarters, v) for v in args.variant for ppa in args.ppa for seed in args.seeds]
    rows = summary(runs)
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "summary": rows}, indent=1))
    for row in rows:
        print(f"ppa {row['ppa']:g} {row['variant']} ({row['seeds']} seeds):")
        print("  " + ", ".join(f"{m} {row[m]:.4g}±{row[m + '_se']:.2g}" for m in SCALARS))


if __name__ == "__main__":
    main()
