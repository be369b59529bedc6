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

from agents import Lurker, Member, OpinionLeader, SeedUser, Spammer
from sim.state import KIND, MESSAGE_KINDS, OUTSIDER, VALUE_PARTS

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

C_CONTENT, C_MATERIAL, C_HELP, C_BONDS, C_IDENTITY, C_COST = range(len(VALUE_PARTS))


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


def group_appeal(model: CommunityModel, rows: np.ndarray) -> np.ndarray:
    """How attractive the group looks to outsiders ``rows``, 0-1.

    Friends report what the group is worth to them (``model.group_value``); content
    value is scaled by the outsider's topic fit and material value (recent red
    envelopes) by their sensitivity to money. Would-be advertisers want an audience
    and accept any group.
    """
    w = model.world
    appeal = w.fit[rows] * (0.5 + min(max(model.group_value, 0.0), 1.0))
    appeal += w.money_sensitivity[rows] * model.material_signal
    _unit(appeal)
    appeal[w.natural_role[rows] == Spammer.code] = 1.0
    return appeal


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
    rate = model.roles.invite_rate[st.role[members]] * st.engagement[members]
    inviters = members[rng.random(members.size) < rate * plan.invite_boost]
    adj = w.adjacency
    start = adj.indptr[inviters]
    degree = adj.indptr[inviters + 1] - start
    has_friends = degree > 0
    picks = start[has_friends] + (rng.random(int(has_friends.sum()))
                                  * degree[has_friends]).astype(np.int64)
    invitees = adj.indices[picks].astype(np.int64)
    found = rng.integers(0, w.size, rng.poisson(w.size * dyn.discovery_rate))
    if dyn.advertiser_search > 1.0:  # advertisers look for groups: extra draws kept for them
        extra = rng.integers(0, w.size, rng.poisson(w.size * dyn.discovery_rate
                                                     * (dyn.advertiser_search - 1.0)))
        found = np.concatenate((found, extra[w.natural_role[extra] == Spammer.code]))
    candidates = np.concatenate((invitees, found))
    if candidates.size == 0:
        return
    via = np.concatenate((inviters[has_friends], np.full(found.size, -1))).astype(np.int32)
    outsiders = st.status[candidates] == OUTSIDER
    candidates, via = candidates[outsiders], via[outsiders]
    if candidates.size == 0:
        return
    order = np.argsort(candidates, kind="stable")
    candidates, via = candidates[order], via[order]
    first = np.ones(candidates.size, dtype=bool)
    first[1:] = candidates[1:] != candidates[:-1]
    candidates, via = candidates[first], via[first]
    consent = dyn.acceptance * group_appeal(model, candidates) * (
        1.0 + dyn.cluster_bonus * w.clustering[candidates])
    if members.size <= model.group.consent_above:
        consent[via >= 0] = 1.0
    accept = rng.random(candidates.size) < consent
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
    col = model.roles.col
    traits = today.traits
    joined = st.joined_day[rows]
    saw_rules = st.saw_rules[rows] & (model.day - joined < NEWCOMER_DAYS)
    topic = dyn.topic_floor + (1.0 - dyn.topic_floor) * model.topic_supply
    rate = traits[:, col["post_rate"]] * w.sociability[rows] * eng ** dyn.engagement_exponent
    rate *= (plan.posting_boost * topic) * (1.0 + dyn.rules_participation_boost * saw_rules)
    rate *= readers
    posts = np.zeros((size, N_KINDS), dtype=np.int32)
    if plan.self_introduction:
        posts[:, KIND["chat"]] += (joined == model.day) & (u[U_INTRO] < dyn.intro_chance)

    responders = traits[:, col["reply_propensity"]] * eng * readers
    weight = float(responders.sum())
    reply_chance = 1.0 - np.exp(traits[:, col["influence"]] * (-weight / dyn.reply_scale))
    answer_chance = 1.0 - np.exp(-weight / dyn.answer_scale)
    cumulative = np.cumsum(rate)
    total = rng.poisson(cumulative[-1]) if size else 0
    answered = np.zeros(size, dtype=np.int64)
    replies = np.zeros(size, dtype=np.int64)
    n_answers = n_replies = 0
    if total:
        draw = rng.random((3, total))
        author = np.minimum(np.searchsorted(cumulative, draw[0] * cumulative[-1], side="right"),
                            size - 1)
        kind = _message_kinds(model, today, saw_rules)[author]
        kind = (draw[1][:, None] >= kind).sum(axis=1)
        code = _KIND_CODES[kind]
        posts += np.bincount(author * N_KINDS + code, minlength=size * N_KINDS).reshape(
            size, N_KINDS).astype(np.int32)
        question = code == KIND["question"]
        chance = np.where(question, answer_chance, reply_chance[author])
        chance[code == KIND["ad"]] = 0.0
        got = draw[2] < chance
        got_answer = got & question
        got_reply = got & ~question
        answered = np.bincount(author[got_answer], minlength=size)
        replies = np.bincount(author[got_reply], minlength=size)
        n_answers, n_replies = int(got_answer.sum()), int(got_reply.sum())
        if weight > 0 and n_answers + n_replies:
            resp_cdf = np.cumsum(responders)
            by = np.minimum(np.searchsorted(
                resp_cdf, rng.random(n_answers + n_replies) * resp_cdf[-1], side="right"),
                size - 1)
            posts[:, KIND["answer"]] += np.bincount(by[:n_answers], minlength=size).astype(
                np.int32)
            posts[:, KIND["chat"]] += np.bincount(by[n_answers:], minlength=size).astype(np.int32)
    if plan.content_posts:
        today.operator_posts[KIND["content"]] += plan.content_posts
        st.messages[model.owner_row, KIND["content"]] += plan.content_posts
    today.operator_posts[KIND["announcement"]] += plan.announcements

    wrote = posts.sum(axis=1)
    first = (wrote > 0) & (st.first_post_day[rows] < 0)
    welcomed = first & st.welcomed[rows] & (u[U_WELCOME] < dyn.welcome_reply)
    first_answered = first & ((replies + answered > 0) | welcomed)
    n_welcomed = int(welcomed.sum())
    today.operator_posts[KIND["chat"]] += n_welcomed

    today.posts, today.wrote = posts, wrote
    today.asked, today.answered = posts[:, KIND["question"]], answered
    today.replies_got = replies + welcomed
    today.first_post, today.first_answered = first, first_answered
    if first.any():
        firsts = rows[first]
        st.first_post_day[firsts] = model.day
        st.first_post_answered[firsts] = first_answered[first]
    st.messages[rows] += posts
    st.recent_posts[rows] += (wrote - st.recent_posts[rows]) * (1.0 / RECENT_WINDOW)
    talked = (wrote - posts[:, KIND["ad"]]) > 0
    talkers = np.count_nonzero(talked & (traits[:, col["operator"]] == 0))
    today.conversation = bool(talkers >= 2 and n_answers + n_replies + n_welcomed > 0)


