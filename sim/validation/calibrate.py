"""Calibration: one Optuna study over the behavioural constants (``make calibrate``).

The search space is an experiment file (``experiments/validation/calibration.yaml``):
its uncertainties are the population traits and dynamics constants to tune, each with
the range we consider plausible before looking at any target; its ``design.samples``
is the number of trials and its ``seed`` the sampler's seed. Each trial (a candidate
set of values, proposed by Optuna's TPE sampler):

1. measures the plausibility checks (:mod:`sim.validation.plausibility`) on the
   shipped default and unattended groups; those marked as constraints are the
   study's *constraints* (a candidate outside any of their bands is infeasible,
   however well it scores), the others are recorded and reported;
2. runs the validation suite at the ``small`` size and reports its score; a candidate
   worse than the median of earlier trials at this step is pruned (Optuna's median
   pruner), unless it passed every plausibility check: the cheap look saves the
   expensive one, but never for a candidate that could be chosen;
3. runs the suite at the ``medium`` size; the trial's value is the score there.

The score is the sum, over all 17 measures, of how far the model's mean lies outside
the measure's band, in band widths (0 when every measure is in band). Bands are
never widened. Trials are stored in SQLite (``study.db`` in the results folder), so
an interrupted calibration resumes where it stopped: a trial cut short is tried
again with the same values. Every run of a trial is spread over the machine's cores
(one process pool for the whole study); the suite's seeds are fixed, so two trials
differ only in their values (common random numbers). The chosen set -- the feasible
complete trial with the lowest score -- is what the defaults in
:mod:`sim.engine.dynamics` and :mod:`sim.engine.world` are set to, with the study id
recorded in ``docs/validation.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
from optuna.trial import TrialState

from sim.formats.experiment import Study, is_whole_number, load_experiment
from sim.running.budget import default_workers
from sim.running.runner import start_fork_server, worker_started
from sim.running.studies import finished_trials, model_digest, storage_url
from sim.validation import plausibility
from sim.validation.suite import EXPERIMENTS, iter_tasks, measure, plan_tasks, select
from sim.validation.targets import TARGETS, Band, Target

SPACE = EXPERIMENTS / "calibration.yaml"
"""The shipped search space."""
STAGES = ("small", "medium")
"""Suite sizes a trial goes through; it can be pruned after each but the last."""
RETRY_OF = "retry_of"
"""User attribute of a trial that re-runs one cut short (its number)."""


def score(table: pd.DataFrame) -> float:
    """Total distance of a suite table's measures outside their bands (band widths)."""
    return float(sum(Band(_opt(r.band_low), _opt(r.band_high)).miss(r.mean)
                     for r in table.itertuples()))


def _opt(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@dataclass
class Calibration:
    """An opened study: where it is stored, its space, and how to run its runs."""

    study: optuna.Study
    space: Study
    targets: list[Target]
    run_tasks: Callable[[list], list]
    run_jobs: Callable[[list], list]

    @property
    def name(self) -> str:
        """The study's id (see :func:`study_name`)."""
        return self.study.study_name

    @property
    def target_trials(self) -> int:
        """Trials the space file asks for (its ``design.samples``)."""
        return self.space.experiment.design.samples

    def counted(self) -> int:
        """Trials that count toward the budget: complete or pruned."""
        return len(self.study.get_trials(deepcopy=False,
                                         states=(TrialState.COMPLETE, TrialState.PRUNED)))

    def values_of(self, trial: optuna.Trial) -> dict[str, Any]:
        """The trial's candidate values, one per factor of the space."""
        values = {}
        for name, factor in self.space.experiment.uncertainties.items():
            low, high = factor.range
            if is_whole_number(name):
                values[name] = trial.suggest_int(name, math.ceil(low), math.floor(high))
            else:
                values[name] = trial.suggest_float(name, low, high)
        return values

    def objective(self, trial: optuna.Trial) -> float:
        """Plausibility (constraints), then the suite by stage (pruned when poor)."""
        values = self.values_of(trial)
        checks = plausibility.measure_plausibility(values, self.run_jobs)
        trial.set_user_attr("checks", {r.check: r.value for r in checks.itertuples()})
        binding = checks[checks["constraint"]]
        for row in binding.itertuples():  # the sampler steers toward feasible values
            trial.set_constraint(row.check, float(row.miss))
        plausible = bool((binding["miss"] <= 0).all())
        for step, size in enumerate(STAGES):
            tasks = plan_tasks(self.targets, size, values)
            table = measure(self.targets, tasks, self.run_tasks(tasks), size).table
            value = score(table)
            trial.set_user_attr(f"passed_{size}", int(table["passed"].sum()))
            trial.set_user_attr(f"measures_{size}", {
                f"{r.target}.{r.measure}": float(r.mean) for r in table.itertuples()})
            if step < len(STAGES) - 1:
                trial.report(value, step)
                # a plausible candidate is always measured in full: it may be the one
                if trial.should_prune() and not plausible:
                    raise optuna.TrialPruned()
        return value


def study_name(space: Study, targets: list[Target] | None = None) -> str:
    """The study's id: digests of the space file and of the model, and some targets.

    The targets are named when not all of them are scored. A new space, another
    version of the model or another set of targets is a new study.
    """
    name = f"commsim-calibration-{space.digest()}-{model_digest()}"
    if targets is not None and len(targets) < len(TARGETS):
        name += "-" + "-".join(t.id for t in targets)
    return name


@contextmanager
def opened(space_path: str | Path, out: Path, workers: int | None = None,
           target_ids: list[str] | None = None):
    """Open (or resume) the study of ``space_path`` stored in ``out``.

    Yields a :class:`Calibration` whose runs go to one process pool of ``workers``
    processes (all cores by default), scored on the targets ``target_ids`` (all by
    default).
    """
    space = load_experiment(space_path)
    targets = select(target_ids)
    out.mkdir(parents=True, exist_ok=True)
    storage = storage_url(out)
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # the command reports trials itself
    name = study_name(space, targets)
    finished = finished_trials(storage, name)
    # seeded by the history's length: a resumed study draws as a fresh one would
    # have at that point of the same history
    sampler = optuna.samplers.TPESampler(
        seed=space.experiment.seed + finished, n_startup_trials=10,
        multivariate=True)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    study = optuna.create_study(storage=storage, study_name=name, direction="minimize",
                                sampler=sampler, pruner=pruner, load_if_exists=True)
    if finished == 0:  # a new study measures where it starts from: the shipped defaults
        study.enqueue_trial(shipped_values(space), skip_if_exists=True)
    n = workers or default_workers()
    if n <= 1:
        yield Calibration(study, space, targets, lambda tasks: list(iter_tasks(tasks)),
                          lambda jobs: [plausibility.simulate_job(j) for j in jobs])
        return
    ctx = start_fork_server(["sim.validation.suite", "sim.running.prewarm"])
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx,
                             initializer=worker_started) as pool:
        yield Calibration(study, space, targets, lambda tasks: list(iter_tasks(tasks, n, pool)),
                          lambda jobs: list(pool.map(plausibility.simulate_job, jobs)))


