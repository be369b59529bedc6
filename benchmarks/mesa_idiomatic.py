"""The core posting-and-engagement dynamics written the idiomatic Mesa way.

Reference point for ``bench_engine.py``: one ``mesa.Agent`` per group member, each
with a Python ``step()`` that loops over its friends in the group, activated in random
order every day with ``model.agents.shuffle_do("step")``. It does the same kind of
daily work as the engine's phases (DESIGN.md, "The engine: agents are the nouns, the
day is the verb") on the same people:

- decide whether to open the chat (``read_floor + read_gain x engagement``);
- draw posts, Poisson with ``role post rate x sociability x engagement^k x topic``;
- collect replies from friends who are reading, each more likely with the friend's
  reply propensity and engagement and the author's influence;
- remember today's content, bonds, identity and overload in an exponential memory
  (``value_memory``), weigh them by role into a perceived value, and move engagement
  toward a logistic function of that value (or let it decay on days away).

Every number comes from the scenario (its ``dynamics`` section, whose defaults are
``sim.engine.dynamics.DYNAMICS_PARAMS``), the content strategy's settings and the role
classes' :class:`agents.base.RoleTraits`. Churn, moderation, red envelopes and
recruitment are left out: the reference does *less* work per member-day than the
engine, so the measured speed-up is conservative.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from agents import ROLES

if TYPE_CHECKING:
    from agents.base import RoleTraits
    from sim.engine.model import CommunityModel

QUESTION_STARTER = 0.25
"""A question starts a conversation a quarter as often as content (as ``sim.engine.records``)."""


class IdiomaticMember(mesa.Agent):
    """One group member holding its own state as plain attributes.

    Parameters
    ----------
    model
        The :class:`IdiomaticGroup` the member belongs to.
    traits
        The traits of the member's role class (``agents.roles``).
    fit, sociability, engagement
        The person's topic fit, talkativeness and day-0 engagement, copied from the
        engine's world and member table.
    """

    def __init__(self, model: IdiomaticGroup, traits: RoleTraits, fit: float,
                 sociability: float, engagement: float) -> None:
        super().__init__(model)
        self.traits = traits
        self.fit = fit
        self.sociability = sociability
        self.engagement = engagement
        self.friends: list[IdiomaticMember] = []
        self.reading = False
        self.posts = 0
        self.replies_written = 0
        self.content = self.bonds = self.identity = self.cost = 0.0
        self.value = 0.0

    def step(self) -> None:
        """Live one day: read or not, post, gather replies, update value and engagement."""
        dyn = self.model.dyn
        self.reading = self.random.random() < dyn.read_floor + dyn.read_gain * self.engagement
        if not self.reading:
            self.posts = 0
            self.engagement *= 1.0 - dyn.neglect_decay
            return
        self.posts = self._draw_posts()
        replies, heard, friends_reading = self._talk_with_friends()
        self._remember(replies, heard, friends_reading)
        target = 1.0 / (1.0 + math.exp((dyn.value_midpoint - self.value) / dyn.value_spread))
        self.engagement += dyn.engagement_rate * (target - self.engagement)
        self.engagement = min(1.0, max(0.0, self.engagement))

    def _draw_posts(self) -> int:
        """Today's posts: Poisson with role rate x sociability x engagement^k x topic."""
        model = self.model
        rate = (self.traits.post_rate * self.sociability
                * self.engagement ** model.dyn.engagement_exponent * model.topic)
        posts = int(model.rng.poisson(rate)) if rate > 0.0 else 0
        model.messages += posts
        model.starters += posts * (self.traits.content_share
                                   + QUESTION_STARTER * self.traits.question_share)
        return posts

    def _talk_with_friends(self) -> tuple[int, float, int]:
        """Replies friends give to today's posts, and what the member reads from them.

        Returns
        -------
        replies, heard, friends_reading
            Replies received, friends' messages read today and how many friends read.
        """
        reply_scale = self.model.dyn.reply_scale
        influence = self.traits.influence
        replies = 0
        heard = 0.0
        friends_reading = 0
        for friend in self.friends:
            if not friend.reading:
                continue
            friends_reading += 1
            heard += friend.posts
            weight = friend.traits.reply_propensity * friend.engagement
            chance = 1.0 - math.exp(-influence * weight / reply_scale)
            for _ in range(self.posts):
                if self.random.random() < chance:
                    replies += 1
                    friend.replies_written += 1
        return replies, heard, friends_reading

    def _remember(self, replies: int, heard: float, friends_reading: int) -> None:
        """Fold today's benefits and costs into the exponential memory of value."""
        model, dyn, t = self.model, self.model.dyn, self.traits
        seen = model.content_posts + heard * model.member_content_share
        quality = ((model.content_posts * model.content_quality
                    + heard * model.member_content_share * dyn.member_content_quality) / seen
                   if seen > 0 else 0.0)
        content = self.fit * quality * min(1.0, seen / dyn.content_saturation)
        bonds = 0.5 * min(1.0, replies) + 0.3 * min(1.0, friends_reading * 0.2)
        volume = heard + model.content_posts
        cost = dyn.noise_weight * max(
            0.0, volume / (dyn.noise_tolerance * (0.5 + self.engagement)) - 1.0)
        keep, memory = 1.0 - dyn.value_memory, dyn.value_memory
        self.content = keep * self.content + memory * content
        self.bonds = keep * self.bonds + memory * bonds
        self.identity = keep * self.identity + memory * t.status
        self.cost = keep * self.cost + memory * cost
        self.value = (t.w_content * self.content + t.w_bonds * self.bonds
                      + t.w_identity * self.identity - self.cost)


