"""The one way a chat export that cannot be read is reported.

:class:`ChatFormatError` is reported like a scenario file's errors (both are
:class:`sim.problems.ProblemsError`: a list of problems, each with file, line, key and
what was expected), so the command line prints both the same way. It is a sibling of
:class:`sim.formats.scenario.ScenarioError`, not a subclass: the chat layer imports no
scenario code (and with it the engine).
"""

from __future__ import annotations

from sim.problems import Problem, ProblemsError

ChatProblem = Problem
"""One thing wrong with a chat export (the same record as a scenario file's problem)."""


class ChatFormatError(ProblemsError):
    """A chat export could not be read; ``problems`` says where and why (one line each)."""


def problem(source: str, line: int | None, message: str, path: str = "") -> ChatFormatError:
    """A :class:`ChatFormatError` with one problem."""
    return ChatFormatError([ChatProblem(source, line, path, message)])
