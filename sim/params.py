"""One declaration per parameter: validation, docs, CLI listings and sliders read it.

A :class:`Param` names a number or a choice, its default, its unit, its range and
one line of description. :func:`section_model` turns a tuple of them into a pydantic
model, so a range written here is the range that validation checks, the JSON Schema
shows, ``commsim strategies`` prints and a sweep may sample from. No default is
written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


@dataclass(frozen=True)
class Param:
    """Declaration of one scenario parameter.

    Parameters
    ----------
    name
        Key as written in a scenario file.
    default
        Value used when the key is absent.
    description
        One line a strategist understands.
    unit
        Unit of the value ("members", "per day", "yuan", "share 0-1", ...).
    low, high
        Inclusive bounds for numbers; ``None`` for no bound.
    choices
        Allowed values for a categorical parameter.
    """

    name: str
    default: Any
    description: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None

    @property
    def kind(self) -> type:
        """Python type of the value (bool, int, float or str)."""
        if self.choices is not None:
            return str
        return type(self.default)

    def annotation(self) -> Any:
        """Type annotation pydantic validates against."""
        if self.choices is not None:
            return Literal[self.choices]  # type: ignore[valid-type]
        if self.kind is float:
            return float
        if self.kind is int:
            return int
        if self.kind is bool:
            return bool
        if self.default is None:
            return float | None
        return self.kind

    def field(self) -> Any:
        """Pydantic field carrying default, bounds, description and unit."""
        extra = {"unit": self.unit} if self.unit else None
        return Field(
            default=self.default,
            ge=self.low,
            le=self.high,
            strict=True if self.kind in (int, bool) and self.choices is None else None,
            description=self.description,
            json_schema_extra=extra,
        )

    def describe_range(self) -> str:
        """Human-readable range, e.g. ``0-1`` or ``regular | irregular``."""
        if self.choices is not None:
            return " | ".join(str(c) for c in self.choices)
        if self.kind is bool:
            return "true | false"
        low = "-inf" if self.low is None else _plain_number(self.low)
        high = "inf" if self.high is None else _plain_number(self.high)
        whole = ", whole" if self.kind is int else ""
        return f"{low} to {high}{whole}"

    def describe_default(self) -> str:
        """The default as a scenario file writes it (``true``, ``1,000,000``, ``0.5``)."""
        return describe_value(self.default)


def describe_value(value) -> str:
    """A value as a YAML file says it: ``true``/``false``, numbers without exponents."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _plain_number(value)
    return str(value)


def _plain_number(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:g}"


class Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)


def section_model(name: str, params: tuple[Param, ...], doc: str = "", *,
                  module: str | None = None, qualname: str | None = None) -> type[Section]:
    """Build a frozen pydantic model from parameter declarations.

    Parameters
    ----------
    name
        Class name of the generated model (shows in the JSON Schema).
    params
        The declarations; order is kept in docs and listings.
    doc
        Docstring of the model, used as the schema description.
    module, qualname
        Where the model can be found by name, so instances pickle (process pools):
        e.g. ``module="sim.engine.world"`` for ``sim.engine.world.Network``.
    """
    fields = {p.name: (p.annotation(), p.field()) for p in params}
    model = create_model(name, __base__=Section, __doc__=doc or None, **fields)
    model.__params__ = params  # type: ignore[attr-defined]
    if module is not None:
        model.__module__ = module
    model.__qualname__ = qualname or name
    return model
