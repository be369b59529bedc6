"""Levers: the scenario's parameters as sliders, switches and dropdowns.

Every control is made from a parameter's declaration (:class:`sim.params.Param`, or
the pydantic field of a top-level key), so its range, unit, description and default
are the ones validation uses; nothing here repeats a default. Values read back from
the page become a scenario again through :func:`sim.parse_scenario`, so a lever set
out of range is reported exactly as a bad scenario file would be.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import annotated_types
import yaml
from dash import dcc, html

from sim.engine.dynamics import Dynamics
from sim.engine.strategies import REGISTRY
from sim.engine.world import Network, Traits
from sim.formats.scenario import (
    DEFAULT_DAYS,
    Founders,
    Group,
    Population,
    Problem,
    Scenario,
    ScenarioError,
    parse_scenario,
)
from sim.params import Param

LEVER = "lever"
"""Type of the pattern-matching id of a lever control: ``{"type": LEVER, "path": ...}``."""
SWITCH = "strategy-switch"
"""Type of the id of a strategy's on/off switch: ``{"type": SWITCH, "key": ...}``."""
SLIDER_SPAN = 1000
"""Numbers with a range at most this wide get a slider; wider ones a number box."""
HIDDEN = {"population.network.path"}
"""Parameters not offered in the browser: a path would let a page read server files."""


@dataclass(frozen=True)
class Lever:
    """One control: the key path it sets and the declaration it is drawn from."""

    path: str
    param: Param


def _field_param(name: str, model: type, default: Any = None) -> Param:
    """A :class:`Param` read from a pydantic field (for keys not declared as Params)."""
    field = model.model_fields[name]
    low = high = None
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = rule.ge
        elif isinstance(rule, annotated_types.Le):
            high = rule.le
    unit = (field.json_schema_extra or {}).get("unit", "")
    value = field.default if field.default is not None else default
    return Param(name, value, field.description or "", unit, low, high)


def run_levers() -> list[Lever]:
    """How long, how many replicates, which seed, how many people, how big a group."""
    return [
        Lever("days", _field_param("days", Scenario, DEFAULT_DAYS)),
        Lever("replicates", _field_param("replicates", Scenario)),
        Lever("seed", _field_param("seed", Scenario)),
        Lever("population.size", _field_param("size", Population)),
        *[Lever(f"group.{p.name}", p) for p in Group.__params__ if p.name == "capacity"],
    ]


def strategy_levers(key: str) -> list[Lever]:
    """The parameters of one strategy."""
    return [Lever(f"strategies.{key}.{p.name}", p) for p in REGISTRY[key].params]


WORLD_SECTIONS: tuple[tuple[str, str, tuple[Param, ...]], ...] = (
    ("population.network", "Social network", Network.__params__),
    ("population.traits", "People's traits", Traits.__params__),
    ("group", "Group rules of the platform", Group.__params__),
    ("group.founders", "Founders on day 0", Founders.__params__),
    ("dynamics", "Behavioural constants", Dynamics.__params__),
)
"""Uncertainties (what nobody controls), by scenario section: prefix, title, parameters."""


def world_levers(prefix: str, params: tuple[Param, ...]) -> list[Lever]:
    """The parameters of one world section, without those the page must not set."""
    levers = [Lever(f"{prefix}.{p.name}", p) for p in params]
    return [lever for lever in levers if lever.path not in HIDDEN
            and not (prefix == "group" and lever.param.name == "capacity")]


def all_levers() -> list[Lever]:
    """Every lever the page shows."""
    levers = run_levers()
    for key in REGISTRY:
        levers += strategy_levers(key)
    for prefix, _, params in WORLD_SECTIONS:
        levers += world_levers(prefix, params)
    return levers


# ------------------------------------------------------------------ values


def get_path(data: dict, path: str) -> Any:
    """Value at a dotted key path of nested mappings (``None`` when absent)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict, path: str, value: Any) -> None:
    """Set a dotted key path in nested mappings, creating mappings on the way."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def initial_value(lever: Lever, resolved: dict) -> Any:
    """What a control shows for a scenario: its value there, else the declared default."""
    value = get_path(resolved, lever.path)
    return lever.param.default if value is None else value


def coerce(param: Param, value: Any) -> Any:
    """A value from the page as the parameter's type (sliders send 5 for 5.0).

    Values that do not fit are passed through unchanged, for validation to report.
    """
    if param.kind is bool:
        return bool(value) if isinstance(value, list) else value
    if value is None or param.choices is not None:
        return value
    if param.kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if param.kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _not_a_number(param: Param) -> str:
    """What to say when a number box holds no valid value.

    A browser's number box reports nothing (``None``) when what is typed is out of
    its range or not a number.
    """
    whole = "whole number" if param.kind is int else "number"
    low = _number(param.low) if param.low is not None else "-inf"
    high = _number(param.high) if param.high is not None else "inf"
    return f"the box holds no valid value; enter a {whole} from {low} to {high}"


