"""Scenario files: the schema, loading with line numbers, and clear errors.

A scenario is YAML validated by pydantic. Every key has a default and a unit (they
are declared once, as :class:`sim.params.Param`), so a minimal file is a few lines.
Bad input -- an unknown key, a wrong type, a value out of range, a missing or
unreadable file -- raises :class:`ScenarioError` listing every problem with file,
line, key path, what was expected and the nearest valid key.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from sim.engine.dynamics import Dynamics
from sim.engine.strategies import REGISTRY
from sim.engine.world import Network, Traits, read_edgelist
from sim.formats import plainyaml
from sim.params import Param, Section, section_model
from sim.problems import Problem, ProblemsError

DEFAULT_DAYS = 182

FOUNDER_PARAMS = (
    Param("owner", 1, "group owner (always one)", "people", 1, 1),
    Param("admin", 2, "administrators at the start", "people", 0, 100),
    Param("opinion_leader", 3, "opinion leaders invited at the start", "people", 0, 1000),
    Param("seed_user", 20, "seed users (initiators) invited at the start", "people", 0, 100000),
)
Founders = section_model("Founders", FOUNDER_PARAMS, "Who is in the group on day 0.",
                         module=__name__)

GROUP_PARAMS = (
    Param("capacity", 500, "most members the group can hold (WeChat: 500)", "members", 2,
          10_000_000),
    Param("initial_members", 0, "ordinary members already in the group on day 0 besides the "
          "founders (an existing group taken over)", "members", 0, 10_000_000),
    Param("consent_above", 40, "group size above which an invitation needs the invitee's "
          "consent (WeChat: 40)", "members", 0, 10_000_000),
    Param("operator_hours", 0.0, "hours a day the owner's team can give the group (content, "
          "announcements, enforcement, fast answers, welcomes): what the strategies ask "
          "beyond it is done in part; 0: as much as they ask (time counted, not limited)",
          "hours/day", 0.0, 240.0),
)


class Population(Section):
    """The people around the group and their friendships (uncertainties)."""

    size: int = Field(5000, ge=10, le=5_000_000, strict=True, description="number of people in the "
                      "world around the group", json_schema_extra={"unit": "people"})
    network: Network = Field(default_factory=Network)  # type: ignore[valid-type]
    traits: Traits = Field(default_factory=Traits)  # type: ignore[valid-type]


class Group(section_model("GroupBase", GROUP_PARAMS, module=__name__)):  # type: ignore[misc]
    """The chat group: capacity, the consent rule and its founders."""

    founders: Founders = Field(default_factory=Founders)  # type: ignore[valid-type]


def _normalise_switches(data: Any, allow_off: bool) -> Any:
    """``key:`` (empty) or ``true`` switches a strategy on with defaults; ``false`` off."""
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if value is None or value is True:
            out[key] = {}
        elif value is False:
            if allow_off:
                out[key] = False
        else:
            out[key] = value
    return out


def _strategies_model(name: str, allow_off: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, cls in REGISTRY.items():
        kind = cls.Settings | Literal[False] | None if allow_off else cls.Settings | None
        fields[key] = (kind, Field(None, description=cls.name))
    def normalise(cls, data):
        return _normalise_switches(data, allow_off)

    validators = {"_switches": model_validator(mode="before")(normalise)}
    doc = ("Operator strategies switched on, by key; `key: {}` uses the defaults."
           if not allow_off else
           "Changes an arm makes to the baseline strategies; `key: false` switches one off.")
    model = create_model(name, __base__=Section, __validators__=validators,
                         __module__=__name__, __doc__=doc, **fields)
    return model


Strategies = _strategies_model("Strategies", allow_off=False)
ArmChanges = _strategies_model("ArmChanges", allow_off=True)


class Scenario(BaseModel):
    """A scenario: the world, the group, the strategies switched on, and the arms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("unnamed scenario", description="what the scenario is about")
    description: str = Field("", description="longer notes for whoever reads the file")
    days: int | None = Field(None, ge=1, le=3650, strict=True,
                             description="days simulated (or weeks)",
                             json_schema_extra={"unit": "days"})
    weeks: int | None = Field(None, ge=1, le=520, strict=True,
                              description="weeks simulated (or days)",
                              json_schema_extra={"unit": "weeks"})
    seed: int = Field(0, ge=0, le=2**63 - 1, strict=True,
                      description="root seed of every random draw")
    replicates: int = Field(1, ge=1, le=100_000, strict=True,
                            description="runs per arm, each with its "
                            "own seed shared across arms")
    population: Population = Field(default_factory=Population)
    group: Group = Field(default_factory=Group)
    dynamics: Dynamics = Field(default_factory=Dynamics)  # type: ignore[valid-type]
    strategies: Strategies = Field(default_factory=Strategies)  # type: ignore[valid-type]
    arms: dict[str, ArmChanges] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="each arm is the baseline strategies plus these changes",
    )
    provenance: dict[str, Any] | None = Field(
        None, description="written by commsim in resolved scenarios; ignored on input"
    )

    @field_validator("weeks")
    @classmethod
    def _one_horizon(cls, weeks: int | None, info: ValidationInfo) -> int | None:
        days = info.data.get("days")
        if weeks is not None and days is not None and days != weeks * 7:
            raise ValueError(f"give either days or weeks, not both ({days} days is not "
                             f"{weeks} weeks)")
        return weeks

    @field_validator("arms")
    @classmethod
    def _arm_names(cls, arms: dict) -> dict:
        if "baseline" in arms:
            raise ValueError("'baseline' is the name of the scenario's own strategies; "
                             "give the arm another name")
        for name in arms:
            if not name.strip() or name != name.strip():
                raise ValueError(f"arm name {name!r} is empty or starts or ends with a space; "
                                 "give each arm a name to show in tables")
        return arms

    @property
    def horizon(self) -> int:
        """Number of days simulated."""
        if self.days is not None:
            return self.days
        if self.weeks is not None:
            return self.weeks * 7
        return DEFAULT_DAYS

    @property
    def base_dir(self) -> Path | None:
        """Folder relative paths in the scenario (edge lists) are resolved against."""
        if self.provenance and "source_dir" in self.provenance:
            return Path(self.provenance["source_dir"])
        return None

    def arm_names(self) -> list[str]:
        """``baseline`` followed by the arms in file order."""
        return ["baseline", *self.arms]

    def strategies_for(self, arm: str) -> dict[str, Section]:
        """Strategy settings of one arm: the baseline plus the arm's changes."""
        active = {k: v for k, v in self.strategies if v is not None}
        if arm == "baseline":
            return dict(active)
        if arm not in self.arms:
            raise KeyError(f"no arm named {arm!r}; arms are {self.arm_names()}")
        for key, change in self.arms[arm]:
            if change is None:
                continue
            if change is False:
                active.pop(key, None)
                continue
            base = active.get(key)
            given = change.model_dump(include=change.model_fields_set)
            merged = {**(base.model_dump() if base is not None else {}), **given}
            active[key] = REGISTRY[key].Settings(**merged)
        return {k: active[k] for k in REGISTRY if k in active}

    def _as_written(self) -> dict[str, Any]:
        """The scenario as a file would say it, so that it reads back the same.

        Strategies that are off are left out (an empty key would switch them on), and
        each arm keeps only the changes it makes.
        """
        data = self.model_dump(mode="json", exclude={"provenance"})
        data["strategies"] = {k: v for k, v in data["strategies"].items() if v is not None}
        data["arms"] = {name: _arm_changes(arm) for name, arm in self.arms.items()}
        return data

    def with_changes(self, **changes: Any) -> Scenario:
        """Copy with top-level keys replaced, validated again."""
        data = self._as_written()
        data.update(changes)
        return Scenario.model_validate(data)

    def resolved(self) -> dict[str, Any]:
        """Every key with its value, defaults filled in (``days`` resolved)."""
        data = self._as_written()
        data.pop("weeks")
        data["days"] = self.horizon
        return data

    def digest(self) -> str:
        """Short hash of the resolved scenario (run ids start with it).

        An edge-list network counts by its file's content, not only its name: an
        edited file makes other runs.
        """
        data = self.resolved()
        content = self.edge_list_fingerprint()
        if content is not None:  # (generated networks keep the ids they had)
            data["edge_list_content"] = content
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def edge_list_fingerprint(self) -> str | None:
        """SHA-256 of the edge-list file (None for generated networks or no file)."""
        network = self.population.network
        if network.kind != "edgelist" or not network.path:
            return None
        try:
            return hashlib.sha256(Path(network.path).read_bytes()).hexdigest()
        except OSError:
            return None


