"""Compiled passes of the strategies that touch many members a day (numba).

Called by :mod:`sim.engine.strategies.layering`, :mod:`~sim.engine.strategies.fission`
and :mod:`~sim.engine.strategies.entry`; loaded with numba when first used (beside the
package rather than in it: the package's ``__init__`` imports the strategies, and a
module loaded lazily must not be imported by its own package's ``__init__``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.engine.indices import T_OPERATOR


class Care(NamedTuple):
    """User layering's settings for today (passed as a plain tuple)."""

    intention: int
    """Layer code of intention members."""
    strong: int
    """Layer code of strong-intention members."""
    care: bool
    care_trust: float
    core: bool
    core_commitment: float


class Fee(NamedTuple):
    """Paid entry's terms (passed as a plain tuple)."""

    valuation: float
    group_value: float
    fee: float
    advertiser_worth: float


@njit(cache=True)
def care_for_layers(rows, members, group, settings):
    """User layering (S9): care for intention members, keep the core group committed.

    Of the members ``rows`` who are not operators, those in the ``intention`` layer gain
    ``care_trust`` trust when ``care`` is on, and those in the ``strong`` layer gain
    ``core_commitment`` commitment when ``core`` is on (both capped at 1). Returns how
    many intention members were cared for.
    """
    table, traits, given = members.fields, group.fields.traits, Care(*settings)
    role, layer, trust, commitment = table.role, table.layer, table.trust, table.commitment
    intention, strong = given.intention, given.strong
    care, care_trust = given.care, given.care_trust
    core, core_commitment = given.core, given.core_commitment
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
def quota_reached(rows, members, group, quota):
    """Fission (S8): members ``rows`` who are not operators and brought in ``quota`` or more.

    ``invitees`` counts the people each person invited who joined (founders not
    counted). Returns those rows, in their order.
    """
    table, traits = members.fields, group.fields.traits
    role, invitees = table.role, table.invitees
    out = np.empty(rows.size, dtype=np.int64)
    found = 0
    for i in rows:
        if invitees[i] >= quota and traits[role[i], T_OPERATOR] == 0.0:
            out[found] = i
            found += 1
    return out[:found]


@njit(cache=True)
def pays_fee(rows, group, terms, draws, keep):
    """Entry threshold, paid (S1): which candidates ``rows`` pay ``fee`` to join.

    A candidate values the group at ``valuation x fit x (0.5 + group_value) / (0.5 +
    money sensitivity)`` yuan (a would-be ``advertiser`` at ``advertiser_worth``) and
    pays when ``draws[j] < exp(-fee / worth)``; fills ``keep``.
    """
    run, given = group.fields, Fee(*terms)
    fit, money_sensitivity, natural_role = run.fit, run.money_sensitivity, run.natural_role
    advertiser = run.constants[0].spammer_code
    valuation, group_value = given.valuation, given.group_value
    fee, advertiser_worth = given.fee, given.advertiser_worth
    for j in range(rows.size):
        i = rows[j]
        if natural_role[i] == advertiser:
            worth = advertiser_worth
        else:
            worth = valuation * fit[i] * (0.5 + group_value) / (0.5 + money_sensitivity[i])
        keep[j] = draws[j] < math.exp(-fee / max(worth, 1e-9))
