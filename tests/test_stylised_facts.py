"""Stylised facts (declared in ydabm.validation.facts; docs/validation.md) over the protocol's seeds (five,
the count a power analysis on a pilot gives: tests/test_facts_power.py): each effect at least three
standard errors from zero and monotone over five lever values.

The facts and the measuring protocol live in ``ydabm.validation.facts`` (also run
by ``ydabm validate facts``); each test measures one fact and requires that it holds. Facts that the
rebuilt engine (issue 10) no longer reproduces are strict expected failures naming the issue whose
mechanism is to restore them (docs/validation.md gives the numbers and the reasons).
"""

import numpy as np
import pytest

from ydabm.validation.facts import FACTS, evaluate

#: facts that fail on the rebuilt engine, with the reason and the issue that will restore them. Since 5 Dec
#: 2026 (thirty-first session) the facts run at the default scale over 40 quarters (10,000 people per agent
#: and 24 quarters before, where lower specialization raised the zombie share monotonically, -0.21 +- 0.04 pp
#: on eight seeds, and the two MODEL_SPEC section 7 facts added that day failed as below)
FAILING: dict[str, str] = {
    "lower specialization lowers regional output": (
        "issue 11 items 5, 8: homogeneous competition costs almost no output in the model. Real GDP is "
        "0.015 +- 0.018 % lower at specialization 0 than at 1 (0.9 se, 3 of 5 seeds; 7 Dec 2026, fifty-first "
        "session; 0.039 +- 0.022 %, 1.8 se, on 5 Dec 2026), and over forty seeds +0.0003 +- 0.005 % (7 Dec 2026, "
        "fiftieth session): no output effect, not too few seeds. Each city's "
        "support is fixed in scale in its own terms (mechanisms/targeting.py), so the lever changes where support "
        "goes, not how much; it moves similarity, utilisation and the zombie share, and costs welfare "
        "(-0.11 +- 0.02 %) and aggregate productivity (-0.33 +- 0.02 %). Real GDP values each firm's output at "
        "its city-sector's 2020 unit value, and the output moves to less productive cities, whose unit values "
        "were higher: at one 2020 unit value per sector output falls 0.32 +- 0.02 % (scripts/competition_output.py)"),
    "higher barrier raises the zombie share": (
        "issue 11 item 4: since farming is a two-way occupational choice (8 Dec 2026, fifty-fourth session) the "
        "zombie share is +0.005 +- 0.055 pp higher at barrier 1 than at 0 (1.17 % at both ends, 0.73 % at 0.5: "
        "U-shaped). Before, +0.39 +- 0.03 pp came mostly from agricultural zombies that the one-way exit from "
        "farming made: 0.33 of the baseline's 0.63 % (seeds 1-5, quarters 33-40), 0.24 at barrier 1 and 0.001 at "
        "barrier 0, while the other sectors' zombies were already U-shaped (0.57, 0.30, 0.72 % at 0, 0.5, 1; now "
        "1.09, 0.68, 1.13 %, agriculture 0.04-0.08 %). Moving the barrier either way from its calibrated 0.5 "
        "raises the share; moved in 2030 instead, after the set-up's zombies are gone, the barrier's directional part (half the difference between steps of +0.5 and -0.5) is +0.17 +- 0.02 pp in quarters 49-60 and +0.09 +- 0.01 pp in 61-72, against +0.002 +- 0.027 pp in quarters 33-40 when it moves in 2020, where the change's symmetric part, +0.44 +- 0.01 pp, swamps it (scripts/zombie_transition.py, seeds 1-5)"),
}


@pytest.mark.slow
@pytest.mark.parametrize("fact", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=FAILING[f.name])) if f.name in FAILING else f
    for f in FACTS], ids=[f.name for f in FACTS])
def test_stylised_fact(fact):
    result = evaluate(fact)
    assert result["holds"], result


def _fact_with_curve(monkeypatch, curve):
    """A fact whose outcomes at the 5 levels are ``curve[level]`` + a per-seed offset (five values,
    whatever the seeds)."""
    from ydabm.validation import facts
    offsets = np.array([0.0, 0.1, -0.1, 0.05, -0.05])
    levels = list(np.linspace(0, 1, facts.LEVELS))
    monkeypatch.setattr(facts.Fact, "outcomes",
                        lambda self, value, seeds, settings=None: curve[levels.index(value)]
                        + offsets[: len(seeds)] * (1 + value))
    return facts.Fact("test", "barrier", "similarity_manufacturing", +1)


def test_a_fact_needs_three_standard_errors_and_a_monotone_curve(monkeypatch):
    # per-seed differences high - low: 1 + offsets * 1 -> mean 1, sd 0.0791, se 0.0354: 28 se
    result = _fact_with_curve(monkeypatch, [0.0, 0.25, 0.5, 0.75, 1.0]).evaluate()
    assert result["holds"] and result["monotone"]
    assert result["se"] == pytest.approx(np.std([0.1, -0.1, 0.05, -0.05, 0.0], ddof=1) / np.sqrt(5))
    # the same end points with a dip in the middle far beyond the noise: not monotone
    dip = _fact_with_curve(monkeypatch, [0.0, 0.5, -0.5, 0.75, 1.0]).evaluate()
    assert not dip["monotone"] and not dip["holds"]
    # a flat stretch within noise is allowed
    flat = _fact_with_curve(monkeypatch, [0.0, 0.0, 0.0, 0.5, 1.0]).evaluate()
    assert flat["monotone"] and flat["holds"]
    # an effect of 0.05 against the seeds' noise (se 0.035): 1.4 se, not enough
    small = _fact_with_curve(monkeypatch, [0.0, 0.01, 0.02, 0.04, 0.05]).evaluate()
    assert small["z"] == pytest.approx(0.05 / small["se"]) and not small["holds"]


