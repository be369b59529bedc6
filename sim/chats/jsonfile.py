"""Loading JSON exports with errors that name the line, and finding a record's line."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from sim.chats.errors import problem


def load(text: str, source: str, what: str) -> Any:
    """The data of a JSON text; a clear error with line and column when it is broken.

    ``what`` names the export expected ("a Telegram result.json", ...). The last text
    loaded is kept, so detecting a format and reading it parse a large export once
    (the data is only read, never changed).
    """
    try:
        return _loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip())
        reason = "the file ends in the middle of the JSON (cut short?)" if cut else (
            f"broken JSON at column {exc.colno}: {exc.msg.lower()}")
        raise problem(source, exc.lineno, f"{reason}; expected {what}") from None


@lru_cache(maxsize=1)
def _loads(text: str) -> Any:
    return json.loads(text)


def line_of(text: str, record_id: Any, start: int = 0) -> int | None:
    """The line of the first ``"id": <record_id>`` after ``start`` in a JSON text."""
    if record_id is None:
        return None
    value = json.dumps(record_id)
    found = re.compile(r'"id":\s*' + re.escape(value) + r"\s*[,}\n]").search(text, start)
    return text.count("\n", 0, found.start()) + 1 if found else None
