"""A hostile YAML file gets nowhere: aliases, anchors and huge texts are refused at parse time.

An alias bomb ("billion laughs": each level of ``*alias`` multiplies the document) of a
few hundred bytes used to hold ``commsim check`` for 19.6 s and 1.25 GB at seven levels,
about 9 times more per level (issue 23). Every loader now refuses the first anchor or
alias, naming the file and line, before any walk over the document.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.cli.app import app
from sim.dashboard.jobs import scenario_from_upload
from sim.formats import plainyaml
from sim.formats.experiment import load_experiment
from sim.formats.scenario import ScenarioError, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[2]


def alias_bomb(levels: int) -> str:
    """A scenario whose ``levels`` nested aliases stand for 9**levels strings."""
    lines = ["name: bomb", 'l0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [1, 8, 12])
def test_an_alias_bomb_is_refused_within_a_second_in_little_memory(levels, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(levels), encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 20_000_000
    message = str(caught.value)
    assert f"{path}:2:" in message  # the line of the first anchor
    assert "anchors (&a0) are not allowed" in message


def test_commsim_check_answers_an_alias_bomb_with_one_line(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(8), encoding="utf-8")  # 403 bytes, 9**7 strings at the end
    assert path.stat().st_size < 450
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["check", str(path)])
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"error: {path}:2: not valid YAML: anchors (&a0) are not allowed" in result.output


def test_an_alias_alone_is_refused_on_its_line():
    text = "name: x\nstrategies:\n  welcome: *somewhere\n"
    with pytest.raises(ScenarioError, match=r"x\.yaml:3: .*aliases \(\*somewhere\) are not "):
        parse_scenario(text, "x.yaml")


def test_a_merge_key_with_an_anchor_is_refused():
    text = "name: x\nbase: &b {days: 10}\nrun:\n  <<: *b\n"
    with pytest.raises(ScenarioError, match=r"x\.yaml:2: .*anchors \(&b\)"):
        parse_scenario(text, "x.yaml")


def test_an_experiment_file_with_an_alias_is_refused(tmp_path):
    scenario = ROOT / "scenarios" / "baseline.yaml"
    path = tmp_path / "sweep.yaml"
    path.write_text(f"name: s\nscenario: {scenario}\nlevers:\n"
                    "  strategies.content.posts_per_day: &v {values: [1, 2]}\n"
                    "  strategies.content.quality: *v\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"sweep\.yaml:4: .*anchors \(&v\)"):
        load_experiment(path)


def test_a_dashboard_upload_with_an_alias_bomb_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="anchors"):
        scenario_from_upload(alias_bomb(12), "upload.yaml")
    assert time.perf_counter() - start < 1.0


def test_a_text_over_the_limit_is_refused_before_it_is_parsed():
    text = "name: big\n" + "# padding\n" * (plainyaml.MAX_BYTES // 10 + 1)
    with pytest.raises(ScenarioError, match=r"bytes; commsim reads YAML files of at most"):
        parse_scenario(text, "big.yaml")


def test_plain_files_read_as_before():
    text = (ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    assert plainyaml.load(text) == yaml.safe_load(text)


def test_python_tags_stay_refused():
    with pytest.raises(yaml.YAMLError):
        plainyaml.load("x: !!python/object/apply:os.system ['true']\n")


@pytest.mark.parametrize("shape", ["wrong keys", "long list"])
def test_the_largest_file_allowed_is_answered_quickly(shape):
    """Bounded work: a file just under the limit, shaped to cost the most (thousands of
    wrong keys, each with a suggestion; a list of 45,000 numbers), is parsed once and
    answered with at most 50 problems described (0.4-0.7 s here under load)."""
    if shape == "wrong keys":
        text = "name: x\nstrategies:\n" + "".join(f"  k{i}: {{a: 1}}\n" for i in range(7000))
        text = text[: plainyaml.MAX_BYTES - 100].rsplit("\n", 1)[0] + "\n"
    else:
        text = "name: x\ndescription: [" + ",".join(["1"] * 49000) + "]\n"
    assert plainyaml.MAX_BYTES - 2000 < len(text) <= plainyaml.MAX_BYTES
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "big.yaml")
    assert time.perf_counter() - start < 5.0  # bounded: thousands of problems cost seconds each
    assert len(caught.value.problems) <= 51
    if shape == "wrong keys":
        assert str(caught.value.problems[-1]).endswith("more problems not shown; fix these first")
