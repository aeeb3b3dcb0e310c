"""``scripts/lockdown_search.py``: lockdowns drawn at random with supply chains (docs/validation-changes.md,
"Since `6bb8036`: inputs at book value")."""

from __future__ import annotations

import numpy as np
from script_modules import load_script

from ydabm.policies import CityLockdown, CovidShock

CITIES = [f"city{i}" for i in range(41)]


def test_draws_stay_within_the_fields_bounds_and_repeat_with_the_seed():
    search = load_script("lockdown_search")
    rng = np.random.default_rng(301)
    draws = [search.draw(rng, CITIES) for _ in range(200)]
    again = np.random.default_rng(301)
    assert draws == [search.draw(again, CITIES) for _ in range(200)]
    kinds = {d["policy"] for d in draws}
    assert kinds == {"CovidShock", "CityLockdown"}
    for d in draws:
        f = d["fields"]
        quarters = len(f["absent"])
        assert 1 <= quarters <= 4 and len(f["demand_drop"]) == quarters
        assert all(0.0 <= v <= search.SHARE_HIGH for v in f["absent"] + f["demand_drop"])
        assert (f["start_year"], f["start_quarter"]) >= (2020, 2) and f["start_year"] <= 2021
        if d["policy"] == "CityLockdown":
            assert len(f["freight_delay"]) == quarters
            assert all(0.0 <= v <= search.FREIGHT_HIGH for v in f["freight_delay"])
            assert 1 <= len(f["cities"]) <= 41 and len(set(f["cities"])) == len(f["cities"])
    # the policies accept every draw (their own bound checks)
    for d in draws[:20]:
        fields = dict(d["fields"])
        if d["policy"] == "CityLockdown":
            fields["cities"] = ["Shanghai"]
            CityLockdown(**fields)
        else:
            CovidShock(**fields)
    # the skewed third reaches both ends of the shares' range
    shares = np.concatenate([d["fields"]["absent"] for d in draws])
    assert shares.min() < 0.01 and shares.max() > 0.98


def test_a_mild_lockdown_keeps_every_invariant_and_a_broken_one_is_reported(monkeypatch):
    search = load_script("lockdown_search")
    mild = {"policy": "CityLockdown", "seed": 3,
            "fields": {"start_year": 2020, "start_quarter": 2, "absent": [0.1], "demand_drop": [0.1],
                       "recovery_quarters": 2, "cities": ["Shanghai"], "freight_delay": [0.1]}}
    kept = search.run(mild, 2)
    assert kept["failed"] is None
    # what the run did: a mild lockdown leaves the households' income positive (a share of the first
    # quarter's) and unemployment a rate
    assert 0.5 < kept["lowest_income"] <= 1.0 and 0.0 < kept["late_unemployment"] < 0.2

    def broken(model, start, rel):
        raise AssertionError("money() changed\nsecond line")
    monkeypatch.setattr(search, "assert_invariants", broken)
    out = search.run(mild, 2)
    assert out["failed"] == 1 and out["during"] is True and out["error"] == "AssertionError: money() changed"
