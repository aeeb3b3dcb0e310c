"""Policies combine: shocks in different quarters both act, in either order; a path leaves its lever at
its target; one-off changes act once; divisions of labour add their scores and liberalisations their
cities; two policies of which one would undo the other are refused before the run, with one line
naming both (:func:`ydabm.policies.check_combination`).

Until 7 Dec 2026 a shock wrote its levers in every quarter, its neutral values outside its own, so of
COVID in 2020 and the Shanghai lockdown of 2022 in one scenario the policy listed second erased the
other: written COVID first, the 2020 shock vanished (real GDP in 2020 Q2 +0.01 % against the matched
run instead of -3.59 %); written Shanghai first, its 2022 savings were never released (real GDP 1.1 %
below the matched run for good). A second liberalisation or division of labour was ignored, and a
finished barrier path set its target again every quarter, over a later province's change."""

from pathlib import Path

import numpy as np
import pytest

from ydabm.cli import main
from ydabm.model import YRDModel
from ydabm.params import QUICK_SCALE, ParameterError
from ydabm.policies import (BarrierPath, ChainAutonomy, CityLockdown, CovidShock, DigitalIntegration, DivisionOfLabor,
                            ExternalSupplyShock, Liberalisation, NetworkUpgrade, ProvinceLevers, check_combination,
                            schedule_notes)

SMALL = [arg for name, value in QUICK_SCALE.items() for arg in ("--set", f"{name}={value:g}")]
QUARTERS = 12                                     # 2020 Q2 to 2023 Q1


def covid():
    return CovidShock(start_year=2020)            # 2020 Q1-Q4 absences, recovery over 4 quarters


def shanghai():
    return CityLockdown()                         # Shanghai, 2022 Q2, one quarter, recovery over 2


def _run(policies, quarters=QUARTERS):
    """Per quarter: the shock levers in force and the model metrics, under ``policies`` (quick scale,
    seed 1)."""
    model = YRDModel(rng=1, policies=tuple(policies), **QUICK_SCALE)
    levers = []
    for _ in range(quarters):
        model.step()
        lev = model.levers
        levers.append({"absent": lev.absent.copy(), "freight": lev.freight_delay.copy(), "relief": lev.relief.copy(),
                       "saving": np.asarray(lev.saving_rate, float).copy(),
                       "dissaving": np.asarray(lev.dissaving_share, float).copy(), "halted": lev.moves_halted})
    return levers, model.datacollector.get_model_vars_dataframe()


def _same(a, b):
    """Two quarters' shock levers are the same (an empty array: none in force, as zeros)."""
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        x = x if x.size else np.zeros(1)
        y = y if y.size else np.zeros(1)
        if not np.array_equal(np.broadcast_to(x, np.broadcast_shapes(x.shape, y.shape)),
                              np.broadcast_to(y, np.broadcast_shapes(x.shape, y.shape))):
            return False
    return True


@pytest.fixture(scope="module")
def runs():
    return {"covid": _run([covid()]), "shanghai": _run([shanghai()]),
            "covid, shanghai": _run([covid(), shanghai()]), "shanghai, covid": _run([shanghai(), covid()])}


def test_two_shocks_in_different_quarters_both_act_in_either_order(runs):
    covid_levers, covid_frame = runs["covid"]
    shanghai_levers, _ = runs["shanghai"]
    both_levers, both_frame = runs["covid, shanghai"]
    # each quarter's levers are those of the shock in force then (COVID's quarters 0-7 from 2020 Q1, the
    # run's first quarter being its second; the lockdown's 2022 Q2-Q3), none in the others
    neutral = _run([], 1)[0][0]
    for q in range(QUARTERS):
        clock = q + 1                                              # quarters since 2020 Q1
        expected = covid_levers[q] if clock <= 7 else shanghai_levers[q] if 9 <= clock <= 10 else neutral
        assert _same(both_levers[q], expected), q
    assert both_levers[0]["absent"].max() == 0.034 and both_levers[0]["halted"]        # COVID, 2020 Q2
    shanghai_row = np.flatnonzero(shanghai_levers[8]["absent"])
    assert shanghai_row.size == 1 and both_levers[8]["absent"][shanghai_row[0]] == 0.145   # 2022 Q2
    # until the lockdown (row 9, 2022 Q2) the combined run is the COVID run, to the last bit; the order of the two does
    # not matter
    np.testing.assert_array_equal(both_frame.iloc[:9].to_numpy(dtype=float), covid_frame.iloc[:9].to_numpy(dtype=float))
    np.testing.assert_array_equal(both_frame.to_numpy(dtype=float), runs["shanghai, covid"][1].to_numpy(dtype=float))
    # and the lockdown costs the region output in its quarter (against the COVID run: -2.4 %)
    assert both_frame["real_gdp"].iloc[9] < 0.99 * covid_frame["real_gdp"].iloc[9]


