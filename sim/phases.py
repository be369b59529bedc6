"""The phases of a day, in the order ``CommunityModel.step`` runs them.

Every function takes the model, the day's :class:`sim.plan.DayPlan` and the
:class:`Today` record. The per-member work of a phase is one compiled pass over the
member rows (:mod:`sim.kernels`), which reads and writes the member table in place;
this module prepares the day's constants, seeds the kernels' generator once a day
from the model's generator (:func:`seed_kernels`), and turns the kernel's decisions
into agent events (joining, leaving, removal, role changes). The formulas and their
sources are in ``docs/model.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents import (
    Administrator,
    Lurker,
    Member,
    OpinionLeader,
    RedEnvelopeHunter,
    SeedUser,
    Spammer,
)
from sim import kernels
from sim.plan import Envelope, MemberEnvelopes
from sim.state import KIND, MEMBER, MESSAGE_KINDS

if TYPE_CHECKING:
    from sim.model import CommunityModel
    from sim.plan import DayPlan

N_KINDS = len(MESSAGE_KINDS)
NEWCOMER_DAYS = 30
"""Members count as newcomers for this many days after joining."""
RECENT_WINDOW = 28.0
"""Days over which ``recent_posts`` averages a member's posting."""
LURKER_REVIVAL = 0.3
"""Recent posts a day at which a lurker counts as a member again."""
LEADER_TRUST = 0.5
"""Trust in the owner a prolific member needs before being recognised as a leader."""
QUESTION_STARTER = 0.25
"""A question starts a conversation a quarter as often as a content post does."""
TRUST_FOR_INTENTION = 0.4
"""Trust at which a potential member becomes an intention member."""
PROMISE_FADE = 0.25
"""Promises made to newcomers fade at a quarter of the speed of their first impression:
a group that does not deliver what it promised loses them over the following weeks."""
SEED_BOUND = 2**31 - 1
"""Kernel seeds are drawn below this (numba seeds its generator with a 32-bit int)."""


_NO_ROWS = np.empty(0, dtype=np.int64)
_NO_FLAGS = np.empty(0, dtype=bool)
_NO_VALUES = np.empty(0)
_NO_POSTS = np.zeros((0, N_KINDS), dtype=np.int32)
_NO_CHANGES = np.empty(0, dtype=np.int8)


class Today:
    """What happened today, shared between the phases and the metrics.

    Per-member arrays are aligned with ``rows`` (the members when reading started,
    some of whom may have left by the evening). The empty defaults are shared and
    never written to: each phase puts in fresh arrays.
    """

    __slots__ = ("day", "rows", "read", "posts", "wrote", "replies_got", "answered", "cost",
                 "first_post", "first_answered", "gained", "luckiest", "member_envelopes",
                 "operator_posts", "counts", "caught", "leaving", "transition", "churn",
                 "joins", "leaves", "removed", "conversions", "revenue", "money_spent",
                 "envelope_money", "conversation")

    def __init__(self, day: int) -> None:
        self.day = day
        self.rows = _NO_ROWS
        self.read = _NO_FLAGS
        self.posts = _NO_POSTS
        self.wrote = _NO_ROWS
        self.replies_got = _NO_ROWS
        self.answered = _NO_ROWS
        self.cost = _NO_VALUES
        self.first_post = _NO_FLAGS
        self.first_answered = _NO_FLAGS
        self.caught = self.leaving = _NO_FLAGS
        self.transition = _NO_CHANGES
        self.churn = [0, 0, 0]
        self.gained = _NO_VALUES
        self.luckiest = _NO_FLAGS
        self.member_envelopes = MemberEnvelopes()
        self.operator_posts = np.zeros(N_KINDS, dtype=np.int64)
        self.counts = self.operator_posts
        self.joins = self.leaves = self.removed = self.conversions = 0
        self.revenue = self.money_spent = self.envelope_money = 0.0
        self.conversation = False

    @property
    def asked(self) -> np.ndarray:
        """Questions each member asked today."""
        return self.posts[:, KIND["question"]]


