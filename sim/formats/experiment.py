"""Experiment files: what a researcher varies, how it is sampled, what is measured.

An experiment names a base scenario and, in the exploratory-modelling vocabulary,
the **levers** (what an operator decides: strategy parameters), the
**uncertainties** (what nobody controls: population traits, network shape,
behavioural constants), the **constants** (fixed for this study) and the
**outcomes** (with maximize / minimize). Any scenario key can be varied by its key
path (``strategies.red_envelope.amount``, ``population.traits.fit_mean``,
``dynamics.leave_rate``). A **design** turns the factors into points: a full grid,
random, Latin hypercube, Sobol sequence, or the Saltelli and Morris samples of SALib
for sensitivity analysis. Every point runs ``replicates`` times with the same
replicate seeds (common random numbers across points).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.engine.metrics import SUMMARY_METRICS
from sim.engine.strategies import REGISTRY
from sim.formats.scenario import (
    GROUP_FIT_KEYS,
    Problem,
    Scenario,
    ScenarioError,
    _clean_loc,
    _describe,
    _line_for,
    _line_map,
    _path_text,
    _value_at,
    group_fit_problems,
    load_scenario,
    read_mapping,
    read_yaml_file,
)

DESIGNS = ("grid", "random", "latin_hypercube", "sobol", "saltelli", "morris")
SENSITIVITY_DESIGNS = ("saltelli", "morris")
DEFAULT_OUTCOMES = {
    "members_final": "maximize",
    "active_share_last_28d": "maximize",
    "newcomer_retention_30d": "maximize",
    "spam_share": "minimize",
    "money_spent": "minimize",
    "revenue": "maximize",
    "dead_day": "info",
}


class Distribution(BaseModel):
    """A probability distribution a factor is drawn from (sampled by its quantiles).

    ``uniform`` and ``triangular`` take ``low`` and ``high`` as their ends; ``normal``
    and ``lognormal`` may take them too, and are then truncated there (a bounded key
    such as a share needs that: an untruncated normal reaches any value).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["uniform", "normal", "lognormal", "triangular"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    mode: float | None = None

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
                "lognormal": ("mean", "sd"), "triangular": ("low", "mode", "high")}[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(need)}; "
                             f"missing {', '.join(missing)}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError("low must be below high")
        if self.kind in ("normal", "lognormal") and self._mass_inside() < 1e-9:
            raise ValueError(f"this {self.kind} distribution has (almost) no weight between "
                             "low and high; move its mean or widen the bounds")
        if self.kind == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError("mode must lie between low and high")
        return self

    def _shape(self):
        from scipy import stats  # 0.7 s to import: only for the distributions that need it

        if self.kind == "normal":
            return stats.norm(loc=self.mean, scale=self.sd)
        return stats.lognorm(s=self.sd, scale=np.exp(self.mean))  # mean and sd of the log

    def _mass_inside(self) -> float:
        """Probability between ``low`` and ``high`` (normal and lognormal)."""
        if self.low is None and self.high is None:
            return 1.0
        shape = self._shape()
        return float((shape.cdf(self.high) if self.high is not None else 1.0)
                     - (shape.cdf(self.low) if self.low is not None else 0.0))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities ``u`` (inverse CDF)."""
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        from scipy import stats  # 0.7 s to import: only for the distributions that need it

        if self.kind in ("normal", "lognormal"):
            shape = self._shape()
            # truncated at low and high: the same quantiles within [F(low), F(high)]
            bottom = shape.cdf(self.low) if self.low is not None else 0.0
            top = shape.cdf(self.high) if self.high is not None else 1.0
            values = shape.ppf(bottom + np.asarray(u) * (top - bottom))
            return np.clip(values, self.low if self.low is not None else -np.inf,
                           self.high if self.high is not None else np.inf)
        c = (self.mode - self.low) / (self.high - self.low)
        return stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)


class Factor(BaseModel):
    """One varied parameter: explicit values, a range, choices or a distribution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    values: list[Any] | None = Field(None, description="explicit values to try")
    range: tuple[float, float] | None = Field(None, description="[low, high], inclusive")
    levels: int = Field(3, ge=2, le=1000, description="grid points across a range")
    choices: list[Any] | None = Field(None, description="categories to choose from")
    distribution: Distribution | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Factor:
        given = [k for k in ("values", "range", "choices", "distribution")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of values, range, choices, distribution "
                             f"(got {', '.join(given) or 'none'})")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range {list(self.range)} must go from low to high")
        for key in ("values", "choices"):
            if getattr(self, key) is not None and len(getattr(self, key)) == 0:
                raise ValueError(f"{key} must not be empty")
        return self

    @property
    def continuous(self) -> bool:
        """Whether the factor can be sampled on a continuum (ranges, distributions)."""
        return self.range is not None or self.distribution is not None

    def grid(self) -> list[Any]:
        """Values of a full-grid design."""
        if self.values is not None:
            return list(self.values)
        if self.choices is not None:
            return list(self.choices)
        u = (np.arange(self.levels) + 0.5) / self.levels if self.distribution else \
            np.linspace(0.0, 1.0, self.levels)
        return self.from_unit(u).tolist()

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map unit-interval samples to the factor's values."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.range is not None:
            low, high = self.range
            return low + u * (high - low)
        if self.distribution is not None:
            return self.distribution.quantile(np.clip(u, 1e-9, 1 - 1e-9))
        options = self.values if self.values is not None else self.choices
        index = np.minimum((u * len(options)).astype(int), len(options) - 1)
        return np.array(options, dtype=object)[index]


