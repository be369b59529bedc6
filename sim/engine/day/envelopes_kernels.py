"""Compiled passes of red envelopes: sending, grabbing, thanking, sending back (numba).

Called by :mod:`sim.engine.day.envelopes`; loaded with numba when first used.
Records: :mod:`sim.engine.records`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.engine.indices import K_RED_ENVELOPE, K_THANKS, NO_LIMIT, T_APPETITE, T_OPERATOR, T_REPLY


class Envelopes(NamedTuple):
    """The arrays of the day's red envelopes (``today``), aligned with the day's rows.

    Also the envelopes due: those members promised yesterday and the operator's.
    """

    read: np.ndarray
    posts: np.ndarray
    wrote: np.ndarray
    gained: np.ndarray
    """Money each grabbed today (yuan)."""
    luckiest: np.ndarray
    """Whether they drew the largest share of some envelope."""
    claimed: np.ndarray
    """Money claimed from each of the operator's envelopes (yuan)."""
    promised_senders: np.ndarray
    promised_cents: np.ndarray
    operator_senders: np.ndarray
    operator_cents: np.ndarray
    operator_shares: np.ndarray
    operator_lucky: np.ndarray


class Batch(NamedTuple):
    """Every envelope posted today, in order (passed as a plain tuple)."""

    senders: np.ndarray
    cents: np.ndarray
    shares: np.ndarray
    lucky: np.ndarray
    claimed: np.ndarray


@njit(cache=True)
def written_today(posts, j):
    """Messages the ``j``-th member of the day's rows has written so far today."""
    n = 0
    for k in range(posts.shape[1]):
        n += posts[j, k]
    return n


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
def grab_envelopes_kernel(rows, members, group, today, batch, stamp):
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
    table, run = members.fields, group.fields
    consts, now, posted = run.constants[0], Envelopes(*today), Batch(*batch)
    read, gained, luckiest, posts = now.read, now.gained, now.luckiest, now.posts
    senders, cents, shares, lucky = posted.senders, posted.cents, posted.shares, posted.lucky
    claimed = posted.claimed
    role, messages, money_sent = table.role, table.messages, table.money_sent
    traits, money_sensitivity, mark = run.traits, run.money_sensitivity, run.grab_mark
    silent = run.silent
    grab_chance, thanks_chance = consts.grab_chance, consts.thanks_chance
    budget = consts.writing_budget if consts.writing_budget > 0 else NO_LIMIT
    n = rows.size
    everyone = np.empty(0, dtype=np.int64)
    money = 0.0
    for e in range(senders.size):  # the senders' envelopes first: a thank-you is weighed
        sender = senders[e]        # against a day that already holds them (the budget)
        if sender >= 0:
            messages[sender, K_RED_ENVELOPE] += 1
            posts[np.searchsorted(rows, sender), K_RED_ENVELOPE] += 1
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
                if (read[j] and not silent[i] and written_today(posts, j) < budget
                        and np.random.random() < thanks_chance * (0.2 + t[T_REPLY])):
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
        money += claimed[e]
    return stamp, money


@njit(cache=True)
def settle_envelopes(rows, members, group, day, today, senders):
    """Red envelopes, end of day: book the money, recount messages, pick who sends back.

    Who sends an envelope back within 24 hours (gift contagion, T2): chance
    ``per_yuan x money received``, times ``luckiest_factor`` for the luckiest grabber
    of an envelope; operators, advertisers and hunters do not. Fills ``senders`` with
    rows and returns how many.
    """
    table, run = members.fields, group.fields
    consts, now = run.constants[0], Envelopes(*today)
    gained, luckiest, posts, wrote = now.gained, now.luckiest, now.posts, now.wrote
    role, money_received, money_today = table.role, table.money_received, table.money_today
    traits, spammer_code, hunter_code = run.traits, consts.spammer_code, consts.hunter_code
    per_yuan, luckiest_factor = consts.gift_send_per_yuan, day[0].luckiest_factor
    silent = run.silent
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
        if (traits[r, T_OPERATOR] == 0 and not takes_only and not silent[i]
                and np.random.random() < chance):
            senders[n] = i
            n += 1
    return n


@njit(cache=True)
def givers(members, group, senders):
    """Those of ``senders`` (rows, in order) who may send an envelope of their own.

    They must still be members, and not operators (they send through strategies),
    advertisers or hunters (they only take), nor people who never write.
    """
    table, run = members.fields, group.fields
    consts = run.constants[0]
    status, role, traits = table.status, table.role, run.traits
    member_status, spammer_code = consts.member_status, consts.spammer_code
    hunter_code = consts.hunter_code
    keep = np.empty(senders.size, dtype=np.bool_)
    for e in range(senders.size):
        i = senders[e]
        r = role[i]
        keep[e] = (status[i] == member_status and traits[r, T_OPERATOR] == 0
                   and r != spammer_code and r != hunter_code and not run.silent[i])
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
def envelopes_kernel(rows, members, group, day, today, stamp):
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
    table, run = members.fields, group.fields
    consts, now = run.constants[0], Envelopes(*today)
    status, member_status = table.status, consts.member_status
    member_shares = consts.envelope_shares
    promised_senders, promised_cents = now.promised_senders, now.promised_cents
    operator_senders, operator_cents = now.operator_senders, now.operator_cents
    operator_shares, operator_lucky, claimed = now.operator_shares, now.operator_lucky, now.claimed
    send_rate, gift_amount = consts.gift_send_base, consts.gift_amount
    budget = consts.writing_budget if consts.writing_budget > 0 else NO_LIMIT
    posts = now.posts
    keep = np.empty(promised_senders.size, dtype=np.bool_)
    for e in range(promised_senders.size):
        sender = promised_senders[e]
        keep[e] = (status[sender] == member_status
                   and written_today(posts, np.searchsorted(rows, sender)) < budget)
    kept, kept_cents = promised_senders[keep], promised_cents[keep]
    fresh = givers(members, group, unprompted_senders(rows, send_rate))
    able = np.empty(fresh.size, dtype=np.bool_)
    for e in range(fresh.size):
        able[e] = written_today(posts, np.searchsorted(rows, fresh[e])) < budget
    fresh = fresh[able]
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
    stamp, money = grab_envelopes_kernel(rows, members, group, today,
                                         (senders, cents, shares, lucky, all_claimed), stamp)
    claimed[:] = all_claimed[kept.size:kept.size + ops]
    give_back = np.empty(rows.size, dtype=np.int64)
    n = settle_envelopes(rows, members, group, day, today, give_back)
    return (stamp, money, member_senders, member_cents, give_back[:n],
            member_envelope_cents(n, gift_amount))
