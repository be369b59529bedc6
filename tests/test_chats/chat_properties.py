"""Hypothesis generators of small chat logs: the one place they live.

A log is built the way a parser builds one (``sim.chats.log.build`` from raw messages
with real text), so its features are ones a real text has: the writers must be able to
write every log these generators make.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from sim.chats.log import EVENT_KINDS, RawEvent, RawMessage, build
from sim.chats.names import Pseudonyms

CHAT_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow])

PEOPLE = ("Ada Lovelace", "李雷", "韩梅梅", "Grace Hopper", "+1 555 0100", "José Álvarez",
          "Zoë Kravitz", "王芳")
"""Made-up display names: writers may be given them, or write pseudonyms."""
TEXTS = (
    # on-topic statements
    "Let me check the deployment schedule for next week",
    "我觉得这个方案还需要再讨论一下",
    "The meeting notes are in the shared folder now",
    "预算表已经更新到最新版本了",
    "Line one of the plan\nand line two of the plan",
    # questions
    "What time is the call tomorrow?",
    "这个功能什么时候上线？",
    "Does anyone know where the slides are",
    "有没有人用过这个工具",
    "?",
    # links
    "see https://example.com/docs/page",
    "https://example.org/a?b=1",
    "资料在这里 https://example.cn/x",
    "is this right? https://example.com/p",
    # off-topic
    "good morning", "哈哈哈", "thanks!", "👍", "ok", "晚安", "how are you?", "lol",
    "早上好 ☀️", "😂😂😂", "在吗", "thank you so much everyone!!",
)
MEDIA = (None, None, None, None, "image", "sticker")
START = datetime(2024, 1, 1, 8, 0, 0)


@st.composite
def raw_logs(draw):
    """``(messages, events)`` as a parser would collect them (names and text in them)."""
    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=2, max_size=6, unique=True))
    count = draw(st.integers(1, 30))
    gaps = draw(st.lists(st.integers(0, 6 * 3600), min_size=count, max_size=count))
    messages: list[RawMessage] = []
    seconds = 0
    for index, gap in enumerate(gaps):
        seconds += gap
        media = draw(st.sampled_from(MEDIA))
        text = "" if media else draw(st.sampled_from(TEXTS))
        reply = None
        if index and draw(st.booleans()):
            reply = draw(st.integers(0, index - 1))
        messages.append(RawMessage(START + timedelta(seconds=seconds),
                                   draw(st.sampled_from(people)), text, media=media,
                                   key=index, reply_key=reply))
    events: list[RawEvent] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(EVENT_KINDS))
        who = draw(st.sampled_from(people))
        by = None
        if kind in ("added", "removed"):
            by = draw(st.sampled_from([p for p in people if p != who]))
        when = START + timedelta(seconds=draw(st.integers(0, 4 * 86400)))
        events.append(RawEvent(when, who, kind, by))
    return messages, events


@st.composite
def chat_logs(draw):
    """A :class:`sim.chats.ChatLog` built from :func:`raw_logs` with a fixed salt."""
    messages, events = draw(raw_logs())
    return build("csv", "generated.csv", (), messages, events, Pseudonyms(b"generated"))
