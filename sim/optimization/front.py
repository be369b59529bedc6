"""The Pareto front: the candidates no other beats on every objective, run again.

The front is taken among the complete trials within the budget. Candidates that are
the same playbook (they differ only in the settings of a strategy they switch off)
count once. Each front point is then run again on fresh seeds
(``front_replicates`` runs, seeds of their own stream of the root seed), which gives
every objective an interval (95% bootstrap over the runs) free of the selection's
luck: the search picks candidates whose seeds happened to favour them, the fresh runs
do not. Each point is described in plain words (its playbook) and as a scenario file
that ``commsim run`` runs to the same numbers (its seed and replicates are the fresh
runs').
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml
from optuna.trial import FrozenTrial, TrialState

from sim.analysis.compare import paired_interval
from sim.engine.seeding import replicate_seeds
from sim.engine.strategies import REGISTRY
from sim.optimization.search import (
    FRONT_STREAM,
    HOURS,
    MONEY,
    Optimizer,
    budget_use,
    candidate_tasks,
    feasible,
    objective_values,
    run_candidates,
    stream_seed,
    summarise,
)
from sim.optimization.spec import Objective, Search
from sim.params import describe_value

RESAMPLES = 2000


def dominates(a: list[float], b: list[float], signs: list[int]) -> bool:
    """Whether values ``a`` are at least as good as ``b`` everywhere and better once."""
    better = False
    for x, y, s in zip(a, b, signs, strict=True):
        if s * x < s * y:
            return False
        if s * x > s * y:
            better = True
    return better


def playbook_key(search: Search, params: dict[str, Any]) -> str:
    """What a candidate runs: its scenario's strategies (equal keys: the same playbook)."""
    return json.dumps(search.scenario_data(params)["strategies"], sort_keys=True, default=str)


def pareto_trials(opt: Optimizer) -> list[FrozenTrial]:
    """The complete trials within the budget that no other such trial dominates.

    One trial per playbook (the first); in trial order.
    """
    signs = np.array([1.0 if o.goal == "maximize" else -1.0 for o in opt.objectives])
    trials = [t for t in opt.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
              if feasible(t)]
    if not trials:
        return []
    values = np.array([t.values for t in trials]) * signs  # higher is better everywhere
    # trial i is dominated when some trial is >= everywhere and > somewhere; the pairs
    # are compared a block of rivals at a time (memory stays small with many trials)
    dominated = np.zeros(len(trials), dtype=bool)
    for start in range(0, len(trials), 256):
        rivals = values[start:start + 256, None, :]
        dominated |= ((rivals >= values[None, :, :]).all(axis=2)
                      & (rivals > values[None, :, :]).any(axis=2)).any(axis=0)
    front, seen = [], set()
    for t, out in zip(trials, dominated, strict=True):
        if out:
            continue
        key = playbook_key(opt.search, t.params)
        if key in seen:
            continue
        seen.add(key)
        front.append(t)
    return front


def interval(values: np.ndarray, objective: Objective, seed: int) -> tuple[float, float, float]:
    """The objective over runs ``values`` and its 95% bootstrap interval."""
    values = values[~np.isnan(values)]
    if objective.quantile is None:
        return paired_interval(values, resamples=RESAMPLES, seed=seed)
    value = summarise(values, objective)
    if values.size < 2:
        return value, math.nan, math.nan
    rng = np.random.default_rng([seed, values.size])
    draws = values[rng.integers(0, values.size, size=(RESAMPLES, values.size))]
    stats = np.quantile(draws, objective.quantile, axis=1)
    low, high = np.quantile(stats, [0.025, 0.975])
    return value, float(low), float(high)


def describe_playbook(search: Search, params: dict[str, Any]) -> str:
    """A candidate's playbook in plain words.

    Each strategy switched on, with the value of every parameter the search moved
    (others as in the scenario), then the strategies the search switched off.
    """
    data = search.scenario_data(params)["strategies"]
    moved: dict[str, list[str]] = {}
    for lever in search.levers:
        if lever.kind == "switch" or lever.strategy not in data:
            continue
        declared = next(p for p in REGISTRY[lever.strategy].params if p.name == lever.param)
        value = params[lever.name]
        shown = f"{value:.3g}" if isinstance(value, float) else describe_value(value)
        # a plain unit (yuan, minutes), unless the name says it (shares 12, every days 30)
        plain = declared.unit.isalpha() and declared.unit not in lever.param
        unit = f" {declared.unit}" if plain and declared.choices is None \
            and declared.kind is not bool else ""
        moved.setdefault(lever.strategy, []).append(
            f"{lever.param.replace('_', ' ')} {shown}{unit}")
    parts = []
    for key in REGISTRY:
        if key in data:
            name = REGISTRY[key].name.lower()
            parts.append(f"{name} ({', '.join(moved[key])})" if key in moved else name)
    off = [REGISTRY[lv.strategy].name.lower() for lv in search.levers
           if lv.kind == "switch" and lv.strategy not in data]
    text = "; ".join(parts) if parts else "no strategy"
    if off:
        text += "; without " + ", ".join(off)
    return text


