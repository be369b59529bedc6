"""The records the compiled kernels take, instead of long argument lists.

A kernel reads the day through four records (:mod:`sim.engine.compiled` explains
how they reach numba):

``members``
    the member table (:class:`sim.engine.state.Members`), built once per run;
``group``
    what stays fixed for the run (:class:`Group`): the world around the group, the
    role traits and the behavioural constants (:data:`CONSTANTS`);
``day``
    the day's numbers (:class:`Day`): what the operator's plan decided and what the
    group remembers from yesterday, written once a day into one numpy record;
``today``
    the arrays a phase fills, one small named record per phase (declared next to
    the phase's kernels).

Each record is declared once, here or in :mod:`sim.engine.state`; a kernel names
its fields (``m.engagement``, ``g.fit``, ``k.leave_rate``, ``d.invite_boost``), so
adding a member attribute, a constant or a plan value touches one declaration and
the kernels that use it.

Why these forms (measured on this machine, numba 0.68, 500 members): a call costs
about 0.06 us per array argument, and a plain tuple of arrays as much; a named tuple
costs twice that per field; one numba ``structref`` costs 0.8 us however many arrays
it holds; one numpy record of 60 numbers costs 0.3 us (a tuple of them 1.1 us). So
the table and the run's arrays travel in structrefs built once per run, and the
numbers in numpy records. The day's kernels then cost about what the old argument
lists did (``make bench``).
"""

from __future__ import annotations

import math
import typing
from typing import NamedTuple

import numpy as np

from sim.engine.dynamics import DYNAMICS_PARAMS

# ------------------------------------------------------------ engine constants

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

ENGINE_CONSTANTS = {
    "newcomer_days": NEWCOMER_DAYS,
    "recent_window": RECENT_WINDOW,
    "lurker_revival": LURKER_REVIVAL,
    "leader_trust": LEADER_TRUST,
    "question_starter": QUESTION_STARTER,
    "trust_for_intention": TRUST_FOR_INTENTION,
    "promise_fade": PROMISE_FADE,
}
"""The engine's own fixed numbers, by the name kernels read them under."""

CODES = ("member_status", "member_code", "lurker_code", "seed_code", "spammer_code",
         "hunter_code", "envelope_shares")
"""Codes the kernels compare with: the member status, role codes, and the shares of a
member's red envelope (filled by the model from ``sim.engine.state`` and ``agents``)."""


def _dtype(value_type: type) -> np.dtype:
    return np.dtype(np.bool_ if value_type is bool else np.int64 if value_type is int
                    else np.float64)


CONSTANTS = np.dtype(
    [(p.name, _dtype(p.kind)) for p in DYNAMICS_PARAMS]
    + [(name, _dtype(type(value))) for name, value in ENGINE_CONSTANTS.items()]
    + [(name, np.int64) for name in CODES])
"""One numpy record of every number fixed for a run: the behavioural constants
(:mod:`sim.engine.dynamics`, by their scenario names), the engine's constants and the
codes."""


# ------------------------------------------------------------------ the run


class Group(NamedTuple):
    """What stays fixed for a run, as the kernels read it (``g = group.fields``)."""

    traits: np.ndarray
    """Role trait matrix: role code x ``sim.engine.state.TRAIT_COLUMNS``."""
    weights: np.ndarray
    """Role x value part: the weight of each part in perceived value (-1 for costs)."""
    expectation: np.ndarray
    """Value each role expects of the group."""
    fit: np.ndarray
    money_sensitivity: np.ndarray
    sociability: np.ndarray
    spam_propensity: np.ndarray
    natural_role: np.ndarray
    clustering: np.ndarray
    silent: np.ndarray
    """Who never writes (``sim.engine.world.World.silent``)."""
    chat_taste: np.ndarray
    """Taste for off-topic talk (``sim.engine.world.World.chat_taste``)."""
    talk_tilt: np.ndarray
    """Each person's tilt toward on-topic talk, log-odds (``sim.engine.world.talk_tilt``)."""
    indptr: np.ndarray
    """The social graph (CSR adjacency): friends of ``i`` are
    ``indices[indptr[i]:indptr[i + 1]]``."""
    indices: np.ndarray
    seen: np.ndarray
    """Recruitment's marks: the last day each person was considered."""
    grab_mark: np.ndarray
    """Red envelopes' marks: the last envelope each person came by."""
    constants: np.ndarray
    """A one-element :data:`CONSTANTS` record (``k = g.constants[0]``)."""


