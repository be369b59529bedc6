"""Compiled pass of conversion: who buys what is offered (numba).

Called by :mod:`sim.engine.day.conversion`; loaded with numba when first used.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.engine.indices import T_OPERATOR


@njit(cache=True)
def buy_offers(rows, members, group, appeal, repeat, bought):
    """Conversion (S11): who buys which of today's offers; fills ``bought`` per offer.

    Offer by offer, a member who is not an operator buys offer ``o`` with chance
    ``appeal[o] x trust x clip(value, 0, 1) x (0.5 + 0.5 x layer)``, at most one offer
    a day, and a one-off offer (not ``repeat``) only if they never bought before.
    """
    table, traits = members.fields, group.fields.traits
    role, trust, value, layer = table.role, table.trust, table.value, table.layer
    converted, purchases = table.converted, table.purchases
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
