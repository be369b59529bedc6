"""The one way a chat export that cannot be read is reported.

:class:`ChatFormatError` is shaped like :class:`sim.formats.scenario.ScenarioError` (a
list of problems, each with file, line, key and what was expected), so the command line
prints both the same way. It is a sibling, not a subclass: the chat layer imports no
scenario code (and with it the engine).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatProblem:
    """One thing wrong with a chat export: where (file, line, key) and what was expected."""

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


class ChatFormatError(Exception):
    """A chat export could not be read; ``problems`` says where and why (one line each)."""

    def __init__(self, problems: list[ChatProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def problem(source: str, line: int | None, message: str, path: str = "") -> ChatFormatError:
    """A :class:`ChatFormatError` with one problem."""
    return ChatFormatError([ChatProblem(source, line, path, message)])
