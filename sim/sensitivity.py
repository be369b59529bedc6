"""Sensitivity of outcomes to the varied parameters (SALib).

Outcomes are averaged over replicates at each point first (the replicate noise is
common random numbers shared by all points), then analysed: Sobol' first-order (S1)
and total (ST) indices with confidence intervals for a ``saltelli`` design, Morris'
mu* (mean absolute elementary effect) and sigma for a ``morris`` design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiment import Study, _unit_problem

RESAMPLES = 200
CONFIDENCE = 0.95


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
            rows += [{"outcome": outcome, "parameter": n, "method": kind,
                      "note": "outcome constant or undefined at some points"}
                     for n in study.names]
            continue
        if kind == "saltelli":
            from SALib.analyze import sobol

            result = sobol.analyze(problem, y, calc_second_order=False,
                                   num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                                   seed=study.experiment.seed)
            for k, name in enumerate(study.names):
                rows.append({"outcome": outcome, "parameter": name, "method": "sobol",
                             "S1": result["S1"][k], "S1_conf": result["S1_conf"][k],
                             "ST": result["ST"][k], "ST_conf": result["ST_conf"][k]})
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
