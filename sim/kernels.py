"""Compiled per-member loops of the daily cycle (numba).

At a few hundred members, a day written as whole-array numpy expressions costs what
its number of array operations costs (a microsecond or more each), not what its
arithmetic costs. The loops here do the per-member arithmetic of a phase in one
pass over the member rows, in place on the member table. They never draw random
numbers: the phases draw every uniform from the model's generator with numpy and
pass them in, so runs stay reproducible from one seed. ``docs/model.md`` gives the
formulas in words; each kernel's docstring names the phase it serves.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# message kinds, in the order of sim.state.MESSAGE_KINDS
K_CONTENT, K_CHAT, K_QUESTION, K_ANSWER, K_AD = 0, 1, 2, 3, 4
# value parts, in the order of sim.state.VALUE_PARTS
P_CONTENT, P_MATERIAL, P_HELP, P_BONDS, P_IDENTITY, P_COST = 0, 1, 2, 3, 4, 5
N_PARTS = 6

# columns of the role trait matrix that the kernels read (see agents.base.RoleTraits)
TRAIT_COLUMNS = ("post_rate", "question_share", "content_share", "ad_share",
                 "reply_propensity", "influence", "status", "expectation", "patience",
                 "operator")
T_POST, T_QUESTION, T_CONTENT, T_AD, T_REPLY, T_INFLUENCE, T_STATUS, T_EXPECT, T_PATIENCE, \
    T_OPERATOR = range(len(TRAIT_COLUMNS))

# role transitions returned by churn_kernel
STAY, TO_LURKER, TO_MEMBER, TO_LEADER = 0, 1, 2, 3


@njit(cache=True)
def posting_rates(rows, read, eng, role, traits, sociability, spam_propensity, saw_rules,
                  joined_day, day, newcomer_days, exponent, boost, rules_boost, compliance,
                  introduce, intro_chance, u_intro, rate, thresholds, responders, posts):
    """Posting phase, part 1: each member's message rate, kind thresholds, reply weight.

    Fills ``rate`` (messages a day, 0 for members who did not read), ``thresholds``
    (cumulative chance that a message is an ad, a question, content; chat above) and
    ``responders`` (reply propensity x engagement of readers). Newcomers who saw the
    rules in their first ``newcomer_days`` post more and hold back off-topic ads; on
    their join day, newcomers asked to ``introduce`` themselves write one chat
    message with chance ``intro_chance``. Returns the total responder weight.
    """
    weight = 0.0
    for j in range(rows.size):
        i = rows[j]
        t = traits[role[j]]
        e = eng[j]
        ruled = saw_rules[i] and day - joined_day[i] < newcomer_days
        if read[j]:
            r = t[T_POST] * sociability[i] * e ** exponent * boost
            if ruled:
                r *= 1.0 + rules_boost
            rate[j] = r
            responders[j] = t[T_REPLY] * e
            weight += responders[j]
        else:
            rate[j] = 0.0
            responders[j] = 0.0
        if introduce and joined_day[i] == day and u_intro[j] < intro_chance:
            posts[j, K_CHAT] += 1
        stray = (1.0 - t[T_AD]) * spam_propensity[i]
        if ruled:
            stray *= 1.0 - compliance
        ad = min(1.0, t[T_AD] + stray)
        rest = 1.0 - ad
        thresholds[j, 0] = ad
        thresholds[j, 1] = ad + rest * t[T_QUESTION]
        thresholds[j, 2] = thresholds[j, 1] + rest * (1.0 - t[T_QUESTION]) * t[T_CONTENT]
    return weight


@njit(cache=True)
def post_bookkeeping(rows, role, traits, posts, wrote, first, first_post_day, welcomed,
                     u_welcome, welcome_reply, answered, replies, first_answered,
                     first_post_answered, messages, recent_posts, recent_window, day):
    """Posting phase, part 4: totals, first posts, the message ledger, recent posting.

    A first post counts as answered when it got a reply or answer, or when the
    welcomers greeted it. Returns (non-operator members who talked, first posts
    greeted by the welcomers).
    """
    talkers = 0
    greeted = 0
    kinds = posts.shape[1]
    for j in range(rows.size):
        i = rows[j]
        total = 0
        for k in range(kinds):
            total += posts[j, k]
            messages[i, k] += posts[j, k]
        wrote[j] = total
        first[j] = total > 0 and first_post_day[i] < 0
        if first[j]:
            if welcomed[i] and u_welcome[j] < welcome_reply:
                replies[j] += 1
                greeted += 1
            first_answered[j] = replies[j] + answered[j] > 0
            first_post_day[i] = day
            first_post_answered[i] = 1 if first_answered[j] else 0
        else:
            first_answered[j] = False
        recent_posts[i] += (total - recent_posts[i]) / recent_window
        if total - posts[j, K_AD] > 0 and traits[role[j]][T_OPERATOR] == 0:
            talkers += 1
    return talkers, greeted


@njit(cache=True)
def assign_messages(cumulative, draws, thresholds, reply_chance, answer_chance, posts,
                    answered, replies, responses):
    """Posting phase, part 2: give each of the day's messages an author, a kind, a reply.

    ``draws`` holds three uniforms per message: the author (by inverse CDF of the
    cumulative rates), the kind (against the author's thresholds) and whether it is
    answered (questions) or replied to (chat and content; ads never). Fills
    ``posts``, ``answered`` and ``replies`` per member and ``responses`` (1 for an
    answer, 0 for a reply, in message order). Returns the number of responses.
    """
    total = draws.shape[1]
    last = cumulative.size - 1
    scale = cumulative[last]
    n = 0
    for m in range(total):
        j = min(np.searchsorted(cumulative, draws[0, m] * scale, side="right"), last)
        x = draws[1, m]
        if x < thresholds[j, 0]:
            posts[j, K_AD] += 1
            continue
        if x < thresholds[j, 1]:
            posts[j, K_QUESTION] += 1
            if draws[2, m] < answer_chance:
                answered[j] += 1
                responses[n] = 1
                n += 1
            continue
        if x < thresholds[j, 2]:
            posts[j, K_CONTENT] += 1
        else:
            posts[j, K_CHAT] += 1
        if draws[2, m] < reply_chance[j]:
            replies[j] += 1
            responses[n] = 0
            n += 1
    return n


@njit(cache=True)
def assign_responders(responders, draws, responses, n, posts):
    """Posting phase, part 3: today's readers write the answers and replies.

    Each response's writer is chosen in proportion to the readers' reply weight.
    """
    cumulative = np.cumsum(responders)
    last = cumulative.size - 1
    scale = cumulative[last]
    for k in range(n):
        j = min(np.searchsorted(cumulative, draws[k] * scale, side="right"), last)
        if responses[k] == 1:
            posts[j, K_ANSWER] += 1
        else:
            posts[j, K_CHAT] += 1


@njit(cache=True)
def value_kernel(rows, read, wrote, role, traits, weights, fit, money_sensitivity,
                 friends_in, money_in, asked, answered, replies_got, first, first_answered,
                 engagement, trust, commitment, value, parts, cost_out,
                 content_gain, ambient_help, chat_level, volume, fixed_cost, memory,
                 money_scale, noise_weight, tolerance, eng_rate, midpoint, spread, neglect,
                 first_boost, first_penalty, trust_rate, friction, commit_rate):
    """Value and engagement update, in place on the member table.

    Today's benefits and costs enter each reader's exponential memory; value is the
    role-weighted sum minus costs; engagement moves toward a logistic function of
    value (and jumps for answered or ignored first posts); trust grows with help and
    content; commitment with posting.
    """
    keep = 1.0 - memory
    gain = np.empty(N_PARTS)
    for j in range(rows.size):
        i = rows[j]
        t = traits[role[j]]
        e = engagement[i]
        f = fit[i]
        gain[P_CONTENT] = f * content_gain
        gain[P_MATERIAL] = money_sensitivity[i] * (1.0 - math.exp(-money_in[j] / money_scale))
        if asked[j] > 0:
            gain[P_HELP] = answered[j] / asked[j]
        else:
            gain[P_HELP] = ambient_help * f
        gain[P_BONDS] = 0.5 * min(1.0, replies_got[j]) + 0.3 * chat_level * min(
            1.0, friends_in[i] * 0.2)
        gain[P_IDENTITY] = t[T_STATUS] + 0.3 * commitment[i]
        cost = noise_weight * max(0.0, volume / (tolerance * (0.5 + e)) - 1.0) + fixed_cost
        gain[P_COST] = cost
        cost_out[j] = cost
        total = 0.0
        w = weights[role[j]]
        for c in range(N_PARTS):
            p = keep * parts[i, c]
            if read[j]:
                p += memory * gain[c]
            parts[i, c] = p
            total += w[c] * p
        value[i] = total
        if read[j]:
            target = 1.0 / (1.0 + math.exp((midpoint - total) / spread))
            e += eng_rate * (target - e)
            trust[i] = min(1.0, max(0.0, trust[i] + trust_rate * (
                gain[P_HELP] + gain[P_CONTENT] - friction)))
        else:
            e *= 1.0 - neglect
        if first[j]:
            if first_answered[j]:
                e += first_boost * (1.0 - e)
            else:
                e *= 1.0 - first_penalty
        engagement[i] = min(1.0, max(0.0, e))
        step = commit_rate if wrote[j] > 0 else -0.1 * commit_rate
        commitment[i] = min(1.0, max(0.0, commitment[i] + step))


@njit(cache=True)
def churn_kernel(rows, role, traits, read, wrote, ads, cost, u_catch, u_mute, u_leave,
                 u_promote, catch, muted, muted_day, value, commitment, trust, layer,
                 days_silent, last_post_day, recent_posts, day, mute_threshold, mute_chance,
                 leave_floor, leave_rate, muted_leave_factor, lurk_after, leader_rate,
                 leader_chance, strong_trust, trust_for_intention, lurker_revival,
                 member_code, lurker_code, seed_code, spammer_code, caught, leaving,
                 transition):
    """Moderation and churn: who is caught advertising, mutes, leaves, changes role.

    Updates muting, silence and layers in place; fills ``caught``, ``leaving`` and
    ``transition`` for the phase to act on with agent events.
    """
    for j in range(rows.size):
        i = rows[j]
        t = traits[role[j]]
        operator = t[T_OPERATOR] > 0
        caught[j] = (not operator and ads[j] > 0
                     and u_catch[j] < 1.0 - (1.0 - catch) ** ads[j])
        was_muted = muted[i]
        if not was_muted and read[j] and cost[j] > mute_threshold and u_mute[j] < mute_chance:
            muted[i] = True
            muted_day[i] = day
        hazard = leave_floor + leave_rate * t[T_PATIENCE] * max(0.0, t[T_EXPECT] - value[i])
        if was_muted:
            hazard *= muted_leave_factor
        hazard *= 1.0 - 0.5 * commitment[i]
        leaving[j] = (not caught[j] and not operator and role[j] != spammer_code
                      and u_leave[j] < hazard)
        if wrote[j] > 0:
            days_silent[i] = 0
            last_post_day[i] = day
        else:
            days_silent[i] += 1
        transition[j] = STAY
        if caught[j] or leaving[j]:
            continue
        r = role[j]
        recent = recent_posts[i]
        if r == member_code and days_silent[i] >= lurk_after:
            transition[j] = TO_LURKER
        elif r == lurker_code and recent > lurker_revival:
            transition[j] = TO_MEMBER
        elif ((r == member_code or r == seed_code) and recent >= leader_rate
              and u_promote[j] < leader_chance):
            transition[j] = TO_LEADER
        if layer[i] == 0 and trust[i] >= trust_for_intention:
            layer[i] = 1
        elif layer[i] == 1 and trust[i] >= strong_trust:
            layer[i] = 2


@njit(cache=True)
def invitations(members, role, invite_rate, engagement, boost, u_invite, u_friend, indptr,
                indices, invitees, inviters):
    """Recruitment, part 1: which members invite today, and which friend each invites.

    Fills the first entries of ``invitees`` and ``inviters`` and returns how many.
    """
    n = 0
    for j in range(members.size):
        i = members[j]
        if u_invite[j] >= invite_rate[role[i]] * engagement[i] * boost:
            continue
        start = indptr[i]
        degree = indptr[i + 1] - start
        if degree == 0:
            continue
        invitees[n] = indices[start + min(int(u_friend[j] * degree), degree - 1)]
        inviters[n] = i
        n += 1
    return n


@njit(cache=True)
def screen_candidates(candidates, via, u_accept, status, fit, money_sensitivity,
                      natural_role, clustering, seen, stamp, group_value, material_signal,
                      acceptance, cluster_bonus, pulled, spammer_code, accepted):
    """Recruitment, part 2: outsiders decide, each considered once a day.

    The group's appeal to an outsider is their topic fit times what friends report
    the group is worth (``group_value``), plus their money sensitivity times the
    recent red-envelope signal; advertisers want any audience. Consent grows with
    appeal and with how tightly knit their friends are (T4). Invited friends of a
    small group are pulled in without consent (``pulled``). Fills ``accepted`` with
    candidate positions and returns how many.
    """
    n = 0
    value = min(max(group_value, 0.0), 1.0)
    for k in range(candidates.size):
        c = candidates[k]
        if status[c] != 0 or seen[c] == stamp:
            continue
        seen[c] = stamp
        if pulled and via[k] >= 0:
            consent = 1.0
        else:
            if natural_role[c] == spammer_code:
                appeal = 1.0
            else:
                appeal = min(1.0, fit[c] * (0.5 + value) + money_sensitivity[c] * material_signal)
            consent = acceptance * appeal * (1.0 + cluster_bonus * clustering[c])
        if u_accept[k] < consent:
            accepted[n] = k
            n += 1
    return n


K_RED_ENVELOPE, K_THANKS = 5, 6


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
def grab_envelope(seed, rows, sender, split, eagerness, thanks_chance, gained, luckiest,
                  posts, messages, mark, stamp):
    """Red-envelope phase: grab one envelope; returns the money claimed.

    Members come by in random order and each tries with their eagerness; the first
    ``split.size`` who try get the shares in order; the luckiest is marked; some
    grabbers post a thank-you. The random order is drawn lazily (random visits,
    skipping people already seen, then a shuffle of the rest), so an envelope in a
    100,000-member group costs about its number of shares, not the group size.
    ``mark`` is scratch space over the population; ``stamp`` is new for each call.
    Random numbers come from numba's generator seeded with ``seed``, which the phase
    draws from the model's generator.
    """
    np.random.seed(seed)
    n = rows.size
    taken = 0
    visited = 0
    claimed = 0.0
    best = -1
    best_amount = -1.0
    while taken < split.size and visited < n:
        if visited < n // 2:
            j = np.random.randint(0, n)
            if mark[rows[j]] == stamp:
                continue
            order = np.empty(0, dtype=np.int64)
        else:  # most people seen: visit the rest in a random order
            rest = np.empty(n - visited, dtype=np.int64)
            k = 0
            for q in range(n):
                if mark[rows[q]] != stamp:
                    rest[k] = q
                    k += 1
            order = np.random.permutation(rest)
            j = order[0]
        for q in range(max(1, order.size)):
            if order.size:
                j = order[q]
            mark[rows[j]] = stamp
            visited += 1
            if rows[j] == sender or np.random.random() >= eagerness[j]:
                continue
            amount = split[taken]
            gained[j] += amount
            claimed += amount
            if amount > best_amount:
                best, best_amount = j, amount
            if np.random.random() < thanks_chance[j]:
                posts[j, K_THANKS] += 1
                messages[rows[j], K_THANKS] += 1
            taken += 1
            if taken == split.size:
                break
    if best >= 0:
        luckiest[best] = True
    return claimed


@njit(cache=True)
def member_means(rows, read, wrote, muted, engagement, trust, value, role, weights, parts,
                 out):
    """Metrics: counts and means over the members, written into ``out``.

    ``out`` gets posters, readers and muted members (counts), then the mean
    engagement, trust, value and role-weighted value parts of the members ``rows``.

    ``read`` and ``wrote`` are aligned with the day's reading list, which may include
    people who left today; counts of posters and readers include them.
    """
    out[:] = 0.0
    for j in range(read.size):
        if read[j]:
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
        w = weights[role[i]]
        for c in range(N_PARTS):
            out[6 + c] += w[c] * parts[i, c]
    for k in range(3, out.size):
        out[k] /= n
    out[out.size - 1] = -out[out.size - 1]
