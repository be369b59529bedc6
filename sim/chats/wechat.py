"""WeChat group chats exported to CSV by WeChatMsg / MemoTrace (留痕).

Columns: ``localId, TalkerId, Type, SubType, IsSender, CreateTime, Status, StrContent,
StrTime, Remark, NickName, Sender``. ``CreateTime`` is unix seconds (read as UTC).
``Type`` 1 is text, 3 an image, 34 voice, 43 video, 47 a sticker, 48 a location, 49 an
app message (``SubType`` 5 a shared link, 6 a file, 57 a quoted reply; ``StrContent``
is then the message's XML when the exporter keeps it), 10000 a system message.

A member is named as WeChat shows them in system messages: ``Remark`` (your note for the
contact) when set, else ``NickName``, else ``Sender``.

Replies: a quote (Type 49, SubType 57) names the quoted sender (``<displayname>`` in its
XML), not the quoted message, unless the CSV has a ``MsgSvrID`` column matching the
quote's ``<svrid>``. Without the id the reply is taken to answer the latest earlier
message of the quoted sender.

WeChat posts no line when someone leaves (``platform_limits``: ``left``), and none when
a group is created.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.chats import csvfile
from sim.chats.errors import problem
from sim.chats.files import display, write_text
from sim.chats.log import ChatFormat, ChatLog, RawEvent, RawMessage, build
from sim.chats.names import Pseudonyms
from sim.chats.synth import text_for
from sim.chats.text import Features

TITLE = "WeChat CSV (WeChatMsg / MemoTrace)"
COLUMNS = ["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
           "StrContent", "StrTime", "Remark", "NickName", "Sender"]
REQUIRED = ("Type", "SubType", "CreateTime", "StrContent", "NickName", "Sender")
_MEDIA = {3: "image", 34: "audio", 43: "video", 47: "sticker", 48: "location"}
_APP_MEDIA = {6: "file", 19: "file", 2000: "file", 51: "video"}
YOU = "You"
_Q = r'"([^"]+)"'
_PERSON = rf'(?:{_Q}|你|You|you)'
_SYSTEM = tuple((kind, re.compile(pattern)) for kind, pattern in (
    ("added", rf"^{_PERSON}邀请(?P<whom>.+?)加入了群聊"),
    ("joined_link", rf"^{_PERSON}通过扫描{_PERSON}分享的二维码加入群聊"),
    ("removed", rf"^{_PERSON}将(?P<whom>.+?)移出了群聊"),
    ("added", rf"^{_PERSON} invited (?P<whom>.+?) to (?:the )?group chat"),
    ("joined_link", rf"^{_PERSON} joined (?:the )?group chat via the QR code shared by "
                    rf"{_PERSON}"),
    ("removed", rf"^{_PERSON} removed (?P<whom>.+?) from (?:the )?group chat"),
))


def looks_like(columns: list[str]) -> bool:
    """Whether a CSV header is a WeChatMsg / MemoTrace export's (most of its columns)."""
    return len(set(columns) & set(COLUMNS)) >= 6


def _person(found: str | None) -> str:
    return found if found else YOU


def _quoted(text: str) -> list[str]:
    """Names in a system message's ``"A、B"``, ``"A", "B"`` or ``你和"A"`` (你 is You)."""
    names = [n for q in re.findall(_Q, text) for n in re.split("[、,，]", q) if n.strip()]
    unquoted = re.sub(_Q, "", text)
    if "你" in unquoted or re.search(r"\byou\b", unquoted, re.IGNORECASE) or not names:
        names.insert(0, YOU)
    return names


def _system(text: str, when: datetime) -> list[RawEvent]:
    text = text.replace("“", '"').replace("”", '"').strip()
    for kind, pattern in _SYSTEM:
        found = pattern.match(text)
        if found is None:
            continue
        if kind == "joined_link":
            return [RawEvent(when, _person(found.group(1)), kind, _person(found.group(2)))]
        return [RawEvent(when, who, kind, _person(found.group(1)))
                for who in _quoted(found.group("whom"))]
    return []


def _tag(xml: str, name: str) -> str | None:
    found = re.search(rf"<{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{name}>", xml, re.DOTALL)
    return html.unescape(found.group(1)) if found else None


def _app(content: str, subtype: int) -> tuple[str, str | None, bool, str | None, str | None]:
    """An app message's text, media kind, link, quoted sender and quoted server id."""
    if not content.lstrip().startswith("<"):
        return content, _APP_MEDIA.get(subtype), subtype == 5, None, None
    title = _tag(content, "title") or ""
    refer = re.search(r"<refermsg>(.*?)</refermsg>", content, re.DOTALL)
    if subtype == 57 and refer:
        quoted = refer.group(1)
        return title, None, False, _tag(quoted, "displayname"), _tag(quoted, "svrid")
    if subtype == 5:
        url = _tag(content, "url") or ""
        return f"{title} {url}".strip(), None, True, None, None
    return title, _APP_MEDIA.get(subtype), False, None, None


def _int(row: dict[str, str], column: str, source: str, line: int) -> int:
    value = (row.get(column) or "").strip()
    try:
        return int(float(value)) if value else 0
    except ValueError:
        raise problem(source, line, f"expected a whole number, got '{value[:20]}'",
                      column) from None


