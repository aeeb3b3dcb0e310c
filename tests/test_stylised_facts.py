"""Stylised facts (declared in ydabm.validation.facts; docs/validation.md) over five seeds: each effect at
least three standard errors from zero and monotone over five lever values.

The facts and the measuring protocol live in ``ydabm.validation.facts`` (also run
by ``ydabm validate facts``); each test measures one fact and requires that it holds. Facts that the
rebuilt engine (issue 10) no longer reproduces are strict expected failures naming the issue whose
mechanism is to restore them (docs/validation.md gives the numbers and the reasons).
"""

import numpy as np
import pytest

from ydabm.validation.facts import FACTS, evaluate

#: facts that fail on the rebuilt engine, with the reason and the issue that will restore them
FAILING = {
    "lower specialization raises similarity": (
        "issue 11: the effect is large and certain (-0.087 +- 0.0004, 217 se; 0.795 at specialization 0, "
        "0.709 at 1) but not monotone: flat from 0 to 0.25 (+0.0008), -0.036 at 0.5, -0.098 at 0.75 over a "
        "tipping point of the governments' herding, and a rise of 0.011 from 0.75 to 1 against the sign (on "
        "main with the pillar x 3 prior: -0.156, the same shape); the support allocation's herd-to-advantage "
        "switch, not a smooth response, shapes it"),
    "lower specialization lowers capacity utilisation": (
        "issue 11 (item 6, grounded initial structure and priority lists): the effect has its sign and is "
        "certain (utilisation 0.730 at specialization 0, 0.755 at 1: +0.024 +- 0.0006, 43 se) but is not "
        "monotone: +0.0005 at 0.25, +0.008 at 0.5, +0.036 at 0.75, then a fall of 0.011 to 1 (26 se); with "
        "the 2020 support calibrated on value added while chosen on employment it was -0.0008 +- 0.0008; "
        "with the pillar x 3 prior +0.013 +- 0.0001. Utilisation is to emerge from capacity choice under "
        "uncertainty (issue 11, item 3)"),
}


@pytest.mark.slow
@pytest.mark.parametrize("fact", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=FAILING[f.name])) if f.name in FAILING else f
    for f in FACTS], ids=[f.name for f in FACTS])
def test_stylised_fact(fact):
    result = evaluate(fact)
    assert result["holds"], result


def _fact_with_curve(monkeypatch, curve):
    """A fact whose outcomes at the 5 levels are ``curve[level]`` + a per-seed offset (seeds 1..5)."""
    from ydabm.validation import facts
    offsets = np.array([0.0, 0.1, -0.1, 0.05, -0.05])
    levels = list(np.linspace(0, 1, facts.LEVELS))
    monkeypatch.setattr(facts.Fact, "outcomes",
                        lambda self, value, seeds: curve[levels.index(value)] + offsets[: len(seeds)] * (1 + value))
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
