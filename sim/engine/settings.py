"""What the model reads of a scenario.

A scenario file is read and validated by :mod:`sim.formats.scenario`, which sits
above the engine (it needs the engine's parameter declarations: strategies,
dynamics, world). The model takes any object with the members below, which a
validated :class:`sim.formats.scenario.Scenario` has, so the engine never imports
the file formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sim.params import Section


class RunSettings(Protocol):
    """The settings of one simulated group: a validated scenario."""

    seed: int  # the root seed, used when the model is given none
    population: Any  # the ``population`` section: size, network, traits
    group: Any  # the ``group`` section: capacity, consent rule, founders
    dynamics: Any  # the behavioural constants (``sim.engine.dynamics.Dynamics``)

    @property
    def horizon(self) -> int:
        """Number of days simulated."""
        ...

    @property
    def base_dir(self) -> Path | None:
        """Folder relative paths (edge lists) are resolved against."""
        ...

    def strategies_for(self, arm: str) -> dict[str, Section]:
        """Strategy settings of one arm: the baseline plus the arm's changes."""
        ...
