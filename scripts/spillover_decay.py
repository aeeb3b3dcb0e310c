"""Draw docs/img/spillover_decay.png: knowledge spillover weights against travel time (issue 13).

Every pair of the 41 cities at the default parameters: within a province the weight is the
travel-time decay exp(-hours / knowledge_decay_hours); across a border it loses knowledge_border x
the border's barrier (barrier 0.5 at baseline, 1 and 0 for comparison). Run:

    PYTHONPATH=src python scripts/spillover_decay.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ydabm.frictions import knowledge_weights  # noqa: E402
from ydabm.geography import build_geography  # noqa: E402
from ydabm.params import Params  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "img" / "spillover_decay.png"


def main() -> None:
    geo, p = build_geography(), Params()
    pairs = ~np.eye(geo.count, dtype=bool)
    hours = geo.hours[pairs]
    cross = geo.cross_province[pairs]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    grid = np.linspace(0, hours.max(), 200)
    decay = np.exp(-grid / p.knowledge_decay_hours)
    ax.plot(grid, decay, color="black", label="within a province: exp(-hours / 1 h)")
    for barrier, style in ((0.5, "--"), (1.0, ":")):
        ax.plot(grid, decay * (1 - p.knowledge_border * barrier), color="tab:red", linestyle=style,
                label=f"across provinces at barrier {barrier:g}")
    weights = knowledge_weights(geo.hours, geo.province_index, np.full(4, p.barrier), p.knowledge_decay_hours,
                                p.knowledge_border)[pairs]
    ax.scatter(hours[~cross], weights[~cross], s=6, color="black", alpha=0.4, label="city pairs, same province")
    ax.scatter(hours[cross], weights[cross], s=6, color="tab:red", alpha=0.4, label="city pairs, across provinces (barrier 0.5)")
    ax.axvline(1.0, color="grey", linewidth=0.8)
    ax.text(1.03, 0.9, "about 250 km by high-speed rail", color="grey", fontsize=8)
    ax.set_xlabel("travel time between the cities (hours, 2020 network)")
    ax.set_ylabel("knowledge spillover weight W (1 = no loss)")
    ax.set_title("Knowledge spillovers: decay with travel time, loss across borders", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    ax.set_xlim(0, min(hours.max(), 8))
    fig.tight_layout()
    fig.savefig(OUT, dpi=130)
    print(OUT)


if __name__ == "__main__":
    main()
