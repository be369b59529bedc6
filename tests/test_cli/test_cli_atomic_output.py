"""Run folders are written atomically: a crash leaves old files or none, never half a folder."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.running.output import RESULT_FILES, write_atomic, write_run

TINY = """\
name: atomic test
days: 6
seed: 1
population: {size: 300}
strategies: {welcome: {}, content: {}}
"""


class Crash(RuntimeError):
    """Raised by the patched writer to simulate a crash."""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("atomic") / "tiny.yaml"
    path.write_text(TINY)
    return sim.run(sim.load_scenario(path))


def _partials(folder) -> list[str]:
    return [n for n in os.listdir(folder) if n.endswith(".partial")] if folder.exists() else []


def _crash_on_call(monkeypatch, n: int) -> None:
    """Make the ``n``-th ``DataFrame.to_parquet`` call write half a file, then fail."""
    real = pd.DataFrame.to_parquet
    calls = {"count": 0}

    def flaky(self, path, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == n:
            with open(path, "wb") as handle:
                handle.write(b"PAR1 half a file")
            raise Crash("disk on fire")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", flaky)


@pytest.mark.parametrize("crash_at", [1, 2, 3])
def test_crash_while_writing_leaves_no_new_files(result, tmp_path, monkeypatch, crash_at):
    out = tmp_path / "run"
    _crash_on_call(monkeypatch, crash_at)
    with pytest.raises(Crash):
        write_run(result, out)
    left = set(os.listdir(out)) if out.exists() else set()
    assert left == set()


def test_crash_keeps_the_previous_complete_folder(result, tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_run(result, out)
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}
    assert set(before) == set(RESULT_FILES)
    (out / "notes.txt").write_text("mine")
    _crash_on_call(monkeypatch, 2)
    with pytest.raises(Crash):
        write_run(result, out)
    after = set(os.listdir(out))
    assert after == set(before) | {"notes.txt"}
    for name, data in before.items():
        assert (out / name).read_bytes() == data
    assert _partials(out) == []


def test_cli_crash_while_writing_leaves_no_result_files(tmp_path, monkeypatch):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    out = tmp_path / "run"
    _crash_on_call(monkeypatch, 2)
    outcome = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "-q",
                                       "--workers", "1"])
    assert outcome.exit_code != 0
    assert isinstance(outcome.exception, Crash)
    left = set(os.listdir(out)) if out.exists() else set()
    assert left & set(RESULT_FILES) == set()
    assert _partials(out) == []


def test_successful_write_leaves_no_partial_files(result, tmp_path):
    out = tmp_path / "run"
    write_run(result, out)
    assert set(os.listdir(out)) == set(RESULT_FILES)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), result.summary)


def test_write_atomic_replaces_a_file_only_when_the_write_succeeds(tmp_path):
    target = tmp_path / "data.txt"
    target.write_text("old")

    def failing(path):
        path.write_text("new but incomplete")
        raise Crash("stopped halfway")

    with pytest.raises(Crash):
        write_atomic(target, failing)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["data.txt"]

    write_atomic(target, lambda path: path.write_text("new"))
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["data.txt"]


def test_write_atomic_creates_missing_folders_and_no_file_on_failure(tmp_path):
    target = tmp_path / "a" / "b" / "data.txt"

    def failing(path):
        raise Crash("nothing written")

    with pytest.raises(Crash):
        write_atomic(target, failing)
    assert not target.exists()
    assert os.listdir(target.parent) == []

    write_atomic(target, lambda path: path.write_text("ok"))
    assert target.read_text() == "ok"


def test_write_atomic_survives_keyboard_interrupt(tmp_path):
    target = tmp_path / "data.txt"
    target.write_text("old")

    def interrupted(path):
        path.write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, interrupted)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["data.txt"]


def test_failed_rename_leaves_no_partial_or_lone_files(result, tmp_path):
    out = tmp_path / "run"
    (out / "summary.parquet").mkdir(parents=True)
    with pytest.raises(OSError):
        write_run(result, out)
    assert _partials(out) == []
    assert set(os.listdir(out)) == {"summary.parquet"}
