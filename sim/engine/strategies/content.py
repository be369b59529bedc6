"""S7 content push: the owner's team posts topics and quality content."""

from __future__ import annotations

from typing import ClassVar

from sim.engine.strategies.base import Strategy
from sim.params import Param

IRREGULAR_DAY_CHANCE = 0.3
"""On an irregular schedule content comes on about three days in ten, in bursts."""

LONG_TEXT_NOISE = 0.6
"""Extra overload cost of one long unstructured post, in messages' worth of noise."""


class ContentPush(Strategy):
    """Content push (S7): daily topics and quality content from the owner's team.

    Seed 001 asks for "at least three interactions a day" and warns against
    irregular pushes; seed 002 puts high-quality content first among the five values
    members want. Content is valued in proportion to each reader's topic fit. An
    irregular schedule delivers the same amount in bursts that fewer people read
    (failure F8, "irregular pushes ignored"); long unstructured text adds noise.
    """

    key: ClassVar[str] = "content"
    name: ClassVar[str] = "Content push"
    params = (
        Param("posts_per_day", 3.0, "content messages the owner's team posts per day",
              "messages/day", 0.0, 100.0),
        Param("quality", 0.6, "how useful the content is to a reader who fits the topic",
              "score 0-1", 0.0, 1.0),
        Param("schedule", "regular", "every day at set times, or whenever someone finds time",
              "", choices=("regular", "irregular")),
        Param("format", "structured", "short structured posts or long unstructured text", "",
              choices=("structured", "long_text")),
        Param("minutes_per_post", 15.0, "owner's time to prepare and post one message",
              "minutes", 0.0, 600.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("value_content", "trust", "messages"),
        "money_per_day": "0",
        "owner_minutes_per_day": "posts_per_day x minutes_per_post",
        "stochastic": True,
        "source": "001, 002",
    }

    def reset(self) -> None:
        """Forget the fraction of a post carried over from earlier days."""
        self._carry = 0.0

    def plan(self, model, day, plan) -> None:
        """Schedule today's content posts, their quality, noise and owner time."""
        s = self.settings
        due = s.posts_per_day
        attention = 1.0
        if s.schedule == "irregular":
            if model.rng.random() >= IRREGULAR_DAY_CHANCE:
                return
            due = s.posts_per_day / IRREGULAR_DAY_CHANCE
            attention = 0.6
        self._carry += due
        posts = int(self._carry)
        self._carry -= posts
        if posts == 0:
            return
        quality = s.quality * (0.85 if s.format == "long_text" else 1.0)
        total = plan.content_posts + posts
        plan.content_quality = (plan.content_quality * plan.content_posts + quality * posts) / total
        plan.content_posts = total
        plan.content_attention = min(plan.content_attention, attention)
        if s.format == "long_text":
            plan.content_noise += LONG_TEXT_NOISE * posts
        plan.owner_minutes += posts * s.minutes_per_post
