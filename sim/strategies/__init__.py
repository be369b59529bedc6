"""Registry of operator strategies, keyed by their scenario key.

Adding a strategy: write one file with a :class:`Strategy` subclass and add it to
``_ALL`` below. Experiments and the dashboard select strategies by their metadata
(:func:`filtered`), never by lists typed by hand.
"""

from __future__ import annotations

from typing import Any

from sim.strategies.base import METADATA_KEYS, Strategy
from sim.strategies.content import ContentPush
from sim.strategies.welcome import WelcomeTemplate

_ALL: tuple[type[Strategy], ...] = (
    WelcomeTemplate,
    ContentPush,
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
