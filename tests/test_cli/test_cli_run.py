"""``commsim run``: the results folder, its tables, the resolved scenario and the options."""

from __future__ import annotations

import os
from importlib import metadata

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.engine.metrics import run_tables
from sim.engine.seeding import replicate_seeds

TINY = """\
name: cli run test
days: 20
seed: 3
replicates: 2
population: {size: 300, network: {kind: powerlaw_cluster, mean_degree: 6}}
group: {capacity: 120}
strategies:
  welcome: {}
  content: {posts_per_day: 2}
arms:
  no_welcome: {welcome: false}
"""

# Same as TINY but without arms: the resolved file of this one must reproduce the run.
TINY_NO_ARMS = TINY.split("arms:")[0]

RESULT_FILES = {"timeseries.parquet", "summary.parquet", "members.parquet",
                "scenario.resolved.yaml", "report.html"}

TIMESERIES_COLUMNS = [
    "run_id", "arm", "replicate", "seed", "day", "members", "joins", "leaves", "removed",
    "posters", "readers", "muted", "messages", "spam_messages", "red_envelope_money",
    "money_spent", "revenue", "conversions", "alive", "value", "value_content",
    "value_material", "value_help", "value_bonds", "value_identity",
]
SUMMARY_COLUMNS = [
    "run_id", "arm", "replicate", "seed", "days", "members_final", "members_peak",
    "messages_total", "active_share_last_28d", "spam_share", "ads_total",
    "newcomer_retention_30d",
    "top1_share", "lurker_share", "money_spent", "revenue", "roi", "dead_day",
]
MEMBERS_COLUMNS = [
    "run_id", "agent_id", "role_at_join", "role_at_end", "joined_day", "left_day", "exit",
    "invited_by", "first_post_day", "first_post_answered", "messages", "money_received",
    "money_sent", "converted", "muted_day",
]

runner = CliRunner()


def invoke(*args, workers: int = 1):
    """Run the CLI in-process; ``run`` uses one worker unless told otherwise (fast)."""
    argv = [str(a) for a in args]
    if argv[0] == "run":
        argv += ["--workers", str(workers)]
    return runner.invoke(app, argv)


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "tiny.yaml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def run_folder(scenario_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny-out"
    result = invoke("run", scenario_file, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def tables(run_folder):
    return {name: pd.read_parquet(run_folder / f"{name}.parquet")
            for name in ("timeseries", "summary", "members")}


def test_run_writes_exactly_the_result_files(run_folder):
    assert set(os.listdir(run_folder)) == RESULT_FILES
    assert not [n for n in os.listdir(run_folder.parent) if n.endswith(".partial")]


def test_timeseries_has_one_row_per_run_and_day(tables):
    ts = tables["timeseries"]
    assert set(TIMESERIES_COLUMNS) <= set(ts.columns)
    assert list(ts.columns[:5]) == ["run_id", "arm", "replicate", "seed", "day"]
    assert not ts.duplicated(["run_id", "day"]).any()
    assert ts["run_id"].nunique() == 4  # 2 arms x 2 replicates
    for _, days in ts.groupby("run_id")["day"]:
        assert list(days) == list(range(20))
    assert ts["alive"].dtype == bool
    assert (ts["members"] >= 0).all()
    assert (ts["spam_messages"] <= ts["messages"]).all()


def test_summary_has_one_row_per_run(tables):
    summary, ts = tables["summary"], tables["timeseries"]
    assert set(SUMMARY_COLUMNS) <= set(summary.columns)
    assert summary["run_id"].is_unique
    assert set(summary["run_id"]) == set(ts["run_id"])
    assert list(summary["arm"]) == ["baseline", "baseline", "no_welcome", "no_welcome"]
    assert list(summary["replicate"]) == [0, 1, 0, 1]
    assert (summary["days"] == 20).all()
    last = ts.sort_values("day").groupby("run_id").tail(1).set_index("run_id")
    for row in summary.itertuples():
        assert row.members_final == last.loc[row.run_id, "members"]
        assert row.members_peak >= row.members_final
        survived = bool(last.loc[row.run_id, "alive"])
        assert pd.isna(row.dead_day) == survived  # dead_day is null when the group survived


def test_members_has_one_row_per_person_ever_a_member(tables):
    members, summary = tables["members"], tables["summary"]
    assert set(MEMBERS_COLUMNS) <= set(members.columns)
    kinds = [c for c in members.columns if c.startswith("messages_")]
    assert kinds, "messages_<kind> columns are missing"
    assert (members[kinds].sum(axis=1) == members["messages"]).all()
    assert not members.duplicated(["run_id", "agent_id"]).any()
    assert set(members["exit"]) <= {"left", "removed", "member"}
    still = members[members["exit"] == "member"].groupby("run_id").size()
    for row in summary.itertuples():
        assert still.get(row.run_id, 0) == row.members_final
    assert members.loc[members["exit"] == "member", "left_day"].isna().all()
    assert members.loc[members["exit"] != "member", "left_day"].notna().all()


def test_resolved_yaml_has_versions_and_replicate_seeds(run_folder, tables):
    data = yaml.safe_load((run_folder / "scenario.resolved.yaml").read_text())
    provenance = data["provenance"]
    seeds = replicate_seeds(3, 2)
    assert sorted(provenance["replicate_seeds"]) == sorted(seeds)
    assert set(tables["summary"]["seed"]) == set(seeds)
    versions = provenance["versions"]
    for package in ("mesa", "numpy", "pandas", "pydantic", "networkx"):
        assert versions[package] == metadata.version(package)
    assert "python" in versions
    assert data["days"] == 20 and data["replicates"] == 2 and data["seed"] == 3


def test_resolved_yaml_loads_back_and_reproduces_the_run(tmp_path):
    scenario = tmp_path / "plain.yaml"
    scenario.write_text(TINY_NO_ARMS)
    first, second = tmp_path / "first", tmp_path / "second"
    assert invoke("run", scenario, "--out", first, "-q").exit_code == 0
    resolved = first / "scenario.resolved.yaml"
    loaded = sim.load_scenario(resolved)
    assert loaded.horizon == 20 and loaded.replicates == 2
    result = invoke("run", resolved, "--out", second, "-q")
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(first / "summary.parquet"),
                                  pd.read_parquet(second / "summary.parquet"))


