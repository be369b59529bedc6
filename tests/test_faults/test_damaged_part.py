"""A damaged part in a sweep folder is set aside on resume, and its runs are run again.

Before (issue 22): a truncated ``parts/runs-*.parquet`` stopped every resume with
"Parquet magic bytes not found in footer", exit 2, until the user found the file and
deleted it by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from sim.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENT = f"""\
name: damaged parts
scenario: {ROOT / "scenarios" / "baseline.yaml"}
replicates: 2
days: 20
constants:
  population.size: 300
  group.initial_members: 0  # the baseline's founders only
levers:
  strategies.content.posts_per_day: {{values: [1, 3, 5]}}
"""


def sweep(path: Path, out: Path):
    return CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])


def test_a_truncated_part_is_set_aside_and_its_runs_run_again(tmp_path, monkeypatch):
    import sim.running.sweeps

    monkeypatch.setattr(sim.running.sweeps, "FLUSH_EVERY", 2)  # a part every two runs
    experiment = tmp_path / "sweep.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    whole = tmp_path / "whole"
    assert sweep(experiment, whole).exit_code == 0
    expected = pd.read_parquet(whole / "runs.parquet")

    damaged = tmp_path / "damaged"
    assert sweep(experiment, damaged).exit_code == 0
    parts = sorted((damaged / "parts").glob("runs-*.parquet"))
    assert len(parts) == 3
    victim = parts[0]
    lost = len(pd.read_parquet(victim))
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])  # a cut-off copy
    (damaged / "runs.parquet").unlink()  # as if the sweep had stopped before its end

    result = sweep(experiment, damaged)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"note: {victim} could not be read" in text
    assert f"set aside as {victim.name}.damaged, its runs are run again" in text
    assert "Traceback" not in result.output
    assert (victim.parent / f"{victim.name}.damaged").is_file() and not victim.exists()
    assert f"resuming: {len(expected) - lost} of {len(expected)} runs already done" in text
    pd.testing.assert_frame_equal(pd.read_parquet(damaged / "runs.parquet"), expected)
