"""ydabm report: the right figures for each design, the metrics the spec kept, effects and
interactions with the right standard errors, shared colour scales, noise marked, units and statistic
stated, scenario names not paths. The model is replaced by a cheap analytic run_one, so these check
the report's mechanics."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from ydabm.cli import main
from ydabm.experiments import run_sweep
from ydabm.experiments import runner
from ydabm.geography.boundaries import city_province
from ydabm.experiments.report import (NOISE_HATCH, city_contrasts, city_map_figure, design_cells, figures,
                                      grid_effects, grid_figure, load_results, make_report, morris_indices,
                                      scenario_differences, scenario_figure, sobol_indices)
from ydabm.labels import CITY, MODEL, metric_label
from ydabm.model import CITY_METRICS, MODEL_METRICS
from ydabm.params import ParameterError
from ydabm.viz.maps import city_paths
from ydabm.report import MIN_RELATIVE_RANGE, summary_figure

METRICS = 'metrics = ["similarity_manufacturing", "zombie_share", "krugman_index"]\nkeep = ["final", "mean_last:2"]\n'


def analytic_run(params, seed, *, steps, scenario, keep=("final",), metrics=None, series=False, cities=False):
    """similarity = 4 barrier + 2 specialization + 3 barrier x specialization (+ noise from the seed,
    + 1 outside the baseline scenario); zombie share = 0.05 + 0.5 barrier (+ noise); Krugman = 1 (+ noise).
    With ``cities``, the city outputs of :func:`analytic_cities`."""
    rng = np.random.default_rng(seed)
    b, s = params.get("barrier", 0.5), params.get("specialization", 0.5)
    value = 4.0 * b + 2.0 * s + 3.0 * b * s + rng.normal(0.0, 0.01) + (scenario.name != "baseline")
    levels = {"similarity_manufacturing": value, "zombie_share": 0.05 + 0.5 * b + rng.normal(0.0, 0.01),
              "krugman_index": 1.0 + rng.normal(0.0, 0.01)}
    values = {f"{m}_mean_last2": v for m, v in levels.items()} | {m: v for m, v in levels.items()}
    frame = None
    if series:
        step = np.arange(steps + 1)
        frame = pd.DataFrame({"step": step, "year": 2020 + step // 4, "quarter": step % 4 + 1,
                              **{m: v * step / steps for m, v in levels.items()}})
    own = np.random.default_rng([seed, len(scenario.name), int(1000 * b), int(1000 * s)])
    by_city = analytic_cities(b, scenario.name != "baseline", rng, own) if cities else None
    return {"status": "ok", "error": None, "values": values, "series": frame, "cities": by_city, "seconds": 0.0,
            "host": "test"}


def analytic_cities(barrier, other_scenario, rng, own):
    """Every YRD city; the odd-numbered ones (in boundary-file order) respond to the barrier and to
    a scenario other than the baseline, the even ones do not (their effects are noise). Noise: a
    large part from the run's seed (``rng``: shared by the runs of a replicate with common seeds)
    and a small part of the run's own (``own``)."""
    names = city_province()
    k = np.arange(len(names))
    moved = (k % 2 == 1) * (barrier + other_scenario)

    def noise(sd):
        return rng.normal(0, sd, len(k)) + own.normal(0, sd / 10, len(k))
    return pd.DataFrame({"city": list(names), "province": list(names.values()),
                         "net_migration": 100.0 * (k - 20) + 200.0 * moved + noise(50),
                         "similarity": 0.5 + 0.1 * moved + noise(0.05),
                         "zombie_share": 0.05 + 0.02 * moved + noise(0.005),
                         "real_gdp": 1000.0 + 10 * k - 50.0 * moved + noise(50),
                         "wage": 5e4 + 100 * k + 1e3 * moved + noise(500)})


@pytest.fixture
def analytic(monkeypatch):
    monkeypatch.setattr(runner, "run_one", analytic_run)


