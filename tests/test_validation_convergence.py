"""Scale convergence (``ydabm validate convergence``): headline levels and lever effects at several
``people_per_agent``, the default scale scored against the finest.

Criteria (stated in :mod:`ydabm.validation.convergence`): levels within 0.005 (similarity and
Krugman indexes), 0.5 % relative (real GDP), 0.002 (unemployment rate); every lever effect keeps its
sign and is within 20 % of its finest-scale value, unless that value is within 3 standard errors of
0 ("n.s.", not scored), or unless it is shown economically negligible at the finest scale (upper
bound |e| + t(0.95, n - 1) se below 0.05 pp for unemployment, 0.05 % for real GDP), when it must be
shown negligible at the checked scale too. The logic is tested on hand-made numbers; the command on a
tiny configuration.
"""

import json
import math

import numpy as np
import pandas as pd
import pytest

from ydabm.cli import main
from ydabm.validation import convergence as cv
from ydabm.validation.convergence import FAIL, METRICS, NOT_SIGNIFICANT, PASS, ConvergenceCheck

CHECKED, REFERENCE = 2000.0, 500.0
SEEDS = 5                                            # t(0.95, 4) = 2.1318468


def _levels(checked: dict, reference: dict) -> pd.DataFrame:
    rows = [(m, s, values.get(m, 0.5), 0.001) for s, values in ((CHECKED, checked), (REFERENCE, reference))
            for m in METRICS]
    return pd.DataFrame(rows, columns=["metric", "people_per_agent", "mean", "se"]).set_index(
        ["metric", "people_per_agent"]).sort_index()


def _effects(cases: dict) -> pd.DataFrame:
    """``cases[(lever, metric)] = (checked, reference, reference_se[, checked_se])``; others: 0.05 at
    both, se 0.001 (the checked se 0.001 unless given)."""
    rows = []
    for lever in cv.LEVERS:
        for metric in METRICS:
            checked, reference, se, *checked_se = cases.get((lever, metric), (0.05, 0.05, 0.001))
            rows += [(lever, metric, CHECKED, checked, checked_se[0] if checked_se else 0.001),
                     (lever, metric, REFERENCE, reference, se)]
    return pd.DataFrame(rows, columns=["lever", "metric", "people_per_agent", "mean", "se"]).set_index(
        ["lever", "metric", "people_per_agent"]).sort_index()


LEVELS_CHECKED = {"similarity_manufacturing": 0.7700, "similarity_all": 0.8000, "krugman_index": 0.5000,
                  "real_gdp": 301_000.0, "unemployment_rate": 0.0520}
LEVELS_FINEST = {"similarity_manufacturing": 0.7660, "similarity_all": 0.8060, "krugman_index": 0.5000,
                 "real_gdp": 300_000.0, "unemployment_rate": 0.0505}
EFFECTS = {
    ("barrier", "similarity_manufacturing"): (0.023, 0.020, 0.001),   # 15 % larger: pass
    ("barrier", "similarity_all"): (0.0125, 0.010, 0.001),            # 25 % larger: fail
    ("barrier", "krugman_index"): (0.001, -0.010, 0.001),             # sign flipped: fail
    ("barrier", "real_gdp"): (0.02, -0.010, 0.004),                   # 2.5 se at the finest: n.s.
    ("barrier", "unemployment_rate"): (0.0028, 0.003, 0.001),         # exactly 3 se: scored, 7 % off: pass
    ("barrier", "capacity_utilization"): (0.01, 0.0, 0.0),            # exactly zero: n.s.
    ("specialization", "theil_index"): (-0.0009, -0.001, 0.0001),     # 10 % smaller, same sign: pass
    ("specialization", "similarity_manufacturing"): (0.0, -0.001, 0.0005),  # 2 se: n.s. though checked is 0
}


@pytest.fixture
def criteria():
    return score_table(LEVELS_CHECKED, LEVELS_FINEST, EFFECTS)


def score_table(checked, finest, effects, seeds=SEEDS):
    return cv.score(_levels(checked, finest), _effects(effects), CHECKED, REFERENCE, seeds)


def _row(criteria, kind, metric, lever=""):
    match = criteria[(criteria["kind"] == kind) & (criteria["metric"] == metric) & (criteria["lever"] == lever)]
    assert len(match) == 1
    return match.iloc[0]


