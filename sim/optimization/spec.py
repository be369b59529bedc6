"""Optimization files: the levers, objectives and budget of a search, validated.

An optimization file is YAML, read and reported like a scenario file (file, line, key
path, what was expected, the nearest valid name; nothing is run or written). The
command's flags say the same in a shorter form (:func:`from_flags`).

.. code-block:: yaml

    name: best playbook for 500 yuan and 3 hours
    scenario: ../scenarios/knowledge-group-paid-entry.yaml
    weeks: 26                  # horizon (default: the scenario's)
    replicates: 4              # runs per candidate, the same seeds for every candidate
    trials: 400
    budget: {money_per_month: 500, hours_per_week: 3}
    strategies:                # what the search may change (default: see below)
      red_envelope:
        switch: optional       # the search switches it on or off (always: kept on)
        vary:
          amount: [5, 100]     # a range; `amount:` alone is the declared range
          every: [friday, daily, never]   # choices
      cleanup: {vary: {every_days: [7, 90]}}
    objectives: [members, active_share, survival, "members:p10"]

Without ``strategies`` the levers are the scenario's own: every strategy its baseline
or an arm switches on may be on or off, and every parameter an arm changes moves
between the values the baseline and the arms give it (choices, or the range they
span). Parameters a file does not name keep the scenario's value.

Objectives are summary outcomes by name (any column of ``summary.parquet`` with a
value in every run, and the derived outcomes of :mod:`sim.analysis.compare`), a few
short names (:data:`ALIASES`) and ``survival`` (the share of replicates whose group
is alive at the horizon). Each is the mean over a candidate's replicates, or a
quantile (``members:p10``, the 10th percentile: a risk-averse owner's view).
Directions default to the outcome's good direction.

The budget is checked on the means over replicates: money is ``money_spent`` over the
horizon, per month of :data:`MONTH_DAYS` days; hours are ``owner_hours`` (the time of
the owner's team -- owner and administrators together -- that the strategies ask:
each strategy declares its minutes, see ``commsim strategies``), per week.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.engine.metrics import SUMMARY_METRICS
from sim.engine.strategies import REGISTRY
from sim.formats.scenario import (
    Problem,
    Scenario,
    ScenarioError,
    _clean_loc,
    _describe,
    _line_for,
    _line_map,
    _path_text,
    load_scenario,
    read_mapping,
    read_yaml_file,
)

MONTH_DAYS = 365.25 / 12
"""Days in a month of the money budget (an average month)."""
WEEK_DAYS = 7
SAMPLERS = ("nsga2", "tpe")
DEFAULT_SAMPLER = "nsga2"
"""Chosen by measurement (``benchmarks/bench_optimize.py``; the figures are in the README)."""

ALIASES = {
    "members": "members_final",
    "active_share": "active_share_last_28d",
    "retention": "newcomer_retention_30d",
    "money": "money_spent",
    "hours": "owner_hours",
}
"""Short objective names and the outcomes they stand for."""
SURVIVAL = "survival"
"""Share of a candidate's replicates whose group is alive at the horizon."""
DERIVED_OUTCOMES = ("died", "active_members_final", "net_money", "cost_per_active_member")
"""Outcomes computed from summary columns (:data:`sim.analysis.compare.DERIVED`)."""
NOT_OBJECTIVES = {
    "dead_day": "it is empty for a group that survived; use survival",
    "roi": "it is empty when nothing is spent; use net_money",
    "days": "it is the horizon, the same for every candidate",
}
"""Summary columns that cannot be objectives, and why."""
GOOD = {  # the good direction of outcomes sim.analysis.compare does not list
    "members_final": "maximize", "members_peak": "maximize", "joins_total": "maximize",
    "messages_total": "maximize", "active_share_last_28d": "maximize",
    "newcomer_retention_7d": "maximize", "newcomer_retention_30d": "maximize",
    "active_members_final": "maximize", "revenue": "maximize", "net_money": "maximize",
    SURVIVAL: "maximize", "died": "minimize", "spam_share": "minimize",
    "ads_total": "minimize", "money_spent": "minimize", "owner_hours": "minimize",
    "cost_per_active_member": "minimize", "lurker_share": "minimize",
    "muted_share": "minimize",
}
"""Default directions; an objective not listed must say whether to maximize or minimize."""


