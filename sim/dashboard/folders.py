"""Where the dashboard finds things: shipped scenarios, the runs folder, session folders.

A page only ever names a scenario, a run, a sweep or a study by a name taken from a listing
made here; a name that is not in the listing is refused, so no request can reach a
path outside the folders the dashboard was given. Each page load gets a random
session id; the runs a session makes are kept in its own folder, which no other
session can list or open.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from sim.formats import plainyaml
from sim.optimization import RESOLVED_FILE
from sim.optimization.report import FRONT_FILE
from sim.running.output import is_run_folder
from sim.running.studies import DATABASE
from sim.running.sweeps import EXPERIMENT_FILE, RUNS_FILE

SESSION_ID = re.compile(r"^[0-9a-f]{48}$")
"""A session id: 128 random bits and a 64-bit signature, in hex (unguessable, made only
by the dashboard that signed it, and safe as a folder name)."""
SESSIONS = "sessions"
MAX_SESSIONS = 64
"""Session folders a dashboard keeps at once; beyond it, those whose page is gone are
removed, and a new page is refused while every one of them is open."""


@dataclass(frozen=True)
class Folder:
    """A run, sweep or optimization study folder found under the runs folder."""

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
    """What a folder holds: a run, a finished or unfinished sweep or study, or nothing known.

    A study (``commsim optimize``) is finished once it has its ``front.parquet``; before,
    its ``study.db`` and the search it holds mark it (a calibration's ``study.db`` alone
    does not).
    """
    if is_run_folder(path):
        resolved = path / "scenario.resolved.yaml"
        return Folder(path.name, "run", _title(resolved), _stamp(resolved), "", path)
    marker = path / EXPERIMENT_FILE
    if marker.is_file():
        done = (path / RUNS_FILE).is_file()
        return Folder(path.name, "sweep" if done else "unfinished sweep", _title(marker),
                      _stamp(marker), "" if done else "still running or interrupted", path)
    resolved, front = path / RESOLVED_FILE, path / FRONT_FILE
    if front.is_file():
        return Folder(path.name, "study", _title(resolved) if resolved.is_file() else "",
                      _stamp(front), "", path)
    if resolved.is_file() and (path / DATABASE).is_file():
        return Folder(path.name, "unfinished study", _title(resolved), _stamp(resolved),
                      "no front.parquet yet: still running or interrupted", path)
    return None


def list_folders(runs_dir: Path) -> list[Folder]:
    """Run, sweep and study folders directly under ``runs_dir``, newest first.

    A symbolic link that leads outside ``runs_dir`` is not listed: the dashboard shows
    only what is inside the folder it was given.
    """
    if not runs_dir.is_dir():
        return []
    root = runs_dir.resolve()
    found = [describe_folder(p) for p in runs_dir.iterdir() if p.is_dir()
             and not p.name.startswith(".") and p.resolve().is_relative_to(root)]
    return sorted((f for f in found if f is not None), key=lambda f: f.path.stat().st_mtime,
                  reverse=True)


def pick(folders: list[Folder], name: str | None, kind: str) -> Folder | None:
    """The folder called ``name`` of kind ``kind`` in a listing; ``None`` if not listed."""
    return next((f for f in folders if f.name == name and f.kind == kind), None)


def _signature(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()[:16]


def new_session_id(secret: bytes) -> str:
    """A fresh random session id, signed with the dashboard's ``secret``."""
    nonce = secrets.token_hex(16)
    return nonce + _signature(secret, nonce)


def is_session_id(session: object, secret: bytes) -> bool:
    """Whether ``session`` is a session id this dashboard (its ``secret``) made."""
    return (isinstance(session, str) and SESSION_ID.match(session) is not None
            and hmac.compare_digest(session[32:], _signature(secret, session[:32])))


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

    A session whose page never gave a sign counts from when its folder was made or
    last changed (its first run): a client that sends no heartbeat does not keep its
    runs going for ever.
    """
    import time

    try:
        last = (folder / PAGE_SIGN).stat().st_mtime
    except FileNotFoundError:
        try:
            last = folder.stat().st_mtime
        except FileNotFoundError:
            return True
    return (time.time() if now is None else now) - last > PAGE_GONE_AFTER


def session_dir(work_dir: Path, session: str | None, secret: bytes) -> Path:
    """The folder of one session's runs (created on first use).

    Raises
    ------
    ValueError
        When ``session`` is not a session id this dashboard made (so it cannot name
        another folder, and made-up ids make no folders), or when a new folder would
        exceed :data:`MAX_SESSIONS` while every session's page is still open.
    """
    if not is_session_id(session, secret):
        raise ValueError("not a session id")
    folder = work_dir / SESSIONS / session
    if not folder.is_dir():
        _make_room(work_dir / SESSIONS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _make_room(sessions: Path) -> None:
    """Remove the folders of sessions whose page is gone once there are too many."""
    import shutil

    existing = [p for p in sessions.iterdir() if p.is_dir()] if sessions.is_dir() else []
    if len(existing) < MAX_SESSIONS:
        return
    for folder in existing:
        if page_gone(folder):
            shutil.rmtree(folder, ignore_errors=True)
    if sum(p.is_dir() for p in sessions.iterdir()) >= MAX_SESSIONS:
        raise ValueError(f"{MAX_SESSIONS} pages are open; close one and reload")


def session_runs(work_dir: Path, session: str | None, secret: bytes) -> list[Folder]:
    """The runs one session made, newest first."""
    return [f for f in list_folders(session_dir(work_dir, session, secret))
            if f.kind == "run"]
