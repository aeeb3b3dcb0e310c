"""ydabm report: the right figures for each design, as PNG and PDF, and indices that match a known
function. The model is replaced by a cheap analytic run_one, so these check the report's mechanics."""

import numpy as np
import pandas as pd
import pytest

from ydabm.cli import main
from ydabm.experiments import run_sweep
from ydabm.experiments import runner
from ydabm.experiments.report import cell_stats, load_results, morris_indices, sobol_indices

METRICS = 'metrics = ["similarity_manufacturing", "zombie_share"]\n'


def analytic_run(params, seed, *, steps, scenario, keep=("final",), metrics=None, series=False):
    """similarity = 4 barrier + 2 specialization (+ noise from the seed); zombie share = 1 - that."""
    noise = np.random.default_rng(seed).normal(0.0, 0.01)
    value = 4.0 * params.get("barrier", 0.5) + 2.0 * params.get("specialization", 0.5) + noise
    if scenario.name != "baseline":
        value += 1.0
    values = {"similarity_manufacturing": value, "zombie_share": 1.0 - value}
    frame = None
    if series:
        step = np.arange(steps + 1)
        frame = pd.DataFrame({"step": step, "year": 2020 + step // 4, "quarter": step % 4 + 1,
                              **{m: v * step / steps for m, v in values.items()}})
    return {"status": "ok", "error": None, "values": values, "series": frame, "seconds": 0.0, "host": "test"}


@pytest.fixture
def analytic(monkeypatch):
    monkeypatch.setattr(runner, "run_one", analytic_run)


def sweep(tmp_path, text, name="spec"):
    spec = tmp_path / f"{name}.toml"
    spec.write_text("steps = 4\n" + METRICS + text)
    return run_sweep(spec, tmp_path / name, workers=1, progress=False)


def figure_files(folder):
    return sorted(p.name for p in (folder / "figures").iterdir() if p.stat().st_size > 1000)


def test_barrier_by_specialization_grid_gives_heatmaps_of_mean_and_spread(tmp_path, analytic):
    out = sweep(tmp_path, "replicates = 3\n[vary]\nbarrier = { min = 0.0, max = 1.0, num = 3 }\n"
                          "specialization = [0.0, 1.0]\n")
    assert main(["report", str(out)]) == 0
    assert figure_files(out) == sorted(f"{stem}.{fmt}" for fmt in ("png", "pdf") for stem in
                                       ("heatmaps", "heatmap_similarity_manufacturing", "heatmap_zombie_share"))
    results = load_results(out)
    mean, spread = cell_stats(results.ok, "similarity_manufacturing")
    assert mean.shape == (2, 3) and list(mean.columns) == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(mean.to_numpy(), 4 * np.array([0.0, 0.5, 1.0]) + 2 * np.array([[0.0], [1.0]]), atol=0.05)
    assert (spread.to_numpy() > 0).all()


def test_one_dimensional_grid_gives_line_plots(tmp_path, analytic):
    out = sweep(tmp_path, "replicates = 2\n[vary]\nspecialization = { min = 0.0, max = 1.0, num = 4 }\n")
    assert main(["report", str(out), "--format", "png"]) == 0
    assert figure_files(out) == ["lines_specialization.png"]


def test_sobol_design_gives_index_bars_and_indices_of_a_known_function(tmp_path, analytic):
    out = sweep(tmp_path, '[design]\nmethod = "sobol"\nsamples = 64\n[vary]\nbarrier = { min = 0.0, max = 1.0 }\n'
                          "specialization = { min = 0.0, max = 1.0 }\nsoft_budget = { min = 0.0, max = 1.0 }\n")
    indices = sobol_indices(load_results(out), "similarity_manufacturing")
    # a linear function of uniform inputs: S1 = ST = a_i^2 / sum(a^2) = 0.8, 0.2, 0
    np.testing.assert_allclose(indices["S1"], [0.8, 0.2, 0.0], atol=0.1)
    np.testing.assert_allclose(indices["ST"], [0.8, 0.2, 0.0], atol=0.1)
    assert main(["report", str(out), "--format", "png", "pdf"]) == 0
    assert {"sobol.png", "sobol.pdf", "scatter.png"} <= set(figure_files(out))


def test_morris_design_ranks_parameters_by_their_effect(tmp_path, analytic):
    out = sweep(tmp_path, '[design]\nmethod = "morris"\nsamples = 10\n[vary]\nbarrier = { min = 0.0, max = 1.0 }\n'
                          "specialization = { min = 0.0, max = 1.0 }\nsoft_budget = { min = 0.0, max = 1.0 }\n")
    mu = morris_indices(load_results(out), "similarity_manufacturing")["mu_star"]
    assert mu["barrier"] > mu["specialization"] > 10 * mu["soft_budget"]


def test_scenario_sweep_gives_bars_and_series_against_baseline(tmp_path, analytic):
    out = sweep(tmp_path, 'series = true\nreplicates = 2\n[vary]\nscenario = ["baseline", "integration"]\n')
    assert main(["report", str(out), "--format", "png"]) == 0
    assert figure_files(out) == ["scenarios.png", "scenarios_over_time.png"]


def test_report_on_a_folder_without_results_fails_cleanly(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no runs.parquet and manifest.json" in capsys.readouterr().err
