"""Telegram Desktop's chat export, ``result.json`` (Export chat history > JSON).

Messages (``"type": "message"``) carry ``from``, ``date`` (local clock) and
``date_unixtime`` (UTC; preferred), ``reply_to_message_id``, and ``text``: a string,
or a list of strings and entities (``{"type": "link", "text": ...}``). Service entries
(``"type": "service"``) carry ``actor`` and ``action``: ``create_group``,
``invite_members`` (with ``members``), ``join_group_by_link``, ``join_group_by_request``,
``remove_members`` (a member removing themself has left).

Members are told apart by their display names, as the service entries name them.
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
from sim.chats.synth import LINK, text_for
from sim.chats.text import Features

TITLE = "Telegram JSON"
KEYS = ("name", "type", "id", "messages")
WHAT = 'a Telegram result.json: {"name", "type", "id", "messages": [...]}'
_LINKS = frozenset({"link", "text_link", "url"})
_MEDIA = {"sticker": "sticker", "animation": "sticker", "video_file": "video",
          "video_message": "video", "voice_message": "audio", "audio_file": "audio"}
_NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
UNKNOWN = "Deleted Account"


def looks_like(data: Any) -> bool:
    """Whether JSON ``data`` is a Telegram single-chat export."""
    return (isinstance(data, dict) and "messages" in data
            and sum(key in data for key in KEYS) >= 3 and "guild" not in data)


def _text(value: Any) -> tuple[str, bool]:
    """The plain text of a ``text`` field, and whether it has a link entity."""
    if isinstance(value, str):
        return value, False
    if not isinstance(value, list):
        return "", False
    parts, link = [], False
    for piece in value:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            parts.append(str(piece.get("text", "")))
            link = link or piece.get("type") in _LINKS
    return "".join(parts), link


def _media(message: dict) -> str | None:
    kind = message.get("media_type")
    if kind in _MEDIA:
        return _MEDIA[kind]
    if "photo" in message:
        return "image"
    if "file" in message or kind:
        return "file"
    return None


def _time(message: dict) -> datetime:
    """UTC from ``date_unixtime``, else the local clock of ``date`` (ValueError if bad)."""
    stamp = message.get("date_unixtime")
    if stamp is not None:
        return datetime.fromtimestamp(int(stamp), UTC).replace(tzinfo=None)
    when = datetime.fromisoformat(str(message["date"]))
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def parse(text: str, source: str, pseudonyms: Pseudonyms) -> ChatLog:
    """Read a Telegram ``result.json`` (see the module docstring)."""
    data = load(text, source, WHAT)
    if isinstance(data, dict) and "chats" in data and "messages" not in data:
        raise problem(source, None, "this is a full Telegram account export; export the "
                      "one group instead (the group's ⋮ menu > Export chat history, JSON)")
    if not looks_like(data):
        raise problem(source, 1, f"expected {WHAT}")
    entries = data["messages"]
    if not isinstance(entries, list):
        raise problem(source, line_of(text, data.get("id")), "expected a list of messages",
                      "messages")
    start = text.find('"messages"')
    messages: list[RawMessage] = []
    events: list[RawEvent] = []
    for index, entry in enumerate(entries):
        where = f"messages[{index}]"
        if not isinstance(entry, dict):
            raise problem(source, None, "expected a message (a JSON object)", where)
        try:
            when = _time(entry)
        except (KeyError, ValueError, TypeError, OverflowError):
            raise problem(source, line_of(text, entry.get("id"), start),
                          "expected a date: 'date_unixtime' (seconds) or 'date' "
                          "(ISO 8601, such as 2023-12-31T21:05:13)", f"{where}.date") from None
        if entry.get("type") == "service":
            events.extend(_events(entry, when))
        elif entry.get("type", "message") == "message":
            said, link = _text(entry.get("text", ""))
            messages.append(RawMessage(
                when, entry.get("from") or UNKNOWN, said, media=_media(entry), link=link,
                key=entry.get("id"), reply_key=entry.get("reply_to_message_id")))
    return build("telegram", source, LIMITS, messages, events, pseudonyms)


def _events(entry: dict, when: datetime) -> list[RawEvent]:
    action = entry.get("action")
    actor = entry.get("actor") or UNKNOWN
    members = [m for m in entry.get("members") or [] if isinstance(m, str) and m]
    if action == "create_group":
        return [RawEvent(when, actor, "created"),
                *(RawEvent(when, m, "added", actor) for m in members if m != actor)]
    if action == "invite_members":
        return [RawEvent(when, m, "joined_link") if m == actor
                else RawEvent(when, m, "added", actor) for m in members]
    if action in ("join_group_by_link", "join_group_by_request"):
        return [RawEvent(when, actor, "joined_link")]
    if action == "remove_members":
        return [RawEvent(when, m, "left") if m == actor
                else RawEvent(when, m, "removed", actor) for m in members]
    return []


def _message(row, feats: Features, name: str, ids: dict[str, int]) -> dict[str, Any]:
    said = text_for(feats, row.message_id)
    out: dict[str, Any] = {"from": name, "from_id": f"user{ids[name]}"}
    if feats.is_media and feats.off_topic:
        out.update(file=_NOT_INCLUDED, media_type="sticker", sticker_emoji="😂",
                   width=512, height=512)
    elif feats.is_media:
        out.update(photo=_NOT_INCLUDED, width=1280, height=960)
    if feats.has_link and said.startswith(LINK):
        url, _, tail = said.partition(" ")
        out["text"] = [{"type": "link", "text": url}] + ([" " + tail] if tail else [])
        out["text_entities"] = [{"type": "link", "text": url}] + (
            [{"type": "plain", "text": " " + tail}] if tail else [])
    else:
        out["text"] = said
        out["text_entities"] = [{"type": "plain", "text": said}] if said else []
    return out


def _service(kind: str, who: str, by: str | None, ids: dict[str, int]) -> dict[str, Any]:
    if kind == "created":
        return {"actor": who, "actor_id": f"user{ids[who]}", "action": "create_group",
                "title": "Our group", "members": []}
    if kind == "joined_link":
        return {"actor": who, "actor_id": f"user{ids[who]}", "action": "join_group_by_link",
                "inviter": "Our group"}
    actor = who if kind == "left" else (by or who)
    action = "invite_members" if kind == "added" else "remove_members"
    return {"actor": actor, "actor_id": f"user{ids[actor]}", "action": action,
            "members": [who]}


def render(log: ChatLog, names: dict[str, str] | None = None) -> str:
    """The ``result.json`` text of ``log``."""
    name_of = display(names)
    people = [name_of(m) for m in log.members()]
    ids = {name: 1_000_000 + i for i, name in enumerate(people)}
    rows: list[tuple] = []
    for row in log.messages.itertuples(index=False):
        feats = Features(row.length, row.has_link, row.is_question, row.off_topic,
                         row.is_media)
        rows.append((row.time, 1, row.message_id,
                     _message(row, feats, name_of(row.member), ids), row.reply_to))
    for row in log.events.itertuples(index=False):
        by = name_of(row.by) if pd.notna(row.by) else None
        rows.append((row.time, 0, -1, _service(row.kind, name_of(row.member), by, ids),
                     None))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    telegram_id = {r[2]: i + 1 for i, r in enumerate(rows) if r[1]}
    out = []
    for number, (when, is_message, _, body, parent) in enumerate(rows, start=1):
        entry: dict[str, Any] = {"id": number, "type": "message" if is_message else "service",
                                 "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                                 "date_unixtime": str(int(when.replace(tzinfo=UTC)
                                                          .timestamp()))}
        entry.update(body)
        if is_message and pd.notna(parent):
            entry["reply_to_message_id"] = telegram_id[int(parent)]
        out.append(entry)
    data = {"name": "Our group", "type": "private_supergroup", "id": 1000000001,
            "messages": out}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write(log: ChatLog, path: Path, names: dict[str, str] | None = None) -> None:
    """Write ``log`` as a Telegram Desktop ``result.json``."""
    write_text(path, render(log, names))


LIMITS: frozenset[str] = frozenset()
FORMAT = ChatFormat(
    key="telegram", title=TITLE, limits=LIMITS, precision="s",
    how_to_export="Telegram Desktop: open the group, ⋮ > Export chat history, format "
                  "'Machine-readable JSON', media unticked",
    parse=parse, write=write)