def test_a_lockdown_right_after_another_is_accepted_and_acts():
    # the Shanghai lockdown's last quarter is 2022 Q3 (the quarter after it); a CovidShock from 2022 Q4
    # shares none
    for order in ((0, 1), (1, 0)):
        policies = [shanghai(), CovidShock(start_year=2022, start_quarter=4, absent=[0.05], recovery_quarters=0)]
        levers, _ = _run([policies[i] for i in order], 12)
        assert np.count_nonzero(levers[8]["absent"]) == 1           # 2022 Q2: Shanghai
        assert (levers[10]["absent"] == 0.05).all()                 # 2022 Q4: every city
        assert not levers[11]["absent"].any()


def test_a_path_leaves_its_lever_at_the_target_for_a_later_change():
    # the barrier falls to 0 over 2021; from 2023 Anhui raises its own to 1 (before 7 Dec 2026 the
    # finished path set 0 again every quarter, in the order the policies were written)
    path = BarrierPath(start_year=2021, end_year=2022, target=0.0)
    for order in ((0, 1), (1, 0)):
        policies = [path.__class__(start_year=2021, end_year=2022, target=0.0),
                    ProvinceLevers(start_year=2023, provinces=["Anhui"], barrier=1.0)]
        model = YRDModel(rng=1, policies=tuple(policies[i] for i in order), **QUICK_SCALE)
        for _ in range(8):                                         # to 2022 Q1: the path is done
            model.step()
        np.testing.assert_array_equal(model.levers.barrier, 0.0)
        for _ in range(4):                                         # to 2023 Q1
            model.step()
        provinces = model.geography.province_names
        np.testing.assert_array_equal(model.levers.barrier, [1.0 if p == "Anhui" else 0.0 for p in provinces])


def test_a_second_liberalisation_adds_its_cities():
    model = YRDModel(rng=1, policies=(Liberalisation(start_year=2021, provinces=["Shanghai"]),
                                      Liberalisation(start_year=2022, provinces=["Zhejiang"])), **QUICK_SCALE)
    provinces = np.array(model.geography.provinces)
    for _ in range(4):                                             # to 2021 Q1
        model.step()
    np.testing.assert_array_equal(model.levers.liberalised, provinces == "Shanghai")
    for _ in range(4):                                             # to 2022 Q1
        model.step()
    np.testing.assert_array_equal(model.levers.liberalised, np.isin(provinces, ["Shanghai", "Zhejiang"]))


def test_divisions_of_labour_add_their_scores():
    roles = {"Anhui": ["new_energy"], "Zhejiang": ["digital_economy"]}

    def scores(*policies):
        model = YRDModel(rng=1, policies=policies, **QUICK_SCALE)
        for _ in range(4):                                         # to 2021 Q1
            model.step()
        return model.levers.roles

    alone = scores(DivisionOfLabor(start_year=2021, roles=roles)), scores(ChainAutonomy(start_year=2021))
    np.testing.assert_array_equal(scores(DivisionOfLabor(start_year=2021, roles=roles), ChainAutonomy(start_year=2021)),
                                  alone[0] + alone[1])
    # one division of labour: its scores alone (a 1 for each province's role sectors)
    assert set(np.unique(alone[0])) == {0.0, 1.0}


