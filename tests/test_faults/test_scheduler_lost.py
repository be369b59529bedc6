"""A Dask scheduler lost mid-sweep costs one line; the sweep resumes, here without Dask."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMSIM = Path(sys.executable).parent / "commsim"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def test_a_lost_scheduler_is_one_line_and_the_sweep_resumes(long_sweep, tmp_path):
    pytest.importorskip("distributed")
    experiment, expected = long_sweep
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                        str(port), "--dashboard-address", ":0", "--no-show"])
    worker = None
    try:
        time.sleep(2)
        worker = _start(["distributed.cli.dask_worker", address, "--nthreads", "1",
                         "--nworkers", "2", "--host", "127.0.0.1", "--no-dashboard"])
        out = tmp_path / "sweep"
        command = subprocess.Popen([str(COMMSIM), "sweep", str(experiment), "--out", str(out),
                                    "--cluster", address], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        # the scheduler goes once a part is saved, or two seconds after the sweep has set
        # up its folder and connected (48 runs take it 10-15 s): mid-sweep either way
        deadline = time.time() + 60
        while time.time() < deadline and command.poll() is None and not (out / "parts").is_dir():
            time.sleep(0.05)
        deadline = time.time() + 2
        while time.time() < deadline and command.poll() is None and not list(
                (out / "parts").glob("runs-*.parquet")):
            time.sleep(0.1)
        os.killpg(scheduler.pid, signal.SIGKILL)
        _, stderr = command.communicate(timeout=120)
    finally:
        for process in (scheduler, worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert command.returncode == 1, stderr
    text = " ".join(stderr.split())
    assert f"error: lost the Dask scheduler at {address} mid-sweep" in text
    saved = int(text.split("); ")[1].split(" of ")[0])
    assert 0 <= saved < 48
    assert (f"{saved} of 48 runs are saved in {out}. Start the scheduler again (or leave out "
            "--cluster) and run the command again to resume") in text
    assert "Traceback" not in stderr

    resumed = subprocess.run([str(COMMSIM), "sweep", str(experiment), "--out", str(out),
                              "--workers", "2"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    if saved:
        assert f"resuming: {saved} of 48 runs already done" in " ".join(resumed.stderr.split())
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), expected)