class Design(BaseModel):
    """How factors become points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal[DESIGNS] = Field("grid", description=", ".join(DESIGNS))  # type: ignore
    samples: int = Field(16, ge=1, le=1_000_000, description="points (random, latin_hypercube, "
                         "sobol) or base samples N (saltelli: N x (d + 2) points; morris: "
                         "trajectories, N x (d + 1) points)")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels")


class Experiment(BaseModel):
    """An experiment file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "unnamed experiment"
    description: str = ""
    scenario: str = Field(..., description="base scenario file, relative to this file")
    design: Design = Field(default_factory=Design)
    replicates: int = Field(1, ge=1, le=100_000, strict=True)
    seed: int = Field(0, ge=0, le=2**63 - 1, strict=True)
    days: int | None = Field(None, ge=1, le=3650, strict=True)
    levers: dict[str, Factor] = Field(default_factory=dict)
    uncertainties: dict[str, Factor] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    outcomes: dict[str, Literal["maximize", "minimize", "info"]] = Field(
        default_factory=lambda: dict(DEFAULT_OUTCOMES))
    timeseries: bool = Field(False, description="also keep every run's daily table")

    @property
    def factors(self) -> dict[str, Factor]:
        """Levers then uncertainties, in file order."""
        return {**self.levers, **self.uncertainties}


