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
    from sim.engine.community import Community


class Admission(Protocol):
    """Filter on who may join: returns a boolean mask over candidate rows."""

    def __call__(self, model: Community, rows: np.ndarray,
                 invited_by: np.ndarray) -> np.ndarray:
        """Return True for each candidate row that may join.

        ``invited_by`` is the row of the member who invited each candidate, or -1 for
        people who found the group on their own.
        """
        ...


@dataclass(slots=True)
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

    @property
    def cents(self) -> int:
        """The amount in cents, as it is split."""
        return int(round(self.amount * 100))

    @staticmethod
    def arrays(envelopes: list[Envelope]) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                    np.ndarray]:
        """Senders, cents, shares and whether the split is lucky, of each envelope."""
        if not envelopes:
            return _NO_ENVELOPES
        return (np.array([env.sender for env in envelopes], dtype=np.int64),
                np.array([env.cents for env in envelopes], dtype=np.int64),
                np.array([env.shares for env in envelopes], dtype=np.int64),
                np.array([env.split == "lucky" for env in envelopes], dtype=bool))


_NO_ENVELOPES = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64),
                 np.empty(0, dtype=np.int64), np.empty(0, dtype=bool))


@dataclass(slots=True)
class MemberEnvelopes:
    """Red envelopes members send of their own accord, in the order they are posted.

    Members' envelopes are many and all alike (ten lucky shares), so they are kept as
    two arrays rather than as :class:`Envelope` objects.

    Attributes
    ----------
    senders
        Row of each sender.
    cents
        Money in each envelope, in cents.
    """

    SHARES = 10
    """Shares of a member's envelope."""

    senders: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    cents: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __len__(self) -> int:
        return self.senders.size

    @property
    def amounts(self) -> np.ndarray:
        """Money in each envelope, in yuan."""
        return self.cents / 100


@dataclass(slots=True)
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
    repeat
        Whether members who bought before can buy again (goods) or not (a
        membership, a course).
    """

    price: float
    appeal: float
    hard_sell: float = 0.0
    repeat: bool = False


def within_time(plan: DayPlan, minutes: float) -> float:
    """Cut the operator's work to ``minutes`` (the team's daily time); the share done.

    The strategies ask for ``plan.owner_minutes``; when that is more than the team
    has, the work their time buys is done in the same proportion: scheduled content
    posts and announcements (rounded), enforcement (the extra moderation, the members'
    held-back ads and small talk) and fast answering (the extra answer weight).
    Money, settings and campaigns are not time and stay as planned. Welcomes spend
    what is left (:func:`welcomes_within_time`). Seed 001 gives the owner and the
    administrators exactly these duties; a team of one cannot do them all in a
    busy group.
    """
    if plan.owner_minutes <= minutes:
        return 1.0
    share = minutes / plan.owner_minutes
    plan.content_posts = int(plan.content_posts * share + 0.5)
    plan.announcements = int(plan.announcements * share + 0.5)
    plan.moderation = 1.0 + (plan.moderation - 1.0) * share
    plan.compliance *= share
    plan.off_topic_hold *= share
    plan.answer_boost = 1.0 + (plan.answer_boost - 1.0) * share
    plan.owner_minutes = minutes
    return share


def welcomes_within_time(plan: DayPlan, minutes: float, joins: int) -> int:
    """How many of today's ``joins`` newcomers the team has time left to welcome."""
    if minutes <= 0 or plan.welcome_minutes <= 0:
        return joins
    left = max(0.0, minutes - plan.owner_minutes)
    return min(joins, int(left // plan.welcome_minutes))


@dataclass(slots=True)
class DayPlan:
    """Operator decisions for one day, filled in by the strategies.

    Every field has a neutral default. Strategies combine by adding to counts and
    costs, multiplying boosts and appending to lists. Rare actions on particular
    people (removing them, promoting them, giving them a title) are not planned here:
    a strategy does them directly in ``plan`` through the model and its agents.
    """

    # content and conversation (S7, S6)
    content_posts: int = 0
    """Scheduled content messages of the owner's team today."""
    content_quality: float = 0.0
    """Average quality (0-1) of today's scheduled content."""
    content_attention: float = 1.0
    """Share of the scheduled content members actually take in (irregular pushes: less)."""
    content_noise: float = 0.0
    """Extra overload, in messages' worth, of how the content is written (long texts)."""
    announcements: int = 0
    """Announcements, reminders and activity calls posted by the operator today."""
    posting_boost: float = 1.0
    """Multiplier on everyone's posting today (activities up, strict rules down)."""
    bonds_boost: float = 0.0
    """Added to every reader's social-bonds benefit today (shared activities)."""
    identity_boost: float = 0.0
    """Added to every reader's identity benefit today (belonging, ceremonies)."""
    commitment_boost: float = 0.0
    """Added to the commitment of everyone who posts today (sign-in habits)."""
    checkin_chance: float = 0.0
    """Chance each reader posts one check-in message today (sign-in, punch-in)."""
    answer_boost: float = 1.0
    """Multiplier on the weight of responders to questions (fast answering)."""
    # newcomers (S5, S1, S12)
    welcome_speech: bool = False
    self_introduction: bool = False
    rules_announced: bool = False
    welcome_minutes: float = 0.0
    """Owner's minutes per newcomer."""
    appeal_boost: float = 1.0
    """Multiplier on outsiders' chance to accept (exclusive benefits, scarcity)."""
    entry_fee: float = 0.0
    """Yuan each newcomer pays to join today (booked as revenue)."""
    join_commitment: float = 0.0
    """Commitment newcomers start with (sunk cost of a fee, pride of being chosen)."""
    join_expectation: float = 0.0
    """Extra value newcomers expect (promises); it fades, and leaving follows if unmet."""
    admission: list[Admission] = field(default_factory=list)
    """Filters on who may join (entry thresholds); all must agree."""
    invite_boost: float = 1.0
    """Multiplier on members' chance to invite a friend (fission campaigns)."""
    invite_reward: float = 0.0
    """Yuan paid to a member for each friend they bring in today."""
    # order (S4)
    moderation: float = 1.0
    """Multiplier on the chance an ad gets its poster removed."""
    compliance: float = 0.0
    """Share of off-topic ads every member holds back (rules enforced and reminded)."""
    report_reward: float = 0.0
    """Yuan paid to a member for each advertiser removed on their report."""
    friction: float = 0.0
    """Daily cost of rules to every reader, value units (strictness)."""
    off_topic_hold: float = 0.0
    """Share of the off-topic talk members start that they hold back (a discouraged or
    banned off-topic policy); what they hold back is not written."""
    off_topic_friction: float = 0.0
    """Daily cost of an off-topic ban to a reader who loves small talk, value units
    (times their chat taste)."""
    # money (S2, S11)
    envelopes: list[Envelope] = field(default_factory=list)
    """Red envelopes the operator posts today."""
    greeting_envelope: Envelope | None = None
    """A red envelope posted when anyone joins today, to greet them."""
    luckiest_norm: float = 1.0
    """Multiplier on how much likelier the luckiest grabber sends the next envelope."""
    coupon_value: float = 0.0
    """Yuan-equivalent of coupons and gifts every reader gets today (material value)."""
    offers: list[Offer] = field(default_factory=list)
    """Products offered for sale today."""
    owner_minutes: float = 0.0
    """Minutes of the owner's team the day's strategies take."""
