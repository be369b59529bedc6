"""The phases of a day, each vectorized over the current members.

Every function takes the model, the day's :class:`sim.plan.DayPlan` and the
:class:`Today` scratch record, reads the member table and the role trait arrays,
draws only from ``model.rng`` and writes its results back. The formulas and their
sources are described in ``docs/model.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents import Lurker, Member, OpinionLeader, SeedUser, Spammer
from sim.state import KIND, MESSAGE_KINDS, OUTSIDER, VALUE_COMPONENTS

if TYPE_CHECKING:
    from sim.model import CommunityModel
    from sim.plan import DayPlan, Envelope

N_KINDS = len(MESSAGE_KINDS)
NEWCOMER_DAYS = 30
"""Members count as newcomers for this many days after joining."""
RECENT_WINDOW = 28.0
"""Days over which ``recent_posts`` averages a member's posting."""


@dataclass
class Today:
    """What happened today, shared between the phases and the metrics."""

    day: int
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    read: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    posts: np.ndarray = field(default_factory=lambda: np.zeros((0, N_KINDS), np.int32))
    replies_got: np.ndarray = field(default_factory=lambda: np.empty(0))
    asked: np.ndarray = field(default_factory=lambda: np.empty(0))
    answered: np.ndarray = field(default_factory=lambda: np.empty(0))
    money_in: np.ndarray = field(default_factory=lambda: np.empty(0))
    cost: np.ndarray = field(default_factory=lambda: np.empty(0))
    first_post: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    first_answered: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    operator_posts: np.ndarray = field(default_factory=lambda: np.zeros(N_KINDS, np.int64))
    joins: int = 0
    leaves: int = 0
    removed: int = 0
    conversions: int = 0
    revenue: float = 0.0
    money_spent: float = 0.0
    envelope_money: float = 0.0
    conversation: bool = False

    @property
    def counts(self) -> np.ndarray:
        """Messages today by kind, members and operator together."""
        return self.posts.sum(axis=0) + self.operator_posts


# ----------------------------------------------------------------- recruitment


def group_appeal(model: CommunityModel, rows: np.ndarray) -> np.ndarray:
    """How attractive the group looks to outsiders ``rows``, 0-1.

    Friends report what the group is worth to them (``model.group_value``); content
    value is scaled by the outsider's topic fit and material value (recent red
    envelopes) by their sensitivity to money. Would-be advertisers want an audience
    and accept any group.
    """
    w = model.world
    content = w.fit[rows] * (0.5 + np.clip(model.group_value, 0.0, 1.0))
    material = w.money_sensitivity[rows] * model.material_signal
    appeal = np.clip(content + material, 0.0, 1.0)
    return np.where(w.natural_role[rows] == Spammer.code, 1.0, appeal)


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
    rate = model.roles.invite_rate[st.role[members]] * st.engagement[members] * plan.invite_boost
    inviters = members[rng.random(members.size) < rate]
    adj = w.adjacency
    degree = adj.indptr[inviters + 1] - adj.indptr[inviters]
    inviters, degree = inviters[degree > 0], degree[degree > 0]
    picks = adj.indptr[inviters] + (rng.random(inviters.size) * degree).astype(np.int64)
    invitees = adj.indices[picks].astype(np.int64)
    found = rng.integers(0, w.size, rng.binomial(w.size, dyn.discovery_rate))
    candidates = np.concatenate((invitees, found))
    via = np.concatenate((inviters, np.full(found.size, -1))).astype(np.int32)
    outsiders = st.status[candidates] == OUTSIDER
    candidates, via = candidates[outsiders], via[outsiders]
    if candidates.size == 0:
        return
    candidates, first = np.unique(candidates, return_index=True)
    via = via[first]
    pulled = (via >= 0) & (members.size <= model.group.consent_above)
    consent = dyn.acceptance * group_appeal(model, candidates) * (
        1.0 + dyn.cluster_bonus * w.clustering[candidates])
    accept = rng.random(candidates.size) < np.where(pulled, 1.0, consent)
    candidates, via = candidates[accept], via[accept]
    for admit in plan.admission:
        keep = np.asarray(admit(model, candidates), dtype=bool)
        candidates, via = candidates[keep], via[keep]
    if candidates.size > free:
        keep = np.sort(rng.permutation(candidates.size)[:free])
        candidates, via = candidates[keep], via[keep]
    if candidates.size == 0:
        return
    roles = w.natural_role[candidates]
    layer = np.where((via < 0) & (w.fit[candidates] > 0.6), 1, 0).astype(np.int8)
    model.add_members(candidates, roles, via, layer)
    st.welcomed[candidates] = plan.welcome_speech
    st.saw_rules[candidates] = plan.rules_announced
    if plan.welcome_speech:
        today.operator_posts[KIND["announcement"]] += candidates.size
    today.joins = int(candidates.size)
    plan.owner_minutes += plan.welcome_minutes * candidates.size