def scenario_from_levers(base: Scenario, values: dict[str, Any], switched_on: set[str],
                         arms: list[str]) -> Scenario:
    """The scenario the page describes: ``base`` with the levers' values and chosen arms.

    Parameters
    ----------
    base
        The scenario picked or uploaded.
    values
        Lever values by key path (as the page sends them).
    switched_on
        Keys of the strategies switched on in the baseline.
    arms
        Arms of ``base`` to run besides the baseline.

    Raises
    ------
    ScenarioError
        With the problems of the levers, worded as for a scenario file (source
        ``levers``, no line numbers).
    """
    by_path = {lever.path: lever.param for lever in all_levers()}
    data = base.resolved()
    data.pop("provenance", None)
    data["arms"] = {name: arm for name, arm in data["arms"].items() if name in arms}
    data["strategies"] = {key: {} for key in REGISTRY if key in switched_on}
    empty = []
    for path, value in values.items():
        if path not in by_path:
            continue
        parts = path.split(".")
        if parts[0] == "strategies" and parts[1] not in switched_on:
            continue
        if value is None and by_path[path].kind in (int, float):
            empty.append(Problem("levers", None, path, _not_a_number(by_path[path])))
            continue
        set_path(data, path, coerce(by_path[path], value))
    if empty:  # never run with a default in place of what the user typed
        raise ScenarioError(empty)
    if get_path(data, "population.network.kind") == "edgelist" != base.population.network.kind:
        # the edge-list file would come from the scenario, possibly an uploaded one
        raise ScenarioError([Problem("levers", None, "population.network.kind",
                                     "an edge-list network can only come from a scenario "
                                     "file that names its edge list; choose another kind")])
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    try:
        return parse_scenario(text, "levers")
    except ScenarioError as problems:
        raise ScenarioError([dataclasses.replace(p, line=None)
                             for p in problems.problems]) from None


# ---------------------------------------------------------------- controls


def _step(param: Param) -> float:
    """1 for whole numbers; else a power of ten near 1% of the range that hits both ends."""
    if param.kind is int:
        return 1
    step = 10.0 ** math.floor(math.log10((param.high - param.low) / 100))
    for _ in range(6):
        if all(abs(v / step - round(v / step)) < 1e-6 for v in (param.low, param.high)):
            break
        step /= 10
    return step


def _slider_fits(param: Param) -> bool:
    if param.low is None or param.high is None or param.kind not in (int, float):
        return False
    return param.high - param.low <= SLIDER_SPAN


def _number(value: float) -> str:
    """A bound as people write it: 9,223,372,036,854,775,807 rather than 9.22e+18."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.10g}"


def control(lever: Lever, value: Any) -> html.Div:
    """The labelled control of one lever, with its unit, range and description."""
    param = lever.param
    ident = {"type": LEVER, "path": lever.path}
    if param.kind is bool:
        widget = dcc.Checklist(id=ident, options=[{"label": "yes", "value": "on"}],
                               value=["on"] if value else [], className="switch")
    elif param.choices is not None:
        widget = dcc.Dropdown(id=ident, options=[{"label": str(c), "value": c}
                                                 for c in param.choices],
                              value=value, clearable=False, searchable=False)
    elif _slider_fits(param):
        widget = dcc.Slider(id=ident, min=param.low, max=param.high, step=_step(param),
                            value=value, marks=None, updatemode="mouseup",
                            tooltip={"placement": "bottom", "always_visible": False})
    elif param.kind in (int, float):
        widget = dcc.Input(id=ident, type="number", value=value, min=param.low,
                           max=param.high, step=1 if param.kind is int else "any",
                           debounce=True, className="number")
    else:
        widget = dcc.Input(id=ident, type="text", value=value, debounce=True)
    unit = f" ({param.unit})" if param.unit else ""
    bounds = "" if param.kind is bool or param.choices else (
        f"{_number(param.low) if param.low is not None else '-inf'} to "
        f"{_number(param.high) if param.high is not None else 'inf'}")
    return html.Div([
        html.Label([html.Span(param.name.replace("_", " "), className="lever-name"),
                    html.Span(unit, className="lever-unit")], title=lever.path),
        widget,
        html.Div([param.description, html.Span(f" [{bounds}]" if bounds else "",
                                               className="lever-range")],
                 className="lever-help"),
    ], className="lever", **{"data-path": lever.path})


def strategy_panel(key: str, settings: dict | None) -> html.Details:
    """One strategy: an on/off switch and its parameters (folded away)."""
    cls = REGISTRY[key]
    summary = (cls.__doc__ or "").strip().split("\n")[0]
    values = settings or {}
    return html.Details([
        html.Summary([
            dcc.Checklist(id={"type": SWITCH, "key": key},
                          options=[{"label": cls.name, "value": "on"}],
                          value=["on"] if settings is not None else [],
                          className="switch strategy-switch", inline=True),
            html.Span(summary.split(":", 1)[-1].strip(), className="strategy-doc"),
        ]),
        html.Div([control(lever, values.get(lever.param.name, lever.param.default))
                  for lever in strategy_levers(key)], className="lever-grid"),
    ], className="strategy", **{"data-key": key})


def lever_panels(scenario: Scenario) -> list:
    """Every control for ``scenario``: run settings, strategies, world (folded away)."""
    resolved = scenario.resolved()
    on = resolved["strategies"]
    world = [html.Details([html.Summary(title),
                           html.Div([control(lever, initial_value(lever, resolved))
                                     for lever in world_levers(prefix, params)],
                                    className="lever-grid")], className="world")
             for prefix, title, params in WORLD_SECTIONS]
    return [
        html.H4("Run"),
        html.Div([control(lever, initial_value(lever, resolved)) for lever in run_levers()],
                 className="lever-grid"),
        html.H4("Strategies of the baseline (levers)"),
        html.P("Tick a strategy to switch it on; open it to set its parameters. Arms of the "
               "scenario add their own changes on top of these.", className="hint"),
        *[strategy_panel(key, on.get(key)) for key in REGISTRY],
        html.H4("The world around the group (uncertainties)"),
        html.P("What nobody controls: who the people are and how they behave. The defaults "
               "are the model's partly calibrated estimates (docs/validation.md).",
               className="hint"),
        *world,
    ]
