"""S4 group rules and moderation: bans, enforcement, reminders, reports, administrators."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

import agents
from sim.engine.strategies.base import Strategy
from sim.params import Param

MODERATION_GAIN = 2.0
"""Extra moderation at full strictness: an ad is three times as likely to be caught."""
FRICTION_AT_FULL = 0.08
"""Daily cost of the rules to every reader at full strictness (value units); grows as
strictness squared, so mild rules cost almost nothing."""
DAMPING_AT_FULL = 0.6
"""Share of the chat lost at full strictness ("nobody dares speak"); grows as strictness
cubed, so moderate rules leave the conversation almost untouched."""
STRICT_COMPLIANCE = 0.4
"""Share of members' stray ads held back at full strictness."""
REMINDER_COMPLIANCE = 0.5
"""Most compliance that reminders add; weekly reminders reach 1 - exp(-r / 2) of it."""
COMPLIANCE_CAP = 0.95
REPORT_HALF = 5.0
"""Reward per report (yuan) at which members' reports add half their most (one more
catch per catch the administrators make)."""
OFF_TOPIC_POLICIES = ("allowed", "discouraged", "banned")
"""What the rules say of off-topic talk (greetings, small talk, memes, personal chat)."""
OFF_TOPIC_HOLD = {"allowed": 0.0, "discouraged": 0.3, "banned": 0.6}
"""Share of their small talk members hold back under each policy, at no strictness."""
OFF_TOPIC_STRICT_HOLD = 0.35
"""Extra share held back at full strictness (warnings, removals of repeat offenders)."""
OFF_TOPIC_HOLD_CAP = 0.95
BAN_FRICTION_AT_FULL = 0.15
"""Daily cost of a strictly enforced ban to a reader who lives for small talk (value units,
times their chat taste): seed 004's "not so strict that everyone ... dares not say
anything"."""
PROMOTION_TRUST = 0.5
"""Trust in the owner a member needs to be made an administrator."""


def reminders_on(day: int, per_week: int) -> int:
    """Reminders posted on ``day`` when ``per_week`` are spread evenly over the week."""
    weekday = day % 7
    return (weekday + 1) * per_week // 7 - weekday * per_week // 7


