"""S3 cleanup: remove long-silent members, advertisers and red-envelope hunters."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

import agents
from sim.engine.state import KIND
from sim.engine.strategies.base import Strategy, after_the_run
from sim.params import Param

MIN_GAP_DAYS = 7
"""An extra cleanup near capacity comes at least this many days after the previous one."""


class Cleanup(Strategy):
    """Cleanup (S3): every few months the owner removes lurkers, advertisers and hunters.

    Seed 001 asks administrators to "regularly clean up group members, such as deleting
    some members who have been lurking in the group for a long time, do not speak, and
    do not abide by the group rules every three months, so as to allow more truly
    like-minded members to join" ("cleanup crew, no mercy"); seed 004 asks to screen
    potential users first and remove red-envelope hunters and advertisers. On a cleanup
    day, at the start of the day, the owner reviews every member who is not an operator
    and removes those who have written nothing for ``silent_days`` days (lurkers),
    anyone who has posted an ad (rule breakers), and red-envelope hunters (recognised
    by their grab-and-stay-silent behaviour; the model uses their role). Near capacity
    an extra cleanup makes room. The removed count as removed, not as leaving.

    Where it backfires: silence is not the same as no interest. Seed 004 describes
    intention users who read and lack only trust; a short silence threshold removes them
    with the lurkers, and with them the members who would have bought later (keep buyers
    with ``spare_buyers``).
    """

    key: ClassVar[str] = "cleanup"
    name: ClassVar[str] = "Cleanup"
    params = (
        Param("every_days", 90, "days between scheduled cleanups (seed 001: three months)",
              "days", 1, 3650),
        Param("silent_days", 60, "days without writing anything after which a member counts "
              "as a lurker to remove", "days", 1, 3650),
        Param("lurkers", True, "remove members silent for silent_days or more", ""),
        Param("spammers", True, "remove members who have posted an ad", ""),
        Param("hunters", True, "remove red-envelope hunters", ""),
        Param("near_capacity", 0.0, "share of capacity at which an extra cleanup is done "
              "(0: never)", "share 0-1", 0.0, 1.0),
        Param("spare_buyers", False, "keep members who have bought something", ""),
        Param("minutes_per_member", 0.2, "owner's time to review one member at a cleanup",
              "minutes", 0.0, 60.0),
    )
    metadata: ClassVar[dict] = {
        "targets": ("members", "removed", "active_share_last_28d", "lurker_share",
                    "spam_share"),
        "money_per_day": "0",
        "owner_minutes_per_day": "on cleanup days: members reviewed x minutes_per_member",
        "stochastic": False,
        "source": "001, 004",
    }

    def reset(self) -> None:
        """Forget the day of the last cleanup."""
        self._last = -MIN_GAP_DAYS

    @property
    def looks_for_nobody(self) -> bool:
        """Whether lurkers, spammers and hunters are all off (nobody is a target)."""
        s = self.settings
        return not (s.lurkers or s.spammers or s.hunters)

    def idle_in(self, days: int) -> str | None:
        """Nobody to remove, or no cleanup day within the run (and none near capacity)."""
        s = self.settings
        if self.looks_for_nobody:
            return "lurkers, spammers and hunters are all false: it removes nobody"
        if s.near_capacity > 0:
            return None
        return after_the_run("the first cleanup", s.every_days, "every_days", days)

    def due(self, model, day: int) -> bool:
        """Whether today is a cleanup day (scheduled, or an extra one near capacity).

        Never when there is nothing to look for (lurkers, spammers and hunters all
        off): nobody spends an afternoon reviewing members to remove none.
        """
        s = self.settings
        if self.looks_for_nobody:
            return False
        if day > 0 and day % s.every_days == 0:
            return True
        return (s.near_capacity > 0 and day - self._last >= MIN_GAP_DAYS
                and model.members().size >= s.near_capacity * model.group.capacity)

    def targets(self, model) -> np.ndarray:
        """Rows the cleanup would remove today."""
        s, st = self.settings, model.state
        rows = model.members()
        reviewed = rows[model.roles.operator[st.role[rows]] == 0]
        out = np.zeros(reviewed.size, dtype=bool)
        if s.lurkers:
            out |= st.days_silent[reviewed] >= s.silent_days
        if s.spammers:
            out |= st.messages[reviewed, KIND["ad"]] > 0
        if s.hunters:
            out |= st.role[reviewed] == agents.RedEnvelopeHunter.code
        if s.spare_buyers:
            out &= ~st.converted[reviewed]
        return reviewed[out]

    def plan(self, model, day, plan) -> None:
        """On a cleanup day, review the members and remove the targets."""
        if not self.due(model, day):
            return
        self._last = day
        st = model.state
        rows = model.members()
        reviewed = int(np.count_nonzero(model.roles.operator[st.role[rows]] == 0))
        plan.owner_minutes += reviewed * self.settings.minutes_per_member
        gone = self.targets(model)
        if gone.size:
            model.moderator().remove_members(gone)
