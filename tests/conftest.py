"""Shared fixtures: small, fast model configurations."""

import pytest

SMALL = {"people_per_agent": 20000, "firms": 800}


@pytest.fixture
def small_params():
    return dict(SMALL)
