"""Compiled passes of reading and posting (numba).

Called by :mod:`sim.engine.day.conversation`; loaded with numba when first used.
Records: :mod:`sim.engine.records`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.engine.indices import (
    K_AD,
    K_ANSWER,
    K_CHAT,
    K_CONTENT,
    K_DISCUSSION,
    K_QUESTION,
    NO_LIMIT,
    T_AD,
    T_CONTENT,
    T_INFLUENCE,
    T_OPERATOR,
    T_POST,
    T_QUESTION,
    T_REPLY,
)

JOIN_TRIES = 8
"""Readers asked, one after another, whether they join a thread (:func:`joins_in`), and
draws for a responder who can still write today (:func:`draw_responder`)."""


class Conversation(NamedTuple):
    """The arrays reading and posting fill, aligned with the day's rows (``today``)."""

    read: np.ndarray
    """Who opened the chat."""
    posts: np.ndarray
    """Messages each wrote today, by kind."""
    wrote: np.ndarray
    """Messages each wrote today."""
    answered: np.ndarray
    """Questions of theirs that were answered."""
    replies: np.ndarray
    """Posts of theirs that got a reply."""
    first: np.ndarray
    """Whether today brought their first post."""
    first_answered: np.ndarray
    """Whether that first post was answered."""


@njit(cache=True)
def read_kernel(rows, members, group, read):
    """Reading: who opens the chat today.

    A member opens it with chance ``floor + gain x engagement``, times
    ``muted_factor`` when they muted the group.
    """
    table, consts = members.fields, group.fields.constants[0]
    engagement, muted = table.engagement, table.muted
    floor, gain, muted_factor = consts.read_floor, consts.read_gain, consts.muted_read_factor
    for j in range(rows.size):
        i = rows[j]
        chance = floor + gain * engagement[i]
        if muted[i]:
            chance *= muted_factor
        read[j] = np.random.random() < chance