def shipped_values(space: Study) -> dict[str, Any]:
    """Each factor's value in the space's base scenario (the shipped default), in range."""
    data = space.base.model_dump()
    values = {}
    for name, factor in space.experiment.uncertainties.items():
        node: Any = data
        for part in name.split("."):
            node = node[part]
        low, high = factor.range
        values[name] = min(max(node, low), high)
    return values


def retry_cut_short(study: optuna.Study) -> int:
    """Queue again, with the same values, every trial an interruption cut short.

    A trial stopped by Ctrl-C is stored as failed (one killed outright stays
    ``RUNNING``, and is marked failed here); each is re-run once. Returns how many
    were queued.
    """
    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get(RETRY_OF) for t in trials}
    queued = 0
    for t in trials:
        if t.state == TrialState.RUNNING:
            study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        elif t.state != TrialState.FAIL:
            continue
        if t.number not in retried and t.params:
            study.enqueue_trial(t.params, user_attrs={RETRY_OF: t.number})
            queued += 1
    return queued


def calibrate(space_path: str | Path = SPACE, out: Path = Path("runs/calibration"),
              trials: int | None = None, workers: int | None = None,
              on_trial: Callable[[optuna.trial.FrozenTrial, int, int], None] | None = None,
              finish: Callable[[Calibration], None] | None = None,
              target_ids: list[str] | None = None) -> optuna.Study:
    """Run (or resume) the calibration until ``trials`` trials are complete or pruned.

    ``trials`` defaults to the space file's ``design.samples``; ``on_trial(trial,
    done, target)`` is called after each trial (progress); ``finish(calibration)``
    when the search ends or is interrupted (the report); ``target_ids`` scores on some
    targets only (a separate study). Returns the study.
    """
    with opened(space_path, out, workers, target_ids) as cal:
        target = trials if trials is not None else cal.target_trials
        retry_cut_short(cal.study)

        def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
            if on_trial:
                on_trial(trial, cal.counted(), target)
            if cal.counted() >= target:
                study.stop()

        try:
            if cal.counted() < target:
                cal.study.optimize(cal.objective, callbacks=[report], catch=())
        finally:
            if finish:
                finish(cal)
        return cal.study


def feasible(trial: optuna.trial.FrozenTrial) -> bool:
    """Whether a trial passed every plausibility check (its constraints, <= 0)."""
    return bool(trial.constraints) and all(c <= 0 for c in trial.constraints.values())


def chosen(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The feasible complete trial with the lowest score, or ``None`` if none yet.

    On a tie, the one with more measures in band.
    """
    complete = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if feasible(t)]
    if not complete:
        return None
    return min(complete, key=lambda t: (t.value, -t.user_attrs.get("passed_medium", 0),
                                        t.number))


def trial_table(study: optuna.Study) -> pd.DataFrame:
    """Every trial: number, state, score, measures passed, feasibility, values."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        rows.append({"trial": t.number, "state": t.state.name.lower(),
                     "score": t.value if t.value is not None else math.nan,
                     "score_small": t.intermediate_values.get(0, math.nan),
                     "passed": t.user_attrs.get("passed_medium"),
                     "feasible": feasible(t) if t.constraints else None,
                     **t.params})
    return pd.DataFrame(rows)

