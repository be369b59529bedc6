"""Where the dashboard finds things: shipped scenarios, the runs folder, session folders.

A page only ever names a scenario, a run or a sweep by a name taken from a listing
made here; a name that is not in the listing is refused, so no request can reach a
path outside the folders the dashboard was given. Each page load gets a random
session id; the runs a session makes are kept in its own folder, which no other
session can list or open.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from sim.formats import plainyaml
from sim.running.output import is_run_folder
from sim.running.sweeps import EXPERIMENT_FILE, RUNS_FILE

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
"""A session id: 128 random bits in hex (unguessable, and safe as a folder name)."""
SESSIONS = "sessions"


@dataclass(frozen=True)
class Folder:
    """A run or sweep folder found under the runs folder."""

    name: str
    kind: str
    title: str
    modified: str
    detail: str
    path: Path


def shipped_scenarios(scenarios_dir: Path) -> dict[str, Path]:
    """Scenario files under ``scenarios_dir`` by their name relative to it, sorted."""
    if not scenarios_dir.is_dir():
        return {}
    files = sorted(scenarios_dir.rglob("*.yaml"), key=lambda p: (len(p.parts), str(p)))
    return {str(p.relative_to(scenarios_dir).with_suffix("")): p for p in files}


def _title(path: Path) -> str:
    try:
        data = plainyaml.load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return "(unreadable)"
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def _stamp(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")


def describe_folder(path: Path) -> Folder | None:
    """What a folder holds: a run, a finished or an unfinished sweep, or nothing known."""
    if is_run_folder(path):
        resolved = path / "scenario.resolved.yaml"
        return Folder(path.name, "run", _title(resolved), _stamp(resolved), "", path)
    marker = path / EXPERIMENT_FILE
    if marker.is_file():
        done = (path / RUNS_FILE).is_file()
        return Folder(path.name, "sweep" if done else "unfinished sweep", _title(marker),
                      _stamp(marker), "" if done else "still running or interrupted", path)
    return None


def list_folders(runs_dir: Path) -> list[Folder]:
    """Run and sweep folders directly under ``runs_dir``, newest first."""
    if not runs_dir.is_dir():
        return []
    found = [describe_folder(p) for p in runs_dir.iterdir() if p.is_dir()
             and not p.name.startswith(".")]
    return sorted((f for f in found if f is not None), key=lambda f: f.path.stat().st_mtime,
                  reverse=True)


def pick(folders: list[Folder], name: str | None, kind: str) -> Folder | None:
    """The folder called ``name`` of kind ``kind`` in a listing; ``None`` if not listed."""
    return next((f for f in folders if f.name == name and f.kind == kind), None)


def new_session_id() -> str:
    """A fresh random session id."""
    return secrets.token_hex(16)


PAGE_SIGN = ".page-open"
"""File in a session folder whose time the page renews while it is open."""
PAGE_GONE_AFTER = 150.0
"""Seconds without a sign from the page after which its runs stop (the page was closed
or reloaded, and nobody could see or cancel them any more). Browsers slow the timers
of a tab in the background down to once a minute, so this is well above that."""


def page_is_open(folder: Path) -> None:
    """Record that the page of the session ``folder`` is still open (its heartbeat)."""
    (folder / PAGE_SIGN).touch()


def page_gone(folder: Path, now: float | None = None) -> bool:
    """Whether the page of session ``folder`` has given no sign for a while.

    A session whose page never gave a sign (no heartbeat yet) counts as open.
    """
    import time

    try:
        last = (folder / PAGE_SIGN).stat().st_mtime
    except FileNotFoundError:
        return False
    return (time.time() if now is None else now) - last > PAGE_GONE_AFTER


def session_dir(work_dir: Path, session: str | None) -> Path:
    """The folder of one session's runs (created on first use).

    Raises
    ------
    ValueError
        When ``session`` is not a session id (so it cannot name another folder).
    """
    if not isinstance(session, str) or not SESSION_ID.match(session):
        raise ValueError("not a session id")
    folder = work_dir / SESSIONS / session
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def session_runs(work_dir: Path, session: str | None) -> list[Folder]:
    """The runs one session made, newest first."""
    return [f for f in list_folders(session_dir(work_dir, session)) if f.kind == "run"]
