"""Stylised facts (declared in ydabm.validation.facts; docs/validation.md) over five seeds, with stated tolerances.

The facts, their tolerances and the measuring protocol live in ``ydabm.validation.facts`` (also run
by ``ydabm validate facts``); each test measures one fact and requires that it holds. Facts that the
rebuilt engine (issue 10) no longer reproduces are strict expected failures naming the issue whose
mechanism is to restore them (docs/validation.md gives the numbers and the reasons).
"""

import pytest

from ydabm.validation.facts import FACTS, evaluate

#: facts that fail on the rebuilt engine, with the reason and the issue that will restore them
FAILING = {
    "lower specialization raises similarity": (
        "issue 11: the sign is now right but the effect is small (-0.0010, 3/5 seeds, tolerance 0.02 at "
        "24 quarters and 10,000 people per agent): support moves structure only through entry and exit, "
        "whose mass flows a firm agent divides by the enterprises it stands for, so the effect grows "
        "with run length and agent resolution (-0.010 at 2,000 people per agent after 40 quarters)"),
    "removing barriers widens inequality across cities": (
        "issue 11 (the Theil fact): with every run starting from the same 2020 economy, the barrier moves "
        "the Theil index of real GDP per capita by -0.0008 (5/5 seeds), short of the 0.001 tolerance; it "
        "held by a hair (-0.00103) when each run started in its own steady state"),
    "higher barrier lowers regional output": (
        "issues 11/12: real GDP is now value added at 2020 prices (a volume); with full employment "
        "the barrier moves production by -0.08 % (4/5 seeds), below the 5 % tolerance; the old "
        "-17 % was a consumer-price effect, and barriers on intermediate inputs (issue 12) and "
        "misallocation by subsidies (issue 11) are the volume channels still missing"),
}


@pytest.mark.slow
@pytest.mark.parametrize("fact", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=FAILING[f.name])) if f.name in FAILING else f
    for f in FACTS], ids=[f.name for f in FACTS])
def test_stylised_fact(fact):
    result = evaluate(fact)
    assert result["holds"], result
