"""The simulated baseline group the fit tests share (one run, about a second)."""

from __future__ import annotations

import pytest
from fit_logs import small_baseline

from sim.validation.chatlog import SimulatedGroup, simulate_group


@pytest.fixture(scope="session")
def group() -> SimulatedGroup:
    """The baseline shortened to 60 days in a small town, replicate 0, as a chat log."""
    return simulate_group(small_baseline())