def test_levels_are_scored_for_the_five_metrics_with_their_tolerances(criteria):
    levels = criteria[criteria["kind"] == "level"]
    assert list(levels["metric"]) == ["similarity_manufacturing", "similarity_all", "krugman_index", "real_gdp",
                                      "unemployment_rate"]
    assert _row(criteria, "level", "similarity_manufacturing")["status"] == PASS      # 0.004 <= 0.005
    row = _row(criteria, "level", "similarity_all")
    assert row["status"] == FAIL and row["difference"] == pytest.approx(-0.006)     # 0.006 > 0.005
    assert _row(criteria, "level", "krugman_index")["status"] == PASS
    row = _row(criteria, "level", "real_gdp")                                        # relative: 1/300
    assert row["difference"] == pytest.approx(1 / 300) and row["status"] == PASS
    row = _row(criteria, "level", "unemployment_rate")                               # 0.15 pp <= 0.2 pp
    assert row["difference"] == pytest.approx(0.0015) and row["status"] == PASS


def test_real_gdp_level_fails_beyond_half_a_percent_and_unemployment_beyond_a_fifth_of_a_point():
    criteria = score_table({**LEVELS_CHECKED, "real_gdp": 302_000.0, "unemployment_rate": 0.0530},
                           LEVELS_FINEST, EFFECTS)
    assert _row(criteria, "level", "real_gdp")["difference"] == pytest.approx(2 / 300)   # 0.67 % > 0.5 %
    assert _row(criteria, "level", "real_gdp")["status"] == FAIL
    assert _row(criteria, "level", "unemployment_rate")["status"] == FAIL               # 0.25 pp > 0.2 pp


def test_effects_within_twenty_percent_pass_and_beyond_fail(criteria):
    row = _row(criteria, "effect", "similarity_manufacturing", "barrier")
    assert row["status"] == PASS and row["ratio"] == pytest.approx(1.15) and row["sign_kept"]
    row = _row(criteria, "effect", "similarity_all", "barrier")
    assert row["status"] == FAIL and row["ratio"] == pytest.approx(1.25) and row["sign_kept"]
    assert "25%" in row["note"]
    row = _row(criteria, "effect", "theil_index", "specialization")
    assert row["status"] == PASS and row["tolerance"] == pytest.approx(0.0002)


def test_a_flipped_sign_fails(criteria):
    row = _row(criteria, "effect", "krugman_index", "barrier")
    assert row["status"] == FAIL and row["sign_kept"] is False and "sign flipped" in row["note"]


def test_effects_within_three_standard_errors_of_zero_are_not_scored(criteria):
    for lever, metric in (("barrier", "real_gdp"), ("barrier", "capacity_utilization"),
                          ("specialization", "similarity_manufacturing")):
        row = _row(criteria, "effect", metric, lever)
        assert row["status"] == NOT_SIGNIFICANT and row["sign_kept"] is None and "not scored" in row["note"]
    row = _row(criteria, "effect", "unemployment_rate", "barrier")                     # 3.0 se: scored
    assert row["status"] == PASS and row["ratio"] == pytest.approx(0.0028 / 0.003)


def test_upper_bound_is_the_one_sided_95_percent_t_bound():
    assert cv.upper_bound(-0.0001, 0.0001, 5) == pytest.approx(0.0001 + 2.1318468 * 0.0001)
    assert cv.upper_bound(0.0002, 0.0001, 3) == pytest.approx(0.0002 + 2.9199856 * 0.0001)
    assert cv.upper_bound(0.0002, float("nan"), 3) == math.inf and cv.upper_bound(0.0, 0.0, 1) == math.inf


# the barrier's effect on unemployment as measured (5 seeds): +0.005 +- 0.001 pp at 500 (5 se from 0,
# so scored under the 20 % rule) and -0.011 +- 0.009 pp at 2000 (sign flipped)
MEASURED = (-0.00011, 0.00005, 0.00001, 0.00009)


def test_an_effect_negligible_at_both_scales_passes_whatever_its_sign():
    row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("barrier", "unemployment_rate"): MEASURED}),
               "effect", "unemployment_rate", "barrier")
    # finest: 0.00005 + 2.1318 * 0.00001 = 0.0000713 <= 0.0005; checked: 0.00011 + 2.1318 * 0.00009 = 0.000302
    assert row["rule"] == "negligible" and row["status"] == PASS and row["tolerance"] == 0.0005
    assert row["sign_kept"] is None and "0.030 pp" in row["note"] and "negligible too" in row["note"]
    row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("barrier", "unemployment_rate"): MEASURED},
                           seeds=3), "effect", "unemployment_rate", "barrier")
    assert row["status"] == PASS                       # 0.00011 + 2.92 * 0.00009 = 0.000373
    criteria = score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("barrier", "unemployment_rate"): MEASURED})
    assert _check(criteria).summary()["n_negligible"] == 1