def test_the_command_writes_its_results_and_provenance(monkeypatch, tmp_path, capsys):
    """``ydabm validate facts --out DIR`` records every result, one row per fact and the protocol
    (seeds, scale, quarters) beside them; exit 1 when a fact fails. Two stand-in facts on one rising
    curve (outcomes given, no runs): one expects the rise and holds, one expects a fall and fails."""
    import json

    import pandas as pd

    from ydabm.cli import main
    from ydabm.validation import facts
    rising = _fact_with_curve(monkeypatch, [0.0, 0.25, 0.5, 0.75, 1.0])
    monkeypatch.setattr(facts, "FACTS", (rising, facts.Fact("falling", "barrier", "similarity_manufacturing", -1)))
    out = tmp_path / "facts"
    assert main(["validate", "facts", "--out", str(out), "--workers", "1"]) == 1     # stand-ins live here
    assert "1 of 2 facts hold" in capsys.readouterr().out
    results = json.loads((out / "facts.json").read_text())
    assert [r["fact"] for r in results] == ["test", "falling"] and [r["holds"] for r in results] == [True, False]
    table = pd.read_csv(out / "facts.csv")
    assert list(table.columns) == list(facts.TABLE_COLUMNS)
    assert table["value"].tolist() == pytest.approx([1.0, 1.0]) and table["holds"].tolist() == [True, False]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["check"] == "facts" and manifest["seeds"] == list(facts.SEEDS)
    assert manifest["scale"] == facts.SCALE and manifest["holding"] == 1 and "git_commit" in manifest
    assert manifest["settings"] == {}


def test_facts_that_share_runs_are_measured_together():
    """The 19 facts fall into six groups of shared runs: the specialization, barrier and hukou facts by
    lever (five, nine and two facts), and the rail-link, migration and dilemma facts alone."""
    from ydabm.validation import facts
    groups = facts.run_groups(facts.FACTS)
    assert sorted(map(len, groups)) == [1, 1, 1, 2, 5, 9] and sorted(sum(groups, [])) == list(range(19))
    assert {facts.FACTS[i].lever for i in max(groups, key=len)} == {"barrier"}
    # costliest first: the three levers' groups (5 levels x 40 quarters each), then the dilemma (3 runs x 40),
    # then the migration fact (one run of 80) and the rail links (2 x 40)
    assert {facts.FACTS[groups[k][0]].lever for k in range(3)} == {"specialization", "barrier", "hukou_penalty"}
    assert isinstance(facts.FACTS[groups[3][0]], facts.DilemmaFact)


def test_a_pool_gives_the_in_process_results():
    """Two cheap real facts (2 quarters, 2 seeds; different levers, so two groups) measured on a
    2-worker pool and in this process give the same numbers: every run is seeded."""
    from ydabm.validation import facts
    cheap = (facts.Fact("a", "barrier", "unemployment_rate", +1, quarters=2),
             facts.Fact("b", "specialization", "similarity_manufacturing", -1, quarters=2))
    pooled = facts.evaluate_all(cheap, seeds=(1, 2), workers=2)
    assert pooled == facts.evaluate_all(cheap, seeds=(1, 2), workers=1)
    assert [r["fact"] for r in pooled] == ["a", "b"]


def test_settings_reach_every_run_under_the_facts_own_lever_values():
    """``ydabm validate facts --set``: every run has the settings beside the facts' scale, and a
    fact's own lever (and base) values win over them; the manifest records them."""
    from ydabm.validation import facts
    result = facts.run({"barrier": 1.0}, 1, 1, settings={"barrier": 0.0, "soft_budget": 0.0})
    assert result.params["barrier"] == 1.0 and result.params["soft_budget"] == 0.0
    assert result.params["people_per_agent"] == facts.SCALE["people_per_agent"]
    cheap = (facts.Fact("a", "barrier", "unemployment_rate", +1, quarters=1),)
    plain, hard = (facts.evaluate_all(cheap, seeds=(1, 2), settings=settings)[0]
                   for settings in (None, {"soft_budget": 0.0, "productivity_persistence": 0.8}))
    assert plain["per_seed"] != hard["per_seed"]


def test_facts_set_out_of_range_names_the_field_before_any_run(tmp_path, capsys):
    from ydabm.cli import main
    out = tmp_path / "facts"
    assert main(["validate", "facts", "--set", "burn_in=41", "--out", str(out)]) == 2
    assert "burn_in: '41' is out of range; allowed [0, 40] (years)" in capsys.readouterr().err
    assert not out.exists()
