"""Running the validation suite: every target's experiment, observed and measured.

A task is one group (one run) of one sample at one design point of a target's
experiment; it steps a model day by day with the target's observer and returns the
observer's table. A sample pools ``target.pool`` groups, as a study pools the groups
it observed, and is measured as one; the spread in the table is over samples. Groups
share seeds across the points of a target's design (common random numbers), so T5's
two arms differ only in the rules. Tasks run serially or on a
process pool; results are assembled in a fixed order, so they are identical for any
number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.model import CommunityModel
from sim.engine.seeding import replicate_seeds
from sim.formats.experiment import Study, load_experiment
from sim.validation.targets import TARGET_BY_ID, TARGETS, Target

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments" / "validation"
"""Where the shipped validation experiments live."""

SIZES = {"full": {}, "medium": {"samples": 2}, "small": {"samples": 2, "pool": 4, "days": 120}}
"""Suite sizes: ``full`` as the experiment files say; ``medium`` caps the samples (the
calibration search's size); ``small`` also caps the groups pooled per sample and the
days (the test suite's size)."""


@dataclass(frozen=True)
class Task:
    """One run of the suite: a target, a point of its design, a group of a sample."""

    target: str
    study: Study
    point: dict[str, Any]
    point_index: int
    replicate: int
    seed: int
    days: int | None
    group: int = 0


@dataclass
class Validation:
    """The suite's results.

    ``table``: one row per measure (study figure, band, model mean and spread over
    samples, pass). ``replicates``: one row per measure and sample. ``observations``: each target's
    observer tables of every run (with ``point`` and ``replicate``), for the report;
    ``points``: each target's design points (T5's two arms).
    """

    table: pd.DataFrame
    replicates: pd.DataFrame
    observations: dict[str, pd.DataFrame] = field(default_factory=dict)
    size: str = "full"
    points: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def load_study(target: Target, directory: Path = EXPERIMENTS) -> Study:
    """The target's experiment file, validated like any experiment."""
    return load_experiment(directory / target.experiment)


def plan_tasks(targets: list[Target], size: str = "full",
               dynamics: dict[str, Any] | None = None,
               directory: Path = EXPERIMENTS) -> list[Task]:
    """Every run of the suite, in a fixed order.

    ``dynamics`` sets behavioural constants (``{"dynamics.leave_rate": 0.04}``) in every
    run: a calibration candidate.
    """
    caps = SIZES[size]
    tasks = []
    for target in targets:
        study = load_study(target, directory)
        exp = study.experiment
        pool = min(target.pool, caps.get("pool", target.pool))
        samples = max(1, exp.replicates // target.pool)
        samples = min(samples, caps.get("samples", samples))
        seeds = replicate_seeds(exp.seed, samples * target.pool)
        for i, point in enumerate(study.points):
            full_point = {**point, **(dynamics or {})}
            for r in range(samples):
                for g in range(pool):
                    tasks.append(Task(target.id, study, full_point, i, r,
                                      seeds[r * target.pool + g], caps.get("days"), g))
    return tasks


def run_task(task: Task) -> pd.DataFrame:
    """Simulate one task with its target's observer and return the observations."""
    scenario = task.study.scenario(task.point)
    if task.days is not None and scenario.horizon > task.days:
        scenario = scenario.with_changes(days=task.days, weeks=None)
    observer = TARGET_BY_ID[task.target].observer()
    model = CommunityModel(scenario, seed=task.seed)
    while model.day < model.days:
        observer.before(model)
        model.step()
        observer.after(model)
    return observer.frame(model)


def iter_tasks(tasks: list[Task], workers: int = 1,
               pool: Executor | None = None) -> Iterator[pd.DataFrame]:
    """Observations of every task, yielded in task order.

    With ``workers > 1`` they run on ``pool`` if given, else on a pool started here.
    """
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_task(task)
        return
    if pool is not None:
        yield from pool.map(run_task, tasks, chunksize=1)
        return
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["sim.validation.suite"])
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
        yield from pool.map(run_task, tasks, chunksize=1)


def run_tasks(tasks: list[Task], workers: int = 1, on_done=None) -> list[pd.DataFrame]:
    """Observations of every task, in task order."""
    out = []
    for frame in iter_tasks(tasks, workers):
        out.append(frame)
        if on_done:
            on_done(1)
    return out


def _spread(values: list[float]) -> dict[str, float]:
    finite = np.array([v for v in values if v is not None and math.isfinite(v)])
    if finite.size == 0:
        return {"mean": math.nan, "sd": math.nan, "low": math.nan, "high": math.nan, "n": 0}
    return {"mean": float(finite.mean()),
            "sd": float(finite.std(ddof=1)) if finite.size > 1 else 0.0,
            "low": float(finite.min()), "high": float(finite.max()), "n": int(finite.size)}


def measure(targets: list[Target], tasks: list[Task], frames: list[pd.DataFrame],
            size: str = "full") -> Validation:
    """Measure every target on its observations, replicate by replicate, and tabulate."""
    rows, table, observations, points = [], [], {}, {}
    for target in targets:
        mine = [(t, f) for t, f in zip(tasks, frames, strict=True) if t.target == target.id]
        values: dict[str, list[float]] = {m.name: [] for m in target.measures}
        for r in sorted({t.replicate for t, _ in mine}):
            sample = [(point, pd.concat([f for t, f in mine
                                         if t.replicate == r and t.point_index == i],
                                        ignore_index=True))
                      for i, point in enumerate(_points(mine))]
            for name, value in target.measure(sample).items():
                values[name].append(value)
                rows.append({"target": target.id, "measure": name, "replicate": r,
                             "value": value})
        points[target.id] = mine[0][0].study.points if mine else []
        observations[target.id] = pd.concat(
            [f.assign(point=t.point_index, replicate=t.replicate, group=t.group)
             for t, f in mine],
            ignore_index=True)
        for m in target.measures:
            spread = _spread(values[m.name])
            table.append({
                "target": target.id, "regularity": target.regularity, "measure": m.name,
                "description": m.description, "study": m.study, "band": m.band.text(),
                "band_low": m.band.low, "band_high": m.band.high, **spread,
                "passed": m.band.contains(spread["mean"]), "source": target.source})
    return Validation(pd.DataFrame(table), pd.DataFrame(rows), observations, size, points)


def _points(mine: list[tuple[Task, pd.DataFrame]]) -> list[dict[str, Any]]:
    """The design points of one target's tasks, in design order."""
    points: dict[int, dict[str, Any]] = {}
    for task, _ in mine:
        points.setdefault(task.point_index, task.point)
    return [points[i] for i in sorted(points)]


def select(ids: list[str] | None = None) -> list[Target]:
    """The targets with these ids (all when ``None``), in suite order."""
    if not ids:
        return list(TARGETS)
    unknown = [i for i in ids if i.upper() not in TARGET_BY_ID]
    if unknown:
        raise KeyError(f"unknown target {unknown[0]!r}; expected one of "
                       f"{', '.join(TARGET_BY_ID)}")
    wanted = {i.upper() for i in ids}
    return [t for t in TARGETS if t.id in wanted]


def validate(ids: list[str] | None = None, size: str = "full", workers: int = 1,
             dynamics: dict[str, Any] | None = None, on_start=None, on_done=None,
             directory: Path = EXPERIMENTS) -> Validation:
    """Run and measure the validation suite (see ``docs/validation.md``).

    Parameters
    ----------
    ids
        Targets to run (``["T2", "T5"]``); all by default.
    size
        ``full`` (the experiment files as written), ``medium`` (2 samples, the
        calibration's size) or ``small`` (the tests' size); see :data:`SIZES`.
    workers
        Processes; results are identical for any value.
    dynamics
        Behavioural constants to set in every run (a calibration candidate).
    on_start, on_done
        Progress: called with the number of runs, then with 1 after each.
    """
    targets = select(ids)
    tasks = plan_tasks(targets, size, dynamics, directory)
    if on_start:
        on_start(len(tasks))
    frames = run_tasks(tasks, workers, on_done)
    return measure(targets, tasks, frames, size)
