"""The scenario of DESIGN.md validates, resolves and documents itself."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

import sim
from sim.cli.app import app
from sim.engine.strategies import REGISTRY
from sim.formats.scenario import DEFAULT_DAYS, Scenario, ScenarioError, json_schema, parse_scenario

# Copied verbatim from /work/shared/DESIGN.md, section "Scenario files".
DESIGN_EXAMPLE = """\
name: weekly red envelopes vs. paid entry
days: 182                      # or weeks: 26
seed: 7
replicates: 30
population: {size: 5000, network: {kind: powerlaw_cluster, mean_degree: 8, triangles: 0.3}}
group: {capacity: 500, founders: {owner: 1, admin: 2, opinion_leader: 3, seed_user: 20}}
strategies:                    # the baseline arm
  welcome: {}
  content: {posts_per_day: 3, quality: 0.6, schedule: regular}
arms:                          # each arm = baseline + these changes
  red_envelopes: {red_envelope: {every: friday, amount: 50, shares: 20, split: lucky}}
  paid_entry:    {entry: {kind: paid, fee: 9.9}}
"""


def implemented_example_text() -> str:
    """The example without the arms whose strategies are not implemented yet."""
    data = yaml.safe_load(DESIGN_EXAMPLE)
    data["arms"] = {name: changes for name, changes in data["arms"].items()
                    if set(changes) <= set(REGISTRY)}
    if not data["arms"]:
        del data["arms"]
    return yaml.safe_dump(data, sort_keys=False)


def test_design_example_validates_except_for_unimplemented_strategies():
    try:
        parse_scenario(DESIGN_EXAMPLE, "design.yaml")
    except ScenarioError as error:
        missing = {key for arm in yaml.safe_load(DESIGN_EXAMPLE)["arms"].values()
                   for key in arm if key not in REGISTRY}
        assert missing, "only unimplemented strategies may make the example fail"
        for problem in error.problems:
            assert problem.path.startswith("arms.")
            assert problem.path.split(".")[-1] in missing
            assert problem.line in (11, 12)


def test_design_example_without_unimplemented_arms_validates():
    scenario = parse_scenario(implemented_example_text(), "design.yaml")
    assert scenario.name == "weekly red envelopes vs. paid entry"
    assert scenario.horizon == 182
    assert scenario.seed == 7
    assert scenario.replicates == 30
    assert scenario.population.size == 5000
    assert scenario.population.network.kind == "powerlaw_cluster"
    assert scenario.population.network.mean_degree == 8
    assert scenario.population.network.triangles == 0.3
    assert scenario.group.capacity == 500
    assert scenario.group.founders.seed_user == 20
    active = scenario.strategies_for("baseline")
    assert list(active) == ["welcome", "content"]
    assert active["content"].posts_per_day == 3
    assert active["content"].schedule == "regular"
    assert scenario.arm_names()[0] == "baseline"


def test_weeks_26_resolves_to_182_days():
    text = DESIGN_EXAMPLE.split("\narms:")[0].replace(
        "days: 182                      # or weeks: 26", "weeks: 26")
    assert "days" not in yaml.safe_load(text)
    scenario = parse_scenario(text, "weeks.yaml")
    assert scenario.horizon == 182
    resolved = scenario.resolved()
    assert resolved["days"] == 182
    assert "weeks" not in resolved


def test_days_and_weeks_that_agree_are_accepted():
    assert parse_scenario("days: 14\nweeks: 2\n").horizon == 14


def test_no_horizon_means_default_days():
    assert parse_scenario("name: short\n").horizon == DEFAULT_DAYS


def test_days_and_weeks_that_disagree_are_an_error():
    text = DESIGN_EXAMPLE.split("\narms:")[0].replace(
        "days: 182                      # or weeks: 26", "days: 182\nweeks: 20")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "both.yaml")
    problems = info.value.problems
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith("both.yaml:")
    assert "days" in text and "weeks" in text
    assert "Traceback" not in text


def test_days_and_weeks_conflict_names_the_key_and_its_line():
    with pytest.raises(ScenarioError) as info:
        parse_scenario("name: x\ndays: 10\nweeks: 26\n", "both.yaml")
    (problem,) = info.value.problems
    assert problem.path in ("days", "weeks")
    assert problem.line in (2, 3)
    assert "got a mapping" not in problem.message


def test_resolved_fills_every_default():
    scenario = parse_scenario(implemented_example_text(), "design.yaml")
    resolved = scenario.resolved()
    defaults = Scenario().resolved()
    # Every key a default scenario has is present, recursively, in the resolved one.

    def keys(data, prefix=()):
        out = set()
        for key, value in data.items():
            out.add((*prefix, key))
            if isinstance(value, dict) and key != "arms":
                out |= keys(value, (*prefix, key))
        return out

    assert keys(defaults) <= keys(resolved)
    # Values not given in the file are the defaults.
    assert resolved["group"]["initial_members"] == defaults["group"]["initial_members"]
    assert resolved["group"]["consent_above"] == 40
    assert resolved["population"]["traits"] == defaults["population"]["traits"]
    assert resolved["dynamics"] == defaults["dynamics"]
    assert resolved["population"]["network"]["rewire"] == \
        defaults["population"]["network"]["rewire"]
    # Strategies switched on with `{}` get every parameter with its default value.
    welcome = resolved["strategies"]["welcome"]
    assert welcome == REGISTRY["welcome"].Settings().model_dump(mode="json")
    content = resolved["strategies"]["content"]
    assert set(content) == {p.name for p in REGISTRY["content"].params}
    assert content["posts_per_day"] == 3
    assert content["quality"] == 0.6
    # Given values are kept and days is resolved.
    assert resolved["days"] == 182 and resolved["seed"] == 7 and resolved["replicates"] == 30
    assert "provenance" not in resolved
    # The resolved data is itself a valid scenario describing the same thing.
    again = Scenario.model_validate(resolved)
    assert again.resolved() == resolved


def _described(schema: dict, prop: dict) -> bool:
    if prop.get("description"):
        return True
    refs = [prop] + prop.get("anyOf", []) + prop.get("allOf", [])
    for ref in refs:
        target = ref.get("$ref", "")
        if target.startswith("#/$defs/"):
            if schema["$defs"][target.split("/")[-1]].get("description"):
                return True
    return False


def _all_properties(schema: dict):
    yield "Scenario", schema["properties"]
    for name, definition in schema.get("$defs", {}).items():
        yield name, definition.get("properties", {})


def test_every_value_key_has_a_description_in_the_json_schema():
    schema = json_schema()
    missing = [f"{owner}.{key}" for owner, props in _all_properties(schema)
               for key, prop in props.items()
               if "$ref" not in json.dumps(prop) and not prop.get("description")]
    assert missing == []


def test_every_strategy_and_parameter_is_in_the_json_schema():
    schema = json_schema()
    strategies = schema["$defs"]["Strategies"]["properties"]
    assert set(strategies) == set(REGISTRY)
    for key, cls in REGISTRY.items():
        assert strategies[key].get("description")
        settings = schema["$defs"][cls.Settings.__name__]["properties"]
        assert set(settings) == {p.name for p in cls.params}
        for p in cls.params:
            assert settings[p.name]["description"] == p.description


def test_every_key_has_a_description_in_the_json_schema():
    schema = json_schema()
    missing = [f"{owner}.{key}" for owner, props in _all_properties(schema)
               for key, prop in props.items() if not _described(schema, prop)]
    arms = schema["properties"]["arms"]["additionalProperties"]
    if not _described(schema, arms):
        missing.append("arms.<arm>")
    assert missing == []


def test_schema_command_prints_the_json_schema():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == json_schema()
    assert printed["additionalProperties"] is False
    assert {"days", "weeks", "population", "group", "strategies", "arms"} <= \
        set(printed["properties"])


def test_design_example_runs_at_tiny_size():
    if "entry" not in REGISTRY:
        pytest.skip("the entry strategy (S1) is not registered yet")
    scn = sim.parse_scenario(DESIGN_EXAMPLE, "design.yaml")
    envelopes = REGISTRY["red_envelope"].Settings(every="friday", amount=50.0, shares=20,
                                                  split="lucky")
    assert scn.strategies_for("red_envelopes")["red_envelope"] == envelopes
    tiny = scn.with_changes(population={"size": 500, "network": {
        "kind": "powerlaw_cluster", "mean_degree": 8, "triangles": 0.3}})
    result = sim.run(tiny, replicates=1, days=21, seed=3)
    s = result.summary.set_index("arm")
    assert list(s.index) == ["baseline", "red_envelopes", "paid_entry"]
    assert s.loc["baseline", "money_spent"] == 0
    assert 0 < s.loc["red_envelopes", "money_spent"] <= 3 * 50  # three Fridays, claimed only


def test_an_editor_using_the_json_schema_accepts_every_valid_form_and_flags_typos():
    """Editors validate YAML against ``commsim schema``: it must agree with the loader."""
    from pathlib import Path

    import jsonschema

    validator = jsonschema.Draft202012Validator(json_schema())
    shipped = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.yaml"))
    written = [yaml.safe_load(DESIGN_EXAMPLE),
               {"strategies": {"welcome": True, "content": None, "rules": False},
                "arms": {"quiet": {"welcome": False, "content": True}}}]
    for data in [yaml.safe_load(p.read_text()) or {} for p in shipped] + written:
        parse_scenario(yaml.safe_dump(data))  # the loader accepts it ...
        assert list(validator.iter_errors(data)) == []  # ... and so does the schema
    for typo in ({"strategies": {"welcom": {}}}, {"strategies": {"welcome": 1}},
                 {"group": {"capcity": 10}}):
        assert list(validator.iter_errors(typo)), typo
        with pytest.raises(ScenarioError):
            parse_scenario(yaml.safe_dump(typo))
