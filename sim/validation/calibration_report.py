"""The calibration report: how the search went and what it chose (``report.html``).

Shows the study's id and trials, the score of every trial in order (Optuna's
optimization history), which constants the score depends on most (Optuna's
parameter importances), and for the chosen set every validation measure with its
band and every plausibility check with its band. Written next to the study's
database, with ``trials.parquet`` (one row per trial) and ``chosen.yaml`` (the chosen
values as scenario keys, to paste into a scenario or make the defaults).
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import plotly.graph_objects as go
import yaml
from optuna.trial import TrialState
from plotly.io import to_html

from sim.analysis.html_tables import study_page, table
from sim.running.output import parquet_writer, text_writer, write_together
from sim.validation.calibrate import Calibration, chosen, trial_table
from sim.validation.plausibility import CHECK_BY_NAME
from sim.validation.targets import Target


def current_value(cal: Calibration, path: str) -> Any:
    """The value of scenario key ``path`` in the space's base scenario (the default)."""
    node: Any = cal.space.base.resolved()
    for part in path.split("."):
        node = node[part]
    return node


def measure_rows(trial: optuna.trial.FrozenTrial,
                 cal_targets: list[Target]) -> tuple[list[list[Any]], list[bool]]:
    """Every validation measure of the chosen trial (medium size), with its band."""
    found = trial.user_attrs.get("measures_medium", {})
    rows, passed = [], []
    for target in cal_targets:
        for m in target.measures:
            value = found.get(f"{target.id}.{m.name}", math.nan)
            rows.append([target.id, m.name, m.study, m.band.text(), value,
                         "pass" if m.band.contains(value) else "MISS"])
            passed.append(m.band.contains(value))
    return rows, passed


def check_rows(trial: optuna.trial.FrozenTrial) -> tuple[list[list[Any]], list[bool]]:
    """Every plausibility check of the chosen trial, with its band."""
    rows, passed = [], []
    for name, value in trial.user_attrs.get("checks", {}).items():
        check = CHECK_BY_NAME[name]
        ok = check.band.contains(value)
        result = ("pass" if ok else "MISS") + ("" if check.constraint else " (reported)")
        rows.append([check.description, check.band.text(), value, result, check.reason])
        passed.append(ok)
    return rows, passed


def figures(study: optuna.Study, objective: str = "score (band widths outside)"
            ) -> list[go.Figure]:
    """The search's history and, once there are enough complete trials, importances."""
    from optuna.visualization import plot_optimization_history, plot_param_importances

    history = plot_optimization_history(study, target_name=objective)
    history.update_layout(height=460)
    out = [history]
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) >= 3 and len({t.value for t in complete}) > 1:
        importances = plot_param_importances(study, target_name=objective.split(" (")[0])
        importances.update_layout(height=max(460, 24 * len(complete[0].params) + 120),
                                  yaxis={"dtick": 1})
        out.append(importances)
    for fig in out:
        fig.update_layout(template="plotly_white")
    return out


def violation(trial: optuna.trial.FrozenTrial) -> float:
    """How far a trial's plausibility checks are from passing (0: feasible)."""
    return float(sum(v for v in trial.constraints.values() if v > 0))


def closest_to_feasible(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The complete trial whose checks miss by least (then the lower score)."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        return None
    return min(complete, key=lambda t: (violation(t), t.value, t.number))


def best_trials(study: optuna.Study, n: int = 8) -> list[list[Any]]:
    """The ``n`` complete trials with the lowest scores, feasible or not."""
    complete = sorted(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)),
                      key=lambda t: (t.value, t.number))[:n]
    return [[t.number, t.value, t.user_attrs.get("passed_medium"),
             "yes" if violation(t) == 0 else "no", violation(t)] for t in complete]


def trial_section(cal: Calibration, trial: optuna.trial.FrozenTrial, title: str) -> list[str]:
    """A trial's values, measures and checks."""
    space = cal.space.experiment.uncertainties
    params = [[name, value, current_value(cal, name),
               f"{space[name].range[0]:g} to {space[name].range[1]:g}"]
              for name, value in trial.params.items()]
    m_rows, m_pass = measure_rows(trial, cal.targets)
    c_rows, c_pass = check_rows(trial)
    return [f"<h2>{html.escape(title)}: trial {trial.number}</h2>"
            f"<p>Score {trial.value:.3f}; {sum(m_pass)} of {len(m_pass)} measures in "
            f"band at the medium size; {sum(c_pass)} of {len(c_pass)} checks pass.</p>",
            table(["constant", "value", "current default", "range"], params),
            "<h3>Validation measures (medium size)</h3>",
            table(["target", "measure", "study", "band", "model", "result"], m_rows, m_pass),
            "<h3>Plausibility checks</h3>",
            table(["check", "band", "model", "result", "why"], c_rows, c_pass)]


def report_html(cal: Calibration) -> str:
    """The self-contained report page."""
    study = cal.study
    trials = trial_table(study)
    counts = trials["state"].value_counts().to_dict() if len(trials) else {}
    best = chosen(study)
    parts = [f"<h1>Calibration of the behavioural defaults</h1>"
             f"<p>Study <code>{html.escape(cal.name)}</code>, stored in "
             f"<code>study.db</code>; search space <code>{html.escape(cal.space.source)}</code> "
             f"({len(cal.space.experiment.uncertainties)} constants). Trials: "
             + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
             + f" (target: {cal.target_trials} complete or pruned).</p>"
             f"<p>Targets: {', '.join(t.id for t in cal.targets)}. "
             "Score: how far the validation measures lie outside their bands, in band "
             "widths, summed (0: all in band). A trial whose plausibility checks fail is "
             "infeasible and cannot be chosen; bands are never widened.</p>"]
    if best is not None:
        parts += trial_section(cal, best, "Chosen")
    else:
        parts.append("<p><b>No feasible complete trial yet</b>: nothing is chosen. The "
                     "trial whose checks miss by least is shown instead.</p>")
        nearest = closest_to_feasible(study)
        if nearest is not None:
            parts += trial_section(cal, nearest, "Closest to feasible (not chosen)")
    if best_trials(study):
        parts += ["<h3>Lowest scores</h3>",
                  table(["trial", "score", "measures in band", "feasible",
                          "checks missed by"], best_trials(study))]
    for i, fig in enumerate(figures(study) if len(trials) else []):
        parts.append(to_html(fig, full_html=False,
                             include_plotlyjs="inline" if i == 0 else False))
    return study_page("commsim calibration", parts, 'tr.miss td { color: #b00; }\n')


def chosen_yaml(cal: Calibration) -> str:
    """The chosen values as scenario keys (empty mapping when none is chosen yet)."""
    best = chosen(cal.study)
    header = (f"# chosen by {cal.name}"
              + (f", trial {best.number}, score {best.value:.3f}\n" if best else
                 ": no feasible complete trial yet\n"))
    values = {} if best is None else {k: (round(v, 4) if isinstance(v, float) else v)
                                      for k, v in best.params.items()}
    return header + yaml.safe_dump(values, sort_keys=False)


def write_calibration(cal: Calibration, out: Path) -> Path:
    """Write ``report.html``, ``trials.parquet`` and ``chosen.yaml`` into ``out``."""
    trials = trial_table(cal.study)
    return write_together(out, {
        "report.html": text_writer(report_html(cal)),
        "trials.parquet": parquet_writer(trials if len(trials) else pd.DataFrame()),
        "chosen.yaml": text_writer(chosen_yaml(cal)),
    })