@njit(cache=True)
def post_kernel(rows, members, group, day, today):
    """Posting: messages, their kinds, answers and replies, first posts, the ledger.

    Readers write at rate ``post rate x sociability x engagement^exponent x boost``,
    plus ``newcomer_opening`` for a newcomer who has not yet started a message (the
    question or hello they came with, whatever their voice), ``1 + rules_boost`` times
    that for a newcomer who saw the rules (Matias: rules shown raise the chance that a
    newcomer takes part at all; they do not make those who write write more). The
    day's messages are
    one Poisson process: a total, then an author per message in proportion to their
    rate (the same distribution as independent Poisson counts). Each message is an ad, a
    question, content or chat by its author's role and spam propensity (newcomers who
    saw the rules hold back ``compliance`` of their off-topic ads, everyone
    ``compliance_all``); talk that is neither content nor a question is on-topic
    discussion with chance ``1 / (1 + exp(-(logit on_topic_talk + talk_shift +
    talk_tilt)))``, the tilt being the author's fit against their chat taste
    (:func:`sim.engine.world.talk_tilt`), and an off-topic policy makes members hold back
    ``off_topic_hold`` of their chat. A reply to content or discussion is discussion,
    a reply to chat is chat. Questions are answered with ``1 - exp(-W x answer_boost /
    answer_scale)`` and other posts replied to with
    ``1 - exp(-W x influence / reply_scale)``, where ``W`` is the responders' weight
    (reply propensity x engagement of readers), and the responses are written by
    readers chosen in proportion to that weight. Newcomers asked to introduce
    themselves write one message on their join day; on sign-in days each reader
    checks in with one message with chance ``checkin_chance``; a welcomed newcomer's
    first post is greeted. A first post is the first message a member starts (not a
    response). A member who started something today and got an answer or a reply moves
    their mood toward +1, one ignored toward -1 (``address_memory``), and it fades on
    days they start nothing; it scales their posting by ``exp(address_effect x mood)``
    (being addressed raises a person's chance to write for a while; Joyce & Kraut
    2006, Burke et al. 2007). Nobody writes more than ``writing_budget`` messages of their own and
    responses in a day: a message drawn for someone whose day is spent is not written,
    and a response drawn for them is drawn again by weight (:func:`draw_responder`). A
    reply can draw replies in turn (:func:`carry_on`): a thread. Returns
    (responses, non-operator members who talked, greetings, threads, replies in them,
    messages in the longest thread, its starter included).
    """
    table, run = members.fields, group.fields
    consts, plan, now = run.constants[0], day[0], Conversation(*today)
    read, posts, wrote = now.read, now.posts, now.wrote
    answered, replies = now.answered, now.replies
    first, first_answered = now.first, now.first_answered
    role, engagement = table.role, table.engagement
    saw_rules, joined_day = table.saw_rules, table.joined_day
    welcomed, first_post_day = table.welcomed, table.first_post_day
    first_post_answered = table.first_post_answered
    messages, recent_posts = table.messages, table.recent_posts
    traits, sociability, spam_propensity = run.traits, run.sociability, run.spam_propensity
    silent = run.silent
    talk_tilt, hold = run.talk_tilt, plan.off_topic_hold
    talk_base = consts.on_topic_talk
    talk_odds = plan.talk_shift + (math.log(talk_base / (1.0 - talk_base))
                                   if 0.0 < talk_base < 1.0 else 0.0)
    newcomer_days, recent_window = consts.newcomer_days, consts.recent_window
    exponent, intro_chance = consts.engagement_exponent, consts.intro_chance
    opening = consts.newcomer_opening
    welcome_reply = consts.welcome_reply
    rules_boost, compliance = consts.rules_participation_boost, consts.rules_compliance
    reply_scale, reply_sociability = consts.reply_scale, consts.reply_sociability
    answer_scale = consts.answer_scale
    boost, compliance_all, introduce = plan.posting_boost, plan.compliance, plan.self_introduction
    budget = consts.writing_budget if consts.writing_budget > 0 else NO_LIMIT
    mood, address_effect, address_memory = table.voice_mood, consts.address_effect, \
        consts.address_memory
    checkin_chance, answer_boost = plan.checkin_chance, plan.answer_boost
    backlog, quiet, tolerance = plan.last_volume, consts.overload_quiet, consts.noise_tolerance
    size = rows.size
    cumulative = np.empty(size)
    responders = np.empty(size)
    written = np.zeros(size, dtype=np.int64)  # today's messages of each, against the budget
    thresholds = np.empty((size, 4))
    total_rate = 0.0
    weight = 0.0
    for j in range(size):
        i = rows[j]
        t = traits[role[i]]
        e = engagement[i]
        newcomer = plan.day - joined_day[i] < newcomer_days
        ruled = saw_rules[i] and newcomer
        rate = 0.0
        responders[j] = 0.0
        if read[j] and not silent[i]:
            rate = t[T_POST] * sociability[i] * e ** exponent * boost
            if address_effect != 0.0:  # answered lately: more; ignored lately: less
                rate *= math.exp(address_effect * mood[i])
            responders[j] = t[T_REPLY] * e
            if reply_sociability != 0.0:
                responders[j] *= sociability[i] ** reply_sociability
            if quiet != 0.0 and t[T_OPERATOR] == 0:  # flooded: they follow only part of it
                share = following(tolerance, e, backlog)
                if share < 1.0:
                    follow = share ** quiet
                    rate *= follow
                    responders[j] *= follow
            if newcomer and first_post_day[i] < 0:  # the question or the hello they came with
                if ruled and t[T_AD] == 0.0:  # visible rules invite it (would-be posters only)
                    rate += opening * (1.0 + rules_boost)
                else:
                    rate += opening
            weight += responders[j]
        total_rate += rate
        cumulative[j] = total_rate
        if (introduce and joined_day[i] == plan.day and not silent[i]
                and np.random.random() < intro_chance):
            posts[j, K_CHAT] += 1
        if (checkin_chance > 0 and read[j] and not silent[i]
                and np.random.random() < checkin_chance):
            posts[j, K_CHAT] += 1  # a sign-in / punch-in message
        written[j] = posts[j, K_CHAT]  # an introduction and a check-in so far
        stray = (1.0 - t[T_AD]) * spam_propensity[i]
        stray *= 1.0 - max(compliance if ruled else 0.0, compliance_all)
        ad = min(1.0, t[T_AD] + stray)
        rest = 1.0 - ad
        thresholds[j, 0] = ad
        thresholds[j, 1] = ad + rest * t[T_QUESTION]
        talk = rest * (1.0 - t[T_QUESTION])
        thresholds[j, 2] = thresholds[j, 1] + talk * t[T_CONTENT]
        on_topic = talk_base
        if 0.0 < talk_base < 1.0:
            on_topic = 1.0 / (1.0 + math.exp(-(talk_odds + talk_tilt[i])))
        thresholds[j, 3] = thresholds[j, 2] + talk * (1.0 - t[T_CONTENT]) * on_topic

    answer_chance = 1.0 - math.exp(-weight * answer_boost / answer_scale)
    total = np.random.poisson(total_rate) if total_rate > 0 else 0
    answers = 0
    discussed = 0  # replies to on-topic posts: discussion
    chatted = 0  # replies to small talk: chat
    discussed_to = np.empty(total, dtype=np.int64)  # whose post each reply answers
    chatted_to = np.empty(total, dtype=np.int64)
    for _ in range(total):
        j = min(np.searchsorted(cumulative, np.random.random() * total_rate, side="right"),
                size - 1)
        if written[j] >= budget:
            continue  # their day's writing is spent: the message is not written
        written[j] += 1
        x = np.random.random()
        if x < thresholds[j, 0]:
            posts[j, K_AD] += 1
        elif x < thresholds[j, 1]:
            posts[j, K_QUESTION] += 1
            if np.random.random() < answer_chance:
                answered[j] += 1
                answers += 1
        else:
            on_topic = x < thresholds[j, 3]
            if not on_topic and hold > 0.0 and np.random.random() < hold:
                written[j] -= 1  # small talk held back under an off-topic policy
                continue
            if x < thresholds[j, 2]:
                posts[j, K_CONTENT] += 1
            else:
                posts[j, K_DISCUSSION if on_topic else K_CHAT] += 1
            influence = traits[role[rows[j]], T_INFLUENCE]
            if np.random.random() < 1.0 - math.exp(-weight * influence / reply_scale):
                replies[j] += 1
                if on_topic:
                    discussed_to[discussed] = j
                    discussed += 1
                else:
                    chatted_to[chatted] = j
                    chatted += 1
    responded = np.zeros(size, dtype=np.int64)
    threads = np.zeros(3, dtype=np.int64)  # threads, replies in them, the longest
    if weight > 0:
        for j in range(1, size):
            responders[j] += responders[j - 1]
        for k in range(answers + discussed + chatted):
            j = draw_responder(responders, written, budget)
            if j < 0:
                continue  # every responder has spent their day's writing
            written[j] += 1
            responded[j] += 1
            if k < answers:
                posts[j, K_ANSWER] += 1
                continue
            on_topic = k < answers + discussed
            kind = K_DISCUSSION if on_topic else K_CHAT
            posts[j, kind] += 1
            starter = discussed_to[k - answers] if on_topic else chatted_to[k - answers - discussed]
            length = 1 + carry_on(j, starter, kind,
                                  (responders, written, responded, posts, replies), budget,
                                  (rows, run), consts)
            threads[0] += 1
            threads[1] += length
            threads[2] = max(threads[2], length + 1)  # the starter and its replies

    talkers = 0
    greeted = 0
    kinds = posts.shape[1]
    for j in range(size):
        i = rows[j]
        n = 0
        for k in range(kinds):
            n += posts[j, k]
        if n > 0:
            for k in range(kinds):
                messages[i, k] += posts[j, k]
        wrote[j] = n
        # a newcomer's first post is the first message they start, not a response
        first[j] = n > responded[j] and first_post_day[i] < 0
        first_answered[j] = False
        if first[j]:
            if welcomed[i] and np.random.random() < welcome_reply:
                replies[j] += 1
                greeted += 1
            first_answered[j] = replies[j] + answered[j] > 0
            first_post_day[i] = plan.day
            first_post_answered[i] = 1 if first_answered[j] else 0
        recent_posts[i] += (n - recent_posts[i]) / recent_window
        if n > responded[j]:  # they started something: answered, or ignored
            heard = 1.0 if replies[j] + answered[j] > 0 else -1.0
            mood[i] += address_memory * (heard - mood[i])
        else:
            mood[i] *= 1.0 - address_memory
        if n - posts[j, K_AD] > 0 and traits[role[i], T_OPERATOR] == 0:
            talkers += 1
    return answers + threads[1], talkers, greeted, threads[0], threads[1], threads[2]


