"""Hypothesis generators of small random scenarios: the one place they live.

Every generator builds plain scenario data (what a user would write in YAML) and
:func:`scenarios` turns it into a validated :class:`sim.Scenario` through
``sim.parse_scenario``, so the engine is only ever exercised with input a user could
give it. Sizes are kept tiny (a few hundred people, 20-60 days) and the group's
capacity small, so that capacity binds, the WeChat consent rule switches on and off,
spammers flood and red envelopes circulate within a short run.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import sim

NETWORK_KINDS = ("powerlaw_cluster", "small_world", "random", "stochastic_block")

ENGINE_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same examples on every machine: CI never flakes
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Settings for property tests that run whole (tiny) simulations."""


def shares(low: float = 0.0, high: float = 1.0):
    """A share rounded to 3 decimals (keeps failing examples readable)."""
    return st.floats(low, high, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def networks(draw) -> dict:
    """A ``population.network`` section of one of the generated kinds."""
    kind = draw(st.sampled_from(NETWORK_KINDS))
    net: dict = {"kind": kind, "mean_degree": draw(st.integers(2, 12))}
    if kind == "powerlaw_cluster":
        net["triangles"] = draw(shares())
    elif kind == "small_world":
        net["rewire"] = draw(shares())
    elif kind == "stochastic_block":
        net["blocks"] = draw(st.integers(1, 6))
        net["mixing"] = draw(shares(0.0, 0.3))
    return net


@st.composite
def trait_sections(draw) -> dict:
    """A ``population.traits`` section; spammers may be a large part of the population."""
    spam = draw(st.sampled_from([0.0, 0.01, 0.1, 0.3, 0.5]))
    hunt = draw(shares(0.0, 0.3))
    lurk = min(draw(shares(0.0, 0.6)), round(1.0 - spam - hunt, 3))
    return {
        "spammer_share": spam,
        "hunter_share": hunt,
        "lurker_share": max(0.0, lurk),
        "fit_mean": draw(shares(0.1, 0.9)),
        "sociability_spread": draw(shares(0.0, 3.0)),
    }


@st.composite
def group_sections(draw, people: int = 10_000) -> dict:
    """A ``group`` section with a small capacity, so that capacity binds.

    The founders and initial members fit in the group and among ``people`` (a
    scenario where they do not is refused), sometimes filling it on day 0.
    """
    capacity = draw(st.integers(20, 80))
    room = min(capacity, people)
    admin = draw(st.integers(0, 3))
    leaders = draw(st.integers(0, 4))
    seed_users = draw(st.integers(0, min(30, room - 1 - admin - leaders)))
    founders = 1 + admin + leaders + seed_users
    return {
        "capacity": capacity,
        "consent_above": draw(st.sampled_from([0, 10, 40, capacity, capacity + 100])),
        "initial_members": min(draw(st.sampled_from([0, 0, 5, 30])), room - founders),
        "founders": {"admin": admin, "opinion_leader": leaders, "seed_user": seed_users},
    }


@st.composite
def strategy_sections(draw) -> dict:
    """Strategies switched on or off, with random settings when on."""
    out: dict = {}
    if draw(st.booleans()):
        out["welcome"] = {
            "welcome_speech": draw(st.booleans()),
            "self_introduction": draw(st.booleans()),
            "announce_rules": draw(st.booleans()),
        }
    if draw(st.booleans()):
        out["content"] = {
            "posts_per_day": draw(st.sampled_from([0.0, 0.5, 1.0, 3.0, 10.0])),
            "quality": draw(shares()),
            "schedule": draw(st.sampled_from(["regular", "irregular"])),
            "format": draw(st.sampled_from(["structured", "long_text"])),
        }
    return out


@st.composite
def dynamics_sections(draw) -> dict:
    """Dynamics pushed towards the events the invariants are about.

    Red envelopes (money), people leaving, outsiders finding the group on their own
    (capacity) and administrators catching advertisers (removals).
    """
    return {
        "gift_send_base": draw(st.sampled_from([0.0, 0.002, 0.05])),
        "leave_floor": draw(st.sampled_from([0.0, 0.0005, 0.02])),
        "discovery_rate": draw(st.sampled_from([0.0, 0.0002, 0.005])),
        "catch_rate": draw(st.sampled_from([0.0, 0.15, 1.0])),
        "lurk_after": draw(st.sampled_from([3, 30])),
        # the conversation core (issue 18): threads, budgets, the topic's norm
        "thread_continue": draw(st.sampled_from([0.0, 0.5, 0.9])),
        "writing_budget": draw(st.sampled_from([0, 5, 60])),
        "norm_pull": draw(st.sampled_from([0.0, 0.5, 0.95])),
    }


@st.composite
def scenario_data(draw, min_days: int = 20, max_days: int = 60, min_size: int = 60,
                  max_size: int = 800) -> dict:
    """Plain data of a small random scenario (one arm, one replicate)."""
    size = draw(st.integers(min_size, max_size))
    return {
        "name": "generated",
        "days": draw(st.integers(min_days, max_days)),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "replicates": 1,
        "population": {
            "size": size,
            "network": draw(networks()),
            "traits": draw(trait_sections()),
        },
        "group": draw(group_sections(size)),
        "dynamics": draw(dynamics_sections()),
        "strategies": draw(strategy_sections()),
    }


def to_scenario(data: dict) -> sim.Scenario:
    """Validate scenario data the way a scenario file is validated."""
    return sim.parse_scenario(yaml.safe_dump(data, sort_keys=False), source="<generated>")


def scenarios(**kwargs):
    """Small random validated scenarios (see :func:`scenario_data` for the knobs)."""
    return scenario_data(**kwargs).map(to_scenario)
