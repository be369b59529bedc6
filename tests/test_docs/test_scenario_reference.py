"""The generated reference documents match the code they are generated from."""

from __future__ import annotations

import re

import pytest

from sim.engine.dynamics import DYNAMICS_PARAMS
from sim.engine.strategies import REGISTRY
from sim.engine.world import NETWORK_PARAMS, TRAIT_PARAMS
from sim.formats import reference as docs
from sim.formats.scenario import FOUNDER_PARAMS, GROUP_PARAMS, Population, Scenario, parse_scenario

HEADING = re.compile(r"^#{2,3} (?:`(?P<path>[^`]+)`|(?P<top>Top level))", re.MULTILINE)


def sections_of(text: str) -> dict[str, str]:
    """Text of each reference section of the README, keyed by its key path."""
    found = list(HEADING.finditer(text))
    out = {}
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[match["path"] or ""] = text[match.end():end]
    return out


def expected_keys() -> dict[str, list[str]]:
    """Every key each section must document, taken from the declarations themselves."""
    keys = {
        "": list(Scenario.model_fields),
        "population": list(Population.model_fields),
        "population.network": [p.name for p in NETWORK_PARAMS],
        "population.traits": [p.name for p in TRAIT_PARAMS],
        "group": [p.name for p in GROUP_PARAMS] + ["founders"],
        "group.founders": [p.name for p in FOUNDER_PARAMS],
        "dynamics": [p.name for p in DYNAMICS_PARAMS],
        "strategies": list(REGISTRY),
        "arms": ["<arm name>"] + [f"<arm name>.{key}" for key in REGISTRY],
    }
    for key, cls in REGISTRY.items():
        keys[f"strategies.{key}"] = [p.name for p in cls.params]
    return keys


@pytest.fixture(scope="module")
def readme() -> str:
    return docs.README.read_text(encoding="utf-8")


def test_committed_readme_is_current(readme):
    assert readme == docs.render(), \
        "scenarios/README.md is stale: run `python -m sim.formats.reference`"


def test_render_is_deterministic():
    assert docs.render() == docs.render()


@pytest.mark.parametrize("section", sorted(expected_keys()))
def test_every_key_is_documented_in_its_section(readme, section):
    sections = sections_of(readme)
    assert section in sections, f"no section {section!r} in scenarios/README.md"
    missing = [name for name in expected_keys()[section]
               if f"| `{name}` |" not in sections[section]]
    assert not missing, f"{section or 'top level'}: undocumented keys {missing}"


def test_every_param_name_appears(readme):
    params = [*NETWORK_PARAMS, *TRAIT_PARAMS, *GROUP_PARAMS, *FOUNDER_PARAMS, *DYNAMICS_PARAMS]
    params += [p for cls in REGISTRY.values() for p in cls.params]
    missing = [p.name for p in params if f"`{p.name}`" not in readme]
    assert not missing


@pytest.mark.parametrize("key", list(REGISTRY))
def test_strategy_docstring_and_defaults_are_shown(readme, key):
    cls = REGISTRY[key]
    text = sections_of(readme)[f"strategies.{key}"]
    assert docs._paragraphs(cls.__doc__)[0] in text
    for p in cls.params:
        assert f"{p.name}: {docs._scalar(p.default)}" in text


def test_yaml_examples_are_valid_scenarios(readme):
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) >= 2 + len(REGISTRY)
    for block in blocks:
        parse_scenario(block, "<scenarios/README.md example>")


def test_strategy_example_gives_the_defaults():
    for key, cls in REGISTRY.items():
        scenario = parse_scenario(docs.strategy_example(cls))
        assert scenario.strategies_for("baseline")[key] == cls.Settings()


def test_arms_example_has_a_switched_off_strategy():
    scenario = parse_scenario(docs.arms_example())
    off = f"without_{next(iter(REGISTRY))}"
    assert next(iter(REGISTRY)) not in scenario.strategies_for(off)


def test_model_doc_role_tables_are_current():
    text = docs.MODEL_DOC.read_text(encoding="utf-8")
    assert docs.with_roles(text) == text, \
        "docs/model.md roles are stale: run `python -m sim.formats.reference`"


def test_check_reports_and_fixes_stale_files(tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    model = tmp_path / "model.md"
    readme.write_text("stale\n", encoding="utf-8")
    model.write_text(f"intro\n{docs.ROLES_BEGIN}\nold\n{docs.ROLES_END}\nrest\n",
                     encoding="utf-8")
    monkeypatch.setattr(docs, "README", readme)
    monkeypatch.setattr(docs, "MODEL_DOC", model)
    assert docs.main(["--check"]) == 1
    assert readme.read_text(encoding="utf-8") == "stale\n"
    assert docs.main([]) == 0
    assert readme.read_text(encoding="utf-8") == docs.render()
    assert docs.render_roles() in model.read_text(encoding="utf-8")
    assert model.read_text(encoding="utf-8").endswith(f"{docs.ROLES_END}\nrest\n")
    assert docs.main(["--check"]) == 0
    assert not list(tmp_path.glob("*.partial"))
