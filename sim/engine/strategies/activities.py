"""S6 scheduled activities: sign-in, sharing sessions, lectures, contests, lotteries, meet-ups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

import agents
from sim.engine.plan import Envelope
from sim.engine.strategies.base import Strategy
from sim.engine.strategies.calendar import SCHEDULES, scheduled
from sim.params import Param


@dataclass(frozen=True)
class ActivityEffect:
    """What one activity does on the day it is held.

    Attributes
    ----------
    posting
        Multiplier on everyone's posting that day.
    bonds, identity
        Added to every reader's social-bonds and identity benefit that day.
    commitment
        Added to the commitment of everyone who posts that day (habit).
    announcements
        Calls, reminders and wrap-ups the operator posts (they also start topics).
    minutes
        Owner's team time to prepare and run it.
    content_posts, content_quality
        Content the operator delivers in it (a lecture), and its quality.
    checkin
        Chance each reader posts a one-line check-in (sign-in / punch-in).
    """

    posting: float = 1.0
    bonds: float = 0.0
    identity: float = 0.0
    commitment: float = 0.0
    announcements: int = 0
    minutes: float = 0.0
    content_posts: int = 0
    content_quality: float = 0.0
    checkin: float = 0.0


KINDS = ("sign_in", "sharing_session", "lecture", "pk_competition", "lottery",
         "talent_show", "meetup")
"""Activity kinds, each a schedule parameter of :class:`Activities`."""


class Activities(Strategy):
    """Scheduled activities (S6): sign-in, sharing sessions, lectures, contests, meet-ups.

    Seed 003 lists the kinds of community activities (content sharing sessions,
    sign-in and punch-in, prize collection, small PK competitions, talent shows,
    offline meet-ups) and says their core is "to learn and socialize"; seed 001 asks
    the owner to "hold group activities regularly", to combine online and offline
    activities, and to "cultivate the habit of interaction (21 days to develop a
    habit)". In the model an activity day raises posting, adds to every reader's
    social-bonds and identity benefits, and its calls and wrap-ups start topics for
    the next day; a daily sign-in adds commitment to everyone who posts (the habit);
    a lecture delivers one piece of good content; a lottery is an equal-split prize
    envelope among those who take part (drawn in random order); an offline meet-up
    commits its attendees (the most active members) and costs its budget. Every
    activity costs the owner's team time: the playbooks' price for sustained activity.
    The effect sizes in :attr:`EFFECTS` are modelling choices, not estimates.
    """

    key: ClassVar[str] = "activities"
    name: ClassVar[str] = "Scheduled activities"
    params = (
        Param("sign_in", "never", "daily sign-in / punch-in (usually daily)", "",
              choices=SCHEDULES),
        Param("sharing_session", "wednesday", "members' content sharing session", "",
              choices=SCHEDULES),
        Param("lecture", "never", "special lecture or live course by the owner or a guest", "",
              choices=SCHEDULES),
        Param("pk_competition", "never", "small PK competition between members", "",
              choices=SCHEDULES),
        Param("lottery", "never", "prize lottery among the members who take part", "",
              choices=SCHEDULES),
        Param("talent_show", "never", "members' talent show", "", choices=SCHEDULES),
        Param("meetup", "never", "offline meet-up, on this weekday of every "
              "`meetup_every_weeks`-th week", "", choices=SCHEDULES),
        Param("meetup_every_weeks", 4, "weeks between offline meet-ups", "weeks", 1, 52),
        Param("prize", 100.0, "prize money of one lottery, split equally among its winners",
              "yuan", 0.01, 200.0),
        Param("lottery_winners", 5, "winners of one lottery", "people", 1, 100),
        Param("budget_per_meetup", 500.0, "cost of one offline meet-up (venue, food)", "yuan",
              0.0, 1_000_000.0),
        Param("meetup_size", 20, "members who attend a meet-up (the most active)", "people",
              0, 10_000),
    )
    metadata: ClassVar[dict] = {
        "targets": ("posters", "messages", "active_share", "value_bonds", "value_identity",
                    "owner_minutes", "money_spent"),
        "money_per_day": "prize on lottery days (only money won is booked), "
                         "budget_per_meetup on meet-up days",
        "owner_minutes_per_day": "sum of the minutes of the activities held that day "
                                 "(Activities.EFFECTS)",
        "stochastic": False,
        "source": "001, 003",
    }

    # Effect sizes: modelling choices, set so that one activity day is a noticeable
    # but not dominant event next to the engine's daily benefits (a reply is worth
    # 0.5 bonds, a role's status 0-1 identity). None of them is an estimate.
    EFFECTS: ClassVar[dict[str, ActivityEffect]] = {
        # a one-line check-in: a little more talk, and posting every day builds the habit
        "sign_in": ActivityEffect(posting=1.2, identity=0.03, commitment=0.01,
                                  announcements=1, minutes=5.0, checkin=0.3),
        # members present what they know: much talk and getting to know each other
        "sharing_session": ActivityEffect(posting=1.6, bonds=0.25, identity=0.1,
                                          commitment=0.005, announcements=2, minutes=60.0),
        # the owner or a guest teaches: good content, questions, less chat
        "lecture": ActivityEffect(posting=1.2, bonds=0.1, identity=0.1, commitment=0.005,
                                  announcements=1, minutes=90.0, content_posts=1,
                                  content_quality=0.8),
        # a contest: a burst of posting and pride in the team
        "pk_competition": ActivityEffect(posting=1.8, bonds=0.15, identity=0.15,
                                         commitment=0.005, announcements=2, minutes=45.0),
        # the prize is the point: a little extra talk
        "lottery": ActivityEffect(posting=1.1, announcements=1, minutes=15.0),
        # members perform and cheer each other
        "talent_show": ActivityEffect(posting=1.5, bonds=0.3, identity=0.15, commitment=0.005,
                                      announcements=2, minutes=60.0),
        # photos and stories of the meet-up in the group; attendees commit (below)
        "meetup": ActivityEffect(posting=1.3, bonds=0.3, identity=0.2, announcements=1,
                                 minutes=240.0),
    }
    MEETUP_COMMITMENT: ClassVar[float] = 0.1
    """Commitment each meet-up attendee gains (having met in person). Modelling choice."""
    MEETUP_TRUST: ClassVar[float] = 0.05
    """Trust in the owner each meet-up attendee gains. Modelling choice."""

    def reset(self) -> None:
        """Forget the weekly calendar worked out so far."""
        self._calendar: dict[tuple[int, bool], tuple[str, ...]] = {}

    def held_on(self, day: int) -> tuple[str, ...]:
        """Activity kinds held on ``day``."""
        s = self.settings
        meetup_week = (day // 7 + 1) % s.meetup_every_weeks == 0
        key = (day % 7, meetup_week)
        if key not in self._calendar:  # the same every week: work it out once
            self._calendar[key] = tuple(
                kind for kind in KINDS if scheduled(getattr(s, kind), day)
                and (kind != "meetup" or meetup_week))
        return self._calendar[key]

    def sessions_on(self, day: int) -> tuple[str, ...]:
        """Activities held on ``day`` that are sessions (everything but the sign-in)."""
        return tuple(kind for kind in self.held_on(day) if kind != "sign_in")

    def plan(self, model, day, plan) -> None:
        """Hold today's activities: boosts, calls, content, prizes, meet-ups, time."""
        s = self.settings
        for kind in self.held_on(day):
            effect = self.EFFECTS[kind]
            plan.posting_boost *= effect.posting
            plan.bonds_boost += effect.bonds
            plan.identity_boost += effect.identity
            plan.commitment_boost += effect.commitment
            plan.checkin_chance = max(plan.checkin_chance, effect.checkin)
            plan.announcements += effect.announcements
            plan.owner_minutes += effect.minutes
            if effect.content_posts:
                total = plan.content_posts + effect.content_posts
                plan.content_quality = (plan.content_quality * plan.content_posts
                                        + effect.content_quality * effect.content_posts) / total
                plan.content_posts = total
            if kind == "lottery":
                plan.envelopes.append(Envelope(s.prize, s.lottery_winners, "equal"))
            elif kind == "meetup":
                self._meet(model, s.meetup_size)
                if s.budget_per_meetup > 0:
                    model.spend(s.budget_per_meetup)

    def _meet(self, model, size: int) -> None:
        """The ``size`` most active members (by recent posting) meet in person."""
        st = model.state
        rows = model.members()
        role = st.role[rows]
        eligible = ((model.roles.operator[role] == 0) & (role != agents.Spammer.code)
                    & (role != agents.RedEnvelopeHunter.code) & (st.recent_posts[rows] > 0))
        rows = rows[eligible]
        if rows.size == 0 or size == 0:
            return
        attendees = rows[np.argsort(-st.recent_posts[rows], kind="stable")[:size]]
        st.commitment[attendees] = np.minimum(1.0, st.commitment[attendees]
                                              + self.MEETUP_COMMITMENT)
        st.trust[attendees] = np.minimum(1.0, st.trust[attendees] + self.MEETUP_TRUST)
