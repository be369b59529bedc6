"""``commsim run``: the differences table, the report in the run folder, ``--quiet``."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.running.output import REPORT_FILE, RESULT_FILES

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args] + ["--workers", "1"],
                         env={"COLUMNS": "120"})


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory, tiny_arms_yaml):
    path = tmp_path_factory.mktemp("scenario") / "arms.yaml"
    path.write_text(tiny_arms_yaml)
    return path


@pytest.fixture(scope="module")
def ran(scenario_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "arms"
    result = invoke("run", scenario_file, "--out", out, "--replicates", "2", "--days", "30")
    assert result.exit_code == 0, result.output
    return out, result.stdout


def test_run_writes_the_report_with_the_data(ran):
    out, _ = ran
    assert set(os.listdir(out)) == {*RESULT_FILES, REPORT_FILE}
    assert (out / REPORT_FILE).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_run_prints_differences_from_the_baseline(ran):
    out, stdout = ran
    assert stdout.index("Outcomes (mean over replicates)") < stdout.index(
        "no_welcome against the baseline")
    assert "irregular against the baseline" in stdout
    for column in ("difference", "95% interval", "verdict"):
        assert column in stdout
    assert "newcomer retention 30 d" in stdout and "groups died" in stdout
    assert "too few replicates" in stdout  # 2 replicates: no verdict of higher or lower


def test_run_lists_the_report_among_the_files(ran):
    out, stdout = ran
    flat = stdout.replace("\n", "")
    assert "report.html" in flat.split("Results:")[1]
    assert f"Report: {out / REPORT_FILE}" in flat


def test_quiet_prints_only_the_path_and_still_writes_the_report(scenario_file, tmp_path):
    out = tmp_path / "quiet"
    result = invoke("run", scenario_file, "--out", out, "--quiet", "--replicates", "1",
                    "--days", "20")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert REPORT_FILE in os.listdir(out)


def test_no_report_option(scenario_file, tmp_path):
    out = tmp_path / "bare"
    result = invoke("run", scenario_file, "--out", out, "--no-report", "--replicates", "1",
                    "--days", "20")
    assert result.exit_code == 0, result.output
    assert set(os.listdir(out)) == set(RESULT_FILES)
    assert "Report:" not in result.stdout


def test_a_scenario_without_arms_prints_no_differences(tmp_path, tiny_arms_yaml):
    path = tmp_path / "one.yaml"
    path.write_text(tiny_arms_yaml.split("arms:")[0])
    result = invoke("run", path, "--out", tmp_path / "one", "--replicates", "2", "--days", "20")
    assert result.exit_code == 0, result.output
    assert "against the baseline" not in result.stdout
    assert REPORT_FILE in os.listdir(tmp_path / "one")
