"""Sweep specs: designs, seeds and column names; bad input fails before any run with one clear line
and nothing written; the shipped experiment specs are valid."""

from pathlib import Path

import numpy as np
import pytest

from ydabm.cli import main
from ydabm.experiments import build_plan
from ydabm.experiments.examples import SMALL, example_spec, yrd_scenarios
from ydabm.experiments.spec import metric_column
from ydabm.params import QUICK_SCALE, ParameterError

ROOT = Path(__file__).resolve().parents[1]
FAST = "[set]\n" + "".join(f"{name} = {value!r}\n" for name, value in QUICK_SCALE.items())


def write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_grid_is_full_factorial_with_replicates_inner_and_spawned_seeds(tmp_path):
    spec = write(tmp_path, "replicates = 2\nseed = 11\n[vary]\nbarrier = [0.0, 1.0]\n"
                           "specialization = { min = 0.0, max = 1.0, num = 3 }\n" + FAST)
    plan = build_plan(spec)
    assert len(plan.runs) == 2 * 3 * 2
    assert [r.run_id for r in plan.runs] == list(range(12))
    assert [(r.point, r.replicate) for r in plan.runs[:3]] == [(0, 0), (0, 1), (1, 0)]
    assert [r.values["specialization"] for r in plan.runs[::2]][:3] == [0.0, 0.5, 1.0]
    assert plan.runs[6].values["barrier"] == 1.0 and plan.runs[5].values["barrier"] == 0.0
    children = np.random.SeedSequence(11).spawn(12)
    assert [r.seed for r in plan.runs] == [int(c.generate_state(1)[0]) for c in children]
    assert len({r.seed for r in plan.runs}) == 12
    assert all(r.values["people_per_agent"] == QUICK_SCALE["people_per_agent"] for r in plan.runs)


@pytest.mark.parametrize("method, samples, runs", [("lhs", 10, 10), ("sobol", 8, 8 * (2 + 2)), ("morris", 3, 3 * 3)])
def test_sampling_designs_give_salib_sizes_within_bounds_and_are_reproducible(tmp_path, method, samples, runs):
    text = (f'[design]\nmethod = "{method}"\nsamples = {samples}\n[vary]\nbarrier = {{ min = 0.2, max = 0.4 }}\n'
            "targets_per_city = { min = 1, max = 8 }\n")
    first, again = build_plan(write(tmp_path, text)), build_plan(write(tmp_path, text, "again.toml"))
    assert len(first.runs) == runs
    assert [r.values for r in first.runs] == [r.values for r in again.runs]
    assert all(0.2 <= r.values["barrier"] <= 0.4 for r in first.runs)
    assert all(isinstance(r.values["targets_per_city"], int) for r in first.runs)
    assert first.problem["names"] == ["barrier", "targets_per_city"]


def test_kept_columns_use_metric_names_and_never_collide_with_parameters(tmp_path):
    plan = build_plan(write(tmp_path, 'keep = ["final", "mean_last:8"]\nmetrics = ["similarity_manufacturing", '
                                      '"firms"]\n[vary]\nworkers_per_firm = [20.0]\n'))
    assert plan.columns == ("similarity_manufacturing", "firms", "similarity_manufacturing_mean_last8",
                            "firms_mean_last8")
    assert metric_column("zombie_share", "final") == "zombie_share"
    # a final value named like a parameter or an id column would collide: it gets a suffix
    assert metric_column("barrier", "final") == "barrier_final"
    assert metric_column("seed", "final") == "seed_final"


def test_spec_hash_follows_the_spec_not_its_layout(tmp_path):
    a = build_plan(write(tmp_path, "[vary]\nbarrier = [0.1, 0.2]\n", "a.toml"))
    same = build_plan(write(tmp_path, "# comment\nsteps = 40\n[vary]\nbarrier = [ 0.1,  0.2 ]\n"
                                      "[design]\nmethod = 'grid'\n[set]\n", "b.toml"))
    other = build_plan(write(tmp_path, "steps = 5\n[vary]\nbarrier = [0.1, 0.2]\n", "c.toml"))
    assert a.spec_hash == same.spec_hash
    assert a.spec_hash != other.spec_hash


