"""docs/chat-exports.md says what the code does: formats, limits and word lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.chats import FORMATS, text

DOC = (Path(__file__).parents[2] / "docs" / "chat-exports.md").read_text(encoding="utf-8")
CLASSIFIER = " ".join(DOC[DOC.index("## The text classifier"):
                          DOC.index("## Writing exports")].split())  # lines joined


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_every_format_is_documented(key):
    chat_format = FORMATS[key]
    rows = [line for line in DOC.split("\n") if line.startswith(f"| {chat_format.title}")]
    assert rows and all(f"| `{key}` |" in row for row in rows)


@pytest.mark.parametrize("words", ["SMALL_TALK_EN", "SMALL_TALK_ZH", "SMALL_TALK_EMOJI",
                                   "QUESTION_ZH", "QUESTION_EN"])
def test_every_listed_word_is_on_the_page(words):
    missing = [w for w in getattr(text, words) if w not in CLASSIFIER]
    assert not missing


def test_the_thresholds_on_the_page_are_the_code_s():
    assert f"at most {text.SMALL_TALK_UNITS} words is off-topic" in CLASSIFIER
    assert f"fewer than {text.SHORT_UNITS} words is off-topic" in CLASSIFIER
