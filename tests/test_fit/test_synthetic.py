"""The intervals' numerics (``sim.validation.synthetic``): hand-computable cases."""

from __future__ import annotations

import numpy as np
import pytest

from sim.validation.synthetic import (
    LocalLine,
    box_posterior,
    linear_gaussian,
    local_linear,
    shrunk_covariance,
)


def test_independent_statistics_keep_little_correlation_and_their_floors():
    rng = np.random.default_rng(1)
    samples = rng.standard_normal((40, 3)) * [1.0, 2.0, 0.001]
    c = shrunk_covariance(samples, floors=np.array([0.0, 0.0, 0.5]))
    sd = np.sqrt(np.diag(c))
    assert sd[0] == pytest.approx(samples[:, 0].std(ddof=1))
    assert sd[2] == 0.5  # the floor, not the tiny spread
    corr = c / np.outer(sd, sd)
    assert np.abs(corr[~np.eye(3, dtype=bool)]).max() < 0.15


def test_a_statistic_copied_twice_stays_strongly_correlated():
    """The estimated weight is about Var(z^2) / n here (2/30): shrunk a little only."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(30)
    c = shrunk_covariance(np.column_stack([x, x]), floors=np.zeros(2))
    assert 0.9 < c[0, 1] / np.sqrt(c[0, 0] * c[1, 1]) < 1.0


def test_the_line_goes_through_the_best_trial_with_the_least_squares_slopes():
    x = np.array([[0.5], [0.2], [0.8], [0.4]])
    y = np.column_stack([1 + 2 * x[:, 0], 3 - x[:, 0]]) + [[0.1, 0.0], [0, 0], [0, 0], [0, 0]]
    line = local_linear(x, y)
    assert line.a + line.B @ x[0] == pytest.approx(y[0])
    assert line.B[1, 0] == pytest.approx(-1.0)


def test_an_exact_line_gives_back_the_values_with_the_fisher_information():
    """s = a + B x exactly, unit covariance: the centre is x; its covariance
    (B'B)^-1 (1 + 1/R); far from the edges the 90% interval is +-1.645 sd."""
    B = np.array([[10.0, 0.0], [0.0, 20.0], [5.0, 5.0]])
    a = np.array([1.0, 2.0, 3.0])
    truth = np.array([0.4, 0.6])
    line = LocalLine(a, B, np.zeros(3), trials=10)
    est = linear_gaussian(a + B @ truth, line, np.eye(3), replicates=4)
    assert est.centre == pytest.approx(truth)
    assert est.dispersion == 1.0
    expected = np.linalg.inv(B.T @ B) * 1.25
    assert est.covariance == pytest.approx(expected)
    sd = np.sqrt(np.diag(expected))
    assert est.x == pytest.approx(truth, abs=0.01)
    assert est.high - est.low == pytest.approx(2 * 1.645 * sd, rel=0.05)


def test_a_parameter_nothing_moves_gets_the_middle_90_percent_of_its_range():
    B = np.array([[10.0, 0.0], [5.0, 0.0]])
    line = LocalLine(np.zeros(2), B, np.zeros(2), trials=10)
    est = linear_gaussian(B @ [0.3, 0.0], line, np.eye(2), replicates=4)
    assert (est.x[1], est.low[1], est.high[1]) == (0.5, 0.05, 0.95)
    assert est.x[0] == pytest.approx(0.3, abs=0.02)


def test_a_misfit_outside_the_ranges_widens_the_intervals():
    B = np.array([[1.0], [1.0]])
    line = LocalLine(np.zeros(2), B, np.zeros(2), trials=10)
    inside = linear_gaussian(np.array([0.5, 0.5]), line, np.eye(2) * 0.01, replicates=4)
    outside = linear_gaussian(np.array([3.0, 3.0]), line, np.eye(2) * 0.01, replicates=4)
    assert inside.dispersion == 1.0 and outside.dispersion > 100


def test_the_cut_gaussian_is_seeded_and_stays_in_the_box():
    first = box_posterior(np.array([1.2, 0.5]), np.diag([0.04, 0.01]))
    again = box_posterior(np.array([1.2, 0.5]), np.diag([0.04, 0.01]))
    for one, other in zip(first, again, strict=True):
        assert np.array_equal(one, other)
    x, low, high = first
    assert ((0 <= low) & (low < x) & (x < high) & (high <= 1)).all()
    assert high[0] > 0.99  # the centre is above the range: a one-sided interval
