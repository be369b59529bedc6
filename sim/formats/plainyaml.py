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

Python tags (``!!python/object``) are refused as always by PyYAML's safe loader.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 1_000_000
"""Largest YAML text commsim parses (a scenario file is a few kilobytes)."""


class RefusedYAML(yaml.MarkedYAMLError):
    """A YAML text commsim will not read: an anchor, an alias, or too many bytes.

    A :class:`yaml.YAMLError` with ``problem`` and ``problem_mark``, so every loader
    that already reports YAML errors with their line reports these the same way.
    """

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class PlainLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors and aliases where it meets them."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        """The next node, unless it is an alias or carries an anchor (then refuse)."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise RefusedYAML(f"aliases (*{event.anchor}) are not allowed in commsim files; "
                              "write the values out", event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise RefusedYAML(f"anchors (&{anchor}) are not allowed in commsim files; "
                              "write the values out", event.start_mark)
        return super().compose_node(parent, index)


def _bounded(text: str) -> str:
    size = len(text.encode("utf-8", errors="replace")) if len(text) * 4 > MAX_BYTES else 0
    if size > MAX_BYTES:
        raise RefusedYAML(f"the file is {size:,} bytes; commsim reads YAML files of at most "
                          f"{MAX_BYTES:,} bytes")
    return text


def load(text: str) -> Any:
    """The Python data of a YAML text (safe types only; no anchors, aliases or huge texts)."""
    return yaml.load(_bounded(text), Loader=PlainLoader)  # noqa: S506 - a SafeLoader


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text, with each node's line (same refusals as :func:`load`)."""
    return yaml.compose(_bounded(text), Loader=PlainLoader)
