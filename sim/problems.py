"""How input that cannot be used is reported: every problem, one line each.

A scenario or experiment file (:class:`sim.formats.scenario.ScenarioError`) and a chat
export (:class:`sim.chats.errors.ChatFormatError`) are reported the same way: a list of
:class:`Problem`, each naming the file, the line, the key and what was expected (with
the nearest valid name when there is one), printed by the command line one per line.
This module imports nothing of commsim, so the chat readers can use it without
loading the scenario code and, with it, the engine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where (file, line, key) and what was expected."""

    source: str
    line: int | None
    path: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        key = f" {self.path}:" if self.path else ""
        hint = f" (did you mean '{self.suggestion}'?)" if self.suggestion else ""
        return f"{where}:{key} {self.message}{hint}"


class ProblemsError(Exception):
    """Input that cannot be used; ``problems`` lists everything wrong (one line each)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
