"""Core–periphery check (``ydabm validate core-periphery``): the model's goods-market functions,
closed with free entry and markup pricing, reproduce Krugman's (1991) break and sustain points.

Tolerance: the brief allows up to 5 %; the model estimates agree with the analytic values
(FKV 1999, ch. 5) to better than 1e-6 relative, since the two computations solve the same
equations, so the tests require 1e-6. The agent-based panel is skipped (``--no-abm``).
"""

import json

import numpy as np
import pandas as pd
import pytest

from ydabm.cli import main
from ydabm.validation import theory
from ydabm.validation.core_periphery import (
    model_break_point,
    model_sustain_point,
    real_wage_gap,
    short_run_equilibrium,
)

KEYS = ("analytic_break", "analytic_sustain", "model_break", "model_sustain")


def test_model_market_reproduces_fkv_break_and_sustain_points():
    # MODEL_SPEC §6: sigma = 5, mu = 0.4 gives T_b ~ 1.627 and T_s ~ 1.807
    assert model_break_point(5.0, 0.4) == pytest.approx(1.627, abs=5e-4)
    assert model_sustain_point(5.0, 0.4) == pytest.approx(1.807, abs=5e-4)
    assert model_break_point(5.0, 0.4) == pytest.approx(theory.break_point(5.0, 0.4), rel=1e-6)
    assert model_sustain_point(5.0, 0.4) == pytest.approx(theory.sustain_point(5.0, 0.4), rel=1e-6)


def test_a_second_pair_sigma_4_mu_03():
    assert model_break_point(4.0, 0.3) == pytest.approx(theory.break_point(4.0, 0.3), rel=1e-6)
    assert model_sustain_point(4.0, 0.3) == pytest.approx(theory.sustain_point(4.0, 0.3), rel=1e-6)


def test_symmetric_split_gives_equal_unit_wages_and_the_wage_bill_adds_up():
    symmetric = short_run_equilibrium(0.5, 1.7, 5.0, 0.4)
    np.testing.assert_allclose(symmetric["wage"], [1.0, 1.0], atol=1e-10)
    # zero profit: manufacturing revenue mu * income = wage bill, so sum of lambda_i w_i = 1
    uneven = short_run_equilibrium(0.7, 1.7, 5.0, 0.4)
    assert 0.7 * uneven["wage"][0] + 0.3 * uneven["wage"][1] == pytest.approx(1.0, abs=1e-9)


def test_wages_equal_the_analytic_ones_and_real_wage_gaps_are_proportional():
    shares = np.array([0.0, 0.2, 0.7, 1.0])
    model = short_run_equilibrium(shares, 1.7, 5.0, 0.4)
    for k, share in enumerate(shares):
        np.testing.assert_allclose(model["wage"][k], theory.short_run_equilibrium(share, 1.7, 5.0, 0.4)["w"],
                                   rtol=1e-9)
    # the model's CPI includes a constant agricultural price index, so gaps differ by one factor
    ratio = real_wage_gap(shares, 1.7, 5.0, 0.4) / theory.real_wage_gap(shares, 1.7, 5.0, 0.4)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-7)


def test_black_hole_is_rejected_with_exit_2(capsys):
    assert main(["validate", "core-periphery", "--sigma", "2", "--mu", "0.6", "--no-abm"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "no-black-hole" in error and "sigma=2.0" in error and "mu=0.6" in error


@pytest.mark.parametrize("sigma, mu", [("1", "0.3"), ("4", "0"), ("4", "1.2")])
def test_sigma_at_most_1_or_mu_outside_unit_interval_exits_2(sigma, mu, capsys):
    assert main(["validate", "core-periphery", "--sigma", sigma, "--mu", mu, "--no-abm"]) == 2
    assert "core-periphery: need" in capsys.readouterr().err


def test_command_prints_json_and_writes_figure(tmp_path, capsys):
    out = tmp_path / "core_periphery"
    assert main(["validate", "core-periphery", "--sigma", "5", "--mu", "0.4", "--json", "--no-abm",
                 "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in KEYS:
        assert key in summary
    assert summary["model_break"] == pytest.approx(1.6266, abs=1e-4)
    assert (out / "core_periphery.png").stat().st_size > 10_000
    assert json.loads((out / "summary.json").read_text()) == summary
    assert json.loads((out / "manifest.json").read_text())["sigma"] == 5.0


@pytest.mark.slow
def test_agent_based_panel_records_paths(tmp_path, capsys):
    out = tmp_path / "core_periphery"
    assert main(["validate", "core-periphery", "--quarters", "8", "--out", str(out)]) == 0
    assert "agent-based runs" in capsys.readouterr().out
    paths = (out / "abm_paths.csv").read_text().splitlines()
    assert len(paths) == 1 + 3 * 2 * 9          # header, 3 trade costs x 2 starts x quarters 0..8


def test_an_estimate_more_than_5_percent_off_exits_1(tmp_path, monkeypatch, capsys):
    from ydabm.validation import core_periphery

    def off_check(sigma, mu, **options):
        summary = {"analytic_break": 1.6, "analytic_sustain": 1.8, "model_break": 1.6 * 1.06,
                   "model_sustain": 1.8, "break_error": 0.06, "sustain_error": 0.0}
        empty = pd.DataFrame({"T": [], "lambda": [], "stable": []})
        return core_periphery.CorePeripheryCheck(sigma, mu, summary, empty, empty, pd.DataFrame(),
                                                 {"market": 0.0, "abm": 0.0})

    monkeypatch.setattr(core_periphery, "check_core_periphery", off_check)
    assert main(["validate", "core-periphery", "--no-abm", "--out", str(tmp_path)]) == 1
    assert "NOT within 5%" in capsys.readouterr().out
