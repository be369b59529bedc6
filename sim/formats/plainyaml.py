"""The one way commsim reads YAML: safe, plain, and bounded.

Every YAML file commsim reads -- scenario and experiment files, a run's saved scenario,
a sweep's marker, dashboard uploads -- goes through here. Two things a hostile or
careless file could do to the machine are refused before any work is done:

- **Anchors and aliases** (``&name`` / ``*name``). They let a few hundred bytes stand for
  billions of nodes (the "billion laughs": each level of aliases multiplies the
  document), and every walk over the document (key lines, unknown keys) would follow
  them. commsim's files never need them, so the composer refuses the first one it meets,
  naming its line.
- **Size.** A scenario is a few kilobytes; text over :data:`MAX_BYTES` is refused before
  it is parsed.

Parsing uses libyaml when PyYAML was built with it: a check of the largest allowed file
then takes a fraction of a second.

Python tags (``!!python/object``) are refused as always by PyYAML's safe loader.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

MAX_BYTES = 100_000
"""Largest YAML text commsim parses (a scenario file is a few kilobytes; this leaves room
for long comments, and keeps a check of the largest allowed file under a second)."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (several times faster), else PyYAML's own."""


class RefusedYAML(yaml.MarkedYAMLError):
    """A YAML text commsim will not read: an anchor, an alias, or too many bytes.

    A :class:`yaml.YAMLError` with ``problem`` and ``problem_mark``, so every loader
    that already reports YAML errors with their line reports these the same way.
    """

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _plain(text: str) -> str:
    """``text`` if it is small enough and has no anchor or alias; else :class:`RefusedYAML`.

    The check walks the parser's events, which are as many as the text's tokens: an alias
    is one event, however much it would stand for.
    """
    size = len(text.encode("utf-8", errors="replace")) if len(text) * 4 > MAX_BYTES else 0
    if size > MAX_BYTES:
        raise RefusedYAML(f"the file is {size:,} bytes; commsim reads YAML files of at most "
                          f"{MAX_BYTES:,} bytes")
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise RefusedYAML(f"aliases (*{event.anchor}) are not allowed in commsim files; "
                              "write the values out", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise RefusedYAML(f"anchors (&{anchor}) are not allowed in commsim files; "
                              "write the values out", event.start_mark)
    return text


def load(text: str) -> Any:
    """The Python data of a YAML text (safe types only; no anchors, aliases or huge texts)."""
    node = compose(text)
    if node is None:
        return None
    return yaml.SafeLoader("").construct_document(node)


@lru_cache(maxsize=8)
def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text, with each node's line (same refusals as :func:`load`).

    Kept for the last few texts: a loader reads a file's data, its keys' lines and its
    unknown keys from one tree instead of parsing the text three times. The tree is
    read, never changed.
    """
    return yaml.compose(_plain(text), Loader=_LOADER)
