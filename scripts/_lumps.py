"""How lumpy the firm agents are, for the diagnostic scripts: one firm agent is a cohort of identical
enterprises that share one productivity and close together, so an agent that holds much of its
city-sector's enterprises moves the whole city-sector when it fails (docs/validation.md, "Persistent
productivity shocks" and "Core–periphery limit").

Imported by ``scripts/productivity_shocks.py`` and ``scripts/core_periphery_migration.py`` (a script's
own folder is on the import path when it runs).
"""

from __future__ import annotations

import numpy as np


def largest_share(firms) -> float:
    """Share of its city-sector's live firm mass held by the city-sector's largest firm agent,
    weighted by the city-sectors' mass (one shock moves the whole agent)."""
    live = firms.alive
    cell, mass = firms.cell[live], firms.mass[live]
    total = np.bincount(cell, mass)
    largest = np.zeros(total.size)
    np.maximum.at(largest, cell, mass)
    held = total > 0
    return float(np.average(largest[held] / total[held], weights=total[held]))


#: a closure is lumpy when the closing agent holds more than this share of its city-sector's mass
LUMPY = 0.2


def watch_closures(model) -> list[tuple[float, float]]:
    """Record every closing agent's mass and its share of its city-sector's live mass (the list is
    filled as the model steps; the wrapper is on the instance, so ``del model.close_firms`` removes it)."""
    f, closed, close = model.firms, [], model.close_firms

    def recording(leaving: np.ndarray) -> None:
        rows = np.flatnonzero(leaving)
        if rows.size:
            total = np.bincount(f.cell[f.alive], f.mass[f.alive], minlength=int(f.cell[rows].max()) + 1)
            closed.extend(zip(f.mass[rows].tolist(), (f.mass[rows] / total[f.cell[rows]]).tolist()))
        close(leaving)

    model.close_firms = recording
    return closed


def lumpy_share(closed: list[tuple[float, float]]) -> float:
    """Share of the closed mass (a :func:`watch_closures` record) that was in agents holding more than
    :data:`LUMPY` of their city-sector when they closed (0 when nothing closed)."""
    return sum(mass for mass, share in closed if share > LUMPY) / max(sum(mass for mass, _ in closed), 1e-300)
