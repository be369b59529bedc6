"""What happened today: the record the phases fill and the metrics read.

Also the day's seed for the compiled kernels' generator (:func:`seed_kernels`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine import compiled
from sim.engine.plan import MemberEnvelopes
from sim.engine.state import KIND, MESSAGE_KINDS

if TYPE_CHECKING:
    from sim.engine.community import Community

N_KINDS = len(MESSAGE_KINDS)
SEED_BOUND = 2**31 - 1
"""Kernel seeds are drawn below this (numba seeds its generator with a 32-bit int)."""

_NO_ROWS = np.empty(0, dtype=np.int64)
_NO_FLAGS = np.empty(0, dtype=bool)
_NO_VALUES = np.empty(0)
_NO_POSTS = np.zeros((0, N_KINDS), dtype=np.int32)
_NO_CHANGES = np.empty(0, dtype=np.int8)


class Today:
    """What happened today, shared between the phases and the metrics.

    Per-member arrays are aligned with ``rows`` (the members when reading started,
    some of whom may have left by the evening). The empty defaults are shared and
    never written to: each phase puts in fresh arrays.
    """

    __slots__ = ("day", "rows", "read", "posts", "wrote", "replies_got", "answered", "cost",
                 "first_post", "first_answered", "gained", "luckiest", "member_envelopes",
                 "operator_posts", "counts", "caught", "leaving", "transition", "churn",
                 "joins", "leaves", "removed", "conversions", "revenue", "money_spent",
                 "envelope_money", "conversation", "threads")

    def __init__(self, day: int) -> None:
        self.day = day
        self.rows = _NO_ROWS
        self.read = _NO_FLAGS
        self.posts = _NO_POSTS
        self.wrote = _NO_ROWS
        self.replies_got = _NO_ROWS
        self.answered = _NO_ROWS
        self.cost = _NO_VALUES
        self.first_post = _NO_FLAGS
        self.first_answered = _NO_FLAGS
        self.caught = self.leaving = _NO_FLAGS
        self.transition = _NO_CHANGES
        self.churn = [0, 0, 0]
        self.gained = _NO_VALUES
        self.luckiest = _NO_FLAGS
        self.member_envelopes = MemberEnvelopes()
        self.operator_posts = np.zeros(N_KINDS, dtype=np.int64)
        self.counts = self.operator_posts
        self.joins = self.leaves = self.removed = self.conversions = 0
        self.revenue = self.money_spent = self.envelope_money = 0.0
        self.conversation = False
        self.threads = [0, 0, 0]  # threads, replies in them, the longest (with its starter)

    @property
    def asked(self) -> np.ndarray:
        """Questions each member asked today."""
        return self.posts[:, KIND["question"]]


SEEDS_PER_DRAW = 16
"""Days' kernel seeds are drawn from the model's generator this many at a time."""


def seed_kernels(model: Community) -> None:
    """Seed the compiled kernels' generator for today, from the model's generator.

    Seeds are drawn in batches: one call of the generator costs as much as sixteen.
    """
    if not model.kernel_seeds:
        model.kernel_seeds = model.rng.integers(SEED_BOUND, size=SEEDS_PER_DRAW).tolist()
    compiled.seed_day(model.kernel_seeds.pop())
