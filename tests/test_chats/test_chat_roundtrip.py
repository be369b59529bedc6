"""Write a chat log in each format, read it back: what the format can show survives."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from chat_properties import CHAT_SETTINGS, PEOPLE, chat_logs
from hypothesis import given
from hypothesis import strategies as st

from sim.chats import FORMATS, REPLIES, ChatLog, read_chat, write_chat
from sim.chats.names import pseudonym

SAMPLES = Path(__file__).parent / "samples"
WRITTEN = {key: (key, f.limits, f.precision) for key, f in FORMATS.items()}
WRITTEN["whatsapp-android"] = ("whatsapp", FORMATS["whatsapp"].limits, "min")
READ_SALT = b"reading back"


def plain(values) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]


def expected_replies(log: ChatLog, fmt: str) -> list[int | None]:
    """``reply_to`` as the format can carry it."""
    replies = plain(log.messages["reply_to"])
    if REPLIES in WRITTEN[fmt][1]:
        return [None] * len(replies)
    if fmt != "wechat":
        return replies
    # a WeChat quote is a text message naming the quoted sender: the reply goes to the
    # latest earlier message of theirs; a photo or sticker cannot quote
    members = log.messages["member"].tolist()
    media = log.messages["is_media"].tolist()
    out: list[int | None] = []
    for index, parent in enumerate(replies):
        if parent is None or media[index]:
            out.append(None)
        else:
            sender = members[parent]
            out.append(max(i for i in range(index) if members[i] == sender))
    return out


def check_round_trip(log: ChatLog, fmt: str, names: dict[str, str] | None,
                     folder: Path) -> None:
    key, limits, precision = WRITTEN[fmt]
    path = write_chat(log, fmt, folder / f"export-{fmt}", names)
    back = read_chat(path, salt=READ_SALT)
    assert back.format == key
    assert back.platform_limits == limits

    def renamed(member):
        if pd.isna(member):
            return None
        return pseudonym((names or {}).get(member, member), READ_SALT)

    def same(member):
        return None if pd.isna(member) else member

    sent = log.messages
    got = back.messages
    assert len(got) == len(sent)
    assert got["time"].tolist() == sent["time"].dt.floor(precision).tolist()
    assert got["member"].tolist() == [renamed(m) for m in sent["member"]]
    features = ["length", "has_link", "is_question", "off_topic", "is_media"]
    wanted = sent[features].copy()
    if fmt == "whatsapp-android":  # "<Media omitted>": a sticker is not told from a photo
        wanted.loc[wanted["is_media"], "off_topic"] = False
    pd.testing.assert_frame_equal(got[features], wanted, check_names=False)
    assert plain(got["reply_to"]) == expected_replies(log, fmt)

    shown = log.events[~log.events["kind"].isin(limits)]
    joined = shown["kind"] == "joined_link"
    if fmt == "wechat":  # a QR-code join always names who shared it: "You" when unknown
        shown = shown.assign(by=shown["by"].where(~joined | shown["by"].notna(), "You"))
    elif fmt != "csv":  # who shared the link is shown by WeChat and the generic CSV only
        shown = shown.assign(by=shown["by"].where(~joined, None))
    got_events = back.events

    def rows(events, rename):
        return sorted((str(t), rename(m), k, rename(b))
                      for t, m, k, b in zip(events["time"].dt.floor(precision),
                                            events["member"], events["kind"], events["by"],
                                            strict=True))

    assert rows(got_events, same) == rows(shown, renamed)


@pytest.mark.parametrize("fmt", sorted(WRITTEN))
@CHAT_SETTINGS
@given(log=chat_logs(), fake_names=st.booleans())
def test_round_trip(fmt, log, fake_names):
    members = log.members()
    names = dict(zip(members, PEOPLE, strict=False)) if fake_names else None
    with tempfile.TemporaryDirectory() as folder:
        check_round_trip(log, fmt, names, Path(folder))


@pytest.mark.parametrize("sample", ["whatsapp_android.txt", "whatsapp_ios.txt",
                                    "telegram_result.json", "wechat_memotrace.csv",
                                    "discord_general.json", "generic_neighbours.csv"])
@pytest.mark.parametrize("fmt", sorted(WRITTEN))
def test_samples_round_trip(tmp_path, sample, fmt):
    log = read_chat(SAMPLES / sample, salt=b"sample")
    # media with captions are written without them: compare the logs the writers can write
    captioned = log.messages["is_media"] & (log.messages["length"] > 0)
    messages = log.messages.copy()
    messages.loc[captioned, ["length", "has_link", "is_question", "off_topic"]] = [0, False,
                                                                                   False, False]
    # a text-link entity marks a link its short text does not show: longer text has room
    short_links = messages["has_link"] & (messages["length"] < 22)
    messages.loc[short_links, "length"] = 22
    log = ChatLog(messages, log.events, log.format, log.source, log.platform_limits)
    check_round_trip(log, fmt, None, tmp_path)


def test_a_write_leaves_no_partial_files(tmp_path):
    log = read_chat(SAMPLES / "telegram_result.json", salt=b"k")
    write_chat(log, "telegram", tmp_path / "out" / "result.json")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["result.json"]


def test_written_files_look_like_the_real_layouts(tmp_path):
    log = read_chat(SAMPLES / "generic_neighbours.csv", salt=b"k")
    names = {m: f"Person {i}" for i, m in enumerate(log.members())}
    ios = write_chat(log, "whatsapp", tmp_path / "ios.txt", names).read_text(encoding="utf-8")
    assert ios.startswith("\u200e[01/06/2024, 08:00:00] Our group: \u200ePerson ")
    assert "https://example.com/" in ios and "sticker omitted" in ios
    android = write_chat(log, "whatsapp-android", tmp_path / "a.txt").read_text(
        encoding="utf-8")
    assert "<Media omitted>" in android
    assert android.split("\n")[3].startswith("01/06/2024, 08:05 - m-")
    wechat = write_chat(log, "wechat", tmp_path / "w.csv").read_text(encoding="utf-8-sig")
    assert wechat.split("\n")[0] == ("localId,TalkerId,Type,SubType,IsSender,CreateTime,"
                                     "Status,StrContent,StrTime,Remark,NickName,Sender")
    assert "<refermsg>" in wechat and "邀请" in wechat
    generic = write_chat(log, "csv", tmp_path / "g.csv").read_text(encoding="utf-8")
    assert generic.split("\n")[0] == "time,sender,text,reply_to,event"
    questions = [line for line in generic.split("\n") if line.endswith("?,,")]
    assert questions