def test_resolved_yaml_of_a_scenario_with_arms_reproduces_every_arm(tmp_path):
    scenario = tmp_path / "arms.yaml"
    scenario.write_text(TINY_NO_ARMS + "arms:\n  irregular: {content: {schedule: irregular}}\n")
    original = sim.load_scenario(scenario)
    out = tmp_path / "first"
    assert invoke("run", scenario, "--out", out, "-q").exit_code == 0
    reloaded = sim.load_scenario(out / "scenario.resolved.yaml")
    assert reloaded.strategies_for("irregular") == original.strategies_for("irregular")
    summary = sim.run(reloaded).summary
    pd.testing.assert_frame_equal(summary.drop(columns="run_id"),
                                  pd.read_parquet(out / "summary.parquet").drop(
                                      columns="run_id"))


def test_quiet_prints_only_the_results_path(scenario_file, tmp_path):
    out = tmp_path / "q"
    result = invoke("run", scenario_file, "--out", out, "--quiet", "--replicates", "1")
    assert result.exit_code == 0
    assert result.output.strip() == str(out)
    assert result.output.count("\n") == 1


def test_quiet_prints_a_long_path_on_one_line(scenario_file, tmp_path):
    out = tmp_path / ("long_folder_name_" * 6) / "results"
    result = invoke("run", scenario_file, "--out", out, "-q", "--replicates", "1",
                    "--days", "3")
    assert result.exit_code == 0
    assert result.output == f"{out}\n"


def test_options_override_the_file(scenario_file, tmp_path):
    out = tmp_path / "override"
    result = invoke("run", scenario_file, "--out", out, "-q",
                    "--replicates", "1", "--seed", "42", "--days", "7")
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 2  # baseline and no_welcome, one replicate each
    assert set(summary["days"]) == {7}
    assert set(summary["seed"]) == set(replicate_seeds(42, 1))
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts["day"].max() == 6
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert (resolved["days"], resolved["seed"], resolved["replicates"]) == (7, 42, 1)


def test_days_option_overrides_weeks_in_the_file(tmp_path):
    scenario = tmp_path / "weeks.yaml"
    scenario.write_text(TINY.replace("days: 20", "weeks: 3"))
    out = tmp_path / "o"
    assert invoke("run", scenario, "--out", out, "-q", "--days", "4",
                  "--replicates", "1").exit_code == 0
    assert set(pd.read_parquet(out / "summary.parquet")["days"]) == {4}


def test_seed_column_reruns_one_run_alone(scenario_file, run_folder):
    # sim/engine/seeding.py: a single run is re-run with CommunityModel(scenario, arm, seed).
    summary = pd.read_parquet(run_folder / "summary.parquet")
    wanted = summary[(summary["arm"] == "no_welcome") & (summary["replicate"] == 1)]
    scenario = sim.load_scenario(scenario_file)
    model = sim.CommunityModel(scenario, arm="no_welcome", seed=int(wanted["seed"].iloc[0]))
    model.run_model()
    again = run_tables(model, wanted["run_id"].iloc[0], 1).summary
    pd.testing.assert_frame_equal(again.reset_index(drop=True),
                                  wanted.reset_index(drop=True))


def test_results_do_not_depend_on_the_number_of_workers(scenario_file, run_folder, tmp_path):
    out = tmp_path / "pool"
    result = invoke("run", scenario_file, "--out", out, "-q", workers=2)
    assert result.exit_code == 0, result.output
    for name in ("timeseries", "summary", "members"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"),
                                      pd.read_parquet(run_folder / f"{name}.parquet"))


def test_run_prints_a_summary_table(scenario_file, tmp_path):
    out = tmp_path / "loud"
    result = invoke("run", scenario_file, "--out", out, "--replicates", "1")
    assert result.exit_code == 0
    assert "baseline" in result.stdout and "no_welcome" in result.stdout
    assert str(out) in result.stdout.replace("\n", "")


