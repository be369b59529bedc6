"""Discord channels exported to JSON by DiscordChatExporter.

``{"guild": {...}, "channel": {...}, "messages": [...]}``; each message has ``id``,
``type`` (``Default``, ``Reply``, ``GuildMemberJoin``, ``RecipientAdd``,
``RecipientRemove``, ...), ``timestamp`` (ISO 8601 with its offset; read as UTC),
``content``, ``author`` (``id``, ``name``, ``nickname``), ``reference`` (``messageId``
of the message answered), ``attachments``, ``stickers`` and ``mentions``.

Members are told apart by their user name (``author.name``), which is unique on
Discord. A server channel shows only joins (``GuildMemberJoin``, when the channel is the
server's system channel): leaves, removals, additions and the channel's creation are not
in it. A group DM (``guild.id`` 0) shows additions and departures (``RecipientAdd``,
``RecipientRemove``) and no joins by link.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.chats.errors import problem
from sim.chats.files import display, write_text
from sim.chats.jsonfile import line_of, load
from sim.chats.log import ChatFormat, ChatLog, RawEvent, RawMessage, build
from sim.chats.names import Pseudonyms
from sim.chats.synth import text_for
from sim.chats.text import Features

TITLE = "Discord JSON (DiscordChatExporter)"
WHAT = 'a DiscordChatExporter JSON file: {"guild", "channel", "messages": [...]}'
SERVER_LIMITS = frozenset({"added", "left", "removed", "created"})
DM_LIMITS = frozenset({"joined_link", "created"})
_MESSAGES = frozenset({"Default", "Reply", "ThreadStarterMessage"})
_IMAGE = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_VIDEO = (".mp4", ".mov", ".webm")


def looks_like(data: Any) -> bool:
    """Whether JSON ``data`` is a DiscordChatExporter channel export."""
    return isinstance(data, dict) and "messages" in data and (
        "guild" in data or "channel" in data)


def _time(value: Any) -> datetime:
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def _name(person: Any) -> str:
    if not isinstance(person, dict):
        return "Deleted User"
    return str(person.get("name") or person.get("nickname") or person.get("id") or
               "Deleted User")


def _media(message: dict) -> str | None:
    if message.get("stickers"):
        return "sticker"
    attachments = message.get("attachments") or []
    if not attachments:
        return None
    file = str(attachments[0].get("fileName", "")).lower() if isinstance(
        attachments[0], dict) else ""
    if file.endswith(".gif"):
        return "sticker"
    if file.endswith(_IMAGE):
        return "image"
    return "video" if file.endswith(_VIDEO) else "file"


def parse(text: str, source: str, pseudonyms: Pseudonyms) -> ChatLog:
    """Read a DiscordChatExporter JSON export (see the module docstring)."""
    data = load(text, source, WHAT)
    if not looks_like(data) or not isinstance(data["messages"], list):
        raise problem(source, 1, f"expected {WHAT}")
    guild = data.get("guild") if isinstance(data.get("guild"), dict) else {}
    direct = str(guild.get("id", "")) == "0"
    start = text.find('"messages"')
    messages: list[RawMessage] = []
    events: list[RawEvent] = []
    for index, entry in enumerate(data["messages"]):
        where = f"messages[{index}]"
        if not isinstance(entry, dict):
            raise problem(source, None, "expected a message (a JSON object)", where)
        try:
            when = _time(entry["timestamp"])
        except (KeyError, ValueError, TypeError):
            raise problem(source, line_of(text, entry.get("id"), start),
                          "expected a timestamp in ISO 8601 with its offset, such as "
                          "2023-12-31T21:05:13.123+00:00", f"{where}.timestamp") from None
        kind = entry.get("type", "Default")
        author = _name(entry.get("author"))
        mentioned = [_name(m) for m in entry.get("mentions") or []]
        if kind in _MESSAGES:
            reference = entry.get("reference") or {}
            reply = reference.get("messageId") if kind == "Reply" else None
            messages.append(RawMessage(when, author, str(entry.get("content") or ""),
                                       media=_media(entry), key=entry.get("id"),
                                       reply_key=reply))
        elif kind == "GuildMemberJoin":
            events.append(RawEvent(when, author, "joined_link"))
        elif kind == "RecipientAdd":
            events.extend(RawEvent(when, who, "added", author) for who in mentioned)
        elif kind == "RecipientRemove":
            events.extend(RawEvent(when, who, "left") if who == author
                          else RawEvent(when, who, "removed", author) for who in mentioned)
    return build("discord", source, DM_LIMITS if direct else SERVER_LIMITS, messages, events,
                 pseudonyms)


def _author(name: str, ids: dict[str, str]) -> dict[str, Any]:
    return {"id": ids[name], "name": name, "discriminator": "0000", "nickname": name,
            "color": None, "isBot": False, "roles": [], "avatarUrl": ""}


def render(log: ChatLog, names: dict[str, str] | None = None) -> str:
    """The JSON text of ``log`` as a DiscordChatExporter server-channel export."""
    name_of = display(names)
    ids = {name_of(m): str(100_000_000_000_000_000 + i) for i, m in enumerate(log.members())}
    rows: list[tuple] = []
    for row in log.messages.itertuples(index=False):
        feats = Features(row.length, row.has_link, row.is_question, row.off_topic,
                         row.is_media)
        name = name_of(row.member)
        reply = pd.notna(row.reply_to)
        body: dict[str, Any] = {
            "type": "Reply" if reply else "Default", "content": text_for(feats, row.message_id),
            "author": _author(name, ids), "attachments": [], "embeds": [], "stickers": [],
            "reactions": [], "mentions": []}
        if row.is_media and row.off_topic:
            body["stickers"] = [{"id": "1", "name": "wave", "format": "Png",
                                 "sourceUrl": "https://example.com/sticker.png"}]
        elif row.is_media:
            body["attachments"] = [{"id": "2", "url": "https://example.com/photo.jpg",
                                    "fileName": "photo.jpg", "fileSizeBytes": 120000}]
        rows.append((row.time, 1, row.message_id, body,
                     int(row.reply_to) if reply else None))
    for row in log.events.itertuples(index=False):
        if row.kind == "joined_link":
            name = name_of(row.member)
            rows.append((row.time, 0, -1, {"type": "GuildMemberJoin",
                                           "content": "Joined the server.",
                                           "author": _author(name, ids), "attachments": [],
                                           "embeds": [], "stickers": [], "reactions": [],
                                           "mentions": []}, None))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    snowflake = {r[2]: str(1_100_000_000_000_000_000 + i) for i, r in enumerate(rows)
                 if r[1]}
    out = []
    for index, (when, is_message, message_id, body, parent) in enumerate(rows):
        entry = {"id": snowflake[message_id] if is_message else str(1_000 + index),
                 "type": body.pop("type"),
                 "timestamp": pd.Timestamp(when).tz_localize("UTC").isoformat(
                     timespec="milliseconds"),
                 "timestampEdited": None, "isPinned": False, **body}
        if parent is not None:
            entry["reference"] = {"messageId": snowflake[parent], "channelId": "2",
                                  "guildId": "1"}
        out.append(entry)
    data = {"guild": {"id": "1", "name": "Our server", "iconUrl": ""},
            "channel": {"id": "2", "type": "GuildTextChat", "categoryId": "3",
                        "category": "Text Channels", "name": "general", "topic": None},
            "dateRange": {"after": None, "before": None},
            "messages": out, "messageCount": len(out)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write(log: ChatLog, path: Path, names: dict[str, str] | None = None) -> None:
    """Write ``log`` as a DiscordChatExporter export of a server channel (joins only)."""
    write_text(path, render(log, names))


FORMAT = ChatFormat(
    key="discord", title=TITLE, limits=SERVER_LIMITS, precision="ms",
    how_to_export="DiscordChatExporter: export the channel with format 'JSON'",
    parse=parse, write=write)