def scenario_yaml(search: Search, params: dict[str, Any], point: int, seed: int,
                  replicates: int) -> str:
    """A front point as a scenario file ``commsim run`` accepts (and reproduces)."""
    name = f"{search.spec.name} - front point {point}"
    scenario = search.scenario(params, name=name, seed=seed, replicates=replicates)
    data = scenario.resolved()
    data.pop("provenance", None)
    data.pop("arms", None)
    header = (f"# {name}: {describe_playbook(search, params)}\n"
              f"# from the optimization {search.spec.name!r}; its seed and replicates are "
              "those of the front's fresh runs, so `commsim run` gives the front's numbers\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@dataclass
class Front:
    """The front points with their re-evaluated objectives, one row each."""

    table: pd.DataFrame
    seed: int
    replicates: int


def evaluate_front(opt: Optimizer) -> Front:
    """Run every front point on fresh seeds; its objectives with intervals, its budget use.

    Columns: ``point``, ``trial``, ``same_as`` (other front trials whose fresh runs came
    out identical: playbooks that differ only in settings that changed nothing, shown
    once), each lever (``strategy.param``; empty for a strategy switched off), each
    objective with ``_low`` and ``_high`` (the fresh runs) and ``_search`` (its value in
    the search), ``money_per_month``, ``hours_per_week``, ``within_budget`` (on the
    fresh runs), ``playbook`` and ``scenario_yaml``. Points are numbered from the best
    on the first objective.
    """
    search = opt.search
    spec = search.spec
    seed = stream_seed(spec.seed, FRONT_STREAM)
    seeds = replicate_seeds(seed, spec.front_replicates)
    trials = pareto_trials(opt)
    tasks = [task for t in trials for task in candidate_tasks(search, t.number, t.params, seeds)]
    summaries = run_candidates(opt.run_batch, tasks) if tasks else {}
    rows: dict[tuple, dict[str, Any]] = {}
    for t in trials:
        summary = summaries[t.number]
        same = tuple(summary.drop(columns=["run_id", "point_id"], errors="ignore")
                     .astype(str).itertuples(index=False))
        if same in rows:  # the same runs, to the last number: one point
            rows[same]["same_as"] += f"{', ' if rows[same]['same_as'] else ''}{t.number}"
            continue
        strategies = search.scenario_data(t.params)["strategies"]
        row: dict[str, Any] = {"trial": t.number, "same_as": "", "params": t.params}
        for lever in search.levers:
            on = lever.strategy in strategies
            row[lever.name] = t.params[lever.name] if lever.kind == "switch" or on else None
        for k, objective in enumerate(opt.objectives):
            value, low, high = interval(objective_values(summary, objective), objective,
                                        seed=spec.seed + k)
            row.update({objective.label: value, f"{objective.label}_low": low,
                        f"{objective.label}_high": high,
                        f"{objective.label}_search": t.values[k]})
        used = budget_use(summary, search.horizon)
        row.update(used)
        budget = spec.budget
        row["within_budget"] = bool(
            (budget.money_per_month is None or used[MONEY] <= budget.money_per_month)
            and (budget.hours_per_week is None or used[HOURS] <= budget.hours_per_week))
        row["playbook"] = describe_playbook(search, t.params)
        rows[same] = row
    first = opt.objectives[0]
    sign = -1.0 if first.goal == "maximize" else 1.0
    ordered = sorted(rows.values(), key=lambda r: (sign * r[first.label], r["trial"]))
    for point, row in enumerate(ordered, start=1):
        row["point"] = point
        row["scenario_yaml"] = scenario_yaml(search, row.pop("params"), point, seed,
                                             spec.front_replicates)
    columns = ["point", "trial", "same_as", *(lv.name for lv in search.levers)]
    for o in opt.objectives:
        columns += [o.label, f"{o.label}_low", f"{o.label}_high", f"{o.label}_search"]
    columns += [MONEY, HOURS, "within_budget", "playbook", "scenario_yaml"]
    table = pd.DataFrame(ordered, columns=columns)
    for lever in search.levers:  # empty for a strategy switched off: numbers as NaN
        if lever.kind in ("float", "int"):
            table[lever.name] = pd.to_numeric(table[lever.name], errors="coerce")
    return Front(table, seed, spec.front_replicates)