@njit(cache=True)
def following(tolerance, engagement, backlog):
    """Share of yesterday's ``backlog`` of messages a reader's attention budget covers.

    The budget is ``tolerance x (0.5 + engagement)`` messages a day (the one a reader's
    noise cost is counted against, :func:`sim.engine.day.evening_kernels.value_kernel`):
    a reader who could not follow the whole chat writes and answers in proportion to
    what they follow, so a group's volume grows slower than its membership (the
    posters of a chat channel saturate: Jones, Moldovan, Raban & Butler 2008).
    """
    budget = attention_budget(tolerance, engagement)
    return 1.0 if backlog <= budget else budget / backlog


@njit(cache=True)
def attention_budget(tolerance, engagement):
    """Messages a day a reader of this engagement reads without feeling flooded."""
    return tolerance * (0.5 + engagement)


@njit(cache=True)
def draw_responder(cumulative, written, budget):
    """A responder who can still write today, drawn in proportion to weight (-1: none).

    ``cumulative`` holds the responders' weights summed in row order. One drawn whose
    day is spent (``written`` at ``budget``) is drawn again, up to ``JOIN_TRIES`` times,
    so the responses the talkative cannot write go to others in proportion to their
    weight; when every draw is spent the response is not written (those who would
    answer are busy). It went to the next row in line once, whatever their weight: with
    a budget that binds, people who almost never answer wrote the answers.
    """
    size = cumulative.size
    if cumulative[size - 1] <= 0.0:
        return -1
    for _ in range(JOIN_TRIES):
        j = min(np.searchsorted(cumulative, np.random.random() * cumulative[size - 1],
                                side="right"), size - 1)
        if written[j] < budget:
            return j
    return -1


