"""The Optimize tab without a browser: study folders found, its table, figures and the
scenario it hands to Explore, on a small study made by ``commsim optimize``."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sim.dashboard.context import Context
from sim.dashboard.data import load_study
from sim.dashboard.folders import list_folders
from sim.dashboard.jobs import base_scenario
from sim.dashboard.optimize_page import (
    axis_options,
    default_axes,
    points_table,
    scenario_source,
)
from sim.optimization.report import (
    front_objectives,
    front_scatter,
    importance_figure,
    objective_words,
)


@pytest.fixture(scope="module")
def study(studies_dir):
    return load_study(studies_dir / "tiny-study")


def test_study_folders_are_listed_and_one_without_its_front_says_so(studies_dir, tmp_path):
    found = {f.name: f for f in list_folders(studies_dir)}
    assert found["tiny-study"].kind == "study"
    assert found["tiny-study"].title == "tiny search"
    assert found["unfinished-study"].kind == "unfinished study"
    assert "no front.parquet yet" in found["unfinished-study"].detail
    ctx = Context(runs_dir=studies_dir, work_dir=tmp_path, scenarios_dir=tmp_path)
    assert ctx.study_folder("tiny-study") == studies_dir / "tiny-study"
    assert ctx.study_folder("unfinished-study") is None  # nothing to show yet
    assert ctx.study_folder("../tiny-study") is None  # names come from the listing only
    # a calibration's study.db alone is no optimization study
    (tmp_path / "calibration").mkdir()
    (tmp_path / "calibration" / "study.db").write_bytes(b"")
    assert list_folders(tmp_path) == []


def test_the_study_is_read_with_its_objectives_trials_and_importances(studies_dir, study):
    front = pd.read_parquet(studies_dir / "tiny-study" / "front.parquet")
    assert study.objectives == ["members_final", "active_share_last_28d", "survival"]
    assert front_objectives(front) == study.objectives
    assert len(study.front) == len(front) >= 1
    assert len(study.trials) == 8
    assert set(study.importance["objective"]) <= set(study.objectives)
    assert importance_figure(study.importance) is not None
    assert default_axes(study) == ("members_final", "active_share_last_28d", "survival")
    assert [o["value"] for o in axis_options(study)][-2:] == ["money_per_month",
                                                              "hours_per_week"]
    assert objective_words("members_final_p10") == "members at end (10th percentile)"
    assert objective_words("survival") == "groups alive at the end"


def test_the_scatter_has_every_trial_the_front_and_its_intervals(study):
    fig = front_scatter(study.front, study.trials, "members_final", "hours_per_week",
                        "survival")
    front = fig.data[-1]
    assert front.name == "front (fresh runs)"
    assert list(front.customdata) == study.front["point"].tolist()
    assert list(front.error_x.arrayminus) == pytest.approx(
        (study.front["members_final"] - study.front["members_final_low"]).tolist())
    assert front.error_y.visible is False  # hours used have no interval
    grey = sum(len(t.x) for t in fig.data[:-1])
    assert grey == (study.trials["state"] == "complete").sum()


def test_the_table_lists_each_point_with_its_playbook_money_and_hours(study):
    table = points_table(study, selected=1)
    head = [th.children for th in table.children[0].children.children]
    assert head[:4] == ["point", "trial", "same runs", "playbook"]
    assert head[-3:] == ["yuan/month", "hours/week", "within budget"]
    rows = table.children[1].children
    assert len(rows) == len(study.front)
    first = [td.children for td in rows[0].children]
    assert first[3] == study.front["playbook"].iloc[0]
    assert first[-3] == f"{study.front['money_per_month'].iloc[0]:.0f}"
    assert rows[0].className == "selected"


def test_a_point_handed_to_explore_is_its_scenario_file(study):
    point = int(study.front["point"].iloc[-1])
    source = scenario_source(study, "tiny-study", point)
    assert source["kind"] == "upload" and source["name"].endswith(f"front-point-{point}.yaml")
    scenario = base_scenario(source, {})  # as Explore reads an uploaded file
    assert scenario.name == f"tiny search - front point {point}"
    expected = yaml.safe_load(study.point(point)["scenario_yaml"])
    assert scenario.resolved()["strategies"] == expected["strategies"]
    with pytest.raises(KeyError):
        study.point(999)