def sweep(tmp_path, text, name="spec", cities=False):
    spec = tmp_path / f"{name}.toml"
    spec.write_text(f"steps = 4\nkeep_cities = {str(cities).lower()}\n" + METRICS + text)
    return run_sweep(spec, tmp_path / name, workers=1, progress=False)


def figure_files(folder):
    return sorted(p.name for p in (folder / "figures").iterdir() if p.stat().st_size > 1000)


GRID = "replicates = 3\n[vary]\nbarrier = { min = 0.0, max = 1.0, num = 3 }\nspecialization = [0.0, 1.0]\n"


def test_two_factor_grid_draws_every_metric_the_spec_kept(tmp_path, analytic):
    out = sweep(tmp_path, GRID)
    assert main(["report", str(out)]) == 0
    stems = ("heatmaps", "heatmap_similarity_manufacturing", "heatmap_zombie_share", "heatmap_krugman_index")
    assert figure_files(out) == sorted(f"{stem}.{fmt}" for fmt in ("png", "pdf") for stem in stems)


def test_cell_effects_and_interaction_match_a_hand_computation_with_pooled_variance(tmp_path, analytic):
    results = load_results(sweep(tmp_path, "replicates = 3\n[vary]\nbarrier = [0.0, 1.0]\n"
                                           "specialization = [0.0, 1.0]\n"))
    column = results.column("similarity_manufacturing")
    assert column == "similarity_manufacturing_mean_last2"
    runs = results.ok
    cells = runs.groupby(["specialization", "barrier"])[column]
    m, var = cells.mean(), cells.var(ddof=1)
    pooled = np.sqrt(var.mean())  # equal cells: the mean of the cell variances, 4 x 2 degrees of freedom
    table = grid_effects(results, "similarity_manufacturing", "barrier", "specialization",
                         {"barrier": 0.0, "specialization": 0.0})
    row = table.loc[(1.0, 1.0)]
    interaction = m[(1.0, 1.0)] - (m[(1.0, 0.0)] + m[(1.0, 1.0)]) / 2 - (m[(0.0, 1.0)] + m[(1.0, 1.0)]) / 2 + m.mean()
    assert row["interaction"] == pytest.approx(interaction)
    assert row["interaction"] == pytest.approx(3.0 / 4, abs=0.03)  # 3 b s on the unit square
    assert row["interaction_se"] == pytest.approx(pooled * np.sqrt(4 * (1 / 4) ** 2 / 3))  # coefficients +-1/4, n = 3
    assert row["effect"] == pytest.approx(m[(1.0, 1.0)] - m[(0.0, 0.0)])
    assert row["effect_se"] == pytest.approx(pooled * np.sqrt(2 / 3))
    assert row["effect_significant"] and row["interaction_significant"]
    assert design_cells(results, "similarity_manufacturing").df == 8


def test_with_common_seeds_contrasts_are_paired_by_replicate(tmp_path, analytic):
    results = load_results(sweep(tmp_path, "common_seeds = true\nreplicates = 4\n[vary]\nbarrier = [0.0, 1.0]\n"
                                           "specialization = [0.0, 1.0]\n"))
    column = results.column("zombie_share")
    wide = results.ok.pivot_table(index="replicate", columns=["specialization", "barrier"], values=column)
    per_replicate = (wide[(1.0, 1.0)] - wide[(1.0, 0.0)] - wide[(0.0, 1.0)] + wide[(0.0, 0.0)]) / 4
    row = grid_effects(results, "zombie_share", "barrier", "specialization",
                       {"barrier": 0.0, "specialization": 0.0}).loc[(1.0, 1.0)]
    assert row["interaction"] == pytest.approx(per_replicate.mean())
    assert row["interaction_se"] == pytest.approx(per_replicate.std(ddof=1) / 2)
    assert not row["interaction_significant"]  # zombie share has no interaction: within noise


