"""S5 welcome template: welcome speech, self-introduction, rules announced."""

from __future__ import annotations

from typing import ClassVar

from sim.engine.strategies.base import Strategy
from sim.params import Param


class WelcomeTemplate(Strategy):
    """Welcome template (S5): greet each newcomer, invite a self-introduction, show the rules.

    Seed 001 describes the welcome ritual of a new member: a welcome speech by the
    owner or an administrator, a self-introduction, and the group rules announced.
    In the model a welcomed newcomer's first post gets a reply (Joyce & Kraut 2006:
    answered newcomers come back more often), a self-introduction makes that first
    post happen on the join day, and visible rules raise newcomers' participation and
    lower their off-topic posting (Matias 2019).
    """

    key: ClassVar[str] = "welcome"
    name: ClassVar[str] = "Welcome template"
    params = (
        Param("welcome_speech", True, "greet every newcomer by name in the group", ""),
        Param("self_introduction", True, "ask each newcomer to introduce themselves", ""),
        Param("announce_rules", True, "show the group rules to each newcomer", ""),
        Param("minutes_per_newcomer", 2.0, "owner's or admin's time per newcomer", "minutes",
              0.0, 120.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("newcomer_retention", "value_bonds", "spam_messages"),
        "money_per_day": "0",
        "owner_minutes_per_day": "newcomers x minutes_per_newcomer",
        "stochastic": False,
        "source": "001",
    }

    def plan(self, model, day, plan) -> None:
        """Switch on today's welcome ritual for everyone who joins."""
        s = self.settings
        plan.welcome_speech = plan.welcome_speech or s.welcome_speech
        plan.self_introduction = plan.self_introduction or s.self_introduction
        plan.rules_announced = plan.rules_announced or s.announce_rules
        plan.welcome_minutes += s.minutes_per_newcomer