BAD = {
    "unknown parameter in vary": ("[vary]\nbarier = [0.1]\n", "vary.barier: unknown parameter (did you mean 'barrier'?)"),
    "unknown parameter in set": ("[vary]\nbarrier = [0.1]\n[set]\ncolour = 1\n", "set.colour: unknown parameter"),
    "empty grid": ("[vary]\nbarrier = []\n", "vary.barrier: empty grid"),
    "empty range": ("[vary]\nbarrier = { min = 0.0, max = 1.0, num = 0 }\n", "vary.barrier: the grid needs num"),
    "nothing varied": ("steps = 4\n", "[vary] is empty"),
    "value out of bounds": ("[vary]\nbarrier = [0.5, 1.5]\n", "vary.barrier: 1.5 is out of range; allowed [0, 1]"),
    "range out of bounds": ("[vary]\nsoft_budget = { min = 0.0, max = 6.0, num = 3 }\n", "vary.soft_budget.max: 6"),
    "constant out of bounds": ("[vary]\nbarrier = [0.5]\n[set]\nworkers_per_firm = 1\n", "set.workers_per_firm: 1 is out of range"),
    "bad design name": ('[design]\nmethod = "sobbol"\n[vary]\nbarrier = { min = 0.0, max = 1.0 }\n',
                        "design.method: Input should be 'grid', 'lhs', 'sobol' or 'morris' (got 'sobbol')"),
    "sobol samples not a power of 2": ('[design]\nmethod = "sobol"\nsamples = 100\n[vary]\n'
                                       'barrier = { min = 0.0, max = 1.0 }\n', "power of 2"),
    "missing scenario": ('scenario = "atlantis"\n[vary]\nbarrier = [0.5]\n', "scenario: 'atlantis' is neither"),
    "unknown key": ("stepz = 4\n[vary]\nbarrier = [0.5]\n", "stepz: unknown key"),
    "bad keep rule": ('keep = ["last"]\n[vary]\nbarrier = [0.5]\n', "keep: 'last'"),
    "unknown metric": ('metrics = ["gdp"]\n[vary]\nbarrier = [0.5]\n', "metrics: unknown metric 'gdp'"),
    "varied and set": ("[vary]\nbarrier = [0.5]\n[set]\nbarrier = 0.1\n", "set.barrier: also in [vary]"),
    "fractional integer": ("[vary]\ntargets_per_city = [1.5]\n", "vary.targets_per_city: expected a whole number"),
    # NaN and infinities (TOML's nan, inf, and 1e400, which reads as inf) for whole-number parameters: out of
    # range like any other number (they were ValueError and OverflowError tracebacks, exit 1)
    "NaN integer in [vary]": ("[vary]\ntargets_per_city = [2, nan]\n", "vary.targets_per_city: nan is out of range; allowed [1, 8]"),
    "infinite integer in [set]": ("[vary]\nbarrier = [0.5]\n[set]\ntargets_per_city = 1e400\n",
                                  "set.targets_per_city: inf is out of range; allowed [1, 8]"),
    "NaN switch in [set]": ("[vary]\nbarrier = [0.5]\n[set]\ngovernments_act = nan\n",
                            "set.governments_act: nan is out of range; allowed [0, 1]"),
    "infinite range of an integer": ("[vary]\ntargets_per_city = { min = 1, max = -inf, num = 2 }\n",
                                     "vary.targets_per_city.max: -inf is out of range; allowed [1, 8]"),
    "not TOML": ("[vary\nbarrier = 1\n", "not valid TOML"),
    "missing network file": ('[vary]\nbarrier = [0.5]\n[set]\nnetwork_file = "/nonexistent.csv"\n',
                             "point {'barrier': 0.5}: network_file: /nonexistent.csv does not exist"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_spec_fails_before_any_run_with_one_line_and_nothing_written(tmp_path, capsys, case):
    text, expected = BAD[case]
    spec = write(tmp_path, text)
    out = tmp_path / "results"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ydabm: error: {spec}: ") and err.count("\n") == 1
    assert expected in err
    assert not out.exists()
    with pytest.raises(ParameterError, match="spec.toml"):
        build_plan(spec)


def test_a_bad_policy_in_the_scenario_fails_the_sweep_before_any_run(tmp_path, capsys):
    write(tmp_path, '[[policy]]\ntype = "Liberalisation"\nstart_year = 2020\nprovinces = ["anhui"]\n', "anhui.toml")
    spec = write(tmp_path, 'scenario = "anhui.toml"\nsteps = 2\n[vary]\nbarrier = [0.5, 1.0]\n' + FAST)
    out = tmp_path / "results"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err == (f"ydabm: error: {spec}: scenario anhui.toml: policy 1 (Liberalisation): provinces: 'anhui' is not "
                   "a province of the yrd world (did you mean 'Anhui'?); allowed: Shanghai, Jiangsu, Zhejiang, Anhui, all\n")
    assert not out.exists()
    # a point that moves the run to another world is checked against that world
    with pytest.raises(ParameterError, match="point .*'racetrack'.* provinces: 'Shanghai' is not a province of the racetrack"):
        build_plan({"scenario": "unilateral_liberalisation", "vary": {"world": ["yrd", "racetrack"]}})


def test_missing_spec_file_and_bad_workers_fail_cleanly(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "nope.toml")]) == 2
    assert "no such spec file" in capsys.readouterr().err
    spec = write(tmp_path, "[vary]\nbarrier = [0.5]\n")
    assert main(["sweep", str(spec), "--workers", "0", "--out", str(tmp_path / "out")]) == 2
    assert "--workers" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*/*.toml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_experiment_specs_are_valid(path):
    plan = build_plan(path)
    assert plan.runs and plan.spec.steps >= 1


def test_main_job_is_an_11_by_11_grid_with_replicates_and_quick_is_smaller():
    full = build_plan(ROOT / "experiments/barrier_specialization/sweep.toml")
    quick = build_plan(ROOT / "experiments/barrier_specialization/quick.toml")
    assert full.varied == quick.varied == ("barrier", "specialization")
    assert len(full.runs) == 11 * 11 * full.spec.replicates and full.spec.replicates >= 2
    assert len(quick.runs) < len(full.runs) and quick.spec.replicates >= 2


def test_scenario_experiment_lists_every_yrd_scenario():
    plan = build_plan(ROOT / "experiments/scenarios/sweep.toml")
    assert list(plan.scenarios) == yrd_scenarios()
    assert "core_periphery" not in plan.scenarios and "baseline" in plan.scenarios


@pytest.mark.parametrize("name", list(SMALL))
def test_examples_are_small_versions_of_the_experiments(name):
    plan = build_plan(example_spec(name))
    assert len(plan.runs) <= 150 and plan.constants["people_per_agent"] >= 10000


def test_common_seeds_give_replicate_k_of_every_point_the_same_seed(tmp_path):
    plan = build_plan(write(tmp_path, "replicates = 3\nseed = 4\ncommon_seeds = true\n"
                                      '[vary]\nscenario = ["baseline", "integration"]\n'))
    children = np.random.SeedSequence(4).spawn(3)
    expected = [int(c.generate_state(1)[0]) for c in children]
    assert [r.seed for r in plan.runs] == expected * 2
    assert [r.scenario for r in plan.runs] == ["baseline"] * 3 + ["integration"] * 3


def test_a_list_at_the_top_level_points_to_vary():
    from ydabm.experiments.spec import parse_spec
    from ydabm.params import ParameterError
    with pytest.raises(ParameterError, match=r"scenario: .*to sweep over values, list them under \[vary\]"):
        parse_spec({"steps": 4, "scenario": ["baseline", "integration"]})