class Study:
    """A loaded experiment: the file, its base scenario, its points.

    Parameters
    ----------
    experiment
        The validated experiment.
    base
        The base scenario (its arms are not used: a sweep varies the baseline).
    source
        Where the experiment came from (for messages).
    """

    def __init__(self, experiment: Experiment, base: Scenario, source: str = "<experiment>"):
        self.experiment = experiment
        self.base = base
        self.source = source
        self.names = list(experiment.factors)
        self.unit, self.points = design_points(experiment)
        integers = [n for n in self.names if is_whole_number(n)]
        for point in self.points:
            for name in integers:
                point[name] = _to_integer(point[name], experiment.factors[name])

    def digest(self) -> str:
        """Short hash of what the sweep's runs depend on: the experiment and its base.

        A results folder belongs to one digest, so editing the base scenario (not
        just the experiment file) makes a later sweep start afresh rather than reuse
        runs of the old scenario.
        """
        base = self.base.with_changes(arms={}).resolved()
        # the name, description and outcomes change no run: editing them resumes
        runs = self.experiment.model_dump(mode="json",
                                          exclude={"name", "description", "outcomes"})
        text = json.dumps({"experiment": runs,
                           "base": base, "edge_list": self.base.edge_list_fingerprint()},
                          sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def scenario_data(self, point: dict[str, Any]) -> dict[str, Any]:
        """The base scenario with the constants and one point applied, as a dict."""
        data = self.base.with_changes(arms={})._as_written()
        data.pop("provenance", None)
        data["replicates"] = 1
        if self.experiment.days is not None:
            data.update(days=self.experiment.days, weeks=None)
        changes = {**self.experiment.constants, **point}
        if "days" in changes:  # a horizon set here replaces the base's weeks
            data["weeks"] = None
        for path, value in changes.items():
            _set_path(data, path, _plain(value))
        return data

    def scenario(self, point: dict[str, Any]) -> Scenario:
        """The validated scenario of one point."""
        scenario = Scenario.model_validate(self.scenario_data(point))
        return scenario.model_copy(update={"provenance": self.base.provenance})

    def point_scenario(self, point_id: int) -> Scenario:
        """Point ``point_id`` of the sweep as a scenario to run alone.

        It has the sweep's replicates and root seed, so :func:`sim.run` of it gives
        the same numbers as the sweep's runs of that point (``commsim run --point``).

        Raises
        ------
        ScenarioError
            When the experiment has no such point.
        """
        if not 0 <= point_id < len(self.points):
            raise ScenarioError([Problem(self.source, None, "", f"the experiment has points 0 "
                                         f"to {len(self.points) - 1}; there is no point "
                                         f"{point_id}")])
        scenario = self.scenario(self.points[point_id])
        named = scenario.with_changes(name=f"{self.experiment.name} - point {point_id}",
                                      replicates=self.experiment.replicates,
                                      seed=self.experiment.seed)
        return named.model_copy(update={"provenance": scenario.provenance})


def is_whole_number(path: str) -> bool:
    """Whether the scenario key at ``path`` holds a whole number."""
    from sim.formats.scenario import _unwrap

    parts = path.split(".")
    if parts[0] == "strategies" and len(parts) == 3 and parts[1] in REGISTRY:
        field = REGISTRY[parts[1]].Settings.model_fields.get(parts[2])
        return field is not None and field.annotation is int
    model: Any = Scenario
    for part in parts[:-1]:
        field = model.model_fields.get(part)
        model = _unwrap(field.annotation) if field is not None else None
        if model is None:
            return False
    field = model.model_fields.get(parts[-1])
    return field is not None and field.annotation in (int, int | None)


def _to_integer(value: Any, factor: Factor) -> Any:
    """A sampled value as a whole number: ranges are uniform over their integers."""
    if isinstance(value, (int, np.integer)) or not isinstance(value, (float, np.floating)):
        return value
    if factor.range is not None:
        low, high = int(np.ceil(factor.range[0])), int(np.floor(factor.range[1]))
        span = (value - factor.range[0]) / (factor.range[1] - factor.range[0])
        return int(min(high, low + int(span * (high - low + 1))))
    return int(round(value))


def _plain(value: Any) -> Any:
    """Numpy scalars to Python numbers (scenario integers are strict)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """``scenario`` with the keys at dotted paths set, validated again.

    ``values`` maps paths to values (``{"dynamics.leave_rate": 0.04}``); a ``days``
    set here replaces the scenario's weeks.
    """
    data = scenario._as_written()
    for path, value in values.items():
        _set_path(data, path, _plain(value))
    if "days" in values:
        data["weeks"] = None
    return Scenario.model_validate(data).model_copy(update={"provenance": scenario.provenance})


def _set_path(data: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


# ------------------------------------------------------------------- designs


def design_points(experiment: Experiment) -> tuple[np.ndarray | None, list[dict[str, Any]]]:
    """The design's points, and for sampled designs the unit-cube matrix behind them."""
    factors = experiment.factors
    names = list(factors)
    design = experiment.design
    if not names:
        return None, [{}]
    if design.kind == "grid":
        combos = itertools.product(*(factors[n].grid() for n in names))
        return None, [dict(zip(names, combo, strict=True)) for combo in combos]
    d = len(names)
    seed = experiment.seed
    if design.kind in ("latin_hypercube", "sobol"):
        from scipy.stats import qmc  # 0.7 s to import (all of scipy.stats): only when used
    if design.kind == "random":
        unit = np.random.default_rng(seed).random((design.samples, d))
    elif design.kind == "latin_hypercube":
        unit = qmc.LatinHypercube(d=d, seed=seed).random(design.samples)
    elif design.kind == "sobol":
        unit = qmc.Sobol(d=d, scramble=True, seed=seed).random(design.samples)
    elif design.kind == "saltelli":
        from SALib.sample import sobol as saltelli

        unit = saltelli.sample(_unit_problem(names), design.samples, calc_second_order=False,
                               seed=seed)
    else:
        from SALib.sample import morris

        unit = morris.sample(_unit_problem(names), design.samples, num_levels=design.levels,
                             seed=seed)
    columns = [factors[n].from_unit(unit[:, k]) for k, n in enumerate(names)]
    points = [{n: columns[k][i] for k, n in enumerate(names)} for i in range(unit.shape[0])]
    return unit, points


def _unit_problem(names: list[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


# ----------------------------------------------------------------- validation


def _scenario_fields(path: list[str]) -> tuple[list[str], str | None]:
    """Check a key path against the scenario schema.

    Returns the valid keys at the failing level and the failing part, or
    ``([], None)`` when the path exists.
    """
    from sim.formats.scenario import _unwrap

    if path and path[0] == "strategies":
        if len(path) == 1:
            return list(REGISTRY), ""
        if path[1] not in REGISTRY:
            return list(REGISTRY), path[1]
        fields = list(REGISTRY[path[1]].Settings.model_fields)
        if len(path) != 3 or path[2] not in fields:
            return fields, path[2] if len(path) > 2 else ""
        return [], None
    model: Any = Scenario
    for i, part in enumerate(path):
        fields = [f for f in model.model_fields if f not in ("arms", "provenance")]
        if part not in fields:
            return fields, part
        inner = _unwrap(model.model_fields[part].annotation)
        if i == len(path) - 1:
            return ([], None) if inner is None else (list(inner.model_fields), "")
        if inner is None:
            return [], part
        model = inner
    return [], None


SET_BY_THE_SWEEP = {
    "seed": "the sweep gives every run its seed (the experiment's seed and replicates)",
    "replicates": "every point runs the experiment's replicates",
    "weeks": "vary days instead",
    "name": "every point is named after the experiment",
    "description": "it does not change a run",
}
"""Top-level scenario keys an experiment cannot vary, and why."""


NETWORK_FILE = "population.network.path"
"""An edge list is named in the base scenario (next to it), never by an experiment."""


def _check_paths(experiment: Experiment, lines: dict, source: str) -> list[Problem]:
    problems = []
    for section in ("levers", "uncertainties", "constants"):
        for path in getattr(experiment, section):
            why = SET_BY_THE_SWEEP.get(path)
            if path == NETWORK_FILE:
                why = "name the edge-list file in the base scenario"
            if why is not None:
                verb = "set" if section == "constants" else "varied"
                problems.append(Problem(source, _line_for(lines, (section, path)),
                                        f"{section}.{path}", f"cannot be {verb} by an "
                                        f"experiment: {why}"))
    for section in ("levers", "uncertainties", "constants"):
        for path in getattr(experiment, section):
            valid, bad = _scenario_fields(path.split("."))
            if bad is None:
                continue
            near = difflib.get_close_matches(bad, valid, n=1, cutoff=0.5) if bad else []
            what = (f"'{bad}' is not a key here; expected one of: {', '.join(valid)}" if bad
                    else f"is a section, not a value; give one of its keys: {', '.join(valid)}")
            suggestion = None
            if near:
                parts = path.split(".")
                suggestion = ".".join(parts[: parts.index(bad)] + [near[0]])
            problems.append(Problem(source, _line_for(lines, (section, path)),
                                    f"{section}.{path}", what, suggestion))
    return problems


SOBOL_SEQUENCES = ("sobol", "saltelli")
"""Designs drawn from a Sobol' sequence, which is balanced only for powers of 2."""


def _check_design(experiment: Experiment, lines: dict, source: str) -> list[Problem]:
    problems = []
    kind = experiment.design.kind
    samples = experiment.design.samples
    if kind in SOBOL_SEQUENCES and samples & (samples - 1):
        below = 1 << (samples.bit_length() - 1)
        problems.append(Problem(
            source, _line_for(lines, ("design", "samples")), "design.samples",
            f"a {kind} design needs samples that are a power of 2 (its Sobol' sequence is "
            f"balanced only then); {samples} is not: use {below} or {below * 2}"))
    if kind in SENSITIVITY_DESIGNS:
        if len(experiment.factors) < 2:
            problems.append(Problem(source, _line_for(lines, ("design", "kind")), "design.kind",
                                    f"a {kind} design needs at least two varied parameters"))
        for name, factor in experiment.factors.items():
            if not factor.continuous:
                section = "levers" if name in experiment.levers else "uncertainties"
                problems.append(Problem(
                    source, _line_for(lines, (section, name)), f"{section}.{name}",
                    f"a {kind} design varies parameters on a continuum: give a range or a "
                    "distribution, not values or choices"))
    unknown = [o for o in experiment.outcomes if o not in SUMMARY_METRICS]
    for name in unknown:
        near = difflib.get_close_matches(name, list(SUMMARY_METRICS), n=1, cutoff=0.5)
        problems.append(Problem(source, _line_for(lines, ("outcomes", name)), f"outcomes.{name}",
                                f"unknown outcome; expected one of: "
                                f"{', '.join(SUMMARY_METRICS)}", near[0] if near else None))
    overlap = set(experiment.levers) & set(experiment.uncertainties)
    overlap |= set(experiment.factors) & set(experiment.constants)
    for path in sorted(overlap):
        problems.append(Problem(source, None, path, "varied and fixed in two places; keep one"))
    return problems


def _check_edge_list(study: Study, lines: dict, source: str) -> list[Problem]:
    """An experiment may switch to an edge-list network only if its base names one."""
    key = "population.network.kind"
    experiment = study.experiment
    if study.base.population.network.kind == "edgelist":
        return []
    found = []
    for section in ("levers", "uncertainties", "constants"):
        entry = getattr(experiment, section).get(key)
        if entry is None:
            continue
        values = [entry] if section == "constants" else (entry.values or entry.choices or [])
        if "edgelist" in values:
            found.append(Problem(source, _line_for(lines, (section, key)), f"{section}.{key}",
                                 "edgelist needs a base scenario that names its edge-list "
                                 "file"))
    return found


def _check_group_fits(study: Study, lines: dict, source: str) -> list[Problem]:
    """Every point's day-0 members must fit in its group and population.

    Values are combined here without building each point's scenario, so experiments
    of thousands of points are checked in an instant. The first point that does not
    fit is reported, with its values, at the line of a factor it varies.
    """
    experiment = study.experiment
    varied = [k for k in GROUP_FIT_KEYS if k in experiment.factors]
    fixed = {k: experiment.constants.get(k, _value_at(study.base, k)) for k in GROUP_FIT_KEYS}
    if not varied:  # the constants alone may not fit
        set_here = [k for k in GROUP_FIT_KEYS if k in experiment.constants]
        return [Problem(source, _line_for(lines, ("constants", set_here[0])) if set_here
                        else None, f"constants.{set_here[0]}" if set_here else "constants",
                        message) for _, message in group_fit_problems(fixed)]
    for point_id, point in enumerate(study.points):
        values = {**fixed, **{k: point[k] for k in varied}}
        found = group_fit_problems(values)
        if found:
            section = "levers" if varied[0] in experiment.levers else "uncertainties"
            shown = ", ".join(f"{k}={values[k]}" for k in varied)
            return [Problem(source, _line_for(lines, (section, varied[0])),
                            f"{section}.{varied[0]}", f"at point {point_id} ({shown}): {message}")
                    for _, message in found]
    return []


def _check_whole_numbers(study: Study, lines: dict, source: str) -> list[Problem]:
    """Factors of whole-number keys: explicit values must be whole, grid levels distinct.

    Otherwise 100.2 would quietly run as 100, and 5 levels over [0, 3] would run 3
    twice, weighing it double in every average over the points.
    """
    problems = []
    for name, factor in study.experiment.factors.items():
        if not is_whole_number(name) or factor.choices is not None or factor.distribution:
            continue
        section = "levers" if name in study.experiment.levers else "uncertainties"
        where = _line_for(lines, (section, name))
        if factor.values is not None:
            fractional = [v for v in factor.values
                          if isinstance(v, float) and not float(v).is_integer()]
            if fractional:
                problems.append(Problem(source, where, f"{section}.{name}.values",
                                        f"expected whole numbers (got {fractional[0]})"))
        elif study.experiment.design.kind == "grid":
            levels = [_to_integer(v, factor) for v in factor.grid()]
            if len(set(levels)) < len(levels):
                distinct = len(set(levels))
                problems.append(Problem(
                    source, where, f"{section}.{name}.levels",
                    f"{factor.levels} levels over [{factor.range[0]:g}, {factor.range[1]:g}] give "
                    "repeated whole "
                    f"numbers ({', '.join(map(str, levels))}); use at most {distinct} levels"))
    return problems


def _check_values(study: Study, lines: dict, source: str) -> list[Problem]:
    """Try the extreme points of every factor against the scenario schema.

    A value outside what the scenario accepts is an error of the experiment file,
    reported at the factor's line.
    """
    problems = []
    experiment = study.experiment
    probes: list[tuple[str, Any]] = [("constants", None)]
    for name, factor in experiment.factors.items():
        options = factor.grid() if not factor.continuous else factor.from_unit(
            np.array([0.0, 1.0])).tolist()
        if is_whole_number(name):
            options = [_to_integer(v, factor) for v in options]
        probes += [(name, v) for v in options]
    first = study.points[0] if study.points else {}
    seen = set()
    for name, value in probes:
        point = dict(first)
        if name != "constants":
            point[name] = value
        try:
            study.scenario(point)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(str(p) for p in error["loc"])
                path = ".".join(loc)
                section = ("levers" if path in experiment.levers else
                           "uncertainties" if path in experiment.uncertainties else
                           "constants" if path in experiment.constants else None)
                key = (path, error["type"])
                if key in seen:
                    continue
                seen.add(key)
                message, _ = _describe({**error, "loc": tuple(error["loc"])})
                factor = experiment.factors.get(path)
                shape = factor.distribution if factor is not None else None
                if shape is not None and shape.kind in ("normal", "lognormal") and (
                        shape.low is None or shape.high is None):
                    message += (f" (the tails of the {shape.kind} distribution reach it; give "
                                "the distribution low and high to truncate it there)")
                where = (section, path) if section else ()
                problems.append(Problem(source, _line_for(lines, where),
                                        f"{section}.{path}" if section else _path_text(loc),
                                        message))
    return problems


def parse_experiment(text: str, source: str = "<experiment>",
                     base_dir: Path | None = None) -> Study:
    """Validate an experiment given as YAML text; raise :class:`ScenarioError` on problems."""
    data = read_mapping(text, source, "'scenario', 'levers', 'design'", "experiment file")
    lines = _line_map(text)
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = _clean_loc(tuple(error["loc"]))
            message, suggestion = _describe({**error, "loc": loc}, Experiment)
            if error["type"] == "extra_forbidden" and len(loc) == 1:
                near = difflib.get_close_matches(str(loc[0]), list(Experiment.model_fields),
                                                 n=1, cutoff=0.5)
                message = (f"unknown key '{loc[0]}'; expected one of: "
                           f"{', '.join(Experiment.model_fields)}")
                suggestion = near[0] if near else None
            problems.append(Problem(source, _line_for(lines, loc), _path_text(loc), message,
                                    suggestion))
        raise ScenarioError(problems) from None
    problems = _check_paths(experiment, lines, source) + _check_design(experiment, lines, source)
    if problems:
        raise ScenarioError(problems)
    scenario_path = Path(experiment.scenario)
    if not scenario_path.is_absolute() and base_dir is not None:
        scenario_path = base_dir / scenario_path
    if not scenario_path.is_file():
        raise ScenarioError([Problem(source, _line_for(lines, ("scenario",)), "scenario",
                                     f"base scenario not found: {scenario_path}")])
    base = load_scenario(scenario_path)
    study = Study(experiment, base, source)
    problems = (_check_whole_numbers(study, lines, source) + _check_values(study, lines, source)
                + _check_edge_list(study, lines, source))
    if not problems:
        problems = _check_group_fits(study, lines, source)
    if problems:
        raise ScenarioError(problems)
    return study


def load_experiment(path: str | Path) -> Study:
    """Read and validate an experiment file (and its base scenario)."""
    p = Path(path)
    text = read_yaml_file(p, "an experiment")
    return parse_experiment(text, str(p), base_dir=p.parent.resolve())