#: policies of which one would undo the other, and what the message says
CONFLICTS = {
    "COVID and a city lockdown in 2020": (
        [CovidShock(start_year=2020), CityLockdown(start_year=2020, start_quarter=3)],
        "policies 1 (CovidShock) and 2 (CityLockdown) both set lockdown in 2020 Q3, and one would undo the other; "
        "give the lockdowns quarters that do not overlap"),
    "a lockdown in the quarter after another": (
        [CityLockdown(), CovidShock(start_year=2022, start_quarter=3, absent=[0.05])],
        "policies 1 (CityLockdown) and 2 (CovidShock) both set lockdown in 2022 Q3"),
    "two barrier paths that overlap": (
        [BarrierPath(start_year=2021, end_year=2025, target=0.0), BarrierPath(start_year=2024, end_year=2030, target=1.0)],
        "policies 1 (BarrierPath) and 2 (BarrierPath) both set barrier in 2024 Q1"),
    "a province's barrier during a barrier path": (
        [BarrierPath(start_year=2021, end_year=2025, target=0.0),
         ProvinceLevers(start_year=2023, provinces=["Anhui"], barrier=1.0)],
        "policies 1 (BarrierPath) and 2 (ProvinceLevers) both set barrier in 2023 Q1 for Anhui"),
    "two provinces' levers for the same province in the same year": (
        [ProvinceLevers(start_year=2023, provinces=["Anhui", "Jiangsu"], hukou_penalty=0.0),
         ProvinceLevers(start_year=2023, provinces=["Jiangsu"], hukou_penalty=1.0)],
        "both set hukou_penalty in 2023 Q1 for Jiangsu"),
    "two cuts of the same imports at once": (
        [ExternalSupplyShock(), ExternalSupplyShock(start_quarter=2, sectors=["electronics_ic", "machinery"])],
        "both set import_supply in 2022 Q2 for electronics_ic"),
    "two network upgrades": (
        [NetworkUpgrade(until_year=2022), NetworkUpgrade(until_year=2024)],
        "both set network in 2020 Q2, and one would undo the other; one NetworkUpgrade adds every line up to its "
        "until_year"),
    "two adoption subsidies due before the run starts": (
        [DigitalIntegration(start_year=2018, adoption_subsidy=0.2), DigitalIntegration(start_year=2020)],
        "both set adoption_subsidy in 2020 Q2"),
}


@pytest.mark.parametrize("case", list(CONFLICTS))
def test_policies_of_which_one_would_undo_the_other_are_refused(case):
    policies, message = CONFLICTS[case]
    with pytest.raises(ParameterError) as caught:
        YRDModel(rng=1, policies=tuple(policies), **QUICK_SCALE)
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("policies", [
    [CovidShock(start_year=2020), CityLockdown()],                       # 2020-21 and 2022
    [ExternalSupplyShock(), ExternalSupplyShock(sectors=["machinery"])],  # other sectors
    [ProvinceLevers(start_year=2023, provinces=["Anhui"], barrier=0.0),
     ProvinceLevers(start_year=2023, provinces=["Jiangsu"], barrier=1.0)],  # other provinces
    [BarrierPath(start_year=2021, end_year=2022, target=0.0), BarrierPath(start_year=2023, end_year=2024, target=1.0)],
    [BarrierPath(start_year=2021, end_year=2022, target=0.0), ProvinceLevers(start_year=2021, hukou_penalty=0.0)],
    [DigitalIntegration(start_year=2021, adoption_subsidy=0.2), DigitalIntegration(start_year=2024)],
    [CovidShock(start_year=2010), CityLockdown(start_year=2019)],        # both over before the run starts
], ids=["covid then shanghai", "other import sectors", "other provinces", "paths one after the other",
        "a path and the hukou", "two adoption subsidies", "shocks before the run"])
def test_policies_that_combine_are_accepted(policies):
    check_combination(policies, 2020)


def test_a_scenario_file_whose_policies_conflict_stops_before_the_run(tmp_path, capsys):
    path, out = tmp_path / "two_lockdowns.toml", tmp_path / "out"
    path.write_text('description = "COVID and a Shanghai lockdown in the same year"\n'
                    '[[policy]]\ntype = "CovidShock"\nstart_year = 2022\n'
                    '[[policy]]\ntype = "CityLockdown"\n')
    assert main(["run", "--scenario", str(path), "--steps", "2", "--out", str(out), *SMALL]) == 2
    err = capsys.readouterr().err
    assert err == ("ydabm: error: scenario two_lockdowns.toml: policies 1 (CovidShock) and 2 (CityLockdown) both set "
                   "lockdown in 2022 Q2, and one would undo the other; give the lockdowns quarters that do not overlap "
                   "(a CovidShock lasts its quarters and its recovery_quarters, a CityLockdown also the quarter after its own), or lock several "
                   "cities in one CityLockdown\n")
    assert not out.exists()


