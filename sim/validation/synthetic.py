"""The 90% intervals of ``commsim fit``: a Gaussian synthetic likelihood, linearised.

Pure numpy over arrays; :mod:`sim.validation.fit` gathers them from the study.

The model of the export's statistics ``s`` (a vector of ``k``) given the fitted
parameters ``x`` (a vector of ``p``, each scaled to 0-1 over its range, log scale for
rates) is the Gaussian synthetic likelihood of Wood (2010)::

    s ~ Normal(mu(x), C)

with two approximations, each estimated from simulations the fit already makes or makes
once at the end:

- **the mean is linear near the best trials**, ``mu(x) = a + B x``: an ordinary least
  squares fit of the trials' simulated means on their values, over the trials with the
  lowest distances (:func:`local_linear`). The trials use common random numbers, so
  their means move smoothly with the values and the slopes ``B`` are well determined;
  what the line does not explain (curvature, the rest of the simulation noise) is kept
  as a residual variance and added to ``C``.
- **the covariance is the same near the best**: ``C`` is the covariance of one
  simulated group's statistics at the best trial's values, from groups with fresh seeds
  (:func:`shrunk_covariance`: the correlations shrunk towards zero by the
  Schafer & Strimmer (2005) estimate, the standard deviations at least the statistic's
  floor), times ``1 + 1/R`` because the mean it is compared with is itself the mean of
  ``R`` simulated groups.

The statistics are strongly correlated (the top 1% share, the top 10% share, the Gini
and the rank slope all measure concentration); the full covariance counts them as the
evidence they are together, not as four independent pieces.

The estimate is then the generalised least squares solution and its covariance the
inverse Fisher information (:func:`linear_gaussian`), widened by the dispersion (the
residual's chi-square at the best values inside the ranges, :func:`misfit`, over its
degrees of freedom, at least 1, as a quasi-likelihood widens for a misfit: a structure
the export was read wrong for, or a model that cannot match the group). That
Gaussian cut to the box of the ranges is the posterior under the search's uniform prior
(:func:`box_posterior`): its means are the estimates, its 5% and 95% points the 90%
intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

DRAWS = 20_000
"""Draws from the Gaussian approximation for the box-cut posterior."""


def shrunk_covariance(samples: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Covariance of the rows of ``samples`` (groups x statistics), correlations shrunk.

    The sample correlations are shrunk towards zero by the Schafer & Strimmer (2005)
    estimate of the best weight, ``sum Var(r_ij) / sum r_ij^2`` over ``i != j``; the
    standard deviations are at least ``floors`` (a statistic that did not vary across
    the groups keeps its floor and no correlation).
    """
    n, k = samples.shape
    sd = samples.std(axis=0, ddof=1) if n > 1 else np.zeros(k)
    varied = sd > 1e-12
    corr = np.eye(k)
    if n > 2 and varied.sum() > 1:
        z = (samples[:, varied] - samples[:, varied].mean(axis=0)) / sd[varied]
        w = z[:, :, None] * z[:, None, :]
        r = w.mean(axis=0) * n / (n - 1)
        var_r = ((w - w.mean(axis=0)) ** 2).sum(axis=0) * n / (n - 1) ** 3
        off = ~np.eye(varied.sum(), dtype=bool)
        denominator = (r[off] ** 2).sum()
        weight = 1.0 if denominator == 0 else min(1.0, var_r[off].sum() / denominator)
        shrunk = (1 - weight) * r
        np.fill_diagonal(shrunk, 1.0)
        corr[np.ix_(varied, varied)] = shrunk
    scale = np.maximum(sd, floors)
    return corr * np.outer(scale, scale)


@dataclass(frozen=True)
class LocalLine:
    """The simulated means near the best trials as a line: ``mu(x) = a + B x``."""

    a: np.ndarray
    B: np.ndarray
    residual: np.ndarray
    """Variance of each statistic around the line (what it does not explain)."""
    trials: int


