"""Each format's sample export, read: counts made by hand from the sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.chats import FORMATS, REPLIES, read_chat
from sim.chats.names import pseudonym

SAMPLES = Path(__file__).parent / "samples"
SALT = b"sample salt"

# file, format, members, messages, joins, leaves, replies, media, days, events by kind
COUNTS = [
    ("whatsapp_android.txt", "whatsapp", 7, 35, 6, 2, 0, 4, 5,
     {"created": 1, "added": 4, "joined_link": 2, "left": 1, "removed": 1}),
    ("whatsapp_ios.txt", "whatsapp", 7, 31, 6, 2, 0, 4, 5,
     {"created": 1, "added": 5, "joined_link": 1, "left": 1, "removed": 1}),
    ("telegram_result.json", "telegram", 7, 31, 6, 2, 8, 3, 4,
     {"created": 1, "added": 5, "joined_link": 1, "left": 1, "removed": 1}),
    ("wechat_memotrace.csv", "wechat", 8, 31, 6, 1, 4, 4, 4,
     {"added": 4, "joined_link": 2, "removed": 1}),
    ("discord_general.json", "discord", 7, 31, 3, 0, 8, 4, 4, {"joined_link": 3}),
    ("generic_neighbours.csv", "csv", 7, 30, 6, 2, 9, 3, 4,
     {"created": 1, "added": 4, "joined_link": 2, "left": 1, "removed": 1}),
]


def read(name: str):
    return read_chat(SAMPLES / name, salt=SALT)


def who(name: str) -> str:
    return pseudonym(name, SALT)


@pytest.mark.parametrize(("name", "fmt", "members", "messages", "joins", "leaves",
                          "replies", "media", "days", "kinds"), COUNTS)
def test_sample_counts(name, fmt, members, messages, joins, leaves, replies, media, days,
                       kinds):
    log = read(name)
    assert log.format == fmt
    assert log.source == name
    assert log.describe() == {"members": members, "days": days, "messages": messages,
                              "joins": joins, "leaves": leaves, "replies": replies}
    assert int(log.messages["is_media"].sum()) == media
    assert log.events["kind"].value_counts().to_dict() == kinds
    assert list(log.messages["message_id"]) == list(range(messages))
    assert log.messages["time"].is_monotonic_increasing
    assert log.events["time"].is_monotonic_increasing
    assert log.platform_limits == FORMATS[fmt].limits


def test_sample_tables_have_the_declared_columns_and_types():
    log = read("telegram_result.json")
    assert list(log.messages.columns) == ["time", "member", "message_id", "reply_to", "length",
                                          "has_link", "is_question", "off_topic", "is_media"]
    assert list(log.events.columns) == ["time", "member", "kind", "by"]
    assert str(log.messages["reply_to"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_dtype(log.messages["time"])
    for column in ("has_link", "is_question", "off_topic", "is_media"):
        assert log.messages[column].dtype == bool


def test_whatsapp_android_twelve_hour_month_first_and_multiline():
    log = read("whatsapp_android.txt")
    first = log.messages.iloc[0]
    assert first["time"] == pd.Timestamp("2024-01-12 20:05")  # 1/12/24, 8:05 PM
    assert first["member"] == who("Alice Chen")
    assert log.messages.iloc[9]["time"] == pd.Timestamp("2024-01-13 07:15")
    multiline = log.messages[log.messages["time"] == pd.Timestamp("2024-01-12 20:22")]
    said = ("Let's meet at 7:30 at the Stanford Ave parking lot.\nBring at least 2 liters of "
            "water,\nsunscreen and a light jacket.")
    assert multiline["length"].tolist() == [len(said)]
    added = log.events[log.events["kind"] == "added"]
    assert set(added["by"]) == {who("Alice Chen")}
    assert set(added["member"]) == {who(n) for n in ("Bob Miller", "王小明", "Carla Díaz",
                                                     "David Okafor")}
    # the phone number is one member whether or not WhatsApp wraps it in direction marks
    phone = who("+1 555 0134")
    assert phone in set(log.events.loc[log.events["kind"] == "joined_link", "member"])
    assert (log.messages["member"] == phone).sum() == 3
    assert log.events.loc[log.events["kind"] == "left", "member"].tolist() == [
        who("Carla Díaz")]
    assert log.events.loc[log.events["kind"] == "removed", ["member", "by"]].values.tolist() \
        == [[who("Bob Miller"), who("Alice Chen")]]
    assert log.messages["reply_to"].isna().all()
    assert REPLIES in log.platform_limits


def test_whatsapp_ios_system_lines_and_media_kinds():
    log = read("whatsapp_ios.txt")
    assert who("Book Club 读书会") not in log.members()  # the group's name on system lines
    assert log.messages.iloc[0]["time"] == pd.Timestamp("2024-02-13 19:02:15")
    media = log.messages[log.messages["is_media"]]
    assert media["off_topic"].tolist() == [False, True, False, False]  # the sticker only
    assert (media["length"] == 0).all()
    assert log.events.iloc[0][["member", "kind"]].tolist() == [who("Sophie Martin"), "created"]
    assert who("+44 7700 900123") in log.members()
    assert log.events.loc[log.events["kind"] == "joined_link", "member"].tolist() == [
        who("+44 7700 900123")]


def test_telegram_entities_replies_and_unix_times():
    log = read("telegram_result.json")
    messages = log.messages
    assert messages.iloc[0]["time"] == pd.Timestamp("2024-03-04 17:01:10")  # 18:01:10+01:00
    replies = messages.dropna(subset=["reply_to"])
    assert list(zip(replies["message_id"], replies["reply_to"], strict=True)) == [
        (3, 2), (4, 3), (9, 8), (10, 9), (18, 17), (19, 18), (23, 22), (26, 25)]
    assert messages.iloc[4]["has_link"]  # a text_link entity: "Rust 程序设计语言"
    assert messages.iloc[4]["length"] == len("Yes: Rust 程序设计语言")
    assert messages.iloc[9]["length"] == len("Usually by splitting the borrow:\n1. collect the "
                                             "indices first\n2. then mutate in a second loop")
    left = log.events[log.events["kind"] == "left"]
    assert left[["member", "by"]].values.tolist() == [[who("Tom Becker"), None]]
    created = log.events[log.events["kind"] == "created"]
    assert created["member"].tolist() == [who("Anna Kowalski")]


def test_wechat_quotes_answer_the_quoted_senders_latest_message():
    log = read("wechat_memotrace.csv")
    messages = log.messages
    replies = messages.dropna(subset=["reply_to"])
    assert list(zip(replies["message_id"], replies["reply_to"], strict=True)) == [
        (4, 3), (12, 11), (18, 16), (22, 21)]
    # message 18 quotes 刘洋, whose latest message before it is the multi-line one (16)
    assert messages.iloc[16]["member"] == who("刘洋")
    said = ("分享一下我们的需求评审流程：\n1. 需求池每周整理一次\n"
            "2. 评审会前 24 小时发文档\n3. 会上只讨论有争议的点")
    assert messages.iloc[16]["length"] == len(said)
    assert messages.iloc[5]["has_link"]  # an app message (Type 49, SubType 5)
    assert messages.iloc[0]["time"] == pd.Timestamp("2024-04-08 01:02:10")  # 09:02:10 +08
    qr = log.events[log.events["kind"] == "joined_link"]
    assert qr[["member", "by"]].values.tolist() == [[who("赵六"), who("张三")],
                                                    [who("Emily Zhang"), who("李四")]]
    assert log.events.loc[log.events["kind"] == "removed", ["member", "by"]].values.tolist() \
        == [[who("周八"), who("张三")]]
    stickers = messages[messages["is_media"] & messages["off_topic"]]
    assert len(stickers) == 2


def test_discord_utc_times_stickers_captions_and_server_limits():
    log = read("discord_general.json")
    messages = log.messages
    assert messages.iloc[0]["time"] == pd.Timestamp("2024-05-20 08:00:00.123")
    assert messages.iloc[0]["member"] == who("pixelpanda")
    media = messages[messages["is_media"]]
    assert media["off_topic"].tolist() == [False, True, False, False]
    assert media["length"].tolist() == [0, 0, 0, len("Draft of the jam theme music")]
    assert log.platform_limits == {"added", "left", "removed", "created"}
    assert log.events["member"].tolist() == [who(n) for n in ("marta_k", "samir", "tomasz")]


def test_discord_group_dm_shows_additions_and_departures(tmp_path):
    data = json.loads((SAMPLES / "discord_general.json").read_text(encoding="utf-8"))
    data["guild"] = {"id": "0", "name": "Direct Messages", "iconUrl": ""}
    first = data["messages"][0]

    def system(kind, author, mentioned, minute):
        return {**first, "id": f"9{minute}", "type": kind, "content": "",
                "timestamp": f"2024-05-24T10:{minute:02d}:00.000+00:00",
                "author": {"id": "1", "name": author}, "mentions": [{"id": "2", "name": mentioned}]}

    data["messages"] += [system("RecipientAdd", "pixelpanda", "newbie", 1),
                         system("RecipientRemove", "newbie", "newbie", 2),
                         system("RecipientRemove", "pixelpanda", "gorka", 3)]
    path = tmp_path / "dm.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    log = read_chat(path, salt=SALT)
    assert log.platform_limits == {"joined_link", "created"}
    assert log.events.iloc[-3:][["member", "kind", "by"]].values.tolist() == [
        [who("newbie"), "added", who("pixelpanda")], [who("newbie"), "left", None],
        [who("gorka"), "removed", who("pixelpanda")]]


def test_generic_csv_row_numbers_offsets_and_event_text():
    log = read("generic_neighbours.csv")
    messages = log.messages
    replies = messages.dropna(subset=["reply_to"])
    assert list(zip(replies["message_id"], replies["reply_to"], strict=True)) == [
        (4, 3), (5, 3), (6, 5), (8, 7), (16, 15), (17, 16), (19, 18), (25, 24), (26, 24)]
    # "2024-06-02T07:30:00+08:00" is 23:30 UTC the day before
    assert messages.iloc[10]["time"] == pd.Timestamp("2024-06-01 23:30")
    joined = log.events[log.events["kind"] == "joined_link"]
    assert joined[["member", "by"]].values.tolist() == [[who("Peter Novak"), None],
                                                        [who("Fatima Bello"), who("Grace Liu")]]


def test_generic_csv_with_an_id_column(tmp_path):
    path = tmp_path / "chat.csv"
    path.write_text("id,time,sender,text,reply_to,event\n"
                    "a7,2024-01-01 10:00,Ann,Who is bringing the projector tomorrow?,,\n"
                    ",2024-01-01 10:01,Ben,Ann,,added\n"
                    "b2,2024-01-01 10:02,Ben,I can bring mine to the office,a7,\n"
                    "c3,2024-01-01 10:03,Ann,thanks!,b2,\n", encoding="utf-8")
    log = read_chat(path, salt=SALT)
    assert log.messages["reply_to"].tolist() == [pd.NA, 0, 1]
    assert log.events[["member", "kind", "by"]].values.tolist() == [
        [who("Ben"), "added", who("Ann")]]


def test_members_days_and_describe_of_an_empty_window(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("time,sender,text,event\n2024-01-01 10:00,Ann,,joined\n",
                    encoding="utf-8")
    log = read_chat(path, salt=SALT)
    assert log.members() == [who("Ann")]
    assert log.days == 1
    assert log.describe() == {"members": 1, "days": 1, "messages": 0, "joins": 1,
                              "leaves": 0, "replies": 0}


def test_the_package_api_reads_chats_without_loading_the_engine():
    import os
    import subprocess
    import sys

    code = ("import sys, sim; log = sim.read_chat(sys.argv[1]); "
            "print(log.describe()['messages'], 'sim.engine' in sys.modules, "
            "'numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "whatsapp_ios.txt")],
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(SAMPLES.parents[2])})
    assert done.stdout.split() == ["31", "False", "False"]


def test_wechat_system_message_variants(tmp_path):
    header = ("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,"
              "Remark,NickName,Sender\n")
    notices = ['“张三”邀请你和“李四、王五”加入了群聊', '你邀请"赵六"加入了群聊',
               '"Ann" invited you and "Bo", "Cy" to the group chat',
               '"Di" joined the group chat via the QR code shared by you',
               'You removed "Bo" from the group chat', '"张三"修改群名为"新群名"']
    rows = [f'{i},1,10000,0,0,{1704067200 + i},2,"{n.replace(chr(34), chr(34) * 2)}",,,,\n'
            for i, n in enumerate(notices, start=1)]
    path = tmp_path / "wechat.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    log = read_chat(path, salt=SALT)
    assert log.events[["member", "kind", "by"]].values.tolist() == [
        [who("You"), "added", who("张三")], [who("李四"), "added", who("张三")],
        [who("王五"), "added", who("张三")], [who("赵六"), "added", who("You")],
        [who("You"), "added", who("Ann")], [who("Bo"), "added", who("Ann")],
        [who("Cy"), "added", who("Ann")], [who("Di"), "joined_link", who("You")],
        [who("Bo"), "removed", who("You")]]


def test_wechat_quote_with_a_server_id_column_answers_the_exact_message(tmp_path):
    import csv

    from sim.chats.wechat import COLUMNS

    def quote(svrid):
        return (f"<msg><appmsg><title>agreed, let us do that then</title><type>57</type>"
                f"<refermsg><svrid>{svrid}</svrid><displayname>Ann</displayname></refermsg>"
                "</appmsg></msg>")

    rows = [  # Ann twice, then Bo quotes Ann's first message by its server id
        [1, 1, 1, 0, 0, 1704067201, 2, "the first proposal for the budget", "", "", "Ann",
         "wxid_a", "111"],
        [2, 1, 1, 0, 0, 1704067202, 2, "a second thought about the venue", "", "", "Ann",
         "wxid_a", "222"],
        [3, 1, 49, 57, 0, 1704067203, 2, quote(111), "", "", "Bo", "wxid_b", "333"],
        [4, 1, 49, 57, 0, 1704067204, 2, quote(999), "", "", "Bo", "wxid_b", "444"],
    ]
    path = tmp_path / "wechat.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*COLUMNS, "MsgSvrID"])
        writer.writerows(rows)
    log = read_chat(path, salt=SALT)
    assert log.messages["reply_to"].tolist()[2:] == [0, pd.NA]  # 999 is not in the export
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(header.removesuffix(",MsgSvrID") + "\n" + rest, encoding="utf-8")
    # without the column, the rule: Ann's latest message before the quote
    assert read_chat(path, salt=SALT).messages["reply_to"].tolist()[2:] == [1, 1]
