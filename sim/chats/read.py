"""Which format an export is (from its content, never its name), reading and writing.

Detection looks at the text: JSON with ``messages`` and Telegram's keys or
DiscordChatExporter's; a CSV header with WeChatMsg's columns or the generic
``time,sender,text``; a first line starting with a WhatsApp date and time. A file that is
none of these is refused naming every format tried and, for the nearest, the line that
does not fit.
"""

from __future__ import annotations

from pathlib import Path

from sim.chats import csvfile, discord, generic, jsonfile, telegram, wechat, whatsapp
from sim.chats.errors import problem
from sim.chats.files import read_text
from sim.chats.log import ChatFormat, ChatLog
from sim.chats.names import Pseudonyms

FORMATS: dict[str, ChatFormat] = {f.key: f for f in (
    whatsapp.FORMAT, telegram.FORMAT, wechat.FORMAT, discord.FORMAT, generic.FORMAT)}
"""Every format commsim reads and writes, by key."""
LAYOUTS = {"whatsapp-android": whatsapp.write_android}
"""Other layouts a format can be written in (WhatsApp's Android text; ``whatsapp`` is
iOS's)."""
TRIED = ", ".join(f.title for f in FORMATS.values())
JSON_KEYS = ("Telegram's keys (name, type, id, messages) or DiscordChatExporter's "
             "(guild, channel, messages)")


def _refuse(source: str, line: int | None, closest: str, why: str):
    return problem(source, line, f"not a chat export commsim can read (tried {TRIED}); "
                   f"closest is {closest}: {why}")


def detect(text: str, source: str) -> str:
    """The key of the format of an export's ``text`` (a :class:`ChatFormatError` if none)."""
    lines = text.split("\n")
    first_number, first = next(((n, line) for n, line in enumerate(lines, start=1)
                                if line.strip(" \t\ufeff\u200e")), (1, ""))
    if whatsapp.header(first):  # before JSON: an iOS line starts with "[" too
        return whatsapp.FORMAT.key
    if first.lstrip("\ufeff \t").startswith(("{", "[")):
        data = jsonfile.load(text, source, f"JSON with {JSON_KEYS}")
        if discord.looks_like(data):
            return discord.FORMAT.key
        if telegram.looks_like(data) or (isinstance(data, dict) and "chats" in data):
            return telegram.FORMAT.key
        keys = ", ".join(list(data)[:6]) if isinstance(data, dict) else "a list"
        raise _refuse(source, first_number, f"{telegram.TITLE} or {discord.TITLE}",
                      f"expected a JSON object with {JSON_KEYS}; this one has {keys}")
    columns = csvfile.header(first)
    if wechat.looks_like(columns):
        return wechat.FORMAT.key
    if generic.looks_like(columns):
        return generic.FORMAT.key
    if len(columns) >= 2 and all(0 < len(c) <= 30 for c in columns):  # a header, of sorts
        shown = ", ".join(c[:20] for c in columns[:6]) + (", ..." if len(columns) > 6 else "")
        raise _refuse(source, first_number, generic.TITLE,
                      f"the header must be {generic.HEADER_HINT} (this one is: {shown})")
    raise _refuse(source, first_number, whatsapp.TITLE,
                  f"a line should start with a date and time, such as '{whatsapp.EXAMPLE}'")


def read_chat(path: str | Path, salt: bytes | None = None) -> ChatLog:
    """Read a chat export into a private :class:`ChatLog`, whatever its format.

    Parameters
    ----------
    path
        The export: WhatsApp text, Telegram ``result.json``, WeChatMsg / MemoTrace CSV,
        DiscordChatExporter JSON or the generic CSV (its name and extension do not
        matter).
    salt
        Key of the members' pseudonyms; ``None`` (the default) draws a random one, so
        the pseudonyms cannot be linked to names or to another reading.

    Raises
    ------
    ChatFormatError
        The file is empty, of no known format, or broken inside its format (with file,
        line and what was expected).
    """
    path = Path(path)
    text = read_text(path)
    key = detect(text, str(path))
    return FORMATS[key].parse(text, str(path), Pseudonyms(salt))


def write_chat(log: ChatLog, fmt: str, path: str | Path,
               names: dict[str, str] | None = None) -> Path:
    """Write ``log`` as an export in format ``fmt``, atomically.

    ``fmt`` is a key of :data:`FORMATS` or :data:`LAYOUTS`.
    Display names are ``names[pseudonym]`` where given, else the pseudonyms; texts are
    made up to have each message's features (:mod:`sim.chats.synth`). Events the format
    cannot show are left out.
    """
    writers = {key: f.write for key, f in FORMATS.items()} | LAYOUTS
    if fmt not in writers:
        raise ValueError(f"unknown chat format '{fmt}'; expected one of "
                         f"{', '.join(writers)}")
    path = Path(path)
    writers[fmt](log, path, names)
    return path
