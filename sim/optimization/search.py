"""The search: an Optuna study of candidates, run in batches, stored in SQLite.

Each trial is a candidate playbook: a value for every lever
(:class:`sim.optimization.spec.Lever`). The study proposes ``batch`` candidates at a time;
each runs ``replicates`` times on the same replicate seeds as every other candidate
(common random numbers: two candidates differ by their strategies, not by luck), all
the batch's runs spread over the workers (a local process pool, or the workers of a
Dask cluster, as sweeps use). The batch's results are then told to the study in trial
order, with each objective (:func:`objective_values`) and the budget as Optuna
constraints (``Trial.set_constraint``: money a month and hours a week above the
budget, > 0 when over it), which both samplers use to prefer candidates within it
(Optuna 5 deprecates the samplers' ``constraints_func`` for this; the values land in
the same place, and no penalty is added to any objective).

Reproducible: the sampler of trial ``n`` is seeded from the root seed and ``n``, and
reads only the study's stored trials, so the study is the same for the same seed
whatever the number of workers. Resumable: the study lives in ``study.db``; a batch
cut short (Ctrl-C, a killed process) leaves its trials ``RUNNING``, and the next
session runs exactly those candidates again and tells their values, so a resumed
study equals one never interrupted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState

from sim.analysis.compare import outcome_values
from sim.engine.seeding import replicate_seeds
from sim.optimization.spec import MONTH_DAYS, SURVIVAL, WEEK_DAYS, Lever, Objective, Search
from sim.running.batches import RunBatch, batch_runner
from sim.running.studies import finished_trials, model_digest, open_storage
from sim.running.sweeps import Task

MONEY = "money_per_month"
HOURS = "hours_per_week"
SEARCH_STREAM, FRONT_STREAM = 1, 2
"""Child streams of the root seed: the candidates' replicate seeds, the front's."""


def stream_seed(root: int, stream: int) -> int:
    """The root seed of one child stream (``SeedSequence`` spawn key ``stream``)."""
    state = np.random.SeedSequence(root, spawn_key=(stream,)).generate_state(1, np.uint64)
    return int(state[0] >> 1)


def sampler_seed(root: int, number: int) -> int:
    """The seed of the sampler that proposes trial ``number`` (32 bits, as numpy wants)."""
    state = np.random.SeedSequence(root, spawn_key=(0, number)).generate_state(1, np.uint32)
    return int(state[0])


def distribution(lever: Lever) -> BaseDistribution:
    """The Optuna distribution a lever's values are drawn from."""
    if lever.kind in ("switch", "choice"):
        return CategoricalDistribution(list(lever.choices))
    if lever.kind == "int":
        return IntDistribution(int(lever.low), int(lever.high))
    return FloatDistribution(lever.low, lever.high)


def make_sampler(search: Search, seed: int) -> optuna.samplers.BaseSampler:
    """The file's sampler (NSGA-II or TPE), seeded."""
    spec = search.spec
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if spec.sampler == "tpe":
            return optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                              n_startup_trials=min(spec.population, 24))
        return optuna.samplers.NSGAIISampler(population_size=spec.population, seed=seed)


def objective_values(summary: pd.DataFrame, objective: Objective) -> np.ndarray:
    """One value per run of a candidate: the outcome (survival: 1 when alive at the end)."""
    if objective.outcome == SURVIVAL:
        return 1.0 - outcome_values(summary, "died").to_numpy()
    return outcome_values(summary, objective.outcome).to_numpy()


def summarise(values: np.ndarray, objective: Objective) -> float:
    """A candidate's objective: the mean over its runs, or the quantile asked for."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return math.nan
    if objective.quantile is not None:
        return float(np.quantile(values, objective.quantile))
    return float(values.mean())


def budget_use(summary: pd.DataFrame, days: int) -> dict[str, float]:
    """Money a month and hours a week a candidate used (means over its runs)."""
    return {MONEY: float(summary["money_spent"].astype(float).mean()) / days * MONTH_DAYS,
            HOURS: float(summary["owner_hours"].astype(float).mean()) / days * WEEK_DAYS}


def study_name(search: Search) -> str:
    """The study's id: the digests of the search and of the model."""
    return f"commsim-optimize-{search.digest()}-{model_digest()}"


