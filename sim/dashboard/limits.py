"""How much a dashboard lets its pages run: one job per page, a few at once, none orphaned.

A run started from a page is a background job (a process of its own, with its
workers). Three bounds keep the machine usable whoever sends the clicks:

- **One job per page.** A page whose run is going cannot start another (the Run button
  is disabled meanwhile, but a client can send the request without the button).
- **A global cap** (``max_jobs``, 2 by default: this machine has two cores): a run asked
  for while that many are going is refused with a message saying so.
- **A watchdog** in each job: every few seconds, also in the middle of a replicate, it
  asks whether the job's page is still there (:func:`sim.dashboard.folders.page_gone`,
  which counts from the job's start when no heartbeat ever came); once it is gone, the
  job ends itself and its workers.

A job holds its slot in a file ``.job`` in its session folder, holding its process id; a
slot whose process is no longer alive is free (a job killed by the watchdog or the
operating system leaves no stale slot).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

JOB_FILE = ".job"
MAX_JOBS = 2
"""Runs a dashboard lets go on at once, unless told otherwise."""
WATCH_EVERY = 5.0
"""Seconds between the watchdog's looks at the page."""
WATCHDOG_EXIT = 3
"""Exit status of a job the watchdog ended."""


class JobRefused(RuntimeError):
    """A run was not started; the message says why, for the page."""


def _alive(slot: Path) -> bool:
    """Whether the job that wrote ``slot`` is still running."""
    try:
        pid = int(slot.read_text(encoding="utf-8").strip() or 0)
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def running_jobs(sessions: Path) -> list[Path]:
    """The slots of the jobs going on under the sessions folder."""
    return [slot for slot in sessions.glob(f"*/{JOB_FILE}") if _alive(slot)]


@contextmanager
def job_slot(own: Path, max_jobs: int = MAX_JOBS) -> Iterator[None]:
    """Hold the page's one job slot (``own`` is its session folder) while a run goes on.

    Raises
    ------
    JobRefused
        When this page already has a run going, or ``max_jobs`` runs are going.
    """
    sessions = own.parent
    slot = own / JOB_FILE
    with open(sessions / ".jobs.lock", "a+") as lock:  # one check-and-take at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _alive(slot):
            raise JobRefused("a run is already going on this page: wait for it, or cancel it")
        going = len(running_jobs(sessions))
        if going >= max_jobs:
            raise JobRefused(f"{going} runs are going on this dashboard, and it runs at most "
                             f"{max_jobs} at once; try again when one has ended")
        slot.write_text(str(os.getpid()), encoding="utf-8")
    try:
        yield
    finally:
        slot.unlink(missing_ok=True)


@contextmanager
def watchdog(gone: Callable[[], bool], every: float = WATCH_EVERY) -> Iterator[None]:
    """End this process and its children once ``gone()`` says the page is gone.

    A thread looks every ``every`` seconds, whatever the job is doing (a long replicate
    never reaches the progress callback that checks between runs).
    """
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            if gone():
                for child in psutil.Process().children(recursive=True):
                    try:
                        child.kill()
                    except psutil.Error:
                        pass
                os._exit(WATCHDOG_EXIT)

    thread = threading.Thread(target=watch, name="commsim-page-watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
