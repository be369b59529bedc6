"""Registry of operator strategies, keyed by their scenario key.

Adding a strategy: write one file with a :class:`Strategy` subclass and add it to
``_ALL`` below. Experiments and the dashboard select strategies by their metadata
(:func:`filtered`), never by lists typed by hand.
"""

from __future__ import annotations

from typing import Any

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


__all__ = ["METADATA_KEYS", "REGISTRY", "Strategy", "filtered", "ContentPush", "WelcomeTemplate"]
