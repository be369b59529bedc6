"""Compiled passes of recruitment and of joining and leaving (numba).

Called by :mod:`sim.engine.day.recruitment` and by the model's membership events;
loaded with numba when first used. Records: :mod:`sim.engine.records`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from sim.engine.indices import N_PARTS, T_INVITE


class Joining(NamedTuple):
    """Who joins today and on what terms (passed as a plain tuple; see :func:`seat_members`)."""

    rows: np.ndarray
    roles: np.ndarray
    inviters: np.ndarray
    layers: np.ndarray
    day: int
    founding: bool
    commitment: float
    """What they start with (a fee paid, being chosen)."""
    expectation: float
    """Extra value they were promised."""


@njit(cache=True)
def recruit_kernel(rows, members, group, day):
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
    table, run = members.fields, group.fields
    consts, plan = run.constants[0], day[0]
    role, engagement, status = table.role, table.engagement, table.status
    traits, indptr, indices, seen = run.traits, run.indptr, run.indices, run.seen
    fit, money_sensitivity = run.fit, run.money_sensitivity
    natural_role, clustering = run.natural_role, run.clustering
    boost, appeal_boost = plan.invite_boost, plan.appeal_boost
    pulled, stamp = plan.pulled, plan.day + 1
    found_mean, search_mean, hunt_mean = plan.found_mean, plan.search_mean, plan.hunt_mean
    group_value, material_signal = plan.group_value, plan.material_signal
    acceptance, cluster_bonus = consts.acceptance, consts.cluster_bonus
    spammer_code, hunter_code = consts.spammer_code, consts.hunter_code
    n_found = np.random.poisson(found_mean)
    n_search = np.random.poisson(search_mean)
    n_hunt = np.random.poisson(hunt_mean)
    bound = rows.size + n_found + n_search + n_hunt
    out_rows = np.empty(bound, dtype=np.int64)
    out_via = np.empty(bound, dtype=np.int32)
    n = 0
    value = min(max(group_value, 0.0), 1.0)
    population = status.size
    for k in range(rows.size + n_found + n_search + n_hunt):
        if k < rows.size:
            i = rows[k]
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
            searching = k - rows.size - n_found
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
def seat_members(joining, members, group, current):
    """Joining: set up the member-table rows of people who join today.

    Newcomers arrive expecting the group to be worth what their role expects, plus
    what they were promised (``join_expectation``): their remembered value starts
    there, spread over the value components they care about, and then follows
    experience. They start with ``join_commitment`` (a fee paid, being chosen). Their
    friends now have one more friend inside. Unless they are the ``founding`` members,
    each counts as one more invitee of their inviter. Returns the rows of all
    members: ``members`` (sorted) and the newcomers, merged.
    """
    joins, table, run = Joining(*joining), members.fields, group.fields
    consts = run.constants[0]
    rows, roles, inviters, layers = joins.rows, joins.roles, joins.inviters, joins.layers
    day, founding = joins.day, joins.founding
    join_commitment, join_expectation = joins.commitment, joins.expectation
    fit, weights, expectation = run.fit, run.weights, run.expectation
    indptr, indices = run.indptr, run.indices
    initial_engagement = consts.initial_engagement
    status, role = table.status, table.role
    role_at_join, joined_day = table.role_at_join, table.joined_day
    invited_by, founder = table.invited_by, table.founder
    invitees, layer = table.invitees, table.layer
    days_silent, engagement = table.days_silent, table.engagement
    trust, commitment = table.trust, table.commitment
    expectation_extra, value_parts, value = table.expectation_extra, table.value_parts, table.value
    friends_in = table.friends_in
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
    return merged_rows(current, np.sort(rows))


@njit(cache=True)
def unseat_members(rows, new_status, day, members, group, current):
    """Leaving or removal: close the member-table rows of people who go today.

    Returns the rows of ``members`` who are still members.
    """
    table, run = members.fields, group.fields
    role, role_at_end = table.role, table.role_at_end
    status, left_day = table.status, table.left_day
    friends_in, indptr, indices = table.friends_in, run.indptr, run.indices
    for i in rows:
        role_at_end[i] = role[i]
        status[i] = new_status
        left_day[i] = day
        for k in range(indptr[i], indptr[i + 1]):
            friends_in[indices[k]] -= 1
    keep = np.empty(current.size, dtype=np.bool_)
    for j in range(current.size):
        keep[j] = status[current[j]] == 1
    return current[keep]


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
