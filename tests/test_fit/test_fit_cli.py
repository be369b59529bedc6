"""``commsim fit`` and ``commsim demo-export`` end to end, with tiny budgets."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from sim.cli.app import app
from sim.formats.scenario import load_scenario
from sim.validation.chatlog import simulate_chatlog

SAMPLES = Path(__file__).parents[1] / "test_chats" / "samples"
FILES = ("scenario.yaml", "fingerprint.parquet", "trials.parquet", "report.html")
runner = CliRunner()


def demo(tmp_path: Path, fmt: str, seed: int = 1, days: int = 60) -> Path:
    path = tmp_path / f"group.{fmt}"
    result = runner.invoke(app, ["demo-export", "--format", fmt, "--out", str(path),
                                 "--seed", str(seed), "--days", str(days)])
    assert result.exit_code == 0, result.output
    return path


def fit(export: Path, out: Path, trials: int, *extra: str):
    return runner.invoke(app, ["fit", str(export), "--out", str(out), "--trials", str(trials),
                               "--budget", "5", "--workers", "1", *extra])


@pytest.fixture(scope="module")
def csv_export(tmp_path_factory) -> Path:
    return demo(tmp_path_factory.mktemp("demo"), "csv")


def test_fit_writes_a_scenario_that_runs_and_every_file(tmp_path, csv_export):
    out = tmp_path / "fitted"
    result = fit(csv_export, out, 3)
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert (out / name).is_file(), name
    assert "What the export shows" in result.output
    scenario = load_scenario(out / "scenario.yaml")
    text = (out / "scenario.yaml").read_text()
    assert "# fitted: " in text and "90% interval" in text
    assert scenario.population.traits.silent_share != 0.783  # a fitted value, not the default
    log = simulate_chatlog(scenario.with_changes(days=14))
    assert len(log.messages) > 0
    stats = pd.read_parquet(out / "fingerprint.parquet")
    assert {"statistic", "observed", "fitted", "usable", "used"} <= set(stats.columns)
    assert len(pd.read_parquet(out / "trials.parquet")) == 3


def test_running_again_resumes_the_same_trials(tmp_path, csv_export):
    fit(csv_export, tmp_path / "a", 2)
    assert fit(csv_export, tmp_path / "a", 4).exit_code == 0
    assert fit(csv_export, tmp_path / "b", 4).exit_code == 0
    resumed = pd.read_parquet(tmp_path / "a" / "trials.parquet")
    fresh = pd.read_parquet(tmp_path / "b" / "trials.parquet")
    pd.testing.assert_frame_equal(resumed, fresh)


def test_a_bad_file_is_one_line_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("this is not a chat export\n", encoding="utf-8")
    out = tmp_path / "fitted"
    result = fit(bad, out, 1)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "bad.txt" in errors[0]
    assert not out.exists()


def test_a_wechat_fit_names_what_it_cannot_use(tmp_path):
    export = demo(tmp_path, "wechat")
    out = tmp_path / "fitted"
    result = fit(export, out, 2)
    assert result.exit_code == 0, result.output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "survival_30d" in result.output and "does not show departures" in report
    assert "not fitted: dynamics.leave_floor" in result.output
    dropped = [line for line in (out / "scenario.yaml").read_text().splitlines()
               if line.startswith("# Not fitted")]
    assert dropped and "dynamics.leave_floor" in dropped[0]


def _secrets() -> dict[str, list[str]]:
    path = Path(__file__).parents[1] / "test_chats" / "test_chat_privacy.py"
    spec = importlib.util.spec_from_file_location("chat_privacy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SECRETS, module.forms


@pytest.mark.parametrize("name", ["whatsapp_android.txt", "wechat_memotrace.csv",
                                  "telegram_result.json"])
def test_no_name_of_a_sample_reaches_the_fit_outputs(tmp_path, name):
    secrets, forms = _secrets()
    out = tmp_path / "fitted"
    result = fit(SAMPLES / name, out, 1)
    assert result.exit_code == 0, result.output
    library = get_plotlyjs().encode()  # inlined Plotly.js has words such as "slice"
    for path in out.iterdir():
        data = path.read_bytes().replace(library, b"")
        for secret in secrets[name]:
            for form in forms(secret):
                assert form not in data, (path.name, secret)


def test_the_format_help_names_every_reader_and_no_other():
    """The command line spells the format keys out (so `commsim --help` need not load
    the readers); they must be the readers' own keys."""
    import re

    from sim.chats import FORMATS
    from sim.cli.fit import FORMATS_HELP

    named = re.findall(r"[a-z]+", FORMATS_HELP.split("(")[0].replace(" or ", ", "))
    assert named == list(FORMATS)


def test_a_resumed_fit_reports_the_same_intervals(tmp_path, csv_export):
    """Fresh groups are kept in the study per best trial, the posterior's draws seeded:
    stopping after 3 trials (intervals computed then) and going on to 6 reports what 6
    in one go report."""
    from sim.chats import read_chat
    from sim.validation.fit import intervals, opened, run_fit

    log = read_chat(csv_export)
    keys = ["dynamics.discovery_rate"]
    with opened(log, tmp_path / "a", workers=1, keys=keys) as fit:
        run_fit(fit, None, 3)
        intervals(fit)
    tables = []
    for name in ("a", "b"):
        with opened(log, tmp_path / name, workers=1, keys=keys) as fit:
            run_fit(fit, None, 6)
            tables.append(intervals(fit))
    assert len(tables[0]) == 1
    pd.testing.assert_frame_equal(tables[0], tables[1])
