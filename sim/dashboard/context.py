"""What every page of one dashboard shares: its folders and how it finds results."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sim.dashboard.folders import (
    Folder,
    list_folders,
    pick,
    session_runs,
    shipped_scenarios,
)
from sim.dashboard.limits import MAX_JOBS
from sim.running.budget import DEFAULT_MAX_WORK


@dataclass(frozen=True)
class Context:
    """Folders and settings of one dashboard.

    Attributes
    ----------
    runs_dir
        The folder of earlier runs and sweeps the dashboard lists (``--runs``).
    work_dir
        Private folder of the sessions' runs (a temporary folder by default).
    scenarios_dir
        Where the shipped scenarios are.
    workers
        Processes a run may use.
    max_jobs
        Runs the dashboard lets go on at once (:mod:`sim.dashboard.limits`).
    max_work
        Person-days one run may ask for (:func:`sim.running.budget.over_budget`).
    secret
        Key that signs this dashboard's session ids (random per dashboard).
    """

    runs_dir: Path
    work_dir: Path
    scenarios_dir: Path
    workers: int = 1
    max_jobs: int = MAX_JOBS
    max_work: float = DEFAULT_MAX_WORK
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def shipped(self) -> dict[str, Path]:
        """Shipped scenario files by name."""
        return shipped_scenarios(self.scenarios_dir)

    def folders(self) -> list[Folder]:
        """Run, sweep and study folders under the runs folder."""
        return list_folders(self.runs_dir)

    def run_folder(self, session: str | None, ref: dict | None) -> Path | None:
        """The run folder a page refers to: one of its session's runs or a listed run.

        ``ref`` is ``{"source": "session" | "runs", "name": ...}``; anything not in the
        matching listing gives ``None``.
        """
        if not isinstance(ref, dict):
            return None
        if ref.get("source") == "runs":
            found = pick(self.folders(), ref.get("name"), "run")
        elif ref.get("source") == "session":
            try:
                found = pick(session_runs(self.work_dir, session, self.secret), ref.get("name"),
                             "run")
            except ValueError:
                return None
        else:
            return None
        return found.path if found else None

    def sweep_folder(self, name: str | None) -> Path | None:
        """A finished sweep folder listed under the runs folder, by name."""
        found = pick(self.folders(), name, "sweep")
        return found.path if found else None

    def study_folder(self, name: str | None) -> Path | None:
        """A finished optimization study folder listed under the runs folder, by name."""
        found = pick(self.folders(), name, "study")
        return found.path if found else None
