"""Recruitment: invitations along friendships, discovery, filters and capacity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.day import recruitment_kernels as compiled
from sim.engine.plan import welcomes_within_time
from sim.engine.state import KIND

if TYPE_CHECKING:
    from sim.engine.community import Community
    from sim.engine.day.today import Today
    from sim.engine.plan import DayPlan


def recruit(model: Community, plan: DayPlan, today: Today) -> None:
    """Invitations travel along friendships; outsiders accept, filters and capacity apply.

    Each member invites one random friend with a daily chance set by their role and
    engagement; outsiders may also find the group on their own (would-be advertisers
    look for groups far more, and red-envelope hunters look for groups that hand out
    envelopes: in proportion to the group's recent envelope money). In a group of at
    most ``group.consent_above`` members an invited friend is pulled in without being
    asked (WeChat's rule); above it they
    accept with a chance that grows with the group's appeal and with how tightly knit
    their friends are (T4). An outsider considers the group at most once a day; the
    more friends inside, the likelier an invitation on any day, with diminishing
    returns (1 - (1 - p)^friends). Strategies' admission filters (entry thresholds)
    come next, then capacity.
    """
    st, w = model.state, model.world
    members = model.members()
    free = model.group.capacity - members.size
    if free <= 0:
        return
    candidates, via = compiled.recruit_kernel(members, model.member_record,
                                              model.group_record, model.day_record)
    if candidates.size == 0:
        return
    for admit in plan.admission:
        keep = np.asarray(admit(model, candidates, via), dtype=bool)
        candidates, via = candidates[keep], via[keep]
    if candidates.size > free:
        keep = np.sort(model.rng.permutation(candidates.size)[:free])
        candidates, via = candidates[keep], via[keep]
    if candidates.size == 0:
        return
    order = np.argsort(candidates, kind="stable")
    candidates, via = candidates[order], via[order]
    layer = ((via < 0) & (w.fit[candidates] > 0.6)).astype(np.int8)
    model.add_members(candidates, w.natural_role[candidates], via, layer,
                      plan.join_commitment, plan.join_expectation)
    joins = int(candidates.size)
    # the team welcomes newcomers while its day's time lasts (group.operator_hours)
    welcomed = welcomes_within_time(plan, 60.0 * model.group.operator_hours, joins)
    st.welcomed[candidates[:welcomed]] = plan.welcome_speech
    st.saw_rules[candidates] = plan.rules_announced
    if plan.welcome_speech:
        today.operator_posts[KIND["announcement"]] += welcomed
    today.joins = joins
    plan.owner_minutes += plan.welcome_minutes * welcomed
    if plan.entry_fee > 0:
        model.earn(plan.entry_fee * joins)
    inviters = via[via >= 0]
    if plan.invite_reward > 0 and inviters.size:
        model.pay_members(inviters, plan.invite_reward)
    if plan.greeting_envelope is not None:
        plan.envelopes.append(plan.greeting_envelope)