def objective_names() -> list[str]:
    """Every name an objective may have (before aliases are resolved)."""
    columns = [n for n in SUMMARY_METRICS if n not in NOT_OBJECTIVES]
    return [*ALIASES, SURVIVAL, *columns, *DERIVED_OUTCOMES]


_SHORT = re.compile(r"^(?P<name>[a-z0-9_]+)(?::p(?P<q>\d{1,2}))?(?::(?P<dir>max|min))?$")


class Objective(BaseModel):
    """One objective: an outcome, how it is summarised over replicates, its direction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(..., description="outcome: a summary column, a derived outcome, "
                      "survival, or a short name (members, active_share, retention, money, "
                      "hours)")
    quantile: float | None = Field(None, gt=0, lt=1, description="summarise the replicates "
                                   "by this quantile (0.1: the 10th percentile) instead of "
                                   "their mean")
    direction: Literal["maximize", "minimize"] | None = Field(
        None, description="default: the outcome's good direction")

    @property
    def outcome(self) -> str:
        """The outcome's own name (aliases resolved)."""
        return ALIASES.get(self.name, self.name)

    @property
    def label(self) -> str:
        """Column name in the tables: ``members_final``, ``members_final_p10``."""
        if self.quantile is None:
            return self.outcome
        return f"{self.outcome}_p{round(self.quantile * 100):02d}"

    @property
    def goal(self) -> str:
        """``maximize`` or ``minimize``."""
        return self.direction or GOOD[self.outcome]


def parse_objective(value: Any) -> Any:
    """``members``, ``members:p10``, ``spam_share:min`` as an objective's mapping."""
    if not isinstance(value, str):
        return value
    match = _SHORT.match(value.strip())
    if match is None:
        return {"name": value}  # the name check says what is wrong
    out: dict[str, Any] = {"name": match["name"]}
    if match["q"] is not None:
        out["quantile"] = int(match["q"]) / 100
    if match["dir"] is not None:
        out["direction"] = {"max": "maximize", "min": "minimize"}[match["dir"]]
    return out


class StrategyLevers(BaseModel):
    """What the search may change of one strategy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    switch: Literal["optional", "always"] = Field(
        "optional", description="optional: the search switches the strategy on or off; "
        "always: it stays on (only its parameters move)")
    vary: dict[str, list[Any] | None] = Field(
        default_factory=dict, description="parameters that move: [low, high] for a number, "
        "a list of choices for a choice or true/false, or empty for the declared range")


class Budget(BaseModel):
    """Constraints on a candidate, on the means over its replicates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    money_per_month: float | None = Field(None, ge=0, description="most money spent (red "
                                          "envelopes, rewards, prizes, events) per month",
                                          json_schema_extra={"unit": "yuan/month"})
    hours_per_week: float | None = Field(None, ge=0, description="most hours of the owner's "
                                         "team (owner and administrators) per week that the "
                                         "strategies ask", json_schema_extra={"unit": "hours/week"})


class Optimization(BaseModel):
    """An optimization file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("unnamed optimization", description="what the search is about")
    description: str = ""
    scenario: str = Field(..., description="base scenario file, relative to this file")
    days: int | None = Field(None, ge=1, le=3650, strict=True, description="horizon in days "
                             "(default: the scenario's)")
    weeks: int | None = Field(None, ge=1, le=520, strict=True, description="horizon in weeks")
    replicates: int = Field(4, ge=1, le=1000, strict=True, description="runs per candidate; "
                            "every candidate runs on the same seeds (common random numbers)")
    seed: int = Field(0, ge=0, le=2**63 - 1, strict=True, description="root seed: the "
                      "sampler's, the candidates' and the front's fresh seeds derive from it")
    trials: int = Field(100, ge=1, le=100_000, strict=True, description="candidates to try")
    batch: int = Field(8, ge=1, le=1024, strict=True, description="candidates proposed "
                       "together and run in parallel; the study depends on it, not on the "
                       "number of workers")
    sampler: Literal[SAMPLERS] = Field(DEFAULT_SAMPLER,  # type: ignore[valid-type]
                                       description="nsga2 (genetic) or tpe (Bayesian)")
    population: int = Field(24, ge=2, le=1000, strict=True,
                            description="nsga2: candidates per generation")
    front_replicates: int = Field(16, ge=2, le=10_000, strict=True, description="fresh-seed "
                                  "runs of each point of the final front, for its intervals")
    budget: Budget = Field(default_factory=Budget)
    strategies: dict[str, StrategyLevers] | None = Field(
        None, description="strategies the search may change, by key (default: the "
        "scenario's strategies and what its arms change)")
    objectives: list[Objective] = Field(..., min_length=1, description="what to maximize "
                                        "or minimize; `members:p10` is the 10th percentile")

    @field_validator("objectives", mode="before")
    @classmethod
    def _short_objectives(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [parse_objective(v) for v in value]
        return value


# ----------------------------------------------------------------------- levers


@dataclass(frozen=True)
class Lever:
    """One thing the search moves: a strategy's switch or one of its parameters.

    ``name`` is ``strategy.param`` (``red_envelope.amount``) or ``strategy.on`` for
    the switch; ``kind`` is ``switch``, ``float``, ``int`` or ``choice``.
    """

    name: str
    strategy: str
    param: str | None
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None


SWITCH = "on"
"""The parameter name of a strategy's switch (``red_envelope.on``)."""


