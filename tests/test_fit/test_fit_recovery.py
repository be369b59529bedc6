"""Recovery, CI-sized: groups simulated with known values are fitted back from a CSV export.

``benchmarks/bench_fit.py`` measures the same for every parameter and format
(``docs/chat-exports.md``, "Recovery"); here one format and one parameter (the discovery
rate: the joins a day inform it closely), the others fixed at their true values, three
seeded 60-day cases, 14 trials each. Fixed seeds make the outcome deterministic; the
thresholds are the stated ones: all three true values inside their 90% intervals (at
least 90%), a mean error of at most 0.1 of the log range, and a mean width of at most
half of it (measured: 3 of 3 inside, errors 0.044, 0.012 and 0.053, widths 0.45, 0.35
and 0.41; six cases gave 6 of 6 inside, widths 0.35-0.54).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.chats import read_chat, write_chat
from sim.validation.chatlog import simulate_chatlog
from sim.validation.fit import PARAM_BY_KEY, demo_scenario, intervals, opened, run_fit

KEY = "dynamics.discovery_rate"
CASES = 3
TRIALS = 14
TOLERANCE = 0.1
"""Largest mean |estimate - truth|, as a share of the parameter's range (log range: a
rate)."""
WIDTH = 0.5
"""Largest mean width of the 90% intervals, as a share of the log range."""


def scaled(value: float) -> float:
    p = PARAM_BY_KEY[KEY]
    return (np.log(value) - np.log(p.low)) / (np.log(p.high) - np.log(p.low))


@pytest.fixture(scope="module")
def recovered(tmp_path_factory) -> list[tuple[float, float, float, float]]:
    p = PARAM_BY_KEY[KEY]
    rng = np.random.default_rng(19)
    out = []
    for case in range(CASES):
        truth = float(np.exp(np.log(p.low) + (0.2 + 0.6 * rng.random())
                             * (np.log(p.high) - np.log(p.low))))
        folder = tmp_path_factory.mktemp(f"case{case}")
        log = simulate_chatlog(demo_scenario(200 + case, {KEY: truth}, days=60))
        export = read_chat(write_chat(log, "csv", folder / "group.csv"))
        with opened(export, folder / "fit", seed=case, workers=1, keys=[KEY]) as fit:
            run_fit(fit, budget_minutes=None, trials=TRIALS)
            row = intervals(fit).set_index("parameter").loc[KEY]
        out.append((truth, row.estimate, row.low, row.high))
    return out


def test_the_true_value_is_inside_the_interval(recovered):
    inside = [low <= truth <= high for truth, _, low, high in recovered]
    assert np.mean(inside) >= 0.9, recovered


def test_the_interval_says_something(recovered):
    """Coverage is no merit if the interval is the whole range."""
    widths = [scaled(high) - scaled(low) for _, _, low, high in recovered]
    assert np.mean(widths) <= WIDTH, recovered


def test_the_estimate_is_within_tolerance(recovered):
    errors = [abs(scaled(estimate) - scaled(truth)) for truth, estimate, _, _ in recovered]
    assert np.mean(errors) <= TOLERANCE, recovered
