"""Compiled passes of the evening: the day's messages, value, moderation and churn (numba).

Called by :mod:`sim.engine.day.evening`; loaded with numba when first used.
Records: :mod:`sim.engine.records`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.engine.day.conversation_kernels import attention_budget
from sim.engine.indices import (
    K_AD,
    K_ANNOUNCEMENT,
    K_ANSWER,
    K_CHAT,
    K_CONTENT,
    K_OFF_TOPIC,
    K_QUESTION,
    N_PARTS,
    P_BONDS,
    P_CONTENT,
    P_COST,
    P_HELP,
    P_IDENTITY,
    P_MATERIAL,
    STAY,
    T_EXPECT,
    T_OPERATOR,
    T_PATIENCE,
    T_STATUS,
    TO_LEADER,
    TO_LURKER,
    TO_MEMBER,
)


class Evening(NamedTuple):
    """What the evening reads of the day and the decisions it fills (``today``)."""

    read: np.ndarray
    wrote: np.ndarray
    posts: np.ndarray
    operator_posts: np.ndarray
    """Messages of the operator's team today, by kind."""
    counts: np.ndarray
    """Filled: all of today's messages, by kind."""
    answered: np.ndarray
    replies_got: np.ndarray
    first: np.ndarray
    first_answered: np.ndarray
    cost: np.ndarray
    """Filled: each reader's cost of the day (overload, spam, friction)."""
    caught: np.ndarray
    """Filled: advertisers the administrators catch."""
    leaving: np.ndarray
    """Filled: who leaves."""
    transition: np.ndarray
    """Filled: role changes (``sim.engine.indices.STAY``, ``TO_LURKER``, ...)."""
    reviewers: float
    """Administrators reviewing messages (plus half an owner)."""


class Offer(NamedTuple):
    """What the group offered its readers today (worked out by :func:`evening_kernel`)."""

    content_gain: float
    ambient_help: float
    chat_level: float
    volume: float
    fixed_cost: float
    off_topic: float
    """Off-topic messages today (chat, envelopes, thanks)."""


@njit(cache=True)
def value_kernel(rows, members, group, day, today, offer):
    """Value and engagement update, in place on the member table.

    Today's benefits and costs enter each reader's exponential memory; value is the
    role-weighted sum minus costs; engagement moves toward a logistic function of
    value (and jumps for answered or ignored first posts); trust grows with help and
    content; commitment with posting. The plan's boosts add to every reader's bonds
    and identity. Material value comes from the money a member received today
    (``money_today``: envelopes, rewards, prizes; reset here) plus coupons.
    """
    table, run = members.fields, group.fields
    consts, plan, now, offered = run.constants[0], day[0], Evening(*today), Offer(*offer)
    read, wrote, posts = now.read, now.wrote, now.posts
    answered, replies_got = now.answered, now.replies_got
    first, first_answered, cost_out = now.first, now.first_answered, now.cost
    role, friends_in, money_today = table.role, table.friends_in, table.money_today
    engagement, trust, commitment = table.engagement, table.trust, table.commitment
    value, parts = table.value, table.value_parts
    traits, weights = run.traits, run.weights
    fit, money_sensitivity, chat_taste = run.fit, run.money_sensitivity, run.chat_taste
    off_topic, annoyance = offered.off_topic, consts.chat_annoyance
    ban_friction = plan.off_topic_friction
    content_gain, ambient_help = offered.content_gain, offered.ambient_help
    chat_level = offered.chat_level
    volume, fixed_cost = offered.volume, offered.fixed_cost
    memory, money_scale, noise_weight = consts.value_memory, consts.money_scale, consts.noise_weight
    tolerance, eng_rate = consts.noise_tolerance, consts.engagement_rate
    midpoint = consts.value_midpoint
    spread, neglect, trust_rate = consts.value_spread, consts.neglect_decay, consts.trust_rate
    first_boost, first_penalty = consts.first_reply_boost, consts.first_silence_penalty
    commit_rate, friction = consts.commitment_rate, plan.friction
    bonds_boost, identity_boost = plan.bonds_boost, plan.identity_boost
    coupon_value, commitment_boost = plan.coupon_value, plan.commitment_boost
    keep = 1.0 - memory
    gain = np.empty(N_PARTS)
    cares = np.zeros(weights.shape[0])
    for r in range(weights.shape[0]):
        for c in range(N_PARTS - 1):
            cares[r] += weights[r, c]
    for j in range(rows.size):
        i = rows[j]
        r = role[i]
        e = engagement[i]
        f = fit[i]
        asked = posts[j, K_QUESTION]
        gain[P_CONTENT] = f * content_gain
        money = coupon_value + money_today[i]
        money_today[i] = 0.0  # felt today; tomorrow starts afresh
        if money != 0.0:
            gain[P_MATERIAL] = money_sensitivity[i] * (1.0 - math.exp(-money / money_scale))
        else:
            gain[P_MATERIAL] = 0.0
        if asked > 0:
            gain[P_HELP] = answered[j] / asked
        else:
            gain[P_HELP] = ambient_help * f
        taste = chat_taste[i]
        # small talk is a pleasure to those with a taste for it, more with friends in
        # the group (bonds form in chat too) ...
        gain[P_BONDS] = 0.5 * min(1.0, replies_got[j]) + 0.3 * taste * chat_level * (
            1.0 + min(1.0, friends_in[i] * 0.2)) + bonds_boost
        gain[P_IDENTITY] = traits[r, T_STATUS] + 0.3 * commitment[i] + identity_boost
        budget = attention_budget(tolerance, e)  # messages they read without feeling flooded
        cost = noise_weight * max(0.0, volume / budget - 1.0) + fixed_cost
        # ... and attention spent on what they did not come for to the others; a ban
        # on it costs those who love it
        cost += annoyance * (1.0 - taste) * off_topic / budget + ban_friction * taste
        gain[P_COST] = cost
        cost_out[j] = cost
        total = 0.0
        for c in range(N_PARTS):
            p = keep * parts[i, c]
            if read[j]:
                p += memory * gain[c]
            parts[i, c] = p
            total += weights[r, c] * p
        value[i] = total
        if traits[r, T_OPERATOR] > 0 or cares[r] == 0:
            pass  # operators and advertisers keep their engagement: it is their job
        elif read[j]:
            target = 1.0 / (1.0 + math.exp((midpoint - total) / spread))
            e += eng_rate * (target - e)
        else:
            e *= 1.0 - neglect
        if read[j]:
            trust[i] = min(1.0, max(0.0, trust[i] + trust_rate * (
                gain[P_HELP] + gain[P_CONTENT] - friction)))
        if first[j]:
            if first_answered[j]:
                e += first_boost * (1.0 - e)
            else:
                e *= 1.0 - first_penalty
        engagement[i] = min(1.0, max(0.0, e))
        step = commit_rate + commitment_boost if wrote[j] > 0 else -0.1 * commit_rate
        commitment[i] = min(1.0, max(0.0, commitment[i] + step))


