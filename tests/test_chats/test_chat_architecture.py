"""The chat layer reaches nothing below it but the declarations (contract chats-private)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
                          cwd=tree, env=env, capture_output=True, text=True, check=False)


def test_importing_the_engine_from_the_chat_layer_breaks_the_contract(tmp_path):
    for part in ("sim", "agents"):
        shutil.copytree(ROOT / part, tmp_path / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    text = tmp_path / "sim" / "chats" / "text.py"
    text.write_text(text.read_text(encoding="utf-8") + "\nimport sim.engine.world\n",
                    encoding="utf-8")
    broken = lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "Reading chat exports needs only the declarations BROKEN" in broken.stdout
    assert "Each part of commsim imports only the parts below it KEPT" in broken.stdout