def parse(text: str, source: str, pseudonyms: Pseudonyms) -> ChatLog:
    """Read a WeChatMsg / MemoTrace CSV (see the module docstring)."""
    columns = csvfile.header(text)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise problem(source, 1, f"missing column{'s' * (len(missing) > 1)} "
                      f"{', '.join(missing)}; a WeChatMsg / MemoTrace CSV has "
                      f"{', '.join(COLUMNS)}")
    by_server_id = "MsgSvrID" in columns
    messages: list[RawMessage] = []
    events: list[RawEvent] = []
    for line, _, row in csvfile.rows(text):
        kind = _int(row, "Type", source, line)
        seconds = _int(row, "CreateTime", source, line)
        if seconds <= 0:
            raise problem(source, line, "expected unix seconds (such as 1704056713), got "
                          f"'{row.get('CreateTime', '')}'", "CreateTime")
        when = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        content = row.get("StrContent") or ""
        if kind in (10000, 10002):
            events.extend(_system(content, when))
            continue
        name = (row.get("Remark") or "").strip() or (row.get("NickName") or "").strip() \
            or (row.get("Sender") or "").strip()
        if not name:
            raise problem(source, line, "expected the sender's name in NickName or Sender",
                          "NickName")
        key = row.get("MsgSvrID") if by_server_id else None
        if kind == 1:
            messages.append(RawMessage(when, name, content, key=key))
        elif kind in _MEDIA:
            messages.append(RawMessage(when, name, "", media=_MEDIA[kind], key=key))
        elif kind == 49:
            said, media, link, quoted, svrid = _app(content, _int(row, "SubType", source,
                                                                   line))
            reply_key = svrid if by_server_id and svrid else None
            messages.append(RawMessage(when, name, said, media=media, link=link, key=key,
                                       reply_key=reply_key,
                                       reply_name=None if reply_key else quoted))
    return build("wechat", source, LIMITS, messages, events, pseudonyms)


def _reply_xml(said: str, quoted_name: str, quoted_id: int) -> str:
    return ("<msg><appmsg appid=\"\" sdkver=\"0\"><title>" + html.escape(said)
            + "</title><des></des><type>57</type><refermsg><type>1</type><svrid>"
            + f"{quoted_id}</svrid><fromusr>10001@chatroom</fromusr><displayname>"
            + html.escape(quoted_name) + "</displayname><content>"
            + html.escape(text_for(Features(30, False, False, False, False), quoted_id))
            + "</content></refermsg></appmsg></msg>")


def _system_text(kind: str, who: str, by: str | None) -> str:
    if kind == "added":
        return f'"{by or YOU}"邀请"{who}"加入了群聊'
    if kind == "removed":
        return f'"{by or YOU}"将"{who}"移出了群聊'
    return f'"{who}"通过扫描"{by or YOU}"分享的二维码加入群聊'


def render(log: ChatLog, names: dict[str, str] | None = None) -> str:
    """The CSV text of ``log`` as WeChatMsg / MemoTrace exports it."""
    name_of = display(names)
    wxid = {m: f"wxid_{i:06d}" for i, m in enumerate(log.members())}
    senders = dict(zip(log.messages["message_id"], log.messages["member"], strict=True))
    rows: list[tuple] = []
    for row in log.messages.itertuples(index=False):
        feats = Features(row.length, row.has_link, row.is_question, row.off_topic,
                         row.is_media)
        said = text_for(feats, row.message_id)
        if row.is_media:
            kind, sub, content = (47 if row.off_topic else 3), 0, ""
        elif pd.notna(row.reply_to):
            parent = int(row.reply_to)
            kind, sub = 49, 57
            content = _reply_xml(said, name_of(senders[parent]), 7_000_000 + parent)
        else:
            kind, sub, content = 1, 0, said
        rows.append((row.time, 1, kind, sub, content, name_of(row.member), wxid[row.member]))
    for row in log.events.itertuples(index=False):
        if row.kind not in ("added", "removed", "joined_link"):
            continue
        by = name_of(row.by) if pd.notna(row.by) else None
        rows.append((row.time, 0, 10000, 0, _system_text(row.kind, name_of(row.member), by),
                     "", ""))
    rows.sort(key=lambda r: (r[0], r[1]))
    records = []
    for local_id, (when, _, kind, sub, content, name, sender) in enumerate(rows, start=1):
        seconds = int(when.replace(tzinfo=UTC).timestamp())
        records.append([local_id, 1, kind, sub, 0, seconds, 2, content,
                        when.strftime("%Y-%m-%d %H:%M:%S"), "", name, sender])
    return csvfile.write(COLUMNS, records, bom=True)


def write(log: ChatLog, path: Path, names: dict[str, str] | None = None) -> None:
    """Write ``log`` as a WeChatMsg / MemoTrace CSV (without leaves and creation)."""
    write_text(path, render(log, names))


LIMITS = frozenset({"left", "created"})
FORMAT = ChatFormat(
    key="wechat", title=TITLE, limits=LIMITS, precision="s",
    how_to_export="WeChat on Windows, then WeChatMsg / MemoTrace (留痕): choose the group, "
                  "Export > CSV",
    parse=parse, write=write)
