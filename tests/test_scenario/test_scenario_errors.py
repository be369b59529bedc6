"""Bad scenario files give one clear message: file, line, key path, expectation, hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.formats.scenario import Problem, ScenarioError, load_scenario, parse_scenario

# (case id, YAML text, key path, line, words the message must contain, suggestion)
BAD = [
    ("unknown top-level key",
     "name: typo\n# a comment\nreplicatse: 3\n",
     "replicatse", 3, ["unknown key", "replicatse", "replicates"], "replicates"),
    ("unknown nested key",
     "name: typo\npopulation:\n  size: 300\n  netwrok: {kind: random}\n",
     "population.netwrok", 4, ["unknown key", "netwrok", "network"], "network"),
    ("unknown strategy",
     "days: 20\nstrategies:\n  content: {}\n  welcom: {}\n",
     "strategies.welcom", 4, ["unknown strategy", "welcom", "welcome", "content"], "welcome"),
    ("unknown strategy parameter",
     "days: 20\nstrategies:\n  welcome: {}\n  content:\n    quality: 0.5\n"
     "    post_per_day: 3\n",
     "strategies.content.post_per_day", 6, ["unknown key", "post_per_day", "posts_per_day"],
     "posts_per_day"),
    ("wrong type",
     "name: x\n\ndays: many\n",
     "days", 3, ["integer", "many"], None),
    ("out of range capacity",
     "name: x\ngroup:\n  founders: {admin: 1}\n  capacity: 1\n",
     "group.capacity", 4, ["out of range", ">= 2", "1"], None),
    ("out of range quality",
     "strategies:\n  content: {posts_per_day: 2, quality: 1.5}\n",
     "strategies.content.quality", 2, ["out of range", "<= 1", "1.5"], None),
    ("bad choice",
     "population:\n  size: 300\n  network:\n    mean_degree: 4\n    kind: powerlaw\n",
     "population.network.kind", 5, ["powerlaw", "powerlaw_cluster", "small_world"],
     "powerlaw_cluster"),
    ("unknown trait",
     "population:\n  traits: {spamer_share: 0.1}\n",
     "population.traits.spamer_share", 2, ["unknown key", "spammer_share"], "spammer_share"),
    ("unknown founder",
     "group:\n  founders:\n    admins: 2\n",
     "group.founders.admins", 3, ["unknown key", "admin"], "admin"),
    ("unknown dynamics constant",
     "dynamics:\n  read_flor: 0.1\n",
     "dynamics.read_flor", 2, ["unknown key", "read_floor"], "read_floor"),
    ("unknown strategy in an arm",
     "strategies: {welcome: {}}\narms:\n  quiet:\n    welcom: false\n",
     "arms.quiet.welcom", 4, ["unknown strategy", "welcom", "welcome"], "welcome"),
    ("section that is not a mapping",
     "name: x\npopulation: 5\n",
     "population", 2, ["5"], None),
]


def _one_problem(text: str, source: str = "bad.yaml") -> Problem:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source)
    assert len(info.value.problems) == 1, str(info.value)
    return info.value.problems[0]


@pytest.mark.parametrize(("text", "path", "line", "words", "suggestion"),
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_key_or_value_gives_one_clear_message(text, path, line, words, suggestion):
    problem = _one_problem(text)
    assert problem.source == "bad.yaml"
    assert problem.path == path
    assert problem.line == line
    for word in words:
        assert word in problem.message, problem.message
    assert problem.suggestion == suggestion
    shown = str(problem)
    assert shown.startswith(f"bad.yaml:{line}: {path}:")
    if suggestion:
        assert f"did you mean '{suggestion}'" in shown


def test_unknown_key_lists_the_valid_keys():
    problem = _one_problem("population:\n  netwrok: {}\n")
    for key in ("size", "network", "traits"):
        assert key in problem.message


def test_unknown_strategy_without_near_name_lists_the_strategies():
    problem = _one_problem("strategies:\n  zzzz: {}\n")
    assert problem.suggestion is None
    assert "welcome" in problem.message and "content" in problem.message


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nothere.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.source == str(path)
    assert "not found" in problem.message
    assert str(path) in str(info.value)


def test_missing_file_suggests_a_similar_file(tmp_path):
    (tmp_path / "baseline.yaml").write_text("name: b\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "baseline.yml")
    (problem,) = info.value.problems
    assert problem.suggestion == str(tmp_path / "baseline.yaml")


def test_bad_indentation_gives_the_line(tmp_path):
    path = tmp_path / "indent.yaml"
    path.write_text("name: a\ndays: 20\npopulation:\n  size: 300\n   network: {}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.source == str(path)
    assert problem.line == 5
    assert "YAML" in problem.message
    assert str(info.value).startswith(f"{path}:5:")


def test_unclosed_bracket_is_not_valid_yaml():
    problem = _one_problem("name: a\npopulation: {size: 300\ndays: 3\n")
    assert "YAML" in problem.message
    assert problem.line is not None and problem.line >= 2


def test_a_tab_in_yaml_says_to_indent_with_spaces():
    problem = _one_problem("name: a\nstrategies:\n\twelcome: {}\n")
    assert problem.line == 3
    assert problem.message.endswith("indent with spaces, not tabs")


def test_yaml_list_instead_of_mapping():
    problem = _one_problem("- name: a\n- days: 20\n")
    assert problem.line == 1
    assert "mapping" in problem.message
    assert "list" in problem.message


def test_yaml_scalar_instead_of_mapping():
    problem = _one_problem("just some words\n")
    assert "mapping" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing yet\n# (a comment only)\n", "---\n"])
def test_an_empty_file_is_an_error_not_every_default(tmp_path, text):
    """A file saved before it was written, or the wrong file, must not run silently."""
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: the scenario file is empty"]


@pytest.mark.parametrize("command", ["run", "check"])
def test_the_command_refuses_an_empty_file_and_writes_nothing(tmp_path, command):
    from typer.testing import CliRunner

    from sim.cli.app import app

    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n")
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"error: {path}: the scenario file is empty" in " ".join(result.output.split())
    assert not out.exists()


def test_an_explicit_empty_mapping_still_asks_for_every_default():
    assert parse_scenario("{}").arm_names() == ["baseline"]


def test_edgelist_network_whose_file_is_missing(tmp_path):
    path = tmp_path / "edges.yaml"
    path.write_text("name: e\npopulation:\n  network:\n    kind: edgelist\n"
                    "    path: friends.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.source == str(path)
    assert problem.path == "population.network.path"
    assert problem.line == 5
    assert "friends.csv" in problem.message
    assert "not found" in problem.message


def test_edgelist_network_without_a_path(tmp_path):
    path = tmp_path / "edges.yaml"
    path.write_text("population:\n  network: {kind: edgelist}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.path == "population.network.path"


def test_edgelist_path_is_relative_to_the_scenario_file(tmp_path, monkeypatch):
    folder = tmp_path / "nets"
    folder.mkdir()
    (folder / "friends.csv").write_text("source,target\n0,1\n1,2\n2,0\n")
    path = folder / "edges.yaml"
    path.write_text("population:\n  network: {kind: edgelist, path: friends.csv}\n"
                    "group: {founders: {admin: 0, opinion_leader: 0, seed_user: 1}}\n")
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(Path("nets") / "edges.yaml")
    assert scenario.population.network.kind == "edgelist"
    # pinned down, so the resolved scenario runs the same from any folder
    assert scenario.population.network.path == str(folder.resolve() / "friends.csv")
    assert scenario.population.size == 3


def test_edgelist_size_that_disagrees_with_the_file(tmp_path):
    (tmp_path / "friends.csv").write_text("".join(f"{i},{i + 1}\n" for i in range(40)))
    path = tmp_path / "edges.yaml"
    path.write_text("population:\n  size: 5000\n  network: {kind: edgelist, path: friends.csv}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("population.size", 2)
    assert "41 people" in problem.message and "5,000" in problem.message


def test_network_path_without_an_edge_list_is_an_error():
    problem = _one_problem("population:\n  network: {kind: random, path: friends.csv}\n")
    assert problem.path == "population.network.path"
    assert "only read when kind is edgelist" in problem.message


@pytest.mark.parametrize(("group", "path", "words"), [
    ("{capacity: 10, founders: {seed_user: 50}}", "group.founders", ["56 founders", "10"]),
    ("{capacity: 100, initial_members: 500}", "group.initial_members",
     ["500 initial members", "at most 74"]),
])
def test_founders_and_initial_members_must_fit_in_the_group(group, path, words):
    problem = _one_problem(f"name: x\ngroup: {group}\n")
    assert (problem.path, problem.line) == (path, 2)
    assert all(w in problem.message for w in words)


def test_day_zero_members_must_fit_in_the_population():
    problem = _one_problem("population: {size: 20}\ngroup: {initial_members: 100}\n")
    assert (problem.path, problem.line) == ("population.size", 1)
    assert "126 members" in problem.message


def test_a_key_written_twice_is_an_error_not_a_silent_overwrite():
    text = "name: dup\nweeks: 10\nweeks: 12\nstrategies:\n  content: {}\n  content: {}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "dup.yaml")
    found = [(p.path, p.line) for p in info.value.problems]
    assert found == [("weeks", 3), ("strategies.content", 6)]
    assert "first on line 2" in info.value.problems[0].message


def test_a_folder_given_as_the_scenario_file(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    (problem,) = info.value.problems
    assert "is a folder, not a scenario file" in problem.message
    assert "a.yaml" in problem.message


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(
        "name: many errors\n"          # 1
        "replicatse: 3\n"              # 2
        "days: many\n"                 # 3
        "group:\n"                     # 4
        "  capacity: 1\n"              # 5
        "strategies:\n"                # 6
        "  welcom: {}\n"               # 7
        "  content: {quality: 1.5}\n"  # 8
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = {(p.path, p.line) for p in info.value.problems}
    assert found == {("replicatse", 2), ("days", 3), ("group.capacity", 5),
                     ("strategies.welcom", 7), ("strategies.content.quality", 8)}
    assert all(p.source == str(path) for p in info.value.problems)


def test_arm_named_baseline_is_rejected():
    with pytest.raises(ScenarioError) as info:
        parse_scenario("arms:\n  baseline: {welcome: false}\n")
    assert "baseline" in str(info.value)


@pytest.mark.parametrize("text", [
    "arms:\n  a:\n    content: {post_per_day: 2}\n",
    "arms:\n  a:\n    content: {quality: 2}\n",
    "arms:\n  a:\n    content: {schedule: weekly}\n",
], ids=["unknown parameter", "out of range", "bad choice"])
def test_bad_parameter_in_an_arm_gives_one_message(text):
    problem = _one_problem(text)
    assert problem.path.startswith("arms.a.content.")
    assert problem.line == 3


def test_a_strategy_that_is_not_a_mapping_says_what_it_may_be():
    problem = _one_problem("strategies:\n  welcome: 5\n")
    assert problem.message == ("expected a mapping of its settings, or true / false to switch "
                               "it on / off (got 5)")
    assert "WelcomeSettings" not in str(problem)  # no class names of ours


@pytest.mark.parametrize("name", ["''", "' quiet'"])
def test_arm_names_must_be_visible(name):
    problem = _one_problem(f"arms:\n  {name}: {{content: {{}}}}\n")
    assert problem.path == "arms" and "empty or starts or ends with a space" in problem.message


@pytest.mark.parametrize(("text", "line", "path"), [
    ("name: x\n~: 3\n", 2, ""),
    ("name: x\narms:\n  1: {content: {}}\n", 3, "arms"),
])
def test_a_key_that_is_not_a_name_is_reported_at_its_line(text, line, path):
    problem = _one_problem(text)
    assert (problem.line, problem.path) == (line, path)
    assert "is not a name" in problem.message and "None" not in problem.message