def test_an_effect_negligible_at_the_finest_scale_only_fails():
    for checked in ((-0.0003, 0.00005, 0.00001, 0.0001),    # 0.0003 + 2.1318 * 0.0001 = 0.000513 > 0.0005
                    (0.0, 0.00005, 0.00001, 0.0003)):       # no effect, but too noisy to show it negligible
        row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("barrier", "unemployment_rate"): checked}),
                   "effect", "unemployment_rate", "barrier")
        assert row["rule"] == "negligible" and row["status"] == FAIL and "not shown negligible" in row["note"]
    row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST,
                           {**EFFECTS, ("barrier", "unemployment_rate"): (-0.00028, 0.00005, 0.00001, 0.0001)}),
               "effect", "unemployment_rate", "barrier")
    assert row["status"] == PASS                       # 0.00028 + 0.000213 = 0.000493 <= 0.0005


def test_an_effect_not_shown_negligible_at_the_finest_scale_keeps_the_twenty_percent_rule():
    # 0.0004 + 2.1318 * 0.0001 = 0.000613 > 0.0005: 4 se from 0, scored by sign and 20 %
    row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("barrier", "unemployment_rate"):
                                                           (0.0001, 0.0004, 0.0001, 0.00001)}),
               "effect", "unemployment_rate", "barrier")
    assert row["rule"] == "20 %" and row["status"] == FAIL and row["ratio"] == pytest.approx(0.25)
    # a metric without a negligible size (capacity utilisation) keeps the 20 % rule however small its effect
    row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("barrier", "capacity_utilization"):
                                                           (-0.00011, 0.00005, 0.00001, 0.00009)}),
               "effect", "capacity_utilization", "barrier")
    assert row["rule"] == "20 %" and row["status"] == FAIL and row["sign_kept"] is False
    # real GDP (relative): 0.05 %
    row = _row(score_table(LEVELS_CHECKED, LEVELS_FINEST, {**EFFECTS, ("specialization", "real_gdp"):
                                                           (0.0002, -0.0001, 0.0001, 0.0001)}),
               "effect", "real_gdp", "specialization")
    assert row["rule"] == "negligible" and row["status"] == PASS and "%" in row["note"]


def test_the_check_holds_only_when_no_scored_criterion_fails(criteria):
    assert len(criteria) == 5 + 2 * len(METRICS)
    assert (criteria["status"] == FAIL).sum() == 3                   # similarity_all level, two barrier effects
    assert not _check(criteria).passed
    good = score_table({**LEVELS_CHECKED, "similarity_all": 0.8050}, LEVELS_FINEST,
                       {**EFFECTS, ("barrier", "similarity_all"): (0.0085, 0.010, 0.001),
                        ("barrier", "krugman_index"): (-0.011, -0.010, 0.001)})
    assert set(good["status"]) == {PASS, NOT_SIGNIFICANT}
    assert _check(good).passed


def _check(criteria, levels=None, effects=None, runs=None) -> ConvergenceCheck:
    params = {"scales": [CHECKED, REFERENCE], "checked_scale": CHECKED, "reference_scale": REFERENCE,
              "seeds": [1, 2, 3], "root_seed": 0, "steps": 40, "window": 8}
    return ConvergenceCheck(params, runs if runs is not None else pd.DataFrame({"seconds": [1.0]}),
                            levels if levels is not None else _levels(LEVELS_CHECKED, LEVELS_FINEST),
                            effects if effects is not None else _effects(EFFECTS), criteria, 1.0)


def test_summary_is_json_ready_and_the_table_lists_every_metric(criteria):
    check = _check(criteria)
    summary = json.loads(json.dumps(check.summary(), allow_nan=False))
    # every criterion passes except the fixture's three failures and three effects not significant
    assert summary["holds"] is False and (summary["n_pass"], summary["n_fail"], summary["n_not_significant"]) \
        == (5 + 2 * len(METRICS) - 6, 3, 3) and summary["n_negligible"] == 0
    assert summary["levels"]["similarity_all"]["mean"] == [0.8, 0.806]
    assert summary["effects"]["barrier"]["krugman_index"]["mean"] == [0.001, -0.01]
    text = cv.table(check)
    assert "2000 *" in text and "500 ref" in text and "real_gdp (relative)" in text
    assert all(text.count(metric) >= 3 for metric in METRICS)            # levels and two lever blocks
    assert "+2.000 ±0.100 %" in text                                     # relative effect of the barrier, checked
    # the real enterprises a firm agent stands for, 2000 x 23.5 / 17.6 and 500 x 23.5 / 17.6
    row = next(line for line in text.splitlines() if line.startswith(cv.ENTERPRISES_ROW))
    assert row.split()[-2:] == ["2,670", "668"]
    # runs that recorded what their set-up made show that instead (the floor of one firm agent per
    # city-sector can make an agent stand for fewer enterprises than workers_per_firm asks)
    made = pd.DataFrame({"people_per_agent": [CHECKED, CHECKED, REFERENCE], "enterprises": [2000.0, 2000.0, 668.0],
                         "seconds": [1.0, 1.0, 1.0]})
    row = next(line for line in cv.table(_check(criteria, runs=made)).splitlines()
               if line.startswith(cv.ENTERPRISES_ROW))
    assert row.split()[-2:] == ["2,000", "668"]
    lines = cv.verdict_lines(check)
    assert len(lines) == len(criteria) and lines[1].startswith("FAIL  level  similarity_all")