# --------------------------------------------------------------------------- random combinations
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from invariants import Start, assert_invariants  # noqa: E402

PROVINCES = ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]
YEARS = st.integers(2020, 2022)


def _quarter():
    return st.integers(1, 4)


#: one strategy per policy type: the fields a scenario would give, in the years a 12-quarter run from
#: 2020 sees
KINDS = {
    "CovidShock": st.builds(CovidShock, start_year=YEARS, start_quarter=_quarter(),
                            absent=st.lists(st.sampled_from([0.0, 0.05, 0.2]), min_size=1, max_size=2),
                            demand_drop=st.lists(st.sampled_from([0.0, 0.1]), min_size=1, max_size=2),
                            recovery_quarters=st.integers(0, 3)),
    "CityLockdown": st.builds(CityLockdown, cities=st.sampled_from([["Shanghai"], ["Hefei", "Wuhu"], ["Hangzhou"]]),
                              start_year=YEARS, start_quarter=_quarter(),
                              absent=st.lists(st.sampled_from([0.05, 0.3]), min_size=1, max_size=2),
                              recovery_quarters=st.integers(0, 3)),
    "ExternalSupplyShock": st.builds(ExternalSupplyShock, start_year=YEARS, start_quarter=_quarter(),
                                     quarters=st.integers(1, 3), supplied=st.sampled_from([0.0, 0.5])),
    "BarrierPath": st.builds(lambda start, length, target: BarrierPath(start_year=start, end_year=start + length,
                                                                        target=target),
                             YEARS, st.integers(0, 1), st.sampled_from([0.0, 1.0])),
    "ProvinceLevers": st.builds(ProvinceLevers, start_year=YEARS, provinces=st.sampled_from([[p] for p in PROVINCES]),
                                barrier=st.sampled_from([None, 0.0, 1.0]), hukou_penalty=st.sampled_from([0.0, 0.6])),
    "Liberalisation": st.builds(Liberalisation, start_year=YEARS, provinces=st.sampled_from([[p] for p in PROVINCES])),
    "DivisionOfLabor": st.builds(DivisionOfLabor, start_year=YEARS,
                                 roles=st.just({"Anhui": ["new_energy"], "Zhejiang": ["digital_economy"]}),
                                 min_advantage=st.sampled_from([0.0, 1.0, 10.0])),
    "ChainAutonomy": st.builds(ChainAutonomy, start_year=YEARS),
    "DigitalIntegration": st.builds(DigitalIntegration, start_year=YEARS),
}


@st.composite
def combinations(draw):
    """Two to four policies of different types (two of one type would be refused or, for the roles,
    add in another float order), drawn so that their schedules overlap."""
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=2, max_size=4, unique=True))
    return [draw(KINDS[kind]) for kind in kinds]


def _fresh(policies):
    """New policy objects with the same fields (policies keep state: each run needs its own)."""
    import dataclasses
    return [type(p)(**{f.name: getattr(p, f.name) for f in dataclasses.fields(p) if f.init and not f.name.startswith("_")})
            for p in policies]


