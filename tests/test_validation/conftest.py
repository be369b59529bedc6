"""The small validation suite, run once and shared by the tests."""

from __future__ import annotations

import pytest

from sim.validation import validate


@pytest.fixture(scope="session")
def small_validation():
    return validate(size="small", workers=2)