def _runs() -> pd.DataFrame:
    """Two scales x five settings x three seeds; metric values hand-made for similarity_all, real_gdp."""
    base = {"similarity_all": [1.0, 2.0, 3.0], "real_gdp": [100.0, 200.0, 400.0]}
    changed = {"barrier=1": {"similarity_all": [2.0, 4.0, 3.0], "real_gdp": [110.0, 180.0, 400.0]}}
    rows = []
    for scale in (CHECKED, REFERENCE):
        for name in cv.settings():
            values = changed.get(name, base)
            for k, seed in enumerate((7, 8, 9)):
                rows.append({"people_per_agent": scale, "setting": name, "seed": seed, "seconds": 0.1,
                             **{m: values.get(m, base.get(m, [0.5] * 3))[k] for m in METRICS}})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1)          # order must not matter


def test_summarise_averages_over_seeds_and_matches_lever_effects_seed_by_seed():
    levels, effects = cv.summarise(_runs())
    level = levels.loc[("similarity_all", REFERENCE)]
    assert level["mean"] == pytest.approx(2.0) and level["se"] == pytest.approx(1 / math.sqrt(3))
    effect = effects.loc[("barrier", "similarity_all", CHECKED)]       # matched differences 1, 2, 0
    assert effect["mean"] == pytest.approx(1.0) and effect["se"] == pytest.approx(1 / math.sqrt(3))
    effect = effects.loc[("barrier", "real_gdp", REFERENCE)]           # relative: +10 %, -10 %, 0
    assert effect["mean"] == pytest.approx(0.0, abs=1e-12) and effect["se"] == pytest.approx(0.1 / math.sqrt(3))
    untouched = effects.loc[("specialization", "similarity_all", CHECKED)]
    assert untouched["mean"] == 0.0 and untouched["se"] == 0.0
    assert set(cv.settings()) == {"baseline", "barrier=0", "barrier=1", "specialization=0", "specialization=1"}


def test_summarise_refuses_unmatched_seeds():
    runs = _runs()
    runs.loc[(runs["setting"] == "barrier=1") & (runs["seed"] == 9), "seed"] = 10
    with pytest.raises(ValueError, match="matched"):
        cv.summarise(runs)


def test_scales_checked_scale_and_reference():
    assert cv.resolve_scales(cv.SCALES) == (list(cv.SCALES), 750.0, 500.0)         # the default, 750
    assert cv.resolve_scales([20000, 10000]) == ([20000.0, 10000.0], 20000.0, 10000.0)   # no 1000: coarsest
    assert cv.resolve_scales([4000, 2000, 1000], 4000)[1:] == (4000.0, 1000.0)
    for scales, checked in (([2000], None), ([2000, 2000], None), ([2000, 500], 500), ([2000, 500], 700),
                            ([0.5, 2000], None)):
        with pytest.raises(cv.ParameterError):
            cv.resolve_scales(scales, checked)


# ---------------------------------------------------------------------- the command
TINY = ["--scales", "20000", "10000", "--seeds", "2", "--steps", "6"]