def candidate_tasks(search: Search, number: int, values: dict[str, Any],
                    seeds: list[int]) -> list[Task]:
    """The runs of one candidate (trial ``number``), one per replicate seed."""
    data = search.scenario_data(values)
    return [Task(run_id=f"t{number:06d}-r{r:04d}", point_id=number, replicate=r, seed=seed,
                 scenario=data) for r, seed in enumerate(seeds)]


def run_candidates(run_batch: RunBatch, tasks: list[Task]) -> dict[int, pd.DataFrame]:
    """Run ``tasks``; each candidate's summary rows (one per run, by replicate)."""
    rows: dict[int, list[dict]] = {}
    for row, _ in run_batch(tasks):
        rows.setdefault(int(row["point_id"]), []).append(row)
    return {number: pd.DataFrame(found).sort_values("replicate", ignore_index=True)
            for number, found in rows.items()}


@dataclass
class Optimizer:
    """An opened study and how to run its candidates."""

    search: Search
    study: optuna.Study
    run_batch: RunBatch
    seeds: list[int]

    @property
    def name(self) -> str:
        """The study's id."""
        return self.study.study_name

    @property
    def objectives(self) -> list[Objective]:
        """The search's objectives, in order."""
        return list(self.search.spec.objectives)

    def distributions(self) -> dict[str, BaseDistribution]:
        """Every lever's distribution, by name."""
        return {lever.name: distribution(lever) for lever in self.search.levers}

    def finished(self) -> int:
        """Trials told: complete or failed (a candidate with no value)."""
        return len(self.study.get_trials(deepcopy=False,
                                         states=(TrialState.COMPLETE, TrialState.FAIL)))

    def _propose(self, upto: int) -> dict[int, optuna.Trial]:
        """Ask the study for trials until it holds ``upto`` of them; the new trials."""
        distributions = self.distributions()
        root = self.search.spec.seed
        asked = {}
        count = len(self.study.get_trials(deepcopy=False))
        while count < upto:
            self.study.sampler = make_sampler(self.search, sampler_seed(root, count))
            trial = self.study.ask(distributions)
            asked[trial.number] = trial
            count = max(count, trial.number + 1)  # a queued trial was already counted
        return asked

    def _resumed(self, trial: FrozenTrial) -> optuna.Trial:
        """A trial an earlier session asked and did not tell (it was cut short).

        Its values are kept; any the interruption left out are suggested now, by the
        sampler its number would have had.
        """
        self.study.sampler = make_sampler(self.search,
                                          sampler_seed(self.search.spec.seed, trial.number))
        live = optuna.trial.Trial(self.study, trial._trial_id)
        for name, dist in self.distributions().items():
            if name not in trial.params:
                live._suggest(name, dist)
        return live

    def step(self, target: int) -> list[FrozenTrial]:
        """Propose, run and tell the next batch; returns its trials as told."""
        start = self.finished()
        end = min(start + self.search.spec.batch, target)
        cut_short = [t for t in self.study.get_trials(deepcopy=False)
                     if t.state == TrialState.RUNNING]
        live = {t.number: self._resumed(t) for t in cut_short}
        live.update(self._propose(end))
        waiting = sorted(live)
        trials = self.study.get_trials(deepcopy=False)
        values = {n: trials[n].params for n in waiting}
        tasks = [task for n in waiting
                 for task in candidate_tasks(self.search, n, values[n], self.seeds)]
        summaries = run_candidates(self.run_batch, tasks)
        for n in waiting:  # in trial order: the study is the same whoever ran what
            self._tell(live[n], summaries[n])
        told = self.study.get_trials(deepcopy=False)
        return [told[n] for n in waiting]

    def _tell(self, live: optuna.Trial, summary: pd.DataFrame) -> None:
        used = budget_use(summary, self.search.horizon)
        for key, value in used.items():
            live.set_user_attr(key, value)
        budget = self.search.spec.budget
        for key, limit in ((MONEY, budget.money_per_month), (HOURS, budget.hours_per_week)):
            if limit is not None:
                live.set_constraint(key, used[key] - limit)
        values = [summarise(objective_values(summary, o), o) for o in self.objectives]
        if any(math.isnan(v) for v in values):
            live.set_user_attr("no_value", [o.label for o, v in zip(self.objectives, values,
                                                                     strict=True)
                                            if math.isnan(v)])
            self.study.tell(live, state=TrialState.FAIL)
            return
        self.study.tell(live, values)


