"""Made-up text with given features, for the writers.

A writer has only a message's features (the text was dropped when it was read), so it
writes text that the classifier of :mod:`sim.chats.text` reads back to the same
features: a question ends with "?", a link is ``https://example.com/...``, off-topic
messages are greetings and thanks from the classifier's own word lists, on-topic
statements are sentences about a project, all padded to the message's length. Features
no text can have (a one-character small-talk question, a link shorter than a link) get
the nearest text there is.
"""

from __future__ import annotations

from sim.chats.text import Features

ON_TOPIC_EN = ("Let me share the updated launch plan and the budget numbers for the next "
               "quarter review. ")
ON_TOPIC_ZH = "项目进度报告预算设计会议数据方案"
OFF_TOPIC = ("good morning everyone", "thanks a lot", "hello all", "haha", "谢谢大家", "早上好",
             "哈哈", "晚安", "ok", "👍")
"""Off-topic phrases (longest first is not needed: the first that fits is taken in
turn, so a long table shows several)."""
SMALL_TALK_QUESTIONS = ("how are you?", "在吗?", "在吗")
LINK = "https://example.com/"
PAD = "!"


def _fill(pattern: str, length: int, offset: int = 0) -> str:
    """``length`` characters of ``pattern`` repeated, starting at ``offset``."""
    if length <= 0:
        return ""
    doubled = pattern * (length // len(pattern) + 2)
    start = offset % len(pattern)
    return doubled[start:start + length]


def _on_topic(length: int, seed: int) -> str:
    """A statement of exactly ``length`` characters with at least four words."""
    if length >= 30:
        text = _fill(ON_TOPIC_EN, length)
        return text[:-1] + "." if text.endswith(" ") else text
    return _fill(ON_TOPIC_ZH, length, seed)


def _off_topic(length: int, seed: int, phrases: tuple[str, ...] = OFF_TOPIC) -> str:
    fitting = [p for p in phrases if len(p) <= length] or [min(phrases, key=len)]
    phrase = fitting[seed % len(fitting)]
    return phrase + PAD * (length - len(phrase))


def _link(length: int, question: bool) -> str:
    tail = " ?" if question else ""
    path = _fill("abcdefghijklmnopqrstuvwxyz0123456789", length - len(LINK) - len(tail))
    return LINK + path + tail


def text_for(features: Features, seed: int = 0) -> str:
    """Text the classifier reads as ``features`` ("" for media: writers use placeholders).

    Parameters
    ----------
    features
        The message's features.
    seed
        Picks among phrases that fit, so a table's texts vary (the message's number).
    """
    length, linked, question, off, media = features
    if media:
        return ""
    if linked:
        return _link(length, question)
    if question and off:
        return _off_topic(length, seed, SMALL_TALK_QUESTIONS)
    if question:
        return _on_topic(length - 1, seed) + "?"
    if off:
        return _off_topic(length, seed)
    return _on_topic(length, seed)
