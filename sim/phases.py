"""The phases of a day, each vectorized over the current members.

Every function takes the model, the day's :class:`sim.plan.DayPlan` and the
:class:`Today` record, reads the member table and the role trait arrays, draws only
from ``model.rng`` and writes its results back. Per-member arrays are gathered once
(in :func:`read`) and shared by the later phases, because at a few hundred members
the cost of a day is the number of array operations, not their length. The formulas
and their sources are described in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents import Administrator, Lurker, Member, OpinionLeader, SeedUser, Spammer
from sim import kernels
from sim.state import KIND, MESSAGE_KINDS

if TYPE_CHECKING:
    from sim.model import CommunityModel
    from sim.plan import DayPlan, Envelope

N_KINDS = len(MESSAGE_KINDS)
NEWCOMER_DAYS = 30
"""Members count as newcomers for this many days after joining."""
RECENT_WINDOW = 28.0
"""Days over which ``recent_posts`` averages a member's posting."""
LURKER_REVIVAL = 0.3
"""Recent posts a day at which a lurker counts as a member again."""
QUESTION_STARTER = 0.25
"""A question starts a conversation a quarter as often as a content post does."""
TRUST_FOR_INTENTION = 0.4
"""Trust at which a potential member becomes an intention member."""

# rows of the day's uniform random draws (Today.u)
U_READ, U_INTRO, U_WELCOME, U_CATCH, U_MUTE, U_LEAVE, U_PROMOTE = range(7)



def _unit(x: np.ndarray) -> np.ndarray:
    """Clip to 0-1 in place (two ufunc calls; ``np.clip`` costs several times more)."""
    np.maximum(x, 0.0, out=x)
    return np.minimum(x, 1.0, out=x)


def _empty(dtype=np.float64) -> np.ndarray:
    return np.empty(0, dtype=dtype)


@dataclass
class Today:
    """What happened today, shared between the phases and the metrics.

    Per-member arrays are aligned with ``rows`` (the members when reading started).
    """

    day: int
    rows: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    role: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    traits: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)))
    eng: np.ndarray = field(default_factory=_empty)
    u: np.ndarray = field(default_factory=lambda: np.zeros((7, 0)))
    read: np.ndarray = field(default_factory=lambda: _empty(bool))
    posts: np.ndarray = field(default_factory=lambda: np.zeros((0, N_KINDS), np.int32))
    wrote: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    replies_got: np.ndarray = field(default_factory=_empty)
    asked: np.ndarray = field(default_factory=_empty)
    answered: np.ndarray = field(default_factory=_empty)
    money_in: np.ndarray = field(default_factory=_empty)
    cost: np.ndarray = field(default_factory=_empty)
    first_post: np.ndarray = field(default_factory=lambda: _empty(bool))
    first_answered: np.ndarray = field(default_factory=lambda: _empty(bool))
    operator_posts: np.ndarray = field(default_factory=lambda: np.zeros(N_KINDS, np.int64))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(N_KINDS, np.int64))
    joins: int = 0
    leaves: int = 0
    removed: int = 0
    conversions: int = 0
    revenue: float = 0.0
    money_spent: float = 0.0
    envelope_money: float = 0.0
    conversation: bool = False

    def trait(self, model: CommunityModel, name: str) -> np.ndarray:
        """One role trait for every member of ``rows`` (a view, no copy)."""
        return self.traits[:, model.roles.col[name]]


# ----------------------------------------------------------------- recruitment


