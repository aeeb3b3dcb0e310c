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
def test_a_scenario_contrast_runs_the_scenario_against_the_baseline(check):
    """The coordination paths' policy arm is the scenario's run (``ydabm run --scenario``), its
    counterfactual the baseline: the effect on similarity is the scenario's."""
    from ydabm.run import simulate
    from ydabm.scenarios import load_scenario
    scenario = load_scenario("coordinated_targets")
    params = scenario.params(SMALL)
    frame = simulate(params, 8, 2, scenario.policies(params)).model
    runs = check.runs[check.runs["contrast"] == "coordinated targets"].set_index(["arm", "seed"])
    assert runs.loc[("policy", 2), "similarity_manufacturing"] == pytest.approx(
        frame["similarity_manufacturing"].iloc[-costs.WINDOW:].mean(), rel=1e-12)
    # the counterfactual is the baseline: the run at the defaults that local protection's policy arm is too
    defaults = check.runs[(check.runs["contrast"] == "local protection") & (check.runs["arm"] == "policy")]
    assert runs.loc[("counterfactual", 2), "real_gdp"] == defaults.set_index("seed").loc[2, "real_gdp"]
    effects = check.effects[(check.effects["contrast"] == "coordinated targets")].set_index("outcome")
    assert effects.loc["similarity_manufacturing", "effect"] < 0      # targets along comparative advantage


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


def _state(wages=0.0, support=0.0, public=0.0, deficit=0.0, debt=0.0, mass=1.0, posted=1.0, service=1.0,
           weight=1.0, price=None):
    """One city, one sector (sigma 2, so the CPI is 1 / A with A = mass x posted x service), at a CPI
    base of 1: a welfare state with the given flows (absorption closes the budget side)."""
    nominal = wages + support + public
    varieties = mass * posted * service
    cpi = 1.0 / (varieties * weight) if price is None else price
    state = {name: np.zeros(1) for name in (*costs.INCOME_SIDE, *costs.BUDGET_SIDE)}
    state.update(wages=np.array([wages]), support=np.array([support]), public=np.array([public]),
                 absorption=np.array([nominal - deficit]), government_deficit=np.array([deficit]),
                 debt_annuity=np.array([debt]), price=np.array([cpi]), log_cpi=np.log([cpi]), log_base=np.zeros(1),
                 mass=np.array([[mass]]), posted=np.array([[posted]]), service=np.array([[service]]),
                 weights=np.full((1, 1, 1), weight), welfare_weights=np.full((1, 1, 1), weight),
                 elasticity=np.array([2.0]), alpha=np.array([1.0]))
    return state


def test_welfare_channels_by_hand():
    # nominal channels at equal prices: wages +2, support +1, public -1 on a counterfactual of 14
    policy = _state(wages=12.0, support=1.0, public=3.0, deficit=1.0, debt=0.5)
    counter = _state(wages=10.0, public=4.0)
    got = costs.welfare_channels([policy], [counter])
    assert got["welfare"] == pytest.approx(100 * 2 / 14)
    assert (got["wages"], got["support"], got["public"]) == pytest.approx((100 * 2 / 14, 100 / 14, -100 / 14))
    assert got["government_deficit"] == pytest.approx(100 / 14) and got["absorption"] == pytest.approx(100 / 14)
    assert got["debt_annuity"] == pytest.approx(100 * 0.5 / 14)
    assert got["prices"] == pytest.approx(0.0) and got["nominal"] == pytest.approx(got["welfare"])
    # twice the firm mass halves the CPI (sigma 2): welfare doubles, all of it through firm mass
    got = costs.welfare_channels([_state(wages=10.0, mass=2.0)], [_state(wages=10.0)])
    assert got["welfare"] == pytest.approx(100.0) and got["firm_mass"] == pytest.approx(100.0)
    assert got["nominal"] == pytest.approx(0.0) and got["service"] == pytest.approx(0.0)
    # twice the mass, half the service share: the CPI is unchanged; Shapley parts +-ln 2 at L = 1
    got = costs.welfare_channels([_state(wages=10.0, mass=2.0, service=0.5)], [_state(wages=10.0)])
    assert got["welfare"] == pytest.approx(0.0, abs=1e-12)
    assert (got["firm_mass"], got["service"]) == pytest.approx((100 * np.log(2), -100 * np.log(2)))
    # dearer trade (weights 1/4): the CPI quadruples, welfare falls by 3/4, all through trade costs
    got = costs.welfare_channels([_state(wages=10.0, weight=0.25)], [_state(wages=10.0)])
    assert got["welfare"] == pytest.approx(-75.0) and got["trade_costs"] == pytest.approx(-75.0)