class IdiomaticGroup(mesa.Model):
    """A chat group of :class:`IdiomaticMember` agents on the engine's social graph.

    Parameters
    ----------
    community
        An engine model before its first day: the reference takes its day-0 members
        (rows, roles, traits, engagement), its friendships among them and its
        scenario's dynamics and content settings.
    seed
        Seed of the reference model's random generators.
    """

    def __init__(self, community: CommunityModel, seed: int) -> None:
        super().__init__(rng=seed)
        self.dyn = community.dyn
        content = community.config.strategies_for(community.arm).get("content")
        self.content_posts = float(content.posts_per_day) if content is not None else 0.0
        self.content_quality = float(content.quality) if content is not None else 0.0
        self.topic = 1.0
        self.messages = 0
        self.starters = 0.0
        by_row = self._place_members(community)
        self.member_content_share = sum(a.traits.content_share for a in by_row.values()) / max(
            1, len(by_row))
        self._befriend(community, by_row)
        self.datacollector = mesa.DataCollector(model_reporters={
            "members": lambda m: len(m.agents),
            "readers": lambda m: sum(1 for a in m.agents if a.reading),
            "messages": lambda m: m.messages,
            "engagement": lambda m: m.agents.agg("engagement", sum) / max(1, len(m.agents)),
        })

    def _place_members(self, community: CommunityModel) -> dict[int, IdiomaticMember]:
        """One agent per day-0 member of the engine's group, keyed by graph node."""
        world, state = community.world, community.state
        members: dict[int, IdiomaticMember] = {}
        for row in community.members().tolist():
            traits = ROLES[int(state.role[row])].traits
            members[row] = IdiomaticMember(
                self, traits, float(world.fit[row]), float(world.sociability[row]),
                float(state.engagement[row]))
        return members

    @staticmethod
    def _befriend(community: CommunityModel, by_row: dict[int, IdiomaticMember]) -> None:
        """Friend lists from the engine's networkx graph, restricted to the group."""
        graph = community.world.graph
        for row, agent in by_row.items():
            agent.friends = [by_row[v] for v in graph.neighbors(row) if v in by_row]

    def step(self) -> None:
        """One day: every member steps in random order, then the topic supply updates."""
        self.messages = 0
        self.starters = self.content_posts
        self.agents.shuffle_do("step")
        dyn = self.dyn
        supply = 1.0 - math.exp(-self.starters / dyn.topic_scale)
        self.topic = dyn.topic_floor + (1.0 - dyn.topic_floor) * supply
        self.datacollector.collect(self)

    def member_days(self) -> int:
        """Sum over the simulated days of the number of members."""
        return int(sum(self.datacollector.model_vars["members"]))
