"""``commsim check``, ``strategies`` and bad input on ``run``: clear messages, exit 2, no files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.engine.strategies import REGISTRY

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))

runner = CliRunner()

VALID = "name: ok\ndays: 5\npopulation: {size: 300}\nstrategies: {welcome: {}}\n"

# (case id, file name, file text or None for a missing file, text the error must show)
BAD_INPUT = [
    ("unknown key", "typo.yaml", "name: t\nreplicatse: 2\n",
     ["typo.yaml:2:", "replicatse", "did you mean 'replicates'"]),
    ("unknown strategy", "strat.yaml", "strategies:\n  welcom: {}\n",
     ["strat.yaml:2:", "strategies.welcom", "did you mean 'welcome'"]),
    ("wrong type", "type.yaml", "days: many\n", ["type.yaml:1:", "days", "integer"]),
    ("out of range", "range.yaml", "group: {capacity: 1}\n",
     ["range.yaml:1:", "group.capacity", ">= 2"]),
    ("bad choice", "choice.yaml", "population:\n  network: {kind: powerlaw}\n",
     ["choice.yaml:2:", "population.network.kind", "powerlaw_cluster"]),
    ("bad yaml", "indent.yaml", "name: a\npopulation:\n  size: 300\n   network: {}\n",
     ["indent.yaml:4:", "YAML"]),
    ("yaml list", "list.yaml", "- a\n- b\n", ["list.yaml:1:", "mapping"]),
    ("missing edgelist", "edges.yaml",
     "population:\n  network: {kind: edgelist, path: nope.csv}\n",
     ["edges.yaml:2:", "population.network.path", "nope.csv"]),
    ("missing file", "missing.yaml", None, ["missing.yaml", "not found"]),
]


def _write(folder: Path, name: str, text: str | None) -> Path:
    path = folder / name
    if text is not None:
        path.write_text(text)
    return path


def _plain(text: str) -> str:
    """Output with rich's line folding undone (long paths in tmp folders wrap)."""
    return text.replace("\n", "")


@pytest.mark.parametrize(("name", "text", "shown"), [c[1:] for c in BAD_INPUT],
                         ids=[c[0] for c in BAD_INPUT])
def test_run_on_bad_input_exits_2_without_traceback_or_output(tmp_path, name, text, shown):
    path = _write(tmp_path, name, text)
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for words in shown:
        assert words in _plain(result.stderr), result.stderr
    assert result.stdout == ""
    assert not out.exists()
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(("name", "text", "shown"), [c[1:] for c in BAD_INPUT],
                         ids=[c[0] for c in BAD_INPUT])
def test_check_on_bad_input_exits_2(tmp_path, name, text, shown):
    path = _write(tmp_path, name, text)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for words in shown:
        assert words in _plain(result.stderr)


