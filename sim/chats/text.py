"""What commsim keeps of a message's text: five features, decided here and nowhere else.

A message's text is read once, reduced to :class:`Features` and dropped. The word lists
and the rule are documented in ``docs/chat-exports.md`` ("The text classifier").

The off-topic rule, in order (the first that applies decides):

1. a sticker or GIF: off-topic; other media (photo, video, voice, file) with no caption:
   on-topic (shared material);
2. a link: on-topic;
3. small talk -- a greeting, thanks, laughter, good morning / night, congratulations,
   "ok" -- in a short message (at most :data:`SMALL_TALK_UNITS` words): off-topic;
4. a question: on-topic;
5. no words at all (emoji, punctuation): off-topic;
6. a very short message (fewer than :data:`SHORT_UNITS` words): off-topic;
7. anything else: on-topic.

"Words" count a Chinese, Japanese or Korean character as one word each, and any other
run of letters or digits as one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

SMALL_TALK_UNITS = 6
"""Small talk in a message of at most this many words is off-topic ("thanks, that helps a
lot with the budget" is not)."""
SHORT_UNITS = 4
"""Messages with fewer words than this, and no question or link, are off-topic."""

SMALL_TALK_EN = (
    "hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening",
    "good night", "gm", "gn", "thanks", "thank you", "thx", "ty", "tysm", "cheers",
    "welcome", "congrats", "congratulations", "happy birthday", "happy new year",
    "merry christmas", "bye", "see you", "see ya", "cya", "lol", "lmao", "rofl", "haha",
    "hehe", "xd", "how are you", "how r u", "what's up", "whats up",
)
"""English small talk, matched as whole words, case-insensitive. One-word answers ("ok",
"yes", "nice") are not listed: they are off-topic as very short messages (rule 6), and
listing them would also take "no, the server is down" off-topic."""
LAUGHTER_EN = r"(?:a?ha){2,}h?|he(?:he)+|lo+l|lmf?ao+"
"""Longer laughter ("hahahaha", "loool") matched as a whole word."""
SMALL_TALK_ZH = (
    "早上好", "早安", "早啊", "午安", "下午好", "晚上好", "晚安", "你好", "大家好",
    "谢谢", "感谢", "多谢", "谢啦", "哈哈", "呵呵", "嘿嘿", "嘻嘻", "好的", "好滴", "收到",
    "欢迎", "在吗", "辛苦了", "加油", "恭喜", "新年快乐", "生日快乐", "节日快乐",
    "拜拜", "再见", "么么哒", "厉害", "点赞",
)
"""Chinese small talk, matched anywhere in the text."""
SMALL_TALK_EMOJI = ("😂", "🤣", "😄", "😁", "😆", "👍", "🙏", "👋", "🎉", "❤", "🌹")
"""Emoji that mark laughter, thanks or greetings (a message of emoji only is off-topic
anyway, by rule 5)."""
QUESTION_MARKS = ("?", "？")
QUESTION_ZH = (
    "吗", "呢", "怎么", "什么", "为什么", "为啥", "咋", "哪", "谁", "如何", "是否",
    "多少", "多久", "几点", "几个", "几天", "几号", "是不是", "有没有", "能不能", "可不可以",
)
"""Chinese question words and particles, matched anywhere."""
QUESTION_EN = (
    "how", "what", "why", "when", "where", "who", "whom", "whose", "which", "is", "are",
    "do", "does", "did", "can", "could", "should", "would", "will", "anyone", "anybody",
)
"""English question words, counted at the start of the text or of a sentence only
("What time is the call" is a question, "I did it" is not)."""
MEDIA_PLACEHOLDERS = {
    "<media omitted>": "media", "<medien ausgeschlossen>": "media",
    "<multimédia omis>": "media", "<archivo omitido>": "media",
    "image omitted": "image", "photo omitted": "image", "video omitted": "video",
    "audio omitted": "audio", "document omitted": "file", "contact card omitted": "file",
    "sticker omitted": "sticker", "gif omitted": "sticker",
    "[图片]": "image", "[表情]": "sticker", "[动画表情]": "sticker", "[视频]": "video",
    "[语音]": "audio", "[文件]": "file",
}
"""Text that stands for a photo, sticker, ... in exports that leave the media out, and
the kind of media it is."""
OFF_TOPIC_MEDIA = frozenset({"sticker"})
"""Kinds of media that are off-topic by themselves (stickers and GIFs)."""

LINK = re.compile(r"https?://\S+|\bwww\.[^\s.]+\.\S+", re.IGNORECASE)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_UNITS = re.compile(rf"[{_CJK}]|[^\W{_CJK}_]+")
_LAUGH_RUN = re.compile(r"([哈呵嘿嘻])\1+")
_SMALL_EN = re.compile(
    r"(?<![\w'])(?:" + "|".join(sorted((re.escape(w) for w in SMALL_TALK_EN), key=len,
                                      reverse=True))
    + "|" + LAUGHTER_EN + r")(?![\w'])", re.IGNORECASE)
_SMALL_ZH = re.compile("|".join(re.escape(w) for w in SMALL_TALK_ZH + SMALL_TALK_EMOJI))
_QUESTION_ZH = re.compile("|".join(re.escape(w) for w in QUESTION_ZH))
_QUESTION_EN = re.compile(r"(?:^|[.!;:\n]|\s-)\s*(?:" + "|".join(QUESTION_EN) + r")\b",
                          re.IGNORECASE)


class Features(NamedTuple):
    """What the chat table keeps of one message."""

    length: int
    has_link: bool
    is_question: bool
    off_topic: bool
    is_media: bool


def units(text: str) -> int:
    """Words in ``text``: each CJK character, and each other run of letters or digits.

    Laughter written as a run of one character ("哈哈哈哈哈") is one word, as "hahaha" is.
    """
    return len(_UNITS.findall(_LAUGH_RUN.sub(r"\1", text)))


def has_link(text: str) -> bool:
    """Whether ``text`` holds a web address."""
    return LINK.search(text) is not None


def is_question(text: str) -> bool:
    """Whether ``text`` asks something.

    A question mark, a Chinese question word or particle, or an English question word
    opening the text or a sentence.
    """
    words = LINK.sub(" ", text)  # a link's "?" starts its query, not a question
    if "?" in words or "？" in words:
        return True
    if _QUESTION_ZH.search(words):
        return True
    return _QUESTION_EN.search(words) is not None


def is_small_talk(text: str) -> bool:
    """Whether ``text`` holds a greeting, thanks, laughter or a one-word acknowledgement."""
    return bool(_SMALL_ZH.search(text) or _SMALL_EN.search(text))


def media_kind(text: str) -> str | None:
    """The media kind a placeholder stands for (``"image"``, ``"sticker"``, ...), or None."""
    key = text.strip().strip("\u200e").strip().casefold()
    return MEDIA_PLACEHOLDERS.get(key)


def features(text: str, media: str | None = None, link: bool = False) -> Features:
    """The features of one message.

    Parameters
    ----------
    text
        What the member wrote (a media message's caption; "" when none).
    media
        The kind of media attached (``"image"``, ``"sticker"``, ``"media"``, ...), or None.
    link
        True when the export marks a link the text does not show (a hyperlinked word).
    """
    text = text.strip()
    linked = link or has_link(text)
    question = is_question(text)
    if media is not None and media in OFF_TOPIC_MEDIA:
        off = True
    elif media is not None and not text:
        off = False
    else:
        off = off_topic(text, linked, question)
    return Features(len(text), linked, question, off, media is not None)


def off_topic(text: str, linked: bool, question: bool) -> bool:
    """Rules 2-7 of the module's rule for a message's text (see the module docstring)."""
    if linked:
        return False
    count = units(text)
    if count <= SMALL_TALK_UNITS and is_small_talk(text):
        return True
    if question:
        return False
    return count < SHORT_UNITS
