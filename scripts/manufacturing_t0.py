"""The t = 0 provincial manufacturing similarity of docs/validation.md ("Manufacturing structure and
target lists at t = 0").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/manufacturing_t0.py [--seed 1]

UNIDO similarity (ydabm.metrics.similarity_matrix) between the provinces' manufacturing employment
over the manufacturing sectors, at t = 0, default parameters and scale.
"""

from __future__ import annotations

import argparse

import numpy as np

from ydabm import YRDModel
from ydabm.metrics import similarity_matrix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = YRDModel(rng=args.seed)
    employment = model.employment_by_sector()
    manufacturing = model.sectors.manufacturing
    geo = model.geography
    provinces = np.array([employment[geo.province_index == p][:, manufacturing].sum(axis=0)
                          for p in range(len(geo.province_names))])
    similarity = similarity_matrix(provinces)
    for i, a in enumerate(geo.province_names):
        for j in range(i + 1, len(geo.province_names)):
            print(f"{a}-{geo.province_names[j]}: {similarity[i, j]:.3f}")


if __name__ == "__main__":
    main()
