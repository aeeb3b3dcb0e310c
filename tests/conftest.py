"""Shared fixtures: small, fast model configurations; the order the test files run in."""

import pytest

from ydabm.params import QUICK_SCALE

SMALL = dict(QUICK_SCALE)


def pytest_collection_modifyitems(config, items):
    """Files with slow checks run first, the others after them (each file's tests keep their order).

    ``scripts/test.sh`` runs one process per core and keeps each file in one process, handing the
    next file to the first process free, in this order. In alphabetical order a long file could start
    last (``test_zombies.py``: about 110 s) while the other process sat idle; with the long files
    first, the short ones fill the end.
    """
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)     # a stable sort: the order within stays


@pytest.fixture
def small_params():
    return dict(SMALL)
