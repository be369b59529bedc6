"""Optimization: the best playbooks for a budget, as a Pareto front (``commsim optimize``).

An optimization file (or the command's flags) names a base scenario, the levers the
search may move (which strategies may be switched on, which of their parameters may
move and in what ranges), the objectives (summary outcomes, maximised or minimised,
as a mean or a quantile over replicates, or ``survival``), the budget (money a month,
hours of the owner's team a week) and the replicates per candidate. An Optuna study
(stored in SQLite, so it resumes) searches the levers; the candidates on its Pareto
front are run again on fresh seeds and each gets an interval for every objective.

- :mod:`sim.optimization.spec`: the optimization file, its checks and its JSON Schema;
- :mod:`sim.optimization.search`: the study (batches of trials, constraints, resume);
- :mod:`sim.optimization.front`: the Pareto front, its re-evaluation and playbooks;
- :mod:`sim.optimization.report`: ``front.parquet``, ``trials.parquet`` and ``report.html``.
"""

RESOLVED_FILE = "optimization.resolved.yaml"
"""The search a study folder holds (its scenario's path made absolute), read by
``commsim optimize --resume`` and by the dashboard. Here, in the package's light
``__init__``, so the command line can name it without loading the engine."""
