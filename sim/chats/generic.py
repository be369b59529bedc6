"""commsim's own CSV, for any platform: one row per message or membership event.

The specification, for people converting another app's export in a spreadsheet, is in
``docs/chat-exports.md`` ("Generic CSV"). In short: columns ``time,sender,text``, and
optionally ``reply_to``, ``event`` and ``id``, in any order; ``time`` in ISO 8601 (an
offset, if given, is converted to UTC); ``reply_to`` the ``id`` of the message answered
when there is an ``id`` column, else its spreadsheet row number (the header is row 1);
``event`` one of ``joined``, ``added``, ``left``, ``removed``, ``created`` on a row
that is not a message, whose ``text`` then names who added (or removed) the member,
or who shared the link.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.chats import csvfile
from sim.chats.errors import problem
from sim.chats.files import display, write_text
from sim.chats.log import ChatFormat, ChatLog, RawEvent, RawMessage, build
from sim.chats.names import Pseudonyms
from sim.chats.synth import text_for
from sim.chats.text import Features, media_kind

TITLE = "generic CSV"
REQUIRED = ("time", "sender", "text")
OPTIONAL = ("reply_to", "event", "id")
EVENTS = {"joined": "joined_link", "added": "added", "left": "left", "removed": "removed",
          "created": "created"}
HEADER_HINT = "time,sender,text[,reply_to][,event][,id]"


def looks_like(columns: list[str]) -> bool:
    """Whether a CSV header is a generic chat CSV's (it has time, sender and text)."""
    return set(REQUIRED) <= {c.lower() for c in columns}


def _time(value: str) -> datetime:
    when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def parse(text: str, source: str, pseudonyms: Pseudonyms) -> ChatLog:
    """Read a generic chat CSV (see the module docstring)."""
    columns = [c.lower() for c in csvfile.header(text)]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise problem(source, 1, f"missing column{'s' * (len(missing) > 1)} "
                      f"{', '.join(missing)}; the header must be {HEADER_HINT}")
    has_ids = "id" in columns
    messages: list[RawMessage] = []
    events: list[RawEvent] = []
    for line, number, raw in csvfile.rows(text):
        row = {k.strip().lower(): (v or "") for k, v in raw.items() if k is not None}
        try:
            when = _time(row["time"])
        except ValueError:
            raise problem(source, line, f"expected a time in ISO 8601, such as "
                          f"2024-03-01 09:15:30, got '{row['time'][:30]}'", "time") from None
        sender = row["sender"].strip()
        if not sender:
            raise problem(source, line, "expected who sent the message or whom the event is "
                          "about", "sender")
        event = row.get("event", "").strip().lower()
        said = row["text"]
        if event:
            if event not in EVENTS:
                raise problem(source, line, f"unknown event '{event[:20]}'; expected one of "
                              f"{', '.join(EVENTS)}, or nothing for a message", "event")
            by = said.strip() if event in ("joined", "added", "removed") else ""
            events.append(RawEvent(when, sender, EVENTS[event], by or None))
            continue
        key = row["id"].strip() if has_ids else str(number)
        reply = row.get("reply_to", "").strip() or None
        if reply is not None and not has_ids:
            reply = reply.removesuffix(".0")
        first, _, caption = said.partition("\n")
        kind = media_kind(first)
        if kind is not None:
            said = caption
        messages.append(RawMessage(when, sender, said, media=kind, key=key or None,
                                   reply_key=reply))
    return build("csv", source, LIMITS, messages, events, pseudonyms)


_PLACEHOLDER = {True: "[表情]", False: "[图片]"}
_EVENT_WORD = {kind: word for word, kind in EVENTS.items()}


def render(log: ChatLog, names: dict[str, str] | None = None) -> str:
    """The generic CSV text of ``log`` (row numbers for replies, no ``id`` column)."""
    name_of = display(names)
    rows: list[tuple] = []
    for row in log.messages.itertuples(index=False):
        feats = Features(row.length, row.has_link, row.is_question, row.off_topic,
                         row.is_media)
        said = _PLACEHOLDER[bool(row.off_topic)] if row.is_media else text_for(
            feats, row.message_id)
        parent = int(row.reply_to) if pd.notna(row.reply_to) else None
        rows.append((row.time, 1, row.message_id, name_of(row.member), said, parent, ""))
    for row in log.events.itertuples(index=False):
        by = name_of(row.by) if pd.notna(row.by) else ""
        rows.append((row.time, 0, -1, name_of(row.member), by, None,
                     _EVENT_WORD[row.kind]))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    row_of = {r[2]: number for number, r in enumerate(rows, start=2) if r[1]}
    records = [[when.isoformat(sep=" "), sender, said,
                "" if parent is None else row_of[parent], event]
               for when, _, _, sender, said, parent, event in rows]
    return csvfile.write(["time", "sender", "text", "reply_to", "event"], records)


def write(log: ChatLog, path: Path, names: dict[str, str] | None = None) -> None:
    """Write ``log`` as a generic chat CSV."""
    write_text(path, render(log, names))


LIMITS: frozenset[str] = frozenset()
FORMAT = ChatFormat(
    key="csv", title=TITLE, limits=LIMITS, precision="us",
    how_to_export="any app: put its messages and events in a spreadsheet with the columns "
                  f"{HEADER_HINT} and save it as CSV (UTF-8)",
    parse=parse, write=write)
