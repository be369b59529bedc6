"""Loading the compiled kernels ahead of the first run (a tiny community for a few days).

Numba loads its typing tables and each compiled kernel from the cache the first time
a kernel runs (about half a second). :mod:`sim.prewarm` does it in a process pool's
fork server, so that every worker starts warm; the command line does it before the
first run, with Ctrl-C held back meanwhile (:func:`loaded_quietly`): a Ctrl-C that
lands while numba loads a kernel comes back as a ``SystemError``, or is swallowed
inside one of its callbacks, rather than as a clean interrupt.
"""

from __future__ import annotations

WARM_UP = """
days: 4
population: {size: 60}
group: {initial_members: 20}
strategies: {welcome: {}, content: {}, red_envelope: {every: daily}}
"""
"""A group small enough to cost nothing, with the envelope kernels switched on."""


def warm_up() -> None:
    """Run the warm-up community once (loads the compiled kernels)."""
    from sim.model import CommunityModel
    from sim.scenario import parse_scenario

    CommunityModel(parse_scenario(WARM_UP, source="sim.warm"), seed=1).run_model()


def loaded_quietly() -> None:
    """Load the kernels with Ctrl-C held back until they are in (then it acts at once)."""
    from sim import interrupt

    with interrupt.held_back():
        warm_up()
