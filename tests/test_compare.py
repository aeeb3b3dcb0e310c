"""ydabm compare: effects on matched seeds with the right standard errors and test, figures and
maps, matched seeds that are the sweep's, results folders compared, output folders kept safe."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ydabm.cli import main
from ydabm.experiments import comparison, effects, run_sweep, runner
from ydabm.experiments.report import HEADLINE
from ydabm.params import QUICK_SCALE
from ydabm.run import simulate

QUICK = [f"--set={k}={v}" for k, v in QUICK_SCALE.items()]


def analytic_observe(params, seed, *, steps, scenario, rule):
    """real_gdp: 1000 + seed noise every quarter, +5 + a little noise in any scenario but the baseline;
    zombie_share: 0.01 + seed noise, + noise of mean zero elsewhere (no effect)."""
    rng = np.random.default_rng(seed)
    step = np.arange(steps + 1)
    gdp = 1000 + rng.normal(0, 20, steps + 1)
    zombie = 0.01 + rng.normal(0, 0.002, steps + 1)
    if scenario.name != "baseline":
        other = np.random.default_rng(seed + 1)
        gdp = gdp + 5 + other.normal(0, 1, steps + 1)
        zombie = zombie + other.normal(0, 0.002, steps + 1)
    paths = pd.DataFrame({"step": step, "year": 2020 + step // 4, "quarter": step % 4 + 1,
                          "real_gdp": gdp, "zombie_share": zombie})
    return {"status": "ok", "error": None, "paths": paths, "cities": None}


@pytest.fixture
def analytic(monkeypatch):
    monkeypatch.setattr(comparison, "observe_run", analytic_observe)


def test_effects_table_has_the_paired_mean_se_t_and_p_of_the_per_seed_differences(tmp_path, analytic):
    out = tmp_path / "cmp"
    assert main(["compare", "--scenario", "integration", "--seeds", "6", "--steps", "12", "--workers", "1",
                 "--metrics", "real_gdp", "zombie_share", "--out", str(out)]) == 0
    values = pd.read_parquet(out / "values.parquet")
    paths = pd.read_parquet(out / "paths.parquet")
    table = pd.read_csv(out / "effects.csv", index_col="metric")
    # the statistic of a run is the mean of its last 8 quarters
    last = paths[paths["step"] >= 12 - 7].groupby(["arm", "seed"])["real_gdp"].mean()
    np.testing.assert_allclose(values.set_index(["arm", "seed"])["real_gdp"].sort_index(), last.sort_index())
    wide = values.pivot(index="seed", columns="arm", values=["real_gdp", "zombie_share"])
    for metric in ("real_gdp", "zombie_share"):
        gaps = (wide[(metric, "scenario")] - wide[(metric, "baseline")]).to_numpy()
        n, mean = len(gaps), gaps.mean()
        se = np.sqrt(((gaps - mean) ** 2).sum() / (n - 1)) / np.sqrt(n)
        t = mean / se
        p = 2 * stats.t.sf(abs(t), n - 1)
        row = table.loc[metric]
        assert n == 6 and row["n_baseline"] == row["n_scenario"] == 6
        np.testing.assert_allclose([row["effect"], row["se"], row["t"], row["p"], row["df"]],
                                   [mean, se, t, p, n - 1], rtol=1e-5)
        half = stats.t.ppf(0.975, n - 1) * se
        np.testing.assert_allclose([row["ci_low"], row["ci_high"]], [mean - half, mean + half], rtol=1e-5)
        assert row["significant"] == (p < 0.05)
        assert row["test"] == "paired t-test over 6 matched seeds"
    assert table.loc["real_gdp", "significant"] and table.loc["real_gdp", "effect"] == pytest.approx(5, abs=1)
    assert not table.loc["zombie_share", "significant"]
    assert table.loc["real_gdp", "unit"] == "100 M yuan/yr, 2020 prices"
    assert table.loc["real_gdp", "statistic"] == "mean of the last 8 quarters"
    for name in ("effects.png", "path_real_gdp.png", "path_zombie_share.png"):
        assert (out / name).stat().st_size > 1000
    record = json.loads((out / "compare.json").read_text())
    assert record["kind"] == "compare" and record["effect"] == "integration minus baseline"
    assert record["statistic"] == "mean_last:8" and record["test"] == "paired t-test over 6 matched seeds"


def test_matched_seeds_are_those_of_a_common_seed_sweep_and_the_baseline_is_a_plain_run(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "--scenario", "division_of_labor", "--seeds", "2", "--steps", "8", "--seed", "11",
                 "--workers", "1", "--out", str(out), *QUICK]) == 0
    values = pd.read_parquet(out / "values.parquet")
    spawned = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(11).spawn(2)]
    for arm in ("baseline", "scenario"):
        assert sorted(values.loc[values["arm"] == arm, "seed"]) == sorted(spawned)
    # same seed, same baseline: the baseline arm of seed k is the run `ydabm run --seed k` would make
    alone = simulate({**QUICK_SCALE}, 8, spawned[0]).model
    paths = pd.read_parquet(out / "paths.parquet")
    mine = paths[(paths["arm"] == "baseline") & (paths["seed"] == spawned[0])].sort_values("step")
    np.testing.assert_array_equal(mine["real_gdp"].to_numpy(), alone["real_gdp"].to_numpy())
    # per-city results and their maps
    cities = pd.read_csv(out / "city_effects.csv")
    assert set(cities["output"]) == set(comparison.MAPPED) and cities["city"].nunique() == 41
    city_values = pd.read_parquet(out / "city_values.parquet")
    assert city_values["similarity"].between(0, 1).all()
    for output in comparison.MAPPED:
        assert (out / f"map_{output}.png").stat().st_size > 1000


def test_city_similarity_is_the_mean_similarity_to_the_other_cities():
    frame = pd.DataFrame({"step": [0, 0, 0], "city": ["a", "b", "c"], "province": ["p", "p", "q"],
                          "employment_x": [1.0, 1.0, 0.0], "employment_y": [0.0, 1.0, 1.0]})
    found = comparison.city_statistic(frame, "final", ["employment_x", "employment_y"]).set_index("city")["similarity"]
    half = 1 / np.sqrt(2)  # cosine of (1, 0) and (1, 1)
    np.testing.assert_allclose(found[["a", "b", "c"]], [(half + 0) / 2, (half + half) / 2, (0 + half) / 2])


def test_two_folders_of_runs_on_the_same_seeds_are_compared_pair_by_pair(tmp_path):
    for arm, scenario in (("a", "baseline"), ("b", "integration")):
        for seed in (3, 4, 5):
            assert main(["run", "--scenario", scenario, "--steps", "6", "--seed", str(seed),
                         "--out", str(tmp_path / arm / f"seed{seed}"), *QUICK]) == 0
    out = tmp_path / "cmp"
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--statistic", "final",
                 "--metrics", "interprovincial_trade_share", "--out", str(out)]) == 0
    table = pd.read_csv(out / "effects.csv", index_col="metric")
    final = {arm: [pd.read_parquet(tmp_path / arm / f"seed{s}" / "model.parquet")["interprovincial_trade_share"]
                   .iloc[-1] for s in (3, 4, 5)] for arm in "ab"}
    expected = effects.paired(pd.Series(final["b"]), pd.Series(final["a"]))
    row = table.loc["interprovincial_trade_share"]
    np.testing.assert_allclose([row["effect"], row["se"]], [expected.value, expected.se], rtol=1e-6)
    assert row["test"] == "paired t-test over 3 matched seeds" and row["statistic"] == "value in the last quarter"
    assert json.loads((out / "compare.json").read_text())["effect"] == "integration minus baseline"
    assert (out / "path_interprovincial_trade_share.png").is_file() and (out / "map_net_migration.png").is_file()


def test_results_without_common_seeds_are_compared_with_welch(tmp_path, monkeypatch):
    def run_one(params, seed, *, steps, scenario, keep=("final",), metrics=None, series=False, cities=False):
        value = np.random.default_rng(seed).normal(params["barrier"], 0.1)
        return {"status": "ok", "error": None, "values": {"real_gdp_mean_last2": value, "real_gdp": value},
                "series": None, "seconds": 0.0, "host": "test"}
    monkeypatch.setattr(runner, "run_one", run_one)
    folders = []
    for barrier, seed in ((0.2, 1), (0.8, 2)):
        spec = tmp_path / f"b{barrier}.toml"
        spec.write_text(f'steps = 4\nreplicates = 4\nseed = {seed}\nkeep = ["final", "mean_last:2"]\n'
                        f'metrics = ["real_gdp"]\n[vary]\nbarrier = [{barrier}]\n')
        folders.append(run_sweep(spec, tmp_path / f"sweep{barrier}", workers=1, progress=False))
    compared = comparison.compare_folders(*folders, rule="mean_last:2", metrics=("real_gdp",))
    assert not compared.matched and compared.test == "Welch's t-test (seeds not matched)"
    row = comparison.effects_table(compared).loc["real_gdp"]
    a, b = (pd.read_parquet(f / "runs.parquet")["real_gdp_mean_last2"] for f in folders)
    assert row["effect"] == pytest.approx(b.mean() - a.mean())
    assert row["se"] == pytest.approx(np.sqrt(a.var(ddof=1) / 4 + b.var(ddof=1) / 4))
    assert compared.baseline.label == "sweep0.2"  # both ran the baseline scenario: labelled by folder


def test_a_sweep_of_several_points_is_refused(tmp_path, capsys):
    out = tmp_path / "sweep"
    (out).mkdir()
    pd.DataFrame({"run_id": [0, 1], "seed": [1, 2], "status": ["ok", "ok"], "error": [None, None],
                  "point": [0, 1], "replicate": [0, 0], "scenario": ["baseline"] * 2}).to_parquet(out / "runs.parquet")
    (out / "manifest.json").write_text(json.dumps({"name": "s", "varied": ["barrier"], "keep": ["final"],
                                                   "metrics": [], "design": {"method": "grid"}, "spec": {}}))
    assert main(["compare", str(out), str(out), "--out", str(tmp_path / "cmp")]) == 2
    assert "2 design points" in capsys.readouterr().err
    assert not (tmp_path / "cmp").exists()


def test_output_folder_of_other_files_is_refused_unless_forced_and_a_comparison_is_replaced(tmp_path, analytic,
                                                                                          capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = ["compare", "--scenario", "integration", "--seeds", "2", "--steps", "8", "--workers", "1",
            "--metrics", "real_gdp", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a comparison" in err and "--force" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert main([*args, "--force"]) == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "effects.csv").is_file()
    stale = out / "path_zombie_share.png"
    stale.write_bytes(b"old figure")
    assert main(args) == 0  # a comparison is there: replaced without --force
    assert not stale.exists() and (out / "notes.txt").is_file()


@pytest.mark.parametrize("args, message", [
    (["--scenario", "baseline"], "nothing to compare"),
    (["--scenario", "integration", "--seeds", "1"], "at least 2 matched seeds"),
    (["--scenario", "integration", "--statistic", "mean_last:0"], "--statistic"),
    (["--scenario", "integration", "--steps", "4", "--statistic", "mean_last:9"], "needs 9 quarters"),
    (["--scenario", "integration", "--metrics", "real_gpd"], "did you mean 'real_gdp'"),
    (["--scenario", "integration", "--set", "barrier=7"], "barrier"),
    (["--scenario", "no_such_scenario"], "no_such_scenario"),
    (["a", "b", "--seeds", "3"], "--seeds: only when compare runs the model"),
    ([], "give --scenario NAME"),
])
def test_bad_input_fails_with_one_line_before_any_run(tmp_path, capsys, args, message):
    out = tmp_path / "cmp"
    assert main(["compare", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not out.exists()


def test_a_failed_run_is_recorded_and_its_seed_leaves_the_pairs(tmp_path, monkeypatch, capsys):
    bad = int(np.random.SeedSequence(5).spawn(4)[1].generate_state(1)[0])

    def failing(params, seed, *, steps, scenario, rule):
        if seed == bad and scenario.name != "baseline":
            return {"status": "failed", "error": "RuntimeError: boom", "paths": None, "cities": None}
        return analytic_observe(params, seed, steps=steps, scenario=scenario, rule=rule)
    monkeypatch.setattr(comparison, "observe_run", failing)
    out = tmp_path / "cmp"
    assert main(["compare", "--scenario", "integration", "--seeds", "4", "--seed", "5", "--steps", "8",
                 "--workers", "1", "--metrics", "real_gdp", "--out", str(out)]) == 1
    assert f"integration seed {bad} failed: RuntimeError: boom" in capsys.readouterr().err
    values = pd.read_parquet(out / "values.parquet")
    failed = values[values["status"] == "failed"]
    assert list(zip(failed["arm"], failed["seed"], failed["error"])) == [("scenario", bad, "RuntimeError: boom")]
    row = pd.read_csv(out / "effects.csv", index_col="metric").loc["real_gdp"]
    assert row["n_baseline"] == row["n_scenario"] == 3 and row["test"] == "paired t-test over 3 matched seeds"


def test_by_default_a_comparison_shows_the_headline_metrics_productivity_and_welfare(tmp_path):
    """Without --metrics: the headline metrics, aggregate productivity and real income (the welfare
    measure of validate costs), each with its label and unit, and a path figure each."""
    out = tmp_path / "cmp"
    assert main(["compare", "--scenario", "coordinated_targets", "--seeds", "2", "--steps", "8", "--workers", "1",
                 "--out", str(out), *QUICK]) == 0
    table = pd.read_csv(out / "effects.csv", index_col="metric")
    assert list(table.index) == list(comparison.DEFAULT_METRICS)
    assert set(HEADLINE) < set(table.index)
    assert table.loc["real_income", "unit"] == "100 M yuan/yr, 2020 prices"
    assert table.loc["aggregate_productivity", "label"] == "Aggregate productivity (output-weighted)"
    assert (out / "path_real_income.png").is_file() and (out / "path_aggregate_productivity.png").is_file()
