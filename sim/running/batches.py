"""Runs in batches on workers that stay up between them (a search, such as an optimization).

A sweep knows all its runs at the start; a search learns its next runs from the
results of the last ones. :func:`batch_runner` keeps the workers of a sweep -- a local
process pool started from the warm fork server, with the shared worlds, or a Dask
cluster -- open for a whole search and runs one batch of sweep tasks
(:class:`sim.running.sweeps.Task`) at a time on them. Each run depends on its task
only, so a batch's results are the same whatever runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

from sim.running.runner import start_fork_server, surviving_work
from sim.running.sweeps import (
    Task,
    _describe_task,
    _in_process,
    _sweep_worker_started,
    _worlds,
    dask_client,
    dask_results,
    run_task,
    shared_worlds,
)

RunBatch = Callable[[list[Task]], Iterator[tuple[dict[str, Any], Any]]]
"""Runs a batch of tasks; yields each task's ``(summary row, daily table)`` as it ends."""


class _KeptPool:
    """A process pool opened once and kept across batches (``open_pool`` of a batch).

    :func:`sim.running.runner.surviving_work` opens a pool for its runs and closes it
    when they end or a worker dies; this one stays open after a batch that ended well
    and is replaced only when something went wrong.
    """

    def __init__(self, make: Callable[[], ProcessPoolExecutor]) -> None:
        self.make = make
        self.pool: ProcessPoolExecutor | None = None

    def __call__(self) -> _KeptPool:
        return self

    def __enter__(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = self.make()
        return self.pool

    def __exit__(self, kind, _value, _traceback) -> bool:
        if kind is not None:  # a dead worker, Ctrl-C, an error: the next batch starts anew
            self.close()
        return False

    def close(self) -> None:
        """Shut the pool down (waiting for nothing)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


@contextmanager
def batch_runner(workers: int = 1, cluster: str | None = None, base_dir: str | None = None,
                 worlds_of: list[Task] | None = None,
                 on_note: Callable[[str], None] | None = None) -> Iterator[RunBatch]:
    """A function that runs batches of tasks, on workers kept up while the block lasts.

    ``workers`` local processes (1: this process), or the Dask scheduler at ``cluster``
    (``local``: a cluster of ``workers`` started here). ``worlds_of`` are tasks whose
    worlds every local worker gets ready-made (a search that varies strategies runs
    every candidate in the same few worlds). ``on_note`` hears of a worker that died.
    """
    if cluster is not None:
        with dask_client(cluster, workers) as (client, where):
            yield lambda tasks: dask_results(client, where, tasks, base_dir, workers)
        return
    if workers <= 1:
        yield lambda tasks: _in_process(tasks, base_dir)
        return
    ctx = start_fork_server(["sim.running.sweeps", "sim.running.prewarm"])
    worlds = shared_worlds(worlds_of or [], base_dir, on_note)
    _worlds.update(worlds)
    kept = _KeptPool(lambda: ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_sweep_worker_started,
        initargs=(worlds,)))
    try:
        yield lambda tasks: surviving_work(kept, partial(run_task, base_dir=base_dir), tasks,
                                           workers * 4, _describe_task, on_note)
    finally:
        kept.close()
