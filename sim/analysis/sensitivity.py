"""Sensitivity of outcomes to the varied parameters (SALib).

Outcomes are averaged over replicates at each point first (the replicate noise is
common random numbers shared by all points), then analysed: Sobol' first-order (S1)
and total (ST) indices with confidence intervals for a ``saltelli`` design, Morris'
mu* (mean absolute elementary effect) and sigma for a ``morris`` design. The
``*_conf`` columns are half-widths of 95% bootstrap intervals (the index is within
plus or minus that). Sobol' rows whose estimate is out of its possible range (S1
below zero or above ST by more than its interval) get a ``note``: too few base
samples for that outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.formats.experiment import Study, _unit_problem

RESAMPLES = 200
CONFIDENCE = 0.95
METHOD = {"saltelli": "sobol", "morris": "morris"}
"""The ``method`` column: the analysis a design's points are made for."""
NOISY = ("noisy: {n} base samples are too few for this outcome (S1 below 0, S1 above ST, "
         "or an index above 1); raise design.samples")


def sensitivity_table(study: Study, runs: pd.DataFrame) -> pd.DataFrame | None:
    """One row per (outcome, parameter); ``None`` when the design is not for sensitivity."""
    kind = study.experiment.design.kind
    if kind not in ("saltelli", "morris") or runs.empty:
        return None
    means = runs.groupby("point_id").mean(numeric_only=True).sort_index()
    problem = _unit_problem(study.names)
    rows = []
    for outcome in study.experiment.outcomes:
        if outcome not in means:
            continue
        y = means[outcome].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            rows += [{"outcome": outcome, "parameter": n, "method": METHOD[kind],
                      "note": "outcome constant or undefined at some points"}
                     for n in study.names]
            continue
        if kind == "saltelli":
            from SALib.analyze import sobol

            result = sobol.analyze(problem, y, calc_second_order=False,
                                   num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                                   seed=study.experiment.seed)
            for k, name in enumerate(study.names):
                s1, s1_conf, st = result["S1"][k], result["S1_conf"][k], result["ST"][k]
                row = {"outcome": outcome, "parameter": name, "method": "sobol",
                       "S1": s1, "S1_conf": s1_conf, "ST": st, "ST_conf": result["ST_conf"][k]}
                st_conf = result["ST_conf"][k]
                if (s1 + s1_conf < 0 or s1 - s1_conf > st  # impossible, beyond the noise
                        or s1 - s1_conf > 1 or st - st_conf > 1):
                    row["note"] = NOISY.format(n=study.experiment.design.samples)
                rows.append(row)
        else:
            from SALib.analyze import morris

            result = morris.analyze(problem, study.unit, y, num_resamples=RESAMPLES,
                                    conf_level=CONFIDENCE,
                                    num_levels=study.experiment.design.levels,
                                    seed=study.experiment.seed)
            for k, name in enumerate(study.names):
                rows.append({"outcome": outcome, "parameter": name, "method": "morris",
                             "mu_star": result["mu_star"][k],
                             "mu_star_conf": result["mu_star_conf"][k],
                             "sigma": result["sigma"][k]})
    return pd.DataFrame(rows)