@pytest.mark.slow
@settings(max_examples=30, derandomize=True, database=None, deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(policies=combinations())
def test_random_combinations_act_the_same_in_either_order_and_keep_every_invariant(policies):
    try:
        check_combination(policies, 2020)
    except ParameterError:
        assume(False)                               # refused: one would undo the other
    frames = []
    for ordered in (_fresh(policies), _fresh(policies[::-1])):
        model = YRDModel(rng=1, policies=tuple(ordered), **{**QUICK_SCALE, "input_output": 1})
        start = Start.of(model)
        for _ in range(12):
            model.step()
            assert_invariants(model, start, rel=1e-9)
        frames.append(model.datacollector.get_model_vars_dataframe().to_numpy(dtype=float))
    np.testing.assert_array_equal(frames[0], frames[1])


def test_a_run_notes_the_policies_it_does_not_see(tmp_path, capsys):
    # the lockdown of 2022 Q2 lies beyond four quarters from 2020 (the last is 2021 Q1): the run runs and
    # then says so on stderr
    out = tmp_path / "run"
    example = Path(__file__).resolve().parents[1] / "docs" / "scenarios" / "covid_then_shanghai.toml"
    assert main(["run", "--scenario", str(example), "--steps", "4", "--out", str(out), *SMALL]) == 0
    err = capsys.readouterr().err
    assert err == ("ydabm: note: scenario covid_then_shanghai: policy 2 (CityLockdown): it starts in 2022 Q2, after the "
                   "run's last quarter, 2021 Q1 (4 steps), so it does not act\n")
    # a shock written from 2020 Q1, the quarter of t = 0: its first quarter never acts
    notes = schedule_notes([CovidShock(start_year=2020), CovidShock(start_year=2010)], 2020, 40)
    assert notes == ["policy 1 (CovidShock): it starts in 2020 Q1, before the run's first quarter, 2020 Q2 (2020 Q1 is "
                     "t = 0, the calibrated economy), so its quarters before 2020 Q2 do not act",
                     "policy 2 (CovidShock): its quarters 2010 Q1 to 2011 Q4 end before the run's first quarter, "
                     "2020 Q2, so it does not act"]
    # the shipped scenarios over the default 40 quarters: nothing to note
    from ydabm.scenarios import list_scenarios
    for scenario in list_scenarios():
        params = scenario.params()
        assert schedule_notes(scenario.policies(params), params["start_year"], 40) == [], scenario.name


def test_a_run_notes_a_policy_that_only_adds_and_starts_after_its_last_quarter(tmp_path, capsys):
    # the policies that act once without declaring moves (they add to what others do, so they never
    # conflict) were not seen by the notes: a run of one quarter said nothing of a division of labour
    # from 2021
    from ydabm.policies import ComplementaryChain
    policies = [DivisionOfLabor(start_year=2021, roles={"Anhui": ["new_energy"]}), Liberalisation(2021, ["Anhui"]),
                ChainAutonomy(start_year=2021), ComplementaryChain(start_year=2022)]
    assert schedule_notes(policies, 2020, 1) == [
        f"policy {n} ({kind}): it starts in {year} Q1, after the run's last quarter, 2020 Q2 (1 step), so it does not act"
        for n, kind, year in ((1, "DivisionOfLabor", 2021), (2, "Liberalisation", 2021), (3, "ChainAutonomy", 2021),
                              (4, "ComplementaryChain", 2022))]
    # four steps reach 2021 Q1, eight 2022 Q1
    assert [note[:8] for note in schedule_notes(policies, 2020, 4)] == ["policy 4"]
    assert schedule_notes(policies, 2020, 8) == []
    out = tmp_path / "run"
    assert main(["run", "--scenario", "division_of_labor", "--steps", "1", "--out", str(out), *SMALL]) == 0
    assert capsys.readouterr().err == (
        "ydabm: note: scenario division_of_labor: policy 1 (DivisionOfLabor): it starts in 2021 Q1, after the run's "
        "last quarter, 2020 Q2 (1 step), so it does not act\n")


def test_a_sweep_notes_the_policies_its_runs_do_not_see(tmp_path, capsys):
    # two quarters from 2020 end before the Shanghai lockdown of 2022 Q2; the note comes once, before
    # the runs, and the sweep runs
    from ydabm.experiments import run_sweep
    spec = tmp_path / "sweep.toml"
    spec.write_text('name = "notes"\nsteps = 2\nreplicates = 1\nscenario = "shanghai_lockdown_2022"\n'
                    '[vary]\nbarrier = [0.0, 1.0]\n[set]\npeople_per_agent = 20000\n')
    run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    err = capsys.readouterr().err
    assert err == ("ydabm: note: notes: scenario shanghai_lockdown_2022: policy 1 (CityLockdown): it starts in 2022 Q2, "
                   "after the run's last quarter, 2020 Q3 (2 steps), so it does not act\n")