_KIND_CODES = np.array([KIND["ad"], KIND["question"], KIND["content"], KIND["chat"]])
"""Message kinds in the order of the thresholds of :func:`_message_kinds`."""


def _message_kinds(model: CommunityModel, today: Today, saw_rules: np.ndarray) -> np.ndarray:
    """Per member, cumulative chances that a message is an ad, question, content.

    A uniform draw ``x`` gives kind ``(x >= thresholds).sum()`` in the order of
    ``_KIND_CODES``: below the first threshold an ad, then a question, content, chat.
    Members who saw the rules hold back part of their off-topic ads.
    """
    col = model.roles.col
    traits = today.traits
    own_ads = traits[:, col["ad_share"]]
    stray = (1.0 - own_ads) * model.world.spam_propensity[today.rows]
    stray *= 1.0 - model.dyn.rules_compliance * saw_rules
    ad = np.minimum(1.0, own_ads + stray)
    rest = 1.0 - ad
    question = ad + rest * traits[:, col["question_share"]]
    content = question + rest * (1.0 - traits[:, col["question_share"]]) * traits[
        :, col["content_share"]]
    return np.column_stack((ad, question, content))


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
    Members also send envelopes unprompted now and then.
    """
    st, dyn, rng, w = model.state, model.dyn, model.rng, model.world
    rows, role = today.rows, today.role
    today.money_in = np.zeros(rows.size)
    envelopes = model.pending_envelopes + plan.envelopes
    model.pending_envelopes = []
    givers = (today.trait(model, "operator") == 0) & (role != Spammer.code)
    if dyn.gift_send_base > 0:
        unprompted = rows[givers & (rng.random(rows.size) < dyn.gift_send_base)]
        envelopes += [_member_envelope(model, int(r)) for r in unprompted.tolist()]
    if not envelopes or rows.size == 0:
        return
    eagerness = dyn.grab_chance * today.trait(model, "envelope_appetite") * (
        0.3 + 0.7 * today.read) * (0.5 + w.money_sensitivity[rows])
    gained = np.zeros(rows.size)
    luckiest = np.zeros(rows.size, dtype=bool)
    thanks_chance = dyn.thanks_chance * (0.2 + today.trait(model, "reply_propensity"))
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
            st.messages[env.sender, KIND["red_envelope"]] += 1
            where = np.searchsorted(rows, env.sender)
            if where < rows.size and rows[where] == env.sender:
                today.posts[where, KIND["red_envelope"]] += 1
            else:  # the sender left since: the message still appears
                today.operator_posts[KIND["red_envelope"]] += 1
        today.envelope_money += claimed
        thanks = grabbers[rng.random(grabbers.size) < thanks_chance[grabbers]]
        today.posts[thanks, KIND["thanks"]] += 1
        st.messages[rows[thanks], KIND["thanks"]] += 1
    st.money_received[rows] += gained
    today.money_in = gained
    today.wrote = today.posts.sum(axis=1)
    chance = dyn.gift_send_per_yuan * gained * np.where(luckiest, dyn.luckiest_factor, 1.0)
    senders = rows[givers & (rng.random(rows.size) < chance)]
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
    st, dyn, w = model.state, model.dyn, model.world
    rows, readers, eng = today.rows, today.read, today.eng
    size = rows.size
    if size == 0:
        return
    counts = today.posts.sum(axis=0) + today.operator_posts
    today.counts = counts
    fit = w.fit[rows]
    member_content = counts[KIND["content"]] - plan.content_posts
    pushed = plan.content_posts * plan.content_attention
    seen = pushed + member_content
    quality = ((pushed * plan.content_quality + member_content * dyn.member_content_quality)
               / seen if seen > 0 else 0.0)
    volume = counts.sum() + plan.content_noise
    ads = counts[KIND["ad"]]
    starters = (counts[KIND["content"]] + counts[KIND["announcement"]]
                + QUESTION_STARTER * counts[KIND["question"]])
    model.topic_supply = 1.0 - np.exp(-starters / dyn.topic_scale)

    gain = np.empty((size, len(VALUE_PARTS)))
    gain[:, C_CONTENT] = content_gain = fit * (quality * min(1.0, seen / dyn.content_saturation))
    gain[:, C_MATERIAL] = w.money_sensitivity[rows] * (
        1.0 - np.exp(today.money_in * (-1.0 / dyn.money_scale)))
    ambient_help = 0.3 * min(1.0, counts[KIND["answer"]] / 3.0)
    gain[:, C_HELP] = help_gain = np.where(
        today.asked > 0, today.answered / np.maximum(today.asked, 1), ambient_help * fit)
    chat = min(1.0, counts[KIND["chat"]] / dyn.chat_saturation)
    gain[:, C_BONDS] = 0.5 * np.minimum(1.0, today.replies_got) + (0.3 * chat) * np.minimum(
        1.0, st.friends_in[rows] * 0.2)
    gain[:, C_IDENTITY] = today.trait(model, "status") + 0.3 * st.commitment[rows]
    cost = (dyn.noise_weight * np.maximum(0.0, volume / (dyn.noise_tolerance * (0.5 + eng)) - 1.0)
            + (dyn.spam_weight * ads / (ads + dyn.spam_half) + plan.friction
               + sum(o.hard_sell for o in plan.offers)))
    gain[:, C_COST] = cost
    today.cost = cost
    gain *= (dyn.value_memory * readers)[:, None]
    parts = st.value_parts[rows]
    parts *= 1.0 - dyn.value_memory
    parts += gain
    st.value_parts[rows] = parts
    weights = model.roles.weights[today.role]
    value = (weights * parts).sum(axis=1)
    st.value[rows] = value

    target = 1.0 / (1.0 + np.exp((dyn.value_midpoint - value) / dyn.value_spread))
    eng = np.where(readers, eng + dyn.engagement_rate * (target - eng),
                   eng * (1.0 - dyn.neglect_decay))
    first = today.first_post
    if first.any():
        answered = today.first_answered
        eng = np.where(first & answered, eng + dyn.first_reply_boost * (1.0 - eng), eng)
        eng = np.where(first & ~answered, eng * (1.0 - dyn.first_silence_penalty), eng)
    st.engagement[rows] = _unit(eng)
    trust_gain = help_gain + content_gain - plan.friction
    st.trust[rows] = _unit(st.trust[rows] + (dyn.trust_rate * readers) * trust_gain)
    step = np.where(today.wrote > 0, dyn.commitment_rate, -0.1 * dyn.commitment_rate)
    st.commitment[rows] = _unit(st.commitment[rows] + step)


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
    if rows.size == 0:
        return
    day = model.day
    wrote = today.wrote
    operator = today.trait(model, "operator") > 0

    reviewers = np.count_nonzero(role == 1) + 0.5
    coverage = min(1.0, reviewers * dyn.admin_review_capacity / max(1, int(today.counts.sum())))
    catch = min(1.0, dyn.catch_rate * coverage * plan.moderation)
    ads = today.posts[:, KIND["ad"]]
    caught = (ads > 0) & (u[U_CATCH] < 1.0 - (1.0 - catch) ** ads) & ~operator

    muted = st.muted[rows]
    newly_muted = ~muted & today.read & (today.cost > dyn.mute_threshold) & (
        u[U_MUTE] < dyn.mute_chance)
    if newly_muted.any():
        st.muted[rows[newly_muted]] = True
        st.muted_day[rows[newly_muted]] = day
    shortfall = np.maximum(0.0, today.trait(model, "expectation") - st.value[rows])
    hazard = dyn.leave_floor + dyn.leave_rate * today.trait(model, "patience") * shortfall
    hazard *= (1.0 - (1.0 - dyn.muted_leave_factor) * muted) * (1.0 - 0.5 * st.commitment[rows])
    leaving = (u[U_LEAVE] < hazard) & ~caught & ~operator & (role != Spammer.code)

    silent = np.where(wrote > 0, 0, st.days_silent[rows] + 1)
    st.days_silent[rows] = silent
    st.last_post_day[rows[wrote > 0]] = day

    if caught.any():
        model.moderator().remove_members(rows[caught])
    if leaving.any():
        model.leave(rows[leaving])
    today.removed, today.leaves = int(caught.sum()), int(leaving.sum())

    stay = ~(caught | leaving)
    recent = st.recent_posts[rows]
    is_member = role == Member.code
    to_lurker = stay & is_member & (silent >= dyn.lurk_after)
    to_member = stay & (role == Lurker.code) & (recent > LURKER_REVIVAL)
    to_leader = stay & (is_member | (role == SeedUser.code)) & (
        recent >= dyn.leader_posts_per_day) & (u[U_PROMOTE] < dyn.leader_promotion)
    for mask, new_role in ((to_lurker, Lurker), (to_member, Member), (to_leader, OpinionLeader)):
        if mask.any():
            model.change_role(rows[mask], new_role)
    trust = st.trust[rows]
    layer = st.layer[rows]
    up = stay & (((layer == 0) & (trust >= TRUST_FOR_INTENTION))
                 | ((layer == 1) & (trust >= dyn.strong_trust)))
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
