"""Refuse a scale the machine cannot hold, before anything is built (issue 15).

A run's peak memory is estimated from the number of worker agents and firm rows it will create,
with the footprint measured on the model itself: the peak resident set size (``ru_maxrss``) of a
process that imports ydabm, builds the model and steps it 2 quarters, at eight runs (7.6 to 75.8
million workers at people_per_agent 20, 10, 5 and 2; 40,261 to 4,024,596 firm rows, firms at the
default 23.5 and at 4 and 200 workers per firm), fitted by least squares (``benchmarks/scale_table.py``
measures the same figures; refitted on 4 Dec 2026, docs/performance.md "The memory estimate
refitted"):

    peak bytes = 189 MB + 17.4 bytes per worker + 820 bytes per firm row

The worker coefficient is the worker columns (8 bytes, ``agents/workers.py``) and the temporaries
of the passes over all workers; the firm-row one is the firm table (255 bytes a row) and the firm
passes' temporaries (goods market, accounts, planning). The fit is within 4.8 % of every measured
peak (largest misses: 0.519 against 0.545 GB with 80,507 firm rows at 15 million workers, 0.602
against 0.582 GB at 7.6 million workers; 4.319 against 4.315 GB at 75.8 million). At the default
scale's 22.1 workers per firm row this is 54.5 bytes per worker: 8.4 GB for one agent per person
(151.5 million working-age residents are workers, 6.85 million firm rows). The fit before (178 MB +
21.3 bytes per worker + 691 per firm row, from when the firm table held 203 bytes a row) had fallen
11-13 % below the measured peak with many firm rows (1.73 against 1.94 GB at 4 workers per firm).
Each run is checked on its own: runs started together (a sweep's processes) each see the memory
available before the others have taken theirs.

The memory the machine has is ``MemAvailable`` of ``/proc/meminfo`` (what can be allocated without
swapping; other processes' memory excluded), or where that file is missing the free physical
pages (``os.sysconf``).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from .params import ParameterError, Params

#: bytes of the interpreter, numpy, Mesa, pandas, the package and the data (the fit's intercept)
BASE_BYTES = 189e6
#: peak bytes per worker agent (worker columns and the temporaries of passes over workers)
BYTES_PER_WORKER = 17.4
#: peak bytes per row of the firm table (firm columns and the temporaries of firm passes)
BYTES_PER_FIRM_ROW = 820.0


class CapacityError(ParameterError):
    """The run's estimated peak memory exceeds what the machine has available."""


def expected_agents(params: Params) -> tuple[int, int]:
    """(worker agents, firm rows) the model will create at t = 0 for ``params``, without building it.

    Workers: ``max(rint(L_c / people_per_agent), 10)`` summed over cities, L_c the working-age
    residents (:func:`ydabm.calibration.working_age_population`; what
    :func:`ydabm.calibration.calibrate` creates); firm rows: the firm count ``workers /
    workers_per_firm`` plus one per city-sector (the most the allocation's floor of one firm per
    city-sector can add), with the firm table's spare rows (:meth:`ydabm.agents.firms.Firms.rows_for`):
    at most a few hundred rows more than the model creates.
    """
    from .agents.firms import Firms
    from .sectors import load_sectors
    population = _population(params.world, params.network_file, params.racetrack_cities, params.trade_cost,
                             params.working_age_share, params.migrant_working_age_share)
    workers = int(np.maximum(np.rint(population / params.people_per_agent), 10).sum())
    firms = max(int(round(workers / params.workers_per_firm)), 1)
    return workers, Firms.rows_for(firms + population.size * load_sectors(params.sectors_file).count)


@functools.lru_cache(maxsize=8)
def _population(world: str, network_file: str, racetrack_cities: int, trade_cost: float,
                working_age_share: float, migrant_working_age_share: float) -> np.ndarray:
    """(C,) working-age residents of each city of the geography these parameters build (cached per process)."""
    from .calibration import working_age_population
    from .geography.world import build_geography
    geo = build_geography(world, network_file, racetrack_cities, trade_cost)
    population = working_age_population(geo, {"working_age_share": working_age_share,
                                              "migrant_working_age_share": migrant_working_age_share})
    population.flags.writeable = False
    return population


def estimate_bytes(workers: int, firm_rows: int) -> float:
    """Estimated peak resident memory, bytes, of a run with ``workers`` and ``firm_rows``."""
    return BASE_BYTES + BYTES_PER_WORKER * workers + BYTES_PER_FIRM_ROW * firm_rows


def estimate_for(params: Params) -> tuple[int, int, float]:
    """(workers, firm rows, estimated peak bytes) of a run with ``params``."""
    workers, rows = expected_agents(params)
    return workers, rows, estimate_bytes(workers, rows)


def available_bytes() -> int:
    """Memory this machine can give a new process now, bytes (``MemAvailable``)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def check_capacity(params: Params, available: int | None = None) -> float:
    """Refuse ``params`` when the run's estimated peak memory exceeds ``available`` (default: what
    the machine has now).

    Returns:
        The estimate, bytes.

    Raises:
        CapacityError: one line with the scale, the estimate and the memory available, and the
            smallest people_per_agent that would fit.
    """
    workers, rows, need = estimate_for(params)
    have = available_bytes() if available is None else int(available)
    if need <= have:
        return need
    per_agent = (BYTES_PER_WORKER + BYTES_PER_FIRM_ROW * rows / workers) * workers * params.people_per_agent
    fits = per_agent / max(have - BASE_BYTES, 1.0)
    raise CapacityError(
        f"people_per_agent: {params.people_per_agent:g} gives {workers:,} worker agents and {rows:,} firm rows, "
        f"an estimated peak of {need / 1e9:.1f} GB ({BASE_BYTES / 1e9:.2f} GB + {BYTES_PER_WORKER:g} bytes per worker "
        f"+ {BYTES_PER_FIRM_ROW:g} per firm row), but this machine has {have / 1e9:.1f} GB available; "
        f"use people_per_agent >= {np.ceil(fits * 10) / 10:g} or a machine with more memory")
