"""The day's plan: what the operator's strategies decided for today.

Every active strategy writes into one :class:`DayPlan` at the start of the day
(``Strategy.plan``); the phases of the daily cycle read it. Fields have neutral
defaults, so a day with no strategy is a day with no operator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sim.model import CommunityModel


class Admission(Protocol):
    """Filter on who may join: returns a boolean mask over candidate rows."""

    def __call__(self, model: CommunityModel, rows: np.ndarray) -> np.ndarray:
        """Return True for each candidate row that may join."""
        ...


@dataclass
class Envelope:
    """A red envelope posted in the group.

    Attributes
    ----------
    amount
        Money in it (yuan).
    shares
        How many people can grab a share.
    split
        ``lucky`` (WeChat's random split) or ``equal``.
    sender
        Row of the person who sends it; ``-1`` for the operator's budget.
    """

    amount: float
    shares: int
    split: str = "lucky"
    sender: int = -1


@dataclass
class Offer:
    """A product offered to members today (monetization).

    Attributes
    ----------
    price
        Revenue per conversion (yuan).
    appeal
        Daily conversion chance of a trusting member who values the group, 0-1.
    hard_sell
        Cost to every reader's perceived value of the promotion, value units.
    """

    price: float
    appeal: float
    hard_sell: float = 0.0


@dataclass
class DayPlan:
    """Operator decisions for one day, filled in by the strategies."""

    content_posts: int = 0
    content_quality: float = 0.0
    content_attention: float = 1.0
    content_noise: float = 0.0
    announcements: int = 0
    welcome_speech: bool = False
    self_introduction: bool = False
    rules_announced: bool = False
    welcome_minutes: float = 0.0
    moderation: float = 1.0
    posting_boost: float = 1.0
    invite_boost: float = 1.0
    friction: float = 0.0
    owner_minutes: float = 0.0
    envelopes: list[Envelope] = field(default_factory=list)
    admission: list[Admission] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
