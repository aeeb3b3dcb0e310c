"""How many seeds the stylised facts need (ydabm.validation.facts: ``power``, ``pilot_power``,
``protocol_seeds``; scripts/facts_power.py; docs/validation.md, "How many seeds the facts need")."""

import numpy as np
import pytest

from ydabm.validation import facts


def test_power_without_an_effect_is_the_t_distributions_tail():
    # no effect: the statistic is central t with 4 degrees of freedom; by its closed form,
    # F(t) = 1/2 + (3/8) u (1 - t^2 / (12 (1 + t^2/4))), u = t / sqrt(1 + t^2/4): at t = 3,
    # u = 3 / sqrt(3.25) = 1.664101, F = 0.5 + 0.375 * 1.664101 * 0.769231 = 0.980030
    assert facts.power(0.0, 5) == pytest.approx(1 - 0.980030, abs=2e-6)
    assert np.isnan(facts.power(1.0, 1))             # one seed has no standard error


def test_power_is_the_chance_the_protocols_statistic_reaches_three_standard_errors():
    """Per-seed effects drawn normal with mean d and sd 1, judged by the protocol's own verdict
    (mean over its standard error): the share of 20,000 draws reaching 3 is the power, within four
    Monte Carlo standard errors."""
    rng = np.random.default_rng(7)
    for d, n in ((0.8, 5), (1.63, 8), (1.0, 12)):
        draws = rng.normal(d, 1.0, size=(20_000, n))
        z = draws.mean(axis=1) / (draws.std(axis=1, ddof=1) / np.sqrt(n))
        assert facts._verdict("x", "x", draws[0], +1)["z"] == pytest.approx(z[0])   # the same statistic
        expected = facts.power(d, n)
        assert abs((z >= facts.MIN_SE).mean() - expected) <= 4 * np.sqrt(expected * (1 - expected) / 20_000)


def _result(values):
    return {"per_seed": list(values)}


def test_a_fact_needs_the_fewest_seeds_that_reach_the_target_power():
    fact = facts.Fact("rises", "barrier", "similarity_manufacturing", +1)
    values = 1.63 + np.array([-1.5, -0.5, 0.0, 0.5, 1.5]) / np.std([-1.5, -0.5, 0.0, 0.5, 1.5], ddof=1)
    row = facts.pilot_power(fact, _result(values))          # effect size 1.63: mean 1.63, sd 1
    assert row["effect_size"] == [pytest.approx(1.63)]
    n = row["needs"]
    assert facts.power(1.63, n) >= facts.POWER > facts.power(1.63, n - 1)
    # the same effect against the expected sign: no seed count makes it hold
    falling = facts.Fact("falls", "barrier", "similarity_manufacturing", -1)
    assert facts.pilot_power(falling, _result(values))["needs"] is None
    # an effect too small for MAX_SEEDS seeds sets nothing
    tiny = facts.pilot_power(fact, _result(0.3 + values - values.mean()))
    assert tiny["needs"] is None and tiny["power"][20] < facts.POWER


def test_the_dilemma_needs_both_statistics_and_migration_sets_no_seed_count():
    dilemma = next(f for f in facts.FACTS if isinstance(f, facts.DilemmaFact))
    spread = np.array([-1.0, 0.0, 1.0])                          # sd 1
    row = facts.pilot_power(dilemma, {"own_per_seed": list(-1.2 + spread), "region_per_seed": list(3.0 + spread)})
    assert row["effect_size"] == [pytest.approx(1.2), pytest.approx(3.0)]
    assert row["power"][10] == pytest.approx(facts.power(1.2, 10) * facts.power(3.0, 10), abs=1e-3)
    migration = next(f for f in facts.FACTS if isinstance(f, facts.MigrationFact))
    shares = migration.threshold + 0.05 + np.array([-0.02, 0.0, 0.02])   # one seed passes with p = Phi(2.5)
    row = facts.pilot_power(migration, _result(shares))
    assert row["needs"] is None and row["pass_one_seed"] == pytest.approx(0.99379, abs=1e-4)
    assert row["power"][20] == pytest.approx(0.99379 ** 20, abs=2e-3)
    # the protocol takes the most any t-statistic fact needs, at least five
    assert facts.protocol_seeds([row, {"kind": "t statistic", "needs": 8}, {"kind": "t statistic", "needs": None}]) == 8
    assert facts.protocol_seeds([{"kind": "t statistic", "needs": 3}]) == 5


def test_a_facts_effects_are_its_full_measures_end_runs():
    """What the rule reads of a directional fact (per-seed effect, its standard error and z) comes from
    the two end runs alone, bit for bit the full measure's; a coarse scale and four quarters keep it quick."""
    settings = {"people_per_agent": 20_000}
    for fact in (facts.Fact("rises", "barrier", "similarity_manufacturing", +1, quarters=4),
                 facts.Fact("falls", "specialization", "real_gdp", +1, relative=True, quarters=4)):
        full = fact.evaluate((1, 2, 3), settings)
        ends = fact.effects((1, 2, 3), settings)
        assert {k: ends[k] for k in ("per_seed", "value", "se", "z", "measure")} == \
            {k: full[k] for k in ("per_seed", "value", "se", "z", "measure")}
        assert "monotone" not in ends and ends["holds"] == (ends["z"] >= facts.MIN_SE)
    # the same groups (in another order: the dilemma's three runs now cost more than a directional group's two)
    assert sorted(facts.run_groups(facts.FACTS, effects_only=True)) == sorted(facts.run_groups(facts.FACTS))


@pytest.mark.slow
def test_the_protocols_seeds_are_the_rules_answer_on_the_pilot():
    """The seed count is not chosen by hand: every fact measured over the pilot seeds (none of them
    the protocol's) gives, by the rule, the protocol's count; its seeds are 1..n. The rule reads each
    directional fact's end runs only (``effects_only``, checked against the full measure above)."""
    assert not set(facts.PILOT_SEEDS) & set(range(1, 21))
    results = facts.evaluate_all(facts.FACTS, seeds=facts.PILOT_SEEDS, workers=1, effects_only=True)
    rows = [facts.pilot_power(fact, result) for fact, result in zip(facts.FACTS, results)]
    assert facts.protocol_seeds(rows) == len(facts.SEEDS)
    assert facts.SEEDS == tuple(range(1, len(facts.SEEDS) + 1))
