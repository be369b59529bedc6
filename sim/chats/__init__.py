"""Chat exports read into one private table, and written back out.

``read_chat(path)`` reads a WhatsApp, Telegram, WeChat (WeChatMsg / MemoTrace), Discord
(DiscordChatExporter) or generic CSV export into a :class:`ChatLog`: messages reduced to
a few features, membership events, members as salted pseudonyms, no text.
``write_chat(log, fmt, path)`` writes a log in any of those formats with made-up text.
See ``docs/chat-exports.md``.
"""

from sim.chats.errors import ChatFormatError, ChatProblem
from sim.chats.log import EVENT_KINDS, REPLIES, ChatLog
from sim.chats.names import pseudonym
from sim.chats.read import FORMATS, read_chat, write_chat

__all__ = ["EVENT_KINDS", "FORMATS", "REPLIES", "ChatFormatError", "ChatLog", "ChatProblem",
           "pseudonym", "read_chat", "write_chat"]
