"""WhatsApp's "Export chat" text (Android and iOS layouts, any common date order).

Every message starts a line with its date and time; lines that do not are the rest of
the message above (a message over several lines). Android writes
``31/12/2023, 21:05 - Alice: text`` (12-hour clocks and other date orders too: ``12/31/23,
9:05 PM - ``, ``31.12.23, 21:05 - ``); iOS writes ``[31/12/2023, 21:05:13] Alice: text``,
system lines under the group's name with their text opening with U+200E.

The date order is read from the whole file: a first number above 12 makes it day first,
a second number above 12 month first; when no date settles it, dots (``31.12.23``) and
24-hour clocks mean day first and 12-hour clocks month first (the US habit). Times are
the exporting phone's clock, with no zone.

WhatsApp exports say nothing of which message answers which (``platform_limits``:
``replies``).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.chats.errors import problem
from sim.chats.files import display, write_text
from sim.chats.log import REPLIES, ChatFormat, ChatLog, RawEvent, RawMessage, build
from sim.chats.names import Pseudonyms
from sim.chats.synth import text_for
from sim.chats.text import Features, media_kind

TITLE = "WhatsApp text"
EXAMPLE = "31/12/2023, 21:05 - Name: text"
_MARKS = "\u200e\u200f\u202a\u202c"
_DATE = r"(?P<date>\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4})"
_TIME = (r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
         r"(?:[\s\u202f\u00a0]?(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?")
ANDROID = re.compile(rf"^[{_MARKS}]?{_DATE},?\s{_TIME}\s[-–]\s(?P<rest>.*)$")
IOS = re.compile(rf"^[{_MARKS}]?\[{_DATE},?\s{_TIME}\]\s(?P<rest>.*)$")

_WHO = r"(?P<who>[^:]+?)"
_BY = r"(?P<by>[^:]+?)"
_EVENTS = tuple((kind, re.compile(pattern)) for kind, pattern in (
    ("created", rf"^{_BY} created (?:group [\"“].*[\"”]|this group)$"),
    ("joined_link", rf"^{_WHO} joined using this (?:group|community)'s invite link$"),
    ("joined_link", rf"^{_WHO} joined from the community$"),
    ("left", rf"^{_WHO} left$"),
    ("added", rf"^{_BY} added (?P<whom>.+)$"),
    ("removed", rf"^{_BY} removed (?P<whom>.+)$"),
    ("created", rf"^{_BY} hat die Gruppe „.*“ erstellt\.?$"),
    ("joined_link", rf"^{_WHO} ist über den Einladungslink (?:dieser Gruppe )?beigetreten\.?$"),
    ("left", rf"^{_WHO} hat die Gruppe verlassen\.?$"),
    ("added", rf"^{_BY} hat (?P<whom>.+) hinzugefügt\.?$"),
    ("removed", rf"^{_BY} hat (?P<whom>.+) entfernt\.?$"),
))
_IGNORED = re.compile(
    r"^(?:Messages and calls are end-to-end encrypted|Messages to this group are now secured"
    r"|Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt|You're now an admin"
    r"|[^:]+? (?:changed (?:the subject|this group's|the group|their phone number|to)"
    r"|deleted this group's|is now an admin|pinned a message|turned (?:on|off)"
    r"|reset this group's|changed the settings|hat den Betreff|hat das Gruppenbild"
    r"|hat die Gruppenbeschreibung))")
_ATTACHED = re.compile(r"^<attached: (?P<file>[^>]+)>$|^(?P<file2>\S+\.\w+) \(file attached\)$")
_LIST = re.compile(r",\s*|\s+(?:and|und)\s+")


def header(line: str) -> re.Match[str] | None:
    """The date, time and rest of a line that starts a message (either layout), or None."""
    return IOS.match(line) or ANDROID.match(line)


def _order(dates: list[tuple[int, str]], twelve_hour: bool) -> str:
    """``"ymd"``, ``"dmy"`` or ``"mdy"``: how this file writes its dates."""
    parts = [re.split(r"[./\-]", date) for _, date in dates]
    if parts and len(parts[0][0]) == 4:
        return "ymd"
    if any(int(p[0]) > 12 for p in parts):
        return "dmy"
    if any(int(p[1]) > 12 for p in parts):
        return "mdy"
    if parts and "." in dates[0][1]:
        return "dmy"
    return "mdy" if twelve_hour else "dmy"


_ORDER_WORDS = {"ymd": "year/month/day", "dmy": "day/month/year", "mdy": "month/day/year"}


def _when(match: re.Match[str], order: str, source: str, line: int) -> datetime:
    date, clock, ampm = match.group("date"), match.group("time"), match.group("ampm")
    numbers = [int(p) for p in re.split(r"[./\-]", date)]
    year, month, day = {"ymd": numbers, "dmy": numbers[::-1],
                        "mdy": [numbers[2], numbers[0], numbers[1]]}[order]
    if year < 100:
        year += 2000
    pieces = [int(p) for p in re.split(r"[:.]", clock)]
    hour, minute, second = pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0
    if ampm:
        if hour < 1 or hour > 12:
            raise problem(source, line, f"time '{clock} {ampm}' is not a 12-hour clock time")
        pm = ampm.strip().lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise problem(source, line, f"date '{date}, {clock}' is not a valid date and time "
                      f"(this file's dates read as {_ORDER_WORDS[order]})") from None


def _names(text: str) -> list[str]:
    return [name for name in _LIST.split(text.strip().rstrip(".")) if name.strip()]


def _system(text: str, when: datetime) -> list[RawEvent] | None:
    """The events a system line announces ([] for one that is ignored), or None."""
    for kind, pattern in _EVENTS:
        found = pattern.match(text)
        if found is None:
            continue
        groups = found.groupdict()
        if kind in ("added", "removed"):
            return [RawEvent(when, who, kind, groups["by"]) for who in _names(groups["whom"])]
        if kind == "created":
            return [RawEvent(when, groups["by"], kind)]
        return [RawEvent(when, groups["who"], kind)]
    if _IGNORED.match(text):
        return []
    return None


def _media(first_line: str) -> str | None:
    kind = media_kind(first_line)
    if kind is not None:
        return kind
    attached = _ATTACHED.match(first_line.strip(_MARKS + " "))
    if attached is None:
        return None
    name = (attached.group("file") or attached.group("file2")).upper()
    for mark, kind in (("STICKER", "sticker"), ("STK-", "sticker"), (".WEBP", "sticker"),
                       ("PHOTO", "image"), ("IMG-", "image"), ("VIDEO", "video"),
                       ("VID-", "video"), ("AUDIO", "audio"), ("PTT-", "audio")):
        if mark in name:
            return kind
    return "file"


def _message(when: datetime, name: str, text: str) -> RawMessage:
    first, _, caption = text.partition("\n")
    kind = _media(first)
    if kind is not None:
        return RawMessage(when, name, caption, media=kind)
    return RawMessage(when, name, text)


def parse(text: str, source: str, pseudonyms: Pseudonyms) -> ChatLog:
    """Read a WhatsApp text export (see the module docstring)."""
    lines = text.split("\n")
    entries: list[tuple[int, re.Match[str], list[str]]] = []
    layout = header  # until the first header line shows which layout the file has
    for number, line in enumerate(lines, start=1):
        found = layout(line)
        if found is not None:
            if not entries:
                layout = found.re.match
            entries.append((number, found, [found.group("rest")]))
        elif entries:
            entries[-1][2].append(line)
        elif line.strip(_MARKS + " \t"):
            raise problem(source, number, f"expected a line starting with a date and time, "
                          f"such as '{EXAMPLE}'")
    if not entries:
        raise problem(source, None, "the chat export is empty")
    twelve = any(found.group("ampm") for _, found, _ in entries[:200])
    order = _order([(n, found.group("date")) for n, found, _ in entries], twelve)
    ios = entries[0][1].re is IOS
    messages: list[RawMessage] = []
    events: list[RawEvent] = []
    for number, found, body in entries:
        when = _when(found, order, source, number)
        rest = "\n".join(body).rstrip("\n")
        name, sep, said = rest.partition(": ")
        if ios and sep and said.startswith("\u200e"):
            said = said.lstrip(_MARKS)
            if _media(said.partition("\n")[0]) is not None:
                messages.append(_message(when, name, said))
                continue
            announced = _system(said, when)
            if announced is not None:
                events.extend(announced)
                continue
        announced = _system(rest.strip(_MARKS), when)
        if announced is not None:
            events.extend(announced)
        elif sep and name.strip(_MARKS):
            messages.append(_message(when, name, said))
    return build("whatsapp", source, LIMITS, messages, events, pseudonyms)


def _placeholder(features: Features, ios: bool) -> str:
    if not ios:
        return "<Media omitted>"
    return "\u200esticker omitted" if features.off_topic else "\u200eimage omitted"


def _event_text(kind: str, who: str, by: str | None) -> str:
    if kind == "created":
        return f'{who} created group "Our group"'
    if kind == "joined_link":
        return f"{who} joined using this group's invite link"
    if kind == "left":
        return f"{who} left"
    return f"{by or 'You'} {kind} {who}"


def render(log: ChatLog, names: dict[str, str] | None = None, ios: bool = True) -> str:
    """The text of ``log`` as WhatsApp exports it (iOS layout, or Android's)."""
    name_of = display(names)
    rows: list[tuple] = []
    for row in log.messages.itertuples(index=False):
        feats = Features(row.length, row.has_link, row.is_question, row.off_topic,
                         row.is_media)
        said = _placeholder(feats, ios) if row.is_media else text_for(feats, row.message_id)
        rows.append((row.time, 1, name_of(row.member), said))
    for row in log.events.itertuples(index=False):
        by = name_of(row.by) if pd.notna(row.by) else None
        rows.append((row.time, 0, None, _event_text(row.kind, name_of(row.member), by)))
    rows.sort(key=lambda r: (r[0], r[1]))
    out = []
    for when, is_message, name, said in rows:
        if ios:
            stamp = f"[{when:%d/%m/%Y, %H:%M:%S}]"
            mark = "\u200e" if not is_message or said.startswith("\u200e") else ""
            out.append(f"{mark}{stamp} {name}: {said}" if is_message
                       else f"{mark}{stamp} Our group: \u200e{said}")
        else:
            stamp = f"{when:%d/%m/%Y, %H:%M} -"
            out.append(f"{stamp} {name}: {said}" if is_message else f"{stamp} {said}")
    return "\n".join(out) + "\n"


def write(log: ChatLog, path: Path, names: dict[str, str] | None = None) -> None:
    """Write ``log`` as an iOS WhatsApp export (seconds, and stickers told from photos)."""
    write_text(path, render(log, names, ios=True))


def write_android(log: ChatLog, path: Path, names: dict[str, str] | None = None) -> None:
    """Write ``log`` as an Android WhatsApp export (minutes; all media "<Media omitted>")."""
    write_text(path, render(log, names, ios=False))


LIMITS = frozenset({REPLIES})
FORMAT = ChatFormat(
    key="whatsapp", title=TITLE, limits=LIMITS, precision="s",
    how_to_export="WhatsApp: open the group, ⋮ (Android) or the group's name (iOS) > "
                  "More > Export chat > Without media",
    parse=parse, write=write)
