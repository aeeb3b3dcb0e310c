"""The scenario language: docs/scenarios.md is generated from the policy declarations, its worked
examples are real files that run, `ydabm scenarios --describe` prints a scenario as a file that loads
back to the same policies, and every bad field is refused before a run with one line."""

import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ydabm.cli import main
from ydabm.experiments import build_plan
from ydabm.model import YRDModel
from ydabm.params import QUICK_SCALE, ParameterError, Params
from ydabm.policies import declared_fields
from ydabm.scenarios import describe, list_scenarios, load_scenario, reference_markdown

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "scenarios.md").read_text()
EXAMPLES = sorted((ROOT / "docs" / "scenarios").glob("*.toml"))
SMALL = [arg for name, value in QUICK_SCALE.items() for arg in ("--set", f"{name}={value:g}")]


def test_the_reference_in_docs_is_generated_from_the_code():
    section = DOC.split("<!-- scenarios:begin -->\n")[1].split("\n<!-- scenarios:end -->")[0]
    assert section == reference_markdown()
    for name in ("BarrierPath", "CovidShock", "NetworkUpgrade", "DigitalIntegration", "DivisionOfLabor",
                 "Liberalisation", "ProvinceLevers"):
        assert f"#### `{name}`" in section


def test_the_doc_shows_every_worked_example_file_as_it_is():
    assert [p.stem for p in EXAMPLES] == ["anhui_opens", "covid_then_shanghai", "lockdown", "rail_2024",
                                          "shanghai_zhejiang_liberalise"]
    for path in EXAMPLES:
        shown = DOC.split(f"`docs/scenarios/{path.name}`:\n\n```toml\n")[1].split("```")[0]
        assert shown == path.read_text()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_worked_examples_run_two_steps(tmp_path, path):
    out = tmp_path / "run"
    assert main(["run", "--scenario", str(path), "--steps", "2", "--out", str(out), *SMALL]) == 0
    assert len(pd.read_parquet(out / "model.parquet")) == 3


# each example's policy, started at t = 0 (start_year = its first year), acts as the doc says
ACTS = {"anhui_opens": 2021, "shanghai_zhejiang_liberalise": 2021, "lockdown": 2022, "rail_2024": 2024,
        "covid_then_shanghai": 2020}


@pytest.mark.parametrize("name", sorted(ACTS))
def test_worked_examples_do_what_the_doc_says(name):
    scenario = load_scenario(str(ROOT / "docs" / "scenarios" / f"{name}.toml"))
    params = scenario.params({**QUICK_SCALE, "start_year": ACTS[name]})
    model = YRDModel(rng=1, policies=tuple(scenario.policies(params)), params=Params.build(params))
    hours = model.geography.hours.copy()
    provinces = np.array(model.geography.provinces)
    model.step()  # Q2 of the first year
    if name == "lockdown":
        assert (model.levers.absent == 0.25).all() and model.levers.saving_rate == 0.03
        model.step()
        assert (model.levers.absent == 0.05).all() and model.levers.saving_rate == 0.0
    elif name == "covid_then_shanghai":
        # COVID's first quarter in every city (2020 Q2), then, on to 2022 Q2, Shanghai's lockdown alone
        assert (model.levers.absent == 0.122).all() and model.levers.moves_halted
        for _ in range(8):
            model.step()
        np.testing.assert_array_equal(model.levers.absent, np.where(np.array(model.geography.names) == "Shanghai",
                                                                    0.145, 0.0))
        assert model.levers.freight_delay.max() == 0.1 and not model.levers.moves_halted
    elif name == "rail_2024":
        for _ in range(3):  # lines join in the first quarter of the next year
            model.step()
        assert (model.geography.hours < hours - 1e-9).any() and (model.geography.hours <= hours + 1e-12).all()
    elif name == "anhui_opens":
        # other provinces' workers pay no hukou cost in Anhui; elsewhere barrier 1 x hukou_penalty 0.3
        np.testing.assert_array_equal(model.frictions.hukou_cost, np.where(provinces == "Anhui", 0.0, 0.3))
        assert (model.levers.barrier == 1.0).all() and not model.levers.liberalised.any()
    else:
        np.testing.assert_array_equal(model.levers.liberalised, np.isin(provinces, ["Shanghai", "Zhejiang"]))


