"""``commsim validate`` and ``--calibrate`` from the command line."""

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


CALIBRATION = """\
name: tiny calibration
scenario: {base}
design: {{kind: latin_hypercube, samples: 2}}
seed: 3
uncertainties:
  dynamics.mute_chance: {{range: [0.0, 0.5]}}
"""


def test_calibration_ranks_candidates(tmp_path, monkeypatch):
    from sim.validation import suite

    # one target keeps the test short; the ranking is the same code for six
    monkeypatch.setattr(suite, "select", lambda ids=None: [suite.TARGET_BY_ID["T6"]])
    path = tmp_path / "cal.yaml"
    base = (suite.EXPERIMENTS.parents[1] / "scenarios" / "baseline.yaml").resolve()
    path.write_text(CALIBRATION.format(base=base))
    from sim.validation import calibrate

    monkeypatch.setattr(calibrate, "select", suite.select)
    frame = calibrate.calibrate(path, size="small")
    assert len(frame) == 2
    assert {"dynamics.mute_chance", "T6.muted_share", "passed", "miss_distance"} <= set(frame)
    keys = list(zip(-frame["passed"], frame["miss_distance"], strict=True))
    assert keys == sorted(keys)
    # more muting, more muted members: the values really are applied
    by_chance = frame.sort_values("dynamics.mute_chance")
    assert by_chance["T6.muted_share"].iloc[1] > by_chance["T6.muted_share"].iloc[0]


def test_bad_calibration_file_is_a_clear_error(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_text(CALIBRATION.format(base="nowhere.yaml").replace("mute_chance",
                                                                    "mute_chanse"))
    result = runner.invoke(app, ["validate", "--calibrate", str(path), "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "mute_chance" in result.output  # the nearest valid name
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


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
