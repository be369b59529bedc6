"""S10 recognition: commendation of top contributors, titles, medals, promotion to admin."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

import agents
from sim.engine.state import VALUE_PARTS
from sim.engine.strategies.base import Strategy, after_the_run
from sim.params import Param

IDENTITY = VALUE_PARTS.index("identity")

CEREMONY_IDENTITY = 0.05
"""Identity benefit every reader gets on a commendation day (belonging to a group that
honours its members). Modelling choice."""
HONOREE_TRUST = 0.05
"""Trust in the owner each honoree gains from being recognised. Modelling choice."""


class Recognition(Strategy):
    """Recognition (S10): commendation of the top contributors with titles and medals.

    Seed 001 asks for "commendation conferences regularly, such as giving medals or
    red envelopes to active members, or assigning them unique titles", unified name
    cards and exclusive labels that give members "a sense of belonging", and "a group
    over 200 needs at least three" administrators; seed 002 says power users "can be
    set as administrators, give them some power ... highlight the status and existence
    value of users in the community". Every ``every_days`` days the ``top_n``
    members who posted most over the last four weeks (``recent_posts``; operators,
    advertisers and hunters excluded) get a title: their commitment rises (a lasting
    status, which lowers their hazard of leaving and raises their identity benefit
    every day), their remembered identity benefit jumps (the ceremony, which fades
    like any memory), and their trust in the owner grows a little; optionally each
    gets a medal red envelope (paid to them directly) and the top one is promoted to
    administrator while the group has fewer than ``max_admins``. The ceremony is an
    announcement everyone sees. Promoted administrators are operators in the model:
    they never leave, but they no longer count as members in conversation and post at
    an administrator's rate.
    """

    key: ClassVar[str] = "recognition"
    name: ClassVar[str] = "Recognition"
    params = (
        Param("every_days", 30, "days between commendations (the first on this day)", "days",
              1, 365),
        Param("top_n", 5, "members honoured each time, the most active first", "members",
              0, 500),
        Param("commitment_gain", 0.15, "commitment (status, belonging) an honoree gains",
              "share 0-1", 0.0, 1.0),
        Param("identity_gain", 0.3, "jump of an honoree's remembered identity benefit",
              "value units", 0.0, 5.0),
        Param("medal_red_envelope", 0.0, "money given to each honoree with the medal", "yuan",
              0.0, 200.0),
        Param("promote_to_admin", False, "promote the top contributor to administrator", ""),
        Param("max_admins", 3, "promote only while the group has fewer administrators "
              "(seed 001: at least three above 200 members)", "people", 0, 100),
        Param("minutes_per_ceremony", 30.0, "owner's time to pick the honourees and hold "
              "the ceremony", "minutes", 0.0, 600.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("members", "engagement", "trust", "value_identity", "money_spent"),
        "money_per_day": "top_n x medal_red_envelope every every_days days",
        "owner_minutes_per_day": "minutes_per_ceremony every every_days days",
        "stochastic": False,
        "source": "001, 002",
    }

    def honourees(self, model) -> np.ndarray:
        """Rows of the ``top_n`` members who posted most recently, most active first."""
        st = model.state
        rows = model.members()
        role = st.role[rows]
        eligible = ((model.roles.operator[role] == 0) & (role != agents.Spammer.code)
                    & (role != agents.RedEnvelopeHunter.code) & (st.recent_posts[rows] > 0))
        rows = rows[eligible]
        return rows[np.argsort(-st.recent_posts[rows], kind="stable")[:self.settings.top_n]]

    def idle_in(self, days: int) -> str | None:
        """No commendation day within the run."""
        return after_the_run("the first commendation", self.settings.every_days,
                             "every_days", days)

    def plan(self, model, day, plan) -> None:
        """On commendation days, honour the top contributors."""
        s = self.settings
        if day == 0 or day % s.every_days != 0:
            return
        plan.announcements += 1
        plan.identity_boost += CEREMONY_IDENTITY
        plan.owner_minutes += s.minutes_per_ceremony
        rows = self.honourees(model)
        if rows.size == 0:
            return
        st = model.state
        st.commitment[rows] = np.minimum(1.0, st.commitment[rows] + s.commitment_gain)
        st.value_parts[rows, IDENTITY] += s.identity_gain
        st.trust[rows] = np.minimum(1.0, st.trust[rows] + HONOREE_TRUST)
        if s.medal_red_envelope > 0:
            model.pay_members(rows, s.medal_red_envelope)
        if s.promote_to_admin:
            admins = np.count_nonzero(st.role[model.members()] == agents.Administrator.code)
            if admins < s.max_admins:
                model.change_role(rows[:1], agents.Administrator)
