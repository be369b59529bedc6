"""Imported by the fork server of a process pool, so every worker starts warm.

A pool's workers are forked from one server process that imports the modules named
in ``set_forkserver_preload``. Importing the engine is most of a cold start; the rest
is numba loading its typing tables and each compiled kernel from the cache, the
first time a kernel runs (about half a second). Importing this module runs a tiny
community for a few days, which loads every kernel of the daily cycle in the server,
and then freezes the server's objects out of garbage collection (see
:func:`sim.running.runner.worker_started`). Workers forked afterwards inherit all of it.
"""

from __future__ import annotations

import gc

from sim.running.warm import warm_up

warm_up()
gc.freeze()
