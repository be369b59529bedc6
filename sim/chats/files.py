"""Reading an export's bytes as text, and writing a file all at once.

The chat layer sits below the runners (``sim.running.output`` has the run folders'
atomic writes), so it keeps its own few lines of the same technique: write under a
temporary name in the same folder, then rename into place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sim.chats.errors import problem


def read_text(path: Path) -> str:
    """The export's text (UTF-8, a byte-order mark dropped; UTF-16 when it has its mark).

    Raises
    ------
    ChatFormatError
        The file cannot be read, is empty, or is not text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise problem(str(path), None, f"cannot read the chat export "
                      f"({(exc.strerror or type(exc).__name__).lower()})") from None
    if not data.strip():
        raise problem(str(path), None, "the chat export is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise problem(str(path), line, f"not UTF-8 text (byte {exc.start}); chat exports "
                      "are UTF-8 text, CSV or JSON") from None
    if not text.strip():
        raise problem(str(path), None, "the chat export is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(staged_path)``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".partial", delete=False)
    handle.close()
    staged = Path(handle.name)
    try:
        write(staged)
        os.chmod(staged, 0o644)
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 (newlines as given), atomically."""
    write_atomic(path, lambda staged: staged.write_bytes(text.encode("utf-8")))


def display(names: dict[str, str] | None) -> Callable[[str], str]:
    """The display name a writer gives a pseudonym: ``names[pseudonym]`` or the pseudonym."""
    given = names or {}
    return lambda member: given.get(member, member)