def test_welfare_state_reproduces_the_model_accounts():
    from ydabm.model import YRDModel
    from ydabm.params import Params
    model = YRDModel(rng=3, params=Params.build(SMALL))
    for _ in range(3):
        model.step()
    state = costs.welfare_state(model)
    nominal = sum(state[name] for name in costs.INCOME_SIDE)
    assert nominal == pytest.approx(model.flows["income"] + model.flows["public"], rel=1e-12)
    assert sum(state[name] for name in costs.BUDGET_SIDE) == pytest.approx(nominal, rel=1e-12)
    rebuilt = costs.log_cpi(state["mass"], state["posted"], state["service"], state["weights"],
                            state["welfare_weights"], state["elasticity"], state["alpha"])
    assert rebuilt == pytest.approx(np.log(model.cpi), abs=1e-12)
    same = costs.welfare_channels([state], [state])
    assert all(value == pytest.approx(0.0, abs=1e-12) for value in same.values())



def test_the_budget_side_counts_the_relief_loans_of_a_lockdown():
    """Owners' cash flow includes the relief loans a lockdown's banks lend and the repayments: the
    budget side closes on the income side only with them (relief_lending)."""
    from ydabm.model import YRDModel
    from ydabm.policies import CityLockdown
    model = YRDModel(rng=5, people_per_agent=8000, policies=(CityLockdown(start_year=2020, start_quarter=3),))
    lent = repaid = 0.0
    for _ in range(5):                                   # 2020 Q2 to 2021 Q2: Shanghai locked in 2020 Q3
        model.step()
        state = costs.welfare_state(model)
        nominal = sum(state[name] for name in costs.INCOME_SIDE)
        np.testing.assert_allclose(sum(state[name] for name in costs.BUDGET_SIDE), nominal, rtol=1e-12)
        net = model.flows.get("relief_lent", 0.0) - model.flows.get("relief_repaid", 0.0)
        np.testing.assert_array_equal(state["relief_lending"], net + np.zeros(model.geography.count))
        lent += float(model.flows.get("relief_lent", np.zeros(1)).sum())
        repaid += float(model.flows.get("relief_repaid", np.zeros(1)).sum())
    assert lent > 0 and repaid > 0
    # without it the two sides differ by the net loans (the channel was missing until 7 Dec 2026)
    without = sum(state[name] for name in costs.BUDGET_SIDE if name != "relief_lending")
    assert not np.allclose(without, nominal, rtol=1e-12)

@pytest.mark.slow
def test_the_welfare_channels_add_up_to_the_welfare_effect(check):
    table = costs.channel_table(check.channels)
    for contrast in costs.CONTRASTS:
        mine = table[table["contrast"] == contrast.name].set_index("channel")["effect"]
        welfare = check.effects[(check.effects["contrast"] == contrast.name)
                                & (check.effects["outcome"] == "welfare")].iloc[0]["effect"]
        assert mine["welfare"] == pytest.approx(welfare, rel=1e-9, abs=1e-9)
        for parts in (costs.INCOME_SIDE, costs.BUDGET_SIDE):
            assert mine[list(parts)].sum() + mine["prices"] == pytest.approx(welfare, rel=1e-9, abs=1e-9)
        assert mine[list(costs.PRICE_CHANNELS)].sum() == pytest.approx(mine["prices"], rel=1e-9, abs=1e-9)