def test_the_sweep_example_in_the_doc_is_a_valid_spec(monkeypatch):
    text = DOC.split("A sweep that compares the three")[1].split("```toml\n")[1].split("```")[0]
    monkeypatch.chdir(ROOT)
    plan = build_plan(tomllib.loads(text))
    assert [load_scenario(name).name for name in plan.scenarios] == [
        "unilateral_liberalisation", "shanghai_zhejiang_liberalise", "joint_liberalisation"]


@pytest.mark.parametrize("scenario", [s.name for s in list_scenarios()] + [str(p) for p in EXAMPLES],
                         ids=lambda s: Path(s).stem)
def test_describe_prints_a_scenario_file_that_loads_back_to_the_same_scenario(tmp_path, scenario):
    original = load_scenario(scenario)
    text = describe(original)
    copy = tmp_path / "copy.toml"
    copy.write_text(text)
    again = load_scenario(str(copy))
    assert again.description == original.description and again.overrides == original.overrides
    assert again.policies() == original.policies()
    # every field of every policy is shown, given or default; an optional field left out, commented out
    fields = [[f.name for f, _ in declared_fields(type(policy))] for policy in original.policies()]
    assert [set(shown) for shown in again.policy_specs] == [
        {"type", *(name for name in names if getattr(policy, name) is not None)}
        for names, policy in zip(fields, original.policies())]
    for names, policy in zip(fields, original.policies()):
        for name in names:
            assert getattr(policy, name) is not None or re.search(rf"^# {name} = +# \(optional\) ", text, re.M)


