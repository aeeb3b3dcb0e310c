"""Racetrack check (``ydabm validate racetrack``): on the model's 12-city racetrack, with the model's
goods-market functions closed as in Krugman (1993), a near-uniform start breaks into a few evenly
spaced agglomerations, as many as the fastest-growing Fourier mode of the uniform equilibrium predicts.

Criteria (stated in :mod:`ydabm.validation.racetrack`): an agglomeration is a run of neighbouring
cities each holding more than 1.5 / 12 of the mobile workers; "a few" is 2 to 4; evenly spaced means
every gap between consecutive agglomerations is within one city of 12 / count. Six replicate seeds
from ``SeedSequence(20261128)``. The agent-based runs are shown, not scored (one slow smoke test).
"""

import json

import numpy as np
import pytest

from ydabm.cli import main
from ydabm.validation import racetrack
from ydabm.validation.racetrack import FEW, agglomerations, check_racetrack, evenly_spaced, gaps

SUMMARY_KEYS = ("agglomerations", "spacing", "evenly_spaced", "predicted_frequency", "growth_rates", "seeds", "holds")


@pytest.fixture(scope="module")
def low_trade_cost():
    return check_racetrack(abm=False, seeds=6)


def test_uniform_distribution_is_unstable_and_two_agglomerations_are_predicted(low_trade_cost):
    growth = low_trade_cost.spectrum
    assert growth[0] == pytest.approx(0.0, abs=1e-4)      # moving everyone at once is no migration
    assert growth[1] < 0 < growth[2]                       # one core is not preferred; k = 2 grows
    assert low_trade_cost.predicted_frequency == 2
    assert FEW[0] <= low_trade_cost.predicted_frequency <= FEW[1]


def test_every_seed_ends_with_the_predicted_few_agglomerations(low_trade_cost):
    counts = low_trade_cost.seeds["agglomerations"]
    assert len(counts) == 6
    assert counts.between(*FEW).all()
    assert (counts == low_trade_cost.predicted_frequency).all()
    assert low_trade_cost.passed


def test_agglomerations_are_evenly_spaced_and_hold_all_mobile_workers(low_trade_cost):
    for row, shares in zip(low_trade_cost.seeds.itertuples(), low_trade_cost.final_shares):
        assert sum(row.gaps) == pytest.approx(12.0)
        assert max(abs(np.array(row.gaps) - 12.0 / row.agglomerations)) <= 1.0
        assert row.evenly_spaced
        assert np.sort(shares)[-row.agglomerations:].sum() == pytest.approx(1.0, abs=1e-3)


def test_seeds_differ_and_the_same_seed_repeats(low_trade_cost):
    assert len({tuple(row) for row in low_trade_cost.seeds["centres"]}) > 1
    again = check_racetrack(abm=False, seeds=1)              # alone, not in a batch of six
    assert again.seeds["centres"][0] == low_trade_cost.seeds["centres"][0]
    np.testing.assert_allclose(again.final_shares[0], low_trade_cost.final_shares[0], atol=1e-5)


def test_high_trade_cost_keeps_the_uniform_distribution_and_the_check_fails():
    high = check_racetrack(trade_cost=2.0, abm=False, seeds=2)
    assert high.predicted_frequency == 0
    assert (high.spectrum[1:] < 0).all()
    np.testing.assert_allclose(high.final_shares, 1.0 / 12, atol=1e-3)
    assert (high.seeds["agglomerations"] == 0).all()
    assert not high.passed


def test_counting_and_spacing_on_hand_made_distributions():
    uniform = np.full(12, 1 / 12)
    assert agglomerations(uniform).size == 0
    two = np.zeros(12)
    two[[1, 7]] = 0.5
    np.testing.assert_allclose(agglomerations(two), [1.0, 7.0])
    np.testing.assert_allclose(gaps(agglomerations(two)), [6.0, 6.0])
    wrapped = np.zeros(12)
    wrapped[[11, 0]] = 0.25                                 # one agglomeration spanning cities 11 and 0
    wrapped[[5, 6]] = 0.25
    np.testing.assert_allclose(agglomerations(wrapped), [5.5, 11.5])
    assert evenly_spaced(np.array([5.0, 7.0])) and not evenly_spaced(np.array([4.0, 8.0]))
    assert not evenly_spaced(np.array([]))


def test_command_prints_json_writes_files_and_exits_0(tmp_path, capsys):
    out = tmp_path / "racetrack"
    assert main(["validate", "racetrack", "--json", "--no-abm", "--seeds", "5", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in SUMMARY_KEYS:
        assert key in summary
    assert summary["holds"] is True and summary["agglomerations"] == [2] * 5
    assert json.loads((out / "summary.json").read_text()) == summary
    assert (out / "racetrack.png").stat().st_size > 10_000
    assert len((out / "final_shares.csv").read_text().splitlines()) == 1 + 5
    assert json.loads((out / "manifest.json").read_text())["seeds"] == summary["seeds"]


def test_command_exits_1_when_the_uniform_distribution_is_stable(tmp_path, capsys):
    assert main(["validate", "racetrack", "--trade-cost", "2", "--no-abm", "--seeds", "2",
                 "--out", str(tmp_path)]) == 1
    assert "do NOT hold" in capsys.readouterr().out


@pytest.mark.slow
def test_agent_based_row_records_shares(tmp_path, capsys):
    out = tmp_path / "racetrack"
    main(["validate", "racetrack", "--seeds", "2", "--quarters", "8", "--out", str(out)])
    assert "shown, not scored" in capsys.readouterr().out
    rows = (out / "abm_shares.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 3 * 12                     # header, 2 seeds x quarters 0, 4, 8 x 12 cities
    assert racetrack.SCENARIO == "racetrack"