def open_study(search: Search, out: Path) -> optuna.Study:
    """Open (or create) the study of ``search`` stored in ``out/study.db``.

    A new study starts from the scenario's own playbook (its first trial), so the
    front can be read against what the owner does today.
    """
    out.mkdir(parents=True, exist_ok=True)
    storage = open_storage(out)
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # the command reports progress itself
    name = study_name(search)
    existing = finished_trials(storage, name)
    directions = [o.goal for o in search.spec.objectives]
    study = optuna.create_study(storage=storage, study_name=name, directions=directions,
                                sampler=make_sampler(search, search.spec.seed),
                                load_if_exists=True)
    if existing == 0:
        study.set_user_attr("objectives", [o.label for o in search.spec.objectives])
        study.enqueue_trial(search.current_values(), user_attrs={"start": True})
    return study


BatchHook = Callable[["Optimizer", list[FrozenTrial], int], None]
"""Called after each batch with the optimizer, the batch's trials and the target."""


def optimize(search: Search, out: Path, trials: int | None = None, workers: int = 1,
             cluster: str | None = None, on_batch: BatchHook | None = None,
             finish: Callable[[Optimizer], None] | None = None,
             on_note: Callable[[str], None] | None = None) -> optuna.Study:
    """Run (or resume) the search of ``search`` in ``out`` until ``trials`` are told.

    ``trials`` defaults to the file's; ``workers`` local processes or the Dask
    scheduler ``cluster`` run the candidates (the study is the same either way);
    ``on_batch`` hears of each batch (progress); ``finish(optimizer)`` is called when
    the search is complete, with the workers still up (the front and the report). An
    interrupted search writes nothing but its stored trials.
    """
    study = open_study(search, out)
    target = trials if trials is not None else search.spec.trials
    seeds = replicate_seeds(stream_seed(search.spec.seed, SEARCH_STREAM),
                            search.spec.replicates)
    worlds = candidate_tasks(search, 0, search.current_values(), seeds)
    base_dir = str(search.base.base_dir) if search.base.base_dir else None
    with batch_runner(workers, cluster, base_dir, worlds, on_note) as run_batch:
        opt = Optimizer(search, study, run_batch, seeds)
        while opt.finished() < target:
            told = opt.step(target)
            if on_batch is not None:
                on_batch(opt, told, target)
        if finish is not None:
            finish(opt)
    return study


def trial_table(opt: Optimizer) -> pd.DataFrame:
    """Every trial: number, state, objectives, budget used, feasibility, levers."""
    rows = []
    labels = [o.label for o in opt.objectives]
    for t in opt.study.get_trials(deepcopy=False):
        values = t.values if t.values is not None else [math.nan] * len(labels)
        rows.append({"trial": t.number, "state": t.state.name.lower(),
                     **dict(zip(labels, values, strict=True)),
                     MONEY: t.user_attrs.get(MONEY, math.nan),
                     HOURS: t.user_attrs.get(HOURS, math.nan),
                     "feasible": feasible(t) if t.state == TrialState.COMPLETE else None,
                     "start": bool(t.user_attrs.get("start", False)),
                     **{lever.name: t.params.get(lever.name) for lever in opt.search.levers}})
    return pd.DataFrame(rows)


def feasible(trial: FrozenTrial) -> bool:
    """Whether a trial kept within the budget (every constraint <= 0)."""
    return all(v <= 0 for v in trial.constraints.values())
