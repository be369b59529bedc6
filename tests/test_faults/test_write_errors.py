"""A file that cannot be written costs one line: what, why, what is saved, what to do.

Before (issue 22): ``commsim sweep`` onto a full disk ended with a 38-frame traceback
ending in ``OSError: [Errno 28] No space left on device``; ``commsim run`` with 23 frames.
Here the disk really is full: a small tmpfs mounted for the test (this machine lets
root mount one). Where mounting is not allowed the test injects the same error into the
Parquet writer instead, and says so in its output.
"""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.running.sweeps
from sim.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "name: full disk\ndays: 30\nreplicates: 2\npopulation: {size: 400}\n"
EXPERIMENT = f"""\
name: full disk sweep
scenario: {ROOT / "scenarios" / "baseline.yaml"}
replicates: 2
days: 10
constants:
  population.size: 200
  group.initial_members: 0  # the baseline's founders only
levers:
  strategies.content.posts_per_day: {{values: [1, 2, 3, 4, 5, 6]}}
"""


class Disk:
    """A folder on a small file system (a tmpfs), or on the normal one with full-disk errors
    injected into the Parquet writer when mounting is not allowed."""

    def __init__(self, path: Path, size: str, monkeypatch) -> None:
        self.path, self.monkeypatch = path, monkeypatch
        path.mkdir()
        self.mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                       str(path)], capture_output=True).returncode == 0
        if not self.mounted:
            print(f"mount not allowed here: full-disk errors injected under {path}")
            original = pd.DataFrame.to_parquet

            def full(frame, target, *args, **kwargs):
                if str(target).startswith(str(path)):
                    raise OSError(errno.ENOSPC, "No space left on device")
                return original(frame, target, *args, **kwargs)

            monkeypatch.setattr(pd.DataFrame, "to_parquet", full)

    def grow(self, size: str) -> None:
        """Free space: a bigger tmpfs, or no more injected errors."""
        if self.mounted:
            subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)
        else:
            self.monkeypatch.undo()

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)  # -l: an open database


@pytest.fixture
def disk(tmp_path, monkeypatch):
    made = []

    def make(size: str) -> Disk:
        made.append(Disk(tmp_path / f"disk{len(made)}", size, monkeypatch))
        return made[-1]

    yield make
    for d in made:
        d.close()


def one_line(output: str) -> str:
    return " ".join(output.split())


def test_a_run_onto_a_full_disk_is_one_line_and_leaves_nothing(disk, tmp_path):
    small = disk("40k")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = small.path / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 1, result.output
    text = one_line(result.output)
    assert f"error: cannot write {out}/" in text
    assert "no space left on device; nothing was written; free space (or fix the folder) " \
           "and run the same command again" in text
    assert "Traceback" not in result.output
    assert not out.exists() and list(small.path.iterdir()) == []  # no partial file


def test_a_sweep_onto_a_full_disk_says_what_is_saved_and_resumes_to_the_same_table(
        disk, tmp_path, monkeypatch):
    monkeypatch.setattr(sim.running.sweeps, "FLUSH_EVERY", 1)  # a part for every run
    experiment = tmp_path / "sweep.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    whole = tmp_path / "whole"
    assert CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(whole),
                                    "--workers", "1"]).exit_code == 0
    expected = pd.read_parquet(whole / "runs.parquet")

    small = disk("160k")
    out = small.path / "sweep"
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out),
                                      "--workers", "1"])
    assert result.exit_code == 1, result.output
    text = one_line(result.output)
    assert f"error: cannot write {out}/" in text and "no space left on device;" in text
    saved = int(text.split("no space left on device; ")[1].split(" of ")[0])
    assert f"{saved} of 12 runs are saved in {out}; free space (or fix the folder) and run " \
           "the same command to resume" in text
    assert 0 < saved < 12
    assert "Traceback" not in result.output
    assert not list(out.rglob("*.partial"))

    small.grow("50m")
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out),
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"resuming: {saved} of 12 runs already done" in one_line(result.output)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), expected)


def test_a_validation_onto_a_full_disk_is_one_line(disk):
    small = disk("40k")
    out = small.path / "validation"
    result = CliRunner().invoke(app, ["validate", "--target", "T6", "--size", "small",
                                      "--workers", "1", "--out", str(out)])
    assert result.exit_code == 1, result.output
    text = one_line(result.output)
    assert f"error: cannot write {out}" in text and "no space left on device; the " \
        "validation ran but nothing was written; free space (or fix the folder) and run it " \
        "again" in text
    assert "Traceback" not in result.output
    assert not out.exists()


CALIBRATION_SPACE = f"""\
name: tiny calibration on a full disk
scenario: {ROOT / "scenarios" / "baseline.yaml"}
design: {{kind: random, samples: 2}}
seed: 3
uncertainties:
  dynamics.mute_chance: {{range: [0.0, 0.5]}}
"""


@pytest.mark.parametrize("size, where, saved", [
    ("40k", "study.db", ""),  # the study's database cannot even be made
    ("400k", "report.html", "finished trials are saved in study.db; "),  # the trial is kept
])
def test_a_calibration_onto_a_full_disk_is_one_line_and_resumes(disk, tmp_path, size, where,
                                                                 saved):
    import optuna

    space = tmp_path / "space.yaml"
    space.write_text(CALIBRATION_SPACE, encoding="utf-8")
    small = disk(size)
    if not small.mounted:  # the study's database is SQLite's, not a Parquet writer
        pytest.skip("needs a small real file system; mounting is not allowed here")
    out = small.path / "calibration"
    args = ["calibrate", str(space), "--target", "T6", "--workers", "1", "--trials", "1",
            "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    text = one_line(result.output)
    assert f"error: cannot write {out / where}: " in text
    assert text.endswith(f"{saved}free space (or fix the folder) and run the same command "
                         "again to resume")
    assert "Traceback" not in result.output
    assert not list(out.glob("*.partial")) and not (out / "report.html").exists()

    small.grow("50m")
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert (out / "report.html").is_file() and (out / "chosen.yaml").is_file()
    storage = f"sqlite:///{out / 'study.db'}"
    (name,) = optuna.get_all_study_names(storage)
    trials = optuna.load_study(study_name=name, storage=storage).get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE"]  # the saved trial, not a second
