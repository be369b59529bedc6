"""The validation suite at small size: every target measured, the report written."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.validation import TARGETS, validate
from sim.validation.report import markdown_table, write_validation
from sim.validation.suite import EXPERIMENTS, load_study


def test_every_target_has_an_experiment_file_with_its_citation():
    for target in TARGETS:
        path = EXPERIMENTS / target.experiment
        text = path.read_text()
        study = load_study(target)
        assert study.experiment.name.startswith(target.id)
        first_author = target.source.split(",")[0].split()[0]
        assert first_author in text, f"{path.name} does not cite {first_author}"


def test_small_suite_measures_every_target(small_validation):
    table = small_validation.table
    expected = [(t.id, m.name) for t in TARGETS for m in t.measures]
    assert list(zip(table["target"], table["measure"], strict=True)) == expected
    assert table["mean"].map(math.isfinite).all(), table[["measure", "mean"]]
    # two samples; a sample with no answered first post has no return rate for them
    assert table["n"].between(1, 2).all() and (table["n"] == 2).mean() > 0.8
    for row in table.itertuples():
        assert row.low <= row.mean <= row.high
        inside = ((row.band_low is None or pd.isna(row.band_low) or row.mean >= row.band_low)
                  and (row.band_high is None or pd.isna(row.band_high)
                       or row.mean <= row.band_high))
        assert row.passed == inside


def test_results_do_not_depend_on_workers(small_validation):
    serial = validate(["T2", "T5"], size="small", workers=1).table
    parallel = small_validation.table
    parallel = parallel[parallel["target"].isin(["T2", "T5"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(serial, parallel)


def test_folder_gets_table_replicates_and_report(small_validation, tmp_path):
    out = write_validation(small_validation, tmp_path / "v")
    assert sorted(p.name for p in out.iterdir()) == [
        "replicates.parquet", "report.html", "validation.parquet"]
    table = pd.read_parquet(out / "validation.parquet")
    pd.testing.assert_frame_equal(table, small_validation.table)
    page = (out / "report.html").read_text()
    for target in TARGETS:
        assert f"id='chart-{target.id}'" in page or f'id="chart-{target.id}"' in page
    assert page.count("<td>MISS</td>") + page.count("<td>pass</td>") == len(table)


def test_markdown_table_has_a_row_per_measure(small_validation):
    lines = markdown_table(small_validation.table).splitlines()
    assert len(lines) == 2 + len(small_validation.table)
    assert all(line.count("|") == 8 for line in lines)


@pytest.mark.parametrize("target", ["T9", "t0"])
def test_unknown_target_is_refused(target):
    with pytest.raises(KeyError, match="expected one of T1, T2, T3, T4, T5, T6"):
        validate([target], size="small")
