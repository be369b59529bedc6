"""S8 seed users and fission: invitation campaigns, quotas, initiator status, Moments."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

import agents
from sim.engine import strategy_kernels as kernels
from sim.engine.strategies.base import Strategy
from sim.params import Param

MOMENTS_LIFT = 0.25
"""Extra invitations from one Moments post a week, as a share of members' own rate."""


class Fission(Strategy):
    """Seed users and fission (S8): members invite friends, with rewards, quotas, initiators.

    Seed 001 grows a group through its seed users: "give the initial seed users the
    status of initiators" with privileges, "organize the initiators to develop more
    group members", "send invitation messages to Moments", quotas with rewards ("each
    initial user can enter the VIP group if he or she helps to invite 20 people") and
    free gifts. For ``campaign_days`` from the start, members invite friends
    ``invite_boost`` times as often and get ``reward_per_invite`` for each friend who
    joins. Moments posts reach the poster's friends, which the model represents as
    more invitations along friendships (the engine's own discovery rate is a constant
    of the world). A member whose invitees reach ``quota`` (founders not counted) gets
    VIP recognition once: ``vip_commitment``, a gift of ``vip_reward``, and for ordinary
    members and lurkers initiator status (they take the seed-user role, which posts
    and invites more and confers some status).

    Where it backfires: seed 001 warns that "the quality of seed users is far more
    important than their quantity": a group that pulls in many low-fit people grows
    faster but its conversation and value per member thin out. In the model friends
    are drawn without regard to fit, so the quality of the people invited is the
    population's (``population.traits.fit_mean``), not the inviter's.
    """

    key: ClassVar[str] = "fission"
    name: ClassVar[str] = "Seed users and fission"
    params = (
        Param("invite_boost", 3.0, "how many times more often members invite friends during "
              "the campaign", "factor", 1.0, 100.0),
        Param("campaign_days", 30, "days the campaign runs, from the first day", "days", 0,
              3650),
        Param("reward_per_invite", 0.0, "paid to a member for each friend who joins during "
              "the campaign", "yuan", 0.0, 1000.0),
        Param("quota", 20, "invitees who must join for VIP recognition (seed 001: 20)",
              "people", 1, 100_000),
        Param("vip_reward", 0.0, "gift to a member who reaches the quota", "yuan", 0.0,
              100_000.0),
        Param("vip_commitment", 0.3, "commitment a member gains on reaching the quota",
              "share 0-1", 0.0, 1.0),
        Param("initiator_status", True, "ordinary members who reach the quota become "
              "initiators (seed users)", ""),
        Param("moments_posts_per_week", 0.0, "invitation posts each member is asked to put "
              "on their Moments each week during the campaign", "per week", 0.0, 70.0),
        Param("campaign_minutes", 20.0, "owner's daily time running the campaign", "minutes",
              0.0, 1440.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("joins", "members", "money_spent", "active_share_last_28d"),
        "money_per_day": "reward_per_invite x friends who join during the campaign + "
                         "vip_reward x members reaching the quota",
        "owner_minutes_per_day": "campaign_minutes while the campaign runs",
        "stochastic": False,
        "source": "001",
    }

    def reset(self) -> None:
        """Forget who has been recognised as VIP."""
        self._vip: set[int] = set()
        self._joined_when_checked = -1

    def plan(self, model, day, plan) -> None:
        """Boost and reward invitations during the campaign; recognise quota reachers."""
        s = self.settings
        if day < s.campaign_days:
            plan.invite_boost *= s.invite_boost * (1.0 + MOMENTS_LIFT * s.moments_posts_per_week)
            plan.invite_reward += s.reward_per_invite
            plan.owner_minutes += s.campaign_minutes
        self.recognise(model)

    def recognise(self, model) -> np.ndarray:
        """Members whose invitees reached the quota today get VIP recognition once.

        Nobody new can reach it unless someone joined since the last look (operators
        never step down, so joining is the only way in).
        """
        s, st = self.settings, model.state
        if model.joined_total == self._joined_when_checked:
            return np.empty(0, dtype=np.int64)
        self._joined_when_checked = model.joined_total
        rows = kernels.quota_reached(model.members(), model.member_record, model.group_record,
                                     s.quota)
        if rows.size:
            rows = np.array([r for r in rows.tolist() if r not in self._vip], dtype=np.int64)
        if rows.size == 0:
            return rows
        self._vip.update(rows.tolist())
        st.commitment[rows] = np.minimum(1.0, st.commitment[rows] + s.vip_commitment)
        if s.vip_reward > 0:
            model.pay_members(rows, s.vip_reward)
        if s.initiator_status:
            ordinary = rows[np.isin(st.role[rows], (agents.Member.code, agents.Lurker.code))]
            if ordinary.size:
                model.change_role(ordinary, agents.SeedUser)
        return rows