def _declared(strategy: str, param: str):
    return next(p for p in REGISTRY[strategy].params if p.name == param)


def parameter_lever(strategy: str, param: str, given: list[Any] | None) -> Lever:
    """The lever of ``strategy.param`` with the values ``given`` (None: declared range).

    Raises ``ValueError`` saying what is wrong with ``given``.
    """
    p = _declared(strategy, param)
    name = f"{strategy}.{param}"
    if p.choices is not None or p.kind is bool:
        allowed = tuple(p.choices) if p.choices is not None else (False, True)
        if given is None:
            return Lever(name, strategy, param, "choice", choices=allowed)
        wrong = [v for v in given if v not in allowed or type(v) is not type(allowed[0])]
        if wrong:
            raise ValueError(f"{json.dumps(wrong[0])} is not one of its values; expected "
                             f"some of: {', '.join(json.dumps(a) for a in allowed)}")
        if not given:
            raise ValueError("give at least one choice")
        return Lever(name, strategy, param, "choice", choices=tuple(dict.fromkeys(given)))
    kind = "int" if p.kind is int else "float"
    if given is None:
        if p.low is None or p.high is None:
            raise ValueError("it has no declared range; give one as [low, high]")
        low, high = p.low, p.high
    else:
        if len(given) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                      for v in given):
            raise ValueError(f"expected a range [low, high] of numbers (got {json.dumps(given)})")
        low, high = given
        if not low < high:
            raise ValueError(f"range [{low}, {high}] must go from low to high")
        for v in (low, high):
            if (p.low is not None and v < p.low) or (p.high is not None and v > p.high):
                raise ValueError(f"range [{low}, {high}] leaves the declared range "
                                 f"{p.describe_range()}")
        if kind == "int" and not all(float(v).is_integer() for v in (low, high)):
            raise ValueError(f"expected whole numbers for a whole-number parameter (got "
                             f"[{low}, {high}])")
    if kind == "int":
        return Lever(name, strategy, param, "int", int(low), int(high))
    return Lever(name, strategy, param, "float", float(low), float(high))


def switch_lever(strategy: str) -> Lever:
    """The lever that switches ``strategy`` on or off."""
    return Lever(f"{strategy}.{SWITCH}", strategy, None, "switch", choices=(False, True))


def scenario_levers(base: Scenario) -> list[Lever]:
    """The default levers: the scenario's strategies, and what its arms change.

    Every strategy the baseline or an arm switches on may be on or off; every
    parameter an arm changes moves over the values the baseline and arms give it.
    """
    seen: dict[str, dict[str, list[Any]]] = {}
    for arm in base.arm_names():
        for key, settings in base.strategies_for(arm).items():
            seen.setdefault(key, {})
            for param, value in settings.model_dump().items():
                values = seen[key].setdefault(param, [])
                if value not in values:
                    values.append(value)
    levers = []
    for key in REGISTRY:
        if key not in seen:
            continue
        levers.append(switch_lever(key))
        for param, values in seen[key].items():
            if len(values) < 2:
                continue
            p = _declared(key, param)
            if p.choices is not None or p.kind is bool:
                levers.append(parameter_lever(key, param, values))
            else:
                levers.append(parameter_lever(key, param, [min(values), max(values)]))
    return levers


def file_levers(strategies: dict[str, StrategyLevers]) -> list[Lever]:
    """The levers an optimization file's ``strategies`` names (already checked)."""
    levers = []
    for key in REGISTRY:
        if key not in strategies:
            continue
        entry = strategies[key]
        if entry.switch == "optional":
            levers.append(switch_lever(key))
        levers += [parameter_lever(key, param, given) for param, given in entry.vary.items()]
    return levers


