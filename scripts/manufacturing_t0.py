"""The t = 0 provincial manufacturing similarity of docs/validation.md ("Manufacturing structure and
target lists at t = 0").

    PYTHONPATH=src OMP_NUM_THREADS=1 python scripts/manufacturing_t0.py [--seed 1]

UNIDO similarity (ydabm.metrics.similarity_matrix) between the provinces' manufacturing employment
over the manufacturing sectors, and between their calibrated revenue (value added; the measure of
tests/test_calibration_structure.py), at t = 0, default parameters and scale. Then the governments'
target lists at t = 0: the distinct top lists (``targets_per_city`` sectors with the highest support
intensity) and how many cities hold each, and the mean pairwise cosine of the support intensities of
the nine G60 cities against that of all pairs.
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from ydabm import YRDModel
from ydabm.calibration import province_similarity
from ydabm.metrics import similarity_matrix


#: the nine G60 Science and Technology Innovation Corridor cities (one list of seven industries, 2019)
G60 = ("Shanghai", "Jiaxing", "Huzhou", "Hangzhou", "Jinhua", "Suzhou_JS", "Xuancheng", "Wuhu", "Hefei")


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
    revenue = province_similarity(model.fundamentals.revenue, geo.province_index, manufacturing)
    print("province pair: employment, value added")
    for i, a in enumerate(geo.province_names):
        for j in range(i + 1, len(geo.province_names)):
            print(f"{a}-{geo.province_names[j]}: {similarity[i, j]:.3f} {revenue[i, j]:.3f}")
    k = model.params.targets_per_city
    names = model.sectors.names
    lists = Counter(tuple(names[s] for s in sorted(np.argsort(-row, kind="stable")[:k])) for row in model.targets)
    print(f"{len(lists)} distinct top-{k} target lists:")
    for sectors, count in lists.most_common():
        print(f"  {count:2d} cities: {' + '.join(sectors)}")
    cosine = similarity_matrix(model.targets)
    cities = list(geo.names)
    g60 = np.array([cities.index(c) for c in G60])
    within = cosine[np.ix_(g60, g60)][np.triu_indices(len(g60), 1)].mean()
    print(f"G60 mean pairwise cosine of support {within:.3f}; all pairs "
          f"{cosine[np.triu_indices(len(cities), 1)].mean():.3f}")


if __name__ == "__main__":
    main()
