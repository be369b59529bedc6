"""``commsim dashboard``: serve the interactive dashboard on this machine."""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import err_console
from sim.running.budget import DEFAULT_MAX_WORK, default_workers


def dashboard_command(
    runs: Annotated[Path, typer.Option(help="Folder of run and sweep folders to list.")]
    = Path("runs"),
    host: Annotated[str, typer.Option(help="Address to serve on (127.0.0.1: this machine "
                                      "only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8050,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes per run (default: all "
                                                "cores).")] = None,
    token: Annotated[str | None, typer.Option(help="Token a browser must present (default: a "
                                              "new random one, printed in the address).")]
    = None,
    no_token: Annotated[bool, typer.Option("--no-token", help="Ask for no token (loopback "
                                           "addresses only).")] = False,
    max_jobs: Annotated[int, typer.Option(min=1, max=64, help="Runs that may go on at once, "
                                          "all pages together.")] = 2,
    max_work: Annotated[float, typer.Option(min=1.0, help="Person-days (population x days x "
                                            "replicates x arms) one run may ask for.")]
    = DEFAULT_MAX_WORK,
) -> None:
    """Open the dashboard: pick a scenario, move levers, run, compare arms, explore sweeps."""
    from sim.dashboard import create_app
    from sim.dashboard.guard import Access, is_loopback, new_token

    if no_token and token is not None:
        _stop("--token and --no-token: give one of them")
    if no_token and not is_loopback(host):
        _stop(f"--no-token: serving on {host} without a token would let anyone who can "
              "reach this machine run simulations here; keep the token, or use --host "
              "127.0.0.1")
    if token is not None and len(token) < 8:
        _stop("--token: use at least 8 characters (or leave it out for a random one)")
    if not no_token and token is None:
        token = new_token()
    if not is_loopback(host):
        err_console.print(f"[bold yellow]warning[/]: serving on {host}: anyone who can reach "
                          "this machine on that address and has the token can run "
                          f"simulations here and read the results in {runs}. Use --host "
                          "127.0.0.1 to keep it to this machine.", highlight=False,
                          soft_wrap=True)
    if runs.exists() and not runs.is_dir():
        _stop(f"--runs: {runs} is not a folder; give the folder your run and sweep folders "
              "are in")
    if not runs.exists():
        err_console.print(f"note: {runs} does not exist yet; its runs will be listed once "
                          "there are some", highlight=False)
    taken = _port_taken(host, port)
    if taken:
        _stop(f"--host/--port: cannot serve on {host}:{port} ({taken}); check the address, "
              "or choose another port")
    work = Path(tempfile.mkdtemp(prefix="commsim-dashboard-"))
    # `kill` (SIGTERM) or a closed terminal (SIGHUP) ends the server like Ctrl-C does, so
    # the work folder is removed
    for ending in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(ending, lambda *_: sys.exit(0))
    # one line per progress poll of a running job would flood the terminal
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        app = create_app(runs_dir=runs, work_dir=work, workers=workers or default_workers(),
                         access=Access.for_address(host, None if no_token else token),
                         max_jobs=max_jobs, max_work=max_work)
        address = f"http://{host}:{port}/" + ("" if no_token else f"?token={token}")
        err_console.print(f"commsim dashboard on [bold]{address}[/] (listing "
                          f"{runs}); Ctrl-C stops it.", highlight=False, soft_wrap=True)
        app.run(host=host, port=port, debug=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stop(text: str) -> None:
    err_console.print(f"[bold red]error[/]: {text}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _port_taken(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (None when it can)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