def test_scenarios_describe_on_the_command_line(capsys):
    assert main(["scenarios", "--describe", "covid_shock"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# scenario covid_shock (") and 'type = "CovidShock"' in out
    assert re.search(r"^recovery_quarters = 4 +# quarters, whole number in \[0, 40\]: ", out, re.M)
    assert re.search(r"^absent = \[.*\] +# \(default\) share of the labour force, list of numbers in \[0, 0.99\]", out, re.M)
    assert main(["scenarios", "--markdown"]) == 0
    assert capsys.readouterr().out == reference_markdown() + "\n"


POLICY = '[[policy]]\ntype = "{type}"\n{fields}\n'
BAD = {
    "unknown key": ("polcy = 1\n", "unknown key 'polcy' (did you mean 'policy'?); allowed: description, params, policy"),
    "one bracket": ('[policy]\ntype = "NetworkUpgrade"\n', "policy: write each policy as a table under [[policy]]"),
    "unknown parameter": ("[params]\nbarier = 0.5\n", "unknown parameter 'barier' (did you mean 'barrier'?)"),
    "parameter out of bounds": ("[params]\nbarrier = 2.0\n", "barrier: 2.0 is out of range; allowed [0, 1]"),
    "whole-number parameter NaN": ("[params]\ntargets_per_city = nan\n",
                                   "targets_per_city: nan is out of range; allowed [1, 8] (sectors)"),
    "whole-number parameter infinite": ("[params]\ngovernments_act = -inf\n",
                                        "governments_act: -inf is out of range; allowed [0, 1] (0/1)"),
    "no type": ("[[policy]]\nstart_year = 2021\n", "policy 1: no type; give type = one of BarrierPath,"),
    "misspelt type": (POLICY.format(type="Liberalization", fields=""),
                      "policy 1: type 'Liberalization' is not a policy type (did you mean 'Liberalisation'?)"),
    "unknown field": (POLICY.format(type="Liberalisation", fields='start_yr = 2021\nprovinces = ["Anhui"]'),
                      "policy 1 (Liberalisation): unknown field 'start_yr' (did you mean 'start_year'?); "
                      "fields: start_year, provinces"),
    "missing field": (POLICY.format(type="Liberalisation", fields="start_year = 2021"),
                      "(Liberalisation): provinces: missing; required fields: start_year, provinces"),
    "year as text": (POLICY.format(type="DigitalIntegration", fields='start_year = "2021"'),
                     "(DigitalIntegration): start_year: expected a whole number in [1900, 2100], got '2021'"),
    "fractional year": (POLICY.format(type="DigitalIntegration", fields="start_year = 2021.5"),
                        "start_year: expected a whole number in [1900, 2100], got 2021.5"),
    "quarter out of range": (POLICY.format(type="CovidShock", fields="start_year = 2022\nstart_quarter = 5"),
                             "(CovidShock): start_quarter: 5 is out of range; allowed [1, 4] (quarter)"),
    "share of one": (POLICY.format(type="CovidShock", fields="start_year = 2022\nabsent = [0.5, 1.0]"),
                     "(CovidShock): absent: 1.0 is out of range; allowed [0, 0.99] (share of the labour force)"),
    "share as text": (POLICY.format(type="CovidShock", fields='start_year = 2022\ndemand_drop = "0.1"'),
                      "demand_drop: expected a list of numbers in [0, 1), got '0.1'"),
    "target out of range": (POLICY.format(type="BarrierPath", fields="start_year = 2021\nend_year = 2025\ntarget = 2"),
                            "(BarrierPath): target: 2 is out of range; allowed [0, 1]"),
    "end before start": (POLICY.format(type="BarrierPath", fields="start_year = 2021\nend_year = 2020"),
                         "(BarrierPath): end_year: 2020 is before start_year 2021"),
    "negative adoption subsidy": (POLICY.format(type="DigitalIntegration", fields="start_year = 2021\nadoption_subsidy = -0.1"),
                                  "adoption_subsidy: -0.1 is out of range; allowed [0, 0.9]"),
    "R&D fund out of range": (POLICY.format(type="InnovationCommunity", fields="start_year = 2021\nrd_fund = 1.5"),
                              "rd_fund: 1.5 is out of range; allowed [0, 0.9]"),
    "provinces as text": (POLICY.format(type="Liberalisation", fields='start_year = 2021\nprovinces = "Anhui"'),
                          'provinces: expected a non-empty list of province names, e.g. ["Anhui"], got \'Anhui\''),
    "lower-case province": (POLICY.format(type="Liberalisation", fields='start_year = 2021\nprovinces = ["zhejiang"]'),
                            "provinces: 'zhejiang' is not a province of the yrd world (did you mean 'Zhejiang'?); "
                            "allowed: Shanghai, Jiangsu, Zhejiang, Anhui, all"),
    "role of an unknown province": (POLICY.format(type="DivisionOfLabor", fields='start_year = 2021\n'
                                                  '[policy.roles]\nShanghia = ["finance_business"]'),
                                    "(DivisionOfLabor): roles: 'Shanghia' is not a province of the yrd world "
                                    "(did you mean 'Shanghai'?)"),
    "unknown sector": (POLICY.format(type="DivisionOfLabor", fields='start_year = 2021\n[policy.roles]\n'
                                     'Anhui = ["new_energies"]'),
                       "roles.Anhui: 'new_energies' is not a sector (did you mean 'new_energy'?)"),
    "sector nobody targets": (POLICY.format(type="DivisionOfLabor", fields='start_year = 2021\n[policy.roles]\n'
                                            'Anhui = ["local_services"]'),
                              "roles.Anhui: 'local_services' is not a sector governments may target"),
    "weight out of range": (POLICY.format(type="DivisionOfLabor", fields='start_year = 2021\nweight = 11\n'
                                          '[policy.roles]\nAnhui = ["new_energy"]'),
                            "weight: 11 is out of range; allowed [0, 10] (target score)"),
    "least advantage out of range": (POLICY.format(type="DivisionOfLabor", fields='start_year = 2021\nmin_advantage = -1\n'
                                                  '[policy.roles]\nAnhui = ["new_energy"]'),
                                     "min_advantage: -1 is out of range; allowed [0, 10] (Balassa index)"),
    "rail lines on the racetrack": ('[params]\nworld = "racetrack"\n' + POLICY.format(type="NetworkUpgrade", fields=""),
                                    "(NetworkUpgrade): until_year: the lines opened by 2024 join Changzhou, "
                                    "Chizhou, Hangzhou"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_scenario_is_one_line_naming_file_policy_and_field(tmp_path, capsys, case):
    text, expected = BAD[case]
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=re.escape(expected)):
        load_scenario(str(path))
    assert main(["scenarios", "--describe", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ydabm: error: scenario mine.toml: ") and err.count("\n") == 1 and expected in err


def test_the_messages_and_the_reference_say_what_a_field_allows():
    """One number of a list or a table is ``a number in [low, high]`` (a protection value out of range
    read ``allowed [0, 3] }``, one that is no number ``expected a table: ...``); ``cities`` is a list of
    city names (it read ``citie``); a synthetic world's one province, ``all``, is listed once."""
    from ydabm.params import DEFAULTS
    from ydabm.policies import CityLockdown, CovidShock, Liberalisation, ProvinceLevers, check_world, world_of
    racetrack = world_of({**DEFAULTS, "world": "racetrack"})
    cases = [
        (lambda: ProvinceLevers(start_year=2021, protection={"Anhui": {"Jiangsu": 4.0}}),
         "protection.Anhui.Jiangsu: 4.0 is out of range; allowed [0, 3]"),
        (lambda: ProvinceLevers(start_year=2021, protection={"Anhui": {"Jiangsu": "none"}}),
         "protection.Anhui.Jiangsu: expected a number in [0, 3], got 'none'"),
        (lambda: CovidShock(start_year=2022, absent=[0.1, "half"]), "absent: expected a number in [0, 0.99], got 'half'"),
        (lambda: CovidShock(start_year=2022, demand_drop=[1.0]), "demand_drop: 1.0 is out of range; allowed [0, 1) "
                                                                 "(share of income)"),
        (lambda: CityLockdown(cities="Shanghai"), "cities: expected a non-empty list of city names, got 'Shanghai'"),
        (lambda: check_world(Liberalisation(2021, ["Shanghai"]), racetrack),
         "provinces: 'Shanghai' is not a province of the racetrack world; allowed: all"),
    ]
    for make, message in cases:
        with pytest.raises(ParameterError) as err:
            make()
        assert str(err.value) == message
    reference = reference_markdown()
    assert "| `cities` | `[\"Shanghai\"]` | list of city names |  |" in reference and "citie " not in reference
    assert "| `protection` | `{}` | table: province name = { province name = number in [0, 3] } | 1 |" in reference


class _Calendar:
    """What a path reads and sets of a model: the calendar of its steps (step k: ``start_year + k // 4``,
    quarter ``k % 4``), the levers barrier (two provinces) and specialization, and ``set_barrier``."""

    def __init__(self, start_year=2020):
        from types import SimpleNamespace
        self.start_year, self.clock = start_year, 0
        self.levers = SimpleNamespace(barrier=np.array([0.5, 0.5]), specialization=0.5)

    year = property(lambda self: self.start_year + self.clock // 4)
    quarter = property(lambda self: self.clock % 4)

    def set_barrier(self, value):
        self.levers.barrier = np.asarray(value, dtype=float)

    def run(self, policy, quarters, lever):
        """The lever after each of ``quarters`` steps from step 1 (``start_year`` Q2)."""
        values = []
        for _ in range(quarters):
            self.clock += 1
            policy.on_step(self)
            values.append(float(np.mean(getattr(self.levers, lever))))
        return values


def test_a_path_whose_years_coincide_holds_its_target_from_that_years_first_quarter():
    """``end_year`` is the year by whose first quarter the lever reaches ``target``: when it is
    ``start_year`` the target holds from that quarter (it held from the second: the span of a path
    was at least one quarter, so in the first the lever kept its value, and a SpecializationPath,
    read by the governments' yearly choice in the first quarter, came a year late)."""
    from ydabm.policies import BarrierPath, SpecializationPath
    # steps 1-3 are 2020 Q2-Q4, step 4 is 2021 Q1
    assert _Calendar().run(BarrierPath(start_year=2021, end_year=2021, target=0.0), 6, "barrier") == \
        [0.5, 0.5, 0.5, 0.0, 0.0, 0.0]
    assert _Calendar().run(SpecializationPath(start_year=2021, end_year=2021, target=1.0), 6, "specialization") == \
        [0.5, 0.5, 0.5, 1.0, 1.0, 1.0]
    assert BarrierPath(start_year=2021, end_year=2021).moves()[0][1:3] == (2021 * 4, 2021 * 4)
    # a run that starts later takes the target in its first step, as before
    assert _Calendar(2022).run(BarrierPath(start_year=2021, end_year=2021, target=0.0), 2, "barrier") == [0.0, 0.0]
    # paths over years keep their timing: the shipped integration falls 0.025 a quarter from 2021 Q2
    # (step 5) and reaches 0 in 2026 Q1 (step 24)
    path = load_scenario("integration").policies()[0]
    barrier = _Calendar().run(path, 26, "barrier")
    assert barrier[:4] == [0.5] * 4
    assert barrier[4:] == pytest.approx([0.5 - 0.025 * k for k in range(1, 21)] + [0.0, 0.0])
    assert barrier[23] == 0.0 < barrier[22]


def test_a_specialization_path_moves_the_weight_governments_choose_with():
    """``SpecializationPath`` moves the targeting weight linearly from its start; reached at once from
    2020 it is the run with that ``specialization`` from the start, bit for bit (governments choose
    their targets with the lever: the parameter is only where it starts)."""
    from ydabm.policies import SpecializationPath
    model = YRDModel(rng=1, policies=(SpecializationPath(start_year=2021, end_year=2023, target=1.0),),
                     **QUICK_SCALE)
    path = []
    for _ in range(13):
        model.step()
        path.append(model.levers.specialization)
    # quarters 2020 Q2 ... 2023 Q2: 0.5 until 2021 Q1, then 1/16 of the way a quarter, 1 from 2023 Q1
    assert path == pytest.approx([0.5, 0.5, 0.5, 0.5, 0.5625, 0.625, 0.6875, 0.75, 0.8125, 0.875, 0.9375, 1.0, 1.0])
    at_once = YRDModel(rng=2, policies=(SpecializationPath(start_year=2020, end_year=2020, target=1.0),), **QUICK_SCALE)
    given = YRDModel(rng=2, specialization=1.0, **QUICK_SCALE)
    for _ in range(6):
        at_once.step()
        given.step()
    pd.testing.assert_frame_equal(at_once.datacollector.get_model_vars_dataframe(),
                                  given.datacollector.get_model_vars_dataframe())
    # (and the lever matters within those quarters: the default's run differs)
    default = YRDModel(rng=2, **QUICK_SCALE)
    for _ in range(6):
        default.step()
    assert not default.datacollector.get_model_vars_dataframe().equals(given.datacollector.get_model_vars_dataframe())
    with pytest.raises(ParameterError, match="end_year: 2020 is before start_year 2021"):
        SpecializationPath(start_year=2021, end_year=2020)