SEEDS_PER_DRAW = 16
"""Days' kernel seeds are drawn from the model's generator this many at a time."""


def seed_kernels(model: CommunityModel) -> None:
    """Seed the compiled kernels' generator for today, from the model's generator.

    Seeds are drawn in batches: one call of the generator costs as much as sixteen.
    """
    if not model.kernel_seeds:
        model.kernel_seeds = model.rng.integers(SEED_BOUND, size=SEEDS_PER_DRAW).tolist()
    kernels.seed_day(model.kernel_seeds.pop())


# ----------------------------------------------------------------- recruitment


def recruit(model: CommunityModel, plan: DayPlan, today: Today) -> None:
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
    st, dyn, w = model.state, model.dyn, model.world
    members = model.members()
    free = model.group.capacity - members.size
    if free <= 0:
        return
    adj = w.adjacency
    discovery = w.size * dyn.discovery_rate
    candidates, via = kernels.recruit_kernel(
        members, st.role, model.roles.kernel_traits, st.engagement, plan.invite_boost,
        adj.indptr, adj.indices, discovery, discovery * max(0.0, dyn.advertiser_search - 1.0),
        discovery * dyn.hunter_search * model.material_signal, st.status, w.fit,
        w.money_sensitivity, w.natural_role, w.clustering, model.seen, model.day + 1,
        model.group_value, model.material_signal, dyn.acceptance, dyn.cluster_bonus,
        plan.appeal_boost, members.size <= model.group.consent_above, Spammer.code,
        RedEnvelopeHunter.code)
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
    st.welcomed[candidates] = plan.welcome_speech
    st.saw_rules[candidates] = plan.rules_announced
    joins = int(candidates.size)
    if plan.welcome_speech:
        today.operator_posts[KIND["announcement"]] += joins
    today.joins = joins
    plan.owner_minutes += plan.welcome_minutes * joins
    if plan.entry_fee > 0:
        model.earn(plan.entry_fee * joins)
    inviters = via[via >= 0]
    if plan.invite_reward > 0 and inviters.size:
        model.pay_members(inviters, plan.invite_reward)
    if plan.greeting_envelope is not None:
        plan.envelopes.append(plan.greeting_envelope)


# ------------------------------------------------------------ reading and posting


