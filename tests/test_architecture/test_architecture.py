"""The architecture holds: parts import only the parts below them, with no circles.

``lint-imports`` (import-linter, configured in ``pyproject.toml``) checks the
contract of ``docs/architecture.md``; ``make test`` runs it before pytest. These
tests keep the two small protocols that break the circles honest: the model and a
scenario have every member that the lower modules are promised.
"""

from __future__ import annotations

import ast
import inspect
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import sim
from sim.engine.community import Community
from sim.engine.settings import RunSettings

ROOT = Path(__file__).resolve().parents[2]
SMALL = """
name: small
days: 3
population: {size: 300}
group: {capacity: 80}
"""


def declared(protocol: type) -> set[str]:
    """Attributes and methods a protocol declares."""
    names = set(typing.get_type_hints(protocol, include_extras=False, localns={
        "MemberTable": object, "World": object, "Dynamics": object}))
    names |= {name for name, value in vars(protocol).items()
              if not name.startswith("_") and (inspect.isfunction(value)
                                               or isinstance(value, property))}
    return names


def test_a_built_model_has_everything_the_lower_modules_use():
    model = sim.CommunityModel(sim.parse_scenario(SMALL), seed=1)
    model.step()
    missing = sorted(name for name in declared(Community) if not hasattr(model, name))
    assert missing == []


def test_a_scenario_has_everything_the_model_reads():
    scenario = sim.parse_scenario(SMALL)
    missing = sorted(name for name in declared(RunSettings) if not hasattr(scenario, name))
    assert missing == []
    assert scenario.base_dir is None and scenario.horizon == 3


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` on a copy of the packages in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
                          cwd=tree, env=env, capture_output=True, text=True, check=False)


def test_a_new_import_circle_fails_the_contract(tmp_path):
    """The check ``make test`` runs: kept as the code is, broken by one upward import."""
    for part in ("sim", "agents"):
        shutil.copytree(ROOT / part, tmp_path / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    kept = lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout
    assert "3 kept, 0 broken" in kept.stdout
    state = tmp_path / "sim" / "engine" / "state.py"
    state.write_text(state.read_text(encoding="utf-8") + "\nfrom sim.engine import model\n",
                     encoding="utf-8")
    broken = lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "No import circles among the modules and packages of a package BROKEN" in broken.stdout
    assert ".state -> .model" in broken.stdout or ".model -> .state" in broken.stdout


def compiled_functions() -> list[tuple[str, str, int]]:
    """(file, function, number of parameters) of every ``@njit`` function in ``sim``."""
    found = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    "njit" in ast.unparse(d) for d in node.decorator_list):
                found.append((str(path.relative_to(ROOT)), node.name, len(node.args.args)))
    return found


def test_kernels_take_records_not_argument_lists():
    """A kernel reads (members, group, day, today): at most 8 arguments (issue 17)."""
    kernels = compiled_functions()
    assert len(kernels) >= 20
    assert [k for k in kernels if k[2] > 8] == []


def test_no_engine_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "sim" / "engine").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
