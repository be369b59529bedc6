"""The text classifier on a table of examples, and the writers' made-up text."""

from __future__ import annotations

import itertools

import pytest
from chat_properties import CHAT_SETTINGS, TEXTS
from hypothesis import given
from hypothesis import strategies as st

from sim.chats import text
from sim.chats.synth import text_for
from sim.chats.text import Features, features

# text, has_link, is_question, off_topic
EXAMPLES = [
    ("good morning everyone! ☀️", False, False, True),
    ("Good night all", False, False, True),
    ("早上好", False, False, True),
    ("晚安～", False, False, True),
    ("谢谢大家", False, False, True),
    ("Thanks!", False, False, True),
    ("哈哈哈哈哈哈哈哈哈哈", False, False, True),
    ("hahahahaha", False, False, True),
    ("lol", False, False, True),
    ("😂😂😂", False, False, True),
    ("👍", False, False, True),
    ("ok", False, False, True),
    ("好的", False, False, True),
    ("see you", False, False, True),
    ("how are you?", False, True, True),
    ("在吗", False, True, True),
    ("How do I reset the router?", False, True, False),
    ("What time is the call", False, True, False),
    ("这个方案下周一之前能定下来吗", False, True, False),
    ("周六早上几点集合？", False, True, False),
    ("为什么", False, True, False),
    ("?", False, True, False),
    ("I did it yesterday evening", False, False, False),
    ("no, the server is down today", False, False, False),
    ("我觉得这个预算需要再看一下", False, False, False),
    ("Thanks, the budget numbers for the spring launch look right to me", False, False,
     False),
    ("see https://example.com/a", True, False, False),
    ("https://example.org/page?id=3", True, False, False),
    ("www.example.com/docs", True, False, False),
    ("haha https://example.com/meme", True, False, False),
    ("is this it? https://example.com/x", True, True, False),
]


@pytest.mark.parametrize(("said", "link", "question", "off"), EXAMPLES)
def test_classifier_examples(said, link, question, off):
    got = features(said)
    assert (got.has_link, got.is_question, got.off_topic) == (link, question, off)
    assert got.length == len(said.strip())
    assert not got.is_media


@pytest.mark.parametrize(("placeholder", "kind", "off"), [
    ("<Media omitted>", "media", False), ("\u200eimage omitted", "image", False),
    ("sticker omitted", "sticker", True), ("GIF omitted", "sticker", True),
    ("[图片]", "image", False), ("[表情]", "sticker", True), ("[语音]", "audio", False),
])
def test_media_placeholders(placeholder, kind, off):
    assert text.media_kind(placeholder) == kind
    got = features("", kind)
    assert got == Features(0, False, False, off, True)


def test_a_caption_is_classified_like_text():
    assert features("haha", "image").off_topic
    assert not features("the new floor plan for the office", "image").off_topic


def test_units_count_cjk_characters_and_words():
    assert text.units("我觉得 OK") == 4
    assert text.units("👍👍!!") == 0
    assert text.units("哈哈哈哈哈哈 lol") == 2


def test_word_lists_hold_no_duplicates():
    for words in (text.SMALL_TALK_EN, text.SMALL_TALK_ZH, text.QUESTION_ZH, text.QUESTION_EN):
        assert len(set(words)) == len(words)


def test_made_up_text_reads_back_to_its_features_for_every_possible_combination():
    checked = 0
    for length in range(0, 160):
        for link, question, off in itertools.product((False, True), repeat=3):
            wanted = Features(length, link, question, off, False)
            said = text_for(wanted, length)
            if features(said) == wanted:
                checked += 1
                continue
            # only features no text can have may fail: a link shorter than a link, a
            # link that is off-topic, an on-topic statement under four words, nothing
            impossible = (link and (off or length < 22)) or length == 0 or (
                question and off and length < 2) or (not link and not question
                                                     and not off and length < 4)
            assert impossible, (wanted, said, features(said))
    assert checked >= 900  # of 1,280: the rest are impossible


@CHAT_SETTINGS
@given(st.sampled_from(TEXTS), st.integers(0, 50))
def test_made_up_text_has_the_features_of_real_text(said, seed):
    wanted = features(said)
    assert features(text_for(wanted, seed)) == wanted