def test_check_reports_every_problem_at_once(tmp_path):
    path = _write(tmp_path, "many.yaml",
                  "name: many\nreplicatse: 3\ndays: many\ngroup:\n  capacity: 1\n"
                  "strategies:\n  welcom: {}\n  content: {quality: 1.5}\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 5, result.stderr
    err = _plain(result.stderr)
    for where in ("many.yaml:2: replicatse", "many.yaml:3: days", "many.yaml:5: group.capacity",
                  "many.yaml:7: strategies.welcom", "many.yaml:8: strategies.content.quality"):
        assert where in err
    assert "5 problems" in err


def test_check_reports_problems_of_every_file_and_accepts_the_good_ones(tmp_path):
    good = _write(tmp_path, "good.yaml", VALID)
    bad1 = _write(tmp_path, "bad1.yaml", "replicatse: 2\n")
    bad2 = _write(tmp_path, "bad2.yaml", "days: 0\n")
    result = runner.invoke(app, ["check", str(bad1), str(good), str(bad2)])
    assert result.exit_code == 2
    assert f"ok: {good}" in _plain(result.stdout)
    err = _plain(result.stderr)
    assert "bad1.yaml:1: replicatse" in err and "bad2.yaml:1: days" in err


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_check_accepts_every_shipped_scenario(path):
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok:")


def test_there_are_shipped_scenarios():
    assert {"baseline.yaml", "showcase.yaml"} <= {p.name for p in SHIPPED}


def _parameter_cells(stdout: str) -> list[str]:
    """First-column cells of the parameter tables printed by ``commsim strategies``."""
    return [line.split("│")[1].strip() for line in stdout.splitlines()
            if line.startswith("│") and line.split("│")[1].strip()]


def test_strategies_lists_every_strategy_with_its_parameters():
    result = runner.invoke(app, ["strategies"])
    assert result.exit_code == 0
    cells = _parameter_cells(result.stdout)
    for key, cls in REGISTRY.items():
        assert f"{key}:" in result.stdout
        for param in cls.params:
            # At 80 columns names may be cut with '…'; their start must show.
            assert any(c == param.name or (c.endswith("…") and param.name.startswith(c[:-1]))
                       for c in cells), param.name


def test_strategies_shows_full_parameter_names_at_80_columns():
    cells = _parameter_cells(runner.invoke(app, ["strategies"]).stdout)
    missing = [p.name for cls in REGISTRY.values() for p in cls.params if p.name not in cells]
    assert missing == []


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert "run" in result.output and "check" in result.output
    assert "Traceback" not in result.output


def test_bad_option_value_is_a_usage_error(tmp_path):
    path = _write(tmp_path, "ok.yaml", VALID)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--days", "0", "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_run_with_malformed_edgelist_is_a_clean_error(tmp_path):
    (tmp_path / "bad.csv").write_text("source,target\n1\n")
    path = _write(tmp_path, "edges.yaml",
                  "days: 3\npopulation:\n  network: {kind: edgelist, path: bad.csv}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "bad.csv" in result.stderr
    assert not out.exists()


def _commsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from sim.cli.main import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_real_process_bad_input_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, "typo.yaml", "name: t\npopulation:\n  netwrok: {}\n")
    out = tmp_path / "out"
    done = _commsim("run", str(path), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "typo.yaml:3: population.netwrok" in done.stderr
    assert "did you mean 'network'" in done.stderr
    assert not out.exists()
    assert os.listdir(tmp_path) == ["typo.yaml"]


def test_real_process_run_quiet_writes_the_folder(tmp_path):
    path = _write(tmp_path, "ok.yaml", VALID)
    done = _commsim("run", str(path), "--out", "res", "-q", "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "res\n"
    assert "Traceback" not in done.stderr
    assert set(os.listdir(tmp_path / "res")) == {
        "timeseries.parquet", "summary.parquet", "members.parquet", "scenario.resolved.yaml",
        "report.html"}


def test_real_process_strategies_lists_every_parameter(tmp_path):
    done = _commsim("strategies", cwd=tmp_path)
    assert done.returncode == 0
    for key, cls in REGISTRY.items():
        assert f"{key}:" in done.stdout
        for param in cls.params:
            assert param.name in _parameter_cells(done.stdout)


def test_python_dash_m_sim_is_the_cli(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "sim", "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "run" in done.stdout and "check" in done.stdout


def test_check_validates_experiment_files_too():
    root = Path(__file__).resolve().parents[2]
    experiment = root / "experiments" / "red_envelope_budget_by_cadence.yaml"
    result = CliRunner().invoke(app, ["check", str(experiment), str(root / "scenarios" /
                                                                     "baseline.yaml")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "experiment: 16 points x 6 replicate(s) = 96 runs" in text
    assert "ok: " in text and "baseline.yaml (1 arm(s)" in text


def test_check_reports_an_experiment_file_mistake(tmp_path):
    root = Path(__file__).resolve().parents[2]
    bad = tmp_path / "exp.yaml"
    bad.write_text(f"scenario: {root / 'scenarios' / 'baseline.yaml'}\n"
                   "design: {kind: grid}\nlevers:\n  strategies.content.post_per_day: "
                   "{values: [1, 2]}\n")
    result = CliRunner().invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    assert "did you mean 'strategies.content.posts_per_day'" in " ".join(result.output.split())


def test_version_names_commsim_and_the_packages_results_depend_on():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("commsim 0.1.0 (python ")
    assert "mesa 3.5" in result.output


def test_run_from_python_takes_a_path():
    root = Path(__file__).resolve().parents[2]
    result = sim.run(root / "scenarios" / "baseline.yaml", replicates=1, days=5)
    assert len(result.summary) == 1 and set(result.timeseries["day"]) == set(range(5))


def test_point_on_a_scenario_file_says_it_needs_an_experiment():
    root = Path(__file__).resolve().parents[2]
    result = CliRunner().invoke(app, ["run", str(root / "scenarios" / "baseline.yaml"),
                                      "--point", "0"])
    assert result.exit_code == 2
    assert "--point: is for experiment files" in " ".join(result.output.split())


def test_strategies_writes_defaults_and_ranges_as_a_scenario_file_would():
    from sim.params import describe_value

    assert [describe_value(v) for v in (True, False, 1_000_000.0, 0.5, 3, "lucky")] == [
        "true", "false", "1,000,000", "0.5", "3", "lucky"]
    text = runner.invoke(app, ["strategies"]).stdout
    assert "True" not in text and "e+0" not in text
