"""Positions the compiled kernels use to index the engine's arrays.

Message kinds index ``posts`` and ``messages``; value parts index ``value_parts``
and the role weights; trait positions index the role trait matrix. Each is derived
from its declaration in :mod:`sim.engine.state`, so the order is written once.
Plain integers (no numba here): kernels read them as compile-time constants.
"""

from __future__ import annotations

from sim.engine.state import KIND, OFF_TOPIC_KINDS, TRAIT_COLUMNS, VALUE_PARTS

# message kinds (sim.engine.state.MESSAGE_KINDS)
K_CONTENT = KIND["content"]
K_CHAT = KIND["chat"]
K_QUESTION = KIND["question"]
K_ANSWER = KIND["answer"]
K_AD = KIND["ad"]
K_RED_ENVELOPE = KIND["red_envelope"]
K_THANKS = KIND["thanks"]
K_ANNOUNCEMENT = KIND["announcement"]
K_DISCUSSION = KIND["discussion"]
K_OFF_TOPIC = tuple(KIND[k] for k in OFF_TOPIC_KINDS)
"""Off-topic kinds (``sim.engine.state.OFF_TOPIC_KINDS``), a constant tuple in kernels."""

# value parts (sim.engine.state.VALUE_PARTS): five benefits, then the costs
P_CONTENT, P_MATERIAL, P_HELP, P_BONDS, P_IDENTITY, P_COST = (
    VALUE_PARTS.index(name) for name in ("content", "material", "help", "bonds", "identity",
                                         "cost"))
N_PARTS = len(VALUE_PARTS)

# role traits (sim.engine.state.TRAIT_COLUMNS)
(T_POST, T_QUESTION, T_CONTENT, T_AD, T_REPLY, T_INFLUENCE, T_STATUS, T_EXPECT,
 T_PATIENCE, T_OPERATOR, T_INVITE, T_APPETITE) = (
    TRAIT_COLUMNS.index(name) for name in (
        "post_rate", "question_share", "content_share", "ad_share", "reply_propensity",
        "influence", "status", "expectation", "patience", "operator", "invite_rate",
        "envelope_appetite"))

NO_LIMIT = 1 << 62
"""A count no day reaches: a budget of 0 (no limit) stands for it."""

# role transitions the evening decides
STAY, TO_LURKER, TO_MEMBER, TO_LEADER = 0, 1, 2, 3