def test_out_that_is_a_file_is_refused_before_anything_runs(scenario_file, tmp_path):
    out = tmp_path / "notes.txt"
    out.write_text("mine")
    result = invoke("run", scenario_file, "--out", out, "-q")
    assert result.exit_code == 2
    assert "--out: exists and is not a folder" in result.output
    assert "Traceback" not in result.output
    assert out.read_text() == "mine"


def test_out_that_cannot_be_created_is_refused(scenario_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = invoke("run", scenario_file, "--out", blocker / "sub" / "run", "-q")
    assert result.exit_code == 2
    assert "--out: cannot write results there" in result.output


def test_a_folder_with_another_scenarios_results_is_kept_unless_overwrite(tmp_path):
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(TINY_NO_ARMS.replace("cli run test", "first"))
    second.write_text(TINY_NO_ARMS.replace("cli run test", "second"))
    out = tmp_path / "results"
    assert invoke("run", first, "--out", out, "-q", "--days", "3").exit_code == 0
    before = (out / "summary.parquet").read_bytes()
    refused = invoke("run", second, "--out", out, "-q", "--days", "3")
    assert refused.exit_code == 2
    assert "holds the results of scenario 'first'" in refused.output
    assert "--overwrite" in refused.output
    assert (out / "summary.parquet").read_bytes() == before
    # the same scenario again replaces its own results (edit and rerun)
    again = invoke("run", first, "--out", out, "--days", "3")
    assert again.exit_code == 0 and "replaced the earlier run of 'first'" in again.output
    # --overwrite replaces them, and a report of the old results does not stay behind
    replaced = invoke("run", second, "--out", out, "-q", "--days", "3", "--overwrite",
                      "--no-report")
    assert replaced.exit_code == 0, replaced.output
    assert sorted(os.listdir(out)) == sorted(RESULT_FILES - {"report.html"})
    assert yaml.safe_load((out / "scenario.resolved.yaml").read_text())["name"] == "second"


def test_a_run_folder_of_an_edge_list_scenario_runs_again_from_anywhere(tmp_path, monkeypatch):
    nets = tmp_path / "nets"
    nets.mkdir()
    (nets / "friends.csv").write_text("source,target\n" + "".join(
        f"{i},{(i + k) % 120}\n" for i in range(120) for k in (1, 2, 7)))
    (nets / "edges.yaml").write_text(
        "name: edges\ndays: 10\npopulation:\n  network: {kind: edgelist, path: friends.csv}\n"
        "group: {capacity: 60}\n")
    monkeypatch.chdir(nets)
    assert invoke("run", "edges.yaml", "--out", tmp_path / "first", "-q").exit_code == 0
    resolved = yaml.safe_load((tmp_path / "first" / "scenario.resolved.yaml").read_text())
    assert resolved["population"]["size"] == 120
    monkeypatch.chdir(tmp_path / "first")
    result = invoke("run", "scenario.resolved.yaml", "--out", tmp_path / "second", "-q")
    assert result.exit_code == 0, result.output
    assert ((tmp_path / "first" / "members.parquet").read_bytes()
            == (tmp_path / "second" / "members.parquet").read_bytes())


def test_a_stopped_run_takes_away_the_folders_it_made_and_only_those(tmp_path):
    from sim.running.output import prepare_out_dir, remove_created

    (tmp_path / "mine").mkdir()
    target = tmp_path / "mine" / "runs" / "showcase-1"
    top = prepare_out_dir(target)
    assert top == tmp_path / "mine" / "runs" and target.is_dir()
    remove_created(target, top)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    assert not (tmp_path / "mine" / "runs").exists()
    # a path through folders that are then left ("..") creates none of them
    (tmp_path / "afile").write_text("")
    detour = tmp_path / "new1" / "new2" / ".." / ".." / "afile"
    result = runner.invoke(app, ["run", str(_tiny_file(tmp_path)), "--out", str(detour), "-q"])
    assert result.exit_code == 2 and not (tmp_path / "new1").exists()


def _tiny_file(folder):
    path = folder / "tiny.yaml"
    path.write_text(TINY)
    return path


def test_no_report_leaves_a_report_that_is_not_an_earlier_runs(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("my own notes")
    result = invoke("run", _tiny_file(tmp_path), "--out", out, "-q", "--days", "3",
                    "--replicates", "1", "--no-report")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").read_text() == "my own notes"


def test_an_edited_edge_list_makes_other_runs(tmp_path):
    """Same file name, other friendships: the run ids (and a sweep's folder) change."""
    import sim

    (tmp_path / "friends.csv").write_text("".join(f"{i},{(i + 1) % 60}\n" for i in range(60)))
    path = tmp_path / "edges.yaml"
    path.write_text("population:\n  network: {kind: edgelist, path: friends.csv}\n"
                    "group: {capacity: 40}\n")
    before = sim.load_scenario(path).digest()
    (tmp_path / "friends.csv").write_text("".join(f"{i},{(i + 2) % 60}\n" for i in range(60)))
    assert sim.load_scenario(path).digest() != before