def local_linear(x: np.ndarray, y: np.ndarray) -> LocalLine:
    """Least squares line of the means ``y`` (trials x statistics) on ``x`` (trials x params).

    The first row is the best trial: the line's slopes are the least squares ones, and
    it is moved to pass through the best trial's means (a Gauss-Newton step from the
    best trial: the line's curvature matters least there, nearest the export).
    """
    n, p = x.shape
    design = np.column_stack([np.ones(n), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    dof = max(n - p - 1, 1)
    residual = ((y - fitted) ** 2).sum(axis=0) / dof
    slopes = coef[1:].T
    return LocalLine(y[0] - slopes @ x[0], slopes, residual, n)


@dataclass(frozen=True)
class Estimate:
    """The linear-Gaussian fit on the 0-1 scale: the Gaussian, and its cut to the box.

    ``centre`` and ``covariance`` are the generalised least squares solution (not cut)
    and its covariance widened by ``dispersion``; ``x``, ``low`` and ``high`` are the
    means and 5% and 95% points of each parameter's marginal of that Gaussian cut to
    the box ``[0, 1]^p`` (:func:`box_posterior`).
    """

    centre: np.ndarray
    covariance: np.ndarray
    dispersion: float
    chi2: float
    dof: int
    x: np.ndarray
    low: np.ndarray
    high: np.ndarray


def box_posterior(centre: np.ndarray, covariance: np.ndarray, draws: int = DRAWS,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Means, 5% and 95% points of ``Normal(centre, covariance)`` cut to ``[0, 1]^p``.

    The posterior of the synthetic likelihood under the uniform prior on the ranges the
    fit searches (Bayesian synthetic likelihood, Price, Drovandi, Lee & Nott 2018, with
    the linearised mean): the draws that fall in the box, from a seeded generator (the
    same study gives the same result). When fewer than a thousand fall in (the centre
    far outside), each parameter's own Gaussian is cut instead.
    """
    p = centre.size
    rng = np.random.default_rng(seed)
    sd = np.sqrt(np.maximum(np.diag(covariance), 0.0))
    finite = np.isfinite(sd)
    inside = np.empty((0, p))
    if finite.all():
        sample = rng.multivariate_normal(centre, covariance, size=draws, method="eigh")
        inside = sample[((sample >= 0) & (sample <= 1)).all(axis=1)]
    if len(inside) >= 1000:
        return (inside.mean(axis=0), np.quantile(inside, 0.05, axis=0),
                np.quantile(inside, 0.95, axis=0))
    x, low, high = np.full(p, 0.5), np.full(p, 0.05), np.full(p, 0.95)
    for j in np.flatnonzero(finite & (sd > 0)):
        a, b = (0 - centre[j]) / sd[j], (1 - centre[j]) / sd[j]
        cut = stats.truncnorm(a, b, loc=centre[j], scale=sd[j])
        x[j], low[j], high[j] = cut.mean(), cut.ppf(0.05), cut.ppf(0.95)
    return x, low, high


def misfit(observed: np.ndarray, line: LocalLine, c_inv: np.ndarray) -> float:
    """The chi-square of the gap at the best values inside the ranges (the box).

    Bounded least squares on the whitened line: a line that reaches the export only at
    values outside the ranges leaves a misfit, which the dispersion then counts.
    """
    values, vectors = np.linalg.eigh(c_inv)
    whiten = vectors @ np.diag(np.sqrt(np.maximum(values, 0.0))) @ vectors.T
    best = optimize.lsq_linear(whiten @ line.B, whiten @ (observed - line.a),
                               bounds=(0.0, 1.0)).x
    gap = observed - line.a - line.B @ best
    return float(gap @ c_inv @ gap)


def linear_gaussian(observed: np.ndarray, line: LocalLine, covariance: np.ndarray,
                    replicates: int) -> Estimate:
    """Generalised least squares of ``observed`` on the line; the posterior in the box.

    ``covariance`` is one simulated group's (:func:`shrunk_covariance`); the mean it is
    compared with is over ``replicates`` groups, so the gap's covariance is
    ``covariance x (1 + 1/replicates)`` plus the line's residual variance. The centre's
    covariance is the inverse Fisher information times the dispersion. A parameter no
    statistic moves gets an infinite variance (the middle 90% of its range, estimate the
    middle).
    """
    k, p = line.B.shape
    c = covariance * (1 + 1 / replicates) + np.diag(line.residual)
    c_inv = np.linalg.pinv(c)
    information = line.B.T @ c_inv @ line.B
    v0 = np.linalg.pinv(information)
    centre = v0 @ line.B.T @ c_inv @ (observed - line.a)
    chi2 = misfit(observed, line, c_inv)
    dof = max(k - p, 1)
    dispersion = max(1.0, chi2 / dof)
    covariance_x = v0 * dispersion
    weak = np.diag(information) <= 1e-12
    covariance_x[weak, :] = 0.0
    covariance_x[:, weak] = 0.0
    covariance_x[weak, weak] = np.inf
    x, low, high = box_posterior(centre, covariance_x)
    return Estimate(centre, covariance_x, dispersion, chi2, dof, x, low, high)
