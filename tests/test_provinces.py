"""Per-province levers: hand-computed frictions for two provinces with different levers, equal
provinces reproduce the region-wide barrier exactly, Anhui's hukou reform draws migrants from the
other provinces, and bad province levers are refused before a run."""

import dataclasses

import numpy as np
import pytest

from ydabm.cli import main
from ydabm.frictions import frictions
from ydabm.geography import build_geography
from ydabm.markets import migration
from ydabm.model import YRDModel
from ydabm.params import QUICK_SCALE, ParameterError, Params
from ydabm.policies import ProvinceLevers
from ydabm.scenarios import load_scenario
from ydabm.sectors import load_sectors

SMALL = [arg for name, value in QUICK_SCALE.items() for arg in ("--set", f"{name}={value:g}")]


@pytest.fixture
def two_provinces():
    """Cities 0 and 1 in province A, city 2 in province B; border effect 0.5 between A and B."""
    geo = build_geography("racetrack", racetrack_cities=3)
    border = np.array([[0.0, 0.0, 0.5], [0.0, 0.0, 0.5], [0.5, 0.5, 0.0]])
    hours = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    return dataclasses.replace(geo, provinces=["A", "A", "B"], province_index=np.array([0, 0, 1]),
                               border=border, hours=hours)


def test_frictions_by_hand_for_two_provinces(two_provinces):
    sectors = load_sectors()
    tradable, local = int(np.flatnonzero(sectors.targetable)[0]), int(np.flatnonzero(~sectors.targetable)[0])
    tau = sectors.trade_cost_per_hour
    barrier, hukou_penalty = np.array([0.2, 0.8]), np.array([0.3, 0.0])
    protection = np.array([[1.0, 2.0], [0.5, 1.0]])        # importer (row) x exporter (column)
    f = frictions(two_provinces, sectors, barrier, 0.3, 1.0, hukou_penalty, np.ones(3, dtype=bool), protection)
    # the border between A and B weighs both barriers: (0.2 + 0.8) / 2 = 0.5; none inside A
    assert f.iceberg[tradable, 0, 2] == pytest.approx(np.exp(2 * tau[tradable]) * (1 + 0.5 * 0.5))
    assert f.iceberg[tradable, 2, 0] == pytest.approx(f.iceberg[tradable, 0, 2])
    assert f.iceberg[tradable, 0, 1] == pytest.approx(np.exp(tau[tradable]))
    # the importer's province sets the wedge: B on A's goods 1 + 0.8 x 0.5 x 0.3, A on B's 1 + 0.2 x 2 x 0.3,
    # A on A's 1 + 0.2 x 0.3; no wedge on own goods or on non-tradables
    assert f.wedge[tradable, 0, 2] == pytest.approx(1.12)
    assert f.wedge[tradable, 2, 0] == pytest.approx(1.12)
    assert f.wedge[tradable, 2, 1] == pytest.approx(1.12)
    assert f.wedge[tradable, 0, 1] == pytest.approx(1.06)
    assert f.wedge[tradable, 1, 1] == 1.0 and (f.wedge[local] == 1.0).all()
    # the destination's province sets the hukou cost: 0.2 x 0.3 in A's cities, 0.8 x 0 in B's
    assert f.hukou_cost == pytest.approx([0.06, 0.06, 0.0])


def test_the_destination_province_sets_the_hukou_cost_in_the_location_utility(two_provinces):
    f = frictions(two_provinces, load_sectors(), np.array([0.2, 0.8]), 0.3, 1.0, np.array([0.3, 0.0]),
                  np.ones(3, dtype=bool))
    utility = migration.location_utility(np.zeros((3, 1)), np.zeros(3), np.zeros((3, 3)), 0.0, 0.0,
                                         f.hukou_cost, two_provinces.province_index, 3)   # hukou A, B, outside
    # (origin, hukou group, skill, destination): hukou A pays nothing in A and B's 0 in B; hukou B and
    # outside the region pay A's 0.06 in A's cities
    assert utility[0, :, 0, :] == pytest.approx(-np.array([[0, 0, 0], [0.06, 0.06, 0], [0.06, 0.06, 0]]))


def test_equal_provinces_reproduce_the_region_wide_barrier_exactly():
    geo, sectors = build_geography(), load_sectors()
    protecting = np.ones(geo.count, dtype=bool)
    scalar = frictions(geo, sectors, 0.7, 0.3, 1.0, 0.3, protecting)
    provinces = frictions(geo, sectors, np.full(4, 0.7), 0.3, 1.0, np.full(4, 0.3), protecting, np.ones((4, 4)))
    for name in ("iceberg", "wedge", "cost_weights", "welfare_weights", "hukou_cost"):
        np.testing.assert_array_equal(getattr(provinces, name), getattr(scalar, name))
    # every province set to the run's values through the per-province policy: the same run, bit for bit
    params = Params.build({**QUICK_SCALE, "barrier": 0.7})
    every = ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]
    same = ProvinceLevers(start_year=2020, provinces=every, barrier=0.7, hukou_penalty=0.3,
                          protection={a: {b: 1.0 for b in every} for a in every})
    runs = [YRDModel(rng=3, params=params), YRDModel(rng=3, params=params, policies=(same,)),
            YRDModel(rng=3, params=params, policies=(ProvinceLevers(start_year=2020, provinces=["Anhui"], barrier=0.0),))]
    for model in runs:
        model.step()
        model.step()
    frames = [model.datacollector.get_model_vars_dataframe() for model in runs]
    assert frames[0].equals(frames[1])
    assert not frames[0].equals(frames[2])          # and a province that differs changes the run


