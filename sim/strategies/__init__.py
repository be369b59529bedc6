"""Registry of operator strategies, keyed by their scenario key.

Adding a strategy: write one file with a :class:`Strategy` subclass and add it to
``_ALL`` below. Experiments and the dashboard select strategies by their metadata
(:func:`filtered`), never by lists typed by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.strategies.activities import Activities
from sim.strategies.base import METADATA_KEYS, Strategy
from sim.strategies.benefits import ExclusiveBenefits
from sim.strategies.cleanup import Cleanup
from sim.strategies.content import ContentPush
from sim.strategies.entry import EntryThreshold
from sim.strategies.fission import Fission
from sim.strategies.layering import UserLayering
from sim.strategies.monetization import Monetization
from sim.strategies.recognition import Recognition
from sim.strategies.red_envelope import RedEnvelopes
from sim.strategies.rules import GroupRules
from sim.strategies.welcome import WelcomeTemplate

if TYPE_CHECKING:
    from sim.scenario import Scenario

_ALL: tuple[type[Strategy], ...] = (
    WelcomeTemplate,
    ContentPush,
    EntryThreshold,
    ExclusiveBenefits,
    Monetization,
    RedEnvelopes,
    Activities,
    Recognition,
    Cleanup,
    GroupRules,
    Fission,
    UserLayering,
)

REGISTRY: dict[str, type[Strategy]] = {cls.key: cls for cls in _ALL}
"""Strategy classes by scenario key, in the order the day applies them."""


def filtered(**metadata: Any) -> list[type[Strategy]]:
    """Strategies whose metadata match every given field, e.g. ``stochastic=False``."""
    return [
        cls for cls in _ALL
        if all(cls.metadata.get(k) == v for k, v in metadata.items())
    ]


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


__all__ = ["METADATA_KEYS", "REGISTRY", "Strategy", "filtered", "idle_notes", "ContentPush",
           "WelcomeTemplate"]