def read_and_post(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Who opens the group today, and what they write; others reply and answer.

    Reading: engaged members open the chat likelier, muted ones rarely.

    Posting: a member who opened the chat writes at rate ``role rate x sociability x
    engagement^k x topic supply`` (Poisson), where topic supply is how many
    conversation starters (content, questions, announcements) the group had
    yesterday. Each message's kind -- ad, question, content or chat -- follows its
    author's role and spam propensity. Each question is answered and each other post
    replied to with a chance that grows with today's responders (reply propensity x
    engagement of the readers) and the author's influence; answers and replies are
    written by those responders. A welcomed newcomer's first post is answered by the
    welcomers (T3). The owner's team adds the plan's content posts and announcements.

    Both are one compiled pass (reading, then posting).
    """
    st, dyn, w = model.state, model.dyn, model.world
    rows = model.members()
    size = rows.size
    today.rows = rows
    today.read = np.empty(size, dtype=bool)
    topic = dyn.topic_floor + (1.0 - dyn.topic_floor) * model.topic_supply
    posts = np.zeros((size, N_KINDS), dtype=np.int32)
    wrote = np.empty(size, dtype=np.int64)
    answered = np.zeros(size, dtype=np.int64)
    replies = np.zeros(size, dtype=np.int64)
    first = np.empty(size, dtype=bool)
    first_answered = np.empty(size, dtype=bool)
    responses, talkers, greeted = kernels.read_and_post_kernel(
        rows, today.read, st.muted, dyn.read_floor, dyn.read_gain,
        dyn.muted_read_factor, st.role, model.roles.kernel_traits, st.engagement,
        w.sociability, w.spam_propensity, st.saw_rules, st.joined_day, st.welcomed,
        st.first_post_day, st.first_post_answered, st.messages, st.recent_posts, model.day,
        NEWCOMER_DAYS, dyn.engagement_exponent, plan.posting_boost * topic,
        dyn.rules_participation_boost, dyn.rules_compliance, plan.compliance,
        plan.self_introduction, dyn.intro_chance, plan.checkin_chance, dyn.reply_scale,
        dyn.reply_sociability, dyn.answer_scale,
        plan.answer_boost, dyn.welcome_reply,
        RECENT_WINDOW, posts, wrote, answered, replies, first, first_answered)
    if plan.content_posts:
        today.operator_posts[KIND["content"]] += plan.content_posts
        st.messages[model.owner_row, KIND["content"]] += plan.content_posts
    today.operator_posts[KIND["announcement"]] += plan.announcements
    today.operator_posts[KIND["chat"]] += greeted
    today.posts, today.wrote = posts, wrote
    today.answered, today.replies_got = answered, replies
    today.first_post, today.first_answered = first, first_answered
    today.conversation = bool(talkers >= 2 and responses + greeted > 0)


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
    """Equal shares of ``amount`` yuan; the remainder cents go to the first grabbers."""
    cents = int(round(amount * 100))
    shares = max(1, min(shares, cents))
    return kernels.equal_split_cents(cents, shares) / 100.0


def grab_envelopes(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Members grab red envelopes; some thank, some send one back (gift contagion, T2).

    Grab order is random among those who try; hunters watch for envelopes even when
    they do not read. Unclaimed money goes back to the sender. A member who received
    money sends an envelope within 24 hours with a chance that grows with the amount,
    much more so for the luckiest grabber; that envelope is posted the next day.
    Members also send envelopes unprompted now and then.

    The day's envelopes are posted in this order: members' envelopes promised
    yesterday (if their sender is still in the group), the operator's, then members'
    unprompted ones. One compiled pass does it all (:func:`sim.kernels.envelopes_kernel`).
    """
    st, dyn, w = model.state, model.dyn, model.world
    rows = today.rows
    size = rows.size
    promised = model.pending_envelopes
    operators = plan.envelopes
    senders, cents, shares, lucky = Envelope.arrays(operators)
    gained = np.zeros(size)
    luckiest = np.zeros(size, dtype=bool)
    claimed = np.empty(len(operators))
    (model.grab_stamp, today.envelope_money, sent_by, sent_cents, promisers,
     promised_cents) = kernels.envelopes_kernel(
        rows, today.read, st.status, MEMBER, promised.senders, promised.cents,
        senders, cents, shares, lucky, MemberEnvelopes.SHARES, dyn.gift_send_base,
        dyn.gift_amount, st.role, model.roles.kernel_traits, w.money_sensitivity,
        dyn.grab_chance, dyn.thanks_chance, gained, luckiest, today.posts, st.messages,
        st.money_sent, model.grab_mark, model.grab_stamp, claimed, Spammer.code,
        RedEnvelopeHunter.code, st.money_received, st.money_today, today.wrote,
        dyn.gift_send_per_yuan, dyn.luckiest_factor * plan.luckiest_norm)
    today.gained, today.luckiest = gained, luckiest
    today.member_envelopes = MemberEnvelopes(sent_by, sent_cents)
    model.pending_envelopes = MemberEnvelopes(promisers, promised_cents)
    if operators:
        for money in claimed.tolist():
            model.ledger.spend(money)
            today.money_spent += money
        today.operator_posts[KIND["red_envelope"]] += len(operators)


# ---------------------------------------------------------------- value update


