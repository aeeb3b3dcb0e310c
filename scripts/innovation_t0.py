"""The t = 0 innovation table of docs/validation.md ("Innovation and digital integration").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/innovation_t0.py [--seed 1] [--json]

R&D intensity, R&D (100 M yuan a year) and the expected invention patents a year (4 k sum of the
innovation rates times the province's patent propensity, as in ``tests/test_innovation.py``) by province at t = 0 (default parameters and
scale), against ``geography/data/yrd_innovation_2020.csv``, with each province's share of the patents,
its relative error and patents per 100 M yuan of R&D.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from ydabm import YRDModel
from ydabm.geography.world import load_innovation_table
from ydabm.observation import innovation_by_city, province_rd_intensity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = YRDModel(rng=args.seed)
    f, geo = model.firms, model.geography
    provinces = len(geo.province_names)
    innovation = innovation_by_city(model)
    intensity = province_rd_intensity(innovation["rd"], innovation["gdp"], geo.province_index)
    # R&D by province, 100 M yuan a year (innovation_by_city gives yuan a quarter)
    rd = np.bincount(geo.province_index, innovation["rd"], minlength=provinces) * 4 / 1e8
    rate = np.where(f.alive, model.innovation_rate(f.rd_share), 0.0)
    patents = np.bincount(geo.province_index,
                          np.bincount(f.city, 4 * model.enterprises * rate, minlength=geo.count)
                          * model.patent_propensity, minlength=provinces)
    data = load_innovation_table()
    rows = []
    for p, name in enumerate(geo.province_names):
        row = data.iloc[p]
        rows.append({
            "province": name,
            "rd_intensity_model_pct": float(100 * intensity[p]),
            "rd_intensity_data_pct": float(row["rd_intensity_pct"]),
            "rd_model": float(rd[p]), "rd_data": float(row["rd_expenditure_100m_yuan"]),
            "patents_model": float(patents[p]),
            "patents_data": float(row["invention_patents_granted"]),
        })
    total_model = sum(r["patents_model"] for r in rows)
    total_data = sum(r["patents_data"] for r in rows)
    for r in rows:
        r["share_model"] = r["patents_model"] / total_model
        r["share_data"] = r["patents_data"] / total_data
        r["relative_error"] = r["share_model"] / r["share_data"] - 1
        r["patents_per_rd_model"] = r["patents_model"] / r["rd_model"]
    if args.json:
        print(json.dumps({"seed": args.seed, "provinces": rows, "columns": list(data.columns)}))
        return
    print("columns of the data:", list(data.columns))
    for r in rows:
        print(f"| {r['province']} | {r['rd_intensity_model_pct']:.2f} % | {r['rd_intensity_data_pct']:.2f} % | "
              f"{r['rd_model']:,.0f} | {r['rd_data']:,.0f} | {r['patents_model']:,.0f} | {r['patents_data']:,.0f} | "
              f"{100 * r['share_model']:.1f} % | {100 * r['share_data']:.1f} % | {100 * r['relative_error']:+.0f} % | "
              f"{r['patents_per_rd_model']:.1f} |")


if __name__ == "__main__":
    main()
