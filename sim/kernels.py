"""Compiled per-member loops of the daily cycle (numba).

At a few hundred members, a day written as whole-array numpy expressions costs what
its number of array operations costs (a microsecond or more each), not what its
arithmetic costs. Each kernel here does the per-member work of one phase in a single
pass over the member rows, reading and writing the member table in place.

Randomness: kernels draw from numba's own generator, which :func:`seed_day` seeds
once at the start of every day with a seed drawn from the model's generator
(``model.rng``). The day's kernels then draw from it in the fixed order of the
phases, so a run is reproducible from its one seed and independent of what ran
before in the process (numba's generator is per thread, and a day runs in one).
Seeding costs about 1.7 microseconds, as much as a hundred draws, so it is done once
a day rather than once per kernel. ``docs/model.md`` gives the formulas in words.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.state import TRAIT_COLUMNS

# message kinds, in the order of sim.state.MESSAGE_KINDS
(K_CONTENT, K_CHAT, K_QUESTION, K_ANSWER, K_AD, K_RED_ENVELOPE, K_THANKS,
 K_ANNOUNCEMENT) = range(8)
# value parts, in the order of sim.state.VALUE_PARTS
P_CONTENT, P_MATERIAL, P_HELP, P_BONDS, P_IDENTITY, P_COST = range(6)
N_PARTS = 6

(T_POST, T_QUESTION, T_CONTENT, T_AD, T_REPLY, T_INFLUENCE, T_STATUS, T_EXPECT,
 T_PATIENCE, T_OPERATOR, T_INVITE, T_APPETITE) = range(len(TRAIT_COLUMNS))

# role transitions returned by churn_kernel
STAY, TO_LURKER, TO_MEMBER, TO_LEADER = 0, 1, 2, 3


@njit(cache=True)
def seed_day(seed):
    """Seed numba's generator for the day's kernels."""
    np.random.seed(seed)


# ------------------------------------------------------------------ recruitment


@njit(cache=True)
def recruit_kernel(members, role, traits, engagement, boost, indptr, indices,
                   found_mean, search_mean, hunt_mean, status, fit, money_sensitivity,
                   natural_role, clustering, seen, stamp, group_value, material_signal,
                   acceptance, cluster_bonus, appeal_boost, pulled, spammer_code,
                   hunter_code):
    """Recruitment: invitations along friendships, discovery, and outsiders' decisions.

    Each member invites one random friend with chance ``invite rate x engagement x
    boost``; ``n_found`` random people find the group on their own, and of
    ``n_search`` more random people only would-be advertisers (who look for groups
    to advertise in), and of ``n_hunt`` more only red-envelope hunters (who look for
    groups where envelopes are handed out); the three counts are Poisson with means
    ``found_mean``, ``search_mean`` and ``hunt_mean``. Each outsider is considered
    once (``seen``/``stamp``). Invited friends of a small group are ``pulled`` in
    without consent; others accept with ``acceptance x appeal x (1 + cluster_bonus x
    clustering)``, where appeal is fit times what friends report the group is worth
    plus money sensitivity times the recent red-envelope signal (advertisers accept
    any audience), times the plan's ``appeal_boost`` (exclusive benefits). Returns
    the rows of those who join and who invited each (-1 for none).
    """
    n_found = np.random.poisson(found_mean)
    n_search = np.random.poisson(search_mean)
    n_hunt = np.random.poisson(hunt_mean)
    bound = members.size + n_found + n_search + n_hunt
    out_rows = np.empty(bound, dtype=np.int64)
    out_via = np.empty(bound, dtype=np.int32)
    n = 0
    value = min(max(group_value, 0.0), 1.0)
    population = status.size
    for k in range(members.size + n_found + n_search + n_hunt):
        if k < members.size:
            i = members[k]
            if np.random.random() >= traits[role[i], T_INVITE] * engagement[i] * boost:
                continue
            start = indptr[i]
            degree = indptr[i + 1] - start
            if degree == 0:
                continue
            c = indices[start + np.random.randint(0, degree)]
            via = i
        else:
            c = np.random.randint(0, population)
            via = -1
            searching = k - members.size - n_found
            if 0 <= searching < n_search and natural_role[c] != spammer_code:
                continue  # the advertisers' extra search finds only advertisers
            if searching >= n_search and natural_role[c] != hunter_code:
                continue  # the hunters' search finds only hunters
        if status[c] != 0 or seen[c] == stamp:
            continue
        seen[c] = stamp
        if pulled and via >= 0:
            consent = 1.0
        elif natural_role[c] == spammer_code:
            consent = acceptance * (1.0 + cluster_bonus * clustering[c])
        else:
            appeal = min(1.0, fit[c] * (0.5 + value) + money_sensitivity[c] * material_signal)
            consent = acceptance * appeal * appeal_boost * (1.0 + cluster_bonus * clustering[c])
        if np.random.random() < consent:
            out_rows[n] = c
            out_via[n] = via
            n += 1
    return out_rows[:n], out_via[:n]


@njit(cache=True)
def seat_members(rows, roles, inviters, layers, day, founding, fit, initial_engagement,
                 weights, expectation, join_commitment, join_expectation, status, role,
                 role_at_join, joined_day, invited_by, founder, invitees, layer, days_silent,
                 engagement, trust, commitment, expectation_extra, value_parts, value,
                 friends_in, indptr, indices, members):
    """Joining: set up the member-table rows of people who join today.

    Newcomers arrive expecting the group to be worth what their role expects, plus
    what they were promised (``join_expectation``): their remembered value starts
    there, spread over the value components they care about, and then follows
    experience. They start with ``join_commitment`` (a fee paid, being chosen). Their
    friends now have one more friend inside. Unless they are the ``founding`` members,
    each counts as one more invitee of their inviter. Returns the rows of all
    members: ``members`` (sorted) and the newcomers, merged.
    """
    for j in range(rows.size):
        i = rows[j]
        r = roles[j]
        status[i] = 1
        role[i] = r
        role_at_join[i] = r
        joined_day[i] = day
        invited_by[i] = inviters[j]
        if founding:
            founder[i] = True
        elif inviters[j] >= 0:
            invitees[inviters[j]] += 1
        layer[i] = layers[j]
        days_silent[i] = 0
        engagement[i] = min(1.0, max(0.0, initial_engagement * (0.5 + fit[i])))
        trust[i] = 0.2 if inviters[j] >= 0 else 0.1
        commitment[i] = join_commitment
        expectation_extra[i] = join_expectation
        expected = expectation[r] + join_expectation
        cared = 0.0
        for c in range(N_PARTS - 1):
            cared += weights[r, c]
        share = expected / max(cared, 1e-9)
        for c in range(N_PARTS - 1):
            value_parts[i, c] = share if weights[r, c] > 0 else 0.0
        value_parts[i, N_PARTS - 1] = 0.0
        value[i] = expected if cared > 0 else 0.0
        for k in range(indptr[i], indptr[i + 1]):
            friends_in[indices[k]] += 1
    return merged_rows(members, np.sort(rows))


@njit(cache=True)
def unseat_members(rows, new_status, day, role, role_at_end, status, left_day, friends_in,
                   indptr, indices, members):
    """Leaving or removal: close the member-table rows of people who go today.

    Returns the rows of ``members`` who are still members.
    """
    for i in rows:
        role_at_end[i] = role[i]
        status[i] = new_status
        left_day[i] = day
        for k in range(indptr[i], indptr[i + 1]):
            friends_in[indices[k]] -= 1
    keep = np.empty(members.size, dtype=np.bool_)
    for j in range(members.size):
        keep[j] = status[members[j]] == 1
    return members[keep]


@njit(cache=True)
def merged_rows(first, second):
    """Two sorted arrays of distinct rows merged into one sorted array."""
    out = np.empty(first.size + second.size, dtype=np.int64)
    a = 0
    b = 0
    for k in range(out.size):
        if b == second.size or (a < first.size and first[a] < second[b]):
            out[k] = first[a]
            a += 1
        else:
            out[k] = second[b]
            b += 1
    return out


# ---------------------------------------------------------------------- reading


@njit(cache=True)
def read_kernel(rows, engagement, muted, floor, gain, muted_factor, read):
    """Reading: who opens the chat today.

    A member opens it with chance ``floor + gain x engagement``, times
    ``muted_factor`` when they muted the group.
    """
    for j in range(rows.size):
        i = rows[j]
        chance = floor + gain * engagement[i]
        if muted[i]:
            chance *= muted_factor
        read[j] = np.random.random() < chance


# ---------------------------------------------------------------------- posting


@njit(cache=True)
def post_kernel(rows, read, role, traits, engagement, sociability, spam_propensity,
                saw_rules, joined_day, welcomed, first_post_day, first_post_answered,
                messages, recent_posts, day, newcomer_days, exponent, boost, rules_boost,
                compliance, compliance_all, introduce, intro_chance, checkin_chance,
                reply_scale, reply_sociability, answer_scale, answer_boost,
                welcome_reply, recent_window, posts, wrote, answered, replies, first,
                first_answered):
    """Posting: messages, their kinds, answers and replies, first posts, the ledger.

    Readers write at rate ``post rate x sociability x engagement^exponent x boost``
    (newcomers who saw the rules write and respond ``1 + rules_boost`` times as
    much). The day's messages are one Poisson process: a total, then an author per
    message in proportion to their rate (the
    same distribution as independent Poisson counts). Each message is an ad, a
    question, content or chat by its author's role and spam propensity (newcomers who
    saw the rules hold back ``compliance`` of their off-topic ads, everyone
    ``compliance_all``). Questions are answered with ``1 - exp(-W x answer_boost /
    answer_scale)`` and other posts replied to with
    ``1 - exp(-W x influence / reply_scale)``, where ``W`` is the responders' weight
    (reply propensity x engagement of readers), and the responses are written by
    readers chosen in proportion to that weight. Newcomers asked to introduce
    themselves write one message on their join day; on sign-in days each reader
    checks in with one message with chance ``checkin_chance``; a welcomed newcomer's
    first post is greeted. A first post is the first message a member starts (not a
    response). Returns (responses, non-operator members who talked, greetings).
    """
    size = rows.size
    cumulative = np.empty(size)
    responders = np.empty(size)
    thresholds = np.empty((size, 3))
    total_rate = 0.0
    weight = 0.0
    for j in range(size):
        i = rows[j]
        t = traits[role[i]]
        e = engagement[i]
        ruled = saw_rules[i] and day - joined_day[i] < newcomer_days
        rate = 0.0
        responders[j] = 0.0
        if read[j]:
            rate = t[T_POST] * sociability[i] * e ** exponent * boost
            responders[j] = t[T_REPLY] * e
            if reply_sociability != 0.0:
                responders[j] *= sociability[i] ** reply_sociability
            if ruled and t[T_AD] == 0.0:  # visible rules encourage on-topic members only
                rate *= 1.0 + rules_boost  # to start conversations and to take part
                responders[j] *= 1.0 + rules_boost
            weight += responders[j]
        total_rate += rate
        cumulative[j] = total_rate
        if introduce and joined_day[i] == day and np.random.random() < intro_chance:
            posts[j, K_CHAT] += 1
        if checkin_chance > 0 and read[j] and np.random.random() < checkin_chance:
            posts[j, K_CHAT] += 1  # a sign-in / punch-in message
        stray = (1.0 - t[T_AD]) * spam_propensity[i]
        stray *= 1.0 - max(compliance if ruled else 0.0, compliance_all)
        ad = min(1.0, t[T_AD] + stray)
        rest = 1.0 - ad
        thresholds[j, 0] = ad
        thresholds[j, 1] = ad + rest * t[T_QUESTION]
        thresholds[j, 2] = thresholds[j, 1] + rest * (1.0 - t[T_QUESTION]) * t[T_CONTENT]

    answer_chance = 1.0 - math.exp(-weight * answer_boost / answer_scale)
    total = np.random.poisson(total_rate) if total_rate > 0 else 0
    answers = 0
    replies_made = 0
    for _ in range(total):
        j = min(np.searchsorted(cumulative, np.random.random() * total_rate, side="right"),
                size - 1)
        x = np.random.random()
        if x < thresholds[j, 0]:
            posts[j, K_AD] += 1
        elif x < thresholds[j, 1]:
            posts[j, K_QUESTION] += 1
            if np.random.random() < answer_chance:
                answered[j] += 1
                answers += 1
        else:
            if x < thresholds[j, 2]:
                posts[j, K_CONTENT] += 1
            else:
                posts[j, K_CHAT] += 1
            influence = traits[role[rows[j]], T_INFLUENCE]
            if np.random.random() < 1.0 - math.exp(-weight * influence / reply_scale):
                replies[j] += 1
                replies_made += 1
    responded = np.zeros(size, dtype=np.int64)
    if weight > 0:
        for j in range(1, size):
            responders[j] += responders[j - 1]
        for k in range(answers + replies_made):
            j = min(np.searchsorted(responders, np.random.random() * weight, side="right"),
                    size - 1)
            responded[j] += 1
            if k < answers:
                posts[j, K_ANSWER] += 1
            else:
                posts[j, K_CHAT] += 1

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
            first_post_day[i] = day
            first_post_answered[i] = 1 if first_answered[j] else 0
        recent_posts[i] += (n - recent_posts[i]) / recent_window
        if n - posts[j, K_AD] > 0 and traits[role[i], T_OPERATOR] == 0:
            talkers += 1
    return answers + replies_made, talkers, greeted


@njit(cache=True)
def read_and_post_kernel(rows, read, muted, floor, gain, muted_factor,
                         role, traits, engagement, sociability, spam_propensity, saw_rules,
                         joined_day, welcomed, first_post_day, first_post_answered, messages,
                         recent_posts, day, newcomer_days, exponent, boost, rules_boost,
                         compliance, compliance_all, introduce, intro_chance, checkin_chance,
                         reply_scale, reply_sociability, answer_scale, answer_boost,
                         welcome_reply, recent_window, posts, wrote, answered, replies, first,
                         first_answered):
    """Reading (:func:`read_kernel`), then posting (:func:`post_kernel`), in one call."""
    read_kernel(rows, engagement, muted, floor, gain, muted_factor, read)
    return post_kernel(rows, read, role, traits, engagement, sociability,
                       spam_propensity, saw_rules, joined_day, welcomed, first_post_day,
                       first_post_answered, messages, recent_posts, day, newcomer_days,
                       exponent, boost, rules_boost, compliance, compliance_all, introduce,
                       intro_chance, checkin_chance, reply_scale, reply_sociability,
                       answer_scale, answer_boost, welcome_reply, recent_window, posts, wrote,
                       answered, replies, first, first_answered)


# ---------------------------------------------------------------- red envelopes


@njit(cache=True)
def lucky_split_cents(cents, shares, u):
    """WeChat's random split of ``cents`` into ``shares``.

    Each grab is uniform between one cent and twice the remaining average (``u``
    holds one uniform per grab but the last); the last grab takes what is left.
    """
    out = np.empty(shares, dtype=np.int64)
    left = cents
    for i in range(shares - 1):
        remaining = shares - i
        high = max(1, 2 * left // remaining)
        out[i] = min(left - (remaining - 1), 1 + int(u[i] * high))
        left -= out[i]
    out[shares - 1] = left
    return out


@njit(cache=True)
def equal_split_cents(cents, shares):
    """Equal shares of ``cents``; the remainder cents go to the first grabbers."""
    out = np.full(shares, cents // shares, dtype=np.int64)
    out[: cents % shares] += 1
    return out


@njit(cache=True)
def grab_envelopes_kernel(rows, read, senders, cents, shares, lucky, role, traits,
                          money_sensitivity, grab_chance, thanks_chance, gained, luckiest,
                          posts, messages, money_sent, mark, stamp, claimed):
    """Red envelopes: split and grab every envelope of the day; fills ``claimed`` (yuan).

    Each envelope is split in cents, WeChat's lucky way (:func:`lucky_split_cents`)
    or equally (:func:`equal_split_cents`).
    Members come by in random order; each tries with ``grab_chance x appetite x (0.3 +
    0.7 x read) x (0.5 + money sensitivity)``; the first who try get the shares in
    order; the luckiest is marked; some grabbers who read the chat today post a
    thank-you. The random order is drawn lazily (random visits, skipping people
    already seen, then a shuffle of the rest), so an envelope in a 100,000-member group
    costs about its number of shares, not the group size. ``mark`` is scratch space
    over the population; ``stamp`` grows by one per envelope. A member's envelope
    (``senders`` >= 0) is booked as their post and their money sent. Returns the next
    stamp and the money claimed from all envelopes.
    """
    n = rows.size
    everyone = np.empty(0, dtype=np.int64)
    money = 0.0
    for e in range(senders.size):
        stamp += 1
        k = max(1, min(shares[e], cents[e]))
        if lucky[e]:
            split = lucky_split_cents(cents[e], k, np.random.random(k - 1))
        else:
            split = equal_split_cents(cents[e], k)
        taken = 0
        visited = 0
        total = 0
        best = -1
        best_amount = -1
        j = 0
        shuffled = False
        while taken < k and visited < n:
            if visited < n // 2:  # one random visit, skipping people already seen
                j = np.random.randint(0, n)
                if mark[rows[j]] == stamp:
                    continue
                batch = 1
            else:  # most people seen: visit the rest in a random order
                everyone = np.empty(n - visited, dtype=np.int64)
                m = 0
                for q in range(n):
                    if mark[rows[q]] != stamp:
                        everyone[m] = q
                        m += 1
                everyone = np.random.permutation(everyone)
                batch = everyone.size
                shuffled = True
            for b in range(batch):
                if shuffled:
                    j = everyone[b]
                i = rows[j]
                mark[i] = stamp
                visited += 1
                if i == senders[e]:
                    continue
                t = traits[role[i]]
                eager = grab_chance * t[T_APPETITE] * (0.3 + 0.7 * read[j]) * (
                    0.5 + money_sensitivity[i])
                if np.random.random() >= eager:
                    continue
                amount = split[taken]
                gained[j] += amount / 100.0
                total += amount
                if amount > best_amount:
                    best, best_amount = j, amount
                # only those who opened the chat say thanks; a grab from a notification
                # is silent
                if read[j] and np.random.random() < thanks_chance * (0.2 + t[T_REPLY]):
                    posts[j, K_THANKS] += 1
                    messages[i, K_THANKS] += 1
                taken += 1
                if taken == k:
                    break
        if best >= 0:
            luckiest[best] = True
        claimed[e] = total / 100.0
        sender = senders[e]
        if sender >= 0:
            money_sent[sender] += claimed[e]
            messages[sender, K_RED_ENVELOPE] += 1
            posts[np.searchsorted(rows, sender), K_RED_ENVELOPE] += 1
        money += claimed[e]
    return stamp, money


@njit(cache=True)
def settle_envelopes(rows, gained, luckiest, posts, role, traits, spammer_code,
                     hunter_code, money_received, money_today, wrote, per_yuan,
                     luckiest_factor, senders):
    """Red envelopes, end of day: book the money, recount messages, pick who sends back.

    Who sends an envelope back within 24 hours (gift contagion, T2): chance
    ``per_yuan x money received``, times ``luckiest_factor`` for the luckiest grabber
    of an envelope; operators, advertisers and hunters do not. Fills ``senders`` with
    rows and returns how many.
    """
    n = 0
    kinds = posts.shape[1]
    for j in range(rows.size):
        i = rows[j]
        total = 0
        for k in range(kinds):
            total += posts[j, k]
        wrote[j] = total
        if gained[j] <= 0.0:
            continue
        money_received[i] += gained[j]
        money_today[i] += gained[j]
        chance = per_yuan * gained[j] * (luckiest_factor if luckiest[j] else 1.0)
        r = role[i]
        takes_only = r == spammer_code or r == hunter_code  # they never give back
        if traits[r, T_OPERATOR] == 0 and not takes_only and np.random.random() < chance:
            senders[n] = i
            n += 1
    return n


@njit(cache=True)
def givers(status, member_status, role, traits, spammer_code, hunter_code, senders):
    """Those of ``senders`` (rows, in order) who may send an envelope of their own.

    They must still be members, and not operators (they send through strategies),
    advertisers or hunters (they only take).
    """
    keep = np.empty(senders.size, dtype=np.bool_)
    for e in range(senders.size):
        i = senders[e]
        r = role[i]
        keep[e] = (status[i] == member_status and traits[r, T_OPERATOR] == 0
                   and r != spammer_code and r != hunter_code)
    return senders[keep]


@njit(cache=True)
def member_envelope_cents(count, gift_amount):
    """Money in ``count`` members' envelopes, in whole cents and at least one each.

    Each is ``gift_amount`` times a log-normal factor of mean 1 (log-sigma 0.5).
    """
    cents = np.empty(count, dtype=np.int64)
    for e in range(count):
        cents[e] = max(1, int(math.floor(
            gift_amount * np.random.lognormal(-0.125, 0.5) * 100.0 + 0.5)))
    return cents


@njit(cache=True)
def unprompted_senders(rows, rate):
    """Members who send an envelope unprompted today, in row order.

    ``Poisson(rate x members)`` random picks, each member at most once.
    """
    n = rows.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    picks = np.sort(np.random.randint(0, n, np.random.poisson(rate * n)))
    out = np.empty(picks.size, dtype=np.int64)
    m = 0
    for p in range(picks.size):
        if p == 0 or picks[p] != picks[p - 1]:
            out[m] = rows[picks[p]]
            m += 1
    return out[:m]


@njit(cache=True)
def envelopes_kernel(rows, read, status, member_status, promised_senders,
                     promised_cents, operator_senders, operator_cents, operator_shares,
                     operator_lucky, member_shares, send_rate, gift_amount, role, traits,
                     money_sensitivity, grab_chance, thanks_chance, gained, luckiest, posts,
                     messages, money_sent, mark, stamp, claimed, spammer_code, hunter_code,
                     money_received, money_today, wrote, per_yuan, luckiest_factor):
    """The day's red envelopes, from who sends them to who sends one back tomorrow.

    The envelopes are posted in this order: those members promised yesterday and who
    are still members to send them, the operator's, then members' unprompted ones
    (:func:`unprompted_senders`, amounts from :func:`member_envelope_cents`). Then
    grabbing (:func:`grab_envelopes_kernel`) and settling (:func:`settle_envelopes`),
    and the amounts of tomorrow's envelopes from those who send one back. ``claimed``
    has room for the operator's envelopes and gets what was claimed from each.

    Returns the next stamp, the money claimed from all envelopes, the senders and
    cents of the members' envelopes posted today, and of those promised for tomorrow.
    """
    keep = np.empty(promised_senders.size, dtype=np.bool_)
    for e in range(promised_senders.size):
        keep[e] = status[promised_senders[e]] == member_status
    kept, kept_cents = promised_senders[keep], promised_cents[keep]
    fresh = givers(status, member_status, role, traits, spammer_code, hunter_code,
                   unprompted_senders(rows, send_rate))
    fresh_cents = member_envelope_cents(fresh.size, gift_amount)
    member_senders = np.concatenate((kept, fresh))
    member_cents = np.concatenate((kept_cents, fresh_cents))
    ops = operator_senders.size
    if member_senders.size + ops == 0 or rows.size == 0:
        return stamp, 0.0, member_senders, member_cents, np.empty(0, dtype=np.int64), \
            np.empty(0, dtype=np.int64)
    senders = np.concatenate((kept, operator_senders, fresh))
    cents = np.concatenate((kept_cents, operator_cents, fresh_cents))
    shares = np.concatenate((np.full(kept.size, member_shares, dtype=np.int64),
                             operator_shares, np.full(fresh.size, member_shares, dtype=np.int64)))
    lucky = np.concatenate((np.ones(kept.size, dtype=np.bool_), operator_lucky,
                            np.ones(fresh.size, dtype=np.bool_)))
    total = senders.size
    all_claimed = np.empty(total)
    stamp, money = grab_envelopes_kernel(
        rows, read, senders, cents, shares, lucky, role, traits, money_sensitivity,
        grab_chance, thanks_chance, gained, luckiest, posts, messages, money_sent, mark,
        stamp, all_claimed)
    claimed[:] = all_claimed[kept.size:kept.size + ops]
    give_back = np.empty(rows.size, dtype=np.int64)
    n = settle_envelopes(rows, gained, luckiest, posts, role, traits, spammer_code,
                         hunter_code, money_received, money_today, wrote, per_yuan,
                         luckiest_factor, give_back)
    return (stamp, money, member_senders, member_cents, give_back[:n],
            member_envelope_cents(n, gift_amount))


# ---------------------------------------------------------------- value update


@njit(cache=True)
def value_kernel(rows, read, wrote, role, traits, weights, fit, money_sensitivity,
                 friends_in, money_today, posts, answered, replies_got, first, first_answered,
                 engagement, trust, commitment, value, parts, cost_out,
                 content_gain, ambient_help, chat_level, volume, fixed_cost, memory,
                 money_scale, noise_weight, tolerance, eng_rate, midpoint, spread, neglect,
                 first_boost, first_penalty, trust_rate, friction, commit_rate,
                 bonds_boost, identity_boost, coupon_value, commitment_boost):
    """Value and engagement update, in place on the member table.

    Today's benefits and costs enter each reader's exponential memory; value is the
    role-weighted sum minus costs; engagement moves toward a logistic function of
    value (and jumps for answered or ignored first posts); trust grows with help and
    content; commitment with posting. The plan's boosts add to every reader's bonds
    and identity. Material value comes from the money a member received today
    (``money_today``: envelopes, rewards, prizes; reset here) plus coupons.
    """
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
        gain[P_BONDS] = 0.5 * min(1.0, replies_got[j]) + 0.3 * chat_level * min(
            1.0, friends_in[i] * 0.2) + bonds_boost
        gain[P_IDENTITY] = traits[r, T_STATUS] + 0.3 * commitment[i] + identity_boost
        cost = noise_weight * max(0.0, volume / (tolerance * (0.5 + e)) - 1.0) + fixed_cost
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


# ---------------------------------------------------------- moderation and churn


@njit(cache=True)
def churn_kernel(rows, role, traits, read, wrote, posts, cost, catch, muted,
                 muted_day, value, commitment, expectation_extra, memory, promise_fade,
                 trust, layer,
                 days_silent, last_post_day,
                 recent_posts, day, mute_threshold, mute_chance, leave_floor, leave_rate,
                 muted_leave_factor, lurk_after, leader_rate, leader_trust, leader_chance,
                 strong_trust, trust_for_intention, lurker_revival, member_code,
                 lurker_code, seed_code, spammer_code, caught, leaving, transition):
    """Moderation and churn: who is caught advertising, mutes, leaves, changes role.

    Each ad a member posted gets them removed with chance ``catch``. Readers whose
    cost today exceeds ``mute_threshold`` mute with ``mute_chance``. The chance to
    leave is ``leave_floor + leave_rate x patience x max(0, expectation - value)``,
    where expectation is the role's plus what the member was promised on joining
    (fading at ``promise_fade`` times the speed of the value memory),
    times ``muted_leave_factor`` if muted and ``1 - commitment / 2``. Updates muting,
    silence and layers in place; fills ``caught``, ``leaving`` and ``transition`` for
    the phase to act on with agent events, and returns how many of each.
    """
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
        if (not was_muted and read[j] and cost[j] > mute_threshold
                and np.random.random() < mute_chance):
            muted[i] = True
            muted_day[i] = day
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
            last_post_day[i] = day
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


# ---------------------------------------------------------------------- evening


@njit(cache=True)
def evening_kernel(
        rows, read, wrote, role, traits, weights, fit, money_sensitivity, friends_in,
        money_today, posts, operator_posts, counts, answered, replies_got, first,
        first_answered, engagement, trust, commitment, value, parts, cost,
        # what the group offered today
        content_posts, content_attention, content_quality, member_content_quality,
        content_saturation, chat_saturation, content_noise, question_starter, topic_scale,
        spam_weight, spam_half, hard_sell,
        # value update
        memory, money_scale, noise_weight, tolerance, eng_rate, midpoint, spread, neglect,
        first_boost, first_penalty, trust_rate, friction, commit_rate, bonds_boost,
        identity_boost, coupon_value, commitment_boost,
        # moderation and churn
        reviewers, review_capacity, catch_rate, moderation, muted, muted_day,
        expectation_extra, promise_fade, layer, days_silent, last_post_day, recent_posts,
        day, mute_threshold, mute_chance, leave_floor, leave_rate, muted_leave_factor,
        lurk_after, leader_rate, leader_trust, leader_chance, strong_trust,
        trust_for_intention, lurker_revival, member_code, lurker_code, seed_code,
        spammer_code, caught, leaving, transition):
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
    message_counts(posts, operator_posts, counts)
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
    value_kernel(rows, read, wrote, role, traits, weights, fit, money_sensitivity,
                 friends_in, money_today, posts, answered, replies_got, first,
                 first_answered, engagement, trust, commitment, value, parts, cost,
                 quality * min(1.0, seen / content_saturation),
                 0.3 * min(1.0, counts[K_ANSWER] / 3.0),
                 min(1.0, counts[K_CHAT] / chat_saturation), total + content_noise,
                 fixed_cost, memory, money_scale, noise_weight, tolerance, eng_rate,
                 midpoint, spread, neglect, first_boost, first_penalty, trust_rate, friction,
                 commit_rate, bonds_boost, identity_boost, coupon_value, commitment_boost)
    if rows.size == 0:
        return topic_supply, 0, 0, 0
    coverage = min(1.0, reviewers * review_capacity / max(1, total))
    catch = min(1.0, catch_rate * coverage * moderation)
    n_caught, n_leaving, n_changes = churn_kernel(
        rows, role, traits, read, wrote, posts, cost, catch, muted, muted_day, value,
        commitment, expectation_extra, memory, promise_fade, trust, layer, days_silent,
        last_post_day, recent_posts, day, mute_threshold, mute_chance, leave_floor,
        leave_rate, muted_leave_factor, lurk_after, leader_rate, leader_trust,
        leader_chance, strong_trust, trust_for_intention, lurker_revival, member_code,
        lurker_code, seed_code, spammer_code, caught, leaving, transition)
    return topic_supply, n_caught, n_leaving, n_changes


# ---------------------------------------------------------------------- metrics


@njit(cache=True)
def message_counts(posts, operator_posts, out):
    """Messages today by kind: the members' ``posts`` summed, plus the operator's."""
    for k in range(out.size):
        out[k] = operator_posts[k]
    for j in range(posts.shape[0]):
        for k in range(out.size):
            out[k] += posts[j, k]


@njit(cache=True)
def member_means(rows, read, wrote, muted, engagement, trust, value, role, weights, parts,
                 out):
    """Metrics: counts and means over the members, written into ``out``.

    ``out`` gets posters, readers and muted members (counts), then the mean
    engagement, trust, value and role-weighted value parts of the members ``rows``.
    Readers are those who opened the chat: who read it, and who wrote without
    reading on (a newcomer's introduction, an envelope sent). ``read`` and ``wrote``
    are aligned with the day's reading list, which may include people who left
    today; counts of posters and readers include them.
    """
    out[:] = 0.0
    for j in range(read.size):
        if read[j] or wrote[j] > 0:  # whoever wrote opened the chat
            out[1] += 1.0
        if wrote[j] > 0:
            out[0] += 1.0
    n = rows.size
    if n == 0:
        return
    for j in range(n):
        i = rows[j]
        if muted[i]:
            out[2] += 1.0
        out[3] += engagement[i]
        out[4] += trust[i]
        out[5] += value[i]
        r = role[i]
        for c in range(N_PARTS):
            out[6 + c] += weights[r, c] * parts[i, c]
    for k in range(3, out.size):
        out[k] /= n
    out[out.size - 1] = -out[out.size - 1]


# ---------------------------------------------------------------------- strategies


@njit(cache=True)
def care_for_layers(rows, role, traits, layer, trust, commitment, intention, strong, care,
                    care_trust, core, core_commitment):
    """User layering (S9): care for intention members, keep the core group committed.

    Of the members ``rows`` who are not operators, those in the ``intention`` layer gain
    ``care_trust`` trust when ``care`` is on, and those in the ``strong`` layer gain
    ``core_commitment`` commitment when ``core`` is on (both capped at 1). Returns how
    many intention members were cared for.
    """
    cared = 0
    for i in rows:
        if traits[role[i], T_OPERATOR] != 0.0:
            continue
        if care and layer[i] == intention:
            trust[i] = min(1.0, trust[i] + care_trust)
            cared += 1
        elif core and layer[i] == strong:
            commitment[i] = min(1.0, commitment[i] + core_commitment)
    return cared


@njit(cache=True)
def quota_reached(rows, role, traits, invitees, quota):
    """Fission (S8): members ``rows`` who are not operators and brought in ``quota`` or more.

    ``invitees`` counts the people each person invited who joined (founders not
    counted). Returns those rows, in their order.
    """
    out = np.empty(rows.size, dtype=np.int64)
    found = 0
    for i in rows:
        if invitees[i] >= quota and traits[role[i], T_OPERATOR] == 0.0:
            out[found] = i
            found += 1
    return out[:found]


@njit(cache=True)
def buy_offers(rows, role, traits, trust, value, layer, converted, purchases, appeal, repeat,
               bought):
    """Conversion (S11): who buys which of today's offers; fills ``bought`` per offer.

    Offer by offer, a member who is not an operator buys offer ``o`` with chance
    ``appeal[o] x trust x clip(value, 0, 1) x (0.5 + 0.5 x layer)``, at most one offer
    a day, and a one-off offer (not ``repeat``) only if they never bought before.
    """
    bought_today = np.zeros(rows.size, dtype=np.bool_)
    for o in range(appeal.size):
        n = 0
        for j in range(rows.size):
            i = rows[j]
            if traits[role[i], T_OPERATOR] != 0.0 or bought_today[j]:
                continue
            if not repeat[o] and converted[i]:
                continue
            ready = trust[i] * min(max(value[i], 0.0), 1.0) * (0.5 + 0.5 * layer[i])
            if ready > 0.0 and np.random.random() < appeal[o] * ready:
                bought_today[j] = True
                converted[i] = True
                purchases[i] += 1
                n += 1
        bought[o] = n


@njit(cache=True)
def pays_fee(rows, fit, money_sensitivity, natural_role, advertiser, valuation, group_value,
             fee, advertiser_worth, draws, keep):
    """Entry threshold, paid (S1): which candidates ``rows`` pay ``fee`` to join.

    A candidate values the group at ``valuation x fit x (0.5 + group_value) / (0.5 +
    money sensitivity)`` yuan (a would-be ``advertiser`` at ``advertiser_worth``) and
    pays when ``draws[j] < exp(-fee / worth)``; fills ``keep``.
    """
    for j in range(rows.size):
        i = rows[j]
        if natural_role[i] == advertiser:
            worth = advertiser_worth
        else:
            worth = valuation * fit[i] * (0.5 + group_value) / (0.5 + money_sensitivity[i])
        keep[j] = draws[j] < math.exp(-fee / max(worth, 1e-9))