@njit(cache=True)
def churn_kernel(rows, members, group, day, today, catch):
    """Moderation and churn: who is caught advertising, mutes, leaves, changes role.

    Each ad a member posted gets them removed with chance ``catch``. Readers whose
    cost today exceeds ``mute_threshold`` mute with ``mute_chance``, except the owner
    and administrators: they run the group, and an operator who muted it could not
    moderate, answer or welcome (seed 001 gives them exactly those duties). The chance to
    leave is ``leave_floor + leave_rate x patience x max(0, expectation - value)``,
    where expectation is the role's plus what the member was promised on joining
    (fading at ``promise_fade`` times the speed of the value memory),
    times ``muted_leave_factor`` if muted and ``1 - commitment / 2``. Updates muting,
    silence and layers in place; fills ``caught``, ``leaving`` and ``transition`` for
    the phase to act on with agent events, and returns how many of each.
    """
    table, run = members.fields, group.fields
    consts, plan, now = run.constants[0], day[0], Evening(*today)
    read, wrote, posts, cost = now.read, now.wrote, now.posts, now.cost
    caught, leaving, transition = now.caught, now.leaving, now.transition
    role, muted, muted_day, value = table.role, table.muted, table.muted_day, table.value
    commitment, expectation_extra, trust = table.commitment, table.expectation_extra, table.trust
    layer, days_silent, last_post_day = table.layer, table.days_silent, table.last_post_day
    recent_posts, traits = table.recent_posts, run.traits
    memory, promise_fade = consts.value_memory, consts.promise_fade
    mute_threshold, mute_chance = consts.mute_threshold, consts.mute_chance
    leave_floor, leave_rate = consts.leave_floor, consts.leave_rate
    muted_leave_factor, lurk_after = consts.muted_leave_factor, consts.lurk_after
    leader_rate, leader_trust = consts.leader_posts_per_day, consts.leader_trust
    leader_chance, strong_trust = consts.leader_promotion, consts.strong_trust
    trust_for_intention, lurker_revival = consts.trust_for_intention, consts.lurker_revival
    member_code, lurker_code = consts.member_code, consts.lurker_code
    seed_code, spammer_code = consts.seed_code, consts.spammer_code
    n_caught = 0
    n_leaving = 0
    n_changes = 0
    for j in range(rows.size):
        i = rows[j]
        r = role[i]
        t = traits[r]
        operator = t[T_OPERATOR] > 0
        ads = posts[j, K_AD]
        caught[j] = (not operator and ads > 0
                     and np.random.random() < 1.0 - (1.0 - catch) ** ads)
        was_muted = muted[i]
        if (not was_muted and not operator and read[j] and cost[j] > mute_threshold
                and np.random.random() < mute_chance):
            muted[i] = True
            muted_day[i] = plan.day
        expected = t[T_EXPECT] + expectation_extra[i]
        # promises fade, more slowly than experience replaces the first impression
        expectation_extra[i] *= 1.0 - memory * promise_fade
        hazard = leave_floor + leave_rate * t[T_PATIENCE] * max(0.0, expected - value[i])
        if was_muted:
            hazard *= muted_leave_factor
        hazard *= 1.0 - 0.5 * commitment[i]
        leaving[j] = (not caught[j] and not operator and r != spammer_code
                      and np.random.random() < hazard)
        if wrote[j] > 0:
            days_silent[i] = 0
            last_post_day[i] = plan.day
        else:
            days_silent[i] += 1
        transition[j] = STAY
        if caught[j] or leaving[j]:
            n_caught += caught[j]
            n_leaving += leaving[j]
            continue
        recent = recent_posts[i]
        if r == member_code and days_silent[i] >= lurk_after:
            transition[j] = TO_LURKER
        elif r == lurker_code and recent > lurker_revival:
            transition[j] = TO_MEMBER
        elif ((r == member_code or r == seed_code) and recent >= leader_rate
              and trust[i] >= leader_trust and np.random.random() < leader_chance):
            transition[j] = TO_LEADER
        if transition[j] != STAY:
            n_changes += 1
        if layer[i] == 0 and trust[i] >= trust_for_intention:
            layer[i] = 1
        elif layer[i] == 1 and trust[i] >= strong_trust:
            layer[i] = 2
    return n_caught, n_leaving, n_changes


