"""Shared fixtures: small, fast model configurations."""

import pytest

from ydabm.params import QUICK_SCALE

SMALL = dict(QUICK_SCALE)


@pytest.fixture
def small_params():
    return dict(SMALL)
