"""``commsim dashboard``: serve the interactive dashboard on this machine."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.runner import default_workers

err_console = Console(stderr=True)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    return host in LOOPBACK or host.startswith("127.")


def dashboard_command(
    runs: Annotated[Path, typer.Option(help="Folder of run and sweep folders to list.")]
    = Path("runs"),
    host: Annotated[str, typer.Option(help="Address to serve on (127.0.0.1: this machine "
                                      "only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8050,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes per run (default: all "
                                                "cores).")] = None,
) -> None:
    """Open the dashboard: pick a scenario, move levers, run, compare arms, explore sweeps."""
    from sim.dashboard import create_app

    if not is_loopback(host):
        err_console.print(f"[bold yellow]warning[/]: serving on {host}: anyone who can reach "
                          "this machine on that address can run simulations here and read "
                          f"the results in {runs}. Use --host 127.0.0.1 to keep it to this "
                          "machine.", highlight=False, soft_wrap=True)
    work = Path(tempfile.mkdtemp(prefix="commsim-dashboard-"))
    try:
        app = create_app(runs_dir=runs, work_dir=work, workers=workers or default_workers())
        err_console.print(f"commsim dashboard on [bold]http://{host}:{port}/[/] (listing "
                          f"{runs}); Ctrl-C stops it.", highlight=False)
        app.run(host=host, port=port, debug=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
