"""ydabm validate costs: effects of each lever against its counterfactual on matched seeds, with the
standard error of the per-seed differences, and the model's analogues of two published magnitudes."""

import json

import numpy as np
import pytest

from ydabm.cli import main
from ydabm.validation import costs

SMALL = {"people_per_agent": 20000.0}


@pytest.fixture(scope="module")
def check():
    return costs.measure(seeds=(1, 2, 3), quarters=8, scale=SMALL, workers=1)


@pytest.mark.slow
def test_effects_are_paired_differences_with_their_standard_error(check):
    runs, effects = check.runs, check.effects
    assert len(runs) == len(costs.CONTRASTS) * 2 * 3
    for contrast in costs.CONTRASTS:
        mine = runs[runs["contrast"] == contrast.name]
        policy = mine[mine["arm"] == "policy"].set_index("seed")
        counter = mine[mine["arm"] == "counterfactual"].set_index("seed")
        for outcome in ("real_gdp", "support", "similarity_manufacturing"):
            diff = policy[outcome] - counter[outcome]
            if outcome in costs.RELATIVE:
                diff = 100 * diff / counter[outcome]
            row = effects[(effects["contrast"] == contrast.name) & (effects["outcome"] == outcome)].iloc[0]
            assert row["effect"] == pytest.approx(diff.mean())
            assert row["se"] == pytest.approx(diff.std(ddof=1) / np.sqrt(3))


@pytest.mark.slow
def test_without_instruments_no_support_is_paid_and_the_cost_is_the_support(check):
    effects = check.effects
    row = effects[(effects["contrast"] == "industrial support") & (effects["outcome"] == "support")].iloc[0]
    assert row["counterfactual"] == 0.0 and row["effect"] == pytest.approx(row["policy"]) and row["policy"] > 0
    # the model's analogue of Barwick, Cao & Li: welfare loss of local protection over support spent
    protection = effects[effects["contrast"] == "local protection"].set_index("outcome")
    loss = -protection.loc["welfare", "effect"] / 100 * protection.loc["welfare", "counterfactual"]
    barwick = [b for b in check.benchmarks if b["study"].startswith("Barwick")][0]
    assert barwick["model"] == pytest.approx(loss / protection.loc["support", "policy"])


@pytest.mark.slow
def test_the_command_writes_its_tables_and_refuses_bad_arguments(tmp_path, capsys):
    out = tmp_path / "costs"
    assert main(["validate", "costs", "--seeds", "2", "--quarters", "8", "--set", "people_per_agent=20000",
                 "--workers", "1", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {"effects", "benchmarks"} <= set(printed) and len(printed["benchmarks"]) == 3
    assert (out / "effects.csv").is_file() and (out / "runs.csv").is_file()
    assert json.loads((out / "summary.json").read_text())["params"]["seeds"] == [1, 2]
    assert main(["validate", "costs", "--seeds", "1"]) == 2
    assert "--seeds: 1 is out of range; allowed [2, 100]" in capsys.readouterr().err
    assert main(["validate", "costs", "--set", "barier=1"]) == 2
    assert "did you mean 'barrier'" in capsys.readouterr().err
