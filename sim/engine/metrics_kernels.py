"""Compiled pass of the daily metrics: counts and means over the members (numba).

Called by :class:`sim.engine.metrics.Recorder`; loaded with numba when first used.
"""

from __future__ import annotations

from numba import njit

from sim.engine.indices import N_PARTS


@njit(cache=True)
def member_means(rows, members, group, today, out):
    """Metrics: counts and means over the members, written into ``out``.

    ``out`` gets posters, readers and muted members (counts), then the mean
    engagement, trust, value and role-weighted value parts of the members ``rows``
    (the members at the end of the day). Readers are those who opened the chat: who
    read it, and who wrote without reading on (a newcomer's introduction, an
    envelope sent). ``today`` holds the day's reading list and, aligned with it, who
    read and how much each wrote; posters and readers are counted among those still
    members at the end of the day, like ``members``, so neither can exceed it (an
    advertiser removed for the ads they posted today counts in the day's messages,
    not among its posters).
    """
    table, weights = members.fields, group.fields.weights
    muted, engagement, trust, value = table.muted, table.engagement, table.trust, table.value
    role, parts, status = table.role, table.value_parts, table.status
    member_status = group.fields.constants[0].member_status
    reading_list, read, wrote = today
    out[:] = 0.0
    for j in range(read.size):
        if status[reading_list[j]] != member_status:
            continue
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