@njit(cache=True)
def carry_on(writer, addressee, kind, ledger, budget, people, consts):
    """A thread going on after ``writer`` replied to ``addressee``: replies drawing replies.

    ``ledger`` holds the day's arrays a reply writes into: the responders' cumulative
    weights, messages written (against ``budget``), responses written, posts by kind,
    and replies each got; ``people`` the day's rows and the run's fixed fields.

    Each reply draws another with chance ``thread_continue``, fading by ``thread_fade``
    at every step along the thread (attention moves on; Kraut & Resnick 2012 on how
    few threads go deep). The next reply is the addressee answering back with chance
    ``back_and_forth`` (if they can still write), otherwise another reader joins in
    (:func:`joins_in`). Every reply is of the thread's ``kind`` and counts as a reply
    the person replied to got. Returns the replies added (0 when ``thread_continue`` is
    0, with no random draw, so one-level replies are as they were).
    """
    cumulative, written, responded, posts, replies = ledger
    chance, fade = consts.thread_continue, consts.thread_fade
    back = consts.back_and_forth
    added = 0
    while chance > 0.0 and np.random.random() < chance:
        if (addressee != writer and written[addressee] < budget
                and np.random.random() < back):
            nxt = addressee
        else:
            nxt = joins_in(writer, kind, cumulative, written, budget, people, consts)
            if nxt < 0:
                break  # nobody else can or would answer: the thread ends
        written[nxt] += 1
        responded[nxt] += 1
        posts[nxt, kind] += 1
        replies[writer] += 1
        addressee, writer = writer, nxt
        added += 1
        chance *= fade
    return added


@njit(cache=True)
def joins_in(writer, kind, cumulative, written, budget, people, consts):
    """Another reader who answers ``writer`` in a thread, or -1 if nobody would.

    Readers are drawn by responder weight (voice, engagement); one drawn answers with
    chance ``interest x tie``: interest is their fit with the topic in a discussion and
    their taste for small talk in chat, tie 1 for a friend of the writer and
    ``stranger_reply`` for anyone else (people answer those they know, on what they
    care about). Up to ``JOIN_TRIES`` readers are asked.
    """
    rows, run = people
    fit, taste = run.fit, run.chat_taste
    indptr, indices = run.indptr, run.indices
    stranger = consts.stranger_reply
    me = rows[writer]
    for _ in range(JOIN_TRIES):
        other = draw_responder(cumulative, written, budget)
        if other < 0:
            return -1
        if other == writer:
            continue
        person = rows[other]
        interest = fit[person] if kind == K_DISCUSSION else taste[person]
        friends = indices[indptr[me]:indptr[me + 1]]  # sorted
        k = np.searchsorted(friends, person)
        tie = 1.0 if k < friends.size and friends[k] == person else stranger
        if np.random.random() < interest * tie:
            return other
    return -1


@njit(cache=True)
def read_and_post_kernel(rows, members, group, day, today):
    """Reading (:func:`read_kernel`), then posting (:func:`post_kernel`), in one call."""
    read_kernel(rows, members, group, Conversation(*today).read)
    return post_kernel(rows, members, group, day, today)
