"""Stylised facts (MODEL_SPEC section 7) over five seeds, with stated tolerances.

The facts, their tolerances and the measuring protocol live in ``ydabm.validation.facts`` (also run
by ``ydabm validate facts``); each test measures one fact and requires that it holds.
"""

import pytest

from ydabm.validation.facts import FACTS, evaluate


@pytest.mark.slow
@pytest.mark.parametrize("fact", FACTS, ids=[f.name for f in FACTS])
def test_stylised_fact(fact):
    result = evaluate(fact)
    assert result["holds"], result
