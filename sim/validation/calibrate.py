"""Calibration: search the behavioural constants for one set that passes most targets.

The search is an experiment file (``experiments/validation/calibration.yaml``): its
factors are population traits and dynamics constants with ranges, its design a
space-filling sample. Every candidate point runs the whole validation suite (at the
size asked for) with those values in every run; candidates are ranked by how many
measures land in their bands, then by how far the others miss (in band widths). The
winning values become the defaults in :mod:`sim.engine.dynamics` and :mod:`sim.engine.world`; the
procedure and the result are written up in ``docs/validation.md``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.formats.experiment import load_experiment
from sim.validation.suite import EXPERIMENTS, iter_tasks, measure, plan_tasks, select
from sim.validation.targets import Band


def miss_distance(value: float, band: Band) -> float:
    """How far ``value`` lies outside ``band``, in units of the band's width (0 inside)."""
    if value is None or not math.isfinite(value):
        return 10.0
    width = (band.high - band.low) if band.low is not None and band.high is not None else None
    scale = width or max(abs(band.low if band.low is not None else band.high), 0.1)
    if band.low is not None and value < band.low:
        return (band.low - value) / scale
    if band.high is not None and value > band.high:
        return (value - band.high) / scale
    return 0.0


def score(table: pd.DataFrame) -> tuple[int, float]:
    """(measures passed, total miss distance) of one suite table."""
    distance = sum(miss_distance(row.mean, Band(_opt(row.band_low), _opt(row.band_high)))
                   for row in table.itertuples())
    return int(table["passed"].sum()), float(distance)


def _opt(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def calibrate(path: str | Path, size: str = "small", workers: int = 1,
              directory: Path = EXPERIMENTS, on_start=None, on_done=None) -> pd.DataFrame:
    """Run the suite at every point of the calibration experiment ``path``.

    Returns one row per candidate: its values, every measure's mean, the number of
    measures passed and the total miss distance, best candidate first.
    """
    study = load_experiment(path)
    targets = select(None)
    per_point = [plan_tasks(targets, size, point, directory) for point in study.points]
    tasks = [task for point_tasks in per_point for task in point_tasks]
    if on_start:
        on_start(len(tasks))
    results = iter_tasks(tasks, workers)
    rows = []
    for index, (point, point_tasks) in enumerate(zip(study.points, per_point, strict=True)):
        frames = []
        for _ in point_tasks:
            frames.append(next(results))
            if on_done:
                on_done(1)
        table = measure(targets, point_tasks, frames, size).table
        passed, distance = score(table)
        rows.append({"candidate": index, **{k: float(v) for k, v in point.items()},
                     **{f"{r.target}.{r.measure}": r.mean for r in table.itertuples()},
                     "passed": passed, "miss_distance": distance})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["passed", "miss_distance"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)
