"""The member table: every person's daily state as one struct of arrays.

Indexed by the person's row (also their node in the social graph and the ``row`` of
their agent). The daily phases read and write whole columns at once; agents read and
write their own cell through properties (``agents.base.Person``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

TRAIT_COLUMNS = ("post_rate", "question_share", "content_share", "ad_share",
                 "reply_propensity", "influence", "status", "expectation", "patience",
                 "operator", "invite_rate", "envelope_appetite")
"""Columns of the role trait matrix the kernels read (see agents.base.RoleTraits)."""

OUTSIDER, MEMBER, LEFT, REMOVED = 0, 1, 2, 3
STATUS_LABELS = ("outsider", "member", "left", "removed")

MESSAGE_KINDS = (
    "content", "chat", "question", "answer", "ad", "red_envelope", "thanks", "announcement",
    "discussion",
)
"""Kinds of messages in the group chat (MECHANISMS.md W2). ``discussion``: replies to a
member's on-topic post (experience, opinions on it); ``chat``: greetings, small talk,
self-introductions, check-ins and replies to chat."""
OFF_TOPIC_KINDS = ("chat", "red_envelope", "thanks")
"""Talk beside the purpose: greetings, small talk, personal chat, envelopes and thanks.
Every other kind but ads (spam) is on-topic: what the group is for."""
KIND = {name: i for i, name in enumerate(MESSAGE_KINDS)}

VALUE_COMPONENTS = ("content", "material", "help", "bonds", "identity")
"""The five things members come for (seed 002)."""
VALUE_PARTS = (*VALUE_COMPONENTS, "cost")
"""Columns of ``MemberTable.value_parts``: the five components and the costs."""

_FLOAT = (
    "engagement", "value", "trust", "commitment", "money_received", "money_sent",
    "recent_posts", "expectation_extra", "money_today", "voice_mood",
)
_INT = (
    "days_silent", "joined_day", "left_day", "invited_by", "muted_day", "first_post_day",
    "last_post_day", "friends_in", "purchases", "invitees",
)
_SMALL = ("status", "role", "role_at_join", "role_at_end", "layer", "first_post_answered")
_BOOL = ("muted", "converted", "welcomed", "saw_rules", "founder")
MEMBER_COLUMNS = (*_FLOAT, *_INT, *_SMALL, *_BOOL, "messages", "value_parts")
"""Every column of the member table, in the order of :class:`Members`."""

Members = NamedTuple("Members", [(name, np.ndarray) for name in MEMBER_COLUMNS])
Members.__doc__ = """The member table's columns as one named record, for the compiled kernels.

A kernel gets the table as one argument (``members``) and reads ``members.fields``,
a :class:`Members`: ``m.engagement``, ``m.messages``, ... A column added to the
declarations above reaches every kernel without touching any argument list."""


class MemberTable:
    """Struct-of-arrays state of ``n`` persons.

    Columns are numpy arrays of length ``n``; ``messages`` is ``n x len(MESSAGE_KINDS)``
    and ``value_parts`` is ``n x len(VALUE_PARTS)`` (remembered benefits and costs).
    Missing days and people are ``-1``.
    """

    float_columns = _FLOAT
    int_columns = _INT
    small_columns = _SMALL
    bool_columns = _BOOL

    def __init__(self, n: int) -> None:
        self.n = n
        for name in _FLOAT:
            setattr(self, name, np.zeros(n, dtype=np.float64))
        for name in _INT:
            setattr(self, name, np.full(n, -1, dtype=np.int32))
        for name in _SMALL:
            setattr(self, name, np.zeros(n, dtype=np.int8))
        for name in _BOOL:
            setattr(self, name, np.zeros(n, dtype=bool))
        self.friends_in[:] = 0
        self.purchases[:] = 0
        self.invitees[:] = 0  # people one invited who joined, founders not counted
        self.days_silent[:] = 0
        self.first_post_answered[:] = -1
        self.messages = np.zeros((n, len(MESSAGE_KINDS)), dtype=np.int32)
        self.value_parts = np.zeros((n, len(VALUE_PARTS)), dtype=np.float64)

    def fields(self) -> Members:
        """The columns as one :class:`Members` record (the same arrays, not copies)."""
        return Members(*(getattr(self, name) for name in MEMBER_COLUMNS))

    def column(self, name: str) -> np.ndarray:
        """The array of one column (raises ``AttributeError`` for unknown names)."""
        if name not in _FLOAT + _INT + _SMALL + _BOOL:
            raise AttributeError(f"member table has no column {name!r}")
        return getattr(self, name)