def test_command_tiny_configuration_prints_json_and_writes_files(tmp_path, capsys):
    out = tmp_path / "convergence"
    status = main(["validate", "convergence", "--json", *TINY, "--workers", "1", "--out", str(out)])
    summary = json.loads(capsys.readouterr().out)
    assert status == (0 if summary["holds"] else 1)
    assert summary["scales"] == [20000.0, 10000.0]
    assert (summary["checked_scale"], summary["reference_scale"]) == (20000.0, 10000.0)
    assert len(summary["seeds"]) == 2 and summary["steps"] == 6 and summary["window"] == 6
    assert summary["metrics"] == list(METRICS) and set(summary["levers"]) == {"barrier", "specialization"}
    for metric in METRICS:
        assert len(summary["levels"][metric]["mean"]) == len(summary["levels"][metric]["se"]) == 2
        for lever in ("barrier", "specialization"):
            assert len(summary["effects"][lever][metric]["mean"]) == 2
    assert summary["levels"]["real_gdp"]["mean"][0] > 0
    assert summary["effects"]["barrier"]["interprovincial_trade_share"]["mean"][1] < 0   # barrier cuts trade
    criteria = summary["criteria"]
    assert len(criteria) == 5 + 2 * len(METRICS)
    assert {c["status"] for c in criteria} <= {PASS, FAIL, NOT_SIGNIFICANT}
    assert summary["holds"] == all(c["status"] != FAIL for c in criteria)
    assert summary["n_pass"] + summary["n_fail"] + summary["n_not_significant"] == len(criteria)
    assert json.loads((out / "summary.json").read_text()) == summary
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 2 * 5 * 2 and set(runs["seed"]) == set(summary["seeds"])
    assert (out / "convergence.png").stat().st_size > 10_000
    assert json.loads((out / "manifest.json").read_text())["runs"] == 20


def test_command_prints_the_table_and_a_line_per_criterion(tmp_path, capsys):
    status = main(["validate", "convergence", *TINY, "--workers", "1", "--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert "levels (baseline)" in text and "effect of barrier 1 vs 0" in text and "20000 *" in text
    verdicts = [line for line in text.splitlines() if line.strip()[:4] in (PASS, FAIL, NOT_SIGNIFICANT)]
    assert len(verdicts) == 5 + 2 * len(METRICS)
    assert ("do NOT hold" in text) == (status == 1)


@pytest.mark.parametrize("args", [["--seeds", "1"], ["--scales", "2000"], ["--steps", "0"],
                                  ["--scales", "2000", "500", "--check-scale", "500"],
                                  ["--set", "barrier=0.3"], ["--set", "people_per_agent=500"],
                                  ["--set", "burn_in=41"], ["--set", "burnin=1"]])
def test_command_refuses_bad_arguments(args, tmp_path, capsys):
    assert main(["validate", "convergence", *args, "--out", str(tmp_path)]) == 2
    assert "ydabm: error:" in capsys.readouterr().err


def test_process_pool_gives_the_same_numbers_as_in_process():
    serial = cv.run_values([20000.0], [11, 12], steps=4, window=4, workers=1, progress=False)
    pooled = cv.run_values([20000.0], [11, 12], steps=4, window=4, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial.drop(columns="seconds"), pooled.drop(columns="seconds"))
    assert np.isfinite(serial[list(METRICS)].to_numpy()).all()


def test_fixed_parameters_reach_every_run_and_the_record():
    # ``--set``: every run of every scale and setting gets them (here persistent productivity shocks,
    # which move every firm's productivity from the first quarter)
    plain = cv.run_values([20000.0], [11, 12], steps=2, window=2, workers=1, progress=False)
    shocked = cv.run_values([20000.0], [11, 12], steps=2, window=2, workers=1, progress=False,
                            fixed={"productivity_persistence": 0.8})
    assert len(shocked) == len(plain) == 5 * 2
    assert (shocked["real_gdp"].to_numpy() != plain["real_gdp"].to_numpy()).all()
    check = cv.check_convergence([20000.0, 10000.0], 2, 2, workers=1, progress=False,
                                 fixed={"productivity_persistence": 0.8})
    assert check.params["settings"] == {"productivity_persistence": 0.8}
    with pytest.raises(cv.ParameterError, match="--set specialization: the check sets it"):
        cv.check_convergence([20000.0, 10000.0], 2, 2, workers=1, progress=False, fixed={"specialization": 1.0})


@pytest.mark.slow
def test_the_default_scale_passes_every_criterion_against_500():
    # issue 10 item 5: at the default scale the levels and lever effects match 500 people per agent's
    # (the check as the command runs it: 10 seeds, 40 quarters; 100 runs, about a minute on 2 cores).
    # Observed 7 Dec 2026 at 31cb9e8, the default 750: 23 of 23, the zombie effects' ratios 0.907 and
    # 0.894 (with 40 seeds 0.886 and 0.915). At 1,000 people per agent, the default until then, 21 of 23
    # (the zombie effects 0.782 and 0.772); at 2,000, 19 of 23
    check = cv.check_convergence(scales=[cv.DEFAULT_SCALE, 500.0], progress=False)
    assert check.params["checked_scale"] == cv.DEFAULT_SCALE
    failed = check.criteria[check.criteria["status"] == FAIL]
    assert check.passed, failed.to_string()
