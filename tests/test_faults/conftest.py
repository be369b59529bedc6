"""Shared by the fault tests: a sweep long enough to be hit mid-way, and its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMSIM = Path(sys.executable).parent / "commsim"
LONG_SWEEP = f"""\
name: hit mid-way
scenario: {ROOT / "scenarios" / "baseline.yaml"}
replicates: 8
days: 720
constants:
  population.size: 3000
  group.initial_members: 0  # the baseline's founders only
levers:
  strategies.content.posts_per_day: {{values: [1, 2, 3, 4, 5, 6]}}
"""
"""48 runs of about half a second: 10-15 s on two processes, time to hit one."""


@pytest.fixture(scope="session")
def long_sweep(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The experiment file and the runs table of its uninterrupted sweep."""
    folder = tmp_path_factory.mktemp("long-sweep")
    experiment = folder / "sweep.yaml"
    experiment.write_text(LONG_SWEEP, encoding="utf-8")
    subprocess.run([str(COMMSIM), "sweep", str(experiment), "--out", str(folder / "whole"),
                    "--workers", "2", "-q"], check=True, capture_output=True)
    return experiment, pd.read_parquet(folder / "whole" / "runs.parquet")