def constants_record(dynamics, codes: dict[str, int]) -> np.ndarray:
    """The :data:`CONSTANTS` record of a run with these behavioural constants."""
    values = {**{p.name: getattr(dynamics, p.name) for p in DYNAMICS_PARAMS},
              **ENGINE_CONSTANTS, **codes}
    return np.array([tuple(values[name] for name in CONSTANTS.names)], dtype=CONSTANTS)


# ------------------------------------------------------------------ the day


class Day(NamedTuple):
    """The day's numbers, as the kernels read them (``d = day[0]``).

    Built once a day, after the strategies have planned it (:func:`day_values`).
    """

    day: int
    # what the plan decided (sim.engine.plan.DayPlan)
    invite_boost: float
    appeal_boost: float
    posting_boost: float
    """The plan's posting boost times today's topic supply."""
    compliance: float
    self_introduction: bool
    checkin_chance: float
    answer_boost: float
    luckiest_factor: float
    """The luckiest grabber's extra chance to send an envelope back, with the plan's norm."""
    content_posts: int
    content_attention: float
    content_quality: float
    content_noise: float
    hard_sell: float
    friction: float
    bonds_boost: float
    identity_boost: float
    coupon_value: float
    commitment_boost: float
    moderation: float
    talk_shift: float
    """What the group's norm adds to everyone's log-odds of talking on topic."""
    off_topic_hold: float
    off_topic_friction: float
    # what the group brings from yesterday
    group_value: float
    material_signal: float
    last_volume: float
    """Messages the group saw yesterday (everyone's, the operator's included)."""
    pulled: bool
    """Whether the group is small enough to pull invited friends in without consent."""
    found_mean: float
    """Outsiders expected to find the group on their own today."""
    search_mean: float
    """Extra would-be advertisers expected to find it (advertisers search more)."""
    hunt_mean: float
    """Extra red-envelope hunters expected to find it (after recent envelopes)."""


def _field_type(name: str) -> type:
    """The declared type of a :class:`Day` field."""
    return typing.get_type_hints(Day)[name]


DAY = np.dtype([(name, _dtype(_field_type(name))) for name in Day._fields])
"""The numpy record a :class:`Day` is written into."""


def _logit(share: float) -> float:
    share = min(max(share, 0.01), 0.99)
    return math.log(share / (1.0 - share))


def day_values(model, plan, topic_supply: float) -> Day:
    """Today's :class:`Day` for ``model`` under ``plan``.

    The arithmetic is the phases' own (the same expressions, in the same order), so
    moving a number here changes no result.
    """
    dyn, w = model.dyn, model.world
    topic = dyn.topic_floor + (1.0 - dyn.topic_floor) * topic_supply
    discovery = w.size * dyn.discovery_rate
    return Day(
        day=model.day,
        invite_boost=plan.invite_boost,
        appeal_boost=plan.appeal_boost,
        posting_boost=plan.posting_boost * topic,
        compliance=plan.compliance,
        self_introduction=plan.self_introduction,
        checkin_chance=plan.checkin_chance,
        answer_boost=plan.answer_boost,
        luckiest_factor=dyn.luckiest_factor * plan.luckiest_norm,
        content_posts=plan.content_posts,
        content_attention=plan.content_attention,
        content_quality=plan.content_quality,
        content_noise=plan.content_noise,
        hard_sell=float(sum(offer.hard_sell for offer in plan.offers)),
        friction=plan.friction,
        bonds_boost=plan.bonds_boost,
        identity_boost=plan.identity_boost,
        coupon_value=plan.coupon_value,
        commitment_boost=plan.commitment_boost,
        moderation=plan.moderation,
        talk_shift=dyn.norm_pull * (_logit(model.topic_norm) - _logit(dyn.on_topic_talk)),
        off_topic_hold=plan.off_topic_hold,
        off_topic_friction=plan.off_topic_friction,
        group_value=model.group_value,
        material_signal=model.material_signal,
        last_volume=model.last_volume,
        pulled=model.members().size <= model.group.consent_above,
        found_mean=discovery,
        search_mean=discovery * max(0.0, dyn.advertiser_search - 1.0),
        hunt_mean=discovery * dyn.hunter_search * model.material_signal,
    )