def test_difference_panels_share_one_colour_scale_and_mark_what_is_within_noise(tmp_path, analytic):
    results = load_results(sweep(tmp_path, GRID))
    baseline = results.baseline(["barrier", "specialization"])
    assert baseline == {"barrier": 0.5, "specialization": 0.0}  # barrier's default is on the grid, 0.5 is not
    fig = grid_figure(results, "zombie_share", "barrier", "specialization", baseline)
    means, effect, interaction, lines = fig.axes[:4]
    shared = effect.images[0].norm
    assert (shared.vmin, shared.vmax) == (interaction.images[0].norm.vmin, interaction.images[0].norm.vmax)
    assert shared.vmin == pytest.approx(-shared.vmax)
    # zombie share follows the barrier only: the cells at the baseline barrier are within noise
    table = grid_effects(results, "zombie_share", "barrier", "specialization", baseline)
    noisy = table.drop(index=(0.0, 0.5))
    noisy = noisy[~noisy["effect_significant"]]
    assert set(noisy.index.get_level_values("barrier")) == {0.5}
    hatched = [(p.get_x() + 0.5, p.get_y() + 0.5) for p in effect.patches if p.get_hatch() == NOISE_HATCH]
    assert hatched == [(1.0, 1.0)] and len(hatched) == len(noisy)  # column: barrier 0.5; row: specialization 1
    # the mean panel's colour scale spans at least +-1 % of the baseline cell
    level = table.loc[(0.0, 0.5), "mean"]
    assert means.images[0].norm.vmax - means.images[0].norm.vmin >= 2 * MIN_RELATIVE_RANGE * level * (1 - 1e-9)
    # units and the statistic are stated
    assert "Zombie-firm share (share of the firm mass, 0-1), mean of the last 2 quarters" in fig._suptitle.get_text()
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "share of the firm mass, 0-1" in labels and labels.count("difference, share of the firm mass, 0-1") >= 3
    assert any(text.get_text().startswith("within noise") for text in lines.get_legend().get_texts())


def test_a_chosen_baseline_cell_is_outlined_and_a_bad_one_refused(tmp_path, analytic):
    results = load_results(sweep(tmp_path, GRID))
    drawn = figures(results, baseline="barrier=1,specialization=1")
    outlined = [p for p in drawn["heatmap_zombie_share"].axes[0].patches
                if isinstance(p, Rectangle) and p.get_linewidth() == 2]
    assert [(p.get_x() + 0.5, p.get_y() + 0.5) for p in outlined] == [(2.0, 1.0)]
    with pytest.raises(ParameterError, match="barrier=0.3 is not a level of barrier; levels: 0, 0.5, 1"):
        make_report(results, tmp_path / "figs", ("png",), baseline="barrier=0.3")
    with pytest.raises(ParameterError, match="soft_budget is not varied"):
        make_report(results, tmp_path / "figs", ("png",), baseline={"soft_budget": 0.1})


