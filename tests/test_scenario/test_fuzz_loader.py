"""Fuzzing the scenario loader: whatever a user writes, a clear answer, never a crash.

Random YAML documents and random mutations of the shipped scenarios (keys deleted,
misspelt or invented, values of the wrong type or out of range) must either validate
or raise :class:`ScenarioError` whose problems name the file and say what is wrong;
through the CLI, a rejected file exits 2 with no traceback and leaves no run folder.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.formats.scenario import Scenario, ScenarioError, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))
KEYS = sorted({*Scenario.model_fields, "size", "network", "traits", "capacity", "founders",
               "kind", "mean_degree", "welcome", "content", "red_envelope", "entry", "amount",
               "every", "posts_per_day", "quality", "fee", "seed_user"})
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=10))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(keys, inner, max_size=5)),
    max_leaves=20)


def outcome(text: str, source: str = "fuzz.yaml") -> Scenario | ScenarioError:
    """Parse; any exception other than ScenarioError fails the test."""
    try:
        return parse_scenario(text, source)
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.source == source and problem.message
            assert "Traceback" not in str(problem)
        return error


@FUZZ
@given(documents)
def test_random_documents_get_an_answer(doc):
    outcome(yaml.safe_dump(doc, allow_unicode=True))


@FUZZ
@given(st.text(max_size=200))
def test_random_text_gets_an_answer(text):
    outcome(text)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))


@st.composite
def mutated(draw):
    """A shipped scenario with one to three random changes."""
    path = draw(st.sampled_from(SHIPPED))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        if not paths:
            break
        target = draw(st.sampled_from(paths))
        parent = data
        for key in target[:-1]:
            parent = parent[key]
        key = target[-1]
        action = draw(st.sampled_from(["delete", "retype", "rename", "invent"]))
        if action == "delete":
            del parent[key]
        elif action == "retype":
            parent[key] = draw(scalars | st.lists(scalars, max_size=3))
        elif action == "rename":
            typo = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1,
                                max_size=3))
            parent[f"{key}{typo}"] = parent.pop(key)
        else:
            parent[draw(keys)] = draw(scalars)
    return copy.deepcopy(data)


@FUZZ
@given(mutated())
def test_mutated_shipped_scenarios_get_an_answer(data):
    outcome(yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_cli_rejects_cleanly_and_writes_nothing(tmp_path, data):
    case = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by the examples
    path = case / "mutated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = case / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--days", "2",
                                      "--replicates", "1", "--workers", "1", "--quiet",
                                      "--no-report"])
    assert "Traceback" not in result.output
    if isinstance(outcome(path.read_text(encoding="utf-8"), str(path)), ScenarioError):
        assert result.exit_code == 2
        assert not out.exists()
    else:
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in out.iterdir()) == [
            "members.parquet", "scenario.resolved.yaml", "summary.parquet",
            "timeseries.parquet"]
        assert isinstance(sim.load_scenario(out / "scenario.resolved.yaml"), Scenario)
