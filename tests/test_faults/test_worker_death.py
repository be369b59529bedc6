"""A worker process that dies is replaced, and its runs are run again, with the same results.

Before (issue 22): a SIGKILL to a pool worker (what the out-of-memory killer sends) ended
a 600-run sweep with a ``BrokenProcessPool`` traceback of about 30 frames and exit 1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.running.runner import MAX_WORKER_DEATHS, RunKillsItsWorker, surviving_work

COMMSIM = Path(sys.executable).parent / "commsim"


def _square_or_die(task: tuple[int, str]) -> int:
    """Task ``(n, marker)``: n squared; dies (SIGKILL) for n = 3 while ``marker`` says so."""
    number, marker = task
    if number == 3 and marker:
        path = Path(marker)
        deaths = int(path.read_text()) if path.exists() else 0
        if marker.endswith("always") or deaths == 0:
            path.write_text(str(deaths + 1))
            os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return number * number


def _pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn"))


def test_a_run_that_kills_its_worker_once_is_run_again(tmp_path):
    marker = str(tmp_path / "once")
    notes = []
    tasks = [(n, marker) for n in range(8)]
    results = sorted(surviving_work(_pool, _square_or_die, tasks, 4, str, notes.append))
    assert results == [n * n for n in range(8)]
    assert Path(marker).read_text() == "1"
    assert len(notes) == 1 and notes[0].startswith("a worker process died (killed, or out of "
                                                   "memory?); its ")
    assert notes[0].endswith("are run again in a new one")


def test_a_run_that_kills_its_worker_three_times_is_named(tmp_path):
    marker = str(tmp_path / "always")
    tasks = [(n, marker) for n in range(8)]
    with pytest.raises(RunKillsItsWorker) as caught:
        list(surviving_work(_pool, _square_or_die, tasks, 4,
                            lambda task: f"task {task[0]}", None))
    assert caught.value.run == "task 3"
    assert str(caught.value) == (f"task 3 killed its worker process {MAX_WORKER_DEATHS} times "
                                 "(out of memory?)")
    assert Path(marker).read_text() == str(MAX_WORKER_DEATHS)


def _workers_of(process: psutil.Process) -> list[psutil.Process]:
    """Pool workers: children of the fork server, itself a child of the command."""
    return [worker for child in process.children() for worker in child.children()]


def test_a_sweep_whose_worker_is_killed_completes_with_the_same_table(long_sweep, tmp_path):
    experiment, expected = long_sweep
    out = tmp_path / "killed"
    command = subprocess.Popen([str(COMMSIM), "sweep", str(experiment), "--out", str(out),
                                "--workers", "2"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    me = psutil.Process(command.pid)
    deadline = time.time() + 60
    workers = []
    while time.time() < deadline and command.poll() is None:
        workers = [w for w in _workers_of(me) if w.cpu_times().user > 0.3]  # at work
        if workers:
            break
        time.sleep(0.1)
    assert workers, "no worker ever started"
    workers[0].send_signal(signal.SIGKILL)  # what the out-of-memory killer sends
    _, stderr = command.communicate(timeout=300)
    assert command.returncode == 0, stderr
    assert "note: a worker process died (killed, or out of memory?); its " in " ".join(
        stderr.split())
    assert "Traceback" not in stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), expected)
