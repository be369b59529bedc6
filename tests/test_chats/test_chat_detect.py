"""Formats are told by content, and every unreadable export gets one clear line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.chats import ChatFormatError, read_chat, write_chat
from sim.chats.read import TRIED, detect

SAMPLES = Path(__file__).parent / "samples"
SALT = b"detect"
FORMAT_OF = {"whatsapp_android.txt": "whatsapp", "whatsapp_ios.txt": "whatsapp",
             "telegram_result.json": "telegram", "wechat_memotrace.csv": "wechat",
             "discord_general.json": "discord", "generic_neighbours.csv": "csv"}


def error_of(path: Path) -> str:
    with pytest.raises(ChatFormatError) as caught:
        read_chat(path, salt=SALT)
    assert len(caught.value.problems) == 1
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", sorted(FORMAT_OF))
@pytest.mark.parametrize("renamed", ["export.dat", "chat.txt", "result.json", "noextension"])
def test_samples_are_detected_whatever_their_name(tmp_path, name, renamed):
    copy = tmp_path / renamed
    shutil.copy(SAMPLES / name, copy)
    log = read_chat(copy, salt=SALT)
    original = read_chat(SAMPLES / name, salt=SALT)
    assert log.format == FORMAT_OF[name]
    assert log.source == renamed
    pd.testing.assert_frame_equal(log.messages, original.messages)
    pd.testing.assert_frame_equal(log.events, original.events)


def test_tried_names_every_format():
    assert TRIED == ("WhatsApp text, Telegram JSON, WeChat CSV (WeChatMsg / MemoTrace), "
                     "Discord JSON (DiscordChatExporter), generic CSV")


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_an_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_text(content, encoding="utf-8")
    assert error_of(path) == f"{path}: the chat export is empty"


def test_a_missing_file(tmp_path):
    assert error_of(tmp_path / "nope.txt") == (f"{tmp_path / 'nope.txt'}: cannot read the chat "
                                               "export (no such file or directory)")


def test_a_random_text_file_names_the_formats_tried_and_the_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("\nDear diary,\ntoday nothing happened.\n", encoding="utf-8")
    assert error_of(path) == (
        f"{path}:2: not a chat export commsim can read (tried {TRIED}); closest is WhatsApp "
        "text: a line should start with a date and time, such as "
        "'31/12/2023, 21:05 - Name: text'")


def test_a_csv_with_other_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("date,author,message\n2024-01-01,Ann,hello\n", encoding="utf-8")
    assert error_of(path) == (
        f"{path}:1: not a chat export commsim can read (tried {TRIED}); closest is generic "
        "CSV: the header must be time,sender,text[,reply_to][,event][,id] (this one is: "
        "date, author, message)")


def test_json_of_another_kind(tmp_path):
    path = tmp_path / "data.json"
    path.write_text('{"users": [], "posts": []}', encoding="utf-8")
    assert error_of(path) == (
        f"{path}:1: not a chat export commsim can read (tried {TRIED}); closest is Telegram "
        "JSON or Discord JSON (DiscordChatExporter): expected a JSON object with Telegram's "
        "keys (name, type, id, messages) or DiscordChatExporter's (guild, channel, "
        "messages); this one has users, posts")


def test_not_text(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"abc\n\x80\x81\x82 binary")
    assert error_of(path) == (f"{path}:2: not UTF-8 text (byte 4); chat exports are UTF-8 "
                              "text, CSV or JSON")


def test_a_full_telegram_account_export_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{"about": "", "chats": {"about": "", "list": []}}', encoding="utf-8")
    assert error_of(path) == (f"{path}: this is a full Telegram account export; export the "
                              "one group instead (the group's ⋮ menu > Export chat history, "
                              "JSON)")


# ------------------------------------------------------------- broken inside a format


def test_whatsapp_bad_date_names_line_value_and_order(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("31/12/2023, 21:05 - Ann: hello there\n"
                    "second line of it\n"
                    "31/13/2023, 21:06 - Ben: hi\n", encoding="utf-8")
    assert error_of(path) == (f"{path}:3: date '31/13/2023, 21:06' is not a valid date and "
                              "time (this file's dates read as day/month/year)")


def test_whatsapp_bad_twelve_hour_time(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("12/31/23, 9:05 PM - Ann: hello\n12/31/23, 13:05 PM - Ben: hi\n",
                    encoding="utf-8")
    assert error_of(path) == f"{path}:2: time '13:05 PM' is not a 12-hour clock time"


def test_truncated_json(tmp_path):
    text = (SAMPLES / "telegram_result.json").read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    path = tmp_path / "result.json"
    path.write_text(cut, encoding="utf-8")
    line = cut.count("\n") + 1
    assert error_of(path) == (
        f"{path}:{line}: the file ends in the middle of the JSON (cut short?); expected JSON "
        "with Telegram's keys (name, type, id, messages) or DiscordChatExporter's (guild, "
        "channel, messages)")


def test_broken_json_names_line_and_column(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{\n "name": "g",\n "messages": [\n  {"id": 1 "type": "message"}\n ]\n}\n',
                    encoding="utf-8")
    message = error_of(path)
    assert message.startswith(f"{path}:4: broken JSON at column 12: expecting ',' delimiter")


def test_telegram_message_without_a_date(tmp_path):
    data = json.loads((SAMPLES / "telegram_result.json").read_text(encoding="utf-8"))
    del data["messages"][3]["date_unixtime"]
    data["messages"][3]["date"] = "yesterday"
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    line = text[: text.index('"id": 4,')].count("\n") + 1
    assert error_of(path) == (
        f"{path}:{line}: messages[3].date: expected a date: 'date_unixtime' (seconds) or "
        "'date' (ISO 8601, such as 2023-12-31T21:05:13)")


def test_discord_message_with_a_bad_timestamp(tmp_path):
    data = json.loads((SAMPLES / "discord_general.json").read_text(encoding="utf-8"))
    data["messages"][2]["timestamp"] = "20 May 2024"
    path = tmp_path / "general.json"
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(f'"id": "{data["messages"][2]["id"]}"')].count("\n") + 1
    assert error_of(path) == (
        f"{path}:{line}: messages[2].timestamp: expected a timestamp in ISO 8601 with its "
        "offset, such as 2023-12-31T21:05:13.123+00:00")


def test_wechat_missing_column(tmp_path):
    lines = (SAMPLES / "wechat_memotrace.csv").read_text(encoding="utf-8-sig").split("\n")
    lines[0] = lines[0].replace("CreateTime", "Created")
    path = tmp_path / "wechat.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert error_of(path) == (
        f"{path}:1: missing column CreateTime; a WeChatMsg / MemoTrace CSV has localId, "
        "TalkerId, Type, SubType, IsSender, CreateTime, Status, StrContent, StrTime, Remark, "
        "NickName, Sender")


def test_wechat_bad_create_time_names_its_line(tmp_path):
    text = (SAMPLES / "wechat_memotrace.csv").read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    assert lines[2].startswith("2,23,1,0,0,")
    fields = lines[2].split(",")
    fields[5] = "2024-04-08"
    lines[2] = ",".join(fields)
    path = tmp_path / "wechat.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert error_of(path) == f"{path}:3: CreateTime: expected a whole number, got '2024-04-08'"


def test_generic_csv_bad_time_and_unknown_event(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text('time,sender,text\n2024-01-01 10:00,Ann,"two\nlines"\n'
                    "1/2/2024,Ben,hi\n", encoding="utf-8")
    assert error_of(path) == (f"{path}:4: time: expected a time in ISO 8601, such as "
                              "2024-03-01 09:15:30, got '1/2/2024'")
    path.write_text("time,sender,text,event\n2024-01-01 10:00,Ann,,banned\n", encoding="utf-8")
    assert error_of(path) == (f"{path}:2: event: unknown event 'banned'; expected one of "
                              "joined, added, left, removed, created, or nothing for a message")


def test_generic_csv_missing_column(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text("time,sender,message,text2\n", encoding="utf-8")
    # "time" and "sender" but no "text": the closest format, named as such
    assert "closest is generic CSV" in error_of(path)


# ------------------------------------------------------------------- date orders


@pytest.mark.parametrize(("line", "expected"), [
    ("31/12/2023, 21:05 - Ann: hello", "2023-12-31 21:05"),
    ("12/31/23, 9:05 PM - Ann: hello", "2023-12-31 21:05"),
    ("12/31/23, 12:05 AM - Ann: hello", "2023-12-31 00:05"),
    ("12/31/23, 12:05\u202fpm - Ann: hello", "2023-12-31 12:05"),
    ("31.12.23, 21:05 - Ann: hello", "2023-12-31 21:05"),
    ("2023-12-31, 21:05 - Ann: hello", "2023-12-31 21:05"),
    ("[31/12/2023, 21:05:13] Ann: hello", "2023-12-31 21:05:13"),
    ("\u200e[31/12/23, 9:05:13 PM] Ann: hello", "2023-12-31 21:05:13"),
    # nothing settles the order: day first with a 24-hour clock or dots ...
    ("01/02/2024, 10:00 - Ann: hello", "2024-02-01 10:00"),
    ("01.02.24, 10:00 - Ann: hello", "2024-02-01 10:00"),
    # ... month first with a 12-hour clock (the US habit)
    ("01/02/24, 10:00 AM - Ann: hello", "2024-01-02 10:00"),
])
def test_whatsapp_date_orders(tmp_path, line, expected):
    path = tmp_path / "chat.txt"
    path.write_text(line + "\n", encoding="utf-8")
    log = read_chat(path, salt=SALT)
    assert log.messages["time"].tolist() == [pd.Timestamp(expected)]


def test_a_later_line_settles_the_date_order(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("01/02/24, 10:00 AM - Ann: hello\n25/02/24, 10:00 AM - Ben: hi\n",
                    encoding="utf-8")
    assert read_chat(path, salt=SALT).messages["time"].tolist() == [
        pd.Timestamp("2024-02-01 10:00"), pd.Timestamp("2024-02-25 10:00")]


def test_german_system_lines(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("31.12.23, 21:00 - Anna hat die Gruppe „Verein“ erstellt\n"
                    "31.12.23, 21:01 - Anna hat Ben und Carl hinzugefügt\n"
                    "31.12.23, 21:02 - Dora ist über den Einladungslink dieser Gruppe "
                    "beigetreten\n"
                    "31.12.23, 21:03 - Ben hat die Gruppe verlassen\n"
                    "31.12.23, 21:04 - Anna hat Carl entfernt\n"
                    "31.12.23, 21:05 - Dora: <Medien ausgeschlossen>\n", encoding="utf-8")
    log = read_chat(path, salt=SALT)
    assert log.events["kind"].tolist() == ["created", "added", "added", "joined_link", "left",
                                           "removed"]
    assert log.messages["is_media"].tolist() == [True]


def test_unknown_format_to_write(tmp_path):
    log = read_chat(SAMPLES / "generic_neighbours.csv", salt=SALT)
    with pytest.raises(ValueError, match="unknown chat format 'slack'; expected one of "
                       "whatsapp, telegram, wechat, discord, csv, whatsapp-android"):
        write_chat(log, "slack", tmp_path / "x")


def test_detect_looks_at_content_only():
    assert detect("time,sender,text\n", "x.json") == "csv"
    assert detect('{"guild": {}, "channel": {}, "messages": []}', "x.csv") == "discord"
    assert detect("[31/12/2023, 21:05:13] Ann: hi\n", "x.csv") == "whatsapp"