def recruit(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Invitations travel along friendships; outsiders accept, filters and capacity apply.

    Each member invites one random friend with a daily chance set by their role and
    engagement; outsiders may also find the group on their own. In a group of at most
    ``group.consent_above`` members an invited friend is pulled in without being
    asked (WeChat's rule); above it they accept with a chance that grows with the
    group's appeal and with how tightly knit their friends are (T4). Several friends
    inviting the same person give them several chances: diminishing returns.
    """
    st, dyn, rng, w = model.state, model.dyn, model.rng, model.world
    members = model.members()
    free = model.group.capacity - members.size
    if free <= 0:
        return
    adj = w.adjacency
    invitees = np.empty(members.size, dtype=np.int64)
    inviters = np.empty(members.size, dtype=np.int64)
    draws = rng.random((2, members.size))
    n = kernels.invitations(members, st.role, model.roles.invite_rate, st.engagement,
                            plan.invite_boost, draws[0], draws[1], adj.indptr, adj.indices,
                            invitees, inviters)
    found = rng.integers(0, w.size, rng.poisson(w.size * dyn.discovery_rate))
    if dyn.advertiser_search > 1.0:  # advertisers look for groups: extra draws kept for them
        extra = rng.integers(0, w.size, rng.poisson(w.size * dyn.discovery_rate
                                                     * (dyn.advertiser_search - 1.0)))
        found = np.concatenate((found, extra[w.natural_role[extra] == Spammer.code]))
    candidates = np.concatenate((invitees[:n], found))
    if candidates.size == 0:
        return
    via = np.concatenate((inviters[:n], np.full(found.size, -1, dtype=np.int64)))
    accepted = np.empty(candidates.size, dtype=np.int64)
    k = kernels.screen_candidates(
        candidates, via, rng.random(candidates.size), st.status, w.fit, w.money_sensitivity,
        w.natural_role, w.clustering, model.seen, model.day + 1, model.group_value,
        model.material_signal, dyn.acceptance, dyn.cluster_bonus,
        members.size <= model.group.consent_above, Spammer.code, accepted)
    if k == 0:
        return
    candidates, via = candidates[accepted[:k]], via[accepted[:k]].astype(np.int32)
    for admit in plan.admission:
        keep = np.asarray(admit(model, candidates), dtype=bool)
        candidates, via = candidates[keep], via[keep]
    if candidates.size > free:
        keep = np.sort(rng.permutation(candidates.size)[:free])
        candidates, via = candidates[keep], via[keep]
    if candidates.size == 0:
        return
    roles = w.natural_role[candidates]
    layer = ((via < 0) & (w.fit[candidates] > 0.6)).astype(np.int8)
    model.add_members(candidates, roles, via, layer)
    st.welcomed[candidates] = plan.welcome_speech
    st.saw_rules[candidates] = plan.rules_announced
    if plan.welcome_speech:
        today.operator_posts[KIND["announcement"]] += candidates.size
    today.joins = int(candidates.size)
    plan.owner_minutes += plan.welcome_minutes * candidates.size


# --------------------------------------------------------------------- reading


def read(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Who opens the group today: engaged members likelier, muted ones rarely.

    Also gathers the members' role traits, engagement and the day's uniform random
    draws once for the later phases.
    """
    st, dyn = model.state, model.dyn
    rows = model.members()
    today.rows = rows
    today.role = st.role[rows]
    today.traits = model.roles.matrix[today.role]
    today.eng = eng = st.engagement[rows]
    today.u = model.rng.random((7, rows.size))
    chance = dyn.read_floor + dyn.read_gain * eng
    chance *= 1.0 - (1.0 - dyn.muted_read_factor) * st.muted[rows]
    today.read = today.u[U_READ] < chance


# --------------------------------------------------------------------- posting


def post(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Members who opened the chat write; others reply and answer.

    A member writes at rate ``role rate x sociability x engagement^k x topic
    supply`` (Poisson), where topic supply is how many conversation starters
    (content, questions, announcements) the group had yesterday. The day's messages
    are drawn as one Poisson process: a total, then an author for each message in
    proportion to their rate (the same distribution as independent Poisson counts,
    at a fraction of the cost). Each message's kind -- ad, question, content or chat
    -- follows its author's role and spam propensity. Each question is answered and
    each other post replied to with a chance that grows with today's responders
    (reply propensity x engagement of the readers) and the author's influence;
    answers and replies are written by those responders, chosen in proportion to
    their weight. A welcomed newcomer's first post is answered by the welcomers (T3).
    """
    st, dyn, rng, w = model.state, model.dyn, model.rng, model.world
    rows, readers, eng, u = today.rows, today.read, today.eng, today.u
    size = rows.size
    topic = dyn.topic_floor + (1.0 - dyn.topic_floor) * model.topic_supply
    rate = np.empty(size)
    thresholds = np.empty((size, 3))
    responders = np.empty(size)
    posts = np.zeros((size, N_KINDS), dtype=np.int32)
    weight = kernels.posting_rates(
        rows, readers, eng, today.role, model.roles.kernel_traits, w.sociability,
        w.spam_propensity, st.saw_rules, st.joined_day, model.day, NEWCOMER_DAYS,
        dyn.engagement_exponent, plan.posting_boost * topic, dyn.rules_participation_boost,
        dyn.rules_compliance, plan.self_introduction, dyn.intro_chance, u[U_INTRO], rate,
        thresholds, responders, posts)
    answered = np.zeros(size, dtype=np.int64)
    replies = np.zeros(size, dtype=np.int64)
    n_responses = 0
    cumulative = np.cumsum(rate)
    total = rng.poisson(cumulative[-1]) if size else 0
    if total:
        reply_chance = 1.0 - np.exp(today.trait(model, "influence") * (-weight / dyn.reply_scale))
        responses = np.empty(total, dtype=np.int64)
        n_responses = kernels.assign_messages(
            cumulative, rng.random((3, total)), thresholds, reply_chance,
            1.0 - np.exp(-weight / dyn.answer_scale), posts, answered, replies, responses)
        if n_responses and weight > 0:
            kernels.assign_responders(responders, rng.random(n_responses), responses,
                                      n_responses, posts)
    if plan.content_posts:
        today.operator_posts[KIND["content"]] += plan.content_posts
        st.messages[model.owner_row, KIND["content"]] += plan.content_posts
    today.operator_posts[KIND["announcement"]] += plan.announcements
    wrote = np.empty(size, dtype=np.int64)
    first = np.empty(size, dtype=bool)
    first_answered = np.empty(size, dtype=bool)
    talkers, greeted = kernels.post_bookkeeping(
        rows, today.role, model.roles.kernel_traits, posts, wrote, first, st.first_post_day,
        st.welcomed, u[U_WELCOME], dyn.welcome_reply, answered, replies, first_answered,
        st.first_post_answered, st.messages, st.recent_posts, RECENT_WINDOW, model.day)
    today.operator_posts[KIND["chat"]] += greeted
    today.posts, today.wrote = posts, wrote
    today.asked, today.answered = posts[:, KIND["question"]], answered
    today.replies_got = replies
    today.first_post, today.first_answered = first, first_answered
    today.conversation = bool(talkers >= 2 and n_responses + greeted > 0)


# ---------------------------------------------------------------- red envelopes


def lucky_split(rng: np.random.Generator, amount: float, shares: int) -> np.ndarray:
    """WeChat-style random split of ``amount`` yuan into ``shares``.

    Each grab is uniform between 0.01 and twice the remaining average; the last grab
    takes what is left.
    """
    cents = int(round(amount * 100))
    shares = max(1, min(shares, cents))
    return kernels.lucky_split_cents(cents, shares, rng.random(shares - 1)) / 100.0


def equal_split(amount: float, shares: int) -> np.ndarray:
    """Equal shares in cents; the remainder cents go to the first grabbers."""
    cents = int(round(amount * 100))
    shares = max(1, min(shares, cents))
    base, extra = divmod(cents, shares)
    out = np.full(shares, base, dtype=np.int64)
    out[:extra] += 1
    return out / 100.0


def grab_envelopes(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Members grab red envelopes; some thank, some send one back (gift contagion, T2).

    Grab order is random among those who try; hunters watch for envelopes even when
    they do not read. Unclaimed money goes back to the sender. A member who received
    money sends an envelope within 24 hours with a chance that grows with the amount,
    much more so for the luckiest grabber; that envelope is posted the next day.
    Members also send envelopes unprompted now and then.
    """
    st, dyn, rng, w = model.state, model.dyn, model.rng, model.world
    rows = today.rows
    size = rows.size
    today.money_in = np.zeros(size)
    envelopes = model.pending_envelopes + plan.envelopes
    model.pending_envelopes = []
    unprompted = np.flatnonzero(rng.random(size) < dyn.gift_send_base)
    if unprompted.size:
        unprompted = unprompted[_givers(model, today)[unprompted]]
        envelopes += [_member_envelope(model, int(r)) for r in rows[unprompted].tolist()]
    if not envelopes or size == 0:
        return
    eagerness = dyn.grab_chance * today.trait(model, "envelope_appetite") * (
        0.3 + 0.7 * today.read) * (0.5 + w.money_sensitivity[rows])
    gained = np.zeros(size)
    luckiest = np.zeros(size, dtype=bool)
    thanks_chance = dyn.thanks_chance * (0.2 + today.trait(model, "reply_propensity"))
    for env in envelopes:
        split = (lucky_split(rng, env.amount, env.shares) if env.split == "lucky"
                 else equal_split(env.amount, env.shares))
        model.grab_stamp += 1
        claimed = kernels.grab_envelope(
            int(rng.integers(2**31)), rows, env.sender, split, eagerness, thanks_chance,
            gained, luckiest, today.posts, st.messages, model.grab_mark, model.grab_stamp)
        if env.sender < 0:
            model.ledger.spend(claimed)
            today.money_spent += claimed
            today.operator_posts[KIND["red_envelope"]] += 1
        else:
            st.money_sent[env.sender] += claimed
            st.messages[env.sender, KIND["red_envelope"]] += 1
            where = np.searchsorted(rows, env.sender)
            if where < size and rows[where] == env.sender:
                today.posts[where, KIND["red_envelope"]] += 1
            else:  # the sender left since: the message still appears
                today.operator_posts[KIND["red_envelope"]] += 1
        today.envelope_money += claimed
    st.money_received[rows] += gained
    today.money_in = gained
    today.wrote = today.posts.sum(axis=1)
    chance = dyn.gift_send_per_yuan * gained * np.where(luckiest, dyn.luckiest_factor, 1.0)
    senders = rows[_givers(model, today) & (rng.random(size) < chance)]
    model.pending_envelopes = [_member_envelope(model, int(r)) for r in senders.tolist()]


def _givers(model: CommunityModel, today: Today) -> np.ndarray:
    """Members who send envelopes of their own: not operators, not advertisers."""
    return (today.trait(model, "operator") == 0) & (today.role != Spammer.code)


def _member_envelope(model: CommunityModel, sender: int) -> Envelope:
    from sim.plan import Envelope

    amount = round(float(model.dyn.gift_amount * model.rng.lognormal(-0.125, 0.5)), 2)
    return Envelope(amount=max(0.01, amount), shares=10, split="lucky", sender=sender)


# ---------------------------------------------------------------- value update


def update_value(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Perceived value, engagement, trust and commitment follow today's experience.

    Today's benefits (content, material, help, bonds, identity) and costs (overload,
    spam, friction) of members who read enter an exponential memory; engagement
    moves toward a logistic function of the role-weighted value; newcomers whose
    first post was answered gain engagement and those ignored lose it (T3).
    """
    st, dyn, w = model.state, model.dyn, model.world
    rows = today.rows
    counts = today.posts.sum(axis=0) + today.operator_posts
    today.counts = counts
    if rows.size == 0:
        return
    member_content = counts[KIND["content"]] - plan.content_posts
    pushed = plan.content_posts * plan.content_attention
    seen = pushed + member_content
    quality = ((pushed * plan.content_quality + member_content * dyn.member_content_quality)
               / seen if seen > 0 else 0.0)
    ads = counts[KIND["ad"]]
    starters = (counts[KIND["content"]] + counts[KIND["announcement"]]
                + QUESTION_STARTER * counts[KIND["question"]])
    model.topic_supply = 1.0 - np.exp(-starters / dyn.topic_scale)
    fixed_cost = (dyn.spam_weight * ads / (ads + dyn.spam_half) + plan.friction
                  + sum(o.hard_sell for o in plan.offers))
    today.cost = np.empty(rows.size)
    kernels.value_kernel(
        rows, today.read, today.wrote, today.role, model.roles.kernel_traits,
        model.roles.weights, w.fit, w.money_sensitivity, st.friends_in, today.money_in,
        today.asked, today.answered, today.replies_got, today.first_post,
        today.first_answered, st.engagement, st.trust, st.commitment, st.value,
        st.value_parts, today.cost,
        quality * min(1.0, seen / dyn.content_saturation),
        0.3 * min(1.0, counts[KIND["answer"]] / 3.0),
        min(1.0, counts[KIND["chat"]] / dyn.chat_saturation),
        float(counts.sum() + plan.content_noise), fixed_cost, dyn.value_memory,
        dyn.money_scale, dyn.noise_weight, dyn.noise_tolerance, dyn.engagement_rate,
        dyn.value_midpoint, dyn.value_spread, dyn.neglect_decay, dyn.first_reply_boost,
        dyn.first_silence_penalty, dyn.trust_rate, plan.friction, dyn.commitment_rate)


# ---------------------------------------------------------- moderation and churn


def moderate_and_churn(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Administrators remove advertisers they catch; members mute, leave, change role.

    Review capacity is shared over the day's messages, so a flooded group is
    moderated less well. Flooded readers mute before they leave (T6). The chance to
    leave grows with how far perceived value falls below what the role expects,
    less for muted and committed members. Silent members become lurkers; lurkers who
    post again become members; prolific, trusted members are recognised as opinion
    leaders; trust moves members up an intention layer.
    """
    st, dyn, u = model.state, model.dyn, today.u
    rows, role = today.rows, today.role
    size = rows.size
    if size == 0:
        return
    reviewers = np.count_nonzero(role == Administrator.code) + 0.5
    coverage = min(1.0, reviewers * dyn.admin_review_capacity / max(1, int(today.counts.sum())))
    catch = min(1.0, dyn.catch_rate * coverage * plan.moderation)
    caught = np.empty(size, dtype=bool)
    leaving = np.empty(size, dtype=bool)
    transition = np.empty(size, dtype=np.int8)
    kernels.churn_kernel(
        rows, role, model.roles.kernel_traits, today.read, today.wrote,
        today.posts[:, KIND["ad"]], today.cost, u[U_CATCH], u[U_MUTE], u[U_LEAVE],
        u[U_PROMOTE], catch, st.muted, st.muted_day, st.value, st.commitment, st.trust,
        st.layer, st.days_silent, st.last_post_day, st.recent_posts, model.day,
        dyn.mute_threshold, dyn.mute_chance, dyn.leave_floor, dyn.leave_rate,
        dyn.muted_leave_factor, dyn.lurk_after, dyn.leader_posts_per_day,
        dyn.leader_promotion, dyn.strong_trust, TRUST_FOR_INTENTION, LURKER_REVIVAL,
        Member.code, Lurker.code, SeedUser.code, Spammer.code, caught, leaving, transition)
    n_caught, n_leaving = int(caught.sum()), int(leaving.sum())
    if n_caught:
        model.moderator().remove_members(rows[caught])
    if n_leaving:
        model.leave(rows[leaving])
    today.removed, today.leaves = n_caught, n_leaving
    if transition.any():
        for code, new_role in ((kernels.TO_LURKER, Lurker), (kernels.TO_MEMBER, Member),
                               (kernels.TO_LEADER, OpinionLeader)):
            model.change_role(rows[transition == code], new_role)


# ------------------------------------------------------------------ conversion


def convert(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Members buy what is offered: more likely with trust, value and a stronger layer."""
    if not plan.offers:
        return
    st, rng = model.state, model.rng
    rows = model.members()
    open_ = ~st.converted[rows] & (model.roles.operator[st.role[rows]] == 0)
    readiness = st.trust[rows] * np.clip(st.value[rows], 0.0, 1.0) * (0.5 + 0.5 * st.layer[rows])
    for offer in plan.offers:
        buy = open_ & (rng.random(rows.size) < offer.appeal * readiness)
        n = int(buy.sum())
        st.converted[rows[buy]] = True
        open_ &= ~buy
        model.ledger.earn(n * offer.price)
        model.ledger.conversions += n
        today.conversions += n
        today.revenue += n * offer.price
