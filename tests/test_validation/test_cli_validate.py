"""``commsim validate`` from the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from sim.cli.app import app

runner = CliRunner()


def test_validate_writes_table_and_report(tmp_path):
    out = tmp_path / "v"
    result = runner.invoke(app, ["validate", "--size", "small", "--target", "T2", "--out",
                                 str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "of 3 measures in their band" in result.output  # T2 has three measures
    assert "measures in their band" in result.output
    table = pd.read_parquet(out / "validation.parquet")
    assert list(table["target"].unique()) == ["T2"]
    assert (out / "report.html").is_file()


def test_unknown_target_is_a_clear_error_and_writes_nothing(tmp_path):
    out = tmp_path / "v"
    result = runner.invoke(app, ["validate", "--target", "T7", "--out", str(out)])
    assert result.exit_code == 2
    assert "unknown target 'T7'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


ROOT = Path(__file__).resolve().parents[2]


def test_full_suite_is_its_own_make_target():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nvalidate:", 1)[1].split("\n\n", 1)[0]
    assert "commsim validate" in recipe
    assert "--size" not in recipe  # the full size, as the experiment files say
    assert "validate" not in makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]


def test_readme_shows_every_measure_of_the_table():
    from sim.validation import TARGETS

    readme = (ROOT / "README.md").read_text()
    for target in TARGETS:
        for m in target.measures:
            assert f"| {target.id} | {target.regularity} | {m.name}:" in readme
