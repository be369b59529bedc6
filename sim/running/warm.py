"""Loading the compiled kernels ahead of the first run (a tiny community for a week).

Numba loads its typing tables and each compiled kernel from the cache the first time
a kernel runs (about half a second in all). :mod:`sim.running.prewarm` does it in a process
pool's fork server, so that every worker starts warm; the command line does it before
the first run with Ctrl-C held (:func:`loaded_quietly`): a Ctrl-C that lands while
numba loads a kernel comes back as a ``SystemError``, or is swallowed inside one of
numba's callbacks and the run goes on, rather than as a clean interrupt.
"""

from __future__ import annotations

import signal

WARM_UP = """
days: 7
population: {size: 60}
group: {initial_members: 20}
dynamics: {discovery_rate: 0.05}
strategies:
  welcome: {}
  content: {}
  red_envelope: {every: daily}
  entry: {kind: paid, fee: 1}
  fission: {}
  layering: {}
  monetization: {}
"""
"""A group small enough to cost nothing, for a week (every weekday's schedule), that
outsiders find (so the entry fee's pass runs), with every strategy that has a compiled
pass of its own switched on."""


def warm_up() -> None:
    """Run the warm-up community once (loads every compiled kernel)."""
    from sim.engine.model import CommunityModel
    from sim.formats.scenario import parse_scenario

    CommunityModel(parse_scenario(WARM_UP, source="sim.running.warm"), seed=1).run_model()


def loaded_quietly() -> None:
    """Load the kernels with Ctrl-C held until they are in; then act on it at once.

    The Ctrl-C is noted rather than raised while numba works (whichever thread the
    signal reaches, Python's handler runs in the main thread, even inside numba's
    callbacks), and raised as a ``KeyboardInterrupt`` once loading is done.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started as a background job
        warm_up()
        return
    pressed: list[bool] = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    try:
        warm_up()
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt
