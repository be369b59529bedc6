"""The common table every chat export is read into: :class:`ChatLog`.

A parser collects what it reads as :class:`RawMessage` and :class:`RawEvent` records
(names and text still in them) and hands them to :func:`build`, which puts them in time
order, numbers the messages, links replies, reduces text to features and names to
pseudonyms. Only the result leaves the parser: no name, phone number or text is in it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.chats.names import Pseudonyms
from sim.chats.text import features

EVENT_KINDS = ("joined_link", "added", "left", "removed", "created")
"""What the events table can say happened to a member (``joined_link``: came in through
an invite link or QR code; ``added``: put in by another member)."""
REPLIES = "replies"
"""In :attr:`ChatLog.platform_limits`: the format does not say which message a message
answers."""
MESSAGE_COLUMNS = ("time", "member", "message_id", "reply_to", "length", "has_link",
                   "is_question", "off_topic", "is_media")
EVENT_COLUMNS = ("time", "member", "kind", "by")


@dataclass(frozen=True)
class ChatLog:
    """One group's chat export, reduced to what commsim uses and pseudonymised.

    Attributes
    ----------
    messages
        One row per message in time order: ``time`` (UTC where the export gives a zone,
        else the exporting device's clock; no zone attached), ``member`` (pseudonym),
        ``message_id`` (0..n-1 in time order), ``reply_to`` (nullable Int64: the
        ``message_id`` answered, when the export says), ``length`` (characters of the
        text), ``has_link``, ``is_question``, ``off_topic``, ``is_media`` (booleans, by
        :mod:`sim.chats.text`). No text.
    events
        One row per membership event in time order: ``time``, ``member``, ``kind`` (one
        of :data:`EVENT_KINDS`), ``by`` (pseudonym of who added or removed the member, or
        who shared the link; missing when the export does not say).
    format
        Key of the format read (``whatsapp``, ``telegram``, ``wechat``, ``discord``,
        ``csv``).
    source
        The export's file name (no folder).
    platform_limits
        What the format cannot show: event kinds, and :data:`REPLIES` when it has no
        reply structure. Statistics built on these are unusable for this log.
    """

    messages: pd.DataFrame
    events: pd.DataFrame
    format: str
    source: str
    platform_limits: frozenset[str] = field(default_factory=frozenset)

    def members(self) -> list[str]:
        """Every pseudonym seen: senders, members of events, and who added or removed."""
        seen = set(self.messages["member"]) | set(self.events["member"])
        seen |= set(self.events["by"].dropna())
        return sorted(seen)

    @property
    def days(self) -> int:
        """Calendar days from the first message or event to the last, both included."""
        times = pd.concat([self.messages["time"], self.events["time"]])
        if times.empty:
            return 0
        return int((times.max().normalize() - times.min().normalize()).days) + 1

    def describe(self) -> dict[str, int]:
        """Counts to print: members, days, messages, joins, leaves, replies."""
        kinds = self.events["kind"]
        return {
            "members": len(self.members()),
            "days": self.days,
            "messages": len(self.messages),
            "joins": int(kinds.isin(["joined_link", "added"]).sum()),
            "leaves": int(kinds.isin(["left", "removed"]).sum()),
            "replies": int(self.messages["reply_to"].notna().sum()),
        }


@dataclass
class RawMessage:
    """A message as a parser reads it (names and text still in it; never leaves it).

    ``key`` is the export's own id of the message (for replies pointing at it);
    ``reply_key`` the id it answers; ``reply_name`` the sender it quotes when the
    export gives no id (WeChat): the latest earlier message of that sender is taken.
    """

    time: datetime
    name: str
    text: str
    media: str | None = None
    link: bool = False
    key: Hashable | None = None
    reply_key: Hashable | None = None
    reply_name: str | None = None


@dataclass
class RawEvent:
    """A membership event as a parser reads it (names still in it)."""

    time: datetime
    name: str
    kind: str
    by: str | None = None


def build(fmt: str, source: str | Path, limits: Iterable[str],
          messages: list[RawMessage], events: list[RawEvent],
          pseudonyms: Pseudonyms) -> ChatLog:
    """The :class:`ChatLog` of what a parser read: sorted, numbered, linked, private.

    Messages with equal times keep the export's order. A reply whose parent is not in
    the export (or comes later, which no export does) has no ``reply_to``.
    """
    order = sorted(range(len(messages)), key=lambda i: messages[i].time)
    ordered = [messages[i] for i in order]
    members = [pseudonyms(m.name) for m in ordered]
    by_key = {m.key: i for i, m in enumerate(ordered) if m.key is not None}
    last_by_member: dict[str, int] = {}
    reply_to: list[int | None] = []
    for i, message in enumerate(ordered):
        parent = None
        if message.reply_key is not None:
            parent = by_key.get(message.reply_key)
        elif message.reply_name is not None:
            parent = last_by_member.get(pseudonyms(message.reply_name))
        reply_to.append(parent if parent is not None and parent < i else None)
        last_by_member[members[i]] = i
    feats = [features(m.text, m.media, m.link) for m in ordered]
    table = pd.DataFrame(feats, columns=["length", "has_link", "is_question", "off_topic",
                                         "is_media"])
    table.insert(0, "time", pd.to_datetime(pd.Series([m.time for m in ordered],
                                                     dtype="object"), utc=False))
    table.insert(1, "member", pd.Series(members, dtype="object"))
    table.insert(2, "message_id", pd.Series(range(len(ordered)), dtype="int64"))
    table.insert(3, "reply_to", pd.array(reply_to, dtype="Int64"))
    table = _typed_messages(table)
    events = sorted(events, key=lambda e: e.time)
    event_table = pd.DataFrame({
        "time": pd.to_datetime(pd.Series([e.time for e in events], dtype="object")),
        "member": pd.Series([pseudonyms(e.name) for e in events], dtype="object"),
        "kind": pd.Series([e.kind for e in events], dtype="object"),
        "by": pd.Series([pseudonyms(e.by) if e.by else None for e in events],
                        dtype="object"),
    })
    return ChatLog(table, _typed_events(event_table), fmt, Path(source).name,
                   frozenset(limits))


def _typed_messages(table: pd.DataFrame) -> pd.DataFrame:
    table["time"] = table["time"].astype("datetime64[us]")
    for column in ("length", "message_id"):
        table[column] = table[column].astype("int64")
    for column in ("has_link", "is_question", "off_topic", "is_media"):
        table[column] = table[column].astype(bool)
    return table.reset_index(drop=True)


def _typed_events(table: pd.DataFrame) -> pd.DataFrame:
    table["time"] = table["time"].astype("datetime64[us]")
    return table.reset_index(drop=True)


@dataclass(frozen=True)
class ChatFormat:
    """One export format: its key and title, what it cannot show, how to read and write.

    ``parse(text, source, pseudonyms)`` returns a :class:`ChatLog`;
    ``write(log, path, names)`` writes one in the format's real layout. ``precision``
    is the pandas frequency its times are written to (``"min"``, ``"s"``, ``"ms"``).
    """

    key: str
    title: str
    limits: frozenset[str]
    precision: str
    how_to_export: str
    parse: Callable[[str, str, Pseudonyms], ChatLog]
    write: Callable[[ChatLog, Path, dict[str, str] | None], None]