def test_set_barrier_moves_every_province_and_set_province_levers_one():
    model = YRDModel(rng=1, **QUICK_SCALE)
    model.set_barrier(0.9)
    assert (model.levers.barrier == 0.9).all() and model.levers.mean_barrier == pytest.approx(0.9)
    model.set_province_levers(barrier=np.array([0.9, 0.9, 0.9, 0.1]), hukou_penalty=np.array([0.3, 0.3, 0.3, 0.0]))
    anhui = np.array(model.geography.provinces) == "Anhui"
    np.testing.assert_allclose(model.frictions.hukou_cost, np.where(anhui, 0.0, 0.27))
    assert model.levers.mean_barrier == pytest.approx(0.7)


def _moves_into_anhui_from_other_provinces(scenario: str, seed: int, quarters: int = 16) -> float:
    """Share of all moves over ``quarters`` that go into an Anhui city from another province."""
    loaded = load_scenario(scenario)
    params = loaded.params(QUICK_SCALE)
    model = YRDModel(rng=seed, policies=tuple(loaded.policies(params)), params=Params.build(params))
    anhui = np.array(model.geography.provinces) == "Anhui"
    into = total = 0.0
    for _ in range(quarters):
        model.step()
        into += model.moves.matrix[np.ix_(~anhui, anhui)].sum()
        total += model.moves.matrix.sum()
    return into / total


def test_anhui_hukou_reform_draws_migrants_from_the_other_provinces():
    # measured at 5 seeds: 8.0 % of moves at baseline, 11.8 % with the reform, +3.8 +- 0.4 pp (9 SE)
    effect = np.array([_moves_into_anhui_from_other_provinces("anhui_hukou_reform", seed)
                       - _moves_into_anhui_from_other_provinces("baseline", seed) for seed in range(1, 6)])
    assert effect.mean() > 3 * effect.std(ddof=1) / np.sqrt(effect.size)


POLICY = '[[policy]]\ntype = "ProvinceLevers"\nstart_year = 2021\n'
BAD = {
    "lower-case province": (POLICY + 'provinces = ["anhui"]\nhukou_penalty = 0.0\n',
                            "provinces: 'anhui' is not a province of the yrd world (did you mean 'Anhui'?)"),
    "misspelt importer": (POLICY + '[policy.protection]\nAnhwei = { Jiangsu = 0.0 }\n',
                          "protection: 'Anhwei' is not a province of the yrd world (did you mean 'Anhui'?)"),
    "misspelt exporter": (POLICY + '[policy.protection]\nAnhui = { Jiangsus = 0.0 }\n',
                          "protection.Anhui: 'Jiangsus' is not a province of the yrd world (did you mean 'Jiangsu'?)"),
    "hukou penalty out of range": (POLICY + 'provinces = ["Anhui"]\nhukou_penalty = 4\n',
                                   "hukou_penalty: 4 is out of range; allowed [0, 3] (log-utility)"),
    "barrier out of range": (POLICY + "barrier = -0.1\n", "barrier: -0.1 is out of range; allowed [0, 1]"),
    "multiplier out of range": (POLICY + '[policy.protection]\nAnhui = { Jiangsu = 5 }\n',
                                "protection.Anhui.Jiangsu: 5 is out of range; allowed [0, 3]"),
    "protection as a list": (POLICY + 'protection = [["Anhui", "Jiangsu", 0.0]]\n',
                             "protection: expected a table of province = { province = number }"),
    "nothing to change": (POLICY + 'provinces = ["Anhui"]\n',
                          "barrier, hukou_penalty, protection: none given; give at least one"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_province_levers_stop_the_run_before_it_starts(tmp_path, capsys, case):
    text, expected = BAD[case]
    path, out = tmp_path / "mine.toml", tmp_path / "out"
    path.write_text(text)
    assert main(["run", "--scenario", str(path), "--steps", "2", "--out", str(out), *SMALL]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ydabm: error: scenario mine.toml: policy 1 (ProvinceLevers): ") and err.count("\n") == 1
    assert expected in err and not out.exists()


def test_province_levers_in_python_are_checked_when_made():
    with pytest.raises(ParameterError, match=r"hukou_penalty: -1 is out of range"):
        ProvinceLevers(start_year=2021, hukou_penalty=-1)