def _arm_changes(arm: BaseModel) -> dict[str, Any]:
    """An arm as written: only the strategies and parameters it changes."""
    out: dict[str, Any] = {}
    for key, change in arm:
        if change is False:
            out[key] = False
        elif change is not None:
            out[key] = change.model_dump(mode="json", include=change.model_fields_set)
    return out


# --------------------------------------------------------------------------- errors


class ScenarioError(ProblemsError):
    """A scenario file could not be used; ``problems`` lists everything wrong."""


def _line_map(text: str) -> dict[tuple, int]:
    """Map each key path in a YAML document to the 1-based line it is written on."""
    lines: dict[tuple, int] = {}
    try:
        root = plainyaml.compose(text)
    except yaml.YAMLError:
        return lines

    def walk(node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                lines[(*path, key)] = key_node.start_mark.line + 1
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    if root is not None:
        lines[()] = root.start_mark.line + 1
        walk(root, ())
    return lines


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``X | None | Literal[False]``, ``dict[str, X]``, ..."""
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if args:
        for arg in args:
            found = _unwrap(arg)
            if found is not None:
                return found
    return None


def _allowed_keys(loc: tuple, root: type[BaseModel] | None = None) -> tuple[list[str], str]:
    """Valid keys at the mapping that holds ``loc[-1]``, and a word for what they are.

    ``root`` is the file's model (a scenario unless told otherwise).
    """
    model: Any = root or Scenario
    parents = loc[:-1]
    i = 0
    while i < len(parents):
        key = parents[i]
        field = model.model_fields.get(key) if model else None
        if field is None:
            return [], "keys"
        annotation = field.annotation
        inner = _unwrap(annotation)
        origin = getattr(annotation, "__origin__", None)
        if origin is dict:
            i += 1  # skip the free-form key (an arm name)
        model = inner
        i += 1
    if model is None:
        return [], "keys"
    what = "strategies" if model in (Strategies, ArmChanges) else "keys"
    return list(model.model_fields), what


def _describe(error: dict, root: type[BaseModel] | None = None) -> tuple[str, str | None]:
    """Plain-words message for one pydantic error and a suggested key.

    ``root`` is the file's model (a scenario unless told otherwise).
    """
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        allowed, what = _allowed_keys(loc, root)
        bad = str(loc[-1])
        near = difflib.get_close_matches(bad, allowed, n=1, cutoff=0.5)
        noun = "strategy" if what == "strategies" else "key"
        return (f"unknown {noun} '{bad}'; expected one of: {', '.join(allowed)}",
                near[0] if near else None)
    value = error.get("input")
    shown = json.dumps(value, default=str) if not isinstance(value, dict) else "a mapping"
    ctx = error.get("ctx") or {}
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bounds = {"greater_than_equal": ">=", "less_than_equal": "<=",
                  "greater_than": ">", "less_than": "<"}[kind]
        limit = next(iter(ctx.values()))
        return f"value {shown} is out of range; expected a number {bounds} {limit}", None
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        near = difflib.get_close_matches(str(value), [
            s.strip().strip("'") for s in str(expected).replace(" or ", ",").split(",")
        ], n=1, cutoff=0.5)
        return f"value {shown} is not allowed; expected {expected}", near[0] if near else None
    msg = error["msg"]
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        switch = loc[:1] == ("strategies",) or (loc[:1] == ("arms",) and len(loc) == 3)
        what = ("a mapping of its settings, or true / false to switch it on / off"
                if switch else "a mapping of keys")
        return f"expected {what} (got {shown})", None
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):], None
    return f"{msg[0].lower()}{msg[1:]} (got {shown})", None


def _is_switch_branch(error: dict) -> bool:
    """The ``false`` alternative of an arm's strategy, reported when a mapping fails."""
    return error["type"] == "literal_error" and "literal[False]" in [
        str(p) for p in error["loc"]]


def _path_text(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not str(p).startswith(("function-", "tagged-")))


_BRANCH = re.compile(r"^[\w-]+\[.*\]$")
"""A pydantic union-branch marker such as ``function-after[...]`` (not a user's key)."""


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch markers from an error location."""
    keep = []
    for part in loc:
        text = str(part)
        if text in {"literal[False]", "none"} or text.endswith("Settings") or _BRANCH.match(text):
            continue
        keep.append(part)
    return tuple(keep)


def read_mapping(text: str, source: str, examples: str,
                 what: str = "scenario file") -> dict[str, Any]:
    """Load a YAML document that must be a non-empty mapping.

    Raises :class:`ScenarioError` naming the line of a syntax error, saying that a
    mapping of keys such as ``examples`` was expected, or that the ``what`` (``scenario
    file``) is empty: a file of comments alone is a mistake (a file saved before it was
    written, the wrong file), not a request for every default.
    """
    try:
        data = plainyaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        if "'\\t'" in problem or (line is not None and "\t" in _line_text(text, line)):
            problem += "; indent with spaces, not tabs"
        raise ScenarioError([Problem(source, line, "", f"not valid YAML: {problem}")]) from None
    if data is None:
        raise ScenarioError([Problem(source, None, "", f"the {what} is empty")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, 1, "", f"expected a mapping of keys such as "
                                     f"{examples}; got {type(data).__name__}")])
    bad_keys = _key_problems(text, source)
    if bad_keys:
        raise ScenarioError(bad_keys)
    return data


def _line_text(text: str, line: int) -> str:
    """Line ``line`` (1-based) of ``text``, or '' past its end."""
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


STRING_TAG = "tag:yaml.org,2002:str"


def _key_problems(text: str, source: str) -> list[Problem]:
    """Keys that are not names (``~``, ``5``), and keys written twice in one mapping.

    YAML itself would turn the first into null or a number and silently keep the last
    of the second.
    """
    problems: list[Problem] = []

    def walk(node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key_node.tag != STRING_TAG:
                    shown = key if key not in ("", None) else "~"
                    problems.append(Problem(
                        source, line, _path_text(path),
                        f"key {shown!r} is not a name (write keys as words; quote a name "
                        "made of digits)"))
                    continue
                if key in first_line:
                    problems.append(Problem(
                        source, line, _path_text((*path, key)),
                        f"written twice (first on line {first_line[key]}); keep one"))
                else:
                    first_line[key] = line
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    walk(plainyaml.compose(text), ())
    return problems


MAX_PROBLEMS = 50
"""Problems of one file described in full; the rest are counted (a file of thousands of
wrong keys is answered at once, with the first of them)."""


def parse_scenario(text: str, source: str = "<scenario>",
                   base_dir: Path | None = None) -> Scenario:
    """Validate a scenario given as YAML text; raise :class:`ScenarioError` on problems."""
    data = read_mapping(text, source, "'name', 'days', 'strategies'")
    lines = _line_map(text)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        seen = set()
        errors = exc.errors()
        explained = [_clean_loc(tuple(e["loc"])) for e in errors if not _is_switch_branch(e)]
        for number, error in enumerate(errors):
            if len(problems) >= MAX_PROBLEMS:  # what follows is more of the same
                problems.append(Problem(source, None, "", f"and {len(errors) - number} more "
                                        "problems not shown; fix these first"))
                break
            here = _clean_loc(tuple(error["loc"]))
            if _is_switch_branch(error) and any(loc[: len(here)] == here for loc in explained):
                continue  # the mapping's own error says what is wrong
            loc = _clean_loc(tuple(error["loc"]))
            message, suggestion = _describe({**error, "loc": loc})
            key = (loc, message)
            if key in seen:
                continue
            seen.add(key)
            problems.append(Problem(source, _line_for(lines, loc), _path_text(loc), message,
                                    suggestion))
        problems.sort(key=lambda p: (p.line or 10**9))
        raise ScenarioError(problems) from None
    problems: list[Problem] = []
    scenario = _with_edge_list(scenario, source, lines, base_dir, problems)
    _check_group_fits(scenario, source, lines, problems)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    return scenario


def _with_edge_list(scenario: Scenario, source: str, lines: dict[tuple, int],
                    base_dir: Path | None, problems: list[Problem]) -> Scenario:
    """Check an edge-list network and pin it down: absolute path, size from the file.

    The resolved scenario then names the same file and the real population wherever
    it is run from (a run folder's ``scenario.resolved.yaml`` is run again as it is).
    """
    network = scenario.population.network
    loc = ("population", "network", "path")

    def problem(message: str, at: tuple = loc) -> None:
        problems.append(Problem(source, _line_for(lines, at), _path_text(at), message))

    if network.kind != "edgelist":
        if network.path:
            problem(f"a file is only read when kind is edgelist (kind is {network.kind})")
        return scenario
    if not network.path:
        problem("kind edgelist needs path: a CSV file of 'source,target' rows")
        return scenario
    path = Path(network.path)
    if not path.is_absolute():
        path = (base_dir if base_dir is not None else Path.cwd()) / path
    if not path.is_file():
        problem(f"edge-list file not found: {path}")
        return scenario
    try:
        people = read_edgelist(path).number_of_nodes()
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        problem(f"cannot use edge-list file: {exc}")
        return scenario
    population = scenario.population
    if "size" in population.model_fields_set and population.size != people:
        problem(f"the edge list has {people:,} people but size is {population.size:,}; "
                "leave size out (it follows the file) or make them agree",
                ("population", "size"))
        return scenario
    network = network.model_copy(update={"path": str(path.resolve())})
    population = population.model_copy(update={"size": people, "network": network})
    return scenario.model_copy(update={"population": population})


def _check_group_fits(scenario: Scenario, source: str, lines: dict[tuple, int],
                      problems: list[Problem]) -> None:
    """The founders and day-0 members must fit in the group and in the population."""
    values = {path: _value_at(scenario, path) for path in GROUP_FIT_KEYS}
    for path, message in group_fit_problems(values):
        loc = tuple(path.split("."))
        problems.append(Problem(source, _line_for(lines, loc), path, message))


GROUP_FIT_KEYS = ("group.capacity", "group.initial_members", "group.founders.owner",
                  "group.founders.admin", "group.founders.opinion_leader",
                  "group.founders.seed_user", "population.size")
"""The keys that decide whether the group's day-0 members fit (:func:`group_fit_problems`)."""


def _value_at(scenario: Scenario, path: str) -> Any:
    value: Any = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


def group_fit_problems(values: dict[str, int]) -> list[tuple[str, str]]:
    """Key paths and messages for day-0 members that do not fit.

    ``values`` maps every key of :data:`GROUP_FIT_KEYS` to its value. The founders
    must fit in the group's capacity, then the founders and initial members, and
    both must be found among the population's people.
    """
    capacity, initial = values["group.capacity"], values["group.initial_members"]
    founders = sum(values[f"group.founders.{r}"]
                   for r in ("owner", "admin", "opinion_leader", "seed_user"))
    day0 = founders + initial
    found = []
    if founders > capacity:
        found.append(("group.founders", f"{founders:,} founders (owner included) do not fit "
                      f"in a group of capacity {capacity:,}"))
    elif day0 > capacity:
        found.append(("group.initial_members", f"{founders:,} founders and {initial:,} "
                      f"initial members do not fit in a group of capacity {capacity:,}; at "
                      f"most {capacity - founders:,} initial members"))
    size = values["population.size"]
    if day0 > size:
        found.append(("population.size", f"{size:,} people cannot fill a group that starts "
                      f"with {day0:,} members (founders and initial members)"))
    return found


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        With every problem found (file, line, key path, expectation, suggestion).
    """
    p = Path(path)
    text = read_yaml_file(p, "a scenario")
    scenario = parse_scenario(text, str(p), base_dir=p.parent.resolve())
    return scenario.model_copy(update={"provenance": {"source_dir": str(p.parent.resolve())}})


def read_yaml_file(p: Path, what: str) -> str:
    """The text of the YAML file ``p`` (``what`` names the kind: "a scenario", "an experiment").

    Raises :class:`ScenarioError` when it is missing (suggesting a YAML file with a
    close name), a folder (suggesting YAML files in it) or unreadable.
    """
    if p.is_dir():
        inside = sorted(q.name for q in p.glob("*.y*ml"))
        hint = f"; it holds {', '.join(inside[:4])}{', ...' if len(inside) > 4 else ''}" \
            if inside else ""
        raise ScenarioError([Problem(str(p), None, "", f"is a folder, not {what} file{hint}")])
    if not p.is_file():
        near = difflib.get_close_matches(p.name, [q.name for q in p.parent.glob("*.y*ml")]
                                         if p.parent.is_dir() else [], n=1, cutoff=0.75)
        raise ScenarioError([Problem(str(p), None, "", "file not found",
                                     str(p.parent / near[0]) if near else None)])
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(p), None, "", f"cannot read file: {exc}")]) from None


def idle_notes(scenario: Scenario) -> list[str]:
    """A sentence for each strategy that, as set, does nothing in the scenario's run.

    Each names the strategy, the arms where it is idle (all of them, or which) and why
    (:meth:`Strategy.idle_in`), e.g. a quarterly cleanup in a 60-day run.
    """
    arms = scenario.arm_names()
    idle: dict[tuple[str, str], list[str]] = {}
    for arm in arms:
        for key, settings in scenario.strategies_for(arm).items():
            reason = REGISTRY[key](settings).idle_in(scenario.horizon)
            if reason is not None:
                idle.setdefault((key, reason), []).append(arm)
    notes = []
    for (key, reason), where in idle.items():
        if len(arms) == 1:
            scope = ""
        elif len(where) == len(arms):
            scope = " in every arm"
        else:
            scope = f" in arm{'s' if len(where) > 1 else ''} " + ", ".join(map(repr, where))
        notes.append(f"{key} does nothing{scope}: {reason}")
    return notes


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, for editors and docs.

    A strategy may also be switched on with ``true`` and off with ``false``, which
    the loader turns into settings before validating; the schema says so, or editors
    would flag valid files.
    """
    schema = Scenario.model_json_schema()
    for switches in ("Strategies", "ArmChanges"):
        for prop in schema["$defs"][switches]["properties"].values():
            branches = [b for b in prop["anyOf"] if b.get("type") != "boolean"]
            prop["anyOf"] = [*branches, {"type": "boolean"}]
    return schema
