"""The evening: value and engagement update, then moderation and churn."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents import Administrator, Lurker, Member, OpinionLeader
from sim.engine.day import evening_kernels as compiled
from sim.engine.day.today import N_KINDS
from sim.engine.indices import TO_LEADER, TO_LURKER, TO_MEMBER
from sim.engine.state import KIND, MEMBER

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.day.today import Today
    from sim.engine.plan import DayPlan


def update_value(model: Community, plan: DayPlan, today: Today) -> None:
    """Perceived value, engagement, trust and commitment follow today's experience.

    Today's benefits (content, material, help, bonds, identity) and costs (overload,
    spam, friction) of members who read enter an exponential memory; engagement
    moves toward a logistic function of the role-weighted value; newcomers whose
    first post was answered gain engagement and those ignored lose it (T3). Also
    sets tomorrow's topic supply from today's conversation starters.

    The same compiled pass then decides moderation and churn (see
    :func:`moderate_and_churn`, which acts on the decisions).
    """
    rows = today.rows
    size = rows.size
    today.counts = np.empty(N_KINDS, dtype=np.int64)
    today.cost = np.empty(size)
    today.caught = np.empty(size, dtype=bool)
    today.leaving = np.empty(size, dtype=bool)
    today.transition = np.empty(size, dtype=np.int8)
    reviewers = len(model.agents_by_type.get(Administrator, ())) + 0.5
    model.topic_supply, *today.churn = compiled.evening_kernel(
        rows, model.member_record, model.group_record, model.day_record,
        (today.read, today.wrote, today.posts, today.operator_posts, today.counts,
         today.answered, today.replies_got, today.first_post, today.first_answered,
         today.cost, today.caught, today.leaving, today.transition, reviewers))
    remember_the_talk(model, today.counts)


def remember_the_talk(model: Community, counts: np.ndarray) -> None:
    """The group's norm and volume: what tomorrow's talk starts from.

    The norm is the on-topic share of its talk, remembered (``norm_memory``); the
    volume, all messages of the day (what tomorrow's readers have to catch up on).

    Talk is discussion and chat (content, questions, answers, ads and envelopes are
    not), so the norm is on the footing of ``on_topic_talk``.
    """
    model.last_volume = float(counts.sum())
    on, off = int(counts[KIND["discussion"]]), int(counts[KIND["chat"]])
    if on + off:
        model.topic_norm += model.dyn.norm_memory * (on / (on + off) - model.topic_norm)


# ---------------------------------------------------------- moderation and churn


def moderate_and_churn(model: Community, plan: DayPlan, today: Today) -> None:
    """Administrators remove advertisers they catch; members mute, leave, change role.

    Review capacity is shared over the day's messages, so a flooded group is
    moderated less well. Flooded readers mute before they leave (T6). The chance to
    leave grows with how far perceived value falls below what the role expects,
    less for muted and committed members. Silent members become lurkers; lurkers who
    post again become members; prolific, trusting members are recognised as opinion
    leaders; trust moves members up an intention layer.

    The decisions (and muting, silence and layers) come from the evening's compiled
    pass in :func:`update_value`; this phase carries them out as agent events.
    """
    rows = today.rows
    n_caught, n_leaving, n_changes = today.churn
    if n_caught:
        model.moderator().remove_members(rows[today.caught])
        _reward_reports(model, plan, today, n_caught)
    if n_leaving:
        model.leave(rows[today.leaving])
    if n_changes:
        for code, new_role in ((TO_LURKER, Lurker), (TO_MEMBER, Member),
                               (TO_LEADER, OpinionLeader)):
            model.change_role(rows[today.transition == code], new_role)


def _reward_reports(model: Community, plan: DayPlan, today: Today, caught: int) -> None:
    """Pay the plan's reward to a member who reported each removed advertiser.

    The reporter is a random reader of the day who is still in the group.
    """
    if plan.report_reward <= 0:
        return
    st = model.state
    readers = today.rows[today.read]
    readers = readers[(st.status[readers] == MEMBER)
                      & (model.roles.operator[st.role[readers]] == 0)]
    if readers.size == 0:
        return
    model.pay_members(readers[model.rng.integers(0, readers.size, caught)], plan.report_reward)
