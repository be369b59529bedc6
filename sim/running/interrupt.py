"""Ctrl-C on the ``commsim`` command, at any moment: one line, exit status 130.

The command spends its first second or so importing its libraries (the command line,
then the engine a command needs), before its own handling of Ctrl-C exists
(``sim.cli.main``, then each command); this module imports nothing heavy,
so it is ready from the first instant, and a user who stops the command then gets
the same line as later on instead of a traceback. A pool's fork server, which loads
the engine while the command goes on, is kept from Ctrl-C altogether
(:func:`held_back`): the command handles it and stops its workers.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

COMMAND = "commsim"
"""Name of the console command (``[project.scripts]`` in ``pyproject.toml``)."""
MESSAGE = "interrupted: nothing was written."
"""What the command says when it is stopped with Ctrl-C."""
EXIT_STATUS = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


_pressed = False
"""Whether Ctrl-C has come since the command started (:func:`note_and_raise`)."""


def note_and_raise(_signum, frame) -> None:
    """The command's Ctrl-C handler: note the Ctrl-C, then interrupt as Python would.

    The note outlives the ``KeyboardInterrupt``: one raised inside a library's own
    callback (numba's, while it looks up a kernel) can be swallowed there, and the
    command then still stops at its next :func:`stop_if_pressed`. Where Python could
    only print an exception and go on -- a callback of the import machinery's module
    locks, run while ``sim`` loads -- the Ctrl-C is noted and not raised: Python would
    print "Exception ignored" and a traceback, and the note stops the command anyway.
    """
    global _pressed
    _pressed = True
    if _in_a_callback(frame):
        return
    raise KeyboardInterrupt


def _in_a_callback(frame) -> bool:
    """Whether ``frame`` is where an exception would only be printed and ignored."""
    code = getattr(frame, "f_code", None)
    return code is not None and code.co_filename.startswith("<frozen importlib") and (
        code.co_name == "cb")


def pressed() -> bool:
    """Whether Ctrl-C has been pressed since the command started."""
    return _pressed


def stop_if_pressed(_done: object = None) -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C has been pressed (between two runs).

    Takes (and ignores) one argument, so that it can serve as a progress callback.
    """
    if _pressed:
        raise KeyboardInterrupt


def stop_quietly() -> None:
    """Say :data:`MESSAGE` on stderr and exit with :data:`EXIT_STATUS`."""
    sys.stderr.write(MESSAGE + "\n")
    raise SystemExit(EXIT_STATUS) from None


@contextmanager
def held_back() -> Iterator[None]:
    """Hold Ctrl-C back in this block and in the processes it starts.

    Here it waits until the block ends; a process started in the block ignores it
    until it calls :func:`accept`, and so do the processes that one forks.

    For starting a pool's fork server: while it loads, a Ctrl-C would print a
    traceback there.
    """
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def accept() -> None:
    """Let Ctrl-C through again (in a process started under :func:`held_back`)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def from_ctrl_c(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C or was raised while handling one.

    A Ctrl-C that lands inside a compiled kernel while numba loads it comes back as
    a ``SystemError`` whose context is the ``KeyboardInterrupt``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def in_the_command() -> bool:
    """Whether this process is the ``commsim`` command (not a library user's program)."""
    return Path(sys.argv[0]).name == COMMAND


def note_from_now_on() -> None:
    """Note every Ctrl-C from now on (:func:`note_and_raise`), unless Ctrl-C is ignored.

    The command calls it as early as it can: the first thing ``import sim`` does, a
    second or so before its entry point runs. A Ctrl-C in that second can land in a
    library's import, and a library that imports an optional module under a bare
    ``except:`` swallows the ``KeyboardInterrupt``; the note outlives it, and the
    command stops at its first :func:`stop_if_pressed` (a CI run of the test that
    presses Ctrl-C 0.6 s after launch once saw the run finish with exit 0 instead).
    A command started with Ctrl-C ignored (a background job) keeps ignoring it.
    """
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, note_and_raise)
