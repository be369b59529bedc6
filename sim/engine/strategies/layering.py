"""S9 user layering: care for intention users, fast answers, a core group for the strong."""

from __future__ import annotations

from typing import ClassVar

from sim.engine import strategy_kernels as kernels
from sim.engine.strategies.base import Strategy
from sim.params import Param

INTENTION, STRONG = 1, 2
"""Codes of the intention layers in ``state.layer`` (0 is potential)."""


class UserLayering(Strategy):
    """User layering (S9): targeted care by intention layer, fast answers, a core group.

    Seed 004 divides members into strong intention, intention and potential users.
    Intention users "are interested, but what is lacking is trust": "the questions
    raised by users must be answered", the operator is "real-time online", and "such
    users should be served carefully to let them change from intention to strong
    intention". Strong intention users are pulled "into the core user base" and kept
    active through honour and responsibility. Seed 002 counts help (questions answered)
    among the five values members want.

    In the model, personal care raises the trust of every intention-layer member by
    ``care_trust`` a day (they move up to strong intention once trust reaches
    ``dynamics.strong_trust``); being online multiplies the weight of responders to
    questions by ``fast_answers``; the core group adds ``core_commitment`` a day to the
    commitment of strong-intention members. Care costs owner time per cared member,
    which grows with the group.
    """

    key: ClassVar[str] = "layering"
    name: ClassVar[str] = "User layering"
    params = (
        Param("care", True, "personal care (private chats, follow-ups) for intention users",
              ""),
        Param("care_trust", 0.01, "trust an intention user gains each day from that care",
              "trust/day", 0.0, 0.2),
        Param("care_minutes", 0.5, "owner's daily time per cared member", "minutes", 0.0,
              120.0),
        Param("fast_answers", 2.0, "how much more likely questions are answered when the team "
              "is online (1: no effort)", "factor", 1.0, 20.0),
        Param("online_minutes", 30.0, "owner's daily time online to answer when fast_answers "
              "is above 1", "minutes", 0.0, 1440.0),
        Param("core_group", True, "pull strong-intention users into a core group", ""),
        Param("core_commitment", 0.005, "commitment a core-group member gains each day",
              "per day", 0.0, 0.2),
        Param("core_minutes", 10.0, "owner's daily time running the core group", "minutes",
              0.0, 1440.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("trust", "value_help", "members"),
        "money_per_day": "0",
        "owner_minutes_per_day": "intention members x care_minutes + online_minutes + "
                                 "core_minutes",
        "stochastic": False,
        "source": "004, 002",
    }

    def plan(self, model, day, plan) -> None:
        """Care for intention users, answer fast, and keep the core group committed."""
        s = self.settings
        cared = kernels.care_for_layers(
            model.members(), model.member_record, model.group_record,
            (INTENTION, STRONG, s.care, s.care_trust, s.core_group, s.core_commitment))
        if s.care:
            plan.owner_minutes += cared * s.care_minutes
        if s.fast_answers > 1.0:
            plan.answer_boost *= s.fast_answers
            plan.owner_minutes += s.online_minutes
        if s.core_group:
            plan.owner_minutes += s.core_minutes