@njit(cache=True)
def evening_kernel(rows, members, group, day, today):
    """The evening in one call: the day's messages, value update, moderation and churn.

    Counts today's messages by kind (:func:`message_counts`) and works out what the
    group offered from them: content worth taking in (the operator's pushed posts
    count at ``content_attention``), help in the air, chat, the day's volume, the
    spam cost every reader bears (``spam_weight x ads / (ads + spam_half)``, plus
    ``friction`` and the ``hard_sell`` of today's offers), and tomorrow's topic supply
    (``1 - exp(-starters / topic_scale)``, starters being content, announcements and
    ``question_starter`` per question). Then :func:`value_kernel`, then
    :func:`churn_kernel` (skipped for an empty group), whose advertisers are caught
    with ``catch_rate x coverage x moderation``, coverage being what ``reviewers``
    can review (``review_capacity`` messages each) of the day's messages. Returns the
    topic supply and the numbers caught, leaving and changing role.
    """
    consts, plan, now = group.fields.constants[0], day[0], Evening(*today)
    posts, operator_posts, counts = now.posts, now.operator_posts, now.counts
    content_posts, content_attention = plan.content_posts, plan.content_attention
    content_quality, content_noise = plan.content_quality, plan.content_noise
    hard_sell, friction, moderation = plan.hard_sell, plan.friction, plan.moderation
    member_content_quality = consts.member_content_quality
    question_starter = consts.question_starter
    content_saturation, chat_saturation = consts.content_saturation, consts.chat_saturation
    topic_scale, spam_weight, spam_half = consts.topic_scale, consts.spam_weight, consts.spam_half
    reviewers, review_capacity = now.reviewers, consts.admin_review_capacity
    catch_rate = consts.catch_rate
    message_counts(posts, operator_posts, counts)
    off_topic = 0
    for k in K_OFF_TOPIC:
        off_topic += counts[k]
    member_content = counts[K_CONTENT] - content_posts
    pushed = content_posts * content_attention
    seen = pushed + member_content
    quality = 0.0
    if seen > 0:
        quality = (pushed * content_quality + member_content * member_content_quality) / seen
    ads = counts[K_AD]
    starters = (counts[K_CONTENT] + counts[K_ANNOUNCEMENT]
                + question_starter * counts[K_QUESTION])
    topic_supply = 1.0 - math.exp(-starters / topic_scale)
    fixed_cost = spam_weight * ads / (ads + spam_half) + friction + hard_sell
    total = 0
    for k in range(counts.size):
        total += counts[k]
    offer = (quality * min(1.0, seen / content_saturation),
             0.3 * min(1.0, counts[K_ANSWER] / 3.0),
             min(1.0, counts[K_CHAT] / chat_saturation), total + content_noise, fixed_cost,
             off_topic)
    value_kernel(rows, members, group, day, today, offer)
    if rows.size == 0:
        return topic_supply, 0, 0, 0
    coverage = min(1.0, reviewers * review_capacity / max(1, total))
    catch = min(1.0, catch_rate * coverage * moderation)
    n_caught, n_leaving, n_changes = churn_kernel(rows, members, group, day, today, catch)
    return topic_supply, n_caught, n_leaving, n_changes


@njit(cache=True)
def message_counts(posts, operator_posts, out):
    """Messages today by kind: the members' ``posts`` summed, plus the operator's."""
    for k in range(out.size):
        out[k] = operator_posts[k]
    for j in range(posts.shape[0]):
        for k in range(out.size):
            out[k] += posts[j, k]