# --------------------------------------------------------------------- reading


def read(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Who opens the group today: engaged members likelier, muted ones rarely."""
    st, dyn = model.state, model.dyn
    rows = model.members()
    chance = dyn.read_floor + dyn.read_gain * st.engagement[rows]
    chance = np.where(st.muted[rows], chance * dyn.muted_read_factor, chance)
    today.rows = rows
    today.read = model.rng.random(rows.size) < chance


# --------------------------------------------------------------------- posting


def post(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Members who opened the chat write; others reply and answer.

    A member's messages are Poisson with mean ``role rate x sociability x
    engagement^k``; they are split into ads, questions, content and chat by role and
    spam propensity. Each question is answered and each other post replied to with a
    chance that grows with today's responders (reply propensity x engagement of the
    readers) and the author's influence; answers and replies are written by those
    responders. A welcomed newcomer's first post is answered by the welcomers.
    """
    st, dyn, rng, w, roles = model.state, model.dyn, model.rng, model.world, model.roles
    rows, readers = today.rows, today.read
    size = rows.size
    role = st.role[rows]
    eng = st.engagement[rows]
    newcomer = (model.day - st.joined_day[rows]) < NEWCOMER_DAYS
    saw_rules = st.saw_rules[rows] & newcomer
    boost = plan.posting_boost * (1.0 + dyn.rules_participation_boost * saw_rules)
    rate = roles.post_rate[role] * w.sociability[rows] * eng ** dyn.engagement_exponent * boost
    total = rng.poisson(np.where(readers, rate, 0.0))
    intro = plan.self_introduction & (st.joined_day[rows] == model.day) & (
        rng.random(size) < dyn.intro_chance)
    posts = np.zeros((size, N_KINDS), dtype=np.int32)
    active = np.flatnonzero(total > 0)
    if active.size:
        n = total[active]
        r = role[active]
        own_ads = roles.ad_share[r]
        stray = (1 - own_ads) * w.spam_propensity[rows[active]] * np.where(
            saw_rules[active], 1 - dyn.rules_compliance, 1.0)
        ads = rng.binomial(n, np.minimum(1.0, own_ads + stray))
        rest = n - ads
        questions = rng.binomial(rest, roles.question_share[r])
        rest -= questions
        content = rng.binomial(rest, roles.content_share[r])
        posts[active, KIND["ad"]] = ads
        posts[active, KIND["question"]] = questions
        posts[active, KIND["content"]] = content
        posts[active, KIND["chat"]] = rest - content
    posts[:, KIND["chat"]] += intro
    if plan.content_posts:
        today.operator_posts[KIND["content"]] += plan.content_posts
        st.messages[model.owner_row, KIND["content"]] += plan.content_posts
    if plan.announcements:
        today.operator_posts[KIND["announcement"]] += plan.announcements

    responders = roles.reply_propensity[role] * eng * readers
    weight = responders.sum()
    asked = posts[:, KIND["question"]]
    answered = rng.binomial(asked, 1.0 - np.exp(-weight / dyn.answer_scale))
    talk = posts[:, KIND["chat"]] + posts[:, KIND["content"]]
    reply_chance = 1.0 - np.exp(-weight * roles.influence[role] / dyn.reply_scale)
    replies = rng.binomial(talk, reply_chance)
    first = (st.first_post_day[rows] < 0) & (posts.sum(axis=1) > 0)
    welcomed = first & st.welcomed[rows] & (rng.random(size) < dyn.welcome_reply)
    first_answered = first & ((replies + answered > 0) | welcomed)
    today.operator_posts[KIND["chat"]] += int(welcomed.sum())
    n_answers, n_replies = int(answered.sum()), int(replies.sum())
    if weight > 0 and n_answers + n_replies:
        by = rng.choice(size, n_answers + n_replies, p=responders / weight)
        posts[:, KIND["answer"]] += np.bincount(by[:n_answers], minlength=size).astype(np.int32)
        posts[:, KIND["chat"]] += np.bincount(by[n_answers:], minlength=size).astype(np.int32)

    today.posts = posts
    today.asked, today.answered = asked, answered
    today.replies_got = replies + welcomed
    today.first_post, today.first_answered = first, first_answered
    firsts = rows[first]
    st.first_post_day[firsts] = model.day
    st.first_post_answered[firsts] = first_answered[first]
    st.messages[rows] += posts
    wrote = posts.sum(axis=1)
    st.recent_posts[rows] += (wrote - st.recent_posts[rows]) / RECENT_WINDOW
    talkers = (posts[:, KIND["chat"]] + posts[:, KIND["question"]] + posts[:, KIND["answer"]]
               + posts[:, KIND["content"]]) > 0
    talkers &= roles.operator[role] == 0
    today.conversation = bool(talkers.sum() >= 2 and (n_answers + n_replies) > 0)


# ---------------------------------------------------------------- red envelopes


def lucky_split(rng: np.random.Generator, amount: float, shares: int) -> np.ndarray:
    """WeChat-style random split in cents: each grab is uniform between 0.01 and twice
    the remaining average; the last grab takes what is left."""
    cents = int(round(amount * 100))
    shares = max(1, min(shares, cents))
    out = np.empty(shares, dtype=np.int64)
    left = cents
    for i in range(shares - 1):
        remaining = shares - i
        high = max(1, 2 * left // remaining)
        out[i] = min(left - (remaining - 1), int(rng.integers(1, high + 1)))
        left -= out[i]
    out[-1] = left
    return out / 100.0


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
    """
    st, dyn, rng, w, roles = model.state, model.dyn, model.rng, model.world, model.roles
    rows = today.rows
    today.money_in = np.zeros(rows.size)
    envelopes = model.pending_envelopes + plan.envelopes
    model.pending_envelopes = []
    unprompted = rows[rng.random(rows.size) < dyn.gift_send_base]
    unprompted = unprompted[(roles.operator[st.role[unprompted]] == 0)
                            & (st.role[unprompted] != Spammer.code)]
    envelopes += [_member_envelope(model, int(r)) for r in unprompted.tolist()]
    if not envelopes or rows.size == 0:
        return
    role = st.role[rows]
    eagerness = np.clip(dyn.grab_chance * roles.envelope_appetite[role]
                        * (0.3 + 0.7 * today.read) * (0.5 + w.money_sensitivity[rows]), 0, 1)
    gained = np.zeros(rows.size)
    luckiest = np.zeros(rows.size, dtype=bool)
    for env in envelopes:
        tries = np.flatnonzero((rng.random(rows.size) < eagerness) & (rows != env.sender))
        split = (lucky_split(rng, env.amount, env.shares) if env.split == "lucky"
                 else equal_split(env.amount, env.shares))
        grabbers = rng.permutation(tries)[: split.size]
        amounts = split[: grabbers.size]
        claimed = float(amounts.sum())
        gained[grabbers] += amounts
        if grabbers.size:
            luckiest[grabbers[np.argmax(amounts)]] = True
        if env.sender < 0:
            model.ledger.spend(claimed)
            today.money_spent += claimed
            today.operator_posts[KIND["red_envelope"]] += 1
        else:
            st.money_sent[env.sender] += claimed
            where = np.searchsorted(rows, env.sender)
            if where < rows.size and rows[where] == env.sender:
                today.posts[where, KIND["red_envelope"]] += 1
                st.messages[env.sender, KIND["red_envelope"]] += 1
        today.envelope_money += claimed
        thanks = grabbers[rng.random(grabbers.size) < dyn.thanks_chance
                          * (0.2 + roles.reply_propensity[role[grabbers]])]
        today.posts[thanks, KIND["thanks"]] += 1
        st.messages[rows[thanks], KIND["thanks"]] += 1
    st.money_received[rows] += gained
    today.money_in = gained
    chance = dyn.gift_send_per_yuan * gained * np.where(luckiest, dyn.luckiest_factor, 1.0)
    chance[(roles.operator[role] > 0) | (role == Spammer.code)] = 0.0
    senders = rows[rng.random(rows.size) < chance]
    model.pending_envelopes = [_member_envelope(model, int(r)) for r in senders.tolist()]


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
    st, dyn, w, roles = model.state, model.dyn, model.world, model.roles
    rows, readers = today.rows, today.read
    if rows.size == 0:
        return
    role = st.role[rows]
    fit = w.fit[rows]
    counts = today.counts
    member_content = counts[KIND["content"]] - plan.content_posts
    pushed = plan.content_posts * plan.content_attention
    seen = pushed + member_content
    quality = ((pushed * plan.content_quality + member_content * dyn.member_content_quality)
               / seen if seen > 0 else 0.0)
    benefit = {
        "content": fit * quality * min(1.0, seen / dyn.content_saturation),
        "material": w.money_sensitivity[rows] * (1.0 - np.exp(-today.money_in / dyn.money_scale)),
        "help": np.where(today.asked > 0, today.answered / np.maximum(today.asked, 1),
                         0.3 * fit * min(1.0, counts[KIND["answer"]] / 3.0)),
        "bonds": 0.5 * np.minimum(1.0, today.replies_got) + 0.5 * np.minimum(
            1.0, np.log1p(st.friends_in[rows]) / np.log1p(5.0)) * min(
            1.0, counts[KIND["chat"]] / dyn.chat_saturation),
    }
    eng = st.engagement[rows]
    volume = counts.sum() + plan.content_noise
    tolerance = dyn.noise_tolerance * (0.5 + eng)
    ads = counts[KIND["ad"]]
    cost = (dyn.noise_weight * np.maximum(0.0, volume / tolerance - 1.0)
            + dyn.spam_weight * ads / (ads + dyn.spam_half)
            + plan.friction + sum(o.hard_sell for o in plan.offers))
    today.cost = cost
    keep = 1.0 - dyn.value_memory
    for comp, gain in benefit.items():
        col = getattr(st, f"v_{comp}")
        col[rows] = keep * col[rows] + dyn.value_memory * gain * readers
    st.v_identity[rows] = keep * st.v_identity[rows] + dyn.value_memory * (
        roles.status[role] + 0.5 * st.commitment[rows])
    st.v_cost[rows] = keep * st.v_cost[rows] + dyn.value_memory * cost * readers
    value = st.value_of(model.roles_weights(role), rows)
    st.value[rows] = value

    target = 1.0 / (1.0 + np.exp(-(value - dyn.value_midpoint) / dyn.value_spread))
    eng = np.where(readers, eng + dyn.engagement_rate * (target - eng),
                   eng * (1.0 - dyn.neglect_decay))
    first, answered = today.first_post, today.first_answered
    eng = np.where(first & answered, eng + dyn.first_reply_boost * (1.0 - eng), eng)
    eng = np.where(first & ~answered, eng * (1.0 - dyn.first_silence_penalty), eng)
    st.engagement[rows] = np.clip(eng, 0.0, 1.0)

    gain = benefit["help"] + fit * quality - plan.friction
    st.trust[rows] = np.clip(st.trust[rows] + dyn.trust_rate * gain * readers, 0.0, 1.0)
    wrote = today.posts.sum(axis=1) > 0
    st.commitment[rows] = np.clip(
        st.commitment[rows] + dyn.commitment_rate * np.where(wrote, 1.0, -0.1), 0.0, 1.0)


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
    st, dyn, rng, roles = model.state, model.dyn, model.rng, model.roles
    rows = today.rows
    if rows.size == 0:
        return
    day = model.day
    role = st.role[rows]
    posts = today.posts
    wrote = posts.sum(axis=1)

    admins = np.count_nonzero(role == 1)
    volume = max(1, int(today.counts.sum()))
    coverage = min(1.0, (admins + 0.5) * dyn.admin_review_capacity / volume)
    catch = min(1.0, dyn.catch_rate * coverage * plan.moderation)
    ads = posts[:, KIND["ad"]]
    caught = (ads > 0) & (rng.random(rows.size) < 1.0 - (1.0 - catch) ** ads)
    caught &= roles.operator[role] == 0

    value = st.value[rows]
    muted = st.muted[rows]
    newly_muted = ~muted & today.read & (today.cost > dyn.mute_threshold) & (
        rng.random(rows.size) < dyn.mute_chance)
    st.muted[rows[newly_muted]] = True
    st.muted_day[rows[newly_muted]] = day
    shortfall = np.maximum(0.0, roles.expectation[role] - value)
    hazard = (dyn.leave_floor + dyn.leave_rate * roles.patience[role] * shortfall) * np.where(
        muted, dyn.muted_leave_factor, 1.0) * (1.0 - 0.5 * st.commitment[rows])
    hazard[(roles.operator[role] > 0) | (role == Spammer.code)] = 0.0
    leaving = ~caught & (rng.random(rows.size) < hazard)

    silent = np.where(wrote > 0, 0, st.days_silent[rows] + 1)
    st.days_silent[rows] = silent
    st.last_post_day[rows[wrote > 0]] = day

    removed_rows = rows[caught]
    if removed_rows.size:
        model.moderator().remove_members(removed_rows)
    model.leave(rows[leaving])
    today.removed, today.leaves = int(caught.sum()), int(leaving.sum())

    stay = ~(caught | leaving)
    recent = st.recent_posts[rows]
    to_lurker = stay & (role == Member.code) & (silent >= dyn.lurk_after)
    to_member = stay & (role == Lurker.code) & (recent > 0.3)
    to_leader = stay & ((role == Member.code) | (role == SeedUser.code)) & (
        recent >= dyn.leader_posts_per_day) & (st.trust[rows] > 0.5) & (
        rng.random(rows.size) < dyn.leader_promotion)
    model.change_role(rows[to_lurker], Lurker)
    model.change_role(rows[to_member], Member)
    model.change_role(rows[to_leader], OpinionLeader)
    trust = st.trust[rows]
    layer = st.layer[rows]
    up = stay & (((layer == 0) & (trust >= 0.4)) | ((layer == 1) & (trust >= dyn.strong_trust)))
    st.layer[rows[up]] += 1


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


__all__ = [
    "Today", "VALUE_COMPONENTS", "convert", "grab_envelopes", "group_appeal", "lucky_split",
    "moderate_and_churn", "post", "read", "recruit", "update_value",
]