class GroupRules(Strategy):
    """Group rules and moderation (S4): ban ads, enforce, remind, reward reports, add admins.

    Seed 001: "the group rules must be strict and clear", reiterated "from time to
    time", advertisers removed decisively, a red envelope for reporting rule breakers,
    and "a WeChat group with more than 200 people should have at least three
    administrators". Seed 003 lists rules of speech and punishment among its five keys;
    seed 004 calls for rules repeated at the start so members keep order later.

    In the model, banning ads makes each ad likelier to get its poster removed (more so
    the stricter the enforcement and the more members report for a reward) and makes
    members hold back their own stray ads (more so with reminders, which are also
    announcements in the chat). Above a size, the owner promotes the most active
    trusting members to administrators, whose review capacity catches more ads in a
    busy group.

    Off-topic talk has its own policy (:meth:`keep_on_topic`): allowed, discouraged or
    banned.

    Where it backfires: seed 004 wants rules "orderly, but not so strict that
    everyone feels uncomfortable and dares not say anything". Strictness is a daily
    cost to every reader (rule friction, which also slows trust) and, when high,
    dampens everyone's posting.
    """

    key: ClassVar[str] = "rules"
    name: ClassVar[str] = "Group rules"
    params = (
        Param("ban_ads", True, "advertising is forbidden and ads get their poster removed",
              ""),
        Param("strictness", 0.5, "how strictly rules are enforced (0 lax, 1 harsh)",
              "share 0-1", 0.0, 1.0),
        Param("reminders_per_week", 1, "rule reminders posted in the group each week",
              "per week", 0, 70),
        Param("report_reward", 0.0, "reward to a member for each advertiser removed on "
              "their report", "yuan", 0.0, 1000.0),
        Param("three_admins_above", 200, "group size above which the owner makes sure there "
              "are min_admins administrators", "members", 0, 10_000_000),
        Param("min_admins", 3, "administrators wanted above that size (seed 001: three)",
              "people", 0, 100),
        Param("minutes_per_reminder", 5.0, "owner's time to write one reminder", "minutes",
              0.0, 600.0),
        Param("enforcement_minutes", 20.0, "owner's daily time enforcing at full strictness",
              "minutes", 0.0, 1440.0),
        Param("off_topic", "allowed", "off-topic talk (greetings, small talk, memes, personal "
              "chat): allowed, discouraged (members are asked to keep to the topic) or banned "
              "(warnings, and repeat offenders removed)", "", choices=OFF_TOPIC_POLICIES),
        Param("off_topic_minutes", 30.0, "administrators' daily time keeping a busy group on "
              "topic at full strictness under a ban (half under discouraged)", "minutes",
              0.0, 1440.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("spam_share", "spam_messages", "messages", "value_cost", "removed",
                    "off_topic_share"),
        "money_per_day": "report_reward x advertisers removed on a report",
        "owner_minutes_per_day": "reminders x minutes_per_reminder + strictness x "
                                 "enforcement_minutes (+ strictness x off_topic_minutes "
                                 "under a ban, half under discouraged)",
        "stochastic": False,
        "source": "001, 003, 004",
    }

    def plan(self, model, day, plan) -> None:
        """Set today's moderation, compliance, friction and chat; promote admins."""
        s = self.settings
        strict = s.strictness
        reminders = reminders_on(day, s.reminders_per_week)
        if s.ban_ads:
            reports = s.report_reward / (s.report_reward + REPORT_HALF)
            plan.moderation *= (1.0 + MODERATION_GAIN * strict) * (1.0 + reports)
            plan.report_reward += s.report_reward
            held = (STRICT_COMPLIANCE * strict
                    + REMINDER_COMPLIANCE * (1.0 - math.exp(-s.reminders_per_week / 2.0)))
            plan.compliance = max(plan.compliance, min(COMPLIANCE_CAP, held))
        self.keep_on_topic(plan)
        plan.friction += FRICTION_AT_FULL * strict ** 2
        plan.posting_boost *= 1.0 - DAMPING_AT_FULL * strict ** 3
        plan.announcements += reminders
        plan.owner_minutes += reminders * s.minutes_per_reminder + strict * s.enforcement_minutes
        self.promote_admins(model)

    def keep_on_topic(self, plan) -> None:
        """The off-topic policy: members hold back small talk; a ban costs chat lovers.

        Seed 004's first failure is a group that "became a chat group ... no
        positioning"; seed 003 asks whether a group exists to keep relationships or to
        develop an interest. Discouraging off-topic talk makes members hold back
        ``0.3 + 0.35 x strictness`` of it, a ban ``0.6 + 0.35 x strictness``; what they
        hold back is not written (fewer bonds for those who enjoy it, less noise for
        those who came for the topic). Keeping a group on topic takes the
        administrators' time, and a strict ban is a daily cost to those who love small
        talk (``BAN_FRICTION_AT_FULL x strictness x chat taste``).
        """
        s = self.settings
        if s.off_topic == "allowed":
            return
        strict = s.strictness
        hold = min(OFF_TOPIC_HOLD_CAP, OFF_TOPIC_HOLD[s.off_topic] + OFF_TOPIC_STRICT_HOLD * strict)
        plan.off_topic_hold = max(plan.off_topic_hold, hold)
        banned = s.off_topic == "banned"
        if banned:
            plan.off_topic_friction += BAN_FRICTION_AT_FULL * strict
        plan.owner_minutes += strict * s.off_topic_minutes * (1.0 if banned else 0.5)

    def promote_admins(self, model) -> np.ndarray:
        """Make the most active trusting members administrators until there are enough."""
        s, st = self.settings, model.state
        rows = model.members()
        if rows.size <= s.three_admins_above:
            return rows[:0]
        need = s.min_admins - len(model.agents_by_type.get(agents.Administrator, ()))
        if need <= 0:
            return rows[:0]
        promotable = (agents.Member.code, agents.OpinionLeader.code, agents.SeedUser.code)
        ok = np.isin(st.role[rows], promotable) & (st.trust[rows] >= PROMOTION_TRUST)
        candidates = rows[ok]
        order = np.lexsort((candidates, -st.recent_posts[candidates]))
        chosen = candidates[order[:need]]
        if chosen.size:
            model.change_role(chosen, agents.Administrator)
        return chosen
