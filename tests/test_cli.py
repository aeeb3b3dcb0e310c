"""The ydabm command: outputs of a run, listings, and bad input (clear message, exit 2, nothing written)."""

import json
import os
import stat
import subprocess
import sys

import pandas as pd
import pytest

from ydabm.cli import main
from ydabm.model import MODEL_METRICS
from ydabm.params import QUICK_SCALE

SMALL = [arg for name, value in QUICK_SCALE.items() for arg in ("--set", f"{name}={value:g}")]


def test_run_writes_results(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--steps", "4", "--seed", "3", "--out", str(out), *SMALL]) == 0
    model = pd.read_parquet(out / "model.parquet")
    assert list(model.columns[:3]) == ["step", "year", "quarter"]
    assert set(MODEL_METRICS) <= set(model.columns)
    assert len(model) == 5
    cities = pd.read_parquet(out / "cities.parquet")
    for column in ("step", "city", "province", "population", "gdp", "wage", "price_index", "housing_cost",
                   "firms", "net_migration", "employment_electronics_ic"):
        assert column in cities.columns
    assert len(cities) == 5 * 41
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["params"]["people_per_agent"] == 20000
    assert manifest["settings"] == {"people_per_agent": 20000}      # what the user set, for the figure title
    for key in ("ydabm", "python", "numpy", "mesa", "wall_time_s", "git_commit"):
        assert key in manifest
    # the real enterprises one firm agent stands for, as the set-up made them: at 20,000 people per agent
    # its floor of one firm agent per city-sector makes 514 agents where 322 are asked, so an agent
    # employs 23.5 x 322 / 514 worker agents, not workers_per_firm's 23.5
    assert manifest["enterprises_per_firm_agent"] == pytest.approx(20000 * 23.5 * 322 / 514 / 17.6, rel=1e-9)
    assert (out / "summary.png").stat().st_size > 10_000
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask  # a results folder, not a private one


def test_same_seed_gives_identical_model_parquet(tmp_path):
    for name in ("a", "b"):
        assert main(["run", "--steps", "3", "--seed", "9", "--out", str(tmp_path / name), *SMALL]) == 0
    a = pd.read_parquet(tmp_path / "a" / "model.parquet")
    b = pd.read_parquet(tmp_path / "b" / "model.parquet")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("args, message", [
    (["--set", "barrier=1.5"], "barrier: '1.5' is out of range; allowed [0, 1]\n"),  # no "(1)" unit
    (["--set", "exit_after=99"], "exit_after: '99' is out of range; allowed [1, 40] (quarters)\n"),
    # beyond 75,000 people per agent the set-up's floor of ten worker agents per city would replace the
    # census populations (found by a random search of scales, 6 Dec 2026)
    (["--set", "people_per_agent=1e6"], "people_per_agent: '1e6' is out of range; allowed [1, 75000] (persons)\n"),
    # restocking slower than 0.05 a quarter: the set-up's steady inventories, target + (planned - used) /
    # restock, grow without bound as it falls (1e-300 overflowed in the first quarter; a random search of
    # the property test's draws, 6 Dec 2026)
    (["--set", "inventory_restock=1e-300"],
     "inventory_restock: '1e-300' is out of range; allowed [0.05, 1] (1/quarter)\n"),
    # R&D and adoption parameters (issue 13): a negative subsidy, an elasticity or a cost out of bounds
    (["--set", "rd_subsidy=-0.1"], "rd_subsidy: '-0.1' is out of range; allowed [0, 0.9] (share of R&D)\n"),
    (["--set", "adoption_subsidy=-0.5"],
     "adoption_subsidy: '-0.5' is out of range; allowed [0, 0.9] (share of adoption cost)\n"),
    (["--set", "rd_elasticity=1"], "rd_elasticity: '1' is out of range; allowed [0.2, 0.95]\n"),
    (["--set", "adoption_cost=0"], "adoption_cost: '0' is out of range; allowed [0.01, 100] (quarters of revenue)\n"),
    # no investment and almost no exit: the 2020 steady state would hold capacity at 1e-6 of its goal
    # (a random search at the default scale, 6 Dec 2026: the t = 0 market did not clear, or NaN prices)
    (["--set", "investment_speed=0", "--set", "exit_rate=1e-8"],
     "investment_speed, exit_rate: 0 and 1e-08 hold new_energy's capacity in the 2020 steady state at 8.25e-07 "
     "of its goal (its demand grows 1.227% a quarter); allowed: at least 0.01 in every sector"),
    # R&D whose loop through the knowledge pools has a gain above 1 at the 2020 state: no stable level
    # (a random search of scales, 6 Dec 2026: R&D efficiencies and the innovation step diverged, NaN staff)
    (["--set", "rd_elasticity=0.8", "--set", "knowledge_spillover=3", "--set", "knowledge_decay_hours=20"],
     "knowledge_spillover, rd_elasticity, knowledge_decay_hours: 3, 0.8 and 20 leave R&D without a stable 2020 "
     "level: the loop R&D -> R&D stocks -> knowledge pools -> R&D has a gain of 1.6"),
    # ... or once a policy widens knowledge's reach (the innovation community opens the flows in 2021)
    (["--scenario", "innovation_community", "--set", "rd_elasticity=0.8", "--set", "knowledge_spillover=1.75"],
     "knowledge_spillover, rd_elasticity, knowledge_decay_hours: 1.75, 0.8 and 1 leave R&D without a stable level "
     "once InnovationCommunity widens knowledge's reach: the loop R&D -> R&D stocks -> knowledge pools -> R&D has a "
     "gain of 1.01"),
    # a whole-number parameter given NaN or an infinity: out of range like any other number (it was a
    # ValueError or OverflowError traceback from int(), exit 1, audit of 7 Dec 2026)
    (["--set", "targets_per_city=nan"], "targets_per_city: 'nan' is out of range; allowed [1, 8] (sectors)\n"),
    (["--set", "targets_per_city=inf"], "targets_per_city: 'inf' is out of range; allowed [1, 8] (sectors)\n"),
    (["--set", "targets_per_city=-inf"], "targets_per_city: '-inf' is out of range; allowed [1, 8] (sectors)\n"),
    (["--set", "targets_per_city=1e400"], "targets_per_city: '1e400' is out of range; allowed [1, 8] (sectors)\n"),
    (["--set", "governments_act=nan"], "governments_act: 'nan' is out of range; allowed [0, 1] (0/1)\n"),
    (["--set", "warp_speed=2"], "--set warp_speed: unknown parameter; `ydabm params` lists them"),
    (["--set", "barier=0.5"], "--set barier: unknown parameter (did you mean 'barrier'?)"),
    (["--set", "workers_per_firm=lots"], "workers_per_firm: expected a number"),
    (["--scenario", "atlantis"], "scenario: 'atlantis' is neither a file nor one of"),
    (["--scenario", "intergration"], "unilateral_liberalisation (did you mean 'integration'?)"),
    (["--set", "network_file=/nonexistent.csv"], "network_file: /nonexistent.csv does not exist"),
])
def test_bad_input_is_one_clear_message(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["run", "--steps", "2", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("ydabm: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("args, option", [
    (["run", "--steps", "2", "--seed", "-5"], "--seed"),
    (["compare", "--scenario", "integration", "--seed", "-2"], "--seed"),
    (["validate", "calibration", "--seed", "-3"], "--seed"),
    (["validate", "racetrack", "--seed", "-1"], "--seed"),
    (["validate", "covid", "--seeds", "1", "-1"], "--seeds"),
])
def test_a_negative_seed_is_one_clear_message_before_anything_runs(tmp_path, capsys, args, option):
    # numpy's generators take whole numbers >= 0: a negative seed was a ValueError traceback (exit 1)
    # from inside the run, after the output folder had been checked
    with pytest.raises(SystemExit) as stop:
        main([*args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert f"error: argument {option}: -" in err and "is out of range; allowed: whole numbers >= 0" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_run_help_shows_the_default_seed():
    help_text = subprocess.run([sys.executable, "-m", "ydabm.cli", "run", "--help"], capture_output=True, text=True,
                               check=True).stdout
    assert "(default 20261128)" in " ".join(help_text.split())


def test_malformed_scenario_and_network_files(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[params\nbarrier = ")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o1")]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    unknown_policy = tmp_path / "policy.toml"
    unknown_policy.write_text('[[policy]]\ntype = "Teleport"\n')
    assert main(["run", "--scenario", str(unknown_policy), "--out", str(tmp_path / "o2")]) == 2
    assert "policy 1: type 'Teleport' is not a policy type; types: BarrierPath," in capsys.readouterr().err
    links = tmp_path / "links.csv"
    links.write_text("city_a,city_b,hours\nShanghai,Gotham,1.0\n")
    assert main(["run", "--set", f"network_file={links}", "--out", str(tmp_path / "o3")]) == 2
    assert "city_b 'Gotham' is not a known city" in capsys.readouterr().err
    island = tmp_path / "island.csv"
    island.write_text("city_a,city_b,hours\nShanghai,Suzhou_JS,1.0\n")
    assert main(["run", "--set", f"network_file={island}", "--out", str(tmp_path / "o4")]) == 2
    assert "the network is disconnected" in capsys.readouterr().err
    assert not any((tmp_path / f"o{i}").exists() for i in range(1, 5))


def test_params_and_scenarios_listings():
    params = subprocess.run([sys.executable, "-m", "ydabm.cli", "params"], capture_output=True, text=True, check=True)
    assert "barrier" in params.stdout and "[0, 1]" in params.stdout
    scenarios = subprocess.run([sys.executable, "-m", "ydabm.cli", "scenarios"], capture_output=True, text=True, check=True)
    lines = scenarios.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    for name in ("baseline", "integration", "division_of_labor", "digital_integration", "covid_shock",
                 "network_upgrade", "core_periphery", "racetrack", "unilateral_liberalisation"):
        assert name in names
    # the descriptions start in one column, after the longest name and two spaces
    column = max(map(len, names)) + 2
    assert all(line[column - 2:column] == "  " and line[column] != " " for line in lines)


def test_odd_parameter_table_is_the_declared_parameters():
    from pathlib import Path

    from ydabm.params import PARAMS, markdown_table
    odd = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text()
    table = odd.split("<!-- params:begin -->\n")[1].split("\n<!-- params:end -->")[0]
    assert table == markdown_table()
    assert all(f"| `{p.name}` |" in table for p in PARAMS)


def test_run_refuses_an_output_path_that_is_a_file_or_holds_other_files(tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_bytes(b"jpeg")
    for out, message in [(a_file, f"{a_file}: is a file, not a folder"),
                         (a_file / "run", f"{a_file / 'run'}: is inside {a_file}, which is a file"),
                         (other, f"{other}: the folder holds files that are not ydabm results")]:
        assert main(["run", "--steps", "2", "--out", str(out), *SMALL]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"ydabm: error: {message}") and err.count("\n") == 1 and "Traceback" not in err
    assert a_file.read_text() == "mine" and sorted(p.name for p in other.iterdir()) == ["cat.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "photos"]  # no staging folder left


def test_run_replaces_a_run_only_with_force(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--steps", "1", "--seed", "1", "--out", str(out), *SMALL]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["run", "--steps", "2", "--seed", "2", "--out", str(out), *SMALL]) == 2
    err = capsys.readouterr().err
    assert err == f"ydabm: error: {out}: already holds a run; pass --force to replace it, or give another --out\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main(["run", "--steps", "2", "--seed", "2", "--out", str(out), "--force", *SMALL]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "run" and manifest["seed"] == 2 and manifest["steps"] == 2
    assert len(pd.read_parquet(out / "model.parquet")) == 3


def test_a_bad_policy_is_refused_before_the_first_step(tmp_path, capsys):
    scenario = tmp_path / "anhui.toml"
    scenario.write_text('[[policy]]\ntype = "Liberalisation"\nstart_year = 2020\nprovinces = ["anhui"]\n')
    out = tmp_path / "out"
    assert main(["run", "--scenario", str(scenario), "--steps", "2", "--out", str(out), *SMALL]) == 2
    err = capsys.readouterr().err
    assert err == ("ydabm: error: scenario anhui.toml: policy 1 (Liberalisation): provinces: 'anhui' is not a "
                   "province of the yrd world (did you mean 'Anhui'?); allowed: Shanghai, Jiangsu, Zhejiang, Anhui, all\n")
    assert not out.exists()
    # names are checked against the world of the run's final parameters, too
    assert main(["run", "--scenario", "unilateral_liberalisation", "--set", "world=racetrack", "--steps", "2",
                 "--out", str(out)]) == 2
    assert "provinces: 'Shanghai' is not a province of the racetrack world; allowed: all" in capsys.readouterr().err
    assert not out.exists()


def test_a_scenario_name_given_by_its_start_is_suggested(capsys):
    assert main(["scenarios", "--describe", "anhui"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "(did you mean 'anhui_hukou_reform'?)" in err[0]


def test_a_policy_that_takes_rd_past_its_stable_level_stops_the_run_and_writes_nothing(tmp_path, capsys):
    # at knowledge_spillover 1.5 and rd_elasticity 0.8 the innovation community's fund takes the R&D
    # loop's gain from 0.826 to 1 in 2022 Q4 (tests/test_innovation.py)
    out = tmp_path / "run"
    assert main(["run", "--scenario", "innovation_community", "--steps", "12", "--out", str(out), *SMALL,
                 "--set", "knowledge_spillover=1.5", "--set", "rd_elasticity=0.8"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ydabm: error: R&D lost its stable level in quarter 11 (2022 Q4): ")
    assert "knowledge_spillover, rd_elasticity and knowledge_decay_hours are 1.5, 0.8 and 1" in err
    assert "nothing was written" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_run_that_diverges_stops_with_one_message_and_writes_nothing(tmp_path, capsys, monkeypatch):
    # a hand-made divergence: from quarter 2 the accounts leave one city's spending infinite (as a
    # run whose prices overflow does: docs/validation.md, "Random parameter sets: a longer search")
    from ydabm.model import YRDModel
    settle = YRDModel.apply_accounts

    def overflow(model, books):
        settle(model, books)
        if model.steps >= 2:
            model.spending[3] = float("inf")
    monkeypatch.setattr(YRDModel, "apply_accounts", overflow)
    out = tmp_path / "run"
    assert main(["run", "--steps", "4", "--out", str(out), *SMALL]) == 1
    err = capsys.readouterr().err
    assert "ydabm: error: the economy diverged in quarter 2 (2020 Q3): spending no longer finite" in err
    assert "nothing was written" in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("scenario, policy", [("chain_autonomy", "ChainAutonomy"),
                                              ("complementary_chain", "ComplementaryChain")])
def test_a_bad_concordance_for_a_chain_policy_is_refused_before_any_quarter(tmp_path, capsys, monkeypatch, scenario,
                                                                            policy):
    # the chain policies read the input-output table when they act (2021 Q1), with supply chains off
    # too: a concordance that does not load stopped the run in its fifth quarter; it is refused before
    # the run starts, by the run and by a sweep's plan
    def no_run(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr("ydabm.run.simulate", no_run)
    out = tmp_path / "out"
    assert main(["run", "--scenario", scenario, "--set", "input_output=0", "--set", "io_concordance=nosuch",
                 "--steps", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ydabm: error: scenario {scenario}.toml: policy 1 ({policy}): io_concordance: 'nosuch' "
                          "is neither a file nor one of: ") and err.count("\n") == 1
    assert not out.exists()
    from ydabm.experiments import build_plan
    from ydabm.params import ParameterError
    with pytest.raises(ParameterError, match=rf"\({policy}\): io_concordance: 'nosuch' is neither"):
        build_plan({"scenario": scenario, "vary": {"barrier": [0.5]},
                    "set": {"input_output": 0, "io_concordance": "nosuch"}})