def update_value(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Perceived value, engagement, trust and commitment follow today's experience.

    Today's benefits (content, material, help, bonds, identity) and costs (overload,
    spam, friction) of members who read enter an exponential memory; engagement
    moves toward a logistic function of the role-weighted value; newcomers whose
    first post was answered gain engagement and those ignored lose it (T3). Also
    sets tomorrow's topic supply from today's conversation starters.

    The same compiled pass then decides moderation and churn (see
    :func:`moderate_and_churn`, which acts on the decisions).
    """
    st, dyn, w = model.state, model.dyn, model.world
    rows = today.rows
    size = rows.size
    today.counts = np.empty(N_KINDS, dtype=np.int64)
    today.cost = np.empty(size)
    today.caught = np.empty(size, dtype=bool)
    today.leaving = np.empty(size, dtype=bool)
    today.transition = np.empty(size, dtype=np.int8)
    model.topic_supply, *today.churn = kernels.evening_kernel(
        rows, today.read, today.wrote, st.role,
        model.roles.kernel_traits, model.roles.weights, w.fit, w.money_sensitivity,
        st.friends_in, st.money_today, today.posts, today.operator_posts, today.counts,
        today.answered, today.replies_got, today.first_post, today.first_answered,
        st.engagement, st.trust, st.commitment, st.value, st.value_parts, today.cost,
        # what the group offered today
        plan.content_posts, plan.content_attention, plan.content_quality,
        dyn.member_content_quality, dyn.content_saturation, dyn.chat_saturation,
        plan.content_noise, QUESTION_STARTER, dyn.topic_scale, dyn.spam_weight,
        dyn.spam_half, float(sum(offer.hard_sell for offer in plan.offers)),
        # value update
        dyn.value_memory, dyn.money_scale, dyn.noise_weight, dyn.noise_tolerance,
        dyn.engagement_rate, dyn.value_midpoint, dyn.value_spread, dyn.neglect_decay,
        dyn.first_reply_boost, dyn.first_silence_penalty, dyn.trust_rate, plan.friction,
        dyn.commitment_rate, plan.bonds_boost, plan.identity_boost, plan.coupon_value,
        plan.commitment_boost,
        # moderation and churn
        len(model.agents_by_type.get(Administrator, ())) + 0.5, dyn.admin_review_capacity,
        dyn.catch_rate, plan.moderation, st.muted, st.muted_day, st.expectation_extra,
        PROMISE_FADE, st.layer, st.days_silent, st.last_post_day, st.recent_posts,
        model.day, dyn.mute_threshold, dyn.mute_chance, dyn.leave_floor, dyn.leave_rate,
        dyn.muted_leave_factor, dyn.lurk_after, dyn.leader_posts_per_day, LEADER_TRUST,
        dyn.leader_promotion, dyn.strong_trust, TRUST_FOR_INTENTION, LURKER_REVIVAL,
        Member.code, Lurker.code, SeedUser.code, Spammer.code, today.caught, today.leaving,
        today.transition)


# ---------------------------------------------------------- moderation and churn


def moderate_and_churn(model: CommunityModel, plan: DayPlan, today: Today) -> None:
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
        for code, new_role in ((kernels.TO_LURKER, Lurker), (kernels.TO_MEMBER, Member),
                               (kernels.TO_LEADER, OpinionLeader)):
            model.change_role(rows[today.transition == code], new_role)


def _reward_reports(model: CommunityModel, plan: DayPlan, today: Today, caught: int) -> None:
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


# ------------------------------------------------------------------ conversion


def convert(model: CommunityModel, plan: DayPlan, today: Today) -> None:
    """Members buy what is offered: more likely with trust, value and a stronger layer.

    A member's daily chance to buy an offer is ``appeal x trust x clip(value, 0, 1) x
    (0.5 + 0.5 x layer)`` (layer 0, 1, 2 for potential, intention, strong). One-off
    offers (a membership) are bought at most once per member; repeat offers (goods)
    can be bought again on later days.
    """
    if not plan.offers:
        return
    st, offers = model.state, plan.offers
    bought = np.empty(len(offers), dtype=np.int64)
    kernels.buy_offers(model.members(), st.role, model.roles.kernel_traits, st.trust, st.value,
                       st.layer, st.converted, st.purchases,
                       np.array([offer.appeal for offer in offers]),
                       np.array([offer.repeat for offer in offers]), bought)
    for offer, n in zip(offers, bought.tolist(), strict=True):
        if n:
            model.earn(n * offer.price)
            model.ledger.conversions += n
            today.conversions += n
