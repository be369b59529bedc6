"""Hand-built chat logs for the fingerprint tests: the one place they are made.

A log is given as messages ``(day, member)`` with optional reply and features, and
events ``(day, member, kind, by)``; times are day 0 = 2024-01-01, messages at noon plus
one second each in the order given (so ``message_id`` is the position in the list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from sim.chats.log import ChatLog
from sim.formats.scenario import Scenario, load_scenario

START = datetime(2024, 1, 1)
BASELINE = Path(__file__).parents[2] / "scenarios" / "baseline.yaml"


@dataclass(frozen=True)
class M:
    """One message: day, member, the ``message_id`` it replies to, its features."""

    day: int
    member: str
    reply: int | None = None
    question: bool = False
    off: bool = False
    link: bool = False
    media: bool = False


def chat_log(messages: list[M], events: list[tuple] = (), limits=(),
             fmt: str = "csv") -> ChatLog:
    """A :class:`ChatLog` of ``messages`` (in time order) and ``events``."""
    times = [START + timedelta(days=m.day, hours=12, seconds=i) for i, m in enumerate(messages)]
    table = pd.DataFrame({
        "time": pd.Series(times, dtype="datetime64[us]"),
        "member": pd.Series([m.member for m in messages], dtype="object"),
        "message_id": pd.Series(range(len(messages)), dtype="int64"),
        "reply_to": pd.array([m.reply for m in messages], dtype="Int64"),
        "length": pd.Series([10] * len(messages), dtype="int64"),
        "has_link": pd.Series([m.link for m in messages], dtype=bool),
        "is_question": pd.Series([m.question for m in messages], dtype=bool),
        "off_topic": pd.Series([m.off for m in messages], dtype=bool),
        "is_media": pd.Series([m.media for m in messages], dtype=bool),
    })
    rows = [(START + timedelta(days=e[0], hours=8, seconds=i), e[1], e[2],
             e[3] if len(e) > 3 else None) for i, e in enumerate(events)]
    event_table = pd.DataFrame({
        "time": pd.Series([r[0] for r in rows], dtype="datetime64[us]"),
        "member": pd.Series([r[1] for r in rows], dtype="object"),
        "kind": pd.Series([r[2] for r in rows], dtype="object"),
        "by": pd.Series([r[3] for r in rows], dtype="object"),
    })
    return ChatLog(table, event_table, fmt, "hand-built.csv", frozenset(limits))


def founded(members: list[str], day: int = 0) -> list[tuple]:
    """The first member creates the group on ``day`` and adds the others."""
    return [(day, members[0], "created")] + [(day, m, "added", members[0]) for m in members[1:]]


def small_baseline(days: int = 60) -> Scenario:
    """The baseline, ``days`` days, in a town of 2,000 with room for 300."""
    scenario = load_scenario(BASELINE)
    return scenario.with_changes(
        weeks=None, days=days, replicates=1,
        population={"size": 2000, "network": {"kind": "powerlaw_cluster", "mean_degree": 8,
                                              "triangles": 0.3}},
        group={"capacity": 300, "founders": {"owner": 1, "admin": 2, "opinion_leader": 3,
                                              "seed_user": 20}})
