"""Registry of operator strategies, keyed by their scenario key.

Adding a strategy: write one file with a :class:`Strategy` subclass and add it to
``_ALL`` below. Experiments and the dashboard select strategies by their metadata
(:func:`filtered`), never by lists typed by hand.
"""

from __future__ import annotations

from typing import Any

from sim.engine.strategies.activities import Activities
from sim.engine.strategies.base import METADATA_KEYS, Strategy
from sim.engine.strategies.benefits import ExclusiveBenefits
from sim.engine.strategies.cleanup import Cleanup
from sim.engine.strategies.content import ContentPush
from sim.engine.strategies.entry import EntryThreshold
from sim.engine.strategies.fission import Fission
from sim.engine.strategies.layering import UserLayering
from sim.engine.strategies.monetization import Monetization
from sim.engine.strategies.recognition import Recognition
from sim.engine.strategies.red_envelope import RedEnvelopes
from sim.engine.strategies.rules import GroupRules
from sim.engine.strategies.welcome import WelcomeTemplate

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


__all__ = ["METADATA_KEYS", "REGISTRY", "Strategy", "filtered", "ContentPush",
           "WelcomeTemplate"]
