"""Results the pages show, loaded from run, sweep and study folders and kept for reuse.

Loading is cached by folder and modification time: every chart of a page reads the
same tables once. Nothing here runs a model except :func:`social_graph` (which
rebuilds a run's world from its seed, as the report does) and the jobs of
:mod:`sim.dashboard.jobs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.analysis.compare import compare
from sim.analysis.report import social_graph
from sim.analysis.sweep_report import point_means
from sim.formats import plainyaml
from sim.formats.experiment import Experiment
from sim.formats.scenario import ScenarioError
from sim.optimization import RESOLVED_FILE
from sim.optimization.report import (
    FRONT_FILE,
    IMPORTANCE_FILE,
    TRIALS_FILE,
    front_objectives,
)
from sim.running.output import read_run
from sim.running.runner import RunResult
from sim.running.sweeps import EXPERIMENT_FILE, RUNS_FILE, SENSITIVITY_FILE, TIMESERIES


def _mtime(path: Path) -> float:
    return path.stat().st_mtime


@lru_cache(maxsize=16)
def _run(path: str, _mtime: float) -> RunResult:
    return read_run(path)


UNREADABLE = (OSError, ValueError, ScenarioError)
"""What reading a damaged run folder raises: missing or cut files, bad Parquet, a
resolved scenario that no longer validates."""


def load_run(folder: Path) -> RunResult:
    """The run in ``folder`` (cached until the folder's summary changes)."""
    return _run(str(folder), _mtime(folder / "summary.parquet"))


@lru_cache(maxsize=16)
def _comparison(path: str, _mtime: float) -> pd.DataFrame:
    return compare(_run(path, _mtime))


def load_comparison(folder: Path) -> pd.DataFrame:
    """Each arm against the baseline (:func:`sim.analysis.compare.compare`) for a run folder."""
    return _comparison(str(folder), _mtime(folder / "summary.parquet"))


@lru_cache(maxsize=32)
def _graph(path: str, _mtime: float, arm: str, replicate: int
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    return social_graph(_run(path, _mtime), arm, replicate)


def load_graph(folder: Path, arm: str, replicate: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of one run's social graph (see :func:`sim.analysis.report.social_graph`)."""
    return _graph(str(folder), _mtime(folder / "summary.parquet"), arm, int(replicate))


@dataclass(frozen=True)
class Sweep:
    """A finished sweep folder, read for the Sweeps page."""

    title: str
    design: str
    factors: list[str]
    outcomes: list[str]
    runs: pd.DataFrame
    means: pd.DataFrame
    sensitivity: pd.DataFrame | None
    timeseries: bool


@lru_cache(maxsize=8)
def _sweep(path: str, _mtime: float) -> Sweep:
    folder = Path(path)
    data = plainyaml.load((folder / EXPERIMENT_FILE).read_text(encoding="utf-8")) or {}
    data.pop("provenance", None)
    experiment = Experiment.model_validate(data)
    runs = pd.read_parquet(folder / RUNS_FILE)
    factors = [f for f in experiment.factors if f in runs]
    outcomes = [o for o in experiment.outcomes
                if o in runs and pd.api.types.is_numeric_dtype(runs[o])]
    runs[outcomes] = runs[outcomes].astype(float)
    sensitivity_file = folder / SENSITIVITY_FILE
    sensitivity = pd.read_parquet(sensitivity_file) if sensitivity_file.is_file() else None
    stored = (folder / TIMESERIES).is_dir() and any((folder / TIMESERIES).glob("*.parquet"))
    return Sweep(experiment.name, experiment.design.kind, factors, outcomes, runs,
                 point_means(runs, factors, outcomes), sensitivity, stored)


def load_sweep(folder: Path) -> Sweep:
    """The sweep in ``folder`` (cached until its runs table changes)."""
    return _sweep(str(folder), _mtime(folder / RUNS_FILE))


@dataclass(frozen=True)
class Study:
    """A finished optimization study folder, read for the Optimize page.

    ``importance`` is None for a folder written before the importances were stored.
    """

    title: str
    objectives: list[str]
    front: pd.DataFrame
    trials: pd.DataFrame | None
    importance: pd.DataFrame | None

    def point(self, number: int) -> pd.Series:
        """Front point ``number``'s row (``KeyError`` if the front has none)."""
        found = self.front[self.front["point"] == int(number)]
        if found.empty:
            raise KeyError(f"no front point {number}")
        return found.iloc[0]


@lru_cache(maxsize=8)
def _study(path: str, _mtime: float) -> Study:
    folder = Path(path)
    front = pd.read_parquet(folder / FRONT_FILE)
    resolved = folder / RESOLVED_FILE
    title = ""
    if resolved.is_file():
        title = str((plainyaml.load(resolved.read_text(encoding="utf-8")) or {}).get("name", ""))

    def optional(name: str) -> pd.DataFrame | None:
        return pd.read_parquet(folder / name) if (folder / name).is_file() else None

    return Study(title or folder.name, front_objectives(front), front, optional(TRIALS_FILE),
                 optional(IMPORTANCE_FILE))


def load_study(folder: Path) -> Study:
    """The study in ``folder`` (cached until its front table changes)."""
    return _study(str(folder), _mtime(folder / FRONT_FILE))
