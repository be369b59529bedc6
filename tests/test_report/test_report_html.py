"""``report.html``: every section, self-contained, deterministic, written atomically."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest

import sim.analysis.report as report_module
from sim.analysis.compare import compare
from sim.analysis.report import SECTION_TITLES, SECTIONS, report_html, write_report
from sim.running.output import REPORT_FILE, RESULT_FILES, write_run


class Crash(Exception):
    pass


@pytest.fixture(scope="module")
def text(tiny_report):
    return tiny_report.read_text(encoding="utf-8")


def test_report_has_every_section_title_and_explanation(text):
    for section in SECTIONS:
        assert f"<h2>{section.title}</h2>" in text
        assert section.explanation.replace("'", "&#x27;") in text
    assert len(SECTION_TITLES) == 12


def test_report_has_a_chart_per_section_but_the_table(text):
    charts = re.findall(r'id="(chart-[a-z]+)" class="plotly-graph-div"', text)
    assert charts == [f"chart-{s.key}" for s in SECTIONS if s.key != "outcomes"]
    assert text.count("Plotly.newPlot(") == len(charts)


def test_report_needs_no_network(text):
    assert not re.search(r"<script[^>]*\bsrc=", text)
    assert not re.search(r"<link[^>]*href=\"https?:", text)
    assert text.count("<script type=\"text/javascript\">") == 1  # plotly.js, embedded once
    library = re.search(r'<script type="text/javascript">(.*?)</script>', text, re.S).group(1)
    assert len(library) > 3_000_000 and "plotly" in library[:2000].lower()
    page = text.replace(library, "")
    assert "http://" not in page and "https://" not in page


def test_outcome_table_shows_differences_in_plain_words(tiny_result, text):
    table = compare(tiny_result)
    assert '<table class="outcomes">' in text
    for label in table["label"].unique():
        assert f"<td>{label.replace("'", "&#x27;")}</td>" in text
    for arm in ("baseline", "no_welcome", "irregular"):
        assert f"<th>{arm}</th>" in text
    assert re.search(r"too few replicates to tell \(3; use 5 or more\)"
                     r"|the same in every replicate", text)
    assert "95% CI" in text


def test_header_says_what_each_arm_changes(text):
    assert "no_welcome: welcome switched off" in text
    assert "irregular: content: schedule = irregular" in text
    assert "3 arm(s) x 3 replicate(s), 45 days" in text


def test_same_result_gives_the_same_bytes(tiny_result, tiny_report, tmp_path):
    again = write_report(tiny_result, tmp_path)
    assert again == tmp_path / "report.html"
    assert again.read_bytes() == tiny_report.read_bytes()


def test_write_report_is_atomic(tiny_result, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old report")

    def failing(path, write):
        def half(p):
            p.write_text("<html>half")
            raise Crash("disk full")

        return real(path, half)

    real = report_module.write_atomic
    monkeypatch.setattr(report_module, "write_atomic", failing)
    with pytest.raises(Crash):
        write_report(tiny_result, target)
    assert target.read_text() == "old report"
    assert os.listdir(tmp_path) == ["report.html"]


def test_write_run_moves_the_report_in_with_the_data(tiny_result, tmp_path):
    out = write_run(tiny_result, tmp_path / "run", report=report_html(tiny_result))
    assert set(os.listdir(out)) == {*RESULT_FILES, REPORT_FILE}
    assert "<h2>Survival of the group</h2>" in (out / REPORT_FILE).read_text(encoding="utf-8")


def test_write_run_without_report_writes_only_the_data(tiny_result, tmp_path):
    out = write_run(tiny_result, tmp_path / "run")
    assert set(os.listdir(out)) == set(RESULT_FILES)


def test_a_failing_report_writes_nothing(tiny_result, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise Crash("no report")

    monkeypatch.setattr(report_module, "report_figures", broken)
    with pytest.raises(Crash):
        write_run(tiny_result, tmp_path / "run", report=report_html(tiny_result))
    left = os.listdir(tmp_path / "run") if (tmp_path / "run").exists() else []
    assert left == []


def test_a_crash_while_staging_keeps_the_previous_folder(tiny_result, tmp_path, monkeypatch):
    out = write_run(tiny_result, tmp_path / "run", report=report_html(tiny_result))
    before = {name: (out / name).read_bytes() for name in os.listdir(out)}
    real = pd.DataFrame.to_parquet
    calls = {"n": 0}

    def flaky(self, path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Crash("disk on fire")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", flaky)
    with pytest.raises(Crash):
        write_run(tiny_result, out, report=report_html(tiny_result))
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == before


def test_single_arm_report_says_there_is_nothing_to_compare(tiny_result):
    only = type(tiny_result)(
        scenario=tiny_result.scenario.with_changes(arms={}),
        timeseries=tiny_result.timeseries[tiny_result.timeseries["arm"] == "baseline"],
        summary=tiny_result.summary[tiny_result.summary["arm"] == "baseline"],
        members=tiny_result.members[tiny_result.members["arm"] == "baseline"])
    text = report_html(only)
    assert "only one arm: nothing to compare" in text
    assert all(f"<h2>{title}</h2>" in text for title in SECTION_TITLES)
