"""Entry point of the ``commsim`` console script.

It imports nothing heavy before it has set up Ctrl-C handling
(:mod:`sim.running.interrupt`), then loads the command line (:mod:`sim.cli.app`).
"""

from __future__ import annotations

import signal

from sim.running import interrupt


def main() -> None:
    """Entry point of the ``commsim`` console script: load the command line, run it.

    Ctrl-C is noted as well as raised (:func:`sim.running.interrupt.note_and_raise`),
    unless the command was started with it ignored (a background job of a shell
    script), which it then respects. Once the command is done, Ctrl-C is ignored:
    Python then only tears down, and a Ctrl-C meeting that would print "Exception
    ignored" and a traceback.
    """
    interrupt.note_from_now_on()
    try:
        from sim.cli.app import app
    except KeyboardInterrupt:
        interrupt.stop_quietly()
    if interrupt.pressed():  # a Ctrl-C noted but not raised while loading
        interrupt.stop_quietly()
    try:
        app()
    except SystemExit as done:
        if _silent_ctrl_c(done):
            interrupt.stop_quietly()
        raise
    except BaseException as exc:
        if interrupt.from_ctrl_c(exc) or interrupt.pressed():
            interrupt.stop_quietly()
        raise
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _silent_ctrl_c(done: SystemExit) -> bool:
    """Whether the command line stopped on a Ctrl-C without saying anything.

    Typer turns a ``KeyboardInterrupt`` that leaves a command (one pressed while the
    command loads the engine, before its own handling starts) into exit status 130
    and no words, as ``Exit(130) from`` the interrupt; the commands' own Ctrl-C lines
    end in ``Exit(...) from None``, which hides the interrupt from this walk.
    """
    current: BaseException | None = done
    while current is not None:
        if isinstance(current, KeyboardInterrupt):
            return True
        current = current.__cause__ or (None if current.__suppress_context__
                                        else current.__context__)
    return False
