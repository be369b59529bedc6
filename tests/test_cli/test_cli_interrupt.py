"""Ctrl-C on ``commsim run``: one line, exit status 130, nothing written, no process left.

The command is started as a user starts it (the installed console script, in its own
process group, as a terminal would) and the whole group gets SIGINT, as Ctrl-C sends
it: while the command is still loading, and just after it has started its pool (its
fork server is then loading the engine). Whenever it comes, the user must see the
same single line and never a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.running.interrupt import EXIT_STATUS, MESSAGE

ROOT = Path(__file__).resolve().parents[2]
COMMAND = Path(sys.executable).parent / "commsim"
LOADING = 0.6
"""Seconds after launch that fall while the command loads: its command line takes about
0.5 s here, then ``run`` loads the engine and pandas for about as long (Python's own
start-up, before any program's code runs, takes the first 0.03 s)."""
GONE_WITHIN = 15.0
"""Seconds the command's processes may take to be gone after it has exited."""


def as_a_terminal_starts_it() -> None:
    """In the child before it runs: Ctrl-C at its default, as in a terminal's foreground job.

    The test itself may run where Ctrl-C is ignored (a shell script's background job
    ignores it, and its children inherit that); the command rightly keeps ignoring it
    then, which is not what these tests are about.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed")
@pytest.mark.parametrize("moment", ["loading", "pool starting", "running"])
def test_ctrl_c_prints_one_line_and_leaves_nothing(tmp_path, moment):
    out = tmp_path / "run"
    process = subprocess.Popen(
        [str(COMMAND), "run", str(ROOT / "scenarios" / "showcase.yaml"), "--workers", "2",
         "--replicates", "30", "--out", str(out)],  # about 20 s of runs
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=as_a_terminal_starts_it)
    if moment == "loading":
        time.sleep(LOADING)
    else:
        process.stdout.readline()  # the run's header: loaded, the pool starts now
        time.sleep(0.2 if moment == "pool starting" else 3.0)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == EXIT_STATUS, (stdout, stderr)
    assert "Traceback" not in stderr + stdout
    assert stderr.strip().splitlines()[-1] == MESSAGE
    assert not out.exists()
    deadline = time.monotonic() + GONE_WITHIN
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_alive(process.pid), "a process of the command is still running"


def test_ctrl_c_is_ignored_once_the_command_is_done(monkeypatch, capsys):
    from sim.cli.main import main

    monkeypatch.setattr(sys, "argv", ["commsim", "--help"])
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 0
        assert "Usage" in capsys.readouterr().out
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_ctrl_c_a_library_swallowed_still_stops_the_run(tmp_path, monkeypatch):
    """A ``KeyboardInterrupt`` caught inside a library (numba's callbacks do) is not lost.

    The command notes every Ctrl-C as well as raising it; the run stops at the next
    finished run, says the one line and writes nothing.
    """
    from typer.testing import CliRunner

    from sim.cli import app as cli
    from sim.running import interrupt, runner

    real_run = runner.run

    def run_that_swallows(scenario, workers, on_done=None, on_note=None, on_phase=None):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler interrupts this at once
        except KeyboardInterrupt:
            pass  # swallowed, as a library's callback may do
        return real_run(scenario, workers=1, on_done=on_done)

    monkeypatch.setattr(runner, "run", run_that_swallows)
    monkeypatch.setattr(interrupt, "_pressed", False)
    before = signal.signal(signal.SIGINT, interrupt.note_and_raise)
    try:
        out = tmp_path / "run"
        outcome = CliRunner().invoke(cli.app, [
            "run", str(ROOT / "scenarios" / "baseline.yaml"), "--days", "10",
            "--replicates", "2", "--out", str(out)])
    finally:
        signal.signal(signal.SIGINT, before)
    assert outcome.exit_code == EXIT_STATUS, outcome.output
    assert outcome.output.strip().splitlines()[-1] == MESSAGE
    assert not out.exists()


def test_a_ctrl_c_wrapped_in_another_error_is_still_recognised():
    """Ctrl-C inside a compiled kernel as numba loads it surfaces as a SystemError."""
    from sim.running import interrupt

    def kernel_call():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise SystemError("CPUDispatcher returned a result with an exception set")  # noqa: B904

    with pytest.raises(SystemError) as info:
        kernel_call()
    assert interrupt.from_ctrl_c(info.value)
    assert not interrupt.from_ctrl_c(SystemError("unrelated"))


@pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed")
def test_ctrl_c_on_a_sweep_of_its_own_dask_cluster_prints_one_line(tmp_path):
    """The cluster's worker processes share the terminal: they must not each complain."""
    pytest.importorskip("distributed")
    out = tmp_path / "sweep"
    process = subprocess.Popen(
        [str(COMMAND), "sweep", str(ROOT / "experiments" / "sobol_main_outcomes.yaml"),
         "--cluster", "local", "--workers", "2", "--out", str(out)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=as_a_terminal_starts_it)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / "parts").glob("*.parquet")):
        time.sleep(0.2)  # the workers are running runs: some have been saved
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=90)
    assert process.returncode == EXIT_STATUS, (stdout, stderr)
    assert stderr.strip().splitlines() == [
        "interrupted: finished runs are saved; run the same command again to resume."], stderr


def test_a_worker_that_dies_gives_one_line_and_writes_nothing(tmp_path, monkeypatch):
    """A worker killed (by the system, out of memory) ends the run with one error line."""
    from concurrent.futures.process import BrokenProcessPool

    from typer.testing import CliRunner

    from sim.cli import app as cli
    from sim.running import runner

    def run_whose_worker_dies(scenario, workers, on_done=None, on_note=None, on_phase=None):
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(runner, "run", run_whose_worker_dies)
    out = tmp_path / "run"
    outcome = CliRunner().invoke(cli.app, ["run", str(ROOT / "scenarios" / "baseline.yaml"),
                                           "--out", str(out)])
    assert outcome.exit_code == 1
    assert "Traceback" not in outcome.output
    assert " ".join(outcome.output.split()).endswith(
        "error: a worker process died before finishing its run (killed, or out of memory?); "
        "nothing was written")
    assert not out.exists()


def test_a_ctrl_c_once_the_results_are_written_says_where_they_are(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sim.cli import app as cli
    from sim.cli import results

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results, "summary_table", interrupted)
    out = tmp_path / "run"
    outcome = CliRunner().invoke(cli.app, ["run", str(ROOT / "scenarios" / "baseline.yaml"),
                                           "--days", "10", "--replicates", "1", "--out",
                                           str(out)])
    assert outcome.exit_code == EXIT_STATUS
    assert "".join(outcome.output.split()).endswith(
        "".join(f"interrupted: the results are complete in {out}".split()))
    assert (out / "summary.parquet").is_file() and (out / "report.html").is_file()