def test_report_command_takes_a_baseline_cell(tmp_path, analytic, capsys):
    out = sweep(tmp_path, GRID)
    assert main(["report", str(out), "--format", "png", "--baseline", "barrier=1,specialization=1"]) == 0
    assert main(["report", str(out), "--format", "png", "--force", "--baseline", "barrier=0.3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "barrier=0.3 is not a level of barrier" in err[0]


def test_one_dimensional_grid_gives_line_plots(tmp_path, analytic):
    out = sweep(tmp_path, "replicates = 2\n[vary]\nspecialization = { min = 0.0, max = 1.0, num = 4 }\n")
    assert main(["report", str(out), "--format", "png"]) == 0
    assert figure_files(out) == ["lines_specialization.png"]


def test_sobol_design_gives_index_bars_and_indices_of_a_known_function(tmp_path, analytic):
    out = sweep(tmp_path, '[design]\nmethod = "sobol"\nsamples = 64\n[vary]\nbarrier = { min = 0.0, max = 1.0 }\n'
                          "specialization = { min = 0.0, max = 1.0 }\nsoft_budget = { min = 0.0, max = 1.0 }\n")
    indices = sobol_indices(load_results(out), "zombie_share")
    # a linear function of uniform inputs: S1 = ST = 1, 0, 0 (only the barrier acts)
    np.testing.assert_allclose(indices["S1"], [1.0, 0.0, 0.0], atol=0.1)
    np.testing.assert_allclose(indices["ST"], [1.0, 0.0, 0.0], atol=0.1)
    assert main(["report", str(out), "--format", "png", "pdf"]) == 0
    assert {"sobol.png", "sobol.pdf", "scatter.png"} <= set(figure_files(out))


def test_morris_design_ranks_parameters_by_their_effect(tmp_path, analytic):
    out = sweep(tmp_path, '[design]\nmethod = "morris"\nsamples = 10\n[vary]\nbarrier = { min = 0.0, max = 1.0 }\n'
                          "specialization = { min = 0.0, max = 1.0 }\nsoft_budget = { min = 0.0, max = 1.0 }\n")
    mu = morris_indices(load_results(out), "similarity_manufacturing")["mu_star"]
    assert mu["barrier"] > mu["specialization"] > 10 * mu["soft_budget"]


def test_scenarios_are_points_with_intervals_named_without_their_path(tmp_path, analytic):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "my_case.toml").write_text('description = "a test case"\n[params]\nbarrier = 0.5\n')
    out = sweep(tmp_path, 'series = true\ncommon_seeds = true\nreplicates = 3\n'
                          '[vary]\nscenario = ["baseline", "cases/my_case.toml"]\n')
    assert main(["report", str(out), "--format", "png"]) == 0
    assert figure_files(out) == ["scenarios.png", "scenarios_over_time.png"]
    results = load_results(out)
    differences = scenario_differences(results).loc["cases/my_case.toml"]
    assert differences.loc["similarity_manufacturing", "effect"] == pytest.approx(1.0)  # paired: the noise cancels
    assert differences.loc["similarity_manufacturing", "significant"]
    fig = scenario_figure(results)
    for ax, metric in zip(fig.axes, results.headline()):
        assert [t.get_text() for t in ax.get_xticklabels()] == ["my_case"]
        assert not [c for c in ax.containers if type(c).__name__ == "BarContainer"]  # no bars from zero
        level = results.ok.loc[results.ok["scenario"] == "baseline", results.column(metric)].mean()
        low, high = ax.get_ylim()
        assert high - low >= 2 * MIN_RELATIVE_RANGE * abs(level) * (1 - 1e-9)
        assert ax.get_ylabel().startswith("difference, ")
    assert "my_case" not in fig._suptitle.get_text() and "minus baseline" in fig._suptitle.get_text()


def test_report_on_a_folder_without_results_fails_cleanly(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no runs.parquet and manifest.json" in capsys.readouterr().err


def test_summary_figure_states_the_set_values_and_units_and_keeps_a_minimum_range(tmp_path):
    step = np.arange(9)
    model = pd.DataFrame({"step": step, "year": 2020 + step // 4, "quarter": step % 4 + 1,
                          **{m: 1.0 + 1e-6 * step for m in MODEL_METRICS}})
    model["real_gdp"] = 250_000 + 10.0 * step  # +0.03 %: must not fill the panel
    fig = summary_figure(model, tmp_path / "summary.png", title="ydabm: baseline, seed 7",
                         settings={"barrier": 0.8, "specialization": 0.2})
    assert fig._suptitle.get_text() == "ydabm: baseline, seed 7; barrier=0.8, specialization=0.2"
    panel = next(ax for ax in fig.axes if ax.get_title().startswith("Real GDP"))
    assert panel.get_title() == "Real GDP (100 M yuan/yr, 2020 prices)"
    low, high = panel.get_ylim()
    assert high - low >= 2 * MIN_RELATIVE_RANGE * 250_000 * 0.999
    assert (tmp_path / "summary.png").stat().st_size > 1000


def test_every_metric_and_city_output_has_a_label_and_unit():
    assert set(MODEL_METRICS) == set(MODEL)
    assert set(CITY_METRICS) <= set(CITY)
    assert metric_label("real_gdp", "mean_last:8") == \
        "Real GDP (100 M yuan/yr, 2020 prices), mean of the last 8 quarters"
    assert metric_label("net_migration", "final", city=True) == \
        "Net migration (persons/quarter), value in the last quarter"
    assert metric_label("employment_steel_metals", city=True) == "Employment in steel metals (persons)"


def test_a_non_negative_level_scale_starts_at_zero():
    from ydabm.experiments.report import level_norm
    # zombie shares of about 1e-4 with a standard error of 1e-4: the +-3 SE floor would reach -2e-4
    norm = level_norm([1e-4, 1.5e-4], 1e-4, 1.2e-4)
    assert norm.vmin == 0.0 and norm.vmax > 1.5e-4
    signed = level_norm([-1e-4, 1.5e-4], 1e-4, 0.0)                  # a signed quantity keeps its span
    assert signed.vmin < 0


# --------------------------------------------------------------------------- city outputs and maps
MAPPED = ("net_migration", "similarity", "zombie_share", "real_gdp", "wage")


class Killed(Exception):
    """Stands for a sweep killed mid-way."""


def test_a_sweep_keeps_every_runs_cities_once_and_a_resumed_sweep_adds_the_rest(tmp_path, monkeypatch):
    calls = []

    def dies_at_the_fourth_run(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise Killed
        return analytic_run(*args, **kwargs)
    monkeypatch.setattr(runner, "run_one", dies_at_the_fourth_run)
    with pytest.raises(Killed):
        sweep(tmp_path, GRID, cities=True)  # 6 points x 3 replicates
    out = tmp_path / "spec"
    before = pd.read_parquet(out / "cities.parquet")
    assert sorted(before["run_id"].unique()) == [0, 1, 2] and len(before) == 3 * 41
    assert sorted(p.name for p in (out / "cities").iterdir()) == ["000000.parquet", "000001.parquet", "000002.parquet"]
    monkeypatch.setattr(runner, "run_one", analytic_run)
    run_sweep(out.with_suffix(".toml"), out, workers=1, progress=False, resume=True)
    cities = pd.read_parquet(out / "cities.parquet")
    assert cities.groupby(["run_id", "city"]).size().eq(1).all() and len(cities) == 18 * 41
    assert list(cities.columns) == ["run_id", "city", "province", *MAPPED]
    pd.testing.assert_frame_equal(cities[cities["run_id"] < 3], before)
    assert not (out / "cities").exists()
    # a complete sweep resumed runs nothing and keeps its cities as they are
    run_sweep(out.with_suffix(".toml"), out, workers=1, progress=False, resume=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "cities.parquet"), cities)


def test_keep_cities_false_keeps_no_cities_and_draws_no_maps(tmp_path, analytic):
    out = sweep(tmp_path, "replicates = 2\n[vary]\nbarrier = [0.0, 1.0]\n")
    assert not (out / "cities.parquet").exists() and not (out / "cities").exists()
    assert load_results(out).cities is None and city_contrasts(load_results(out)) is None


def drawn_effects(fig, panel):
    """The effect by city that a map panel draws (NaN: grey, within noise), by city name."""
    values = fig.axes[panel].collections[0].get_array()
    return pd.Series(np.ma.filled(values.astype(float), np.nan), index=list(city_paths()))


def test_scenario_maps_draw_each_scenarios_paired_effect_by_city_grey_within_noise(tmp_path, analytic):
    from scipy import stats
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "my_case.toml").write_text('description = "a test case"\n[params]\nbarrier = 0.5\n')
    out = sweep(tmp_path, 'common_seeds = true\nreplicates = 4\n'
                          '[vary]\nscenario = ["baseline", "integration", "cases/my_case.toml"]\n', cities=True)
    assert main(["report", str(out), "--format", "png"]) == 0
    assert figure_files(out) == sorted(["scenarios.png", *(f"map_scenario_{o}.png" for o in MAPPED)])
    results = load_results(out)
    contrasts = city_contrasts(results)
    assert contrasts.factor == "scenario" and contrasts.reference == "baseline" and contrasts.fixed == {}
    fig = city_map_figure(results, contrasts, "net_migration")
    assert [ax.get_title().splitlines()[0] for ax in fig.axes[:3]] == [
        "baseline: mean over runs", "integration minus baseline", "my_case minus baseline"]
    assert "Net migration (persons/quarter), mean of the last 2 quarters" in " ".join(fig._suptitle.get_text().split())
    assert "difference, persons/quarter" in [ax.get_ylabel() for ax in fig.axes]
    # by hand from the stored rows: replicate k of every scenario shares a seed, so the effect is the
    # mean over replicates of integration minus baseline, tested with the paired t-test
    runs = pd.read_parquet(out / "runs.parquet")[["run_id", "replicate", "scenario"]]
    rows = pd.read_parquet(out / "cities.parquet").merge(runs, on="run_id")
    wide = rows.pivot_table(index=["city", "replicate"], columns="scenario", values="net_migration")
    gaps = (wide["integration"] - wide["baseline"]).unstack("replicate")
    effect = gaps.mean(axis=1)
    p = stats.ttest_1samp(gaps, 0.0, axis=1).pvalue
    drawn = drawn_effects(fig, 1).reindex(effect.index)
    city = "Nanjing"
    assert drawn[city] == pytest.approx(effect[city]) and effect[city] == pytest.approx(200, abs=20)
    np.testing.assert_allclose(drawn[p < 0.05], effect[p < 0.05])
    assert drawn[p >= 0.05].isna().all() and drawn.isna().sum() > 10  # grey: within noise
    order = list(city_province())
    responding = [c for c in effect.index if order.index(c) % 2 == 1]
    assert drawn[responding].notna().all()
    plt.close(fig)


def test_grid_maps_draw_the_first_factor_at_the_baseline_level_of_the_other(tmp_path, analytic):
    from scipy import stats
    out = sweep(tmp_path, "replicates = 3\n[vary]\nbarrier = [0.0, 1.0]\nspecialization = [0.0, 1.0]\n",
                cities=True)
    results = load_results(out)
    contrasts = city_contrasts(results)
    fixed = results.baseline(["specialization"])
    assert (contrasts.factor, contrasts.reference, contrasts.fixed) == ("barrier", 0.0, fixed)
    drawn = figures(results)
    maps = sorted(stem for stem in drawn if stem.startswith("map_"))
    assert maps == sorted(f"map_barrier_{o}" for o in MAPPED)
    fig = drawn["map_barrier_zombie_share"]
    assert fig.axes[1].get_title().startswith("barrier=1 minus barrier=0")
    title = " ".join(fig._suptitle.get_text().split())
    assert f"effect of barrier by city at specialization={fixed['specialization']:g}" in title
    assert "Zombie share (share of the city's firm mass, 0-1), mean of the last 2 quarters" in title
    # by hand: no common seeds, so the difference of the two cells' means with Welch's test
    runs = pd.read_parquet(out / "runs.parquet")[["run_id", "barrier", "specialization"]]
    rows = pd.read_parquet(out / "cities.parquet").merge(runs, on="run_id")
    rows = rows[rows["specialization"] == fixed["specialization"]]
    city = "Nanjing"
    high, low = (rows.loc[(rows["city"] == city) & (rows["barrier"] == b), "zombie_share"] for b in (1.0, 0.0))
    test = stats.ttest_ind(high, low, equal_var=False)
    assert test.pvalue < 0.05
    assert drawn_effects(fig, 1)[city] == pytest.approx(high.mean() - low.mean())
    for other in drawn.values():
        plt.close(other)