# ------------------------------------------------------------------- the search


@dataclass(frozen=True)
class Search:
    """A checked optimization: the file's settings, its base scenario and its levers."""

    spec: Optimization
    base: Scenario
    levers: tuple[Lever, ...]
    always_on: tuple[str, ...]
    source: str = "<optimization>"

    @property
    def horizon(self) -> int:
        """Days each candidate runs."""
        if self.spec.days is not None:
            return self.spec.days
        if self.spec.weeks is not None:
            return self.spec.weeks * 7
        return self.base.horizon

    def digest(self) -> str:
        """Short hash of what the study's results depend on (its folder belongs to it).

        The name, description and the number of trials change no result: editing
        them resumes the same study (more trials continue it).
        """
        spec = self.spec.model_dump(mode="json", exclude={"name", "description", "trials",
                                                          "scenario"})
        base = self.base.with_changes(arms={}).resolved()
        text = json.dumps({"spec": spec, "base": base, "levers": [vars(lv) for lv in
                                                                  self.levers],
                           "horizon": self.horizon,
                           "edge_list": self.base.edge_list_fingerprint()},
                          sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def scenario_data(self, values: dict[str, Any]) -> dict[str, Any]:
        """The base scenario (its baseline) with the candidate ``values`` applied."""
        data = self.base.with_changes(arms={})._as_written()
        data.pop("provenance", None)
        data.update(days=self.horizon, weeks=None, replicates=1)
        strategies = data["strategies"]
        for lever in self.levers:
            if lever.kind == "switch":
                if values[lever.name]:
                    strategies.setdefault(lever.strategy, {})
                else:
                    strategies.pop(lever.strategy, None)
        for key in self.always_on:
            strategies.setdefault(key, {})
        for lever in self.levers:
            if lever.kind != "switch" and lever.strategy in strategies:
                value = values[lever.name]
                strategies[lever.strategy][lever.param] = _plain(value)
        return data

    def scenario(self, values: dict[str, Any], name: str | None = None,
                 seed: int | None = None, replicates: int = 1) -> Scenario:
        """The candidate as a validated scenario (``name``, ``seed`` and replicates set)."""
        data = self.scenario_data(values)
        if name is not None:
            data["name"] = name
        if seed is not None:
            data["seed"] = seed
        data["replicates"] = replicates
        return Scenario.model_validate(data).model_copy(
            update={"provenance": self.base.provenance})

    def current_values(self) -> dict[str, Any]:
        """The base scenario's own playbook as lever values (clipped into each lever)."""
        active = self.base.strategies_for("baseline")
        out: dict[str, Any] = {}
        for lever in self.levers:
            if lever.kind == "switch":
                out[lever.name] = lever.strategy in active
                continue
            settings = active.get(lever.strategy) or REGISTRY[lever.strategy].Settings()
            value = getattr(settings, lever.param)
            if lever.kind == "choice":
                out[lever.name] = value if value in lever.choices else lever.choices[0]
            else:
                out[lever.name] = min(max(value, lever.low), lever.high)
        return out


def _plain(value: Any) -> Any:
    """Numpy and Optuna numbers as Python's (scenario integers are strict)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


# --------------------------------------------------------------------- checking


def _objective_problems(spec: Optimization, lines: dict, source: str) -> list[Problem]:
    problems = []
    known = objective_names()
    labels: dict[str, int] = {}
    for i, objective in enumerate(spec.objectives):
        loc = ("objectives", i)
        where = _line_for(lines, loc)
        name = objective.name
        if name in NOT_OBJECTIVES:
            problems.append(Problem(source, where, f"objectives.{i}", f"{name} cannot be an "
                                    f"objective: {NOT_OBJECTIVES[name]}"))
            continue
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
            problems.append(Problem(source, where, f"objectives.{i}",
                                    f"unknown objective '{name}'; expected one of: "
                                    f"{', '.join(known)} (a quantile: name:p10)",
                                    near[0] if near else None))
            continue
        if objective.quantile is not None and objective.outcome in (SURVIVAL, "died"):
            problems.append(Problem(source, where, f"objectives.{i}", f"{name} is a share of "
                                    "replicates; it has no quantile"))
        if objective.direction is None and objective.outcome not in GOOD:
            problems.append(Problem(source, where, f"objectives.{i}", f"{name} is neither "
                                    "better high nor low; say direction: maximize or "
                                    f"minimize (or {name}:max)"))
        if objective.label in labels:
            problems.append(Problem(source, where, f"objectives.{i}", f"the same objective "
                                    f"as objectives.{labels[objective.label]}; keep one"))
        labels.setdefault(objective.label, i)
    return problems


def _lever_problems(spec: Optimization, lines: dict, source: str) -> list[Problem]:
    problems = []
    for key, entry in (spec.strategies or {}).items():
        loc = ("strategies", key)
        if key not in REGISTRY:
            near = difflib.get_close_matches(key, list(REGISTRY), n=1, cutoff=0.5)
            problems.append(Problem(source, _line_for(lines, loc), f"strategies.{key}",
                                    f"unknown strategy '{key}'; expected one of: "
                                    f"{', '.join(REGISTRY)}", near[0] if near else None))
            continue
        params = [p.name for p in REGISTRY[key].params]
        for param, given in entry.vary.items():
            ploc = (*loc, "vary", param)
            if param not in params:
                near = difflib.get_close_matches(param, params, n=1, cutoff=0.5)
                problems.append(Problem(source, _line_for(lines, ploc), _path_text(ploc),
                                        f"unknown parameter '{param}' of {key}; expected one "
                                        f"of: {', '.join(params)}", near[0] if near else None))
                continue
            try:
                parameter_lever(key, param, given)
            except ValueError as exc:
                problems.append(Problem(source, _line_for(lines, ploc), _path_text(ploc),
                                        str(exc)))
    return problems


def _budget_problems(spec: Optimization, lines: dict, source: str) -> list[Problem]:
    if spec.days is not None and spec.weeks is not None and spec.days != spec.weeks * 7:
        return [Problem(source, _line_for(lines, ("weeks",)), "weeks", f"give either days or "
                        f"weeks, not both ({spec.days} days is not {spec.weeks} weeks)")]
    return []


def parse_optimization(text: str, source: str = "<optimization>",
                       base_dir: Path | None = None) -> Search:
    """Validate an optimization file given as YAML text.

    Raises
    ------
    ScenarioError
        With every problem found (file, line, key path, expectation, suggestion).
    """
    data = read_mapping(text, source, "'scenario', 'strategies', 'objectives'",
                        "optimization file")
    lines = _line_map(text)
    try:
        spec = Optimization.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = _clean_loc(tuple(error["loc"]))
            message, suggestion = _describe({**error, "loc": loc}, Optimization)
            problems.append(Problem(source, _line_for(lines, loc), _path_text(loc), message,
                                    suggestion))
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0)) from None
    problems = (_objective_problems(spec, lines, source) + _lever_problems(spec, lines, source)
                + _budget_problems(spec, lines, source))
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    path = Path(spec.scenario)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise ScenarioError([Problem(source, _line_for(lines, ("scenario",)), "scenario",
                                     f"base scenario not found: {path}")])
    return build_search(spec, load_scenario(path), source, lines)


def build_search(spec: Optimization, base: Scenario, source: str = "<optimization>",
                 lines: dict | None = None) -> Search:
    """The search of a checked ``spec`` over ``base``; raises :class:`ScenarioError`."""
    if spec.strategies is None:
        levers = scenario_levers(base)
        always: tuple[str, ...] = ()
    else:
        levers = file_levers(spec.strategies)
        always = tuple(k for k, v in spec.strategies.items() if v.switch == "always")
    search = Search(spec, base, tuple(levers), always, source)
    if not levers:
        raise ScenarioError([Problem(source, _line_for(lines or {}, ("strategies",)),
                                     "strategies", "nothing to search: no strategy may be "
                                     "switched and no parameter moves (name some under "
                                     "strategies, or give the scenario strategies or arms)")])
    try:  # the extremes of every lever must make a valid scenario
        for corner in (0, -1):
            values = {}
            for lever in levers:
                if lever.kind in ("switch", "choice"):
                    values[lever.name] = lever.choices[corner]
                else:
                    values[lever.name] = (lever.low, lever.high)[corner]
            if any(lever.kind == "switch" for lever in levers):
                values.update({lv.name: True for lv in levers if lv.kind == "switch"})
            search.scenario(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ScenarioError([Problem(source, None, _path_text(tuple(error["loc"])),
                                     f"a candidate would not be a valid scenario: "
                                     f"{_describe(error)[0]}")]) from None
    return search


def load_optimization(path: str | Path) -> Search:
    """Read and validate an optimization file (and its base scenario)."""
    p = Path(path)
    text = read_yaml_file(p, "an optimization")
    return parse_optimization(text, str(p), base_dir=p.parent.resolve())


def parse_amount(text: str, per: str, unit: str) -> float:
    """``500/month`` (or ``500``) as a number per ``per``; ``120/week`` converted.

    Raises ``ValueError`` saying what was expected.
    """
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*(?:/\s*(day|week|month))?\s*", text)
    if match is None:
        raise ValueError(f"expected {unit} per {per}, such as 500/{per} (got {text!r})")
    amount = float(match[1])
    given = match[2] or per
    if given == per:
        return amount
    days = {"day": 1.0, "week": float(WEEK_DAYS), "month": MONTH_DAYS}
    return amount / days[given] * days[per]


def from_flags(scenario: str | Path, objectives: list[str], money: str | None = None,
               hours: str | None = None, trials: int | None = None,
               replicates: int | None = None, seed: int | None = None,
               levers: list[str] | None = None, switchable: list[str] | None = None,
               sampler: str | None = None) -> Search:
    """The search the command's flags describe, checked as a file would be.

    ``levers`` are ``strategy.param`` or ``strategy.param=low:high`` (or
    ``=a,b,c`` for choices); ``switchable`` names strategies the search may switch on
    besides the scenario's. Raises :class:`ScenarioError`.
    """
    data: dict[str, Any] = {"scenario": str(Path(scenario).resolve()),
                            "objectives": list(objectives), "budget": {}}
    source = "command line"
    problems = []
    for flag, text, per, unit in (("--budget-money", money, "month", "yuan"),
                                  ("--budget-hours", hours, "week", "hours")):
        if text is None:
            continue
        try:
            data["budget"]["money_per_month" if per == "month" else "hours_per_week"] = \
                parse_amount(text, per, unit)
        except ValueError as exc:
            problems.append(Problem(source, None, flag, str(exc)))
    for key, value in (("trials", trials), ("replicates", replicates), ("seed", seed),
                       ("sampler", sampler)):
        if value is not None:
            data[key] = value
    if problems:
        raise ScenarioError(problems)
    base = load_scenario(scenario)
    data["name"] = f"{base.name}: the best playbooks"
    if levers or switchable:
        strategies: dict[str, Any] = {}
        for lever in scenario_levers(base):
            entry = strategies.setdefault(lever.strategy, {"vary": {}})
            if lever.kind != "switch":
                entry["vary"][lever.param] = list(lever.choices) if lever.choices else \
                    [lever.low, lever.high]
        for key in switchable or []:
            strategies.setdefault(key, {"vary": {}})
        for text in levers or []:
            name, _, given = text.partition("=")
            key, _, param = name.partition(".")
            if not param:
                problems.append(Problem(source, None, "--lever", f"expected strategy.param "
                                        f"(such as red_envelope.amount=5:100); got {text!r}"))
                continue
            entry = strategies.setdefault(key, {"vary": {}})
            entry["vary"][param] = _flag_values(given) if given else None
        if problems:
            raise ScenarioError(problems)
        data["strategies"] = strategies
    text = json.dumps(data)
    return parse_optimization(text, source)


def _flag_values(text: str) -> list[Any]:
    """``5:100`` as a range, ``friday,daily`` or ``true,false`` as choices."""
    if ":" in text:
        parts = text.split(":", 1)
    else:
        parts = text.split(",")
    out: list[Any] = []
    for part in parts:
        part = part.strip()
        if part in ("true", "false"):
            out.append(part == "true")
            continue
        try:
            number = float(part)
            out.append(int(number) if number.is_integer() and "." not in part else number)
        except ValueError:
            out.append(part)
    return out


def json_schema() -> dict[str, Any]:
    """JSON Schema of optimization files, for editors and docs.

    An objective may also be written as a short string (``members:p10``), which the
    loader turns into its mapping; the schema says so.
    """
    schema = Optimization.model_json_schema()
    items = schema["properties"]["objectives"]["items"]
    schema["properties"]["objectives"]["items"] = {
        "anyOf": [items, {"type": "string", "description": "name, name:p10 (a quantile) or "
                          "name:max / name:min"}]}
    return schema
